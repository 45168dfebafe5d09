//! `dicohort score DIR --out FILE`: contract columns, values, CSV and Parquet, config echo.

use std::path::PathBuf;
use std::process::Command;

use dicohort::load::table::read_table;

const PATIENTS: &str = "\
patient_id,site_id,age,sex,apache2,haematological_malignancy,liver_failure,death_day,last_day,discharge_day
A,S1,70,M,20,false,false,,28,20
B,S1,65,F,25,true,,5,5,
";

const DAYS: &str = "\
patient_id,day,platelets,pt_inr,pt_ratio,pt_sec_prolongation,fibrinogen,fdp,d_dimer,antithrombin,tat_x_uln,temperature,heart_rate,resp_rate,paco2,wbc,immature_pct,pao2_fio2,ventilated,map,dopamine,dobutamine,epinephrine,norepinephrine,gcs,bilirubin,creatinine,urine_output,bleeding,organ_failure
A,1,200,1.0,1.0,0.5,300,5,0.3,90,1,37,80,15,40,8,0,450,false,80,0,0,0,0,15,0.5,0.7,1500,false,false
A,2,140,1.3,1.3,2,250,12,1.5,70,2,38.5,100,22,30,14,5,250,true,65,0,0,0,0.05,13,1.5,1.5,800,false,false
B,1,40,1.5,1.5,6,90,30,5,60,3,39,120,30,28,2,15,90,true,60,10,0,0,0.2,8,3,3,150,true,true
B,2,,1.5,,,,,,,,,,,,,,,,,,,,,,,,,,
";

const TREATMENTS: &str = "\
patient_id,drug,start_day,end_day,dose,dose_unit
A,heparin,1,3,10000,U/day
";

fn cohort_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("dicohort-score-cli-{}-{tag}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("patients.csv"), PATIENTS).unwrap();
    std::fs::write(dir.join("days.csv"), DAYS).unwrap();
    std::fs::write(dir.join("treatments.csv"), TREATMENTS).unwrap();
    dir
}

fn score(dir: &PathBuf, out: &PathBuf, extra: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_dicohort"))
        .arg("score")
        .arg(dir)
        .arg("--out")
        .arg(out)
        .args(extra)
        .output()
        .unwrap()
}

#[test]
fn score_writes_contract_columns_and_config() {
    let dir = cohort_dir("csv");
    let out = dir.join("scores.csv");
    let o = score(&dir, &out, &[]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = std::fs::read_to_string(&out).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next().unwrap(),
        "patient_id,day,sirs_min,sirs_max,sofa_min,sofa_max,sofa4_min,sofa4_max,\
         jaam_min,jaam_max,jaam_dx,jaam2_min,jaam2_max,jaam2_dx,isth_min,isth_max,isth_dx,\
         sic_min,sic_max,sic_dx,jmhw_min,jmhw_max,jmhw_dx,jsth_min,jsth_max,jsth_dx"
    );
    // By hand. A day 2: SIRS 4; SOFA resp 2 (P/F 250), coag 1, liver 1, cardio 3 (norepinephrine
    // 0.05), CNS 1, renal 1 = 9, SOFA-4 7; JAAM 1 + 1 (200 -> 140 is a 30% fall) + 1 + 1 = 4;
    // ISTH 0 + 2 + 0 + 0 = 2; SIC 1 + 1 + 2 = 4 but PT + platelets 2: negative; JMHW 1 + 0 +
    // 0 + 0 (140) + 1 + 0 + 1 = 3; JSTH 0 + 1 (fall) + 1 + 1 + 1 + 1 (TAT 2) = 5.
    assert_eq!(lines.next().unwrap(), "A,1,0,0,0,0,0,0,0,0,negative,0,0,negative,0,0,negative,0,0,negative,1,1,negative,0,0,negative");
    assert_eq!(lines.next().unwrap(), "A,2,4,4,9,9,7,7,4,4,positive,3,3,positive,2,2,negative,4,4,negative,3,3,negative,5,5,positive");
    // B day 1: haematological malignancy (JMHW 1 + 1 + 2 + 2 + 1 = 7 >= 4); liver failure
    // unknown (JSTH 8 - 3 to 8).
    assert_eq!(lines.next().unwrap(), "B,1,4,4,20,20,14,14,8,8,positive,7,7,positive,8,8,positive,6,6,positive,7,7,positive,5,8,positive");
    // B day 2: everything missing but the INR.
    assert_eq!(lines.next().unwrap(), "B,2,0,4,0,24,0,16,0,8,indeterminate,0,7,indeterminate,0,8,indeterminate,2,6,indeterminate,1,9,indeterminate,-3,10,indeterminate");
    assert_eq!(lines.next(), None);
    let mut sidecar = out.clone().into_os_string();
    sidecar.push(".config.json");
    let echo: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&sidecar).unwrap()).unwrap();
    assert_eq!(echo["score_config"]["isth_marker"]["preset"], "fdp-jp");
    assert_eq!(echo["score_config"]["alternatives"], "bounds");
    assert_eq!(echo["n_patient_days"], 4);
    assert!(String::from_utf8_lossy(&o.stdout).contains("score_config"));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn score_parquet_subset_and_options() {
    let dir = cohort_dir("parquet");
    let out = dir.join("scores.parquet");
    let o = score(
        &dir,
        &out,
        &[
            "--scores",
            "isth,jaam",
            "--isth-marker",
            "ddimer-uln",
            "--ddimer-uln",
            "0.5",
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let t = read_table(&out).unwrap();
    assert_eq!(
        t.column_names(),
        vec![
            "patient_id",
            "day",
            "jaam_min",
            "jaam_max",
            "jaam_dx",
            "isth_min",
            "isth_max",
            "isth_dx"
        ]
    );
    // D-dimer preset (ULN 0.5): A day 2 D-dimer 1.5 (2x-4x ULN) -> moderate 2; B day 1 5.0 ->
    // strong 3.
    assert_eq!(t.f64_column("isth_min").unwrap(), vec![0.0, 2.0, 8.0, 0.0]);
    let mut sidecar = out.clone().into_os_string();
    sidecar.push(".config.json");
    let echo: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&sidecar).unwrap()).unwrap();
    assert_eq!(echo["score_config"]["isth_marker"]["uln"], 0.5);
    // Bad extension and unknown score: clear errors, non-zero exit.
    let o = score(&dir, &dir.join("scores.txt"), &[]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains(".csv or .parquet"));
    let o = score(&dir, &out, &["--scores", "sirs,apache"]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("unknown score `apache`"));
    std::fs::remove_dir_all(&dir).ok();
}
