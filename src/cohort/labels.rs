//! How a variable is named in the report: the plan's `[labels]` table (column name -> label),
//! else a default for the columns the pipeline derives ("SOFA, day 1" for `sofa_day1`,
//! "Platelets, day 1 (x10^3/uL)" for `platelets_day1`), else the column name itself.
//!
//! A factor dummy `col=level` (the balance table's rows) is labelled "{label of col}: level".
//! Units are the canonical ones of `data-schema/days.schema.json` (what every loader converts
//! to), so a label never promises a unit the data is not in.

use std::collections::BTreeMap;

/// The label of `name`: the plan's (`labels`), else the default, else `name`.
pub fn label(labels: &BTreeMap<String, String>, name: &str) -> String {
    if let Some(l) = labels.get(name) {
        return l.clone();
    }
    if let Some((col, level)) = name.split_once('=') {
        return format!("{}: {level}", label(labels, col));
    }
    default_label(name).unwrap_or_else(|| name.to_string())
}

/// The default label of a patient-level or derived column, `None` when there is none.
///
/// Derived columns follow `<measure>_day<k>` and `<score>_lo_day<k>` / `<score>_hi_day<k>` (the
/// bounds of a partial score), so every day is covered by one rule.
pub fn default_label(name: &str) -> Option<String> {
    if let Some(l) = PATIENT.iter().find(|(n, _)| *n == name).map(|(_, l)| l) {
        return Some(l.to_string());
    }
    let (stem, day) = name.rsplit_once("_day")?;
    if day.is_empty() || !day.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (stem, bound) = match (stem.strip_suffix("_lo"), stem.strip_suffix("_hi")) {
        (Some(s), _) => (s, " (lower bound)"),
        (_, Some(s)) => (s, " (upper bound)"),
        _ => (stem, ""),
    };
    if stem == "dic_jaam" || stem == "dic_isth" {
        let score = if stem == "dic_jaam" { "JAAM" } else { "ISTH" };
        return Some(format!("{score} DIC on day {day}"));
    }
    let (what, unit) = MEASURES
        .iter()
        .find(|(n, _, _)| *n == stem)
        .map(|(_, w, u)| (*w, *u))?;
    let unit = if unit.is_empty() {
        String::new()
    } else {
        format!(" ({unit})")
    };
    Some(format!("{what}, day {day}{bound}{unit}"))
}

/// Patient-level columns of the canonical schema and of the derivations.
const PATIENT: &[(&str, &str)] = &[
    ("age", "Age (years)"),
    ("female", "Female"),
    ("male", "Male"),
    ("apache2", "APACHE II score"),
    ("site_id", "Site"),
    ("haematological_malignancy", "Haematological malignancy"),
    ("liver_failure", "Liver failure"),
    ("infection_source", "Source of infection"),
    ("coagulation_group", "Coagulation group, day 1"),
];

/// Scores and day-level measures: (column stem, label, canonical unit).
const MEASURES: &[(&str, &str, &str)] = &[
    ("sirs", "SIRS criteria", ""),
    ("sofa", "SOFA score", ""),
    ("jaam", "JAAM DIC score", ""),
    ("jaam2", "JAAM-2 DIC score", ""),
    ("isth", "ISTH overt DIC score", ""),
    ("sic", "SIC score", ""),
    ("jmhw", "JMHW DIC score", ""),
    ("jsth", "JSTH DIC score", ""),
    ("platelets", "Platelets", "x10^3/uL"),
    ("pt_inr", "PT-INR", ""),
    ("pt_ratio", "PT ratio", ""),
    ("pt_sec_prolongation", "PT prolongation", "s"),
    ("fibrinogen", "Fibrinogen", "mg/dL"),
    ("fdp", "FDP", "ug/mL"),
    ("d_dimer", "D-dimer", "ug/mL FEU"),
    ("antithrombin", "Antithrombin activity", "%"),
    ("tat_x_uln", "TAT (or soluble fibrin, F1+2)", "x ULN"),
    ("temperature", "Temperature", "Celsius"),
    ("heart_rate", "Heart rate", "/min"),
    ("resp_rate", "Respiratory rate", "/min"),
    ("paco2", "PaCO2", "mmHg"),
    ("wbc", "White cells", "x10^3/uL"),
    ("immature_pct", "Immature neutrophils", "%"),
    ("pao2_fio2", "PaO2/FiO2", "mmHg"),
    ("map", "Mean arterial pressure", "mmHg"),
    ("gcs", "Glasgow Coma Scale", ""),
    ("bilirubin", "Bilirubin", "mg/dL"),
    ("creatinine", "Creatinine", "mg/dL"),
    ("urine_output", "Urine output", "mL/day"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_columns_get_their_defaults_and_the_plan_wins() {
        let none = BTreeMap::new();
        assert_eq!(label(&none, "sofa_day1"), "SOFA score, day 1");
        assert_eq!(
            label(&none, "sofa_lo_day1"),
            "SOFA score, day 1 (lower bound)"
        );
        assert_eq!(
            label(&none, "platelets_day3"),
            "Platelets, day 3 (x10^3/uL)"
        );
        assert_eq!(label(&none, "dic_jaam_day1"), "JAAM DIC on day 1");
        assert_eq!(label(&none, "site_id=J04"), "Site: J04");
        assert_eq!(label(&none, "my_column"), "my_column");
        assert_eq!(label(&none, "sofa_dayx"), "sofa_dayx");
        let plan: BTreeMap<String, String> =
            [("sofa_day1".to_string(), "SOFA (day 1)".to_string())].into();
        assert_eq!(label(&plan, "sofa_day1"), "SOFA (day 1)");
    }
}
