//! Loading cohorts: data files (CSV/Parquet) through polars at the edge, mapped to the canonical
//! tables of `schema`, validated, with every exclusion counted in the cohort flow.
//!
//! Entry points: [`load_cohort`] (validated [`Cohort`] plus its [`ValidationReport`]) and
//! [`validate_cohort`] (the report only, streaming CSV in flat memory). A folder is read as the
//! canonical format when it holds `patients.*` and as the registry-wide format when it holds
//! `registry_wide.*` (mapped by `data-schema/registry-wide.mapping.toml`).

pub mod columns;
pub mod table;

mod canonical;
mod csv;
mod fast_days;
pub mod mimic;
pub mod scan;
pub mod source;
pub mod spec;
pub mod typed;
pub mod validate;
pub mod wide;

use std::path::{Path, PathBuf};

pub use columns::{read_cells, read_cells_with, MissingValues};
pub use source::Input;
pub use spec::{table_spec, ColumnSpec, ColumnType, TableKind, TableSpec};
pub use table::{read_table, read_table_with, DataTable, FileFormat};
pub use validate::{CohortFormat, Problem, ProblemKind, ValidationReport};

use crate::progress::Reporter;
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
    /// A missing column in a file whose header reads as one column that looks delimited
    /// otherwise (e.g. `;` or tab): the hint says so.
    #[error("{file}: missing column `{column}`: {hint}")]
    OneColumn {
        file: String,
        column: String,
        hint: String,
    },
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
    /// A CSV row with fewer or more fields than the header (data files read for a model).
    #[error("{file}: {}", columns::ragged_message(.rows))]
    Ragged {
        file: String,
        rows: Vec<table::RaggedRow>,
    },
    /// The header names a column twice (positions 1-based).
    #[error("{file}: columns {first} and {second} are both named `{column}`: rename one")]
    DuplicateColumn {
        file: String,
        column: String,
        first: usize,
        second: usize,
    },
    /// A file with a header and no data rows.
    #[error("{file}: no data rows (the file has a header only)")]
    NoRows { file: String },
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
    /// The CSV delimiter (`,`, `;`, tab, `|`); `None` detects it from each file's header.
    pub delimiter: Option<u8>,
    /// Keep the patient-days compact (`Cohort::compact_days`, every value exact, a few bytes
    /// each) instead of as `f64` columns (`Cohort::days`): for the analysis of large cohorts.
    pub compact: bool,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions {
            strict: true,
            mapping: None,
            delimiter: None,
            compact: false,
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
                    | ProblemKind::IncompleteFolder
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
    load_cohort_with_progress(dir, opts, Reporter::default())
}

/// [`load_cohort`], reporting the stages of reading to `progress`.
pub fn load_cohort_with_progress(
    dir: &Path,
    opts: &LoadOptions,
    progress: Reporter,
) -> Result<(Cohort, ValidationReport), LoadError> {
    let (cohort, report) = run_dir(dir, opts, true, progress)?;
    finish_load(cohort, report, opts)
}

/// Validates the cohort in `dir` without keeping its tables (CSV is streamed: memory stays flat
/// apart from one small key per patient-day). Data problems are in the report, never an `Err`.
pub fn validate_cohort(dir: &Path, opts: &LoadOptions) -> Result<ValidationReport, LoadError> {
    validate_cohort_with_progress(dir, opts, Reporter::default())
}

/// [`validate_cohort`], reporting the stages of reading to `progress`.
pub fn validate_cohort_with_progress(
    dir: &Path,
    opts: &LoadOptions,
    progress: Reporter,
) -> Result<ValidationReport, LoadError> {
    Ok(run_dir(dir, opts, false, progress)?.1)
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
    stage.delimiter = opts.delimiter;
    stage.compact = opts.compact;
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

/// Refuses a folder that is not a complete output of a dicohort run (see
/// [`ProblemKind::IncompleteFolder`]); notes files edited since the run that wrote them.
fn check_provenance(dir: &Path, stage: &mut validate::Stage) {
    use crate::output::{folder_state, FolderState, INCOMPLETE, MANIFEST};
    let mut problem = |file: &str, msg: String| {
        stage
            .problems
            .push(file, None, None, ProblemKind::IncompleteFolder, msg)
    };
    match folder_state(dir) {
        Ok(FolderState::Unmanaged) => {
            if let Some(t) = ["truth.json", "truth_patients.csv"]
                .into_iter()
                .find(|t| dir.join(t).exists())
            {
                problem(
                    t,
                    format!(
                        "the folder holds {t} but no {MANIFEST}: a `dicohort simulate` run that \
                         was interrupted (or one older than manifests) wrote it, so its tables \
                         may be partial or from another run; simulate again into an empty folder"
                    ),
                );
            }
        }
        Ok(FolderState::Complete { changed, .. }) => {
            stage.warnings.extend(changed);
        }
        Ok(FolderState::Interrupted { command }) => problem(
            INCOMPLETE,
            format!(
                "a `dicohort {command}` run was interrupted while replacing this folder's files: \
                 its tables may be a mix of two runs; run `dicohort {command}` again"
            ),
        ),
        Ok(FolderState::Writing { pid, command }) => problem(
            MANIFEST,
            format!(
                "`dicohort {command}` (pid {pid}) is writing this folder right now; wait for it \
                 to finish"
            ),
        ),
        Err(e) => problem(MANIFEST, e.to_string()),
    }
}

fn run_dir(
    dir: &Path,
    opts: &LoadOptions,
    keep: bool,
    progress: Reporter,
) -> Result<(Option<Cohort>, ValidationReport), LoadError> {
    if !dir.is_dir() {
        return Err(LoadError::Io {
            file: dir.display().to_string(),
            message: "not a folder".to_string(),
        });
    }
    let mut stage = validate::Stage::new(keep);
    check_provenance(dir, &mut stage);
    stage.delimiter = opts.delimiter;
    stage.compact = opts.compact;
    stage.progress = progress;
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
