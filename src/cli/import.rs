//! `dicohort import mimic-iv`: a MIMIC-IV folder (`hosp/`, `icu/` as CSV.gz) into the canonical
//! cohort folder (see `dicohort::load::mimic`).

use std::path::PathBuf;

use anyhow::Context;
use dicohort::load::mimic::{
    import_mimic, DayConvention, FollowUp, MimicOptions, OutputFormat, SepsisRule, StaySelection,
};

/// The sources `dicohort import` reads.
#[derive(clap::Subcommand, Debug)]
pub enum Source {
    /// MIMIC-IV v2.2 / v3.x (PhysioNet): hosp/ and icu/ modules as CSV.gz.
    MimicIv(MimicArgs),
}

/// Output format of the canonical tables.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Csv,
    Parquet,
}

/// Arguments of `dicohort import mimic-iv`.
#[derive(clap::Args, Debug)]
pub struct MimicArgs {
    /// The MIMIC-IV folder (holding hosp/ and icu/).
    #[arg(long)]
    pub source: PathBuf,
    /// The canonical cohort folder to write (created if needed).
    #[arg(long)]
    pub out: PathBuf,
    /// Format of patients/days/treatments.
    #[arg(long, value_enum, default_value = "csv")]
    pub format: Format,
    /// Every ICU stay instead of the first stay of each patient.
    #[arg(long)]
    pub all_stays: bool,
    /// Keep stays without Sepsis-3 (the `sepsis3` column flags them).
    #[arg(long)]
    pub keep_non_sepsis: bool,
    /// Days as 24-hour blocks from ICU intime instead of calendar days.
    #[arg(long)]
    pub blocks: bool,
    /// In-hospital deaths only (ignore patients.dod after discharge).
    #[arg(long)]
    pub in_hospital_only: bool,
    /// Minimum age at ICU admission.
    #[arg(long, default_value_t = 18.0)]
    pub min_age: f64,
    /// Patient-days written per stay.
    #[arg(long, default_value_t = 7)]
    pub max_day: u32,
    /// MiB of CSV text read at a time from labevents and chartevents (memory only; the output
    /// is the same for any size).
    #[arg(long, default_value_t = 32)]
    pub batch_mib: usize,
}

pub fn run(source: Source) -> anyhow::Result<()> {
    let Source::MimicIv(a) = source;
    let opts = MimicOptions {
        stays: if a.all_stays {
            StaySelection::All
        } else {
            StaySelection::First
        },
        sepsis: if a.keep_non_sepsis {
            SepsisRule::Flag
        } else {
            SepsisRule::Require
        },
        days: if a.blocks {
            DayConvention::Blocks24h
        } else {
            DayConvention::Calendar
        },
        follow_up: if a.in_hospital_only {
            FollowUp::InHospital
        } else {
            FollowUp::Linked
        },
        min_age: a.min_age,
        max_day: a.max_day,
        batch_bytes: a.batch_mib.saturating_mul(1 << 20),
    }
    .check()?;
    let format = match a.format {
        Format::Csv => OutputFormat::Csv,
        Format::Parquet => OutputFormat::Parquet,
    };
    let r = import_mimic(&a.source, &a.out, format, &opts)
        .with_context(|| format!("importing {}", a.source.display()))?;
    println!(
        "wrote {} to {}: {} ICU stays ({} with Sepsis-3), {} patient-days, {} anticoagulant courses",
        r.files.join(", "),
        a.out.display(),
        r.n_stays,
        r.n_sepsis3,
        r.n_patient_days,
        r.n_treatment_courses
    );
    println!("{}", r.day_definition);
    for s in &r.flow.steps {
        let ex: Vec<String> = s.excluded.iter().map(|(w, n)| format!("{n} {w}")).collect();
        println!(
            "  {}: {} -> {} ({})",
            s.label,
            s.n_in,
            s.n_out,
            ex.join("; ")
        );
    }
    let dropped: u64 = r.dropped.iter().map(|d| d.n).sum();
    println!(
        "{} unit conversions recorded, {dropped} values not used (by reason in import.json)",
        r.conversions.len()
    );
    Ok(())
}
