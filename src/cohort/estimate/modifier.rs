//! The hazard ratio of death as a smooth function of a continuous modifier (plan
//! `[[modifiers]]`): `exposure * rcs(modifier, k)` in the Cox model weighted by the population's
//! stabilised IPTW weights, robust variance ([`crate::stats::modifier::modifier_cox`], R
//! `coxph(Surv(t, d) ~ x * rcs(m, k), weights = w, cluster = site)` with rms's basis).
//!
//! Differences from R, on purpose: with the variance clustered by the plan's cluster column
//! (`G` sites) the pointwise intervals and the Wald tests get the few-clusters correction of
//! [`super::hr_estimate`] (variance times `G / (G - 1)`, `t` and `F` on `G - 1` df).
//!
//! The curve is drawn on 41 points from the larger of the two arms' 5th percentiles of the
//! modifier to the smaller of their 95th: beyond, one arm has under 5% of its patients, and a
//! curve there would be the spline's extrapolation.

use crate::stats::cox::ChiSquareTest;
use crate::stats::modifier::{modifier_cox, ModifierData};
use crate::stats::rcs::{quantile_type7_sorted, RcsBasis};

use super::super::benefit_result::{HrPoint, ModifierResult, WaldTest};
use super::super::modifiers::{Knots, ValidModifier};
use super::{cox_options, few_clusters_wald, resolve_variance, Population, Variance};

/// Points of the curve.
const GRID: usize = 41;

/// The hazard-ratio curve of population `p` along `values` (the modifier by population row, NaN
/// where missing: left out), with IPTW `weights` by row (NaN: left out).
///
/// # Errors
/// A message when the modifier has too few values for the spline, the arms do not overlap on it,
/// or the Cox fit fails.
pub fn modifier_curve(
    p: &Population,
    m: &ValidModifier,
    values: &[f64],
    weights: &[f64],
) -> Result<ModifierResult, String> {
    let rows: Vec<usize> = (0..p.len())
        .filter(|&i| values[i].is_finite() && weights[i].is_finite())
        .collect();
    let mv: Vec<f64> = rows.iter().map(|&i| values[i]).collect();
    let basis = match &m.knots {
        Knots::Count(k) => RcsBasis::from_data(&mv, *k),
        Knots::At(v) => RcsBasis::from_knots(v),
    }
    .map_err(|e| e.to_string())?;
    let mut quantiles = [[f64::NAN; 5]; 2];
    let mut n = [0usize; 2];
    let mut deaths = [0usize; 2];
    for (k, a) in [true, false].into_iter().enumerate() {
        let mut v: Vec<f64> = rows
            .iter()
            .filter(|&&i| p.exposed[i] == a)
            .map(|&i| values[i])
            .collect();
        n[k] = v.len();
        deaths[k] = rows
            .iter()
            .filter(|&&i| p.exposed[i] == a && p.event[i])
            .count();
        if v.is_empty() {
            return Err("an arm has no patient with the modifier recorded".into());
        }
        v.sort_by(f64::total_cmp);
        for (j, q) in [0.05, 0.25, 0.5, 0.75, 0.95].into_iter().enumerate() {
            quantiles[k][j] = quantile_type7_sorted(&v, q);
        }
    }
    let (lo, hi) = (
        quantiles[0][0].max(quantiles[1][0]),
        quantiles[0][4].min(quantiles[1][4]),
    );
    if lo >= hi {
        return Err("the arms' 5th-95th percentile ranges of the modifier do not overlap".into());
    }
    let at: Vec<f64> = (0..GRID)
        .map(|j| lo + (hi - lo) * j as f64 / (GRID - 1) as f64)
        .collect();
    let stop: Vec<f64> = rows.iter().map(|&i| p.time[i]).collect();
    let event: Vec<bool> = rows.iter().map(|&i| p.event[i]).collect();
    let x: Vec<f64> = rows
        .iter()
        .map(|&i| f64::from(u8::from(p.exposed[i])))
        .collect();
    let w: Vec<f64> = rows.iter().map(|&i| weights[i]).collect();
    let v = resolve_variance(p, Some(&rows), Variance::Robust);
    let cluster = v
        .cluster
        .unwrap_or_else(|| (0..rows.len() as u32).collect());
    let g = v.clusters.filter(|&g| g > 1);
    let conf = p.options.conf_level;
    let fit = modifier_cox(
        &ModifierData {
            start: None,
            stop: &stop,
            event: &event,
            exposure: &x,
            modifier: &mv,
            covariates: &[],
            covariate_names: &[],
            strata: None,
            weights: Some(&w),
            cluster: Some(&cluster),
        },
        &basis,
        &at,
        &cox_options(true),
        conf,
    )
    .map_err(|e| e.to_string())?;
    let (inflate, q) = match g {
        Some(g) => (
            (g as f64 / (g as f64 - 1.0)).sqrt(),
            crate::stats::dist::qt_upper((1.0 - conf) / 2.0, g as f64 - 1.0),
        ),
        None => (1.0, crate::stats::dist::z_two_sided(conf)),
    };
    let curve = fit
        .curve
        .iter()
        .map(|h| {
            let se = h.se * inflate;
            HrPoint {
                modifier: h.modifier,
                hr: h.log_hr.exp(),
                lower: (h.log_hr - q * se).exp(),
                upper: (h.log_hr + q * se).exp(),
            }
        })
        .collect();
    let method = format!(
        "Cox model of death with exposure x restricted cubic spline of {} ({} knots at {}), \
         weighted by stabilised IPTW; robust (sandwich) variance{}",
        m.column,
        basis.knots().len(),
        basis
            .knots()
            .iter()
            .map(|k| format!("{k:.1}"))
            .collect::<Vec<_>>()
            .join(", "),
        match (&p.cluster, g) {
            (Some(c), Some(g)) => format!(
                " clustered by {} ({g} clusters; small-sample corrected, t and F on {} df)",
                c.column,
                g - 1
            ),
            _ => ", each patient a cluster".into(),
        }
    );
    Ok(ModifierResult {
        column: m.column.clone(),
        n,
        deaths,
        knots: basis.knots().to_vec(),
        method,
        curve,
        effect_modification: wald(&fit.effect_modification, g),
        nonlinear_modification: wald(&fit.nonlinear_modification, g),
        quantiles,
    })
}

/// A test of the spline fit with the few-clusters correction ([`few_clusters_wald`]).
fn wald(t: &ChiSquareTest, g: Option<usize>) -> WaldTest {
    few_clusters_wald(t.statistic, t.df, g)
}
