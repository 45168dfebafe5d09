//! The mapping language on small hand-written exports: errors naming the mapping file, line and
//! key; value codes; derived outcomes (death by day N, in-hospital death); dates; delimiters;
//! the long layout's repeated tests, unknown tests and units; the canonical folder as a mapping
//! gives the canonical loader's cohort; the plan's [cohort] keys.

use std::path::{Path, PathBuf};

use dicohort::cohort::valid_plan::ValidPlan;
use dicohort::load::mapping::Mapping;
use dicohort::load::{load_cohort, validate_cohort, LoadError, LoadOptions, ProblemKind};

use crate::common::root;

fn tmp(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("dicohort-mapping-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

fn opts(m: &Path) -> LoadOptions {
    LoadOptions {
        mapping: Some(m.to_path_buf()),
        ..LoadOptions::default()
    }
}

fn err(text: &str) -> String {
    Mapping::parse("my.toml", text).unwrap_err().to_string()
}

const BASE: &str =
    "[patients]\npatient_id = \"id\"\nsite_id = { value = \"H1\" }\nlast_day = \"last\"\n";

#[test]
fn mapping_errors_name_the_file_the_line_and_the_key() {
    let e = err(&format!("delimter = \";\"\n{BASE}"));
    assert!(
        e.starts_with(
            "my.toml: invalid mapping: line 1, delimter: unknown key (did you mean `delimiter`?)"
        ),
        "{e}"
    );
    let e = err(&format!("{BASE}colour = \"x\"\n"));
    assert!(
        e.contains("line 5, patients.colour: not a canonical patients column"),
        "{e}"
    );
    let e = err(&format!("{BASE}[days]\nlayout = \"wide\"\ndays = [1, 3]\npattern = \"{{stem}}_d{{day}}\"\n[days.columns]\nplatelet = \"plt\"\n"));
    assert!(e.contains("line 10, days.columns.platelet"), "{e}");
    assert!(e.contains("did you mean `platelets`"), "{e}");
    let e = err(&format!("{BASE}[days]\ndays = [1]\npattern = \"{{stem}}{{day}}\"\n[days.columns]\nplatelets = {{ stem = \"plt\", unit = \"x10^5/uL\" }}\n"));
    assert!(
        e.contains("line 9, days.columns.platelets.unit: unknown unit `x10^5/uL`"),
        "{e}"
    );
    assert!(e.contains("x10^4/uL"), "known units listed: {e}");
    let e = err(&format!(
        "{BASE}[days]\ndays = [0]\npattern = \"{{stem}}{{day}}\"\n[days.columns]\n"
    ));
    assert!(e.contains("days.days[0]: days start at 1"), "{e}");
    let e = err("[patients]\npatient_id = \"id\"\nsite_id = \"s\"\ndeath_day = { date = \"dod\" }\nlast_day = \"l\"\n");
    assert!(
        e.contains("line 4, patients.death_day: a date needs a [dates] table"),
        "{e}"
    );
    let e = err("[patients]\npatient_id = 3\n");
    assert!(
        e.contains("line 2, patients.patient_id: expected a column name (a string) or a table, found integer"),
        "{e}"
    );
    let e = err("[patients]\npatient_id = \"id\"\nsite_id = \"s\"\n");
    assert!(e.contains("no outcome"), "{e}");
    let e = err(&format!("{BASE}[[treatments]]\ndrug = \"heparin\"\nstart_day = \"s\"\n[courses]\nfile = \"c.csv\"\n"));
    assert!(
        e.contains("line 8, courses: ") && e.contains("not both"),
        "{e}"
    );
    let e = err("[patients\n");
    assert!(
        e.starts_with("my.toml: invalid mapping: line 1, (syntax)"),
        "{e}"
    );
    let e = err(&format!("{BASE}[days]\ndays = [1]\npattern = \"{{stem}}{{day}}\"\n[days.columns]\npt_ratio = {{ stem = \"pt\", unit = \"s\" }}\n"));
    assert!(
        e.contains("cannot be converted") && e.contains("factor"),
        "{e}"
    );
    let e = err(&format!("{BASE}[days]\ndays = [1]\npattern = \"{{stem}}{{day}}\"\n[days.columns]\nd_dimer = {{ stem = \"dd\", unit = \"ug/mL\" }}\n"));
    assert!(
        e.contains("unknown unit `ug/mL` for d_dimer"),
        "the basis must be stated: {e}"
    );
}

#[test]
fn value_codes_yes_no_and_japanese_codes_and_constants() {
    let dir = tmp("codes");
    write(
        &dir,
        "e.csv",
        "id,sex,hm,lf,last,vent_d1,plt_d1,tm\n\
         a,1,有,2,5,あり,150,1\n\
         b,2,無,1,7,なし,,2\n",
    );
    let m = write(
        &dir,
        "m.toml",
        "[patients]\npatient_id = \"id\"\nsite_id = { value = \"H1\" }\n\
         sex = { source = \"sex\", values = { \"1\" = \"M\", \"2\" = \"F\" } }\n\
         haematological_malignancy = \"hm\"\n\
         liver_failure = { source = \"lf\", yes = [\"1\"], no = [\"2\"] }\nlast_day = \"last\"\n\
         [days]\ndays = [1]\npattern = \"{stem}_d{day}\"\n[days.columns]\n\
         ventilated = \"vent\"\nplatelets = \"plt\"\n\
         [[treatments]]\ndrug = \"thrombomodulin\"\ngiven = { source = \"tm\", yes = [\"1\"], no = [\"2\"] }\nstart_day = \"last\"\n",
    );
    let (c, r) = load_cohort(&dir.join("e.csv"), &opts(&m)).unwrap();
    assert!(r.is_valid(), "{r}");
    use dicohort::schema::Sex;
    assert_eq!(c.patients.sex, vec![Some(Sex::M), Some(Sex::F)]);
    assert_eq!(c.patients.site_id, vec!["H1", "H1"]);
    assert_eq!(
        c.patients.haematological_malignancy,
        vec![Some(true), Some(false)]
    );
    assert_eq!(c.patients.liver_failure, vec![Some(false), Some(true)]);
    assert_eq!(c.days.ventilated, vec![Some(true), Some(false)]);
    assert_eq!(c.treatments.len(), 1);
    // A code the mapping does not know is a problem naming row and column.
    write(
        &dir,
        "e.csv",
        "id,sex,hm,lf,last,vent_d1,plt_d1,tm\na,1,maybe,2,5,,,9\n",
    );
    let r = validate_cohort(&dir.join("e.csv"), &opts(&m)).unwrap();
    let cols: Vec<(Option<u64>, Option<&str>)> = r
        .problems
        .iter()
        .map(|p| (p.row, p.column.as_deref()))
        .collect();
    assert!(cols.contains(&(Some(1), Some("hm"))), "{r}");
    assert!(cols.contains(&(Some(1), Some("tm"))), "{r}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn death_by_day_n_with_the_day_of_death_or_the_length_of_stay() {
    let dir = tmp("within");
    write(
        &dir,
        "e.csv",
        "id,d28,dday,los\n\
         died_dday,yes,5,\n\
         died_los,yes,,9\n\
         alive_discharged,no,,12\n\
         alive_in_hospital,no,,\n\
         alive_long_stay,no,,40\n\
         died_after_28,no,33,33\n\
         bad_alive_but_dead,no,6,\n\
         bad_dead_no_day,yes,,\n\
         bad_unknown,,,10\n",
    );
    let m = write(
        &dir,
        "m.toml",
        "[patients]\npatient_id = \"id\"\nsite_id = { value = \"H\" }\n\
         [outcome]\ndied = \"d28\"\nwithin_days = 28\ndeath_day = \"dday\"\nstay_end = \"los\"\n",
    );
    let r = validate_cohort(&dir.join("e.csv"), &opts(&m)).unwrap();
    let bad: Vec<(u64, ProblemKind)> = r
        .problems
        .iter()
        .map(|p| (p.row.unwrap(), p.kind))
        .collect();
    assert_eq!(
        bad,
        vec![
            (7, ProblemKind::InconsistentOutcome),
            (8, ProblemKind::MissingValue),
            (9, ProblemKind::MissingValue)
        ],
        "{r}"
    );
    let o = LoadOptions {
        strict: false,
        ..opts(&m)
    };
    let (c, _) = load_cohort(&dir.join("e.csv"), &o).unwrap();
    let nan = f64::NAN;
    let want: [(&str, f64, f64, f64); 6] = [
        ("died_dday", 5.0, 5.0, nan),
        ("died_los", 9.0, 9.0, nan),
        ("alive_discharged", nan, 28.0, 12.0),
        ("alive_in_hospital", nan, 28.0, nan),
        ("alive_long_stay", nan, 40.0, 40.0),
        ("died_after_28", 33.0, 33.0, nan),
    ];
    assert_eq!(c.patients.len(), want.len());
    let eq = |a: f64, b: f64| (a.is_nan() && b.is_nan()) || a == b;
    for (i, (id, death, last, dis)) in want.iter().enumerate() {
        assert_eq!(c.patients.patient_id[i], *id);
        assert!(
            eq(c.patients.death_day[i], *death),
            "{id} death {}",
            c.patients.death_day[i]
        );
        assert!(
            eq(c.patients.last_day[i], *last),
            "{id} last {}",
            c.patients.last_day[i]
        );
        assert!(
            eq(c.patients.discharge_day[i], *dis),
            "{id} discharge {}",
            c.patients.discharge_day[i]
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn in_hospital_death_with_the_discharge_day_and_dates() {
    let dir = tmp("inhosp");
    write(
        &dir,
        "e.csv",
        "id;adm;end;died;tm_from\n\
         a;2024/02/27;2024/03/02;Y;2024/02/28\n\
         b;2024/12/30;2025/01/03;N;\n\
         c;2024/01/01;2024/13/01;N;\n",
    );
    let m = write(
        &dir,
        "m.toml",
        "[dates]\nadmission = \"adm\"\nformat = \"%Y/%m/%d\"\n\
         [patients]\npatient_id = \"id\"\nsite_id = { value = \"H\" }\n\
         [outcome]\ndied = \"died\"\nin_hospital = true\nstay_end = { date = \"end\" }\n\
         [[treatments]]\ndrug = \"thrombomodulin\"\nstart_day = { date = \"tm_from\" }\n",
    );
    let r = validate_cohort(&dir.join("e.csv"), &opts(&m)).unwrap();
    assert_eq!(r.problems.len(), 1, "{r}");
    let p = &r.problems[0];
    assert_eq!((p.row, p.column.as_deref()), (Some(3), Some("end")));
    assert!(
        p.message
            .contains("`2024/13/01` is not a date in the format %Y/%m/%d"),
        "{p}"
    );
    let o = LoadOptions {
        strict: false,
        ..opts(&m)
    };
    let (c, _) = load_cohort(&dir.join("e.csv"), &o).unwrap();
    // 2024 is a leap year: 27 Feb -> 2 Mar is day 5.
    assert_eq!(c.patients.death_day[0], 5.0);
    assert_eq!(c.patients.last_day[0], 5.0);
    assert!(c.patients.discharge_day[0].is_nan());
    // Across the year end: day 5, discharged alive, follow-up ends there.
    assert_eq!(c.patients.discharge_day[1], 5.0);
    assert_eq!(c.patients.last_day[1], 5.0);
    assert!(c.patients.death_day[1].is_nan());
    assert_eq!(c.treatments.start_day, vec![2.0]);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn semicolon_and_tab_exports_are_read_and_a_one_column_header_is_explained() {
    let dir = tmp("delim");
    let m = write(
        &dir,
        "m.toml",
        "[patients]\npatient_id = \"id\"\nsite_id = \"site\"\nlast_day = \"last\"\n",
    );
    for (name, sep) in [("a.csv", ";"), ("b.tsv", "\t"), ("c.txt", "|")] {
        write(
            &dir,
            name,
            &format!("id{sep}site{sep}last\np1{sep}H{sep}3\n"),
        );
        let (c, r) = load_cohort(&dir.join(name), &opts(&m)).unwrap();
        assert!(r.is_valid(), "{name}: {r}");
        assert_eq!(c.patients.site_id, vec!["H"], "{name}");
    }
    // The mapping's delimiter wins over the guess: a ';' file read as ',' is one column.
    let m2 = write(
        &dir,
        "m2.toml",
        "delimiter = \",\"\n[patients]\npatient_id = \"id\"\nsite_id = \"site\"\nlast_day = \"last\"\n",
    );
    let r = validate_cohort(&dir.join("a.csv"), &opts(&m2)).unwrap();
    assert!(
        r.warnings
            .iter()
            .any(|w| w.contains("the header is one column")),
        "{r}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_canonical_folder_delimited_by_semicolons_or_tabs_is_read_and_one_column_is_explained() {
    // Issue 13: semicolon- and tab-separated files were rejected with no hint about the
    // delimiter; a canonical folder is read with the delimiter its header line uses.
    let src = root().join("examples/source");
    let (want, _) = load_cohort(&src, &LoadOptions::default()).unwrap();
    for (tag, sep) in [("semi", ";"), ("tab", "\t")] {
        let dir = tmp(tag);
        for f in ["patients.csv", "days.csv", "treatments.csv"] {
            let text = std::fs::read_to_string(src.join(f)).unwrap();
            assert!(
                !text.contains('"'),
                "{f}: a quoted cell would need a CSV writer"
            );
            std::fs::write(dir.join(f), text.replace(',', sep)).unwrap();
        }
        let (c, r) = load_cohort(&dir, &LoadOptions::default()).unwrap();
        assert!(r.is_valid(), "{tag}: {r}");
        assert_eq!(c.patients.patient_id, want.patients.patient_id, "{tag}");
        assert_eq!(
            format!("{:?}", c.days.platelets),
            format!("{:?}", want.days.platelets),
            "{tag}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
    // A delimiter that is not detected: the header is one column, and the warning says so.
    let dir = tmp("space");
    for f in ["days.csv", "treatments.csv"] {
        std::fs::copy(src.join(f), dir.join(f)).unwrap();
    }
    let text = std::fs::read_to_string(src.join("patients.csv")).unwrap();
    std::fs::write(dir.join("patients.csv"), text.replace(',', " ")).unwrap();
    let r = validate_cohort(&dir, &LoadOptions::default()).unwrap();
    assert!(!r.is_valid());
    let hint: Vec<&String> = r
        .warnings
        .iter()
        .filter(|w| w.starts_with("patients.csv: the header is one column (`patient_id site_id"))
        .collect();
    assert_eq!(hint.len(), 1, "{r}");
    assert!(hint[0].contains("`,`, `;`, tab or `|`"), "{}", hint[0]);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn long_layout_repeated_tests_unknown_tests_and_row_units() {
    let dir = tmp("long");
    write(&dir, "p.csv", "id,last\na,5\nb,5\n");
    write(
        &dir,
        "labs.csv",
        "id,day,test,value,unit\n\
         a,1,PLT,120,10^3/uL\n\
         a,1,PLT,90,10^3/uL\n\
         a,1,CRP,5,mg/dL\n\
         b,2,PLT,9.5,10^4/uL\n\
         b,2,FIB,3.1,g/L\n\
         b,3,FIB,300,mmol/L\n",
    );
    let text = |repeated: &str| {
        format!(
            "[patients]\npatient_id = \"id\"\nsite_id = {{ value = \"H\" }}\nlast_day = \"last\"\n\
             [days]\nlayout = \"long\"\nfile = \"labs.csv\"\npatient_id = \"id\"\nday = \"day\"\n\
             test = \"test\"\nvalue = \"value\"\nunit = \"unit\"\n[days.tests]\n\
             platelets = {{ names = [\"PLT\"], units = [\"10^3/uL\", \"10^4/uL\"]{repeated} }}\n\
             fibrinogen = {{ names = [\"FIB\"], units = {{ \"g/L\" = 100, \"mg/dL\" = 1 }} }}\n"
        )
    };
    let m = write(&dir, "m.toml", &text(""));
    let r = validate_cohort(&dir.join("p.csv"), &opts(&m)).unwrap();
    let kinds: Vec<(Option<u64>, ProblemKind)> =
        r.problems.iter().map(|p| (p.row, p.kind)).collect();
    assert_eq!(
        kinds,
        vec![
            (Some(2), ProblemKind::DuplicatePatientDay),
            (Some(6), ProblemKind::NotAllowed)
        ],
        "{r}"
    );
    assert!(
        r.problems[0].message.contains("rows 1, 2")
            && r.problems[0].message.contains("repeated = \"min\""),
        "{r}"
    );
    assert!(r.problems[1].message.contains("`mmol/L`"), "{r}");
    assert!(r.warnings.iter().any(|w| w.contains("CRP (1)")), "{r}");
    let m = write(&dir, "m.toml", &text(", repeated = \"min\""));
    let (c, _) = load_cohort(
        &dir.join("p.csv"),
        &LoadOptions {
            strict: false,
            ..opts(&m)
        },
    )
    .unwrap();
    assert_eq!(c.days.day, vec![1, 2]);
    assert_eq!(c.days.platelets, vec![90.0, 95.0]);
    assert_eq!(c.days.fibrinogen[1], 310.0);
    assert!(c.days.fibrinogen[0].is_nan());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_canonical_folder_read_through_its_mapping_is_the_canonical_cohort() {
    let src = root().join("examples/source");
    let (want, _) = load_cohort(&src, &LoadOptions::default()).unwrap();
    let dir = tmp("canon");
    let m = write(
        &dir,
        "m.toml",
        &std::fs::read_to_string(root().join("data-schema/canonical.mapping.toml"))
            .unwrap()
            .replace("extra = []", "extra = [\"infection_source\"]"),
    );
    let (got, r) = load_cohort(&src, &opts(&m)).unwrap();
    assert!(r.is_valid(), "{r}");
    // Debug output compares NaN (missing) as equal.
    assert_eq!(
        format!("{:?}", got.patients),
        format!("{:?}", want.patients)
    );
    assert_eq!(format!("{:?}", got.days), format!("{:?}", want.days));
    assert_eq!(
        format!("{:?}", got.treatments),
        format!("{:?}", want.treatments)
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn plan_cohort_file_and_mapping_keys() {
    let p =
        ValidPlan::from_toml("[cohort]\nfile = \"export.csv\"\nmapping = \"m.toml\"\n").unwrap();
    assert_eq!(p.cohort_path(), Some("export.csv"));
    assert_eq!(p.cohort_mapping(), Some("m.toml"));
    let e = ValidPlan::from_toml("[cohort]\nmapping = \"m.toml\"\n")
        .unwrap_err()
        .to_string();
    assert!(e.contains("cohort.mapping") && e.contains("file"), "{e}");
    let e = ValidPlan::from_toml("[cohort]\npath = \"d\"\nfile = \"e.csv\"\n")
        .unwrap_err()
        .to_string();
    assert!(e.contains("cohort.file") && e.contains("not both"), "{e}");
    let e = ValidPlan::from_toml("[cohort]\nmapping = \" \"\nfile = \"e.csv\"\n")
        .unwrap_err()
        .to_string();
    assert!(e.contains("cohort.mapping: must not be blank"), "{e}");
}

#[test]
fn a_missing_file_of_the_export_is_an_error_naming_it() {
    let dir = tmp("missing");
    write(&dir, "p.csv", "id,last\na,5\n");
    let m = write(
        &dir,
        "m.toml",
        "[patients]\npatient_id = \"id\"\nsite_id = { value = \"H\" }\nlast_day = \"last\"\n\
         [days]\nlayout = \"patient_day\"\nfile = \"days.csv\"\n[days.columns]\nplatelets = \"plt\"\n",
    );
    let e = load_cohort(&dir.join("p.csv"), &opts(&m)).unwrap_err();
    assert!(matches!(e, LoadError::Io { .. }), "{e}");
    assert!(
        e.to_string().contains("days.csv") && e.to_string().contains("m.toml"),
        "{e}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
