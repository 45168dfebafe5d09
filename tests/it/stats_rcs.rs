//! Restricted cubic splines (`stats::rcs`) against R `rms::rcs`, and the exposure x rcs(modifier)
//! Cox model (`stats::modifier`) against `coxph(Surv(t, d) ~ x * rcs(m, k), robust = TRUE,
//! weights = w)`: fixtures from tests/reference/stats_rcs.R.

use dicohort::stats::cox::{CoxOptions, Ties};
use dicohort::stats::modifier::{modifier_cox, ModifierData};
use dicohort::stats::rcs::RcsBasis;
use serde_json::Value;

use crate::common::{assert_all_close, assert_close, fixture, nums, strs};

/// Largest relative difference (floor 1e-8 as `close_rel`), printed for the closing note.
fn max_rel(got: &[f64], want: &[f64]) -> f64 {
    got.iter()
        .zip(want)
        .map(|(a, b)| (a - b).abs() / b.abs().max(1e-8))
        .fold(0.0, f64::max)
}

#[test]
fn rcs_knots_and_basis_match_rms() {
    let f = fixture("rcs_basis");
    let mut worst = 0.0f64;
    for case in f["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let x = nums(&case["x"]);
        let basis = match case["given_knots"] {
            Value::Null => RcsBasis::from_data(&x, case["nk"].as_u64().unwrap() as usize).unwrap(),
            ref k => RcsBasis::from_knots(&nums(k)).unwrap(),
        };
        let want_knots = nums(&case["knots"]);
        assert_all_close(&format!("{name} knots"), basis.knots(), &want_knots);
        worst = worst.max(max_rel(basis.knots(), &want_knots));
        let cols = basis.columns(&x);
        let want = case["basis"].as_array().unwrap();
        assert_eq!(cols.len(), want.len(), "{name}: columns");
        for (j, (c, w)) in cols.iter().zip(want).enumerate() {
            let w = nums(w);
            assert_all_close(&format!("{name} column {j}"), c, &w);
            worst = worst.max(max_rel(c, &w));
        }
        if name == "few_unique_k5" {
            assert_eq!(basis.warnings.len(), 1, "R warns for few unique values");
        }
    }
    eprintln!("rcs basis: max relative difference to rms::rcs {worst:e}");
}

#[test]
fn rcs_rejects_too_few_knots() {
    assert!(RcsBasis::from_knots(&[1.0, 1.0, 2.0]).is_err());
    assert!(RcsBasis::from_knots(&[1.0, f64::NAN, 2.0, 3.0]).is_err());
    assert!(RcsBasis::from_data(&[1.0, 2.0, 3.0], 4).is_err());
    assert!(RcsBasis::from_data(&[1.0; 50], 4).is_err());
}

fn run_case(case: &str) -> f64 {
    let f = fixture(&format!("rcs_cox_{case}"));
    let d = &f["data"];
    let time = nums(&d["time"]);
    let event: Vec<bool> = nums(&d["status"]).iter().map(|&s| s == 1.0).collect();
    let x = nums(&d["x"]);
    let m = nums(&d["m"]);
    let w = nums(&d["w"]);
    let z: Vec<Vec<f64>> = d["z"]
        .as_array()
        .map(|a| a.iter().map(nums).collect())
        .unwrap_or_default();
    let z_names = strs(&f["covariates"]);
    let nk = f["nk"].as_u64().unwrap() as usize;
    let basis = RcsBasis::from_data(&m, nk).unwrap();
    assert_all_close(&format!("{case} knots"), basis.knots(), &nums(&f["knots"]));
    let opts = CoxOptions {
        ties: f["ties"].as_str().unwrap().parse::<Ties>().unwrap(),
        robust: true,
        ..CoxOptions::default()
    };
    let at = nums(&f["at"]);
    let fit = modifier_cox(
        &ModifierData {
            start: None,
            stop: &time,
            event: &event,
            exposure: &x,
            modifier: &m,
            covariates: &z,
            covariate_names: &z_names,
            strata: None,
            weights: if w.is_empty() { None } else { Some(&w) },
            cluster: None,
        },
        &basis,
        &at,
        &opts,
        0.95,
    )
    .unwrap();
    let mut worst = 0.0f64;
    let mut check = |what: &str, got: &[f64], want: &[f64]| {
        assert_all_close(&format!("{case} {what}"), got, want);
        worst = worst.max(max_rel(got, want));
    };
    check("coef", &fit.cox.coef, &nums(&f["coef"]));
    check("se", &fit.cox.se, &nums(&f["se"]));
    check(
        "robust se",
        fit.cox.robust_se.as_ref().unwrap(),
        &nums(&f["robust_se"]),
    );
    check("var", &fit.cox.var, &nums(&f["var"]));
    let col = |g: fn(&dicohort::stats::modifier::HrAt) -> f64| -> Vec<f64> {
        fit.curve.iter().map(g).collect()
    };
    check("log hr", &col(|h| h.log_hr), &nums(&f["log_hr"]));
    check("se log hr", &col(|h| h.se), &nums(&f["se_log_hr"]));
    check("hr", &col(|h| h.hr), &nums(&f["hr"]));
    check("lower", &col(|h| h.lower), &nums(&f["lower"]));
    check("upper", &col(|h| h.upper), &nums(&f["upper"]));
    for (key, t) in [
        ("effect_modification", fit.effect_modification),
        ("nonlinear_modification", fit.nonlinear_modification),
        ("exposure_overall", fit.exposure_overall),
    ] {
        let want = &f[key];
        assert_eq!(t.df as u64, want["df"].as_u64().unwrap(), "{case} {key} df");
        assert_close(
            &format!("{case} {key}"),
            t.statistic,
            nums(&want["statistic"])[0],
        );
        assert_close(&format!("{case} {key} p"), t.p, nums(&want["p"])[0]);
        worst = worst.max(max_rel(
            &[t.statistic, t.p],
            &[nums(&want["statistic"])[0], nums(&want["p"])[0]],
        ));
    }
    eprintln!("{case}: max relative difference to coxph {worst:e}");
    worst
}

#[test]
fn spline_interaction_cox_matches_coxph_weighted_robust_with_covariate() {
    run_case("sim_sofa_k4");
}

#[test]
fn spline_interaction_cox_matches_coxph_five_knots() {
    run_case("sim_sofa_k5");
}

#[test]
fn spline_interaction_cox_matches_coxph_breslow() {
    run_case("sim_sofa_k4_breslow");
}

#[test]
fn spline_interaction_cox_matches_coxph_unweighted_lung() {
    run_case("lung_age_k4");
}

#[test]
fn spline_interaction_rejects_non_binary_exposure() {
    let t = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0];
    let e = [true; 7];
    let x = [0.0, 1.0, 2.0, 0.0, 1.0, 0.0, 1.0];
    let m = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0];
    let basis = RcsBasis::from_knots(&[2.0, 4.0, 6.0]).unwrap();
    let err = modifier_cox(
        &ModifierData {
            start: None,
            stop: &t,
            event: &e,
            exposure: &x,
            modifier: &m,
            covariates: &[],
            covariate_names: &[],
            strata: None,
            weights: None,
            cluster: None,
        },
        &basis,
        &[3.0],
        &CoxOptions::default(),
        0.95,
    )
    .unwrap_err();
    assert!(err.to_string().contains("row 3"), "{err}");
}

/// One simulated cohort: uniform modifier on [0, 20], exposure 1:1, exponential event times with
/// log hazard `0.08 m + x * true_log_hr(m)`, uniform censoring.
fn simulate_modified(seed: u64, n: usize, true_log_hr: &dyn Fn(f64) -> f64) -> [Vec<f64>; 4] {
    let mut rng = dicohort::simulate::rng::Rng::new(seed);
    let (mut t, mut d, mut x, mut m) = (vec![], vec![], vec![], vec![]);
    for _ in 0..n {
        let mi = 20.0 * rng.uniform();
        let xi = f64::from(u8::from(rng.bernoulli(0.5)));
        let rate = 0.05 * (0.08 * (mi - 10.0) + xi * true_log_hr(mi)).exp();
        let ti = -(1.0 - rng.uniform()).ln() / rate;
        let ci = 5.0 + 40.0 * rng.uniform();
        t.push(ti.min(ci));
        d.push(f64::from(u8::from(ti <= ci)));
        x.push(xi);
        m.push(mi);
    }
    [t, d, x, m]
}

/// Coverage of the pointwise 95% robust CIs of HR(m) and the size of the effect-modification
/// test, over 300 seeds (n = 400): under a smooth non-linear modification inside the spline space
/// (fixed knots, so the truth is exactly representable) and under none.
#[test]
fn spline_hr_curve_covers_planted_truth_and_test_keeps_its_size() {
    let basis = RcsBasis::from_knots(&[2.0, 7.0, 13.0, 18.0]).unwrap();
    let curved = |m: f64| {
        let s = basis.row(m);
        -0.2 - 0.04 * s[0] + 0.5 * s[1] - 1.2 * s[2]
    };
    let flat = |_m: f64| -0.3;
    let at = [3.0, 8.0, 12.0, 17.0];
    let reps = 300;
    for (label, truth) in [
        ("curved", &curved as &dyn Fn(f64) -> f64),
        ("flat", &flat as &dyn Fn(f64) -> f64),
    ] {
        let mut covered = [0usize; 4];
        let mut rejected = 0usize;
        for seed in 0..reps {
            let [t, d, x, m] = simulate_modified(1000 + seed as u64, 400, truth);
            let event: Vec<bool> = d.iter().map(|&v| v == 1.0).collect();
            let fit = modifier_cox(
                &ModifierData {
                    start: None,
                    stop: &t,
                    event: &event,
                    exposure: &x,
                    modifier: &m,
                    covariates: &[],
                    covariate_names: &[],
                    strata: None,
                    weights: None,
                    cluster: None,
                },
                &basis,
                &at,
                &CoxOptions {
                    robust: true,
                    ..CoxOptions::default()
                },
                0.95,
            )
            .unwrap();
            for (k, h) in fit.curve.iter().enumerate() {
                let true_hr = truth(at[k]).exp();
                covered[k] += usize::from(h.lower <= true_hr && true_hr <= h.upper);
            }
            rejected += usize::from(fit.effect_modification.p < 0.05);
        }
        let cov: Vec<f64> = covered.iter().map(|&c| c as f64 / reps as f64).collect();
        let size = rejected as f64 / reps as f64;
        eprintln!("{label}: coverage at m = {at:?}: {cov:?}; effect-modification rejection {size}");
        for (k, c) in cov.iter().enumerate() {
            // binomial sd at 0.95 over 300 seeds is 0.0126: 0.90 is four below
            assert!(
                (0.90..=0.99).contains(c),
                "{label}: coverage {c} at m = {}",
                at[k]
            );
        }
        if label == "flat" {
            assert!((0.01..=0.10).contains(&size), "size of the test {size}");
        } else {
            assert!(size > 0.5, "power against the planted curve {size}");
        }
    }
}
