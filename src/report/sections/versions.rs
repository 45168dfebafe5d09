//! "Versions and options": the dicohort version, the figure library and font, and the options
//! the report was made with (the plan and the disclosure threshold) as JSON.

use crate::report::document::{Block, Section};
use crate::report::ReportError;

use super::{Ctx, SectionResult};

/// "Versions and options".
///
/// # Errors
/// [`ReportError::Invalid`] when the plan cannot be written as JSON.
pub fn section(ctx: &Ctx) -> SectionResult {
    versions_section(&serde_json::json!({
        "plan": ctx.r.plan,
        "disclosure_applied": ctx.rule(),
    }))
    .map(Some)
}

/// The "Versions and options" section of any report: the dicohort version and `options` as
/// JSON.
///
/// # Errors
/// [`ReportError::Invalid`] when `options` cannot be written as JSON (a map with non-string
/// keys, a failing `Serialize` impl).
pub fn versions_section<T: serde::Serialize>(options: &T) -> Result<Section, ReportError> {
    let json = serde_json::to_string_pretty(options)
        .map_err(|e| ReportError::Invalid(format!("options are not serialisable: {e}")))?;
    let mut s = Section::new("versions", "Versions and options");
    s.push(Block::List(vec![
        format!("dicohort {}", env!("CARGO_PKG_VERSION")),
        "Figures: plotters 0.3.7 (SVG backend), text set in Liberation Sans 2.1.5 (SIL Open Font License 1.1)".to_string(),
    ]));
    s.push(Block::Paragraph("Options used (JSON):".to_string()));
    s.push(Block::Code(json));
    Ok(s)
}
