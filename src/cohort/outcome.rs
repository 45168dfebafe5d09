//! 28-day mortality in its three forms, under one rule for discharge alive ([`Discharge`],
//! the plan's `outcome.discharge`) used by every analysis: the binary outcome, Kaplan-Meier,
//! Cox and the risks at the horizon. Every output names the form and the rule
//! ([`OutcomeKind::label`]).
//!
//! - `alive-to-horizon` (the default, the usual 28-day mortality convention): a patient
//!   discharged alive before the horizon is known alive at the horizon, so the time to death is
//!   followed to the horizon (censored there) and the binary outcome counts them alive. A death
//!   recorded after discharge but by the horizon is a death.
//! - `censor`: follow-up ends at discharge alive (censored there): the Cox model estimates a
//!   cause-specific hazard ratio and 1 - KM a risk in a world without discharge; the binary
//!   outcome then knows only patients who died or were followed to the horizon (a patient
//!   discharged before the horizon is unknown).
//! - `competing`: discharge alive is a competing event: risks are Aalen-Johansen cumulative
//!   incidences of in-hospital death, the Cox model is cause-specific (censored at discharge),
//!   the binary outcome is in-hospital death by the horizon (discharged alive = alive).
//!
//! Time is counted in days since ICU admission: day 1 ends at time 1, so a death on day `d`
//! happens at time `d` and a patient last seen alive on day `d` is censored at `d`. A follow-up
//! origin (a landmark) is subtracted from every time.

use serde::{Deserialize, Serialize};

use crate::schema::PatientTable;

/// What discharge alive before the horizon means for the outcome (plan `outcome.discharge`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Discharge {
    /// Known alive at the horizon: followed to it.
    #[default]
    AliveToHorizon,
    /// Censored at discharge.
    Censor,
    /// A competing event.
    Competing,
}

impl Discharge {
    /// The rule in words, as it appears in labels and captions.
    pub fn describe(&self, horizon: i32) -> String {
        match self {
            Discharge::AliveToHorizon => format!(
                "patients discharged alive are known alive at day {horizon} and followed to it"
            ),
            Discharge::Censor => "follow-up censored at discharge alive".into(),
            Discharge::Competing => "discharge alive a competing event".into(),
        }
    }
}

/// The three outcome forms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutcomeKind {
    /// Death by the horizon, yes/no (see [`Discharge`] for discharge alive); a patient
    /// censored before the horizon without a discharge is unknown and left out (counted).
    Binary,
    /// Time to death within the horizon, under the plan's [`Discharge`] rule.
    TimeToDeath,
    /// Death with discharge alive as a competing event (Aalen-Johansen cumulative incidence).
    Competing,
}

impl OutcomeKind {
    /// A human label naming the outcome and the discharge rule, e.g. "28-day mortality (binary;
    /// patients discharged alive are known alive at day 28 and followed to it)".
    pub fn label(&self, horizon: i32, discharge: Discharge) -> String {
        match (self, discharge) {
            (OutcomeKind::Binary, Discharge::AliveToHorizon | Discharge::Competing) => format!(
                "{horizon}-day mortality (binary; discharged alive before day {horizon} = alive)"
            ),
            (OutcomeKind::Binary, Discharge::Censor) => format!(
                "{horizon}-day mortality (binary; patients discharged alive before day {horizon} \
                 are of unknown status, as their follow-up is censored at discharge)"
            ),
            (OutcomeKind::TimeToDeath, Discharge::AliveToHorizon) => format!(
                "time to death within {horizon} days (patients discharged alive are known alive \
                 at day {horizon} and followed to it; censored at the last day observed otherwise)"
            ),
            (OutcomeKind::TimeToDeath, Discharge::Censor) => format!(
                "time to death within {horizon} days (censored at discharge alive or the last day \
                 observed: a cause-specific hazard)"
            ),
            (OutcomeKind::TimeToDeath, Discharge::Competing) => format!(
                "time to in-hospital death within {horizon} days, cause-specific (censored at \
                 discharge alive, the competing event)"
            ),
            (OutcomeKind::Competing, _) => {
                format!("death within {horizon} days with discharge alive as a competing event")
            }
        }
    }
}

/// The day a patient leaves observation: death day if observed, else last day (else discharge).
pub fn exit_day(p: &PatientTable, i: usize) -> f64 {
    if p.death_day[i].is_finite() {
        p.death_day[i]
    } else if p.last_day[i].is_finite() {
        p.last_day[i]
    } else {
        p.discharge_day[i]
    }
}

/// Binary mortality by `horizon` under `discharge`: `Some(true)` died by the horizon,
/// `Some(false)` known alive at it, `None` unknown.
pub fn binary_death(p: &PatientTable, horizon: i32, discharge: Discharge) -> Vec<Option<bool>> {
    let h = horizon as f64;
    (0..p.len())
        .map(|i| match discharge {
            Discharge::AliveToHorizon => {
                let d = p.death_day[i];
                if d.is_finite() && d <= h {
                    Some(true)
                } else if d.is_finite() || p.last_day[i] >= h || p.discharge_day[i].is_finite() {
                    Some(false)
                } else {
                    None
                }
            }
            Discharge::Censor | Discharge::Competing => {
                let (t, status) = competing_status(p, i, 0.0, horizon);
                match status {
                    1 => Some(true),
                    2 if discharge == Discharge::Competing => Some(false),
                    0 if t >= h => Some(false),
                    _ => None,
                }
            }
        })
        .collect()
}

/// Right-censored time to death truncated at `horizon`, from `origin` (0 = admission), under
/// `discharge`: `(time, event)`; event 1 = death on or before the horizon.
pub fn time_to_death(
    p: &PatientTable,
    i: usize,
    origin: f64,
    horizon: i32,
    discharge: Discharge,
) -> (f64, f64) {
    let h = horizon as f64;
    match discharge {
        Discharge::AliveToHorizon => {
            let d = p.death_day[i];
            if d.is_finite() && d <= h {
                (d - origin, 1.0)
            } else if p.discharge_day[i].is_finite() {
                (h - origin, 0.0)
            } else {
                (exit_day(p, i).min(h) - origin, 0.0)
            }
        }
        Discharge::Censor | Discharge::Competing => {
            let (t, status) = competing_status(p, i, origin, horizon);
            (t, f64::from(u8::from(status == 1)))
        }
    }
}

/// Competing-risks status at `horizon` from `origin`: `(time, status)` with status 0 censored,
/// 1 death, 2 discharge alive (the competing event).
pub fn competing_status(p: &PatientTable, i: usize, origin: f64, horizon: i32) -> (f64, u8) {
    let h = horizon as f64;
    let d = p.death_day[i];
    let dc = p.discharge_day[i];
    if d.is_finite() && d <= h && !(dc.is_finite() && dc < d) {
        (d - origin, 1)
    } else if dc.is_finite() && dc <= h {
        (dc - origin, 2)
    } else {
        (exit_day(p, i).min(h) - origin, 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pt() -> PatientTable {
        let n = 5;
        PatientTable {
            patient_id: (0..n).map(|i| i.to_string()).collect(),
            site_id: vec!["s".into(); n],
            age: vec![60.0; n],
            sex: vec![None; n],
            apache2: vec![20.0; n],
            haematological_malignancy: vec![None; n],
            liver_failure: vec![None; n],
            // died d10; died d40 after discharge d20; discharged d12; censored d15; followed to 60
            death_day: vec![10.0, 40.0, f64::NAN, f64::NAN, f64::NAN],
            last_day: vec![10.0, 40.0, 12.0, 15.0, 60.0],
            discharge_day: vec![f64::NAN, 20.0, 12.0, f64::NAN, 60.0],
            extra: vec![],
        }
    }

    #[test]
    fn binary_counts_discharge_as_alive_and_leaves_lost_unknown() {
        // died d10; died d40 after discharge d20; discharged d12; censored d15; followed to 60
        assert_eq!(
            binary_death(&pt(), 28, Discharge::AliveToHorizon),
            vec![Some(true), Some(false), Some(false), None, Some(false)]
        );
        assert_eq!(
            binary_death(&pt(), 28, Discharge::Competing),
            vec![Some(true), Some(false), Some(false), None, Some(false)]
        );
        // Censored at discharge: the discharged patients' status at day 28 is unknown.
        assert_eq!(
            binary_death(&pt(), 28, Discharge::Censor),
            vec![Some(true), None, None, None, Some(false)]
        );
    }

    #[test]
    fn times_from_origin() {
        let p = pt();
        let a2h = Discharge::AliveToHorizon;
        assert_eq!(time_to_death(&p, 0, 0.0, 28, a2h), (10.0, 1.0));
        assert_eq!(time_to_death(&p, 0, 3.0, 28, a2h), (7.0, 1.0));
        assert_eq!(time_to_death(&p, 1, 0.0, 28, a2h), (28.0, 0.0));
        // discharged alive on day 12: known alive at day 28
        assert_eq!(time_to_death(&p, 2, 0.0, 28, a2h), (28.0, 0.0));
        assert_eq!(time_to_death(&p, 2, 3.0, 28, a2h), (25.0, 0.0));
        assert_eq!(time_to_death(&p, 3, 3.0, 28, a2h), (12.0, 0.0));
        assert_eq!(time_to_death(&p, 4, 0.0, 28, a2h), (28.0, 0.0));
        for d in [Discharge::Censor, Discharge::Competing] {
            assert_eq!(time_to_death(&p, 0, 0.0, 28, d), (10.0, 1.0));
            assert_eq!(time_to_death(&p, 1, 0.0, 28, d), (20.0, 0.0));
            assert_eq!(time_to_death(&p, 2, 3.0, 28, d), (9.0, 0.0));
            assert_eq!(time_to_death(&p, 3, 3.0, 28, d), (12.0, 0.0));
            assert_eq!(time_to_death(&p, 4, 0.0, 28, d), (28.0, 0.0));
        }
        assert_eq!(competing_status(&p, 0, 0.0, 28), (10.0, 1));
        assert_eq!(competing_status(&p, 1, 0.0, 28), (20.0, 2));
        assert_eq!(competing_status(&p, 2, 3.0, 28), (9.0, 2));
        assert_eq!(competing_status(&p, 3, 0.0, 28), (15.0, 0));
        assert_eq!(competing_status(&p, 4, 0.0, 28), (28.0, 0));
    }
}
