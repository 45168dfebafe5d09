//! The MIMIC-IV import against the registry it came from: `simulate --format mimic-iv` writes the
//! synthetic registry as MIMIC-IV tables, `import mimic-iv` reads them back, and every score,
//! exposure and outcome equals the registry's (the registry first reduced to what MIMIC-IV can
//! carry: no APACHE II, malignancy, liver failure, TAT, bleeding or organ failure; an ICU day
//! without a vasopressor infusion is "not given").

use std::path::PathBuf;
use std::process::Command;

use dicohort::cohort::exposure::{classify, ExposureDef};
use dicohort::cohort::outcome::{binary_death, time_to_death, Discharge};
use dicohort::load::mimic::{read_mimic, FollowUp, MimicOptions, SepsisRule};
use dicohort::schema::{Cohort, DayTable};
use dicohort::score::{score_days, ScoreConfig, ScoreName};
use dicohort::simulate::mimic::{extras, IMPORTED_DRUG};
use dicohort::simulate::model::DRUGS;
use dicohort::simulate::{
    simulate_cohort, simulate_patient, simulate_to_dir, SimFormat, SimParams,
};

fn tmp(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("dicohort-mimic-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// The registry as MIMIC-IV can carry it.
fn mimic_visible(mut c: Cohort) -> Cohort {
    let n = c.days.len();
    c.days.tat_x_uln = vec![f64::NAN; n];
    c.days.bleeding = vec![None; n];
    c.days.organ_failure = vec![None; n];
    for v in [
        &mut c.days.dopamine,
        &mut c.days.dobutamine,
        &mut c.days.epinephrine,
        &mut c.days.norepinephrine,
    ] {
        for x in v.iter_mut() {
            if x.is_nan() {
                *x = 0.0;
            }
        }
    }
    let p = &mut c.patients;
    p.apache2 = vec![f64::NAN; p.len()];
    p.haematological_malignancy = vec![None; p.len()];
    p.liver_failure = vec![None; p.len()];
    c
}

fn columns(d: &DayTable) -> Vec<(&'static str, Vec<u64>)> {
    let b = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    let f = |v: &[Option<bool>]| v.iter().map(|x| x.map_or(2, u64::from)).collect::<Vec<_>>();
    vec![
        ("day", d.day.iter().map(|&x| x as u64).collect()),
        ("platelets", b(&d.platelets)),
        ("pt_inr", b(&d.pt_inr)),
        ("pt_ratio", b(&d.pt_ratio)),
        ("pt_sec_prolongation", b(&d.pt_sec_prolongation)),
        ("fibrinogen", b(&d.fibrinogen)),
        ("fdp", b(&d.fdp)),
        ("d_dimer", b(&d.d_dimer)),
        ("antithrombin", b(&d.antithrombin)),
        ("tat_x_uln", b(&d.tat_x_uln)),
        ("temperature", b(&d.temperature)),
        ("heart_rate", b(&d.heart_rate)),
        ("resp_rate", b(&d.resp_rate)),
        ("paco2", b(&d.paco2)),
        ("wbc", b(&d.wbc)),
        ("immature_pct", b(&d.immature_pct)),
        ("pao2_fio2", b(&d.pao2_fio2)),
        ("ventilated", f(&d.ventilated)),
        ("map", b(&d.map)),
        ("dopamine", b(&d.dopamine)),
        ("dobutamine", b(&d.dobutamine)),
        ("epinephrine", b(&d.epinephrine)),
        ("norepinephrine", b(&d.norepinephrine)),
        ("gcs", b(&d.gcs)),
        ("bilirubin", b(&d.bilirubin)),
        ("creatinine", b(&d.creatinine)),
        ("urine_output", b(&d.urine_output)),
        ("bleeding", f(&d.bleeding)),
        ("organ_failure", f(&d.organ_failure)),
    ]
}

fn import(dir: &std::path::Path, follow_up: FollowUp) -> Cohort {
    let opts = MimicOptions {
        sepsis: SepsisRule::Flag,
        follow_up,
        ..Default::default()
    }
    .check()
    .unwrap();
    read_mimic(dir, &opts).unwrap().cohort
}

#[test]
fn simulated_mimic_iv_imports_back_to_the_registry() {
    let params = SimParams::new(240, 11);
    let dir = tmp("roundtrip");
    simulate_to_dir(&params, SimFormat::MimicIv, &dir).unwrap();
    let (registry, _) = simulate_cohort(&params).unwrap();
    let want = mimic_visible(registry);
    let got = import(&dir, FollowUp::InHospital);

    // Same stays in the same order: stay 30000001 + i is registry patient i.
    let n = want.patients.len();
    assert_eq!(got.patients.len(), n);
    for i in 0..n {
        assert_eq!(got.patients.patient_id[i], (30_000_001 + i).to_string());
        assert_eq!(want.patients.patient_id[i], format!("P{:08}", i + 1));
    }
    assert_eq!(got.patients.age, want.patients.age);
    assert_eq!(got.patients.sex, want.patients.sex);

    // Every day value, bit for bit (NaN = missing on both sides).
    assert_eq!(got.days.patient, want.days.patient);
    for ((name, a), (_, b)) in columns(&got.days).into_iter().zip(columns(&want.days)) {
        let bad = a.iter().zip(&b).position(|(x, y)| x != y);
        assert!(bad.is_none(), "days.{name} differs at row {bad:?}");
    }

    // Every score.
    let cfg = ScoreConfig::default();
    let (sg, sw) = (
        score_days(&got.days, &got.patients, &cfg).unwrap(),
        score_days(&want.days, &want.patients, &cfg).unwrap(),
    );
    assert_eq!(sg.columns, sw.columns);

    // Exposures: the registry's four drugs are the imported four, and heparin prophylaxis is
    // not among them.
    let def = |drugs: Vec<String>| ExposureDef {
        drugs,
        ..Default::default()
    };
    let eg = classify(
        &def(IMPORTED_DRUG.iter().map(|s| s.to_string()).collect()),
        &got.treatments,
        n,
    )
    .unwrap();
    let ew = classify(&def(vec!["any_anticoagulant".into()]), &want.treatments, n).unwrap();
    assert_eq!(format!("{:?}", eg.start_day), format!("{:?}", ew.start_day));
    assert_eq!(eg.in_window, ew.in_window);
    assert!(eg.n_in_window() > 30, "{}", eg.n_in_window());
    let mut courses_got = Vec::new();
    let mut prophylaxis = Vec::new();
    for r in 0..got.treatments.len() {
        let t = &got.treatments;
        let row = (t.patient[r], t.start_day[r], t.end_day[r]);
        if t.drug[r] == "heparin_prophylactic" {
            prophylaxis.push(row);
        } else {
            courses_got.push((t.drug[r].clone(), row, t.dose[r]));
        }
    }
    let w = &want.treatments;
    let mut courses_want: Vec<_> = (0..w.len())
        .map(|r| {
            let k = DRUGS.iter().position(|d| *d == w.drug[r]).unwrap();
            (
                IMPORTED_DRUG[k].to_string(),
                (w.patient[r], w.start_day[r], w.end_day[r]),
                w.dose[r],
            )
        })
        .collect();
    courses_got.sort_by(|a, b| format!("{a:?}").cmp(&format!("{b:?}")));
    courses_want.sort_by(|a, b| format!("{a:?}").cmp(&format!("{b:?}")));
    assert_eq!(courses_got, courses_want);
    let want_prophylaxis: Vec<(u32, f64, f64)> = (0..params.n_patients)
        .filter_map(|i| {
            let p = simulate_patient(&params, i);
            let d = extras(&params, &p).prophylaxis_days;
            (d > 0).then_some((i as u32, 1.0, f64::from(d)))
        })
        .collect();
    assert_eq!(prophylaxis, want_prophylaxis);
    assert!(!prophylaxis.is_empty());

    // Outcomes at the 28-day horizon, in all three forms.
    for rule in [Discharge::AliveToHorizon, Discharge::Censor] {
        assert_eq!(
            binary_death(&got.patients, 28, rule),
            binary_death(&want.patients, 28, rule)
        );
    }
    for i in 0..n {
        for rule in [Discharge::AliveToHorizon, Discharge::Censor] {
            assert_eq!(
                time_to_death(&got.patients, i, 0.0, 28, rule),
                time_to_death(&want.patients, i, 0.0, 28, rule),
                "patient {i}"
            );
        }
        let d28 = |c: &Cohort| {
            let d = c.patients.discharge_day[i];
            (d <= 28.0).then_some(d)
        };
        assert_eq!(d28(&got), d28(&want), "discharge of patient {i}");
    }
    assert_eq!(
        format!("{:?}", got.patients.death_day),
        format!("{:?}", want.patients.death_day)
    );

    // Sepsis-3: the culture is 2 h before admission and the antibiotic 1 h after it, so the
    // window holds day 1 only: Sepsis-3 is a blood culture and day-1 SOFA (lower bound) >= 2.
    let sepsis = got
        .patients
        .extra
        .iter()
        .find(|e| e.name == "sepsis3")
        .unwrap();
    let sofa = sw.get(ScoreName::Sofa).unwrap();
    let mut positive = 0;
    for (k, (a, _)) in want.days.patient_ranges().into_iter().enumerate() {
        let p = simulate_patient(&params, k as u64);
        let expected = extras(&params, &p).culture && sofa.min[a] >= 2;
        assert_eq!(sepsis.values[k] == 1.0, expected, "patient {k}");
        positive += usize::from(expected);
    }
    assert!(positive > n / 2 && positive < n, "{positive} of {n}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn linked_follow_up_adds_the_deaths_after_discharge() {
    let params = SimParams::new(200, 5);
    let dir = tmp("linked");
    simulate_to_dir(&params, SimFormat::MimicIv, &dir).unwrap();
    let got = import(&dir, FollowUp::Linked);
    let mut late = 0;
    for i in 0..params.n_patients as usize {
        let p = simulate_patient(&params, i as u64);
        let x = extras(&params, &p);
        let (death, disch, last) = (
            got.patients.death_day[i],
            got.patients.discharge_day[i],
            got.patients.last_day[i],
        );
        match (p.death_day, x.death_after_discharge) {
            (Some(d), _) => assert_eq!((death, last), (f64::from(d), f64::from(d))),
            (None, Some(d)) => {
                late += 1;
                assert_eq!(death, f64::from(d), "death after discharge, patient {i}");
                assert_eq!(disch, f64::from(p.discharge_day.unwrap()));
                assert_eq!(last, death);
            }
            (None, None) => {
                assert!(death.is_nan());
                // Known alive to a year after discharge (dod's linkage window).
                assert_eq!(last, disch + 365.0, "patient {i}");
            }
        }
    }
    assert!(late > 3, "{late} deaths after discharge");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn cli_simulate_import_validate_score_analyze() {
    let exe = env!("CARGO_BIN_EXE_dicohort");
    let root = tmp("cli");
    let (src, cohort) = (root.join("mimic"), root.join("cohort"));
    let run = |args: &[&std::ffi::OsStr]| {
        let out = Command::new(exe).args(args).output().unwrap();
        assert!(
            out.status.success(),
            "{:?}: {}{}",
            args,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).to_string()
    };
    let s = |x: &str| std::ffi::OsString::from(x);
    run(&[
        &s("simulate"),
        &s("--patients"),
        &s("300"),
        &s("--seed"),
        &s("3"),
        &s("--format"),
        &s("mimic-iv"),
        &s("--out"),
        src.as_os_str(),
    ]);
    let out = run(&[
        &s("import"),
        &s("mimic-iv"),
        &s("--source"),
        src.as_os_str(),
        &s("--out"),
        cohort.as_os_str(),
    ]);
    assert!(out.contains("with Sepsis-3"), "{out}");
    assert!(out.contains("no Sepsis-3"), "{out}");
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(cohort.join("import.json")).unwrap())
            .unwrap();
    assert_eq!(report["options"]["sepsis"], "require");
    assert!(report["day_definition"]
        .as_str()
        .unwrap()
        .contains("calendar day"));
    let out = run(&[&s("validate"), cohort.as_os_str()]);
    assert!(out.contains("problems: none"), "{out}");
    run(&[
        &s("score"),
        cohort.as_os_str(),
        &s("--out"),
        root.join("scores.csv").as_os_str(),
    ]);
    let plan =
        std::fs::read_to_string(common_root().join("tests/fixtures/mimic/plan.toml")).unwrap();
    std::fs::write(root.join("plan.toml"), &plan).unwrap();
    run(&[
        &s("analyze"),
        root.join("plan.toml").as_os_str(),
        &s("--out"),
        root.join("report").as_os_str(),
    ]);
    assert!(root.join("report/report.html").is_file());
    // The same plan reading the MIMIC-IV folder directly (`[cohort] source = "mimic-iv"`).
    let direct = plan.replace(
        "path = \"cohort\"",
        "path = \"mimic\"\nsource = \"mimic-iv\"",
    );
    assert_ne!(direct, plan);
    std::fs::write(root.join("direct.toml"), direct).unwrap();
    run(&[
        &s("analyze"),
        root.join("direct.toml").as_os_str(),
        &s("--out"),
        root.join("report-direct").as_os_str(),
    ]);
    // Same results; the plan echo differs (its [cohort] keys) and so does the flow: the direct
    // reading starts it with the import's own steps (stays, first stay, Sepsis-3).
    let read = |dir: &str| -> serde_json::Value {
        let f = root.join(dir).join("results/analysis.json");
        serde_json::from_str(&std::fs::read_to_string(f).unwrap()).unwrap()
    };
    let (a, b) = (read("report"), read("report-direct"));
    for k in ["outcomes", "exposure", "table1", "designs"] {
        assert!(a[k] == b[k], "analysis.json `{k}` differs");
    }
    let steps = |v: &serde_json::Value| v["flow"]["steps"].as_array().unwrap().len();
    assert_eq!(steps(&b), steps(&a) + 3);
    // Parquet output loads to the same cohort as CSV.
    run(&[
        &s("import"),
        &s("mimic-iv"),
        &s("--source"),
        src.as_os_str(),
        &s("--out"),
        root.join("parquet").as_os_str(),
        &s("--format"),
        &s("parquet"),
    ]);
    let opts = dicohort::load::LoadOptions::default();
    let (a, _) = dicohort::load::load_cohort(&cohort, &opts).unwrap();
    let (b, _) = dicohort::load::load_cohort(&root.join("parquet"), &opts).unwrap();
    // (Parquet extra columns are numbers: their text form differs, their values do not.)
    let (mut pa, mut pb) = (a.patients.clone(), b.patients.clone());
    for e in pa.extra.iter_mut().chain(pb.extra.iter_mut()) {
        e.text.clear();
    }
    assert!(format!("{pa:?}") == format!("{pb:?}"), "patients differ");
    assert!(
        format!("{:?}", a.days) == format!("{:?}", b.days),
        "days differ"
    );
    assert!(
        format!("{:?}", a.treatments) == format!("{:?}", b.treatments),
        "treatments differ"
    );
    std::fs::remove_dir_all(&root).unwrap();
}

fn common_root() -> PathBuf {
    crate::common::root()
}

#[test]
fn the_simulated_folder_has_mimic_iv_headers_and_whole_rows() {
    // Every row of every table has as many fields as its (MIMIC-IV v2.2) header.
    use std::io::Read;
    let dir = tmp("shape");
    simulate_to_dir(&SimParams::new(30, 2), SimFormat::MimicIv, &dir).unwrap();
    for (t, header) in dicohort::simulate::mimic::TABLES
        .iter()
        .zip(dicohort::simulate::mimic::HEADERS)
    {
        let f = std::fs::File::open(dir.join(format!("{t}.csv.gz"))).unwrap();
        let mut text = String::new();
        flate2::read::GzDecoder::new(f)
            .read_to_string(&mut text)
            .unwrap();
        let mut lines = text.lines();
        assert_eq!(lines.next(), Some(header), "{t}");
        let want = fields(header);
        let mut n = 0;
        for l in lines {
            assert_eq!(fields(l), want, "{t}: {l}");
            n += 1;
        }
        assert!(n > 0, "{t} is empty");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Number of fields of a CSV line (commas outside double quotes, plus one).
fn fields(line: &str) -> usize {
    let mut quoted = false;
    let mut n = 1;
    for c in line.chars() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => n += 1,
            _ => {}
        }
    }
    n
}

#[test]
fn same_bytes_whatever_the_thread_count() {
    // The simulated tables (rayon) and the imported cohort (polars' thread pool) do not depend
    // on the number of threads.
    let params = SimParams::new(150, 9);
    let rows = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| {
            let mut data: Vec<Vec<u8>> = vec![Vec::new(); SimFormat::MimicIv.files().len()];
            let mut tp = Vec::new();
            dicohort::simulate::write_registry(&params, SimFormat::MimicIv, &mut data, &mut tp)
                .unwrap();
            (data, tp)
        })
    };
    assert!(
        rows(1) == rows(3),
        "simulated MIMIC-IV rows differ by thread count"
    );

    let exe = env!("CARGO_BIN_EXE_dicohort");
    let root = tmp("threads");
    simulate_to_dir(&params, SimFormat::MimicIv, &root.join("mimic")).unwrap();
    let mut outputs = Vec::new();
    for threads in ["1", "3"] {
        let out = root.join(format!("cohort-{threads}"));
        let st = Command::new(exe)
            .env("POLARS_MAX_THREADS", threads)
            .args(["import", "mimic-iv", "--keep-non-sepsis", "--source"])
            .arg(root.join("mimic"))
            .arg("--out")
            .arg(&out)
            .output()
            .unwrap();
        assert!(
            st.status.success(),
            "{}",
            String::from_utf8_lossy(&st.stderr)
        );
        outputs.push(
            ["patients.csv", "days.csv", "treatments.csv", "import.json"]
                .map(|f| std::fs::read(out.join(f)).unwrap()),
        );
    }
    for (f, (a, b)) in ["patients.csv", "days.csv", "treatments.csv", "import.json"]
        .iter()
        .zip(outputs[0].iter().zip(&outputs[1]))
    {
        // import.json names its source folder, the same for both runs.
        assert!(a == b, "{f} differs between 1 and 3 threads");
    }
    std::fs::remove_dir_all(&root).unwrap();
}

#[test]
fn any_batch_size_imports_the_same_bytes() {
    // labevents and chartevents are read in batches of whole records merged exactly; 256 KiB
    // batches cut the 240-patient tables (10 MB and 4 MB of text) into about 55 batches.
    let params = SimParams::new(240, 5);
    let root = tmp("batches");
    simulate_to_dir(&params, SimFormat::MimicIv, &root.join("mimic")).unwrap();
    let mut outputs = Vec::new();
    for batch_bytes in [MimicOptions::default().batch_bytes, 1 << 18] {
        let opts = MimicOptions {
            sepsis: SepsisRule::Flag,
            batch_bytes,
            ..Default::default()
        }
        .check()
        .unwrap();
        let out = root.join(format!("cohort-{batch_bytes}"));
        dicohort::load::mimic::import_mimic(
            &root.join("mimic"),
            &out,
            dicohort::load::mimic::OutputFormat::Csv,
            &opts,
        )
        .unwrap();
        outputs.push(
            ["patients.csv", "days.csv", "treatments.csv", "import.json"]
                .map(|f| std::fs::read(out.join(f)).unwrap()),
        );
    }
    for (f, (a, b)) in ["patients.csv", "days.csv", "treatments.csv", "import.json"]
        .iter()
        .zip(outputs[0].iter().zip(&outputs[1]))
    {
        assert!(
            a == b,
            "{f} differs between the default and 256 KiB batches"
        );
    }
    let err = MimicOptions {
        batch_bytes: 0,
        ..Default::default()
    }
    .check()
    .unwrap_err();
    assert!(err.to_string().contains("batch_bytes"), "{err}");
    std::fs::remove_dir_all(&root).unwrap();
}
