//! Item-by-item threshold tests of every score: values just below, at and just above each
//! cut-off, with the expected points written out by hand from the source tables
//! (scoring-rules.md; Gando 2006, Taylor 2001, Iba 2017, Kobayashi 1983, Asakura 2017 Table 1,
//! Vincent 1996, Bone 1992).

use dicohort::score::config::{AlternativeCriteria, IsthMarker, JaamFall50, ScoreConfig};
use dicohort::score::fall::PlateletFall;
use dicohort::score::isth_overt::{isth_overt, IsthDay};
use dicohort::score::jaam::{jaam, JaamDay};
use dicohort::score::jaam2::{jaam2, Jaam2Day};
use dicohort::score::jmhw::{jmhw, JmhwDay};
use dicohort::score::jsth::{jsth, JsthDay};
use dicohort::score::sic::{sic, SicDay};
use dicohort::score::sirs::{sirs, SirsDay};
use dicohort::score::sofa::{sofa, SofaDay};
use dicohort::score::units::platelets_from_x10e4_per_ul;
use dicohort::score::{Dx, Points, Score};

const NAN: f64 = f64::NAN;

fn ex(p: i8) -> Points {
    Points::exact(p)
}
fn rg(a: i8, b: i8) -> Points {
    Points::range(a, b)
}
fn cfg() -> ScoreConfig {
    ScoreConfig::default()
}
fn observed_suffices() -> ScoreConfig {
    ScoreConfig {
        alternatives: AlternativeCriteria::ObservedSuffices,
        ..ScoreConfig::default()
    }
}

// ------------------------------------------------------------------ SIRS

fn sirs_normal() -> SirsDay {
    SirsDay {
        temperature: 37.0,
        heart_rate: 80.0,
        resp_rate: 16.0,
        paco2: 40.0,
        wbc: 8.0,
        immature_pct: 2.0,
    }
}

#[test]
fn sirs_temperature_thresholds() {
    for (t, p) in [
        (35.9, 1),
        (36.0, 0),
        (36.1, 0),
        (37.9, 0),
        (38.0, 0),
        (38.1, 1),
    ] {
        let d = SirsDay {
            temperature: t,
            ..sirs_normal()
        };
        assert_eq!(sirs(&d, &cfg()).temperature, ex(p), "temperature {t}");
    }
    let d = SirsDay {
        temperature: NAN,
        ..sirs_normal()
    };
    assert_eq!(sirs(&d, &cfg()).temperature, rg(0, 1));
}

#[test]
fn sirs_heart_rate_thresholds() {
    for (hr, p) in [(89.0, 0), (90.0, 0), (91.0, 1)] {
        let d = SirsDay {
            heart_rate: hr,
            ..sirs_normal()
        };
        assert_eq!(sirs(&d, &cfg()).heart_rate, ex(p), "hr {hr}");
    }
}

#[test]
fn sirs_respiration_thresholds_and_alternatives() {
    for (rr, p) in [(19.0, 0), (20.0, 0), (21.0, 1)] {
        let d = SirsDay {
            resp_rate: rr,
            ..sirs_normal()
        };
        assert_eq!(sirs(&d, &cfg()).respiration, ex(p), "rr {rr}");
    }
    for (pc, p) in [(31.9, 1), (32.0, 0), (32.1, 0)] {
        let d = SirsDay {
            paco2: pc,
            ..sirs_normal()
        };
        assert_eq!(sirs(&d, &cfg()).respiration, ex(p), "paco2 {pc}");
    }
    // One alternative met: known whatever the other.
    let d = SirsDay {
        resp_rate: 25.0,
        paco2: NAN,
        ..sirs_normal()
    };
    assert_eq!(sirs(&d, &cfg()).respiration, ex(1));
    // Not met with the other missing: unknown (default), 0 with observed-suffices.
    let d = SirsDay {
        resp_rate: 18.0,
        paco2: NAN,
        ..sirs_normal()
    };
    assert_eq!(sirs(&d, &cfg()).respiration, rg(0, 1));
    assert_eq!(sirs(&d, &observed_suffices()).respiration, ex(0));
    let d = SirsDay {
        resp_rate: NAN,
        paco2: NAN,
        ..sirs_normal()
    };
    assert_eq!(sirs(&d, &observed_suffices()).respiration, rg(0, 1));
}

#[test]
fn sirs_white_cell_thresholds() {
    for (w, p) in [
        (3.9, 1),
        (4.0, 0),
        (4.1, 0),
        (11.9, 0),
        (12.0, 0),
        (12.1, 1),
    ] {
        let d = SirsDay {
            wbc: w,
            ..sirs_normal()
        };
        assert_eq!(sirs(&d, &cfg()).white_cells, ex(p), "wbc {w}");
    }
    for (im, p) in [(9.9, 0), (10.0, 0), (10.1, 1)] {
        let d = SirsDay {
            immature_pct: im,
            ..sirs_normal()
        };
        assert_eq!(sirs(&d, &cfg()).white_cells, ex(p), "immature {im}");
    }
    let d = SirsDay {
        wbc: 8.0,
        immature_pct: NAN,
        ..sirs_normal()
    };
    assert_eq!(sirs(&d, &cfg()).white_cells, rg(0, 1));
}

#[test]
fn sirs_total_and_missing_bounds() {
    let d = SirsDay {
        temperature: 39.0,
        heart_rate: 100.0,
        ..sirs_normal()
    };
    assert_eq!(sirs(&d, &cfg()).score(), Score::Complete(2));
    let d = SirsDay {
        temperature: 39.0,
        heart_rate: NAN,
        wbc: NAN,
        ..sirs_normal()
    };
    assert_eq!(
        sirs(&d, &cfg()).score(),
        Score::Partial {
            min: 1,
            max: 3,
            missing: vec!["heart_rate", "white_cells"]
        }
    );
}

// ------------------------------------------------------------------ SOFA

fn sofa_normal() -> SofaDay {
    SofaDay {
        pao2_fio2: 450.0,
        ventilated: Some(false),
        platelets: 200.0,
        bilirubin: 0.8,
        map: 80.0,
        dopamine: 0.0,
        dobutamine: 0.0,
        epinephrine: 0.0,
        norepinephrine: 0.0,
        gcs: 15.0,
        creatinine: 0.9,
        urine_output: 1500.0,
    }
}

#[test]
fn sofa_respiration_thresholds() {
    let v = Some(true);
    let nv = Some(false);
    for (pf, vent, p) in [
        (401.0, nv, 0),
        (400.0, nv, 0),
        (399.0, nv, 1),
        (301.0, nv, 1),
        (300.0, nv, 1),
        (299.0, nv, 2),
        (200.0, v, 2),
        (199.0, v, 3),
        (199.0, nv, 2),
        (100.0, v, 3),
        (99.0, v, 4),
        (99.0, nv, 2),
    ] {
        let d = SofaDay {
            pao2_fio2: pf,
            ventilated: vent,
            ..sofa_normal()
        };
        assert_eq!(sofa(&d, &cfg()).respiration, ex(p), "pf {pf} vent {vent:?}");
    }
    let d = SofaDay {
        pao2_fio2: 150.0,
        ventilated: None,
        ..sofa_normal()
    };
    assert_eq!(sofa(&d, &cfg()).respiration, rg(2, 3));
    let d = SofaDay {
        pao2_fio2: 50.0,
        ventilated: None,
        ..sofa_normal()
    };
    assert_eq!(sofa(&d, &cfg()).respiration, rg(2, 4));
    let d = SofaDay {
        pao2_fio2: 350.0,
        ventilated: None,
        ..sofa_normal()
    };
    assert_eq!(sofa(&d, &cfg()).respiration, ex(1));
    // P/F missing: up to 4 if ventilated or unknown, up to 2 without ventilation.
    for (vent, hi) in [(Some(true), 4), (None, 4), (Some(false), 2)] {
        let d = SofaDay {
            pao2_fio2: NAN,
            ventilated: vent,
            ..sofa_normal()
        };
        assert_eq!(sofa(&d, &cfg()).respiration, rg(0, hi), "vent {vent:?}");
    }
}

#[test]
fn sofa_coagulation_liver_cns_thresholds() {
    for (x, p) in [
        (151.0, 0),
        (150.0, 0),
        (149.0, 1),
        (100.0, 1),
        (99.0, 2),
        (50.0, 2),
        (49.0, 3),
        (20.0, 3),
        (19.0, 4),
    ] {
        let d = SofaDay {
            platelets: x,
            ..sofa_normal()
        };
        assert_eq!(sofa(&d, &cfg()).coagulation, ex(p), "platelets {x}");
    }
    for (x, p) in [
        (1.19, 0),
        (1.2, 1),
        (1.9, 1),
        (1.99, 1),
        (2.0, 2),
        (5.9, 2),
        (6.0, 3),
        (11.9, 3),
        (12.0, 4),
    ] {
        let d = SofaDay {
            bilirubin: x,
            ..sofa_normal()
        };
        assert_eq!(sofa(&d, &cfg()).liver, ex(p), "bilirubin {x}");
    }
    for (x, p) in [
        (15.0, 0),
        (14.0, 1),
        (13.0, 1),
        (12.0, 2),
        (10.0, 2),
        (9.0, 3),
        (6.0, 3),
        (5.0, 4),
    ] {
        let d = SofaDay {
            gcs: x,
            ..sofa_normal()
        };
        assert_eq!(sofa(&d, &cfg()).cns, ex(p), "gcs {x}");
    }
    let d = SofaDay {
        platelets: NAN,
        bilirubin: NAN,
        gcs: NAN,
        ..sofa_normal()
    };
    let b = sofa(&d, &cfg());
    assert_eq!(
        (b.coagulation, b.liver, b.cns),
        (rg(0, 4), rg(0, 4), rg(0, 4))
    );
}

#[test]
fn sofa_cardiovascular_thresholds() {
    for (map, p) in [(69.0, 1), (70.0, 0), (71.0, 0)] {
        let d = SofaDay {
            map,
            ..sofa_normal()
        };
        assert_eq!(sofa(&d, &cfg()).cardiovascular, ex(p), "map {map}");
    }
    for (x, p) in [(0.0, 0), (0.5, 2), (5.0, 2), (5.1, 3), (15.0, 3), (15.1, 4)] {
        let d = SofaDay {
            dopamine: x,
            ..sofa_normal()
        };
        assert_eq!(sofa(&d, &cfg()).cardiovascular, ex(p), "dopamine {x}");
    }
    let d = SofaDay {
        dobutamine: 0.1,
        ..sofa_normal()
    };
    assert_eq!(sofa(&d, &cfg()).cardiovascular, ex(2));
    for (x, p) in [(0.05, 3), (0.1, 3), (0.11, 4)] {
        let d = SofaDay {
            epinephrine: x,
            ..sofa_normal()
        };
        assert_eq!(sofa(&d, &cfg()).cardiovascular, ex(p), "epinephrine {x}");
        let d = SofaDay {
            norepinephrine: x,
            ..sofa_normal()
        };
        assert_eq!(sofa(&d, &cfg()).cardiovascular, ex(p), "norepinephrine {x}");
    }
    // The highest criterion met.
    let d = SofaDay {
        map: 60.0,
        norepinephrine: 0.2,
        dobutamine: 3.0,
        ..sofa_normal()
    };
    assert_eq!(sofa(&d, &cfg()).cardiovascular, ex(4));
    // Missing vasopressor: an empty column is missing, not "not given".
    let d = SofaDay {
        dopamine: NAN,
        ..sofa_normal()
    };
    assert_eq!(sofa(&d, &cfg()).cardiovascular, rg(0, 4));
    assert_eq!(sofa(&d, &observed_suffices()).cardiovascular, ex(0));
    let d = SofaDay {
        map: NAN,
        ..sofa_normal()
    };
    assert_eq!(sofa(&d, &cfg()).cardiovascular, rg(0, 1));
    let d = SofaDay {
        dobutamine: NAN,
        ..sofa_normal()
    };
    assert_eq!(sofa(&d, &cfg()).cardiovascular, rg(0, 2));
    let d = SofaDay {
        map: 60.0,
        norepinephrine: NAN,
        ..sofa_normal()
    };
    assert_eq!(sofa(&d, &cfg()).cardiovascular, rg(1, 4));
    let d = SofaDay {
        epinephrine: 0.5,
        dopamine: NAN,
        map: NAN,
        ..sofa_normal()
    };
    assert_eq!(sofa(&d, &cfg()).cardiovascular, ex(4));
}

#[test]
fn sofa_renal_thresholds() {
    for (x, p) in [
        (1.1, 0),
        (1.2, 1),
        (1.9, 1),
        (2.0, 2),
        (3.4, 2),
        (3.5, 3),
        (4.9, 3),
        (5.0, 4),
    ] {
        let d = SofaDay {
            creatinine: x,
            ..sofa_normal()
        };
        assert_eq!(sofa(&d, &cfg()).renal, ex(p), "creatinine {x}");
    }
    for (x, p) in [(501.0, 0), (500.0, 0), (499.0, 3), (200.0, 3), (199.0, 4)] {
        let d = SofaDay {
            urine_output: x,
            ..sofa_normal()
        };
        assert_eq!(sofa(&d, &cfg()).renal, ex(p), "urine {x}");
    }
    let d = SofaDay {
        creatinine: 2.5,
        urine_output: 300.0,
        ..sofa_normal()
    };
    assert_eq!(sofa(&d, &cfg()).renal, ex(3));
    let d = SofaDay {
        urine_output: NAN,
        ..sofa_normal()
    };
    assert_eq!(sofa(&d, &cfg()).renal, rg(0, 4));
    assert_eq!(sofa(&d, &observed_suffices()).renal, ex(0));
    let d = SofaDay {
        creatinine: 2.5,
        urine_output: NAN,
        ..sofa_normal()
    };
    assert_eq!(sofa(&d, &cfg()).renal, rg(2, 4));
    let d = SofaDay {
        creatinine: 5.0,
        urine_output: NAN,
        ..sofa_normal()
    };
    assert_eq!(sofa(&d, &cfg()).renal, ex(4));
    let d = SofaDay {
        creatinine: NAN,
        urine_output: NAN,
        ..sofa_normal()
    };
    assert_eq!(sofa(&d, &observed_suffices()).renal, rg(0, 4));
}

#[test]
fn sofa4_is_not_total_sofa() {
    // respiration 1, coagulation 2, liver 1, cardiovascular 1, cns 3, renal 2.
    let d = SofaDay {
        pao2_fio2: 350.0,
        platelets: 80.0,
        bilirubin: 1.5,
        map: 65.0,
        gcs: 8.0,
        creatinine: 2.5,
        ..sofa_normal()
    };
    let b = sofa(&d, &cfg());
    assert_eq!(b.total(), ex(10));
    assert_eq!(b.sofa4(), ex(5));
    // Only coagulation and CNS abnormal: total 7, SOFA-4 0 -> SIC SOFA item 0.
    let d = SofaDay {
        platelets: 40.0,
        gcs: 5.0,
        ..sofa_normal()
    };
    let b = sofa(&d, &cfg());
    assert_eq!((b.total(), b.sofa4()), (ex(7), ex(0)));
    let s = sic(&SicDay {
        pt_inr: 1.3,
        platelets: 40.0,
        sofa4: b.sofa4(),
    });
    assert_eq!(s.sofa4, ex(0));
    assert_eq!(s.total(), ex(3));
    assert_eq!(s.dx(), Dx::Negative);
    // Missing bounds add up: bilirubin missing (0-4) and renal 2-4.
    let d = SofaDay {
        bilirubin: NAN,
        creatinine: 2.5,
        urine_output: NAN,
        ..sofa_normal()
    };
    let b = sofa(&d, &cfg());
    assert_eq!(b.sofa4(), rg(2, 8));
    assert_eq!(
        b.score_sofa4(),
        Score::Partial {
            min: 2,
            max: 8,
            missing: vec!["liver", "renal"]
        }
    );
}

// ------------------------------------------------------------------ platelet fall

#[test]
fn platelet_fall_exact_comparisons() {
    let c = cfg();
    let f = |cur: f64, prev: f64| PlateletFall::new(cur, Some(prev), &c);
    // 200 -> 140 is exactly 30%.
    assert_eq!(f(140.0, 200.0).at_least_30, ex(1));
    assert_eq!(f(141.0, 200.0).at_least_30, ex(0));
    // 174.7 -> 122.29 is exactly 30%; naive floating point gives 0.29999999999999993.
    assert_eq!(f(122.29, 174.7).at_least_30, ex(1));
    assert_eq!(f(122.3, 174.7).at_least_30, ex(0));
    // 50% exactly is not "> 50%" (default) ...
    assert_eq!(f(200.0, 400.0).large, ex(0));
    assert_eq!(f(199.0, 400.0).large, ex(1));
    // ... but is with the other choice.
    let c3 = ScoreConfig {
        jaam_fall_50: JaamFall50::ScoresThree,
        ..cfg()
    };
    assert_eq!(PlateletFall::new(200.0, Some(400.0), &c3).large, ex(1));
    // First recorded day: no fall (0, not missing). Previous day missing: unknown.
    assert_eq!(PlateletFall::new(10.0, None, &c), PlateletFall::FIRST_DAY);
    assert_eq!(f(100.0, NAN), PlateletFall::UNKNOWN);
    assert_eq!(f(NAN, 100.0), PlateletFall::UNKNOWN);
    // A rise is no fall; a reference of 0 has no fall.
    assert_eq!(f(300.0, 200.0).at_least_30, ex(0));
    assert_eq!(f(0.0, 0.0).at_least_30, ex(0));
}

// ------------------------------------------------------------------ JAAM / JAAM-2

fn jaam_day(platelets: f64, prev: Option<f64>) -> JaamDay {
    JaamDay {
        sirs: ex(0),
        platelets,
        fall: PlateletFall::new(platelets, prev, &cfg()),
        pt_ratio: 1.0,
        fdp: 5.0,
    }
}

#[test]
fn jaam_sirs_item() {
    for (s, p) in [
        (ex(2), ex(0)),
        (ex(3), ex(1)),
        (ex(4), ex(1)),
        (rg(2, 3), rg(0, 1)),
        (rg(3, 4), ex(1)),
    ] {
        let d = JaamDay {
            sirs: s,
            ..jaam_day(200.0, None)
        };
        assert_eq!(jaam(&d).sirs, p, "sirs {s:?}");
    }
}

#[test]
fn jaam_platelet_count_thresholds() {
    for (x, p) in [
        (121.0, 0),
        (120.0, 0),
        (119.0, 1),
        (81.0, 1),
        (80.0, 1),
        (79.0, 3),
    ] {
        assert_eq!(jaam(&jaam_day(x, None)).platelets, ex(p), "platelets {x}");
    }
    assert_eq!(jaam(&jaam_day(NAN, None)).platelets, rg(0, 3));
}

#[test]
fn jaam_platelet_fall_thresholds() {
    // Count >= 120 throughout, so the points come from the fall alone.
    for (cur, p) in [
        (281.0, 0),
        (280.0, 1),
        (279.0, 1),
        (201.0, 1),
        (200.0, 1),
        (199.0, 3),
    ] {
        assert_eq!(
            jaam(&jaam_day(cur, Some(400.0))).platelets,
            ex(p),
            "400 -> {cur}"
        );
    }
    assert_eq!(jaam(&jaam_day(122.29, Some(174.7))).platelets, ex(1));
    // Fall unknown: the count gives the lower bound.
    assert_eq!(jaam(&jaam_day(200.0, Some(NAN))).platelets, rg(0, 3));
    assert_eq!(jaam(&jaam_day(100.0, Some(NAN))).platelets, rg(1, 3));
    assert_eq!(jaam(&jaam_day(70.0, Some(NAN))).platelets, ex(3));
    // First day: fall item 0, not missing.
    assert_eq!(jaam(&jaam_day(200.0, None)).platelets, ex(0));
}

#[test]
fn jaam_pt_and_fdp_thresholds() {
    for (x, p) in [(1.19, 0), (1.2, 1), (1.21, 1)] {
        let d = JaamDay {
            pt_ratio: x,
            ..jaam_day(200.0, None)
        };
        assert_eq!(jaam(&d).pt_ratio, ex(p), "pt ratio {x}");
    }
    for (x, p) in [(9.9, 0), (10.0, 1), (24.9, 1), (25.0, 3), (25.1, 3)] {
        let d = JaamDay {
            fdp: x,
            ..jaam_day(200.0, None)
        };
        assert_eq!(jaam(&d).fdp, ex(p), "fdp {x}");
    }
    let d = JaamDay {
        pt_ratio: NAN,
        fdp: NAN,
        ..jaam_day(200.0, None)
    };
    assert_eq!((jaam(&d).pt_ratio, jaam(&d).fdp), (rg(0, 1), rg(0, 3)));
}

#[test]
fn jaam_diagnosis_and_missing_bounds() {
    // 3 (platelets) + 1 (PT) = 4: DIC; 3 alone: not.
    let d = JaamDay {
        pt_ratio: 1.3,
        ..jaam_day(70.0, None)
    };
    assert_eq!((jaam(&d).total(), jaam(&d).dx()), (ex(4), Dx::Positive));
    let d = jaam_day(70.0, None);
    assert_eq!((jaam(&d).total(), jaam(&d).dx()), (ex(3), Dx::Negative));
    // FDP missing but platelets 3 + PT 1: already positive (scoring-rules.md example).
    let d = JaamDay {
        pt_ratio: 1.3,
        fdp: NAN,
        ..jaam_day(70.0, None)
    };
    let b = jaam(&d);
    assert_eq!(
        b.score(),
        Score::Partial {
            min: 4,
            max: 7,
            missing: vec!["fdp"]
        }
    );
    assert_eq!(b.dx(), Dx::Positive);
    // PT 1 only, FDP missing: 1 to 4, indeterminate.
    let d = JaamDay {
        pt_ratio: 1.3,
        fdp: NAN,
        ..jaam_day(200.0, None)
    };
    assert_eq!(
        (jaam(&d).total(), jaam(&d).dx()),
        (rg(1, 4), Dx::Indeterminate)
    );
    // Platelets 1, PT missing: 1 to 2, cannot reach 4: negative.
    let d = JaamDay {
        pt_ratio: NAN,
        ..jaam_day(90.0, None)
    };
    assert_eq!((jaam(&d).total(), jaam(&d).dx()), (rg(1, 2), Dx::Negative));
}

#[test]
fn jaam2_has_no_sirs_and_threshold_3() {
    let d = Jaam2Day {
        platelets: 70.0,
        fall: PlateletFall::FIRST_DAY,
        pt_ratio: 1.0,
        fdp: 5.0,
    };
    assert_eq!((jaam2(&d).total(), jaam2(&d).dx()), (ex(3), Dx::Positive));
    let d = Jaam2Day {
        platelets: 100.0,
        pt_ratio: 1.2,
        ..d
    };
    assert_eq!((jaam2(&d).total(), jaam2(&d).dx()), (ex(2), Dx::Negative));
    let d = Jaam2Day { fdp: 10.0, ..d };
    assert_eq!((jaam2(&d).total(), jaam2(&d).dx()), (ex(3), Dx::Positive));
    let d = Jaam2Day { fdp: NAN, ..d };
    assert_eq!(
        (jaam2(&d).total(), jaam2(&d).dx()),
        (rg(2, 5), Dx::Indeterminate)
    );
    assert_eq!(jaam2(&d).items().len(), 3);
}

// ------------------------------------------------------------------ ISTH overt

fn isth_normal() -> IsthDay {
    IsthDay {
        platelets: 200.0,
        fdp: 5.0,
        d_dimer: 0.5,
        pt_sec_prolongation: 1.0,
        fibrinogen: 300.0,
    }
}

#[test]
fn isth_item_thresholds() {
    for (x, p) in [(101.0, 0), (100.0, 0), (99.0, 1), (50.0, 1), (49.0, 2)] {
        let d = IsthDay {
            platelets: x,
            ..isth_normal()
        };
        assert_eq!(isth_overt(&d, &cfg()).platelets, ex(p), "platelets {x}");
    }
    for (x, p) in [(9.9, 0), (10.0, 2), (24.9, 2), (25.0, 3)] {
        let d = IsthDay {
            fdp: x,
            ..isth_normal()
        };
        assert_eq!(isth_overt(&d, &cfg()).fibrin_marker, ex(p), "fdp {x}");
    }
    for (x, p) in [(2.9, 0), (3.0, 1), (5.9, 1), (6.0, 2)] {
        let d = IsthDay {
            pt_sec_prolongation: x,
            ..isth_normal()
        };
        assert_eq!(isth_overt(&d, &cfg()).pt_prolongation, ex(p), "pt s {x}");
    }
    for (x, p) in [(101.0, 0), (100.0, 0), (99.0, 1)] {
        let d = IsthDay {
            fibrinogen: x,
            ..isth_normal()
        };
        assert_eq!(isth_overt(&d, &cfg()).fibrinogen, ex(p), "fibrinogen {x}");
    }
    // Only INR known: PT seconds missing, not 0.
    let d = IsthDay {
        pt_sec_prolongation: NAN,
        ..isth_normal()
    };
    assert_eq!(isth_overt(&d, &cfg()).pt_prolongation, rg(0, 2));
}

#[test]
fn isth_ddimer_preset() {
    let c = ScoreConfig {
        isth_marker: IsthMarker::DDIMER_DEFAULT,
        ..cfg()
    };
    for (x, p) in [(0.99, 0), (1.0, 2), (1.99, 2), (2.0, 2), (2.01, 3)] {
        let d = IsthDay {
            d_dimer: x,
            fdp: 100.0,
            ..isth_normal()
        };
        assert_eq!(
            isth_overt(&d, &c).fibrin_marker,
            ex(p),
            "d-dimer {x} (uln 0.5)"
        );
    }
    let c = ScoreConfig {
        isth_marker: IsthMarker::DdimerUln { uln: 1.0 },
        ..cfg()
    };
    for (x, p) in [(1.99, 0), (2.0, 2), (4.0, 2), (4.1, 3)] {
        let d = IsthDay {
            d_dimer: x,
            ..isth_normal()
        };
        assert_eq!(
            isth_overt(&d, &c).fibrin_marker,
            ex(p),
            "d-dimer {x} (uln 1)"
        );
    }
    let d = IsthDay {
        d_dimer: NAN,
        fdp: 30.0,
        ..isth_normal()
    };
    assert_eq!(isth_overt(&d, &c).fibrin_marker, rg(0, 3));
    assert!(ScoreConfig {
        isth_marker: IsthMarker::DdimerUln { uln: 0.0 },
        ..cfg()
    }
    .validate()
    .is_err());
}

#[test]
fn isth_diagnosis() {
    let d = IsthDay {
        platelets: 40.0,
        fdp: 25.0,
        ..isth_normal()
    };
    assert_eq!(
        (isth_overt(&d, &cfg()).total(), isth_overt(&d, &cfg()).dx()),
        (ex(5), Dx::Positive)
    );
    let d = IsthDay {
        platelets: 40.0,
        fdp: 10.0,
        ..isth_normal()
    };
    assert_eq!(
        (isth_overt(&d, &cfg()).total(), isth_overt(&d, &cfg()).dx()),
        (ex(4), Dx::Negative)
    );
    let d = IsthDay {
        platelets: 40.0,
        fdp: 10.0,
        fibrinogen: NAN,
        ..isth_normal()
    };
    assert_eq!(isth_overt(&d, &cfg()).dx(), Dx::Indeterminate);
}

// ------------------------------------------------------------------ SIC

#[test]
fn sic_item_thresholds() {
    let base = SicDay {
        pt_inr: 1.0,
        platelets: 200.0,
        sofa4: ex(0),
    };
    for (x, p) in [(1.19, 0), (1.2, 0), (1.21, 1), (1.4, 1), (1.41, 2)] {
        assert_eq!(sic(&SicDay { pt_inr: x, ..base }).pt_inr, ex(p), "inr {x}");
    }
    for (x, p) in [(151.0, 0), (150.0, 0), (149.0, 1), (100.0, 1), (99.0, 2)] {
        assert_eq!(
            sic(&SicDay {
                platelets: x,
                ..base
            })
            .platelets,
            ex(p),
            "platelets {x}"
        );
    }
    for (s, p) in [
        (ex(0), ex(0)),
        (ex(1), ex(1)),
        (ex(2), ex(2)),
        (ex(5), ex(2)),
        (rg(1, 5), rg(1, 2)),
    ] {
        assert_eq!(sic(&SicDay { sofa4: s, ..base }).sofa4, p, "sofa4 {s:?}");
    }
}

#[test]
fn sic_requires_pt_plus_platelets_above_2() {
    let d = |inr: f64, plt: f64, s4: i8| {
        sic(&SicDay {
            pt_inr: inr,
            platelets: plt,
            sofa4: ex(s4),
        })
    };
    // PT 2 + platelets 0 + SOFA 2 = 4, but PT + platelets = 2: not SIC.
    assert_eq!(
        (d(1.5, 200.0, 2).total(), d(1.5, 200.0, 2).dx()),
        (ex(4), Dx::Negative)
    );
    // PT 1 + platelets 1 + SOFA 2 = 4, PT + platelets = 2: not SIC.
    assert_eq!(d(1.3, 120.0, 2).dx(), Dx::Negative);
    // PT 2 + platelets 1 + SOFA 1 = 4, PT + platelets = 3: SIC.
    assert_eq!(d(1.5, 120.0, 1).dx(), Dx::Positive);
    // PT 2 + platelets 2 + SOFA 0 = 4: SIC.
    assert_eq!(d(1.5, 90.0, 0).dx(), Dx::Positive);
    // PT 1 + platelets 2 + SOFA 0 = 3: not.
    assert_eq!(d(1.3, 90.0, 0).dx(), Dx::Negative);
    // INR missing, platelets 2, SOFA 2: total 4-6, PT + platelets 2-4: indeterminate.
    let b = sic(&SicDay {
        pt_inr: NAN,
        platelets: 90.0,
        sofa4: ex(2),
    });
    assert_eq!((b.total(), b.dx()), (rg(4, 6), Dx::Indeterminate));
    // INR missing, platelets 0, SOFA 2: PT + platelets at most 2: negative.
    let b = sic(&SicDay {
        pt_inr: NAN,
        platelets: 200.0,
        sofa4: ex(2),
    });
    assert_eq!(b.dx(), Dx::Negative);
    // SOFA-4 missing, PT 2 + platelets 2: positive whatever the SOFA.
    let b = sic(&SicDay {
        pt_inr: 1.5,
        platelets: 90.0,
        sofa4: rg(0, 16),
    });
    assert_eq!((b.total(), b.dx()), (rg(4, 6), Dx::Positive));
}

// ------------------------------------------------------------------ JMHW

fn jmhw_normal() -> JmhwDay {
    JmhwDay {
        haematological_malignancy: Some(false),
        bleeding: Some(false),
        organ_failure: Some(false),
        platelets: 200.0,
        fdp: 5.0,
        fibrinogen: 300.0,
        pt_ratio: 1.0,
    }
}

#[test]
fn jmhw_item_thresholds() {
    for (x, p) in [
        (121.0, 0),
        (120.0, 1),
        (81.0, 1),
        (80.0, 2),
        (51.0, 2),
        (50.0, 3),
    ] {
        let d = JmhwDay {
            platelets: x,
            ..jmhw_normal()
        };
        assert_eq!(jmhw(&d).platelets, ex(p), "platelets {x}");
    }
    for (x, p) in [
        (9.9, 0),
        (10.0, 1),
        (19.9, 1),
        (20.0, 2),
        (39.9, 2),
        (40.0, 3),
    ] {
        let d = JmhwDay {
            fdp: x,
            ..jmhw_normal()
        };
        assert_eq!(jmhw(&d).fdp, ex(p), "fdp {x}");
    }
    for (x, p) in [(151.0, 0), (150.0, 1), (101.0, 1), (100.0, 2)] {
        let d = JmhwDay {
            fibrinogen: x,
            ..jmhw_normal()
        };
        assert_eq!(jmhw(&d).fibrinogen, ex(p), "fibrinogen {x}");
    }
    for (x, p) in [(1.24, 0), (1.25, 1), (1.66, 1), (1.67, 2)] {
        let d = JmhwDay {
            pt_ratio: x,
            ..jmhw_normal()
        };
        assert_eq!(jmhw(&d).pt_ratio, ex(p), "pt ratio {x}");
    }
    // Underlying disease (sepsis) always 1.
    assert_eq!(jmhw(&jmhw_normal()).total(), ex(1));
    let d = JmhwDay {
        bleeding: Some(true),
        organ_failure: Some(true),
        ..jmhw_normal()
    };
    assert_eq!(jmhw(&d).total(), ex(3));
    let d = JmhwDay {
        bleeding: None,
        organ_failure: None,
        ..jmhw_normal()
    };
    assert_eq!(jmhw(&d).total(), rg(1, 3));
}

#[test]
fn jmhw_haematological_malignancy_rule() {
    // 1 underlying + 1 bleeding + 3 platelets + 2 FDP = 7: DIC.
    let d = JmhwDay {
        bleeding: Some(true),
        platelets: 30.0,
        fdp: 20.0,
        ..jmhw_normal()
    };
    assert_eq!((jmhw(&d).total(), jmhw(&d).dx()), (ex(7), Dx::Positive));
    let d6 = JmhwDay { fdp: 19.0, ..d };
    assert_eq!((jmhw(&d6).total(), jmhw(&d6).dx()), (ex(6), Dx::Negative));
    // Haematological malignancy: bleeding and platelets score 0, DIC if >= 4.
    let h = JmhwDay {
        haematological_malignancy: Some(true),
        ..d
    };
    assert_eq!((jmhw(&h).bleeding, jmhw(&h).platelets), (ex(0), ex(0)));
    assert_eq!((jmhw(&h).total(), jmhw(&h).dx()), (ex(3), Dx::Negative));
    let h4 = JmhwDay { fdp: 40.0, ..h };
    assert_eq!((jmhw(&h4).total(), jmhw(&h4).dx()), (ex(4), Dx::Positive));
    // Flag missing: both readings possible.
    let u = JmhwDay {
        haematological_malignancy: None,
        ..d
    };
    assert_eq!(
        (jmhw(&u).total(), jmhw(&u).dx()),
        (rg(3, 7), Dx::Indeterminate)
    );
    assert!(
        matches!(jmhw(&u).score(), Score::Partial { ref missing, .. }
        if missing.contains(&"haematological_malignancy"))
    );
    let u4 = JmhwDay { fdp: 40.0, ..u };
    assert_eq!(jmhw(&u4).dx(), Dx::Positive);
    let u_neg = JmhwDay {
        haematological_malignancy: None,
        ..jmhw_normal()
    };
    assert_eq!(jmhw(&u_neg).dx(), Dx::Negative);
}

// ------------------------------------------------------------------ JSTH 2017

fn jsth_day(platelets: f64, prev: Option<f64>) -> JsthDay {
    JsthDay {
        platelets,
        fall: PlateletFall::new(platelets, prev, &cfg()),
        fdp: 5.0,
        pt_ratio: 1.0,
        antithrombin: 90.0,
        tat_x_uln: 1.0,
        liver_failure: Some(false),
    }
}

#[test]
fn jsth_platelet_thresholds() {
    for (x, p) in [
        (121.0, 0),
        (120.0, 1),
        (81.0, 1),
        (80.0, 2),
        (51.0, 2),
        (50.0, 3),
    ] {
        assert_eq!(jsth(&jsth_day(x, None)).platelets, ex(p), "platelets {x}");
    }
    assert_eq!(jsth(&jsth_day(NAN, None)).platelets, rg(0, 3));
}

#[test]
fn jsth_platelet_fall_only_above_50_and_capped_at_3() {
    // 100 -> 70: 30% fall, count 2, +1 = 3.
    assert_eq!(jsth(&jsth_day(70.0, Some(100.0))).platelets, ex(3));
    // 100 -> 71: 29% fall, no +1.
    assert_eq!(jsth(&jsth_day(71.0, Some(100.0))).platelets, ex(2));
    // 51 is above 50: 80 -> 51 (36%) adds 1 to 2.
    assert_eq!(jsth(&jsth_day(51.0, Some(80.0))).platelets, ex(3));
    // 50 is not above 50: 100 -> 50 adds nothing to 3 (and the item never exceeds 3).
    assert_eq!(jsth(&jsth_day(50.0, Some(100.0))).platelets, ex(3));
    assert_eq!(jsth(&jsth_day(20.0, Some(400.0))).platelets, ex(3));
    // 130 -> 90 (30.8%): 1 + 1 = 2; 200 -> 130 (35%): 0 + 1 = 1.
    assert_eq!(jsth(&jsth_day(90.0, Some(130.0))).platelets, ex(2));
    assert_eq!(jsth(&jsth_day(130.0, Some(200.0))).platelets, ex(1));
    // Exact decimal fall.
    assert_eq!(jsth(&jsth_day(122.29, Some(174.7))).platelets, ex(1));
    // Unknown fall: +0 or +1 above 50; nothing to add at <= 50.
    assert_eq!(jsth(&jsth_day(90.0, Some(NAN))).platelets, rg(1, 2));
    assert_eq!(jsth(&jsth_day(60.0, Some(NAN))).platelets, rg(2, 3));
    assert_eq!(jsth(&jsth_day(40.0, Some(NAN))).platelets, ex(3));
    // First day: no +1.
    assert_eq!(jsth(&jsth_day(90.0, None)).platelets, ex(1));
}

#[test]
fn jsth_other_items() {
    for (x, p) in [
        (9.9, 0),
        (10.0, 1),
        (19.9, 1),
        (20.0, 2),
        (39.9, 2),
        (40.0, 3),
    ] {
        let d = JsthDay {
            fdp: x,
            ..jsth_day(200.0, None)
        };
        assert_eq!(jsth(&d).fdp, ex(p), "fdp {x}");
    }
    for (x, p) in [(1.24, 0), (1.25, 1), (1.66, 1), (1.67, 2)] {
        let d = JsthDay {
            pt_ratio: x,
            ..jsth_day(200.0, None)
        };
        assert_eq!(jsth(&d).pt_ratio, ex(p), "pt ratio {x}");
    }
    for (x, p) in [(71.0, 0), (70.0, 1), (69.0, 1)] {
        let d = JsthDay {
            antithrombin: x,
            ..jsth_day(200.0, None)
        };
        assert_eq!(jsth(&d).antithrombin, ex(p), "antithrombin {x}");
    }
    for (x, p) in [(1.9, 0), (2.0, 1), (2.1, 1)] {
        let d = JsthDay {
            tat_x_uln: x,
            ..jsth_day(200.0, None)
        };
        assert_eq!(jsth(&d).tat, ex(p), "tat {x}");
    }
    let d = JsthDay {
        liver_failure: Some(true),
        ..jsth_day(200.0, None)
    };
    assert_eq!((jsth(&d).liver_failure, jsth(&d).total()), (ex(-3), ex(-3)));
    let d = JsthDay {
        liver_failure: None,
        ..jsth_day(200.0, None)
    };
    assert_eq!(jsth(&d).total(), rg(-3, 0));
}

#[test]
fn jsth_diagnosis() {
    // 3 + 2 (FDP 20) = 5: DIC; with liver failure 2: not.
    let d = JsthDay {
        fdp: 20.0,
        ..jsth_day(40.0, None)
    };
    assert_eq!((jsth(&d).total(), jsth(&d).dx()), (ex(5), Dx::Positive));
    let d = JsthDay {
        liver_failure: Some(true),
        ..d
    };
    assert_eq!((jsth(&d).total(), jsth(&d).dx()), (ex(2), Dx::Negative));
    let d = JsthDay {
        liver_failure: None,
        ..d
    };
    assert_eq!(
        (jsth(&d).total(), jsth(&d).dx()),
        (rg(2, 5), Dx::Indeterminate)
    );
}

// ------------------------------------------------------------------ units

#[test]
fn platelets_in_x10e4_are_converted_before_scoring() {
    // x10^4/uL: 12.0 -> 120, 11.9 -> 119, 8.0 -> 80, 7.9 -> 79 (JAAM 0, 1, 1, 3).
    for (x4, p) in [(12.0, 0), (11.9, 1), (8.0, 1), (7.9, 3)] {
        let x = platelets_from_x10e4_per_ul(x4);
        assert_eq!(jaam(&jaam_day(x, None)).platelets, ex(p), "{x4} x10^4/uL");
    }
    // SOFA and SIC at 15 x10^4 (150) and 14.9 (149); JSTH at 5.0 (50, scores 3) and 5.1 (51, 2).
    for (x4, p) in [(15.0, 0), (14.9, 1)] {
        let d = SofaDay {
            platelets: platelets_from_x10e4_per_ul(x4),
            ..sofa_normal()
        };
        assert_eq!(sofa(&d, &cfg()).coagulation, ex(p));
        let s = sic(&SicDay {
            pt_inr: 1.0,
            platelets: d.platelets,
            sofa4: ex(0),
        });
        assert_eq!(s.platelets, ex(p));
    }
    for (x4, p) in [(5.0, 3), (5.1, 2)] {
        let x = platelets_from_x10e4_per_ul(x4);
        assert_eq!(jsth(&jsth_day(x, None)).platelets, ex(p));
    }
    // Unconverted x10^4 values would be read as severe thrombocytopenia: 12 x10^3/uL.
    assert_eq!(jaam(&jaam_day(12.0, None)).platelets, ex(3));
    assert!(platelets_from_x10e4_per_ul(NAN).is_nan());
}
