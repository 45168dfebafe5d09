//! `dicohort km`: Kaplan-Meier curves per group from a data file, as R
//! `summary(survfit(Surv(time, event) ~ group), censored = TRUE)`.
//!
//! Columns are read by the library's model frame (`stats::frame`): rows with a missing time,
//! event, group or weight are omitted (R `na.omit`) and counted in `n_omitted`; the event column
//! may be 0/1, true/false (yes/no, T/F) or R's 1/2 coding (2 = event, when every value is 1 or
//! 2); group columns may be text or numbers, numbers ordered (and compared) numerically, text in
//! byte order (R's factor order).

use anyhow::{bail, Context};
use dicohort::stats::frame::{FrameSpec, WeightRule};
use dicohort::stats::km::{kaplan_meier_by_group, ConfType, KmFit, KmOptions, KmSummaryRow};
use serde::Serialize;

use super::common::{aligned, check_conf_level, fmt, model_frame, DataArgs};

/// Arguments of `dicohort km` (see ../shared/cli-contract.md).
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
    /// Restriction time of the RMST, > 0 (default: the largest follow-up time over all groups,
    /// R's `rmean = "common"`).
    #[arg(long, allow_hyphen_values = true)]
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
    check_conf_level(args.conf_level)?;
    if let Some(tau) = args.rmst_tau {
        if !(tau.is_finite() && tau > 0.0) {
            bail!("--rmst-tau must be a finite time > 0 (got {tau})");
        }
    }
    let spec = FrameSpec {
        time: Some(&args.time),
        event: Some(&args.event),
        groups: args.group.iter().map(String::as_str).collect(),
        weights: args
            .weights
            .as_deref()
            .map(|w| (w, WeightRule::NonNegative)),
        ..FrameSpec::default()
    };
    let frame = model_frame(&args.input, &spec)?;
    let n_omitted = frame.n_omitted();
    let (g, levels) = match frame.groups.first() {
        Some(f) => (f.codes.clone(), f.levels.clone()),
        None => (vec![0; frame.rows.len()], vec!["all".to_string()]),
    };
    let opts = KmOptions {
        conf_type,
        conf_level: args.conf_level,
        ..KmOptions::default()
    };
    let (t, e) = (frame.time.as_deref(), frame.event.as_deref());
    let fits = kaplan_meier_by_group(
        t.expect("time read"),
        e.expect("event read"),
        frame.weights.as_deref(),
        &g,
        levels.len(),
        &opts,
    )
    .with_context(|| format!("{}: Kaplan-Meier", args.input.data.display()))?;
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
