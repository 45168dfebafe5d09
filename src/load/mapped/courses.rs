//! Anticoagulant courses of a mapped export: `[[treatments]]` columns of the main file (a yes/no
//! column, or none: a course whenever the start day has a value; start and end days as numbers
//! or dates), or a `[courses]` file with one row per course (drug names recoded).

use super::{Ctx, Header};
use crate::load::mapping::{CourseColumns, DayRef, Mapping, Source};
use crate::load::spec::{table_spec, TableKind};
use crate::load::validate::{
    duplicate_columns, ragged_row, stage_treatment, Conv, ProblemKind, Stage,
};
use crate::load::LoadError;

/// The `[[treatments]]` columns found in the main file.
pub(super) struct CourseCols {
    cols: Vec<Cols>,
}

struct Cols {
    map: CourseColumns,
    given: Option<usize>,
    start: Option<usize>,
    end: Option<usize>,
    dose: Option<usize>,
}

impl CourseCols {
    pub fn new(stage: &mut Stage, h: &mut Header, m: &Mapping) -> CourseCols {
        let mut cols = Vec::new();
        for t in &m.treatments {
            let given = match &t.given {
                Some(g) => match h.optional(stage, &g.column) {
                    Some(p) => Some(p),
                    None => continue,
                },
                None => None,
            };
            let start = if t.given.is_some() {
                h.required(
                    stage,
                    t.start_day.column(),
                    &format!("the start day of {}", t.drug),
                )
            } else {
                match h.optional(stage, t.start_day.column()) {
                    Some(p) => Some(p),
                    None => continue,
                }
            };
            let end = t
                .end_day
                .as_ref()
                .and_then(|e| h.optional(stage, e.column()));
            let dose = t.dose.as_deref().and_then(|d| h.optional(stage, d));
            cols.push(Cols {
                map: t.clone(),
                given,
                start,
                end,
                dose,
            });
        }
        CourseCols { cols }
    }

    /// Stages the courses of one patients row.
    pub fn stage_row(&mut self, stage: &mut Stage, ctx: &Ctx, row: u64, pidx: u32, f: &[String]) {
        let tspec = table_spec(TableKind::Treatments);
        let none: Vec<Option<Conv>> = vec![None; tspec.columns.len()];
        let file = stage.treat_file.to_string();
        for c in &self.cols {
            let t = &c.map;
            if let (Some(g), Some(flag)) = (c.given, &t.given) {
                let text = f[g].trim();
                if ctx.is_missing(text) {
                    continue;
                }
                let codes = ctx.m.codes_of(&flag.codes);
                match codes.read(text) {
                    Some(false) => continue,
                    Some(true) => {}
                    None => {
                        stage.treat_rows_read += 1;
                        stage.problems.push(
                            &file,
                            Some(row),
                            Some(&flag.column),
                            ProblemKind::WrongType,
                            format!("`{text}` is not a yes/no code ({})", codes.describe()),
                        );
                        stage.treat_excl.add(ProblemKind::WrongType);
                        continue;
                    }
                }
            } else if c.start.is_none_or(|p| ctx.is_missing(&f[p])) {
                continue;
            }
            stage.treat_rows_read += 1;
            let day = |r: &DayRef, p: Option<usize>| {
                ctx.day_text(r, p.map(|p| f[p].as_str()), Some(pidx))
            };
            let mut bad = None;
            let mut days = Vec::new();
            for (r, p) in [(Some(&t.start_day), c.start), (t.end_day.as_ref(), c.end)] {
                let Some(r) = r else {
                    days.push(None);
                    continue;
                };
                match day(r, p) {
                    Ok(d) => days.push(d),
                    Err(msg) => {
                        stage.problems.push(
                            &file,
                            Some(row),
                            Some(r.column()),
                            ProblemKind::WrongType,
                            msg,
                        );
                        bad = Some(ProblemKind::WrongType);
                        days.push(None);
                    }
                }
            }
            let cells: Vec<Option<&str>> = vec![
                None,
                Some(t.drug.as_str()),
                days[0].as_deref(),
                days[1].as_deref(),
                c.dose.map(|p| f[p].as_str()),
                t.dose_unit.as_deref(),
            ];
            let given = t
                .given
                .as_ref()
                .map_or(t.start_day.column(), |g| g.column.as_str());
            let sources: Vec<&str> = vec![
                "patient_id",
                given,
                t.start_day.column(),
                t.end_day.as_ref().map_or("end_day", |e| e.column()),
                t.dose.as_deref().unwrap_or("dose"),
                given,
            ];
            let patient = match bad {
                Some(k) => Err(k),
                None => Ok(pidx),
            };
            stage_treatment(stage, row, patient, &cells, &sources, &none);
        }
    }
}

/// Reads the `[courses]` file, if the mapping has one.
pub(super) fn read_course_file(stage: &mut Stage, ctx: &Ctx) -> Result<(), LoadError> {
    let Some(cf) = &ctx.m.courses else {
        return Ok(());
    };
    let input = ctx.other_input(&cf.file)?;
    let name = input.name();
    stage.treat_file = name.as_str().into();
    stage.problems.files.push(name.clone());
    let mut src = super::open_mapped(&input, ctx.m.delimiter)?;
    let mut h = Header::new(&name, src.header());
    let n_problems = stage.problems.list.len();
    duplicate_columns(stage, &name, &h.names);
    let id = h.required(stage, &cf.patient_id, "the patient id");
    let drug = h.required(stage, &cf.drug, "the drug");
    let start = h.required(stage, cf.start_day.column(), "the start day");
    let end = cf
        .end_day
        .as_ref()
        .and_then(|e| h.optional(stage, e.column()));
    let dose = cf.dose.as_deref().and_then(|d| h.optional(stage, d));
    let unit = match &cf.dose_unit {
        Some(Source::Column(c)) => h.optional(stage, c),
        _ => None,
    };
    h.warn_absent(stage);
    if stage.problems.list.len() > n_problems {
        return Ok(());
    }
    let (id, drug, start) = (
        id.expect("checked"),
        drug.expect("checked"),
        start.expect("checked"),
    );
    let tspec = table_spec(TableKind::Treatments);
    let none: Vec<Option<Conv>> = vec![None; tspec.columns.len()];
    let sources: Vec<&str> = vec![
        cf.patient_id.as_str(),
        cf.drug.as_str(),
        cf.start_day.column(),
        cf.end_day.as_ref().map_or("end_day", |e| e.column()),
        cf.dose.as_deref().unwrap_or("dose"),
        match &cf.dose_unit {
            Some(Source::Column(c)) => c.as_str(),
            _ => "dose_unit",
        },
    ];
    let mut fields = Vec::new();
    let mut row = 0u64;
    while src.next(&mut fields)? {
        row += 1;
        stage.treat_rows_read += 1;
        if fields.len() != h.names.len() {
            let k = ragged_row(stage, &name, row, &h.names, fields.len());
            stage.treat_excl.add(k);
            continue;
        }
        let mut patient = super::resolve_patient(stage, &name, row, fields[id].trim());
        let mut days = Vec::new();
        for (r, p) in [
            (Some(&cf.start_day), Some(start)),
            (cf.end_day.as_ref(), end),
        ] {
            let Some(r) = r else {
                days.push(None);
                continue;
            };
            match ctx.day_text(r, p.map(|p| fields[p].as_str()), patient.ok()) {
                Ok(d) => days.push(d),
                Err(msg) => {
                    if patient.is_ok() {
                        stage.problems.push(
                            &name,
                            Some(row),
                            Some(r.column()),
                            ProblemKind::WrongType,
                            msg,
                        );
                        patient = Err(ProblemKind::WrongType);
                    }
                    days.push(None);
                }
            }
        }
        let d = fields[drug].trim();
        let drug_name = cf
            .drugs
            .iter()
            .find(|(from, _)| from == d)
            .map_or(d, |(_, to)| to.as_str())
            .to_string();
        let dose_unit = match &cf.dose_unit {
            Some(Source::Constant(c)) => Some(c.as_str()),
            Some(Source::Column(_)) => unit.map(|p| fields[p].as_str()),
            None => None,
        };
        let cells: Vec<Option<&str>> = vec![
            Some(fields[id].as_str()),
            Some(drug_name.as_str()),
            days[0].as_deref(),
            days[1].as_deref(),
            dose.map(|p| fields[p].as_str()),
            dose_unit,
        ];
        stage_treatment(stage, row, patient, &cells, &sources, &none);
    }
    Ok(())
}
