//! The typed results of one run of an analysis plan ([`AnalysisResult`]): every number the report
//! and the result tables read (cohort flow, Table 1, effect estimates per design, method and
//! subgroup level, curves, tests of interaction, propensity diagnostics and balance). Plain data,
//! serialised as `results/analysis.json`; the estimators that fill them are in
//! [`super::estimate`].

use serde::{Deserialize, Serialize};

use crate::schema::CohortFlow;
use crate::stats::twobytwo::TableMeasures;

use super::balance::EValue;
use super::estimand::Estimand as StudyEstimand;
use super::landmark::Design;
use super::outcome::OutcomeKind;
use super::plan::Plan;
use super::propensity::Estimand;
use super::table1::Table1;

/// Everything one run of a plan produces.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AnalysisResult {
    pub title: String,
    pub plan: Plan,
    /// The primary design's estimand (also in [`DesignResult::estimand`]).
    pub estimand: StudyEstimand,
    /// What each outcome form means.
    pub outcomes: Vec<OutcomeLabel>,
    pub flow: CohortFlow,
    pub exposure: ExposureSummary,
    /// Baseline characteristics of the primary sample (before complete-case restriction).
    pub table1: Table1,
    /// One entry per design (primary first).
    pub designs: Vec<DesignResult>,
    /// Score distribution and trajectories by exposure (the report's descriptive figures).
    pub descriptive: super::descriptive::Descriptive,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OutcomeLabel {
    pub kind: OutcomeKind,
    pub label: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ExposureSummary {
    pub name: String,
    pub drugs: Vec<String>,
    pub window: [i32; 2],
    pub n_patients: usize,
    pub n_started_in_window: usize,
    pub n_started_after_window: usize,
    pub n_never: usize,
    /// Treatment rows of the exposure drugs without a start day (ignored).
    pub n_rows_missing_start: u64,
    /// Landmark design: unexposed patients censored when a later start became effective.
    pub n_censored_at_late_start: usize,
}

/// One design's results.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DesignResult {
    pub design: Design,
    pub label: String,
    /// True for the naive ever-treated design: never an answer.
    pub biased: bool,
    pub primary: bool,
    /// What this design estimates, in parts and in words.
    pub estimand: StudyEstimand,
    /// The clusters of the robust variances (e.g. `site_id`), if any, and their number.
    pub cluster: Option<ClusterSummary>,
    /// The whole analysed sample.
    pub overall: PopulationResult,
    pub subgroups: Vec<SubgroupResult>,
    /// The primary design: the hazard ratio along each of the plan's continuous modifiers.
    #[serde(default)]
    pub modifiers: Vec<super::benefit_result::ModifierResult>,
    /// The primary design: major bleeding by the horizon (absent when no patient-day records
    /// bleeding).
    #[serde(default)]
    pub harm: Option<super::benefit_result::HarmResult>,
    /// Why a modifier or the harm outcome could not be estimated.
    #[serde(default)]
    pub benefit_notes: Vec<String>,
}

/// One subgroup definition: per-level results and the test of interaction.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SubgroupResult {
    pub name: String,
    pub levels: Vec<PopulationResult>,
    /// Patients of the analysed sample whose level is unknown.
    pub n_missing: usize,
    /// Fingerprint of those patients (level unknown) in each arm (exposed, unexposed), as
    /// [`PopulationResult::fingerprint`]: lets the report's disclosure control see that the
    /// leftover equals, e.g., Table 1's missing count of the same variable.
    pub remainder_fingerprint: [u64; 2],
    pub interaction: Option<InteractionTest>,
    pub notes: Vec<String>,
}

/// The clusters of a design's robust variances.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ClusterSummary {
    /// The patient column.
    pub column: String,
    /// Distinct values in the analysed sample (patients without a value are their own cluster).
    pub n_clusters: usize,
}

/// Test of effect modification across the levels of a subgroup.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct InteractionTest {
    /// How the test was made.
    pub method: String,
    /// The Wald chi-square, or its F form when `df_denominator` is set.
    pub statistic: f64,
    pub df: usize,
    /// Denominator degrees of freedom of the F form (`G - 1` with `G` clusters of the plan's
    /// cluster column); `None`: chi-square on `df`.
    #[serde(default)]
    pub df_denominator: Option<usize>,
    pub p: f64,
    /// `p` adjusted for the number of interaction tests of the design (Holm, R `p.adjust`).
    pub p_holm: f64,
    /// How many tests the Holm adjustment is over.
    pub n_tests: usize,
}

/// Results for one set of patients (the whole sample or one subgroup level).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PopulationResult {
    /// `all`, or the subgroup level.
    pub population: String,
    pub n: usize,
    pub n_exposed: usize,
    pub n_unexposed: usize,
    /// Fingerprint of the set of patients in each arm (exposed, unexposed): 64-bit FNV-1a of
    /// the arm's sorted patient-table row indices ([`super::fingerprint::population_fingerprint`]). Within one
    /// design, equal fingerprints mean the same patients, hence equal counts of every kind; the
    /// report's disclosure control uses it to give one count printed twice one decision.
    pub fingerprint: [u64; 2],
    pub binary: Option<BinaryResult>,
    /// Kaplan-Meier curves, exposed then unexposed (time to death; unweighted).
    pub km: Vec<Curve>,
    /// IPTW-weighted Kaplan-Meier curves, exposed then unexposed.
    pub km_weighted: Vec<Curve>,
    pub logrank: Option<LogRankResult>,
    /// Cumulative incidence of death with discharge alive competing, by exposure.
    pub competing: Vec<CumulativeIncidence>,
    pub hazard_ratios: Vec<HrEstimate>,
    /// Risks at the horizon per arm, their difference and the number needed to treat: crude,
    /// standardised (g-formula) and IPTW-weighted.
    pub risks: Vec<RiskEstimate>,
    /// Tests of proportional hazards (R `cox.zph(transform = "km")`) of the Cox models.
    pub ph_tests: Vec<PhTest>,
    pub propensity: Option<PropensitySummary>,
    pub balance: Vec<BalanceRow>,
    /// Why an analysis is missing (e.g. no events, separation).
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BinaryResult {
    pub outcome: OutcomeKind,
    /// Deaths and patients with known status, exposed and unexposed.
    pub deaths_exposed: usize,
    pub known_exposed: usize,
    pub deaths_unexposed: usize,
    pub known_unexposed: usize,
    /// Patients whose binary status is unknown (censored before the horizon, no discharge).
    pub n_unknown: usize,
    pub measures: TableMeasures,
    pub e_value_rr: EValue,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Curve {
    pub group: String,
    pub time: Vec<f64>,
    pub n_risk: Vec<f64>,
    pub n_event: Vec<f64>,
    pub surv: Vec<f64>,
    pub lower: Vec<f64>,
    pub upper: Vec<f64>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LogRankResult {
    pub chisq: f64,
    pub df: usize,
    pub p: f64,
    /// Exposed, unexposed.
    pub observed: Vec<f64>,
    pub expected: Vec<f64>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CumulativeIncidence {
    pub group: String,
    pub outcome: OutcomeKind,
    pub time: Vec<f64>,
    /// Cumulative incidence of death.
    pub cif_death: Vec<f64>,
    pub lower: Vec<f64>,
    pub upper: Vec<f64>,
    /// Cumulative incidence of discharge alive.
    pub cif_discharge: Vec<f64>,
    /// Cumulative incidence of death at the horizon.
    pub death_at_horizon: f64,
}

/// Whether a number is adjusted for confounding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Adjustment {
    Crude,
    Adjusted,
}

/// How a hazard ratio was estimated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HrMethod {
    Unadjusted,
    CovariateAdjusted,
    Iptw,
    /// IPTW-weighted Cox also adjusted for the propensity covariates (doubly robust).
    IptwAdjusted,
    /// Overlap weights (ATO).
    Overlap,
    /// Matching weights (ATM).
    MatchingWeights,
    PsMatched,
    /// Marginal mean weighting through propensity-score strata (MMWS).
    PsStrataWeighted,
    /// Cox stratified by propensity quintiles: the J-Septic DIC replication.
    PsStratified,
}

impl HrMethod {
    pub fn adjustment(&self) -> Adjustment {
        match self {
            HrMethod::Unadjusted => Adjustment::Crude,
            _ => Adjustment::Adjusted,
        }
    }

    /// What the hazard ratio compares, in words.
    pub fn contrast(&self, estimand: Estimand) -> &'static str {
        let whole = match estimand {
            Estimand::Ate => "marginal hazard ratio in the whole population (ATE)",
            Estimand::Att => "marginal hazard ratio in the exposed (ATT)",
        };
        match self {
            HrMethod::Unadjusted => "crude hazard ratio (no adjustment for confounding)",
            HrMethod::CovariateAdjusted => "conditional hazard ratio given the covariates",
            HrMethod::Iptw | HrMethod::PsStrataWeighted => whole,
            HrMethod::IptwAdjusted => {
                "conditional hazard ratio given the covariates, in the weighted population"
            }
            HrMethod::Overlap => "marginal hazard ratio in the overlap population (ATO)",
            HrMethod::MatchingWeights => "marginal hazard ratio in the matching population (ATM)",
            HrMethod::PsMatched => "marginal hazard ratio in the matched sample",
            HrMethod::PsStratified => {
                "hazard ratio common to the propensity quintiles (conditional on the quintile; \
                 residual confounding within quintiles)"
            }
        }
    }

    /// The method's name (the variance is added by the estimate, see [`HrEstimate::label`]).
    pub fn label(&self, estimand: Estimand, strata: usize) -> String {
        let est = match estimand {
            Estimand::Ate => "ATE",
            Estimand::Att => "ATT",
        };
        match self {
            HrMethod::Unadjusted => "Cox, exposure only (crude)".into(),
            HrMethod::CovariateAdjusted => "Cox adjusted for the propensity covariates".into(),
            HrMethod::Iptw => format!("Cox weighted by stabilised IPTW ({est})"),
            HrMethod::IptwAdjusted => format!(
                "Cox weighted by stabilised IPTW ({est}) and adjusted for the propensity covariates \
                 (doubly robust, conditional HR)"
            ),
            HrMethod::Overlap => "Cox weighted by overlap weights (ATO)".into(),
            HrMethod::MatchingWeights => "Cox weighted by matching weights (ATM)".into(),
            HrMethod::PsMatched => "Cox in 1:1 propensity-matched pairs".into(),
            HrMethod::PsStrataWeighted => format!(
                "Cox weighted by marginal mean weights of {strata} propensity-score strata \
                 (MMWS, {est})"
            ),
            HrMethod::PsStratified => {
                "Cox stratified by propensity-score quintiles (J-Septic DIC replication; not an \
                 answer: residual confounding within quintiles)"
                    .into()
            }
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct HrEstimate {
    pub method: HrMethod,
    /// The method and its variance, e.g. "Cox weighted by stabilised IPTW (ATE), robust variance
    /// clustered by site_id (12 clusters)".
    pub label: String,
    /// The method without its variance, e.g. "Cox weighted by stabilised IPTW (ATE)" (tables
    /// that state the variance once).
    #[serde(default)]
    pub estimator: String,
    /// Crude or adjusted for confounding.
    pub adjustment: Adjustment,
    /// What the hazard ratio compares ([`HrMethod::contrast`]).
    pub contrast: String,
    /// How the standard error was computed.
    pub variance: String,
    pub outcome: OutcomeKind,
    pub hr: f64,
    pub lower: f64,
    pub upper: f64,
    pub coef: f64,
    /// Standard error used for the interval (robust when `robust`).
    pub se: f64,
    pub robust: bool,
    pub p: f64,
    pub n: usize,
    pub n_event: usize,
    pub e_value: EValue,
}

/// How an absolute risk was estimated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RiskMethod {
    /// Kaplan-Meier (or Aalen-Johansen) risk at the horizon per arm, unweighted.
    Crude,
    /// Standardisation (g-formula) over a logistic model of the binary outcome on exposure and
    /// the propensity covariates.
    GFormula,
    /// Kaplan-Meier (or Aalen-Johansen) risk at the horizon weighted by stabilised IPTW.
    IptwKm,
}

/// An estimate with its interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Interval {
    pub estimate: f64,
    pub lower: f64,
    pub upper: f64,
}

/// The number needed to treat (benefit) or to harm, from a risk difference and its interval
/// (Altman DG, BMJ 1998;317:1309-1312): `1 / |RD|`, written NNTB (benefit) or NNTH (harm);
/// when the interval of the difference includes 0 the interval of the NNT runs from the NNTB
/// bound through infinity to the NNTH bound.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Nnt {
    /// `benefit` (the exposure lowers the risk) or `harm`.
    pub direction: String,
    pub estimate: f64,
    /// Bounds of the NNT benefit / harm; both of the same direction when the interval of the
    /// difference excludes 0.
    pub bound_benefit: f64,
    pub bound_harm: f64,
    /// The interval in words, e.g. "NNTB 12 (7 to 40)" or "NNTB 25 (NNTB 9 to ∞ to NNTH 60)".
    pub text: String,
}

/// Risks at the horizon per arm, their difference and the NNT.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RiskEstimate {
    pub method: RiskMethod,
    pub adjustment: Adjustment,
    /// The method, the population and how the intervals were made.
    pub label: String,
    pub outcome: OutcomeKind,
    /// The horizon, days since the design's origin (the landmark).
    pub horizon: f64,
    pub risk_exposed: Interval,
    pub risk_unexposed: Interval,
    /// `risk_exposed - risk_unexposed`.
    pub risk_difference: Interval,
    pub nnt: Nnt,
    /// How the intervals above were made, e.g. "bootstrap percentile, 500 replicates".
    pub interval: String,
    /// Bootstrap replicates that failed (e.g. separation in a resample), left out.
    pub bootstrap_failed: usize,
    /// The same from an analytic variance (delta method for the g-formula, infinitesimal
    /// jackknife for weighted Kaplan-Meier), when there is one.
    pub analytic: Option<AnalyticRisk>,
}

/// Wald intervals of the risks from an analytic variance.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AnalyticRisk {
    pub method: String,
    pub risk_exposed: Interval,
    pub risk_unexposed: Interval,
    pub risk_difference: Interval,
}

/// A proportional-hazards test of one Cox model of a population.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PhTest {
    pub method: HrMethod,
    /// Which model, e.g. "Cox adjusted for the propensity covariates".
    pub model: String,
    pub test: crate::stats::zph::ZphTest,
}

/// The propensity-score distribution by arm, binned on [0, 1] (mirrored histograms).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PsHistogram {
    /// Bin edges, `bins + 1` of them, from 0 to 1.
    pub edges: Vec<f64>,
    pub exposed: Vec<u64>,
    pub unexposed: Vec<u64>,
}

/// Kish effective sample size per arm under one set of weights.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EffectiveSampleSize {
    /// `iptw`, `overlap`, `matching`, `mmws`.
    pub weights: String,
    pub exposed: f64,
    pub unexposed: f64,
    pub n_exposed: usize,
    pub n_unexposed: usize,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PropensitySummary {
    pub covariates: Vec<String>,
    pub coef: Vec<f64>,
    pub se: Vec<f64>,
    /// Concordance (area under the ROC curve) of the score.
    pub c_statistic: f64,
    pub n_trimmed: usize,
    pub ps_quantiles_exposed: Vec<f64>,
    pub ps_quantiles_unexposed: Vec<f64>,
    pub weight_max: f64,
    /// Kish effective sample sizes of the IPTW-weighted arms.
    pub ess_exposed: f64,
    pub ess_unexposed: f64,
    /// Kish effective sample sizes per arm under every set of weights.
    pub ess: Vec<EffectiveSampleSize>,
    pub n_pairs: usize,
    pub n_treated_unmatched: usize,
    pub caliper_logit: f64,
    /// `closest` or `largest`.
    pub match_order: String,
    /// Patients in propensity strata lacking one arm (weight 0 under MMWS).
    pub n_mmws_dropped: usize,
    /// The score by arm, 20 bins on [0, 1] (after trimming).
    pub histogram: PsHistogram,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BalanceRow {
    pub variable: String,
    pub smd_before: f64,
    pub smd_iptw: f64,
    pub smd_matched: f64,
    /// After overlap weighting (exact 0 for every covariate of the propensity model at the
    /// maximum likelihood fit: Li et al. 2018).
    pub smd_overlap: f64,
    pub smd_matching_weights: f64,
}
