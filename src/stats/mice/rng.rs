//! The random stream of one imputation: xoshiro256** (Blackman & Vigna 2018) seeded through
//! SplitMix64 from `(seed, imputation)`, so imputation `l` of a run is the same draw whatever
//! thread or order computes it. The salt differs from the bootstrap's (`stats::bootstrap`), so a
//! plan using one seed for both does not reuse streams.
//!
//! Distributions: uniform on [0, 1) from the top 53 bits; normal by the Marsaglia polar method;
//! chi-square as twice a gamma by Marsaglia & Tsang (2000) (shape < 1 boosted by `U^(1/a)`).
//! These are not R's generators (Mersenne-Twister, inversion), so draws differ from `mice`'s;
//! parity with `mice` is therefore within Monte Carlo error (see `tests/reference/mice_pmm.R`).

pub(crate) struct Stream {
    s: [u64; 4],
    spare: Option<f64>,
}

fn splitmix(x: &mut u64) -> u64 {
    *x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *x;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl Stream {
    pub(crate) fn new(seed: u64, imputation: u64) -> Stream {
        let (mut a, mut b) = (
            seed ^ 0x6D69_6365_5F69_6D70,
            imputation ^ 0xE703_7ED1_A0B4_28DB,
        );
        let mut x = splitmix(&mut a) ^ splitmix(&mut b).rotate_left(29);
        let s = [
            splitmix(&mut x),
            splitmix(&mut x),
            splitmix(&mut x),
            splitmix(&mut x),
        ];
        Stream { s, spare: None }
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

    /// Uniform on [0, 1).
    pub(crate) fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform integer in `0..n` (Lemire's multiply-and-reject, unbiased); `n > 0`.
    pub(crate) fn below(&mut self, n: usize) -> usize {
        let n = n as u64;
        let threshold = n.wrapping_neg() % n;
        loop {
            let m = u128::from(self.next_u64()) * u128::from(n);
            if (m as u64) >= threshold {
                return (m >> 64) as usize;
            }
        }
    }

    /// Standard normal (Marsaglia polar method; the second variate of a pair is kept).
    pub(crate) fn normal(&mut self) -> f64 {
        if let Some(z) = self.spare.take() {
            return z;
        }
        loop {
            let u = 2.0 * self.uniform() - 1.0;
            let v = 2.0 * self.uniform() - 1.0;
            let s = u * u + v * v;
            if s > 0.0 && s < 1.0 {
                let f = (-2.0 * s.ln() / s).sqrt();
                self.spare = Some(v * f);
                return u * f;
            }
        }
    }

    /// Gamma(shape, 1) by Marsaglia & Tsang; `shape > 0`.
    fn gamma(&mut self, shape: f64) -> f64 {
        if shape < 1.0 {
            let u = self.uniform();
            return self.gamma(shape + 1.0) * (1.0 - u).powf(1.0 / shape);
        }
        let d = shape - 1.0 / 3.0;
        let c = 1.0 / (9.0 * d).sqrt();
        loop {
            let z = self.normal();
            let v = 1.0 + c * z;
            if v <= 0.0 {
                continue;
            }
            let v = v * v * v;
            let u = 1.0 - self.uniform();
            if u.ln() < 0.5 * z * z + d - d * v + d * v.ln() {
                return d * v;
            }
        }
    }

    /// Chi-square on `df > 0` degrees of freedom.
    pub(crate) fn chisq(&mut self, df: f64) -> f64 {
        2.0 * self.gamma(df / 2.0)
    }

    /// A uniformly random permutation of `0..n` (Fisher-Yates).
    pub(crate) fn permutation(&mut self, n: usize) -> Vec<usize> {
        let mut p: Vec<usize> = (0..n).collect();
        for i in (1..n).rev() {
            let j = self.below(i + 1);
            p.swap(i, j);
        }
        p
    }
}

#[cfg(test)]
mod tests {
    use super::Stream;

    #[test]
    fn moments_of_the_draws() {
        let mut r = Stream::new(1, 0);
        let n = 200_000;
        let z: Vec<f64> = (0..n).map(|_| r.normal()).collect();
        let mean = z.iter().sum::<f64>() / n as f64;
        let var = z.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n as f64;
        // 5 standard errors of the mean and of the variance.
        assert!(mean.abs() < 5.0 / (n as f64).sqrt(), "normal mean {mean}");
        assert!(
            (var - 1.0).abs() < 5.0 * (2.0 / n as f64).sqrt(),
            "normal var {var}"
        );
        for df in [0.6, 3.0, 250.0] {
            let c: Vec<f64> = (0..n).map(|_| r.chisq(df)).collect();
            let m = c.iter().sum::<f64>() / n as f64;
            assert!(
                (m - df).abs() < 5.0 * (2.0 * df / n as f64).sqrt(),
                "chisq({df}) mean {m}"
            );
        }
    }

    #[test]
    fn streams_are_reproducible_and_distinct() {
        let a: Vec<f64> = (0..5).map(|_| Stream::new(9, 3).uniform()).collect();
        assert!(a.windows(2).all(|w| w[0] == w[1]));
        let mut s3 = Stream::new(9, 3);
        let mut s4 = Stream::new(9, 4);
        assert_ne!(s3.uniform(), s4.uniform());
    }
}
