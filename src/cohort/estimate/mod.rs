//! The estimators run on every population (the whole analysed sample of a design, or one
//! subgroup level), one file each. Each takes one input struct and returns its typed result
//! (a part of [`PopulationResult`](super::result::PopulationResult)):
//!
//! | file | input | result |
//! |---|---|---|
//! | [`binary`] | [`Population`] | 28-day mortality by exposure, RR / RD / OR, E-value |
//! | [`survival_curves`] | [`Population`] | Kaplan-Meier curves, log-rank test, Aalen-Johansen cumulative incidence |
//! | [`cox_adjusted`] | [`Population`] | Cox HR unadjusted and adjusted for the propensity covariates (fixed or time-varying exposure) |
//! | [`propensity_fit`] | [`Population`] | the propensity model, trimming, IPTW weights, matched pairs, their summary |
//! | [`iptw`] | [`Weighted`] | weighted Cox HR (IPTW, doubly robust, overlap, matching weights, MMWS), IPTW Kaplan-Meier |
//! | [`matching`] | [`Weighted`] | Cox HR in matched pairs |
//! | [`ps_strata`] | [`Weighted`] | MMWS Cox HR; Cox stratified by propensity quintiles (J-Septic DIC replication) |
//! | [`balance_table`] | [`Weighted`] | SMD of each covariate before and after weighting and matching |
//! | [`risks`] | [`Population`] / [`Weighted`] | risks at the horizon per arm, RD, NNT: crude, g-formula, IPTW Kaplan-Meier (bootstrap) |
//! | [`ph_tests`] | [`Population`] / [`Weighted`] | `cox.zph` of the adjusted and the IPTW Cox models |
//! | [`interaction`] | [`interaction::InteractionInput`] | Wald test of exposure x subgroup |
//!
//! [`population`] runs them in order on one population and turns each failure into a note (a
//! missing estimate is always explained); estimators never look at the plan, only at
//! [`EstimateOptions`].
//!
//! Cost: each Cox fit is O(n log n + n p^2) per Newton-Raphson step (`stats::cox`), a population
//! runs up to nine of them plus the propensity logistic fit and the matching (O(n log n)), and
//! in the primary design the risks: `1 + bootstrap` logistic fits for the g-formula and as many
//! propensity refits and weighted curves for IPTW (the replicates in parallel); a design
//! analyses its whole sample and every level of every subgroup.

pub mod balance_table;
pub mod binary;
pub mod cox_adjusted;
pub mod harm;
pub mod interaction;
pub mod iptw;
pub mod matching;
pub mod modifier;
pub mod ph_tests;
pub mod population;
pub mod propensity_fit;
pub mod ps_strata;
pub mod risks;
pub mod survival_curves;

use crate::stats::cox::{coxph, CoxData, CoxFit, CoxOptions};
use crate::stats::StatsError;

use super::balance::{e_value, EffectMeasure};
use super::landmark::{CountingProcess, Design};
use super::outcome::Discharge;
use super::outcome::OutcomeKind;
use super::plan::BootstrapMethod;
use super::propensity::{Estimand, MatchOrder};
use super::result::{HrEstimate, HrMethod};
use super::valid_plan::{Trim, ValidPlan};
use super::CohortError;
use propensity_fit::PropensityFit;

/// The options every estimator may need, from the checked plan.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EstimateOptions {
    /// Confidence level of every interval.
    pub conf_level: f64,
    pub estimand: Estimand,
    pub stabilised: bool,
    pub trim: Option<Trim>,
    /// Matching caliper in standard deviations of the logit of the score.
    pub caliper_sd: f64,
    pub match_order: MatchOrder,
    /// Number of propensity-score strata of MMWS.
    pub strata: usize,
    /// Also the Cox model stratified by propensity quintiles (J-Septic DIC replication).
    pub quintile_replication: bool,
    /// The outcome horizon, days since admission.
    pub horizon: i32,
    pub discharge: Discharge,
    /// Bootstrap replicates of the risks (0: none), how they re-estimate the models, and
    /// their seed.
    pub bootstrap: usize,
    pub bootstrap_method: BootstrapMethod,
    pub seed: u64,
}

impl EstimateOptions {
    pub fn from_plan(plan: &ValidPlan) -> EstimateOptions {
        let p = &plan.propensity;
        EstimateOptions {
            conf_level: plan.conf_level,
            estimand: p.estimand,
            stabilised: p.stabilised,
            trim: p.trim,
            caliper_sd: p.caliper_sd,
            match_order: p.match_order,
            strata: p.strata,
            quintile_replication: p.quintile_replication,
            horizon: plan.horizon,
            discharge: plan.discharge,
            bootstrap: plan.inference.bootstrap,
            bootstrap_method: plan.inference.bootstrap_method,
            seed: plan.inference.seed,
        }
    }
}

/// One population's data, gathered from the design's analysed sample (one entry per population
/// row, in sample order).
#[derive(Debug, Clone)]
pub struct Population<'a> {
    pub design: Design,
    pub exposed: Vec<bool>,
    /// Time to death from the design's origin and its event flag.
    pub time: Vec<f64>,
    pub event: Vec<bool>,
    /// Binary death by the horizon (`None` = unknown).
    pub dead: Vec<Option<bool>>,
    /// Competing-risks time and status (0 censored, 1 death, 2 discharge alive).
    pub cr_time: Vec<f64>,
    pub cr_status: Vec<u8>,
    /// Names of the covariate design-matrix columns (categorical columns as indicators).
    pub x_names: &'a [String],
    /// The covariate columns, by population row.
    pub x: Vec<Vec<f64>>,
    /// Time-varying design: the population's counting-process rows, `subject` = population row.
    pub counting: Option<CountingProcess>,
    /// The cluster of each population row for robust variances (`None`: none named, each
    /// patient its own).
    pub cluster: Option<Clusters>,
    /// Follow-up origin, days since admission (the landmark day, or 0).
    pub origin: f64,
    /// Whether the binary outcome is rare (overall risk among patients of known status < 15%):
    /// the E-value of a hazard ratio then reads it as a risk ratio.
    pub rare_outcome: bool,
    pub options: EstimateOptions,
}

impl Population<'_> {
    pub fn len(&self) -> usize {
        self.exposed.len()
    }
    pub fn is_empty(&self) -> bool {
        self.exposed.is_empty()
    }
    pub fn n_exposed(&self) -> usize {
        self.exposed.iter().filter(|e| **e).count()
    }
    /// The exposure as a 0/1 column.
    pub fn exposure_column(&self) -> Vec<f64> {
        self.exposed.iter().map(|&e| e as u8 as f64).collect()
    }
    /// The horizon on the follow-up scale (days since the origin).
    pub fn horizon_time(&self) -> f64 {
        f64::from(self.options.horizon) - self.origin
    }
}

/// The clusters of robust variances: one id per row (of a sample, or of a population).
#[derive(Debug, Clone, PartialEq)]
pub struct Clusters {
    /// The patient column.
    pub column: String,
    /// Cluster id by row (patients without a value get ids of their own).
    pub id: Vec<u32>,
}

impl Clusters {
    /// The clusters of the rows `rows`.
    pub fn pick(&self, rows: &[usize]) -> Clusters {
        Clusters {
            column: self.column.clone(),
            id: rows.iter().map(|&i| self.id[i]).collect(),
        }
    }
    /// Number of distinct clusters.
    pub fn count(&self) -> usize {
        let mut v = self.id.clone();
        v.sort_unstable();
        v.dedup();
        v.len()
    }
}

/// The variance a Cox model asks for; with clusters named by the plan every one of them becomes
/// the robust variance clustered by them (R `cluster()`).
#[derive(Debug, Clone, Copy)]
pub(crate) enum Variance<'a> {
    /// Model-based (inverse information).
    Model,
    /// Robust (sandwich), each patient its own cluster.
    Robust,
    /// Robust, clustered on these ids (by row of the fit: matched pairs).
    Pairs(&'a [u32]),
}

/// The robust flag, the cluster ids by fit row and the words for the variance, for a fit on the
/// population rows `rows` (all when `None`).
pub(crate) fn resolve_variance(
    p: &Population,
    rows: Option<&[usize]>,
    v: Variance,
) -> ResolvedVariance {
    if let Some(c) = &p.cluster {
        let ids = match rows {
            Some(r) => c.pick(r),
            None => c.clone(),
        };
        let k = ids.count();
        let text = format!(
            "robust (sandwich) variance clustered by {} ({k} clusters{})",
            c.column,
            if k > 1 {
                format!("; small-sample corrected, t on {} df", k - 1)
            } else {
                String::new()
            }
        );
        return ResolvedVariance {
            robust: true,
            cluster: Some(ids.id),
            text,
            clusters: Some(k),
        };
    }
    let (robust, cluster, text) = match v {
        Variance::Model => (false, None, "model-based variance".into()),
        Variance::Robust => (
            true,
            None,
            "robust (sandwich) variance, each patient a cluster".into(),
        ),
        Variance::Pairs(ids) => (
            true,
            Some(ids.to_vec()),
            "robust variance clustered on matched pairs".into(),
        ),
    };
    ResolvedVariance {
        robust,
        cluster,
        text,
        clusters: None,
    }
}

/// The variance a Cox fit uses: robust or not, the cluster of each row, the words for it, and
/// the number of clusters when they are the plan's cluster column (site), which gets the
/// small-sample correction of [`hr_estimate`].
pub(crate) struct ResolvedVariance {
    pub robust: bool,
    pub cluster: Option<Vec<u32>>,
    pub text: String,
    pub clusters: Option<usize>,
}

/// A population with its propensity model (input of the propensity-based estimators).
#[derive(Debug, Clone, Copy)]
pub struct Weighted<'a> {
    pub population: &'a Population<'a>,
    pub fit: &'a PropensityFit,
}

pub(crate) fn stats_err(context: &str) -> impl Fn(StatsError) -> CohortError + '_ {
    move |source| CohortError::Stats {
        context: context.to_string(),
        source,
    }
}

/// The rows of a Cox model on a population (fixed exposure).
pub(crate) struct CoxRows<'a> {
    pub x: Vec<Vec<f64>>,
    /// Population rows used (all when `None`).
    pub rows: Option<&'a [usize]>,
    pub weights: Option<&'a [f64]>,
    pub strata: Option<&'a [u32]>,
    pub variance: Variance<'a>,
}

/// A Cox fit, the words for its variance and the number of clusters of a variance clustered
/// by the plan's cluster column.
pub(crate) struct Fitted {
    pub fit: Result<CoxFit, StatsError>,
    pub variance: String,
    pub clusters: Option<usize>,
}

/// Fits a Cox model of time to death on `m.x` (covariate columns by population row) in the
/// population's rows `m.rows`, with the variance [`resolve_variance`] gives.
pub(crate) fn fit_cox(p: &Population, m: CoxRows) -> Fitted {
    let (t, e, x): (Vec<f64>, Vec<bool>, Vec<Vec<f64>>) = match m.rows {
        None => (p.time.clone(), p.event.clone(), m.x),
        Some(ix) => (
            ix.iter().map(|&k| p.time[k]).collect(),
            ix.iter().map(|&k| p.event[k]).collect(),
            m.x.iter()
                .map(|c| ix.iter().map(|&k| c[k]).collect())
                .collect(),
        ),
    };
    let v = resolve_variance(p, m.rows, m.variance);
    let fit = coxph(
        &CoxData {
            start: None,
            stop: &t,
            event: &e,
            x: &x,
            strata: m.strata,
            weights: m.weights,
            cluster: v.cluster.as_deref(),
        },
        &cox_options(v.robust),
    );
    Fitted {
        fit,
        variance: v.text,
        clusters: v.clusters,
    }
}

pub(crate) fn cox_options(robust: bool) -> CoxOptions {
    CoxOptions {
        robust,
        ..Default::default()
    }
}

/// The Wald interval and p value of coefficient `k` of a Cox fit on the ratio scale, with the
/// few-clusters correction of [`hr_estimate`] when `clusters = Some(G)` and the fit is robust.
pub(crate) struct WaldExp {
    /// The standard error used (corrected when clustered by few clusters).
    pub se: f64,
    pub lower: f64,
    pub upper: f64,
    pub p: f64,
}

/// A Wald chi-square `wald` on `df` with the few-clusters correction when `clusters = Some(G)`,
/// `G > 1`: `F = wald (G - 1) / (G df)` referred to `F(df, G - 1)` (Cameron and Miller 2015; the
/// multi-term form of [`hr_estimate`]'s); otherwise the chi-square itself.
pub(crate) fn few_clusters_wald(
    wald: f64,
    df: usize,
    clusters: Option<usize>,
) -> super::benefit_result::WaldTest {
    match clusters.filter(|&g| g > 1) {
        Some(g) => {
            let f = wald * (g as f64 - 1.0) / (g as f64 * df as f64);
            super::benefit_result::WaldTest {
                statistic: f,
                df,
                df_denominator: Some(g - 1),
                p: crate::stats::dist::pf_upper(f, df as f64, g as f64 - 1.0),
            }
        }
        None => super::benefit_result::WaldTest {
            statistic: wald,
            df,
            df_denominator: None,
            p: crate::stats::dist::pchisq_upper(wald, df as f64),
        },
    }
}

/// [`WaldExp`] of coefficient `k` (formula at [`hr_estimate`]).
pub(crate) fn wald_exp(fit: &CoxFit, k: usize, clusters: Option<usize>, conf: f64) -> WaldExp {
    let robust = fit.robust_se.is_some();
    let se = fit.robust_se.as_ref().map_or(fit.se[k], |r| r[k]);
    let few = clusters.filter(|&g| g > 1 && robust);
    let se = few.map_or(se, |g| se * (g as f64 / (g as f64 - 1.0)).sqrt());
    let q = match few {
        Some(g) => crate::stats::dist::qt_upper((1.0 - conf) / 2.0, g as f64 - 1.0),
        None => crate::stats::dist::z_two_sided(conf),
    };
    let b = fit.coef[k];
    WaldExp {
        se,
        lower: (b - q * se).exp(),
        upper: (b + q * se).exp(),
        p: match few {
            Some(g) => crate::stats::dist::p_t_two_sided(b / se, g as f64 - 1.0),
            None => crate::stats::dist::pchisq_upper((b / se).powi(2), 1.0),
        },
    }
}

/// The exposure hazard ratio (the first coefficient) of a fit.
///
/// # Formula
/// `HR = exp(b)`, interval `exp(b -/+ z se)` with `z` the normal quantile of the confidence
/// level and `se` the robust standard error when the fit has one; `p` from the Wald statistic
/// `(b / se)^2` on 1 df; E-value of the HR (rare outcome: as a risk ratio).
///
/// With `clusters = Some(G)` (a variance clustered by the plan's cluster column, e.g. 12
/// sites), the few-clusters correction of Cameron and Miller (2015): the sandwich variance
/// times `G / (G - 1)` and `t` quantiles and p values on `G - 1` degrees of freedom instead of
/// `z`. Differs from R's `coxph(cluster = )` on purpose: with 12 clusters the uncorrected
/// z-interval covered the planted truth in only 86-94% of replicates
/// (`scripts/replicate.py`), as expected from a variance estimated from 12 cluster totals.
pub(crate) fn hr_estimate(
    method: HrMethod,
    fit: &CoxFit,
    (variance, clusters): (&str, Option<usize>),
    o: &EstimateOptions,
    rare: bool,
) -> HrEstimate {
    let robust = fit.robust_se.is_some();
    let coef = fit.coef[0];
    let w = wald_exp(fit, 0, clusters, o.conf_level);
    let (se, hr, lower, upper) = (w.se, coef.exp(), w.lower, w.upper);
    HrEstimate {
        method,
        label: format!("{}, {variance}", method.label(o.estimand, o.strata)),
        estimator: method.label(o.estimand, o.strata).to_string(),
        adjustment: method.adjustment(),
        contrast: method.contrast(o.estimand).to_string(),
        variance: variance.to_string(),
        outcome: OutcomeKind::TimeToDeath,
        hr,
        lower,
        upper,
        coef,
        se,
        robust,
        p: w.p,
        n: fit.n,
        n_event: fit.n_event,
        e_value: e_value(
            hr,
            lower,
            upper,
            EffectMeasure::HazardRatio { rare_outcome: rare },
        ),
    }
}

/// The exposure HR of a fit, or why there is none: the fit failed, or the exposure coefficient
/// diverges (R's "coefficient may be infinite" flag AND a likelihood still rising along it,
/// [`CoxFit::diverges`]). R's flag alone, which also fires for a coefficient close to 0 (a null
/// effect), keeps the estimate, as R does.
pub(crate) fn exposure_hr(
    method: HrMethod,
    fitted: Fitted,
    p: &Population,
) -> Result<HrEstimate, CohortError> {
    let what = format!("{method:?} Cox");
    match fitted.fit {
        Ok(f) if f.diverges.first() == Some(&true) => Err(CohortError::NotEstimable {
            what,
            reason: "the exposure coefficient diverges (monotone likelihood, e.g. no deaths in \
                     one arm): no finite hazard ratio"
                .into(),
        }),
        Ok(f) if f.coef[0].is_finite() => Ok(hr_estimate(
            method,
            &f,
            (&fitted.variance, fitted.clusters),
            &p.options,
            p.rare_outcome,
        )),
        Ok(_) => Err(CohortError::NotEstimable {
            what,
            reason: "exposure coefficient not estimable".into(),
        }),
        Err(e) => Err(stats_err(&what)(e)),
    }
}

/// Covariate columns fit for an adjusted Cox model in this population: not constant, and for a
/// 0/1 indicator, events among both its 1s and its 0s (else the coefficient diverges).
pub(crate) fn usable_columns(x: &[Vec<f64>], event: &[bool]) -> Vec<usize> {
    (0..x.len())
        .filter(|&j| {
            let c = &x[j];
            if c.iter().all(|v| *v == c[0]) {
                return false;
            }
            if c.iter().all(|v| *v == 0.0 || *v == 1.0) {
                let ev1 = c
                    .iter()
                    .zip(event)
                    .filter(|(v, e)| **v == 1.0 && **e)
                    .count();
                let ev0 = c
                    .iter()
                    .zip(event)
                    .filter(|(v, e)| **v == 0.0 && **e)
                    .count();
                return ev1 > 0 && ev0 > 0;
            }
            true
        })
        .collect()
}

/// The exposure column followed by the usable covariate columns (by population row).
pub(crate) fn adjusted_columns(p: &Population) -> Vec<Vec<f64>> {
    let mut x = vec![p.exposure_column()];
    x.extend(
        usable_columns(&p.x, &p.event)
            .iter()
            .map(|&j| p.x[j].clone()),
    );
    x
}

/// The note saying which covariates the adjusted models leave out, if any.
pub(crate) fn dropped_note(p: &Population) -> Option<String> {
    let usable = usable_columns(&p.x, &p.event);
    let dropped: Vec<&str> = (0..p.x_names.len())
        .filter(|j| !usable.contains(j))
        .map(|j| p.x_names[j].as_str())
        .collect();
    (!dropped.is_empty()).then(|| {
        format!(
            "adjusted models leave out {} (constant, or an indicator without events on one side)",
            dropped.join(", ")
        )
    })
}
