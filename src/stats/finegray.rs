//! Competing risks regression: the Fine-Gray proportional subdistribution hazards model, two
//! ways, and the cause-specific Cox model.
//!
//! * [`crr`]: R `cmprsk::crr` 2.2-11 (one censoring group, no time-varying `cov2`): Breslow
//!   handling of ties; subjects with a competing event stay in the risk set with weight
//!   `G(t-) / G(T_i-)`, `G` the Kaplan-Meier estimate of the censoring distribution (unweighted,
//!   censorings at a time after the failures at that time; R evaluates it at `t (1 - 100 eps)`,
//!   so for `t > 0` it is `G(t-)`, for `t <= 0` it is `G(t)`); Newton-Raphson from 0 with crr's
//!   step halving (`f(b + s) <= f(b) + 1e-4 s'g`, at most 20 halvings), stopping when
//!   `max |g_j| max(|b_j|, 1) < gtol max(|f|, 1)` (`gtol = 1e-6`, at most 10 iterations), where
//!   `f` is minus the log pseudo-likelihood; the variance is crr's sandwich
//!   `I^{-1} (sum_i (eta_i + psi_i)(eta_i + psi_i)') I^{-1}` (Fine and Gray 1999, the `psi`
//!   term accounting for the estimated `G`).
//! * [`finegray_expand`] + [`super::cox::coxph`]: R `survival::finegray` 3.5 (right-censored
//!   data, one stratum) followed by the weighted `coxph(Surv(fgstart, fgstop, fgstatus) ~ .,
//!   weights = fgwt)`, which admits case weights (IPTW) and Efron ties. Its censoring curve
//!   counts a failure at `t` as leaving before a censoring at `t` (R shifts failure times by
//!   -0.2 on the rank scale), which is where it differs from crr when failures and censorings
//!   are tied; with Breslow ties and no such ties the two give the same coefficients.
//! * [`cause_specific_cox`]: the Cox model of one cause with every other event as censoring.
//! * The cumulative incidence (Aalen-Johansen) is [`super::competing::aalen_johansen`].
//!
//! Differences from R, on purpose: crr's non-convergence (R's `converged = FALSE` with a
//! warning) is `StatsError::NonConvergence`; `finegray` does not apply `aeqSurv` (times are
//! compared exactly, as in [`super::cox`]); user weights are only available through the
//! `finegray` path, as crr has none.
//!
//! Cost: crr here is one sort then O(n p^2) per iteration and for the variance (crr's Fortran is
//! O(n^2 p) per iteration and up to O(n^3 p) for the variance); the expansion adds, for each
//! competing-event row, one row per later censoring interval holding an event of interest.

// Dense numeric kernels read best with explicit indices.
#![allow(clippy::needless_range_loop)]

use serde::Serialize;

use super::cox::{coxph, CoxData, CoxFit, CoxOptions, CoxTerm};
use super::dist::{p_normal_two_sided, qnorm};
use super::linalg::Ldl;
use super::StatsError;

fn check_inputs(
    time: &[f64],
    status: &[u32],
    cause: u32,
    x: &[Vec<f64>],
) -> Result<(), StatsError> {
    let n = time.len();
    if status.len() != n {
        return Err(StatsError::InvalidInput(format!(
            "status has {} values for {n} times",
            status.len()
        )));
    }
    if cause == 0 {
        return Err(StatsError::InvalidInput(
            "the cause of interest must be >= 1 (0 is censoring)".into(),
        ));
    }
    if let Some(i) = time.iter().position(|t| !t.is_finite()) {
        return Err(StatsError::InvalidInput(format!(
            "time is not finite at row {}",
            i + 1
        )));
    }
    for (j, col) in x.iter().enumerate() {
        if col.len() != n {
            return Err(StatsError::InvalidInput(format!(
                "covariate {} has {} values for {n} rows",
                j + 1,
                col.len()
            )));
        }
        if let Some(i) = col.iter().position(|v| !v.is_finite()) {
            return Err(StatsError::InvalidInput(format!(
                "covariate {} is not finite at row {}",
                j + 1,
                i + 1
            )));
        }
    }
    if !status.contains(&cause) {
        return Err(StatsError::InvalidInput(format!(
            "no event of cause {cause}: nothing to model"
        )));
    }
    Ok(())
}

/// Options of [`crr`]; `Default` gives R's `gtol = 1e-6, maxiter = 10`.
#[derive(Debug, Clone)]
pub struct CrrOptions {
    pub gtol: f64,
    pub max_iter: usize,
    /// Covariate names (defaults to `x1`, `x2`, ...).
    pub names: Option<Vec<String>>,
}

impl Default for CrrOptions {
    fn default() -> Self {
        CrrOptions {
            gtol: 1e-6,
            max_iter: 10,
            names: None,
        }
    }
}

/// A fitted Fine-Gray model (R `crr` object).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CrrFit {
    pub names: Vec<String>,
    pub coef: Vec<f64>,
    /// Standard errors from crr's sandwich variance.
    pub se: Vec<f64>,
    /// crr's sandwich variance, row-major `p x p` (R `var`).
    pub var: Vec<f64>,
    /// Log pseudo-likelihood at the estimate and at 0 (R `loglik`, `loglik.null`).
    pub loglik: f64,
    pub loglik_null: f64,
    /// Newton iterations taken.
    pub iterations: usize,
    pub n: usize,
    /// Rows with the event of interest, with a competing event, censored.
    pub n_event: usize,
    pub n_competing: usize,
    pub n_censored: usize,
}

impl CrrFit {
    /// Subdistribution hazard ratios with Wald intervals at `level` (as `summary.crr`).
    pub fn terms(&self, level: f64) -> Vec<CoxTerm> {
        let zq = qnorm(0.5 + level / 2.0);
        (0..self.coef.len())
            .map(|j| {
                let (b, se) = (self.coef[j], self.se[j]);
                let z = b / se;
                CoxTerm {
                    name: self.names[j].clone(),
                    coef: b,
                    se,
                    robust_se: None,
                    hr: b.exp(),
                    lower: (b - zq * se).exp(),
                    upper: (b + zq * se).exp(),
                    z,
                    p: p_normal_two_sided(z),
                }
            })
            .collect()
    }
}

/// Data of crr sorted by time: type 1 (cause), 2 (competing), 0 (censored).
struct CrrData {
    n: usize,
    p: usize,
    t: Vec<f64>,
    e: Vec<u8>,
    /// Row-major `n x p`.
    x: Vec<f64>,
    /// Censoring survival at each row's time as crr evaluates it.
    g: Vec<f64>,
    /// Half-open ranges of rows with equal time, ascending.
    groups: Vec<(usize, usize)>,
}

impl CrrData {
    fn new(time: &[f64], status: &[u32], cause: u32, x: &[Vec<f64>]) -> CrrData {
        let n = time.len();
        let p = x.len();
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by(|&a, &b| time[a].total_cmp(&time[b]));
        let t: Vec<f64> = order.iter().map(|&i| time[i]).collect();
        let e: Vec<u8> = order
            .iter()
            .map(|&i| match status[i] {
                0 => 0,
                s if s == cause => 1,
                _ => 2,
            })
            .collect();
        let mut xs = vec![0.0; n * p];
        for (r, &i) in order.iter().enumerate() {
            for j in 0..p {
                xs[r * p + j] = x[j][i];
            }
        }
        let mut groups = Vec::new();
        let mut a = 0;
        while a < n {
            let mut b = a + 1;
            while b < n && t[b] == t[a] {
                b += 1;
            }
            groups.push((a, b));
            a = b;
        }
        // Kaplan-Meier of the censoring times (everyone with t >= u at risk at u)
        let mut g = vec![0.0; n];
        let mut surv = 1.0;
        for &(a, b) in &groups {
            let censored = (a..b).filter(|&r| e[r] == 0).count() as f64;
            let at_risk = (n - a) as f64;
            let after = surv * (1.0 - censored / at_risk);
            let value = if t[a] > 0.0 { surv } else { after };
            g[a..b].iter_mut().for_each(|v| *v = value);
            surv = after;
        }
        CrrData {
            n,
            p,
            t,
            e,
            x: xs,
            g,
            groups,
        }
    }

    fn row(&self, r: usize) -> &[f64] {
        &self.x[r * self.p..(r + 1) * self.p]
    }
}

/// Risk-set sums at one distinct time of the event of interest.
struct FailTime {
    /// First row of the time group (rows `>= a` have `t >= tau`).
    a: usize,
    d: f64,
    /// `G(tau-)`.
    g: f64,
    s0: f64,
    xbar: Vec<f64>,
}

/// Minus the log pseudo-likelihood, its gradient and Hessian (crr's `crrfsv`), and the per-time
/// sums used by the variance.
fn crr_objective(
    data: &CrrData,
    b: &[f64],
    second: bool,
) -> (f64, Vec<f64>, Vec<f64>, Vec<FailTime>) {
    let (n, p) = (data.n, data.p);
    let lp: Vec<f64> = (0..n)
        .map(|k| data.row(k).iter().zip(b).map(|(x, c)| x * c).sum::<f64>())
        .collect();
    let r: Vec<f64> = lp.iter().map(|v| v.exp()).collect();
    // competing-event prefix sums (rows before the group) of r/G, r x/G, r x x'/G
    let mut c0 = 0.0;
    let mut c1 = vec![0.0; p];
    let mut c2 = vec![0.0; p * p];
    let mut comp = Vec::with_capacity(data.groups.len());
    for &(a, bnd) in &data.groups {
        comp.push((c0, c1.clone(), if second { c2.clone() } else { Vec::new() }));
        for k in a..bnd {
            if data.e[k] == 2 {
                let wk = r[k] / data.g[k];
                let xk = data.row(k);
                c0 += wk;
                for j in 0..p {
                    c1[j] += wk * xk[j];
                    if second {
                        for l in 0..p {
                            c2[j * p + l] += wk * xk[j] * xk[l];
                        }
                    }
                }
            }
        }
    }
    // tail sums (rows of the group and after) of r, r x, r x x', descending
    let mut t0 = 0.0;
    let mut t1 = vec![0.0; p];
    let mut t2 = vec![0.0; p * p];
    let mut f = 0.0;
    let mut grad = vec![0.0; p];
    let mut hess = vec![0.0; p * p];
    let mut times = Vec::new();
    for (gi, &(a, bnd)) in data.groups.iter().enumerate().rev() {
        for k in a..bnd {
            let xk = data.row(k);
            t0 += r[k];
            for j in 0..p {
                t1[j] += r[k] * xk[j];
                if second {
                    for l in 0..p {
                        t2[j * p + l] += r[k] * xk[j] * xk[l];
                    }
                }
            }
        }
        let d = (a..bnd).filter(|&k| data.e[k] == 1).count();
        if d == 0 {
            continue;
        }
        let d = d as f64;
        for k in (a..bnd).filter(|&k| data.e[k] == 1) {
            let xk = data.row(k);
            f -= lp[k];
            for j in 0..p {
                grad[j] -= xk[j];
            }
        }
        let gt = data.g[a];
        let (cc0, cc1, cc2) = &comp[gi];
        let s0 = t0 + gt * cc0;
        let s1: Vec<f64> = (0..p).map(|j| t1[j] + gt * cc1[j]).collect();
        f += d * s0.ln();
        for j in 0..p {
            grad[j] += d * s1[j] / s0;
            if second {
                for l in 0..p {
                    let s2 = t2[j * p + l] + gt * cc2[j * p + l];
                    hess[j * p + l] += d * (s2 / s0 - s1[j] * s1[l] / (s0 * s0));
                }
            }
        }
        times.push(FailTime {
            a,
            d,
            g: gt,
            s0,
            xbar: s1.iter().map(|v| v / s0).collect(),
        });
    }
    times.reverse();
    (f, grad, hess, times)
}

/// The Fine-Gray model fitted as R `cmprsk::crr(time, status, x, failcode = cause,
/// cencode = 0)` (module docs). `status` is 0 for censored, otherwise the cause.
///
/// # Formula
/// Maximises `sum_{i: e_i = 1} [x_i'b - log sum_k w_k(T_i) exp(x_k'b)]` with
/// `w_k(t) = 1` if `T_k >= t`, `G(t-)/G(T_k-)` if `T_k < t` and `k` had a competing event,
/// else 0; variance `I^{-1} Sigma I^{-1}` with `Sigma = sum_i (eta_i + psi_i)^{otimes 2}`
/// (Fine and Gray 1999, section 4).
///
/// # Errors
/// `StatsError::InvalidInput` for mismatched lengths, non-finite values, no event of `cause`
/// or no covariate; `StatsError::NonConvergence` when crr's iteration does not converge;
/// `StatsError::Singular` for a singular information matrix.
pub fn crr(
    time: &[f64],
    status: &[u32],
    cause: u32,
    x: &[Vec<f64>],
    options: &CrrOptions,
) -> Result<CrrFit, StatsError> {
    check_inputs(time, status, cause, x)?;
    if x.is_empty() {
        return Err(StatsError::InvalidInput(
            "crr needs at least one covariate".into(),
        ));
    }
    let data = CrrData::new(time, status, cause, x);
    let p = data.p;
    let toler = f64::EPSILON.powf(0.75);
    let mut b = vec![0.0; p];
    let loglik_null = -crr_objective(&data, &b, false).0;
    let mut iterations = 0;
    let mut converged = false;
    for ll in 0..=options.max_iter {
        let (f, g, h, _) = crr_objective(&data, &b, true);
        let crit = (0..p)
            .map(|j| g[j].abs() * b[j].abs().max(1.0))
            .fold(0.0, f64::max);
        if crit < f.abs().max(1.0) * options.gtol {
            converged = true;
            iterations = ll;
            break;
        }
        if ll == options.max_iter {
            break;
        }
        let ldl = Ldl::new(&h, p, toler);
        if ldl.rank() < p {
            return Err(StatsError::Singular("crr: information matrix".into()));
        }
        let mut sc = g.clone();
        ldl.solve(&mut sc);
        sc.iter_mut().for_each(|v| *v = -*v);
        let slope: f64 = sc.iter().zip(&g).map(|(a, b)| a * b).sum();
        let mut halvings = 0;
        let mut bn: Vec<f64> = b.iter().zip(&sc).map(|(a, s)| a + s).collect();
        let mut fbn = crr_objective(&data, &bn, false).0;
        while fbn.is_nan() || fbn > f + 1e-4 * slope * 0.5f64.powi(halvings) {
            halvings += 1;
            if halvings > 20 {
                break;
            }
            let scale = 0.5f64.powi(halvings);
            bn = b.iter().zip(&sc).map(|(a, s)| a + scale * s).collect();
            fbn = crr_objective(&data, &bn, false).0;
        }
        if halvings > 20 {
            break;
        }
        b = bn;
    }
    if !converged {
        return Err(StatsError::NonConvergence {
            iterations: options.max_iter,
            detail: "cmprsk::crr rule (gtol on the scaled score)".into(),
        });
    }
    let (f, _, h, times) = crr_objective(&data, &b, true);
    let ldl = Ldl::new(&h, p, toler);
    if ldl.rank() < p {
        return Err(StatsError::Singular("crr: information matrix".into()));
    }
    let hinv = ldl.inverse();
    let sigma = crr_meat(&data, &b, &times);
    let mut tmp = vec![0.0; p * p];
    let mut var = vec![0.0; p * p];
    for i in 0..p {
        for j in 0..p {
            tmp[i * p + j] = (0..p).map(|k| hinv[i * p + k] * sigma[k * p + j]).sum();
        }
    }
    for i in 0..p {
        for j in 0..p {
            var[i * p + j] = (0..p).map(|k| tmp[i * p + k] * hinv[j * p + k]).sum();
        }
    }
    let count = |c: u8| data.e.iter().filter(|&&e| e == c).count();
    Ok(CrrFit {
        names: options
            .names
            .clone()
            .unwrap_or_else(|| (1..=p).map(|j| format!("x{j}")).collect()),
        se: (0..p).map(|j| var[j * p + j].sqrt()).collect(),
        coef: b,
        var,
        loglik: -f,
        loglik_null,
        iterations,
        n: data.n,
        n_event: count(1),
        n_competing: count(2),
        n_censored: count(0),
    })
}

/// crr's `crrvv` middle term `sum_i (eta_i + psi_i)(eta_i + psi_i)'`, in one pass each way.
fn crr_meat(data: &CrrData, b: &[f64], times: &[FailTime]) -> Vec<f64> {
    let (n, p) = (data.n, data.p);
    let r: Vec<f64> = (0..n)
        .map(|k| {
            data.row(k)
                .iter()
                .zip(b)
                .map(|(x, c)| x * c)
                .sum::<f64>()
                .exp()
        })
        .collect();
    let nt = times.len();
    // cum[m] = sums over times 0..m (exclusive) of d/S0 and d xbar/S0; gsum the same with G(tau-)
    let mut cum_a = vec![0.0; nt + 1];
    let mut cum_b = vec![vec![0.0; p]; nt + 1];
    let mut cum_ga = vec![0.0; nt + 1];
    let mut cum_gb = vec![vec![0.0; p]; nt + 1];
    for (m, ft) in times.iter().enumerate() {
        cum_a[m + 1] = cum_a[m] + ft.d / ft.s0;
        cum_ga[m + 1] = cum_ga[m] + ft.d * ft.g / ft.s0;
        for j in 0..p {
            cum_b[m + 1][j] = cum_b[m][j] + ft.d * ft.xbar[j] / ft.s0;
            cum_gb[m + 1][j] = cum_gb[m][j] + ft.d * ft.g * ft.xbar[j] / ft.s0;
        }
    }
    let mut meat = vec![0.0; p * p];
    let mut ss2 = vec![0.0; p];
    let mut qu = vec![0.0; p];
    let (mut c0, mut c1) = (0.0, vec![0.0; p]);
    let mut m_next = 0; // first event time >= the current group's time
    let mut u = vec![0.0; p];
    for &(a, bnd) in &data.groups {
        let tg = data.t[a];
        while m_next < nt && data.t[times[m_next].a] < tg {
            m_next += 1;
        }
        // times with tau <= tg: 0..m_le
        let m_le = if m_next < nt && times[m_next].a == a {
            m_next + 1
        } else {
            m_next
        };
        let at_risk = (n - a) as f64;
        let n_cens = (a..bnd).filter(|&k| data.e[k] == 0).count();
        if n_cens > 0 {
            // q(u) over event times tau >= u
            let ga = cum_ga[nt] - cum_ga[m_next];
            for j in 0..p {
                let gb = cum_gb[nt][j] - cum_gb[m_next][j];
                qu[j] = c1[j] * ga - c0 * gb;
                ss2[j] -= n_cens as f64 * qu[j] / (at_risk * at_risk);
            }
        }
        for k in a..bnd {
            let xk = data.row(k);
            for j in 0..p {
                // d Lambda part for times tau <= t_k
                u[j] = -r[k] * (xk[j] * cum_a[m_le] - cum_b[m_le][j]);
            }
            match data.e[k] {
                1 => {
                    let ft = &times[m_le - 1];
                    for j in 0..p {
                        u[j] += xk[j] - ft.xbar[j];
                    }
                }
                2 => {
                    let ga = cum_ga[nt] - cum_ga[m_le];
                    for j in 0..p {
                        let gb = cum_gb[nt][j] - cum_gb[m_le][j];
                        u[j] -= r[k] / data.g[k] * (xk[j] * ga - gb);
                    }
                }
                _ => {
                    for j in 0..p {
                        u[j] += qu[j] / at_risk;
                    }
                }
            }
            for j in 0..p {
                u[j] += ss2[j];
            }
            for j in 0..p {
                for l in 0..p {
                    meat[j * p + l] += u[j] * u[l];
                }
            }
        }
        for k in a..bnd {
            if data.e[k] == 2 {
                let wk = r[k] / data.g[k];
                c0 += wk;
                let xk = data.row(k);
                for j in 0..p {
                    c1[j] += wk * xk[j];
                }
            }
        }
    }
    meat
}

/// The expanded data of R `survival::finegray(Surv(time, factor(status)) ~ ., etype = cause)`:
/// one row per original row, plus rows for competing-event subjects over later censoring
/// intervals that contain an event of interest.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FineGrayData {
    /// Original row (0-based) of each expanded row.
    pub row: Vec<usize>,
    pub start: Vec<f64>,
    pub stop: Vec<f64>,
    /// `fgstatus`: the event of interest.
    pub event: Vec<bool>,
    /// `fgwt` (times the user weight).
    pub weight: Vec<f64>,
}

/// Expand right-censored competing-risks data as `survival::finegray` (module docs).
///
/// # Formula
/// With censoring times `c_1 < ... < c_K`, `G` their Kaplan-Meier curve (a failure at `t`
/// leaves before a censoring at `t`), a competing-event row at `T_i` keeps weight 1 up to the
/// end of its censoring interval and has weight `G(c_j) / G(T_i-)` on each later interval
/// `(c_j, c_{j+1}]` that holds an event of interest (the last interval ends at the largest time).
///
/// # Errors
/// `StatsError::InvalidInput` for mismatched lengths, non-finite times, a weight not > 0, or no
/// event of `cause`.
pub fn finegray_expand(
    time: &[f64],
    status: &[u32],
    cause: u32,
    weights: Option<&[f64]>,
) -> Result<FineGrayData, StatsError> {
    check_inputs(time, status, cause, &[])?;
    let n = time.len();
    if let Some(w) = weights {
        if w.len() != n {
            return Err(StatsError::InvalidInput(format!(
                "{} weights for {n} rows",
                w.len()
            )));
        }
        if let Some(i) = w.iter().position(|v| !(v.is_finite() && *v > 0.0)) {
            return Err(StatsError::InvalidInput(format!(
                "weight must be > 0 at row {} (got {})",
                i + 1,
                w[i]
            )));
        }
    }
    let min = time.iter().copied().fold(f64::INFINITY, f64::min);
    let zero = if min > 0.0 { 0.0 } else { 2.0 * min - 1.0 };
    // censoring KM with failures leaving before censorings at the same time
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| time[a].total_cmp(&time[b]));
    let mut ctime = Vec::new();
    let mut cprob = Vec::new();
    let mut surv = 1.0;
    let mut a = 0;
    while a < n {
        let mut bnd = a + 1;
        while bnd < n && time[order[bnd]] == time[order[a]] {
            bnd += 1;
        }
        let cens = (a..bnd).filter(|&k| status[order[k]] == 0).count();
        if cens > 0 {
            let failed = (a..bnd).filter(|&k| status[order[k]] != 0).count();
            let at_risk = (n - a - failed) as f64;
            surv *= 1.0 - cens as f64 / at_risk;
            ctime.push(time[order[a]]);
            cprob.push(surv);
        }
        a = bnd;
    }
    let maxtime = time.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let mut ct2 = ctime;
    ct2.push(maxtime);
    let mut cp2 = vec![1.0];
    cp2.extend(cprob);
    let ncut = cp2.len();
    // keep[j]: the interval (ct2[j-1], ct2[j]] holds an event of interest (keep[0] always)
    let mut keep = vec![false; ncut + 1];
    keep[0] = true;
    for (i, &t) in time.iter().enumerate() {
        if status[i] == cause {
            let idx = ct2.partition_point(|&c| c < t);
            if idx >= 1 {
                keep[idx] = true;
            }
        }
    }
    let mut out = FineGrayData {
        row: Vec::with_capacity(n),
        start: Vec::with_capacity(n),
        stop: Vec::with_capacity(n),
        event: Vec::with_capacity(n),
        weight: Vec::with_capacity(n),
    };
    for i in 0..n {
        let uw = weights.map_or(1.0, |w| w[i]);
        let mut push = |start: f64, stop: f64, wt: f64| {
            out.row.push(i);
            out.start.push(start);
            out.stop.push(stop);
            out.event.push(status[i] == cause);
            out.weight.push(wt * uw);
        };
        if status[i] != 0 && status[i] != cause {
            let mut j = ct2.partition_point(|&c| c < time[i]);
            let tempwt = cp2[j];
            push(zero, ct2[j], 1.0);
            j += 1;
            while j < ncut {
                if keep[j] {
                    push(ct2[j - 1], ct2[j], cp2[j] / tempwt);
                }
                j += 1;
            }
        } else {
            push(zero, time[i], 1.0);
        }
    }
    Ok(out)
}

/// The Fine-Gray model as `finegray` + weighted `coxph` (module docs): `x` per original row,
/// optional user (e.g. IPTW) weights. With `options.robust`, the sandwich variance is clustered
/// by original row (R `cluster = id`).
///
/// # Errors
/// Those of [`finegray_expand`] and [`coxph`].
pub fn finegray_cox(
    time: &[f64],
    status: &[u32],
    cause: u32,
    x: &[Vec<f64>],
    weights: Option<&[f64]>,
    options: &CoxOptions,
) -> Result<(FineGrayData, CoxFit), StatsError> {
    check_inputs(time, status, cause, x)?;
    let fg = finegray_expand(time, status, cause, weights)?;
    let xe: Vec<Vec<f64>> = x
        .iter()
        .map(|col| fg.row.iter().map(|&i| col[i]).collect())
        .collect();
    let cluster: Vec<u32> = fg.row.iter().map(|&i| i as u32).collect();
    let fit = coxph(
        &CoxData {
            start: Some(&fg.start),
            stop: &fg.stop,
            event: &fg.event,
            x: &xe,
            strata: None,
            weights: Some(&fg.weight),
            cluster: if options.robust { Some(&cluster) } else { None },
        },
        options,
    )?;
    Ok((fg, fit))
}

/// The cause-specific Cox model of `cause`: every other event counts as censoring.
///
/// # Errors
/// Those of [`coxph`], and `StatsError::InvalidInput` for no event of `cause`.
pub fn cause_specific_cox(
    time: &[f64],
    status: &[u32],
    cause: u32,
    x: &[Vec<f64>],
    weights: Option<&[f64]>,
    options: &CoxOptions,
) -> Result<CoxFit, StatsError> {
    check_inputs(time, status, cause, x)?;
    let event: Vec<bool> = status.iter().map(|&s| s == cause).collect();
    coxph(
        &CoxData {
            start: None,
            stop: time,
            event: &event,
            x,
            strata: None,
            weights,
            cluster: None,
        },
        options,
    )
}
