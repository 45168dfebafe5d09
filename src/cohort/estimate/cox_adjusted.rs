//! Cox hazard ratios of exposure on time to death without propensity scores: exposure only, and
//! adjusted for the propensity covariates (main effects; covariates constant in the population
//! or indicators without events on one side are left out and named in a note). Landmark and
//! naive designs: exposure fixed at the origin. Time-varying design: the counting-process rows
//! `(start, stop]`, exposure switching on when it becomes effective (R
//! `coxph(Surv(start, stop, event) ~ exposed + ...)`), model-based variance. Fits by
//! `stats::cox` (Efron ties, checked against R `survival::coxph`).

use super::super::result::{HrEstimate, HrMethod};
use super::super::CohortError;
use super::{
    adjusted_columns, cox_options, exposure_hr, fit_cox, resolve_variance, usable_columns, CoxRows,
    Fitted, Population, Variance,
};
use crate::stats::cox::{coxph, CoxData};

/// Cox model of time to death on the exposure alone (fixed exposure).
///
/// # Formula
/// Partial likelihood `prod_i [exp(b x_i) / sum_{j in R(t_i)} exp(b x_j)]` (Efron ties),
/// `HR = exp(b)`, model-based variance.
///
/// # Errors
/// [`CohortError::Stats`] when the fit fails, [`CohortError::NotEstimable`] when the exposure
/// coefficient is not finite (e.g. no deaths in one arm).
pub fn unadjusted(p: &Population) -> Result<HrEstimate, CohortError> {
    let fit = fit_cox(
        p,
        CoxRows {
            x: vec![p.exposure_column()],
            rows: None,
            weights: None,
            strata: None,
            variance: Variance::Model,
        },
    );
    exposure_hr(HrMethod::Unadjusted, fit, p)
}

/// Cox model on the exposure and the usable propensity covariates (fixed exposure): a
/// conditional hazard ratio.
///
/// # Formula
/// As [`unadjusted`] with `b' x_i` over the exposure and the covariates; the HR is `exp` of the
/// exposure coefficient.
///
/// # Errors
/// As [`unadjusted`].
pub fn covariate_adjusted(p: &Population) -> Result<HrEstimate, CohortError> {
    let fit = fit_cox(
        p,
        CoxRows {
            x: adjusted_columns(p),
            rows: None,
            weights: None,
            strata: None,
            variance: Variance::Model,
        },
    );
    exposure_hr(HrMethod::CovariateAdjusted, fit, p)
}

/// Time-varying design: the Cox model on the counting-process rows, exposure only
/// (`adjusted = false`) or with the usable propensity covariates (`adjusted = true`).
///
/// # Formula
/// As [`unadjusted`] over the risk sets of `(start, stop]` rows, exposure the row's
/// time-varying value.
///
/// # Errors
/// [`CohortError::InvalidInput`] without counting-process rows; as [`unadjusted`] otherwise.
pub fn time_varying(p: &Population, adjusted: bool) -> Result<HrEstimate, CohortError> {
    let method = if adjusted {
        HrMethod::CovariateAdjusted
    } else {
        HrMethod::Unadjusted
    };
    let cp = p.counting.as_ref().ok_or_else(|| {
        CohortError::InvalidInput("time-varying Cox without counting-process rows".into())
    })?;
    let mut x = vec![cp.exposed.clone()];
    if adjusted {
        for u in usable_columns(&p.x, &p.event) {
            x.push(cp.subject.iter().map(|&s| p.x[u][s]).collect());
        }
    }
    let ev: Vec<bool> = cp.event.iter().map(|e| *e == 1.0).collect();
    // rows of one patient share its cluster (the plan's cluster column); without one, the
    // model-based variance as before
    let subjects: Vec<usize> = cp.subject.clone();
    let v = resolve_variance(p, Some(&subjects), Variance::Model);
    let fit = coxph(
        &CoxData {
            start: Some(&cp.start),
            stop: &cp.stop,
            event: &ev,
            x: &x,
            strata: None,
            weights: None,
            cluster: v.cluster.as_deref(),
        },
        &cox_options(v.robust),
    );
    let fitted = Fitted {
        fit,
        variance: v.text,
        clusters: v.clusters,
    };
    let mut est = exposure_hr(method, fitted, p)?;
    est.label = format!("{} (time-varying exposure, (start, stop])", est.label);
    est.estimator = format!("{} (time-varying exposure, (start, stop])", est.estimator);
    Ok(est)
}
