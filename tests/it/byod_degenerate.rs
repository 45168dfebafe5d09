//! Degenerate analyses are errors (issue 13): a covariate missing for everyone, an arm below
//! `design.min_per_arm`, exposure drugs no treatment row names, a header in other
//! capitalisation; absent optional columns are one warning line after the real problems.

use std::path::PathBuf;
use std::process::Command;

use dicohort::cohort::analysis::run_plan;
use dicohort::cohort::valid_plan::ValidPlan;
use dicohort::cohort::CohortError;
use dicohort::load::{load_cohort, validate_cohort, LoadOptions, ProblemKind};
use dicohort::schema::Cohort;

use crate::common::{bin, root};

fn tmp(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("dicohort-degenerate-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn source() -> Cohort {
    load_cohort(&root().join("examples/source"), &LoadOptions::default())
        .unwrap()
        .0
}

fn run(plan: &str, cohort: Cohort) -> Result<(), CohortError> {
    let plan = ValidPlan::from_toml(plan).unwrap();
    run_plan(&plan, cohort, &mut |_| {}).map(|_| ())
}

#[test]
fn a_covariate_missing_for_all_patients_is_an_error_naming_it_not_an_analysis_of_nobody() {
    // Issue 13: without pt_ratio every patient was excluded, 63 lines of n=0, exit status 0.
    let mut c = source();
    c.days.pt_ratio.iter_mut().for_each(|v| *v = f64::NAN);
    let e = run("title = \"t\"\n", c).unwrap_err();
    assert!(matches!(e, CohortError::TooFewPatients { .. }), "{e}");
    let m = e.to_string();
    assert!(
        m.contains("`pt_ratio_day1` is missing for all 274 patients: remove it from [propensity] covariates"),
        "{m}"
    );
    assert!(
        m.contains("landmark: every propensity covariate recorded"),
        "{m}"
    );
    assert!(m.contains("0 exposed and 0 unexposed"), "{m}");
}

#[test]
fn analyze_exits_non_zero_when_a_design_analyses_nobody() {
    let dir = tmp("cli");
    std::fs::create_dir_all(dir.join("c")).unwrap();
    for f in ["patients.csv", "treatments.csv"] {
        std::fs::copy(
            root().join("examples/source").join(f),
            dir.join("c").join(f),
        )
        .unwrap();
    }
    let days = std::fs::read_to_string(root().join("examples/source/days.csv")).unwrap();
    let col = days
        .lines()
        .next()
        .unwrap()
        .split(',')
        .position(|h| h == "pt_ratio")
        .unwrap();
    let cut: Vec<String> = days
        .lines()
        .map(|l| {
            let mut v: Vec<&str> = l.split(',').collect();
            v.remove(col);
            v.join(",")
        })
        .collect();
    std::fs::write(dir.join("c/days.csv"), cut.join("\n") + "\n").unwrap();
    std::fs::write(dir.join("plan.toml"), "[cohort]\npath = \"c\"\n").unwrap();
    let out = Command::new(bin())
        .args(["analyze", dir.join("plan.toml").to_str().unwrap(), "--out"])
        .arg(dir.join("out"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(
        stderr.contains("`pt_ratio_day1` is missing for all"),
        "{stderr}"
    );
    assert!(!dir.join("out/report.html").exists(), "no report of nobody");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn an_arm_below_min_per_arm_is_an_error_and_the_minimum_is_a_plan_key() {
    let e = run("[design]\nmin_per_arm = 1000\n", source()).unwrap_err();
    let m = e.to_string();
    assert!(m.contains("design.min_per_arm = 1000"), "{m}");
    assert!(
        m.contains("the step `alive and in hospital at the end of day 3 (landmark)` kept"),
        "{m}"
    );
    assert!(run("[design]\nmin_per_arm = 10\n", source()).is_ok());
    let e = ValidPlan::from_toml("[design]\nmin_per_arm = 0\n")
        .unwrap_err()
        .to_string();
    assert!(e.contains("design.min_per_arm: must be from 1 to"), "{e}");
}

#[test]
fn an_exposure_drug_matching_no_treatment_row_lists_the_drugs_present() {
    // Issue 13: `thrombomoduline` or `Thrombomodulin` gave a report of 0 exposed, exit 0.
    for (name, hint) in [
        ("thrombomoduline", "did you mean `thrombomodulin`?"),
        ("Thrombomodulin", "did you mean `thrombomodulin`?"),
        ("warfarin", ""),
    ] {
        let plan = format!("[exposure]\ndrugs = [\"heparin\", \"{name}\"]\n");
        let m = run(&plan, source()).unwrap_err().to_string();
        assert!(m.contains("exposure.drugs[1]"), "{m}");
        assert!(
            m.contains(&format!("`{name}` matches no treatment row")),
            "{m}"
        );
        assert!(m.contains(hint), "{m}");
        assert!(
            m.contains("drugs in the treatment table: antithrombin (25 rows), heparin (31 rows), protease_inhibitor (16 rows), thrombomodulin (40 rows)"),
            "{m}"
        );
    }
    // The group name needs no row of every member, but someone must be exposed.
    let mut c = source();
    c.treatments = Default::default();
    let m = run("title = \"t\"\n", c).unwrap_err().to_string();
    assert!(
        m.contains("exposure.drugs") && m.contains("no treatment rows at all"),
        "{m}"
    );
}

#[test]
fn a_header_in_other_capitalisation_is_an_error_with_the_suggestion() {
    // Issue 13: a header `Platelets` gave a report with every platelet count missing.
    let dir = tmp("case");
    for f in ["patients.csv", "days.csv", "treatments.csv"] {
        std::fs::copy(root().join("examples/source").join(f), dir.join(f)).unwrap();
    }
    let days = std::fs::read_to_string(dir.join("days.csv")).unwrap();
    std::fs::write(
        dir.join("days.csv"),
        days.replacen("platelets", "Platelets", 1),
    )
    .unwrap();
    let r = validate_cohort(&dir, &LoadOptions::default()).unwrap();
    let p = r
        .problems
        .iter()
        .find(|p| p.kind == ProblemKind::MissingColumn)
        .unwrap_or_else(|| panic!("{r}"));
    assert_eq!(p.column.as_deref(), Some("Platelets"));
    assert!(p.message.contains("rename it `platelets`"), "{}", p.message);
    assert!(
        p.message
            .contains("is missing from the header, which has `Platelets`"),
        "{}",
        p.message
    );
    assert!(
        load_cohort(&dir, &LoadOptions::lenient()).is_err(),
        "fatal in any mode"
    );
    // Through a mapping: the mapped name in other capitalisation.
    let m = dir.join("m.toml");
    std::fs::write(
        &m,
        std::fs::read_to_string(root().join("data-schema/canonical.mapping.toml")).unwrap(),
    )
    .unwrap();
    let opts = LoadOptions {
        mapping: Some(m),
        ..LoadOptions::default()
    };
    let r = validate_cohort(&dir, &opts).unwrap();
    assert!(
        r.problems
            .iter()
            .any(|p| p.kind == ProblemKind::MissingColumn
                && p.message.contains("the header has `Platelets`")),
        "{r}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn absent_optional_columns_are_one_warning_line_after_the_real_problems() {
    // Issue 13: 36 "absent column" warnings came before the 5 real problems.
    let dir = tmp("absent");
    std::fs::write(
        dir.join("patients.csv"),
        "patient_id,site_id,age,sex,death_day,last_day,discharge_day\np1,H,70,M,,5,5\np2,H,300,M,,5,5\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("days.csv"),
        "patient_id,day,platelets\np1,1,150\np1,9,140\n",
    )
    .unwrap();
    let r = validate_cohort(&dir, &LoadOptions::default()).unwrap();
    let text = r.to_string();
    let lines: Vec<&str> = text.lines().collect();
    let absent: Vec<usize> = (0..lines.len())
        .filter(|&i| lines[i].contains("absent, read as all missing"))
        .collect();
    assert_eq!(absent.len(), 2, "one per file: {text}");
    assert!(
        lines[absent[0]].starts_with("warning: patients.csv: 3 optional columns absent"),
        "{text}"
    );
    assert!(
        lines[absent[1]].contains("days.csv: 27 optional columns absent"),
        "{text}"
    );
    let last_problem = lines
        .iter()
        .rposition(|l| l.starts_with("  ") && l.contains(", row "))
        .unwrap();
    assert!(
        absent[0] > last_problem,
        "warnings after the problems: {text}"
    );
    assert_eq!(r.problems.len(), 2, "{text}");
    std::fs::remove_dir_all(&dir).unwrap();
}
