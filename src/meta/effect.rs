//! Effect sizes from 2x2 counts, as metafor `escalc(measure = "RR" | "OR" | "RD")`.

use serde::Serialize;

use super::MetaError;

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

/// One study's 2x2 table: events and totals in the treated and control arms
/// (metafor `ai`, `n1i`, `ci`, `n2i`; `bi = n1i - ai`, `di = n2i - ci`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Table2x2 {
    pub events_treated: f64,
    pub total_treated: f64,
    pub events_control: f64,
    pub total_control: f64,
}

impl Table2x2 {
    pub fn new(
        events_treated: f64,
        total_treated: f64,
        events_control: f64,
        total_control: f64,
    ) -> Self {
        Table2x2 {
            events_treated,
            total_treated,
            events_control,
            total_control,
        }
    }

    /// Cells `(ai, bi, ci, di)`.
    pub fn cells(&self) -> (f64, f64, f64, f64) {
        (
            self.events_treated,
            self.total_treated - self.events_treated,
            self.events_control,
            self.total_control - self.events_control,
        )
    }

    /// No events in either arm, or only events in both (`drop00` in metafor).
    pub fn is_double_zero(&self) -> bool {
        let (a, b, c, d) = self.cells();
        (a == 0.0 && c == 0.0) || (b == 0.0 && d == 0.0)
    }

    pub fn has_zero_cell(&self) -> bool {
        let (a, b, c, d) = self.cells();
        a == 0.0 || b == 0.0 || c == 0.0 || d == 0.0
    }

    /// Checks counts are finite, whole, non-negative and events <= totals; `study` is 0-based.
    pub fn validate(&self, study: usize) -> Result<(), MetaError> {
        let vals = [
            ("events_treated", self.events_treated),
            ("total_treated", self.total_treated),
            ("events_control", self.events_control),
            ("total_control", self.total_control),
        ];
        for (name, v) in vals {
            if !v.is_finite() {
                return Err(MetaError::InvalidCounts {
                    study: study + 1,
                    column: name,
                    message: "missing or not a number".into(),
                });
            }
            if v < 0.0 || v.fract() != 0.0 {
                return Err(MetaError::InvalidCounts {
                    study: study + 1,
                    column: name,
                    message: format!("{v} is not a non-negative whole number"),
                });
            }
        }
        if self.events_treated > self.total_treated {
            return Err(MetaError::InvalidCounts {
                study: study + 1,
                column: "events_treated",
                message: "more events than patients".into(),
            });
        }
        if self.events_control > self.total_control {
            return Err(MetaError::InvalidCounts {
                study: study + 1,
                column: "events_control",
                message: "more events than patients".into(),
            });
        }
        if self.total_treated == 0.0 || self.total_control == 0.0 {
            let column = if self.total_treated == 0.0 {
                "total_treated"
            } else {
                "total_control"
            };
            return Err(MetaError::InvalidCounts {
                study: study + 1,
                column,
                message: "an arm without patients".into(),
            });
        }
        Ok(())
    }
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

/// Zero-cell handling of `escalc`: add `add` to all four cells of the studies chosen by `to`;
/// with `drop00`, studies with no events (or only events) in both arms are left out.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ZeroCellRule {
    pub add: f64,
    pub to: AddTo,
    pub drop00: bool,
}

impl ZeroCellRule {
    /// metafor's choice: `add = 1/2, to = "only0"`, and double-zero studies dropped for the ratio
    /// measures (`drop00 = TRUE`, the default of `rma.mh`/`rma.peto`; `escalc` itself keeps them
    /// unless asked). A double-zero study carries no information on a ratio but does on RD.
    pub fn metafor_default(measure: Measure) -> Self {
        ZeroCellRule {
            add: 0.5,
            to: AddTo::OnlyZero,
            drop00: measure.is_ratio(),
        }
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
pub fn escalc(
    measure: Measure,
    tables: &[Table2x2],
    rule: ZeroCellRule,
) -> Result<EffectSizes, MetaError> {
    for (i, t) in tables.iter().enumerate() {
        t.validate(i)?;
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
        .filter(|&i| !(rule.drop00 && tables[i].is_double_zero()))
        .collect();
    out.dropped_double_zero = (0..tables.len()).filter(|i| !kept.contains(i)).collect();
    // metafor evaluates `if0all` on the studies left after drop00 (their cells are NA).
    let any_zero = kept.iter().any(|&i| tables[i].has_zero_cell());
    for &i in &kept {
        let t = tables[i];
        let (mut a, mut b, mut c, mut d) = t.cells();
        let correct = match rule.to {
            AddTo::OnlyZero => t.has_zero_cell(),
            AddTo::All => true,
            AddTo::IfAnyZeroAll => any_zero,
            AddTo::None => false,
        };
        if correct {
            a += rule.add;
            b += rule.add;
            c += rule.add;
            d += rule.add;
        }
        let n1 = a + b;
        let n2 = c + d;
        let p1 = a / n1;
        let p2 = c / n2;
        let (y, v) = match measure {
            Measure::RR => (p1.ln() - p2.ln(), 1.0 / a - 1.0 / n1 + 1.0 / c - 1.0 / n2),
            Measure::OR => (
                (p1 / (1.0 - p1)).ln() - (p2 / (1.0 - p2)).ln(),
                1.0 / a + 1.0 / b + 1.0 / c + 1.0 / d,
            ),
            Measure::RD => (p1 - p2, p1 * (1.0 - p1) / n1 + p2 * (1.0 - p2) / n2),
        };
        out.study.push(i);
        out.yi.push(y);
        out.vi.push(v);
        out.corrected.push(correct);
    }
    Ok(out)
}
