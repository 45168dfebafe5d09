//! Brent's root finder exactly as R's `uniroot()` (C `R_zeroin2` in R's `src/library/stats/src/
//! zeroin.c`), so that estimates metafor obtains with `uniroot(tol = .Machine$double.eps^0.25)`
//! (Paule-Mandel tau^2, Q-profile confidence limits) are reproduced iterate for iterate rather
//! than only to the tolerance.

/// `.Machine$double.eps^0.25`, metafor's default `tol` for `uniroot()`.
pub const R_UNIROOT_TOL: f64 = 1.220_703_125e-4;

/// Outcome of [`uniroot`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Root {
    pub root: f64,
    pub iterations: usize,
    pub converged: bool,
}

/// R `uniroot(f, c(lower, upper), tol = tol, maxiter = maxiter)$root`. Returns `None` when `f` has
/// the same sign at both ends (R stops with "f() values at end points not of opposite sign").
pub fn uniroot(
    f: impl Fn(f64) -> f64,
    lower: f64,
    upper: f64,
    tol: f64,
    maxiter: usize,
) -> Option<Root> {
    let fa = f(lower);
    let fb = f(upper);
    if fa.is_nan() || fb.is_nan() || fa * fb > 0.0 {
        return None;
    }
    Some(zeroin2(&f, lower, upper, fa, fb, tol, maxiter))
}

fn zeroin2(
    f: &impl Fn(f64) -> f64,
    ax: f64,
    bx: f64,
    fa0: f64,
    fb0: f64,
    tol: f64,
    maxiter: usize,
) -> Root {
    let (mut a, mut b) = (ax, bx);
    let (mut fa, mut fb) = (fa0, fb0);
    let mut c = a;
    let mut fc = fa;
    if fa == 0.0 {
        return Root {
            root: a,
            iterations: 0,
            converged: true,
        };
    }
    if fb == 0.0 {
        return Root {
            root: b,
            iterations: 0,
            converged: true,
        };
    }
    let mut left = maxiter + 1;
    while left > 0 {
        left -= 1;
        let prev_step = b - a;
        if fc.abs() < fb.abs() {
            a = b;
            b = c;
            c = a;
            fa = fb;
            fb = fc;
            fc = fa;
        }
        let tol_act = 2.0 * f64::EPSILON * b.abs() + tol / 2.0;
        let mut new_step = (c - b) / 2.0;
        if new_step.abs() <= tol_act || fb == 0.0 {
            return Root {
                root: b,
                iterations: maxiter + 1 - left,
                converged: true,
            };
        }
        if prev_step.abs() >= tol_act && fa.abs() > fb.abs() {
            let cb = c - b;
            let (mut p, mut q);
            if a == c {
                let t1 = fb / fa;
                p = cb * t1;
                q = 1.0 - t1;
            } else {
                let qq = fa / fc;
                let t1 = fb / fc;
                let t2 = fb / fa;
                p = t2 * (cb * qq * (qq - t1) - (b - a) * (t1 - 1.0));
                q = (qq - 1.0) * (t1 - 1.0) * (t2 - 1.0);
            }
            if p > 0.0 {
                q = -q;
            } else {
                p = -p;
            }
            if p < (0.75 * cb * q - (tol_act * q).abs() / 2.0) && p < (prev_step * q / 2.0).abs() {
                new_step = p / q;
            }
        }
        if new_step.abs() < tol_act {
            new_step = if new_step > 0.0 { tol_act } else { -tol_act };
        }
        a = b;
        fa = fb;
        b += new_step;
        fb = f(b);
        if (fb > 0.0 && fc > 0.0) || (fb < 0.0 && fc < 0.0) {
            c = a;
            fc = fa;
        }
    }
    Root {
        root: b,
        iterations: maxiter,
        converged: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_sqrt2_to_tolerance() {
        let r = uniroot(|x| x * x - 2.0, 0.0, 2.0, 1e-12, 100).unwrap();
        assert!((r.root - 2f64.sqrt()).abs() < 1e-11);
        assert!(r.converged);
    }

    #[test]
    fn same_sign_is_none() {
        assert!(uniroot(|x| x * x + 1.0, -1.0, 1.0, 1e-8, 100).is_none());
    }
}
