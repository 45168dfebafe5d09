//! Sepsis-induced coagulopathy, SIC (Iba T et al., BMJ Open 2017;7:e017046; ISTH guidance, Iba T
//! et al., J Thromb Haemost 2019;17:1989-1994). SIC if total >= 4 AND PT + platelet points > 2.
//!
//! | item | 0 | 1 | 2 |
//! |---|---|---|---|
//! | PT-INR | <= 1.2 | > 1.2 and <= 1.4 | > 1.4 |
//! | platelets x10^3/uL | >= 150 | 100 to < 150 | < 100 |
//! | SOFA-4 (respiratory + cardiovascular + hepatic + renal) | 0 | 1 | >= 2 |
//!
//! SOFA-4 is not total SOFA.

use super::{measured, missing_items, Dx, Points, Score};

/// SIC threshold on the total.
pub const SIC_TOTAL: i8 = 4;

/// The inputs of one patient-day.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SicDay {
    pub pt_inr: f64,
    /// x10^3/uL.
    pub platelets: f64,
    /// SOFA-4 bounds, from [`super::sofa::SofaBreakdown::sofa4`].
    pub sofa4: Points,
}

/// Each item's points.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SicBreakdown {
    pub pt_inr: Points,
    pub platelets: Points,
    pub sofa4: Points,
}

/// SIC score of one patient-day.
#[inline(always)]
pub fn sic(d: &SicDay) -> SicBreakdown {
    let i = d.pt_inr;
    let p = d.platelets;
    SicBreakdown {
        pt_inr: measured(i, (i > 1.2) as i8 + (i > 1.4) as i8, 0, 2),
        platelets: measured(p, (p < 150.0) as i8 + (p < 100.0) as i8, 0, 2),
        sofa4: d.sofa4.cap(2),
    }
}

impl SicBreakdown {
    pub fn items(&self) -> [(&'static str, Points); 3] {
        [
            ("pt_inr", self.pt_inr),
            ("platelets", self.platelets),
            ("sofa4", self.sofa4),
        ]
    }
    #[inline(always)]
    pub fn total(&self) -> Points {
        self.pt_inr + self.platelets + self.sofa4
    }
    pub fn score(&self) -> Score {
        self.total().score(missing_items(&self.items()))
    }
    /// SIC if total >= 4 and PT + platelet points > 2. The criterion is monotone in every item,
    /// so it holds for every value of the missing items iff it holds at their lowest points, and
    /// fails for every value iff it fails at their highest.
    #[inline(always)]
    pub fn dx(&self) -> Dx {
        let t = self.total();
        let coag = self.pt_inr + self.platelets;
        Dx::from_bounds(
            t.min >= SIC_TOTAL && coag.min > 2,
            t.max >= SIC_TOTAL && coag.max > 2,
        )
    }
}
