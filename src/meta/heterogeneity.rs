//! Cochran's Q, I^2 and H^2 (as `rma.uni` computes them for each method) and the Q-profile
//! confidence interval for tau^2 (`confint.rma.uni`, `type = "QP"`; Viechtbauer 2007).

use serde::Serialize;

use super::roots::{uniroot, R_UNIROOT_TOL};
use crate::stats::dist;

/// Generalised Q: `sum(w * (y - mu_w)^2)` with `w = 1 / (vi + tau2)` (metafor `.QE.func`).
pub fn q_at(tau2: f64, yi: &[f64], vi: &[f64]) -> f64 {
    let mut sw = 0.0;
    let mut swy = 0.0;
    for (y, v) in yi.iter().zip(vi) {
        let w = 1.0 / (v + tau2);
        sw += w;
        swy += w * y;
    }
    let mu = swy / sw;
    yi.iter()
        .zip(vi)
        .map(|(y, v)| (y - mu).powi(2) / (v + tau2))
        .sum()
}

/// Cochran's Q with fixed-effect weights `1 / vi` (`rma.uni`'s `QE`, floored at 0).
pub fn cochran_q(yi: &[f64], vi: &[f64]) -> f64 {
    q_at(0.0, yi, vi).max(0.0)
}

/// `tr(P)` with `P = W - w w' / sum(w)`, `w = 1 / vi`: `sum(w) - sum(w^2) / sum(w)`.
pub fn trace_p(vi: &[f64]) -> f64 {
    let sw: f64 = vi.iter().map(|v| 1.0 / v).sum();
    let sw2: f64 = vi.iter().map(|v| 1.0 / (v * v)).sum();
    sw - sw2 / sw
}

/// I^2 (percent) and H^2 for a fixed-effect model from Q: `max(0, 100 (Q - df) / Q)`, `Q / df`.
pub fn i2_h2_from_q(q: f64, df: f64) -> (f64, f64) {
    ((100.0 * (q - df) / q).max(0.0), q / df)
}

/// I^2 (percent) and H^2 for a random-effects model, from tau^2 and the "typical" within-study
/// variance `vt = (k - 1) / tr(P)` (Higgins & Thompson 2002; metafor `i2def = "1"`).
pub fn i2_h2_from_tau2(tau2: f64, vi: &[f64]) -> (f64, f64) {
    let k = vi.len() as f64;
    let vt = (k - 1.0) / trace_p(vi);
    (100.0 * tau2 / (vt + tau2), tau2 / vt + 1.0)
}

/// Q-profile interval for tau^2 (`confint(rma)$random["tau^2", ]`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Tau2Interval {
    pub lower: f64,
    pub upper: f64,
    /// The interval is the single point 0 (Q(0) below the lower critical value).
    pub null_interval: bool,
    /// The upper limit is the search bound `tau2_max` (true limit larger).
    pub upper_is_bound: bool,
}

/// Q-profile confidence interval for tau^2, searching `[0, max(100, 10 tau2)]` with `uniroot`
/// exactly as `confint.rma.uni` (`tol = .Machine$double.eps^0.25`, `maxiter = 1000`).
/// `None` for k < 2.
pub fn tau2_qprofile_ci(yi: &[f64], vi: &[f64], tau2_hat: f64, level: f64) -> Option<Tau2Interval> {
    let k = yi.len();
    if k < 2 {
        return None;
    }
    let alpha = 1.0 - level;
    let df = (k - 1) as f64;
    let crit_u = dist::qchisq_upper(alpha / 2.0, df);
    let crit_l = dist::qchisq_lower(alpha / 2.0, df);
    let tau2_min = 0f64.min(tau2_hat);
    let tau2_max = 100f64.max(tau2_hat * 10.0).max(tau2_min * 10.0);
    let q = |t: f64| q_at(t, yi, vi);
    let q_min = q(tau2_min);
    let q_max = q(tau2_max);
    let mut out = Tau2Interval {
        lower: f64::NAN,
        upper: f64::NAN,
        null_interval: false,
        upper_is_bound: false,
    };
    if q_min < crit_l {
        out.lower = tau2_min;
        out.upper = tau2_min;
        out.null_interval = tau2_min <= 0.0;
    } else if q_max > crit_l {
        out.upper = tau2_max;
        out.upper_is_bound = true;
    } else if let Some(r) = uniroot(|t| q(t) - crit_l, tau2_min, tau2_max, R_UNIROOT_TOL, 1000) {
        out.upper = r.root;
    }
    if q_max > crit_u {
        out.lower = tau2_max;
        out.upper = tau2_max;
        out.upper_is_bound = true;
    } else if q_min < crit_u {
        out.lower = tau2_min;
    } else if let Some(r) = uniroot(|t| q(t) - crit_u, tau2_min, tau2_max, R_UNIROOT_TOL, 1000) {
        out.lower = r.root;
    }
    Some(out)
}
