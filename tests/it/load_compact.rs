//! The compact patient-day table (`LoadOptions::compact`, `schema::compact`): every value comes
//! back bit for bit, in clean and in leniently loaded cohorts, and the patient frame scored chunk
//! by chunk from it equals the frame scored from the whole `f64` table.

use std::path::{Path, PathBuf};

use dicohort::cohort::analysis::{patient_frame, patient_frame_in_chunks};
use dicohort::cohort::frame::Column;
use dicohort::cohort::valid_plan::ValidPlan;
use dicohort::load::{load_cohort, LoadOptions};
use dicohort::schema::{Cohort, DayTable};
use dicohort::simulate::{simulate_to_dir, SimFormat, SimParams};

fn registry(name: &str, n: u64, seed: u64) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("dicohort-compact-{name}-{}", std::process::id()));
    simulate_to_dir(&SimParams::new(n, seed), SimFormat::Canonical, &dir).unwrap();
    dir
}

fn load(dir: &Path, strict: bool, compact: bool) -> Cohort {
    let opts = LoadOptions {
        strict,
        compact,
        ..LoadOptions::default()
    };
    load_cohort(dir, &opts).unwrap().0
}

fn bits(v: &[f64]) -> Vec<u64> {
    v.iter().map(|x| x.to_bits()).collect()
}

/// Every column of two day tables, value by value (bits; NaN is NaN).
fn assert_same_days(a: &DayTable, b: &DayTable) {
    assert_eq!(a.patient, b.patient);
    assert_eq!(a.day, b.day);
    let num = |d: &DayTable| -> Vec<Vec<u64>> {
        [
            &d.platelets,
            &d.pt_inr,
            &d.pt_ratio,
            &d.pt_sec_prolongation,
            &d.fibrinogen,
            &d.fdp,
            &d.d_dimer,
            &d.antithrombin,
            &d.tat_x_uln,
            &d.temperature,
            &d.heart_rate,
            &d.resp_rate,
            &d.paco2,
            &d.wbc,
            &d.immature_pct,
            &d.pao2_fio2,
            &d.map,
            &d.dopamine,
            &d.dobutamine,
            &d.epinephrine,
            &d.norepinephrine,
            &d.gcs,
            &d.bilirubin,
            &d.creatinine,
            &d.urine_output,
        ]
        .iter()
        .map(|c| bits(c))
        .collect()
    };
    assert_eq!(num(a), num(b));
    assert_eq!(a.ventilated, b.ventilated);
    assert_eq!(a.bleeding, b.bleeding);
    assert_eq!(a.organ_failure, b.organ_failure);
}

#[test]
fn compact_days_give_back_the_f64_table_bit_for_bit() {
    let dir = registry("exact", 1200, 5);
    let full = load(&dir, true, false);
    let compact = load(&dir, true, true);
    assert!(full.compact_days.is_none());
    assert!(compact.days.is_empty());
    let c = compact.compact_days.as_ref().unwrap();
    assert_eq!(compact.n_days(), full.days.len());
    assert_same_days(&c.to_table(), &full.days);
    // a few bytes per value: every simulated column fits one or two bytes
    assert!(c.bytes() <= full.days.len() * (8 + 28 * 2), "{}", c.bytes());
    for (name, enc) in c.encodings() {
        assert!(
            enc.starts_with("i8") || enc.starts_with("i16"),
            "{name}: {enc}"
        );
    }

    // Lenient loading with rows excluded (a duplicated patient-day): the kept rows are
    // gathered, compact or not, to the same table.
    let n_before = full.days.len();
    let days = dir.join("days.csv");
    let text = std::fs::read_to_string(&days).unwrap();
    let second = text.lines().nth(1).unwrap().to_string();
    std::fs::write(&days, format!("{text}{second}\n")).unwrap();
    let full = load(&dir, false, false);
    let compact = load(&dir, false, true);
    // both copies of the duplicated patient-day are excluded
    assert_eq!(full.days.len(), n_before - 1);
    assert_eq!(compact.n_days(), full.days.len());
    assert_same_days(&compact.compact_days.unwrap().to_table(), &full.days);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn patient_frame_from_compact_chunks_equals_the_whole_table() {
    let dir = registry("frame", 800, 9);
    let plan = ValidPlan::default_plan();
    let full = patient_frame(&plan, &load(&dir, true, false)).unwrap();
    let compact = load(&dir, true, true);
    // chunks of a few patients each, and one chunk for everything
    for rows in [7, 100, 1 << 20] {
        let f = patient_frame_in_chunks(&plan, &compact, rows).unwrap();
        assert_eq!(f.names(), full.names());
        for name in full.names() {
            match (full.get(name).unwrap(), f.get(name).unwrap()) {
                (Column::Num(a), Column::Num(b)) => assert_eq!(bits(a), bits(b), "{name}"),
                (Column::Cat(a), Column::Cat(b)) => assert_eq!(a, b, "{name}"),
                _ => panic!("{name}: kinds differ"),
            }
        }
    }
    std::fs::remove_dir_all(&dir).ok();
}
