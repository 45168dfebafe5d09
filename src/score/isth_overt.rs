//! ISTH overt DIC (Taylor FB Jr et al., Thromb Haemost 2001;86:1327-1330). Overt DIC if total
//! >= 5 (0-8). The underlying disorder (sepsis) is taken as present in a sepsis cohort.
//!
//! | item | 0 | 1 | 2 | 3 |
//! |---|---|---|---|---|
//! | platelets x10^3/uL | >= 100 | 50 to < 100 | < 50 | |
//! | fibrin-related marker | no increase | | moderate | strong |
//! | PT prolongation (s over control) | < 3 | >= 3 and < 6 | >= 6 | |
//! | fibrinogen mg/dL | >= 100 | < 100 | | |
//!
//! The marker cut-offs are laboratory-specific: see [`IsthMarker`]. The source writes "> 3 but
//! < 6 s" and "> 6 s" for the PT; exactly 3 and 6 s are scored 1 and 2 (scoring-rules.md). When
//! only the INR is known the PT seconds are missing, not zero.

use super::config::{IsthMarker, ScoreConfig};
use super::{measured, missing_items, Dx, Points, Score};

/// ISTH overt DIC threshold.
pub const ISTH_OVERT_DIC: i8 = 5;

/// The inputs of one patient-day.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct IsthDay {
    /// x10^3/uL.
    pub platelets: f64,
    /// ug/mL (preset `fdp-jp`).
    pub fdp: f64,
    /// ug/mL FEU (preset `ddimer-uln`).
    pub d_dimer: f64,
    /// Seconds over control.
    pub pt_sec_prolongation: f64,
    /// mg/dL.
    pub fibrinogen: f64,
}

/// Each item's points.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IsthBreakdown {
    pub platelets: Points,
    pub fibrin_marker: Points,
    pub pt_prolongation: Points,
    pub fibrinogen: Points,
}

/// ISTH overt DIC score of one patient-day.
#[inline(always)]
pub fn isth_overt(d: &IsthDay, cfg: &ScoreConfig) -> IsthBreakdown {
    let p = d.platelets;
    let s = d.pt_sec_prolongation;
    let fib = d.fibrinogen;
    let fibrin_marker = match cfg.isth_marker {
        IsthMarker::FdpJp => {
            let f = d.fdp;
            measured(f, 2 * (f >= 10.0) as i8 + (f >= 25.0) as i8, 0, 3)
        }
        IsthMarker::DdimerUln { uln } => {
            let x = d.d_dimer;
            measured(x, 2 * (x >= 2.0 * uln) as i8 + (x > 4.0 * uln) as i8, 0, 3)
        }
    };
    IsthBreakdown {
        platelets: measured(p, (p < 100.0) as i8 + (p < 50.0) as i8, 0, 2),
        fibrin_marker,
        pt_prolongation: measured(s, (s >= 3.0) as i8 + (s >= 6.0) as i8, 0, 2),
        fibrinogen: measured(fib, (fib < 100.0) as i8, 0, 1),
    }
}

impl IsthBreakdown {
    pub fn items(&self) -> [(&'static str, Points); 4] {
        [
            ("platelets", self.platelets),
            ("fibrin_marker", self.fibrin_marker),
            ("pt_prolongation", self.pt_prolongation),
            ("fibrinogen", self.fibrinogen),
        ]
    }
    #[inline(always)]
    pub fn total(&self) -> Points {
        self.platelets + self.fibrin_marker + self.pt_prolongation + self.fibrinogen
    }
    pub fn score(&self) -> Score {
        self.total().score(missing_items(&self.items()))
    }
    /// Overt DIC if total >= 5.
    #[inline(always)]
    pub fn dx(&self) -> Dx {
        self.total().dx_at_least(ISTH_OVERT_DIC)
    }
}
