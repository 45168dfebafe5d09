//! `dicohort km | logrank | rr --json` on CSV files written from the R fixtures: the contract's
//! keys are present and the numbers agree with R (1e-6 relative).

use std::path::PathBuf;
use std::process::Command;

use crate::common::{fixture, num, nums, strs};
use serde_json::Value;

/// NaN/null on one side must be NaN/null on the other; JSON writes Inf as null.
fn same(what: &str, ours: f64, r: f64) {
    let ok = if r.is_nan() || r.is_infinite() {
        ours.is_nan()
    } else {
        (ours - r).abs() <= 1e-6 * ours.abs().max(r.abs()) + 1e-12
    };
    assert!(ok, "{what}: ours {ours} vs R {r}");
}

fn same_all(what: &str, ours: &[f64], r: &[f64]) {
    assert_eq!(ours.len(), r.len(), "{what} length");
    for (i, (a, b)) in ours.iter().zip(r).enumerate() {
        same(&format!("{what}[{i}]"), *a, *b);
    }
}

fn temp_csv(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("dicohort-cli-survival-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

fn run(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_dicohort"))
        .args(args)
        .output()
        .expect("runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn case<'a>(fx: &'a Value, name: &str) -> &'a Value {
    fx["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .expect("case")
}

#[test]
fn km_json_matches_r() {
    let fx = fixture("survival_km.json");
    let c = case(&fx, "lung_by_sex");
    let (time, event, group) = (nums(&c["time"]), nums(&c["event"]), strs(&c["group"]));
    let mut csv = String::from("futime,dead,sex\n");
    for i in 0..time.len() {
        // R's 1/2 coding for the event, as in the lung data set
        csv.push_str(&format!("{},{},{}\n", time[i], event[i] + 1.0, group[i]));
    }
    csv.push_str(",2,1\n"); // a row with a missing time is omitted
    let path = temp_csv("lung.csv", &csv);
    let p = path.to_str().unwrap();
    for ct in ["log", "log-log", "plain"] {
        let (ok, out, err) = run(&[
            "km",
            "--data",
            p,
            "--time",
            "futime",
            "--event",
            "dead",
            "--group",
            "sex",
            "--conf-type",
            ct,
            "--rmst-tau",
            "500",
            "--json",
        ]);
        assert!(ok, "{err}");
        let js: Value = serde_json::from_str(&out).expect("json");
        assert_eq!(js["n_omitted"], 1);
        let groups = js["groups"].as_array().unwrap();
        let r = c["fits"][ct].as_array().unwrap();
        assert_eq!(groups.len(), r.len());
        for (g, rg) in groups.iter().zip(r) {
            assert_eq!(g["group"], rg["group"]);
            for key in [
                "time", "n_risk", "n_event", "n_censor", "surv", "std_err", "lower", "upper",
            ] {
                same_all(&format!("{ct} {key}"), &nums(&g[key]), &nums(&rg[key]));
            }
            for key in ["median", "median_lower", "median_upper", "rmst"] {
                same(&format!("{ct} {key}"), num(&g[key]), num(&rg[key]));
            }
            same("rmst_se", num(&g["rmst_se"]), num(&rg["rmst_se"]));
        }
    }
    // Without --group: one group named `all`; the table form prints.
    let (ok, out, _) = run(&[
        "km", "--data", p, "--time", "futime", "--event", "dead", "--json",
    ]);
    assert!(ok);
    let js: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(js["groups"][0]["group"], "all");
    let (ok, out, _) = run(&[
        "km", "--data", p, "--time", "futime", "--event", "dead", "--group", "sex",
    ]);
    assert!(ok);
    assert!(out.contains("group = 1") && out.contains("n.risk"), "{out}");
}

#[test]
fn logrank_json_matches_r() {
    let fx = fixture("survival_logrank.json");
    let c = case(&fx, "tied_3groups_strata_rho1");
    let (time, event) = (nums(&c["time"]), nums(&c["event"]));
    let (group, strata) = (strs(&c["group"]), strs(&c["strata"]));
    let mut csv = String::from("t,e,arm,site\n");
    for i in 0..time.len() {
        let e = if event[i] == 1.0 { "true" } else { "false" };
        csv.push_str(&format!("{},{e},{},{}\n", time[i], group[i], strata[i]));
    }
    let path = temp_csv("tied.csv", &csv);
    let p = path.to_str().unwrap();
    let (ok, out, err) = run(&[
        "logrank", "--data", p, "--time", "t", "--event", "e", "--group", "arm", "--strata",
        "site", "--rho", "1", "--json",
    ]);
    assert!(ok, "{err}");
    let js: Value = serde_json::from_str(&out).unwrap();
    same("chisq", num(&js["chisq"]), num(&c["chisq"]));
    same("p", num(&js["p"]), num(&c["p"]));
    assert_eq!(num(&js["df"]), num(&c["df"]));
    same_all("observed", &nums(&js["observed"]), &nums(&c["observed"]));
    same_all("expected", &nums(&js["expected"]), &nums(&c["expected"]));
    let (ok, out, _) = run(&[
        "logrank", "--data", p, "--time", "t", "--event", "e", "--group", "arm",
    ]);
    assert!(ok);
    assert!(out.contains("Chisq"), "{out}");
}

#[test]
fn rr_json_matches_r() {
    let fx = fixture("twobytwo.json");
    let s = fx["strata"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "three_strata")
        .unwrap();
    let (a, b, c, d) = (nums(&s["a"]), nums(&s["b"]), nums(&s["c"]), nums(&s["d"]));
    let mut csv = String::from("treated,died,hospital\n");
    let (mut ta, mut tb, mut tc, mut td) = (0.0, 0.0, 0.0, 0.0);
    for k in 0..a.len() {
        for (n, e, o) in [(a[k], 1, 1), (b[k], 1, 0), (c[k], 0, 1), (d[k], 0, 0)] {
            for _ in 0..n as usize {
                csv.push_str(&format!("{e},{o},H{k}\n"));
            }
        }
        ta += a[k];
        tb += b[k];
        tc += c[k];
        td += d[k];
    }
    let path = temp_csv("rr.csv", &csv);
    let p = path.to_str().unwrap();
    let (ok, out, err) = run(&[
        "rr",
        "--data",
        p,
        "--exposure",
        "treated",
        "--outcome",
        "died",
        "--strata",
        "hospital",
        "--json",
    ]);
    assert!(ok, "{err}");
    let js: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(nums(&js["table"]["a"])[0], ta);
    assert_eq!(nums(&js["table"]["b"])[0], tb);
    assert_eq!(nums(&js["table"]["c"])[0], tc);
    assert_eq!(nums(&js["table"]["d"])[0], td);
    for key in ["risk_ratio", "risk_difference", "odds_ratio"] {
        for part in ["estimate", "lower", "upper"] {
            assert!(js[key][part].is_number(), "{key}.{part}");
        }
    }
    let mh = &js["mantel_haenszel"];
    for (ours, r) in [
        ("risk_ratio", "rr"),
        ("odds_ratio", "or"),
        ("risk_difference", "rd"),
    ] {
        for part in ["estimate", "lower", "upper"] {
            same(
                &format!("MH {ours} {part}"),
                num(&mh[ours][part]),
                num(&s[r][part]),
            );
        }
    }
    same(
        "tarone",
        num(&js["homogeneity"]["chisq"]),
        num(&s["tarone"]["chisq"]),
    );
    same(
        "tarone p",
        num(&js["homogeneity"]["p"]),
        num(&s["tarone"]["p"]),
    );
    assert_eq!(js["strata"].as_array().unwrap().len(), 3);
}

#[test]
fn bad_cells_name_file_row_and_column() {
    let path = temp_csv("bad.csv", "t,e,g\n1,1,a\n2,maybe,b\n");
    let p = path.to_str().unwrap();
    let (ok, _, err) = run(&["km", "--data", p, "--time", "t", "--event", "e"]);
    assert!(!ok);
    assert!(
        err.contains("bad.csv") && err.contains("row 2") && err.contains("`e`"),
        "{err}"
    );
    let path = temp_csv("neg.csv", "t,e,g\n1,1,a\n-2,0,b\n");
    let (ok, _, err) = run(&[
        "logrank",
        "--data",
        path.to_str().unwrap(),
        "--time",
        "t",
        "--event",
        "e",
        "--group",
        "g",
    ]);
    assert!(!ok);
    assert!(err.contains("row 2") && err.contains("`t`"), "{err}");
    let path = temp_csv("rr_bad.csv", "x,y\n1,1\n0,3\n");
    let (ok, _, err) = run(&[
        "rr",
        "--data",
        path.to_str().unwrap(),
        "--exposure",
        "x",
        "--outcome",
        "y",
    ]);
    assert!(!ok);
    assert!(err.contains("row 2") && err.contains("`y`"), "{err}");
}

#[test]
fn km_weights_and_omitted_levels() {
    // weighted (IPTW-like) curves by group, as R survfit(weights = w): robust std.err
    let fx = fixture("survival_km.json");
    let c = case(&fx, "lung_frac_weights_by_sex");
    let (time, event, group, w) = (
        nums(&c["time"]),
        nums(&c["event"]),
        strs(&c["group"]),
        nums(&c["weights"]),
    );
    let mut csv = String::from("t,e,g,w\n");
    for i in 0..time.len() {
        csv.push_str(&format!("{},{},{},{}\n", time[i], event[i], group[i], w[i]));
    }
    csv.push_str("5,1,9,\n"); // group 9 appears only on a row omitted for its missing weight
    let path = temp_csv("lung_w.csv", &csv);
    let (ok, out, err) = run(&[
        "km",
        "--data",
        path.to_str().unwrap(),
        "--time",
        "t",
        "--event",
        "e",
        "--group",
        "g",
        "--weights",
        "w",
        "--json",
    ]);
    assert!(ok, "{err}");
    let js: Value = serde_json::from_str(&out).unwrap();
    let groups = js["groups"].as_array().unwrap();
    let r = c["fits"]["log"].as_array().unwrap();
    assert_eq!(groups.len(), 2, "the omitted-only level is dropped");
    for (g, rg) in groups.iter().zip(r) {
        assert_eq!(g["variance"], "infinitesimal-jackknife");
        for key in ["n_risk", "surv", "std_err", "lower", "upper"] {
            same_all(&format!("weighted {key}"), &nums(&g[key]), &nums(&rg[key]));
        }
    }
}

#[test]
fn km_and_logrank_read_parquet_with_numeric_groups_and_boolean_events() {
    use polars::prelude::{Column, DataFrame, ParquetWriter};
    let fx = fixture("survival_logrank.json");
    let c = case(&fx, "lung_sex");
    let (time, event) = (nums(&c["time"]), nums(&c["event"]));
    let sex: Vec<f64> = strs(&c["group"])
        .iter()
        .map(|s| s.parse().unwrap())
        .collect();
    let ev: Vec<bool> = event.iter().map(|&e| e == 1.0).collect();
    let n = time.len();
    let mut df = DataFrame::new(
        n,
        vec![
            Column::new("t".into(), time),
            Column::new("dead".into(), ev),
            Column::new("sex".into(), sex),
        ],
    )
    .unwrap();
    let dir = std::env::temp_dir().join(format!("dicohort-cli-survival-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("lung.parquet");
    ParquetWriter::new(std::fs::File::create(&path).unwrap())
        .finish(&mut df)
        .unwrap();
    let p = path.to_str().unwrap();
    let (ok, out, err) = run(&[
        "logrank", "--data", p, "--time", "t", "--event", "dead", "--group", "sex", "--json",
    ]);
    assert!(ok, "{err}");
    let js: Value = serde_json::from_str(&out).unwrap();
    same("chisq", num(&js["chisq"]), num(&c["chisq"]));
    same_all("observed", &nums(&js["observed"]), &nums(&c["observed"]));
    same_all("expected", &nums(&js["expected"]), &nums(&c["expected"]));
    let fk = fixture("survival_km.json");
    let ck = case(&fk, "lung_by_sex");
    let (ok, out, err) = run(&[
        "km", "--data", p, "--time", "t", "--event", "dead", "--group", "sex", "--json",
    ]);
    assert!(ok, "{err}");
    let js: Value = serde_json::from_str(&out).unwrap();
    for (g, rg) in js["groups"]
        .as_array()
        .unwrap()
        .iter()
        .zip(ck["fits"]["log"].as_array().unwrap())
    {
        for key in ["time", "n_risk", "surv", "std_err", "lower", "upper"] {
            same_all(&format!("parquet {key}"), &nums(&g[key]), &nums(&rg[key]));
        }
    }
}
