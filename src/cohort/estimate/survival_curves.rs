//! Survival by exposure without adjustment: Kaplan-Meier curves of time to death with the
//! log-rank test (`stats::km`, `stats::logrank`, checked against R `survival::survfit` and
//! `survdiff`), and the Aalen-Johansen cumulative incidence of death with discharge alive as
//! the competing event (`stats::competing`, checked against R `survfit` with a factor status). Curves by
//! baseline exposure are meaningless for a time-varying exposure, so the population runner
//! skips them in that design.

use super::super::outcome::OutcomeKind;
use super::super::result::{CumulativeIncidence, Curve, LogRankResult};
use super::super::CohortError;
use super::{stats_err, Population};
use crate::stats::competing::aalen_johansen;
use crate::stats::km::{kaplan_meier_by_group, KmFit, KmOptions};
use crate::stats::logrank::survdiff;

/// Group codes of the curves: exposed 0, unexposed 1.
fn groups(p: &Population) -> Vec<u32> {
    p.exposed.iter().map(|&e| if e { 0 } else { 1 }).collect()
}

pub(crate) fn km_options(p: &Population) -> KmOptions {
    KmOptions {
        conf_level: p.options.conf_level,
        ..Default::default()
    }
}

/// Kaplan-Meier fits as curves, exposed then unexposed.
pub(crate) fn curves(f: &[KmFit]) -> Vec<Curve> {
    f.iter()
        .zip(["exposed", "unexposed"])
        .map(|(k, g)| Curve {
            group: g.into(),
            time: k.time.clone(),
            n_risk: k.n_risk.clone(),
            n_event: k.n_event.clone(),
            surv: k.surv.clone(),
            lower: k.lower.clone(),
            upper: k.upper.clone(),
        })
        .collect()
}

/// Kaplan-Meier curves of time to death, exposed then unexposed.
///
/// # Formula
/// `S(t) = prod_{t_i <= t} (1 - d_i / n_i)`, Greenwood variance, pointwise interval on the log
/// scale (R `conf.type = "log"`), as `stats::km`.
///
/// # Errors
/// [`CohortError::Stats`] (`Kaplan-Meier: ...`) on invalid times.
pub fn kaplan_meier(p: &Population) -> Result<Vec<Curve>, CohortError> {
    kaplan_meier_by_group(&p.time, &p.event, None, &groups(p), 2, &km_options(p))
        .map(|f| curves(&f))
        .map_err(stats_err("Kaplan-Meier"))
}

/// The log-rank test of time to death, exposed vs unexposed.
///
/// # Formula
/// `chisq = (O - E)' V^-1 (O - E)` on 1 df, with `O`, `E` the observed and expected deaths per
/// group and `V` their hypergeometric variance (R `survdiff(rho = 0)`).
///
/// # Errors
/// [`CohortError::Stats`] (`log-rank: ...`), e.g. when there is no event.
pub fn log_rank(p: &Population) -> Result<LogRankResult, CohortError> {
    let l = survdiff(&p.time, &p.event, &groups(p), None, 0.0).map_err(stats_err("log-rank"))?;
    Ok(LogRankResult {
        chisq: l.chisq,
        df: l.df,
        p: l.p,
        observed: l.observed,
        expected: l.expected,
    })
}

/// The Aalen-Johansen cumulative incidence of death (discharge alive competing) in one arm
/// (`exposed` true or false).
///
/// # Formula
/// `CIF_k(t) = sum_{t_i <= t} S(t_i-) d_ki / n_i` for cause `k` (1 death, 2 discharge alive),
/// `S` the all-cause Kaplan-Meier survival; infinitesimal-jackknife standard error and an
/// interval on the log scale, as `stats::competing`.
///
/// # Errors
/// [`CohortError::Stats`] (`competing risks (exposed): ...`).
pub fn cumulative_incidence(
    p: &Population,
    exposed: bool,
) -> Result<CumulativeIncidence, CohortError> {
    let label = if exposed { "exposed" } else { "unexposed" };
    let idx: Vec<usize> = (0..p.len()).filter(|&i| p.exposed[i] == exposed).collect();
    let ct: Vec<f64> = idx.iter().map(|&i| p.cr_time[i]).collect();
    let cs: Vec<u32> = idx.iter().map(|&i| p.cr_status[i] as u32).collect();
    let f = aalen_johansen(&ct, &cs, 2, None, &km_options(p))
        .map_err(stats_err(&format!("competing risks ({label})")))?;
    Ok(CumulativeIncidence {
        group: label.into(),
        outcome: OutcomeKind::Competing,
        death_at_horizon: f.cif[0].last().copied().unwrap_or(0.0),
        time: f.time,
        cif_death: f.cif[0].clone(),
        lower: f.lower[0].clone(),
        upper: f.upper[0].clone(),
        cif_discharge: f.cif[1].clone(),
    })
}
