//! The separate files of an export in `dicohort mapping init`: a days file (long: a test and a
//! value column; else patient_day) and a courses file.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

use super::guess::{codes_guess, unit_guess, write_measure};
use super::{q, qlist, Sample};
use crate::load::mapping::synonyms::{self, lookup, norm};
use crate::load::spec::{table_spec, ColumnType, TableKind};
use crate::load::units::{conversion, Affine};
use crate::load::validate::is_missing_token;

/// The columns of a separate days file `dicohort mapping init` recognised.
struct DaysColumns {
    id: usize,
    day: usize,
    /// The cell text of the day column: its name, or `{ date = ... }`.
    day_text: String,
    unit: Option<usize>,
}

/// The `[days]` table of a separate days file: long (a test and a value column) or
/// patient_day.
pub(super) fn draft_days_file(
    out: &mut String,
    main: &Sample,
    d: &Sample,
    date_of: &dyn Fn(&Sample, usize) -> bool,
) {
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
    let (Some(id), Some(day)) = (id, day) else {
        writeln!(
            out,
            "\n# {}: no patient id or day column recognised: write the [days] table by hand",
            d.name
        )
        .unwrap();
        return;
    };
    let day_text = if date_of(d, day) {
        format!("{{ date = {} }}", q(&d.header[day]))
    } else {
        q(&d.header[day])
    };
    let cols = DaysColumns {
        id,
        day,
        day_text,
        unit,
    };
    match (test, value) {
        (Some(test), Some(value)) => draft_long(out, d, &cols, test, value),
        _ => draft_patient_day(out, d, &cols),
    }
}

/// `[days]` of a long file: one row per patient, day and test.
fn draft_long(out: &mut String, d: &Sample, cols: &DaysColumns, test: usize, value: usize) {
    writeln!(
        out,
        "\n[days]\nlayout = \"long\"\nfile = {}\npatient_id = {}\nday = {}\ntest = {}\nvalue = {}",
        q(&d.name),
        q(&d.header[cols.id]),
        cols.day_text,
        q(&d.header[test]),
        q(&d.header[value])
    )
    .unwrap();
    if let Some(u) = cols.unit {
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
        draft_long_test(out, d, cols, value, canonical, &names, &rows);
    }
    if !unknown.is_empty() {
        writeln!(
            out,
            "# tests not recognised (skipped when loading): {}",
            unknown.join(", ")
        )
        .unwrap();
    }
}

/// One `[days.tests]` line: the test names of a canonical measurement, its units (from the
/// unit column, else guessed from the values) and how repeated values on a day are combined.
fn draft_long_test(
    out: &mut String,
    d: &Sample,
    cols: &DaysColumns,
    value: usize,
    canonical: &str,
    names: &[&str],
    rows: &[usize],
) {
    let names_s: Vec<String> = names.iter().map(|n| n.to_string()).collect();
    let entry = format!("names = {}", qlist(&names_s));
    // Repeated tests on one patient-day.
    let mut seen = BTreeSet::new();
    let repeated = rows
        .iter()
        .any(|&r| !seen.insert((d.cols[cols.id][r].as_str(), d.cols[cols.day][r].as_str())));
    let rep = if repeated {
        let how = match canonical {
            "platelets" | "fibrinogen" | "antithrombin" | "gcs" | "map" | "pao2_fio2" => "min",
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
    if let Some(u) = cols.unit {
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
            return;
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

/// `[days]` of a patient_day file: one row per patient and day, a column per measurement.
fn draft_patient_day(out: &mut String, d: &Sample, cols: &DaysColumns) {
    let (id, day) = (cols.id, cols.day);
    writeln!(
        out,
        "\n[days]\nlayout = \"patient_day\"\nfile = {}\npatient_id = {}\nday = {}\n\n[days.columns]",
        q(&d.name),
        q(&d.header[id]),
        cols.day_text
    )
    .unwrap();
    let dspec = table_spec(TableKind::Days);
    let mut measures: Vec<(&str, usize)> = (0..d.header.len())
        .filter(|&c| c != id && c != day)
        .filter_map(|c| lookup(synonyms::MEASURES, &d.header[c]).map(|m| (m, c)))
        .collect();
    measures.sort_by_key(|(m, _)| dspec.index_of(m));
    measures.dedup_by_key(|(m, _)| *m);
    let mut unknown = Vec::new();
    for c in 0..d.header.len() {
        if c != id && c != day && !measures.iter().any(|(_, k)| *k == c) {
            unknown.push(d.header[c].clone());
        }
    }
    for (canonical, c) in measures {
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
}

/// The `[courses]` table of a file with one row per course: its columns and the drug names
/// recoded to the canonical ones.
pub(super) fn draft_courses(
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
