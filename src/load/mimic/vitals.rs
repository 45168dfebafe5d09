//! Vital signs, GCS and organ support from the `icu` module, following mimic-code's SOFA
//! inputs (`concepts/score/sofa.sql`) and ricu's concepts:
//!
//! * `icu/chartevents` (linked by `stay_id`), itemids and plausibility ranges of mimic-code
//!   `measurement/vitalsign.sql`: heart rate 220045 (day max), respiratory rate 220210, 224690
//!   (max; ricu's `resp` adds 224688/224689, the set and spontaneous rates, left out here as in
//!   mimic-code), mean arterial pressure 220052, 220181, 225312 (min), temperature 223762 (C)
//!   and 223761 (F, `(F - 32) / 1.8` rounded to 0.01 C as mimic-code does; ricu adds 224027),
//!   the day value being the one farthest from 37 C. GCS from its components eye 220739,
//!   verbal 223900, motor 223901 charted at the same time (mimic-code `measurement/gcs.sql`,
//!   ricu `gcs`), the day's lowest total; a verbal "No Response-ETT" (intubated) counts as 15,
//!   as mimic-code does (ricu's `gcs` has the same "sedated = normal" reading); mimic-code also
//!   carries missing components forward from the previous 6 h, not done here (an assessment with
//!   a missing component is not scored). FiO2 223835 for the blood gases without one
//!   (mimic-code `bg.sql`: the last charted FiO2 in the 4 h before the gas).
//! * `icu/outputevents` urine output (mimic-code `measurement/urine_output.sql` items, GU
//!   irrigant in 227488 subtracted; ricu `urine` lists the same items but 227488/227489): the
//!   day's sum, scaled to 24 h when the day has 22 to 24 h in the ICU (mimic-code `sofa.sql`
//!   scales its 24-hour urine to 24 h when 22-30 h are observed), missing with fewer, rounded
//!   to 0.1 mL.
//! * `icu/procedureevents` invasive ventilation 225792 (ricu `mech_vent`); mimic-code derives
//!   ventilation from charted ventilator settings instead (`treatment/ventilation.sql`), a larger
//!   query left for later. A day overlapping the ICU stay without ventilation is `false`.
//! * `icu/inputevents` vasopressor rates in ug/kg/min (mimic-code `medication/norepinephrine.sql`
//!   and siblings, ricu `*_rate`): norepinephrine 221906, epinephrine 221289, dopamine 221662,
//!   dobutamine 221653; `mg/kg/min` times 1000, `mcg/min` divided by `patientweight`; the day's
//!   highest rate of the infusions running that day; 0 on a day in the ICU without an infusion
//!   (the ICU charts every infusion), missing on a day outside it.
//!
//! Cost: one pass over `chartevents` in batches ([`super::stream`]: four queries on each
//! batch: day values, GCS assessments, charted FiO2, dropped-value counts), one streaming pass
//! over `outputevents`, `procedureevents` and `inputevents` each; memory holds one row per patient-day, GCS assessment, charted FiO2
//! and infusion of the items read.

use std::collections::BTreeMap;

use polars::prelude::*;

use super::frames::{self, round_to, Kind, Table};
use super::stays::{day_of, in_window, stays_frame, Stay};
use super::stream::{self, Agg, Merge, Query};
use super::{MimicError, Tally};

/// The charted vital signs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Vital {
    HeartRate,
    RespRate,
    Map,
    TempC,
    TempF,
    GcsEye,
    GcsVerbal,
    GcsMotor,
    Fio2,
}

/// `(itemid, vital, lowest, highest)`: values outside `(lowest, highest)` (exclusive, in the
/// item's unit) are dropped and counted (mimic-code `vitalsign.sql` and `bg.sql` ranges).
pub const CHART_ITEMS: &[(i64, Vital, f64, f64)] = &[
    (220045, Vital::HeartRate, 0.0, 300.0),
    (220210, Vital::RespRate, 0.0, 70.0),
    (224690, Vital::RespRate, 0.0, 70.0),
    (220052, Vital::Map, 0.0, 300.0),
    (220181, Vital::Map, 0.0, 300.0),
    (225312, Vital::Map, 0.0, 300.0),
    (223762, Vital::TempC, 10.0, 50.0),
    (223761, Vital::TempF, 70.0, 120.0),
    (220739, Vital::GcsEye, 0.0, 5.0),
    (223900, Vital::GcsVerbal, 0.0, 6.0),
    (223901, Vital::GcsMotor, 0.0, 7.0),
    (223835, Vital::Fio2, 0.0, 100.000001),
];

/// The verbal response charted for an intubated patient.
pub const GCS_ETT: &str = "No Response-ETT";

/// `(itemid, sign)` of the urine output items (mimic-code `urine_output.sql`).
pub const URINE_ITEMS: &[(i64, i64)] = &[
    (226559, 1),
    (226560, 1),
    (226561, 1),
    (226584, 1),
    (226563, 1),
    (226564, 1),
    (226565, 1),
    (226567, 1),
    (226557, 1),
    (226558, 1),
    (227488, -1),
    (227489, 1),
];

/// Invasive ventilation (procedureevents).
pub const INVASIVE_VENTILATION: i64 = 225792;

/// The vasopressors, in canonical column order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Vaso {
    Dopamine,
    Dobutamine,
    Epinephrine,
    Norepinephrine,
}

/// `(itemid, vasopressor, canonical column)`.
pub const VASO_ITEMS: &[(i64, Vaso, &str)] = &[
    (221662, Vaso::Dopamine, "dopamine"),
    (221653, Vaso::Dobutamine, "dobutamine"),
    (221289, Vaso::Epinephrine, "epinephrine"),
    (221906, Vaso::Norepinephrine, "norepinephrine"),
];

/// Charted values of one patient-day.
#[derive(Clone, Debug, PartialEq)]
pub struct ChartDay {
    pub sidx: u32,
    pub day: i32,
    pub heart_rate: f64,
    pub resp_rate: f64,
    pub map: f64,
    pub temperature: f64,
    pub gcs: f64,
}

/// A charted FiO2 (%), for the blood gases.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Fio2Row {
    pub sidx: u32,
    pub t: i64,
    pub fio2: f64,
}

/// What [`read_chartevents`] returns.
pub struct Chart {
    pub days: Vec<ChartDay>,
    pub fio2: Vec<Fio2Row>,
}

fn vital_code(v: Vital) -> u32 {
    v as u32
}

/// Fahrenheit to Celsius as mimic-code `vitalsign.sql`: `(F - 32) / 1.8`, rounded to 0.01.
pub fn fahrenheit_to_celsius(f: f64) -> f64 {
    round_to((f - 32.0) / 1.8, 2)
}

/// Reads `icu/chartevents` for `stays`: one streaming pass, three outputs (day values, GCS
/// assessments, charted FiO2) and the counts of values dropped.
///
/// # Errors
/// A missing column or an unreadable file.
pub(crate) fn read_chartevents(
    t: &Table,
    stays: &[Stay],
    batch: usize,
    tally: &mut Tally,
) -> Result<Chart, MimicError> {
    let items = df!(
        "itemid" => CHART_ITEMS.iter().map(|i| i.0).collect::<Vec<_>>(),
        "vital" => CHART_ITEMS.iter().map(|i| vital_code(i.1)).collect::<Vec<_>>(),
        "lo" => CHART_ITEMS.iter().map(|i| i.2).collect::<Vec<_>>(),
        "hi" => CHART_ITEMS.iter().map(|i| i.3).collect::<Vec<_>>(),
    )
    .expect("columns of equal length");
    let cols = [
        ("stay_id", Kind::Int),
        ("charttime", Kind::Time),
        ("itemid", Kind::Int),
        ("value", Kind::Text),
        ("valuenum", Kind::Float),
    ];
    let stays_df = stays_frame(stays);
    let prefix = |chart: LazyFrame| {
        chart
            .inner_join(items.clone().lazy(), col("itemid"), col("itemid"))
            .inner_join(stays_df.clone().lazy(), col("stay_id"), col("stay_id"))
            .filter(in_window(col("charttime")))
            .with_columns([
                day_of(col("charttime")).alias("day"),
                col("itemid")
                    .eq(lit(223900i64))
                    .and(col("value").eq(lit(GCS_ETT)))
                    .fill_null(lit(false))
                    .alias("ett"),
            ])
            .with_column(
                when(col("ett"))
                    .then(lit(0u32))
                    .when(col("valuenum").is_null())
                    .then(lit(1u32))
                    .when(
                        col("valuenum")
                            .lt_eq(col("lo"))
                            .or(col("valuenum").gt_eq(col("hi"))),
                    )
                    .then(lit(2u32))
                    .otherwise(lit(0u32))
                    .alias("why"),
            )
    };
    let queries = chart_queries();
    let mut out = stream::stream(t, &cols, batch, &prefix, &queries)?;
    let counts = out.pop().expect("four results");
    let fio2_df = out.pop().expect("four results");
    let gcs_df = out.pop().expect("four results");
    let day_df = out.pop().expect("four results");

    let ids = frames::ints(&counts, "itemid");
    let why = frames::ints(&counts, "why");
    let n = frames::ints(&counts, "n");
    let mut dropped: BTreeMap<(i64, i64), u64> = BTreeMap::new();
    for i in 0..ids.len() {
        *dropped
            .entry((ids[i].unwrap_or(0), why[i].unwrap_or(0)))
            .or_default() += n[i].unwrap_or(0) as u64;
    }
    for ((id, w), n) in dropped {
        let reason = if w == 1 {
            "no numeric value"
        } else {
            "outside the plausible range of mimic-code vitalsign.sql"
        };
        tally.drop("icu/chartevents", &id.to_string(), reason, n);
    }

    let gcs = gcs_minimum(&gcs_df);
    drop(gcs_df);
    let days = chart_days(&day_df, &gcs);
    drop(day_df);
    let fio2 = fio2_rows(&fio2_df, tally);
    Ok(Chart { days, fio2 })
}

/// The day's lowest GCS total per (stay, day).
fn gcs_minimum(df: &DataFrame) -> BTreeMap<(u32, i32), f64> {
    let sidx = frames::ints(df, "sidx");
    let day = frames::ints(df, "day");
    let (e, v, m) = (
        frames::floats(df, "eye"),
        frames::floats(df, "verbal"),
        frames::floats(df, "motor"),
    );
    let ett: Vec<bool> = df
        .column("ett")
        .expect("ett")
        .bool()
        .expect("Boolean")
        .iter()
        .map(|b| b.unwrap_or(false))
        .collect();
    let mut out: BTreeMap<(u32, i32), f64> = BTreeMap::new();
    for i in 0..sidx.len() {
        let total = if ett[i] {
            15.0
        } else if e[i].is_nan() || v[i].is_nan() || m[i].is_nan() {
            continue;
        } else {
            e[i] + v[i] + m[i]
        };
        let key = (sidx[i].expect("key") as u32, day[i].expect("key") as i32);
        let x = out.entry(key).or_insert(total);
        *x = x.min(total);
    }
    out
}

fn chart_days(df: &DataFrame, gcs: &BTreeMap<(u32, i32), f64>) -> Vec<ChartDay> {
    let sidx = frames::ints(df, "sidx");
    let day = frames::ints(df, "day");
    let (hr, rr, map) = (
        frames::floats(df, "hr"),
        frames::floats(df, "rr"),
        frames::floats(df, "map"),
    );
    let (cmin, cmax, fmin, fmax) = (
        frames::floats(df, "tc_min"),
        frames::floats(df, "tc_max"),
        frames::floats(df, "tf_min"),
        frames::floats(df, "tf_max"),
    );
    let mut by_day: BTreeMap<(u32, i32), ChartDay> = BTreeMap::new();
    for i in 0..sidx.len() {
        let key = (sidx[i].expect("key") as u32, day[i].expect("key") as i32);
        // Celsius values of the day's extremes; conversion is monotone, so the converted
        // extremes are the extremes of the converted values.
        let lo = [cmin[i], fahrenheit_to_celsius(fmin[i])]
            .into_iter()
            .filter(|x| !x.is_nan())
            .fold(f64::NAN, f64::min);
        let hi = [cmax[i], fahrenheit_to_celsius(fmax[i])]
            .into_iter()
            .filter(|x| !x.is_nan())
            .fold(f64::NAN, f64::max);
        by_day.insert(
            key,
            ChartDay {
                sidx: key.0,
                day: key.1,
                heart_rate: hr[i],
                resp_rate: rr[i],
                map: map[i],
                temperature: super::labs::farthest(lo, hi, 37.0),
                gcs: f64::NAN,
            },
        );
    }
    for (&(s, d), &g) in gcs {
        by_day
            .entry((s, d))
            .or_insert(ChartDay {
                sidx: s,
                day: d,
                heart_rate: f64::NAN,
                resp_rate: f64::NAN,
                map: f64::NAN,
                temperature: f64::NAN,
                gcs: f64::NAN,
            })
            .gcs = g;
    }
    by_day.into_values().collect()
}

/// Charted FiO2 as mimic-code `bg.sql` reads it: (0.2, 1] times 100, [20, 100] as is, else
/// none.
fn fio2_rows(df: &DataFrame, tally: &mut Tally) -> Vec<Fio2Row> {
    let sidx = frames::ints(df, "sidx");
    let t = frames::ints(df, "charttime");
    let v = frames::floats(df, "valuenum");
    let mut out = Vec::with_capacity(sidx.len());
    for i in 0..sidx.len() {
        let f = if v[i] > 0.2 && v[i] <= 1.0 {
            v[i] * 100.0
        } else if (20.0..=100.0).contains(&v[i]) {
            v[i]
        } else {
            tally.drop(
                "icu/chartevents",
                "223835",
                "FiO2 neither a fraction in (0.2, 1] nor a percentage in [20, 100]",
                1,
            );
            continue;
        };
        out.push(Fio2Row {
            sidx: sidx[i].expect("key") as u32,
            t: t[i].expect("charttime"),
            fio2: f,
        });
    }
    out.sort_by(|a, b| {
        (a.sidx, a.t)
            .cmp(&(b.sidx, b.t))
            .then(a.fio2.total_cmp(&b.fio2))
    });
    out
}

/// Urine output of one patient-day, in units of 1e-4 mL (summed exactly as integers, so the
/// total does not depend on the order polars adds them in).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UrineDay {
    pub sidx: u32,
    pub day: i32,
    pub sum_e4: i64,
}

/// Urine output is kept for a day with at least this many hours in the ICU.
pub const URINE_MIN_HOURS: f64 = 22.0;

/// Reads `icu/outputevents` urine items for `stays`, summed per patient-day.
///
/// The four queries on each batch of `chartevents`: day values, GCS assessments (one row per
/// charting time), charted FiO2 rows, dropped-value counts. Value columns are row-level (null
/// unless a used value of that vital), so that every aggregation is a plain min or max.
fn chart_queries() -> Vec<Query<'static>> {
    let ok = || col("why").eq(lit(0u32)).and(col("ett").not());
    let v = move |x: Vital| {
        when(col("vital").eq(lit(vital_code(x))).and(ok()))
            .then(col("valuenum"))
            .otherwise(lit(NULL).cast(DataType::Float64))
    };
    let day: Query = (
        Box::new(move |j: LazyFrame| {
            j.filter(col("vital").lt(lit(vital_code(Vital::GcsEye))))
                .with_columns([
                    v(Vital::HeartRate).alias("hr"),
                    v(Vital::RespRate).alias("rr"),
                    v(Vital::Map).alias("map"),
                    v(Vital::TempC).alias("tc"),
                    v(Vital::TempF).alias("tf"),
                ])
                .group_by([col("sidx"), col("day")])
                .agg([
                    col("hr").max(),
                    col("rr").max(),
                    col("map").min(),
                    col("tc").min().alias("tc_min"),
                    col("tc").max().alias("tc_max"),
                    col("tf").min().alias("tf_min"),
                    col("tf").max().alias("tf_max"),
                ])
        }),
        groups(
            &["sidx", "day"],
            &[
                ("hr", Agg::Max),
                ("rr", Agg::Max),
                ("map", Agg::Min),
                ("tc_min", Agg::Min),
                ("tc_max", Agg::Max),
                ("tf_min", Agg::Min),
                ("tf_max", Agg::Max),
            ],
        ),
    );
    let gcs: Query = (
        Box::new(move |j: LazyFrame| {
            j.filter(
                col("vital")
                    .gt_eq(lit(vital_code(Vital::GcsEye)))
                    .and(col("vital").lt_eq(lit(vital_code(Vital::GcsMotor)))),
            )
            .with_columns([
                v(Vital::GcsEye).alias("eye"),
                v(Vital::GcsVerbal).alias("verbal"),
                v(Vital::GcsMotor).alias("motor"),
            ])
            .group_by([col("sidx"), col("day"), col("charttime")])
            .agg([
                col("eye").max(),
                col("verbal").max(),
                col("motor").max(),
                col("ett").max(),
            ])
        }),
        groups(
            &["sidx", "day", "charttime"],
            &[
                ("eye", Agg::Max),
                ("verbal", Agg::Max),
                ("motor", Agg::Max),
                ("ett", Agg::Max),
            ],
        ),
    );
    let fio2: Query = (
        Box::new(move |j: LazyFrame| {
            j.filter(col("vital").eq(lit(vital_code(Vital::Fio2))).and(ok()))
                .select([col("sidx"), col("charttime"), col("valuenum")])
        }),
        Merge::Rows,
    );
    let counts: Query = (
        Box::new(|j: LazyFrame| {
            j.filter(col("why").gt(lit(0u32)))
                .group_by([col("itemid"), col("why")])
                .agg([col("why").count().alias("n")])
        }),
        groups(&["itemid", "why"], &[("n", Agg::Sum)]),
    );
    vec![day, gcs, fio2, counts]
}

fn groups(keys: &[&'static str], aggs: &[(&str, Agg)]) -> Merge {
    Merge::Groups(
        keys.to_vec(),
        aggs.iter().map(|(c, a)| ((*c).to_string(), *a)).collect(),
    )
}

/// # Errors
/// A missing column or an unreadable file.
pub(crate) fn read_urine(t: &Table, stays: &[Stay]) -> Result<Vec<UrineDay>, MimicError> {
    let items = df!(
        "itemid" => URINE_ITEMS.iter().map(|i| i.0).collect::<Vec<_>>(),
        "sign" => URINE_ITEMS.iter().map(|i| i.1).collect::<Vec<_>>(),
    )
    .expect("columns of equal length");
    let scaled = col("value") * lit(1e4);
    let q = when(col("value").gt_eq(lit(0.0)))
        .then(scaled.clone() + lit(0.5))
        .otherwise(scaled - lit(0.5))
        .cast(DataType::Int64);
    let plan = frames::scan(
        t,
        &[
            ("stay_id", Kind::Int),
            ("charttime", Kind::Time),
            ("itemid", Kind::Int),
            ("value", Kind::Float),
        ],
    )?
    .inner_join(items.lazy(), col("itemid"), col("itemid"))
    .inner_join(stays_frame(stays).lazy(), col("stay_id"), col("stay_id"))
    .filter(in_window(col("charttime")).and(col("value").is_not_null()))
    .with_column(day_of(col("charttime")).alias("day"))
    .with_column(
        // mimic-code: the irrigant in (227488) is subtracted when positive.
        when(col("sign").lt(lit(0i64)).and(col("value").gt(lit(0.0))))
            .then(-q.clone())
            .otherwise(q)
            .alias("q"),
    )
    .group_by([col("sidx"), col("day")])
    .agg([col("q").sum().alias("q")]);
    let df = frames::collect(t, plan)?;
    let sidx = frames::ints(&df, "sidx");
    let day = frames::ints(&df, "day");
    let q = frames::ints(&df, "q");
    let mut out: Vec<UrineDay> = (0..sidx.len())
        .map(|i| UrineDay {
            sidx: sidx[i].expect("key") as u32,
            day: day[i].expect("key") as i32,
            sum_e4: q[i].unwrap_or(0),
        })
        .collect();
    out.sort_by_key(|u| (u.sidx, u.day));
    Ok(out)
}

/// A day's urine output in mL/day from its sum (1e-4 mL units) and its hours in the ICU:
/// scaled to 24 h, rounded to 0.1 mL; `None` with fewer than [`URINE_MIN_HOURS`] or a negative
/// net output.
pub fn urine_per_day(sum_e4: i64, icu_hours: f64) -> Option<f64> {
    if icu_hours < URINE_MIN_HOURS || sum_e4 < 0 {
        return None;
    }
    let ml = sum_e4 as f64 / 1e4;
    Some(round_to(ml * 24.0 / icu_hours.min(24.0), 1))
}

/// An interval row of `icu/procedureevents` or `icu/inputevents`.
#[derive(Clone, Debug, PartialEq)]
pub struct IntervalRow {
    pub sidx: u32,
    pub itemid: i64,
    pub start: i64,
    pub end: i64,
    pub amount: f64,
    pub amountuom: Option<String>,
    pub rate: f64,
    pub rateuom: Option<String>,
    pub weight: f64,
}

/// Rows of `itemids` from an interval table (`starttime`, `endtime`) overlapping the stays'
/// hospital time (lookback start to exit), sorted by (stay, start, itemid).
///
/// # Errors
/// A missing column or an unreadable file.
pub(crate) fn read_intervals(
    t: &Table,
    stays: &[Stay],
    itemids: &[i64],
    inputs: bool,
) -> Result<Vec<IntervalRow>, MimicError> {
    // Up to hospital exit (`he`): treatment courses run past the days written.
    let items = df!("itemid" => itemids.to_vec()).expect("one column");
    let mut cols = vec![
        ("stay_id", Kind::Int),
        ("starttime", Kind::Time),
        ("endtime", Kind::Time),
        ("itemid", Kind::Int),
    ];
    if inputs {
        cols.extend([
            ("amount", Kind::Float),
            ("amountuom", Kind::Text),
            ("rate", Kind::Float),
            ("rateuom", Kind::Text),
            ("patientweight", Kind::Float),
        ]);
    }
    let plan = frames::scan(t, &cols)?
        .inner_join(items.lazy(), col("itemid"), col("itemid"))
        .inner_join(stays_frame(stays).lazy(), col("stay_id"), col("stay_id"))
        .filter(
            col("starttime")
                .lt(col("he"))
                .and(col("endtime").gt(col("lb"))),
        );
    let df = frames::collect(t, plan)?;
    let sidx = frames::ints(&df, "sidx");
    let itemid = frames::ints(&df, "itemid");
    let start = frames::required_ints(t, &df, "starttime")?;
    let end = frames::required_ints(t, &df, "endtime")?;
    let none = vec![f64::NAN; sidx.len()];
    let (amount, rate, weight) = if inputs {
        (
            frames::floats(&df, "amount"),
            frames::floats(&df, "rate"),
            frames::floats(&df, "patientweight"),
        )
    } else {
        (none.clone(), none.clone(), none)
    };
    let (amountuom, rateuom) = if inputs {
        (
            frames::texts(&df, "amountuom"),
            frames::texts(&df, "rateuom"),
        )
    } else {
        (vec![None; sidx.len()], vec![None; sidx.len()])
    };
    let mut out: Vec<IntervalRow> = (0..sidx.len())
        .map(|i| IntervalRow {
            sidx: sidx[i].expect("key") as u32,
            itemid: itemid[i].expect("key"),
            start: start[i],
            end: end[i],
            amount: amount[i],
            amountuom: amountuom[i].clone(),
            rate: rate[i],
            rateuom: rateuom[i].clone(),
            weight: weight[i],
        })
        .collect();
    out.sort_by(|a, b| {
        (a.sidx, a.start, a.itemid, a.end)
            .cmp(&(b.sidx, b.start, b.itemid, b.end))
            .then(a.amount.total_cmp(&b.amount))
            .then(a.rate.total_cmp(&b.rate))
    });
    Ok(out)
}

/// A vasopressor rate in ug/kg/min (see the module docs); `None` for a unit not accepted.
pub fn rate_ug_kg_min(r: &IntervalRow) -> Option<f64> {
    match r.rateuom.as_deref() {
        Some("mcg/kg/min") => Some(r.rate),
        Some("mg/kg/min") => Some(r.rate * 1000.0),
        Some("mcg/min") if r.weight > 0.0 => Some(r.rate / r.weight),
        _ => None,
    }
}

/// The days (of `stay`'s clock) an interval overlaps, from the lookback start to hospital exit,
/// or only the days written (`days_written`).
pub fn days_of_interval(
    stay: &Stay,
    start: i64,
    end: i64,
    days_written: bool,
) -> std::ops::RangeInclusive<i32> {
    let c = &stay.clock;
    let stop = if days_written { c.window_end() } else { c.exit };
    let first = c.day_of(start.max(c.lookback));
    let last = c.day_of((end - 1).max(start).min(stop - 1));
    first..=last
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fahrenheit_as_mimic_code() {
        assert_eq!(fahrenheit_to_celsius(100.4), 38.0);
        assert_eq!(fahrenheit_to_celsius(98.6), 37.0);
        assert_eq!(fahrenheit_to_celsius(100.94), 38.3);
    }

    #[test]
    fn urine_scaled_to_a_day_and_missing_on_short_days() {
        assert_eq!(urine_per_day(12_000_000, 24.0), Some(1200.0));
        assert_eq!(urine_per_day(11_000_000, 22.0), Some(1200.0));
        assert_eq!(urine_per_day(5_000_000, 12.0), None);
        assert_eq!(urine_per_day(-10, 24.0), None);
    }
}
