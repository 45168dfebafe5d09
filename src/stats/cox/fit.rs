//! The steps of [`coxph`](super::coxph), one function each: centring and scaling, the
//! Newton-Raphson loop with `coxfit6`'s convergence and step-halving rule, the diagnosis when the
//! iterations run out, R's "coefficient may be infinite" flag and the likelihood check behind
//! [`CoxFit::diverges`](super::CoxFit::diverges), the robust variance and the Wald test on the
//! estimable terms. `coxph` itself only strings them together.

// Dense numeric kernels read best with explicit indices.
#![allow(clippy::needless_range_loop)]

use super::grouped::Engine;
use super::sorted::Accum;
use super::*;

/// Where Newton-Raphson stopped: the estimate (scaled space), the accumulated sums and their
/// factorisation at it, and the iteration count.
pub(super) struct Converged {
    pub beta: Vec<f64>,
    pub acc: Accum,
    pub ldl: Ldl,
    pub iterations: usize,
}

/// Newton-Raphson from `beta0 + step0` with the rule of `coxfit6`/`agfit4`: stop when
/// `|1 - best / loglik| <= eps` (and, for counting-process data, not in the middle of a
/// halving); a step that lowers the likelihood or leaves the finite range is halved toward the
/// last good beta.
///
/// # Errors
/// [`StatsError::Separation`] or [`StatsError::NonConvergence`] when the iterations run out
/// (see [`out_of_iterations`]).
pub(super) fn newton(
    prep: &Engine,
    step0: &[f64],
    loglik0: f64,
    options: &CoxOptions,
    counting: bool,
    names: &[String],
    scratch: &mut [f64],
) -> Result<Converged, StatsError> {
    let p = step0.len();
    let ties = options.ties;
    let mut beta = vec![0.0; p];
    let mut best = loglik0;
    let mut newbeta: Vec<f64> = step0.to_vec();
    let mut halving = 0usize;
    for iter in 1..=options.max_iter.max(1) {
        let acc = prep.accumulate(&newbeta, ties, scratch);
        let ldl = Ldl::new(&acc.imat, p, options.toler_chol);
        let notfinite = !acc.loglik.is_finite()
            || acc.u.iter().any(|v| !v.is_finite())
            || acc.imat.iter().any(|v| !v.is_finite());
        if !notfinite
            && (1.0 - best / acc.loglik).abs() <= options.eps
            && (!counting || halving == 0)
        {
            return Ok(Converged {
                beta: newbeta,
                acc,
                ldl,
                iterations: iter,
            });
        }
        if notfinite || acc.loglik < best {
            halving += 1;
            let h = halving as f64;
            for (nb, b) in newbeta.iter_mut().zip(&beta) {
                *nb = (*nb + h * b) / (h + 1.0);
            }
        } else {
            halving = 0;
            best = acc.loglik;
            let mut s = acc.u.clone();
            ldl.solve(&mut s);
            beta.clone_from(&newbeta);
            for (nb, si) in newbeta.iter_mut().zip(&s) {
                *nb += si;
            }
        }
    }
    Err(out_of_iterations(
        prep, &beta, best, options, names, scratch,
    ))
}

/// Out of iterations. As R, look at the last good beta: if the next Newton step would still move
/// a large coefficient (|beta| > 5 on coxph's scaled covariates, a hazard ratio beyond e^5 per
/// mean absolute deviation) by more than R's toler.inf allows, the likelihood is monotone in it
/// (separation) rather than slow.
fn out_of_iterations(
    prep: &Engine,
    beta: &[f64],
    best: f64,
    options: &CoxOptions,
    names: &[String],
    scratch: &mut [f64],
) -> StatsError {
    let p = beta.len();
    let acc = prep.accumulate(beta, options.ties, scratch);
    let ldl = Ldl::new(&acc.imat, p, options.toler_chol);
    let mut s = acc.u.clone();
    ldl.solve(&mut s);
    let diverging: Vec<&str> = (0..p)
        .filter(|&j| {
            !ldl.is_singular(j)
                && beta[j].abs() > 5.0
                && s[j].abs() > options.eps
                && s[j].abs() > options.toler_inf * beta[j].abs()
        })
        .map(|j| names[j].as_str())
        .collect();
    if !diverging.is_empty() {
        return StatsError::Separation(format!(
            "Cox model: coefficient(s) of {} diverge (monotone likelihood, e.g. all events \
             in one group); no finite estimate after {} iterations",
            diverging.join(", "),
            options.max_iter
        ));
    }
    StatsError::NonConvergence {
        iterations: options.max_iter,
        detail: format!(
            "Cox model: log-likelihood still changing (best {best}) after {} Newton-Raphson iterations",
            options.max_iter
        ),
    }
}

/// R's "Loglik converged before variable j; coefficient may be infinite" flag (`coxph.fit`):
/// `|u' V|_j > eps` and `> toler.inf * |beta_j|` at convergence, original scale. With the
/// warning text when any is flagged.
pub(super) fn may_be_infinite(
    score: &[f64],
    naive_var: &[f64],
    coef: &[f64],
    singular: &[bool],
    options: &CoxOptions,
) -> (Vec<bool>, Option<String>) {
    let p = score.len();
    let flags: Vec<bool> = (0..p)
        .map(|j| {
            if options.max_iter <= 1 || singular[j] {
                return false;
            }
            let inf = (0..p)
                .map(|i| score[i] * naive_var[i * p + j])
                .sum::<f64>()
                .abs();
            !score[j].is_finite() || (inf > options.eps && inf > options.toler_inf * coef[j].abs())
        })
        .collect();
    let warning = flags.iter().any(|f| *f).then(|| {
        let which: Vec<String> = (0..p)
            .filter(|&j| flags[j])
            .map(|j| (j + 1).to_string())
            .collect();
        format!(
            "Loglik converged before variable  {} ; coefficient may be infinite. ",
            which.join(",")
        )
    });
    (flags, warning)
}

/// `v` (p x p, scaled space) back on the covariates' own scale.
pub(super) fn unscale(v: &[f64], scale: &[f64]) -> Vec<f64> {
    let p = scale.len();
    let mut o = vec![0.0; p * p];
    for i in 0..p {
        for j in 0..p {
            o[i * p + j] = v[i * p + j] * scale[i] * scale[j];
        }
    }
    o
}

/// Square roots of the diagonal of `var` (p x p), `NaN` for singular terms.
pub(super) fn diagonal_se(var: &[f64], singular: &[bool]) -> Vec<f64> {
    let p = singular.len();
    (0..p)
        .map(|j| {
            if singular[j] {
                f64::NAN
            } else {
                var[j * p + j].sqrt()
            }
        })
        .collect()
}

/// The robust (sandwich) variance, original scale, and R's robust score test: the crossproduct
/// of the weighted dfbeta residuals collapsed by cluster, and of the score residuals at beta = 0.
pub(super) fn robust_variance(
    prep: &Prepared,
    beta: &[f64],
    var_s: &[f64],
    scale: &[f64],
    cluster: Option<&[u32]>,
    options: &CoxOptions,
    rank: usize,
) -> (Vec<f64>, ChiSquareTest) {
    let p = beta.len();
    let res = prep.score_residuals(beta, options.ties);
    let (k, dfb) = prep.collapse(&res, Some(var_s), cluster);
    let var = unscale(&crossprod(k, p, &dfb), scale);
    let zero = vec![0.0; p];
    let res0 = prep.score_residuals(&zero, options.ties);
    let (k0, sc0) = prep.collapse(&res0, None, cluster);
    let u0: Vec<f64> = (0..p)
        .map(|j| (0..k0).map(|r| sc0[r * p + j]).sum())
        .collect();
    let stat = quadratic_form_inverse(&crossprod(k0, p, &sc0), &u0, options.toler_chol);
    (var, ChiSquareTest::new(stat, rank))
}

/// The Wald statistic of the non-singular coefficients with the variance used for inference.
pub(super) fn wald_estimable(coef: &[f64], var: &[f64], singular: &[bool], toler: f64) -> f64 {
    let p = coef.len();
    let keep: Vec<usize> = (0..p).filter(|&j| !singular[j]).collect();
    let q = keep.len();
    let mut vsub = vec![0.0; q * q];
    for (a, &i) in keep.iter().enumerate() {
        for (b, &j) in keep.iter().enumerate() {
            vsub[a * q + b] = var[i * p + j];
        }
    }
    let bsub: Vec<f64> = keep.iter().map(|&j| coef[j]).collect();
    quadratic_form_inverse(&vsub, &bsub, toler)
}

/// Weighted means and scale factors of the covariates, as `coxfit6`: centre by the weighted mean
/// and scale by `sum(w) / sum(w |x - mean|)`, except columns whose values are all in {-1, 0, 1}
/// (R's `nocenter`), which are left alone.
pub(super) fn center_scale(x: &[Vec<f64>], w: &[f64]) -> (Vec<f64>, Vec<f64>) {
    let p = x.len();
    let wsum: f64 = w.iter().sum();
    let mut means = vec![0.0; p];
    let mut scale = vec![1.0; p];
    for (j, col) in x.iter().enumerate() {
        if col.iter().all(|&v| v == 0.0 || v == 1.0 || v == -1.0) {
            continue;
        }
        let mean = col.iter().zip(w).map(|(x, w)| w * x).sum::<f64>() / wsum;
        let abs: f64 = col.iter().zip(w).map(|(x, w)| w * (x - mean).abs()).sum();
        means[j] = mean;
        scale[j] = if abs > 0.0 { wsum / abs } else { 1.0 };
    }
    (means, scale)
}

/// Which coefficients flagged by R's rule truly diverge: the log-likelihood (at the estimate
/// `beta`, scaled space) does not decrease, beyond `eps` relative, when the coefficient moves one
/// further step of `max(1, |beta_j|)` (scaled units) in the direction of its remaining Newton
/// step, or when all flagged coefficients with `|beta_j| >= 1` are doubled together (a
/// quasi-separating combination). A coefficient close to 0 at a true maximum fails this at once
/// (the likelihood falls by about `I_j / 2`); under separation the likelihood keeps rising toward
/// its supremum. A likelihood that overflows on the way counts as diverging.
pub(super) fn diverging(
    prep: &Engine,
    beta: &[f64],
    acc: &Accum,
    ldl: &Ldl,
    flagged: &[bool],
    ties: Ties,
    scratch: &mut [f64],
) -> Vec<bool> {
    let p = beta.len();
    let mut out = vec![false; p];
    if !flagged.iter().any(|f| *f) {
        return out;
    }
    let mut step = acc.u.clone();
    ldl.solve(&mut step);
    let ll = acc.loglik;
    let tol = 1e-9 * ll.abs().max(1e-300);
    let mut still_rising = |b: &[f64]| {
        let l = prep.accumulate(b, ties, scratch).loglik;
        !l.is_finite() || l >= ll - tol
    };
    for j in (0..p).filter(|&j| flagged[j]) {
        let mut b = beta.to_vec();
        let dir = if step[j] < 0.0 { -1.0 } else { 1.0 };
        b[j] += dir * beta[j].abs().max(1.0);
        out[j] = still_rising(&b);
    }
    let joint: Vec<usize> = (0..p)
        .filter(|&j| flagged[j] && beta[j].abs() >= 1.0)
        .collect();
    if joint.len() > 1 {
        let mut b = beta.to_vec();
        for &j in &joint {
            b[j] *= 2.0;
        }
        if still_rising(&b) {
            for &j in &joint {
                out[j] = true;
            }
        }
    }
    out
}

fn crossprod(k: usize, p: usize, m: &[f64]) -> Vec<f64> {
    let mut out = vec![0.0; p * p];
    for r in 0..k {
        let row = &m[r * p..(r + 1) * p];
        for i in 0..p {
            for j in 0..=i {
                out[i * p + j] += row[i] * row[j];
            }
        }
    }
    for i in 0..p {
        for j in 0..i {
            out[j * p + i] = out[i * p + j];
        }
    }
    out
}
