//! Loading cohorts: data files (CSV/Parquet) through polars at the edge, mapped to the canonical
//! tables of `schema`, validated, with every exclusion counted in the cohort flow.
//!
//! Entry points: [`load_cohort`] (validated [`Cohort`] plus its [`ValidationReport`]) and
//! [`validate_cohort`] (the report only, streaming CSV in flat memory). A folder is read as the
//! canonical format when it holds `patients.*` and as the registry-wide format when it holds
//! `registry_wide.*` (mapped by `data-schema/registry-wide.mapping.toml`).

pub mod table;

mod canonical;
mod csv;
pub mod mimic;
pub mod source;
pub mod spec;
pub mod validate;
pub mod wide;

use std::path::{Path, PathBuf};

pub use source::Input;
pub use spec::{table_spec, ColumnSpec, ColumnType, TableKind, TableSpec};
pub use table::{read_table, DataTable, FileFormat};
pub use validate::{CohortFormat, Problem, ProblemKind, ValidationReport};

use crate::schema::Cohort;

/// Errors of the loading layer. Every data error names the file, and where it applies the row
/// (1-based, header excluded) and the column.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("{file}: cannot read: {message}")]
    Io { file: String, message: String },
    #[error("{file}: {message}")]
    Read { file: String, message: String },
    #[error("{file}: unknown file format (expected .csv or .parquet)")]
    UnknownFormat { file: String },
    #[error("{file}: missing column `{column}`")]
    MissingColumn { file: String, column: String },
    #[error("{file}: row {row}, column `{column}`: `{value}` is not a number")]
    NotANumber {
        file: String,
        row: usize,
        column: String,
        value: String,
    },
    /// Validation found problems (strict mode, or problems no mode can load past such as a
    /// missing required column). Every problem is listed.
    #[error("{}", invalid_message(.problems, *.strict))]
    Invalid {
        problems: Vec<Problem>,
        strict: bool,
    },
    /// The registry-wide mapping file is malformed.
    #[error("{file}: invalid mapping: {message}")]
    Mapping { file: String, message: String },
}

fn invalid_message(problems: &[Problem], strict: bool) -> String {
    let mut s = format!(
        "{} problem{} found{}:",
        problems.len(),
        if problems.len() == 1 { "" } else { "s" },
        if strict {
            " (strict mode: load leniently to exclude the offending rows)"
        } else {
            " (these stop loading in any mode)"
        }
    );
    for p in problems {
        s.push_str("\n  ");
        s.push_str(&p.to_string());
    }
    s
}

/// How to load.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadOptions {
    /// Strict (default): any problem is an error listing every problem. Lenient: rows with
    /// problems (and every row of a patient whose own row is invalid) are excluded and counted
    /// by reason in the cohort flow.
    pub strict: bool,
    /// A registry-wide mapping to use instead of the embedded
    /// `data-schema/registry-wide.mapping.toml`.
    pub mapping: Option<PathBuf>,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions {
            strict: true,
            mapping: None,
        }
    }
}

impl LoadOptions {
    pub fn lenient() -> Self {
        LoadOptions {
            strict: false,
            ..Default::default()
        }
    }
}

impl ValidationReport {
    /// Problems that stop loading in any mode (missing file or column, duplicate column).
    pub fn is_fatal(&self) -> bool {
        self.problems.iter().any(|p| {
            matches!(
                p.kind,
                ProblemKind::MissingFile
                    | ProblemKind::MissingColumn
                    | ProblemKind::DuplicateColumn
            )
        })
    }
}

/// Loads and validates the cohort in `dir` (canonical or registry-wide, detected by the files
/// present). Strict: `Err(LoadError::Invalid)` listing every problem. Lenient: offending rows
/// are excluded and counted in `Cohort::flow`; the report still lists every problem.
pub fn load_cohort(
    dir: &Path,
    opts: &LoadOptions,
) -> Result<(Cohort, ValidationReport), LoadError> {
    let (cohort, report) = run_dir(dir, opts, true)?;
    finish_load(cohort, report, opts)
}

/// Validates the cohort in `dir` without keeping its tables (CSV is streamed: memory stays flat
/// apart from one small key per patient-day). Data problems are in the report, never an `Err`.
pub fn validate_cohort(dir: &Path, opts: &LoadOptions) -> Result<ValidationReport, LoadError> {
    Ok(run_dir(dir, opts, false)?.1)
}

/// Loads canonical tables from explicit inputs (files or in-memory CSV), e.g. a simulated
/// registry held in memory. `treatments` may be absent.
pub fn load_canonical(
    patients: &Input,
    days: &Input,
    treatments: Option<&Input>,
    opts: &LoadOptions,
) -> Result<(Cohort, ValidationReport), LoadError> {
    let mut stage = validate::Stage::new(true);
    canonical::read_canonical(&mut stage, patients, days, treatments)?;
    let (cohort, report) = stage.finish(CohortFormat::Canonical);
    finish_load(cohort, report, opts)
}

fn finish_load(
    cohort: Option<Cohort>,
    report: ValidationReport,
    opts: &LoadOptions,
) -> Result<(Cohort, ValidationReport), LoadError> {
    if report.is_fatal() || (opts.strict && !report.is_valid()) {
        let strict = !report.is_fatal();
        return Err(LoadError::Invalid {
            problems: report.problems,
            strict,
        });
    }
    Ok((cohort.expect("tables are kept when loading"), report))
}

fn run_dir(
    dir: &Path,
    opts: &LoadOptions,
    keep: bool,
) -> Result<(Option<Cohort>, ValidationReport), LoadError> {
    if !dir.is_dir() {
        return Err(LoadError::Io {
            file: dir.display().to_string(),
            message: "not a folder".to_string(),
        });
    }
    let mut stage = validate::Stage::new(keep);
    let find = |stem: &str, stage: &mut validate::Stage| -> Option<PathBuf> {
        match source::find_table(dir, stem) {
            Ok(p) => p,
            Err(msg) => {
                stage
                    .problems
                    .push(stem, None, None, ProblemKind::MissingFile, msg);
                None
            }
        }
    };
    let patients = find("patients", &mut stage);
    let wide_stem = wide::file_stem(opts)?;
    let wide_file = if patients.is_none() {
        find(&wide_stem, &mut stage)
    } else {
        if let Ok(Some(w)) = source::find_table(dir, &wide_stem) {
            stage.warnings.push(format!(
                "{} ignored: the canonical tables take precedence",
                w.file_name().unwrap_or_default().to_string_lossy()
            ));
        }
        None
    };
    if let Some(w) = wide_file {
        let mapping = wide::Mapping::load(opts)?;
        wide::read_wide(&mut stage, &Input::Path(w), &mapping)?;
        return Ok(stage.finish(CohortFormat::RegistryWide));
    }
    let days = find("days", &mut stage);
    let treatments = find("treatments", &mut stage);
    match (&patients, &days) {
        (Some(p), Some(d)) if stage.problems.list.is_empty() => {
            canonical::read_canonical(
                &mut stage,
                &Input::Path(p.clone()),
                &Input::Path(d.clone()),
                treatments.map(Input::Path).as_ref(),
            )?;
        }
        _ => {
            if stage.problems.list.is_empty() {
                let missing = if patients.is_none() {
                    format!(
                        "no cohort found: expected patients.csv|parquet (canonical) or {wide_stem}.csv|parquet (registry-wide)"
                    )
                } else {
                    "days.csv|parquet is missing".to_string()
                };
                let file = if patients.is_none() {
                    "patients"
                } else {
                    "days"
                };
                stage
                    .problems
                    .push(file, None, None, ProblemKind::MissingFile, missing);
            }
        }
    }
    Ok(stage.finish(CohortFormat::Canonical))
}
