//! Weighted Cox models of time to death on the exposure: weighted by the stabilised IPTW
//! weights of [`super::propensity_fit`] (a marginal hazard ratio in the whole population, R
//! `coxph(Surv(t, d) ~ x, weights = w, robust = TRUE)`), by overlap weights (the overlap
//! population, ATO), by matching weights (the matching population, ATM) and by the marginal mean
//! weights of propensity strata (MMWS); the IPTW model also adjusted for the propensity covariates
//! (doubly robust, a conditional hazard ratio); and the IPTW-weighted Kaplan-Meier curves. Robust
//! (sandwich) variance, each patient its own cluster or clustered by the plan's cluster column,
//! because weights make the model-based variance wrong.

use super::super::result::{Curve, HrEstimate, HrMethod};
use super::super::CohortError;
use super::survival_curves::{curves, km_options};
use super::{adjusted_columns, exposure_hr, fit_cox, stats_err, CoxRows, Variance, Weighted};
use crate::stats::km::kaplan_meier_by_group;

/// The weights of one weighted Cox model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    /// Stabilised IPTW (ATE or ATT as the plan says).
    Iptw,
    /// Overlap weights (ATO).
    Overlap,
    /// Matching weights (ATM).
    Matching,
    /// Marginal mean weights of the propensity strata (MMWS).
    Strata,
}

impl Scheme {
    fn method(self) -> HrMethod {
        match self {
            Scheme::Iptw => HrMethod::Iptw,
            Scheme::Overlap => HrMethod::Overlap,
            Scheme::Matching => HrMethod::MatchingWeights,
            Scheme::Strata => HrMethod::PsStrataWeighted,
        }
    }
}

/// Cox model on the exposure alone weighted by `scheme`, robust variance, over the patients
/// kept after trimming with a positive weight (MMWS gives 0 to strata lacking an arm).
///
/// # Formula
/// Weighted partial likelihood `prod_i [exp(b x_i) / sum_{j in R(t_i)} w_j exp(b x_j)]^{w_i}`;
/// `HR = exp(b)` with the robust standard error `V = I^-1 (sum_c U_c U_c') I^-1` (`U_c` the
/// weighted score residuals summed over cluster `c`).
///
/// # Errors
/// [`CohortError::Stats`] when the fit fails, [`CohortError::NotEstimable`] when the exposure
/// coefficient diverges or is not estimable.
pub fn weighted_cox(w: &Weighted, scheme: Scheme) -> Result<HrEstimate, CohortError> {
    let p = w.population;
    let all = w.fit.scheme_weights(scheme);
    let (rows, weights): (Vec<usize>, Vec<f64>) = w
        .fit
        .kept
        .iter()
        .zip(all)
        .filter(|(_, wt)| **wt > 0.0)
        .map(|(&k, &wt)| (k, wt))
        .unzip();
    let fit = fit_cox(
        p,
        CoxRows {
            x: vec![p.exposure_column()],
            rows: Some(&rows),
            weights: Some(&weights),
            strata: None,
            variance: Variance::Robust,
        },
    );
    exposure_hr(scheme.method(), fit, p)
}

/// IPTW-weighted Cox model on the exposure alone, robust variance ([`weighted_cox`] with
/// [`Scheme::Iptw`]).
///
/// # Errors
/// As [`weighted_cox`].
pub fn iptw_cox(w: &Weighted) -> Result<HrEstimate, CohortError> {
    weighted_cox(w, Scheme::Iptw)
}

/// IPTW-weighted Cox model on the exposure and the usable propensity covariates (doubly
/// robust; a conditional hazard ratio), robust variance.
///
/// # Formula
/// As [`weighted_cox`] with `b' x_i` over the exposure and the covariates.
///
/// # Errors
/// As [`weighted_cox`].
pub fn iptw_adjusted_cox(w: &Weighted) -> Result<HrEstimate, CohortError> {
    let p = w.population;
    let fit = fit_cox(
        p,
        CoxRows {
            x: adjusted_columns(p),
            rows: Some(&w.fit.kept),
            weights: Some(&w.fit.weights),
            strata: None,
            variance: Variance::Robust,
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
