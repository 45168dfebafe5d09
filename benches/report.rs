//! `cargo bench --bench report`: the time to build and render the default report from its
//! `AnalysisResult` alone, read from the committed `reports/demo/results/analysis.json` (no
//! patient data, no analysis): reading the JSON, the disclosure decisions
//! (`DisclosedCounts::new`), building the whole document (decisions, tables and every SVG
//! figure), rendering HTML and Markdown, and writing the files. Each stage is repeated and the
//! minimum and median are printed; the rendered bytes are checked to equal the committed report.
//!
//! `DICOHORT_BENCH_ITERS=N` changes the number of repetitions (default 5).

use std::path::Path;
use std::time::{Duration, Instant};

use dicohort::cohort::analysis::AnalysisResult;
use dicohort::report::analysis::analysis_report;
use dicohort::report::disclosed::DisclosedCounts;
use dicohort::report::disclosure::DisclosureRule;
use dicohort::report::html::render_html;
use dicohort::report::markdown::render_markdown;
use dicohort::report::write_report;

/// Runs `f` `n` times; returns its last value and the (min, median) time.
fn time<T>(n: usize, mut f: impl FnMut() -> T) -> (T, Duration, Duration) {
    let mut times = Vec::with_capacity(n);
    let mut last = None;
    for _ in 0..n {
        let t0 = Instant::now();
        last = Some(f());
        times.push(t0.elapsed());
    }
    times.sort();
    (last.expect("n >= 1"), times[0], times[n / 2])
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn main() {
    let n: usize = std::env::var("DICOHORT_BENCH_ITERS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(5)
        .max(1);
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("reports/demo");
    let text = std::fs::read_to_string(demo.join("results/analysis.json"))
        .expect("reports/demo/results/analysis.json (run `cargo run -- analyze`)");
    let rule = DisclosureRule::default();
    println!(
        "default report from reports/demo/results/analysis.json ({:.1} MB), {n} runs, min / median:",
        text.len() as f64 / 1e6
    );
    let mut rows: Vec<(&str, Duration, Duration)> = Vec::new();

    let (r, lo, med) = time(n, || {
        AnalysisResult::from_json(&text).expect("analysis.json")
    });
    rows.push(("read analysis.json", lo, med));
    let (_, lo, med) = time(n, || DisclosedCounts::new(&r, &rule));
    rows.push(("disclosure decisions (DisclosedCounts::new)", lo, med));
    let (doc, lo, med) = time(n, || analysis_report(&r, &rule).expect("report"));
    rows.push(("build the document (decisions, tables, figures)", lo, med));
    let ((html, (md, figs)), lo, med) = time(n, || {
        (
            render_html(&doc).expect("html"),
            render_markdown(&doc).expect("markdown"),
        )
    });
    rows.push(("render HTML and Markdown", lo, med));
    let dir = std::env::temp_dir().join(format!("dicohort-bench-report-{}", std::process::id()));
    let (_, lo, med) = time(n, || write_report(&doc, &dir).expect("write"));
    rows.push(("render and write the files", lo, med));
    for (what, lo, med) in &rows {
        println!("  {what:<50} {:>9.1} ms {:>9.1} ms", ms(*lo), ms(*med));
    }

    // The bytes are the committed report's.
    let same =
        |name: &str, bytes: &[u8]| std::fs::read(demo.join(name)).is_ok_and(|want| want == bytes);
    let md_file = md.clone() + "\n";
    let ok = same("report.html", html.as_bytes())
        && same("report.md", md_file.as_bytes())
        && figs.iter().all(|(rel, svg)| same(rel, svg.as_bytes()));
    println!(
        "  {} figures, {:.1} MB of HTML; equal to reports/demo: {}",
        figs.len(),
        html.len() as f64 / 1e6,
        if ok { "yes" } else { "NO" }
    );
    let _ = std::fs::remove_dir_all(&dir);
    assert!(ok, "the rendered report differs from reports/demo");
}
