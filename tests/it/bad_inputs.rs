//! The corpus of hand-made bad inputs (`tests/fixtures/bad/`, written by its `make_corpus.py`):
//! every case must give a typed error whose text holds the manifest's `expect` (for data: the
//! file, row and column), never a panic and never a silent acceptance. Cases: canonical folders
//! (cells, rows, headers, files, encodings, Parquet), registry-wide files, mappings, plans,
//! subgroup expressions, and outputs (the real binary). Plus the regression tests of the loader
//! messages of issue 14.

use std::collections::BTreeMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::process::Command;

use dicohort::cohort::expr;
use dicohort::cohort::plan::Plan;
use dicohort::load::wide::Mapping;
use dicohort::load::{load_cohort, validate_cohort, LoadOptions};

use super::common::{bin, root};

#[derive(serde::Deserialize)]
struct Corpus {
    case: Vec<Case>,
}

#[derive(serde::Deserialize)]
struct Case {
    kind: String,
    path: String,
    #[serde(default)]
    remove: Vec<String>,
    #[serde(default)]
    args: Vec<String>,
    expect: String,
    /// A known defect in another area's files, not yet fixed: run and reported, not asserted.
    #[serde(default)]
    pending: Option<String>,
}

fn bad_dir() -> PathBuf {
    root().join("tests/fixtures/bad")
}

fn tmp(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("dicohort-bad-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let p = e.unwrap().path();
        let name = p.file_name().unwrap();
        if p.is_dir() {
            copy_tree(&p, &to.join(name));
        } else if name != ".keep" || to != from {
            std::fs::copy(&p, to.join(name)).unwrap();
        }
    }
}

/// The outcome of loading a folder: `Err(text)` of the error, or `Ok(())` when accepted.
fn load_folder(dir: &Path, mapping: Option<PathBuf>) -> Result<(), String> {
    let opts = LoadOptions {
        strict: true,
        mapping,
    };
    let validated = match validate_cohort(dir, &opts) {
        Ok(r) if r.is_valid() => None,
        Ok(r) => Some(r.to_string()),
        Err(e) => Some(e.to_string()),
    };
    match (load_cohort(dir, &opts), validated) {
        (Ok(_), None) => Ok(()),
        (Ok(_), Some(v)) => Err(format!(
            "INCONSISTENT: load accepts what validate refuses: {v}"
        )),
        (Err(e), None) => Err(format!(
            "INCONSISTENT: validate accepts what load refuses: {e}"
        )),
        (Err(e), Some(v)) => Err(format!("{e}\n{v}")),
    }
}

fn run_case(c: &Case, work: &Path, cli_env: &CliEnv) -> Result<(), String> {
    let src = bad_dir().join(&c.path);
    match c.kind.as_str() {
        "cohort" => {
            let dir = work.join(c.path.replace('/', "_"));
            copy_tree(&root().join("tests/fixtures/load/valid"), &dir);
            for r in &c.remove {
                std::fs::remove_file(dir.join(r)).unwrap();
            }
            for e in std::fs::read_dir(&src).unwrap() {
                let p = e.unwrap().path();
                let name = p.file_name().unwrap();
                if p.is_dir() {
                    copy_tree(&p, &dir.join(name));
                } else if name != ".keep" {
                    std::fs::copy(&p, dir.join(name)).unwrap();
                }
            }
            load_folder(&dir, None)
        }
        "wide" => {
            let dir = work.join(c.path.replace('/', "_"));
            copy_tree(&src, &dir);
            let mapping = dir.join("mapping.toml");
            load_folder(&dir, mapping.exists().then_some(mapping))
        }
        "mapping" => {
            let text = std::fs::read_to_string(&src).unwrap();
            Mapping::parse(&c.path, &text)
                .map(|_| ())
                .map_err(|e| e.to_string())
        }
        "plan" => {
            let text = std::fs::read_to_string(&src).unwrap();
            Plan::from_toml(&text)
                .and_then(|plan| plan.check())
                .map(|_| ())
                .map_err(|e| e.to_string())
        }
        "expr" => {
            let text = std::fs::read_to_string(&src).unwrap();
            expr::parse(&text).map(|_| ()).map_err(|e| e.to_string())
        }
        "cli" => {
            let args: Vec<String> = c
                .args
                .iter()
                .map(|a| {
                    a.replace("{cohort}", &cli_env.cohort.display().to_string())
                        .replace("{tmp}", &cli_env.tmp.display().to_string())
                })
                .collect();
            let out = Command::new(bin()).args(&args).output().unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
            if out.status.success() {
                Ok(())
            } else if stderr.contains("panicked") {
                panic!("the binary panicked: {stderr}")
            } else {
                Err(stderr)
            }
        }
        other => panic!("unknown kind {other}"),
    }
}

/// The folders the output cases work on: a simulated cohort, and a scratch folder holding a plan
/// on that cohort, a folder named like a CSV, folders of the user's own files, a locked folder.
struct CliEnv {
    cohort: PathBuf,
    tmp: PathBuf,
}

fn cli_env(base: &Path) -> CliEnv {
    let cohort = base.join("cohort");
    let out = Command::new(bin())
        .args(["simulate", "--patients", "40", "--seed", "8", "--out"])
        .arg(&cohort)
        .output()
        .unwrap();
    assert!(out.status.success());
    let tmp = base.join("scratch");
    std::fs::create_dir_all(tmp.join("dir.csv")).unwrap();
    std::fs::create_dir_all(tmp.join("mine")).unwrap();
    std::fs::write(tmp.join("mine/report.html"), "mine").unwrap();
    std::fs::write(tmp.join("mine/patients.csv"), "mine").unwrap();
    std::fs::write(tmp.join("plan.toml"), "[cohort]\npath = \"../cohort\"\n").unwrap();
    std::fs::create_dir_all(tmp.join("locked")).unwrap();
    // Held by pid 1, which is always running.
    std::fs::write(
        tmp.join(".locked.dicohort-lock"),
        r#"{"pid":1,"command":"simulate","start":null}"#,
    )
    .unwrap();
    CliEnv { cohort, tmp }
}

fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.insert(p.clone(), std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

#[test]
fn every_bad_input_of_the_corpus_gives_its_error() {
    let text = std::fs::read_to_string(bad_dir().join("manifest.toml")).unwrap();
    let corpus: Corpus = toml::from_str(&text).unwrap();
    let base = tmp("corpus");
    let work = base.join("work");
    let env = cli_env(&base);
    let before = (snapshot(&env.cohort), snapshot(&env.tmp));
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    let (mut panics, mut accepted, mut wrong) = (Vec::new(), Vec::new(), Vec::new());
    let mut pending = Vec::new();
    for c in &corpus.case {
        *counts.entry(c.kind.as_str()).or_default() += 1;
        let outcome = catch_unwind(AssertUnwindSafe(|| run_case(c, &work, &env)));
        if std::env::var_os("DICOHORT_BAD_SHOW").is_some() {
            // To review the messages: DICOHORT_BAD_SHOW=1 cargo test bad_inputs -- --nocapture
            if let Ok(Err(m)) = &outcome {
                let first = m
                    .lines()
                    .find(|l| l.contains(&c.expect))
                    .unwrap_or_default();
                eprintln!("{}: {}", c.path, first.trim());
            }
        }
        if let Some(why) = &c.pending {
            let fixed = matches!(&outcome, Ok(Err(m)) if m.contains(&c.expect));
            pending.push(format!(
                "{} ({why}): {}",
                c.path,
                if fixed {
                    "now fixed: remove its pending mark"
                } else {
                    "still open"
                }
            ));
            continue;
        }
        match outcome {
            Err(p) => panics.push(format!(
                "{}: {}",
                c.path,
                p.downcast_ref::<String>()
                    .cloned()
                    .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default()
            )),
            Ok(Ok(())) => accepted.push(c.path.clone()),
            Ok(Err(msg)) if !msg.contains(&c.expect) || msg.contains("INCONSISTENT") => {
                wrong.push(format!("{}: want `{}` in:\n{msg}", c.path, c.expect))
            }
            Ok(Err(_)) => {}
        }
    }
    // The output cases changed nothing they were refused on.
    assert_eq!(
        snapshot(&env.cohort),
        before.0,
        "an output case touched the cohort"
    );
    let after = snapshot(&env.tmp);
    for (p, bytes) in &before.1 {
        assert_eq!(after.get(p), Some(bytes), "{} changed", p.display());
    }
    eprintln!(
        "bad inputs: {} ({counts:?}); panics {}, silent acceptances {}, wrong messages {}; \
         pending in other areas {}:\n  {}",
        corpus.case.len(),
        panics.len(),
        accepted.len(),
        wrong.len(),
        pending.len(),
        pending.join("\n  ")
    );
    assert!(
        corpus.case.len() >= 300,
        "the corpus shrank: {}",
        corpus.case.len()
    );
    assert!(
        panics.is_empty() && accepted.is_empty() && wrong.is_empty(),
        "panics: {panics:#?}\nsilently accepted: {accepted:#?}\nwrong messages:\n{}",
        wrong.join("\n\n")
    );
    std::fs::remove_dir_all(&base).unwrap();
}

/// The valid fixture copied into a fresh folder.
fn valid_copy(tag: &str) -> PathBuf {
    let dir = tmp(tag);
    copy_tree(&root().join("tests/fixtures/load/valid"), &dir);
    dir
}

#[test]
fn patients_csv_that_is_a_folder_is_named_not_no_cohort_found() {
    let dir = valid_copy("folder-patients");
    std::fs::remove_file(dir.join("patients.csv")).unwrap();
    std::fs::create_dir(dir.join("patients.csv")).unwrap();
    let out = Command::new(bin())
        .arg("validate")
        .arg(&dir)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success());
    assert!(
        stdout.contains("patients.csv is a folder, not a data file"),
        "{stdout}"
    );
    assert!(!stdout.contains("no cohort found"), "{stdout}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_non_utf8_cell_names_file_row_and_column() {
    let dir = valid_copy("utf8");
    let p = dir.join("patients.csv");
    let bytes = std::fs::read(&p).unwrap();
    let text = String::from_utf8(bytes).unwrap();
    let bad = text
        .replacen("P002,S1,54", "P002,S1,5\u{1}4", 1)
        .into_bytes();
    let bad: Vec<u8> = bad
        .into_iter()
        .map(|b| if b == 1 { 0xE9 } else { b })
        .collect();
    std::fs::write(&p, bad).unwrap();
    let err = load_cohort(&dir, &LoadOptions::default())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("patients.csv: row 2, column `age`: not valid UTF-8 (byte 0xE9 after `5`)"),
        "{err}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn an_unclosed_quote_names_its_row_and_column_instead_of_a_truncated_row() {
    let dir = valid_copy("quote");
    let p = dir.join("days.csv");
    let text = std::fs::read_to_string(&p).unwrap();
    std::fs::write(&p, text.replacen("P002,2,148", "P002,2,\"148", 1)).unwrap();
    let err = load_cohort(&dir, &LoadOptions::lenient())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains(
            "days.csv: row 5, column `platelets`: a quoted field opened here is never closed"
        ),
        "{err}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
