//! Unit tests of the output transaction (the end-to-end cases, with real commands, are in
//! `tests/it/output_atomic.rs`).

use super::*;

fn tmp(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("dicohort-output-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn run(out: &Path, command: &str, files: &[(&str, &str)]) -> Result<Committed, OutputError> {
    let mut tx = OutputDir::begin(out, command, &[])?;
    for (rel, text) in files {
        tx.write(rel, text.as_bytes())?;
    }
    tx.commit()
}

#[test]
fn a_fresh_folder_is_renamed_into_place_with_its_manifest() {
    let base = tmp("fresh");
    let out = base.join("out");
    let c = run(&out, "analyze", &[("b.txt", "b"), ("figures/a.svg", "aa")]).unwrap();
    assert_eq!(c.files, [out.join("b.txt"), out.join("figures/a.svg")]);
    let m = Manifest::read(&out, MANIFEST).unwrap().unwrap();
    assert_eq!(m.command, "analyze");
    assert_eq!(
        m.files,
        [
            ManifestEntry {
                path: "b.txt".into(),
                bytes: 1
            },
            ManifestEntry {
                path: "figures/a.svg".into(),
                bytes: 2
            }
        ]
    );
    // Nothing is left beside it: no staging folder, no lock.
    let mut names: Vec<String> = std::fs::read_dir(&base)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["out"]);
    assert_eq!(
        folder_state(&out).unwrap(),
        FolderState::Complete {
            command: "analyze".into(),
            changed: vec![]
        }
    );
}

#[test]
fn a_rerun_removes_its_stale_files_and_never_touches_foreign_ones() {
    let base = tmp("rerun");
    let out = base.join("out");
    run(&out, "analyze", &[("a.txt", "1"), ("figures/old.svg", "x")]).unwrap();
    std::fs::write(out.join("notes.txt"), "mine").unwrap();
    std::fs::write(out.join("figures/mine.svg"), "mine").unwrap();
    run(&out, "analyze", &[("a.txt", "2"), ("figures/new.svg", "y")]).unwrap();
    assert!(!out.join("figures/old.svg").exists());
    assert_eq!(std::fs::read_to_string(out.join("a.txt")).unwrap(), "2");
    assert_eq!(
        std::fs::read_to_string(out.join("notes.txt")).unwrap(),
        "mine"
    );
    assert_eq!(
        std::fs::read_to_string(out.join("figures/mine.svg")).unwrap(),
        "mine"
    );
    let m = Manifest::read(&out, MANIFEST).unwrap().unwrap();
    assert_eq!(
        m.paths().into_iter().collect::<Vec<_>>(),
        ["a.txt", "figures/new.svg"]
    );
    assert!(!out.join(INCOMPLETE).exists());
    // A folder emptied of stale files goes too.
    run(&out, "analyze", &[("a.txt", "3")]).unwrap();
    assert!(out.join("figures/mine.svg").exists());
    run(&base.join("o2"), "analyze", &[("sub/x", "1")]).unwrap();
    run(&base.join("o2"), "analyze", &[("y", "1")]).unwrap();
    assert!(!base.join("o2/sub").exists());
}

#[test]
fn a_file_the_run_does_not_own_is_never_overwritten() {
    let base = tmp("foreign");
    let out = base.join("out");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("patients.csv"), "real data").unwrap();
    let err = run(&out, "simulate", &[("patients.csv", "synthetic")]).unwrap_err();
    assert!(matches!(err, OutputError::NotOwned { .. }), "{err}");
    assert!(err.to_string().contains("never overwrites"), "{err}");
    assert_eq!(
        std::fs::read_to_string(out.join("patients.csv")).unwrap(),
        "real data"
    );
    // Also when the file appears under the staging folder by other means.
    let tx = OutputDir::begin(&out, "simulate", &[]).unwrap();
    std::fs::write(tx.dir().join("patients.csv"), "synthetic").unwrap();
    assert!(matches!(tx.commit(), Err(OutputError::NotOwned { .. })));
    assert_eq!(
        std::fs::read_to_string(out.join("patients.csv")).unwrap(),
        "real data"
    );
    assert!(!lock::lock_path(&resolve(&out)).exists());
}

#[test]
fn another_commands_folder_is_not_replaced() {
    let base = tmp("cmd");
    let out = base.join("out");
    run(&out, "simulate", &[("patients.csv", "x")]).unwrap();
    let err = run(&out, "analyze", &[("report.html", "x")]).unwrap_err();
    assert!(matches!(err, OutputError::ForeignRun { .. }), "{err}");
    assert!(out.join("patients.csv").exists());
}

#[test]
fn a_second_writer_fails_fast_naming_the_first() {
    let base = tmp("lock");
    let out = base.join("out");
    let first = OutputDir::begin(&out, "analyze", &[]).unwrap();
    let err = OutputDir::begin(&out, "analyze", &[]).unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, OutputError::Locked { pid, .. } if pid == std::process::id()));
    assert!(
        msg.contains(&format!("pid {}", std::process::id())),
        "{msg}"
    );
    assert!(msg.contains("dicohort analyze"), "{msg}");
    assert_eq!(
        folder_state(&out).unwrap(),
        FolderState::Writing {
            pid: std::process::id(),
            command: "analyze".into()
        }
    );
    drop(first);
    // Released on drop (an abandoned run): the next one proceeds.
    run(&out, "analyze", &[("a", "1")]).unwrap();
}

#[test]
fn a_stale_lock_is_broken() {
    let base = tmp("stale");
    let out = base.join("out");
    let lock = lock::lock_path(&resolve(&out));
    let dead = LockHolder {
        pid: u32::MAX - 1,
        command: "simulate".into(),
        start: Some(1),
    };
    assert!(!dead.alive());
    std::fs::write(&lock, serde_json::to_string(&dead).unwrap()).unwrap();
    run(&out, "simulate", &[("a", "1")]).unwrap();
    assert!(!lock.exists());
    // A lock whose pid now belongs to another process (this one, started at another time).
    let reused = LockHolder {
        pid: std::process::id(),
        command: "simulate".into(),
        start: Some(0),
    };
    assert!(!reused.alive());
}

#[test]
fn an_abandoned_run_leaves_the_previous_output_as_it_was() {
    let base = tmp("abandon");
    let out = base.join("out");
    run(&out, "simulate", &[("a.csv", "old"), ("truth.json", "old")]).unwrap();
    {
        let mut tx = OutputDir::begin(&out, "simulate", &[]).unwrap();
        tx.write("a.csv", b"new partial").unwrap();
    }
    assert_eq!(std::fs::read_to_string(out.join("a.csv")).unwrap(), "old");
    assert!(!lock::sibling(&resolve(&out), "dicohort-staging").exists());
    // A leftover staging folder of a killed run is cleared by the next run.
    let staging = lock::sibling(&resolve(&out), "dicohort-staging");
    std::fs::create_dir_all(staging.join("sub")).unwrap();
    std::fs::write(staging.join("sub/junk"), "x").unwrap();
    run(&out, "simulate", &[("a.csv", "new")]).unwrap();
    assert!(!staging.exists());
    assert!(!out.join("sub").exists());
    assert!(!out.join("truth.json").exists());
}

#[test]
fn an_interrupted_commit_is_seen_by_readers_and_owned_by_the_next_run() {
    let base = tmp("marker");
    let out = base.join("out");
    run(&out, "simulate", &[("a.csv", "old"), ("b.csv", "old")]).unwrap();
    // What a run killed between its first and last rename leaves.
    Manifest::new(
        "simulate",
        vec![
            ManifestEntry {
                path: "a.csv".into(),
                bytes: 0,
            },
            ManifestEntry {
                path: "b.csv".into(),
                bytes: 0,
            },
            ManifestEntry {
                path: "c.csv".into(),
                bytes: 0,
            },
        ],
    )
    .write(&out, INCOMPLETE)
    .unwrap();
    std::fs::remove_file(out.join(MANIFEST)).unwrap();
    std::fs::write(out.join("c.csv"), "new").unwrap();
    assert_eq!(
        folder_state(&out).unwrap(),
        FolderState::Interrupted {
            command: "simulate".into()
        }
    );
    run(&out, "simulate", &[("a.csv", "new"), ("c.csv", "new")]).unwrap();
    assert!(!out.join("b.csv").exists());
    assert!(!out.join(INCOMPLETE).exists());
    assert!(matches!(
        folder_state(&out).unwrap(),
        FolderState::Complete { .. }
    ));
}

#[test]
fn an_output_that_is_an_input_is_refused() {
    let base = tmp("input");
    std::fs::write(base.join("days.csv"), "x").unwrap();
    let spelled = base.join("sub/../days.csv");
    let err = OutputFile::begin(&spelled, "score", &[base.join("days.csv")]).unwrap_err();
    assert!(matches!(err, OutputError::IsInput { .. }), "{err}");
    let err =
        OutputDir::begin(&base.join("."), "analyze", std::slice::from_ref(&base)).unwrap_err();
    assert!(matches!(err, OutputError::IsInput { .. }), "{err}");
    // A file of the run landing on an input inside the output folder.
    let mut tx = OutputDir::begin(&base, "analyze", &[base.join("plan.toml")]).unwrap();
    assert!(matches!(
        tx.write("plan.toml", b"x"),
        Err(OutputError::IsInput { .. })
    ));
    assert_eq!(std::fs::read_to_string(base.join("days.csv")).unwrap(), "x");
}

#[test]
fn a_single_file_and_its_companion_are_replaced_whole() {
    let base = tmp("file");
    let p = base.join("scores.csv");
    std::fs::write(&p, "old").unwrap();
    let mut f = OutputFile::begin(&p, "score", &[]).unwrap();
    f.write(b"new").unwrap();
    f.companion(".config.json", b"{}").unwrap();
    assert_eq!(std::fs::read_to_string(&p).unwrap(), "old");
    let files = f.commit().unwrap();
    assert_eq!(files, [p.clone(), base.join("scores.csv.config.json")]);
    assert_eq!(std::fs::read_to_string(&p).unwrap(), "new");
    let mut names: Vec<String> = std::fs::read_dir(&base)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["scores.csv", "scores.csv.config.json"]);
    // Abandoned: the old file stays.
    let f = OutputFile::begin(&p, "score", &[]).unwrap();
    f.write(b"partial").unwrap();
    drop(f);
    assert_eq!(std::fs::read_to_string(&p).unwrap(), "new");
    assert!(matches!(
        OutputFile::begin(&base, "score", &[]),
        Err(OutputError::NotAFile { .. })
    ));
}

#[test]
fn a_writer_handed_an_open_staging_folder_joins_that_run() {
    let base = tmp("join");
    let out = base.join("out");
    let mut tx = OutputDir::begin(&out, "analyze", &[]).unwrap();
    tx.write("results/a.json", b"{}").unwrap();
    let joined = write_dir(
        tx.dir(),
        "report",
        &[("report.html".into(), b"<p>".to_vec())],
    )
    .unwrap();
    assert_eq!(joined, [tx.dir().join("report.html")]);
    let c = tx.commit().unwrap();
    assert_eq!(
        c.files,
        [out.join("results/a.json"), out.join("report.html")]
    );
    let m = Manifest::read(&out, MANIFEST).unwrap().unwrap();
    assert_eq!(m.command, "analyze");
    // Standalone, it is its own run.
    let other = base.join("other");
    write_dir(&other, "report", &[("report.html".into(), b"<p>".to_vec())]).unwrap();
    assert_eq!(
        Manifest::read(&other, MANIFEST).unwrap().unwrap().command,
        "report"
    );
}
