//! `dicohort finegray`: competing-risks regression on a data file: the Fine-Gray subdistribution
//! hazard ratio (`survival::finegray` + weighted `coxph`, or `cmprsk::crr`), the cause-specific
//! Cox model, and optionally the Aalen-Johansen cumulative incidence by group at chosen times.
//!
//! Rows with a missing value in any column used are omitted (R's `na.omit`) and counted.
//! Covariates must be numeric (code text columns as 0/1 first).

use std::collections::BTreeSet;
use std::path::PathBuf;

use anyhow::{bail, Context};
use dicohort::load::table::read_table;
use dicohort::stats::competing::aalen_johansen;
use dicohort::stats::cox::{CoxOptions, CoxTerm, Ties};
use dicohort::stats::finegray::{cause_specific_cox, crr, finegray_cox, CrrOptions};
use dicohort::stats::km::KmOptions;
use serde::Serialize;

/// Arguments of `dicohort finegray`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Data file (CSV or Parquet).
    #[arg(long)]
    pub data: PathBuf,
    /// Time of the first event or of censoring.
    #[arg(long)]
    pub time: String,
    /// Status: 0 = censored, 1, 2, ... = the event that ended follow-up.
    #[arg(long)]
    pub status: String,
    /// The cause of interest (the others are competing events).
    #[arg(long, default_value_t = 1)]
    pub cause: u32,
    /// Numeric covariates, comma-separated.
    #[arg(long, value_delimiter = ',', required = true)]
    pub covariates: Vec<String>,
    /// `finegray` (finegray + weighted coxph; weights allowed) or `crr` (cmprsk::crr).
    #[arg(long, default_value = "finegray", value_parser = ["finegray", "crr"])]
    pub method: String,
    /// Ties method of the finegray and cause-specific Cox fits.
    #[arg(long, default_value = "efron", value_parser = ["efron", "breslow"])]
    pub ties: String,
    /// Case weights column (> 0), e.g. IPTW; not with `--method crr`.
    #[arg(long)]
    pub weights: Option<String>,
    /// Robust variance clustered by subject (finegray and cause-specific fits).
    #[arg(long)]
    pub robust: bool,
    /// Group column for the Aalen-Johansen cumulative incidence (e.g. the exposure).
    #[arg(long)]
    pub cif_by: Option<String>,
    /// Times at which to report the cumulative incidence, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "28")]
    pub cif_at: Vec<f64>,
    /// Confidence level.
    #[arg(long, default_value_t = 0.95)]
    pub conf_level: f64,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

#[derive(Serialize)]
struct CifRow {
    group: String,
    time: f64,
    cif: f64,
    std_err: f64,
    lower: f64,
    upper: f64,
}

#[derive(Serialize)]
struct Output {
    method: String,
    cause: u32,
    n: usize,
    n_omitted: usize,
    n_event: usize,
    n_competing: usize,
    conf_level: f64,
    subdistribution: Vec<CoxTerm>,
    cause_specific: Vec<CoxTerm>,
    cif: Vec<CifRow>,
}

pub fn run(args: Args) -> anyhow::Result<()> {
    if !(args.conf_level > 0.0 && args.conf_level < 1.0) {
        bail!(
            "--conf-level must be between 0 and 1 (got {})",
            args.conf_level
        );
    }
    if args.method == "crr" && args.weights.is_some() {
        bail!("--method crr takes no weights (cmprsk::crr has none); use --method finegray");
    }
    let table = read_table(&args.data)?;
    let file = table.file_name();
    let time = table.f64_column(&args.time)?;
    let status = table.f64_column(&args.status)?;
    let covs: Vec<Vec<f64>> = args
        .covariates
        .iter()
        .map(|c| table.f64_column(c.trim()))
        .collect::<Result<_, _>>()?;
    let weights = match &args.weights {
        Some(c) => Some(table.f64_column(c)?),
        None => None,
    };
    let groups = match &args.cif_by {
        Some(c) => Some(table.str_column(c)?),
        None => None,
    };
    let mut keep = Vec::new();
    for i in 0..table.n_rows() {
        let missing = time[i].is_nan()
            || status[i].is_nan()
            || covs.iter().any(|c| c[i].is_nan())
            || weights.as_ref().is_some_and(|w| w[i].is_nan())
            || groups.as_ref().is_some_and(|g| g[i].is_none());
        if missing {
            continue;
        }
        let s = status[i];
        if !(s >= 0.0 && s.fract() == 0.0 && s < 1e6) {
            bail!(
                "{file}: row {}, column `{}`: status must be 0 (censored) or a cause 1, 2, ... (got {s})",
                i + 1,
                args.status
            );
        }
        keep.push(i);
    }
    let n_omitted = table.n_rows() - keep.len();
    if keep.is_empty() {
        bail!("{file}: no complete rows for the model");
    }
    let pick = |v: &[f64]| -> Vec<f64> { keep.iter().map(|&i| v[i]).collect() };
    let t = pick(&time);
    let st: Vec<u32> = keep.iter().map(|&i| status[i] as u32).collect();
    let x: Vec<Vec<f64>> = covs.iter().map(|c| pick(c)).collect();
    let w = weights.as_ref().map(|w| pick(w));
    let names: Vec<String> = args
        .covariates
        .iter()
        .map(|c| c.trim().to_string())
        .collect();
    let cox_opts = CoxOptions {
        ties: args.ties.parse::<Ties>()?,
        robust: args.robust,
        names: Some(names.clone()),
        ..CoxOptions::default()
    };
    let subdistribution = if args.method == "crr" {
        let opts = CrrOptions {
            names: Some(names.clone()),
            ..CrrOptions::default()
        };
        crr(&t, &st, args.cause, &x, &opts)
            .with_context(|| format!("{file}: Fine-Gray model (crr)"))?
            .terms(args.conf_level)
    } else {
        finegray_cox(&t, &st, args.cause, &x, w.as_deref(), &cox_opts)
            .with_context(|| format!("{file}: Fine-Gray model (finegray + coxph)"))?
            .1
            .terms(args.conf_level)
    };
    let cause_specific = cause_specific_cox(&t, &st, args.cause, &x, w.as_deref(), &cox_opts)
        .with_context(|| format!("{file}: cause-specific Cox model"))?
        .terms(args.conf_level);
    let n_causes = st.iter().copied().max().unwrap_or(0).max(args.cause) as usize;
    let mut cif = Vec::new();
    if let Some(g) = &groups {
        let labels: Vec<&String> = keep
            .iter()
            .map(|&i| g[i].as_ref().expect("complete"))
            .collect();
        let levels: BTreeSet<&String> = labels.iter().copied().collect();
        for level in levels {
            let rows: Vec<usize> = (0..t.len()).filter(|&k| labels[k] == level).collect();
            let tg: Vec<f64> = rows.iter().map(|&k| t[k]).collect();
            let sg: Vec<u32> = rows.iter().map(|&k| st[k]).collect();
            let wg = w
                .as_ref()
                .map(|w| rows.iter().map(|&k| w[k]).collect::<Vec<_>>());
            let opts = KmOptions {
                conf_level: args.conf_level,
                ..KmOptions::default()
            };
            let fit = aalen_johansen(&tg, &sg, n_causes, wg.as_deref(), &opts)
                .with_context(|| format!("{file}: cumulative incidence, group {level}"))?;
            let c = args.cause as usize - 1;
            for &at in &args.cif_at {
                // the curve is a step function: the last time <= at
                let idx = fit.time.partition_point(|&u| u <= at);
                let (v, se, lo, hi) = if idx == 0 {
                    (0.0, 0.0, 0.0, 0.0)
                } else {
                    let k = idx - 1;
                    (
                        fit.cif[c][k],
                        fit.std_err[c][k],
                        fit.lower[c][k],
                        fit.upper[c][k],
                    )
                };
                cif.push(CifRow {
                    group: level.clone(),
                    time: at,
                    cif: v,
                    std_err: se,
                    lower: lo,
                    upper: hi,
                });
            }
        }
    }
    let out = Output {
        method: args.method.clone(),
        cause: args.cause,
        n: t.len(),
        n_omitted,
        n_event: st.iter().filter(|&&s| s == args.cause).count(),
        n_competing: st.iter().filter(|&&s| s != 0 && s != args.cause).count(),
        conf_level: args.conf_level,
        subdistribution,
        cause_specific,
        cif,
    };
    if args.json {
        println!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        print!("{}", text(&out));
    }
    Ok(())
}

fn text(o: &Output) -> String {
    let pct = format!("{:.0}%", o.conf_level * 100.0);
    let mut s = format!(
        "Competing risks, cause {}: n = {}, events = {}, competing = {}{}\n",
        o.cause,
        o.n,
        o.n_event,
        o.n_competing,
        if o.n_omitted > 0 {
            format!(" ({} rows with missing values omitted)", o.n_omitted)
        } else {
            String::new()
        }
    );
    let table = |title: &str, label: &str, terms: &[CoxTerm]| {
        let mut t = format!("\n{title}\nterm            {label:>8}  {pct} CI                 p\n");
        for r in terms {
            t.push_str(&format!(
                "{:<15} {:>8.4}  [{:.4}, {:.4}]  {:.4}\n",
                r.name, r.hr, r.lower, r.upper, r.p
            ));
        }
        t
    };
    s.push_str(&table(
        &format!("Fine-Gray subdistribution hazard ratio ({})", o.method),
        "sHR",
        &o.subdistribution,
    ));
    s.push_str(&table("Cause-specific Cox model", "HR", &o.cause_specific));
    if !o.cif.is_empty() {
        s.push_str("\nAalen-Johansen cumulative incidence\ngroup  time  CIF  (CI)\n");
        for c in &o.cif {
            s.push_str(&format!(
                "{}  {}  {:.4}  ({:.4}, {:.4})\n",
                c.group, c.time, c.cif, c.lower, c.upper
            ));
        }
    }
    s
}
