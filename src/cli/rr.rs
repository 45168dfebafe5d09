//! `dicohort rr`: risk ratio, risk difference and odds ratio of a binary outcome between exposed
//! and unexposed rows, with Mantel-Haenszel estimates and the Breslow-Day (Tarone) homogeneity
//! test across strata. See `dicohort::stats::twobytwo` for the methods and the zero-cell rule
//! (0.5 added to every cell only when a cell is 0, stated as `correction`).
//!
//! Exposure and outcome are 0/1, true/false (yes/no) columns. Rows with a missing exposure,
//! outcome or stratum are omitted and counted in `n_omitted` (the library's model frame).

use anyhow::Context;
use dicohort::stats::frame::FrameSpec;
use dicohort::stats::twobytwo::{
    mantel_haenszel, table_measures, Estimate, MantelHaenszel, TableMeasures, Test, TwoByTwo,
};
use serde::Serialize;

use super::common::{aligned, check_conf_level, fmt, model_frame, DataArgs};

/// Arguments of `dicohort rr` (see ../shared/cli-contract.md).
#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    pub input: DataArgs,
    /// Exposure (treatment) flag column: 0/1, true/false or yes/no.
    #[arg(long)]
    pub exposure: String,
    /// Outcome flag column: 0/1, true/false or yes/no.
    #[arg(long)]
    pub outcome: String,
    /// Stratification column: Mantel-Haenszel estimates and a homogeneity test.
    #[arg(long)]
    pub strata: Option<String>,
    /// Confidence level.
    #[arg(long, default_value_t = 0.95)]
    pub conf_level: f64,
    /// Print JSON (the contract's keys) instead of a table.
    #[arg(long)]
    pub json: bool,
}

#[derive(Serialize)]
struct StratumJson {
    stratum: String,
    #[serde(flatten)]
    measures: Option<TableMeasures>,
    /// Why the stratum has no single-table measures (an arm without rows).
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<String>,
}

#[derive(Serialize)]
struct RrJson {
    /// Crude (pooled) table and measures.
    #[serde(flatten)]
    crude: TableMeasures,
    conf_level: f64,
    n: usize,
    n_omitted: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    strata: Option<Vec<StratumJson>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    mantel_haenszel: Option<MantelHaenszel>,
    /// Breslow-Day test of a common odds ratio with Tarone's correction.
    #[serde(skip_serializing_if = "Option::is_none")]
    homogeneity: Option<Homogeneity>,
}

#[derive(Serialize)]
struct Homogeneity {
    test: &'static str,
    chisq: f64,
    df: usize,
    p: f64,
}

pub fn run(args: Args) -> anyhow::Result<()> {
    check_conf_level(args.conf_level)?;
    let spec = FrameSpec {
        flags: vec![args.exposure.as_str(), args.outcome.as_str()],
        groups: args.strata.iter().map(String::as_str).collect(),
        ..FrameSpec::default()
    };
    let frame = model_frame(&args.input, &spec)?;
    let file = args.input.data.display().to_string();
    let n = frame.rows.len();
    let n_omitted = frame.n_omitted();
    let exposure = frame.flag(&args.exposure).expect("exposure read");
    let outcome = frame.flag(&args.outcome).expect("outcome read");
    let strata = args
        .strata
        .as_deref()
        .map(|s| frame.group(s).expect("strata read"));
    let (crude, per) = count_tables(
        exposure,
        outcome,
        strata.map(|s| (&s.codes[..], s.levels.len())),
    );
    let levels: Vec<String> = strata.map(|s| s.levels.clone()).unwrap_or_default();
    let crude_m = table_measures(&crude, args.conf_level)
        .with_context(|| format!("{file}: columns `{}` x `{}`", args.exposure, args.outcome))?;
    let (strata_json, mh) = if strata.is_some() {
        let sj = per
            .iter()
            .zip(&levels)
            .map(|(t, name)| match table_measures(t, args.conf_level) {
                Ok(m) => StratumJson {
                    stratum: name.clone(),
                    measures: Some(m),
                    note: None,
                },
                Err(e) => StratumJson {
                    stratum: name.clone(),
                    measures: None,
                    note: Some(e.to_string()),
                },
            })
            .collect::<Vec<_>>();
        let mh = mantel_haenszel(&per, args.conf_level)?;
        (Some(sj), Some(mh))
    } else {
        (None, None)
    };
    let homogeneity = mh.as_ref().map(|m| Homogeneity {
        test: "breslow-day-tarone",
        chisq: m.tarone.chisq,
        df: m.tarone.df,
        p: m.tarone.p,
    });
    if args.json {
        let out = RrJson {
            crude: crude_m,
            conf_level: args.conf_level,
            n,
            n_omitted,
            strata: strata_json,
            mantel_haenszel: mh,
            homogeneity,
        };
        println!("{}", serde_json::to_string(&out)?);
        return Ok(());
    }
    print!(
        "{}",
        text_summary(&crude_m, mh.as_ref(), n_omitted, args.conf_level)
    );
    Ok(())
}

/// The crude 2x2 table of outcome by exposure and, with strata (codes and their number), one
/// table per stratum.
fn count_tables(
    exposure: &[bool],
    outcome: &[bool],
    strata: Option<(&[u32], usize)>,
) -> (TwoByTwo, Vec<TwoByTwo>) {
    let empty = TwoByTwo {
        a: 0.0,
        b: 0.0,
        c: 0.0,
        d: 0.0,
    };
    let mut crude = empty;
    let mut per = vec![empty; strata.map_or(0, |(_, k)| k)];
    for i in 0..exposure.len() {
        let s = strata.map(|(codes, _)| codes[i] as usize);
        for t in std::iter::once(&mut crude).chain(s.map(|s| &mut per[s])) {
            match (exposure[i], outcome[i]) {
                (true, true) => t.a += 1.0,
                (true, false) => t.b += 1.0,
                (false, true) => t.c += 1.0,
                (false, false) => t.d += 1.0,
            }
        }
    }
    (crude, per)
}

/// The plain-text answer: counts, the measures table, the NNT and the stratified tests.
fn text_summary(
    crude_m: &TableMeasures,
    mh: Option<&MantelHaenszel>,
    n_omitted: usize,
    conf_level: f64,
) -> String {
    let mut s = String::new();
    if n_omitted > 0 {
        s.push_str(&format!("{n_omitted} rows omitted (missing values)\n"));
    }
    let t = &crude_m.table;
    s.push_str(&format!(
        "Exposed: {} events / {} (risk {});  unexposed: {} events / {} (risk {})\n",
        fmt(t.a),
        fmt(t.a + t.b),
        fmt(crude_m.risk_exposed),
        fmt(t.c),
        fmt(t.c + t.d),
        fmt(crude_m.risk_unexposed)
    ));
    if crude_m.correction != dicohort::stats::twobytwo::ZeroCellCorrection::None {
        s.push_str("A cell is zero: 0.5 added to every cell for RR, RD and OR (Haldane).\n");
    }
    let pct = format!("{}%", conf_level * 100.0);
    let header = ["measure", "estimate", "lower", "upper", "interval"];
    let row = |name: &str, e: &Estimate, how: &str| {
        [
            name.to_string(),
            fmt(e.estimate),
            fmt(e.lower),
            fmt(e.upper),
            format!("{pct} {how}"),
        ]
    };
    let mut rows = vec![
        row("risk ratio", &crude_m.risk_ratio, "Wald (log)"),
        row("risk ratio", &crude_m.risk_ratio_koopman, "Koopman score"),
        row("risk difference", &crude_m.risk_difference, "Wald"),
        row("odds ratio", &crude_m.odds_ratio, "Wald (log)"),
    ];
    if let Some(m) = mh {
        rows.push(row("MH risk ratio", &m.risk_ratio, "Greenland-Robins"));
        rows.push(row("MH risk difference", &m.risk_difference, "Sato"));
        rows.push(row(
            "MH risk difference",
            &m.risk_difference_gr,
            "Greenland-Robins",
        ));
        rows.push(row(
            "MH odds ratio",
            &m.odds_ratio,
            "Robins-Breslow-Greenland",
        ));
    }
    s.push_str(&aligned(&header, &rows));
    let nnt = &crude_m.nnt;
    let kind = if nnt.estimate.is_infinite() {
        "NNT"
    } else if crude_m.risk_difference.estimate < 0.0 {
        "NNTB"
    } else {
        "NNTH"
    };
    if nnt.crosses_zero {
        s.push_str(&format!(
            "{kind} = {} ({pct} CI: NNTB {} to Inf to NNTH {})\n",
            fmt(nnt.estimate),
            fmt(nnt.nntb_bound),
            fmt(nnt.nnth_bound)
        ));
    } else {
        s.push_str(&format!(
            "{kind} = {} ({pct} CI {} to {})\n",
            fmt(nnt.estimate),
            fmt(nnt.lower),
            fmt(nnt.upper)
        ));
    }
    if let Some(m) = mh {
        let test = |name: &str, t: &Test| {
            format!(
                "{name}: chisq = {} on {} df, p = {}\n",
                fmt(t.chisq),
                t.df,
                fmt(t.p)
            )
        };
        s.push_str(&format!(
            "Cochran-Mantel-Haenszel: chisq = {} on 1 df, p = {}\n",
            fmt(m.cmh_chisq),
            fmt(m.cmh_p)
        ));
        s.push_str(&test("Breslow-Day", &m.breslow_day));
        s.push_str(&test("Breslow-Day (Tarone)", &m.tarone));
    }
    s
}
