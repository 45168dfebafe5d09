//! Nothing lost or mixed (issue 14): every command writes into a staging sibling and renames into
//! place when complete, with `.dicohort-manifest.json`; an output is locked while a run writes it;
//! a rerun removes the stale files its previous run listed and never touches other files; an
//! output that is one of the inputs is refused. These run the real binary.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use super::common::bin;

fn tmp(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("dicohort-out-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn run(args: &[&str], paths: &[&Path]) -> Output {
    let mut c = Command::new(bin());
    c.args(args);
    for p in paths {
        c.arg(p);
    }
    c.output().expect("run dicohort")
}

fn ok(o: &Output) -> String {
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(o.status.success(), "{text}");
    text
}

fn fails(o: &Output) -> String {
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(!o.status.success(), "accepted: {text}");
    text
}

fn simulate(n: u32, seed: u32, out: &Path) {
    ok(&run(
        &[
            "simulate",
            "--patients",
            &n.to_string(),
            "--seed",
            &seed.to_string(),
            "--out",
        ],
        &[out],
    ));
}

/// Every file below `dir` with its bytes (relative, `/`-separated).
fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p
                    .strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                out.push((rel, std::fs::read(&p).unwrap()));
            }
        }
    }
    out.sort();
    out
}

fn names(dir: &Path) -> BTreeSet<String> {
    snapshot(dir).into_iter().map(|(n, _)| n).collect()
}

/// The files the folder's manifest lists.
fn manifest(dir: &Path) -> (String, BTreeSet<String>) {
    let v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join(".dicohort-manifest.json")).unwrap())
            .unwrap();
    let files = v["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap().to_string())
        .collect();
    (v["command"].as_str().unwrap().to_string(), files)
}

/// Waits (up to a generous bound, never asserted as a timing) until `cond` holds.
fn wait_for(what: &str, child: &mut Child, cond: impl Fn() -> bool) {
    let t0 = Instant::now();
    while !cond() {
        if let Some(status) = child.try_wait().unwrap() {
            panic!("the run ended ({status}) before {what}");
        }
        assert!(t0.elapsed() < Duration::from_secs(300), "never saw {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn size(p: &Path) -> u64 {
    std::fs::metadata(p).map(|m| m.len()).unwrap_or(0)
}

/// A `simulate` of millions of patients, killed once its staging tables hold data.
fn kill_simulate_midway(out: &Path) {
    let staging = out.with_file_name(format!(
        ".{}.dicohort-staging",
        out.file_name().unwrap().to_string_lossy()
    ));
    let mut child = Command::new(bin())
        .args(["simulate", "--patients", "5000000", "--seed", "9", "--out"])
        .arg(out)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_for("the staging tables filling", &mut child, || {
        size(&staging.join("days.csv")) > 0 && size(&staging.join("patients.csv")) > 0
    });
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(staging.exists(), "a killed run leaves its staging folder");
}

#[test]
fn simulate_killed_midway_leaves_no_cohort() {
    let base = tmp("kill-fresh");
    let out = base.join("cohort");
    kill_simulate_midway(&out);
    // Nothing at the output: no partial tables that validate could take for a cohort.
    assert!(
        !out.exists(),
        "{:?}",
        std::fs::read_dir(&base).unwrap().collect::<Vec<_>>()
    );
    let msg = fails(&run(&["validate"], &[&out]));
    assert!(msg.contains("no such file or folder"), "{msg}");
    // The next run breaks the stale lock, clears the leftover staging folder and completes.
    simulate(40, 2, &out);
    ok(&run(&["validate"], &[&out]));
    let left: Vec<String> = std::fs::read_dir(&base)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(left, ["cohort"]);
    std::fs::remove_dir_all(&base).unwrap();
}

#[test]
fn simulate_killed_over_an_earlier_cohort_leaves_that_cohort_whole() {
    let base = tmp("kill-over");
    let out = base.join("cohort");
    simulate(200, 1, &out);
    let before = snapshot(&out);
    kill_simulate_midway(&out);
    // The earlier cohort, every byte of it: no old truth.json beside new partial tables.
    assert_eq!(snapshot(&out), before);
    let text = ok(&run(&["validate"], &[&out]));
    assert!(text.contains("kept: 200 patients"), "{text}");
    std::fs::remove_dir_all(&base).unwrap();
}

#[test]
fn validate_refuses_a_folder_an_interrupted_or_old_simulate_left() {
    let base = tmp("refuse");
    let out = base.join("cohort");
    simulate(30, 1, &out);
    // Killed between its first and last rename: the marker it writes first is still there.
    std::fs::write(
        out.join(".dicohort-incomplete"),
        r#"{"generator":"dicohort","command":"simulate","files":[]}"#,
    )
    .unwrap();
    let msg = fails(&run(&["validate"], &[&out]));
    assert!(msg.contains("was interrupted while replacing"), "{msg}");
    let msg = fails(&run(&["validate", "--lenient"], &[&out]));
    assert!(msg.contains("was interrupted while replacing"), "{msg}");
    std::fs::remove_file(out.join(".dicohort-incomplete")).unwrap();
    // The tables and truth.json of a run that never wrote its manifest (interrupted, or older
    // than manifests), e.g. the issue's 0-byte treatments.csv with a leftover truth.json.
    std::fs::remove_file(out.join(".dicohort-manifest.json")).unwrap();
    let msg = fails(&run(&["validate"], &[&out]));
    assert!(
        msg.contains("truth.json but no .dicohort-manifest.json"),
        "{msg}"
    );
    // Hand-edited after the run: a note, not a refusal (the edit is the user's).
    std::fs::remove_dir_all(&out).unwrap();
    simulate(30, 1, &out);
    let days = std::fs::read_to_string(out.join("days.csv")).unwrap();
    std::fs::write(out.join("days.csv"), days.replacen("\n", "\n\n", 1)).unwrap();
    let text = ok(&run(&["validate"], &[&out]));
    assert!(
        text.contains("days.csv") && text.contains("edited since"),
        "{text}"
    );
    std::fs::remove_dir_all(&base).unwrap();
}

#[test]
fn two_analyze_runs_into_one_out_never_mix() {
    let base = tmp("two-analyze");
    let out = base.join("report");
    let lock = base.join(".report.dicohort-lock");
    let mut first = Command::new(bin())
        .args(["analyze", "--out"])
        .arg(&out)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_for("the first run's lock", &mut first, || lock.exists());
    let second = run(
        &[
            "analyze",
            "--simulate-patients",
            "300",
            "--seed",
            "4",
            "--out",
        ],
        &[&out],
    );
    let msg = fails(&second);
    // It failed while the first was still running, naming it.
    assert!(
        first.try_wait().unwrap().is_none(),
        "the first run ended too soon"
    );
    assert!(msg.contains(&format!("pid {}", first.id())), "{msg}");
    assert!(msg.contains("being written by `dicohort analyze`"), "{msg}");
    let status = first.wait_with_output().unwrap();
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    let (command, listed) = manifest(&out);
    assert_eq!(command, "analyze");
    let mut on_disk = names(&out);
    assert!(on_disk.remove(".dicohort-manifest.json"));
    assert_eq!(
        on_disk, listed,
        "the folder holds exactly the first run's files"
    );
    assert_eq!(patients_analysed(&out), 3000, "the first run's results");
    // Run after run: the folder holds the second run's files only.
    ok(&second_run(&out));
    let (_, listed) = manifest(&out);
    let mut on_disk = names(&out);
    on_disk.remove(".dicohort-manifest.json");
    assert_eq!(on_disk, listed);
    assert_eq!(patients_analysed(&out), 300, "the second run's results");
    assert!(!lock.exists());
    std::fs::remove_dir_all(&base).unwrap();
}

/// Patients entering the analysis of the run whose results are in `out`.
fn patients_analysed(out: &Path) -> u64 {
    let v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("results/analysis.json")).unwrap()).unwrap();
    v["flow"]["steps"][0]["n_in"].as_u64().unwrap()
}

fn second_run(out: &Path) -> Output {
    run(
        &[
            "analyze",
            "--simulate-patients",
            "300",
            "--seed",
            "4",
            "--out",
        ],
        &[out],
    )
}

/// The default plan cut after its first subgroup: fewer figures.
fn one_subgroup_plan(dir: &Path) -> PathBuf {
    let s = std::fs::read_to_string(super::common::root().join("plans/default.toml")).unwrap();
    let i = s
        .find("[[subgroups]]\nkind = \"dic\"\nscore = \"isth\"")
        .expect("the default plan's second subgroup");
    let p = dir.join("one-subgroup.toml");
    std::fs::write(&p, &s[..i]).unwrap();
    p
}

#[test]
fn a_rerun_removes_its_stale_figures_and_never_touches_foreign_files() {
    let base = tmp("stale");
    let out = base.join("report");
    std::fs::create_dir_all(out.join("figures")).unwrap();
    std::fs::write(out.join("notes.txt"), "my notes").unwrap();
    std::fs::write(out.join("figures/my-sketch.svg"), "<svg/>").unwrap();
    ok(&second_run(&out));
    let many = names(&out);
    assert!(
        many.contains("figures/figure-km-subgroup-8.svg"),
        "{many:?}"
    );
    let plan = one_subgroup_plan(&base);
    ok(&run(
        &[
            "analyze",
            "--simulate-patients",
            "300",
            "--seed",
            "4",
            "--out",
        ],
        &[&out, &plan],
    ));
    let few = names(&out);
    assert!(few.contains("figures/figure-km-subgroup-1.svg"));
    assert!(!few.contains("figures/figure-km-subgroup-2.svg"), "{few:?}");
    assert!(!few.contains("figures/figure-km-subgroup-8.svg"), "{few:?}");
    let (_, listed) = manifest(&out);
    let mut expected: BTreeSet<String> = listed;
    expected.insert(".dicohort-manifest.json".into());
    expected.insert("notes.txt".into());
    expected.insert("figures/my-sketch.svg".into());
    assert_eq!(few, expected);
    assert_eq!(std::fs::read(out.join("notes.txt")).unwrap(), b"my notes");
    assert_eq!(
        std::fs::read(out.join("figures/my-sketch.svg")).unwrap(),
        b"<svg/>"
    );
    // A file of the user's where the run would write one: refused, nothing changed.
    std::fs::remove_dir_all(&out).unwrap();
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("report.md"), "my own report").unwrap();
    let msg = fails(&second_run(&out));
    assert!(
        msg.contains("report.md") && msg.contains("never overwrites"),
        "{msg}"
    );
    assert_eq!(names(&out), BTreeSet::from(["report.md".to_string()]));
    // simulate over a folder of real data: refused, the data untouched.
    let real = base.join("real");
    std::fs::create_dir_all(&real).unwrap();
    std::fs::write(real.join("patients.csv"), "patient_id\nREAL1\n").unwrap();
    let out = run(
        &["simulate", "--patients", "20", "--seed", "1", "--out"],
        &[&real],
    );
    let msg = fails(&out);
    assert!(
        msg.contains("patients.csv") && msg.contains("never overwrites"),
        "{msg}"
    );
    assert_eq!(
        snapshot(&real),
        [("patients.csv".to_string(), b"patient_id\nREAL1\n".to_vec())]
    );
    std::fs::remove_dir_all(&base).unwrap();
}

#[test]
fn an_output_that_is_an_input_is_refused() {
    let base = tmp("input");
    let cohort = base.join("cohort");
    simulate(60, 3, &cohort);
    let before = snapshot(&cohort);
    // score --out the cohort's own days.csv (spelled two ways), or the folder itself.
    for out in [
        cohort.join("days.csv"),
        base.join("cohort/../cohort/days.csv"),
    ] {
        let msg = fails(&run(&["score", "--out"], &[&out, &cohort]));
        assert!(msg.contains("is an input of this run"), "{msg}");
    }
    let msg = fails(&run(
        &["score", "--out"],
        &[&cohort.join("days.parquet"), &cohort],
    ));
    assert!(msg.contains("is an input of this run"), "{msg}");
    let msg = fails(&run(&["score", "--out"], &[&cohort, &cohort]));
    assert!(msg.contains("must end in .csv or .parquet"), "{msg}");
    let folder_like = base.join("cohort.csv");
    std::fs::create_dir_all(&folder_like).unwrap();
    let msg = fails(&run(&["score", "--out"], &[&folder_like, &cohort]));
    assert!(msg.contains("is a folder, not a file"), "{msg}");
    // analyze --out the cohort folder of its plan.
    let plan = base.join("plan.toml");
    std::fs::write(&plan, "[cohort]\npath = \"cohort\"\n").unwrap();
    let msg = fails(&run(&["analyze", "--out"], &[&cohort, &plan]));
    assert!(msg.contains("is an input of this run"), "{msg}");
    let msg = fails(&run(&["analyze", "--out"], &[&plan, &plan]));
    assert!(msg.contains("is an input of this run"), "{msg}");
    assert_eq!(snapshot(&cohort), before, "the cohort is untouched");
    // Beside the cohort, scores are written whole, with their config.
    let scores = cohort.join("scores.csv");
    ok(&run(
        &["score", "--scores", "jaam", "--out"],
        &[&scores, &cohort],
    ));
    assert!(std::fs::read_to_string(&scores)
        .unwrap()
        .starts_with("patient_id,day,jaam_min"));
    assert!(cohort.join("scores.csv.config.json").exists());
    ok(&run(&["validate"], &[&cohort]));
    std::fs::remove_dir_all(&base).unwrap();
}
