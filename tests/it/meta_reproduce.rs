//! Every pooled figure README.md's meta-analysis section and notebook 01 print, from the same
//! `dicohort meta` commands, against R metafor on the same rows (fixture meta_reproduction.json,
//! written by tests/reference/meta_reproduction.R, which also records the published figure each
//! is compared with). 1e-6 relative.

use serde_json::Value;

use super::meta_cli::json_of;
use crate::common::{assert_close, fixture, num};

const KEYS: [&str; 9] = [
    "estimate", "se", "ci_lower", "ci_upper", "p", "tau2", "i2", "q", "q_p",
];

#[test]
fn every_printed_pooled_figure_matches_metafor() {
    let fx = fixture("meta_reproduction");
    let cases = fx["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 19);
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let mut args: Vec<&str> = vec!["meta"];
        args.extend(
            case["args"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a.as_str().unwrap()),
        );
        args.push("--json");
        let out = json_of(&args);
        let got: &Value = match case["pool"].as_str() {
            None => &out,
            Some("overall") => &out["overall"],
            Some(pop) => out["subgroups"]
                .as_array()
                .unwrap()
                .iter()
                .find(|g| g["subgroup"] == pop)
                .unwrap_or_else(|| panic!("{name}: no subgroup {pop}")),
        };
        let want = &case["result"];
        for key in KEYS {
            let w = num(&want[key]);
            if w.abs() < 1e-12 {
                // tau^2 and I^2 at 0: equal to 0 (relative agreement means nothing there).
                assert!(num(&got[key]).abs() < 1e-10, "{name}: {key} = {}", got[key]);
                continue;
            }
            assert_close(&format!("{name}: {key}"), num(&got[key]), w);
        }
        assert_eq!(got["k"], want["k"], "{name}: k");
        if !want["pi_lower"].is_null() && want["k"].as_u64() > Some(1) {
            assert_close(
                &format!("{name}: pi_lower"),
                num(&got["pi_lower"]),
                num(&want["pi_lower"]),
            );
            assert_close(
                &format!("{name}: pi_upper"),
                num(&got["pi_upper"]),
                num(&want["pi_upper"]),
            );
        }
        // The studies pooled are the ones R pooled.
        let studies: Vec<&str> = got["studies"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["study"].as_str().unwrap())
            .collect();
        let want_studies: Vec<String> = crate::common::strs(&want["studies"]);
        assert_eq!(studies, want_studies, "{name}: studies");
    }
}

/// The README's table prints these figures: they must be the ones the commands give (rounded).
#[test]
fn readme_meta_table_prints_the_commands_figures() {
    let readme = std::fs::read_to_string(crate::common::root().join("README.md")).unwrap();
    let fx = fixture("meta_reproduction");
    let find = |name: &str| {
        fx["cases"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == name)
            .unwrap_or_else(|| panic!("no case {name}"))["result"]
            .clone()
    };
    let ratio = |name: &str, d: usize| {
        let r = find(name);
        let f = |k: &str| format!("{:.*}", d, num(&r[k]).exp());
        format!(
            "{} ({}\u{2013}{})",
            f("estimate"),
            f("ci_lower"),
            f("ci_upper")
        )
    };
    for (name, d) in [
        ("population dic REML", 2),
        ("population coagulopathy REML", 2),
        ("population sepsis REML", 2),
        ("population non-dic REML", 2),
        ("population dic MH", 2),
        ("rtm before 2015 REML", 2),
        ("rtm REML", 2),
        ("rtm MH", 2),
        ("antithrombin no-heparin dic RR", 2),
        ("antithrombin no-heparin non-dic RR", 2),
        ("antithrombin no-heparin (Hoffmann)", 3),
    ] {
        let text = ratio(name, d);
        assert!(readme.contains(&text), "README lacks {name}: {text}");
    }
    let rd = find("antithrombin no-heparin dic RD");
    let points = |k: &str| format!("{:.1}", 100.0 * num(&rd[k])).replace('-', "\u{2212}");
    let text = format!(
        "{} points ({} to {}), Wald P = {:.3}",
        points("estimate"),
        points("ci_lower"),
        points("ci_upper"),
        num(&rd["p"])
    );
    assert!(readme.contains(&text), "README lacks {text}");
}
