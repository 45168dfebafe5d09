//! `dicohort meta`: meta-analysis of 2x2 trial counts (parity with R metafor; see `src/meta/`).

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use serde_json::{json, Value};

use dicohort::load::read_table;
use dicohort::meta::{
    back_transform, leave_one_out, meta_analysis, subgroup_analysis, z_critical, Measure,
    MetaAnalysis, MetaError, MetaOptions, Method, Pooled, SubgroupAnalysis, Table2x2, Test,
};

/// The bundled trials (`data/anticoagulant-trials.csv`, sources in `data/README.md`).
const BUNDLED_CSV: &str = include_str!("../../data/anticoagulant-trials.csv");
const BUNDLED_NAME: &str = "data/anticoagulant-trials.csv (bundled)";

/// Arguments of `dicohort meta` (see ../shared/cli-contract.md).
#[derive(clap::Args, Debug)]
pub struct Args {
    /// CSV or Parquet with columns study, events_treated, total_treated, events_control,
    /// total_control (and the --subgroup column).
    #[arg(long, required_unless_present = "bundled", conflicts_with = "bundled")]
    pub data: Option<PathBuf>,
    /// Use the bundled anticoagulant trials (data/anticoagulant-trials.csv) instead of --data.
    #[arg(long)]
    pub bundled: bool,
    /// Effect measure: RR (log risk ratio), OR (log odds ratio) or RD (risk difference).
    #[arg(long, default_value = "RR")]
    pub measure: String,
    /// IV (inverse-variance fixed effect), MH (Mantel-Haenszel), PETO, or random effects with
    /// tau^2 by DL, REML, PM or HS.
    #[arg(long, default_value = "REML")]
    pub method: String,
    /// Hartung-Knapp-Sidik-Jonkman inference (metafor test = "knha"; t with k - 1 df).
    #[arg(long)]
    pub hksj: bool,
    /// Pool each value of this column separately and test the subgroup differences.
    #[arg(long)]
    pub subgroup: Option<String>,
    /// Confidence level.
    #[arg(long, default_value_t = 0.95)]
    pub level: f64,
    /// Leave out the study with this name (repeatable), e.g. to keep only independent rows.
    #[arg(long, value_name = "STUDY")]
    pub exclude: Vec<String>,
    /// Also report the leave-one-out analysis (metafor leave1out).
    #[arg(long)]
    pub leave_one_out: bool,
    /// Print JSON (keys as in the CLI contract) instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// Trials read from the data file.
struct Trials {
    file: String,
    study: Vec<String>,
    tables: Vec<Table2x2>,
    subgroup: Option<Vec<String>>,
    /// `nested_in` column (optional): the study whose patients include this study's.
    nested_in: Vec<Option<String>>,
}

pub fn run(args: Args) -> anyhow::Result<()> {
    let measure: Measure = args.measure.parse()?;
    let method: Method = args.method.parse()?;
    let options = MetaOptions {
        method,
        test: if args.hksj { Test::Knha } else { Test::Z },
        level: args.level,
    };
    let trials = if args.bundled {
        read_bundled(args.subgroup.as_deref())?
    } else {
        let path = args
            .data
            .as_deref()
            .expect("clap requires --data or --bundled");
        read_trials(path, args.subgroup.as_deref())?
    };
    let trials = exclude_studies(trials, &args.exclude)?;
    let with_row = |e: MetaError| match e {
        MetaError::InvalidCounts {
            study,
            column,
            message,
        } => {
            anyhow::anyhow!("{}: row {study}, column `{column}`: {message}", trials.file)
        }
        other => anyhow::anyhow!("{}: {other}", trials.file),
    };
    let mut warnings = nesting_warnings(&trials, None);
    let out = match &trials.subgroup {
        None => {
            let m = meta_analysis(&trials.tables, measure, options).map_err(with_row)?;
            let loo = if args.leave_one_out {
                Some(leave_one_out(&trials.tables, measure, options).map_err(with_row)?)
            } else {
                None
            };
            Output::Single(m, loo)
        }
        Some(labels) => {
            for l in labels.iter().collect::<HashSet<_>>() {
                warnings.extend(nesting_warnings(&trials, Some(l)));
            }
            warnings.sort();
            warnings.dedup();
            Output::Subgroups(
                subgroup_analysis(&trials.tables, labels, measure, options).map_err(with_row)?,
            )
        }
    };
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&to_json(&trials, &out, &args, &warnings))?
        );
        for w in &warnings {
            eprintln!("warning: {w}");
        }
    } else {
        print!("{}", to_table(&trials, &out, &args, &warnings));
    }
    Ok(())
}

enum Output {
    Single(MetaAnalysis, Option<Vec<dicohort::meta::LeaveOneOut>>),
    Subgroups(SubgroupAnalysis),
}

fn read_bundled(subgroup: Option<&str>) -> anyhow::Result<Trials> {
    // read_table takes a path: write the embedded CSV to a private temporary file.
    let path = std::env::temp_dir().join(format!(
        "dicohort-anticoagulant-trials-{}.csv",
        std::process::id()
    ));
    std::fs::write(&path, BUNDLED_CSV).with_context(|| format!("writing {}", path.display()))?;
    let result = read_trials(&path, subgroup);
    let _ = std::fs::remove_file(&path);
    let mut trials = result?;
    trials.file = BUNDLED_NAME.to_string();
    Ok(trials)
}

fn read_trials(path: &Path, subgroup: Option<&str>) -> anyhow::Result<Trials> {
    let table = read_table(path)?;
    let file = table.file_name();
    let names = table.str_column("study")?;
    let study: Vec<String> = names
        .iter()
        .enumerate()
        .map(|(i, s)| s.clone().unwrap_or_else(|| format!("study {}", i + 1)))
        .collect();
    let cols = [
        "events_treated",
        "total_treated",
        "events_control",
        "total_control",
    ];
    let mut values = Vec::new();
    for c in cols {
        let v = table.f64_column(c)?;
        if let Some(row) = v.iter().position(|x| x.is_nan()) {
            bail!("{file}: row {}, column `{c}`: missing value", row + 1);
        }
        values.push(v);
    }
    let tables = (0..study.len())
        .map(|i| Table2x2::new(values[0][i], values[1][i], values[2][i], values[3][i]))
        .collect();
    let subgroup = match subgroup {
        None => None,
        Some(col) => {
            let labels = table.str_column(col)?;
            let mut out = Vec::with_capacity(labels.len());
            for (i, l) in labels.into_iter().enumerate() {
                match l {
                    Some(l) => out.push(l),
                    None => bail!("{file}: row {}, column `{col}`: empty subgroup", i + 1),
                }
            }
            Some(out)
        }
    };
    let nested_in = if table.has_column("nested_in") {
        table.str_column("nested_in")?
    } else {
        vec![None; study.len()]
    };
    Ok(Trials {
        file,
        study,
        tables,
        subgroup,
        nested_in,
    })
}

/// Drops the named studies; every name must exist (a typo must not silently keep a study).
fn exclude_studies(mut trials: Trials, names: &[String]) -> anyhow::Result<Trials> {
    for name in names {
        if !trials.study.iter().any(|s| s == name) {
            bail!("{}: --exclude `{name}`: no such study", trials.file);
        }
    }
    let keep: Vec<usize> = (0..trials.study.len())
        .filter(|&i| !names.contains(&trials.study[i]))
        .collect();
    trials.study = keep.iter().map(|&i| trials.study[i].clone()).collect();
    trials.tables = keep.iter().map(|&i| trials.tables[i]).collect();
    trials.nested_in = keep.iter().map(|&i| trials.nested_in[i].clone()).collect();
    trials.subgroup = trials
        .subgroup
        .map(|s| keep.iter().map(|&i| s[i].clone()).collect());
    Ok(trials)
}

/// Studies pooled together although one is a subset of the other (`nested_in` column): their
/// patients are counted twice and the studies are not independent.
fn nesting_warnings(trials: &Trials, label: Option<&String>) -> Vec<String> {
    let in_pool = |i: usize| match (label, &trials.subgroup) {
        (Some(l), Some(s)) => &s[i] == l,
        _ => true,
    };
    let pool: Vec<usize> = (0..trials.study.len()).filter(|&i| in_pool(i)).collect();
    let names: HashSet<&str> = pool.iter().map(|&i| trials.study[i].as_str()).collect();
    let mut out = Vec::new();
    for &i in &pool {
        if let Some(parent) = &trials.nested_in[i] {
            for p in parent.split(';').map(str::trim) {
                if names.contains(p) {
                    let scope = label.map_or("the overall pool".to_string(), |l| {
                        format!("subgroup `{l}`")
                    });
                    out.push(format!(
                        "`{}` is a subset of `{p}`, both in {scope}: patients counted twice, studies not independent",
                        trials.study[i]
                    ));
                }
            }
        }
    }
    out
}

fn method_label(p: &Pooled) -> String {
    let m = match p.method {
        Method::IV => "inverse-variance fixed effect",
        Method::MH => "Mantel-Haenszel fixed effect",
        Method::Peto => "Peto fixed effect",
        Method::DL => "random effects, tau^2 DerSimonian-Laird",
        Method::REML => "random effects, tau^2 REML",
        Method::PM => "random effects, tau^2 Paule-Mandel",
        Method::HS => "random effects, tau^2 Hunter-Schmidt",
    };
    match p.test {
        Test::Knha => format!(
            "{m}, Hartung-Knapp-Sidik-Jonkman (t, {} df)",
            p.df.unwrap_or(f64::NAN)
        ),
        Test::Z => m.to_string(),
    }
}

fn num(x: f64) -> Value {
    if x.is_finite() {
        json!(x)
    } else {
        Value::Null
    }
}

fn pooled_json(measure: Measure, p: &Pooled) -> Value {
    let exp = if measure.is_ratio() {
        json!({
            "estimate": num(p.estimate.exp()),
            "ci_lower": num(p.ci_lower.exp()),
            "ci_upper": num(p.ci_upper.exp()),
            "pi_lower": num(p.pi_lower.exp()),
            "pi_upper": num(p.pi_upper.exp()),
        })
    } else {
        Value::Null
    };
    json!({
        "estimate": num(p.estimate),
        "se": num(p.se),
        "ci_lower": num(p.ci_lower),
        "ci_upper": num(p.ci_upper),
        "tau2": num(p.tau2),
        "i2": num(p.i2),
        "q": num(p.q),
        "q_p": num(p.q_p),
        "k": p.k,
        "pi_lower": num(p.pi_lower),
        "pi_upper": num(p.pi_upper),
        "exp": exp,
        "h2": num(p.h2),
        "q_df": p.q_df,
        "statistic": num(p.statistic),
        "p": num(p.p),
        "df": p.df.map_or(Value::Null, num),
        "knha_factor": p.knha_factor.map_or(Value::Null, num),
        "tau2_ci_lower": p.tau2_ci.map_or(Value::Null, |c| num(c.lower)),
        "tau2_ci_upper": p.tau2_ci.map_or(Value::Null, |c| num(c.upper)),
        "tau2_ci_upper_is_search_bound": p.tau2_ci.map(|c| c.upper_is_bound),
        "method": p.method.name(),
        "test": match p.test { Test::Z => "z", Test::Knha => "knha" },
        "level": p.level,
    })
}

fn analysis_json(trials: &Trials, m: &MetaAnalysis, rows: &[usize]) -> Value {
    let mut v = pooled_json(m.measure, &m.pooled);
    let studies: Vec<Value> = m
        .effects
        .study
        .iter()
        .enumerate()
        .map(|(j, &i)| {
            json!({
                "study": trials.study[rows[i]],
                "yi": num(m.effects.yi[j]),
                "vi": num(m.effects.vi[j]),
                "continuity_corrected": m.effects.corrected[j],
            })
        })
        .collect();
    v["studies"] = Value::Array(studies);
    v["dropped_double_zero"] = json!(m
        .effects
        .dropped_double_zero
        .iter()
        .map(|&i| trials.study[rows[i]].clone())
        .collect::<Vec<_>>());
    v
}

fn zero_cell_note(measure: Measure, method: Method) -> String {
    let mut rule = dicohort::meta::ZeroCellRule::metafor_default(measure);
    if matches!(method, Method::MH | Method::Peto) {
        rule.drop00 = true;
    }
    let mut s = format!("study-level effects (escalc): {}", rule.describe());
    if matches!(method, Method::MH | Method::Peto) {
        s.push_str("; pooled estimate without continuity correction (rma.mh / rma.peto)");
    }
    s
}

fn rows_of(trials: &Trials, label: Option<&str>) -> Vec<usize> {
    (0..trials.study.len())
        .filter(|&i| match (label, &trials.subgroup) {
            (Some(l), Some(s)) => s[i] == l,
            _ => true,
        })
        .collect()
}

fn to_json(trials: &Trials, out: &Output, args: &Args, warnings: &[String]) -> Value {
    let all_rows = rows_of(trials, None);
    let (measure, method) = match out {
        Output::Single(m, _) => (m.measure, m.pooled.method),
        Output::Subgroups(s) => (s.overall.measure, s.overall.pooled.method),
    };
    let mut v = match out {
        Output::Single(m, loo) => {
            let mut v = analysis_json(trials, m, &all_rows);
            if let Some(loo) = loo {
                v["leave_one_out"] = Value::Array(
                    loo.iter()
                        .map(|l| {
                            let mut row = l
                                .pooled
                                .as_ref()
                                .map_or(Value::Null, |p| pooled_json(measure, p));
                            if row.is_null() {
                                row = json!({});
                            }
                            row["omitted"] = json!(trials.study[l.omitted]);
                            row
                        })
                        .collect(),
                );
            }
            v
        }
        Output::Subgroups(s) => {
            let groups: Vec<Value> = s
                .subgroups
                .iter()
                .map(|g| {
                    let rows = rows_of(trials, Some(&g.label));
                    let mut v = analysis_json(trials, &g.analysis, &rows);
                    v["subgroup"] = json!(g.label);
                    v["n_studies"] = json!(g.n_studies);
                    v
                })
                .collect();
            json!({
                "subgroup_column": args.subgroup,
                "subgroups": groups,
                "not_pooled": s.not_pooled.iter().map(|(l, e)| json!({"subgroup": l, "reason": e})).collect::<Vec<_>>(),
                "between": {
                    "q": num(s.between.q),
                    "df": s.between.df,
                    "p": num(s.between.p),
                    "groups": s.between.groups,
                    "test": "Cochran's Q of the subgroup estimates with weights 1/se^2 (each subgroup with its own tau^2)",
                },
                "overall": analysis_json(trials, &s.overall, &all_rows),
            })
        }
    };
    v["data"] = json!(trials.file);
    v["excluded"] = json!(args.exclude);
    v["measure"] = json!(measure.name());
    v["scale"] = json!(if measure.is_ratio() {
        "log"
    } else {
        "identity"
    });
    v["zero_cells"] = json!(zero_cell_note(measure, method));
    v["warnings"] = json!(warnings);
    v
}

fn fmt(x: f64) -> String {
    if x.is_finite() {
        format!("{x:.3}")
    } else {
        "NA".into()
    }
}

fn fmt_p(p: f64) -> String {
    if !p.is_finite() {
        "NA".into()
    } else if p < 1e-4 {
        format!("{p:.1e}")
    } else {
        format!("{p:.4}")
    }
}

fn pooled_lines(measure: Measure, p: &Pooled, s: &mut String) {
    let bt = |x| back_transform(measure, x);
    let name = measure.name();
    s.push_str(&format!(
        "  Pooled {name} (k = {}): {} [{}, {}]  p = {}   ({}, {:.0}% CI)\n",
        p.k,
        fmt(bt(p.estimate)),
        fmt(bt(p.ci_lower)),
        fmt(bt(p.ci_upper)),
        fmt_p(p.p),
        method_label(p),
        p.level * 100.0
    ));
    if measure.is_ratio() {
        s.push_str(&format!(
            "    log scale: {} (se {})\n",
            fmt(p.estimate),
            fmt(p.se)
        ));
    }
    let tau2_ci = p
        .tau2_ci
        .map(|c| {
            let bound = if c.upper_is_bound { ">" } else { "" };
            format!(" [{}, {bound}{}]", fmt(c.lower), fmt(c.upper))
        })
        .unwrap_or_default();
    s.push_str(&format!(
        "    heterogeneity: Q = {} (df {}, p = {}), I^2 = {}%, H^2 = {}, tau^2 = {}{tau2_ci}\n",
        fmt(p.q),
        p.q_df,
        fmt_p(p.q_p),
        fmt(p.i2),
        fmt(p.h2),
        fmt(p.tau2)
    ));
    s.push_str(&format!(
        "    prediction interval: [{}, {}]\n",
        fmt(bt(p.pi_lower)),
        fmt(bt(p.pi_upper))
    ));
}

fn study_lines(trials: &Trials, m: &MetaAnalysis, rows: &[usize], s: &mut String) {
    let level = m.pooled.level;
    let crit = z_critical(level);
    s.push_str(&format!(
        "  {:<42} {:>11} {:>11}   {} [{:.0}% CI]\n",
        "study",
        "treated",
        "control",
        m.measure.name(),
        level * 100.0
    ));
    for (j, &i) in m.effects.study.iter().enumerate() {
        let t = trials.tables[rows[i]];
        let (y, se) = (m.effects.yi[j], m.effects.vi[j].sqrt());
        let bt = |x| back_transform(m.measure, x);
        s.push_str(&format!(
            "  {:<42} {:>11} {:>11}   {} [{}, {}]{}\n",
            trials.study[rows[i]],
            format!("{}/{}", t.events_treated, t.total_treated),
            format!("{}/{}", t.events_control, t.total_control),
            fmt(bt(y)),
            fmt(bt(y - crit * se)),
            fmt(bt(y + crit * se)),
            if m.effects.corrected[j] {
                "  (+1/2)"
            } else {
                ""
            }
        ));
    }
    for &i in &m.effects.dropped_double_zero {
        s.push_str(&format!(
            "  {:<42} dropped: no events (or only events) in both arms\n",
            trials.study[rows[i]]
        ));
    }
}

fn to_table(trials: &Trials, out: &Output, args: &Args, warnings: &[String]) -> String {
    let mut s = String::new();
    let (measure, method) = match out {
        Output::Single(m, _) => (m.measure, m.pooled.method),
        Output::Subgroups(g) => (g.overall.measure, g.overall.pooled.method),
    };
    s.push_str(&format!(
        "Meta-analysis of {} ({})\n",
        trials.file,
        measure.name()
    ));
    s.push_str(&format!(
        "Zero cells: {}\n\n",
        zero_cell_note(measure, method)
    ));
    match out {
        Output::Single(m, loo) => {
            let rows = rows_of(trials, None);
            study_lines(trials, m, &rows, &mut s);
            s.push('\n');
            pooled_lines(measure, &m.pooled, &mut s);
            if let Some(loo) = loo {
                s.push_str("\n  Leave-one-out:\n");
                for l in loo {
                    match &l.pooled {
                        Some(p) => s.push_str(&format!(
                            "    without {:<42} {} [{}, {}]  I^2 = {}%\n",
                            trials.study[l.omitted],
                            fmt(back_transform(measure, p.estimate)),
                            fmt(back_transform(measure, p.ci_lower)),
                            fmt(back_transform(measure, p.ci_upper)),
                            fmt(p.i2)
                        )),
                        None => {
                            s.push_str(&format!("    without {:<42} NA\n", trials.study[l.omitted]))
                        }
                    }
                }
            }
        }
        Output::Subgroups(g) => {
            for sub in &g.subgroups {
                s.push_str(&format!(
                    "{} = {} ({} {})\n",
                    args.subgroup.as_deref().unwrap_or("subgroup"),
                    sub.label,
                    sub.n_studies,
                    if sub.n_studies == 1 {
                        "study"
                    } else {
                        "studies"
                    }
                ));
                let rows = rows_of(trials, Some(&sub.label));
                study_lines(trials, &sub.analysis, &rows, &mut s);
                pooled_lines(measure, &sub.analysis.pooled, &mut s);
                s.push('\n');
            }
            for (l, e) in &g.not_pooled {
                s.push_str(&format!("{l}: not pooled ({e})\n"));
            }
            s.push_str("All studies\n");
            pooled_lines(measure, &g.overall.pooled, &mut s);
            s.push_str(&format!(
                "\nTest for subgroup differences: Q = {} (df {}, p = {})  [Cochran's Q of the subgroup estimates, weights 1/se^2]\n",
                fmt(g.between.q),
                g.between.df,
                fmt_p(g.between.p)
            ));
        }
    }
    if !warnings.is_empty() {
        s.push_str("\nWarnings:\n");
        for w in warnings {
            s.push_str(&format!("  - {w}\n"));
        }
    }
    s
}
