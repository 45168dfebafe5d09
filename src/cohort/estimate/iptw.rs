//! Inverse probability of treatment weighting: the Cox model of time to death on the exposure
//! weighted by the stabilised IPTW weights of [`super::propensity_fit`] (a marginal hazard ratio,
//! R `coxph(Surv(t, d) ~ x, weights = w, robust = TRUE)`), the same also adjusted for the
//! propensity covariates (doubly robust, a conditional hazard ratio), and the weighted
//! Kaplan-Meier curves (adjusted survival curves). Robust (sandwich) variance, each patient its
//! own cluster, because weights make the model-based variance wrong.

use super::super::result::{Curve, HrEstimate, HrMethod};
use super::super::CohortError;
use super::survival_curves::{curves, km_options};
use super::{adjusted_columns, exposure_hr, fit_cox, stats_err, CoxRows, Weighted};
use crate::stats::km::kaplan_meier_by_group;

/// IPTW-weighted Cox model on the exposure alone, robust variance.
///
/// # Formula
/// Weighted partial likelihood `prod_i [exp(b x_i) / sum_{j in R(t_i)} w_j exp(b x_j)]^{w_i}`
/// over the patients kept after trimming; `HR = exp(b)` with the robust standard error.
///
/// # Errors
/// [`CohortError::Stats`] when the fit fails, [`CohortError::NotEstimable`] when the exposure
/// coefficient is not finite.
pub fn iptw_cox(w: &Weighted) -> Result<HrEstimate, CohortError> {
    let p = w.population;
    let fit = fit_cox(
        p,
        CoxRows {
            x: vec![p.exposure_column()],
            rows: Some(&w.fit.kept),
            weights: Some(&w.fit.weights),
            strata: None,
            cluster: None,
            robust: true,
        },
    );
    exposure_hr(HrMethod::Iptw, fit, p)
}

/// IPTW-weighted Cox model on the exposure and the usable propensity covariates (doubly
/// robust; a conditional hazard ratio), robust variance.
///
/// # Formula
/// As [`iptw_cox`] with `b' x_i` over the exposure and the covariates.
///
/// # Errors
/// As [`iptw_cox`].
pub fn iptw_adjusted_cox(w: &Weighted) -> Result<HrEstimate, CohortError> {
    let p = w.population;
    let fit = fit_cox(
        p,
        CoxRows {
            x: adjusted_columns(p),
            rows: Some(&w.fit.kept),
            weights: Some(&w.fit.weights),
            strata: None,
            cluster: None,
            robust: true,
        },
    );
    exposure_hr(HrMethod::IptwAdjusted, fit, p)
}

/// IPTW-weighted Kaplan-Meier curves, exposed then unexposed.
///
/// # Formula
/// `S(t) = prod_{t_i <= t} (1 - d_i^w / n_i^w)` with weighted deaths and numbers at risk.
///
/// # Errors
/// [`CohortError::Stats`] (`weighted Kaplan-Meier: ...`).
pub fn weighted_kaplan_meier(w: &Weighted) -> Result<Vec<Curve>, CohortError> {
    let p = w.population;
    let kept = &w.fit.kept;
    let t: Vec<f64> = kept.iter().map(|&k| p.time[k]).collect();
    let e: Vec<bool> = kept.iter().map(|&k| p.event[k]).collect();
    let g: Vec<u32> = kept
        .iter()
        .map(|&k| if p.exposed[k] { 0 } else { 1 })
        .collect();
    kaplan_meier_by_group(&t, &e, Some(&w.fit.weights), &g, 2, &km_options(p))
        .map(|f| curves(&f))
        .map_err(stats_err("weighted Kaplan-Meier"))
}
