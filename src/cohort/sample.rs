//! The design pipeline: each design's analysed sample. Builds the design's sample from the
//! patient table and the exposure (landmark exclusions counted in the flow; in the landmark
//! design, later starters censored when their exposure begins unless the plan keeps them
//! unexposed), then restricts it to patients with every propensity covariate (complete cases,
//! one flow step counting each missing covariate), and builds the covariate design matrix
//! (categorical columns as indicators).

use crate::schema::{CohortFlow, PatientTable};
use crate::stats::frame::{design_matrix, DummyNames, Term, Values};

use super::exposure::Exposure;
use super::frame::{Column, PatientFrame};
use super::landmark::{
    censor_late_starters, landmark_sample_with, naive_sample, time_varying, CountingProcess,
    Design, FollowUp, StudySample,
};
use super::plan::LateStarters;
use super::valid_plan::ValidPlan;
use super::CohortError;

/// A design's sample before the complete-case restriction.
#[derive(Debug, Clone)]
pub struct DesignSample {
    pub sample: StudySample,
    /// Time-varying design: the counting-process rows.
    pub counting: Option<CountingProcess>,
    /// Landmark design with later starters censored: how many were.
    pub n_censored_late: Option<usize>,
}

/// Builds `design`'s sample; the landmark exclusions are added to `flow`.
pub fn design_sample(
    plan: &ValidPlan,
    design: Design,
    patients: &PatientTable,
    exposure: &Exposure,
    flow: &mut CohortFlow,
) -> DesignSample {
    let h = FollowUp {
        horizon: plan.horizon,
        discharge: plan.discharge,
    };
    let lag = plan.design.tv_lag_days;
    match design {
        Design::Landmark => {
            let landmark = plan.exposure.window().last();
            let mut s = landmark_sample_with(patients, exposure, landmark, h, flow);
            let n_censored_late = (plan.design.late_starters == LateStarters::Censored)
                .then(|| censor_late_starters(&mut s, exposure, lag));
            DesignSample {
                sample: s,
                counting: None,
                n_censored_late,
            }
        }
        Design::NaiveEverTreated => DesignSample {
            sample: naive_sample(patients, exposure, h),
            counting: None,
            n_censored_late: None,
        },
        Design::TimeVarying => {
            let (s, cp) = time_varying(patients, exposure, h, lag);
            DesignSample {
                sample: s,
                counting: Some(cp),
                n_censored_late: None,
            }
        }
    }
}

/// A design's analysed sample: complete cases of the propensity covariates.
#[derive(Debug, Clone)]
pub struct AnalysedSample {
    pub design: Design,
    pub sample: StudySample,
    pub counting: Option<CountingProcess>,
    /// The patient columns of the sample's patients, by sample position.
    pub frame: PatientFrame,
    /// Names of the covariate design-matrix columns and the columns, by sample position.
    pub x_names: Vec<String>,
    pub x: Vec<Vec<f64>>,
}

/// Short name of a design in flow steps.
pub fn design_short(d: Design) -> &'static str {
    match d {
        Design::Landmark => "landmark",
        Design::TimeVarying => "time-varying",
        Design::NaiveEverTreated => "naive ever-treated",
    }
}

/// Restricts a design's sample to patients with every covariate of `covs` (`frame`: the
/// sample's patient columns, by sample position), adding the flow step that counts the patients
/// left out by the first covariate they miss.
///
/// # Errors
/// [`CohortError::UnknownColumn`] for a covariate the frame lacks; as [`covariate_matrix`].
pub fn complete_cases(
    ds: DesignSample,
    frame: PatientFrame,
    covs: &[String],
    flow: &mut CohortFlow,
) -> Result<AnalysedSample, CohortError> {
    let DesignSample {
        sample, counting, ..
    } = ds;
    let mut reasons: Vec<(String, u64)> =
        covs.iter().map(|c| (format!("missing {c}"), 0)).collect();
    let cols: Vec<&Column> = covs
        .iter()
        .map(|c| frame.column(c))
        .collect::<Result<_, _>>()?;
    let mut keep = Vec::with_capacity(sample.len());
    for i in 0..sample.len() {
        match cols.iter().position(|c| c.is_missing(i)) {
            Some(j) => reasons[j].1 += 1,
            None => keep.push(i),
        }
    }
    reasons.retain(|r| r.1 > 0);
    flow.push_staged(
        design_short(sample.design),
        &format!(
            "{}: every propensity covariate recorded",
            design_short(sample.design)
        ),
        "patients",
        sample.len() as u64,
        reasons,
    );
    let frame = frame.subset(&keep);
    let (x_names, x) = covariate_matrix(&frame, covs)?;
    Ok(AnalysedSample {
        design: sample.design,
        counting: counting.map(|cp| restrict_cp(&cp, &keep)),
        sample: restrict(&sample, &keep),
        frame,
        x_names,
        x,
    })
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

/// Numeric columns for the covariates, coded by the one model frame of the library
/// ([`crate::stats::frame::design_matrix`]): numbers as they are, a categorical column as
/// indicators of its levels but the first (R's level order), named `column=level`.
///
/// # Errors
/// [`CohortError::UnknownColumn`] for a covariate the frame lacks;
/// [`CohortError::InvalidInput`] for a value the model frame refuses (not finite, or so large
/// that the fit would lose all precision).
pub fn covariate_matrix(
    frame: &PatientFrame,
    covs: &[String],
) -> Result<(Vec<String>, Vec<Vec<f64>>), CohortError> {
    let terms = covs
        .iter()
        .map(|c| {
            Ok(match frame.column(c)? {
                Column::Num(v) => Term::auto(c, Values::Numbers(v)),
                Column::Cat(v) => Term::factor(c, Values::Text(v)),
            })
        })
        .collect::<Result<Vec<_>, CohortError>>()?;
    let d = design_matrix(&terms, DummyNames::Equals)
        .map_err(|e| CohortError::InvalidInput(e.to_string()))?;
    Ok((d.names, d.columns))
}
