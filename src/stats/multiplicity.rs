//! Adjusted p values for multiple tests, matching R `p.adjust` (stats 4.2).
//!
//! Holm's step-down method (Holm S, Scand J Statist 1979;6:65-70): with the `m` non-missing p
//! values sorted increasingly, `p_(i)` becomes `min(1, max_{k <= i} (m - k + 1) p_(k))`. Missing
//! (`NaN`) p values stay missing and do not count in `m`, as R's `p.adjust(p, "holm")` with its
//! default `n = length(p[!is.na(p)])`. Cost: one sort, O(m log m).

/// Holm-adjusted p values, in the order given (R `p.adjust(p, method = "holm")`).
///
/// # Formula
/// `p_holm_(i) = min(1, max_{k <= i} (m - k + 1) p_(k))` over the sorted non-missing values.
pub fn holm(p: &[f64]) -> Vec<f64> {
    let mut idx: Vec<usize> = (0..p.len()).filter(|&i| !p[i].is_nan()).collect();
    // R's order() is stable: ties keep their positions.
    idx.sort_by(|&a, &b| p[a].total_cmp(&p[b]));
    let m = idx.len();
    let mut out = vec![f64::NAN; p.len()];
    let mut run = 0.0f64;
    for (k, &i) in idx.iter().enumerate() {
        run = run.max((m - k) as f64 * p[i]);
        out[i] = run.min(1.0);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holm_as_r() {
        // R: p.adjust(c(0.01, 0.04, 0.03, NA, 0.5), "holm") = 0.04 0.09 0.09 NA 0.5
        let got = holm(&[0.01, 0.04, 0.03, f64::NAN, 0.5]);
        let want = [0.04, 0.09, 0.09, f64::NAN, 0.5];
        for (g, w) in got.iter().zip(want) {
            assert!(
                (g.is_nan() && w.is_nan()) || (g - w).abs() < 1e-15,
                "{got:?}"
            );
        }
        assert!(holm(&[]).is_empty());
        assert_eq!(holm(&[0.6, 0.7]), vec![1.0, 1.0]);
    }
}
