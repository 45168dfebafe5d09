//! The parallel pass: identical to scoring each row with the per-score functions, identical for
//! any number of threads, 24-hour fall taken from the previous calendar day of the same patient
//! (across chunk boundaries too); plus patient-level labels and concordance tables.

use dicohort::schema::{DayTable, PatientTable};
use dicohort::score::fall::PlateletFall;
use dicohort::score::isth_overt::{isth_overt, IsthDay};
use dicohort::score::jaam::{jaam, JaamDay};
use dicohort::score::jaam2::{jaam2, Jaam2Day};
use dicohort::score::jmhw::{jmhw, JmhwDay};
use dicohort::score::jsth::{jsth, JsthDay};
use dicohort::score::labels::{
    concordance_days, concordance_patients, patient_labels, CoagGroup, CoagulopathyRule,
    CrossTable, LabelConfig,
};
use dicohort::score::sic::{sic, SicDay};
use dicohort::score::sirs::{sirs, SirsDay};
use dicohort::score::sofa::{sofa, SofaDay};
use dicohort::score::{score_days, Dx, Points, ScoreConfig, ScoreError, ScoreName, ScoreTable};

const NAN: f64 = f64::NAN;

/// A small deterministic generator (SplitMix64).
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn unif(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    /// Uniform on [lo, hi) rounded to 0.1, missing with probability 0.1.
    fn val(&mut self, lo: f64, hi: f64) -> f64 {
        if self.unif() < 0.1 {
            NAN
        } else {
            ((lo + (hi - lo) * self.unif()) * 10.0).round() / 10.0
        }
    }
    fn flag(&mut self) -> Option<bool> {
        match self.next() % 3 {
            0 => None,
            1 => Some(true),
            _ => Some(false),
        }
    }
}

fn random_cohort(n_patients: usize, max_days: u64, seed: u64) -> (DayTable, PatientTable) {
    let mut r = Rng(seed);
    let mut d = DayTable::default();
    let mut p = PatientTable::default();
    for pid in 0..n_patients {
        p.patient_id.push(format!("P{pid}"));
        p.haematological_malignancy.push(r.flag());
        p.liver_failure.push(r.flag());
        let mut day = 1;
        for _ in 0..(1 + r.next() % max_days) {
            d.patient.push(pid as u32);
            d.day.push(day);
            day += if r.unif() < 0.9 { 1 } else { 2 };
            d.platelets.push(r.val(0.0, 300.0));
            d.pt_inr.push(r.val(0.9, 2.0));
            d.pt_ratio.push(r.val(0.9, 2.0));
            d.pt_sec_prolongation.push(r.val(0.0, 8.0));
            d.fibrinogen.push(r.val(50.0, 400.0));
            d.fdp.push(r.val(0.0, 60.0));
            d.d_dimer.push(r.val(0.0, 5.0));
            d.antithrombin.push(r.val(30.0, 120.0));
            d.tat_x_uln.push(r.val(0.0, 4.0));
            d.temperature.push(r.val(35.0, 40.0));
            d.heart_rate.push(r.val(60.0, 130.0));
            d.resp_rate.push(r.val(10.0, 35.0));
            d.paco2.push(r.val(25.0, 50.0));
            d.wbc.push(r.val(1.0, 25.0));
            d.immature_pct.push(r.val(0.0, 20.0));
            d.pao2_fio2.push(r.val(50.0, 500.0));
            d.ventilated.push(r.flag());
            d.map.push(r.val(50.0, 100.0));
            d.dopamine
                .push(r.val(0.0, 20.0) * (r.unif() < 0.3) as u8 as f64);
            d.dobutamine
                .push(r.val(0.0, 10.0) * (r.unif() < 0.2) as u8 as f64);
            d.epinephrine
                .push(r.val(0.0, 0.3) * (r.unif() < 0.2) as u8 as f64);
            d.norepinephrine
                .push(r.val(0.0, 0.3) * (r.unif() < 0.4) as u8 as f64);
            d.gcs.push(r.val(3.0, 15.0).round());
            d.bilirubin.push(r.val(0.2, 15.0));
            d.creatinine.push(r.val(0.3, 6.0));
            d.urine_output.push(r.val(0.0, 3000.0));
            d.bleeding.push(r.flag());
            d.organ_failure.push(r.flag());
        }
    }
    (d, p)
}

/// Totals and diagnoses of row `i`, from the per-score functions (no engine).
fn row_by_functions(
    d: &DayTable,
    p: &PatientTable,
    cfg: &ScoreConfig,
    i: usize,
) -> ([Points; 9], [Dx; 6]) {
    let previous = if i == 0 || d.patient[i - 1] != d.patient[i] {
        None
    } else if d.day[i - 1] + 1 == d.day[i] {
        Some(d.platelets[i - 1])
    } else {
        Some(NAN)
    };
    let fall = PlateletFall::new(d.platelets[i], previous, cfg);
    let s = sirs(
        &SirsDay {
            temperature: d.temperature[i],
            heart_rate: d.heart_rate[i],
            resp_rate: d.resp_rate[i],
            paco2: d.paco2[i],
            wbc: d.wbc[i],
            immature_pct: d.immature_pct[i],
        },
        cfg,
    );
    let so = sofa(
        &SofaDay {
            pao2_fio2: d.pao2_fio2[i],
            ventilated: d.ventilated[i],
            platelets: d.platelets[i],
            bilirubin: d.bilirubin[i],
            map: d.map[i],
            dopamine: d.dopamine[i],
            dobutamine: d.dobutamine[i],
            epinephrine: d.epinephrine[i],
            norepinephrine: d.norepinephrine[i],
            gcs: d.gcs[i],
            creatinine: d.creatinine[i],
            urine_output: d.urine_output[i],
        },
        cfg,
    );
    let ja = jaam(&JaamDay {
        sirs: s.total(),
        platelets: d.platelets[i],
        fall,
        pt_ratio: d.pt_ratio[i],
        fdp: d.fdp[i],
    });
    let ja2 = jaam2(&Jaam2Day {
        platelets: d.platelets[i],
        fall,
        pt_ratio: d.pt_ratio[i],
        fdp: d.fdp[i],
    });
    let is = isth_overt(
        &IsthDay {
            platelets: d.platelets[i],
            fdp: d.fdp[i],
            d_dimer: d.d_dimer[i],
            pt_sec_prolongation: d.pt_sec_prolongation[i],
            fibrinogen: d.fibrinogen[i],
        },
        cfg,
    );
    let si = sic(&SicDay {
        pt_inr: d.pt_inr[i],
        platelets: d.platelets[i],
        sofa4: so.sofa4(),
    });
    let pat = d.patient[i] as usize;
    let jm = jmhw(&JmhwDay {
        haematological_malignancy: p.haematological_malignancy[pat],
        bleeding: d.bleeding[i],
        organ_failure: d.organ_failure[i],
        platelets: d.platelets[i],
        fdp: d.fdp[i],
        fibrinogen: d.fibrinogen[i],
        pt_ratio: d.pt_ratio[i],
    });
    let js = jsth(&JsthDay {
        platelets: d.platelets[i],
        fall,
        fdp: d.fdp[i],
        pt_ratio: d.pt_ratio[i],
        antithrombin: d.antithrombin[i],
        tat_x_uln: d.tat_x_uln[i],
        liver_failure: p.liver_failure[pat],
    });
    (
        [
            s.total(),
            so.total(),
            so.sofa4(),
            ja.total(),
            ja2.total(),
            is.total(),
            si.total(),
            jm.total(),
            js.total(),
        ],
        [ja.dx(), ja2.dx(), is.dx(), si.dx(), jm.dx(), js.dx()],
    )
}

fn in_pool(threads: usize, d: &DayTable, p: &PatientTable, cfg: &ScoreConfig) -> ScoreTable {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    pool.install(|| score_days(d, p, cfg).unwrap())
}

#[test]
fn engine_equals_per_row_functions_and_any_thread_count() {
    // Long stays so that chunks (2048 rows) end inside patients and must be extended.
    let (d, p) = random_cohort(3000, 25, 7);
    assert!(d.len() > 8 * 2048);
    let cfg = ScoreConfig::default();
    let t1 = in_pool(1, &d, &p, &cfg);
    assert_eq!(t1.len(), d.len());
    for threads in [2, 3] {
        assert!(
            in_pool(threads, &d, &p, &cfg) == t1,
            "{threads} threads differ from 1"
        );
    }
    let mut partial = 0;
    for i in 0..d.len() {
        let (totals, dxs) = row_by_functions(&d, &p, &cfg, i);
        for (k, name) in ScoreName::ALL.iter().enumerate() {
            let c = t1.get(*name).unwrap();
            assert_eq!(
                (c.min[i], c.max[i]),
                (totals[k].min, totals[k].max),
                "{name} row {i}"
            );
            partial += (c.min[i] != c.max[i]) as usize;
        }
        let diag: Vec<_> = ScoreName::ALL
            .iter()
            .filter(|n| n.is_diagnostic())
            .collect();
        for (k, name) in diag.iter().enumerate() {
            assert_eq!(t1.dx(**name).unwrap()[i], dxs[k], "{name} dx row {i}");
        }
    }
    assert!(
        partial > 1000,
        "the random cohort should have partial scores"
    );
}

fn tiny_days(platelets: &[(u32, i32, f64)]) -> (DayTable, PatientTable) {
    let n = platelets.len();
    let col = |v: f64| vec![v; n];
    let d = DayTable {
        patient: platelets.iter().map(|r| r.0).collect(),
        day: platelets.iter().map(|r| r.1).collect(),
        platelets: platelets.iter().map(|r| r.2).collect(),
        pt_inr: col(1.0),
        pt_ratio: col(1.0),
        pt_sec_prolongation: col(0.0),
        fibrinogen: col(300.0),
        fdp: col(5.0),
        d_dimer: col(0.3),
        antithrombin: col(90.0),
        tat_x_uln: col(1.0),
        temperature: col(37.0),
        heart_rate: col(80.0),
        resp_rate: col(15.0),
        paco2: col(40.0),
        wbc: col(8.0),
        immature_pct: col(0.0),
        pao2_fio2: col(450.0),
        ventilated: vec![Some(false); n],
        map: col(80.0),
        dopamine: col(0.0),
        dobutamine: col(0.0),
        epinephrine: col(0.0),
        norepinephrine: col(0.0),
        gcs: col(15.0),
        bilirubin: col(0.5),
        creatinine: col(0.7),
        urine_output: col(1500.0),
        bleeding: vec![Some(false); n],
        organ_failure: vec![Some(false); n],
    };
    let np = platelets
        .iter()
        .map(|r| r.0)
        .max()
        .map_or(0, |m| m as usize + 1);
    let p = PatientTable {
        patient_id: (0..np).map(|i| format!("P{i}")).collect(),
        haematological_malignancy: vec![Some(false); np],
        liver_failure: vec![Some(false); np],
        ..PatientTable::default()
    };
    (d, p)
}

#[test]
fn engine_fall_first_day_consecutive_and_gap() {
    let (d, p) = tiny_days(&[
        (0, 1, 400.0), // first day: no fall
        (0, 2, 199.0), // > 50% fall from 400: JAAM platelets 3 (count 199 scores 0)
        (0, 4, 130.0), // day 3 not recorded: fall unknown, JAAM [0, 3]
        (1, 1, 150.0), // new patient, previous row is patient 0: first day, no fall
        (1, 2, 105.0), // exactly 30% fall: JAAM 1, JSTH count 1 + 1
        (1, 3, NAN),   // missing count
        (1, 4, 200.0), // previous count missing: fall unknown
    ]);
    let t = score_days(&d, &p, &ScoreConfig::default()).unwrap();
    let jaam = t.get(ScoreName::Jaam).unwrap();
    let pairs: Vec<_> = jaam
        .min
        .iter()
        .zip(&jaam.max)
        .map(|(a, b)| (*a, *b))
        .collect();
    assert_eq!(
        pairs,
        vec![(0, 0), (3, 3), (0, 3), (0, 0), (1, 1), (0, 3), (0, 3)]
    );
    let jsth = t.get(ScoreName::Jsth).unwrap();
    let pairs: Vec<_> = jsth
        .min
        .iter()
        .zip(&jsth.max)
        .map(|(a, b)| (*a, *b))
        .collect();
    assert_eq!(
        pairs,
        vec![(0, 0), (1, 1), (0, 1), (0, 0), (2, 2), (0, 3), (0, 1)]
    );
    assert_eq!(
        t.dx(ScoreName::Sirs),
        Err(ScoreError::NotDiagnostic("sirs"))
    );
}

#[test]
fn engine_rejects_unknown_patient_rows() {
    let (d, mut p) = tiny_days(&[(0, 1, 100.0), (3, 1, 100.0)]);
    p.haematological_malignancy.truncate(2);
    p.liver_failure.truncate(2);
    assert_eq!(
        score_days(&d, &p, &ScoreConfig::default()),
        Err(ScoreError::PatientOutOfRange { patient: 3, n: 2 })
    );
}

#[test]
fn engine_rejects_ragged_columns() {
    let (mut d, p) = tiny_days(&[(0, 1, 100.0), (0, 2, 100.0)]);
    d.fdp.pop();
    assert_eq!(
        score_days(&d, &p, &ScoreConfig::default()),
        Err(ScoreError::ColumnLength {
            column: "fdp",
            len: 1,
            expected: 2
        })
    );
}

#[test]
fn config_round_trips_as_json() {
    let cfg = ScoreConfig::default();
    let json = serde_json::to_string(&cfg).unwrap();
    assert_eq!(
        json,
        r#"{"isth_marker":{"preset":"fdp-jp"},"fall_reference":"highest-previous24h","jaam_fall_50":"scores-one","alternatives":"bounds"}"#
    );
    let back: ScoreConfig = serde_json::from_str(&json).unwrap();
    assert_eq!(back, cfg);
    let partial: ScoreConfig =
        serde_json::from_str(r#"{"isth_marker":{"preset":"ddimer-uln","uln":0.25}}"#).unwrap();
    assert_eq!(
        partial.isth_marker,
        dicohort::score::IsthMarker::DdimerUln { uln: 0.25 }
    );
    assert!(serde_json::from_str::<ScoreConfig>(r#"{"isth_markr":{}}"#).is_err());
    assert_eq!(
        ScoreName::parse_list("jsth, sirs,jaam,sirs").unwrap(),
        vec![ScoreName::Sirs, ScoreName::Jaam, ScoreName::Jsth]
    );
    assert!(ScoreName::parse_list("sirs,apache").is_err());
}

/// Days with JAAM driven by the platelet count (PT ratio 1.3 adds 1): 70 -> 4 (DIC),
/// 100 -> 2, NaN -> [1, 4] (indeterminate).
#[test]
fn patient_labels_and_groups() {
    let (mut d, p) = tiny_days(&[
        (0, 1, 70.0), // DIC day 1
        (0, 2, 100.0),
        (1, 1, 100.0), // not DIC day 1
        (1, 2, NAN),   // indeterminate
        (1, 3, 70.0),  // DIC day 3
        (2, 2, 100.0), // no day 1 recorded
        (3, 1, 200.0), // normal
        (4, 1, NAN),   // indeterminate day 1
        (4, 2, 200.0),
    ]);
    for v in d.pt_ratio.iter_mut() {
        *v = 1.3;
    }
    // Patient 3 (row 7) has a normal PT ratio; patient 2's day 2 (row 6) is SIC-positive
    // (INR 1.5 and platelets 100: PT 2 + platelets 1).
    d.pt_ratio[6] = 1.0;
    d.pt_inr[5] = 1.5;
    d.creatinine[5] = 2.5; // renal SOFA 2 -> SIC SOFA item 2: total 5, PT + platelets 3
    let t = score_days(&d, &p, &ScoreConfig::default()).unwrap();
    let cfg = LabelConfig {
        group_window_days: 3,
        ..LabelConfig::default()
    };
    let l = patient_labels(&d, &t, &cfg).unwrap();
    assert_eq!(l.patient, vec![0, 1, 2, 3, 4]);
    use Dx::*;
    assert_eq!(
        l.dic_day1,
        vec![
            Some(Positive),
            Some(Negative),
            None,
            Some(Negative),
            Some(Indeterminate)
        ]
    );
    assert_eq!(
        l.dic_days_1_3,
        vec![
            Some(Positive),
            Some(Positive),
            Some(Negative),
            Some(Negative),
            Some(Indeterminate)
        ]
    );
    assert_eq!(l.first_dic_day, vec![Some(1), Some(3), None, None, None]);
    assert_eq!(
        l.first_dic_day_certain,
        vec![true, false, true, true, false]
    );
    assert_eq!(l.worst_min, vec![4, 4, 2, 0, 1]);
    assert_eq!(l.worst_max, vec![4, 4, 2, 0, 4]);
    assert_eq!(
        l.group,
        vec![
            CoagGroup::Dic,
            CoagGroup::Dic,
            CoagGroup::Coagulopathy,
            CoagGroup::Normal,
            CoagGroup::Indeterminate
        ]
    );
    // Day-1 window: patient 2 has no day 1 -> indeterminate; patient 1 is not DIC on day 1 and
    // not SIC (INR 1.0) -> normal.
    let l1 = patient_labels(&d, &t, &LabelConfig::default()).unwrap();
    assert_eq!(l1.group[1], CoagGroup::Normal);
    assert_eq!(l1.group[2], CoagGroup::Indeterminate);
    // With "any coagulation item abnormal", patient 1 (platelets 100 on day 1) is coagulopathy.
    let any = LabelConfig {
        coagulopathy: CoagulopathyRule::SicOrAnyCoagulationItem,
        ..LabelConfig::default()
    };
    let la = patient_labels(&d, &t, &any).unwrap();
    assert_eq!(la.group[1], CoagGroup::Coagulopathy);
    assert_eq!(la.group[3], CoagGroup::Normal);
    // A non-diagnostic DIC definition is an error.
    let bad = LabelConfig {
        dic_score: ScoreName::Sofa,
        ..LabelConfig::default()
    };
    assert_eq!(
        patient_labels(&d, &t, &bad),
        Err(ScoreError::NotDiagnostic("sofa"))
    );

    // Concordance JAAM vs ISTH by patient-day. ISTH is negative on every row (platelets at
    // most 2, FDP 5, PT 0 s, fibrinogen 300: at most 2 < 5). JAAM: positive rows 1 and 5;
    // negative rows 2, 3, 6, 7; indeterminate rows 4 and 8 (count missing) and 9 (count 200
    // after a missing count: fall unknown, [1, 4]).
    let ct = concordance_days(&t, ScoreName::Jaam, ScoreName::Isth).unwrap();
    assert_eq!(ct.total(), 9);
    assert_eq!(ct.counts, [[0, 2, 0], [0, 4, 0], [0, 3, 0]]);
    assert_eq!(ct.get(Positive, Negative), 2);
    assert_eq!(ct.get(Indeterminate, Negative), 3);
    assert!((ct.agreement() - 4.0 / 6.0).abs() < 1e-15);
    // Patient-level: JAAM vs ISTH on days 1-3.
    let isth = LabelConfig {
        dic_score: ScoreName::Isth,
        ..cfg
    };
    let li = patient_labels(&d, &t, &isth).unwrap();
    let cp = concordance_patients(&l, &li, |x| &x.dic_days_1_3);
    assert_eq!(cp.counts, [[0, 2, 0], [0, 2, 0], [0, 1, 0]]);
    let manual = CrossTable::tabulate(
        "a",
        "b",
        [Some(Positive), None],
        [Some(Positive), Some(Negative)],
    );
    assert_eq!(manual.total(), 1);
}
