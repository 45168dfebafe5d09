//! Love plot: absolute standardised mean differences of baseline covariates before and after
//! weighting or matching, with the conventional 0.1 reference line (Austin 2009; as
//! `cobalt::love.plot`).

use super::axis::{self, Scale};
use super::canvas::{Anchor, Baseline, Canvas, Pen, TextSpec};
use super::theme::{self, fixed};
use super::PlotError;

/// One covariate: SMDs before and after adjustment (sign is ignored; NaN: not drawn).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LoveRow {
    pub label: String,
    pub before: f64,
    pub after: f64,
}

/// A Love plot.
#[derive(Debug, Clone, PartialEq)]
pub struct LovePlot {
    pub title: String,
    pub rows: Vec<LoveRow>,
    pub before_label: String,
    pub after_label: String,
    pub threshold: f64,
    pub footnotes: Vec<String>,
}

impl Default for LovePlot {
    fn default() -> Self {
        LovePlot {
            title: String::new(),
            rows: Vec::new(),
            before_label: "Unadjusted".to_string(),
            after_label: "Weighted".to_string(),
            threshold: 0.1,
            footnotes: Vec::new(),
        }
    }
}

const PAD: f64 = 14.0;
const ROW_H: f64 = 20.0;
const AXIS_W: f64 = 360.0;

/// Draws the Love plot as SVG.
pub fn love_figure(p: &LovePlot) -> Result<String, PlotError> {
    if p.rows.is_empty() {
        return Err(PlotError::InvalidInput(
            "Love plot has no covariates".to_string(),
        ));
    }
    let text = TextSpec::new(theme::TICK);
    let label_w = p
        .rows
        .iter()
        .map(|r| text.width(&r.label))
        .try_fold(0.0f64, |m, w| w.map(|w| m.max(w)))?;
    let max = p
        .rows
        .iter()
        .flat_map(|r| [r.before.abs(), r.after.abs()])
        .filter(|v| v.is_finite())
        .fold(p.threshold.max(0.2), f64::max);
    let (ticks, step) = axis::nice_ticks(0.0, max, 5);
    let hi = *ticks.last().expect("ticks");
    let dec = axis::decimals_for(step);
    let labels: Vec<String> = ticks.iter().map(|t| fixed(*t, dec)).collect();
    let x0 = PAD + label_w + 16.0;
    let xs = Scale::linear(0.0, hi, x0, x0 + AXIS_W);
    let title_h = if p.title.is_empty() {
        0.0
    } else {
        theme::TITLE + 12.0
    };
    let legend_y = PAD + title_h + 10.0;
    let top = legend_y + 22.0;
    let row_y: Vec<f64> = (0..p.rows.len())
        .map(|i| top + i as f64 * ROW_H + ROW_H / 2.0)
        .collect();
    let axis_y = top + p.rows.len() as f64 * ROW_H + 4.0;
    let xlabel_y = axis_y + 8.0 + theme::TICK + 10.0;
    let foot_y = xlabel_y + theme::LABEL + 10.0;
    let height = foot_y + p.footnotes.len() as f64 * 17.0 + PAD;
    let small = TextSpec::new(theme::SMALL);
    let foot_w = p
        .footnotes
        .iter()
        .map(|f| small.width(f))
        .try_fold(0.0f64, |m, w| w.map(|w| m.max(w)))?;
    let width = (x0 + AXIS_W + 20.0 + PAD).max(PAD + foot_w + PAD);
    let mut canvas = Canvas::new(
        width,
        height,
        if p.title.is_empty() {
            "Covariate balance"
        } else {
            &p.title
        },
    )?;
    canvas.layer("love", |pen: &Pen| {
        pen.title(&p.title, (PAD, PAD))?;
        // Legend.
        let before_c = theme::PALETTE[1];
        let after_c = theme::PALETTE[0];
        pen.circle((x0 + 6.0, legend_y), 4.0, before_c, false)?;
        pen.text(
            &p.before_label,
            (x0 + 16.0, legend_y),
            &TextSpec::new(theme::LABEL),
        )?;
        let lx = x0 + 16.0 + TextSpec::new(theme::LABEL).width(&p.before_label)? + 24.0;
        pen.circle((lx + 6.0, legend_y), 4.0, after_c, true)?;
        pen.text(
            &p.after_label,
            (lx + 16.0, legend_y),
            &TextSpec::new(theme::LABEL),
        )?;
        for (i, r) in p.rows.iter().enumerate() {
            let y = row_y[i];
            pen.line((x0, y), (x0 + AXIS_W, y), theme::LIGHT, 1)?;
            pen.text(&r.label, (PAD + label_w, y), &text.anchor(Anchor::End))?;
        }
        let xt = xs.map(p.threshold);
        pen.dashed(&[(xt, top), (xt, axis_y)], theme::GREY, 1, 5.0, 4.0)?;
        pen.line((x0, top), (x0, axis_y), theme::BLACK, 1)?;
        for (i, r) in p.rows.iter().enumerate() {
            let y = row_y[i];
            if r.before.is_finite() {
                pen.circle((xs.map_clamped(r.before.abs()), y), 4.0, before_c, false)?;
            }
            if r.after.is_finite() {
                pen.circle((xs.map_clamped(r.after.abs()), y), 4.0, after_c, true)?;
            }
        }
        axis::draw_x_axis(pen, &xs, axis_y, &ticks, &labels, theme::BLACK)?;
        pen.text(
            "Absolute standardised mean difference",
            ((xs.r0 + xs.r1) / 2.0, xlabel_y),
            &TextSpec::new(theme::LABEL)
                .anchor(Anchor::Middle)
                .baseline(Baseline::Top),
        )?;
        for (i, f) in p.footnotes.iter().enumerate() {
            pen.text(
                f,
                (PAD, foot_y + i as f64 * 17.0),
                &small.color(theme::DARK).baseline(Baseline::Top),
            )?;
        }
        Ok(())
    })?;
    Ok(canvas.finish())
}
