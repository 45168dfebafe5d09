//! Absolute effects at the horizon: the risk of death per arm, their difference and the number
//! needed to treat, three ways.
//!
//! - Crude: the Kaplan-Meier risk `1 - S(h)` per arm (Aalen-Johansen cumulative incidence of
//!   death when discharge alive competes), unweighted; Greenwood (IJ for Aalen-Johansen) Wald
//!   intervals, the difference's from the two arms' variances.
//! - Standardisation (g-formula): a logistic model of the binary outcome (patients of known
//!   status) on the exposure and the usable propensity covariates, averaged over the population
//!   under each exposure (`stats::standardise`, checked against R glm + predict); delta-method
//!   intervals as the analytic alternative.
//! - IPTW Kaplan-Meier: the risk `1 - S(h)` of the Kaplan-Meier (or Aalen-Johansen) curves
//!   weighted by the stabilised IPTW weights (R `survfit(..., weights = w)`); the infinitesimal
//!   jackknife standard errors (R `robust = TRUE`, weights taken as fixed) as the analytic
//!   alternative.
//!
//! The adjusted estimates get percentile intervals from the seeded bootstrap of `stats::bootstrap`
//! (`inference.bootstrap` replicates of the population's patients): each replicate refits the
//! outcome model (g-formula) or the propensity model and the weights (IPTW), so the intervals
//! carry the uncertainty of every fitted model. Replicates whose fit fails (e.g. separation in a
//! resample) are left out and counted. Without bootstrap the analytic intervals are the intervals.
//!
//! Cost: per population, one logistic fit and O(n log n) curves, times `1 + bootstrap` for each
//! adjusted estimate (the replicates in parallel).

use super::super::outcome::{Discharge, OutcomeKind};
use super::super::plan::BootstrapMethod;
use super::super::propensity::Estimand;
use super::super::result::{Adjustment, AnalyticRisk, Interval, Nnt, RiskEstimate, RiskMethod};
use super::super::CohortError;
use super::propensity_fit::PsResampler;
use super::survival_curves::km_options;
use super::{stats_err, usable_columns, Population, Weighted};
use crate::stats::bootstrap::{bootstrap, percentile_interval};
use crate::stats::competing::aalen_johansen;
use crate::stats::dist::z_two_sided;
use crate::stats::horizon::RiskAtTime;
use crate::stats::km::{kaplan_meier_by_group, KmOptions};
use crate::stats::standardise::Standardiser;
use crate::stats::StatsError;

/// One bootstrap replicate's (exposed, unexposed) risks of the g-formula and the IPTW
/// Kaplan-Meier; `None` where the replicate failed.
type Replicate = Option<[Option<[f64; 2]>; 2]>;

/// Risk at the horizon and its standard error, per arm (exposed, unexposed).
type ArmRisks = [(f64, f64); 2];

/// The risk of death by `h` (follow-up scale) per arm of the rows `rows` with weights `w`:
/// `1 - S(h)` of the Kaplan-Meier curves, or the Aalen-Johansen incidence of death when
/// discharge alive competes; standard errors as the fits give them.
fn curve_risks(
    p: &Population,
    rows: &[usize],
    w: Option<&[f64]>,
    robust: Option<bool>,
) -> Result<ArmRisks, StatsError> {
    let h = p.horizon_time();
    let opts = KmOptions {
        robust,
        ..km_options(p)
    };
    if p.options.discharge == Discharge::Competing {
        let mut out = [(f64::NAN, f64::NAN); 2];
        for (a, arm) in [true, false].into_iter().enumerate() {
            let idx: Vec<usize> = (0..rows.len())
                .filter(|&k| p.exposed[rows[k]] == arm)
                .collect();
            let t: Vec<f64> = idx.iter().map(|&k| p.cr_time[rows[k]]).collect();
            let c: Vec<u32> = idx
                .iter()
                .map(|&k| u32::from(p.cr_status[rows[k]]))
                .collect();
            let wa: Option<Vec<f64>> = w.map(|w| idx.iter().map(|&k| w[k]).collect());
            let f = aalen_johansen(&t, &c, 2, wa.as_deref(), &opts)?;
            let j = f.time.partition_point(|&x| x <= h);
            out[a] = if j == 0 {
                (0.0, 0.0)
            } else {
                (f.cif[0][j - 1], f.std_err[0][j - 1])
            };
        }
        return Ok(out);
    }
    let t: Vec<f64> = rows.iter().map(|&k| p.time[k]).collect();
    let e: Vec<bool> = rows.iter().map(|&k| p.event[k]).collect();
    let g: Vec<u32> = rows.iter().map(|&k| u32::from(!p.exposed[k])).collect();
    let fits = kaplan_meier_by_group(&t, &e, w, &g, 2, &opts)?;
    let mut out = [(f64::NAN, f64::NAN); 2];
    for (a, f) in fits.iter().enumerate() {
        let s = &f.summary_at(&[h])[0];
        out[a] = (1.0 - s.surv, s.se_surv);
    }
    Ok(out)
}

/// Wald interval `x -/+ z se`.
fn wald(x: f64, se: f64, z: f64) -> Interval {
    Interval {
        estimate: x,
        lower: x - z * se,
        upper: x + z * se,
    }
}

/// The NNT of a risk difference (exposed minus unexposed) and its interval, as
/// [`Nnt`] describes (Altman 1998).
pub fn nnt(rd: &Interval) -> Nnt {
    let fmt = |x: f64| {
        if x.is_finite() {
            format!("{:.0}", x.ceil())
        } else {
            "∞".to_string()
        }
    };
    let direction = if rd.estimate <= 0.0 {
        "benefit"
    } else {
        "harm"
    };
    let estimate = 1.0 / rd.estimate.abs();
    let (lo, hi) = (rd.lower, rd.upper);
    let name = |d: &str| {
        if d == "benefit" {
            "NNTB"
        } else {
            "NNTH"
        }
    };
    let (bound_benefit, bound_harm, text) = if !(lo.is_finite() && hi.is_finite()) {
        (
            f64::NAN,
            f64::NAN,
            format!("{} {}", name(direction), fmt(estimate)),
        )
    } else if hi < 0.0 {
        // both bounds benefit: NNT from 1/|lo| to 1/|hi|
        (
            1.0 / lo.abs(),
            1.0 / hi.abs(),
            format!(
                "NNTB {} ({} to {})",
                fmt(estimate),
                fmt(1.0 / lo.abs()),
                fmt(1.0 / hi.abs())
            ),
        )
    } else if lo > 0.0 {
        (
            1.0 / hi,
            1.0 / lo,
            format!(
                "NNTH {} ({} to {})",
                fmt(estimate),
                fmt(1.0 / hi),
                fmt(1.0 / lo)
            ),
        )
    } else {
        let (b, h) = (1.0 / lo.abs(), 1.0 / hi);
        (
            b,
            h,
            format!(
                "{} {} (NNTB {} to ∞ to NNTH {})",
                name(direction),
                fmt(estimate),
                fmt(b),
                fmt(h)
            ),
        )
    };
    Nnt {
        direction: direction.into(),
        estimate,
        bound_benefit,
        bound_harm,
        text,
    }
}

/// Assembles an estimate from point risks, analytic standard errors and (when the plan asks)
/// bootstrap replicates of `(risk exposed, risk unexposed)`.
struct Parts {
    method: RiskMethod,
    label: String,
    outcome: OutcomeKind,
    point: ArmRisks,
    /// Standard error of the difference (analytic).
    se_rd: f64,
    analytic_name: Option<String>,
    replicates: Option<Vec<Option<[f64; 2]>>>,
}

fn assemble(p: &Population, parts: Parts) -> RiskEstimate {
    let o = &p.options;
    let z = z_two_sided(o.conf_level);
    let [(r1, s1), (r0, s0)] = parts.point;
    let analytic = AnalyticRisk {
        method: parts.analytic_name.clone().unwrap_or_default(),
        risk_exposed: wald(r1, s1, z),
        risk_unexposed: wald(r0, s0, z),
        risk_difference: wald(r1 - r0, parts.se_rd, z),
    };
    let (e1, e0, rd, interval, failed) = match &parts.replicates {
        Some(reps) => {
            let ok: Vec<[f64; 2]> = reps.iter().flatten().copied().collect();
            let col = |f: &dyn Fn(&[f64; 2]) -> f64| ok.iter().map(f).collect::<Vec<f64>>();
            let pi = |v: Vec<f64>, x: f64| {
                let [lower, upper] = percentile_interval(&v, o.conf_level);
                Interval {
                    estimate: x,
                    lower,
                    upper,
                }
            };
            (
                pi(col(&|r| r[0]), r1),
                pi(col(&|r| r[1]), r0),
                pi(col(&|r| r[0] - r[1]), r1 - r0),
                format!(
                    "bootstrap percentile intervals, {} replicates of the patients (seed {}; \
                     models re-estimated {})",
                    reps.len(),
                    o.seed,
                    match o.bootstrap_method {
                        BootstrapMethod::Linearised => {
                            "by the estimating-function bootstrap, one linear step from the \
                             full-sample fit"
                        }
                        BootstrapMethod::Refit => "by refitting to convergence",
                    }
                ),
                reps.len() - ok.len(),
            )
        }
        None => (
            analytic.risk_exposed,
            analytic.risk_unexposed,
            analytic.risk_difference,
            format!(
                "Wald intervals, {}",
                parts.analytic_name.clone().unwrap_or_default()
            ),
            0,
        ),
    };
    RiskEstimate {
        method: parts.method,
        adjustment: match parts.method {
            RiskMethod::Crude => Adjustment::Crude,
            _ => Adjustment::Adjusted,
        },
        label: parts.label,
        outcome: parts.outcome,
        horizon: p.horizon_time(),
        nnt: nnt(&rd),
        risk_exposed: e1,
        risk_unexposed: e0,
        risk_difference: rd,
        interval,
        bootstrap_failed: failed,
        analytic: parts
            .replicates
            .is_some()
            .then_some(analytic)
            .filter(|a| !a.method.is_empty()),
    }
}

fn curve_outcome(p: &Population) -> (OutcomeKind, &'static str) {
    if p.options.discharge == Discharge::Competing {
        (
            OutcomeKind::Competing,
            "Aalen-Johansen cumulative incidence",
        )
    } else {
        (OutcomeKind::TimeToDeath, "Kaplan-Meier")
    }
}

/// Crude risks at the horizon per arm (unweighted curves).
///
/// # Formula
/// `r_a = 1 - S_a(h)` (or `CIF_a(h)`), `RD = r_1 - r_0`, `se(RD) = sqrt(se_1^2 + se_0^2)`.
///
/// # Errors
/// [`CohortError::Stats`] when the curves cannot be computed.
pub fn crude(p: &Population) -> Result<RiskEstimate, CohortError> {
    let rows: Vec<usize> = (0..p.len()).collect();
    let point = curve_risks(p, &rows, None, None).map_err(stats_err("crude risks"))?;
    let (outcome, curve) = curve_outcome(p);
    Ok(assemble(
        p,
        Parts {
            method: RiskMethod::Crude,
            label: format!("crude {curve} risk at the horizon, by exposure (no adjustment)"),
            outcome,
            se_rd: point[0].1.hypot(point[1].1),
            point,
            analytic_name: Some(format!("{curve} standard errors")),
            replicates: None,
        },
    ))
}

/// The outcome model of the g-formula: the patients of known status, their outcome, exposure
/// and the usable covariate columns.
struct OutcomeModel {
    /// Population rows of known status.
    known: Vec<usize>,
    model: Standardiser,
}

impl OutcomeModel {
    fn new(p: &Population) -> Result<OutcomeModel, CohortError> {
        let known: Vec<usize> = (0..p.len()).filter(|&i| p.dead[i].is_some()).collect();
        let y: Vec<f64> = known
            .iter()
            .map(|&i| f64::from(u8::from(p.dead[i] == Some(true))))
            .collect();
        let t: Vec<bool> = known.iter().map(|&i| p.exposed[i]).collect();
        if !t.iter().any(|x| *x) || t.iter().all(|x| *x) {
            return Err(CohortError::InvalidInput(
                "g-formula: patients of known status in one arm only".into(),
            ));
        }
        let xk: Vec<Vec<f64>> =
            p.x.iter()
                .map(|c| known.iter().map(|&i| c[i]).collect())
                .collect();
        let dead: Vec<bool> = y.iter().map(|v| *v == 1.0).collect();
        let x: Vec<Vec<f64>> = usable_columns(&xk, &dead)
            .into_iter()
            .map(|j| xk[j].clone())
            .collect();
        let model = Standardiser::new(&y, &t, &x).map_err(stats_err("g-formula"))?;
        Ok(OutcomeModel { known, model })
    }
}

/// The adjusted risks: standardisation (g-formula) over a logistic model of the binary outcome,
/// and the IPTW-weighted Kaplan-Meier (or Aalen-Johansen) risks at the horizon, with one seeded
/// bootstrap of the population's patients for both (each replicate re-estimates the outcome
/// model, the propensity model and the weights).
///
/// # Formula
/// g-formula: `r_a = mean_i expit(b0 + bt a + b' x_i)` over the patients of known status (see
/// `stats::standardise` for the delta-method variance). IPTW: `r_a = 1 - S^w_a(h)` with the
/// weighted curves of the patients kept after trimming; the analytic alternative
/// `se(RD) = sqrt(se_1^2 + se_0^2)` from the infinitesimal jackknife.
///
/// # Errors
/// Each estimate on its own: [`CohortError::InvalidInput`] without patients of known status in
/// both arms, [`CohortError::Stats`] when a model or the weighted curves fail.
pub fn adjusted(
    w: &Weighted,
) -> (
    Result<RiskEstimate, CohortError>,
    Result<RiskEstimate, CohortError>,
) {
    let p = w.population;
    let o = &p.options;
    // point estimates
    let outcome = OutcomeModel::new(p);
    let g_point = outcome.as_ref().map_err(clone_err).and_then(|m| {
        m.model
            .risks(None, None)
            .map_err(stats_err("g-formula"))
            .map(|s| (s, m))
    });
    let i_point = curve_risks(p, &w.fit.kept, Some(&w.fit.weights), Some(true))
        .map_err(stats_err("IPTW risks"));
    // one bootstrap for both
    let replicates: Option<Vec<Replicate>> = (o.bootstrap > 0).then(|| {
        let g_full = g_point
            .as_ref()
            .ok()
            .and_then(|(_, m)| match o.bootstrap_method {
                BootstrapMethod::Linearised => m.model.full_fit().ok().map(|f| (m, Some(f), None)),
                BootstrapMethod::Refit => m.model.coefficients().ok().map(|c| (m, None, Some(c))),
            });
        let ps = PsResampler::new(p).ok();
        let horizon = horizon_index(p).ok();
        bootstrap(p.len(), o.bootstrap, o.seed, |counts| {
            let g = g_full.as_ref().and_then(|(m, full, start)| {
                let c: Vec<u32> = m.known.iter().map(|&i| counts[i]).collect();
                match (full, start) {
                    (Some(full), _) => Some(m.model.linearised_risks(full, &c)),
                    (None, Some(start)) => {
                        let f: Vec<f64> = c.iter().map(|&x| f64::from(x)).collect();
                        m.model
                            .risks(Some(&f), Some(start))
                            .ok()
                            .map(|r| [r.risk_exposed, r.risk_unexposed])
                    }
                    (None, None) => None,
                }
            });
            let i = match (&ps, &horizon) {
                (Some(ps), Some(h)) => ps.weights(p, counts).ok().map(|wts| {
                    let r = h.risks(&wts, o.discharge == Discharge::Competing);
                    [r[0], r[1]]
                }),
                _ => None,
            };
            Some([g, i])
        })
    });
    let pick = |k: usize| -> Option<Vec<Option<[f64; 2]>>> {
        replicates
            .as_ref()
            .map(|r| r.iter().map(|x| x.and_then(|x| x[k])).collect())
    };
    let g = g_point.map(|(s, _)| {
        assemble(
            p,
            Parts {
                method: RiskMethod::GFormula,
                label: "standardised risk (g-formula) from a logistic model of death by the \
                        horizon on the exposure and the propensity covariates"
                    .into(),
                outcome: OutcomeKind::Binary,
                point: [
                    (s.risk_exposed, s.se_exposed),
                    (s.risk_unexposed, s.se_unexposed),
                ],
                se_rd: s.se_difference,
                analytic_name: Some("delta method (model and covariate distribution)".into()),
                replicates: pick(0),
            },
        )
    });
    let (kind, curve) = curve_outcome(p);
    let i = i_point.map(|point| {
        assemble(
            p,
            Parts {
                method: RiskMethod::IptwKm,
                label: format!(
                    "{curve} risk at the horizon weighted by stabilised IPTW ({})",
                    match o.estimand {
                        Estimand::Ate => "ATE",
                        Estimand::Att => "ATT",
                    }
                ),
                outcome: kind,
                se_rd: point[0].1.hypot(point[1].1),
                point,
                analytic_name: Some("infinitesimal jackknife, weights taken as fixed".into()),
                replicates: pick(1),
            },
        )
    });
    (g, i)
}

/// A copy of an error for the second estimate that needs the same failed input.
fn clone_err(e: &CohortError) -> CohortError {
    CohortError::NotEstimable {
        what: "g-formula".into(),
        reason: e.to_string(),
    }
}

/// The population's rows indexed for risks at the horizon (groups: exposed 0, unexposed 1).
fn horizon_index(p: &Population) -> Result<RiskAtTime, StatsError> {
    let g: Vec<u32> = p.exposed.iter().map(|&e| u32::from(!e)).collect();
    if p.options.discharge == Discharge::Competing {
        RiskAtTime::new(&p.cr_time, &p.cr_status, &g, 2, p.horizon_time())
    } else {
        let c: Vec<u8> = p.event.iter().map(|&e| u8::from(e)).collect();
        RiskAtTime::new(&p.time, &c, &g, 2, p.horizon_time())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nnt_by_altman() {
        let n = nnt(&Interval {
            estimate: -0.05,
            lower: -0.1,
            upper: -0.02,
        });
        assert_eq!(n.direction, "benefit");
        assert!((n.estimate - 20.0).abs() < 1e-9);
        assert_eq!(n.text, "NNTB 20 (10 to 50)");
        let n = nnt(&Interval {
            estimate: -0.04,
            lower: -0.1,
            upper: 0.05,
        });
        assert_eq!(n.text, "NNTB 25 (NNTB 10 to ∞ to NNTH 20)");
        let n = nnt(&Interval {
            estimate: 0.1,
            lower: 0.05,
            upper: 0.2,
        });
        assert_eq!(n.text, "NNTH 10 (5 to 20)");
    }
}
