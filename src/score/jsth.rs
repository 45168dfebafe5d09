//! JSTH 2017 DIC diagnostic criteria, infectious type (Asakura H et al., Thromb J 2017;15:17,
//! Table 1). DIC if total >= 5 (-3 to 10).
//!
//! | item | 0 | 1 | 2 | 3 |
//! |---|---|---|---|---|
//! | platelets x10^3/uL | > 120 | > 80 to <= 120 | > 50 to <= 80 | <= 50 |
//! | platelet fall >= 30% within 24 h | +1 only while platelets > 50 (item capped at 3) | | | |
//! | FDP ug/mL | < 10 | 10 to < 20 | 20 to < 40 | >= 40 |
//! | PT ratio | < 1.25 | 1.25 to < 1.67 | >= 1.67 | |
//! | antithrombin % | > 70 | <= 70 | | |
//! | TAT, SF or F1+2 | < 2 x ULN | >= 2 x ULN | | |
//! | liver failure | no: 0 | yes: -3 | | |
//!
//! Fibrinogen is not scored in the infectious type. Not the 2016 draft (x10^4/uL, cut-off 6).

use super::fall::PlateletFall;
use super::{flag, measured, missing_items, Dx, Points, Score};

/// JSTH infectious-type threshold.
pub const JSTH_DIC: i8 = 5;

/// The inputs of one patient-day.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct JsthDay {
    /// x10^3/uL.
    pub platelets: f64,
    pub fall: PlateletFall,
    /// ug/mL.
    pub fdp: f64,
    pub pt_ratio: f64,
    /// % activity.
    pub antithrombin: f64,
    /// TAT, soluble fibrin or F1+2 as a multiple of its ULN.
    pub tat_x_uln: f64,
    /// Patient-level flag (`PatientTable::liver_failure`).
    pub liver_failure: Option<bool>,
}

/// Each item's points (the platelet item includes the fall point).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct JsthBreakdown {
    pub platelets: Points,
    pub fdp: Points,
    pub pt_ratio: Points,
    pub antithrombin: Points,
    pub tat: Points,
    pub liver_failure: Points,
}

/// JSTH 2017 infectious-type DIC score of one patient-day.
#[inline(always)]
pub fn jsth(d: &JsthDay) -> JsthBreakdown {
    let p = d.platelets;
    let f = d.fdp;
    let r = d.pt_ratio;
    let at = d.antithrombin;
    let t = d.tat_x_uln;
    let count = (p <= 120.0) as i8 + (p <= 80.0) as i8 + (p <= 50.0) as i8;
    // +1 for a >= 30% fall only while platelets > 50; capped at 3 (selects, no branches).
    let above = p > 50.0;
    let known = Points {
        min: count + (above as i8 & d.fall.at_least_30.min),
        max: count + (above as i8 & d.fall.at_least_30.max),
    }
    .cap(3);
    let missing = p.is_nan();
    let platelets = Points {
        min: if missing { 0 } else { known.min },
        max: if missing { 3 } else { known.max },
    };
    JsthBreakdown {
        platelets,
        fdp: measured(
            f,
            (f >= 10.0) as i8 + (f >= 20.0) as i8 + (f >= 40.0) as i8,
            0,
            3,
        ),
        pt_ratio: measured(r, (r >= 1.25) as i8 + (r >= 1.67) as i8, 0, 2),
        antithrombin: measured(at, (at <= 70.0) as i8, 0, 1),
        tat: measured(t, (t >= 2.0) as i8, 0, 1),
        liver_failure: flag(d.liver_failure, -3),
    }
}

impl JsthBreakdown {
    pub fn items(&self) -> [(&'static str, Points); 6] {
        [
            ("platelets", self.platelets),
            ("fdp", self.fdp),
            ("pt_ratio", self.pt_ratio),
            ("antithrombin", self.antithrombin),
            ("tat", self.tat),
            ("liver_failure", self.liver_failure),
        ]
    }
    #[inline(always)]
    pub fn total(&self) -> Points {
        self.platelets
            + self.fdp
            + self.pt_ratio
            + self.antithrombin
            + self.tat
            + self.liver_failure
    }
    pub fn score(&self) -> Score {
        self.total().score(missing_items(&self.items()))
    }
    /// DIC if total >= 5.
    #[inline(always)]
    pub fn dx(&self) -> Dx {
        self.total().dx_at_least(JSTH_DIC)
    }
}
