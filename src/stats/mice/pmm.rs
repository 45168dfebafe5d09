//! Predictive mean matching, R `mice` 3.15 `mice.impute.pmm` (`matchtype = 1`, `donors = 5`) and
//! its matcher `matchindex` (C++, `src/matchindex.cpp`): the donors' predictions use the least
//! squares coefficients, the targets' the drawn `beta*` (type-1 matching, van Buuren 2018 §3.4),
//! and each target takes the observed value of one of its `donors` nearest donors, chosen at
//! random.
//!
//! `matchindex` in seven steps, kept here in the same order so that, given the same shuffle and
//! the same pre-drawn ranks `h`, the matches are R's exactly: shuffle the donors (to break ties
//! at random), stable-sort the shuffled predictions, pre-draw `h_i` uniform in `1..=k` for every
//! target, then for each target walk outwards from its insertion point (`lower_bound`), taking
//! the closer neighbour (the right one on a tie) until `h_i` donors have been taken; the last is
//! the match.
//!
//! Cost: O(n1 log n1 + n0 (log n1 + k)) for `n1` donors and `n0` targets.

use super::super::StatsError;
use super::norm;
use super::rng::Stream;

/// `(yhatobs, yhatmis, y[ry])`.
pub type Predictions = (Vec<f64>, Vec<f64>, Vec<f64>);

/// The random variates of one `mice.impute.pmm` call, in R's order of drawing.
#[derive(Debug, Clone, PartialEq)]
pub struct PmmVariates {
    /// `rchisq(1, df)` of `.norm.draw`.
    pub chi2: f64,
    /// `rnorm(k)` of `.norm.draw`.
    pub z: Vec<f64>,
    /// `sample(n1) - 1` of `matchindex`.
    pub shuffle: Vec<usize>,
    /// `sample(1:donors, n0, replace = TRUE)` of `matchindex`.
    pub h: Vec<usize>,
}

/// The predictions PMM matches on, given the variates of `.norm.draw`: the least-squares
/// predictions of the observed rows (`yhatobs`, on `coef`) and the drawn predictions of the
/// missing rows (`yhatmis`, on `beta*` from `chi2` and `z`), with `y[ry]`. `x` is column-major
/// without the intercept, all rows.
///
/// # Errors
/// As [`norm::estimice`] and [`norm::norm_draw_given`].
pub fn pmm_predictions(
    y: &[f64],
    ry: &[bool],
    x: &[Vec<f64>],
    ridge: f64,
    draw: impl FnOnce(f64) -> (f64, Vec<f64>),
) -> Result<Predictions, StatsError> {
    let k = x.len() + 1;
    let row = |i: usize| std::iter::once(1.0).chain(x.iter().map(move |c| c[i]));
    let obs: Vec<usize> = (0..y.len()).filter(|&i| ry[i]).collect();
    let xobs: Vec<f64> = obs.iter().flat_map(|&i| row(i)).collect();
    let yobs: Vec<f64> = obs.iter().map(|&i| y[i]).collect();
    let ls = norm::estimice(&xobs, &yobs, k, ridge)?;
    let (chi2, z) = draw(ls.df);
    let (beta, _) = norm::norm_draw_given(&ls, chi2, &z)?;
    let dot = |i: usize, b: &[f64]| row(i).zip(b).map(|(a, c)| a * c).sum::<f64>();
    let yhat_obs = obs.iter().map(|&i| dot(i, &ls.coef)).collect();
    let yhat_mis = (0..y.len())
        .filter(|&i| !ry[i])
        .map(|i| dot(i, &beta))
        .collect();
    Ok((yhat_obs, yhat_mis, yobs))
}

/// `mice.impute.pmm(y, ry, x, donors)` with every random variate given (`v`); returns the imputed values of the rows
/// `!ry` in row order. Given R's variates, R's imputations exactly.
///
/// # Errors
/// As [`pmm_predictions`].
pub fn pmm_given(
    y: &[f64],
    ry: &[bool],
    x: &[Vec<f64>],
    ridge: f64,
    v: &PmmVariates,
) -> Result<Vec<f64>, StatsError> {
    let (d, t, yobs) = pmm_predictions(y, ry, x, ridge, |_| (v.chi2, v.z.clone()))?;
    Ok(match_index_given(&d, &t, &v.shuffle, &v.h)
        .into_iter()
        .map(|i| yobs[i])
        .collect())
}

/// `mice.impute.pmm` with its variates drawn from `rng` (chi-square, normals, shuffle, ranks,
/// in R's order).
pub(crate) fn impute_pmm(
    rng: &mut Stream,
    y: &[f64],
    ry: &[bool],
    x: &[Vec<f64>],
    ridge: f64,
    donors: usize,
) -> Result<Vec<f64>, StatsError> {
    let k = x.len() + 1;
    let (d, t, yobs) = pmm_predictions(y, ry, x, ridge, |df| {
        let chi2 = rng.chisq(df);
        (chi2, (0..k).map(|_| rng.normal()).collect())
    })?;
    Ok(match_index(rng, &d, &t, donors)
        .into_iter()
        .map(|i| yobs[i])
        .collect())
}

/// The donor (an index into `d`) matched to every target `t`, given the donor shuffle
/// (`shuffle`, a permutation of `0..d.len()`, R's `sample(n1) - 1`) and the ranks `h`
/// (`1..=k`, R's `sample(1:k, n0, replace = TRUE)`), exactly as `mice::matchindex`.
pub fn match_index_given(d: &[f64], t: &[f64], shuffle: &[usize], h: &[usize]) -> Vec<usize> {
    let n1 = d.len();
    let yshuf: Vec<f64> = shuffle.iter().map(|&i| d[i]).collect();
    let mut isort: Vec<usize> = (0..n1).collect();
    // Stable, as std::stable_sort with `<` (the predictions are finite).
    isort.sort_by(|&a, &b| {
        yshuf[a]
            .partial_cmp(&yshuf[b])
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    let id: Vec<usize> = isort.iter().map(|&i| shuffle[i]).collect();
    let ysort: Vec<f64> = id.iter().map(|&i| d[i]).collect();
    t.iter()
        .zip(h)
        .map(|(&val, &hi)| {
            let mut r = ysort.partition_point(|&y| y < val);
            let mut l = r as isize - 1;
            let mut count = 0;
            let mut idx = 0;
            while count < hi && l >= 0 && r < n1 {
                if val - ysort[l as usize] < ysort[r] - val {
                    idx = id[l as usize];
                    l -= 1;
                } else {
                    idx = id[r];
                    r += 1;
                }
                count += 1;
            }
            while count < hi && l >= 0 {
                idx = id[l as usize];
                l -= 1;
                count += 1;
            }
            while count < hi && r < n1 {
                idx = id[r];
                r += 1;
                count += 1;
            }
            idx
        })
        .collect()
}

/// `matchindex(d, t, k)` with the shuffle and ranks drawn from `rng` (`k` clamped to
/// `1..=d.len()`, as R).
pub(crate) fn match_index(rng: &mut Stream, d: &[f64], t: &[f64], k: usize) -> Vec<usize> {
    let shuffle = rng.permutation(d.len());
    let k = k.min(d.len()).max(1);
    let h: Vec<usize> = t.iter().map(|_| rng.below(k) + 1).collect();
    match_index_given(d, t, &shuffle, &h)
}
