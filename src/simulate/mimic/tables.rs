//! The MIMIC-IV tables the simulator writes: names, v2.2 headers, the dictionary rows and the
//! synthetic mapping of the registry's drugs and sites.

use std::io::Write;

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

pub(super) const PATIENTS: usize = 0;
pub(super) const ADMISSIONS: usize = 1;
pub(super) const ICUSTAYS: usize = 2;
pub(super) const LABEVENTS: usize = 3;
pub(super) const CHARTEVENTS: usize = 4;
pub(super) const OUTPUTEVENTS: usize = 5;
pub(super) const PROCEDUREEVENTS: usize = 6;
pub(super) const INPUTEVENTS: usize = 7;
pub(super) const PRESCRIPTIONS: usize = 8;
pub(super) const MICROBIOLOGY: usize = 9;

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
pub(super) const CARE_UNITS: [&str; 7] = [
    "Medical Intensive Care Unit (MICU)",
    "Surgical Intensive Care Unit (SICU)",
    "Medical/Surgical Intensive Care Unit (MICU/SICU)",
    "Cardiac Vascular Intensive Care Unit (CVICU)",
    "Coronary Care Unit (CCU)",
    "Trauma SICU (TSICU)",
    "Neuro Surgical Intensive Care Unit (Neuro SICU)",
];

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
