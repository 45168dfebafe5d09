//! Score distributions by group (percentage of each group per score value, side-by-side bars) and
//! day-1/3/7 trajectories (median with interquartile range) of platelets and scores by group.
//! Percentages are of each group's total, printed in the legend; a withheld count (`None`) draws
//! no bar and the caller's `withheld` mark at the base of its slot.

use plotters::style::RGBColor;

use super::axis::{self, Scale};
use super::canvas::{Anchor, Baseline, Canvas, Pen, TextSpec};
use super::theme::{self, fixed};
use super::PlotError;

/// Counts of one group per category; `total` is the group size the percentages refer to.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BarGroup {
    pub label: String,
    pub counts: Vec<Option<u64>>,
    pub total: Option<u64>,
}

/// A distribution of a score (or any categorical variable) by group.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ScoreDistribution {
    pub title: String,
    pub x_label: String,
    pub categories: Vec<String>,
    pub groups: Vec<BarGroup>,
    pub footnotes: Vec<String>,
    /// Text drawn in place of a withheld count (`None`), given by the caller.
    pub withheld: String,
}

const PAD: f64 = 14.0;

fn footer_width(notes: &[String]) -> Result<f64, PlotError> {
    let s = TextSpec::new(theme::SMALL);
    notes
        .iter()
        .map(|f| s.width(f))
        .try_fold(0.0f64, |m, w| w.map(|w| m.max(w)))
}

fn draw_legend(pen: &Pen, items: &[(String, usize)], x: f64, y: f64) -> Result<f64, PlotError> {
    let spec = TextSpec::new(theme::LABEL);
    let mut cx = x;
    for (label, c) in items {
        pen.rect(
            (cx, y - 6.0),
            (cx + 12.0, y + 6.0),
            theme::group_color(*c),
            true,
        )?;
        pen.text(label, (cx + 18.0, y), &spec)?;
        cx += 18.0 + spec.width(label)? + 24.0;
    }
    Ok(cx)
}

/// Draws a score distribution as SVG.
pub fn distribution_figure(d: &ScoreDistribution) -> Result<String, PlotError> {
    check_distribution(d)?;
    let pct = percent;
    let max = d
        .groups
        .iter()
        .flat_map(|g| (0..d.categories.len()).filter_map(move |i| pct(g, i)))
        .fold(1.0f64, f64::max);
    let (ticks, step) = axis::nice_ticks(0.0, max, 5);
    let dec = axis::decimals_for(step);
    let tick_labels: Vec<String> = ticks.iter().map(|t| fixed(*t, dec)).collect();
    let tick = TextSpec::new(theme::TICK);
    let ytw = axis::max_width(&tick_labels, &tick)?;
    let x0 = PAD + theme::LABEL + 8.0 + ytw + 13.0;
    let slot =
        (28.0 + 14.0 * d.groups.len() as f64).max(axis::max_width(&d.categories, &tick)? + 10.0);
    let plot_w = (slot * d.categories.len() as f64).max(360.0);
    let slot = plot_w / d.categories.len() as f64;
    let x1 = x0 + plot_w;
    let items: Vec<(String, usize)> = d
        .groups
        .iter()
        .enumerate()
        .map(|(i, g)| {
            let n = g
                .total
                .map_or_else(|| d.withheld.clone(), |n| n.to_string());
            (format!("{} (n = {n})", g.label), i)
        })
        .collect();
    let legend_w = items
        .iter()
        .map(|(l, _)| TextSpec::new(theme::LABEL).width(l).map(|w| w + 42.0))
        .try_fold(0.0, |a, w| w.map(|w| a + w))?;
    let title_w = TextSpec::new(theme::TITLE).bold().width(&d.title)?;
    let width = (x1 + PAD)
        .max(x0 + legend_w + PAD)
        .max(PAD + footer_width(&d.footnotes)? + PAD)
        .max(PAD + title_w + PAD);
    let title_h = if d.title.is_empty() {
        0.0
    } else {
        theme::TITLE + 12.0
    };
    let legend_y = PAD + title_h + 10.0;
    let top = legend_y + 24.0;
    let plot_h = 260.0;
    let ys = Scale::linear(0.0, *ticks.last().expect("ticks"), top + plot_h, top);
    let xlabel_y = top + plot_h + 8.0 + theme::TICK + 10.0;
    let foot_y = xlabel_y + theme::LABEL + 10.0;
    let height = foot_y + d.footnotes.len() as f64 * 17.0 + PAD;
    let mut canvas = Canvas::new(
        width,
        height,
        if d.title.is_empty() {
            "Score distribution"
        } else {
            &d.title
        },
    )?;
    canvas.layer("bars", |pen: &Pen| {
        pen.title(&d.title, (PAD, PAD))?;
        draw_legend(pen, &items, x0, legend_y)?;
        for t in &ticks[1..] {
            pen.line((x0, ys.map(*t)), (x1, ys.map(*t)), theme::LIGHT, 1)?;
        }
        let bar_w = (slot - 12.0) / d.groups.len() as f64;
        for (i, cat) in d.categories.iter().enumerate() {
            let sx = x0 + i as f64 * slot + 6.0;
            for (g, grp) in d.groups.iter().enumerate() {
                let bx = sx + g as f64 * bar_w;
                match pct(grp, i) {
                    Some(v) => {
                        if v > 0.0 {
                            pen.rect(
                                (bx + 1.0, ys.map(v)),
                                (bx + bar_w - 1.0, ys.map(0.0)),
                                theme::group_color(g),
                                true,
                            )?;
                        }
                    }
                    None => {
                        pen.text(
                            &d.withheld,
                            (bx + bar_w / 2.0, ys.map(0.0) - 2.0),
                            &TextSpec::new(theme::TICK)
                                .anchor(Anchor::Middle)
                                .baseline(Baseline::Bottom)
                                .color(theme::group_color(g)),
                        )?;
                    }
                }
            }
            pen.text(
                cat,
                (x0 + (i as f64 + 0.5) * slot, ys.map(0.0) + 8.0),
                &tick.anchor(Anchor::Middle).baseline(Baseline::Top),
            )?;
        }
        pen.line((x0, ys.map(0.0)), (x1, ys.map(0.0)), theme::BLACK, 1)?;
        axis::draw_y_axis(pen, &ys, x0, &ticks, &tick_labels, theme::BLACK)?;
        pen.text(
            "Patients (%)",
            (PAD + theme::LABEL / 2.0, (ys.r0 + ys.r1) / 2.0),
            &TextSpec::new(theme::LABEL)
                .anchor(Anchor::Middle)
                .vertical(),
        )?;
        pen.text(
            &d.x_label,
            ((x0 + x1) / 2.0, xlabel_y),
            &TextSpec::new(theme::LABEL)
                .anchor(Anchor::Middle)
                .baseline(Baseline::Top),
        )?;
        pen.footnotes(&d.footnotes, (PAD, foot_y))
    })?;
    Ok(canvas.finish())
}

/// One group's trajectory: median and quartiles per day; `n` patients with a value that day.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TrajectoryGroup {
    pub label: String,
    pub median: Vec<f64>,
    pub q1: Vec<f64>,
    pub q3: Vec<f64>,
    pub n: Vec<Option<u64>>,
}

/// A trajectory panel, e.g. platelets (x10^9/L) on days 1, 3 and 7.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Trajectory {
    pub title: String,
    pub y_label: String,
    pub days: Vec<f64>,
    pub groups: Vec<TrajectoryGroup>,
}

/// Draws trajectory panels side by side (one row), each with the number of patients with a value
/// under each day, aligned to the day's tick; `withheld` is drawn in place of a withheld number.
pub fn trajectory_figure(
    title: &str,
    panels: &[Trajectory],
    footnotes: &[String],
    withheld: &str,
) -> Result<String, PlotError> {
    if panels.is_empty() {
        return Err(PlotError::InvalidInput("no trajectory panels".to_string()));
    }
    if let Some((p, g)) = panels.iter().find_map(|p| {
        let k = p.days.len();
        p.groups
            .iter()
            .find(|g| g.median.len() != k || g.q1.len() != k || g.q3.len() != k || g.n.len() != k)
            .map(|g| (p, g))
    }) {
        return Err(PlotError::InvalidInput(format!(
            "trajectory `{}` group `{}`: one median, q1, q3 and n per day",
            p.title, g.label
        )));
    }
    let tick = TextSpec::new(theme::TICK);
    let groups: Vec<String> = panels[0].groups.iter().map(|g| g.label.clone()).collect();
    let label_w = axis::max_width(&groups, &tick)?;
    let panel_w = 380.0f64;
    let plot_h = 240.0;
    let title_h = if title.is_empty() {
        0.0
    } else {
        theme::TITLE + 12.0
    };
    let legend_y = PAD + title_h + 10.0;
    let top = legend_y + 26.0 + theme::LABEL + 8.0; // room for panel titles
    let axis_y = top + plot_h;
    let n_title_y = axis_y + 8.0 + theme::TICK + 18.0;
    let n_rows_y: Vec<f64> = (0..groups.len())
        .map(|i| n_title_y + 22.0 + i as f64 * 20.0 + 10.0)
        .collect();
    let foot_y = n_rows_y.last().copied().unwrap_or(n_title_y) + 20.0;
    let height = foot_y + footnotes.len() as f64 * 17.0 + PAD;
    let left_w = (label_w + 12.0).max(0.0);
    let width = (PAD + left_w + panel_w * panels.len() as f64 + PAD)
        .max(PAD + footer_width(footnotes)? + PAD);
    let mut canvas = Canvas::new(
        width,
        height,
        if title.is_empty() {
            "Trajectories"
        } else {
            title
        },
    )?;
    canvas.layer("legend", |pen: &Pen| {
        pen.title(title, (PAD, PAD))?;
        let items: Vec<(String, usize)> = groups.iter().cloned().zip(0..).collect();
        draw_legend(pen, &items, PAD + left_w, legend_y)?;
        pen.text(
            "Patients with a value",
            (PAD, n_title_y),
            &TextSpec::new(theme::TICK).bold().baseline(Baseline::Top),
        )?;
        for (i, g) in groups.iter().enumerate() {
            pen.text(g, (PAD, n_rows_y[i]), &tick.color(theme::group_color(i)))?;
        }
        pen.footnotes(footnotes, (PAD, foot_y))
    })?;
    for (pi, p) in panels.iter().enumerate() {
        let px0 = PAD + left_w + pi as f64 * panel_w;
        let (lo, hi) = value_range(p);
        let (yt, ystep) = axis::nice_ticks(lo, hi, 5);
        let ydec = axis::decimals_for(ystep);
        let ylabels: Vec<String> = yt.iter().map(|t| fixed(*t, ydec)).collect();
        let ytw = axis::max_width(&ylabels, &tick)?;
        let x0 = px0 + theme::LABEL + 8.0 + ytw + 13.0;
        let x1 = px0 + panel_w - 24.0;
        let ys = Scale::linear(yt[0], *yt.last().expect("ticks"), axis_y, top);
        let dmin = p.days.first().copied().unwrap_or(0.0);
        let dmax = p.days.last().copied().unwrap_or(1.0);
        let xs = Scale::linear(dmin - 0.5, dmax + 0.5, x0, x1);
        let day_labels: Vec<String> = p
            .days
            .iter()
            .map(|d| format!("Day {}", fixed(*d, 0)))
            .collect();
        let dodge = 8.0;
        let ng = p.groups.len() as f64;
        canvas.layer(&format!("panel-{pi}"), |pen: &Pen| {
            pen.text(
                &p.title,
                (x0, top - 14.0),
                &TextSpec::new(theme::LABEL)
                    .bold()
                    .baseline(Baseline::Bottom),
            )?;
            for (g, grp) in p.groups.iter().enumerate() {
                let off = (g as f64 - (ng - 1.0) / 2.0) * dodge;
                draw_group_trajectory(pen, &p.days, grp, theme::group_color(g), off, (&xs, &ys))?;
            }
            axis::draw_y_axis(pen, &ys, x0, &yt, &ylabels, theme::BLACK)?;
            pen.text(
                &p.y_label,
                (px0 + theme::LABEL / 2.0, (ys.r0 + ys.r1) / 2.0),
                &TextSpec::new(theme::LABEL)
                    .anchor(Anchor::Middle)
                    .vertical(),
            )?;
            Ok(())
        })?;
        canvas.layer(&format!("panel-{pi} x-axis"), |pen: &Pen| {
            axis::draw_x_axis(pen, &xs, axis_y, &p.days, &day_labels, theme::BLACK)
        })?;
        canvas.layer(&format!("panel-{pi} risk-table"), |pen: &Pen| {
            let spec = tick.anchor(Anchor::Middle);
            for (g, grp) in p.groups.iter().enumerate() {
                for (k, d) in p.days.iter().enumerate() {
                    let n = grp.n[k].map_or_else(|| withheld.to_string(), |n| n.to_string());
                    pen.text(&n, (xs.map(*d), n_rows_y[g]), &spec)?;
                }
            }
            Ok(())
        })?;
    }
    Ok(canvas.finish())
}

/// Every group has one count per category, and there is at least one of each.
fn check_distribution(d: &ScoreDistribution) -> Result<(), PlotError> {
    if d.categories.is_empty() || d.groups.is_empty() {
        return Err(PlotError::InvalidInput(
            "distribution needs categories and groups".to_string(),
        ));
    }
    for g in &d.groups {
        if g.counts.len() != d.categories.len() {
            return Err(PlotError::InvalidInput(format!(
                "group `{}`: {} counts for {} categories",
                g.label,
                g.counts.len(),
                d.categories.len()
            )));
        }
    }
    Ok(())
}

/// The percentage of the group in category `i`; `None` when its count or total is withheld.
fn percent(g: &BarGroup, i: usize) -> Option<f64> {
    theme::percent_of(g.counts[i], g.total)
}

/// The range of a panel's quartiles and medians, from 0 when all are positive; (0, 1) when none
/// is finite.
fn value_range(p: &Trajectory) -> (f64, f64) {
    let vals = p
        .groups
        .iter()
        .flat_map(|g| g.q1.iter().chain(&g.q3).chain(&g.median))
        .copied()
        .filter(|v| v.is_finite());
    let (lo, hi) = vals.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
        (a.min(v), b.max(v))
    });
    if lo.is_finite() {
        (lo.min(0.0), hi)
    } else {
        (0.0, 1.0)
    }
}

/// One group's trajectory, dodged by `off` pixels: a capped bar from q1 to q3 and a dot at the
/// median on each day, the medians joined by a line.
fn draw_group_trajectory(
    pen: &Pen,
    days: &[f64],
    grp: &TrajectoryGroup,
    col: RGBColor,
    off: f64,
    (xs, ys): (&Scale, &Scale),
) -> Result<(), PlotError> {
    let mut line = Vec::new();
    for (k, d) in days.iter().enumerate() {
        let x = xs.map(*d) + off;
        if grp.q1[k].is_finite() && grp.q3[k].is_finite() {
            let (y1, y3) = (ys.map(grp.q1[k]), ys.map(grp.q3[k]));
            pen.line((x, y1), (x, y3), col, 2)?;
            pen.line((x - 4.0, y1), (x + 4.0, y1), col, 2)?;
            pen.line((x - 4.0, y3), (x + 4.0, y3), col, 2)?;
        }
        if grp.median[k].is_finite() {
            let pt = (x, ys.map(grp.median[k]));
            pen.circle(pt, 4.0, col, true)?;
            line.push(pt);
        }
    }
    pen.polyline(&line, col, 1)
}
