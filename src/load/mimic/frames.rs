//! The polars edge of the MIMIC-IV import: finding the module tables (`hosp/`, `icu/`, as
//! `.csv.gz` or `.csv`), checking their headers, reading them with the columns' types (times
//! parsed to microseconds since 1970 by polars), running lazy queries on them and turning the
//! (small, aggregated) results into plain vectors.
//! The two big tables (`labevents`, `chartevents`) are read in batches by
//! [`super::stream`].

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

use polars::prelude::*;

use super::MimicError;

/// Microseconds per hour and per day (MIMIC times have whole seconds).
pub(crate) const HOUR: i64 = 3_600_000_000;
pub(crate) const DAY: i64 = 24 * HOUR;

/// How a column is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Int,
    Float,
    Text,
    /// `YYYY-MM-DD HH:MM:SS`, read as microseconds since 1970 (Int64).
    Time,
}

/// One table of the MIMIC-IV folder.
#[derive(Clone, Debug)]
pub(crate) struct Table {
    /// `hosp/labevents` style name, as in the MIMIC-IV documentation.
    pub name: &'static str,
    pub path: PathBuf,
}

impl Table {
    /// The path as shown in errors.
    pub fn file(&self) -> String {
        self.path.display().to_string()
    }
}

/// The located table `name` (one of [`TABLES`]).
pub(crate) fn table<'a>(tables: &'a [Table], name: &str) -> &'a Table {
    tables
        .iter()
        .find(|t| t.name == name)
        .expect("located tables include every name")
}

/// `x` rounded to `decimals` decimal places (half away from zero).
pub(crate) fn round_to(x: f64, decimals: i32) -> f64 {
    let f = 10f64.powi(decimals);
    (x * f).round() / f
}

/// The tables the import reads, in the order of the documentation.
pub(crate) const TABLES: [&str; 10] = [
    "hosp/patients",
    "hosp/admissions",
    "icu/icustays",
    "hosp/labevents",
    "icu/chartevents",
    "icu/outputevents",
    "icu/procedureevents",
    "icu/inputevents",
    "hosp/prescriptions",
    "hosp/microbiologyevents",
];

/// Finds every table of [`TABLES`] under `source` (`NAME.csv.gz`, else `NAME.csv`); a missing
/// table is an error listing all of them.
pub(crate) fn locate(source: &Path) -> Result<Vec<Table>, MimicError> {
    if !source.is_dir() {
        return Err(MimicError::Read {
            file: source.display().to_string(),
            message: "not a folder".into(),
        });
    }
    let mut found = Vec::new();
    let mut missing = Vec::new();
    for name in TABLES {
        let gz = source.join(format!("{name}.csv.gz"));
        let csv = source.join(format!("{name}.csv"));
        if gz.is_file() {
            found.push(Table { name, path: gz });
        } else if csv.is_file() {
            found.push(Table { name, path: csv });
        } else {
            missing.push(format!("{name}.csv.gz"));
        }
    }
    if missing.is_empty() {
        Ok(found)
    } else {
        Err(MimicError::MissingTables {
            folder: source.display().to_string(),
            tables: missing,
        })
    }
}

/// The header of a CSV or CSV.gz file.
pub(crate) fn header(t: &Table) -> Result<Vec<String>, MimicError> {
    let io = |e: std::io::Error| MimicError::Read {
        file: t.file(),
        message: e.to_string(),
    };
    let f = std::fs::File::open(&t.path).map_err(io)?;
    let mut line = String::new();
    if t.path.extension().is_some_and(|e| e == "gz") {
        BufReader::new(flate2::read::MultiGzDecoder::new(f))
            .read_line(&mut line)
            .map_err(io)?;
    } else {
        BufReader::new(f).read_line(&mut line).map_err(io)?;
    }
    Ok(line
        .trim_end_matches(['\r', '\n'])
        .split(',')
        .map(|s| s.trim_matches('"').to_string())
        .collect())
}

/// A lazy scan of `t` (any table but the two big ones, see [`super::stream`]) with `cols`
/// typed (every column is checked to be in the header, so a missing column is an error naming
/// file and column). Time columns come out as Int64 microseconds.
pub(crate) fn scan(t: &Table, cols: &[(&str, Kind)]) -> Result<LazyFrame, MimicError> {
    let schema = typed_schema(t, cols)?;
    let path = PlRefPath::try_from_path(&t.path).map_err(|e| polars_error(t, e))?;
    let lf = LazyCsvReader::new(path)
        .with_has_header(true)
        .with_infer_schema_length(Some(0))
        .with_dtype_overwrite(Some(Arc::new(schema)))
        .with_raise_if_empty(false)
        .finish()
        .map_err(|e| polars_error(t, e))?;
    Ok(lf.select(typed_columns(cols)))
}

/// The schema of `cols`, each checked to be in the header of `t`.
pub(crate) fn typed_schema(t: &Table, cols: &[(&str, Kind)]) -> Result<Schema, MimicError> {
    let head = header(t)?;
    let mut schema = Schema::default();
    for (c, k) in cols {
        if !head.iter().any(|h| h == c) {
            return Err(missing_column(t, c));
        }
        schema.with_column((*c).into(), dtype(*k));
    }
    Ok(schema)
}

/// `cols` selected, times as Int64 microseconds.
pub(crate) fn typed_columns(cols: &[(&str, Kind)]) -> Vec<Expr> {
    cols.iter()
        .map(|(c, k)| match k {
            Kind::Time => col(*c).cast(DataType::Int64),
            _ => col(*c),
        })
        .collect()
}

pub(crate) fn polars_error(t: &Table, e: PolarsError) -> MimicError {
    MimicError::Read {
        file: t.file(),
        message: e.to_string(),
    }
}

pub(crate) fn polars_io(t: &Table, e: std::io::Error) -> MimicError {
    MimicError::Read {
        file: t.file(),
        message: e.to_string(),
    }
}

fn dtype(k: Kind) -> DataType {
    match k {
        Kind::Int => DataType::Int64,
        Kind::Float => DataType::Float64,
        Kind::Text => DataType::String,
        Kind::Time => DataType::Datetime(TimeUnit::Microseconds, None),
    }
}

fn missing_column(t: &Table, c: &str) -> MimicError {
    MimicError::Data {
        file: t.file(),
        row: None,
        column: c.to_string(),
        message: format!("column `{c}` is missing from the header of {}", t.name),
    }
}

/// Runs `plans` together on the streaming engine (one pass over a shared, cached scan).
pub(crate) fn collect_all(t: &Table, plans: Vec<LazyFrame>) -> Result<Vec<DataFrame>, MimicError> {
    let dsl = plans.into_iter().map(|p| p.logical_plan).collect();
    LazyFrame::collect_all_with_engine(dsl, Engine::Streaming, OptFlags::default())
        .map_err(|e| polars_error(t, e))
}

/// Runs one plan on the streaming engine.
pub(crate) fn collect(t: &Table, plan: LazyFrame) -> Result<DataFrame, MimicError> {
    Ok(collect_all(t, vec![plan])?.remove(0))
}

fn column<'a>(df: &'a DataFrame, name: &str) -> &'a Column {
    df.column(name)
        .unwrap_or_else(|_| panic!("query output has column `{name}`"))
}

/// An Int64 (or castable) column; nulls are `None`.
pub(crate) fn ints(df: &DataFrame, name: &str) -> Vec<Option<i64>> {
    let c = column(df, name)
        .cast(&DataType::Int64)
        .expect("integer column");
    c.i64().expect("Int64").iter().collect()
}

/// A Float64 (or castable) column; nulls are NaN.
pub(crate) fn floats(df: &DataFrame, name: &str) -> Vec<f64> {
    let c = column(df, name)
        .cast(&DataType::Float64)
        .expect("numeric column");
    c.f64()
        .expect("Float64")
        .iter()
        .map(|v| v.unwrap_or(f64::NAN))
        .collect()
}

/// A String column; nulls (and empty cells) are `None`.
pub(crate) fn texts(df: &DataFrame, name: &str) -> Vec<Option<String>> {
    let c = column(df, name)
        .cast(&DataType::String)
        .expect("text column");
    c.str()
        .expect("String")
        .iter()
        .map(|v| v.filter(|s| !s.is_empty()).map(String::from))
        .collect()
}

/// A required integer (an id): a null is an error naming file, row and column.
pub(crate) fn required_ints(t: &Table, df: &DataFrame, name: &str) -> Result<Vec<i64>, MimicError> {
    ints(df, name)
        .into_iter()
        .enumerate()
        .map(|(i, v)| {
            v.ok_or_else(|| MimicError::Data {
                file: t.file(),
                row: Some(i as u64 + 1),
                column: name.to_string(),
                message: "missing value".into(),
            })
        })
        .collect()
}

/// Days since 1970-01-01 of a civil date (proleptic Gregorian; Hinnant's algorithm).
pub(crate) fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date (year, month, day) of a day count since 1970-01-01.
pub(crate) fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (
        if m <= 2 {
            yoe + era * 400 + 1
        } else {
            yoe + era * 400
        },
        m,
        d,
    )
}

/// Parses `YYYY-MM-DD` or `YYYY-MM-DD HH:MM:SS` to microseconds since 1970 (`None` if
/// malformed).
pub fn parse_time(s: &str) -> Option<i64> {
    let s = s.trim();
    let b = s.as_bytes();
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> { s.get(r)?.parse().ok() };
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    let mut secs = 0;
    if b.len() > 10 {
        if b.len() < 19 || (b[10] != b' ' && b[10] != b'T') || b[13] != b':' || b[16] != b':' {
            return None;
        }
        let (hh, mm, ss) = (num(11..13)?, num(14..16)?, num(17..19)?);
        if hh > 23 || mm > 59 || ss > 60 {
            return None;
        }
        secs = hh * 3600 + mm * 60 + ss;
    }
    Some((days_from_civil(y, m, d) * 86_400 + secs) * 1_000_000)
}

/// Formats microseconds since 1970 as `YYYY-MM-DD HH:MM:SS` (MIMIC's layout).
pub fn format_time(us: i64) -> String {
    let secs = us.div_euclid(1_000_000);
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// The date part of [`format_time`] (`YYYY-MM-DD`).
pub fn format_date(us: i64) -> String {
    format_time(us)[..10].to_string()
}

/// The calendar year of a time.
pub(crate) fn year_of(us: i64) -> i64 {
    civil_from_days(us.div_euclid(DAY)).0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_round_trip_through_the_mimic_layout() {
        for s in [
            "2180-07-23 14:05:09",
            "2110-01-01 00:00:00",
            "2199-12-31 23:59:59",
            "1970-01-01 00:00:00",
            "2000-02-29 12:00:00",
        ] {
            let t = parse_time(s).unwrap();
            assert_eq!(format_time(t), s);
        }
        assert_eq!(parse_time("2180-07-23"), parse_time("2180-07-23 00:00:00"));
        assert_eq!(parse_time("1970-01-02 00:00:01"), Some(DAY + 1_000_000));
        for bad in ["", "2180-13-01", "2180/07/23", "2180-07-23 25:00:00", "x"] {
            assert_eq!(parse_time(bad), None, "{bad}");
        }
        assert_eq!(year_of(parse_time("2180-12-31 23:59:59").unwrap()), 2180);
    }
}
