//! Cox proportional hazards regression, matching R `survival::coxph` (3.5).
//!
//! * Ties by Efron (R's default) or Breslow, with case weights handled as `coxph` does (Efron
//!   uses the mean weight of the tied deaths).
//! * Right-censored `time` or counting-process `(start, stop]` data (time-varying covariates),
//!   strata, case weights.
//! * Newton-Raphson with step halving and the convergence rule of `coxfit6`/`agfit4`: stop when
//!   `|1 - loglik_old / loglik_new| <= eps` (`eps = 1e-9`, at most 20 iterations by default).
//!   Covariates are centred and scaled as `coxph` does (columns whose values are all in
//!   {-1, 0, 1} are left alone, R's `nocenter`), so the log-likelihoods match R to rounding.
//! * Robust (sandwich) variance as `coxph(..., cluster = id)` / `robust = TRUE`: the crossproduct
//!   of the weighted dfbeta residuals summed within clusters (`residuals.coxph(type = "dfbeta",
//!   collapse = cluster, weighted = TRUE)`), with R's robust score test.
//! * Score (at beta = 0), Wald (with the robust variance when robust, as R) and likelihood-ratio
//!   tests.
//!
//! Cost: one sort (LSD radix on the float bits), then each iteration is a single backward pass
//! over the rows accumulating the risk-set sums (O((n + d) p^2)); for `(start, stop]` data rows
//! leave the risk set through a second ordering by start time (the two-pointer scheme of
//! `agfit4`). Robust variance is one more pass (O(n p^2)) with cumulative hazard sums per event
//! time. Right-censored data with few distinct times (at most one per 4 rows, e.g. follow-up in
//! whole days) and no robust variance skip the sort: each iteration is one counting pass over the
//! rows in input order into per-(stratum, time) sums, then a sweep over those groups.
//!
//! Differences from R, on purpose:
//! * A covariate that is constant (or aliased with others) gets `NaN` coefficient and standard
//!   error (R's `NA` with a "singular" warning); the other terms are fitted as R does. JSON
//!   output turns `NaN` into `null`.
//! * R's "Loglik converged before variable j; coefficient may be infinite" is, as in R, a
//!   warning: the fit is returned with the warning's text in [`CoxFit::warnings`] and R's flag
//!   (`|u' V|_j > eps` and `> toler.inf * |beta_j|` at convergence, `coxph.fit`) in
//!   [`CoxFit::may_be_infinite`]. That rule also fires for a coefficient close to 0 whose first
//!   Newton step already meets the convergence rule (R: HR 1.0003 after one iteration, warning
//!   and all), so it is not taken as separation by itself: [`CoxFit::diverges`] adds the check
//!   that the likelihood is still rising along the flagged coefficient (see `diverging`).
//! * Where R only warns, this module returns typed errors: no events at all
//!   (`StatsError::InvalidInput`) and running out of iterations (`StatsError::NonConvergence`,
//!   or `StatsError::Separation` when the next Newton step would still move a coefficient
//!   `|beta| > 5` by more than `toler.inf` relative: R's "Ran out of iterations" plus "one or
//!   more coefficients may be infinite").
//! * With `Divergence::NotEstimable` (the `cox` command) a diverging term is `NaN` (R prints the
//!   finite value where its iterations stopped, e.g. -19.7 with se 7012) and named in
//!   `CoxFit::diverged`, the other terms as R.
//! * No `timefix`: times are compared exactly (R merges times equal to within rounding).

// Dense numeric kernels read best with explicit indices.
#![allow(clippy::needless_range_loop)]

use serde::Serialize;

use super::dist::{p_normal_two_sided, pchisq_upper, qnorm};
use super::linalg::{quadratic_form_inverse, Ldl};
use super::StatsError;

mod fit;
mod grouped;
mod sorted;

use fit::{
    center_scale, diagonal_se, diverging, may_be_infinite, newton, robust_variance, unscale,
    wald_estimable, Converged,
};
use grouped::{add_deaths, DeathSums, Engine, Grouped, RiskSums};
use sorted::{Accum, Prepared};

/// How tied event times are handled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Ties {
    /// Efron's approximation (R's default).
    #[default]
    Efron,
    /// Breslow's approximation.
    Breslow,
}

impl Ties {
    /// `"efron"` or `"breslow"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Ties::Efron => "efron",
            Ties::Breslow => "breslow",
        }
    }
}

impl std::str::FromStr for Ties {
    type Err = StatsError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "efron" => Ok(Ties::Efron),
            "breslow" => Ok(Ties::Breslow),
            other => Err(StatsError::InvalidInput(format!(
                "unknown ties method `{other}` (expected efron or breslow)"
            ))),
        }
    }
}

/// Input columns of a Cox model; all slices have one entry per row.
#[derive(Debug, Clone, Copy)]
pub struct CoxData<'a> {
    /// Start of each `(start, stop]` interval; `None` for right-censored data.
    pub start: Option<&'a [f64]>,
    /// Event or censoring time (the stop time of the interval).
    pub stop: &'a [f64],
    /// Whether the row ends with the event.
    pub event: &'a [bool],
    /// Covariates, column-major: `x[j][i]` is covariate `j` of row `i`.
    pub x: &'a [Vec<f64>],
    /// Stratum of each row (separate baseline hazards).
    pub strata: Option<&'a [u32]>,
    /// Case weights (> 0).
    pub weights: Option<&'a [f64]>,
    /// Cluster of each row (e.g. patient id); implies the robust variance.
    pub cluster: Option<&'a [u32]>,
}

/// Fitting options; `Default` gives R's `coxph.control()`.
#[derive(Debug, Clone)]
pub struct CoxOptions {
    /// Ties method.
    pub ties: Ties,
    /// Maximum Newton-Raphson iterations (R `iter.max`, 20).
    pub max_iter: usize,
    /// Convergence tolerance on the relative change of the log-likelihood (R `eps`, 1e-9).
    pub eps: f64,
    /// Tolerance for singular columns in the Cholesky factorisation (R `toler.chol`).
    pub toler_chol: f64,
    /// Tolerance of the infinite-coefficient check (R `toler.inf`, sqrt(eps)).
    pub toler_inf: f64,
    /// Robust (sandwich) variance even without clusters (each row its own cluster).
    /// With `cluster` it is always robust, as R.
    pub robust: bool,
    /// Names of the covariates (defaults to `x1`, `x2`, ...).
    pub names: Option<Vec<String>>,
    /// What a diverging coefficient (monotone likelihood) gives.
    pub on_divergence: Divergence,
}

/// What [`coxph`] does when the log-likelihood converges before a coefficient does (R's warning
/// "Loglik converged before variable j; coefficient may be infinite"), e.g. a sparse factor level
/// without events.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Divergence {
    /// The fit is returned as R returns it (the coefficient where the iterations stopped), with
    /// [`CoxFit::diverges`] set: the caller decides (the cohort layer reports the estimate as not
    /// estimable).
    #[default]
    Flagged,
    /// The diverging terms get `NaN` coefficient and standard errors and are listed in
    /// [`CoxFit::diverged`]; the other terms, the log-likelihood and the tests are R's (the
    /// tests use the diverging coefficient where R stopped). When no other term is estimable it
    /// is still an error.
    NotEstimable,
}

impl Default for CoxOptions {
    fn default() -> Self {
        CoxOptions {
            ties: Ties::Efron,
            max_iter: 20,
            eps: 1e-9,
            toler_chol: f64::EPSILON.powf(0.75),
            toler_inf: 1e-9f64.sqrt(),
            robust: false,
            names: None,
            on_divergence: Divergence::Flagged,
        }
    }
}

/// A chi-square test.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ChiSquareTest {
    pub statistic: f64,
    pub df: usize,
    pub p: f64,
}

impl ChiSquareTest {
    fn new(statistic: f64, df: usize) -> Self {
        ChiSquareTest {
            statistic,
            df,
            p: pchisq_upper(statistic, df as f64),
        }
    }
}

/// One row of the coefficient table (as `summary.coxph`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CoxTerm {
    pub name: String,
    pub coef: f64,
    pub se: f64,
    /// Robust standard error, when robust.
    pub robust_se: Option<f64>,
    /// exp(coef).
    pub hr: f64,
    /// Lower confidence bound of the hazard ratio (uses the robust se when robust, as R).
    pub lower: f64,
    pub upper: f64,
    /// Wald z (coef / se used).
    pub z: f64,
    /// Two-sided p-value of z.
    pub p: f64,
}

/// A fitted Cox model.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CoxFit {
    pub names: Vec<String>,
    /// Coefficients (`NaN` for a singular / constant covariate).
    pub coef: Vec<f64>,
    /// Model-based standard errors (sqrt of the diagonal of the inverse information).
    pub se: Vec<f64>,
    /// Robust standard errors, when robust.
    pub robust_se: Option<Vec<f64>>,
    /// Model-based variance (R `naive.var` when robust, else `var`), row-major `p x p`.
    pub naive_var: Vec<f64>,
    /// Variance used for inference (robust when robust), row-major `p x p`.
    pub var: Vec<f64>,
    /// Log partial likelihood at beta = 0 and at the estimate.
    pub loglik: [f64; 2],
    /// Score (log-rank) test at beta = 0.
    pub score_test: ChiSquareTest,
    /// Wald test (robust variance when robust, as R).
    pub wald_test: ChiSquareTest,
    /// Likelihood-ratio test.
    pub lr_test: ChiSquareTest,
    /// Robust score test (R `rscore`), when robust.
    pub robust_score_test: Option<ChiSquareTest>,
    /// Score vector at the estimate.
    pub score: Vec<f64>,
    /// Weighted covariate means used for centring (0 for columns not centred).
    pub means: Vec<f64>,
    /// Number of rows used.
    pub n: usize,
    /// Number of events (unweighted, as R `nevent`).
    pub n_event: usize,
    /// Newton-Raphson iterations.
    pub iterations: usize,
    pub ties: Ties,
    /// Terms whose coefficient diverges, reported as `NaN` ([`Divergence::NotEstimable`]).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub diverged: Vec<String>,
    /// R's warnings, word for word (`"Loglik converged before variable  1 ; coefficient may be
    /// infinite. "`): the fit is returned as R returns it.
    pub warnings: Vec<String>,
    /// Per coefficient, R's flag behind that warning: the log-likelihood converged while the
    /// remaining Newton step `|(u' V)_j|` still exceeds `eps` and `toler.inf * |beta_j|`. It also
    /// fires spuriously for a coefficient close to 0 (e.g. a null effect whose first Newton step
    /// already meets the convergence rule): not by itself a sign of separation.
    pub may_be_infinite: Vec<bool>,
    /// Per coefficient: flagged by R's rule AND the log-likelihood still does not decrease when
    /// the coefficient moves further along its remaining Newton step (monotone likelihood: the
    /// estimate is infinite, e.g. no events in one group). See [`coxph`].
    pub diverges: Vec<bool>,
}

impl CoxFit {
    /// The coefficient table with hazard ratios and `level` confidence intervals
    /// (as `summary.coxph(fit, conf.int = level)`).
    pub fn terms(&self, level: f64) -> Vec<CoxTerm> {
        let zq = qnorm(0.5 + level / 2.0);
        (0..self.coef.len())
            .map(|j| {
                let coef = self.coef[j];
                let robust_se = self.robust_se.as_ref().map(|r| r[j]);
                let se_used = robust_se.unwrap_or(self.se[j]);
                let z = coef / se_used;
                CoxTerm {
                    name: self.names[j].clone(),
                    coef,
                    se: self.se[j],
                    robust_se,
                    hr: coef.exp(),
                    lower: (coef - zq * se_used).exp(),
                    upper: (coef + zq * se_used).exp(),
                    z,
                    p: p_normal_two_sided(z),
                }
            })
            .collect()
    }
}

fn check_len(name: &str, len: usize, n: usize) -> Result<(), StatsError> {
    if len != n {
        return Err(StatsError::InvalidInput(format!(
            "{name} has {len} values, expected {n} (one per row)"
        )));
    }
    Ok(())
}

/// Check the input columns; returns the case weights (1 when absent).
fn validate(data: &CoxData, names: &[String]) -> Result<Vec<f64>, StatsError> {
    let n = data.stop.len();
    let p = data.x.len();
    if n == 0 {
        return Err(StatsError::InvalidInput("no rows".into()));
    }
    if p == 0 {
        return Err(StatsError::InvalidInput("no covariates".into()));
    }
    check_len("event", data.event.len(), n)?;
    for (j, col) in data.x.iter().enumerate() {
        check_len(&format!("covariate `{}`", names[j]), col.len(), n)?;
        if let Some(i) = col.iter().position(|v| !v.is_finite()) {
            return Err(StatsError::InvalidInput(format!(
                "covariate `{}` is missing or not finite at row {}",
                names[j],
                i + 1
            )));
        }
    }
    if let Some(i) = data.stop.iter().position(|v| !v.is_finite()) {
        return Err(StatsError::InvalidInput(format!(
            "time is missing or not finite at row {}",
            i + 1
        )));
    }
    if let Some(start) = data.start {
        check_len("start", start.len(), n)?;
        for i in 0..n {
            if !start[i].is_finite() {
                return Err(StatsError::InvalidInput(format!(
                    "start time is missing or not finite at row {}",
                    i + 1
                )));
            }
            if start[i] >= data.stop[i] {
                return Err(StatsError::InvalidInput(format!(
                    "stop time must be > start time (row {}: start {}, stop {})",
                    i + 1,
                    start[i],
                    data.stop[i]
                )));
            }
        }
    }
    if let Some(s) = data.strata {
        check_len("strata", s.len(), n)?;
    }
    if let Some(c) = data.cluster {
        check_len("cluster", c.len(), n)?;
    }
    let w: Vec<f64> = match data.weights {
        Some(w) => {
            check_len("weights", w.len(), n)?;
            if let Some(i) = w.iter().position(|v| !(v.is_finite() && *v > 0.0)) {
                return Err(StatsError::InvalidInput(format!(
                    "weights must be finite and > 0 (row {}: {})",
                    i + 1,
                    w[i]
                )));
            }
            w.to_vec()
        }
        None => vec![1.0; n],
    };
    if !data.event.iter().any(|e| *e) {
        return Err(StatsError::InvalidInput(
            "no events: every row is censored, the Cox model has no information".into(),
        ));
    }
    Ok(w)
}

/// Fit a Cox proportional hazards model (R `coxph`). See the module documentation for the
/// exact correspondence with R and the error cases.
///
/// # Formula
/// Maximises the partial log-likelihood `l(b) = sum_i w_i d_i (x_i'b - log sum_{j in R_i} w_j
/// exp(x_j'b))` (Breslow) or its Efron version for tied event times, by Newton-Raphson with step
/// halving (module documentation); model-based variance `I(b)^-1`, robust variance `D'D` from
/// the dfbeta residuals collapsed by cluster.
///
/// # Errors
/// [`StatsError::InvalidInput`] for malformed data or no events,
/// [`StatsError::NonConvergence`] when the iterations run out,
/// [`StatsError::Separation`] when a coefficient still diverges at the last iteration, or (with
/// [`Divergence::NotEstimable`]) when no term is estimable.
pub fn coxph(data: &CoxData, options: &CoxOptions) -> Result<CoxFit, StatsError> {
    let p = data.x.len();
    let names = covariate_names(options, p)?;
    let w = validate(data, &names)?;
    let (means, scale) = center_scale(data.x, &w);
    let robust = options.robust || data.cluster.is_some();
    let n = data.stop.len();
    let ties = options.ties;
    // few distinct times and no residuals needed: no sort, one counting pass per iteration
    let grouped = if robust {
        None
    } else {
        Grouped::try_new(data, &w, &means, &scale)
    };
    let prep = match grouped {
        Some(g) => Engine::Grouped(g),
        None => Engine::Sorted(Prepared::new(data, &w, &means, &scale)),
    };
    // linear predictor and risk scores (scratch, 2n) for the sorted engine
    let mut eta = match &prep {
        Engine::Sorted(_) => vec![0.0; 2 * n],
        Engine::Grouped(_) => Vec::new(),
    };

    // initial step (beta = 0): the score test and the first Newton step
    let acc0 = prep.accumulate(&vec![0.0; p], ties, &mut eta);
    if !acc0.loglik.is_finite() {
        return Err(StatsError::InvalidInput(
            "log-likelihood at beta = 0 is not finite".into(),
        ));
    }
    let mut step = acc0.u.clone();
    Ldl::new(&acc0.imat, p, options.toler_chol).solve(&mut step);
    let score_stat: f64 = acc0.u.iter().zip(&step).map(|(a, b)| a * b).sum();
    let loglik0 = acc0.loglik;
    let counting = data.start.is_some();
    let Converged {
        beta,
        acc,
        ldl,
        iterations,
    } = newton(&prep, &step, loglik0, options, counting, &names, &mut eta)?;

    let var_s = ldl.inverse();
    let singular: Vec<bool> = (0..p).map(|j| ldl.is_singular(j)).collect();
    let rank = p - singular.iter().filter(|s| **s).count();
    // back to the original scale
    let mut coef: Vec<f64> = (0..p)
        .map(|j| {
            if singular[j] {
                f64::NAN
            } else {
                beta[j] * scale[j]
            }
        })
        .collect();
    let naive_var = unscale(&var_s, &scale);
    let score: Vec<f64> = (0..p).map(|j| acc.u[j] / scale[j]).collect();

    // R's "coefficient may be infinite" is a warning: the fit is returned. Only a coefficient
    // along which the likelihood still rises diverges.
    let (may_be_infinite, warning) = may_be_infinite(&score, &naive_var, &coef, &singular, options);
    let warnings: Vec<String> = warning.into_iter().collect();
    let diverges = diverging(&prep, &beta, &acc, &ldl, &may_be_infinite, ties, &mut eta);
    let diverged: Vec<usize> = if options.on_divergence == Divergence::NotEstimable {
        (0..p).filter(|&j| diverges[j]).collect()
    } else {
        Vec::new()
    };
    if !diverged.is_empty() && !(0..p).any(|j| !singular[j] && !diverged.contains(&j)) {
        let list: Vec<&str> = diverged.iter().map(|&j| names[j].as_str()).collect();
        return Err(StatsError::Separation(format!(
            "Cox model: log-likelihood converged before covariate(s) {}; the coefficient \
             diverges (monotone likelihood, e.g. no events in one level)",
            list.join(", ")
        )));
    }
    let mut se = diagonal_se(&naive_var, &singular);

    let (var, mut robust_se, robust_score_test) = if robust {
        let Engine::Sorted(prep) = &prep else {
            unreachable!("robust fits use the sorted engine")
        };
        let (var, test) = robust_variance(prep, &beta, &var_s, &scale, data.cluster, options, rank);
        let rse = diagonal_se(&var, &singular);
        (var, Some(rse), Some(test))
    } else {
        (naive_var.clone(), None, None)
    };
    let wald = wald_estimable(&coef, &var, &singular, options.toler_chol);

    // a diverging coefficient is where the iterations stopped, not an estimate
    for &j in &diverged {
        coef[j] = f64::NAN;
        se[j] = f64::NAN;
        if let Some(r) = robust_se.as_mut() {
            r[j] = f64::NAN;
        }
    }

    let diverged_names = diverged.iter().map(|&j| names[j].clone()).collect();
    Ok(CoxFit {
        names,
        coef,
        se,
        robust_se,
        naive_var,
        var,
        loglik: [loglik0, acc.loglik],
        score_test: ChiSquareTest::new(score_stat, rank),
        wald_test: ChiSquareTest::new(wald, rank),
        lr_test: ChiSquareTest::new(2.0 * (acc.loglik - loglik0), rank),
        robust_score_test,
        score,
        means,
        n,
        n_event: data.event.iter().filter(|e| **e).count(),
        iterations,
        ties,
        diverged: diverged_names,
        warnings,
        may_be_infinite,
        diverges,
    })
}

/// The covariates' names: the caller's (one per column) or `x1`, `x2`, ...
fn covariate_names(options: &CoxOptions, p: usize) -> Result<Vec<String>, StatsError> {
    match &options.names {
        Some(nm) if nm.len() != p => Err(StatsError::InvalidInput(format!(
            "{} names for {} covariates",
            nm.len(),
            p
        ))),
        Some(nm) => Ok(nm.clone()),
        None => Ok((1..=p).map(|j| format!("x{j}")).collect()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The grouped (counting-pass) and sorted engines give the same sums.
    #[test]
    fn engines_agree() {
        let n = 240;
        let mut time = Vec::new();
        let mut event = Vec::new();
        let mut x = vec![Vec::new(), Vec::new(), Vec::new()];
        let mut strata = Vec::new();
        let mut w = Vec::new();
        for i in 0..n {
            let f = i as f64;
            time.push(((f * 7.3).sin().abs() * 9.0).ceil());
            event.push((i * 7) % 3 != 0);
            x[0].push((f * 0.37).cos() * 3.0 + 60.0);
            x[1].push(f64::from(u8::from(i % 2 == 0)));
            x[2].push((f * 1.1).sin());
            strata.push((i % 3) as u32);
            w.push(1.0 + (i % 4) as f64 * 0.5);
        }
        let data = CoxData {
            start: None,
            stop: &time,
            event: &event,
            x: &x,
            strata: Some(&strata),
            weights: Some(&w),
            cluster: None,
        };
        let (means, scale) = center_scale(data.x, &w);
        let grouped = Grouped::try_new(&data, &w, &means, &scale).expect("few distinct times");
        let sorted = Prepared::new(&data, &w, &means, &scale);
        let beta = [0.3, -0.5, 0.8];
        let mut scratch = vec![0.0; 2 * n];
        for ties in [Ties::Efron, Ties::Breslow] {
            let a = grouped.accumulate(&beta, ties);
            let b = sorted.accumulate(&beta, ties, &mut scratch);
            assert!((a.loglik - b.loglik).abs() < 1e-10 * b.loglik.abs());
            for (u, v) in a.u.iter().zip(&b.u).chain(a.imat.iter().zip(&b.imat)) {
                assert!((u - v).abs() < 1e-10 * (1.0 + v.abs()), "{u} vs {v}");
            }
        }
    }
}
