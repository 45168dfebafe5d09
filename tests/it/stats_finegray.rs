//! Fine-Gray and cause-specific Cox (`stats::finegray`) against R `cmprsk::crr`,
//! `survival::finegray` + weighted `coxph`, and `coxph` with the competing event as censoring:
//! fixtures from tests/reference/stats_finegray.R.

use dicohort::stats::cox::{CoxOptions, Ties};
use dicohort::stats::finegray::{
    cause_specific_cox, crr, finegray_cox, finegray_expand, CrrOptions,
};
use serde_json::Value;

use crate::common::{assert_all_close, assert_close, fixture, nums};

fn max_rel(got: &[f64], want: &[f64]) -> f64 {
    got.iter()
        .zip(want)
        .map(|(a, b)| (a - b).abs() / b.abs().max(1e-8))
        .fold(0.0, f64::max)
}

struct Case {
    f: Value,
    time: Vec<f64>,
    status: Vec<u32>,
    x: Vec<Vec<f64>>,
    w: Option<Vec<f64>>,
}

fn load(name: &str) -> Case {
    let f = fixture(&format!("finegray_{name}"));
    let d = &f["data"];
    let w = nums(&d["w"]);
    Case {
        time: nums(&d["time"]),
        status: nums(&d["status"]).iter().map(|&s| s as u32).collect(),
        x: d["x"].as_array().unwrap().iter().map(nums).collect(),
        w: if w.is_empty() { None } else { Some(w) },
        f,
    }
}

fn check_crr(name: &str) -> f64 {
    let c = load(name);
    let fit = crr(&c.time, &c.status, 1, &c.x, &CrrOptions::default()).unwrap();
    let want = &c.f["crr"];
    assert_all_close(&format!("{name} crr coef"), &fit.coef, &nums(&want["coef"]));
    assert_all_close(&format!("{name} crr se"), &fit.se, &nums(&want["se"]));
    assert_all_close(&format!("{name} crr var"), &fit.var, &nums(&want["var"]));
    assert_close(
        &format!("{name} crr loglik"),
        fit.loglik,
        nums(&want["loglik"])[0],
    );
    assert_close(
        &format!("{name} crr loglik null"),
        fit.loglik_null,
        nums(&want["loglik_null"])[0],
    );
    let worst = max_rel(&fit.coef, &nums(&want["coef"]))
        .max(max_rel(&fit.se, &nums(&want["se"])))
        .max(max_rel(&fit.var, &nums(&want["var"])));
    eprintln!("{name}: crr max relative difference {worst:e}");
    worst
}

fn check_finegray(name: &str) -> f64 {
    let c = load(name);
    let fg_want = &c.f["finegray"];
    let mut worst = 0.0f64;
    for (key, ties, robust) in [
        ("efron", Ties::Efron, false),
        ("breslow", Ties::Breslow, false),
        ("efron_robust", Ties::Efron, true),
    ] {
        let opts = CoxOptions {
            ties,
            robust,
            ..CoxOptions::default()
        };
        let (fg, fit) = finegray_cox(&c.time, &c.status, 1, &c.x, c.w.as_deref(), &opts).unwrap();
        assert_eq!(
            fg.row.len() as f64,
            nums(&fg_want["n_rows"])[0],
            "{name} rows"
        );
        assert_close(
            &format!("{name} weight sum"),
            fg.weight.iter().sum(),
            nums(&fg_want["weight_sum"])[0],
        );
        let want = &fg_want[key];
        assert_all_close(
            &format!("{name} {key} coef"),
            &fit.coef,
            &nums(&want["coef"]),
        );
        assert_all_close(&format!("{name} {key} se"), &fit.se, &nums(&want["se"]));
        assert_all_close(
            &format!("{name} {key} loglik"),
            &fit.loglik,
            &nums(&want["loglik"]),
        );
        worst = worst
            .max(max_rel(&fit.coef, &nums(&want["coef"])))
            .max(max_rel(&fit.se, &nums(&want["se"])));
        if robust {
            let rse = fit.robust_se.as_ref().unwrap();
            assert_all_close(
                &format!("{name} {key} robust se"),
                rse,
                &nums(&want["robust_se"]),
            );
            worst = worst.max(max_rel(rse, &nums(&want["robust_se"])));
        }
    }
    for (key, ties) in [("efron", Ties::Efron), ("breslow", Ties::Breslow)] {
        let opts = CoxOptions {
            ties,
            ..CoxOptions::default()
        };
        let fit = cause_specific_cox(&c.time, &c.status, 1, &c.x, c.w.as_deref(), &opts).unwrap();
        let want = &c.f["cause_specific"][key];
        assert_all_close(
            &format!("{name} cause-specific {key} coef"),
            &fit.coef,
            &nums(&want["coef"]),
        );
        assert_all_close(
            &format!("{name} cause-specific {key} se"),
            &fit.se,
            &nums(&want["se"]),
        );
        worst = worst.max(max_rel(&fit.coef, &nums(&want["coef"])));
    }
    if let Some(e) = c.f.get("expansion") {
        let fg = finegray_expand(&c.time, &c.status, 1, c.w.as_deref()).unwrap();
        let rows: Vec<f64> = fg.row.iter().map(|&r| r as f64).collect();
        // R returns the rows in the same order (each row, then its added intervals)
        assert_eq!(rows, nums(&e["row"]), "{name} expansion rows");
        assert_all_close(&format!("{name} fgstart"), &fg.start, &nums(&e["start"]));
        assert_all_close(&format!("{name} fgstop"), &fg.stop, &nums(&e["stop"]));
        assert_all_close(&format!("{name} fgwt"), &fg.weight, &nums(&e["weight"]));
        let ev: Vec<f64> = fg.event.iter().map(|&b| f64::from(u8::from(b))).collect();
        assert_eq!(ev, nums(&e["event"]), "{name} fgstatus");
    }
    eprintln!("{name}: finegray + coxph, cause-specific max relative difference {worst:e}");
    worst
}

#[test]
fn crr_matches_cmprsk_continuous_times() {
    check_crr("continuous");
}

#[test]
fn crr_matches_cmprsk_tied_days_three_causes() {
    check_crr("days");
}

#[test]
fn crr_matches_cmprsk_mgus2() {
    check_crr("mgus2");
}

#[test]
fn finegray_coxph_matches_r_continuous_times() {
    check_finegray("continuous");
}

#[test]
fn finegray_coxph_matches_r_tied_days() {
    check_finegray("days");
}

#[test]
fn finegray_coxph_matches_r_weighted() {
    check_finegray("days_weighted");
}

#[test]
fn finegray_coxph_matches_r_mgus2() {
    check_finegray("mgus2");
}

#[test]
fn crr_equals_finegray_breslow_without_ties() {
    // without tied times the two Fine-Gray fits are the same estimator
    let c = load("continuous");
    let a = crr(&c.time, &c.status, 1, &c.x, &CrrOptions::default()).unwrap();
    let opts = CoxOptions {
        ties: Ties::Breslow,
        ..CoxOptions::default()
    };
    let (_, b) = finegray_cox(&c.time, &c.status, 1, &c.x, None, &opts).unwrap();
    assert_all_close("crr vs finegray", &a.coef, &b.coef);
}

#[test]
fn finegray_rejects_no_event_of_interest() {
    let err = crr(
        &[1.0, 2.0, 3.0],
        &[0, 2, 0],
        1,
        &[vec![0.0, 1.0, 0.0]],
        &CrrOptions::default(),
    )
    .unwrap_err();
    assert!(err.to_string().contains("no event of cause 1"), "{err}");
    assert!(finegray_expand(&[1.0, 2.0], &[1, 0], 1, Some(&[1.0, -1.0])).is_err());
}

/// A cohort from the Fine and Gray (1999) design: cause 1 with subdistribution
/// `F1(t | z) = 1 - (1 - p (1 - e^-t))^exp(z'b)`, p = 0.6, else cause 2 with an exponential time;
/// uniform censoring on [0, 4].
fn simulate_fine_gray(seed: u64, n: usize, b: [f64; 2]) -> (Vec<f64>, Vec<u32>, Vec<Vec<f64>>) {
    let mut rng = dicohort::simulate::rng::Rng::new(seed);
    let p: f64 = 0.6;
    let (mut t, mut s, mut x1, mut x2) = (vec![], vec![], vec![], vec![]);
    for _ in 0..n {
        let z1 = f64::from(u8::from(rng.bernoulli(0.5)));
        let z2 = rng.normal();
        let e = (b[0] * z1 + b[1] * z2).exp();
        let f1_inf = 1.0 - (1.0 - p).powf(e);
        let u = rng.uniform();
        let (ti, cause) = if u < f1_inf {
            (-(1.0 - (1.0 - (1.0 - u).powf(1.0 / e)) / p).ln(), 1)
        } else {
            (-(1.0 - rng.uniform()).ln() / (0.8 * (0.3 * z1).exp()), 2)
        };
        let c = 4.0 * rng.uniform();
        if ti <= c {
            t.push(ti);
            s.push(cause);
        } else {
            t.push(c);
            s.push(0);
        }
        x1.push(z1);
        x2.push(z2);
    }
    (t, s, vec![x1, x2])
}

/// Coverage of the 95% Wald intervals of the planted subdistribution log hazard ratios over 200
/// seeds (n = 600), for crr's sandwich variance and for finegray + coxph with the variance
/// clustered by subject; under an effect (b = 0.5, -0.3) and under the null. The sandwich
/// under-covers a little in small samples (continuous covariate, 300 seeds: 0.907 at n = 300,
/// 0.927-0.94 at n = 800), hence the lower bound 0.88 (binomial sd at 200 seeds ~0.016).
#[test]
fn fine_gray_intervals_cover_planted_subdistribution_hr() {
    let reps = 200;
    for b in [[0.5, -0.3], [0.0, 0.0]] {
        let mut cov_crr = [0usize; 2];
        let mut cov_fg = [0usize; 2];
        let mut mean = [0.0f64; 2];
        for seed in 0..reps {
            let (t, s, x) = simulate_fine_gray(500 + seed as u64, 600, b);
            let a = crr(&t, &s, 1, &x, &CrrOptions::default()).unwrap();
            let opts = CoxOptions {
                ties: Ties::Breslow,
                robust: true,
                ..CoxOptions::default()
            };
            let (_, f) = finegray_cox(&t, &s, 1, &x, None, &opts).unwrap();
            let rse = f.robust_se.unwrap();
            for j in 0..2 {
                cov_crr[j] += usize::from((a.coef[j] - b[j]).abs() <= 1.959964 * a.se[j]);
                cov_fg[j] += usize::from((f.coef[j] - b[j]).abs() <= 1.959964 * rse[j]);
                mean[j] += a.coef[j] / reps as f64;
            }
        }
        let frac = |c: [usize; 2]| c.map(|v| v as f64 / reps as f64);
        eprintln!(
            "b = {b:?}: mean crr estimate {mean:?}; coverage crr {:?}, finegray robust {:?}",
            frac(cov_crr),
            frac(cov_fg)
        );
        for j in 0..2 {
            assert!(
                (0.90..=0.99).contains(&frac(cov_crr)[j]),
                "crr coverage {j}"
            );
            assert!(
                (0.90..=0.99).contains(&frac(cov_fg)[j]),
                "finegray coverage {j}"
            );
            // the mean over 300 seeds is within ~4 Monte Carlo standard errors of the truth
            assert!(
                (mean[j] - b[j]).abs() < 0.06,
                "mean estimate {} vs {}",
                mean[j],
                b[j]
            );
        }
    }
}
