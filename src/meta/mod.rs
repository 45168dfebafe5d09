//! Meta-analysis of 2x2 trial counts with parity to R `metafor` (3.8): effect sizes as `escalc`,
//! inverse-variance fixed effect and random effects (DerSimonian-Laird, REML, Paule-Mandel,
//! Hunter-Schmidt) as `rma.uni`, Hartung-Knapp-Sidik-Jonkman as `test = "knha"`, Mantel-Haenszel
//! as `rma.mh`, Peto as `rma.peto`, Q-profile tau^2 interval as `confint.rma.uni`, prediction
//! interval as `predict.rma`, leave-one-out as `leave1out`, and subgroup analysis with the test
//! of subgroup differences.
//!
//! A trial is a [`TwoByTwo`] of `stats::twobytwo`, whose Wald measures give the study-level
//! effects and whose Mantel-Haenszel estimator is the one `rma.mh` uses. Trial files (CSV,
//! Parquet, or the bundled table held in memory) are read from a `load::Input` by [`trials`],
//! which also applies `--filter`, `--exclude` and the missing-count rule, and pooled by
//! [`analysis`] (the nested-row rule, subgroups, leave-one-out); [`analyse_input`] does both.
//!
//! Differences from metafor, on purpose: a pooled fixed-effect model reports its prediction
//! interval (equal to the CI) where `predict.rma` leaves it out; everything else is metafor's
//! default unless an option says otherwise.
//!
//! Cost: every estimator is O(k) per iteration in the number of studies (REML and PM iterate at
//! most 100 times, the tau^2 profile interval 1000), so any realistic meta-analysis takes
//! microseconds.
//!
//! Imports: `stats` (2x2 tables, Mantel-Haenszel), `load` (reading the trial file) and `schema`
//! through them; nothing above.

pub mod analysis;
pub mod effect;
pub mod fixed;
pub mod heterogeneity;
pub mod loo;
pub mod random;
pub mod roots;
pub mod subgroup;
pub mod trials;

use serde::Serialize;

use crate::stats::dist;

pub use crate::stats::twobytwo::TwoByTwo;
pub use analysis::{analyse, LeftOut, NestedOut, NotPooled, Pool, TrialAnalysis};
pub use effect::{
    arm_counts, escalc, is_double_zero, trial_table, validate_table, AddTo, DoubleZero,
    EffectSizes, Measure, ZeroCellRule,
};
pub use fixed::{fixed_effect, mantel_haenszel, peto};
pub use heterogeneity::{cochran_q, tau2_qprofile_ci, Tau2Interval};
pub use loo::{leave_one_out, LeaveOneOut};
pub use random::{rma_uni, Tau2Estimator};
pub use subgroup::{subgroup_analysis, BetweenSubgroupTest, SubgroupAnalysis};
pub use trials::{select, Filter, Omitted, Selection, Trial, TrialFile, Trials};

/// Reads a trial file, selects its rows and pools them: [`TrialFile::read`], [`select`],
/// [`analyse`].
///
/// # Errors
/// Those of the three steps.
pub fn analyse_input(
    input: &crate::load::Input,
    selection: &Selection,
    measure: Measure,
    options: MetaOptions,
    leave_one_out: bool,
) -> Result<TrialAnalysis, MetaError> {
    let file = TrialFile::read(input)?;
    let selected = select(&file, selection)?;
    analyse(selected, selection, measure, options, leave_one_out)
}

/// Errors of the meta-analysis layer. Study numbers are 1-based positions in the input.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum MetaError {
    #[error("study {study}, column `{column}`: {message}")]
    InvalidCounts {
        study: usize,
        column: &'static str,
        message: String,
    },
    #[error("invalid input: {0}")]
    InvalidInput(String),
    #[error("no studies to pool (k = 0)")]
    NoStudies,
    #[error(
        "no studies to pool: every study ({n}) has no events (or only events) in both arms, \
         and double-zero studies are dropped (drop00 = TRUE; --double-zero keep keeps them)"
    )]
    AllDoubleZero { n: usize },
    /// A problem in the trial file, with its file, row (1-based, header excluded) and column.
    #[error("{}", data_message(.file, *.row, .column.as_deref(), .message))]
    Data {
        file: String,
        row: Option<usize>,
        column: Option<String>,
        message: String,
    },
    /// The trial file could not be read (the loading layer's message).
    #[error("{0}")]
    Load(String),
    #[error("{method}: {message}")]
    NotEstimable {
        method: &'static str,
        message: String,
    },
    #[error("{method} did not converge after {iterations} iterations")]
    NonConvergence {
        method: &'static str,
        iterations: usize,
    },
}

fn data_message(file: &str, row: Option<usize>, column: Option<&str>, message: &str) -> String {
    match (row, column) {
        (Some(r), Some(c)) => format!("{file}: row {r}, column `{c}`: {message}"),
        (Some(r), None) => format!("{file}: row {r}: {message}"),
        (None, Some(c)) => format!("{file}: column `{c}`: {message}"),
        (None, None) => format!("{file}: {message}"),
    }
}

/// How the pooled estimate is obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Method {
    /// Inverse-variance fixed (common) effect: `rma(method = "FE")`.
    IV,
    /// Mantel-Haenszel: `rma.mh`.
    MH,
    /// Peto's one-step odds ratio: `rma.peto`.
    Peto,
    /// Random effects, tau^2 by DerSimonian-Laird: `rma(method = "DL")`.
    DL,
    /// Random effects, tau^2 by restricted maximum likelihood: `rma(method = "REML")`.
    REML,
    /// Random effects, tau^2 by Paule-Mandel: `rma(method = "PM")`.
    PM,
    /// Random effects, tau^2 by Hunter-Schmidt: `rma(method = "HS")`.
    HS,
}

impl Method {
    pub fn name(self) -> &'static str {
        match self {
            Method::IV => "IV",
            Method::MH => "MH",
            Method::Peto => "PETO",
            Method::DL => "DL",
            Method::REML => "REML",
            Method::PM => "PM",
            Method::HS => "HS",
        }
    }

    /// The tau^2 estimator of a random-effects method (`None` for the fixed-effect methods).
    pub fn tau2_estimator(self) -> Option<Tau2Estimator> {
        match self {
            Method::DL => Some(Tau2Estimator::DerSimonianLaird),
            Method::REML => Some(Tau2Estimator::Reml),
            Method::PM => Some(Tau2Estimator::PauleMandel),
            Method::HS => Some(Tau2Estimator::HunterSchmidt),
            _ => None,
        }
    }
}

impl std::str::FromStr for Method {
    type Err = MetaError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_uppercase().as_str() {
            "IV" | "FE" | "EE" => Ok(Method::IV),
            "MH" => Ok(Method::MH),
            "PETO" => Ok(Method::Peto),
            "DL" => Ok(Method::DL),
            "REML" => Ok(Method::REML),
            "PM" => Ok(Method::PM),
            "HS" => Ok(Method::HS),
            _ => Err(MetaError::InvalidInput(format!(
                "unknown method `{s}` (expected IV, MH, PETO, DL, REML, PM or HS)"
            ))),
        }
    }
}

/// Inference for the pooled effect: normal (`test = "z"`) or Hartung-Knapp-Sidik-Jonkman
/// (`test = "knha"`: variance times `sum(w (y - mu)^2) / (k - 1)`, not truncated at 1, and t with
/// k - 1 df).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Test {
    Z,
    Knha,
}

/// Options shared by every pooling method.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct MetaOptions {
    pub method: Method,
    pub test: Test,
    /// Confidence level in (0, 1), e.g. 0.95.
    pub level: f64,
    /// Double-zero studies: [`DoubleZero::metafor_default`] of the method unless asked.
    pub double_zero: DoubleZero,
}

impl MetaOptions {
    /// z tests at 95% and metafor's double-zero default for the method.
    pub fn new(method: Method) -> Self {
        MetaOptions {
            method,
            test: Test::Z,
            level: 0.95,
            double_zero: DoubleZero::metafor_default(method),
        }
    }

    /// The same options with another inference.
    pub fn with_test(self, test: Test) -> Self {
        MetaOptions { test, ..self }
    }

    /// The same options with another double-zero rule.
    pub fn with_double_zero(self, double_zero: DoubleZero) -> Self {
        MetaOptions {
            double_zero,
            ..self
        }
    }
}

/// A pooled analysis, on the analysis scale (log for RR and OR, as metafor's `b`).
/// Values metafor reports as `NA` are NaN here.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Pooled {
    pub method: Method,
    pub test: Test,
    pub level: f64,
    pub estimate: f64,
    pub se: f64,
    /// z (or t under knha) statistic.
    pub statistic: f64,
    pub p: f64,
    pub ci_lower: f64,
    pub ci_upper: f64,
    /// Degrees of freedom of the t reference under knha.
    pub df: Option<f64>,
    /// Knapp-Hartung variance factor `s2w` (knha only).
    pub knha_factor: Option<f64>,
    pub tau2: f64,
    /// Q-profile interval for tau^2 (random-effects methods with k >= 2).
    pub tau2_ci: Option<Tau2Interval>,
    /// Cochran's Q (for MH and Peto as `rma.mh` / `rma.peto` report it).
    pub q: f64,
    pub q_df: usize,
    pub q_p: f64,
    /// I^2 in percent.
    pub i2: f64,
    pub h2: f64,
    /// Number of studies (for MH/Peto: tables, as metafor's `k`).
    pub k: usize,
    pub pi_lower: f64,
    pub pi_upper: f64,
}

/// A full analysis of 2x2 tables: the study-level effect sizes and the pooled result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MetaAnalysis {
    pub measure: Measure,
    pub effects: EffectSizes,
    pub pooled: Pooled,
}

/// Pools 2x2 tables with the chosen measure and method. Zero cells: 1/2 added to every cell of
/// a study with a zero cell (`to = "only0"`), double-zero studies by `options.double_zero`
/// (for MH and Peto the pooled estimate itself is computed from every table without continuity
/// correction, and the rule applies to the study-level effects behind Q, as `rma.mh` /
/// `rma.peto`).
///
/// # Errors
/// [`MetaError::InvalidCounts`] for bad counts, [`MetaError::NoStudies`] /
/// [`MetaError::AllDoubleZero`] when nothing is left to pool, [`MetaError::InvalidInput`] for a
/// method that does not apply (Peto with RR/RD, Knapp-Hartung with MH/Peto), and the pooling
/// methods' own errors.
pub fn meta_analysis(
    tables: &[TwoByTwo],
    measure: Measure,
    options: MetaOptions,
) -> Result<MetaAnalysis, MetaError> {
    let rule = ZeroCellRule::with_double_zero(options.double_zero);
    let effects = escalc(measure, tables, rule)?;
    let pooled = match options.method {
        Method::MH => {
            reject_knha(options)?;
            mantel_haenszel(measure, tables, options.level, options.double_zero)?
        }
        Method::Peto => {
            reject_knha(options)?;
            if measure != Measure::OR {
                return Err(MetaError::InvalidInput(
                    "Peto's method pools odds ratios only (--measure OR)".into(),
                ));
            }
            peto(tables, options.level, options.double_zero)?
        }
        _ if effects.yi.is_empty() && !tables.is_empty() => {
            return Err(MetaError::AllDoubleZero { n: tables.len() })
        }
        m => rma_uni(&effects.yi, &effects.vi, m, options.test, options.level)?,
    };
    Ok(MetaAnalysis {
        measure,
        effects,
        pooled,
    })
}

fn reject_knha(options: MetaOptions) -> Result<(), MetaError> {
    if options.test == Test::Knha {
        return Err(MetaError::InvalidInput(format!(
            "the Hartung-Knapp-Sidik-Jonkman adjustment applies to inverse-variance models, not {}",
            options.method.name()
        )));
    }
    Ok(())
}

/// Two-sided normal critical value for a confidence level: R `qnorm((1 + level) / 2)`.
pub fn z_critical(level: f64) -> f64 {
    dist::qnorm_upper((1.0 - level) / 2.0)
}

/// `exp` of a value on the log scale for ratio measures, identity for RD.
pub fn back_transform(measure: Measure, x: f64) -> f64 {
    if measure.is_ratio() {
        x.exp()
    } else {
        x
    }
}
