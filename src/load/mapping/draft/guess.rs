//! The guesses of `dicohort mapping init`: units from a median, yes/no and sex codes from the
//! values, the day pattern of a wide header, and the lines that write them.

use std::fmt::Write;

use super::{median, q, qlist, Sample};
use crate::load::mapping::synonyms::norm;
use crate::load::units::{column_units, conversion};

/// The unit a median fits, as a mapping fragment and a comment.
pub(super) fn unit_guess(canonical: &str, values: &mut [f64]) -> (String, String, bool) {
    let Some(m) = median(values) else {
        return (String::new(), String::new(), true);
    };
    let Some(cu) = column_units(canonical) else {
        return (String::new(), String::new(), true);
    };
    let Some(range) = cu.plausible_median else {
        return (String::new(), String::new(), true);
    };
    let ms = crate::load::plausibility::sig3(m);
    for u in cu.units {
        let Some((a, b)) = u.source_range(range) else {
            continue;
        };
        if m >= a && m <= b {
            if u.name == cu.canonical {
                let basis = if canonical == "d_dimer" {
                    "; check the basis is FEU (DDU values are half as large)"
                } else {
                    ""
                };
                return (
                    String::new(),
                    format!("median {ms} fits {}{basis}", u.name),
                    true,
                );
            }
            if u.conversion.is_none() {
                return (
                    String::new(),
                    format!(
                        "median {ms} looks like {} (not convertible to {}): map a column in {} instead",
                        u.name, cu.canonical, cu.canonical
                    ),
                    false,
                );
            }
            let basis = if canonical == "d_dimer" {
                " (and that the basis is FEU: DDU values are half as large)"
            } else {
                ""
            };
            return (
                format!(", unit = {}", q(u.name)),
                format!(
                    "GUESSED from the values: median {ms} fits {}; confirm{basis}",
                    u.name
                ),
                true,
            );
        }
    }
    (
        String::new(),
        format!("median {ms} fits no known unit of {canonical}: CHECK"),
        true,
    )
}

/// Yes/no codes of a column when they are not the defaults: (`yes = [..], no = [..]`, comment).
pub(super) fn codes_guess(s: &Sample, col: usize) -> Option<(String, String)> {
    let d = s.distinct(col, 4)?;
    let defaults = crate::load::mapping::YesNo::default_codes();
    if d.iter().all(|v| defaults.read(v).is_some()) {
        return None;
    }
    let v: Vec<String> = d.into_iter().collect();
    if v == ["1", "2"] {
        return Some((
            r#", yes = ["1"], no = ["2"]"#.into(),
            "GUESSED: 1 = yes, 2 = no; confirm".into(),
        ));
    }
    Some((
        String::new(),
        format!("values seen: {}: add yes = [...], no = [...]", v.join(", ")),
    ))
}

/// Sex codes when they are not M/F.
pub(super) fn sex_guess(s: &Sample, col: usize) -> Option<(String, String)> {
    let d = s.distinct(col, 6)?;
    let mut map = Vec::new();
    for v in &d {
        let to = match norm(v).as_str() {
            "m" | "male" | "man" | "男" | "男性" => "M",
            "f" | "female" | "woman" | "女" | "女性" => "F",
            "1" => "M",
            "2" => "F",
            _ => continue,
        };
        if v != to {
            map.push(format!("{} = {}", q(v), q(to)));
        }
    }
    if map.is_empty() {
        return None;
    }
    let guessed = d.contains("1") || d.contains("2");
    Some((
        format!(", values = {{ {} }}", map.join(", ")),
        if guessed {
            "GUESSED: 1 = M, 2 = F; confirm".into()
        } else {
            String::new()
        },
    ))
}

/// A wide day column: stem and day, for one of the header patterns.
pub(super) fn split_day(h: &str, pattern: usize) -> Option<(String, u32)> {
    let num_tail = |s: &str| -> Option<(String, u32)> {
        let i = s
            .char_indices()
            .rev()
            .find(|(_, c)| !c.is_ascii_digit())
            .map(|(i, c)| i + c.len_utf8())?;
        let d: u32 = s[i..].parse().ok()?;
        Some((s[..i].to_string(), d))
    };
    match pattern {
        // plt_d1, plt_day1, plt.d1, plt-d1
        0 => {
            let (head, d) = num_tail(h)?;
            for suffix in ["_day", "_d", ".day", ".d", "-day", "-d", " day", " d"] {
                let lower = head.to_ascii_lowercase();
                if lower.ends_with(suffix) {
                    return Some((head[..head.len() - suffix.len()].to_string(), d));
                }
            }
            None
        }
        // plt_1, plt.1
        1 => {
            let (head, d) = num_tail(h)?;
            let stem = head.strip_suffix('_').or_else(|| head.strip_suffix('.'))?;
            Some((stem.to_string(), d))
        }
        // d1_plt, day1_plt
        2 => {
            let lower = h.to_ascii_lowercase();
            let rest = lower
                .strip_prefix("day")
                .or_else(|| lower.strip_prefix('d'))?;
            let n = rest.chars().take_while(char::is_ascii_digit).count();
            let d: u32 = rest[..n].parse().ok()?;
            let stem = rest[n..].strip_prefix('_')?;
            let at = h.len() - stem.len();
            Some((h[at..].to_string(), d))
        }
        _ => None,
    }
}

/// The pattern string of split_day's pattern `p` for `stem_example`.
pub(super) fn pattern_text(p: usize, example: &str, h: &str, day: u32) -> String {
    match p {
        0 | 1 => {
            let tail = &h[example.len()..];
            let sep = &tail[..tail.len() - day.to_string().len()];
            format!("{{stem}}{sep}{{day}}")
        }
        _ => {
            let head = &h[..h.len() - example.len()];
            let sep = &head[head.len() - 1..];
            let word = &head[..head.len() - 1 - day.to_string().len()];
            format!("{word}{{day}}{sep}{{stem}}")
        }
    }
}

/// A measurement line, commented out when its unit cannot be used.
pub(super) fn write_measure(out: &mut String, line: &str, comment: &str, ok: bool) {
    let c = if comment.is_empty() {
        String::new()
    } else {
        format!("  # {comment}")
    };
    if ok {
        writeln!(out, "{line}{c}").unwrap();
    } else {
        writeln!(out, "# {line}{c}").unwrap();
    }
}

/// A measurement whose unit is written per row in column `uc`: the units seen, known ones
/// converted, others listed as not convertible.
pub(super) fn per_row_units(s: &Sample, canonical: &str, entry: &str, uc: usize) -> String {
    let seen = s.distinct(uc, 20).unwrap_or_default();
    let (known, other): (Vec<String>, Vec<String>) = seen
        .into_iter()
        .partition(|u| conversion(canonical, u).is_some());
    let nc = if other.is_empty() {
        String::new()
    } else {
        format!(", not_convertible = {}", qlist(&other))
    };
    format!(
        "{canonical} = {{ {entry}, unit_column = {}, units = {}{nc} }}  # units seen in `{}`{}",
        q(&s.header[uc]),
        qlist(&known),
        s.header[uc],
        if other.is_empty() {
            String::new()
        } else {
            format!(
                "; {} never converted (set missing): CHECK",
                other.join(", ")
            )
        }
    )
}
