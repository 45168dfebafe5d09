//! Who benefits and at what cost, end to end on the simulator: the bleeding hazard ratio the
//! simulator plants (`SimParams::bleeding_hr`, a daily conditional hazard ratio from the
//! treatment's start) is found by the IPTW-weighted cause-specific and Fine-Gray models of the
//! primary design, none is found when none is planted, and every `[[modifiers]]` entry gives a
//! curve with its tests.

use dicohort::cohort::analysis::{run_plan, AnalysisResult};
use dicohort::cohort::plan::Plan;
use dicohort::simulate::{simulate_cohort, SimParams};

const PLAN: &str = r#"
[design]
primary = "landmark"
sensitivity = []

[[modifiers]]
column = "sofa_lo_day1"
knots = 4
"#;

fn run(bleeding_hr: f64, seed: u64) -> AnalysisResult {
    let mut params = SimParams::new(6000, seed);
    params.bleeding_hr = bleeding_hr;
    let (cohort, _) = simulate_cohort(&params).unwrap();
    let plan = Plan::from_toml(PLAN).unwrap().check().unwrap();
    run_plan(&plan, cohort, &mut |_| {}).unwrap()
}

#[test]
fn planted_bleeding_harm_is_found_and_none_is_found_without_it() {
    let harmed = run(2.0, 3);
    let h = harmed.designs[0]
        .harm
        .as_ref()
        .expect("bleeding is recorded");
    let cs = h.cause_specific.as_ref().unwrap();
    let fg = h.subdistribution.as_ref().unwrap();
    assert!(cs.lower > 1.2 && fg.lower > 1.2, "{cs:?} {fg:?}");
    assert!(cs.lower < 2.0 && 2.0 < cs.upper * 1.15, "{cs:?}");
    let adj = h.risks.iter().find(|r| r.adjusted).unwrap();
    assert!(adj.risk_difference.lower > 0.0, "{adj:?}");

    let none = run(1.0, 3);
    let h = none.designs[0].harm.as_ref().unwrap();
    let cs = h.cause_specific.as_ref().unwrap();
    assert!(cs.lower < 1.0 && 1.0 < cs.upper, "{cs:?}");
}

#[test]
fn each_modifier_gives_a_curve_over_the_supported_range() {
    let r = run(1.5, 4);
    let d = &r.designs[0];
    assert!(d.benefit_notes.is_empty(), "{:?}", d.benefit_notes);
    let m = &d.modifiers[0];
    assert_eq!(m.column, "sofa_lo_day1");
    assert_eq!(m.knots.len(), 4);
    assert_eq!(m.curve.len(), 41);
    let lo = m.quantiles[0][0].max(m.quantiles[1][0]);
    let hi = m.quantiles[0][4].min(m.quantiles[1][4]);
    assert_eq!(m.curve[0].modifier, lo);
    assert!((m.curve[40].modifier - hi).abs() < 1e-9);
    assert!(m.curve.iter().all(|p| p.lower < p.hr && p.hr < p.upper));
    assert_eq!(m.effect_modification.df, 3);
    assert_eq!(m.nonlinear_modification.df, 2);
}
