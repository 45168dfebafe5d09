//! Log-rank and G-rho tests for k groups, optionally stratified, as R `survival::survdiff`
//! (survdiff2.c): weights `S(t-)^rho` from the pooled Kaplan-Meier curve of each stratum
//! (`rho = 1` is the Peto-Peto modification of the Gehan-Wilcoxon test), observed and expected
//! counts weighted the same way, the hypergeometric variance, and the chi-square statistic on the
//! groups with positive expected count.
//!
//! One sort by time, a stable counting partition by stratum, then one pass per stratum:
//! O(n log n + m k^2) for m distinct times and k groups.

use serde::Serialize;

use super::dist::pchisq_upper;
use super::survtime::{aeq_times, order_by_time, partition_by_label, validate, validate_labels};
use super::StatsError;

/// Result of [`survdiff`]. Vectors are indexed by group id.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LogRank {
    /// Rows per group (R `n`).
    pub n: Vec<usize>,
    /// Observed events per group, weighted by `S(t-)^rho`, summed over strata (R `obs`).
    pub observed: Vec<f64>,
    /// Expected events per group under the null, summed over strata (R `exp`).
    pub expected: Vec<f64>,
    /// k x k variance-covariance of observed - expected, row-major (R `var`).
    pub variance: Vec<f64>,
    pub chisq: f64,
    /// Groups with positive expected count, minus one.
    pub df: usize,
    /// Upper-tail chi-square probability; NaN when `df` is 0 (no test possible).
    pub p: f64,
    pub rho: f64,
}

/// R `survdiff(Surv(time, event) ~ group + strata(strata), rho = rho)`. `group` and `strata`
/// are ids `0..k` (a group id without rows is allowed and reported with zero counts).
pub fn survdiff(
    time: &[f64],
    event: &[bool],
    group: &[u32],
    strata: Option<&[u32]>,
    rho: f64,
) -> Result<LogRank, StatsError> {
    validate(time, event.len(), None)?;
    if !rho.is_finite() {
        return Err(StatsError::InvalidInput(format!(
            "rho must be finite, got {rho}"
        )));
    }
    let n = time.len();
    let k = group.iter().max().map_or(0, |&g| g as usize + 1);
    validate_labels("group", group, n, k)?;
    let mut n_per = vec![0usize; k];
    for &g in group {
        n_per[g as usize] += 1;
    }
    if n_per.iter().filter(|&&c| c > 0).count() < 2 {
        return Err(StatsError::InvalidInput("there is only 1 group".into()));
    }
    let order = order_by_time(time);
    let fixed = aeq_times(time, &order);
    let (order, offsets) = match strata {
        Some(s) => {
            let ns = s.iter().max().map_or(0, |&x| x as usize + 1);
            validate_labels("strata", s, n, ns)?;
            partition_by_label(&order, s, ns)
        }
        None => (order, vec![0, n]),
    };

    let mut observed = vec![0.0; k];
    let mut expected = vec![0.0; k];
    let mut var = vec![0.0; k * k];
    let mut risk = vec![0.0f64; k];
    let mut at_time = vec![0.0f64; k];
    let mut dead_g = vec![0.0f64; k];
    let mut touched: Vec<usize> = Vec::with_capacity(k);
    for s in 0..offsets.len() - 1 {
        let rows = &order[offsets[s]..offsets[s + 1]];
        if rows.is_empty() {
            continue;
        }
        risk.iter_mut().for_each(|r| *r = 0.0);
        for &i in rows {
            risk[group[i as usize] as usize] += 1.0;
        }
        let mut nrisk = rows.len() as f64;
        let mut km: f64 = 1.0; // pooled KM, left-continuous
        let mut j = 0;
        while j < rows.len() {
            let t = fixed[rows[j] as usize];
            let mut deaths = 0.0;
            let mut m = 0.0;
            touched.clear();
            while j < rows.len() && fixed[rows[j] as usize] == t {
                let i = rows[j] as usize;
                let g = group[i] as usize;
                if at_time[g] == 0.0 {
                    touched.push(g);
                }
                at_time[g] += 1.0;
                if event[i] {
                    dead_g[g] += 1.0;
                    deaths += 1.0;
                }
                m += 1.0;
                j += 1;
            }
            let wt = if rho == 0.0 { 1.0 } else { km.powf(rho) };
            for &g in &touched {
                observed[g] += dead_g[g] * wt;
            }
            if deaths > 0.0 {
                for g in 0..k {
                    expected[g] += wt * deaths * risk[g] / nrisk;
                }
                if nrisk > 1.0 {
                    let w2 = wt * wt;
                    for a in 0..k {
                        if risk[a] == 0.0 {
                            continue;
                        }
                        let tmp =
                            w2 * deaths * risk[a] * (nrisk - deaths) / (nrisk * (nrisk - 1.0));
                        var[a * k + a] += tmp;
                        for b in 0..k {
                            var[a * k + b] -= tmp * risk[b] / nrisk;
                        }
                    }
                }
            }
            if rho != 0.0 {
                km *= (nrisk - deaths) / nrisk;
            }
            for &g in &touched {
                risk[g] -= at_time[g];
                at_time[g] = 0.0;
                dead_g[g] = 0.0;
            }
            nrisk -= m;
        }
    }

    let keep: Vec<usize> = (0..k).filter(|&g| expected[g] > 0.0).collect();
    let df = keep.len().saturating_sub(1);
    let chisq = if keep.len() < 2 {
        0.0
    } else {
        let idx = &keep[1..];
        let p = idx.len();
        let mut a = vec![0.0; p * p];
        let mut b = vec![0.0; p];
        for (r, &gr) in idx.iter().enumerate() {
            b[r] = observed[gr] - expected[gr];
            for (c, &gc) in idx.iter().enumerate() {
                a[r * p + c] = var[gr * k + gc];
            }
        }
        let x = solve(&mut a, b.clone(), p)?;
        x.iter().zip(&b).map(|(x, b)| x * b).sum()
    };
    let p = if df == 0 {
        f64::NAN
    } else {
        pchisq_upper(chisq, df as f64)
    };
    Ok(LogRank {
        n: n_per,
        observed,
        expected,
        variance: var,
        chisq,
        df,
        p,
        rho,
    })
}

/// Solves `a x = b` (a is p x p, row-major) by Gaussian elimination with partial pivoting, as
/// R `solve` (LAPACK dgesv) does; errors when the matrix is singular.
fn solve(a: &mut [f64], mut b: Vec<f64>, p: usize) -> Result<Vec<f64>, StatsError> {
    let scale = a.iter().fold(0.0f64, |m, x| m.max(x.abs()));
    for col in 0..p {
        let piv = (col..p)
            .max_by(|&r1, &r2| a[r1 * p + col].abs().total_cmp(&a[r2 * p + col].abs()))
            .expect("non-empty");
        if a[piv * p + col].abs() <= scale * 1e-14 || scale == 0.0 {
            return Err(StatsError::Singular(
                "log-rank variance matrix is singular".into(),
            ));
        }
        if piv != col {
            for c in 0..p {
                a.swap(piv * p + c, col * p + c);
            }
            b.swap(piv, col);
        }
        for r in col + 1..p {
            let f = a[r * p + col] / a[col * p + col];
            if f != 0.0 {
                for c in col..p {
                    a[r * p + c] -= f * a[col * p + c];
                }
                b[r] -= f * b[col];
            }
        }
    }
    let mut x = vec![0.0; p];
    for r in (0..p).rev() {
        let mut s = b[r];
        for c in r + 1..p {
            s -= a[r * p + c] * x[c];
        }
        x[r] = s / a[r * p + r];
    }
    Ok(x)
}
