//! The estimand of a design, in its parts (ICH E9(R1) / target-trial language: population,
//! treatment strategies compared, time zero, outcome, contrast and estimator) and in one sentence
//! ([`Estimand::describe`]), filled from the checked plan so that the report only renders it.

use serde::{Deserialize, Serialize};

use super::landmark::Design;
use super::outcome::Discharge;
use super::plan::LateStarters;
use super::propensity::Estimand as Weights;
use super::valid_plan::ValidPlan;

/// What a design estimates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Estimand {
    /// Who, e.g. "adults with sepsis in the cohort alive and in hospital at the end of day 3".
    pub population: String,
    /// The treatment strategies compared.
    pub strategies: String,
    /// When follow-up starts.
    pub time_zero: String,
    /// The outcome, with the rule for discharge alive.
    pub outcome: String,
    /// The contrasts reported.
    pub contrast: String,
    /// The primary estimator (and the others).
    pub estimator: String,
    /// The summary sentence ([`Estimand::describe`]).
    pub sentence: String,
    /// What the design cannot rule out by construction, stated in the methods (landmark: the
    /// selection by survival to the landmark when the treatment acts before it).
    #[serde(default)]
    pub limitation: Option<String>,
}

impl Estimand {
    /// The estimand of `design` under `plan`.
    pub fn of(plan: &ValidPlan, design: Design) -> Estimand {
        let [w0, w1] = plan.exposure.window().as_array();
        let h = plan.horizon;
        let drug = plan.exposure.name();
        let weights = match plan.propensity.estimand {
            Weights::Ate => "the whole population (ATE)",
            Weights::Att => "the exposed (ATT)",
        };
        let outcome = format!(
            "death from any cause by day {h} after ICU admission ({})",
            plan.discharge.describe(h)
        );
        let cluster = plan
            .cluster()
            .map_or("each patient its own cluster".to_string(), |c| {
                format!("clustered by {c}")
            });
        let (population, strategies, time_zero, estimator) = match design {
            Design::Landmark => (
                format!(
                    "patients with sepsis in the cohort alive and in hospital at the end of day {w1} \
                     (the landmark), with every propensity covariate recorded"
                ),
                match plan.design.late_starters {
                    LateStarters::Censored => format!(
                        "start {drug} on days {w0}-{w1} vs not start it (patients starting later \
                         are censored when it becomes effective: a per-protocol contrast)"
                    ),
                    LateStarters::Unexposed => format!(
                        "start {drug} on days {w0}-{w1} vs not start it by day {w1} (later starts \
                         stay in the comparison arm: intention to treat at the landmark)"
                    ),
                },
                format!("the end of day {w1} (the landmark), when the strategies are told apart"),
                format!(
                    "Cox model weighted by stabilised inverse probability of treatment weights \
                     (propensity model refitted in each subgroup level), robust variance \
                     {cluster}; the risks standardised by the g-formula and by the IPTW-weighted \
                     {} at day {h}, with bootstrap intervals",
                    if plan.discharge == Discharge::Competing {
                        "Aalen-Johansen cumulative incidence"
                    } else {
                        "Kaplan-Meier"
                    }
                ),
            ),
            Design::TimeVarying => (
                "patients with sepsis in the cohort, from ICU admission".to_string(),
                format!("time on {drug} vs time off it (exposure switching on when it starts)"),
                "ICU admission".to_string(),
                "Cox model with exposure as a time-varying covariate ((start, stop] rows), \
                 adjusted for the propensity covariates"
                    .to_string(),
            ),
            Design::NaiveEverTreated => (
                "patients with sepsis in the cohort, from ICU admission".to_string(),
                format!(
                    "ever vs never treated with {drug} (BIASED: immortal time, for comparison only)"
                ),
                "ICU admission (exposure known only later: immortal time)".to_string(),
                "Cox model weighted by stabilised IPTW".to_string(),
            ),
        };
        let contrast = match design {
            Design::Landmark => format!(
                "marginal hazard ratio in {weights}; risks by day {h} per strategy, their \
                 difference and the number needed to treat"
            ),
            _ => "hazard ratio".to_string(),
        };
        let limitation = match design {
            Design::Landmark => Some(landmark_selection(w0, w1)),
            _ => None,
        };
        let mut e = Estimand {
            population,
            strategies,
            time_zero,
            outcome,
            contrast,
            estimator,
            sentence: String::new(),
            limitation,
        };
        e.sentence = e.describe();
        e
    }

    /// One sentence naming every part (the limitation is not part of it).
    pub fn describe(&self) -> String {
        format!(
            "Among {}: {}; time zero {}; outcome {}. Contrast: {}. Estimator: {}.",
            self.population,
            self.strategies,
            self.time_zero,
            self.outcome,
            self.contrast,
            self.estimator
        )
    }
}

/// The landmark design's selection by survival, in words.
///
/// Measured on the simulator (`simulate --potential-outcomes`, `scripts/landmark_oracle.R`):
/// with a planted HR of 0.7 acting from day 1, IPTW with the true propensity score on each
/// patient's own-arm potential outcome is biased toward 1 by +0.025 (SE 0.007) on the log scale at
/// 20,000 patients and +0.011 (0.005) at 150,000; with the effect starting on day 4 (after the
/// landmark) the bias is +0.009 (0.007) and -0.004 (0.005).
fn landmark_selection(w0: i32, w1: i32) -> String {
    format!(
        "the comparison is among patients alive at the landmark. If the treatment already \
         changes survival on days {w0}-{w1}, early starters reach the landmark more often, so \
         the exposed survivors include patients who would have died untreated; the baseline \
         propensity model does not see this, and the estimate is then biased toward no effect \
         (in dicohort's simulations with a hazard ratio of 0.7 acting from day 1, by about \
         0.01-0.03 on the log scale). The time-varying design, which follows every patient from \
         admission, does not condition on survival to the landmark"
    )
}
