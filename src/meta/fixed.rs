//! Fixed-effect pooling of 2x2 tables: inverse variance (`rma(method = "FE")`), Mantel-Haenszel
//! (`rma.mh`) and Peto (`rma.peto`).

use super::effect::{escalc, Measure, Table2x2, ZeroCellRule};
use super::heterogeneity::i2_h2_from_q;
use super::random::rma_uni;
use super::{MetaError, Method, Pooled, Test};
use crate::stats::dist;

/// Inverse-variance fixed-effect model: metafor `rma(yi, vi, method = "FE")`.
pub fn fixed_effect(yi: &[f64], vi: &[f64], level: f64) -> Result<Pooled, MetaError> {
    rma_uni(yi, vi, Method::IV, Test::Z, level)
}

fn check_tables(tables: &[Table2x2], level: f64) -> Result<(), MetaError> {
    if tables.is_empty() {
        return Err(MetaError::NoStudies);
    }
    if !(level > 0.0 && level < 1.0) {
        return Err(MetaError::InvalidInput(format!(
            "confidence level {level} not in (0, 1)"
        )));
    }
    for (i, t) in tables.iter().enumerate() {
        t.validate(i)?;
    }
    Ok(())
}

/// Q, its p-value, I^2 and H^2 as `rma.mh` reports them: Cochran's Q of the study-level
/// `escalc` effects (`add = 1/2, to = "only0", drop00 = TRUE`) around the MH estimate.
fn mh_heterogeneity(
    measure: Measure,
    tables: &[Table2x2],
    beta: f64,
) -> Result<(f64, usize, f64, f64, f64), MetaError> {
    let rule = ZeroCellRule {
        drop00: true,
        ..ZeroCellRule::metafor_default(measure)
    };
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
/// `rma.mh`. Standard errors: Robins, Breslow & Greenland (1986) for the OR; Greenland & Robins
/// (1985) for the RR and the RD (Sato's form as in metafor).
pub fn mantel_haenszel(
    measure: Measure,
    tables: &[Table2x2],
    level: f64,
) -> Result<Pooled, MetaError> {
    check_tables(tables, level)?;
    let k = tables.len();
    let cells: Vec<(f64, f64, f64, f64, f64, f64, f64)> = tables
        .iter()
        .map(|t| {
            let (a, b, c, d) = t.cells();
            let (n1, n2) = (a + b, c + d);
            (a, b, c, d, n1, n2, n1 + n2)
        })
        .collect();
    let not_estimable = |message: &str| MetaError::NotEstimable {
        method: "Mantel-Haenszel",
        message: message.into(),
    };
    let (beta, se) = match measure {
        Measure::OR => {
            let (mut r, mut s, mut pr, mut ps_qr, mut qs) = (0.0, 0.0, 0.0, 0.0, 0.0);
            for &(a, b, c, d, _, _, n) in &cells {
                let p = a / n + d / n;
                let q = b / n + c / n;
                let ri = (a / n) * d;
                let si = (b / n) * c;
                r += ri;
                s += si;
                pr += p * ri;
                ps_qr += p * si + q * ri;
                qs += q * si;
            }
            if r == 0.0 || s == 0.0 {
                return Err(not_estimable(
                    "the odds ratio is 0 or infinite (sum of a*d or b*c is 0)",
                ));
            }
            let se = (0.5 * (pr / (r * r) + ps_qr / (r * s) + qs / (s * s))).sqrt();
            ((r / s).ln(), se)
        }
        Measure::RR => {
            let (mut r, mut s, mut num) = (0.0, 0.0, 0.0);
            let (mut sum_a, mut sum_c) = (0.0, 0.0);
            for &(a, _, c, _, n1, n2, n) in &cells {
                r += a * (n2 / n);
                s += c * (n1 / n);
                num += (n1 / n) * (n2 / n) * (a + c) - (a / n) * c;
                sum_a += a;
                sum_c += c;
            }
            if sum_a == 0.0 || sum_c == 0.0 {
                return Err(not_estimable(
                    "no events in one of the arms across all studies",
                ));
            }
            ((r / s).ln(), (num / (r * s)).sqrt())
        }
        Measure::RD => {
            let (mut num, mut den, mut t1, mut t2) = (0.0, 0.0, 0.0, 0.0);
            for &(a, _, c, _, n1, n2, n) in &cells {
                num += a * (n2 / n) - c * (n1 / n);
                den += n1 * (n2 / n);
            }
            let beta = num / den;
            for &(a, _, c, _, n1, n2, n) in &cells {
                t1 += c * (n1 / n).powi(2) - a * (n2 / n).powi(2)
                    + (n1 / n) * (n2 / n) * (n2 - n1) / 2.0;
                t2 += a * (n2 - c) / n + c * (n1 - a) / n;
            }
            let se = ((beta * t1 + t2 / 2.0) / (den * den)).sqrt();
            (beta, se)
        }
    };
    let het = mh_heterogeneity(measure, tables, beta)?;
    Ok(fixed_pooled(Method::MH, level, beta, se, k, het))
}

/// Peto's one-step log odds ratio, as metafor `rma.peto` (no continuity correction; Q from the
/// observed-minus-expected statistics, df = number of non-double-zero studies - 1).
pub fn peto(tables: &[Table2x2], level: f64) -> Result<Pooled, MetaError> {
    check_tables(tables, level)?;
    let k = tables.len();
    let k_yi = tables.iter().filter(|t| !t.is_double_zero()).count();
    let (mut sum_oe, mut sum_v, mut sum_oe2_v) = (0.0, 0.0, 0.0);
    let mut k_pos = 0;
    for t in tables {
        let (a, b, c, d) = t.cells();
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
