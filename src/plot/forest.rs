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
///
/// # Errors
/// [`PlotError::InvalidInput`] when a row has more cells than headings, a lower limit lies above
/// its upper limit, or the axis range is not positive and increasing; text measurement errors.
pub fn forest_figure(plot: &ForestPlot) -> Result<String, PlotError> {
    check_rows(plot)?;
    let specs = Specs::new();
    let est_texts = estimate_texts(plot);
    let cols = Columns::measure(plot, &est_texts, &specs)?;
    let (lo, hi) = axis_range(plot)?;
    let xs = Scale::log(lo, hi, cols.axis_x0, cols.axis_x1);
    let ticks = axis::log_ticks(lo, hi);
    let tick_labels: Vec<String> = ticks.iter().map(|t| axis::log_tick_label(*t)).collect();
    let (ticks, tick_labels) = axis::thin_ticks(
        &xs,
        &ticks,
        &tick_labels,
        &TextSpec::new(theme::TICK),
        Some(1.0),
    )?;
    let rows = Rows::place(plot);
    let mut canvas = Canvas::new(
        cols.width,
        rows.height,
        if plot.title.is_empty() {
            "Forest plot"
        } else {
            &plot.title
        },
    )?;
    canvas.layer("header", |pen: &Pen| {
        draw_header(pen, plot, &cols, &rows, &specs)
    })?;
    canvas.layer("rows", |pen: &Pen| {
        draw_row_text(pen, plot, &est_texts, &cols, &rows, &specs)
    })?;
    canvas.layer("axis", |pen: &Pen| {
        draw_no_effect_line(pen, plot, &xs, &rows)?;
        axis::draw_x_axis(pen, &xs, rows.axis_y, &ticks, &tick_labels, theme::BLACK)?;
        if let Some((l, r)) = &plot.favours {
            let s = TextSpec::new(theme::SMALL).color(theme::DARK);
            let x1 = xs.map(1.0);
            pen.text(l, (x1 - 6.0, rows.favours_y + 8.0), &s.anchor(Anchor::End))?;
            pen.text(r, (x1 + 6.0, rows.favours_y + 8.0), &s)?;
        }
        pen.text(
            &plot.x_label,
            ((cols.axis_x0 + cols.axis_x1) / 2.0, rows.xlabel_y),
            &TextSpec::new(theme::LABEL)
                .anchor(Anchor::Middle)
                .baseline(Baseline::Top),
        )
    })?;
    let max_w = plot
        .rows
        .iter()
        .filter_map(|r| r.weight)
        .filter(|w| w.is_finite() && *w > 0.0)
        .fold(0.0f64, f64::max);
    canvas.layer("estimates", |pen: &Pen| {
        for (r, &yy) in plot.rows.iter().zip(&rows.row_y) {
            draw_marker(pen, r, yy, &xs, (lo, hi), max_w)?;
        }
        Ok(())
    })?;
    if !plot.footnotes.is_empty() {
        canvas.layer("footnotes", |pen: &Pen| {
            for (i, f) in plot.footnotes.iter().enumerate() {
                pen.text(
                    f,
                    (PAD, rows.foot_y + i as f64 * 17.0),
                    &specs.note.baseline(Baseline::Top),
                )?;
            }
            Ok(())
        })?;
    }
    Ok(canvas.finish())
}

/// Every row has no more cells than headings and its limits in order.
fn check_rows(plot: &ForestPlot) -> Result<(), PlotError> {
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
    Ok(())
}

/// The text styles of a forest plot.
struct Specs {
    text: TextSpec,
    bold: TextSpec,
    head: TextSpec,
    note: TextSpec,
}

impl Specs {
    fn new() -> Self {
        Specs {
            text: TextSpec::new(theme::TICK),
            bold: TextSpec::new(theme::TICK).bold(),
            head: TextSpec::new(theme::TICK).bold(),
            note: TextSpec::new(theme::SMALL).color(theme::DARK),
        }
    }

    /// Headings and pooled rows are bold.
    fn for_row(&self, r: &ForestRow) -> TextSpec {
        if matches!(r.kind, RowKind::Header | RowKind::Pooled) {
            self.bold
        } else {
            self.text
        }
    }
}

/// The estimate column's text of each row: "0.85 (0.70–1.03)", "(0.55–1.40)" or empty.
fn estimate_texts(plot: &ForestPlot) -> Vec<String> {
    plot.rows
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
        .collect()
}

/// Horizontal layout: where each column starts (or, right-aligned, ends) and the width.
struct Columns {
    label_x: f64,
    /// Right edge of each left column (numbers right-aligned).
    left_x: Vec<f64>,
    axis_x0: f64,
    axis_x1: f64,
    est_x: f64,
    /// Right edge of each right column.
    right_x: Vec<f64>,
    width: f64,
}

impl Columns {
    /// Column widths from their text (Note rows span the label and left columns and are
    /// measured apart), the axis between the left columns and the estimate.
    fn measure(plot: &ForestPlot, est_texts: &[String], s: &Specs) -> Result<Self, PlotError> {
        let mut label_w = s.head.width(&plot.label_header)?;
        for r in plot.rows.iter().filter(|r| r.kind != RowKind::Note) {
            label_w = label_w.max(s.for_row(r).width(&r.label)? + 14.0 * r.indent as f64);
        }
        let col_w = |hdr: &str, cells: Vec<&str>| -> Result<f64, PlotError> {
            let mut w = s.head.width(hdr)?;
            for c in cells {
                w = w.max(s.text.width(c)?);
            }
            Ok(w)
        };
        let cells = |j: usize, right: bool| -> Vec<&str> {
            plot.rows
                .iter()
                .filter_map(|r| if right { r.right.get(j) } else { r.left.get(j) })
                .map(String::as_str)
                .collect()
        };
        let mut x = PAD;
        let label_x = x;
        x += label_w + GAP;
        let mut left_x = Vec::new();
        for (j, h) in plot.left_columns.iter().enumerate() {
            x += col_w(h, cells(j, false))?;
            left_x.push(x);
            x += GAP;
        }
        let axis_x0 = x + 8.0;
        let axis_x1 = axis_x0 + AXIS_W;
        x = axis_x1 + 8.0 + GAP;
        let est_x = x;
        x += col_w(
            &plot.estimate_header,
            est_texts.iter().map(String::as_str).collect(),
        )? + GAP;
        let mut right_x = Vec::new();
        for (j, h) in plot.right_columns.iter().enumerate() {
            x += col_w(h, cells(j, true))?;
            right_x.push(x);
            x += GAP;
        }
        let widest = |texts: &mut dyn Iterator<Item = &String>| {
            texts
                .map(|t| s.note.width(t))
                .try_fold(0.0f64, |m, w| w.map(|w| m.max(w)))
        };
        let notes_w = widest(
            &mut plot
                .rows
                .iter()
                .filter(|r| r.kind == RowKind::Note)
                .map(|r| &r.label),
        )?;
        let foot_w = widest(&mut plot.footnotes.iter())?;
        let title_w = TextSpec::new(theme::TITLE).bold().width(&plot.title)?;
        let width = (x - GAP + PAD)
            .max(PAD + notes_w + PAD)
            .max(PAD + foot_w + PAD)
            .max(PAD + title_w + PAD);
        Ok(Columns {
            label_x,
            left_x,
            axis_x0,
            axis_x1,
            est_x,
            right_x,
            width,
        })
    }
}

/// Axis range: the plot's own, else the intervals, always including 1, snapped outward to the
/// candidate ticks.
fn axis_range(plot: &ForestPlot) -> Result<(f64, f64), PlotError> {
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
    Ok((lo, hi))
}

/// Vertical layout: title, header, one band per row, axis, favours labels, axis title,
/// footnotes.
struct Rows {
    title_y: f64,
    header_y: f64,
    rows_top: f64,
    /// Centre line of each row.
    row_y: Vec<f64>,
    axis_y: f64,
    favours_y: f64,
    xlabel_y: f64,
    foot_y: f64,
    height: f64,
}

impl Rows {
    fn place(plot: &ForestPlot) -> Self {
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
        Rows {
            title_y,
            header_y,
            rows_top,
            row_y,
            axis_y,
            favours_y,
            xlabel_y,
            foot_y,
            height: y,
        }
    }
}

/// The title, the column headings and the rule under them.
fn draw_header(
    pen: &Pen,
    plot: &ForestPlot,
    cols: &Columns,
    rows: &Rows,
    s: &Specs,
) -> Result<(), PlotError> {
    pen.title(&plot.title, (PAD, rows.title_y))?;
    let y = rows.header_y;
    pen.text(&plot.label_header, (cols.label_x, y), &s.head)?;
    for (h, &x) in plot.left_columns.iter().zip(&cols.left_x) {
        pen.text(h, (x, y), &s.head.anchor(Anchor::End))?;
    }
    pen.text(&plot.estimate_header, (cols.est_x, y), &s.head)?;
    for (h, &x) in plot.right_columns.iter().zip(&cols.right_x) {
        pen.text(h, (x, y), &s.head.anchor(Anchor::End))?;
    }
    pen.line(
        (PAD, rows.rows_top - 2.0),
        (cols.width - PAD, rows.rows_top - 2.0),
        theme::GREY,
        1,
    )
}

/// Each row's label and text cells (a note row's text spans the label columns).
fn draw_row_text(
    pen: &Pen,
    plot: &ForestPlot,
    est_texts: &[String],
    cols: &Columns,
    rows: &Rows,
    s: &Specs,
) -> Result<(), PlotError> {
    for (i, r) in plot.rows.iter().enumerate() {
        let yy = rows.row_y[i];
        let label_x = cols.label_x + 14.0 * r.indent as f64;
        if r.kind == RowKind::Note {
            pen.text(&r.label, (label_x, yy), &s.note)?;
            continue;
        }
        let spec = s.for_row(r);
        pen.text(&r.label, (label_x, yy), &spec)?;
        for (c, &x) in r.left.iter().zip(&cols.left_x) {
            pen.text(c, (x, yy), &spec.anchor(Anchor::End))?;
        }
        pen.text(&est_texts[i], (cols.est_x, yy), &spec)?;
        for (c, &x) in r.right.iter().zip(&cols.right_x) {
            pen.text(c, (x, yy), &spec.anchor(Anchor::End))?;
        }
    }
    Ok(())
}

/// The line of no effect, interrupted by note rows (they may be wider than the text columns).
fn draw_no_effect_line(
    pen: &Pen,
    plot: &ForestPlot,
    xs: &Scale,
    rows: &Rows,
) -> Result<(), PlotError> {
    let x1 = xs.map(1.0);
    let mut top = rows.rows_top - 2.0;
    for (r, &yy) in plot.rows.iter().zip(&rows.row_y) {
        if r.kind == RowKind::Note {
            let y_note = yy - ROW_H / 2.0;
            if y_note > top {
                pen.line((x1, top), (x1, y_note), theme::BLACK, 1)?;
            }
            top = y_note + ROW_H;
        }
    }
    if rows.axis_y > top {
        pen.line((x1, top), (x1, rows.axis_y), theme::BLACK, 1)?;
    }
    Ok(())
}

/// One row's marker: a dashed capped bar (interval), a square sized by weight with its interval
/// and arrow heads where it leaves the axis (estimate), or a diamond (pooled).
fn draw_marker(
    pen: &Pen,
    r: &ForestRow,
    yy: f64,
    xs: &Scale,
    (lo, hi): (f64, f64),
    max_w: f64,
) -> Result<(), PlotError> {
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
        return Ok(());
    }
    let (Some(e), Some(l), Some(u)) = (finite(r.estimate), finite(r.lower), finite(r.upper)) else {
        return Ok(());
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
    Ok(())
}

pub use super::meta_forest::{meta_forest, MetaForestLabels};
