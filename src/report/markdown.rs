//! Markdown rendering: pipe tables, figures as SVG files in `figures/` referenced by relative
//! path.

use super::document::{Block, ReportDocument, Table};
use super::ReportError;

/// Directory (relative to the Markdown file) holding the figures.
pub const FIGURE_DIR: &str = "figures";

fn cell_md(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace('\n', " ")
}

fn table_md(t: &Table, out: &mut String) {
    out.push_str(&format!("**{}**\n\n", cell_md(&t.caption)));
    if t.header.is_empty() {
        return;
    }
    let numeric: Vec<bool> = (0..t.header.len())
        .map(|j| {
            t.rows
                .iter()
                .any(|r| !r.group && r.cells.get(j).is_some_and(|c| c.is_numeric()))
        })
        .collect();
    out.push('|');
    for h in &t.header {
        out.push_str(&format!(" {} |", cell_md(h)));
    }
    out.push_str("\n|");
    for n in &numeric {
        out.push_str(if *n { " ---: |" } else { " --- |" });
    }
    out.push('\n');
    for r in &t.rows {
        out.push('|');
        if r.group {
            let label = r.cells.first().map(|c| c.render()).unwrap_or_default();
            out.push_str(&format!(" **{}** |", cell_md(&label)));
            for _ in 1..t.header.len() {
                out.push_str("  |");
            }
        } else {
            for c in &r.cells {
                out.push_str(&format!(" {} |", cell_md(&c.render())));
            }
        }
        out.push('\n');
    }
    out.push('\n');
    for n in &t.notes {
        out.push_str(&format!("{}\n\n", n));
    }
}

/// Renders the document to Markdown; returns the text and the figure files as
/// (relative path, SVG).
///
/// # Errors
/// [`ReportError::Disclosure`] or [`ReportError::Invalid`] when the document fails
/// [`ReportDocument::check`].
pub fn render_markdown(
    doc: &ReportDocument,
) -> Result<(String, Vec<(String, String)>), ReportError> {
    doc.check()?;
    let mut out = format!("# {}\n\n", doc.title);
    if !doc.subtitle.is_empty() {
        out.push_str(&format!("{}\n\n", doc.subtitle));
    }
    let mut files = Vec::new();
    for s in &doc.sections {
        out.push_str(&format!("## {}\n\n", s.heading));
        for b in &s.blocks {
            match b {
                Block::Paragraph(p) => out.push_str(&format!("{p}\n\n")),
                Block::List(items) => {
                    for i in items {
                        out.push_str(&format!("- {i}\n"));
                    }
                    out.push('\n');
                }
                Block::Table(t) => table_md(t, &mut out),
                Block::Figure(f) => {
                    let path = format!("{FIGURE_DIR}/{}.svg", f.id);
                    out.push_str(&format!(
                        "![{}]({path})\n\n",
                        cell_md(&f.caption).replace(['[', ']'], "")
                    ));
                    out.push_str(&format!("*{}*\n\n", f.caption));
                    files.push((path, f.svg.clone()));
                }
                Block::Code(c) => out.push_str(&format!("```\n{c}\n```\n\n")),
            }
        }
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    Ok((out, files))
}
