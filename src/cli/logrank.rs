//! `dicohort logrank`: log-rank / G-rho test between groups, optionally stratified, as R
//! `survdiff(Surv(time, event) ~ group + strata(s), rho = rho)`.
//!
//! Rows with a missing time, event, group or stratum are omitted (R `na.omit`) and counted in
//! `n_omitted`. Column conventions as `dicohort km` (the library's model frame).

use anyhow::{bail, Context};
use dicohort::stats::frame::FrameSpec;
use dicohort::stats::logrank::survdiff;
use serde::Serialize;

use super::common::{aligned, fmt, model_frame, DataArgs};

/// Arguments of `dicohort logrank` (see ../shared/cli-contract.md).
#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    pub input: DataArgs,
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
    let mut groups = vec![args.group.as_str()];
    groups.extend(args.strata.as_deref());
    let spec = FrameSpec {
        time: Some(&args.time),
        event: Some(&args.event),
        groups,
        ..FrameSpec::default()
    };
    let frame = model_frame(&args.input, &spec)?;
    frame
        .require_events(&args.event)
        .with_context(|| args.input.data.display().to_string())?;
    let n_omitted = frame.n_omitted();
    let group = frame.group(&args.group).expect("group read");
    let levels = &group.levels;
    let strata = args
        .strata
        .as_deref()
        .map(|s| frame.group(s).expect("strata read").codes.as_slice());
    let fit = survdiff(
        frame.time.as_deref().expect("time read"),
        frame.event.as_deref().expect("event read"),
        &group.codes,
        strata,
        args.rho,
    )
    .with_context(|| format!("{}: log-rank test", args.input.data.display()))?;
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
