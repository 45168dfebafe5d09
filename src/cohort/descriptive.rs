//! Descriptive data of the report's "Scores and trajectories" section, computed inside
//! [`super::analysis::run_plan`] from what the run already built (the scored and derived
//! patient frame, the exposure classification, the primary design's sample), so the report
//! draws them from the [`super::analysis::AnalysisResult`] alone:
//! - the distribution of the DIC score (the plan's `dic.score`) on day 1, by exposure (complete
//!   scores only);
//! - the day-1/3/7 trajectories (median and interquartile range, R `quantile(type = 7)`) of
//!   platelets and of the DIC score, by exposure, with the number of patients with a value.
//!
//! Groups: with a landmark primary design, its sample (before the complete-case restriction of
//! the propensity covariates, as Table 1) and its exposure (started within the window); with
//! another primary design, every patient, exposed = started within the window. Counts are raw:
//! disclosure control is applied by the report.
//!
//! Cost: one pass over the primary sample per column (6 columns), plus a sort per group and day
//! for the quantiles.

use serde::{Deserialize, Serialize};

use super::exposure::Exposure;
use super::frame::PatientFrame;
use super::landmark::{Design, StudySample};
use super::propensity::quantile_type7;
use super::CohortError;

/// Days of the trajectories.
pub const TRAJECTORY_DAYS: [i32; 3] = [1, 3, 7];

/// One group's counts per category.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct GroupCounts {
    pub label: String,
    /// One count per category; the group total is the sum.
    pub counts: Vec<u64>,
}

/// Counts of a score (or any category) by group, before disclosure control.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ScoreCounts {
    pub title: String,
    pub x_label: String,
    pub categories: Vec<String>,
    pub groups: Vec<GroupCounts>,
}

/// One group's trajectory: per day, the quartiles of the values present (NaN when there are
/// none) and how many patients have a value.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct GroupTrajectory {
    pub label: String,
    pub median: Vec<f64>,
    pub q1: Vec<f64>,
    pub q3: Vec<f64>,
    pub n: Vec<u64>,
}

/// A trajectory panel, e.g. platelets on days 1, 3 and 7, by exposure.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct TrajectoryPanel {
    pub title: String,
    pub y_label: String,
    pub days: Vec<f64>,
    pub groups: Vec<GroupTrajectory>,
}

/// The descriptive figures' data (raw counts).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Descriptive {
    pub distributions: Vec<ScoreCounts>,
    pub trajectories: Vec<TrajectoryPanel>,
}

/// The patient columns the descriptive data of DIC score `score` (e.g. `jaam`) reads
/// (`<score>_day<d>` and `platelets_day<d>` for each of [`TRAJECTORY_DAYS`]); `run_plan` derives
/// them with the plan's own columns.
pub fn columns(score: &str) -> Vec<String> {
    TRAJECTORY_DAYS
        .iter()
        .flat_map(|d| [format!("{score}_day{d}"), format!("platelets_day{d}")])
        .collect()
}

/// What the descriptive data is of: the plan's DIC score (e.g. `jaam`) and exposure name
/// (e.g. `anticoagulant`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DescriptiveSpec<'a> {
    pub score: &'a str,
    pub exposure: &'a str,
}

impl DescriptiveSpec<'_> {
    /// "Anticoagulant" / "No anticoagulant" for the exposed / unexposed group.
    fn group_name(&self, exposed: bool) -> String {
        if exposed {
            let mut c = self.exposure.chars();
            c.next()
                .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
                .unwrap_or_default()
        } else {
            format!("No {}", self.exposure)
        }
    }
}

/// Computes the descriptive data of `spec`. `frame` is the whole patient frame (one row per patient-table
/// row) holding [`columns`]; `primary` is the primary design's sample before the complete-case
/// restriction.
///
/// # Errors
/// [`CohortError::UnknownColumn`] when `frame` lacks one of [`columns`],
/// [`CohortError::InvalidInput`] when it holds one as text.
pub fn descriptive(
    spec: DescriptiveSpec,
    frame: &PatientFrame,
    exposure: &Exposure,
    primary: &StudySample,
) -> Result<Descriptive, CohortError> {
    let all: Vec<usize>;
    let (patients, exposed): (&[usize], &[bool]) = match primary.design {
        Design::Landmark => (&primary.patients, &primary.exposed),
        _ => {
            all = (0..frame.n_rows()).collect();
            (&all, &exposure.in_window)
        }
    };
    let score = spec.score;
    Ok(Descriptive {
        distributions: vec![score_distribution(spec, frame, patients, exposed)?],
        trajectories: vec![
            trajectory(
                spec,
                frame,
                patients,
                exposed,
                "platelets",
                "Platelets".to_string(),
                "Platelets (\u{d7}10\u{2079}/L)".to_string(),
            )?,
            trajectory(
                spec,
                frame,
                patients,
                exposed,
                score,
                format!("{} score", score.to_uppercase()),
                format!("{} score", score.to_uppercase()),
            )?,
        ],
    })
}

/// Distribution of the day-1 score (complete totals), by exposure (exposed first).
fn score_distribution(
    spec: DescriptiveSpec,
    frame: &PatientFrame,
    patients: &[usize],
    exposed: &[bool],
) -> Result<ScoreCounts, CohortError> {
    let score = spec.score;
    let label = score.to_uppercase();
    let day1 = frame.num(&format!("{score}_day1"))?;
    let max = patients
        .iter()
        .map(|&p| day1[p])
        .filter(|v| v.is_finite())
        .fold(0.0f64, f64::max)
        .max(0.0) as usize;
    let groups = [true, false]
        .into_iter()
        .map(|e| {
            let mut counts = vec![0u64; max + 1];
            for (&p, &x) in patients.iter().zip(exposed) {
                let v = day1[p];
                if x == e && v.is_finite() && v >= 0.0 {
                    counts[(v.round() as usize).min(max)] += 1;
                }
            }
            GroupCounts {
                label: spec.group_name(e),
                counts,
            }
        })
        .collect();
    Ok(ScoreCounts {
        title: format!("{label} score on day 1 by exposure"),
        x_label: format!("{label} score on day 1 (complete scores)"),
        categories: (0..=max).map(|k| k.to_string()).collect(),
        groups,
    })
}

/// The panel of column family `what` (`<what>_day<d>`), by exposure (exposed first).
fn trajectory(
    spec: DescriptiveSpec,
    frame: &PatientFrame,
    patients: &[usize],
    exposed: &[bool],
    what: &str,
    title: String,
    y_label: String,
) -> Result<TrajectoryPanel, CohortError> {
    let mut groups = Vec::new();
    for e in [true, false] {
        let mut g = GroupTrajectory {
            label: spec.group_name(e),
            ..Default::default()
        };
        for d in TRAJECTORY_DAYS {
            let c = frame.num(&format!("{what}_day{d}"))?;
            let vals: Vec<f64> = patients
                .iter()
                .zip(exposed)
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
            g.n.push(vals.len() as u64);
        }
        groups.push(g);
    }
    Ok(TrajectoryPanel {
        title,
        y_label,
        days: TRAJECTORY_DAYS.iter().map(|&d| d as f64).collect(),
        groups,
    })
}
