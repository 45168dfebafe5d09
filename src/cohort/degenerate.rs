//! The checks that stop a run from analysing nobody. A plan can be valid and still give an
//! empty or one-armed analysis on a given cohort: a covariate missing for everyone (the
//! complete-case step removes every patient), a landmark nobody reaches, drug names the
//! treatment table does not use. Each is an error naming what removed the patients and what to
//! change, instead of a report of `n = 0`.

use std::collections::BTreeMap;

use crate::schema::names::{closest, did_you_mean};
use crate::schema::{CohortFlow, TreatmentTable};

use super::exposure::Exposure;
use super::frame::PatientFrame;
use super::landmark::StudySample;
use super::sample::design_short;
use super::valid_plan::{bad, ValidPlan};
use super::CohortError;

/// The drug names of the treatment table with their row counts.
pub fn drug_counts(t: &TreatmentTable) -> BTreeMap<String, usize> {
    let mut m = BTreeMap::new();
    for d in &t.drug {
        *m.entry(d.clone()).or_insert(0) += 1;
    }
    m
}

fn present_list(present: &BTreeMap<String, usize>) -> String {
    if present.is_empty() {
        return "the cohort has no treatment rows at all (check how the courses are loaded: \
                treatments.csv, or the mapping's [[treatments]] / [courses])"
            .to_string();
    }
    let v: Vec<String> = present
        .iter()
        .map(|(d, n)| format!("{d} ({n} row{})", if *n == 1 { "" } else { "s" }))
        .collect();
    format!("drugs in the treatment table: {}", v.join(", "))
}

/// Every drug the plan names (other than the `any_anticoagulant` group) must have a treatment
/// row, and the exposure must reach at least one patient.
///
/// # Errors
/// [`CohortError::PlanValue`] for `exposure.drugs[i]` naming no treatment row, or for
/// `exposure.drugs` when no patient is exposed: both list the drugs present with a
/// case-insensitive "did you mean".
pub fn check_exposure(
    plan: &ValidPlan,
    treatments: &TreatmentTable,
    exposure: &Exposure,
    n_patients: usize,
) -> Result<(), CohortError> {
    let present = drug_counts(treatments);
    let names = || present.keys().map(String::as_str);
    for (i, d) in plan.as_run().exposure.drugs.iter().enumerate() {
        if d == "any_anticoagulant" || present.contains_key(d) {
            continue;
        }
        return Err(bad(
            &format!("exposure.drugs[{i}]"),
            format!(
                "`{d}` matches no treatment row{}; {}",
                did_you_mean(d, names()),
                present_list(&present)
            ),
        ));
    }
    if n_patients > 0 && !exposure.ever.iter().any(|e| *e) {
        let hint = plan
            .exposure
            .drugs()
            .iter()
            .find_map(|d| closest(d, names()).filter(|c| c != d))
            .map(|c| format!(" (did you mean `{c}`?)"))
            .unwrap_or_default();
        return Err(bad(
            "exposure.drugs",
            format!(
                "no patient has a treatment row with a start day for any of {:?}{hint}; {}",
                plan.exposure.drugs(),
                present_list(&present)
            ),
        ));
    }
    Ok(())
}

/// Patients of a design sample missing each covariate (`frame`: the sample's columns).
///
/// # Errors
/// [`CohortError::UnknownColumn`] for a covariate the frame lacks.
pub fn covariate_missing(
    frame: &PatientFrame,
    covs: &[String],
) -> Result<Vec<(String, usize)>, CohortError> {
    covs.iter()
        .map(|c| {
            let col = frame.column(c)?;
            Ok((
                c.clone(),
                (0..col.len()).filter(|&i| col.is_missing(i)).count(),
            ))
        })
        .collect()
}

fn arms(s: &StudySample) -> (usize, usize) {
    let e = s.exposed.iter().filter(|x| **x).count();
    (e, s.len() - e)
}

/// Each arm of the analysed sample must hold `design.min_per_arm` patients.
///
/// `before` is the design's sample before the complete-case restriction, `missing` the
/// patients of it missing each covariate, `flow` the design's flow steps.
///
/// # Errors
/// [`CohortError::TooFewPatients`] naming the flow step that removed the patients and, for the
/// complete-case step, the covariates responsible.
pub fn check_arms(
    plan: &ValidPlan,
    before: &StudySample,
    missing: &[(String, usize)],
    analysed: &StudySample,
    flow: &CohortFlow,
) -> Result<(), CohortError> {
    let min = plan.design.min_per_arm;
    let (e, u) = arms(analysed);
    if e >= min && u >= min {
        return Ok(());
    }
    let design = design_short(before.design);
    let (be, bu) = arms(before);
    let n = before.len();
    let why = if be < min || bu < min {
        // The design step (or the exposure) left an arm short before any covariate was needed.
        let step = flow
            .steps
            .iter()
            .rev()
            .find(|s| !s.label.contains("every propensity covariate recorded"));
        let step_text = match step {
            Some(s) => {
                let ex: Vec<String> = s
                    .excluded
                    .iter()
                    .filter(|(_, k)| *k > 0)
                    .map(|(r, k)| format!("{k} {r}"))
                    .collect();
                format!(
                    "the step `{}` kept {} of {} patients{}",
                    s.label,
                    s.n_out,
                    s.n_in,
                    if ex.is_empty() {
                        String::new()
                    } else {
                        format!(" (excluded: {})", ex.join(", "))
                    }
                )
            }
            None => format!("the {design} sample has {n} patients"),
        };
        let w = plan.exposure.window();
        format!(
            "{step_text}, {be} exposed (started {} on days {}-{}) and {bu} unexposed: change \
             [exposure] window or drugs, or the design",
            plan.exposure.name(),
            w.first(),
            w.last()
        )
    } else {
        let mut worst: Vec<&(String, usize)> = missing.iter().filter(|(_, k)| *k > 0).collect();
        worst.sort_by_key(|(c, k)| (std::cmp::Reverse(*k), c.clone()));
        let all: Vec<&str> = worst
            .iter()
            .filter(|(_, k)| *k == n)
            .map(|(c, _)| c.as_str())
            .collect();
        let step = format!("the step `{design}: every propensity covariate recorded` removed them");
        if !all.is_empty() {
            let list = all
                .iter()
                .map(|c| format!("`{c}`"))
                .collect::<Vec<_>>()
                .join(", ");
            format!(
                "{step}: {list} {} missing for all {n} patients: remove {} from [propensity] \
                 covariates",
                if all.len() == 1 { "is" } else { "are" },
                if all.len() == 1 { "it" } else { "them" }
            )
        } else {
            let list: Vec<String> = worst
                .iter()
                .take(3)
                .map(|(c, k)| format!("`{c}` is missing for {k} of {n} patients"))
                .collect();
            format!(
                "{step}: {}: remove the most often missing from [propensity] covariates",
                list.join(", ")
            )
        }
    };
    Err(CohortError::TooFewPatients {
        design: design.to_string(),
        message: format!(
            "the analysed sample has {e} exposed and {u} unexposed patients, fewer than \
             design.min_per_arm = {min} in an arm: {why}"
        ),
    })
}
