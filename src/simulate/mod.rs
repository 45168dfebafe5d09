//! The synthetic registry: deterministic from a seed, any size, streamed to disk in flat memory,
//! with a planted treatment effect written to `truth.json` (see [`model`] for the generative
//! model). Patients are generated in parallel chunks, each from its own random stream, and
//! written in order, so the bytes do not depend on the thread count.
//!
//! The simulator computes nothing the rest of the crate computes: the effect modifier (day-1
//! JAAM) is scored by `score::jaam`, and the marginal truth is fitted by `stats::cox::coxph`
//! (the only memory that grows with the number of patients: two 17-byte rows per landmark
//! patient, held while the truth is fitted).
//!
//! [`default_registry`] is the embedded registry `dicohort analyze` uses without arguments:
//! 3,000 patients, seed 2011, produced by the same writer and loaded by the same canonical
//! loader as `dicohort simulate` + `load_cohort`, so both paths give the same `Cohort`.

pub mod bleeding;
mod counterfactual;
pub mod mimic;
pub mod missing;
pub mod model;
pub mod rng;
mod sites;
pub mod wide;

use std::io::{BufWriter, Write};
use std::path::Path;

use rayon::prelude::*;
use serde::Serialize;

use crate::load::{load_canonical, Input, LoadOptions};
use crate::output::OutputDir;
use crate::progress::Reporter;
use crate::schema::Cohort;
use crate::score::jaam::JAAM_DIC;
use crate::score::Dx;
use crate::stats::cox::{coxph, CoxData, CoxOptions};

pub use counterfactual::*;

pub use model::{simulate_patient, SimParams, SimPatient, DRUGS, SITES};

/// Output layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SimFormat {
    /// `patients.csv`, `days.csv`, `treatments.csv` (days 1-7).
    Canonical,
    /// `registry_wide.csv`: one row per patient, labs on days 1, 3 and 7 in registry units.
    RegistryWide,
    /// A MIMIC-IV-shaped folder (`hosp/*.csv.gz`, `icu/*.csv.gz`; see [`mimic`]).
    MimicIv,
}

impl SimFormat {
    /// The data files written, relative to the output folder.
    pub fn files(self) -> Vec<String> {
        match self {
            SimFormat::Canonical => vec![
                "patients.csv".into(),
                "days.csv".into(),
                "treatments.csv".into(),
            ],
            SimFormat::RegistryWide => vec!["registry_wide.csv".into()],
            SimFormat::MimicIv => mimic::TABLES
                .iter()
                .map(|t| format!("{t}.csv.gz"))
                .collect(),
        }
    }

    fn name(self) -> &'static str {
        match self {
            SimFormat::Canonical => "canonical",
            SimFormat::RegistryWide => "registry-wide",
            SimFormat::MimicIv => "mimic-iv",
        }
    }
}

/// Errors of the simulator.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    #[error("{file}: {message}")]
    Io { file: String, message: String },
    #[error("invalid parameter: {0}")]
    Parameter(String),
    /// The generated registry failed to load (a simulator bug: its output must always validate).
    #[error("the simulated registry does not load: {0}")]
    Load(#[from] crate::load::LoadError),
    /// The output folder cannot be written (locked, not owned, ...).
    #[error(transparent)]
    Output(#[from] crate::output::OutputError),
}

/// Patients per parallel chunk (memory stays bounded by one chunk).
const CHUNK: u64 = 4096;

/// Realised counts, accumulated while writing.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct TruthCounts {
    pub patients: u64,
    pub dic: u64,
    pub non_dic: u64,
    pub treated_dic: u64,
    pub treated_non_dic: u64,
    /// Planned to be treated but died or left before the planned start (never treated).
    pub planned_but_not_started: u64,
    pub deaths_dic: u64,
    pub deaths_non_dic: u64,
    pub deaths_treated_dic: u64,
    pub deaths_untreated_dic: u64,
    pub deaths_treated_non_dic: u64,
    pub deaths_untreated_non_dic: u64,
    pub discharged_alive: u64,
    pub in_hospital_day28: u64,
    pub patient_days: u64,
    pub treatment_courses: u64,
    /// Treated patients whose first course starts on day 1, 2, 3, 4, 5.
    pub first_start_by_day: [u64; 5],
    /// Day-1 FDP not recorded (the effect modifier still uses the simulated value).
    pub day1_fdp_missing: u64,
    /// Of those, patients whose JAAM DIC status cannot be decided from the written data alone.
    pub day1_dic_indeterminate_in_data: u64,
    /// Day-1 (platelets, PT, fibrinogen) deleted by the optional lab missingness.
    #[serde(skip)]
    pub lab_deleted: [u64; 3],
    /// Counterfactual landmark follow-up, aggregated (feeds `marginal_hazard_ratio`).
    #[serde(skip)]
    pub counterfactual: Counterfactual,
}

impl TruthCounts {
    fn add(&mut self, params: &SimParams, p: &SimPatient) {
        let decided = dic_decided_in_data(p);
        if let Some(arms) = model::counterfactual_landmark(params, p) {
            let e = model::treatment_probability(&model::SITES[p.site], p.apache2, p.jaam_lo_day1);
            self.counterfactual.add(usize::from(!p.dic), &arms, e);
            if let Some(dic) = decided {
                self.counterfactual.add(2 + usize::from(!dic), &arms, e);
            }
        }
        self.patients += 1;
        let treated = p.treatment_start.is_some();
        let died = p.death_day.is_some();
        if p.dic {
            self.dic += 1;
            self.treated_dic += u64::from(treated);
            self.deaths_dic += u64::from(died);
            self.deaths_treated_dic += u64::from(died && treated);
            self.deaths_untreated_dic += u64::from(died && !treated);
        } else {
            self.non_dic += 1;
            self.treated_non_dic += u64::from(treated);
            self.deaths_non_dic += u64::from(died);
            self.deaths_treated_non_dic += u64::from(died && treated);
            self.deaths_untreated_non_dic += u64::from(died && !treated);
        }
        self.planned_but_not_started += u64::from(p.planned_start.is_some() && !treated);
        self.discharged_alive += u64::from(p.discharge_day.is_some());
        self.in_hospital_day28 += u64::from(!died && p.discharge_day.is_none());
        self.patient_days += p.days.len() as u64;
        self.treatment_courses += p.courses.len() as u64;
        if let Some(s) = p.treatment_start {
            self.first_start_by_day[(s as usize - 1).min(4)] += 1;
        }
        for (a, b) in self.lab_deleted.iter_mut().zip(p.lab_deleted) {
            *a += u64::from(b);
        }
        if p.days[0][model::col::FDP].is_nan() {
            self.day1_fdp_missing += 1;
            self.day1_dic_indeterminate_in_data += u64::from(decided.is_none());
        }
    }

    fn merge(&mut self, o: &TruthCounts) {
        self.patients += o.patients;
        self.dic += o.dic;
        self.non_dic += o.non_dic;
        self.treated_dic += o.treated_dic;
        self.treated_non_dic += o.treated_non_dic;
        self.planned_but_not_started += o.planned_but_not_started;
        self.deaths_dic += o.deaths_dic;
        self.deaths_non_dic += o.deaths_non_dic;
        self.deaths_treated_dic += o.deaths_treated_dic;
        self.deaths_untreated_dic += o.deaths_untreated_dic;
        self.deaths_treated_non_dic += o.deaths_treated_non_dic;
        self.deaths_untreated_non_dic += o.deaths_untreated_non_dic;
        self.discharged_alive += o.discharged_alive;
        self.in_hospital_day28 += o.in_hospital_day28;
        self.patient_days += o.patient_days;
        self.treatment_courses += o.treatment_courses;
        for (a, b) in self.first_start_by_day.iter_mut().zip(o.first_start_by_day) {
            *a += b;
        }
        self.day1_fdp_missing += o.day1_fdp_missing;
        self.day1_dic_indeterminate_in_data += o.day1_dic_indeterminate_in_data;
        for (a, b) in self.lab_deleted.iter_mut().zip(o.lab_deleted) {
            *a += b;
        }
        self.counterfactual.merge(&o.counterfactual);
    }
}

/// JAAM DIC on day 1 as decidable from the written values (scored by the score layer): `None`
/// when the unrecorded FDP could change it (lower bound < 4 <= upper bound).
pub fn dic_decided_in_data(p: &SimPatient) -> Option<bool> {
    match model::jaam_first_day(&p.days[0]).dx_at_least(JAAM_DIC) {
        Dx::Positive => Some(true),
        Dx::Negative => Some(false),
        Dx::Indeterminate => None,
    }
}

/// The marginal (population-averaged) hazard ratios of the landmark contrast.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MarginalHazardRatios {
    pub estimand: String,
    pub dic: Option<f64>,
    pub non_dic: Option<f64>,
    pub dic_as_decided_in_data: Option<f64>,
    pub non_dic_as_decided_in_data: Option<f64>,
    /// Landmark-population patients per group (same order).
    pub n_landmark: [u64; 4],
}

/// Risks of death by day 28 under "treated from the landmark" and "never treated" in one group.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ArmRisks {
    pub treated: f64,
    pub untreated: f64,
    /// `treated - untreated`.
    pub difference: f64,
}

/// The marginal risks of the landmark contrast (the target of the g-formula and the IPTW
/// Kaplan-Meier at the horizon).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MarginalRisks {
    pub estimand: String,
    pub dic: ArmRisks,
    pub non_dic: ArmRisks,
    pub dic_as_decided_in_data: ArmRisks,
    pub non_dic_as_decided_in_data: ArmRisks,
}

const CF_COMMON: &str = "treated vs never treated, in this registry's landmark population (alive \
    and in hospital at the end of day 3), follow-up from the end of day 3 to day 28: each \
    patient's two potential outcomes (model::counterfactual_landmark: 'treated from day 4' vs \
    'never treated', common random numbers) pooled, Cox with Efron ties (survival::coxph). \
    Hazard ratios are non-collapsible: attenuated toward 1 against the conditional \
    true_hazard_ratio. Groups by the simulated day-1 JAAM, and as decidable from the written \
    data (the analysis's DIC subgroup levels).";

fn marginal(
    c: &Counterfactual,
    tilt: usize,
    outcome: CfOutcome,
    what: &str,
) -> MarginalHazardRatios {
    MarginalHazardRatios {
        estimand: format!("{what} {CF_COMMON}"),
        dic: c.cox_hr(tilt, 0, outcome),
        non_dic: c.cox_hr(tilt, 1, outcome),
        dic_as_decided_in_data: c.cox_hr(tilt, 2, outcome),
        non_dic_as_decided_in_data: c.cox_hr(tilt, 3, outcome),
        n_landmark: [c.n(0), c.n(1), c.n(2), c.n(3)],
    }
}

fn marginal_risks(c: &Counterfactual) -> MarginalRisks {
    let arm = |g: usize| {
        let (t, u) = (c.risk(0, g, 1), c.risk(0, g, 0));
        ArmRisks {
            treated: t,
            untreated: u,
            difference: t - u,
        }
    };
    MarginalRisks {
        estimand: "Risk of in-hospital death by day 28 (patients discharged alive are alive at \
                   day 28), treated from day 4 vs never treated, in this registry's landmark \
                   population (alive and in hospital at the end of day 3): the share of deaths \
                   among each patient's potential outcomes (model::counterfactual_landmark). The \
                   same whether discharge alive is followed to the horizon or competing; the \
                   target of standardisation (g-formula) and of the IPTW-weighted Kaplan-Meier \
                   (or Aalen-Johansen) risk at the horizon."
            .into(),
        dic: arm(0),
        non_dic: arm(1),
        dic_as_decided_in_data: arm(2),
        non_dic_as_decided_in_data: arm(3),
    }
}

/// The content of `truth.json`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Truth {
    pub generator: String,
    pub seed: u64,
    pub n_patients: u64,
    pub format: String,
    pub true_hazard_ratio: TrueHazardRatios,
    /// The estimand of landmark + IPTW (ATE) and MMWS with the default outcome (discharge alive
    /// followed to the horizon), from counterfactual simulation.
    pub marginal_hazard_ratio: MarginalHazardRatios,
    /// The same with follow-up censored at discharge alive (`outcome.discharge = "censor"` or
    /// `"competing"`: a cause-specific hazard ratio).
    pub marginal_hazard_ratio_discharge_censored: MarginalHazardRatios,
    /// The default outcome in the overlap population (the target of overlap weights).
    pub marginal_hazard_ratio_overlap: MarginalHazardRatios,
    /// The default outcome in the matching population (matching weights, 1:1 matching).
    pub marginal_hazard_ratio_matching: MarginalHazardRatios,
    /// Risks by day 28 per arm and their difference (the g-formula's and IPTW-KM's target).
    pub marginal_risk: MarginalRisks,
    pub effect: String,
    pub effect_modifier: EffectModifier,
    pub outcome: String,
    pub confounding: String,
    /// The generative model's equations and parameters (see `model.rs`).
    pub model: serde_json::Value,
    /// The optional day-1 lab missingness (absent when off).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lab_missingness: Option<missing::MissingnessTruth>,
    pub counts: TruthCounts,
    pub files: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrueHazardRatios {
    pub dic: f64,
    pub non_dic: f64,
    /// First day the treatment acts on (absent: from its start day).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub effect_from_day: Option<u32>,
    /// Daily hazard ratio of a bleeding record from the treatment's start (model.rs,
    /// `apply_bleeding_hr`): conditional on the latent coagulopathy, not a marginal effect.
    pub bleeding: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EffectModifier {
    pub name: String,
    pub definition: String,
    pub per_patient_file: String,
}

fn truth(params: &SimParams, format: SimFormat, counts: TruthCounts, files: Vec<String>) -> Truth {
    Truth {
        generator: format!("dicohort {} simulate", env!("CARGO_PKG_VERSION")),
        seed: params.seed,
        n_patients: params.n_patients,
        format: format.name().into(),
        true_hazard_ratio: TrueHazardRatios {
            dic: params.hr_dic,
            non_dic: params.hr_non_dic,
            effect_from_day: (params.effect_from_day > 1).then_some(params.effect_from_day),
            bleeding: params.bleeding_hr,
        },
        marginal_hazard_ratio: marginal(
            &counts.counterfactual,
            0,
            CfOutcome::AliveToHorizon,
            "Marginal (population-averaged) Cox hazard ratio of death by day 28, patients \
             discharged alive followed to day 28 (known alive: the default outcome), whole \
             landmark population (the target of IPTW with ATE weights),",
        ),
        marginal_hazard_ratio_discharge_censored: marginal(
            &counts.counterfactual,
            0,
            CfOutcome::DischargeCensored,
            "Marginal Cox hazard ratio of in-hospital death with follow-up censored at discharge \
             alive (a cause-specific hazard ratio: outcome.discharge = censor or competing), \
             whole landmark population,",
        ),
        marginal_hazard_ratio_overlap: marginal(
            &counts.counterfactual,
            1,
            CfOutcome::AliveToHorizon,
            "Marginal Cox hazard ratio of death by day 28 (default outcome) in the overlap \
             population (patients weighted by e(1 - e), e the true treatment probability: the \
             target of overlap weights),",
        ),
        marginal_hazard_ratio_matching: marginal(
            &counts.counterfactual,
            2,
            CfOutcome::AliveToHorizon,
            "Marginal Cox hazard ratio of death by day 28 (default outcome) in the matching \
             population (patients weighted by min(e, 1 - e), e the true treatment probability: \
             the target of matching weights and, approximately, of 1:1 matching),",
        ),
        marginal_risk: marginal_risks(&counts.counterfactual),
        effect: "From the first anticoagulant start_day onward (inclusive; any of antithrombin, \
                 thrombomodulin, heparin, protease_inhibitor; for the rest of follow-up whatever the \
                 course end), the hazard of in-hospital death (a rate constant within each day) is \
                 multiplied by true_hazard_ratio.dic in DIC patients and by true_hazard_ratio.non_dic \
                 in non-DIC patients. It is a conditional (cause-specific) hazard ratio given the \
                 patient's latent severity; discharge alive is not affected by treatment."
            .into(),
        effect_modifier: EffectModifier {
            name: "dic_day1".into(),
            definition: "JAAM DIC score (Gando 2006) >= 4 on day 1, computed from the simulated \
                         day-1 values: SIRS criteria >= 3: 1 point; platelets < 80: 3, 80 to < 120: \
                         1; PT ratio >= 1.2: 1; FDP >= 25: 3, 10 to < 25: 1; the platelet-fall item \
                         is 0 on day 1. Day-1 platelets, PT ratio and every SIRS input are always \
                         written; where day-1 FDP is not written the simulated value still defines \
                         the status (see counts.day1_dic_indeterminate_in_data)."
                .into(),
            per_patient_file: "truth_patients.csv".into(),
        },
        outcome: "In-hospital death by day 28 (death_day); discharge alive (discharge_day) is a \
                  competing event ending observation; patients still in hospital are censored at \
                  day 28 (last_day = 28)."
            .into(),
        confounding: "Treatment probability rises with APACHE II and the day-1 JAAM lower bound \
                      (written values only, with a site shift; see model.treatment_probability), \
                      which also go with a higher death hazard: confounding by indication, fully \
                      measured by the covariates site_id, apache2 and jaam_lo_day1. Treatment starts on day 1 to 3 (mostly 2-3), plus rare late \
                      starts on day 4-5 unrelated to anything, and only if the patient is still in \
                      hospital then: immortal time for an ever-treated analysis."
            .into(),
        model: model::model_description(),
        lab_missingness: params.lab_missingness.map(|m| m.truth(counts.lab_deleted)),
        counts,
        files,
    }
}

/// One patient's rendered rows: one buffer per data file, then `truth_patients.csv`'s row.
struct Rendered {
    files: Vec<Vec<u8>>,
    counts: TruthCounts,
}

fn render_chunk(
    params: &SimParams,
    format: SimFormat,
    range: std::ops::Range<u64>,
) -> Vec<Rendered> {
    let idx: Vec<u64> = range.collect();
    idx.par_iter()
        .map(|&i| {
            let p = simulate_patient(params, i);
            let n = format.files().len();
            let mut files: Vec<Vec<u8>> = vec![Vec::new(); n + 1];
            match format {
                SimFormat::Canonical => {
                    let [a, b, c, _] = &mut files[..] else {
                        unreachable!("three data files")
                    };
                    write_canonical_rows(&p, a, b, c);
                }
                SimFormat::RegistryWide => wide::write_row(&p, &mut files[0]),
                SimFormat::MimicIv => mimic::write_patient(params, &p, &mut files[..n]),
            }
            write_truth_row(params, &p, &mut files[n]);
            let mut counts = TruthCounts::default();
            counts.add(params, &p);
            Rendered { files, counts }
        })
        .collect()
}

/// Writes the simulated registry to the given writers (one per file of [`SimFormat::files`])
/// and `truth_patients.csv`; returns the realised counts.
pub fn write_registry<W: Write, T: Write>(
    params: &SimParams,
    format: SimFormat,
    data: &mut [W],
    truth_patients: &mut T,
) -> std::io::Result<TruthCounts> {
    write_registry_reporting(params, format, data, truth_patients, &Reporter::default())
}

/// [`write_registry`], reporting the patients written to `progress`.
pub fn write_registry_reporting<W: Write, T: Write>(
    params: &SimParams,
    format: SimFormat,
    data: &mut [W],
    truth_patients: &mut T,
    progress: &Reporter,
) -> std::io::Result<TruthCounts> {
    progress.stage("simulating patients", Some(params.n_patients));
    progress.unit("patients");
    match format {
        SimFormat::Canonical => {
            data[0].write_all(
                canonical_header(crate::load::TableKind::Patients, &["infection_source"])
                    .as_bytes(),
            )?;
            data[1].write_all(canonical_header(crate::load::TableKind::Days, &[]).as_bytes())?;
            data[2]
                .write_all(canonical_header(crate::load::TableKind::Treatments, &[]).as_bytes())?;
        }
        SimFormat::RegistryWide => data[0].write_all(wide::header().as_bytes())?,
        SimFormat::MimicIv => {
            for (w, h) in data.iter_mut().zip(mimic::HEADERS) {
                w.write_all(h.as_bytes())?;
                w.write_all(b"\n")?;
            }
            let (mut lab, mut items) = (Vec::new(), Vec::new());
            mimic::write_dictionaries(&mut lab, &mut items);
            data[10].write_all(&lab)?;
            data[11].write_all(&items)?;
        }
    }
    truth_patients.write_all(if params.potential_outcomes {
        b"patient_id,site_id,dic_day1,jaam_day1,planned_start_day,treatment_start_day,\
          dic_decided_in_data,untreated_time,untreated_death,treated_time,treated_death,\
          treatment_probability\n"
    } else {
        b"patient_id,site_id,dic_day1,jaam_day1,planned_start_day,treatment_start_day\n"
    })?;
    let mut counts = TruthCounts::default();
    let mut start = 0;
    while start < params.n_patients {
        let end = (start + CHUNK).min(params.n_patients);
        for r in render_chunk(params, format, start..end) {
            let (rows, truth_row) = r.files.split_at(r.files.len() - 1);
            for (w, bytes) in data.iter_mut().zip(rows) {
                w.write_all(bytes)?;
            }
            truth_patients.write_all(&truth_row[0])?;
            counts.merge(&r.counts);
        }
        progress.advance(end - start);
        start = end;
    }
    Ok(counts)
}

/// Simulates into `out` (created if needed): the data files, `truth_patients.csv` and, last,
/// `truth.json`, written through one [`OutputDir`] transaction: into a staging sibling, renamed
/// into place only when complete, with a manifest, under a lock (see `crate::output`). An
/// interrupted run leaves `out` as it was. Returns the truth written.
pub fn simulate_to_dir(
    params: &SimParams,
    format: SimFormat,
    out: &Path,
) -> Result<Truth, SimError> {
    simulate_to_dir_reporting(params, format, out, &Reporter::default())
}

/// [`simulate_to_dir`], reporting the patients written to `progress`.
pub fn simulate_to_dir_reporting(
    params: &SimParams,
    format: SimFormat,
    out: &Path,
    progress: &Reporter,
) -> Result<Truth, SimError> {
    check_params(params)?;
    let io = |file: &Path, e: std::io::Error| SimError::Io {
        file: file.display().to_string(),
        message: e.to_string(),
    };
    let mut tx = OutputDir::begin(out, "simulate", &[])?;
    let names = format.files();
    let mut writers = Vec::new();
    for n in &names {
        writers.push(BufWriter::with_capacity(1 << 20, tx.create(n)?));
    }
    let tp = out.join("truth_patients.csv");
    let mut tw = BufWriter::new(tx.create("truth_patients.csv")?);
    let counts = if format == SimFormat::MimicIv {
        // gzip level 1: the MIMIC-IV tables are large; speed matters more than size here.
        let mut gz: Vec<_> = writers
            .into_iter()
            .map(|w| flate2::write::GzEncoder::new(w, flate2::Compression::new(1)))
            .collect();
        let counts = write_registry_reporting(params, format, &mut gz, &mut tw, progress)
            .map_err(|e| io(out, e))?;
        for g in gz {
            g.finish()
                .and_then(|mut w| w.flush())
                .map_err(|e| io(out, e))?;
        }
        counts
    } else {
        let counts = write_registry_reporting(params, format, &mut writers, &mut tw, progress)
            .map_err(|e| io(out, e))?;
        for w in writers.iter_mut() {
            w.flush().map_err(|e| io(out, e))?;
        }
        counts
    };
    tw.flush().map_err(|e| io(&tp, e))?;
    drop(tw);
    let mut files: Vec<String> = names;
    files.push("truth_patients.csv".into());
    let t = truth(params, format, counts, files);
    let text = serde_json::to_string_pretty(&t).expect("truth serialises") + "\n";
    tx.write("truth.json", text.as_bytes())?;
    tx.commit()?;
    Ok(t)
}

fn check_params(p: &SimParams) -> Result<(), SimError> {
    if p.n_patients == 0 || p.n_patients > 99_999_999 {
        return Err(SimError::Parameter(format!(
            "--patients must be between 1 and 99,999,999 (got {})",
            p.n_patients
        )));
    }
    for hr in [p.hr_dic, p.hr_non_dic] {
        if !(hr.is_finite() && hr > 0.0) {
            return Err(SimError::Parameter(format!(
                "a hazard ratio must be a positive number (got {hr})"
            )));
        }
    }
    Ok(())
}

/// The simulated canonical tables held in memory as CSV bytes, with the truth.
pub fn simulate_canonical_in_memory(params: &SimParams) -> Result<([Vec<u8>; 3], Truth), SimError> {
    check_params(params)?;
    let mut data: [Vec<u8>; 3] = Default::default();
    let mut tp = Vec::new();
    let counts = write_registry(params, SimFormat::Canonical, &mut data, &mut tp)
        .expect("writing to memory cannot fail");
    let files = vec![
        "patients.csv".into(),
        "days.csv".into(),
        "treatments.csv".into(),
        "truth_patients.csv".into(),
    ];
    Ok((data, truth(params, SimFormat::Canonical, counts, files)))
}

/// Patients and seed of the embedded default registry.
pub const DEFAULT_PATIENTS: u64 = 3000;
pub const DEFAULT_SEED: u64 = 2011;

/// The embedded default registry (3,000 patients, seed 2011, true HR 0.70 in DIC), generated in
/// memory and loaded through the canonical loader: identical to `dicohort simulate --patients
/// 3000 --seed 2011` followed by `load_cohort`.
pub fn default_registry() -> Cohort {
    simulate_cohort(&SimParams::new(DEFAULT_PATIENTS, DEFAULT_SEED))
        .expect("the default registry is valid")
        .0
}

/// A synthetic registry generated in memory and loaded through the canonical loader (strict),
/// with its truth: the same cohort as `dicohort simulate` followed by `load_cohort`.
pub fn simulate_cohort(params: &SimParams) -> Result<(Cohort, Truth), SimError> {
    let ([p, d, t], truth) = simulate_canonical_in_memory(params)?;
    let input = |name: &str, data: Vec<u8>| Input::Bytes {
        name: name.into(),
        data,
    };
    let (cohort, _) = load_canonical(
        &input("patients.csv", p),
        &input("days.csv", d),
        Some(&input("treatments.csv", t)),
        &LoadOptions::default(),
    )?;
    Ok((cohort, truth))
}

/// The truth of the embedded default registry.
pub fn default_truth() -> Truth {
    simulate_canonical_in_memory(&SimParams::new(DEFAULT_PATIENTS, DEFAULT_SEED))
        .expect("default parameters are valid")
        .1
}

fn canonical_header(kind: crate::load::TableKind, extra: &[&str]) -> String {
    let spec = crate::load::table_spec(kind);
    let mut names: Vec<&str> = spec.columns.iter().map(|c| c.name.as_str()).collect();
    names.extend_from_slice(extra);
    names.join(",") + "\n"
}

/// Writes a number (shortest round-trip form; empty for missing).
pub(crate) fn num(out: &mut Vec<u8>, v: f64) {
    if !v.is_nan() {
        write!(out, "{v}").expect("write to Vec");
    }
}

fn flag(out: &mut Vec<u8>, v: f64) {
    if !v.is_nan() {
        out.extend_from_slice(if v != 0.0 { b"true" } else { b"false" });
    }
}

fn opt_day(out: &mut Vec<u8>, d: Option<u32>) {
    if let Some(d) = d {
        write!(out, "{d}").expect("write to Vec");
    }
}

fn write_canonical_rows(p: &SimPatient, pw: &mut Vec<u8>, dw: &mut Vec<u8>, tw: &mut Vec<u8>) {
    let id = p.id();
    write!(
        pw,
        "{id},{},{},{},{},{},{},",
        SITES[p.site].id,
        p.age,
        if p.male { "M" } else { "F" },
        p.apache2,
        p.haem_malignancy,
        p.liver_failure
    )
    .expect("write to Vec");
    opt_day(pw, p.death_day);
    write!(pw, ",{},", p.last_day).expect("write to Vec");
    opt_day(pw, p.discharge_day);
    writeln!(pw, ",{}", p.infection_source).expect("write to Vec");

    for (d, v) in p.days.iter().enumerate() {
        write!(dw, "{id},{}", d + 1).expect("write to Vec");
        for (c, x) in v.iter().enumerate() {
            dw.push(b',');
            if model::col::BOOLS.contains(&c) {
                flag(dw, *x);
            } else {
                num(dw, *x);
            }
        }
        dw.push(b'\n');
    }
    for c in &p.courses {
        writeln!(
            tw,
            "{id},{},{},{},{},{}",
            DRUGS[c.drug], c.start_day, c.end_day, c.dose, c.dose_unit
        )
        .expect("write to Vec");
    }
}

/// One row of `truth_patients.csv`; with `params.potential_outcomes`, the patient's DIC status as
/// decided from the written data (1, 0, empty when undecidable) and, for a landmark patient, its
/// two potential outcomes ([`model::counterfactual_landmark`]: days after the landmark and death
/// 1/0, never treated then treated from day 4; empty outside the landmark population), then its
/// probability of treatment ([`model::treatment_probability`], the true propensity score).
fn write_truth_row(params: &SimParams, p: &SimPatient, out: &mut Vec<u8>) {
    write!(
        out,
        "{},{},{},{},",
        p.id(),
        SITES[p.site].id,
        u8::from(p.dic),
        p.jaam_day1
    )
    .expect("write to Vec");
    opt_day(out, p.planned_start);
    out.push(b',');
    opt_day(out, p.treatment_start);
    if params.potential_outcomes {
        out.push(b',');
        if let Some(d) = dic_decided_in_data(p) {
            out.push(if d { b'1' } else { b'0' });
        }
        let arms = model::counterfactual_landmark(params, p);
        for arm in 0..2 {
            match arms.map(|a| a[arm]) {
                Some((t, death)) => write!(out, ",{t},{}", u8::from(death)).expect("write to Vec"),
                None => out.extend_from_slice(b",,"),
            }
        }
        let e = model::treatment_probability(&SITES[p.site], p.apache2, p.jaam_lo_day1);
        write!(out, ",{e}").expect("write to Vec");
    }
    out.push(b'\n');
}
