//! Running an analysis plan: from a loaded cohort to a typed [`AnalysisResult`] holding every
//! number the report needs (cohort flow, Table 1, propensity diagnostics and balance, effect
//! estimates per design, method and subgroup level, KM / cumulative-incidence curves, tests of
//! interaction, E-values).
//!
//! Order of work: score the day table, derive the patient columns the plan names, classify the
//! exposure, then for each design build its analysed sample ([`super::sample`]: landmark
//! exclusions and the complete-case restriction counted in the flow) and analyse the whole
//! sample and every subgroup level ([`super::estimate`]). Each population gets: 28-day
//! mortality by exposure with RR/RD/OR (binary outcome), KM curves and the log-rank test,
//! Aalen-Johansen cumulative incidence of death with discharge alive competing, and hazard
//! ratios (time to death) unadjusted, covariate-adjusted, IPTW (robust variance),
//! overlap and matching weights, propensity-matched (robust variance clustered on pairs),
//! weighted by propensity strata (MMWS) and stratified by propensity quintiles (the J-Septic
//! replication), each with its E-value and its crude/adjusted label; the risks at the horizon
//! per arm with their difference and NNT (crude, g-formula, IPTW Kaplan-Meier, bootstrap
//! intervals); proportional-hazards tests; Holm-adjusted p values of the tests of interaction;
//! the estimand of each design. Robust variances are clustered by the plan's cluster column
//! (`site_id` by default) when it has two values or more. The result types live in
//! [`super::result`] and are re-exported here.

use std::time::Instant;

use crate::schema::{Cohort, CohortFlow, DayTable, PatientTable};
use crate::score::engine::{score_days, ScoreTable};
use crate::score::labels::{patient_labels, LabelConfig, PatientLabels};

use super::degenerate::{check_arms, check_exposure, covariate_missing};
use super::derive::add_derived_columns;
use super::estimand::Estimand;
use super::estimate::population::{analyse_population, analyse_subgroup, DesignData};
use super::estimate::{Clusters, EstimateOptions};
use super::frame::{Column, PatientFrame};
use super::landmark::Design;
use super::outcome::OutcomeKind;
use super::plan::{LateStarters, Plan};
use super::sample::{complete_cases, design_sample, AnalysedSample};
use super::table1::table1_with_rows;
use super::valid_plan::ValidPlan;
use super::CohortError;

pub use super::estimate::propensity_fit::c_statistic;
pub use super::fingerprint::population_fingerprint;
pub use super::result::{
    Adjustment, AnalysisResult, BalanceRow, BinaryResult, ClusterSummary, CumulativeIncidence,
    Curve, DesignResult, ExposureSummary, HrEstimate, HrMethod, InteractionTest, LogRankResult,
    OutcomeLabel, PopulationResult, PropensitySummary, RiskEstimate, RiskMethod, SubgroupResult,
};
pub use super::sample::covariate_matrix;

/// Per-stage progress messages (for `--verbose` timings).
pub type Progress<'a> = &'a mut dyn FnMut(&str);

/// Builds the patient frame with every column the plan names: scores the day table once (only
/// when a derived column needs it), then derives. The day table is not kept.
///
/// # Errors
/// [`CohortError::UnknownColumn`] for a name that is neither a patient column nor a derived
/// one; [`CohortError::InvalidInput`] when scoring or labelling fails.
pub fn patient_frame(plan: &ValidPlan, cohort: &Cohort) -> Result<PatientFrame, CohortError> {
    patient_frame_in_chunks(plan, cohort, DAY_CHUNK_ROWS)
}

/// [`patient_frame`] with compact patient-days (`Cohort::compact_days`) decoded and scored
/// about `chunk_rows` rows at a time (each chunk holds whole patients); `f64` days are scored
/// whole. The frame does not depend on the chunk size.
///
/// # Errors
/// As [`patient_frame`].
pub fn patient_frame_in_chunks(
    plan: &ValidPlan,
    cohort: &Cohort,
    chunk_rows: usize,
) -> Result<PatientFrame, CohortError> {
    let mut frame = PatientFrame::from_patients(&cohort.patients);
    let missing: Vec<String> = plan
        .required_columns()
        .into_iter()
        .filter(|n| frame.get(n).is_none())
        .collect();
    if missing.is_empty() {
        return Ok(frame);
    }
    let cfg = LabelConfig {
        dic_score: plan.dic.score,
        group_window_days: plan.dic.days.last(),
        coagulopathy: plan.dic.coagulopathy,
    };
    let Some(compact) = &cohort.compact_days else {
        let (scores, labels) = score_and_label(&cohort.days, &cohort.patients, plan, &cfg)?;
        add_derived_columns(
            &mut frame,
            &cohort.days,
            Some(&scores),
            Some(&labels),
            &missing,
        )?;
        return Ok(frame);
    };
    // Compact days: scored and derived one patient-aligned chunk at a time (the same rows reach
    // the same code, so the columns are those of the whole table), then joined.
    let mut parts: Vec<Vec<Column>> = vec![Vec::new(); missing.len()];
    for (lo, hi, p_lo, p_hi) in compact.patient_chunks(chunk_rows, cohort.patients.len()) {
        let chunk = compact.chunk(lo, hi, p_lo);
        let (a, b) = (p_lo as usize, p_hi as usize);
        let flags = PatientTable {
            haematological_malignancy: cohort.patients.haematological_malignancy[a..b].to_vec(),
            liver_failure: cohort.patients.liver_failure[a..b].to_vec(),
            ..PatientTable::default()
        };
        let (scores, labels) = score_and_label(&chunk, &flags, plan, &cfg)?;
        let mut part = PatientFrame::new(b - a);
        add_derived_columns(&mut part, &chunk, Some(&scores), Some(&labels), &missing)?;
        for (name, acc) in missing.iter().zip(&mut parts) {
            acc.push(part.column(name)?.clone());
        }
    }
    for (name, cols) in missing.iter().zip(parts) {
        frame.insert(name, Column::concat(cols))?;
    }
    Ok(frame)
}

/// Rows of compact patient-days decoded and scored at a time (about 60 MB of `f64` columns).
const DAY_CHUNK_ROWS: usize = 1 << 18;

fn score_and_label(
    days: &DayTable,
    patients: &PatientTable,
    plan: &ValidPlan,
    cfg: &LabelConfig,
) -> Result<(ScoreTable, PatientLabels), CohortError> {
    let scores = score_days(days, patients, &plan.scores)
        .map_err(|e| CohortError::InvalidInput(format!("scoring: {e}")))?;
    let labels = patient_labels(days, &scores, cfg)
        .map_err(|e| CohortError::InvalidInput(format!("patient labels: {e}")))?;
    Ok((scores, labels))
}

/// [`patient_frame`] for a caller holding an unchecked plan: checks it first.
///
/// # Errors
/// As [`Plan::check`] and [`patient_frame`].
pub fn build_frame(plan: &Plan, cohort: &Cohort) -> Result<PatientFrame, CohortError> {
    patient_frame(&plan.check()?, cohort)
}

/// Runs `plan` on `cohort` (already loaded; its flow is extended).
///
/// # Errors
/// A column the plan names that the cohort cannot provide, scoring failures, invalid treatment
/// rows, exposure drugs no treatment row names, or a design whose analysed sample has an arm
/// smaller than `design.min_per_arm` ([`super::degenerate`]). Estimates that cannot be made
/// are notes in the result, not errors.
pub fn run_plan(
    plan: &ValidPlan,
    cohort: Cohort,
    progress: Progress,
) -> Result<AnalysisResult, CohortError> {
    if plan.imputation().is_some() {
        return Err(CohortError::PlanValue {
            key: "imputation".into(),
            message: "this plan has [imputation]: run cohort::impute::run_plan_imputed (which \
                      pools the primary IPTW hazard ratio; the full report is not yet wired, \
                      issue 18), or remove [imputation] for the complete-case analysis"
                .into(),
        });
    }
    let t0 = Instant::now();
    let mut say = |s: &str| progress(&format!("[{:>8.2} s] {s}", t0.elapsed().as_secs_f64()));
    say("scoring and deriving patient columns");
    let frame = patient_frame(plan, &cohort)?;
    // The harm outcome of the primary design, read before the patient-days are dropped.
    let primary_origin = match plan.designs()[0] {
        Design::Landmark => f64::from(plan.exposure.window().last()),
        _ => 0.0,
    };
    let (bleeding, bleeding_recorded) =
        super::bleeding::major_bleeding_of(&cohort, primary_origin, plan.horizon);
    let bleeding = bleeding_recorded.then_some(bleeding);
    let Cohort {
        patients,
        days,
        compact_days,
        treatments,
        mut flow,
        ..
    } = cohort;
    drop((days, compact_days));
    say("classifying exposure");
    let exposure = plan.exposure.classify(&treatments, patients.len())?;
    // A misspelt drug would otherwise give a run in which nobody is exposed.
    check_exposure(plan, &treatments, &exposure, patients.len())?;
    drop(treatments);
    let window = plan.exposure.window();
    let mut exposure_summary = ExposureSummary {
        name: plan.exposure.name().to_string(),
        drugs: plan.exposure.drugs().to_vec(),
        window: window.as_array(),
        n_patients: patients.len(),
        n_started_in_window: exposure.n_in_window(),
        n_started_after_window: exposure.n_started_after_window(window.last()),
        n_never: exposure.ever.iter().filter(|e| !**e).count(),
        n_rows_missing_start: exposure.n_rows_missing_start,
        n_censored_at_late_start: 0,
    };
    let mut designs = Vec::new();
    let mut table1_primary = None;
    let mut descriptive = Default::default();
    for (k, &design) in plan.designs().iter().enumerate() {
        let primary = k == 0;
        say(&format!("design {design:?}: building the sample"));
        let mut local_flow = CohortFlow::default();
        let ds = design_sample(plan, design, &patients, &exposure, &mut local_flow);
        if let Some(n) = ds.n_censored_late {
            exposure_summary.n_censored_at_late_start = n;
        }
        let sub_frame = frame.subset(&ds.sample.patients);
        if primary {
            say("Table 1");
            table1_primary = Some(table1_with_rows(
                &sub_frame,
                &ds.sample.exposed,
                &plan.table1_variables,
                &ds.sample.patients,
            )?);
            let spec = super::descriptive::DescriptiveSpec {
                score: plan.dic.score.as_str(),
                exposure: plan.exposure.name(),
            };
            descriptive = super::descriptive::descriptive(spec, &frame, &exposure, &ds.sample)?;
        }
        let missing = covariate_missing(&sub_frame, &plan.propensity.covariates)?;
        let before = ds.sample.clone();
        let analysed = complete_cases(ds, sub_frame, &plan.propensity.covariates, &mut local_flow)?;
        check_arms(plan, &before, &missing, &analysed.sample, &local_flow)?;
        flow.steps.extend(local_flow.steps);
        let harm_input = bleeding.as_deref().filter(|_| primary);
        designs.push(analyse_design(
            plan, &analysed, primary, harm_input, &mut say,
        )?);
    }
    say("done");
    Ok(AnalysisResult {
        title: plan.title.clone(),
        plan: plan.as_run().clone(),
        estimand: designs[0].estimand.clone(),
        outcomes: [
            OutcomeKind::Binary,
            OutcomeKind::TimeToDeath,
            OutcomeKind::Competing,
        ]
        .into_iter()
        .map(|kind| OutcomeLabel {
            kind,
            label: kind.label(plan.horizon, plan.discharge),
        })
        .collect(),
        flow,
        exposure: exposure_summary,
        table1: table1_primary.expect("primary design runs first"),
        designs,
        descriptive,
    })
}

/// The clusters of the plan's cluster column in the analysed sample, if it names one and the
/// column has at least two values there (patients without a value are their own clusters).
///
/// # Errors
/// [`CohortError::UnknownColumn`] for a column the frame lacks.
fn clusters(plan: &ValidPlan, frame: &PatientFrame) -> Result<Option<Clusters>, CohortError> {
    let Some(name) = plan.cluster() else {
        return Ok(None);
    };
    let keys: Vec<Option<String>> = match frame.column(name)? {
        Column::Cat(v) => v.clone(),
        Column::Num(v) => v
            .iter()
            .map(|x| x.is_finite().then(|| format!("{x}")))
            .collect(),
    };
    let mut levels: Vec<&String> = keys.iter().flatten().collect();
    levels.sort();
    levels.dedup();
    if levels.len() < 2 {
        return Ok(None);
    }
    let mut next = levels.len() as u32;
    let id = keys
        .iter()
        .map(|k| match k {
            Some(k) => levels.binary_search(&k).expect("a level") as u32,
            None => {
                next += 1;
                next - 1
            }
        })
        .collect();
    Ok(Some(Clusters {
        column: name.to_string(),
        id,
    }))
}

/// The whole analysed sample and every subgroup of one design.
fn analyse_design(
    plan: &ValidPlan,
    a: &AnalysedSample,
    primary: bool,
    bleeding: Option<&[(f64, u32)]>,
    say: &mut dyn FnMut(&str),
) -> Result<DesignResult, CohortError> {
    let design = a.design;
    let clusters = clusters(plan, &a.frame)?;
    let d = DesignData {
        design,
        sample: &a.sample,
        counting: a.counting.as_ref(),
        x_names: &a.x_names,
        x: &a.x,
        options: EstimateOptions::from_plan(plan),
        full_methods: primary,
        clusters: clusters.as_ref(),
    };
    say(&format!(
        "design {design:?}: whole sample ({} patients)",
        a.sample.len()
    ));
    let all: Vec<usize> = (0..a.sample.len()).collect();
    let (overall, weights) = analyse_population(&d, "all", &all);
    let mut benefit = Benefit::default();
    if primary && design != Design::TimeVarying {
        say(&format!("design {design:?}: who benefits, and bleeding"));
        benefit = who_benefits(plan, &d, a, &all, &weights, bleeding)?;
    }
    let mut subgroups = Vec::new();
    for spec in &plan.subgroups {
        say(&format!("design {design:?}: subgroup {}", spec.name()));
        subgroups.push(analyse_subgroup(&d, spec, &a.frame)?);
    }
    holm_adjust(&mut subgroups);
    Ok(DesignResult {
        design,
        label: design_label(plan, design),
        biased: design.is_biased(),
        primary,
        estimand: Estimand::of(plan, design),
        cluster: clusters.as_ref().map(|c| ClusterSummary {
            column: c.column.clone(),
            n_clusters: c.count(),
        }),
        overall,
        subgroups,
        modifiers: benefit.modifiers,
        harm: benefit.harm,
        benefit_notes: benefit.notes,
    })
}

/// The primary design's modifier curves and harm outcome.
#[derive(Default)]
struct Benefit {
    modifiers: Vec<super::benefit_result::ModifierResult>,
    harm: Option<super::benefit_result::HarmResult>,
    notes: Vec<String>,
}

/// The hazard ratio along each of the plan's modifiers and major bleeding, in the whole analysed
/// sample (`all`), weighted by its IPTW `weights`; `bleeding` by patient-table row.
///
/// # Errors
/// [`CohortError::UnknownColumn`] for a modifier column the frame lacks; a modifier column that
/// is not numeric is [`CohortError::PlanValue`].
fn who_benefits(
    plan: &ValidPlan,
    d: &DesignData,
    a: &AnalysedSample,
    all: &[usize],
    weights: &[f64],
    bleeding: Option<&[(f64, u32)]>,
) -> Result<Benefit, CohortError> {
    let p = d.population(all);
    let mut b = Benefit::default();
    for (k, m) in plan.modifiers.iter().enumerate() {
        let values = match a.frame.column(&m.column)? {
            Column::Num(v) => v.clone(),
            Column::Cat(_) => {
                return Err(CohortError::PlanValue {
                    key: format!("modifiers[{k}].column"),
                    message: format!("`{}` is categorical: a modifier must be numeric", m.column),
                })
            }
        };
        match super::estimate::modifier::modifier_curve(&p, m, &values, weights) {
            Ok(r) => b.modifiers.push(r),
            Err(e) => b.notes.push(format!("modifier {}: {e}", m.column)),
        }
    }
    if let Some(bl) = bleeding {
        let by_row: Vec<(f64, u32)> = a.sample.patients.iter().map(|&i| bl[i]).collect();
        let h = f64::from(plan.horizon) - p.origin;
        b.harm = Some(super::estimate::harm::harm(
            &p,
            &by_row,
            weights,
            h,
            format!(
                "major bleeding by day {} (a bleeding record after time zero, day 1 excluded),                  death before bleeding a competing event",
                plan.horizon
            ),
        ));
    }
    Ok(b)
}

/// Holm-adjusted p values of a design's tests of interaction (over the tests that could be
/// made).
fn holm_adjust(subgroups: &mut [super::result::SubgroupResult]) {
    let p: Vec<f64> = subgroups
        .iter()
        .map(|s| s.interaction.as_ref().map_or(f64::NAN, |i| i.p))
        .collect();
    let m = p.iter().filter(|x| !x.is_nan()).count();
    let adj = crate::stats::multiplicity::holm(&p);
    for (s, a) in subgroups.iter_mut().zip(adj) {
        if let Some(i) = s.interaction.as_mut() {
            i.p_holm = a;
            i.n_tests = m;
        }
    }
}

fn design_label(plan: &ValidPlan, design: Design) -> String {
    let mut label = design.label(plan.exposure.window().as_array());
    if design == Design::Landmark {
        label.push_str(match plan.design.late_starters {
            LateStarters::Censored => {
                "; later starters censored when their exposure begins (per protocol)"
            }
            LateStarters::Unexposed => "; later starters stay unexposed (intention to treat)",
        });
    }
    label
}
