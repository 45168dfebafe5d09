//! The report: disclosure control, the report document (title, sections, tables, figures) and its
//! renderings to one self-contained HTML file and to Markdown with SVG files beside it.
//!
//! Entry points:
//! - [`analysis::write_analysis_report`]: the full report of an `AnalysisResult` written to a
//!   folder (`report.html`, `report.md`, `figures/*.svg`); [`analysis::analysis_report`] builds
//!   the [`ReportDocument`] without writing; [`descriptive::descriptive_from_cohort`] computes the
//!   score distribution and day-1/3/7 trajectories (call it before `run_plan` takes the cohort).
//! - [`write_report`], [`html::render_html`], [`markdown::render_markdown`]: any document.
//! - [`disclosure`]: the suppression rule and its functions on plain tables.

use std::path::{Path, PathBuf};

pub mod analysis;
pub mod descriptive;
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

/// Writes `report.html` (self-contained), `report.md` and `figures/<id>.svg` into `dir`
/// (created if needed) as one run of `crate::output` (staged, renamed into place when complete,
/// with a manifest; inside an `analyze` run, part of that run). The same document always gives
/// the same bytes.
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
