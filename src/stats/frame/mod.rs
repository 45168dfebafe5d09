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

mod coding;

use crate::format::shortest;
use crate::schema::{CellTable, Cells};

use super::StatsError;
use coding::{code_terms, factor_codes, indicator, times, weight_values};

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
        let p = Parsed::read(table, spec)?;
        let (rows, missing) = p.complete_rows(spec, table.n_rows);
        if rows.is_empty() {
            return Err(FrameError::NoCompleteRows {
                n_rows: table.n_rows,
                missing,
            });
        }
        p.check_rows(spec, &rows)?;
        let pick = |v: &[f64]| -> Vec<f64> { rows.iter().map(|&i| v[i]).collect() };
        let pick_flag =
            |v: &[Option<bool>]| -> Vec<bool> { rows.iter().filter_map(|&i| v[i]).collect() };
        let groups = spec
            .groups
            .iter()
            .zip(&p.groups)
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
            n_rows: table.n_rows,
            missing,
            start: p.start.as_deref().map(pick),
            time: p.time.as_deref().map(pick),
            event: p.event.as_deref().map(pick_flag),
            flags: spec
                .flags
                .iter()
                .zip(&p.flags)
                .map(|(c, v)| (c.to_string(), pick_flag(v)))
                .collect(),
            groups,
            design: code_terms(&p.terms, &rows, spec.dummy_names)?,
            weights: p.weights.as_deref().map(pick),
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

/// A column name and whether its cell in row `i` is missing.
type MissingTest<'s> = (&'s str, Box<dyn Fn(usize) -> bool + 's>);

/// The columns of a spec read over every row, before complete cases.
struct Parsed<'t> {
    start: Option<Vec<f64>>,
    time: Option<Vec<f64>>,
    event: Option<Vec<Option<bool>>>,
    flags: Vec<Vec<Option<bool>>>,
    groups: Vec<Values<'t>>,
    terms: Vec<Term<'t>>,
    weights: Option<Vec<f64>>,
}

impl<'t> Parsed<'t> {
    fn read(table: &'t CellTable, spec: &FrameSpec<'t>) -> Result<Self, FrameError> {
        let n = table.n_rows;
        let values = |name: &str| -> Result<Values<'t>, FrameError> {
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
        let times_of = |c: Option<&str>, what: &str| -> Result<Option<Vec<f64>>, FrameError> {
            c.map(|c| times(c, values(c)?, what)).transpose()
        };
        Ok(Parsed {
            start: times_of(spec.start, "start time")?,
            time: times_of(spec.time, "time")?,
            event: spec
                .event
                .map(|c| indicator(c, values(c)?, true))
                .transpose()?,
            flags: spec
                .flags
                .iter()
                .map(|c| indicator(c, values(c)?, false))
                .collect::<Result<_, _>>()?,
            groups: spec
                .groups
                .iter()
                .map(|c| values(c))
                .collect::<Result<_, _>>()?,
            terms: spec
                .terms
                .iter()
                .map(|&(name, kind)| {
                    Ok(Term {
                        name,
                        values: values(name)?,
                        kind,
                    })
                })
                .collect::<Result<_, FrameError>>()?,
            weights: spec
                .weights
                .map(|(c, rule)| weight_values(c, values(c)?, rule))
                .transpose()?,
        })
    }

    /// Whether row `i` is missing, per column used (spec order; a column in two parts twice).
    fn missing_tests<'s>(&'s self, spec: &'s FrameSpec<'_>) -> Vec<MissingTest<'s>> {
        let mut v: Vec<MissingTest<'s>> = Vec::new();
        if let (Some(c), Some(x)) = (spec.start, &self.start) {
            v.push((c, Box::new(move |i| x[i].is_nan())));
        }
        if let (Some(c), Some(x)) = (spec.time, &self.time) {
            v.push((c, Box::new(move |i| x[i].is_nan())));
        }
        if let (Some(c), Some(x)) = (spec.event, &self.event) {
            v.push((c, Box::new(move |i| x[i].is_none())));
        }
        for (c, x) in spec.flags.iter().zip(&self.flags) {
            v.push((c, Box::new(move |i| x[i].is_none())));
        }
        for (c, x) in spec.groups.iter().zip(&self.groups) {
            v.push((c, Box::new(move |i| x.is_missing(i))));
        }
        for t in &self.terms {
            v.push((t.name, Box::new(move |i| t.values.is_missing(i))));
        }
        if let (Some((c, _)), Some(x)) = (spec.weights, &self.weights) {
            v.push((c, Box::new(move |i| x[i].is_nan())));
        }
        v
    }

    /// The complete rows (R's `na.omit`) and the missing cells by column.
    fn complete_rows(&self, spec: &FrameSpec<'_>, n: usize) -> (Vec<usize>, Vec<(String, usize)>) {
        let mut complete = vec![true; n];
        let mut missing: Vec<(String, usize)> = Vec::new();
        for (name, is_missing) in self.missing_tests(spec) {
            let mut k = 0;
            for (i, c) in complete.iter_mut().enumerate() {
                if is_missing(i) {
                    *c = false;
                    k += 1;
                }
            }
            if k > 0 && !missing.iter().any(|(c, _)| c == name) {
                missing.push((name.to_string(), k));
            }
        }
        ((0..n).filter(|&i| complete[i]).collect(), missing)
    }

    /// Checks across columns on the rows used: start < stop; some weight > 0.
    fn check_rows(&self, spec: &FrameSpec<'_>, rows: &[usize]) -> Result<(), FrameError> {
        if let (Some(s), Some(t), Some(sc)) = (&self.start, &self.time, spec.start) {
            if let Some(&i) = rows.iter().find(|&&i| s[i] >= t[i]) {
                return Err(FrameError::Cell {
                    row: i + 1,
                    column: sc.to_string(),
                    message: format!(
                        "start ({}) must be < stop time ({})",
                        shortest(s[i]),
                        shortest(t[i])
                    ),
                });
            }
        }
        if let (Some((c, _)), Some(w)) = (spec.weights, &self.weights) {
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
        Ok(())
    }
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
