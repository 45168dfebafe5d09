//! The analysis plan is checked when it is read: every value has a type and a range, and an
//! error names the key's path (`design.tv_lag_days: must be >= 0, got -5`). Regression tests of
//! issue 14: a negative lag ran and labelled the naive estimate as the unbiased design; `nan`
//! and `inf` gave blank estimates and `"tv_lag_days": null` in `plan.json`.

use std::process::Command;

use dicohort::cohort::landmark::Design;
use dicohort::cohort::plan::Plan;
use dicohort::cohort::valid_plan::{ValidPlan, MAX_HORIZON_DAYS, MAX_PS_STRATA};
use dicohort::cohort::CohortError;

use crate::common::bin;

/// The key and message of a rejected plan.
fn rejected(src: &str) -> (String, String) {
    match ValidPlan::from_toml(src) {
        Err(CohortError::PlanValue { key, message }) => (key, message),
        Err(other) => panic!("{src}: not a PlanValue error: {other}"),
        Ok(_) => panic!("{src}: accepted"),
    }
}

fn assert_rejected(src: &str, key: &str, fragment: &str) {
    let (k, m) = rejected(src);
    assert_eq!(k, key, "{src}: {m}");
    assert!(m.contains(fragment), "{src}: `{m}` lacks `{fragment}`");
}

#[test]
fn tv_lag_days_negative_is_rejected_naming_the_key() {
    let e = ValidPlan::from_toml("[design]\ntv_lag_days = -5\n").unwrap_err();
    assert_eq!(
        e.to_string(),
        "analysis plan: design.tv_lag_days: must be >= 0, got -5"
    );
}

#[test]
fn tv_lag_days_nan_and_inf_are_rejected_not_written_as_null() {
    for v in ["nan", "inf", "-inf", "+nan"] {
        assert_rejected(
            &format!("[design]\ntv_lag_days = {v}\n"),
            "design.tv_lag_days",
            "must be a finite number",
        );
    }
}

#[test]
fn every_number_that_must_be_finite_rejects_nan_and_inf() {
    let cases = [
        ("conf_level = {}\n", "conf_level"),
        ("[propensity]\ncaliper_sd = {}\n", "propensity.caliper_sd"),
        ("[propensity]\ntrim = [{}, 0.9]\n", "propensity.trim[0]"),
        ("[propensity]\ntrim = [0.1, {}]\n", "propensity.trim[1]"),
        (
            "[[subgroups]]\nkind = \"bands\"\ncolumn = \"age\"\ncuts = [60, {}]\n",
            "subgroups[0].cuts[1]",
        ),
        (
            "[[subgroups]]\nkind = \"antithrombin_low\"\nthreshold = {}\n",
            "subgroups[0].threshold",
        ),
    ];
    for (template, key) in cases {
        for v in ["nan", "inf", "-inf"] {
            assert_rejected(&template.replace("{}", v), key, "finite");
        }
    }
    // The D-dimer ULN is checked by the score layer, under its key.
    let (k, m) = rejected("[scores]\nisth_marker = { preset = \"ddimer-uln\", uln = nan }\n");
    assert_eq!(k, "scores.isth_marker", "{m}");
}

#[test]
fn every_value_out_of_range_is_rejected_with_its_key() {
    let cases: &[(&str, &str, &str)] = &[
        ("title = \"  \"\n", "title", "blank"),
        ("conf_level = 1\n", "conf_level", "(0, 1), got 1"),
        ("conf_level = 0\n", "conf_level", "(0, 1)"),
        ("[labels]\nage = \" \"\n", "labels.age", "blank"),
        ("[labels]\nage = \"Age\\nin years\"\n", "labels.age", "one line"),
        ("[cohort]\npath = \"\"\n", "cohort.path", "blank"),
        ("[outcome]\nhorizon = 0\n", "outcome.horizon", "must be > 0, got 0"),
        ("[outcome]\nhorizon = -28\n", "outcome.horizon", "> 0"),
        ("[outcome]\nhorizon = 3651\n", "outcome.horizon", "at most 3650"),
        ("[outcome]\nhorizon = 3\n", "outcome.horizon", "after the end of the exposure window"),
        ("[dic]\nscore = \"sofa\"\n", "dic.score", "not a diagnostic score"),
        ("[dic]\ndays = [0, 1]\n", "dic.days", "1 <= first <= last"),
        ("[dic]\ndays = [3, 1]\n", "dic.days", "got [3, 1]"),
        ("[dic]\ndays = [1, 29]\n", "dic.days", "outcome horizon (day 28)"),
        ("[exposure]\nname = \"\"\n", "exposure.name", "blank"),
        ("[exposure]\ndrugs = []\n", "exposure.drugs", "at least one"),
        ("[exposure]\ndrugs = [\"heparin\", \" \"]\n", "exposure.drugs[1]", "blank"),
        ("[exposure]\nwindow = [0, 3]\n", "exposure.window", "1 <= first <= last"),
        ("[exposure]\nwindow = [3, 1]\n", "exposure.window", "got [3, 1]"),
        ("[design]\nprimary = \"naive_ever_treated\"\n", "design.primary", "immortal-time"),
        ("[design]\ntv_lag_days = 28\n", "design.tv_lag_days", "less than the outcome horizon"),
        ("[propensity]\ncovariates = [\"age\", \"age\"]\n", "propensity.covariates[1]", "twice"),
        ("[propensity]\ncovariates = [\"\"]\n", "propensity.covariates[0]", "blank"),
        ("[propensity]\ntrim = [0.9, 0.1]\n", "propensity.trim", "0 <= lower < 0.5 < upper <= 1"),
        ("[propensity]\ntrim = [-0.1, 0.9]\n", "propensity.trim", "got [-0.1, 0.9]"),
        ("[propensity]\ntrim = [0.1, 1.5]\n", "propensity.trim", "upper <= 1"),
        ("[propensity]\ntrim = [0.5, 0.9]\n", "propensity.trim", "lower < 0.5"),
        ("[propensity]\ncaliper_sd = 0\n", "propensity.caliper_sd", "must be > 0, got 0"),
        ("[propensity]\ncaliper_sd = -0.2\n", "propensity.caliper_sd", "> 0"),
        ("[propensity]\nstrata = 1\n", "propensity.strata", "from 2 to 100, got 1"),
        ("[propensity]\nstrata = 101\n", "propensity.strata", "got 101"),
        ("[inference]\nbootstrap = 19\n", "inference.bootstrap", "from 20 to 100000, got 19"),
        ("[inference]\nbootstrap = 100001\n", "inference.bootstrap", "got 100001"),
        ("[inference]\ncluster = \" \"\n", "inference.cluster", "blank"),
        ("[propensity]\nwithin_subgroups = false\n", "propensity.within_subgroups", "only true"),
        ("[table1]\nvariables = []\n", "table1.variables", "at least one"),
        ("[table1]\nvariables = [\"age\", \"age\"]\n", "table1.variables[1]", "twice"),
        ("[[subgroups]]\nkind = \"dic\"\nscore = \"sirs\"\n", "subgroups[0].score", "not a diagnostic"),
        ("[[subgroups]]\nkind = \"dic\"\nscore = \"jaam\"\ndays = [2, 1]\n", "subgroups[0].days", "1 <= first"),
        ("[[subgroups]]\nkind = \"dic\"\nscore = \"jaam\"\ndays = [1, 30]\n", "subgroups[0].days", "horizon"),
        ("[[subgroups]]\nkind = \"bands\"\ncolumn = \"age\"\ncuts = []\n", "subgroups[0].cuts", "at least one"),
        ("[[subgroups]]\nkind = \"bands\"\ncolumn = \"age\"\ncuts = [80, 60]\n", "subgroups[0].cuts", "strictly increasing"),
        ("[[subgroups]]\nkind = \"bands\"\ncolumn = \"\"\ncuts = [60]\n", "subgroups[0].column", "blank"),
        ("[[subgroups]]\nkind = \"bands\"\ncolumn = \"a\"\ncuts = [1]\nbounds = [\"a\", \"\"]\n", "subgroups[0].bounds[1]", "blank"),
        ("[[subgroups]]\nkind = \"antithrombin_low\"\nthreshold = 0\n", "subgroups[0].threshold", "(0, 200]"),
        ("[[subgroups]]\nkind = \"antithrombin_low\"\nthreshold = 250\n", "subgroups[0].threshold", "got 250"),
        ("[[subgroups]]\nkind = \"column\"\ncolumn = \" \"\n", "subgroups[0].column", "blank"),
        ("[[subgroups]]\nkind = \"coagulation_groups\"\nname = \"\"\n", "subgroups[0].name", "blank"),
        ("[[subgroups]]\nkind = \"expression\"\nexpr = \"age >\"\n", "subgroups[0].expr", "at character 6"),
        (
            "[[subgroups]]\nkind = \"coagulation_groups\"\n[[subgroups]]\nkind = \"coagulation_groups\"\n",
            "subgroups[1]",
            "name `coagulation group` of subgroups[0]",
        ),
    ];
    for (src, key, fragment) in cases {
        assert_rejected(src, key, fragment);
    }
}

#[test]
fn unknown_keys_are_rejected_with_their_path() {
    assert_rejected("colour = 1\n", "colour", "unknown field `colour`");
    assert_rejected("[design]\nlag = 1\n", "design.lag", "unknown field `lag`");
    assert_rejected("[colour]\nx = 1\n", "colour", "unknown field `colour`");
    assert_rejected(
        "[propensity]\ncovariates = [\"age\",\n  \"female\"]\ncaliper = 0.1\n",
        "propensity.caliper",
        "line 4, column 1",
    );
    let (k, m) = rejected(
        "[[subgroups]]\nkind = \"coagulation_groups\"\n[[subgroups]]\nkind = \"column\"\ncolumn = \"x\"\nlevels = 2\n",
    );
    assert_eq!(k, "subgroups[1]", "{m}");
    assert!(
        m.contains("unknown field `levels`") && m.contains("line 3"),
        "{m}"
    );
    assert_rejected(
        "[[subgroups]]\nkind = \"dic\"\nscore = \"jaam\"\n[[subgroups]]\nkind = \"band\"\n",
        "subgroups[1]",
        "unknown variant `band`",
    );
    assert_rejected(
        "[[subgroups]]\nkind = \"bands\"\ncuts = [1]\n",
        "subgroups[0]",
        "missing field `column`",
    );
}

#[test]
fn wrong_types_are_rejected_with_their_path() {
    assert_rejected("[outcome]\nhorizon = 28.5\n", "outcome.horizon", "line 2");
    assert_rejected(
        "[outcome]\nhorizon = 99999999999\n",
        "outcome.horizon",
        "i32",
    );
    assert_rejected("[propensity]\nstrata = -1\n", "propensity.strata", "line 2");
    assert_rejected(
        "[exposure]\nwindow = \"1-3\"\n",
        "exposure.window",
        "line 2",
    );
    assert_rejected(
        "[design]\nlate_starters = \"dropped\"\n",
        "design.late_starters",
        "dropped",
    );
    assert_rejected(
        "[propensity]\nestimand = \"ATC\"\n",
        "propensity.estimand",
        "ATC",
    );
    assert_rejected(
        "[outcome]\ndischarge = \"alive\"\n",
        "outcome.discharge",
        "alive-to-horizon",
    );
    assert_rejected(
        "[propensity]\nmatch_order = \"random\"\n",
        "propensity.match_order",
        "closest",
    );
    assert_rejected(
        "[inference]\nbootstrap_method = \"jackknife\"\n",
        "inference.bootstrap_method",
        "linearised",
    );
    assert_rejected(
        "[inference]\nbootstrap = -1\n",
        "inference.bootstrap",
        "line 2",
    );
}

#[test]
fn default_plan_and_the_edges_of_each_range_are_accepted() {
    let p = ValidPlan::default_plan();
    assert_eq!(
        p.designs(),
        [
            Design::Landmark,
            Design::TimeVarying,
            Design::NaiveEverTreated
        ]
    );
    assert_eq!(p.horizon(), 28);
    assert_eq!(p.exposure().window().as_array(), [1, 3]);
    assert_eq!(p.as_run(), &Plan::default_plan());
    for src in [
        "[design]\ntv_lag_days = 0\n",
        "[design]\ntv_lag_days = 27.5\n",
        "[design]\nsensitivity = [\"landmark\", \"time_varying\", \"time_varying\"]\n",
        "[propensity]\ntrim = [0, 1]\n",
        "[propensity]\ntrim = [0.49, 0.51]\n",
        "[propensity]\nstrata = 2\n",
        "[inference]\nbootstrap = 0\n",
        "[inference]\nbootstrap = 20\n",
        "[inference]\nbootstrap = 100000\ncluster = \"none\"\nbootstrap_method = \"refit\"\n",
        "[outcome]\ndischarge = \"censor\"\n",
        "[outcome]\ndischarge = \"competing\"\n",
        "[propensity]\nmatch_order = \"largest\"\nquintile_replication = false\n",
        "conf_level = 0.999\n",
        "[outcome]\nhorizon = 4\n",
        "[dic]\ndays = [1, 28]\n",
        "[propensity]\ncovariates = []\n",
    ] {
        ValidPlan::from_toml(src).unwrap_or_else(|e| panic!("{src}: {e}"));
    }
    let edge = format!(
        "[outcome]\nhorizon = {MAX_HORIZON_DAYS}\n[propensity]\nstrata = {MAX_PS_STRATA}\n"
    );
    ValidPlan::from_toml(&edge).unwrap();
    // Listing the primary design again runs it once.
    let p = ValidPlan::from_toml("[design]\nsensitivity = [\"landmark\"]\n").unwrap();
    assert_eq!(p.designs(), [Design::Landmark]);
    // Table 1 defaults to the covariates plus the coagulation group.
    let p = ValidPlan::from_toml("[propensity]\ncovariates = [\"age\"]\n").unwrap();
    assert_eq!(p.table1_variables(), ["age", "coagulation_group"]);
}

#[test]
fn cli_rejects_a_negative_lag_before_any_work() {
    let dir = std::env::temp_dir().join(format!("dicohort-cohort-plan-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let plan = dir.join("plan.toml");
    let out = dir.join("out");
    for (text, want) in [
        (
            "[design]\ntv_lag_days = -5\n",
            "design.tv_lag_days: must be >= 0, got -5",
        ),
        (
            "[design]\ntv_lag_days = nan\n",
            "design.tv_lag_days: must be a finite number, got NaN",
        ),
    ] {
        std::fs::write(&plan, text).unwrap();
        let o = Command::new(bin())
            .arg("analyze")
            .arg(&plan)
            .args(["--simulate-patients", "100", "--out"])
            .arg(&out)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(1), "{err}");
        assert!(err.contains("plan.toml") && err.contains(want), "{err}");
        assert!(!out.exists(), "nothing is written for a rejected plan");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn exposure_drug_that_no_patient_received_is_an_error() {
    let plan = ValidPlan::from_toml(
        "[exposure]\ndrugs = [\"heprin\"]\n[design]\nsensitivity = []\n[[subgroups]]\nkind = \"coagulation_groups\"\n",
    )
    .unwrap();
    let cohort = dicohort::simulate::simulate_cohort(&dicohort::simulate::SimParams::new(50, 1))
        .unwrap()
        .0;
    match dicohort::cohort::analysis::run_plan(&plan, cohort, &mut |_| {}) {
        Err(CohortError::PlanValue { key, message }) => {
            assert_eq!(key, "exposure.drugs[0]");
            assert!(message.contains("heprin"), "{message}");
            assert!(message.contains("did you mean `heparin`?"), "{message}");
        }
        other => panic!("{:?}", other.map(|r| r.title)),
    }
}
