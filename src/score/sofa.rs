//! SOFA (Vincent JL et al., Intensive Care Med 1996;22:707-710, Table 1), total (six organs,
//! 0-24) and SOFA-4 (respiratory + cardiovascular + hepatic + renal, as used by SIC; Iba T et al.,
//! J Thromb Haemost 2019;17:1989-1994). SOFA-4 is not total SOFA.
//!
//! | organ | 1 | 2 | 3 | 4 |
//! |---|---|---|---|---|
//! | PaO2/FiO2 mmHg | < 400 | < 300 | < 200 with ventilation | < 100 with ventilation |
//! | platelets x10^3/uL | < 150 | < 100 | < 50 | < 20 |
//! | bilirubin mg/dL | 1.2-1.9 | 2.0-5.9 | 6.0-11.9 | >= 12 |
//! | cardiovascular | MAP < 70 | dopamine <= 5 or any dobutamine | dopamine > 5 or (nor)epinephrine <= 0.1 | dopamine > 15 or (nor)epinephrine > 0.1 |
//! | GCS | 13-14 | 10-12 | 6-9 | < 6 |
//! | creatinine mg/dL / urine output | 1.2-1.9 | 2.0-3.4 | 3.5-4.9 or < 500 mL/day | >= 5.0 or < 200 mL/day |
//!
//! Without ventilation a P/F < 200 scores 2. Bands are read as half-open intervals
//! (bilirubin [1.2, 2.0) scores 1, [2.0, 6.0) 2, ...). Vasopressors in ug/kg/min; 0 = recorded
//! as not given, NaN = not recorded (missing, not 0). An organ's points are the highest criterion
//! met.

use super::config::{AlternativeCriteria, ScoreConfig};
use super::{measured, missing_items, Points, Score};

/// The inputs of one patient-day.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SofaDay {
    pub pao2_fio2: f64,
    pub ventilated: Option<bool>,
    /// x10^3/uL.
    pub platelets: f64,
    /// mg/dL.
    pub bilirubin: f64,
    /// mmHg.
    pub map: f64,
    /// ug/kg/min.
    pub dopamine: f64,
    pub dobutamine: f64,
    pub epinephrine: f64,
    pub norepinephrine: f64,
    pub gcs: f64,
    /// mg/dL.
    pub creatinine: f64,
    /// mL/day.
    pub urine_output: f64,
}

/// Each organ's points (0-4, a range when unknown).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SofaBreakdown {
    pub respiration: Points,
    pub coagulation: Points,
    pub liver: Points,
    pub cardiovascular: Points,
    pub cns: Points,
    pub renal: Points,
}

#[inline(always)]
pub(crate) fn respiration(pf: f64, vent: Option<bool>) -> Points {
    // Selects only (no branches). P/F < 200 scores 3 (< 100: 4) with ventilation, else 2.
    let missing = pf.is_nan();
    let ventilated = vent == Some(true);
    let not_ventilated = vent == Some(false);
    let base = (pf < 400.0) as i8 + (pf < 300.0) as i8;
    let low = pf < 200.0;
    let with_vent = 3 + (pf < 100.0) as i8;
    let min = if low & ventilated { with_vent } else { base };
    let max = if low & !not_ventilated {
        with_vent
    } else {
        base
    };
    Points {
        min: if missing { 0 } else { min },
        // P/F missing: up to 4, or 2 without ventilation.
        max: if missing {
            4 - 2 * not_ventilated as i8
        } else {
            max
        },
    }
}

/// Combine alternative criteria of one organ (highest met), honouring
/// [`AlternativeCriteria`]: `alts` are `(known, points if known, highest points if missing)`.
#[inline(always)]
fn highest_of<const N: usize>(alts: [(bool, i8, i8); N], cfg: &ScoreConfig) -> Points {
    let any_known = alts.iter().any(|a| a.0);
    let observed_suffices = cfg.alternatives == AlternativeCriteria::ObservedSuffices && any_known;
    let mut out = Points::exact(0);
    for (known, p, hi) in alts {
        let widen = !known & !observed_suffices;
        let item = Points {
            min: if known { p } else { 0 },
            max: if known { p } else { hi * widen as i8 },
        };
        out = out.max_of(item);
    }
    out
}

#[inline(always)]
fn vasopressor_catecholamine(x: f64) -> i8 {
    // (nor)epinephrine: <= 0.1 scores 3, > 0.1 scores 4 (only when given, > 0).
    3 * (x > 0.0) as i8 + (x > 0.1) as i8
}

/// Coagulation: platelets < 150 / 100 / 50 / 20 x10^3/uL.
#[inline(always)]
pub(crate) fn coagulation(p: f64) -> Points {
    measured(
        p,
        (p < 150.0) as i8 + (p < 100.0) as i8 + (p < 50.0) as i8 + (p < 20.0) as i8,
        0,
        4,
    )
}

/// Liver: bilirubin [1.2, 2.0) / [2.0, 6.0) / [6.0, 12.0) / >= 12 mg/dL.
#[inline(always)]
pub(crate) fn liver(b: f64) -> Points {
    measured(
        b,
        (b >= 1.2) as i8 + (b >= 2.0) as i8 + (b >= 6.0) as i8 + (b >= 12.0) as i8,
        0,
        4,
    )
}

/// CNS: GCS 13-14 / 10-12 / 6-9 / < 6.
#[inline(always)]
pub(crate) fn cns(g: f64) -> Points {
    measured(
        g,
        (g < 15.0) as i8 + (g < 13.0) as i8 + (g < 10.0) as i8 + (g < 6.0) as i8,
        0,
        4,
    )
}

/// Cardiovascular: the highest of MAP < 70 and the vasopressor criteria.
#[inline(always)]
pub(crate) fn cardiovascular(
    map: f64,
    dop: f64,
    dobutamine: f64,
    epinephrine: f64,
    norepinephrine: f64,
    cfg: &ScoreConfig,
) -> Points {
    // dopamine > 0 scores 2, > 5 scores 3, > 15 scores 4.
    let dopamine = 2 * (dop > 0.0) as i8 + (dop > 5.0) as i8 + (dop > 15.0) as i8;
    highest_of(
        [
            (!map.is_nan(), (map < 70.0) as i8, 1),
            (!dop.is_nan(), dopamine, 4),
            (!dobutamine.is_nan(), 2 * (dobutamine > 0.0) as i8, 2),
            (
                !epinephrine.is_nan(),
                vasopressor_catecholamine(epinephrine),
                4,
            ),
            (
                !norepinephrine.is_nan(),
                vasopressor_catecholamine(norepinephrine),
                4,
            ),
        ],
        cfg,
    )
}

/// Renal: the higher of the creatinine and urine-output criteria.
#[inline(always)]
pub(crate) fn renal(c: f64, uo: f64, cfg: &ScoreConfig) -> Points {
    // urine output < 500 mL/day scores 3, < 200 scores 4.
    let urine = 3 * (uo < 500.0) as i8 + (uo < 200.0) as i8;
    highest_of(
        [
            (
                !c.is_nan(),
                (c >= 1.2) as i8 + (c >= 2.0) as i8 + (c >= 3.5) as i8 + (c >= 5.0) as i8,
                4,
            ),
            (!uo.is_nan(), urine, 4),
        ],
        cfg,
    )
}

/// SOFA organ scores of one patient-day.
#[inline(always)]
pub fn sofa(d: &SofaDay, cfg: &ScoreConfig) -> SofaBreakdown {
    SofaBreakdown {
        respiration: respiration(d.pao2_fio2, d.ventilated),
        coagulation: coagulation(d.platelets),
        liver: liver(d.bilirubin),
        cardiovascular: cardiovascular(
            d.map,
            d.dopamine,
            d.dobutamine,
            d.epinephrine,
            d.norepinephrine,
            cfg,
        ),
        cns: cns(d.gcs),
        renal: renal(d.creatinine, d.urine_output, cfg),
    }
}

impl SofaBreakdown {
    pub fn items(&self) -> [(&'static str, Points); 6] {
        [
            ("respiration", self.respiration),
            ("coagulation", self.coagulation),
            ("liver", self.liver),
            ("cardiovascular", self.cardiovascular),
            ("cns", self.cns),
            ("renal", self.renal),
        ]
    }
    /// Total SOFA (0-24).
    #[inline(always)]
    pub fn total(&self) -> Points {
        self.respiration
            + self.coagulation
            + self.liver
            + self.cardiovascular
            + self.cns
            + self.renal
    }
    /// SOFA-4: respiratory + cardiovascular + hepatic + renal (0-16), the SIC item.
    #[inline(always)]
    pub fn sofa4(&self) -> Points {
        self.respiration + self.cardiovascular + self.liver + self.renal
    }
    pub fn score(&self) -> Score {
        self.total().score(missing_items(&self.items()))
    }
    pub fn score_sofa4(&self) -> Score {
        let items = self.items();
        let four: Vec<_> = [items[0], items[2], items[3], items[5]].to_vec();
        self.sofa4().score(missing_items(&four))
    }
}
