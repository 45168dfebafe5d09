//! Row sources: a data file (or in-memory CSV bytes) read one record at a time as text cells.
//! CSV streams through [`super::csv::CsvRecords`] (flat memory, ragged rows kept with their
//! numbers); Parquet goes through polars ([`super::table::read_table`]).

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

use super::csv::{BadField, CsvRecords};
use super::table::{guarded, read_table, FileFormat};
use super::LoadError;

/// Where a table comes from.
#[derive(Debug, Clone)]
pub enum Input {
    /// A `.csv` or `.parquet` file.
    Path(PathBuf),
    /// CSV text held in memory, reported under `name`.
    Bytes { name: String, data: Vec<u8> },
}

impl Input {
    /// The name used in problems: the file name without its folder.
    pub fn name(&self) -> String {
        match self {
            Input::Path(p) => p
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| p.display().to_string()),
            Input::Bytes { name, .. } => name.clone(),
        }
    }
}

/// A table read row by row as text.
pub(crate) trait RowSource {
    fn header(&self) -> &[String];
    /// Fills `fields` with the next record; `Ok(false)` at the end.
    fn next(&mut self, fields: &mut Vec<String>) -> Result<bool, LoadError>;
}

struct CsvSource<R: BufRead> {
    name: String,
    records: CsvRecords<R>,
    header: Vec<String>,
}

impl<R: BufRead> CsvSource<R> {
    /// `delimiter`: `None` detects it from the header (the first buffered bytes).
    fn new(name: String, mut reader: R, delimiter: Option<u8>) -> Result<Self, LoadError> {
        let delimiter = match delimiter {
            Some(d) => d,
            None => {
                super::scan::detect_delimiter(reader.fill_buf().map_err(|e| LoadError::Io {
                    file: name.clone(),
                    message: e.to_string(),
                })?)
            }
        };
        let mut records = CsvRecords::with_delimiter(reader, delimiter);
        let mut header = Vec::new();
        let has = records
            .next_record(&mut header)
            .map_err(|e| match BadField::of(&e) {
                Some(u) => LoadError::Read {
                    file: name.clone(),
                    message: format!("header, field {}: {u}", u.field + 1),
                },
                None => LoadError::Io {
                    file: name.clone(),
                    message: e.to_string(),
                },
            })?;
        if !has {
            header.clear();
        }
        Ok(CsvSource {
            name,
            records,
            header,
        })
    }
}

impl<R: BufRead> RowSource for CsvSource<R> {
    fn header(&self) -> &[String] {
        &self.header
    }
    fn next(&mut self, fields: &mut Vec<String>) -> Result<bool, LoadError> {
        let row = self.records.records;
        self.records.next_record(fields).map_err(|e| {
            let message = match BadField::of(&e) {
                Some(u) => match self.header.get(u.field) {
                    Some(col) => format!("row {row}, column `{col}`: {u}"),
                    None => format!("row {row}, field {} (beyond the header): {u}", u.field + 1),
                },
                None => format!("row {row}: {e}"),
            };
            LoadError::Read {
                file: self.name.clone(),
                message,
            }
        })
    }
}

/// A Parquet table converted to text columns.
struct FrameSource {
    header: Vec<String>,
    columns: Vec<Vec<Option<String>>>,
    next_row: usize,
    n_rows: usize,
}

impl RowSource for FrameSource {
    fn header(&self) -> &[String] {
        &self.header
    }
    fn next(&mut self, fields: &mut Vec<String>) -> Result<bool, LoadError> {
        fields.clear();
        if self.next_row >= self.n_rows {
            return Ok(false);
        }
        for c in &self.columns {
            fields.push(c[self.next_row].clone().unwrap_or_default());
        }
        self.next_row += 1;
        Ok(true)
    }
}

/// Opens an input as a row source (a CSV delimiter detected from the header).
pub(crate) fn open(input: &Input) -> Result<Box<dyn RowSource + '_>, LoadError> {
    open_with(input, None)
}

/// The delimiter of a CSV input: [`super::scan::detect_delimiter`] on its first line (the one
/// rule for canonical folders and mapped exports; a mapping's `delimiter` key overrides it).
pub(crate) fn detect_delimiter(input: &Input) -> u8 {
    let mut line = Vec::new();
    match input {
        Input::Bytes { data, .. } => {
            line.extend(data.iter().take_while(|b| **b != b'\n'));
        }
        Input::Path(p) => {
            use std::io::BufRead;
            if let Ok(f) = std::fs::File::open(p) {
                let _ = std::io::BufReader::new(f).read_until(b'\n', &mut line);
            }
        }
    }
    super::scan::detect_delimiter(&line)
}

/// Opens an input as a row source with the CSV delimiter given (`None`: detected from the
/// header, by the same rule as [`detect_delimiter`]).
pub(crate) fn open_with(
    input: &Input,
    delimiter: Option<u8>,
) -> Result<Box<dyn RowSource + '_>, LoadError> {
    match input {
        Input::Bytes { name, data } => Ok(Box::new(CsvSource::new(
            name.clone(),
            &data[..],
            delimiter,
        )?)),
        Input::Path(p) => match text_or(p)? {
            FileFormat::Csv => {
                let f = File::open(p).map_err(|e| LoadError::Io {
                    file: p.display().to_string(),
                    message: e.to_string(),
                })?;
                Ok(Box::new(CsvSource::new(
                    input.name(),
                    BufReader::with_capacity(1 << 20, f),
                    delimiter,
                )?))
            }
            FileFormat::Parquet => {
                let frame = guarded(&p.display().to_string(), || {
                    let t = read_table(p)?;
                    let header = t.column_names();
                    let mut columns = Vec::with_capacity(header.len());
                    for h in &header {
                        columns.push(t.str_column(h)?);
                    }
                    Ok(FrameSource {
                        n_rows: t.n_rows(),
                        header,
                        columns,
                        next_row: 0,
                    })
                })?;
                Ok(Box::new(frame))
            }
        },
    }
}

/// The format of a file read row by row: `.tsv`, `.tab` and `.txt` are delimited text too.
fn text_or(p: &Path) -> Result<FileFormat, LoadError> {
    let ext = p
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match ext.as_deref() {
        Some("tsv" | "tab" | "txt") => Ok(FileFormat::Csv),
        _ => FileFormat::from_path(p),
    }
}

/// The file `stem.csv`, `stem.parquet` or `stem.pq` in `dir`: `Ok(None)` when absent, an error
/// message when more than one exists or when one is not a file (a folder named `patients.csv`).
pub(crate) fn find_table(dir: &Path, stem: &str) -> Result<Option<PathBuf>, String> {
    let present: Vec<PathBuf> = ["csv", "parquet", "pq"]
        .iter()
        .map(|e| dir.join(format!("{stem}.{e}")))
        .filter(|p| p.exists())
        .collect();
    let name = |p: &PathBuf| {
        p.file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned()
    };
    if let Some(p) = present.iter().find(|p| !p.is_file()) {
        return Err(format!(
            "{} is a {}, not a data file: table `{stem}` must be a CSV or Parquet file",
            name(p),
            if p.is_dir() { "folder" } else { "special file" }
        ));
    }
    match present.len() {
        0 => Ok(None),
        1 => Ok(present.into_iter().next()),
        _ => Err(format!(
            "more than one file for table `{stem}`: {}",
            present.iter().map(name).collect::<Vec<_>>().join(", ")
        )),
    }
}
