//! Side-by-side benchmark of the survival core against R `survival` and Python `lifelines`.
//!
//! ```text
//! CARGO_TARGET_DIR=/work/target cargo bench --bench survival
//! ```
//!
//! For n = 100,000 and 1,000,000 (override with `DICOHORT_BENCH_N=100000,...`) and two kinds
//! of follow-up, (a) 28 days in whole days (heavy ties) and (b) continuous times, one synthetic
//! data set (two groups, 6 covariates, a fixed seed) is generated once and written to a temporary
//! CSV. Then, in the same run, each tool times only the computation (not start-up or reading):
//! * KM + log-rank for the two groups: Rust `km::kaplan_meier_by_group` + `logrank::survdiff`;
//!   R `survfit` + `survdiff`; lifelines `KaplanMeierFitter` (per group) + `logrank_test`;
//! * Cox with the 6 covariates, Efron ties: Rust `cox::coxph`; R `coxph`; lifelines
//!   `CoxPHFitter`.
//!
//! Every tool runs the same number of repetitions (3, or `DICOHORT_BENCH_REPS`) and the best is
//! kept (R: `system.time`, Python: `time.perf_counter`, Rust: `Instant`). The numbers (Cox coefficients and log-likelihood,
//! log-rank chi-square, KM survival at the end of follow-up) are compared with R's, and a table
//! of times, ratios and the largest relative differences is printed. Tools that are missing
//! (no `Rscript`, no `lifelines`) are skipped with a note.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use dicohort::stats::cox::{coxph, CoxData, CoxOptions};
use dicohort::stats::km::{kaplan_meier_by_group, KmOptions};
use dicohort::stats::logrank::survdiff;
use serde_json::Value;

#[path = "common/surv_data.rs"]
mod surv_data;
use surv_data::{generate, write_csv, Data};

/// Rust results to compare with R's.
struct RustRun {
    km_secs: f64,
    cox_secs: f64,
    chisq: f64,
    last_surv: Vec<f64>,
    coef: Vec<f64>,
    loglik: [f64; 2],
}

fn run_rust(d: &Data, reps: usize) -> RustRun {
    let mut best_km = f64::INFINITY;
    let mut best_cox = f64::INFINITY;
    let mut out = None;
    for _ in 0..reps {
        let t0 = Instant::now();
        let curves =
            kaplan_meier_by_group(&d.time, &d.event, None, &d.group, 2, &KmOptions::default())
                .expect("km");
        let lr = survdiff(&d.time, &d.event, &d.group, None, 0.0).expect("survdiff");
        let t1 = Instant::now();
        let data = CoxData {
            start: None,
            stop: &d.time,
            event: &d.event,
            x: &d.x,
            strata: None,
            weights: None,
            cluster: None,
        };
        let fit = coxph(&data, &CoxOptions::default()).expect("coxph");
        let t2 = Instant::now();
        best_km = best_km.min((t1 - t0).as_secs_f64());
        best_cox = best_cox.min((t2 - t1).as_secs_f64());
        out = Some((lr.chisq, curves, fit));
    }
    let (chisq, curves, fit) = out.expect("at least one repetition");
    RustRun {
        km_secs: best_km,
        cox_secs: best_cox,
        chisq,
        last_surv: curves
            .iter()
            .map(|c| *c.surv.last().unwrap_or(&f64::NAN))
            .collect(),
        coef: fit.coef,
        loglik: fit.loglik,
    }
}

fn run_tool(program: &str, script: &Path, csv: &Path, out: &Path, reps: usize) -> Option<Value> {
    let status = Command::new(program)
        .arg(script)
        .arg(csv)
        .arg(out)
        .arg(reps.to_string())
        .status();
    match status {
        Ok(s) if s.success() => {
            let text = std::fs::read_to_string(out).ok()?;
            serde_json::from_str(&text).ok()
        }
        Ok(s) => {
            eprintln!("  {program} {} failed: {s}", script.display());
            None
        }
        Err(e) => {
            eprintln!("  {program} not available: {e}");
            None
        }
    }
}

fn nums(v: &Value) -> Vec<f64> {
    v.as_array()
        .map(|a| a.iter().map(|x| x.as_f64().unwrap_or(f64::NAN)).collect())
        .unwrap_or_default()
}

fn max_rel(a: &[f64], b: &[f64]) -> f64 {
    if a.len() != b.len() || a.is_empty() {
        return f64::NAN;
    }
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs() / y.abs().max(1e-12))
        .fold(0.0, f64::max)
}

struct Row {
    n: usize,
    kind: &'static str,
    task: &'static str,
    rust: f64,
    r: Option<f64>,
    py: Option<f64>,
    diff_rust: f64,
    diff_py: Option<f64>,
}

fn fmt_opt(v: Option<f64>, f: impl Fn(f64) -> String) -> String {
    v.map_or_else(|| "-".to_string(), f)
}

fn main() {
    let sizes: Vec<usize> = std::env::var("DICOHORT_BENCH_N")
        .unwrap_or_else(|_| "100000,1000000".into())
        .split(',')
        .map(|s| {
            s.trim()
                .parse()
                .expect("DICOHORT_BENCH_N: comma-separated sizes")
        })
        .collect();
    let reps: usize = std::env::var("DICOHORT_BENCH_REPS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3)
        .max(1);
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let r_script = root.join("benches/survival_r.R");
    let py_script = root.join("benches/survival_lifelines.py");
    let dir = std::env::temp_dir().join(format!("dicohort_bench_{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let mut rows = Vec::new();
    for &n in &sizes {
        for (kind, whole_days) in [("days (ties)", true), ("continuous", false)] {
            let data = generate(n, whole_days, 20_251_121 + n as u64 + u64::from(whole_days));
            let csv = dir.join(format!(
                "surv_{n}_{}.csv",
                if whole_days { "days" } else { "cont" }
            ));
            write_csv(&csv, &data).expect("write csv");
            // The same repetitions for every tool (the best of them kept).
            eprintln!(
                "n = {n}, {kind}: {} events",
                data.event.iter().filter(|e| **e).count()
            );
            let rust = run_rust(&data, reps);
            let r = run_tool("Rscript", &r_script, &csv, &dir.join("r.json"), reps);
            let py = run_tool("python3", &py_script, &csv, &dir.join("py.json"), reps);
            let secs = |v: &Option<Value>, key: &str| v.as_ref().and_then(|v| v[key].as_f64());
            // numbers compared with R (Rust) and with R (lifelines)
            let (mut d_km_rust, mut d_km_py, mut d_cox_rust, mut d_cox_py) =
                (f64::NAN, None, f64::NAN, None);
            if let Some(rv) = &r {
                let r_chisq = rv["logrank_chisq"].as_f64().unwrap_or(f64::NAN);
                let r_surv = nums(&rv["km_last_surv"]);
                let r_coef = nums(&rv["cox_coef"]);
                let r_ll = nums(&rv["cox_loglik"]);
                d_km_rust =
                    max_rel(&[rust.chisq], &[r_chisq]).max(max_rel(&rust.last_surv, &r_surv));
                d_cox_rust = max_rel(&rust.coef, &r_coef).max(max_rel(&rust.loglik, &r_ll));
                if let Some(pv) = &py {
                    d_km_py = Some(
                        max_rel(
                            &[pv["logrank_chisq"].as_f64().unwrap_or(f64::NAN)],
                            &[r_chisq],
                        )
                        .max(max_rel(&nums(&pv["km_last_surv"]), &r_surv)),
                    );
                    let py_ll = pv["cox_loglik"][1].as_f64().unwrap_or(f64::NAN);
                    d_cox_py = Some(max_rel(&nums(&pv["cox_coef"]), &r_coef).max(max_rel(
                        &[py_ll],
                        &[r_ll.get(1).copied().unwrap_or(f64::NAN)],
                    )));
                }
            }
            rows.push(Row {
                n,
                kind,
                task: "KM + log-rank",
                rust: rust.km_secs,
                r: secs(&r, "km_logrank_seconds"),
                py: secs(&py, "km_logrank_seconds"),
                diff_rust: d_km_rust,
                diff_py: d_km_py,
            });
            rows.push(Row {
                n,
                kind,
                task: "Cox (6 cov, Efron)",
                rust: rust.cox_secs,
                r: secs(&r, "cox_seconds"),
                py: secs(&py, "cox_seconds"),
                diff_rust: d_cox_rust,
                diff_py: d_cox_py,
            });
        }
    }
    std::fs::remove_dir_all(&dir).ok();

    println!();
    println!(
        "{:>9}  {:<12} {:<19} {:>10} {:>10} {:>10} {:>8} {:>10}  {:>13} {:>13}",
        "n",
        "times",
        "task",
        "Rust s",
        "R s",
        "lifel. s",
        "R/Rust",
        "lifel/Rust",
        "reldiff Rust",
        "reldiff lifel"
    );
    for r in &rows {
        println!(
            "{:>9}  {:<12} {:<19} {:>10.4} {:>10} {:>10} {:>8} {:>10}  {:>13.2e} {:>13}",
            r.n,
            r.kind,
            r.task,
            r.rust,
            fmt_opt(r.r, |v| format!("{v:.3}")),
            fmt_opt(r.py, |v| format!("{v:.3}")),
            fmt_opt(r.r, |v| format!("{:.1}x", v / r.rust)),
            fmt_opt(r.py, |v| format!("{:.1}x", v / r.rust)),
            r.diff_rust,
            fmt_opt(r.diff_py, |v| format!("{v:.2e}")),
        );
    }
    println!(
        "\nreldiff: largest relative difference from R (KM: log-rank chi-square and survival at \
         day 28 per group; Cox: coefficients and log-likelihood). Times: best of the repetitions, \
         computation only."
    );
}
