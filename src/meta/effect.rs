//! Effect sizes from 2x2 counts, as metafor 3.8 `escalc(measure = "RR" | "OR" | "RD")`.
//!
//! A trial is a [`TwoByTwo`] of the statistics layer (`a` deaths and `b` survivors on treatment,
//! `c` and `d` on control); the study-level estimate and its standard error are the Wald
//! measures of `stats::twobytwo` ([`risk_ratio_wald`], [`odds_ratio_wald`],
//! [`risk_difference_wald`]), so the formulas live in one place. What is metafor's own here is
//! the zero-cell rule (`add`, `to`, `drop00`) and the log scale of `yi`.

use serde::Serialize;

use crate::stats::twobytwo::{odds_ratio_wald, risk_difference_wald, risk_ratio_wald, TwoByTwo};

use super::{MetaError, Method};

/// The effect measure of a comparison of two proportions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Measure {
    /// Log risk ratio (`escalc(measure = "RR")`).
    RR,
    /// Log odds ratio (`escalc(measure = "OR")`).
    OR,
    /// Risk difference (`escalc(measure = "RD")`, `vtype = "LS"`).
    RD,
}

impl Measure {
    /// Ratio measures are pooled on the log scale and reported exponentiated.
    pub fn is_ratio(self) -> bool {
        matches!(self, Measure::RR | Measure::OR)
    }

    pub fn name(self) -> &'static str {
        match self {
            Measure::RR => "RR",
            Measure::OR => "OR",
            Measure::RD => "RD",
        }
    }
}

impl std::str::FromStr for Measure {
    type Err = MetaError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_uppercase().as_str() {
            "RR" => Ok(Measure::RR),
            "OR" => Ok(Measure::OR),
            "RD" => Ok(Measure::RD),
            _ => Err(MetaError::InvalidInput(format!(
                "unknown measure `{s}` (expected RR, OR or RD)"
            ))),
        }
    }
}

/// One trial's table from its arm counts (metafor `ai`, `n1i`, `ci`, `n2i`):
/// `a = events_treated`, `b = total_treated - events_treated`, `c = events_control`,
/// `d = total_control - events_control`. Counts are checked by [`validate_table`].
pub fn trial_table(
    events_treated: f64,
    total_treated: f64,
    events_control: f64,
    total_control: f64,
) -> TwoByTwo {
    TwoByTwo {
        a: events_treated,
        b: total_treated - events_treated,
        c: events_control,
        d: total_control - events_control,
    }
}

/// Events and totals of the two arms: `(events_treated, total_treated, events_control,
/// total_control)`.
pub fn arm_counts(t: &TwoByTwo) -> (f64, f64, f64, f64) {
    (t.a, t.a + t.b, t.c, t.c + t.d)
}

/// No events in either arm, or only events in both (`drop00` in metafor).
pub fn is_double_zero(t: &TwoByTwo) -> bool {
    (t.a == 0.0 && t.c == 0.0) || (t.b == 0.0 && t.d == 0.0)
}

/// Some cell is 0 (the studies `to = "only0"` corrects).
pub fn has_zero_cell(t: &TwoByTwo) -> bool {
    t.a == 0.0 || t.b == 0.0 || t.c == 0.0 || t.d == 0.0
}

/// Checks a trial's counts: finite, whole, non-negative, events <= patients, no empty arm.
/// `study` is 0-based; the error names the input column (`events_treated`, ...).
///
/// # Errors
/// [`MetaError::InvalidCounts`] naming the first offending column.
pub fn validate_table(t: &TwoByTwo, study: usize) -> Result<(), MetaError> {
    let (e1, n1, e2, n2) = arm_counts(t);
    let bad = |column: &'static str, message: String| MetaError::InvalidCounts {
        study: study + 1,
        column,
        message,
    };
    for (name, v) in [
        ("events_treated", e1),
        ("total_treated", n1),
        ("events_control", e2),
        ("total_control", n2),
    ] {
        if !v.is_finite() {
            return Err(bad(name, "missing or not a number".into()));
        }
        if v < 0.0 || v.fract() != 0.0 {
            return Err(bad(name, format!("{v} is not a non-negative whole number")));
        }
    }
    if t.b < 0.0 {
        return Err(bad("events_treated", "more events than patients".into()));
    }
    if t.d < 0.0 {
        return Err(bad("events_control", "more events than patients".into()));
    }
    if n1 == 0.0 {
        return Err(bad("total_treated", "an arm without patients".into()));
    }
    if n2 == 0.0 {
        return Err(bad("total_control", "an arm without patients".into()));
    }
    Ok(())
}

/// Which studies receive the continuity correction `add` (metafor's `to`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum AddTo {
    /// Only studies with a zero cell (`to = "only0"`, metafor's default).
    OnlyZero,
    /// Every study (`to = "all"`).
    All,
    /// Every study if any study has a zero cell (`to = "if0all"`).
    IfAnyZeroAll,
    /// No correction (`to = "none"`).
    None,
}

/// What to do with double-zero studies (no events, or only events, in both arms).
///
/// metafor 3.8-1's defaults (the signatures of the installed functions, and `?escalc`,
/// `?rma.mh`): `escalc()` and `rma.uni()` have `drop00 = FALSE`, so a double-zero study is
/// **kept** with 1/2 added to its cells; `rma.mh()` and `rma.peto()` have `drop00 = TRUE`, so
/// its study-level effect (used for Q and I^2) is **dropped**, while the pooled MH / Peto
/// estimate is computed from all tables (a double-zero table adds nothing to a pooled ratio).
/// The Cochrane Handbook (5.1, section 16.9.3) excludes such studies from meta-analyses of odds
/// and risk ratios: that is [`DoubleZero::Drop`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DoubleZero {
    /// Keep them, corrected by the zero-cell rule (`drop00 = FALSE`).
    Keep,
    /// Drop them (`drop00 = TRUE`).
    Drop,
}

impl DoubleZero {
    /// metafor's default for a pooling method (see the type's docs).
    pub fn metafor_default(method: Method) -> Self {
        match method {
            Method::MH | Method::Peto => DoubleZero::Drop,
            _ => DoubleZero::Keep,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            DoubleZero::Keep => "keep",
            DoubleZero::Drop => "drop",
        }
    }

    /// Where the rule comes from, for the output: metafor's default for `method`, or the
    /// Cochrane Handbook's rule, or the user's choice against metafor's default.
    pub fn source(self, method: Method) -> String {
        let default = DoubleZero::metafor_default(method);
        let function = match method {
            Method::MH => "rma.mh()",
            Method::Peto => "rma.peto()",
            _ => "escalc() / rma.uni()",
        };
        let drop00 = if default == DoubleZero::Drop {
            "TRUE"
        } else {
            "FALSE"
        };
        if self == default {
            format!("the default of metafor 3.8 {function} (drop00 = {drop00})")
        } else if self == DoubleZero::Drop {
            format!(
                "chosen (--double-zero drop, as the Cochrane Handbook 5.1 section 16.9.3 for \
                 ratio measures); metafor's {function} default is drop00 = {drop00}"
            )
        } else {
            format!(
                "chosen (--double-zero keep); metafor's {function} default is drop00 = {drop00}"
            )
        }
    }
}

impl std::str::FromStr for DoubleZero {
    type Err = MetaError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "keep" => Ok(DoubleZero::Keep),
            "drop" => Ok(DoubleZero::Drop),
            _ => Err(MetaError::InvalidInput(format!(
                "unknown double-zero rule `{s}` (expected keep or drop)"
            ))),
        }
    }
}

/// Zero-cell handling of `escalc`: add `add` to all four cells of the studies chosen by `to`;
/// with `drop00`, studies with no events (or only events) in both arms are left out.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ZeroCellRule {
    pub add: f64,
    pub to: AddTo,
    pub drop00: bool,
}

impl ZeroCellRule {
    /// `add = 1/2, to = "only0"` (metafor's default) with the double-zero rule given.
    pub fn with_double_zero(double_zero: DoubleZero) -> Self {
        ZeroCellRule {
            add: 0.5,
            to: AddTo::OnlyZero,
            drop00: double_zero == DoubleZero::Drop,
        }
    }

    /// metafor's defaults for a method: `add = 1/2, to = "only0"` and
    /// [`DoubleZero::metafor_default`].
    pub fn metafor_default(method: Method) -> Self {
        ZeroCellRule::with_double_zero(DoubleZero::metafor_default(method))
    }

    /// Human-readable description, e.g. for the output of the CLI.
    pub fn describe(&self) -> String {
        let to = match self.to {
            AddTo::OnlyZero => "only0",
            AddTo::All => "all",
            AddTo::IfAnyZeroAll => "if0all",
            AddTo::None => "none",
        };
        format!(
            "add = {} to all cells (to = \"{}\"), drop00 = {}",
            self.add,
            to,
            if self.drop00 { "TRUE" } else { "FALSE" }
        )
    }
}

/// Study-level effect sizes `yi` and sampling variances `vi` of the studies kept.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EffectSizes {
    pub measure: Measure,
    pub rule: ZeroCellRule,
    /// Index (0-based, into the input tables) of each kept study.
    pub study: Vec<usize>,
    pub yi: Vec<f64>,
    pub vi: Vec<f64>,
    /// Whether the continuity correction was added to that study's cells.
    pub corrected: Vec<bool>,
    /// Indices of double-zero studies dropped (`drop00`).
    pub dropped_double_zero: Vec<usize>,
}

/// metafor `escalc(measure, ai, n1i = , ci, n2i = , add, to, drop00, vtype = "LS")`.
///
/// # Formula
/// With the cells `a, b, c, d` after the correction, `n1 = a + b`, `n2 = c + d`:
/// - RR: `yi = log((a / n1) / (c / n2))`, `vi = 1/a - 1/n1 + 1/c - 1/n2`;
/// - OR: `yi = log((a d) / (b c))`, `vi = 1/a + 1/b + 1/c + 1/d`;
/// - RD: `yi = a / n1 - c / n2`, `vi = p1 (1 - p1) / n1 + p2 (1 - p2) / n2`.
///
/// `vi` is the square of the Wald standard error of `stats::twobytwo`.
///
/// # Errors
/// [`MetaError::InvalidCounts`] for a table that fails [`validate_table`].
pub fn escalc(
    measure: Measure,
    tables: &[TwoByTwo],
    rule: ZeroCellRule,
) -> Result<EffectSizes, MetaError> {
    for (i, t) in tables.iter().enumerate() {
        validate_table(t, i)?;
    }
    let mut out = EffectSizes {
        measure,
        rule,
        study: Vec::new(),
        yi: Vec::new(),
        vi: Vec::new(),
        corrected: Vec::new(),
        dropped_double_zero: Vec::new(),
    };
    let kept: Vec<usize> = (0..tables.len())
        .filter(|&i| !(rule.drop00 && is_double_zero(&tables[i])))
        .collect();
    out.dropped_double_zero = (0..tables.len()).filter(|i| !kept.contains(i)).collect();
    // metafor evaluates `if0all` on the studies left after drop00 (their cells are NA).
    let any_zero = kept.iter().any(|&i| has_zero_cell(&tables[i]));
    for &i in &kept {
        let t = tables[i];
        let correct = match rule.to {
            AddTo::OnlyZero => has_zero_cell(&t),
            AddTo::All => true,
            AddTo::IfAnyZeroAll => any_zero,
            AddTo::None => false,
        };
        let u = if correct {
            TwoByTwo {
                a: t.a + rule.add,
                b: t.b + rule.add,
                c: t.c + rule.add,
                d: t.d + rule.add,
            }
        } else {
            t
        };
        // Only the estimate and its standard error are used (the interval's z is irrelevant).
        let (y, se) = match measure {
            Measure::RR => {
                let e = risk_ratio_wald(&u, 0.0);
                (e.estimate.ln(), e.se)
            }
            Measure::OR => {
                let e = odds_ratio_wald(&u, 0.0);
                (e.estimate.ln(), e.se)
            }
            Measure::RD => {
                let e = risk_difference_wald(&u, 0.0);
                (e.estimate, e.se)
            }
        };
        out.study.push(i);
        out.yi.push(y);
        out.vi.push(se * se);
        out.corrected.push(correct);
    }
    Ok(out)
}
