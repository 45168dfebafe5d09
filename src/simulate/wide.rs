//! The registry-wide export of the synthetic registry, as Japanese multicentre ICU registries
//! ship it: one row per patient, labs on days 1, 3 and 7 (`plt_d1`, `plt_d3`, `plt_d7`, ...),
//! platelets in x10^4/uL, fibrinogen in g/L (mg/dL at some sites, per `fib_unit`), D-dimer on the
//! FEU or DDU basis per site (`dd_basis`), anticoagulants as yes/no columns with start and end
//! days. `data-schema/registry-wide.mapping.toml` maps it back to the canonical tables.

use std::io::Write;

use super::model::{col, SimPatient, SITES};
use super::num;

/// Days exported.
pub const WIDE_DAYS: [u32; 3] = [1, 3, 7];

/// Source column stems of the 28 day measurements (in `model::col` order).
pub const STEMS: [&str; col::N] = [
    "plt", "pt_inr", "pt_ratio", "pt_sec", "fib", "fdp", "dd", "at", "tat", "bt", "hr", "rr",
    "paco2", "wbc", "imm", "pf", "vent", "map", "dopa", "dobu", "epi", "norepi", "gcs", "tbil",
    "cre", "uo", "bleed", "of",
];

/// Treatment column prefixes, in `DRUGS` order.
pub const DRUG_PREFIX: [&str; 4] = ["at", "tm", "hep", "pi"];

/// The header line.
pub fn header() -> String {
    let mut h: Vec<String> = [
        "patient_id",
        "facility",
        "age",
        "sex",
        "apache_ii",
        "hemato_malignancy",
        "liver_failure",
        "infection_source",
        "death_day",
        "last_day",
        "discharge_day",
        "fib_unit",
        "dd_basis",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for d in WIDE_DAYS {
        for s in STEMS {
            h.push(format!("{s}_d{d}"));
        }
    }
    for p in DRUG_PREFIX {
        for s in ["given", "start_day", "end_day", "dose"] {
            h.push(format!("{p}_{s}"));
        }
    }
    h.join(",") + "\n"
}

fn yes_no(b: bool) -> &'static str {
    if b {
        "yes"
    } else {
        "no"
    }
}

/// Writes one patient's row.
pub fn write_row(p: &SimPatient, out: &mut Vec<u8>) {
    let site = &SITES[p.site];
    let w = |out: &mut Vec<u8>, s: &str| {
        out.extend_from_slice(s.as_bytes());
    };
    w(out, &p.id());
    write!(
        out,
        ",{},{},{},{},{},{},{},",
        site.id,
        p.age,
        if p.male { "male" } else { "female" },
        p.apache2,
        yes_no(p.haem_malignancy),
        yes_no(p.liver_failure),
        p.infection_source
    )
    .expect("write to Vec");
    if let Some(d) = p.death_day {
        write!(out, "{d}").expect("write to Vec");
    }
    write!(out, ",{},", p.last_day).expect("write to Vec");
    if let Some(d) = p.discharge_day {
        write!(out, "{d}").expect("write to Vec");
    }
    w(
        out,
        if site.fibrinogen_mg_dl {
            ",mg/dL,"
        } else {
            ",g/L,"
        },
    );
    if site.d_dimer {
        w(out, if site.d_dimer_ddu { "DDU" } else { "FEU" });
    }
    for d in WIDE_DAYS {
        let v = p.days.get(d as usize - 1);
        for c in 0..col::N {
            out.push(b',');
            let Some(v) = v else { continue };
            let x = v[c];
            if x.is_nan() {
                continue;
            }
            match c {
                col::PLATELETS => num(out, x / 10.0),
                col::FIBRINOGEN if !site.fibrinogen_mg_dl => num(out, x / 100.0),
                col::D_DIMER if site.d_dimer_ddu => num(out, (x / 2.0 * 100.0).round() / 100.0),
                c if col::BOOLS.contains(&c) => w(out, yes_no(x != 0.0)),
                _ => num(out, x),
            }
        }
    }
    for drug in 0..4 {
        match p.courses.iter().find(|c| c.drug == drug) {
            Some(c) => {
                write!(out, ",yes,{},{},{}", c.start_day, c.end_day, c.dose).expect("write to Vec")
            }
            None => w(out, ",no,,,"),
        }
    }
    out.push(b'\n');
}
