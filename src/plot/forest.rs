//! Forest plots on a log ratio axis: subgroup hazard or risk ratios with their interaction p, and
//! meta-analysis forests (filled by [`super::meta_forest`]: per-arm events/totals, weights, a
//! pooled diamond per subgroup, prediction intervals, heterogeneity lines and the test for
//! subgroup differences), laid out as in RevMan / metafor's `forest()`: text columns left of the
//! axis, the estimate and its interval to the right.

use super::axis::{self, Scale};
use super::canvas::{Anchor, Baseline, Canvas, Pen, TextSpec};
use super::theme::{self, fixed};
use super::PlotError;

/// What a row is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RowKind {
    /// One estimate: a square (area proportional to `weight`) with its interval.
    #[default]
    Estimate,
    /// A pooled estimate: a diamond spanning the interval.
    Pooled,
    /// A bold heading (subgroup name, variable name); no estimate.
    Header,
    /// A line of italic-free small text spanning the label columns (heterogeneity, tests).
    Note,
    /// An interval without a point estimate (a prediction interval): a dashed bar with end caps
    /// from `lower` to `upper`, its limits in the estimate column.
    Interval,
}

/// One row of a forest plot.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ForestRow {
    pub kind: RowKind,
    pub label: String,
    /// Indentation level of the label (0 or 1).
    pub indent: u8,
    /// Ratio estimate and interval on the ratio scale (e.g. HR, RR); NaN or None: no marker.
    pub estimate: Option<f64>,
    pub lower: Option<f64>,
    pub upper: Option<f64>,
    /// Relative weight (any scale; squares are scaled to the largest weight in the plot).
    pub weight: Option<f64>,
    /// Text for the left columns (after the label), one per [`ForestPlot::left_columns`].
    pub left: Vec<String>,
    /// Text for the right columns (after the estimate text), one per [`ForestPlot::right_columns`].
    pub right: Vec<String>,
}

/// A forest plot.
#[derive(Debug, Clone, PartialEq)]
pub struct ForestPlot {
    pub title: String,
    /// Heading of the label column, e.g. "Subgroup" or "Study".
    pub label_header: String,
    /// Headings of the text columns between the labels and the axis, e.g. "Anticoagulant
    /// events/total".
    pub left_columns: Vec<String>,
    /// Heading of the estimate text column, e.g. "HR (95% CI)".
    pub estimate_header: String,
    /// Headings of the text columns right of the estimate, e.g. "Weight", "P interaction".
    pub right_columns: Vec<String>,
    pub rows: Vec<ForestRow>,
    /// Axis title, e.g. "Hazard ratio (log scale)".
    pub x_label: String,
    /// Labels under the axis either side of 1, e.g. ("Favours anticoagulant", "Favours control").
    pub favours: Option<(String, String)>,
    /// Axis range; default from the intervals, always including 1.
    pub x_range: Option<(f64, f64)>,
    pub footnotes: Vec<String>,
}

impl Default for ForestPlot {
    fn default() -> Self {
        ForestPlot {
            title: String::new(),
            label_header: String::new(),
            left_columns: Vec::new(),
            estimate_header: "Ratio (95% CI)".to_string(),
            right_columns: Vec::new(),
            rows: Vec::new(),
            x_label: "Ratio (log scale)".to_string(),
            favours: None,
            x_range: None,
            footnotes: Vec::new(),
        }
    }
}

/// "0.85 (0.70–1.03)", two decimals.
pub fn ratio_text(est: f64, lo: f64, hi: f64) -> String {
    format!(
        "{} ({}\u{2013}{})",
        fixed(est, 2),
        fixed(lo, 2),
        fixed(hi, 2)
    )
}

/// "(0.55–1.40)": an interval without an estimate, two decimals.
pub fn interval_text(lo: f64, hi: f64) -> String {
    format!("({}\u{2013}{})", fixed(lo, 2), fixed(hi, 2))
}

const PAD: f64 = 14.0;
const ROW_H: f64 = 22.0;
const GAP: f64 = 18.0;
const AXIS_W: f64 = 300.0;

fn finite(v: Option<f64>) -> Option<f64> {
    v.filter(|x| x.is_finite() && *x > 0.0)
}

/// Draws a forest plot as SVG.
pub fn forest_figure(plot: &ForestPlot) -> Result<String, PlotError> {
    for (i, r) in plot.rows.iter().enumerate() {
        if r.left.len() > plot.left_columns.len() || r.right.len() > plot.right_columns.len() {
            return Err(PlotError::InvalidInput(format!(
                "forest row {} (`{}`) has more cells than column headings",
                i + 1,
                r.label
            )));
        }
        if let (Some(l), Some(u)) = (finite(r.lower), finite(r.upper)) {
            if l > u {
                return Err(PlotError::InvalidInput(format!(
                    "forest row {} (`{}`): lower limit above upper limit",
                    i + 1,
                    r.label
                )));
            }
        }
    }
    let text = TextSpec::new(theme::TICK);
    let bold = TextSpec::new(theme::TICK).bold();
    let head = TextSpec::new(theme::TICK).bold();
    let note = TextSpec::new(theme::SMALL).color(theme::DARK);

    // Column widths (Note rows span the label and left columns and are measured apart).
    let est_texts: Vec<String> = plot
        .rows
        .iter()
        .map(
            |r| match (finite(r.estimate), finite(r.lower), finite(r.upper)) {
                (Some(e), Some(l), Some(u))
                    if matches!(r.kind, RowKind::Estimate | RowKind::Pooled) =>
                {
                    ratio_text(e, l, u)
                }
                (_, Some(l), Some(u)) if r.kind == RowKind::Interval => interval_text(l, u),
                _ => String::new(),
            },
        )
        .collect();
    let mut label_w = head.width(&plot.label_header)?;
    for r in &plot.rows {
        if r.kind == RowKind::Note {
            continue;
        }
        let spec = if matches!(r.kind, RowKind::Header | RowKind::Pooled) {
            &bold
        } else {
            &text
        };
        label_w = label_w.max(spec.width(&r.label)? + 14.0 * r.indent as f64);
    }
    let col_w = |hdr: &str, cells: Vec<&str>| -> Result<f64, PlotError> {
        let mut w = head.width(hdr)?;
        for c in cells {
            w = w.max(text.width(c)?);
        }
        Ok(w)
    };
    let mut left_w = Vec::new();
    for (j, h) in plot.left_columns.iter().enumerate() {
        left_w.push(col_w(
            h,
            plot.rows
                .iter()
                .filter_map(|r| r.left.get(j).map(String::as_str))
                .collect(),
        )?);
    }
    let est_w = col_w(
        &plot.estimate_header,
        est_texts.iter().map(String::as_str).collect(),
    )?;
    let mut right_w = Vec::new();
    for (j, h) in plot.right_columns.iter().enumerate() {
        right_w.push(col_w(
            h,
            plot.rows
                .iter()
                .filter_map(|r| r.right.get(j).map(String::as_str))
                .collect(),
        )?);
    }
    let mut x = PAD;
    let label_x = x;
    x += label_w + GAP;
    let mut left_x = Vec::new(); // right edge of each left column (numbers right-aligned)
    for w in &left_w {
        x += w;
        left_x.push(x);
        x += GAP;
    }
    let axis_x0 = x + 8.0;
    let axis_x1 = axis_x0 + AXIS_W;
    x = axis_x1 + 8.0 + GAP;
    let est_x = x;
    x += est_w + GAP;
    let mut right_x = Vec::new(); // right edge
    for w in &right_w {
        x += w;
        right_x.push(x);
        x += GAP;
    }
    let notes_w = plot
        .rows
        .iter()
        .filter(|r| r.kind == RowKind::Note)
        .map(|r| note.width(&r.label))
        .try_fold(0.0f64, |m, w| w.map(|w| m.max(w)))?;
    let foot_w = plot
        .footnotes
        .iter()
        .map(|f| note.width(f))
        .try_fold(0.0f64, |m, w| w.map(|w| m.max(w)))?;
    let title_w = TextSpec::new(theme::TITLE).bold().width(&plot.title)?;
    let width = (x - GAP + PAD)
        .max(PAD + notes_w + PAD)
        .max(PAD + foot_w + PAD)
        .max(PAD + title_w + PAD);

    // Axis range: intervals, always including 1, snapped outward to the candidate ticks.
    let (lo, hi) = plot.x_range.unwrap_or_else(|| {
        let mut lo = 1.0f64;
        let mut hi = 1.0f64;
        for r in &plot.rows {
            for v in [r.lower, r.upper, r.estimate]
                .into_iter()
                .filter_map(finite)
            {
                lo = lo.min(v);
                hi = hi.max(v);
            }
        }
        let snap_lo = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5]
            .iter()
            .rev()
            .copied()
            .find(|t| *t <= lo)
            .unwrap_or(0.01);
        let snap_hi = [2.0, 5.0, 10.0, 20.0, 50.0, 100.0]
            .iter()
            .copied()
            .find(|t| *t >= hi)
            .unwrap_or(100.0);
        (snap_lo.min(0.5), snap_hi)
    });
    if !(lo > 0.0 && hi > lo) {
        return Err(PlotError::InvalidInput(
            "forest axis range must be positive and increasing".to_string(),
        ));
    }
    let xs = Scale::log(lo, hi, axis_x0, axis_x1);
    let ticks = axis::log_ticks(lo, hi);
    let tick_labels: Vec<String> = ticks.iter().map(|t| axis::log_tick_label(*t)).collect();
    let (ticks, tick_labels) = axis::thin_ticks(
        &xs,
        &ticks,
        &tick_labels,
        &TextSpec::new(theme::TICK),
        Some(1.0),
    )?;

    let mut y = PAD;
    let title_y = y;
    if !plot.title.is_empty() {
        y += theme::TITLE + 12.0;
    }
    let header_y = y + ROW_H / 2.0;
    y += ROW_H + 4.0;
    let rows_top = y;
    let row_y: Vec<f64> = (0..plot.rows.len())
        .map(|i| rows_top + i as f64 * ROW_H + ROW_H / 2.0)
        .collect();
    let rows_bottom = rows_top + plot.rows.len() as f64 * ROW_H;
    let axis_y = rows_bottom + 4.0;
    let mut y = axis_y + 8.0 + theme::TICK + 8.0;
    let favours_y = y;
    if plot.favours.is_some() {
        y += 18.0;
    }
    let xlabel_y = y;
    y += theme::LABEL + 10.0;
    let foot_y = y;
    y += plot.footnotes.len() as f64 * 17.0 + PAD;

    let max_w = plot
        .rows
        .iter()
        .filter_map(|r| r.weight)
        .filter(|w| w.is_finite() && *w > 0.0)
        .fold(0.0f64, f64::max);
    let mut canvas = Canvas::new(
        width,
        y,
        if plot.title.is_empty() {
            "Forest plot"
        } else {
            &plot.title
        },
    )?;

    canvas.layer("header", |pen: &Pen| {
        if !plot.title.is_empty() {
            pen.text(
                &plot.title,
                (PAD, title_y),
                &TextSpec::new(theme::TITLE).bold().baseline(Baseline::Top),
            )?;
        }
        pen.text(&plot.label_header, (label_x, header_y), &head)?;
        for (j, h) in plot.left_columns.iter().enumerate() {
            pen.text(h, (left_x[j], header_y), &head.anchor(Anchor::End))?;
        }
        pen.text(&plot.estimate_header, (est_x, header_y), &head)?;
        for (j, h) in plot.right_columns.iter().enumerate() {
            pen.text(h, (right_x[j], header_y), &head.anchor(Anchor::End))?;
        }
        pen.line(
            (PAD, rows_top - 2.0),
            (width - PAD, rows_top - 2.0),
            theme::GREY,
            1,
        )
    })?;
    canvas.layer("rows", |pen: &Pen| {
        for (i, r) in plot.rows.iter().enumerate() {
            let yy = row_y[i];
            if r.kind == RowKind::Note {
                pen.text(&r.label, (label_x + 14.0 * r.indent as f64, yy), &note)?;
                continue;
            }
            let spec = if matches!(r.kind, RowKind::Header | RowKind::Pooled) {
                bold
            } else {
                text
            };
            pen.text(&r.label, (label_x + 14.0 * r.indent as f64, yy), &spec)?;
            for (j, c) in r.left.iter().enumerate() {
                pen.text(c, (left_x[j], yy), &spec.anchor(Anchor::End))?;
            }
            pen.text(&est_texts[i], (est_x, yy), &spec)?;
            for (j, c) in r.right.iter().enumerate() {
                pen.text(c, (right_x[j], yy), &spec.anchor(Anchor::End))?;
            }
        }
        Ok(())
    })?;
    canvas.layer("axis", |pen: &Pen| {
        // Line of no effect.
        // Line of no effect, interrupted by note rows (they may be wider than the text columns).
        let x1 = xs.map(1.0);
        let mut top = rows_top - 2.0;
        for (i, r) in plot.rows.iter().enumerate() {
            if r.kind == RowKind::Note {
                let y_note = row_y[i] - ROW_H / 2.0;
                if y_note > top {
                    pen.line((x1, top), (x1, y_note), theme::BLACK, 1)?;
                }
                top = y_note + ROW_H;
            }
        }
        if axis_y > top {
            pen.line((x1, top), (x1, axis_y), theme::BLACK, 1)?;
        }
        axis::draw_x_axis(pen, &xs, axis_y, &ticks, &tick_labels, theme::BLACK)?;
        if let Some((l, r)) = &plot.favours {
            let s = TextSpec::new(theme::SMALL).color(theme::DARK);
            pen.text(l, (x1 - 6.0, favours_y + 8.0), &s.anchor(Anchor::End))?;
            pen.text(r, (x1 + 6.0, favours_y + 8.0), &s)?;
        }
        pen.text(
            &plot.x_label,
            ((axis_x0 + axis_x1) / 2.0, xlabel_y),
            &TextSpec::new(theme::LABEL)
                .anchor(Anchor::Middle)
                .baseline(Baseline::Top),
        )
    })?;
    canvas.layer("estimates", |pen: &Pen| {
        for (i, r) in plot.rows.iter().enumerate() {
            let yy = row_y[i];
            if r.kind == RowKind::Interval {
                if let (Some(l), Some(u)) = (finite(r.lower), finite(r.upper)) {
                    let (xl, xu) = (xs.map_clamped(l), xs.map_clamped(u));
                    pen.dashed(&[(xl, yy), (xu, yy)], theme::DARK, 2, 5.0, 3.0)?;
                    for (x, inside) in [(xl, l >= lo), (xu, u <= hi)] {
                        if inside {
                            pen.line((x, yy - 5.0), (x, yy + 5.0), theme::DARK, 2)?;
                        }
                    }
                }
                continue;
            }
            let (Some(e), Some(l), Some(u)) =
                (finite(r.estimate), finite(r.lower), finite(r.upper))
            else {
                continue;
            };
            match r.kind {
                RowKind::Estimate => {
                    let xl = xs.map_clamped(l);
                    let xu = xs.map_clamped(u);
                    pen.line((xl, yy), (xu, yy), theme::BLACK, 1)?;
                    // Arrow heads where the interval leaves the axis.
                    if l < lo {
                        pen.polyline(
                            &[(xl + 5.0, yy - 4.0), (xl, yy), (xl + 5.0, yy + 4.0)],
                            theme::BLACK,
                            1,
                        )?;
                    }
                    if u > hi {
                        pen.polyline(
                            &[(xu - 5.0, yy - 4.0), (xu, yy), (xu - 5.0, yy + 4.0)],
                            theme::BLACK,
                            1,
                        )?;
                    }
                    if xs.contains(e) {
                        let side = match r.weight {
                            Some(w) if max_w > 0.0 && w.is_finite() && w > 0.0 => {
                                4.0 + 10.0 * (w / max_w).sqrt()
                            }
                            _ => 8.0,
                        };
                        let xe = xs.map(e);
                        pen.rect(
                            (xe - side / 2.0, yy - side / 2.0),
                            (xe + side / 2.0, yy + side / 2.0),
                            theme::PALETTE[0],
                            true,
                        )?;
                    }
                }
                RowKind::Pooled => {
                    let (xl, xe, xu) = (xs.map_clamped(l), xs.map_clamped(e), xs.map_clamped(u));
                    pen.polygon(
                        &[(xl, yy), (xe, yy - 7.0), (xu, yy), (xe, yy + 7.0)],
                        theme::BLACK,
                        1.0,
                    )?;
                }
                _ => {}
            }
        }
        Ok(())
    })?;
    if !plot.footnotes.is_empty() {
        canvas.layer("footnotes", |pen: &Pen| {
            for (i, f) in plot.footnotes.iter().enumerate() {
                pen.text(
                    f,
                    (PAD, foot_y + i as f64 * 17.0),
                    &note.baseline(Baseline::Top),
                )?;
            }
            Ok(())
        })?;
    }
    Ok(canvas.finish())
}

pub use super::meta_forest::{meta_forest, MetaForestLabels};
