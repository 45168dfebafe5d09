//! `dicohort score DIR --out FILE [--scores ...]`: every patient-day of a cohort scored (see
//! ../shared/cli-contract.md). Output CSV or Parquet by extension, one row per patient-day with
//! `patient_id`, `day`, `S_min`, `S_max` and, for diagnostic scores, `S_dx`; the options used are
//! written beside it as `FILE.config.json` and printed. Both are written under temporary names
//! and renamed into place when complete (`dicohort::output::OutputFile`); an output that is one of
//! the cohort's files (or the folder) is refused before any work.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use polars::prelude::{Column, CsvWriter, DataFrame, ParquetWriter, SerWriter};

use dicohort::load::{load_cohort_with_progress, LoadOptions};
use dicohort::output::OutputFile;
use dicohort::score::{
    score_days, AlternativeCriteria, FallReference, IsthMarker, JaamFall50, ScoreConfig, ScoreName,
    ScoreTable,
};

/// Arguments of `dicohort score` (see ../shared/cli-contract.md).
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Cohort folder (patients.csv, days.csv, ...; CSV or Parquet) or an export file (read
    /// through --mapping, else as a registry-wide export).
    pub dir: PathBuf,
    /// Output file: .csv or .parquet.
    #[arg(long)]
    pub out: PathBuf,
    /// Comma-separated scores (default all): sirs,sofa,sofa4,jaam,jaam2,isth,sic,jmhw,jsth.
    #[arg(long, default_value = "sirs,sofa,sofa4,jaam,jaam2,isth,sic,jmhw,jsth")]
    pub scores: String,
    /// ISTH fibrin-related marker preset.
    #[arg(long, default_value = "fdp-jp", value_parser = ["fdp-jp", "ddimer-uln"])]
    pub isth_marker: String,
    /// D-dimer upper limit of normal (ug/mL FEU) for `--isth-marker ddimer-uln`.
    #[arg(long, default_value_t = 0.5)]
    pub ddimer_uln: f64,
    /// Reference of the 24-hour platelet fall (day-level data: both read the previous day).
    #[arg(long, default_value = "highest-previous24h",
          value_parser = ["highest-previous24h", "closest24h-earlier"])]
    pub fall_reference: String,
    /// JAAM points for a platelet fall of exactly 50%.
    #[arg(long, default_value = "scores-one", value_parser = ["scores-one", "scores-three"])]
    pub jaam_fall_50: String,
    /// Items with alternative criteria when some are missing: `bounds` (never scored as 0) or
    /// `observed-suffices` (missing alternatives read as not met when another is recorded).
    #[arg(long, default_value = "bounds", value_parser = ["bounds", "observed-suffices"])]
    pub alternatives: String,
    /// Load leniently: exclude invalid rows (counted in the cohort flow) instead of failing.
    #[arg(long)]
    pub lenient: bool,
    /// The CSV delimiter of the cohort's files: `,`, `;`, `tab` or `|` (default: detected).
    #[arg(long, value_parser = super::common::parse_delimiter)]
    pub delimiter: Option<u8>,
    #[command(flatten)]
    pub progress: super::progress::ProgressArgs,
    /// A mapping file (data-schema/README.md) through which to read the export.
    #[arg(long)]
    pub mapping: Option<PathBuf>,
}

fn config_from(args: &Args) -> anyhow::Result<ScoreConfig> {
    let cfg = ScoreConfig {
        isth_marker: match args.isth_marker.as_str() {
            "ddimer-uln" => IsthMarker::DdimerUln {
                uln: args.ddimer_uln,
            },
            _ => IsthMarker::FdpJp,
        },
        fall_reference: match args.fall_reference.as_str() {
            "closest24h-earlier" => FallReference::Closest24hEarlier,
            _ => FallReference::HighestPrevious24h,
        },
        jaam_fall_50: match args.jaam_fall_50.as_str() {
            "scores-three" => JaamFall50::ScoresThree,
            _ => JaamFall50::ScoresOne,
        },
        alternatives: match args.alternatives.as_str() {
            "observed-suffices" => AlternativeCriteria::ObservedSuffices,
            _ => AlternativeCriteria::Bounds,
        },
    };
    cfg.validate()?;
    Ok(cfg)
}

/// The contract's output table: `patient_id`, `day`, then `S_min`, `S_max` (and `S_dx`) per
/// score in the order given.
pub fn output_frame(
    patient_id: &[String],
    patient: &[u32],
    day: &[i32],
    table: &ScoreTable,
    scores: &[ScoreName],
) -> anyhow::Result<DataFrame> {
    let n = patient.len();
    let ids: Vec<&str> = patient
        .iter()
        .map(|&p| patient_id[p as usize].as_str())
        .collect();
    let mut cols = vec![
        Column::new("patient_id".into(), ids),
        Column::new("day".into(), day.to_vec()),
    ];
    for &s in scores {
        let c = table.get(s)?;
        let widen = |v: &[i8]| v.iter().map(|&x| x as i32).collect::<Vec<i32>>();
        cols.push(Column::new(format!("{s}_min").into(), widen(&c.min)));
        cols.push(Column::new(format!("{s}_max").into(), widen(&c.max)));
        if let Some(dx) = &c.dx {
            let v: Vec<&str> = dx.iter().map(|d| d.as_str()).collect();
            cols.push(Column::new(format!("{s}_dx").into(), v));
        }
    }
    Ok(DataFrame::new(n, cols)?)
}

/// Write `df` as CSV or Parquet into `file`, the format chosen by the extension of `path` (the
/// final name; `file` is its staging copy).
pub fn write_frame(df: &mut DataFrame, path: &Path, file: std::fs::File) -> anyhow::Result<()> {
    let mut file = file;
    match output_format(path)? {
        "csv" => CsvWriter::new(&mut file)
            .finish(df)
            .with_context(|| format!("writing {}", path.display()))?,
        _ => {
            ParquetWriter::new(file)
                .finish(df)
                .with_context(|| format!("writing {}", path.display()))?;
        }
    }
    Ok(())
}

/// `csv` or `parquet`, from the extension of the output path.
fn output_format(path: &Path) -> anyhow::Result<&'static str> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    match ext.as_str() {
        "csv" => Ok("csv"),
        "parquet" | "pq" => Ok("parquet"),
        _ => bail!(
            "{}: the output must end in .csv or .parquet",
            path.display()
        ),
    }
}

/// The files `dicohort score DIR` reads or could read (the folder and every table name it
/// looks for): the output may be none of them.
fn inputs(dir: &Path) -> Vec<PathBuf> {
    let mut v = vec![dir.to_path_buf()];
    for stem in ["patients", "days", "treatments", "registry_wide"] {
        for ext in ["csv", "parquet", "pq"] {
            v.push(dir.join(format!("{stem}.{ext}")));
        }
    }
    v
}

pub fn run(args: Args) -> anyhow::Result<()> {
    let bar = super::progress::Bar::new(args.progress);
    let result = run_with(&args, &bar);
    bar.finish();
    result
}

fn run_with(args: &Args, bar: &std::sync::Arc<super::progress::Bar>) -> anyhow::Result<()> {
    let scores = ScoreName::parse_list(&args.scores)?;
    if scores.is_empty() {
        bail!("--scores: no score given");
    }
    let cfg = config_from(args)?;
    output_format(&args.out)?;
    // Before any work: the output is not an input, and no other run is writing it.
    let mut out = OutputFile::begin(&args.out, "score", &inputs(&args.dir))?;
    let mut opts = if args.lenient {
        LoadOptions::lenient()
    } else {
        LoadOptions::default()
    };
    opts.mapping = args.mapping.clone();
    opts.delimiter = args.delimiter;
    let reporter = bar.reporter();
    let (cohort, _report) = load_cohort_with_progress(&args.dir, &opts, reporter.clone())
        .with_context(|| format!("loading cohort {}", args.dir.display()))?;
    reporter.stage(&format!("scoring {} patient-days", cohort.days.len()), None);
    let table = score_days(&cohort.days, &cohort.patients, &cfg)?;
    reporter.stage(&format!("writing {}", args.out.display()), None);
    let mut df = output_frame(
        &cohort.patients.patient_id,
        &cohort.days.patient,
        &cohort.days.day,
        &table,
        &scores,
    )?;
    write_frame(&mut df, &args.out, out.create()?)?;
    bar.finish();
    let echo = serde_json::json!({
        "command": "score",
        "input": args.dir.display().to_string(),
        "output": args.out.display().to_string(),
        "scores": scores.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
        "n_patient_days": table.len(),
        "n_patients": cohort.patients.len(),
        "score_config": cfg,
    });
    let text = serde_json::to_string_pretty(&echo)?;
    out.companion(".config.json", format!("{text}\n").as_bytes())?;
    out.commit()?;
    println!(
        "scored {} patient-days ({} patients) -> {}\nscore_config: {}",
        table.len(),
        cohort.patients.len(),
        args.out.display(),
        serde_json::to_string(&cfg)?
    );
    Ok(())
}
