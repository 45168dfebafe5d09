//! Propensity-score matching: the Cox model of time to death on the exposure in the 1:1 matched
//! pairs of [`super::propensity_fit`] (greedy on the logit of the score, closest pairs first,
//! caliper 0.2 SD by default, see `super::super::propensity`), with the robust variance clustered
//! on pairs (R `coxph(Surv(t, d) ~ x, cluster = subclass)`, Austin PC, Stat Med
//! 2014;33:1242-1258), or on the plan's cluster column when it names one.

use super::super::result::{HrEstimate, HrMethod};
use super::super::CohortError;
use super::propensity_fit::PropensityFit;
use super::{exposure_hr, fit_cox, CoxRows, Variance, Weighted};

/// The matched patients (population rows, each pair's treated then control) and their pair
/// numbers.
pub fn matched_rows(fit: &PropensityFit) -> (Vec<usize>, Vec<u32>) {
    let mut rows = Vec::with_capacity(fit.pairs.len() * 2);
    let mut pair = Vec::with_capacity(fit.pairs.len() * 2);
    for (k, &(a, b)) in fit.pairs.iter().enumerate() {
        rows.push(a);
        rows.push(b);
        pair.push(k as u32);
        pair.push(k as u32);
    }
    (rows, pair)
}

/// Cox model on the exposure in the matched pairs, robust variance clustered on pairs; `None`
/// when no pair was made.
///
/// # Formula
/// Partial likelihood over the matched patients, `HR = exp(b)`, sandwich variance
/// `V = I^-1 (sum_c U_c U_c') I^-1` with `U_c` the score contributions summed over pair `c`.
///
/// # Errors
/// [`CohortError::Stats`] when the fit fails, [`CohortError::NotEstimable`] when the exposure
/// coefficient diverges or is not estimable.
pub fn matched_cox(w: &Weighted) -> Result<Option<HrEstimate>, CohortError> {
    if w.fit.pairs.is_empty() {
        return Ok(None);
    }
    let p = w.population;
    let (rows, pair) = matched_rows(w.fit);
    let fit = fit_cox(
        p,
        CoxRows {
            x: vec![p.exposure_column()],
            rows: Some(&rows),
            weights: None,
            strata: None,
            variance: Variance::Pairs(&pair),
        },
    );
    exposure_hr(HrMethod::PsMatched, fit, p).map(Some)
}
