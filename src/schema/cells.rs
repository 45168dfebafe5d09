//! The cells of named columns as read from a data file, before any modelling decision: the
//! hand-over from `load` (which reads files) to `stats::frame` (which turns columns into model
//! variables). Both layers may import `schema`; neither imports the other.

/// One column's cells. Missing cells are already marked (`None`, or `NaN` for numbers) by the
/// reader's missing-value tokens.
#[derive(Debug, Clone, PartialEq)]
pub enum Cells {
    /// Numbers: a Parquet numeric column, or a text column whose every present cell is a number
    /// (R's `type.convert`, so `1` and `1.0` are the same value). `NaN` = missing; an infinity
    /// written in the file (`Inf`) is kept, for the model frame to reject by its role.
    Numbers(Vec<f64>),
    /// Text: a column with at least one present cell that is not a number.
    Text(Vec<Option<String>>),
    /// True/false: a Parquet boolean column.
    Flags(Vec<Option<bool>>),
}

impl Cells {
    /// Number of rows.
    pub fn len(&self) -> usize {
        match self {
            Cells::Numbers(v) => v.len(),
            Cells::Text(v) => v.len(),
            Cells::Flags(v) => v.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether row `i` (0-based) is missing.
    pub fn is_missing(&self, i: usize) -> bool {
        match self {
            Cells::Numbers(v) => v[i].is_nan(),
            Cells::Text(v) => v[i].is_none(),
            Cells::Flags(v) => v[i].is_none(),
        }
    }
}

/// Named columns of one table, all of `n_rows` rows, in the order asked for.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CellTable {
    /// The file the cells came from (for messages), or a description of the source.
    pub source: String,
    pub n_rows: usize,
    pub columns: Vec<(String, Cells)>,
}

impl CellTable {
    /// The column named `name`, if read.
    pub fn get(&self, name: &str) -> Option<&Cells> {
        self.columns.iter().find(|(n, _)| n == name).map(|(_, c)| c)
    }
}
