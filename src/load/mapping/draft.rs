//! `dicohort mapping init`: a draft mapping from an export's header and values. Column names are
//! matched against the synonym dictionary (`synonyms.rs`); the day layout is found from the
//! header (`plt_d1`, `PLT_day3`, `d7_plt` ...) or from the days file (a test and a value column:
//! long; measurement columns: patient_day); dates and their format, yes/no and sex codes are read
//! from the values; each measurement's unit is guessed from its median with the plausibility
//! table (`units.rs`). Every guess is a comment in the TOML for the user to confirm; columns
//! nothing matched are listed as candidates for `extra`.
//!
//! Cost: reads at most [`MAX_ROWS`] rows of each file.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write;
use std::path::Path;

use super::synonyms::{self, is, lookup, norm};
use super::DateFormat;
use crate::load::mapped::{detect_delimiter, open_mapped};
use crate::load::source::Input;
use crate::load::spec::{table_spec, ColumnType, TableKind};
use crate::load::units::{column_units, conversion, Affine};
use crate::load::validate::is_missing_token;
use crate::load::LoadError;

/// Rows read from each file.
pub const MAX_ROWS: usize = 100_000;

/// Date formats tried, in order.
const DATE_FORMATS: [&str; 6] = [
    "%Y-%m-%d", "%Y/%m/%d", "%d.%m.%Y", "%d/%m/%Y", "%m/%d/%Y", "%Y%m%d",
];

/// A file read for drafting: its header and the text of its first rows, by column.
struct Sample {
    name: String,
    delimiter: u8,
    header: Vec<String>,
    cols: Vec<Vec<String>>,
}

impl Sample {
    fn read(path: &Path) -> Result<Sample, LoadError> {
        let input = Input::Path(path.to_path_buf());
        let delimiter = detect_delimiter(&input);
        let mut src = open_mapped(&input, Some(delimiter))?;
        let header = src.header().to_vec();
        let mut cols = vec![Vec::new(); header.len()];
        let mut fields = Vec::new();
        let mut n = 0;
        while n < MAX_ROWS && src.next(&mut fields)? {
            n += 1;
            for (c, f) in cols.iter_mut().zip(&fields) {
                c.push(f.trim().to_string());
            }
        }
        Ok(Sample {
            name: input.name(),
            delimiter,
            header,
            cols,
        })
    }
    fn values(&self, col: usize) -> impl Iterator<Item = &str> {
        self.cols[col]
            .iter()
            .map(String::as_str)
            .filter(|t| !is_missing_token(t))
    }
    fn numbers(&self, col: usize) -> Vec<f64> {
        self.values(col)
            .filter_map(|t| t.parse::<f64>().ok())
            .collect()
    }
    fn distinct(&self, col: usize, limit: usize) -> Option<BTreeSet<String>> {
        let mut s = BTreeSet::new();
        for v in self.values(col) {
            s.insert(v.to_string());
            if s.len() > limit {
                return None;
            }
        }
        Some(s)
    }
    /// The date format all (at least 95% of) the column's values are written in.
    fn date_format(&self, col: usize) -> Option<DateFormat> {
        let vals: Vec<&str> = self.values(col).take(2000).collect();
        if vals.is_empty()
            || vals
                .iter()
                .all(|v| v.parse::<f64>().is_ok() && v.len() != 8)
        {
            return None;
        }
        DATE_FORMATS.iter().find_map(|f| {
            let fmt = DateFormat::new(f).expect("valid formats");
            let ok = vals.iter().filter(|v| fmt.days(v).is_some()).count();
            (ok * 100 >= vals.len() * 95).then_some(fmt)
        })
    }
}

/// A TOML basic string.
fn q(s: &str) -> String {
    let mut o = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => o.push_str("\\\""),
            '\\' => o.push_str("\\\\"),
            '\t' => o.push_str("\\t"),
            c => o.push(c),
        }
    }
    o.push('"');
    o
}

fn qlist(v: &[String]) -> String {
    format!(
        "[{}]",
        v.iter().map(|s| q(s)).collect::<Vec<_>>().join(", ")
    )
}

fn median(v: &mut [f64]) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    Some(v[(v.len() - 1) / 2])
}

/// The unit a median fits, as a mapping fragment and a comment.
fn unit_guess(canonical: &str, values: &mut [f64]) -> (String, String, bool) {
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
                        "median {ms} looks like {} (not convertible to {}): map a {} column instead",
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
fn codes_guess(s: &Sample, col: usize) -> Option<(String, String)> {
    let d = s.distinct(col, 4)?;
    let defaults = super::YesNo::default_codes();
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
fn sex_guess(s: &Sample, col: usize) -> Option<(String, String)> {
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
fn split_day(h: &str, pattern: usize) -> Option<(String, u32)> {
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
fn pattern_text(p: usize, example: &str, h: &str, day: u32) -> String {
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

/// Drafts a mapping for the export whose main file is `main` (one row per patient) and, when
/// given, its days file (`days`: one row per patient and day, or per patient, day and test) and
/// its courses file (`courses`: one row per anticoagulant course).
///
/// # Errors
/// [`LoadError`] when a file cannot be read.
pub fn draft_mapping(
    main: &Path,
    days: Option<&Path>,
    courses: Option<&Path>,
) -> Result<String, LoadError> {
    let s = Sample::read(main)?;
    let d = days.map(Sample::read).transpose()?;
    let cf = courses.map(Sample::read).transpose()?;
    let mut out = String::new();
    let mut used: Vec<bool> = vec![false; s.header.len()];
    writeln!(
        out,
        "# dicohort mapping drafted by `dicohort mapping init` from {}{}.\n# Every GUESSED line \
         is a guess from the values: confirm it. Check with\n#   dicohort validate {} \
         --mapping THIS.toml\n# The language: data-schema/README.md.\n",
        s.name,
        d.as_ref()
            .map(|d| format!(" and {}", d.name))
            .unwrap_or_default(),
        s.name
    )
    .unwrap();
    writeln!(out, "file = {}", q(&s.name)).unwrap();
    if s.delimiter != b',' {
        let shown = if s.delimiter == b'\t' {
            "\\t".to_string()
        } else {
            (s.delimiter as char).to_string()
        };
        writeln!(out, "delimiter = \"{shown}\"  # detected").unwrap();
    }

    // Dates: the admission column and its format.
    let adm = (0..s.header.len()).find(|&c| is(synonyms::ADMISSION, &s.header[c]));
    let adm_fmt = adm.and_then(|c| s.date_format(c));
    let date_of = |sample: &Sample, c: usize| -> bool {
        adm_fmt.is_some() && sample.date_format(c).is_some()
    };
    if let (Some(c), Some(f)) = (adm, &adm_fmt) {
        used[c] = true;
        writeln!(
            out,
            "\n[dates]\n# Day 1 is the admission date; a date column becomes day = date - \
             admission + 1.\nadmission = {}\nformat = {}  # detected from the values",
            q(&s.header[c]),
            q(f.as_str())
        )
        .unwrap();
    }
    let day_ref = |sample: &Sample, c: usize| -> String {
        if date_of(sample, c) {
            format!("{{ date = {} }}", q(&sample.header[c]))
        } else {
            q(&sample.header[c])
        }
    };

    // Wide day columns: the header pattern with the most known stems.
    let mut best: Option<(usize, Vec<(usize, String, u32)>)> = None;
    for p in 0..3 {
        let hits: Vec<(usize, String, u32)> = s
            .header
            .iter()
            .enumerate()
            .filter_map(|(c, h)| {
                let (stem, day) = split_day(h, p)?;
                lookup(synonyms::MEASURES, &stem)?;
                (day >= 1).then_some((c, stem, day))
            })
            .collect();
        if hits.len() >= 2 && best.as_ref().is_none_or(|(_, b)| hits.len() > b.len()) {
            best = Some((p, hits));
        }
    }
    let wide = best.map(|(p, hits)| {
        for (c, _, _) in &hits {
            used[*c] = true;
        }
        (p, hits)
    });

    // Treatment columns: <drug prefix><sep><part>.
    let mut courses: BTreeMap<&str, BTreeMap<&str, usize>> = BTreeMap::new();
    for (c, h) in s.header.iter().enumerate() {
        if used[c] {
            continue;
        }
        for sep in ['_', '.', '-', ' '] {
            if let Some((pre, part)) = h.split_once(sep) {
                if let (Some(drug), Some(part)) = (
                    lookup(synonyms::DRUGS, pre),
                    lookup(synonyms::COURSE_PARTS, part),
                ) {
                    courses.entry(drug).or_default().insert(part, c);
                    used[c] = true;
                    break;
                }
            }
        }
    }

    // Patients columns.
    writeln!(out, "\n[patients]").unwrap();
    let spec = table_spec(TableKind::Patients);
    for (canonical, _) in synonyms::PATIENTS {
        let Some(c) = (0..s.header.len())
            .find(|&c| !used[c] && lookup(synonyms::PATIENTS, &s.header[c]) == Some(*canonical))
        else {
            if *canonical == "site_id" {
                writeln!(
                    out,
                    "site_id = {{ value = \"site-1\" }}  # no site column found: one site; CHECK"
                )
                .unwrap();
            } else {
                writeln!(out, "# {canonical} = \"...\"  # no column found").unwrap();
            }
            continue;
        };
        used[c] = true;
        let h = &s.header[c];
        let boolean = spec.column(canonical).ty == ColumnType::Boolean;
        let guess = if *canonical == "sex" {
            sex_guess(&s, c)
        } else if boolean {
            codes_guess(&s, c)
        } else {
            None
        };
        match guess {
            Some((extra, comment)) if !extra.is_empty() => {
                let comment = if comment.is_empty() {
                    String::new()
                } else {
                    format!("  # {comment}")
                };
                writeln!(out, "{canonical} = {{ source = {}{extra} }}{comment}", q(h)).unwrap();
            }
            Some((_, comment)) => writeln!(out, "{canonical} = {}  # {comment}", q(h)).unwrap(),
            None => writeln!(out, "{canonical} = {}", q(h)).unwrap(),
        }
    }

    // Outcome.
    let find = |list: &[&str], used: &[bool]| {
        (0..s.header.len()).find(|&c| !used[c] && is(list, &s.header[c]))
    };
    let death = find(synonyms::DEATH_DAY, &used);
    let last = find(synonyms::LAST_DAY, &used);
    let stay = find(synonyms::STAY_END, &used);
    let died = (0..s.header.len()).find(|&c| {
        let n = norm(&s.header[c]);
        !used[c]
            && Some(c) != death
            && synonyms::DIED_WORDS.iter().any(|w| n.contains(w))
            && s.distinct(c, 3).is_some_and(|d| !d.is_empty())
    });
    let mut outcome = String::new();
    if let Some(l) = last {
        used[l] = true;
        writeln!(out, "last_day = {}", day_ref(&s, l)).unwrap();
        if let Some(dc) = death {
            used[dc] = true;
            writeln!(out, "death_day = {}", day_ref(&s, dc)).unwrap();
        }
        if let Some(sc) = stay {
            used[sc] = true;
            writeln!(out, "discharge_day = {}", day_ref(&s, sc)).unwrap();
        }
    } else if let Some(dc) = died {
        used[dc] = true;
        let name = &s.header[dc];
        let n = norm(name);
        let days: Option<u32> = {
            let digits: String = n.chars().filter(char::is_ascii_digit).collect();
            digits.parse().ok().filter(|d| (1..=1000).contains(d))
        };
        let codes = codes_guess(&s, dc);
        let died_value = match &codes {
            Some((extra, comment)) if !extra.is_empty() => {
                format!("{{ source = {}{extra} }}  # {comment}", q(name))
            }
            Some((_, comment)) => format!("{}  # {comment}", q(name)),
            None => q(name),
        };
        writeln!(outcome, "\n[outcome]\ndied = {died_value}").unwrap();
        let in_hosp = synonyms::IN_HOSPITAL_WORDS.iter().any(|w| n.contains(w));
        match (days, in_hosp) {
            (Some(d), false) => writeln!(
                outcome,
                "within_days = {d}  # from the name `{name}`: died by day {d} yes/no; confirm"
            )
            .unwrap(),
            (None, true) | (Some(_), true) => writeln!(
                outcome,
                "in_hospital = true  # GUESSED from the name `{name}`: death before discharge; confirm"
            )
            .unwrap(),
            (None, false) => writeln!(
                outcome,
                "within_days = 28  # GUESSED: say what `{name}` covers (within_days = N, or in_hospital = true)"
            )
            .unwrap(),
        }
        if let Some(c) = death {
            used[c] = true;
            writeln!(outcome, "death_day = {}", day_ref(&s, c)).unwrap();
        }
        if let Some(c) = stay {
            used[c] = true;
            writeln!(
                outcome,
                "stay_end = {}  # the day the stay ended (discharge or death)",
                day_ref(&s, c)
            )
            .unwrap();
        }
    } else {
        writeln!(
            out,
            "# NO OUTCOME FOUND: map last_day (and death_day, discharge_day), or add an [outcome] \
             table (died, within_days or in_hospital, death_day, stay_end)"
        )
        .unwrap();
    }

    // Unit columns (`fib_unit`, `dd_basis`) of the wide layout.
    let mut unit_cols: HashMap<String, usize> = HashMap::new();
    for c in (0..s.header.len()).filter(|&c| !used[c]) {
        let Some((stem, word)) = s.header[c].rsplit_once(['_', '.', ' ']) else {
            continue;
        };
        if matches!(norm(word).as_str(), "unit" | "units" | "basis") {
            if let Some(m) = lookup(synonyms::MEASURES, stem) {
                unit_cols.insert(m.to_string(), c);
            }
        }
    }

    // Extra: what nothing matched.
    let mut extra = Vec::new();
    let mut score_cols = Vec::new();
    for (c, h) in s.header.iter().enumerate() {
        if used[c] || unit_cols.values().any(|&u| u == c) {
            continue;
        }
        if synonyms::SCORES.iter().any(|w| norm(h).starts_with(w)) {
            score_cols.push(h.clone());
        }
        extra.push(h.clone());
    }
    writeln!(
        out,
        "# Columns nothing matched, kept as covariates: delete those you do not need.{}",
        if score_cols.is_empty() {
            String::new()
        } else {
            format!(
                "\n# ({} looks like a score dicohort computes from the day table: sofa_day1, jaam_day1, ...)",
                score_cols.join(", ")
            )
        }
    )
    .unwrap();
    writeln!(out, "extra = {}", qlist(&extra)).unwrap();
    out.push_str(&outcome);

    // Days.
    if let Some((p, hits)) = &wide {
        let mut days: BTreeSet<u32> = BTreeSet::new();
        let mut stems: BTreeMap<&str, (String, Vec<usize>)> = BTreeMap::new();
        for (c, stem, day) in hits {
            days.insert(*day);
            let canonical = lookup(synonyms::MEASURES, stem).expect("matched");
            let e = stems
                .entry(canonical)
                .or_insert_with(|| (stem.clone(), Vec::new()));
            e.1.push(*c);
        }
        let (c0, stem0, day0) = &hits[0];
        let pattern = pattern_text(*p, stem0, &s.header[*c0], *day0);
        let days: Vec<String> = days.iter().map(u32::to_string).collect();
        writeln!(
            out,
            "\n[days]\nlayout = \"wide\"\ndays = [{}]\npattern = {}\n\n[days.columns]",
            days.join(", "),
            q(&pattern)
        )
        .unwrap();
        let dspec = table_spec(TableKind::Days);
        let mut order: Vec<(&str, (String, Vec<usize>))> = stems.into_iter().collect();
        order.sort_by_key(|(c, _)| dspec.index_of(c));
        for (canonical, (stem, cols)) in order {
            let boolean = dspec.column(canonical).ty == ColumnType::Boolean;
            if boolean {
                let codes = cols.iter().find_map(|&c| codes_guess(&s, c));
                match codes {
                    Some((extra, comment)) if !extra.is_empty() => writeln!(
                        out,
                        "{canonical} = {{ stem = {}{extra} }}  # {comment}",
                        q(&stem)
                    )
                    .unwrap(),
                    Some((_, comment)) => {
                        writeln!(out, "{canonical} = {{ stem = {} }}  # {comment}", q(&stem))
                            .unwrap()
                    }
                    None => writeln!(out, "{canonical} = {{ stem = {} }}", q(&stem)).unwrap(),
                }
                continue;
            }
            if let Some(&uc) = unit_cols.get(canonical) {
                writeln!(
                    out,
                    "{}",
                    per_row_units(&s, canonical, &format!("stem = {}", q(&stem)), uc)
                )
                .unwrap();
                continue;
            }
            let mut vals: Vec<f64> = cols.iter().flat_map(|&c| s.numbers(c)).collect();
            let (unit, comment, ok) = unit_guess(canonical, &mut vals);
            let line = format!("{canonical} = {{ stem = {}{unit} }}", q(&stem));
            write_measure(&mut out, &line, &comment, ok);
        }
    } else if let Some(d) = &d {
        draft_days_file(&mut out, &s, d, &date_of)?;
    }

    if let Some(c) = &cf {
        draft_courses(&mut out, &s, c, &date_of);
    }

    // Treatments.
    for (drug, parts) in &courses {
        let Some(&start) = parts.get("start_day") else {
            continue;
        };
        writeln!(out, "\n[[treatments]]\ndrug = {}", q(drug)).unwrap();
        if let Some(&g) = parts.get("given") {
            match codes_guess(&s, g) {
                Some((extra, comment)) if !extra.is_empty() => writeln!(
                    out,
                    "given = {{ source = {}{extra} }}  # {comment}",
                    q(&s.header[g])
                )
                .unwrap(),
                Some((_, comment)) => {
                    writeln!(out, "given = {}  # {comment}", q(&s.header[g])).unwrap()
                }
                None => writeln!(out, "given = {}", q(&s.header[g])).unwrap(),
            }
        }
        writeln!(out, "start_day = {}", day_ref(&s, start)).unwrap();
        if let Some(&e) = parts.get("end_day") {
            writeln!(out, "end_day = {}", day_ref(&s, e)).unwrap();
        }
        if let Some(&dz) = parts.get("dose") {
            writeln!(out, "dose = {}", q(&s.header[dz])).unwrap();
        }
    }
    Ok(out)
}

/// A measurement line, commented out when its unit cannot be used.
fn write_measure(out: &mut String, line: &str, comment: &str, ok: bool) {
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
fn per_row_units(s: &Sample, canonical: &str, entry: &str, uc: usize) -> String {
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

/// The `[days]` table of a separate days file: long (a test and a value column) or
/// patient_day.
fn draft_days_file(
    out: &mut String,
    main: &Sample,
    d: &Sample,
    date_of: &dyn Fn(&Sample, usize) -> bool,
) -> Result<(), LoadError> {
    let find = |words: &[&str]| {
        (0..d.header.len()).find(|&c| words.contains(&norm(&d.header[c]).as_str()))
    };
    let id_name = main
        .header
        .iter()
        .find(|h| lookup(synonyms::PATIENTS, h) == Some("patient_id"));
    let id = id_name
        .and_then(|n| d.header.iter().position(|h| h == n))
        .or_else(|| {
            (0..d.header.len())
                .find(|&c| lookup(synonyms::PATIENTS, &d.header[c]) == Some("patient_id"))
        });
    let day = find(&["day", "dayno", "icuday", "studyday", "dayofstay", "日"]).or_else(|| {
        find(&[
            "date",
            "sampledate",
            "labdate",
            "collectiondate",
            "collecteddate",
            "resultdate",
            "採取日",
            "検査日",
        ])
    });
    let test = find(&[
        "test",
        "testname",
        "item",
        "labname",
        "analyte",
        "code",
        "testcode",
        "項目",
        "検査項目",
        "lab",
    ]);
    let value = find(&["value", "result", "resultvalue", "値", "結果", "labvalue"]);
    let unit = find(&["unit", "units", "単位"]);
    let day_text = |c: usize| {
        if date_of(d, c) {
            format!("{{ date = {} }}", q(&d.header[c]))
        } else {
            q(&d.header[c])
        }
    };
    let (Some(id), Some(day)) = (id, day) else {
        writeln!(
            out,
            "\n# {}: no patient id or day column recognised: write the [days] table by hand",
            d.name
        )
        .unwrap();
        return Ok(());
    };
    if let (Some(test), Some(value)) = (test, value) {
        writeln!(
            out,
            "\n[days]\nlayout = \"long\"\nfile = {}\npatient_id = {}\nday = {}\ntest = {}\nvalue = {}",
            q(&d.name),
            q(&d.header[id]),
            day_text(day),
            q(&d.header[test]),
            q(&d.header[value])
        )
        .unwrap();
        if let Some(u) = unit {
            writeln!(out, "unit = {}", q(&d.header[u])).unwrap();
        }
        writeln!(out, "\n[days.tests]").unwrap();
        // Test name -> rows.
        let mut tests: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        for (r, t) in d.cols[test].iter().enumerate() {
            tests.entry(t.as_str()).or_default().push(r);
        }
        let mut by_canonical: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        let mut unknown = Vec::new();
        for name in tests.keys() {
            match lookup(synonyms::MEASURES, name) {
                Some(c) => by_canonical.entry(c).or_default().push(name),
                None => unknown.push(name.to_string()),
            }
        }
        let dspec = table_spec(TableKind::Days);
        let mut order: Vec<(&str, Vec<&str>)> = by_canonical.into_iter().collect();
        order.sort_by_key(|(c, _)| dspec.index_of(c));
        for (canonical, names) in order {
            let rows: Vec<usize> = names
                .iter()
                .flat_map(|n| tests[n].iter().copied())
                .collect();
            let names_s: Vec<String> = names.iter().map(|n| n.to_string()).collect();
            let entry = format!("names = {}", qlist(&names_s));
            // Repeated tests on one patient-day.
            let mut seen = BTreeSet::new();
            let repeated = rows
                .iter()
                .any(|&r| !seen.insert((d.cols[id][r].as_str(), d.cols[day][r].as_str())));
            let rep = if repeated {
                let how = match canonical {
                    "platelets" | "fibrinogen" | "antithrombin" | "gcs" | "map" | "pao2_fio2" => {
                        "min"
                    }
                    _ => "max",
                };
                format!(", repeated = \"{how}\"")
            } else {
                String::new()
            };
            let rep_note = if repeated {
                "; GUESSED: repeated values on a day are combined by their worst; confirm"
            } else {
                ""
            };
            if let Some(u) = unit {
                let units: BTreeSet<&str> = rows
                    .iter()
                    .map(|&r| d.cols[u][r].as_str())
                    .filter(|t| !is_missing_token(t))
                    .collect();
                let known: Vec<String> = units
                    .iter()
                    .filter(|t| conversion(canonical, t).is_some())
                    .map(|t| t.to_string())
                    .collect();
                let all_canonical = units
                    .iter()
                    .all(|t| conversion(canonical, t) == Some(Affine::IDENTITY));
                let other: Vec<String> = units
                    .iter()
                    .filter(|t| !known.iter().any(|k| k == *t))
                    .map(|t| t.to_string())
                    .collect();
                if !units.is_empty() && !all_canonical {
                    let nc = if other.is_empty() {
                        String::new()
                    } else {
                        format!(", not_convertible = {}", qlist(&other))
                    };
                    writeln!(
                        out,
                        "{canonical} = {{ {entry}, units = {}{nc}{rep} }}  # units seen: {}{rep_note}",
                        qlist(&known),
                        units.iter().copied().collect::<Vec<_>>().join(", ")
                    )
                    .unwrap();
                    continue;
                }
            }
            let mut vals: Vec<f64> = rows
                .iter()
                .filter_map(|&r| d.cols[value][r].parse::<f64>().ok())
                .collect();
            let (u, comment, ok) = unit_guess(canonical, &mut vals);
            let line = format!("{canonical} = {{ {entry}{u}{rep} }}");
            write_measure(out, &line, &format!("{comment}{rep_note}"), ok);
        }
        if !unknown.is_empty() {
            writeln!(
                out,
                "# tests not recognised (skipped when loading): {}",
                unknown.join(", ")
            )
            .unwrap();
        }
        return Ok(());
    }
    writeln!(
        out,
        "\n[days]\nlayout = \"patient_day\"\nfile = {}\npatient_id = {}\nday = {}\n\n[days.columns]",
        q(&d.name),
        q(&d.header[id]),
        day_text(day)
    )
    .unwrap();
    let dspec = table_spec(TableKind::Days);
    let mut cols: Vec<(&str, usize)> = (0..d.header.len())
        .filter(|&c| c != id && c != day)
        .filter_map(|c| lookup(synonyms::MEASURES, &d.header[c]).map(|m| (m, c)))
        .collect();
    cols.sort_by_key(|(m, _)| dspec.index_of(m));
    cols.dedup_by_key(|(m, _)| *m);
    let mut unknown = Vec::new();
    for c in 0..d.header.len() {
        if c != id && c != day && !cols.iter().any(|(_, k)| *k == c) {
            unknown.push(d.header[c].clone());
        }
    }
    for (canonical, c) in cols {
        let entry = format!("source = {}", q(&d.header[c]));
        if dspec.column(canonical).ty == ColumnType::Boolean {
            match codes_guess(d, c) {
                Some((extra, comment)) => {
                    writeln!(out, "{canonical} = {{ {entry}{extra} }}  # {comment}").unwrap()
                }
                None => writeln!(out, "{canonical} = {{ {entry} }}").unwrap(),
            }
            continue;
        }
        let mut vals = d.numbers(c);
        let (u, comment, ok) = unit_guess(canonical, &mut vals);
        write_measure(
            out,
            &format!("{canonical} = {{ {entry}{u} }}"),
            &comment,
            ok,
        );
    }
    if !unknown.is_empty() {
        writeln!(
            out,
            "# columns not recognised (not read): {}",
            unknown.join(", ")
        )
        .unwrap();
    }
    Ok(())
}

/// The `[courses]` table of a file with one row per course: its columns and the drug names
/// recoded to the canonical ones.
fn draft_courses(
    out: &mut String,
    main: &Sample,
    c: &Sample,
    date_of: &dyn Fn(&Sample, usize) -> bool,
) {
    let find = |words: &[&str]| {
        (0..c.header.len()).find(|&k| words.contains(&norm(&c.header[k]).as_str()))
    };
    let id_name = main
        .header
        .iter()
        .find(|h| lookup(synonyms::PATIENTS, h) == Some("patient_id"));
    let id = id_name
        .and_then(|n| c.header.iter().position(|h| h == n))
        .or_else(|| {
            (0..c.header.len())
                .find(|&k| lookup(synonyms::PATIENTS, &c.header[k]) == Some("patient_id"))
        });
    let drug = find(&["drug", "drugname", "medication", "agent", "薬剤", "薬剤名"]);
    let start = (0..c.header.len())
        .find(|&k| lookup(synonyms::COURSE_PARTS, &c.header[k]) == Some("start_day"));
    let end = (0..c.header.len())
        .find(|&k| lookup(synonyms::COURSE_PARTS, &c.header[k]) == Some("end_day"));
    let dose = find(&["dose", "dosage"]);
    let unit = find(&["doseunit", "unit", "units", "単位"]);
    let (Some(id), Some(drug), Some(start)) = (id, drug, start) else {
        writeln!(
            out,
            "\n# {}: no patient id, drug or start-day column recognised: write [courses] by hand",
            c.name
        )
        .unwrap();
        return;
    };
    let day_text = |k: usize| {
        if date_of(c, k) {
            format!("{{ date = {} }}", q(&c.header[k]))
        } else {
            q(&c.header[k])
        }
    };
    writeln!(
        out,
        "\n[courses]\nfile = {}\npatient_id = {}\ndrug = {}\nstart_day = {}",
        q(&c.name),
        q(&c.header[id]),
        q(&c.header[drug]),
        day_text(start)
    )
    .unwrap();
    if let Some(e) = end {
        writeln!(out, "end_day = {}", day_text(e)).unwrap();
    }
    if let Some(k) = dose {
        writeln!(out, "dose = {}", q(&c.header[k])).unwrap();
    }
    if let Some(k) = unit {
        writeln!(out, "dose_unit = {}", q(&c.header[k])).unwrap();
    }
    let names = c.distinct(drug, 200).unwrap_or_default();
    let mut recode = Vec::new();
    let mut unknown = Vec::new();
    for n in &names {
        match lookup(synonyms::DRUGS, n) {
            Some(to) if to != n => recode.push(format!("{} = {}", q(n), q(to))),
            Some(_) => {}
            None => unknown.push(n.clone()),
        }
    }
    if !recode.is_empty() {
        writeln!(
            out,
            "drugs = {{ {} }}  # GUESSED from the names; confirm",
            recode.join(", ")
        )
        .unwrap();
    }
    if !unknown.is_empty() {
        writeln!(
            out,
            "# drug names kept as written (name them in the plan's [exposure] drugs, or recode them): {}",
            unknown.join(", ")
        )
        .unwrap();
    }
}
