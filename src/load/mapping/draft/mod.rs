//! `dicohort mapping init`: a draft mapping from an export's header and values. Column names are
//! matched against the synonym dictionary (`synonyms.rs`); the day layout is found from the
//! header (`plt_d1`, `PLT_day3`, `d7_plt` ...) or from the days file (a test and a value column:
//! long; measurement columns: patient_day); dates and their format, yes/no and sex codes are read
//! from the values; each measurement's unit is guessed from its median with the plausibility
//! table (`units.rs`). Every guess is a comment in the TOML for the user to confirm; columns
//! nothing matched are listed as candidates for `extra`.
//!
//! Cost: reads at most [`MAX_ROWS`] rows of each file.

mod files;
mod guess;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write;
use std::path::Path;

use super::synonyms::{self, is, lookup, norm};
use super::DateFormat;
use crate::load::mapped::open_mapped;
use crate::load::source::{detect_delimiter, Input};
use crate::load::spec::{table_spec, ColumnType, TableKind};
use crate::load::validate::is_missing_token;

use crate::load::LoadError;
use files::{draft_courses, draft_days_file};
use guess::{
    codes_guess, pattern_text, per_row_units, sex_guess, split_day, unit_guess, write_measure,
};

/// Rows read from each file.
pub const MAX_ROWS: usize = 100_000;

/// Date formats tried, in order.
const DATE_FORMATS: [&str; 6] = [
    "%Y-%m-%d", "%Y/%m/%d", "%d.%m.%Y", "%d/%m/%Y", "%m/%d/%Y", "%Y%m%d",
];

/// A file read for drafting: its header and the text of its first rows, by column.
pub(super) struct Sample {
    pub(super) name: String,
    pub(super) delimiter: u8,
    pub(super) header: Vec<String>,
    pub(super) cols: Vec<Vec<String>>,
}

impl Sample {
    pub(super) fn read(path: &Path) -> Result<Sample, LoadError> {
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
    pub(super) fn values(&self, col: usize) -> impl Iterator<Item = &str> {
        self.cols[col]
            .iter()
            .map(String::as_str)
            .filter(|t| !is_missing_token(t))
    }
    pub(super) fn numbers(&self, col: usize) -> Vec<f64> {
        self.values(col)
            .filter_map(|t| t.parse::<f64>().ok())
            .collect()
    }
    pub(super) fn distinct(&self, col: usize, limit: usize) -> Option<BTreeSet<String>> {
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
    pub(super) fn date_format(&self, col: usize) -> Option<DateFormat> {
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
pub(super) fn q(s: &str) -> String {
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

pub(super) fn qlist(v: &[String]) -> String {
    format!(
        "[{}]",
        v.iter().map(|s| q(s)).collect::<Vec<_>>().join(", ")
    )
}

pub(super) fn median(v: &mut [f64]) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    Some(v[(v.len() - 1) / 2])
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
    let mut m = MainDraft::new(&s);
    m.preamble(d.as_ref());
    m.dates();
    let wide = m.wide_columns();
    let course_cols = m.course_columns();
    m.patients();
    let outcome = m.outcome();
    let unit_cols = m.unit_columns();
    m.extra(&unit_cols);
    m.out.push_str(&outcome);
    if let Some((p, hits)) = &wide {
        m.wide_days(*p, hits, &unit_cols);
    }
    let mut out = std::mem::take(&mut m.out);
    if let (None, Some(d)) = (&wide, &d) {
        draft_days_file(&mut out, &s, d, &|x: &Sample, c| m.is_date(x, c));
    }
    if let Some(c) = &cf {
        draft_courses(&mut out, &s, c, &|x: &Sample, c| m.is_date(x, c));
    }
    m.out = out;
    m.treatments(&course_cols);
    Ok(m.out)
}

/// Wide day columns found in a header: (column, stem, day).
type Hits = Vec<(usize, String, u32)>;

/// The draft of the main file: the text written so far and the columns already used.
struct MainDraft<'s> {
    s: &'s Sample,
    out: String,
    used: Vec<bool>,
    /// The admission date format, when the main file has an admission date column.
    adm_fmt: Option<DateFormat>,
}

impl<'s> MainDraft<'s> {
    fn new(s: &'s Sample) -> MainDraft<'s> {
        MainDraft {
            s,
            out: String::new(),
            used: vec![false; s.header.len()],
            adm_fmt: None,
        }
    }

    /// Whether column `c` of `sample` holds dates (and the export has an admission date).
    fn is_date(&self, sample: &Sample, c: usize) -> bool {
        self.adm_fmt.is_some() && sample.date_format(c).is_some()
    }

    /// A day of the main file: its column, as a date when it holds dates.
    fn day_ref(&self, c: usize) -> String {
        if self.is_date(self.s, c) {
            format!("{{ date = {} }}", q(&self.s.header[c]))
        } else {
            q(&self.s.header[c])
        }
    }

    /// The first unused column whose name is in `list`.
    fn find(&self, list: &[&str]) -> Option<usize> {
        (0..self.s.header.len()).find(|&c| !self.used[c] && is(list, &self.s.header[c]))
    }

    fn preamble(&mut self, d: Option<&Sample>) {
        let s = self.s;
        writeln!(
            self.out,
            "# dicohort mapping drafted by `dicohort mapping init` from {}{}.\n# Every GUESSED \
             line is a guess from the values: confirm it. Check with\n#   dicohort validate {} \
             --mapping THIS.toml\n# The language: data-schema/README.md.\n",
            s.name,
            d.map(|d| format!(" and {}", d.name)).unwrap_or_default(),
            s.name
        )
        .unwrap();
        writeln!(self.out, "file = {}", q(&s.name)).unwrap();
        if s.delimiter != b',' {
            let shown = if s.delimiter == b'\t' {
                "\\t".to_string()
            } else {
                (s.delimiter as char).to_string()
            };
            writeln!(self.out, "delimiter = \"{shown}\"  # detected").unwrap();
        }
    }

    /// `[dates]`: the admission column and its format.
    fn dates(&mut self) {
        let s = self.s;
        let adm = (0..s.header.len()).find(|&c| is(synonyms::ADMISSION, &s.header[c]));
        self.adm_fmt = adm.and_then(|c| s.date_format(c));
        if let (Some(c), Some(f)) = (adm, &self.adm_fmt) {
            self.used[c] = true;
            writeln!(
                self.out,
                "\n[dates]\n# Day 1 is the admission date; a date column becomes day = date - \
                 admission + 1.\nadmission = {}\nformat = {}  # detected from the values",
                q(&s.header[c]),
                q(f.as_str())
            )
            .unwrap();
        }
    }

    /// Wide day columns: the header pattern with the most known stems.
    fn wide_columns(&mut self) -> Option<(usize, Hits)> {
        let mut best: Option<(usize, Hits)> = None;
        for p in 0..3 {
            let hits: Hits = self
                .s
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
        if let Some((_, hits)) = &best {
            for (c, _, _) in hits {
                self.used[*c] = true;
            }
        }
        best
    }

    /// Treatment columns: `<drug prefix><sep><part>` (`AT_given`, `tm_start_date`).
    fn course_columns(&mut self) -> BTreeMap<&'static str, BTreeMap<&'static str, usize>> {
        let mut courses: BTreeMap<&str, BTreeMap<&str, usize>> = BTreeMap::new();
        for (c, h) in self.s.header.iter().enumerate() {
            if self.used[c] {
                continue;
            }
            for sep in ['_', '.', '-', ' '] {
                let Some((pre, part)) = h.split_once(sep) else {
                    continue;
                };
                if let (Some(drug), Some(part)) = (
                    lookup(synonyms::DRUGS, pre),
                    lookup(synonyms::COURSE_PARTS, part),
                ) {
                    courses.entry(drug).or_default().insert(part, c);
                    self.used[c] = true;
                    break;
                }
            }
        }
        courses
    }

    /// `[patients]`: each canonical column by its synonyms, with code guesses.
    fn patients(&mut self) {
        let s = self.s;
        writeln!(self.out, "\n[patients]").unwrap();
        let spec = table_spec(TableKind::Patients);
        for (canonical, _) in synonyms::PATIENTS {
            let found = (0..s.header.len()).find(|&c| {
                !self.used[c] && lookup(synonyms::PATIENTS, &s.header[c]) == Some(*canonical)
            });
            let Some(c) = found else {
                if *canonical == "site_id" {
                    writeln!(
                        self.out,
                        "site_id = {{ value = \"site-1\" }}  # no site column found: one site; CHECK"
                    )
                    .unwrap();
                } else {
                    writeln!(self.out, "# {canonical} = \"...\"  # no column found").unwrap();
                }
                continue;
            };
            self.used[c] = true;
            let h = &s.header[c];
            let guess = if *canonical == "sex" {
                sex_guess(s, c)
            } else if spec.column(canonical).ty == ColumnType::Boolean {
                codes_guess(s, c)
            } else {
                None
            };
            let line = match guess {
                Some((extra, comment)) if !extra.is_empty() => {
                    let comment = if comment.is_empty() {
                        String::new()
                    } else {
                        format!("  # {comment}")
                    };
                    format!("{canonical} = {{ source = {}{extra} }}{comment}", q(h))
                }
                Some((_, comment)) => format!("{canonical} = {}  # {comment}", q(h)),
                None => format!("{canonical} = {}", q(h)),
            };
            writeln!(self.out, "{line}").unwrap();
        }
    }

    /// The outcome: the canonical day columns (written into `[patients]`), or an `[outcome]`
    /// table derived from a death indicator (returned, written after `extra`).
    fn outcome(&mut self) -> String {
        let s = self.s;
        let death = self.find(synonyms::DEATH_DAY);
        let last = self.find(synonyms::LAST_DAY);
        let stay = self.find(synonyms::STAY_END);
        let died = (0..s.header.len()).find(|&c| {
            let n = norm(&s.header[c]);
            !self.used[c]
                && Some(c) != death
                && synonyms::DIED_WORDS.iter().any(|w| n.contains(w))
                && s.distinct(c, 3).is_some_and(|d| !d.is_empty())
        });
        let mut outcome = String::new();
        if let Some(l) = last {
            for (key, c) in [
                ("last_day", Some(l)),
                ("death_day", death),
                ("discharge_day", stay),
            ] {
                if let Some(c) = c {
                    self.used[c] = true;
                    writeln!(self.out, "{key} = {}", self.day_ref(c)).unwrap();
                }
            }
            return outcome;
        }
        let Some(dc) = died else {
            writeln!(
                self.out,
                "# NO OUTCOME FOUND: map last_day (and death_day, discharge_day), or add an \
                 [outcome] table (died, within_days or in_hospital, death_day, stay_end)"
            )
            .unwrap();
            return outcome;
        };
        self.used[dc] = true;
        let name = &s.header[dc];
        let n = norm(name);
        let digits: String = n.chars().filter(char::is_ascii_digit).collect();
        let days: Option<u32> = digits.parse().ok().filter(|d| (1..=1000).contains(d));
        let died_value = match codes_guess(s, dc) {
            Some((extra, comment)) if !extra.is_empty() => {
                format!("{{ source = {}{extra} }}  # {comment}", q(name))
            }
            Some((_, comment)) => format!("{}  # {comment}", q(name)),
            None => q(name),
        };
        writeln!(outcome, "\n[outcome]\ndied = {died_value}").unwrap();
        let in_hosp = synonyms::IN_HOSPITAL_WORDS.iter().any(|w| n.contains(w));
        let covers = match (days, in_hosp) {
            (Some(d), false) => {
                format!("within_days = {d}  # from the name `{name}`: died by day {d} yes/no; confirm")
            }
            (_, true) => format!(
                "in_hospital = true  # GUESSED from the name `{name}`: death before discharge; confirm"
            ),
            (None, false) => format!(
                "within_days = 28  # GUESSED: say what `{name}` covers (within_days = N, or in_hospital = true)"
            ),
        };
        writeln!(outcome, "{covers}").unwrap();
        if let Some(c) = death {
            self.used[c] = true;
            writeln!(outcome, "death_day = {}", self.day_ref(c)).unwrap();
        }
        if let Some(c) = stay {
            self.used[c] = true;
            writeln!(
                outcome,
                "stay_end = {}  # the day the stay ended (discharge or death)",
                self.day_ref(c)
            )
            .unwrap();
        }
        outcome
    }

    /// Unit columns of the wide layout (`fib_unit`, `dd_basis`), by measurement.
    fn unit_columns(&self) -> HashMap<String, usize> {
        let mut unit_cols = HashMap::new();
        for c in (0..self.s.header.len()).filter(|&c| !self.used[c]) {
            let Some((stem, word)) = self.s.header[c].rsplit_once(['_', '.', ' ']) else {
                continue;
            };
            if matches!(norm(word).as_str(), "unit" | "units" | "basis") {
                if let Some(m) = lookup(synonyms::MEASURES, stem) {
                    unit_cols.insert(m.to_string(), c);
                }
            }
        }
        unit_cols
    }

    /// `extra`: what nothing matched (a score column pointed out).
    fn extra(&mut self, unit_cols: &HashMap<String, usize>) {
        let mut extra = Vec::new();
        let mut score_cols = Vec::new();
        for (c, h) in self.s.header.iter().enumerate() {
            if self.used[c] || unit_cols.values().any(|&u| u == c) {
                continue;
            }
            if synonyms::SCORES.iter().any(|w| norm(h).starts_with(w)) {
                score_cols.push(h.clone());
            }
            extra.push(h.clone());
        }
        let scores = if score_cols.is_empty() {
            String::new()
        } else {
            format!(
                "\n# ({} looks like a score dicohort computes from the day table: sofa_day1, \
                 jaam_day1, ...)",
                score_cols.join(", ")
            )
        };
        writeln!(
            self.out,
            "# Columns nothing matched, kept as covariates: delete those you do not need.{scores}"
        )
        .unwrap();
        writeln!(self.out, "extra = {}", qlist(&extra)).unwrap();
    }

    /// `[days]` of the wide layout: days, pattern and each measurement with its unit guess.
    fn wide_days(&mut self, p: usize, hits: &Hits, unit_cols: &HashMap<String, usize>) {
        let s = self.s;
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
        let pattern = pattern_text(p, stem0, &s.header[*c0], *day0);
        let days: Vec<String> = days.iter().map(u32::to_string).collect();
        writeln!(
            self.out,
            "\n[days]\nlayout = \"wide\"\ndays = [{}]\npattern = {}\n\n[days.columns]",
            days.join(", "),
            q(&pattern)
        )
        .unwrap();
        let dspec = table_spec(TableKind::Days);
        let mut order: Vec<(&str, (String, Vec<usize>))> = stems.into_iter().collect();
        order.sort_by_key(|(c, _)| dspec.index_of(c));
        for (canonical, (stem, cols)) in order {
            let entry = format!("stem = {}", q(&stem));
            if dspec.column(canonical).ty == ColumnType::Boolean {
                let line = match cols.iter().find_map(|&c| codes_guess(s, c)) {
                    Some((extra, comment)) if !extra.is_empty() => {
                        format!("{canonical} = {{ {entry}{extra} }}  # {comment}")
                    }
                    Some((_, comment)) => format!("{canonical} = {{ {entry} }}  # {comment}"),
                    None => format!("{canonical} = {{ {entry} }}"),
                };
                writeln!(self.out, "{line}").unwrap();
                continue;
            }
            if let Some(&uc) = unit_cols.get(canonical) {
                writeln!(self.out, "{}", per_row_units(s, canonical, &entry, uc)).unwrap();
                continue;
            }
            let mut vals: Vec<f64> = cols.iter().flat_map(|&c| s.numbers(c)).collect();
            let (unit, comment, ok) = unit_guess(canonical, &mut vals);
            let line = format!("{canonical} = {{ {entry}{unit} }}");
            write_measure(&mut self.out, &line, &comment, ok);
        }
    }

    /// `[[treatments]]` of the anticoagulant columns found.
    fn treatments(&mut self, courses: &BTreeMap<&str, BTreeMap<&str, usize>>) {
        let s = self.s;
        for (drug, parts) in courses {
            let Some(&start) = parts.get("start_day") else {
                continue;
            };
            writeln!(self.out, "\n[[treatments]]\ndrug = {}", q(drug)).unwrap();
            if let Some(&g) = parts.get("given") {
                let h = q(&s.header[g]);
                let line = match codes_guess(s, g) {
                    Some((extra, comment)) if !extra.is_empty() => {
                        format!("given = {{ source = {h}{extra} }}  # {comment}")
                    }
                    Some((_, comment)) => format!("given = {h}  # {comment}"),
                    None => format!("given = {h}"),
                };
                writeln!(self.out, "{line}").unwrap();
            }
            writeln!(self.out, "start_day = {}", self.day_ref(start)).unwrap();
            if let Some(&e) = parts.get("end_day") {
                writeln!(self.out, "end_day = {}", self.day_ref(e)).unwrap();
            }
            if let Some(&dz) = parts.get("dose") {
                writeln!(self.out, "dose = {}", q(&s.header[dz])).unwrap();
            }
        }
    }
}
