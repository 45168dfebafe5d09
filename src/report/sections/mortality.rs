//! Table 2: mortality by exposure for each design (deaths / known status per arm, risk ratio,
//! risk difference, odds ratio), unadjusted.

use crate::plot::forest::ratio_text;
use crate::plot::theme::fixed;
use crate::report::counts::WITHHELD;
use crate::report::document::{Cell, Row, Table};

use super::{capitalise, design_name, withheld_note, Ctx};

/// The table (read by [`super::outcomes`]).
pub fn table(ctx: &Ctx) -> Table {
    let r = ctx.r;
    let (el, ul) = ctx.arm_labels();
    let mut rows = Vec::new();
    for ((d, c), &shown) in r
        .designs
        .iter()
        .zip(&ctx.dc.mortality)
        .zip(&ctx.dc.estimates.mortality)
    {
        let (Some(b), Some(c)) = (&d.overall.binary, c) else {
            continue;
        };
        let m = &b.measures;
        if !shown {
            rows.push(Row::new(vec![
                Cell::text(design_name(d)),
                Cell::CountPercent {
                    n: c[0],
                    total: c[1],
                },
                Cell::CountPercent {
                    n: c[2],
                    total: c[3],
                },
                Cell::text(WITHHELD),
                Cell::text(WITHHELD),
                Cell::text(WITHHELD),
            ]));
            continue;
        }
        rows.push(Row::new(vec![
            Cell::text(design_name(d)),
            Cell::CountPercent {
                n: c[0],
                total: c[1],
            },
            Cell::CountPercent {
                n: c[2],
                total: c[3],
            },
            Cell::estimate(ratio_text(
                m.risk_ratio.estimate,
                m.risk_ratio.lower,
                m.risk_ratio.upper,
            )),
            Cell::estimate(format!(
                "{} ({} to {})",
                fixed(100.0 * m.risk_difference.estimate, 1),
                fixed(100.0 * m.risk_difference.lower, 1),
                fixed(100.0 * m.risk_difference.upper, 1)
            )),
            Cell::estimate(ratio_text(
                m.odds_ratio.estimate,
                m.odds_ratio.lower,
                m.odds_ratio.upper,
            )),
        ]));
    }
    Table {
        id: "table-mortality".into(),
        caption: format!(
            "Table 2. {} by exposure, unadjusted.",
            r.outcomes
                .first()
                .map_or("Mortality".to_string(), |o| capitalise(&o.label))
        ),
        header: vec![
            "Design".into(),
            format!("{el}: deaths (%)"),
            format!("{ul}: deaths (%)"),
            "Risk ratio (95% CI)".into(),
            "Risk difference, % (95% CI)".into(),
            "Odds ratio (95% CI)".into(),
        ],
        rows,
        notes: vec![
            "Percentages of patients with known status at the horizon.".into(),
            withheld_note(ctx),
        ],
    }
}
