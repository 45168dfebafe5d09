//! `dicohort analyze [PLAN.toml] [--out DIR]`: the main job. With no plan: the embedded default
//! plan (`plans/default.toml`) on the embedded synthetic registry, written to `reports/demo/`.
//! Writes the report (`report.html`, self-contained; `report.md`; `figures/*.svg`), which is
//! disclosure-controlled and safe to share, and under `results/` the machine-readable results:
//! `analysis.json` (the whole typed result), one CSV per table (see `dicohort::cohort::results`),
//! `flow.csv` and `plan.json` (the plan as run, every default filled in). `results/` holds raw
//! counts and is for the analyst only: its README says so. Everything is written as one run
//! (`dicohort::output`): staged, renamed into place when complete, with `.dicohort-manifest.json`;
//! a second run into the same `--out` fails while this one runs; `--out` equal to the plan or the
//! cohort folder is refused.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;
use dicohort::cohort::analysis::{run_plan, AnalysisResult};
use dicohort::cohort::plan::Plan;
use dicohort::cohort::results::result_tables;
use dicohort::cohort::valid_plan::ValidPlan;
use dicohort::load::{load_cohort, LoadOptions};
use dicohort::output::{write_dir, OutputDir};
use dicohort::report::analysis::{analysis_report, summary_paragraphs};
use dicohort::report::disclosure::DisclosureRule;
use dicohort::report::{write_report, ReportDocument};
use dicohort::simulate::{simulate_cohort, SimParams};

/// Arguments of `dicohort analyze` (see ../shared/cli-contract.md).
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The analysis plan (TOML). Without it: the embedded default plan.
    pub plan: Option<PathBuf>,
    /// Output folder (created if needed).
    #[arg(long, default_value = "reports/demo")]
    pub out: PathBuf,
    /// Analyse a synthetic registry of this many patients simulated in memory instead of the
    /// plan's cohort (with --seed).
    #[arg(long)]
    pub simulate_patients: Option<u64>,
    /// Seed of --simulate-patients.
    #[arg(long, default_value_t = 2011)]
    pub seed: u64,
    /// Print per-stage timings and peak memory to stderr.
    #[arg(long, short)]
    pub verbose: bool,
    /// Disclosure control threshold: counts from 1 to N-1 are withheld everywhere in the
    /// report (0 disables). Default: the plan's `[disclosure] threshold` (10).
    #[arg(long)]
    pub min_cell: Option<u64>,
    /// Disclosure rule: `suppress` (cell suppression, complementary suppression) or `round`
    /// (OpenSAFELY-style rounding to multiples of the plan's `[disclosure] base`). Default: the
    /// plan's `[disclosure] rule`.
    #[arg(long, value_enum)]
    pub disclosure: Option<RuleArg>,
}

/// The `--disclosure` values.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum RuleArg {
    Suppress,
    Round,
}

/// The disclosure rule of a run: the plan's `[disclosure]` table, with `--disclosure` and
/// `--min-cell` taking precedence.
pub fn disclosure_rule(
    plan: Option<&dicohort::cohort::plan::DisclosureSpec>,
    kind: Option<RuleArg>,
    min_cell: Option<u64>,
) -> DisclosureRule {
    let spec = plan.cloned().unwrap_or_default();
    let threshold = min_cell.unwrap_or(spec.threshold);
    let round = match kind {
        Some(k) => k == RuleArg::Round,
        None => spec.rule == dicohort::cohort::plan::DisclosureKind::Round,
    };
    if round {
        DisclosureRule::rounding(threshold, spec.base)
    } else {
        DisclosureRule::new(threshold)
    }
}

/// Peak resident memory of this process so far, in MiB (Linux `VmHWM`), if known.
fn peak_rss_mib() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

struct Stages {
    t0: Instant,
    last: Instant,
    verbose: bool,
}

impl Stages {
    fn mark(&mut self, what: &str) {
        if self.verbose {
            let now = Instant::now();
            eprintln!(
                "[stage] {what}: {:.2} s (total {:.2} s), peak RSS {:.0} MiB",
                (now - self.last).as_secs_f64(),
                (now - self.t0).as_secs_f64(),
                peak_rss_mib().unwrap_or(f64::NAN)
            );
            self.last = now;
        }
    }
}

pub fn run(args: Args) -> anyhow::Result<()> {
    let t0 = Instant::now();
    let mut st = Stages {
        t0,
        last: t0,
        verbose: args.verbose,
    };
    let (plan, plan_dir) = match &args.plan {
        Some(p) => {
            let text = std::fs::read_to_string(p)
                .with_context(|| format!("reading the plan {}", p.display()))?;
            let plan = Plan::from_toml(&text)
                .and_then(|plan| plan.check())
                .with_context(|| format!("{}", p.display()))?;
            (plan, p.parent().map(Path::to_path_buf).unwrap_or_default())
        }
        None => (ValidPlan::default_plan(), PathBuf::new()),
    };
    // Before any work: the output is none of the inputs, and no other run is writing it. The
    // whole run (results and report) is one transaction, committed at the end.
    let mut inputs: Vec<PathBuf> = args.plan.iter().cloned().collect();
    if let (None, Some(path)) = (args.simulate_patients, plan.cohort_path()) {
        inputs.push(plan_dir.join(path));
    }
    let tx = OutputDir::begin(&args.out, "analyze", &inputs)?;
    let cohort = match (args.simulate_patients, plan.cohort_path()) {
        (Some(n), _) => simulate_cohort(&SimParams::new(n, args.seed))?.0,
        (None, Some(path)) => {
            let dir = plan_dir.join(path);
            let opts = if plan.lenient() {
                LoadOptions::lenient()
            } else {
                LoadOptions::default()
            };
            load_cohort(&dir, &opts)
                .with_context(|| format!("loading the cohort {}", dir.display()))?
                .0
        }
        (None, None) => dicohort::simulate::default_registry(),
    };
    st.mark(&format!(
        "load cohort ({} patients, {} patient-days)",
        cohort.patients.len(),
        cohort.days.len()
    ));
    let verbose = args.verbose;
    let mut progress = |s: &str| {
        if verbose {
            eprintln!(
                "  {s} (peak RSS {:.0} MiB)",
                peak_rss_mib().unwrap_or(f64::NAN)
            );
        }
    };
    let result = run_plan(&plan, cohort, &mut progress).context("running the analysis plan")?;
    st.mark("analysis");
    write_results(&result, tx.dir())?;
    st.mark("write results");
    let rule = disclosure_rule(
        Some(&result.plan.disclosure),
        args.disclosure,
        args.min_cell,
    );
    let doc = analysis_report(&result, &rule).context("building the report")?;
    write_report(&doc, tx.dir()).context("writing the report")?;
    write_disclosure_csv(&result, &rule, tx.dir())?;
    let files = tx.commit()?.files;
    st.mark("write report");
    println!(
        "{}: wrote {} files to {}",
        result.title,
        files.len(),
        args.out.display()
    );
    print_summary(&doc, &args.out);
    Ok(())
}

/// Writes `results/disclosure.csv` (one row per withheld count, with its raw value: for the
/// analyst, like the rest of `results/`) into `out`, as part of the open run.
pub fn write_disclosure_csv(
    result: &AnalysisResult,
    rule: &DisclosureRule,
    out: &Path,
) -> anyhow::Result<Vec<PathBuf>> {
    let csv = dicohort::report::withheld::disclosure_csv(result, rule);
    Ok(write_dir(
        out,
        "analyze",
        &[("results/disclosure.csv".to_string(), csv.into_bytes())],
    )?)
}

/// The README written into `results/`: these files are not disclosure-controlled.
const RESULTS_README: &str = "\
Machine-readable results of a dicohort analysis (analysis.json, plan.json, one CSV per table).
These files hold RAW COUNTS: no disclosure control is applied here. Share the report
(report.html, report.md, figures/) one folder up, which suppresses small cells; keep this folder
with the data it was computed from.
";

/// Writes `analysis.json`, `plan.json`, every CSV table and a README into `out/results/`, as
/// one run (`dicohort::output::write_dir`: when `out` is the staging folder of an open
/// transaction, as in `run`, the files join it); returns the paths.
pub fn write_results(result: &AnalysisResult, out: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut files = vec![
        ("results/README.txt".to_string(), RESULTS_README.to_string()),
        (
            "results/analysis.json".to_string(),
            result.to_json().context("serialising the result")? + "\n",
        ),
        (
            "results/plan.json".to_string(),
            serde_json::to_string_pretty(&result.plan).context("serialising the plan")? + "\n",
        ),
    ];
    for t in result_tables(result) {
        files.push((format!("results/{}", t.name), t.to_csv()));
    }
    let files: Vec<(String, Vec<u8>)> = files
        .into_iter()
        .map(|(n, t)| (n, t.into_bytes()))
        .collect();
    Ok(write_dir(out, "analyze", &files)?)
}

/// What `analyze` prints after the files: where the report is and the report's own summary
/// (the primary design, its analysed patients and the preferred estimate), under the same
/// disclosure decisions as the report; raw counts stay in `results/`.
fn print_summary(doc: &ReportDocument, out: &Path) {
    println!(
        "Report: {} (disclosure-controlled); raw results for the analyst: {}",
        out.join("report.html").display(),
        out.join("results").display()
    );
    for line in summary_paragraphs(doc) {
        println!("{line}");
    }
}
