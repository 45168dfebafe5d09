//! The plan's `[imputation]` table: multiple imputation by chained equations of the incomplete
//! day-1 labs (`stats::mice`), as read and as checked.
//!
//! ```toml
//! [imputation]
//! m = 20            # imputations
//! method = "pmm"    # predictive mean matching (continuous), logistic regression (binary)
//! maxit = 5         # iterations of each chain
//! donors = 5        # PMM donors
//! seed = 20260401   # imputation l uses its own stream from (seed, l): thread-count independent
//! ```
//!
//! `run_plan` refuses a plan with `[imputation]` rather than silently analysing it
//! complete-case: the imputed analysis is `super::impute::run_plan_imputed`, which so far pools
//! the primary IPTW hazard ratio only (not yet the risks, subgroups or the report).

use serde::{Deserialize, Serialize};

use super::valid_plan::bad;
use super::CohortError;
use crate::stats::mice::MiceOptions;

/// Most imputations accepted.
pub const MAX_IMPUTATIONS: usize = 1000;
/// Most iterations per chain accepted.
pub const MAX_ITERATIONS: usize = 200;

/// How incomplete variables are imputed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum ImputationMethod {
    /// Predictive mean matching for continuous variables, logistic regression for binary ones
    /// (R mice's defaults `pmm` / `logreg`).
    #[default]
    Pmm,
}

/// `[imputation]` as read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImputationSpec {
    #[serde(default = "m")]
    pub m: usize,
    #[serde(default)]
    pub method: ImputationMethod,
    #[serde(default = "maxit")]
    pub maxit: usize,
    #[serde(default = "donors")]
    pub donors: usize,
    #[serde(default = "seed")]
    pub seed: u64,
}

fn m() -> usize {
    20
}
fn maxit() -> usize {
    5
}
fn donors() -> usize {
    5
}
fn seed() -> u64 {
    20_260_401
}

impl Default for ImputationSpec {
    fn default() -> Self {
        ImputationSpec {
            m: m(),
            method: ImputationMethod::Pmm,
            maxit: maxit(),
            donors: donors(),
            seed: seed(),
        }
    }
}

/// The checked `[imputation]`.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidImputation {
    pub(crate) method: ImputationMethod,
    pub(crate) options: MiceOptions,
}

impl ValidImputation {
    pub fn method(&self) -> ImputationMethod {
        self.method
    }
    /// The options of `stats::mice::mice` (still checked against the data there).
    pub fn mice_options(&self) -> &MiceOptions {
        &self.options
    }
}

impl ImputationSpec {
    /// Checks `[imputation]`: `2 <= m <= MAX_IMPUTATIONS` (Rubin's rules need two),
    /// `1 <= maxit <= MAX_ITERATIONS`, `1 <= donors <= 50`.
    ///
    /// # Errors
    /// [`CohortError::PlanValue`] naming `imputation.m`, `imputation.maxit` or `imputation.donors`.
    pub fn check(&self) -> Result<ValidImputation, CohortError> {
        if !(2..=MAX_IMPUTATIONS).contains(&self.m) {
            return Err(bad(
                "imputation.m",
                format!("must be from 2 to {MAX_IMPUTATIONS}, got {}", self.m),
            ));
        }
        if !(1..=MAX_ITERATIONS).contains(&self.maxit) {
            return Err(bad(
                "imputation.maxit",
                format!("must be from 1 to {MAX_ITERATIONS}, got {}", self.maxit),
            ));
        }
        if !(1..=50).contains(&self.donors) {
            return Err(bad(
                "imputation.donors",
                format!("must be from 1 to 50, got {}", self.donors),
            ));
        }
        Ok(ValidImputation {
            method: self.method,
            options: MiceOptions {
                m: self.m,
                maxit: self.maxit,
                seed: self.seed,
                donors: self.donors,
                ..MiceOptions::default()
            },
        })
    }
}
