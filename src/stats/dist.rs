//! Normal and chi-square distribution helpers (statrs), named as in R: `qnorm`, `pnorm`,
//! `pchisq(lower.tail = FALSE)`.

use statrs::distribution::{ChiSquared, ContinuousCDF, Normal};

/// Standard normal quantile, R `qnorm(p)`.
pub fn qnorm(p: f64) -> f64 {
    Normal::standard().inverse_cdf(p)
}

/// Two-sided critical value for a confidence level: R `qnorm(1 - (1 - level) / 2)`.
pub fn z_two_sided(conf_level: f64) -> f64 {
    qnorm(1.0 - (1.0 - conf_level) / 2.0)
}

/// Standard normal distribution function, R `pnorm(x)`.
pub fn pnorm(x: f64) -> f64 {
    Normal::standard().cdf(x)
}

/// Upper-tail chi-square probability, R `pchisq(x, df, lower.tail = FALSE)`.
/// Returns NaN when `df` is not positive (the test is undefined).
pub fn pchisq_upper(x: f64, df: f64) -> f64 {
    if df.is_nan() || df <= 0.0 || x.is_nan() {
        return f64::NAN;
    }
    if x <= 0.0 {
        return 1.0;
    }
    ChiSquared::new(df).map(|d| d.sf(x)).unwrap_or(f64::NAN)
}
