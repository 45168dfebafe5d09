//! The patient-day table held compactly: each measurement column in the narrowest encoding that
//! gives back every value EXACTLY (bit for bit the `f64` the loader parsed), decided per column
//! from the values themselves, and decoded into an ordinary [`DayTable`] one patient-aligned
//! chunk at a time for scoring. Scores computed from the chunks are identical to scores computed
//! from the whole `f64` table (the same inputs reach the same code).
//!
//! Encodings ([`Encoded`]), tried narrowest first:
//! - `Dec8` / `Dec16 { k }`: the value times `10^k` is a whole number that fits in `i8` / `i16`
//!   (`k` = 0..=4 decimals) and dividing that integer by `10^k` gives the value back exactly.
//!   The division of two exactly representable numbers is correctly rounded, so it returns the
//!   double nearest the decimal `m / 10^k`, which is what parsing the decimal text gave: every
//!   value written with at most `k` decimals in range qualifies (platelets `94`, INR `1.33`,
//!   temperature `37.1`, urine output `1190`). The flags (`ventilated`, `bleeding`,
//!   `organ_failure`) are `Dec8` with `k = 0` (0/1).
//! - `F32`: the value survives a round trip through `f32` unchanged (whole numbers up to 2^24,
//!   binary fractions such as 0.5 or 0.25); decimal fractions such as 0.1 do not, so they never
//!   become `F32`.
//! - `F64`: anything else.
//!
//! A missing value is `i8::MIN` / `i16::MIN` in the integer encodings and NaN in the float ones;
//! a column with no value at all is `Missing` (no storage). The encoding widens as values arrive
//! (the values so far are re-encoded, at most a few times per column), so a builder can take the
//! rows block by block.
//!
//! Memory: for the simulated registry about 60 bytes per patient-day (`patient` u32, `day` i16
//! and 28 one- or two-byte columns) instead of 232 for [`DayTable`].

use super::tables::DayTable;

/// The measurement columns of [`DayTable`], in its order (after `patient` and `day`).
pub const DAY_VALUE_COLUMNS: [&str; 28] = [
    "platelets",
    "pt_inr",
    "pt_ratio",
    "pt_sec_prolongation",
    "fibrinogen",
    "fdp",
    "d_dimer",
    "antithrombin",
    "tat_x_uln",
    "temperature",
    "heart_rate",
    "resp_rate",
    "paco2",
    "wbc",
    "immature_pct",
    "pao2_fio2",
    "ventilated",
    "map",
    "dopamine",
    "dobutamine",
    "epinephrine",
    "norepinephrine",
    "gcs",
    "bilirubin",
    "creatinine",
    "urine_output",
    "bleeding",
    "organ_failure",
];

fn is_negative_zero(x: f64) -> bool {
    x == 0.0 && x.is_sign_negative()
}

/// Powers of ten of the decimal encodings.
const POW10: [f64; 5] = [1.0, 10.0, 100.0, 1000.0, 10000.0];
const MAX_DECIMALS: u8 = 4;

/// One column's storage.
#[derive(Debug, Clone, PartialEq)]
pub enum Encoded {
    /// Every value missing.
    Missing {
        len: usize,
    },
    /// `value = v / 10^k`; `i8::MIN` = missing.
    Dec8 {
        k: u8,
        v: Vec<i8>,
    },
    /// `value = v / 10^k`; `i16::MIN` = missing.
    Dec16 {
        k: u8,
        v: Vec<i16>,
    },
    /// Exact in `f32`; NaN = missing.
    F32(Vec<f32>),
    F64(Vec<f64>),
}

/// The narrowest class a value fits: (width rank, decimals).
fn class_of(x: f64) -> (u8, u8) {
    if x.is_nan() {
        return (0, 0);
    }
    // -0.0 would come back as 0.0 from an integer: keep it a float.
    let decimals = if is_negative_zero(x) {
        0
    } else {
        MAX_DECIMALS + 1
    };
    for k in 0..decimals {
        let m = (x * POW10[k as usize]).round();
        if m / POW10[k as usize] == x {
            if m.abs() <= 127.0 {
                return (1, k);
            }
            if m.abs() <= 32767.0 {
                return (2, k);
            }
        }
    }
    if (x as f32) as f64 == x {
        (3, 0)
    } else {
        (4, 0)
    }
}

impl Encoded {
    pub fn len(&self) -> usize {
        match self {
            Encoded::Missing { len } => *len,
            Encoded::Dec8 { v, .. } => v.len(),
            Encoded::Dec16 { v, .. } => v.len(),
            Encoded::F32(v) => v.len(),
            Encoded::F64(v) => v.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Bytes of storage per value.
    pub fn width(&self) -> usize {
        match self {
            Encoded::Missing { .. } => 0,
            Encoded::Dec8 { .. } => 1,
            Encoded::Dec16 { .. } => 2,
            Encoded::F32(_) => 4,
            Encoded::F64(_) => 8,
        }
    }

    /// A short name of the encoding, e.g. `i16/10^2`.
    pub fn describe(&self) -> String {
        match self {
            Encoded::Missing { .. } => "all missing".into(),
            Encoded::Dec8 { k, .. } => format!("i8/10^{k}"),
            Encoded::Dec16 { k, .. } => format!("i16/10^{k}"),
            Encoded::F32(_) => "f32".into(),
            Encoded::F64(_) => "f64".into(),
        }
    }

    /// Rank and decimals of the current encoding.
    fn class(&self) -> (u8, u8) {
        match self {
            Encoded::Missing { .. } => (0, 0),
            Encoded::Dec8 { k, .. } => (1, *k),
            Encoded::Dec16 { k, .. } => (2, *k),
            Encoded::F32(_) => (3, 0),
            Encoded::F64(_) => (4, 0),
        }
    }

    /// Value `i`.
    #[inline]
    pub fn get(&self, i: usize) -> f64 {
        match self {
            Encoded::Missing { .. } => f64::NAN,
            Encoded::Dec8 { k, v } => {
                let x = v[i];
                if x == i8::MIN {
                    f64::NAN
                } else {
                    f64::from(x) / POW10[*k as usize]
                }
            }
            Encoded::Dec16 { k, v } => {
                let x = v[i];
                if x == i16::MIN {
                    f64::NAN
                } else {
                    f64::from(x) / POW10[*k as usize]
                }
            }
            Encoded::F32(v) => f64::from(v[i]),
            Encoded::F64(v) => v[i],
        }
    }

    /// Values `[lo, hi)` appended to `out`.
    pub fn decode_into(&self, lo: usize, hi: usize, out: &mut Vec<f64>) {
        match self {
            Encoded::Missing { .. } => out.resize(out.len() + (hi - lo), f64::NAN),
            Encoded::Dec8 { k, v } => {
                let p = POW10[*k as usize];
                out.extend(v[lo..hi].iter().map(|&x| {
                    if x == i8::MIN {
                        f64::NAN
                    } else {
                        f64::from(x) / p
                    }
                }))
            }
            Encoded::Dec16 { k, v } => {
                let p = POW10[*k as usize];
                out.extend(v[lo..hi].iter().map(|&x| {
                    if x == i16::MIN {
                        f64::NAN
                    } else {
                        f64::from(x) / p
                    }
                }))
            }
            Encoded::F32(v) => out.extend(v[lo..hi].iter().map(|&x| f64::from(x))),
            Encoded::F64(v) => out.extend_from_slice(&v[lo..hi]),
        }
    }

    /// An empty column of the given class.
    fn empty_of(class: (u8, u8), cap: usize) -> Encoded {
        match class.0 {
            0 => Encoded::Missing { len: 0 },
            1 => Encoded::Dec8 {
                k: class.1,
                v: Vec::with_capacity(cap),
            },
            2 => Encoded::Dec16 {
                k: class.1,
                v: Vec::with_capacity(cap),
            },
            3 => Encoded::F32(Vec::with_capacity(cap)),
            _ => Encoded::F64(Vec::with_capacity(cap)),
        }
    }

    /// Appends values that fit the current class (checked by the caller).
    fn push_fitting(&mut self, xs: &[f64]) {
        match self {
            Encoded::Missing { len } => *len += xs.len(),
            Encoded::Dec8 { k, v } => {
                let p = POW10[*k as usize];
                v.extend(xs.iter().map(|&x| {
                    if x.is_nan() {
                        i8::MIN
                    } else {
                        (x * p).round() as i8
                    }
                }))
            }
            Encoded::Dec16 { k, v } => {
                let p = POW10[*k as usize];
                v.extend(xs.iter().map(|&x| {
                    if x.is_nan() {
                        i16::MIN
                    } else {
                        (x * p).round() as i16
                    }
                }))
            }
            Encoded::F32(v) => v.extend(xs.iter().map(|&x| x as f32)),
            Encoded::F64(v) => v.extend_from_slice(xs),
        }
    }

    /// Whether `x` is stored exactly by the class `c`.
    fn fits(c: (u8, u8), x: f64) -> bool {
        if x.is_nan() {
            return true;
        }
        match c.0 {
            0 => false,
            1 | 2 if is_negative_zero(x) => false,
            1 | 2 => {
                let m = (x * POW10[c.1 as usize]).round();
                let lim = if c.0 == 1 { 127.0 } else { 32767.0 };
                m / POW10[c.1 as usize] == x && m.abs() <= lim
            }
            3 => (x as f32) as f64 == x,
            _ => true,
        }
    }

    /// The narrowest class holding both `a` and every value of class `b`.
    fn join(a: (u8, u8), b: (u8, u8)) -> (u8, u8) {
        if a.0 == 0 {
            return b;
        }
        if b.0 == 0 {
            return a;
        }
        if a.0 <= 2 && b.0 <= 2 {
            // Decimal classes: the larger k, then the width that holds both scaled ranges is
            // checked on the values when re-encoding (a wider class if not).
            return (a.0.max(b.0), a.1.max(b.1));
        }
        (a.0.max(b.0), 0)
    }

    /// Appends values, widening the encoding as needed (values already stored are re-encoded).
    pub fn extend(&mut self, xs: &[f64]) {
        let mut class = self.class();
        if xs.iter().all(|&x| Self::fits(class, x)) {
            self.push_fitting(xs);
            return;
        }
        for &x in xs {
            if !Self::fits(class, x) {
                class = Self::join(class, class_of(x));
            }
        }
        // The stored values must fit the new class too (a larger k can overflow the width).
        let old: Vec<f64> = {
            let mut v = Vec::with_capacity(self.len());
            self.decode_into(0, self.len(), &mut v);
            v
        };
        while !(old.iter().chain(xs).all(|&x| Self::fits(class, x))) {
            class = match class {
                (1, k) => (2, k),
                (2, _) => (3, 0),
                _ => (4, 0),
            };
        }
        let mut next = Self::empty_of(class, old.len() + xs.len());
        next.push_fitting(&old);
        next.push_fitting(xs);
        *self = next;
    }

    /// Keeps the first `len` values.
    pub fn truncate(&mut self, len: usize) {
        match self {
            Encoded::Missing { len: n } => *n = (*n).min(len),
            Encoded::Dec8 { v, .. } => v.truncate(len),
            Encoded::Dec16 { v, .. } => v.truncate(len),
            Encoded::F32(v) => v.truncate(len),
            Encoded::F64(v) => v.truncate(len),
        }
    }

    /// The values at `idx`, in that order.
    pub fn gather(&self, idx: &[u32]) -> Encoded {
        match self {
            Encoded::Missing { .. } => Encoded::Missing { len: idx.len() },
            Encoded::Dec8 { k, v } => Encoded::Dec8 {
                k: *k,
                v: idx.iter().map(|&i| v[i as usize]).collect(),
            },
            Encoded::Dec16 { k, v } => Encoded::Dec16 {
                k: *k,
                v: idx.iter().map(|&i| v[i as usize]).collect(),
            },
            Encoded::F32(v) => Encoded::F32(idx.iter().map(|&i| v[i as usize]).collect()),
            Encoded::F64(v) => Encoded::F64(idx.iter().map(|&i| v[i as usize]).collect()),
        }
    }

    /// The whole column as `f64`.
    pub fn to_f64(&self) -> Vec<f64> {
        let mut v = Vec::with_capacity(self.len());
        self.decode_into(0, self.len(), &mut v);
        v
    }
}

impl Default for Encoded {
    fn default() -> Self {
        Encoded::Missing { len: 0 }
    }
}

/// The patient-day table, compact (see the module documentation). Rows are sorted by
/// (`patient`, `day`) as in [`DayTable`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CompactDays {
    pub patient: Vec<u32>,
    pub day: Vec<i32>,
    /// In the order of [`DAY_VALUE_COLUMNS`].
    pub columns: Vec<Encoded>,
}

fn flag(v: f64) -> Option<bool> {
    if v.is_nan() {
        None
    } else {
        Some(v != 0.0)
    }
}

impl CompactDays {
    pub fn len(&self) -> usize {
        self.patient.len()
    }

    pub fn is_empty(&self) -> bool {
        self.patient.is_empty()
    }

    /// Bytes held (vectors' lengths, not capacities).
    pub fn bytes(&self) -> usize {
        self.patient.len() * 4
            + self.day.len() * 4
            + self
                .columns
                .iter()
                .map(|c| c.len() * c.width())
                .sum::<usize>()
    }

    /// The encoding of each column, for `-v` output and the documentation.
    pub fn encodings(&self) -> Vec<(&'static str, String)> {
        DAY_VALUE_COLUMNS
            .iter()
            .zip(&self.columns)
            .map(|(n, c)| (*n, c.describe()))
            .collect()
    }

    /// Rows `[lo, hi)` as a [`DayTable`], with `patient` lowered by `base` (the chunk's first
    /// patient), every value decoded exactly.
    pub fn chunk(&self, lo: usize, hi: usize, base: u32) -> DayTable {
        let col = |name: &str| -> Vec<f64> {
            let i = DAY_VALUE_COLUMNS
                .iter()
                .position(|c| *c == name)
                .expect("a day column");
            let mut v = Vec::with_capacity(hi - lo);
            match self.columns.get(i) {
                Some(c) => c.decode_into(lo, hi, &mut v),
                None => v.resize(hi - lo, f64::NAN),
            }
            v
        };
        let flags = |name: &str| -> Vec<Option<bool>> { col(name).into_iter().map(flag).collect() };
        DayTable {
            patient: self.patient[lo..hi].iter().map(|&p| p - base).collect(),
            day: self.day[lo..hi].to_vec(),
            platelets: col("platelets"),
            pt_inr: col("pt_inr"),
            pt_ratio: col("pt_ratio"),
            pt_sec_prolongation: col("pt_sec_prolongation"),
            fibrinogen: col("fibrinogen"),
            fdp: col("fdp"),
            d_dimer: col("d_dimer"),
            antithrombin: col("antithrombin"),
            tat_x_uln: col("tat_x_uln"),
            temperature: col("temperature"),
            heart_rate: col("heart_rate"),
            resp_rate: col("resp_rate"),
            paco2: col("paco2"),
            wbc: col("wbc"),
            immature_pct: col("immature_pct"),
            pao2_fio2: col("pao2_fio2"),
            ventilated: flags("ventilated"),
            map: col("map"),
            dopamine: col("dopamine"),
            dobutamine: col("dobutamine"),
            epinephrine: col("epinephrine"),
            norepinephrine: col("norepinephrine"),
            gcs: col("gcs"),
            bilirubin: col("bilirubin"),
            creatinine: col("creatinine"),
            urine_output: col("urine_output"),
            bleeding: flags("bleeding"),
            organ_failure: flags("organ_failure"),
        }
    }

    /// The whole table as a [`DayTable`].
    pub fn to_table(&self) -> DayTable {
        self.chunk(0, self.len(), 0)
    }

    /// Chunks of about `rows` rows, each holding whole patients: `(first row, end row, first
    /// patient, end patient)`, the patients `[first, end)` covering every patient index from 0 to
    /// `n_patients` (patients without rows included, in the chunk whose range holds them).
    pub fn patient_chunks(&self, rows: usize, n_patients: usize) -> Vec<(usize, usize, u32, u32)> {
        let n = self.len();
        let mut out = Vec::new();
        let mut lo = 0;
        let mut p_lo = 0u32;
        while lo < n {
            let mut hi = (lo + rows.max(1)).min(n);
            while hi < n && self.patient[hi] == self.patient[hi - 1] {
                hi += 1;
            }
            let p_hi = if hi < n {
                self.patient[hi]
            } else {
                n_patients as u32
            };
            out.push((lo, hi, p_lo, p_hi));
            lo = hi;
            p_lo = p_hi;
        }
        if out.is_empty() || p_lo < n_patients as u32 {
            out.push((n, n, p_lo, n_patients as u32));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(xs: &[f64]) -> Encoded {
        let mut e = Encoded::default();
        // in two blocks, as the loader appends them
        let (a, b) = xs.split_at(xs.len() / 2);
        e.extend(a);
        e.extend(b);
        let back = e.to_f64();
        for (x, y) in xs.iter().zip(&back) {
            assert!(
                x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan()),
                "{x} -> {y} in {}",
                e.describe()
            );
        }
        e
    }

    #[test]
    fn encodings_give_every_value_back_exactly() {
        let parse = |s: &str| s.parse::<f64>().unwrap();
        assert_eq!(round_trip(&[0.0, 1.0, f64::NAN, 1.0]).describe(), "i8/10^0");
        assert_eq!(round_trip(&[94.0, 1190.0, f64::NAN]).describe(), "i16/10^0");
        let inr: Vec<f64> = ["1.33", "0.9", "19.99", "1"]
            .iter()
            .map(|s| parse(s))
            .collect();
        assert_eq!(round_trip(&inr).describe(), "i16/10^2");
        let t: Vec<f64> = ["37.1", "36.7", "41.3"].iter().map(|s| parse(s)).collect();
        assert_eq!(round_trip(&t).describe(), "i16/10^1");
        // a value with more decimals than fit widens the column, never rounds it
        let v = [parse("0.1"), parse("12345.6789"), 3.0];
        assert_eq!(round_trip(&v).describe(), "f64");
        assert_eq!(round_trip(&[0.5, 1.0e6, 0.25]).describe(), "f32");
        assert_eq!(round_trip(&[1.0, -0.0]).describe(), "f32");
        assert_eq!(round_trip(&[0.1 + 0.2, 1.0]).describe(), "f64");
        assert_eq!(round_trip(&[f64::NAN, f64::NAN]).describe(), "all missing");
        // widening from i8 to i16 when a later block holds a larger value
        let mut e = Encoded::default();
        e.extend(&[1.0, 2.0]);
        e.extend(&[parse("2.55"), 300.0]);
        assert_eq!(e.describe(), "i16/10^2");
        assert_eq!(e.to_f64(), vec![1.0, 2.0, parse("2.55"), 300.0]);
    }

    #[test]
    fn chunks_hold_whole_patients_and_every_patient() {
        let days = CompactDays {
            patient: vec![0, 0, 2, 2, 2, 3],
            day: vec![1, 2, 1, 2, 3, 1],
            columns: vec![Encoded::Missing { len: 6 }; 28],
        };
        let c = days.patient_chunks(3, 5);
        assert_eq!(c, vec![(0, 5, 0, 3), (5, 6, 3, 5)]);
        let t = days.chunk(5, 6, 3);
        assert_eq!(t.patient, vec![0]);
        assert_eq!(t.platelets.len(), 1);
        assert_eq!(
            CompactDays::default().patient_chunks(10, 2),
            vec![(0, 0, 0, 2)]
        );
    }
}
