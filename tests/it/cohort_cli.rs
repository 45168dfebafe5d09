//! `dicohort analyze`: the embedded default plan on the embedded registry writes the machine-
//! readable results (JSON + one CSV per table + the flow), deterministically; a user plan with a
//! subgroup expression runs on a small simulated registry; a bad plan fails with a clear error.

use std::path::PathBuf;
use std::process::Command;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_dicohort"))
}

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("dicohort-cohort-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

#[test]
fn analyze_default_writes_every_table() {
    let out = tmp("default");
    let o = bin().args(["analyze", "--out"]).arg(&out).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let stdout = String::from_utf8(o.stdout).unwrap();
    // The summary names the primary design (issue 11: it prints the report's own, disclosure-
    // controlled summary rather than every estimate).
    assert!(stdout.contains("Primary design: "), "{stdout}");
    assert!(
        stdout.contains("BIASED"),
        "the naive design is labelled: {stdout}"
    );
    for f in [
        "analysis.json",
        "plan.json",
        "flow.csv",
        "table1.csv",
        "estimates.csv",
        "mortality.csv",
        "interaction.csv",
        "balance.csv",
        "propensity.csv",
        "km.csv",
        "competing.csv",
    ] {
        assert!(out.join("results").join(f).exists(), "{f} missing");
    }
    for f in ["report.html", "report.md", "figures/figure-km.svg"] {
        assert!(out.join(f).exists(), "{f} missing");
    }
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("results/analysis.json")).unwrap())
            .unwrap();
    let designs = json["designs"].as_array().unwrap();
    assert_eq!(designs[0]["design"], "landmark");
    assert_eq!(designs[0]["primary"], true);
    let naive = designs
        .iter()
        .find(|d| d["design"] == "naive_ever_treated")
        .unwrap();
    assert_eq!(naive["biased"], true);
    let outcomes: Vec<&str> = json["outcomes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["kind"].as_str().unwrap())
        .collect();
    assert_eq!(outcomes, ["binary", "time_to_death", "competing"]);
    // The landmark exclusions are in the flow file.
    let flow = std::fs::read_to_string(out.join("results/flow.csv")).unwrap();
    assert!(
        flow.contains("alive and in hospital at the end of day 3 (landmark),patients,3000,died before the end of day 3")
    );
    // Every estimate row names its outcome; naive rows are flagged.
    let est = std::fs::read_to_string(out.join("results/estimates.csv")).unwrap();
    assert!(est.lines().skip(1).all(|l| l.contains(",time_to_death,")));
    assert!(est
        .lines()
        .any(|l| l.starts_with("naive_ever_treated,true,")));
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn analyze_user_plan_deterministically_and_bad_plan() {
    let dir = tmp("plan");
    std::fs::create_dir_all(&dir).unwrap();
    let plan = dir.join("plan.toml");
    std::fs::write(
        &plan,
        r#"
title = "thrombomodulin, old and sick"
[exposure]
name = "thrombomodulin"
drugs = ["thrombomodulin"]
[design]
sensitivity = []
[[subgroups]]
kind = "expression"
expr = "apache2 >= 25 and age < 80"
"#,
    )
    .unwrap();
    let out = dir.join("out");
    let o = bin()
        .args(["analyze"])
        .arg(&plan)
        .args(["--simulate-patients", "800", "--seed", "3", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("results/analysis.json")).unwrap())
            .unwrap();
    assert_eq!(json["exposure"]["drugs"][0], "thrombomodulin");
    assert_eq!(json["designs"].as_array().unwrap().len(), 1);
    assert_eq!(
        json["designs"][0]["subgroups"][0]["name"],
        "apache2 >= 25 and age < 80"
    );

    std::fs::write(
        &plan,
        "[[subgroups]]\nkind = \"expression\"\nexpr = \"apache2 >=\"\n",
    )
    .unwrap();
    let o = bin()
        .arg("analyze")
        .arg(&plan)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("plan.toml") && err.contains("apache2 >="),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
