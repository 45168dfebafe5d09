//! The canonical folder: `patients.*`, `days.*`, `treatments.*` (CSV or Parquet), with the
//! columns of `data-schema/`. Reads each table row by row into the validation stage.

use super::fast_days::read_days_fast;
use super::mapped::absent_summary;
use super::source::{open_with, Input, RowSource};
use super::spec::{table_spec, TableKind};
use super::validate::{
    duplicate_columns, ragged_row, stage_day, stage_patient, stage_treatment,
    stage_unreadable_patient, ProblemKind, Stage,
};
use super::LoadError;
use crate::schema::names::other_case;

/// Rows between progress reports of the row-by-row readers.
const PROGRESS_ROWS: u64 = 1 << 16;

/// Column layout of one file against its table spec.
struct HeaderMap {
    /// For each spec column, its position in the file (None when absent).
    cols: Vec<Option<usize>>,
    /// Columns not in the spec: (name, position).
    extra: Vec<(String, usize)>,
    n_fields: usize,
}

/// Checks a header against the spec. Returns None (with problems recorded) when the file cannot
/// be read row by row: a required column is absent or a column is named twice.
fn map_header(
    stage: &mut Stage,
    kind: TableKind,
    file: &str,
    header: &[String],
) -> Option<HeaderMap> {
    let spec = table_spec(kind);
    let mut ok = !duplicate_columns(stage, file, header);
    if header.len() == 1 && !spec.columns.iter().any(|c| c.name == header[0]) {
        stage.warnings.push(format!(
            "{file}: the header is one column (`{}`): is the file delimited by `,`, `;`, tab or \
             `|`? (they are detected from the header line; another delimiter needs a mapping, \
             data-schema/canonical.mapping.toml with `delimiter = ...`)",
            header[0]
        ));
    }
    let mut cols = Vec::with_capacity(spec.columns.len());
    let mut absent = Vec::new();
    for c in &spec.columns {
        let pos = header.iter().position(|h| *h == c.name);
        let other_case = other_case(&c.name, header.iter().map(String::as_str));
        if let (None, Some(h)) = (pos, other_case) {
            stage.problems.push(
                file,
                None,
                Some(h),
                ProblemKind::MissingColumn,
                format!(
                    "column `{}` is missing from the header, which has `{h}`: rename it `{}` \
                     (column names are case-sensitive)",
                    c.name, c.name
                ),
            );
            ok = false;
        } else if pos.is_none() {
            if c.required {
                stage.problems.push(
                    file,
                    None,
                    Some(&c.name),
                    ProblemKind::MissingColumn,
                    format!("required column `{}` is missing from the header", c.name),
                );
                ok = false;
            } else {
                absent.push(c.name.clone());
            }
        }
        cols.push(pos);
    }
    if !absent.is_empty() {
        stage.warnings.push(absent_summary(file, &absent));
    }
    let mut extra = Vec::new();
    for (i, h) in header.iter().enumerate() {
        if spec.index_of(h).is_none() && !header[..i].contains(h) {
            if spec.additional_columns {
                extra.push((h.clone(), i));
            } else {
                stage.warnings.push(format!(
                    "{file}: column `{h}` is not in the {} schema: ignored",
                    kind.stem()
                ));
            }
        }
    }
    ok.then_some(HeaderMap {
        cols,
        extra,
        n_fields: header.len(),
    })
}

/// Reads the three canonical tables into `stage`. `treatments` may be absent (no courses).
/// Returns false if a header problem stopped reading (the problems are in the stage).
pub(crate) fn read_canonical(
    stage: &mut Stage,
    patients: &Input,
    days: &Input,
    treatments: Option<&Input>,
) -> Result<bool, LoadError> {
    stage.patient_file = patients.name().into();
    stage.day_file = days.name().into();
    stage.treat_file = treatments
        .map(Input::name)
        .unwrap_or_else(|| "treatments".to_string())
        .into();
    stage.problems.files.push(stage.patient_file.to_string());
    stage.problems.files.push(stage.day_file.to_string());
    if treatments.is_some() {
        stage.problems.files.push(stage.treat_file.to_string());
    } else {
        stage
            .warnings
            .push("no treatments file: the cohort has no treatment courses".to_string());
    }

    let delimiter = stage.delimiter;
    let mut psrc = open_with(patients, delimiter)?;
    let mut dsrc = open_with(days, delimiter)?;
    let mut tsrc = treatments.map(|t| open_with(t, delimiter)).transpose()?;
    let pf = stage.patient_file.clone();
    let df = stage.day_file.clone();
    let tf = stage.treat_file.clone();
    let ph = map_header(stage, TableKind::Patients, &pf, psrc.header());
    let dh = map_header(stage, TableKind::Days, &df, dsrc.header());
    let th = match &tsrc {
        Some(t) => map_header(stage, TableKind::Treatments, &tf, t.header()).map(Some),
        None => Some(None),
    };
    let (Some(ph), Some(dh), Some(th)) = (ph, dh, th) else {
        return Ok(false);
    };

    read_patients(stage, psrc.as_mut(), &ph)?;
    // Days: the typed fast path for a CSV file, the row-by-row reader when it declines.
    if !read_days_fast(stage, days, &dh.cols, dh.n_fields, delimiter)? {
        read_days(stage, dsrc.as_mut(), &dh)?;
    }
    if let (Some(t), Some(th)) = (tsrc.as_mut(), th) {
        read_treatments(stage, t.as_mut(), &th)?;
    }
    Ok(true)
}

fn read_patients(
    stage: &mut Stage,
    src: &mut dyn RowSource,
    h: &HeaderMap,
) -> Result<(), LoadError> {
    let spec = table_spec(TableKind::Patients);
    let file = stage.patient_file.clone();
    let header = src.header().to_vec();
    stage.extra_names = h.extra.iter().map(|(n, _)| n.clone()).collect();
    let sources: Vec<&str> = spec.columns.iter().map(|c| c.name.as_str()).collect();
    let convs = vec![None; spec.columns.len()];
    let id_pos = h.cols[0];
    let mut fields = Vec::new();
    let mut row = 0u64;
    stage.progress.stage(&format!("reading {file}"), None);
    stage.progress.unit("rows");
    while src.next(&mut fields)? {
        row += 1;
        stage.patient_rows_read += 1;
        if row % PROGRESS_ROWS == 0 {
            stage.progress.advance(PROGRESS_ROWS);
        }
        if fields.len() != h.n_fields {
            let k = ragged_row(stage, &file, row, &header, fields.len());
            let id = id_pos.and_then(|p| fields.get(p)).map(String::as_str);
            stage_unreadable_patient(stage, row, id, k);
            continue;
        }
        let cells: Vec<Option<&str>> = h
            .cols
            .iter()
            .map(|c| c.map(|j| fields[j].as_str()))
            .collect();
        let extra = if stage.keep {
            h.extra
                .iter()
                .map(|(_, j)| Some(fields[*j].clone()).filter(|t| !t.is_empty()))
                .collect()
        } else {
            Vec::new()
        };
        stage_patient(stage, row, &cells, &sources, &convs, extra);
    }
    Ok(())
}

/// Resolves a patient id cell: the staged index, or the reason (reported here).
pub(crate) fn resolve_patient(
    stage: &mut Stage,
    file: &str,
    row: u64,
    cell: Option<&str>,
) -> Result<u32, ProblemKind> {
    let id = cell.map(str::trim).unwrap_or("");
    if id.is_empty() {
        stage.problems.push(
            file,
            Some(row),
            Some("patient_id"),
            ProblemKind::MissingValue,
            "missing value: `patient_id` is required".to_string(),
        );
        return Err(ProblemKind::MissingValue);
    }
    match stage.patient_ids.get(id) {
        Some(&i) => Ok(i),
        None => {
            let pf = stage.patient_file.clone();
            stage.problems.push(
                file,
                Some(row),
                Some("patient_id"),
                ProblemKind::UnknownPatient,
                format!("unknown patient `{id}`: not in {pf}"),
            );
            Err(ProblemKind::UnknownPatient)
        }
    }
}

fn read_days(stage: &mut Stage, src: &mut dyn RowSource, h: &HeaderMap) -> Result<(), LoadError> {
    let spec = table_spec(TableKind::Days);
    let file = stage.day_file.clone();
    let header = src.header().to_vec();
    let sources: Vec<&str> = spec.columns.iter().map(|c| c.name.as_str()).collect();
    let convs = vec![None; spec.columns.len()];
    let mut fields = Vec::new();
    let mut values = Vec::new();
    let mut row = 0u64;
    stage
        .progress
        .stage(&format!("reading {file} (row by row)"), None);
    stage.progress.unit("rows");
    while src.next(&mut fields)? {
        row += 1;
        stage.day_rows_read += 1;
        if row % PROGRESS_ROWS == 0 {
            stage.progress.advance(PROGRESS_ROWS);
        }
        if fields.len() != h.n_fields {
            let k = ragged_row(stage, &file, row, &header, fields.len());
            stage.day_excl.add(k);
            continue;
        }
        let cells: Vec<Option<&str>> = h
            .cols
            .iter()
            .map(|c| c.map(|j| fields[j].as_str()))
            .collect();
        let patient = resolve_patient(stage, &file, row, cells[0]);
        stage_day(
            stage,
            row,
            patient,
            &cells,
            &sources,
            &convs,
            "day",
            &mut values,
        );
    }
    Ok(())
}

fn read_treatments(
    stage: &mut Stage,
    src: &mut dyn RowSource,
    h: &HeaderMap,
) -> Result<(), LoadError> {
    let spec = table_spec(TableKind::Treatments);
    let file = stage.treat_file.clone();
    let header = src.header().to_vec();
    let sources: Vec<&str> = spec.columns.iter().map(|c| c.name.as_str()).collect();
    let convs = vec![None; spec.columns.len()];
    let mut fields = Vec::new();
    let mut row = 0u64;
    stage.progress.stage(&format!("reading {file}"), None);
    stage.progress.unit("rows");
    while src.next(&mut fields)? {
        row += 1;
        stage.treat_rows_read += 1;
        if row % PROGRESS_ROWS == 0 {
            stage.progress.advance(PROGRESS_ROWS);
        }
        if fields.len() != h.n_fields {
            let k = ragged_row(stage, &file, row, &header, fields.len());
            stage.treat_excl.add(k);
            continue;
        }
        let cells: Vec<Option<&str>> = h
            .cols
            .iter()
            .map(|c| c.map(|j| fields[j].as_str()))
            .collect();
        let patient = resolve_patient(stage, &file, row, cells[0]);
        stage_treatment(stage, row, patient, &cells, &sources, &convs);
    }
    Ok(())
}
