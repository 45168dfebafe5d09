//! 2x2 measures against `tests/reference/fixtures/twobytwo.json` (written by
//! `tests/reference/twobytwo.R` from metafor, epiR and stats::mantelhaen.test), 1e-6 relative.

use crate::common::{num, nums};
use dicohort::stats::twobytwo::{
    koopman_interval, mantel_haenszel, odds_ratio, risk_difference, risk_ratio, table_measures,
    Estimate, NntKind, TwoByTwo, ZeroCellCorrection,
};
use serde_json::Value;

fn check(what: &str, ours: f64, r: &Value) {
    let r = num(r);
    assert!(
        crate::common::close_rel(ours, r, 1e-6),
        "{what}: ours {ours} vs R {r}"
    );
}

fn check_est(what: &str, ours: &Estimate, r: &Value, with_se: bool) {
    check(&format!("{what} estimate"), ours.estimate, &r["estimate"]);
    check(&format!("{what} lower"), ours.lower, &r["lower"]);
    check(&format!("{what} upper"), ours.upper, &r["upper"]);
    if with_se {
        check(&format!("{what} se"), ours.se, &r["se"]);
    }
}

#[test]
fn single_tables_match_metafor_and_epir() {
    let fx = crate::common::fixture("twobytwo");
    let singles = fx["singles"].as_array().expect("singles");
    assert!(singles.len() >= 8);
    for s in singles {
        let name = s["name"].as_str().unwrap();
        let t = TwoByTwo {
            a: num(&s["a"]),
            b: num(&s["b"]),
            c: num(&s["c"]),
            d: num(&s["d"]),
        };
        let m = table_measures(&t, 0.95).unwrap();
        // the one-measure functions agree with table_measures
        assert_eq!(risk_ratio(&t, 0.95).unwrap(), (m.risk_ratio, m.correction));
        assert_eq!(odds_ratio(&t, 0.95).unwrap(), (m.odds_ratio, m.correction));
        assert_eq!(
            risk_difference(&t, 0.95).unwrap(),
            (m.risk_difference, m.correction)
        );
        let corrected = s["corrected"].as_bool().unwrap();
        assert_eq!(
            m.correction == ZeroCellCorrection::Haldane,
            corrected,
            "{name} correction"
        );
        check_est(&format!("{name} rr"), &m.risk_ratio, &s["rr"], true);
        check_est(&format!("{name} or"), &m.odds_ratio, &s["or"], true);
        check_est(&format!("{name} rd"), &m.risk_difference, &s["rd"], true);
        // epiR's Koopman limits are closed form except when a risk is 1 (a == a + b or
        // c == c + d), where epiR steps by a factor 1.0001: compare those to 2e-4 only.
        let k = &s["koopman"];
        let full = t.b == 0.0 || t.d == 0.0;
        let tol = if full { 2e-4 } else { 1e-6 };
        let kr = &m.risk_ratio_koopman;
        assert!(
            crate::common::close_rel(kr.estimate, num(&k["estimate"]), 1e-6),
            "{name} koopman est"
        );
        assert!(
            crate::common::close_rel(kr.lower, num(&k["lower"]), tol),
            "{name} koopman lower {} vs {}",
            kr.lower,
            num(&k["lower"])
        );
        assert!(
            crate::common::close_rel(kr.upper, num(&k["upper"]), tol),
            "{name} koopman upper {} vs {}",
            kr.upper,
            num(&k["upper"])
        );
        let n = &s["nnt"];
        check(&format!("{name} nnt"), m.nnt.estimate, &n["estimate"]);
        assert_eq!(
            m.nnt.crosses_zero,
            n["crosses_zero"].as_bool().unwrap(),
            "{name} crosses"
        );
        check(&format!("{name} nnt lower"), m.nnt.lower, &n["lower"]);
        check(&format!("{name} nnt upper"), m.nnt.upper, &n["upper"]);
        check(
            &format!("{name} nntb_bound"),
            m.nnt.nntb_bound,
            &n["nntb_bound"],
        );
        check(
            &format!("{name} nnth_bound"),
            m.nnt.nnth_bound,
            &n["nnth_bound"],
        );
        let kind = if m.risk_difference.estimate < 0.0 {
            NntKind::Benefit
        } else {
            NntKind::Harm
        };
        assert_eq!(m.nnt.kind, kind, "{name} nnt kind");
    }
}

#[test]
fn mantel_haenszel_matches_rma_mh_and_mantelhaen_test() {
    let fx = crate::common::fixture("twobytwo");
    let strata = fx["strata"].as_array().expect("strata");
    assert!(strata.len() >= 3);
    for s in strata {
        let name = s["name"].as_str().unwrap();
        let (a, b, c, d) = (nums(&s["a"]), nums(&s["b"]), nums(&s["c"]), nums(&s["d"]));
        let tables: Vec<TwoByTwo> = (0..a.len())
            .map(|i| TwoByTwo {
                a: a[i],
                b: b[i],
                c: c[i],
                d: d[i],
            })
            .collect();
        let mh = mantel_haenszel(&tables, 0.95).unwrap();
        check_est(&format!("{name} mh rr"), &mh.risk_ratio, &s["rr"], true);
        check_est(&format!("{name} mh or"), &mh.odds_ratio, &s["or"], true);
        check_est(
            &format!("{name} mh rd"),
            &mh.risk_difference,
            &s["rd"],
            true,
        );
        check_est(
            &format!("{name} mh rd (GR)"),
            &mh.risk_difference_gr,
            &s["rd_gr"],
            false,
        );
        check_est(
            &format!("{name} mantelhaen.test"),
            &mh.odds_ratio,
            &s["mantelhaen"],
            false,
        );
        check(
            &format!("{name} cmh chisq"),
            mh.cmh_chisq,
            &s["mantelhaen"]["chisq"],
        );
        check(&format!("{name} cmh p"), mh.cmh_p, &s["mantelhaen"]["p"]);
        check(
            &format!("{name} bd"),
            mh.breslow_day.chisq,
            &s["breslow_day"]["chisq"],
        );
        check(
            &format!("{name} bd p"),
            mh.breslow_day.p,
            &s["breslow_day"]["p"],
        );
        assert_eq!(
            mh.breslow_day.df as f64,
            num(&s["breslow_day"]["df"]),
            "{name} bd df"
        );
        check(
            &format!("{name} tarone"),
            mh.tarone.chisq,
            &s["tarone"]["chisq"],
        );
        check(&format!("{name} tarone p"), mh.tarone.p, &s["tarone"]["p"]);
    }
}

#[test]
fn zero_cells_and_bad_tables() {
    // Both groups without events: Koopman interval is (0, inf); Haldane correction applies.
    let t = TwoByTwo {
        a: 0.0,
        b: 10.0,
        c: 0.0,
        d: 12.0,
    };
    assert_eq!(koopman_interval(&t, 0.95).unwrap(), (0.0, f64::INFINITY));
    let m = table_measures(&t, 0.95).unwrap();
    assert_eq!(m.correction, ZeroCellCorrection::Haldane);
    assert!(m.risk_ratio.estimate.is_finite() && m.odds_ratio.estimate.is_finite());
    // An empty arm is an error, as are negative counts.
    let err = table_measures(
        &TwoByTwo {
            a: 0.0,
            b: 0.0,
            c: 1.0,
            d: 2.0,
        },
        0.95,
    )
    .unwrap_err();
    assert!(err.to_string().contains("no exposed"), "{err}");
    let err = table_measures(
        &TwoByTwo {
            a: -1.0,
            b: 0.0,
            c: 1.0,
            d: 2.0,
        },
        0.95,
    )
    .unwrap_err();
    assert!(err.to_string().contains("cell a"), "{err}");
    // Rows to counts.
    let t = TwoByTwo::from_flags(
        &[true, true, false, false, true],
        &[true, false, true, true, true],
    )
    .unwrap();
    assert_eq!((t.a, t.b, t.c, t.d), (2.0, 1.0, 2.0, 0.0));
}
