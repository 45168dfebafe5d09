//! The test of proportional hazards of a Cox model, matching R `survival::cox.zph` (3.5):
//! `cox.zph(fit, transform = "km", terms = TRUE, global = TRUE)`.
//!
//! Since survival 3.0 `cox.zph` is a score test (Grambsch & Therneau, Biometrika 1994;81:515-526,
//! in the one-step form of `zph1.c` / `zph2.c`): for a time transform `g(t)` centred at its mean
//! over the events, the model is extended by the terms `x_j * g(t)` and the score test of those
//! terms is computed at `(beta_hat, 0)` from the `2p x 2p` information matrix
//! `[[I, G], [G, H]]` with `I = sum_t V_t`, `G = sum_t g(t) V_t`, `H = sum_t g(t)^2 V_t` (`V_t` the
//! weighted covariance of the covariates in the risk set at event time `t`, Breslow or Efron)
//! and the score `u_2 = sum_t g(t) sum_deaths w (x - xbar_t)`. Per term `j` (its columns `J`):
//! `chisq = u' A^-1 u` with `A` the rows and columns `(1..p, p + J)` and `u = (0, u_2[J])`,
//! df `|J|`; the global test uses all of `u_2`, df `p`. As R: covariates are centred by their
//! unweighted means first, the linear predictor is the fit's `x' beta` re-centred, coefficients
//! that are `NaN` (aliased) are dropped, the `"km"` transform is `1 - S(t-)` of the unweighted
//! Kaplan-Meier of all rows pooled over strata (left-continuous at each row's time), and robust
//! variance plays no part (R uses the model-based information here too).
//!
//! Convergence: none (one pass at the fitted coefficients). Cost: one sort (O(n log n)), then
//! one backward pass over the rows, O((n + d) p^2); the tests are `p + 1` solves of at most
//! `2p x 2p` systems.
//!
//! Differences from R, on purpose: none in the numbers. Terms default to one per covariate
//! column (R groups the columns of a factor into one term: pass `terms`).

// Dense numeric kernels read best with explicit indices.
#![allow(clippy::needless_range_loop)]

use serde::{Deserialize, Serialize};

use super::cox::{CoxData, CoxFit, Ties};
use super::dist::pchisq_upper;
use super::linalg::quadratic_form_inverse;
use super::StatsError;

/// The time transform `g(t)` of the test (R `transform`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum ZphTransform {
    /// `1 - S(t-)`, the Kaplan-Meier of all rows (R's default).
    #[default]
    Km,
    /// `t` itself.
    Identity,
    /// `rank(t)` over all rows (ties get their average rank).
    Rank,
    /// `log(t)`.
    Log,
}

impl std::str::FromStr for ZphTransform {
    type Err = StatsError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "km" => Ok(ZphTransform::Km),
            "identity" => Ok(ZphTransform::Identity),
            "rank" => Ok(ZphTransform::Rank),
            "log" => Ok(ZphTransform::Log),
            other => Err(StatsError::InvalidInput(format!(
                "unknown cox.zph transform `{other}` (km, identity, rank or log)"
            ))),
        }
    }
}

/// One row of the `cox.zph` table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ZphRow {
    /// The term's name, or `GLOBAL`.
    pub term: String,
    pub chisq: f64,
    pub df: usize,
    pub p: f64,
}

/// The `cox.zph` table: one row per term, then the global test.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ZphTest {
    pub transform: ZphTransform,
    pub terms: Vec<ZphRow>,
    pub global: ZphRow,
}

/// R `cox.zph(fit, transform)` for a fit of `data` by [`super::cox::coxph`]. `terms` groups the
/// covariate columns into terms (`(name, columns)`); `None`: one term per column, named as the
/// fit's covariates.
///
/// # Formula
/// See the module documentation: `chisq_J = u' A_J^-1 u` with `u = (0_p, u_2[J])`, on `|J|` df.
///
/// # Errors
/// [`StatsError::InvalidInput`] when the columns do not match the fit, the data have no events or
/// the transform is undefined (`log` of a time <= 0); [`StatsError::Singular`] when no
/// coefficient is estimable.
pub fn cox_zph(
    data: &CoxData,
    fit: &CoxFit,
    transform: ZphTransform,
    terms: Option<&[(String, Vec<usize>)]>,
) -> Result<ZphTest, StatsError> {
    let n = data.stop.len();
    let p_all = data.x.len();
    if fit.coef.len() != p_all {
        return Err(StatsError::InvalidInput(format!(
            "cox.zph: the fit has {} coefficients for {p_all} covariate columns",
            fit.coef.len()
        )));
    }
    if n == 0 || !data.event.iter().any(|e| *e) {
        return Err(StatsError::InvalidInput("cox.zph: no events".into()));
    }
    // Aliased (NaN) coefficients are dropped, as R; `col[k]` is the k-th kept column.
    let col: Vec<usize> = (0..p_all).filter(|&j| fit.coef[j].is_finite()).collect();
    let p = col.len();
    if p == 0 {
        return Err(StatsError::Singular(
            "cox.zph: no estimable coefficient".into(),
        ));
    }
    let w: Vec<f64> = data.weights.map_or_else(|| vec![1.0; n], <[f64]>::to_vec);
    // Covariates centred by their unweighted means (zph1.c); the linear predictor re-centred.
    let mut xs = vec![0.0; n * p];
    for (k, &j) in col.iter().enumerate() {
        let m = data.x[j].iter().sum::<f64>() / n as f64;
        for i in 0..n {
            xs[i * p + k] = data.x[j][i] - m;
        }
    }
    let eta: Vec<f64> = (0..n)
        .map(|i| (0..p).map(|k| xs[i * p + k] * fit.coef[col[k]]).sum())
        .collect();
    let g = time_transform(data, transform)?;
    let (u2, imat) = score_information(data, &xs, p, &eta, &w, &g, fit.ties);

    let test = |cols: &[usize]| -> f64 {
        // rows/columns 0..p, then p + cols
        let idx: Vec<usize> = (0..p).chain(cols.iter().map(|&c| p + c)).collect();
        let m = idx.len();
        let mut a = vec![0.0; m * m];
        for (r, &i) in idx.iter().enumerate() {
            for (c, &j) in idx.iter().enumerate() {
                a[r * m + c] = imat[i * 2 * p + j];
            }
        }
        let mut u = vec![0.0; m];
        for (r, &c) in cols.iter().enumerate() {
            u[p + r] = u2[c];
        }
        quadratic_form_inverse(&a, &u, f64::EPSILON.powf(0.75))
    };
    let row = |term: String, cols: &[usize]| {
        let chisq = test(cols);
        ZphRow {
            term,
            chisq,
            df: cols.len(),
            p: pchisq_upper(chisq, cols.len() as f64),
        }
    };
    let default_terms: Vec<(String, Vec<usize>)> = (0..p_all)
        .map(|j| (fit.names[j].clone(), vec![j]))
        .collect();
    let mut rows = Vec::new();
    for (name, cols) in terms.unwrap_or(&default_terms) {
        // the term's kept columns, as positions among the kept ones
        let kept: Vec<usize> = cols
            .iter()
            .filter_map(|j| col.iter().position(|c| c == j))
            .collect();
        if cols.iter().any(|&j| j >= p_all) {
            return Err(StatsError::InvalidInput(format!(
                "cox.zph: term `{name}` names a column beyond the {p_all} covariates"
            )));
        }
        if !kept.is_empty() {
            rows.push(row(name.clone(), &kept));
        }
    }
    let all: Vec<usize> = (0..p).collect();
    Ok(ZphTest {
        transform,
        terms: rows,
        global: row("GLOBAL".into(), &all),
    })
}

/// `g(t_i) - mean over events of g`, one value per row.
fn time_transform(data: &CoxData, transform: ZphTransform) -> Result<Vec<f64>, StatsError> {
    let t = data.stop;
    let n = t.len();
    let raw: Vec<f64> = match transform {
        ZphTransform::Identity => t.to_vec(),
        ZphTransform::Log => {
            if let Some(i) = t.iter().position(|v| *v <= 0.0) {
                return Err(StatsError::InvalidInput(format!(
                    "cox.zph: log transform of time {} at row {}",
                    t[i],
                    i + 1
                )));
            }
            t.iter().map(|v| v.ln()).collect()
        }
        ZphTransform::Rank => {
            let mut idx: Vec<usize> = (0..n).collect();
            idx.sort_by(|&a, &b| t[a].total_cmp(&t[b]));
            let mut r = vec![0.0; n];
            let mut i = 0;
            while i < n {
                let mut j = i;
                while j + 1 < n && t[idx[j + 1]] == t[idx[i]] {
                    j += 1;
                }
                let mid = (i + j) as f64 / 2.0 + 1.0;
                for &k in &idx[i..=j] {
                    r[k] = mid;
                }
                i = j + 1;
            }
            r
        }
        ZphTransform::Km => km_left(data),
    };
    let (s, c) = (0..n)
        .filter(|&i| data.event[i])
        .fold((0.0, 0usize), |(s, c), i| (s + raw[i], c + 1));
    let mean = s / c as f64;
    Ok(raw.iter().map(|v| v - mean).collect())
}

/// `1 - S(t_i-)` of the unweighted Kaplan-Meier of all rows (strata pooled; `(start, stop]`
/// risk sets for counting-process data), as R's `survfitKM` + `findInterval(left.open = TRUE)`.
fn km_left(data: &CoxData) -> Vec<f64> {
    let t = data.stop;
    let n = t.len();
    // distinct event times ascending, with deaths and numbers at risk
    let mut times: Vec<f64> = (0..n).filter(|&i| data.event[i]).map(|i| t[i]).collect();
    times.sort_by(f64::total_cmp);
    times.dedup();
    let mut deaths = vec![0.0; times.len()];
    let mut at_risk = vec![0.0; times.len()];
    let pos = |v: f64| times.partition_point(|&x| x < v);
    for i in 0..n {
        // at risk at every event time in (start, stop]
        let hi = times.partition_point(|&x| x <= t[i]);
        let lo = data
            .start
            .map_or(0, |s| times.partition_point(|&x| x <= s[i]));
        if lo < hi {
            at_risk[lo] += 1.0;
            if hi < times.len() {
                at_risk[hi] -= 1.0;
            }
        }
        if data.event[i] {
            deaths[pos(t[i])] += 1.0;
        }
    }
    let mut surv = Vec::with_capacity(times.len());
    let (mut s, mut r) = (1.0, 0.0);
    for k in 0..times.len() {
        r += at_risk[k];
        s *= 1.0 - deaths[k] / r;
        surv.push(s);
    }
    // S(t-) = S at the last event time strictly before t
    (0..n)
        .map(|i| {
            let k = pos(t[i]);
            1.0 - if k == 0 { 1.0 } else { surv[k - 1] }
        })
        .collect()
}

/// The score of the time-interaction terms (`u_2`, length p) and the full `2p x 2p` information
/// (row-major), in one backward pass per stratum (zph1.c / zph2.c).
fn score_information(
    data: &CoxData,
    xs: &[f64],
    p: usize,
    eta: &[f64],
    w: &[f64],
    g: &[f64],
    ties: Ties,
) -> (Vec<f64>, Vec<f64>) {
    let n = data.stop.len();
    let stratum = |i: usize| data.strata.map_or(0, |s| s[i]);
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| {
        stratum(a)
            .cmp(&stratum(b))
            .then(data.stop[b].total_cmp(&data.stop[a]))
    });
    let mut by_start: Vec<usize> = (0..n).collect();
    if let Some(st) = data.start {
        by_start.sort_by(|&a, &b| stratum(a).cmp(&stratum(b)).then(st[b].total_cmp(&st[a])));
    }
    let p2 = 2 * p;
    let mut u2 = vec![0.0; p];
    let mut imat = vec![0.0; p2 * p2];
    let (mut a, mut a2) = (vec![0.0; p], vec![0.0; p]);
    let (mut c, mut c2) = (vec![0.0; p * p], vec![0.0; p * p]);
    let mut added = vec![false; n];
    let (mut pos, mut rem) = (0usize, 0usize);
    while pos < n {
        // one stratum
        let s0 = stratum(order[pos]);
        let mut denom = 0.0;
        a.fill(0.0);
        c.fill(0.0);
        while pos < n && stratum(order[pos]) == s0 {
            let t = data.stop[order[pos]];
            // rows whose interval starts at or after t leave the risk set
            if let Some(st) = data.start {
                while rem < n && stratum(by_start[rem]) == s0 && st[by_start[rem]] >= t {
                    let q = by_start[rem];
                    if added[q] {
                        let r = eta[q].exp() * w[q];
                        denom -= r;
                        add_moments(-r, &xs[q * p..(q + 1) * p], &mut a, &mut c);
                    }
                    rem += 1;
                }
            }
            let (mut ndead, mut deadwt, mut denom2) = (0usize, 0.0, 0.0);
            let mut timewt = 0.0;
            a2.fill(0.0);
            c2.fill(0.0);
            while pos < n && stratum(order[pos]) == s0 && data.stop[order[pos]] == t {
                let i = order[pos];
                let r = eta[i].exp() * w[i];
                let x = &xs[i * p..(i + 1) * p];
                if data.event[i] {
                    ndead += 1;
                    deadwt += w[i];
                    denom2 += r;
                    timewt = g[i];
                    for k in 0..p {
                        u2[k] += timewt * w[i] * x[k];
                    }
                    add_moments(r, x, &mut a2, &mut c2);
                    added[i] = true;
                } else if data.start.is_none_or(|st| st[i] < t) {
                    denom += r;
                    add_moments(r, x, &mut a, &mut c);
                    added[i] = true;
                }
                pos += 1;
            }
            if ndead == 0 {
                continue;
            }
            let mut add_step = |wt: f64, denom: f64, a: &[f64], c: &[f64], u2: &mut [f64]| {
                for i in 0..p {
                    let xbar = a[i] / denom;
                    u2[i] -= timewt * wt * xbar;
                    for j in 0..p {
                        let v = wt * (c[i * p + j] - xbar * a[j]) / denom;
                        imat[i * p2 + j] += v;
                        imat[i * p2 + p + j] += v * timewt;
                        imat[(p + i) * p2 + j] += v * timewt;
                        imat[(p + i) * p2 + p + j] += v * timewt * timewt;
                    }
                }
            };
            if ties == Ties::Breslow || ndead == 1 {
                denom += denom2;
                for k in 0..p {
                    a[k] += a2[k];
                }
                for k in 0..p * p {
                    c[k] += c2[k];
                }
                add_step(deadwt, denom, &a, &c, &mut u2);
            } else {
                let d = ndead as f64;
                let wtave = deadwt / d;
                for _ in 0..ndead {
                    denom += denom2 / d;
                    for k in 0..p {
                        a[k] += a2[k] / d;
                    }
                    for k in 0..p * p {
                        c[k] += c2[k] / d;
                    }
                    add_step(wtave, denom, &a, &c, &mut u2);
                }
            }
        }
    }
    (u2, imat)
}

/// `a += r x`, `c += r x x'` (full `p x p`).
fn add_moments(r: f64, x: &[f64], a: &mut [f64], c: &mut [f64]) {
    let p = x.len();
    for i in 0..p {
        let rx = r * x[i];
        a[i] += rx;
        for j in 0..p {
            c[i * p + j] += rx * x[j];
        }
    }
}
