//! `dicohort report`: renders the report (`report.html`, `report.md`, `figures/*.svg`) again.
//! - `dicohort report --from results/analysis.json --out DIR [--min-cell N]`: from the saved
//!   result alone. No patient data is read, so this runs on a machine that never saw patient
//!   rows; with the same `--min-cell` it writes the same bytes as the `analyze` run that wrote
//!   the file.
//! - `dicohort report PLAN.toml --out DIR`: runs the plan first (the same as
//!   `dicohort analyze PLAN.toml --out DIR`, `results/` included).

use std::path::PathBuf;

use anyhow::Context;
use dicohort::cohort::analysis::AnalysisResult;
use dicohort::output::{write_dir, OutputDir};
use dicohort::report::analysis::analysis_report;
use dicohort::report::write_report;

/// Arguments of `dicohort report` (see ../shared/cli-contract.md).
#[derive(clap::Args, Debug)]
#[command(group(clap::ArgGroup::new("input").required(true).args(["plan", "from"])))]
pub struct Args {
    /// The analysis plan (TOML): run it, then write the results and the report (as `analyze`).
    pub plan: Option<PathBuf>,
    /// Render from a saved result (`results/analysis.json` of an `analyze` run) without any
    /// patient data; writes only the report files.
    #[arg(long, value_name = "ANALYSIS_JSON")]
    pub from: Option<PathBuf>,
    /// Output folder (created if needed).
    #[arg(long)]
    pub out: PathBuf,
    /// Disclosure control threshold: counts from 1 to N-1 are withheld (0 disables). Default:
    /// the plan's `[disclosure] threshold` (10).
    #[arg(long)]
    pub min_cell: Option<u64>,
    /// Disclosure rule: `suppress` or `round` (see `dicohort analyze --help`). Default: the
    /// plan's `[disclosure] rule`.
    #[arg(long, value_enum)]
    pub disclosure: Option<super::analyze::RuleArg>,
    #[command(flatten)]
    pub progress: super::progress::ProgressArgs,
    /// A mapping file through which to read the plan's cohort.
    #[arg(long)]
    pub mapping: Option<PathBuf>,
}

pub fn run(args: Args) -> anyhow::Result<()> {
    let Some(from) = args.from else {
        return super::analyze::run(super::analyze::Args {
            plan: args.plan,
            out: args.out,
            simulate_patients: None,
            seed: 2011,
            min_cell: args.min_cell,
            delimiter: None,
            progress: args.progress,
            mapping: args.mapping,
            disclosure: args.disclosure,
        });
    };
    let text =
        std::fs::read_to_string(&from).with_context(|| format!("reading {}", from.display()))?;
    let result =
        AnalysisResult::from_json(&text).with_context(|| format!("reading {}", from.display()))?;
    let rule = super::analyze::disclosure_rule(
        Some(&result.plan.disclosure),
        args.disclosure,
        args.min_cell,
    );
    let doc = analysis_report(&result, &rule).context("building the report")?;
    let tx = OutputDir::begin(&args.out, "report", &[])?;
    write_report(&doc, tx.dir()).context("writing the report")?;
    let csv = dicohort::report::withheld::disclosure_csv(&result, &rule);
    write_dir(
        tx.dir(),
        "report",
        &[("results/disclosure.csv".to_string(), csv.into_bytes())],
    )?;
    let files = tx.commit()?.files;
    println!(
        "{}: wrote {} files to {}",
        result.title,
        files.len(),
        args.out.display()
    );
    Ok(())
}
