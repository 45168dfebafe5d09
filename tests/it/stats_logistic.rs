//! `stats::logistic::logistic_regression` against R `glm(family = binomial)` (fixtures written by
//! `tests/reference/logistic.R`), plus separation and bad input.

use dicohort::stats::logistic::{logistic_regression, LogisticOptions};
use dicohort::stats::StatsError;

use crate::common::{assert_all_close, assert_close, fixture, nums};

fn check(name: &str) {
    let fx = fixture(name);
    let d = &fx["data"];
    let y = nums(&d["y"]);
    let x: Vec<Vec<f64>> = d["x"].as_array().unwrap().iter().map(nums).collect();
    let weights = d.get("weights").map(nums);
    let names = d["names"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect();
    let opts = LogisticOptions {
        names: Some(names),
        ..LogisticOptions::default()
    };
    let fit = logistic_regression(&y, &x, weights.as_deref(), &opts)
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    let e = &fx["expected"];
    assert_all_close(&format!("{name} coef"), &fit.coef, &nums(&e["coef"]));
    assert_all_close(&format!("{name} se"), &fit.se, &nums(&e["se"]));
    assert_all_close(&format!("{name} z"), &fit.z, &nums(&e["z"]));
    assert_all_close(&format!("{name} p"), &fit.p, &nums(&e["p"]));
    assert_all_close(&format!("{name} fitted"), &fit.fitted, &nums(&e["fitted"]));
    assert_all_close(
        &format!("{name} linear predictor"),
        &fit.linear_predictor,
        &nums(&e["linear_predictor"]),
    );
    for (label, got) in [
        ("deviance", fit.deviance),
        ("null_deviance", fit.null_deviance),
        ("aic", fit.aic),
    ] {
        assert_close(&format!("{name} {label}"), got, e[label].as_f64().unwrap());
    }
    assert_eq!(fit.df_residual as u64, e["df_residual"].as_u64().unwrap());
    assert_eq!(fit.df_null as u64, e["df_null"].as_u64().unwrap());
    assert_eq!(
        fit.iterations as u64,
        e["iter"].as_u64().unwrap(),
        "{name} iterations"
    );
    assert_eq!(fit.names[0], "(Intercept)");
}

#[test]
fn lung() {
    check("logistic_lung");
}

#[test]
fn mtcars() {
    check("logistic_mtcars");
}

#[test]
fn infert_weighted() {
    check("logistic_infert_weighted");
}

#[test]
fn constant_covariate_is_na() {
    check("logistic_constant");
}

#[test]
fn perfect_separation_is_a_clear_error() {
    let y = [0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0];
    let x = vec![vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]];
    let err = logistic_regression(&y, &x, None, &LogisticOptions::default()).unwrap_err();
    assert!(matches!(err, StatsError::Separation(_)), "{err}");
}

#[test]
fn outcome_outside_unit_interval_names_the_row() {
    let y = [0.0, 1.0, 2.0];
    let x = vec![vec![1.0, 2.0, 3.0]];
    let err = logistic_regression(&y, &x, None, &LogisticOptions::default()).unwrap_err();
    assert!(err.to_string().contains("row 3"), "{err}");
}
