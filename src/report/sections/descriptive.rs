//! "Scores and trajectories": the distribution of the DIC score on day 1 and the day-1/3/7
//! trajectories (median and IQR) of platelets and of the score, by exposure, from the result's
//! [`crate::cohort::descriptive::Descriptive`] with the counts of
//! [`crate::report::disclosed::DescriptiveCounts`].

use crate::plot::distribution::{
    distribution_figure, trajectory_figure, BarGroup, ScoreDistribution, Trajectory,
    TrajectoryGroup,
};
use crate::report::counts::WITHHELD;
use crate::report::document::{Block, Figure, Section};

use super::{Ctx, SectionResult};

/// "Scores and trajectories" (`None` without descriptive data).
///
/// # Errors
/// [`ReportError::Plot`](crate::report::ReportError::Plot) when a figure cannot be drawn.
pub fn section(ctx: &Ctx) -> SectionResult {
    let d = &ctx.r.descriptive;
    let dc = &ctx.dc.descriptive;
    if d.distributions.is_empty() && d.trajectories.is_empty() {
        return Ok(None);
    }
    let mut s = Section::new("descriptive", "Scores and trajectories");
    for (i, (dist, t)) in d.distributions.iter().zip(&dc.distributions).enumerate() {
        let groups = dist
            .groups
            .iter()
            .enumerate()
            .map(|(g, group)| BarGroup {
                label: group.label.clone(),
                counts: (0..dist.categories.len()).map(|c| t.cells[c][g]).collect(),
                total: t.col_totals[g],
            })
            .collect();
        let sd = ScoreDistribution {
            title: dist.title.clone(),
            x_label: dist.x_label.clone(),
            categories: dist.categories.clone(),
            groups,
            footnotes: vec![format!("{WITHHELD} withheld (disclosure control).")],
            withheld: WITHHELD.to_string(),
        };
        s.push(Block::Figure(Figure {
            id: format!("figure-distribution-{}", i + 1),
            caption: format!("{}: percentage of each group at each value.", dist.title),
            svg: distribution_figure(&sd)?,
        }));
    }
    if !d.trajectories.is_empty() {
        // A day whose number of values is withheld loses its median and IQR.
        let panels: Vec<Trajectory> = d
            .trajectories
            .iter()
            .zip(&dc.trajectories)
            .map(|(p, ns)| Trajectory {
                groups: p
                    .groups
                    .iter()
                    .zip(ns)
                    .map(|(g, n)| {
                        let mask = |v: &[f64]| -> Vec<f64> {
                            v.iter()
                                .zip(n)
                                .map(|(x, k)| if k.is_some() { *x } else { f64::NAN })
                                .collect()
                        };
                        TrajectoryGroup {
                            label: g.label.clone(),
                            median: mask(&g.median),
                            q1: mask(&g.q1),
                            q3: mask(&g.q3),
                            n: n.clone(),
                        }
                    })
                    .collect(),
                title: p.title.clone(),
                y_label: p.y_label.clone(),
                days: p.days.clone(),
            })
            .collect();
        s.push(Block::Figure(Figure {
            id: "figure-trajectories".into(),
            caption: "Median and interquartile range by day and group, with the number of patients with a value under each day.".into(),
            svg: trajectory_figure(
                "Trajectories by exposure (median and IQR)",
                &panels,
                &[format!("{WITHHELD} withheld (disclosure control); no median is drawn for fewer than {} values.", ctx.threshold())],
                WITHHELD,
            )?,
        }));
    }
    Ok(Some(s))
}
