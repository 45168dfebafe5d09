//! The registry-wide format (one row per patient; labs as `plt_d1`, `plt_d3`, ...; registry
//! units), mapped to the canonical tables by the declarative
//! `data-schema/registry-wide.mapping.toml` (embedded; another file can be given in
//! [`LoadOptions::mapping`]). Every unit conversion is explicit, applied by decimal scaling for
//! powers of ten (so 12.3 x10^4/uL is exactly 123 x10^3/uL), and recorded; units marked not
//! convertible (D-dimer DDU) are set missing and counted in the flow, never converted.

use std::collections::{BTreeMap, HashMap};

use serde::Deserialize;

use crate::schema::UnitConversion;

use super::source::{open, Input};
use super::spec::{table_spec, ColumnType, TableKind};
use super::validate::{
    duplicate_columns, is_missing_token, ragged_row, stage_day, stage_patient, stage_treatment,
    stage_unreadable_patient, Conv, ProblemKind, Stage, ValueStep,
};
use super::{LoadError, LoadOptions};

/// The embedded mapping text.
pub const EMBEDDED_MAPPING: &str = include_str!("../../data-schema/registry-wide.mapping.toml");

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMapping {
    file: String,
    yes: Vec<String>,
    no: Vec<String>,
    patients: BTreeMap<String, RawPatientCol>,
    days: RawDays,
    #[serde(default)]
    treatments: Vec<RawTreatment>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum RawPatientCol {
    Name(String),
    Recode {
        source: String,
        values: BTreeMap<String, String>,
    },
    List(Vec<String>),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDays {
    days: Vec<u32>,
    pattern: String,
    columns: BTreeMap<String, RawDayCol>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDayCol {
    stem: String,
    unit: Option<String>,
    factor: Option<f64>,
    unit_column: Option<String>,
    units: Option<BTreeMap<String, f64>>,
    #[serde(default)]
    not_convertible: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTreatment {
    drug: String,
    given: String,
    start_day: String,
    end_day: Option<String>,
    dose: Option<String>,
    dose_unit: Option<String>,
}

/// How a source value's unit is known.
#[derive(Debug, Clone, PartialEq)]
pub enum UnitRule {
    /// Already canonical.
    Canonical,
    /// One unit for the whole file: canonical = source * factor.
    Fixed { unit: String, factor: f64 },
    /// The unit is read per row from `unit_column`; known units with their factors, and units
    /// that are never converted (values set missing and counted).
    PerRow {
        unit_column: String,
        units: Vec<(String, f64)>,
        not_convertible: Vec<String>,
    },
}

/// One mapped patients column.
#[derive(Debug, Clone, PartialEq)]
pub struct PatientColumnMap {
    pub canonical: String,
    pub source: String,
    pub recode: Vec<(String, String)>,
}

/// One mapped days measurement.
#[derive(Debug, Clone, PartialEq)]
pub struct DayColumnMap {
    pub canonical: String,
    pub stem: String,
    pub unit: UnitRule,
}

/// One mapped anticoagulant.
#[derive(Debug, Clone, PartialEq)]
pub struct TreatmentMap {
    pub drug: String,
    pub given: String,
    pub start_day: String,
    pub end_day: Option<String>,
    pub dose: Option<String>,
    pub dose_unit: Option<String>,
}

/// The declarative mapping of a registry-wide file, checked against the canonical schema.
#[derive(Debug, Clone, PartialEq)]
pub struct Mapping {
    /// Where the mapping came from (for messages).
    pub origin: String,
    /// File stem of the data file.
    pub file: String,
    pub yes: Vec<String>,
    pub no: Vec<String>,
    pub patients: Vec<PatientColumnMap>,
    pub extra: Vec<String>,
    pub days: Vec<u32>,
    pub pattern: String,
    pub day_columns: Vec<DayColumnMap>,
    pub treatments: Vec<TreatmentMap>,
}

impl Mapping {
    /// The embedded mapping, or the file named in `opts.mapping`.
    pub fn load(opts: &LoadOptions) -> Result<Mapping, LoadError> {
        match &opts.mapping {
            None => Mapping::parse("data-schema/registry-wide.mapping.toml", EMBEDDED_MAPPING),
            Some(p) => {
                let text = std::fs::read_to_string(p).map_err(|e| LoadError::Io {
                    file: p.display().to_string(),
                    message: e.to_string(),
                })?;
                Mapping::parse(&p.display().to_string(), &text)
            }
        }
    }

    /// Parses and checks a mapping.
    pub fn parse(origin: &str, text: &str) -> Result<Mapping, LoadError> {
        let err = |message: String| LoadError::Mapping {
            file: origin.to_string(),
            message,
        };
        let raw: RawMapping = toml::from_str(text).map_err(|e| err(e.to_string()))?;
        let pspec = table_spec(TableKind::Patients);
        let dspec = table_spec(TableKind::Days);
        let mut patients = Vec::new();
        let mut extra = Vec::new();
        for (k, v) in raw.patients {
            match (k.as_str(), v) {
                ("extra", RawPatientCol::List(l)) => extra = l,
                (_, RawPatientCol::List(_)) => {
                    return Err(err(format!(
                        "patients.{k}: a list is only allowed for `extra`"
                    )))
                }
                (name, v) => {
                    if pspec.index_of(name).is_none() {
                        return Err(err(format!(
                            "patients.{name}: not a canonical patients column"
                        )));
                    }
                    let (source, recode) = match v {
                        RawPatientCol::Name(s) => (s, Vec::new()),
                        RawPatientCol::Recode { source, values } => {
                            (source, values.into_iter().collect())
                        }
                        RawPatientCol::List(_) => unreachable!(),
                    };
                    patients.push(PatientColumnMap {
                        canonical: name.to_string(),
                        source,
                        recode,
                    });
                }
            }
        }
        for c in &pspec.columns {
            if c.required && !patients.iter().any(|p| p.canonical == c.name) {
                return Err(err(format!(
                    "patients: required column `{}` is not mapped",
                    c.name
                )));
            }
        }
        let mut day_columns = Vec::new();
        for (k, v) in raw.days.columns {
            match dspec.index_of(&k) {
                Some(i) if i >= 2 => {}
                _ => {
                    return Err(err(format!(
                        "days.columns.{k}: not a canonical days measurement"
                    )))
                }
            }
            let unit = match (v.unit, v.factor, v.unit_column, v.units) {
                (None, None, None, None) => UnitRule::Canonical,
                (Some(unit), Some(factor), None, None) if factor.is_finite() && factor > 0.0 => {
                    UnitRule::Fixed { unit, factor }
                }
                (None, None, Some(unit_column), Some(units)) => UnitRule::PerRow {
                    unit_column,
                    units: units.into_iter().collect(),
                    not_convertible: v.not_convertible,
                },
                _ => {
                    return Err(err(format!(
                        "days.columns.{k}: give either `unit` and a positive `factor`, or `unit_column` and `units`"
                    )))
                }
            };
            day_columns.push(DayColumnMap {
                canonical: k,
                stem: v.stem,
                unit,
            });
        }
        // Canonical column order, whatever the order in the file.
        day_columns.sort_by_key(|d| dspec.index_of(&d.canonical));
        if !raw.days.pattern.contains("{stem}") || !raw.days.pattern.contains("{day}") {
            return Err(err("days.pattern must contain {stem} and {day}".into()));
        }
        if raw.days.days.iter().any(|&d| d < 1) {
            return Err(err("days.days: days start at 1".into()));
        }
        let treatments = raw
            .treatments
            .into_iter()
            .map(|t| TreatmentMap {
                drug: t.drug,
                given: t.given,
                start_day: t.start_day,
                end_day: t.end_day,
                dose: t.dose,
                dose_unit: t.dose_unit,
            })
            .collect();
        Ok(Mapping {
            origin: origin.to_string(),
            file: raw.file,
            yes: raw.yes.iter().map(|s| s.to_ascii_lowercase()).collect(),
            no: raw.no.iter().map(|s| s.to_ascii_lowercase()).collect(),
            patients,
            extra,
            days: raw.days.days,
            pattern: raw.days.pattern,
            day_columns,
            treatments,
        })
    }

    /// Source column of measurement `stem` on `day`.
    pub fn day_source(&self, stem: &str, day: u32) -> String {
        self.pattern
            .replace("{stem}", stem)
            .replace("{day}", &day.to_string())
    }

    fn yes_no(&self, t: &str) -> Option<bool> {
        let l = t.to_ascii_lowercase();
        if self.yes.contains(&l) {
            Some(true)
        } else if self.no.contains(&l) {
            Some(false)
        } else {
            None
        }
    }
}

/// File stem of the registry-wide table.
pub(crate) fn file_stem(opts: &LoadOptions) -> Result<String, LoadError> {
    Ok(Mapping::load(opts)?.file)
}

/// Counts of converted / unconvertible values, for `Cohort::conversions` and the flow.
#[derive(Default)]
struct ConvCounts {
    converted: BTreeMap<(usize, String), (f64, u64)>,
    not_convertible: BTreeMap<(usize, String), u64>,
    present: HashMap<usize, u64>,
}

/// Reads a registry-wide file into the validation stage.
pub(crate) fn read_wide(stage: &mut Stage, input: &Input, m: &Mapping) -> Result<(), LoadError> {
    let file = input.name();
    stage.patient_file = file.as_str().into();
    stage.day_file = stage.patient_file.clone();
    stage.treat_file = stage.patient_file.clone();
    stage.problems.files.push(file.clone());
    let mut src = open(input)?;
    let header: Vec<String> = src.header().to_vec();
    let pos = |name: &str| header.iter().position(|h| h == name);

    // Header: required patient columns and unit columns must exist; absent measurement columns
    // read as missing.
    let pspec = table_spec(TableKind::Patients);
    let dspec = table_spec(TableKind::Days);
    let tspec = table_spec(TableKind::Treatments);
    let mut fatal = duplicate_columns(stage, &file, &header);
    let mut pcols: Vec<Option<usize>> = vec![None; pspec.columns.len()];
    let mut psources: Vec<String> = pspec.columns.iter().map(|c| c.name.clone()).collect();
    let mut recodes: Vec<Vec<(String, String)>> = vec![Vec::new(); pspec.columns.len()];
    for pm in &m.patients {
        let i = pspec.index_of(&pm.canonical).expect("checked when parsing");
        psources[i] = pm.source.clone();
        recodes[i] = pm.recode.clone();
        pcols[i] = pos(&pm.source);
        if pcols[i].is_none() {
            if pspec.columns[i].required {
                stage.problems.push(
                    &file,
                    None,
                    Some(&pm.source),
                    ProblemKind::MissingColumn,
                    format!(
                        "required column `{}` (canonical `{}`) is missing from the header",
                        pm.source, pm.canonical
                    ),
                );
                fatal = true;
            } else {
                stage.warnings.push(format!(
                    "{file}: column `{}` is absent: `{}` read as all missing",
                    pm.source, pm.canonical
                ));
            }
        }
    }
    let extra_cols: Vec<(String, Option<usize>)> =
        m.extra.iter().map(|e| (e.clone(), pos(e))).collect();
    for (e, p) in &extra_cols {
        if p.is_none() {
            stage.warnings.push(format!(
                "{file}: extra column `{e}` is absent: read as all missing"
            ));
        }
    }
    stage.extra_names = m.extra.clone();
    // Day columns: (canonical spec index, source position per listed day, unit column position).
    let mut dcols = Vec::new();
    for dm in &m.day_columns {
        let ci = dspec.index_of(&dm.canonical).expect("checked when parsing");
        let per_day: Vec<(String, Option<usize>)> = m
            .days
            .iter()
            .map(|&d| {
                let s = m.day_source(&dm.stem, d);
                let p = pos(&s);
                (s, p)
            })
            .collect();
        let absent: Vec<&str> = per_day
            .iter()
            .filter(|(_, p)| p.is_none())
            .map(|(s, _)| s.as_str())
            .collect();
        if !absent.is_empty() {
            stage.warnings.push(format!(
                "{file}: {} absent: read as missing",
                absent.join(", ")
            ));
        }
        let unit_pos = match &dm.unit {
            UnitRule::PerRow { unit_column, .. } => {
                let p = pos(unit_column);
                if p.is_none() && per_day.iter().any(|(_, p)| p.is_some()) {
                    stage.problems.push(
                        &file,
                        None,
                        Some(unit_column),
                        ProblemKind::MissingColumn,
                        format!(
                            "unit column `{unit_column}` of `{}` is missing from the header",
                            dm.canonical
                        ),
                    );
                    fatal = true;
                }
                p
            }
            _ => None,
        };
        dcols.push((ci, dm, per_day, unit_pos));
    }
    let mut tcols = Vec::new();
    for tm in &m.treatments {
        let given = pos(&tm.given);
        let start = pos(&tm.start_day);
        if given.is_none() {
            stage.warnings.push(format!(
                "{file}: column `{}` is absent: no {} courses read",
                tm.given, tm.drug
            ));
            continue;
        }
        if start.is_none() {
            stage.problems.push(
                &file,
                None,
                Some(&tm.start_day),
                ProblemKind::MissingColumn,
                format!(
                    "start-day column `{}` of {} is missing from the header",
                    tm.start_day, tm.drug
                ),
            );
            fatal = true;
        }
        let end = tm.end_day.as_deref().and_then(pos);
        let dose = tm.dose.as_deref().and_then(pos);
        tcols.push((tm, given.unwrap_or(0), start, end, dose));
    }
    if fatal {
        return Ok(());
    }

    let mut counts = ConvCounts::default();
    let mut fields = Vec::new();
    let mut values = Vec::new();
    let mut row = 0u64;
    let pnone: Vec<Option<Conv>> = vec![None; pspec.columns.len()];
    let tnone: Vec<Option<Conv>> = vec![None; tspec.columns.len()];
    while src.next(&mut fields)? {
        row += 1;
        stage.patient_rows_read += 1;
        let pidx = stage.patients.len() as u32;
        if fields.len() != header.len() {
            let k = ragged_row(stage, &file, row, &header, fields.len());
            let id = pcols[0].and_then(|p| fields.get(p)).map(String::as_str);
            stage_unreadable_patient(stage, row, id, k);
            continue;
        }

        // Patient.
        let mut ptext: Vec<Option<String>> = Vec::with_capacity(pspec.columns.len());
        for (i, c) in pspec.columns.iter().enumerate() {
            let t = pcols[i].map(|p| fields[p].as_str());
            let t = t.map(|t| {
                if let Some((_, to)) = recodes[i].iter().find(|(from, _)| from == t) {
                    return to.clone();
                }
                if c.ty == ColumnType::Boolean {
                    if let Some(b) = m.yes_no(t) {
                        return b.to_string();
                    }
                }
                t.to_string()
            });
            ptext.push(t);
        }
        let cells: Vec<Option<&str>> = ptext.iter().map(|t| t.as_deref()).collect();
        let sources: Vec<&str> = psources.iter().map(String::as_str).collect();
        let extra: Vec<Option<String>> = extra_cols
            .iter()
            .map(|(_, p)| p.map(|p| fields[p].clone()).filter(|t| !t.is_empty()))
            .collect();
        stage_patient(stage, row, &cells, &sources, &pnone, extra);

        // Days.
        for (di, &day) in m.days.iter().enumerate() {
            let present = dcols
                .iter()
                .find(|(_, _, per_day, _)| {
                    per_day[di]
                        .1
                        .is_some_and(|p| !is_missing_token(fields[p].trim()))
                })
                .map(|(_, _, per_day, _)| per_day[di].0.clone());
            let Some(day_source) = present else { continue };
            stage.day_rows_read += 1;
            let n = dspec.columns.len();
            let day_text = day.to_string();
            let mut cells: Vec<Option<&str>> = vec![None; n];
            let mut sources: Vec<&str> = dspec.columns.iter().map(|c| c.name.as_str()).collect();
            let mut convs: Vec<Option<Conv>> = vec![None; n];
            cells[1] = Some(&day_text);
            sources[1] = &day_source;
            let mut unit_problem: Option<ProblemKind> = None;
            let mut bool_text: Vec<(usize, String)> = Vec::new();
            for (ci, dm, per_day, unit_pos) in &dcols {
                let (src_name, p) = &per_day[di];
                sources[*ci] = src_name;
                let Some(p) = *p else { continue };
                let t = fields[p].trim();
                if is_missing_token(t) {
                    continue;
                }
                *counts.present.entry(*ci).or_insert(0) += 1;
                if dspec.columns[*ci].ty == ColumnType::Boolean {
                    if let Some(b) = m.yes_no(t) {
                        bool_text.push((*ci, b.to_string()));
                        continue;
                    }
                }
                match &dm.unit {
                    UnitRule::Canonical => {}
                    UnitRule::Fixed { unit, factor } => {
                        convs[*ci] = Some(Conv {
                            factor: *factor,
                            from_unit: unit.clone(),
                        });
                        let e = counts
                            .converted
                            .entry((*ci, unit.clone()))
                            .or_insert((*factor, 0));
                        e.1 += 1;
                    }
                    UnitRule::PerRow {
                        unit_column,
                        units,
                        not_convertible,
                    } => {
                        let u = unit_pos.map(|p| fields[p].trim()).unwrap_or("");
                        if let Some((unit, factor)) = units.iter().find(|(n, _)| n == u) {
                            convs[*ci] = Some(Conv {
                                factor: *factor,
                                from_unit: unit.clone(),
                            });
                            if *factor != 1.0 {
                                let e = counts
                                    .converted
                                    .entry((*ci, unit.clone()))
                                    .or_insert((*factor, 0));
                                e.1 += 1;
                            }
                        } else if not_convertible.iter().any(|n| n == u) {
                            *counts
                                .not_convertible
                                .entry((*ci, u.to_string()))
                                .or_insert(0) += 1;
                            // Never converted: the cell is read as missing and counted.
                            cells[*ci] = None;
                            continue;
                        } else {
                            let kind = if u.is_empty() {
                                ProblemKind::MissingValue
                            } else {
                                ProblemKind::NotAllowed
                            };
                            let known: Vec<&str> = units
                                .iter()
                                .map(|(n, _)| n.as_str())
                                .chain(not_convertible.iter().map(String::as_str))
                                .collect();
                            stage.problems.push(
                                &file,
                                Some(row),
                                Some(unit_column),
                                kind,
                                format!(
                                    "{} has a value on day {day} but its unit `{u}` is not one of {}",
                                    src_name,
                                    known.join(", ")
                                ),
                            );
                            unit_problem.get_or_insert(kind);
                        }
                    }
                }
                cells[*ci] = Some(t);
            }
            for (ci, t) in &bool_text {
                cells[*ci] = Some(t.as_str());
            }
            let patient = match unit_problem {
                Some(k) => Err(k),
                None => Ok(pidx),
            };
            stage_day(
                stage,
                row,
                patient,
                &cells,
                &sources,
                &convs,
                &day_source,
                &mut values,
            );
        }

        // Treatments.
        for (tm, given, start, end, dose) in &tcols {
            let g = fields[*given].trim();
            if is_missing_token(g) {
                continue;
            }
            match m.yes_no(g) {
                Some(false) => continue,
                Some(true) => {}
                None => {
                    stage.treat_rows_read += 1;
                    stage.problems.push(
                        &file,
                        Some(row),
                        Some(&tm.given),
                        ProblemKind::WrongType,
                        format!("`{g}` is not yes or no"),
                    );
                    stage.treat_excl.add(ProblemKind::WrongType);
                    continue;
                }
            }
            stage.treat_rows_read += 1;
            let cells: Vec<Option<&str>> = vec![
                None,
                Some(tm.drug.as_str()),
                start.map(|p| fields[p].as_str()),
                end.map(|p| fields[p].as_str()),
                dose.map(|p| fields[p].as_str()),
                tm.dose_unit.as_deref(),
            ];
            let sources: Vec<&str> = vec![
                psources[0].as_str(),
                tm.given.as_str(),
                tm.start_day.as_str(),
                tm.end_day.as_deref().unwrap_or("end_day"),
                tm.dose.as_deref().unwrap_or("dose"),
                tm.given.as_str(),
            ];
            stage_treatment(stage, row, Ok(pidx), &cells, &sources, &tnone);
        }
    }

    // Conversions and unconvertible values.
    for ((ci, unit), (factor, n)) in counts.converted {
        let c = &dspec.columns[ci];
        stage.conversions.push(UnitConversion {
            column: c.name.clone(),
            from_unit: unit,
            to_unit: c.unit.clone().unwrap_or_default(),
            factor,
            n_values: n,
        });
    }
    for ((ci, unit), n) in counts.not_convertible {
        let c = &dspec.columns[ci];
        let to = c.unit.clone().unwrap_or_default();
        stage.warnings.push(format!(
            "{file}: {n} {} values on the {unit} basis were not converted to {to} and are read as missing",
            c.name
        ));
        stage.value_steps.push(ValueStep {
            label: format!("{} values in {to}", c.name),
            unit: "values".into(),
            n_in: counts.present.get(&ci).copied().unwrap_or(0),
            excluded: vec![(
                format!("{unit} basis: not convertible to {to}, set missing"),
                n,
            )],
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_mapping_parses() {
        let m = Mapping::load(&LoadOptions::default()).unwrap();
        assert_eq!(m.file, "registry_wide");
        assert_eq!(m.days, vec![1, 3, 7]);
        let plt = m
            .day_columns
            .iter()
            .find(|d| d.canonical == "platelets")
            .unwrap();
        assert_eq!(
            plt.unit,
            UnitRule::Fixed {
                unit: "x10^4/uL".into(),
                factor: 10.0
            }
        );
        assert_eq!(m.day_source("plt", 3), "plt_d3");
        assert_eq!(m.treatments.len(), 4);
        assert_eq!(m.day_columns[0].canonical, "platelets");
    }

    #[test]
    fn bad_mappings_are_rejected() {
        let e = Mapping::parse("m.toml", "file = 1")
            .unwrap_err()
            .to_string();
        assert!(e.contains("m.toml"), "{e}");
        let bad = EMBEDDED_MAPPING.replace("apache2 = \"apache_ii\"", "apache3 = \"apache_ii\"");
        let e = Mapping::parse("m.toml", &bad).unwrap_err().to_string();
        assert!(e.contains("apache3"), "{e}");
        let bad = EMBEDDED_MAPPING.replace("last_day = \"last_day\"\n", "");
        let e = Mapping::parse("m.toml", &bad).unwrap_err().to_string();
        assert!(e.contains("last_day"), "{e}");
    }
}
