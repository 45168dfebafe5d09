//! The three worked examples of data-schema/README.md (examples/): each runs from its raw
//! export to a report in one command; each export read through its mapping reproduces the
//! canonical cohort it was made from (examples/source, by examples/make_examples.py); a mapping
//! drafted by `dicohort mapping init` loads each of them; any file name works.

use std::path::PathBuf;
use std::process::Command;

use dicohort::load::{load_cohort, LoadOptions};
use dicohort::schema::Cohort;

use crate::common::{bin, root};

fn tmp(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("dicohort-byod-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn example(name: &str) -> PathBuf {
    root().join("examples").join(name)
}

/// (example folder, main file)
const EXAMPLES: [(&str, &str); 3] = [
    ("j-septic", "export.csv"),
    ("claims", "claims.csv"),
    ("long-labs", "patients.csv"),
];

fn run(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(bin()).args(args).output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn mapped(name: &str, main: &str) -> Cohort {
    let opts = LoadOptions {
        mapping: Some(example(name).join("mapping.toml")),
        ..LoadOptions::default()
    };
    load_cohort(&example(name).join(main), &opts)
        .unwrap_or_else(|e| panic!("{name}: {e}"))
        .0
}

fn source() -> Cohort {
    load_cohort(&example("source"), &LoadOptions::default())
        .unwrap()
        .0
}

#[test]
fn each_worked_example_runs_from_raw_export_to_report_in_one_command() {
    for (name, _) in EXAMPLES {
        let out = tmp(&format!("report-{name}"));
        let plan = example(name).join("plan.toml");
        let (ok, stdout, stderr) = run(&[
            "analyze",
            plan.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ]);
        assert!(ok, "{name}: {stderr}");
        assert!(stdout.contains("wrote"), "{name}: {stdout}");
        for f in ["report.html", "report.md", "results/analysis.json"] {
            assert!(out.join(f).is_file(), "{name}: no {f}");
        }
        let json: serde_json::Value = crate::common::read_json(&out.join("results/analysis.json"));
        let first = &json["flow"]["steps"][0];
        assert_eq!(first["n_in"], 300, "{name}: {first}");
        assert!(
            json["exposure"]["n_started_in_window"].as_u64().unwrap() > 0,
            "{name}: nobody exposed"
        );
        std::fs::remove_dir_all(&out).unwrap();
    }
}

/// `a` and `b` equal, or within 1e-9 relative (a unit converted by a non-decimal factor).
fn same(a: f64, b: f64) -> bool {
    (a.is_nan() && b.is_nan()) || a == b || (a - b).abs() <= 1e-9 * a.abs().max(b.abs())
}

/// The day values of `c` on the exported days equal the source's, column by column.
fn assert_days_match(name: &str, c: &Cohort, s: &Cohort, days: Option<&[i32]>, columns: &[&str]) {
    let key = |t: &Cohort, i: usize| {
        (
            t.patients.patient_id[t.days.patient[i] as usize].clone(),
            t.days.day[i],
        )
    };
    let index: std::collections::HashMap<_, usize> =
        (0..s.days.len()).map(|i| (key(s, i), i)).collect();
    let col = |t: &Cohort, name: &str| -> Vec<f64> {
        match name {
            "platelets" => t.days.platelets.clone(),
            "pt_inr" => t.days.pt_inr.clone(),
            "fibrinogen" => t.days.fibrinogen.clone(),
            "fdp" => t.days.fdp.clone(),
            "d_dimer" => t.days.d_dimer.clone(),
            "antithrombin" => t.days.antithrombin.clone(),
            "temperature" => t.days.temperature.clone(),
            "creatinine" => t.days.creatinine.clone(),
            "bilirubin" => t.days.bilirubin.clone(),
            "heart_rate" => t.days.heart_rate.clone(),
            "gcs" => t.days.gcs.clone(),
            other => panic!("{other}"),
        }
    };
    let n_expected = (0..s.days.len())
        .filter(|&i| days.is_none_or(|d| d.contains(&s.days.day[i])))
        .count();
    assert_eq!(c.days.len(), n_expected, "{name}: patient-days");
    for column in columns {
        let (cv, sv) = (col(c, column), col(s, column));
        for i in 0..c.days.len() {
            let j = index[&key(c, i)];
            assert!(
                same(cv[i], sv[j]),
                "{name}: {column} of {:?}: {} vs source {}",
                key(c, i),
                cv[i],
                sv[j]
            );
        }
    }
}

#[test]
fn each_example_export_read_through_its_mapping_reproduces_the_source() {
    let s = source();
    let n = s.patients.len();
    let lab = [
        "platelets",
        "pt_inr",
        "fibrinogen",
        "fdp",
        "d_dimer",
        "creatinine",
        "bilirubin",
        "temperature",
        "heart_rate",
        "gcs",
    ];
    for (name, main) in EXAMPLES {
        let c = mapped(name, main);
        assert_eq!(c.patients.patient_id, s.patients.patient_id, "{name}");
        assert_eq!(c.patients.sex, s.patients.sex, "{name}");
        assert!(c
            .patients
            .age
            .iter()
            .zip(&s.patients.age)
            .all(|(a, b)| same(*a, *b)));
        // Death days are the source's in every layout.
        for i in 0..n {
            assert!(
                same(c.patients.death_day[i], s.patients.death_day[i]),
                "{name} {i}"
            );
        }
        // Treatments: every course, with its days.
        assert_eq!(c.treatments.drug, s.treatments.drug, "{name}");
        assert_eq!(c.treatments.patient, s.treatments.patient, "{name}");
        assert!(c
            .treatments
            .start_day
            .iter()
            .zip(&s.treatments.start_day)
            .all(|(a, b)| same(*a, *b)));
        assert!(c
            .treatments
            .end_day
            .iter()
            .zip(&s.treatments.end_day)
            .all(|(a, b)| same(*a, *b)));
        match name {
            "j-septic" => {
                assert_eq!(c.patients.site_id, s.patients.site_id);
                // 28-day vital status known: survivors observed to day 28, discharged on their day.
                for i in 0..n {
                    if s.patients.death_day[i].is_nan() {
                        assert_eq!(c.patients.last_day[i], 28.0, "{i}");
                        assert!(same(
                            c.patients.discharge_day[i],
                            s.patients.discharge_day[i]
                        ));
                    }
                }
                assert_days_match(name, &c, &s, Some(&[1, 3, 7]), &lab[..5]);
            }
            "claims" => {
                assert!(c
                    .patients
                    .site_id
                    .iter()
                    .zip(&s.patients.site_id)
                    .all(|(a, b)| a[1..] == b[1..]));
                // In-hospital death: follow-up ends at discharge (day 35 for those still in
                // hospital on day 28).
                for i in 0..n {
                    if s.patients.death_day[i].is_nan() {
                        let want = if s.patients.discharge_day[i].is_nan() {
                            35.0
                        } else {
                            s.patients.discharge_day[i]
                        };
                        assert_eq!(c.patients.discharge_day[i], want, "{i}");
                        assert_eq!(c.patients.last_day[i], want, "{i}");
                    }
                }
                assert_days_match(name, &c, &s, Some(&[1, 2, 4]), &lab);
            }
            _ => {
                assert_eq!(c.patients.site_id, s.patients.site_id);
                assert_eq!(c.patients.apache2.len(), n);
                assert_days_match(name, &c, &s, None, &lab);
            }
        }
    }
}

#[test]
fn mapping_init_drafts_a_mapping_that_loads_each_example() {
    let dir = tmp("init");
    for (name, main) in EXAMPLES {
        let export = example(name).join(main);
        let mut args = vec![
            "mapping".to_string(),
            "init".into(),
            export.display().to_string(),
        ];
        if name == "long-labs" {
            for (flag, f) in [("--days", "labs.tsv"), ("--courses", "drugs.csv")] {
                args.push(flag.into());
                args.push(example(name).join(f).display().to_string());
            }
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let (ok, draft, stderr) = run(&args);
        assert!(ok, "{name}: {stderr}");
        assert!(
            draft.contains("GUESSED") || name == "long-labs",
            "{name}: {draft}"
        );
        // The draft sits beside the export (its other files are named relative to the export).
        let m = example(name).join(format!(".draft-{}.toml", std::process::id()));
        std::fs::write(&m, &draft).unwrap();
        let opts = LoadOptions {
            mapping: Some(m.clone()),
            ..LoadOptions::default()
        };
        let got = load_cohort(&export, &opts);
        std::fs::remove_file(&m).unwrap();
        let (c, report) =
            got.unwrap_or_else(|e| panic!("{name}: the draft does not load: {e}\n{draft}"));
        assert!(report.is_valid(), "{name}: {report}");
        let want = mapped(name, main);
        assert_eq!(c.patients.patient_id, want.patients.patient_id, "{name}");
        assert_eq!(
            c.patients.death_day.iter().filter(|d| !d.is_nan()).count(),
            want.patients
                .death_day
                .iter()
                .filter(|d| !d.is_nan())
                .count(),
            "{name}"
        );
        assert_eq!(c.days.len(), want.days.len(), "{name}");
        assert!(
            c.days
                .platelets
                .iter()
                .zip(&want.days.platelets)
                .all(|(a, b)| same(*a, *b)),
            "{name}: platelets differ from the hand-written mapping's"
        );
        assert_eq!(c.treatments.len(), want.treatments.len(), "{name}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn validate_reads_a_file_of_any_name_not_only_a_folder() {
    // Issue 13: `validate file.csv` said "not a folder".
    let dir = tmp("anyname");
    let export = dir.join("my registry export.csv");
    std::fs::copy(example("j-septic").join("export.csv"), &export).unwrap();
    let m = example("j-septic").join("mapping.toml");
    let (ok, stdout, stderr) = run(&[
        "validate",
        export.to_str().unwrap(),
        "--mapping",
        m.to_str().unwrap(),
    ]);
    assert!(ok, "{stderr}");
    assert!(stdout.contains("problems: none"), "{stdout}");
    // Without a mapping a file is read as a registry-wide export; one that is not says how to
    // draft a mapping.
    let (ok, stdout, _) = run(&["validate", export.to_str().unwrap()]);
    assert!(!ok);
    assert!(stdout.contains("dicohort mapping init"), "{stdout}");
    assert!(!stdout.contains("not a folder"), "{stdout}");
    // A canonical table names its folder.
    let (ok, _, stderr) = run(&[
        "validate",
        example("source").join("days.csv").to_str().unwrap(),
    ]);
    assert!(ok, "{stderr}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn score_and_analyze_take_the_mapping_flag() {
    let dir = tmp("flags");
    let export = example("claims").join("claims.csv");
    let m = example("claims").join("mapping.toml");
    let out = dir.join("scores.csv");
    let (ok, _, stderr) = run(&[
        "score",
        export.to_str().unwrap(),
        "--mapping",
        m.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(ok, "{stderr}");
    let scores = std::fs::read_to_string(&out).unwrap();
    assert_eq!(scores.lines().count(), 1 + 864, "one row per patient-day");
    // A plan naming the file only; the mapping on the command line.
    let plan = dir.join("plan.toml");
    std::fs::write(
        &plan,
        format!(
            "[cohort]\nfile = {:?}\n{}",
            export.display().to_string(),
            std::fs::read_to_string(example("claims").join("plan.toml"))
                .unwrap()
                .split("[propensity]")
                .nth(1)
                .map(|rest| format!("[propensity]{rest}"))
                .unwrap()
        ),
    )
    .unwrap();
    let report = dir.join("report");
    let (ok, _, stderr) = run(&[
        "analyze",
        plan.to_str().unwrap(),
        "--mapping",
        m.to_str().unwrap(),
        "--out",
        report.to_str().unwrap(),
    ]);
    assert!(ok, "{stderr}");
    assert!(report.join("report.html").is_file());
    // The mapping is required: without it the claims file is not a registry-wide export.
    let (ok, _, stderr) = run(&[
        "analyze",
        plan.to_str().unwrap(),
        "--out",
        report.to_str().unwrap(),
    ]);
    assert!(!ok);
    assert!(stderr.contains("mapping init"), "{stderr}");
    std::fs::remove_dir_all(&dir).unwrap();
}
