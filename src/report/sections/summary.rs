//! "Summary": the primary design, the analysed patients and the preferred hazard ratio; the
//! biased designs named as comparisons only.

use crate::plot::forest::ratio_text;
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
    }
    for d in r.designs.iter().filter(|d| d.biased) {
        s.push(Block::Paragraph(format!(
            "Also shown, for comparison only and never as an answer: {}.",
            d.label
        )));
    }
    Ok(Some(s))
}
