//! Mortality by the horizon as a binary outcome: the 2x2 table of deaths by exposure among the
//! patients whose status at the horizon is known, its risk ratio, risk difference and odds ratio
//! (`stats::twobytwo`, checked against R `epiR::epi.2by2`), and the E-value of the risk ratio.
//! Patients of unknown status (censored before the horizon without discharge) are counted, not
//! analysed.

use super::super::balance::{e_value, EffectMeasure};
use super::super::outcome::OutcomeKind;
use super::super::result::BinaryResult;
use super::super::CohortError;
use super::{stats_err, Population};
use crate::stats::twobytwo::{table_measures, TwoByTwo};

/// Deaths and patients of known status by exposure: `(deaths_exposed, known_exposed,
/// deaths_unexposed, known_unexposed, unknown)`.
pub fn death_counts(p: &Population) -> (usize, usize, usize, usize, usize) {
    let (mut e1, mut n1, mut e0, mut n0, mut unk) = (0, 0, 0, 0, 0);
    for (&x, d) in p.exposed.iter().zip(&p.dead) {
        match (x, d) {
            (_, None) => unk += 1,
            (true, Some(d)) => {
                n1 += 1;
                e1 += *d as usize
            }
            (false, Some(d)) => {
                n0 += 1;
                e0 += *d as usize
            }
        }
    }
    (e1, n1, e0, n0, unk)
}

/// The 2x2 table of death by the horizon by exposure, with its measures.
///
/// # Formula
/// With `a`/`n1` deaths/known among the exposed and `c`/`n0` among the unexposed:
/// `RR = (a/n1) / (c/n0)`, `RD = a/n1 - c/n0`, `OR = a(n0-c) / (c(n1-a))`, Wald intervals on
/// the log scale (RR, OR) and the risk scale (RD) at the plan's confidence level, 0.5 added to
/// every cell when one is 0 (Haldane), and the Koopman score interval of the RR; E-value of the
/// RR as VanderWeele & Ding (2017).
///
/// # Errors
/// [`CohortError::Stats`] (`binary outcome: ...`) when the table has no measures (e.g. an
/// empty arm).
pub fn mortality_2x2(p: &Population) -> Result<BinaryResult, CohortError> {
    let (e1, n1, e0, n0, unk) = death_counts(p);
    let t = TwoByTwo {
        a: e1 as f64,
        b: (n1 - e1) as f64,
        c: e0 as f64,
        d: (n0 - e0) as f64,
    };
    let m = table_measures(&t, p.options.conf_level).map_err(stats_err("binary outcome"))?;
    let rr = m.risk_ratio;
    Ok(BinaryResult {
        outcome: OutcomeKind::Binary,
        deaths_exposed: e1,
        known_exposed: n1,
        deaths_unexposed: e0,
        known_unexposed: n0,
        n_unknown: unk,
        e_value_rr: e_value(rr.estimate, rr.lower, rr.upper, EffectMeasure::RiskRatio),
        measures: m,
    })
}
