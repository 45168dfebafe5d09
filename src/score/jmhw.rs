//! JMHW DIC (Kobayashi N et al., Bibl Haematol 1983;49:265-275; revised 1988). DIC if >= 7.
//!
//! | item | 0 | 1 | 2 | 3 |
//! |---|---|---|---|---|
//! | underlying disease | absent | present (always, in a sepsis cohort) | | |
//! | bleeding | no | yes | | |
//! | organ failure | no | yes | | |
//! | platelets x10^3/uL | > 120 | > 80 to <= 120 | > 50 to <= 80 | <= 50 |
//! | FDP ug/mL | < 10 | 10 to < 20 | 20 to < 40 | >= 40 |
//! | fibrinogen mg/dL | > 150 | > 100 to <= 150 | <= 100 | |
//! | PT ratio | < 1.25 | 1.25 to < 1.67 | >= 1.67 | |
//!
//! Haematological malignancy: bleeding and platelet items score 0 and DIC if >= 4. When the
//! malignancy flag is missing, both readings are possible: the bounds span both and the diagnosis
//! is positive (negative) only if it is under both.

use super::{flag, measured, missing_items, Dx, Points, Score};

/// JMHW threshold.
pub const JMHW_DIC: i8 = 7;
/// JMHW threshold in haematological malignancy.
pub const JMHW_DIC_HAEMATOLOGICAL: i8 = 4;

/// The inputs of one patient-day.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct JmhwDay {
    /// Patient-level flag (`PatientTable::haematological_malignancy`).
    pub haematological_malignancy: Option<bool>,
    pub bleeding: Option<bool>,
    pub organ_failure: Option<bool>,
    /// x10^3/uL.
    pub platelets: f64,
    /// ug/mL.
    pub fdp: f64,
    /// mg/dL.
    pub fibrinogen: f64,
    pub pt_ratio: f64,
}

/// Each item's points. `bleeding` and `platelets` are 0 in haematological malignancy and span
/// both readings when the flag is missing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct JmhwBreakdown {
    pub haematological_malignancy: Option<bool>,
    /// The bleeding and platelet items as scored without haematological malignancy.
    pub bleeding_if_not_haematological: Points,
    pub platelets_if_not_haematological: Points,
    pub underlying_disease: Points,
    pub bleeding: Points,
    pub organ_failure: Points,
    pub platelets: Points,
    pub fdp: Points,
    pub fibrinogen: Points,
    pub pt_ratio: Points,
}

/// Points of an item that a haematological malignancy sets to 0.
#[inline(always)]
pub(crate) fn unless_haematological(p: Points, hm: Option<bool>) -> Points {
    Points {
        min: if hm == Some(false) { p.min } else { 0 },
        max: if hm == Some(true) { 0 } else { p.max },
    }
}

/// Platelet item without haematological malignancy: <= 120 / 80 / 50 x10^3/uL.
#[inline(always)]
pub(crate) fn platelet_item(p: f64) -> Points {
    measured(
        p,
        (p <= 120.0) as i8 + (p <= 80.0) as i8 + (p <= 50.0) as i8,
        0,
        3,
    )
}

/// JMHW DIC score of one patient-day.
#[inline(always)]
pub fn jmhw(d: &JmhwDay) -> JmhwBreakdown {
    let p = d.platelets;
    let f = d.fdp;
    let fib = d.fibrinogen;
    let r = d.pt_ratio;
    let hm = d.haematological_malignancy;
    let bleeding = flag(d.bleeding, 1);
    let platelets = platelet_item(p);
    JmhwBreakdown {
        haematological_malignancy: hm,
        bleeding_if_not_haematological: bleeding,
        platelets_if_not_haematological: platelets,
        underlying_disease: Points::exact(1),
        bleeding: unless_haematological(bleeding, hm),
        organ_failure: flag(d.organ_failure, 1),
        platelets: unless_haematological(platelets, hm),
        fdp: measured(
            f,
            (f >= 10.0) as i8 + (f >= 20.0) as i8 + (f >= 40.0) as i8,
            0,
            3,
        ),
        fibrinogen: measured(fib, (fib <= 150.0) as i8 + (fib <= 100.0) as i8, 0, 2),
        pt_ratio: measured(r, (r >= 1.25) as i8 + (r >= 1.67) as i8, 0, 2),
    }
}

impl JmhwBreakdown {
    pub fn items(&self) -> [(&'static str, Points); 7] {
        [
            ("underlying_disease", self.underlying_disease),
            ("bleeding", self.bleeding),
            ("organ_failure", self.organ_failure),
            ("platelets", self.platelets),
            ("fdp", self.fdp),
            ("fibrinogen", self.fibrinogen),
            ("pt_ratio", self.pt_ratio),
        ]
    }
    /// Total (0-13; 0-9 in haematological malignancy).
    #[inline(always)]
    pub fn total(&self) -> Points {
        self.underlying_disease
            + self.bleeding
            + self.organ_failure
            + self.platelets
            + self.fdp
            + self.fibrinogen
            + self.pt_ratio
    }
    pub fn score(&self) -> Score {
        let mut missing = missing_items(&self.items());
        if self.haematological_malignancy.is_none() {
            missing.push("haematological_malignancy");
        }
        self.total().score(missing)
    }
    /// DIC if >= 7 (>= 4 in haematological malignancy).
    #[inline(always)]
    pub fn dx(&self) -> Dx {
        // Both readings computed, then selected (no branches on the flag).
        let others = self.underlying_disease
            + self.organ_failure
            + self.fdp
            + self.fibrinogen
            + self.pt_ratio;
        let not_hm =
            others + self.bleeding_if_not_haematological + self.platelets_if_not_haematological;
        let dx_hm = others.dx_at_least(JMHW_DIC_HAEMATOLOGICAL);
        let dx_not = not_hm.dx_at_least(JMHW_DIC);
        match self.haematological_malignancy {
            Some(true) => dx_hm,
            Some(false) => dx_not,
            None => Dx::both(dx_hm, dx_not),
        }
    }
}
