//! The model frame: named columns turned into the variables of a statistical model, as R's
//! `model.frame` + `model.matrix` do for `Surv(time, event) ~ x + factor(g) + strata(s)`.
//!
//! * **Complete cases** (R's `na.omit`): a row with a missing cell in any column the model uses
//!   is left out; the rows left out are counted, by column.
//! * **Event coding** (R's `Surv`): 0/1, `TRUE`/`FALSE` (also `T`/`F`, `yes`/`no`, `y`/`n`, any
//!   case), or R's 1/2 coding (2 = event) when every present value is 1 or 2 and some is 2.
//!   Flags (an exposure, an outcome) take the same spellings without the 1/2 coding.
//! * **Factors** (R's `factor`): the levels present among the rows used, in R's order: numbers
//!   numerically (`1` and `1.0` are one level, labelled `1`), text in byte order (R's order
//!   under `LC_COLLATE=C`), `false` before `true`. A model term that is a factor becomes
//!   treatment dummies with the first level as reference, named `<column><level>` as R's
//!   `model.matrix` (or `column=level`, see [`DummyNames`]).
//! * **Numeric terms** stay numbers. A text column most of whose cells are numbers is an error
//!   naming the first cell that is not (R would silently make it a factor: a stray `N/A` in an
//!   age column gives one dummy per age); declare such a cell missing, or the column a factor.
//!
//! Differences from R, on purpose:
//! * Text levels are ordered by bytes, not by the locale's collation (R in `en_US.UTF-8` puts
//!   `b` before `C`; here `C` comes first), so output does not depend on the machine.
//! * Times (and start times) must be finite and >= 0, weights finite and > 0 (or >= 0 where the
//!   estimator allows it), numeric terms finite with `|x| <= 1e150`; R accepts negative times,
//!   and with `|x|` near 1e300 `coxph` fails ("missing value where TRUE/FALSE needed") or
//!   reports a standard error of 0 and p = 0. Here each is an error naming the row and column.
//!
//! Cost: one pass over the cells of each column, plus a sort of each factor's distinct levels.

use std::collections::BTreeMap;

use crate::format::level_label;
use crate::schema::{CellTable, Cells};

use super::StatsError;

/// The largest `|x|` accepted in a numeric model term: its square and the cross-products of
/// the fitting algorithms stay far from the `f64` overflow (1.8e308), and the coefficient's
/// variance, scaled by `1 / spread^2`, far from underflow.
pub const MAX_ABS_TERM: f64 = 1e150;

/// Errors of the model frame; rows are 1-based, as the input's data rows.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FrameError {
    #[error("row {row}, column `{column}`: {message}")]
    Cell {
        row: usize,
        column: String,
        message: String,
    },
    #[error("column `{column}`: {message}")]
    Column { column: String, message: String },
    #[error("{}", no_complete_rows(*.n_rows, .missing))]
    NoCompleteRows {
        n_rows: usize,
        /// Missing cells by column.
        missing: Vec<(String, usize)>,
    },
}

fn no_complete_rows(n_rows: usize, missing: &[(String, usize)]) -> String {
    let by: Vec<String> = missing.iter().map(|(c, n)| format!("`{c}` {n}")).collect();
    format!(
        "no complete rows: each of the {n_rows} row{} has a missing value (missing cells: {})",
        if n_rows == 1 { "" } else { "s" },
        by.join(", ")
    )
}

impl From<FrameError> for StatsError {
    fn from(e: FrameError) -> Self {
        StatsError::InvalidInput(e.to_string())
    }
}

/// A column's values as the frame reads them (borrowed).
#[derive(Debug, Clone, Copy)]
pub enum Values<'a> {
    /// `NaN` = missing.
    Numbers(&'a [f64]),
    Text(&'a [Option<String>]),
    Flags(&'a [Option<bool>]),
}

impl<'a> From<&'a Cells> for Values<'a> {
    fn from(c: &'a Cells) -> Self {
        match c {
            Cells::Numbers(v) => Values::Numbers(v),
            Cells::Text(v) => Values::Text(v),
            Cells::Flags(v) => Values::Flags(v),
        }
    }
}

impl Values<'_> {
    fn len(&self) -> usize {
        match self {
            Values::Numbers(v) => v.len(),
            Values::Text(v) => v.len(),
            Values::Flags(v) => v.len(),
        }
    }

    fn is_missing(&self, i: usize) -> bool {
        match self {
            Values::Numbers(v) => v[i].is_nan(),
            Values::Text(v) => v[i].is_none(),
            Values::Flags(v) => v[i].is_none(),
        }
    }
}

/// How a model term enters the design matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TermKind {
    /// Numbers and flags as numbers, text as a factor.
    #[default]
    Auto,
    /// Always a factor (numbers become levels, in numeric order).
    Factor,
}

/// One model term: a named column and how it enters the model.
#[derive(Debug, Clone, Copy)]
pub struct Term<'a> {
    pub name: &'a str,
    pub values: Values<'a>,
    pub kind: TermKind,
}

impl<'a> Term<'a> {
    /// A term read by its type (numbers as numbers, text as a factor).
    pub fn auto(name: &'a str, values: Values<'a>) -> Self {
        Term {
            name,
            values,
            kind: TermKind::Auto,
        }
    }

    /// A term that is a factor whatever its type.
    pub fn factor(name: &'a str, values: Values<'a>) -> Self {
        Term {
            name,
            values,
            kind: TermKind::Factor,
        }
    }
}

/// How treatment dummies are named.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DummyNames {
    /// `<column><level>`, as R's `model.matrix` (`sexM`).
    #[default]
    R,
    /// `column=level` (`sex=M`), as the cohort report labels adjusted terms.
    Equals,
}

impl DummyNames {
    fn name(self, column: &str, level: &str) -> String {
        match self {
            DummyNames::R => format!("{column}{level}"),
            DummyNames::Equals => format!("{column}={level}"),
        }
    }
}

/// A grouping variable (groups, strata, clusters): a code per row into `levels`.
#[derive(Debug, Clone, PartialEq)]
pub struct Factor {
    pub name: String,
    pub codes: Vec<u32>,
    pub levels: Vec<String>,
}

/// Design-matrix columns, column-major (`columns[j][i]`), with their names.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Design {
    pub names: Vec<String>,
    pub columns: Vec<Vec<f64>>,
}

/// The design matrix of `terms` over all their rows: numeric terms as they are, factors as
/// treatment dummies of the levels present (first as reference). A missing cell gives `NaN` in
/// every column of its term.
///
/// # Errors
/// [`FrameError::Cell`] for a numeric cell that is not finite or exceeds [`MAX_ABS_TERM`], and
/// for a text column most of whose cells are numbers ([`TermKind::Auto`]); the row is the
/// 1-based position in the columns.
pub fn design_matrix(terms: &[Term<'_>], naming: DummyNames) -> Result<Design, FrameError> {
    let n = terms.first().map_or(0, |t| t.values.len());
    let rows: Vec<usize> = (0..n).collect();
    code_terms(terms, &rows, naming)
}

/// How case weights are checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WeightRule {
    /// Finite and >= 0 (Kaplan-Meier: a zero weight removes a row).
    NonNegative,
    /// Finite and > 0 (Cox).
    Positive,
}

/// Which column plays which part in the model. Column names refer to the [`CellTable`].
#[derive(Debug, Clone, Default)]
pub struct FrameSpec<'a> {
    /// Start of `(start, stop]` intervals (finite, >= 0, < time).
    pub start: Option<&'a str>,
    /// Follow-up (or stop) time (finite, >= 0).
    pub time: Option<&'a str>,
    /// Event indicator, R's `Surv` codings.
    pub event: Option<&'a str>,
    /// 0/1 flags without the 1/2 coding (exposure, outcome).
    pub flags: Vec<&'a str>,
    /// Grouping columns (groups, strata, clusters).
    pub groups: Vec<&'a str>,
    /// Model terms.
    pub terms: Vec<(&'a str, TermKind)>,
    /// Case weights.
    pub weights: Option<(&'a str, WeightRule)>,
    pub dummy_names: DummyNames,
}

impl<'a> FrameSpec<'a> {
    /// Every column the model uses, once each, in the order start, time, event, flags, groups,
    /// terms, weights.
    pub fn columns(&self) -> Vec<&'a str> {
        let mut v: Vec<&'a str> = Vec::new();
        let all = self
            .start
            .iter()
            .chain(&self.time)
            .chain(&self.event)
            .chain(&self.flags)
            .chain(&self.groups)
            .copied()
            .chain(self.terms.iter().map(|t| t.0))
            .chain(self.weights.iter().map(|w| w.0));
        for c in all {
            if !v.contains(&c) {
                v.push(c);
            }
        }
        v
    }
}

/// The variables of a model over its complete rows.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelFrame {
    /// Rows of the input.
    pub n_rows: usize,
    /// Input rows used (0-based, in input order).
    pub rows: Vec<usize>,
    /// Missing cells by column (over every input row; columns with none left out).
    pub missing: Vec<(String, usize)>,
    pub start: Option<Vec<f64>>,
    pub time: Option<Vec<f64>>,
    pub event: Option<Vec<bool>>,
    /// Flags by column name.
    pub flags: Vec<(String, Vec<bool>)>,
    /// Grouping factors, levels present among the rows used.
    pub groups: Vec<Factor>,
    pub design: Design,
    pub weights: Option<Vec<f64>>,
}

impl ModelFrame {
    /// Reads the columns of `spec` from `table` and keeps the complete rows.
    ///
    /// # Errors
    /// [`FrameError::Column`] for a column the table lacks or of the wrong type for its part
    /// (a time that is text, a flag that is a number other than 0/1), [`FrameError::Cell`] for a
    /// bad cell (a negative time, an event coded 3, start >= stop, a weight <= 0, a numeric
    /// term that is not finite or too large, a text cell among the numbers of a term), and
    /// [`FrameError::NoCompleteRows`] when every row has a missing value.
    pub fn build(table: &CellTable, spec: &FrameSpec<'_>) -> Result<ModelFrame, FrameError> {
        let n = table.n_rows;
        let values = |name: &str| -> Result<Values<'_>, FrameError> {
            let c = table.get(name).ok_or_else(|| FrameError::Column {
                column: name.to_string(),
                message: "not read from the input".into(),
            })?;
            if c.len() != n {
                return Err(FrameError::Column {
                    column: name.to_string(),
                    message: format!("has {} rows, the table {n}", c.len()),
                });
            }
            Ok(c.into())
        };
        let start = match spec.start {
            Some(c) => Some(times(c, values(c)?, "start time")?),
            None => None,
        };
        let time = match spec.time {
            Some(c) => Some(times(c, values(c)?, "time")?),
            None => None,
        };
        let event = match spec.event {
            Some(c) => Some(indicator(c, values(c)?, true)?),
            None => None,
        };
        let flags: Vec<Vec<Option<bool>>> = spec
            .flags
            .iter()
            .map(|c| indicator(c, values(c)?, false))
            .collect::<Result<_, _>>()?;
        let group_values: Vec<Values> = spec
            .groups
            .iter()
            .map(|c| values(c))
            .collect::<Result<_, _>>()?;
        let terms: Vec<Term> = spec
            .terms
            .iter()
            .map(|(c, kind)| {
                Ok(Term {
                    name: c,
                    values: values(c)?,
                    kind: *kind,
                })
            })
            .collect::<Result<_, FrameError>>()?;
        let weights = match spec.weights {
            Some((c, rule)) => Some(weight_values(c, values(c)?, rule)?),
            None => None,
        };

        // complete cases, missing cells counted by column
        let mut missing: Vec<(String, usize)> = Vec::new();
        let mut complete = vec![true; n];
        let mut count = |name: &str, is_missing: &dyn Fn(usize) -> bool| {
            let mut k = 0;
            for (i, c) in complete.iter_mut().enumerate() {
                if is_missing(i) {
                    *c = false;
                    k += 1;
                }
            }
            if k > 0 {
                match missing.iter_mut().find(|(c, _)| c == name) {
                    Some(m) => m.1 = m.1.max(k),
                    None => missing.push((name.to_string(), k)),
                }
            }
        };
        if let (Some(c), Some(v)) = (spec.start, &start) {
            count(c, &|i| v[i].is_nan());
        }
        if let (Some(c), Some(v)) = (spec.time, &time) {
            count(c, &|i| v[i].is_nan());
        }
        if let (Some(c), Some(v)) = (spec.event, &event) {
            count(c, &|i| v[i].is_none());
        }
        for (c, v) in spec.flags.iter().zip(&flags) {
            count(c, &|i| v[i].is_none());
        }
        for (c, v) in spec.groups.iter().zip(&group_values) {
            count(c, &|i| v.is_missing(i));
        }
        for t in &terms {
            count(t.name, &|i| t.values.is_missing(i));
        }
        if let (Some((c, _)), Some(v)) = (spec.weights, &weights) {
            count(c, &|i| v[i].is_nan());
        }
        let rows: Vec<usize> = (0..n).filter(|&i| complete[i]).collect();
        if rows.is_empty() {
            return Err(FrameError::NoCompleteRows { n_rows: n, missing });
        }
        if let (Some(s), Some(t), Some(sc)) = (&start, &time, spec.start) {
            if let Some(&i) = rows.iter().find(|&&i| s[i] >= t[i]) {
                return Err(FrameError::Cell {
                    row: i + 1,
                    column: sc.to_string(),
                    message: format!(
                        "start ({}) must be < stop time ({})",
                        crate::format::shortest(s[i]),
                        crate::format::shortest(t[i])
                    ),
                });
            }
        }
        if let (Some((c, _)), Some(w)) = (spec.weights, &weights) {
            if rows.iter().all(|&i| w[i] == 0.0) {
                return Err(FrameError::Column {
                    column: c.to_string(),
                    message: format!(
                        "every weight of the {} rows used is 0: nobody is analysed",
                        rows.len()
                    ),
                });
            }
        }
        let pick = |v: &[f64]| -> Vec<f64> { rows.iter().map(|&i| v[i]).collect() };
        let pick_flag =
            |v: &[Option<bool>]| -> Vec<bool> { rows.iter().filter_map(|&i| v[i]).collect() };
        let groups = spec
            .groups
            .iter()
            .zip(&group_values)
            .map(|(c, v)| {
                let (codes, levels) = factor_codes(*v, &rows);
                Factor {
                    name: c.to_string(),
                    codes: codes.into_iter().map(|c| c.expect("complete")).collect(),
                    levels,
                }
            })
            .collect();
        Ok(ModelFrame {
            n_rows: n,
            missing,
            start: start.as_deref().map(pick),
            time: time.as_deref().map(pick),
            event: event.as_deref().map(pick_flag),
            flags: spec
                .flags
                .iter()
                .zip(&flags)
                .map(|(c, v)| (c.to_string(), pick_flag(v)))
                .collect(),
            groups,
            design: code_terms(&terms, &rows, spec.dummy_names)?,
            weights: weights.as_deref().map(pick),
            rows,
        })
    }

    /// An error unless some row used has an event (a test of event times has no information
    /// without one; R's `survdiff` prints `Chisq = 0 on -1 degrees of freedom`).
    ///
    /// # Errors
    /// [`FrameError::Column`] naming the event column.
    pub fn require_events(&self, column: &str) -> Result<(), FrameError> {
        match &self.event {
            Some(e) if e.iter().any(|&e| e) => Ok(()),
            _ => Err(FrameError::Column {
                column: column.to_string(),
                message: format!(
                    "no events among the {} rows used: every row is censored",
                    self.rows.len()
                ),
            }),
        }
    }

    /// Input rows left out for a missing value.
    pub fn n_omitted(&self) -> usize {
        self.n_rows - self.rows.len()
    }

    /// The grouping factor read from column `name`.
    pub fn group(&self, name: &str) -> Option<&Factor> {
        self.groups.iter().find(|g| g.name == name)
    }

    /// The flag read from column `name`.
    pub fn flag(&self, name: &str) -> Option<&[bool]> {
        self.flags
            .iter()
            .find(|(c, _)| c == name)
            .map(|(_, v)| v.as_slice())
    }
}

fn cell_err(row0: usize, column: &str, message: String) -> FrameError {
    FrameError::Cell {
        row: row0 + 1,
        column: column.to_string(),
        message,
    }
}

/// The first present text cell that is not a number.
fn first_text(v: &[Option<String>]) -> Option<(usize, &str)> {
    v.iter().enumerate().find_map(|(i, c)| {
        c.as_deref()
            .filter(|s| s.parse::<f64>().is_err())
            .map(|s| (i, s))
    })
}

/// The numbers of a column that must be numeric (`what` names its part in messages).
fn numbers<'a>(column: &str, v: Values<'a>, what: &str) -> Result<&'a [f64], FrameError> {
    match v {
        Values::Numbers(v) => Ok(v),
        Values::Text(t) => {
            let (i, s) = first_text(t).expect("a text column has a cell that is not a number");
            Err(cell_err(
                i,
                column,
                format!("{what}: `{s}` is not a number"),
            ))
        }
        Values::Flags(_) => Err(FrameError::Column {
            column: column.to_string(),
            message: format!("a {what} must be a number, not true/false"),
        }),
    }
}

/// Times: numbers, finite and >= 0 where present (`NaN` = missing).
fn times(column: &str, v: Values<'_>, what: &str) -> Result<Vec<f64>, FrameError> {
    let v = numbers(column, v, what)?;
    if let Some(i) = v
        .iter()
        .position(|x| !(x.is_nan() || (x.is_finite() && *x >= 0.0)))
    {
        return Err(cell_err(
            i,
            column,
            format!("{what} must be finite and >= 0 (got {})", level_label(v[i])),
        ));
    }
    Ok(v.to_vec())
}

/// Case weights: numbers, finite and > 0 (or >= 0) where present.
fn weight_values(column: &str, v: Values<'_>, rule: WeightRule) -> Result<Vec<f64>, FrameError> {
    let v = numbers(column, v, "weight")?;
    let (ok, want): (fn(f64) -> bool, &str) = match rule {
        WeightRule::NonNegative => (|w| w.is_finite() && w >= 0.0, "finite and >= 0"),
        WeightRule::Positive => (|w| w.is_finite() && w > 0.0, "finite and > 0"),
    };
    if let Some(i) = v.iter().position(|w| !w.is_nan() && !ok(*w)) {
        return Err(cell_err(
            i,
            column,
            format!("weight must be {want} (got {})", level_label(v[i])),
        ));
    }
    Ok(v.to_vec())
}

/// An event indicator or a flag: R's `Surv` spellings; `allow_12` allows the 1/2 coding.
fn indicator(column: &str, v: Values<'_>, allow_12: bool) -> Result<Vec<Option<bool>>, FrameError> {
    let expected = if allow_12 {
        "0/1, true/false, yes/no or 1/2 (2 = event)"
    } else {
        "0/1, true/false or yes/no"
    };
    let numbers: Vec<f64> = match v {
        Values::Flags(f) => return Ok(f.to_vec()),
        Values::Numbers(x) => x.to_vec(),
        Values::Text(t) => t
            .iter()
            .enumerate()
            .map(|(i, c)| match c.as_deref() {
                None => Ok(f64::NAN),
                Some(s) => match s.to_ascii_lowercase().as_str() {
                    "true" | "t" | "yes" | "y" => Ok(1.0),
                    "false" | "f" | "no" | "n" => Ok(0.0),
                    other => other.parse::<f64>().map_err(|_| {
                        cell_err(i, column, format!("expected {expected}, got `{s}`"))
                    }),
                },
            })
            .collect::<Result<_, _>>()?,
    };
    let present = || numbers.iter().filter(|x| !x.is_nan());
    let two_coded =
        allow_12 && present().any(|&x| x == 2.0) && present().all(|&x| x == 1.0 || x == 2.0);
    numbers
        .iter()
        .enumerate()
        .map(|(i, &x)| {
            if x.is_nan() {
                Ok(None)
            } else if two_coded {
                Ok(Some(x == 2.0))
            } else if x == 0.0 || x == 1.0 {
                Ok(Some(x == 1.0))
            } else {
                Err(cell_err(
                    i,
                    column,
                    format!("expected {expected}, got {}", level_label(x)),
                ))
            }
        })
        .collect()
}

/// Factor codes of `rows` (in their order) and the levels present among them, in R's order:
/// numbers numerically, text by bytes, `false` before `true`.
fn factor_codes(v: Values<'_>, rows: &[usize]) -> (Vec<Option<u32>>, Vec<String>) {
    match v {
        Values::Numbers(x) => {
            // -0 and 0 are one level; the map orders by value
            let key = |x: f64| if x == 0.0 { 0.0f64 } else { x };
            let mut seen: Vec<f64> = rows
                .iter()
                .map(|&i| x[i])
                .filter(|x| !x.is_nan())
                .map(key)
                .collect();
            seen.sort_by(f64::total_cmp);
            seen.dedup();
            let codes = rows
                .iter()
                .map(|&i| {
                    let xi = x[i];
                    (!xi.is_nan()).then(|| {
                        seen.binary_search_by(|s| s.total_cmp(&key(xi)))
                            .expect("level present") as u32
                    })
                })
                .collect();
            (codes, seen.into_iter().map(level_label).collect())
        }
        Values::Text(t) => {
            let mut index: BTreeMap<&str, u32> = BTreeMap::new();
            for &i in rows {
                if let Some(s) = t[i].as_deref() {
                    index.insert(s, 0);
                }
            }
            for (k, code) in index.values_mut().enumerate() {
                *code = k as u32;
            }
            let codes = rows
                .iter()
                .map(|&i| t[i].as_deref().map(|s| index[s]))
                .collect();
            (codes, index.keys().map(|s| s.to_string()).collect())
        }
        Values::Flags(f) => {
            let has = |b: bool| rows.iter().any(|&i| f[i] == Some(b));
            let levels: Vec<bool> = [false, true].into_iter().filter(|&b| has(b)).collect();
            let codes = rows
                .iter()
                .map(|&i| {
                    f[i].map(|b| levels.iter().position(|&l| l == b).expect("present") as u32)
                })
                .collect();
            (codes, levels.iter().map(|b| b.to_string()).collect())
        }
    }
}

/// Design-matrix columns of `terms` over `rows` (missing cells give `NaN`).
fn code_terms(
    terms: &[Term<'_>],
    rows: &[usize],
    naming: DummyNames,
) -> Result<Design, FrameError> {
    let mut d = Design::default();
    for t in terms {
        let numeric: Option<Vec<f64>> = match (t.kind, t.values) {
            (TermKind::Auto, Values::Numbers(x)) => Some(rows.iter().map(|&i| x[i]).collect()),
            (TermKind::Auto, Values::Flags(f)) => Some(
                rows.iter()
                    .map(|&i| f[i].map_or(f64::NAN, f64::from))
                    .collect(),
            ),
            (TermKind::Auto, Values::Text(s)) => {
                mostly_numbers(t.name, s, rows)?;
                None
            }
            (TermKind::Factor, _) => None,
        };
        match numeric {
            Some(col) => {
                check_numeric(t.name, &col, rows)?;
                d.names.push(t.name.to_string());
                d.columns.push(col);
            }
            None => {
                let (codes, levels) = factor_codes(t.values, rows);
                for (k, level) in levels.iter().enumerate().skip(1) {
                    d.names.push(naming.name(t.name, level));
                    d.columns.push(
                        codes
                            .iter()
                            .map(|c| c.map_or(f64::NAN, |c| f64::from(c as usize == k)))
                            .collect(),
                    );
                }
            }
        }
    }
    Ok(d)
}

/// A text term is a factor unless most of its present cells are numbers: then the first cell
/// that is not a number is an error (a stray token in a numeric column, not a level).
fn mostly_numbers(name: &str, s: &[Option<String>], rows: &[usize]) -> Result<(), FrameError> {
    let present: Vec<usize> = rows.iter().copied().filter(|&i| s[i].is_some()).collect();
    let numbers = present
        .iter()
        .filter(|&&i| s[i].as_deref().is_some_and(|c| c.parse::<f64>().is_ok()))
        .count();
    if 2 * numbers <= present.len() {
        return Ok(());
    }
    let i = *present
        .iter()
        .find(|&&i| s[i].as_deref().is_some_and(|c| c.parse::<f64>().is_err()))
        .expect("a text column has a cell that is not a number");
    Err(cell_err(
        i,
        name,
        format!(
            "`{}` is not a number, though {numbers} of the column's {} values are: declare it \
             a missing-value token (`--na`) or the column a factor (`--factor`)",
            s[i].as_deref().unwrap_or_default(),
            present.len()
        ),
    ))
}

/// A numeric term's present values must be finite and within [`MAX_ABS_TERM`].
fn check_numeric(name: &str, col: &[f64], rows: &[usize]) -> Result<(), FrameError> {
    for (k, &x) in col.iter().enumerate() {
        if x.is_nan() {
            continue;
        }
        if !x.is_finite() {
            return Err(cell_err(
                rows[k],
                name,
                format!("value {} is not finite", level_label(x)),
            ));
        }
        if x.abs() > MAX_ABS_TERM {
            return Err(cell_err(
                rows[k],
                name,
                format!(
                    "|value| {x:e} exceeds {MAX_ABS_TERM:e}: the model's sums of squares would \
                     overflow and its standard errors underflow; rescale the column"
                ),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(v: &[&str]) -> Vec<Option<String>> {
        v.iter()
            .map(|s| (!s.is_empty()).then(|| s.to_string()))
            .collect()
    }

    #[test]
    fn factors_follow_r_order_and_naming() {
        let g = text(&["b", "a", "", "C", "a"]);
        let d = design_matrix(&[Term::auto("g", Values::Text(&g))], DummyNames::R).unwrap();
        // byte order: C < a < b; C is the reference
        assert_eq!(d.names, ["ga", "gb"]);
        assert_eq!(d.columns[0][1], 1.0);
        assert!(d.columns[0][2].is_nan());
        let d = design_matrix(&[Term::auto("g", Values::Text(&g))], DummyNames::Equals).unwrap();
        assert_eq!(d.names, ["g=a", "g=b"]);
        let x = [10.0, 2.0, 2.0, f64::NAN];
        let d = design_matrix(&[Term::factor("x", Values::Numbers(&x))], DummyNames::R).unwrap();
        assert_eq!(d.names, ["x10"]);
    }

    #[test]
    fn numbers_group_as_numbers() {
        let x = [1.0, 1.0, 2.0, -0.0, 0.0];
        let (codes, levels) = factor_codes(Values::Numbers(&x), &[0, 1, 2, 3, 4]);
        assert_eq!(levels, ["0", "1", "2"]);
        assert_eq!(codes, [Some(1), Some(1), Some(2), Some(0), Some(0)]);
    }

    #[test]
    fn events_accept_r_codings() {
        let t = text(&["TRUE", "false", "yes", "n", ""]);
        assert_eq!(
            indicator("e", Values::Text(&t), true).unwrap(),
            [Some(true), Some(false), Some(true), Some(false), None]
        );
        let x = [1.0, 2.0, f64::NAN];
        assert_eq!(
            indicator("e", Values::Numbers(&x), true).unwrap(),
            [Some(false), Some(true), None]
        );
        assert!(indicator("e", Values::Numbers(&x), false).is_err());
        let bad = text(&["1", "maybe"]);
        let e = indicator("e", Values::Text(&bad), true).unwrap_err();
        assert!(matches!(e, FrameError::Cell { row: 2, .. }), "{e}");
    }

    #[test]
    fn stray_text_in_a_numeric_term_names_the_cell() {
        let age = text(&["40", "47", "N/A", "52"]);
        let e = design_matrix(&[Term::auto("age", Values::Text(&age))], DummyNames::R)
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("row 3, column `age`: `N/A` is not a number"),
            "{e}"
        );
        let x = [1.0, 1e300];
        let e = design_matrix(&[Term::auto("x", Values::Numbers(&x))], DummyNames::R).unwrap_err();
        assert!(matches!(e, FrameError::Cell { row: 2, .. }), "{e}");
    }

    #[test]
    fn complete_cases_are_counted_by_column() {
        let table = CellTable {
            source: "t".into(),
            n_rows: 4,
            columns: vec![
                ("t".into(), Cells::Numbers(vec![1.0, f64::NAN, 3.0, 4.0])),
                ("e".into(), Cells::Text(text(&["1", "0", "", "yes"]))),
                ("g".into(), Cells::Text(text(&["a", "b", "b", "a"]))),
            ],
        };
        let spec = FrameSpec {
            time: Some("t"),
            event: Some("e"),
            groups: vec!["g"],
            ..FrameSpec::default()
        };
        let f = ModelFrame::build(&table, &spec).unwrap();
        assert_eq!(f.rows, [0, 3]);
        assert_eq!(f.missing, [("t".to_string(), 1), ("e".to_string(), 1)]);
        // level b only on omitted rows is dropped
        assert_eq!(f.group("g").unwrap().levels, ["a"]);
        assert_eq!(f.event.as_deref().unwrap(), [true, true]);
    }
}
