//! Descriptive inputs the analysis result does not carry: the distribution of the DIC score on
//! day 1 and the day-1/3/7 trajectories (median, IQR) of platelets and of the DIC score, by
//! exposure, in the primary design's sample. Computed from the cohort with the cohort layer's
//! own exposure classification, landmark sample and derived columns, so the groups are the
//! analysis groups.

use crate::cohort::analysis::build_frame;
use crate::cohort::exposure::classify;
use crate::cohort::landmark::{landmark_sample, Design};
use crate::cohort::plan::Plan;
use crate::cohort::propensity::quantile_type7;
use crate::plot::distribution::{Trajectory, TrajectoryGroup};
use crate::schema::{Cohort, CohortFlow};

use super::analysis::{Descriptive, ScoreCounts};
use super::ReportError;

/// Days of the trajectories.
pub const TRAJECTORY_DAYS: [i32; 3] = [1, 3, 7];

fn err(e: impl std::fmt::Display) -> ReportError {
    ReportError::Invalid(format!("descriptive figures: {e}"))
}

/// Computes the descriptive figures' inputs (counts are raw: disclosure control is applied by
/// [`super::analysis::analysis_report`]).
pub fn descriptive_from_cohort(plan: &Plan, cohort: &Cohort) -> Result<Descriptive, ReportError> {
    let n = cohort.patients.len();
    let exposure = classify(&plan.exposure, &cohort.treatments, n).map_err(err)?;
    // The primary sample: the landmark sample, or every patient (exposed = started in window).
    let (patients, exposed): (Vec<usize>, Vec<bool>) = match plan.design.primary {
        Design::Landmark => {
            let s = landmark_sample(
                &cohort.patients,
                &exposure,
                plan.exposure.window[1],
                plan.outcome.horizon,
                &mut CohortFlow::default(),
            );
            (s.patients, s.exposed)
        }
        _ => ((0..n).collect(), exposure.in_window.clone()),
    };
    let score = plan.dic.score.as_str();
    let score_label = score.to_uppercase();
    let mut columns: Vec<String> = Vec::new();
    for d in TRAJECTORY_DAYS {
        columns.push(format!("{score}_day{d}"));
        columns.push(format!("platelets_day{d}"));
    }
    let mut p2 = plan.clone();
    p2.table1.variables = Some(columns.clone());
    p2.subgroups.clear();
    p2.propensity.covariates.clear();
    let frame = build_frame(&p2, cohort).map_err(err)?;
    let col = |name: &str| -> Result<&[f64], ReportError> { frame.num(name).map_err(err) };
    let group_name = |e: bool| {
        if e {
            let mut c = plan.exposure.name.chars();
            c.next()
                .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
                .unwrap_or_default()
        } else {
            format!("No {}", plan.exposure.name)
        }
    };

    // Distribution of the day-1 score (complete totals), by exposure.
    let day1 = col(&format!("{score}_day1"))?;
    let max = patients
        .iter()
        .map(|&p| day1[p])
        .filter(|v| v.is_finite())
        .fold(0.0f64, f64::max)
        .max(0.0) as usize;
    let mut groups = Vec::new();
    for e in [true, false] {
        let mut counts = vec![0u64; max + 1];
        for (&p, &x) in patients.iter().zip(&exposed) {
            let v = day1[p];
            if x == e && v.is_finite() && v >= 0.0 {
                counts[(v.round() as usize).min(max)] += 1;
            }
        }
        groups.push((group_name(e), counts));
    }
    let distribution = ScoreCounts {
        title: format!("{score_label} score on day 1 by exposure"),
        x_label: format!("{score_label} score on day 1 (complete scores)"),
        categories: (0..=max).map(|k| k.to_string()).collect(),
        groups,
    };

    // Trajectories.
    let mut panels = Vec::new();
    for (what, title, y_label) in [
        (
            "platelets",
            "Platelets".to_string(),
            "Platelets (\u{d7}10\u{2079}/L)".to_string(),
        ),
        (
            score,
            format!("{score_label} score"),
            format!("{score_label} score"),
        ),
    ] {
        let mut groups = Vec::new();
        for e in [true, false] {
            let mut g = TrajectoryGroup {
                label: group_name(e),
                ..Default::default()
            };
            for d in TRAJECTORY_DAYS {
                let c = col(&format!("{what}_day{d}"))?;
                let vals: Vec<f64> = patients
                    .iter()
                    .zip(&exposed)
                    .filter(|(_, &x)| x == e)
                    .map(|(&p, _)| c[p])
                    .filter(|v| v.is_finite())
                    .collect();
                let q = if vals.is_empty() {
                    vec![f64::NAN; 3]
                } else {
                    quantile_type7(&vals, &[0.25, 0.5, 0.75])
                };
                g.q1.push(q[0]);
                g.median.push(q[1]);
                g.q3.push(q[2]);
                g.n.push(Some(vals.len() as u64));
            }
            groups.push(g);
        }
        panels.push(Trajectory {
            title,
            y_label,
            days: TRAJECTORY_DAYS.iter().map(|&d| d as f64).collect(),
            groups,
        });
    }
    Ok(Descriptive {
        distributions: vec![distribution],
        trajectories: panels,
    })
}
