//! `stats::zph::cox_zph` against R `survival::cox.zph` (fixtures written by
//! `tests/reference/survival_zph.R`): per-term and global chi-square, df and p for the km,
//! identity, rank and log transforms, on lung (Efron), veteran (Breslow, a three-column factor
//! term), a weighted, tied and stratified fit, and counting-process data (heart).

use dicohort::stats::cox::{coxph, CoxData, CoxOptions, Ties};
use dicohort::stats::zph::{cox_zph, ZphTransform};

use crate::common::{assert_all_close, assert_close, fixture, nums, strs};

fn check(case: &str) {
    let fx = fixture(&format!("zph_{case}"));
    let d = &fx["data"];
    let ties: Ties = fx["ties"].as_str().unwrap().parse().unwrap();
    let stop = nums(&d["stop"]);
    let event: Vec<bool> = nums(&d["event"]).iter().map(|e| *e == 1.0).collect();
    let x: Vec<Vec<f64>> = d["x"].as_array().unwrap().iter().map(nums).collect();
    let start = d.get("start").map(nums);
    let strata: Option<Vec<u32>> = d
        .get("strata")
        .map(|v| nums(v).iter().map(|s| *s as u32).collect());
    let weights = d.get("weights").map(nums);
    let data = CoxData {
        start: start.as_deref(),
        stop: &stop,
        event: &event,
        x: &x,
        strata: strata.as_deref(),
        weights: weights.as_deref(),
        cluster: None,
    };
    let fit = coxph(
        &data,
        &CoxOptions {
            ties,
            names: Some(strs(&d["names"])),
            ..CoxOptions::default()
        },
    )
    .unwrap();
    assert_all_close(&format!("{case} coef"), &fit.coef, &nums(&fx["coef"]));
    let term_names = strs(&fx["term_names"]);
    let terms: Vec<(String, Vec<usize>)> = fx["terms"]
        .as_array()
        .unwrap()
        .iter()
        .zip(&term_names)
        .map(|(cols, name)| {
            (
                name.clone(),
                nums(cols).iter().map(|c| *c as usize).collect(),
            )
        })
        .collect();
    for tr in ["km", "identity", "rank", "log"] {
        let want = &fx["tables"][tr];
        let z = cox_zph(
            &data,
            &fit,
            tr.parse::<ZphTransform>().unwrap(),
            Some(&terms),
        )
        .unwrap();
        let rows: Vec<_> = z.terms.iter().chain(std::iter::once(&z.global)).collect();
        let names: Vec<String> = rows.iter().map(|r| r.term.clone()).collect();
        assert_eq!(names, strs(&want["term"]), "{case} {tr}");
        let what = |s: &str| format!("{case} {tr} {s}");
        assert_all_close(
            &what("chisq"),
            &rows.iter().map(|r| r.chisq).collect::<Vec<_>>(),
            &nums(&want["chisq"]),
        );
        assert_all_close(
            &what("p"),
            &rows.iter().map(|r| r.p).collect::<Vec<_>>(),
            &nums(&want["p"]),
        );
        for (r, df) in rows.iter().zip(nums(&want["df"])) {
            assert_close(&what(&format!("df {}", r.term)), r.df as f64, df);
        }
    }
}

#[test]
fn zph_lung_matches_r() {
    check("lung");
}

#[test]
fn zph_veteran_factor_term_matches_r() {
    check("veteran");
}

#[test]
fn zph_weighted_tied_stratified_matches_r() {
    check("weighted_tied_strata");
}

#[test]
fn zph_counting_process_matches_r() {
    check("heart");
}

/// `dicohort cox --zph --json` on a CSV written from a fixture's data: the zph table as R's,
/// with a text covariate (veteran's celltype, rebuilt from its dummies) tested as one term.
fn check_cli(case: &str, transform: &str) {
    let fx = fixture(&format!("zph_{case}"));
    let d = &fx["data"];
    let names = strs(&d["names"]);
    let x: Vec<Vec<f64>> = d["x"].as_array().unwrap().iter().map(nums).collect();
    let term_names = strs(&fx["term_names"]);
    let terms: Vec<Vec<usize>> = fx["terms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| nums(c).iter().map(|v| *v as usize).collect())
        .collect();
    let stop = nums(&d["stop"]);
    let event = nums(&d["event"]);
    let start = d.get("start").map(nums);
    let mut csv = String::from("stop,event");
    if start.is_some() {
        csv.push_str(",start");
    }
    for t in &term_names {
        csv.push_str(&format!(",{t}"));
    }
    csv.push('\n');
    for i in 0..stop.len() {
        csv.push_str(&format!("{},{}", stop[i], event[i]));
        if let Some(s) = &start {
            csv.push_str(&format!(",{}", s[i]));
        }
        for (t, cols) in term_names.iter().zip(&terms) {
            if cols.len() == 1 {
                csv.push_str(&format!(",{}", x[cols[0]][i]));
            } else {
                // a factor: the level whose dummy is 1, else R's reference level
                let level = cols
                    .iter()
                    .find(|&&c| x[c][i] == 1.0)
                    .map_or("reference".to_string(), |&c| {
                        names[c][t.len()..].to_string()
                    });
                csv.push_str(&format!(",{level}"));
            }
        }
        csv.push('\n');
    }
    let dir = std::env::temp_dir().join(format!("dicohort_zph_cli_{case}_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{case}.csv"));
    std::fs::write(&path, csv).unwrap();
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_dicohort"));
    cmd.args(["cox", "--data"]).arg(&path).args([
        "--time",
        "stop",
        "--event",
        "event",
        "--covariates",
        &term_names.join(","),
        "--ties",
        fx["ties"].as_str().unwrap(),
        "--zph",
        "--zph-transform",
        transform,
        "--json",
    ]);
    if start.is_some() {
        cmd.args(["--start", "start"]);
    }
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let got: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let z = &got["zph"];
    assert_eq!(z["transform"], transform);
    let rows: Vec<&serde_json::Value> = z["terms"]
        .as_array()
        .unwrap()
        .iter()
        .chain(std::iter::once(&z["global"]))
        .collect();
    let want = &fx["tables"][transform];
    let got_names: Vec<String> = rows
        .iter()
        .map(|r| r["term"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(got_names, strs(&want["term"]), "{case}");
    for (key, w) in [
        ("chisq", &want["chisq"]),
        ("p", &want["p"]),
        ("df", &want["df"]),
    ] {
        let g: Vec<f64> = rows.iter().map(|r| r[key].as_f64().unwrap()).collect();
        assert_all_close(&format!("{case} cli {key}"), &g, &nums(w));
    }
    // the table output prints the same test
    let text = std::process::Command::new(env!("CARGO_BIN_EXE_dicohort"))
        .args(["cox", "--data"])
        .arg(&path)
        .args(["--time", "stop", "--event", "event", "--covariates"])
        .arg(term_names.join(","))
        .args(["--zph"])
        .args(if start.is_some() {
            vec!["--start", "start"]
        } else {
            vec![]
        })
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains("cox.zph") && text.contains("GLOBAL"),
        "{text}"
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn zph_cli_lung_matches_r() {
    check_cli("lung", "km");
    check_cli("lung", "rank");
}

#[test]
fn zph_cli_factor_term_matches_r() {
    // the CLI's reference level differs from R's; the test of a term does not depend on it
    check_cli("veteran", "km");
}

#[test]
fn zph_cli_counting_process_matches_r() {
    check_cli("heart", "km");
}
