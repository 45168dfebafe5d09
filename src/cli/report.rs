//! `dicohort report PLAN.toml --out DIR`: regenerates every figure and table of a plan's report.
//! It is `dicohort analyze` with the plan required; the same inputs give byte-identical files.

use std::path::PathBuf;

/// Arguments of `dicohort report` (see ../shared/cli-contract.md).
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The analysis plan (TOML).
    pub plan: PathBuf,
    /// Output folder (created if needed).
    #[arg(long)]
    pub out: PathBuf,
    /// Disclosure control threshold: counts from 1 to N-1 are suppressed (0 disables).
    #[arg(long, default_value_t = 10)]
    pub min_cell: u64,
    /// Print per-stage timings and peak memory to stderr.
    #[arg(long, short)]
    pub verbose: bool,
    /// A mapping file through which to read the plan's cohort.
    #[arg(long)]
    pub mapping: Option<PathBuf>,
}

pub fn run(args: Args) -> anyhow::Result<()> {
    super::analyze::run(super::analyze::Args {
        plan: Some(args.plan),
        out: args.out,
        simulate_patients: None,
        seed: 2011,
        verbose: args.verbose,
        min_cell: args.min_cell,
        mapping: args.mapping,
    })
}
