//! The typed fast path of the canonical `days` table: a CSV file read in blocks of whole rows,
//! each block parsed by polars into typed columns ([`super::typed`]) and checked on those
//! columns against the schema, then staged exactly as the row-by-row reader stages it.
//!
//! A cell the schema rejects, an unknown or missing patient id, a ragged row, a quote, a blank
//! line between rows: the fast path undoes what it staged and returns `false`, and the caller
//! reads the file row by row (`canonical::read_days`), which reports every problem by file, row
//! and column as before. So the messages never depend on which path ran; only the time does.
//!
//! Memory: one block of text (`BLOCK_BYTES`) and its typed columns at a time, plus what the
//! stage keeps (one key per patient-day, and the values when the tables are kept).

use super::scan::{detect_delimiter, scan_rows, strip_bom, Shape};
use super::source::Input;
use super::spec::{table_spec, ColumnSpec, ColumnType, TableKind};
use super::table::FileFormat;
use super::typed::{read_columns, TypedColumn, Want};
use super::validate::{is_missing_token, n_day_values, parse_bool, DayRow, Stage};
use super::LoadError;
use crate::schema::Encoded;
use std::fs::File;
use std::io::Read;

use rayon::prelude::*;

/// Bytes of text parsed at a time.
const BLOCK_BYTES: usize = 32 << 20;

/// Whether a number read by polars is a value the schema accepts (as `validate::parse_cell`
/// would: missing only where nullable, whole numbers for integers, within the range).
fn number_ok(spec: &ColumnSpec, v: f64) -> bool {
    if v.is_nan() {
        return spec.nullable;
    }
    if spec.ty == ColumnType::Integer && v.fract() != 0.0 {
        return false;
    }
    spec.minimum.is_none_or(|m| v >= m) && spec.maximum.is_none_or(|m| v <= m)
}

/// What the stage held before the fast path began, to undo it.
struct Mark {
    days: usize,
    values: usize,
    rows_read: u64,
    day_columns: usize,
}

fn undo(stage: &mut Stage, m: &Mark) -> Result<bool, LoadError> {
    stage.days.truncate(m.days);
    for c in &mut stage.day_values {
        c.truncate(m.values);
    }
    stage.day_rows_read = m.rows_read;
    stage.day_columns.truncate(m.day_columns);
    Ok(false)
}

/// Reads the days CSV `input` into `stage` when every row is valid; `cols[i]` is the file
/// position of spec column `i` (None when absent) and `n_fields` the header's width. Returns
/// `Ok(false)` (nothing staged) when the row-by-row reader must decide; Parquet is always left
/// to it.
pub(crate) fn read_days_fast(
    stage: &mut Stage,
    input: &Input,
    cols: &[Option<usize>],
    n_fields: usize,
    delimiter: Option<u8>,
) -> Result<bool, LoadError> {
    let io = |e: std::io::Error| LoadError::Io {
        file: input.name(),
        message: e.to_string(),
    };
    let (mut file, size): (Box<dyn Read>, usize) = match input {
        Input::Path(p) => {
            if FileFormat::from_path(p)? != FileFormat::Csv {
                return Ok(false);
            }
            let f = File::open(p).map_err(io)?;
            let size = f.metadata().map_err(io)?.len() as usize;
            (Box::new(f), size)
        }
        Input::Bytes { data, .. } => (Box::new(&data[..]), data.len()),
    };
    let mark = Mark {
        days: stage.days.len(),
        values: stage.day_values.first().map_or(0, Encoded::len),
        rows_read: stage.day_rows_read,
        day_columns: stage.day_columns.len(),
    };
    let spec = table_spec(TableKind::Days);
    let wants: Vec<(usize, Want)> = spec
        .columns
        .iter()
        .zip(cols)
        .filter_map(|(c, pos)| {
            let want = match c.ty {
                ColumnType::Number | ColumnType::Integer => Want::Number,
                ColumnType::Boolean => Want::Flag,
                ColumnType::String { .. } => Want::Text,
            };
            pos.map(|p| (p, want))
        })
        .collect();
    let tokens: Vec<String> = ["", "NA", "NaN", "nan", "null", "NULL"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let day_col = stage.day_column("day");
    stage
        .progress
        .stage(&format!("reading {}", stage.day_file), Some(size as u64));
    stage.progress.unit("bytes");
    let nv = n_day_values();
    if stage.keep && stage.day_values.is_empty() {
        stage.day_values = vec![Encoded::default(); nv];
    }

    let mut buf: Vec<u8> = Vec::new();
    let mut eof = fill(file.as_mut(), &mut buf, BLOCK_BYTES).map_err(io)?;
    // Skip the byte-order mark, leading blank lines and the header (already checked).
    let body_start = buf.len() - strip_bom(&buf).len();
    let mut start = body_start;
    loop {
        let Some(nl) = memchr::memchr(b'\n', &buf[start..]) else {
            return undo(stage, &mark); // no row, or a header longer than a block
        };
        let blank = buf[start..start + nl].iter().all(|&b| b == b'\r');
        start += nl + 1;
        if !blank {
            break;
        }
    }
    let delimiter = delimiter.unwrap_or_else(|| detect_delimiter(&buf[body_start..]));
    let mut rows_so_far = 0usize;
    let mut blank_before = false;
    let mut reserved = false;
    let mut last_id: (String, u32) = (String::new(), u32::MAX);
    loop {
        let data = &buf[start..];
        let cut = if eof {
            data.len()
        } else {
            match memchr::memrchr(b'\n', data) {
                Some(i) => i + 1,
                None => return undo(stage, &mark), // a row longer than a block
            }
        };
        let block = &data[..cut];
        if memchr::memchr(b'"', block).is_some() {
            return undo(stage, &mark);
        }
        let rows = scan_rows(block, delimiter, n_fields, rows_so_far);
        if rows.irregular
            || rows.blank_inside
            || !rows.ragged.is_empty()
            || (blank_before && rows.n_rows > 0)
        {
            return undo(stage, &mark);
        }
        blank_before |= rows.blank_at_end;
        if !reserved && rows.n_rows > 0 {
            // Size the staged columns once from the first block's row width.
            let estimate = (size as f64 / cut as f64 * rows.n_rows as f64 * 1.02) as usize;
            stage.days.reserve(estimate);
            reserved = true;
        }
        let shape = Shape {
            delimiter,
            header: vec![String::new(); n_fields],
            data_start: 0,
            data_end: rows.data_end,
            n_rows: rows.n_rows,
            ragged: Vec::new(),
            quoted: false,
            irregular: false,
        };
        let Some(typed) = read_columns(block, &shape, &wants, &tokens) else {
            return undo(stage, &mark);
        };
        if !stage_block(
            stage,
            spec,
            cols,
            typed,
            rows.n_rows,
            rows_so_far,
            day_col,
            &mut last_id,
        ) {
            return undo(stage, &mark);
        }
        rows_so_far += rows.n_rows;
        stage.progress.advance(cut as u64);
        if eof {
            break;
        }
        buf.drain(..start + cut);
        start = 0;
        eof = fill(file.as_mut(), &mut buf, BLOCK_BYTES).map_err(io)?;
    }
    stage.day_rows_read += rows_so_far as u64;
    Ok(true)
}

/// Appends up to `n` bytes read from `f`; true at the end of the file.
fn fill(f: &mut dyn Read, buf: &mut Vec<u8>, n: usize) -> std::io::Result<bool> {
    let want = buf.len() + n;
    buf.reserve(n);
    while buf.len() < want {
        let got = (&mut *f).take((want - buf.len()) as u64).read_to_end(buf)?;
        if got == 0 {
            return Ok(true);
        }
    }
    Ok(false)
}

/// One column's values as staged (booleans 1/0, missing NaN), or `None` when a cell needs the
/// row-by-row reader.
fn checked_values(c: &ColumnSpec, col: Option<TypedColumn>, n: usize) -> Option<Vec<f64>> {
    match col {
        None if c.nullable => Some(vec![f64::NAN; n]),
        None => None,
        Some(TypedColumn::Number { values, non_finite }) => {
            (!non_finite && values.iter().all(|&v| number_ok(c, v))).then_some(values)
        }
        Some(TypedColumn::Flag(values)) => {
            (c.nullable || !values.iter().any(|v| v.is_nan())).then_some(values)
        }
        Some(TypedColumn::Text(ca)) => {
            let mut v = Vec::with_capacity(n);
            for t in ca.iter() {
                let t = t.map(str::trim).unwrap_or("");
                if is_missing_token(t) {
                    if !c.nullable {
                        return None;
                    }
                    v.push(f64::NAN);
                    continue;
                }
                match (&c.ty, parse_bool(t)) {
                    (ColumnType::Boolean, Some(b)) => v.push(if b { 1.0 } else { 0.0 }),
                    _ => return None,
                }
            }
            Some(v)
        }
    }
}

/// Checks one block's typed columns and stages its rows; false (nothing of this block staged)
/// when a cell needs the row-by-row reader.
#[allow(clippy::too_many_arguments)]
fn stage_block(
    stage: &mut Stage,
    spec: &super::spec::TableSpec,
    cols: &[Option<usize>],
    typed: Vec<TypedColumn>,
    n: usize,
    first_row: usize,
    day_col: u16,
    last_id: &mut (String, u32),
) -> bool {
    // Spec column i -> its typed column (None when absent from the file).
    let mut typed = typed.into_iter();
    let by_spec: Vec<Option<TypedColumn>> = cols
        .iter()
        .map(|pos| pos.and_then(|_| typed.next()))
        .collect();
    let mut by_spec = by_spec.into_iter();
    let ids = match by_spec.next().flatten() {
        Some(TypedColumn::Text(ca)) => ca,
        _ => return false,
    };
    // Patients, resolved by id (consecutive rows of one patient reuse the last lookup).
    let mut patient = Vec::with_capacity(n);
    for id in ids.iter() {
        let Some(id) = id.map(str::trim).filter(|t| !t.is_empty()) else {
            return false;
        };
        if id != last_id.0 {
            let Some(&p) = stage.patient_ids.get(id) else {
                return false;
            };
            last_id.0.clear();
            last_id.0.push_str(id);
            last_id.1 = p;
        }
        patient.push(last_id.1);
    }
    // Values, spec order after patient_id, each column checked on the pool's threads.
    let checked: Vec<Option<Vec<f64>>> = spec
        .columns
        .iter()
        .skip(1)
        .zip(by_spec)
        .collect::<Vec<_>>()
        .into_par_iter()
        .map(|(c, col)| checked_values(c, col, n))
        .collect();
    let Some(values) = checked.into_iter().collect::<Option<Vec<Vec<f64>>>>() else {
        return false;
    };
    let mut values = values.into_iter();
    let day = values.next().expect("days has a day column");
    for (k, (&p, &d)) in patient.iter().zip(&day).enumerate() {
        stage.days.push(DayRow {
            patient: p,
            day: d as i32,
            row: (first_row + k + 1) as u32,
            col: day_col,
            bad: None,
        });
    }
    let values: Vec<Vec<f64>> = values.collect();
    stage.unit_sketch.add_columns(&values);
    if stage.keep {
        let pairs: Vec<(&mut Encoded, Vec<f64>)> =
            stage.day_values.iter_mut().zip(values).collect();
        pairs
            .into_par_iter()
            .for_each(|(dst, src)| dst.extend(&src));
    }
    true
}
