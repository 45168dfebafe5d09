//! Cross-check of the scoring engine against an independent Python implementation
//! (`tests/reference/score_reference.py`: item functions from the rule text, missing inputs
//! imputed over candidate grids), on a random boundary-heavy cohort stored with the expected
//! min / max / dx of every score in `tests/reference/fixtures/score_reference.json`.
//! Every score, row and bound must match exactly, under two configurations.

use dicohort::schema::{DayTable, PatientTable};
use dicohort::score::{score_days, ScoreConfig, ScoreName};
use serde_json::Value;

fn nums(v: &Value, col: &str) -> Vec<f64> {
    assert!(v[col].is_array(), "column {col}");
    crate::common::nums(&v[col])
}

fn flags(v: &Value) -> Vec<Option<bool>> {
    v.as_array()
        .expect("flags")
        .iter()
        .map(Value::as_bool)
        .collect()
}

fn load() -> (Value, DayTable, PatientTable) {
    let fx = crate::common::fixture("score_reference");
    let d = &fx["days"];
    let days = DayTable {
        patient: nums(d, "patient").iter().map(|&x| x as u32).collect(),
        day: nums(d, "day").iter().map(|&x| x as i32).collect(),
        platelets: nums(d, "platelets"),
        pt_inr: nums(d, "pt_inr"),
        pt_ratio: nums(d, "pt_ratio"),
        pt_sec_prolongation: nums(d, "pt_sec_prolongation"),
        fibrinogen: nums(d, "fibrinogen"),
        fdp: nums(d, "fdp"),
        d_dimer: nums(d, "d_dimer"),
        antithrombin: nums(d, "antithrombin"),
        tat_x_uln: nums(d, "tat_x_uln"),
        temperature: nums(d, "temperature"),
        heart_rate: nums(d, "heart_rate"),
        resp_rate: nums(d, "resp_rate"),
        paco2: nums(d, "paco2"),
        wbc: nums(d, "wbc"),
        immature_pct: nums(d, "immature_pct"),
        pao2_fio2: nums(d, "pao2_fio2"),
        ventilated: flags(&d["ventilated"]),
        map: nums(d, "map"),
        dopamine: nums(d, "dopamine"),
        dobutamine: nums(d, "dobutamine"),
        epinephrine: nums(d, "epinephrine"),
        norepinephrine: nums(d, "norepinephrine"),
        gcs: nums(d, "gcs"),
        bilirubin: nums(d, "bilirubin"),
        creatinine: nums(d, "creatinine"),
        urine_output: nums(d, "urine_output"),
        bleeding: flags(&d["bleeding"]),
        organ_failure: flags(&d["organ_failure"]),
    };
    let p = &fx["patients"];
    let hm = flags(&p["haematological_malignancy"]);
    let n = hm.len();
    let patients = PatientTable {
        patient_id: (0..n).map(|i| format!("P{i}")).collect(),
        haematological_malignancy: hm,
        liver_failure: flags(&p["liver_failure"]),
        ..PatientTable::default()
    };
    (fx, days, patients)
}

#[test]
fn engine_matches_independent_python_reference() {
    let (fx, days, patients) = load();
    assert_eq!(days.len() as u64, fx["n_rows"].as_u64().unwrap());
    assert!(days.len() > 1000);
    let expected = fx["expected"].as_array().unwrap();
    assert_eq!(expected.len(), 2);
    for case in expected {
        let cfg: ScoreConfig = serde_json::from_value(case["config"].clone()).expect("config");
        let table = score_days(&days, &patients, &cfg).unwrap();
        let mut mismatches = Vec::new();
        let mut n_checked = 0usize;
        for name in ScoreName::ALL {
            let exp = &case["scores"][name.as_str()];
            let cols = table.get(name).unwrap();
            let emin = nums(exp, "min");
            let emax = nums(exp, "max");
            let edx: Option<Vec<String>> = exp.get("dx").map(|v| {
                v.as_array()
                    .unwrap()
                    .iter()
                    .map(|s| s.as_str().unwrap().to_string())
                    .collect()
            });
            assert_eq!(name.is_diagnostic(), edx.is_some(), "{name}");
            for i in 0..days.len() {
                let got_dx = cols.dx.as_ref().map(|d| d[i].as_str());
                let exp_dx = edx.as_ref().map(|d| d[i].as_str());
                n_checked += 1;
                if cols.min[i] as f64 != emin[i]
                    || cols.max[i] as f64 != emax[i]
                    || got_dx != exp_dx
                {
                    mismatches.push(format!(
                        "{name} row {} (patient {}, day {}): rust [{}, {}] {:?}, python [{}, {}] {:?}",
                        i + 1,
                        days.patient[i],
                        days.day[i],
                        cols.min[i],
                        cols.max[i],
                        got_dx,
                        emin[i],
                        emax[i],
                        exp_dx
                    ));
                }
            }
        }
        assert_eq!(n_checked, 9 * days.len());
        assert!(
            mismatches.is_empty(),
            "config {}: {} mismatches, first:\n{}",
            case["config"],
            mismatches.len(),
            mismatches
                .iter()
                .take(15)
                .cloned()
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
}

#[test]
fn fixture_exercises_every_outcome() {
    // The cohort must reach each diagnosis of each score and partial bounds, or the comparison
    // above proves little.
    let (fx, days, _) = load();
    for case in fx["expected"].as_array().unwrap() {
        for name in ScoreName::ALL.into_iter().filter(|n| n.is_diagnostic()) {
            let dx = case["scores"][name.as_str()]["dx"].as_array().unwrap();
            for want in ["positive", "negative", "indeterminate"] {
                let n = dx.iter().filter(|d| d.as_str() == Some(want)).count();
                assert!(n >= 20, "{name}: only {n} {want} of {}", days.len());
            }
        }
    }
}
