//! The report: disclosure control, the report document (title, sections, tables, figures) and its
//! renderings to one self-contained HTML file and to Markdown with SVG files beside it.
//!
//! Entry points:
//! - [`analysis::write_analysis_report`]: the full report of an `AnalysisResult` written to a
//!   folder (`report.html`, `report.md`, `figures/*.svg`); [`analysis::analysis_report`] builds
//!   the [`ReportDocument`] without writing. Both read only the result (a report can be rendered
//!   again from `results/analysis.json`, see `AnalysisResult::from_json`).
//! - [`write_report`], [`html::render_html`], [`markdown::render_markdown`]: any document.
//! - [`disclosure`]: the suppression rule and its functions on plain tables.

use std::path::{Path, PathBuf};

pub mod analysis;
pub mod disclosure;
pub mod document;
pub mod html;
pub mod markdown;
pub mod methods;

pub use document::{Block, Cell, Figure, ReportDocument, Row, Section, Table};

/// Errors while building or writing a report.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("disclosure control: {0}")]
    Disclosure(String),
    #[error("invalid report: {0}")]
    Invalid(String),
    #[error(transparent)]
    Plot(#[from] crate::plot::PlotError),
}

/// Files written by [`write_report`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportFiles {
    pub html: PathBuf,
    pub markdown: PathBuf,
    pub figures: Vec<PathBuf>,
}

fn write(path: &Path, bytes: &str) -> Result<(), ReportError> {
    std::fs::write(path, bytes).map_err(|source| ReportError::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// Writes `report.html` (self-contained), `report.md` and `figures/<id>.svg` into `dir`
/// (created if needed). The same document always gives the same bytes.
pub fn write_report(doc: &ReportDocument, dir: &Path) -> Result<ReportFiles, ReportError> {
    let html = html::render_html(doc)?;
    let (md, figs) = markdown::render_markdown(doc)?;
    let fig_dir = dir.join(markdown::FIGURE_DIR);
    std::fs::create_dir_all(&fig_dir).map_err(|source| ReportError::Io {
        path: fig_dir.clone(),
        source,
    })?;
    let html_path = dir.join("report.html");
    let md_path = dir.join("report.md");
    write(&html_path, &html)?;
    write(&md_path, &(md + "\n"))?;
    let mut figures = Vec::new();
    for (rel, svg) in figs {
        let p = dir.join(&rel);
        write(&p, &svg)?;
        figures.push(p);
    }
    Ok(ReportFiles {
        html: html_path,
        markdown: md_path,
        figures,
    })
}

/// The "Versions and options" section: the dicohort version and the options as JSON.
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
