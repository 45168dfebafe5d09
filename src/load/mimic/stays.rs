//! The cohort of ICU stays, the day clock of each stay, and the outcomes.
//!
//! Sources: `icu/icustays` (intime, outtime, first care unit), `hosp/admissions` (dischtime,
//! deathtime), `hosp/patients` (gender, anchor_age / anchor_year, dod).
//!
//! * Age at ICU admission: `anchor_age + year(intime) - anchor_year`, as mimic-code
//!   `demographics/age.sql` (which uses `admittime`; the two years differ only for admissions
//!   spanning New Year). ricu's `age` concept reads `anchor_age` alone.
//! * First stay: the earliest `intime` of the patient (`subject_id`), as mimic-code
//!   `demographics/icustay_detail.sql` (`first_icu_stay`), counted over all the patient's ICU
//!   stays before the age rule.
//! * Day 1 contains ICU admission: the calendar day of `intime` (default) or the 24 hours from
//!   `intime`. Measurements from 6 hours before `intime` count for day 1, as mimic-code's
//!   first-day concepts (`firstday/first_day_lab.sql`: `intime - 6 hours`); earlier ones are not
//!   the ICU course and are dropped (counted). Measurements end at hospital exit (discharge or
//!   death) and after the last day written.
//! * Outcomes (days as the day clock counts them): `death_day` from `admissions.deathtime`
//!   (in-hospital) or, with the default linked follow-up, `patients.dod` (a date: the day that
//!   contains it); `discharge_day` = the day of hospital discharge alive (`dischtime`);
//!   `last_day` = the death day, else the discharge day (+ 365 days with linked follow-up: dod
//!   covers deaths up to one year after the last discharge). ricu's `death` concept is
//!   in-hospital only (`hospital_expire_flag`), as is mimic-code's `icustay_detail`.
//!
//! Cost: the three small tables are read whole (one row per patient, admission, ICU stay).

use std::collections::HashMap;

use polars::prelude::*;

use super::frames::{self, table, Kind, Table, DAY, HOUR};
use super::{DayConvention, FollowUp, MimicError, StaySelection, ValidOptions};
use crate::schema::{CohortFlow, Sex};

/// Hours before `intime` whose measurements count for day 1 (mimic-code first-day window).
pub const LOOKBACK_HOURS: i64 = 6;

/// The canonical `day` maximum (data-schema/days.schema.json).
const MAX_CANONICAL_DAY: i64 = 1000;

/// One ICU stay with what the import needs from the three small tables.
#[derive(Debug, Clone, PartialEq)]
pub struct Stay {
    pub stay_id: i64,
    pub subject_id: i64,
    pub hadm_id: i64,
    pub careunit: Option<String>,
    pub intime: i64,
    pub outtime: i64,
    pub dischtime: i64,
    /// In-hospital death (`admissions.deathtime`).
    pub deathtime: Option<i64>,
    /// `patients.dod` at 00:00 of that date.
    pub dod: Option<i64>,
    pub age: f64,
    pub sex: Option<Sex>,
    /// 1 for the patient's first ICU stay, 2 for the second, ...
    pub seq: u32,
    pub clock: Clock,
}

/// Where a stay's days begin and end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Clock {
    pub intime: i64,
    pub outtime: i64,
    /// Start of day 1 (midnight of intime's date, or intime).
    pub day1: i64,
    /// Measurements before this time are not the ICU course.
    pub lookback: i64,
    /// Hospital exit (death or discharge), the end of measurements.
    pub exit: i64,
    /// Days written (1 to this).
    pub n_days: i32,
}

impl Clock {
    fn new(intime: i64, outtime: i64, exit: i64, conv: DayConvention, max_day: u32) -> Clock {
        let day1 = match conv {
            DayConvention::Calendar => intime.div_euclid(DAY) * DAY,
            DayConvention::Blocks24h => intime,
        };
        let mut c = Clock {
            intime,
            outtime,
            day1,
            lookback: intime - LOOKBACK_HOURS * HOUR,
            exit,
            n_days: 1,
        };
        c.n_days = c.day_of(exit.max(intime)).min(max_day as i32);
        c
    }

    /// The day of time `t` (day 1 for any time before the start of day 1: callers keep only
    /// times from [`Clock::lookback`]).
    pub fn day_of(&self, t: i64) -> i32 {
        if t < self.day1 {
            1
        } else {
            ((t - self.day1) / DAY + 1).min(MAX_CANONICAL_DAY) as i32
        }
    }

    /// Start of day `d` (day 1: [`Clock::day1`]).
    pub fn day_start(&self, d: i32) -> i64 {
        self.day1 + (i64::from(d) - 1) * DAY
    }

    /// End of the measurement window: hospital exit or the end of the last day written.
    pub fn window_end(&self) -> i64 {
        self.exit.min(self.day_start(self.n_days + 1))
    }

    /// Whether `t` is inside the measurement window.
    pub fn in_window(&self, t: i64) -> bool {
        t >= self.lookback && t < self.window_end()
    }

    /// Hours of day `d` spent in the ICU (between intime and outtime).
    pub fn icu_hours(&self, d: i32) -> f64 {
        let a = self.day_start(d).max(self.intime);
        let b = self.day_start(d + 1).min(self.outtime);
        (b - a).max(0) as f64 / HOUR as f64
    }

    /// Whether day `d` overlaps the ICU stay (infusions and ventilation are charted there, so
    /// their absence on such a day means "not given").
    pub fn in_icu(&self, d: i32) -> bool {
        self.icu_hours(d) > 0.0
    }
}

/// The sentence stating the day convention in `import.json`.
pub fn day_definition(conv: DayConvention) -> String {
    match conv {
        DayConvention::Calendar => format!(
            "day 1 = the calendar day of ICU intime (day d = calendar day d - 1 after it); \
             measurements from {LOOKBACK_HOURS} h before intime count for day 1"
        ),
        DayConvention::Blocks24h => format!(
            "day d = the 24 hours from intime + 24 (d - 1) h; measurements from \
             {LOOKBACK_HOURS} h before intime count for day 1"
        ),
    }
}

/// Outcome days of a stay.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Outcome {
    pub death_day: Option<i32>,
    pub discharge_day: Option<i32>,
    pub last_day: i32,
    pub icu_discharge_day: i32,
}

impl Stay {
    /// Death, discharge and last day (see the module docs).
    pub fn outcome(&self, follow: FollowUp) -> Outcome {
        let c = &self.clock;
        let discharge = c.day_of(self.dischtime.max(self.intime));
        let death = match (self.deathtime, follow) {
            (Some(t), _) => Some(c.day_of(t.max(self.intime))),
            (None, FollowUp::Linked) => self.dod.map(|t| c.day_of(t.max(self.intime))),
            (None, FollowUp::InHospital) => None,
        };
        // A death on or before the discharge day (dod has no time; deathtime means death in
        // hospital) leaves no discharge alive.
        let discharge_day = match death {
            Some(d) if d <= discharge => None,
            _ => Some(discharge),
        };
        let death_day = death.map(|d| d.max(1));
        let last_day = match (death_day, follow) {
            (Some(d), _) => d,
            (None, FollowUp::Linked) => (i64::from(discharge) + 365).min(MAX_CANONICAL_DAY) as i32,
            (None, FollowUp::InHospital) => discharge,
        };
        Outcome {
            death_day,
            discharge_day,
            last_day,
            icu_discharge_day: c.day_of(self.outtime.max(self.intime)),
        }
    }
}

struct Admission {
    dischtime: i64,
    deathtime: Option<i64>,
}

struct Person {
    sex: Option<Sex>,
    anchor_age: f64,
    anchor_year: i64,
    dod: Option<i64>,
}

fn required_times(t: &Table, df: &DataFrame, name: &str) -> Result<Vec<i64>, MimicError> {
    frames::required_ints(t, df, name)
}

fn read_admissions(t: &Table) -> Result<HashMap<i64, Admission>, MimicError> {
    let df = frames::collect(
        t,
        frames::scan(
            t,
            &[
                ("hadm_id", Kind::Int),
                ("dischtime", Kind::Time),
                ("deathtime", Kind::Time),
            ],
        )?,
    )?;
    let ids = frames::required_ints(t, &df, "hadm_id")?;
    let disch = required_times(t, &df, "dischtime")?;
    let death = frames::ints(&df, "deathtime");
    let mut out = HashMap::with_capacity(ids.len());
    for (i, id) in ids.into_iter().enumerate() {
        let a = Admission {
            dischtime: disch[i],
            deathtime: death[i],
        };
        if out.insert(id, a).is_some() {
            return Err(duplicate(t, i, "hadm_id", id));
        }
    }
    Ok(out)
}

fn duplicate(t: &Table, i: usize, column: &str, id: i64) -> MimicError {
    MimicError::Data {
        file: t.file(),
        row: Some(i as u64 + 1),
        column: column.into(),
        message: format!("{id} appears twice"),
    }
}

fn read_patients(t: &Table) -> Result<HashMap<i64, Person>, MimicError> {
    let df = frames::collect(
        t,
        frames::scan(
            t,
            &[
                ("subject_id", Kind::Int),
                ("gender", Kind::Text),
                ("anchor_age", Kind::Float),
                ("anchor_year", Kind::Int),
                ("dod", Kind::Text),
            ],
        )?,
    )?;
    let ids = frames::required_ints(t, &df, "subject_id")?;
    let years = frames::required_ints(t, &df, "anchor_year")?;
    let ages = frames::floats(&df, "anchor_age");
    let sex = frames::texts(&df, "gender");
    let dod = frames::texts(&df, "dod");
    let mut out = HashMap::with_capacity(ids.len());
    for i in 0..ids.len() {
        let dod = match dod[i].as_deref() {
            None => None,
            Some(s) => Some(frames::parse_time(s).ok_or_else(|| MimicError::Data {
                file: t.file(),
                row: Some(i as u64 + 1),
                column: "dod".into(),
                message: format!("`{s}` is not a date (YYYY-MM-DD)"),
            })?),
        };
        let sex = match sex[i].as_deref() {
            Some("M") => Some(Sex::M),
            Some("F") => Some(Sex::F),
            _ => None,
        };
        let person = Person {
            sex,
            anchor_age: ages[i],
            anchor_year: years[i],
            dod,
        };
        if out.insert(ids[i], person).is_some() {
            return Err(duplicate(t, i, "subject_id", ids[i]));
        }
    }
    Ok(out)
}

/// Reads every ICU stay and selects the cohort: adults (`min_age`), the first stay of each
/// patient (unless `All`). Returns the stays in (intime, stay_id) order and the flow so far.
///
/// # Errors
/// A missing or malformed time or id, a stay whose admission or patient is absent.
pub(crate) fn read_stays(
    tables: &[Table],
    opts: &ValidOptions,
) -> Result<(Vec<Stay>, CohortFlow), MimicError> {
    let o = opts.get();
    let adm = read_admissions(table(tables, "hosp/admissions"))?;
    let people = read_patients(table(tables, "hosp/patients"))?;
    let t = table(tables, "icu/icustays");
    let df = frames::collect(
        t,
        frames::scan(
            t,
            &[
                ("subject_id", Kind::Int),
                ("hadm_id", Kind::Int),
                ("stay_id", Kind::Int),
                ("first_careunit", Kind::Text),
                ("intime", Kind::Time),
                ("outtime", Kind::Time),
            ],
        )?,
    )?;
    let subject = frames::required_ints(t, &df, "subject_id")?;
    let hadm = frames::required_ints(t, &df, "hadm_id")?;
    let stay = frames::required_ints(t, &df, "stay_id")?;
    let intime = required_times(t, &df, "intime")?;
    let outtime = required_times(t, &df, "outtime")?;
    let unit = frames::texts(&df, "first_careunit");

    let mut all = Vec::with_capacity(stay.len());
    for i in 0..stay.len() {
        let err = |column: &str, message: String| MimicError::Data {
            file: t.file(),
            row: Some(i as u64 + 1),
            column: column.into(),
            message,
        };
        let a = adm.get(&hadm[i]).ok_or_else(|| {
            err(
                "hadm_id",
                format!("admission {} is not in hosp/admissions", hadm[i]),
            )
        })?;
        let p = people.get(&subject[i]).ok_or_else(|| {
            err(
                "subject_id",
                format!("patient {} is not in hosp/patients", subject[i]),
            )
        })?;
        if outtime[i] < intime[i] {
            return Err(err("outtime", "outtime is before intime".into()));
        }
        let exit = a.deathtime.unwrap_or(a.dischtime).max(intime[i]);
        all.push(Stay {
            stay_id: stay[i],
            subject_id: subject[i],
            hadm_id: hadm[i],
            careunit: unit[i].clone(),
            intime: intime[i],
            outtime: outtime[i],
            dischtime: a.dischtime,
            deathtime: a.deathtime,
            dod: p.dod,
            age: p.anchor_age + (frames::year_of(intime[i]) - p.anchor_year) as f64,
            sex: p.sex,
            seq: 0,
            clock: Clock::new(intime[i], outtime[i], exit, o.days, o.max_day),
        });
    }
    all.sort_by_key(|s| (s.subject_id, s.intime, s.stay_id));
    for i in 0..all.len() {
        all[i].seq = if i > 0 && all[i - 1].subject_id == all[i].subject_id {
            all[i - 1].seq + 1
        } else {
            1
        };
    }
    all.sort_by_key(|s| (s.intime, s.stay_id));

    let mut flow = CohortFlow::default();
    let n = all.len() as u64;
    let (adults, young): (Vec<Stay>, Vec<Stay>) = all.into_iter().partition(|s| s.age >= o.min_age);
    flow.push(
        "icu/icustays: ICU stays",
        "stays",
        n,
        vec![(
            format!("age under {} at ICU admission", o.min_age),
            young.len() as u64,
        )],
    );
    let kept = match o.stays {
        StaySelection::All => adults,
        StaySelection::First => {
            let n = adults.len() as u64;
            let (first, later): (Vec<Stay>, Vec<Stay>) =
                adults.into_iter().partition(|s| s.seq == 1);
            flow.push(
                "first ICU stay of each patient",
                "stays",
                n,
                vec![(
                    "not the patient's first ICU stay".into(),
                    later.len() as u64,
                )],
            );
            first
        }
    };
    if kept.is_empty() {
        return Err(MimicError::Empty(format!(
            "{} holds no ICU stay of a patient aged {} or more",
            t.file(),
            o.min_age
        )));
    }
    Ok((kept, flow))
}

/// The stays as a polars frame for the joins: `sidx` (position in `stays`), `subject_id`,
/// `stay_id`, `d1` (start of day 1), `lb` (lookback start), `we` (end of the days written) and
/// `he` (hospital exit), in microseconds.
pub fn stays_frame(stays: &[Stay]) -> DataFrame {
    let col_i64 = |f: &dyn Fn(&Stay) -> i64| stays.iter().map(f).collect::<Vec<i64>>();
    df!(
        "sidx" => (0..stays.len() as u32).collect::<Vec<u32>>(),
        "subject_id" => col_i64(&|s| s.subject_id),
        "stay_id" => col_i64(&|s| s.stay_id),
        "d1" => col_i64(&|s| s.clock.day1),
        "lb" => col_i64(&|s| s.clock.lookback),
        "we" => col_i64(&|s| s.clock.window_end()),
        "he" => col_i64(&|s| s.clock.exit),
    )
    .expect("columns of equal length")
}

/// Polars expressions of the day clock over a joined row time `t` (Int64 microseconds) and the
/// stay columns of [`stays_frame`]: in-window filter and day number.
pub fn in_window(t: Expr) -> Expr {
    t.clone().gt_eq(col("lb")).and(t.lt(col("we")))
}

/// The day of time `t` (see [`Clock::day_of`]): `(t - d1) / DAY + 1`, day 1 before `d1`.
/// (Float division then truncation: exact below 2^53 microseconds, ~285 years.)
pub fn day_of(t: Expr) -> Expr {
    let d = ((t.clone() - col("d1")).cast(DataType::Float64) / lit(DAY as f64))
        .cast(DataType::Int32)
        + lit(1i32);
    when(t.lt(col("d1"))).then(lit(1i32)).otherwise(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> i64 {
        frames::parse_time(s).unwrap()
    }

    #[test]
    fn the_day_clock_in_both_conventions() {
        let (i, o) = (at("2150-03-01 22:30:00"), at("2150-03-04 10:00:00"));
        let cal = Clock::new(i, o, o, DayConvention::Calendar, 7);
        assert_eq!(cal.day1, at("2150-03-01 00:00:00"));
        assert_eq!(cal.day_of(at("2150-03-01 23:59:59")), 1);
        assert_eq!(
            cal.day_of(at("2150-03-02 00:00:00")),
            2,
            "a stay crossing midnight"
        );
        assert_eq!(cal.day_of(at("2150-03-01 17:00:00")), 1, "lookback hours");
        assert!(cal.in_window(at("2150-03-01 16:30:00")));
        assert!(
            !cal.in_window(at("2150-03-01 16:29:59")),
            "more than 6 h before intime"
        );
        assert_eq!(cal.n_days, 4);
        assert!(!cal.in_window(o));
        assert!((cal.icu_hours(1) - 1.5).abs() < 1e-12);
        assert!((cal.icu_hours(2) - 24.0).abs() < 1e-12);
        let blk = Clock::new(i, o, o, DayConvention::Blocks24h, 7);
        assert_eq!(blk.day_of(at("2150-03-02 00:00:00")), 1);
        assert_eq!(blk.day_of(at("2150-03-02 22:30:00")), 2);
        assert_eq!(blk.n_days, 3);
        let short = Clock::new(i, o, o, DayConvention::Calendar, 2);
        assert_eq!(short.n_days, 2);
        assert_eq!(short.window_end(), at("2150-03-03 00:00:00"));
    }

    #[test]
    fn outcomes_in_hospital_and_after_discharge() {
        let i = at("2150-03-01 10:00:00");
        let d = at("2150-03-05 12:00:00");
        let mut s = Stay {
            stay_id: 1,
            subject_id: 1,
            hadm_id: 1,
            careunit: None,
            intime: i,
            outtime: at("2150-03-03 12:00:00"),
            dischtime: d,
            deathtime: None,
            dod: Some(at("2150-03-20")),
            age: 70.0,
            sex: None,
            seq: 1,
            clock: Clock::new(i, at("2150-03-03 12:00:00"), d, DayConvention::Calendar, 7),
        };
        let linked = s.outcome(FollowUp::Linked);
        assert_eq!(linked.death_day, Some(20), "death after discharge");
        assert_eq!(linked.discharge_day, Some(5));
        assert_eq!(linked.last_day, 20);
        assert_eq!(linked.icu_discharge_day, 3);
        let hosp = s.outcome(FollowUp::InHospital);
        assert_eq!(
            (hosp.death_day, hosp.discharge_day, hosp.last_day),
            (None, Some(5), 5)
        );
        s.dod = None;
        assert_eq!(s.outcome(FollowUp::Linked).last_day, 5 + 365);
        s.deathtime = Some(d);
        let dead = s.outcome(FollowUp::InHospital);
        assert_eq!(
            (dead.death_day, dead.discharge_day, dead.last_day),
            (Some(5), None, 5)
        );
    }
}
