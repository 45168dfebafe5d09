//! JAAM DIC (Gando S et al., Crit Care Med 2006;34:625-631, Table 1). DIC if total >= 4 (0-8).
//!
//! | item | 0 | 1 | 3 |
//! |---|---|---|---|
//! | SIRS criteria | 0-2 | >= 3 | |
//! | platelets x10^3/uL | >= 120 | >= 80 and < 120, or 30-50% fall in 24 h | < 80, or > 50% fall in 24 h |
//! | PT ratio | < 1.2 | >= 1.2 | |
//! | FDP ug/mL | < 10 | >= 10 and < 25 | >= 25 |
//!
//! The platelet item is the higher of the count and the fall criterion (see [`super::fall`]).

use super::fall::PlateletFall;
use super::{measured, missing_items, Dx, Points, Score};

/// JAAM diagnostic threshold.
pub const JAAM_DIC: i8 = 4;

/// The inputs of one patient-day.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct JaamDay {
    /// Number of SIRS criteria met (bounds), from [`super::sirs::SirsBreakdown::total`].
    pub sirs: Points,
    /// x10^3/uL.
    pub platelets: f64,
    /// 24-hour fall, from [`PlateletFall::new`].
    pub fall: PlateletFall,
    /// PT ratio (patient / control).
    pub pt_ratio: f64,
    /// ug/mL.
    pub fdp: f64,
}

/// Each item's points.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct JaamBreakdown {
    pub sirs: Points,
    pub platelets: Points,
    pub pt_ratio: Points,
    pub fdp: Points,
}

/// JAAM platelet item: count < 80 or fall > 50% scores 3; count < 120 or fall >= 30% scores 1.
#[inline(always)]
pub(crate) fn platelet_item(p: f64, fall: PlateletFall) -> Points {
    let count = measured(p, (p < 120.0) as i8 + 2 * (p < 80.0) as i8, 0, 3);
    let by_fall = Points {
        min: fall.at_least_30.min.max(3 * fall.large.min),
        max: fall.at_least_30.max.max(3 * fall.large.max),
    };
    count.max_of(by_fall)
}

#[inline(always)]
pub(crate) fn pt_ratio_item(r: f64) -> Points {
    measured(r, (r >= 1.2) as i8, 0, 1)
}

#[inline(always)]
pub(crate) fn fdp_item(f: f64) -> Points {
    measured(f, (f >= 10.0) as i8 + 2 * (f >= 25.0) as i8, 0, 3)
}

/// JAAM DIC score of one patient-day.
#[inline(always)]
pub fn jaam(d: &JaamDay) -> JaamBreakdown {
    JaamBreakdown {
        sirs: Points {
            min: (d.sirs.min >= 3) as i8,
            max: (d.sirs.max >= 3) as i8,
        },
        platelets: platelet_item(d.platelets, d.fall),
        pt_ratio: pt_ratio_item(d.pt_ratio),
        fdp: fdp_item(d.fdp),
    }
}

impl JaamBreakdown {
    pub fn items(&self) -> [(&'static str, Points); 4] {
        [
            ("sirs", self.sirs),
            ("platelets", self.platelets),
            ("pt_ratio", self.pt_ratio),
            ("fdp", self.fdp),
        ]
    }
    #[inline(always)]
    pub fn total(&self) -> Points {
        self.sirs + self.platelets + self.pt_ratio + self.fdp
    }
    pub fn score(&self) -> Score {
        self.total().score(missing_items(&self.items()))
    }
    /// DIC if total >= 4.
    #[inline(always)]
    pub fn dx(&self) -> Dx {
        self.total().dx_at_least(JAAM_DIC)
    }
}
