//! The report: disclosure control, the report document (title, sections, tables, figures) and its
//! renderings to one self-contained HTML file and to Markdown with SVG files beside it. The
//! report is a pure function of an `AnalysisResult` and a [`disclosure::DisclosureRule`]: it
//! never reads patient data, so it can be rendered again from `results/analysis.json` on a
//! machine that never saw patient rows.
//!
//! Flow of one analysis report ([`analysis::analysis_report`]):
//! 1. [`disclosed::DisclosedCounts::new`] takes every disclosure decision once: the linked
//!    systems of counts (flow, Table 2, the joint audit of the subgroup table with Table 1, the
//!    numbers at risk of every figure), built on the rule and audit of [`disclosure`];
//! 2. each section of [`sections::SECTIONS`] (one file per section under `sections/`) reads
//!    those decisions and lays out its tables, figures and captions; adding a section is one
//!    file and one line there;
//! 3. [`write_report`] checks the document (no count below the threshold) and renders it with
//!    [`html::render_html`] and [`markdown::render_markdown`].
//!
//! Entry points:
//! - [`analysis::write_analysis_report`]: the full report of an `AnalysisResult` written to a
//!   folder (`report.html`, `report.md`, `figures/*.svg`); [`analysis::analysis_report`] builds
//!   the [`ReportDocument`] without writing.
//! - [`write_report`], [`html::render_html`], [`markdown::render_markdown`]: any document.
//! - [`disclosure`]: the suppression rule and its functions on plain tables; [`counts`]: how a
//!   count (or a withheld one, [`counts::WITHHELD`]) is printed.

use std::path::{Path, PathBuf};

pub mod analysis;
pub mod counts;
pub mod disclosed;
pub mod disclosure;
pub mod document;
pub mod html;
pub mod markdown;
pub mod methods;
pub mod sections;
pub mod withheld;

pub use document::{Block, Cell, Figure, ReportDocument, Row, Section, Table};
pub use sections::versions::versions_section;

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

/// Writes `report.html` (self-contained), `report.md` and `figures/<id>.svg` into `dir`
/// (created if needed) as one run of `crate::output` (staged, renamed into place when complete,
/// with a manifest; inside an `analyze` run, part of that run). The same document always gives
/// the same bytes.
///
/// # Errors
/// [`ReportError::Disclosure`] or [`ReportError::Invalid`] when the document fails
/// [`ReportDocument::check`]; [`ReportError::Io`] naming the folder or file that could not be
/// written.
pub fn write_report(doc: &ReportDocument, dir: &Path) -> Result<ReportFiles, ReportError> {
    let html = html::render_html(doc)?;
    let (md, figs) = markdown::render_markdown(doc)?;
    let mut files = vec![
        ("report.html".to_string(), html.into_bytes()),
        ("report.md".to_string(), (md + "\n").into_bytes()),
    ];
    files.extend(figs.into_iter().map(|(rel, svg)| (rel, svg.into_bytes())));
    let written = crate::output::write_dir(dir, "report", &files).map_err(|e| ReportError::Io {
        path: dir.to_path_buf(),
        source: std::io::Error::other(e),
    })?;
    Ok(ReportFiles {
        html: written[0].clone(),
        markdown: written[1].clone(),
        figures: written[2..].to_vec(),
    })
}
