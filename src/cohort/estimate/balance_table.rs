//! Covariate balance: the standardised mean difference of every covariate column between the
//! arms before adjustment, after IPTW, overlap and matching weighting and in the matched pairs
//! (definitions in [`super::super::balance`], as R `tableone`).

use super::super::balance::{smd_binary, smd_continuous};
use super::super::result::BalanceRow;
use super::matching::matched_rows;
use super::Weighted;

/// One row per covariate column: SMD before, after weighting (patients kept after trimming)
/// and among the matched patients. A column of 0/1 values uses the binary SMD.
///
/// # Formula
/// Continuous: `(m1 - m0) / sqrt((s1^2 + s0^2) / 2)`; binary: `(p1 - p0) / sqrt((p1 (1 - p1) +
/// p0 (1 - p0)) / 2)`; weighted means and variances under weights (matched: weight 1 for matched
/// patients, 0 otherwise).
pub fn balance(w: &Weighted) -> Vec<BalanceRow> {
    let p = w.population;
    let kept = &w.fit.kept;
    let treat_k: Vec<bool> = kept.iter().map(|&k| p.exposed[k]).collect();
    let (matched, _) = matched_rows(w.fit);
    let mut wm = vec![0.0; p.len()];
    for &k in &matched {
        wm[k] = 1.0;
    }
    p.x_names
        .iter()
        .zip(&p.x)
        .map(|(name, v)| {
            let vk: Vec<f64> = kept.iter().map(|&k| v[k]).collect();
            let binary = v.iter().all(|x| x.is_nan() || *x == 0.0 || *x == 1.0);
            let smd = |x: &[f64], t: &[bool], w: Option<&[f64]>| {
                if binary {
                    smd_binary(x, t, w)
                } else {
                    smd_continuous(x, t, w)
                }
            };
            BalanceRow {
                variable: name.clone(),
                smd_before: smd(v, &p.exposed, None),
                smd_iptw: smd(&vk, &treat_k, Some(&w.fit.weights)),
                smd_matched: smd(v, &p.exposed, Some(&wm)),
                smd_overlap: smd(&vk, &treat_k, Some(&w.fit.overlap)),
                smd_matching_weights: smd(&vk, &treat_k, Some(&w.fit.matching)),
            }
        })
        .collect()
}
