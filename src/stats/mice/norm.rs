//! The Bayesian linear-regression draw behind predictive mean matching, R `mice` 3.15
//! `estimice(ls.meth = "qr")` and `.norm.draw` (Rubin 1987, p. 167; van Buuren 2018, algorithm
//! 3.1): least squares of `y` on `x` (intercept included by the caller), `sigma* = sqrt(rss /
//! chi2_df)`, `beta* = beta + L z sigma*` with `L L' = (X'X)^{-1}` and `z` standard normal.
//!
//! Differences from R, on purpose: `lm.fit` solves by a pivoted QR; here the normal equations are
//! solved by a Cholesky factorisation of `X'X` (agreeing to ~1e-10 on conditioned designs). When
//! `X'X` is not numerically positive definite, R leaves an aliased coefficient `NA` (then 0) and
//! only the covariance gets the ridge; here both coefficients and covariance come from the ridged
//! system `X'X + ridge diag(X'X)`, which is `mice`'s `ls.meth = "ridge"`.
//!
//! Cost: O(n k^2 + k^3).

// Dense numeric kernels read best with explicit indices.
#![allow(clippy::needless_range_loop)]

use super::super::StatsError;

/// Least squares of `y` on the row-major `n x k` design `x`, as `estimice` returns it.
#[derive(Debug, Clone, PartialEq)]
pub struct LeastSquares {
    /// Coefficients (`c`).
    pub coef: Vec<f64>,
    /// Residual sum of squares (`sum(r^2)`).
    pub rss: f64,
    /// `max(n - k, 1)`.
    pub df: f64,
    /// `(X'X)^{-1}`, row-major `k x k` (`v`).
    pub v: Vec<f64>,
    /// Whether the ridge penalty was needed.
    pub ridged: bool,
}

/// Lower Cholesky factor `L` (`L L' = a`) of the symmetric `k x k` row-major `a`, R
/// `t(chol(a))`; `None` when a pivot is not positive (relative to the largest diagonal, 1e-12).
pub fn cholesky_lower(a: &[f64], k: usize) -> Option<Vec<f64>> {
    let scale = (0..k).map(|i| a[i * k + i].abs()).fold(0.0, f64::max);
    let mut l = vec![0.0; k * k];
    for j in 0..k {
        let mut d = a[j * k + j];
        for p in 0..j {
            d -= l[j * k + p] * l[j * k + p];
        }
        if d.is_nan() || d <= 1e-12 * scale {
            return None;
        }
        let d = d.sqrt();
        l[j * k + j] = d;
        for i in j + 1..k {
            let mut s = a[i * k + j];
            for p in 0..j {
                s -= l[i * k + p] * l[j * k + p];
            }
            l[i * k + j] = s / d;
        }
    }
    Some(l)
}

/// Inverse of a symmetric positive definite matrix from its lower Cholesky factor.
fn inverse_from_cholesky(l: &[f64], k: usize) -> Vec<f64> {
    // Invert L (lower triangular), then A^{-1} = L^{-T} L^{-1}.
    let mut li = vec![0.0; k * k];
    for j in 0..k {
        li[j * k + j] = 1.0 / l[j * k + j];
        for i in j + 1..k {
            let mut s = 0.0;
            for p in j..i {
                s -= l[i * k + p] * li[p * k + j];
            }
            li[i * k + j] = s / l[i * k + i];
        }
    }
    let mut inv = vec![0.0; k * k];
    for i in 0..k {
        for j in 0..=i {
            let mut s = 0.0;
            for p in i..k {
                s += li[p * k + i] * li[p * k + j];
            }
            inv[i * k + j] = s;
            inv[j * k + i] = s;
        }
    }
    inv
}

/// Least squares as `mice:::estimice` (see the module documentation for the ridge).
///
/// # Formula
/// `beta = (X'X)^{-1} X'y`, `rss = sum (y - X beta)^2`, `df = max(n - k, 1)`,
/// `v = (X'X)^{-1}`, or `(X'X + diag(ridge * diag(X'X)))^{-1}` when `X'X` is singular.
///
/// # Errors
/// `StatsError::InvalidInput` when the lengths do not match or there are no rows;
/// `StatsError::Singular` when even the ridged system cannot be factored (a zero column).
pub fn estimice(x: &[f64], y: &[f64], k: usize, ridge: f64) -> Result<LeastSquares, StatsError> {
    let n = y.len();
    if n == 0 || k == 0 || x.len() != n * k {
        return Err(StatsError::InvalidInput(format!(
            "least squares: {} design values for {n} rows of {k} columns",
            x.len()
        )));
    }
    let mut xtx = vec![0.0; k * k];
    let mut xty = vec![0.0; k];
    for (row, &yi) in x.chunks_exact(k).zip(y) {
        for a in 0..k {
            xty[a] += row[a] * yi;
            for b in 0..=a {
                xtx[a * k + b] += row[a] * row[b];
            }
        }
    }
    for a in 0..k {
        for b in 0..a {
            xtx[b * k + a] = xtx[a * k + b];
        }
    }
    let (l, ridged) = match cholesky_lower(&xtx, k) {
        Some(l) => (l, false),
        None => {
            let mut pen = xtx.clone();
            for a in 0..k {
                pen[a * k + a] += ridge * xtx[a * k + a];
            }
            let l = cholesky_lower(&pen, k).ok_or_else(|| {
                StatsError::Singular("least squares: X'X is singular even with the ridge".into())
            })?;
            (l, true)
        }
    };
    let v = inverse_from_cholesky(&l, k);
    let coef: Vec<f64> = (0..k)
        .map(|a| (0..k).map(|b| v[a * k + b] * xty[b]).sum())
        .collect();
    let rss = x
        .chunks_exact(k)
        .zip(y)
        .map(|(row, &yi)| {
            let f: f64 = row.iter().zip(&coef).map(|(a, b)| a * b).sum();
            (yi - f).powi(2)
        })
        .sum();
    Ok(LeastSquares {
        coef,
        rss,
        df: (n as f64 - k as f64).max(1.0),
        v,
        ridged,
    })
}

/// The parameter draw of `.norm.draw` given the chi-square variate `chi2` (on `ls.df` degrees of
/// freedom) and the standard normal vector `z` (length `k`).
///
/// # Formula
/// `sigma* = sqrt(rss / chi2)`, `beta* = beta + L z sigma*`, `L = t(chol((v + v')/2))`.
///
/// # Errors
/// `StatsError::Singular` when `v` is not positive definite.
pub fn norm_draw_given(
    ls: &LeastSquares,
    chi2: f64,
    z: &[f64],
) -> Result<(Vec<f64>, f64), StatsError> {
    let k = ls.coef.len();
    let l = cholesky_lower(&ls.v, k).ok_or_else(|| {
        StatsError::Singular("least squares: (X'X)^-1 is not positive definite".into())
    })?;
    let sigma = (ls.rss / chi2).sqrt();
    let beta = (0..k)
        .map(|i| ls.coef[i] + sigma * (0..=i).map(|p| l[i * k + p] * z[p]).sum::<f64>())
        .collect();
    Ok((beta, sigma))
}

/// Ordinary least squares with the usual standard errors (R `summary(lm(y ~ x))`): an analysis
/// model for completed data sets. `x` is column-major without the intercept; returns the
/// coefficients (intercept first), their standard errors and the residual degrees of freedom.
///
/// # Errors
/// As [`estimice`] (no ridge: a singular design is `StatsError::Singular`), and
/// `StatsError::InvalidInput` for a missing value or fewer rows than columns.
pub fn linear_regression(
    y: &[f64],
    x: &[Vec<f64>],
) -> Result<(Vec<f64>, Vec<f64>, f64), StatsError> {
    let n = y.len();
    let k = x.len() + 1;
    if n <= k {
        return Err(StatsError::InvalidInput(format!(
            "linear regression: {n} rows for {k} coefficients"
        )));
    }
    let mut rows = Vec::with_capacity(n * k);
    for i in 0..n {
        rows.push(1.0);
        for (j, col) in x.iter().enumerate() {
            if col.len() != n || !col[i].is_finite() || !y[i].is_finite() {
                return Err(StatsError::InvalidInput(format!(
                    "linear regression: covariate {} or outcome missing at row {}",
                    j + 1,
                    i + 1
                )));
            }
            rows.push(col[i]);
        }
    }
    let ls = estimice(&rows, y, k, 0.0)?;
    if ls.ridged {
        return Err(StatsError::Singular(
            "linear regression: singular design".into(),
        ));
    }
    let s2 = ls.rss / ls.df;
    let se = (0..k).map(|a| (s2 * ls.v[a * k + a]).sqrt()).collect();
    Ok((ls.coef, se, ls.df))
}
