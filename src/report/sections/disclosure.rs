//! "Disclosure control": the rule applied to every count, in words.

use crate::report::document::{Block, Section};

use super::{Ctx, SectionResult};

/// "Disclosure control".
///
/// # Errors
/// None: the `Result` is the common signature of [`super::SECTIONS`].
pub fn section(ctx: &Ctx) -> SectionResult {
    let mut s = Section::new("disclosure", "Disclosure control");
    s.push(Block::Paragraph(ctx.rule().statement()));
    Ok(Some(s))
}
