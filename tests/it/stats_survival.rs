//! Kaplan-Meier, log-rank and competing-risks estimates against R `survival` 3.5 fixtures
//! (`tests/reference/survival_*.R` write `tests/reference/fixtures/survival_*.json`).
//! Every number is compared to 1e-6 relative (absolute floor 1e-12).

use dicohort::stats::km::{
    kaplan_meier, kaplan_meier_by_group, ConfType, Counting, KmOptions, KmVariance,
};

/// Group labels -> ids in sorted order (R's factor levels for character groups).
fn group_ids(labels: &[String]) -> (Vec<u32>, Vec<String>) {
    let mut levels: Vec<String> = labels.to_vec();
    levels.sort();
    levels.dedup();
    let ids = labels
        .iter()
        .map(|l| levels.binary_search(l).expect("level") as u32)
        .collect();
    (ids, levels)
}

#[test]
fn kaplan_meier_matches_r_survfit() {
    let fx = fixture("survival_km.json");
    let cases = fx["cases"].as_array().expect("cases");
    assert!(cases.len() >= 15, "fixture has all cases");
    for case in cases {
        let name = case["name"].as_str().expect("name");
        let time = nums(&case["time"]);
        let event: Vec<bool> = nums(&case["event"]).iter().map(|&e| e == 1.0).collect();
        let weights = if case["weights"].is_null() {
            None
        } else {
            Some(nums(&case["weights"]))
        };
        let tau = if case["tau"].is_null() {
            None
        } else {
            Some(num(&case["tau"]))
        };
        let times = nums(&case["times"]);
        for (ct_name, ct, counting) in [
            ("log", ConfType::Log, Counting::Auto),
            ("log-log", ConfType::LogLog, Counting::Auto),
            ("plain", ConfType::Plain, Counting::Auto),
            ("log", ConfType::Log, Counting::Sort),
            ("log-log", ConfType::LogLog, Counting::Sort),
            ("plain", ConfType::Plain, Counting::Sort),
        ] {
            let opts = KmOptions {
                conf_type: ct,
                counting,
                ..KmOptions::default()
            };
            let fits = if case["group"].is_null() {
                vec![kaplan_meier(&time, &event, weights.as_deref(), &opts).expect("fit")]
            } else {
                let (ids, levels) = group_ids(&strs(&case["group"]));
                kaplan_meier_by_group(&time, &event, weights.as_deref(), &ids, levels.len(), &opts)
                    .expect("fit")
            };
            let r_fits = case["fits"][ct_name].as_array().expect("fits");
            assert_eq!(fits.len(), r_fits.len(), "{name}: number of curves");
            for (g, (fit, r)) in fits.iter().zip(r_fits).enumerate() {
                let w = |k: &str| format!("{name} {ct_name} {counting:?} group {g} {k}");
                assert_all_close(&w("time"), &fit.time, &nums(&r["time"]));
                assert_all_close(&w("n_risk"), &fit.n_risk, &nums(&r["n_risk"]));
                assert_all_close(&w("n_event"), &fit.n_event, &nums(&r["n_event"]));
                assert_all_close(&w("n_censor"), &fit.n_censor, &nums(&r["n_censor"]));
                assert_all_close(&w("surv"), &fit.surv, &nums(&r["surv"]));
                assert_all_close(&w("std_err"), &fit.std_err, &nums(&r["std_err"]));
                assert_all_close(&w("lower"), &fit.lower, &nums(&r["lower"]));
                assert_all_close(&w("upper"), &fit.upper, &nums(&r["upper"]));
                let logse = r["logse"].as_bool().expect("logse");
                assert_eq!(
                    fit.variance == KmVariance::Greenwood,
                    logse,
                    "{}",
                    w("variance")
                );
                let med = fit.median();
                assert_close(&w("median"), med.estimate, num(&r["median"]));
                assert_close(&w("median_lower"), med.lower, num(&r["median_lower"]));
                assert_close(&w("median_upper"), med.upper, num(&r["median_upper"]));
                if let Some(tau) = tau {
                    let rm = fit.rmst(tau);
                    assert_close(&w("rmst"), rm.estimate, num(&r["rmst"]));
                    assert_close(&w("rmst_se"), rm.se, num(&r["rmst_se"]));
                }
                if !r["at"].is_null() {
                    let at = &r["at"];
                    let rows = fit.summary_at(&times);
                    let col = |f: fn(&dicohort::stats::km::KmSummaryRow) -> f64| {
                        rows.iter().map(f).collect::<Vec<f64>>()
                    };
                    assert_all_close(&w("at.time"), &col(|x| x.time), &nums(&at["time"]));
                    assert_all_close(&w("at.n_risk"), &col(|x| x.n_risk), &nums(&at["n_risk"]));
                    assert_all_close(&w("at.n_event"), &col(|x| x.n_event), &nums(&at["n_event"]));
                    assert_all_close(
                        &w("at.n_censor"),
                        &col(|x| x.n_censor),
                        &nums(&at["n_censor"]),
                    );
                    assert_all_close(&w("at.surv"), &col(|x| x.surv), &nums(&at["surv"]));
                    assert_all_close(&w("at.se_surv"), &col(|x| x.se_surv), &nums(&at["se_surv"]));
                    assert_all_close(&w("at.lower"), &col(|x| x.lower), &nums(&at["lower"]));
                    assert_all_close(&w("at.upper"), &col(|x| x.upper), &nums(&at["upper"]));
                }
            }
        }
    }
}

use dicohort::stats::logrank::{survdiff, survdiff_using};

#[test]
fn log_rank_matches_r_survdiff() {
    let fx = fixture("survival_logrank.json");
    let cases = fx["cases"].as_array().expect("cases");
    assert!(cases.len() >= 15, "fixture has all cases");
    for case in cases {
        let name = case["name"].as_str().expect("name");
        let time = nums(&case["time"]);
        let event: Vec<bool> = nums(&case["event"]).iter().map(|&e| e == 1.0).collect();
        let (group, levels) = group_ids(&strs(&case["group"]));
        assert_eq!(levels, strs(&case["levels"]), "{name}: group order");
        let strata = if case["strata"].is_null() {
            None
        } else {
            Some(group_ids(&strs(&case["strata"])).0)
        };
        let rho = num(&case["rho"]);
        for counting in [Counting::Auto, Counting::Sort] {
            let name = &format!("{name} {counting:?}");
            let fit = survdiff_using(&time, &event, &group, strata.as_deref(), rho, counting)
                .expect("survdiff");
            let n: Vec<f64> = fit.n.iter().map(|&x| x as f64).collect();
            assert_all_close(&format!("{name} n"), &n, &nums(&case["n"]));
            assert_all_close(
                &format!("{name} observed"),
                &fit.observed,
                &nums(&case["observed"]),
            );
            assert_all_close(
                &format!("{name} expected"),
                &fit.expected,
                &nums(&case["expected"]),
            );
            // R stores var column-major; it is symmetric, so the layouts agree.
            assert_all_close(
                &format!("{name} variance"),
                &fit.variance,
                &nums(&case["variance"]),
            );
            assert_close(&format!("{name} chisq"), fit.chisq, num(&case["chisq"]));
            assert_eq!(fit.df as f64, num(&case["df"]), "{name} df");
            assert_close(&format!("{name} p"), fit.p, num(&case["p"]));
        }
    }
}

/// A deterministic xorshift generator for larger synthetic data.
fn xorshift(seed: u64) -> impl FnMut() -> f64 {
    let mut x = seed;
    move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        (x >> 11) as f64 / (1u64 << 53) as f64
    }
}

#[test]
fn hashed_and_sorted_counting_agree_on_larger_data() {
    let mut rnd = xorshift(42);
    let n = 20_000;
    let (mut day, mut cont, mut event, mut group, mut strata, mut w) =
        (vec![], vec![], vec![], vec![], vec![], vec![]);
    for _ in 0..n {
        let g = (rnd() * 3.0) as u32;
        let t = -rnd().ln() * (10.0 + 5.0 * g as f64);
        day.push(t.ceil().min(28.0));
        cont.push(t.min(28.0));
        event.push(t < 28.0 && rnd() < 0.7);
        group.push(g);
        strata.push((rnd() * 4.0) as u32);
        w.push(0.2 + 3.0 * rnd());
    }
    for time in [&day, &cont] {
        for weights in [None, Some(&w[..])] {
            let fits: Vec<_> = [Counting::Auto, Counting::Sort]
                .iter()
                .map(|&counting| {
                    let opts = KmOptions {
                        counting,
                        ..KmOptions::default()
                    };
                    kaplan_meier_by_group(time, &event, weights, &group, 3, &opts).unwrap()
                })
                .collect();
            for (a, b) in fits[0].iter().zip(&fits[1]) {
                assert_all_close("time", &a.time, &b.time);
                assert_all_close("n_risk", &a.n_risk, &b.n_risk);
                assert_all_close("surv", &a.surv, &b.surv);
                assert_all_close("std_err", &a.std_err, &b.std_err);
                assert_all_close("lower", &a.lower, &b.lower);
            }
        }
        for rho in [0.0, 1.0] {
            let a =
                survdiff_using(time, &event, &group, Some(&strata), rho, Counting::Auto).unwrap();
            let b =
                survdiff_using(time, &event, &group, Some(&strata), rho, Counting::Sort).unwrap();
            assert_all_close("observed", &a.observed, &b.observed);
            assert_all_close("expected", &a.expected, &b.expected);
            assert_all_close("variance", &a.variance, &b.variance);
            assert_close("chisq", a.chisq, b.chisq);
        }
    }
}

#[test]
fn log_rank_with_an_empty_group_id_ignores_it() {
    // aml-like data; group id 1 has no rows.
    let time = [9.0, 13.0, 13.0, 18.0, 23.0, 5.0, 5.0, 8.0, 8.0, 12.0, 16.0];
    let event = [
        true, true, false, true, true, true, true, true, true, false, true,
    ];
    let g2: Vec<u32> = vec![0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1];
    let g3: Vec<u32> = g2.iter().map(|&g| if g == 1 { 2 } else { 0 }).collect();
    let a = survdiff(&time, &event, &g2, None, 0.0).unwrap();
    let b = survdiff(&time, &event, &g3, None, 0.0).unwrap();
    assert_eq!(b.observed.len(), 3);
    assert_eq!((b.observed[1], b.expected[1], b.n[1]), (0.0, 0.0, 0));
    assert_eq!(b.df, 1);
    assert_close("chisq", b.chisq, a.chisq);
    assert_close("p", b.p, a.p);
    assert!(a.chisq > 0.0);
}

#[test]
fn log_rank_all_censored_has_no_test_and_one_group_is_an_error() {
    let time = [1.0, 2.0, 3.0, 4.0];
    let event = [false; 4];
    let fit = survdiff(&time, &event, &[0, 1, 0, 1], None, 0.0).unwrap();
    assert_eq!((fit.chisq, fit.df), (0.0, 0));
    assert!(fit.p.is_nan());
    assert_eq!(fit.observed, vec![0.0, 0.0]);
    let err = survdiff(&time, &[true; 4], &[0, 0, 0, 0], None, 0.0).unwrap_err();
    assert!(err.to_string().contains("only 1 group"), "{err}");
    let err = survdiff(&[1.0, f64::NAN], &[true, true], &[0, 1], None, 0.0).unwrap_err();
    assert!(err.to_string().contains("row 2"), "{err}");
}

#[test]
fn kaplan_meier_edge_cases() {
    // A time of 0 with an event: the curve drops at 0.
    let fit = kaplan_meier(
        &[0.0, 1.0, 2.0],
        &[true, false, true],
        None,
        &KmOptions::default(),
    )
    .unwrap();
    assert_eq!(fit.time, vec![0.0, 1.0, 2.0]);
    assert_close("surv0", fit.surv[0], 2.0 / 3.0);
    assert_eq!(fit.surv[2], 0.0);
    // Empty input: an empty curve, median NA, RMST = tau.
    let empty = kaplan_meier(&[], &[], None, &KmOptions::default()).unwrap();
    assert!(empty.is_empty());
    assert!(empty.median().estimate.is_nan());
    assert_eq!(empty.rmst(5.0).estimate, 5.0);
    // An empty group among groups gives an empty curve.
    let fits = kaplan_meier_by_group(
        &[1.0, 2.0, 3.0],
        &[true, true, false],
        None,
        &[0, 0, 2],
        3,
        &KmOptions::default(),
    )
    .unwrap();
    assert_eq!(
        fits.iter().map(|f| f.len()).collect::<Vec<_>>(),
        vec![2, 0, 1]
    );
    // Bad input is a typed error naming the row.
    let err = kaplan_meier(&[1.0, -1.0], &[true, true], None, &KmOptions::default()).unwrap_err();
    assert!(err.to_string().contains("row 2"), "{err}");
    let err = kaplan_meier(
        &[1.0, 2.0],
        &[true, true],
        Some(&[1.0, f64::NAN]),
        &KmOptions::default(),
    )
    .unwrap_err();
    assert!(err.to_string().contains("row 2"), "{err}");
    let err = kaplan_meier(&[1.0], &[true, false], None, &KmOptions::default()).unwrap_err();
    assert!(err.to_string().contains("event has 2"), "{err}");
}

use crate::common::{assert_all_close, assert_close, fixture, num, nums, strs};
use dicohort::stats::competing::aalen_johansen;

#[test]
fn aalen_johansen_matches_r_multistate_survfit() {
    let fx = fixture("survival_competing.json");
    let cases = fx["cases"].as_array().expect("cases");
    assert!(cases.len() >= 6, "fixture has all cases");
    for case in cases {
        let name = case["name"].as_str().expect("name");
        let time = nums(&case["time"]);
        let cause: Vec<u32> = nums(&case["cause"]).iter().map(|&c| c as u32).collect();
        let weights = if case["weights"].is_null() {
            None
        } else {
            Some(nums(&case["weights"]))
        };
        for (ct_name, ct) in [
            ("log", ConfType::Log),
            ("log-log", ConfType::LogLog),
            ("plain", ConfType::Plain),
        ] {
            let opts = KmOptions {
                conf_type: ct,
                ..KmOptions::default()
            };
            let fit = aalen_johansen(&time, &cause, 2, weights.as_deref(), &opts).expect("fit");
            let r = &case["fits"][ct_name];
            let w = |k: &str| format!("{name} {ct_name} {k}");
            assert_all_close(&w("time"), &fit.time, &nums(&r["time"]));
            assert_all_close(&w("n_risk"), &fit.n_risk, &nums(&r["n_risk"]));
            assert_all_close(&w("n_censor"), &fit.n_censor, &nums(&r["n_censor"]));
            assert_all_close(&w("surv"), &fit.surv, &nums(&r["surv"]));
            assert_all_close(
                &w("surv_std_err"),
                &fit.surv_std_err,
                &nums(&r["surv_std_err"]),
            );
            for m in 0..2 {
                let wm = |k: &str| format!("{name} {ct_name} cause {} {k}", m + 1);
                assert_all_close(&wm("n_event"), &fit.n_event[m], &nums(&r["n_event"][m]));
                assert_all_close(&wm("cif"), &fit.cif[m], &nums(&r["cif"][m]));
                assert_all_close(&wm("std_err"), &fit.std_err[m], &nums(&r["std_err"][m]));
                assert_all_close(&wm("lower"), &fit.lower[m], &nums(&r["lower"][m]));
                assert_all_close(&wm("upper"), &fit.upper[m], &nums(&r["upper"][m]));
            }
        }
    }
}

/// Direct port of R's per-row infinitesimal-jackknife loops (survfitkm.c, KM type 1, and
/// survfitci.c, competing risks from one initial state), O(n x times): checks the closed forms
/// in `km` and `competing` on data larger than the R fixtures. Returns per distinct time the
/// standard error of S and of each cumulative incidence.
fn naive_ij(time: &[f64], cause: &[u32], w: &[f64], k: usize) -> (Vec<f64>, Vec<Vec<f64>>) {
    let n = time.len();
    let mut utimes: Vec<f64> = time.to_vec();
    utimes.sort_by(f64::total_cmp);
    utimes.dedup();
    let mut u0 = vec![0.0; n]; // influence on S
    let mut uc = vec![vec![0.0; n]; k]; // influence on each CIF
    let (mut s, mut se_s, mut se_c) = (1.0, Vec::new(), vec![Vec::new(); k]);
    for &t in &utimes {
        let at_risk: Vec<usize> = (0..n).filter(|&i| time[i] >= t).collect();
        let nr: f64 = at_risk.iter().map(|&i| w[i]).sum();
        let mut dm = vec![0.0; k];
        for &i in &at_risk {
            if time[i] == t && cause[i] > 0 {
                dm[cause[i] as usize - 1] += w[i];
            }
        }
        let d: f64 = dm.iter().sum();
        if d > 0.0 {
            let h = d / nr;
            // U = U H for everyone, then the dH term for those at risk
            for i in 0..n {
                for m in 0..k {
                    uc[m][i] += u0[i] * dm[m] / nr;
                }
                u0[i] *= 1.0 - h;
            }
            for &i in &at_risk {
                u0[i] -= (1.0 - h) * s / nr;
                for m in 0..k {
                    uc[m][i] -= dm[m] / nr * s / nr;
                }
                if time[i] == t && cause[i] > 0 {
                    uc[cause[i] as usize - 1][i] += s / nr;
                } else {
                    u0[i] += s / nr;
                }
            }
            s *= 1.0 - h;
        }
        se_s.push((0..n).map(|i| (w[i] * u0[i]).powi(2)).sum::<f64>().sqrt());
        for m in 0..k {
            se_c[m].push(
                (0..n)
                    .map(|i| (w[i] * uc[m][i]).powi(2))
                    .sum::<f64>()
                    .sqrt(),
            );
        }
    }
    (se_s, se_c)
}

#[test]
fn closed_form_jackknife_matches_the_per_row_loop() {
    for (n, whole_days) in [(1500, true), (700, false)] {
        let mut rnd = xorshift(7);
        let (mut time, mut cause, mut w) = (vec![], vec![], vec![]);
        for _ in 0..n {
            let t = -rnd().ln() * 12.0;
            let t = if whole_days {
                t.ceil().min(28.0)
            } else {
                t.min(28.0)
            };
            time.push(t);
            cause.push(if t >= 28.0 || rnd() < 0.2 {
                0
            } else if rnd() < 0.4 {
                1
            } else {
                2
            });
            w.push(0.25 + 4.0 * rnd());
        }
        let (se_s, se_c) = naive_ij(&time, &cause, &w, 2);
        let event: Vec<bool> = cause.iter().map(|&c| c > 0).collect();
        for counting in [Counting::Auto, Counting::Sort] {
            let opts = KmOptions {
                counting,
                ..KmOptions::default()
            };
            let km = kaplan_meier(&time, &event, Some(&w), &opts).unwrap();
            assert_eq!(km.variance, KmVariance::InfinitesimalJackknife);
            assert_all_close("KM IJ std_err", &km.std_err, &se_s);
        }
        let aj = aalen_johansen(&time, &cause, 2, Some(&w), &KmOptions::default()).unwrap();
        assert_all_close("AJ surv std_err", &aj.surv_std_err, &se_s);
        assert_all_close("AJ cause 1 std_err", &aj.std_err[0], &se_c[0]);
        assert_all_close("AJ cause 2 std_err", &aj.std_err[1], &se_c[1]);
    }
}
