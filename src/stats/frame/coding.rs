//! Reading each part of a model frame from a column: times, weights, event indicators and
//! flags, factor levels, and the design-matrix columns of the terms (see the parent module for
//! the rules and their R counterparts).

use std::collections::BTreeMap;

use crate::format::level_label;

use super::{Design, DummyNames, FrameError, Term, TermKind, Values, WeightRule, MAX_ABS_TERM};

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
pub(super) fn times(column: &str, v: Values<'_>, what: &str) -> Result<Vec<f64>, FrameError> {
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
pub(super) fn weight_values(
    column: &str,
    v: Values<'_>,
    rule: WeightRule,
) -> Result<Vec<f64>, FrameError> {
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
pub(super) fn indicator(
    column: &str,
    v: Values<'_>,
    allow_12: bool,
) -> Result<Vec<Option<bool>>, FrameError> {
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
pub(super) fn factor_codes(v: Values<'_>, rows: &[usize]) -> (Vec<Option<u32>>, Vec<String>) {
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
pub(super) fn code_terms(
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
    use super::super::design_matrix;
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
}
