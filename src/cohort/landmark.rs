//! Study designs and immortal time.
//!
//! A patient who starts an anticoagulant on day 3 must survive to day 3 to be "treated": comparing
//! ever-treated with never-treated patients from admission credits that immortal time to the
//! treatment (Suissa S, Am J Epidemiol 2008;167:492-499). Two designs handle it explicitly:
//!
//! - **Landmark** (Anderson JR et al., J Clin Oncol 1983;1:710-719): follow-up starts at the end of
//!   the grace window (day L); patients who died or left observation on or before day L are
//!   excluded and counted in the flow; exposure is fixed at L (started within the window).
//! - **Time-varying exposure**: follow-up from admission in counting-process form, each exposed
//!   patient's time split at the start of exposure, for a Cox model on `(start, stop]`.
//!
//! The naive "ever treated" comparison from admission exists only when asked for by name and is
//! labelled as biased in every output.

use serde::{Deserialize, Serialize};

use crate::schema::{CohortFlow, PatientTable};

use super::exposure::Exposure;
use super::outcome::{binary_death, competing_status, exit_day, time_to_death, Discharge};

/// The study designs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Design {
    Landmark,
    TimeVarying,
    NaiveEverTreated,
}

impl Design {
    pub fn label(&self, window: [i32; 2]) -> String {
        match self {
            Design::Landmark => format!(
                "landmark at the end of day {} (exposure = started on days {}-{})",
                window[1], window[0], window[1]
            ),
            Design::TimeVarying => {
                "exposure as a time-varying covariate from admission (counting process)".into()
            }
            Design::NaiveEverTreated => {
                "naive ever-treated vs never-treated from admission — BIASED (immortal time), \
                 shown for comparison only"
                    .into()
            }
        }
    }
    pub fn is_biased(&self) -> bool {
        matches!(self, Design::NaiveEverTreated)
    }
}

/// The patients of one design with their patient-level exposure and outcomes.
#[derive(Debug, Clone, PartialEq)]
pub struct StudySample {
    pub design: Design,
    /// Follow-up origin in days since admission (the landmark day, or 0).
    pub origin: f64,
    /// Row indices into the patient table.
    pub patients: Vec<usize>,
    /// Exposure per included patient (landmark: started within the window; naive and
    /// time-varying: started at any time before leaving observation — for description only in
    /// the time-varying design, whose models use [`CountingProcess`]).
    pub exposed: Vec<bool>,
    /// Time to death from the origin (truncated at the horizon) and its event indicator.
    pub time: Vec<f64>,
    pub event: Vec<f64>,
    /// Binary death by the horizon (`None` = unknown).
    pub dead: Vec<Option<bool>>,
    /// Competing-risks time and status (0 censored, 1 death, 2 discharge alive).
    pub cr_time: Vec<f64>,
    pub cr_status: Vec<u8>,
}

impl StudySample {
    pub fn len(&self) -> usize {
        self.patients.len()
    }
    pub fn is_empty(&self) -> bool {
        self.patients.is_empty()
    }
    pub fn n_exposed(&self) -> usize {
        self.exposed.iter().filter(|x| **x).count()
    }
}

/// The follow-up rules shared by every design: the horizon and what discharge alive means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FollowUp {
    pub horizon: i32,
    pub discharge: Discharge,
}

fn sample(
    design: Design,
    p: &PatientTable,
    patients: Vec<usize>,
    exposed: Vec<bool>,
    origin: f64,
    f: FollowUp,
) -> StudySample {
    let horizon = f.horizon;
    let dead_all = binary_death(p, horizon, f.discharge);
    let mut s = StudySample {
        design,
        origin,
        time: Vec::with_capacity(patients.len()),
        event: Vec::with_capacity(patients.len()),
        dead: Vec::with_capacity(patients.len()),
        cr_time: Vec::with_capacity(patients.len()),
        cr_status: Vec::with_capacity(patients.len()),
        patients,
        exposed,
    };
    for &i in &s.patients {
        let (t, e) = time_to_death(p, i, origin, horizon, f.discharge);
        s.time.push(t);
        s.event.push(e);
        s.dead.push(dead_all[i]);
        let (ct, cs) = competing_status(p, i, origin, horizon);
        s.cr_time.push(ct);
        s.cr_status.push(cs);
    }
    s
}

/// The landmark sample at the end of day `landmark` with outcomes by `horizon` under the default
/// discharge rule ([`Discharge::AliveToHorizon`]); see [`landmark_sample_with`].
pub fn landmark_sample(
    p: &PatientTable,
    exposure: &Exposure,
    landmark: i32,
    horizon: i32,
    flow: &mut CohortFlow,
) -> StudySample {
    let f = FollowUp {
        horizon,
        discharge: Discharge::AliveToHorizon,
    };
    landmark_sample_with(p, exposure, landmark, f, flow)
}

/// The landmark sample at the end of day `landmark`: patients whose observation ended on or
/// before it are excluded, by reason, and the step is pushed to `flow`.
pub fn landmark_sample_with(
    p: &PatientTable,
    exposure: &Exposure,
    landmark: i32,
    f: FollowUp,
    flow: &mut CohortFlow,
) -> StudySample {
    let l = landmark as f64;
    let (mut died, mut discharged, mut lost) = (0u64, 0u64, 0u64);
    let mut keep = Vec::with_capacity(p.len());
    for i in 0..p.len() {
        let exit = exit_day(p, i);
        if exit > l {
            keep.push(i);
        } else if p.death_day[i].is_finite() {
            died += 1;
        } else if p.discharge_day[i].is_finite() {
            discharged += 1;
        } else {
            lost += 1;
        }
    }
    flow.push_staged(
        super::sample::design_short(Design::Landmark),
        &format!("alive and in hospital at the end of day {landmark} (landmark)"),
        "patients",
        p.len() as u64,
        vec![
            (format!("died before the end of day {landmark}"), died),
            (
                format!("discharged alive before the end of day {landmark}"),
                discharged,
            ),
            (
                format!("follow-up ended before the end of day {landmark} (no death or discharge)"),
                lost,
            ),
        ],
    );
    let exposed = keep.iter().map(|&i| exposure.in_window[i]).collect();
    sample(Design::Landmark, p, keep, exposed, l, f)
}

/// Per-protocol landmark comparison: an unexposed patient who starts the exposure after the
/// window is censored (time to death and competing risks) when exposure becomes effective,
/// `start_day - 1 + lag` days after admission, so the unexposed arm is "not started" throughout
/// (cf. Hernan MA et al., Am J Epidemiol 2016;183:758-764, on per-protocol comparisons). The
/// binary outcome is left as classified at the landmark. Returns how many were censored earlier
/// than their own follow-up would have ended.
pub fn censor_late_starters(s: &mut StudySample, exposure: &Exposure, lag: f64) -> usize {
    let mut n = 0;
    for k in 0..s.len() {
        if s.exposed[k] {
            continue;
        }
        let start = exposure.start_day[s.patients[k]];
        if !start.is_finite() {
            continue;
        }
        let c = (start - 1.0 + lag - s.origin).max(0.0);
        if c < s.time[k] || (c == s.time[k] && s.event[k] == 1.0 && lag == 0.0) {
            s.time[k] = c;
            s.event[k] = 0.0;
            n += 1;
        }
        if c < s.cr_time[k] || (c == s.cr_time[k] && s.cr_status[k] != 0 && lag == 0.0) {
            s.cr_time[k] = c;
            s.cr_status[k] = 0;
        }
    }
    n
}

/// All patients from admission, exposure = ever started before leaving observation (naive).
fn from_admission(
    design: Design,
    p: &PatientTable,
    exposure: &Exposure,
    f: FollowUp,
) -> StudySample {
    let keep: Vec<usize> = (0..p.len()).collect();
    let exposed = keep
        .iter()
        .map(|&i| exposure.ever[i] && exposure.start_day[i] <= exit_day(p, i))
        .collect();
    sample(design, p, keep, exposed, 0.0, f)
}

/// The naive ever-treated sample (biased; labelled as such by [`Design::label`]).
pub fn naive_sample(p: &PatientTable, exposure: &Exposure, f: FollowUp) -> StudySample {
    from_admission(Design::NaiveEverTreated, p, exposure, f)
}

/// Counting-process rows `(start, stop]` for a Cox model with a time-varying exposure.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CountingProcess {
    /// Index into the [`StudySample`] (not the patient table), the cluster for robust variance.
    pub subject: Vec<usize>,
    pub start: Vec<f64>,
    pub stop: Vec<f64>,
    pub event: Vec<f64>,
    pub exposed: Vec<f64>,
}

impl CountingProcess {
    pub fn len(&self) -> usize {
        self.subject.len()
    }
    pub fn is_empty(&self) -> bool {
        self.subject.is_empty()
    }
}

/// The time-varying design: every patient from admission, and the counting-process rows split at
/// the time exposure becomes effective, `start_day - 1 + lag` (lag 1: from the end of the day
/// treatment started, so a death on the day of starting counts as unexposed; lag 0: from the
/// start of that day). Starts at or after the end of follow-up leave a single unexposed row.
pub fn time_varying(
    p: &PatientTable,
    exposure: &Exposure,
    f: FollowUp,
    lag: f64,
) -> (StudySample, CountingProcess) {
    let s = from_admission(Design::TimeVarying, p, exposure, f);
    let mut cp = CountingProcess::default();
    for (k, &i) in s.patients.iter().enumerate() {
        let end = s.time[k];
        let switch = exposure.start_day[i] - 1.0 + lag;
        let mut push = |start: f64, stop: f64, event: f64, exposed: f64| {
            cp.subject.push(k);
            cp.start.push(start);
            cp.stop.push(stop);
            cp.event.push(event);
            cp.exposed.push(exposed);
        };
        if end.is_nan() || end <= 0.0 {
            // A zero-length follow-up contributes no risk time (R drops start >= stop rows).
            continue;
        }
        if switch.is_finite() && switch < end {
            if switch > 0.0 {
                push(0.0, switch, 0.0, 0.0);
                push(switch, end, s.event[k], 1.0);
            } else {
                push(0.0, end, s.event[k], 1.0);
            }
        } else {
            push(0.0, end, s.event[k], 0.0);
        }
    }
    (s, cp)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cohort::exposure::Exposure;

    const FU: FollowUp = FollowUp {
        horizon: 28,
        discharge: Discharge::AliveToHorizon,
    };

    fn pt() -> PatientTable {
        let n = 6;
        PatientTable {
            patient_id: (0..n).map(|i| i.to_string()).collect(),
            site_id: vec!["s".into(); n],
            age: vec![60.0; n],
            sex: vec![None; n],
            apache2: vec![20.0; n],
            haematological_malignancy: vec![None; n],
            liver_failure: vec![None; n],
            death_day: vec![2.0, 10.0, f64::NAN, f64::NAN, 3.0, f64::NAN],
            last_day: vec![2.0, 10.0, 3.0, 2.0, 3.0, 40.0],
            discharge_day: vec![f64::NAN, f64::NAN, 3.0, f64::NAN, f64::NAN, 40.0],
            extra: vec![],
        }
    }

    fn ex() -> Exposure {
        let start_day = vec![1.0, 2.0, f64::NAN, 1.0, 3.0, 5.0];
        Exposure {
            in_window: start_day.iter().map(|s| *s <= 3.0).collect(),
            ever: start_day.iter().map(|s| s.is_finite()).collect(),
            start_day,
            n_rows_missing_start: 0,
        }
    }

    #[test]
    fn landmark_excludes_and_counts() {
        let mut flow = CohortFlow::default();
        let s = landmark_sample_with(&pt(), &ex(), 3, FU, &mut flow);
        assert_eq!(s.patients, vec![1, 5]);
        assert_eq!(s.exposed, vec![true, false]); // patient 5 started day 5: unexposed at L
        assert_eq!(s.time, vec![7.0, 25.0]);
        assert_eq!(s.event, vec![1.0, 0.0]);
        let step = &flow.steps[0];
        assert_eq!(step.n_in, 6);
        assert_eq!(step.n_out, 2);
        let counts: Vec<u64> = step.excluded.iter().map(|e| e.1).collect();
        assert_eq!(counts, vec![2, 1, 1]);
    }

    #[test]
    fn late_starters_censored_when_exposure_begins() {
        let mut flow = CohortFlow::default();
        let mut s = landmark_sample_with(&pt(), &ex(), 3, FU, &mut flow);
        // Patient 5 (unexposed at L, starts day 5): censored at 5 - 1 - 3 = 1 (lag 0).
        assert_eq!(censor_late_starters(&mut s, &ex(), 0.0), 1);
        assert_eq!(s.time, vec![7.0, 1.0]);
        assert_eq!(s.event, vec![1.0, 0.0]);
        assert_eq!(s.cr_time[1], 1.0);
        assert_eq!(s.cr_status[1], 0);
    }

    #[test]
    fn naive_counts_late_starters_as_treated() {
        let s = naive_sample(&pt(), &ex(), FU);
        assert_eq!(s.exposed, vec![true, true, false, true, true, true]);
        assert!(Design::NaiveEverTreated.label([1, 3]).contains("BIASED"));
    }

    #[test]
    fn time_varying_splits_at_start() {
        let (s, cp) = time_varying(&pt(), &ex(), FU, 1.0);
        assert_eq!(s.len(), 6);
        // p0: start d1 -> effective at 1, died at 2: (0,1] unexposed, (1,2] exposed event.
        // p1: start d2 -> 2: (0,2] 0, (2,10] 1 event. p2: discharged alive on day 3, known alive
        // at day 28: (0,28] 0. p3: effective at 1: (0,1],(1,2].
        // p4: start d3 -> 3, died at 3: (0,3] unexposed event. p5: effective 5: (0,5],(5,28].
        assert_eq!(cp.subject, vec![0, 0, 1, 1, 2, 3, 3, 4, 5, 5]);
        assert_eq!(
            cp.start,
            vec![0.0, 1.0, 0.0, 2.0, 0.0, 0.0, 1.0, 0.0, 0.0, 5.0]
        );
        assert_eq!(
            cp.stop,
            vec![1.0, 2.0, 2.0, 10.0, 28.0, 1.0, 2.0, 3.0, 5.0, 28.0]
        );
        assert_eq!(
            cp.event,
            vec![0.0, 1.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0]
        );
        assert_eq!(
            cp.exposed,
            vec![0.0, 1.0, 0.0, 1.0, 0.0, 0.0, 1.0, 0.0, 0.0, 1.0]
        );
        let (_, cp0) = time_varying(&pt(), &ex(), FU, 0.0);
        // lag 0: p0 exposed from 0 -> one row.
        assert_eq!(cp0.subject[0..2], [0, 1]);
        assert_eq!(cp0.exposed[0], 1.0);
    }
}
