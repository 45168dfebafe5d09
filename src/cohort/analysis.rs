//! Running an analysis plan: from a loaded cohort to a typed [`AnalysisResult`] holding every
//! number the report needs (cohort flow, Table 1, propensity diagnostics and balance, effect
//! estimates per design, method and subgroup level, KM / cumulative-incidence curves, tests of
//! interaction, E-values).
//!
//! Order of work: score the day table, derive the patient columns the plan names, classify the
//! exposure, build each design's sample (landmark exclusions counted in the flow), restrict to
//! complete propensity covariates (counted), then analyse the whole sample and every subgroup
//! level. Each population gets: 28-day mortality by exposure with RR/RD/OR (binary outcome), KM
//! curves and the log-rank test, Aalen-Johansen cumulative incidence of death with discharge
//! alive competing, and hazard ratios (time to death) unadjusted, covariate-adjusted, IPTW
//! (robust variance), propensity-matched (robust variance clustered on pairs) and stratified by
//! propensity quintiles, each with its E-value.

use std::time::Instant;

use serde::{Deserialize, Serialize};

use crate::schema::{Cohort, CohortFlow};
use crate::score::engine::score_days;
use crate::score::labels::{patient_labels, LabelConfig};
use crate::stats::competing::aalen_johansen;
use crate::stats::cox::{coxph, CoxData, CoxFit, CoxOptions};
use crate::stats::km::{kaplan_meier_by_group, KmFit, KmOptions};
use crate::stats::linalg::quadratic_form_inverse;
use crate::stats::logistic::{logistic_regression, LogisticOptions};
use crate::stats::logrank::survdiff;
use crate::stats::twobytwo::{table_measures, TableMeasures, TwoByTwo};
use crate::stats::StatsError;

use super::balance::{e_value, smd_binary, smd_continuous, EValue, EffectMeasure};
use super::derive::add_derived_columns;
use super::exposure::classify;
use super::frame::{Column, PatientFrame};
use super::landmark::{
    censor_late_starters, landmark_sample, naive_sample, time_varying, CountingProcess, Design,
    StudySample,
};
use super::outcome::OutcomeKind;
use super::plan::{LateStarters, Plan};
use super::propensity::{iptw_weights, logit, match_nearest, quantile_strata, trim_mask, Estimand};
use super::subgroup::{Partition, SubgroupSpec};
use super::table1::{table1_with_rows, Table1};
use super::CohortError;

fn stats_err(context: &str) -> impl Fn(StatsError) -> CohortError + '_ {
    move |source| CohortError::Stats {
        context: context.to_string(),
        source,
    }
}

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

/// 64-bit FNV-1a hash of a set of patient-table row indices (sorted and deduplicated first, each
/// hashed as 8 little-endian bytes): a fingerprint of a population that does not depend on the
/// order in which its patients were collected.
pub fn population_fingerprint(mut rows: Vec<usize>) -> u64 {
    rows.sort_unstable();
    rows.dedup();
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for r in rows {
        for b in (r as u64).to_le_bytes() {
            h ^= b as u64;
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    h
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
    /// the arm's sorted patient-table row indices ([`population_fingerprint`]). Within one
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

/// Per-stage progress messages (for `--verbose` timings).
pub type Progress<'a> = &'a mut dyn FnMut(&str);

/// Columns the plan refers to (covariates, Table 1, subgroups, DIC definition) and those of the
/// descriptive figures.
pub fn required_columns(plan: &Plan) -> Result<Vec<String>, CohortError> {
    let mut names: Vec<String> = plan.propensity.covariates.clone();
    let dic = super::subgroup::dic_column(plan.dic.score.as_str(), plan.dic.days);
    names.push(dic);
    names.extend(table1_variables(plan));
    for s in &plan.subgroups {
        names.extend(s.required_columns()?);
    }
    names.extend(super::descriptive::columns(plan.dic.score.as_str()));
    let mut seen = std::collections::HashSet::new();
    names.retain(|n| seen.insert(n.clone()));
    Ok(names)
}

/// Table 1 variables: the plan's, or the propensity covariates plus the coagulation group.
pub fn table1_variables(plan: &Plan) -> Vec<String> {
    plan.table1.variables.clone().unwrap_or_else(|| {
        let mut v = plan.propensity.covariates.clone();
        v.push(super::subgroup::COAGULATION_GROUP_COLUMN.into());
        v
    })
}

/// Builds the patient frame with every column the plan names: scores the day table once, then
/// derives. The day table is not kept.
pub fn build_frame(plan: &Plan, cohort: &Cohort) -> Result<PatientFrame, CohortError> {
    let mut frame = PatientFrame::from_patients(&cohort.patients);
    let names = required_columns(plan)?;
    let missing: Vec<String> = names
        .iter()
        .filter(|n| frame.get(n).is_none())
        .cloned()
        .collect();
    if missing.is_empty() {
        return Ok(frame);
    }
    let scores = score_days(&cohort.days, &cohort.patients, &plan.scores)
        .map_err(|e| CohortError::InvalidInput(format!("scoring: {e}")))?;
    let labels = patient_labels(
        &cohort.days,
        &scores,
        &LabelConfig {
            dic_score: plan.dic.score,
            group_window_days: plan.dic.days[1],
            coagulopathy: plan.dic.coagulopathy,
        },
    )
    .map_err(|e| CohortError::InvalidInput(format!("patient labels: {e}")))?;
    add_derived_columns(
        &mut frame,
        &cohort.days,
        Some(&scores),
        Some(&labels),
        &missing,
    )?;
    Ok(frame)
}

/// Runs `plan` on `cohort` (already loaded; its flow is extended).
pub fn run_plan(
    plan: &Plan,
    cohort: Cohort,
    progress: Progress,
) -> Result<AnalysisResult, CohortError> {
    plan.validate()?;
    let t0 = Instant::now();
    let mut say = |s: &str| progress(&format!("[{:>8.2} s] {s}", t0.elapsed().as_secs_f64()));
    say("scoring and deriving patient columns");
    let frame = build_frame(plan, &cohort)?;
    let Cohort {
        patients,
        days,
        treatments,
        mut flow,
        ..
    } = cohort;
    drop(days);
    say("classifying exposure");
    let exposure = classify(&plan.exposure, &treatments, patients.len())?;
    drop(treatments);
    let h = plan.outcome.horizon;
    let mut exposure_summary = ExposureSummary {
        name: plan.exposure.name.clone(),
        drugs: plan.exposure.drug_set(),
        window: plan.exposure.window,
        n_patients: patients.len(),
        n_started_in_window: exposure.n_in_window(),
        n_started_after_window: exposure.n_started_after_window(plan.exposure.window[1]),
        n_never: exposure.ever.iter().filter(|e| !**e).count(),
        n_rows_missing_start: exposure.n_rows_missing_start,
        n_censored_at_late_start: 0,
    };
    let mut n_censored_late = 0usize;
    let mut designs_to_run = vec![plan.design.primary];
    for d in &plan.design.sensitivity {
        if !designs_to_run.contains(d) {
            designs_to_run.push(*d);
        }
    }
    let mut designs = Vec::new();
    let mut table1_primary = None;
    let mut descriptive = Default::default();
    for (k, &design) in designs_to_run.iter().enumerate() {
        let primary = k == 0;
        say(&format!("design {design:?}: building the sample"));
        let mut local_flow = CohortFlow::default();
        let (sample, cp) = match design {
            Design::Landmark => {
                let mut s = landmark_sample(
                    &patients,
                    &exposure,
                    plan.exposure.window[1],
                    h,
                    &mut local_flow,
                );
                if plan.design.late_starters == LateStarters::Censored {
                    n_censored_late =
                        censor_late_starters(&mut s, &exposure, plan.design.tv_lag_days);
                }
                (s, None)
            }
            Design::NaiveEverTreated => (naive_sample(&patients, &exposure, h), None),
            Design::TimeVarying => {
                let (s, cp) = time_varying(&patients, &exposure, h, plan.design.tv_lag_days);
                (s, Some(cp))
            }
        };
        let sub_frame = frame.subset(&sample.patients);
        if primary {
            say("Table 1");
            let vars = table1_variables(plan);
            table1_primary = Some(table1_with_rows(
                &sub_frame,
                &sample.exposed,
                &vars,
                &sample.patients,
            )?);
            let spec = super::descriptive::DescriptiveSpec {
                score: plan.dic.score.as_str(),
                exposure: &plan.exposure.name,
            };
            descriptive = super::descriptive::descriptive(spec, &frame, &exposure, &sample)?;
        }
        // Complete propensity covariates.
        let covs = &plan.propensity.covariates;
        let mut reasons: Vec<(String, u64)> =
            covs.iter().map(|c| (format!("missing {c}"), 0)).collect();
        let cols: Vec<&Column> = covs
            .iter()
            .map(|c| sub_frame.column(c))
            .collect::<Result<_, _>>()?;
        let mut keep = Vec::with_capacity(sample.len());
        for i in 0..sample.len() {
            match cols.iter().position(|c| c.is_missing(i)) {
                Some(j) => reasons[j].1 += 1,
                None => keep.push(i),
            }
        }
        reasons.retain(|r| r.1 > 0);
        local_flow.push(
            &format!("{}: complete propensity covariates", design_short(design)),
            "patients",
            sample.len() as u64,
            reasons,
        );
        let sample = restrict(&sample, &keep);
        let frame_cc = sub_frame.subset(&keep);
        drop(sub_frame);
        let cp = cp.map(|cp| restrict_cp(&cp, &keep));
        flow.steps.extend(local_flow.steps);
        let (x_names, x) = covariate_matrix(&frame_cc, covs)?;
        let ctx = Ctx {
            plan,
            design,
            full_methods: primary,
            x_names,
            x,
        };
        say(&format!(
            "design {design:?}: whole sample ({} patients)",
            sample.len()
        ));
        let all: Vec<usize> = (0..sample.len()).collect();
        let (overall, _) = ctx.population("all", &sample, cp.as_ref(), &all);
        let mut subgroups = Vec::new();
        for spec in &plan.subgroups {
            say(&format!("design {design:?}: subgroup {}", spec.name()));
            subgroups.push(ctx.subgroup(spec, &sample, cp.as_ref(), &frame_cc)?);
        }
        let mut label = design.label(plan.exposure.window);
        if design == Design::Landmark {
            label.push_str(match plan.design.late_starters {
                LateStarters::Censored => {
                    "; later starters censored when their exposure begins (per protocol)"
                }
                LateStarters::Unexposed => "; later starters stay unexposed (intention to treat)",
            });
        }
        designs.push(DesignResult {
            design,
            label,
            biased: design.is_biased(),
            primary,
            overall,
            subgroups,
        });
    }
    exposure_summary.n_censored_at_late_start = n_censored_late;
    say("done");
    Ok(AnalysisResult {
        title: plan.title.clone(),
        plan: plan.clone(),
        outcomes: [
            OutcomeKind::Binary,
            OutcomeKind::TimeToDeath,
            OutcomeKind::Competing,
        ]
        .into_iter()
        .map(|kind| OutcomeLabel {
            kind,
            label: kind.label(h),
        })
        .collect(),
        flow,
        exposure: exposure_summary,
        table1: table1_primary.expect("primary design runs first"),
        designs,
        descriptive,
    })
}

fn design_short(d: Design) -> &'static str {
    match d {
        Design::Landmark => "landmark",
        Design::TimeVarying => "time-varying",
        Design::NaiveEverTreated => "naive ever-treated",
    }
}

/// The sample's rows `keep` (indices into the sample).
fn restrict(s: &StudySample, keep: &[usize]) -> StudySample {
    StudySample {
        design: s.design,
        origin: s.origin,
        patients: keep.iter().map(|&i| s.patients[i]).collect(),
        exposed: keep.iter().map(|&i| s.exposed[i]).collect(),
        time: keep.iter().map(|&i| s.time[i]).collect(),
        event: keep.iter().map(|&i| s.event[i]).collect(),
        dead: keep.iter().map(|&i| s.dead[i]).collect(),
        cr_time: keep.iter().map(|&i| s.cr_time[i]).collect(),
        cr_status: keep.iter().map(|&i| s.cr_status[i]).collect(),
    }
}

/// Counting-process rows of the kept subjects, renumbered to their new sample positions.
fn restrict_cp(cp: &CountingProcess, keep: &[usize]) -> CountingProcess {
    let max = cp.subject.iter().copied().max().map_or(0, |m| m + 1);
    let mut new_id = vec![usize::MAX; max.max(keep.iter().copied().max().map_or(0, |m| m + 1))];
    for (k, &i) in keep.iter().enumerate() {
        new_id[i] = k;
    }
    let mut out = CountingProcess::default();
    for r in 0..cp.len() {
        let s = new_id[cp.subject[r]];
        if s != usize::MAX {
            out.subject.push(s);
            out.start.push(cp.start[r]);
            out.stop.push(cp.stop[r]);
            out.event.push(cp.event[r]);
            out.exposed.push(cp.exposed[r]);
        }
    }
    out
}

struct Ctx<'a> {
    plan: &'a Plan,
    design: Design,
    /// All methods (matching, PS strata, balance, curves): the primary design.
    full_methods: bool,
    /// Design-matrix columns of the propensity covariates (categorical ones as indicators),
    /// by sample position.
    x_names: Vec<String>,
    x: Vec<Vec<f64>>,
}

/// Numeric columns for the covariates: numbers as they are, a categorical column as indicators
/// of its levels but the first (sorted) one, named `column=level`.
pub fn covariate_matrix(
    frame: &PatientFrame,
    covs: &[String],
) -> Result<(Vec<String>, Vec<Vec<f64>>), CohortError> {
    let mut names = Vec::new();
    let mut x = Vec::new();
    for c in covs {
        match frame.column(c)? {
            Column::Num(v) => {
                names.push(c.clone());
                x.push(v.clone());
            }
            Column::Cat(v) => {
                let p = Partition::from_text(c.clone(), v, None)?;
                for (k, l) in p.levels.iter().enumerate().skip(1) {
                    names.push(format!("{c}={l}"));
                    x.push(
                        p.level
                            .iter()
                            .map(|g| match g {
                                None => f64::NAN,
                                Some(g) => (*g as usize == k) as u8 as f64,
                            })
                            .collect(),
                    );
                }
            }
        }
    }
    Ok((names, x))
}

/// Propensity model of one population.
struct Ps {
    summary: PropensitySummary,
    /// Rows (population positions) kept after trimming, their scores and weights.
    kept: Vec<usize>,
    ps: Vec<f64>,
    weights: Vec<f64>,
    /// Matched pairs as population positions.
    pairs: Vec<(usize, usize)>,
}

impl Ctx<'_> {
    fn cox_options(&self, robust: bool) -> CoxOptions {
        CoxOptions {
            robust,
            ..Default::default()
        }
    }

    fn note_dropped(&self, notes: &mut Vec<String>, usable: &[usize]) {
        let dropped: Vec<&str> = (0..self.x_names.len())
            .filter(|j| !usable.contains(j))
            .map(|j| self.x_names[j].as_str())
            .collect();
        if !dropped.is_empty() {
            notes.push(format!(
                "adjusted models leave out {} (constant, or an indicator without events on one side)",
                dropped.join(", ")
            ));
        }
    }

    /// Pushes the exposure HR of a fit, or a note when it is not estimable.
    fn push_hr(
        &self,
        r: &mut PopulationResult,
        method: HrMethod,
        fit: Result<CoxFit, StatsError>,
        rare: bool,
    ) {
        match fit {
            Ok(f) if f.coef[0].is_finite() => r.hazard_ratios.push(self.hr(method, &f, rare)),
            Ok(_) => r.notes.push(format!(
                "{method:?} Cox: exposure coefficient not estimable"
            )),
            Err(e) => r.notes.push(format!("{method:?} Cox: {e}")),
        }
    }

    fn hr(&self, method: HrMethod, fit: &CoxFit, rare: bool) -> HrEstimate {
        let robust = fit.robust_se.is_some();
        let se = fit.robust_se.as_ref().map_or(fit.se[0], |r| r[0]);
        let z = crate::stats::dist::z_two_sided(self.plan.conf_level);
        let coef = fit.coef[0];
        let (hr, lower, upper) = (coef.exp(), (coef - z * se).exp(), (coef + z * se).exp());
        HrEstimate {
            method,
            label: method.label(self.plan.propensity.estimand, self.plan.propensity.strata),
            outcome: OutcomeKind::TimeToDeath,
            hr,
            lower,
            upper,
            coef,
            se,
            robust,
            p: crate::stats::dist::pchisq_upper((coef / se).powi(2), 1.0),
            n: fit.n,
            n_event: fit.n_event,
            e_value: e_value(
                hr,
                lower,
                upper,
                EffectMeasure::HazardRatio { rare_outcome: rare },
            ),
        }
    }

    /// Fits the propensity model on the population's covariate columns `x` (one entry per
    /// population row; exposure `exposed`). Indicator columns constant in the population are
    /// left out (no information, and aliased with the intercept).
    fn propensity(&self, x: &[Vec<f64>], exposed: &[bool]) -> Result<Ps, CohortError> {
        let spec = &self.plan.propensity;
        let n = exposed.len();
        let rows: Vec<usize> = (0..n).collect();
        let used: Vec<usize> = (0..x.len())
            .filter(|&j| x[j].iter().any(|v| *v != x[j][0]))
            .collect();
        let names: Vec<String> = used.iter().map(|&j| self.x_names[j].clone()).collect();
        let x: Vec<Vec<f64>> = used.iter().map(|&j| x[j].clone()).collect();
        let y: Vec<f64> = rows
            .iter()
            .map(|&i| if exposed[i] { 1.0 } else { 0.0 })
            .collect();
        let fit = logistic_regression(
            &y,
            &x,
            None,
            &LogisticOptions {
                names: Some(names.clone()),
                ..Default::default()
            },
        )
        .map_err(stats_err("propensity model"))?;
        let ps_all = fit.fitted.clone();
        let mask = trim_mask(&ps_all, spec.trim);
        let kept: Vec<usize> = (0..rows.len()).filter(|&k| mask[k]).collect();
        let ps: Vec<f64> = kept.iter().map(|&k| ps_all[k]).collect();
        let t: Vec<bool> = kept.iter().map(|&k| y[k] == 1.0).collect();
        if ps.iter().any(|e| !(*e > 0.0 && *e < 1.0)) {
            return Err(CohortError::InvalidInput(
                "propensity scores of 0 or 1 (separation): use trimming or fewer covariates".into(),
            ));
        }
        let weights = iptw_weights(&ps, &t, spec.estimand, spec.stabilised)?;
        let dist: Vec<f64> = ps.iter().map(|&e| logit(e)).collect();
        let m = match_nearest(&dist, &t, Some(spec.caliper_sd))?;
        let ess = |g: bool| {
            let (s, s2) = weights
                .iter()
                .zip(&t)
                .filter(|(_, tt)| **tt == g)
                .fold((0.0, 0.0), |(a, b), (w, _)| (a + w, b + w * w));
            s * s / s2
        };
        let probs = [0.0, 0.05, 0.25, 0.5, 0.75, 0.95, 1.0];
        let arm = |g: bool| -> Vec<f64> {
            let v: Vec<f64> = ps
                .iter()
                .zip(&t)
                .filter(|(_, tt)| **tt == g)
                .map(|(e, _)| *e)
                .collect();
            super::propensity::quantile_type7(&v, &probs)
        };
        let summary = PropensitySummary {
            covariates: std::iter::once("(Intercept)".to_string())
                .chain(names)
                .collect(),
            coef: fit.coef.clone(),
            se: fit.se.clone(),
            c_statistic: c_statistic(&ps, &t),
            n_trimmed: rows.len() - kept.len(),
            ps_quantiles_exposed: arm(true),
            ps_quantiles_unexposed: arm(false),
            weight_max: weights.iter().cloned().fold(0.0, f64::max),
            ess_exposed: ess(true),
            ess_unexposed: ess(false),
            n_pairs: m.pairs.len(),
            n_treated_unmatched: m.n_treated_unmatched,
            caliper_logit: m.caliper,
        };
        Ok(Ps {
            summary,
            pairs: m.pairs.iter().map(|&(a, b)| (kept[a], kept[b])).collect(),
            kept,
            ps,
            weights,
        })
    }

    /// Analyses the population `rows` (positions in `sample`). Returns the result and the IPTW
    /// weights by population position (NaN where trimmed or no model), for interaction tests.
    fn population(
        &self,
        name: &str,
        sample: &StudySample,
        cp: Option<&CountingProcess>,
        rows: &[usize],
    ) -> (PopulationResult, Vec<f64>) {
        let plan = self.plan;
        let exposed: Vec<bool> = rows.iter().map(|&i| sample.exposed[i]).collect();
        let n_exposed = exposed.iter().filter(|e| **e).count();
        let arm_rows = |arm: bool| -> Vec<usize> {
            rows.iter()
                .filter(|&&i| sample.exposed[i] == arm)
                .map(|&i| sample.patients[i])
                .collect()
        };
        let mut r = PopulationResult {
            population: name.to_string(),
            n: rows.len(),
            n_exposed,
            n_unexposed: rows.len() - n_exposed,
            fingerprint: [
                population_fingerprint(arm_rows(true)),
                population_fingerprint(arm_rows(false)),
            ],
            binary: None,
            km: Vec::new(),
            km_weighted: Vec::new(),
            logrank: None,
            competing: Vec::new(),
            hazard_ratios: Vec::new(),
            propensity: None,
            balance: Vec::new(),
            notes: Vec::new(),
        };
        let mut weights_out = vec![f64::NAN; rows.len()];
        if n_exposed == 0 || n_exposed == rows.len() {
            r.notes
                .push("only one exposure group: no comparison".into());
            return (r, weights_out);
        }
        // Binary outcome.
        let (mut e1, mut n1, mut e0, mut n0, mut unk) = (0, 0, 0, 0, 0);
        for &i in rows {
            match (sample.exposed[i], sample.dead[i]) {
                (_, None) => unk += 1,
                (true, Some(d)) => {
                    n1 += 1;
                    e1 += d as usize
                }
                (false, Some(d)) => {
                    n0 += 1;
                    e0 += d as usize
                }
            }
        }
        let t = TwoByTwo {
            a: e1 as f64,
            b: (n1 - e1) as f64,
            c: e0 as f64,
            d: (n0 - e0) as f64,
        };
        let overall_risk = (e1 + e0) as f64 / (n1 + n0).max(1) as f64;
        let rare = overall_risk < 0.15;
        // A 2x2 table by "ever exposed" would reintroduce immortal time in the time-varying
        // design: its binary comparison is the landmark one.
        let binary = if self.design == Design::TimeVarying {
            None
        } else {
            Some(table_measures(&t, plan.conf_level))
        };
        match binary {
            None => {}
            Some(binary) => match binary {
                Ok(m) => {
                    let rr = m.risk_ratio;
                    r.binary = Some(BinaryResult {
                        outcome: OutcomeKind::Binary,
                        deaths_exposed: e1,
                        known_exposed: n1,
                        deaths_unexposed: e0,
                        known_unexposed: n0,
                        n_unknown: unk,
                        e_value_rr: e_value(
                            rr.estimate,
                            rr.lower,
                            rr.upper,
                            EffectMeasure::RiskRatio,
                        ),
                        measures: m,
                    })
                }
                Err(e) => r.notes.push(format!("binary outcome: {e}")),
            },
        }
        let time: Vec<f64> = rows.iter().map(|&i| sample.time[i]).collect();
        let event: Vec<bool> = rows.iter().map(|&i| sample.event[i] == 1.0).collect();
        let group: Vec<u32> = exposed.iter().map(|&e| if e { 0 } else { 1 }).collect();
        let km_opts = KmOptions {
            conf_level: plan.conf_level,
            ..Default::default()
        };
        // Curves by baseline exposure are meaningless for a time-varying exposure.
        if self.design != Design::TimeVarying {
            match kaplan_meier_by_group(&time, &event, None, &group, 2, &km_opts) {
                Ok(f) => r.km = curves(&f),
                Err(e) => r.notes.push(format!("Kaplan-Meier: {e}")),
            }
            match survdiff(&time, &event, &group, None, 0.0) {
                Ok(l) => {
                    r.logrank = Some(LogRankResult {
                        chisq: l.chisq,
                        df: l.df,
                        p: l.p,
                        observed: l.observed,
                        expected: l.expected,
                    })
                }
                Err(e) => r.notes.push(format!("log-rank: {e}")),
            }
            // Competing risks, by exposure.
            for (g, label) in [(true, "exposed"), (false, "unexposed")] {
                let idx: Vec<usize> = rows
                    .iter()
                    .copied()
                    .filter(|&i| sample.exposed[i] == g)
                    .collect();
                let ct: Vec<f64> = idx.iter().map(|&i| sample.cr_time[i]).collect();
                let cs: Vec<u32> = idx.iter().map(|&i| sample.cr_status[i] as u32).collect();
                match aalen_johansen(&ct, &cs, 2, None, &km_opts) {
                    Ok(f) => r.competing.push(CumulativeIncidence {
                        group: label.into(),
                        outcome: OutcomeKind::Competing,
                        death_at_horizon: f.cif[0].last().copied().unwrap_or(0.0),
                        time: f.time,
                        cif_death: f.cif[0].clone(),
                        lower: f.lower[0].clone(),
                        upper: f.upper[0].clone(),
                        cif_discharge: f.cif[1].clone(),
                    }),
                    Err(e) => r.notes.push(format!("competing risks ({label}): {e}")),
                }
            }
        }
        // Hazard ratios.
        let covs = &self.x_names;
        let cov_cols: Vec<Vec<f64>> = self
            .x
            .iter()
            .map(|v| rows.iter().map(|&i| v[i]).collect())
            .collect();
        let x_exp: Vec<f64> = exposed.iter().map(|&e| e as u8 as f64).collect();
        if let (Design::TimeVarying, Some(cp)) = (self.design, cp) {
            // Counting-process rows of this population.
            let mut pos = vec![usize::MAX; sample.len()];
            for (k, &i) in rows.iter().enumerate() {
                pos[i] = k;
            }
            let sel: Vec<usize> = (0..cp.len())
                .filter(|&j| pos[cp.subject[j]] != usize::MAX)
                .collect();
            let start: Vec<f64> = sel.iter().map(|&j| cp.start[j]).collect();
            let stop: Vec<f64> = sel.iter().map(|&j| cp.stop[j]).collect();
            let ev: Vec<bool> = sel.iter().map(|&j| cp.event[j] == 1.0).collect();
            let xe: Vec<f64> = sel.iter().map(|&j| cp.exposed[j]).collect();
            let usable = usable_columns(&cov_cols, &event);
            self.note_dropped(&mut r.notes, &usable);
            let mut x_adj = vec![xe.clone()];
            for &u in &usable {
                x_adj.push(
                    sel.iter()
                        .map(|&j| cov_cols[u][pos[cp.subject[j]]])
                        .collect(),
                );
            }
            for (method, x) in [
                (HrMethod::Unadjusted, vec![xe.clone()]),
                (HrMethod::CovariateAdjusted, x_adj),
            ] {
                let data = CoxData {
                    start: Some(&start),
                    stop: &stop,
                    event: &ev,
                    x: &x,
                    strata: None,
                    weights: None,
                    cluster: None,
                };
                match coxph(&data, &self.cox_options(false)) {
                    Ok(f) => {
                        let mut est = self.hr(method, &f, rare);
                        est.label = format!("{} (time-varying exposure, (start, stop])", est.label);
                        r.hazard_ratios.push(est)
                    }
                    Err(e) => r.notes.push(format!("{method:?} Cox: {e}")),
                }
            }
            return (r, weights_out);
        }
        let fit = |x: Vec<Vec<f64>>,
                   idx: Option<&[usize]>,
                   w: Option<&[f64]>,
                   strata: Option<&[u32]>,
                   cluster: Option<&[u32]>,
                   robust: bool| {
            let (tt, ee, xx): (Vec<f64>, Vec<bool>, Vec<Vec<f64>>) = match idx {
                None => (time.clone(), event.clone(), x),
                Some(ix) => (
                    ix.iter().map(|&k| time[k]).collect(),
                    ix.iter().map(|&k| event[k]).collect(),
                    x.iter()
                        .map(|c| ix.iter().map(|&k| c[k]).collect())
                        .collect(),
                ),
            };
            coxph(
                &CoxData {
                    start: None,
                    stop: &tt,
                    event: &ee,
                    x: &xx,
                    strata,
                    weights: w,
                    cluster,
                },
                &self.cox_options(robust),
            )
        };
        self.push_hr(
            &mut r,
            HrMethod::Unadjusted,
            fit(vec![x_exp.clone()], None, None, None, None, false),
            rare,
        );
        let usable = usable_columns(&cov_cols, &event);
        let mut x_adj = vec![x_exp.clone()];
        x_adj.extend(usable.iter().map(|&j| cov_cols[j].clone()));
        self.note_dropped(&mut r.notes, &usable);
        self.push_hr(
            &mut r,
            HrMethod::CovariateAdjusted,
            fit(x_adj, None, None, None, None, false),
            rare,
        );
        let ps = match self.propensity(&cov_cols, &exposed) {
            Ok(p) => p,
            Err(e) => {
                r.notes.push(format!("propensity score: {e}"));
                return (r, weights_out);
            }
        };
        for (k, &i) in ps.kept.iter().enumerate() {
            weights_out[i] = ps.weights[k];
        }
        // IPTW.
        self.push_hr(
            &mut r,
            HrMethod::Iptw,
            fit(
                vec![x_exp.clone()],
                Some(&ps.kept),
                Some(&ps.weights),
                None,
                None,
                true,
            ),
            rare,
        );
        // IPTW and covariate adjustment together (doubly robust; a conditional hazard ratio).
        let mut x_dr = vec![x_exp.clone()];
        x_dr.extend(usable.iter().map(|&j| cov_cols[j].clone()));
        self.push_hr(
            &mut r,
            HrMethod::IptwAdjusted,
            fit(x_dr, Some(&ps.kept), Some(&ps.weights), None, None, true),
            rare,
        );
        if self.full_methods {
            let kept_t: Vec<f64> = ps.kept.iter().map(|&k| time[k]).collect();
            let kept_e: Vec<bool> = ps.kept.iter().map(|&k| event[k]).collect();
            let kept_g: Vec<u32> = ps.kept.iter().map(|&k| group[k]).collect();
            match kaplan_meier_by_group(&kept_t, &kept_e, Some(&ps.weights), &kept_g, 2, &km_opts) {
                Ok(f) => r.km_weighted = curves(&f),
                Err(e) => r.notes.push(format!("weighted Kaplan-Meier: {e}")),
            }
            // Matched pairs.
            let mut midx = Vec::with_capacity(ps.pairs.len() * 2);
            let mut pair = Vec::with_capacity(ps.pairs.len() * 2);
            for (p, &(a, b)) in ps.pairs.iter().enumerate() {
                midx.push(a);
                midx.push(b);
                pair.push(p as u32);
                pair.push(p as u32);
            }
            if !ps.pairs.is_empty() {
                self.push_hr(
                    &mut r,
                    HrMethod::PsMatched,
                    fit(
                        vec![x_exp.clone()],
                        Some(&midx),
                        None,
                        None,
                        Some(&pair),
                        true,
                    ),
                    rare,
                );
            }
            // PS strata.
            let strata = quantile_strata(&ps.ps, plan.propensity.strata);
            self.push_hr(
                &mut r,
                HrMethod::PsStratified,
                fit(
                    vec![x_exp.clone()],
                    Some(&ps.kept),
                    None,
                    Some(&strata),
                    None,
                    false,
                ),
                rare,
            );
            // Balance.
            let treat_k: Vec<bool> = ps.kept.iter().map(|&k| exposed[k]).collect();
            let mut wm = vec![0.0; rows.len()];
            for &k in &midx {
                wm[k] = 1.0;
            }
            for (j, c) in covs.iter().enumerate() {
                let v = &cov_cols[j];
                let vk: Vec<f64> = ps.kept.iter().map(|&k| v[k]).collect();
                let binary = v.iter().all(|x| x.is_nan() || *x == 0.0 || *x == 1.0);
                let smd = |x: &[f64], t: &[bool], w: Option<&[f64]>| {
                    if binary {
                        smd_binary(x, t, w)
                    } else {
                        smd_continuous(x, t, w)
                    }
                };
                r.balance.push(BalanceRow {
                    variable: c.clone(),
                    smd_before: smd(v, &exposed, None),
                    smd_iptw: smd(&vk, &treat_k, Some(&ps.weights)),
                    smd_matched: smd(v, &exposed, Some(&wm)),
                });
            }
        }
        r.propensity = Some(ps.summary);
        (r, weights_out)
    }

    fn subgroup(
        &self,
        spec: &SubgroupSpec,
        sample: &StudySample,
        cp: Option<&CountingProcess>,
        frame: &PatientFrame,
    ) -> Result<SubgroupResult, CohortError> {
        let part: Partition = spec.partition(frame)?;
        let mut levels = Vec::new();
        let mut notes = Vec::new();
        let mut weights = vec![f64::NAN; sample.len()];
        for (k, name) in part.levels.iter().enumerate() {
            let rows = part.members(k as u32);
            let (res, w) = self.population(name, sample, cp, &rows);
            for (j, &i) in rows.iter().enumerate() {
                weights[i] = w[j];
            }
            levels.push(res);
        }
        let interaction = match self.interaction(&part, sample, cp, &weights) {
            Ok(t) => Some(t),
            Err(e) => {
                notes.push(format!("interaction test: {e}"));
                None
            }
        };
        let leftover = |arm: bool| -> Vec<usize> {
            (part.level.iter().enumerate())
                .filter(|&(i, l)| l.is_none() && sample.exposed[i] == arm)
                .map(|(i, _)| sample.patients[i])
                .collect()
        };
        Ok(SubgroupResult {
            name: part.name.clone(),
            n_missing: part.n_missing(),
            remainder_fingerprint: [
                population_fingerprint(leftover(true)),
                population_fingerprint(leftover(false)),
            ],
            levels,
            interaction,
            notes,
        })
    }

    /// Test of interaction: a Cox model stratified by subgroup level with one exposure
    /// coefficient per level (parameterised as the reference level's coefficient plus
    /// differences), Wald test that the differences are 0 (`k - 1` df). Landmark and naive
    /// designs: weighted by the level-specific IPTW weights with robust variance (R:
    /// `coxph(Surv(t, d) ~ x + x:level + strata(level), weights = w, robust = TRUE)`);
    /// time-varying design: adjusted for the propensity covariates, model-based variance.
    fn interaction(
        &self,
        part: &Partition,
        sample: &StudySample,
        cp: Option<&CountingProcess>,
        weights: &[f64],
    ) -> Result<InteractionTest, CohortError> {
        let k = part.levels.len();
        if k < 2 {
            return Err(CohortError::InvalidInput("fewer than two levels".into()));
        }
        let (fit, method) = if let (Design::TimeVarying, Some(cp)) = (self.design, cp) {
            let sel: Vec<usize> = (0..cp.len())
                .filter(|&j| part.level[cp.subject[j]].is_some())
                .collect();
            let lv: Vec<u32> = sel
                .iter()
                .map(|&j| part.level[cp.subject[j]].unwrap())
                .collect();
            let xe: Vec<f64> = sel.iter().map(|&j| cp.exposed[j]).collect();
            let mut x = vec![xe.clone()];
            for l in 1..k as u32 {
                x.push(
                    xe.iter()
                        .zip(&lv)
                        .map(|(e, g)| if *g == l { *e } else { 0.0 })
                        .collect(),
                );
            }
            let ev_subj: Vec<bool> = sample.event.iter().map(|e| *e == 1.0).collect();
            for u in usable_columns(&self.x, &ev_subj) {
                let v = &self.x[u];
                x.push(sel.iter().map(|&j| v[cp.subject[j]]).collect());
            }
            let start: Vec<f64> = sel.iter().map(|&j| cp.start[j]).collect();
            let stop: Vec<f64> = sel.iter().map(|&j| cp.stop[j]).collect();
            let ev: Vec<bool> = sel.iter().map(|&j| cp.event[j] == 1.0).collect();
            let f = coxph(
                &CoxData {
                    start: Some(&start),
                    stop: &stop,
                    event: &ev,
                    x: &x,
                    strata: Some(&lv),
                    weights: None,
                    cluster: None,
                },
                &self.cox_options(false),
            )
            .map_err(stats_err("interaction Cox"))?;
            (
                f,
                "Wald test of exposure x subgroup terms in a Cox model stratified by subgroup level, \
                 time-varying exposure, adjusted for the propensity covariates"
                    .to_string(),
            )
        } else {
            let sel: Vec<usize> = (0..sample.len())
                .filter(|&i| part.level[i].is_some() && weights[i].is_finite())
                .collect();
            let lv: Vec<u32> = sel.iter().map(|&i| part.level[i].unwrap()).collect();
            let xe: Vec<f64> = sel
                .iter()
                .map(|&i| sample.exposed[i] as u8 as f64)
                .collect();
            let mut x = vec![xe.clone()];
            for l in 1..k as u32 {
                x.push(
                    xe.iter()
                        .zip(&lv)
                        .map(|(e, g)| if *g == l { *e } else { 0.0 })
                        .collect(),
                );
            }
            let t: Vec<f64> = sel.iter().map(|&i| sample.time[i]).collect();
            let ev: Vec<bool> = sel.iter().map(|&i| sample.event[i] == 1.0).collect();
            let w: Vec<f64> = sel.iter().map(|&i| weights[i]).collect();
            let f = coxph(
                &CoxData {
                    start: None,
                    stop: &t,
                    event: &ev,
                    x: &x,
                    strata: Some(&lv),
                    weights: Some(&w),
                    cluster: None,
                },
                &self.cox_options(true),
            )
            .map_err(stats_err("interaction Cox"))?;
            (
                f,
                "Wald test (robust variance) of exposure x subgroup terms in an IPTW-weighted Cox \
                 model stratified by subgroup level (weights from the level-specific propensity \
                 models)"
                    .to_string(),
            )
        };
        let p = fit.coef.len();
        let idx: Vec<usize> = (1..k).collect();
        let b: Vec<f64> = idx.iter().map(|&j| fit.coef[j]).collect();
        if b.iter().any(|x| !x.is_finite()) {
            return Err(CohortError::InvalidInput(
                "an interaction coefficient is not estimable (a level without exposed or \
                 unexposed deaths)"
                    .into(),
            ));
        }
        let mut v = Vec::with_capacity(idx.len() * idx.len());
        for &a in &idx {
            for &c in &idx {
                v.push(fit.var[a * p + c]);
            }
        }
        let stat = quadratic_form_inverse(&v, &b, 1e-12);
        let df = k - 1;
        Ok(InteractionTest {
            method,
            statistic: stat,
            df,
            p: crate::stats::dist::pchisq_upper(stat, df as f64),
        })
    }
}

/// Covariate columns fit for an adjusted Cox model in this population: not constant, and for a
/// 0/1 indicator, events among both its 1s and its 0s (else the coefficient diverges).
fn usable_columns(x: &[Vec<f64>], event: &[bool]) -> Vec<usize> {
    (0..x.len())
        .filter(|&j| {
            let c = &x[j];
            if c.iter().all(|v| *v == c[0]) {
                return false;
            }
            if c.iter().all(|v| *v == 0.0 || *v == 1.0) {
                let ev1 = c
                    .iter()
                    .zip(event)
                    .filter(|(v, e)| **v == 1.0 && **e)
                    .count();
                let ev0 = c
                    .iter()
                    .zip(event)
                    .filter(|(v, e)| **v == 0.0 && **e)
                    .count();
                return ev1 > 0 && ev0 > 0;
            }
            true
        })
        .collect()
}

fn curves(f: &[KmFit]) -> Vec<Curve> {
    f.iter()
        .zip(["exposed", "unexposed"])
        .map(|(k, g)| Curve {
            group: g.into(),
            time: k.time.clone(),
            n_risk: k.n_risk.clone(),
            n_event: k.n_event.clone(),
            surv: k.surv.clone(),
            lower: k.lower.clone(),
            upper: k.upper.clone(),
        })
        .collect()
}

/// Concordance (AUC) of scores `s` for the flags `t`: the Mann-Whitney statistic with ties
/// counted one half.
pub fn c_statistic(s: &[f64], t: &[bool]) -> f64 {
    let mut idx: Vec<usize> = (0..s.len()).collect();
    idx.sort_by(|&a, &b| s[a].total_cmp(&s[b]));
    let n1 = t.iter().filter(|x| **x).count() as f64;
    let n0 = s.len() as f64 - n1;
    // Sum of mid-ranks of the positives.
    let mut rank_sum = 0.0;
    let mut i = 0;
    while i < idx.len() {
        let mut j = i;
        while j + 1 < idx.len() && s[idx[j + 1]] == s[idx[i]] {
            j += 1;
        }
        let mid = (i + j) as f64 / 2.0 + 1.0;
        for &k in &idx[i..=j] {
            if t[k] {
                rank_sum += mid;
            }
        }
        i = j + 1;
    }
    (rank_sum - n1 * (n1 + 1.0) / 2.0) / (n1 * n0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn c_statistic_by_hand() {
        // Pairs (pos, neg): 0.9>0.1, 0.9>0.5, 0.5=0.5 (1/2), 0.5>0.1 -> 3.5 / 4.
        let s = [0.9, 0.5, 0.5, 0.1];
        let t = [true, true, false, false];
        assert!((c_statistic(&s, &t) - 0.875).abs() < 1e-15);
    }
}
