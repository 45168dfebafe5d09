//! The units the loader knows for each canonical measurement: their names as exports spell them,
//! the conversion to the canonical unit of `data-schema/` (canonical = source x factor + offset),
//! and, for the columns the unit-plausibility check watches, the range a cohort's median must
//! fall in. One table, read by the mapping parser (a mapping may name a unit without its
//! factor), by the plausibility check (which unit the values look like) and by `dicohort mapping
//! init` (which unit to guess).
//!
//! The plausible median ranges are deliberately wide (an ICU sepsis cohort, DIC or not, from
//! any registry): they separate units that differ by a factor of 10 or more, never a cohort's
//! severity. A unit listed without a conversion (`pt_ratio` given in seconds) can be recognised
//! but not converted: it needs a number only the laboratory knows.

/// A linear conversion to the canonical unit: canonical = source x `factor` + `offset`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Affine {
    pub factor: f64,
    pub offset: f64,
}

impl Affine {
    pub const IDENTITY: Affine = Affine {
        factor: 1.0,
        offset: 0.0,
    };
    pub const fn scale(factor: f64) -> Affine {
        Affine {
            factor,
            offset: 0.0,
        }
    }
    pub fn apply(&self, v: f64) -> f64 {
        v * self.factor + self.offset
    }
    /// The source value of canonical value `v`.
    pub fn invert(&self, v: f64) -> f64 {
        (v - self.offset) / self.factor
    }
    pub fn is_identity(&self) -> bool {
        self.factor == 1.0 && self.offset == 0.0
    }
}

/// One unit of a measurement.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct UnitDef {
    /// The name written in mappings and messages.
    pub name: &'static str,
    /// Other spellings accepted (compared ignoring case, spaces and `µ`/`μ`/`u`).
    pub aliases: &'static [&'static str],
    /// The conversion to the canonical unit; `None`: recognisable, not convertible.
    pub conversion: Option<Affine>,
    /// For a unit without a conversion: the range of a cohort median in this unit.
    pub median_range: Option<(f64, f64)>,
}

impl UnitDef {
    /// The range of a plausible cohort median expressed in this unit, given the canonical range.
    pub fn source_range(&self, canonical: (f64, f64)) -> Option<(f64, f64)> {
        match (self.conversion, self.median_range) {
            (_, Some(r)) => Some(r),
            (Some(a), None) => Some((a.invert(canonical.0), a.invert(canonical.1))),
            (None, None) => None,
        }
    }
}

/// The units of one canonical measurement.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ColumnUnits {
    pub column: &'static str,
    /// The canonical unit (as `x-unit` in `days.schema.json`); always `units[0]`.
    pub canonical: &'static str,
    /// The plausible range of a cohort's median in the canonical unit; `None`: not checked.
    pub plausible_median: Option<(f64, f64)>,
    pub units: &'static [UnitDef],
}

const fn unit(name: &'static str, aliases: &'static [&'static str], factor: f64) -> UnitDef {
    UnitDef {
        name,
        aliases,
        conversion: Some(Affine::scale(factor)),
        median_range: None,
    }
}

const fn unconvertible(
    name: &'static str,
    aliases: &'static [&'static str],
    median: (f64, f64),
) -> UnitDef {
    UnitDef {
        name,
        aliases,
        conversion: None,
        median_range: Some(median),
    }
}

const X10_3: &[&str] = &[
    "10^3/uL",
    "x10^9/L",
    "10^9/L",
    "10^3/mm3",
    "K/uL",
    "G/L",
    "/nL",
    "x10^3/mm3",
    "x1000/uL",
];
const PER_UL: &[&str] = &["/uL", "/mm3", "cells/uL", "per uL"];

/// Every measurement with known units. Columns absent from the table accept only their
/// canonical unit (or an explicit factor in the mapping).
pub const COLUMN_UNITS: &[ColumnUnits] = &[
    ColumnUnits {
        column: "platelets",
        canonical: "x10^3/uL",
        plausible_median: Some((40.0, 700.0)),
        units: &[
            unit("x10^3/uL", X10_3, 1.0),
            unit(
                "x10^4/uL",
                &["10^4/uL", "x10^4/mm3", "10^4/mm3", "万/uL"],
                10.0,
            ),
            unit("/uL", PER_UL, 0.001),
        ],
    },
    ColumnUnits {
        column: "fibrinogen",
        canonical: "mg/dL",
        plausible_median: Some((80.0, 1000.0)),
        units: &[unit("mg/dL", &[], 1.0), unit("g/L", &["mg/mL"], 100.0)],
    },
    ColumnUnits {
        column: "fdp",
        canonical: "ug/mL",
        plausible_median: None,
        units: &[
            unit("ug/mL", &["mg/L"], 1.0),
            unit("ng/mL", &["ug/L"], 0.001),
        ],
    },
    ColumnUnits {
        column: "d_dimer",
        canonical: "ug/mL FEU",
        plausible_median: Some((0.2, 150.0)),
        units: &[
            unit("ug/mL FEU", &["mg/L FEU", "FEU"], 1.0),
            unit("ng/mL FEU", &["ug/L FEU"], 0.001),
        ],
    },
    ColumnUnits {
        column: "pt_ratio",
        canonical: "ratio",
        plausible_median: Some((0.8, 5.0)),
        units: &[
            unit("ratio", &[], 1.0),
            unconvertible("s", &["sec", "seconds"], (8.0, 45.0)),
            unconvertible("% activity", &["%"], (45.0, 150.0)),
        ],
    },
    ColumnUnits {
        column: "pt_inr",
        canonical: "INR",
        plausible_median: Some((0.8, 6.0)),
        units: &[
            unit("INR", &[], 1.0),
            unconvertible("s", &["sec", "seconds"], (8.0, 45.0)),
            unconvertible("% activity", &["%"], (45.0, 150.0)),
        ],
    },
    ColumnUnits {
        column: "antithrombin",
        canonical: "%",
        plausible_median: Some((15.0, 200.0)),
        units: &[
            unit("%", &["% activity"], 1.0),
            unit("IU/mL", &["U/mL", "fraction"], 100.0),
        ],
    },
    ColumnUnits {
        column: "temperature",
        canonical: "Celsius",
        plausible_median: Some((33.0, 41.0)),
        units: &[
            unit("Celsius", &["C", "°C", "degC"], 1.0),
            UnitDef {
                name: "F",
                aliases: &["°F", "Fahrenheit", "degF"],
                conversion: Some(Affine {
                    factor: 5.0 / 9.0,
                    offset: -160.0 / 9.0,
                }),
                median_range: None,
            },
        ],
    },
    ColumnUnits {
        column: "paco2",
        canonical: "mmHg",
        plausible_median: None,
        units: &[unit("mmHg", &["Torr"], 1.0), unit("kPa", &[], 7.500_615)],
    },
    ColumnUnits {
        column: "wbc",
        canonical: "x10^3/uL",
        plausible_median: None,
        units: &[unit("x10^3/uL", X10_3, 1.0), unit("/uL", PER_UL, 0.001)],
    },
    ColumnUnits {
        column: "immature_pct",
        canonical: "%",
        plausible_median: None,
        units: &[unit("%", &[], 1.0), unit("fraction", &[], 100.0)],
    },
    ColumnUnits {
        column: "pao2_fio2",
        canonical: "mmHg",
        plausible_median: None,
        units: &[unit("mmHg", &["Torr"], 1.0), unit("kPa", &[], 7.500_615)],
    },
    ColumnUnits {
        column: "bilirubin",
        canonical: "mg/dL",
        plausible_median: Some((0.15, 7.0)),
        units: &[
            unit("mg/dL", &[], 1.0),
            unit("umol/L", &["mmol/m3"], 1.0 / 17.1),
        ],
    },
    ColumnUnits {
        column: "creatinine",
        canonical: "mg/dL",
        plausible_median: Some((0.3, 10.0)),
        units: &[
            unit("mg/dL", &[], 1.0),
            unit("umol/L", &["mmol/m3"], 1.0 / 88.4),
        ],
    },
    ColumnUnits {
        column: "urine_output",
        canonical: "mL/day",
        plausible_median: None,
        units: &[
            unit("mL/day", &["mL/24h", "mL"], 1.0),
            unit("L/day", &["L/24h"], 1000.0),
        ],
    },
];

/// The units of `column`, if the table lists it.
pub fn column_units(column: &str) -> Option<&'static ColumnUnits> {
    COLUMN_UNITS.iter().find(|c| c.column == column)
}

/// A unit spelling reduced for comparison: lower case, no spaces, `µ`/`μ` as `u`, `x` before a
/// power of ten dropped.
fn normalise(s: &str) -> String {
    let s: String = s
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            'µ' | 'μ' => 'u',
            c => c.to_ascii_lowercase(),
        })
        .collect();
    s.strip_prefix('x')
        .filter(|r| r.starts_with("10"))
        .map(str::to_string)
        .unwrap_or(s)
}

/// The unit of `column` spelt `name` (its name or an alias).
pub fn find_unit(column: &str, name: &str) -> Option<&'static UnitDef> {
    let want = normalise(name);
    column_units(column)?
        .units
        .iter()
        .find(|u| normalise(u.name) == want || u.aliases.iter().any(|a| normalise(a) == want))
}

/// The conversion of unit `name` of `column`: a unit of the table with a conversion, or the
/// schema's canonical unit of a column the table does not list (identity).
pub fn conversion(column: &str, name: &str) -> Option<Affine> {
    if let Some(u) = find_unit(column, name) {
        return u.conversion;
    }
    let spec = crate::load::spec::table_spec(crate::load::spec::TableKind::Days);
    let canonical = spec
        .index_of(column)
        .and_then(|i| spec.columns[i].unit.as_deref())?;
    (normalise(canonical) == normalise(name)).then_some(Affine::IDENTITY)
}

/// The unit names of `column`, for messages.
pub fn unit_names(column: &str) -> Vec<&'static str> {
    column_units(column)
        .map(|c| c.units.iter().map(|u| u.name).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::spec::{table_spec, TableKind};

    #[test]
    fn canonical_units_match_the_schema() {
        let spec = table_spec(TableKind::Days);
        for c in COLUMN_UNITS {
            let s = spec.column(c.column);
            assert_eq!(s.unit.as_deref(), Some(c.canonical), "{}", c.column);
            assert_eq!(c.units[0].name, c.canonical);
            assert_eq!(c.units[0].conversion, Some(Affine::IDENTITY));
        }
    }

    #[test]
    fn spellings_and_conversions() {
        assert_eq!(find_unit("platelets", "10^4/µL").unwrap().name, "x10^4/uL");
        assert_eq!(find_unit("platelets", "x10^9/l").unwrap().name, "x10^3/uL");
        assert_eq!(find_unit("creatinine", "µmol/L").unwrap().name, "umol/L");
        assert!(
            find_unit("d_dimer", "ug/mL").is_none(),
            "the basis must be stated"
        );
        let f = find_unit("temperature", "°F").unwrap().conversion.unwrap();
        assert!((f.apply(98.6) - 37.0).abs() < 1e-12);
        assert!((f.invert(37.0) - 98.6).abs() < 1e-12);
        let r = find_unit("platelets", "x10^4/uL")
            .unwrap()
            .source_range((40.0, 700.0))
            .unwrap();
        assert_eq!(r, (4.0, 70.0));
    }
}
