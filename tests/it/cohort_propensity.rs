//! Propensity-score methods of `cohort` against R (fixture from
//! `tests/reference/cohort_propensity.R`): the score (glm), stabilised ATE and ATT weights, IPTW
//! Cox with robust variance (survival::coxph), greedy 1:1 caliper matching on the logit, Cox in
//! matched pairs clustered on pairs, propensity-quintile strata and the stratified Cox, SMDs
//! before / after weighting / after matching (tableone's definitions, incl. the categorical
//! Mahalanobis SMD with MASS::ginv), and the E-value of the IPTW hazard ratio.

use crate::common::nums;
use dicohort::cohort::balance::{
    e_value, smd_binary, smd_categorical, smd_continuous, EffectMeasure,
};
use dicohort::cohort::propensity::{iptw_weights, logit, match_nearest, quantile_strata, Estimand};
use dicohort::stats::cox::{coxph, CoxData, CoxFit, CoxOptions};
use dicohort::stats::logistic::{logistic_regression, LogisticOptions};
use serde_json::Value;

fn close(a: f64, b: f64, rel: f64, what: &str) {
    crate::common::assert_close_rel(what, a, b, rel);
}

struct Data {
    treat: Vec<bool>,
    time: Vec<f64>,
    event: Vec<bool>,
    age: Vec<f64>,
    apache2: Vec<f64>,
    female: Vec<f64>,
    site: Vec<Option<u32>>,
}

fn data(f: &Value) -> Data {
    let d = &f["data"];
    let site: Vec<Option<u32>> = d["site"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            Some(
                ["A", "B", "C", "D"]
                    .iter()
                    .position(|l| *l == s.as_str().unwrap())
                    .unwrap() as u32,
            )
        })
        .collect();
    Data {
        treat: nums(&d["treat"]).iter().map(|x| *x == 1.0).collect(),
        time: nums(&d["time"]),
        event: nums(&d["event"]).iter().map(|x| *x == 1.0).collect(),
        age: nums(&d["age"]),
        apache2: nums(&d["apache2"]),
        female: nums(&d["female"]),
        site,
    }
}

fn propensity(d: &Data) -> Vec<f64> {
    let ind = |k: u32| -> Vec<f64> {
        d.site
            .iter()
            .map(|s| (*s == Some(k)) as u8 as f64)
            .collect()
    };
    let x = vec![
        d.age.clone(),
        d.apache2.clone(),
        d.female.clone(),
        ind(1),
        ind(2),
        ind(3),
    ];
    let y: Vec<f64> = d.treat.iter().map(|t| *t as u8 as f64).collect();
    logistic_regression(&y, &x, None, &LogisticOptions::default())
        .unwrap()
        .fitted
}

fn cox(
    d: &Data,
    rows: &[usize],
    w: Option<&[f64]>,
    strata: Option<&[u32]>,
    cluster: Option<&[u32]>,
    robust: bool,
) -> CoxFit {
    let t: Vec<f64> = rows.iter().map(|&i| d.time[i]).collect();
    let e: Vec<bool> = rows.iter().map(|&i| d.event[i]).collect();
    let x = vec![rows
        .iter()
        .map(|&i| d.treat[i] as u8 as f64)
        .collect::<Vec<f64>>()];
    coxph(
        &CoxData {
            start: None,
            stop: &t,
            event: &e,
            x: &x,
            strata,
            weights: w,
            cluster,
        },
        &CoxOptions {
            robust,
            ..Default::default()
        },
    )
    .unwrap()
}

#[test]
fn propensity_score_weights_and_iptw_cox_match_r() {
    let f = crate::common::fixture("cohort_propensity");
    let d = data(&f);
    let n = d.treat.len();
    let ps = propensity(&d);
    for (i, (a, b)) in ps.iter().zip(nums(&f["ps"])).enumerate() {
        close(*a, b, 1e-7, &format!("ps[{i}]"));
    }
    let w = iptw_weights(&ps, &d.treat, Estimand::Ate, true).unwrap();
    for (a, b) in w.iter().zip(nums(&f["weights_ate_stabilised"])) {
        close(*a, b, 1e-7, "ATE weight");
    }
    let wt = iptw_weights(&ps, &d.treat, Estimand::Att, false).unwrap();
    for (a, b) in wt.iter().zip(nums(&f["weights_att"])) {
        close(*a, b, 1e-7, "ATT weight");
    }
    let all: Vec<usize> = (0..n).collect();
    for (key, weights) in [("iptw_ate", &w), ("iptw_att", &wt)] {
        let fit = cox(&d, &all, Some(weights), None, None, true);
        close(
            fit.coef[0],
            f[key]["coef"].as_f64().unwrap(),
            1e-6,
            &format!("{key} coef"),
        );
        close(
            fit.robust_se.as_ref().unwrap()[0],
            f[key]["robust_se"].as_f64().unwrap(),
            1e-6,
            &format!("{key} robust se"),
        );
        close(
            fit.se[0],
            f[key]["se"].as_f64().unwrap(),
            1e-6,
            &format!("{key} se"),
        );
    }
    // E-value of the IPTW (ATE) hazard ratio, common outcome.
    let fit = cox(&d, &all, Some(&w), None, None, true);
    let z = 1.959963984540054;
    let se = fit.robust_se.as_ref().unwrap()[0];
    let (hr, lo, hi) = (
        fit.coef[0].exp(),
        (fit.coef[0] - z * se).exp(),
        (fit.coef[0] + z * se).exp(),
    );
    let ev = e_value(
        hr,
        lo,
        hi,
        EffectMeasure::HazardRatio {
            rare_outcome: false,
        },
    );
    close(
        ev.point,
        f["e_value"]["point"].as_f64().unwrap(),
        1e-6,
        "E-value",
    );
    close(
        ev.ci,
        f["e_value"]["ci"].as_f64().unwrap(),
        1e-6,
        "E-value CI",
    );
}

#[test]
fn caliper_matching_and_matched_cox_match_r() {
    let f = crate::common::fixture("cohort_propensity");
    let d = data(&f);
    let ps = propensity(&d);
    let dist: Vec<f64> = ps.iter().map(|&e| logit(e)).collect();
    for (name, caliper, tk, ck) in [
        ("0.2 SD", 0.2, "pairs_treated", "pairs_control"),
        (
            "0.01 SD",
            0.01,
            "tight_pairs_treated",
            "tight_pairs_control",
        ),
    ] {
        let m = match_nearest(&dist, &d.treat, Some(caliper)).unwrap();
        let mut ours: Vec<(usize, usize)> = m.pairs.iter().map(|&(t, c)| (t + 1, c + 1)).collect();
        let mut theirs: Vec<(usize, usize)> = nums(&f[tk])
            .iter()
            .zip(nums(&f[ck]))
            .map(|(t, c)| (*t as usize, c as usize))
            .collect();
        ours.sort();
        theirs.sort();
        assert_eq!(ours, theirs, "pairs with caliper {name}");
        let n_treated = d.treat.iter().filter(|t| **t).count();
        assert_eq!(m.n_treated_unmatched, n_treated - theirs.len());
    }
    let m = match_nearest(&dist, &d.treat, Some(0.2)).unwrap();
    close(m.caliper, f["caliper"].as_f64().unwrap(), 1e-7, "caliper");
    // Cox in matched pairs, robust variance clustered on pairs (R rows: all treated, then all
    // controls, in pair order).
    let rows: Vec<usize> = m
        .pairs
        .iter()
        .map(|p| p.0)
        .chain(m.pairs.iter().map(|p| p.1))
        .collect();
    let k = m.pairs.len() as u32;
    let cluster: Vec<u32> = (0..k).chain(0..k).collect();
    // Pairs in R's order (decreasing score = the order they were made).
    let fit = cox(&d, &rows, None, None, Some(&cluster), true);
    close(
        fit.coef[0],
        f["matched"]["coef"].as_f64().unwrap(),
        1e-6,
        "matched coef",
    );
    close(
        fit.robust_se.as_ref().unwrap()[0],
        f["matched"]["robust_se"].as_f64().unwrap(),
        1e-6,
        "matched robust se",
    );
}

#[test]
fn quintile_strata_and_stratified_cox_match_r() {
    let f = crate::common::fixture("cohort_propensity");
    let d = data(&f);
    let ps = propensity(&d);
    let s = quantile_strata(&ps, 5);
    let r: Vec<u32> = nums(&f["strata"]).iter().map(|x| *x as u32 - 1).collect();
    assert_eq!(s, r);
    let all: Vec<usize> = (0..ps.len()).collect();
    let fit = cox(&d, &all, None, Some(&s), None, false);
    close(
        fit.coef[0],
        f["ps_stratified"]["coef"].as_f64().unwrap(),
        1e-6,
        "stratified coef",
    );
    close(
        fit.se[0],
        f["ps_stratified"]["se"].as_f64().unwrap(),
        1e-6,
        "stratified se",
    );
}

#[test]
fn balance_before_after_weighting_and_matching_match_r() {
    let f = crate::common::fixture("cohort_propensity");
    let d = data(&f);
    let n = d.treat.len();
    let ps = propensity(&d);
    let w = iptw_weights(&ps, &d.treat, Estimand::Ate, true).unwrap();
    let dist: Vec<f64> = ps.iter().map(|&e| logit(e)).collect();
    let m = match_nearest(&dist, &d.treat, Some(0.2)).unwrap();
    let mut wm = vec![0.0; n];
    for &(a, b) in &m.pairs {
        wm[a] = 1.0;
        wm[b] = 1.0;
    }
    for (key, weights) in [
        ("smd_before", None),
        ("smd_iptw", Some(&w[..])),
        ("smd_matched", Some(&wm[..])),
    ] {
        let e = &f[key];
        close(
            smd_continuous(&d.age, &d.treat, weights),
            e["age"].as_f64().unwrap(),
            1e-6,
            &format!("{key} age"),
        );
        close(
            smd_continuous(&d.apache2, &d.treat, weights),
            e["apache2"].as_f64().unwrap(),
            1e-6,
            &format!("{key} apache2"),
        );
        close(
            smd_binary(&d.female, &d.treat, weights),
            e["female"].as_f64().unwrap(),
            1e-6,
            &format!("{key} female"),
        );
        close(
            smd_categorical(&d.site, 4, &d.treat, weights),
            e["site"].as_f64().unwrap(),
            1e-6,
            &format!("{key} site"),
        );
    }
}
