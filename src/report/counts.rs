//! How the report prints a count after disclosure control: the mark of a withheld count, and
//! counts with their percentages. Figures receive counts as `Option<u64>` with [`WITHHELD`] as
//! the mark to draw for `None`; the plot layer knows nothing of disclosure control.

use crate::plot::theme::fixed;

/// Mark printed in place of a count withheld by disclosure control.
pub const WITHHELD: &str = "*";

/// A count, or [`WITHHELD`].
pub fn count(n: Option<u64>) -> String {
    match n {
        Some(n) => n.to_string(),
        None => WITHHELD.to_string(),
    }
}

/// "n (p%)" with one decimal, or [`WITHHELD`] when the count is withheld; the percentage is of
/// `total` (printed only when known and positive).
pub fn count_percent(n: Option<u64>, total: Option<u64>) -> String {
    match (n, total) {
        (None, _) => WITHHELD.to_string(),
        (Some(n), Some(t)) if t > 0 => format!("{n} ({})", fixed(100.0 * n as f64 / t as f64, 1)),
        (Some(n), _) => n.to_string(),
    }
}

/// "n/d (p%)" (e.g. deaths among patients with known status) when both are published and
/// `d > 0`, else "n/d" with [`WITHHELD`] for a withheld part.
pub fn fraction(n: Option<u64>, d: Option<u64>) -> String {
    match (n, d) {
        (Some(n), Some(d)) if d > 0 => {
            format!("{n}/{d} ({})", fixed(100.0 * n as f64 / d as f64, 1))
        }
        _ => fraction_plain(n, d),
    }
}

/// "n/d" with [`WITHHELD`] for a withheld part (the forest plot's columns).
pub fn fraction_plain(n: Option<u64>, d: Option<u64>) -> String {
    format!("{}/{}", count(n), count(d))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(count(None), "*");
        assert_eq!(count(Some(12)), "12");
        assert_eq!(count_percent(Some(3), Some(40)), "3 (7.5)");
        assert_eq!(count_percent(Some(3), Some(0)), "3");
        assert_eq!(count_percent(None, Some(40)), "*");
        assert_eq!(fraction(Some(10), Some(40)), "10/40 (25.0)");
        assert_eq!(fraction(Some(10), None), "10/*");
        assert_eq!(fraction(Some(0), Some(0)), "0/0");
        assert_eq!(fraction_plain(None, Some(40)), "*/40");
    }
}
