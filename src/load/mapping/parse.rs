//! Reading a mapping file into the checked [`Mapping`]: the TOML document is walked with its
//! spans (`toml::de::DeTable`), so every error names the file, the line and the dotted key;
//! unknown keys are errors with a "did you mean".

use std::cell::RefCell;

use toml::de::{DeTable, DeValue};
use toml::Spanned;

use super::{
    CourseColumns, CourseFile, DateFormat, Dates, DayRef, Days, Flag, Mapping, Measure, Outcome,
    PatientField, Place, Repeated, Source, UnitRule, YesNo,
};
use crate::load::spec::{table_spec, ColumnType, TableKind};
use crate::load::units::{conversion, find_unit, unit_names, Affine};
use crate::load::LoadError;
use crate::schema::names::did_you_mean;

type R<T> = Result<T, LoadError>;

struct Doc<'a> {
    origin: &'a str,
    text: &'a str,
}

impl Doc<'_> {
    fn line(&self, at: usize) -> usize {
        self.text[..at.min(self.text.len())].matches('\n').count() + 1
    }
    fn err(&self, at: usize, key: &str, message: impl Into<String>) -> LoadError {
        LoadError::MappingValue {
            file: self.origin.to_string(),
            line: self.line(at),
            key: key.to_string(),
            message: message.into(),
        }
    }
}

/// A table of the document with its key path; keys read are remembered so that the rest can be
/// reported as unknown.
struct Table<'a, 'i> {
    doc: &'a Doc<'a>,
    path: String,
    map: &'a DeTable<'i>,
    at: usize,
    seen: RefCell<Vec<String>>,
}

/// A value of the document with its key path.
struct Value<'a, 'i> {
    doc: &'a Doc<'a>,
    path: String,
    v: &'a Spanned<DeValue<'i>>,
}

impl<'a, 'i> Table<'a, 'i> {
    fn key(&self, k: &str) -> String {
        if self.path.is_empty() {
            k.to_string()
        } else {
            format!("{}.{k}", self.path)
        }
    }
    fn err(&self, message: impl Into<String>) -> LoadError {
        let key = if self.path.is_empty() {
            "(top level)"
        } else {
            &self.path
        };
        self.doc.err(self.at, key, message)
    }
    fn get(&self, k: &str) -> Option<Value<'a, 'i>> {
        self.seen.borrow_mut().push(k.to_string());
        self.map
            .iter()
            .find(|(key, _)| key.get_ref().as_ref() == k)
            .map(|(_, v)| Value {
                doc: self.doc,
                path: self.key(k),
                v,
            })
    }
    fn has(&self, k: &str) -> bool {
        self.map.iter().any(|(key, _)| key.get_ref().as_ref() == k)
    }
    fn str(&self, k: &str) -> R<Option<String>> {
        self.get(k).map(|v| v.str()).transpose()
    }
    fn req_str(&self, k: &str) -> R<String> {
        self.str(k)?
            .ok_or_else(|| self.err(format!("`{k}` is required")))
    }
    fn strings(&self, k: &str) -> R<Option<Vec<String>>> {
        self.get(k).map(|v| v.strings()).transpose()
    }
    /// Every entry, in key order (the order of a TOML table is not kept).
    fn entries(&self) -> Vec<(String, Value<'a, 'i>)> {
        self.map
            .iter()
            .map(|(k, v)| {
                let k = k.get_ref().to_string();
                self.seen.borrow_mut().push(k.clone());
                (
                    k.clone(),
                    Value {
                        doc: self.doc,
                        path: self.key(&k),
                        v,
                    },
                )
            })
            .collect()
    }
    /// Errors on the first key that was not read.
    fn finish(&self) -> R<()> {
        let seen = self.seen.borrow();
        for (k, _) in self.map.iter() {
            let name = k.get_ref().as_ref();
            if !seen.iter().any(|s| s == name) {
                return Err(self.doc.err(
                    k.span().start,
                    &self.key(name),
                    format!(
                        "unknown key{}",
                        did_you_mean(name, seen.iter().map(String::as_str))
                    ),
                ));
            }
        }
        Ok(())
    }
}

impl<'a, 'i> Value<'a, 'i> {
    fn at(&self) -> usize {
        self.v.span().start
    }
    fn err(&self, message: impl Into<String>) -> LoadError {
        self.doc.err(self.at(), &self.path, message)
    }
    fn place(&self) -> Place {
        Place {
            key: self.path.clone(),
            line: self.doc.line(self.at()),
        }
    }
    fn expected(&self, what: &str) -> LoadError {
        self.err(format!(
            "expected {what}, found {}",
            self.v.get_ref().type_str()
        ))
    }
    fn is_table(&self) -> bool {
        self.v.get_ref().is_table()
    }
    fn is_str(&self) -> bool {
        self.v.get_ref().is_str()
    }
    fn str(&self) -> R<String> {
        let s = self
            .v
            .get_ref()
            .as_str()
            .ok_or_else(|| self.expected("a string"))?;
        if s.trim().is_empty() {
            return Err(self.err("must not be blank"));
        }
        Ok(s.to_string())
    }
    /// A table where a column name would also do.
    fn name_or_table(&self) -> R<Table<'a, 'i>> {
        if !self.is_table() {
            return Err(self.expected("a column name (a string) or a table"));
        }
        self.table()
    }
    fn table(&self) -> R<Table<'a, 'i>> {
        let map = self
            .v
            .get_ref()
            .as_table()
            .ok_or_else(|| self.expected("a table"))?;
        Ok(Table {
            doc: self.doc,
            path: self.path.clone(),
            map,
            at: self.at(),
            seen: RefCell::new(Vec::new()),
        })
    }
    fn array(&self) -> R<Vec<Value<'a, 'i>>> {
        let a = self
            .v
            .get_ref()
            .as_array()
            .ok_or_else(|| self.expected("an array"))?;
        Ok(a.iter()
            .enumerate()
            .map(|(k, v)| Value {
                doc: self.doc,
                path: format!("{}[{k}]", self.path),
                v,
            })
            .collect())
    }
    fn strings(&self) -> R<Vec<String>> {
        self.array()?.iter().map(|v| v.str()).collect()
    }
    fn int(&self) -> R<i64> {
        let i = self
            .v
            .get_ref()
            .as_integer()
            .ok_or_else(|| self.expected("an integer"))?;
        i64::from_str_radix(i.as_str(), i.radix()).map_err(|_| self.err("integer out of range"))
    }
    fn number(&self) -> R<f64> {
        let v = self.v.get_ref();
        let x = if let Some(f) = v.as_float() {
            f.as_str().parse::<f64>().ok()
        } else if v.is_integer() {
            Some(self.int()? as f64)
        } else {
            return Err(self.expected("a number"));
        };
        x.filter(|x| x.is_finite())
            .ok_or_else(|| self.err("must be a finite number"))
    }
    fn bool(&self) -> R<bool> {
        self.v
            .get_ref()
            .as_bool()
            .ok_or_else(|| self.expected("true or false"))
    }
}

/// Parses and checks a mapping.
pub(super) fn parse(origin: &str, text: &str) -> R<Mapping> {
    let doc = Doc { origin, text };
    let root = DeTable::parse(text).map_err(|e| {
        let at = e.span().map_or(0, |s| s.start);
        doc.err(at, "(syntax)", e.message().trim().to_string())
    })?;
    let top = Table {
        doc: &doc,
        path: String::new(),
        map: root.get_ref(),
        at: 0,
        seen: RefCell::new(Vec::new()),
    };
    let file = top.str("file")?;
    let delimiter = top.get("delimiter").map(|v| delimiter(&v)).transpose()?;
    let missing = top.strings("missing")?.unwrap_or_default();
    let mut codes = YesNo::default_codes();
    if let Some(y) = top.strings("yes")? {
        codes.yes = YesNo::new(&y, &[]).yes;
    }
    if let Some(n) = top.strings("no")? {
        codes.no = YesNo::new(&[], &n).no;
    }
    check_codes(&top, &codes)?;
    let dates = match top.get("dates") {
        None => None,
        Some(v) => {
            let t = v.table()?;
            let admission = t.req_str("admission")?;
            let format = match t.get("format") {
                None => DateFormat::new("%Y-%m-%d").expect("a valid format"),
                Some(f) => DateFormat::new(&f.str()?).map_err(|m| f.err(m))?,
            };
            t.finish()?;
            Some(Dates { admission, format })
        }
    };
    let ctx = Ctx {
        dates: dates.is_some(),
    };
    let ptable = top
        .get("patients")
        .ok_or_else(|| top.err("a [patients] table is required"))?
        .table()?;
    let (patients, extra, outcome_days) = patients(&ctx, &ptable)?;
    let outcome =
        match (top.get("outcome"), outcome_days) {
            (Some(o), None) => outcome(&ctx, &o.table()?)?,
            (None, Some(days)) => days,
            (Some(o), Some(_)) => return Err(o.err(
                "the outcome is given twice: keep [outcome] or death_day/last_day/discharge_day \
                 in [patients], not both",
            )),
            (None, None) => return Err(ptable.err(
                "no outcome: map `last_day` (and `death_day`, `discharge_day`) here, or give an \
                 [outcome] table",
            )),
        };
    let days = match top.get("days") {
        None => Days::None,
        Some(d) => days(&ctx, &d.table()?)?,
    };
    let treatments = match top.get("treatments") {
        None => Vec::new(),
        Some(t) => t
            .array()?
            .iter()
            .map(|v| course_columns(&ctx, &v.table()?))
            .collect::<R<_>>()?,
    };
    let courses = match top.get("courses") {
        None => None,
        Some(c) => {
            if !treatments.is_empty() {
                return Err(c.err(
                    "give the anticoagulants either as [[treatments]] columns of the main file or \
                     as a [courses] file, not both",
                ));
            }
            Some(course_file(&ctx, &c.table()?)?)
        }
    };
    top.finish()?;
    Ok(Mapping {
        origin: origin.to_string(),
        dir: None,
        file,
        delimiter,
        missing,
        codes,
        dates,
        patients,
        extra,
        outcome,
        days,
        treatments,
        courses,
    })
}

struct Ctx {
    dates: bool,
}

fn delimiter(v: &Value) -> R<u8> {
    match v.str()?.as_str() {
        "," => Ok(b','),
        ";" => Ok(b';'),
        "\t" | "tab" => Ok(b'\t'),
        "|" => Ok(b'|'),
        other => Err(v.err(format!(
            "`{other}` is not a delimiter (\",\", \";\", \"\\t\" or \"tab\", \"|\")"
        ))),
    }
}

fn check_codes(t: &Table, c: &YesNo) -> R<()> {
    if let Some(x) = c.yes.iter().find(|y| c.no.contains(y)) {
        return Err(t.err(format!("`{x}` is both a yes and a no code")));
    }
    Ok(())
}

/// Optional per-column yes/no codes (`yes`, `no` keys of a column table).
fn own_codes(t: &Table) -> R<Option<YesNo>> {
    let yes = t.strings("yes")?;
    let no = t.strings("no")?;
    match (yes, no) {
        (None, None) => Ok(None),
        (Some(y), Some(n)) => {
            let c = YesNo::new(&y, &n);
            check_codes(t, &c)?;
            Ok(Some(c))
        }
        _ => Err(t.err("give both `yes` and `no` codes")),
    }
}

/// A day: `"col"`, `{ day = "col" }` or `{ date = "col" }`.
fn day_ref(ctx: &Ctx, v: &Value) -> R<DayRef> {
    if v.is_str() {
        return Ok(DayRef::Number(v.str()?));
    }
    let t = v.name_or_table()?;
    let r = match (t.str("day")?, t.str("date")?) {
        (Some(c), None) => DayRef::Number(c),
        (None, Some(c)) => {
            if !ctx.dates {
                return Err(
                    v.err("a date needs a [dates] table naming the admission date column (day 1)")
                );
            }
            DayRef::Date(c)
        }
        _ => {
            return Err(v.err(
                "expected a column of day numbers (\"col\" or { day = \"col\" }) or of dates \
                 ({ date = \"col\" })",
            ))
        }
    };
    t.finish()?;
    Ok(r)
}

fn flag(v: &Value) -> R<Flag> {
    if v.is_str() {
        return Ok(Flag {
            column: v.str()?,
            codes: None,
        });
    }
    let t = v.name_or_table()?;
    let column = t.req_str("source")?;
    let codes = own_codes(&t)?;
    t.finish()?;
    Ok(Flag { column, codes })
}

type PatientsOut = (Vec<PatientField>, Vec<String>, Option<Outcome>);

fn patients(ctx: &Ctx, t: &Table) -> R<PatientsOut> {
    let spec = table_spec(TableKind::Patients);
    let names = || spec.columns.iter().map(|c| c.name.as_str());
    let mut fields = Vec::new();
    let mut extra = Vec::new();
    let (mut death, mut last, mut discharge) = (None, None, None);
    for (k, v) in t.entries() {
        match k.as_str() {
            "extra" => extra = v.strings()?,
            "death_day" => death = Some(day_ref(ctx, &v)?),
            "last_day" => last = Some(day_ref(ctx, &v)?),
            "discharge_day" => discharge = Some(day_ref(ctx, &v)?),
            name => {
                let Some(c) = spec.index_of(name).map(|i| &spec.columns[i]) else {
                    return Err(v.err(format!(
                        "not a canonical patients column{}",
                        did_you_mean(name, names().chain(["extra"]))
                    )));
                };
                let place = v.place();
                let (source, values, codes) = if v.is_str() {
                    (Source::Column(v.str()?), Vec::new(), None)
                } else {
                    let ct = v.name_or_table()?;
                    let source = match (ct.str("source")?, ct.str("value")?) {
                        (Some(s), None) => Source::Column(s),
                        (None, Some(c)) => Source::Constant(c),
                        _ => return Err(v.err("give `source` (a column) or `value` (a constant)")),
                    };
                    let values = match ct.get("values") {
                        None => Vec::new(),
                        Some(m) => m
                            .table()?
                            .entries()
                            .into_iter()
                            .map(|(from, to)| Ok((from, to.str()?)))
                            .collect::<R<_>>()?,
                    };
                    let codes = own_codes(&ct)?;
                    if codes.is_some() && c.ty != ColumnType::Boolean {
                        return Err(v.err(format!(
                            "`yes`/`no` codes are for yes/no columns; `{name}` is not one"
                        )));
                    }
                    ct.finish()?;
                    (source, values, codes)
                };
                fields.push(PatientField {
                    canonical: name.to_string(),
                    source,
                    values,
                    codes,
                    place,
                });
            }
        }
    }
    t.finish()?;
    for required in ["patient_id", "site_id"] {
        if !fields.iter().any(|f| f.canonical == required) {
            return Err(t.err(format!(
                "`{required}` is not mapped{}",
                if required == "site_id" {
                    " (a single-centre export: site_id = { value = \"my-hospital\" })"
                } else {
                    ""
                }
            )));
        }
    }
    fields.sort_by_key(|f| spec.index_of(&f.canonical));
    let outcome =
        match (death, last, discharge) {
            (None, None, None) => None,
            (death_day, Some(last_day), discharge_day) => Some(Outcome::Days {
                death_day,
                last_day,
                discharge_day,
            }),
            _ => return Err(t.err(
                "`last_day` is not mapped (death ends observation: map it even when death_day is)",
            )),
        };
    Ok((fields, extra, outcome))
}

fn outcome(ctx: &Ctx, t: &Table) -> R<Outcome> {
    let died = flag(
        &t.get("died")
            .ok_or_else(|| t.err("`died` (a yes/no column) is required"))?,
    )?;
    let death_day = t.get("death_day").map(|v| day_ref(ctx, &v)).transpose()?;
    let stay_end = t.get("stay_end").map(|v| day_ref(ctx, &v)).transpose()?;
    let within = t.get("within_days");
    let in_hospital = t.get("in_hospital").map(|v| v.bool()).transpose()?;
    let o = match (within, in_hospital) {
        (Some(w), None | Some(false)) => {
            let days = w.int()?;
            if !(1..=1000).contains(&days) {
                return Err(w.err(format!("must be a day from 1 to 1000, got {days}")));
            }
            Outcome::Within {
                died,
                days: days as u32,
                death_day,
                stay_end,
            }
        }
        (None, Some(true)) => Outcome::InHospital {
            died,
            death_day,
            stay_end: stay_end.ok_or_else(|| {
                t.err("`stay_end` (the day of discharge or death) is required with in_hospital")
            })?,
        },
        _ => {
            return Err(t.err(
                "say what `died` covers: `within_days = 28` (death by day 28) or \
                 `in_hospital = true` (death before discharge)",
            ))
        }
    };
    t.finish()?;
    Ok(o)
}

fn days(ctx: &Ctx, t: &Table) -> R<Days> {
    let layout = match t.str("layout")? {
        Some(l) => l,
        None if t.has("pattern") || t.has("days") => "wide".to_string(),
        None => return Err(t.err("`layout` is required: \"wide\", \"patient_day\" or \"long\"")),
    };
    let d = match layout.as_str() {
        "wide" => {
            let dv = t
                .get("days")
                .ok_or_else(|| t.err("`days` (the list of days exported) is required"))?;
            let mut days = Vec::new();
            for v in dv.array()? {
                let d = v.int()?;
                if !(1..=1000).contains(&d) {
                    return Err(v.err(format!("days start at 1 (day 1 = admission), got {d}")));
                }
                if days.contains(&(d as u32)) {
                    return Err(v.err(format!("day {d} is listed twice")));
                }
                days.push(d as u32);
            }
            if days.is_empty() {
                return Err(dv.err("list at least one day"));
            }
            let pv = t.get("pattern");
            let pattern = t.req_str("pattern")?;
            if !pattern.contains("{stem}") || !pattern.contains("{day}") {
                let pv = pv.expect("read above");
                return Err(pv.err("must contain {stem} and {day}, e.g. \"{stem}_d{day}\""));
            }
            let columns = measures(t, Layout::Wide)?;
            Days::Wide {
                days,
                pattern,
                columns,
            }
        }
        "patient_day" => {
            let file = t.req_str("file")?;
            let patient_id = t.str("patient_id")?.unwrap_or_else(|| "patient_id".into());
            let day = match t.get("day") {
                Some(v) => day_ref(ctx, &v)?,
                None => DayRef::Number("day".into()),
            };
            let columns = measures(t, Layout::PatientDay)?;
            Days::PatientDay {
                file,
                patient_id,
                day,
                columns,
            }
        }
        "long" => {
            let file = t.req_str("file")?;
            let patient_id = t.str("patient_id")?.unwrap_or_else(|| "patient_id".into());
            let day = match t.get("day") {
                Some(v) => day_ref(ctx, &v)?,
                None => DayRef::Number("day".into()),
            };
            let test = t.req_str("test")?;
            let value = t.req_str("value")?;
            let unit = t.str("unit")?;
            let tests = measures(t, Layout::Long { unit: unit.clone() })?;
            Days::Long {
                file,
                patient_id,
                day,
                test,
                value,
                unit,
                tests,
            }
        }
        other => {
            let v = t.get("layout").expect("read above");
            return Err(v.err(format!(
                "`{other}` is not a layout (\"wide\", \"patient_day\" or \"long\")"
            )));
        }
    };
    t.finish()?;
    Ok(d)
}

#[derive(Clone, PartialEq)]
enum Layout {
    Wide,
    PatientDay,
    Long { unit: Option<String> },
}

/// `[days.columns]` (wide, patient_day) or `[days.tests]` (long).
fn measures(t: &Table, layout: Layout) -> R<Vec<Measure>> {
    let key = if matches!(layout, Layout::Long { .. }) {
        "tests"
    } else {
        "columns"
    };
    let other = if key == "tests" { "columns" } else { "tests" };
    if let Some(v) = t.get(other) {
        return Err(v.err(format!(
            "this layout takes [days.{key}], not [days.{other}]"
        )));
    }
    let mt = t
        .get(key)
        .ok_or_else(|| t.err(format!("a [days.{key}] table is required")))?
        .table()?;
    let spec = table_spec(TableKind::Days);
    let names = || spec.columns.iter().skip(2).map(|c| c.name.as_str());
    let mut out = Vec::new();
    for (name, v) in mt.entries() {
        let Some(ci) = spec.index_of(&name).filter(|&i| i >= 2) else {
            return Err(v.err(format!(
                "not a canonical days measurement{}",
                did_you_mean(&name, names())
            )));
        };
        out.push(measure(
            &v,
            &name,
            spec.columns[ci].ty == ColumnType::Boolean,
            &layout,
        )?);
    }
    mt.finish()?;
    out.sort_by_key(|m| spec.index_of(&m.canonical));
    Ok(out)
}

fn measure(v: &Value, name: &str, boolean: bool, layout: &Layout) -> R<Measure> {
    let place = v.place();
    let source_key = match layout {
        Layout::Wide => "stem",
        Layout::PatientDay => "source",
        Layout::Long { .. } => "names",
    };
    let mut m = Measure {
        canonical: name.to_string(),
        source: String::new(),
        tests: Vec::new(),
        unit: UnitRule::Canonical,
        codes: None,
        repeated: Repeated::Error,
        place,
    };
    if v.is_str() {
        let s = v.str()?;
        if matches!(layout, Layout::Long { .. }) {
            m.tests = vec![s];
        } else {
            m.source = s;
        }
        return Ok(m);
    }
    if matches!(layout, Layout::Long { .. }) && !v.is_table() {
        m.tests = v.strings()?;
        return Ok(m);
    }
    let t = v.name_or_table()?;
    match layout {
        Layout::Long { .. } => {
            let n = t
                .get("names")
                .ok_or_else(|| t.err("`names` (the test names of this measurement) is required"))?;
            m.tests = if n.is_str() {
                vec![n.str()?]
            } else {
                n.strings()?
            };
            if let Some(r) = t.get("repeated") {
                m.repeated = match r.str()?.as_str() {
                    "error" => Repeated::Error,
                    "min" => Repeated::Min,
                    "max" => Repeated::Max,
                    "mean" => Repeated::Mean,
                    "first" => Repeated::First,
                    "last" => Repeated::Last,
                    o => {
                        return Err(r.err(format!(
                            "`{o}` is not one of error, min, max, mean, first, last"
                        )))
                    }
                };
            }
        }
        _ => m.source = t.req_str(source_key)?,
    }
    m.codes = own_codes(&t)?;
    if m.codes.is_some() && !boolean {
        return Err(t.err(format!(
            "`yes`/`no` codes are for yes/no columns; `{name}` is not one"
        )));
    }
    m.unit = unit_rule(&t, name, layout)?;
    t.finish()?;
    Ok(m)
}

/// `unit` [+ `factor`], or `unit_column` + `units` [+ `not_convertible`], or nothing.
fn unit_rule(t: &Table, column: &str, layout: &Layout) -> R<UnitRule> {
    let spec = table_spec(TableKind::Days);
    let canonical = spec.column(column).unit.clone().unwrap_or_default();
    let known = || {
        let v = unit_names(column);
        if v.is_empty() {
            format!("only {canonical} is known for {column}")
        } else {
            format!("known units of {column}: {}", v.join(", "))
        }
    };
    let unit = t.get("unit");
    let factor = t
        .get("factor")
        .map(|f| f.number().map(|x| (x, f)))
        .transpose()?;
    if let Some((x, f)) = &factor {
        if *x <= 0.0 {
            return Err(f.err(format!("must be > 0, got {x}")));
        }
    }
    let units = t.get("units");
    let per_row_col = match layout {
        Layout::Long { unit } => unit.clone(),
        _ => t.str("unit_column")?,
    };
    let not_convertible = t.strings("not_convertible")?.unwrap_or_default();
    match (unit, units) {
        (Some(_), Some(u)) => {
            Err(u.err("give `unit` (one unit) or `units` (per-row units), not both"))
        }
        (None, None) => {
            if let Some((_, f)) = factor {
                return Err(f.err("`factor` needs the `unit` it converts from"));
            }
            if t.has("unit_column") {
                return Err(t.err("`unit_column` needs `units`"));
            }
            Ok(UnitRule::Canonical)
        }
        (Some(u), None) => {
            let name = u.str()?;
            if factor.is_none() && conversion(column, &name) == Some(Affine::IDENTITY) {
                return Ok(UnitRule::Canonical);
            }
            let def = find_unit(column, &name);
            let conversion = match (def.and_then(|d| d.conversion), &factor) {
                (Some(a), Some((x, f))) => {
                    if ((a.factor - x) / a.factor).abs() > 1e-9 || a.offset != 0.0 {
                        return Err(f.err(format!(
                            "{name} converts to {canonical} by x {}; remove `factor` or name \
                             another unit",
                            a.factor
                        )));
                    }
                    a
                }
                (Some(a), None) => a,
                (None, Some((x, _))) => Affine::scale(*x),
                (None, None) if def.is_some() => {
                    return Err(u.err(format!(
                        "{column} in {name} cannot be converted to {canonical} without a number \
                         only the laboratory knows: give `factor` (canonical = value x factor) \
                         or map another column"
                    )))
                }
                (None, None) => {
                    return Err(u.err(format!(
                        "unknown unit `{name}` for {column}: give `factor` (canonical = value x \
                         factor); {}",
                        known()
                    )))
                }
            };
            if conversion.is_identity() {
                return Ok(UnitRule::Canonical);
            }
            Ok(UnitRule::Fixed {
                unit: def.map_or(name, |d| d.name.to_string()),
                conversion,
            })
        }
        (None, Some(u)) => {
            let Some(unit_column) = per_row_col else {
                return Err(u.err(match layout {
                    Layout::Long { .. } => "per-row units need the layout's `unit` column",
                    _ => "`units` needs the `unit_column` that holds each row's unit",
                }));
            };
            if let Some((_, f)) = factor {
                return Err(f.err("`factor` goes with `unit`; give per-row factors in `units`"));
            }
            let mut list = Vec::new();
            if u.is_table() {
                for (n, f) in u.table()?.entries() {
                    let x = f.number()?;
                    if x <= 0.0 {
                        return Err(f.err(format!("must be > 0, got {x}")));
                    }
                    list.push((n, Affine::scale(x)));
                }
            } else {
                for n in u.array()? {
                    let name = n.str()?;
                    let a = conversion(column, &name).ok_or_else(|| {
                        n.err(format!(
                            "`{name}` has no known conversion for {column}: give units as a \
                                 table {{ \"{name}\" = factor }}; {}",
                            known()
                        ))
                    })?;
                    list.push((name, a));
                }
            }
            Ok(UnitRule::PerRow {
                unit_column,
                units: list,
                not_convertible,
            })
        }
    }
}

fn course_columns(ctx: &Ctx, t: &Table) -> R<CourseColumns> {
    let drug = t.req_str("drug")?;
    let given = t.get("given").map(|v| flag(&v)).transpose()?;
    let start_day = day_ref(
        ctx,
        &t.get("start_day")
            .ok_or_else(|| t.err("`start_day` is required"))?,
    )?;
    let end_day = t.get("end_day").map(|v| day_ref(ctx, &v)).transpose()?;
    let dose = t.str("dose")?;
    let dose_unit = t.str("dose_unit")?;
    t.finish()?;
    Ok(CourseColumns {
        drug,
        given,
        start_day,
        end_day,
        dose,
        dose_unit,
    })
}

fn course_file(ctx: &Ctx, t: &Table) -> R<CourseFile> {
    let file = t.req_str("file")?;
    let patient_id = t.str("patient_id")?.unwrap_or_else(|| "patient_id".into());
    let drug = t.str("drug")?.unwrap_or_else(|| "drug".into());
    let drugs = match t.get("drugs") {
        None => Vec::new(),
        Some(m) => m
            .table()?
            .entries()
            .into_iter()
            .map(|(from, to)| Ok((from, to.str()?)))
            .collect::<R<_>>()?,
    };
    let start_day = match t.get("start_day") {
        Some(v) => day_ref(ctx, &v)?,
        None => DayRef::Number("start_day".into()),
    };
    let end_day = t.get("end_day").map(|v| day_ref(ctx, &v)).transpose()?;
    let dose = t.str("dose")?;
    let dose_unit = match t.get("dose_unit") {
        None => None,
        Some(v) if v.is_str() => Some(Source::Column(v.str()?)),
        Some(v) => {
            let ut = v.table()?;
            let c = ut.req_str("value")?;
            ut.finish()?;
            Some(Source::Constant(c))
        }
    };
    t.finish()?;
    Ok(CourseFile {
        file,
        patient_id,
        drug,
        drugs,
        start_day,
        end_day,
        dose,
        dose_unit,
    })
}
