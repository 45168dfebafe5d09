//! `dicohort logrank`: log-rank / G-rho test between groups, optionally stratified, as R
//! `survdiff(Surv(time, event) ~ group + strata(s), rho = rho)`.
//!
//! Rows with a missing time, event, group or stratum are omitted (R `na.omit`) and counted in
//! `n_omitted`. Column conventions as `dicohort km`.

use std::path::PathBuf;

use anyhow::{bail, Context};
use dicohort::load::table::read_table;
use dicohort::stats::logrank::survdiff;
use serde::Serialize;

use super::common::{aligned, check_times, compact_labels, fmt, read_event, read_labels};

/// Arguments of `dicohort logrank` (see ../shared/cli-contract.md).
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
    /// Grouping column (text or numbers).
    #[arg(long)]
    pub group: String,
    /// Stratification column.
    #[arg(long)]
    pub strata: Option<String>,
    /// G-rho weight exponent: 0 = log-rank, 1 = Peto-Peto.
    #[arg(long, default_value_t = 0.0)]
    pub rho: f64,
    /// Print JSON (the contract's keys) instead of a table.
    #[arg(long)]
    pub json: bool,
}

#[derive(Serialize)]
struct LogRankJson<'a> {
    chisq: f64,
    df: usize,
    p: f64,
    observed: &'a [f64],
    expected: &'a [f64],
    groups: &'a [String],
    n: &'a [usize],
    /// Row-major k x k variance of observed - expected.
    variance: &'a [f64],
    rho: f64,
    n_omitted: usize,
}

pub fn run(args: Args) -> anyhow::Result<()> {
    if !args.rho.is_finite() {
        bail!("--rho must be a finite number (got {})", args.rho);
    }
    let table = read_table(&args.data)?;
    let file = table.file_name();
    let time = table.f64_column(&args.time)?;
    let event = read_event(&table, &args.event)?;
    let (group, levels) = read_labels(&table, &args.group)?;
    let strata = match &args.strata {
        Some(s) => Some(read_labels(&table, s)?.0),
        None => None,
    };
    let keep: Vec<usize> = (0..table.n_rows())
        .filter(|&i| {
            !time[i].is_nan()
                && event[i].is_some()
                && group[i].is_some()
                && strata.as_ref().is_none_or(|s| s[i].is_some())
        })
        .collect();
    let n_omitted = table.n_rows() - keep.len();
    check_times(&file, &args.time, &time, &keep)?;
    let t: Vec<f64> = keep.iter().map(|&i| time[i]).collect();
    let e: Vec<bool> = keep.iter().map(|&i| event[i].expect("kept")).collect();
    let g: Vec<u32> = keep.iter().map(|&i| group[i].expect("kept")).collect();
    // levels seen only on omitted rows are dropped, as R drops empty groups
    let (g, levels) = compact_labels(&g, &levels);
    let s: Option<Vec<u32>> = strata
        .as_ref()
        .map(|s| keep.iter().map(|&i| s[i].expect("kept")).collect());
    // groups present after omitting rows keep their ids; absent ones report zero counts
    let fit = survdiff(&t, &e, &g, s.as_deref(), args.rho)
        .with_context(|| format!("{file}: log-rank test"))?;
    let k = fit.observed.len();
    let names = &levels[..k];
    if args.json {
        let out = LogRankJson {
            chisq: fit.chisq,
            df: fit.df,
            p: fit.p,
            observed: &fit.observed,
            expected: &fit.expected,
            groups: names,
            n: &fit.n,
            variance: &fit.variance,
            rho: fit.rho,
            n_omitted,
        };
        println!("{}", serde_json::to_string(&out)?);
    } else {
        let mut s = String::new();
        if n_omitted > 0 {
            s.push_str(&format!("{n_omitted} rows omitted (missing values)\n"));
        }
        let test = if args.rho == 0.0 {
            "Log-rank test".to_string()
        } else {
            format!("G-rho test (rho = {})", fmt(args.rho))
        };
        s.push_str(&format!(
            "{test}{}\n",
            if args.strata.is_some() {
                ", stratified"
            } else {
                ""
            }
        ));
        let header = [
            "group",
            "N",
            "Observed",
            "Expected",
            "(O-E)^2/E",
            "(O-E)^2/V",
        ];
        let rows: Vec<[String; 6]> = (0..k)
            .map(|j| {
                let (o, e) = (fit.observed[j], fit.expected[j]);
                [
                    names[j].clone(),
                    fit.n[j].to_string(),
                    fmt(o),
                    fmt(e),
                    fmt((o - e).powi(2) / e),
                    fmt((o - e).powi(2) / fit.variance[j * k + j]),
                ]
            })
            .collect();
        s.push_str(&aligned(&header, &rows));
        s.push_str(&format!(
            "\nChisq = {} on {} degrees of freedom, p = {}\n",
            fmt(fit.chisq),
            fit.df,
            fmt(fit.p)
        ));
        print!("{s}");
    }
    Ok(())
}
