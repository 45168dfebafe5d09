//! `dicohort mapping init EXPORT.csv [--days LABS.csv] [--courses DRUGS.csv] > my.toml`: drafts a mapping from an
//! export's header and values (see `dicohort::load::mapping::draft_mapping`); every guess is a
//! comment to confirm.

use std::path::PathBuf;

use anyhow::Context;
use dicohort::load::mapping::draft_mapping;

/// Arguments of `dicohort mapping`.
#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(clap::Subcommand, Debug)]
pub enum Command {
    /// Draft a mapping for an export: column names matched to the canonical ones, units, codes
    /// and dates guessed from the values, each guess commented for you to confirm.
    Init {
        /// The main file of the export: one row per patient.
        export: PathBuf,
        /// A days file beside it: one row per patient and day, or per patient, day and test.
        #[arg(long)]
        days: Option<PathBuf>,
        /// A courses file beside it: one row per anticoagulant course.
        #[arg(long)]
        courses: Option<PathBuf>,
    },
}

pub fn run(args: Args) -> anyhow::Result<()> {
    match args.command {
        Command::Init {
            export,
            days,
            courses,
        } => {
            let text = draft_mapping(&export, days.as_deref(), courses.as_deref())
                .with_context(|| format!("drafting a mapping for {}", export.display()))?;
            print!("{text}");
            Ok(())
        }
    }
}
