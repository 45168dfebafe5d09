//! "Summary": the primary design, the analysed patients and the preferred hazard ratio; the
//! biased designs named as comparisons only.

use crate::plot::forest::ratio_text;
use crate::report::counts::count;
use crate::report::document::{Block, Section};

use super::{preferred_hr, Ctx, SectionResult};

/// "Summary".
///
/// # Errors
/// None: the `Result` is the common signature of [`super::SECTIONS`].
pub fn section(ctx: &Ctx) -> SectionResult {
    let (r, dc) = (ctx.r, ctx.dc);
    let mut s = Section::new("summary", "Summary");
    if let Some((d, _)) = ctx.main() {
        let (el, ul) = ctx.arm_labels();
        let mut text = format!(
            "Primary design: {}. Analysed: {} patients ({} {}, {} {}).",
            d.label,
            count(dc.alone(d.overall.n as u64)),
            count(dc.alone(d.overall.n_exposed as u64)),
            el.to_lowercase(),
            count(dc.alone(d.overall.n_unexposed as u64)),
            ul.to_lowercase()
        );
        if let Some(h) = preferred_hr(&d.overall) {
            text.push_str(&format!(
                " Hazard ratio of death within {} days ({}): {}.",
                r.plan.outcome.horizon,
                h.label,
                ratio_text(h.hr, h.lower, h.upper)
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
