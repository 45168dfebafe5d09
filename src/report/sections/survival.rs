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

/// A curve drawn up to the last time `reference` (the unweighted curve of the same group, whose
/// risk set counts patients) keeps at least `threshold` at risk, with its censoring marks.
fn km_curve_ref(ctx: &Ctx, c: &Curve, reference: &Curve, band: bool) -> KmCurve {
    let kr = ctx.dc.curve_end(reference);
    let last = if kr == 0 {
        f64::NEG_INFINITY
    } else {
        reference.time[kr - 1]
    };
    let k = c.time.iter().take_while(|&&t| t <= last).count();
    let mut censor = Vec::new();
    for i in 0..kr {
        let next = if i + 1 < reference.n_risk.len() {
            reference.n_risk[i + 1]
        } else {
            0.0
        };
        if reference.n_risk[i] - reference.n_event[i] - next > 0.5 {
            censor.push(reference.time[i]);
        }
    }
    let band_part = |v: &[f64]| if band { v[..k].to_vec() } else { Vec::new() };
    KmCurve {
        label: ctx.group_label(&c.group),
        time: c.time[..k].to_vec(),
        surv: c.surv[..k].to_vec(),
        lower: band_part(&c.lower),
        upper: band_part(&c.upper),
        censor_times: censor,
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
) -> Option<KmPlot> {
    if p.km.is_empty() {
        return None;
    }
    let ticks = horizon_ticks(ctx.r, design, &p.km);
    let mut annotations = Vec::new();
    if let Some(lr) = &p.logrank {
        annotations.push(format!("Log-rank p {}", p_value(lr.p)));
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
        let last_t =
            p.km.iter()
                .find(|c| c.group == ci.group)
                .map(|c| {
                    let k = ctx.dc.curve_end(c);
                    if k == 0 {
                        f64::NEG_INFINITY
                    } else {
                        c.time[k - 1]
                    }
                })
                .unwrap_or(f64::INFINITY);
        let k = ci.time.iter().take_while(|&&t| t <= last_t).count();
        let label = ctx.group_label(&ci.group);
        for v in ci.cif_death[..k]
            .iter()
            .chain(&ci.upper[..k])
            .chain(&ci.cif_discharge[..k])
        {
            if v.is_finite() {
                y_max = y_max.max(*v);
            }
        }
        curves.push(CifCurve {
            group: label.clone(),
            cause: "death".into(),
            time: ci.time[..k].to_vec(),
            cif: ci.cif_death[..k].to_vec(),
            lower: ci.lower[..k].to_vec(),
            upper: ci.upper[..k].to_vec(),
            competing: false,
        });
        curves.push(CifCurve {
            group: label,
            cause: "discharge alive".into(),
            time: ci.time[..k].to_vec(),
            cif: ci.cif_discharge[..k].to_vec(),
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
    if let Some(plot) = km_plot(ctx, d.design, p, "Survival by exposure", &m.risk) {
        out.push(Block::Figure(Figure {
            id: "figure-km".into(),
            caption: format!("Kaplan-Meier estimates of survival by exposure ({}), with 95% pointwise confidence bands (log transformation), censoring marks and the number at risk.", d.label),
            svg: km_figure(&KmPlot {
                footnotes: vec![format!("Curves end when fewer than {} patients remain at risk; {WITHHELD} withheld (disclosure control).", ctx.threshold())],
                ..plot
            })?,
        }));
    }
    if !p.km_weighted.is_empty() {
        out.push(Block::Figure(Figure {
            id: "figure-km-weighted".into(),
            caption: "Kaplan-Meier estimates weighted by the inverse probability of treatment (adjusted survival curves).".into(),
            svg: km_figure(&weighted_km_plot(ctx, d.design, p, &m.risk))?,
        }));
    }
    if let Some(c) = cif_plot(ctx, d.design, p, &m.risk) {
        out.push(Block::Figure(Figure {
            id: "figure-cif".into(),
            caption: "Cumulative incidence of death (solid, with 95% confidence band) and of discharge alive (dashed) by exposure (Aalen-Johansen).".into(),
            svg: cif_figure(&c)?,
        }));
    }
    Ok(out)
}
