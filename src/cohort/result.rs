//! The typed results of one run of an analysis plan ([`AnalysisResult`]): every number the report
//! and the result tables read (cohort flow, Table 1, effect estimates per design, method and
//! subgroup level, curves, tests of interaction, propensity diagnostics and balance). Plain data,
//! serialised as `results/analysis.json`; the estimators that fill them are in
//! [`super::estimate`].

use serde::{Deserialize, Serialize};

use crate::schema::CohortFlow;
use crate::stats::twobytwo::TableMeasures;

use super::balance::EValue;
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
    /// The whole analysed sample.
    pub overall: PopulationResult,
    pub subgroups: Vec<SubgroupResult>,
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

/// Test of effect modification across the levels of a subgroup.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct InteractionTest {
    /// How the test was made.
    pub method: String,
    pub statistic: f64,
    pub df: usize,
    pub p: f64,
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

/// How a hazard ratio was estimated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HrMethod {
    Unadjusted,
    CovariateAdjusted,
    Iptw,
    /// IPTW-weighted Cox also adjusted for the propensity covariates (doubly robust).
    IptwAdjusted,
    PsMatched,
    PsStratified,
}

impl HrMethod {
    pub fn label(&self, estimand: Estimand, strata: usize) -> String {
        match self {
            HrMethod::Unadjusted => "Cox, exposure only".into(),
            HrMethod::CovariateAdjusted => "Cox adjusted for the propensity covariates".into(),
            HrMethod::Iptw => format!(
                "Cox weighted by stabilised IPTW ({}), robust variance",
                match estimand {
                    Estimand::Ate => "ATE",
                    Estimand::Att => "ATT",
                }
            ),
            HrMethod::IptwAdjusted => format!(
                "Cox weighted by stabilised IPTW ({}) and adjusted for the propensity covariates \
                 (doubly robust, conditional HR), robust variance",
                match estimand {
                    Estimand::Ate => "ATE",
                    Estimand::Att => "ATT",
                }
            ),
            HrMethod::PsMatched => {
                "Cox in 1:1 propensity-matched pairs, robust variance clustered on pairs".into()
            }
            HrMethod::PsStratified => {
                format!("Cox stratified by propensity score ({strata} quantile groups)")
            }
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct HrEstimate {
    pub method: HrMethod,
    pub label: String,
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
    /// Kish effective sample sizes of the weighted arms.
    pub ess_exposed: f64,
    pub ess_unexposed: f64,
    pub n_pairs: usize,
    pub n_treated_unmatched: usize,
    pub caliper_logit: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BalanceRow {
    pub variable: String,
    pub smd_before: f64,
    pub smd_iptw: f64,
    pub smd_matched: f64,
}
