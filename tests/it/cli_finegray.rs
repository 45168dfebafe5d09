//! `dicohort finegray --json` on CSV files written from the R fixtures of
//! tests/reference/stats_finegray.R: the subdistribution HR (finegray + weighted coxph, and
//! crr), the cause-specific Cox model and the Aalen-Johansen cumulative incidence agree with R.

use std::process::Command;

use serde_json::Value;

use crate::common::{assert_all_close, fixture, nums, strs};

fn write_csv(name: &str, f: &Value) -> std::path::PathBuf {
    let d = &f["data"];
    let (t, s) = (nums(&d["time"]), nums(&d["status"]));
    let x: Vec<Vec<f64>> = d["x"].as_array().unwrap().iter().map(nums).collect();
    let w = nums(&d["w"]);
    let mut text = String::from("time,status,x,age,w\n");
    for i in 0..t.len() {
        let wi = if w.is_empty() { 1.0 } else { w[i] };
        text.push_str(&format!(
            "{},{},{},{},{}\n",
            t[i], s[i], x[0][i], x[1][i], wi
        ));
    }
    let dir = std::env::temp_dir().join(format!("dicohort-cli-finegray-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

fn run(args: &[&str]) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_dicohort"))
        .args(args)
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("json")
}

fn col(v: &Value, key: &str, field: &str) -> Vec<f64> {
    v[key]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t[field].as_f64().unwrap())
        .collect()
}

#[test]
fn finegray_cli_weighted_robust_matches_r() {
    let f = fixture("finegray_days_weighted");
    let csv = write_csv("weighted.csv", &f);
    let out = run(&[
        "finegray",
        "--data",
        csv.to_str().unwrap(),
        "--time",
        "time",
        "--status",
        "status",
        "--covariates",
        "x,age",
        "--weights",
        "w",
        "--robust",
        "--cif-by",
        "x",
        "--cif-at",
        "7,14,28",
        "--json",
    ]);
    let want = &f["finegray"]["efron_robust"];
    assert_all_close(
        "sHR coef",
        &col(&out, "subdistribution", "coef"),
        &nums(&want["coef"]),
    );
    assert_all_close(
        "sHR robust se",
        &col(&out, "subdistribution", "robust_se"),
        &nums(&want["robust_se"]),
    );
    let cs = &f["cause_specific"]["efron"];
    assert_all_close(
        "cause-specific coef",
        &col(&out, "cause_specific", "coef"),
        &nums(&cs["coef"]),
    );
    let cif = &f["cif"];
    assert_all_close("cif", &col(&out, "cif", "cif"), &nums(&cif["cif"]));
    assert_all_close(
        "cif se",
        &col(&out, "cif", "std_err"),
        &nums(&cif["std_err"]),
    );
    let groups: Vec<String> = out["cif"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["group"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(groups, strs(&cif["group"]));
}

#[test]
fn finegray_cli_crr_matches_cmprsk() {
    let f = fixture("finegray_days");
    let csv = write_csv("days.csv", &f);
    let out = run(&[
        "finegray",
        "--data",
        csv.to_str().unwrap(),
        "--time",
        "time",
        "--status",
        "status",
        "--covariates",
        "x,age",
        "--method",
        "crr",
        "--json",
    ]);
    assert_all_close(
        "crr coef",
        &col(&out, "subdistribution", "coef"),
        &nums(&f["crr"]["coef"]),
    );
    assert_all_close(
        "crr se",
        &col(&out, "subdistribution", "se"),
        &nums(&f["crr"]["se"]),
    );
    assert_eq!(
        out["n_competing"].as_u64().unwrap(),
        nums(&f["data"]["status"])
            .iter()
            .filter(|&&s| s >= 2.0)
            .count() as u64
    );
}

#[test]
fn finegray_cli_rejects_bad_status_with_row_and_column() {
    let dir = std::env::temp_dir().join(format!("dicohort-cli-finegray-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join("bad.csv");
    std::fs::write(&p, "time,status,x\n1,0,1\n2,1.5,0\n3,1,1\n").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_dicohort"))
        .args([
            "finegray",
            "--data",
            p.to_str().unwrap(),
            "--time",
            "time",
            "--status",
            "status",
            "--covariates",
            "x",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("row 2") && err.contains("`status`"), "{err}");
}
