//! The typed results of "who benefits, and at what cost" (plain data in `results/analysis.json`,
//! part of [`super::result::DesignResult`]): the hazard ratio of death along a continuous
//! effect modifier ([`ModifierResult`], from [`super::estimate::modifier`]) and the harm outcome,
//! major bleeding ([`HarmResult`], from [`super::estimate::harm`]).

use serde::{Deserialize, Serialize};

use super::result::Interval;

/// A ratio estimate (hazard or subdistribution hazard ratio) with its interval and p value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RatioEstimate {
    /// The model in words, e.g. "cause-specific Cox weighted by stabilised IPTW (ATE)".
    pub label: String,
    /// How the standard error was computed.
    pub variance: String,
    pub estimate: f64,
    pub lower: f64,
    pub upper: f64,
    pub p: f64,
}

/// A Wald test: chi-square on `df`, or its F form on `(df, df_denominator)` when the variance is
/// clustered by few clusters (as [`super::result::InteractionTest`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WaldTest {
    pub statistic: f64,
    pub df: usize,
    pub df_denominator: Option<usize>,
    pub p: f64,
}

/// The hazard ratio at one value of the modifier.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct HrPoint {
    pub modifier: f64,
    pub hr: f64,
    pub lower: f64,
    pub upper: f64,
}

/// The hazard ratio of death as a smooth function of a continuous modifier (plan
/// `[[modifiers]]`): exposure x restricted cubic spline of the modifier in the IPTW-weighted Cox
/// model of the population.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModifierResult {
    /// The patient column.
    pub column: String,
    /// Patients with the modifier recorded, by arm (exposed, unexposed), and their deaths.
    pub n: [usize; 2],
    pub deaths: [usize; 2],
    /// The spline's knots (Harrell's default percentiles, or the plan's).
    pub knots: Vec<f64>,
    /// The model and its variance in words.
    pub method: String,
    /// The curve on a grid from the larger of the arms' 5th percentiles to the smaller of their
    /// 95th (the region both arms support).
    pub curve: Vec<HrPoint>,
    /// H0: no effect modification (all exposure x spline terms 0).
    pub effect_modification: WaldTest,
    /// H0: the log hazard ratio is linear in the modifier.
    pub nonlinear_modification: WaldTest,
    /// The 5th, 25th, 50th, 75th and 95th percentiles of the modifier by arm (exposed,
    /// unexposed), R `quantile(type = 7)`.
    pub quantiles: [[f64; 5]; 2],
}

/// Cumulative incidence of bleeding at the horizon per arm and their difference.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HarmRisk {
    /// How, e.g. "Aalen-Johansen, unweighted (crude)".
    pub method: String,
    pub adjusted: bool,
    pub risk_exposed: Interval,
    pub risk_unexposed: Interval,
    /// `risk_exposed - risk_unexposed`, Wald interval from the arms' infinitesimal-jackknife
    /// standard errors (independent arms).
    pub risk_difference: Interval,
}

/// The harm outcome of a population: major bleeding by the horizon, death before bleeding a
/// competing event ([`super::bleeding`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HarmResult {
    /// The outcome in words.
    pub outcome: String,
    /// Patients by arm (exposed, unexposed) and their bleeds.
    pub n: [usize; 2],
    pub bleeds: [usize; 2],
    /// Crude and IPTW-weighted cumulative incidences.
    pub risks: Vec<HarmRisk>,
    /// The cause-specific hazard ratio of bleeding (death before bleeding censored).
    pub cause_specific: Option<RatioEstimate>,
    /// The Fine-Gray subdistribution hazard ratio of bleeding.
    pub subdistribution: Option<RatioEstimate>,
    pub notes: Vec<String>,
}
