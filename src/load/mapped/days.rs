//! The day measurements of a mapped export in its three layouts: `wide` (days in columns of the
//! main file, `plt_d1`, `plt_d3`, ...), `patient_day` (a file with one row per patient and day)
//! and `long` (a file with one row per patient, day and test; repeated tests combined as the
//! mapping says, else a problem naming the rows).

use std::collections::{BTreeMap, HashMap};

use super::{applied_unit, Ctx, Header};
use crate::load::mapping::{DayRef, Days, Measure, Repeated, UnitRule};
use crate::load::plausibility::ColumnSource;
use crate::load::spec::{table_spec, ColumnType, TableKind};
use crate::load::validate::{
    duplicate_columns, parse_cell, ragged_row, stage_day, Conv, Parsed, ProblemKind, Stage,
};
use crate::load::LoadError;

/// A measurement cell after the unit rule.
pub(super) enum Converted {
    /// Pass the text as is, with this conversion for validation to apply.
    Text(Option<Conv>),
    /// The canonical value computed here (an affine conversion), as text.
    Value(String),
    /// Set missing: a unit never converted.
    Missing,
    /// The row's unit is unknown: (kind, message).
    Problem(ProblemKind, String),
}

/// Applies `rule` to cell text `t` of measurement `canonical` (`unit` the row's unit text for a
/// per-row rule); counts the conversion.
pub(super) fn convert(
    ctx: &mut Ctx,
    canonical: &str,
    t: &str,
    rule: &UnitRule,
    unit: Option<&str>,
    source: &str,
    day: Option<u32>,
) -> Converted {
    ctx.counts.present(canonical);
    let (name, a) = match rule {
        UnitRule::Canonical => return Converted::Text(None),
        UnitRule::Fixed { unit, conversion } => (unit.clone(), *conversion),
        UnitRule::PerRow {
            unit_column,
            units,
            not_convertible,
        } => {
            let u = unit.map(str::trim).unwrap_or("");
            match units.iter().find(|(n, _)| n == u) {
                Some((n, a)) => (n.clone(), *a),
                None if not_convertible.iter().any(|n| n == u) => {
                    ctx.counts.not_convertible(canonical, u);
                    return Converted::Missing;
                }
                None => {
                    let kind = if u.is_empty() {
                        ProblemKind::MissingValue
                    } else {
                        ProblemKind::NotAllowed
                    };
                    let known: Vec<&str> = units
                        .iter()
                        .map(|(n, _)| n.as_str())
                        .chain(not_convertible.iter().map(String::as_str))
                        .collect();
                    let on = day.map(|d| format!(" on day {d}")).unwrap_or_default();
                    return Converted::Problem(
                        kind,
                        format!(
                            "{source} has a value{on} but its unit `{u}` (column `{unit_column}`) \
                             is not one of {}",
                            known.join(", ")
                        ),
                    );
                }
            }
        }
    };
    if a.is_identity() {
        return Converted::Text(None);
    }
    ctx.counts.converted(canonical, &name, a.factor, a.offset);
    if a.offset == 0.0 {
        return Converted::Text(Some(Conv {
            factor: a.factor,
            from_unit: name,
        }));
    }
    match t.trim().parse::<f64>() {
        Ok(v) if v.is_finite() => Converted::Value(format!("{}", a.apply(v))),
        // Not a number: validation reports it, naming the source column.
        _ => Converted::Text(None),
    }
}

/// The plausibility source of a measurement.
fn column_source(file: &str, m: &Measure, columns: String, entry: String) -> ColumnSource {
    ColumnSource {
        column: m.canonical.clone(),
        file: file.to_string(),
        columns,
        applied: applied_unit(&m.unit),
        place: Some(m.place.clone()),
        entry,
    }
}

/// A wide measurement: its column index in the days schema, its mapping entry, the source
/// column (name, position in the header) of each listed day, and the unit column's position.
type WideColumn = (usize, Measure, Vec<(String, Option<usize>)>, Option<usize>);

/// Wide layout: per measurement, the source column of each listed day and the unit column.
pub(super) struct WideDays {
    days: Vec<u32>,
    cols: Vec<WideColumn>,
}

impl WideDays {
    pub fn new(stage: &mut Stage, h: &mut Header, ctx: &mut Ctx) -> WideDays {
        let Days::Wide { days, columns, .. } = &ctx.m.days else {
            return WideDays {
                days: Vec::new(),
                cols: Vec::new(),
            };
        };
        let dspec = table_spec(TableKind::Days);
        let mut cols = Vec::new();
        for m in columns {
            let ci = dspec.index_of(&m.canonical).expect("checked when parsing");
            let per_day: Vec<(String, Option<usize>)> = days
                .iter()
                .map(|&d| {
                    let s = ctx.m.day_source(&m.source, d);
                    let p = h.optional(stage, &s);
                    (s, p)
                })
                .collect();
            let unit_pos = match &m.unit {
                UnitRule::PerRow { unit_column, .. }
                    if per_day.iter().any(|(_, p)| p.is_some()) =>
                {
                    h.required(stage, unit_column, &format!("the unit of {}", m.canonical))
                }
                _ => None,
            };
            let names: Vec<&str> = per_day
                .iter()
                .filter(|(_, p)| p.is_some())
                .map(|(s, _)| s.as_str())
                .collect();
            if !names.is_empty() {
                ctx.sources.push(column_source(
                    &h.file,
                    m,
                    names.join(", "),
                    format!("stem = \"{}\"", m.source),
                ));
            }
            cols.push((ci, m.clone(), per_day, unit_pos));
        }
        WideDays {
            days: days.clone(),
            cols,
        }
    }

    /// Stages one canonical days row per listed day with at least one value.
    pub fn stage_row(
        &mut self,
        stage: &mut Stage,
        ctx: &mut Ctx,
        row: u64,
        pidx: u32,
        fields: &[String],
    ) {
        let dspec = table_spec(TableKind::Days);
        let n = dspec.columns.len();
        let file = stage.patient_file.to_string();
        let mut values = Vec::new();
        for (di, &day) in self.days.iter().enumerate() {
            let present = self.cols.iter().find_map(|(_, _, per_day, _)| {
                let (s, p) = &per_day[di];
                p.filter(|&p| !ctx.is_missing(&fields[p]))
                    .map(|_| s.clone())
            });
            let Some(day_source) = present else { continue };
            stage.day_rows_read += 1;
            let day_text = day.to_string();
            let mut text: Vec<Option<String>> = vec![None; n];
            let mut sources: Vec<String> = dspec.columns.iter().map(|c| c.name.clone()).collect();
            let mut convs: Vec<Option<Conv>> = vec![None; n];
            text[1] = Some(day_text);
            sources[1] = day_source.clone();
            let mut bad: Option<ProblemKind> = None;
            for (ci, m, per_day, unit_pos) in &self.cols {
                let (src_name, p) = &per_day[di];
                sources[*ci] = src_name.clone();
                let Some(p) = *p else { continue };
                let t = fields[p].trim();
                if ctx.is_missing(t) {
                    continue;
                }
                if dspec.columns[*ci].ty == ColumnType::Boolean {
                    text[*ci] = Some(bool_text(ctx, m, t));
                    continue;
                }
                let unit = unit_pos.map(|u| fields[u].as_str());
                match convert(ctx, &m.canonical, t, &m.unit, unit, src_name, Some(day)) {
                    Converted::Text(c) => {
                        convs[*ci] = c;
                        text[*ci] = Some(t.to_string());
                    }
                    Converted::Value(v) => text[*ci] = Some(v),
                    Converted::Missing => {}
                    Converted::Problem(kind, msg) => {
                        let col = match &m.unit {
                            UnitRule::PerRow { unit_column, .. } => unit_column.as_str(),
                            _ => src_name.as_str(),
                        };
                        stage.problems.push(&file, Some(row), Some(col), kind, msg);
                        bad.get_or_insert(kind);
                    }
                }
            }
            let cells: Vec<Option<&str>> = text.iter().map(|t| t.as_deref()).collect();
            let srcs: Vec<&str> = sources.iter().map(String::as_str).collect();
            let patient = match bad {
                Some(k) => Err(k),
                None => Ok(pidx),
            };
            stage_day(
                stage,
                row,
                patient,
                &cells,
                &srcs,
                &convs,
                &day_source,
                &mut values,
            );
        }
    }
}

/// A yes/no measurement cell as `true` / `false` (other text is left for validation to report).
fn bool_text(ctx: &Ctx, m: &Measure, t: &str) -> String {
    match ctx.m.codes_of(&m.codes).read(t) {
        Some(b) => b.to_string(),
        None => t.to_string(),
    }
}

/// Reads the days file of the patient_day or long layout, if the mapping has one.
pub(super) fn read_days_file(stage: &mut Stage, ctx: &mut Ctx) -> Result<(), LoadError> {
    let (file, patient_id, day) = match &ctx.m.days {
        Days::PatientDay {
            file,
            patient_id,
            day,
            ..
        }
        | Days::Long {
            file,
            patient_id,
            day,
            ..
        } => (file.clone(), patient_id.clone(), day.clone()),
        _ => return Ok(()),
    };
    let input = ctx.other_input(&file)?;
    let name = input.name();
    stage.day_file = name.as_str().into();
    stage.problems.files.push(name.clone());
    let mut src = super::open_mapped(&input, ctx.m.delimiter)?;
    let mut h = Header::new(&name, src.header());
    let n_problems = stage.problems.list.len();
    duplicate_columns(stage, &name, &h.names);
    let id_pos = h.required(stage, &patient_id, "the patient id");
    let day_pos = h.required(stage, day.column(), "the day");
    let layout = match &ctx.m.days {
        Days::PatientDay { columns, .. } => {
            let mut cols = Vec::new();
            for m in columns {
                let p = h.optional(stage, &m.source);
                let unit_pos = match &m.unit {
                    UnitRule::PerRow { unit_column, .. } if p.is_some() => {
                        h.required(stage, unit_column, &format!("the unit of {}", m.canonical))
                    }
                    _ => None,
                };
                if p.is_some() {
                    ctx.sources.push(column_source(
                        &name,
                        m,
                        m.source.clone(),
                        format!("source = \"{}\"", m.source),
                    ));
                }
                cols.push((m.clone(), p, unit_pos));
            }
            Layout::PatientDay(cols)
        }
        Days::Long {
            test,
            value,
            unit,
            tests,
            ..
        } => {
            let t = h.required(stage, test, "the test name");
            let v = h.required(stage, value, "the value");
            let u = unit
                .as_deref()
                .and_then(|u| h.required(stage, u, "the unit"));
            let mut by_name = HashMap::new();
            for (k, m) in tests.iter().enumerate() {
                for n in &m.tests {
                    by_name.insert(n.clone(), k);
                }
                let quoted: Vec<String> = m.tests.iter().map(|t| format!("\"{t}\"")).collect();
                ctx.sources.push(column_source(
                    &name,
                    m,
                    format!("{value} where {test} is {}", m.tests.join(" or ")),
                    format!("names = [{}]", quoted.join(", ")),
                ));
            }
            Layout::Long {
                test: t.unwrap_or(0),
                value: v.unwrap_or(0),
                unit: u,
                value_name: value.clone(),
                tests: tests.clone(),
                by_name,
            }
        }
        _ => unreachable!("matched above"),
    };
    h.warn_absent(stage);
    if stage.problems.list.len() > n_problems {
        return Ok(());
    }
    let (id_pos, day_pos) = (id_pos.expect("checked"), day_pos.expect("checked"));
    let r = Reader {
        name,
        id_pos,
        day_pos,
        day,
        n_fields: h.names.len(),
        header: h.names.clone(),
    };
    match layout {
        Layout::PatientDay(cols) => r.patient_day(stage, ctx, src.as_mut(), &cols),
        Layout::Long {
            test,
            value,
            unit,
            value_name,
            tests,
            by_name,
        } => {
            let long = Long {
                test,
                value,
                unit,
                value_name,
                tests,
                by_name,
            };
            r.long(stage, ctx, src.as_mut(), &long)
        }
    }
}

enum Layout {
    PatientDay(Vec<(Measure, Option<usize>, Option<usize>)>),
    Long {
        test: usize,
        value: usize,
        unit: Option<usize>,
        value_name: String,
        tests: Vec<Measure>,
        by_name: HashMap<String, usize>,
    },
}

struct Long {
    test: usize,
    value: usize,
    unit: Option<usize>,
    value_name: String,
    tests: Vec<Measure>,
    by_name: HashMap<String, usize>,
}

/// What a days-file row needs besides its layout.
struct Reader {
    name: String,
    id_pos: usize,
    day_pos: usize,
    day: DayRef,
    n_fields: usize,
    header: Vec<String>,
}

impl Reader {
    /// The staged patient and the day number of a row (problems reported here).
    fn locate(
        &self,
        stage: &mut Stage,
        ctx: &Ctx,
        row: u64,
        fields: &[String],
    ) -> (Result<u32, ProblemKind>, Option<String>) {
        let patient = super::resolve_patient(stage, &self.name, row, fields[self.id_pos].trim());
        let day = match ctx.day_text(&self.day, Some(&fields[self.day_pos]), patient.ok()) {
            Ok(d) => d,
            Err(msg) => {
                let kind = ProblemKind::WrongType;
                if patient.is_ok() {
                    stage
                        .problems
                        .push(&self.name, Some(row), Some(self.day.column()), kind, msg);
                    return (Err(kind), None);
                }
                None
            }
        };
        (patient, day)
    }

    fn patient_day(
        &self,
        stage: &mut Stage,
        ctx: &mut Ctx,
        src: &mut dyn crate::load::source::RowSource,
        cols: &[(Measure, Option<usize>, Option<usize>)],
    ) -> Result<(), LoadError> {
        let dspec = table_spec(TableKind::Days);
        let n = dspec.columns.len();
        let mut fields = Vec::new();
        let mut values = Vec::new();
        let mut row = 0u64;
        while src.next(&mut fields)? {
            row += 1;
            stage.day_rows_read += 1;
            if fields.len() != self.n_fields {
                let k = ragged_row(stage, &self.name, row, &self.header, fields.len());
                stage.day_excl.add(k);
                continue;
            }
            let (mut patient, day) = self.locate(stage, ctx, row, &fields);
            let mut text: Vec<Option<String>> = vec![None; n];
            let mut sources: Vec<String> = dspec.columns.iter().map(|c| c.name.clone()).collect();
            let mut convs: Vec<Option<Conv>> = vec![None; n];
            text[0] = Some(fields[self.id_pos].clone());
            sources[0] = self.header[self.id_pos].clone();
            text[1] = day;
            sources[1] = self.day.column().to_string();
            for (m, p, unit_pos) in cols {
                let ci = dspec.index_of(&m.canonical).expect("checked when parsing");
                sources[ci] = m.source.clone();
                let Some(p) = *p else { continue };
                let t = fields[p].trim();
                if ctx.is_missing(t) {
                    continue;
                }
                if dspec.columns[ci].ty == ColumnType::Boolean {
                    text[ci] = Some(bool_text(ctx, m, t));
                    continue;
                }
                let unit = unit_pos.map(|u| fields[u].as_str());
                match convert(ctx, &m.canonical, t, &m.unit, unit, &m.source, None) {
                    Converted::Text(c) => {
                        convs[ci] = c;
                        text[ci] = Some(t.to_string());
                    }
                    Converted::Value(v) => text[ci] = Some(v),
                    Converted::Missing => {}
                    Converted::Problem(kind, msg) => {
                        let col = match &m.unit {
                            UnitRule::PerRow { unit_column, .. } => unit_column.clone(),
                            _ => m.source.clone(),
                        };
                        stage
                            .problems
                            .push(&self.name, Some(row), Some(&col), kind, msg);
                        if patient.is_ok() {
                            patient = Err(kind);
                        }
                    }
                }
            }
            let cells: Vec<Option<&str>> = text.iter().map(|t| t.as_deref()).collect();
            let srcs: Vec<&str> = sources.iter().map(String::as_str).collect();
            stage_day(
                stage,
                row,
                patient,
                &cells,
                &srcs,
                &convs,
                self.day.column(),
                &mut values,
            );
        }
        Ok(())
    }

    fn long(
        &self,
        stage: &mut Stage,
        ctx: &mut Ctx,
        src: &mut dyn crate::load::source::RowSource,
        l: &Long,
    ) -> Result<(), LoadError> {
        let dspec = table_spec(TableKind::Days);
        // (staged patient, day) -> the patient-day being gathered.
        let mut groups: BTreeMap<(u32, i64), Group> = BTreeMap::new();
        let mut unknown: BTreeMap<String, u64> = BTreeMap::new();
        let mut fields = Vec::new();
        let mut row = 0u64;
        while src.next(&mut fields)? {
            row += 1;
            if fields.len() != self.n_fields {
                let k = ragged_row(stage, &self.name, row, &self.header, fields.len());
                stage.day_rows_read += 1;
                stage.day_excl.add(k);
                continue;
            }
            let t = fields[l.test].trim();
            let Some(&k) = l.by_name.get(t) else {
                *unknown.entry(t.to_string()).or_insert(0) += 1;
                continue;
            };
            let (patient, day) = self.locate(stage, ctx, row, &fields);
            let m = &l.tests[k];
            let (p, day) = match (patient, day.as_deref().map(str::parse::<i64>)) {
                (Ok(p), Some(Ok(d))) => (p, d),
                (Ok(_), None) => {
                    let msg = "missing value: the day is required".to_string();
                    let kind = ProblemKind::MissingValue;
                    stage
                        .problems
                        .push(&self.name, Some(row), Some(self.day.column()), kind, msg);
                    stage.day_rows_read += 1;
                    stage.day_excl.add(kind);
                    continue;
                }
                (Ok(_), Some(Err(_))) => {
                    let kind = ProblemKind::WrongType;
                    let d = fields[self.day_pos].trim();
                    stage.problems.push(
                        &self.name,
                        Some(row),
                        Some(self.day.column()),
                        kind,
                        format!("`{d}` is not a whole number (day)"),
                    );
                    stage.day_rows_read += 1;
                    stage.day_excl.add(kind);
                    continue;
                }
                (Err(kind), _) => {
                    stage.day_rows_read += 1;
                    stage.day_excl.add(kind);
                    continue;
                }
            };
            let g = groups.entry((p, day)).or_insert_with(|| Group {
                row,
                values: vec![Vec::new(); l.tests.len()],
                bad: None,
            });
            let v = fields[l.value].trim();
            if ctx.is_missing(v) {
                continue;
            }
            let ci = dspec.index_of(&m.canonical).expect("checked when parsing");
            let spec = &dspec.columns[ci];
            let (text, conv) = if spec.ty == ColumnType::Boolean {
                (bool_text(ctx, m, v), None)
            } else {
                let unit = l.unit.map(|u| fields[u].as_str());
                match convert(ctx, &m.canonical, v, &m.unit, unit, &l.value_name, None) {
                    Converted::Text(c) => (v.to_string(), c),
                    Converted::Value(x) => (x, None),
                    Converted::Missing => continue,
                    Converted::Problem(kind, msg) => {
                        let col = match &m.unit {
                            UnitRule::PerRow { unit_column, .. } => unit_column.clone(),
                            _ => l.value_name.clone(),
                        };
                        stage
                            .problems
                            .push(&self.name, Some(row), Some(&col), kind, msg);
                        g.bad.get_or_insert(kind);
                        continue;
                    }
                }
            };
            match parse_cell(spec, Some(&text), conv.as_ref()) {
                Ok(Parsed::Num(x)) => g.values[k].push((x, row)),
                Ok(Parsed::Text(_)) => unreachable!("days measurements are numbers or flags"),
                Err((kind, msg)) => {
                    if kind == ProblemKind::OutOfRange {
                        stage
                            .unit_sketch
                            .add_value(ci - 2, Some(&text), conv.as_ref());
                    }
                    stage
                        .problems
                        .push(&self.name, Some(row), Some(&l.value_name), kind, msg);
                    g.bad.get_or_insert(kind);
                }
            }
        }
        if !unknown.is_empty() {
            let list: Vec<String> = unknown.iter().map(|(t, n)| format!("{t} ({n})")).collect();
            stage.warnings.push(format!(
                "{}: rows of tests the mapping does not name were skipped: {}",
                self.name,
                list.join(", ")
            ));
        }
        self.stage_groups(stage, l, groups);
        Ok(())
    }

    /// Stages each gathered patient-day as one canonical days row.
    fn stage_groups(&self, stage: &mut Stage, l: &Long, groups: BTreeMap<(u32, i64), Group>) {
        let dspec = table_spec(TableKind::Days);
        let n = dspec.columns.len();
        let convs: Vec<Option<Conv>> = vec![None; n];
        let mut values = Vec::new();
        for ((p, day), mut g) in groups {
            stage.day_rows_read += 1;
            let mut text: Vec<Option<String>> = vec![None; n];
            let mut sources: Vec<String> = dspec.columns.iter().map(|c| c.name.clone()).collect();
            text[1] = Some(day.to_string());
            sources[1] = self.day.column().to_string();
            for (k, m) in l.tests.iter().enumerate() {
                let ci = dspec.index_of(&m.canonical).expect("checked when parsing");
                sources[ci] = l.value_name.clone();
                let v = &g.values[k];
                if v.len() > 1 && m.repeated == Repeated::Error {
                    let rows: Vec<String> = v.iter().map(|(_, r)| r.to_string()).collect();
                    let id = stage.patients[p as usize].id.clone();
                    stage.problems.push(
                        &self.name,
                        Some(v[1].1),
                        Some(&l.value_name),
                        ProblemKind::DuplicatePatientDay,
                        format!(
                            "{} has {} values on day {day} for patient `{id}` (rows {}): say how \
                             to combine them (repeated = \"min\", \"max\", \"mean\", \"first\" or \
                             \"last\" in [days.tests] {})",
                            m.canonical,
                            v.len(),
                            rows.join(", "),
                            m.canonical
                        ),
                    );
                    g.bad.get_or_insert(ProblemKind::DuplicatePatientDay);
                    continue;
                }
                text[ci] = combine(v, m.repeated).map(|x| format!("{x}"));
            }
            let cells: Vec<Option<&str>> = text.iter().map(|t| t.as_deref()).collect();
            let srcs: Vec<&str> = sources.iter().map(String::as_str).collect();
            let patient = match g.bad {
                Some(k) => Err(k),
                None => Ok(p),
            };
            stage_day(
                stage,
                g.row,
                patient,
                &cells,
                &srcs,
                &convs,
                self.day.column(),
                &mut values,
            );
        }
    }
}

/// A patient-day of the long layout being gathered: its first row and the values of each test
/// (canonical, with their rows).
struct Group {
    row: u64,
    values: Vec<Vec<(f64, u64)>>,
    bad: Option<ProblemKind>,
}

/// Repeated values of one test on one patient-day as one.
fn combine(v: &[(f64, u64)], how: Repeated) -> Option<f64> {
    let xs = v.iter().map(|(x, _)| *x);
    match (v.len(), how) {
        (0, _) => None,
        (1, _) | (_, Repeated::First | Repeated::Error) => Some(v[0].0),
        (_, Repeated::Last) => Some(v[v.len() - 1].0),
        (_, Repeated::Min) => xs.reduce(f64::min),
        (_, Repeated::Max) => xs.reduce(f64::max),
        (k, Repeated::Mean) => Some(xs.sum::<f64>() / k as f64),
    }
}
