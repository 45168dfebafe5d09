//! 28-day mortality in its three forms. Every output names which one it is
//! ([`OutcomeKind::label`]).
//!
//! Time is counted in days since ICU admission: day 1 ends at time 1, so a death on day `d`
//! happens at time `d` and a patient last seen alive on day `d` is censored at `d`. A follow-up
//! origin (a landmark) is subtracted from every time.

use serde::{Deserialize, Serialize};

use crate::schema::PatientTable;

/// The three outcome forms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutcomeKind {
    /// Death by the horizon, yes/no; discharge alive before the horizon counts as alive (the
    /// registry convention); a patient censored before the horizon without a discharge is
    /// unknown and left out (counted).
    Binary,
    /// Time to death, censored at discharge / last day observed and at the horizon.
    TimeToDeath,
    /// Death with discharge alive as a competing event (Aalen-Johansen cumulative incidence).
    Competing,
}

impl OutcomeKind {
    /// A human label naming the outcome, e.g. "28-day mortality (binary; discharge alive = alive)".
    pub fn label(&self, horizon: i32) -> String {
        match self {
            OutcomeKind::Binary => {
                format!("{horizon}-day mortality (binary; discharged alive before day {horizon} = alive)")
            }
            OutcomeKind::TimeToDeath => format!(
                "time to death within {horizon} days (censored at discharge or last day observed)"
            ),
            OutcomeKind::Competing => {
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

/// Binary mortality by `horizon`: `Some(true)` died on or before the horizon, `Some(false)`
/// known alive (followed to the horizon, or discharged alive before it), `None` unknown.
pub fn binary_death(p: &PatientTable, horizon: i32) -> Vec<Option<bool>> {
    let h = horizon as f64;
    (0..p.len())
        .map(|i| {
            let d = p.death_day[i];
            if d.is_finite() && d <= h {
                Some(true)
            } else if d.is_finite() || p.last_day[i] >= h || p.discharge_day[i].is_finite() {
                Some(false)
            } else {
                None
            }
        })
        .collect()
}

/// Right-censored time to death truncated at `horizon`, from `origin` (0 = admission):
/// `(time, event)`; event 1 = death on or before the horizon.
pub fn time_to_death(p: &PatientTable, i: usize, origin: f64, horizon: i32) -> (f64, f64) {
    let h = horizon as f64;
    let d = p.death_day[i];
    if d.is_finite() && d <= h {
        (d - origin, 1.0)
    } else {
        (exit_day(p, i).min(h) - origin, 0.0)
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
        assert_eq!(
            binary_death(&pt(), 28),
            vec![Some(true), Some(false), Some(false), None, Some(false)]
        );
    }

    #[test]
    fn times_from_origin() {
        let p = pt();
        assert_eq!(time_to_death(&p, 0, 0.0, 28), (10.0, 1.0));
        assert_eq!(time_to_death(&p, 0, 3.0, 28), (7.0, 1.0));
        assert_eq!(time_to_death(&p, 1, 0.0, 28), (28.0, 0.0));
        assert_eq!(time_to_death(&p, 2, 0.0, 28), (12.0, 0.0));
        assert_eq!(time_to_death(&p, 3, 3.0, 28), (12.0, 0.0));
        assert_eq!(time_to_death(&p, 4, 0.0, 28), (28.0, 0.0));
        assert_eq!(competing_status(&p, 0, 0.0, 28), (10.0, 1));
        assert_eq!(competing_status(&p, 1, 0.0, 28), (20.0, 2));
        assert_eq!(competing_status(&p, 2, 3.0, 28), (9.0, 2));
        assert_eq!(competing_status(&p, 3, 0.0, 28), (15.0, 0));
        assert_eq!(competing_status(&p, 4, 0.0, 28), (28.0, 0));
    }
}
