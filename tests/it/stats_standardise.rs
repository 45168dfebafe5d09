//! `stats::standardise::standardised_risks` (g-formula over a logistic outcome model) against R
//! (`tests/reference/standardise.R`: glm + predict by hand, delta-method standard errors by
//! matrix algebra), unweighted and with frequency weights (a bootstrap replicate).

use dicohort::stats::standardise::standardised_risks;

use crate::common::{assert_close, fixture, nums};

#[test]
fn g_formula_risks_match_r() {
    let fx = fixture("standardise");
    let d = &fx["data"];
    let y = nums(&d["y"]);
    let treat: Vec<bool> = nums(&d["treat"]).iter().map(|t| *t == 1.0).collect();
    let x: Vec<Vec<f64>> = d["x"].as_array().unwrap().iter().map(nums).collect();
    let freq = nums(&d["freq"]);
    for (case, w) in [("unweighted", None), ("weighted", Some(freq.as_slice()))] {
        let s = standardised_risks(&y, &treat, &x, w).unwrap();
        let want = &fx[case];
        let got = [
            ("risk_exposed", s.risk_exposed),
            ("risk_unexposed", s.risk_unexposed),
            ("risk_difference", s.risk_difference),
            ("risk_ratio", s.risk_ratio),
            ("se_exposed", s.se_exposed),
            ("se_unexposed", s.se_unexposed),
            ("se_difference", s.se_difference),
            ("se_log_ratio", s.se_log_ratio),
        ];
        for (k, v) in got {
            assert_close(&format!("{case} {k}"), v, crate::common::num(&want[k]));
        }
    }
}
