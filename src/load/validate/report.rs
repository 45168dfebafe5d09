//! What validation reports: the kinds of problem (in the order of the flow's exclusion reasons),
//! a problem with its file, row and column, and the report printed by `dicohort validate`.

use super::*;

/// What is wrong with a cell, a row or a file. The order of the variants is the order of the
/// exclusion reasons in the cohort flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum ProblemKind {
    /// A required file is absent or unreadable.
    MissingFile,
    /// The folder is not a complete output of a dicohort run: a run is writing it, a run was
    /// interrupted while replacing it, or it holds `truth.json` without the manifest that
    /// `dicohort simulate` writes last (see `crate::output`).
    IncompleteFolder,
    /// A required column is absent from the header.
    MissingColumn,
    /// The header names a column twice.
    DuplicateColumn,
    /// A CSV row with fewer (truncated) or more fields than the header.
    RaggedRow,
    /// Not a number / not a whole number / not a boolean.
    WrongType,
    /// Outside the schema's range.
    OutOfRange,
    /// Not one of the schema's allowed values.
    NotAllowed,
    /// Empty cell in a column that must have a value.
    MissingValue,
    /// A day of death before day 1 (ICU admission).
    DeathBeforeAdmission,
    /// death_day, last_day and discharge_day disagree.
    InconsistentOutcome,
    /// A patient_id appears on more than one patients row.
    DuplicatePatient,
    /// A days or treatments row names a patient absent from patients.
    UnknownPatient,
    /// Two days rows for the same (patient_id, day).
    DuplicatePatientDay,
    /// A day (or treatment day) after the patient's death_day.
    DayAfterDeath,
    /// A day (or treatment day) after the patient's last_day.
    DayAfterLastDay,
    /// A treatment's end_day before its start_day.
    EndBeforeStart,
    /// A value whose unit cannot be converted to the canonical one (e.g. D-dimer on the DDU
    /// basis): the value is set missing and counted, never converted silently.
    UnitNotConvertible,
    /// A column whose distribution is implausible in its stated unit (e.g. platelets in
    /// x10^4/uL read as x10^3/uL): see `plausibility.rs`. Never converted.
    ImplausibleUnit,
    /// Exclusion reason only (never reported as a problem): the row's patient was excluded.
    PatientExcluded,
}

impl ProblemKind {
    /// The reason label used in the cohort flow.
    pub fn reason(self) -> &'static str {
        match self {
            ProblemKind::MissingFile => "missing file",
            ProblemKind::IncompleteFolder => "incomplete output folder",
            ProblemKind::MissingColumn => "missing column",
            ProblemKind::DuplicateColumn => "duplicate column",
            ProblemKind::RaggedRow => "ragged row (wrong number of fields)",
            ProblemKind::WrongType => "wrong type",
            ProblemKind::OutOfRange => "out of range",
            ProblemKind::NotAllowed => "value not allowed",
            ProblemKind::MissingValue => "missing required value",
            ProblemKind::DeathBeforeAdmission => "death before admission",
            ProblemKind::InconsistentOutcome => "inconsistent outcome days",
            ProblemKind::DuplicatePatient => "duplicate patient_id",
            ProblemKind::UnknownPatient => "unknown patient",
            ProblemKind::DuplicatePatientDay => "duplicate patient-day",
            ProblemKind::DayAfterDeath => "day after death",
            ProblemKind::DayAfterLastDay => "day after last_day",
            ProblemKind::EndBeforeStart => "treatment ends before it starts",
            ProblemKind::UnitNotConvertible => "unit not convertible",
            ProblemKind::ImplausibleUnit => "implausible unit",
            ProblemKind::PatientExcluded => "patient excluded",
        }
    }
}

/// One problem, located by file, row (1-based, header excluded; `None` for the file or its
/// header) and column.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Problem {
    pub file: String,
    pub row: Option<u64>,
    pub column: Option<String>,
    pub kind: ProblemKind,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        match self.row {
            Some(r) => write!(f, ", row {r}")?,
            None if self.kind == ProblemKind::ImplausibleUnit => write!(f, ", all rows")?,
            // A problem of the file (or folder) as a whole is not a problem of its header.
            None if matches!(
                self.kind,
                ProblemKind::MissingFile | ProblemKind::IncompleteFolder
            ) => {}
            None => write!(f, ", header")?,
        }
        if let Some(c) = &self.column {
            write!(f, ", column `{c}`")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// The input layout of a cohort folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum CohortFormat {
    /// `patients.*`, `days.*`, `treatments.*`.
    Canonical,
    /// One row per patient, mapped by `data-schema/registry-wide.mapping.toml`.
    RegistryWide,
    /// An export read through a user's mapping (`load::mapping`).
    Mapped,
}

/// Everything validation found, plus the cohort flow (what lenient loading excludes, by reason).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ValidationReport {
    pub format: CohortFormat,
    /// Files read, in order.
    pub files: Vec<String>,
    /// Every problem, sorted by file, row and column.
    pub problems: Vec<Problem>,
    /// Notes that are not problems (absent optional columns, ignored extra columns).
    pub warnings: Vec<String>,
    /// Rows entering each table and exclusions by reason (the lenient outcome).
    pub flow: CohortFlow,
    /// Unit conversions applied.
    pub conversions: Vec<UnitConversion>,
    /// Rows kept: patients, patient-days, treatments.
    pub n_patients: u64,
    pub n_days: u64,
    pub n_treatments: u64,
}

impl ValidationReport {
    pub fn is_valid(&self) -> bool {
        self.problems.is_empty()
    }
}

impl fmt::Display for ValidationReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let fmt_name = match self.format {
            CohortFormat::Canonical => "canonical",
            CohortFormat::RegistryWide => "registry-wide",
            CohortFormat::Mapped => "mapped",
        };
        writeln!(f, "format: {fmt_name} ({})", self.files.join(", "))?;
        for c in &self.conversions {
            let offset = if c.offset == 0.0 {
                String::new()
            } else {
                format!(" + {}", c.offset)
            };
            writeln!(
                f,
                "conversion: {} from {} to {} (x {}{offset}) on {} values",
                c.column, c.from_unit, c.to_unit, c.factor, c.n_values
            )?;
        }
        if self.problems.is_empty() {
            writeln!(f, "problems: none")?;
        } else {
            writeln!(f, "problems: {}", self.problems.len())?;
            for p in &self.problems {
                writeln!(f, "  {p}")?;
            }
        }
        // Notes after the real problems.
        for w in &self.warnings {
            writeln!(f, "warning: {w}")?;
        }
        writeln!(f, "flow:")?;
        for s in &self.flow.steps {
            writeln!(
                f,
                "  {}: {} {} in, {} out",
                s.label, s.n_in, s.unit, s.n_out
            )?;
            for (reason, n) in &s.excluded {
                writeln!(f, "    excluded {n}: {reason}")?;
            }
        }
        write!(
            f,
            "kept: {} patients, {} patient-days, {} treatments",
            self.n_patients, self.n_days, self.n_treatments
        )
    }
}
