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

use anyhow::Context;
use dicohort::cohort::analysis::{run_plan, AnalysisResult};
use dicohort::cohort::plan::{Plan, SourceKind};
use dicohort::cohort::results::result_tables;
use dicohort::cohort::valid_plan::ValidPlan;
use dicohort::load::mimic::{read_mimic, MimicOptions};
use dicohort::load::{load_cohort_with_progress, LoadOptions};
use dicohort::output::{write_dir, OutputDir};
use dicohort::report::analysis::{analysis_report, summary_paragraphs};
use dicohort::report::disclosure::DisclosureRule;
use dicohort::report::{write_report, ReportDocument};
use dicohort::simulate::{simulate_cohort, SimParams};
use std::path::{Path, PathBuf};

use super::common::parse_delimiter;
use super::progress::{Bar, ProgressArgs};

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
    /// The CSV delimiter of the cohort's files: `,`, `;`, `tab` or `|` (default: detected).
    #[arg(long, value_parser = parse_delimiter)]
    pub delimiter: Option<u8>,
    #[command(flatten)]
    pub progress: ProgressArgs,
    /// Disclosure control threshold: counts from 1 to N-1 are withheld everywhere in the
    /// report (0 disables). Default: the plan's `[disclosure] threshold` (10).
    #[arg(long)]
    pub min_cell: Option<u64>,
    /// Disclosure rule: `suppress` (cell suppression, complementary suppression) or `round`
    /// (OpenSAFELY-style rounding to multiples of the plan's `[disclosure] base`). Default: the
    /// plan's `[disclosure] rule`.
    #[arg(long, value_enum)]
    pub disclosure: Option<RuleArg>,
    /// A mapping file through which to read the plan's cohort (instead of the plan's
    /// `[cohort] mapping`).
    #[arg(long)]
    pub mapping: Option<PathBuf>,
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

pub fn run(args: Args) -> anyhow::Result<()> {
    let bar = Bar::new(args.progress);
    let result = run_with(&args, &bar);
    bar.finish();
    result
}

fn run_with(args: &Args, bar: &std::sync::Arc<Bar>) -> anyhow::Result<()> {
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
    if args.mapping.is_some() && plan.cohort_path().is_none() {
        anyhow::bail!(
            "--mapping needs a plan whose [cohort] names the export (`file = \"export.csv\"`)"
        );
    }
    // Before any work: the output is none of the inputs, and no other run is writing it. The
    // whole run (results and report) is one transaction, committed at the end.
    let mut inputs: Vec<PathBuf> = args.plan.iter().cloned().collect();
    if let (None, Some(path)) = (args.simulate_patients, plan.cohort_path()) {
        inputs.push(plan_dir.join(path));
    }
    let tx = OutputDir::begin(&args.out, "analyze", &inputs)?;
    let reporter = bar.reporter();
    let cohort = match (args.simulate_patients, plan.cohort_path()) {
        (Some(n), _) => {
            reporter.stage(&format!("simulating {n} patients in memory"), None);
            simulate_cohort(&SimParams::new(n, args.seed))?.0
        }
        (None, Some(path)) if plan.source() == SourceKind::MimicIv => {
            let dir = plan_dir.join(path);
            reporter.stage(
                &format!("importing the MIMIC-IV folder {}", dir.display()),
                None,
            );
            let opts = MimicOptions::default().check()?;
            read_mimic(&dir, &opts)
                .with_context(|| format!("importing the MIMIC-IV folder {}", dir.display()))?
                .cohort
        }
        (None, Some(path)) => {
            let dir = plan_dir.join(path);
            let mut opts = if plan.lenient() {
                LoadOptions::lenient()
            } else {
                LoadOptions::default()
            };
            opts.mapping = args
                .mapping
                .clone()
                .or_else(|| plan.cohort_mapping().map(|m| plan_dir.join(m)));
            opts.delimiter = args.delimiter;
            opts.compact = true;
            load_cohort_with_progress(&dir, &opts, reporter.clone())
                .with_context(|| format!("loading the cohort {}", dir.display()))?
                .0
        }
        (None, None) => {
            reporter.stage("simulating the embedded registry", None);
            dicohort::simulate::default_registry()
        }
    };
    reporter.stage(
        &format!(
            "loaded {} patients, {} patient-days",
            cohort.patients.len(),
            cohort.n_days()
        ),
        None,
    );
    // run_plan names its steps ("[  t s] step"): each is a stage of the bar.
    let mut progress = |s: &str| {
        let step = s.split_once("] ").map_or(s, |(_, step)| step);
        reporter.stage(&format!("analysis: {step}"), None);
    };
    let result = run_plan(&plan, cohort, &mut progress).context("running the analysis plan")?;
    reporter.stage("writing results", None);
    write_results(&result, tx.dir())?;
    reporter.stage("writing the report", None);
    let rule = disclosure_rule(
        Some(&result.plan.disclosure),
        args.disclosure,
        args.min_cell,
    );
    let doc = analysis_report(&result, &rule).context("building the report")?;
    write_report(&doc, tx.dir()).context("writing the report")?;
    write_disclosure_csv(&result, &rule, tx.dir())?;
    let files = tx.commit()?.files;
    bar.finish();
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
