//! Kaplan-Meier and cumulative-incidence figures: the curves drawn while enough patients remain
//! at risk ([`crate::report::disclosed::DisclosedCounts::curve_end`]) with their number-at-risk
//! tables (rows decided in [`crate::report::disclosed`]). The main design's three figures
//! (survival, IPTW-weighted survival, cumulative incidence) go in the "Outcomes" section; the
//! subgroup grids reuse [`km_plot`].

use crate::cohort::analysis::{Curve, PopulationResult};
use crate::cohort::landmark::Design;
use crate::plot::cif::{cif_figure, CifCurve, CifPlot};
use crate::plot::km::{km_figure, KmCurve, KmPlot, RiskRow, RiskTable};
use crate::plot::theme::p_value;
use crate::report::counts::WITHHELD;
use crate::report::disclosed::horizon_ticks;
use crate::report::document::{Block, Figure};
use crate::report::ReportError;

use super::Ctx;

/// A curve as the disclosure decisions allow it to be drawn
/// ([`crate::report::disclosed::DisclosedCounts::km_curve`]: pooled or rounded steps, up to the
/// last time `reference`, the unweighted curve of the same group, keeps at least `threshold` at
/// risk), without censoring marks.
fn km_curve_ref(ctx: &Ctx, c: &Curve, reference: &Curve, band: bool) -> KmCurve {
    let safe = ctx.dc.km_curve(c, reference, band);
    KmCurve {
        label: ctx.group_label(&c.group),
        time: safe.time,
        surv: safe.value,
        lower: safe.lower,
        upper: safe.upper,
        censor_times: Vec::new(),
        dashed: false,
        color: Some(if c.group == "unexposed" { 1 } else { 0 }),
    }
}

/// The number-at-risk table of `curves` at `ticks`, with the decided `rows`.
fn risk_table(ctx: &Ctx, curves: &[Curve], ticks: &[f64], rows: &[Vec<Option<u64>>]) -> RiskTable {
    RiskTable {
        title: "Number at risk".to_string(),
        times: ticks.to_vec(),
        rows: curves
            .iter()
            .zip(rows)
            .map(|(c, counts)| RiskRow {
                label: ctx.group_label(&c.group),
                counts: counts.clone(),
            })
            .collect(),
        withheld: WITHHELD.to_string(),
    }
}

/// The Kaplan-Meier panel of population `p` (`None` without curves), with its number-at-risk
/// `rows` (one per curve, at [`horizon_ticks`]) and the log-rank p-value.
pub fn km_plot(
    ctx: &Ctx,
    design: Design,
    p: &PopulationResult,
    title: &str,
    rows: &[Vec<Option<u64>>],
    estimates: bool,
) -> Option<KmPlot> {
    if p.km.is_empty() {
        return None;
    }
    let ticks = horizon_ticks(ctx.r, design, &p.km);
    let mut annotations = Vec::new();
    if let Some(lr) = &p.logrank {
        annotations.push(if estimates {
            format!("Log-rank p {}", p_value(lr.p))
        } else {
            format!("Log-rank p {WITHHELD}")
        });
    }
    Some(KmPlot {
        title: title.to_string(),
        curves: p.km.iter().map(|c| km_curve_ref(ctx, c, c, true)).collect(),
        risk_table: Some(risk_table(ctx, &p.km, &ticks, rows)),
        x_label: ctx.time_label(design),
        x_max: ticks.last().copied(),
        annotations,
        ..Default::default()
    })
}

/// The IPTW-weighted Kaplan-Meier figure of `p` (curves end with the unweighted ones; numbers
/// at risk unweighted).
fn weighted_km_plot(
    ctx: &Ctx,
    design: Design,
    p: &PopulationResult,
    rows: &[Vec<Option<u64>>],
) -> KmPlot {
    let ticks = horizon_ticks(ctx.r, design, &p.km);
    KmPlot {
        title: "Survival by exposure, IPTW-weighted".into(),
        curves: p
            .km_weighted
            .iter()
            .map(|c| match p.km.iter().find(|u| u.group == c.group) {
                Some(u) => km_curve_ref(ctx, c, u, false),
                None => KmCurve {
                    label: ctx.group_label(&c.group),
                    ..Default::default()
                },
            })
            .collect(),
        risk_table: Some(risk_table(ctx, &p.km, &ticks, rows)),
        x_label: ctx.time_label(design),
        x_max: ticks.last().copied(),
        show_ci: false,
        footnotes: vec!["Numbers at risk are unweighted.".into()],
        ..Default::default()
    }
}

/// The cumulative incidence of death and of discharge alive of `p` (`None` without them),
/// drawn while the group's risk set (the Kaplan-Meier one) is large enough.
fn cif_plot(
    ctx: &Ctx,
    design: Design,
    p: &PopulationResult,
    rows: &[Vec<Option<u64>>],
) -> Option<CifPlot> {
    if p.competing.is_empty() {
        return None;
    }
    let ticks = horizon_ticks(ctx.r, design, &p.km);
    let mut curves = Vec::new();
    let mut y_max: f64 = 0.0;
    for ci in &p.competing {
        let Some(km) = p.km.iter().find(|c| c.group == ci.group) else {
            continue;
        };
        let [death, discharge] = ctx.dc.cif_curves(ci, km);
        let label = ctx.group_label(&ci.group);
        for v in death
            .value
            .iter()
            .chain(&death.upper)
            .chain(&discharge.value)
        {
            if v.is_finite() {
                y_max = y_max.max(*v);
            }
        }
        curves.push(CifCurve {
            group: label.clone(),
            cause: "death".into(),
            time: death.time,
            cif: death.value,
            lower: death.lower,
            upper: death.upper,
            competing: false,
        });
        curves.push(CifCurve {
            group: label,
            cause: "discharge alive".into(),
            time: discharge.time,
            cif: discharge.value,
            lower: Vec::new(),
            upper: Vec::new(),
            competing: true,
        });
    }
    // The axis ends on a tick: multiples of 0.1 up to 0.4, of 0.2 above.
    let step = if y_max <= 0.35 { 0.1 } else { 0.2 };
    let y_max = (((y_max + 0.02) / step).ceil() * step).min(1.0);
    Some(CifPlot {
        title: "Cumulative incidence of death and of discharge alive".into(),
        curves,
        risk_table: Some(risk_table(ctx, &p.km, &ticks, rows)),
        x_label: ctx.time_label(design),
        x_max: ticks.last().copied(),
        y_max: Some(y_max.max(0.1)),
        show_ci: true,
        annotations: Vec::new(),
        footnotes: Vec::new(),
    })
}

/// The outcome (with the rule for discharge alive) and how the curves were made disclosure-safe,
/// for the captions of survival curves.
pub fn curve_note(ctx: &Ctx) -> String {
    format!(
        "Outcome: {}. {}",
        ctx.r.estimand.outcome,
        disclosure_note(ctx)
    )
    .trim_end()
    .to_string()
}

/// How disclosure control shaped the curves (empty without control).
fn disclosure_note(ctx: &Ctx) -> String {
    let t = ctx.threshold();
    if !ctx.rule().active() {
        String::new()
    } else if ctx.rule().rounds() {
        format!("Disclosure control: curves computed from rounded counts (OpenSAFELY Kaplan-Meier action: censorings rounded at the midpoint, events rounded down to multiples of {t}), so each step stands for a multiple of {t} events; drawn while at least {t} patients remain at risk; no censoring marks.")
    } else {
        format!("Disclosure control: the events of fewer than {t} patients are pooled into the next step drawn, so each step stands for at least {t} events; curves are drawn while at least {t} patients remain at risk; no censoring marks.")
    }
}

/// The main design's figures: survival, IPTW-weighted survival and cumulative incidence, by
/// exposure.
///
/// # Errors
/// [`ReportError::Plot`] when a figure cannot be drawn.
pub fn figures(ctx: &Ctx) -> Result<Vec<Block>, ReportError> {
    let Some((d, m)) = ctx.main() else {
        return Ok(Vec::new());
    };
    let p = &d.overall;
    let mut out = Vec::new();
    if let Some(plot) = km_plot(
        ctx,
        d.design,
        p,
        "Survival by exposure",
        &m.risk,
        m.estimates.crude,
    ) {
        out.push(Block::Figure(Figure {
            id: "figure-km".into(),
            caption: format!("Kaplan-Meier estimates of survival by exposure ({}), with {} and the number at risk. {}", d.label, if ctx.rule().rounds() { "steps computed from rounded counts" } else { "95% pointwise confidence bands (log transformation)" }, curve_note(ctx)),
            svg: km_figure(&KmPlot {
                footnotes: vec![format!("Curves end when fewer than {} patients remain at risk; {WITHHELD} withheld (disclosure control).", ctx.threshold())],
                ..plot
            })?,
        }));
    }
    if !p.km_weighted.is_empty() {
        out.push(Block::Figure(Figure {
            id: "figure-km-weighted".into(),
            caption: format!("Kaplan-Meier estimates weighted by the inverse probability of treatment (adjusted survival curves), drawn at the steps of the unweighted curves. {}", curve_note(ctx)),
            svg: km_figure(&weighted_km_plot(ctx, d.design, p, &m.risk))?,
        }));
    }
    if let Some(c) = cif_plot(ctx, d.design, p, &m.risk) {
        out.push(Block::Figure(Figure {
            id: "figure-cif".into(),
            caption: format!("Cumulative incidence of death (solid{}) and of discharge alive (dashed) by exposure (Aalen-Johansen): here discharge alive is a competing event, whatever the plan's rule for the other outcomes. {}", if ctx.rule().rounds() { "" } else { ", with 95% confidence band" }, disclosure_note(ctx)),
            svg: cif_figure(&c)?,
        }));
    }
    Ok(out)
}
