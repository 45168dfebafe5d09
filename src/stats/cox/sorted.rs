//! The sorted engine of [`coxph`](super::coxph): rows sorted by (stratum, stop descending) with
//! covariates centred and scaled, one backward pass per iteration for the log-likelihood, score
//! and information (Breslow and Efron ties, as `coxfit6`), the score residuals of the robust
//! variance, and the radix sort that orders the rows.

// Dense numeric kernels read best with explicit indices.
#![allow(clippy::needless_range_loop)]

use super::*;
/// Rows sorted by (stratum, stop descending), covariates centred, scaled, row-major.
pub(super) struct Prepared {
    pub(super) n: usize,
    pub(super) p: usize,
    /// Row-major `n x p` covariates, sorted order.
    pub(super) xs: Vec<f64>,
    pub(super) stop: Vec<f64>,
    pub(super) start: Option<Vec<f64>>,
    pub(super) event: Vec<bool>,
    pub(super) w: Vec<f64>,
    /// Half-open ranges of sorted positions, one per stratum.
    pub(super) blocks: Vec<(usize, usize)>,
    /// Sorted positions ordered by (stratum, start descending), for `(start, stop]` data.
    pub(super) by_start: Vec<usize>,
    /// Original row of each sorted position.
    pub(super) order: Vec<usize>,
}

/// Stable LSD radix sort of `(key, payload)` pairs on the low `bits` bits of the key, 11 bits per
/// pass (passes where every key has the same digit are skipped).
pub(super) fn radix_sort_pairs(pairs: &mut Vec<(u64, u32)>, bits: u32) {
    let n = pairs.len();
    let mut tmp = vec![(0u64, 0u32); n];
    const DIGIT: u32 = 11;
    const MASK: u64 = (1 << DIGIT) - 1;
    let mut count = vec![0usize; (1 << DIGIT) + 1];
    for shift in (0..bits).step_by(DIGIT as usize) {
        count.fill(0);
        for &(k, _) in pairs.iter() {
            count[((k >> shift) & MASK) as usize + 1] += 1;
        }
        if count.contains(&n) {
            continue;
        }
        for d in 1..count.len() {
            count[d] += count[d - 1];
        }
        for &pr in pairs.iter() {
            let d = ((pr.0 >> shift) & MASK) as usize;
            tmp[count[d]] = pr;
            count[d] += 1;
        }
        std::mem::swap(pairs, &mut tmp);
    }
}

/// Bits of a float that sort as the float does (`-0.0` taken as `0.0`).
pub(super) fn ordered_bits(v: f64) -> u64 {
    let b = (v + 0.0).to_bits();
    if b >> 63 == 1 {
        !b
    } else {
        b | (1 << 63)
    }
}

/// Sums of one pass: log-likelihood, score, information (row-major, symmetric).
pub(super) struct Accum {
    pub(super) loglik: f64,
    pub(super) u: Vec<f64>,
    pub(super) imat: Vec<f64>,
}

/// Per event time quantities for the score residuals.
pub(super) struct EventTerms {
    pub(super) time: f64,
    /// sum_k meanwt / D_k (hazard increment for subjects at risk, not dying now).
    pub(super) haz: f64,
    /// sum_k meanwt / D_k * xbar_k.
    pub(super) hx: Vec<f64>,
    /// The same with the Efron down-weighting of the deaths (factor (k+1)/d).
    pub(super) haz_d: f64,
    pub(super) hx_d: Vec<f64>,
    /// mean over k of xbar_k.
    pub(super) xbar_avg: Vec<f64>,
}

impl Prepared {
    /// Sort (stratum, stop descending) and lay the centred, scaled covariates out row-major.
    pub(super) fn new(data: &CoxData, w: &[f64], means: &[f64], scale: &[f64]) -> Prepared {
        let n = data.stop.len();
        let p = data.x.len();
        let stratum = |i: usize| data.strata.map_or(0, |s| s[i]);
        // (stratum, time descending) by stable LSD radix sorts on the float bits
        let keyed = |t: &[f64]| -> Vec<usize> {
            let mut pairs: Vec<(u64, u32)> =
                (0..n).map(|i| (!ordered_bits(t[i]), i as u32)).collect();
            radix_sort_pairs(&mut pairs, 64);
            if let Some(st) = data.strata {
                for pr in pairs.iter_mut() {
                    pr.0 = u64::from(st[pr.1 as usize]);
                }
                radix_sort_pairs(&mut pairs, 32);
            }
            pairs.into_iter().map(|(_, i)| i as usize).collect()
        };
        let order = keyed(data.stop);
        let mut pos_of = vec![0usize; n];
        for (pos, &i) in order.iter().enumerate() {
            pos_of[i] = pos;
        }
        let mut blocks = Vec::new();
        let mut b0 = 0;
        for pos in 1..=n {
            if pos == n || stratum(order[pos]) != stratum(order[b0]) {
                blocks.push((b0, pos));
                b0 = pos;
            }
        }
        let by_start = match data.start {
            Some(start) => keyed(start).into_iter().map(|i| pos_of[i]).collect(),
            None => Vec::new(),
        };

        // Records (x..., stop, w) in input order, then one contiguous copy per row into sorted
        // order: a single random access per row instead of one per column.
        let width = p + 2;
        let mut records = vec![0.0; n * width];
        for (i, rec) in records.chunks_exact_mut(width).enumerate() {
            for j in 0..p {
                rec[j] = (data.x[j][i] - means[j]) * scale[j];
            }
            rec[p] = data.stop[i];
            rec[p + 1] = w[i];
        }
        let mut xs = vec![0.0; n * p];
        let mut stop = vec![0.0; n];
        let mut ws = vec![0.0; n];
        for (pos, &i) in order.iter().enumerate() {
            let rec = &records[i * width..(i + 1) * width];
            xs[pos * p..(pos + 1) * p].copy_from_slice(&rec[..p]);
            stop[pos] = rec[p];
            ws[pos] = rec[p + 1];
        }
        drop(records);
        Prepared {
            n,
            p,
            xs,
            stop,
            start: data.start.map(|s| order.iter().map(|&i| s[i]).collect()),
            event: order.iter().map(|&i| data.event[i]).collect(),
            w: ws,
            blocks,
            by_start,
            order,
        }
    }

    pub(super) fn linear_predictor(&self, beta: &[f64], eta: &mut [f64]) {
        let p = self.p;
        for (i, e) in eta.iter_mut().enumerate() {
            let row = &self.xs[i * p..(i + 1) * p];
            *e = row.iter().zip(beta).map(|(x, b)| x * b).sum();
        }
    }

    /// Log partial likelihood, score and information at `beta` (scaled space), in one backward
    /// pass per stratum (the sums of `coxfit6` / `agfit4`). Second moments are kept as packed
    /// lower triangles (`i >= j`, row by row).
    pub(super) fn accumulate(&self, beta: &[f64], ties: Ties, eta: &mut [f64]) -> Accum {
        // monomorphise the row kernels for small p so that they unroll
        match self.p {
            1 => self.accumulate_p::<1>(beta, ties, eta),
            2 => self.accumulate_p::<2>(beta, ties, eta),
            3 => self.accumulate_p::<3>(beta, ties, eta),
            4 => self.accumulate_p::<4>(beta, ties, eta),
            5 => self.accumulate_p::<5>(beta, ties, eta),
            6 => self.accumulate_p::<6>(beta, ties, eta),
            7 => self.accumulate_p::<7>(beta, ties, eta),
            8 => self.accumulate_p::<8>(beta, ties, eta),
            _ => self.accumulate_p::<0>(beta, ties, eta),
        }
    }

    /// [`Prepared::accumulate`] with `P = p` known at compile time (`P = 0`: any p).
    pub(super) fn accumulate_p<const P: usize>(
        &self,
        beta: &[f64],
        ties: Ties,
        eta: &mut [f64],
    ) -> Accum {
        let p = if P == 0 { self.p } else { P };
        let np = p * (p + 1) / 2;
        let n = self.n;
        let (eta, risk) = eta.split_at_mut(n);
        for (i, (e, r)) in eta.iter_mut().zip(risk.iter_mut()).enumerate() {
            let row = &self.xs[i * p..(i + 1) * p];
            let mut v = 0.0;
            for j in 0..p {
                v += row[j] * beta[j];
            }
            *e = v;
            *r = self.w[i] * v.exp();
        }
        let mut loglik = 0.0;
        let mut u = vec![0.0; p];
        let mut imat_p = vec![0.0; np];
        let mut a = vec![0.0; p];
        let mut a2 = vec![0.0; p];
        let mut c = vec![0.0; np];
        let mut c2 = vec![0.0; np];
        let mut xbar = vec![0.0; p];
        for &(b0, b1) in &self.blocks {
            let mut denom = 0.0;
            a.fill(0.0);
            c.fill(0.0);
            let mut nrisk = 0usize;
            let mut pos = b0;
            let mut rem = b0;
            while pos < b1 {
                let t = self.stop[pos];
                if let Some(start) = &self.start {
                    while rem < b1 {
                        let q = self.by_start[rem];
                        if start[q] < t {
                            break;
                        }
                        nrisk -= 1;
                        if nrisk == 0 {
                            denom = 0.0;
                            a.fill(0.0);
                            c.fill(0.0);
                        } else {
                            let r = risk[q];
                            denom -= r;
                            add_moments::<P>(-r, &self.xs[q * p..(q + 1) * p], &mut a, &mut c);
                        }
                        rem += 1;
                    }
                }
                let mut ndead = 0usize;
                let mut deadwt = 0.0;
                let mut denom2 = 0.0;
                while pos < b1 && self.stop[pos] == t {
                    let r = risk[pos];
                    let x = &self.xs[pos * p..(pos + 1) * p];
                    nrisk += 1;
                    if self.event[pos] {
                        if ndead == 0 {
                            a2.fill(0.0);
                            c2.fill(0.0);
                        }
                        ndead += 1;
                        deadwt += self.w[pos];
                        denom2 += r;
                        loglik += self.w[pos] * eta[pos];
                        for (ui, xi) in u.iter_mut().zip(x) {
                            *ui += self.w[pos] * xi;
                        }
                        add_moments::<P>(r, x, &mut a2, &mut c2);
                    } else {
                        denom += r;
                        add_moments::<P>(r, x, &mut a, &mut c);
                    }
                    pos += 1;
                }
                if ndead == 0 {
                    continue;
                }
                let ev = DeathSums {
                    ndead,
                    deadwt,
                    denom2,
                    a2: &a2,
                    c2: &c2,
                };
                let rs = RiskSums {
                    denom: &mut denom,
                    a: &mut a,
                    c: &mut c,
                };
                add_deaths(ties, &ev, rs, &mut xbar, &mut loglik, &mut u, &mut imat_p);
            }
        }
        let mut imat = vec![0.0; p * p];
        let mut k = 0;
        for i in 0..p {
            for j in 0..=i {
                imat[i * p + j] = imat_p[k];
                imat[j * p + i] = imat_p[k];
                k += 1;
            }
        }
        Accum { loglik, u, imat }
    }

    /// Per-stratum event-time terms at `beta` (ascending time within each stratum).
    pub(super) fn event_terms(&self, ties: Ties, eta: &[f64]) -> Vec<Vec<EventTerms>> {
        let p = self.p;
        let mut out = Vec::with_capacity(self.blocks.len());
        let mut a = vec![0.0; p];
        let mut a2 = vec![0.0; p];
        for &(b0, b1) in &self.blocks {
            let mut terms: Vec<EventTerms> = Vec::new();
            let mut denom = 0.0;
            a.fill(0.0);
            let mut nrisk = 0usize;
            let mut pos = b0;
            let mut rem = b0;
            while pos < b1 {
                let t = self.stop[pos];
                if let Some(start) = &self.start {
                    while rem < b1 {
                        let q = self.by_start[rem];
                        if start[q] < t {
                            break;
                        }
                        nrisk -= 1;
                        if nrisk == 0 {
                            denom = 0.0;
                            a.fill(0.0);
                        } else {
                            let r = self.w[q] * eta[q].exp();
                            denom -= r;
                            for i in 0..p {
                                a[i] -= r * self.xs[q * p + i];
                            }
                        }
                        rem += 1;
                    }
                }
                let mut ndead = 0usize;
                let mut deadwt = 0.0;
                let mut denom2 = 0.0;
                a2.fill(0.0);
                while pos < b1 && self.stop[pos] == t {
                    let r = self.w[pos] * eta[pos].exp();
                    nrisk += 1;
                    let x = &self.xs[pos * p..(pos + 1) * p];
                    if self.event[pos] {
                        ndead += 1;
                        deadwt += self.w[pos];
                        denom2 += r;
                        for i in 0..p {
                            a2[i] += r * x[i];
                        }
                    } else {
                        denom += r;
                        for i in 0..p {
                            a[i] += r * x[i];
                        }
                    }
                    pos += 1;
                }
                if ndead == 0 {
                    continue;
                }
                let mut et = EventTerms {
                    time: t,
                    haz: 0.0,
                    hx: vec![0.0; p],
                    haz_d: 0.0,
                    hx_d: vec![0.0; p],
                    xbar_avg: vec![0.0; p],
                };
                if ties == Ties::Breslow || ndead == 1 {
                    denom += denom2;
                    let h = deadwt / denom;
                    et.haz = h;
                    et.haz_d = h;
                    for i in 0..p {
                        a[i] += a2[i];
                        let xbar = a[i] / denom;
                        et.hx[i] = h * xbar;
                        et.hx_d[i] = h * xbar;
                        et.xbar_avg[i] = xbar;
                    }
                } else {
                    let d = ndead as f64;
                    let meanwt = deadwt / d;
                    for k in 0..ndead {
                        denom += denom2 / d;
                        let h = meanwt / denom;
                        let f = (k + 1) as f64 / d;
                        et.haz += h;
                        et.haz_d += f * h;
                        for i in 0..p {
                            a[i] += a2[i] / d;
                            let xbar = a[i] / denom;
                            et.hx[i] += h * xbar;
                            et.hx_d[i] += f * h * xbar;
                            et.xbar_avg[i] += xbar / d;
                        }
                    }
                }
                terms.push(et);
            }
            terms.reverse();
            out.push(terms);
        }
        out
    }

    /// Score residuals (per unit weight, as `residuals.coxph(type = "score")` before weighting),
    /// row-major `n x p` in sorted order, at `beta` (scaled space).
    pub(super) fn score_residuals(&self, beta: &[f64], ties: Ties) -> Vec<f64> {
        let p = self.p;
        let mut eta = vec![0.0; self.n];
        self.linear_predictor(beta, &mut eta);
        let terms = self.event_terms(ties, &eta);
        let mut res = vec![0.0; self.n * p];
        for (b, &(b0, b1)) in self.blocks.iter().enumerate() {
            let et = &terms[b];
            let m = et.len();
            // cumulative sums over ascending event times: index k holds sum of the first k
            let mut ch = vec![0.0; m + 1];
            let mut chx = vec![0.0; (m + 1) * p];
            for k in 0..m {
                ch[k + 1] = ch[k] + et[k].haz;
                for i in 0..p {
                    chx[(k + 1) * p + i] = chx[k * p + i] + et[k].hx[i];
                }
            }
            for pos in b0..b1 {
                let t = self.stop[pos];
                let hi = et.partition_point(|e| e.time <= t);
                let lo = match &self.start {
                    Some(s) => et.partition_point(|e| e.time <= s[pos]),
                    None => 0,
                };
                let r = eta[pos].exp();
                let x = &self.xs[pos * p..(pos + 1) * p];
                let h = ch[hi] - ch[lo];
                let out = &mut res[pos * p..(pos + 1) * p];
                for i in 0..p {
                    out[i] = -r * (x[i] * h - (chx[hi * p + i] - chx[lo * p + i]));
                }
                if self.event[pos] {
                    let e = &et[hi - 1];
                    debug_assert!(e.time == t);
                    for i in 0..p {
                        out[i] += x[i] - e.xbar_avg[i]
                            + r * ((e.haz - e.haz_d) * x[i] - (e.hx[i] - e.hx_d[i]));
                    }
                }
            }
        }
        res
    }

    /// Weighted residuals `w_i * res_i * mult` summed within clusters (`collapse`), as rows of
    /// a `k x p` matrix; `mult` is `p x p` row-major (identity when `None`).
    pub(super) fn collapse(
        &self,
        res: &[f64],
        mult: Option<&[f64]>,
        cluster: Option<&[u32]>,
    ) -> (usize, Vec<f64>) {
        let p = self.p;
        let (k, group): (usize, Vec<usize>) = match cluster {
            Some(cl) => {
                let mut ids: Vec<u32> = cl.to_vec();
                ids.sort_unstable();
                ids.dedup();
                let g = self
                    .order
                    .iter()
                    .map(|&i| ids.binary_search(&cl[i]).expect("cluster id present"))
                    .collect();
                (ids.len(), g)
            }
            None => (self.n, (0..self.n).collect()),
        };
        let mut out = vec![0.0; k * p];
        let mut tmp = vec![0.0; p];
        for pos in 0..self.n {
            let rr = &res[pos * p..(pos + 1) * p];
            match mult {
                Some(v) => {
                    for j in 0..p {
                        tmp[j] = (0..p).map(|i| rr[i] * v[i * p + j]).sum::<f64>();
                    }
                }
                None => tmp.copy_from_slice(rr),
            }
            let g = group[pos];
            for j in 0..p {
                out[g * p + j] += self.w[pos] * tmp[j];
            }
        }
        (k, out)
    }
}

/// `a += r x`, `c += r x x'` (packed lower triangle); `P = x.len()` or 0 (any length).
#[inline(always)]
pub(super) fn add_moments<const P: usize>(r: f64, x: &[f64], a: &mut [f64], c: &mut [f64]) {
    let p = if P == 0 { x.len() } else { P };
    let (x, a) = (&x[..p], &mut a[..p]);
    let c = &mut c[..p * (p + 1) / 2];
    let mut k = 0;
    for i in 0..p {
        let rx = r * x[i];
        a[i] += rx;
        for j in 0..=i {
            c[k] += rx * x[j];
            k += 1;
        }
    }
}
