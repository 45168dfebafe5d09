//! Unit plausibility: whether each watched measurement's distribution is that of its canonical
//! unit, on every load path (canonical folder, registry-wide, any mapping). A column whose
//! cohort median lies outside the plausible range of `units::COLUMN_UNITS` is reported with the
//! unit its values look like (platelets in x10^4/uL instead of x10^3/uL, fibrinogen in g/L
//! instead of mg/dL, creatinine or bilirubin in umol/L instead of mg/dL, temperature in F,
//! D-dimer in ng/mL instead of ug/mL, PT in seconds or % in the ratio or INR column, antithrombin
//! as a fraction), the median in the unit the source declared, and the mapping line that would
//! fix it. Strict loading makes it an error; lenient loading a warning and a flow note. A value
//! is never converted by this check.
//!
//! The check reads typed values: every days row as validation parses it
//! ([`DaySketches::add_row`]), the values out of range included ([`DaySketches::add_value`]:
//! a wrong unit is often out of range too), the same whether tables are kept or only
//! validated; a day table built in memory is judged from its columns
//! ([`DaySketches::from_days`]). The median comes from a log-scale histogram of 32 bins per
//! doubling (within 3.2% of the exact median; the plausible ranges are a factor of 4 or more
//! from any unit they separate), so the answer does not depend on row order or memory.
//! A column with fewer than [`MIN_VALUES`] values is not judged.
//!
//! Cost: one pass over the watched columns, O(1) memory per column.

use crate::schema::DayTable;

use super::mapping::Place;
use super::spec::{table_spec, TableKind};
use super::units::{column_units, Affine, COLUMN_UNITS};
use super::validate::Conv;

/// Fewest values a column needs to be judged.
pub const MIN_VALUES: u64 = 20;

/// Binary exponents covered (2^-14 ~ 6e-5 to 2^24 ~ 1.7e7; values beyond fall in the end bins).
const EXP_LO: i64 = -14;
const EXP_HI: i64 = 24;
/// Bins per doubling, linear in the mantissa (within 3.2% of the value).
const PER_OCTAVE: i64 = 32;
const N_BINS: usize = ((EXP_HI - EXP_LO) * PER_OCTAVE) as usize;

/// A histogram of a column's positive values on a log scale (zero and negatives counted
/// apart). The bin is read from the bits of the number, so adding a value costs a few integer
/// operations.
#[derive(Debug, Clone, PartialEq)]
pub struct Sketch {
    bins: Vec<u64>,
    non_positive: u64,
    n: u64,
}

impl Default for Sketch {
    fn default() -> Self {
        Sketch {
            bins: vec![0; N_BINS],
            non_positive: 0,
            n: 0,
        }
    }
}

impl Sketch {
    pub fn add(&mut self, v: f64) {
        if v.is_nan() {
            return;
        }
        self.n += 1;
        if v <= 0.0 {
            self.non_positive += 1;
            return;
        }
        let bits = v.to_bits();
        let exp = ((bits >> 52) & 0x7ff) as i64 - 1023;
        let sub = ((bits >> 47) & 0x1f) as i64;
        let k = ((exp - EXP_LO) * PER_OCTAVE + sub).clamp(0, N_BINS as i64 - 1);
        self.bins[k as usize] += 1;
    }
    pub fn n(&self) -> u64 {
        self.n
    }
    /// The (lower) median, as the centre of its bin; `None` without values.
    pub fn median(&self) -> Option<f64> {
        if self.n == 0 {
            return None;
        }
        let target = (self.n - 1) / 2;
        if target < self.non_positive {
            return Some(0.0);
        }
        let mut seen = self.non_positive;
        for (k, &c) in self.bins.iter().enumerate() {
            seen += c;
            if seen > target {
                let k = k as i64;
                let exp = k / PER_OCTAVE + EXP_LO;
                let frac = ((k % PER_OCTAVE) as f64 + 0.5) / PER_OCTAVE as f64;
                return Some(2f64.powi(exp as i32) * (1.0 + frac));
            }
        }
        None
    }
}

/// A sketch of every watched measurement.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DaySketches {
    /// (index among the days measurements, i.e. schema index - 2; name; sketch).
    cols: Vec<(usize, &'static str, Sketch)>,
}

impl DaySketches {
    pub fn new() -> DaySketches {
        let spec = table_spec(TableKind::Days);
        DaySketches {
            cols: COLUMN_UNITS
                .iter()
                .filter(|c| c.plausible_median.is_some())
                .map(|c| {
                    let i = spec.index_of(c.column).expect("a days column") - 2;
                    (i, c.column, Sketch::default())
                })
                .collect(),
        }
    }

    /// Adds one days row's measurement values (schema order after patient_id and day).
    pub fn add_row(&mut self, values: &[f64]) {
        if self.cols.is_empty() {
            *self = DaySketches::new();
        }
        for (i, _, s) in &mut self.cols {
            if let Some(v) = values.get(*i) {
                s.add(*v);
            }
        }
    }

    /// Adds whole measurement columns (schema order after patient_id and day), as the typed
    /// reading of a days table has them: the same sketch as [`DaySketches::add_row`] row by row.
    pub fn add_columns(&mut self, columns: &[Vec<f64>]) {
        if self.cols.is_empty() {
            *self = DaySketches::new();
        }
        for (i, _, s) in &mut self.cols {
            if let Some(col) = columns.get(*i) {
                for v in col {
                    s.add(*v);
                }
            }
        }
    }

    /// Adds a value that failed validation's range check: the cell text of measurement
    /// `index` with its unit conversion.
    pub(crate) fn add_value(&mut self, index: usize, text: Option<&str>, conv: Option<&Conv>) {
        let Some(v) = text.and_then(|t| t.trim().parse::<f64>().ok()) else {
            return;
        };
        if self.cols.is_empty() {
            *self = DaySketches::new();
        }
        let v = conv.map_or(v, |c| v * c.factor);
        if let Some((_, _, s)) = self.cols.iter_mut().find(|(i, _, _)| *i == index) {
            s.add(v);
        }
    }

    /// Sketches of a day table's columns (a cohort built in memory).
    pub fn from_days(days: &DayTable) -> DaySketches {
        let mut out = DaySketches::new();
        for (_, name, s) in &mut out.cols {
            let col: &[f64] = match *name {
                "platelets" => &days.platelets,
                "fibrinogen" => &days.fibrinogen,
                "d_dimer" => &days.d_dimer,
                "pt_ratio" => &days.pt_ratio,
                "pt_inr" => &days.pt_inr,
                "antithrombin" => &days.antithrombin,
                "temperature" => &days.temperature,
                "bilirubin" => &days.bilirubin,
                "creatinine" => &days.creatinine,
                other => unreachable!("{other} is not a watched column"),
            };
            for &v in col {
                s.add(v);
            }
        }
        out
    }

    fn get(&self, column: &str) -> Option<&Sketch> {
        self.cols
            .iter()
            .find(|(_, n, _)| *n == column)
            .map(|(_, _, s)| s)
    }
}

/// How a measurement's source values were converted before the check.
#[derive(Debug, Clone, PartialEq)]
pub enum Applied {
    Canonical,
    Fixed { unit: String, conversion: Affine },
    PerRow { unit_column: String },
}

/// Where a canonical measurement came from.
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnSource {
    /// The canonical column.
    pub column: String,
    pub file: String,
    /// The source columns, as named in messages (`plt_d1, plt_d3, plt_d7`).
    pub columns: String,
    pub applied: Applied,
    /// The mapping entry of the column (`None`: a canonical file, no mapping).
    pub place: Option<Place>,
    /// The key and value that name the source in a mapping line (`stem = "plt"`).
    pub entry: String,
}

impl ColumnSource {
    /// A column of a canonical days file.
    pub fn canonical(file: &str, column: &str) -> ColumnSource {
        ColumnSource {
            column: column.to_string(),
            file: file.to_string(),
            columns: column.to_string(),
            applied: Applied::Canonical,
            place: None,
            entry: format!("source = \"{column}\""),
        }
    }
}

/// A column whose values look like another unit.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub column: String,
    pub file: String,
    /// The source columns.
    pub columns: String,
    /// Median in the source unit, and that unit.
    pub median: f64,
    pub unit: String,
    pub n_values: u64,
    /// The unit the values look like, if one fits.
    pub likely: Option<String>,
    /// The whole explanation, with the fix.
    pub message: String,
}

/// Judges every watched column that has a source in `sources` (`mapping`: the mapping file
/// named in fixes, `None` for a canonical folder).
pub fn check(
    sketches: &DaySketches,
    sources: &[ColumnSource],
    mapping: Option<&str>,
) -> Vec<Finding> {
    let mut out = Vec::new();
    for src in sources {
        let (Some(cu), Some(s)) = (column_units(&src.column), sketches.get(&src.column)) else {
            continue;
        };
        let Some((lo, hi)) = cu.plausible_median else {
            continue;
        };
        if s.n() < MIN_VALUES {
            continue;
        }
        let m = s.median().expect("values were counted");
        if (lo..=hi).contains(&m) {
            continue;
        }
        out.push(finding(src, cu, (lo, hi), m, s.n(), mapping));
    }
    out
}

fn finding(
    src: &ColumnSource,
    cu: &super::units::ColumnUnits,
    (lo, hi): (f64, f64),
    m: f64,
    n: u64,
    mapping: Option<&str>,
) -> Finding {
    // The median and the plausible range in the unit the source declared.
    let (unit, conv, note) = match &src.applied {
        Applied::Canonical => (cu.canonical.to_string(), Affine::IDENTITY, String::new()),
        Applied::Fixed { unit, conversion } => (
            unit.clone(),
            *conversion,
            format!(" (= {} {} as converted)", sig3(m), cu.canonical),
        ),
        Applied::PerRow { unit_column } => (
            cu.canonical.to_string(),
            Affine::IDENTITY,
            format!(" after the per-row units of `{unit_column}`"),
        ),
    };
    let sm = conv.invert(m);
    let (slo, shi) = (conv.invert(lo), conv.invert(hi));
    let likely = cu.units.iter().filter(|u| u.name != unit).find(|u| {
        u.source_range((lo, hi))
            .is_some_and(|(a, b)| sm >= a && sm <= b)
    });
    let mut msg = format!(
        "median {} {unit}{note} over {n} values is implausible for {} (a cohort median lies \
         between {} and {} {unit})",
        sig3(sm),
        src.column,
        sig3(slo),
        sig3(shi)
    );
    let line = |u: Option<&str>, extra: &str| {
        let unit = u.map(|u| format!(", unit = \"{u}\"")).unwrap_or_default();
        format!("{} = {{ {}{unit}{extra} }}", src.column, src.entry)
    };
    let fix = match likely {
        None => " No known unit of this column fits: check the column and its unit.".to_string(),
        Some(u) if matches!(src.applied, Applied::PerRow { .. }) => {
            format!(
                ": the values look like {}. Check the units written in the unit column.",
                u.name
            )
        }
        Some(u) => {
            let stated = if u.name == cu.canonical {
                line(None, "")
            } else if u.conversion.is_some() {
                line(Some(u.name), "")
            } else {
                line(
                    Some(u.name),
                    ", factor = <canonical per unit: only your laboratory knows it>",
                )
            };
            let how = if u.conversion.is_none() {
                format!(
                    " ({} in {} cannot be converted without a number from the laboratory: map a \
                     column in {} if the export has one)",
                    src.column, u.name, cu.canonical
                )
            } else {
                String::new()
            };
            let where_ = match (&src.place, mapping) {
                (Some(p), Some(file)) => format!("{file} line {} (`{}`)", p.line, p.key),
                (Some(p), None) => format!("the mapping, line {} (`{}`)", p.line, p.key),
                (None, _) => "a mapping of the folder (data-schema/canonical.mapping.toml \
                              under [days.columns])"
                    .to_string(),
            };
            format!(
                ": the values look like {}{how}. Nothing was converted. Fix: state the unit in \
                 {where_}: {stated}",
                u.name
            )
        }
    };
    msg.push_str(&fix);
    Finding {
        column: src.column.clone(),
        file: src.file.clone(),
        columns: src.columns.clone(),
        median: sm,
        unit,
        n_values: n,
        likely: likely.map(|u| u.name.to_string()),
        message: msg,
    }
}

/// Three significant digits, no exponent, trailing zeros removed.
pub(crate) fn sig3(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return crate::format::shortest(v);
    }
    let mag = v.abs().log10().floor() as i32;
    let decimals = (2 - mag).max(0) as usize;
    let p = 10f64.powi(mag - 2);
    let r = (v / p).round() * p;
    let s = format!("{r:.decimals$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sketch_median_is_within_its_bin() {
        let mut s = Sketch::default();
        for v in [1.0, 2.0, 3.0, 150.0, 151.0, 152.0, 153.0, 1e9, f64::NAN] {
            s.add(v);
        }
        assert_eq!(s.n(), 8);
        let m = s.median().unwrap();
        assert!((m / 150.0 - 1.0).abs() < 0.032, "{m}");
        let mut z = Sketch::default();
        for v in [0.0, -1.0, 0.0, 5.0] {
            z.add(v);
        }
        assert_eq!(z.median(), Some(0.0));
        assert_eq!(Sketch::default().median(), None);
    }

    #[test]
    fn three_significant_digits() {
        assert_eq!(sig3(1283.4), "1280");
        assert_eq!(sig3(12.834), "12.8");
        assert_eq!(sig3(0.012345), "0.0123");
        assert_eq!(sig3(100.2), "100");
    }
}
