//! `dicohort validate`: check a cohort folder against the canonical schema and print every
//! problem found (file, row, column, message) and the cohort flow.

use std::path::PathBuf;

use dicohort::load::{validate_cohort_with_progress, LoadOptions};

use super::common::parse_delimiter;
use super::progress::{Bar, ProgressArgs};

/// Arguments of `dicohort validate` (see ../shared/cli-contract.md).
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Cohort folder (patients/days/treatments, .csv or .parquet, or registry_wide.csv) or an
    /// export file of any name (read through --mapping, else as a registry-wide export).
    pub dir: PathBuf,
    /// Lenient: report the problems and the exclusions they imply, but exit 0 unless nothing
    /// can be loaded (missing file or column).
    #[arg(long)]
    pub lenient: bool,
    /// A mapping file (data-schema/README.md) through which to read the export; draft one
    /// with `dicohort mapping init EXPORT.csv`.
    #[arg(long)]
    pub mapping: Option<PathBuf>,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
    /// The CSV delimiter: `,`, `;`, `tab` or `|` (default: detected from each header).
    #[arg(long, value_parser = parse_delimiter)]
    pub delimiter: Option<u8>,
    #[command(flatten)]
    pub progress: ProgressArgs,
}

pub fn run(args: Args) -> anyhow::Result<()> {
    let opts = LoadOptions {
        strict: !args.lenient,
        mapping: args.mapping.clone(),
        delimiter: args.delimiter,
        compact: false,
    };
    let bar = Bar::new(args.progress);
    let report = validate_cohort_with_progress(&args.dir, &opts, bar.reporter());
    bar.finish();
    let report = report?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        println!("{}: {report}", args.dir.display());
    }
    if report.is_fatal() {
        anyhow::bail!(
            "{}: cannot be loaded ({} problem(s), see above)",
            args.dir.display(),
            report.problems.len()
        );
    }
    if opts.strict && !report.is_valid() {
        anyhow::bail!(
            "{}: {} problem(s) found (strict mode; --lenient excludes the offending rows)",
            args.dir.display(),
            report.problems.len()
        );
    }
    Ok(())
}
