//! Dates of claims-style exports: a format of `%Y`, `%m`, `%d` and literal separators
//! (`%Y-%m-%d`, `%Y/%m/%d`, `%d.%m.%Y`, `%Y%m%d`), read into a day count so that a day number is
//! `date - admission + 1`. A time after the date (`2024-01-05 13:40`, `2024-01-05T13:40`) is
//! ignored: the canonical tables are day-level.

/// One piece of a date format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Piece {
    Year,
    Month,
    Day,
    Literal(char),
}

/// A checked date format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateFormat {
    text: String,
    pieces: Vec<Piece>,
}

impl DateFormat {
    /// Parses a format such as `%Y-%m-%d`.
    ///
    /// # Errors
    /// A message when a `%` code other than `%Y`, `%m`, `%d` is used or one of them is missing or
    /// repeated.
    pub fn new(text: &str) -> Result<DateFormat, String> {
        let mut pieces = Vec::new();
        let mut chars = text.chars();
        while let Some(c) = chars.next() {
            if c == '%' {
                pieces.push(match chars.next() {
                    Some('Y') => Piece::Year,
                    Some('m') => Piece::Month,
                    Some('d') => Piece::Day,
                    other => {
                        return Err(format!(
                            "`%{}` is not a date code (use %Y, %m and %d)",
                            other.map(String::from).unwrap_or_default()
                        ))
                    }
                });
            } else {
                pieces.push(Piece::Literal(c));
            }
        }
        for p in [Piece::Year, Piece::Month, Piece::Day] {
            if pieces.iter().filter(|x| **x == p).count() != 1 {
                return Err(format!(
                    "`{text}` must hold each of %Y, %m and %d exactly once"
                ));
            }
        }
        Ok(DateFormat {
            text: text.to_string(),
            pieces,
        })
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Days since 1970-01-01 of `t`, or `None` when `t` does not match the format or is not a
    /// calendar date.
    pub fn days(&self, t: &str) -> Option<i64> {
        let b = t.trim().as_bytes();
        let mut i = 0;
        let (mut y, mut m, mut d) = (None, None, None);
        for (k, p) in self.pieces.iter().enumerate() {
            match p {
                Piece::Literal(c) => {
                    let mut buf = [0u8; 4];
                    let lit = c.encode_utf8(&mut buf).as_bytes();
                    if !b[i..].starts_with(lit) {
                        return None;
                    }
                    i += lit.len();
                }
                field => {
                    // Without a separator after the field (`%Y%m%d`) take its full width.
                    let fixed = !matches!(self.pieces.get(k + 1), Some(Piece::Literal(_)) | None);
                    let max = if *field == Piece::Year { 4 } else { 2 };
                    let mut j = i;
                    while j < b.len() && b[j].is_ascii_digit() && (j - i) < max {
                        j += 1;
                    }
                    if j == i || (fixed && j - i != max) || (*field == Piece::Year && j - i != 4) {
                        return None;
                    }
                    let v: i64 = std::str::from_utf8(&b[i..j]).ok()?.parse().ok()?;
                    match field {
                        Piece::Year => y = Some(v),
                        Piece::Month => m = Some(v),
                        _ => d = Some(v),
                    }
                    i = j;
                }
            }
        }
        match b.get(i) {
            None | Some(b' ') | Some(b'T') => {}
            _ => return None,
        }
        let (y, m, d) = (y?, m?, d?);
        if !(1..=12).contains(&m) || d < 1 || d > days_in_month(y, m) {
            return None;
        }
        Some(days_from_civil(y, m, d))
    }
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        _ => 28,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_and_calendar() {
        let iso = DateFormat::new("%Y-%m-%d").unwrap();
        assert_eq!(iso.days("1970-01-01"), Some(0));
        assert_eq!(iso.days("2000-03-01"), Some(11_017));
        assert_eq!(iso.days("2024-02-29 08:15"), Some(19_782));
        assert_eq!(iso.days("2023-02-29"), None);
        assert_eq!(iso.days("2024-13-01"), None);
        assert_eq!(iso.days("2024/01/01"), None);
        assert_eq!(iso.days("2024-1-5"), iso.days("2024-01-05"));
        let compact = DateFormat::new("%Y%m%d").unwrap();
        assert_eq!(compact.days("20240229"), Some(19_782));
        assert_eq!(compact.days("2024229"), None);
        let eu = DateFormat::new("%d.%m.%Y").unwrap();
        assert_eq!(eu.days("29.02.2024"), Some(19_782));
        assert!(DateFormat::new("%Y-%m").is_err());
        assert!(DateFormat::new("%Y-%m-%H").is_err());
    }
}
