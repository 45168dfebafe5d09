//! Reading one data file (CSV or Parquet, chosen by extension) into a [`DataTable`]: the polars
//! edge of the crate. Cells are converted to plain typed vectors on request, and every conversion
//! error names the file, the row (1-based, header excluded) and the column.

use std::path::{Path, PathBuf};

use polars::prelude::*;

use crate::schema::Cells;

use super::columns::cells_from_text;
use super::columns::MissingValues;
use super::csv::CsvRecords;
use super::scan::scan;
use super::LoadError;

/// A data file held as polars columns, plus its header as written and the rows whose field count
/// did not match the header (CSV only; such rows are read padded with empty cells and reported by
/// validation).
pub struct DataTable {
    path: PathBuf,
    df: DataFrame,
    header: Vec<String>,
    ragged: Vec<RaggedRow>,
    delimiter: u8,
}

/// Cells that could not be parsed: (row 1-based header excluded, raw text).
pub type BadCells = Vec<(usize, String)>;

/// A CSV row with fewer or more fields than the header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RaggedRow {
    /// 1-based, header excluded.
    pub row: usize,
    pub fields: usize,
    pub expected: usize,
}

/// The file formats the loaders read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    Csv,
    Parquet,
}

impl FileFormat {
    /// The format implied by a path's extension (`.csv`, `.parquet` / `.pq`).
    pub fn from_path(path: &Path) -> Result<Self, LoadError> {
        match path
            .extension()
            .and_then(|e| e.to_str())
            .map(|e| e.to_ascii_lowercase())
            .as_deref()
        {
            Some("csv") => Ok(FileFormat::Csv),
            Some("parquet") | Some("pq") => Ok(FileFormat::Parquet),
            _ => Err(LoadError::UnknownFormat {
                file: path.display().to_string(),
            }),
        }
    }
}

/// A check run on every Parquet file before this process reads it: `Err(message)` stops the
/// read with [`LoadError::Read`] naming the file. The `dicohort` binary installs one that reads
/// the file in a child process first (`cli/isolate.rs`), because a corrupted data page can make
/// polars abort the whole process; the library installs none.
pub type ParquetGuard = fn(&Path) -> Result<(), String>;

static PARQUET_GUARD: std::sync::OnceLock<ParquetGuard> = std::sync::OnceLock::new();

/// Installs the process-wide [`ParquetGuard`] (the first call wins).
pub fn set_parquet_guard(guard: ParquetGuard) {
    let _ = PARQUET_GUARD.set(guard);
}

/// Reads a CSV (every column as text, parsed later with row-level errors; the delimiter
/// detected from the header) or a Parquet file.
pub fn read_table(path: &Path) -> Result<DataTable, LoadError> {
    read_table_with(path, None)
}

/// [`read_table`] with the CSV delimiter given (`None`: detected, see
/// [`super::scan::detect_delimiter`]).
pub fn read_table_with(path: &Path, delimiter: Option<u8>) -> Result<DataTable, LoadError> {
    let file = path.display().to_string();
    let io = |e: std::io::Error| LoadError::Io {
        file: file.clone(),
        message: e.to_string(),
    };
    let polars_err = |e: PolarsError| LoadError::Read {
        file: file.clone(),
        message: e.to_string(),
    };
    let format = FileFormat::from_path(path)?;
    guarded(&file, || match format {
        FileFormat::Csv => {
            let bytes = std::fs::read(path).map_err(io)?;
            read_table_bytes(path, bytes, delimiter)
        }
        FileFormat::Parquet => {
            let f = std::fs::File::open(path).map_err(io)?;
            if let Some(guard) = PARQUET_GUARD.get() {
                guard(path).map_err(|message| LoadError::Read {
                    file: file.clone(),
                    message,
                })?;
            }
            let df = ParquetReader::new(f).finish().map_err(polars_err)?;
            let header = df
                .get_column_names()
                .into_iter()
                .map(|s| s.to_string())
                .collect();
            Ok(DataTable {
                path: path.to_path_buf(),
                df,
                header,
                ragged: Vec::new(),
                delimiter: b',',
            })
        }
    })
}

/// Runs a polars read, turning a panic inside polars into an error naming the file: polars
/// 0.55 panics on some corrupt Parquet files (an out-of-range slice, a failed assertion in a
/// dictionary page) instead of returning an error; found by `tests/it/fuzz_props.rs`. The panic
/// message is still printed by the panic hook; the load fails cleanly.
pub(crate) fn guarded<T>(
    file: &str,
    f: impl FnOnce() -> Result<T, LoadError>,
) -> Result<T, LoadError> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(p) => {
            let why = p
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "no message".into());
            Err(LoadError::Read {
                file: file.to_string(),
                message: format!("corrupt file: the reader failed on it ({why})"),
            })
        }
    }
}

/// A CSV file's bytes read as a [`DataTable`] of text columns, reported under `path`.
pub(crate) fn read_table_bytes(
    path: &Path,
    bytes: Vec<u8>,
    delimiter: Option<u8>,
) -> Result<DataTable, LoadError> {
    let shape = scan(&bytes, delimiter);
    let delimiter = shape.delimiter;
    let (header, ragged) = if shape.irregular {
        header_and_ragged_rows(&bytes, delimiter)
    } else {
        (shape.header, shape.ragged)
    };
    // The record reader skips blank lines (and numbers rows without them); polars would read
    // each as a row of missing cells. Without quotes (where a blank line could be inside a
    // field) they are dropped before polars reads the rows.
    let bytes = if shape.irregular && memchr::memchr(b'"', &bytes).is_none() {
        without_blank_lines(&bytes)
    } else {
        bytes
    };
    let df = CsvReadOptions::default()
        .with_has_header(true)
        .with_infer_schema_length(Some(0))
        .map_parse_options(|o| o.with_truncate_ragged_lines(true).with_separator(delimiter))
        .with_raise_if_empty(false)
        .into_reader_with_file_handle(std::io::Cursor::new(bytes))
        .finish()
        .map_err(|e| LoadError::Read {
            file: path.display().to_string(),
            message: e.to_string(),
        })?;
    Ok(DataTable {
        path: path.to_path_buf(),
        df,
        header,
        ragged,
        delimiter,
    })
}

/// `bytes` without its blank lines (empty or `\r` only).
fn without_blank_lines(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    for line in bytes.split_inclusive(|&b| b == b'\n') {
        if !line.iter().all(|&b| b == b'\n' || b == b'\r') {
            out.extend_from_slice(line);
        }
    }
    out
}

/// The header's fields and the rows (1-based, header excluded, blank lines skipped) whose number
/// of fields differs from the header's, read with the same RFC 4180 record reader as validation
/// (`load::csv`).
fn header_and_ragged_rows(bytes: &[u8], delimiter: u8) -> (Vec<String>, Vec<RaggedRow>) {
    let mut records = CsvRecords::with_delimiter(bytes, delimiter);
    let mut fields = Vec::new();
    let mut out = Vec::new();
    // Reading from memory cannot fail; a malformed tail simply ends the records.
    if !matches!(records.next_record(&mut fields), Ok(true)) {
        return (Vec::new(), out);
    }
    let header = fields.clone();
    let expected = fields.len();
    let mut row = 0;
    while let Ok(true) = records.next_record(&mut fields) {
        row += 1;
        if fields.len() != expected {
            out.push(RaggedRow {
                row,
                fields: fields.len(),
                expected,
            });
        }
    }
    (header, out)
}

impl DataTable {
    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn file_name(&self) -> String {
        self.path.display().to_string()
    }

    pub fn n_rows(&self) -> usize {
        self.df.height()
    }

    pub fn column_names(&self) -> Vec<String> {
        self.df
            .get_column_names()
            .into_iter()
            .map(|s| s.to_string())
            .collect()
    }

    pub fn has_column(&self, name: &str) -> bool {
        self.df.column(name).is_ok()
    }

    /// The column names as the file writes them, duplicates included (polars renames a
    /// duplicate; this keeps the file's spelling so that a duplicate can be reported).
    pub fn header(&self) -> &[String] {
        &self.header
    }

    /// The CSV delimiter (`,` for Parquet).
    pub fn delimiter(&self) -> u8 {
        self.delimiter
    }

    /// CSV rows whose field count differs from the header.
    pub fn ragged_rows(&self) -> &[RaggedRow] {
        &self.ragged
    }

    fn column(&self, name: &str) -> Result<&Column, LoadError> {
        self.df.column(name).map_err(|_| LoadError::MissingColumn {
            file: self.file_name(),
            column: name.to_string(),
        })
    }

    /// The column as text; `None` for an empty or null cell. Numbers in Parquet are formatted.
    pub fn str_column(&self, name: &str) -> Result<Vec<Option<String>>, LoadError> {
        let col = self.column(name)?;
        let s = col.cast(&DataType::String).map_err(|e| LoadError::Read {
            file: self.file_name(),
            message: format!("column {name}: {e}"),
        })?;
        let ca = s.str().map_err(|e| LoadError::Read {
            file: self.file_name(),
            message: format!("column {name}: {e}"),
        })?;
        Ok(ca
            .iter()
            .map(|v| v.map(str::trim).filter(|v| !v.is_empty()).map(String::from))
            .collect())
    }

    /// The column's cells for a model frame: a numeric Parquet column as numbers, a boolean one
    /// as flags, and text (every CSV column) with `missing`'s tokens as missing cells, then as
    /// numbers when every present cell is one (R's `type.convert`), else as text (trimmed).
    pub fn cells(&self, name: &str, missing: &MissingValues) -> Result<Cells, LoadError> {
        let col = self.column(name)?;
        let read_err = |e: PolarsError| LoadError::Read {
            file: self.file_name(),
            message: format!("column {name}: {e}"),
        };
        if col.dtype().is_primitive_numeric() {
            let s = col.cast(&DataType::Float64).map_err(read_err)?;
            let ca = s.f64().map_err(read_err)?;
            return Ok(Cells::Numbers(
                ca.iter().map(|v| v.unwrap_or(f64::NAN)).collect(),
            ));
        }
        if col.dtype() == &DataType::Boolean {
            let ca = col.bool().map_err(read_err)?;
            return Ok(Cells::Flags(ca.iter().collect()));
        }
        let s = col.cast(&DataType::String).map_err(read_err)?;
        let ca = s.str().map_err(read_err)?;
        Ok(cells_from_text(ca.iter(), missing))
    }

    /// The column as numbers (empty cell, `NA` or null -> NaN). The first cell that is not a
    /// number is an error naming file, row and column; see [`DataTable::f64_column_lenient`] to
    /// collect every bad cell instead.
    pub fn f64_column(&self, name: &str) -> Result<Vec<f64>, LoadError> {
        let (values, bad) = self.f64_column_lenient(name)?;
        match bad.into_iter().next() {
            None => Ok(values),
            Some((row, text)) => Err(LoadError::NotANumber {
                file: self.file_name(),
                row,
                column: name.to_string(),
                value: text,
            }),
        }
    }

    /// The column as numbers, with every unparsable cell returned as (row 1-based, text) and set
    /// to NaN in the values.
    pub fn f64_column_lenient(&self, name: &str) -> Result<(Vec<f64>, BadCells), LoadError> {
        let col = self.column(name)?;
        if col.dtype().is_primitive_numeric() {
            let s = col.cast(&DataType::Float64).map_err(|e| LoadError::Read {
                file: self.file_name(),
                message: format!("column {name}: {e}"),
            })?;
            let ca = s.f64().map_err(|e| LoadError::Read {
                file: self.file_name(),
                message: format!("column {name}: {e}"),
            })?;
            return Ok((
                ca.iter().map(|v| v.unwrap_or(f64::NAN)).collect(),
                Vec::new(),
            ));
        }
        if col.dtype() == &DataType::Boolean {
            let ca = col.bool().map_err(|e| LoadError::Read {
                file: self.file_name(),
                message: format!("column {name}: {e}"),
            })?;
            return Ok((
                ca.iter()
                    .map(|v| v.map_or(f64::NAN, |b| if b { 1.0 } else { 0.0 }))
                    .collect(),
                Vec::new(),
            ));
        }
        let text = self.str_column(name)?;
        let mut bad = Vec::new();
        let values = text
            .into_iter()
            .enumerate()
            .map(|(i, cell)| match cell.as_deref() {
                None | Some("NA") | Some("NaN") | Some("nan") | Some("null") => f64::NAN,
                Some(t) => match t.parse::<f64>() {
                    Ok(v) if v.is_finite() => v,
                    _ => {
                        bad.push((i + 1, t.to_string()));
                        f64::NAN
                    }
                },
            })
            .collect();
        Ok((values, bad))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ragged_rows_are_found_with_quotes_and_crlf() {
        let csv = b"a,b,c\r\n1,2,3\r\n1,2\r\n\"x,y\",2,3\n1,2,3,4\n\n1,\"multi\nline\",3\n";
        let (header, r) = header_and_ragged_rows(csv, b',');
        assert_eq!(scan(csv, None).ragged, r);
        assert_eq!(header, ["a", "b", "c"]);
        assert_eq!(
            r,
            vec![
                RaggedRow {
                    row: 2,
                    fields: 2,
                    expected: 3
                },
                RaggedRow {
                    row: 4,
                    fields: 4,
                    expected: 3
                }
            ]
        );
    }

    #[test]
    fn numbers_parse_with_row_and_column_in_errors() {
        let dir = std::env::temp_dir().join(format!("dicohort-table-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("t.csv");
        std::fs::write(&p, "id,platelets\n1,120\n2,\n3,abc\n4,NA\n").unwrap();
        let t = read_table(&p).unwrap();
        assert_eq!(t.n_rows(), 4);
        let (v, bad) = t.f64_column_lenient("platelets").unwrap();
        assert_eq!(v[0], 120.0);
        assert!(v[1].is_nan() && v[2].is_nan() && v[3].is_nan());
        assert_eq!(bad, vec![(3, "abc".to_string())]);
        let err = t.f64_column("platelets").unwrap_err().to_string();
        assert!(err.contains("t.csv") && err.contains("row 3") && err.contains("platelets"));
        let err = t.f64_column("fdp").unwrap_err().to_string();
        assert!(err.contains("fdp"), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

#[cfg(test)]
mod ragged_tests {
    use super::*;

    #[test]
    fn short_rows_are_padded_and_rows_keep_their_numbers() {
        let dir = std::env::temp_dir().join(format!("dicohort-ragged-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("r.csv");
        std::fs::write(&p, "a,b,c\n1,2,3\n4,5\n7,8,9,10\n11,12,13\n").unwrap();
        let t = read_table(&p).unwrap();
        assert_eq!(t.n_rows(), 4);
        let c = t.f64_column("c").unwrap();
        assert_eq!(c[0], 3.0);
        assert!(c[1].is_nan());
        assert_eq!(c[2], 9.0);
        assert_eq!(c[3], 13.0);
        assert_eq!(t.ragged_rows().len(), 2);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
