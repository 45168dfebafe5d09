//! The propensity model of one population and everything built on it before any outcome is
//! looked at: a logistic model of exposure on the covariate columns (main effects, R
//! `glm(family = binomial)`, checked in `stats::logistic`), optional trimming, the IPTW, overlap,
//! matching and MMWS weights, 1:1 caliper matching on the logit of the score
//! (`super::super::propensity`, checked against a hand-written R matcher) and the summary the
//! report shows (coefficients, c-statistic, score quantiles and histogram by arm, largest weight,
//! effective sample sizes per arm under each set of weights, pairs).

use super::super::plan::BootstrapMethod;
use super::super::propensity::{
    iptw_weights, logit, match_greedy, matching_weights, mmws_weights, overlap_weights,
    quantile_strata, quantile_type7, trim_mask, Estimand, MatchOrder,
};
use super::super::result::{EffectiveSampleSize, PropensitySummary, PsHistogram};
use super::super::CohortError;
use super::iptw::Scheme;
use super::{stats_err, Population};
use crate::stats::logistic::{logistic_regression, LogisticDesign, LogisticFit, LogisticOptions};

/// The propensity model of one population.
#[derive(Debug, Clone)]
pub struct PropensityFit {
    pub summary: PropensitySummary,
    /// Population rows kept after trimming, their scores and weights.
    pub kept: Vec<usize>,
    pub ps: Vec<f64>,
    /// Stabilised IPTW weights (by kept row).
    pub weights: Vec<f64>,
    /// Overlap, matching and MMWS weights (by kept row; MMWS 0 in strata lacking an arm).
    pub overlap: Vec<f64>,
    pub matching: Vec<f64>,
    pub mmws: Vec<f64>,
    /// Matched pairs (treated, control) as population rows.
    pub pairs: Vec<(usize, usize)>,
}

impl PropensityFit {
    /// The weights of `scheme`, by kept row.
    pub fn scheme_weights(&self, scheme: Scheme) -> &[f64] {
        match scheme {
            Scheme::Iptw => &self.weights,
            Scheme::Overlap => &self.overlap,
            Scheme::Matching => &self.matching,
            Scheme::Strata => &self.mmws,
        }
    }
}

/// Bins of the propensity histogram.
pub const HISTOGRAM_BINS: usize = 20;

/// The scores by arm in `HISTOGRAM_BINS` equal bins on [0, 1] (a score on an inner edge goes to
/// the bin above it; 1 to the last bin).
pub fn ps_histogram(ps: &[f64], t: &[bool]) -> PsHistogram {
    let k = HISTOGRAM_BINS;
    let mut h = PsHistogram {
        edges: (0..=k).map(|j| j as f64 / k as f64).collect(),
        exposed: vec![0; k],
        unexposed: vec![0; k],
    };
    for (&e, &tt) in ps.iter().zip(t) {
        let b = ((e * k as f64).floor() as usize).min(k - 1);
        if tt {
            h.exposed[b] += 1;
        } else {
            h.unexposed[b] += 1;
        }
    }
    h
}

/// Kish effective sample size `(sum w)^2 / sum w^2` of arm `g`.
fn kish(w: &[f64], t: &[bool], g: bool) -> f64 {
    let (s, s2) = w
        .iter()
        .zip(t)
        .filter(|(_, tt)| **tt == g)
        .fold((0.0, 0.0), |(a, b), (w, _)| (a + w, b + w * w));
    s * s / s2
}

/// The columns of the propensity model: those not constant in the population.
fn model_columns(p: &Population) -> Vec<usize> {
    let x = &p.x;
    (0..x.len())
        .filter(|&j| x[j].iter().any(|v| *v != x[j][0]))
        .collect()
}

/// The exposure as 0/1 outcome of the propensity model.
fn exposure_outcome(p: &Population) -> Vec<f64> {
    p.exposed
        .iter()
        .map(|&e| if e { 1.0 } else { 0.0 })
        .collect()
}

/// The propensity model laid out once for bootstrap replicates: each replicate re-estimates it
/// with the replicate's counts as frequency weights, by one linear step of its estimating
/// equations from the full-sample fit (the estimating-function bootstrap) or by IRLS from the
/// full-sample coefficients (`inference.bootstrap_method`).
pub struct PsResampler {
    design: LogisticDesign,
    y: Vec<f64>,
    full: LogisticFit,
    start: Vec<f64>,
}

impl PsResampler {
    /// # Errors
    /// As [`fit_propensity`].
    pub fn new(p: &Population) -> Result<PsResampler, CohortError> {
        let used = model_columns(p);
        let xu: Vec<Vec<f64>> = used.iter().map(|&j| p.x[j].clone()).collect();
        let design =
            LogisticDesign::new(p.len(), &xu, None).map_err(stats_err("propensity model"))?;
        let y = exposure_outcome(p);
        let fit = design
            .fit(&y, None, None, &LogisticOptions::default())
            .map_err(stats_err("propensity model"))?;
        let start = fit
            .coef
            .iter()
            .map(|c| if c.is_finite() { *c } else { 0.0 })
            .collect();
        Ok(PsResampler {
            design,
            y,
            full: fit,
            start,
        })
    }

    /// The IPTW weights of a bootstrap replicate (`counts`: how often each population row was
    /// drawn): the propensity model re-estimated with the counts as frequency weights, trimmed and
    /// weighted as [`fit_propensity`] does, times the counts (0 for rows not drawn or trimmed).
    ///
    /// # Errors
    /// As [`fit_propensity`].
    pub fn weights(&self, p: &Population, counts: &[u32]) -> Result<Vec<f64>, CohortError> {
        let o = &p.options;
        let y = &self.y;
        let f: Vec<f64> = counts.iter().map(|&c| f64::from(c)).collect();
        let fitted: Vec<f64> = match o.bootstrap_method {
            BootstrapMethod::Refit => {
                self.design
                    .fit(y, Some(&f), Some(&self.start), &LogisticOptions::default())
                    .map_err(stats_err("propensity model"))?
                    .fitted
            }
            BootstrapMethod::Linearised => {
                let b = self.design.linearised_replicate(&self.full, y, counts);
                self.design
                    .linear_predictor(&b)
                    .iter()
                    .map(|&e| 1.0 / (1.0 + (-e).exp()))
                    .collect()
            }
        };
        let mask = trim_mask(&fitted, o.trim.map(|t| t.as_array()));
        let (mut n, mut n1) = (0.0, 0.0);
        for i in 0..p.len() {
            if mask[i] {
                n += f[i];
                n1 += f[i] * y[i];
            }
        }
        let p1 = n1 / n;
        let (s1, s0) = if o.stabilised {
            (p1, 1.0 - p1)
        } else {
            (1.0, 1.0)
        };
        let mut w = vec![0.0; p.len()];
        for i in 0..p.len() {
            let e = fitted[i];
            if f[i] == 0.0 || !mask[i] {
                continue;
            }
            if !(e > 0.0 && e < 1.0) {
                return Err(CohortError::InvalidInput(
                    "propensity scores of 0 or 1 in a bootstrap replicate".into(),
                ));
            }
            let t = p.exposed[i];
            w[i] = f[i]
                * match o.estimand {
                    Estimand::Ate => {
                        if t {
                            s1 / e
                        } else {
                            s0 / (1.0 - e)
                        }
                    }
                    Estimand::Att => {
                        if t {
                            1.0
                        } else {
                            e / (1.0 - e)
                        }
                    }
                };
        }
        Ok(w)
    }
}

/// Fits the propensity model on the population's covariate columns. Columns constant in the
/// population are left out (no information, and aliased with the intercept).
///
/// # Formula
/// `logit P(T = 1 | x) = a + b' x` by maximum likelihood; weights as [`iptw_weights`],
/// [`overlap_weights`], [`matching_weights`] and [`mmws_weights`] after trimming to
/// `[lower, upper]`; matching on `logit(e)` within `caliper_sd` standard deviations; Kish
/// effective sample size `(sum w)^2 / sum w^2` per arm.
///
/// # Errors
/// [`CohortError::Stats`] when the logistic model fails, [`CohortError::InvalidInput`] when a
/// score is 0 or 1 (separation) or the weights or matching cannot be computed.
pub fn fit_propensity(p: &Population) -> Result<PropensityFit, CohortError> {
    let o = &p.options;
    let x = &p.x;
    let used = model_columns(p);
    let names: Vec<String> = used.iter().map(|&j| p.x_names[j].clone()).collect();
    let xu: Vec<Vec<f64>> = used.iter().map(|&j| x[j].clone()).collect();
    let y = exposure_outcome(p);
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
    let overlap = overlap_weights(&ps, &t);
    let matching = matching_weights(&ps, &t);
    let strata = quantile_strata(&ps, o.strata);
    let (mmws, n_mmws_dropped) = mmws_weights(&strata, &t, o.strata, o.estimand);
    let dist: Vec<f64> = ps.iter().map(|&e| logit(e)).collect();
    let m = match_greedy(&dist, &t, Some(o.caliper_sd), o.match_order)?;
    let ess = |g: bool| kish(&weights, &t, g);
    let n1 = t.iter().filter(|x| **x).count();
    let ess_rows: Vec<EffectiveSampleSize> = [
        ("iptw", &weights),
        ("overlap", &overlap),
        ("matching", &matching),
        ("mmws", &mmws),
    ]
    .into_iter()
    .map(|(name, w)| EffectiveSampleSize {
        weights: name.into(),
        exposed: kish(w, &t, true),
        unexposed: kish(w, &t, false),
        n_exposed: n1,
        n_unexposed: t.len() - n1,
    })
    .collect();
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
        ess: ess_rows,
        n_pairs: m.pairs.len(),
        n_treated_unmatched: m.n_treated_unmatched,
        caliper_logit: m.caliper,
        match_order: match o.match_order {
            MatchOrder::Closest => "closest".into(),
            MatchOrder::Largest => "largest".into(),
        },
        n_mmws_dropped,
        histogram: ps_histogram(&ps, &t),
    };
    Ok(PropensityFit {
        summary,
        pairs: m.pairs.iter().map(|&(a, b)| (kept[a], kept[b])).collect(),
        kept,
        ps,
        weights,
        overlap,
        matching,
        mmws,
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
