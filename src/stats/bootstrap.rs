//! The nonparametric bootstrap (Efron B & Tibshirani RJ, An Introduction to the Bootstrap, 1993),
//! seeded and independent of the thread count: replicate `b` of a run with seed `s` draws its
//! `n` row indices (with replacement, uniformly) from its own random stream, a xoshiro256**
//! generator seeded by SplitMix64 from `(s, b)`, so replicate `b` is the same draw whatever
//! order, thread or machine computes it. Replicates run in parallel (rayon) and are collected in
//! replicate order; intervals are percentiles (R `quantile(type = 7)`) of the successful
//! replicates.
//!
//! A replicate is given as frequencies (how many times each row was drawn), so estimators take it
//! as case weights and no data are copied. Cost: O(n) per replicate to draw it, plus the
//! estimator's cost, over `replicates / threads` rounds.

use rayon::prelude::*;

/// A seeded xoshiro256** stream (Blackman & Vigna 2018), seeded through SplitMix64.
struct Stream {
    s: [u64; 4],
}

fn splitmix(x: &mut u64) -> u64 {
    *x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *x;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl Stream {
    fn new(seed: u64, replicate: u64) -> Stream {
        let (mut a, mut b) = (seed, replicate ^ 0xA076_1D64_78BD_642F);
        let mut x = splitmix(&mut a) ^ splitmix(&mut b).rotate_left(32);
        let s = [
            splitmix(&mut x),
            splitmix(&mut x),
            splitmix(&mut x),
            splitmix(&mut x),
        ];
        Stream { s }
    }

    fn next_u64(&mut self) -> u64 {
        let s = &mut self.s;
        let out = s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        out
    }

    /// Uniform integer in `0..n` (Lemire's multiply-and-reject, unbiased).
    fn below(&mut self, n: u64) -> u64 {
        let threshold = n.wrapping_neg() % n;
        loop {
            let m = u128::from(self.next_u64()) * u128::from(n);
            if (m as u64) >= threshold {
                return (m >> 64) as u64;
            }
        }
    }
}

/// Replicate `replicate` of a bootstrap of `n` rows with `seed`: how many times each row is
/// drawn (the counts sum to `n`).
pub fn resample_counts(n: usize, seed: u64, replicate: u64) -> Vec<u32> {
    let mut counts = vec![0u32; n];
    if n == 0 {
        return counts;
    }
    let mut rng = Stream::new(seed, replicate);
    for _ in 0..n {
        counts[rng.below(n as u64) as usize] += 1;
    }
    counts
}

/// Runs `estimate` on `replicates` bootstrap replicates of `n` rows (each given as row counts),
/// in parallel; the results in replicate order (`None` where the estimate failed).
pub fn bootstrap<T, F>(n: usize, replicates: usize, seed: u64, estimate: F) -> Vec<Option<T>>
where
    T: Send,
    F: Fn(&[u32]) -> Option<T> + Sync,
{
    (0..replicates as u64)
        .into_par_iter()
        .map(|b| estimate(&resample_counts(n, seed, b)))
        .collect()
}

/// The percentile interval of the finite values at `conf_level`: R
/// `quantile(x, c((1 - level) / 2, (1 + level) / 2), type = 7)`; `NaN` without values.
pub fn percentile_interval(values: &[f64], conf_level: f64) -> [f64; 2] {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return [f64::NAN; 2];
    }
    v.sort_by(f64::total_cmp);
    let q = |p: f64| {
        let h = (v.len() as f64 - 1.0) * p;
        let lo = h.floor() as usize;
        let hi = (lo + 1).min(v.len() - 1);
        v[lo] + (h - lo as f64) * (v[hi] - v[lo])
    };
    let a = (1.0 - conf_level) / 2.0;
    [q(a), q(1.0 - a)]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replicates_are_fixed_by_seed_and_index() {
        let a = resample_counts(50, 7, 3);
        assert_eq!(a.iter().sum::<u32>(), 50);
        assert_eq!(a, resample_counts(50, 7, 3));
        assert_ne!(a, resample_counts(50, 7, 4));
        assert_ne!(a, resample_counts(50, 8, 3));
        // the parallel runner returns them in replicate order
        let sums: Vec<Option<u32>> = bootstrap(50, 20, 7, |c| Some(c[0] * 1000 + c[1]));
        for (b, s) in sums.iter().enumerate() {
            let c = resample_counts(50, 7, b as u64);
            assert_eq!(*s, Some(c[0] * 1000 + c[1]));
        }
    }

    #[test]
    fn draws_are_uniform() {
        // 200 replicates of 100 rows: every row drawn about 200 times (sd ~ 14).
        let mut total = vec![0u32; 100];
        for b in 0..200 {
            for (t, c) in total.iter_mut().zip(resample_counts(100, 1, b)) {
                *t += c;
            }
        }
        assert!(total.iter().all(|&t| (130..=270).contains(&t)), "{total:?}");
    }

    #[test]
    fn percentiles_as_r_type7() {
        // quantile(1:10, c(0.025, 0.975)) = 1.225 9.775
        let x: Vec<f64> = (1..=10).map(f64::from).collect();
        let [lo, hi] = percentile_interval(&x, 0.95);
        assert!((lo - 1.225).abs() < 1e-12 && (hi - 9.775).abs() < 1e-12);
        assert!(percentile_interval(&[f64::NAN], 0.95)[0].is_nan());
    }
}
