//! "Propensity score and covariate balance" of the main design: the Love plot and table of
//! standardised mean differences (unadjusted, IPTW, matched), the propensity-score overlap
//! figure (mirrored histograms, counts after disclosure control) and the propensity model's
//! diagnostics.

use crate::cohort::analysis::PropensitySummary;
use crate::cohort::propensity::Estimand;
use crate::plot::love::{love_figure, LovePlot, LoveRow};
use crate::plot::overlap::{overlap_figure, OverlapArm, OverlapPlot};
use crate::plot::theme::fixed;
use crate::report::counts::WITHHELD;
use crate::report::disclosure::SuppressedTable;
use crate::report::document::{Block, Cell, Figure, Row, Section, Table};

use super::{Ctx, SectionResult};

/// "Propensity score and covariate balance" of the main design (`None` without either).
///
/// # Errors
/// [`ReportError::Plot`](crate::report::ReportError::Plot) when a figure cannot be drawn.
pub fn section(ctx: &Ctx) -> SectionResult {
    let Some((d, _)) = ctx.main() else {
        return Ok(None);
    };
    let p = &d.overall;
    if p.balance.is_empty() && p.propensity.is_none() {
        return Ok(None);
    }
    let mut s = Section::new("balance", "Propensity score and covariate balance");
    if !p.balance.is_empty() {
        let love = LovePlot {
            title: "Covariate balance before and after weighting".into(),
            rows: p
                .balance
                .iter()
                .map(|b| LoveRow {
                    label: ctx.label(&b.variable),
                    before: b.smd_before,
                    after: b.smd_iptw,
                })
                .collect(),
            before_label: "Unadjusted".into(),
            after_label: "IPTW".into(),
            threshold: 0.1,
            footnotes: vec![
                "Dashed line: 0.1, the usual bound of acceptable imbalance (Austin 2009).".into(),
            ],
        };
        s.push(Block::Figure(Figure {
            id: "figure-love".into(),
            caption: "Absolute standardised mean differences of the propensity covariates before and after inverse probability of treatment weighting.".into(),
            svg: love_figure(&love)?,
        }));
        s.push(Block::Table(Table {
            id: "table-balance".into(),
            caption: "Standardised mean differences (exposed minus unexposed).".into(),
            header: vec![
                "Covariate".into(),
                "Unadjusted".into(),
                "IPTW".into(),
                "Matched".into(),
            ],
            rows: p
                .balance
                .iter()
                .map(|b| {
                    Row::new(vec![
                        Cell::text(ctx.label(&b.variable)),
                        Cell::number(b.smd_before, 3),
                        Cell::number(b.smd_iptw, 3),
                        Cell::number(b.smd_matched, 3),
                    ])
                })
                .collect(),
            notes: Vec::new(),
        }));
    }
    if let Some(ps) = &p.propensity {
        if let Some(h) = &ctx.dc.ps_histogram {
            s.push(Block::Figure(Figure {
                id: "figure-ps-overlap".into(),
                caption: format!(
                    "Propensity-score overlap: the distribution of the estimated score in each arm (percentage of the arm per bin of width {}), exposed above the axis and unexposed below; scores near 0 or 1 in one arm only are patients the other arm has no counterpart for.",
                    fixed(ps.histogram.edges.get(1).copied().unwrap_or(f64::NAN), 2)
                ),
                svg: overlap_figure(&overlap_plot(ctx, &ps.histogram.edges, h))?,
            }));
        }
        s.push(Block::Table(propensity_table(ctx, ps)));
    }
    Ok(Some(s))
}

/// The overlap figure's input from the published histogram counts.
fn overlap_plot(ctx: &Ctx, edges: &[f64], h: &SuppressedTable) -> OverlapPlot {
    let (el, ul) = ctx.arm_labels();
    let arm = |label: String, a: usize| OverlapArm {
        label,
        counts: h.cells.iter().map(|row| row[a]).collect(),
        total: h.col_totals.get(a).copied().flatten(),
    };
    OverlapPlot {
        title: "Propensity score by exposure".into(),
        x_label: "Estimated propensity score".into(),
        edges: edges.to_vec(),
        upper: arm(el, 0),
        lower: arm(ul, 1),
        footnotes: vec![format!(
            "{WITHHELD} withheld (disclosure control): a bin with a withheld count has no bar."
        )],
        withheld: WITHHELD.to_string(),
    }
}

/// An effective sample size, withheld with the arm size it is bounded by.
fn ess_cell(ctx: &Ctx, arm: usize, ess: f64) -> Cell {
    if ctx.dc.sample_arms[arm].is_some() {
        Cell::number(ess, 1)
    } else {
        Cell::text(WITHHELD)
    }
}

/// The propensity model's diagnostics (whole analysed sample).
fn propensity_table(ctx: &Ctx, ps: &PropensitySummary) -> Table {
    let r = ctx.r;
    let est = match r.plan.propensity.estimand {
        Estimand::Ate => "ATE",
        Estimand::Att => "ATT",
    };
    let rows = vec![
        Row::new(vec![
            Cell::text("C-statistic (area under the ROC curve)"),
            Cell::number(ps.c_statistic, 3),
        ]),
        Row::new(vec![
            Cell::text("Patients trimmed"),
            Cell::Count(ctx.dc.propensity[0]),
        ]),
        Row::new(vec![
            Cell::text(format!(
                "Largest weight ({est}{})",
                if r.plan.propensity.stabilised {
                    ", stabilised"
                } else {
                    ""
                }
            )),
            Cell::number(ps.weight_max, 2),
        ]),
        Row::new(vec![
            Cell::text("Effective sample size, exposed"),
            ess_cell(ctx, 0, ps.ess_exposed),
        ]),
        Row::new(vec![
            Cell::text("Effective sample size, unexposed"),
            ess_cell(ctx, 1, ps.ess_unexposed),
        ]),
        Row::new(vec![
            Cell::text("Matched pairs"),
            Cell::Count(ctx.dc.propensity[1]),
        ]),
        Row::new(vec![
            Cell::text("Exposed patients left unmatched"),
            Cell::Count(ctx.dc.propensity[2]),
        ]),
        Row::new(vec![
            Cell::text("Caliper (logit of the score)"),
            Cell::number(ps.caliper_logit, 3),
        ]),
    ];
    Table {
        id: "table-propensity".into(),
        caption: "Propensity model diagnostics (whole analysed sample).".into(),
        header: vec!["Quantity".into(), "Value".into()],
        rows,
        notes: vec![format!(
            "Covariates: {}.",
            ps.covariates
                .iter()
                .filter(|c| *c != "(Intercept)")
                .cloned()
                .collect::<Vec<_>>()
                .join(", ")
        )],
    }
}
