//! Reading the columns of one data file for a statistical model (the file half of
//! `stats::frame::ModelFrame`): the file must be a rectangle (every row as many fields as the
//! header), hold at least one row, and name each column asked for exactly once; cells matching a
//! missing-value token are missing in every column.

use std::path::Path;

use crate::schema::{CellTable, Cells};

use super::csv::CsvRecords;
use super::scan::{one_column_hint, scan, Shape};
use super::table::{read_table, read_table_bytes, DataTable, FileFormat, RaggedRow};
use super::typed::{read_columns, TypedColumn, Want};
use super::LoadError;

/// The cell texts read as missing (compared after trimming surrounding spaces, case-sensitive).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingValues {
    tokens: Vec<String>,
}

impl MissingValues {
    /// Missing by default: the empty cell, `NA` and `.` (R's and SAS/Stata's spellings), and
    /// `NaN`, `nan`, `null`, `NULL` (as the cohort loaders read them).
    pub const DEFAULT: [&'static str; 7] = ["", "NA", ".", "NaN", "nan", "null", "NULL"];

    /// The default tokens plus `extra` (e.g. `N/A`, `-999`), each trimmed.
    pub fn with_extra(extra: &[String]) -> Self {
        let mut tokens: Vec<String> = Self::DEFAULT.iter().map(|t| t.to_string()).collect();
        for t in extra {
            let t = t.trim().to_string();
            if !tokens.contains(&t) {
                tokens.push(t);
            }
        }
        MissingValues { tokens }
    }

    /// Whether a (trimmed) cell text is missing.
    pub fn is_missing(&self, cell: &str) -> bool {
        self.tokens.iter().any(|t| t == cell)
    }

    /// The tokens, defaults first.
    pub fn tokens(&self) -> &[String] {
        &self.tokens
    }
}

impl Default for MissingValues {
    fn default() -> Self {
        Self::with_extra(&[])
    }
}

/// Reads `path` (CSV or Parquet) and the columns `names` (each once, in the order given; a name
/// asked for twice is read once). The delimiter of a CSV file is detected from its header
/// (`,`, `;` or tab); see [`read_cells_with`] to give it.
///
/// # Errors
/// Every error names the file: [`LoadError::Ragged`] listing the rows (1-based, header excluded)
/// with too few or too many fields, [`LoadError::NoRows`] for a header-only file,
/// [`LoadError::MissingColumn`] (with a hint about the delimiter when the header reads as one
/// column), and [`LoadError::DuplicateColumn`] when the header names a requested column twice
/// (both positions given).
pub fn read_cells(
    path: &Path,
    names: &[&str],
    missing: &MissingValues,
) -> Result<CellTable, LoadError> {
    read_cells_with(path, names, missing, None)
}

/// [`read_cells`] with the CSV delimiter given (`None`: detected).
///
/// A CSV file is scanned once for its shape ([`super::scan`]) and the requested columns are
/// parsed by polars' parallel reader straight into numbers where a sample of the first rows
/// holds only numbers ([`super::typed`]); a column that turns out to hold text, or a file the
/// scan cannot number exactly (a blank line between rows, a quoted line break), is read as text
/// with the same rules, so the cells are the same either way.
///
/// # Errors
/// As [`read_cells`].
pub fn read_cells_with(
    path: &Path,
    names: &[&str],
    missing: &MissingValues,
    delimiter: Option<u8>,
) -> Result<CellTable, LoadError> {
    if FileFormat::from_path(path)? == FileFormat::Csv {
        let file = path.display().to_string();
        let bytes = std::fs::read(path).map_err(|e| LoadError::Io {
            file: file.clone(),
            message: e.to_string(),
        })?;
        let shape = scan(&bytes, delimiter);
        if !shape.irregular {
            return cells_of_scanned(file, &bytes, &shape, names, missing);
        }
        let table = read_table_bytes(path, bytes, delimiter)?;
        return cells_of(&table, names, missing);
    }
    let table = read_table(path)?;
    cells_of(&table, names, missing)
}

/// The requested columns' header positions, checked as [`cells_of`] checks them.
fn positions(
    file: &str,
    header: &[String],
    delimiter: u8,
    names: &[&str],
) -> Result<Vec<(String, usize)>, LoadError> {
    let mut out: Vec<(String, usize)> = Vec::with_capacity(names.len());
    for &name in names {
        if out.iter().any(|(n, _)| n == name) {
            continue;
        }
        let at: Vec<usize> = header
            .iter()
            .enumerate()
            .filter(|(_, h)| h.as_str() == name)
            .map(|(i, _)| i)
            .collect();
        match at[..] {
            [] => {
                return Err(match one_column_hint(header, delimiter) {
                    Some(hint) => LoadError::OneColumn {
                        file: file.to_string(),
                        column: name.to_string(),
                        hint,
                    },
                    None => LoadError::MissingColumn {
                        file: file.to_string(),
                        column: name.to_string(),
                    },
                })
            }
            [i] => out.push((name.to_string(), i)),
            [first, second, ..] => {
                return Err(LoadError::DuplicateColumn {
                    file: file.to_string(),
                    column: name.to_string(),
                    first: first + 1,
                    second: second + 1,
                })
            }
        }
    }
    Ok(out)
}

/// Rows sampled to guess which columns hold numbers.
const SAMPLE_ROWS: usize = 256;

/// Whether every present cell of each header position in the first rows is a number.
fn numeric_sample(
    bytes: &[u8],
    shape: &Shape,
    cols: &[usize],
    missing: &MissingValues,
) -> Vec<bool> {
    let mut numeric = vec![true; cols.len()];
    let mut records = CsvRecords::with_delimiter(&bytes[shape.data_start..], shape.delimiter);
    let mut fields = Vec::new();
    for _ in 0..SAMPLE_ROWS {
        if !matches!(records.next_record(&mut fields), Ok(true)) {
            break;
        }
        for (k, &c) in cols.iter().enumerate() {
            if let Some(t) = fields.get(c) {
                let t = t.trim();
                if !missing.is_missing(t) && t.parse::<f64>().is_err() {
                    numeric[k] = false;
                }
            }
        }
    }
    numeric
}

fn cells_of_scanned(
    file: String,
    bytes: &[u8],
    shape: &Shape,
    names: &[&str],
    missing: &MissingValues,
) -> Result<CellTable, LoadError> {
    if !shape.ragged.is_empty() {
        return Err(LoadError::Ragged {
            file,
            rows: shape.ragged.clone(),
        });
    }
    let cols = positions(&file, &shape.header, shape.delimiter, names)?;
    if shape.n_rows == 0 {
        return Err(LoadError::NoRows { file });
    }
    let at: Vec<usize> = cols.iter().map(|c| c.1).collect();
    let numeric = numeric_sample(bytes, shape, &at, missing);
    let wants: Vec<(usize, Want)> = at
        .iter()
        .zip(&numeric)
        .map(|(&i, &n)| (i, if n { Want::Number } else { Want::Text }))
        .collect();
    let typed = read_columns(bytes, shape, &wants, missing.tokens()).or_else(|| {
        // A column holds text past the sample: read every column as text.
        let text: Vec<(usize, Want)> = at.iter().map(|&i| (i, Want::Text)).collect();
        read_columns(bytes, shape, &text, missing.tokens())
    });
    let Some(typed) = typed else {
        // Polars does not read the rows as the scan counted them: the record reader decides.
        let table = read_table_bytes(Path::new(&file), bytes.to_vec(), Some(shape.delimiter))?;
        return cells_of(&table, names, missing);
    };
    let columns = cols
        .into_iter()
        .zip(typed)
        .map(|((name, _), col)| {
            let cells = match col {
                TypedColumn::Number { values, .. } => Cells::Numbers(values),
                // not asked for by read_cells (a true/false column is text there, as in R)
                TypedColumn::Flag(values) => Cells::Numbers(values),
                TypedColumn::Text(ca) => cells_from_text(ca.iter(), missing),
            };
            (name, cells)
        })
        .collect();
    Ok(CellTable {
        source: file,
        n_rows: shape.n_rows,
        columns,
    })
}

/// Text cells as [`Cells`]: trimmed, a missing-value token (or a null) is missing, and the
/// column is numbers when every present cell parses as one (R's `type.convert`).
pub(crate) fn cells_from_text<'a>(
    cells: impl Iterator<Item = Option<&'a str>>,
    missing: &MissingValues,
) -> Cells {
    let text: Vec<Option<String>> = cells
        .map(|v| {
            let t = v.unwrap_or("").trim();
            (!missing.is_missing(t)).then(|| t.to_string())
        })
        .collect();
    let numbers: Option<Vec<f64>> = text
        .iter()
        .map(|c| match c {
            None => Some(f64::NAN),
            Some(t) => t.parse::<f64>().ok(),
        })
        .collect();
    match numbers {
        Some(v) => Cells::Numbers(v),
        None => Cells::Text(text),
    }
}

/// [`read_cells`] on a table already read.
pub fn cells_of(
    table: &DataTable,
    names: &[&str],
    missing: &MissingValues,
) -> Result<CellTable, LoadError> {
    let file = table.file_name();
    if !table.ragged_rows().is_empty() {
        return Err(LoadError::Ragged {
            file,
            rows: table.ragged_rows().to_vec(),
        });
    }
    let cols = positions(&file, table.header(), table.delimiter(), names)?;
    let mut columns: Vec<(String, Cells)> = Vec::with_capacity(cols.len());
    for (name, _) in cols {
        let cells = table.cells(&name, missing)?;
        columns.push((name, cells));
    }
    if table.n_rows() == 0 {
        return Err(LoadError::NoRows { file });
    }
    Ok(CellTable {
        source: file,
        n_rows: table.n_rows(),
        columns,
    })
}

/// The message of [`LoadError::Ragged`]: every short or long row, up to ten, then a count.
pub(crate) fn ragged_message(rows: &[RaggedRow]) -> String {
    const SHOWN: usize = 10;
    let Some(first) = rows.first() else {
        return "no ragged rows".into();
    };
    let list: Vec<String> = rows
        .iter()
        .take(SHOWN)
        .map(|r| {
            let kind = if r.fields < r.expected {
                "short"
            } else {
                "long"
            };
            format!("row {}: {} fields ({kind})", r.row, r.fields)
        })
        .collect();
    let more = if rows.len() > SHOWN {
        format!(" and {} more", rows.len() - SHOWN)
    } else {
        String::new()
    };
    format!(
        "{} row{} with a wrong number of fields (the header has {}): {}{more}; \
         every row must have one field per column",
        rows.len(),
        if rows.len() == 1 { "" } else { "s" },
        first.expected,
        list.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp(name: &str, text: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("dicohort-columns-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    #[test]
    fn tokens_are_missing_and_numbers_compare_as_numbers() {
        let p = temp("tok.csv", "a,b,c\n1,x,.\n1.0,NA,2\nNA,,N/A\n");
        let na = MissingValues::with_extra(&["N/A".into()]);
        let t = read_cells(&p, &["a", "b", "c"], &na).unwrap();
        assert_eq!(t.n_rows, 3);
        match t.get("a").unwrap() {
            Cells::Numbers(v) => {
                assert_eq!(v[0], 1.0);
                assert_eq!(v[1], 1.0);
                assert!(v[2].is_nan());
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            t.get("b").unwrap(),
            &Cells::Text(vec![Some("x".into()), None, None])
        );
        match t.get("c").unwrap() {
            Cells::Numbers(v) => assert!(v[0].is_nan() && v[1] == 2.0 && v[2].is_nan()),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn bad_shapes_are_errors_naming_rows_and_columns() {
        let p = temp("rag.csv", "t,e,g\n1,1\n2,0,a,b\n3,1,a\n");
        let e = read_cells(&p, &["t"], &MissingValues::default()).unwrap_err();
        let m = e.to_string();
        assert!(
            m.contains("rag.csv") && m.contains("row 1: 2 fields (short)") && m.contains("row 2"),
            "{m}"
        );
        let p = temp("dup.csv", "t,e,t\n1,1,5\n");
        let m = read_cells(&p, &["t", "e"], &MissingValues::default())
            .unwrap_err()
            .to_string();
        assert!(m.contains("columns 1 and 3") && m.contains("`t`"), "{m}");
        // a duplicate the model does not use is no ambiguity
        assert!(read_cells(&p, &["e"], &MissingValues::default()).is_ok());
        let p = temp("hdr.csv", "t,e\n");
        let m = read_cells(&p, &["t", "e"], &MissingValues::default())
            .unwrap_err()
            .to_string();
        assert!(m.contains("hdr.csv") && m.contains("no data rows"), "{m}");
    }
}
