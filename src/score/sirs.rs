//! SIRS criteria (Bone RC et al., ACCP/SCCM Consensus Conference, Chest 1992;101:1644-1655):
//! one point each for temperature > 38 or < 36 C; heart rate > 90/min; respiratory rate > 20/min
//! or PaCO2 < 32 mmHg; WBC > 12 or < 4 x10^3/uL or > 10% immature forms.

use super::config::{AlternativeCriteria, ScoreConfig};
use super::{criterion, missing_items, Points, Score};

/// The inputs of one patient-day.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SirsDay {
    /// Celsius.
    pub temperature: f64,
    /// /min.
    pub heart_rate: f64,
    /// /min.
    pub resp_rate: f64,
    /// mmHg.
    pub paco2: f64,
    /// x10^3/uL.
    pub wbc: f64,
    /// % immature (band) forms.
    pub immature_pct: f64,
}

/// Each criterion's points (0 or 1, a range when unknown).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SirsBreakdown {
    pub temperature: Points,
    pub heart_rate: Points,
    pub respiration: Points,
    pub white_cells: Points,
}

/// An "A or B or ..." criterion over recorded alternatives `(known, holds)`.
#[inline(always)]
pub(crate) fn any_of<const N: usize>(alts: [(bool, bool); N], cfg: &ScoreConfig) -> Points {
    let mut met = false;
    let mut all_known = true;
    let mut any_known = false;
    for (known, holds) in alts {
        met |= known & holds;
        all_known &= known;
        any_known |= known;
    }
    let decided = match cfg.alternatives {
        AlternativeCriteria::Bounds => all_known,
        AlternativeCriteria::ObservedSuffices => any_known,
    };
    // met: 1 whatever the rest; not met: 0 if decided, else unknown.
    criterion(met | decided, met, 1)
}

/// SIRS criteria of one patient-day.
#[inline(always)]
pub fn sirs(d: &SirsDay, cfg: &ScoreConfig) -> SirsBreakdown {
    let t = d.temperature;
    SirsBreakdown {
        temperature: criterion(!t.is_nan(), !(36.0..=38.0).contains(&t), 1),
        heart_rate: criterion(!d.heart_rate.is_nan(), d.heart_rate > 90.0, 1),
        respiration: any_of(
            [
                (!d.resp_rate.is_nan(), d.resp_rate > 20.0),
                (!d.paco2.is_nan(), d.paco2 < 32.0),
            ],
            cfg,
        ),
        white_cells: any_of(
            [
                (!d.wbc.is_nan(), d.wbc > 12.0 || d.wbc < 4.0),
                (!d.immature_pct.is_nan(), d.immature_pct > 10.0),
            ],
            cfg,
        ),
    }
}

impl SirsBreakdown {
    pub fn items(&self) -> [(&'static str, Points); 4] {
        [
            ("temperature", self.temperature),
            ("heart_rate", self.heart_rate),
            ("respiration", self.respiration),
            ("white_cells", self.white_cells),
        ]
    }
    /// Number of criteria met (0-4).
    #[inline(always)]
    pub fn total(&self) -> Points {
        self.temperature + self.heart_rate + self.respiration + self.white_cells
    }
    pub fn score(&self) -> Score {
        self.total().score(missing_items(&self.items()))
    }
}
