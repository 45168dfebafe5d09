//! The planted truth of the synthetic registry (conditional treatment HR 0.70 in DIC = JAAM >= 4
//! on day 1, 1.0 otherwise; confounding by indication, fully measured by the propensity
//! covariates; treatment often starting on day 2-3): the landmark + IPTW analysis recovers it in
//! each group, while the naive ever-treated analysis is visibly biased (immortal time): its DIC
//! interval lies far below the truth (and below the landmark interval) and its non-DIC estimate
//! below 1. (In this simulator early deaths are rarer without DIC, so the immortal-time bias is
//! smaller there.)
//!
//! The truth IPTW (ATE) targets is the MARGINAL hazard ratio of the landmark contrast
//! (`truth.json` `marginal_hazard_ratio`, computed by the simulator from each landmark patient's
//! two potential outcomes with common random numbers), not the conditional `true_hazard_ratio`:
//! hazard ratios are non-collapsible, so the population-averaged one lies nearer 1 (about 0.73
//! in DIC for a conditional 0.70; exactly 1 without DIC).
//!
//! One fixed seed and a size that runs in seconds in debug mode; `truth_recovered_large` (ignored)
//! prints larger runs for release runs by hand.

use dicohort::cohort::analysis::{run_plan, AnalysisResult, HrEstimate, HrMethod};
use dicohort::cohort::landmark::Design;
use dicohort::cohort::plan::Plan;
use dicohort::schema::Cohort;
use dicohort::simulate::{simulate_cohort, SimParams, Truth};

fn registry(n: u64, seed: u64) -> (Cohort, Truth) {
    let (cohort, truth) = simulate_cohort(&SimParams::new(n, seed)).unwrap();
    assert_eq!(truth.counts.patients, n);
    (cohort, truth)
}

const PLAN: &str = r#"
[design]
primary = "landmark"
sensitivity = ["naive_ever_treated"]

[[subgroups]]
kind = "dic"
score = "jaam"
days = [1, 1]
"#;

fn iptw<'a>(r: &'a AnalysisResult, design: Design, level: &str) -> &'a HrEstimate {
    estimate(r, design, level, HrMethod::Iptw)
}

fn estimate<'a>(
    r: &'a AnalysisResult,
    design: Design,
    level: &str,
    method: HrMethod,
) -> &'a HrEstimate {
    let d = r.designs.iter().find(|d| d.design == design).unwrap();
    let l = d.subgroups[0]
        .levels
        .iter()
        .find(|l| l.population == level)
        .unwrap();
    l.hazard_ratios
        .iter()
        .find(|h| h.method == method)
        .unwrap_or_else(|| panic!("no {method:?} estimate: {:?}", l.notes))
}

/// Runs the analysis; `coverage` also asserts that the landmark IPTW intervals cover the
/// marginal truth.
fn check(n: u64, seed: u64, coverage: bool) {
    let plan = Plan::from_toml(PLAN).unwrap();
    let (cohort, truth) = registry(n, seed);
    let m = &truth.marginal_hazard_ratio;
    // The analysis's DIC levels are the patients whose day-1 JAAM status the written data decide.
    let (m_dic, m_non) = (
        m.dic_as_decided_in_data.unwrap(),
        m.non_dic_as_decided_in_data.unwrap(),
    );
    // No effect without DIC: both potential outcomes coincide, the marginal HR is exactly 1.
    assert_eq!(m_non, 1.0);
    assert_eq!(m.non_dic, Some(1.0));
    // Non-collapsibility: the marginal HR lies between the conditional 0.70 and 1.
    assert!(0.70 < m_dic && m_dic < 0.80, "marginal DIC truth {m_dic}");
    let r = run_plan(&plan.check().unwrap(), cohort, &mut |_| {}).unwrap();
    let lm_dic = iptw(&r, Design::Landmark, "DIC");
    let lm_non = iptw(&r, Design::Landmark, "no DIC");
    let nv_dic = iptw(&r, Design::NaiveEverTreated, "DIC");
    let nv_non = iptw(&r, Design::NaiveEverTreated, "no DIC");
    let show = |h: &HrEstimate| format!("{:.3} ({:.3}-{:.3})", h.hr, h.lower, h.upper);
    let dr = |level| {
        show(estimate(
            &r,
            Design::Landmark,
            level,
            HrMethod::IptwAdjusted,
        ))
    };
    eprintln!(
        "n={n} seed={seed}: marginal truth DIC {m_dic:.4} non-DIC {m_non}; landmark IPTW DIC {} non-DIC {}; landmark IPTW+covariates DIC {} \
         non-DIC {}; naive IPTW DIC {} non-DIC {}",
        show(lm_dic),
        show(lm_non),
        dr("DIC"),
        dr("no DIC"),
        show(nv_dic),
        show(nv_non)
    );
    if coverage {
        // Landmark + IPTW covers the marginal truth in each group. (IPTW + covariates estimates
        // a hazard ratio conditional on the propensity covariates, a third estimand between the
        // two truths: printed, not asserted.)
        assert!(
            lm_dic.lower < m_dic && m_dic < lm_dic.upper,
            "landmark IPTW DIC {} vs marginal truth {m_dic}",
            show(lm_dic)
        );
        assert!(
            lm_non.lower < m_non && m_non < lm_non.upper,
            "landmark IPTW non-DIC {} vs marginal truth {m_non}",
            show(lm_non)
        );
    }
    // The naive analysis credits immortal time to treatment: far below either truth.
    assert!(nv_dic.upper < 0.70, "naive DIC: {}", show(nv_dic));
    assert!(nv_dic.hr < 0.8 * 0.70, "naive DIC: {}", show(nv_dic));
    assert!(nv_non.upper < m_non, "naive non-DIC: {}", show(nv_non));
    assert!(nv_non.hr < 0.95, "naive non-DIC: {}", show(nv_non));
    // The naive estimate lies below the landmark interval (their intervals may touch since the
    // site-clustered intervals carry the few-clusters correction: 12 sites, t on 11 df).
    assert!(
        nv_dic.hr < lm_dic.lower,
        "naive DIC {} vs landmark {}",
        show(nv_dic),
        show(lm_dic)
    );
    // Every naive output is labelled biased.
    let naive = r
        .designs
        .iter()
        .find(|d| d.design == Design::NaiveEverTreated)
        .unwrap();
    assert!(naive.biased && naive.label.contains("BIASED") && !naive.primary);
    // The landmark exclusions are counted in the flow.
    let step = r
        .flow
        .steps
        .iter()
        .find(|s| {
            s.label
                .starts_with("alive and in hospital at the end of day 3")
        })
        .unwrap();
    assert_eq!(step.n_in, n);
    assert!(step.excluded.iter().map(|e| e.1).sum::<u64>() > 0);
}

#[test]
fn truth_recovered_by_landmark_iptw_not_by_naive() {
    check(6000, 7, true);
}

/// Run by hand in release: `cargo test --release --test cohort_truth -- --ignored --nocapture`.
/// Three seeds of 200,000 patients, with the coverage assertions (the marginal truth is the
/// estimand, so coverage should hold at any size, up to the 5% of runs an interval misses).
#[test]
#[ignore]
fn truth_recovered_large() {
    for seed in [1, 2, 3] {
        check(200_000, seed, true);
    }
}
