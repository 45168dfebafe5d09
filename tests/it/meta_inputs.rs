//! Bad and awkward trial files given to `dicohort meta` (issue 14): each test is named after the
//! bug it pins. Numbers are compared with metafor through the fixtures of
//! tests/reference/meta_metafor.R where the input has a metafor counterpart.

use std::path::PathBuf;

use serde_json::Value;

use super::meta_cli::{dicohort, json_of};
use crate::common::fixture;

const HEADER: &str = "study,events_treated,total_treated,events_control,total_control";

/// A CSV in a fresh folder of its own; returns its path.
fn csv(test: &str, body: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "dicohort-meta-inputs-{}-{test}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("trials.csv");
    std::fs::write(&path, body).unwrap();
    path
}

fn stderr_of(args: &[&str]) -> String {
    let out = dicohort(args);
    assert!(!out.status.success(), "{args:?} should fail");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn edge_case(name: &str) -> Value {
    fixture("meta_edge")["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no case {name}"))
        .clone()
}

fn close(what: &str, got: &Value, want: &Value) {
    let (g, w) = (got.as_f64().unwrap(), want.as_f64().unwrap());
    assert!(
        (g - w).abs() <= 1e-6 * w.abs() + 1e-12,
        "{what}: {g} vs metafor {w}"
    );
}

#[test]
fn meta_duplicate_study_names_are_an_error_naming_both_rows() {
    let p = csv(
        "dup",
        &format!("{HEADER}\nA,5,50,7,50\nB,6,40,9,41\nA,12,100,18,100\n"),
    );
    let path = p.to_str().unwrap();
    for extra in [vec![], vec!["--exclude", "A"]] {
        let mut args = vec!["meta", "--data", path];
        args.extend(extra);
        let err = stderr_of(&args);
        assert!(
            err.contains("trials.csv") && err.contains("rows 1 and 3") && err.contains("`A`"),
            "{err}"
        );
    }
}

#[test]
fn meta_missing_counts_omit_the_study_with_a_notice() {
    let p = csv(
        "missing",
        &format!(
            "{HEADER}\nA,5,50,7,50\nB,6,40,,41\nC,12,100,18,100\nD,NA,80,9,80\nE,20,150,31,150\n"
        ),
    );
    let path = p.to_str().unwrap();
    let got = json_of(&["meta", "--data", path, "--json"]);
    let omitted = got["omitted"].as_array().unwrap();
    assert_eq!(omitted.len(), 2);
    assert_eq!(omitted[0]["study"], "B");
    assert_eq!(omitted[0]["row"], 2);
    assert!(omitted[0]["reason"]
        .as_str()
        .unwrap()
        .contains("events_control"));
    assert_eq!(omitted[1]["study"], "D");
    assert_eq!(omitted[1]["row"], 4);
    assert_eq!(got["k"], 3);
    // The analysis of the other three, exactly (as metafor's na.omit).
    let without = json_of(&[
        "meta",
        "--data",
        path,
        "--exclude",
        "B",
        "--exclude",
        "D",
        "--json",
    ]);
    for key in ["estimate", "se", "tau2", "q"] {
        assert_eq!(got[key], without[key], "{key}");
    }
    let text = String::from_utf8(dicohort(&["meta", "--data", path]).stdout).unwrap();
    assert!(
        text.contains("`B` (row 2) omitted: missing `events_control`"),
        "{text}"
    );
    assert!(
        text.contains("`D` (row 4) omitted: missing `events_treated`"),
        "{text}"
    );
}

#[test]
fn meta_exclude_acts_before_row_checks() {
    let p = csv(
        "exclude-first",
        &format!("{HEADER}\nA,5,50,7,50\nB,60,50,7,50\nC,abc,80,9,80\nE,20,150,31,150\n"),
    );
    let path = p.to_str().unwrap();
    let err = stderr_of(&["meta", "--data", path]);
    assert!(
        err.contains("row 2, column `events_treated`: more events than patients"),
        "{err}"
    );
    let err = stderr_of(&["meta", "--data", path, "--exclude", "B"]);
    assert!(
        err.contains("row 3, column `events_treated`: `abc` is not a number"),
        "{err}"
    );
    let got = json_of(&[
        "meta",
        "--data",
        path,
        "--exclude",
        "B",
        "--exclude",
        "C",
        "--json",
    ]);
    assert_eq!(got["k"], 2);
    assert_eq!(got["excluded"], serde_json::json!(["B", "C"]));
    let err = stderr_of(&["meta", "--data", path, "--exclude", "Z"]);
    assert!(err.contains("--exclude `Z`: no such study"), "{err}");
}

/// metafor 3.8-1 keeps double-zero studies in `escalc()` / `rma.uni()` (`drop00 = FALSE`) and
/// drops their effects in `rma.mh()` (`drop00 = TRUE`); `--double-zero` overrides either, and the
/// output says which rule was used and where it comes from.
#[test]
fn meta_double_zero_keep_and_drop_are_metafors_rules() {
    let p = csv(
        "double-zero",
        &format!("{HEADER}\nd1,0,30,0,30\nd2,12,100,18,100\nd3,7,80,9,80\nd4,20,150,31,150\n"),
    );
    let path = p.to_str().unwrap();
    let cases = [
        (
            vec!["--method", "REML"],
            "edge double_zero keep RR REML z",
            "keep",
            4,
        ),
        (
            vec!["--method", "REML", "--double-zero", "drop"],
            "edge double_zero drop RR REML z",
            "drop",
            3,
        ),
        (
            vec!["--method", "MH"],
            "edge double_zero drop RR MH z",
            "drop",
            4,
        ),
        (
            vec!["--method", "MH", "--double-zero", "keep"],
            "edge double_zero keep RR MH z",
            "keep",
            4,
        ),
    ];
    for (flags, case, rule, k) in cases {
        let mut args = vec!["meta", "--data", path, "--json"];
        args.extend(flags.iter().copied());
        let got = json_of(&args);
        let want = &edge_case(case)["result"];
        for key in ["estimate", "se", "q", "tau2", "i2"] {
            close(&format!("{case} {key}"), &got[key], &want[key]);
        }
        assert_eq!(got["k"], k, "{case}");
        assert_eq!(got["double_zero"]["rule"], rule, "{case}");
        let source = got["double_zero"]["source"].as_str().unwrap();
        assert!(source.contains("drop00"), "{source}");
        let dropped = got["dropped_double_zero"].as_array().unwrap();
        assert_eq!(dropped.len(), usize::from(rule == "drop"), "{case}");
    }
    let err = stderr_of(&["meta", "--data", path, "--double-zero", "maybe"]);
    assert!(err.contains("keep or drop"), "{err}");
}

#[test]
fn meta_header_only_file_says_it_has_no_rows() {
    let p = csv("header-only", &format!("{HEADER}\n"));
    let err = stderr_of(&["meta", "--data", p.to_str().unwrap()]);
    assert!(
        err.contains("trials.csv") && err.contains("no rows"),
        "{err}"
    );
    assert!(!err.contains("double-zero"), "{err}");
    let p = csv("empty", "");
    let err = stderr_of(&["meta", "--data", p.to_str().unwrap()]);
    assert!(err.contains("empty"), "{err}");
}

#[test]
fn meta_bundled_typo_names_no_temp_file() {
    let tmp = std::env::temp_dir().display().to_string();
    for args in [
        vec!["meta", "--bundled", "trails"],
        vec!["meta", "--bundled", "--subgroup", "populaton"],
        vec![
            "meta",
            "--bundled",
            "--filter",
            "drug_class=thrombomoduline",
        ],
        vec!["meta", "--bundled", "--exclude", "PROWES"],
    ] {
        let err = stderr_of(&args);
        assert!(
            !err.contains(&tmp) && !err.contains("dicohort-anticoagulant"),
            "{err}"
        );
    }
    let err = stderr_of(&["meta", "--bundled", "--subgroup", "populaton"]);
    assert!(
        err.contains("data/anticoagulant-trials.csv (bundled)")
            && err.contains("`populaton`")
            && err.contains("population"),
        "{err}"
    );
    let err = stderr_of(&[
        "meta",
        "--bundled",
        "--filter",
        "drug_class=thrombomoduline",
    ]);
    assert!(
        err.contains("(values: activated_protein_c, antithrombin, tfpi, thrombomodulin)"),
        "{err}"
    );
}

#[test]
fn meta_filter_keeps_the_rows_of_one_drug_class() {
    let got = json_of(&[
        "meta",
        "--bundled",
        "--filter",
        "drug_class=thrombomodulin",
        "--json",
    ]);
    let names: Vec<&str> = got["studies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["study"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "SCARLET (Vincent)",
            "Hagiwara",
            "ART-123 phase 2b (Vincent)"
        ]
    );
    assert_eq!(
        got["filters"],
        serde_json::json!(["drug_class=thrombomodulin"])
    );
    // Values of one column are alternatives; different columns must all match.
    let got = json_of(&[
        "meta",
        "--bundled",
        "--filter",
        "drug_class=thrombomodulin",
        "--filter",
        "drug_class=tfpi",
        "--filter",
        "population=coagulopathy",
        "--json",
    ]);
    assert_eq!(got["k"], 3);
    let err = stderr_of(&["meta", "--bundled", "--filter", "drug_class"]);
    assert!(err.contains("COLUMN=VALUE"), "{err}");
    let err = stderr_of(&["meta", "--bundled", "--filter", "class=tfpi"]);
    assert!(
        err.contains("`class`") && err.contains("drug_class"),
        "{err}"
    );
}

#[test]
fn meta_ragged_row_is_an_error_with_its_row() {
    let p = csv(
        "ragged",
        &format!("{HEADER}\nA,5,50,7,50\nB,6,40,9\nC,12,100,18,100,7\n"),
    );
    let err = stderr_of(&["meta", "--data", p.to_str().unwrap()]);
    assert!(err.contains("row 2") && err.contains("4 fields"), "{err}");
}

#[test]
fn meta_duplicate_header_is_an_error() {
    let p = csv(
        "dup-header",
        "study,events_treated,total_treated,events_control,total_control,events_treated\nA,5,50,7,50,6\n",
    );
    let err = stderr_of(&["meta", "--data", p.to_str().unwrap()]);
    assert!(
        err.contains("`events_treated`") && err.contains("twice"),
        "{err}"
    );
}

#[test]
fn meta_nested_in_naming_no_study_is_an_error() {
    let p = csv(
        "nested-typo",
        &format!("{HEADER},nested_in\nA,5,50,7,50,\nB,6,40,9,41,AA\n"),
    );
    let err = stderr_of(&["meta", "--data", p.to_str().unwrap()]);
    assert!(
        err.contains("row 2, column `nested_in`") && err.contains("`AA`"),
        "{err}"
    );
    let p = csv(
        "nested-cycle",
        &format!("{HEADER},nested_in\nA,5,50,7,50,B\nB,6,40,9,41,A\n"),
    );
    let err = stderr_of(&["meta", "--data", p.to_str().unwrap()]);
    assert!(err.contains("nested in itself"), "{err}");
}

#[test]
fn meta_missing_subgroup_value_omits_the_study() {
    let p = csv(
        "subgroup-missing",
        &format!("{HEADER},arm\nA,5,50,7,50,x\nB,6,40,9,41,\nC,12,100,18,100,y\n"),
    );
    let got = json_of(&[
        "meta",
        "--data",
        p.to_str().unwrap(),
        "--subgroup",
        "arm",
        "--json",
    ]);
    assert_eq!(got["omitted"][0]["study"], "B");
    assert_eq!(got["subgroups"].as_array().unwrap().len(), 2);
}

#[test]
fn meta_every_row_omitted_is_an_error_not_an_empty_analysis() {
    let p = csv(
        "all-missing",
        &format!("{HEADER}\nA,,50,7,50\nB,6,40,NA,41\n"),
    );
    let err = stderr_of(&["meta", "--data", p.to_str().unwrap()]);
    assert!(
        err.contains("no trials left to pool") && err.contains("2 omitted"),
        "{err}"
    );
}

#[test]
fn meta_leave_one_out_with_subgroups_is_refused_not_ignored() {
    let err = stderr_of(&[
        "meta",
        "--bundled",
        "--subgroup",
        "population",
        "--leave-one-out",
    ]);
    assert!(err.contains("--leave-one-out"), "{err}");
}

#[test]
fn meta_forest_refuses_the_input_path_and_non_ratio_measures() {
    let p = csv(
        "forest-input",
        &format!("{HEADER}\nA,5,50,7,50\nB,6,40,9,41\n"),
    );
    let path = p.to_str().unwrap();
    let err = stderr_of(&["meta", "--data", path, "--forest", path]);
    assert!(err.contains("SVG") || err.contains("input"), "{err}");
    let svg = p.with_file_name("trials.svg");
    let svg_path = svg.to_str().unwrap();
    let err = stderr_of(&[
        "meta",
        "--data",
        path,
        "--measure",
        "RD",
        "--forest",
        svg_path,
    ]);
    assert!(err.contains("ratio"), "{err}");
    assert!(!svg.exists());
}

/// The trial reader takes Parquet as well as CSV (typed columns, nulls): the bundled table as
/// Parquet gives the bundled analysis.
#[test]
fn meta_parquet_trials_read_like_csv() {
    use polars::prelude::*;
    let dir = csv("parquet", "");
    let pq = dir.with_file_name("trials.parquet");
    let mut df = CsvReadOptions::default()
        .with_has_header(true)
        .with_infer_schema_length(Some(100))
        .try_into_reader_with_file_path(Some(
            crate::common::root().join("data/anticoagulant-trials.csv"),
        ))
        .unwrap()
        .finish()
        .unwrap();
    assert!(df.column("events_treated").unwrap().dtype().is_integer());
    ParquetWriter::new(std::fs::File::create(&pq).unwrap())
        .finish(&mut df)
        .unwrap();
    let args = ["--subgroup", "population", "--method", "MH", "--json"];
    let mut from_pq = json_of(&[&["meta", "--data", pq.to_str().unwrap()][..], &args].concat());
    let mut bundled = json_of(&[&["meta", "--bundled"][..], &args].concat());
    from_pq["data"] = Value::Null;
    bundled["data"] = Value::Null;
    assert_eq!(from_pq, bundled);
}
