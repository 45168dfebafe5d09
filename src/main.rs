//! The `dicohort` command line: a thin layer over the library. Each subcommand lives in its own
//! file under `src/cli/` with its clap `Args` and a `run` function.

use clap::{Parser, Subcommand};

mod cli;

/// Retrospective cohort studies of sepsis-associated DIC and anticoagulant therapy.
#[derive(Parser)]
#[command(name = "dicohort", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run an analysis plan end to end (no plan: the embedded default on the embedded registry).
    Analyze(cli::analyze::Args),
    /// Write a deterministic synthetic registry with a planted treatment effect.
    Simulate(cli::simulate::Args),
    /// Import an external database into a canonical cohort folder (MIMIC-IV).
    #[command(subcommand)]
    Import(cli::import::Source),
    /// Check a cohort folder against the canonical schema and print every problem found.
    Validate(cli::validate::Args),
    /// Draft a mapping for an export (`mapping init EXPORT.csv > my.toml`).
    Mapping(cli::mapping::Args),
    /// Score every patient-day (SIRS, SOFA, JAAM, JAAM-2, ISTH, SIC, JMHW, JSTH).
    Score(cli::score::Args),
    /// Kaplan-Meier estimates with Greenwood variance (as R survfit).
    Km(cli::km::Args),
    /// Log-rank / G-rho test (as R survdiff).
    Logrank(cli::logrank::Args),
    /// Cox proportional hazards model (as R coxph).
    Cox(cli::cox::Args),
    /// Competing risks: Fine-Gray subdistribution HR (finegray + coxph, or cmprsk::crr),
    /// cause-specific Cox and Aalen-Johansen cumulative incidence.
    Finegray(cli::finegray::Args),
    /// Risk ratio, risk difference and odds ratio from a 2x2 table (Mantel-Haenszel with strata).
    Rr(cli::rr::Args),
    /// Meta-analysis of 2x2 trial counts (as R metafor).
    Meta(cli::meta::Args),
    /// Render a report again, byte for byte: from results/analysis.json alone, or by running a plan.
    ///
    /// `dicohort report --from DIR/results/analysis.json --out NEW [--min-cell N]` reads only the
    /// saved result (no patient data: it runs on a machine that never saw patient rows) and writes
    /// report.html, report.md and figures/ as the analyze run did. `dicohort report PLAN.toml
    /// --out DIR` runs the plan first, as `dicohort analyze PLAN.toml --out DIR`.
    Report(cli::report::Args),
    /// Read one Parquet file and exit (run by dicohort itself, see `cli/isolate.rs`).
    #[command(hide = true)]
    CheckParquet(cli::isolate::Args),
}

fn main() {
    let cli = Cli::parse();
    if !matches!(cli.command, Command::CheckParquet(_)) {
        cli::isolate::install();
    }
    let result = match cli.command {
        Command::Analyze(a) => cli::analyze::run(a),
        Command::Simulate(a) => cli::simulate::run(a),
        Command::Import(s) => cli::import::run(s),
        Command::Validate(a) => cli::validate::run(a),
        Command::Mapping(a) => cli::mapping::run(a),
        Command::Score(a) => cli::score::run(a),
        Command::Km(a) => cli::km::run(a),
        Command::Logrank(a) => cli::logrank::run(a),
        Command::Cox(a) => cli::cox::run(a),
        Command::Finegray(a) => cli::finegray::run(a),
        Command::Rr(a) => cli::rr::run(a),
        Command::Meta(a) => cli::meta::run(a),
        Command::Report(a) => cli::report::run(a),
        Command::CheckParquet(a) => cli::isolate::run(a),
    };
    if let Err(e) = result {
        eprintln!("error: {e:#}");
        std::process::exit(1);
    }
}
