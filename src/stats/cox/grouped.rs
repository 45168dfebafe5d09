//! The grouped engine of [`coxph`](super::coxph) for right-censored rows with few distinct
//! times (no sort: a counting pass per iteration), the tied-death step shared by both engines
//! (`add_deaths`), and the [`Engine`] choice between them.

// Dense numeric kernels read best with explicit indices.
#![allow(clippy::needless_range_loop)]

use super::sorted::{add_moments, ordered_bits};
use super::*;

/// How the sums of each iteration are computed.
pub(super) enum Engine {
    /// Rows sorted by time: one backward pass (any data).
    Sorted(Prepared),
    /// Rows in input order, grouped by distinct time (right-censored, few distinct times).
    Grouped(Grouped),
}

impl Engine {
    pub(super) fn accumulate(&self, beta: &[f64], ties: Ties, scratch: &mut [f64]) -> Accum {
        match self {
            Engine::Sorted(p) => p.accumulate(beta, ties, scratch),
            Engine::Grouped(g) => g.accumulate(beta, ties),
        }
    }
}

/// The deaths at one event time (weighted sums over the tied deaths).
pub(super) struct DeathSums<'a> {
    pub(super) ndead: usize,
    pub(super) deadwt: f64,
    pub(super) denom2: f64,
    pub(super) a2: &'a [f64],
    pub(super) c2: &'a [f64],
}

/// The running risk-set sums: `sum r`, `sum r x`, `sum r x x'` (packed lower triangle).
pub(super) struct RiskSums<'a> {
    pub(super) denom: &'a mut f64,
    pub(super) a: &'a mut [f64],
    pub(super) c: &'a mut [f64],
}

/// Add the deaths of one event time to the risk set and their terms to the log-likelihood,
/// score and (packed) information, as `coxfit6`. Breslow adds them at once. Efron adds them in
/// `d = ndead` steps `k = 1..d` with `D_k = D + (k/d) E`, `A_k = A + (k/d) A2`,
/// `C_k = C + (k/d) C2` and the mean death weight `wt`; the sums over the steps are taken in
/// closed form from the scalars `sum 1/D_k`, `sum (k/d)/D_k`, `sum (k/d)^j / D_k^2`, so a tied
/// set costs O(d + p^2) instead of R's O(d p^2) (same value up to rounding).
pub(super) fn add_deaths(
    ties: Ties,
    ev: &DeathSums,
    rs: RiskSums,
    xbar: &mut [f64],
    loglik: &mut f64,
    u: &mut [f64],
    imat_p: &mut [f64],
) {
    let p = u.len();
    if ties == Ties::Breslow || ev.ndead == 1 {
        let wt = ev.deadwt;
        *rs.denom += ev.denom2;
        let denom = *rs.denom;
        let inv = 1.0 / denom;
        let wt_inv = wt * inv;
        *loglik -= wt * denom.ln();
        for i in 0..p {
            rs.a[i] += ev.a2[i];
            xbar[i] = rs.a[i] * inv;
            u[i] -= wt * xbar[i];
        }
        for (ck, c2k) in rs.c.iter_mut().zip(ev.c2) {
            *ck += c2k;
        }
        let mut k = 0;
        for i in 0..p {
            for j in 0..=i {
                imat_p[k] += wt_inv * (rs.c[k] - xbar[i] * rs.a[j]);
                k += 1;
            }
        }
        return;
    }
    let d = ev.ndead as f64;
    let wt = ev.deadwt / d;
    let (d0, e) = (*rs.denom, ev.denom2);
    let (mut log_sum, mut s1, mut s2, mut t0, mut t1, mut t2) = (0.0, 0.0, 0.0, 0.0, 0.0, 0.0);
    // sum of logs as the log of running products, renormalised far from overflow
    let mut prod = 1.0f64;
    for k in 1..=ev.ndead {
        let f = k as f64 / d;
        let dk = d0 + f * e;
        let inv = 1.0 / dk;
        let inv2 = inv * inv;
        prod *= dk;
        if !(1e-150..=1e150).contains(&prod) {
            log_sum += prod.ln();
            prod = 1.0;
        }
        s1 += inv;
        s2 += f * inv;
        t0 += inv2;
        t1 += f * inv2;
        t2 += f * f * inv2;
    }
    log_sum += prod.ln();
    *loglik -= wt * log_sum;
    let (a0, a2) = (&*rs.a, ev.a2);
    for i in 0..p {
        u[i] -= wt * (a0[i] * s1 + a2[i] * s2);
    }
    let mut k = 0;
    for i in 0..p {
        for j in 0..=i {
            let outer =
                a0[i] * a0[j] * t0 + (a0[i] * a2[j] + a2[i] * a0[j]) * t1 + a2[i] * a2[j] * t2;
            imat_p[k] += wt * (rs.c[k] * s1 + ev.c2[k] * s2 - outer);
            k += 1;
        }
    }
    *rs.denom = d0 + e;
    for i in 0..p {
        rs.a[i] += a2[i];
    }
    for (ck, c2k) in rs.c.iter_mut().zip(ev.c2) {
        *ck += c2k;
    }
}

/// Unpack a packed lower triangle into a full symmetric row-major matrix.
pub(super) fn unpack(p: usize, packed: &[f64]) -> Vec<f64> {
    let mut m = vec![0.0; p * p];
    let mut k = 0;
    for i in 0..p {
        for j in 0..=i {
            m[i * p + j] = packed[k];
            m[j * p + i] = packed[k];
            k += 1;
        }
    }
    m
}

/// Right-censored rows with few distinct (stratum, time) values, kept in input order (no sort):
/// each iteration is one counting pass that accumulates `sum r`, `sum r x`, `sum r x x'` per
/// (group, died) slot, then a sweep over the groups backwards in time. The result is the same
/// as [`Prepared::accumulate`] up to the order of floating-point additions.
pub(super) struct Grouped {
    pub(super) n: usize,
    pub(super) p: usize,
    /// Row-major centred, scaled covariates, input order.
    pub(super) xs: Vec<f64>,
    pub(super) w: Vec<f64>,
    /// `2 * group + died` of each row; groups ordered by (stratum, time descending).
    pub(super) slot: Vec<u32>,
    /// Half-open ranges of groups, one per stratum.
    pub(super) blocks: Vec<(usize, usize)>,
    /// Number of deaths and their summed weight per group.
    pub(super) ndead: Vec<usize>,
    pub(super) deadwt: Vec<f64>,
    /// `sum w x` over the deaths (constant over iterations).
    pub(super) u_dead: Vec<f64>,
}

impl Grouped {
    /// At most this many distinct (stratum, time) groups, and at most one per 4 rows.
    pub(super) const MAX_GROUPS: usize = 4096;

    pub(super) fn try_new(
        data: &CoxData,
        w: &[f64],
        means: &[f64],
        scale: &[f64],
    ) -> Option<Grouped> {
        if data.start.is_some() {
            return None;
        }
        let n = data.stop.len();
        let p = data.x.len();
        let limit = Self::MAX_GROUPS.min(n / 4);
        // open-addressing table of (stratum, time bits) -> first-seen id
        const CAP: usize = 2 * Grouped::MAX_GROUPS;
        let mut table: Vec<(u32, u64, u32)> = vec![(0, 0, u32::MAX); CAP];
        let mut keys: Vec<(u32, u64)> = Vec::new();
        let mut gid = vec![0u32; n];
        for i in 0..n {
            let st = data.strata.map_or(0, |s| s[i]);
            let bits = ordered_bits(data.stop[i]);
            let mut h = (bits ^ (u64::from(st) << 32))
                .wrapping_mul(0x9E37_79B9_7F4A_7C15)
                .rotate_left(29) as usize
                & (CAP - 1);
            loop {
                let e = table[h];
                if e.2 == u32::MAX {
                    if keys.len() >= limit {
                        return None;
                    }
                    table[h] = (st, bits, keys.len() as u32);
                    gid[i] = keys.len() as u32;
                    keys.push((st, bits));
                    break;
                }
                if e.0 == st && e.1 == bits {
                    gid[i] = e.2;
                    break;
                }
                h = (h + 1) & (CAP - 1);
            }
        }
        // groups by (stratum ascending, time descending)
        let mut ord: Vec<u32> = (0..keys.len() as u32).collect();
        ord.sort_unstable_by_key(|&g| (keys[g as usize].0, !keys[g as usize].1));
        let mut rank = vec![0u32; keys.len()];
        for (r, &g) in ord.iter().enumerate() {
            rank[g as usize] = r as u32;
        }
        let mut blocks = Vec::new();
        let mut b0 = 0;
        for r in 1..=ord.len() {
            if r == ord.len() || keys[ord[r] as usize].0 != keys[ord[b0] as usize].0 {
                blocks.push((b0, r));
                b0 = r;
            }
        }
        let g = keys.len();
        let mut ndead = vec![0usize; g];
        let mut deadwt = vec![0.0; g];
        let mut u_dead = vec![0.0; p];
        let mut xs = vec![0.0; n * p];
        let mut slot = vec![0u32; n];
        for i in 0..n {
            let row = &mut xs[i * p..(i + 1) * p];
            for j in 0..p {
                row[j] = (data.x[j][i] - means[j]) * scale[j];
            }
            let r = rank[gid[i] as usize];
            let died = data.event[i];
            slot[i] = 2 * r + u32::from(died);
            if died {
                ndead[r as usize] += 1;
                deadwt[r as usize] += w[i];
                for j in 0..p {
                    u_dead[j] += w[i] * row[j];
                }
            }
        }
        Some(Grouped {
            n,
            p,
            xs,
            w: w.to_vec(),
            slot,
            blocks,
            ndead,
            deadwt,
            u_dead,
        })
    }

    pub(super) fn accumulate(&self, beta: &[f64], ties: Ties) -> Accum {
        match self.p {
            1 => self.accumulate_p::<1>(beta, ties),
            2 => self.accumulate_p::<2>(beta, ties),
            3 => self.accumulate_p::<3>(beta, ties),
            4 => self.accumulate_p::<4>(beta, ties),
            5 => self.accumulate_p::<5>(beta, ties),
            6 => self.accumulate_p::<6>(beta, ties),
            7 => self.accumulate_p::<7>(beta, ties),
            8 => self.accumulate_p::<8>(beta, ties),
            _ => self.accumulate_p::<0>(beta, ties),
        }
    }

    pub(super) fn accumulate_p<const P: usize>(&self, beta: &[f64], ties: Ties) -> Accum {
        let p = if P == 0 { self.p } else { P };
        let np = p * (p + 1) / 2;
        let width = 1 + p + np;
        let n_slots = 2 * self.ndead.len();
        let mut sums = vec![0.0; n_slots * width];
        let at_zero = beta.iter().all(|b| *b == 0.0);
        // the counting pass
        for i in 0..self.n {
            let x = &self.xs[i * p..(i + 1) * p];
            let r = if at_zero {
                self.w[i]
            } else {
                let mut eta = 0.0;
                for j in 0..p {
                    eta += x[j] * beta[j];
                }
                self.w[i] * eta.exp()
            };
            let s = self.slot[i] as usize;
            let acc = &mut sums[s * width..(s + 1) * width];
            acc[0] += r;
            let (a, c) = acc[1..].split_at_mut(p);
            add_moments::<P>(r, x, a, c);
        }
        // the sweep, backwards in time within each stratum
        let mut loglik: f64 = self.u_dead.iter().zip(beta).map(|(u, b)| u * b).sum();
        let mut u = self.u_dead.clone();
        let mut imat_p = vec![0.0; np];
        let mut a = vec![0.0; p];
        let mut c = vec![0.0; np];
        let mut xbar = vec![0.0; p];
        for &(g0, g1) in &self.blocks {
            let mut denom = 0.0;
            a.fill(0.0);
            c.fill(0.0);
            for g in g0..g1 {
                let alive = &sums[2 * g * width..(2 * g + 1) * width];
                denom += alive[0];
                for (ai, v) in a.iter_mut().zip(&alive[1..1 + p]) {
                    *ai += v;
                }
                for (ck, v) in c.iter_mut().zip(&alive[1 + p..]) {
                    *ck += v;
                }
                if self.ndead[g] == 0 {
                    continue;
                }
                let dead = &sums[(2 * g + 1) * width..(2 * g + 2) * width];
                let ev = DeathSums {
                    ndead: self.ndead[g],
                    deadwt: self.deadwt[g],
                    denom2: dead[0],
                    a2: &dead[1..1 + p],
                    c2: &dead[1 + p..],
                };
                let rs = RiskSums {
                    denom: &mut denom,
                    a: &mut a,
                    c: &mut c,
                };
                add_deaths(ties, &ev, rs, &mut xbar, &mut loglik, &mut u, &mut imat_p);
            }
        }
        Accum {
            loglik,
            u,
            imat: unpack(p, &imat_p),
        }
    }
}
