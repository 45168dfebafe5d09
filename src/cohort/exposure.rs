//! Exposure definitions: which treatment courses count (any anticoagulant, one named drug, or a
//! combination), and when a patient's exposure starts.
//!
//! A patient is *exposed in the window* when the exposure started on a day in `[window.0,
//! window.1]` (day 1 = ICU admission). Starts after the window do not make a patient exposed in
//! the landmark design (classification is fixed at the landmark, as in Dafni U, Circ Cardiovasc
//! Qual Outcomes 2011;4:363-371); they are counted separately so the report can show them.

use serde::{Deserialize, Serialize};

use crate::schema::TreatmentTable;

use super::valid_plan::{bad, not_blank, DayRange};
use super::CohortError;

/// The four anticoagulant classes of the canonical treatment table.
pub const ANTICOAGULANTS: [&str; 4] = [
    "antithrombin",
    "thrombomodulin",
    "heparin",
    "protease_inhibitor",
];

/// How several listed drugs combine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Combine {
    /// Exposed from the first start of any listed drug.
    #[default]
    Any,
    /// A combination: exposed once every listed drug has started (the latest first start).
    All,
}

/// An exposure: a named set of drugs, how they combine, and the grace window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExposureDef {
    /// Label used in outputs, e.g. "anticoagulant".
    #[serde(default = "default_exposure_name")]
    pub name: String,
    /// Drug names as in `treatments.csv`; `["any_anticoagulant"]` means the four classes.
    #[serde(default = "default_drugs")]
    pub drugs: Vec<String>,
    #[serde(default)]
    pub combine: Combine,
    /// Grace window `[first_day, last_day]`, inclusive, day 1 = ICU admission.
    #[serde(default = "default_window")]
    pub window: [i32; 2],
}

fn default_exposure_name() -> String {
    "anticoagulant".into()
}
fn default_drugs() -> Vec<String> {
    vec!["any_anticoagulant".into()]
}
fn default_window() -> [i32; 2] {
    [1, 3]
}

impl Default for ExposureDef {
    fn default() -> Self {
        ExposureDef {
            name: default_exposure_name(),
            drugs: default_drugs(),
            combine: Combine::Any,
            window: default_window(),
        }
    }
}

impl ExposureDef {
    /// The drug names after expanding `any_anticoagulant`, sorted and de-duplicated.
    pub fn drug_set(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for d in &self.drugs {
            if d == "any_anticoagulant" {
                out.extend(ANTICOAGULANTS.iter().map(|s| s.to_string()));
            } else {
                out.push(d.clone());
            }
        }
        out.sort();
        out.dedup();
        out
    }

    /// Checks the definition (`key` is its path in the plan, e.g. `exposure`).
    ///
    /// # Errors
    /// [`CohortError::PlanValue`]: a blank name, no drugs or a blank drug name, a window not
    /// satisfying `1 <= first <= last`.
    pub fn check(&self, key: &str) -> Result<ValidExposure, CohortError> {
        not_blank(&format!("{key}.name"), &self.name)?;
        if self.drugs.is_empty() {
            return Err(bad(&format!("{key}.drugs"), "must name at least one drug"));
        }
        for (i, d) in self.drugs.iter().enumerate() {
            not_blank(&format!("{key}.drugs[{i}]"), d)?;
        }
        Ok(ValidExposure {
            name: self.name.clone(),
            drugs: self.drug_set(),
            combine: self.combine,
            window: DayRange::new(&format!("{key}.window"), self.window)?,
        })
    }
}

/// A checked exposure definition ([`ExposureDef::check`]).
#[derive(Debug, Clone, PartialEq)]
pub struct ValidExposure {
    name: String,
    /// The drug set ([`ExposureDef::drug_set`]).
    drugs: Vec<String>,
    combine: Combine,
    window: DayRange,
}

impl ValidExposure {
    pub fn name(&self) -> &str {
        &self.name
    }
    /// The drug names, `any_anticoagulant` expanded, sorted and de-duplicated.
    pub fn drugs(&self) -> &[String] {
        &self.drugs
    }
    pub fn window(&self) -> DayRange {
        self.window
    }

    /// Classifies every patient (`n_patients` rows of the patient table).
    ///
    /// # Errors
    /// [`CohortError::InvalidInput`] when a treatment row refers to a patient outside the table.
    pub fn classify(
        &self,
        treatments: &TreatmentTable,
        n_patients: usize,
    ) -> Result<Exposure, CohortError> {
        let drugs = &self.drugs;
        // first[d][p]: first start of drug d for patient p.
        let mut first = vec![vec![f64::NAN; n_patients]; drugs.len()];
        let mut missing = 0u64;
        for r in 0..treatments.len() {
            let Some(d) = drugs.iter().position(|x| *x == treatments.drug[r]) else {
                continue;
            };
            let p = treatments.patient[r] as usize;
            if p >= n_patients {
                return Err(CohortError::InvalidInput(format!(
                    "treatment row {} refers to patient index {p} of {n_patients}",
                    r + 1
                )));
            }
            let s = treatments.start_day[r];
            if !s.is_finite() {
                missing += 1;
                continue;
            }
            let cur = &mut first[d][p];
            if cur.is_nan() || s < *cur {
                *cur = s;
            }
        }
        let start_day: Vec<f64> = (0..n_patients)
            .map(|p| {
                let it = first.iter().map(|f| f[p]);
                match self.combine {
                    Combine::Any => it.filter(|x| x.is_finite()).fold(f64::NAN, f64::min),
                    Combine::All => {
                        let v: Vec<f64> = it.collect();
                        if v.iter().all(|x| x.is_finite()) {
                            v.into_iter().fold(f64::NEG_INFINITY, f64::max)
                        } else {
                            f64::NAN
                        }
                    }
                }
            })
            .collect();
        let (lo, hi) = (self.window.first() as f64, self.window.last() as f64);
        Ok(Exposure {
            in_window: start_day.iter().map(|s| *s >= lo && *s <= hi).collect(),
            ever: start_day.iter().map(|s| s.is_finite()).collect(),
            start_day,
            n_rows_missing_start: missing,
        })
    }
}

/// Per-patient exposure timing.
#[derive(Debug, Clone, PartialEq)]
pub struct Exposure {
    /// Day the exposure started (the combination completed); NaN when never.
    pub start_day: Vec<f64>,
    /// Started within the grace window.
    pub in_window: Vec<bool>,
    /// Started at any recorded time (the naive, immortal-time-biased definition).
    pub ever: Vec<bool>,
    /// Treatment rows of the listed drugs whose start day was missing (ignored, counted).
    pub n_rows_missing_start: u64,
}

impl Exposure {
    /// Patients exposed within the window.
    pub fn n_in_window(&self) -> usize {
        self.in_window.iter().filter(|x| **x).count()
    }
    /// Patients whose exposure started after the window.
    pub fn n_started_after_window(&self, window_last: i32) -> usize {
        self.start_day
            .iter()
            .filter(|s| s.is_finite() && **s > window_last as f64)
            .count()
    }
}

/// Classifies every patient (`n_patients` rows of the patient table) by an unchecked
/// definition: checks it, then [`ValidExposure::classify`]. The analysis pipeline holds a
/// checked one and calls that directly.
///
/// # Errors
/// As [`ExposureDef::check`] and [`ValidExposure::classify`].
pub fn classify(
    def: &ExposureDef,
    treatments: &TreatmentTable,
    n_patients: usize,
) -> Result<Exposure, CohortError> {
    def.check("exposure")?.classify(treatments, n_patients)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tt() -> TreatmentTable {
        TreatmentTable {
            patient: vec![0, 0, 1, 2, 3, 3],
            drug: vec![
                "heparin".into(),
                "antithrombin".into(),
                "thrombomodulin".into(),
                "antithrombin".into(),
                "vitamin_k".into(),
                "antithrombin".into(),
            ],
            start_day: vec![2.0, 5.0, 4.0, f64::NAN, 1.0, 1.0],
            end_day: vec![f64::NAN; 6],
            dose: vec![f64::NAN; 6],
            dose_unit: vec![None; 6],
        }
    }

    #[test]
    fn any_anticoagulant_in_window() {
        let e = classify(&ExposureDef::default(), &tt(), 5).unwrap();
        assert_eq!(e.in_window, vec![true, false, false, true, false]);
        assert_eq!(e.ever, vec![true, true, false, true, false]);
        assert_eq!(e.start_day[0], 2.0);
        assert!(e.start_day[4].is_nan());
        assert_eq!(e.n_rows_missing_start, 1);
        assert_eq!(e.n_started_after_window(3), 1);
    }

    #[test]
    fn named_drug_and_combination() {
        let def = ExposureDef {
            drugs: vec!["antithrombin".into()],
            ..Default::default()
        };
        let e = classify(&def, &tt(), 5).unwrap();
        assert_eq!(e.start_day[0], 5.0);
        assert_eq!(e.in_window, vec![false, false, false, true, false]);
        let def = ExposureDef {
            drugs: vec!["antithrombin".into(), "heparin".into()],
            combine: Combine::All,
            window: [1, 7],
            ..Default::default()
        };
        let e = classify(&def, &tt(), 5).unwrap();
        assert_eq!(e.start_day[0], 5.0);
        assert!(e.start_day[3].is_nan());
        assert_eq!(e.in_window, vec![true, false, false, false, false]);
        let bad = ExposureDef {
            window: [3, 1],
            ..Default::default()
        };
        assert!(classify(&bad, &tt(), 5).is_err());
    }
}
