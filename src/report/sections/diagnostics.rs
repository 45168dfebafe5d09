//! "Diagnostics" of the main design: the test of proportional hazards of its Cox models (R
//! `cox.zph(fit, transform = "km")`, scaled Schoenfeld residuals), the exposure term and the
//! global test per model, for all patients and each subgroup level.
//!
//! Rendering only: the tests are [`PhTest`]s of the result. A test of an adjusted model is
//! shown where that population's adjusted estimates are ([`Shown::adjusted`]).

use crate::cohort::analysis::PopulationResult;
use crate::cohort::result::PhTest;
use crate::plot::theme::fixed;
use crate::report::counts::WITHHELD;
use crate::report::disclosed::Shown;
use crate::report::document::{Block, Cell, Row, Section, Table};

use super::{p_text, withheld_note, Ctx, SectionResult};

/// "Diagnostics" (`None` when the main design has no proportional-hazards test).
///
/// # Errors
/// None: the `Result` is the common signature of [`super::SECTIONS`].
pub fn section(ctx: &Ctx) -> SectionResult {
    let Some((d, _)) = ctx.main() else {
        return Ok(None);
    };
    if d.overall.ph_tests.is_empty() {
        return Ok(None);
    }
    let mut rows = Vec::new();
    for (label, p, shown) in ctx.main_populations() {
        population_rows(&mut rows, &label, p, shown);
    }
    let mut s = Section::new("diagnostics", "Diagnostics");
    s.push(Block::Paragraph(
        "Proportional hazards: the hazard ratios of Tables 3 and 4 summarise the follow-up in one number, which is a fair summary only when the ratio is constant over time. The test correlates each term's scaled Schoenfeld residuals with the Kaplan-Meier transform of time (Grambsch and Therneau 1994; R survival's cox.zph with transform = \"km\"); a small p says the ratio changes over follow-up, and the hazard ratio is then an average over it. Propensity-score overlap and effective sample sizes are in the balance section.".into(),
    ));
    s.push(Block::Table(Table {
        id: "table-ph-tests".into(),
        caption: "Table 6. Tests of proportional hazards of the Cox models of the primary design: the exposure term and the global test.".into(),
        header: vec![
            "Population and model".into(),
            "Exposure: chi-square (df)".into(),
            "Exposure: p".into(),
            "Global: chi-square (df)".into(),
            "Global: p".into(),
        ],
        rows,
        notes: vec![
            "A factor (e.g. the site) is one term on as many degrees of freedom as it has columns, as R's cox.zph tests it; every term is in results/ph_tests.csv.".into(),
            withheld_note(ctx),
        ],
    }));
    Ok(Some(s))
}

/// A population's heading row and one row per tested model.
fn population_rows(rows: &mut Vec<Row>, label: &str, p: &PopulationResult, shown: Shown) {
    if p.ph_tests.is_empty() {
        return;
    }
    rows.push(Row::group(label));
    for t in &p.ph_tests {
        rows.push(test_row(t, shown.adjusted));
    }
}

/// One model's row: the exposure term and the global test.
fn test_row(t: &PhTest, ok: bool) -> Row {
    let cell = |s: String| Cell::estimate(if ok { s } else { WITHHELD.to_string() });
    let exposure = t.test.terms.iter().find(|r| r.term == "exposure");
    let chisq = |chisq: f64, df: usize| format!("{} ({df})", fixed(chisq, 2));
    Row::new(vec![
        Cell::text(format!("    {}", t.model)),
        cell(exposure.map_or("NA".into(), |r| chisq(r.chisq, r.df))),
        cell(exposure.map_or("NA".into(), |r| p_text(r.p))),
        cell(chisq(t.test.global.chisq, t.test.global.df)),
        cell(p_text(t.test.global.p)),
    ])
}
