//! `dicohort simulate --format mimic-iv`: the synthetic registry written as a MIMIC-IV-shaped
//! folder (v2.2 table names, column names and order, types and itemids; `hosp/` and `icu/` as
//! CSV.gz), so that `dicohort import mimic-iv` can be checked against the registry it came from
//! without the credentialed data.
//!
//! Every registry value MIMIC-IV can carry is written so that the import's day rule recovers it
//! exactly: each patient-day has two laboratory draws and four vital-sign charting times, one of
//! which holds the registry value (the worst of the day) and the others a better value; day 1's
//! morning draw is taken 3 h before ICU admission (the import's 6-h lookback) and, for some
//! patients, an earlier emergency-department draw falls outside it (it must not count).
//! Temperature is charted in Fahrenheit (223761) for most charting times; D-dimer is in
//! `ng/mL FEU` (51196) at even sites and `ng/mL` (50915) at odd ones; some blood gases have no
//! FiO2 and a charted FiO2 (223835) one hour before; urine is charted in four portions whose sum,
//! scaled by the import to 24 h, is the registry's daily volume.
//!
//! What MIMIC-IV cannot carry is not written: APACHE II, haematological malignancy, liver failure,
//! TAT, bleeding, organ failure, the site (the first care unit stands for it), "vasopressor not
//! recorded" (an ICU day without an infusion is "not given"). The registry's four anticoagulant
//! classes have no MIMIC-IV itemid; they are charted as the four MIMIC-IV anticoagulants of
//! [`DRUG_ITEMS`] (doses carried over as numbers), so courses survive the round trip; heparin
//! prophylaxis (225975) is added for half the never-treated patients ([`prophylaxis_days`]) and
//! must not count as therapy.
//!
//! Times: ICU admission between 00:30 and 01:00 of its day (so calendar days and 24-hour blocks
//! agree on every charted time), measurements between 02:00 and 23:00, discharge or death at
//! 23:30-23:50 of the registry's last day; patients in hospital on day 28 leave on day 31.
//! Admission days are spread over 2150-2159 (MIMIC's shifted years).

mod hosp;
mod icu;
mod tables;

pub use tables::*;

use std::io::Write;

use super::model::{SimParams, SimPatient};
use super::rng::Rng;
use crate::load::mimic::format_time;
use tables::{CHARTEVENTS, INPUTEVENTS, LABEVENTS};

pub(super) use crate::load::mimic::frames::{DAY, HOUR};
pub(super) const MIN: i64 = HOUR / 60;

/// Mixed into the seed for the MIMIC-only details (disjoint from the registry's streams).
const MIMIC_STREAM: u64 = 0x4D49_4D49_4349_5601;

/// The MIMIC-only details of a patient, drawn from a stream of their own.
#[derive(Debug, Clone, PartialEq)]
pub struct MimicExtras {
    /// ICU admission (microseconds since 1970).
    pub intime: i64,
    /// Hospital (and ICU) exit.
    pub exit: i64,
    /// A blood culture 2 h before ICU admission (else no culture: no suspected infection).
    pub culture: bool,
    /// Days 1.. of heparin prophylaxis (225975), for never-treated patients.
    pub prophylaxis_days: u32,
    /// A death after discharge (`patients.dod`): the day it falls on, counted as `death_day`
    /// with linked follow-up.
    pub death_after_discharge: Option<u32>,
    /// An emergency-department draw 9 h before ICU admission (outside the lookback).
    pub ed_draw: bool,
    pub weight_kg: f64,
}

/// Days of heparin prophylaxis of a patient: half of the never-treated patients (even index),
/// from day 1 to day 5 or their last day.
pub fn prophylaxis_days(p: &SimPatient) -> u32 {
    if p.courses.is_empty() && p.index % 2 == 0 {
        p.last_day.min(5)
    } else {
        0
    }
}

/// The MIMIC-only details of patient `p`.
pub fn extras(params: &SimParams, p: &SimPatient) -> MimicExtras {
    let mut rng = Rng::stream(params.seed ^ MIMIC_STREAM, p.index);
    let d0 = crate::load::mimic::parse_time("2150-01-01").expect("a date") / DAY
        + (p.index % 3650) as i64;
    let intime = d0 * DAY + 30 * MIN + (rng.uniform() * 30.0) as i64 * MIN;
    let day_start = |d: u32| d0 * DAY + i64::from(d - 1) * DAY;
    let exit = if p.death_day.is_none() && p.discharge_day.is_none() {
        day_start(31) + 10 * HOUR
    } else {
        day_start(p.last_day) + 23 * HOUR + 30 * MIN + (rng.uniform() * 20.0) as i64 * MIN
    };
    let culture = rng.uniform() >= 0.05;
    let late = rng.uniform();
    let death_after_discharge = match p.discharge_day {
        Some(d) if late < 0.08 => Some(d + 1 + (rng.uniform() * 40.0) as u32),
        _ => None,
    };
    MimicExtras {
        intime,
        exit,
        culture,
        prophylaxis_days: prophylaxis_days(p),
        death_after_discharge,
        ed_draw: rng.uniform() < 0.3,
        weight_kg: (50.0 + rng.uniform() * 60.0).round(),
    }
}

fn w(out: &mut Vec<u8>, args: std::fmt::Arguments) {
    out.write_fmt(args).expect("write to Vec");
}

/// The shortest text that reads back to `v` (empty for NaN).
fn n(v: f64) -> String {
    if v.is_nan() {
        String::new()
    } else {
        format!("{v}")
    }
}

pub(super) use super::model::{r1, r2};

/// Per-patient row writer: ids, clock and the table buffers.
pub(super) struct Writer<'a> {
    p: &'a SimPatient,
    x: &'a MimicExtras,
    subject: i64,
    hadm: i64,
    stay: i64,
    d0: i64,
    lab_seq: u64,
    spec_seq: u64,
    order_seq: u64,
    rng: Rng,
    out: &'a mut [Vec<u8>],
}

impl Writer<'_> {
    pub(super) fn day_start(&self, d: u32) -> i64 {
        self.d0 + i64::from(d - 1) * DAY
    }

    /// A numeric result (`value` = `valuenum`) with its reference range.
    pub(super) fn lab(
        &mut self,
        spec: u64,
        itemid: i64,
        t: i64,
        value: &str,
        uom: &str,
        range: (&str, &str),
    ) {
        self.lab_row(spec, itemid, t, (value, value), uom, range);
    }

    /// A text result (no `valuenum`).
    pub(super) fn lab_text(&mut self, spec: u64, itemid: i64, t: i64, text: &str) {
        self.lab_row(spec, itemid, t, (text, ""), "", ("", ""));
    }

    fn lab_row(
        &mut self,
        spec: u64,
        itemid: i64,
        t: i64,
        (value, valuenum): (&str, &str),
        uom: &str,
        range: (&str, &str),
    ) {
        self.lab_seq += 1;
        let id = self.p.index * 100_000 + self.lab_seq;
        let (s, h) = (self.subject, self.hadm);
        w(
            &mut self.out[LABEVENTS],
            format_args!(
                "{id},{s},{h},{spec},{itemid},,{},{},{value},{valuenum},{uom},{},{},,ROUTINE,\n",
                format_time(t),
                format_time(t + 45 * MIN),
                range.0,
                range.1
            ),
        );
    }

    pub(super) fn lab_num(&mut self, spec: u64, itemid: i64, t: i64, v: &str, uom: &str) {
        self.lab(spec, itemid, t, v, uom, ("", ""));
    }

    pub(super) fn specimen(&mut self) -> u64 {
        self.spec_seq += 1;
        self.p.index * 1000 + self.spec_seq
    }

    pub(super) fn chart(&mut self, itemid: i64, t: i64, value: &str, valuenum: &str, uom: &str) {
        let (s, h, st) = (self.subject, self.hadm, self.stay);
        w(
            &mut self.out[CHARTEVENTS],
            format_args!(
                "{s},{h},{st},,{},{},{itemid},{value},{valuenum},{uom},0\n",
                format_time(t),
                format_time(t + 10 * MIN)
            ),
        );
    }

    pub(super) fn chart_num(&mut self, itemid: i64, t: i64, v: &str, uom: &str) {
        self.chart(itemid, t, v, v, uom);
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn input(
        &mut self,
        itemid: i64,
        start: i64,
        end: i64,
        amount: f64,
        amountuom: &str,
        rate: &str,
        rateuom: &str,
        category: &str,
    ) {
        self.order_seq += 1;
        let order = self.p.index * 1000 + self.order_seq;
        let (s, h, st, wt) = (self.subject, self.hadm, self.stay, self.x.weight_kg);
        let (cat, comp) = if category == "Drug Push" {
            ("05-Med Bolus", "Main order parameter")
        } else {
            ("01-Drips", "Main order parameter")
        };
        w(
            &mut self.out[INPUTEVENTS],
            format_args!(
                "{s},{h},{st},,{},{},{},{itemid},{},{amountuom},{rate},{rateuom},{order},{order},{cat},,{comp},{category},{wt},{},ml,0,0,FinishedRunning,{},{rate}\n",
                format_time(start),
                format_time(end),
                format_time(end + 5 * MIN),
                n(amount),
                n(amount),
                n(amount)
            ),
        );
    }
}

/// Writes patient `p` into the MIMIC-IV table buffers (`out`, in [`TABLES`] order).
pub fn write_patient(params: &SimParams, p: &SimPatient, out: &mut [Vec<u8>]) {
    let x = extras(params, p);
    let i = p.index as i64;
    let d0 = x.intime.div_euclid(DAY) * DAY;
    let mut wr = Writer {
        p,
        x: &x,
        subject: 10_000_001 + i,
        hadm: 20_000_001 + i,
        stay: 30_000_001 + i,
        d0,
        lab_seq: 0,
        spec_seq: 0,
        order_seq: 0,
        rng: Rng::stream(params.seed ^ MIMIC_STREAM ^ 0x5EED, p.index),
        out,
    };
    wr.patient_rows();
    for d in 1..=p.days.len() as u32 {
        wr.labs_of_day(d);
        wr.vitals_of_day(d);
        wr.urine_of_day(d);
        wr.vasopressors_of_day(d);
    }
    wr.ventilation();
    wr.anticoagulants();
    wr.orders_and_cultures();
}

/// The stay id the import gives patient `p` (`patient_id` after the round trip).
pub fn stay_id(p: &SimPatient) -> String {
    (30_000_001 + p.index).to_string()
}
