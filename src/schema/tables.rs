//! Typed, columnar canonical tables (column names and units as in `data-schema/` and the CLI
//! contract). Polars stays at the edge: loaders convert to these plain vectors.
//!
//! Conventions (invariants every layer may rely on):
//! - A missing number is `f64::NAN`; a missing flag is `None`. Nothing missing is ever 0.
//! - Units are canonical: platelets x10^3/uL, fibrinogen mg/dL, FDP ug/mL, D-dimer ug/mL FEU,
//!   bilirubin and creatinine mg/dL, vasopressors ug/kg/min, antithrombin % activity.
//! - `DayTable` rows are sorted by (`patient`, `day`) and each patient's days are contiguous;
//!   `patient` indexes rows of `PatientTable`. `TreatmentTable` is sorted by (`patient`,
//!   `start_day`).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Sex {
    M,
    F,
}

/// One row per patient.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PatientTable {
    pub patient_id: Vec<String>,
    pub site_id: Vec<String>,
    pub age: Vec<f64>,
    pub sex: Vec<Option<Sex>>,
    pub apache2: Vec<f64>,
    pub haematological_malignancy: Vec<Option<bool>>,
    pub liver_failure: Vec<Option<bool>>,
    /// Day of death (1 = day of ICU admission); NaN when no death was observed.
    pub death_day: Vec<f64>,
    /// Last day observed, alive or dead.
    pub last_day: Vec<f64>,
    /// Day of discharge alive; NaN when none.
    pub discharge_day: Vec<f64>,
    /// Extra columns, kept in file order and usable as covariates. Non-numeric cells are NaN in
    /// `values`; the raw text is kept in `text`.
    pub extra: Vec<ExtraColumn>,
}

impl PatientTable {
    pub fn len(&self) -> usize {
        self.patient_id.len()
    }
    pub fn is_empty(&self) -> bool {
        self.patient_id.is_empty()
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ExtraColumn {
    pub name: String,
    pub values: Vec<f64>,
    pub text: Vec<Option<String>>,
}

/// One row per patient-day, sorted by (`patient`, `day`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DayTable {
    /// Row index into `PatientTable`.
    pub patient: Vec<u32>,
    /// 1 = day of ICU admission.
    pub day: Vec<i32>,
    /// x10^3/uL (= x10^9/L).
    pub platelets: Vec<f64>,
    pub pt_inr: Vec<f64>,
    /// Patient / control.
    pub pt_ratio: Vec<f64>,
    /// Seconds over control.
    pub pt_sec_prolongation: Vec<f64>,
    /// mg/dL.
    pub fibrinogen: Vec<f64>,
    /// ug/mL.
    pub fdp: Vec<f64>,
    /// ug/mL FEU.
    pub d_dimer: Vec<f64>,
    /// % activity.
    pub antithrombin: Vec<f64>,
    /// TAT, soluble fibrin or F1+2 as a multiple of its upper limit of normal.
    pub tat_x_uln: Vec<f64>,
    /// Celsius.
    pub temperature: Vec<f64>,
    /// /min.
    pub heart_rate: Vec<f64>,
    /// /min.
    pub resp_rate: Vec<f64>,
    /// mmHg.
    pub paco2: Vec<f64>,
    /// x10^3/uL.
    pub wbc: Vec<f64>,
    /// % immature (band) forms.
    pub immature_pct: Vec<f64>,
    /// mmHg.
    pub pao2_fio2: Vec<f64>,
    pub ventilated: Vec<Option<bool>>,
    /// Mean arterial pressure, mmHg.
    pub map: Vec<f64>,
    /// ug/kg/min (0 = recorded as not given; NaN = not recorded).
    pub dopamine: Vec<f64>,
    pub dobutamine: Vec<f64>,
    pub epinephrine: Vec<f64>,
    pub norepinephrine: Vec<f64>,
    pub gcs: Vec<f64>,
    /// mg/dL.
    pub bilirubin: Vec<f64>,
    /// mg/dL.
    pub creatinine: Vec<f64>,
    /// mL/day.
    pub urine_output: Vec<f64>,
    pub bleeding: Vec<Option<bool>>,
    pub organ_failure: Vec<Option<bool>>,
}

impl DayTable {
    pub fn len(&self) -> usize {
        self.patient.len()
    }
    pub fn is_empty(&self) -> bool {
        self.patient.is_empty()
    }
    /// Half-open row ranges `[start, end)` of each patient's contiguous block, in row order.
    pub fn patient_ranges(&self) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        let mut start = 0;
        for i in 1..=self.patient.len() {
            if i == self.patient.len() || self.patient[i] != self.patient[start] {
                out.push((start, i));
                start = i;
            }
        }
        out
    }
}

/// One row per treatment course, sorted by (`patient`, `start_day`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TreatmentTable {
    pub patient: Vec<u32>,
    /// `antithrombin`, `thrombomodulin`, `heparin`, `protease_inhibitor`, or another name.
    pub drug: Vec<String>,
    pub start_day: Vec<f64>,
    /// NaN when not recorded.
    pub end_day: Vec<f64>,
    pub dose: Vec<f64>,
    pub dose_unit: Vec<Option<String>>,
}

impl TreatmentTable {
    pub fn len(&self) -> usize {
        self.patient.len()
    }
    pub fn is_empty(&self) -> bool {
        self.patient.is_empty()
    }
}

impl Cohort {
    /// Number of patient-days, whichever way they are held.
    pub fn n_days(&self) -> usize {
        self.compact_days
            .as_ref()
            .map_or(self.days.len(), super::compact::CompactDays::len)
    }
}

/// An explicit unit conversion applied while loading, recorded for the report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnitConversion {
    pub column: String,
    pub from_unit: String,
    pub to_unit: String,
    /// canonical = source * factor + offset
    pub factor: f64,
    /// Non-zero only for an affine conversion (temperature in F).
    #[serde(default)]
    pub offset: f64,
    /// How many non-missing values were converted.
    pub n_values: u64,
}

/// A loaded, validated canonical cohort.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Cohort {
    pub patients: PatientTable,
    /// The patient-days as `f64` columns; empty when the cohort was loaded compact (then
    /// `compact_days` holds them).
    pub days: DayTable,
    /// The patient-days in the exact compact encoding of [`super::compact`], when loaded so
    /// (`load::LoadOptions::compact`, what `dicohort analyze` uses); `days` is then empty.
    pub compact_days: Option<super::compact::CompactDays>,
    pub treatments: TreatmentTable,
    pub flow: super::CohortFlow,
    pub conversions: Vec<UnitConversion>,
}
