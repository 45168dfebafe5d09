//! `dicohort simulate`: write a deterministic synthetic registry with a planted treatment effect.

use std::path::PathBuf;

use anyhow::Context;
use dicohort::simulate::{simulate_to_dir_reporting, SimFormat, SimParams};

use super::progress::{Bar, ProgressArgs};

/// Output layout of `dicohort simulate`.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// patients.csv, days.csv, treatments.csv
    Canonical,
    /// registry_wide.csv: one row per patient, days 1/3/7, registry units
    RegistryWide,
    /// a MIMIC-IV-shaped folder (hosp/*.csv.gz, icu/*.csv.gz) for `dicohort import mimic-iv`
    MimicIv,
}

/// Arguments of `dicohort simulate` (see ../shared/cli-contract.md).
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Number of patients (10 to 10,000,000 is the tested range).
    #[arg(long)]
    pub patients: u64,
    /// Random seed: the same seed gives byte-identical files.
    #[arg(long)]
    pub seed: u64,
    /// Output folder (created if needed).
    #[arg(long)]
    pub out: PathBuf,
    /// Output layout.
    #[arg(long, value_enum, default_value = "canonical")]
    pub format: Format,
    /// True hazard ratio of in-hospital death, treated vs untreated, in DIC patients (JAAM >= 4
    /// on day 1); non-DIC patients have HR 1.0.
    #[arg(long, default_value_t = 0.70)]
    pub true_hr: f64,
    /// First day on which the treatment acts (default 1: from the day it starts). 4 removes any
    /// effect before the day-3 landmark (a check of the landmark design's selection; stated in
    /// truth.json).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=28))]
    pub effect_from_day: u32,
    /// Also write each landmark patient's two potential outcomes into truth_patients.csv
    /// (dic_decided_in_data, untreated_time, untreated_death, treated_time, treated_death; days
    /// after the day-3 landmark), and the true propensity score (treatment_probability): the
    /// potential outcomes refitted pooled give truth.json's marginal hazard ratio.
    #[arg(long)]
    pub potential_outcomes: bool,
    /// Daily hazard ratio of bleeding from the treatment's start (day 2 on), treated vs
    /// untreated; stated in truth.json. 1 plants no harm.
    #[arg(long, default_value_t = dicohort::simulate::model::DEFAULT_BLEEDING_HR)]
    pub bleeding_hr: f64,
    #[command(flatten)]
    pub progress: ProgressArgs,
    /// Delete day-1 platelets, PT and fibrinogen at random given APACHE II, outcome and treatment
    /// (`mar`) or also given the value itself (`mnar`); stated in truth.json.
    #[arg(long, value_enum)]
    pub lab_missingness: Option<LabMissingnessArg>,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum LabMissingnessArg {
    Mar,
    Mnar,
}

pub fn run(args: Args) -> anyhow::Result<()> {
    let mut params = SimParams::new(args.patients, args.seed);
    params.hr_dic = args.true_hr;
    params.effect_from_day = args.effect_from_day;
    params.potential_outcomes = args.potential_outcomes;
    if !(args.bleeding_hr.is_finite() && args.bleeding_hr > 0.0) {
        anyhow::bail!(
            "--bleeding-hr must be a positive number, got {}",
            args.bleeding_hr
        );
    }
    params.bleeding_hr = args.bleeding_hr;
    params.lab_missingness = args.lab_missingness.map(|m| match m {
        LabMissingnessArg::Mar => dicohort::simulate::missing::LabMissingness::Mar,
        LabMissingnessArg::Mnar => dicohort::simulate::missing::LabMissingness::Mnar,
    });
    let format = match args.format {
        Format::Canonical => SimFormat::Canonical,
        Format::RegistryWide => SimFormat::RegistryWide,
        Format::MimicIv => SimFormat::MimicIv,
    };
    let bar = Bar::new(args.progress);
    let t = simulate_to_dir_reporting(&params, format, &args.out, &bar.reporter())
        .with_context(|| format!("simulating into {}", args.out.display()));
    bar.finish();
    let t = t?;
    let c = &t.counts;
    let days_note = match format {
        SimFormat::Canonical => "",
        SimFormat::RegistryWide => " simulated (days 1, 3 and 7 exported)",
        SimFormat::MimicIv => " (as MIMIC-IV tables; import with `dicohort import mimic-iv`)",
    };
    println!(
        "wrote {} ({}) to {}: {} patients, {} patient-days{days_note}, {} treatment courses",
        if t.files.len() > 5 {
            format!("{} files", t.files.len())
        } else {
            t.files.join(", ")
        },
        t.format,
        args.out.display(),
        c.patients,
        c.patient_days,
        c.treatment_courses
    );
    println!(
        "DIC (JAAM >= 4 on day 1): {} ({:.1}%); treated: {} DIC, {} non-DIC; deaths: {} DIC, {} non-DIC; discharged alive: {}",
        c.dic,
        100.0 * c.dic as f64 / c.patients as f64,
        c.treated_dic,
        c.treated_non_dic,
        c.deaths_dic,
        c.deaths_non_dic,
        c.discharged_alive
    );
    println!(
        "planted truth: conditional HR {} in DIC, {} in non-DIC (truth.json, truth_patients.csv)",
        t.true_hazard_ratio.dic, t.true_hazard_ratio.non_dic
    );
    let m = &t.marginal_hazard_ratio;
    let show = |v: Option<f64>| v.map_or("NA".to_string(), |v| format!("{v:.4}"));
    println!(
        "marginal truth (landmark day 3, treated vs never, the target of IPTW): HR {} in DIC, {} in non-DIC",
        show(m.dic_as_decided_in_data),
        show(m.non_dic_as_decided_in_data)
    );
    Ok(())
}
