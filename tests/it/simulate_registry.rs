//! The synthetic registry: simulate -> validate -> load in both formats, determinism (bytes
//! identical for a seed, whatever the thread count), the embedded default registry equal to
//! simulate + load, and the planted truth consistent with the written data.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common;
use dicohort::load::{load_cohort, validate_cohort, CohortFormat, LoadOptions};
use dicohort::schema::Cohort;
use dicohort::score::{score_days, Dx, ScoreConfig, ScoreName};
use dicohort::simulate::{
    default_registry, default_truth, dic_decided_in_data, simulate_patient, simulate_to_dir,
    write_registry, SimFormat, SimParams, DEFAULT_PATIENTS, DEFAULT_SEED,
};

fn tmp(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("dicohort-sim-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn read(dir: &Path, f: &str) -> Vec<u8> {
    std::fs::read(dir.join(f)).unwrap()
}

#[test]
fn canonical_and_registry_wide_simulations_validate_and_agree() {
    let params = SimParams::new(400, 2011);
    let canon = tmp("canon");
    let wide = tmp("wide");
    let t1 = simulate_to_dir(&params, SimFormat::Canonical, &canon).unwrap();
    let t2 = simulate_to_dir(&params, SimFormat::RegistryWide, &wide).unwrap();
    assert_eq!(
        t1.counts, t2.counts,
        "same seed, same patients, whatever the format"
    );

    let report = validate_cohort(&canon, &LoadOptions::default()).unwrap();
    assert!(report.is_valid(), "{report}");
    let (c, r) = load_cohort(&canon, &LoadOptions::default()).unwrap();
    assert_eq!(r.format, CohortFormat::Canonical);
    assert_eq!(c.patients.len() as u64, t1.counts.patients);
    assert_eq!(c.days.len() as u64, t1.counts.patient_days);
    assert_eq!(c.treatments.len() as u64, t1.counts.treatment_courses);

    let wreport = validate_cohort(&wide, &LoadOptions::default()).unwrap();
    assert!(wreport.is_valid(), "{wreport}");
    let (w, wr) = load_cohort(&wide, &LoadOptions::default()).unwrap();
    assert_eq!(wr.format, CohortFormat::RegistryWide);

    // Unit conversions are explicit and recorded.
    let conv: HashMap<(&str, &str), (f64, u64)> = w
        .conversions
        .iter()
        .map(|c| {
            (
                (c.column.as_str(), c.from_unit.as_str()),
                (c.factor, c.n_values),
            )
        })
        .collect();
    let (f, n) = conv[&("platelets", "x10^4/uL")];
    assert_eq!(f, 10.0);
    assert!(n > 0);
    assert_eq!(conv[&("fibrinogen", "g/L")].0, 100.0);
    assert!(
        !conv.contains_key(&("d_dimer", "DDU")),
        "DDU is never converted"
    );
    // D-dimer on the DDU basis is counted in the flow, not dropped silently.
    let dd = w
        .flow
        .steps
        .iter()
        .find(|s| s.label.starts_with("d_dimer values"))
        .expect("a flow step for DDU values");
    assert!(
        dd.excluded[0].1 > 0 && dd.excluded[0].0.contains("DDU"),
        "{dd:?}"
    );

    // Same patients; days 1, 3 and 7 equal the canonical rows after conversion.
    // (Debug strings: NaN, the missing value, is not == to itself.)
    assert_eq!(format!("{:?}", w.patients), format!("{:?}", c.patients));
    assert_eq!(format!("{:?}", w.treatments), format!("{:?}", c.treatments));
    let ddu_sites = ["J04", "J06", "J10"];
    let canon_rows: HashMap<(u32, i32), usize> = (0..c.days.len())
        .map(|i| ((c.days.patient[i], c.days.day[i]), i))
        .collect();
    let mut compared = 0;
    for j in 0..w.days.len() {
        let key = (w.days.patient[j], w.days.day[j]);
        assert!([1, 3, 7].contains(&key.1));
        let i = canon_rows[&key];
        let same = |a: &[f64], b: &[f64]| a[j].to_bits() == b[i].to_bits();
        assert!(
            same(&w.days.platelets, &c.days.platelets),
            "platelets {key:?}"
        );
        assert!(
            same(&w.days.fibrinogen, &c.days.fibrinogen),
            "fibrinogen {key:?}"
        );
        assert!(same(&w.days.pt_ratio, &c.days.pt_ratio));
        assert!(same(&w.days.fdp, &c.days.fdp));
        assert!(same(&w.days.urine_output, &c.days.urine_output));
        assert_eq!(w.days.ventilated[j], c.days.ventilated[i]);
        let site = &c.patients.site_id[key.0 as usize];
        if ddu_sites.contains(&site.as_str()) {
            assert!(w.days.d_dimer[j].is_nan());
        } else {
            assert!(same(&w.days.d_dimer, &c.days.d_dimer), "d_dimer {key:?}");
        }
        compared += 1;
    }
    let expected = (0..c.days.len())
        .filter(|&i| [1, 3, 7].contains(&c.days.day[i]))
        .count();
    assert_eq!(compared, expected);

    std::fs::remove_dir_all(&canon).unwrap();
    std::fs::remove_dir_all(&wide).unwrap();
}

#[test]
fn same_seed_same_bytes_different_seed_different_bytes() {
    let a = tmp("det-a");
    let b = tmp("det-b");
    let c = tmp("det-c");
    simulate_to_dir(&SimParams::new(150, 7), SimFormat::Canonical, &a).unwrap();
    simulate_to_dir(&SimParams::new(150, 7), SimFormat::Canonical, &b).unwrap();
    simulate_to_dir(&SimParams::new(150, 8), SimFormat::Canonical, &c).unwrap();
    for f in [
        "patients.csv",
        "days.csv",
        "treatments.csv",
        "truth.json",
        "truth_patients.csv",
    ] {
        assert_eq!(read(&a, f), read(&b, f), "{f}");
    }
    for f in ["patients.csv", "days.csv", "truth_patients.csv"] {
        assert_ne!(read(&a, f), read(&c, f), "{f}");
    }
    for d in [a, b, c] {
        std::fs::remove_dir_all(d).unwrap();
    }
}

#[test]
fn bytes_do_not_depend_on_the_thread_count() {
    // More patients than one parallel chunk, so chunking and ordering are exercised.
    let params = SimParams::new(5000, 99);
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| {
            let mut data: [Vec<u8>; 1] = Default::default();
            let mut tp = Vec::new();
            write_registry(&params, SimFormat::RegistryWide, &mut data, &mut tp).unwrap();
            (data, tp)
        })
    };
    assert_eq!(run(1), run(3));
}

#[test]
fn default_registry_equals_simulate_then_load() {
    let dir = tmp("default");
    simulate_to_dir(
        &SimParams::new(DEFAULT_PATIENTS, DEFAULT_SEED),
        SimFormat::Canonical,
        &dir,
    )
    .unwrap();
    let (from_disk, _) = load_cohort(&dir, &LoadOptions::default()).unwrap();
    let in_memory = default_registry();
    assert_cohorts_identical(&in_memory, &from_disk);
    assert_eq!(in_memory.patients.len(), 3000);

    let truth = String::from_utf8(read(&dir, "truth_patients.csv")).unwrap();
    let mut dic_truth = HashMap::new();
    for line in truth.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        dic_truth.insert(f[0].to_string(), (f[2] == "1", f[5].parse::<f64>().ok()));
    }

    // The planted effect modifier is what the score engine computes on the loaded registry:
    // day-1 JAAM DIC (score_days, the engine's split loops) is the truth wherever it is decided
    // by the written values; where the unrecorded FDP leaves it open, the truth lies within the
    // engine's bounds, and the simulator's own "decided in data" reading is the engine's.
    let scores = score_days(
        &from_disk.days,
        &from_disk.patients,
        &ScoreConfig::default(),
    )
    .unwrap();
    let jaam = scores.get(ScoreName::Jaam).unwrap();
    let jaam_dx = scores.dx(ScoreName::Jaam).unwrap();
    let d = &from_disk.days;
    let (mut decided, mut open, mut dic) = (0, 0, 0);
    for (s, _) in d.patient_ranges() {
        assert_eq!(d.day[s], 1);
        let k = d.patient[s] as usize;
        let pid = &from_disk.patients.patient_id[k];
        let (truth_dic, _) = dic_truth[pid];
        dic += usize::from(truth_dic);
        let sim = simulate_patient(&SimParams::new(DEFAULT_PATIENTS, DEFAULT_SEED), k as u64);
        assert_eq!(&sim.id(), pid);
        let (lo, hi) = (i16::from(jaam.min[s]), i16::from(jaam.max[s]));
        let full = i16::from(sim.jaam_day1);
        if d.fdp[s].is_nan() {
            assert_eq!(hi, lo + 3, "{pid}: only FDP is unrecorded on day 1");
            assert!((lo..=hi).contains(&full), "{pid}");
        } else {
            assert_eq!((lo, hi), (full, full), "{pid}");
        }
        if jaam_dx[s] == Dx::Indeterminate {
            open += 1;
        } else {
            assert_eq!(jaam_dx[s] == Dx::Positive, truth_dic, "{pid}");
            decided += 1;
        }
        let engine = match jaam_dx[s] {
            Dx::Positive => Some(true),
            Dx::Negative => Some(false),
            Dx::Indeterminate => None,
        };
        assert_eq!(dic_decided_in_data(&sim), engine, "{pid}");
    }
    let t = default_truth();
    assert_eq!(open as u64, t.counts.day1_dic_indeterminate_in_data);
    assert!(decided > 2800 && open > 0, "{decided} decided, {open} open");
    let prevalence = dic as f64 / 3000.0;
    assert!((0.30..0.40).contains(&prevalence), "{prevalence}");

    // Treatment starts in truth_patients.csv are the first course of each treated patient.
    let t = &from_disk.treatments;
    let mut first: HashMap<&str, f64> = HashMap::new();
    for i in 0..t.len() {
        let pid = from_disk.patients.patient_id[t.patient[i] as usize].as_str();
        let e = first.entry(pid).or_insert(f64::INFINITY);
        *e = e.min(t.start_day[i]);
    }
    for (pid, (_, start)) in &dic_truth {
        assert_eq!(first.get(pid.as_str()).copied(), *start, "{pid}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Equality that treats NaN as equal to NaN (bitwise on floats).
fn assert_cohorts_identical(a: &Cohort, b: &Cohort) {
    let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    assert_eq!(a.patients.patient_id, b.patients.patient_id);
    assert_eq!(a.patients.site_id, b.patients.site_id);
    assert_eq!(bits(&a.patients.age), bits(&b.patients.age));
    assert_eq!(bits(&a.patients.death_day), bits(&b.patients.death_day));
    assert_eq!(bits(&a.patients.last_day), bits(&b.patients.last_day));
    assert_eq!(
        bits(&a.patients.discharge_day),
        bits(&b.patients.discharge_day)
    );
    assert_eq!(a.patients.extra.len(), b.patients.extra.len());
    assert_eq!(format!("{:?}", a.patients), format!("{:?}", b.patients));
    assert_eq!(format!("{:?}", a.days), format!("{:?}", b.days));
    assert_eq!(format!("{:?}", a.treatments), format!("{:?}", b.treatments));
    assert_eq!(a.flow, b.flow);
    assert_eq!(a.conversions, b.conversions);
}

#[test]
fn cli_simulate_then_validate() {
    let exe = env!("CARGO_BIN_EXE_dicohort");
    for format in ["canonical", "registry-wide"] {
        let dir = tmp(&format!("cli-{format}"));
        let out = Command::new(exe)
            .args([
                "simulate",
                "--patients",
                "60",
                "--seed",
                "3",
                "--format",
                format,
                "--out",
            ])
            .arg(&dir)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let out = Command::new(exe)
            .arg("validate")
            .arg(&dir)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{stdout}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(stdout.contains("problems: none"), "{stdout}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
    // A bad folder: every problem printed, non-zero exit in strict mode, zero with --lenient.
    let dir = tmp("cli-bad");
    simulate_to_dir(&SimParams::new(20, 1), SimFormat::Canonical, &dir).unwrap();
    let days = String::from_utf8(read(&dir, "days.csv")).unwrap();
    let mut lines: Vec<String> = days.lines().map(String::from).collect();
    lines[2] = lines[2].replacen(",", ",x", 2); // row 2: day `x1`... and a second bad cell
    lines.push("P99999999,1".to_string());
    std::fs::write(dir.join("days.csv"), lines.join("\n") + "\n").unwrap();
    let out = Command::new(exe)
        .arg("validate")
        .arg(&dir)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success());
    assert!(stdout.contains("days.csv, row 2, column `day`"), "{stdout}");
    assert!(
        stdout.contains(&format!(
            "days.csv, row {}, column `platelets`",
            lines.len() - 1
        )),
        "{stdout}"
    );
    assert!(
        stdout.contains("unknown patient") || stdout.contains("truncated"),
        "{stdout}"
    );
    let out = Command::new(exe)
        .args(["validate", "--lenient"])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(out.status.success());
    let out = Command::new(exe)
        .args(["validate", "--lenient", "--json"])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let problems = v["problems"].as_array().unwrap();
    assert_eq!(problems[0]["file"], "days.csv");
    assert_eq!(problems[0]["row"], 2);
    assert_eq!(problems[0]["column"], "day");
    assert_eq!(v["flow"]["steps"][1]["n_in"], lines.len() as u64 - 1);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_planted_effect_acts_only_on_treated_dic_patients() {
    // Same seed, true HR 0.70 vs 1.0: every random draw is the same, so patients never treated
    // and non-DIC patients are identical, and treated DIC patients die less often.
    let with = SimParams::new(4000, 11);
    let mut without = with.clone();
    without.hr_dic = 1.0;
    let (mut deaths_with, mut deaths_without, mut treated_dic) = (0, 0, 0);
    for i in 0..with.n_patients {
        let a = simulate_patient(&with, i);
        let b = simulate_patient(&without, i);
        assert_eq!(a.dic, b.dic);
        assert_eq!(a.planned_start, b.planned_start);
        if !a.dic || a.planned_start.is_none() {
            assert_eq!(format!("{a:?}"), format!("{b:?}"), "patient {i}");
            continue;
        }
        // Before the first treatment day the courses are the same.
        let start = a.planned_start.unwrap();
        if a.last_day < start || b.last_day < start {
            assert_eq!((a.death_day, a.last_day), (b.death_day, b.last_day));
        }
        treated_dic += 1;
        deaths_with += u32::from(a.death_day.is_some());
        deaths_without += u32::from(b.death_day.is_some());
    }
    assert!(treated_dic > 800, "{treated_dic}");
    assert!(
        deaths_with < deaths_without,
        "{deaths_with} deaths with HR 0.7 vs {deaths_without} with HR 1.0"
    );
}

#[test]
fn treatment_depends_only_on_written_covariates_the_plan_adjusts_for() {
    // The assignment model's JAAM input is the plan column `jaam_lo_day1` as the score engine
    // computes it from the written day-1 row, and the assignment probability is a function of
    // (site, APACHE II, jaam_lo_day1) only: the plan's propensity covariates cover it.
    use dicohort::simulate::model::treatment_probability;
    use dicohort::simulate::simulate_canonical_in_memory;
    let params = SimParams::new(1500, 5);
    let ([p, d, t], _) = simulate_canonical_in_memory(&params).unwrap();
    let input = |name: &str, data: Vec<u8>| dicohort::load::Input::Bytes {
        name: name.into(),
        data,
    };
    let (c, _) = dicohort::load::load_canonical(
        &input("patients.csv", p),
        &input("days.csv", d),
        Some(&input("treatments.csv", t)),
        &LoadOptions::default(),
    )
    .unwrap();
    let scores = score_days(&c.days, &c.patients, &ScoreConfig::default()).unwrap();
    let jaam = scores.get(ScoreName::Jaam).unwrap();
    let plan = std::fs::read_to_string("plans/default.toml").unwrap();
    let plan: toml::Value = toml::from_str(&plan).unwrap();
    let covariates: Vec<&str> = plan["propensity"]["covariates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    for needed in ["site_id", "apache2", "jaam_lo_day1"] {
        assert!(
            covariates.contains(&needed),
            "{needed} not in {covariates:?}"
        );
    }
    let (mut checked, mut p_lo, mut p_hi) = (0, 1.0f64, 0.0f64);
    for (lo, _) in c.days.patient_ranges() {
        assert_eq!(c.days.day[lo], 1);
        let k = c.days.patient[lo] as usize;
        let s = simulate_patient(&params, k as u64);
        assert_eq!(c.patients.patient_id[k], s.id());
        assert_eq!(
            i16::from(jaam.min[lo]),
            i16::from(s.jaam_lo_day1),
            "{}",
            s.id()
        );
        assert_eq!(c.patients.apache2[k], s.apache2);
        let site = &dicohort::simulate::SITES[s.site];
        assert_eq!(c.patients.site_id[k], site.id);
        let pr = treatment_probability(site, s.apache2, s.jaam_lo_day1);
        (p_lo, p_hi) = (p_lo.min(pr), p_hi.max(pr));
        checked += 1;
    }
    assert_eq!(checked, 1500);
    // Strong confounding by indication: probabilities spread widely.
    assert!(p_lo < 0.05 && p_hi > 0.9, "{p_lo} {p_hi}");
}

#[test]
fn marginal_truth_is_the_cox_hr_of_the_pooled_potential_outcomes() {
    // truth.json's marginal hazard ratio (the simulator's own one-covariate Efron fit on daily
    // counts) equals `stats::cox::coxph` (Efron, as R survival) on the pooled counterfactual rows.
    use dicohort::simulate::model::{counterfactual_landmark, FOLLOW_UP_DAYS, LANDMARK_DAY};
    use dicohort::simulate::{dic_decided_in_data, simulate_canonical_in_memory, simulate_patient};
    use dicohort::stats::cox::{coxph, CoxData, CoxOptions};
    let params = SimParams::new(3000, 21);
    let (_, truth) = simulate_canonical_in_memory(&params).unwrap();
    let m = &truth.marginal_hazard_ratio;
    let mut rows: [(Vec<f64>, Vec<bool>, Vec<f64>); 4] = Default::default();
    for i in 0..params.n_patients {
        let p = simulate_patient(&params, i);
        let Some(arms) = counterfactual_landmark(&params, &p) else {
            assert!(p.last_day <= 3);
            continue;
        };
        let mut groups = vec![usize::from(!p.dic)];
        if let Some(dic) = dic_decided_in_data(&p) {
            groups.push(2 + usize::from(!dic));
        }
        for g in groups {
            for (arm, &(t, dead)) in arms.iter().enumerate() {
                rows[g].0.push(f64::from(t));
                rows[g].1.push(dead);
                rows[g].2.push(arm as f64);
            }
        }
    }
    // truth.json's default outcome follows patients discharged alive to the horizon (known
    // alive); `marginal_hazard_ratio_discharge_censored` censors them at discharge.
    let horizon = f64::from(FOLLOW_UP_DAYS - LANDMARK_DAY);
    let censored = &truth.marginal_hazard_ratio_discharge_censored;
    for (truths, alive_to_horizon) in [(m, true), (censored, false)] {
        let want = [
            truths.dic,
            truths.non_dic,
            truths.dic_as_decided_in_data,
            truths.non_dic_as_decided_in_data,
        ];
        for (g, (stop, event, arm)) in rows.iter().enumerate() {
            assert_eq!(stop.len() as u64, 2 * truths.n_landmark[g]);
            let stop: Vec<f64> = stop
                .iter()
                .zip(event)
                .map(|(&t, &dead)| {
                    if alive_to_horizon && !dead {
                        horizon
                    } else {
                        t
                    }
                })
                .collect();
            let x = vec![arm.clone()];
            let data = CoxData {
                start: None,
                stop: &stop,
                event,
                x: &x,
                strata: None,
                weights: None,
                cluster: None,
            };
            let fit = coxph(&data, &CoxOptions::default()).unwrap();
            let hr = fit.coef[0].exp();
            let got = want[g].unwrap();
            assert!(
                (got - hr).abs() <= 1e-6 * hr,
                "group {g} (alive to horizon: {alive_to_horizon}): truth.json {got} vs coxph {hr}"
            );
        }
    }
    assert_eq!(m.non_dic, Some(1.0));
    let dic = m.dic.unwrap();
    assert!(0.70 < dic && dic < 0.80, "{dic}");
}

/// The counterfactual counts of `SimParams::new(3000, 21)`: per group (0 DIC, 1 non-DIC, 2/3 the
/// same as decided in the data), arm (0 never treated, 1 treated from the landmark) and day
/// since the landmark, the exits and deaths, from `counterfactual_landmark` patient by patient.
fn counterfactual_counts(params: &SimParams) -> Vec<[u64; 5]> {
    use dicohort::simulate::model::counterfactual_landmark;
    let mut counts = std::collections::BTreeMap::new();
    for i in 0..params.n_patients {
        let p = simulate_patient(params, i);
        let Some(arms) = counterfactual_landmark(params, &p) else {
            assert!(p.last_day <= 3);
            continue;
        };
        let mut groups = vec![u64::from(!p.dic)];
        if let Some(dic) = dic_decided_in_data(&p) {
            groups.push(2 + u64::from(!dic));
        }
        for g in groups {
            for (arm, &(t, dead)) in arms.iter().enumerate() {
                let e: &mut (u64, u64) = counts.entry((g, arm as u64, u64::from(t))).or_default();
                e.0 += 1;
                e.1 += u64::from(dead);
            }
        }
    }
    counts
        .into_iter()
        .map(|((g, a, t), (n, d))| [g, a, t, n, d])
        .collect()
}

#[test]
fn marginal_truth_equals_r_coxph_on_the_pooled_potential_outcomes() {
    // truth.json's marginal hazard ratios equal R survival::coxph (Efron) fitted on the pooled
    // potential outcomes (tests/reference/simulate_marginal_truth.R, which expands the counts of
    // tests/reference/fixtures/simulate_counterfactual_counts.csv; regenerate that file with
    // DICOHORT_WRITE_FIXTURES=1 when the generative model changes on purpose).
    use dicohort::simulate::simulate_canonical_in_memory;
    let params = SimParams::new(3000, 21);
    let counts = counterfactual_counts(&params);
    let csv_path =
        common::root().join("tests/reference/fixtures/simulate_counterfactual_counts.csv");
    let mut csv = String::from("group,arm,time,n,deaths\n");
    for r in &counts {
        csv.push_str(&format!("{},{},{},{},{}\n", r[0], r[1], r[2], r[3], r[4]));
    }
    if std::env::var_os("DICOHORT_WRITE_FIXTURES").is_some() {
        std::fs::write(&csv_path, &csv).unwrap();
    }
    assert_eq!(
        std::fs::read_to_string(&csv_path).unwrap(),
        csv,
        "the simulator's counterfactual outcomes changed: regenerate the fixture and rerun the R script"
    );
    let r = common::fixture("simulate_marginal_truth");
    let (_, truth) = simulate_canonical_in_memory(&params).unwrap();
    // the counts are exits and deaths by day: follow-up censored at discharge alive
    let m = &truth.marginal_hazard_ratio_discharge_censored;
    let got = [
        m.dic,
        m.non_dic,
        m.dic_as_decided_in_data,
        m.non_dic_as_decided_in_data,
    ];
    for (g, name) in [
        "dic",
        "non_dic",
        "dic_as_decided_in_data",
        "non_dic_as_decided_in_data",
    ]
    .iter()
    .enumerate()
    {
        let want = common::num(&r["hr"][name]);
        common::assert_close(name, got[g].unwrap(), want);
        assert_eq!(m.n_landmark[g] as f64, common::num(&r["n"][name]), "{name}");
    }
    assert_eq!(m.non_dic, Some(1.0));
    let dic = m.dic.unwrap();
    assert!(0.70 < dic && dic < 0.80, "{dic}");
}

/// `simulate --potential-outcomes`: the potential outcomes written per patient, refitted pooled
/// (R's `coxph(Surv(time, death) ~ treated)`, Efron) among the patients whose DIC is decided in
/// the data, give exactly the marginal hazard ratio `truth.json` reports from its aggregates,
/// under an effect (HR 0.7) and with patients discharged alive followed to day 28. Each row also
/// carries the patient's true propensity score.
#[test]
fn potential_outcomes_refitted_give_the_marginal_truth() {
    use dicohort::stats::cox::{coxph, CoxData, CoxOptions};
    let dir = tmp("potential-outcomes");
    let mut params = SimParams::new(4000, 11);
    params.potential_outcomes = true;
    let truth = simulate_to_dir(&params, SimFormat::Canonical, &dir).unwrap();
    let text = String::from_utf8(read(&dir, "truth_patients.csv")).unwrap();
    let mut lines = text.lines();
    assert!(lines.next().unwrap().ends_with(
        ",dic_decided_in_data,untreated_time,untreated_death,treated_time,treated_death,\
         treatment_probability"
    ));
    let (mut time, mut death, mut arm) = (Vec::new(), Vec::new(), Vec::new());
    let mut landmark = 0;
    for l in lines {
        let f: Vec<&str> = l.split(',').collect();
        assert_eq!(f.len(), 12, "{l}");
        let e: f64 = f[11].parse().unwrap();
        assert!(e > 0.0 && e < 1.0, "{l}");
        if f[7].is_empty() {
            assert!(
                f[8].is_empty() && f[9].is_empty() && f[10].is_empty(),
                "{l}"
            );
            continue;
        }
        landmark += 1;
        if f[6] != "1" {
            continue;
        }
        for (a, (t, d)) in [(f[7], f[8]), (f[9], f[10])].into_iter().enumerate() {
            let died = d == "1";
            // alive to the horizon: a discharge before day 28 is followed to day 28 (25 days)
            time.push(if died { t.parse().unwrap() } else { 25.0 });
            death.push(died);
            arm.push(a as f64);
        }
    }
    assert!(landmark > 0 && !time.is_empty());
    let x = vec![arm];
    let fit = coxph(
        &CoxData {
            start: None,
            stop: &time,
            event: &death,
            x: &x,
            strata: None,
            weights: None,
            cluster: None,
        },
        &CoxOptions::default(),
    )
    .unwrap();
    let want = serde_json::to_value(&truth).unwrap()["marginal_hazard_ratio"]
        ["dic_as_decided_in_data"]
        .as_f64()
        .unwrap();
    common::assert_close("pooled potential-outcome HR", fit.coef[0].exp(), want);
    let _ = std::fs::remove_dir_all(&dir);
}
