//! Writing the canonical tables (`patients`, `days`, `treatments`, columns in `data-schema`
//! order, extra patient columns last) as CSV or Parquet. CSV numbers are the shortest text that
//! reads back to the same `f64`; missing is an empty cell; flags are `true`/`false`.

use std::io::Write;
use std::path::Path;

use polars::prelude::*;

use super::days::Tables;
use super::MimicError;
use crate::load::{table_spec, ColumnType, TableKind};
use crate::schema::{DayTable, PatientTable, Sex, TreatmentTable};

/// Output format of `dicohort import`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OutputFormat {
    #[default]
    Csv,
    Parquet,
}

/// One column's data.
enum Col<'a> {
    Num(&'a [f64]),
    Int(Vec<f64>),
    Flag(&'a [Option<bool>]),
    Text(Vec<Option<String>>),
}

fn patient_columns(p: &PatientTable) -> Vec<(String, Col<'_>)> {
    let mut out: Vec<(String, Col)> = table_spec(TableKind::Patients)
        .columns
        .iter()
        .map(|c| {
            let col = match c.name.as_str() {
                "patient_id" => Col::Text(p.patient_id.iter().cloned().map(Some).collect()),
                "site_id" => Col::Text(p.site_id.iter().cloned().map(Some).collect()),
                "age" => Col::Num(&p.age),
                "sex" => Col::Text(
                    p.sex
                        .iter()
                        .map(|s| s.map(|s| if s == Sex::M { "M" } else { "F" }.to_string()))
                        .collect(),
                ),
                "apache2" => Col::Int(p.apache2.clone()),
                "haematological_malignancy" => Col::Flag(&p.haematological_malignancy),
                "liver_failure" => Col::Flag(&p.liver_failure),
                "death_day" => Col::Int(p.death_day.clone()),
                "last_day" => Col::Int(p.last_day.clone()),
                "discharge_day" => Col::Int(p.discharge_day.clone()),
                other => panic!("patients column `{other}` has no writer"),
            };
            (c.name.clone(), col)
        })
        .collect();
    for e in &p.extra {
        out.push((e.name.clone(), Col::Num(&e.values)));
    }
    out
}

fn day_columns(d: &DayTable) -> Vec<(String, Col<'_>)> {
    table_spec(TableKind::Days)
        .columns
        .iter()
        .map(|c| {
            let num = |v| Col::Num(v);
            let col = match c.name.as_str() {
                "patient_id" => Col::Int(d.patient.iter().map(|&p| f64::from(p)).collect()),
                "day" => Col::Int(d.day.iter().map(|&x| f64::from(x)).collect()),
                "platelets" => num(&d.platelets),
                "pt_inr" => num(&d.pt_inr),
                "pt_ratio" => num(&d.pt_ratio),
                "pt_sec_prolongation" => num(&d.pt_sec_prolongation),
                "fibrinogen" => num(&d.fibrinogen),
                "fdp" => num(&d.fdp),
                "d_dimer" => num(&d.d_dimer),
                "antithrombin" => num(&d.antithrombin),
                "tat_x_uln" => num(&d.tat_x_uln),
                "temperature" => num(&d.temperature),
                "heart_rate" => num(&d.heart_rate),
                "resp_rate" => num(&d.resp_rate),
                "paco2" => num(&d.paco2),
                "wbc" => num(&d.wbc),
                "immature_pct" => num(&d.immature_pct),
                "pao2_fio2" => num(&d.pao2_fio2),
                "ventilated" => Col::Flag(&d.ventilated),
                "map" => num(&d.map),
                "dopamine" => num(&d.dopamine),
                "dobutamine" => num(&d.dobutamine),
                "epinephrine" => num(&d.epinephrine),
                "norepinephrine" => num(&d.norepinephrine),
                "gcs" => Col::Int(d.gcs.clone()),
                "bilirubin" => num(&d.bilirubin),
                "creatinine" => num(&d.creatinine),
                "urine_output" => num(&d.urine_output),
                "bleeding" => Col::Flag(&d.bleeding),
                "organ_failure" => Col::Flag(&d.organ_failure),
                other => panic!("days column `{other}` has no writer"),
            };
            (c.name.clone(), col)
        })
        .collect()
}

fn treatment_columns(t: &TreatmentTable) -> Vec<(String, Col<'_>)> {
    table_spec(TableKind::Treatments)
        .columns
        .iter()
        .map(|c| {
            let col = match c.name.as_str() {
                "patient_id" => Col::Int(t.patient.iter().map(|&p| f64::from(p)).collect()),
                "drug" => Col::Text(t.drug.iter().cloned().map(Some).collect()),
                "start_day" => Col::Int(t.start_day.clone()),
                "end_day" => Col::Int(t.end_day.clone()),
                "dose" => Col::Num(&t.dose),
                "dose_unit" => Col::Text(t.dose_unit.clone()),
                other => panic!("treatments column `{other}` has no writer"),
            };
            (c.name.clone(), col)
        })
        .collect()
}

/// Days and treatments refer to patients by row; the files by `patient_id`.
fn with_patient_ids<'a>(
    mut cols: Vec<(String, Col<'a>)>,
    ids: &[String],
) -> Vec<(String, Col<'a>)> {
    if let Some((_, c)) = cols.iter_mut().find(|(n, _)| n == "patient_id") {
        if let Col::Int(rows) = c {
            *c = Col::Text(
                rows.iter()
                    .map(|&r| Some(ids[r as usize].clone()))
                    .collect(),
            );
        }
    }
    cols
}

fn csv_field(out: &mut impl Write, s: &str) -> std::io::Result<()> {
    if s.contains([',', '"', '\n', '\r']) {
        write!(out, "\"{}\"", s.replace('"', "\"\""))
    } else {
        out.write_all(s.as_bytes())
    }
}

fn csv(cols: &[(String, Col)]) -> Vec<u8> {
    let mut out = Vec::new();
    write_csv(cols, &mut out).expect("writing to memory cannot fail");
    out
}

/// Writes the columns as CSV, row by row.
fn write_csv(cols: &[(String, Col)], out: &mut impl Write) -> std::io::Result<()> {
    let names: Vec<&str> = cols.iter().map(|(n, _)| n.as_str()).collect();
    out.write_all(names.join(",").as_bytes())?;
    out.write_all(b"\n")?;
    let n = cols.first().map_or(0, |(_, c)| match c {
        Col::Num(v) => v.len(),
        Col::Int(v) => v.len(),
        Col::Flag(v) => v.len(),
        Col::Text(v) => v.len(),
    });
    for i in 0..n {
        for (j, (_, c)) in cols.iter().enumerate() {
            if j > 0 {
                out.write_all(b",")?;
            }
            match c {
                Col::Num(v) if !v[i].is_nan() => write!(out, "{}", v[i])?,
                Col::Int(v) if !v[i].is_nan() => write!(out, "{}", v[i])?,
                Col::Flag(v) => {
                    if let Some(b) = v[i] {
                        out.write_all(if b { b"true" } else { b"false" })?;
                    }
                }
                Col::Text(v) => {
                    if let Some(s) = &v[i] {
                        csv_field(out, s)?;
                    }
                }
                _ => {}
            }
        }
        out.write_all(b"\n")?;
    }
    Ok(())
}

fn frame(cols: &[(String, Col)], kind: TableKind) -> DataFrame {
    let spec = table_spec(kind);
    let columns: Vec<Column> = cols
        .iter()
        .map(|(name, c)| {
            let integer = spec
                .index_of(name)
                .is_some_and(|k| spec.columns[k].ty == ColumnType::Integer);
            let name: PlSmallStr = name.as_str().into();
            match c {
                Col::Num(v) => Column::new(
                    name,
                    v.iter()
                        .map(|x| (!x.is_nan()).then_some(*x))
                        .collect::<Vec<_>>(),
                ),
                Col::Int(v) if integer => Column::new(
                    name,
                    v.iter()
                        .map(|x| (!x.is_nan()).then_some(*x as i64))
                        .collect::<Vec<_>>(),
                ),
                Col::Int(v) => Column::new(
                    name,
                    v.iter()
                        .map(|x| (!x.is_nan()).then_some(*x))
                        .collect::<Vec<_>>(),
                ),
                Col::Flag(v) => Column::new(name, v.to_vec()),
                Col::Text(v) => Column::new(name, v.clone()),
            }
        })
        .collect();
    let n = columns.first().map_or(0, |c| c.len());
    DataFrame::new(n, columns).expect("columns of equal length")
}

/// The three tables as canonical CSV bytes.
pub fn canonical_csv(t: &Tables) -> [Vec<u8>; 3] {
    let ids = &t.patients.patient_id;
    [
        csv(&patient_columns(&t.patients)),
        csv(&with_patient_ids(day_columns(&t.days), ids)),
        csv(&with_patient_ids(treatment_columns(&t.treatments), ids)),
    ]
}

/// Writes the three tables into `out` (created if needed); returns the file names.
pub(crate) fn write_folder(
    t: &Tables,
    out: &Path,
    format: OutputFormat,
) -> Result<Vec<String>, MimicError> {
    let err = |p: &Path, e: String| MimicError::Write {
        file: p.display().to_string(),
        message: e,
    };
    std::fs::create_dir_all(out).map_err(|e| err(out, e.to_string()))?;
    let ids = &t.patients.patient_id;
    let tables = [
        (TableKind::Patients, patient_columns(&t.patients)),
        (TableKind::Days, with_patient_ids(day_columns(&t.days), ids)),
        (
            TableKind::Treatments,
            with_patient_ids(treatment_columns(&t.treatments), ids),
        ),
    ];
    let mut files = Vec::new();
    for (kind, cols) in tables {
        let ext = match format {
            OutputFormat::Csv => "csv",
            OutputFormat::Parquet => "parquet",
        };
        let name = format!("{}.{ext}", kind.stem());
        let path = out.join(&name);
        let file = std::fs::File::create(&path).map_err(|e| err(&path, e.to_string()))?;
        let mut w = std::io::BufWriter::with_capacity(1 << 20, file);
        match format {
            OutputFormat::Csv => write_csv(&cols, &mut w)
                .and_then(|_| w.flush())
                .map_err(|e| err(&path, e.to_string()))?,
            OutputFormat::Parquet => {
                ParquetWriter::new(&mut w)
                    .finish(&mut frame(&cols, kind))
                    .map_err(|e| err(&path, e.to_string()))?;
                w.flush().map_err(|e| err(&path, e.to_string()))?;
            }
        }
        files.push(name);
    }
    Ok(files)
}
