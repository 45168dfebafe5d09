//! The harm outcome of a population: major bleeding by the horizon with death before bleeding a
//! competing event ([`crate::cohort::bleeding`]), by baseline exposure.
//!
//! * Cumulative incidence at the horizon per arm by Aalen-Johansen (R `survfit(Surv(t,
//!   factor(status)) ~ 1)`), unweighted and weighted by the population's stabilised IPTW weights;
//!   the difference has a Wald interval from the arms' infinitesimal-jackknife standard errors.
//! * The cause-specific hazard ratio of bleeding (R `coxph(Surv(t, status == 1) ~ x, weights = w,
//!   cluster = site)`), and the Fine-Gray subdistribution hazard ratio (R `finegray` + weighted
//!   `coxph`), both IPTW-weighted with the robust variance of the primary estimate (clustered by
//!   the plan's cluster column, with the few-clusters correction of [`super::hr_estimate`]).
//!
//! Cost: two Aalen-Johansen fits per arm and two Cox fits (the Fine-Gray one on the expanded
//! rows, at most a few times the population).

use crate::stats::competing::aalen_johansen;
use crate::stats::cox::{coxph, CoxData};
use crate::stats::finegray::finegray_expand;
use crate::stats::km::KmOptions;

use super::super::benefit_result::{HarmResult, HarmRisk, RatioEstimate};
use super::super::result::Interval;
use super::{cox_options, resolve_variance, wald_exp, Population, Variance};

/// The harm outcome of population `p`: `bleeding` is `(time from the origin, status)` by
/// population row (0 censored, 1 bleeding, 2 death before bleeding), `weights` the stabilised
/// IPTW weights by row (NaN where trimmed: left out of the weighted estimates), `horizon` in days
/// from the origin. Estimates that cannot be made become notes.
pub fn harm(
    p: &Population,
    bleeding: &[(f64, u32)],
    weights: &[f64],
    horizon: f64,
    outcome: String,
) -> HarmResult {
    let arm = |a: bool| (0..p.len()).filter(move |&i| p.exposed[i] == a);
    let n = [arm(true).count(), arm(false).count()];
    let bleeds = [true, false].map(|a| arm(a).filter(|&i| bleeding[i].1 == 1).count());
    let mut r = HarmResult {
        outcome,
        n,
        bleeds,
        risks: Vec::new(),
        cause_specific: None,
        subdistribution: None,
        notes: Vec::new(),
    };
    let conf = p.options.conf_level;
    for weighted in [false, true] {
        match risks(p, bleeding, weighted.then_some(weights), horizon, conf) {
            Ok(k) => r.risks.push(k),
            Err(e) => r.notes.push(e),
        }
    }
    let rows: Vec<usize> = (0..p.len()).filter(|&i| weights[i].is_finite()).collect();
    match ratio(p, bleeding, weights, &rows, false) {
        Ok(e) => r.cause_specific = Some(e),
        Err(e) => r.notes.push(format!("cause-specific Cox: {e}")),
    }
    match ratio(p, bleeding, weights, &rows, true) {
        Ok(e) => r.subdistribution = Some(e),
        Err(e) => r.notes.push(format!("Fine-Gray: {e}")),
    }
    r
}

/// The cumulative incidence of bleeding at `horizon` in each arm, and their difference.
fn risks(
    p: &Population,
    bleeding: &[(f64, u32)],
    weights: Option<&[f64]>,
    horizon: f64,
    conf: f64,
) -> Result<HarmRisk, String> {
    let opts = KmOptions {
        conf_level: conf,
        ..Default::default()
    };
    let mut at = [Interval {
        estimate: 0.0,
        lower: 0.0,
        upper: 0.0,
    }; 2];
    let mut se = [0.0; 2];
    for (k, a) in [true, false].into_iter().enumerate() {
        let rows: Vec<usize> = (0..p.len())
            .filter(|&i| p.exposed[i] == a && weights.is_none_or(|w| w[i].is_finite()))
            .collect();
        let t: Vec<f64> = rows.iter().map(|&i| bleeding[i].0).collect();
        let s: Vec<u32> = rows.iter().map(|&i| bleeding[i].1).collect();
        let w: Option<Vec<f64>> = weights.map(|w| rows.iter().map(|&i| w[i]).collect());
        let fit = aalen_johansen(&t, &s, 2, w.as_deref(), &opts)
            .map_err(|e| format!("Aalen-Johansen of bleeding: {e}"))?;
        if let Some(j) = fit.time.iter().rposition(|&x| x <= horizon) {
            at[k] = Interval {
                estimate: fit.cif[0][j],
                lower: fit.lower[0][j],
                upper: fit.upper[0][j],
            };
            se[k] = fit.std_err[0][j];
        }
    }
    let d = at[0].estimate - at[1].estimate;
    let z = crate::stats::dist::z_two_sided(conf);
    let sd = (se[0] * se[0] + se[1] * se[1]).sqrt();
    Ok(HarmRisk {
        method: if weights.is_some() {
            "Aalen-Johansen weighted by stabilised IPTW".into()
        } else {
            "Aalen-Johansen, unweighted (crude)".into()
        },
        adjusted: weights.is_some(),
        risk_exposed: at[0],
        risk_unexposed: at[1],
        risk_difference: Interval {
            estimate: d,
            lower: d - z * sd,
            upper: d + z * sd,
        },
    })
}

/// The IPTW-weighted cause-specific (`fine_gray = false`) or subdistribution hazard ratio of
/// bleeding on the population rows `rows`.
fn ratio(
    p: &Population,
    bleeding: &[(f64, u32)],
    weights: &[f64],
    rows: &[usize],
    fine_gray: bool,
) -> Result<RatioEstimate, String> {
    let t: Vec<f64> = rows.iter().map(|&i| bleeding[i].0).collect();
    let s: Vec<u32> = rows.iter().map(|&i| bleeding[i].1).collect();
    let w: Vec<f64> = rows.iter().map(|&i| weights[i]).collect();
    let x: Vec<f64> = rows
        .iter()
        .map(|&i| f64::from(u8::from(p.exposed[i])))
        .collect();
    if !s.contains(&1) {
        return Err("no bleeding".into());
    }
    let v = resolve_variance(p, Some(rows), Variance::Robust);
    let site = v
        .cluster
        .unwrap_or_else(|| (0..rows.len() as u32).collect());
    let clusters = v.clusters;
    let fit = if fine_gray {
        let fg = finegray_expand(&t, &s, 1, Some(&w)).map_err(|e| e.to_string())?;
        let xe: Vec<f64> = fg.row.iter().map(|&i| x[i]).collect();
        let ce: Vec<u32> = fg.row.iter().map(|&i| site[i]).collect();
        coxph(
            &CoxData {
                start: Some(&fg.start),
                stop: &fg.stop,
                event: &fg.event,
                x: &[xe],
                strata: None,
                weights: Some(&fg.weight),
                cluster: Some(&ce),
            },
            &cox_options(true),
        )
    } else {
        let ev: Vec<bool> = s.iter().map(|&k| k == 1).collect();
        coxph(
            &CoxData {
                start: None,
                stop: &t,
                event: &ev,
                x: &[x],
                strata: None,
                weights: Some(&w),
                cluster: Some(&site),
            },
            &cox_options(true),
        )
    }
    .map_err(|e| e.to_string())?;
    if fit.diverges[0] || !fit.coef[0].is_finite() {
        return Err("the coefficient may be infinite (an arm without bleeding)".into());
    }
    let wald = wald_exp(&fit, 0, clusters, p.options.conf_level);
    Ok(RatioEstimate {
        label: if fine_gray {
            "Fine-Gray subdistribution hazard ratio, weighted by stabilised IPTW".into()
        } else {
            "cause-specific hazard ratio (death before bleeding censored), weighted by \
             stabilised IPTW"
                .into()
        },
        variance: v.text,
        estimate: fit.coef[0].exp(),
        lower: wald.lower,
        upper: wald.upper,
        p: wald.p,
    })
}
