//! The analysis plan: one TOML file naming the cohort, the DIC definition, the exposure and its
//! grace window, the outcome horizon, the designs, the propensity model, the subgroups and the
//! Table 1 variables. `plans/default.toml` is the commented reference (embedded as
//! [`DEFAULT_PLAN`]); every key has a default, so a plan states only what it changes.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::exposure::ExposureDef;
use super::landmark::Design;
use super::outcome::Discharge;
use super::propensity::{Estimand, MatchOrder};
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
    /// Continuous effect modifiers: the hazard ratio along each (`[[modifiers]]`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub modifiers: Vec<super::modifiers::ModifierSpec>,
    #[serde(default)]
    pub table1: Table1Spec,
    #[serde(default)]
    pub inference: InferenceSpec,
    /// Multiple imputation of incomplete day-1 labs (absent: complete-case).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub imputation: Option<super::imputation::ImputationSpec>,
    /// Confidence level of every interval.
    #[serde(default = "default_conf_level")]
    pub conf_level: f64,
    /// Disclosure control of the report (`dicohort analyze --disclosure/--min-cell` override).
    #[serde(default)]
    pub disclosure: DisclosureSpec,
    /// How the report names a column (`[labels]`, column = "label"); derived columns have
    /// defaults (`cohort::labels`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
}

/// The report's disclosure rule: `suppress` (cell suppression with complementary suppression)
/// or `round` (OpenSAFELY-style: counts below `threshold` withheld, the others rounded to a
/// multiple of `base`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum DisclosureKind {
    #[default]
    Suppress,
    Round,
}

/// `[disclosure]`: rule, threshold (counts from 1 to threshold - 1 withheld; 0 disables) and
/// rounding base.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DisclosureSpec {
    #[serde(default)]
    pub rule: DisclosureKind,
    #[serde(default = "disclosure_threshold")]
    pub threshold: u64,
    #[serde(default = "disclosure_base")]
    pub base: u64,
}

fn disclosure_threshold() -> u64 {
    10
}
fn disclosure_base() -> u64 {
    5
}

impl Default for DisclosureSpec {
    fn default() -> Self {
        DisclosureSpec {
            rule: DisclosureKind::Suppress,
            threshold: 10,
            base: 5,
        }
    }
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
    /// A cohort folder (canonical or registry-wide) or an export file, relative to the plan
    /// file; absent (and no `file`): the embedded synthetic registry
    /// (`simulate::default_registry()`).
    #[serde(default)]
    pub path: Option<String>,
    /// An export file of any name, relative to the plan file (read through `mapping` when
    /// given, else as a registry-wide export). Give `path` or `file`, not both.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// A mapping file (`data-schema/README.md`), relative to the plan file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mapping: Option<String>,
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

/// The outcome: mortality by `horizon` days in the three forms, under one rule for discharge
/// alive.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutcomeSpec {
    #[serde(default = "horizon")]
    pub horizon: i32,
    /// `alive-to-horizon` (default), `censor` or `competing` (see [`Discharge`]).
    #[serde(default)]
    pub discharge: Discharge,
}

fn horizon() -> i32 {
    28
}

impl Default for OutcomeSpec {
    fn default() -> Self {
        OutcomeSpec {
            horizon: 28,
            discharge: Discharge::AliveToHorizon,
        }
    }
}

/// How intervals are computed: the bootstrap of the absolute risks and the clustering of the
/// robust (sandwich) variances.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InferenceSpec {
    /// Bootstrap replicates of the absolute risks (0: none, delta-method / robust intervals only).
    #[serde(default = "bootstrap")]
    pub bootstrap: usize,
    /// How a replicate re-estimates the outcome and propensity models: `linearised` (the
    /// estimating-function bootstrap: one linear step of the replicate's estimating equations
    /// from the full-sample fit, first-order equivalent and O(n p)) or `refit` (IRLS to
    /// convergence on every replicate).
    #[serde(default)]
    pub bootstrap_method: BootstrapMethod,
    /// Seed of the bootstrap (the same seed gives the same intervals on any number of threads).
    #[serde(default = "seed")]
    pub seed: u64,
    /// Patient column whose values are the clusters of every robust variance (R `cluster()`),
    /// or `"none"` (each patient its own cluster). The default `site_id` applies when the
    /// column has at least two values.
    #[serde(default = "cluster")]
    pub cluster: String,
}

fn bootstrap() -> usize {
    500
}

/// How bootstrap replicates re-estimate the fitted models.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum BootstrapMethod {
    #[default]
    Linearised,
    Refit,
}
fn seed() -> u64 {
    2011
}
fn cluster() -> String {
    "site_id".into()
}

impl Default for InferenceSpec {
    fn default() -> Self {
        InferenceSpec {
            bootstrap: 500,
            bootstrap_method: BootstrapMethod::Linearised,
            seed: 2011,
            cluster: "site_id".into(),
        }
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
    /// Fewest patients each arm (exposed, unexposed) of a design's analysed sample must have;
    /// fewer is an error naming the flow step and the column that removed them.
    #[serde(default = "one")]
    pub min_per_arm: usize,
}

fn one() -> usize {
    1
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
            min_per_arm: 1,
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
    /// Order of the greedy 1:1 matching: `closest` pairs first (default) or `largest` score
    /// first (MatchIt's old default).
    #[serde(default)]
    pub match_order: MatchOrder,
    /// Number of propensity-score strata of marginal mean weighting through stratification.
    #[serde(default = "strata")]
    pub strata: usize,
    /// Also the Cox model stratified by propensity quintiles, labelled as the J-Septic DIC
    /// replication (a conditional, residually confounded estimate: never the answer).
    #[serde(default = "yes")]
    pub quintile_replication: bool,
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
fn strata() -> usize {
    20
}

impl Default for PropensitySpec {
    fn default() -> Self {
        PropensitySpec {
            covariates: default_covariates(),
            estimand: Estimand::Ate,
            stabilised: true,
            trim: None,
            caliper_sd: 0.2,
            match_order: MatchOrder::Closest,
            strata: 20,
            quintile_replication: true,
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
    /// Parses a plan: TOML syntax, the type of every value and unknown keys. Ranges are checked
    /// by [`Plan::check`] (or parse and check at once with
    /// [`super::valid_plan::ValidPlan::from_toml`]).
    ///
    /// # Errors
    /// [`CohortError::PlanValue`] naming the key's path (e.g. `design.foo: unknown field ...`,
    /// with its line and column), or [`CohortError::Plan`] when no key can be named.
    pub fn from_toml(src: &str) -> Result<Plan, CohortError> {
        toml::from_str(src).map_err(|e| toml_error(src, &e))
    }

    /// The embedded default plan, as parsed (see
    /// [`super::valid_plan::ValidPlan::default_plan`] for it checked).
    pub fn default_plan() -> Plan {
        Plan::from_toml(DEFAULT_PLAN).expect("the embedded default plan parses")
    }
}

/// A TOML error as a plan error naming the key's path, found from the error's position.
fn toml_error(src: &str, e: &toml::de::Error) -> CohortError {
    let message = e.message().trim().to_string();
    let Some(span) = e.span() else {
        return CohortError::Plan(message);
    };
    let at = span.start.min(src.len());
    let before = &src[..at];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    match key_path_at(src, at) {
        Some(key) if key.starts_with("subgroups") => {
            subgroup_error(src).unwrap_or_else(|| CohortError::PlanValue {
                key,
                message: format!("{message} (line {line}, column {column})"),
            })
        }
        Some(key) => CohortError::PlanValue {
            key,
            message: format!("{message} (line {line}, column {column})"),
        },
        None => CohortError::Plan(format!("{message} (line {line}, column {column})")),
    }
}

/// The error of the first `[[subgroups]]` entry that does not read as a subgroup, naming its
/// index: errors inside an entry (a tagged enum) carry the position of the whole array, so each
/// entry is read again on its own.
fn subgroup_error(src: &str) -> Option<CohortError> {
    let table: toml::Table = toml::from_str(src).ok()?;
    let entries = table.get("subgroups")?.as_array()?;
    let (k, e) = entries
        .iter()
        .enumerate()
        .find_map(|(k, v)| v.clone().try_into::<SubgroupSpec>().err().map(|e| (k, e)))?;
    let line = src
        .split('\n')
        .enumerate()
        .filter(|(_, l)| l.trim_start().starts_with("[[subgroups]]"))
        .nth(k)
        .map(|(i, _)| format!(" (line {})", i + 1))
        .unwrap_or_default();
    Some(CohortError::PlanValue {
        key: format!("subgroups[{k}]"),
        message: format!("{}{line}", e.message().trim()),
    })
}

/// The dotted path of the key whose line holds byte `at` of the TOML document `src`: the
/// enclosing table header (`[design]` -> `design`; the k-th `[[subgroups]]` -> `subgroups[k]`,
/// 0-based) and the nearest `key =` at or above that line within the table (a value may continue
/// over several lines). A position on a header line names the table.
fn key_path_at(src: &str, at: usize) -> Option<String> {
    let mut table: Option<String> = None;
    let mut key: Option<String> = None;
    let mut counts: std::collections::HashMap<String, usize> = Default::default();
    let mut start = 0;
    for line in src.split_inclusive('\n') {
        let t = line.trim();
        if let Some(rest) = t.strip_prefix("[[") {
            let name = rest.split("]]").next().unwrap_or("").trim().to_string();
            let k = counts.entry(name.clone()).or_insert(0);
            table = Some(format!("{name}[{k}]"));
            *k += 1;
            key = None;
        } else if let Some(rest) = t.strip_prefix('[') {
            table = Some(rest.split(']').next().unwrap_or("").trim().to_string());
            key = None;
        } else if let Some(k) = line_key(t) {
            key = Some(k);
        }
        start += line.len();
        if at < start {
            break;
        }
    }
    let key = key.map(|k| k.replace(['"', '\''], ""));
    match (table, key) {
        (Some(t), Some(k)) => Some(format!("{t}.{k}")),
        (Some(t), None) => Some(t),
        (None, k) => k,
    }
}

/// The key of a `key = value` line, if the line starts with one.
fn line_key(t: &str) -> Option<String> {
    if t.starts_with('#') {
        return None;
    }
    let (k, _) = t.split_once('=')?;
    let k = k.trim();
    let is_key = !k.is_empty()
        && k.chars()
            .all(|c| c.is_alphanumeric() || "_-.\"' ".contains(c));
    is_key.then(|| k.to_string())
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
    fn bad_plans_are_rejected_naming_the_key() {
        use crate::cohort::valid_plan::ValidPlan;
        let key = |src: &str| match ValidPlan::from_toml(src) {
            Err(CohortError::PlanValue { key, .. }) => key,
            other => panic!("{src}: {other:?}"),
        };
        assert_eq!(
            key("[design]\nprimary = \"naive_ever_treated\"\n"),
            "design.primary"
        );
        assert_eq!(key("[exposure]\nwindow = [3, 1]\n"), "exposure.window");
        assert_eq!(key("[dic]\nscore = \"sofa\"\n"), "dic.score");
        assert_eq!(key("unknown_key = 1\n"), "unknown_key");
        assert_eq!(
            key("[[subgroups]]\nkind = \"expression\"\nexpr = \"age >\"\n"),
            "subgroups[0].expr"
        );
        assert_eq!(key("[propensity]\ntrim = [0.9, 0.1]\n"), "propensity.trim");
    }

    #[test]
    fn key_path_of_a_position() {
        let src = "a = 1\n[design]\nx = [1,\n  2]\n[[s]]\n[[s]]\ny = \"q\"\n";
        let at = |needle: &str| key_path_at(src, src.find(needle).unwrap());
        assert_eq!(at("a").as_deref(), Some("a"));
        assert_eq!(at("2]").as_deref(), Some("design.x"));
        assert_eq!(at("[design]").as_deref(), Some("design"));
        assert_eq!(at("y =").as_deref(), Some("s[1].y"));
    }
}
