//! `stats::cox::coxph` against R `survival::coxph` (fixtures written by
//! `tests/reference/survival_cox.R`), plus the tricky cases.

use dicohort::stats::cox::{coxph, CoxData, CoxOptions, Ties};
use dicohort::stats::StatsError;
use serde_json::Value;

use crate::common::{assert_all_close, assert_close, fixture, nums};

/// Fit the fixture's data as R did and compare every number R reports.
fn check(name: &str) {
    let fx = fixture(name);
    let d = &fx["data"];
    let ties: Ties = fx["ties"].as_str().unwrap().parse().unwrap();
    let time = nums(&d["time"]);
    let event: Vec<bool> = nums(&d["event"]).iter().map(|e| *e == 1.0).collect();
    let x: Vec<Vec<f64>> = d["x"].as_array().unwrap().iter().map(nums).collect();
    let names: Vec<String> = d["names"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect();
    let start = d.get("start").map(nums);
    let to_u32 = |v: &Value| -> Vec<u32> { nums(v).iter().map(|x| *x as u32).collect() };
    let strata = d.get("strata").map(to_u32);
    let cluster = d.get("cluster").map(to_u32);
    let weights = d.get("weights").map(nums);
    let data = CoxData {
        start: start.as_deref(),
        stop: &time,
        event: &event,
        x: &x,
        strata: strata.as_deref(),
        weights: weights.as_deref(),
        cluster: cluster.as_deref(),
    };
    let robust = fx["robust"].as_bool().unwrap();
    let opts = CoxOptions {
        ties,
        robust,
        names: Some(names),
        ..CoxOptions::default()
    };
    let fit = coxph(&data, &opts).unwrap_or_else(|e| panic!("{name}: {e}"));
    let e = &fx["expected"];
    let want_coef = nums(&e["coef"]);
    assert_all_close(&format!("{name} coef"), &fit.coef, &want_coef);
    // R reports se 0 for an aliased coefficient (NA coef); we report NaN
    let want_se: Vec<f64> = nums(&e["se"])
        .iter()
        .zip(&want_coef)
        .map(|(s, c)| if c.is_nan() { f64::NAN } else { *s })
        .collect();
    assert_all_close(&format!("{name} se"), &fit.se, &want_se);
    if robust {
        let want: Vec<f64> = nums(&e["robust_se"])
            .iter()
            .zip(&want_coef)
            .map(|(s, c)| if c.is_nan() { f64::NAN } else { *s })
            .collect();
        assert_all_close(
            &format!("{name} robust se"),
            fit.robust_se.as_ref().unwrap(),
            &want,
        );
        let rs = fit.robust_score_test.unwrap();
        assert_close(
            &format!("{name} robust score"),
            rs.statistic,
            e["rscore"].as_f64().unwrap(),
        );
    } else {
        assert!(fit.robust_se.is_none());
    }
    assert_all_close(&format!("{name} loglik"), &fit.loglik, &nums(&e["loglik"]));
    let df = e["df"].as_u64().unwrap() as usize;
    for (label, t, key, pkey) in [
        ("score", fit.score_test, "score", "p_score"),
        ("wald", fit.wald_test, "wald", "p_wald"),
        ("lr", fit.lr_test, "lr", "p_lr"),
    ] {
        assert_close(
            &format!("{name} {label}"),
            t.statistic,
            e[key].as_f64().unwrap(),
        );
        assert_close(&format!("{name} {label} p"), t.p, e[pkey].as_f64().unwrap());
        assert_eq!(t.df, df, "{name} {label} df");
    }
    let terms = fit.terms(0.95);
    let p: Vec<f64> = terms.iter().map(|t| t.p).collect();
    let lower: Vec<f64> = terms.iter().map(|t| t.lower).collect();
    let upper: Vec<f64> = terms.iter().map(|t| t.upper).collect();
    assert_all_close(&format!("{name} term p"), &p, &nums(&e["p_wald_terms"]));
    assert_all_close(&format!("{name} lower"), &lower, &nums(&e["lower"]));
    assert_all_close(&format!("{name} upper"), &upper, &nums(&e["upper"]));
    assert_eq!(fit.n, e["n"].as_u64().unwrap() as usize, "{name} n");
    assert_eq!(
        fit.n_event,
        e["nevent"].as_u64().unwrap() as usize,
        "{name} nevent"
    );
    assert_eq!(
        fit.iterations,
        e["iter"].as_u64().unwrap() as usize,
        "{name} iterations"
    );
}

macro_rules! r_parity {
    ($($test:ident => $fixture:expr),* $(,)?) => {
        $(#[test] fn $test() { check($fixture); })*
    };
}

r_parity! {
    lung_efron => "cox_lung_efron",
    lung_breslow => "cox_lung_breslow",
    veteran_stratified_efron => "cox_veteran_efron",
    veteran_stratified_breslow => "cox_veteran_breslow",
    aml_efron => "cox_aml_efron",
    aml_breslow => "cox_aml_breslow",
    heart_counting_process_cluster_efron => "cox_heart_efron",
    heart_counting_process_cluster_breslow => "cox_heart_breslow",
    heart_counting_process_strata_weights_efron => "cox_heart_strata_weighted_efron",
    heart_counting_process_strata_weights_breslow => "cox_heart_strata_weighted_breslow",
    lung_tied_weighted_stratified_clustered_efron => "cox_lung_weighted_efron",
    lung_tied_weighted_stratified_clustered_breslow => "cox_lung_weighted_breslow",
    lung_noninteger_weights_robust_efron => "cox_lung_weighted_robust_efron",
    lung_noninteger_weights_robust_breslow => "cox_lung_weighted_robust_breslow",
    covariate_constant_within_strata_efron => "cox_strata_aliased_efron",
    covariate_constant_within_strata_breslow => "cox_strata_aliased_breslow",
    time_zero_and_event_censor_ties_efron => "cox_time_zero_efron",
    time_zero_and_event_censor_ties_breslow => "cox_time_zero_breslow",
    whole_days_efron => "cox_days_efron",
    whole_days_breslow => "cox_days_breslow",
    whole_days_strata_weighted_efron => "cox_days_strata_weighted_efron",
    whole_days_strata_weighted_breslow => "cox_days_strata_weighted_breslow",
    constant_covariate_efron => "cox_constant_efron",
    constant_covariate_breslow => "cox_constant_breslow",
}

fn simple<'a>(time: &'a [f64], event: &'a [bool], x: &'a [Vec<f64>]) -> CoxData<'a> {
    CoxData {
        start: None,
        stop: time,
        event,
        x,
        strata: None,
        weights: None,
        cluster: None,
    }
}

#[test]
fn all_censored_is_a_clear_error() {
    let time = [1.0, 2.0, 3.0, 4.0];
    let event = [false; 4];
    let x = vec![vec![0.0, 1.0, 0.0, 1.0]];
    let err = coxph(&simple(&time, &event, &x), &CoxOptions::default()).unwrap_err();
    assert!(
        matches!(err, StatsError::InvalidInput(ref m) if m.contains("no events")),
        "{err}"
    );
}

/// One case of `cox_warnings.json` (tests/reference/survival_cox_warnings.R), fitted as R did.
fn warning_case(name: &str) -> (dicohort::stats::cox::CoxFit, Value) {
    let fx = fixture("cox_warnings");
    let case = fx
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no case {name}"))
        .clone();
    let d = &case["data"];
    let time = nums(&d["time"]);
    let event: Vec<bool> = nums(&d["event"]).iter().map(|e| *e == 1.0).collect();
    let x: Vec<Vec<f64>> = d["x"].as_array().unwrap().iter().map(nums).collect();
    let weights = d.get("weights").map(nums);
    let strata: Option<Vec<u32>> = d
        .get("strata")
        .map(|v| nums(v).iter().map(|s| *s as u32).collect());
    let data = CoxData {
        weights: weights.as_deref(),
        strata: strata.as_deref(),
        ..simple(&time, &event, &x)
    };
    let opts = CoxOptions {
        robust: case["robust"].as_bool().unwrap(),
        ..CoxOptions::default()
    };
    let fit = coxph(&data, &opts).unwrap_or_else(|e| panic!("{name}: R returns a fit: {e}"));
    (fit, case["expected"].clone())
}

/// R's numbers and its warning, word for word.
fn assert_as_r(name: &str, fit: &dicohort::stats::cox::CoxFit, want: &Value) {
    assert_all_close(&format!("{name} coef"), &fit.coef, &nums(&want["coef"]));
    assert_all_close(&format!("{name} se"), &fit.se, &nums(&want["se"]));
    assert_all_close(
        &format!("{name} loglik"),
        &fit.loglik,
        &nums(&want["loglik"]),
    );
    if let Some(r) = &fit.robust_se {
        assert_all_close(&format!("{name} robust se"), r, &nums(&want["robust_se"]));
    }
    assert_eq!(
        fit.iterations as f64,
        crate::common::num(&want["iter"]),
        "{name}"
    );
    let warnings: Vec<String> = want["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_str().unwrap().to_string())
        .collect();
    assert_eq!(fit.warnings, warnings, "{name}");
}

#[test]
fn cox_null_effect_is_not_separation() {
    // A weighted robust Cox (IPTW) and a PS-stratified Cox of a null effect: R warns "Loglik
    // converged before variable 1; coefficient may be infinite" after one iteration and returns
    // HR 1.0003 / 1.0001. The fit is returned, with R's warning, and nothing diverges.
    for name in ["weighted_robust_null", "strata_null"] {
        let (fit, want) = warning_case(name);
        assert_as_r(name, &fit, &want);
        assert_eq!(fit.may_be_infinite, vec![true], "{name}: R's flag");
        assert_eq!(fit.diverges, vec![false], "{name}: a finite maximum");
        assert!((fit.coef[0].exp() - 1.0).abs() < 1e-3, "{name}");
    }
}

#[test]
fn perfect_separation_diverges() {
    // Every event in the exposed group: R's warning, and the likelihood keeps rising.
    let (fit, want) = warning_case("separated");
    assert_as_r("separated", &fit, &want);
    assert_eq!(fit.may_be_infinite, vec![true]);
    assert_eq!(fit.diverges, vec![true]);
}

#[test]
fn non_convergence_is_a_clear_error() {
    let fx = fixture("cox_lung_efron");
    let d = &fx["data"];
    let time = nums(&d["time"]);
    let event: Vec<bool> = nums(&d["event"]).iter().map(|e| *e == 1.0).collect();
    let x: Vec<Vec<f64>> = d["x"].as_array().unwrap().iter().map(nums).collect();
    let opts = CoxOptions {
        max_iter: 1,
        ..CoxOptions::default()
    };
    let err = coxph(&simple(&time, &event, &x), &opts).unwrap_err();
    assert!(matches!(err, StatsError::NonConvergence { .. }), "{err}");
}

#[test]
fn bad_input_names_the_row() {
    let time = [1.0, 2.0, f64::NAN];
    let event = [true, false, true];
    let x = vec![vec![0.0, 1.0, 0.0]];
    let err = coxph(&simple(&time, &event, &x), &CoxOptions::default()).unwrap_err();
    assert!(err.to_string().contains("row 3"), "{err}");
    let start = [0.0, 2.0, 0.0];
    let time = [1.0, 2.0, 3.0];
    let data = CoxData {
        start: Some(&start),
        ..simple(&time, &event, &x)
    };
    let err = coxph(&data, &CoxOptions::default()).unwrap_err();
    assert!(err.to_string().contains("row 2"), "{err}");
}

#[test]
fn counting_process_split_equals_unsplit_fit() {
    // splitting each subject's follow-up at an arbitrary time (survSplit) leaves the fit unchanged
    let fx = fixture("cox_aml_efron");
    let d = &fx["data"];
    let time = nums(&d["time"]);
    let event: Vec<bool> = nums(&d["event"]).iter().map(|e| *e == 1.0).collect();
    let x: Vec<Vec<f64>> = d["x"].as_array().unwrap().iter().map(nums).collect();
    let whole = coxph(&simple(&time, &event, &x), &CoxOptions::default()).unwrap();
    let (mut st, mut sp, mut ev, mut xs) = (vec![], vec![], vec![], vec![]);
    for i in 0..time.len() {
        let cut = 10.0;
        if time[i] > cut {
            st.extend([0.0, cut]);
            sp.extend([cut, time[i]]);
            ev.extend([false, event[i]]);
            xs.extend([x[0][i], x[0][i]]);
        } else {
            st.push(0.0);
            sp.push(time[i]);
            ev.push(event[i]);
            xs.push(x[0][i]);
        }
    }
    let xs = vec![xs];
    let data = CoxData {
        start: Some(&st),
        ..simple(&sp, &ev, &xs)
    };
    let split = coxph(&data, &CoxOptions::default()).unwrap();
    assert_close("split coef", split.coef[0], whole.coef[0]);
    assert_close("split se", split.se[0], whole.se[0]);
    assert_close("split loglik", split.loglik[1], whole.loglik[1]);
}

#[test]
fn cli_json_matches_r() {
    // the lung fixture written as a CSV with R's 1/2 status coding, through `dicohort cox --json`
    let fx = fixture("cox_lung_weighted_efron");
    let d = &fx["data"];
    let cols = [
        "time", "event", "age", "ph.ecog", "wt.loss", "sex", "w", "inst",
    ];
    let time = nums(&d["time"]);
    let event = nums(&d["event"]);
    let x: Vec<Vec<f64>> = d["x"].as_array().unwrap().iter().map(nums).collect();
    let strata = nums(&d["strata"]);
    let w = nums(&d["weights"]);
    let cl = nums(&d["cluster"]);
    let mut csv = cols.join(",") + "\n";
    for i in 0..time.len() {
        csv += &format!(
            "{},{},{},{},{},{},{:.17},{}\n",
            time[i],
            event[i] + 1.0,
            x[0][i],
            x[1][i],
            x[2][i],
            strata[i],
            w[i],
            cl[i]
        );
    }
    // one row with a missing covariate: omitted, as R's na.omit
    csv += "5,2,60,,3,1,1,1\n";
    let dir = std::env::temp_dir().join(format!("dicohort_cox_cli_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("lung.csv");
    std::fs::write(&path, csv).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_dicohort"))
        .args(["cox", "--data"])
        .arg(&path)
        .args([
            "--time",
            "time",
            "--event",
            "event",
            "--covariates",
            "age,ph.ecog,wt.loss",
            "--strata",
            "sex",
            "--weights",
            "w",
            "--cluster",
            "inst",
            "--json",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let got: Value = serde_json::from_slice(&out.stdout).unwrap();
    let e = &fx["expected"];
    let terms = got["terms"].as_array().unwrap();
    assert_eq!(terms.len(), 3);
    for (j, t) in terms.iter().enumerate() {
        assert_eq!(t["name"], d["names"][j]);
        for (key, want) in [
            ("coef", &e["coef"]),
            ("se", &e["se"]),
            ("robust_se", &e["robust_se"]),
            ("lower", &e["lower"]),
            ("upper", &e["upper"]),
            ("p", &e["p_wald_terms"]),
        ] {
            assert_close(key, t[key].as_f64().unwrap(), want[j].as_f64().unwrap());
        }
        assert_close(
            "hr",
            t["hr"].as_f64().unwrap(),
            e["coef"][j].as_f64().unwrap().exp(),
        );
    }
    assert_all_close("loglik", &nums(&got["loglik"]), &nums(&e["loglik"]));
    assert_eq!(got["n"], e["n"]);
    assert_eq!(got["n_event"], e["nevent"]);
    assert_eq!(got["ties"], "efron");
    assert_eq!(got["n_omitted"], 1);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn cli_error_names_file_row_and_column() {
    let dir = std::env::temp_dir().join(format!("dicohort_cox_err_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("bad.csv");
    std::fs::write(&path, "time,event,z\n1,1,0.5\n2,3,0.1\n3,0,0.2\n").unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_dicohort"))
        .args(["cox", "--data"])
        .arg(&path)
        .args([
            "--time",
            "time",
            "--event",
            "event",
            "--covariates",
            "z",
            "--json",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("bad.csv") && err.contains("row 2") && err.contains("event"),
        "{err}"
    );
    std::fs::remove_dir_all(&dir).ok();
}
