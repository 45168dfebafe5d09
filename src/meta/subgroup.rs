//! Subgroup analysis: each subgroup pooled separately (its own tau^2) and the test of subgroup
//! differences.
//!
//! The between-subgroup statistic is Cochran's Q of the G subgroup estimates with weights
//! `1 / se_g^2` and G - 1 df: `Q_b = sum((b_g - b_bar)^2 / se_g^2)`, i.e. R
//! `rma(yi = b_g, sei = se_g, method = "FE")$QE` over the subgroup fits — the "test for subgroup
//! differences" of RevMan and of `meta` (random effects with separate tau^2). For the
//! inverse-variance fixed-effect method it equals metafor's `QM` of
//! `rma(yi, vi, mods = ~ factor(subgroup), method = "FE")`.

use serde::Serialize;

use super::effect::Measure;
use super::TwoByTwo;
use super::{meta_analysis, MetaAnalysis, MetaError, MetaOptions};
use crate::stats::dist;

/// One subgroup's analysis.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Subgroup {
    pub label: String,
    /// Number of input rows in the subgroup.
    pub n_studies: usize,
    pub analysis: MetaAnalysis,
}

/// The test of subgroup differences.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BetweenSubgroupTest {
    pub q: f64,
    pub df: usize,
    pub p: f64,
    /// Subgroups entering the test (finite estimate and positive standard error).
    pub groups: Vec<String>,
}

/// Subgroup-wise pooling plus the overall analysis.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SubgroupAnalysis {
    pub subgroups: Vec<Subgroup>,
    /// Subgroups that could not be pooled (e.g. every study dropped as double-zero), with why.
    pub not_pooled: Vec<(String, String)>,
    pub between: BetweenSubgroupTest,
    pub overall: MetaAnalysis,
}

/// Pools each subgroup (labels sorted as R sorts factor levels of plain ASCII labels) with the
/// same measure and options, and tests whether the subgroup estimates differ.
///
/// # Errors
/// [`MetaError::InvalidInput`] when labels and tables differ in length, and the errors of the
/// overall fit (a subgroup that cannot be pooled is listed in `not_pooled`, not an error).
pub fn subgroup_analysis(
    tables: &[TwoByTwo],
    labels: &[String],
    measure: Measure,
    options: MetaOptions,
) -> Result<SubgroupAnalysis, MetaError> {
    if labels.len() != tables.len() {
        return Err(MetaError::InvalidInput(
            "one subgroup label per study is required".into(),
        ));
    }
    let overall = meta_analysis(tables, measure, options)?;
    let mut levels: Vec<String> = labels.to_vec();
    levels.sort();
    levels.dedup();
    let mut subgroups = Vec::new();
    let mut not_pooled = Vec::new();
    for level in levels {
        let sub: Vec<TwoByTwo> = tables
            .iter()
            .zip(labels)
            .filter(|(_, l)| **l == level)
            .map(|(t, _)| *t)
            .collect();
        match meta_analysis(&sub, measure, options) {
            Ok(analysis) => subgroups.push(Subgroup {
                label: level,
                n_studies: sub.len(),
                analysis,
            }),
            Err(e) => not_pooled.push((level, e.to_string())),
        }
    }
    let between = between_subgroup_test(&subgroups);
    Ok(SubgroupAnalysis {
        subgroups,
        not_pooled,
        between,
        overall,
    })
}

/// Cochran's Q of subgroup estimates with weights `1 / se^2`.
pub fn between_subgroup_test(subgroups: &[Subgroup]) -> BetweenSubgroupTest {
    let used: Vec<&Subgroup> = subgroups
        .iter()
        .filter(|s| {
            s.analysis.pooled.estimate.is_finite()
                && s.analysis.pooled.se > 0.0
                && s.analysis.pooled.se.is_finite()
        })
        .collect();
    let groups = used.iter().map(|s| s.label.clone()).collect();
    if used.len() < 2 {
        return BetweenSubgroupTest {
            q: f64::NAN,
            df: 0,
            p: f64::NAN,
            groups,
        };
    }
    let w: Vec<f64> = used
        .iter()
        .map(|s| 1.0 / s.analysis.pooled.se.powi(2))
        .collect();
    let b: Vec<f64> = used.iter().map(|s| s.analysis.pooled.estimate).collect();
    let sw: f64 = w.iter().sum();
    let bbar = w.iter().zip(&b).map(|(w, b)| w * b).sum::<f64>() / sw;
    let q = w
        .iter()
        .zip(&b)
        .map(|(w, b)| w * (b - bbar).powi(2))
        .sum::<f64>();
    let df = used.len() - 1;
    BetweenSubgroupTest {
        q,
        df,
        p: dist::pchisq_upper(q, df as f64),
        groups,
    }
}
