//! End-to-end benchmarks: whole processes, timed from start to exit.
//!
//! ```text
//! CARGO_TARGET_DIR=/work/target cargo bench --bench end_to_end
//! ```
//!
//! 1. `whole`: CSV in, answer out, on one 1,000,000-row file (two groups, 6 covariates, follow-up
//!    in whole days, so heavily tied; the generator of `benches/survival.rs`): `dicohort km` (by
//!    group, with the log-rank test) and `dicohort cox` (6 covariates, Efron) beside R
//!    (`data.table::fread` + `survival`, `benches/whole_r.R`) and lifelines (`pandas.read_csv`,
//!    `benches/whole_lifelines.py`). Every tool runs the same number of repetitions and the best
//!    wall time is kept. Reading alone is timed too: `load::read_cells` in this process against
//!    `fread`'s own `system.time`.
//! 2. `analyze`: `dicohort simulate --patients N` into a temporary folder, then `dicohort
//!    analyze` of the default plan on it with `-v`: the stages (wall, CPU, peak resident memory
//!    so far, as the binary prints them) and the whole process (wall, CPU, peak RSS from
//!    `/usr/bin/time` when it is there).
//!
//! Environment: `DICOHORT_E2E_PARTS` (default `whole,analyze`), `DICOHORT_E2E_ROWS` (default
//! 1,000,000), `DICOHORT_E2E_PATIENTS` (default 1,000,000), `DICOHORT_E2E_REPS` (default 3).
//! Tools that are missing (no `Rscript`, no `lifelines`) are skipped with a note. The machine's
//! other load shows in the CPU column: a wall time with CPU well under 100% per core was shared.

#[path = "common/surv_data.rs"]
mod surv_data;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use dicohort::load::{read_cells, MissingValues};
use surv_data::{generate, write_csv, COVARIATES};

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|s| s.replace('_', "").parse().ok())
        .unwrap_or(default)
}

/// What `/usr/bin/time` saw of one process.
#[derive(Debug, Clone, Copy)]
struct Usage {
    wall: f64,
    cpu: Option<f64>,
    peak_mib: Option<f64>,
}

/// Runs `program args` to completion (stdout and stderr captured); `None` if it cannot start or
/// fails (the failure is printed).
fn run(program: &str, args: &[&str], dir: &Path) -> Option<(Usage, String)> {
    let timed = Path::new("/usr/bin/time").exists();
    let usage_file = dir.join("usage.txt");
    let mut cmd = if timed {
        let mut c = Command::new("/usr/bin/time");
        c.arg("-f")
            .arg("%U %S %M")
            .arg("-o")
            .arg(&usage_file)
            .arg(program);
        c
    } else {
        Command::new(program)
    };
    cmd.args(args);
    let t0 = Instant::now();
    let out = cmd.output();
    let wall = t0.elapsed().as_secs_f64();
    let out = match out {
        Ok(o) => o,
        Err(e) => {
            eprintln!("  {program}: cannot run: {e}");
            return None;
        }
    };
    if !out.status.success() {
        eprintln!(
            "  {program} {}: failed ({}): {}",
            args.join(" "),
            out.status,
            String::from_utf8_lossy(&out.stderr)
                .lines()
                .last()
                .unwrap_or("")
        );
        return None;
    }
    let (mut cpu, mut peak_mib) = (None, None);
    if timed {
        if let Ok(text) = std::fs::read_to_string(&usage_file) {
            let f: Vec<f64> = text
                .lines()
                .last()
                .unwrap_or("")
                .split_whitespace()
                .filter_map(|x| x.parse().ok())
                .collect();
            if let [u, s, kb] = f[..] {
                cpu = Some(u + s);
                peak_mib = Some(kb / 1024.0);
            }
        }
    }
    Some((
        Usage {
            wall,
            cpu,
            peak_mib,
        },
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr),
    ))
}

/// The best (lowest wall time) of `reps` runs.
fn best_of(reps: usize, program: &str, args: &[&str], dir: &Path) -> Option<Usage> {
    let mut best: Option<Usage> = None;
    for _ in 0..reps {
        let (u, _) = run(program, args, dir)?;
        if best.is_none_or(|b| u.wall < b.wall) {
            best = Some(u);
        }
    }
    best
}

fn show(u: Option<Usage>) -> String {
    match u {
        None => "-".into(),
        Some(u) => format!(
            "{:.2} s (CPU {}, {})",
            u.wall,
            u.cpu.map_or("?".into(), |c| format!("{c:.2} s")),
            u.peak_mib.map_or("?".into(), |m| format!("{m:.0} MiB"))
        ),
    }
}

fn ratio(other: Option<Usage>, ours: Option<Usage>) -> String {
    match (other, ours) {
        (Some(o), Some(d)) => format!("{:.1}x", o.wall / d.wall),
        _ => "-".into(),
    }
}

fn whole(dir: &Path, bin: &str, root: &Path, rows: usize, reps: usize) {
    let csv = dir.join(format!("whole_{rows}.csv"));
    let data = generate(rows, true, 20_251_121 + rows as u64 + 1);
    write_csv(&csv, &data).expect("write csv");
    let csv_s = csv.to_str().expect("utf-8 path");
    let mib = std::fs::metadata(&csv).map_or(0.0, |m| m.len() as f64 / (1 << 20) as f64);
    println!(
        "\n== whole process, CSV in, answer out: {rows} rows ({mib:.0} MiB), best of {reps} ==\n"
    );

    // Reading alone.
    let names: Vec<&str> = ["time", "event"].into_iter().chain(COVARIATES).collect();
    let mut read_best = f64::INFINITY;
    for _ in 0..reps {
        let t0 = Instant::now();
        let t = read_cells(&csv, &names, &MissingValues::default()).expect("read_cells");
        read_best = read_best.min(t0.elapsed().as_secs_f64());
        assert_eq!(t.n_rows, rows);
    }
    let r_script = root.join("benches/whole_r.R");
    let r_script = r_script.to_str().expect("utf-8 path");
    let mut fread_best: Option<f64> = None;
    for _ in 0..reps {
        if let Some((_, out)) = run("Rscript", &[r_script, "read", csv_s], dir) {
            if let Some(t) = out.lines().rev().find_map(|l| l.trim().parse::<f64>().ok()) {
                fread_best = Some(fread_best.map_or(t, |b: f64| b.min(t)));
            }
        }
    }
    println!(
        "reading the {} columns: dicohort load::read_cells {read_best:.3} s, data.table::fread {} ({})",
        names.len(),
        fread_best.map_or("-".into(), |t| format!("{t:.3} s")),
        fread_best.map_or("-".into(), |t| format!("dicohort / fread = {:.2}", read_best / t)),
    );

    let py_script = root.join("benches/whole_lifelines.py");
    let py_script = py_script.to_str().expect("utf-8 path");
    let covs = COVARIATES.join(",");
    let tasks: [(&str, Vec<&str>); 2] = [
        (
            "km",
            vec![
                "km", "--data", csv_s, "--time", "time", "--event", "event", "--group", "group",
            ],
        ),
        (
            "cox",
            vec![
                "cox",
                "--data",
                csv_s,
                "--time",
                "time",
                "--event",
                "event",
                "--covariates",
                &covs,
            ],
        ),
    ];
    println!(
        "\n{:<30} {:>30} {:>30} {:>30} {:>7} {:>9}",
        "task", "dicohort", "R (fread + survival)", "lifelines (pandas)", "R/ours", "lifel/ours"
    );
    for (task, args) in &tasks {
        let ours = best_of(reps, bin, args, dir);
        let r = best_of(reps, "Rscript", &[r_script, task, csv_s], dir);
        let py = best_of(reps, "python3", &[py_script, task, csv_s], dir);
        let label = match *task {
            "km" => "KM by group + log-rank",
            _ => "Cox, 6 covariates, tied days",
        };
        println!(
            "{label:<30} {:>30} {:>30} {:>30} {:>7} {:>9}",
            show(ours),
            show(r),
            show(py),
            ratio(r, ours),
            ratio(py, ours)
        );
    }
}

fn analyze(dir: &Path, bin: &str, patients: usize) {
    println!("\n== dicohort simulate + analyze (default plan), {patients} patients ==\n");
    let data = dir.join("registry");
    let n = patients.to_string();
    let data_s = data.to_str().expect("utf-8 path");
    match run(
        bin,
        &[
            "simulate",
            "--patients",
            &n,
            "--seed",
            "2011",
            "--out",
            data_s,
            "-q",
        ],
        dir,
    ) {
        Some((u, _)) => println!("simulate: {}", show(Some(u))),
        None => return,
    }
    let plan_text = dicohort::cohort::plan::DEFAULT_PLAN.replacen(
        "[cohort]",
        &format!("[cohort]\npath = {data_s:?}"),
        1,
    );
    let plan = dir.join("plan.toml");
    std::fs::write(&plan, plan_text).expect("write plan");
    let out = dir.join("out");
    let Some((u, text)) = run(
        bin,
        &[
            "analyze",
            plan.to_str().expect("utf-8 path"),
            "--out",
            out.to_str().expect("utf-8 path"),
            "-v",
            "-q",
        ],
        dir,
    ) else {
        return;
    };
    println!("stages (wall, CPU, and the peak RSS of the process so far):");
    for line in text.lines().filter(|l| l.starts_with("[stage]")) {
        println!("  {}", line.trim_start_matches("[stage] "));
    }
    println!("analyze, whole process: {}", show(Some(u)));
}

fn main() {
    let parts = std::env::var("DICOHORT_E2E_PARTS").unwrap_or_else(|_| "whole,analyze".into());
    let reps = env_usize("DICOHORT_E2E_REPS", 3).max(1);
    let bin = env!("CARGO_BIN_EXE_dicohort");
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let dir = std::env::temp_dir().join(format!("dicohort_e2e_{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    for part in parts.split(',').map(str::trim) {
        match part {
            "whole" => whole(
                &dir,
                bin,
                &root,
                env_usize("DICOHORT_E2E_ROWS", 1_000_000),
                reps,
            ),
            "analyze" => analyze(&dir, bin, env_usize("DICOHORT_E2E_PATIENTS", 1_000_000)),
            other => eprintln!("unknown part `{other}` (whole, analyze)"),
        }
    }
    std::fs::remove_dir_all(&dir).ok();
}
