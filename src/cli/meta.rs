//! `dicohort meta`: meta-analysis of 2x2 trial counts (parity with R metafor; see `src/meta/`).
//! Flags in, [`dicohort::meta::analyse_input`] for the analysis, then a table, JSON, and with
//! `--forest` the forest plot of `dicohort::plot::forest`.

use std::path::PathBuf;

use anyhow::{bail, Context};
use serde_json::{json, Value};

use dicohort::format::{finite, p_value_table};
use dicohort::load::Input;
use dicohort::meta::{
    analyse_input, arm_counts, back_transform, z_critical, DoubleZero, Filter, Measure,
    MetaOptions, Method, Pool, Pooled, Selection, Test, TrialAnalysis, ZeroCellRule,
};
use dicohort::plot::forest::{forest_figure, meta_forest, MetaForestLabels};

/// The bundled trials (`data/anticoagulant-trials.csv`, sources in `data/README.md`).
const BUNDLED_CSV: &str = include_str!("../../data/anticoagulant-trials.csv");
const BUNDLED_NAME: &str = "data/anticoagulant-trials.csv (bundled)";

/// Arguments of `dicohort meta` (see ../shared/cli-contract.md).
#[derive(clap::Args, Debug)]
pub struct Args {
    /// CSV or Parquet with columns study, events_treated, total_treated, events_control,
    /// total_control (and the --subgroup / --filter columns; optional year, counts, nested_in).
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
    /// Keep only rows whose COLUMN equals VALUE (repeatable: values of one column are
    /// alternatives, different columns must all match), e.g. drug_class=thrombomodulin.
    #[arg(long, value_name = "COLUMN=VALUE")]
    pub filter: Vec<String>,
    /// Confidence level.
    #[arg(long, default_value_t = 0.95)]
    pub level: f64,
    /// Leave out the study with this name (repeatable), before any row is checked.
    #[arg(long, value_name = "STUDY")]
    pub exclude: Vec<String>,
    /// Keep rows nested in another row of the same pool (`nested_in` column); by default they
    /// are left out of that pool with a notice.
    #[arg(long)]
    pub include_nested: bool,
    /// Studies with no events (or only events) in both arms: keep (metafor escalc/rma default,
    /// drop00 = FALSE) or drop (Cochrane Handbook; rma.mh/rma.peto default). Default: metafor's
    /// default for the method.
    #[arg(long, value_name = "keep|drop")]
    pub double_zero: Option<String>,
    /// Also report the leave-one-out analysis (metafor leave1out).
    #[arg(long)]
    pub leave_one_out: bool,
    /// Write the forest plot (per-study counts and weights, pooled diamonds per subgroup,
    /// heterogeneity, prediction intervals) to this SVG file.
    #[arg(long, value_name = "FILE.svg")]
    pub forest: Option<PathBuf>,
    /// Title of the forest plot.
    #[arg(long)]
    pub title: Option<String>,
    /// Print JSON (keys as in the CLI contract) instead of a table.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: Args) -> anyhow::Result<()> {
    let measure: Measure = args.measure.parse()?;
    let method: Method = args.method.parse()?;
    if !(args.level > 0.0 && args.level < 1.0) {
        bail!(
            "--level {}: a confidence level is in (0, 1), e.g. 0.95",
            args.level
        );
    }
    let double_zero = match &args.double_zero {
        Some(s) => s.parse()?,
        None => DoubleZero::metafor_default(method),
    };
    let options = MetaOptions {
        method,
        test: if args.hksj { Test::Knha } else { Test::Z },
        level: args.level,
        double_zero,
    };
    let selection = Selection {
        subgroup: args.subgroup.clone(),
        filters: args
            .filter
            .iter()
            .map(|f| f.parse::<Filter>())
            .collect::<Result<_, _>>()?,
        exclude: args.exclude.clone(),
        include_nested: args.include_nested,
    };
    let input = if args.bundled {
        Input::Bytes {
            name: BUNDLED_NAME.into(),
            data: BUNDLED_CSV.as_bytes().to_vec(),
        }
    } else {
        Input::Path(
            args.data
                .clone()
                .expect("clap requires --data or --bundled"),
        )
    };
    if let (Some(forest), Input::Path(data)) = (&args.forest, &input) {
        if forest == data {
            bail!("--forest {}: that is the input file", forest.display());
        }
    }
    if let Some(f) = &args.forest {
        if f.extension().and_then(|e| e.to_str()) != Some("svg") {
            bail!(
                "--forest {}: the forest plot is written as SVG (FILE.svg)",
                f.display()
            );
        }
    }
    let a = analyse_input(&input, &selection, measure, options, args.leave_one_out)?;
    if let Some(path) = &args.forest {
        write_forest(&a, &args, path)?;
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&to_json(&a))?);
        for w in &a.warnings {
            eprintln!("warning: {w}");
        }
    } else {
        print!("{}", to_table(&a));
    }
    Ok(())
}

fn write_forest(a: &TrialAnalysis, args: &Args, path: &std::path::Path) -> anyhow::Result<()> {
    let labels = MetaForestLabels {
        title: args.title.clone().unwrap_or_else(|| {
            if args.bundled {
                "Anticoagulants and 28-day mortality in randomised trials".into()
            } else {
                format!("Meta-analysis of {}", a.file)
            }
        }),
        treated: if args.bundled {
            "Anticoagulant".into()
        } else {
            "Treated".into()
        },
        control: "Control".into(),
    };
    let svg = forest_figure(&meta_forest(&labels, a)?)?;
    // Written beside the target and renamed into place, so a failed run leaves no partial file.
    let tmp = path.with_extension(format!("svg.tmp-{}", std::process::id()));
    std::fs::write(&tmp, svg).with_context(|| format!("writing {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("writing {}", path.display()))?;
    Ok(())
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

fn pooled_json(measure: Measure, p: &Pooled) -> Value {
    let exp = if measure.is_ratio() {
        json!({
            "estimate": finite(p.estimate.exp()),
            "ci_lower": finite(p.ci_lower.exp()),
            "ci_upper": finite(p.ci_upper.exp()),
            "pi_lower": finite(p.pi_lower.exp()),
            "pi_upper": finite(p.pi_upper.exp()),
        })
    } else {
        Value::Null
    };
    json!({
        "estimate": finite(p.estimate),
        "se": finite(p.se),
        "ci_lower": finite(p.ci_lower),
        "ci_upper": finite(p.ci_upper),
        "tau2": finite(p.tau2),
        "i2": finite(p.i2),
        "q": finite(p.q),
        "q_p": finite(p.q_p),
        "k": p.k,
        "pi_lower": finite(p.pi_lower),
        "pi_upper": finite(p.pi_upper),
        "exp": exp,
        "h2": finite(p.h2),
        "q_df": p.q_df,
        "statistic": finite(p.statistic),
        "p": finite(p.p),
        "df": p.df.and_then(finite),
        "knha_factor": p.knha_factor.and_then(finite),
        "tau2_ci_lower": p.tau2_ci.and_then(|c| finite(c.lower)),
        "tau2_ci_upper": p.tau2_ci.and_then(|c| finite(c.upper)),
        "tau2_ci_upper_is_search_bound": p.tau2_ci.map(|c| c.upper_is_bound),
        "method": p.method.name(),
        "test": match p.test { Test::Z => "z", Test::Knha => "knha" },
        "level": p.level,
    })
}

fn pool_json(a: &TrialAnalysis, pool: &Pool) -> Value {
    let mut v = pooled_json(a.measure, &pool.analysis.pooled);
    let e = &pool.analysis.effects;
    let studies: Vec<Value> = (0..e.study.len())
        .map(|j| {
            let t = &a.trials[pool.effect_trial(j)];
            json!({
                "study": t.study,
                "row": t.row,
                "yi": finite(e.yi[j]),
                "vi": finite(e.vi[j]),
                "continuity_corrected": e.corrected[j],
                "derived_counts": t.derived,
            })
        })
        .collect();
    v["studies"] = Value::Array(studies);
    v["dropped_double_zero"] = json!(pool
        .dropped_double_zero()
        .iter()
        .map(|&i| a.trials[i].study.clone())
        .collect::<Vec<_>>());
    v["nested_left_out"] = json!(pool
        .nested_out
        .iter()
        .map(|n| a.trials[n.trial].study.clone())
        .collect::<Vec<_>>());
    v
}

fn zero_cell_note(o: &MetaOptions) -> String {
    let rule = ZeroCellRule::with_double_zero(o.double_zero);
    let mut s = format!("study-level effects (escalc): {}", rule.describe());
    if matches!(o.method, Method::MH | Method::Peto) {
        s.push_str(
            "; pooled estimate from every table without continuity correction (rma.mh / rma.peto)",
        );
    }
    s
}

fn to_json(a: &TrialAnalysis) -> Value {
    let mut v = if a.selection.subgroup.is_none() {
        let mut v = pool_json(a, &a.overall);
        if let Some(loo) = &a.leave_one_out {
            v["leave_one_out"] = Value::Array(
                loo.iter()
                    .map(|l| {
                        let mut row = l
                            .pooled
                            .as_ref()
                            .map_or_else(|| json!({}), |p| pooled_json(a.measure, p));
                        row["omitted"] = json!(a.trials[l.trial].study);
                        row
                    })
                    .collect(),
            );
        }
        v
    } else {
        let groups: Vec<Value> = a
            .subgroups
            .iter()
            .map(|g| {
                let mut v = pool_json(a, g);
                v["subgroup"] = json!(g.label);
                v["n_studies"] = json!(g.trials.len());
                v
            })
            .collect();
        let b = a
            .between
            .as_ref()
            .expect("subgroup analysis has a between test");
        json!({
            "subgroup_column": a.selection.subgroup,
            "subgroups": groups,
            "not_pooled": a.not_pooled.iter().map(|g| json!({"subgroup": g.label, "reason": g.reason})).collect::<Vec<_>>(),
            "between": {
                "q": finite(b.q),
                "df": b.df,
                "p": finite(b.p),
                "groups": b.groups,
                "test": "Cochran's Q of the subgroup estimates with weights 1/se^2 (each subgroup with its own tau^2)",
            },
            "overall": pool_json(a, &a.overall),
        })
    };
    v["data"] = json!(a.file);
    v["filters"] = json!(a
        .selection
        .filters
        .iter()
        .map(|f| f.to_string())
        .collect::<Vec<_>>());
    v["excluded"] = json!(a.excluded);
    v["omitted"] = json!(a
        .omitted
        .iter()
        .map(|o| json!({"study": o.study, "row": o.row, "reason": o.reason}))
        .collect::<Vec<_>>());
    v["include_nested"] = json!(a.selection.include_nested);
    v["measure"] = json!(a.measure.name());
    v["scale"] = json!(if a.measure.is_ratio() {
        "log"
    } else {
        "identity"
    });
    v["zero_cells"] = json!(zero_cell_note(&a.options));
    v["double_zero"] = json!({
        "rule": a.options.double_zero.name(),
        "source": a.options.double_zero.source(a.options.method),
    });
    v["notices"] = json!(a.notices);
    v["warnings"] = json!(a.warnings);
    v
}

fn fmt(x: f64) -> String {
    if x.is_finite() {
        format!("{x:.3}")
    } else {
        "NA".into()
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
        p_value_table(p.p, 1, None),
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
        p_value_table(p.q_p, 1, None),
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

fn study_lines(a: &TrialAnalysis, pool: &Pool, s: &mut String) {
    let m = &pool.analysis;
    let crit = z_critical(m.pooled.level);
    s.push_str(&format!(
        "  {:<42} {:>11} {:>11}   {} [{:.0}% CI]\n",
        "study",
        "treated",
        "control",
        m.measure.name(),
        m.pooled.level * 100.0
    ));
    for j in 0..m.effects.study.len() {
        let t = &a.trials[pool.effect_trial(j)];
        let (e1, n1, e2, n2) = arm_counts(&t.table);
        let (y, se) = (m.effects.yi[j], m.effects.vi[j].sqrt());
        let bt = |x| back_transform(m.measure, x);
        s.push_str(&format!(
            "  {:<42} {:>11} {:>11}   {} [{}, {}]{}{}\n",
            t.study,
            format!("{e1}/{n1}"),
            format!("{e2}/{n2}"),
            fmt(bt(y)),
            fmt(bt(y - crit * se)),
            fmt(bt(y + crit * se)),
            if m.effects.corrected[j] {
                "  (+1/2)"
            } else {
                ""
            },
            if t.derived { "  (derived counts)" } else { "" }
        ));
    }
    for i in pool.dropped_double_zero() {
        s.push_str(&format!(
            "  {:<42} dropped: no events (or only events) in both arms\n",
            a.trials[i].study
        ));
    }
}

fn to_table(a: &TrialAnalysis) -> String {
    let mut s = String::new();
    let measure = a.measure;
    s.push_str(&format!(
        "Meta-analysis of {} ({})\n",
        a.file,
        measure.name()
    ));
    s.push_str(&format!("Zero cells: {}\n", zero_cell_note(&a.options)));
    s.push_str(&format!(
        "Double-zero studies: {} ({})\n\n",
        a.options.double_zero.name(),
        a.options.double_zero.source(a.options.method)
    ));
    if a.selection.subgroup.is_none() {
        study_lines(a, &a.overall, &mut s);
        s.push('\n');
        pooled_lines(measure, &a.overall.analysis.pooled, &mut s);
        if let Some(loo) = &a.leave_one_out {
            s.push_str("\n  Leave-one-out:\n");
            for l in loo {
                let name = &a.trials[l.trial].study;
                match &l.pooled {
                    Some(p) => s.push_str(&format!(
                        "    without {:<42} {} [{}, {}]  I^2 = {}%\n",
                        name,
                        fmt(back_transform(measure, p.estimate)),
                        fmt(back_transform(measure, p.ci_lower)),
                        fmt(back_transform(measure, p.ci_upper)),
                        fmt(p.i2)
                    )),
                    None => s.push_str(&format!("    without {name:<42} NA\n")),
                }
            }
        }
    } else {
        let column = a.selection.subgroup.as_deref().unwrap_or("subgroup");
        for sub in &a.subgroups {
            let n = sub.trials.len();
            s.push_str(&format!(
                "{column} = {} ({n} {})\n",
                sub.label.as_deref().unwrap_or(""),
                if n == 1 { "study" } else { "studies" }
            ));
            study_lines(a, sub, &mut s);
            pooled_lines(measure, &sub.analysis.pooled, &mut s);
            s.push('\n');
        }
        for g in &a.not_pooled {
            s.push_str(&format!(
                "{column} = {}: not pooled ({})\n",
                g.label, g.reason
            ));
        }
        s.push_str("All studies\n");
        pooled_lines(measure, &a.overall.analysis.pooled, &mut s);
        if let Some(b) = &a.between {
            s.push_str(&format!(
                "\nTest for subgroup differences: Q = {} (df {}, p = {})  [Cochran's Q of the subgroup estimates, weights 1/se^2]\n",
                fmt(b.q),
                b.df,
                p_value_table(b.p, 1, None)
            ));
        }
    }
    for (title, lines) in [("Notices", &a.notices), ("Warnings", &a.warnings)] {
        if !lines.is_empty() {
            s.push_str(&format!("\n{title}:\n"));
            for w in lines {
                s.push_str(&format!("  - {w}\n"));
            }
        }
    }
    s
}
