//! MIMIC-IV (PhysioNet, v2.2 / v3.x: the `hosp/` and `icu/` modules as CSV.gz) streamed into
//! the canonical cohort: one patient per ICU stay (`patient_id` = `stay_id`), one row per
//! patient-day in canonical units, one row per anticoagulant course.
//!
//! Entry points: [`read_mimic`] (the cohort in memory, loaded through the canonical loader so it
//! is exactly what `dicohort validate` / `load_cohort` see) and [`import_mimic`] (the canonical
//! folder written as CSV or Parquet, with `import.json`).
//!
//! One file per concept, each citing the MIT-LCP mimic-code SQL concept (`mimic-iv/concepts/`)
//! and the eth-mds ricu concept (`inst/extdata/config/concept-dict.json`) it follows:
//! [`stays`] (cohort, day clock, outcomes), [`labs`], [`vitals`] (vital signs, GCS, urine,
//! ventilation, vasopressors), [`anticoagulants`], [`sepsis3`]. `data-schema/README.md` lists
//! which table and itemid feed each canonical column and the choices where mimic-code and ricu
//! differ.
//!
//! Streaming: `labevents` (~118 million rows in v2.2) and `chartevents` (~313 million) are read
//! once each by polars' streaming engine: columns projected, itemids filtered by an inner join
//! with the (small) item table, stays by an inner join with the selected stays, grouped to
//! patient-days before anything is collected. Memory is bounded by the aggregated output (one
//! row per patient-day, plus one per blood-gas specimen and per GCS assessment), not by the
//! input.
//!
//! Differences from mimic-code, on purpose (each stated where it is implemented): day-level
//! rather than hourly SOFA for Sepsis-3, a missing item is missing (never 0) in the canonical
//! tables, out-of-hospital deaths from `patients.dod` are kept (true 28-day mortality).

pub mod anticoagulants;
pub mod days;
pub(crate) mod frames;
pub mod labs;
pub mod prescriptions;
pub mod sepsis3;
pub mod stays;
pub(crate) mod stream;
pub mod vitals;
pub mod write;

use std::path::Path;

use serde::Serialize;

use crate::load::{load_canonical, Input, LoadError, LoadOptions};
use crate::schema::{Cohort, CohortFlow, UnitConversion};

pub use frames::{format_date, format_time, parse_time};
pub use write::OutputFormat;

/// Errors of the MIMIC-IV import. Data errors name the file and, where it applies, the row
/// (1-based, header excluded) and the column.
#[derive(Debug, thiserror::Error)]
pub enum MimicError {
    #[error("{folder}: not a MIMIC-IV folder, missing {}", .tables.join(", "))]
    MissingTables { folder: String, tables: Vec<String> },
    #[error("{file}: {message}")]
    Read { file: String, message: String },
    #[error("{file}{}, column `{column}`: {message}", .row.map(|r| format!(", row {r}")).unwrap_or_default())]
    Data {
        file: String,
        row: Option<u64>,
        column: String,
        message: String,
    },
    #[error("invalid option: {0}")]
    Options(String),
    /// Nothing left to analyse.
    #[error("no ICU stay left: {0}")]
    Empty(String),
    #[error("{file}: cannot write: {message}")]
    Write { file: String, message: String },
    /// The imported tables fail the canonical loader (an import bug: its output must validate).
    #[error("the imported cohort does not load: {0}")]
    Load(#[from] LoadError),
}

/// Which ICU stays enter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum StaySelection {
    /// The first ICU stay of each patient (mimic-code `icustay_detail.first_icu_stay`).
    #[default]
    First,
    /// Every ICU stay (a patient with two stays gives two patient ids).
    All,
}

/// Whether Sepsis-3 selects stays or only flags them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum SepsisRule {
    /// Only stays meeting Sepsis-3 (column `sepsis3` is then always true).
    #[default]
    Require,
    /// Every stay, with the `sepsis3` column.
    Flag,
}

/// What "day" means (day 1 always contains ICU admission).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum DayConvention {
    /// Day 1 is the calendar day of `intime`, day 2 the next calendar day, ...
    #[default]
    Calendar,
    /// Day d is the 24 hours from `intime + 24 (d - 1)` h.
    Blocks24h,
}

/// How far deaths are followed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum FollowUp {
    /// In-hospital deaths (`admissions.deathtime`) and deaths after discharge
    /// (`patients.dod`, linked from state records up to one year after the last discharge):
    /// survivors are followed to discharge + 365 days (true 28-day mortality).
    #[default]
    Linked,
    /// In-hospital deaths only; survivors are followed to hospital discharge (the registry
    /// convention).
    InHospital,
}

/// Options of the import, as given.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MimicOptions {
    pub stays: StaySelection,
    pub sepsis: SepsisRule,
    pub days: DayConvention,
    pub follow_up: FollowUp,
    /// Minimum age at ICU admission (years).
    pub min_age: f64,
    /// Patient-days written per stay (day 1 to this day, while in hospital).
    pub max_day: u32,
    /// Bytes of CSV text per batch when reading `labevents` and `chartevents` (memory, not
    /// results: the output is the same for any size; not echoed in `import.json`).
    #[serde(skip)]
    pub batch_bytes: usize,
}

impl Default for MimicOptions {
    fn default() -> Self {
        MimicOptions {
            stays: StaySelection::First,
            sepsis: SepsisRule::Require,
            days: DayConvention::Calendar,
            follow_up: FollowUp::Linked,
            min_age: 18.0,
            max_day: 7,
            batch_bytes: stream::DEFAULT_BATCH_BYTES,
        }
    }
}

/// Options checked once (see [`MimicOptions::check`]); nothing downstream re-validates.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidOptions(MimicOptions);

impl ValidOptions {
    pub fn get(&self) -> &MimicOptions {
        &self.0
    }
}

impl MimicOptions {
    /// # Errors
    /// `min_age` outside 0-120, `max_day` outside 1-90 or `batch_bytes` 0.
    pub fn check(self) -> Result<ValidOptions, MimicError> {
        if !(self.min_age.is_finite() && (0.0..=120.0).contains(&self.min_age)) {
            return Err(MimicError::Options(format!(
                "min_age must be between 0 and 120 years (got {})",
                self.min_age
            )));
        }
        if !(1..=90).contains(&self.max_day) {
            return Err(MimicError::Options(format!(
                "max_day must be between 1 and 90 (got {})",
                self.max_day
            )));
        }
        if self.batch_bytes == 0 {
            return Err(MimicError::Options(
                "batch_bytes must be at least 1".to_string(),
            ));
        }
        Ok(ValidOptions(self))
    }
}

/// Values read but not used, by table, item and reason (nothing is dropped silently).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, PartialOrd, Ord)]
pub struct DroppedValues {
    pub table: String,
    pub item: String,
    pub reason: String,
    pub n: u64,
}

/// What the import did: `import.json`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ImportReport {
    pub generator: String,
    pub source: String,
    pub options: MimicOptions,
    /// "day 1 = calendar day of ICU intime" or the 24-hour-block wording.
    pub day_definition: String,
    /// Stays: all ICU stays -> adults -> first stay -> Sepsis-3.
    pub flow: CohortFlow,
    /// Every unit conversion applied (value counts).
    pub conversions: Vec<UnitConversion>,
    pub dropped: Vec<DroppedValues>,
    pub n_stays: u64,
    pub n_patient_days: u64,
    pub n_treatment_courses: u64,
    /// Stays meeting Sepsis-3 among those written.
    pub n_sepsis3: u64,
    pub files: Vec<String>,
}

/// Counters the concept readers fill while reading (merged into the report).
#[derive(Debug, Default, Clone)]
pub(crate) struct Tally {
    conversions: std::collections::BTreeMap<(String, String, String), (f64, u64)>,
    dropped: std::collections::BTreeMap<(String, String, String), u64>,
}

impl Tally {
    pub fn convert(&mut self, column: &str, from: &str, to: &str, factor: f64, n: u64) {
        if n > 0 {
            let e = self
                .conversions
                .entry((column.into(), from.into(), to.into()))
                .or_insert((factor, 0));
            e.1 += n;
        }
    }
    pub fn drop(&mut self, table: &str, item: &str, reason: &str, n: u64) {
        if n > 0 {
            *self
                .dropped
                .entry((table.into(), item.into(), reason.into()))
                .or_default() += n;
        }
    }
    fn conversions(&self) -> Vec<UnitConversion> {
        self.conversions
            .iter()
            .map(|((c, f, t), (factor, n))| UnitConversion {
                column: c.clone(),
                from_unit: f.clone(),
                to_unit: t.clone(),
                factor: *factor,
                offset: 0.0,
                n_values: *n,
            })
            .collect()
    }
    fn dropped(&self) -> Vec<DroppedValues> {
        self.dropped
            .iter()
            .map(|((t, i, r), n)| DroppedValues {
                table: t.clone(),
                item: i.clone(),
                reason: r.clone(),
                n: *n,
            })
            .collect()
    }
}

/// The imported cohort in memory.
#[derive(Debug, Clone)]
pub struct MimicImport {
    pub cohort: Cohort,
    pub report: ImportReport,
}

/// Reads the MIMIC-IV folder `source` into the canonical cohort (in memory), loaded through the
/// canonical loader (strict): the same cohort `import_mimic` followed by `load_cohort` gives.
///
/// # Errors
/// A missing table or column, an unreadable file, a data error (named by file, row, column), no
/// stay left after selection, or (a bug) output the canonical loader rejects.
pub fn read_mimic(source: &Path, opts: &ValidOptions) -> Result<MimicImport, MimicError> {
    let (tables, mut report) = days::build(source, opts)?;
    let [p, d, t] = write::canonical_csv(&tables);
    let input = |name: &str, data: Vec<u8>| Input::Bytes {
        name: name.into(),
        data,
    };
    let (mut cohort, _) = load_canonical(
        &input("patients.csv", p),
        &input("days.csv", d),
        Some(&input("treatments.csv", t)),
        &LoadOptions::default(),
    )?;
    cohort.conversions = report.conversions.clone();
    let mut flow = report.flow.clone();
    flow.steps.extend(cohort.flow.steps);
    cohort.flow = flow;
    report.files = Vec::new();
    Ok(MimicImport { cohort, report })
}

/// Imports `source` into the canonical folder `out` (created if needed): `patients`, `days`,
/// `treatments` as CSV or Parquet, and `import.json` (the [`ImportReport`]).
///
/// # Errors
/// As [`read_mimic`], and any failure to write `out`.
pub fn import_mimic(
    source: &Path,
    out: &Path,
    format: OutputFormat,
    opts: &ValidOptions,
) -> Result<ImportReport, MimicError> {
    let (tables, mut report) = days::build(source, opts)?;
    report.files = write::write_folder(&tables, out, format)?;
    let path = out.join("import.json");
    let text = serde_json::to_string_pretty(&report).expect("report serialises") + "\n";
    std::fs::write(&path, text).map_err(|e| MimicError::Write {
        file: path.display().to_string(),
        message: e.to_string(),
    })?;
    report.files.push("import.json".into());
    Ok(report)
}

/// Assembles the report from the parts.
pub(crate) fn report(
    source: &Path,
    opts: &ValidOptions,
    flow: CohortFlow,
    tally: &Tally,
    tables: &days::Tables,
) -> ImportReport {
    ImportReport {
        generator: format!("dicohort {} import mimic-iv", env!("CARGO_PKG_VERSION")),
        source: source.display().to_string(),
        options: opts.get().clone(),
        day_definition: stays::day_definition(opts.get().days),
        flow,
        conversions: tally.conversions(),
        dropped: tally.dropped(),
        n_stays: tables.patients.len() as u64,
        n_patient_days: tables.days.len() as u64,
        n_treatment_courses: tables.treatments.len() as u64,
        n_sepsis3: tables.sepsis3.iter().filter(|s| **s).count() as u64,
        files: Vec::new(),
    }
}
