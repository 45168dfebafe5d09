//! Unpenalised logistic regression by iteratively reweighted least squares, matching R
//! `glm(y ~ x, family = binomial)` (`glm.fit`): the same starting values
//! (`mustart = (w y + 0.5) / (w + 1)`), the same logit link guards (`|eta| > 30`), the same
//! convergence rule (`|dev - dev_old| / (|dev| + 0.1) < 1e-8`, at most 25 iterations), step
//! halving on a non-finite deviance, and standard errors from the weights of the last IRLS
//! step, as `summary.glm`. Used for propensity scores.
//!
//! The weighted least-squares step solves the normal equations with an LDL' factorisation
//! (R uses a QR decomposition); on reasonably conditioned designs the two agree to ~1e-10.
//!
//! Errors instead of R's warnings:
//! * `StatsError::Separation` when fitted probabilities are numerically 0 or 1 (R's warning
//!   "glm.fit: fitted probabilities numerically 0 or 1 occurred", i.e. within 10 machine epsilons),
//!   which is what (quasi-)complete separation produces: the estimates are not finite and
//!   propensity scores of 0 or 1 violate positivity.
//! * `StatsError::NonConvergence` when the deviance is still changing after `max_iter`.
//!
//! A covariate that is constant or aliased with earlier columns gets a `NaN` coefficient and
//! standard error (R's `NA`), detected by a pivot below `1e-10` times the largest diagonal of
//! `X' W X` (R uses a QR with tolerance 1e-8 on the column norms).

// Dense numeric kernels read best with explicit indices.
#![allow(clippy::needless_range_loop)]

use serde::Serialize;

use super::linalg::Ldl;
use super::StatsError;

/// IRLS options; `Default` gives R's `glm.control()`.
#[derive(Debug, Clone)]
pub struct LogisticOptions {
    /// Maximum IRLS iterations (R `maxit`, 25).
    pub max_iter: usize,
    /// Convergence tolerance on the relative deviance change (R `epsilon`, 1e-8).
    pub epsilon: f64,
    /// Covariate names (without the intercept); defaults to `x1`, `x2`, ...
    pub names: Option<Vec<String>>,
}

impl Default for LogisticOptions {
    fn default() -> Self {
        LogisticOptions {
            max_iter: 25,
            epsilon: 1e-8,
            names: None,
        }
    }
}

/// A fitted logistic regression (as `glm(..., family = binomial)` and its `summary`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LogisticFit {
    /// `"(Intercept)"` then the covariate names.
    pub names: Vec<String>,
    /// Coefficients, intercept first (`NaN` for an aliased column).
    pub coef: Vec<f64>,
    /// Standard errors.
    pub se: Vec<f64>,
    /// Wald z values.
    pub z: Vec<f64>,
    /// Two-sided p-values.
    pub p: Vec<f64>,
    /// Unscaled covariance matrix of the coefficients, row-major `(p+1) x (p+1)`.
    pub cov: Vec<f64>,
    /// Fitted probabilities (propensity scores).
    pub fitted: Vec<f64>,
    /// Linear predictor (log-odds).
    pub linear_predictor: Vec<f64>,
    /// Residual deviance.
    pub deviance: f64,
    /// Null deviance (intercept-only model).
    pub null_deviance: f64,
    /// AIC (`-2 loglik + 2 rank`, as R for 0/1 outcomes and integer weights).
    pub aic: f64,
    pub df_residual: usize,
    pub df_null: usize,
    /// IRLS iterations.
    pub iterations: usize,
}

const EPS: f64 = f64::EPSILON;
const THRESH: f64 = 30.0;

/// Inverse logit with R's guards (`binomial()$linkinv`).
fn linkinv(eta: f64) -> f64 {
    let t = if eta < -THRESH {
        EPS
    } else if eta > THRESH {
        1.0 / EPS
    } else {
        eta.exp()
    };
    t / (1.0 + t)
}

/// Derivative of the inverse logit with R's guards (`binomial()$mu.eta`).
fn mu_eta(eta: f64) -> f64 {
    if eta.abs() > THRESH {
        EPS
    } else {
        let e = eta.exp();
        let op = 1.0 + e;
        e / (op * op)
    }
}

fn y_log_y(y: f64, mu: f64) -> f64 {
    if y != 0.0 {
        y * (y / mu).ln()
    } else {
        0.0
    }
}

/// Binomial deviance residual contributions (`binomial()$dev.resids`), summed.
fn deviance(y: &[f64], mu: &[f64], w: &[f64]) -> f64 {
    y.iter()
        .zip(mu)
        .zip(w)
        .map(|((&y, &m), &w)| 2.0 * w * (y_log_y(y, m) + y_log_y(1.0 - y, 1.0 - m)))
        .sum()
}

/// Fit `logit P(y = 1) = b0 + x b` (R `glm(family = binomial)`). `y` in [0, 1] (proportions
/// need `weights` = trials, as R); `x` is column-major (`x[j][i]`); `weights` are R's prior
/// weights (>= 0).
///
/// # Errors
/// [`StatsError::InvalidInput`] for bad input, [`StatsError::Separation`] and
/// [`StatsError::NonConvergence`] as the module documentation says.
pub fn logistic_regression(
    y: &[f64],
    x: &[Vec<f64>],
    weights: Option<&[f64]>,
    options: &LogisticOptions,
) -> Result<LogisticFit, StatsError> {
    LogisticDesign::new(y.len(), x, options.names.clone())?.fit(y, weights, None, options)
}

/// A design matrix laid out once for repeated fits (a bootstrap refits the same covariates with
/// other weights): the intercept and the covariates, row-major.
#[derive(Debug, Clone)]
pub struct LogisticDesign {
    n: usize,
    /// Columns including the intercept.
    k: usize,
    names: Vec<String>,
    rows: Vec<f64>,
}

impl LogisticDesign {
    /// Lays out `x` (column-major, `x[j][i]`, `n` rows) with an intercept.
    ///
    /// # Errors
    /// [`StatsError::InvalidInput`] when a column's length is not `n`, a value is not finite or
    /// the names do not match.
    pub fn new(
        n: usize,
        x: &[Vec<f64>],
        names: Option<Vec<String>>,
    ) -> Result<LogisticDesign, StatsError> {
        let names: Vec<String> = match names {
            Some(nm) if nm.len() == x.len() => nm,
            Some(nm) => {
                return Err(StatsError::InvalidInput(format!(
                    "{} names for {} covariates",
                    nm.len(),
                    x.len()
                )))
            }
            None => (1..=x.len()).map(|j| format!("x{j}")).collect(),
        };
        for (j, col) in x.iter().enumerate() {
            if col.len() != n {
                return Err(StatsError::InvalidInput(format!(
                    "covariate `{}` has {} values, expected {n}",
                    names[j],
                    col.len()
                )));
            }
            if let Some(i) = col.iter().position(|v| !v.is_finite()) {
                return Err(StatsError::InvalidInput(format!(
                    "covariate `{}` is missing or not finite at row {}",
                    names[j],
                    i + 1
                )));
            }
        }
        let k = x.len() + 1;
        let mut rows = vec![0.0; n * k];
        for (i, row) in rows.chunks_exact_mut(k).enumerate() {
            row[0] = 1.0;
            for (j, col) in x.iter().enumerate() {
                row[j + 1] = col[i];
            }
        }
        Ok(LogisticDesign { n, k, names, rows })
    }

    /// Fits `y` with prior `weights`, from `start` (coefficients, intercept first; R's `start`)
    /// or, without it, from R's `mustart`.
    ///
    /// # Errors
    /// As [`logistic_regression`].
    pub fn fit(
        &self,
        y: &[f64],
        weights: Option<&[f64]>,
        start: Option<&[f64]>,
        options: &LogisticOptions,
    ) -> Result<LogisticFit, StatsError> {
        let (n, k) = (self.n, self.k);
        if y.len() != n {
            return Err(StatsError::InvalidInput(format!(
                "{} outcomes for {n} rows",
                y.len()
            )));
        }
        irls(self, y, weights, start, options).map(|f| f.finish(self, y, n, k))
    }
}

impl LogisticDesign {
    /// Rows of the design.
    pub fn len(&self) -> usize {
        self.n
    }
    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    /// The linear predictor `x_i' b` of every row (aliased, `NaN`, coefficients count as 0).
    pub fn linear_predictor(&self, coef: &[f64]) -> Vec<f64> {
        let k = self.k;
        let b: Vec<f64> = coef
            .iter()
            .map(|c| if c.is_finite() { *c } else { 0.0 })
            .collect();
        let mut out = vec![0.0; self.n];
        for (o, row) in out.iter_mut().zip(self.rows.chunks_exact(k)) {
            let mut e = 0.0;
            for a in 0..k {
                e += row[a] * b[a];
            }
            *o = e;
        }
        out
    }

    /// The coefficients of a bootstrap replicate by the estimating-function bootstrap (Hu F &
    /// Kalbfleisch JD, Can J Stat 2000;28:449-499): the replicate's estimating equations
    /// linearised at the full-sample estimate `fit` (of `y` on this design, unweighted),
    /// `b* = b + Sigma sum_i c_i x_i (y_i - p_i)`, `c_i` the times row `i` was drawn and `Sigma`
    /// the fit's covariance. First-order equivalent to refitting the replicate, at O(n k)
    /// instead of IRLS's O(n k^2) per iteration.
    pub fn linearised_replicate(&self, fit: &LogisticFit, y: &[f64], counts: &[u32]) -> Vec<f64> {
        let k = self.k;
        let mut u = vec![0.0; k];
        for (i, row) in self.rows.chunks_exact(k).enumerate() {
            if counts[i] == 0 {
                continue;
            }
            let r = f64::from(counts[i]) * (y[i] - fit.fitted[i]);
            for a in 0..k {
                u[a] += r * row[a];
            }
        }
        let ok: Vec<bool> = fit.coef.iter().map(|c| c.is_finite()).collect();
        let mut out = vec![f64::NAN; k];
        for a in 0..k {
            if !ok[a] {
                continue;
            }
            let mut v = fit.coef[a];
            for b in 0..k {
                if ok[b] {
                    v += fit.cov[a * k + b] * u[b];
                }
            }
            out[a] = v;
        }
        out
    }
}

/// The state of IRLS at convergence (before the summary statistics).
struct Irls {
    coef: Vec<f64>,
    mu: Vec<f64>,
    eta: Vec<f64>,
    w: Vec<f64>,
    dev: f64,
    ldl: Ldl,
    iterations: usize,
}

/// Iteratively reweighted least squares as `glm.fit`.
fn irls(
    d: &LogisticDesign,
    y: &[f64],
    weights: Option<&[f64]>,
    start: Option<&[f64]>,
    options: &LogisticOptions,
) -> Result<Irls, StatsError> {
    let (n, k) = (y.len(), d.k);
    let w = checked_weights(y, weights)?;
    let row = |i: usize| &d.rows[i * k..(i + 1) * k];
    let linear = |c: &[f64], i: usize| -> f64 { row(i).iter().zip(c).map(|(x, b)| x * b).sum() };
    let (mut mu, mut eta): (Vec<f64>, Vec<f64>) = match start {
        Some(c) if c.len() == k => {
            let eta: Vec<f64> = (0..n).map(|i| linear(c, i)).collect();
            (eta.iter().map(|&e| linkinv(e)).collect(), eta)
        }
        Some(c) => {
            return Err(StatsError::InvalidInput(format!(
                "{} starting values for {k} coefficients",
                c.len()
            )))
        }
        None => {
            let mu: Vec<f64> = (0..n).map(|i| (w[i] * y[i] + 0.5) / (w[i] + 1.0)).collect();
            let eta = mu.iter().map(|m| (m / (1.0 - m)).ln()).collect();
            (mu, eta)
        }
    };
    let mut dev_old = deviance(y, &mu, &w);
    let mut coef_old: Option<Vec<f64>> = start.map(<[f64]>::to_vec);
    let np = k * (k + 1) / 2;
    let mut packed = vec![0.0; np];
    let mut xtwx = vec![0.0; k * k];
    let mut xtwz = vec![0.0; k];
    for iter in 1..=options.max_iter {
        weighted_normal_equations(d, y, &w, &mu, &eta, &mut packed, &mut xtwx, &mut xtwz);
        let ldl = Ldl::new(&xtwx, k, 1e-10);
        let mut coef = xtwz.clone();
        ldl.solve(&mut coef);
        let compute = |c: &[f64], eta: &mut Vec<f64>, mu: &mut Vec<f64>| {
            for i in 0..n {
                eta[i] = linear(c, i);
                mu[i] = linkinv(eta[i]);
            }
        };
        compute(&coef, &mut eta, &mut mu);
        let mut dev = deviance(y, &mu, &w);
        if !dev.is_finite() {
            let Some(old) = &coef_old else {
                return Err(StatsError::NonConvergence {
                    iterations: iter,
                    detail: "logistic regression: non-finite deviance and no valid coefficients \
                             to step back to"
                        .into(),
                });
            };
            dev = halve_to_finite(&mut coef, old, options.max_iter, iter, |c| {
                compute(c, &mut eta, &mut mu);
                deviance(y, &mu, &w)
            })?;
        }
        if (dev - dev_old).abs() / (dev.abs() + 0.1) < options.epsilon {
            return check_boundary(Irls {
                coef,
                mu,
                eta,
                w,
                dev,
                ldl,
                iterations: iter,
            });
        }
        if iter == options.max_iter {
            check_boundary(Irls {
                coef: coef.clone(),
                mu: mu.clone(),
                eta: eta.clone(),
                w: w.clone(),
                dev,
                ldl,
                iterations: iter,
            })?;
            return Err(StatsError::NonConvergence {
                iterations: iter,
                detail: format!("logistic regression: deviance still changing ({dev})"),
            });
        }
        dev_old = dev;
        coef_old = Some(coef);
    }
    Err(StatsError::NonConvergence {
        iterations: 0,
        detail: "logistic regression: no iterations allowed".into(),
    })
}

/// The outcome checked to lie in [0, 1] and the prior weights (1 when absent) checked finite and
/// non-negative, one per row.
fn checked_weights(y: &[f64], weights: Option<&[f64]>) -> Result<Vec<f64>, StatsError> {
    let n = y.len();
    if n == 0 {
        return Err(StatsError::InvalidInput("no rows".into()));
    }
    if let Some(i) = y.iter().position(|v| !(0.0..=1.0).contains(v)) {
        return Err(StatsError::InvalidInput(format!(
            "outcome must be in [0, 1] (row {}: {})",
            i + 1,
            y[i]
        )));
    }
    let w: Vec<f64> = match weights {
        Some(w) => {
            if w.len() != n {
                return Err(StatsError::InvalidInput(format!(
                    "weights has {} values, expected {n}",
                    w.len()
                )));
            }
            if let Some(i) = w.iter().position(|v| !(v.is_finite() && *v >= 0.0)) {
                return Err(StatsError::InvalidInput(format!(
                    "weights must be finite and >= 0 (row {}: {})",
                    i + 1,
                    w[i]
                )));
            }
            w.to_vec()
        }
        None => vec![1.0; n],
    };
    Ok(w)
}

/// `X'WX` (into `xtwx`, k x k, via the packed lower triangle `packed`) and `X'Wz` (into `xtwz`)
/// of one IRLS step, with working weights `w mu_eta^2 / var` and working response
/// `eta + (y - mu) / mu_eta`, as `glm.fit`; rows with zero weight or `mu_eta = 0` are skipped.
#[allow(clippy::too_many_arguments)]
fn weighted_normal_equations(
    d: &LogisticDesign,
    y: &[f64],
    w: &[f64],
    mu: &[f64],
    eta: &[f64],
    packed: &mut [f64],
    xtwx: &mut [f64],
    xtwz: &mut [f64],
) {
    let k = d.k;
    packed.fill(0.0);
    xtwz.fill(0.0);
    for i in 0..y.len() {
        if w[i] == 0.0 {
            continue;
        }
        let me = mu_eta(eta[i]);
        if me == 0.0 {
            continue;
        }
        let var = mu[i] * (1.0 - mu[i]);
        let z = eta[i] + (y[i] - mu[i]) / me;
        let ww = w[i] * me * me / var;
        let x = &d.rows[i * k..(i + 1) * k];
        let mut q = 0;
        for a in 0..k {
            let xa = x[a] * ww;
            xtwz[a] += xa * z;
            for (pk, xb) in packed[q..q + a + 1].iter_mut().zip(&x[..=a]) {
                *pk += xa * xb;
            }
            q += a + 1;
        }
    }
    let mut q = 0;
    for a in 0..k {
        for b in 0..=a {
            xtwx[a * k + b] = packed[q];
            xtwx[b * k + a] = packed[q];
            q += 1;
        }
    }
}

/// `glm.fit`'s step halving after a non-finite deviance: move `coef` half way back toward `old`
/// until `deviance(coef)` is finite; returns that deviance.
///
/// # Errors
/// [`StatsError::NonConvergence`] after `max_iter` halvings.
fn halve_to_finite(
    coef: &mut [f64],
    old: &[f64],
    max_iter: usize,
    iter: usize,
    mut deviance: impl FnMut(&[f64]) -> f64,
) -> Result<f64, StatsError> {
    let mut dev = f64::NAN;
    let mut ii = 0;
    while !dev.is_finite() {
        ii += 1;
        if ii > max_iter {
            return Err(StatsError::NonConvergence {
                iterations: iter,
                detail: "logistic regression: step halving failed to find a finite deviance".into(),
            });
        }
        for (c, o) in coef.iter_mut().zip(old) {
            *c = (*c + o) / 2.0;
        }
        dev = deviance(coef);
    }
    Ok(dev)
}

/// R's warning "fitted probabilities numerically 0 or 1 occurred" as an error.
fn check_boundary(f: Irls) -> Result<Irls, StatsError> {
    let boundary: Vec<usize> = (0..f.mu.len())
        .filter(|&i| f.w[i] > 0.0 && (f.mu[i] > 1.0 - 10.0 * EPS || f.mu[i] < 10.0 * EPS))
        .collect();
    if !boundary.is_empty() {
        return Err(StatsError::Separation(format!(
            "logistic regression: fitted probabilities numerically 0 or 1 for {} row(s) (first: \
             row {}); the outcome is (quasi-)separated by the covariates, so the estimates are not \
             finite",
            boundary.len(),
            boundary[0] + 1
        )));
    }
    Ok(f)
}

impl Irls {
    /// The fit's summary statistics, as `summary.glm`.
    fn finish(self, d: &LogisticDesign, y: &[f64], n: usize, k: usize) -> LogisticFit {
        let Irls {
            mut coef,
            mu,
            eta,
            w,
            dev,
            ldl,
            iterations,
        } = self;
        let cov = ldl.inverse();
        let singular: Vec<bool> = (0..k).map(|a| ldl.is_singular(a)).collect();
        let rank = singular.iter().filter(|s| !**s).count();
        for a in 0..k {
            if singular[a] {
                coef[a] = f64::NAN;
            }
        }
        let se: Vec<f64> = (0..k)
            .map(|a| {
                if singular[a] {
                    f64::NAN
                } else {
                    cov[a * k + a].sqrt()
                }
            })
            .collect();
        let z: Vec<f64> = coef.iter().zip(&se).map(|(c, s)| c / s).collect();
        let p = z
            .iter()
            .map(|z| statrs::function::erf::erfc(z.abs() / std::f64::consts::SQRT_2))
            .collect();
        let wsum: f64 = w.iter().sum();
        let wtdmu = (0..n).map(|i| w[i] * y[i]).sum::<f64>() / wsum;
        let null_deviance = deviance(y, &vec![wtdmu; n], &w);
        let n_ok = w.iter().filter(|v| **v > 0.0).count();
        // binomial()$aic for 0/1 outcomes with (integer) weights: -2 sum w log f(y; mu)
        let aic = -2.0
            * (0..n)
                .filter(|&i| w[i] > 0.0)
                .map(|i| w[i] * (y[i] * mu[i].ln() + (1.0 - y[i]) * (1.0 - mu[i]).ln()))
                .sum::<f64>()
            + 2.0 * rank as f64;
        let mut all_names = vec!["(Intercept)".to_string()];
        all_names.extend(d.names.iter().cloned());
        LogisticFit {
            names: all_names,
            coef,
            se,
            z,
            p,
            cov,
            fitted: mu,
            linear_predictor: eta,
            deviance: dev,
            null_deviance,
            aic,
            df_residual: n_ok - rank,
            df_null: n_ok - 1,
            iterations,
        }
    }
}
