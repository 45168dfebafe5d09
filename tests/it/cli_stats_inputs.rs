//! Bad and awkward inputs to the statistics commands (`km`, `logrank`, `cox`, `rr`), issue 14:
//! each test is named after the bug it pins. Every command reads its columns through the one
//! library model frame (`stats::frame`), so a rule tested on one command holds for all; the
//! tests still try each command where the issue found it broken.

use std::path::PathBuf;
use std::process::Command;

use crate::common::{assert_all_close, assert_close, bin, fixture, num, nums, strs};
use serde_json::Value;

fn temp_csv(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("dicohort-stats-inputs-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

/// (success, stdout, stderr)
fn run(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(bin()).args(args).output().expect("runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn json_of(args: &[&str]) -> Value {
    let (ok, out, err) = run(args);
    assert!(ok, "{args:?}: {err}");
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{args:?}: {e}: {out}"))
}

fn fails_with(args: &[&str], needles: &[&str]) -> String {
    let (ok, out, err) = run(args);
    assert!(!ok, "{args:?} should fail, printed {out}");
    for n in needles {
        assert!(err.contains(n), "{args:?}: `{n}` not in: {err}");
    }
    err
}

fn group_names(js: &Value) -> Vec<String> {
    js["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["group"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn na_in_group_or_strata_is_missing_not_a_level() {
    let p = temp_csv(
        "na_group.csv",
        "t,e,g,s\n1,1,a,x\n2,0,NA,x\n3,1,b,NA\n4,1,a,y\n5,0,b,y\n6,1,a,x\n",
    );
    let p = p.to_str().unwrap();
    let js = json_of(&[
        "km", "--data", p, "--time", "t", "--event", "e", "--group", "g", "--json",
    ]);
    assert_eq!(group_names(&js), ["a", "b"]);
    assert_eq!(js["n_omitted"], 1);
    let js = json_of(&[
        "logrank", "--data", p, "--time", "t", "--event", "e", "--group", "g", "--strata", "s",
        "--json",
    ]);
    assert_eq!(strs(&js["groups"]), ["a", "b"]);
    assert_eq!(js["n_omitted"], 2);
    assert_eq!(nums(&js["n"]), [3.0, 1.0]);
}

#[test]
fn numeric_groups_compare_as_numbers_so_1_and_1_0_are_one_group() {
    let spelled = temp_csv(
        "num_spelled.csv",
        "t,e,g\n1,1,1\n2,0,1.0\n3,1,2\n4,1,2.00\n5,0,01\n",
    );
    let plain = temp_csv(
        "num_plain.csv",
        "t,e,g\n1,1,1\n2,0,1\n3,1,2\n4,1,2\n5,0,1\n",
    );
    for cmd in ["km", "logrank"] {
        let a = json_of(&[
            cmd,
            "--data",
            spelled.to_str().unwrap(),
            "--time",
            "t",
            "--event",
            "e",
            "--group",
            "g",
            "--json",
        ]);
        let b = json_of(&[
            cmd,
            "--data",
            plain.to_str().unwrap(),
            "--time",
            "t",
            "--event",
            "e",
            "--group",
            "g",
            "--json",
        ]);
        assert_eq!(a, b, "{cmd}: 1, 1.0 and 01 are the group 1");
    }
    let js = json_of(&[
        "km",
        "--data",
        spelled.to_str().unwrap(),
        "--time",
        "t",
        "--event",
        "e",
        "--group",
        "g",
        "--json",
    ]);
    assert_eq!(group_names(&js), ["1", "2"]);
    // numbers are ordered as numbers, not as text
    let p = temp_csv("num_order.csv", "t,e,g\n1,1,10\n2,0,9\n3,1,10\n4,1,9\n");
    let js = json_of(&[
        "km",
        "--data",
        p.to_str().unwrap(),
        "--time",
        "t",
        "--event",
        "e",
        "--group",
        "g",
        "--json",
    ]);
    assert_eq!(group_names(&js), ["9", "10"]);
}

#[test]
fn duplicate_header_is_an_error_naming_both_columns() {
    let p = temp_csv("dup.csv", "t,e,x,t\n1,1,0,5\n2,0,1,6\n3,1,0,7\n");
    let p = p.to_str().unwrap();
    for args in [
        vec!["km", "--data", p, "--time", "t", "--event", "e"],
        vec![
            "cox",
            "--data",
            p,
            "--time",
            "t",
            "--event",
            "e",
            "--covariates",
            "x",
        ],
        vec!["rr", "--data", p, "--exposure", "x", "--outcome", "t"],
    ] {
        fails_with(&args, &["dup.csv", "columns 1 and 4", "`t`"]);
    }
}

#[test]
fn short_and_long_rows_are_errors_with_row_numbers_not_omitted_rows() {
    let p = temp_csv("ragged.csv", "t,e,g\n1,1,a\n2,0\n3,1,b,extra\n4,1,a\n");
    let p = p.to_str().unwrap();
    for args in [
        vec!["km", "--data", p, "--time", "t", "--event", "e"],
        vec![
            "logrank", "--data", p, "--time", "t", "--event", "e", "--group", "g",
        ],
        vec!["rr", "--data", p, "--exposure", "e", "--outcome", "e"],
    ] {
        let err = fails_with(
            &args,
            &[
                "ragged.csv",
                "row 2: 2 fields (short)",
                "row 3: 4 fields (long)",
            ],
        );
        assert!(!err.contains("omitted"), "{err}");
    }
}

#[test]
fn header_only_file_is_an_error_not_empty_groups() {
    let p = temp_csv("header_only.csv", "t,e,g,x\n");
    let p = p.to_str().unwrap();
    for args in [
        vec!["km", "--data", p, "--time", "t", "--event", "e", "--json"],
        vec![
            "logrank", "--data", p, "--time", "t", "--event", "e", "--group", "g",
        ],
        vec![
            "cox",
            "--data",
            p,
            "--time",
            "t",
            "--event",
            "e",
            "--covariates",
            "x",
        ],
        vec!["rr", "--data", p, "--exposure", "x", "--outcome", "e"],
    ] {
        let err = fails_with(&args, &["header_only.csv", "no data rows"]);
        assert!(!err.contains("only 1 group"), "{err}");
    }
}

#[test]
fn rows_all_missing_are_an_error_not_an_empty_result() {
    let p = temp_csv("all_missing.csv", "t,e,g\n1,,a\n,1,b\n3,NA,b\n");
    fails_with(
        &[
            "km",
            "--data",
            p.to_str().unwrap(),
            "--time",
            "t",
            "--event",
            "e",
            "--json",
        ],
        &["all_missing.csv", "no complete rows", "`e` 2", "`t` 1"],
    );
}

#[test]
fn rmst_tau_must_be_a_positive_time() {
    let p = temp_csv("tau.csv", "t,e\n1,1\n2,0\n3,1\n");
    let p = p.to_str().unwrap();
    for tau in ["-5", "0", "NaN", "inf"] {
        fails_with(
            &[
                "km",
                "--data",
                p,
                "--time",
                "t",
                "--event",
                "e",
                "--rmst-tau",
                tau,
            ],
            &["--rmst-tau must be a finite time > 0"],
        );
    }
    let js = json_of(&[
        "km",
        "--data",
        p,
        "--time",
        "t",
        "--event",
        "e",
        "--rmst-tau",
        "2.5",
        "--json",
    ]);
    assert_eq!(num(&js["groups"][0]["rmst_tau"]), 2.5);
}

#[test]
fn cox_rejects_negative_times_as_km_does() {
    let p = temp_csv(
        "neg_time.csv",
        "t,e,x\n1,1,1\n-2,1,2\n3,0,1\n4,1,3\n5,0,2\n",
    );
    let p = p.to_str().unwrap();
    let needles = [
        "neg_time.csv",
        "row 2",
        "column `t`",
        "time must be finite and >= 0",
    ];
    fails_with(
        &["km", "--data", p, "--time", "t", "--event", "e"],
        &needles,
    );
    fails_with(
        &[
            "cox",
            "--data",
            p,
            "--time",
            "t",
            "--event",
            "e",
            "--covariates",
            "x",
        ],
        &needles,
    );
}

/// The base data of the R fixture as a CSV, with `edit(row, age)` applied to the age column.
fn base_csv(name: &str, edit: impl Fn(usize, f64) -> String) -> PathBuf {
    let fx = fixture("cox_sparse_level");
    let d = &fx["base"];
    let (time, status, age, grp) = (
        nums(&d["time"]),
        nums(&d["status"]),
        nums(&d["age"]),
        strs(&d["grp"]),
    );
    let mut csv = String::from("time,status,age,grp\n");
    for i in 0..time.len() {
        csv += &format!("{},{},{},{}\n", time[i], status[i], edit(i, age[i]), grp[i]);
    }
    temp_csv(name, &csv)
}

fn cox_args(p: &str) -> Vec<&str> {
    vec![
        "cox",
        "--data",
        p,
        "--time",
        "time",
        "--event",
        "status",
        "--covariates",
        "age,grp",
        "--json",
    ]
}

#[test]
fn cox_covariate_value_1e308_is_an_error_naming_the_cell_not_an_na_term() {
    // R stops with "missing value where TRUE/FALSE needed" (recorded in the fixture); here the
    // cell is named.
    let fx = fixture("cox_sparse_level");
    assert_eq!(
        fx["huge_value"]["r_error"],
        "missing value where TRUE/FALSE needed"
    );
    let p = base_csv("huge.csv", |i, a| {
        if i == 2 {
            "1e308".into()
        } else {
            a.to_string()
        }
    });
    fails_with(
        &cox_args(p.to_str().unwrap()),
        &["huge.csv", "row 3", "column `age`", "1e308", "rescale"],
    );
}

#[test]
fn cox_covariate_scaled_by_1e300_is_an_error_not_se_0_and_p_0() {
    // R reports se 0 and p 0 for this term (recorded in the fixture)
    let fx = fixture("cox_sparse_level");
    assert_eq!(num(&fx["scaled_1e300"]["r_se"]), 0.0);
    let p = base_csv("scaled.csv", |_, a| format!("{:e}", a * 1e300));
    fails_with(
        &cox_args(p.to_str().unwrap()),
        &["scaled.csv", "row 1", "column `age`", "rescale"],
    );
}

#[test]
fn missing_value_tokens_are_missing_everywhere() {
    // NA, empty and `.` in each column kind; N/A only with --na
    let p = temp_csv(
        "tokens.csv",
        "t,e,g,x,y\n1,1,a,0,1\n.,1,a,1,0\n3,NA,b,1,1\n4,0,,0,0\n5,1,b,N/A,1\n6,1,a,1,.\n7,1,b,0,0\n8,0,a,1,1\n",
    );
    let p = p.to_str().unwrap();
    let js = json_of(&[
        "km", "--data", p, "--time", "t", "--event", "e", "--group", "g", "--json",
    ]);
    assert_eq!(js["n_omitted"], 3);
    let js = json_of(&[
        "rr",
        "--data",
        p,
        "--exposure",
        "x",
        "--outcome",
        "y",
        "--na",
        "N/A",
        "--json",
    ]);
    assert_eq!(js["n_omitted"], 2);
    assert_eq!(js["n"], 6);
    // without --na, N/A in a 0/1 flag is a bad cell, named
    fails_with(
        &["rr", "--data", p, "--exposure", "x", "--outcome", "y"],
        &["tokens.csv", "row 5", "column `x`", "N/A"],
    );
    let js = json_of(&[
        "cox",
        "--data",
        p,
        "--time",
        "t",
        "--event",
        "e",
        "--covariates",
        "x",
        "--na",
        "N/A",
        "--json",
    ]);
    assert_eq!(js["n_omitted"], 3);
    assert_eq!(js["terms"][0]["name"], "x");
}

#[test]
fn cox_stray_cell_in_a_numeric_covariate_is_named_not_a_separation_of_dummies() {
    for (cell, needles) in [
        ("Inf", vec!["row 4", "column `age`", "Inf is not finite"]),
        (
            "N/A",
            vec!["row 4", "column `age`", "`N/A` is not a number"],
        ),
    ] {
        let p = base_csv(&format!("stray_{}.csv", cell.replace('/', "")), |i, a| {
            if i == 3 {
                cell.to_string()
            } else {
                a.to_string()
            }
        });
        let err = fails_with(&cox_args(p.to_str().unwrap()), &needles);
        assert!(
            !err.contains("separation") && !err.contains("age40"),
            "{err}"
        );
    }
    // `.` is a missing value: the row is omitted and age stays numeric
    let p = base_csv("stray_dot.csv", |i, a| {
        if i == 3 {
            ".".into()
        } else {
            a.to_string()
        }
    });
    let js = json_of(&cox_args(p.to_str().unwrap()));
    assert_eq!(js["n_omitted"], 1);
    assert_eq!(js["terms"][0]["name"], "age");
    assert_eq!(js["terms"].as_array().unwrap().len(), 2);
}

#[test]
fn cox_accepts_a_true_false_event_as_help_says() {
    let fx = fixture("cox_sparse_level");
    let d = &fx["base"];
    let (time, status, age) = (nums(&d["time"]), nums(&d["status"]), nums(&d["age"]));
    let mut tf = String::from("time,status,age\n");
    let mut yn = String::from("time,status,age\n");
    let mut zo = String::from("time,status,age\n");
    for i in 0..time.len() {
        let e = status[i] == 1.0;
        tf += &format!(
            "{},{},{}\n",
            time[i],
            if e { "TRUE" } else { "FALSE" },
            age[i]
        );
        yn += &format!("{},{},{}\n", time[i], if e { "yes" } else { "no" }, age[i]);
        zo += &format!("{},{},{}\n", time[i], status[i], age[i]);
    }
    let fit = |name: &str, csv: &str| {
        let p = temp_csv(name, csv);
        json_of(&[
            "cox",
            "--data",
            p.to_str().unwrap(),
            "--time",
            "time",
            "--event",
            "status",
            "--covariates",
            "age",
            "--json",
        ])
    };
    let want = fit("event01.csv", &zo);
    assert_eq!(fit("eventtf.csv", &tf), want);
    assert_eq!(fit("eventyn.csv", &yn), want);
}

fn sparse_csv(name: &str, case: &Value) -> PathBuf {
    let d = &case["data"];
    let (time, status, age, grp) = (
        nums(&d["time"]),
        nums(&d["status"]),
        nums(&d["age"]),
        strs(&d["grp"]),
    );
    let mut csv = String::from("time,status,age,grp\n");
    for i in 0..time.len() {
        csv += &format!("{},{},{},{}\n", time[i], status[i], age[i], grp[i]);
    }
    temp_csv(name, &csv)
}

#[test]
fn cox_sparse_level_that_separates_is_na_with_a_warning_as_r() {
    let fx = fixture("cox_sparse_level");
    for case in ["sparse_no_events", "sparse_first_events"] {
        let c = &fx[case];
        let r = &c["fit"];
        let p = sparse_csv(&format!("{case}.csv"), c);
        let (ok, out, err) = run(&cox_args(p.to_str().unwrap()));
        assert!(ok, "{case}: the model fits: {err}");
        let js: Value = serde_json::from_str(&out).unwrap();
        let terms = js["terms"].as_array().unwrap();
        assert_eq!(terms.len(), 3);
        for (j, t) in terms.iter().enumerate() {
            assert_eq!(t["name"], r["names"][j]);
        }
        // age and grpb as R; grpc is NA
        for j in 0..2 {
            assert_close("coef", num(&terms[j]["coef"]), num(&r["coef"][j]));
            assert_close("se", num(&terms[j]["se"]), num(&r["se"][j]));
            assert_close("p", num(&terms[j]["p"]), num(&r["p"][j]));
        }
        assert!(
            terms[2]["coef"].is_null() && terms[2]["se"].is_null(),
            "{case}"
        );
        assert!(
            terms[2]["hr"].is_null() && terms[2]["p"].is_null(),
            "{case}"
        );
        assert_all_close("loglik", &nums(&js["loglik"]), &nums(&r["loglik"]));
        assert_eq!(num(&js["iterations"]), num(&r["iter"]));
        for (ours, theirs) in [
            ("lr_test", "lr"),
            ("wald_test", "wald"),
            ("score_test", "score"),
        ] {
            assert_close(
                ours,
                num(&js[ours]["statistic"]),
                num(&r[theirs]["statistic"]),
            );
            assert_eq!(js[ours]["df"], r[theirs]["df"], "{case} {ours} df");
        }
        let r_warns = !r["warnings"].as_array().unwrap().is_empty();
        if r_warns {
            // R: "Loglik converged before variable 3; coefficient may be infinite"
            assert!(
                err.contains("warning") && err.contains("grpc") && err.contains("infinite"),
                "{err}"
            );
            let w = js["warnings"].as_array().expect("warnings in the JSON");
            assert!(w[0].as_str().unwrap().contains("grpc"));
        }
    }
}

#[test]
fn cox_factor_flag_makes_numbers_levels_in_numeric_order() {
    let p = temp_csv(
        "factor.csv",
        "t,e,dose\n1,1,10\n2,0,2\n3,1,10\n4,1,2\n5,0,5\n6,1,5\n7,0,10\n8,1,2\n",
    );
    let p = p.to_str().unwrap();
    let js = json_of(&[
        "cox",
        "--data",
        p,
        "--time",
        "t",
        "--event",
        "e",
        "--covariates",
        "dose",
        "--factor",
        "dose",
        "--json",
    ]);
    let names: Vec<&str> = js["terms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["dose5", "dose10"]);
    fails_with(
        &[
            "cox",
            "--data",
            p,
            "--time",
            "t",
            "--event",
            "e",
            "--covariates",
            "dose",
            "--factor",
            "age",
        ],
        &["--factor `age` is not one of the --covariates"],
    );
}

#[test]
fn degenerate_inputs_that_analyse_nobody_are_errors() {
    // log-rank without events (R: "Chisq = 0 on -1 degrees of freedom, p = NA")
    let p = temp_csv("no_events.csv", "t,e,g\n1,0,a\n2,0,b\n3,0,a\n");
    fails_with(
        &[
            "logrank",
            "--data",
            p.to_str().unwrap(),
            "--time",
            "t",
            "--event",
            "e",
            "--group",
            "g",
        ],
        &["no_events.csv", "column `e`", "no events among the 3 rows"],
    );
    // Kaplan-Meier with every weight 0 (R prints an empty table)
    let p = temp_csv("zero_weights.csv", "t,e,w\n1,1,0\n2,0,0\n");
    fails_with(
        &[
            "km",
            "--data",
            p.to_str().unwrap(),
            "--time",
            "t",
            "--event",
            "e",
            "--weights",
            "w",
        ],
        &["zero_weights.csv", "column `w`", "every weight", "is 0"],
    );
    // a time that is not a number names its cell
    let p = temp_csv("text_time.csv", "t,e,x\n1,1,1\nabc,0,2\n3,1,1\n");
    fails_with(
        &[
            "cox",
            "--data",
            p.to_str().unwrap(),
            "--time",
            "t",
            "--event",
            "e",
            "--covariates",
            "x",
        ],
        &[
            "text_time.csv",
            "row 2",
            "column `t`",
            "`abc` is not a number",
        ],
    );
}
