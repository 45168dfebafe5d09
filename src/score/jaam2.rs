//! JAAM-2 DIC (Yamakawa K et al., Thromb Haemost 2024;124:1003-1012): the JAAM score without the
//! SIRS item. DIC if total >= 3 (0-7). Items as in [`super::jaam`].

use super::fall::PlateletFall;
use super::jaam::{fdp_item, platelet_item, pt_ratio_item};
use super::{missing_items, Dx, Points, Score};

/// JAAM-2 diagnostic threshold.
pub const JAAM2_DIC: i8 = 3;

/// The inputs of one patient-day.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Jaam2Day {
    /// x10^3/uL.
    pub platelets: f64,
    pub fall: PlateletFall,
    pub pt_ratio: f64,
    /// ug/mL.
    pub fdp: f64,
}

/// Each item's points.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Jaam2Breakdown {
    pub platelets: Points,
    pub pt_ratio: Points,
    pub fdp: Points,
}

/// JAAM-2 DIC score of one patient-day.
#[inline(always)]
pub fn jaam2(d: &Jaam2Day) -> Jaam2Breakdown {
    Jaam2Breakdown {
        platelets: platelet_item(d.platelets, d.fall),
        pt_ratio: pt_ratio_item(d.pt_ratio),
        fdp: fdp_item(d.fdp),
    }
}

impl Jaam2Breakdown {
    pub fn items(&self) -> [(&'static str, Points); 3] {
        [
            ("platelets", self.platelets),
            ("pt_ratio", self.pt_ratio),
            ("fdp", self.fdp),
        ]
    }
    #[inline(always)]
    pub fn total(&self) -> Points {
        self.platelets + self.pt_ratio + self.fdp
    }
    pub fn score(&self) -> Score {
        self.total().score(missing_items(&self.items()))
    }
    /// DIC if total >= 3.
    #[inline(always)]
    pub fn dx(&self) -> Dx {
        self.total().dx_at_least(JAAM2_DIC)
    }
}
