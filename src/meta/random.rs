//! Inverse-variance pooling as metafor `rma.uni` (intercept-only): fixed effect and random
//! effects with tau^2 by DerSimonian-Laird, REML (Fisher scoring), Paule-Mandel and
//! Hunter-Schmidt; Hartung-Knapp-Sidik-Jonkman inference (`test = "knha"`); prediction
//! interval as `predict.rma`.

use serde::Serialize;

use super::heterogeneity::{
    cochran_q, i2_h2_from_q, i2_h2_from_tau2, q_at, tau2_qprofile_ci, trace_p,
};
use super::roots::{uniroot, R_UNIROOT_TOL};
use super::{MetaError, Method, Pooled, Test};
use crate::stats::dist;

/// Estimators of the between-study variance tau^2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Tau2Estimator {
    /// DerSimonian & Laird (1986): `(Q - (k - 1)) / (sum w - sum w^2 / sum w)`, floored at 0.
    DerSimonianLaird,
    /// Restricted maximum likelihood by Fisher scoring from the Hedges estimate, as metafor
    /// (`threshold = 1e-5`, `maxiter = 100`, step halving at 0, `ll0check`).
    Reml,
    /// Paule & Mandel (1982): root of `Q(tau2) = k - 1` by `uniroot` on `[0, max(100, 10 mad(y)^2)]`.
    PauleMandel,
    /// Hunter & Schmidt (2004): `(Q - k) / sum w`, floored at 0.
    HunterSchmidt,
}

const REML_THRESHOLD: f64 = 1e-5;
const REML_MAXITER: usize = 100;

/// metafor `rma.uni(yi, vi, method, test, level)` for an intercept-only model. `method` is
/// [`Method::IV`] (`"FE"`) or a random-effects method.
///
/// # Formula
/// `mu = sum w_i y_i / sum w_i` with `w_i = 1 / (v_i + tau^2)` (`tau^2 = 0` for `"FE"`),
/// `se(mu) = 1 / sqrt(sum w_i)`; Hartung-Knapp-Sidik-Jonkman (`Test::Knha`) scales the
/// variance by `sum w_i (y_i - mu)^2 / (k - 1)` and uses `t(k - 1)`;
/// `Q = sum (y_i - mu_FE)^2 / v_i`; random effects: `I^2 = tau^2 / (vt + tau^2)` with the
/// typical within-study variance `vt = (k - 1) / tr(P)` (metafor `i2def = "1"`).
///
/// # Errors
/// [`MetaError::InvalidInput`] for slices of different lengths, a non-finite estimate, a
/// non-positive or non-finite variance or a level outside (0, 1); [`MetaError::NoStudies`] for
/// k = 0; [`MetaError::NonConvergence`] / [`MetaError::NotEstimable`] when the tau^2 estimator
/// does not converge or cannot be computed.
pub fn rma_uni(
    yi: &[f64],
    vi: &[f64],
    method: Method,
    test: Test,
    level: f64,
) -> Result<Pooled, MetaError> {
    if matches!(method, Method::MH | Method::Peto) {
        return Err(MetaError::InvalidInput(format!(
            "rma_uni cannot fit {}",
            method.name()
        )));
    }
    if yi.len() != vi.len() {
        return Err(MetaError::InvalidInput("yi and vi differ in length".into()));
    }
    if !(level > 0.0 && level < 1.0) {
        return Err(MetaError::InvalidInput(format!(
            "confidence level {level} not in (0, 1)"
        )));
    }
    let k = yi.len();
    if k == 0 {
        return Err(MetaError::NoStudies);
    }
    // rma.uni: 'Setting argument test="z" since k=1.'
    let test = if k == 1 { Test::Z } else { test };
    for (i, (y, v)) in yi.iter().zip(vi).enumerate() {
        if !y.is_finite() || !v.is_finite() {
            return Err(MetaError::InvalidInput(format!(
                "effect {} is not finite (yi = {y}, vi = {v})",
                i + 1
            )));
        }
        if *v <= 0.0 {
            return Err(MetaError::InvalidInput(format!(
                "effect {} has a non-positive sampling variance ({v})",
                i + 1
            )));
        }
    }
    let tau2 = match (k, method.tau2_estimator()) {
        (_, None) | (1, _) => 0.0,
        (_, Some(est)) => estimate_tau2(yi, vi, est)?,
    };

    // Estimate and its variance (weights 1 / (vi + tau2)).
    let w: Vec<f64> = vi.iter().map(|v| 1.0 / (v + tau2)).collect();
    let sw: f64 = w.iter().sum();
    let mu = w.iter().zip(yi).map(|(w, y)| w * y).sum::<f64>() / sw;
    let mut vb = 1.0 / sw;
    let df = (k - 1) as f64;
    let mut knha_factor = None;
    if test == Test::Knha {
        let rss: f64 = w.iter().zip(yi).map(|(w, y)| w * (y - mu).powi(2)).sum();
        let s2w = if rss <= f64::EPSILON { 0.0 } else { rss / df };
        vb *= s2w;
        knha_factor = Some(s2w);
    }
    let se = vb.sqrt();
    let statistic = mu / se;
    let alpha = 1.0 - level;
    let (p, crit, t_df) = match test {
        Test::Z => (
            dist::p_normal_two_sided(statistic),
            dist::qnorm_upper(alpha / 2.0),
            None,
        ),
        Test::Knha if k > 1 => (
            dist::p_t_two_sided(statistic, df),
            dist::qt_upper(alpha / 2.0, df),
            Some(df),
        ),
        Test::Knha => (f64::NAN, f64::NAN, Some(0.0)),
    };

    // Heterogeneity: always with fixed-effect weights; I^2/H^2 depend on the model.
    let (q, q_p, i2, h2) = if k > 1 {
        let q = cochran_q(yi, vi);
        let (i2, h2) = if method.tau2_estimator().is_none() {
            i2_h2_from_q(q, df)
        } else {
            i2_h2_from_tau2(tau2, vi)
        };
        (q, dist::pchisq_upper(q, df), i2, h2)
    } else {
        (0.0, 1.0, 0.0, 1.0)
    };
    let tau2_ci = match method.tau2_estimator() {
        Some(_) => tau2_qprofile_ci(yi, vi, tau2, level),
        None => None,
    };
    // predict.rma: pred +/- crit * sqrt(vb + tau2), crit as for the CI.
    let pi_half = crit * (vb + tau2).sqrt();
    Ok(Pooled {
        method,
        test,
        level,
        estimate: mu,
        se,
        statistic,
        p,
        ci_lower: mu - crit * se,
        ci_upper: mu + crit * se,
        df: t_df,
        knha_factor,
        tau2,
        tau2_ci,
        q,
        q_df: k - 1,
        q_p,
        i2,
        h2,
        k,
        pi_lower: mu - pi_half,
        pi_upper: mu + pi_half,
    })
}

/// tau^2 for k >= 2 by the chosen estimator, as `rma.uni`.
///
/// # Formula
/// DerSimonian-Laird `(Q - (k - 1)) / (sum w - sum w^2 / sum w)`, floored at 0; the others are
/// described on [`Tau2Estimator`].
///
/// # Errors
/// [`MetaError::NonConvergence`] when REML's Fisher scoring or Paule-Mandel's root search does
/// not converge; [`MetaError::NotEstimable`] when the root cannot be bracketed.
pub fn estimate_tau2(yi: &[f64], vi: &[f64], est: Tau2Estimator) -> Result<f64, MetaError> {
    let k = yi.len() as f64;
    let tau2 = match est {
        Tau2Estimator::DerSimonianLaird => (cochran_q(yi, vi) - (k - 1.0)) / trace_p(vi),
        Tau2Estimator::HunterSchmidt => {
            let sw: f64 = vi.iter().map(|v| 1.0 / v).sum();
            (cochran_q(yi, vi) - k) / sw
        }
        Tau2Estimator::PauleMandel => paule_mandel(yi, vi)?,
        Tau2Estimator::Reml => reml(yi, vi)?,
    };
    Ok(tau2.max(0.0))
}

fn paule_mandel(yi: &[f64], vi: &[f64]) -> Result<f64, MetaError> {
    let target = (yi.len() - 1) as f64;
    let tau2_max = 100f64.max(10.0 * mad(yi).powi(2));
    // metafor evaluates .QE.func on the mean-centred outcomes.
    let mean = yi.iter().sum::<f64>() / yi.len() as f64;
    let ymc: Vec<f64> = yi.iter().map(|y| y - mean).collect();
    let f = |t: f64| q_at(t, &ymc, vi) - target;
    if f(0.0) < 0.0 {
        return Ok(0.0);
    }
    if f(tau2_max) > 0.0 {
        return Err(MetaError::NotEstimable {
            method: "Paule-Mandel",
            message: format!("Q(tau2) stays above k - 1 up to tau2.max = {tau2_max}"),
        });
    }
    match uniroot(f, 0.0, tau2_max, R_UNIROOT_TOL, 100) {
        Some(r) if r.converged => Ok(r.root),
        Some(_) => Err(MetaError::NonConvergence {
            method: "Paule-Mandel (uniroot)",
            iterations: 100,
        }),
        None => Err(MetaError::NotEstimable {
            method: "Paule-Mandel",
            message: "no sign change for uniroot".into(),
        }),
    }
}

/// REML log-likelihood of an intercept-only model (metafor's `ll.REML` with `REMLf = TRUE`).
fn reml_loglik(yi: &[f64], vi: &[f64], tau2: f64) -> f64 {
    let k = yi.len() as f64;
    let w: Vec<f64> = vi.iter().map(|v| 1.0 / (v + tau2)).collect();
    let sw: f64 = w.iter().sum();
    let mu = w.iter().zip(yi).map(|(w, y)| w * y).sum::<f64>() / sw;
    let rss: f64 = w.iter().zip(yi).map(|(w, y)| w * (y - mu).powi(2)).sum();
    -0.5 * (k - 1.0) * (2.0 * std::f64::consts::PI).ln()
        - 0.5 * vi.iter().map(|v| (v + tau2).ln()).sum::<f64>()
        - 0.5 * sw.ln()
        - 0.5 * rss
}

fn reml(yi: &[f64], vi: &[f64]) -> Result<f64, MetaError> {
    let k = yi.len() as f64;
    let mean = yi.iter().sum::<f64>() / k;
    // Hedges (HE) starting value: (RSS - tr(PV)) / (k - 1) with the unweighted projection.
    let rss_u: f64 = yi.iter().map(|y| (y - mean).powi(2)).sum();
    let tr_pv: f64 = vi.iter().sum::<f64>() * (1.0 - 1.0 / k);
    let mut tau2 = ((rss_u - tr_pv) / (k - 1.0)).max(0.0);
    let mut change = REML_THRESHOLD + 1.0;
    let mut iter = 0;
    while change > REML_THRESHOLD {
        iter += 1;
        let old = tau2;
        let w: Vec<f64> = vi.iter().map(|v| 1.0 / (v + tau2)).collect();
        let sw: f64 = w.iter().sum();
        let sw2: f64 = w.iter().map(|w| w * w).sum();
        let sw3: f64 = w.iter().map(|w| w * w * w).sum();
        let mu = w.iter().zip(yi).map(|(w, y)| w * y).sum::<f64>() / sw;
        // y'PPy = sum(w^2 (y - mu)^2); tr(P); tr(PP).
        let ypy: f64 = w.iter().zip(yi).map(|(w, y)| (w * (y - mu)).powi(2)).sum();
        let tr_p = sw - sw2 / sw;
        let tr_pp = sw2 - 2.0 * sw3 / sw + (sw2 / sw).powi(2);
        let mut adj = (ypy - tr_p) / tr_pp;
        if adj.is_nan() {
            adj = 0.0;
        }
        while tau2 + adj < 0.0 {
            adj /= 2.0;
        }
        tau2 += adj;
        change = (old - tau2).abs();
        if iter > REML_MAXITER {
            return Err(MetaError::NonConvergence {
                method: "REML (Fisher scoring)",
                iterations: iter,
            });
        }
    }
    // ll0check: fall back to 0 when tau2 = 0 has the clearly higher restricted likelihood.
    let ll0 = reml_loglik(yi, vi, 0.0);
    let ll = reml_loglik(yi, vi, tau2);
    if ll0 - ll > R_UNIROOT_TOL && tau2 > REML_THRESHOLD {
        tau2 = 0.0;
    }
    Ok(tau2)
}

/// R `mad(x)`: median absolute deviation from the median times 1.4826.
fn mad(x: &[f64]) -> f64 {
    let med = median(x);
    let dev: Vec<f64> = x.iter().map(|v| (v - med).abs()).collect();
    1.4826 * median(&dev)
}

fn median(x: &[f64]) -> f64 {
    let mut s = x.to_vec();
    s.sort_by(|a, b| a.total_cmp(b));
    let n = s.len();
    if n % 2 == 1 {
        s[n / 2]
    } else {
        (s[n / 2 - 1] + s[n / 2]) / 2.0
    }
}
