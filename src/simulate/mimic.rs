//! `dicohort simulate --format mimic-iv`: the synthetic registry written as a MIMIC-IV-shaped
//! folder (v2.2 table names, column names and order, types and itemids; `hosp/` and `icu/` as
//! CSV.gz), so that `dicohort import mimic-iv` can be checked against the registry it came from
//! without the credentialed data.
//!
//! Every registry value MIMIC-IV can carry is written so that the import's day rule recovers it
//! exactly: each patient-day has two laboratory draws and four vital-sign charting times, one of
//! which holds the registry value (the worst of the day) and the others a better value; day 1's
//! morning draw is taken 3 h before ICU admission (the import's 6-h lookback) and, for some
//! patients, an earlier emergency-department draw falls outside it (it must not count).
//! Temperature is charted in Fahrenheit (223761) for most charting times; D-dimer is in
//! `ng/mL FEU` (51196) at even sites and `ng/mL` (50915) at odd ones; some blood gases have no
//! FiO2 and a charted FiO2 (223835) one hour before; urine is charted in four portions whose sum,
//! scaled by the import to 24 h, is the registry's daily volume.
//!
//! What MIMIC-IV cannot carry is not written: APACHE II, haematological malignancy, liver failure,
//! TAT, bleeding, organ failure, the site (the first care unit stands for it), "vasopressor not
//! recorded" (an ICU day without an infusion is "not given"). The registry's four anticoagulant
//! classes have no MIMIC-IV itemid; they are charted as the four MIMIC-IV anticoagulants of
//! [`DRUG_ITEMS`] (doses carried over as numbers), so courses survive the round trip; heparin
//! prophylaxis (225975) is added for half the never-treated patients ([`prophylaxis_days`]) and
//! must not count as therapy.
//!
//! Times: ICU admission between 00:30 and 01:00 of its day (so calendar days and 24-hour blocks
//! agree on every charted time), measurements between 02:00 and 23:00, discharge or death at
//! 23:30-23:50 of the registry's last day; patients in hospital on day 28 leave on day 31.
//! Admission days are spread over 2150-2159 (MIMIC's shifted years).

use std::io::Write;

use super::model::{col, SimParams, SimPatient, SITES};
use super::rng::Rng;
use crate::load::mimic::format_time;

const MIN: i64 = 60_000_000;
const HOUR: i64 = 60 * MIN;
const DAY: i64 = 24 * HOUR;

/// Mixed into the seed for the MIMIC-only details (disjoint from the registry's streams).
const MIMIC_STREAM: u64 = 0x4D49_4D49_4349_5601;

/// The tables written, in file order (`.csv.gz` under the folder).
pub const TABLES: [&str; 12] = [
    "hosp/patients",
    "hosp/admissions",
    "icu/icustays",
    "hosp/labevents",
    "icu/chartevents",
    "icu/outputevents",
    "icu/procedureevents",
    "icu/inputevents",
    "hosp/prescriptions",
    "hosp/microbiologyevents",
    "hosp/d_labitems",
    "icu/d_items",
];

const PATIENTS: usize = 0;
const ADMISSIONS: usize = 1;
const ICUSTAYS: usize = 2;
const LABEVENTS: usize = 3;
const CHARTEVENTS: usize = 4;
const OUTPUTEVENTS: usize = 5;
const PROCEDUREEVENTS: usize = 6;
const INPUTEVENTS: usize = 7;
const PRESCRIPTIONS: usize = 8;
const MICROBIOLOGY: usize = 9;

/// MIMIC-IV v2.2 headers (mimic-code `buildmimic/bigquery/schemas`).
pub const HEADERS: [&str; 12] = [
    "subject_id,gender,anchor_age,anchor_year,anchor_year_group,dod",
    "subject_id,hadm_id,admittime,dischtime,deathtime,admission_type,admit_provider_id,admission_location,discharge_location,insurance,language,marital_status,race,edregtime,edouttime,hospital_expire_flag",
    "subject_id,hadm_id,stay_id,first_careunit,last_careunit,intime,outtime,los",
    "labevent_id,subject_id,hadm_id,specimen_id,itemid,order_provider_id,charttime,storetime,value,valuenum,valueuom,ref_range_lower,ref_range_upper,flag,priority,comments",
    "subject_id,hadm_id,stay_id,caregiver_id,charttime,storetime,itemid,value,valuenum,valueuom,warning",
    "subject_id,hadm_id,stay_id,caregiver_id,charttime,storetime,itemid,value,valueuom",
    "subject_id,hadm_id,stay_id,caregiver_id,starttime,endtime,storetime,itemid,value,valueuom,location,locationcategory,orderid,linkorderid,ordercategoryname,ordercategorydescription,patientweight,isopenbag,continueinnextdept,statusdescription,originalamount,originalrate",
    "subject_id,hadm_id,stay_id,caregiver_id,starttime,endtime,storetime,itemid,amount,amountuom,rate,rateuom,orderid,linkorderid,ordercategoryname,secondaryordercategoryname,ordercomponenttypedescription,ordercategorydescription,patientweight,totalamount,totalamountuom,isopenbag,continueinnextdept,statusdescription,originalamount,originalrate",
    "subject_id,hadm_id,pharmacy_id,poe_id,poe_seq,order_provider_id,starttime,stoptime,drug_type,drug,formulary_drug_cd,gsn,ndc,prod_strength,form_rx,dose_val_rx,dose_unit_rx,form_val_disp,form_unit_disp,doses_per_24_hrs,route",
    "microevent_id,subject_id,hadm_id,micro_specimen_id,order_provider_id,chartdate,charttime,spec_itemid,spec_type_desc,test_seq,storedate,storetime,test_itemid,test_name,org_itemid,org_name,isolate_num,quantity,ab_itemid,ab_name,dilution_text,dilution_comparison,dilution_value,interpretation,comments",
    "itemid,label,fluid,category",
    "itemid,label,abbreviation,linksto,category,unitname,param_type,lownormalvalue,highnormalvalue",
];

/// The registry's anticoagulants (in `model::DRUGS` order) as MIMIC-IV inputevents items:
/// (itemid, amount unit, order category). A synthetic mapping: see the module docs.
pub const DRUG_ITEMS: [(i64, &str, &str); 4] = [
    (225147, "mg", "Continuous Med"),    // antithrombin -> argatroban
    (225148, "mg", "Continuous Med"),    // thrombomodulin -> bivalirudin
    (225152, "units", "Continuous Med"), // heparin -> heparin_therapeutic
    (225908, "dose", "Drug Push"),       // protease inhibitor -> fondaparinux
];

/// The import's drug name for each registry drug (`treatments.drug` after the round trip).
pub const IMPORTED_DRUG: [&str; 4] = [
    "argatroban",
    "bivalirudin",
    "heparin_therapeutic",
    "fondaparinux",
];

/// The seven ICU care units standing for the registry's sites.
const CARE_UNITS: [&str; 7] = [
    "Medical Intensive Care Unit (MICU)",
    "Surgical Intensive Care Unit (SICU)",
    "Medical/Surgical Intensive Care Unit (MICU/SICU)",
    "Cardiac Vascular Intensive Care Unit (CVICU)",
    "Coronary Care Unit (CCU)",
    "Trauma SICU (TSICU)",
    "Neuro Surgical Intensive Care Unit (Neuro SICU)",
];

/// The MIMIC-only details of a patient, drawn from a stream of their own.
#[derive(Debug, Clone, PartialEq)]
pub struct MimicExtras {
    /// ICU admission (microseconds since 1970).
    pub intime: i64,
    /// Hospital (and ICU) exit.
    pub exit: i64,
    /// A blood culture 2 h before ICU admission (else no culture: no suspected infection).
    pub culture: bool,
    /// Days 1.. of heparin prophylaxis (225975), for never-treated patients.
    pub prophylaxis_days: u32,
    /// A death after discharge (`patients.dod`): the day it falls on, counted as `death_day`
    /// with linked follow-up.
    pub death_after_discharge: Option<u32>,
    /// An emergency-department draw 9 h before ICU admission (outside the lookback).
    pub ed_draw: bool,
    pub weight_kg: f64,
}

/// Days of heparin prophylaxis of a patient: half of the never-treated patients (even index),
/// from day 1 to day 5 or their last day.
pub fn prophylaxis_days(p: &SimPatient) -> u32 {
    if p.courses.is_empty() && p.index % 2 == 0 {
        p.last_day.min(5)
    } else {
        0
    }
}

/// The MIMIC-only details of patient `p`.
pub fn extras(params: &SimParams, p: &SimPatient) -> MimicExtras {
    let mut rng = Rng::stream(params.seed ^ MIMIC_STREAM, p.index);
    let d0 = crate::load::mimic::parse_time("2150-01-01").expect("a date") / DAY
        + (p.index % 3650) as i64;
    let intime = d0 * DAY + 30 * MIN + (rng.uniform() * 30.0) as i64 * MIN;
    let day_start = |d: u32| d0 * DAY + i64::from(d - 1) * DAY;
    let exit = if p.death_day.is_none() && p.discharge_day.is_none() {
        day_start(31) + 10 * HOUR
    } else {
        day_start(p.last_day) + 23 * HOUR + 30 * MIN + (rng.uniform() * 20.0) as i64 * MIN
    };
    let culture = rng.uniform() >= 0.05;
    let late = rng.uniform();
    let death_after_discharge = match p.discharge_day {
        Some(d) if late < 0.08 => Some(d + 1 + (rng.uniform() * 40.0) as u32),
        _ => None,
    };
    MimicExtras {
        intime,
        exit,
        culture,
        prophylaxis_days: prophylaxis_days(p),
        death_after_discharge,
        ed_draw: rng.uniform() < 0.3,
        weight_kg: (50.0 + rng.uniform() * 60.0).round(),
    }
}

/// Writes the fixed dictionary tables (after the headers).
pub fn write_dictionaries(d_labitems: &mut Vec<u8>, d_items: &mut Vec<u8>) {
    for (id, label, fluid, cat) in LAB_DICTIONARY {
        writeln!(d_labitems, "{id},{label},{fluid},{cat}").expect("write to Vec");
    }
    for (id, label, abbr, links, cat, unit, param) in ITEM_DICTIONARY {
        writeln!(
            d_items,
            "{id},{label},{abbr},{links},{cat},{unit},{param},,"
        )
        .expect("write to Vec");
    }
}

const LAB_DICTIONARY: &[(i64, &str, &str, &str)] = &[
    (50802, "Base Excess", "Blood", "Blood Gas"),
    (50816, "Oxygen", "Blood", "Blood Gas"),
    (50818, "pCO2", "Blood", "Blood Gas"),
    (50820, "pH", "Blood", "Blood Gas"),
    (50821, "pO2", "Blood", "Blood Gas"),
    (50868, "Anion Gap", "Blood", "Chemistry"),
    (50882, "Bicarbonate", "Blood", "Chemistry"),
    (50885, "\"Bilirubin, Total\"", "Blood", "Chemistry"),
    (50893, "\"Calcium, Total\"", "Blood", "Chemistry"),
    (50902, "Chloride", "Blood", "Chemistry"),
    (50912, "Creatinine", "Blood", "Chemistry"),
    (50915, "D-Dimer", "Blood", "Chemistry"),
    (50931, "Glucose", "Blood", "Chemistry"),
    (50960, "Magnesium", "Blood", "Chemistry"),
    (50970, "Phosphate", "Blood", "Chemistry"),
    (50971, "Potassium", "Blood", "Chemistry"),
    (50983, "Sodium", "Blood", "Chemistry"),
    (51006, "Urea Nitrogen", "Blood", "Chemistry"),
    (51140, "Antithrombin", "Blood", "Hematology"),
    (51144, "Bands", "Blood", "Hematology"),
    (51196, "D-Dimer", "Blood", "Hematology"),
    (51213, "Fibrin Degradation Products", "Blood", "Hematology"),
    (51214, "\"Fibrinogen, Functional\"", "Blood", "Hematology"),
    (51221, "Hematocrit", "Blood", "Hematology"),
    (51222, "Hemoglobin", "Blood", "Hematology"),
    (51237, "INR(PT)", "Blood", "Hematology"),
    (51244, "Lymphocytes", "Blood", "Hematology"),
    (51248, "MCH", "Blood", "Hematology"),
    (51249, "MCHC", "Blood", "Hematology"),
    (51250, "MCV", "Blood", "Hematology"),
    (51254, "Monocytes", "Blood", "Hematology"),
    (51256, "Neutrophils", "Blood", "Hematology"),
    (51265, "Platelet Count", "Blood", "Hematology"),
    (51274, "PT", "Blood", "Hematology"),
    (51275, "PTT", "Blood", "Hematology"),
    (51277, "RDW", "Blood", "Hematology"),
    (51279, "Red Blood Cells", "Blood", "Hematology"),
    (51301, "White Blood Cells", "Blood", "Hematology"),
    (52033, "Specimen Type", "Blood", "Blood Gas"),
];

type ItemRow = (
    i64,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
);

const ITEM_DICTIONARY: &[ItemRow] = &[
    (
        220045,
        "Heart Rate",
        "HR",
        "chartevents",
        "Routine Vital Signs",
        "bpm",
        "Numeric",
    ),
    (
        220052,
        "Arterial Blood Pressure mean",
        "ABPm",
        "chartevents",
        "Routine Vital Signs",
        "mmHg",
        "Numeric",
    ),
    (
        220179,
        "Non Invasive Blood Pressure systolic",
        "NBPs",
        "chartevents",
        "Routine Vital Signs",
        "mmHg",
        "Numeric",
    ),
    (
        220181,
        "Non Invasive Blood Pressure mean",
        "NBPm",
        "chartevents",
        "Routine Vital Signs",
        "mmHg",
        "Numeric",
    ),
    (
        220210,
        "Respiratory Rate",
        "RR",
        "chartevents",
        "Respiratory",
        "insp/min",
        "Numeric",
    ),
    (
        220277,
        "O2 saturation pulseoxymetry",
        "SpO2",
        "chartevents",
        "Respiratory",
        "%",
        "Numeric",
    ),
    (
        220739,
        "GCS - Eye Opening",
        "GCS - Eye Opening",
        "chartevents",
        "Neurological",
        "",
        "Text",
    ),
    (
        223761,
        "Temperature Fahrenheit",
        "Temperature F",
        "chartevents",
        "Routine Vital Signs",
        "°F",
        "Numeric",
    ),
    (
        223762,
        "Temperature Celsius",
        "Temperature C",
        "chartevents",
        "Routine Vital Signs",
        "°C",
        "Numeric",
    ),
    (
        223835,
        "Inspired O2 Fraction",
        "FiO2",
        "chartevents",
        "Respiratory",
        "",
        "Numeric",
    ),
    (
        223900,
        "GCS - Verbal Response",
        "GCS - Verbal Response",
        "chartevents",
        "Neurological",
        "",
        "Text",
    ),
    (
        223901,
        "GCS - Motor Response",
        "GCS - Motor Response",
        "chartevents",
        "Neurological",
        "",
        "Text",
    ),
    (
        224690,
        "Respiratory Rate (Total)",
        "RR (Total)",
        "chartevents",
        "Respiratory",
        "insp/min",
        "Numeric",
    ),
    (
        225147,
        "Argatroban",
        "Argatroban",
        "inputevents",
        "Medications",
        "mg",
        "Solution",
    ),
    (
        225148,
        "Bivalirudin (Angiomax)",
        "Bivalirudin (Angiomax)",
        "inputevents",
        "Medications",
        "mg",
        "Solution",
    ),
    (
        225152,
        "Heparin Sodium",
        "Heparin Sodium",
        "inputevents",
        "Medications",
        "units",
        "Solution",
    ),
    (
        225792,
        "Invasive Ventilation",
        "Invasive Ventilation",
        "procedureevents",
        "4-Procedures",
        "None",
        "Process",
    ),
    (
        225908,
        "Fondaparinux",
        "Fondaparinux",
        "inputevents",
        "Medications",
        "dose",
        "Solution",
    ),
    (
        225975,
        "Heparin Sodium (Prophylaxis)",
        "Heparin Sodium (Prophylaxis)",
        "inputevents",
        "Medications",
        "dose",
        "Solution",
    ),
    (
        221289,
        "Epinephrine",
        "Epinephrine",
        "inputevents",
        "Medications",
        "mg",
        "Solution",
    ),
    (
        221653,
        "Dobutamine",
        "Dobutamine",
        "inputevents",
        "Medications",
        "mg",
        "Solution",
    ),
    (
        221662,
        "Dopamine",
        "Dopamine",
        "inputevents",
        "Medications",
        "mg",
        "Solution",
    ),
    (
        221906,
        "Norepinephrine",
        "Norepinephrine",
        "inputevents",
        "Medications",
        "mg",
        "Solution",
    ),
    (
        226559,
        "Foley",
        "Foley",
        "outputevents",
        "Output",
        "ml",
        "Numeric",
    ),
    (
        226560,
        "Void",
        "Void",
        "outputevents",
        "Output",
        "ml",
        "Numeric",
    ),
    (
        227488,
        "GU Irrigant Volume In",
        "GU Irrigant Volume In",
        "outputevents",
        "Output",
        "ml",
        "Numeric",
    ),
    (
        227489,
        "GU Irrigant/Urine Volume Out",
        "GU Irrigant/Urine Volume Out",
        "outputevents",
        "Output",
        "ml",
        "Numeric",
    ),
];

fn w(out: &mut Vec<u8>, args: std::fmt::Arguments) {
    out.write_fmt(args).expect("write to Vec");
}

/// The shortest text that reads back to `v` (empty for NaN).
fn n(v: f64) -> String {
    if v.is_nan() {
        String::new()
    } else {
        format!("{v}")
    }
}

fn r1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}
fn r2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// Per-patient row writer: ids, clock and the table buffers.
struct Writer<'a> {
    p: &'a SimPatient,
    x: &'a MimicExtras,
    subject: i64,
    hadm: i64,
    stay: i64,
    d0: i64,
    lab_seq: u64,
    spec_seq: u64,
    order_seq: u64,
    rng: Rng,
    out: &'a mut [Vec<u8>],
}

impl Writer<'_> {
    fn day_start(&self, d: u32) -> i64 {
        self.d0 + i64::from(d - 1) * DAY
    }

    fn lab(
        &mut self,
        spec: u64,
        itemid: i64,
        t: i64,
        value: &str,
        valuenum: &str,
        uom: &str,
        range: (&str, &str),
    ) {
        self.lab_seq += 1;
        let id = self.p.index * 100_000 + self.lab_seq;
        let (s, h) = (self.subject, self.hadm);
        w(
            &mut self.out[LABEVENTS],
            format_args!(
                "{id},{s},{h},{spec},{itemid},,{},{},{value},{valuenum},{uom},{},{},,ROUTINE,\n",
                format_time(t),
                format_time(t + 45 * MIN),
                range.0,
                range.1
            ),
        );
    }

    fn lab_num(&mut self, spec: u64, itemid: i64, t: i64, v: &str, uom: &str) {
        self.lab(spec, itemid, t, v, v, uom, ("", ""));
    }

    fn specimen(&mut self) -> u64 {
        self.spec_seq += 1;
        self.p.index * 1000 + self.spec_seq
    }

    fn chart(&mut self, itemid: i64, t: i64, value: &str, valuenum: &str, uom: &str) {
        let (s, h, st) = (self.subject, self.hadm, self.stay);
        w(
            &mut self.out[CHARTEVENTS],
            format_args!(
                "{s},{h},{st},,{},{},{itemid},{value},{valuenum},{uom},0\n",
                format_time(t),
                format_time(t + 10 * MIN)
            ),
        );
    }

    fn chart_num(&mut self, itemid: i64, t: i64, v: &str, uom: &str) {
        self.chart(itemid, t, v, v, uom);
    }

    #[allow(clippy::too_many_arguments)]
    fn input(
        &mut self,
        itemid: i64,
        start: i64,
        end: i64,
        amount: f64,
        amountuom: &str,
        rate: &str,
        rateuom: &str,
        category: &str,
    ) {
        self.order_seq += 1;
        let order = self.p.index * 1000 + self.order_seq;
        let (s, h, st, wt) = (self.subject, self.hadm, self.stay, self.x.weight_kg);
        let (cat, comp) = if category == "Drug Push" {
            ("05-Med Bolus", "Main order parameter")
        } else {
            ("01-Drips", "Main order parameter")
        };
        w(
            &mut self.out[INPUTEVENTS],
            format_args!(
                "{s},{h},{st},,{},{},{},{itemid},{},{amountuom},{rate},{rateuom},{order},{order},{cat},,{comp},{category},{wt},{},ml,0,0,FinishedRunning,{},{rate}\n",
                format_time(start),
                format_time(end),
                format_time(end + 5 * MIN),
                n(amount),
                n(amount),
                n(amount)
            ),
        );
    }

    fn patient_rows(&mut self) {
        let (p, x) = (self.p, self.x);
        let (s, h, st) = (self.subject, self.hadm, self.stay);
        let died_in_hospital = p.death_day.is_some();
        let dod = if died_in_hospital {
            format_time(x.exit)[..10].to_string()
        } else {
            x.death_after_discharge
                .map(|d| format_time(self.day_start(d) + 12 * HOUR)[..10].to_string())
                .unwrap_or_default()
        };
        let year = &format_time(x.intime)[..4];
        w(
            &mut self.out[PATIENTS],
            format_args!(
                "{s},{},{},{year},2017 - 2019,{dod}\n",
                if p.male { "M" } else { "F" },
                p.age
            ),
        );
        let admit = x.intime - 5 * HOUR;
        let death = if died_in_hospital {
            format_time(x.exit)
        } else {
            String::new()
        };
        let disch_loc = if died_in_hospital { "DIED" } else { "HOME" };
        w(
            &mut self.out[ADMISSIONS],
            format_args!(
                "{s},{h},{},{},{death},EW EMER.,P00000,EMERGENCY ROOM,{disch_loc},Medicare,ENGLISH,MARRIED,WHITE,{},{},{}\n",
                format_time(admit),
                format_time(x.exit),
                format_time(admit - HOUR),
                format_time(admit),
                u8::from(died_in_hospital)
            ),
        );
        let unit = CARE_UNITS[p.site % CARE_UNITS.len()];
        let los = (x.exit - x.intime) as f64 / DAY as f64;
        w(
            &mut self.out[ICUSTAYS],
            format_args!(
                "{s},{h},{st},{unit},{unit},{},{},{}\n",
                format_time(x.intime),
                format_time(x.exit),
                r2(los * 1e4) / 1e4
            ),
        );
    }

    /// The two draws of day `d`: (time of draw A, time of draw B).
    fn draw_times(&self, d: u32) -> [i64; 2] {
        if d == 1 {
            [self.x.intime - 3 * HOUR, self.day_start(1) + 16 * HOUR]
        } else {
            [self.day_start(d) + 5 * HOUR, self.day_start(d) + 16 * HOUR]
        }
    }

    fn labs_of_day(&mut self, d: u32) {
        let v = self.p.days[d as usize - 1];
        let times = self.draw_times(d);
        // Which draw holds the registry (worst) value of each item: one bit per item.
        let bits = self.rng.next_u64();
        let worst = |k: u32| -> usize { ((bits >> k) & 1) as usize };
        let site_even = self.p.site % 2 == 0;
        for draw in 0..2 {
            let t = times[draw];
            let pick =
                |k: u32, worst_v: f64, better: f64| if worst(k) == draw { worst_v } else { better };
            // Complete blood count.
            let cbc = self.specimen();
            let plt = v[col::PLATELETS];
            if !plt.is_nan() {
                let x = pick(0, plt, (plt * 1.1).round() + 1.0);
                self.lab_num(cbc, 51265, t, &n(x), "K/uL");
            }
            let wbc = v[col::WBC];
            if !wbc.is_nan() {
                let x = pick(1, wbc, r1((wbc + 8.0) / 2.0));
                self.lab_num(cbc, 51301, t, &n(x), "K/uL");
            }
            for (id, val, uom) in [
                (51221, "31.2", "%"),
                (51222, "10.1", "g/dL"),
                (51248, "29.9", "pg"),
                (51249, "32.4", "%"),
                (51250, "92", "fL"),
                (51279, "3.38", "m/uL"),
                (51277, "15.1", "%"),
            ] {
                self.lab_num(cbc, id, t, val, uom);
            }
            let imm = v[col::IMMATURE];
            if !imm.is_nan() {
                let x = pick(2, imm, (imm * 0.8).floor());
                self.lab_num(cbc, 51144, t, &n(x), "%");
                for (id, val) in [(51256, "78.0"), (51244, "11.0"), (51254, "6.0")] {
                    self.lab_num(cbc, id, t, val, "%");
                }
            }
            // Coagulation.
            let coag = self.specimen();
            let (inr, sec) = (v[col::PT_INR], v[col::PT_SEC]);
            if !inr.is_nan() {
                let x = pick(3, inr, r2(inr * 0.9).max(0.8));
                self.lab(coag, 51237, t, &n(x), &n(x), "", ("0.9", "1.1"));
            }
            if !sec.is_nan() {
                // PT seconds over a control of 11.5 s: the reference range's midpoint.
                let x = pick(4, 11.5 + sec, 11.5 + sec - 0.5);
                let s = format!("{x:.1}");
                self.lab(coag, 51274, t, &s, &s, "sec", ("10.4", "12.6"));
            }
            self.lab(coag, 51275, t, "32.5", "32.5", "sec", ("25", "36.5"));
            let fib = v[col::FIBRINOGEN];
            if !fib.is_nan() {
                let x = pick(5, fib, fib + 20.0);
                self.lab(coag, 51214, t, &n(x), &n(x), "mg/dL", ("200", "400"));
            }
            let fdp = v[col::FDP];
            if !fdp.is_nan() {
                let x = pick(6, fdp, r1(fdp * 0.8));
                self.lab_num(coag, 51213, t, &n(x), "ug/mL");
            }
            let dd = v[col::D_DIMER];
            if !dd.is_nan() {
                let x = pick(7, dd, r1(dd * 0.8));
                let ng = (x * 1000.0).round();
                let (id, uom) = if site_even {
                    (51196, "ng/mL FEU")
                } else {
                    (50915, "ng/mL")
                };
                self.lab(coag, id, t, &n(ng), &n(ng), uom, ("0", "500"));
            }
            let at = v[col::ANTITHROMBIN];
            if !at.is_nan() {
                let x = pick(8, at, at + 5.0);
                self.lab(coag, 51140, t, &n(x), &n(x), "%", ("80", "120"));
            }
            // Chemistry.
            let chem = self.specimen();
            let cre = v[col::CREATININE];
            if !cre.is_nan() {
                let x = pick(9, cre, r2(cre * 0.9));
                self.lab(chem, 50912, t, &n(x), &n(x), "mg/dL", ("0.4", "1.1"));
            }
            let bili = v[col::BILIRUBIN];
            if !bili.is_nan() {
                let x = pick(10, bili, r1(bili * 0.8));
                self.lab(chem, 50885, t, &n(x), &n(x), "mg/dL", ("0", "1.5"));
            }
            for (id, val, uom) in [
                (50983, "138", "mEq/L"),
                (50971, "4.1", "mEq/L"),
                (50902, "104", "mEq/L"),
                (50882, "22", "mEq/L"),
                (51006, "28", "mg/dL"),
                (50931, "131", "mg/dL"),
                (50868, "12", "mEq/L"),
                (50893, "8.4", "mg/dL"),
                (50960, "2.0", "mg/dL"),
                (50970, "3.6", "mg/dL"),
            ] {
                self.lab_num(chem, id, t, val, uom);
            }
            // Arterial blood gas.
            let (pf, pco2) = (v[col::PAO2_FIO2], v[col::PACO2]);
            if pf.is_nan() && pco2.is_nan() {
                continue;
            }
            let gas = self.specimen();
            self.lab(gas, 52033, t, "ART.", "", "", ("", ""));
            if !pco2.is_nan() {
                let x = pick(11, pco2, pco2 + 3.0);
                self.lab_num(gas, 50818, t, &n(x), "mm Hg");
            }
            if !pf.is_nan() {
                let ratio = pick(12, pf, pf + 40.0);
                let fio2 = [40.0, 50.0, 60.0, 30.0][((bits >> 13) & 3) as usize];
                let po2 = ratio * fio2 / 100.0;
                self.lab_num(gas, 50821, t, &format!("{po2:.2}"), "mm Hg");
                if (bits >> (15 + draw)) & 1 == 0 {
                    self.lab_num(gas, 50816, t, &n(fio2), "%");
                } else {
                    self.chart_num(223835, t - HOUR, &n(fio2), "");
                }
            }
            self.lab_num(gas, 50820, t, "7.36", "units");
        }
        if d == 1 && self.x.ed_draw {
            // An emergency-department draw 9 h before ICU admission: worse, and outside the
            // import's 6-hour lookback.
            let t = self.x.intime - 9 * HOUR;
            let s = self.specimen();
            if !v[col::PLATELETS].is_nan() {
                self.lab_num(s, 51265, t, &n((v[col::PLATELETS] * 0.5).round()), "K/uL");
            }
            if !v[col::CREATININE].is_nan() {
                self.lab_num(s, 50912, t, &n(r2(v[col::CREATININE] * 1.5)), "mg/dL");
            }
        }
    }

    fn vitals_of_day(&mut self, d: u32) {
        let v = self.p.days[d as usize - 1];
        let s = self.day_start(d);
        let times = [s + 3 * HOUR, s + 9 * HOUR, s + 15 * HOUR, s + 21 * HOUR];
        let k = (self.rng.next_u64() % 4) as usize;
        let bits = self.rng.next_u64();
        for (j, &t) in times.iter().enumerate() {
            let worst = j == k;
            let hr = v[col::HEART_RATE];
            if !hr.is_nan() {
                self.chart_num(220045, t, &n(if worst { hr } else { hr - 5.0 }), "bpm");
            }
            let rr = v[col::RESP_RATE];
            if !rr.is_nan() {
                let id = if bits & 1 == 0 { 220210 } else { 224690 };
                self.chart_num(
                    id,
                    t,
                    &n(if worst { rr } else { (rr - 2.0).max(1.0) }),
                    "insp/min",
                );
            }
            let map = v[col::MAP];
            if !map.is_nan() {
                let id = if (bits >> 1) & 1 == 0 { 220052 } else { 220181 };
                self.chart_num(id, t, &n(if worst { map } else { map + 5.0 }), "mmHg");
            }
            let temp = v[col::TEMPERATURE];
            if !temp.is_nan() {
                let c = if worst { temp } else { r1((temp + 37.0) / 2.0) };
                if (bits >> (2 + j)) & 7 != 0 {
                    let f = c * 1.8 + 32.0;
                    self.chart_num(223761, t, &format!("{f:.2}"), "°F");
                } else {
                    self.chart_num(223762, t, &n(c), "°C");
                }
            }
            self.chart_num(220277, t, "96", "%");
            self.chart_num(220179, t, "118", "mmHg");
        }
        let gcs = v[col::GCS];
        if !gcs.is_nan() {
            for (j, t) in [s + 8 * HOUR, s + 20 * HOUR].into_iter().enumerate() {
                let g = if j == (bits >> 10) as usize & 1 {
                    gcs
                } else {
                    (gcs + 2.0).min(15.0)
                };
                let m = (g - 2.0).min(6.0);
                let rest = g - m;
                let vb = (rest - 1.0).min(5.0);
                let e = rest - vb;
                for (id, x) in [(220739, e), (223900, vb), (223901, m)] {
                    self.chart(id, t, &format!("{x}"), &n(x), "");
                }
            }
        }
    }

    /// Hours of calendar day `d` in the ICU.
    fn icu_hours(&self, d: u32) -> f64 {
        let a = self.day_start(d).max(self.x.intime);
        let b = (self.day_start(d) + DAY).min(self.x.exit);
        (b - a).max(0) as f64 / HOUR as f64
    }

    fn urine_of_day(&mut self, d: u32) {
        let u = self.p.days[d as usize - 1][col::URINE];
        if u.is_nan() {
            return;
        }
        let (s, h, st) = (self.subject, self.hadm, self.stay);
        let total = u * self.icu_hours(d) / 24.0;
        let part = (total / 4.0 * 100.0).floor() / 100.0;
        let day = self.day_start(d);
        let item = if self.p.index % 5 == 0 {
            226560
        } else {
            226559
        };
        for (j, hour) in [6, 12, 18, 23].into_iter().enumerate() {
            let x = if j == 3 { total - 3.0 * part } else { part };
            let t = day + hour * HOUR;
            w(
                &mut self.out[OUTPUTEVENTS],
                format_args!(
                    "{s},{h},{st},,{},{},{item},{x:.4},ml\n",
                    format_time(t),
                    format_time(t + 5 * MIN)
                ),
            );
        }
        if self.p.index % 7 == 3 {
            // Bladder irrigation: 500 mL in (227488) and out (227489), net nothing.
            let t = day + 14 * HOUR;
            for id in [227488, 227489] {
                w(
                    &mut self.out[OUTPUTEVENTS],
                    format_args!(
                        "{s},{h},{st},,{},{},{id},500,ml\n",
                        format_time(t),
                        format_time(t)
                    ),
                );
            }
        }
    }

    fn ventilation(&mut self) {
        let days = &self.p.days;
        let mut d = 0;
        while d < days.len() {
            if days[d][col::VENTILATED] != 1.0 {
                d += 1;
                continue;
            }
            let a = d;
            while d + 1 < days.len() && days[d + 1][col::VENTILATED] == 1.0 {
                d += 1;
            }
            let start = self.day_start(a as u32 + 1) + 2 * HOUR;
            let end = self.day_start(d as u32 + 1) + 22 * HOUR;
            self.order_seq += 1;
            let order = self.p.index * 1000 + self.order_seq;
            let (s, h, st, wt) = (self.subject, self.hadm, self.stay, self.x.weight_kg);
            let minutes = (end - start) / MIN;
            w(
                &mut self.out[PROCEDUREEVENTS],
                format_args!(
                    "{s},{h},{st},,{},{},{},225792,{minutes},min,,,{order},{order},Ventilation,Task,{wt},0,0,FinishedRunning,{minutes},0\n",
                    format_time(start),
                    format_time(end),
                    format_time(end)
                ),
            );
            d += 1;
        }
    }

    fn vasopressors_of_day(&mut self, d: u32) {
        let v = self.p.days[d as usize - 1];
        let s = self.day_start(d);
        for (c, id) in [
            (col::DOPAMINE, 221662),
            (col::DOBUTAMINE, 221653),
            (col::EPINEPHRINE, 221289),
            (col::NOREPINEPHRINE, 221906),
        ] {
            let rate = v[c];
            if rate.is_nan() || rate == 0.0 {
                continue;
            }
            for (a, b, r) in [(6, 12, rate), (12, 18, (rate * 500.0).round() / 1000.0)] {
                let amount = r * self.x.weight_kg * 360.0 / 1000.0;
                self.input(
                    id,
                    s + a * HOUR,
                    s + b * HOUR,
                    (amount * 1e4).round() / 1e4,
                    "mg",
                    &n(r),
                    "mcg/kg/min",
                    "Continuous Med",
                );
            }
        }
    }

    fn anticoagulants(&mut self) {
        let p = self.p;
        for c in &p.courses {
            let (id, uom, cat) = DRUG_ITEMS[c.drug];
            for d in c.start_day..=c.end_day {
                let s = self.day_start(d);
                if cat == "Drug Push" {
                    self.input(
                        id,
                        s + 9 * HOUR,
                        s + 9 * HOUR + MIN,
                        c.dose,
                        uom,
                        "",
                        "",
                        cat,
                    );
                } else {
                    let rate = c.dose / 12.0;
                    self.input(
                        id,
                        s + 8 * HOUR,
                        s + 20 * HOUR,
                        c.dose,
                        uom,
                        &n(rate),
                        &format!("{uom}/hour"),
                        cat,
                    );
                }
            }
        }
        for d in 1..=self.x.prophylaxis_days {
            let s = self.day_start(d);
            self.input(
                225975,
                s + 9 * HOUR,
                s + 9 * HOUR + MIN,
                1.0,
                "dose",
                "",
                "",
                "Drug Push",
            );
        }
    }

    fn orders_and_cultures(&mut self) {
        let (s, h) = (self.subject, self.hadm);
        let x = self.x;
        let order = |drug_type: &str,
                     drug: &str,
                     start: i64,
                     dose: &str,
                     unit: &str,
                     per_day: &str,
                     route: &str,
                     out: &mut Vec<u8>,
                     seq: &mut u64| {
            *seq += 1;
            w(
                out,
                format_args!(
                    "{s},{h},{},{h}-{seq},{seq},,{},{},{drug_type},{drug},,,,,,{dose},{unit},1,VIAL,{per_day},{route}\n",
                    s * 100 + *seq as i64,
                    format_time(start),
                    format_time(start + 7 * DAY)
                ),
            );
        };
        let mut seq = 0;
        let out = &mut self.out[PRESCRIPTIONS];
        if x.culture {
            order(
                "MAIN",
                "Vancomycin",
                x.intime + HOUR,
                "1000",
                "mg",
                "2",
                "IV",
                out,
                &mut seq,
            );
            order(
                "MAIN",
                "Piperacillin-Tazobactam",
                x.intime + HOUR + 30 * MIN,
                "4.5",
                "g",
                "3",
                "IV",
                out,
                &mut seq,
            );
        }
        order(
            "MAIN",
            "Acetaminophen",
            x.intime + 2 * HOUR,
            "650",
            "mg",
            "4",
            "PO/NG",
            out,
            &mut seq,
        );
        // A heparin order inside the ICU stay: inputevents charts the ICU doses, so the import
        // must not count it.
        order(
            "MAIN",
            "Heparin",
            x.intime + 2 * HOUR,
            "5000",
            "UNIT",
            "2",
            "SC",
            out,
            &mut seq,
        );
        order(
            "BASE",
            "Sodium Chloride 0.9%  Flush",
            x.intime + 2 * HOUR,
            "3",
            "mL",
            "3",
            "IV",
            out,
            &mut seq,
        );
        if !x.culture {
            return;
        }
        let t = x.intime - 2 * HOUR;
        let spec = self.p.index * 10 + 1;
        let date = format!("{} 00:00:00", &format_time(t)[..10]);
        let positive = self.p.index % 3 == 0;
        let rows: &[(&str, &str, &str)] = if positive {
            &[
                ("80002", "ESCHERICHIA COLI", "CEFTRIAXONE"),
                ("80002", "ESCHERICHIA COLI", "GENTAMICIN"),
            ]
        } else {
            &[("", "", "")]
        };
        for (k, (org_id, org, ab)) in rows.iter().enumerate() {
            w(
                &mut self.out[MICROBIOLOGY],
                format_args!(
                    "{},{s},{h},{spec},,{date},{},70012,BLOOD CULTURE,1,{date},{},90201,Blood Culture- Routine,{org_id},{org},{},,{},{ab},,,,{},\n",
                    spec * 10 + k as u64,
                    format_time(t),
                    format_time(t + 2 * DAY),
                    if org.is_empty() { "" } else { "1" },
                    if ab.is_empty() { "" } else { "90015" },
                    if ab.is_empty() { "" } else { "S" }
                ),
            );
        }
    }
}

/// Writes patient `p` into the MIMIC-IV table buffers (`out`, in [`TABLES`] order).
pub fn write_patient(params: &SimParams, p: &SimPatient, out: &mut [Vec<u8>]) {
    let x = extras(params, p);
    let i = p.index as i64;
    let d0 = x.intime.div_euclid(DAY) * DAY;
    let mut wr = Writer {
        p,
        x: &x,
        subject: 10_000_001 + i,
        hadm: 20_000_001 + i,
        stay: 30_000_001 + i,
        d0,
        lab_seq: 0,
        spec_seq: 0,
        order_seq: 0,
        rng: Rng::stream(params.seed ^ MIMIC_STREAM ^ 0x5EED, p.index),
        out,
    };
    wr.patient_rows();
    for d in 1..=p.days.len() as u32 {
        wr.labs_of_day(d);
        wr.vitals_of_day(d);
        wr.urine_of_day(d);
        wr.vasopressors_of_day(d);
    }
    wr.ventilation();
    wr.anticoagulants();
    wr.orders_and_cultures();
    debug_assert!(SITES.len() >= CARE_UNITS.len());
}

/// The stay id the import gives patient `p` (`patient_id` after the round trip).
pub fn stay_id(p: &SimPatient) -> String {
    (30_000_001 + p.index).to_string()
}
