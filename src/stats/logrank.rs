//! Log-rank and G-rho tests for k groups, optionally stratified, as R `survival::survdiff`
//! (survdiff2.c): weights `S(t-)^rho` from the pooled Kaplan-Meier curve of each stratum
//! (`rho = 1` is the Peto-Peto modification of the Gehan-Wilcoxon test), observed and expected
//! counts weighted the same way, the hypergeometric variance, and the chi-square statistic on the
//! groups with positive expected count.
//!
//! Counting: with few distinct times (whole days) the times are hashed and rows counted per
//! (stratum, time, group) in one pass, O(n); otherwise one sort by time carrying the
//! (stratum, group, event) bits, a stable split by stratum and one pass per stratum,
//! O(n log n). Then O(m k^2) for m distinct times and k groups.
//!
//! Without events (all censored) there is no test: `chisq` 0, `df` 0 and `p` NaN (R would
//! report df = -1).

use serde::Serialize;

use super::dist::pchisq_upper;
use super::km::Counting;
use super::survtime::{
    few_distinct_times, sorted_rows, validate, validate_labels, TimeRanks, FEW_DISTINCT,
};
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
///
/// # Formula
/// At each event time `t` with `n` at risk and `d` events, group `g` contributes observed
/// `d_g` and expected `e_g = d n_g / n` (each weighted by `S(t-)^rho`, Harrington-Fleming), and
/// `V_gh = w^2 d (n - d) / (n - 1) (n_g / n) (delta_gh - n_h / n)` summed over times and
/// strata; `chisq = (O - E)' V^- (O - E)` on the groups with positive expected count.
///
/// # Errors
/// [`StatsError::InvalidInput`] for slices of different lengths, bad times, a non-finite
/// `rho`, ids out of range, or fewer than two groups with rows; [`StatsError::Singular`] when
/// the variance matrix has no usable part.
pub fn survdiff(
    time: &[f64],
    event: &[bool],
    group: &[u32],
    strata: Option<&[u32]>,
    rho: f64,
) -> Result<LogRank, StatsError> {
    survdiff_using(time, event, group, strata, rho, Counting::Auto)
}

/// [`survdiff`] with an explicit counting path (for tests and benchmarks; same results).
///
/// # Errors
/// As [`survdiff`].
pub fn survdiff_using(
    time: &[f64],
    event: &[bool],
    group: &[u32],
    strata: Option<&[u32]>,
    rho: f64,
    counting: Counting,
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
    let ns = match strata {
        Some(s) => {
            let ns = s.iter().max().map_or(0, |&x| x as usize + 1);
            validate_labels("strata", s, n, ns)?;
            ns
        }
        None => 1,
    };
    let mut acc = Accum {
        k,
        rho,
        observed: vec![0.0; k],
        expected: vec![0.0; k],
        var: vec![0.0; k * k],
        risk: vec![0.0; k],
    };
    let fast = if counting == Counting::Sort {
        None
    } else {
        few_distinct_times(time, FEW_DISTINCT, true)
            // counts per (stratum, time, group): at most 2^22 cells (32 MB)
            .filter(|tr| ns.saturating_mul(tr.times.len()).saturating_mul(k) <= 1 << 22)
    };
    match fast {
        Some(tr) => accumulate_counted(&mut acc, &tr, event, group, strata, ns),
        None => accumulate_sorted(&mut acc, time, event, group, strata, ns)?,
    }
    let Accum {
        observed,
        expected,
        var,
        ..
    } = acc;

    let (chisq, df) = chi_square(&observed, &expected, &var, k)?;
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

/// Few distinct times: counts per (stratum, time, group) in one pass over the rows, then the
/// time points in order.
fn accumulate_counted(
    acc: &mut Accum,
    tr: &TimeRanks,
    event: &[bool],
    group: &[u32],
    strata: Option<&[u32]>,
    ns: usize,
) {
    let k = acc.k;
    let n = event.len();
    let mut at_time = vec![0.0f64; k];
    let mut dead_g = vec![0.0f64; k];
    let mut touched: Vec<usize> = Vec::with_capacity(k);
    // counts per (stratum, time, group) in one pass over the rows
    let m = tr.times.len();
    let mut cnt = vec![0u32; ns * m * k];
    let mut dead = vec![0u32; ns * m * k];
    for i in 0..n {
        let s = strata.map_or(0, |s| s[i] as usize);
        let cell = (s * m + tr.rank[i] as usize) * k + group[i] as usize;
        cnt[cell] += 1;
        dead[cell] += u32::from(event[i]);
    }
    for s in 0..ns {
        let block = &cnt[s * m * k..(s + 1) * m * k];
        acc.risk.iter_mut().for_each(|r| *r = 0.0);
        for (c, &x) in block.iter().enumerate() {
            acc.risk[c % k] += f64::from(x);
        }
        let mut state = Stratum {
            nrisk: acc.risk.iter().sum(),
            km: 1.0,
        };
        for r in 0..m {
            touched.clear();
            let (mut deaths, mut rows) = (0.0, 0.0);
            for g in 0..k {
                let cell = (s * m + r) * k + g;
                if cnt[cell] > 0 {
                    touched.push(g);
                    at_time[g] = f64::from(cnt[cell]);
                    dead_g[g] = f64::from(dead[cell]);
                    deaths += dead_g[g];
                    rows += at_time[g];
                }
            }
            if rows > 0.0 {
                acc.step(
                    &mut state,
                    &mut at_time,
                    &mut dead_g,
                    &touched,
                    deaths,
                    rows,
                );
            }
        }
    }
}

/// Otherwise: sort once, carrying (stratum, group, event) through the sort, and read the rows in
/// time order per stratum.
fn accumulate_sorted(
    acc: &mut Accum,
    time: &[f64],
    event: &[bool],
    group: &[u32],
    strata: Option<&[u32]>,
    ns: usize,
) -> Result<(), StatsError> {
    let k = acc.k;
    let mut at_time = vec![0.0f64; k];
    let mut dead_g = vec![0.0f64; k];
    let mut touched: Vec<usize> = Vec::with_capacity(k);
    // carry (stratum, group, event) through the sort: the pass below then reads in order
    if ns.saturating_mul(k) > (u32::MAX >> 1) as usize {
        return Err(StatsError::InvalidInput(format!(
            "{ns} strata x {k} groups is too many"
        )));
    }
    let sorted = sorted_rows(
        time,
        true,
        |i| {
            let s = strata.map_or(0, |s| s[i]);
            ((s * k as u32 + group[i]) << 1) | u32::from(event[i])
        },
        ns,
        |a| (a >> 1) as usize / k,
    );
    let offsets = &sorted.offsets;
    for s in 0..ns {
        let aux = &sorted.aux[offsets[s]..offsets[s + 1]];
        let ts = &sorted.time[offsets[s]..offsets[s + 1]];
        if aux.is_empty() {
            continue;
        }
        acc.risk.iter_mut().for_each(|r| *r = 0.0);
        for &a in aux {
            acc.risk[(a >> 1) as usize % k] += 1.0;
        }
        let mut state = Stratum {
            nrisk: aux.len() as f64,
            km: 1.0,
        };
        let mut j = 0;
        while j < aux.len() {
            let t = ts[j];
            let mut deaths = 0.0;
            let mut m = 0.0;
            touched.clear();
            while j < aux.len() && ts[j] == t {
                let g = (aux[j] >> 1) as usize % k;
                if at_time[g] == 0.0 {
                    touched.push(g);
                }
                at_time[g] += 1.0;
                if aux[j] & 1 == 1 {
                    dead_g[g] += 1.0;
                    deaths += 1.0;
                }
                m += 1.0;
                j += 1;
            }
            acc.step(&mut state, &mut at_time, &mut dead_g, &touched, deaths, m);
        }
    }
    Ok(())
}

/// The log-rank statistic `(O - E)' V^- (O - E)` over the groups with positive expected count
/// (the first of them dropped, as `survdiff`), and its degrees of freedom.
fn chi_square(
    observed: &[f64],
    expected: &[f64],
    var: &[f64],
    k: usize,
) -> Result<(f64, usize), StatsError> {
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
    Ok((chisq, df))
}

/// Sums over all strata (survdiff2.c's `obs`, `exp`, `var`) and the current risk set by group.
struct Accum {
    k: usize,
    rho: f64,
    observed: Vec<f64>,
    expected: Vec<f64>,
    var: Vec<f64>,
    risk: Vec<f64>,
}

/// Per-stratum running state: number at risk and the pooled left-continuous KM.
struct Stratum {
    nrisk: f64,
    km: f64,
}

impl Accum {
    /// One distinct time: `at_time` / `dead_g` hold the rows / events per group at this time
    /// (non-zero only for `touched` groups; they are reset here).
    fn step(
        &mut self,
        st: &mut Stratum,
        at_time: &mut [f64],
        dead_g: &mut [f64],
        touched: &[usize],
        deaths: f64,
        rows: f64,
    ) {
        let k = self.k;
        let nrisk = st.nrisk;
        let wt = if self.rho == 0.0 {
            1.0
        } else {
            st.km.powf(self.rho)
        };
        for &g in touched {
            self.observed[g] += dead_g[g] * wt;
        }
        if deaths > 0.0 {
            for g in 0..k {
                self.expected[g] += wt * deaths * self.risk[g] / nrisk;
            }
            if nrisk > 1.0 {
                let w2 = wt * wt;
                for a in 0..k {
                    if self.risk[a] == 0.0 {
                        continue;
                    }
                    let tmp =
                        w2 * deaths * self.risk[a] * (nrisk - deaths) / (nrisk * (nrisk - 1.0));
                    self.var[a * k + a] += tmp;
                    for b in 0..k {
                        self.var[a * k + b] -= tmp * self.risk[b] / nrisk;
                    }
                }
            }
        }
        if self.rho != 0.0 {
            st.km *= (nrisk - deaths) / nrisk;
        }
        for &g in touched {
            self.risk[g] -= at_time[g];
            at_time[g] = 0.0;
            dead_g[g] = 0.0;
        }
        st.nrisk -= rows;
    }
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
