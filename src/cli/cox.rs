//! `dicohort cox`: Cox proportional hazards model on a data file (as R `coxph`).
//!
//! Columns are read by the library's model frame (`stats::frame`): rows with a missing value in
//! any variable used are omitted (R's `na.omit`), their count printed and reported as
//! `n_omitted`. The event column may be 0/1, true/false (yes/no) or R's 1/2 coding (2 = event,
//! when every value is 1 or 2). A text covariate (or one named in `--factor`) becomes treatment
//! dummies, first level as reference, named `<column><level>` as R does. A term whose
//! coefficient diverges (e.g. a sparse level without events) is reported as NA with a warning,
//! the rest of the model as R fits it.
//!
//! `--zph` adds the test of proportional hazards of the fitted model, R
//! `cox.zph(fit, transform = "km")` (`--zph-transform` for the others): one row per covariate
//! (a text covariate is one term over its dummies, as R), then the global test.

use anyhow::{bail, Context};
use dicohort::stats::cox::{coxph, CoxData, CoxFit, CoxOptions, CoxTerm, Divergence, Ties};
use dicohort::stats::frame::{FrameSpec, TermKind, WeightRule};
use dicohort::stats::zph::{cox_zph, ZphTest, ZphTransform};
use serde::Serialize;

use super::common::{check_conf_level, model_frame, DataArgs};

/// Arguments of `dicohort cox` (see ../shared/cli-contract.md).
#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    pub input: DataArgs,
    /// Start of the (start, stop] interval (counting-process data, time-varying covariates),
    /// finite and >= 0.
    #[arg(long)]
    pub start: Option<String>,
    /// Event or censoring time (stop time with --start), finite and >= 0.
    #[arg(long)]
    pub time: String,
    /// Event indicator: 0/1, true/false, yes/no, or 1/2 (2 = event) as R's Surv.
    #[arg(long)]
    pub event: String,
    /// Covariates, comma-separated (text columns become dummies, first level as reference).
    #[arg(long, value_delimiter = ',', required = true)]
    pub covariates: Vec<String>,
    /// Covariates to treat as categorical even when their values are numbers
    /// (comma-separated; levels in numeric order), as R's `factor(x)`.
    #[arg(long, value_delimiter = ',')]
    pub factor: Vec<String>,
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
    /// Also test proportional hazards: scaled Schoenfeld residuals against a time transform,
    /// as R `cox.zph` (per covariate and global).
    #[arg(long)]
    pub zph: bool,
    /// Time transform of `--zph` (R `cox.zph(transform = )`).
    #[arg(long, default_value = "km", value_parser = ["km", "identity", "rank", "log"])]
    pub zph_transform: String,
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
    /// Terms reported as NA because their coefficient diverges (R's "coefficient may be
    /// infinite" warning).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    warnings: Vec<String>,
    /// `cox.zph` with `--zph`.
    #[serde(skip_serializing_if = "Option::is_none")]
    zph: Option<ZphTest>,
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

pub fn run(args: Args) -> anyhow::Result<()> {
    check_conf_level(args.conf_level)?;
    let covariates: Vec<&str> = args.covariates.iter().map(|c| c.trim()).collect();
    if let Some(f) = args.factor.iter().find(|f| !covariates.contains(&f.trim())) {
        bail!("--factor `{f}` is not one of the --covariates");
    }
    let kind = |c: &str| {
        if args.factor.iter().any(|f| f.trim() == c) {
            TermKind::Factor
        } else {
            TermKind::Auto
        }
    };
    let spec = FrameSpec {
        start: args.start.as_deref(),
        time: Some(&args.time),
        event: Some(&args.event),
        groups: args
            .strata
            .iter()
            .chain(&args.cluster)
            .map(String::as_str)
            .collect(),
        terms: covariates.iter().map(|&c| (c, kind(c))).collect(),
        weights: args.weights.as_deref().map(|w| (w, WeightRule::Positive)),
        ..FrameSpec::default()
    };
    let frame = model_frame(&args.input, &spec)?;
    let file = args.input.data.display().to_string();
    let n_omitted = frame.n_omitted();
    let x = &frame.design.columns;
    if x.is_empty() {
        bail!("no covariate columns to fit (a text covariate with a single level gives none)");
    }
    let codes = |c: &Option<String>| {
        c.as_deref()
            .map(|c| frame.group(c).expect("read").codes.as_slice())
    };
    let ties: Ties = args.ties.parse()?;
    let data = CoxData {
        start: frame.start.as_deref(),
        stop: frame.time.as_deref().expect("time read"),
        event: frame.event.as_deref().expect("event read"),
        x,
        strata: codes(&args.strata),
        weights: frame.weights.as_deref(),
        cluster: codes(&args.cluster),
    };
    let opts = CoxOptions {
        ties,
        robust: args.robust,
        names: Some(frame.design.names.clone()),
        on_divergence: Divergence::NotEstimable,
        ..CoxOptions::default()
    };
    let fit = coxph(&data, &opts).with_context(|| format!("{file}: Cox model"))?;
    let terms = fit.terms(args.conf_level);
    let warnings: Vec<String> = fit
        .diverged
        .iter()
        .map(|t| {
            format!(
                "{t}: coefficient may be infinite (the log-likelihood converged before it: \
                 monotone likelihood, e.g. a level without events); reported as NA"
            )
        })
        .collect();
    for w in &warnings {
        eprintln!("warning: {file}: {w}");
    }
    let zph = if args.zph {
        let transform: ZphTransform = args.zph_transform.parse()?;
        let terms_zph = zph_terms(&covariates, &frame.design.names);
        Some(
            cox_zph(&data, &fit, transform, Some(&terms_zph))
                .with_context(|| format!("{file}: cox.zph"))?,
        )
    } else {
        None
    };
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
            warnings,
            zph,
        };
        println!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        print!("{}", table_text(&fit, &terms, args.conf_level, n_omitted));
        if let Some(z) = &zph {
            print!("{}", zph_text(z, &args.zph_transform));
        }
    }
    Ok(())
}

fn fmt(v: f64) -> String {
    dicohort::format::coefficient(v)
}

fn fmt_p(p: f64) -> String {
    dicohort::format::p_value_table(p, 2, Some(1e-16))
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

/// The cox.zph terms of the covariates: each covariate with its design columns (its own column
/// when numeric, its consecutive `<column><level>` dummies when a factor, as R names them).
fn zph_terms(covariates: &[&str], names: &[String]) -> Vec<(String, Vec<usize>)> {
    let mut out = Vec::new();
    let mut j = 0;
    for (k, &c) in covariates.iter().enumerate() {
        let first = j;
        if names.get(j).is_some_and(|n| n == c) {
            j += 1;
        } else {
            let later = &covariates[k + 1..];
            while names
                .get(j)
                .is_some_and(|n| n.starts_with(c) && !later.contains(&n.as_str()))
            {
                j += 1;
            }
        }
        if j > first {
            out.push((c.to_string(), (first..j).collect()));
        }
    }
    out
}

/// The `cox.zph` table as R prints it: chisq, df, p per term, then GLOBAL.
fn zph_text(z: &ZphTest, transform: &str) -> String {
    let rows: Vec<[String; 4]> = z
        .terms
        .iter()
        .chain(std::iter::once(&z.global))
        .map(|r| {
            [
                r.term.clone(),
                format!("{:.4}", r.chisq),
                r.df.to_string(),
                fmt_p(r.p),
            ]
        })
        .collect();
    let head = ["", "chisq", "df", "p"].map(String::from);
    let widths: Vec<usize> = (0..4)
        .map(|c| {
            rows.iter()
                .chain(std::iter::once(&head))
                .map(|r| r[c].len())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut s = format!(
        "\nTest of proportional hazards (scaled Schoenfeld residuals, R cox.zph, transform = \"{transform}\"):\n"
    );
    for r in std::iter::once(&head).chain(&rows) {
        s.push_str(&format!(
            "{:<w0$}  {:>w1$}  {:>w2$}  {:>w3$}\n",
            r[0],
            r[1],
            r[2],
            r[3],
            w0 = widths[0],
            w1 = widths[1],
            w2 = widths[2],
            w3 = widths[3]
        ));
    }
    s
}
