//! Validation of the canonical folder: each problem found with a crafted bad file, named by file,
//! row (1-based, header excluded) and column; strict loading fails listing every problem; a
//! lenient load excludes the offending rows and counts each exclusion by reason in the flow.

use std::path::{Path, PathBuf};

use dicohort::load::{load_cohort, validate_cohort, LoadError, LoadOptions, ProblemKind};

const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/load/valid");

/// A fresh copy of the valid fixture in a temporary folder.
fn copy_fixture(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("dicohort-load-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for f in ["patients.csv", "days.csv", "treatments.csv"] {
        std::fs::copy(Path::new(FIXTURE).join(f), dir.join(f)).unwrap();
    }
    dir
}

/// Replaces data row `row` (1-based, header excluded) of `file` with `line`.
fn replace_row(dir: &Path, file: &str, row: usize, line: &str) {
    let p = dir.join(file);
    let text = std::fs::read_to_string(&p).unwrap();
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    lines[row] = line.to_string();
    std::fs::write(&p, lines.join("\n") + "\n").unwrap();
}

fn append_row(dir: &Path, file: &str, line: &str) {
    let p = dir.join(file);
    let mut text = std::fs::read_to_string(&p).unwrap();
    text.push_str(line);
    text.push('\n');
    std::fs::write(&p, text).unwrap();
}

/// The one problem of a bad folder: checks strict loading fails naming file, row and column,
/// and returns the lenient flow step of `file` as (n_in, exclusions, n_out).
fn expect_problem(
    dir: &Path,
    file: &str,
    row: u64,
    column: &str,
    kind: ProblemKind,
) -> (u64, Vec<(String, u64)>, u64) {
    let report = validate_cohort(dir, &LoadOptions::default()).unwrap();
    let hits: Vec<_> = report
        .problems
        .iter()
        .filter(|p| p.kind == kind && p.file == file)
        .collect();
    assert!(!hits.is_empty(), "no {kind:?} in {report}");
    let p = hits[0];
    assert_eq!(p.row, Some(row), "{p}");
    assert_eq!(p.column.as_deref(), Some(column), "{p}");

    let err = load_cohort(dir, &LoadOptions::default()).unwrap_err();
    assert!(
        matches!(err, LoadError::Invalid { strict: true, .. }),
        "{err}"
    );
    let msg = err.to_string();
    let needle = format!("{file}, row {row}, column `{column}`");
    assert!(msg.contains(&needle), "`{needle}` not in: {msg}");

    let (cohort, lenient) = load_cohort(dir, &LoadOptions::lenient()).unwrap();
    assert_eq!(cohort.flow, lenient.flow);
    let step = cohort
        .flow
        .steps
        .iter()
        .find(|s| s.label == format!("read and checked: {file}"))
        .unwrap();
    (step.n_in, step.excluded.clone(), step.n_out)
}

fn reason(kind: ProblemKind, n: u64) -> (String, u64) {
    (kind.reason().to_string(), n)
}

#[test]
fn valid_fixture_loads_with_sorted_tables_and_an_empty_flow() {
    let dir = copy_fixture("valid");
    let (c, report) = load_cohort(&dir, &LoadOptions::default()).unwrap();
    assert!(report.problems.is_empty(), "{report}");
    assert_eq!(c.patients.len(), 3);
    assert_eq!(c.days.len(), 8);
    assert_eq!(c.treatments.len(), 2);
    assert_eq!(c.days.patient_ranges(), vec![(0, 3), (3, 6), (6, 8)]);
    assert_eq!(c.patients.death_day[0], 5.0);
    assert!(c.patients.death_day[1].is_nan());
    assert_eq!(c.patients.discharge_day[1], 12.0);
    assert_eq!(c.patients.liver_failure[1], Some(true));
    assert_eq!(c.patients.extra[0].name, "infection_site");
    assert_eq!(c.patients.extra[0].text[2].as_deref(), Some("urinary"));
    assert!(c.patients.extra[0].values[2].is_nan());
    assert_eq!(c.days.platelets[0], 78.0);
    assert!(c.days.fdp[1].is_nan(), "an empty cell is NaN, never 0");
    assert!(
        c.days.map.iter().all(|v| v.is_nan()),
        "absent column: all missing"
    );
    assert_eq!(c.days.ventilated[6], Some(true));
    assert_eq!(c.days.bleeding[0], None);
    assert_eq!(c.treatments.drug, vec!["antithrombin", "thrombomodulin"]);
    assert_eq!(c.treatments.patient, vec![0, 2]);
    // Absent optional columns: one summary line per file.
    let absent: Vec<&String> = report
        .warnings
        .iter()
        .filter(|w| w.starts_with("days.csv") && w.contains("absent, read as all missing"))
        .collect();
    assert_eq!(absent.len(), 1, "{:?}", report.warnings);
    assert!(
        absent[0]
            .split(": ")
            .last()
            .unwrap()
            .split(", ")
            .any(|c| c == "map"),
        "{}",
        absent[0]
    );
    for s in &c.flow.steps {
        assert!(s.excluded.is_empty() && s.n_in == s.n_out, "{s:?}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn truncated_csv_row() {
    let dir = copy_fixture("truncated");
    replace_row(&dir, "days.csv", 4, "P002,1,160");
    let (n_in, ex, n_out) = expect_problem(&dir, "days.csv", 4, "pt_inr", ProblemKind::RaggedRow);
    assert_eq!((n_in, n_out), (8, 7));
    assert_eq!(ex, vec![reason(ProblemKind::RaggedRow, 1)]);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn file_cut_off_mid_row() {
    let dir = copy_fixture("cutoff");
    let p = dir.join("days.csv");
    let text = std::fs::read_to_string(&p).unwrap();
    std::fs::write(&p, &text[..text.len() - 20]).unwrap();
    let report = validate_cohort(&dir, &LoadOptions::default()).unwrap();
    let p = &report.problems[0];
    assert_eq!(
        (p.kind, p.row),
        (ProblemKind::RaggedRow, Some(8)),
        "{report}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn non_numeric_platelets() {
    let dir = copy_fixture("nonnumeric");
    replace_row(
        &dir,
        "days.csv",
        2,
        "P001,2,abc,1.6,1.5,180,,,,38.2,110,24,16.8,true",
    );
    let (_, ex, n_out) = expect_problem(&dir, "days.csv", 2, "platelets", ProblemKind::WrongType);
    assert_eq!(ex, vec![reason(ProblemKind::WrongType, 1)]);
    assert_eq!(n_out, 7);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn negative_age_excludes_the_patient_and_counts_its_rows() {
    let dir = copy_fixture("negage");
    replace_row(
        &dir,
        "patients.csv",
        2,
        "P002,S1,-4,F,15,false,true,,12,12,abdomen",
    );
    let (n_in, ex, n_out) = expect_problem(&dir, "patients.csv", 2, "age", ProblemKind::OutOfRange);
    assert_eq!((n_in, n_out), (3, 2));
    assert_eq!(ex, vec![reason(ProblemKind::OutOfRange, 1)]);
    let (c, _) = load_cohort(&dir, &LoadOptions::lenient()).unwrap();
    let days = c
        .flow
        .steps
        .iter()
        .find(|s| s.label == "read and checked: days.csv")
        .unwrap();
    assert_eq!(days.excluded, vec![reason(ProblemKind::PatientExcluded, 3)]);
    assert_eq!(c.patients.patient_id, vec!["P001", "P003"]);
    assert_eq!(c.days.patient_ranges(), vec![(0, 3), (3, 5)]);
    assert_eq!(
        c.treatments.patient,
        vec![0, 1],
        "indexes follow the kept patients"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn duplicate_patient_day_reports_every_row() {
    let dir = copy_fixture("dupday");
    append_row(
        &dir,
        "days.csv",
        "P001,2,60,1.6,1.5,180,,,,38.2,110,24,16.8,true",
    );
    let report = validate_cohort(&dir, &LoadOptions::default()).unwrap();
    let rows: Vec<_> = report
        .problems
        .iter()
        .filter(|p| p.kind == ProblemKind::DuplicatePatientDay)
        .map(|p| p.row.unwrap())
        .collect();
    assert_eq!(rows, vec![2, 9]);
    let (_, ex, n_out) =
        expect_problem(&dir, "days.csv", 2, "day", ProblemKind::DuplicatePatientDay);
    assert_eq!(ex, vec![reason(ProblemKind::DuplicatePatientDay, 2)]);
    assert_eq!(n_out, 7);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn unknown_patient_in_days_and_treatments() {
    let dir = copy_fixture("unknown");
    append_row(
        &dir,
        "days.csv",
        "P999,1,100,1.1,1.1,300,5,,,37,80,16,8,false",
    );
    append_row(&dir, "treatments.csv", "P998,heparin,1,3,10000,IU/day");
    let (_, ex, _) = expect_problem(
        &dir,
        "days.csv",
        9,
        "patient_id",
        ProblemKind::UnknownPatient,
    );
    assert_eq!(ex, vec![reason(ProblemKind::UnknownPatient, 1)]);
    let (_, ex, _) = expect_problem(
        &dir,
        "treatments.csv",
        3,
        "patient_id",
        ProblemKind::UnknownPatient,
    );
    assert_eq!(ex, vec![reason(ProblemKind::UnknownPatient, 1)]);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn platelets_in_the_wrong_unit_are_out_of_range() {
    // 150,000 /uL written where x10^3/uL is expected.
    let dir = copy_fixture("unit");
    replace_row(
        &dir,
        "days.csv",
        6,
        "P002,3,152000,1.0,1.0,390,5,1.8,82,36.8,84,16,8.7,false",
    );
    let (_, ex, _) = expect_problem(&dir, "days.csv", 6, "platelets", ProblemKind::OutOfRange);
    assert_eq!(ex, vec![reason(ProblemKind::OutOfRange, 1)]);
    let report = validate_cohort(&dir, &LoadOptions::default()).unwrap();
    assert!(
        report.problems[0].message.contains("2000 x10^3/uL"),
        "{report}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn death_before_admission() {
    let dir = copy_fixture("deathbefore");
    replace_row(
        &dir,
        "patients.csv",
        1,
        "P001,S1,67,M,22,false,false,0,5,,lung",
    );
    let (_, ex, n_out) = expect_problem(
        &dir,
        "patients.csv",
        1,
        "death_day",
        ProblemKind::DeathBeforeAdmission,
    );
    assert_eq!(ex, vec![reason(ProblemKind::DeathBeforeAdmission, 1)]);
    assert_eq!(n_out, 2);
    let (c, _) = load_cohort(&dir, &LoadOptions::lenient()).unwrap();
    let tr = c
        .flow
        .steps
        .iter()
        .find(|s| s.label == "read and checked: treatments.csv")
        .unwrap();
    assert_eq!(tr.excluded, vec![reason(ProblemKind::PatientExcluded, 1)]);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn day_after_death() {
    let dir = copy_fixture("afterdeath");
    append_row(
        &dir,
        "days.csv",
        "P001,6,40,2.0,1.9,140,45,,,37.5,125,30,20,true",
    );
    let (_, ex, n_out) = expect_problem(&dir, "days.csv", 9, "day", ProblemKind::DayAfterDeath);
    assert_eq!(ex, vec![reason(ProblemKind::DayAfterDeath, 1)]);
    assert_eq!(n_out, 8);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn every_problem_is_found_in_one_pass() {
    let dir = copy_fixture("all");
    replace_row(
        &dir,
        "patients.csv",
        2,
        "P002,S1,-4,X,15,maybe,true,,12,12,abdomen",
    );
    replace_row(
        &dir,
        "days.csv",
        1,
        "P001,1,7.8e5,0.1,1.4,210,32,14.5,55,38.9,118,26,15.2,true",
    );
    replace_row(&dir, "days.csv", 3, "P001,3,45,1.9");
    append_row(
        &dir,
        "days.csv",
        "P404,1,100,1.1,1.1,300,5,,,37,80,16,8,false",
    );
    append_row(
        &dir,
        "days.csv",
        "P003,1,96,1.3,1.25,260,18,,61,38.4,104,22,3.5,yes",
    );
    append_row(
        &dir,
        "days.csv",
        "P001,7,40,2.0,1.9,140,45,,,37.5,125,30,20,true",
    );
    append_row(&dir, "treatments.csv", "P001,heparin,3,2,10000,IU/day");
    let report = validate_cohort(&dir, &LoadOptions::default()).unwrap();
    let got: Vec<(String, Option<u64>, Option<String>, ProblemKind)> = report
        .problems
        .iter()
        .map(|p| (p.file.clone(), p.row, p.column.clone(), p.kind))
        .collect();
    let e = |f: &str, r: u64, c: &str, k| (f.to_string(), Some(r), Some(c.to_string()), k);
    assert_eq!(
        got,
        vec![
            e("patients.csv", 2, "age", ProblemKind::OutOfRange),
            e("patients.csv", 2, "sex", ProblemKind::NotAllowed),
            e(
                "patients.csv",
                2,
                "haematological_malignancy",
                ProblemKind::WrongType
            ),
            e("days.csv", 1, "platelets", ProblemKind::OutOfRange),
            e("days.csv", 1, "pt_inr", ProblemKind::OutOfRange),
            e("days.csv", 3, "pt_ratio", ProblemKind::RaggedRow),
            e("days.csv", 7, "day", ProblemKind::DuplicatePatientDay),
            e("days.csv", 9, "patient_id", ProblemKind::UnknownPatient),
            e("days.csv", 10, "day", ProblemKind::DuplicatePatientDay),
            e("days.csv", 11, "day", ProblemKind::DayAfterDeath),
            e("treatments.csv", 3, "end_day", ProblemKind::EndBeforeStart),
        ],
        "{report}"
    );
    let (c, lenient) = load_cohort(&dir, &LoadOptions::lenient()).unwrap();
    assert_eq!(lenient.problems, report.problems);
    let steps: Vec<_> = c
        .flow
        .steps
        .iter()
        .map(|s| (s.label.as_str(), s.n_in, s.excluded.clone(), s.n_out))
        .collect();
    assert_eq!(
        steps,
        vec![
            (
                "read and checked: patients.csv",
                3,
                vec![reason(ProblemKind::OutOfRange, 1)],
                2
            ),
            (
                "read and checked: days.csv",
                11,
                vec![
                    reason(ProblemKind::RaggedRow, 1),
                    reason(ProblemKind::OutOfRange, 1),
                    reason(ProblemKind::UnknownPatient, 1),
                    reason(ProblemKind::DuplicatePatientDay, 2),
                    reason(ProblemKind::DayAfterDeath, 1),
                    reason(ProblemKind::PatientExcluded, 3),
                ],
                2
            ),
            (
                "read and checked: treatments.csv",
                3,
                vec![reason(ProblemKind::EndBeforeStart, 1)],
                2
            ),
        ]
    );
    assert_eq!(c.days.len(), 2);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn missing_required_column_stops_loading_in_any_mode() {
    let dir = copy_fixture("nocol");
    let p = dir.join("days.csv");
    let text = std::fs::read_to_string(&p).unwrap();
    let text: String = text
        .lines()
        .map(|l| l.split_once(',').unwrap().1.to_string() + "\n")
        .collect();
    std::fs::write(&p, text).unwrap();
    let err = load_cohort(&dir, &LoadOptions::lenient())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("days.csv, header, column `patient_id`"),
        "{err}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn duplicate_patient_id_excludes_every_row_of_it() {
    let dir = copy_fixture("dupid");
    append_row(
        &dir,
        "patients.csv",
        "P003,S2,81,F,30,true,false,,28,,urinary",
    );
    let report = validate_cohort(&dir, &LoadOptions::default()).unwrap();
    let rows: Vec<_> = report
        .problems
        .iter()
        .map(|p| (p.row, p.column.as_deref(), p.kind))
        .collect();
    assert_eq!(
        rows,
        vec![
            (Some(3), Some("patient_id"), ProblemKind::DuplicatePatient),
            (Some(4), Some("patient_id"), ProblemKind::DuplicatePatient),
        ]
    );
    let (c, _) = load_cohort(&dir, &LoadOptions::lenient()).unwrap();
    let s = &c.flow.steps;
    assert_eq!(
        s[0].excluded,
        vec![reason(ProblemKind::DuplicatePatient, 2)]
    );
    assert_eq!(s[1].excluded, vec![reason(ProblemKind::PatientExcluded, 2)]);
    assert_eq!(s[2].excluded, vec![reason(ProblemKind::PatientExcluded, 1)]);
    assert_eq!(c.patients.patient_id, vec!["P001", "P002"]);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn inconsistent_outcome_days() {
    let dir = copy_fixture("outcome");
    // Died on day 5 but observed to day 9; discharged after the last day observed.
    replace_row(
        &dir,
        "patients.csv",
        1,
        "P001,S1,67,M,22,false,false,5,9,,lung",
    );
    replace_row(
        &dir,
        "patients.csv",
        2,
        "P002,S1,54,F,15,false,true,,12,14,abdomen",
    );
    let report = validate_cohort(&dir, &LoadOptions::default()).unwrap();
    let got: Vec<_> = report
        .problems
        .iter()
        .map(|p| (p.row, p.column.as_deref(), p.kind))
        .collect();
    assert_eq!(
        got,
        vec![
            (Some(1), Some("last_day"), ProblemKind::InconsistentOutcome),
            (
                Some(2),
                Some("discharge_day"),
                ProblemKind::InconsistentOutcome
            ),
        ],
        "{report}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn treatment_after_death_and_unlisted_columns() {
    let dir = copy_fixture("treat");
    append_row(&dir, "treatments.csv", "P001,heparin,6,7,10000,IU/day");
    let p = dir.join("days.csv");
    let text = std::fs::read_to_string(&p).unwrap();
    let text: String = text
        .lines()
        .enumerate()
        .map(|(i, l)| format!("{l},{}\n", if i == 0 { "lactate" } else { "2.1" }))
        .collect();
    std::fs::write(&p, text).unwrap();
    let report = validate_cohort(&dir, &LoadOptions::default()).unwrap();
    let got: Vec<_> = report
        .problems
        .iter()
        .map(|p| (p.file.as_str(), p.row, p.column.as_deref(), p.kind))
        .collect();
    assert_eq!(
        got,
        vec![
            (
                "treatments.csv",
                Some(3),
                Some("start_day"),
                ProblemKind::DayAfterDeath
            ),
            (
                "treatments.csv",
                Some(3),
                Some("end_day"),
                ProblemKind::DayAfterDeath
            ),
        ]
    );
    let (c, _) = load_cohort(&dir, &LoadOptions::lenient()).unwrap();
    assert_eq!(
        c.flow.steps[2].excluded,
        vec![reason(ProblemKind::DayAfterDeath, 1)]
    );
    assert!(report
        .warnings
        .iter()
        .any(|w| w.contains("`lactate`") && w.contains("ignored")));
    std::fs::remove_dir_all(&dir).unwrap();
}
