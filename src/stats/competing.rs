//! Competing risks: the Aalen-Johansen estimate of cumulative incidence (e.g. death in hospital,
//! with discharge alive as the competing event), as R `survfit(Surv(time, status) ~ 1)` with a
//! factor `status` (multi-state `survfitCI`): `pstate`, and its `std.err`, which R computes by
//! the infinitesimal jackknife with each row its own cluster (the only variance R offers for
//! multi-state curves; `logse = FALSE`, so intervals use `std.err / pstate` on the log scale).
//!
//! The jackknife is evaluated in closed form: one sort by time, one pass, O(n log n + m k) for m
//! distinct times and k causes, instead of R's O(n m k).

use serde::Serialize;

use super::dist::z_two_sided;
use super::km::{ConfType, KmOptions};
use super::survtime::{sorted_rows, validate};
use super::StatsError;

/// Aalen-Johansen fit; one entry per distinct time (event or censoring). Per-cause vectors are
/// indexed `[cause - 1][time]`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CompetingFit {
    pub time: Vec<f64>,
    /// Rows still event-free and under observation just before each time (R's `n.risk` for the
    /// initial state: an unweighted count, as R reports it).
    pub n_risk: Vec<f64>,
    /// Events of each cause at each time (unweighted counts, as R).
    pub n_event: Vec<Vec<f64>>,
    /// Censorings at each time (unweighted count, as R).
    pub n_censor: Vec<f64>,
    /// Probability of being event-free (R `pstate[, "(s0)"]`).
    pub surv: Vec<f64>,
    /// Infinitesimal-jackknife standard error of `surv`.
    pub surv_std_err: Vec<f64>,
    /// Cumulative incidence of each cause (R `pstate[, cause]`).
    pub cif: Vec<Vec<f64>>,
    /// Infinitesimal-jackknife standard error of each cumulative incidence (R `std.err`).
    pub std_err: Vec<Vec<f64>>,
    pub lower: Vec<Vec<f64>>,
    pub upper: Vec<Vec<f64>>,
    pub n: usize,
    pub conf_type: ConfType,
    pub conf_level: f64,
}

/// The checks of [`aalen_johansen`]'s input.
fn check_inputs(
    time: &[f64],
    cause: &[u32],
    n_causes: usize,
    weights: Option<&[f64]>,
    opts: &KmOptions,
) -> Result<(), StatsError> {
    validate(time, cause.len(), weights)?;
    if n_causes == 0 {
        return Err(StatsError::InvalidInput(
            "n_causes must be at least 1".into(),
        ));
    }
    if let Some((i, c)) = cause
        .iter()
        .enumerate()
        .find(|(_, c)| **c as usize > n_causes)
    {
        return Err(StatsError::InvalidInput(format!(
            "cause at row {} is {c}, outside 0..={n_causes}",
            i + 1
        )));
    }
    if !(opts.conf_level > 0.0 && opts.conf_level < 1.0) {
        return Err(StatsError::InvalidInput(format!(
            "conf level {} must be in (0, 1)",
            opts.conf_level
        )));
    }
    Ok(())
}

/// Aalen-Johansen cumulative incidence. `cause[i]` is 0 for a censored row and `1..=n_causes`
/// for the event that ended follow-up (e.g. 1 = death, 2 = discharge alive). Weights are case
/// weights (weighted hazards; the jackknife uses `sum (w U)^2` as R).
///
/// # Formula
/// With `S(t-)` the all-cause Kaplan-Meier survival just before `t`, `n(t)` at risk and
/// `d_k(t)` events of cause `k`: `F_k(t) = sum_{s <= t} S(s-) d_k(s) / n(s)`; the standard error
/// is the infinitesimal jackknife of `F_k` (R `survfit` with a factor status).
///
/// # Errors
/// [`StatsError::InvalidInput`] for slices of different lengths, bad times or weights,
/// `n_causes` 0, a cause outside `0..=n_causes`, or a confidence level outside (0, 1).
pub fn aalen_johansen(
    time: &[f64],
    cause: &[u32],
    n_causes: usize,
    weights: Option<&[f64]>,
    opts: &KmOptions,
) -> Result<CompetingFit, StatsError> {
    check_inputs(time, cause, n_causes, weights, opts)?;
    let sorted = sorted_rows(time, opts.timefix, |i| i as u32, 1, |_| 0);
    let order = &sorted.aux;
    let k = n_causes;
    let wt = |i: usize| weights.map_or(1.0, |w| w[i]);

    // weighted number at risk from the end
    let n_rows = order.len();
    let total_w: f64 = {
        // sum from the end as R accumulates ws by additions then removals; use a backward sum
        let mut s = 0.0;
        for &i in order.iter().rev() {
            s += wt(i as usize);
        }
        s
    };
    let mut ws = total_w;
    let mut w2_risk: f64 = order.iter().map(|&i| wt(i as usize).powi(2)).sum();
    let mut ns = n_rows as f64;

    let mut out = CompetingFit {
        time: Vec::new(),
        n_risk: Vec::new(),
        n_event: vec![Vec::new(); k],
        n_censor: Vec::new(),
        surv: Vec::new(),
        surv_std_err: Vec::new(),
        cif: vec![Vec::new(); k],
        std_err: vec![Vec::new(); k],
        lower: vec![Vec::new(); k],
        upper: vec![Vec::new(); k],
        n: n_rows,
        conf_type: opts.conf_type,
        conf_level: opts.conf_level,
    };

    // One pass over the rows in time order. The running sums of the infinitesimal jackknife
    // (`b`, `sc2`, `sca`, `sa2`) and the estimates they depend on are updated together at each
    // time, so the pass stays one function (long on purpose) rather than scattering that state.
    let mut s = 1.0; // P(event-free)
    let mut f = vec![0.0; k]; // cumulative incidences
    let mut g = 0.0; // sum d / (n (n - d))
    let mut b = vec![0.0; k]; // influence on F_m of a row still at risk (per unit weight)
                              // departed rows: sums of w^2 c^2, w^2 c a, w^2 a^2 per cause, and w^2 a^2 (state 0 uses a)
    let mut sc2 = vec![0.0; k];
    let mut sca = vec![0.0; k];
    let mut sa2 = 0.0;
    let mut dead_all = false;
    let mut d_m = vec![0.0; k];
    let mut d_cnt = vec![0.0; k];
    let mut j = 0;
    while j < n_rows {
        let t = sorted.time[j];
        let start = j;
        d_m.iter_mut().for_each(|x| *x = 0.0);
        d_cnt.iter_mut().for_each(|x| *x = 0.0);
        let mut cens = 0.0;
        let mut w_here = 0.0;
        while j < n_rows && sorted.time[j] == t {
            let i = order[j] as usize;
            let c = cause[i] as usize;
            if c > 0 {
                d_m[c - 1] += wt(i);
                d_cnt[c - 1] += 1.0;
            } else {
                cens += 1.0;
            }
            w_here += wt(i);
            j += 1;
        }
        let n = ws;
        let d: f64 = d_m.iter().sum();
        let s_prev = s;
        let mut a_cens = g; // a for rows censored here (after the update below)
        let mut a_event = g;
        let mut u_event_extra = s_prev / n; // extra influence on F_m for a cause-m event
        if d > 0.0 && !dead_all {
            // at-risk influence on F_m moves by dF_m (G_{i-1} - 1/n)
            for m in 0..k {
                let df = s_prev * d_m[m] / n;
                b[m] += df * (g - 1.0 / n);
                f[m] += df;
            }
            s *= (n - d) / n;
            if n - d > 0.0 {
                g += d / (n * (n - d));
                a_cens = g;
                a_event = g - 1.0 / (n - d);
            } else {
                // everyone at risk has an event: no further change, S = 0
                dead_all = true;
                a_cens = 0.0;
                a_event = 0.0;
            }
        } else {
            u_event_extra = 0.0;
        }
        // rows leaving at this time: fold into the departed sums
        for &i in &order[start..j] {
            let i = i as usize;
            let w2 = wt(i).powi(2);
            let c = cause[i] as usize;
            let a = if c > 0 { a_event } else { a_cens };
            for m in 0..k {
                let u = b[m] + if c == m + 1 { u_event_extra } else { 0.0 };
                let cm = u - a * f[m];
                sc2[m] += w2 * cm * cm;
                sca[m] += w2 * cm * a;
            }
            sa2 += w2 * a * a;
            w2_risk -= w2;
        }
        // variances at this time
        let w2_after = w2_risk.max(0.0);
        let v0 = if dead_all || s == 0.0 {
            0.0
        } else {
            s * s * (g * g * w2_after + sa2)
        };
        out.time.push(t);
        out.n_risk.push(ns);
        out.n_censor.push(cens);
        out.surv.push(s);
        out.surv_std_err.push(v0.max(0.0).sqrt());
        for m in 0..k {
            out.n_event[m].push(d_cnt[m]);
            out.cif[m].push(f[m]);
            let v = w2_after * b[m] * b[m] + sc2[m] + 2.0 * f[m] * sca[m] + f[m] * f[m] * sa2;
            out.std_err[m].push(v.max(0.0).sqrt());
        }
        ws -= w_here;
        ns -= (j - start) as f64;
    }
    let z = z_two_sided(opts.conf_level);
    for m in 0..k {
        for (p, se) in out.cif[m].iter().zip(&out.std_err[m]) {
            let se_log = if *se == 0.0 { 0.0 } else { se / p };
            let (lo, hi) = super::km::ci_one(*p, se_log, z, opts.conf_type);
            out.lower[m].push(lo);
            out.upper[m].push(hi);
        }
    }
    Ok(out)
}
