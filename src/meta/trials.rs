//! Trial files: a table of 2x2 trial counts read from a `load::Input` (a CSV or Parquet file, or
//! CSV text held in memory such as the bundled `data/anticoagulant-trials.csv`), and the rows a
//! meta-analysis pools, chosen by `--filter`, `--exclude` and the missing-count rule.
//!
//! Columns: `study`, `events_treated`, `total_treated`, `events_control`, `total_control`
//! (required); a subgroup column when asked; optional `year` (shown after the name), `counts`
//! (`reported ...` or `derived ...`) and `nested_in` (the studies, `;`-separated, whose patients
//! include this row's; see [`super::analysis`]).
//!
//! Order of the checks, so that one bad row never hides behind another:
//! 1. the file as a whole: header, duplicate or missing columns, ragged rows, no rows at all,
//!    empty or duplicate study names (a duplicate is an error naming both rows, whether or not
//!    `--exclude` names it: the two rows cannot be told apart);
//! 2. `--filter col=value` (every column and value must exist) and `--exclude STUDY` (every name
//!    must exist): rows they remove are not checked further;
//! 3. the rows left: a count that is not a number, or not a valid count, is an error naming file,
//!    row and column; a missing count (empty, `NA`, ...) or a missing subgroup value omits the
//!    study with a notice naming it, as metafor does (`na.action = "na.omit"`: "Studies with NAs
//!    omitted from model fitting").

use serde::Serialize;

use crate::load::source::{open, Input};
use crate::load::validate::is_missing_token;

use super::effect::{trial_table, validate_table};
use super::{MetaError, TwoByTwo};

/// The count columns, in the order of [`trial_table`]'s arguments.
pub const COUNT_COLUMNS: [&str; 4] = [
    "events_treated",
    "total_treated",
    "events_control",
    "total_control",
];

/// A trial file as read: every cell as text, rows numbered from 1 (header excluded).
#[derive(Debug, Clone, PartialEq)]
pub struct TrialFile {
    /// The name used in messages (the path as given, or the bundled table's name).
    pub name: String,
    pub columns: Vec<String>,
    /// One study name per row.
    pub study: Vec<String>,
    /// Per row, the studies named in its `nested_in` cell (empty without the column).
    pub nested_in: Vec<Vec<String>>,
    cells: Vec<Vec<String>>,
}

impl TrialFile {
    /// Reads and checks the file as a whole (step 1 of the module docs).
    ///
    /// # Errors
    /// [`MetaError::Load`] when the file cannot be read, [`MetaError::Data`] for a missing or
    /// duplicate column, a ragged row, a file without rows, an empty or a duplicate study name.
    pub fn read(input: &Input) -> Result<TrialFile, MetaError> {
        let name = match input {
            Input::Path(p) => p.display().to_string(),
            Input::Bytes { name, .. } => name.clone(),
        };
        let err = |row: Option<usize>, column: Option<&str>, message: String| MetaError::Data {
            file: name.clone(),
            row,
            column: column.map(str::to_string),
            message,
        };
        let mut source = open(input).map_err(|e| MetaError::Load(e.to_string()))?;
        let columns: Vec<String> = source.header().to_vec();
        if columns.is_empty() {
            return Err(err(None, None, "the file is empty (no header)".into()));
        }
        for (j, c) in columns.iter().enumerate() {
            if let Some(k) = columns[..j].iter().position(|o| o == c) {
                return Err(err(
                    None,
                    Some(c),
                    format!(
                        "appears twice in the header (columns {} and {})",
                        k + 1,
                        j + 1
                    ),
                ));
            }
        }
        for required in std::iter::once("study").chain(COUNT_COLUMNS) {
            if !columns.iter().any(|c| c == required) {
                return Err(err(
                    None,
                    Some(required),
                    format!("missing column (the file has: {})", columns.join(", ")),
                ));
            }
        }
        let mut cells = Vec::new();
        let mut fields = Vec::new();
        while source
            .next(&mut fields)
            .map_err(|e| MetaError::Load(e.to_string()))?
        {
            let row = cells.len() + 1;
            if fields.len() != columns.len() {
                return Err(err(
                    Some(row),
                    None,
                    format!(
                        "{} fields, but the header has {} columns",
                        fields.len(),
                        columns.len()
                    ),
                ));
            }
            cells.push(fields.iter().map(|f| f.trim().to_string()).collect());
        }
        if cells.is_empty() {
            return Err(err(
                None,
                None,
                "the file has no rows (only a header): no trials to pool".into(),
            ));
        }
        let mut file = TrialFile {
            name: name.clone(),
            columns,
            study: Vec::new(),
            nested_in: Vec::new(),
            cells,
        };
        let col = file.column("study").expect("checked above");
        let mut study: Vec<String> = Vec::with_capacity(file.cells.len());
        for i in 0..file.cells.len() {
            let Some(s) = file.cell(i, col) else {
                return Err(err(Some(i + 1), Some("study"), "no study name".into()));
            };
            if let Some(first) = study.iter().position(|o| o == s) {
                return Err(err(
                    None,
                    Some("study"),
                    format!(
                        "rows {} and {} both name the study `{s}`: each row must be one trial \
                         (rename or remove one; --exclude cannot tell them apart)",
                        first + 1,
                        i + 1
                    ),
                ));
            }
            study.push(s.to_string());
        }
        file.study = study;
        file.nested_in = file.read_nested_in()?;
        Ok(file)
    }

    /// The `nested_in` column: every name must be another study of the file, and no study may
    /// end up nested in itself.
    fn read_nested_in(&self) -> Result<Vec<Vec<String>>, MetaError> {
        let Some(col) = self.column("nested_in") else {
            return Ok(vec![Vec::new(); self.len()]);
        };
        let mut out = Vec::with_capacity(self.len());
        for i in 0..self.len() {
            let names: Vec<String> = self
                .cell(i, col)
                .unwrap_or("")
                .split(';')
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect();
            if let Some(bad) = names.iter().find(|n| !self.study.contains(n)) {
                return Err(self.data_error(
                    Some(i + 1),
                    Some("nested_in"),
                    format!("`{bad}` is no study of this file"),
                ));
            }
            out.push(names);
        }
        let file = TrialFile {
            nested_in: out,
            ..self.clone()
        };
        for i in 0..file.len() {
            if file.ancestors(i).contains(&file.study[i]) {
                return Err(self.data_error(
                    Some(i + 1),
                    Some("nested_in"),
                    format!("`{}` ends up nested in itself", file.study[i]),
                ));
            }
        }
        Ok(file.nested_in)
    }

    /// The studies whose patients include row `i`'s: its `nested_in` names and, through them,
    /// theirs (in the order found).
    pub fn ancestors(&self, i: usize) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        let mut todo: Vec<usize> = vec![i];
        while let Some(j) = todo.pop() {
            for p in &self.nested_in[j] {
                if !out.contains(p) {
                    out.push(p.clone());
                    if let Some(k) = self.study.iter().position(|s| s == p) {
                        todo.push(k);
                    }
                }
            }
        }
        out
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.cells.len()
    }

    /// Never true for a file that was read (a file without rows is an error).
    pub fn is_empty(&self) -> bool {
        self.cells.is_empty()
    }

    /// Position of a column.
    pub fn column(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c == name)
    }

    /// The cell of row `i` (0-based) in column `col`; `None` when it is a missing-value token.
    pub fn cell(&self, i: usize, col: usize) -> Option<&str> {
        let t = self.cells[i][col].as_str();
        (!is_missing_token(t)).then_some(t)
    }

    /// The cell of row `i` in the named column, `None` when the column is absent or the cell
    /// missing.
    pub fn cell_by_name(&self, i: usize, name: &str) -> Option<&str> {
        self.column(name).and_then(|c| self.cell(i, c))
    }

    fn data_error(&self, row: Option<usize>, column: Option<&str>, message: String) -> MetaError {
        MetaError::Data {
            file: self.name.clone(),
            row,
            column: column.map(str::to_string),
            message,
        }
    }

    fn require_column(&self, name: &str, what: &str) -> Result<usize, MetaError> {
        self.column(name).ok_or_else(|| {
            self.data_error(
                None,
                Some(name),
                format!(
                    "no such column for {what} (the file has: {})",
                    self.columns.join(", ")
                ),
            )
        })
    }
}

/// `--filter column=value`: keep the rows whose `column` is `value` (exact text). Several
/// filters on one column keep rows matching any of them; filters on different columns must all
/// match.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Filter {
    pub column: String,
    pub value: String,
}

impl std::str::FromStr for Filter {
    type Err = MetaError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.split_once('=') {
            Some((c, v)) if !c.trim().is_empty() && !v.trim().is_empty() => Ok(Filter {
                column: c.trim().to_string(),
                value: v.trim().to_string(),
            }),
            _ => Err(MetaError::InvalidInput(format!(
                "--filter `{s}`: expected COLUMN=VALUE, e.g. drug_class=thrombomodulin"
            ))),
        }
    }
}

impl std::fmt::Display for Filter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}={}", self.column, self.value)
    }
}

/// Which rows to pool and how to split them: the trial-selection flags, as given.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Selection {
    /// Pool each value of this column separately.
    pub subgroup: Option<String>,
    pub filters: Vec<Filter>,
    /// Study names to leave out.
    pub exclude: Vec<String>,
    /// Keep rows nested in another row of the same pool (default: leave them out).
    pub include_nested: bool,
}

/// A trial in the analysis.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Trial {
    /// Row in the file (1-based, header excluded).
    pub row: usize,
    pub study: String,
    /// The `year` column, when there is one.
    pub year: Option<String>,
    pub table: TwoByTwo,
    /// The subgroup value (with `--subgroup`).
    pub subgroup: Option<String>,
    /// The studies whose patients include this one's (`nested_in`).
    pub nested_in: Vec<String>,
    /// The same, followed through the other rows' `nested_in` ([`TrialFile::ancestors`]).
    pub within: Vec<String>,
    /// The `counts` column says the counts were derived (not reported).
    pub derived: bool,
}

impl Trial {
    /// "KyberSept (Warren) 2001": the name and, when known, the year.
    pub fn label(&self) -> String {
        match &self.year {
            Some(y) if !self.study.contains(y.as_str()) => format!("{} {y}", self.study),
            _ => self.study.clone(),
        }
    }
}

/// A study left out of the analysis, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Omitted {
    pub study: String,
    pub row: usize,
    pub reason: String,
}

/// The rows chosen from a file (steps 2 and 3 of the module docs).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Trials {
    pub file: String,
    pub trials: Vec<Trial>,
    /// Studies removed by `--filter`.
    pub filtered_out: Vec<String>,
    /// Studies removed by `--exclude`.
    pub excluded: Vec<String>,
    /// Studies omitted for missing counts or a missing subgroup value.
    pub omitted: Vec<Omitted>,
}

/// Applies the selection to a file: filters, exclusions, then the checks of every row left.
///
/// # Errors
/// [`MetaError::Data`] naming file, row and column for an unknown filter column or value, an
/// unknown `--exclude` name, a count that is not a number or not a valid count, and when no
/// trial is left to pool.
pub fn select(file: &TrialFile, sel: &Selection) -> Result<Trials, MetaError> {
    let filter_cols = check_filters(file, &sel.filters)?;
    for name in &sel.exclude {
        if !file.study.iter().any(|s| s == name) {
            return Err(file.data_error(
                None,
                Some("study"),
                format!("--exclude `{name}`: no such study"),
            ));
        }
    }
    let subgroup_col = sel
        .subgroup
        .as_deref()
        .map(|c| file.require_column(c, "--subgroup"))
        .transpose()?;
    let year_col = file.column("year");
    let mut out = Trials {
        file: file.name.clone(),
        trials: Vec::new(),
        filtered_out: Vec::new(),
        excluded: Vec::new(),
        omitted: Vec::new(),
    };
    'rows: for i in 0..file.len() {
        let study = &file.study[i];
        let keep = filter_cols.iter().all(|(col, values)| {
            file.cell(i, *col)
                .is_some_and(|v| values.iter().any(|w| w == v))
        });
        if !keep {
            out.filtered_out.push(study.clone());
            continue;
        }
        if sel.exclude.contains(study) {
            out.excluded.push(study.clone());
            continue;
        }
        let row = i + 1;
        let mut counts = [f64::NAN; 4];
        let mut missing = Vec::new();
        for (k, name) in COUNT_COLUMNS.iter().enumerate() {
            let col = file.column(name).expect("checked when read");
            match file.cell(i, col) {
                None => missing.push(format!("`{name}`")),
                Some(t) => match t.parse::<f64>() {
                    Ok(v) if v.is_finite() => counts[k] = v,
                    _ => {
                        return Err(file.data_error(
                            Some(row),
                            Some(name),
                            format!("`{t}` is not a number"),
                        ))
                    }
                },
            }
        }
        let subgroup = match subgroup_col {
            None => None,
            Some(c) => match file.cell(i, c) {
                Some(v) => Some(v.to_string()),
                None => {
                    missing.push(format!("`{}` (the subgroup)", file.columns[c]));
                    None
                }
            },
        };
        if !missing.is_empty() {
            out.omitted.push(Omitted {
                study: study.clone(),
                row,
                reason: format!("missing {}", missing.join(", ")),
            });
            continue 'rows;
        }
        let table = trial_table(counts[0], counts[1], counts[2], counts[3]);
        match validate_table(&table, i) {
            Ok(()) => {}
            Err(MetaError::InvalidCounts {
                column, message, ..
            }) => return Err(file.data_error(Some(row), Some(column), message)),
            Err(e) => return Err(e),
        }
        out.trials.push(Trial {
            row,
            study: study.clone(),
            year: year_col.and_then(|c| file.cell(i, c)).map(str::to_string),
            table,
            subgroup,
            nested_in: file.nested_in[i].clone(),
            within: file.ancestors(i),
            derived: file
                .cell_by_name(i, "counts")
                .is_some_and(|c| c.to_ascii_lowercase().starts_with("derived")),
        });
    }
    if out.trials.is_empty() {
        let mut why = Vec::new();
        if !out.filtered_out.is_empty() {
            why.push(format!("{} removed by --filter", out.filtered_out.len()));
        }
        if !out.excluded.is_empty() {
            why.push(format!("{} by --exclude", out.excluded.len()));
        }
        if !out.omitted.is_empty() {
            why.push(format!("{} omitted for missing values", out.omitted.len()));
        }
        return Err(file.data_error(
            None,
            None,
            format!(
                "no trials left to pool: of {} rows, {}",
                file.len(),
                why.join(", ")
            ),
        ));
    }
    Ok(out)
}

/// Filter columns and their accepted values; every column and every value must exist.
fn check_filters(
    file: &TrialFile,
    filters: &[Filter],
) -> Result<Vec<(usize, Vec<String>)>, MetaError> {
    let mut out: Vec<(usize, Vec<String>)> = Vec::new();
    for f in filters {
        let col = file.require_column(&f.column, "--filter")?;
        let present: Vec<&str> = {
            let mut v: Vec<&str> = (0..file.len()).filter_map(|i| file.cell(i, col)).collect();
            v.sort_unstable();
            v.dedup();
            v
        };
        if !present.contains(&f.value.as_str()) {
            return Err(file.data_error(
                None,
                Some(&f.column),
                format!(
                    "--filter {f}: no row has this value (values: {})",
                    present.join(", ")
                ),
            ));
        }
        match out.iter_mut().find(|(c, _)| *c == col) {
            Some((_, values)) => values.push(f.value.clone()),
            None => out.push((col, vec![f.value.clone()])),
        }
    }
    Ok(out)
}
