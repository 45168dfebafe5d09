//! `cohort` layer: from scored canonical tables to the columns the statistics layer analyses, and
//! the analysis plan that ties a study together ("in which patients do anticoagulants lower
//! 28-day mortality?").
//!
//! - [`exposure`]: which treatment courses count, started within a grace window.
//! - [`outcome`]: 28-day mortality as a binary outcome, as time to death, and with discharge alive
//!   as a competing event.
//! - [`bleeding`]: the harm outcome, major bleeding by the horizon with death as a competing event.
//! - [`landmark`]: the immortal-time designs (landmark at the end of the window; exposure as a
//!   time-varying covariate in counting-process form) and the biased naive "ever treated" design.
//! - [`frame`]: named patient-level columns (patient table plus derived score labels).
//! - [`expr`] / [`subgroup`]: subgroup definitions, incl. user expressions over patient columns.
//! - [`propensity`], [`balance`], [`table1`]: confounding adjustment and its diagnostics.
//! - [`plan`] / [`valid_plan`]: the TOML analysis plan as read, and checked into the
//!   [`valid_plan::ValidPlan`] the pipeline takes.
//! - [`analysis`]: `run_plan`, the run that produces an [`result::AnalysisResult`]; [`sample`]
//!   builds each design's analysed sample, [`estimate`] holds one file per estimator.
//! - [`fingerprint`]: the fingerprint of a set of patients shared by the results and Table 1.
//! - [`estimand`]: what each design estimates, in parts and in one sentence.
//! - [`degenerate`]: the checks that stop a run analysing nobody (an arm below
//!   `design.min_per_arm`, exposure drugs no treatment row names).

pub mod analysis;
pub mod balance;
pub mod benefit_result;
pub mod bleeding;
pub mod degenerate;
pub mod derive;
pub mod descriptive;
pub mod estimand;
pub mod estimate;
pub mod exposure;
pub mod expr;
pub mod fingerprint;
pub mod frame;
pub mod imputation;
pub mod impute;
pub mod json;
pub mod labels;
pub mod landmark;
pub mod modifiers;
pub mod outcome;
pub mod plan;
pub mod propensity;
pub mod result;
pub mod results;
pub mod sample;
pub mod subgroup;
pub mod table1;
pub mod valid_plan;

/// Errors of the cohort layer.
#[derive(Debug, thiserror::Error)]
pub enum CohortError {
    #[error("analysis plan: {0}")]
    Plan(String),
    /// A plan value of the wrong type or out of range, or an unknown key.
    #[error("analysis plan: {key}: {message}")]
    PlanValue {
        /// The key's path, e.g. `design.tv_lag_days` or `subgroups[2].cuts` (0-based).
        key: String,
        message: String,
    },
    /// An estimate that cannot be made in this population (the note says why).
    #[error("{what}: {reason}")]
    NotEstimable { what: String, reason: String },
    #[error("subgroup expression `{expr}`: {message} (at character {position})")]
    Expression {
        expr: String,
        message: String,
        /// 1-based character position in the expression.
        position: usize,
    },
    #[error("unknown column `{0}`")]
    UnknownColumn(String),
    /// A design's analysed sample has fewer patients in an arm than the plan's
    /// `design.min_per_arm`: the message names the flow step and the column that removed them.
    #[error("{design} design: {message}")]
    TooFewPatients { design: String, message: String },
    #[error("invalid input: {0}")]
    InvalidInput(String),
    #[error("{context}: {source}")]
    Stats {
        context: String,
        #[source]
        source: crate::stats::StatsError,
    },
}
