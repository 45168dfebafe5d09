//! Reading a mapping file into the checked [`Mapping`]: the document is walked with its spans
//! (`walk.rs`), so every error names the file, the line and the dotted key; unknown keys are
//! errors with a "did you mean". The `[days]` table is read by `parse_days.rs`.

use std::cell::RefCell;

use toml::de::DeTable;

use super::parse_days::days;
use super::walk::{Doc, Table, Value, R};
use super::{
    CourseColumns, CourseFile, DateFormat, Dates, DayRef, Days, Flag, Mapping, Outcome,
    PatientField, Source, YesNo,
};
use crate::load::spec::{table_spec, ColumnType, TableKind};
use crate::schema::names::did_you_mean;

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

pub(super) struct Ctx {
    pub(super) dates: bool,
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
pub(super) fn own_codes(t: &Table) -> R<Option<YesNo>> {
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
pub(super) fn day_ref(ctx: &Ctx, v: &Value) -> R<DayRef> {
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
