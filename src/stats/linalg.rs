//! Small dense symmetric linear algebra for the regression fits (Cox, logistic).
//!
//! Matrices are `p x p`, row-major in a `Vec<f64>`. The factorisation is the `F D F'` (LDL')
//! Cholesky used by R `survival` (`cholesky2`, `chsolve2`, `chinv2`): a pivot below
//! `toler * max(diagonal)` marks its column as redundant (singular); it gets `D = 0`, takes no
//! part in the other columns, and its rows and columns of the inverse are zero, which is how
//! `coxph` ends up reporting `NA` for an aliased or constant covariate.

// Dense numeric kernels read best with explicit indices.
#![allow(clippy::needless_range_loop)]

/// An `F D F'` factorisation of a symmetric non-negative definite matrix (R `cholesky2`).
#[derive(Debug, Clone)]
pub struct Ldl {
    n: usize,
    /// Strict lower triangle: `F` (unit diagonal implied); diagonal: `D`.
    m: Vec<f64>,
    /// Columns judged redundant (pivot below tolerance, NaN or infinite).
    singular: Vec<bool>,
    /// Whether a pivot was clearly negative (matrix not non-negative definite).
    pub negative: bool,
}

impl Ldl {
    /// Factor the symmetric `n x n` matrix `a` (only the lower triangle is read), as
    /// `survival::cholesky2` with tolerance `toler` relative to the largest diagonal element.
    pub fn new(a: &[f64], n: usize, toler: f64) -> Ldl {
        assert_eq!(a.len(), n * n);
        let mut m = vec![0.0; n * n];
        let mut eps: f64 = 0.0;
        for i in 0..n {
            for j in 0..=i {
                m[i * n + j] = a[i * n + j];
            }
            if a[i * n + i] > eps {
                eps = a[i * n + i];
            }
        }
        let mut singular = vec![true; n];
        let mut negative = false;
        if eps == 0.0 {
            for i in 0..n {
                for j in 0..=i {
                    m[i * n + j] = 0.0;
                }
            }
            return Ldl {
                n,
                m,
                singular,
                negative,
            };
        }
        eps *= toler;
        for i in 0..n {
            let pivot = m[i * n + i];
            if !pivot.is_finite() || pivot < eps {
                if pivot < -8.0 * eps {
                    negative = true;
                }
                m[i * n + i] = 0.0;
                for j in (i + 1)..n {
                    m[j * n + i] = 0.0;
                }
            } else {
                singular[i] = false;
                for j in (i + 1)..n {
                    let temp = m[j * n + i] / pivot;
                    m[j * n + i] = temp;
                    m[j * n + j] -= temp * temp * pivot;
                    for k in (j + 1)..n {
                        m[k * n + j] -= temp * m[k * n + i];
                    }
                }
            }
        }
        Ldl {
            n,
            m,
            singular,
            negative,
        }
    }

    /// Number of non-redundant columns.
    pub fn rank(&self) -> usize {
        self.singular.iter().filter(|s| !**s).count()
    }

    /// Whether column `i` was judged redundant.
    pub fn is_singular(&self, i: usize) -> bool {
        self.singular[i]
    }

    /// Solve `A b = y` in place (a generalised inverse: redundant components are set to 0), as
    /// `survival::chsolve2`.
    pub fn solve(&self, y: &mut [f64]) {
        let n = self.n;
        for i in 0..n {
            let mut temp = y[i];
            for j in 0..i {
                temp -= y[j] * self.m[i * n + j];
            }
            y[i] = temp;
        }
        for i in (0..n).rev() {
            if self.singular[i] {
                y[i] = 0.0;
            } else {
                let mut temp = y[i] / self.m[i * n + i];
                for j in (i + 1)..n {
                    temp -= y[j] * self.m[j * n + i];
                }
                y[i] = temp;
            }
        }
    }

    /// The (generalised) inverse, with zero rows and columns for redundant columns, as
    /// `survival::chinv2`. Row-major, symmetric.
    pub fn inverse(&self) -> Vec<f64> {
        let n = self.n;
        let mut inv = vec![0.0; n * n];
        let mut e = vec![0.0; n];
        for k in 0..n {
            e.iter_mut().for_each(|v| *v = 0.0);
            e[k] = 1.0;
            self.solve(&mut e);
            for i in 0..n {
                inv[i * n + k] = e[i];
            }
        }
        // Symmetrise against rounding.
        for i in 0..n {
            for j in 0..i {
                let v = 0.5 * (inv[i * n + j] + inv[j * n + i]);
                inv[i * n + j] = v;
                inv[j * n + i] = v;
            }
        }
        inv
    }
}

/// The quadratic form `b' A^{-1} b` for the non-redundant part of `A`, as
/// `survival::coxph.wtest` (Wald and score tests).
pub fn quadratic_form_inverse(a: &[f64], b: &[f64], toler: f64) -> f64 {
    let n = b.len();
    let ldl = Ldl::new(a, n, toler);
    let mut y = b.to_vec();
    ldl.solve(&mut y);
    b.iter().zip(&y).map(|(u, v)| u * v).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inverse_of_spd_matrix() {
        let a = vec![4.0, 2.0, 0.6, 2.0, 5.0, 1.0, 0.6, 1.0, 3.0];
        let ldl = Ldl::new(&a, 3, 1e-12);
        assert_eq!(ldl.rank(), 3);
        let inv = ldl.inverse();
        for i in 0..3 {
            for j in 0..3 {
                let s: f64 = (0..3).map(|k| a[i * 3 + k] * inv[k * 3 + j]).sum();
                let expect = if i == j { 1.0 } else { 0.0 };
                assert!((s - expect).abs() < 1e-12, "{i},{j}: {s}");
            }
        }
    }

    #[test]
    fn redundant_column_is_zeroed() {
        // second column = 2 * first column
        let a = vec![1.0, 2.0, 0.0, 2.0, 4.0, 0.0, 0.0, 0.0, 3.0];
        let ldl = Ldl::new(&a, 3, 1e-10);
        assert_eq!(ldl.rank(), 2);
        assert!(ldl.is_singular(1));
        let inv = ldl.inverse();
        assert_eq!(inv[4], 0.0);
        assert!((inv[0] - 1.0).abs() < 1e-12);
        assert!((inv[8] - 1.0 / 3.0).abs() < 1e-12);
    }
}
