//! Imputation of a binary variable by Bayesian logistic regression, R `mice` 3.15
//! `mice.impute.logreg` (Rubin 1987, p. 169-170; van Buuren 2018, algorithm 3.4): fit the
//! logistic model on the observed cases plus the pseudo-observations of `mice:::augment`
//! (White, Daniel & Royston 2010, which keep the fit finite under perfect prediction), draw
//! `beta* = beta + L z` with `L L'` the unscaled covariance, and impute `1` where a uniform is at
//! most `plogis(x beta*)`.
//!
//! `augment` adds `2 p k` rows (`p` predictors, `k` observed categories, here 2): for predictor
//! `j`, rows `2kj .. 2k(j+1)` sit at `mean_j +- sd_j / 2` (clamped to the observed range), the other
//! predictors at their means, with outcomes `0, 0, 1, 1`, each of weight `(p + 1) / (2 p k)`.
//! Means, standard deviations and ranges are over all rows of the (completed) predictors, as R.
//!
//! Differences from R, on purpose: the IRLS is `stats::logistic` (R's `glm.fit` rules); a fit
//! that does not converge is an error here where R warns and goes on.
//!
//! Cost: O((n + 2pk) p^2) per IRLS iteration.

// Dense numeric kernels read best with explicit indices.
#![allow(clippy::needless_range_loop)]

use super::super::logistic::{logistic_regression, LogisticOptions};
use super::super::StatsError;
use super::norm::cholesky_lower;
use super::rng::Stream;

/// The data `mice:::augment` returns: outcomes, column-major predictors and prior weights of the
/// observed rows followed by the pseudo-observations.
#[derive(Debug, Clone, PartialEq)]
pub struct Augmented {
    pub y: Vec<f64>,
    pub x: Vec<Vec<f64>>,
    pub w: Vec<f64>,
}

/// `mice:::augment(y, ry, x, wy)` restricted to the rows the fit uses (`ry`): `y` holds the 0/1
/// outcome (anything for unobserved rows), `x` the column-major predictors of all rows.
pub fn augment(y: &[f64], ry: &[bool], x: &[Vec<f64>]) -> Augmented {
    let n = y.len();
    let p = x.len();
    let mut icod: Vec<f64> = (0..n).filter(|&i| ry[i]).map(|i| y[i]).collect();
    icod.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    icod.dedup();
    let k = icod.len();
    let obs: Vec<usize> = (0..n).filter(|&i| ry[i]).collect();
    let mut out = Augmented {
        y: obs.iter().map(|&i| y[i]).collect(),
        x: x.iter()
            .map(|c| obs.iter().map(|&i| c[i]).collect())
            .collect(),
        w: vec![1.0; obs.len()],
    };
    if p == 0 || n - obs.len() == 1 {
        return out;
    }
    let nr = 2 * p * k;
    let period = 2 * k + nr;
    for (j, col) in x.iter().enumerate() {
        let mean = col.iter().sum::<f64>() / n as f64;
        let sd = (col.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n as f64 - 1.0)).sqrt();
        let (lo, hi) = col
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
                (a.min(v), b.max(v))
            });
        for r in 0..nr {
            // R recycles c(rep(c(0.5, -0.5), k), rep(0, nr)) down the columns of an nr x p matrix.
            let q = (j * nr + r) % period;
            let b = if q < 2 * k {
                if q % 2 == 0 {
                    0.5
                } else {
                    -0.5
                }
            } else {
                0.0
            };
            out.x[j].push((mean + b * sd).max(lo).min(hi));
        }
    }
    for r in 0..nr {
        out.y.push(icod[(r / 2) % k]);
        out.w.push((p as f64 + 1.0) / nr as f64);
    }
    out
}

/// Imputes the rows `!ry` of the binary `y` from the column-major predictors `x` (all rows).
pub(crate) fn impute_logreg(
    rng: &mut Stream,
    y: &[f64],
    ry: &[bool],
    x: &[Vec<f64>],
) -> Result<Vec<f64>, StatsError> {
    let n0 = ry.iter().filter(|r| !**r).count();
    logreg_given(y, ry, x, |k| {
        let z: Vec<f64> = (0..k).map(|_| rng.normal()).collect();
        let u: Vec<f64> = (0..n0).map(|_| rng.uniform()).collect();
        (z, u)
    })
}

/// `mice.impute.logreg(y, ry, x)` with its variates given: `draw(k)` returns the `k` standard
/// normals of `beta*` and one uniform per missing row (R: `rnorm(k)`, then `runif(n0)`). Given R's
/// variates, R's imputations exactly.
///
/// # Errors
/// `StatsError::InvalidInput` when fewer than two categories are observed; the logistic fit's
/// errors otherwise.
pub fn logreg_given(
    y: &[f64],
    ry: &[bool],
    x: &[Vec<f64>],
    draw: impl FnOnce(usize) -> (Vec<f64>, Vec<f64>),
) -> Result<Vec<f64>, StatsError> {
    let aug = augment(y, ry, x);
    if aug.y.iter().all(|v| *v == aug.y[0]) {
        return Err(StatsError::InvalidInput(
            "logistic imputation: only one category is observed".into(),
        ));
    }
    let fit = logistic_regression(&aug.y, &aug.x, Some(&aug.w), &LogisticOptions::default())?;
    let k = fit.coef.len();
    let mut cov = fit.cov.clone();
    for a in 0..k {
        for b in 0..a {
            let s = 0.5 * (cov[a * k + b] + cov[b * k + a]);
            cov[a * k + b] = s;
            cov[b * k + a] = s;
        }
    }
    let l = cholesky_lower(&cov, k).ok_or_else(|| {
        StatsError::Singular("logistic imputation: covariance not positive definite".into())
    })?;
    let (z, u) = draw(k);
    let beta: Vec<f64> = (0..k)
        .map(|i| fit.coef[i] + (0..=i).map(|p| l[i * k + p] * z[p]).sum::<f64>())
        .collect();
    let out = (0..y.len())
        .filter(|&i| !ry[i])
        .zip(&u)
        .map(|(i, &ui)| {
            let eta = beta[0] + x.iter().zip(&beta[1..]).map(|(c, b)| c[i] * b).sum::<f64>();
            let p = 1.0 / (1.0 + (-eta).exp());
            if ui <= p {
                1.0
            } else {
                0.0
            }
        })
        .collect();
    Ok(out)
}
