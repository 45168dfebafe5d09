//! Restricted cubic splines: Harrell's basis exactly as R `rms::rcs` (rms 6.5, which calls
//! `Hmisc::rcspline.eval(x, nk, inclx = TRUE, norm = 2)`, Hmisc 4.8).
//!
//! * Knots: given explicitly, or placed at quantiles of the data by rms's rule (see
//!   [`RcsBasis::from_data`]): 3 knots at the 10/50/90th percentiles, 4-6 knots equally spaced
//!   on the quantile scale between the 5th and 95th (so 5/35/65/95 for 4, 5/27.5/50/72.5/95 for
//!   5), 7 or more between the 2.5th and 97.5th; with fewer than 100 values the outer knots are
//!   the 5th smallest and 5th largest value; a value holding at least 5% of the data at either
//!   end (R `fractied = 0.05`) moves that end knot to the next distinct value; with at most
//!   `nk + 2` distinct values the knots are the interior distinct values.
//! * Basis: `x` itself followed by `nk - 2` nonlinear columns, normalised by `(t_k - t_1)^2`
//!   as R's default `norm = 2` (see [`RcsBasis::row`]).
//!
//! Differences from R, on purpose: where R's knot rule falls back to its "alternate algorithm"
//! (fewer than three distinct quantiles), this returns an error naming the column's distinct
//! values instead of printing a table; R's warning for few distinct values is returned as text.
//!
//! Cost: knot placement is one sort (O(n log n)); evaluation is O(nk) per value.

use serde::Serialize;

use super::StatsError;

/// R `quantile(x, probs, type = 7)` of `sorted` (ascending, finite), with R's arithmetic
/// (`(1 - h) * x[lo] + h * x[hi]`, the lower value when the two are equal).
///
/// # Formula
/// With `n` values and `i = 1 + (n - 1) p`, `lo = floor(i)`, `hi = ceil(i)`, `h = i - lo`:
/// `Q(p) = (1 - h) x_(lo) + h x_(hi)`.
pub fn quantile_type7_sorted(sorted: &[f64], p: f64) -> f64 {
    let n = sorted.len();
    if n == 0 {
        return f64::NAN;
    }
    let index = 1.0 + (n as f64 - 1.0) * p;
    let lo = index.floor();
    let hi = index.ceil();
    let (xl, xh) = (sorted[lo as usize - 1], sorted[hi as usize - 1]);
    if index > lo && xh != xl {
        let h = index - lo;
        (1.0 - h) * xl + h * xh
    } else {
        xl
    }
}

/// R `seq(from, to, length.out = n)`: `from + i * by` with `by = (to - from) / (n - 1)` and the
/// last value exactly `to`.
fn seq_length(from: f64, to: f64, n: usize) -> Vec<f64> {
    if n == 1 {
        return vec![from];
    }
    let by = (to - from) / (n as f64 - 1.0);
    (0..n)
        .map(|i| if i + 1 == n { to } else { from + i as f64 * by })
        .collect()
}

/// A restricted cubic spline basis with validated knots (at least three, finite, strictly
/// increasing).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RcsBasis {
    knots: Vec<f64>,
    /// R's warnings while placing the knots (empty when the knots were given).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

impl RcsBasis {
    /// A basis with the given knots (sorted and de-duplicated as R's `sort(unique(knots))`).
    ///
    /// # Errors
    /// `StatsError::InvalidInput` for a non-finite knot or fewer than three distinct knots.
    pub fn from_knots(knots: &[f64]) -> Result<RcsBasis, StatsError> {
        if let Some(k) = knots.iter().find(|k| !k.is_finite()) {
            return Err(StatsError::InvalidInput(format!(
                "spline knot {k} is not finite"
            )));
        }
        let mut k = knots.to_vec();
        k.sort_by(f64::total_cmp);
        k.dedup();
        if k.len() < 3 {
            return Err(StatsError::InvalidInput(format!(
                "a restricted cubic spline needs at least 3 distinct knots, got {k:?}"
            )));
        }
        Ok(RcsBasis {
            knots: k,
            warnings: Vec::new(),
        })
    }

    /// `nk` knots placed at quantiles of the finite values of `x`, by the rule of R
    /// `rms::rcs(x, nk)` (module docs), `fractied = 0.05`.
    ///
    /// # Errors
    /// `StatsError::InvalidInput` when `nk < 3`, there are fewer than 6 finite values, or the
    /// quantiles give fewer than three distinct knots.
    pub fn from_data(x: &[f64], nk: usize) -> Result<RcsBasis, StatsError> {
        let mut xx: Vec<f64> = x.iter().copied().filter(|v| v.is_finite()).collect();
        let n = xx.len();
        if n < 6 {
            return Err(StatsError::InvalidInput(format!(
                "spline knots need at least 6 non-missing values, got {n}"
            )));
        }
        if nk < 3 {
            return Err(StatsError::InvalidInput(format!(
                "a restricted cubic spline needs at least 3 knots, got {nk}"
            )));
        }
        xx.sort_by(f64::total_cmp);
        let mut unique = xx.clone();
        unique.dedup();
        let nxu = unique.len();
        let mut warnings = Vec::new();
        if nxu < 5 {
            return Err(StatsError::InvalidInput(format!(
                "a restricted cubic spline needs at least 5 distinct values (3 interior knots), got {nxu}"
            )));
        }
        if nxu <= nk + 2 {
            warnings.push(format!(
                "{nk} knots requested with {nxu} unique values of x.  knots set to {} interior values.",
                nxu.saturating_sub(2)
            ));
            let mut b = RcsBasis::from_knots(&unique[1..nxu - 1])?;
            b.warnings = warnings;
            return Ok(b);
        }
        let outer = if nk > 6 {
            0.025
        } else if nk > 3 {
            0.05
        } else {
            0.1
        };
        let mut nke = nk;
        let (mut first, mut last) = (None, None);
        // R's `fractied`: frequency of each distinct value (table(xx) / n)
        let freq = |v: f64, s: &[f64]| s.iter().filter(|&&y| y == v).count() as f64 / n as f64;
        let interior_max = unique[1..nxu - 1]
            .iter()
            .map(|&v| freq(v, &xx))
            .fold(f64::NEG_INFINITY, f64::max);
        let mut body: Vec<f64> = xx.clone();
        if interior_max < 0.05 {
            if freq(unique[0], &xx) >= 0.05 {
                let fk = unique[1];
                first = Some(fk);
                body.retain(|&v| v > fk);
                nke -= 1;
            }
            if freq(unique[nxu - 1], &xx) >= 0.05 {
                let lk = unique[nxu - 2];
                last = Some(lk);
                body.retain(|&v| v < lk);
                nke -= 1;
            }
        }
        let mut knots: Vec<f64> = if nke == 1 {
            vec![quantile_type7_sorted(&body, 0.5)]
        } else {
            let p = if nke == 2 {
                seq_length(0.5, 1.0 - outer, nke)
            } else {
                seq_length(outer, 1.0 - outer, nke)
            };
            let mut k: Vec<f64> = if nxu <= nke {
                unique.clone()
            } else {
                p.iter().map(|&q| quantile_type7_sorted(&body, q)).collect()
            };
            let mut ku = k.clone();
            ku.sort_by(f64::total_cmp);
            ku.dedup();
            if ku.len() < nke.min(3) {
                return Err(StatsError::InvalidInput(format!(
                    "could not place {nk} spline knots: quantiles {k:?} of {nxu} distinct values"
                )));
            }
            if body.len() < 100 {
                if first.is_none() {
                    k[0] = body[4];
                }
                if last.is_none() {
                    k[nke - 1] = body[body.len() - 5];
                }
            }
            k
        };
        if let Some(f) = first {
            knots.insert(0, f);
        }
        if let Some(l) = last {
            knots.push(l);
        }
        let mut b = RcsBasis::from_knots(&knots)?;
        b.warnings = warnings;
        Ok(b)
    }

    /// The knots, ascending.
    pub fn knots(&self) -> &[f64] {
        &self.knots
    }

    /// Number of basis columns, `x` included: `nk - 1`.
    pub fn n_columns(&self) -> usize {
        self.knots.len() - 1
    }

    /// Column names as rms: `m`, `m'`, `m''`, ...
    pub fn column_names(&self, name: &str) -> Vec<String> {
        (0..self.n_columns())
            .map(|j| format!("{name}{}", "'".repeat(j)))
            .collect()
    }

    /// The basis at one value: `[x, s_1(x), ..., s_{k-2}(x)]`.
    ///
    /// # Formula
    /// With knots `t_1 < ... < t_k`, `(u)_+ = max(u, 0)` and `kd = (t_k - t_1)^(2/3)`,
    /// `s_j(x) = ((x - t_j)/kd)_+^3 + [(t_{k-1} - t_j) ((x - t_k)/kd)_+^3
    ///            - (t_k - t_j) ((x - t_{k-1})/kd)_+^3] / (t_k - t_{k-1})`,
    /// that is Harrell's truncated-power basis divided by `(t_k - t_1)^2`; linear beyond the
    /// outer knots. Evaluated in R's order of operations.
    pub fn row(&self, x: f64) -> Vec<f64> {
        let t = &self.knots;
        let k = t.len();
        let (t1, tk, tk1) = (t[0], t[k - 1], t[k - 2]);
        let kd = (tk - t1).powf(2.0 / 3.0);
        let cube = |u: f64| (u / kd).max(0.0).powi(3);
        let mut out = Vec::with_capacity(k - 1);
        out.push(x);
        for &tj in &t[..k - 2] {
            out.push(
                cube(x - tj) + ((tk1 - tj) * cube(x - tk) - (tk - tj) * cube(x - tk1)) / (tk - tk1),
            );
        }
        out
    }

    /// The basis of every value, column-major: `cols[j][i]` is column `j` at `x[i]`.
    pub fn columns(&self, x: &[f64]) -> Vec<Vec<f64>> {
        let mut cols = vec![Vec::with_capacity(x.len()); self.n_columns()];
        for &v in x {
            for (c, b) in cols.iter_mut().zip(self.row(v)) {
                c.push(b);
            }
        }
        cols
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basis_is_linear_beyond_the_outer_knots() {
        let b = RcsBasis::from_knots(&[1.0, 2.0, 4.0, 8.0]).unwrap();
        for j in 1..3 {
            let f = |x: f64| b.row(x)[j];
            // second differences vanish left of t_1 and right of t_k
            assert!((f(10.0) - 2.0 * f(11.0) + f(12.0)).abs() < 1e-9);
            assert_eq!(f(0.5), 0.0);
        }
    }

    #[test]
    fn quantile_matches_r_interpolation() {
        let v = [1.0, 2.0, 3.0, 4.0, 10.0];
        assert_eq!(quantile_type7_sorted(&v, 0.5), 3.0);
        assert!((quantile_type7_sorted(&v, 0.95) - 8.8).abs() < 1e-12);
    }
}
