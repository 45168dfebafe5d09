//! One self-contained HTML file: inline CSS, figures inlined as SVG, no scripts, no external
//! resources (the SVG namespace attribute is dropped: HTML5 does not need it, and the file then
//! contains no URL at all).

use super::document::{Block, Cell, ReportDocument, Table};
use super::ReportError;
use crate::plot::canvas::escape_xml as esc;
use crate::plot::font::FONT_FAMILY;

const CSS: &str = "body{margin:0;background:#fff;color:#111;font-family:FONTS;font-size:15px;line-height:1.45}\
main{max-width:1100px;margin:0 auto;padding:24px 32px 48px}\
h1{font-size:26px;margin:8px 0 4px}h2{font-size:20px;margin:32px 0 8px;border-bottom:1px solid #ccc;padding-bottom:4px}\
p.subtitle{color:#444;margin-top:0}nav ol{columns:2;padding-left:20px}\
table{border-collapse:collapse;margin:12px 0 4px;font-size:14px}\
caption{text-align:left;font-weight:bold;padding-bottom:6px;caption-side:top}\
th,td{padding:3px 10px;border-bottom:1px solid #e2e2e2;vertical-align:top}\
thead th{border-top:2px solid #111;border-bottom:1px solid #111;text-align:left}\
tbody tr:last-child td{border-bottom:2px solid #111}\
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}td.n,td.e{white-space:nowrap}\
tr.group td{font-weight:bold;background:#f4f4f4}\
p.note{font-size:13px;color:#333;margin:2px 0}\
figure{margin:16px 0 24px}figure svg{max-width:100%;height:auto}\
figcaption{font-size:14px;color:#222;margin-top:6px}\
pre{background:#f6f6f6;padding:10px;overflow-x:auto;font-size:13px}";

fn table_html(t: &Table, out: &mut String) {
    out.push_str(&format!(
        "<table id=\"{}\">\n<caption>{}</caption>\n<thead><tr>",
        t.id,
        esc(&t.caption)
    ));
    // One alignment per column: numeric (right-aligned, class `n`) when any of its cells is a
    // number, else unwrapped (class `e`) when any is an estimate.
    let class: Vec<&str> = (0..t.header.len())
        .map(|j| {
            let cells = || {
                t.rows
                    .iter()
                    .filter(|r| !r.group)
                    .filter_map(|r| r.cells.get(j))
            };
            if cells().any(Cell::is_numeric) {
                " class=\"n\""
            } else if cells().any(Cell::is_estimate) {
                " class=\"e\""
            } else {
                ""
            }
        })
        .collect();
    for (j, h) in t.header.iter().enumerate() {
        out.push_str(&format!("<th{}>{}</th>", class[j], esc(h)));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for r in &t.rows {
        if r.group {
            let label = r.cells.first().map(|c| c.render()).unwrap_or_default();
            out.push_str(&format!(
                "<tr class=\"group\"><td colspan=\"{}\">{}</td></tr>\n",
                t.header.len().max(1),
                esc(&label)
            ));
            continue;
        }
        out.push_str("<tr>");
        for (j, c) in r.cells.iter().enumerate() {
            let class = class.get(j).copied().unwrap_or("");
            out.push_str(&format!("<td{class}>{}</td>", esc(&c.render())));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n");
    for n in &t.notes {
        out.push_str(&format!("<p class=\"note\">{}</p>\n", esc(n)));
    }
}

/// The SVG as inlined in HTML: without the XML namespace attribute.
pub fn inline_svg(svg: &str) -> String {
    svg.replacen(" xmlns=\"http://www.w3.org/2000/svg\"", "", 1)
}

/// Renders the document to one self-contained HTML file.
///
/// # Errors
/// [`ReportError::Disclosure`] or [`ReportError::Invalid`] when the document fails
/// [`ReportDocument::check`].
pub fn render_html(doc: &ReportDocument) -> Result<String, ReportError> {
    doc.check()?;
    let mut out = String::new();
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    out.push_str(&format!("<title>{}</title>\n", esc(&doc.title)));
    out.push_str(&format!(
        "<style>{}</style>\n</head>\n<body>\n<main>\n",
        CSS.replace("FONTS", FONT_FAMILY)
    ));
    out.push_str(&format!("<h1>{}</h1>\n", esc(&doc.title)));
    if !doc.subtitle.is_empty() {
        out.push_str(&format!(
            "<p class=\"subtitle\">{}</p>\n",
            esc(&doc.subtitle)
        ));
    }
    out.push_str("<nav><ol>\n");
    for s in &doc.sections {
        out.push_str(&format!(
            "<li><a href=\"#{}\">{}</a></li>\n",
            s.id,
            esc(&s.heading)
        ));
    }
    out.push_str("</ol></nav>\n");
    for s in &doc.sections {
        out.push_str(&format!(
            "<section id=\"{}\">\n<h2>{}</h2>\n",
            s.id,
            esc(&s.heading)
        ));
        for b in &s.blocks {
            match b {
                Block::Paragraph(p) => out.push_str(&format!("<p>{}</p>\n", esc(p))),
                Block::List(items) => {
                    out.push_str("<ul>\n");
                    for i in items {
                        out.push_str(&format!("<li>{}</li>\n", esc(i)));
                    }
                    out.push_str("</ul>\n");
                }
                Block::Table(t) => table_html(t, &mut out),
                Block::Figure(f) => {
                    out.push_str(&format!("<figure id=\"{}\">\n", f.id));
                    out.push_str(&inline_svg(&f.svg));
                    if !out.ends_with('\n') {
                        out.push('\n');
                    }
                    out.push_str(&format!(
                        "<figcaption>{}</figcaption>\n</figure>\n",
                        esc(&f.caption)
                    ));
                }
                Block::Code(c) => out.push_str(&format!("<pre>{}</pre>\n", esc(c))),
            }
        }
        out.push_str("</section>\n");
    }
    out.push_str("</main>\n</body>\n</html>\n");
    Ok(out)
}
