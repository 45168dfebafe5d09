//! The options of the scores (`scoring-rules.md`, every **CHOICE**), one typed, serialisable
//! config echoed with every output.

use serde::{Deserialize, Serialize};

/// Every open choice of `scoring-rules.md`, with its documented default.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ScoreConfig {
    /// ISTH overt DIC fibrin-related marker cut-offs (laboratory-specific; Taylor 2001 leaves
    /// them open). Default `fdp-jp`.
    pub isth_marker: IsthMarker,
    /// Reference value of the 24-hour platelet fall (JAAM, JSTH). Default
    /// `highest-previous-24h`. With day-level data both rules read the previous calendar day.
    pub fall_reference: FallReference,
    /// JAAM: a fall of exactly 50% scores 1 (default, ">50%" is strict) or 3.
    pub jaam_fall_50: JaamFall50,
    /// Items defined by alternative criteria (SIRS respiration: RR or PaCO2; SIRS white cells:
    /// WBC or immature forms; SOFA cardiovascular: MAP or vasopressors; SOFA renal: creatinine or
    /// urine output) when some alternatives are missing. Default `bounds`.
    pub alternatives: AlternativeCriteria,
}

impl Default for ScoreConfig {
    fn default() -> Self {
        ScoreConfig {
            isth_marker: IsthMarker::FdpJp,
            fall_reference: FallReference::HighestPrevious24h,
            jaam_fall_50: JaamFall50::ScoresOne,
            alternatives: AlternativeCriteria::Bounds,
        }
    }
}

impl ScoreConfig {
    /// Check option values (the D-dimer ULN must be a positive finite number).
    pub fn validate(&self) -> Result<(), super::ScoreError> {
        if let IsthMarker::DdimerUln { uln } = self.isth_marker {
            if !(uln.is_finite() && uln > 0.0) {
                return Err(super::ScoreError::InvalidOption(format!(
                    "isth_marker ddimer-uln: uln must be a positive number, got {uln}"
                )));
            }
        }
        Ok(())
    }
}

/// ISTH overt DIC fibrin-related marker presets (points: none 0, moderate 2, strong 3).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(tag = "preset", rename_all = "kebab-case")]
pub enum IsthMarker {
    /// FDP (ug/mL): < 10 none, 10 to < 25 moderate, >= 25 strong (the JAAM FDP cut-offs, as in
    /// Japanese cohorts).
    #[default]
    FdpJp,
    /// D-dimer (ug/mL FEU): < 2 x ULN none, 2 x to 4 x ULN moderate, > 4 x ULN strong.
    DdimerUln {
        /// Upper limit of normal, ug/mL FEU (0.5 by convention).
        uln: f64,
    },
}

impl IsthMarker {
    /// The `ddimer-uln` preset with the conventional ULN of 0.5 ug/mL FEU.
    pub const DDIMER_DEFAULT: IsthMarker = IsthMarker::DdimerUln { uln: 0.5 };
}

/// Reference of the 24-hour platelet fall: fall = (reference - current) / reference.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum FallReference {
    /// The highest platelet count in the previous 24 h (day-level data: the previous calendar
    /// day's count).
    #[default]
    HighestPrevious24h,
    /// The count closest to 24 h earlier (day-level data: the previous calendar day's count).
    Closest24hEarlier,
}

/// JAAM platelet fall at exactly 50%.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum JaamFall50 {
    /// "30-50% fall" scores 1 inclusive of 50%; "> 50%" (strict) scores 3.
    #[default]
    ScoresOne,
    /// A fall of 50% or more scores 3.
    ScoresThree,
}

/// Items defined by alternative criteria when only some alternatives are recorded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum AlternativeCriteria {
    /// A missing alternative may take any value: the item spans every value it could take
    /// (never scored as 0). E.g. creatinine 1.0 with urine output missing: renal SOFA in [0, 4].
    #[default]
    Bounds,
    /// When at least one alternative of an item is recorded, the missing ones are read as not
    /// met (as many registries do, e.g. urine output not collected); when none is recorded the
    /// item is still missing.
    ObservedSuffices,
}
