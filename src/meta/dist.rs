//! Normal, t and chi-square tail probabilities and quantiles (statrs), with the quantiles polished
//! by Newton steps on the cdf so that critical values agree with R's `qnorm`, `qt` and `qchisq`
//! to ~1e-14.

use statrs::distribution::{ChiSquared, Continuous, ContinuousCDF, Normal, StudentsT};

fn standard_normal() -> Normal {
    Normal::new(0.0, 1.0).expect("standard normal")
}

/// Upper-tail normal quantile: R `qnorm(alpha, lower.tail = FALSE)`.
pub fn qnorm_upper(alpha: f64) -> f64 {
    let n = standard_normal();
    polish(
        n.inverse_cdf(1.0 - alpha),
        1.0 - alpha,
        |x| n.cdf(x),
        |x| n.pdf(x),
    )
}

/// Two-sided normal p-value for a z statistic: `2 * pnorm(abs(z), lower.tail = FALSE)`.
pub fn p_normal_two_sided(z: f64) -> f64 {
    2.0 * standard_normal().cdf(-z.abs())
}

/// Upper-tail t quantile with `df` degrees of freedom: R `qt(alpha, df, lower.tail = FALSE)`.
pub fn qt_upper(alpha: f64, df: f64) -> f64 {
    let t = StudentsT::new(0.0, 1.0, df).expect("t distribution with df > 0");
    // Work on the lower tail of -x to keep precision: P(T <= -q) = alpha.
    let q = -t.inverse_cdf(alpha);
    -polish(-q, alpha, |x| t.cdf(x), |x| t.pdf(x))
}

/// Two-sided t p-value: `2 * pt(abs(t), df, lower.tail = FALSE)`.
pub fn p_t_two_sided(t: f64, df: f64) -> f64 {
    let d = StudentsT::new(0.0, 1.0, df).expect("t distribution with df > 0");
    2.0 * d.cdf(-t.abs())
}

/// Chi-square upper-tail probability: R `pchisq(q, df, lower.tail = FALSE)`.
pub fn pchisq_upper(q: f64, df: f64) -> f64 {
    let c = ChiSquared::new(df).expect("chi-square with df > 0");
    c.sf(q.max(0.0))
}

/// Chi-square quantile: R `qchisq(p, df)` (lower tail).
pub fn qchisq_lower(p: f64, df: f64) -> f64 {
    let c = ChiSquared::new(df).expect("chi-square with df > 0");
    polish(c.inverse_cdf(p), p, |x| c.cdf(x), |x| c.pdf(x))
}

/// Chi-square upper quantile: R `qchisq(alpha, df, lower.tail = FALSE)`.
pub fn qchisq_upper(alpha: f64, df: f64) -> f64 {
    let c = ChiSquared::new(df).expect("chi-square with df > 0");
    newton_sf(&c, c.inverse_cdf(1.0 - alpha), alpha)
}

fn newton_sf(c: &ChiSquared, x0: f64, alpha: f64) -> f64 {
    let mut x = x0;
    for _ in 0..8 {
        let d = c.pdf(x);
        if d.is_nan() || d <= 0.0 {
            break;
        }
        let step = (c.sf(x) - alpha) / d;
        let next = x + step;
        if !next.is_finite() || next <= 0.0 {
            break;
        }
        if (next - x).abs() <= 1e-15 * x.abs() {
            x = next;
            break;
        }
        x = next;
    }
    x
}

/// A few Newton steps on `cdf(x) = p` from a starting value.
fn polish(x0: f64, p: f64, cdf: impl Fn(f64) -> f64, pdf: impl Fn(f64) -> f64) -> f64 {
    let mut x = x0;
    for _ in 0..8 {
        let d = pdf(x);
        if d.is_nan() || d <= 0.0 || !x.is_finite() {
            break;
        }
        let next = x - (cdf(x) - p) / d;
        if !next.is_finite() || (x > 0.0 && next <= 0.0) {
            break;
        }
        if (next - x).abs() <= 1e-15 * x.abs().max(1e-300) {
            x = next;
            break;
        }
        x = next;
    }
    x
}
