//! The pipeline's weighting, matching, clustering and absolute-risk estimators on one population
//! against R (fixture from `tests/reference/cohort_weights.R`): the propensity model, overlap,
//! matching and MMWS weights, their robust Cox models with each patient its own cluster and
//! clustered by site (R `coxph(..., cluster = site)`), the quintile-stratified and unadjusted
//! Cox clustered by site, closest-pair-first caliper matching and the Cox in the pairs, and the
//! risks at day 28 (IPTW Kaplan-Meier with its infinitesimal-jackknife standard errors, IPTW
//! Aalen-Johansen with discharge competing, crude Kaplan-Meier, g-formula).

use dicohort::cohort::estimate::iptw::{weighted_cox, Scheme};
use dicohort::cohort::estimate::propensity_fit::fit_propensity;
use dicohort::cohort::estimate::{
    cox_adjusted, matching, ps_strata, risks, Clusters, EstimateOptions, Population, Weighted,
};
use dicohort::cohort::landmark::Design;
use dicohort::cohort::outcome::Discharge;
use dicohort::cohort::plan::BootstrapMethod;
use dicohort::cohort::propensity::{match_closest, Estimand, MatchOrder};
use dicohort::cohort::result::{HrEstimate, RiskMethod};
use serde_json::Value;

use crate::common::{assert_all_close, assert_close, fixture, num, nums};

fn options(discharge: Discharge) -> EstimateOptions {
    EstimateOptions {
        conf_level: 0.95,
        estimand: Estimand::Ate,
        stabilised: true,
        trim: None,
        caliper_sd: 0.2,
        match_order: MatchOrder::Closest,
        strata: 10,
        quintile_replication: true,
        horizon: 28,
        discharge,
        bootstrap: 0,
        bootstrap_method: BootstrapMethod::Linearised,
        seed: 1,
    }
}

/// The fixture's patients as one population (covariates: age, apache2, site S2..S8).
fn population<'a>(
    fx: &Value,
    names: &'a [String],
    site_clusters: bool,
    discharge: Discharge,
) -> Population<'a> {
    let d = &fx["data"];
    let site: Vec<u32> = nums(&d["site"]).iter().map(|s| *s as u32).collect();
    let mut x = vec![nums(&d["age"]), nums(&d["apache2"])];
    for k in 2..=8 {
        x.push(site.iter().map(|s| f64::from(u8::from(*s == k))).collect());
    }
    let event: Vec<bool> = nums(&d["event"]).iter().map(|e| *e == 1.0).collect();
    Population {
        design: Design::Landmark,
        exposed: nums(&d["treat"]).iter().map(|t| *t == 1.0).collect(),
        time: nums(&d["time"]),
        dead: event.iter().map(|e| Some(*e)).collect(),
        event,
        cr_time: nums(&d["cr_time"]),
        cr_status: nums(&d["status"]).iter().map(|s| *s as u8).collect(),
        x_names: names,
        x,
        counting: None,
        cluster: site_clusters.then(|| Clusters {
            column: "site".into(),
            id: site,
        }),
        origin: 0.0,
        rare_outcome: false,
        options: options(discharge),
    }
}

fn names() -> Vec<String> {
    let mut n = vec!["age".to_string(), "apache2".to_string()];
    n.extend((2..=8).map(|k| format!("site=S{k}")));
    n
}

/// The HR against R: coefficient and robust se as `coxph`; clustered by site, the se and the
/// interval with the few-clusters correction applied to R's se (`G / (G - 1)`, t on `G - 1`
/// df; `cohort::estimate::hr_estimate`), which R does not apply.
fn check_hr(what: &str, h: &HrEstimate, want: &Value) {
    assert_close(&format!("{what} coef"), h.coef, num(&want["coef"]));
    let se_r = num(&want["se"]);
    let g = h
        .variance
        .split_once(" clusters; small-sample corrected")
        .and_then(|(head, _)| head.rsplit('(').next())
        .map(|n| n.parse::<f64>().expect("cluster count"));
    match g {
        None => assert_close(&format!("{what} se"), h.se, se_r),
        Some(g) => {
            let se = se_r * (g / (g - 1.0)).sqrt();
            assert_close(&format!("{what} corrected se"), h.se, se);
            let t = dicohort::stats::dist::qt_upper(0.025, g - 1.0);
            assert_close(&format!("{what} lower"), h.lower, (h.coef - t * se).exp());
            assert_close(&format!("{what} upper"), h.upper, (h.coef + t * se).exp());
        }
    }
}

#[test]
fn overlap_matching_and_mmws_weights_and_their_cox_models_match_r() {
    let fx = fixture("cohort_weights");
    let nm = names();
    for clustered in [false, true] {
        let p = population(&fx, &nm, clustered, Discharge::AliveToHorizon);
        let fit = fit_propensity(&p).unwrap();
        assert_eq!(fit.kept.len(), p.len());
        assert_all_close("ps", &fit.ps, &nums(&fx["ps"]));
        assert_all_close("overlap weights", &fit.overlap, &nums(&fx["w_overlap"]));
        assert_all_close("matching weights", &fit.matching, &nums(&fx["w_matching"]));
        assert_all_close("MMWS weights", &fit.mmws, &nums(&fx["w_mmws"]));
        let w = Weighted {
            population: &p,
            fit: &fit,
        };
        let f = &fx["fits"];
        let sfx = if clustered { "_site" } else { "" };
        for (scheme, key) in [
            (Scheme::Iptw, "iptw"),
            (Scheme::Overlap, "overlap"),
            (Scheme::Matching, "matching"),
        ] {
            let h = weighted_cox(&w, scheme).unwrap();
            check_hr(key, &h, &f[format!("{key}{sfx}")]);
            assert!(
                h.robust
                    && h.variance.contains(if clustered {
                        "site (8 clusters; small-sample corrected, t on 7 df)"
                    } else {
                        "each patient"
                    }),
                "{}",
                h.variance
            );
        }
        if clustered {
            check_hr(
                "quintiles",
                &ps_strata::stratified_cox(&w).unwrap(),
                &f["quintiles_site"],
            );
            check_hr(
                "unadjusted",
                &cox_adjusted::unadjusted(&p).unwrap(),
                &f["unadjusted_site"],
            );
        } else {
            check_hr("MMWS", &ps_strata::mmws_cox(&w).unwrap(), &f["mmws"]);
            // closest-first matching on R's logit: the same pairs as R's O(n^2) matcher, in the
            // same order (on our own scores, near-ties of 1e-13 may order differently)
            let m = match_closest(&nums(&fx["logit_ps"]), &p.exposed, Some(0.2)).unwrap();
            let t: Vec<f64> = m.pairs.iter().map(|p| (p.0 + 1) as f64).collect();
            let c: Vec<f64> = m.pairs.iter().map(|p| (p.1 + 1) as f64).collect();
            assert_eq!(t, nums(&fx["pairs_treated"]));
            assert_eq!(c, nums(&fx["pairs_control"]));
            assert_close("caliper", m.caliper, num(&fx["caliper"]));
            assert_close(
                "caliper (pipeline)",
                fit.summary.caliper_logit,
                num(&fx["caliper"]),
            );
            // the pipeline's pairs are those of its own scores; the matched Cox on R's pairs
            let mut with_r_pairs = fit.clone();
            with_r_pairs.pairs = m.pairs.clone();
            let wr = Weighted {
                population: &p,
                fit: &with_r_pairs,
            };
            let h = matching::matched_cox(&wr).unwrap().unwrap();
            check_hr("matched", &h, &f["matched"]);
            assert!(h.variance.contains("matched pairs"), "{}", h.variance);
            assert!(fit.pairs.len().abs_diff(m.pairs.len()) <= 2);
        }
    }
}

#[test]
fn risks_at_the_horizon_match_r() {
    let fx = fixture("cohort_weights");
    let nm = names();
    let r = &fx["risks"];
    for discharge in [Discharge::AliveToHorizon, Discharge::Competing] {
        let p = population(&fx, &nm, false, discharge);
        let fit = fit_propensity(&p).unwrap();
        let w = Weighted {
            population: &p,
            fit: &fit,
        };
        let (g, i) = risks::adjusted(&w);
        let (g, i) = (g.unwrap(), i.unwrap());
        assert_eq!(
            (g.method, i.method),
            (RiskMethod::GFormula, RiskMethod::IptwKm)
        );
        let key = if discharge == Discharge::Competing {
            "iptw_aj"
        } else {
            "iptw_km"
        };
        assert_close(
            &format!("{key} exposed"),
            i.risk_exposed.estimate,
            num(&r[key]["exposed"]),
        );
        assert_close(
            &format!("{key} unexposed"),
            i.risk_unexposed.estimate,
            num(&r[key]["unexposed"]),
        );
        assert_close(
            "g-formula exposed",
            g.risk_exposed.estimate,
            num(&r["g_formula"]["exposed"]),
        );
        assert_close(
            "g-formula unexposed",
            g.risk_unexposed.estimate,
            num(&r["g_formula"]["unexposed"]),
        );
        if discharge == Discharge::AliveToHorizon {
            // no bootstrap: the intervals are the infinitesimal-jackknife Wald intervals
            let z = dicohort::stats::dist::z_two_sided(0.95);
            let se1 = num(&r["iptw_km"]["se_exposed"]);
            assert_close(
                "IJ lower",
                i.risk_exposed.lower,
                num(&r["iptw_km"]["exposed"]) - z * se1,
            );
            let c = risks::crude(&p).unwrap();
            assert_close(
                "crude exposed",
                c.risk_exposed.estimate,
                num(&r["crude_km"]["exposed"]),
            );
            assert_close(
                "crude unexposed",
                c.risk_unexposed.estimate,
                num(&r["crude_km"]["unexposed"]),
            );
        }
    }
}
