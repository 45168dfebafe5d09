//! Edge-case behaviour of `dicohort::meta` beyond numeric parity (which tests/meta_metafor.rs
//! checks against metafor for the same cases): what is dropped, corrected, refused, and why.

use dicohort::meta::{
    escalc, meta_analysis, subgroup_analysis, trial_table, DoubleZero, Measure, MetaError,
    MetaOptions, Method, Test, TwoByTwo, ZeroCellRule,
};

fn t(a: f64, n1: f64, c: f64, n2: f64) -> TwoByTwo {
    trial_table(a, n1, c, n2)
}

fn opts(method: Method, test: Test) -> MetaOptions {
    MetaOptions::new(method).with_test(test)
}

#[test]
fn zero_cell_gets_half_added_and_is_named() {
    let tabs = [t(0.0, 50.0, 5.0, 50.0), t(12.0, 100.0, 18.0, 100.0)];
    let es = escalc(
        Measure::RR,
        &tabs,
        ZeroCellRule::metafor_default(Method::REML),
    )
    .unwrap();
    assert_eq!(es.corrected, vec![true, false]);
    // log((0.5/51) / (5.5/51)) and 1/0.5 - 1/51 + 1/5.5 - 1/51
    assert!((es.yi[0] - (0.5f64 / 5.5).ln()).abs() < 1e-15);
    assert!((es.vi[0] - (2.0 - 2.0 / 51.0 + 1.0 / 5.5)).abs() < 1e-15);
    assert!(ZeroCellRule::metafor_default(Method::REML)
        .describe()
        .contains("only0"));
}

/// metafor 3.8-1: `escalc()` / `rma.uni()` keep double-zero studies (`drop00 = FALSE`, 1/2 added),
/// `rma.mh()` / `rma.peto()` drop their study-level effects (`drop00 = TRUE`); `--double-zero
/// drop` is the Cochrane Handbook's rule. The numbers of both rules are checked against R in
/// meta_metafor.rs (cases "edge double_zero keep|drop ...").
#[test]
fn double_zero_default_is_metafors_for_each_method() {
    let tabs = [
        t(0.0, 30.0, 0.0, 30.0),
        t(12.0, 100.0, 18.0, 100.0),
        t(7.0, 80.0, 9.0, 80.0),
    ];
    assert_eq!(DoubleZero::metafor_default(Method::REML), DoubleZero::Keep);
    assert_eq!(DoubleZero::metafor_default(Method::MH), DoubleZero::Drop);
    assert_eq!(DoubleZero::metafor_default(Method::Peto), DoubleZero::Drop);
    for measure in [Measure::RR, Measure::OR] {
        let kept = meta_analysis(&tabs, measure, opts(Method::REML, Test::Z)).unwrap();
        assert!(kept.effects.dropped_double_zero.is_empty());
        assert_eq!(kept.effects.corrected, vec![true, false, false]);
        assert_eq!(kept.pooled.k, 3);
        let dropped = meta_analysis(
            &tabs,
            measure,
            opts(Method::REML, Test::Z).with_double_zero(DoubleZero::Drop),
        )
        .unwrap();
        assert_eq!(dropped.effects.dropped_double_zero, vec![0]);
        assert_eq!(dropped.pooled.k, 2);
        // MH keeps the table (k counts it) but it adds nothing to the ratio estimate.
        let mh = meta_analysis(&tabs, measure, opts(Method::MH, Test::Z)).unwrap();
        let mh2 = meta_analysis(&tabs[1..], measure, opts(Method::MH, Test::Z)).unwrap();
        assert_eq!(mh.pooled.k, 3);
        assert!((mh.pooled.estimate - mh2.pooled.estimate).abs() < 1e-14);
        assert_eq!(mh.pooled.q_df, 1);
        // ... and with `keep` its corrected effect enters Q (df 2), as rma.mh(drop00 = FALSE).
        let mh_keep = meta_analysis(
            &tabs,
            measure,
            opts(Method::MH, Test::Z).with_double_zero(DoubleZero::Keep),
        )
        .unwrap();
        assert_eq!(mh_keep.pooled.q_df, 2);
        assert_eq!(mh_keep.pooled.estimate, mh.pooled.estimate);
    }
    let rd = meta_analysis(&tabs, Measure::RD, opts(Method::REML, Test::Z)).unwrap();
    assert!(rd.effects.dropped_double_zero.is_empty());
    assert_eq!(rd.pooled.k, 3);
}

#[test]
fn identical_studies_have_no_heterogeneity() {
    let tabs = [t(10.0, 100.0, 20.0, 100.0); 3];
    for method in [Method::DL, Method::REML, Method::PM, Method::HS] {
        let m = meta_analysis(&tabs, Measure::RR, opts(method, Test::Z))
            .unwrap()
            .pooled;
        assert_eq!(m.tau2, 0.0, "{method:?}");
        assert!(m.q.abs() < 1e-24);
        assert_eq!(m.i2, 0.0);
        let ci = m.tau2_ci.unwrap();
        assert!(ci.null_interval && ci.lower == 0.0 && ci.upper == 0.0);
        // Knapp-Hartung: the residual variance is 0, so is the standard error (as metafor).
        let k = meta_analysis(&tabs, Measure::RR, opts(method, Test::Knha))
            .unwrap()
            .pooled;
        assert_eq!(k.se, 0.0);
        assert_eq!(k.knha_factor, Some(0.0));
    }
}

#[test]
fn single_study_is_its_own_estimate_and_knha_falls_back_to_z() {
    let tabs = [t(4.0, 123.0, 11.0, 139.0)];
    let m = meta_analysis(&tabs, Measure::RR, opts(Method::REML, Test::Knha)).unwrap();
    assert_eq!(m.pooled.k, 1);
    assert_eq!(m.pooled.test, Test::Z);
    assert_eq!(m.pooled.estimate, m.effects.yi[0]);
    assert_eq!(m.pooled.se, m.effects.vi[0].sqrt());
    assert!(m.pooled.tau2_ci.is_none());
    assert_eq!(
        (m.pooled.q, m.pooled.q_p, m.pooled.i2, m.pooled.h2),
        (0.0, 1.0, 0.0, 1.0)
    );
}

#[test]
fn huge_heterogeneity_widens_knha_and_prediction_intervals() {
    let tabs = [
        t(5.0, 100.0, 50.0, 100.0),
        t(50.0, 100.0, 5.0, 100.0),
        t(10.0, 100.0, 10.0, 100.0),
        t(2.0, 100.0, 60.0, 100.0),
        t(70.0, 100.0, 3.0, 100.0),
    ];
    let z = meta_analysis(&tabs, Measure::OR, opts(Method::REML, Test::Z))
        .unwrap()
        .pooled;
    assert!(z.i2 > 95.0 && z.q_p < 1e-10);
    assert!(z.pi_upper - z.pi_lower > z.ci_upper - z.ci_lower);
    let k = meta_analysis(&tabs, Measure::OR, opts(Method::REML, Test::Knha))
        .unwrap()
        .pooled;
    assert_eq!(k.df, Some(4.0));
    assert!(k.ci_upper - k.ci_lower > z.ci_upper - z.ci_lower);
}

#[test]
fn single_study_subgroup_is_pooled_and_tested() {
    let tabs = [
        t(12.0, 100.0, 18.0, 100.0),
        t(7.0, 80.0, 9.0, 80.0),
        t(30.0, 120.0, 29.0, 120.0),
    ];
    let labels: Vec<String> = ["a", "a", "b"].iter().map(|s| s.to_string()).collect();
    let sg = subgroup_analysis(&tabs, &labels, Measure::RR, opts(Method::REML, Test::Z)).unwrap();
    assert_eq!(sg.subgroups.len(), 2);
    assert_eq!(sg.subgroups[1].analysis.pooled.k, 1);
    assert_eq!(sg.between.df, 1);
    assert!(sg.between.q > 0.0 && sg.between.p < 1.0);
}

#[test]
fn invalid_requests_are_typed_errors() {
    let tabs = [t(12.0, 100.0, 18.0, 100.0), t(7.0, 80.0, 9.0, 80.0)];
    assert!(matches!(
        meta_analysis(&tabs, Measure::RR, opts(Method::MH, Test::Knha)),
        Err(MetaError::InvalidInput(_))
    ));
    assert!(matches!(
        meta_analysis(&tabs, Measure::RR, opts(Method::Peto, Test::Z)),
        Err(MetaError::InvalidInput(_))
    ));
    let bad = [t(12.0, 100.0, 18.0, 100.0), t(90.0, 80.0, 9.0, 80.0)];
    assert_eq!(
        meta_analysis(&bad, Measure::RR, opts(Method::DL, Test::Z)).unwrap_err(),
        MetaError::InvalidCounts {
            study: 2,
            column: "events_treated",
            message: "more events than patients".into()
        }
    );
    let no_events = [t(0.0, 30.0, 0.0, 30.0), t(0.0, 20.0, 0.0, 25.0)];
    let drop = opts(Method::DL, Test::Z).with_double_zero(DoubleZero::Drop);
    assert_eq!(
        meta_analysis(&no_events, Measure::RR, drop).unwrap_err(),
        MetaError::AllDoubleZero { n: 2 }
    );
    assert!(meta_analysis(&no_events, Measure::RR, drop)
        .unwrap_err()
        .to_string()
        .contains("--double-zero keep"));
    assert!(matches!(
        meta_analysis(&no_events, Measure::OR, opts(Method::MH, Test::Z)),
        Err(MetaError::NotEstimable { .. })
    ));
    assert_eq!(
        meta_analysis(&[], Measure::RR, opts(Method::IV, Test::Z)).unwrap_err(),
        MetaError::NoStudies
    );
}

#[test]
fn escalc_to_all_if0all_none_as_metafor() {
    // R: escalc("OR", ai = c(0, 12), n1i = c(50, 100), ci = c(5, 18), n2i = c(50, 100), to = ...)
    // (metafor 3.8-1, printed with %.17g).
    use dicohort::meta::AddTo;
    let tabs = [t(0.0, 50.0, 5.0, 50.0), t(12.0, 100.0, 18.0, 100.0)];
    let want = [
        (-2.502_156_283_122_78, 2.2235981839942234),
        (-0.462_246_346_449_272_1, 0.15747470120351476),
    ];
    for to in [AddTo::All, AddTo::IfAnyZeroAll] {
        let es = escalc(
            Measure::OR,
            &tabs,
            ZeroCellRule {
                add: 0.5,
                to,
                drop00: false,
            },
        )
        .unwrap();
        for (i, (y, v)) in want.iter().enumerate() {
            assert!((es.yi[i] - y).abs() <= 1e-14 * y.abs(), "{to:?} yi[{i}]");
            assert!((es.vi[i] - v).abs() <= 1e-14 * v.abs(), "{to:?} vi[{i}]");
        }
        assert_eq!(es.corrected, vec![true, true]);
    }
    // to = "none": metafor gives NA for the zero-cell study; we give a non-finite value, which
    // the pooling functions refuse.
    let es = escalc(
        Measure::OR,
        &tabs,
        ZeroCellRule {
            add: 0.5,
            to: AddTo::None,
            drop00: false,
        },
    )
    .unwrap();
    assert!(!es.yi[0].is_finite());
    assert!((es.yi[1] - -0.476_082_675_322_117_7).abs() < 1e-14);
    assert!((es.vi[1] - 0.16244764720374477).abs() < 1e-14);
    assert!(dicohort::meta::rma_uni(&es.yi, &es.vi, Method::DL, Test::Z, 0.95).is_err());
}
