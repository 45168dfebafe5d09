//! The canonical column specifications, read from the JSON Schema files in `data-schema/`
//! (embedded at compile time), so that the schema is written once: the loader's types, units,
//! ranges and required flags all come from those files.

use std::sync::OnceLock;

use serde_json::Value;

/// The three canonical tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TableKind {
    Patients,
    Days,
    Treatments,
}

impl TableKind {
    /// File stem of the table in a canonical folder (`patients`, `days`, `treatments`).
    pub fn stem(self) -> &'static str {
        match self {
            TableKind::Patients => "patients",
            TableKind::Days => "days",
            TableKind::Treatments => "treatments",
        }
    }

    pub const ALL: [TableKind; 3] = [TableKind::Patients, TableKind::Days, TableKind::Treatments];

    /// The embedded JSON Schema text of this table.
    pub fn schema_json(self) -> &'static str {
        match self {
            TableKind::Patients => PATIENTS_SCHEMA,
            TableKind::Days => DAYS_SCHEMA,
            TableKind::Treatments => TREATMENTS_SCHEMA,
        }
    }
}

/// `data-schema/patients.schema.json`.
pub const PATIENTS_SCHEMA: &str = include_str!("../../data-schema/patients.schema.json");
/// `data-schema/days.schema.json`.
pub const DAYS_SCHEMA: &str = include_str!("../../data-schema/days.schema.json");
/// `data-schema/treatments.schema.json`.
pub const TREATMENTS_SCHEMA: &str = include_str!("../../data-schema/treatments.schema.json");

/// The value type of a column (JSON Schema `type` without `null`).
#[derive(Debug, Clone, PartialEq)]
pub enum ColumnType {
    /// Any finite number.
    Number,
    /// A whole number (written `3` or `3.0`).
    Integer,
    /// true/false, 1/0, yes/no, t/f, y/n (case-insensitive).
    Boolean,
    /// Free text, or one of `allowed` when the schema has an `enum`.
    String { allowed: Option<Vec<String>> },
}

/// One column of a canonical table.
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnSpec {
    pub name: String,
    pub ty: ColumnType,
    /// `x-unit`, e.g. `x10^3/uL`.
    pub unit: Option<String>,
    pub minimum: Option<f64>,
    pub maximum: Option<f64>,
    /// The column must be present in the file (JSON Schema `required`).
    pub required: bool,
    /// An empty cell is allowed (`null` in the JSON Schema `type`).
    pub nullable: bool,
    /// `x-below-minimum`: the problem reason when a value is below `minimum` (default "out of
    /// range"), e.g. "death before admission".
    pub below_minimum_reason: Option<String>,
    pub description: String,
}

/// A canonical table's specification.
#[derive(Debug, Clone, PartialEq)]
pub struct TableSpec {
    pub kind: TableKind,
    /// Columns in canonical order (`x-column-order`).
    pub columns: Vec<ColumnSpec>,
    /// Columns not in the schema are kept (patients) or ignored with a warning.
    pub additional_columns: bool,
}

impl TableSpec {
    pub fn index_of(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.name == name)
    }
    /// The column named `name`; panics if the schema has no such column (a programming error).
    pub fn column(&self, name: &str) -> &ColumnSpec {
        &self.columns[self
            .index_of(name)
            .unwrap_or_else(|| panic!("schema {:?} has no column {name}", self.kind))]
    }
}

/// The specification of a canonical table, parsed once from the embedded JSON Schema.
pub fn table_spec(kind: TableKind) -> &'static TableSpec {
    static SPECS: OnceLock<[TableSpec; 3]> = OnceLock::new();
    let specs = SPECS.get_or_init(|| {
        TableKind::ALL.map(|k| {
            parse_table_spec(k, k.schema_json())
                .unwrap_or_else(|e| panic!("embedded data-schema/{}.schema.json: {e}", k.stem()))
        })
    });
    &specs[kind as usize]
}

/// Parses one table's JSON Schema into a [`TableSpec`].
pub fn parse_table_spec(kind: TableKind, json: &str) -> Result<TableSpec, String> {
    let v: Value = serde_json::from_str(json).map_err(|e| e.to_string())?;
    let order = v["x-column-order"]
        .as_array()
        .ok_or("missing x-column-order")?;
    let props = v["properties"].as_object().ok_or("missing properties")?;
    let required: Vec<&str> = v["required"]
        .as_array()
        .ok_or("missing required")?
        .iter()
        .filter_map(Value::as_str)
        .collect();
    if order.len() != props.len() {
        return Err("x-column-order and properties differ".into());
    }
    let mut columns = Vec::new();
    for name in order {
        let name = name.as_str().ok_or("x-column-order holds a non-string")?;
        let p = props
            .get(name)
            .ok_or_else(|| format!("column {name} in x-column-order but not in properties"))?;
        let (base, nullable) = match &p["type"] {
            Value::String(s) => (s.as_str(), false),
            Value::Array(a) => {
                let names: Vec<&str> = a.iter().filter_map(Value::as_str).collect();
                let base = names
                    .iter()
                    .find(|t| **t != "null")
                    .ok_or_else(|| format!("{name}: no non-null type"))?;
                (*base, names.contains(&"null"))
            }
            _ => return Err(format!("{name}: missing type")),
        };
        let ty = match base {
            "number" => ColumnType::Number,
            "integer" => ColumnType::Integer,
            "boolean" => ColumnType::Boolean,
            "string" => ColumnType::String {
                allowed: p["enum"].as_array().map(|a| {
                    a.iter()
                        .filter_map(Value::as_str)
                        .map(String::from)
                        .collect()
                }),
            },
            other => return Err(format!("{name}: unsupported type {other}")),
        };
        columns.push(ColumnSpec {
            name: name.to_string(),
            ty,
            unit: p["x-unit"].as_str().map(String::from),
            minimum: p["minimum"].as_f64(),
            maximum: p["maximum"].as_f64(),
            required: required.contains(&name),
            nullable,
            below_minimum_reason: p["x-below-minimum"].as_str().map(String::from),
            description: p["description"].as_str().unwrap_or_default().to_string(),
        });
    }
    Ok(TableSpec {
        kind,
        columns,
        additional_columns: v["additionalProperties"].as_bool().unwrap_or(false),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemas_parse_with_contract_columns() {
        let p = table_spec(TableKind::Patients);
        let names: Vec<&str> = p.columns.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "patient_id",
                "site_id",
                "age",
                "sex",
                "apache2",
                "haematological_malignancy",
                "liver_failure",
                "death_day",
                "last_day",
                "discharge_day"
            ]
        );
        assert!(p.additional_columns);
        let age = p.column("age");
        assert_eq!((age.minimum, age.maximum), (Some(0.0), Some(120.0)));
        let d = table_spec(TableKind::Days);
        assert_eq!(d.columns.len(), 30);
        let plt = d.column("platelets");
        assert_eq!(plt.unit.as_deref(), Some("x10^3/uL"));
        assert_eq!((plt.minimum, plt.maximum), (Some(0.0), Some(2000.0)));
        let inr = d.column("pt_inr");
        assert_eq!((inr.minimum, inr.maximum), (Some(0.5), Some(20.0)));
        assert!(d.column("day").required && !d.column("day").nullable);
        assert_eq!(d.column("ventilated").ty, ColumnType::Boolean);
        let t = table_spec(TableKind::Treatments);
        assert_eq!(t.columns.len(), 6);
        assert!(!t.column("start_day").nullable);
    }
}
