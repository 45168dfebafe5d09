//! Kaplan-Meier (and cumulative-incidence) curves with confidence bands, censor marks, test
//! annotations and a number-at-risk table drawn under the plot on the plot's own x scale: the
//! x of every count is `Scale::map(time)`, the same call that places the tick mark and tick label
//! of that time (the alignment test in `tests/plot_km.rs` checks it in the SVG).

use plotters::style::RGBColor;

use super::axis::{self, decimals_for, Scale};
use super::canvas::{Anchor, Baseline, Canvas, Pen, TextSpec};
use super::theme::{self, fixed};
use super::PlotError;

/// One step curve: `value[i]` holds from `time[i]` until the next time (R `survfit` `surv`, or a
/// cumulative incidence). `lower`/`upper` are the pointwise confidence limits (empty: no band;
/// NaN: no band on that step).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct KmCurve {
    pub label: String,
    pub time: Vec<f64>,
    pub surv: Vec<f64>,
    pub lower: Vec<f64>,
    pub upper: Vec<f64>,
    /// Times of censoring, marked with a vertical tick on the curve.
    pub censor_times: Vec<f64>,
    /// Draw dashed (e.g. a competing event in a cumulative-incidence plot).
    pub dashed: bool,
    /// Colour index into [`theme::PALETTE`]; `None` uses the curve's position.
    pub color: Option<usize>,
}

/// One row of the number-at-risk table; `None` is a count withheld by disclosure control.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RiskRow {
    pub label: String,
    pub counts: Vec<Option<u64>>,
}

/// The number-at-risk table: `times` are also the x-axis ticks of the plot.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RiskTable {
    pub title: String,
    pub times: Vec<f64>,
    pub rows: Vec<RiskRow>,
    /// Text drawn in place of a withheld count (`None`), given by the caller.
    pub withheld: String,
}

impl RiskTable {
    /// Entry `k` of `row` as printed.
    fn text(&self, row: &RiskRow, k: usize) -> String {
        row.counts[k].map_or_else(|| self.withheld.clone(), |n| n.to_string())
    }
}

/// Survival curves start at 1 and fall; cumulative incidence starts at 0 and rises.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CurveKind {
    #[default]
    Survival,
    Incidence,
}

/// A Kaplan-Meier (or cumulative-incidence) figure or grid panel.
#[derive(Debug, Clone, PartialEq)]
pub struct KmPlot {
    pub title: String,
    pub kind: CurveKind,
    pub curves: Vec<KmCurve>,
    pub risk_table: Option<RiskTable>,
    pub x_label: String,
    pub y_label: String,
    /// Right end of the time axis; default: the last risk-table time or the last observed time.
    pub x_max: Option<f64>,
    pub y_range: (f64, f64),
    pub show_ci: bool,
    /// Lines printed above the plot, e.g. "Log-rank p = 0.012".
    pub annotations: Vec<String>,
    /// Lines printed under the figure, e.g. the disclosure-control note.
    pub footnotes: Vec<String>,
}

impl Default for KmPlot {
    fn default() -> Self {
        KmPlot {
            title: String::new(),
            kind: CurveKind::Survival,
            curves: Vec::new(),
            risk_table: None,
            x_label: "Days".to_string(),
            y_label: "Survival probability".to_string(),
            x_max: None,
            y_range: (0.0, 1.0),
            show_ci: true,
            annotations: Vec::new(),
            footnotes: Vec::new(),
        }
    }
}

const PAD: f64 = 14.0;
const PLOT_H: f64 = 300.0;
const ROW_H: f64 = 20.0;
const LEGEND_H: f64 = 20.0;

fn curve_color(c: &KmCurve, i: usize) -> RGBColor {
    theme::group_color(c.color.unwrap_or(i))
}

/// Computed positions of one panel.
struct Layout {
    /// Panel origin.
    ox: f64,
    height: f64,
    title_y: f64,
    legend: Vec<Vec<(usize, f64)>>, // lines of (curve index, x offset from plot left)
    legend_y: f64,
    annot_y: f64,
    xs: Scale,
    ys: Scale,
    ticks: Vec<f64>,
    tick_labels: Vec<String>,
    y_ticks: Vec<f64>,
    y_tick_labels: Vec<String>,
    y_title_x: f64,
    x_title_y: f64,
    risk_title_y: f64,
    risk_row_y: Vec<f64>,
    risk_label_x: f64,
    foot_y: f64,
}

fn validate(plot: &KmPlot) -> Result<(), PlotError> {
    for c in &plot.curves {
        if c.time.len() != c.surv.len() {
            return Err(PlotError::InvalidInput(format!(
                "curve `{}`: {} times but {} values",
                c.label,
                c.time.len(),
                c.surv.len()
            )));
        }
        if (!c.lower.is_empty() || !c.upper.is_empty())
            && (c.lower.len() != c.time.len() || c.upper.len() != c.time.len())
        {
            return Err(PlotError::InvalidInput(format!(
                "curve `{}`: confidence limits must have one value per time",
                c.label
            )));
        }
        if c.time.windows(2).any(|w| w[1] < w[0]) || c.time.iter().any(|t| !t.is_finite()) {
            return Err(PlotError::InvalidInput(format!(
                "curve `{}`: times must be finite and non-decreasing",
                c.label
            )));
        }
    }
    if let Some(rt) = &plot.risk_table {
        if rt.times.windows(2).any(|w| w[1] <= w[0]) {
            return Err(PlotError::InvalidInput(
                "risk table times must be increasing".to_string(),
            ));
        }
        for r in &rt.rows {
            if r.counts.len() != rt.times.len() {
                return Err(PlotError::InvalidInput(format!(
                    "risk table row `{}`: {} counts for {} times",
                    r.label,
                    r.counts.len(),
                    rt.times.len()
                )));
            }
        }
    }
    if plot.y_range.1.partial_cmp(&plot.y_range.0) != Some(std::cmp::Ordering::Greater) {
        return Err(PlotError::InvalidInput(
            "y range must be increasing".to_string(),
        ));
    }
    Ok(())
}

fn last_time(plot: &KmPlot) -> f64 {
    plot.curves
        .iter()
        .flat_map(|c| c.time.iter().chain(c.censor_times.iter()))
        .fold(0.0f64, |m, &t| m.max(t))
}

/// The legend broken into lines that fit `avail` pixels: (curve index, x offset) per entry.
fn legend_lines(plot: &KmPlot, avail: f64) -> Result<Vec<Vec<(usize, f64)>>, PlotError> {
    let label_spec = TextSpec::new(theme::LABEL);
    let mut legend: Vec<Vec<(usize, f64)>> = Vec::new();
    let mut line: Vec<(usize, f64)> = Vec::new();
    let mut cx = 0.0;
    for (i, c) in plot.curves.iter().enumerate() {
        let w = 26.0 + label_spec.width(&c.label)?;
        if cx > 0.0 && cx + w > avail {
            legend.push(std::mem::take(&mut line));
            cx = 0.0;
        }
        line.push((i, cx));
        cx += w + 22.0;
    }
    if !line.is_empty() {
        legend.push(line);
    }
    Ok(legend)
}

fn layout(plot: &KmPlot, ox: f64, oy: f64, width: f64) -> Result<Layout, PlotError> {
    let tick_spec = TextSpec::new(theme::TICK);
    // x ticks: the risk-table times when there is a table, else day ticks.
    let ticks: Vec<f64> = match &plot.risk_table {
        Some(rt) if !rt.times.is_empty() => rt.times.clone(),
        _ => axis::day_ticks(plot.x_max.unwrap_or_else(|| last_time(plot))),
    };
    let x_lo = ticks.first().copied().unwrap_or(0.0).min(0.0);
    let x_hi = plot.x_max.unwrap_or_else(|| {
        ticks
            .last()
            .copied()
            .unwrap_or(1.0)
            .max(if plot.risk_table.is_some() {
                0.0
            } else {
                last_time(plot)
            })
    });
    let x_hi = if x_hi > x_lo { x_hi } else { x_lo + 1.0 };
    let step = ticks
        .windows(2)
        .map(|w| w[1] - w[0])
        .fold(f64::INFINITY, f64::min);
    let dec = if step.is_finite() {
        decimals_for(step)
    } else {
        0
    };
    let tick_labels: Vec<String> = ticks.iter().map(|t| fixed(*t, dec)).collect();

    let (y_ticks, y_step) = axis::nice_ticks(plot.y_range.0, plot.y_range.1, 5);
    let y_ticks: Vec<f64> = y_ticks
        .into_iter()
        .filter(|t| *t >= plot.y_range.0 - 1e-9 && *t <= plot.y_range.1 + 1e-9)
        .collect();
    let ydec = decimals_for(y_step).max(1);
    let y_tick_labels: Vec<String> = y_ticks.iter().map(|t| fixed(*t, ydec)).collect();

    // Left margin: y title + y tick labels, or risk-table labels + half the first count.
    let ytick_w = axis::max_width(&y_tick_labels, &tick_spec)?;
    let mut left = PAD + theme::LABEL + 8.0 + ytick_w + 8.0 + 5.0;
    let mut right = PAD;
    let count_strings = |i: usize| -> Vec<String> {
        plot.risk_table
            .as_ref()
            .map(|rt| rt.rows.iter().map(|r| rt.text(r, i)).collect())
            .unwrap_or_default()
    };
    let first_half = if plot
        .risk_table
        .as_ref()
        .is_some_and(|rt| !rt.times.is_empty())
    {
        axis::max_width(&count_strings(0), &tick_spec)? / 2.0
    } else {
        0.0
    };
    let risk_label_w = match &plot.risk_table {
        Some(rt) => axis::max_width(
            &rt.rows.iter().map(|r| r.label.clone()).collect::<Vec<_>>(),
            &tick_spec,
        )?,
        None => 0.0,
    };
    if plot.risk_table.is_some() {
        left = left.max(PAD + risk_label_w + 18.0 + first_half);
    }
    let last_half = match &plot.risk_table {
        Some(rt) if !rt.times.is_empty() => {
            axis::max_width(&count_strings(rt.times.len() - 1), &tick_spec)? / 2.0
        }
        _ => 0.0,
    };
    let last_tick_half =
        tick_spec.width(tick_labels.last().map(String::as_str).unwrap_or(""))? / 2.0;
    right = right.max(PAD + last_half.max(last_tick_half));
    let x0 = ox + left;
    let x1 = ox + width - right;
    if x1 - x0 < 120.0 {
        return Err(PlotError::InvalidInput(format!(
            "panel width {width} too small for its labels"
        )));
    }

    // Header: title, legend lines, annotation lines.
    let mut y = oy + PAD;
    let title_y = y;
    if !plot.title.is_empty() {
        y += theme::TITLE + 10.0;
    }
    let legend_y = y;
    let legend = legend_lines(plot, x1 - x0)?;
    y += legend.len() as f64 * LEGEND_H;
    let annot_y = y;
    y += plot.annotations.len() as f64 * LEGEND_H;
    y += 8.0;
    let ys = Scale::linear(plot.y_range.0, plot.y_range.1, y + PLOT_H, y);
    let xs = Scale::linear(x_lo, x_hi, x0, x1);
    y += PLOT_H;
    // x tick labels then the x title.
    let x_title_y = y + 8.0 + theme::TICK + 10.0;
    y = x_title_y + theme::LABEL + 6.0;
    let mut risk_title_y = y;
    let mut risk_row_y = Vec::new();
    if let Some(rt) = &plot.risk_table {
        y += 10.0;
        risk_title_y = y;
        y += ROW_H + 2.0;
        for _ in &rt.rows {
            risk_row_y.push(y + ROW_H / 2.0);
            y += ROW_H;
        }
    }
    let foot_y = y + 6.0;
    y = foot_y + plot.footnotes.len() as f64 * 17.0 + PAD;
    Ok(Layout {
        ox,
        height: y - oy,
        title_y,
        legend,
        legend_y,
        annot_y,
        xs,
        ys,
        ticks,
        tick_labels,
        y_ticks,
        y_tick_labels,
        y_title_x: ox + PAD + theme::LABEL / 2.0,
        x_title_y,
        risk_title_y,
        risk_row_y,
        risk_label_x: ox + PAD,
        foot_y,
    })
}

/// (time, value, lower, upper) knots of a step curve, starting with the curve's start value at
/// time 0 (or its first time, when negative).
fn knots(c: &KmCurve, kind: CurveKind) -> Vec<(f64, f64, f64, f64)> {
    let start = match kind {
        CurveKind::Survival => 1.0,
        CurveKind::Incidence => 0.0,
    };
    let t0 = c.time.first().copied().unwrap_or(0.0).min(0.0);
    let mut k = vec![(t0, start, start, start)];
    let band = !c.lower.is_empty();
    for i in 0..c.time.len() {
        let (lo, hi) = if band {
            (c.lower[i], c.upper[i])
        } else {
            (f64::NAN, f64::NAN)
        };
        k.push((c.time[i], c.surv[i], lo, hi));
    }
    k
}

fn value_at(k: &[(f64, f64, f64, f64)], t: f64) -> f64 {
    k.iter()
        .take_while(|x| x.0 <= t)
        .last()
        .map(|x| x.1)
        .unwrap_or(k[0].1)
}

fn draw_panel(
    canvas: &mut Canvas,
    plot: &KmPlot,
    l: &Layout,
    prefix: &str,
) -> Result<(), PlotError> {
    let name = |s: &str| format!("{prefix}{s}");

    if !plot.title.is_empty() {
        canvas.layer(&name("title"), |pen: &Pen| {
            pen.text(
                &plot.title,
                (l.ox + PAD, l.title_y),
                &TextSpec::new(theme::TITLE).bold().baseline(Baseline::Top),
            )
        })?;
    }
    canvas.layer(&name("legend"), |pen: &Pen| draw_legend(pen, plot, l))?;
    if plot.show_ci {
        canvas.layer(&name("bands"), |pen: &Pen| draw_bands(pen, plot, l))?;
    }
    canvas.layer(&name("curves"), |pen: &Pen| draw_curves(pen, plot, l))?;
    canvas.layer(&name("y-axis"), |pen: &Pen| {
        axis::draw_y_axis(
            pen,
            &l.ys,
            l.xs.r0,
            &l.y_ticks,
            &l.y_tick_labels,
            theme::BLACK,
        )?;
        let mid = (l.ys.r0 + l.ys.r1) / 2.0;
        pen.text(
            &plot.y_label,
            (l.y_title_x, mid),
            &TextSpec::new(theme::LABEL)
                .anchor(Anchor::Middle)
                .vertical(),
        )
    })?;
    canvas.layer(&name("x-axis"), |pen: &Pen| {
        axis::draw_x_axis(pen, &l.xs, l.ys.r0, &l.ticks, &l.tick_labels, theme::BLACK)
    })?;
    canvas.layer(&name("x-title"), |pen: &Pen| {
        pen.text(
            &plot.x_label,
            ((l.xs.r0 + l.xs.r1) / 2.0, l.x_title_y),
            &TextSpec::new(theme::LABEL)
                .anchor(Anchor::Middle)
                .baseline(Baseline::Top),
        )
    })?;
    if let Some(rt) = &plot.risk_table {
        canvas.layer(&name("risk-table"), |pen: &Pen| {
            draw_risk_table(pen, plot, rt, l)
        })?;
    }
    if !plot.footnotes.is_empty() {
        canvas.layer(&name("footnotes"), |pen: &Pen| {
            let spec = TextSpec::new(theme::SMALL)
                .color(theme::DARK)
                .baseline(Baseline::Top);
            for (i, f) in plot.footnotes.iter().enumerate() {
                pen.text(f, (l.ox + PAD, l.foot_y + i as f64 * 17.0), &spec)?;
            }
            Ok(())
        })?;
    }
    Ok(())
}

/// The legend lines (a line or dashes and the label per curve) and the annotation lines.
fn draw_legend(pen: &Pen, plot: &KmPlot, l: &Layout) -> Result<(), PlotError> {
    let spec = TextSpec::new(theme::LABEL);
    for (li, line) in l.legend.iter().enumerate() {
        let y = l.legend_y + li as f64 * LEGEND_H + LEGEND_H / 2.0;
        for &(i, dx) in line {
            let c = &plot.curves[i];
            let col = curve_color(c, i);
            let x = l.xs.r0 + dx;
            if c.dashed {
                pen.dashed(&[(x, y), (x + 20.0, y)], col, 2, 5.0, 3.0)?;
            } else {
                pen.line((x, y), (x + 20.0, y), col, 2)?;
            }
            pen.text(&c.label, (x + 26.0, y), &spec)?;
        }
    }
    let aspec = TextSpec::new(theme::LABEL).color(theme::DARK);
    for (i, a) in plot.annotations.iter().enumerate() {
        pen.text(
            a,
            (l.xs.r0, l.annot_y + i as f64 * LEGEND_H + LEGEND_H / 2.0),
            &aspec,
        )?;
    }
    Ok(())
}

/// The confidence bands: one shaded step polygon per run of knots with finite limits.
fn draw_bands(pen: &Pen, plot: &KmPlot, l: &Layout) -> Result<(), PlotError> {
    let x_end = l.xs.d1;
    let clamp_y = |v: f64| v.clamp(l.ys.d0, l.ys.d1);
    for (i, c) in plot.curves.iter().enumerate() {
        if c.lower.is_empty() {
            continue;
        }
        let k = knots(c, plot.kind);
        let col = curve_color(c, i);
        let mut run: Vec<usize> = Vec::new();
        let flush = |run: &mut Vec<usize>| -> Result<(), PlotError> {
            if run.len() >= 2 || (run.len() == 1 && run[0] + 1 < k.len()) {
                let mut upper = Vec::new();
                let mut lower = Vec::new();
                for &j in run.iter() {
                    let t_a = k[j].0.min(x_end);
                    let t_b = if j + 1 < k.len() { k[j + 1].0 } else { k[j].0 }.min(x_end);
                    upper.push((l.xs.map(t_a), l.ys.map(clamp_y(k[j].3))));
                    upper.push((l.xs.map(t_b), l.ys.map(clamp_y(k[j].3))));
                    lower.push((l.xs.map(t_a), l.ys.map(clamp_y(k[j].2))));
                    lower.push((l.xs.map(t_b), l.ys.map(clamp_y(k[j].2))));
                }
                lower.reverse();
                upper.extend(lower);
                pen.polygon(&upper, col, 0.15)?;
            }
            run.clear();
            Ok(())
        };
        for (j, kj) in k.iter().enumerate() {
            let ok = kj.2.is_finite() && kj.3.is_finite() && kj.0 < x_end;
            if ok {
                run.push(j);
            } else {
                flush(&mut run)?;
            }
        }
        flush(&mut run)?;
    }
    Ok(())
}

/// The step curves to their last time (event or censoring) and the censoring ticks.
fn draw_curves(pen: &Pen, plot: &KmPlot, l: &Layout) -> Result<(), PlotError> {
    let x_end = l.xs.d1;
    let clamp_y = |v: f64| v.clamp(l.ys.d0, l.ys.d1);
    for (i, c) in plot.curves.iter().enumerate() {
        let k = knots(c, plot.kind);
        let col = curve_color(c, i);
        let end = c
            .time
            .iter()
            .chain(c.censor_times.iter())
            .fold(k[0].0, |m, &t| m.max(t))
            .min(x_end);
        let mut pts = vec![(l.xs.map(k[0].0), l.ys.map(clamp_y(k[0].1)))];
        for j in 1..k.len() {
            if k[j].0 > x_end {
                break;
            }
            let x = l.xs.map(k[j].0);
            pts.push((x, l.ys.map(clamp_y(k[j - 1].1))));
            pts.push((x, l.ys.map(clamp_y(k[j].1))));
        }
        let last_v = value_at(&k, end);
        pts.push((l.xs.map(end), l.ys.map(clamp_y(last_v))));
        if c.dashed {
            pen.dashed(&pts, col, 2, 6.0, 4.0)?;
        } else {
            pen.polyline(&pts, col, 2)?;
        }
        for &ct in &c.censor_times {
            if ct > x_end {
                continue;
            }
            let x = l.xs.map(ct);
            let y = l.ys.map(clamp_y(value_at(&k, ct)));
            pen.line((x, y - 4.0), (x, y + 4.0), col, 1)?;
        }
    }
    Ok(())
}

/// The numbers-at-risk table under the axis, each row's label in its curve's colour.
fn draw_risk_table(pen: &Pen, plot: &KmPlot, rt: &RiskTable, l: &Layout) -> Result<(), PlotError> {
    let title = if rt.title.is_empty() {
        "Number at risk"
    } else {
        rt.title.as_str()
    };
    pen.text(
        title,
        (l.risk_label_x, l.risk_title_y),
        &TextSpec::new(theme::TICK).bold().baseline(Baseline::Top),
    )?;
    for (r, row) in rt.rows.iter().enumerate() {
        let y = l.risk_row_y[r];
        let col = plot
            .curves
            .iter()
            .enumerate()
            .find(|(_, c)| c.label == row.label)
            .map(|(i, c)| curve_color(c, i))
            .unwrap_or(theme::group_color(r));
        pen.text(
            &row.label,
            (l.risk_label_x, y),
            &TextSpec::new(theme::TICK).color(col),
        )?;
        let spec = TextSpec::new(theme::TICK).anchor(Anchor::Middle);
        for (k, t) in rt.times.iter().enumerate().take(row.counts.len()) {
            pen.text(&rt.text(row, k), (l.xs.map(*t), y), &spec)?;
        }
    }
    Ok(())
}

/// Width of a single KM figure.
pub const KM_WIDTH: f64 = 760.0;

/// Draws one Kaplan-Meier (or cumulative-incidence) figure as SVG.
pub fn km_figure(plot: &KmPlot) -> Result<String, PlotError> {
    validate(plot)?;
    let l = layout(plot, 0.0, 0.0, KM_WIDTH)?;
    let mut canvas = Canvas::new(
        KM_WIDTH,
        l.height,
        if plot.title.is_empty() {
            &plot.y_label
        } else {
            &plot.title
        },
    )?;
    draw_panel(&mut canvas, plot, &l, "")?;
    Ok(canvas.finish())
}

/// Draws panels (e.g. one per subgroup) in a grid of `ncol` columns, under an overall title.
/// Each panel keeps its own number-at-risk table aligned to its own x axis.
pub fn km_grid(title: &str, panels: &[KmPlot], ncol: usize) -> Result<String, PlotError> {
    if panels.is_empty() {
        return Err(PlotError::InvalidInput("no panels".to_string()));
    }
    let ncol = ncol.clamp(1, panels.len());
    let panel_w = 560.0;
    for p in panels {
        validate(p)?;
    }
    let head = if title.is_empty() {
        0.0
    } else {
        PAD + theme::TITLE + 8.0
    };
    // Row heights: the tallest panel of each row.
    let mut heights = Vec::new();
    for row in panels.chunks(ncol) {
        let mut h: f64 = 0.0;
        for p in row {
            h = h.max(layout(p, 0.0, 0.0, panel_w)?.height);
        }
        heights.push(h);
    }
    let total_h = head + heights.iter().sum::<f64>();
    let mut canvas = Canvas::new(panel_w * ncol as f64, total_h, title)?;
    if !title.is_empty() {
        canvas.layer("title", |pen: &Pen| {
            pen.text(
                title,
                (PAD, PAD),
                &TextSpec::new(theme::TITLE).bold().baseline(Baseline::Top),
            )
        })?;
    }
    let mut y = head;
    for (r, row) in panels.chunks(ncol).enumerate() {
        for (c, p) in row.iter().enumerate() {
            let l = layout(p, c as f64 * panel_w, y, panel_w)?;
            draw_panel(&mut canvas, p, &l, &format!("panel-{} ", r * ncol + c))?;
        }
        y += heights[r];
    }
    Ok(canvas.finish())
}
