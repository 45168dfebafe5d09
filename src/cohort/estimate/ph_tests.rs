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
    let terms = factor_terms(&fit.names);
    let test = cox_zph(&data, &fit, ZphTransform::Km, Some(&terms))
        .map_err(stats_err("proportional-hazards test"))?;
    Ok(PhTest {
        method,
        model: model.to_string(),
        test,
    })
}

/// The terms of `cox.zph`: the dummy columns of one factor (`site_id=J02`, `site_id=J03`, ...,
/// as [`crate::stats::frame`] names them) are one term named after the factor, tested on as
/// many degrees of freedom as it has columns (as R's `cox.zph` tests a factor); every other
/// column is its own term.
pub(crate) fn factor_terms(names: &[String]) -> Vec<(String, Vec<usize>)> {
    // (term, columns, is a factor): a plain column never absorbs a factor's dummies.
    let mut terms: Vec<(String, Vec<usize>, bool)> = Vec::new();
    for (j, n) in names.iter().enumerate() {
        let factor = n.split_once('=').map(|(f, _)| f);
        match terms
            .iter_mut()
            .find(|(t, _, is_f)| *is_f && factor == Some(t.as_str()))
        {
            Some((_, cols, _)) => cols.push(j),
            None => terms.push((factor.unwrap_or(n).to_string(), vec![j], factor.is_some())),
        }
    }
    terms.into_iter().map(|(t, cols, _)| (t, cols)).collect()
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

#[cfg(test)]
mod tests {
    use super::factor_terms;

    #[test]
    fn a_factor_s_dummies_are_one_term() {
        let names: Vec<String> = [
            "exposure",
            "age",
            "site_id=J02",
            "site_id=J03",
            "sex",
            "sex=F",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        assert_eq!(
            factor_terms(&names),
            vec![
                ("exposure".to_string(), vec![0]),
                ("age".to_string(), vec![1]),
                ("site_id".to_string(), vec![2, 3]),
                ("sex".to_string(), vec![4]),
                ("sex".to_string(), vec![5]),
            ]
        );
    }
}
