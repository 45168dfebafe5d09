//! The mapping language: how a researcher's export (any file name, any column names, registry
//! units, value codes, dates instead of day numbers, one of three day layouts) maps onto the
//! canonical tables of `data-schema/`, stated once in a small TOML file and never by editing the
//! data. `data-schema/README.md` documents every key with three worked examples; this module
//! holds the checked type ([`Mapping`]), parsed once by [`Mapping::parse`] (`parse.rs`), every
//! error naming the mapping file, the line and the key.
//!
//! Shape of a mapping (every table optional except `[patients]`):
//!
//! ```toml
//! file = "export.csv"          # the main file: one row per patient
//! delimiter = ";"              # default: detected from the header line
//! missing = ["-", "ND"]        # more cell texts read as missing
//! yes = ["yes", "1", "有"]      # codes of yes/no columns (defaults below)
//! no = ["no", "0", "無"]
//! [dates]                      # day numbers from dates: day 1 = the admission date
//! admission = "adm_date"
//! format = "%Y/%m/%d"
//! [patients]                   # canonical column = source column (or a table)
//! patient_id = "id"
//! site_id = { value = "H1" }   # a constant
//! sex = { source = "sex", values = { "1" = "M", "2" = "F" } }
//! extra = ["infection_source"] # kept as covariates
//! [outcome]                    # derived outcome (or death_day/last_day/discharge_day above)
//! died = "death_28d"
//! within_days = 28             # or: in_hospital = true
//! death_day = "days_to_death"
//! stay_end = "los"
//! [days]                       # layout = "wide" | "patient_day" | "long"
//! [days.columns] / [days.tests]
//! [[treatments]]               # anticoagulant columns of the main file
//! [courses]                    # or: a file with one row per course
//! ```
//!
//! The loader (`mapped/`) reads the files through this type and hands canonical cells to the
//! one validation every format goes through (`validate.rs`).

mod dates;
mod draft;
mod parse;
mod parse_days;
pub mod synonyms;
mod walk;

use std::path::{Path, PathBuf};

pub use dates::DateFormat;
pub use draft::draft_mapping;

use super::units::Affine;
use super::LoadError;

/// Default codes of a yes/no column (compared case-insensitively).
pub const DEFAULT_YES: [&str; 9] = ["yes", "y", "true", "t", "1", "有", "あり", "はい", "陽性"];
/// Default codes of a yes/no column (compared case-insensitively).
pub const DEFAULT_NO: [&str; 9] = ["no", "n", "false", "f", "0", "無", "なし", "いいえ", "陰性"];

/// The texts of a yes/no column.
#[derive(Debug, Clone, PartialEq)]
pub struct YesNo {
    /// Lower-cased.
    pub yes: Vec<String>,
    pub no: Vec<String>,
}

impl YesNo {
    pub fn new(yes: &[String], no: &[String]) -> YesNo {
        YesNo {
            yes: yes.iter().map(|s| s.trim().to_lowercase()).collect(),
            no: no.iter().map(|s| s.trim().to_lowercase()).collect(),
        }
    }
    pub fn default_codes() -> YesNo {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        YesNo::new(&s(&DEFAULT_YES), &s(&DEFAULT_NO))
    }
    /// `Some(true)` for a yes code, `Some(false)` for a no code, `None` otherwise.
    pub fn read(&self, t: &str) -> Option<bool> {
        let l = t.trim().to_lowercase();
        if self.yes.contains(&l) {
            Some(true)
        } else if self.no.contains(&l) {
            Some(false)
        } else {
            None
        }
    }
    /// The codes, for messages.
    pub fn describe(&self) -> String {
        format!("yes: {}; no: {}", self.yes.join(", "), self.no.join(", "))
    }
}

/// Where a value comes from: a column of a file, or a constant of the mapping.
#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    Column(String),
    Constant(String),
}

/// A day: a column holding day numbers (day 1 = ICU admission), or dates (day 1 = the
/// patient's admission date of `[dates]`).
#[derive(Debug, Clone, PartialEq)]
pub enum DayRef {
    Number(String),
    Date(String),
}

impl DayRef {
    pub fn column(&self) -> &str {
        match self {
            DayRef::Number(c) | DayRef::Date(c) => c,
        }
    }
}

/// `[dates]`: day numbers from dates.
#[derive(Debug, Clone, PartialEq)]
pub struct Dates {
    /// Column of the main file with the admission date (day 1).
    pub admission: String,
    pub format: DateFormat,
}

/// Where a key of the mapping is (for messages that point at the line to change).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    /// Dotted key path, e.g. `days.columns.platelets`.
    pub key: String,
    /// 1-based line in the mapping file.
    pub line: usize,
}

/// One canonical patients column (not the outcome days).
#[derive(Debug, Clone, PartialEq)]
pub struct PatientField {
    pub canonical: String,
    pub source: Source,
    /// Text recoded before validation (e.g. `1` -> `M`).
    pub values: Vec<(String, String)>,
    /// Yes/no codes of a boolean column (the mapping's codes when not given).
    pub codes: Option<YesNo>,
    pub place: Place,
}

/// A yes/no column.
#[derive(Debug, Clone, PartialEq)]
pub struct Flag {
    pub column: String,
    pub codes: Option<YesNo>,
}

/// How the outcome days are read.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// The canonical day columns.
    Days {
        death_day: Option<DayRef>,
        last_day: DayRef,
        discharge_day: Option<DayRef>,
    },
    /// Death by day `days` yes/no: the dead died on `death_day` (else on `stay_end`), the others
    /// are known alive on day `days` (and discharged alive on `stay_end` when it is earlier).
    Within {
        died: Flag,
        days: u32,
        death_day: Option<DayRef>,
        stay_end: Option<DayRef>,
    },
    /// In-hospital death yes/no and the day the stay ended (death or discharge alive);
    /// follow-up ends at discharge.
    InHospital {
        died: Flag,
        death_day: Option<DayRef>,
        stay_end: DayRef,
    },
}

/// How values of a measurement are converted to the canonical unit.
#[derive(Debug, Clone, PartialEq)]
pub enum UnitRule {
    /// Already canonical.
    Canonical,
    /// One unit for the whole column.
    Fixed { unit: String, conversion: Affine },
    /// The unit is read per row from `unit_column` (wide: a column of the main file; long: the
    /// layout's unit column); known units with their conversions, and units never converted
    /// (values set missing and counted).
    PerRow {
        unit_column: String,
        units: Vec<(String, Affine)>,
        not_convertible: Vec<String>,
    },
}

/// How repeated values of one test on one patient-day (long layout) become one value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Repeated {
    /// A problem naming both rows (the default).
    Error,
    Min,
    Max,
    Mean,
    First,
    Last,
}

/// One mapped day measurement.
#[derive(Debug, Clone, PartialEq)]
pub struct Measure {
    pub canonical: String,
    /// Wide: the stem of `pattern`; patient_day: the column; long: unused (see `tests`).
    pub source: String,
    /// Long layout: the test names of this measurement.
    pub tests: Vec<String>,
    pub unit: UnitRule,
    pub codes: Option<YesNo>,
    pub repeated: Repeated,
    pub place: Place,
}

/// The day layout.
#[derive(Debug, Clone, PartialEq)]
pub enum Days {
    /// No day table (a patients-only export).
    None,
    /// Days in columns of the main file: `pattern` with `{stem}` and `{day}` for each day.
    Wide {
        days: Vec<u32>,
        pattern: String,
        columns: Vec<Measure>,
    },
    /// One row per patient and day, measurements in columns.
    PatientDay {
        file: String,
        patient_id: String,
        day: DayRef,
        columns: Vec<Measure>,
    },
    /// One row per patient, day and test.
    Long {
        file: String,
        patient_id: String,
        day: DayRef,
        test: String,
        value: String,
        unit: Option<String>,
        tests: Vec<Measure>,
    },
}

/// One anticoagulant as columns of the main file.
#[derive(Debug, Clone, PartialEq)]
pub struct CourseColumns {
    pub drug: String,
    /// Yes/no column; absent: a course whenever the start day has a value.
    pub given: Option<Flag>,
    pub start_day: DayRef,
    pub end_day: Option<DayRef>,
    pub dose: Option<String>,
    pub dose_unit: Option<String>,
}

/// Courses in a file of their own, one row per course.
#[derive(Debug, Clone, PartialEq)]
pub struct CourseFile {
    pub file: String,
    pub patient_id: String,
    pub drug: String,
    /// Drug names recoded to the canonical names (others kept as written).
    pub drugs: Vec<(String, String)>,
    pub start_day: DayRef,
    pub end_day: Option<DayRef>,
    pub dose: Option<String>,
    pub dose_unit: Option<Source>,
}

/// A checked mapping.
#[derive(Debug, Clone, PartialEq)]
pub struct Mapping {
    /// The mapping file as named in messages.
    pub origin: String,
    /// The folder of the mapping file (`None` for the embedded mapping).
    pub dir: Option<PathBuf>,
    /// The main file: a name (`export.csv`) or a stem (`registry_wide`: .csv, .parquet, .pq).
    pub file: Option<String>,
    pub delimiter: Option<u8>,
    /// More missing-value tokens.
    pub missing: Vec<String>,
    pub codes: YesNo,
    pub dates: Option<Dates>,
    /// In canonical column order.
    pub patients: Vec<PatientField>,
    pub extra: Vec<String>,
    pub outcome: Outcome,
    pub days: Days,
    pub treatments: Vec<CourseColumns>,
    pub courses: Option<CourseFile>,
}

impl Mapping {
    /// Reads and checks the mapping file `path`.
    ///
    /// # Errors
    /// [`LoadError::Io`] when the file cannot be read; [`LoadError::MappingValue`] naming the
    /// file, line and key of the first value that is wrong.
    pub fn load(path: &Path) -> Result<Mapping, LoadError> {
        let text = std::fs::read_to_string(path).map_err(|e| LoadError::Io {
            file: path.display().to_string(),
            message: e.to_string(),
        })?;
        let mut m = Mapping::parse(&path.display().to_string(), &text)?;
        m.dir = path.parent().map(Path::to_path_buf);
        Ok(m)
    }

    /// Parses and checks a mapping (`origin` names it in errors).
    ///
    /// # Errors
    /// [`LoadError::MappingValue`] naming `origin`, the line and the key: TOML syntax, unknown
    /// keys, wrong types, names that are not canonical columns, unknown units, inconsistent
    /// combinations (a date without `[dates]`, both `[[treatments]]` and `[courses]`, ...).
    pub fn parse(origin: &str, text: &str) -> Result<Mapping, LoadError> {
        parse::parse(origin, text)
    }

    /// The yes/no codes of a column (its own, else the mapping's).
    pub fn codes_of<'a>(&'a self, own: &'a Option<YesNo>) -> &'a YesNo {
        own.as_ref().unwrap_or(&self.codes)
    }

    /// Source column of a wide measurement `stem` on `day`.
    pub fn day_source(&self, stem: &str, day: u32) -> String {
        match &self.days {
            Days::Wide { pattern, .. } => wide_column(pattern, stem, day),
            _ => stem.to_string(),
        }
    }

    /// The files of the mapping besides the main file (days and courses files).
    pub fn other_files(&self) -> Vec<&str> {
        let mut v = Vec::new();
        match &self.days {
            Days::PatientDay { file, .. } | Days::Long { file, .. } => v.push(file.as_str()),
            _ => {}
        }
        if let Some(c) = &self.courses {
            v.push(c.file.as_str());
        }
        v
    }

    /// The measurement mapped to canonical column `canonical`, if any.
    pub fn measure(&self, canonical: &str) -> Option<&Measure> {
        let list = match &self.days {
            Days::None => return None,
            Days::Wide { columns, .. } | Days::PatientDay { columns, .. } => columns,
            Days::Long { tests, .. } => tests,
        };
        list.iter().find(|m| m.canonical == canonical)
    }
}

/// `pattern` with `{stem}` and `{day}` filled in.
pub fn wide_column(pattern: &str, stem: &str, day: u32) -> String {
    pattern
        .replace("{stem}", stem)
        .replace("{day}", &day.to_string())
}
