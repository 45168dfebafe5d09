//! Multiple imputation against R mice 3.15: Rubin's rules exact given the same per-imputation
//! estimates (`tests/reference/mice_rubin.R`); the deterministic steps of `mice.impute.pmm` and
//! `mice.impute.logreg` exact given R's random variates, and the pooled estimates of
//! `mice(m = 20)` + `pool()` within Monte Carlo error (`tests/reference/mice_pmm.R`).

use dicohort::stats::logistic::{logistic_regression, LogisticOptions};
use dicohort::stats::mice::logreg::{augment, logreg_given};
use dicohort::stats::mice::norm::{estimice, linear_regression, norm_draw_given};
use dicohort::stats::mice::pmm::{match_index_given, pmm_given, PmmVariates};
use dicohort::stats::mice::{mice, MiceColumn, MiceOptions, VariableKind};
use dicohort::stats::rubin::pool_scalar;
use serde_json::Value;

use crate::common::{assert_all_close, assert_close, fixture, num, nums};

#[test]
fn rubin_rules_match_mice_pool() {
    let fx = fixture("mice_rubin");
    let cases = fx["cases"].as_array().unwrap();
    assert!(cases.len() >= 20);
    for c in cases {
        let what = format!(
            "{} {}",
            c["model"].as_str().unwrap(),
            c["term"].as_str().unwrap()
        );
        let p = pool_scalar(
            &nums(&c["estimates"]),
            &nums(&c["variances"]),
            num(&c["dfcom"]),
            num(&c["level"]),
        )
        .unwrap();
        for (k, got) in [
            ("estimate", p.estimate),
            ("ubar", p.ubar),
            ("b", p.b),
            ("t", p.t),
            ("std_error", p.std_error),
            ("df", p.df),
            ("riv", p.riv),
            ("lambda", p.lambda),
            ("fmi", p.fmi),
            ("statistic", p.statistic),
            ("p_value", p.p_value),
            ("conf_low", p.conf_low),
            ("conf_high", p.conf_high),
        ] {
            assert_close(&format!("{what} {k}"), got, num(&c[k]));
        }
    }
}

#[test]
fn rubin_rules_reject_bad_input() {
    assert!(pool_scalar(&[1.0], &[0.1], 10.0, 0.95).is_err());
    assert!(pool_scalar(&[1.0, 2.0], &[0.1], 10.0, 0.95).is_err());
    assert!(pool_scalar(&[1.0, f64::NAN], &[0.1, 0.1], 10.0, 0.95).is_err());
    assert!(pool_scalar(&[1.0, 2.0], &[0.1, -0.1], 10.0, 0.95).is_err());
    assert!(pool_scalar(&[1.0, 2.0], &[0.1, 0.1], 0.0, 0.95).is_err());
    assert!(pool_scalar(&[1.0, 2.0], &[0.1, 0.1], 10.0, 1.0).is_err());
}

fn bools(v: &Value) -> Vec<bool> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|b| b.as_bool().unwrap())
        .collect()
}
fn idx(v: &Value) -> Vec<usize> {
    nums(v).iter().map(|x| *x as usize).collect()
}
fn cols(v: &Value) -> Vec<Vec<f64>> {
    v.as_array().unwrap().iter().map(nums).collect()
}

#[test]
fn pmm_pieces_match_mice_exactly() {
    let fx = fixture("mice_pmm");
    let d = &fx["deterministic"];
    let (y, ry, x) = (nums(&d["y"]), bools(&d["ry"]), cols(&d["x"]));
    let k = x.len() + 1;
    let rows: Vec<usize> = (0..y.len()).filter(|&i| ry[i]).collect();
    let design: Vec<f64> = rows
        .iter()
        .flat_map(|&i| std::iter::once(1.0).chain(x.iter().map(move |c| c[i])))
        .collect();
    let yobs: Vec<f64> = rows.iter().map(|&i| y[i]).collect();
    let ls = estimice(&design, &yobs, k, 1e-5).unwrap();
    assert_all_close("estimice coef", &ls.coef, &nums(&d["coef"]));
    assert_close("estimice rss", ls.rss, num(&d["rss"]));
    assert_close("estimice df", ls.df, num(&d["df"]));
    assert_all_close("estimice v", &ls.v, &nums(&d["v"]));
    let (beta, sigma) = norm_draw_given(&ls, num(&d["chi2"]), &nums(&d["z"])).unwrap();
    assert_all_close(".norm.draw beta", &beta, &nums(&d["beta"]));
    assert_close(".norm.draw sigma", sigma, num(&d["sigma"]));

    let m = match_index_given(
        &nums(&d["match_d"]),
        &nums(&d["match_t"]),
        &idx(&d["shuffle"]),
        &idx(&d["h"]),
    );
    assert_eq!(m, idx(&d["match"]), "matchindex with ties");

    let imp = pmm_given(
        &y,
        &ry,
        &x,
        1e-5,
        &PmmVariates {
            chi2: num(&d["pmm_chi2"]),
            z: nums(&d["pmm_z"]),
            shuffle: idx(&d["pmm_shuffle"]),
            h: idx(&d["pmm_h"]),
        },
    )
    .unwrap();
    assert_eq!(imp, nums(&d["pmm_imputed"]), "mice.impute.pmm");
}

#[test]
fn logreg_pieces_match_mice_exactly() {
    let fx = fixture("mice_pmm");
    let d = &fx["deterministic"];
    let (y, ry, x) = (nums(&d["vent"]), bools(&d["vent_ry"]), cols(&d["vent_x"]));
    let a = augment(&y, &ry, &x);
    assert_all_close("augment y", &a.y, &nums(&d["augment_y"]));
    assert_all_close("augment w", &a.w, &nums(&d["augment_w"]));
    for (j, (got, want)) in a.x.iter().zip(cols(&d["augment_x"])).enumerate() {
        assert_all_close(&format!("augment x{j}"), got, &want);
    }
    let fit = logistic_regression(&a.y, &a.x, Some(&a.w), &LogisticOptions::default()).unwrap();
    assert_all_close("logreg glm.fit coef", &fit.coef, &nums(&d["logreg_coef"]));
    let (z, u) = (nums(&d["logreg_z"]), nums(&d["logreg_u"]));
    let imp = logreg_given(&y, &ry, &x, |_| (z, u)).unwrap();
    assert_eq!(imp, nums(&d["logreg_imputed"]), "mice.impute.logreg");
}

fn columns(fx: &Value) -> Vec<MiceColumn> {
    let names: Vec<String> = crate::common::strs(&fx["names"]);
    names
        .iter()
        .map(|nm| MiceColumn {
            name: nm.clone(),
            values: nums(&fx["data"][nm]),
            kind: if ["treat", "death", "vent"].contains(&nm.as_str()) {
                VariableKind::Binary
            } else {
                VariableKind::Continuous
            },
        })
        .collect()
}

/// Pooled (estimate, se) of the glm and the lm of `mice_pmm.R` for one run of ours.
fn pooled_run(cols: &[MiceColumn], seed: u64) -> (Vec<[f64; 2]>, Vec<[f64; 2]>) {
    let opts = MiceOptions {
        m: 20,
        maxit: 5,
        seed,
        ..MiceOptions::default()
    };
    let imp = mice(cols, &opts.validate(cols).unwrap()).unwrap();
    let col =
        |data: &[Vec<f64>], nm: &str| data[imp.names.iter().position(|n| n == nm).unwrap()].clone();
    let (mut g, mut l) = (vec![], vec![]);
    for data in &imp.completed {
        let x: Vec<Vec<f64>> = ["treat", "age", "platelets", "inr", "fibrinogen", "vent"]
            .iter()
            .map(|nm| col(data, nm))
            .collect();
        let fit = logistic_regression(&col(data, "death"), &x, None, &LogisticOptions::default())
            .unwrap();
        g.push((fit.coef, fit.se, fit.df_residual as f64));
        let x: Vec<Vec<f64>> = ["platelets", "inr", "age", "vent"]
            .iter()
            .map(|nm| col(data, nm))
            .collect();
        l.push(linear_regression(&col(data, "fibrinogen"), &x).unwrap());
    }
    let pool = |fits: &[(Vec<f64>, Vec<f64>, f64)]| -> Vec<[f64; 2]> {
        (0..fits[0].0.len())
            .map(|j| {
                let q: Vec<f64> = fits.iter().map(|f| f.0[j]).collect();
                let u: Vec<f64> = fits.iter().map(|f| f.1[j] * f.1[j]).collect();
                let p = pool_scalar(&q, &u, fits[0].2, 0.95).unwrap();
                [p.estimate, p.std_error]
            })
            .collect()
    };
    (pool(&g), pool(&l))
}

/// Our mean over `RUNS` seeds of the pooled estimate and SE (m = 20 each) against the mean over
/// R's 25 seeds. Both means carry Monte Carlo error: with `sd` the SD over runs of one pooled
/// value (R's 25 runs estimate it), the difference of the two means has SD
/// `sd sqrt(1/RUNS + 1/25)`; the tolerance is 4 of those (a false alarm about 1 in 16,000 per
/// comparison if the two algorithms are the same), and it is small next to what differs
/// from complete-case analysis (checked too, so the test can fail).
#[test]
fn pooled_pmm_estimates_agree_with_mice_within_monte_carlo_error() {
    const RUNS: usize = 10;
    let fx = fixture("mice_pmm");
    let cols = columns(&fx);
    let runs: Vec<_> = (0..RUNS)
        .map(|s| pooled_run(&cols, 100 + s as u64))
        .collect();
    let r_runs = num(&fx["runs"]);
    for (model, pick) in [("glm", 0usize), ("lm", 1)] {
        let want = &fx[model];
        let terms = crate::common::strs(&want["terms"]);
        for (stat, which) in [("estimate", 0usize), ("se", 1)] {
            let mean = nums(&want[stat]["mean"]);
            let sd = nums(&want[stat]["sd"]);
            for (j, term) in terms.iter().enumerate() {
                let ours = runs
                    .iter()
                    .map(|r| {
                        if pick == 0 {
                            r.0[j][which]
                        } else {
                            r.1[j][which]
                        }
                    })
                    .sum::<f64>()
                    / RUNS as f64;
                let tol = 4.0 * sd[j] * (1.0 / RUNS as f64 + 1.0 / r_runs).sqrt();
                assert!(
                    (ours - mean[j]).abs() <= tol,
                    "{model} {term} {stat}: ours {ours} vs mice {} (MC sd of one run {}, tolerance {tol})",
                    mean[j],
                    sd[j]
                );
                if stat == "estimate" {
                    let cc = nums(&want["complete_case"])[j];
                    eprintln!(
                        "{model} {term}: ours {ours:.6} mice {:.6} (|diff|/sd {:.2}) complete-case {cc:.6}",
                        mean[j],
                        (ours - mean[j]).abs() / sd[j]
                    );
                }
            }
        }
    }
}

#[test]
fn imputations_do_not_depend_on_the_thread_count() {
    let fx = fixture("mice_pmm");
    let cols = columns(&fx);
    let opts = MiceOptions {
        m: 6,
        maxit: 3,
        seed: 7,
        ..MiceOptions::default()
    };
    let valid = opts.validate(&cols).unwrap();
    let run = |threads| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| mice(&cols, &valid).unwrap())
    };
    let one = run(1);
    assert_eq!(one, run(3));
    // Observed values are kept and every missing value is filled with an observed one (PMM).
    for (j, c) in cols.iter().enumerate() {
        let observed: Vec<f64> = c.values.iter().copied().filter(|v| !v.is_nan()).collect();
        for data in &one.completed {
            for (i, v) in data[j].iter().enumerate() {
                if c.values[i].is_nan() {
                    assert!(
                        observed.contains(v),
                        "{} row {i}: {v} not a donor value",
                        c.name
                    );
                } else {
                    assert_eq!(*v, c.values[i]);
                }
            }
        }
    }
    assert_ne!(one.completed[0], one.completed[1], "imputations differ");
}

#[test]
fn mice_rejects_bad_columns() {
    let col = |name: &str, values: Vec<f64>, kind| MiceColumn {
        name: name.into(),
        values,
        kind,
    };
    let o = MiceOptions::default();
    let bin = col("vent", vec![0.0, 2.0, f64::NAN], VariableKind::Binary);
    let err = o.validate(&[bin]).unwrap_err().to_string();
    assert!(err.contains("vent") && err.contains("row 2"), "{err}");
    let short = col(
        "fib",
        vec![1.0, f64::NAN, f64::NAN],
        VariableKind::Continuous,
    );
    assert!(o.validate(&[short]).is_err());
    let a = col("a", vec![1.0, 2.0, f64::NAN], VariableKind::Continuous);
    let b = col("b", vec![1.0, 2.0], VariableKind::Continuous);
    assert!(o.validate(&[a.clone(), b]).is_err());
    let bad_visit = MiceOptions {
        visit_sequence: Some(vec![1]),
        ..MiceOptions::default()
    };
    assert!(bad_visit.validate(&[a]).is_err());
}

#[test]
fn imputation_plan_is_checked_and_not_silently_ignored() {
    use dicohort::cohort::valid_plan::ValidPlan;
    let base = dicohort::cohort::plan::DEFAULT_PLAN;
    let plan =
        ValidPlan::from_toml(&format!("{base}\n[imputation]\nm = 20\nmethod = \"pmm\"\n")).unwrap();
    let imp = plan.imputation().unwrap();
    assert_eq!(imp.mice_options().m, 20);
    assert_eq!(imp.mice_options().maxit, 5);
    assert!(ValidPlan::default_plan().imputation().is_none());
    for (bad, key) in [
        ("m = 1", "imputation.m"),
        ("maxit = 0", "imputation.maxit"),
        ("donors = 0", "imputation.donors"),
        ("method = \"mean\"", "imputation"),
    ] {
        let err = ValidPlan::from_toml(&format!("{base}\n[imputation]\n{bad}\n"))
            .unwrap_err()
            .to_string();
        assert!(err.contains(key), "{bad}: {err}");
    }
    let cohort = dicohort::simulate::simulate_cohort(&dicohort::simulate::SimParams::new(60, 3))
        .unwrap()
        .0;
    let err = dicohort::cohort::analysis::run_plan(&plan, cohort, &mut |_: &str| {})
        .unwrap_err()
        .to_string();
    assert!(err.contains("not yet wired"), "{err}");
}

/// The imputed primary analysis on a simulated MAR registry: labs are imputed only where they
/// were missing (with observed donor values), the scores are recomputed from them (more patients
/// analysed than complete-case), and Rubin pooling reports a fraction of missing information.
#[test]
fn imputed_primary_iptw_hazard_ratio_pools_over_imputations() {
    use dicohort::cohort::analysis::run_plan;
    use dicohort::cohort::impute::{impute_day1_labs, run_plan_imputed};
    use dicohort::cohort::valid_plan::ValidPlan;
    use dicohort::simulate::missing::LabMissingness;
    let mut params = dicohort::simulate::SimParams::new(700, 12);
    params.lab_missingness = Some(LabMissingness::Mar);
    let cohort = dicohort::simulate::simulate_cohort(&params).unwrap().0;
    let base = "[inference]\nbootstrap = 0\n[design]\nsensitivity = []\n";
    let cc = ValidPlan::from_toml(base).unwrap();
    let plan = ValidPlan::from_toml(&format!("{base}[imputation]\nm = 4\nmaxit = 3\n")).unwrap();
    let (completed, n_imputed) = impute_day1_labs(&plan, &cohort).unwrap();
    assert_eq!(completed.len(), 4);
    assert!(n_imputed[0] > 50 && n_imputed[4] > 50, "{n_imputed:?}");
    let d = &cohort.days;
    for c in &completed {
        for r in 0..d.day.len() {
            if d.day[r] == 1 && d.platelets[r].is_nan() {
                assert!(d.platelets.contains(&c.days.platelets[r]), "donor value");
            } else if !d.platelets[r].is_nan() {
                assert_eq!(c.days.platelets[r], d.platelets[r]);
            }
        }
    }
    let complete_case = run_plan(&cc, cohort.clone(), &mut |_| {}).unwrap();
    let n_cc = complete_case.designs[0].overall.n;
    let mi = run_plan_imputed(&plan, &cohort, &mut |_| {}).unwrap();
    assert_eq!(mi.per_imputation.len(), 4);
    assert!(mi.per_imputation.windows(2).any(|w| w[0] != w[1]));
    assert!(
        mi.pooled.fmi > 0.0 && mi.pooled.fmi < 1.0,
        "fmi {}",
        mi.pooled.fmi
    );
    assert!(mi.lower < mi.hr && mi.hr < mi.upper);
    let n_mi = run_plan(&cc, completed[0].clone(), &mut |_| {})
        .unwrap()
        .designs[0]
        .overall
        .n;
    assert!(
        n_mi > n_cc,
        "imputed analysis keeps {n_mi} patients, complete-case {n_cc}"
    );
    eprintln!(
        "MAR registry n=700: complete-case n={n_cc}; imputed n={n_mi}, pooled HR {:.3} ({:.3} to \
         {:.3}), fmi {:.3}",
        mi.hr, mi.lower, mi.upper, mi.pooled.fmi
    );
}
