//! Multiple imputation of the day-1 coagulation labs and Rubin pooling of the primary IPTW hazard
//! ratio: the plan's `[imputation]` ([`super::imputation`]) run through `stats::mice`.
//!
//! The imputation model holds the day-1 platelets, PT (ratio, INR, seconds), fibrinogen, age,
//! APACHE II, the exposure (started within the window) and the outcome (death by the horizon),
//! as the outcome and exposure belong in it (Moons et al. 2006); every incomplete lab among them
//! is imputed (PMM), the others predict. Each completed cohort is scored and analysed by
//! `run_plan` as it stands, so DIC status, SOFA and JAAM bands are imputed through the scores,
//! never imputed as labels. The primary design's overall IPTW log hazard ratio and its
//! (robust) SE are pooled by Rubin's rules with `dfcom = events - 1`, as `mice` does for
//! `coxph` (`nevent - p`).
//!
//! Patients without a day-1 row, or missing age or APACHE II, keep their labs as they are (and
//! stay complete-case for those). Cost: `m` imputations plus `m` runs of the plan.

use super::analysis::{run_plan, Progress};
use super::result::{AnalysisResult, HrMethod};
use super::valid_plan::ValidPlan;
use super::CohortError;
use crate::schema::Cohort;
use crate::stats::mice::{mice, MiceColumn, VariableKind};
use crate::stats::rubin::{pool_scalar, RubinPooled};

/// The pooled primary IPTW hazard ratio.
#[derive(Debug, Clone, PartialEq)]
pub struct ImputedHazardRatio {
    /// Rubin's rules on the log hazard ratio.
    pub pooled: RubinPooled,
    pub hr: f64,
    pub lower: f64,
    pub upper: f64,
    /// Per imputation: (log HR, SE).
    pub per_imputation: Vec<(f64, f64)>,
    /// Day-1 values imputed per lab (platelets, pt_ratio, pt_inr, pt_sec_prolongation,
    /// fibrinogen).
    pub n_imputed: [usize; 5],
}

fn err(message: String) -> CohortError {
    CohortError::PlanValue {
        key: "imputation".into(),
        message,
    }
}

/// The `m` completed cohorts of `plan`'s `[imputation]` (see the module documentation), with how
/// many day-1 values of each lab were imputed.
///
/// # Errors
/// [`CohortError::PlanValue`] (`imputation`) when the plan has no `[imputation]` or the
/// imputation fails (the statistics layer's message).
pub fn impute_day1_labs(
    plan: &ValidPlan,
    cohort: &Cohort,
) -> Result<(Vec<Cohort>, [usize; 5]), CohortError> {
    let imp = plan
        .imputation()
        .ok_or_else(|| err("the plan has no [imputation] table".into()))?;
    let (p, d) = (&cohort.patients, &cohort.days);
    let exposure = plan.exposure.classify(&cohort.treatments, p.len())?;
    let rows: Vec<usize> = (0..d.day.len())
        .filter(|&r| d.day[r] == 1)
        .filter(|&r| {
            let i = d.patient[r] as usize;
            p.age[i].is_finite() && p.apache2[i].is_finite()
        })
        .collect();
    let labs: [(&str, &Vec<f64>); 5] = [
        ("platelets", &d.platelets),
        ("pt_ratio", &d.pt_ratio),
        ("pt_inr", &d.pt_inr),
        ("pt_sec_prolongation", &d.pt_sec_prolongation),
        ("fibrinogen", &d.fibrinogen),
    ];
    let patient = |r: usize| d.patient[r] as usize;
    let horizon = f64::from(plan.horizon());
    let mut columns: Vec<MiceColumn> = labs
        .iter()
        .map(|(name, v)| MiceColumn {
            name: (*name).into(),
            values: rows.iter().map(|&r| v[r]).collect(),
            kind: VariableKind::Continuous,
        })
        // A lab nobody has on day 1 cannot be imputed or predict.
        .filter(|c| c.values.iter().filter(|v| !v.is_nan()).count() >= 2)
        .collect();
    let patient_col = |name: &str, values: Vec<f64>, kind| MiceColumn {
        name: name.into(),
        values,
        kind,
    };
    columns.push(patient_col(
        "age",
        rows.iter().map(|&r| p.age[patient(r)]).collect(),
        VariableKind::Continuous,
    ));
    columns.push(patient_col(
        "apache2",
        rows.iter().map(|&r| p.apache2[patient(r)]).collect(),
        VariableKind::Continuous,
    ));
    columns.push(patient_col(
        "exposed",
        rows.iter()
            .map(|&r| f64::from(u8::from(exposure.in_window[patient(r)])))
            .collect(),
        VariableKind::Binary,
    ));
    columns.push(patient_col(
        "death",
        rows.iter()
            .map(|&r| f64::from(u8::from(p.death_day[patient(r)] <= horizon)))
            .collect(),
        VariableKind::Binary,
    ));
    let valid = imp
        .mice_options()
        .validate(&columns)
        .map_err(|e| err(e.to_string()))?;
    let done = mice(&columns, &valid).map_err(|e| err(e.to_string()))?;
    let mut n_imputed = [0usize; 5];
    let mut out = Vec::with_capacity(done.completed.len());
    for data in &done.completed {
        let mut c = cohort.clone();
        for (j, col) in columns.iter().enumerate() {
            let Some(lab) = labs.iter().position(|(n, _)| *n == col.name) else {
                continue;
            };
            let target = match lab {
                0 => &mut c.days.platelets,
                1 => &mut c.days.pt_ratio,
                2 => &mut c.days.pt_inr,
                3 => &mut c.days.pt_sec_prolongation,
                _ => &mut c.days.fibrinogen,
            };
            let mut k = 0;
            for (slot, &r) in rows.iter().enumerate() {
                if col.values[slot].is_nan() {
                    target[r] = data[j][slot];
                    k += 1;
                }
            }
            n_imputed[lab] = k;
        }
        out.push(c);
    }
    Ok((out, n_imputed))
}

/// The primary design's overall IPTW Cox estimate of a run: (log HR, SE, events).
fn primary_iptw(r: &AnalysisResult) -> Option<(f64, f64, usize)> {
    let d = r.designs.iter().find(|d| d.primary)?;
    let h = d
        .overall
        .hazard_ratios
        .iter()
        .find(|h| h.method == HrMethod::Iptw)?;
    Some((h.coef, h.se, h.n_event))
}

/// Runs `plan` on each completed cohort of [`impute_day1_labs`] and pools the primary overall
/// IPTW log hazard ratio by Rubin's rules (interval on the plan's confidence level).
///
/// # Errors
/// As [`impute_day1_labs`] and `run_plan`; [`CohortError::PlanValue`] when a run has no IPTW
/// hazard ratio or Rubin's rules cannot pool the estimates.
pub fn run_plan_imputed(
    plan: &ValidPlan,
    cohort: &Cohort,
    progress: Progress,
) -> Result<ImputedHazardRatio, CohortError> {
    let (completed, n_imputed) = impute_day1_labs(plan, cohort)?;
    let mut each = plan.clone();
    each.imputation = None;
    let m = completed.len();
    let mut per = Vec::with_capacity(m);
    let mut events = usize::MAX;
    for (l, c) in completed.into_iter().enumerate() {
        progress(&format!("imputation {} of {m}", l + 1));
        let r = run_plan(&each, c, &mut |_| {})?;
        let (coef, se, n_event) = primary_iptw(&r)
            .ok_or_else(|| err(format!("imputation {}: no IPTW hazard ratio", l + 1)))?;
        per.push((coef, se));
        events = events.min(n_event);
    }
    let q: Vec<f64> = per.iter().map(|x| x.0).collect();
    let u: Vec<f64> = per.iter().map(|x| x.1 * x.1).collect();
    let dfcom = (events.max(2) - 1) as f64;
    let pooled = pool_scalar(&q, &u, dfcom, plan.conf_level()).map_err(|e| err(e.to_string()))?;
    Ok(ImputedHazardRatio {
        hr: pooled.estimate.exp(),
        lower: pooled.conf_low.exp(),
        upper: pooled.conf_high.exp(),
        pooled,
        per_imputation: per,
        n_imputed,
    })
}
