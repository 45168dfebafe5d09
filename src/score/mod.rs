//! `score` layer: the clinical scores of `scoring-rules.md`, each a pure function over one typed
//! patient-day, a parallel pass over a whole [`DayTable`](crate::schema::DayTable), and the
//! patient-level labels (DIC on day 1, in days 1-3, first DIC day, coagulation groups) and
//! concordance tables built from the daily scores.
//!
//! Missing data are never scored as 0: every item is an interval of points ([`Points`]); a total
//! is [`Score::Complete`] when every item is known and [`Score::Partial`] otherwise, and a
//! diagnostic score is [`Dx::Positive`] / [`Dx::Negative`] only when every possible value of the
//! missing items gives that answer, else [`Dx::Indeterminate`].
//!
//! Sources (one per file): SIRS (Bone RC et al., ACCP/SCCM consensus, Chest 1992), SOFA (Vincent JL
//! et al., Intensive Care Med 1996;22:707-710), JAAM (Gando S et al., Crit Care Med
//! 2006;34:625-631), JAAM-2 (Yamakawa K et al., Thromb Haemost 2024;124:1003-1012), ISTH overt DIC
//! (Taylor FB Jr et al., Thromb Haemost 2001;86:1327-1330), SIC (Iba T et al., BMJ Open
//! 2017;7:e017046), JMHW (Kobayashi N et al., Bibl Haematol 1983;49:265-275), JSTH 2017 (Asakura H
//! et al., Thromb J 2017;15:17, Table 1).

pub mod config;
pub mod engine;
pub mod fall;
pub mod isth_overt;
pub mod jaam;
pub mod jaam2;
pub mod jmhw;
pub mod jsth;
pub mod labels;
pub mod sic;
pub mod sirs;
pub mod sofa;
pub mod units;

pub use config::{AlternativeCriteria, FallReference, IsthMarker, JaamFall50, ScoreConfig};
pub use engine::{score_days, ScoreColumns, ScoreTable};
pub use fall::PlateletFall;

use serde::{Deserialize, Serialize};
use std::fmt;

/// Errors of the scoring layer.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ScoreError {
    #[error("unknown score `{0}` (expected one of sirs, sofa, sofa4, jaam, jaam2, isth, sic, jmhw, jsth)")]
    UnknownScore(String),
    #[error("score `{0}` is not diagnostic (no positive/negative decision)")]
    NotDiagnostic(&'static str),
    #[error("score `{0}` was not computed in this score table")]
    NotComputed(&'static str),
    #[error("day table refers to patient row {patient} but the patient table has {n} rows")]
    PatientOutOfRange { patient: u32, n: usize },
    #[error("day table column `{column}` has {len} rows, expected {expected}")]
    ColumnLength {
        column: &'static str,
        len: usize,
        expected: usize,
    },
    #[error("invalid option: {0}")]
    InvalidOption(String),
}

/// The bounds of an item's (or a total's) points: `min == max` when known. A missing input makes
/// the item span every value it could take given the inputs that are known.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct Points {
    pub min: i8,
    pub max: i8,
}

impl Points {
    /// Known points.
    #[inline(always)]
    pub const fn exact(p: i8) -> Self {
        Points { min: p, max: p }
    }
    #[inline(always)]
    pub const fn range(min: i8, max: i8) -> Self {
        Points { min, max }
    }
    #[inline(always)]
    pub const fn is_known(self) -> bool {
        self.min == self.max
    }
    /// The item is the larger of two criteria (e.g. platelet count or platelet fall).
    #[inline(always)]
    pub fn max_of(self, o: Points) -> Points {
        Points {
            min: self.min.max(o.min),
            max: self.max.max(o.max),
        }
    }
    /// Points capped at `c` (e.g. SIC's SOFA-4 item: 2 for a SOFA-4 of 2 or more).
    #[inline(always)]
    pub fn cap(self, c: i8) -> Points {
        Points {
            min: self.min.min(c),
            max: self.max.min(c),
        }
    }
    /// Whether a total reaching `threshold` is certain, impossible or undecided.
    #[inline(always)]
    pub fn dx_at_least(self, threshold: i8) -> Dx {
        Dx::from_bounds(self.min >= threshold, self.max >= threshold)
    }
    /// The public result form.
    pub fn score(self, missing: Vec<&'static str>) -> Score {
        if self.is_known() {
            Score::Complete(self.min)
        } else {
            Score::Partial {
                min: self.min,
                max: self.max,
                missing,
            }
        }
    }
}

impl std::ops::Add for Points {
    type Output = Points;
    #[inline(always)]
    fn add(self, o: Points) -> Points {
        Points {
            min: self.min + o.min,
            max: self.max + o.max,
        }
    }
}

/// A total score: complete, or the bounds over every value of the missing items.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum Score {
    Complete(i8),
    Partial {
        min: i8,
        max: i8,
        missing: Vec<&'static str>,
    },
}

impl Score {
    pub fn min(&self) -> i8 {
        match self {
            Score::Complete(p) => *p,
            Score::Partial { min, .. } => *min,
        }
    }
    pub fn max(&self) -> i8 {
        match self {
            Score::Complete(p) => *p,
            Score::Partial { max, .. } => *max,
        }
    }
}

/// The diagnosis of a diagnostic score, decided from the bounds: positive (or negative) only when
/// every possible value of the missing items gives that answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[repr(u8)]
pub enum Dx {
    Negative = 0,
    Positive = 1,
    Indeterminate = 2,
}

impl Dx {
    /// From "positive at the lowest possible value" and "positive at the highest possible value"
    /// of a monotone criterion.
    #[inline(always)]
    pub fn from_bounds(pos_at_min: bool, pos_at_max: bool) -> Dx {
        if pos_at_min {
            Dx::Positive
        } else if pos_at_max {
            Dx::Indeterminate
        } else {
            Dx::Negative
        }
    }
    pub const fn as_str(self) -> &'static str {
        match self {
            Dx::Negative => "negative",
            Dx::Positive => "positive",
            Dx::Indeterminate => "indeterminate",
        }
    }
    /// Both `a` and `b` must hold (e.g. JMHW with unknown haematological malignancy: positive
    /// only if positive under both readings).
    #[inline(always)]
    pub fn both(a: Dx, b: Dx) -> Dx {
        if a == b {
            a
        } else {
            Dx::Indeterminate
        }
    }
}

impl fmt::Display for Dx {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The scores of the CLI contract, in contract order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ScoreName {
    Sirs,
    Sofa,
    Sofa4,
    Jaam,
    Jaam2,
    Isth,
    Sic,
    Jmhw,
    Jsth,
}

impl ScoreName {
    pub const ALL: [ScoreName; 9] = [
        ScoreName::Sirs,
        ScoreName::Sofa,
        ScoreName::Sofa4,
        ScoreName::Jaam,
        ScoreName::Jaam2,
        ScoreName::Isth,
        ScoreName::Sic,
        ScoreName::Jmhw,
        ScoreName::Jsth,
    ];
    pub const fn as_str(self) -> &'static str {
        match self {
            ScoreName::Sirs => "sirs",
            ScoreName::Sofa => "sofa",
            ScoreName::Sofa4 => "sofa4",
            ScoreName::Jaam => "jaam",
            ScoreName::Jaam2 => "jaam2",
            ScoreName::Isth => "isth",
            ScoreName::Sic => "sic",
            ScoreName::Jmhw => "jmhw",
            ScoreName::Jsth => "jsth",
        }
    }
    /// Diagnostic scores have an `S_dx` column.
    pub const fn is_diagnostic(self) -> bool {
        !matches!(self, ScoreName::Sirs | ScoreName::Sofa | ScoreName::Sofa4)
    }
    /// Parse a comma-separated list (`sirs,jaam,...`); duplicates removed, contract order kept.
    pub fn parse_list(s: &str) -> Result<Vec<ScoreName>, ScoreError> {
        let mut out = Vec::new();
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let n: ScoreName = part.parse()?;
            if !out.contains(&n) {
                out.push(n);
            }
        }
        out.sort();
        Ok(out)
    }
}

impl std::str::FromStr for ScoreName {
    type Err = ScoreError;
    fn from_str(s: &str) -> Result<Self, ScoreError> {
        ScoreName::ALL
            .into_iter()
            .find(|n| n.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| ScoreError::UnknownScore(s.to_string()))
    }
}

impl fmt::Display for ScoreName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

// ---- item helpers (branch-free: comparisons with NaN are false, so a missing value scores the
// lowest class in `p`, and `measured` widens it to the item's full range) ----

/// Points of a measured item: the class points `p` if `x` is known, else `[lo, hi]`.
#[inline(always)]
pub(crate) fn measured(x: f64, p: i8, lo: i8, hi: i8) -> Points {
    let m = x.is_nan();
    Points {
        min: if m { lo } else { p },
        max: if m { hi } else { p },
    }
}

/// A yes/no criterion worth `pts` when true; unknown when `x` is missing.
#[inline(always)]
pub(crate) fn criterion(known: bool, holds: bool, pts: i8) -> Points {
    let p = if holds { pts } else { 0 };
    Points {
        min: if known { p } else { 0 },
        max: if known { p } else { pts },
    }
}

/// An item from a recorded flag: `Some(true)` scores `pts`, `Some(false)` 0, `None` `[0, pts]`
/// (or `[pts, 0]` ordered when `pts` is negative).
#[inline(always)]
pub(crate) fn flag(f: Option<bool>, pts: i8) -> Points {
    // Written as selects (no branches): flags are unpredictable in real data.
    let known = f.is_some();
    let p = if f == Some(true) { pts } else { 0 };
    Points {
        min: if known { p } else { pts.min(0) },
        max: if known { p } else { pts.max(0) },
    }
}

/// Names of the items whose points are not known.
pub(crate) fn missing_items(items: &[(&'static str, Points)]) -> Vec<&'static str> {
    items
        .iter()
        .filter(|(_, p)| !p.is_known())
        .map(|(n, _)| *n)
        .collect()
}
