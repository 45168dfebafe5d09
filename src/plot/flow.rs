//! The cohort flow diagram (STROBE/CONSORT style) drawn from the loader's [`CohortFlow`]: a box
//! of the patients entering each step (the first one named by the caller, each later one by the
//! step that kept its patients), the step's exclusions in a side box beside the arrow below it,
//! and the analysed number at the bottom.

use crate::schema::CohortFlow;

use super::canvas::{Anchor, Baseline, Canvas, Pen, TextSpec};
use super::theme;
use super::PlotError;

/// One step; counts are `None` when withheld by disclosure control.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FlowBox {
    pub label: String,
    pub unit: String,
    pub n_in: Option<u64>,
    pub excluded: Vec<(String, Option<u64>)>,
    /// Total excluded at this step.
    pub excluded_total: Option<u64>,
    pub n_out: Option<u64>,
}

/// A flow diagram.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FlowDiagram {
    pub title: String,
    pub steps: Vec<FlowBox>,
    /// Label of the first box, the population entering the first step, e.g. "Patients in the
    /// cohort" (empty: the first step's label).
    pub first_label: String,
    /// Label of the final box, e.g. "Analysed".
    pub final_label: String,
    /// Boxes side by side under the final box, e.g. the exposure groups: (label, count).
    pub arms: Vec<(String, Option<u64>)>,
    pub footnotes: Vec<String>,
    /// Text drawn in place of a withheld count (`None`), given by the caller.
    pub withheld: String,
}

impl FlowDiagram {
    /// All counts published as recorded (apply disclosure control before drawing a report).
    pub fn from_flow(title: &str, flow: &CohortFlow) -> Self {
        FlowDiagram {
            title: title.to_string(),
            steps: flow
                .steps
                .iter()
                .map(|s| FlowBox {
                    label: s.label.clone(),
                    unit: s.unit.clone(),
                    n_in: Some(s.n_in),
                    excluded: s
                        .excluded
                        .iter()
                        .map(|(r, n)| (r.clone(), Some(*n)))
                        .collect(),
                    excluded_total: Some(s.excluded.iter().map(|(_, n)| n).sum()),
                    n_out: Some(s.n_out),
                })
                .collect(),
            first_label: String::new(),
            final_label: "Analysed".to_string(),
            arms: Vec::new(),
            footnotes: Vec::new(),
            withheld: String::new(),
        }
    }
}

/// Greedy word wrap to `max_w` pixels.
pub fn wrap(text: &str, spec: &TextSpec, max_w: f64) -> Result<Vec<String>, PlotError> {
    let mut lines = Vec::new();
    let mut cur = String::new();
    for word in text.split_whitespace() {
        let cand = if cur.is_empty() {
            word.to_string()
        } else {
            format!("{cur} {word}")
        };
        if !cur.is_empty() && spec.width(&cand)? > max_w {
            lines.push(std::mem::replace(&mut cur, word.to_string()));
        } else {
            cur = cand;
        }
    }
    if !cur.is_empty() || lines.is_empty() {
        lines.push(cur);
    }
    Ok(lines)
}

/// A count as printed: the number, or the diagram's `withheld` mark.
fn count_text(n: Option<u64>, withheld: &str) -> String {
    n.map_or_else(|| withheld.to_string(), |n| n.to_string())
}

fn n_text(n: Option<u64>, unit: &str, withheld: &str) -> String {
    format!("n = {} {}", count_text(n, withheld), unit)
        .trim_end()
        .to_string()
}

const PAD: f64 = 14.0;
const LINE: f64 = 18.0;
const BOX_PAD: f64 = 10.0;
const MAIN_MAX: f64 = 300.0;
const SIDE_MAX: f64 = 320.0;

struct TextBox {
    lines: Vec<(String, bool)>, // (text, bold)
    w: f64,
    h: f64,
}

fn text_box(lines: Vec<(String, bool)>, max_w: f64) -> Result<TextBox, PlotError> {
    let mut out = Vec::new();
    let mut w: f64 = 0.0;
    for (t, bold) in lines {
        let spec = if bold {
            TextSpec::new(theme::TICK).bold()
        } else {
            TextSpec::new(theme::TICK)
        };
        for l in wrap(&t, &spec, max_w - 2.0 * BOX_PAD)? {
            w = w.max(spec.width(&l)?);
            out.push((l, bold));
        }
    }
    let h = out.len() as f64 * LINE + 2.0 * BOX_PAD - 2.0;
    Ok(TextBox {
        lines: out,
        w: w + 2.0 * BOX_PAD,
        h,
    })
}

fn draw_box(
    pen: &Pen,
    b: &TextBox,
    x: f64,
    y: f64,
    w: f64,
    centered: bool,
) -> Result<(), PlotError> {
    pen.frame((x, y), (x + w, y + b.h), theme::BLACK, 1)?;
    for (i, (t, bold)) in b.lines.iter().enumerate() {
        let mut spec = TextSpec::new(theme::TICK).baseline(Baseline::Center);
        if *bold {
            spec = spec.bold();
        }
        let yy = y + BOX_PAD + i as f64 * LINE + LINE / 2.0 - 1.0;
        if centered {
            pen.text(t, (x + w / 2.0, yy), &spec.anchor(Anchor::Middle))?;
        } else {
            pen.text(t, (x + BOX_PAD, yy), &spec)?;
        }
    }
    Ok(())
}

fn arrow_down(pen: &Pen, x: f64, y0: f64, y1: f64) -> Result<(), PlotError> {
    pen.line((x, y0), (x, y1 - 6.0), theme::BLACK, 1)?;
    pen.polygon(
        &[(x - 4.0, y1 - 7.0), (x + 4.0, y1 - 7.0), (x, y1)],
        theme::BLACK,
        1.0,
    )
}

fn arrow_right(pen: &Pen, x0: f64, x1: f64, y: f64) -> Result<(), PlotError> {
    pen.line((x0, y), (x1 - 6.0, y), theme::BLACK, 1)?;
    pen.polygon(
        &[(x1 - 7.0, y - 4.0), (x1 - 7.0, y + 4.0), (x1, y)],
        theme::BLACK,
        1.0,
    )
}

/// The box above each step, holding the patients entering it (STROBE style: the first box is
/// the population entering the first step, each later box the patients kept by the step before,
/// labelled by it), and the step's side box of exclusions, if any.
#[allow(clippy::type_complexity)]
fn step_boxes(d: &FlowDiagram) -> Result<(Vec<TextBox>, Vec<Option<TextBox>>), PlotError> {
    let mut mains = Vec::new();
    let mut sides = Vec::new();
    for (i, s) in d.steps.iter().enumerate() {
        let label = match i {
            0 if !d.first_label.is_empty() => d.first_label.clone(),
            0 => s.label.clone(),
            _ => d.steps[i - 1].label.clone(),
        };
        mains.push(text_box(
            vec![(label, true), (n_text(s.n_in, &s.unit, &d.withheld), false)],
            MAIN_MAX,
        )?);
        if s.excluded.is_empty() {
            sides.push(None);
        } else {
            let mut lines = vec![(
                format!(
                    "Excluded ({})",
                    n_text(s.excluded_total, &s.unit, &d.withheld)
                ),
                true,
            )];
            for (r, n) in &s.excluded {
                lines.push((format!("{r}: {}", count_text(*n, &d.withheld)), false));
            }
            sides.push(Some(text_box(lines, SIDE_MAX)?));
        }
    }
    Ok((mains, sides))
}

/// One box per arm of the analysed sample (label, n).
fn arm_boxes(d: &FlowDiagram, unit: &str) -> Result<Vec<TextBox>, PlotError> {
    let mut arm_boxes = Vec::new();
    for (label, n) in &d.arms {
        arm_boxes.push(text_box(
            vec![
                (label.clone(), true),
                (n_text(*n, unit, &d.withheld), false),
            ],
            240.0,
        )?);
    }
    Ok(arm_boxes)
}

/// The split under the final box (its bottom centre at `(cx, y_top)`) into one arrow and box per
/// arm, the boxes' centres at `centers` and their tops at `arms_y`.
fn draw_arms(
    pen: &Pen,
    arm_boxes: &[TextBox],
    (cx, y_top): (f64, f64),
    centers: &[f64],
    (arms_y, arm_w): (f64, f64),
) -> Result<(), PlotError> {
    let y_split = y_top + 16.0;
    pen.line((cx, y_top), (cx, y_split), theme::BLACK, 1)?;
    if centers.len() > 1 {
        pen.line(
            (centers[0], y_split),
            (centers[centers.len() - 1], y_split),
            theme::BLACK,
            1,
        )?;
    }
    for (b, &c) in arm_boxes.iter().zip(centers) {
        arrow_down(pen, c, y_split, arms_y)?;
        draw_box(pen, b, c - arm_w / 2.0, arms_y, arm_w, true)?;
    }
    Ok(())
}

/// Draws the flow diagram as SVG.
pub fn flow_figure(d: &FlowDiagram) -> Result<String, PlotError> {
    if d.steps.is_empty() {
        return Err(PlotError::InvalidInput(
            "flow diagram has no steps".to_string(),
        ));
    }
    let (mains, sides) = step_boxes(d)?;
    let last = d.steps.last().expect("non-empty");
    let final_label = if d.final_label.is_empty() {
        "Analysed"
    } else {
        d.final_label.as_str()
    };
    // The final box: the patients kept by the last step, named by it under the final label.
    let fin = text_box(
        vec![
            (final_label.to_string(), true),
            (last.label.clone(), false),
            (n_text(last.n_out, &last.unit, &d.withheld), false),
        ],
        MAIN_MAX,
    )?;
    let main_w = mains.iter().map(|b| b.w).fold(fin.w, f64::max).max(220.0);
    let side_w = sides.iter().flatten().map(|b| b.w).fold(0.0, f64::max);
    let title_h = if d.title.is_empty() {
        0.0
    } else {
        theme::TITLE + 14.0
    };
    let main_x = PAD;
    let cx = main_x + main_w / 2.0;
    let side_x = main_x + main_w + 40.0;
    let foot_w = d
        .footnotes
        .iter()
        .map(|f| TextSpec::new(theme::SMALL).width(f))
        .try_fold(0.0f64, |m, w| w.map(|w| m.max(w)))?;
    let title_w = TextSpec::new(theme::TITLE).bold().width(&d.title)?;
    let width = (side_x + side_w + PAD)
        .max(PAD + foot_w + PAD)
        .max(PAD + title_w + PAD)
        .max(main_x + main_w + PAD);

    // Vertical positions: each gap holds the side box of the step above it.
    let mut y = PAD + title_h;
    let mut main_y = Vec::new();
    let mut side_y = Vec::new();
    for (i, m) in mains.iter().enumerate() {
        main_y.push(y);
        y += m.h;
        let gap = match &sides[i] {
            Some(sb) => sb.h + 36.0,
            None => 40.0,
        };
        side_y.push(y + (gap - sides[i].as_ref().map(|b| b.h).unwrap_or(0.0)) / 2.0);
        y += gap;
    }
    let fin_y = y;
    y += fin.h;
    let arm_boxes = arm_boxes(d, &last.unit)?;
    let arm_w = arm_boxes.iter().map(|b| b.w).fold(160.0, f64::max);
    let arm_h = arm_boxes.iter().map(|b| b.h).fold(0.0, f64::max);
    let arms_y = y + 40.0;
    if !arm_boxes.is_empty() {
        y = arms_y + arm_h;
    }
    y += 10.0;
    let arms_total_w = arm_boxes.len() as f64 * arm_w + (arm_boxes.len().max(1) - 1) as f64 * 24.0;
    let arms_x0 = (cx - arms_total_w / 2.0).max(PAD);
    let foot_y = y;
    y += d.footnotes.len() as f64 * 17.0 + PAD;

    let width = width.max(arms_x0 + arms_total_w + PAD);
    let mut canvas = Canvas::new(
        width,
        y,
        if d.title.is_empty() {
            "Cohort flow"
        } else {
            &d.title
        },
    )?;
    canvas.layer("flow", |pen: &Pen| {
        pen.title(&d.title, (PAD, PAD))?;
        for (i, m) in mains.iter().enumerate() {
            draw_box(pen, m, main_x, main_y[i], main_w, true)?;
            let y0 = main_y[i] + m.h;
            let y1 = if i + 1 < mains.len() {
                main_y[i + 1]
            } else {
                fin_y
            };
            arrow_down(pen, cx, y0, y1)?;
            if let Some(sb) = &sides[i] {
                let sy = side_y[i];
                draw_box(pen, sb, side_x, sy, side_w, false)?;
                arrow_right(pen, cx, side_x, sy + sb.h / 2.0)?;
            }
        }
        draw_box(pen, &fin, main_x, fin_y, main_w, true)?;
        if !arm_boxes.is_empty() {
            let centers: Vec<f64> = (0..arm_boxes.len())
                .map(|i| arms_x0 + i as f64 * (arm_w + 24.0) + arm_w / 2.0)
                .collect();
            draw_arms(
                pen,
                &arm_boxes,
                (cx, fin_y + fin.h),
                &centers,
                (arms_y, arm_w),
            )?;
        }
        pen.footnotes(&d.footnotes, (PAD, foot_y))?;
        Ok(())
    })?;
    Ok(canvas.finish())
}
