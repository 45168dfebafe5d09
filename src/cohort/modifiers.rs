//! `[[modifiers]]` of a plan: continuous effect modifiers, each giving the hazard ratio of death
//! as a smooth function of the modifier ([`super::estimate::modifier`]). Checked once into
//! [`ValidModifier`].
//!
//! ```toml
//! [[modifiers]]
//! column = "sofa_lo_day1"   # a numeric patient or derived column
//! knots = 4                 # 3 to 7: Harrell's default percentiles (rms::rcs)
//! # knot_values = [2, 5, 8, 12]   # or the knots themselves, increasing
//! ```

use serde::{Deserialize, Serialize};

use super::valid_plan::{bad, finite, not_blank};
use super::CohortError;

/// One `[[modifiers]]` entry as written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModifierSpec {
    pub column: String,
    #[serde(default = "default_knots")]
    pub knots: usize,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub knot_values: Option<Vec<f64>>,
}

fn default_knots() -> usize {
    4
}

/// Fewest and most knots of a modifier spline.
pub const KNOTS_RANGE: [usize; 2] = [3, 7];

/// A checked modifier: the column and either a knot count or the knots.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidModifier {
    pub column: String,
    pub knots: Knots,
}

/// How the spline's knots are placed.
#[derive(Debug, Clone, PartialEq)]
pub enum Knots {
    /// Harrell's default percentiles for this many knots.
    Count(usize),
    /// These knots, increasing.
    At(Vec<f64>),
}

impl ModifierSpec {
    /// Checks the entry at plan key `key` (e.g. `modifiers[0]`).
    ///
    /// # Errors
    /// [`CohortError::PlanValue`] for a blank column, a knot count outside 3 to 7, or knot
    /// values that are not finite and strictly increasing (or fewer than 3 or more than 7).
    pub fn check(&self, key: &str) -> Result<ValidModifier, CohortError> {
        not_blank(&format!("{key}.column"), &self.column)?;
        let [lo, hi] = KNOTS_RANGE;
        let knots = match &self.knot_values {
            Some(v) => {
                let k = format!("{key}.knot_values");
                if v.len() < lo || v.len() > hi {
                    return Err(bad(
                        &k,
                        format!("must list {lo} to {hi} knots, got {}", v.len()),
                    ));
                }
                for (i, x) in v.iter().enumerate() {
                    finite(&format!("{k}[{i}]"), *x)?;
                }
                if v.windows(2).any(|w| w[1] <= w[0]) {
                    return Err(bad(&k, "must be strictly increasing"));
                }
                Knots::At(v.clone())
            }
            None => {
                if self.knots < lo || self.knots > hi {
                    return Err(bad(
                        &format!("{key}.knots"),
                        format!("must be from {lo} to {hi}, got {}", self.knots),
                    ));
                }
                Knots::Count(self.knots)
            }
        };
        Ok(ValidModifier {
            column: self.column.clone(),
            knots,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(knots: usize, values: Option<Vec<f64>>) -> ModifierSpec {
        ModifierSpec {
            column: "sofa_lo_day1".into(),
            knots,
            knot_values: values,
        }
    }

    #[test]
    fn knot_counts_on_both_sides_of_the_range() {
        assert!(spec(2, None).check("modifiers[0]").is_err());
        assert!(spec(3, None).check("modifiers[0]").is_ok());
        assert!(spec(7, None).check("modifiers[0]").is_ok());
        let e = spec(8, None).check("modifiers[0]").unwrap_err().to_string();
        assert!(
            e.contains("modifiers[0].knots: must be from 3 to 7, got 8"),
            "{e}"
        );
    }

    #[test]
    fn knot_values_must_increase() {
        assert!(spec(4, Some(vec![1.0, 2.0, 3.0])).check("m").is_ok());
        let e = spec(4, Some(vec![1.0, 2.0, 2.0]))
            .check("m")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("m.knot_values: must be strictly increasing"),
            "{e}"
        );
        assert!(spec(4, Some(vec![1.0, 2.0])).check("m").is_err());
        assert!(spec(4, Some(vec![1.0, f64::NAN, 3.0])).check("m").is_err());
    }
}
