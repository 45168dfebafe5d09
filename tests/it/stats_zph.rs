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
