//! The generative model of the synthetic registry: one patient at a time from its own random
//! stream (see [`super::rng::Rng::stream`]).
//!
//! Per patient: a site (case mix, measurement and unit habits, treatment preference), latent
//! illness severity `z` and coagulopathy `c`, day-1 labs and vital signs from them, day 2-7
//! trajectories, missingness, a treatment decision that depends on severity as recorded (site,
//! APACHE II and the day-1 JAAM lower bound: confounding by indication, fully measured by the
//! default plan's propensity covariates) with a start day often on day 2-3 (immortal time for a
//! naive analysis), and a day-by-day competing-risk course of in-hospital death and discharge
//! alive up to day 28.
//!
//! [`counterfactual_landmark`] draws each landmark patient's two potential outcomes (treated
//! from day 4 / never treated) with common random numbers; their pooled Cox HR is the marginal
//! truth that landmark + IPTW estimates (`truth.json` `marginal_hazard_ratio`).
//!
//! The planted effect: from the first anticoagulant start day (inclusive), the death hazard
//! (a rate, constant within each day) is multiplied by `hr_dic` in patients with DIC (JAAM >= 4
//! on day 1, from the simulated day-1 values) and by `hr_non_dic` (1.0) otherwise. Discharge is
//! not affected by treatment.

use super::rng::Rng;
use crate::score::jaam::{jaam, JaamDay, JAAM_DIC};
use crate::score::sirs::{sirs, SirsDay};
use crate::score::{PlateletFall, Points, ScoreConfig};

/// Parameters of a simulation run.
#[derive(Debug, Clone, PartialEq)]
pub struct SimParams {
    pub n_patients: u64,
    pub seed: u64,
    /// Hazard ratio of in-hospital death for treated vs untreated DIC patients.
    pub hr_dic: f64,
    /// Hazard ratio in non-DIC patients (1.0: no effect).
    pub hr_non_dic: f64,
    /// Optional MAR / MNAR missingness of the day-1 coagulation labs (see [`super::missing`]).
    pub lab_missingness: Option<super::missing::LabMissingness>,
    /// First day on which the treatment acts (1: from the start day, the default). 4 removes
    /// every effect before the day-3 landmark, so survival to the landmark no longer depends on
    /// early treatment: the check that the landmark estimate's bias under an effect is the
    /// selection of who survives to the landmark (`scripts/replicate.py --effect-from-day 4`).
    pub effect_from_day: u32,
    /// Also write each landmark patient's two potential outcomes into `truth_patients.csv`
    /// ([`counterfactual_landmark`]), so an estimator can be checked against them row by row.
    pub potential_outcomes: bool,
    /// Hazard ratio of major bleeding on each day in hospital from the treatment's start (day 2
    /// on: day-1 bleeding is a baseline finding), on the complementary log-log scale of the daily
    /// probability (`1 - (1 - p0)^hr`; [`super::bleeding::apply_bleeding_hr`]). 1.0 leaves the data as drawn.
    pub bleeding_hr: f64,
}

impl SimParams {
    pub fn new(n_patients: u64, seed: u64) -> Self {
        SimParams {
            n_patients,
            seed,
            hr_dic: 0.70,
            hr_non_dic: 1.0,
            lab_missingness: None,
            effect_from_day: 1,
            potential_outcomes: false,
            bleeding_hr: DEFAULT_BLEEDING_HR,
        }
    }
}

/// The default [`SimParams::bleeding_hr`]: anticoagulants raise the daily hazard of bleeding by
/// half (the large trials' direction: KyberSept, SCARLET, HETRASE all found more bleeding).
pub const DEFAULT_BLEEDING_HR: f64 = 1.5;

/// Daily probability of a bleeding record before treatment, from the day's latent coagulopathy.
pub fn bleeding_probability(c: f64) -> f64 {
    logistic(-3.0 + 0.8 * c)
}

/// Last day of follow-up (28-day in-hospital mortality).
pub const FOLLOW_UP_DAYS: u32 = 28;
/// Days with laboratory rows (day 1 = ICU admission).
pub const LAB_DAYS: u32 = 7;

/// Probabilities that the first anticoagulant of a patient assigned to treatment is planned for
/// day 1, 2, 3 (the default plan's window).
pub const START_DAY_PROBS: [f64; 3] = [0.30, 0.45, 0.25];

/// Probability that a patient not assigned to treatment starts late, on day 4 or 5
/// ([`LATE_START_DAY_PROBS`]), independently of everything else: late starts exist (the
/// landmark's per-protocol censoring is exercised) but their censoring is not informative, so
/// landmark + IPTW targets the marginal truth without censoring weights.
pub const LATE_START_PROB: f64 = 0.04;
/// Probabilities of day 4, 5 for a late start.
pub const LATE_START_DAY_PROBS: [f64; 2] = [0.6, 0.4];

/// Baseline hazard of in-hospital death per day (rate, constant within the day).
pub fn baseline_death_hazard(day: u32) -> f64 {
    if day <= 3 {
        0.020
    } else if day <= 7 {
        0.015
    } else {
        0.010
    }
}

/// Baseline hazard of discharge alive per day (none before day 4).
pub fn baseline_discharge_hazard(day: u32) -> f64 {
    if day <= 3 {
        0.0
    } else if day <= 10 {
        0.05
    } else {
        0.09
    }
}

/// The generative model in words and numbers, written into `truth.json`.
pub fn model_description() -> serde_json::Value {
    serde_json::json!({
        "latent": "severity z ~ N(site.severity, 1); coagulopathy c = 0.45 z + 0.89 N(0,1) + site.coag",
        "death_hazard": "baseline_death_hazard(day) * exp(0.55 z + 0.35 c + 0.02 (age - 70) + 0.5 haematological_malignancy + 0.6 liver_failure) * (true HR of the patient's group from the first treatment day)",
        "baseline_death_hazard": {"days 1-3": baseline_death_hazard(1), "days 4-7": baseline_death_hazard(4), "days 8-28": baseline_death_hazard(8)},
        "discharge_hazard": "baseline_discharge_hazard(day) * exp(-0.35 z)",
        "baseline_discharge_hazard": {"days 1-3": baseline_discharge_hazard(1), "days 4-10": baseline_discharge_hazard(4), "days 11-28": baseline_discharge_hazard(11)},
        "events": "competing hazards constant within each day: P(event on day d) = 1 - exp(-(death + discharge)), death with probability death / (death + discharge)",
        "bleeding": "daily record (days 1-7 in hospital) with probability p0 = logistic(-3 + 0.8 c_day) untreated; from the treatment's start (day 2 on) 1 - (1 - p0)^bleeding_hr (a daily hazard ratio, complementary log-log), drawn from a stream of its own",
        "treatment_probability": "logistic(site.treat - 2.4 + 0.09 (apache2 - 21) + 0.45 jaam_lo_day1): written baseline variables only (jaam_lo_day1 = day-1 JAAM with an unrecorded FDP scoring 0; day-1 missingness is drawn before the decision)",
        "planned_start_day_probabilities": START_DAY_PROBS,
        "late_start": format!("a patient not assigned to treatment starts on day 4 or 5 (probabilities {LATE_START_DAY_PROBS:?}) with probability {LATE_START_PROB}, independently of everything else"),
        "lab_days": LAB_DAYS,
        "follow_up_days": FOLLOW_UP_DAYS,
        "sites": SITES.iter().map(|s| serde_json::json!({
            "id": s.id, "weight": s.weight, "severity": s.severity, "coag": s.coag,
            "treat": s.treat, "measures_d_dimer": s.d_dimer, "d_dimer_ddu_in_registry_wide": s.d_dimer_ddu,
            "fibrinogen_mg_dl_in_registry_wide": s.fibrinogen_mg_dl,
            "fdp_missing_day1": s.fdp_missing_day1, "antithrombin_rate": s.antithrombin_rate,
            "measures_tat": s.tat, "vasopressors_blank_when_not_given": s.vaso_blank, "isi": s.isi,
        })).collect::<Vec<_>>(),
    })
}

pub use super::sites::{Site, SITES};

/// Column positions of the 28 measurement columns, in the order of
/// `data-schema/days.schema.json` after `patient_id` and `day` (checked by a test).
pub mod col {
    pub const PLATELETS: usize = 0;
    pub const PT_INR: usize = 1;
    pub const PT_RATIO: usize = 2;
    pub const PT_SEC: usize = 3;
    pub const FIBRINOGEN: usize = 4;
    pub const FDP: usize = 5;
    pub const D_DIMER: usize = 6;
    pub const ANTITHROMBIN: usize = 7;
    pub const TAT: usize = 8;
    pub const TEMPERATURE: usize = 9;
    pub const HEART_RATE: usize = 10;
    pub const RESP_RATE: usize = 11;
    pub const PACO2: usize = 12;
    pub const WBC: usize = 13;
    pub const IMMATURE: usize = 14;
    pub const PAO2_FIO2: usize = 15;
    pub const VENTILATED: usize = 16;
    pub const MAP: usize = 17;
    pub const DOPAMINE: usize = 18;
    pub const DOBUTAMINE: usize = 19;
    pub const EPINEPHRINE: usize = 20;
    pub const NOREPINEPHRINE: usize = 21;
    pub const GCS: usize = 22;
    pub const BILIRUBIN: usize = 23;
    pub const CREATININE: usize = 24;
    pub const URINE: usize = 25;
    pub const BLEEDING: usize = 26;
    pub const ORGAN_FAILURE: usize = 27;
    pub const N: usize = 28;
    /// Boolean columns (written true/false).
    pub const BOOLS: [usize; 3] = [VENTILATED, BLEEDING, ORGAN_FAILURE];
}

/// The four anticoagulants of the registry.
pub const DRUGS: [&str; 4] = [
    "antithrombin",
    "thrombomodulin",
    "heparin",
    "protease_inhibitor",
];

/// One treatment course.
#[derive(Debug, Clone, PartialEq)]
pub struct Course {
    /// Index into [`DRUGS`].
    pub drug: usize,
    pub start_day: u32,
    pub end_day: u32,
    pub dose: f64,
    pub dose_unit: &'static str,
}

/// A simulated patient, with values as written (rounded; NaN = missing) and the latent truth.
#[derive(Debug, Clone, PartialEq)]
pub struct SimPatient {
    pub index: u64,
    pub site: usize,
    pub age: f64,
    pub male: bool,
    pub apache2: f64,
    pub haem_malignancy: bool,
    pub liver_failure: bool,
    pub infection_source: &'static str,
    pub death_day: Option<u32>,
    pub last_day: u32,
    pub discharge_day: Option<u32>,
    /// Observed values of days 1..=min(7, last_day), NaN = missing.
    pub days: Vec<[f64; col::N]>,
    /// Simulated values before missingness (same days).
    pub days_true: Vec<[f64; col::N]>,
    pub courses: Vec<Course>,
    /// JAAM total on day 1 from the simulated (complete) day-1 values.
    pub jaam_day1: u8,
    /// The effect modifier: `jaam_day1 >= 4`.
    pub dic: bool,
    /// Planned first anticoagulant day (None: not to be treated).
    pub planned_start: Option<u32>,
    /// First day on treatment (the planned day if still in hospital then).
    pub treatment_start: Option<u32>,
    /// JAAM lower bound on day 1 from the written values (FDP unrecorded = 0 points).
    pub jaam_lo_day1: u8,
    /// Relative death hazard exp(linear predictor) (latent).
    pub death_risk: f64,
    /// Relative discharge hazard exp(-0.35 z) (latent).
    pub discharge_risk: f64,
    /// Day-1 (platelets, PT, fibrinogen) deleted by `SimParams::lab_missingness`.
    pub lab_deleted: [bool; 3],
}

impl SimPatient {
    /// `P00000001`-style identifier (1-based).
    pub fn id(&self) -> String {
        format!("P{:08}", self.index + 1)
    }
}

fn r0(x: f64) -> f64 {
    x.round()
}
pub(crate) fn r1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}
pub(crate) fn r2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}
fn clamp(x: f64, lo: f64, hi: f64) -> f64 {
    x.clamp(lo, hi)
}
fn logistic(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// JAAM DIC points (Gando 2006) of a day's values as the score layer computes them on a
/// patient's first recorded day (no platelet fall): exact when the values are complete, bounds
/// when some are missing (NaN).
pub fn jaam_first_day(v: &[f64; col::N]) -> Points {
    let cfg = ScoreConfig::default();
    let sirs_points = sirs(
        &SirsDay {
            temperature: v[col::TEMPERATURE],
            heart_rate: v[col::HEART_RATE],
            resp_rate: v[col::RESP_RATE],
            paco2: v[col::PACO2],
            wbc: v[col::WBC],
            immature_pct: v[col::IMMATURE],
        },
        &cfg,
    )
    .total();
    jaam(&JaamDay {
        sirs: sirs_points,
        platelets: v[col::PLATELETS],
        fall: PlateletFall::FIRST_DAY,
        pt_ratio: v[col::PT_RATIO],
        fdp: v[col::FDP],
    })
    .total()
}

/// Labs and vital signs of one day from latent severity `z` and coagulopathy `c`. `prev` is the
/// previous day's values (platelets follow a trajectory from it).
fn day_values(
    rng: &mut Rng,
    site: &Site,
    z: f64,
    c: f64,
    day: u32,
    prev: Option<&[f64; col::N]>,
    p: &PatientBase,
) -> [f64; col::N] {
    let mut v = [f64::NAN; col::N];
    v[col::PLATELETS] = match prev {
        None => {
            let base = rng.lognormal(132.0, 0.28) * (-0.50 * c).exp();
            r0(clamp(if p.haem { base * 0.45 } else { base }, 3.0, 900.0))
        }
        Some(prev) => {
            let slope = -0.10 + 0.08 * (day as f64 - 2.0);
            let x = prev[col::PLATELETS] * (slope - 0.10 * c + rng.gauss(0.0, 0.10)).exp();
            r0(clamp(x, 3.0, 900.0))
        }
    };
    let ratio = r2(clamp(
        1.0 + rng.lognormal(0.13, 0.35) * (0.55 * c).exp(),
        0.85,
        8.0,
    ));
    v[col::PT_RATIO] = ratio;
    v[col::PT_INR] = r2(clamp(ratio.powf(site.isi), 0.8, 12.0));
    v[col::PT_SEC] = r1(11.5 * (ratio - 1.0));
    v[col::FIBRINOGEN] = r0(clamp(rng.gauss(440.0 - 95.0 * c, 110.0), 40.0, 1200.0));
    let fdp = r1(clamp(
        rng.lognormal(11.0, 0.6) * (0.9 * c).exp(),
        0.5,
        1500.0,
    ));
    v[col::FDP] = fdp;
    v[col::D_DIMER] = r1(clamp(fdp * 0.45 * rng.lognormal(1.0, 0.25), 0.2, 600.0));
    v[col::ANTITHROMBIN] = r0(clamp(rng.gauss(74.0 - 12.0 * c, 14.0), 10.0, 140.0));
    v[col::TAT] = r1(clamp(rng.lognormal(2.0, 0.5) * (0.6 * c).exp(), 0.2, 200.0));
    v[col::TEMPERATURE] = r1(clamp(rng.gauss(37.9 + 0.15 * z, 0.9), 33.5, 42.0));
    v[col::HEART_RATE] = r0(clamp(rng.gauss(100.0 + 7.0 * z, 18.0), 35.0, 200.0));
    v[col::RESP_RATE] = r0(clamp(rng.gauss(22.0 + 2.5 * z, 5.0), 6.0, 60.0));
    v[col::PACO2] = r0(clamp(rng.gauss(37.0 - 1.5 * z, 6.0), 15.0, 90.0));
    v[col::WBC] = r1(clamp(
        rng.lognormal(11.0, 0.5) * (0.12 * z).exp(),
        0.2,
        150.0,
    ));
    v[col::IMMATURE] = r0(clamp(rng.lognormal(3.5, 0.8) * (0.3 * z).exp(), 0.0, 80.0));
    v[col::PAO2_FIO2] = r0(clamp(rng.gauss(270.0 - 50.0 * z, 80.0), 40.0, 600.0));
    let vent = rng.bernoulli(logistic(0.2 + 1.2 * z));
    v[col::VENTILATED] = if vent { 1.0 } else { 0.0 };
    v[col::MAP] = r0(clamp(rng.gauss(73.0 - 6.0 * z, 10.0), 30.0, 140.0));
    let shock = rng.bernoulli(logistic(-0.6 + 1.3 * z));
    v[col::NOREPINEPHRINE] = if shock {
        r2(clamp(rng.lognormal(0.12, 0.6), 0.01, 1.5))
    } else {
        0.0
    };
    v[col::DOPAMINE] = if shock && rng.bernoulli(0.12) {
        r1(clamp(rng.lognormal(5.0, 0.4), 1.0, 20.0))
    } else {
        0.0
    };
    v[col::DOBUTAMINE] = if rng.bernoulli(0.05) {
        r1(clamp(rng.lognormal(4.0, 0.4), 1.0, 20.0))
    } else {
        0.0
    };
    v[col::EPINEPHRINE] = if shock && rng.bernoulli(0.04) {
        r2(clamp(rng.lognormal(0.08, 0.5), 0.01, 1.0))
    } else {
        0.0
    };
    v[col::GCS] = r0(clamp(
        14.2 - 2.5 * z.max(0.0) + rng.gauss(0.0, 1.8),
        3.0,
        15.0,
    ));
    let bil = rng.lognormal(0.9, 0.6) * (0.3 * z).exp() * if p.liver { 3.0 } else { 1.0 };
    v[col::BILIRUBIN] = r1(clamp(bil, 0.1, 40.0));
    v[col::CREATININE] = r2(clamp(rng.lognormal(1.2, 0.45) * (0.3 * z).exp(), 0.2, 15.0));
    v[col::URINE] =
        (clamp(rng.gauss(1500.0 - 350.0 * z, 500.0), 0.0, 6000.0) / 10.0).round() * 10.0;
    v[col::BLEEDING] = if rng.bernoulli(bleeding_probability(c)) {
        1.0
    } else {
        0.0
    };
    v[col::ORGAN_FAILURE] = if rng.bernoulli(logistic(-0.4 + 1.2 * z)) {
        1.0
    } else {
        0.0
    };
    v
}

struct PatientBase {
    haem: bool,
    liver: bool,
}

/// Applies the site's measurement habits to a day's values (NaN = not measured).
fn missingness(rng: &mut Rng, site: &Site, day: u32, v: &mut [f64; col::N], dic: bool) {
    let drop = |v: &mut [f64; col::N], c: usize, p: f64, rng: &mut Rng| {
        if rng.bernoulli(p) {
            v[c] = f64::NAN;
        }
    };
    if day == 1 {
        // Platelets, PT and the SIRS inputs are always recorded on day 1.
        drop(v, col::FDP, site.fdp_missing_day1, rng);
        drop(v, col::FIBRINOGEN, 0.15, rng);
        drop(v, col::PAO2_FIO2, 0.10, rng);
        drop(v, col::GCS, 0.12, rng);
        drop(v, col::BILIRUBIN, 0.10, rng);
        drop(v, col::CREATININE, 0.03, rng);
        drop(v, col::URINE, 0.25, rng);
    } else {
        drop(v, col::PLATELETS, 0.05, rng);
        let pt = rng.bernoulli(0.10);
        if pt {
            v[col::PT_RATIO] = f64::NAN;
            v[col::PT_INR] = f64::NAN;
            v[col::PT_SEC] = f64::NAN;
        }
        drop(v, col::FDP, 0.40, rng);
        drop(v, col::FIBRINOGEN, 0.45, rng);
        for c in [
            col::TEMPERATURE,
            col::HEART_RATE,
            col::RESP_RATE,
            col::WBC,
            col::MAP,
            col::CREATININE,
        ] {
            drop(v, c, 0.04, rng);
        }
        drop(v, col::PACO2, 0.20, rng);
        drop(v, col::IMMATURE, 0.50, rng);
        drop(v, col::PAO2_FIO2, 0.25, rng);
        drop(v, col::GCS, 0.25, rng);
        drop(v, col::BILIRUBIN, 0.45, rng);
        drop(v, col::URINE, 0.35, rng);
    }
    if !site.d_dimer || rng.bernoulli(if day == 1 { 0.45 } else { 0.65 }) {
        v[col::D_DIMER] = f64::NAN;
    }
    let at_rate =
        site.antithrombin_rate * if dic { 1.4 } else { 0.7 } * if day == 1 { 1.0 } else { 0.6 };
    if !rng.bernoulli(at_rate.min(0.95)) {
        v[col::ANTITHROMBIN] = f64::NAN;
    }
    if !site.tat || rng.bernoulli(0.3) {
        v[col::TAT] = f64::NAN;
    }
    if site.vaso_blank {
        for c in [
            col::DOPAMINE,
            col::DOBUTAMINE,
            col::EPINEPHRINE,
            col::NOREPINEPHRINE,
        ] {
            if v[c] == 0.0 {
                v[c] = f64::NAN;
            }
        }
    }
}

const INFECTION_SOURCES: [&str; 5] = ["lung", "abdomen", "urinary", "soft_tissue", "other"];

/// Simulates patient `index` (0-based) under `params`.
pub fn simulate_patient(params: &SimParams, index: u64) -> SimPatient {
    let mut rng = Rng::stream(params.seed, index);
    let weights: Vec<f64> = SITES.iter().map(|s| s.weight).collect();
    let si = rng.categorical(&weights);
    let site = &SITES[si];
    let z = rng.gauss(site.severity, 1.0);
    let c = 0.45 * z + 0.89 * rng.normal() + site.coag;
    let age = r0(clamp(rng.gauss(70.0 + 2.0 * z, 13.0), 18.0, 99.0));
    let male = rng.bernoulli(0.6);
    let haem = rng.bernoulli(0.05);
    let liver = rng.bernoulli(0.04);
    let infection_source = INFECTION_SOURCES[rng.categorical(&[0.38, 0.27, 0.18, 0.09, 0.08])];
    let apache2 = r0(clamp(
        21.0 + 6.5 * z + 0.08 * (age - 70.0) + rng.gauss(0.0, 3.0),
        0.0,
        71.0,
    ));
    let base = PatientBase { haem, liver };

    // Latent trajectory of days 1..7 (always simulated; rows written while in hospital).
    let (mut days_true, coag) = latent_days(&mut rng, site, (z, c), &base);
    let jaam_points = jaam_first_day(&days_true[0]);
    debug_assert!(
        jaam_points.is_known(),
        "the simulated day-1 values are complete"
    );
    let jaam = jaam_points.min as u8;
    let dic = jaam_points.min >= JAAM_DIC;

    // Day-1 missingness is applied before the treatment decision: clinicians decide on what is
    // recorded, and so does the analysis.
    let mut day1 = days_true[0];
    missingness(&mut rng, site, 1, &mut day1, dic);
    let jaam_lo = jaam_first_day(&day1).min as u8;

    // Treatment decision (confounding by indication, fully measured): the log-odds depend only on
    // written baseline variables (site, APACHE II, the day-1 JAAM lower bound), all of them
    // covariates of the default plan's propensity model, never on the latent severity directly.
    let treated = rng.bernoulli(treatment_probability(site, apache2, jaam_lo));
    let planned_start = if treated {
        Some(1 + rng.categorical(&START_DAY_PROBS) as u32)
    } else if rng.bernoulli(LATE_START_PROB) {
        Some(4 + rng.categorical(&LATE_START_DAY_PROBS) as u32)
    } else {
        None
    };

    // Day-by-day competing risks: death (affected by treatment) and discharge alive.
    let lp = 0.55 * z
        + 0.35 * c
        + 0.02 * (age - 70.0)
        + if haem { 0.5 } else { 0.0 }
        + if liver { 0.6 } else { 0.0 };
    let risk = lp.exp();
    let discharge_risk = (-0.35 * z).exp();
    let hr = if dic {
        params.hr_dic
    } else {
        params.hr_non_dic
    };
    let (death_day, discharge_day, last_day) =
        competing_outcomes(&mut rng, (risk, discharge_risk), hr, planned_start, params);
    let treatment_start = planned_start.filter(|&s| s <= last_day);

    let courses = match treatment_start {
        Some(start) => draw_courses(
            &mut rng,
            dic,
            days_true[0][col::ANTITHROMBIN],
            start,
            last_day,
        ),
        None => Vec::new(),
    };

    super::bleeding::apply_bleeding_hr(params, index, treatment_start, &coag, &mut days_true);

    // Observed values: rows for the days in hospital, with the site's missingness.
    let n_rows = last_day.min(LAB_DAYS) as usize;
    days_true.truncate(n_rows);
    let mut days = days_true.clone();
    days[0] = day1;
    for (d, v) in days.iter_mut().enumerate().skip(1) {
        missingness(&mut rng, site, d as u32 + 1, v, dic);
    }
    let lab_deleted = params.lab_missingness.map_or([false; 3], |mech| {
        let o = super::missing::Observed {
            apache2,
            died: death_day.is_some(),
            treated: treatment_start.is_some(),
        };
        let t0 = days_true[0];
        super::missing::apply(mech, (params.seed, index), &mut days[0], &t0, o)
    });

    SimPatient {
        index,
        site: si,
        age,
        male,
        apache2,
        haem_malignancy: haem,
        liver_failure: liver,
        infection_source,
        death_day,
        last_day,
        discharge_day,
        days,
        days_true,
        courses,
        jaam_day1: jaam,
        dic,
        planned_start,
        treatment_start,
        jaam_lo_day1: jaam_lo,
        death_risk: risk,
        discharge_risk,
        lab_deleted,
    }
}

/// Days 1..7 of latent values: severity and coagulopathy drift day to day (coagulopathy peaks
/// by day 3), and each day's labs and vital signs are drawn from them (`day_values`).
/// Also returns each day's latent coagulopathy (the bleeding probability's input).
fn latent_days(
    rng: &mut Rng,
    site: &Site,
    z_c: (f64, f64),
    base: &PatientBase,
) -> (Vec<[f64; col::N]>, Vec<f64>) {
    let mut days_true: Vec<[f64; col::N]> = Vec::with_capacity(LAB_DAYS as usize);
    let mut coag = Vec::with_capacity(LAB_DAYS as usize);
    let (mut zd, mut cd) = z_c;
    for day in 1..=LAB_DAYS {
        if day > 1 {
            let peak = if day <= 3 { 0.15 } else { -0.20 };
            cd = 0.8 * cd + peak + rng.gauss(0.0, 0.3);
            zd = 0.85 * zd - 0.10 + rng.gauss(0.0, 0.3);
        }
        let v = day_values(rng, site, zd, cd, day, days_true.last(), base);
        days_true.push(v);
        coag.push(cd);
    }
    (days_true, coag)
}

/// Day-by-day competing risks up to day 28: each day death (hazard `h0(day) * risk`, times `hr`
/// from the planned start on, and not before `params.effect_from_day`) or discharge alive, constant within the day. Returns (death day,
/// discharge day, last day observed).
fn competing_outcomes(
    rng: &mut Rng,
    (risk, discharge_risk): (f64, f64),
    hr: f64,
    planned_start: Option<u32>,
    params: &SimParams,
) -> (Option<u32>, Option<u32>, u32) {
    let mut death_day = None;
    let mut discharge_day = None;
    let mut last_day = FOLLOW_UP_DAYS;
    for day in 1..=FOLLOW_UP_DAYS {
        let h0 = baseline_death_hazard(day);
        let on_treatment = planned_start.is_some_and(|s| s <= day) && day >= params.effect_from_day;
        let lam_d = h0 * risk * if on_treatment { hr } else { 1.0 };
        let lam_c = baseline_discharge_hazard(day) * discharge_risk;
        let total = lam_d + lam_c;
        let u = rng.uniform();
        if u < 1.0 - (-total).exp() {
            if rng.uniform() * total < lam_d {
                death_day = Some(day);
            } else {
                discharge_day = Some(day);
            }
            last_day = day;
            break;
        }
    }
    (death_day, discharge_day, last_day)
}

/// The treatment courses of a patient treated from `start`: DIC patients mostly antithrombin
/// (more often when day-1 antithrombin `at1` is below 70%) or thrombomodulin, others heparin or
/// protease inhibitors; a quarter receive a second drug. In (start day, drug) order: the order
/// of treatments.csv and of the registry-wide loader alike.
fn draw_courses(rng: &mut Rng, dic: bool, at1: f64, start: u32, last_day: u32) -> Vec<Course> {
    let first = if dic {
        if at1 < 70.0 && rng.bernoulli(0.6) {
            0
        } else if rng.bernoulli(0.85) {
            1
        } else {
            2 + rng.categorical(&[0.5, 0.5])
        }
    } else {
        rng.categorical(&[0.10, 0.20, 0.40, 0.30])
    };
    let mut drugs = vec![(first, start)];
    if rng.bernoulli(0.25) {
        let second = (first + 1 + rng.categorical(&[0.4, 0.3, 0.3])) % 4;
        let s2 = start + rng.categorical(&[0.5, 0.5]) as u32;
        if s2 <= last_day {
            drugs.push((second, s2));
        }
    }
    let mut courses = Vec::new();
    for (drug, s) in drugs {
        let (dur, dose, unit) = match drug {
            0 => (
                3,
                if rng.bernoulli(0.7) { 1500.0 } else { 3000.0 },
                "IU/day",
            ),
            1 => (
                4 + rng.categorical(&[0.4, 0.3, 0.3]) as u32,
                if rng.bernoulli(0.85) { 380.0 } else { 130.0 },
                "U/kg/day",
            ),
            2 => (
                5 + rng.categorical(&[0.5, 0.3, 0.2]) as u32,
                [5000.0, 10000.0, 15000.0][rng.categorical(&[0.3, 0.5, 0.2])],
                "IU/day",
            ),
            _ => (
                4 + rng.categorical(&[0.4, 0.4, 0.2]) as u32,
                [1000.0, 1500.0, 2000.0][rng.categorical(&[0.3, 0.4, 0.3])],
                "mg/day",
            ),
        };
        courses.push(Course {
            drug,
            start_day: s,
            end_day: (s + dur - 1).min(last_day),
            dose,
            dose_unit: unit,
        });
    }

    // Courses in (start day, drug) order: the order of treatments.csv and of the registry-wide
    // loader alike.
    courses.sort_by_key(|c| (c.start_day, c.drug));
    courses
}

/// Probability of anticoagulant treatment: logistic in written baseline variables only.
pub fn treatment_probability(site: &Site, apache2: f64, jaam_lo_day1: u8) -> f64 {
    logistic(site.treat - 2.4 + 0.09 * (apache2 - 21.0) + 0.45 * f64::from(jaam_lo_day1))
}

/// Landmark day of the counterfactual truth (the default plan's window end).
pub const LANDMARK_DAY: u32 = 3;

/// Follow-up of one counterfactual arm from the landmark: (time since the end of day 3, death).
pub type CounterfactualOutcome = (u32, bool);

/// Potential outcomes of a patient of the landmark population (alive and in hospital at the
/// end of day [`LANDMARK_DAY`]; `None` otherwise) under "treated from day 4" (index 1: the
/// death hazard times the patient's group HR) and "never treated" (index 0), with common random
/// numbers: one pair of uniforms per day from a stream of its own, shared by both arms. With a
/// constant multiplicative effect, a patient started on days 1-3 has exactly this day-4-onward
/// hazard, so the pair is the landmark exposure contrast of the analysis. Discharge alive ends
/// follow-up (censored), as does day 28.
pub fn counterfactual_landmark(
    params: &SimParams,
    p: &SimPatient,
) -> Option<[CounterfactualOutcome; 2]> {
    if p.last_day <= LANDMARK_DAY {
        return None;
    }
    let mut rng = Rng::stream(params.seed ^ COUNTERFACTUAL_STREAM, p.index);
    let hr = if p.dic {
        params.hr_dic
    } else {
        params.hr_non_dic
    };
    let mut out = [None, None];
    for day in LANDMARK_DAY + 1..=FOLLOW_UP_DAYS {
        let (u, v) = (rng.uniform(), rng.uniform());
        let lam_c = baseline_discharge_hazard(day) * p.discharge_risk;
        for (arm, o) in out.iter_mut().enumerate() {
            if o.is_some() {
                continue;
            }
            let lam_d = baseline_death_hazard(day) * p.death_risk * if arm == 1 { hr } else { 1.0 };
            let total = lam_d + lam_c;
            if u < 1.0 - (-total).exp() {
                *o = Some((day - LANDMARK_DAY, v * total < lam_d));
            }
        }
        if out.iter().all(|o| o.is_some()) {
            break;
        }
    }
    let end = (FOLLOW_UP_DAYS - LANDMARK_DAY, false);
    Some([out[0].unwrap_or(end), out[1].unwrap_or(end)])
}

/// Mixed into the seed for the counterfactual streams (disjoint from the data streams).
const COUNTERFACTUAL_STREAM: u64 = 0xC0F7_AC7A_1000_0001;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::{table_spec, TableKind};

    #[test]
    fn column_constants_follow_the_schema() {
        let spec = table_spec(TableKind::Days);
        let names: Vec<&str> = spec.columns[2..].iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names.len(), col::N);
        assert_eq!(names[col::PLATELETS], "platelets");
        assert_eq!(names[col::PT_SEC], "pt_sec_prolongation");
        assert_eq!(names[col::TAT], "tat_x_uln");
        assert_eq!(names[col::IMMATURE], "immature_pct");
        assert_eq!(names[col::VENTILATED], "ventilated");
        assert_eq!(names[col::NOREPINEPHRINE], "norepinephrine");
        assert_eq!(names[col::URINE], "urine_output");
        assert_eq!(names[col::ORGAN_FAILURE], "organ_failure");
    }

    #[test]
    fn same_index_same_patient() {
        let p = SimParams::new(10, 42);
        let a = format!("{:?}", simulate_patient(&p, 3));
        assert_eq!(a, format!("{:?}", simulate_patient(&p, 3)));
        assert_ne!(a, format!("{:?}", simulate_patient(&p, 4)));
    }
}
