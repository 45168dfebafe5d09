//! The registry-wide format (one row per patient; labs as `plt_d1`, `plt_d3`, ...; registry
//! units), as the synthetic registry exports it: the embedded
//! `data-schema/registry-wide.mapping.toml`, written in the mapping language of
//! [`super::mapping`] and read by the one mapped reader. A folder holding `registry_wide.csv`
//! (or any file given with no mapping that is not a canonical table) is read through it.

pub use super::mapping::Mapping;

/// The embedded mapping text.
pub const EMBEDDED_MAPPING: &str = include_str!("../../data-schema/registry-wide.mapping.toml");
/// How the embedded mapping is named in messages.
pub const EMBEDDED_ORIGIN: &str = "data-schema/registry-wide.mapping.toml";

/// The embedded mapping, checked.
pub fn embedded() -> Mapping {
    Mapping::parse(EMBEDDED_ORIGIN, EMBEDDED_MAPPING).expect("the embedded mapping is valid")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::mapping::{Days, Outcome, UnitRule};

    #[test]
    fn embedded_mapping_parses() {
        let m = embedded();
        assert_eq!(m.file.as_deref(), Some("registry_wide"));
        let Days::Wide { days, columns, .. } = &m.days else {
            panic!("wide layout")
        };
        assert_eq!(days, &vec![1, 3, 7]);
        assert_eq!(columns[0].canonical, "platelets");
        match &columns[0].unit {
            UnitRule::Fixed { unit, conversion } => {
                assert_eq!(unit, "x10^4/uL");
                assert_eq!(conversion.factor, 10.0);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(m.day_source("plt", 3), "plt_d3");
        assert_eq!(m.treatments.len(), 4);
        assert!(matches!(m.outcome, Outcome::Days { .. }));
    }

    #[test]
    fn bad_mappings_are_rejected_naming_line_and_key() {
        let e = Mapping::parse("m.toml", "file = 1")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("m.toml") && e.contains("line 1") && e.contains("file"),
            "{e}"
        );
        let bad = EMBEDDED_MAPPING.replace("apache2 = \"apache_ii\"", "apache3 = \"apache_ii\"");
        let e = Mapping::parse("m.toml", &bad).unwrap_err().to_string();
        let line = bad.lines().position(|l| l.starts_with("apache3")).unwrap() + 1;
        assert!(e.contains(&format!("line {line}")), "{e}");
        assert!(
            e.contains("patients.apache3") && e.contains("did you mean `apache2`"),
            "{e}"
        );
        let bad = EMBEDDED_MAPPING.replace("last_day = \"last_day\"\n", "");
        let e = Mapping::parse("m.toml", &bad).unwrap_err().to_string();
        assert!(e.contains("last_day"), "{e}");
        let bad =
            EMBEDDED_MAPPING.replace("unit = \"x10^4/uL\", factor = 10", "unit = \"x10^5/uL\"");
        let e = Mapping::parse("m.toml", &bad).unwrap_err().to_string();
        assert!(
            e.contains("days.columns.platelets.unit") && e.contains("x10^4/uL"),
            "{e}"
        );
    }
}
