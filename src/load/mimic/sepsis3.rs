//! Sepsis-3 (Singer 2016) as mimic-code defines it: `sepsis/suspicion_of_infection.sql` and
//! `sepsis/sepsis3.sql`.
//!
//! * Antibiotics: `hosp/prescriptions` rows of mimic-code `medication/antibiotic.sql` (see
//!   [`super::prescriptions`]), started during an ICU stay of the same admission (mimic-code
//!   assigns `stay_id` only then, and `sepsis3.sql` keeps only such rows).
//! * Cultures: `hosp/microbiologyevents` collapsed to one row per `micro_specimen_id`.
//! * Suspected infection, per antibiotic: a culture in the 72 h before it (its time is the
//!   suspicion time; the earliest such culture), else a culture in the 24 h after it (the
//!   antibiotic's time); a culture with only a `chartdate` matches by date (3 days before, 1 day
//!   after), as mimic-code does.
//! * Sepsis-3: a suspected infection with SOFA >= 2 in the window from 48 h before to 24 h after
//!   it, baseline SOFA assumed 0. Difference from mimic-code, on purpose: SOFA is the day-level
//!   score of the imported days (`score::sofa` on the canonical day table, its lower bound: a
//!   missing component counts 0, as mimic-code's `COALESCE(..., 0)`), taken on every day
//!   intersecting the window, where mimic-code uses hourly 24-hour rolling SOFA whose window end
//!   lies in it. ricu's `sep3` differs too: it asks for an increase of 2 from the lowest SOFA so
//!   far in the window (`delta_cummin`), not an absolute 2 (ricu `R/callback-sep3.R`).
//!
//! Cost: one pass over `microbiologyevents` (collapsed per specimen by polars); each in-ICU
//! antibiotic is matched against its patient's cultures.

use std::collections::BTreeMap;

use polars::prelude::*;

use super::frames::{self, Kind, Table, DAY, HOUR};
use super::prescriptions::{Class, Order};
use super::stays::Stay;
use super::MimicError;

/// One culture specimen.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Culture {
    pub subject_id: i64,
    /// `chartdate` (00:00 of the date).
    pub date: i64,
    pub charttime: Option<i64>,
    pub specimen: i64,
}

/// Reads the cultures of `subject_ids`, one per specimen.
///
/// # Errors
/// A missing column or an unreadable file.
pub(crate) fn read_cultures(t: &Table, subject_ids: &[i64]) -> Result<Vec<Culture>, MimicError> {
    let subjects = df!("subject_id" => subject_ids.to_vec()).expect("one column");
    let df = frames::collect(
        t,
        frames::scan(
            t,
            &[
                ("subject_id", Kind::Int),
                ("micro_specimen_id", Kind::Int),
                ("chartdate", Kind::Time),
                ("charttime", Kind::Time),
            ],
        )?
        .inner_join(subjects.lazy(), col("subject_id"), col("subject_id"))
        .group_by([col("micro_specimen_id")])
        .agg([
            col("subject_id").max(),
            col("chartdate").max(),
            col("charttime").max(),
        ]),
    )?;
    let spec = frames::required_ints(t, &df, "micro_specimen_id")?;
    let subject = frames::required_ints(t, &df, "subject_id")?;
    let date = frames::ints(&df, "chartdate");
    let time = frames::ints(&df, "charttime");
    let mut out: Vec<Culture> = (0..spec.len())
        .filter_map(|i| {
            let date = date[i].or(time[i].map(|t| t.div_euclid(DAY) * DAY))?;
            Some(Culture {
                subject_id: subject[i],
                date: date.div_euclid(DAY) * DAY,
                charttime: time[i],
                specimen: spec[i],
            })
        })
        .collect();
    out.sort();
    Ok(out)
}

/// The suspected-infection time of an antibiotic started at `abx` (mimic-code
/// `suspicion_of_infection.sql`); `cultures` are the patient's, sorted.
pub fn suspicion_time(abx: i64, cultures: &[Culture]) -> Option<i64> {
    let abx_date = abx.div_euclid(DAY) * DAY;
    // Culture then antibiotic (within 72 h): the earliest such culture, ordered by chartdate
    // then charttime (nulls last), as the SQL's ROW_NUMBER.
    let before = cultures
        .iter()
        .filter(|c| match c.charttime {
            Some(t) => abx > t && abx <= t + 72 * HOUR,
            None => abx_date >= c.date && abx_date <= c.date + 3 * DAY,
        })
        .min_by_key(|c| (c.date, c.charttime.is_none(), c.charttime, c.specimen));
    if let Some(c) = before {
        return Some(c.charttime.unwrap_or(c.date));
    }
    // Antibiotic then culture (within 24 h).
    let after = cultures.iter().any(|c| match c.charttime {
        Some(t) => abx >= t - 24 * HOUR && abx < t,
        None => abx_date >= c.date - DAY && abx_date <= c.date,
    });
    after.then_some(abx)
}

/// The suspected-infection times of each stay (from its in-ICU antibiotics), sorted.
pub fn suspicions(stays: &[Stay], orders: &[Order], cultures: &[Culture]) -> Vec<Vec<i64>> {
    let mut by_subject: BTreeMap<i64, Vec<Culture>> = BTreeMap::new();
    for c in cultures {
        by_subject.entry(c.subject_id).or_default().push(*c);
    }
    let mut by_hadm: BTreeMap<i64, Vec<usize>> = BTreeMap::new();
    for (i, s) in stays.iter().enumerate() {
        by_hadm.entry(s.hadm_id).or_default().push(i);
    }
    let mut out = vec![Vec::new(); stays.len()];
    for o in orders {
        if o.class != Class::Antibiotic {
            continue;
        }
        let Some(ix) = o.hadm_id.and_then(|h| by_hadm.get(&h)) else {
            continue;
        };
        for &i in ix {
            let s = &stays[i];
            if o.start < s.intime || o.start >= s.outtime {
                continue;
            }
            let cs = by_subject.get(&s.subject_id).map_or(&[][..], |v| v);
            if let Some(t) = suspicion_time(o.start, cs) {
                out[i].push(t);
            }
        }
    }
    for v in &mut out {
        v.sort_unstable();
        v.dedup();
    }
    out
}

/// Sepsis-3 of a stay: some suspected infection with a day of SOFA lower bound >= 2 among the
/// days (1 to `sofa_lo.len()`) intersecting [-48 h, +24 h] around it.
pub fn sepsis3(stay: &Stay, suspicions: &[i64], sofa_lo: &[i8]) -> bool {
    let c = &stay.clock;
    // Day 1 holds the lookback hours too.
    let start = |d: i32| {
        if d == 1 {
            c.day1.min(c.lookback)
        } else {
            c.day_start(d)
        }
    };
    suspicions.iter().any(|&si| {
        sofa_lo.iter().enumerate().any(|(k, &s)| {
            let d = k as i32 + 1;
            s >= 2 && start(d) < si + 24 * HOUR && c.day_start(d + 1) > si - 48 * HOUR
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> i64 {
        frames::parse_time(s).unwrap()
    }

    fn culture(t: Option<&str>, date: &str) -> Culture {
        Culture {
            subject_id: 1,
            date: at(date),
            charttime: t.map(at),
            specimen: 1,
        }
    }

    #[test]
    fn suspicion_of_infection_as_mimic_code() {
        let abx = at("2150-01-05 12:00:00");
        let c = [culture(Some("2150-01-03 13:00:00"), "2150-01-03")];
        assert_eq!(
            suspicion_time(abx, &c),
            Some(at("2150-01-03 13:00:00")),
            "culture first"
        );
        let c = [culture(Some("2150-01-02 11:00:00"), "2150-01-02")];
        assert_eq!(suspicion_time(abx, &c), None, "more than 72 h before");
        let c = [culture(Some("2150-01-06 11:00:00"), "2150-01-06")];
        assert_eq!(suspicion_time(abx, &c), Some(abx), "antibiotic first");
        let c = [culture(Some("2150-01-06 12:00:00"), "2150-01-06")];
        assert_eq!(suspicion_time(abx, &c), Some(abx), "24 h after is inside");
        let c = [culture(Some("2150-01-06 12:00:01"), "2150-01-06")];
        assert_eq!(suspicion_time(abx, &c), None, "beyond 24 h after");
        let c = [culture(None, "2150-01-02")];
        assert_eq!(
            suspicion_time(abx, &c),
            Some(at("2150-01-02 00:00:00")),
            "by date"
        );
    }
}
