//! `dicohort km`: Kaplan-Meier curves per group from a data file, as R
//! `summary(survfit(Surv(time, event) ~ group), censored = TRUE)`.
//!
//! Rows with a missing time, event, group or weight are omitted (R `na.omit`) and counted in
//! `n_omitted`. The event column may be 0/1, true/false (yes/no, T/F) or R's 1/2 coding
//! (2 = event, when every value is 1 or 2). Group columns may be text or numbers; numbers are
//! ordered numerically, text alphabetically (R's factor order).

use std::path::PathBuf;

use anyhow::{bail, Context};
use dicohort::load::table::read_table;
use dicohort::stats::km::{kaplan_meier_by_group, ConfType, KmFit, KmOptions, KmSummaryRow};
use serde::Serialize;

use super::common::{aligned, check_times, compact_labels, fmt, read_event, read_labels};

/// Arguments of `dicohort km` (see ../shared/cli-contract.md).
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Data file (CSV or Parquet).
    #[arg(long)]
    pub data: PathBuf,
    /// Follow-up time column (>= 0).
    #[arg(long)]
    pub time: String,
    /// Event indicator column: 0/1, true/false, or 1/2 (2 = event) as R's Surv.
    #[arg(long)]
    pub event: String,
    /// Grouping column (text or numbers); without it one group named `all`.
    #[arg(long)]
    pub group: Option<String>,
    /// Case weights column (e.g. IPTW weights); non-integer weights switch to R's robust
    /// (infinitesimal jackknife) variance, as survfit does.
    #[arg(long)]
    pub weights: Option<String>,
    /// Confidence interval transformation.
    #[arg(long, default_value = "log", value_parser = ["log", "log-log", "plain"])]
    pub conf_type: String,
    /// Confidence level.
    #[arg(long, default_value_t = 0.95)]
    pub conf_level: f64,
    /// Restriction time of the RMST (default: the largest follow-up time over all groups, R's
    /// `rmean = "common"`).
    #[arg(long)]
    pub rmst_tau: Option<f64>,
    /// Times for a number-at-risk table (comma-separated), as `summary(fit, times = ...)`.
    #[arg(long, value_delimiter = ',')]
    pub at: Vec<f64>,
    /// Print JSON (the contract's keys) instead of a table.
    #[arg(long)]
    pub json: bool,
}

#[derive(Serialize)]
struct KmGroupJson<'a> {
    group: &'a str,
    n: usize,
    time: &'a [f64],
    n_risk: &'a [f64],
    n_event: &'a [f64],
    n_censor: &'a [f64],
    surv: &'a [f64],
    std_err: &'a [f64],
    lower: &'a [f64],
    upper: &'a [f64],
    median: f64,
    median_lower: f64,
    median_upper: f64,
    rmst: f64,
    rmst_se: f64,
    rmst_tau: f64,
    /// `greenwood` (std_err of -log S) or `infinitesimal-jackknife` (std_err of S, as R).
    variance: dicohort::stats::km::KmVariance,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    at: Vec<KmSummaryRow>,
}

#[derive(Serialize)]
struct KmJson<'a> {
    groups: Vec<KmGroupJson<'a>>,
    conf_type: &'a str,
    conf_level: f64,
    n_omitted: usize,
}

pub fn run(args: Args) -> anyhow::Result<()> {
    let conf_type: ConfType = args.conf_type.parse()?;
    if !(args.conf_level > 0.0 && args.conf_level < 1.0) {
        bail!(
            "--conf-level must be between 0 and 1 (got {})",
            args.conf_level
        );
    }
    let table = read_table(&args.data)?;
    let file = table.file_name();
    let time = table.f64_column(&args.time)?;
    let event = read_event(&table, &args.event)?;
    let (group, levels) = match &args.group {
        Some(g) => read_labels(&table, g)?,
        None => (vec![Some(0); table.n_rows()], vec!["all".to_string()]),
    };
    let weights = match &args.weights {
        Some(w) => Some(table.f64_column(w)?),
        None => None,
    };
    let keep: Vec<usize> = (0..table.n_rows())
        .filter(|&i| {
            !time[i].is_nan()
                && event[i].is_some()
                && group[i].is_some()
                && weights.as_ref().is_none_or(|w| !w[i].is_nan())
        })
        .collect();
    let n_omitted = table.n_rows() - keep.len();
    check_times(&file, &args.time, &time, &keep)?;
    if let (Some(w), Some(col)) = (&weights, &args.weights) {
        if let Some(&i) = keep.iter().find(|&&i| !(w[i].is_finite() && w[i] >= 0.0)) {
            bail!(
                "{file}: row {}, column `{col}`: weight must be finite and >= 0 (got {})",
                i + 1,
                w[i]
            );
        }
    }
    let t: Vec<f64> = keep.iter().map(|&i| time[i]).collect();
    let e: Vec<bool> = keep.iter().map(|&i| event[i].expect("kept")).collect();
    let g: Vec<u32> = keep.iter().map(|&i| group[i].expect("kept")).collect();
    // levels seen only on omitted rows are dropped, as R drops empty strata
    let (g, levels) = compact_labels(&g, &levels);
    let w: Option<Vec<f64>> = weights
        .as_ref()
        .map(|w| keep.iter().map(|&i| w[i]).collect());
    let opts = KmOptions {
        conf_type,
        conf_level: args.conf_level,
        ..KmOptions::default()
    };
    let fits = kaplan_meier_by_group(&t, &e, w.as_deref(), &g, levels.len(), &opts)
        .with_context(|| format!("{file}: Kaplan-Meier"))?;
    let tau = args.rmst_tau.unwrap_or_else(|| {
        fits.iter()
            .filter_map(|f| f.time.last().copied())
            .fold(0.0, f64::max)
    });

    if args.json {
        let groups = fits
            .iter()
            .zip(&levels)
            .map(|(f, name)| group_json(f, name, tau, &args.at))
            .collect();
        let out = KmJson {
            groups,
            conf_type: &args.conf_type,
            conf_level: args.conf_level,
            n_omitted,
        };
        println!("{}", serde_json::to_string(&out)?);
    } else {
        print!("{}", table_text(&fits, &levels, tau, &args, n_omitted));
    }
    Ok(())
}

fn group_json<'a>(f: &'a KmFit, name: &'a str, tau: f64, at: &[f64]) -> KmGroupJson<'a> {
    let med = f.median();
    let rm = f.rmst(tau);
    KmGroupJson {
        group: name,
        n: f.n,
        time: &f.time,
        n_risk: &f.n_risk,
        n_event: &f.n_event,
        n_censor: &f.n_censor,
        surv: &f.surv,
        std_err: &f.std_err,
        lower: &f.lower,
        upper: &f.upper,
        median: med.estimate,
        median_lower: med.lower,
        median_upper: med.upper,
        rmst: rm.estimate,
        rmst_se: rm.se,
        rmst_tau: tau,
        variance: f.variance,
        at: if at.is_empty() {
            Vec::new()
        } else {
            f.summary_at(at)
        },
    }
}

fn table_text(
    fits: &[KmFit],
    levels: &[String],
    tau: f64,
    args: &Args,
    n_omitted: usize,
) -> String {
    let mut s = String::new();
    let pct = format!("{}", args.conf_level * 100.0);
    if n_omitted > 0 {
        s.push_str(&format!("{n_omitted} rows omitted (missing values)\n\n"));
    }
    for (f, name) in fits.iter().zip(levels) {
        let med = f.median();
        let rm = f.rmst(tau);
        let events: f64 = f.n_event.iter().sum();
        s.push_str(&format!(
            "group = {name}: n = {}, events = {}, median = {} ({pct}% CI {} to {}), RMST(tau = {}) = {} (se {})\n",
            f.n,
            fmt(events),
            fmt(med.estimate),
            fmt(med.lower),
            fmt(med.upper),
            fmt(tau),
            fmt(rm.estimate),
            fmt(rm.se)
        ));
        let header = [
            "time", "n.risk", "n.event", "n.censor", "survival", "std.err", "lower", "upper",
        ];
        let mut rows: Vec<[String; 8]> = Vec::with_capacity(f.len());
        for j in 0..f.len() {
            rows.push([
                fmt(f.time[j]),
                fmt(f.n_risk[j]),
                fmt(f.n_event[j]),
                fmt(f.n_censor[j]),
                fmt(f.surv[j]),
                fmt(f.std_err[j]),
                fmt(f.lower[j]),
                fmt(f.upper[j]),
            ]);
        }
        s.push_str(&aligned(&header, &rows));
        if !args.at.is_empty() {
            s.push_str("\nnumber at risk:\n");
            let header = [
                "time", "n.risk", "n.event", "n.censor", "survival", "se(surv)", "lower", "upper",
            ];
            let rows: Vec<[String; 8]> = f
                .summary_at(&args.at)
                .iter()
                .map(|r| {
                    [
                        fmt(r.time),
                        fmt(r.n_risk),
                        fmt(r.n_event),
                        fmt(r.n_censor),
                        fmt(r.surv),
                        fmt(r.se_surv),
                        fmt(r.lower),
                        fmt(r.upper),
                    ]
                })
                .collect();
            s.push_str(&aligned(&header, &rows));
        }
        s.push('\n');
    }
    s
}
