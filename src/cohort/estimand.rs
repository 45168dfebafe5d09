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
        let mut e = Estimand {
            population,
            strategies,
            time_zero,
            outcome,
            contrast,
            estimator,
            sentence: String::new(),
        };
        e.sentence = e.describe();
        e
    }

    /// One sentence naming every part.
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
