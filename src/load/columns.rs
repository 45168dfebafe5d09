//! Reading the columns of one data file for a statistical model (the file half of
//! `stats::frame::ModelFrame`): the file must be a rectangle (every row as many fields as the
//! header), hold at least one row, and name each column asked for exactly once; cells matching a
//! missing-value token are missing in every column.

use std::path::Path;

use crate::schema::{CellTable, Cells};

use super::table::{read_table, DataTable, RaggedRow};
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
/// asked for twice is read once).
///
/// # Errors
/// Every error names the file: [`LoadError::Ragged`] listing the rows (1-based, header excluded)
/// with too few or too many fields, [`LoadError::NoRows`] for a header-only file,
/// [`LoadError::MissingColumn`], and [`LoadError::DuplicateColumn`] when the header names a
/// requested column twice (both positions given).
pub fn read_cells(
    path: &Path,
    names: &[&str],
    missing: &MissingValues,
) -> Result<CellTable, LoadError> {
    let table = read_table(path)?;
    cells_of(&table, names, missing)
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
    let mut columns: Vec<(String, Cells)> = Vec::with_capacity(names.len());
    for &name in names {
        if columns.iter().any(|(n, _)| n == name) {
            continue;
        }
        let at: Vec<usize> = table
            .header()
            .iter()
            .enumerate()
            .filter(|(_, h)| h.as_str() == name)
            .map(|(i, _)| i + 1)
            .collect();
        if at.len() > 1 {
            return Err(LoadError::DuplicateColumn {
                file,
                column: name.to_string(),
                first: at[0],
                second: at[1],
            });
        }
        columns.push((name.to_string(), table.cells(name, missing)?));
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
