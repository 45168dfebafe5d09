//! Parsing one cell against its column's schema: missing-value tokens, type, unit conversion
//! (exact for powers of ten), range, allowed values, flags.

use super::*;

/// A unit conversion applied to a source cell: canonical = source * factor.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Conv {
    pub factor: f64,
    pub from_unit: String,
}

/// A parsed cell: numbers, integers and booleans as f64 (NaN = missing; booleans 0/1), text as
/// an optional string.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Parsed {
    Num(f64),
    Text(Option<String>),
}

pub(crate) fn is_missing_token(t: &str) -> bool {
    matches!(t, "" | "NA" | "NaN" | "nan" | "null" | "NULL")
}

/// A cell as shown in a message: control characters (a NUL, a tab) escaped so they are seen.
pub(super) fn show_cell(t: &str) -> String {
    if t.chars().any(char::is_control) {
        t.escape_debug().to_string()
    } else {
        t.to_string()
    }
}

/// ` {unit}` or nothing.
pub(super) fn with_unit(unit: &str) -> String {
    if unit.is_empty() {
        String::new()
    } else {
        format!(" {unit}")
    }
}

/// Parses one cell against its column spec. `column` is the source column named in messages.
pub(crate) fn parse_cell(
    spec: &ColumnSpec,
    text: Option<&str>,
    conv: Option<&Conv>,
) -> Result<Parsed, (ProblemKind, String)> {
    let t = text.map(str::trim).filter(|t| !is_missing_token(t));
    let Some(t) = t else {
        if !spec.nullable {
            return Err((
                ProblemKind::MissingValue,
                format!("missing value: `{}` is required", spec.name),
            ));
        }
        return Ok(match spec.ty {
            ColumnType::String { .. } => Parsed::Text(None),
            _ => Parsed::Num(f64::NAN),
        });
    };
    let unit = spec.unit.as_deref().unwrap_or("");
    let u = with_unit(unit);
    let shown_t = show_cell(t);
    match &spec.ty {
        ColumnType::String { allowed } => {
            if let Some(allowed) = allowed {
                if !allowed.iter().any(|a| a == t) {
                    return Err((
                        ProblemKind::NotAllowed,
                        format!("`{shown_t}` is not one of {}", allowed.join(", ")),
                    ));
                }
            }
            Ok(Parsed::Text(Some(t.to_string())))
        }
        ColumnType::Boolean => match parse_bool(t) {
            Some(b) => Ok(Parsed::Num(if b { 1.0 } else { 0.0 })),
            None => Err((
                ProblemKind::WrongType,
                format!("`{shown_t}` is not a boolean (true/false, 1/0, yes/no)"),
            )),
        },
        ColumnType::Number | ColumnType::Integer => {
            let expected = if unit.is_empty() {
                spec.name.clone()
            } else {
                format!("{}, {unit}", spec.name)
            };
            let raw = match t.parse::<f64>() {
                Ok(v) if v.is_finite() => v,
                Ok(_)
                    if t.trim_start_matches(['+', '-'])
                        .chars()
                        .all(|c| c.is_alphabetic()) =>
                {
                    return Err((
                        ProblemKind::WrongType,
                        format!("`{shown_t}` is not a finite number ({expected} expected)"),
                    ))
                }
                Ok(_) => {
                    return Err((
                        ProblemKind::WrongType,
                        format!(
                            "`{shown_t}` is too large: it overflows a 64-bit number ({expected} \
                             expected)"
                        ),
                    ))
                }
                Err(_) => {
                    return Err((
                        ProblemKind::WrongType,
                        format!("`{shown_t}` is not a number ({expected} expected)"),
                    ))
                }
            };
            if spec.ty == ColumnType::Integer && raw.fract() != 0.0 {
                return Err((
                    ProblemKind::WrongType,
                    format!("`{shown_t}` is not a whole number"),
                ));
            }
            let v = match conv {
                Some(c) if c.factor != 1.0 => scale_decimal(t, raw, c.factor),
                _ => raw,
            };
            let shown = || match conv {
                Some(c) if c.factor != 1.0 => {
                    format!("{t} {} (= {} {unit})", c.from_unit, shortest(v))
                }
                _ => format!("{shown_t}{u}"),
            };
            if let Some(min) = spec.minimum {
                if v < min {
                    let kind = match spec.below_minimum_reason.as_deref() {
                        Some("death before admission") => ProblemKind::DeathBeforeAdmission,
                        _ => ProblemKind::OutOfRange,
                    };
                    let what = spec
                        .below_minimum_reason
                        .clone()
                        .unwrap_or_else(|| "out of range".into());
                    return Err((
                        kind,
                        format!(
                            "{what}: {} is below the minimum {}{u}",
                            shown(),
                            shortest(min)
                        ),
                    ));
                }
            }
            if let Some(max) = spec.maximum {
                if v > max {
                    return Err((
                        ProblemKind::OutOfRange,
                        format!(
                            "out of range: {} is above the maximum {}{u} (wrong unit?)",
                            shown(),
                            shortest(max)
                        ),
                    ));
                }
            }
            Ok(Parsed::Num(v))
        }
    }
}

/// `raw * factor`, computed exactly in decimal when `factor` is a power of ten: `12.3` x 10 is
/// the double nearest 123 (not 123.00000000000001), so a converted value sits on the same side
/// of a clinical cut-off as the number written in canonical units.
pub(crate) fn scale_decimal(text: &str, raw: f64, factor: f64) -> f64 {
    let v = raw * factor;
    let k = factor.log10().round();
    let pow10 =
        k.abs() <= 9.0 && (10f64.powi(k as i32) - factor).abs() <= 4.0 * f64::EPSILON * factor;
    if !pow10 || text.contains(['e', 'E']) {
        return v;
    }
    let dec = text.split_once('.').map_or(0, |(_, f)| f.len()) as i32;
    let d = (dec - k as i32).max(0) as usize;
    format!("{v:.d$}").parse().unwrap_or(v)
}

/// true/false, 1/0, yes/no, t/f, y/n (case-insensitive).
pub(crate) fn parse_bool(t: &str) -> Option<bool> {
    const YES: [&str; 6] = ["true", "t", "yes", "y", "1", "1.0"];
    const NO: [&str; 6] = ["false", "f", "no", "n", "0", "0.0"];
    if YES.iter().any(|y| y.eq_ignore_ascii_case(t)) {
        Some(true)
    } else if NO.iter().any(|n| n.eq_ignore_ascii_case(t)) {
        Some(false)
    } else {
        None
    }
}
