//! "Baseline characteristics": Table 1 by exposure (continuous: mean (SD) and median [Q1, Q3];
//! binary and categorical: n (% of non-missing); missing counts; SMD), from the decisions of
//! [`crate::report::disclosed::Table1Counts`].

use crate::cohort::table1::{ArmSummary, Table1Variable, VarKind};
use crate::plot::theme::fixed;
use crate::report::counts::{count, WITHHELD};
use crate::report::disclosed::{Stat, Table1Block};
use crate::report::document::{Block, Cell, Row, Section, Table};

use super::{Ctx, SectionResult};

/// "Baseline characteristics": Table 1.
///
/// # Errors
/// None: the `Result` is the common signature of [`super::SECTIONS`].
pub fn section(ctx: &Ctx) -> SectionResult {
    let (r, t1) = (ctx.r, &ctx.dc.table1);
    let (el, ul) = ctx.arm_labels();
    let header = vec![
        "Characteristic".to_string(),
        format!("{el} (n = {})", count(t1.arms[0])),
        format!("{ul} (n = {})", count(t1.arms[1])),
        format!("Overall (n = {})", count(t1.arms[2])),
        "SMD".to_string(),
    ];
    let mut rows = Vec::new();
    for (v, b) in r.table1.variables.iter().zip(&t1.blocks) {
        match v.kind {
            VarKind::Continuous => rows.extend(continuous_rows(&ctx.label(&v.name), v, b)),
            VarKind::Binary | VarKind::Categorical => {
                rows.extend(categorical_rows(&ctx.label(&v.name), v, b))
            }
        }
    }
    let table = Table {
        id: "table-1".into(),
        caption: format!(
            "Table 1. Baseline characteristics by exposure ({}).",
            ctx.primary().map_or("primary sample", |d| d.label.as_str())
        ),
        header,
        rows,
        notes: vec![
            "Continuous: mean (SD) and median [Q1, Q3] of non-missing values; binary and categorical: n (% of non-missing). SMD: standardised mean difference (categorical: multivariate distance), as R tableone.".into(),
            format!("{WITHHELD} Summary statistics of an arm with fewer than {} non-missing values are withheld.", ctx.threshold()),
        ],
    };
    let mut s = Section::new("table-one", "Baseline characteristics");
    s.push(Block::Table(table));
    Ok(Some(s))
}

/// Decimals for a variable's summaries, from the magnitude of its typical value.
fn decimals_for_magnitude(v: f64) -> usize {
    let a = v.abs();
    if !a.is_finite() || a >= 100.0 {
        0
    } else if a >= 1.0 {
        1
    } else {
        2
    }
}

/// The "missing, n (%)" row of a block whose missing count is row `m`.
fn missing_row(b: &Table1Block, m: usize) -> Row {
    let t = &b.cells;
    Row::new(vec![
        Cell::text("    missing, n (%)"),
        Cell::CountPercent {
            n: t.cells[m][0],
            total: t.col_totals[0],
        },
        Cell::CountPercent {
            n: t.cells[m][1],
            total: t.col_totals[1],
        },
        Cell::CountPercent {
            n: t.row_totals[m],
            total: t.grand_total.flatten(),
        },
        Cell::Empty,
    ])
}

/// A continuous variable: mean (SD), median [Q1, Q3], and missing when any.
fn continuous_rows(name: &str, v: &Table1Variable, b: &Table1Block) -> Vec<Row> {
    let centre = if v.overall.median.is_finite() {
        v.overall.median
    } else {
        v.overall.mean
    };
    let dec = decimals_for_magnitude(centre).max(decimals_for_magnitude(v.overall.sd));
    let num = |x: f64| fixed(x, dec);
    let arms = [&v.exposed, &v.unexposed, &v.overall];
    let stat = |i: usize, f: &dyn Fn(&ArmSummary) -> String| -> Cell {
        match b.stats[i] {
            Stat::Empty => Cell::text("NA"),
            Stat::Withheld => Cell::text(WITHHELD),
            Stat::Shown => Cell::text(f(arms[i])),
        }
    };
    let mean = |a: &ArmSummary| format!("{} ({})", num(a.mean), num(a.sd));
    let median = |a: &ArmSummary| format!("{} [{}, {}]", num(a.median), num(a.q1), num(a.q3));
    let mut rows = vec![
        Row::new(vec![
            Cell::text(format!("{name}, mean (SD)")),
            stat(0, &mean),
            stat(1, &mean),
            stat(2, &mean),
            Cell::number(v.smd, 2),
        ]),
        Row::new(vec![
            Cell::text("    median [Q1, Q3]"),
            stat(0, &median),
            stat(1, &median),
            stat(2, &median),
            Cell::Empty,
        ]),
    ];
    if v.overall.n_missing > 0 {
        rows.push(missing_row(b, 1));
    }
    rows
}

/// A binary variable (its "yes" row) or a categorical one (a heading, then one row per level),
/// n (% of non-missing), then missing when any.
fn categorical_rows(name: &str, v: &Table1Variable, b: &Table1Block) -> Vec<Row> {
    let binary = v.kind == VarKind::Binary;
    let smd = Cell::number(v.smd, 2);
    let t = &b.cells;
    let m = if binary { 2 } else { v.levels.len() };
    let mut rows = Vec::new();
    if !binary {
        rows.push(Row::new(vec![
            Cell::text(format!("{name}, n (%)")),
            Cell::Empty,
            Cell::Empty,
            Cell::Empty,
            smd.clone(),
        ]));
    }
    let shown_levels = if binary { 0..1 } else { 0..m };
    for i in shown_levels {
        let label = if binary {
            format!("{name}, n (%)")
        } else {
            format!("    {}", v.levels[i])
        };
        rows.push(Row::new(vec![
            Cell::text(label),
            Cell::CountPercent {
                n: t.cells[i][0],
                total: b.denominators[0],
            },
            Cell::CountPercent {
                n: t.cells[i][1],
                total: b.denominators[1],
            },
            Cell::CountPercent {
                n: t.row_totals[i],
                total: b.denominators[2],
            },
            if binary { smd.clone() } else { Cell::Empty },
        ]));
    }
    if v.overall.n_missing > 0 {
        rows.push(missing_row(b, m));
    }
    rows
}
