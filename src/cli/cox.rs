//! `dicohort cox`: Cox proportional hazards model on a data file (as R `coxph`).
//!
//! Rows with a missing value in any variable used are omitted (R's `na.omit`); their count is
//! printed and reported as `n_omitted`. The event column may be 0/1, true/false or R's 1/2
//! coding (2 = event, when every value is 1 or 2). A text covariate becomes treatment dummies,
//! first level (in sorted order) as reference, named `<column><level>` as R does.

use std::collections::BTreeSet;
use std::path::PathBuf;

use anyhow::{bail, Context};
use dicohort::load::table::{read_table, DataTable};
use dicohort::stats::cox::{coxph, CoxData, CoxFit, CoxOptions, CoxTerm, Ties};
use serde::Serialize;

/// Arguments of `dicohort cox` (see ../shared/cli-contract.md).
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Data file (CSV or Parquet).
    #[arg(long)]
    pub data: PathBuf,
    /// Start of the (start, stop] interval (counting-process data, time-varying covariates).
    #[arg(long)]
    pub start: Option<String>,
    /// Event or censoring time (stop time with --start).
    #[arg(long)]
    pub time: String,
    /// Event indicator: 0/1, true/false, or 1/2 (2 = event) as R's Surv.
    #[arg(long)]
    pub event: String,
    /// Covariates, comma-separated (text columns become dummies, first level as reference).
    #[arg(long, value_delimiter = ',', required = true)]
    pub covariates: Vec<String>,
    /// Ties method.
    #[arg(long, default_value = "efron", value_parser = ["efron", "breslow"])]
    pub ties: String,
    /// Stratification column (separate baseline hazards).
    #[arg(long)]
    pub strata: Option<String>,
    /// Case weights column (> 0).
    #[arg(long)]
    pub weights: Option<String>,
    /// Cluster column (e.g. patient id): robust sandwich variance as R `cluster()`.
    #[arg(long)]
    pub cluster: Option<String>,
    /// Robust variance without clusters (each row its own cluster).
    #[arg(long)]
    pub robust: bool,
    /// Confidence level of the hazard-ratio intervals.
    #[arg(long, default_value_t = 0.95)]
    pub conf_level: f64,
    /// Print JSON (the contract's keys) instead of a table.
    #[arg(long)]
    pub json: bool,
}

#[derive(Serialize)]
struct Output<'a> {
    terms: Vec<TermOut<'a>>,
    loglik: [f64; 2],
    n: usize,
    n_event: usize,
    ties: &'static str,
    n_omitted: usize,
    conf_level: f64,
    iterations: usize,
    lr_test: Test,
    wald_test: Test,
    score_test: Test,
    robust_score_test: Option<Test>,
}

#[derive(Serialize)]
struct TermOut<'a> {
    name: &'a str,
    coef: f64,
    se: f64,
    robust_se: Option<f64>,
    hr: f64,
    lower: f64,
    upper: f64,
    z: f64,
    p: f64,
}

#[derive(Serialize)]
struct Test {
    statistic: f64,
    df: usize,
    p: f64,
}

impl From<dicohort::stats::cox::ChiSquareTest> for Test {
    fn from(t: dicohort::stats::cox::ChiSquareTest) -> Self {
        Test {
            statistic: t.statistic,
            df: t.df,
            p: t.p,
        }
    }
}

/// A column read for the model, with `None` marking a missing cell.
enum Covariate {
    Numeric(String, Vec<f64>),
    /// Text column: name, per-row level (None = missing), sorted levels.
    Factor(String, Vec<Option<String>>, Vec<String>),
}

fn read_covariate(table: &DataTable, name: &str) -> anyhow::Result<Covariate> {
    let (values, bad) = table.f64_column_lenient(name)?;
    if bad.is_empty() {
        return Ok(Covariate::Numeric(name.to_string(), values));
    }
    let text = table.str_column(name)?;
    let levels: BTreeSet<String> = text.iter().flatten().cloned().collect();
    Ok(Covariate::Factor(
        name.to_string(),
        text,
        levels.into_iter().collect(),
    ))
}

/// Integer codes of a grouping column (sorted distinct values), `None` where missing.
fn read_groups(table: &DataTable, name: &str) -> anyhow::Result<Vec<Option<u32>>> {
    let text = table.str_column(name)?;
    let levels: BTreeSet<&String> = text.iter().flatten().collect();
    let levels: Vec<&String> = levels.into_iter().collect();
    Ok(text
        .iter()
        .map(|v| {
            v.as_ref()
                .map(|s| levels.binary_search(&s).expect("level present") as u32)
        })
        .collect())
}

pub fn run(args: Args) -> anyhow::Result<()> {
    if !(args.conf_level > 0.0 && args.conf_level < 1.0) {
        bail!(
            "--conf-level must be between 0 and 1 (got {})",
            args.conf_level
        );
    }
    let table = read_table(&args.data)?;
    let file = table.file_name();
    let n_all = table.n_rows();
    let time = table.f64_column(&args.time)?;
    let start = match &args.start {
        Some(c) => Some(table.f64_column(c)?),
        None => None,
    };
    let event_raw = table.f64_column(&args.event)?;
    let present: Vec<f64> = event_raw.iter().copied().filter(|v| !v.is_nan()).collect();
    let two_coded = !present.is_empty()
        && present.iter().all(|v| *v == 1.0 || *v == 2.0)
        && present.contains(&2.0);
    let event_value = if two_coded { 2.0 } else { 1.0 };
    for (i, v) in event_raw.iter().enumerate() {
        let ok = v.is_nan()
            || if two_coded {
                *v == 1.0 || *v == 2.0
            } else {
                *v == 0.0 || *v == 1.0
            };
        if !ok {
            bail!(
                "{file}: row {}, column `{}`: event must be 0/1, true/false or 1/2 (got {v})",
                i + 1,
                args.event
            );
        }
    }
    let covs: Vec<Covariate> = args
        .covariates
        .iter()
        .map(|c| read_covariate(&table, c.trim()))
        .collect::<anyhow::Result<_>>()?;
    let strata = match &args.strata {
        Some(c) => Some(read_groups(&table, c)?),
        None => None,
    };
    let cluster = match &args.cluster {
        Some(c) => Some(read_groups(&table, c)?),
        None => None,
    };
    let weights = match &args.weights {
        Some(c) => Some(table.f64_column(c)?),
        None => None,
    };

    // complete cases (R na.omit), with row-level checks on what is kept
    let mut keep = Vec::with_capacity(n_all);
    for i in 0..n_all {
        let missing = time[i].is_nan()
            || event_raw[i].is_nan()
            || start.as_ref().is_some_and(|s| s[i].is_nan())
            || weights.as_ref().is_some_and(|w| w[i].is_nan())
            || strata.as_ref().is_some_and(|s| s[i].is_none())
            || cluster.as_ref().is_some_and(|s| s[i].is_none())
            || covs.iter().any(|c| match c {
                Covariate::Numeric(_, v) => v[i].is_nan(),
                Covariate::Factor(_, v, _) => v[i].is_none(),
            });
        if missing {
            continue;
        }
        if !time[i].is_finite() {
            bail!(
                "{file}: row {}, column `{}`: time is not finite",
                i + 1,
                args.time
            );
        }
        if let (Some(s), Some(col)) = (&start, &args.start) {
            if s[i] >= time[i] {
                bail!(
                    "{file}: row {}, column `{col}`: start ({}) must be < stop time ({})",
                    i + 1,
                    s[i],
                    time[i]
                );
            }
        }
        if let (Some(w), Some(col)) = (&weights, &args.weights) {
            if !(w[i] > 0.0 && w[i].is_finite()) {
                bail!(
                    "{file}: row {}, column `{col}`: weight must be > 0 (got {})",
                    i + 1,
                    w[i]
                );
            }
        }
        for c in &covs {
            if let Covariate::Numeric(name, v) = c {
                if !v[i].is_finite() {
                    bail!(
                        "{file}: row {}, column `{name}`: value is not finite",
                        i + 1
                    );
                }
            }
        }
        keep.push(i);
    }
    let n_omitted = n_all - keep.len();
    if keep.is_empty() {
        bail!("{file}: no complete rows for the model ({n_all} rows, all with a missing value)");
    }
    let pick = |v: &[f64]| -> Vec<f64> { keep.iter().map(|&i| v[i]).collect() };
    let stop_k = pick(&time);
    let start_k = start.as_ref().map(|s| pick(s));
    let event_k: Vec<bool> = keep.iter().map(|&i| event_raw[i] == event_value).collect();
    let weights_k = weights.as_ref().map(|w| pick(w));
    let groups = |g: &Option<Vec<Option<u32>>>| -> Option<Vec<u32>> {
        g.as_ref()
            .map(|g| keep.iter().map(|&i| g[i].expect("complete")).collect())
    };
    let strata_k = groups(&strata);
    let cluster_k = groups(&cluster);
    let mut x = Vec::new();
    let mut names = Vec::new();
    for c in &covs {
        match c {
            Covariate::Numeric(name, v) => {
                names.push(name.clone());
                x.push(pick(v));
            }
            Covariate::Factor(name, v, levels) => {
                // levels present among the kept rows, first as reference
                let used: BTreeSet<&String> = keep
                    .iter()
                    .map(|&i| v[i].as_ref().expect("complete"))
                    .collect();
                let levels: Vec<&String> = levels.iter().filter(|l| used.contains(l)).collect();
                for level in levels.iter().skip(1) {
                    names.push(format!("{name}{level}"));
                    x.push(
                        keep.iter()
                            .map(|&i| f64::from(v[i].as_ref() == Some(*level)))
                            .collect(),
                    );
                }
            }
        }
    }
    if x.is_empty() {
        bail!("no covariate columns to fit (a text covariate with a single level gives none)");
    }
    let ties: Ties = args.ties.parse()?;
    let data = CoxData {
        start: start_k.as_deref(),
        stop: &stop_k,
        event: &event_k,
        x: &x,
        strata: strata_k.as_deref(),
        weights: weights_k.as_deref(),
        cluster: cluster_k.as_deref(),
    };
    let opts = CoxOptions {
        ties,
        robust: args.robust,
        names: Some(names),
        ..CoxOptions::default()
    };
    let fit = coxph(&data, &opts).with_context(|| format!("{file}: Cox model"))?;
    let terms = fit.terms(args.conf_level);
    if args.json {
        let out = Output {
            terms: terms
                .iter()
                .map(|t| TermOut {
                    name: &t.name,
                    coef: t.coef,
                    se: t.se,
                    robust_se: t.robust_se,
                    hr: t.hr,
                    lower: t.lower,
                    upper: t.upper,
                    z: t.z,
                    p: t.p,
                })
                .collect(),
            loglik: fit.loglik,
            n: fit.n,
            n_event: fit.n_event,
            ties: ties.as_str(),
            n_omitted,
            conf_level: args.conf_level,
            iterations: fit.iterations,
            lr_test: fit.lr_test.into(),
            wald_test: fit.wald_test.into(),
            score_test: fit.score_test.into(),
            robust_score_test: fit.robust_score_test.map(Into::into),
        };
        println!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        print!("{}", table_text(&fit, &terms, args.conf_level, n_omitted));
    }
    Ok(())
}

fn fmt(v: f64) -> String {
    if v.is_nan() {
        "NA".to_string()
    } else if v != 0.0 && (v.abs() < 1e-3 || v.abs() >= 1e5) {
        format!("{v:.3e}")
    } else {
        format!("{v:.4}")
    }
}

fn fmt_p(p: f64) -> String {
    if p.is_nan() {
        "NA".into()
    } else if p < 1e-16 {
        "<1e-16".into()
    } else if p < 1e-4 {
        format!("{p:.2e}")
    } else {
        format!("{p:.4}")
    }
}

/// The readable summary, laid out as R's `summary.coxph`.
fn table_text(fit: &CoxFit, terms: &[CoxTerm], level: f64, n_omitted: usize) -> String {
    let robust = fit.robust_se.is_some();
    let pct = format!("{:.0}", level * 100.0);
    let mut head = vec![
        "term".to_string(),
        "coef".into(),
        "HR".into(),
        "se(coef)".into(),
    ];
    if robust {
        head.push("robust se".into());
    }
    head.extend([
        format!("lower .{pct}"),
        format!("upper .{pct}"),
        "z".into(),
        "p".into(),
    ]);
    let mut rows = vec![head];
    for t in terms {
        let mut r = vec![t.name.clone(), fmt(t.coef), fmt(t.hr), fmt(t.se)];
        if let Some(rs) = t.robust_se {
            r.push(fmt(rs));
        }
        r.extend([fmt(t.lower), fmt(t.upper), fmt(t.z), fmt_p(t.p)]);
        rows.push(r);
    }
    let ncol = rows[0].len();
    let widths: Vec<usize> = (0..ncol)
        .map(|c| rows.iter().map(|r| r[c].len()).max().unwrap_or(0))
        .collect();
    let mut s = format!(
        "Cox proportional hazards model (ties: {}): n = {}, events = {}",
        fit.ties.as_str(),
        fit.n,
        fit.n_event
    );
    if n_omitted > 0 {
        s.push_str(&format!(" ({n_omitted} rows with missing values omitted)"));
    }
    s.push_str("\n\n");
    for r in &rows {
        let line: Vec<String> = r
            .iter()
            .enumerate()
            .map(|(c, v)| {
                if c == 0 {
                    format!("{v:<w$}", w = widths[c])
                } else {
                    format!("{v:>w$}", w = widths[c])
                }
            })
            .collect();
        s.push_str(line.join("  ").trim_end());
        s.push('\n');
    }
    s.push_str(&format!(
        "\nLog partial likelihood: initial {:.6}, final {:.6} ({} iterations)\n",
        fit.loglik[0], fit.loglik[1], fit.iterations
    ));
    let test = |label: &str, t: &dicohort::stats::cox::ChiSquareTest| {
        format!(
            "{label} = {:.4} on {} df, p = {}\n",
            t.statistic,
            t.df,
            fmt_p(t.p)
        )
    };
    s.push_str(&test("Likelihood ratio test", &fit.lr_test));
    s.push_str(&test(
        if robust {
            "Wald test (robust)"
        } else {
            "Wald test"
        },
        &fit.wald_test,
    ));
    s.push_str(&test("Score (logrank) test", &fit.score_test));
    if let Some(t) = &fit.robust_score_test {
        s.push_str(&test("Robust score test", t));
    }
    if robust {
        s.push_str(
            "(the likelihood ratio and score tests assume independence within clusters; the \
             Wald and robust score tests do not)\n",
        );
    }
    s
}
