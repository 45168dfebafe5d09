//! Unit plausibility on every load path: each listed wrong-unit case is caught with a message
//! naming file, column, median, the likely unit and the mapping line that fixes it (strict: a
//! problem; lenient: a warning and a flow note, the values never converted); a declared unit
//! that is wrong is described in the source unit; the simulator's registries raise no false
//! alarm in 20 seeds, canonical and registry-wide.

use std::path::{Path, PathBuf};

use dicohort::load::{load_cohort, validate_cohort, LoadOptions, ProblemKind, ValidationReport};
use dicohort::simulate::{simulate_to_dir, SimFormat, SimParams};

use crate::common::root;

fn tmp(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("dicohort-units-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// A copy of the canonical example source.
fn canonical_copy(tag: &str) -> PathBuf {
    let d = tmp(tag);
    for f in ["patients.csv", "days.csv", "treatments.csv"] {
        std::fs::copy(root().join("examples/source").join(f), d.join(f)).unwrap();
    }
    d
}

/// Rewrites every value of the columns of `file` whose header satisfies `which` through `f`.
fn edit_columns(file: &Path, which: impl Fn(&str) -> bool, f: impl Fn(f64) -> f64) {
    let text = std::fs::read_to_string(file).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let cols: Vec<usize> = (0..header.len()).filter(|&i| which(header[i])).collect();
    assert!(!cols.is_empty());
    let mut out = header.join(",") + "\n";
    for l in lines {
        let mut cells: Vec<String> = l.split(',').map(String::from).collect();
        for &c in &cols {
            if let Ok(v) = cells[c].parse::<f64>() {
                cells[c] = format!("{}", (f(v) * 1e6).round() / 1e6);
            }
        }
        out.push_str(&cells.join(","));
        out.push('\n');
    }
    std::fs::write(file, out).unwrap();
}

fn unit_problems(r: &ValidationReport) -> Vec<String> {
    r.problems
        .iter()
        .filter(|p| p.kind == ProblemKind::ImplausibleUnit)
        .map(|p| p.to_string())
        .collect()
}

/// (column, transform from the canonical unit, the unit it then looks like)
type Case = (&'static str, fn(f64) -> f64, &'static str);
const CASES: [Case; 9] = [
    ("platelets", |v| v / 10.0, "x10^4/uL"),
    ("fibrinogen", |v| v / 100.0, "g/L"),
    ("creatinine", |v| v * 88.4, "umol/L"),
    ("bilirubin", |v| v * 17.1, "umol/L"),
    ("temperature", |v| v * 9.0 / 5.0 + 32.0, "F"),
    ("d_dimer", |v| v * 1000.0, "ng/mL FEU"),
    ("pt_ratio", |v| v * 12.5, "s"),
    ("pt_inr", |v| v * 12.5, "s"),
    ("antithrombin", |v| v / 100.0, "IU/mL"),
];

#[test]
fn every_wrong_unit_case_is_caught_naming_column_median_unit_and_fix() {
    for (column, f, unit) in CASES {
        let dir = canonical_copy(column);
        edit_columns(&dir.join("days.csv"), |h| h == column, f);
        let strict = validate_cohort(&dir, &LoadOptions::default()).unwrap();
        let found = unit_problems(&strict);
        assert_eq!(found.len(), 1, "{column}: {found:?}");
        let msg = &found[0];
        assert!(
            msg.starts_with(&format!("days.csv, all rows, column `{column}`: median ")),
            "{msg}"
        );
        assert!(
            msg.contains(&format!("the values look like {unit}")),
            "{msg}"
        );
        let fix = if unit == "s" {
            format!("{column} = {{ source = \"{column}\", unit = \"s\", factor = ")
        } else {
            format!("{column} = {{ source = \"{column}\", unit = \"{unit}\" }}")
        };
        assert!(msg.contains(&fix), "{msg}");
        assert!(msg.contains("Nothing was converted"), "{msg}");
        println!("{column}: {msg}");
        // Strict loading refuses it; lenient loading warns, notes it in the flow, and keeps the
        // values as written.
        let err = load_cohort(&dir, &LoadOptions::default())
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("implausible") || err.contains("look like"),
            "{err}"
        );
        let (c, report) = load_cohort(&dir, &LoadOptions::lenient()).unwrap();
        assert!(report
            .warnings
            .iter()
            .any(|w| w.contains(&format!("look like {unit}"))));
        let note = c
            .flow
            .steps
            .iter()
            .find(|s| s.label.starts_with(&format!("unit check: {column} median")))
            .unwrap_or_else(|| panic!("{column}: no flow note in {:?}", c.flow));
        assert!(note.label.contains("not converted"), "{}", note.label);
        // The same finding validating (streamed) and loading.
        let lenient = validate_cohort(&dir, &LoadOptions::lenient()).unwrap();
        assert_eq!(
            lenient
                .warnings
                .iter()
                .filter(|w| w.contains("look like"))
                .count(),
            1,
            "{column}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

#[test]
fn lenient_values_in_a_wrong_unit_are_loaded_as_written_never_converted() {
    let dir = canonical_copy("asis");
    let (want, _) = load_cohort(&dir, &LoadOptions::default()).unwrap();
    edit_columns(&dir.join("days.csv"), |h| h == "platelets", |v| v / 10.0);
    let (c, _) = load_cohort(&dir, &LoadOptions::lenient()).unwrap();
    for (a, b) in c.days.platelets.iter().zip(&want.days.platelets) {
        assert!(
            (a.is_nan() && b.is_nan()) || (a * 10.0 - b).abs() < 1e-9,
            "{a} vs {b}"
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn platelets_and_fibrinogen_in_registry_units_no_longer_validate_with_problems_none() {
    // Issue 13: a canonical days.csv with platelets in x10^4/uL and fibrinogen in g/L validated
    // with "problems: none" and moved JAAM DIC on day 1 from 75 to 156 of 200 patients.
    let dir = canonical_copy("issue13");
    edit_columns(&dir.join("days.csv"), |h| h == "platelets", |v| v / 10.0);
    edit_columns(&dir.join("days.csv"), |h| h == "fibrinogen", |v| v / 100.0);
    let r = validate_cohort(&dir, &LoadOptions::default()).unwrap();
    let found = unit_problems(&r);
    assert_eq!(found.len(), 2, "{r}");
    assert!(!r.to_string().contains("problems: none"));
    // Stating the units in a mapping of the folder loads the registry's cohort.
    let m = dir.join("units.toml");
    let text = std::fs::read_to_string(root().join("data-schema/canonical.mapping.toml"))
        .unwrap()
        .replace(
            "platelets = \"platelets\"",
            "platelets = { source = \"platelets\", unit = \"x10^4/uL\" }",
        )
        .replace(
            "fibrinogen = \"fibrinogen\"",
            "fibrinogen = { source = \"fibrinogen\", unit = \"g/L\" }",
        );
    std::fs::write(&m, text).unwrap();
    let opts = LoadOptions {
        mapping: Some(m),
        ..LoadOptions::default()
    };
    let (c, report) = load_cohort(&dir, &opts).unwrap();
    assert!(report.is_valid(), "{report}");
    let (want, _) = load_cohort(&root().join("examples/source"), &LoadOptions::default()).unwrap();
    // Debug output compares NaN (missing) as equal.
    assert_eq!(
        format!("{:?}", c.days.platelets),
        format!("{:?}", want.days.platelets)
    );
    assert_eq!(
        format!("{:?}", c.days.fibrinogen),
        format!("{:?}", want.days.fibrinogen)
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_wrong_declared_unit_is_described_in_the_source_unit_with_the_mapping_line() {
    // The registry's platelets exported in x10^3/uL while the mapping says x10^4/uL.
    let dir = tmp("declared");
    simulate_to_dir(&SimParams::new(300, 21), SimFormat::RegistryWide, &dir).unwrap();
    edit_columns(
        &dir.join("registry_wide.csv"),
        |h| h.starts_with("plt_d"),
        |v| v * 10.0,
    );
    let r = validate_cohort(&dir, &LoadOptions::lenient()).unwrap();
    let w: Vec<&String> = r
        .warnings
        .iter()
        .filter(|w| w.contains("look like"))
        .collect();
    assert_eq!(w.len(), 1, "{r}");
    let msg = w[0];
    let line = dicohort::load::wide::EMBEDDED_MAPPING
        .lines()
        .position(|l| l.starts_with("platelets ="))
        .unwrap()
        + 1;
    assert!(msg.contains("column `plt_d1, plt_d3, plt_d7`"), "{msg}");
    // The median in the declared (source) unit, and what it was converted to.
    assert!(msg.contains(" x10^4/uL (= "), "{msg}");
    assert!(msg.contains("x10^3/uL as converted"), "{msg}");
    assert!(msg.contains("the values look like x10^3/uL"), "{msg}");
    assert!(
        msg.contains(&format!(
            "data-schema/registry-wide.mapping.toml line {line} (`days.columns.platelets`)"
        )),
        "{msg}"
    );
    assert!(msg.contains("platelets = { stem = \"plt\" }"), "{msg}");
    println!("{msg}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_wrong_unit_in_a_long_lab_export_is_caught_by_test_name() {
    let dir = tmp("long");
    for f in ["patients.csv", "labs.tsv", "drugs.csv", "mapping.toml"] {
        std::fs::copy(root().join("examples/long-labs").join(f), dir.join(f)).unwrap();
    }
    // Creatinine written in umol/L under its mg/dL unit.
    let labs = std::fs::read_to_string(dir.join("labs.tsv")).unwrap();
    let edited: Vec<String> = labs
        .lines()
        .map(|l| {
            let c: Vec<&str> = l.split('\t').collect();
            if c[2] == "CRE" {
                let v: f64 = c[3].parse().unwrap();
                format!(
                    "{}\t{}\t{}\t{}\t{}",
                    c[0],
                    c[1],
                    c[2],
                    (v * 88.4).round(),
                    c[4]
                )
            } else {
                l.to_string()
            }
        })
        .collect();
    std::fs::write(dir.join("labs.tsv"), edited.join("\n") + "\n").unwrap();
    let opts = LoadOptions {
        mapping: Some(dir.join("mapping.toml")),
        ..LoadOptions::default()
    };
    let r = validate_cohort(&dir.join("patients.csv"), &opts).unwrap();
    let found = unit_problems(&r);
    assert_eq!(found.len(), 1, "{r}");
    assert!(
        found[0].contains("column `result where test is CRE`"),
        "{}",
        found[0]
    );
    assert!(
        found[0].contains("creatinine = { names = [\"CRE\"], unit = \"umol/L\" }"),
        "{}",
        found[0]
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The exact median of a column's non-missing values.
fn median(col: &[f64]) -> Option<f64> {
    let mut v: Vec<f64> = col.iter().copied().filter(|x| !x.is_nan()).collect();
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    Some(v[(v.len() - 1) / 2])
}

#[test]
fn no_false_alarm_on_the_simulated_registries_in_20_seeds() {
    use dicohort::load::units::COLUMN_UNITS;
    // (column, lowest and highest cohort median over the seeds and formats)
    let mut seen: Vec<(&str, f64, f64)> = Vec::new();
    for seed in 1..=20u64 {
        for format in [SimFormat::Canonical, SimFormat::RegistryWide] {
            let dir = tmp(&format!("sim-{seed}"));
            simulate_to_dir(&SimParams::new(300, seed), format, &dir).unwrap();
            let r = validate_cohort(&dir, &LoadOptions::default()).unwrap();
            assert!(r.is_valid(), "seed {seed} {format:?}: {r}");
            let lenient = validate_cohort(&dir, &LoadOptions::lenient()).unwrap();
            assert!(
                !lenient.warnings.iter().any(|w| w.contains("implausible")),
                "seed {seed} {format:?}: {lenient}"
            );
            let (c, _) = load_cohort(&dir, &LoadOptions::default()).unwrap();
            let d = &c.days;
            for (name, col) in [
                ("platelets", &d.platelets),
                ("fibrinogen", &d.fibrinogen),
                ("d_dimer", &d.d_dimer),
                ("pt_ratio", &d.pt_ratio),
                ("pt_inr", &d.pt_inr),
                ("antithrombin", &d.antithrombin),
                ("temperature", &d.temperature),
                ("bilirubin", &d.bilirubin),
                ("creatinine", &d.creatinine),
            ] {
                let m = median(col).unwrap_or_else(|| panic!("{name}: no values"));
                match seen.iter_mut().find(|(n, _, _)| *n == name) {
                    Some((_, lo, hi)) => {
                        *lo = lo.min(m);
                        *hi = hi.max(m);
                    }
                    None => seen.push((name, m, m)),
                }
            }
            std::fs::remove_dir_all(&dir).unwrap();
        }
    }
    // Every watched column was judged, and each cohort median lies well inside its plausible
    // range (a factor of 1.3 from either end, 2 degrees for temperature), so the absence of
    // alarms is not luck.
    for (name, lo, hi) in &seen {
        let cu = COLUMN_UNITS.iter().find(|c| c.column == *name).unwrap();
        let (plo, phi) = cu.plausible_median.unwrap();
        println!(
            "{name}: cohort medians {lo}..{hi} {} (plausible {plo}..{phi})",
            cu.canonical
        );
    }
    for (name, lo, hi) in &seen {
        let cu = COLUMN_UNITS.iter().find(|c| c.column == *name).unwrap();
        let (plo, phi) = cu.plausible_median.unwrap();
        if *name == "temperature" {
            assert!(*lo > plo + 2.0 && *hi < phi - 2.0, "{name}: {lo}..{hi}");
        } else {
            assert!(*lo > plo * 1.3 && *hi < phi / 1.3, "{name}: {lo}..{hi}");
        }
    }
    assert_eq!(seen.len(), 9);
}
