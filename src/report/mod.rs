//! The report: disclosure control, the report document (title, sections, tables, figures) and its
//! renderings to one self-contained HTML file and to Markdown with SVG files beside it.

pub mod disclosure;
