//! `dicohort km`: Kaplan-Meier curves per group from a data file, as R
//! `summary(survfit(Surv(time, event) ~ group), censored = TRUE)`.
//!
//! Rows with a missing time, event, group or weight are omitted (R `na.omit`) and counted in
//! `n_omitted`. The event column may be 0/1, true/false (yes/no, T/F) or R's 1/2 coding
//! (2 = event, when every value is 1 or 2). Group columns may be text or numbers; numbers are
//! ordered numerically, text alphabetically (R's factor order).

use std::path::PathBuf;

use anyhow::{bail, Context};
use dicohort::load::table::{read_table, DataTable};
use dicohort::stats::km::{kaplan_meier_by_group, ConfType, KmFit, KmOptions, KmSummaryRow};
use serde::Serialize;

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

/// Right-aligned columns under a header.
pub(crate) fn aligned<const N: usize>(header: &[&str; N], rows: &[[String; N]]) -> String {
    let mut width = header.map(str::len);
    for r in rows {
        for (w, c) in width.iter_mut().zip(r) {
            *w = (*w).max(c.len());
        }
    }
    let mut s = String::new();
    let line = |cells: Vec<&str>, s: &mut String| {
        // first column (labels) left-aligned, numbers right-aligned
        let parts: Vec<String> = cells
            .iter()
            .zip(&width)
            .enumerate()
            .map(|(j, (c, w))| {
                if j == 0 {
                    format!("{c:<w$}")
                } else {
                    format!("{c:>w$}")
                }
            })
            .collect();
        s.push_str(parts.join("  ").trim_end());
        s.push('\n');
    };
    line(header.to_vec(), &mut s);
    for r in rows {
        line(r.iter().map(String::as_str).collect(), &mut s);
    }
    s
}

/// A number for tables: up to 6 significant digits, `NA` for NaN, `Inf` for infinity.
pub(crate) fn fmt(v: f64) -> String {
    if v.is_nan() {
        return "NA".into();
    }
    if v.is_infinite() {
        return if v > 0.0 { "Inf".into() } else { "-Inf".into() };
    }
    if v == v.trunc() && v.abs() < 1e15 {
        return format!("{v:.0}");
    }
    let digits = 6 - 1 - (v.abs().log10().floor() as i32);
    if (0..=12).contains(&digits) {
        let s = format!("{v:.*}", digits as usize);
        let s = s.trim_end_matches('0').trim_end_matches('.');
        s.to_string()
    } else {
        format!("{v:.5e}")
    }
}

/// Checks kept times are finite and >= 0, naming file, row and column.
pub(crate) fn check_times(
    file: &str,
    col: &str,
    time: &[f64],
    keep: &[usize],
) -> anyhow::Result<()> {
    if let Some(&i) = keep
        .iter()
        .find(|&&i| !(time[i].is_finite() && time[i] >= 0.0))
    {
        bail!(
            "{file}: row {}, column `{col}`: time must be finite and >= 0 (got {})",
            i + 1,
            time[i]
        );
    }
    Ok(())
}

/// An event or flag column: 0/1, true/false, yes/no, T/F, or R's 1/2 coding (2 = event) when
/// every value is 1 or 2 and some is 2. `None` for a missing cell; anything else is an error
/// naming file, row and column.
pub(crate) fn read_event(table: &DataTable, col: &str) -> anyhow::Result<Vec<Option<bool>>> {
    read_flag(table, col, true)
}

/// A 0/1 or true/false flag column (no 1/2 coding).
pub(crate) fn read_flag(
    table: &DataTable,
    col: &str,
    allow_12: bool,
) -> anyhow::Result<Vec<Option<bool>>> {
    let file = table.file_name();
    let text = table.str_column(col)?;
    let parse = |s: &str| -> Option<f64> {
        match s.to_ascii_lowercase().as_str() {
            "true" | "t" | "yes" | "y" => Some(1.0),
            "false" | "f" | "no" | "n" => Some(0.0),
            "na" | "nan" | "null" => Some(f64::NAN),
            other => other.parse::<f64>().ok(),
        }
    };
    let mut values = Vec::with_capacity(text.len());
    for (i, cell) in text.iter().enumerate() {
        let v = match cell.as_deref() {
            None => f64::NAN,
            Some(s) => match parse(s) {
                Some(v) => v,
                None => bail!(
                    "{file}: row {}, column `{col}`: expected 0/1 or true/false, got `{s}`",
                    i + 1
                ),
            },
        };
        values.push(v);
    }
    let present = values.iter().filter(|v| !v.is_nan());
    let two_coded = allow_12
        && values.contains(&2.0)
        && present.clone().all(|&v| v == 1.0 || v == 2.0);
    let mut out = Vec::with_capacity(values.len());
    for (i, &v) in values.iter().enumerate() {
        out.push(if v.is_nan() {
            None
        } else if two_coded {
            Some(v == 2.0)
        } else if v == 0.0 || v == 1.0 {
            Some(v == 1.0)
        } else {
            let what = if allow_12 {
                "0/1, true/false or 1/2"
            } else {
                "0/1 or true/false"
            };
            bail!(
                "{file}: row {}, column `{col}`: expected {what}, got {v}",
                i + 1
            );
        });
    }
    Ok(out)
}

/// Drops labels that no kept row uses and renumbers the ids, keeping the order of the rest.
pub(crate) fn compact_labels(ids: &[u32], levels: &[String]) -> (Vec<u32>, Vec<String>) {
    let mut used = vec![false; levels.len()];
    for &i in ids {
        used[i as usize] = true;
    }
    let mut new_id = vec![0u32; levels.len()];
    let mut kept = Vec::new();
    for (j, l) in levels.iter().enumerate() {
        if used[j] {
            new_id[j] = kept.len() as u32;
            kept.push(l.clone());
        }
    }
    (ids.iter().map(|&i| new_id[i as usize]).collect(), kept)
}

/// Group labels as ids `0..k` with their names: numbers in numeric order when every value is a
/// number, else text in alphabetical order. `None` for a missing cell.
pub(crate) fn read_labels(
    table: &DataTable,
    col: &str,
) -> anyhow::Result<(Vec<Option<u32>>, Vec<String>)> {
    let text = table.str_column(col)?;
    let mut levels: Vec<String> = text.iter().flatten().cloned().collect();
    levels.sort();
    levels.dedup();
    let numeric: Option<Vec<f64>> = levels.iter().map(|s| s.parse::<f64>().ok()).collect();
    if let Some(nums) = numeric {
        let mut idx: Vec<usize> = (0..levels.len()).collect();
        idx.sort_by(|&a, &b| nums[a].total_cmp(&nums[b]).then(levels[a].cmp(&levels[b])));
        levels = idx.into_iter().map(|i| levels[i].clone()).collect();
    }
    let pos: std::collections::HashMap<&str, u32> = levels
        .iter()
        .enumerate()
        .map(|(i, l)| (l.as_str(), i as u32))
        .collect();
    let ids = text.iter().map(|v| v.as_deref().map(|s| pos[s])).collect();
    Ok((ids, levels))
}
