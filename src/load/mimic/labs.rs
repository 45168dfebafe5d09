//! Laboratory values from `hosp/labevents`, by itemid, in canonical units, one value per
//! patient-day (the worst of the day for the score items; see [`LAB_ITEMS`] for each item's
//! rule), and the arterial blood gases per specimen (for PaO2/FiO2 and PaCO2).
//!
//! Items and units follow mimic-code `measurement/complete_blood_count.sql` (platelets 51265,
//! WBC 51301), `measurement/coagulation.sql` (INR 51237, PT 51274, fibrinogen 51214, D-dimer
//! 51196), `measurement/chemistry.sql` / `enzyme.sql` (creatinine 50912, bilirubin 50885),
//! `measurement/blood_differential.sql` (bands 51144) and `measurement/bg.sql` (specimen type
//! 52033, pO2 50821, pCO2 50818, FiO2 50816), and ricu's `plt`, `inr_pt`, `pt`, `fgn`, `crea`,
//! `bili`, `wbc`, `bnd`, `po2`, `pco2`, `fio2` concepts (the same itemids). mimic-code and ricu
//! have no concept for FDP (51213), antithrombin (51140) or the Chemistry D-dimer (50915); they
//! are read here by the same rules, with the units of mimic-code's `mapping/d_labitems_to_loinc.csv`.
//!
//! Joins: labs are linked to a stay by `subject_id` and time (the stay's window, see
//! [`super::stays`]), as mimic-code's first-day concepts do (`hadm_id` is empty for many
//! emergency-department draws).
//!
//! Units: each item accepts only the units listed; a value in any other unit is dropped and
//! counted, never guessed. D-dimer: `ng/mL FEU` and `ng/mL` (both itemids are LOINC 48065-7,
//! "Fibrin D-dimer FEU", in the mimic-code mapping) become ug/mL FEU (/ 1000, recorded);
//! `ng/mL DDU` is never converted (dropped and counted, as the canonical schema requires).
//! PT: the PT ratio and the PT prolongation need the laboratory's control time, taken as the
//! midpoint of the row's reference range (`ref_range_lower`, `ref_range_upper`); the ratio is
//! rounded to 0.01 and the prolongation to 0.1 s (the precision labs report them with).
//!
//! Cost: one pass over `labevents` in batches ([`super::stream`]: three queries on each batch);
//! memory holds one batch, one row per patient-day and one per blood-gas specimen.

use std::collections::BTreeMap;

use polars::prelude::*;

use super::frames::{self, round_to, Kind, Table};
use super::stays::{day_of, in_window, Stay};
use super::stream::{self, Agg, Merge, Query};
use super::{MimicError, Tally};
use crate::load::{table_spec, TableKind};

/// The day-level lab columns (the canonical column each feeds).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Lab {
    Platelets,
    Inr,
    Pt,
    Fibrinogen,
    Fdp,
    DDimer,
    Antithrombin,
    Bilirubin,
    Creatinine,
    Wbc,
    Bands,
    // Blood gas, per specimen:
    Po2,
    Pco2,
    Fio2,
    SpecimenType,
}

/// Which value of the day is kept.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum DayRule {
    /// The lowest (platelets, fibrinogen, antithrombin: low is worse).
    Min,
    /// The highest (INR, PT, FDP, D-dimer, bilirubin, creatinine, bands).
    Max,
    /// The value farthest from the middle of the normal range (WBC, [4, 12]: SIRS counts either
    /// side); ties go to the higher value.
    FarthestFrom(f64),
    /// Per blood-gas specimen, combined later.
    Specimen,
}

/// One itemid: the column it feeds, its day rule, the canonical column (for the range check)
/// and the accepted units `(valueuom, multiply, divide, recorded as)`; an empty `valueuom`
/// matches a missing one.
pub struct LabItem {
    pub itemid: i64,
    pub lab: Lab,
    pub rule: DayRule,
    pub canonical: &'static str,
    pub units: &'static [(&'static str, f64, f64)],
}

/// D-dimer units (see the module docs); `ng/mL DDU` is listed separately as never converted.
const DDIMER_UNITS: &[(&str, f64, f64)] = &[("ng/mL FEU", 1.0, 1000.0), ("ng/mL", 1.0, 1000.0)];
/// The D-dimer basis that is never converted.
pub const DDU_UNIT: &str = "ng/mL DDU";

/// Every itemid read from `labevents`.
pub const LAB_ITEMS: &[LabItem] = &[
    LabItem {
        itemid: 51265,
        lab: Lab::Platelets,
        rule: DayRule::Min,
        canonical: "platelets",
        units: &[("K/uL", 1.0, 1.0)],
    },
    LabItem {
        itemid: 51237,
        lab: Lab::Inr,
        rule: DayRule::Max,
        canonical: "pt_inr",
        units: &[("", 1.0, 1.0)],
    },
    LabItem {
        itemid: 51274,
        lab: Lab::Pt,
        rule: DayRule::Max,
        canonical: "pt_ratio",
        units: &[("sec", 1.0, 1.0)],
    },
    LabItem {
        itemid: 51214,
        lab: Lab::Fibrinogen,
        rule: DayRule::Min,
        canonical: "fibrinogen",
        units: &[("mg/dL", 1.0, 1.0)],
    },
    LabItem {
        itemid: 51213,
        lab: Lab::Fdp,
        rule: DayRule::Max,
        canonical: "fdp",
        units: &[("ug/mL", 1.0, 1.0)],
    },
    LabItem {
        itemid: 51196,
        lab: Lab::DDimer,
        rule: DayRule::Max,
        canonical: "d_dimer",
        units: DDIMER_UNITS,
    },
    LabItem {
        itemid: 50915,
        lab: Lab::DDimer,
        rule: DayRule::Max,
        canonical: "d_dimer",
        units: DDIMER_UNITS,
    },
    LabItem {
        itemid: 51140,
        lab: Lab::Antithrombin,
        rule: DayRule::Min,
        canonical: "antithrombin",
        units: &[("%", 1.0, 1.0)],
    },
    LabItem {
        itemid: 50885,
        lab: Lab::Bilirubin,
        rule: DayRule::Max,
        canonical: "bilirubin",
        units: &[("mg/dL", 1.0, 1.0)],
    },
    LabItem {
        itemid: 50912,
        lab: Lab::Creatinine,
        rule: DayRule::Max,
        canonical: "creatinine",
        units: &[("mg/dL", 1.0, 1.0)],
    },
    LabItem {
        itemid: 51301,
        lab: Lab::Wbc,
        rule: DayRule::FarthestFrom(8.0),
        canonical: "wbc",
        units: &[("K/uL", 1.0, 1.0)],
    },
    LabItem {
        itemid: 51144,
        lab: Lab::Bands,
        rule: DayRule::Max,
        canonical: "immature_pct",
        units: &[("%", 1.0, 1.0)],
    },
    LabItem {
        itemid: 50821,
        lab: Lab::Po2,
        rule: DayRule::Specimen,
        canonical: "",
        units: &[("mm Hg", 1.0, 1.0)],
    },
    LabItem {
        itemid: 50818,
        lab: Lab::Pco2,
        rule: DayRule::Specimen,
        canonical: "paco2",
        units: &[("mm Hg", 1.0, 1.0)],
    },
    LabItem {
        itemid: 50816,
        lab: Lab::Fio2,
        rule: DayRule::Specimen,
        canonical: "",
        units: &[("%", 1.0, 1.0), ("", 1.0, 1.0)],
    },
    LabItem {
        itemid: 52033,
        lab: Lab::SpecimenType,
        rule: DayRule::Specimen,
        canonical: "",
        units: &[("", 1.0, 1.0)],
    },
];

/// The day-level labs that are not blood gases, in the column order of the query output.
const DAY_LABS: [Lab; 11] = [
    Lab::Platelets,
    Lab::Inr,
    Lab::Pt,
    Lab::Fibrinogen,
    Lab::Fdp,
    Lab::DDimer,
    Lab::Antithrombin,
    Lab::Bilirubin,
    Lab::Creatinine,
    Lab::Wbc,
    Lab::Bands,
];

fn code(l: Lab) -> u32 {
    l as u32
}

#[cfg(test)]
fn is_gas(l: Lab) -> bool {
    l >= Lab::Po2
}

fn item(itemid: i64) -> &'static LabItem {
    LAB_ITEMS
        .iter()
        .find(|i| i.itemid == itemid)
        .expect("an itemid of LAB_ITEMS")
}

/// The lab values of one patient-day (NaN = not measured), in canonical units.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LabDay {
    pub sidx: u32,
    pub day: i32,
    pub platelets: f64,
    pub pt_inr: f64,
    pub pt_ratio: f64,
    pub pt_sec_prolongation: f64,
    pub fibrinogen: f64,
    pub fdp: f64,
    pub d_dimer: f64,
    pub antithrombin: f64,
    pub bilirubin: f64,
    pub creatinine: f64,
    pub wbc: f64,
    pub immature_pct: f64,
}

/// One blood-gas specimen.
#[derive(Clone, Debug, PartialEq)]
pub struct GasSpecimen {
    pub sidx: u32,
    pub day: i32,
    /// Chart time (microseconds).
    pub t: i64,
    pub po2: f64,
    pub pco2: f64,
    /// FiO2 in % (mimic-code `bg.sql`: values in (20, 100] as %, in (0.2, 1] times 100, else
    /// none).
    pub fio2: f64,
    /// Specimen type `ART.` (52033).
    pub arterial: bool,
}

/// Why a row was not used.
const REASONS: [&str; 6] = [
    "used",
    "no numeric value",
    "unit not accepted",
    "D-dimer on the DDU basis (never converted)",
    "outside the canonical range of data-schema",
    "PT without a reference range (no control time)",
];

fn items_frame() -> DataFrame {
    let spec = table_spec(TableKind::Days);
    let bound = |c: &str, lo: bool| -> f64 {
        if c.is_empty() {
            return if lo { f64::NEG_INFINITY } else { f64::INFINITY };
        }
        let s = spec.column(c);
        if lo {
            s.minimum.unwrap_or(f64::NEG_INFINITY)
        } else {
            s.maximum.unwrap_or(f64::INFINITY)
        }
    };
    df!(
        "itemid" => LAB_ITEMS.iter().map(|i| i.itemid).collect::<Vec<_>>(),
        "lab" => LAB_ITEMS.iter().map(|i| code(i.lab)).collect::<Vec<_>>(),
        // PT is range-checked after the ratio is derived.
        "lo" => LAB_ITEMS.iter().map(|i| if i.lab == Lab::Pt { f64::NEG_INFINITY } else { bound(i.canonical, true) }).collect::<Vec<_>>(),
        "hi" => LAB_ITEMS.iter().map(|i| if i.lab == Lab::Pt { f64::INFINITY } else { bound(i.canonical, false) }).collect::<Vec<_>>(),
    )
    .expect("columns of equal length")
}

fn units_frame() -> DataFrame {
    let mut itemid = Vec::new();
    let mut uom = Vec::new();
    let (mut mul, mut div, mut ddu) = (Vec::new(), Vec::new(), Vec::new());
    for i in LAB_ITEMS {
        for (u, m, d) in i.units {
            itemid.push(i.itemid);
            uom.push(u.to_string());
            mul.push(*m);
            div.push(*d);
            ddu.push(false);
        }
        if i.lab == Lab::DDimer {
            itemid.push(i.itemid);
            uom.push(DDU_UNIT.to_string());
            mul.push(f64::NAN);
            div.push(f64::NAN);
            ddu.push(true);
        }
    }
    df!("itemid" => itemid, "uom" => uom, "mul" => mul, "div" => div, "ddu" => ddu)
        .expect("columns of equal length")
}

/// What [`read_labs`] returns.
pub struct Labs {
    pub days: Vec<LabDay>,
    pub gases: Vec<GasSpecimen>,
}

/// Reads `hosp/labevents` for `stays` (see the module docs), `batch` bytes of text at a time
/// ([`super::stream`]).
///
/// # Errors
/// A missing column or an unreadable file.
pub(crate) fn read_labs(
    t: &Table,
    stays: &[Stay],
    batch: usize,
    tally: &mut Tally,
) -> Result<Labs, MimicError> {
    let cols = [
        ("subject_id", Kind::Int),
        ("specimen_id", Kind::Int),
        ("itemid", Kind::Int),
        ("charttime", Kind::Time),
        ("value", Kind::Text),
        ("valuenum", Kind::Float),
        ("valueuom", Kind::Text),
        ("ref_range_lower", Kind::Float),
        ("ref_range_upper", Kind::Float),
    ];
    let (items, units, stays_df) = (
        items_frame(),
        units_frame(),
        super::stays::stays_frame(stays),
    );
    let prefix = |lab: LazyFrame| {
        lab.inner_join(items.clone().lazy(), col("itemid"), col("itemid"))
            .inner_join(
                stays_df.clone().lazy(),
                col("subject_id"),
                col("subject_id"),
            )
            .filter(in_window(col("charttime")))
            .with_columns([
                day_of(col("charttime")).alias("day"),
                col("valueuom").fill_null(lit("")).alias("uom"),
            ])
            .join(
                units.clone().lazy(),
                [col("itemid"), col("uom")],
                [col("itemid"), col("uom")],
                JoinArgs::new(JoinType::Left),
            )
            .with_columns([
                // The specimen type is text: 1 for an arterial specimen.
                when(col("lab").eq(lit(code(Lab::SpecimenType))))
                    .then(
                        when(col("value").eq(lit("ART.")))
                            .then(lit(1.0))
                            .otherwise(lit(0.0)),
                    )
                    .otherwise(col("valuenum") * col("mul") / col("div"))
                    .alias("v"),
                ((col("ref_range_lower") + col("ref_range_upper")) / lit(2.0)).alias("ctl"),
            ])
            .with_column(reason_expr().alias("why"))
    };
    let queries = vec![day_query(), gas_query(), count_query()];
    let mut out = stream::stream(t, &cols, batch, &prefix, &queries)?;
    let counts = out.pop().expect("three results");
    let gas_df = out.pop().expect("three results");
    let day_df = out.pop().expect("three results");
    tally_reasons(&counts, tally);
    // Each result is dropped as soon as it is converted (the peak at 100M lab rows was here).
    let days = lab_days(&day_df, tally);
    drop(day_df);
    let gases = gases(&gas_df);
    drop(gas_df);
    Ok(Labs { days, gases })
}

/// Null unless the row is a used value of lab `l`.
fn only(l: Lab, e: Expr) -> Expr {
    when(col("lab").eq(lit(code(l))).and(col("why").eq(lit(0u32))))
        .then(e)
        .otherwise(lit(NULL).cast(DataType::Float64))
}

/// The day values of the day labs: each output column is computed row by row first (null
/// unless the row is a used value of that item), so every aggregation is a plain min or max,
/// exact to merge across batches.
fn day_query() -> Query<'static> {
    let mut cols = Vec::new();
    let mut aggs = Vec::new();
    for l in DAY_LABS {
        let it = LAB_ITEMS.iter().find(|i| i.lab == l).expect("item");
        let name = format!("l{}", code(l));
        let mut add = |c: String, e: Expr, agg: Agg| {
            cols.push(e.alias(c.as_str()));
            aggs.push((c, agg));
        };
        match (l, it.rule) {
            (Lab::Pt, _) => {
                add(
                    format!("{name}_ratio"),
                    only(l, col("v") / col("ctl")),
                    Agg::Max,
                );
                add(
                    format!("{name}_sec"),
                    only(l, col("v") - col("ctl")),
                    Agg::Max,
                );
            }
            (_, DayRule::Min) => add(name, only(l, col("v")), Agg::Min),
            (_, DayRule::Max) => add(name, only(l, col("v")), Agg::Max),
            (_, DayRule::FarthestFrom(_)) => {
                add(format!("{name}_min"), only(l, col("v")), Agg::Min);
                add(format!("{name}_max"), only(l, col("v")), Agg::Max);
            }
            (_, DayRule::Specimen) => unreachable!("blood gases are per specimen"),
        }
    }
    let exprs: Vec<Expr> = aggs
        .iter()
        .map(|(c, a)| match a {
            Agg::Max => col(c.as_str()).max(),
            _ => col(c.as_str()).min(),
        })
        .collect();
    (
        Box::new(move |j: LazyFrame| {
            j.filter(col("lab").lt(lit(code(Lab::Po2))))
                .with_columns(cols.clone())
                .group_by([col("sidx"), col("day")])
                .agg(exprs.clone())
        }),
        Merge::Groups(vec!["sidx", "day"], aggs),
    )
}

/// One row per blood-gas specimen (PaO2, PaCO2, FiO2, arterial or not).
fn gas_query() -> Query<'static> {
    let fio2 = col("v");
    let fio2_pct = when(
        fio2.clone()
            .gt(lit(20.0))
            .and(fio2.clone().lt_eq(lit(100.0))),
    )
    .then(fio2.clone())
    .when(fio2.clone().gt(lit(0.2)).and(fio2.clone().lt_eq(lit(1.0))))
    .then(fio2 * lit(100.0))
    .otherwise(lit(NULL).cast(DataType::Float64));
    let aggs = [
        ("t", Agg::Min),
        ("po2", Agg::Max),
        ("pco2", Agg::Min),
        ("fio2", Agg::Max),
        ("art", Agg::Max),
    ];
    (
        Box::new(move |j: LazyFrame| {
            j.filter(col("lab").gt_eq(lit(code(Lab::Po2))))
                .with_columns([
                    only(Lab::Po2, col("v")).alias("po2"),
                    only(Lab::Pco2, col("v")).alias("pco2"),
                    only(Lab::Fio2, fio2_pct.clone()).alias("fio2"),
                    only(Lab::SpecimenType, col("v")).alias("art"),
                ])
                .group_by([col("sidx"), col("day"), col("specimen_id")])
                .agg([
                    col("charttime").min().alias("t"),
                    col("po2").max(),
                    col("pco2").min(),
                    col("fio2").max(),
                    col("art").max(),
                ])
        }),
        Merge::Groups(
            vec!["sidx", "day", "specimen_id"],
            aggs.iter().map(|(c, a)| ((*c).to_string(), *a)).collect(),
        ),
    )
}

/// Rows by item, unit and reason (used or why not).
fn count_query() -> Query<'static> {
    (
        Box::new(|j: LazyFrame| {
            j.group_by([col("itemid"), col("uom"), col("why")])
                .agg([col("why").count().alias("n")])
        }),
        Merge::Groups(vec!["itemid", "uom", "why"], vec![("n".into(), Agg::Sum)]),
    )
}

/// Reason code of a row (index into [`REASONS`]).
fn reason_expr() -> Expr {
    let gas_type = col("lab").eq(lit(code(Lab::SpecimenType)));
    when(col("ddu").eq(lit(true)))
        .then(lit(3u32))
        .when(col("mul").is_null().and(gas_type.clone().not()))
        .then(lit(2u32))
        .when(col("v").is_null())
        .then(lit(1u32))
        .when(
            col("v")
                .lt(col("lo"))
                .or(col("v").gt(col("hi")))
                .and(gas_type.not()),
        )
        .then(lit(4u32))
        .when(
            col("lab")
                .eq(lit(code(Lab::Pt)))
                .and(col("ctl").is_null().or(col("ctl").lt_eq(lit(0.0)))),
        )
        .then(lit(5u32))
        .otherwise(lit(0u32))
}

fn tally_reasons(df: &DataFrame, tally: &mut Tally) {
    let itemid = frames::ints(df, "itemid");
    let uom = frames::texts(df, "uom");
    let why = frames::ints(df, "why");
    let n = frames::ints(df, "n");
    // Sorted for a deterministic report whatever the output order.
    let mut rows: BTreeMap<(i64, String, i64), u64> = BTreeMap::new();
    for i in 0..itemid.len() {
        *rows
            .entry((
                itemid[i].unwrap_or(0),
                uom[i].clone().unwrap_or_default(),
                why[i].unwrap_or(0),
            ))
            .or_default() += n[i].unwrap_or(0) as u64;
    }
    for ((id, u, w), n) in rows {
        let it = item(id);
        if w == 0 {
            if let Some((_, m, d)) = it.units.iter().find(|(x, _, _)| *x == u) {
                if *m != 1.0 || *d != 1.0 {
                    let from = if u == "ng/mL" {
                        "ng/mL (FEU: LOINC 48065-7 of itemids 51196/50915)".to_string()
                    } else {
                        u.clone()
                    };
                    tally.convert(it.canonical, &from, "ug/mL FEU", m / d, n);
                }
            }
            continue;
        }
        let what = if u.is_empty() {
            format!("{id} ({})", it.canonical)
        } else {
            format!("{id} ({}, {u})", it.canonical)
        };
        tally.drop("hosp/labevents", &what, REASONS[w as usize], n);
    }
}

fn lab_days(df: &DataFrame, tally: &mut Tally) -> Vec<LabDay> {
    let sidx = frames::ints(df, "sidx");
    let day = frames::ints(df, "day");
    let get = |name: String| frames::floats(df, &name);
    let col_of = |l: Lab| get(format!("l{}", code(l)));
    let (plt, inr, fib, fdp, dd, at, bili, cre, bands) = (
        col_of(Lab::Platelets),
        col_of(Lab::Inr),
        col_of(Lab::Fibrinogen),
        col_of(Lab::Fdp),
        col_of(Lab::DDimer),
        col_of(Lab::Antithrombin),
        col_of(Lab::Bilirubin),
        col_of(Lab::Creatinine),
        col_of(Lab::Bands),
    );
    let pt = code(Lab::Pt);
    let ratio = get(format!("l{pt}_ratio"));
    let sec = get(format!("l{pt}_sec"));
    let w = code(Lab::Wbc);
    let (wmin, wmax) = (get(format!("l{w}_min")), get(format!("l{w}_max")));
    let spec = table_spec(TableKind::Days);
    let mut in_range = |name: &str, v: f64| -> f64 {
        let s = spec.column(name);
        let ok =
            v.is_nan() || (s.minimum.is_none_or(|m| v >= m) && s.maximum.is_none_or(|m| v <= m));
        if ok {
            v
        } else {
            tally.drop(
                "hosp/labevents",
                &format!("51274 ({name})"),
                "outside the canonical range of data-schema",
                1,
            );
            f64::NAN
        }
    };
    let mut out = Vec::with_capacity(sidx.len());
    for i in 0..sidx.len() {
        out.push(LabDay {
            sidx: sidx[i].expect("group key") as u32,
            day: day[i].expect("group key") as i32,
            platelets: plt[i],
            pt_inr: inr[i],
            pt_ratio: in_range("pt_ratio", round_to(ratio[i], 2)),
            pt_sec_prolongation: in_range("pt_sec_prolongation", round_to(sec[i], 1)),
            fibrinogen: fib[i],
            fdp: fdp[i],
            d_dimer: dd[i],
            antithrombin: at[i],
            bilirubin: bili[i],
            creatinine: cre[i],
            wbc: farthest(wmin[i], wmax[i], 8.0),
            immature_pct: bands[i],
        });
    }
    out.sort_by_key(|d| (d.sidx, d.day));
    out
}

/// The day's value farthest from `mid` (ties: the higher), from the day's min and max.
pub fn farthest(lo: f64, hi: f64, mid: f64) -> f64 {
    match (lo.is_nan(), hi.is_nan()) {
        (true, true) => f64::NAN,
        (true, false) => hi,
        (false, true) => lo,
        (false, false) => {
            if (mid - lo) > (hi - mid) {
                lo
            } else {
                hi
            }
        }
    }
}

fn gases(df: &DataFrame) -> Vec<GasSpecimen> {
    let sidx = frames::ints(df, "sidx");
    let day = frames::ints(df, "day");
    let spec = frames::ints(df, "specimen_id");
    let t = frames::ints(df, "t");
    let (po2, pco2, fio2, art) = (
        frames::floats(df, "po2"),
        frames::floats(df, "pco2"),
        frames::floats(df, "fio2"),
        frames::floats(df, "art"),
    );
    let mut out: Vec<(i64, GasSpecimen)> = (0..sidx.len())
        .map(|i| {
            (
                spec[i].unwrap_or(0),
                GasSpecimen {
                    sidx: sidx[i].expect("group key") as u32,
                    day: day[i].expect("group key") as i32,
                    t: t[i].unwrap_or(0),
                    po2: po2[i],
                    pco2: pco2[i],
                    fio2: fio2[i],
                    arterial: art[i] == 1.0,
                },
            )
        })
        .collect();
    out.sort_by_key(|(s, g)| (g.sidx, g.t, *s));
    out.into_iter().map(|(_, g)| g).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn farthest_from_the_middle_of_the_normal_range() {
        assert_eq!(farthest(3.5, 11.0, 8.0), 3.5);
        assert_eq!(farthest(6.0, 13.0, 8.0), 13.0);
        assert_eq!(farthest(6.0, 10.0, 8.0), 10.0, "ties go to the higher");
        assert_eq!(farthest(f64::NAN, 10.0, 8.0), 10.0);
        assert!(farthest(f64::NAN, f64::NAN, 8.0).is_nan());
    }

    #[test]
    fn every_item_once_and_gases_last() {
        let mut ids: Vec<i64> = LAB_ITEMS.iter().map(|i| i.itemid).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), LAB_ITEMS.len());
        for i in LAB_ITEMS {
            assert_eq!(is_gas(i.lab), i.rule == DayRule::Specimen, "{}", i.itemid);
            if !i.canonical.is_empty() {
                table_spec(TableKind::Days).column(i.canonical);
            }
        }
    }
}
