//! The report is a pure function of the saved result: `dicohort report --from
//! results/analysis.json` (no patient data) writes the same `report.html`, `report.md` and
//! `figures/` bytes as the `analyze` run that saved the file, and `analysis.json` reads back to
//! the same result (every number to the bit, NaN and infinities included).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use dicohort::cohort::analysis::{run_plan, AnalysisResult};
use dicohort::cohort::plan::Plan;
use dicohort::report::analysis::analysis_report;
use dicohort::report::disclosure::DisclosureRule;
use dicohort::report::html::render_html;
use dicohort::report::markdown::render_markdown;
use dicohort::simulate::{simulate_cohort, SimParams};

use crate::common::bin;

/// The report's files below `dir` (`report.html`, `report.md`, `figures/*`), by relative path.
fn report_files(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    for name in ["report.html", "report.md"] {
        out.insert(PathBuf::from(name), std::fs::read(dir.join(name)).unwrap());
    }
    for e in std::fs::read_dir(dir.join("figures")).unwrap() {
        let p = e.unwrap().path();
        let rel = p.strip_prefix(dir).unwrap().to_path_buf();
        out.insert(rel, std::fs::read(&p).unwrap());
    }
    out
}

fn run(args: &[&str]) {
    let out = Command::new(bin()).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "dicohort {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn report_from_analysis_json_is_byte_identical_to_analyze() {
    let tmp = std::env::temp_dir().join(format!("dicohort-from-results-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    let (a, b) = (tmp.join("analyze"), tmp.join("from"));
    run(&["analyze", "--out", a.to_str().unwrap()]);
    let json = a.join("results/analysis.json");
    run(&[
        "report",
        "--from",
        json.to_str().unwrap(),
        "--out",
        b.to_str().unwrap(),
    ]);
    // Only the report is written, with the disclosure ledger of its rule (the same as the
    // analyze run's): no other results/ file (they would need the patient data).
    let results: Vec<_> = std::fs::read_dir(b.join("results"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(results, vec![std::ffi::OsString::from("disclosure.csv")]);
    assert_eq!(
        std::fs::read(b.join("results/disclosure.csv")).unwrap(),
        std::fs::read(a.join("results/disclosure.csv")).unwrap()
    );
    let (want, got) = (report_files(&a), report_files(&b));
    assert!(want.len() > 10, "{} report files", want.len());
    assert_eq!(
        want.keys().collect::<Vec<_>>(),
        got.keys().collect::<Vec<_>>()
    );
    for (name, bytes) in &want {
        assert!(bytes == &got[name], "{} differs", name.display());
    }
    // The file reads back to a result that writes the same text.
    let text = std::fs::read_to_string(&json).unwrap();
    let r = AnalysisResult::from_json(&text).unwrap();
    assert_eq!(r.to_json().unwrap() + "\n", text);
    // The descriptive figures come from the result (nothing is recomputed from patients).
    assert!(!r.descriptive.trajectories.is_empty());
    assert!(got
        .keys()
        .any(|p| p.to_string_lossy().contains("trajectories")));
    std::fs::remove_dir_all(&tmp).unwrap();
}

#[test]
fn a_result_read_back_gives_the_same_report_at_every_threshold() {
    // A small registry, so that many counts are small and suppression decisions matter.
    let cohort = simulate_cohort(&SimParams::new(400, 17)).unwrap().0;
    let r = run_plan(&Plan::default_plan().check().unwrap(), cohort, &mut |_| {}).unwrap();
    let text = r.to_json().unwrap();
    let back = AnalysisResult::from_json(&text).unwrap();
    assert_eq!(back.to_json().unwrap(), text);
    for threshold in [0, 5, 10, 50] {
        let rule = DisclosureRule::new(threshold);
        let (d1, d2) = (
            analysis_report(&r, &rule).unwrap(),
            analysis_report(&back, &rule).unwrap(),
        );
        assert!(
            render_html(&d1).unwrap() == render_html(&d2).unwrap(),
            "threshold {threshold}: HTML differs"
        );
        assert!(
            render_markdown(&d1).unwrap() == render_markdown(&d2).unwrap(),
            "threshold {threshold}: Markdown differs"
        );
    }
}

#[test]
fn a_broken_analysis_json_is_refused_with_its_position() {
    let tmp = std::env::temp_dir().join(format!("dicohort-bad-results-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).unwrap();
    let bad = tmp.join("analysis.json");
    std::fs::write(&bad, "{\"title\": \"x\",\n \"plan\": 3}").unwrap();
    let out = Command::new(bin())
        .args(["report", "--from", bad.to_str().unwrap(), "--out"])
        .arg(tmp.join("out"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("analysis.json") && err.contains("line 2"),
        "{err}"
    );
    // Neither a plan nor --from: a usage error.
    let out = Command::new(bin())
        .args(["report", "--out"])
        .arg(tmp.join("out"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(!tmp.join("out").exists());
    std::fs::remove_dir_all(&tmp).unwrap();
}
