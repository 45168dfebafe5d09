//! "Disclosure control": the rule applied to every count, in words, and how much it withheld
//! (from [`crate::report::withheld`], the ledger `results/disclosure.csv` lists).

use crate::plot::theme::fixed;
use crate::report::document::{Block, Section};
use crate::report::withheld::{entries, totals};

use super::{Ctx, SectionResult};

/// "Disclosure control".
///
/// # Errors
/// None: the `Result` is the common signature of [`super::SECTIONS`].
pub fn section(ctx: &Ctx) -> SectionResult {
    let mut s = Section::new("disclosure", "Disclosure control");
    s.push(Block::Paragraph(ctx.rule().statement()));
    let t = totals(&entries(ctx.r, ctx.dc));
    let share = |w: usize, n: usize| {
        if n == 0 {
            "0.0".to_string()
        } else {
            fixed(100.0 * w as f64 / n as f64, 1)
        }
    };
    s.push(Block::Paragraph(format!(
        "Withheld: {} of the {} counts this report prints ({}%), {} of them to protect another \
         (complementary suppression); {} of the {} estimates computed from counts ({}%). The \
         analyst's copy of the results lists each withheld value with the reason \
         (results/disclosure.csv, not for sharing).",
        t.counts_withheld,
        t.counts,
        share(t.counts_withheld, t.counts),
        t.complements,
        t.estimates_withheld,
        t.estimates,
        share(t.estimates_withheld, t.estimates),
    )));
    Ok(Some(s))
}
