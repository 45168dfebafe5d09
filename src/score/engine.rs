//! The parallel pass: every patient-day of a [`DayTable`] scored for all scores into columns
//! (`S_min`, `S_max`, `S_dx` of the CLI contract), one row per patient-day in input order.
//!
//! Rows are split into chunks that start on a patient boundary, so each patient's days stay in one
//! chunk and the 24-hour platelet fall reads the previous row of the same chunk; chunks are scored
//! in parallel (rayon) into disjoint slices of preallocated columns. Each row's output depends
//! only on its inputs, so the result is identical for any number of threads. The loop allocates
//! nothing per row.

use rayon::prelude::*;
use serde::Serialize;

use super::config::ScoreConfig;
use super::fall::PlateletFall;
use super::isth_overt::{isth_overt, IsthDay};
use super::jaam::{jaam, JaamDay};
use super::jaam2::{jaam2, Jaam2Day};
use super::jmhw::{jmhw, JmhwDay};
use super::jsth::{jsth, JsthDay};
use super::sic::{sic, SicDay};
use super::sirs::{sirs, SirsDay};
use super::sofa::{sofa, SofaDay};
use super::{Dx, ScoreError, ScoreName};
use crate::schema::{DayTable, PatientTable};

/// Number of scores and of diagnostic scores.
const N_SCORES: usize = 9;
const N_DX: usize = 6;
/// Target rows per parallel chunk (extended to the next patient boundary).
const CHUNK_ROWS: usize = 1 << 14;

/// One score's output columns.
#[derive(Clone, Debug, PartialEq, Eq, Default, Serialize)]
pub struct ScoreColumns {
    pub min: Vec<i8>,
    pub max: Vec<i8>,
    /// Diagnostic scores only.
    pub dx: Option<Vec<Dx>>,
}

/// Every score of every patient-day, in the input row order.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ScoreTable {
    /// The options used (echo it with every output).
    pub config: ScoreConfig,
    /// Columns in [`ScoreName::ALL`] order.
    pub columns: Vec<(ScoreName, ScoreColumns)>,
}

impl ScoreTable {
    pub fn len(&self) -> usize {
        self.columns.first().map_or(0, |c| c.1.min.len())
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    pub fn get(&self, name: ScoreName) -> Result<&ScoreColumns, ScoreError> {
        self.columns
            .iter()
            .find(|c| c.0 == name)
            .map(|c| &c.1)
            .ok_or(ScoreError::NotComputed(name.as_str()))
    }
    /// The `S_dx` column of a diagnostic score.
    pub fn dx(&self, name: ScoreName) -> Result<&[Dx], ScoreError> {
        if !name.is_diagnostic() {
            return Err(ScoreError::NotDiagnostic(name.as_str()));
        }
        Ok(self.get(name)?.dx.as_deref().unwrap_or(&[]))
    }
}

/// Mutable output slices of one chunk.
struct OutChunk<'a> {
    start: usize,
    end: usize,
    min: [&'a mut [i8]; N_SCORES],
    max: [&'a mut [i8]; N_SCORES],
    dx: [&'a mut [Dx]; N_DX],
}

/// Chunk boundaries: about `CHUNK_ROWS` rows each, every boundary at a patient's first row.
fn chunk_bounds(patient: &[u32]) -> Vec<(usize, usize)> {
    let n = patient.len();
    let mut out = Vec::with_capacity(n / CHUNK_ROWS + 1);
    let mut start = 0;
    while start < n {
        let mut end = (start + CHUNK_ROWS).min(n);
        while end < n && patient[end] == patient[end - 1] {
            end += 1;
        }
        out.push((start, end));
        start = end;
    }
    out
}

fn split_chunks<'a>(
    bounds: &[(usize, usize)],
    mut min: [&'a mut [i8]; N_SCORES],
    mut max: [&'a mut [i8]; N_SCORES],
    mut dx: [&'a mut [Dx]; N_DX],
) -> Vec<OutChunk<'a>> {
    let mut out = Vec::with_capacity(bounds.len());
    for &(start, end) in bounds {
        let len = end - start;
        let take_i8 = |s: &mut &'a mut [i8]| {
            let (a, b) = std::mem::take(s).split_at_mut(len);
            *s = b;
            a
        };
        let take_dx = |s: &mut &'a mut [Dx]| {
            let (a, b) = std::mem::take(s).split_at_mut(len);
            *s = b;
            a
        };
        out.push(OutChunk {
            start,
            end,
            min: min.each_mut().map(take_i8),
            max: max.each_mut().map(take_i8),
            dx: dx.each_mut().map(take_dx),
        });
    }
    out
}

/// Score every patient-day of `days` (patient-level flags from `patients`) for all scores, in
/// parallel on the current rayon pool. Output row `i` is input row `i`.
pub fn score_days(
    days: &DayTable,
    patients: &PatientTable,
    cfg: &ScoreConfig,
) -> Result<ScoreTable, ScoreError> {
    cfg.validate()?;
    let n = days.len();
    let n_pat = patients
        .haematological_malignancy
        .len()
        .min(patients.liver_failure.len());
    if let Some(&p) = days.patient.iter().max() {
        if p as usize >= n_pat {
            return Err(ScoreError::PatientOutOfRange {
                patient: p,
                n: n_pat,
            });
        }
    }
    let mut min: Vec<Vec<i8>> = (0..N_SCORES).map(|_| vec![0i8; n]).collect();
    let mut max: Vec<Vec<i8>> = (0..N_SCORES).map(|_| vec![0i8; n]).collect();
    let mut dx: Vec<Vec<Dx>> = (0..N_DX).map(|_| vec![Dx::Negative; n]).collect();
    {
        let bounds = chunk_bounds(&days.patient);
        let mut mi = min.iter_mut();
        let mut ma = max.iter_mut();
        let mut dd = dx.iter_mut();
        let min_s: [&mut [i8]; N_SCORES] =
            std::array::from_fn(|_| mi.next().unwrap().as_mut_slice());
        let max_s: [&mut [i8]; N_SCORES] =
            std::array::from_fn(|_| ma.next().unwrap().as_mut_slice());
        let dx_s: [&mut [Dx]; N_DX] = std::array::from_fn(|_| dd.next().unwrap().as_mut_slice());
        let chunks = split_chunks(&bounds, min_s, max_s, dx_s);
        chunks
            .into_par_iter()
            .for_each(|mut c| score_chunk(days, patients, cfg, &mut c));
    }
    let mut dx_it = dx.into_iter();
    let columns = ScoreName::ALL
        .into_iter()
        .zip(min.into_iter().zip(max))
        .map(|(name, (min, max))| {
            let dx = if name.is_diagnostic() {
                dx_it.next()
            } else {
                None
            };
            (name, ScoreColumns { min, max, dx })
        })
        .collect();
    Ok(ScoreTable {
        config: *cfg,
        columns,
    })
}

/// Score rows `[c.start, c.end)`, which begin on a patient's first row.
fn score_chunk(days: &DayTable, patients: &PatientTable, cfg: &ScoreConfig, c: &mut OutChunk) {
    let hm = &patients.haematological_malignancy;
    let lf = &patients.liver_failure;
    for i in c.start..c.end {
        let k = i - c.start;
        let plt = days.platelets[i];
        let pat = days.patient[i];
        // 24-hour fall: first recorded day of the patient -> no fall (0); previous calendar day
        // not recorded or its count missing -> unknown.
        let previous = if i == c.start || days.patient[i - 1] != pat {
            None
        } else if days.day[i - 1] == days.day[i] - 1 {
            Some(days.platelets[i - 1])
        } else {
            Some(f64::NAN)
        };
        let fall = PlateletFall::new(plt, previous, cfg);
        let s = sirs(
            &SirsDay {
                temperature: days.temperature[i],
                heart_rate: days.heart_rate[i],
                resp_rate: days.resp_rate[i],
                paco2: days.paco2[i],
                wbc: days.wbc[i],
                immature_pct: days.immature_pct[i],
            },
            cfg,
        )
        .total();
        let so = sofa(
            &SofaDay {
                pao2_fio2: days.pao2_fio2[i],
                ventilated: days.ventilated[i],
                platelets: plt,
                bilirubin: days.bilirubin[i],
                map: days.map[i],
                dopamine: days.dopamine[i],
                dobutamine: days.dobutamine[i],
                epinephrine: days.epinephrine[i],
                norepinephrine: days.norepinephrine[i],
                gcs: days.gcs[i],
                creatinine: days.creatinine[i],
                urine_output: days.urine_output[i],
            },
            cfg,
        );
        let sofa_total = so.total();
        let sofa4 = so.sofa4();
        let pt_ratio = days.pt_ratio[i];
        let fdp = days.fdp[i];
        let ja = jaam(&JaamDay {
            sirs: s,
            platelets: plt,
            fall,
            pt_ratio,
            fdp,
        });
        let ja2 = jaam2(&Jaam2Day {
            platelets: plt,
            fall,
            pt_ratio,
            fdp,
        });
        let is = isth_overt(
            &IsthDay {
                platelets: plt,
                fdp,
                d_dimer: days.d_dimer[i],
                pt_sec_prolongation: days.pt_sec_prolongation[i],
                fibrinogen: days.fibrinogen[i],
            },
            cfg,
        );
        let si = sic(&SicDay {
            pt_inr: days.pt_inr[i],
            platelets: plt,
            sofa4,
        });
        let jm = jmhw(&JmhwDay {
            haematological_malignancy: hm[pat as usize],
            bleeding: days.bleeding[i],
            organ_failure: days.organ_failure[i],
            platelets: plt,
            fdp,
            fibrinogen: days.fibrinogen[i],
            pt_ratio,
        });
        let js = jsth(&JsthDay {
            platelets: plt,
            fall,
            fdp,
            pt_ratio,
            antithrombin: days.antithrombin[i],
            tat_x_uln: days.tat_x_uln[i],
            liver_failure: lf[pat as usize],
        });
        let totals = [
            s,
            sofa_total,
            sofa4,
            ja.total(),
            ja2.total(),
            is.total(),
            si.total(),
            jm.total(),
            js.total(),
        ];
        for (j, t) in totals.iter().enumerate() {
            c.min[j][k] = t.min;
            c.max[j][k] = t.max;
        }
        let dxs = [ja.dx(), ja2.dx(), is.dx(), si.dx(), jm.dx(), js.dx()];
        for (j, d) in dxs.into_iter().enumerate() {
            c.dx[j][k] = d;
        }
    }
}
