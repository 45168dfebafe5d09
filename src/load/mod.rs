//! Loading cohorts: data files (CSV/Parquet) through polars at the edge, mapped to the canonical
//! tables of `schema`, validated, with every exclusion counted in the cohort flow.

pub mod table;

pub use table::{read_table, DataTable, FileFormat};

/// Errors of the loading layer. Every data error names the file, and where it applies the row
/// (1-based, header excluded) and the column.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("{file}: cannot read: {message}")]
    Io { file: String, message: String },
    #[error("{file}: {message}")]
    Read { file: String, message: String },
    #[error("{file}: unknown file format (expected .csv or .parquet)")]
    UnknownFormat { file: String },
    #[error("{file}: missing column `{column}`")]
    MissingColumn { file: String, column: String },
    #[error("{file}: row {row}, column `{column}`: `{value}` is not a number")]
    NotANumber {
        file: String,
        row: usize,
        column: String,
        value: String,
    },
}
