//! The harm outcome: major bleeding by the horizon (day 28), from the day table's `bleeding`
//! column, with death before bleeding as a competing event. The `(time, status)` pairs feed the
//! Aalen-Johansen cumulative incidence ([`crate::stats::competing`]), the cause-specific Cox
//! model and the Fine-Gray model ([`crate::stats::finegray`]).
//!
//! Rules (time in days since ICU admission, as [`super::outcome`]; `origin` = time zero, 0
//! without a landmark):
//! - The event is the first day `d` with `bleeding = true` after time zero: `d > origin` and
//!   `d > 1`, since bleeding on the admission day (day 1) is a baseline finding (it enters the
//!   JMHW DIC score) and not a consequence of treatment. A day without a bleeding record counts
//!   as no bleeding that day.
//! - Bleeding is only seen while the patient is in hospital: follow-up ends at discharge alive,
//!   else at death or the last day observed, and at the horizon.
//! - Status 1: bleeding on or before the end of follow-up (a bleed on the day of death counts as
//!   the bleed); status 2: death in hospital by the horizon without a bleed before it (the
//!   competing event); status 0: censored at the end of follow-up (a death after discharge is
//!   censored at discharge, as bleeding in between was not observed).

use crate::schema::{Cohort, DayTable, PatientTable};

/// Rows of compact patient-days decoded at a time by [`major_bleeding_of`].
const CHUNK_ROWS: usize = 1 << 18;

/// Major bleeding by `horizon` from `origin`, one `(time, status)` per patient (module docs):
/// status 0 censored, 1 bleeding, 2 death before bleeding.
pub fn major_bleeding(
    patients: &PatientTable,
    days: &DayTable,
    origin: f64,
    horizon: i32,
) -> Vec<(f64, u32)> {
    let mut first = vec![f64::INFINITY; patients.len()];
    first_bleeding_days(days, origin, 0, &mut first);
    bleeding_outcome(patients, &first, origin, horizon)
}

/// [`major_bleeding`] of a loaded cohort, its patient-days as `f64` columns or compact (decoded
/// a chunk of whole patients at a time), and whether any patient-day records bleeding at all
/// (`false`: the column is absent or empty, and there is nothing to analyse).
pub fn major_bleeding_of(cohort: &Cohort, origin: f64, horizon: i32) -> (Vec<(f64, u32)>, bool) {
    let n = cohort.patients.len();
    let mut first = vec![f64::INFINITY; n];
    let mut recorded = false;
    match &cohort.compact_days {
        Some(c) => {
            for (lo, hi, p_lo, _) in c.patient_chunks(CHUNK_ROWS, n) {
                let chunk = c.chunk(lo, hi, p_lo);
                recorded |= chunk.bleeding.iter().any(Option::is_some);
                first_bleeding_days(&chunk, origin, p_lo as usize, &mut first);
            }
        }
        None => {
            recorded = cohort.days.bleeding.iter().any(Option::is_some);
            first_bleeding_days(&cohort.days, origin, 0, &mut first);
        }
    }
    (
        bleeding_outcome(&cohort.patients, &first, origin, horizon),
        recorded,
    )
}

/// Lowers `first[base + patient]` to each patient's first bleeding day after time zero (module
/// docs: after `origin` and after day 1).
fn first_bleeding_days(days: &DayTable, origin: f64, base: usize, first: &mut [f64]) {
    let after = origin.max(1.0);
    for k in 0..days.len() {
        let d = f64::from(days.day[k]);
        if days.bleeding[k] == Some(true) && d > after {
            let i = base + days.patient[k] as usize;
            if d < first[i] {
                first[i] = d;
            }
        }
    }
}

/// The `(time, status)` of each patient from its first bleeding day (module docs).
fn bleeding_outcome(
    patients: &PatientTable,
    first_bleed: &[f64],
    origin: f64,
    horizon: i32,
) -> Vec<(f64, u32)> {
    let h = f64::from(horizon);
    (0..patients.len())
        .map(|i| {
            let death = patients.death_day[i];
            let discharge = patients.discharge_day[i];
            let end = if discharge.is_finite() {
                discharge
            } else if death.is_finite() {
                death
            } else {
                patients.last_day[i]
            }
            .min(h);
            let died_in_hospital =
                death.is_finite() && death <= h && !(discharge.is_finite() && discharge < death);
            if first_bleed[i] <= end {
                (first_bleed[i] - origin, 1)
            } else if died_in_hospital {
                (death - origin, 2)
            } else {
                (end - origin, 0)
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_bleed_after_time_zero_with_death_competing() {
        let n = 6;
        let patients = PatientTable {
            patient_id: (0..n).map(|i| i.to_string()).collect(),
            // 0 bleeds d1 (baseline) and d5; 1 dies d8 without bleeding; 2 bleeds d8 and dies d8;
            // 3 discharged d10, dies d20; 4 bleeds d30 (after the horizon); 5 censored d12
            death_day: vec![f64::NAN, 8.0, 8.0, 20.0, f64::NAN, f64::NAN],
            last_day: vec![40.0, 8.0, 8.0, 20.0, 40.0, 12.0],
            discharge_day: vec![40.0, f64::NAN, f64::NAN, 10.0, 40.0, f64::NAN],
            ..PatientTable::default()
        };
        let rows: [(u32, i32, bool); 7] = [
            (0, 1, true),
            (0, 2, false),
            (0, 5, true),
            (1, 3, false),
            (2, 8, true),
            (3, 4, false),
            (4, 30, true),
        ];
        let days = DayTable {
            patient: rows.iter().map(|r| r.0).collect(),
            day: rows.iter().map(|r| r.1).collect(),
            bleeding: rows.iter().map(|r| Some(r.2)).collect(),
            ..DayTable::default()
        };
        assert_eq!(
            major_bleeding(&patients, &days, 0.0, 28),
            vec![
                (5.0, 1),
                (8.0, 2),
                (8.0, 1),
                (10.0, 0),
                (28.0, 0),
                (12.0, 0)
            ]
        );
        // from a day-3 landmark, times are shifted and the day-5 bleed still counts
        assert_eq!(major_bleeding(&patients, &days, 3.0, 28)[0], (2.0, 1));
        // from a day-6 landmark patient 0's bleeds are all before time zero
        assert_eq!(major_bleeding(&patients, &days, 6.0, 28)[0], (22.0, 0));
    }
}
