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
use dicohort::report::analysis::write_analysis_report;
use dicohort::report::disclosure::DisclosureRule;

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
    /// Disclosure control threshold: counts from 1 to N-1 are suppressed (0 disables).
    #[arg(long, default_value_t = 10)]
    pub min_cell: u64,
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
        });
    };
    let text =
        std::fs::read_to_string(&from).with_context(|| format!("reading {}", from.display()))?;
    let result =
        AnalysisResult::from_json(&text).with_context(|| format!("reading {}", from.display()))?;
    let files = write_analysis_report(&result, &DisclosureRule::new(args.min_cell), &args.out)
        .context("writing the report")?;
    println!(
        "{}: wrote {} files to {}",
        result.title,
        2 + files.figures.len(),
        args.out.display()
    );
    Ok(())
}
