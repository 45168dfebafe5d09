//! The checked analysis plan (the linfa pattern: parameters as parsed -> `check()` -> a type
//! that holds only checked values). [`Plan`] is the TOML as read, every default filled in;
//! [`Plan::check`] turns it into a [`ValidPlan`] whose fields are the typed, range-checked values
//! the pipeline needs (day ranges, the expanded drug set, the designs to run in order, the parsed
//! subgroup expressions, the Table 1 variables). `run_plan` and everything below it take a
//! `&ValidPlan` and check nothing again; a `ValidPlan` can be made only by `check`, and its
//! fields are read-only outside the crate.
//!
//! Every error names the key's path (`design.tv_lag_days`, `subgroups[2].cuts`, 0-based
//! indices) as [`CohortError::PlanValue`]. The ranges, key by key:
//!
//! | key | range |
//! |---|---|
//! | `title` | not blank |
//! | `conf_level` | finite, 0 < x < 1 |
//! | `cohort.path`, `cohort.file`, `cohort.mapping` | not blank when given; not both `path` and `file`; `mapping` needs one of them |
//! | `scores.*` | as the score layer checks them (D-dimer ULN finite > 0) |
//! | `outcome.horizon` | integer, 1 <= x <= [`MAX_HORIZON_DAYS`], after the exposure window |
//! | `dic.score` | a diagnostic score (jaam, jaam2, isth, sic, jmhw, jsth) |
//! | `dic.days` | integers, 1 <= first <= last <= horizon |
//! | `exposure.name` | not blank |
//! | `exposure.drugs` | at least one, none blank |
//! | `exposure.window` | integers, 1 <= first <= last < horizon |
//! | `design.primary` | landmark or time_varying (never naive_ever_treated) |
//! | `design.tv_lag_days` | finite, 0 <= x < horizon |
//! | `design.min_per_arm` | integer, 1 <= x <= [`MAX_MIN_PER_ARM`] |
//! | `propensity.covariates` | none blank, no duplicates |
//! | `propensity.trim` | finite, 0 <= lower < 0.5 < upper <= 1 |
//! | `propensity.caliper_sd` | finite, > 0 |
//! | `propensity.strata` | integer, 2 <= x <= [`MAX_PS_STRATA`] |
//! | `inference.bootstrap` | 0, or an integer [`MIN_BOOTSTRAP`] <= x <= [`MAX_BOOTSTRAP`] |
//! | `inference.cluster` | not blank (`none`, or a patient column) |
//! | `imputation.m` / `.maxit` / `.donors` | see [`super::imputation::ImputationSpec::check`] |
//! | `propensity.within_subgroups` | true (refitting within each level is the only method) |
//! | `subgroups[i]` | see [`super::subgroup::SubgroupSpec::check`]; display names unique |
//! | `table1.variables` | at least one when given, none blank, no duplicates |
//! | `disclosure.threshold` | integer, 0 <= x <= [`MAX_DISCLOSURE_THRESHOLD`] |
//! | `disclosure.base` | integer, 1 <= x <= threshold (rounding base) |
//!
//! Enumerations (`dic.coagulopathy`, `exposure.combine`, `design.sensitivity`,
//! `design.late_starters`, `outcome.discharge`, `propensity.estimand`, `propensity.match_order`,
//! `subgroups[i].kind`) and flags are checked by
//! their types when the TOML is read, as are unknown keys.

use std::collections::HashSet;

use super::exposure::ValidExposure;
use super::landmark::Design;
use super::outcome::Discharge;
use super::plan::{BootstrapMethod, LateStarters, Plan};
use super::propensity::{Estimand, MatchOrder};
use super::subgroup::{dic_column, ValidSubgroup, COAGULATION_GROUP_COLUMN};
use super::CohortError;
use crate::score::config::ScoreConfig;
use crate::score::labels::CoagulopathyRule;
use crate::score::ScoreName;

/// Largest disclosure threshold accepted.
pub const MAX_DISCLOSURE_THRESHOLD: u64 = 1000;

/// Longest outcome horizon accepted (ten years).
pub const MAX_HORIZON_DAYS: i32 = 3650;
/// Most propensity-score strata accepted.
pub const MAX_PS_STRATA: usize = 100;
/// Largest `design.min_per_arm` accepted.
pub const MAX_MIN_PER_ARM: usize = 1_000_000;
/// Fewest and most bootstrap replicates accepted (besides 0, none).
pub const MIN_BOOTSTRAP: usize = 20;
pub const MAX_BOOTSTRAP: usize = 100_000;

/// Longest variable label accepted (`[labels]`).
pub const MAX_LABEL_CHARS: usize = 120;

/// The error for plan key `key`.
pub(crate) fn bad(key: &str, message: impl Into<String>) -> CohortError {
    CohortError::PlanValue {
        key: key.to_string(),
        message: message.into(),
    }
}

/// `x` must be a finite number.
pub(crate) fn finite(key: &str, x: f64) -> Result<f64, CohortError> {
    if x.is_finite() {
        Ok(x)
    } else {
        Err(bad(key, format!("must be a finite number, got {x}")))
    }
}

/// `s` must not be blank.
pub(crate) fn not_blank(key: &str, s: &str) -> Result<(), CohortError> {
    if s.trim().is_empty() {
        Err(bad(key, "must not be blank"))
    } else {
        Ok(())
    }
}

/// Column names: none blank, no duplicates.
pub(crate) fn column_list(key: &str, names: &[String]) -> Result<(), CohortError> {
    let mut seen = HashSet::new();
    for (i, n) in names.iter().enumerate() {
        not_blank(&format!("{key}[{i}]"), n)?;
        if !seen.insert(n.as_str()) {
            return Err(bad(
                &format!("{key}[{i}]"),
                format!("`{n}` is listed twice"),
            ));
        }
    }
    Ok(())
}

/// An inclusive range of days since ICU admission (day 1 = admission day), checked
/// `1 <= first <= last`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DayRange {
    first: i32,
    last: i32,
}

impl DayRange {
    /// Checks `[first, last]` for plan key `key`.
    ///
    /// # Errors
    /// [`CohortError::PlanValue`] unless `1 <= first <= last`.
    pub fn new(key: &str, [first, last]: [i32; 2]) -> Result<DayRange, CohortError> {
        if first < 1 || last < first {
            return Err(bad(
                key,
                format!("must satisfy 1 <= first <= last, got [{first}, {last}]"),
            ));
        }
        Ok(DayRange { first, last })
    }
    pub fn first(&self) -> i32 {
        self.first
    }
    pub fn last(&self) -> i32 {
        self.last
    }
    pub fn as_array(&self) -> [i32; 2] {
        [self.first, self.last]
    }
    /// Whether `last <= day`; else the error for `key`.
    fn within(self, key: &str, day: i32, what: &str) -> Result<DayRange, CohortError> {
        if self.last > day {
            return Err(bad(
                key,
                format!(
                    "must end by {what} (day {day}), got [{}, {}]",
                    self.first, self.last
                ),
            ));
        }
        Ok(self)
    }
}

/// Propensity-score trimming bounds, checked `0 <= lower < 0.5 < upper <= 1`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Trim {
    lower: f64,
    upper: f64,
}

impl Trim {
    fn new(key: &str, [lower, upper]: [f64; 2]) -> Result<Trim, CohortError> {
        finite(&format!("{key}[0]"), lower)?;
        finite(&format!("{key}[1]"), upper)?;
        if !((0.0..0.5).contains(&lower) && upper > 0.5 && upper <= 1.0) {
            return Err(bad(
                key,
                format!("must be [lower, upper] with 0 <= lower < 0.5 < upper <= 1, got [{lower}, {upper}]"),
            ));
        }
        Ok(Trim { lower, upper })
    }
    pub fn as_array(&self) -> [f64; 2] {
        [self.lower, self.upper]
    }
}

/// The checked DIC definition.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidDic {
    pub(crate) score: ScoreName,
    pub(crate) days: DayRange,
    pub(crate) coagulopathy: CoagulopathyRule,
}

/// The checked designs.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidDesign {
    /// The designs to run, primary first, each once.
    pub(crate) designs: Vec<Design>,
    pub(crate) tv_lag_days: f64,
    pub(crate) late_starters: LateStarters,
    pub(crate) min_per_arm: usize,
}

/// The checked propensity model.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidPropensity {
    pub(crate) covariates: Vec<String>,
    pub(crate) estimand: Estimand,
    pub(crate) stabilised: bool,
    pub(crate) trim: Option<Trim>,
    pub(crate) caliper_sd: f64,
    pub(crate) match_order: MatchOrder,
    pub(crate) strata: usize,
    pub(crate) quintile_replication: bool,
}

/// The checked inference options.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidInference {
    /// Bootstrap replicates (0: none).
    pub(crate) bootstrap: usize,
    pub(crate) bootstrap_method: BootstrapMethod,
    pub(crate) seed: u64,
    /// The cluster column of robust variances (`None`: each patient its own cluster).
    pub(crate) cluster: Option<String>,
}

/// A plan whose every value has been checked ([`Plan::check`]).
#[derive(Debug, Clone, PartialEq)]
pub struct ValidPlan {
    /// The plan as run, every default filled in (written as `plan.json`).
    as_run: Plan,
    pub(crate) title: String,
    pub(crate) scores: ScoreConfig,
    pub(crate) dic: ValidDic,
    pub(crate) exposure: ValidExposure,
    /// Outcome horizon in days.
    pub(crate) horizon: i32,
    /// What discharge alive means for every outcome.
    pub(crate) discharge: Discharge,
    pub(crate) inference: ValidInference,
    pub(crate) design: ValidDesign,
    pub(crate) propensity: ValidPropensity,
    pub(crate) subgroups: Vec<ValidSubgroup>,
    /// Continuous effect modifiers of the primary design.
    pub(crate) modifiers: Vec<super::modifiers::ValidModifier>,
    /// The plan's Table 1 variables, or the propensity covariates plus the coagulation group.
    pub(crate) table1_variables: Vec<String>,
    pub(crate) conf_level: f64,
    /// Multiple imputation (`None`: complete-case).
    pub(crate) imputation: Option<super::imputation::ValidImputation>,
}

impl ValidPlan {
    /// The embedded default plan, checked.
    pub fn default_plan() -> ValidPlan {
        Plan::default_plan()
            .check()
            .expect("the embedded default plan is valid")
    }

    /// Parses a plan and checks it.
    ///
    /// # Errors
    /// [`CohortError::PlanValue`] naming the key (unknown key, wrong type, value out of range),
    /// or [`CohortError::Plan`] for TOML that does not parse at all.
    pub fn from_toml(src: &str) -> Result<ValidPlan, CohortError> {
        Plan::from_toml(src)?.check()
    }

    /// The plan as run, every default filled in.
    pub fn as_run(&self) -> &Plan {
        &self.as_run
    }
    pub fn title(&self) -> &str {
        &self.title
    }
    /// The cohort folder or export file named by the plan (`path` or `file`, relative to the
    /// plan file), if any.
    pub fn cohort_path(&self) -> Option<&str> {
        let c = &self.as_run.cohort;
        c.path.as_deref().or(c.file.as_deref())
    }
    /// The mapping file named by the plan (relative to the plan file), if any.
    pub fn cohort_mapping(&self) -> Option<&str> {
        self.as_run.cohort.mapping.as_deref()
    }
    /// What the plan's cohort folder holds (canonical tables or a MIMIC-IV export).
    pub fn source(&self) -> super::plan::SourceKind {
        self.as_run.cohort.source
    }
    /// Lenient loading of the plan's cohort.
    pub fn lenient(&self) -> bool {
        self.as_run.cohort.lenient
    }
    pub fn horizon(&self) -> i32 {
        self.horizon
    }
    pub fn discharge(&self) -> Discharge {
        self.discharge
    }
    /// The cluster column of robust variances, if any.
    pub fn cluster(&self) -> Option<&str> {
        self.inference.cluster.as_deref()
    }
    pub fn exposure(&self) -> &ValidExposure {
        &self.exposure
    }
    /// The designs to run, primary first.
    pub fn designs(&self) -> &[Design] {
        &self.design.designs
    }
    pub fn subgroups(&self) -> &[ValidSubgroup] {
        &self.subgroups
    }
    pub fn table1_variables(&self) -> &[String] {
        &self.table1_variables
    }
    pub fn conf_level(&self) -> f64 {
        self.conf_level
    }
    /// The checked `[imputation]`, if the plan has one.
    pub fn imputation(&self) -> Option<&super::imputation::ValidImputation> {
        self.imputation.as_ref()
    }

    /// Frame columns the plan refers to (propensity covariates, the DIC definition, Table 1,
    /// subgroups), each once, in that order.
    pub fn required_columns(&self) -> Vec<String> {
        let mut names: Vec<String> = self.propensity.covariates.clone();
        names.push(dic_column(
            self.dic.score.as_str(),
            self.dic.days.as_array(),
        ));
        names.extend(self.table1_variables.iter().cloned());
        names.extend(self.inference.cluster.iter().cloned());
        names.extend(self.modifiers.iter().map(|m| m.column.clone()));
        for s in &self.subgroups {
            names.extend(s.required_columns());
        }
        names.extend(super::descriptive::columns(self.dic.score.as_str()));
        let mut seen = HashSet::new();
        names.retain(|n| seen.insert(n.clone()));
        names
    }
}

impl Plan {
    /// Checks every value of the plan (ranges in the module docs) into a [`ValidPlan`].
    ///
    /// # Errors
    /// [`CohortError::PlanValue`] for the first value out of range, naming its key.
    pub fn check(&self) -> Result<ValidPlan, CohortError> {
        not_blank("title", &self.title)?;
        for (col, l) in &self.labels {
            let key = format!("labels.{col}");
            not_blank(&key, l)?;
            if l.chars().any(char::is_control) || l.chars().count() > MAX_LABEL_CHARS {
                return Err(bad(
                    &key,
                    format!("must be one line of at most {MAX_LABEL_CHARS} characters"),
                ));
            }
        }
        let conf_level = finite("conf_level", self.conf_level)?;
        if !(conf_level > 0.0 && conf_level < 1.0) {
            return Err(bad(
                "conf_level",
                format!("must be in (0, 1), got {conf_level}"),
            ));
        }
        let c = &self.cohort;
        for (key, v) in [
            ("cohort.path", &c.path),
            ("cohort.file", &c.file),
            ("cohort.mapping", &c.mapping),
        ] {
            if let Some(p) = v {
                not_blank(key, p)?;
            }
        }
        if c.path.is_some() && c.file.is_some() {
            return Err(bad(
                "cohort.file",
                "give `path` (a folder or a file) or `file`, not both",
            ));
        }
        if c.mapping.is_some() && c.path.is_none() && c.file.is_none() {
            return Err(bad(
                "cohort.mapping",
                "needs the export it maps: add `file = \"my-export.csv\"` (relative to the plan)",
            ));
        }
        let dis = self.disclosure;
        if dis.threshold > MAX_DISCLOSURE_THRESHOLD {
            return Err(bad(
                "disclosure.threshold",
                format!(
                    "must be <= {MAX_DISCLOSURE_THRESHOLD}, got {}",
                    dis.threshold
                ),
            ));
        }
        if dis.base < 1 || dis.base > dis.threshold.max(1) {
            return Err(bad(
                "disclosure.base",
                format!(
                    "must be >= 1 and <= the threshold ({}), got {}",
                    dis.threshold, dis.base
                ),
            ));
        }
        self.scores
            .validate()
            .map_err(|e| bad("scores.isth_marker", e.to_string()))?;
        let horizon = self.outcome.horizon;
        if horizon < 1 {
            return Err(bad(
                "outcome.horizon",
                format!("must be > 0, got {horizon}"),
            ));
        }
        if horizon > MAX_HORIZON_DAYS {
            return Err(bad(
                "outcome.horizon",
                format!("must be at most {MAX_HORIZON_DAYS} days, got {horizon}"),
            ));
        }
        let exposure = self.exposure.check("exposure")?;
        if horizon <= exposure.window().last() {
            return Err(bad(
                "outcome.horizon",
                format!(
                    "must be after the end of the exposure window (day {}), got {horizon}",
                    exposure.window().last()
                ),
            ));
        }
        let dic = ValidDic {
            score: diagnostic_score("dic.score", self.dic.score.as_str())?,
            days: DayRange::new("dic.days", self.dic.days)?.within(
                "dic.days",
                horizon,
                "the outcome horizon",
            )?,
            coagulopathy: self.dic.coagulopathy,
        };
        let design = self.check_design(horizon)?;
        let propensity = self.check_propensity()?;
        let inference = self.check_inference()?;
        let mut subgroups: Vec<ValidSubgroup> = Vec::with_capacity(self.subgroups.len());
        for (i, s) in self.subgroups.iter().enumerate() {
            let key = format!("subgroups[{i}]");
            let v = s.check(&key, horizon)?;
            if let Some(j) = subgroups.iter().position(|o| o.name() == v.name()) {
                return Err(bad(
                    &key,
                    format!(
                        "has the name `{}` of subgroups[{j}]: give one of them a `name`",
                        v.name()
                    ),
                ));
            }
            subgroups.push(v);
        }
        let modifiers = self.check_modifiers()?;
        let table1_variables = match &self.table1.variables {
            Some(v) => {
                if v.is_empty() {
                    return Err(bad(
                        "table1.variables",
                        "must name at least one column (leave the key out for the default)",
                    ));
                }
                column_list("table1.variables", v)?;
                v.clone()
            }
            None => {
                let mut v = propensity.covariates.clone();
                v.push(COAGULATION_GROUP_COLUMN.into());
                v
            }
        };
        Ok(ValidPlan {
            as_run: self.clone(),
            title: self.title.clone(),
            scores: self.scores,
            dic,
            exposure,
            horizon,
            discharge: self.outcome.discharge,
            inference,
            design,
            propensity,
            subgroups,
            modifiers,
            table1_variables,
            conf_level,
            imputation: self.imputation.as_ref().map(|i| i.check()).transpose()?,
        })
    }

    /// `[[modifiers]]`, each checked, no column twice.
    fn check_modifiers(&self) -> Result<Vec<super::modifiers::ValidModifier>, CohortError> {
        let mut modifiers: Vec<super::modifiers::ValidModifier> = Vec::new();
        for (i, m) in self.modifiers.iter().enumerate() {
            let v = m.check(&format!("modifiers[{i}]"))?;
            if modifiers.iter().any(|o| o.column == v.column) {
                return Err(bad(
                    &format!("modifiers[{i}].column"),
                    format!("`{}` is listed twice", v.column),
                ));
            }
            modifiers.push(v);
        }
        Ok(modifiers)
    }

    fn check_design(&self, horizon: i32) -> Result<ValidDesign, CohortError> {
        let d = &self.design;
        if d.primary == Design::NaiveEverTreated {
            return Err(bad(
                "design.primary",
                "cannot be naive_ever_treated (immortal-time bias); list it under \
                 design.sensitivity to show it for comparison",
            ));
        }
        let lag = finite("design.tv_lag_days", d.tv_lag_days)?;
        if lag < 0.0 {
            return Err(bad(
                "design.tv_lag_days",
                format!("must be >= 0, got {lag}"),
            ));
        }
        if lag >= horizon as f64 {
            return Err(bad(
                "design.tv_lag_days",
                format!("must be less than the outcome horizon ({horizon} days), got {lag}"),
            ));
        }
        let mut designs = vec![d.primary];
        for s in &d.sensitivity {
            if !designs.contains(s) {
                designs.push(*s);
            }
        }
        if !(1..=MAX_MIN_PER_ARM).contains(&d.min_per_arm) {
            return Err(bad(
                "design.min_per_arm",
                format!("must be from 1 to {MAX_MIN_PER_ARM}, got {}", d.min_per_arm),
            ));
        }
        Ok(ValidDesign {
            designs,
            tv_lag_days: lag,
            late_starters: d.late_starters,
            min_per_arm: d.min_per_arm,
        })
    }

    fn check_propensity(&self) -> Result<ValidPropensity, CohortError> {
        let p = &self.propensity;
        column_list("propensity.covariates", &p.covariates)?;
        let trim = p
            .trim
            .map(|t| Trim::new("propensity.trim", t))
            .transpose()?;
        let caliper_sd = finite("propensity.caliper_sd", p.caliper_sd)?;
        if caliper_sd <= 0.0 {
            return Err(bad(
                "propensity.caliper_sd",
                format!("must be > 0, got {caliper_sd}"),
            ));
        }
        if !p.within_subgroups {
            return Err(bad(
                "propensity.within_subgroups",
                "only true is implemented (the propensity model is refitted within each \
                 subgroup level), got false",
            ));
        }
        if !(2..=MAX_PS_STRATA).contains(&p.strata) {
            return Err(bad(
                "propensity.strata",
                format!("must be from 2 to {MAX_PS_STRATA}, got {}", p.strata),
            ));
        }
        Ok(ValidPropensity {
            covariates: p.covariates.clone(),
            estimand: p.estimand,
            stabilised: p.stabilised,
            trim,
            caliper_sd,
            match_order: p.match_order,
            strata: p.strata,
            quintile_replication: p.quintile_replication,
        })
    }

    fn check_inference(&self) -> Result<ValidInference, CohortError> {
        let i = &self.inference;
        if i.bootstrap != 0 && !(MIN_BOOTSTRAP..=MAX_BOOTSTRAP).contains(&i.bootstrap) {
            return Err(bad(
                "inference.bootstrap",
                format!(
                    "must be 0 (no bootstrap) or from {MIN_BOOTSTRAP} to {MAX_BOOTSTRAP}, got {}",
                    i.bootstrap
                ),
            ));
        }
        not_blank("inference.cluster", &i.cluster)?;
        Ok(ValidInference {
            bootstrap: i.bootstrap,
            bootstrap_method: i.bootstrap_method,
            seed: i.seed,
            cluster: (i.cluster != "none").then(|| i.cluster.clone()),
        })
    }
}

/// The diagnostic score named `name` (the scores with a DIC diagnosis).
pub(crate) fn diagnostic_score(key: &str, name: &str) -> Result<ScoreName, CohortError> {
    let diagnostic: Vec<&str> = ScoreName::ALL
        .iter()
        .filter(|s| s.is_diagnostic())
        .map(|s| s.as_str())
        .collect();
    ScoreName::ALL
        .iter()
        .copied()
        .find(|s| s.as_str() == name && s.is_diagnostic())
        .ok_or_else(|| {
            bad(
                key,
                format!(
                    "`{name}` is not a diagnostic score ({})",
                    diagnostic.join(", ")
                ),
            )
        })
}
