//! The 24-hour platelet fall used by JAAM (Gando 2006: "30-50% / > 50% reduction within 24 h")
//! and JSTH 2017 (Asakura 2017, Table 1 note *1: ">= 30% decrease within 24 h").
//!
//! fall = (reference - current) / reference, compared exactly without floating division:
//! "fall >= 30%" is `10 * (R - C) >= 3 * R` and "fall > 50%" is `2 * (R - C) > R`, on counts
//! quantised to integer units of 0.001 x10^3/uL, so that 200 -> 140 is exactly a 30% fall (and so
//! is any pair given with up to 3 decimals). A reference of 0 has no fall.

use super::config::{JaamFall50, ScoreConfig};
use super::Points;

/// The platelet count of the day before, as the engine finds it in a day table.
///
/// `None`: the patient's first recorded day (no earlier value: the fall criterion is not met,
/// scoring 0, not missing). `Some(NaN)`: the previous calendar day exists but its count is missing
/// (or that day was not recorded): the fall is unknown.
pub type PreviousPlatelets = Option<f64>;

/// Whether the fall criteria are met, each as points in {0, 1} (a range when unknown).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PlateletFall {
    /// Fall of 30% or more.
    pub at_least_30: Points,
    /// JAAM's large fall: more than 50% (default) or 50% or more ([`JaamFall50`]).
    pub large: Points,
}

/// A platelet count in integer units of 0.001 x10^3/uL (round half up; counts are >= 0), held
/// in an `f64`: integers below 2^53 are exact, so the fall comparisons below are exact integer
/// comparisons for every count under 9 x 10^11 x10^3/uL (and vectorise, unlike an i64 cast).
/// NaN stays NaN (only used when known).
#[inline(always)]
fn milli(x: f64) -> f64 {
    (x * 1000.0 + 0.5).trunc()
}

impl PlateletFall {
    /// No fall can be measured (first recorded day): both criteria not met.
    pub const FIRST_DAY: PlateletFall = PlateletFall {
        at_least_30: Points::exact(0),
        large: Points::exact(0),
    };
    /// Fall unknown: both criteria undecided.
    pub const UNKNOWN: PlateletFall = PlateletFall {
        at_least_30: Points::range(0, 1),
        large: Points::range(0, 1),
    };

    /// The fall from the previous day's count `previous` to today's `current`.
    #[inline(always)]
    pub fn new(current: f64, previous: PreviousPlatelets, cfg: &ScoreConfig) -> PlateletFall {
        PlateletFall::from_parts(
            current,
            previous.is_none(),
            previous.unwrap_or(f64::NAN),
            cfg,
        )
    }

    /// As [`PlateletFall::new`], with the first recorded day as a flag and the previous count
    /// as a number (NaN = missing), computed with selects only (no branches).
    #[inline(always)]
    pub fn from_parts(current: f64, first_day: bool, previous: f64, cfg: &ScoreConfig) -> Self {
        let unknown = !first_day & (current.is_nan() | previous.is_nan());
        let r = milli(previous); // NaN: only used when known
        let c = milli(current);
        let drop = r - c;
        let has_ref = r > 0.0;
        let ge30 = has_ref & (10.0 * drop >= 3.0 * r);
        let large = has_ref
            & match cfg.jaam_fall_50 {
                JaamFall50::ScoresOne => 2.0 * drop > r,
                JaamFall50::ScoresThree => 2.0 * drop >= r,
            };
        let known = !first_day & !unknown;
        let bounds = |met: bool| Points {
            min: (known & met) as i8,
            max: ((known & met) | unknown) as i8,
        };
        PlateletFall {
            at_least_30: bounds(ge30),
            large: bounds(large),
        }
    }
}
