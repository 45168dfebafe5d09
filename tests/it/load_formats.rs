//! The registry-wide format through the declarative mapping (problems named by the wide file's
//! own row and column, units converted explicitly), and Parquet input read like CSV.

use std::path::{Path, PathBuf};

use dicohort::load::{load_cohort, validate_cohort, LoadError, LoadOptions, ProblemKind};
use dicohort::simulate::{simulate_to_dir, SimFormat, SimParams};

fn tmp(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("dicohort-fmt-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// A small CSV held as header + rows of cells, edited by column name.
struct Csv {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Csv {
    fn read(p: &Path) -> Csv {
        let text = std::fs::read_to_string(p).unwrap();
        let mut lines = text
            .lines()
            .map(|l| l.split(',').map(String::from).collect::<Vec<_>>());
        let header = lines.next().unwrap();
        Csv {
            header,
            rows: lines.collect(),
        }
    }
    fn col(&self, name: &str) -> usize {
        self.header.iter().position(|h| h == name).unwrap()
    }
    fn get(&self, row: usize, name: &str) -> &str {
        &self.rows[row - 1][self.col(name)]
    }
    fn set(&mut self, row: usize, name: &str, v: &str) {
        let c = self.col(name);
        self.rows[row - 1][c] = v.to_string();
    }
    /// First data row (1-based) satisfying `f`.
    fn find(&self, f: impl Fn(&Csv, usize) -> bool) -> usize {
        (1..=self.rows.len())
            .find(|&r| f(self, r))
            .expect("a matching row")
    }
    fn write(&self, p: &Path) {
        let mut s = self.header.join(",") + "\n";
        for r in &self.rows {
            s.push_str(&r.join(","));
            s.push('\n');
        }
        std::fs::write(p, s).unwrap();
    }
}

#[test]
fn registry_wide_problems_name_the_wide_row_and_column() {
    let dir = tmp("wide");
    simulate_to_dir(&SimParams::new(80, 5), SimFormat::RegistryWide, &dir).unwrap();
    let path = dir.join("registry_wide.csv");
    let mut w = Csv::read(&path);

    // Platelets written per uL/10^4 wrongly: 250 x10^4/uL = 2500 x10^3/uL, out of range.
    let r_plt = w.find(|w, r| !w.get(r, "plt_d1").is_empty());
    w.set(r_plt, "plt_d1", "250");
    // An unknown fibrinogen unit on a row with a fibrinogen value.
    let r_fib = w.find(|w, r| r != r_plt && !w.get(r, "fib_d1").is_empty());
    w.set(r_fib, "fib_unit", "mmol/L");
    w.set(r_fib, "fib_d3", "");
    w.set(r_fib, "fib_d7", "");
    // A yes/no column with another answer.
    let r_given = w.find(|w, r| r != r_plt && r != r_fib && w.get(r, "at_given") == "no");
    w.set(r_given, "at_given", "maybe");
    // A day-7 value for a patient who died before day 7.
    let r_dead = w.find(|w, r| {
        ![r_plt, r_fib, r_given].contains(&r)
            && w.get(r, "death_day").parse::<u32>().is_ok_and(|d| d < 7)
    });
    w.set(r_dead, "plt_d7", "5.5");
    // Sex recoded by the mapping (male/female -> M/F); an unmapped answer is a problem.
    let r_sex = w.find(|_, r| ![r_plt, r_fib, r_given, r_dead].contains(&r));
    w.set(r_sex, "sex", "unknown");
    w.write(&path);

    let report = validate_cohort(&dir, &LoadOptions::default()).unwrap();
    let find = |kind: ProblemKind| {
        report
            .problems
            .iter()
            .find(|p| p.kind == kind)
            .unwrap_or_else(|| panic!("no {kind:?} in {report}"))
    };
    let p = find(ProblemKind::OutOfRange);
    assert_eq!(
        (p.row, p.column.as_deref()),
        (Some(r_plt as u64), Some("plt_d1"))
    );
    assert!(
        p.message.contains("250 x10^4/uL (= 2500 x10^3/uL)"),
        "{}",
        p.message
    );
    let unit_problem = report
        .problems
        .iter()
        .find(|p| p.column.as_deref() == Some("fib_unit"))
        .unwrap();
    assert_eq!(unit_problem.row, Some(r_fib as u64));
    assert!(
        unit_problem.message.contains("mmol/L"),
        "{}",
        unit_problem.message
    );
    let p = find(ProblemKind::WrongType);
    assert_eq!(
        (p.row, p.column.as_deref()),
        (Some(r_given as u64), Some("at_given"))
    );
    let p = find(ProblemKind::DayAfterDeath);
    assert_eq!(
        (p.row, p.column.as_deref()),
        (Some(r_dead as u64), Some("plt_d7"))
    );
    let p = report
        .problems
        .iter()
        .find(|p| p.column.as_deref() == Some("sex"))
        .unwrap();
    assert_eq!(
        (p.row, p.kind),
        (Some(r_sex as u64), ProblemKind::NotAllowed)
    );
    assert_eq!(report.problems.len(), 5, "{report}");

    let err = load_cohort(&dir, &LoadOptions::default()).unwrap_err();
    assert!(matches!(err, LoadError::Invalid { strict: true, .. }));
    assert!(err
        .to_string()
        .contains(&format!("registry_wide.csv, row {r_plt}, column `plt_d1`")));

    // Lenient: the bad patient-days and the sex row's patient are excluded and counted.
    let (c, _) = load_cohort(&dir, &LoadOptions::lenient()).unwrap();
    let step = |table: &str| {
        c.flow
            .steps
            .iter()
            .find(|s| s.label == format!("read and checked: registry_wide.csv ({table})"))
            .unwrap()
            .clone()
    };
    let reason = |k: ProblemKind, n: u64| (k.reason().to_string(), n);
    let pats = step("patients");
    assert_eq!(pats.excluded, vec![reason(ProblemKind::NotAllowed, 1)]);
    assert_eq!(c.patients.len(), 79);
    let days = step("days");
    // Its days: those of 1, 3, 7 up to its last day (the simulator writes a row for each).
    let sex_days = {
        let w = Csv::read(&path);
        let last: u32 = w.get(r_sex, "last_day").parse().unwrap();
        [1, 3, 7].iter().filter(|&&d| d <= last).count() as u64
    };
    assert_eq!(
        days.excluded,
        vec![
            reason(ProblemKind::OutOfRange, 1),
            reason(ProblemKind::NotAllowed, 1),
            reason(ProblemKind::DayAfterDeath, 1),
            reason(ProblemKind::PatientExcluded, sex_days),
        ]
    );
    let tr = step("treatments");
    assert_eq!(tr.excluded[0], reason(ProblemKind::WrongType, 1));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn parquet_tables_load_like_csv() {
    use polars::prelude::*;
    let dir = tmp("pq-csv");
    let pq = tmp("pq");
    simulate_to_dir(&SimParams::new(50, 9), SimFormat::Canonical, &dir).unwrap();
    std::fs::create_dir_all(&pq).unwrap();
    for t in ["patients", "days", "treatments"] {
        let mut df = CsvReadOptions::default()
            .with_has_header(true)
            .with_infer_schema_length(Some(10_000))
            .try_into_reader_with_file_path(Some(dir.join(format!("{t}.csv"))))
            .unwrap()
            .finish()
            .unwrap();
        let f = std::fs::File::create(pq.join(format!("{t}.parquet"))).unwrap();
        ParquetWriter::new(f).finish(&mut df).unwrap();
    }
    let (a, _) = load_cohort(&dir, &LoadOptions::default()).unwrap();
    let (b, report) = load_cohort(&pq, &LoadOptions::default()).unwrap();
    assert!(
        report.files.iter().all(|f| f.ends_with(".parquet")),
        "{:?}",
        report.files
    );
    assert_eq!(format!("{:?}", a.days), format!("{:?}", b.days));
    assert_eq!(format!("{:?}", a.treatments), format!("{:?}", b.treatments));
    assert_eq!(a.patients.patient_id, b.patients.patient_id);
    assert_eq!(
        format!("{:?}", a.patients.age),
        format!("{:?}", b.patients.age)
    );
    assert_eq!(a.patients.sex, b.patients.sex);
    // A folder with both forms of a table is ambiguous, not silently resolved.
    std::fs::copy(dir.join("days.csv"), pq.join("days.csv")).unwrap();
    let err = load_cohort(&pq, &LoadOptions::default())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("days.csv") && err.contains("days.parquet"),
        "{err}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
    std::fs::remove_dir_all(&pq).unwrap();
}

#[test]
fn a_custom_mapping_file_replaces_the_embedded_one() {
    let dir = tmp("mapping");
    simulate_to_dir(&SimParams::new(30, 4), SimFormat::RegistryWide, &dir).unwrap();
    std::fs::rename(dir.join("registry_wide.csv"), dir.join("export.csv")).unwrap();
    let embedded = dicohort::load::wide::EMBEDDED_MAPPING;
    // Another registry's export: its file and its site column are named differently.
    let text = embedded
        .replace("file = \"registry_wide\"", "file = \"export\"")
        .replace("site_id = \"facility\"", "site_id = \"hospital\"");
    let csv = std::fs::read_to_string(dir.join("export.csv")).unwrap();
    std::fs::write(
        dir.join("export.csv"),
        csv.replacen("facility", "hospital", 1),
    )
    .unwrap();
    let mapping = dir.join("my.mapping.toml");
    std::fs::write(&mapping, text).unwrap();

    // Without the mapping the folder holds no known cohort.
    let err = load_cohort(&dir, &LoadOptions::default())
        .unwrap_err()
        .to_string();
    assert!(err.contains("no cohort found"), "{err}");
    let opts = LoadOptions {
        mapping: Some(mapping.clone()),
        ..LoadOptions::default()
    };
    let (c, report) = load_cohort(&dir, &opts).unwrap();
    assert!(report.is_valid(), "{report}");
    assert_eq!(c.patients.len(), 30);
    assert!(c.patients.site_id.iter().all(|s| s.starts_with('J')));

    // A malformed mapping is a typed error naming the mapping file.
    std::fs::write(&mapping, "file = \"export\"\nyes = []\n").unwrap();
    let err = load_cohort(&dir, &opts).unwrap_err();
    assert!(matches!(err, LoadError::MappingValue { .. }), "{err}");
    assert!(err.to_string().contains("my.mapping.toml"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn truncated_registry_wide_row() {
    let dir = tmp("wide-cut");
    simulate_to_dir(&SimParams::new(12, 6), SimFormat::RegistryWide, &dir).unwrap();
    let path = dir.join("registry_wide.csv");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    let header: Vec<&str> = lines[0].split(',').collect();
    let cut: String = lines[5].split(',').take(20).collect::<Vec<_>>().join(",");
    lines[5] = &cut;
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    let report = validate_cohort(&dir, &LoadOptions::default()).unwrap();
    assert_eq!(report.problems.len(), 1, "{report}");
    let p = &report.problems[0];
    assert_eq!(
        (p.row, p.column.as_deref(), p.kind),
        (Some(5), Some(header[20]), ProblemKind::RaggedRow)
    );
    let (c, _) = load_cohort(&dir, &LoadOptions::lenient()).unwrap();
    assert_eq!(c.patients.len(), 11);
    let step = c
        .flow
        .steps
        .iter()
        .find(|s| s.label == "read and checked: registry_wide.csv (patients)")
        .unwrap();
    assert_eq!(
        step.excluded,
        vec![(ProblemKind::RaggedRow.reason().to_string(), 1)]
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
