//! Rubin's rules for pooling a scalar estimate over `m` multiply imputed data sets (Rubin 1987),
//! with the Barnard & Rubin (1999) small-sample degrees of freedom, matching R `mice` 3.15
//! `pool()` (`pool.fitlist`, `rule = "rubin1987"`) and `pool.scalar()`, and the intervals and
//! p-values of `summary(pool(fit), conf.int = TRUE)`.
//!
//! Differences from R, on purpose: none in the arithmetic. `mice` returns `NaN`/`Inf` silently for
//! fewer than two imputations or a non-finite input; here those are `StatsError::InvalidInput`.
//! The pooled quantity is whatever the per-imputation estimates are on (log hazard ratio, risk
//! difference, ...); transform the interval afterwards, as `summary.mipo(exponentiate = TRUE)`.
//!
//! Cost: O(m).

use serde::Serialize;
use statrs::distribution::{ContinuousCDF, StudentsT};

use super::StatsError;

/// One scalar pooled over `m` imputations (the columns of `summary(pool(fit), type = "all",
/// conf.int = TRUE)`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RubinPooled {
    /// Number of imputations.
    pub m: usize,
    /// Pooled estimate `qbar` (mean of the per-imputation estimates).
    pub estimate: f64,
    /// Within-imputation variance `ubar` (mean of the per-imputation variances).
    pub ubar: f64,
    /// Between-imputation variance `b` (sample variance, divisor `m - 1`).
    pub b: f64,
    /// Total variance `t = ubar + (1 + 1/m) b`.
    pub t: f64,
    /// `sqrt(t)`.
    pub std_error: f64,
    /// Complete-data degrees of freedom (`f64::INFINITY` for a large-sample statistic).
    pub dfcom: f64,
    /// Barnard-Rubin adjusted degrees of freedom.
    pub df: f64,
    /// Relative increase in variance due to nonresponse, `riv = (1 + 1/m) b / ubar`.
    pub riv: f64,
    /// Proportion of the total variance due to missingness, `lambda = (1 + 1/m) b / t`.
    pub lambda: f64,
    /// Fraction of missing information as `mice` reports it, `(riv + 2/(df + 3)) / (riv + 1)`.
    pub fmi: f64,
    /// `estimate / std_error`.
    pub statistic: f64,
    /// Two-sided p-value from a t distribution on `df` degrees of freedom.
    pub p_value: f64,
    /// Lower confidence limit, `estimate - qt((1 + level)/2, df) * std_error`.
    pub conf_low: f64,
    /// Upper confidence limit.
    pub conf_high: f64,
}

/// Barnard-Rubin degrees of freedom, R `mice:::barnard.rubin(m, b, t, dfcom)`.
///
/// # Formula
/// `lambda = (1 + 1/m) b / t`, floored at `1e-4`; `nu_old = (m - 1) / lambda^2`;
/// `nu_obs = (dfcom + 1) / (dfcom + 3) * dfcom * (1 - lambda)`;
/// `df = nu_old nu_obs / (nu_old + nu_obs)`, or `nu_old` when `dfcom` is infinite.
pub fn barnard_rubin_df(m: usize, b: f64, t: f64, dfcom: f64) -> f64 {
    let mf = m as f64;
    let lambda = ((1.0 + 1.0 / mf) * b / t).max(1e-4);
    let dfold = (mf - 1.0) / (lambda * lambda);
    if dfcom.is_infinite() {
        return dfold;
    }
    let dfobs = (dfcom + 1.0) / (dfcom + 3.0) * dfcom * (1.0 - lambda);
    dfold * dfobs / (dfold + dfobs)
}

/// Pools per-imputation `estimates` and their `variances` (squared standard errors) by Rubin's
/// rules, as `mice::pool()` / `pool.scalar(Q, U, n, k)` with `dfcom = n - k`; the interval is
/// at `conf_level` (R `confint.mipo`).
///
/// # Formula
/// With `Q_l`, `U_l` the estimate and variance of imputation `l = 1..m`:
/// `qbar = mean(Q_l)`, `ubar = mean(U_l)`, `b = sum (Q_l - qbar)^2 / (m - 1)`,
/// `t = ubar + (1 + 1/m) b`, `riv = (1 + 1/m) b / ubar`, `lambda = (1 + 1/m) b / t`,
/// `df` by [`barnard_rubin_df`], `fmi = (riv + 2 / (df + 3)) / (riv + 1)`,
/// CI `qbar -+ t_{df, (1 + level)/2} sqrt(t)`, p-value `2 P(T_{max(df, 0.001)} > |qbar| / sqrt(t))`.
///
/// # Errors
/// `StatsError::InvalidInput` when fewer than two imputations are given, the lengths differ, an
/// estimate or variance is not finite, a variance is negative, `dfcom` is not positive (or NaN),
/// or `conf_level` is not in (0, 1).
pub fn pool_scalar(
    estimates: &[f64],
    variances: &[f64],
    dfcom: f64,
    conf_level: f64,
) -> Result<RubinPooled, StatsError> {
    let m = estimates.len();
    if m < 2 {
        return Err(StatsError::InvalidInput(format!(
            "Rubin's rules need at least 2 imputations, got {m}"
        )));
    }
    if variances.len() != m {
        return Err(StatsError::InvalidInput(format!(
            "{m} estimates but {} variances",
            variances.len()
        )));
    }
    if let Some(i) = (0..m).find(|&i| !estimates[i].is_finite() || !variances[i].is_finite()) {
        return Err(StatsError::InvalidInput(format!(
            "imputation {}: estimate {} or variance {} is not finite",
            i + 1,
            estimates[i],
            variances[i]
        )));
    }
    if let Some(i) = variances.iter().position(|v| *v < 0.0) {
        return Err(StatsError::InvalidInput(format!(
            "imputation {}: negative variance {}",
            i + 1,
            variances[i]
        )));
    }
    if dfcom.is_nan() || dfcom <= 0.0 {
        return Err(StatsError::InvalidInput(format!(
            "complete-data degrees of freedom must be positive, got {dfcom}"
        )));
    }
    if !(conf_level > 0.0 && conf_level < 1.0) {
        return Err(StatsError::InvalidInput(format!(
            "confidence level must be in (0, 1), got {conf_level}"
        )));
    }
    let mf = m as f64;
    let qbar = estimates.iter().sum::<f64>() / mf;
    let ubar = variances.iter().sum::<f64>() / mf;
    let b = estimates.iter().map(|q| (q - qbar).powi(2)).sum::<f64>() / (mf - 1.0);
    let inflated = (1.0 + 1.0 / mf) * b;
    let t = ubar + inflated;
    let df = barnard_rubin_df(m, b, t, dfcom);
    let riv = inflated / ubar;
    let lambda = inflated / t;
    let fmi = (riv + 2.0 / (df + 3.0)) / (riv + 1.0);
    let se = t.sqrt();
    let statistic = qbar / se;
    let p_value = 2.0 * t_upper(statistic.abs(), df.max(0.001));
    let q = t_quantile(1.0 - (1.0 - conf_level) / 2.0, df);
    Ok(RubinPooled {
        m,
        estimate: qbar,
        ubar,
        b,
        t,
        std_error: se,
        dfcom,
        df,
        riv,
        lambda,
        fmi,
        statistic,
        p_value,
        conf_low: qbar - q * se,
        conf_high: qbar + q * se,
    })
}

/// Upper tail `P(T_df > x)`, R `pt(x, df, lower.tail = FALSE)`, `x >= 0`: statrs's
/// distribution function, and beyond `df = 4e5` R's own normal approximation (`pt.c`:
/// `pnorm(x (1 - 1/(4 df)) / sqrt(1 + x^2 / (2 df)))`).
fn t_upper(x: f64, df: f64) -> f64 {
    if x.is_nan() {
        return f64::NAN;
    }
    if df > 4e5 {
        let v = 1.0 / (4.0 * df);
        return super::dist::pnorm(-x * (1.0 - v) / (1.0 + x * x * 2.0 * v).sqrt());
    }
    match StudentsT::new(0.0, 1.0, df) {
        // sf(x) = cdf(-x) keeps the relative accuracy of a small tail.
        Ok(d) => d.cdf(-x),
        Err(_) => f64::NAN,
    }
}

/// Quantile of the t distribution, R `qt(p, df)`, `p` in (0, 1): statrs's quantile up to
/// `df = 100`; above, where statrs's beta inversion loses accuracy, the Cornish-Fisher
/// expansion in `1/df` to the fourth order (Abramowitz & Stegun 26.7.5), whose remainder is
/// below 1e-9 relative there.
fn t_quantile(p: f64, df: f64) -> f64 {
    if df > 100.0 {
        let z = super::dist::qnorm(p);
        let z2 = z * z;
        let g1 = (z2 + 1.0) * z / 4.0;
        let g2 = ((5.0 * z2 + 16.0) * z2 + 3.0) * z / 96.0;
        let g3 = (((3.0 * z2 + 19.0) * z2 + 17.0) * z2 - 15.0) * z / 384.0;
        let g4 = ((((79.0 * z2 + 776.0) * z2 + 1482.0) * z2 - 1920.0) * z2 - 945.0) * z / 92160.0;
        return z + (g1 + (g2 + (g3 + g4 / df) / df) / df) / df;
    }
    match StudentsT::new(0.0, 1.0, df) {
        Ok(d) => d.inverse_cdf(p),
        Err(_) => f64::NAN,
    }
}
