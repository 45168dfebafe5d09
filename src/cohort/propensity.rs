//! Propensity scores and what is built on them: inverse probability of treatment weights,
//! 1:1 nearest-neighbour matching within a caliper, and propensity-quintile strata.
//!
//! - IPTW (Austin PC & Stuart EA, Stat Med 2015;34:3661-3679): ATE weights `T/e + (1-T)/(1-e)`,
//!   stabilised by the marginal probabilities `P(T=1)`, `P(T=0)` (Xu S et al., Value Health
//!   2010;13:273-277); ATT weights `T + (1-T) e/(1-e)` (treated weight 1: stabilisation does not
//!   apply). Optional trimming excludes patients with `e` outside `[lower, upper]` (Crump RK et
//!   al., Biometrika 2009;96:187-199), counted in the flow; weights are computed after trimming.
//! - Matching as R `MatchIt::matchit(method = "nearest", distance = <logit PS>, ratio = 1,
//!   replace = FALSE, caliper = 0.2, std.caliper = TRUE)`: the caliper is 0.2 standard deviations
//!   (`sd()` over all patients) of the logit of the propensity score (Austin PC, Pharm Stat
//!   2011;10:150-161); treated patients are matched in decreasing order of the score (MatchIt's
//!   `m.order = "largest"`), each to the nearest unmatched control within the caliper; ties go
//!   to the control that comes first in row order. Treated patients without a control within the
//!   caliper stay unmatched.
//! - Quintile strata: cut points at R `quantile(e, 0:5/5)` (type 7), intervals closed on the
//!   right and the lowest closed on both sides (`cut(..., include.lowest = TRUE)`).

use serde::{Deserialize, Serialize};

use super::CohortError;

/// The estimand of the weights.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum Estimand {
    /// Average treatment effect in the whole population.
    #[default]
    #[serde(rename = "ATE", alias = "ate")]
    Ate,
    /// Average treatment effect in the treated.
    #[serde(rename = "ATT", alias = "att")]
    Att,
}

/// IPTW weights for propensity scores `ps` (in (0, 1)) and exposure `treat`.
pub fn iptw_weights(
    ps: &[f64],
    treat: &[bool],
    estimand: Estimand,
    stabilised: bool,
) -> Result<Vec<f64>, CohortError> {
    if ps.len() != treat.len() {
        return Err(CohortError::InvalidInput(format!(
            "{} propensity scores for {} patients",
            ps.len(),
            treat.len()
        )));
    }
    if let Some(i) = ps.iter().position(|e| !(*e > 0.0 && *e < 1.0)) {
        return Err(CohortError::InvalidInput(format!(
            "propensity score of row {} is {}: weights need 0 < e < 1",
            i + 1,
            ps[i]
        )));
    }
    let n = treat.len() as f64;
    let p1 = treat.iter().filter(|t| **t).count() as f64 / n;
    Ok(ps
        .iter()
        .zip(treat)
        .map(|(&e, &t)| match estimand {
            Estimand::Ate => {
                let (num1, num0) = if stabilised {
                    (p1, 1.0 - p1)
                } else {
                    (1.0, 1.0)
                };
                if t {
                    num1 / e
                } else {
                    num0 / (1.0 - e)
                }
            }
            Estimand::Att => {
                if t {
                    1.0
                } else {
                    e / (1.0 - e)
                }
            }
        })
        .collect())
}

/// Rows to keep under propensity-score trimming `[lower, upper]` (inclusive).
pub fn trim_mask(ps: &[f64], bounds: Option<[f64; 2]>) -> Vec<bool> {
    match bounds {
        None => vec![true; ps.len()],
        Some([lo, hi]) => ps.iter().map(|e| *e >= lo && *e <= hi).collect(),
    }
}

/// The logit `log(e / (1 - e))`.
pub fn logit(e: f64) -> f64 {
    (e / (1.0 - e)).ln()
}

/// Sample standard deviation (`sd()` in R).
pub fn sample_sd(x: &[f64]) -> f64 {
    let n = x.len() as f64;
    let m = x.iter().sum::<f64>() / n;
    (x.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / (n - 1.0)).sqrt()
}

/// The result of 1:1 matching.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Matching {
    /// `(treated row, control row)` pairs in the order they were made.
    pub pairs: Vec<(usize, usize)>,
    /// The caliper on the distance scale (`caliper_sd * sd(distance)`).
    pub caliper: f64,
    /// Treated rows left without a match.
    pub n_treated_unmatched: usize,
    /// Control rows not used.
    pub n_control_unmatched: usize,
}

impl Matching {
    /// Per row: the pair number (`subclass`, 0-based) or `None` when unmatched.
    pub fn subclass(&self, n: usize) -> Vec<Option<u32>> {
        let mut s = vec![None; n];
        for (k, &(t, c)) in self.pairs.iter().enumerate() {
            s[t] = Some(k as u32);
            s[c] = Some(k as u32);
        }
        s
    }
}

/// Greedy 1:1 nearest-neighbour matching without replacement on `distance` (the logit of the
/// propensity score) with a caliper of `caliper_sd` standard deviations (see the module docs).
pub fn match_nearest(
    distance: &[f64],
    treat: &[bool],
    caliper_sd: Option<f64>,
) -> Result<Matching, CohortError> {
    if distance.len() != treat.len() {
        return Err(CohortError::InvalidInput(
            "distance and exposure lengths differ".into(),
        ));
    }
    if let Some(i) = distance.iter().position(|d| !d.is_finite()) {
        return Err(CohortError::InvalidInput(format!(
            "matching distance of row {} is {}",
            i + 1,
            distance[i]
        )));
    }
    let caliper = match caliper_sd {
        Some(c) => c * sample_sd(distance),
        None => f64::INFINITY,
    };
    // Controls sorted by distance (ties by row order), searched outwards from each treated
    // value; used controls are skipped with two "next available" union-find structures.
    let mut controls: Vec<usize> = (0..treat.len()).filter(|&i| !treat[i]).collect();
    controls.sort_by(|&a, &b| distance[a].total_cmp(&distance[b]).then(a.cmp(&b)));
    let cd: Vec<f64> = controls.iter().map(|&i| distance[i]).collect();
    let m = controls.len();
    // right[k]: k if available, else a pointer towards the next available index (m = none).
    let mut right: Vec<usize> = (0..=m).collect();
    // left[k + 1]: k + 1 if sorted index k is available, else towards the previous (0 = none).
    let mut left: Vec<usize> = (0..=m).collect();
    let mut treated: Vec<usize> = (0..treat.len()).filter(|&i| treat[i]).collect();
    // MatchIt `m.order = "largest"`: R's order(decreasing = TRUE) is stable, so equal scores keep
    // row order.
    treated.sort_by(|&a, &b| distance[b].total_cmp(&distance[a]).then(a.cmp(&b)));
    let mut pairs = Vec::new();
    let mut unmatched = 0;
    for &t in &treated {
        let d = distance[t];
        let pos = cd.partition_point(|&x| x < d);
        let r = find(&mut right, pos);
        let l = find(&mut left, pos); // available sorted index l - 1 < pos, if l > 0
        let mut best: Option<(f64, usize)> = None;
        for k in [(l > 0).then(|| l - 1), (r < m).then_some(r)]
            .into_iter()
            .flatten()
        {
            let diff = (cd[k] - d).abs();
            let better = match best {
                None => true,
                Some((bd, bk)) => diff < bd || (diff == bd && controls[k] < controls[bk]),
            };
            if better {
                best = Some((diff, k));
            }
        }
        // Equal values on the right side: the first available in sorted order is the first in
        // row order. On the left, walk back over equal values to the first in row order.
        if let Some((diff, k)) = best {
            if k + 1 == l {
                let mut j = k;
                let mut kk = k;
                while j > 0 {
                    let q = find(&mut left, j);
                    if q == 0 || cd[q - 1] != cd[k] {
                        break;
                    }
                    kk = q - 1;
                    j = q - 1;
                }
                best = Some((diff, kk));
            }
        }
        match best {
            Some((diff, k)) if diff <= caliper => {
                pairs.push((t, controls[k]));
                right[k] = k + 1;
                left[k + 1] = k;
            }
            _ => unmatched += 1,
        }
    }
    Ok(Matching {
        n_control_unmatched: m - pairs.len(),
        n_treated_unmatched: unmatched,
        pairs,
        caliper,
    })
}

/// Union-find root with path halving: follows `p[k]` until a fixed point.
fn find(p: &mut [usize], mut k: usize) -> usize {
    while p[k] != k {
        p[k] = p[p[k]];
        k = p[k];
    }
    k
}

/// R `quantile(x, probs, type = 7)` of finite values.
pub fn quantile_type7(x: &[f64], probs: &[f64]) -> Vec<f64> {
    let mut v: Vec<f64> = x.to_vec();
    v.sort_by(f64::total_cmp);
    let n = v.len();
    probs
        .iter()
        .map(|&p| {
            if n == 0 {
                return f64::NAN;
            }
            let h = (n as f64 - 1.0) * p;
            let lo = h.floor() as usize;
            let hi = (lo + 1).min(n - 1);
            v[lo] + (h - lo as f64) * (v[hi] - v[lo])
        })
        .collect()
}

/// Stratum (0-based) of each score by quantile groups: R
/// `cut(ps, quantile(ps, 0:k/k), include.lowest = TRUE)`. Equal cut points merge strata as
/// `cut` would refuse to; here empty strata simply stay empty.
pub fn quantile_strata(ps: &[f64], k: usize) -> Vec<u32> {
    let probs: Vec<f64> = (0..=k).map(|j| j as f64 / k as f64).collect();
    let q = quantile_type7(ps, &probs);
    ps.iter()
        .map(|&e| {
            // Interval j is (q[j], q[j+1]], the first [q[0], q[1]].
            let mut j = 0;
            while j + 1 < k && e > q[j + 1] {
                j += 1;
            }
            j as u32
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_ate_att_stabilised() {
        let ps = [0.2, 0.5, 0.8, 0.4];
        let t = [true, false, true, false];
        let w = iptw_weights(&ps, &t, Estimand::Ate, false).unwrap();
        assert_eq!(w, vec![5.0, 2.0, 1.25, 1.0 / 0.6]);
        let w = iptw_weights(&ps, &t, Estimand::Ate, true).unwrap();
        assert_eq!(w, vec![0.5 / 0.2, 0.5 / 0.5, 0.5 / 0.8, 0.5 / 0.6]);
        let w = iptw_weights(&ps, &t, Estimand::Att, false).unwrap();
        assert_eq!(w, vec![1.0, 1.0, 1.0, 0.4 / 0.6]);
        assert!(iptw_weights(&[0.0], &[true], Estimand::Ate, false).is_err());
        assert_eq!(
            trim_mask(&ps, Some([0.25, 0.75])),
            vec![false, true, false, true]
        );
    }

    #[test]
    fn quintiles_as_r_cut() {
        // quantile(1:10, 0:5/5) = 1, 2.8, 4.6, 6.4, 8.2, 10
        let x: Vec<f64> = (1..=10).map(|i| i as f64).collect();
        let q = quantile_type7(&x, &[0.0, 0.2, 0.4, 0.6, 0.8, 1.0]);
        for (a, b) in q.iter().zip([1.0, 2.8, 4.6, 6.4, 8.2, 10.0]) {
            assert!((a - b).abs() < 1e-12);
        }
        assert_eq!(quantile_strata(&x, 5), vec![0, 0, 1, 1, 2, 2, 3, 3, 4, 4]);
    }

    #[test]
    fn greedy_matching_largest_first_with_caliper() {
        // treated at 3.0 and 1.0; controls at 2.9, 1.05, 0.0, 10.0.
        let d = [3.0, 1.0, 2.9, 1.05, 0.0, 10.0];
        let t = [true, true, false, false, false, false];
        let m = match_nearest(&d, &t, None).unwrap();
        assert_eq!(m.pairs, vec![(0, 2), (1, 3)]);
        assert_eq!(m.n_control_unmatched, 2);
        // Largest first takes the shared nearest control.
        let d = [2.0, 1.9, 1.95, 0.0];
        let t = [true, true, false, false];
        let m = match_nearest(&d, &t, None).unwrap();
        assert_eq!(m.pairs, vec![(0, 2), (1, 3)]);
        // A caliper of 0.06 SD (0.058) leaves the second treated unmatched.
        let m = match_nearest(&d, &t, Some(0.06)).unwrap();
        assert_eq!(m.pairs, vec![(0, 2)]);
        assert_eq!(m.n_treated_unmatched, 1);
        // Ties: equal distance on both sides -> the control first in row order.
        let d = [1.0, 2.0, 0.0];
        let t = [false, true, false];
        let m = match_nearest(&[d[0], d[1], 3.0], &t, None).unwrap();
        assert_eq!(m.pairs, vec![(1, 0)]);
        let s = m.subclass(3);
        assert_eq!(s, vec![Some(0), Some(0), None]);
    }
}
