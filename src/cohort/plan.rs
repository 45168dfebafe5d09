//! The analysis plan: one TOML file naming the cohort, the DIC definition, the exposure and its
//! grace window, the outcome horizon, the designs, the propensity model, the subgroups and the
//! Table 1 variables. `plans/default.toml` is the commented reference (embedded as
//! [`DEFAULT_PLAN`]); every key has a default, so a plan states only what it changes.

use serde::{Deserialize, Serialize};

use super::exposure::ExposureDef;
use super::landmark::Design;
use super::propensity::Estimand;
use super::subgroup::SubgroupSpec;
use super::CohortError;
use crate::score::config::ScoreConfig;
use crate::score::labels::CoagulopathyRule;
use crate::score::ScoreName;

/// The embedded default plan (`plans/default.toml`).
pub const DEFAULT_PLAN: &str = include_str!("../../plans/default.toml");

/// A complete analysis plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Plan {
    #[serde(default = "default_title")]
    pub title: String,
    #[serde(default)]
    pub cohort: CohortSource,
    /// Options of the clinical scores (see `scoring-rules.md`).
    #[serde(default)]
    pub scores: ScoreConfig,
    #[serde(default)]
    pub dic: DicDefinition,
    #[serde(default)]
    pub exposure: ExposureDef,
    #[serde(default)]
    pub outcome: OutcomeSpec,
    #[serde(default)]
    pub design: DesignSpec,
    #[serde(default)]
    pub propensity: PropensitySpec,
    #[serde(default = "default_subgroups")]
    pub subgroups: Vec<SubgroupSpec>,
    #[serde(default)]
    pub table1: Table1Spec,
    /// Confidence level of every interval.
    #[serde(default = "default_conf_level")]
    pub conf_level: f64,
}

fn default_title() -> String {
    "Anticoagulant therapy and 28-day mortality in sepsis".into()
}
fn default_conf_level() -> f64 {
    0.95
}

/// Where the cohort comes from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct CohortSource {
    /// A cohort folder (canonical or registry-wide), relative to the plan file; absent: the
    /// embedded synthetic registry (`simulate::default_registry()`).
    #[serde(default)]
    pub path: Option<String>,
    /// Lenient loading: rows with problems are excluded and counted in the flow.
    #[serde(default)]
    pub lenient: bool,
    /// What `path` holds: a canonical or registry-wide folder (default), or `"mimic-iv"`, a
    /// MIMIC-IV folder imported as `dicohort import mimic-iv` does with its default options.
    /// (Not echoed when canonical, so plans without the key write the same results as before.)
    #[serde(default, skip_serializing_if = "SourceKind::is_canonical")]
    pub source: SourceKind,
}

/// The kind of folder `[cohort] path` names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum SourceKind {
    /// A canonical (or registry-wide) cohort folder.
    #[default]
    Canonical,
    /// A MIMIC-IV folder (`hosp/`, `icu/`).
    MimicIv,
}

impl SourceKind {
    fn is_canonical(&self) -> bool {
        *self == SourceKind::Canonical
    }
}

/// The DIC definition used for "DIC" in the outputs and the coagulation groups.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DicDefinition {
    #[serde(default = "jaam")]
    pub score: ScoreName,
    /// DIC positive on any recorded day in this inclusive range.
    #[serde(default = "day_one")]
    pub days: [i32; 2],
    /// What counts as coagulopathy (abnormal coagulation without DIC).
    #[serde(default)]
    pub coagulopathy: CoagulopathyRule,
}

fn jaam() -> ScoreName {
    ScoreName::Jaam
}
fn day_one() -> [i32; 2] {
    [1, 1]
}

impl Default for DicDefinition {
    fn default() -> Self {
        DicDefinition {
            score: ScoreName::Jaam,
            days: [1, 1],
            coagulopathy: CoagulopathyRule::SicPositive,
        }
    }
}

/// The outcome: mortality by `horizon` days in the three forms.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutcomeSpec {
    #[serde(default = "horizon")]
    pub horizon: i32,
}

fn horizon() -> i32 {
    28
}

impl Default for OutcomeSpec {
    fn default() -> Self {
        OutcomeSpec { horizon: 28 }
    }
}

/// Which designs to run. The primary design gets every analysis (subgroups, propensity
/// methods); the others are sensitivity analyses of the whole cohort.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DesignSpec {
    /// `landmark` (default) or `time_varying`. The naive design cannot be primary.
    #[serde(default = "landmark")]
    pub primary: Design,
    /// Further designs; `naive_ever_treated` is run only when listed here, and is labelled as
    /// biased in every output.
    #[serde(default = "default_sensitivity")]
    pub sensitivity: Vec<Design>,
    /// Time-varying design: exposure becomes effective at `start_day - 1 + lag` (0, the default:
    /// from the start of the day treatment started, so a death on that day counts as exposed;
    /// 1: from the end of that day).
    #[serde(default)]
    pub tv_lag_days: f64,
    /// Landmark design, time to death: patients unexposed at the landmark who start later are
    /// `censored` when exposure becomes effective (default; a per-protocol "started in the window
    /// vs not started" comparison, the estimand of a hazard ratio for treatment from its start),
    /// or kept `unexposed` throughout (intention to treat at the landmark, biased toward the null
    /// when later starts are common).
    #[serde(default)]
    pub late_starters: LateStarters,
}

/// What the landmark design does with patients who start the exposure after the window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum LateStarters {
    #[default]
    Censored,
    Unexposed,
}

fn landmark() -> Design {
    Design::Landmark
}
fn default_sensitivity() -> Vec<Design> {
    vec![Design::TimeVarying]
}

impl Default for DesignSpec {
    fn default() -> Self {
        DesignSpec {
            primary: Design::Landmark,
            sensitivity: default_sensitivity(),
            tv_lag_days: 0.0,
            late_starters: LateStarters::Censored,
        }
    }
}

/// The propensity model and the methods built on it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PropensitySpec {
    /// Patient columns (incl. derived ones such as `sofa_day1`, `jaam_day1`, `platelets_day1`)
    /// entering the logistic model, main effects only. Patients missing any are excluded from
    /// the analysis (complete case), counted in the flow.
    #[serde(default = "default_covariates")]
    pub covariates: Vec<String>,
    #[serde(default)]
    pub estimand: Estimand,
    #[serde(default = "yes")]
    pub stabilised: bool,
    /// Exclude patients whose score is outside `[lower, upper]` before weighting.
    #[serde(default)]
    pub trim: Option<[f64; 2]>,
    /// Matching caliper in standard deviations of the logit of the score.
    #[serde(default = "caliper")]
    pub caliper_sd: f64,
    /// Number of propensity-score strata (quintiles: 5).
    #[serde(default = "five")]
    pub strata: usize,
    /// Refit the propensity model within each subgroup level (recommended: treatment decisions
    /// differ between DIC and non-DIC patients).
    #[serde(default = "yes")]
    pub within_subgroups: bool,
}

fn default_covariates() -> Vec<String> {
    [
        "age",
        "female",
        "apache2",
        "sofa_lo_day1",
        "jaam_lo_day1",
        "platelets_day1",
        "pt_ratio_day1",
        "site_id",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}
fn yes() -> bool {
    true
}
fn caliper() -> f64 {
    0.2
}
fn five() -> usize {
    5
}

impl Default for PropensitySpec {
    fn default() -> Self {
        PropensitySpec {
            covariates: default_covariates(),
            estimand: Estimand::Ate,
            stabilised: true,
            trim: None,
            caliper_sd: 0.2,
            strata: 5,
            within_subgroups: true,
        }
    }
}

/// Table 1 variables (default: the propensity covariates plus the coagulation group).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Table1Spec {
    #[serde(default)]
    pub variables: Option<Vec<String>>,
}

fn default_subgroups() -> Vec<SubgroupSpec> {
    let plan: Plan = toml::from_str(DEFAULT_PLAN).expect("the embedded default plan parses");
    plan.subgroups
}

impl Plan {
    /// Parses a plan and checks it.
    pub fn from_toml(src: &str) -> Result<Plan, CohortError> {
        let plan: Plan = toml::from_str(src).map_err(|e| CohortError::Plan(e.to_string()))?;
        plan.validate()?;
        Ok(plan)
    }

    /// The embedded default plan.
    pub fn default_plan() -> Plan {
        Plan::from_toml(DEFAULT_PLAN).expect("the embedded default plan is valid")
    }

    pub fn validate(&self) -> Result<(), CohortError> {
        self.exposure.validate()?;
        if self.design.primary == Design::NaiveEverTreated {
            return Err(CohortError::Plan(
                "design.primary cannot be naive_ever_treated (immortal-time bias); list it under \
                 design.sensitivity to show it for comparison"
                    .into(),
            ));
        }
        if !self.dic.score.is_diagnostic() {
            return Err(CohortError::Plan(format!(
                "dic.score `{}` is not a diagnostic score",
                self.dic.score.as_str()
            )));
        }
        if self.dic.days[0] < 1 || self.dic.days[1] < self.dic.days[0] {
            return Err(CohortError::Plan(
                "dic.days must satisfy 1 <= first <= last".into(),
            ));
        }
        if self.outcome.horizon <= self.exposure.window[1] {
            return Err(CohortError::Plan(format!(
                "outcome.horizon {} must be after the end of the exposure window (day {})",
                self.outcome.horizon, self.exposure.window[1]
            )));
        }
        if !(self.conf_level > 0.0 && self.conf_level < 1.0) {
            return Err(CohortError::Plan("conf_level must be in (0, 1)".into()));
        }
        if let Some([lo, hi]) = self.propensity.trim {
            if !(lo >= 0.0 && lo < hi && hi <= 1.0) {
                return Err(CohortError::Plan(
                    "propensity.trim must be [lower, upper] with 0 <= lower < upper <= 1".into(),
                ));
            }
        }
        if self.propensity.strata < 2 {
            return Err(CohortError::Plan("propensity.strata must be >= 2".into()));
        }
        if self.propensity.caliper_sd.is_nan() || self.propensity.caliper_sd <= 0.0 {
            return Err(CohortError::Plan(
                "propensity.caliper_sd must be > 0".into(),
            ));
        }
        for s in &self.subgroups {
            // Expressions parse now, not after the data are loaded.
            s.required_columns()?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_plan_parses_and_minimal_plan_gets_defaults() {
        let p = Plan::default_plan();
        assert_eq!(p.exposure.window, [1, 3]);
        assert_eq!(p.outcome.horizon, 28);
        assert!(p.subgroups.len() >= 6);
        let m = Plan::from_toml("title = \"x\"\n").unwrap();
        assert_eq!(m.subgroups, p.subgroups);
        assert_eq!(m.propensity, PropensitySpec::default());
    }

    #[test]
    fn bad_plans_are_rejected_with_a_reason() {
        assert!(Plan::from_toml("[design]\nprimary = \"naive_ever_treated\"\n").is_err());
        assert!(Plan::from_toml("[exposure]\nwindow = [3, 1]\n").is_err());
        assert!(Plan::from_toml("[dic]\nscore = \"sofa\"\n").is_err());
        assert!(Plan::from_toml("unknown_key = 1\n").is_err());
        assert!(
            Plan::from_toml("[[subgroups]]\nkind = \"expression\"\nexpr = \"age >\"\n").is_err()
        );
        assert!(Plan::from_toml("[propensity]\ntrim = [0.9, 0.1]\n").is_err());
    }
}
