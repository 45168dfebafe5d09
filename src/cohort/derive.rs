//! Derived patient columns built on demand from the day table and its scores (names as
//! documented in `plans/default.toml`):
//!
//! - `<score>_day<d>`: the score total on day `d` when complete (bounds equal), else missing;
//! - `<score>_lo_day<d>`, `<score>_hi_day<d>`: the bounds of the total on day `d` (missing items
//!   at their lowest / highest points; `lo` is the conventional "missing = normal" reading,
//!   named as such in every output that uses it);
//! - `<score>_max_days<a>_<b>`: the worst complete daily total over days `a..=b` (missing when a
//!   day in range is partial and could exceed it, or no day is recorded);
//! - `dic_<score>_day<d>`, `dic_<score>_days<a>_<b>`: 1 when positive on any recorded day of the
//!   range, 0 when every recorded day is negative, missing otherwise (Kleene or, as
//!   `score::labels`);
//! - `<measurement>_day<d>`: a day-table value on day `d` (flags as 1/0);
//! - `coagulation_group`: normal / coagulopathy / dic from `score::labels::patient_labels`
//!   (indeterminate = missing).

// Day rows are addressed by index across several parallel columns.
#![allow(clippy::needless_range_loop)]

use crate::schema::DayTable;
use crate::score::engine::ScoreTable;
use crate::score::labels::PatientLabels;
use crate::score::{Dx, ScoreName};

use super::frame::{Column, PatientFrame};
use super::subgroup::COAGULATION_GROUP_COLUMN;
use super::CohortError;

enum DayCol<'a> {
    Num(&'a [f64]),
    Flag(&'a [Option<bool>]),
}

fn day_column<'a>(d: &'a DayTable, name: &str) -> Option<DayCol<'a>> {
    use DayCol::{Flag, Num};
    Some(match name {
        "platelets" => Num(&d.platelets),
        "pt_inr" => Num(&d.pt_inr),
        "pt_ratio" => Num(&d.pt_ratio),
        "pt_sec_prolongation" => Num(&d.pt_sec_prolongation),
        "fibrinogen" => Num(&d.fibrinogen),
        "fdp" => Num(&d.fdp),
        "d_dimer" => Num(&d.d_dimer),
        "antithrombin" => Num(&d.antithrombin),
        "tat_x_uln" => Num(&d.tat_x_uln),
        "temperature" => Num(&d.temperature),
        "heart_rate" => Num(&d.heart_rate),
        "resp_rate" => Num(&d.resp_rate),
        "paco2" => Num(&d.paco2),
        "wbc" => Num(&d.wbc),
        "immature_pct" => Num(&d.immature_pct),
        "pao2_fio2" => Num(&d.pao2_fio2),
        "ventilated" => Flag(&d.ventilated),
        "map" => Num(&d.map),
        "dopamine" => Num(&d.dopamine),
        "dobutamine" => Num(&d.dobutamine),
        "epinephrine" => Num(&d.epinephrine),
        "norepinephrine" => Num(&d.norepinephrine),
        "gcs" => Num(&d.gcs),
        "bilirubin" => Num(&d.bilirubin),
        "creatinine" => Num(&d.creatinine),
        "urine_output" => Num(&d.urine_output),
        "bleeding" => Flag(&d.bleeding),
        "organ_failure" => Flag(&d.organ_failure),
        _ => return None,
    })
}

/// `day3` -> [3, 3]; `days1_3` -> [1, 3].
fn parse_days(s: &str) -> Option<[i32; 2]> {
    if let Some(r) = s.strip_prefix("days") {
        let (a, b) = r.split_once('_')?;
        let (a, b) = (a.parse().ok()?, b.parse().ok()?);
        (a <= b).then_some([a, b])
    } else {
        let d = s.strip_prefix("day")?.parse().ok()?;
        Some([d, d])
    }
}

/// The derived-column request a name stands for.
enum Derived {
    Dic(ScoreName, [i32; 2]),
    ScoreOn(ScoreName, i32),
    /// Lower (false) or upper (true) bound on a day.
    ScoreBound(ScoreName, i32, bool),
    ScoreMax(ScoreName, [i32; 2]),
    Measurement(String, i32),
    CoagGroup,
}

fn parse_name(name: &str, days: &DayTable) -> Option<Derived> {
    if name == COAGULATION_GROUP_COLUMN {
        return Some(Derived::CoagGroup);
    }
    if let Some(rest) = name.strip_prefix("dic_") {
        let (score, range) = rest.split_once("_day")?;
        let s: ScoreName = score.parse().ok()?;
        let r = parse_days(&format!("day{range}"))?;
        return s.is_diagnostic().then_some(Derived::Dic(s, r));
    }
    // <prefix>_max_days<a>_<b> or <prefix>_day<d>
    if let Some(i) = name.find("_max_days") {
        let s: ScoreName = name[..i].parse().ok()?;
        let r = parse_days(&name[i + 5..])?;
        return Some(Derived::ScoreMax(s, r));
    }
    let i = name.rfind("_day")?;
    let [d, _] = parse_days(&name[i + 1..])?;
    let prefix = &name[..i];
    if let Ok(s) = prefix.parse::<ScoreName>() {
        return Some(Derived::ScoreOn(s, d));
    }
    for (suffix, upper) in [("_lo", false), ("_hi", true)] {
        if let Some(sc) = prefix.strip_suffix(suffix) {
            if let Ok(s) = sc.parse::<ScoreName>() {
                return Some(Derived::ScoreBound(s, d, upper));
            }
        }
    }
    day_column(days, prefix).map(|_| Derived::Measurement(prefix.to_string(), d))
}

/// Whether `name` is a derived column this module can build.
pub fn is_derived(name: &str, days: &DayTable) -> bool {
    parse_name(name, days).is_some()
}

/// Adds every column of `names` that the frame lacks, as a derived column. `scores` and
/// `labels` may be `None` when no requested column needs them.
pub fn add_derived_columns(
    frame: &mut PatientFrame,
    days: &DayTable,
    scores: Option<&ScoreTable>,
    labels: Option<&PatientLabels>,
    names: &[String],
) -> Result<(), CohortError> {
    let ranges = days.patient_ranges();
    let n = frame.n_rows();
    let score_err = |e: crate::score::ScoreError| CohortError::InvalidInput(e.to_string());
    for name in names {
        if frame.get(name).is_some() {
            continue;
        }
        let what =
            parse_name(name, days).ok_or_else(|| CohortError::UnknownColumn(name.clone()))?;
        let need_scores = || {
            scores.ok_or_else(|| CohortError::InvalidInput(format!("`{name}` needs the scores")))
        };
        let col = match what {
            Derived::CoagGroup => {
                let l = labels.ok_or_else(|| {
                    CohortError::InvalidInput("coagulation_group needs the patient labels".into())
                })?;
                let mut v: Vec<Option<String>> = vec![None; n];
                for (k, &p) in l.patient.iter().enumerate() {
                    let g = l.group[k];
                    if g != crate::score::labels::CoagGroup::Indeterminate {
                        v[p as usize] = Some(g.as_str().to_string());
                    }
                }
                Column::Cat(v)
            }
            Derived::Dic(s, [a, b]) => {
                let dx = need_scores()?.dx(s).map_err(score_err)?;
                let mut v = vec![f64::NAN; n];
                for &(lo, hi) in &ranges {
                    let mut acc: Option<Dx> = None;
                    for i in lo..hi {
                        if (a..=b).contains(&days.day[i]) {
                            acc = Some(match (acc, dx[i]) {
                                (Some(Dx::Positive), _) | (_, Dx::Positive) => Dx::Positive,
                                (Some(Dx::Indeterminate), _) | (_, Dx::Indeterminate) => {
                                    Dx::Indeterminate
                                }
                                _ => Dx::Negative,
                            });
                        }
                    }
                    v[days.patient[lo] as usize] = match acc {
                        Some(Dx::Positive) => 1.0,
                        Some(Dx::Negative) => 0.0,
                        _ => f64::NAN,
                    };
                }
                Column::Num(v)
            }
            Derived::ScoreOn(s, d) => {
                let c = need_scores()?.get(s).map_err(score_err)?;
                let mut v = vec![f64::NAN; n];
                for &(lo, hi) in &ranges {
                    if let Some(i) = (lo..hi).find(|&i| days.day[i] == d) {
                        if c.min[i] == c.max[i] {
                            v[days.patient[lo] as usize] = c.min[i] as f64;
                        }
                    }
                }
                Column::Num(v)
            }
            Derived::ScoreBound(s, d, upper) => {
                let c = need_scores()?.get(s).map_err(score_err)?;
                let b = if upper { &c.max } else { &c.min };
                let mut v = vec![f64::NAN; n];
                for &(lo, hi) in &ranges {
                    if let Some(i) = (lo..hi).find(|&i| days.day[i] == d) {
                        v[days.patient[lo] as usize] = b[i] as f64;
                    }
                }
                Column::Num(v)
            }
            Derived::ScoreMax(s, [a, b]) => {
                let c = need_scores()?.get(s).map_err(score_err)?;
                let mut v = vec![f64::NAN; n];
                for &(lo, hi) in &ranges {
                    let (mut wmin, mut wmax, mut any) = (i8::MIN, i8::MIN, false);
                    for i in lo..hi {
                        if (a..=b).contains(&days.day[i]) {
                            wmin = wmin.max(c.min[i]);
                            wmax = wmax.max(c.max[i]);
                            any = true;
                        }
                    }
                    if any && wmin == wmax {
                        v[days.patient[lo] as usize] = wmin as f64;
                    }
                }
                Column::Num(v)
            }
            Derived::Measurement(m, d) => {
                let col = day_column(days, &m).expect("checked by parse_name");
                let mut v = vec![f64::NAN; n];
                for &(lo, hi) in &ranges {
                    if let Some(i) = (lo..hi).find(|&i| days.day[i] == d) {
                        v[days.patient[lo] as usize] = match &col {
                            DayCol::Num(x) => x[i],
                            DayCol::Flag(x) => match x[i] {
                                Some(true) => 1.0,
                                Some(false) => 0.0,
                                None => f64::NAN,
                            },
                        };
                    }
                }
                Column::Num(v)
            }
        };
        frame.insert(name, col)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::score::engine::ScoreColumns;

    fn days() -> DayTable {
        DayTable {
            patient: vec![0, 0, 0, 1, 1],
            day: vec![1, 2, 3, 2, 3],
            platelets: vec![100.0, 90.0, 80.0, f64::NAN, 50.0],
            ventilated: vec![Some(true), None, None, Some(false), None],
            ..Default::default()
        }
    }

    fn scores() -> ScoreTable {
        let jaam = ScoreColumns {
            min: vec![3, 4, 2, 1, 5],
            max: vec![3, 4, 5, 1, 5],
            dx: Some(vec![
                Dx::Negative,
                Dx::Positive,
                Dx::Indeterminate,
                Dx::Negative,
                Dx::Positive,
            ]),
        };
        ScoreTable {
            config: Default::default(),
            columns: vec![(ScoreName::Jaam, jaam)],
        }
    }

    #[test]
    fn derived_columns_by_name() {
        let d = days();
        let s = scores();
        let mut f = PatientFrame::new(3);
        let names: Vec<String> = [
            "dic_jaam_day1",
            "dic_jaam_days1_3",
            "dic_jaam_days2_2",
            "jaam_day1",
            "jaam_day3",
            "jaam_max_days1_2",
            "jaam_max_days1_3",
            "jaam_lo_day3",
            "jaam_hi_day3",
            "platelets_day2",
            "ventilated_day1",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        add_derived_columns(&mut f, &d, Some(&s), None, &names).unwrap();
        let g = |n: &str| f.num(n).unwrap().to_vec();
        let same = |a: Vec<f64>, b: Vec<f64>| {
            a.len() == b.len()
                && a.iter()
                    .zip(&b)
                    .all(|(x, y)| x == y || (x.is_nan() && y.is_nan()))
        };
        let nan = f64::NAN;
        assert!(same(g("dic_jaam_day1"), vec![0.0, nan, nan]));
        assert!(same(g("dic_jaam_days1_3"), vec![1.0, 1.0, nan]));
        assert!(same(g("dic_jaam_days2_2"), vec![1.0, 0.0, nan]));
        assert!(same(g("jaam_day1"), vec![3.0, nan, nan]));
        assert!(same(g("jaam_day3"), vec![nan, 5.0, nan]));
        assert!(same(g("jaam_max_days1_2"), vec![4.0, 1.0, nan]));
        assert!(same(g("jaam_max_days1_3"), vec![nan, 5.0, nan]));
        assert!(same(g("platelets_day2"), vec![90.0, nan, nan]));
        assert!(same(g("jaam_lo_day3"), vec![2.0, 5.0, nan]));
        assert!(same(g("jaam_hi_day3"), vec![5.0, 5.0, nan]));
        assert!(same(g("ventilated_day1"), vec![1.0, nan, nan]));
        let bad = vec!["sofa_dayx".to_string()];
        assert!(matches!(
            add_derived_columns(&mut f, &d, Some(&s), None, &bad),
            Err(CohortError::UnknownColumn(_))
        ));
        assert!(is_derived("antithrombin_day1", &d));
        assert!(!is_derived("age", &d));
    }
}
