//! Stratification on the propensity score: the Cox model of time to death on the exposure
//! stratified by propensity-score quantile groups (quintiles by default, the J-Septic DIC
//! method; cut points as R `cut(ps, quantile(ps, 0:k/k), include.lowest = TRUE)`), R
//! `coxph(Surv(t, d) ~ x + strata(ps_group))`, model-based variance.

use super::super::propensity::quantile_strata;
use super::super::result::{HrEstimate, HrMethod};
use super::super::CohortError;
use super::{exposure_hr, fit_cox, CoxRows, Weighted};

/// Cox model on the exposure stratified by propensity-score quantile groups, over the patients
/// kept after trimming.
///
/// # Formula
/// Stratified partial likelihood `prod_s prod_{i in s} [exp(b x_i) / sum_{j in R_s(t_i)}
/// exp(b x_j)]` (a baseline hazard per stratum, one common `b`), `HR = exp(b)`.
///
/// # Errors
/// [`CohortError::Stats`] when the fit fails, [`CohortError::NotEstimable`] when the exposure
/// coefficient is not finite.
pub fn stratified_cox(w: &Weighted) -> Result<HrEstimate, CohortError> {
    let p = w.population;
    let strata = quantile_strata(&w.fit.ps, p.options.strata);
    let fit = fit_cox(
        p,
        CoxRows {
            x: vec![p.exposure_column()],
            rows: Some(&w.fit.kept),
            weights: None,
            strata: Some(&strata),
            cluster: None,
            robust: false,
        },
    );
    exposure_hr(HrMethod::PsStratified, fit, p)
}
