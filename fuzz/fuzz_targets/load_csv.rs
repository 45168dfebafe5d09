//! The canonical loader on CSV bytes: the first byte chooses which table (patients, days,
//! treatments) the rest replaces; the other two are the valid fixture. Property: a typed error
//! or a cohort that keeps the schema's invariants, strict and lenient; never a panic.
#![no_main]

use dicohort::load::{load_canonical, Input, LoadOptions};
use libfuzzer_sys::fuzz_target;

const VALID: [&[u8]; 3] = [
    include_bytes!("../../tests/fixtures/load/valid/patients.csv"),
    include_bytes!("../../tests/fixtures/load/valid/days.csv"),
    include_bytes!("../../tests/fixtures/load/valid/treatments.csv"),
];

fuzz_target!(|data: &[u8]| {
    let Some((&which, rest)) = data.split_first() else {
        return;
    };
    let mut tables: Vec<Vec<u8>> = VALID.iter().map(|t| t.to_vec()).collect();
    tables[usize::from(which) % 3] = rest.to_vec();
    let input = |name: &str, i: usize| Input::Bytes {
        name: name.into(),
        data: tables[i].clone(),
    };
    for opts in [LoadOptions::default(), LoadOptions::lenient()] {
        if let Ok((c, report)) = load_canonical(
            &input("patients.csv", 0),
            &input("days.csv", 1),
            Some(&input("treatments.csv", 2)),
            &opts,
        ) {
            assert!(!opts.strict || report.is_valid());
            let np = c.patients.len();
            assert!(c.days.patient.iter().all(|&p| (p as usize) < np));
            assert!(c.treatments.patient.iter().all(|&p| (p as usize) < np));
            let keys: Vec<(u32, i32)> = c
                .days
                .patient
                .iter()
                .copied()
                .zip(c.days.day.iter().copied())
                .collect();
            assert!(keys.windows(2).all(|w| w[0] < w[1]), "days not sorted");
        }
    }
});
