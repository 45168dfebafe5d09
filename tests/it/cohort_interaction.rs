//! The test of exposure x subgroup interaction against R (fixture from
//! `tests/reference/cohort_interaction.R`): a weighted Cox model stratified by level with the
//! robust variance (R's Wald chi-square exactly), and clustered by site with the few-clusters
//! correction (R's coefficients and robust variance, corrected by hand in the script: F on
//! `k - 1` and `G - 1` df).

use dicohort::cohort::estimate::interaction::{interaction_test, InteractionInput};
use dicohort::cohort::estimate::Clusters;
use dicohort::cohort::landmark::{Design, StudySample};
use serde_json::Value;

use crate::common::{assert_close, fixture, num, nums};

fn sample(d: &Value) -> StudySample {
    let time = nums(&d["time"]);
    let event = nums(&d["event"]);
    let n = time.len();
    StudySample {
        design: Design::Landmark,
        origin: 0.0,
        patients: (0..n).collect(),
        exposed: nums(&d["treat"]).iter().map(|t| *t == 1.0).collect(),
        dead: event.iter().map(|e| Some(*e == 1.0)).collect(),
        cr_time: time.clone(),
        cr_status: event.iter().map(|e| *e as u8).collect(),
        time,
        event,
    }
}

fn test_with(fx: &Value, clustered: bool) -> dicohort::cohort::result::InteractionTest {
    let d = &fx["data"];
    let s = sample(d);
    let level: Vec<Option<u32>> = nums(&d["level"]).iter().map(|l| Some(*l as u32)).collect();
    let weights = nums(&d["weight"]);
    let clusters = Clusters {
        column: "site_id".into(),
        id: nums(&d["site"]).iter().map(|v| *v as u32).collect(),
    };
    interaction_test(&InteractionInput {
        design: Design::Landmark,
        sample: &s,
        counting: None,
        x: &[],
        level: &level,
        n_levels: 3,
        weights: &weights,
        clusters: clustered.then_some(&clusters),
    })
    .expect("interaction test")
}

#[test]
fn robust_interaction_wald_matches_r_coxph() {
    let fx = fixture("cohort_interaction.json");
    let t = test_with(&fx, false);
    let r = &fx["robust"];
    assert_close("Wald chi-square", t.statistic, num(&r["statistic"]));
    assert_close("p", t.p, num(&r["p"]));
    assert_eq!(t.df, 2);
    assert_eq!(t.df_denominator, None);
}

#[test]
fn clustered_interaction_test_is_small_sample_corrected() {
    let fx = fixture("cohort_interaction.json");
    let t = test_with(&fx, true);
    let r = &fx["clustered"];
    assert_close("corrected F", t.statistic, num(&r["statistic"]));
    assert_close("p from F(2, G-1)", t.p, num(&r["p"]));
    assert_eq!(t.df_denominator, Some(num(&r["df_denominator"]) as usize));
    assert!(
        t.method.contains("small-sample corrected: F on 2 and 8 df"),
        "{}",
        t.method
    );
    // The correction can only make the test more conservative than R's uncorrected chi-square.
    let uncorrected = dicohort::stats::dist::pchisq_upper(num(&r["wald_uncorrected"]), 2.0);
    assert!(t.p > uncorrected, "{} vs {uncorrected}", t.p);
}
