//! The canonical loader on a Parquet patients table (the fuzz input), beside a valid days.csv.
//! Property: a typed error or a cohort; never a panic. Note: the loader turns a panic inside
//! polars into an error (`load::table::guarded`), but libFuzzer's panic hook aborts first, so a
//! crash found here may be a polars bug on a corrupt file: the error the user sees is clean.
#![no_main]

use dicohort::load::{load_cohort, LoadOptions};
use libfuzzer_sys::fuzz_target;

const DAYS: &[u8] = include_bytes!("../../tests/fixtures/load/valid/days.csv");

fuzz_target!(|data: &[u8]| {
    let dir = std::env::temp_dir().join(format!("dicohort-fuzz-pq-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("patients.parquet"), data).unwrap();
    std::fs::write(dir.join("days.csv"), DAYS).unwrap();
    if let Ok((c, _)) = load_cohort(&dir, &LoadOptions::lenient()) {
        let np = c.patients.len();
        assert!(c.days.patient.iter().all(|&p| (p as usize) < np));
    }
});
