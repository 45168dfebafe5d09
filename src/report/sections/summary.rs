//! "Summary": the primary design, the analysed patients and the preferred hazard ratio; the
//! biased designs named as comparisons only.

use crate::cohort::analysis::RiskMethod;
use crate::plot::forest::ratio_text;
use crate::plot::theme::fixed;
use crate::report::counts::{count, WITHHELD};
use crate::report::document::{Block, Section};

use super::{preferred_hr, Ctx, SectionResult};

/// "Summary".
///
/// # Errors
/// None: the `Result` is the common signature of [`super::SECTIONS`].
pub fn section(ctx: &Ctx) -> SectionResult {
    let (r, dc) = (ctx.r, ctx.dc);
    let mut s = Section::new("summary", "Summary");
    if let Some((d, m)) = ctx.main() {
        let (el, ul) = ctx.arm_labels();
        let mut text = format!(
            "Primary design: {}. Analysed: {} patients ({} {}, {} {}).",
            d.label,
            count(dc.sample),
            count(dc.sample_arms[0]),
            el.to_lowercase(),
            count(dc.sample_arms[1]),
            ul.to_lowercase()
        );
        if let Some(h) = preferred_hr(&d.overall) {
            let shown = d
                .overall
                .hazard_ratios
                .iter()
                .position(|x| std::ptr::eq(x, h))
                .is_some_and(|j| dc.estimates.hazard[m.design][j]);
            text.push_str(&format!(
                " Hazard ratio of death within {} days ({}): {}.",
                r.plan.outcome.horizon,
                h.label,
                if shown {
                    ratio_text(h.hr, h.lower, h.upper)
                } else {
                    format!("{WITHHELD} (withheld with the counts it is computed from)")
                }
            ));
        }
        s.push(Block::Paragraph(text));
        s.push(Block::Paragraph(format!(
            "Estimand. {}",
            d.estimand.sentence
        )));
        if let Some(t) = absolute_sentence(ctx) {
            s.push(Block::Paragraph(t));
        }
    }
    for d in r.designs.iter().filter(|d| d.biased) {
        s.push(Block::Paragraph(format!(
            "Also shown, for comparison only and never as an answer: {}.",
            d.label
        )));
    }
    Ok(Some(s))
}

/// The adjusted absolute effect of the main design in words (the IPTW-weighted Kaplan-Meier
/// risks, else the g-formula), or `None` when it has none or it is withheld.
fn absolute_sentence(ctx: &Ctx) -> Option<String> {
    let (d, m) = ctx.main()?;
    if !m.estimates.adjusted {
        return None;
    }
    let e = [RiskMethod::IptwKm, RiskMethod::GFormula]
        .iter()
        .find_map(|k| d.overall.risks.iter().find(|e| e.method == *k))?;
    if !e.risk_difference.estimate.is_finite() {
        return None;
    }
    let pc = |x: f64| fixed(100.0 * x, 1);
    let (el, ul) = ctx.arm_labels();
    Some(format!(
        "Absolute effect ({}): risk of death by day {} {}% ({} to {}) {} vs {}% ({} to {}) {}; risk difference {} percentage points ({} to {}); {}.",
        e.label,
        ctx.r.plan.outcome.horizon,
        pc(e.risk_exposed.estimate),
        pc(e.risk_exposed.lower),
        pc(e.risk_exposed.upper),
        el.to_lowercase(),
        pc(e.risk_unexposed.estimate),
        pc(e.risk_unexposed.lower),
        pc(e.risk_unexposed.upper),
        ul.to_lowercase(),
        pc(e.risk_difference.estimate),
        pc(e.risk_difference.lower),
        pc(e.risk_difference.upper),
        e.nnt.text
    ))
}
