//! The parallel pass: every patient-day of a [`DayTable`] scored for all scores into columns
//! (`S_min`, `S_max`, `S_dx` of the CLI contract), one row per patient-day in input order.
//!
//! Rows are split into chunks that start on a patient boundary, so each patient's days stay in one
//! chunk and the 24-hour platelet fall reads the previous row of the same chunk; chunks are scored
//! in parallel (rayon) into disjoint slices of preallocated columns. Within a chunk, short
//! branch-free loops (one or two per score, each over few columns so that it vectorises without
//! spilling) call the per-item functions of each score (the same code a report uses to explain a
//! score); JAAM is JAAM-2 plus the SIRS item, from the columns already computed. The chunk pass
//! is compiled twice, for baseline x86-64 and for AVX2, chosen at run time. Each row's output
//! depends only on its inputs, so the result is identical for any number of threads. Nothing is
//! allocated per row (a few small scratch columns per chunk).
//!
//! Throughput: `cargo bench --bench score` (10^7 synthetic patient-days, NumPy alongside).

use rayon::prelude::*;
use serde::Serialize;

use super::config::{IsthMarker, ScoreConfig};
use super::fall::PlateletFall;
use super::isth_overt::{isth_overt, IsthDay};
use super::jaam::JAAM_DIC;
use super::jaam2::{jaam2, Jaam2Day};
use super::jmhw::{platelet_item as jmhw_platelets, unless_haematological, JmhwBreakdown, JmhwDay};
use super::jsth::{jsth, JsthDay, JSTH_DIC};
use super::sic::{sic, SicDay};
use super::sirs::{sirs, SirsDay};
use super::sofa::{cardiovascular, cns, coagulation, liver, renal, respiration};
use super::{flag, Dx, Points, ScoreError, ScoreName};
use crate::schema::{DayTable, PatientTable};

/// Number of scores and of diagnostic scores.
const N_SCORES: usize = 9;
const N_DX: usize = 6;
/// Target rows per parallel chunk (extended to the next patient boundary): small enough that a
/// chunk's columns stay in L2 cache while each score's loop passes over them.
const CHUNK_ROWS: usize = 1 << 11;

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

/// Every column of `days` must have one value per row.
fn check_lengths(d: &DayTable) -> Result<(), ScoreError> {
    let n = d.patient.len();
    let lens = [
        ("day", d.day.len()),
        ("platelets", d.platelets.len()),
        ("pt_inr", d.pt_inr.len()),
        ("pt_ratio", d.pt_ratio.len()),
        ("pt_sec_prolongation", d.pt_sec_prolongation.len()),
        ("fibrinogen", d.fibrinogen.len()),
        ("fdp", d.fdp.len()),
        ("d_dimer", d.d_dimer.len()),
        ("antithrombin", d.antithrombin.len()),
        ("tat_x_uln", d.tat_x_uln.len()),
        ("temperature", d.temperature.len()),
        ("heart_rate", d.heart_rate.len()),
        ("resp_rate", d.resp_rate.len()),
        ("paco2", d.paco2.len()),
        ("wbc", d.wbc.len()),
        ("immature_pct", d.immature_pct.len()),
        ("pao2_fio2", d.pao2_fio2.len()),
        ("ventilated", d.ventilated.len()),
        ("map", d.map.len()),
        ("dopamine", d.dopamine.len()),
        ("dobutamine", d.dobutamine.len()),
        ("epinephrine", d.epinephrine.len()),
        ("norepinephrine", d.norepinephrine.len()),
        ("gcs", d.gcs.len()),
        ("bilirubin", d.bilirubin.len()),
        ("creatinine", d.creatinine.len()),
        ("urine_output", d.urine_output.len()),
        ("bleeding", d.bleeding.len()),
        ("organ_failure", d.organ_failure.len()),
    ];
    for (column, len) in lens {
        if len != n {
            return Err(ScoreError::ColumnLength {
                column,
                len,
                expected: n,
            });
        }
    }
    Ok(())
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
    check_lengths(days)?;
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
    // Output columns allocated (and the diagnoses filled) on the pool's threads.
    let mut min: Vec<Vec<i8>> = (0..N_SCORES)
        .into_par_iter()
        .map(|_| vec![0i8; n])
        .collect();
    let mut max: Vec<Vec<i8>> = (0..N_SCORES)
        .into_par_iter()
        .map(|_| vec![0i8; n])
        .collect();
    let mut dx: Vec<Vec<Dx>> = (0..N_DX)
        .into_par_iter()
        .map(|_| vec![Dx::Negative; n])
        .collect();
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
            .for_each(|mut c| score_chunk_dispatch(days, patients, cfg, &mut c));
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

/// The input columns of one chunk, sliced to equal length (lets the compiler drop the bounds
/// checks in the row loop).
struct ChunkView<'a> {
    patient: &'a [u32],
    day: &'a [i32],
    platelets: &'a [f64],
    pt_inr: &'a [f64],
    pt_ratio: &'a [f64],
    pt_sec_prolongation: &'a [f64],
    fibrinogen: &'a [f64],
    fdp: &'a [f64],
    d_dimer: &'a [f64],
    antithrombin: &'a [f64],
    tat_x_uln: &'a [f64],
    temperature: &'a [f64],
    heart_rate: &'a [f64],
    resp_rate: &'a [f64],
    paco2: &'a [f64],
    wbc: &'a [f64],
    immature_pct: &'a [f64],
    pao2_fio2: &'a [f64],
    ventilated: &'a [Option<bool>],
    map: &'a [f64],
    dopamine: &'a [f64],
    dobutamine: &'a [f64],
    epinephrine: &'a [f64],
    norepinephrine: &'a [f64],
    gcs: &'a [f64],
    bilirubin: &'a [f64],
    creatinine: &'a [f64],
    urine_output: &'a [f64],
    bleeding: &'a [Option<bool>],
    organ_failure: &'a [Option<bool>],
}

impl<'a> ChunkView<'a> {
    #[inline(always)]
    fn new(d: &'a DayTable, start: usize, end: usize) -> Self {
        let n = end - start;
        let v = ChunkView {
            patient: &d.patient[start..end],
            day: &d.day[start..end],
            platelets: &d.platelets[start..end],
            pt_inr: &d.pt_inr[start..end],
            pt_ratio: &d.pt_ratio[start..end],
            pt_sec_prolongation: &d.pt_sec_prolongation[start..end],
            fibrinogen: &d.fibrinogen[start..end],
            fdp: &d.fdp[start..end],
            d_dimer: &d.d_dimer[start..end],
            antithrombin: &d.antithrombin[start..end],
            tat_x_uln: &d.tat_x_uln[start..end],
            temperature: &d.temperature[start..end],
            heart_rate: &d.heart_rate[start..end],
            resp_rate: &d.resp_rate[start..end],
            paco2: &d.paco2[start..end],
            wbc: &d.wbc[start..end],
            immature_pct: &d.immature_pct[start..end],
            pao2_fio2: &d.pao2_fio2[start..end],
            ventilated: &d.ventilated[start..end],
            map: &d.map[start..end],
            dopamine: &d.dopamine[start..end],
            dobutamine: &d.dobutamine[start..end],
            epinephrine: &d.epinephrine[start..end],
            norepinephrine: &d.norepinephrine[start..end],
            gcs: &d.gcs[start..end],
            bilirubin: &d.bilirubin[start..end],
            creatinine: &d.creatinine[start..end],
            urine_output: &d.urine_output[start..end],
            bleeding: &d.bleeding[start..end],
            organ_failure: &d.organ_failure[start..end],
        };
        assert_eq!(v.patient.len(), n);
        assert_eq!(v.day.len(), n);
        assert_eq!(v.platelets.len(), n);
        assert_eq!(v.pt_inr.len(), n);
        assert_eq!(v.pt_ratio.len(), n);
        assert_eq!(v.pt_sec_prolongation.len(), n);
        assert_eq!(v.fibrinogen.len(), n);
        assert_eq!(v.fdp.len(), n);
        assert_eq!(v.d_dimer.len(), n);
        assert_eq!(v.antithrombin.len(), n);
        assert_eq!(v.tat_x_uln.len(), n);
        assert_eq!(v.temperature.len(), n);
        assert_eq!(v.heart_rate.len(), n);
        assert_eq!(v.resp_rate.len(), n);
        assert_eq!(v.paco2.len(), n);
        assert_eq!(v.wbc.len(), n);
        assert_eq!(v.immature_pct.len(), n);
        assert_eq!(v.pao2_fio2.len(), n);
        assert_eq!(v.ventilated.len(), n);
        assert_eq!(v.map.len(), n);
        assert_eq!(v.dopamine.len(), n);
        assert_eq!(v.dobutamine.len(), n);
        assert_eq!(v.epinephrine.len(), n);
        assert_eq!(v.norepinephrine.len(), n);
        assert_eq!(v.gcs.len(), n);
        assert_eq!(v.bilirubin.len(), n);
        assert_eq!(v.creatinine.len(), n);
        assert_eq!(v.urine_output.len(), n);
        assert_eq!(v.bleeding.len(), n);
        assert_eq!(v.organ_failure.len(), n);
        v
    }
}

/// [`score_chunk`] compiled for AVX2 when the CPU has it (checked at run time; the crate is built
/// for the baseline x86-64 target), else the baseline build. Both compute the same integers.
fn score_chunk_dispatch(
    days: &DayTable,
    patients: &PatientTable,
    cfg: &ScoreConfig,
    c: &mut OutChunk,
) {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU supports AVX2 (checked just above).
            unsafe { score_chunk_avx2(days, patients, cfg, c) };
            return;
        }
    }
    score_chunk(days, patients, cfg, c)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn score_chunk_avx2(
    days: &DayTable,
    patients: &PatientTable,
    cfg: &ScoreConfig,
    c: &mut OutChunk,
) {
    score_chunk(days, patients, cfg, c)
}

/// Score rows `[c.start, c.end)`, which begin on a patient's first row.
#[inline(always)]
fn score_chunk(days: &DayTable, patients: &PatientTable, cfg: &ScoreConfig, c: &mut OutChunk) {
    let n = c.end - c.start;
    let d = ChunkView::new(days, c.start, c.end);
    // Patient-level flags joined to the rows (a scalar gather, once per chunk).
    let hm: Vec<Option<bool>> = d
        .patient
        .iter()
        .map(|&p| patients.haematological_malignancy[p as usize])
        .collect();
    let lf: Vec<Option<bool>> = d
        .patient
        .iter()
        .map(|&p| patients.liver_failure[p as usize])
        .collect();
    let mut fall = vec![PlateletFall::FIRST_DAY; n];
    fall_kernel(d.platelets, d.patient, d.day, cfg, &mut fall);
    let [sirs_lo, sofa_lo, sofa4_lo, jaam_lo, jaam2_lo, isth_lo, sic_lo, jmhw_lo, jsth_lo] =
        &mut c.min;
    let [sirs_hi, sofa_hi, sofa4_hi, jaam_hi, jaam2_hi, isth_hi, sic_hi, jmhw_hi, jsth_hi] =
        &mut c.max;
    let [jaam_dx, jaam2_dx, isth_dx, sic_dx, jmhw_dx, jsth_dx] = &mut c.dx;
    sirs_kernel(&d, cfg, sirs_lo, sirs_hi);
    sofa_kernel(&d, cfg, sofa_lo, sofa_hi, sofa4_lo, sofa4_hi);
    jaam2_kernel(&d, &fall, jaam2_lo, jaam2_hi, jaam2_dx);
    jaam_kernel(
        jaam2_lo, jaam2_hi, sirs_lo, sirs_hi, jaam_lo, jaam_hi, jaam_dx,
    );
    isth_kernel(&d, cfg, isth_lo, isth_hi, isth_dx);
    sic_kernel(&d, sofa4_lo, sofa4_hi, sic_lo, sic_hi, sic_dx);
    jmhw_kernel(&d, &hm, jmhw_lo, jmhw_hi, jmhw_dx);
    jsth_kernel(&d, &fall, &lf, jsth_lo, jsth_hi, jsth_dx);
}

// One loop per score over a chunk's columns: each loop calls the per-day function of its score
// (branch-free after inlining) on few input and output streams, which the compiler can keep in
// registers and vectorise; inputs and outputs are distinct slices (no aliasing).

/// 24-hour fall of each row: the patient's first recorded row has no fall; otherwise the
/// previous row's count if it is the previous calendar day, else unknown.
#[inline(always)]
fn fall_kernel(
    plt: &[f64],
    patient: &[u32],
    day: &[i32],
    cfg: &ScoreConfig,
    out: &mut [PlateletFall],
) {
    let n = out.len();
    assert!(plt.len() == n && patient.len() == n && day.len() == n);
    if n == 0 {
        return;
    }
    // Row 0 of a chunk is a patient's first row.
    out[0] = PlateletFall::from_parts(plt[0], true, f64::NAN, cfg);
    // Rows 1.. against the row before (offset slices: no branch, vectorises).
    let (cur, prev) = (&plt[1..], &plt[..n - 1]);
    let (pat, pat_prev) = (&patient[1..], &patient[..n - 1]);
    let (d, d_prev) = (&day[1..], &day[..n - 1]);
    let out = &mut out[1..];
    for i in 0..n - 1 {
        let first = pat_prev[i] != pat[i];
        let p = if d_prev[i].wrapping_add(1) == d[i] {
            prev[i]
        } else {
            f64::NAN
        };
        out[i] = PlateletFall::from_parts(cur[i], first, p, cfg);
    }
}

#[inline(always)]
fn sirs_kernel(d: &ChunkView, cfg: &ScoreConfig, lo: &mut [i8], hi: &mut [i8]) {
    let n = lo.len();
    assert!(hi.len() == n && d.temperature.len() == n);
    for k in 0..n {
        let t = sirs(
            &SirsDay {
                temperature: d.temperature[k],
                heart_rate: d.heart_rate[k],
                resp_rate: d.resp_rate[k],
                paco2: d.paco2[k],
                wbc: d.wbc[k],
                immature_pct: d.immature_pct[k],
            },
            cfg,
        )
        .total();
        lo[k] = t.min;
        hi[k] = t.max;
    }
}

/// SOFA in one loop per group of organs (few input streams per loop), accumulated into the
/// output columns: total = respiration + coagulation + liver + cardiovascular + CNS + renal,
/// SOFA-4 = respiration + cardiovascular + liver + renal (the order of i8 sums is immaterial).
#[inline(always)]
fn sofa_kernel(
    d: &ChunkView,
    cfg: &ScoreConfig,
    lo: &mut [i8],
    hi: &mut [i8],
    lo4: &mut [i8],
    hi4: &mut [i8],
) {
    let n = lo.len();
    assert!(hi.len() == n && lo4.len() == n && hi4.len() == n && d.platelets.len() == n);
    for k in 0..n {
        let r = respiration(d.pao2_fio2[k], d.ventilated[k]);
        let l = liver(d.bilirubin[k]);
        let four = r + l;
        let t = four + coagulation(d.platelets[k]) + cns(d.gcs[k]);
        lo[k] = t.min;
        hi[k] = t.max;
        lo4[k] = four.min;
        hi4[k] = four.max;
    }
    for k in 0..n {
        let cv = cardiovascular(
            d.map[k],
            d.dopamine[k],
            d.dobutamine[k],
            d.epinephrine[k],
            d.norepinephrine[k],
            cfg,
        ) + renal(d.creatinine[k], d.urine_output[k], cfg);
        lo[k] += cv.min;
        hi[k] += cv.max;
        lo4[k] += cv.min;
        hi4[k] += cv.max;
    }
}

/// JAAM = JAAM-2 (platelets + PT ratio + FDP, the same items: Yamakawa 2024) + the SIRS item,
/// from the JAAM-2 and SIRS columns already computed (no second pass over the laboratory
/// columns). Same integers as [`super::jaam::jaam`]`(..).total()` and `.dx()`.
#[inline(always)]
fn jaam_kernel(
    jaam2_lo: &[i8],
    jaam2_hi: &[i8],
    sirs_lo: &[i8],
    sirs_hi: &[i8],
    lo: &mut [i8],
    hi: &mut [i8],
    dx: &mut [Dx],
) {
    let n = lo.len();
    assert!(hi.len() == n && dx.len() == n && jaam2_lo.len() == n && jaam2_hi.len() == n);
    assert!(sirs_lo.len() == n && sirs_hi.len() == n);
    for k in 0..n {
        let t = Points {
            min: jaam2_lo[k] + (sirs_lo[k] >= 3) as i8,
            max: jaam2_hi[k] + (sirs_hi[k] >= 3) as i8,
        };
        lo[k] = t.min;
        hi[k] = t.max;
        dx[k] = t.dx_at_least(JAAM_DIC);
    }
}

#[inline(always)]
fn jaam2_kernel(d: &ChunkView, fall: &[PlateletFall], lo: &mut [i8], hi: &mut [i8], dx: &mut [Dx]) {
    let n = lo.len();
    assert!(hi.len() == n && dx.len() == n && fall.len() == n && d.platelets.len() == n);
    for k in 0..n {
        let b = jaam2(&Jaam2Day {
            platelets: d.platelets[k],
            fall: fall[k],
            pt_ratio: d.pt_ratio[k],
            fdp: d.fdp[k],
        });
        let t = b.total();
        lo[k] = t.min;
        hi[k] = t.max;
        dx[k] = b.dx();
    }
}

/// ISTH overt DIC, one loop per fibrin-marker preset (the preset is fixed before the loop, so
/// only its marker column is read and the row loop has no branch on it).
#[inline(always)]
fn isth_kernel(d: &ChunkView, cfg: &ScoreConfig, lo: &mut [i8], hi: &mut [i8], dx: &mut [Dx]) {
    match cfg.isth_marker {
        IsthMarker::FdpJp => {
            let c = ScoreConfig {
                isth_marker: IsthMarker::FdpJp,
                ..*cfg
            };
            isth_rows(d, &c, lo, hi, dx)
        }
        IsthMarker::DdimerUln { uln } => {
            let c = ScoreConfig {
                isth_marker: IsthMarker::DdimerUln { uln },
                ..*cfg
            };
            isth_rows(d, &c, lo, hi, dx)
        }
    }
}

#[inline(always)]
fn isth_rows(d: &ChunkView, cfg: &ScoreConfig, lo: &mut [i8], hi: &mut [i8], dx: &mut [Dx]) {
    let n = lo.len();
    assert!(hi.len() == n && dx.len() == n && d.platelets.len() == n);
    for k in 0..n {
        let b = isth_overt(
            &IsthDay {
                platelets: d.platelets[k],
                fdp: d.fdp[k],
                d_dimer: d.d_dimer[k],
                pt_sec_prolongation: d.pt_sec_prolongation[k],
                fibrinogen: d.fibrinogen[k],
            },
            cfg,
        );
        let t = b.total();
        lo[k] = t.min;
        hi[k] = t.max;
        dx[k] = b.dx();
    }
}

#[inline(always)]
fn sic_kernel(
    d: &ChunkView,
    sofa4_lo: &[i8],
    sofa4_hi: &[i8],
    lo: &mut [i8],
    hi: &mut [i8],
    dx: &mut [Dx],
) {
    let n = lo.len();
    assert!(hi.len() == n && dx.len() == n && d.platelets.len() == n);
    assert!(sofa4_lo.len() == n && sofa4_hi.len() == n);
    for k in 0..n {
        let b = sic(&SicDay {
            pt_inr: d.pt_inr[k],
            platelets: d.platelets[k],
            sofa4: Points::range(sofa4_lo[k], sofa4_hi[k]),
        });
        let t = b.total();
        lo[k] = t.min;
        hi[k] = t.max;
        dx[k] = b.dx();
    }
}

/// JMHW in two loops: the laboratory items (platelets, FDP, fibrinogen, PT ratio) first, then
/// the flags (haematological malignancy, bleeding, organ failure) with the total and diagnosis
/// of [`JmhwBreakdown`] (FDP + fibrinogen + PT ratio carried as one summed item: the total and
/// the diagnosis use only their sum).
#[inline(always)]
fn jmhw_kernel(d: &ChunkView, hm: &[Option<bool>], lo: &mut [i8], hi: &mut [i8], dx: &mut [Dx]) {
    let n = lo.len();
    assert!(hi.len() == n && dx.len() == n && hm.len() == n && d.platelets.len() == n);
    let mut plt_lo = vec![0i8; n];
    let mut plt_hi = vec![0i8; n];
    for k in 0..n {
        let labs = jmhw_labs(d.fdp[k], d.fibrinogen[k], d.pt_ratio[k]);
        let p = jmhw_platelets(d.platelets[k]);
        lo[k] = labs.min;
        hi[k] = labs.max;
        plt_lo[k] = p.min;
        plt_hi[k] = p.max;
    }
    for k in 0..n {
        let hm = hm[k];
        let bleeding = flag(d.bleeding[k], 1);
        let platelets = Points::range(plt_lo[k], plt_hi[k]);
        let b = JmhwBreakdown {
            haematological_malignancy: hm,
            bleeding_if_not_haematological: bleeding,
            platelets_if_not_haematological: platelets,
            underlying_disease: Points::exact(1),
            bleeding: unless_haematological(bleeding, hm),
            organ_failure: flag(d.organ_failure[k], 1),
            platelets: unless_haematological(platelets, hm),
            fdp: Points::range(lo[k], hi[k]),
            fibrinogen: Points::exact(0),
            pt_ratio: Points::exact(0),
        };
        let t = b.total();
        lo[k] = t.min;
        hi[k] = t.max;
        dx[k] = b.dx();
    }
}

/// JMHW FDP + fibrinogen + PT ratio points (the items of [`jmhw`](super::jmhw::jmhw)).
#[inline(always)]
fn jmhw_labs(f: f64, fib: f64, r: f64) -> Points {
    let b = super::jmhw::jmhw(&JmhwDay {
        haematological_malignancy: Some(false),
        bleeding: Some(false),
        organ_failure: Some(false),
        platelets: 0.0,
        fdp: f,
        fibrinogen: fib,
        pt_ratio: r,
    });
    b.fdp + b.fibrinogen + b.pt_ratio
}

/// JSTH in two loops: FDP + PT ratio + antithrombin + TAT first, then the platelet item (with
/// the 24-hour fall) and liver failure; total and diagnosis as [`super::jsth::JsthBreakdown`]
/// (the total is the sum of the items, DIC if >= 5).
#[inline(always)]
fn jsth_kernel(
    d: &ChunkView,
    fall: &[PlateletFall],
    lf: &[Option<bool>],
    lo: &mut [i8],
    hi: &mut [i8],
    dx: &mut [Dx],
) {
    let n = lo.len();
    assert!(hi.len() == n && dx.len() == n && lf.len() == n && fall.len() == n);
    assert!(d.platelets.len() == n);
    for k in 0..n {
        let b = jsth(&JsthDay {
            platelets: 0.0,
            fall: PlateletFall::FIRST_DAY,
            fdp: d.fdp[k],
            pt_ratio: d.pt_ratio[k],
            antithrombin: d.antithrombin[k],
            tat_x_uln: d.tat_x_uln[k],
            liver_failure: Some(false),
        });
        let labs = b.fdp + b.pt_ratio + b.antithrombin + b.tat;
        lo[k] = labs.min;
        hi[k] = labs.max;
    }
    for k in 0..n {
        let b = jsth(&JsthDay {
            platelets: d.platelets[k],
            fall: fall[k],
            fdp: 0.0,
            pt_ratio: 0.0,
            antithrombin: 100.0,
            tat_x_uln: 0.0,
            liver_failure: lf[k],
        });
        let t = Points::range(lo[k], hi[k]) + b.platelets + b.liver_failure;
        lo[k] = t.min;
        hi[k] = t.max;
        dx[k] = t.dx_at_least(JSTH_DIC);
    }
}
