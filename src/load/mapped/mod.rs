//! Reading an export through a [`Mapping`]: the main file (one row per patient: patients
//! columns, the outcome, and in the wide layout the days and anticoagulant columns), then the
//! days file (patient_day or long layout) and the courses file when the mapping names them. Each
//! record becomes canonical text cells handed to the one validation of `validate.rs`, so every
//! format is checked by the same rules; problems name the export's own file, row and column.
//!
//! What the mapping states is applied here and nowhere else: renames, constants, value codes,
//! yes/no codes, dates to day numbers (day 1 = the admission date), the derived outcome days, unit
//! conversions (recorded in `Cohort::conversions`; units never converted are set missing and
//! counted in the flow). Nothing is converted that the mapping does not state.
//!
//! Cost: one pass over each file; the long layout holds its values per patient-day until the
//! file is read (a few numbers per value).

mod courses;
mod days;
mod outcome;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::mapping::{DayRef, Mapping, Source, UnitRule};
use super::plausibility::ColumnSource;
use super::source::{open_with, Input, RowSource};
use super::spec::{table_spec, ColumnType, TableKind};
use super::validate::{
    duplicate_columns, is_missing_token, ragged_row, stage_patient, stage_unreadable_patient,
    ProblemKind, Stage, ValueStep,
};
use super::LoadError;
use crate::schema::names::other_case;
use crate::schema::UnitConversion;

/// The header of one file with lookups by name.
pub(crate) struct Header {
    pub file: String,
    pub names: Vec<String>,
    /// Mapped columns absent from the header (read as all missing), for the one summary line.
    pub absent: Vec<String>,
}

impl Header {
    fn new(file: &str, names: &[String]) -> Header {
        Header {
            file: file.to_string(),
            names: names.to_vec(),
            absent: Vec::new(),
        }
    }
    pub fn pos(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|h| h == name)
    }
    /// A column the mapping needs: its position, or a fatal problem (with the header's spelling
    /// when only the capitalisation differs).
    pub fn required(&self, stage: &mut Stage, name: &str, what: &str) -> Option<usize> {
        let p = self.pos(name);
        if p.is_none() {
            let hint = self.case_hint(name);
            stage.problems.push(
                &self.file,
                None,
                Some(name),
                ProblemKind::MissingColumn,
                format!("column `{name}` ({what}) is missing from the header{hint}"),
            );
        }
        p
    }
    /// A column the mapping names that may be absent (read as all missing, listed in one line);
    /// absent but present in other capitalisation is a fatal problem.
    pub fn optional(&mut self, stage: &mut Stage, name: &str) -> Option<usize> {
        let p = self.pos(name);
        if p.is_none() {
            if other_case(name, self.names.iter().map(String::as_str)).is_some() {
                let hint = self.case_hint(name);
                stage.problems.push(
                    &self.file,
                    None,
                    Some(name),
                    ProblemKind::MissingColumn,
                    format!("column `{name}` is missing from the header{hint}"),
                );
            } else if !self.absent.iter().any(|a| a == name) {
                self.absent.push(name.to_string());
            }
        }
        p
    }
    fn case_hint(&self, name: &str) -> String {
        match other_case(name, self.names.iter().map(String::as_str)) {
            Some(h) => format!(
                ": the header has `{h}` (names are case-sensitive: write `{h}` in the mapping)"
            ),
            None => String::new(),
        }
    }
    /// The one warning line listing the absent optional columns.
    pub fn warn_absent(&self, stage: &mut Stage) {
        if !self.absent.is_empty() {
            stage
                .warnings
                .push(absent_summary(&self.file, &self.absent));
        }
    }
}

/// One warning line for `names` absent from `file` and read as all missing.
pub(crate) fn absent_summary(file: &str, names: &[String]) -> String {
    format!(
        "{file}: {} optional column{} absent, read as all missing: {}",
        names.len(),
        if names.len() == 1 { "" } else { "s" },
        names.join(", ")
    )
}

/// Counts of converted / unconvertible values, for `Cohort::conversions` and the flow.
#[derive(Default)]
pub(crate) struct ConvCounts {
    /// (canonical column, unit) -> (conversion, values).
    converted: BTreeMap<(String, String), (f64, f64, u64)>,
    not_convertible: BTreeMap<(String, String), u64>,
    present: BTreeMap<String, u64>,
}

impl ConvCounts {
    pub fn present(&mut self, column: &str) {
        *self.present.entry(column.to_string()).or_insert(0) += 1;
    }
    pub fn converted(&mut self, column: &str, unit: &str, factor: f64, offset: f64) {
        self.converted
            .entry((column.to_string(), unit.to_string()))
            .or_insert((factor, offset, 0))
            .2 += 1;
    }
    pub fn not_convertible(&mut self, column: &str, unit: &str) {
        *self
            .not_convertible
            .entry((column.to_string(), unit.to_string()))
            .or_insert(0) += 1;
    }
    fn record(self, stage: &mut Stage, file_of: impl Fn(&str) -> String) {
        let dspec = table_spec(TableKind::Days);
        for ((column, unit), (factor, offset, n)) in self.converted {
            stage.conversions.push(UnitConversion {
                to_unit: dspec.column(&column).unit.clone().unwrap_or_default(),
                column,
                from_unit: unit,
                factor,
                offset,
                n_values: n,
            });
        }
        for ((column, unit), n) in self.not_convertible {
            let to = dspec.column(&column).unit.clone().unwrap_or_default();
            stage.warnings.push(format!(
                "{}: {n} {column} values in {unit} were not converted to {to} and are read as \
                 missing",
                file_of(&column)
            ));
            stage.value_steps.push(ValueStep {
                label: format!("{column} values in {to}"),
                unit: "values".into(),
                n_in: self.present.get(&column).copied().unwrap_or(0),
                excluded: vec![(format!("{unit}: not convertible to {to}, set missing"), n)],
            });
        }
    }
}

/// What the readers share while reading one export.
pub(crate) struct Ctx<'m> {
    pub m: &'m Mapping,
    /// The folder the other files of the export are in.
    pub dir: PathBuf,
    /// Admission day count of each staged patient (dates layout), by staged index.
    pub admission: Vec<Option<i64>>,
    pub counts: ConvCounts,
    /// Where each canonical measurement came from, for the unit-plausibility check.
    pub sources: Vec<ColumnSource>,
}

impl Ctx<'_> {
    /// `t` as a cell: a mapped missing token is missing.
    pub fn is_missing(&self, t: &str) -> bool {
        let t = t.trim();
        is_missing_token(t) || self.m.missing.iter().any(|x| x == t)
    }

    /// Reads a day on a row of staged patient `patient`: a day number as written, or a date as
    /// its day number; `Err` with the problem when a date cannot be read.
    pub fn day_text(
        &self,
        dr: &DayRef,
        cell: Option<&str>,
        patient: Option<u32>,
    ) -> Result<Option<String>, String> {
        let Some(t) = cell.map(str::trim).filter(|t| !self.is_missing(t)) else {
            return Ok(None);
        };
        match dr {
            DayRef::Number(_) => Ok(Some(t.to_string())),
            DayRef::Date(_) => {
                let dates = self.m.dates.as_ref().expect("checked when parsing");
                let d = dates.format.days(t).ok_or_else(|| {
                    format!(
                        "`{t}` is not a date in the format {}",
                        dates.format.as_str()
                    )
                })?;
                let adm = patient
                    .and_then(|p| self.admission.get(p as usize).copied().flatten())
                    .ok_or_else(|| {
                        format!(
                            "`{t}` cannot be made a day number: the patient's admission date \
                             (`{}`) is missing or invalid",
                            dates.admission
                        )
                    })?;
                Ok(Some((d - adm + 1).to_string()))
            }
        }
    }

    /// Another file of the export, beside the main file.
    pub fn other_input(&self, name: &str) -> Result<Input, LoadError> {
        let p = self.dir.join(name);
        if !p.is_file() {
            return Err(LoadError::Io {
                file: p.display().to_string(),
                message: format!(
                    "no such file (named by {} as a file beside the main export)",
                    self.m.origin
                ),
            });
        }
        Ok(Input::Path(p))
    }
}

/// Opens a file of a mapped export with the mapping's delimiter, else the detected one.
pub(crate) fn open_mapped(
    input: &Input,
    delimiter: Option<u8>,
) -> Result<Box<dyn RowSource + '_>, LoadError> {
    open_with(input, delimiter)
}

/// Resolves a patient id cell of a days or courses file (see the canonical reader).
pub(crate) fn resolve_patient(
    stage: &mut Stage,
    file: &str,
    row: u64,
    id: &str,
) -> Result<u32, ProblemKind> {
    super::canonical::resolve_patient(stage, file, row, Some(id))
}

/// Reads the export whose main file is `main` through `m` into the validation stage; returns
/// where each canonical measurement came from (for the unit-plausibility check).
pub(crate) fn read_mapped(
    stage: &mut Stage,
    main: &Input,
    m: &Mapping,
) -> Result<Vec<ColumnSource>, LoadError> {
    let dir = match main {
        Input::Path(p) => p.parent().map(Path::to_path_buf).unwrap_or_default(),
        Input::Bytes { .. } => PathBuf::new(),
    };
    let mut ctx = Ctx {
        m,
        dir,
        admission: Vec::new(),
        counts: ConvCounts::default(),
        sources: Vec::new(),
    };
    let file = main.name();
    stage.patient_file = file.as_str().into();
    stage.day_file = stage.patient_file.clone();
    stage.treat_file = stage.patient_file.clone();
    stage.problems.files.push(file.clone());
    let mut src = open_mapped(main, m.delimiter)?;
    let mut header = Header::new(&file, src.header());
    if header.names.len() == 1 && m.patients.len() > 1 {
        stage.warnings.push(format!(
            "{file}: the header is one column (`{}`): is the delimiter right? (set `delimiter` \
             in {})",
            header.names[0], m.origin
        ));
    }
    let mut fatal = duplicate_columns(stage, &file, &header.names);
    let n_problems = stage.problems.list.len();
    let patients = PatientCols::new(stage, &mut header, m);
    let out = outcome::OutcomeCols::new(stage, &mut header, m);
    let mut wide = days::WideDays::new(stage, &mut header, &mut ctx);
    let mut tcols = courses::CourseCols::new(stage, &mut header, m);
    header.warn_absent(stage);
    fatal |= stage.problems.list.len() > n_problems;
    if fatal {
        return Ok(ctx.sources);
    }
    let pspec = table_spec(TableKind::Patients);
    let mut fields = Vec::new();
    let mut row = 0u64;
    while src.next(&mut fields)? {
        row += 1;
        stage.patient_rows_read += 1;
        let pidx = stage.patients.len() as u32;
        if fields.len() != header.names.len() {
            let k = ragged_row(stage, &file, row, &header.names, fields.len());
            let id = patients
                .id_pos
                .and_then(|p| fields.get(p))
                .map(String::as_str);
            stage_unreadable_patient(stage, row, id, k);
            ctx.admission.push(None);
            continue;
        }
        let mut own: Option<ProblemKind> = None;
        let adm = patients.admission(stage, &ctx, row, &fields, &mut own);
        ctx.admission.push(adm);
        let (mut text, mut sources) = patients.cells(&ctx, &fields);
        out.cells(
            stage,
            &ctx,
            row,
            pidx,
            &fields,
            &mut text,
            &mut sources,
            &mut own,
        );
        let cells: Vec<Option<&str>> = text.iter().map(|t| t.as_deref()).collect();
        let srcs: Vec<&str> = sources.iter().map(String::as_str).collect();
        let extra: Vec<Option<String>> = patients
            .extra
            .iter()
            .map(|p| p.map(|p| fields[p].clone()).filter(|t| !ctx.is_missing(t)))
            .collect();
        let convs = vec![None; pspec.columns.len()];
        stage_patient(stage, row, &cells, &srcs, &convs, extra);
        if let Some(k) = own {
            let p = stage.patients.last_mut().expect("just staged");
            p.bad.get_or_insert(k);
        }
        wide.stage_row(stage, &mut ctx, row, pidx, &fields);
        tcols.stage_row(stage, &ctx, row, pidx, &fields);
    }
    days::read_days_file(stage, &mut ctx)?;
    courses::read_course_file(stage, &ctx)?;
    let day_file = stage.day_file.to_string();
    let counts = std::mem::take(&mut ctx.counts);
    counts.record(stage, |_| day_file.clone());
    Ok(ctx.sources)
}

/// The patients columns of the main file.
struct PatientCols {
    /// Per canonical column: the source position (None: absent or constant), the constant, the
    /// field index in the mapping.
    cols: Vec<(Option<usize>, Option<String>, Option<usize>)>,
    id_pos: Option<usize>,
    admission: Option<usize>,
    extra: Vec<Option<usize>>,
}

impl PatientCols {
    fn new(stage: &mut Stage, h: &mut Header, m: &Mapping) -> PatientCols {
        let pspec = table_spec(TableKind::Patients);
        let mut cols = vec![(None, None, None); pspec.columns.len()];
        for (k, f) in m.patients.iter().enumerate() {
            let i = pspec.index_of(&f.canonical).expect("checked when parsing");
            cols[i] = match &f.source {
                Source::Constant(c) => (None, Some(c.clone()), Some(k)),
                Source::Column(c) => {
                    // A column the schema requires in the header must be there when mapped.
                    let p = if pspec.column(&f.canonical).required {
                        h.required(stage, c, &f.canonical)
                    } else {
                        h.optional(stage, c)
                    };
                    (p, None, Some(k))
                }
            };
        }
        let admission = m
            .dates
            .as_ref()
            .and_then(|d| h.required(stage, &d.admission, "the admission date, day 1"));
        let extra = m.extra.iter().map(|e| h.optional(stage, e)).collect();
        stage.extra_names = m.extra.clone();
        PatientCols {
            id_pos: cols[0].0,
            cols,
            admission,
            extra,
        }
    }

    /// The admission date of a row as a day count (None when no dates or unreadable: reported).
    fn admission(
        &self,
        stage: &mut Stage,
        ctx: &Ctx,
        row: u64,
        fields: &[String],
        own: &mut Option<ProblemKind>,
    ) -> Option<i64> {
        let (dates, p) = (ctx.m.dates.as_ref()?, self.admission?);
        let t = fields[p].trim();
        let file = stage.patient_file.to_string();
        if ctx.is_missing(t) {
            stage.problems.push(
                &file,
                Some(row),
                Some(&dates.admission),
                ProblemKind::MissingValue,
                "missing admission date: day numbers are counted from it".into(),
            );
            own.get_or_insert(ProblemKind::MissingValue);
            return None;
        }
        let d = dates.format.days(t);
        if d.is_none() {
            stage.problems.push(
                &file,
                Some(row),
                Some(&dates.admission),
                ProblemKind::WrongType,
                format!(
                    "`{t}` is not a date in the format {}",
                    dates.format.as_str()
                ),
            );
            own.get_or_insert(ProblemKind::WrongType);
        }
        d
    }

    /// Canonical text cells and source names of the patients columns (outcome days left empty).
    fn cells(&self, ctx: &Ctx, fields: &[String]) -> (Vec<Option<String>>, Vec<String>) {
        let pspec = table_spec(TableKind::Patients);
        let mut text = Vec::with_capacity(self.cols.len());
        let mut sources = Vec::with_capacity(self.cols.len());
        for (i, c) in pspec.columns.iter().enumerate() {
            let (pos, constant, field) = &self.cols[i];
            let f = field.map(|k| &ctx.m.patients[k]);
            sources.push(match f.map(|f| &f.source) {
                Some(Source::Column(s)) => s.clone(),
                _ => c.name.clone(),
            });
            let t = match (constant, pos) {
                (Some(k), _) => Some(k.clone()),
                (None, Some(p)) => {
                    let t = fields[*p].trim();
                    if ctx.is_missing(t) {
                        None
                    } else {
                        let f = f.expect("a mapped column");
                        Some(recode(ctx, f, c.ty == ColumnType::Boolean, t))
                    }
                }
                (None, None) => None,
            };
            text.push(t);
        }
        (text, sources)
    }
}

/// A patients cell after the mapping's value codes.
fn recode(ctx: &Ctx, f: &super::mapping::PatientField, boolean: bool, t: &str) -> String {
    if let Some((_, to)) = f.values.iter().find(|(from, _)| from == t) {
        return to.clone();
    }
    if boolean {
        if let Some(b) = ctx.m.codes_of(&f.codes).read(t) {
            return b.to_string();
        }
    }
    t.to_string()
}

/// How a measurement's source unit is described to the plausibility check and in messages.
pub(crate) fn applied_unit(rule: &UnitRule) -> super::plausibility::Applied {
    use super::plausibility::Applied;
    match rule {
        UnitRule::Canonical => Applied::Canonical,
        UnitRule::Fixed { unit, conversion } => Applied::Fixed {
            unit: unit.clone(),
            conversion: *conversion,
        },
        UnitRule::PerRow { unit_column, .. } => Applied::PerRow {
            unit_column: unit_column.clone(),
        },
    }
}
