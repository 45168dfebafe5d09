//! Fixed-effect pooling of 2x2 tables: inverse variance (`rma(method = "FE")`), Mantel-Haenszel
//! (`rma.mh`) and Peto (`rma.peto`).

use crate::stats::twobytwo::{self, TwoByTwo};

use super::effect::{escalc, is_double_zero, validate_table, DoubleZero, Measure, ZeroCellRule};
use super::heterogeneity::i2_h2_from_q;
use super::random::rma_uni;
use super::{MetaError, Method, Pooled, Test};
use crate::stats::dist;

/// Inverse-variance fixed-effect model: metafor `rma(yi, vi, method = "FE")`.
///
/// # Formula
/// `mu = sum w_i y_i / sum w_i`, `w_i = 1 / v_i`, `se(mu) = 1 / sqrt(sum w_i)`.
///
/// # Errors
/// As [`rma_uni`].
pub fn fixed_effect(yi: &[f64], vi: &[f64], level: f64) -> Result<Pooled, MetaError> {
    rma_uni(yi, vi, Method::IV, Test::Z, level)
}

fn check_tables(tables: &[TwoByTwo], level: f64) -> Result<(), MetaError> {
    if tables.is_empty() {
        return Err(MetaError::NoStudies);
    }
    if !(level > 0.0 && level < 1.0) {
        return Err(MetaError::InvalidInput(format!(
            "confidence level {level} not in (0, 1)"
        )));
    }
    for (i, t) in tables.iter().enumerate() {
        validate_table(t, i)?;
    }
    Ok(())
}

/// Q, its p-value, I^2 and H^2 as `rma.mh` reports them: Cochran's Q of the study-level
/// `escalc` effects (`add = 1/2, to = "only0"`, `drop00` by the double-zero rule; metafor's
/// default is `TRUE`) around the MH estimate.
fn mh_heterogeneity(
    measure: Measure,
    tables: &[TwoByTwo],
    beta: f64,
    double_zero: DoubleZero,
) -> Result<(f64, usize, f64, f64, f64), MetaError> {
    let rule = ZeroCellRule::with_double_zero(double_zero);
    let es = escalc(measure, tables, rule)?;
    let k_yi = es.yi.len();
    if k_yi > 1 {
        let q: f64 = es
            .yi
            .iter()
            .zip(&es.vi)
            .map(|(y, v)| (y - beta).powi(2) / v)
            .sum::<f64>()
            .max(0.0);
        let df = (k_yi - 1) as f64;
        let (i2, h2) = i2_h2_from_q(q, df);
        Ok((q, k_yi - 1, dist::pchisq_upper(q, df), i2, h2))
    } else {
        Ok((0.0, 0, 1.0, 0.0, 1.0))
    }
}

fn fixed_pooled(
    method: Method,
    level: f64,
    beta: f64,
    se: f64,
    k: usize,
    het: (f64, usize, f64, f64, f64),
) -> Pooled {
    let crit = dist::qnorm_upper((1.0 - level) / 2.0);
    let z = beta / se;
    let (lo, hi) = (beta - crit * se, beta + crit * se);
    Pooled {
        method,
        test: Test::Z,
        level,
        estimate: beta,
        se,
        statistic: z,
        p: dist::p_normal_two_sided(z),
        ci_lower: lo,
        ci_upper: hi,
        df: None,
        knha_factor: None,
        tau2: 0.0,
        tau2_ci: None,
        q: het.0,
        q_df: het.1,
        q_p: het.2,
        i2: het.3,
        h2: het.4,
        k,
        // predict.rma with tau2 = 0: the prediction interval is the confidence interval.
        pi_lower: lo,
        pi_upper: hi,
    }
}

/// Mantel-Haenszel pooled log RR, log OR or RD without continuity correction, as metafor
/// `rma.mh`: the estimate and its standard error are those of
/// [`crate::stats::twobytwo::mantel_haenszel`] (the one MH implementation of the crate:
/// Robins, Breslow & Greenland (1986) for the OR, Greenland & Robins (1985) for the RR, Sato
/// (1989) for the RD, as `rma.mh`); Q, I^2 and H^2 are computed around it from the study-level
/// `escalc` effects as `rma.mh` does (`drop00` from `double_zero`).
///
/// # Errors
/// [`MetaError::NoStudies`] for no tables, [`MetaError::InvalidCounts`] for bad counts,
/// [`MetaError::NotEstimable`] when the pooled ratio is 0 or infinite (no events in one arm across
/// all tables). Difference from metafor, on purpose: `rma.mh` returns `NA` there; we refuse with
/// the reason rather than print a result without numbers.
pub fn mantel_haenszel(
    measure: Measure,
    tables: &[TwoByTwo],
    level: f64,
    double_zero: DoubleZero,
) -> Result<Pooled, MetaError> {
    check_tables(tables, level)?;
    let k = tables.len();
    let mh = twobytwo::mantel_haenszel(tables, level)
        .map_err(|e| MetaError::InvalidInput(e.to_string()))?;
    let not_estimable = |message: &str| MetaError::NotEstimable {
        method: "Mantel-Haenszel",
        message: message.into(),
    };
    let (beta, se) = match measure {
        Measure::OR if mh.odds_ratio.estimate.is_nan() => {
            return Err(not_estimable(
                "the odds ratio is 0 or infinite (sum of a*d or b*c is 0)",
            ))
        }
        Measure::OR => (mh.odds_ratio.estimate.ln(), mh.odds_ratio.se),
        Measure::RR if mh.risk_ratio.estimate.is_nan() => {
            return Err(not_estimable(
                "no events in one of the arms across all studies",
            ))
        }
        Measure::RR => (mh.risk_ratio.estimate.ln(), mh.risk_ratio.se),
        Measure::RD => (mh.risk_difference.estimate, mh.risk_difference.se),
    };
    let het = mh_heterogeneity(measure, tables, beta, double_zero)?;
    Ok(fixed_pooled(Method::MH, level, beta, se, k, het))
}

/// Peto's one-step log odds ratio, as metafor `rma.peto` (no continuity correction; Q from the
/// observed-minus-expected statistics, df = number of study-level effects - 1: the
/// non-double-zero studies under `drop00 = TRUE`, metafor's default, every study otherwise).
///
/// # Errors
/// [`MetaError::NoStudies`], [`MetaError::InvalidCounts`], and [`MetaError::NotEstimable`] when
/// one of the two outcomes never occurs in any table.
pub fn peto(tables: &[TwoByTwo], level: f64, double_zero: DoubleZero) -> Result<Pooled, MetaError> {
    check_tables(tables, level)?;
    let k = tables.len();
    let k_yi = match double_zero {
        DoubleZero::Drop => tables.iter().filter(|t| !is_double_zero(t)).count(),
        DoubleZero::Keep => k,
    };
    let (mut sum_oe, mut sum_v, mut sum_oe2_v) = (0.0, 0.0, 0.0);
    let mut k_pos = 0;
    for t in tables {
        let TwoByTwo { a, b, c, d } = *t;
        let (n1, n2) = (a + b, c + d);
        let n = n1 + n2;
        let xt = a + c;
        let yt = b + d;
        let e = xt * n1 / n;
        let v = xt * yt * (n1 / n) * (n2 / n) / (n - 1.0);
        sum_oe += a - e;
        sum_v += v;
        if v > 0.0 {
            k_pos += 1;
            sum_oe2_v += (a - e).powi(2) / v;
        }
    }
    if sum_v == 0.0 {
        return Err(MetaError::NotEstimable {
            method: "Peto",
            message: "one of the two outcomes never occurred in any of the tables".into(),
        });
    }
    let beta = sum_oe / sum_v;
    let se = (1.0 / sum_v).sqrt();
    let q = (sum_oe2_v - sum_oe * sum_oe / sum_v).max(0.0);
    let het = if k_pos > 1 {
        let df = k_yi as f64 - 1.0;
        let (i2, h2) = i2_h2_from_q(q, df);
        (q, k_yi - 1, dist::pchisq_upper(q, df), i2, h2)
    } else {
        (q, k_yi.saturating_sub(1), 1.0, 0.0, 1.0)
    };
    Ok(fixed_pooled(Method::Peto, level, beta, se, k, het))
}
