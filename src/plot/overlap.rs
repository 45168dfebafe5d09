//! Propensity-score overlap: mirrored histograms of the score by arm, the exposed arm above the
//! axis and the unexposed arm below it, each bar the percentage of its arm in that bin (so arms
//! of different sizes compare). A withheld bin count (`None`) draws no bar and the caller's
//! `withheld` mark at the axis; a withheld arm total draws no bars for the arm.

use super::axis::{self, Scale};
use super::canvas::{Anchor, Baseline, Canvas, Pen, TextSpec};
use super::theme::{self, fixed};
use super::PlotError;

/// One arm: its label, its count per bin and its total (the percentages' denominator).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct OverlapArm {
    pub label: String,
    pub counts: Vec<Option<u64>>,
    pub total: Option<u64>,
}

/// A mirrored histogram.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct OverlapPlot {
    pub title: String,
    pub x_label: String,
    /// Bin edges (`bins + 1`, increasing).
    pub edges: Vec<f64>,
    /// Drawn above the axis.
    pub upper: OverlapArm,
    /// Drawn below the axis.
    pub lower: OverlapArm,
    pub footnotes: Vec<String>,
    pub withheld: String,
}

const PAD: f64 = 14.0;
const PLOT_W: f64 = 560.0;
const HALF_H: f64 = 140.0;

/// Draws the mirrored histogram as SVG.
///
/// # Errors
/// [`PlotError::InvalidInput`] when the edges are not increasing or an arm has not one count
/// per bin; text measurement errors.
pub fn overlap_figure(p: &OverlapPlot) -> Result<String, PlotError> {
    let bins = p.edges.len().saturating_sub(1);
    let increasing = p.edges.windows(2).all(|w| w[1] > w[0]);
    if bins == 0 || !increasing {
        return Err(PlotError::InvalidInput(
            "overlap histogram needs increasing bin edges".to_string(),
        ));
    }
    for arm in [&p.upper, &p.lower] {
        if arm.counts.len() != bins {
            return Err(PlotError::InvalidInput(format!(
                "arm `{}`: {} counts for {bins} bins",
                arm.label,
                arm.counts.len()
            )));
        }
    }
    let max = [&p.upper, &p.lower]
        .iter()
        .flat_map(|a| (0..bins).filter_map(move |i| percent(a, i)))
        .fold(1.0f64, f64::max);
    let (ticks, step) = axis::nice_ticks(0.0, max, 4);
    let top = *ticks.last().expect("ticks");
    let dec = axis::decimals_for(step);
    // the same ticks either side of 0, labelled by their magnitude
    let y_ticks: Vec<f64> = ticks
        .iter()
        .rev()
        .map(|t| -t)
        .chain(ticks.iter().skip(1).copied())
        .collect();
    let y_labels: Vec<String> = y_ticks.iter().map(|t| fixed(t.abs(), dec)).collect();
    let tick = TextSpec::new(theme::TICK);
    let x0 = PAD + theme::LABEL + 8.0 + axis::max_width(&y_labels, &tick)? + 13.0;
    let x1 = x0 + PLOT_W;
    let title_h = if p.title.is_empty() {
        0.0
    } else {
        theme::TITLE + 12.0
    };
    let plot_top = PAD + title_h + 10.0;
    let ys = Scale::linear(-top, top, plot_top + 2.0 * HALF_H, plot_top);
    let xs = Scale::linear(p.edges[0], p.edges[bins], x0, x1);
    let axis_y = plot_top + 2.0 * HALF_H;
    let xlabel_y = axis_y + 8.0 + theme::TICK + 10.0;
    let foot_y = xlabel_y + theme::LABEL + 10.0;
    let height = foot_y + p.footnotes.len() as f64 * 17.0 + PAD;
    let foot_w = p
        .footnotes
        .iter()
        .map(|f| TextSpec::new(theme::SMALL).width(f))
        .try_fold(0.0f64, |m, w| w.map(|w| m.max(w)))?;
    let width = (x1 + PAD).max(PAD + foot_w + PAD);
    let mut canvas = Canvas::new(
        width,
        height,
        if p.title.is_empty() {
            "Propensity score overlap"
        } else {
            &p.title
        },
    )?;
    canvas.layer("bars", |pen: &Pen| {
        pen.title(&p.title, (PAD, PAD))?;
        for t in y_ticks.iter().filter(|t| **t != 0.0) {
            pen.line((x0, ys.map(*t)), (x1, ys.map(*t)), theme::LIGHT, 1)?;
        }
        draw_arm(pen, p, &p.upper, 1.0, 0, (&xs, &ys))?;
        draw_arm(pen, p, &p.lower, -1.0, 1, (&xs, &ys))?;
        pen.line((x0, ys.map(0.0)), (x1, ys.map(0.0)), theme::BLACK, 1)?;
        axis::draw_y_axis(pen, &ys, x0, &y_ticks, &y_labels, theme::BLACK)?;
        pen.text(
            "Patients of the arm (%)",
            (PAD + theme::LABEL / 2.0, (ys.r0 + ys.r1) / 2.0),
            &TextSpec::new(theme::LABEL)
                .anchor(Anchor::Middle)
                .vertical(),
        )?;
        let x_ticks: Vec<f64> = (0..=5).map(|k| k as f64 / 5.0).collect();
        let x_labels: Vec<String> = x_ticks.iter().map(|t| fixed(*t, 1)).collect();
        axis::draw_x_axis(pen, &xs, axis_y, &x_ticks, &x_labels, theme::BLACK)?;
        pen.text(
            &p.x_label,
            ((x0 + x1) / 2.0, xlabel_y),
            &TextSpec::new(theme::LABEL)
                .anchor(Anchor::Middle)
                .baseline(Baseline::Top),
        )?;
        pen.footnotes(&p.footnotes, (PAD, foot_y))?;
        Ok(())
    })?;
    Ok(canvas.finish())
}

/// The percentage of the arm in bin `i`; `None` when the count or the total is withheld.
fn percent(a: &OverlapArm, i: usize) -> Option<f64> {
    theme::percent_of(a.counts[i], a.total)
}

/// One arm's bars on side `sign` (1 above the axis, -1 below), in group colour `g`, with its
/// label (and total) at the outer edge, and the withheld mark for a withheld bin.
fn draw_arm(
    pen: &Pen,
    p: &OverlapPlot,
    a: &OverlapArm,
    sign: f64,
    g: usize,
    (xs, ys): (&Scale, &Scale),
) -> Result<(), PlotError> {
    let col = theme::group_color(g);
    for (i, w) in p.edges.windows(2).enumerate() {
        let (bx0, bx1) = (xs.map(w[0]) + 0.5, xs.map(w[1]) - 0.5);
        match percent(a, i) {
            Some(v) if v > 0.0 => {
                pen.rect((bx0, ys.map(sign * v)), (bx1, ys.map(0.0)), col, true)?;
            }
            Some(_) => {}
            None => {
                let spec = TextSpec::new(theme::TICK)
                    .anchor(Anchor::Middle)
                    .baseline(if sign > 0.0 {
                        Baseline::Bottom
                    } else {
                        Baseline::Top
                    })
                    .color(col);
                let y = ys.map(0.0) - sign * 2.0;
                pen.text(&p.withheld, ((bx0 + bx1) / 2.0, y), &spec)?;
            }
        }
    }
    let n = a
        .total
        .map_or_else(|| p.withheld.clone(), |n| n.to_string());
    let y = if sign > 0.0 { ys.r1 + 4.0 } else { ys.r0 - 4.0 };
    let spec = TextSpec::new(theme::LABEL)
        .anchor(Anchor::End)
        .baseline(if sign > 0.0 {
            Baseline::Top
        } else {
            Baseline::Bottom
        })
        .color(col);
    pen.text(&format!("{} (n = {n})", a.label), (xs.r1 - 4.0, y), &spec)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn arm(label: &str, counts: Vec<Option<u64>>) -> OverlapArm {
        let total = counts.iter().map(|c| c.unwrap_or(0)).sum::<u64>();
        OverlapArm {
            label: label.into(),
            counts,
            total: Some(total),
        }
    }

    #[test]
    fn draws_both_arms_and_the_withheld_mark() {
        let p = OverlapPlot {
            title: "Overlap".into(),
            x_label: "Propensity score".into(),
            edges: vec![0.0, 0.25, 0.5, 0.75, 1.0],
            upper: arm("Treated", vec![Some(10), Some(20), None, Some(30)]),
            lower: arm("Control", vec![Some(40), Some(20), Some(10), Some(0)]),
            footnotes: vec!["a note".into()],
            withheld: "*".into(),
        };
        let svg = overlap_figure(&p).unwrap();
        assert!(svg.contains("Treated (n = 60)"), "{svg}");
        assert!(svg.contains("Control (n = 70)"));
        // the withheld bin's mark: text set apart on its own line in the SVG
        assert!(
            svg.lines().any(|l| l.trim() == "*"),
            "the withheld bin is marked"
        );
        let bad = OverlapPlot {
            edges: vec![0.0, 0.5],
            ..p
        };
        assert!(overlap_figure(&bad).is_err());
    }
}
