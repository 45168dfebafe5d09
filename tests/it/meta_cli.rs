//! `dicohort meta` end to end: JSON keys of the CLI contract, values equal to metafor's (fixture
//! meta_anticoagulant.json, written by tests/reference/meta_metafor.R), the nested-row rule, and
//! errors that name the file, row and column.

use std::process::Command;

use serde_json::Value;

use crate::common::{bin, root};

pub(crate) fn dicohort(args: &[&str]) -> std::process::Output {
    Command::new(bin())
        .current_dir(root())
        .args(args)
        .output()
        .expect("run dicohort")
}

/// The JSON of a successful run (panics with its stderr otherwise).
pub(crate) fn json_of(args: &[&str]) -> Value {
    let out = dicohort(args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn fixture_case(name: &str) -> Value {
    let v = crate::common::fixture("meta_anticoagulant");
    v["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no case {name}"))
        .clone()
}

const KEYS: [&str; 11] = [
    "estimate", "se", "ci_lower", "ci_upper", "tau2", "i2", "q", "q_p", "k", "pi_lower", "pi_upper",
];

fn assert_matches(label: &str, got: &Value, want: &Value, fixed_effect: bool) {
    for key in KEYS {
        assert!(got.get(key).is_some(), "{label}: key {key} missing");
        if fixed_effect && key.starts_with("pi_") {
            // metafor's predict() leaves out the PI of fixed-effect models; ours equals the CI.
            assert_eq!(
                got[key],
                got[if key == "pi_lower" {
                    "ci_lower"
                } else {
                    "ci_upper"
                }]
            );
            continue;
        }
        let (g, w) = (got[key].as_f64().unwrap(), want[key].as_f64().unwrap());
        assert!(
            (g - w).abs() <= 1e-6 * w.abs() + 1e-12,
            "{label}: {key}: {g} vs metafor {w}"
        );
    }
    // Exponentiated block for ratio measures.
    let e = &got["exp"];
    for key in ["estimate", "ci_lower", "ci_upper", "pi_lower", "pi_upper"] {
        let (g, w) = (e[key].as_f64().unwrap(), got[key].as_f64().unwrap().exp());
        assert!((g - w).abs() <= 1e-12 * w, "{label}: exp.{key}");
    }
}

/// Every row pooled (`--include-nested`): the same as metafor on all eleven rows, with a warning
/// for every pool that holds a row together with a study that contains it.
#[test]
fn mh_by_population_with_nested_rows_matches_metafor() {
    let out = dicohort(&[
        "meta",
        "--data",
        "data/anticoagulant-trials.csv",
        "--measure",
        "RR",
        "--method",
        "MH",
        "--subgroup",
        "population",
        "--include-nested",
        "--json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let got: Value = serde_json::from_slice(&out.stdout).unwrap();
    let want = fixture_case("anticoagulant population RR MH z");
    assert_matches("overall", &got["overall"], &want["overall"], true);
    let groups = got["subgroups"].as_array().unwrap();
    let wgroups = want["groups"].as_array().unwrap();
    assert_eq!(groups.len(), wgroups.len());
    for (g, w) in groups.iter().zip(wgroups) {
        assert_eq!(g["subgroup"], w["label"]);
        assert_matches(g["subgroup"].as_str().unwrap(), g, &w["result"], true);
    }
    let (q, wq) = (
        got["between"]["q"].as_f64().unwrap(),
        want["between"]["q"].as_f64().unwrap(),
    );
    assert!((q - wq).abs() <= 1e-6 * wq);
    assert_eq!(got["between"]["df"], want["between"]["df"]);
    // The bundled rows overlap (KyberSept subsets): the output must say so.
    assert!(got["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|w| w.as_str().unwrap().contains("subset")));
}

#[test]
fn reml_hksj_single_pool_matches_metafor() {
    let out = dicohort(&[
        "meta",
        "--bundled",
        "--measure",
        "OR",
        "--method",
        "REML",
        "--hksj",
        "--include-nested",
        "--json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let got: Value = serde_json::from_slice(&out.stdout).unwrap();
    let want = fixture_case("anticoagulant OR REML knha");
    assert_matches("REML knha", &got, &want["result"], false);
    assert_eq!(got["df"].as_f64(), Some(10.0));
}

/// The default: a row whose `nested_in` names a study of the same pool is left out of that pool
/// (KyberSept's no-heparin stratum out of `sepsis`, which holds the whole trial; in the overall
/// pool only the whole trial stays), with a notice; metafor on the same pools agrees.
#[test]
fn nested_rows_left_out_by_default_match_metafor() {
    for (method, hksj) in [
        ("IV", false),
        ("MH", false),
        ("DL", false),
        ("DL", true),
        ("REML", false),
        ("REML", true),
    ] {
        let mut args = vec![
            "meta",
            "--bundled",
            "--subgroup",
            "population",
            "--method",
            method,
            "--json",
        ];
        if hksj {
            args.push("--hksj");
        }
        let got = json_of(&args);
        let test = if hksj { "knha" } else { "z" };
        let want = fixture_case(&format!(
            "anticoagulant nested-rule population RR {method} {test}"
        ));
        let fe = matches!(method, "IV" | "MH");
        assert_matches("overall", &got["overall"], &want["overall"], fe);
        let groups = got["subgroups"].as_array().unwrap();
        let wgroups = want["groups"].as_array().unwrap();
        assert_eq!(groups.len(), wgroups.len());
        for (g, w) in groups.iter().zip(wgroups) {
            assert_eq!(g["subgroup"], w["label"]);
            assert_matches(g["subgroup"].as_str().unwrap(), g, &w["result"], fe);
        }
        let (q, wq) = (
            got["between"]["q"].as_f64().unwrap(),
            want["between"]["q"].as_f64().unwrap(),
        );
        assert!((q - wq).abs() <= 1e-6 * wq, "{method}: {q} vs {wq}");
        // What was left out, where, and by which rule.
        let sepsis = groups.iter().find(|g| g["subgroup"] == "sepsis").unwrap();
        assert_eq!(
            sepsis["nested_left_out"],
            serde_json::json!(["KyberSept no-heparin (Hoffmann)"])
        );
        assert_eq!(
            got["overall"]["nested_left_out"].as_array().unwrap().len(),
            3
        );
        let notices = got["notices"].to_string();
        assert!(
            notices.contains("left out of subgroup `sepsis`"),
            "{notices}"
        );
        assert!(notices.contains("--include-nested keeps them"), "{notices}");
        // The subgroups still share KyberSept patients: the subgroup test says so.
        assert!(got["warnings"].to_string().contains("share patients"));
        assert!(!got["warnings"].to_string().contains("counted twice"));
    }
    for method in ["IV", "MH", "DL", "REML"] {
        let got = json_of(&["meta", "--bundled", "--method", method, "--json"]);
        let want = fixture_case(&format!("anticoagulant nested-rule all RR {method} z"));
        assert_matches(method, &got, &want["result"], matches!(method, "IV" | "MH"));
        assert_eq!(got["k"], 8);
    }
}

#[test]
fn table_output_names_method_and_zero_cell_rule() {
    let out = dicohort(&["meta", "--bundled", "--measure", "RR", "--method", "DL"]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("DerSimonian-Laird"), "{text}");
    assert!(text.contains("to = \"only0\""), "{text}");
    assert!(text.contains("SCARLET (Vincent)"), "{text}");
    assert!(
        text.contains("Double-zero studies: keep (the default of metafor 3.8 escalc() / rma.uni() (drop00 = FALSE))"),
        "{text}"
    );
}

#[test]
fn bad_counts_name_file_row_and_column() {
    let dir = std::env::temp_dir().join(format!("dicohort-meta-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("bad.csv");
    std::fs::write(
        &path,
        "study,events_treated,total_treated,events_control,total_control\nA,5,50,7,50\nB,60,50,7,50\n",
    )
    .unwrap();
    let out = dicohort(&[
        "meta",
        "--data",
        path.to_str().unwrap(),
        "--method",
        "IV",
        "--json",
    ]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("bad.csv") && err.contains("row 2") && err.contains("events_treated"),
        "{err}"
    );
    std::fs::write(
        &path,
        "study,events_treated,total_treated,events_control\nA,5,50,7\n",
    )
    .unwrap();
    let out = dicohort(&["meta", "--data", path.to_str().unwrap(), "--json"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("total_control"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn independent_rows_by_population_match_metafor_without_warnings() {
    let out = dicohort(&[
        "meta",
        "--bundled",
        "--method",
        "REML",
        "--hksj",
        "--subgroup",
        "population",
        "--exclude",
        "KyberSept (Warren)",
        "--exclude",
        "KyberSept no-heparin (Hoffmann)",
        "--json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let got: Value = serde_json::from_slice(&out.stdout).unwrap();
    let want = fixture_case("anticoagulant independent population RR REML knha");
    assert_matches("overall", &got["overall"], &want["overall"], false);
    for (g, w) in got["subgroups"]
        .as_array()
        .unwrap()
        .iter()
        .zip(want["groups"].as_array().unwrap())
    {
        assert_eq!(g["subgroup"], w["label"]);
        assert_matches(g["subgroup"].as_str().unwrap(), g, &w["result"], false);
    }
    let (q, wq) = (
        got["between"]["q"].as_f64().unwrap(),
        want["between"]["q"].as_f64().unwrap(),
    );
    assert!((q - wq).abs() <= 1e-6 * wq, "{q} vs {wq}");
    assert!(got["warnings"].as_array().unwrap().is_empty());
    let bad = dicohort(&["meta", "--bundled", "--exclude", "no such trial"]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("no such trial"));
}
