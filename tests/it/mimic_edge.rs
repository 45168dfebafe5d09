//! The MIMIC-IV import on hand-built stays (`tests/fixtures/mimic/edge`, written by
//! `tests/fixtures/mimic/make_edge.py`, which describes each stay): every expected value below
//! is worked out by hand from the fixture rows.

use dicohort::cohort::exposure::{classify, ExposureDef};
use dicohort::load::mimic::{
    read_mimic, DayConvention, FollowUp, MimicImport, MimicOptions, SepsisRule, StaySelection,
};
use dicohort::schema::Cohort;

fn fixture() -> std::path::PathBuf {
    crate::common::root().join("tests/fixtures/mimic/edge")
}

fn import(opts: MimicOptions) -> MimicImport {
    read_mimic(&fixture(), &opts.check().unwrap()).unwrap()
}

/// Row of (stay, day) in the day table.
fn row(c: &Cohort, stay: &str, day: i32) -> usize {
    let p = c
        .patients
        .patient_id
        .iter()
        .position(|x| x == stay)
        .unwrap_or_else(|| panic!("stay {stay} not imported"));
    (0..c.days.len())
        .find(|&r| c.days.patient[r] as usize == p && c.days.day[r] == day)
        .unwrap_or_else(|| panic!("no day {day} for stay {stay}"))
}

fn patient(c: &Cohort, stay: &str) -> usize {
    c.patients
        .patient_id
        .iter()
        .position(|x| x == stay)
        .unwrap()
}

#[test]
fn a_stay_crossing_midnight_and_labs_before_intime() {
    let c = import(MimicOptions::default()).cohort;
    let (d1, d2) = (row(&c, "1001", 1), row(&c, "1001", 2));
    // 140 at intime - 3 h counts for day 1; 20 at intime - 8.5 h does not; 90 after midnight is
    // day 2.
    assert_eq!(c.days.platelets[d1], 140.0);
    assert_eq!(c.days.platelets[d2], 90.0);
    assert_eq!(
        (c.days.heart_rate[d1], c.days.heart_rate[d2]),
        (95.0, 120.0)
    );
    // Day 1 has 1.5 h in the ICU: too short for a daily urine output; day 2 is whole.
    assert!(c.days.urine_output[d1].is_nan());
    assert_eq!(c.days.urine_output[d2], 1200.0);
    // Discharge on day 6 (calendar): six day rows.
    assert_eq!(c.patients.discharge_day[patient(&c, "1001")], 6.0);
    assert_eq!(
        c.days
            .day
            .iter()
            .zip(&c.days.patient)
            .filter(|(_, p)| **p == 0)
            .count(),
        6
    );

    // 24-hour blocks from intime 22:30: the after-midnight values are day 1 too.
    let b = import(MimicOptions {
        days: DayConvention::Blocks24h,
        ..Default::default()
    });
    assert!(b.report.day_definition.contains("24 hours from intime"));
    let c = b.cohort;
    let d1 = row(&c, "1001", 1);
    assert_eq!(c.days.platelets[d1], 90.0);
    assert_eq!(c.days.heart_rate[d1], 120.0);
    // 100 at 23:45 + 3 x 300 before 22:30 the next day, a whole block in the ICU.
    assert_eq!(c.days.urine_output[d1], 1000.0);
    assert_eq!(c.patients.discharge_day[patient(&c, "1001")], 5.0);
}

#[test]
fn two_icu_stays_and_a_death_after_discharge() {
    let first = import(MimicOptions::default());
    let c = &first.cohort;
    assert!(!c.patients.patient_id.contains(&"2002".to_string()));
    let steps = &first.report.flow.steps;
    assert_eq!(
        steps[1].excluded,
        vec![("not the patient's first ICU stay".to_string(), 1)]
    );
    // dod 11 days after the discharge on day 9 (linked follow-up: true 28-day mortality).
    let p = patient(c, "2001");
    assert_eq!(c.patients.death_day[p], 20.0);
    assert_eq!(c.patients.discharge_day[p], 9.0);
    assert_eq!(c.patients.last_day[p], 20.0);
    // In-hospital follow-up: no death, followed to discharge.
    let h = import(MimicOptions {
        follow_up: FollowUp::InHospital,
        ..Default::default()
    })
    .cohort;
    let p = patient(&h, "2001");
    assert!(h.patients.death_day[p].is_nan());
    assert_eq!(
        (h.patients.discharge_day[p], h.patients.last_day[p]),
        (9.0, 9.0)
    );

    // Every stay: the second stay's antibiotic has no culture within 72 h before or 24 h after
    // it, so it has no suspected infection and no Sepsis-3.
    let all = import(MimicOptions {
        stays: StaySelection::All,
        sepsis: SepsisRule::Flag,
        ..Default::default()
    })
    .cohort;
    let seq = all
        .patients
        .extra
        .iter()
        .find(|e| e.name == "icu_stay_seq")
        .unwrap();
    let sepsis = all
        .patients
        .extra
        .iter()
        .find(|e| e.name == "sepsis3")
        .unwrap();
    let p2 = patient(&all, "2002");
    assert_eq!(seq.values[p2], 2.0);
    assert_eq!(sepsis.values[p2], 0.0);
    assert_eq!(sepsis.values[patient(&all, "2001")], 1.0);
    // The stay without any culture (6001) and the 16-year-old (5001).
    assert_eq!(sepsis.values[patient(&all, "6001")], 0.0);
    assert!(!all.patients.patient_id.contains(&"5001".to_string()));
}

#[test]
fn heparin_prophylaxis_is_not_therapeutic_heparin() {
    let c = import(MimicOptions::default()).cohort;
    let t = &c.treatments;
    let p3 = patient(&c, "3001") as u32;
    let rows: Vec<usize> = (0..t.len()).filter(|&r| t.patient[r] == p3).collect();
    assert_eq!(rows.len(), 1);
    let r = rows[0];
    assert_eq!(t.drug[r], "heparin_prophylactic");
    assert_eq!((t.start_day[r], t.end_day[r], t.dose[r]), (1.0, 3.0, 1.0));
    assert_eq!(t.dose_unit[r].as_deref(), Some("dose/day"));
    let def = ExposureDef {
        drugs: vec!["heparin_therapeutic".into()],
        ..Default::default()
    };
    let e = classify(&def, t, c.patients.len()).unwrap();
    assert!(!e.ever[p3 as usize]);
    // The ward heparin infusion of 4001 (IV order after ICU discharge, days 5-7) is therapeutic,
    // started after the window.
    let p4 = patient(&c, "4001");
    assert!(e.ever[p4] && !e.in_window[p4]);
    assert_eq!(e.start_day[p4], 5.0);
    let r = (0..t.len()).find(|&r| t.patient[r] as usize == p4).unwrap();
    assert_eq!((t.end_day[r], t.dose[r]), (7.0, 24_000.0));
    assert_eq!(t.dose_unit[r].as_deref(), Some("UNIT/day"));
}

#[test]
fn unit_variants_are_converted_or_dropped_never_guessed() {
    let m = import(MimicOptions::default());
    let c = &m.cohort;
    let d1 = row(c, "4001", 1);
    // D-dimer: 1200 ng/mL (FEU by LOINC) and 900 ng/mL FEU -> 1.2 ug/mL FEU; 800 ng/mL DDU is
    // not converted.
    assert_eq!(c.days.d_dimer[d1], 1.2);
    // Platelets: 80 in "10*3/mm3" is dropped, 110 K/uL kept.
    assert_eq!(c.days.platelets[d1], 110.0);
    assert!(c.days.creatinine[d1].is_nan(), "a text result is no number");
    // 101.3 F = 38.5 C is farther from 37 than 36.9 C.
    assert_eq!(c.days.temperature[d1], 38.5);
    // Verbal "No Response-ETT": GCS 15 (mimic-code gcs.sql).
    assert_eq!(c.days.gcs[d1], 15.0);
    // pO2 80 with no FiO2 in the specimen, FiO2 50 charted 1.5 h before: 160.
    assert_eq!(c.days.pao2_fio2[d1], 160.0);
    // 7 mcg/min at 70 kg.
    assert_eq!(c.days.norepinephrine[d1], 0.1);
    // Ventilated on days 1-2, not on day 3 (in the ICU), unknown on the ward (day 5).
    assert_eq!(c.days.ventilated[d1], Some(true));
    assert_eq!(c.days.ventilated[row(c, "4001", 2)], Some(true));
    assert_eq!(c.days.ventilated[row(c, "4001", 3)], Some(false));
    assert_eq!(c.days.ventilated[row(c, "4001", 5)], None);
    assert!(c.days.norepinephrine[row(c, "4001", 5)].is_nan());

    let conv: Vec<(&str, u64)> = m
        .report
        .conversions
        .iter()
        .map(|u| (u.from_unit.as_str(), u.n_values))
        .collect();
    assert_eq!(
        conv,
        vec![
            ("ng/mL (FEU: LOINC 48065-7 of itemids 51196/50915)", 1),
            ("ng/mL FEU", 1)
        ]
    );
    assert_eq!(c.conversions, m.report.conversions);
    let dropped: Vec<(&str, &str, u64)> = m
        .report
        .dropped
        .iter()
        .map(|d| (d.item.as_str(), d.reason.as_str(), d.n))
        .collect();
    for want in [
        (
            "51196 (d_dimer, ng/mL DDU)",
            "D-dimer on the DDU basis (never converted)",
            1,
        ),
        ("51265 (platelets, 10*3/mm3)", "unit not accepted", 1),
        ("50912 (creatinine, mg/dL)", "no numeric value", 1),
    ] {
        assert!(dropped.contains(&want), "{want:?} not in {dropped:?}");
    }
}

#[test]
fn sepsis3_selects_and_a_missing_table_is_named() {
    let m = import(MimicOptions::default());
    let ids = &m.cohort.patients.patient_id;
    assert_eq!(ids, &["1001", "2001", "3001", "4001"]);
    assert_eq!(m.report.n_sepsis3, 4);
    let last = m.report.flow.steps.last().unwrap();
    assert_eq!(last.excluded, vec![("no Sepsis-3".to_string(), 1)]);
    // The canonical loader's own flow follows the import's.
    assert!(m.cohort.flow.steps[0].label.contains("ICU stays"));

    let dir = std::env::temp_dir().join(format!("dicohort-mimic-missing-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("hosp")).unwrap();
    let err = read_mimic(&dir, &MimicOptions::default().check().unwrap())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("hosp/patients.csv.gz") && err.contains("icu/chartevents.csv.gz"),
        "{err}"
    );
    // A patient listed twice is an error naming file, row and column.
    for entry in ["hosp", "icu"] {
        let to = dir.join(entry);
        std::fs::create_dir_all(&to).unwrap();
        for f in std::fs::read_dir(fixture().join(entry)).unwrap() {
            let f = f.unwrap().path();
            std::fs::copy(&f, to.join(f.file_name().unwrap())).unwrap();
        }
    }
    let p = dir.join("hosp/patients.csv");
    let mut text = std::fs::read_to_string(&p).unwrap();
    text.push_str("3,F,80,2150,2017 - 2019,\n");
    std::fs::write(&p, text).unwrap();
    let err = read_mimic(&dir, &MimicOptions::default().check().unwrap())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("patients.csv, row 7, column `subject_id`: 3 appears twice"),
        "{err}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
    let err = MimicOptions {
        max_day: 0,
        ..Default::default()
    }
    .check()
    .unwrap_err()
    .to_string();
    assert!(err.contains("max_day"), "{err}");
}
