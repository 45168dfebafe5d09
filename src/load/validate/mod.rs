//! Validation shared by every input format: cell parsing against the schema (type, unit, range,
//! required), the cross-row and cross-table rules (duplicates, unknown patients, death before
//! admission, days after death), exclusion counting for the cohort flow, and the assembly of the
//! canonical tables (sorted, NaN for missing).
//!
//! Readers (canonical folder, registry-wide file) only turn their input into staged canonical
//! records; everything else happens here, so every format is checked by the same rules.

use std::collections::HashMap;
use std::fmt;
use std::rc::Rc;

use serde::Serialize;

use crate::format::shortest;
use crate::schema::tables::ExtraColumn;
use crate::schema::{
    Cohort, CohortFlow, CompactDays, DayTable, Encoded, PatientTable, Sex, TreatmentTable,
    UnitConversion,
};

use super::spec::{table_spec, ColumnSpec, ColumnType, TableKind};

mod cells;
mod report;
mod rows;

pub(crate) use cells::*;
pub use report::*;
pub(crate) use rows::*;

/// Collects problems and counts exclusions by reason per table.
#[derive(Debug, Default)]
pub(crate) struct Problems {
    pub list: Vec<Problem>,
    pub files: Vec<String>,
}

impl Problems {
    pub fn push(
        &mut self,
        file: &str,
        row: Option<u64>,
        column: Option<&str>,
        kind: ProblemKind,
        message: String,
    ) {
        self.list.push(Problem {
            file: file.to_string(),
            row,
            column: column.map(String::from),
            kind,
            message,
        });
    }
}

/// Counts of excluded rows by reason (a row counts once, under its first problem).
#[derive(Debug, Default, Clone)]
pub(crate) struct Exclusions(pub HashMap<ProblemKind, u64>);

impl Exclusions {
    pub fn add(&mut self, k: ProblemKind) {
        *self.0.entry(k).or_insert(0) += 1;
    }
    fn into_flow(self) -> Vec<(String, u64)> {
        let mut v: Vec<_> = self.0.into_iter().collect();
        v.sort();
        v.into_iter()
            .map(|(k, n)| (k.reason().to_string(), n))
            .collect()
    }
}

pub(crate) const P_NUMERIC: [&str; 7] = [
    "age",
    "apache2",
    "haematological_malignancy",
    "liver_failure",
    "death_day",
    "last_day",
    "discharge_day",
];

/// A staged patients row.
#[derive(Debug, Clone)]
pub(crate) struct PatientRow {
    pub row: u64,
    /// Shared with `Stage::patient_ids` (one copy of each id).
    pub id: Rc<str>,
    pub site: Box<str>,
    pub sex: Option<Sex>,
    /// In the order of [`P_NUMERIC`].
    pub num: [f64; 7],
    pub extra: Box<[Option<String>]>,
    pub bad: Option<ProblemKind>,
}

impl PatientRow {
    fn death(&self) -> f64 {
        self.num[4]
    }
    fn last(&self) -> f64 {
        self.num[5]
    }
}

/// A staged days row (values stored apart when tables are kept).
#[derive(Debug, Clone, Copy)]
pub(crate) struct DayRow {
    /// Index into the staged patients.
    pub patient: u32,
    pub day: i32,
    /// Source row (files of more than 2^32 rows are not supported).
    pub row: u32,
    /// Index into `Stage::day_columns`: the source column named by day-level problems.
    pub col: u16,
    pub bad: Option<ProblemKind>,
}

#[derive(Debug, Clone)]
pub(crate) struct TreatRow {
    pub patient: u32,
    pub row: u64,
    pub drug: Rc<str>,
    pub start: f64,
    pub end: f64,
    pub dose: f64,
    pub dose_unit: Option<Rc<str>>,
    /// Source column names for start/end day (for messages), shared by every row.
    pub start_col: Rc<str>,
    pub end_col: Rc<str>,
    pub bad: Option<ProblemKind>,
}

/// Number of measurement columns of a days row (every days column after patient_id and day).
pub(crate) fn n_day_values() -> usize {
    table_spec(TableKind::Days).columns.len() - 2
}

/// A flow step recorded by a reader about values rather than rows (e.g. D-dimer values on the
/// DDU basis set missing).
#[derive(Debug, Clone)]
pub(crate) struct ValueStep {
    pub label: String,
    pub unit: String,
    pub n_in: u64,
    pub excluded: Vec<(String, u64)>,
}

/// Everything a reader produced, before the cross-row rules.
#[derive(Debug, Default)]
pub(crate) struct Stage {
    pub keep: bool,
    /// The CSV delimiter (`None`: detected per file).
    pub delimiter: Option<u8>,
    /// Where the stages of reading are reported.
    pub progress: crate::progress::Reporter,
    pub problems: Problems,
    pub warnings: Vec<String>,
    pub conversions: Vec<UnitConversion>,
    /// Extra flow steps recorded by a reader (e.g. values set missing), pushed first.
    pub value_steps: Vec<ValueStep>,

    pub patient_file: Rc<str>,
    pub patients: Vec<PatientRow>,
    pub extra_names: Vec<String>,
    pub patient_ids: HashMap<Rc<str>, u32>,
    pub duplicate_ids: Vec<u32>,
    pub patient_rows_read: u64,
    pub patient_excl: Exclusions,

    pub day_file: Rc<str>,
    pub days: Vec<DayRow>,
    /// Staged measurement values, one column per days column (column-major), each in the
    /// exact compact encoding of `schema::compact`.
    pub day_values: Vec<Encoded>,
    /// Build the cohort's days compact (`Cohort::compact_days`) rather than as `f64` columns.
    pub compact: bool,
    pub day_columns: Vec<String>,
    pub day_rows_read: u64,
    pub day_excl: Exclusions,

    pub treat_file: Rc<str>,
    pub treatments: Vec<TreatRow>,
    pub treat_rows_read: u64,
    pub treat_excl: Exclusions,
    /// Texts shared by many rows (see [`Stage::intern`]).
    pub interned: std::collections::HashSet<Rc<str>>,

    /// The watched measurements' distributions, every staged days row's typed values (those
    /// out of range included), for the unit-plausibility check.
    pub unit_sketch: super::plausibility::DaySketches,
}

impl Stage {
    pub fn new(keep: bool) -> Self {
        Stage {
            keep,
            ..Default::default()
        }
    }

    /// Registers a staged patient's id; a repeated id marks both rows.
    pub fn register_patient(&mut self, id: &Rc<str>, idx: u32) {
        if let Some(&first) = self.patient_ids.get(&**id) {
            self.duplicate_ids.push(first);
            self.duplicate_ids.push(idx);
        } else {
            self.patient_ids.insert(id.clone(), idx);
        }
    }

    /// One shared copy of a text repeated on many rows (drug names, column names, units).
    pub fn intern(&mut self, text: &str) -> Rc<str> {
        if let Some(t) = self.interned.get(text) {
            return t.clone();
        }
        let t: Rc<str> = text.into();
        self.interned.insert(t.clone());
        t
    }

    pub fn day_column(&mut self, name: &str) -> u16 {
        if let Some(i) = self.day_columns.iter().position(|c| c == name) {
            return i as u16;
        }
        self.day_columns.push(name.to_string());
        (self.day_columns.len() - 1) as u16
    }

    /// Applies the cross-row rules, counts exclusions and (when `keep`) builds the cohort.
    pub fn finish(mut self, format: CohortFormat) -> (Option<Cohort>, ValidationReport) {
        self.progress.stage("checking rows across tables", None);
        self.check_duplicate_patients();
        self.check_days();
        self.check_treatments();
        self.sort_problems();
        let flow = self.validation_flow();
        let n_pat_out = self.patients.iter().filter(|p| p.bad.is_none()).count() as u64;
        let n_day_out = self.days.iter().filter(|d| d.bad.is_none()).count() as u64;
        let n_tr_out = self.treatments.iter().filter(|t| t.bad.is_none()).count() as u64;
        let report = ValidationReport {
            format,
            files: self.problems.files.clone(),
            problems: std::mem::take(&mut self.problems.list),
            warnings: std::mem::take(&mut self.warnings),
            flow,
            conversions: std::mem::take(&mut self.conversions),
            n_patients: n_pat_out,
            n_days: n_day_out,
            n_treatments: n_tr_out,
        };
        if !self.keep {
            return (None, report);
        }
        self.progress.stage("building the canonical tables", None);
        let cohort = self.build(&report);
        (Some(cohort), report)
    }

    /// Duplicate patient ids: every row carrying the id is a problem and excluded; then every
    /// excluded patient is counted by its reason.
    fn check_duplicate_patients(&mut self) {
        self.duplicate_ids.sort_unstable();
        self.duplicate_ids.dedup();
        let mut by_id: HashMap<&str, Vec<u64>> = HashMap::new();
        for &i in &self.duplicate_ids {
            let p = &self.patients[i as usize];
            by_id.entry(&*p.id).or_default().push(p.row);
        }
        let mut dup_problems = Vec::new();
        for &i in &self.duplicate_ids {
            let p = &self.patients[i as usize];
            let rows = &by_id[&*p.id];
            let rows: Vec<String> = rows.iter().map(|r| r.to_string()).collect();
            dup_problems.push((
                p.row,
                format!(
                    "duplicate patient_id `{}` (rows {}); every row of it is excluded",
                    p.id,
                    rows.join(", ")
                ),
            ));
        }
        for &i in &self.duplicate_ids {
            let p = &mut self.patients[i as usize];
            if p.bad.is_none() {
                p.bad = Some(ProblemKind::DuplicatePatient);
            }
        }
        let pfile = self.patient_file.clone();
        for (row, msg) in dup_problems {
            self.problems.push(
                &pfile,
                Some(row),
                Some("patient_id"),
                ProblemKind::DuplicatePatient,
                msg,
            );
        }
        for p in &self.patients {
            if let Some(k) = p.bad {
                self.patient_excl.add(k);
            }
        }
    }

    /// Days: patient excluded, after death, after last_day, duplicates; each excluded day is
    /// counted by its reason.
    fn check_days(&mut self) {
        let dfile = self.day_file.clone();
        for d in self.days.iter_mut() {
            if d.bad.is_some() {
                continue;
            }
            let p = &self.patients[d.patient as usize];
            if p.bad.is_some() {
                d.bad = Some(ProblemKind::PatientExcluded);
                continue;
            }
            let col = self.day_columns[d.col as usize].as_str();
            if !p.death().is_nan() && f64::from(d.day) > p.death() {
                d.bad = Some(ProblemKind::DayAfterDeath);
                self.problems.push(
                    &dfile,
                    Some(u64::from(d.row)),
                    Some(col),
                    ProblemKind::DayAfterDeath,
                    format!(
                        "day {} is after the death of patient `{}` on day {}",
                        d.day,
                        p.id,
                        p.death()
                    ),
                );
            } else if f64::from(d.day) > p.last() {
                d.bad = Some(ProblemKind::DayAfterLastDay);
                self.problems.push(
                    &dfile,
                    Some(u64::from(d.row)),
                    Some(col),
                    ProblemKind::DayAfterLastDay,
                    format!(
                        "day {} is after the last day observed for patient `{}` (last_day {})",
                        d.day,
                        p.id,
                        p.last()
                    ),
                );
            }
        }
        // Duplicate patient-days. Rows already in strictly increasing (patient, day) order, as
        // written by the simulator and most exports, hold none: no sort needed.
        let in_order = self
            .days
            .windows(2)
            .all(|w| (w[0].patient, w[0].day) < (w[1].patient, w[1].day));
        if !in_order {
            self.duplicate_patient_days(&dfile);
        }
        for d in &self.days {
            if let Some(k) = d.bad {
                self.day_excl.add(k);
            }
        }
    }

    /// Treatments: patient excluded, starting or ending after death or after last_day, ending
    /// before they start; each excluded row is counted by its reason.
    fn check_treatments(&mut self) {
        let tfile = self.treat_file.clone();
        for t in self.treatments.iter_mut() {
            if t.bad.is_some() {
                continue;
            }
            let p = &self.patients[t.patient as usize];
            if p.bad.is_some() {
                t.bad = Some(ProblemKind::PatientExcluded);
                continue;
            }
            let mut flag = |t: &mut TreatRow, kind: ProblemKind, col: Rc<str>, msg: String| {
                if t.bad.is_none() {
                    t.bad = Some(kind);
                }
                self.problems
                    .push(&tfile, Some(t.row), Some(&col), kind, msg);
            };
            let (death, last) = (p.death(), p.last());
            if !death.is_nan() && t.start > death {
                let (c, m) = (
                    t.start_col.clone(),
                    format!(
                        "{} starts on day {} after the death of patient `{}` on day {death}",
                        t.drug, t.start, p.id
                    ),
                );
                flag(t, ProblemKind::DayAfterDeath, c, m);
            } else if t.start > last {
                let (c, m) = (
                    t.start_col.clone(),
                    format!(
                        "{} starts on day {} after the last day observed for patient `{}` (last_day {last})",
                        t.drug, t.start, p.id
                    ),
                );
                flag(t, ProblemKind::DayAfterLastDay, c, m);
            }
            if !t.end.is_nan() {
                if t.end < t.start {
                    let (c, m) = (
                        t.end_col.clone(),
                        format!("end_day {} is before start_day {}", t.end, t.start),
                    );
                    flag(t, ProblemKind::EndBeforeStart, c, m);
                } else if !death.is_nan() && t.end > death {
                    let (c, m) = (
                        t.end_col.clone(),
                        format!(
                            "end_day {} is after the death of patient `{}` on day {death}",
                            t.end, p.id
                        ),
                    );
                    flag(t, ProblemKind::DayAfterDeath, c, m);
                } else if t.end > last {
                    let (c, m) = (
                        t.end_col.clone(),
                        format!(
                            "end_day {} is after the last day observed for patient `{}` (last_day {last})",
                            t.end, p.id
                        ),
                    );
                    flag(t, ProblemKind::DayAfterLastDay, c, m);
                }
            }
        }
        for t in &self.treatments {
            if let Some(k) = t.bad {
                self.treat_excl.add(k);
            }
        }
    }

    /// Problems sorted by file (in reading order), row, then discovery order.
    fn sort_problems(&mut self) {
        let files = self.problems.files.clone();
        let file_rank = |f: &str| files.iter().position(|x| x == f).unwrap_or(usize::MAX);
        self.problems
            .list
            .sort_by_key(|p| (file_rank(&p.file), p.row.unwrap_or(0)));
    }

    /// The flow of the validation: the value checks' steps, then one step per table.
    fn validation_flow(&mut self) -> CohortFlow {
        // One step per table, labelled by its file (and the table when one file holds
        // all three, as in the registry-wide format).
        let one_file = self.patient_file == self.day_file;
        let label = |file: &str, table: &str| {
            if one_file {
                format!("read and checked: {file} ({table})")
            } else {
                format!("read and checked: {file}")
            }
        };
        let mut flow = CohortFlow::default();
        for v in std::mem::take(&mut self.value_steps) {
            flow.push(&v.label, &v.unit, v.n_in, v.excluded);
        }
        flow.push_staged(
            crate::schema::flow::VALIDATION,
            &label(&self.patient_file, "patients"),
            "patients",
            self.patient_rows_read,
            std::mem::take(&mut self.patient_excl).into_flow(),
        );
        flow.push_staged(
            crate::schema::flow::VALIDATION,
            &label(&self.day_file, "days"),
            "patient-days",
            self.day_rows_read,
            std::mem::take(&mut self.day_excl).into_flow(),
        );
        flow.push_staged(
            crate::schema::flow::VALIDATION,
            &label(&self.treat_file, "treatments"),
            "treatments",
            self.treat_rows_read,
            std::mem::take(&mut self.treat_excl).into_flow(),
        );

        flow
    }

    /// Reports (and excludes) every row of a duplicated (patient, day).
    fn duplicate_patient_days(&mut self, dfile: &str) {
        let mut order: Vec<u32> = (0..self.days.len() as u32).collect();
        order.sort_unstable_by_key(|&i| {
            let d = &self.days[i as usize];
            (d.patient, d.day, d.row)
        });
        let mut g = 0;
        while g < order.len() {
            let a = self.days[order[g] as usize];
            let mut h = g + 1;
            while h < order.len() {
                let b = &self.days[order[h] as usize];
                if b.patient != a.patient || b.day != a.day {
                    break;
                }
                h += 1;
            }
            let live = order[g..h]
                .iter()
                .filter(|&&i| self.days[i as usize].bad != Some(ProblemKind::PatientExcluded))
                .count();
            if h - g > 1 && live > 1 {
                let rows: Vec<String> = order[g..h]
                    .iter()
                    .map(|&i| self.days[i as usize].row.to_string())
                    .collect();
                let id = self.patients[a.patient as usize].id.clone();
                for &i in &order[g..h] {
                    let d = &mut self.days[i as usize];
                    if d.bad == Some(ProblemKind::PatientExcluded) {
                        continue;
                    }
                    if d.bad.is_none() {
                        d.bad = Some(ProblemKind::DuplicatePatientDay);
                    }
                    let col = self.day_columns[d.col as usize].clone();
                    let row = d.row;
                    self.problems.push(
                    dfile,
                    Some(u64::from(row)),
                    Some(&col),
                    ProblemKind::DuplicatePatientDay,
                    format!(
                        "duplicate patient-day (`{id}`, day {}): rows {}; every row of it is excluded",
                        a.day,
                        rows.join(", ")
                    ),
                );
                }
            }
            g = h;
        }
    }

    fn build(mut self, report: &ValidationReport) -> Cohort {
        // Patients in reading order, excluded ones dropped.
        let mut new_index = vec![u32::MAX; self.patients.len()];
        let mut pt = PatientTable::default();
        let mut extra: Vec<ExtraColumn> = self
            .extra_names
            .iter()
            .map(|n| ExtraColumn {
                name: n.clone(),
                values: Vec::new(),
                text: Vec::new(),
            })
            .collect();
        for (i, p) in self.patients.into_iter().enumerate() {
            if p.bad.is_some() {
                continue;
            }
            new_index[i] = pt.patient_id.len() as u32;
            pt.patient_id.push(p.id.to_string());
            pt.site_id.push(p.site.into());
            pt.sex.push(p.sex);
            pt.age.push(p.num[0]);
            pt.apache2.push(p.num[1]);
            pt.haematological_malignancy.push(to_flag(p.num[2]));
            pt.liver_failure.push(to_flag(p.num[3]));
            pt.death_day.push(p.num[4]);
            pt.last_day.push(p.num[5]);
            pt.discharge_day.push(p.num[6]);
            for (c, v) in extra.iter_mut().zip(p.extra.into_vec()) {
                c.values.push(
                    v.as_deref()
                        .filter(|t| !is_missing_token(t))
                        .and_then(|t| t.parse::<f64>().ok())
                        .filter(|x| x.is_finite())
                        .unwrap_or(f64::NAN),
                );
                c.text.push(v);
            }
        }
        pt.extra = extra;

        // Days sorted by (patient, day).
        let nv = n_day_values();
        let mut keep: Vec<u32> = (0..self.days.len() as u32)
            .filter(|&i| self.days[i as usize].bad.is_none())
            .collect();
        keep.sort_unstable_by_key(|&i| {
            let d = &self.days[i as usize];
            (new_index[d.patient as usize], d.day)
        });
        let mut dt = DayTable::default();
        for &i in &keep {
            let d = &self.days[i as usize];
            dt.patient.push(new_index[d.patient as usize]);
            dt.day.push(d.day);
        }
        // Staged values are column-major: when every staged row is kept in staged order (the
        // usual case) a column moves as is; otherwise it is gathered and the staged column
        // freed at once, so memory peaks at the staged values plus one column.
        let identity =
            keep.len() == self.days.len() && keep.iter().enumerate().all(|(k, &i)| k as u32 == i);
        let mut cols: Vec<Encoded> = std::mem::take(&mut self.day_values)
            .into_iter()
            .map(|col| if identity { col } else { col.gather(&keep) })
            .collect();
        cols.resize_with(nv, || Encoded::Missing { len: keep.len() });
        let compact_days = if self.compact {
            Some(CompactDays {
                patient: std::mem::take(&mut dt.patient),
                day: std::mem::take(&mut dt.day),
                columns: cols,
            })
        } else {
            fill_day_table(&mut dt, cols);
            None
        };

        // Treatments sorted by (patient, start_day), reading order within ties.
        let mut tr: Vec<TreatRow> = self
            .treatments
            .into_iter()
            .filter(|t| t.bad.is_none())
            .collect();
        tr.sort_by(|a, b| {
            (new_index[a.patient as usize], a.start, a.row)
                .partial_cmp(&(new_index[b.patient as usize], b.start, b.row))
                .expect("start_day is never NaN in a kept row")
        });
        let mut tt = TreatmentTable::default();
        for t in tr {
            tt.patient.push(new_index[t.patient as usize]);
            tt.drug.push(t.drug.to_string());
            tt.start_day.push(t.start);
            tt.end_day.push(t.end);
            tt.dose.push(t.dose);
            tt.dose_unit.push(t.dose_unit.map(|u| u.to_string()));
        }
        Cohort {
            patients: pt,
            days: dt,
            compact_days,
            treatments: tt,
            flow: report.flow.clone(),
            conversions: report.conversions.clone(),
        }
    }
}

/// The staged columns (in days-spec order after `patient_id` and `day`) decoded into `dt`, each
/// staged column freed as soon as it is decoded.
fn fill_day_table(dt: &mut DayTable, cols: Vec<Encoded>) {
    let spec = table_spec(TableKind::Days);
    let mut cols: Vec<Option<Encoded>> = cols.into_iter().map(Some).collect();
    let mut take = |name: &str| -> Vec<f64> {
        cols[spec.index_of(name).unwrap() - 2]
            .take()
            .map(|c| c.to_f64())
            .unwrap_or_default()
    };
    dt.platelets = take("platelets");
    dt.pt_inr = take("pt_inr");
    dt.pt_ratio = take("pt_ratio");
    dt.pt_sec_prolongation = take("pt_sec_prolongation");
    dt.fibrinogen = take("fibrinogen");
    dt.fdp = take("fdp");
    dt.d_dimer = take("d_dimer");
    dt.antithrombin = take("antithrombin");
    dt.tat_x_uln = take("tat_x_uln");
    dt.temperature = take("temperature");
    dt.heart_rate = take("heart_rate");
    dt.resp_rate = take("resp_rate");
    dt.paco2 = take("paco2");
    dt.wbc = take("wbc");
    dt.immature_pct = take("immature_pct");
    dt.pao2_fio2 = take("pao2_fio2");
    dt.ventilated = take("ventilated").into_iter().map(to_flag).collect();
    dt.map = take("map");
    dt.dopamine = take("dopamine");
    dt.dobutamine = take("dobutamine");
    dt.epinephrine = take("epinephrine");
    dt.norepinephrine = take("norepinephrine");
    dt.gcs = take("gcs");
    dt.bilirubin = take("bilirubin");
    dt.creatinine = take("creatinine");
    dt.urine_output = take("urine_output");
    dt.bleeding = take("bleeding").into_iter().map(to_flag).collect();
    dt.organ_failure = take("organ_failure").into_iter().map(to_flag).collect();
}

fn to_flag(v: f64) -> Option<bool> {
    if v.is_nan() {
        None
    } else {
        Some(v != 0.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_scaling_is_exact_for_powers_of_ten() {
        assert_eq!(scale_decimal("12.3", 12.3, 10.0), 123.0);
        assert_eq!(scale_decimal("0.7", 0.7, 10.0), 7.0);
        assert_eq!(scale_decimal("4.35", 4.35, 100.0), 435.0);
        assert_eq!(
            scale_decimal("1.005", 1.005, 100.0),
            "100.5".parse::<f64>().unwrap()
        );
        assert_eq!(scale_decimal("8", 8.0, 10.0), 80.0);
        assert_eq!(scale_decimal("88.4", 88.4, 1.0 / 88.4), 88.4 * (1.0 / 88.4));
        // Plain multiplication would drift: 0.29 * 100 = 28.999999999999996.
        assert_ne!(0.29 * 100.0, 29.0);
        assert_eq!(scale_decimal("0.29", 0.29, 100.0), 29.0);
    }

    #[test]
    fn booleans_and_missing_tokens() {
        assert_eq!(parse_bool("Yes"), Some(true));
        assert_eq!(parse_bool("F"), Some(false));
        assert_eq!(parse_bool("maybe"), None);
        assert!(is_missing_token("NA") && is_missing_token("") && !is_missing_token("0"));
    }
}
