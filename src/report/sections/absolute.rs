//! "Absolute effects" of the main design: Table 5, the 28-day risk per arm, the risk difference
//! and the number needed to treat, crude and adjusted (g-formula standardisation and the
//! IPTW-weighted Kaplan-Meier at the horizon), for all patients and every subgroup level.
//!
//! Rendering only: the risks are [`RiskEstimate`]s of the result, the decisions which may be
//! shown are [`Shown`] of the report's [`crate::report::disclosed::DisclosedCounts`]: a crude
//! risk is deaths over patients (it is shown only where the crude estimates are), an adjusted
//! one follows the adjusted hazard ratios of the same population.

use crate::cohort::analysis::{PopulationResult, RiskEstimate, RiskMethod};
use crate::cohort::result::{Interval, Nnt};
use crate::plot::theme::fixed;
use crate::report::counts::WITHHELD;
use crate::report::disclosed::Shown;
use crate::report::document::{Block, Cell, Row, Section, Table};

use super::{withheld_note, Ctx, SectionResult};

/// "Absolute effects" (`None` when the main design has no risk estimates).
///
/// # Errors
/// None: the `Result` is the common signature of [`super::SECTIONS`].
pub fn section(ctx: &Ctx) -> SectionResult {
    let Some((d, _)) = ctx.main() else {
        return Ok(None);
    };
    if d.overall.risks.is_empty() {
        return Ok(None);
    }
    let mut rows = Vec::new();
    for (label, p, shown) in ctx.main_populations() {
        population_rows(&mut rows, &label, p, shown);
    }
    let horizon = ctx.r.plan.outcome.horizon;
    let (el, ul) = ctx.arm_labels();
    let mut notes = vec![
        format!(
            "Risk: probability of death by day {horizon} ({}). Risk difference: {} minus {}, in percentage points; negative favours {}.",
            ctx.r.estimand.outcome,
            el.to_lowercase(),
            ul.to_lowercase(),
            ctx.r.exposure.name
        ),
        "NNTB / NNTH: number needed to treat for one more patient to benefit / to be harmed (Altman 1998); when the interval of the difference includes 0, the interval of the NNT runs from an NNTB bound through infinity to an NNTH bound.".to_string(),
    ];
    notes.extend(interval_notes(&d.overall.risks));
    notes.push(withheld_note(ctx));
    let mut s = Section::new("absolute", "Absolute effects");
    s.push(Block::Paragraph(format!(
        "Risks of death by day {horizon} per arm in the primary design ({}), crude and adjusted: standardised by the g-formula over a logistic outcome model, and read off the Kaplan-Meier curves weighted by the same inverse probability of treatment weights as the hazard ratio. Both adjusted estimates target the same marginal contrast as the primary hazard ratio, on the absolute scale.",
        d.label
    )));
    s.push(Block::Table(Table {
        id: "table-absolute-risks".into(),
        caption: format!(
            "Table 5. Risk of death by day {horizon} per arm, risk difference and number needed to treat, crude and adjusted, for all patients and each subgroup level."
        ),
        header: vec![
            "Population and method".into(),
            format!("{el}: risk, % (95% CI)"),
            format!("{ul}: risk, % (95% CI)"),
            "Risk difference, points (95% CI)".into(),
            "NNT (95% CI)".into(),
        ],
        rows,
        notes,
    }));
    Ok(Some(s))
}

/// A population's heading row and one row per risk method.
fn population_rows(rows: &mut Vec<Row>, label: &str, p: &PopulationResult, shown: Shown) {
    if p.risks.is_empty() {
        return;
    }
    rows.push(Row::group(label));
    for e in &p.risks {
        let ok = shown.adjustment(e.adjustment);
        let cell = |s: String| Cell::estimate(if ok { s } else { WITHHELD.to_string() });
        rows.push(Row::new(vec![
            Cell::text(format!("    {}", method_name(e))),
            cell(percent_interval(&e.risk_exposed)),
            cell(percent_interval(&e.risk_unexposed)),
            cell(percent_interval(&e.risk_difference)),
            cell(nnt_text(&e.nnt)),
        ]));
    }
}

/// The row label of a risk method, with crude or adjusted on it.
pub(crate) fn method_name(e: &RiskEstimate) -> &'static str {
    match e.method {
        RiskMethod::Crude => "Crude (Kaplan-Meier)",
        RiskMethod::GFormula => "Adjusted: g-formula",
        RiskMethod::IptwKm => "Adjusted: IPTW-weighted Kaplan-Meier",
    }
}

/// One note per method saying how its intervals were made.
fn interval_notes(risks: &[RiskEstimate]) -> Vec<String> {
    risks
        .iter()
        .map(|e| {
            let mut s = format!("{}: {}; intervals: {}", method_name(e), e.label, e.interval);
            if e.bootstrap_failed > 0 {
                s.push_str(&format!(
                    " ({} replicates failed and were left out)",
                    e.bootstrap_failed
                ));
            }
            s.push('.');
            s
        })
        .collect()
}

/// A probability (or a difference of two) in percent, "15.1 (13.2 to 17.6)"; the estimate alone
/// without a finite interval, "NA" when not finite.
pub(crate) fn percent_interval(i: &Interval) -> String {
    if !i.estimate.is_finite() {
        return "NA".into();
    }
    let f = |x: f64| fixed(100.0 * x, 1);
    if i.lower.is_finite() && i.upper.is_finite() {
        format!("{} ({} to {})", f(i.estimate), f(i.lower), f(i.upper))
    } else {
        f(i.estimate)
    }
}

/// The library's NNT in words ([`Nnt::text`]), "NNTB 37 (NNTB 18 to ∞ to NNTH 191)".
pub(crate) fn nnt_text(n: &Nnt) -> String {
    if n.estimate.is_finite() {
        n.text.clone()
    } else {
        "NA".into()
    }
}
