//! Loading cohorts: data files (CSV/Parquet) through polars at the edge, mapped to the canonical
//! tables of `schema`, validated, with every exclusion counted in the cohort flow.
//!
//! Entry points: [`load_cohort`] (validated [`Cohort`] plus its [`ValidationReport`]) and
//! [`validate_cohort`] (the report only, streaming CSV in flat memory). Both take a folder or a
//! file:
//! - with [`LoadOptions::mapping`]: the export is read through that mapping ([`mapping`]); a
//!   folder is searched for the mapping's `file`;
//! - a folder holding `patients.*` (or a file named `patients.*`, `days.*`, `treatments.*`):
//!   the canonical format;
//! - a folder holding `registry_wide.*`, or any other file: the registry-wide format (mapped by
//!   the embedded `data-schema/registry-wide.mapping.toml`).
//!
//! Every path ends with the unit-plausibility check ([`plausibility`]).

pub mod columns;
pub mod table;

mod canonical;
mod csv;
mod fast_days;
mod mapped;
pub mod mapping;
pub mod mimic;
pub mod plausibility;
pub mod scan;
pub mod source;
pub mod spec;
pub mod typed;
pub mod units;
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
    /// The mapping cannot be used with this input.
    #[error("{file}: invalid mapping: {message}")]
    Mapping { file: String, message: String },
    /// A value of a mapping file is wrong: the file, the line and the key.
    #[error("{file}: invalid mapping: line {line}, {key}: {message}")]
    MappingValue {
        file: String,
        line: usize,
        key: String,
        message: String,
    },
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
    /// A mapping file (see [`mapping`]) through which to read the export, instead of the
    /// canonical format or the embedded `data-schema/registry-wide.mapping.toml`.
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

/// Loads and validates the cohort at `path`, a folder or a file (see the module docs for how
/// its format is found). Strict: `Err(LoadError::Invalid)` listing every problem, an implausible
/// unit included. Lenient: offending rows are excluded and counted in `Cohort::flow`; the report
/// still lists every problem, and an implausible unit is a warning and a flow note.
pub fn load_cohort(
    path: &Path,
    opts: &LoadOptions,
) -> Result<(Cohort, ValidationReport), LoadError> {
    load_cohort_with_progress(path, opts, Reporter::default())
}

/// [`load_cohort`], reporting the stages of reading to `progress`.
pub fn load_cohort_with_progress(
    path: &Path,
    opts: &LoadOptions,
    progress: Reporter,
) -> Result<(Cohort, ValidationReport), LoadError> {
    finish_load(run_path(path, opts, true, progress)?, opts)
}

/// Validates the cohort at `path` (a folder or a file) without keeping its tables (CSV is
/// streamed: memory stays flat apart from one small key per patient-day). Data problems are in
/// the report, never an `Err`.
pub fn validate_cohort(path: &Path, opts: &LoadOptions) -> Result<ValidationReport, LoadError> {
    validate_cohort_with_progress(path, opts, Reporter::default())
}

/// [`validate_cohort`], reporting the stages of reading to `progress`.
pub fn validate_cohort_with_progress(
    path: &Path,
    opts: &LoadOptions,
    progress: Reporter,
) -> Result<ValidationReport, LoadError> {
    Ok(check_units(run_path(path, opts, false, progress)?, opts.strict).1)
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
    finish_load(Run::canonical(stage, CohortFormat::Canonical), opts)
}

/// Loads an export through a mapping from explicit inputs: `main` is the main file (one row
/// per patient); other files the mapping names are looked for beside it.
pub fn load_mapped(
    main: &Input,
    mapping: &mapping::Mapping,
    opts: &LoadOptions,
) -> Result<(Cohort, ValidationReport), LoadError> {
    let mut stage = validate::Stage::new(true);
    let sources = mapped::read_mapped(&mut stage, main, mapping)?;
    finish_load(Run::mapped(stage, sources, mapping), opts)
}

/// What a reader left: the staged tables, where each measurement came from, and the mapping
/// named in unit fixes.
struct Run {
    stage: validate::Stage,
    format: CohortFormat,
    sources: Vec<plausibility::ColumnSource>,
    mapping: Option<String>,
    /// A note for a file read through the embedded mapping that did not fit it.
    hint: Option<String>,
}

impl Run {
    fn canonical(stage: validate::Stage, format: CohortFormat) -> Run {
        let day_file = stage.day_file.to_string();
        let sources = units::COLUMN_UNITS
            .iter()
            .filter(|c| c.plausible_median.is_some())
            .map(|c| plausibility::ColumnSource::canonical(&day_file, c.column))
            .collect();
        Run {
            stage,
            format,
            sources,
            mapping: None,
            hint: None,
        }
    }
    fn mapped(
        stage: validate::Stage,
        sources: Vec<plausibility::ColumnSource>,
        m: &mapping::Mapping,
    ) -> Run {
        let embedded = m.origin == wide::EMBEDDED_ORIGIN;
        Run {
            stage,
            format: if embedded {
                CohortFormat::RegistryWide
            } else {
                CohortFormat::Mapped
            },
            sources,
            mapping: Some(m.origin.clone()),
            hint: None,
        }
    }
}

/// Finishes a run (cross-row rules, the tables when kept) and applies the unit-plausibility
/// check: strict, a problem per implausible column; lenient, a warning and a flow note.
fn check_units(run: Run, strict: bool) -> (Option<Cohort>, ValidationReport) {
    let Run {
        mut stage,
        format,
        sources,
        mapping,
        hint,
    } = run;
    let sketch = std::mem::take(&mut stage.unit_sketch);
    let (mut cohort, mut report) = stage.finish(format);
    if let Some(h) = hint {
        if report.is_fatal() {
            let file = report.files.first().cloned().unwrap_or_default();
            report.problems.push(Problem {
                file,
                row: None,
                column: None,
                kind: ProblemKind::MissingColumn,
                message: h,
            });
        }
    }
    if report.is_fatal() {
        return (cohort, report);
    }
    for f in plausibility::check(&sketch, &sources, mapping.as_deref()) {
        if strict {
            report.problems.push(Problem {
                file: f.file.clone(),
                row: None,
                column: Some(f.columns.clone()),
                kind: ProblemKind::ImplausibleUnit,
                message: f.message.clone(),
            });
        } else {
            report.warnings.push(format!(
                "{}, column `{}`: {} (lenient: loaded as stated)",
                f.file, f.columns, f.message
            ));
            let label = format!(
                "unit check: {} median {} {} looks like {}; not converted",
                f.column,
                plausibility::sig3(f.median),
                f.unit,
                f.likely.as_deref().unwrap_or("another unit")
            );
            report.flow.push(&label, "values", f.n_values, Vec::new());
            if let Some(c) = cohort.as_mut() {
                c.flow.push(&label, "values", f.n_values, Vec::new());
            }
        }
    }
    (cohort, report)
}

fn finish_load(run: Run, opts: &LoadOptions) -> Result<(Cohort, ValidationReport), LoadError> {
    let (cohort, report) = check_units(run, opts.strict);
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

/// A reading stage with the options' delimiter, compact day table and progress.
fn new_stage(keep: bool, opts: &LoadOptions, progress: &Reporter) -> validate::Stage {
    let mut stage = validate::Stage::new(keep);
    stage.delimiter = opts.delimiter;
    stage.compact = opts.compact;
    stage.progress = progress.clone();
    stage
}

/// Reads the cohort at `path` (folder or file) in the format the options and the files say.
fn run_path(
    path: &Path,
    opts: &LoadOptions,
    keep: bool,
    progress: Reporter,
) -> Result<Run, LoadError> {
    if !path.exists() {
        return Err(LoadError::Io {
            file: path.display().to_string(),
            message: "no such file or folder".to_string(),
        });
    }
    if let Some(mp) = &opts.mapping {
        let m = mapping::Mapping::load(mp)?;
        let main = if path.is_dir() {
            main_file_in(path, &m)?
        } else {
            path.to_path_buf()
        };
        let mut stage = new_stage(keep, opts, &progress);
        let sources = mapped::read_mapped(&mut stage, &Input::Path(main), &m)?;
        return Ok(Run::mapped(stage, sources, &m));
    }
    if path.is_dir() {
        return run_dir(path, opts, keep, &progress);
    }
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
    if TableKind::ALL.iter().any(|k| k.stem() == stem) {
        // A canonical table: the folder it is in.
        let dir = path.parent().filter(|p| !p.as_os_str().is_empty());
        return run_dir(dir.unwrap_or(Path::new(".")), opts, keep, &progress);
    }
    let m = wide::embedded();
    let mut stage = new_stage(keep, opts, &progress);
    let sources = mapped::read_mapped(&mut stage, &Input::Path(path.to_path_buf()), &m)?;
    let mut run = Run::mapped(stage, sources, &m);
    run.hint = Some(format!(
        "{} was read as a registry-wide export ({}); for another layout, draft a mapping with \
         `dicohort mapping init {} > my-mapping.toml` and give it with --mapping",
        path.display(),
        wide::EMBEDDED_ORIGIN,
        path.display()
    ));
    Ok(run)
}

/// The mapping's main file in folder `dir`: its `file` as a name, or as a stem (.csv, .parquet,
/// .pq).
fn main_file_in(dir: &Path, m: &mapping::Mapping) -> Result<PathBuf, LoadError> {
    let Some(name) = &m.file else {
        return Err(LoadError::Mapping {
            file: m.origin.clone(),
            message: format!(
                "names no `file`: give the export file itself instead of the folder {}",
                dir.display()
            ),
        });
    };
    let direct = dir.join(name);
    if direct.is_file() {
        return Ok(direct);
    }
    match source::find_table(dir, name) {
        Ok(Some(p)) => Ok(p),
        Ok(None) => Err(LoadError::Io {
            file: direct.display().to_string(),
            message: format!("no such file (the `file` of {})", m.origin),
        }),
        Err(msg) => Err(LoadError::Io {
            file: dir.display().to_string(),
            message: msg,
        }),
    }
}

fn run_dir(
    dir: &Path,
    opts: &LoadOptions,
    keep: bool,
    progress: &Reporter,
) -> Result<Run, LoadError> {
    let mut stage = new_stage(keep, opts, progress);
    check_provenance(dir, &mut stage);
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
    let embedded = wide::embedded();
    let wide_stem = embedded
        .file
        .clone()
        .expect("the embedded mapping names its file");
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
        let sources = mapped::read_mapped(&mut stage, &Input::Path(w), &embedded)?;
        return Ok(Run::mapped(stage, sources, &embedded));
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
                        "no cohort found: expected patients.csv|parquet (canonical) or {wide_stem}.csv|parquet (registry-wide), or give an export file with --mapping"
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
    Ok(Run::canonical(stage, CohortFormat::Canonical))
}
