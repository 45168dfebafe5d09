//! The typed fast path of reading (`load::scan`, `load::typed`, the days fast path) against the
//! row-by-row text path: the same cohort and the same cells whichever path runs; delimiters `;`
//! and tab detected; a one-column header explained.

use std::path::{Path, PathBuf};

use dicohort::load::{load_cohort, read_cells, read_cells_with, LoadOptions, MissingValues};
use dicohort::schema::{Cells, Cohort};
use dicohort::simulate::{simulate_to_dir, SimFormat, SimParams};

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("dicohort-typed-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn load(dir: &Path) -> Cohort {
    load_cohort(dir, &LoadOptions::default()).unwrap().0
}

fn same(a: &[f64], b: &[f64]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits())
}

#[test]
fn typed_and_row_by_row_reading_load_the_same_cohort() {
    let dir = temp("paths");
    simulate_to_dir(&SimParams::new(400, 21), SimFormat::Canonical, &dir).unwrap();
    let fast = load(&dir);
    // A blank line between rows sends the days file to the row-by-row reader (polars would
    // read the blank line as a row); the cohort must not change.
    let days = dir.join("days.csv");
    let text = std::fs::read_to_string(&days).unwrap();
    let (head, tail) = text.split_at(text.find('\n').unwrap() + 1);
    std::fs::write(&days, format!("{head}\n{tail}")).unwrap();
    let slow = load(&dir);
    assert_eq!(fast.days.patient, slow.days.patient);
    assert_eq!(fast.days.day, slow.days.day);
    assert!(same(&fast.days.platelets, &slow.days.platelets));
    assert!(same(&fast.days.pt_inr, &slow.days.pt_inr));
    assert!(same(&fast.days.temperature, &slow.days.temperature));
    assert_eq!(fast.days.ventilated, slow.days.ventilated);
    assert_eq!(fast.flow, slow.flow);

    // The same folder written with `;`: detected, same cohort.
    for f in ["patients.csv", "days.csv", "treatments.csv"] {
        let p = dir.join(f);
        let t = std::fs::read_to_string(&p).unwrap().replace(',', ";");
        std::fs::write(&p, t).unwrap();
    }
    let semi = load(&dir);
    assert_eq!(semi.days.day, fast.days.day);
    assert!(same(&semi.days.fdp, &fast.days.fdp));
    assert_eq!(semi.patients.patient_id, fast.patients.patient_id);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn cells_are_the_same_typed_or_as_text_and_delimiters_are_detected() {
    let dir = temp("cells");
    let comma = dir.join("c.csv");
    std::fs::write(&comma, "t,e,g,x\n1,1,a,0.1\n2,0,b,NA\n3,1,a,1e3\n").unwrap();
    let tab = dir.join("t.csv");
    std::fs::write(
        &tab,
        "t\te\tg\tx\n1\t1\ta\t0.1\n2\t0\tb\tNA\n3\t1\ta\t1e3\n",
    )
    .unwrap();
    // a blank line: read by the record reader, the same cells
    let blank = dir.join("b.csv");
    std::fs::write(&blank, "t,e,g,x\n1,1,a,0.1\n\n2,0,b,NA\n3,1,a,1e3\n").unwrap();
    let na = MissingValues::default();
    let want = read_cells(&comma, &["t", "x", "g"], &na).unwrap();
    for p in [&tab, &blank] {
        let got = read_cells(p, &["t", "x", "g"], &na).unwrap();
        assert_eq!(got.n_rows, 3);
        for name in ["t", "g"] {
            assert_eq!(got.get(name), want.get(name), "{name} in {}", p.display());
        }
        match (got.get("x").unwrap(), want.get("x").unwrap()) {
            (Cells::Numbers(a), Cells::Numbers(b)) => assert!(same(a, b)),
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(
        want.get("g"),
        Some(&Cells::Text(vec![
            Some("a".into()),
            Some("b".into()),
            Some("a".into())
        ]))
    );

    // A header read as one column explains itself; --delimiter reads it.
    let semi = dir.join("s.csv");
    std::fs::write(&semi, "t;e\n1;1\n").unwrap();
    let m = read_cells_with(&semi, &["t"], &na, Some(b','))
        .unwrap_err()
        .to_string();
    assert!(
        m.contains("s.csv") && m.contains("one column") && m.contains("--delimiter"),
        "{m}"
    );
    assert!(read_cells_with(&semi, &["t"], &na, Some(b';')).is_ok());
    std::fs::remove_dir_all(&dir).ok();
}

/// Regression (the bad-input corpus expected "is missing from the header" for these): a
/// `patients.csv` separated by `;` or by tabs is read as the comma-separated file is.
#[test]
fn semicolon_and_tab_separated_patients_load_like_commas() {
    let valid = crate::common::root().join("tests/fixtures/load/valid");
    let want = load(&valid);
    for (name, sep) in [("semicolons", ";"), ("tabs", "\t")] {
        let dir = temp(name);
        for f in ["days.csv", "treatments.csv"] {
            std::fs::copy(valid.join(f), dir.join(f)).unwrap();
        }
        let text = std::fs::read_to_string(valid.join("patients.csv")).unwrap();
        std::fs::write(dir.join("patients.csv"), text.replace(',', sep)).unwrap();
        let got = load(&dir);
        assert_eq!(got.patients.len(), want.patients.len(), "{name}");
        assert_eq!(got.patients.patient_id, want.patients.patient_id, "{name}");
        assert!(same(&got.patients.age, &want.patients.age), "{name}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
