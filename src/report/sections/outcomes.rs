//! "Outcomes": Table 2 ([`super::mortality`]), Table 3 ([`super::hazard_ratios`]) and the main
//! design's survival and cumulative-incidence figures ([`super::survival`]).

use crate::report::document::{Block, Section};

use super::{hazard_ratios, mortality, survival, Ctx, SectionResult};

/// "Outcomes": Table 2, Table 3 and the main design's figures.
///
/// # Errors
/// [`ReportError::Plot`](crate::report::ReportError::Plot) when a figure cannot be drawn.
pub fn section(ctx: &Ctx) -> SectionResult {
    let mut s = Section::new("outcomes", "Outcomes");
    s.push(Block::Table(mortality::table(ctx)));
    s.push(Block::Table(hazard_ratios::table(ctx)));
    for b in survival::figures(ctx)? {
        s.push(b);
    }
    Ok(Some(s))
}
