//! The propensity model of one population and everything built on it before any outcome is
//! looked at: a logistic model of exposure on the covariate columns (main effects, R
//! `glm(family = binomial)`, checked in `stats::logistic`), optional trimming, the IPTW weights,
//! 1:1 caliper matching on the logit of the score (`super::super::propensity`, checked against
//! R `MatchIt`) and the summary the report shows (coefficients, c-statistic, score quantiles by
//! arm, largest weight, effective sample sizes, pairs).

use super::super::propensity::{iptw_weights, logit, match_nearest, quantile_type7, trim_mask};
use super::super::result::PropensitySummary;
use super::super::CohortError;
use super::{stats_err, Population};
use crate::stats::logistic::{logistic_regression, LogisticOptions};

/// The propensity model of one population.
#[derive(Debug, Clone)]
pub struct PropensityFit {
    pub summary: PropensitySummary,
    /// Population rows kept after trimming, their scores and weights.
    pub kept: Vec<usize>,
    pub ps: Vec<f64>,
    pub weights: Vec<f64>,
    /// Matched pairs (treated, control) as population rows.
    pub pairs: Vec<(usize, usize)>,
}

/// Fits the propensity model on the population's covariate columns. Columns constant in the
/// population are left out (no information, and aliased with the intercept).
///
/// # Formula
/// `logit P(T = 1 | x) = a + b' x` by maximum likelihood; weights as
/// [`iptw_weights`] after trimming to `[lower, upper]`; matching on `logit(e)` within
/// `caliper_sd` standard deviations; Kish effective sample size `(sum w)^2 / sum w^2` per arm.
///
/// # Errors
/// [`CohortError::Stats`] when the logistic model fails, [`CohortError::InvalidInput`] when a
/// score is 0 or 1 (separation) or the weights or matching cannot be computed.
pub fn fit_propensity(p: &Population) -> Result<PropensityFit, CohortError> {
    let o = &p.options;
    let x = &p.x;
    let used: Vec<usize> = (0..x.len())
        .filter(|&j| x[j].iter().any(|v| *v != x[j][0]))
        .collect();
    let names: Vec<String> = used.iter().map(|&j| p.x_names[j].clone()).collect();
    let xu: Vec<Vec<f64>> = used.iter().map(|&j| x[j].clone()).collect();
    let y: Vec<f64> = p
        .exposed
        .iter()
        .map(|&e| if e { 1.0 } else { 0.0 })
        .collect();
    let fit = logistic_regression(
        &y,
        &xu,
        None,
        &LogisticOptions {
            names: Some(names.clone()),
            ..Default::default()
        },
    )
    .map_err(stats_err("propensity model"))?;
    let ps_all = fit.fitted.clone();
    let mask = trim_mask(&ps_all, o.trim.map(|t| t.as_array()));
    let kept: Vec<usize> = (0..p.len()).filter(|&k| mask[k]).collect();
    let ps: Vec<f64> = kept.iter().map(|&k| ps_all[k]).collect();
    let t: Vec<bool> = kept.iter().map(|&k| y[k] == 1.0).collect();
    if ps.iter().any(|e| !(*e > 0.0 && *e < 1.0)) {
        return Err(CohortError::InvalidInput(
            "propensity scores of 0 or 1 (separation): use trimming or fewer covariates".into(),
        ));
    }
    let weights = iptw_weights(&ps, &t, o.estimand, o.stabilised)?;
    let dist: Vec<f64> = ps.iter().map(|&e| logit(e)).collect();
    let m = match_nearest(&dist, &t, Some(o.caliper_sd))?;
    let ess = |g: bool| {
        let (s, s2) = weights
            .iter()
            .zip(&t)
            .filter(|(_, tt)| **tt == g)
            .fold((0.0, 0.0), |(a, b), (w, _)| (a + w, b + w * w));
        s * s / s2
    };
    let probs = [0.0, 0.05, 0.25, 0.5, 0.75, 0.95, 1.0];
    let arm = |g: bool| -> Vec<f64> {
        let v: Vec<f64> = ps
            .iter()
            .zip(&t)
            .filter(|(_, tt)| **tt == g)
            .map(|(e, _)| *e)
            .collect();
        quantile_type7(&v, &probs)
    };
    let summary = PropensitySummary {
        covariates: std::iter::once("(Intercept)".to_string())
            .chain(names)
            .collect(),
        coef: fit.coef.clone(),
        se: fit.se.clone(),
        c_statistic: c_statistic(&ps, &t),
        n_trimmed: p.len() - kept.len(),
        ps_quantiles_exposed: arm(true),
        ps_quantiles_unexposed: arm(false),
        weight_max: weights.iter().cloned().fold(0.0, f64::max),
        ess_exposed: ess(true),
        ess_unexposed: ess(false),
        n_pairs: m.pairs.len(),
        n_treated_unmatched: m.n_treated_unmatched,
        caliper_logit: m.caliper,
    };
    Ok(PropensityFit {
        summary,
        pairs: m.pairs.iter().map(|&(a, b)| (kept[a], kept[b])).collect(),
        kept,
        ps,
        weights,
    })
}

/// Concordance (AUC) of scores `s` for the flags `t`.
///
/// # Formula
/// The Mann-Whitney statistic `(R1 - n1 (n1 + 1) / 2) / (n1 n0)`, `R1` the sum of the mid-ranks
/// of the positives (ties count one half).
pub fn c_statistic(s: &[f64], t: &[bool]) -> f64 {
    let mut idx: Vec<usize> = (0..s.len()).collect();
    idx.sort_by(|&a, &b| s[a].total_cmp(&s[b]));
    let n1 = t.iter().filter(|x| **x).count() as f64;
    let n0 = s.len() as f64 - n1;
    // Sum of mid-ranks of the positives.
    let mut rank_sum = 0.0;
    let mut i = 0;
    while i < idx.len() {
        let mut j = i;
        while j + 1 < idx.len() && s[idx[j + 1]] == s[idx[i]] {
            j += 1;
        }
        let mid = (i + j) as f64 / 2.0 + 1.0;
        for &k in &idx[i..=j] {
            if t[k] {
                rank_sum += mid;
            }
        }
        i = j + 1;
    }
    (rank_sum - n1 * (n1 + 1.0) / 2.0) / (n1 * n0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn c_statistic_by_hand() {
        // Pairs (pos, neg): 0.9>0.1, 0.9>0.5, 0.5=0.5 (1/2), 0.5>0.1 -> 3.5 / 4.
        let s = [0.9, 0.5, 0.5, 0.1];
        let t = [true, true, false, false];
        assert!((c_statistic(&s, &t) - 0.875).abs() < 1e-15);
    }
}
