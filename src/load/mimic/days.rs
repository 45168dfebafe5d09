//! The import's pipeline: the stays, every concept reader, and the canonical tables assembled
//! from them (one row per patient-day, days 1 to the last day written, every value range-checked
//! against `data-schema`), then Sepsis-3 decided on the assembled days.

use std::path::Path;

use super::frames::{self, table, HOUR};
use super::labs::{self, GasSpecimen};
use super::stays::{self, Stay};
use super::vitals::{self, Fio2Row, IntervalRow, VASO_ITEMS};
use super::{
    anticoagulants, prescriptions, sepsis3, ImportReport, MimicError, SepsisRule, Tally,
    ValidOptions,
};
use crate::load::{table_spec, TableKind};
use crate::schema::tables::ExtraColumn;
use crate::schema::{DayTable, PatientTable, TreatmentTable};
use crate::score::{score_days, ScoreConfig, ScoreName};

/// The canonical tables of the import, before they are written.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Tables {
    pub patients: PatientTable,
    pub days: DayTable,
    pub treatments: TreatmentTable,
    /// Sepsis-3 per patient (also the extra column `sepsis3`).
    pub sepsis3: Vec<bool>,
}

/// Reads the MIMIC-IV folder into the canonical tables and the import report.
pub(crate) fn build(
    source: &Path,
    opts: &ValidOptions,
) -> Result<(Tables, ImportReport), MimicError> {
    let tables = frames::locate(source)?;
    let (stays, mut flow) = stays::read_stays(&tables, opts)?;
    let mut tally = Tally::default();
    // Each concept goes into the day grid as soon as it is read and is dropped then: memory
    // holds the grid plus one concept's aggregated rows at a time.
    let mut grid = Grid::new(&stays);
    let batch = opts.get().batch_bytes;
    let chart =
        vitals::read_chartevents(table(&tables, "icu/chartevents"), &stays, batch, &mut tally)?;
    grid.chart(&chart.days, &mut tally);
    let fio2 = chart.fio2;
    let labs = labs::read_labs(table(&tables, "hosp/labevents"), &stays, batch, &mut tally)?;
    grid.labs(&labs.days);
    grid.gases(&labs.gases, &fio2, &mut tally);
    drop((labs, fio2));
    let urine = vitals::read_urine(table(&tables, "icu/outputevents"), &stays)?;
    grid.urine(&urine, &mut tally);
    let vent = vitals::read_intervals(
        table(&tables, "icu/procedureevents"),
        &stays,
        &[vitals::INVASIVE_VENTILATION],
        false,
    )?;
    grid.ventilation(&vent);
    let mut input_items: Vec<i64> = VASO_ITEMS.iter().map(|v| v.0).collect();
    input_items.extend(anticoagulants::itemids());
    let inputs = vitals::read_intervals(
        table(&tables, "icu/inputevents"),
        &stays,
        &input_items,
        true,
    )?;
    grid.vasopressors(&inputs, &mut tally);
    let mut subjects: Vec<i64> = stays.iter().map(|s| s.subject_id).collect();
    subjects.sort_unstable();
    subjects.dedup();
    let orders = prescriptions::read_orders(table(&tables, "hosp/prescriptions"), &subjects)?;
    let cultures = sepsis3::read_cultures(table(&tables, "hosp/microbiologyevents"), &subjects)?;
    let days = grid.finish();
    let courses = anticoagulants::courses(&stays, &inputs, &orders, &mut tally);
    let patients = patient_table(&stays, opts);
    let treatments = treatment_table(&courses);

    // Sepsis-3 on the assembled days.
    let scores =
        score_days(&days, &patients, &ScoreConfig::default()).map_err(|e| MimicError::Read {
            file: source.display().to_string(),
            message: format!("scoring the imported days: {e}"),
        })?;
    let sofa = scores
        .get(ScoreName::Sofa)
        .expect("every score is computed");
    let suspicion = sepsis3::suspicions(&stays, &orders, &cultures);
    let ranges = days.patient_ranges();
    let mut flags = vec![false; stays.len()];
    let mut first_si = vec![f64::NAN; stays.len()];
    for (a, b) in ranges {
        let s = days.patient[a] as usize;
        flags[s] = sepsis3::sepsis3(&stays[s], &suspicion[s], &sofa.min[a..b]);
        if let Some(&t) = suspicion[s].first() {
            first_si[s] = f64::from(stays[s].clock.day_of(t.max(stays[s].clock.lookback)));
        }
    }
    let mut tables = Tables {
        patients,
        days,
        treatments,
        sepsis3: flags.clone(),
    };
    add_extra(
        &mut tables.patients,
        "sepsis3",
        flags.iter().map(|f| f64::from(u8::from(*f))).collect(),
    );
    add_extra(&mut tables.patients, "suspected_infection_day", first_si);
    if opts.get().sepsis == SepsisRule::Require {
        let n = flags.len() as u64;
        let out = flags.iter().filter(|f| !**f).count() as u64;
        flow.push(
            "Sepsis-3 (mimic-code sepsis3.sql, SOFA of the imported days)",
            "stays",
            n,
            vec![("no Sepsis-3".into(), out)],
        );
        tables = select(&tables, &flags);
        if tables.patients.is_empty() {
            return Err(MimicError::Empty(
                "no stay meets Sepsis-3 (import with the flag option to keep every stay)".into(),
            ));
        }
    }
    let report = super::report(source, opts, flow, &tally, &tables);
    Ok((tables, report))
}

fn add_extra(p: &mut PatientTable, name: &str, values: Vec<f64>) {
    let text = values
        .iter()
        .map(|v| (!v.is_nan()).then(|| format!("{v}")))
        .collect();
    p.extra.push(ExtraColumn {
        name: name.into(),
        values,
        text,
    });
}

fn patient_table(stays: &[Stay], opts: &ValidOptions) -> PatientTable {
    let mut p = PatientTable::default();
    let nan = |x: Option<i32>| x.map_or(f64::NAN, f64::from);
    let mut extra: [Vec<f64>; 4] = Default::default();
    for s in stays {
        let o = s.outcome(opts.get().follow_up);
        p.patient_id.push(s.stay_id.to_string());
        p.site_id.push(
            s.careunit
                .clone()
                .unwrap_or_else(|| "unknown care unit".into()),
        );
        p.age.push(s.age);
        p.sex.push(s.sex);
        p.apache2.push(f64::NAN);
        p.haematological_malignancy.push(None);
        p.liver_failure.push(None);
        p.death_day.push(nan(o.death_day));
        p.last_day.push(f64::from(o.last_day));
        p.discharge_day.push(nan(o.discharge_day));
        extra[0].push(s.subject_id as f64);
        extra[1].push(s.hadm_id as f64);
        extra[2].push(f64::from(s.seq));
        extra[3].push(f64::from(o.icu_discharge_day));
    }
    let [a, b, c, d] = extra;
    add_extra(&mut p, "subject_id", a);
    add_extra(&mut p, "hadm_id", b);
    add_extra(&mut p, "icu_stay_seq", c);
    add_extra(&mut p, "icu_discharge_day", d);
    p
}

fn treatment_table(courses: &[anticoagulants::Course]) -> TreatmentTable {
    let mut t = TreatmentTable::default();
    for c in courses {
        t.patient.push(c.sidx);
        t.drug.push(c.drug.to_string());
        t.start_day.push(f64::from(c.start_day));
        t.end_day.push(f64::from(c.end_day));
        t.dose.push(c.dose);
        t.dose_unit.push(c.dose_unit.clone());
    }
    t
}

/// The stays with `keep`, re-indexed.
fn select(t: &Tables, keep: &[bool]) -> Tables {
    let mut new_index = vec![u32::MAX; keep.len()];
    let mut n = 0;
    for (i, k) in keep.iter().enumerate() {
        if *k {
            new_index[i] = n;
            n += 1;
        }
    }
    let pick = |v: &[f64]| -> Vec<f64> {
        v.iter()
            .zip(keep)
            .filter(|(_, k)| **k)
            .map(|(x, _)| *x)
            .collect()
    };
    fn pick_t<T: Clone>(v: &[T], keep: &[bool]) -> Vec<T> {
        v.iter()
            .zip(keep)
            .filter(|(_, k)| **k)
            .map(|(x, _)| x.clone())
            .collect()
    }
    let p = &t.patients;
    let patients = PatientTable {
        patient_id: pick_t(&p.patient_id, keep),
        site_id: pick_t(&p.site_id, keep),
        age: pick(&p.age),
        sex: pick_t(&p.sex, keep),
        apache2: pick(&p.apache2),
        haematological_malignancy: pick_t(&p.haematological_malignancy, keep),
        liver_failure: pick_t(&p.liver_failure, keep),
        death_day: pick(&p.death_day),
        last_day: pick(&p.last_day),
        discharge_day: pick(&p.discharge_day),
        extra: p
            .extra
            .iter()
            .map(|e| ExtraColumn {
                name: e.name.clone(),
                values: pick(&e.values),
                text: pick_t(&e.text, keep),
            })
            .collect(),
    };
    let rows: Vec<bool> = t.days.patient.iter().map(|&s| keep[s as usize]).collect();
    let mut days = map_day_rows(&t.days, &rows);
    for s in &mut days.patient {
        *s = new_index[*s as usize];
    }
    let trows: Vec<bool> = t
        .treatments
        .patient
        .iter()
        .map(|&s| keep[s as usize])
        .collect();
    let tr = &t.treatments;
    let treatments = TreatmentTable {
        patient: pick_t(&tr.patient, &trows)
            .into_iter()
            .map(|s| new_index[s as usize])
            .collect(),
        drug: pick_t(&tr.drug, &trows),
        start_day: pick_t(&tr.start_day, &trows),
        end_day: pick_t(&tr.end_day, &trows),
        dose: pick_t(&tr.dose, &trows),
        dose_unit: pick_t(&tr.dose_unit, &trows),
    };
    Tables {
        patients,
        days,
        treatments,
        sepsis3: pick_t(&t.sepsis3, keep),
    }
}

/// The rows of a day table where `keep`.
fn map_day_rows(d: &DayTable, keep: &[bool]) -> DayTable {
    fn p<T: Clone>(v: &[T], keep: &[bool]) -> Vec<T> {
        v.iter()
            .zip(keep)
            .filter(|(_, k)| **k)
            .map(|(x, _)| x.clone())
            .collect()
    }
    DayTable {
        patient: p(&d.patient, keep),
        day: p(&d.day, keep),
        platelets: p(&d.platelets, keep),
        pt_inr: p(&d.pt_inr, keep),
        pt_ratio: p(&d.pt_ratio, keep),
        pt_sec_prolongation: p(&d.pt_sec_prolongation, keep),
        fibrinogen: p(&d.fibrinogen, keep),
        fdp: p(&d.fdp, keep),
        d_dimer: p(&d.d_dimer, keep),
        antithrombin: p(&d.antithrombin, keep),
        tat_x_uln: p(&d.tat_x_uln, keep),
        temperature: p(&d.temperature, keep),
        heart_rate: p(&d.heart_rate, keep),
        resp_rate: p(&d.resp_rate, keep),
        paco2: p(&d.paco2, keep),
        wbc: p(&d.wbc, keep),
        immature_pct: p(&d.immature_pct, keep),
        pao2_fio2: p(&d.pao2_fio2, keep),
        ventilated: p(&d.ventilated, keep),
        map: p(&d.map, keep),
        dopamine: p(&d.dopamine, keep),
        dobutamine: p(&d.dobutamine, keep),
        epinephrine: p(&d.epinephrine, keep),
        norepinephrine: p(&d.norepinephrine, keep),
        gcs: p(&d.gcs, keep),
        bilirubin: p(&d.bilirubin, keep),
        creatinine: p(&d.creatinine, keep),
        urine_output: p(&d.urine_output, keep),
        bleeding: p(&d.bleeding, keep),
        organ_failure: p(&d.organ_failure, keep),
    }
}

/// The day table under construction: row `offset[s] + day - 1` is stay `s`'s day.
struct Grid<'a> {
    stays: &'a [Stay],
    offset: Vec<usize>,
    d: DayTable,
}

impl<'a> Grid<'a> {
    fn new(stays: &'a [Stay]) -> Self {
        let mut offset = Vec::with_capacity(stays.len());
        let mut d = DayTable::default();
        for (i, s) in stays.iter().enumerate() {
            offset.push(d.patient.len());
            for day in 1..=s.clock.n_days {
                d.patient.push(i as u32);
                d.day.push(day);
            }
        }
        let n = d.patient.len();
        let nan = || vec![f64::NAN; n];
        d.platelets = nan();
        d.pt_inr = nan();
        d.pt_ratio = nan();
        d.pt_sec_prolongation = nan();
        d.fibrinogen = nan();
        d.fdp = nan();
        d.d_dimer = nan();
        d.antithrombin = nan();
        d.tat_x_uln = nan();
        d.temperature = nan();
        d.heart_rate = nan();
        d.resp_rate = nan();
        d.paco2 = nan();
        d.wbc = nan();
        d.immature_pct = nan();
        d.pao2_fio2 = nan();
        d.ventilated = vec![None; n];
        d.map = nan();
        d.dopamine = nan();
        d.dobutamine = nan();
        d.epinephrine = nan();
        d.norepinephrine = nan();
        d.gcs = nan();
        d.bilirubin = nan();
        d.creatinine = nan();
        d.urine_output = nan();
        d.bleeding = vec![None; n];
        d.organ_failure = vec![None; n];
        // Days in the ICU: no infusion or ventilation charted means none given.
        for (i, s) in stays.iter().enumerate() {
            for day in 1..=s.clock.n_days {
                if s.clock.in_icu(day) {
                    let r = offset[i] + day as usize - 1;
                    d.ventilated[r] = Some(false);
                    d.dopamine[r] = 0.0;
                    d.dobutamine[r] = 0.0;
                    d.epinephrine[r] = 0.0;
                    d.norepinephrine[r] = 0.0;
                }
            }
        }
        Grid { stays, offset, d }
    }

    fn row(&self, sidx: u32, day: i32) -> Option<usize> {
        let s = &self.stays[sidx as usize];
        (day >= 1 && day <= s.clock.n_days).then(|| self.offset[sidx as usize] + day as usize - 1)
    }

    /// `v` if inside the canonical range of `column`, else NaN (counted).
    fn checked(tally: &mut Tally, table: &str, column: &str, v: f64) -> f64 {
        if v.is_nan() {
            return v;
        }
        let s = table_spec(TableKind::Days).column(column);
        if s.minimum.is_some_and(|m| v < m) || s.maximum.is_some_and(|m| v > m) {
            tally.drop(
                table,
                column,
                "outside the canonical range of data-schema",
                1,
            );
            return f64::NAN;
        }
        v
    }

    fn labs(&mut self, days: &[labs::LabDay]) {
        for l in days {
            let Some(r) = self.row(l.sidx, l.day) else {
                continue;
            };
            // Row-level values were range-checked in the query; the derived PT values in
            // labs.rs.
            let d = &mut self.d;
            d.platelets[r] = l.platelets;
            d.pt_inr[r] = l.pt_inr;
            d.pt_ratio[r] = l.pt_ratio;
            d.pt_sec_prolongation[r] = l.pt_sec_prolongation;
            d.fibrinogen[r] = l.fibrinogen;
            d.fdp[r] = l.fdp;
            d.d_dimer[r] = l.d_dimer;
            d.antithrombin[r] = l.antithrombin;
            d.bilirubin[r] = l.bilirubin;
            d.creatinine[r] = l.creatinine;
            d.wbc[r] = l.wbc;
            d.immature_pct[r] = l.immature_pct;
        }
    }

    /// PaO2/FiO2 and PaCO2 from arterial gases: FiO2 of the specimen, else the last charted
    /// FiO2 of the 4 h before it (mimic-code `bg.sql`); P/F = 100 PaO2 / FiO2 rounded to 0.1;
    /// the day's lowest of each.
    fn gases(&mut self, gases: &[GasSpecimen], fio2: &[Fio2Row], tally: &mut Tally) {
        let mut not_arterial = 0;
        let mut no_fio2 = 0;
        for g in gases {
            let Some(r) = self.row(g.sidx, g.day) else {
                continue;
            };
            if !g.arterial {
                not_arterial += 1;
                continue;
            }
            if !g.pco2.is_nan() {
                // f64::min ignores NaN: the day's lowest of the values present.
                let v = Self::checked(tally, "hosp/labevents", "paco2", g.pco2);
                self.d.paco2[r] = self.d.paco2[r].min(v);
            }
            if g.po2.is_nan() {
                continue;
            }
            let f = if g.fio2.is_nan() {
                charted_fio2(fio2, g.sidx, g.t)
            } else {
                Some(g.fio2)
            };
            let Some(f) = f else {
                no_fio2 += 1;
                continue;
            };
            let pf = frames::round_to(100.0 * g.po2 / f, 1);
            let v = Self::checked(tally, "hosp/labevents", "pao2_fio2", pf);
            self.d.pao2_fio2[r] = self.d.pao2_fio2[r].min(v);
        }
        tally.drop(
            "hosp/labevents",
            "blood gas (52033)",
            "specimen not arterial (52033 is not ART.)",
            not_arterial,
        );
        tally.drop(
            "hosp/labevents",
            "50821 (pO2)",
            "no FiO2 in the specimen nor charted in the 4 h before",
            no_fio2,
        );
    }

    fn chart(&mut self, days: &[vitals::ChartDay], tally: &mut Tally) {
        for c in days {
            let Some(r) = self.row(c.sidx, c.day) else {
                continue;
            };
            let t = "icu/chartevents";
            self.d.heart_rate[r] = Self::checked(tally, t, "heart_rate", c.heart_rate);
            self.d.resp_rate[r] = Self::checked(tally, t, "resp_rate", c.resp_rate);
            self.d.map[r] = Self::checked(tally, t, "map", c.map);
            self.d.temperature[r] = Self::checked(tally, t, "temperature", c.temperature);
            self.d.gcs[r] = Self::checked(tally, t, "gcs", c.gcs);
        }
    }

    fn urine(&mut self, urine: &[vitals::UrineDay], tally: &mut Tally) {
        let mut short = 0;
        for u in urine {
            let Some(r) = self.row(u.sidx, u.day) else {
                continue;
            };
            let hours = self.stays[u.sidx as usize].clock.icu_hours(u.day);
            match vitals::urine_per_day(u.sum_e4, hours) {
                Some(v) => {
                    self.d.urine_output[r] =
                        Self::checked(tally, "icu/outputevents", "urine_output", v)
                }
                None => short += 1,
            }
        }
        tally.drop(
            "icu/outputevents",
            "urine output (day)",
            "fewer than 22 h of the day in the ICU, or a negative net output",
            short,
        );
    }

    fn ventilation(&mut self, rows: &[IntervalRow]) {
        for v in rows {
            let stay = &self.stays[v.sidx as usize];
            for day in vitals::days_of_interval(stay, v.start, v.end, true) {
                if let Some(r) = self.row(v.sidx, day) {
                    self.d.ventilated[r] = Some(true);
                }
            }
        }
    }

    fn vasopressors(&mut self, rows: &[IntervalRow], tally: &mut Tally) {
        for v in rows {
            let Some(&(_, kind, column)) = VASO_ITEMS.iter().find(|x| x.0 == v.itemid) else {
                continue;
            };
            if v.rate.is_nan() {
                tally.drop("icu/inputevents", column, "no rate", 1);
                continue;
            }
            let Some(rate) = vitals::rate_ug_kg_min(v) else {
                let u = v.rateuom.clone().unwrap_or_default();
                tally.drop(
                    "icu/inputevents",
                    &format!("{} ({column}, {u})", v.itemid),
                    "rate unit not accepted",
                    1,
                );
                continue;
            };
            let rate = Self::checked(tally, "icu/inputevents", column, rate);
            if rate.is_nan() {
                continue;
            }
            let stay = &self.stays[v.sidx as usize];
            for day in vitals::days_of_interval(stay, v.start, v.end, true) {
                let Some(r) = self.row(v.sidx, day) else {
                    continue;
                };
                let col = match kind {
                    vitals::Vaso::Dopamine => &mut self.d.dopamine,
                    vitals::Vaso::Dobutamine => &mut self.d.dobutamine,
                    vitals::Vaso::Epinephrine => &mut self.d.epinephrine,
                    vitals::Vaso::Norepinephrine => &mut self.d.norepinephrine,
                };
                col[r] = col[r].max(rate);
            }
        }
    }

    fn finish(self) -> DayTable {
        self.d
    }
}

/// The last charted FiO2 of stay `sidx` in the 4 h up to `t` (mimic-code `bg.sql`).
fn charted_fio2(rows: &[Fio2Row], sidx: u32, t: i64) -> Option<f64> {
    let end = rows.partition_point(|r| (r.sidx, r.t) <= (sidx, t));
    let r = rows[..end].last()?;
    (r.sidx == sidx && r.t >= t - 4 * HOUR).then_some(r.fio2)
}
