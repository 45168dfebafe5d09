//! Anticoagulant courses: `icu/inputevents` in the ICU and `hosp/prescriptions` orders on the
//! ward, under the drug names of [`VOCABULARY`] (the `drug` column of `treatments`, so a plan's
//! exposure can name them: `drugs = ["heparin_therapeutic"]`).
//!
//! ICU itemids (mimic-code `mapping/inputevents_to_rxnorm.csv`; neither mimic-code nor ricu has
//! an anticoagulant concept): heparin 225152 (continuous infusion and push: therapeutic) kept
//! apart from 225975 (prophylaxis, charted as "1 dose"), the Impella purge heparin 229597,
//! argatroban 225147, bivalirudin 225148, enoxaparin 225906, fondaparinux 225908. Protamine
//! (229068) reverses heparin and is not read.
//!
//! Ward orders (outside the ICU stay only, so that an ICU administration is not counted twice):
//! heparin by route (an IV route: `heparin_therapeutic`; `SC` / `SUBCUT`: `heparin_prophylactic`;
//! flushes and locks are not anticoagulation), enoxaparin, fondaparinux, argatroban,
//! bivalirudin by name.
//!
//! A course is a run of consecutive days with the drug (a day without it ends the course); its
//! dose is the mean daily amount over the run when one unit is used throughout (`<unit>/day`),
//! else missing.
//!
//! Cost: linear in the rows read (infusion rows are split across the days they overlap).

use std::collections::BTreeMap;

use super::prescriptions::{Class, Order};
use super::stays::Stay;
use super::vitals::{days_of_interval, IntervalRow};
use super::Tally;

/// The drug names the import writes, with the inputevents itemid of each ICU drug.
pub const VOCABULARY: &[(&str, Option<i64>)] = &[
    ("heparin_therapeutic", Some(225152)),
    ("heparin_prophylactic", Some(225975)),
    ("heparin_device", Some(229597)),
    ("argatroban", Some(225147)),
    ("bivalirudin", Some(225148)),
    ("enoxaparin", Some(225906)),
    ("fondaparinux", Some(225908)),
];

/// The inputevents itemids of [`VOCABULARY`].
pub fn itemids() -> Vec<i64> {
    VOCABULARY.iter().filter_map(|v| v.1).collect()
}

fn drug_of_item(itemid: i64) -> Option<&'static str> {
    VOCABULARY.iter().find(|v| v.1 == Some(itemid)).map(|v| v.0)
}

/// The vocabulary name of a ward order (lower-case drug name, route), if it is one.
pub fn classify_order(drug_lower: &str, route: &str) -> Option<&'static str> {
    let r = route.to_uppercase();
    if drug_lower.contains("heparin") {
        if drug_lower.contains("flush") || drug_lower.contains("lock") || r.contains("LOCK") {
            return None;
        }
        if r.starts_with("IV") {
            return Some("heparin_therapeutic");
        }
        if r == "SC" || r == "SUBCUT" {
            return Some("heparin_prophylactic");
        }
        return None;
    }
    ["enoxaparin", "fondaparinux", "argatroban", "bivalirudin"]
        .into_iter()
        .find(|n| drug_lower.contains(n))
}

/// One course, before it becomes a `treatments` row.
#[derive(Clone, Debug, PartialEq)]
pub struct Course {
    pub sidx: u32,
    pub drug: &'static str,
    pub start_day: i32,
    pub end_day: i32,
    pub dose: f64,
    pub dose_unit: Option<String>,
}

/// Amount given on one day, in one unit.
#[derive(Default)]
struct DayDose {
    amount: f64,
    units: Vec<String>,
}

/// Builds the courses of every stay from the ICU rows (inputevents of [`itemids`]) and the
/// ward orders.
pub(crate) fn courses(
    stays: &[Stay],
    icu: &[IntervalRow],
    orders: &[Order],
    tally: &mut Tally,
) -> Vec<Course> {
    let mut days: BTreeMap<(u32, &'static str), BTreeMap<i32, DayDose>> = BTreeMap::new();
    for r in icu {
        let Some(drug) = drug_of_item(r.itemid) else {
            continue;
        };
        let stay = &stays[r.sidx as usize];
        let span = (r.end - r.start).max(1) as f64;
        for d in days_of_interval(stay, r.start, r.end, false) {
            let c = &stay.clock;
            let (a, b) = (
                c.day_start(d).max(r.start),
                c.day_start(d + 1).min(r.end.max(r.start + 1)),
            );
            let e = days
                .entry((r.sidx, drug))
                .or_default()
                .entry(d)
                .or_default();
            if !r.amount.is_nan() {
                e.amount += r.amount * (b - a).max(0) as f64 / span;
            }
            e.units.push(r.amountuom.clone().unwrap_or_default());
        }
    }
    // Ward orders: the part outside the ICU stay, within the hospital window.
    let by_hadm: BTreeMap<i64, Vec<usize>> =
        stays
            .iter()
            .enumerate()
            .fold(BTreeMap::new(), |mut m, (i, s)| {
                m.entry(s.hadm_id).or_insert_with(Vec::new).push(i);
                m
            });
    for o in orders {
        let Class::Anticoagulant(drug) = o.class else {
            continue;
        };
        let Some(stay_ix) = o.hadm_id.and_then(|h| by_hadm.get(&h)) else {
            continue;
        };
        let stop = o.stop.unwrap_or(o.start + super::frames::HOUR);
        for &si in stay_ix {
            let s = &stays[si];
            let c = &s.clock;
            let parts = [
                (o.start, stop.min(c.intime)),
                (o.start.max(c.outtime), stop),
            ];
            let mut used = false;
            for (a, b) in parts {
                let (a, b) = (a.max(c.lookback), b.min(c.exit));
                if b <= a {
                    continue;
                }
                used = true;
                for d in days_of_interval(s, a, b, false) {
                    let e = days
                        .entry((si as u32, drug))
                        .or_default()
                        .entry(d)
                        .or_default();
                    e.amount += o.daily_dose;
                    e.units.push(o.dose_unit.clone().unwrap_or_default());
                }
            }
            if !used {
                tally.drop(
                    "hosp/prescriptions",
                    drug,
                    "order within the ICU stay (inputevents charts the ICU doses)",
                    1,
                );
            }
        }
    }
    let mut out = Vec::new();
    for ((sidx, drug), by_day) in days {
        let mut run: Vec<(i32, &DayDose)> = Vec::new();
        let flush = |run: &mut Vec<(i32, &DayDose)>, out: &mut Vec<Course>| {
            if run.is_empty() {
                return;
            }
            let unit = &run[0].1.units[0];
            let same = run.iter().all(|(_, d)| d.units.iter().all(|u| u == unit));
            let total: f64 = run.iter().map(|(_, d)| d.amount).sum();
            let (dose, dose_unit) = if same && !unit.is_empty() && total.is_finite() {
                (total / run.len() as f64, Some(format!("{unit}/day")))
            } else {
                (f64::NAN, None)
            };
            out.push(Course {
                sidx,
                drug,
                start_day: run[0].0,
                end_day: run[run.len() - 1].0,
                dose,
                dose_unit,
            });
            run.clear();
        };
        for (d, dd) in &by_day {
            if run.last().is_some_and(|(p, _)| *p + 1 != *d) {
                flush(&mut run, &mut out);
            }
            run.push((*d, dd));
        }
        flush(&mut run, &mut out);
    }
    out.sort_by(|a, b| (a.sidx, a.start_day, a.drug).cmp(&(b.sidx, b.start_day, b.drug)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ward_orders_by_name_and_route() {
        assert_eq!(classify_order("heparin", "IV"), Some("heparin_therapeutic"));
        assert_eq!(
            classify_order("heparin", "SC"),
            Some("heparin_prophylactic")
        );
        assert_eq!(classify_order("heparin flush (10 units/ml)", "IV"), None);
        assert_eq!(
            classify_order("enoxaparin sodium", "SC"),
            Some("enoxaparin")
        );
        assert_eq!(classify_order("aspirin", "PO"), None);
        let mut names: Vec<&str> = VOCABULARY.iter().map(|v| v.0).collect();
        names.dedup();
        assert_eq!(names.len(), VOCABULARY.len());
    }
}
