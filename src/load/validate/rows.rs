//! Staging one record of each table (patients, days, treatments): the cells parsed, the
//! problems pushed with file, row and column, the row kept or excluded; duplicate headers and
//! ragged rows.

use super::*;

/// Reports every column named twice in a header; returns true if there was one.
pub(crate) fn duplicate_columns(stage: &mut Stage, file: &str, header: &[String]) -> bool {
    let mut found = false;
    for (i, h) in header.iter().enumerate() {
        if header[..i].contains(h) {
            stage.problems.push(
                file,
                None,
                Some(h),
                ProblemKind::DuplicateColumn,
                format!("column `{h}` appears more than once in the header"),
            );
            found = true;
        }
    }
    found
}

/// Reports a row of `n` fields under a header of another length (truncated: the first missing
/// column is named; over-long: the first extra field); returns the exclusion reason.
pub(crate) fn ragged_row(
    stage: &mut Stage,
    file: &str,
    row: u64,
    header: &[String],
    n: usize,
) -> ProblemKind {
    let (col, msg) = if n < header.len() {
        (
            header[n].clone(),
            format!(
                "truncated row: {n} fields where the header has {}; `{}` and later columns are missing",
                header.len(),
                header[n]
            ),
        )
    } else {
        (
            format!("field {}", header.len() + 1),
            format!(
                "ragged row: {n} fields where the header has {}",
                header.len()
            ),
        )
    };
    stage
        .problems
        .push(file, Some(row), Some(&col), ProblemKind::RaggedRow, msg);
    ProblemKind::RaggedRow
}

/// Stages the patients row `row` that could not be read (ragged), excluded for `reason`. Its
/// id, when the id field is there, is still registered so that its days and treatments count as
/// "patient excluded" rather than "unknown patient".
pub(crate) fn stage_unreadable_patient(
    stage: &mut Stage,
    row: u64,
    id: Option<&str>,
    reason: ProblemKind,
) {
    let id: Rc<str> = id.map(str::trim).unwrap_or("").into();
    let idx = stage.patients.len() as u32;
    if !id.is_empty() {
        stage.register_patient(&id, idx);
    }
    stage.patients.push(PatientRow {
        row,
        id,
        site: Box::default(),
        sex: None,
        num: [f64::NAN; 7],
        extra: Box::default(),
        bad: Some(reason),
    });
}

/// Parses a patients record (already mapped to spec order) and stages it. `cells[i]` is the
/// text for spec column `i` (None when absent) and `sources[i]` the source column name.
pub(crate) fn stage_patient(
    stage: &mut Stage,
    row: u64,
    cells: &[Option<&str>],
    sources: &[&str],
    convs: &[Option<Conv>],
    extra: Vec<Option<String>>,
) {
    let spec = table_spec(TableKind::Patients);
    let file = stage.patient_file.clone();
    let mut bad: Option<ProblemKind> = None;
    let mut num = [f64::NAN; 7];
    let mut id = String::new();
    let mut site = String::new();
    let mut sex = None;
    for (i, c) in spec.columns.iter().enumerate() {
        match parse_cell(c, cells[i], convs[i].as_ref()) {
            Err((kind, msg)) => {
                bad.get_or_insert(kind);
                stage
                    .problems
                    .push(&file, Some(row), Some(sources[i]), kind, msg);
            }
            Ok(Parsed::Text(t)) => match c.name.as_str() {
                "patient_id" => id = t.unwrap_or_default(),
                "site_id" => site = t.unwrap_or_default(),
                "sex" => {
                    sex = match t.as_deref() {
                        Some("M") => Some(Sex::M),
                        Some("F") => Some(Sex::F),
                        _ => None,
                    }
                }
                _ => {}
            },
            Ok(Parsed::Num(v)) => {
                if let Some(k) = P_NUMERIC.iter().position(|n| *n == c.name) {
                    num[k] = v;
                }
            }
        }
    }
    // Outcome consistency (only between values that parsed).
    let (death, last, discharge) = (num[4], num[5], num[6]);
    let src = |name: &str| sources[spec.index_of(name).unwrap()];
    if !death.is_nan() && !last.is_nan() && death != last {
        bad.get_or_insert(ProblemKind::InconsistentOutcome);
        stage.problems.push(
            &file,
            Some(row),
            Some(src("last_day")),
            ProblemKind::InconsistentOutcome,
            format!("last_day {last} differs from death_day {death} (death ends observation)"),
        );
    }
    if !discharge.is_nan() && !last.is_nan() && discharge > last {
        bad.get_or_insert(ProblemKind::InconsistentOutcome);
        stage.problems.push(
            &file,
            Some(row),
            Some(src("discharge_day")),
            ProblemKind::InconsistentOutcome,
            format!("discharge_day {discharge} is after last_day {last}"),
        );
    } else if !discharge.is_nan() && !death.is_nan() && discharge >= death {
        bad.get_or_insert(ProblemKind::InconsistentOutcome);
        stage.problems.push(
            &file,
            Some(row),
            Some(src("discharge_day")),
            ProblemKind::InconsistentOutcome,
            format!("discharge_day {discharge} is not before death_day {death}"),
        );
    }
    let idx = stage.patients.len() as u32;
    let id: Rc<str> = id.into();
    if !id.is_empty() {
        stage.register_patient(&id, idx);
    }
    stage.patients.push(PatientRow {
        row,
        id,
        site: if stage.keep {
            site.into()
        } else {
            Box::default()
        },
        sex,
        num,
        extra: if stage.keep {
            extra.into_boxed_slice()
        } else {
            Box::default()
        },
        bad,
    });
}

/// Parses a days record for staged patient `patient` (`Err(reason)`: already reported, e.g. an
/// unknown patient) and stages it. `cells`/`sources`/`convs` are in spec order (patient_id first).
#[allow(clippy::too_many_arguments)]
pub(crate) fn stage_day(
    stage: &mut Stage,
    row: u64,
    patient: Result<u32, ProblemKind>,
    cells: &[Option<&str>],
    sources: &[&str],
    convs: &[Option<Conv>],
    day_source: &str,
    values: &mut Vec<f64>,
) -> bool {
    let spec = table_spec(TableKind::Days);
    let file = stage.day_file.clone();
    let mut bad: Option<ProblemKind> = patient.err();
    values.clear();
    let mut day = 0i32;
    for (i, c) in spec.columns.iter().enumerate().skip(1) {
        match parse_cell(c, cells[i], convs[i].as_ref()) {
            Err((kind, msg)) => {
                bad.get_or_insert(kind);
                stage
                    .problems
                    .push(&file, Some(row), Some(sources[i]), kind, msg);
                if i >= 2 {
                    if kind == ProblemKind::OutOfRange {
                        // A wrong unit is often out of range: the unit check sees it too.
                        stage
                            .unit_sketch
                            .add_value(i - 2, cells[i], convs[i].as_ref());
                    }
                    values.push(f64::NAN);
                }
            }
            Ok(Parsed::Num(v)) => {
                if i == 1 {
                    day = v as i32;
                } else {
                    values.push(v);
                }
            }
            Ok(Parsed::Text(_)) => unreachable!("days has no text column after patient_id"),
        }
    }
    stage.unit_sketch.add_row(values);
    match (patient, bad) {
        (Ok(p), None) => {
            let col = stage.day_column(day_source);
            stage.days.push(DayRow {
                patient: p,
                day,
                row: row as u32,
                col,
                bad: None,
            });
            if stage.keep {
                if stage.day_values.is_empty() {
                    stage.day_values = vec![Encoded::default(); values.len()];
                }
                for (c, v) in stage.day_values.iter_mut().zip(values.iter()) {
                    c.extend(std::slice::from_ref(v));
                }
            }
            true
        }
        (_, Some(k)) => {
            stage.day_excl.add(k);
            false
        }
        (Err(_), None) => unreachable!("bad starts as the patient error"),
    }
}

/// Parses a treatments record and stages it (see [`stage_day`]). `start_col`/`end_col` name the
/// source columns of the start and end days in messages.
#[allow(clippy::too_many_arguments)]
pub(crate) fn stage_treatment(
    stage: &mut Stage,
    row: u64,
    patient: Result<u32, ProblemKind>,
    cells: &[Option<&str>],
    sources: &[&str],
    convs: &[Option<Conv>],
) -> bool {
    let spec = table_spec(TableKind::Treatments);
    let file = stage.treat_file.clone();
    let mut bad: Option<ProblemKind> = patient.err();
    let mut t = TreatRow {
        patient: 0,
        row,
        drug: Rc::from(""),
        start: f64::NAN,
        end: f64::NAN,
        dose: f64::NAN,
        dose_unit: None,
        start_col: stage.intern(sources[spec.index_of("start_day").unwrap()]),
        end_col: stage.intern(sources[spec.index_of("end_day").unwrap()]),
        bad: None,
    };
    for (i, c) in spec.columns.iter().enumerate().skip(1) {
        match parse_cell(c, cells[i], convs[i].as_ref()) {
            Err((kind, msg)) => {
                bad.get_or_insert(kind);
                stage
                    .problems
                    .push(&file, Some(row), Some(sources[i]), kind, msg);
            }
            Ok(Parsed::Num(v)) => match c.name.as_str() {
                "start_day" => t.start = v,
                "end_day" => t.end = v,
                "dose" => t.dose = v,
                _ => {}
            },
            Ok(Parsed::Text(v)) => match c.name.as_str() {
                "drug" => t.drug = stage.intern(v.as_deref().unwrap_or_default()),
                "dose_unit" => t.dose_unit = v.as_deref().map(|u| stage.intern(u)),
                _ => {}
            },
        }
    }
    match (patient, bad) {
        (Ok(p), None) => {
            t.patient = p;
            stage.treatments.push(t);
            true
        }
        (_, Some(k)) => {
            stage.treat_excl.add(k);
            false
        }
        (Err(_), None) => unreachable!("bad starts as the patient error"),
    }
}
