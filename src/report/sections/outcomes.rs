//! "Outcomes": Table 2 ([`super::mortality`]), Table 3 ([`super::hazard_ratios`]) and the main
//! design's survival and cumulative-incidence figures ([`super::survival`]).

use crate::report::document::{Block, Section};

use super::{hazard_ratios, mortality, survival, Ctx, SectionResult};

pub fn section(ctx: &Ctx) -> SectionResult {
    let mut s = Section::new("outcomes", "Outcomes");
    s.push(Block::Table(mortality::table(ctx)));
    s.push(Block::Table(hazard_ratios::table(ctx)));
    for b in survival::figures(ctx)? {
        s.push(b);
    }
    Ok(Some(s))
}
