//! Tests of proportional hazards: R `cox.zph(fit, transform = "km")` (`stats::zph`, checked
//! against R) of the covariate-adjusted Cox model (a term per covariate column, and the global
//! test) and of the IPTW-weighted Cox model of the exposure (weights as case weights, as
//! `cox.zph` uses them; robust variance plays no part in the test). Fixed-exposure designs only.

use super::super::result::{HrMethod, PhTest};
use super::super::CohortError;
use super::{adjusted_columns, cox_options, stats_err, usable_columns, Population, Weighted};
use crate::stats::cox::{coxph, CoxData, CoxOptions};
use crate::stats::zph::{cox_zph, ZphTransform};

fn test(
    method: HrMethod,
    model: &str,
    rows: &[usize],
    weights: Option<&[f64]>,
    x: Vec<Vec<f64>>,
    names: Vec<String>,
    p: &Population,
) -> Result<PhTest, CohortError> {
    let t: Vec<f64> = rows.iter().map(|&k| p.time[k]).collect();
    let e: Vec<bool> = rows.iter().map(|&k| p.event[k]).collect();
    let x: Vec<Vec<f64>> = x
        .iter()
        .map(|c| rows.iter().map(|&k| c[k]).collect())
        .collect();
    let data = CoxData {
        start: None,
        stop: &t,
        event: &e,
        x: &x,
        strata: None,
        weights,
        cluster: None,
    };
    let fit = coxph(
        &data,
        &CoxOptions {
            names: Some(names),
            ..cox_options(false)
        },
    )
    .map_err(stats_err("proportional-hazards test"))?;
    let test = cox_zph(&data, &fit, ZphTransform::Km, None)
        .map_err(stats_err("proportional-hazards test"))?;
    Ok(PhTest {
        method,
        model: model.to_string(),
        test,
    })
}

/// `cox.zph` of the Cox model of time to death on the exposure and the usable propensity
/// covariates.
///
/// # Errors
/// [`CohortError::Stats`] when the model or the test cannot be computed.
pub fn covariate_adjusted(p: &Population) -> Result<PhTest, CohortError> {
    let mut names = vec!["exposure".to_string()];
    names.extend(
        usable_columns(&p.x, &p.event)
            .into_iter()
            .map(|j| p.x_names[j].clone()),
    );
    let rows: Vec<usize> = (0..p.len()).collect();
    test(
        HrMethod::CovariateAdjusted,
        "Cox adjusted for the propensity covariates",
        &rows,
        None,
        adjusted_columns(p),
        names,
        p,
    )
}

/// `cox.zph` of the IPTW-weighted Cox model of time to death on the exposure.
///
/// # Errors
/// As [`covariate_adjusted`].
pub fn iptw(w: &Weighted) -> Result<PhTest, CohortError> {
    let p = w.population;
    test(
        HrMethod::Iptw,
        "Cox weighted by stabilised IPTW",
        &w.fit.kept,
        Some(&w.fit.weights),
        vec![p.exposure_column()],
        vec!["exposure".into()],
        p,
    )
}
