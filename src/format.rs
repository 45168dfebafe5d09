//! Number and p-value formatting for every output of the crate (figures, tables, messages,
//! command output), so that one value prints the same wherever it appears. A leaf: it imports
//! nothing from the crate and every layer may use it.
//!
//! Missing (`NaN`) prints as `NA` (R's spelling) except where a function says otherwise. Every
//! function is deterministic and locale-free (Rust's float formatting), so output files are
//! byte-identical from run to run.

/// `v` with `decimals` places; negative zero (also a negative value that rounds to zero) prints
/// without the sign; a value that is not finite prints as `NA`.
pub fn fixed(v: f64, decimals: usize) -> String {
    if !v.is_finite() {
        return "NA".to_string();
    }
    let s = format!("{v:.decimals$}");
    if s.starts_with('-') && s[1..].chars().all(|c| c == '0' || c == '.') {
        s[1..].to_string()
    } else {
        s
    }
}

/// A p-value as journals print it, with its relation sign: `< 0.001` below 0.001, else
/// `= ` and three decimals; `NA` when not finite.
pub fn p_value(p: f64) -> String {
    if !p.is_finite() {
        "NA".to_string()
    } else if p < 0.001 {
        "< 0.001".to_string()
    } else {
        format!("= {}", fixed(p, 3))
    }
}

/// A p-value for a coefficient table: four decimals, or scientific notation with
/// `sci_decimals` decimals below 1e-4, or `<floor` below `floor` (e.g. `<1e-16`, where the
/// double-precision tail is no longer meaningful); `NA` when not finite.
pub fn p_value_table(p: f64, sci_decimals: usize, floor: Option<f64>) -> String {
    if !p.is_finite() {
        "NA".into()
    } else if let Some(f) = floor.filter(|f| p < *f) {
        format!("<{f:e}")
    } else if p < 1e-4 {
        format!("{p:.sci_decimals$e}")
    } else {
        format!("{p:.4}")
    }
}

/// `digits` significant digits with trailing zeros removed (`0.5`, `12.3457`); integers below
/// 1e15 in full; scientific notation (`digits - 1` decimals) when the fixed form would need
/// more than 12 decimals or none at all; `NA`, `Inf`, `-Inf` for the non-finite values.
pub fn significant(v: f64, digits: usize) -> String {
    if v.is_nan() {
        return "NA".into();
    }
    if v.is_infinite() {
        return if v > 0.0 { "Inf".into() } else { "-Inf".into() };
    }
    if v == v.trunc() && v.abs() < 1e15 {
        return format!("{v:.0}");
    }
    let decimals = digits as i32 - 1 - (v.abs().log10().floor() as i32);
    if (0..=12).contains(&decimals) {
        let s = format!("{v:.*}", decimals as usize);
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        format!("{v:.*e}", digits.saturating_sub(1))
    }
}

/// A model coefficient (or standard error, z, hazard ratio) as the Cox table prints it: four
/// decimals, or scientific notation with three decimals when `0 < |v| < 1e-3` or `|v| >= 1e5`;
/// `NA` for NaN (an infinity prints as Rust's `inf`).
pub fn coefficient(v: f64) -> String {
    if v.is_nan() {
        "NA".to_string()
    } else if v != 0.0 && (v.abs() < 1e-3 || v.abs() >= 1e5) {
        format!("{v:.3e}")
    } else {
        format!("{v:.4}")
    }
}

/// The shortest decimal that reads back as the same `f64` (Rust's `{}`), for values quoted in
/// messages.
pub fn shortest(v: f64) -> String {
    format!("{v}")
}

/// Whole numbers below 1e15 without decimals, anything else as [`shortest`].
pub fn integer_or_shortest(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        shortest(v)
    }
}

/// Whole numbers below 1e15 without decimals (a count), anything else as [`fixed`] with
/// `decimals` places (a weighted count).
pub fn integer_or_fixed(v: f64, decimals: usize) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        fixed(v, decimals)
    }
}

/// A number in a results CSV: empty for missing, `Inf` / `-Inf`, scientific notation when
/// `0 < |v| < 1e-5` or `|v| >= 1e16`, else the shortest round-tripping decimal.
pub fn csv_number(v: f64) -> String {
    if v.is_nan() {
        String::new()
    } else if v.is_infinite() {
        if v > 0.0 { "Inf" } else { "-Inf" }.to_string()
    } else if v != 0.0 && (v.abs() < 1e-5 || v.abs() >= 1e16) {
        format!("{v:e}")
    } else {
        format!("{v}")
    }
}

/// The label of a numeric factor level (a group, stratum or dummy written as a number): whole
/// numbers below 1e15 without decimals (`1.0` and `1` are the level `1`), else the shortest
/// round-tripping decimal; `Inf` / `-Inf` as R spells them.
///
/// Differences from R, on purpose: R's `as.character` prints 15 significant digits and may
/// choose scientific notation (`1e+05`); this keeps every digit and never does.
pub fn level_label(v: f64) -> String {
    if v.is_infinite() {
        if v > 0.0 { "Inf" } else { "-Inf" }.to_string()
    } else {
        integer_or_shortest(v)
    }
}

/// `Some(v)` when finite, else `None` (written as `null` in JSON).
pub fn finite(v: f64) -> Option<f64> {
    v.is_finite().then_some(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_and_journal_p_values() {
        assert_eq!(fixed(-0.0001, 2), "0.00");
        assert_eq!(fixed(1.005, 1), "1.0");
        assert_eq!(fixed(f64::NAN, 1), "NA");
        assert_eq!(p_value(0.0004), "< 0.001");
        assert_eq!(p_value(0.04321), "= 0.043");
        assert_eq!(p_value(f64::NAN), "NA");
    }

    #[test]
    fn table_p_values() {
        assert_eq!(p_value_table(1e-20, 2, Some(1e-16)), "<1e-16");
        assert_eq!(p_value_table(6.84e-13, 2, Some(1e-16)), "6.84e-13");
        assert_eq!(p_value_table(0.34537, 2, Some(1e-16)), "0.3454");
        assert_eq!(p_value_table(3.2e-5, 1, None), "3.2e-5");
        assert_eq!(p_value_table(f64::NAN, 1, None), "NA");
    }

    #[test]
    fn significant_digits() {
        assert_eq!(significant(0.5, 6), "0.5");
        assert_eq!(significant(12.345678, 6), "12.3457");
        assert_eq!(significant(3.0, 6), "3");
        assert_eq!(significant(1.23e-9, 6), "1.23000e-9");
        assert_eq!(significant(f64::INFINITY, 6), "Inf");
        assert_eq!(significant(f64::NAN, 6), "NA");
    }

    #[test]
    fn coefficients_counts_and_labels() {
        assert_eq!(coefficient(-0.031031), "-0.0310");
        assert_eq!(coefficient(-3.1e-302), "-3.100e-302");
        assert_eq!(coefficient(0.0), "0.0000");
        assert_eq!(coefficient(f64::NAN), "NA");
        assert_eq!(integer_or_fixed(12.0, 1), "12");
        assert_eq!(integer_or_fixed(12.34, 1), "12.3");
        assert_eq!(integer_or_shortest(2.5), "2.5");
        assert_eq!(csv_number(f64::NAN), "");
        assert_eq!(csv_number(1e-7), "1e-7");
        assert_eq!(level_label(1.0), "1");
        assert_eq!(level_label(f64::NEG_INFINITY), "-Inf");
        assert_eq!(finite(f64::INFINITY), None);
    }
}
