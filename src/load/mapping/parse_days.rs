//! The `[days]` table of a mapping: the three layouts, each measurement and its unit rule.

use super::parse::{day_ref, own_codes, Ctx};
use super::walk::{Table, Value, R};
use super::{DayRef, Days, Measure, Repeated, UnitRule};
use crate::load::spec::{table_spec, ColumnType, TableKind};
use crate::load::units::{conversion, find_unit, unit_names, Affine};
use crate::schema::names::did_you_mean;

pub(super) fn days(ctx: &Ctx, t: &Table) -> R<Days> {
    let layout = match t.str("layout")? {
        Some(l) => l,
        None if t.has("pattern") || t.has("days") => "wide".to_string(),
        None => return Err(t.err("`layout` is required: \"wide\", \"patient_day\" or \"long\"")),
    };
    let d = match layout.as_str() {
        "wide" => {
            let dv = t
                .get("days")
                .ok_or_else(|| t.err("`days` (the list of days exported) is required"))?;
            let mut days = Vec::new();
            for v in dv.array()? {
                let d = v.int()?;
                if !(1..=1000).contains(&d) {
                    return Err(v.err(format!("days start at 1 (day 1 = admission), got {d}")));
                }
                if days.contains(&(d as u32)) {
                    return Err(v.err(format!("day {d} is listed twice")));
                }
                days.push(d as u32);
            }
            if days.is_empty() {
                return Err(dv.err("list at least one day"));
            }
            let pv = t.get("pattern");
            let pattern = t.req_str("pattern")?;
            if !pattern.contains("{stem}") || !pattern.contains("{day}") {
                let pv = pv.expect("read above");
                return Err(pv.err("must contain {stem} and {day}, e.g. \"{stem}_d{day}\""));
            }
            let columns = measures(t, Layout::Wide)?;
            Days::Wide {
                days,
                pattern,
                columns,
            }
        }
        "patient_day" => {
            let file = t.req_str("file")?;
            let patient_id = t.str("patient_id")?.unwrap_or_else(|| "patient_id".into());
            let day = match t.get("day") {
                Some(v) => day_ref(ctx, &v)?,
                None => DayRef::Number("day".into()),
            };
            let columns = measures(t, Layout::PatientDay)?;
            Days::PatientDay {
                file,
                patient_id,
                day,
                columns,
            }
        }
        "long" => {
            let file = t.req_str("file")?;
            let patient_id = t.str("patient_id")?.unwrap_or_else(|| "patient_id".into());
            let day = match t.get("day") {
                Some(v) => day_ref(ctx, &v)?,
                None => DayRef::Number("day".into()),
            };
            let test = t.req_str("test")?;
            let value = t.req_str("value")?;
            let unit = t.str("unit")?;
            let tests = measures(t, Layout::Long { unit: unit.clone() })?;
            Days::Long {
                file,
                patient_id,
                day,
                test,
                value,
                unit,
                tests,
            }
        }
        other => {
            let v = t.get("layout").expect("read above");
            return Err(v.err(format!(
                "`{other}` is not a layout (\"wide\", \"patient_day\" or \"long\")"
            )));
        }
    };
    t.finish()?;
    Ok(d)
}

#[derive(Clone, PartialEq)]
enum Layout {
    Wide,
    PatientDay,
    Long { unit: Option<String> },
}

/// `[days.columns]` (wide, patient_day) or `[days.tests]` (long).
fn measures(t: &Table, layout: Layout) -> R<Vec<Measure>> {
    let key = if matches!(layout, Layout::Long { .. }) {
        "tests"
    } else {
        "columns"
    };
    let other = if key == "tests" { "columns" } else { "tests" };
    if let Some(v) = t.get(other) {
        return Err(v.err(format!(
            "this layout takes [days.{key}], not [days.{other}]"
        )));
    }
    let mt = t
        .get(key)
        .ok_or_else(|| t.err(format!("a [days.{key}] table is required")))?
        .table()?;
    let spec = table_spec(TableKind::Days);
    let names = || spec.columns.iter().skip(2).map(|c| c.name.as_str());
    let mut out = Vec::new();
    for (name, v) in mt.entries() {
        let Some(ci) = spec.index_of(&name).filter(|&i| i >= 2) else {
            return Err(v.err(format!(
                "not a canonical days measurement{}",
                did_you_mean(&name, names())
            )));
        };
        out.push(measure(
            &v,
            &name,
            spec.columns[ci].ty == ColumnType::Boolean,
            &layout,
        )?);
    }
    mt.finish()?;
    out.sort_by_key(|m| spec.index_of(&m.canonical));
    Ok(out)
}

fn measure(v: &Value, name: &str, boolean: bool, layout: &Layout) -> R<Measure> {
    let place = v.place();
    let source_key = match layout {
        Layout::Wide => "stem",
        Layout::PatientDay => "source",
        Layout::Long { .. } => "names",
    };
    let mut m = Measure {
        canonical: name.to_string(),
        source: String::new(),
        tests: Vec::new(),
        unit: UnitRule::Canonical,
        codes: None,
        repeated: Repeated::Error,
        place,
    };
    if v.is_str() {
        let s = v.str()?;
        if matches!(layout, Layout::Long { .. }) {
            m.tests = vec![s];
        } else {
            m.source = s;
        }
        return Ok(m);
    }
    if matches!(layout, Layout::Long { .. }) && !v.is_table() {
        m.tests = v.strings()?;
        return Ok(m);
    }
    let t = v.name_or_table()?;
    match layout {
        Layout::Long { .. } => {
            let n = t
                .get("names")
                .ok_or_else(|| t.err("`names` (the test names of this measurement) is required"))?;
            m.tests = if n.is_str() {
                vec![n.str()?]
            } else {
                n.strings()?
            };
            if let Some(r) = t.get("repeated") {
                m.repeated = match r.str()?.as_str() {
                    "error" => Repeated::Error,
                    "min" => Repeated::Min,
                    "max" => Repeated::Max,
                    "mean" => Repeated::Mean,
                    "first" => Repeated::First,
                    "last" => Repeated::Last,
                    o => {
                        return Err(r.err(format!(
                            "`{o}` is not one of error, min, max, mean, first, last"
                        )))
                    }
                };
            }
        }
        _ => m.source = t.req_str(source_key)?,
    }
    m.codes = own_codes(&t)?;
    if m.codes.is_some() && !boolean {
        return Err(t.err(format!(
            "`yes`/`no` codes are for yes/no columns; `{name}` is not one"
        )));
    }
    m.unit = unit_rule(&t, name, layout)?;
    t.finish()?;
    Ok(m)
}

/// `unit` [+ `factor`], or `unit_column` + `units` [+ `not_convertible`], or nothing.
fn unit_rule(t: &Table, column: &str, layout: &Layout) -> R<UnitRule> {
    let spec = table_spec(TableKind::Days);
    let canonical = spec.column(column).unit.clone().unwrap_or_default();
    let known = || {
        let v = unit_names(column);
        if v.is_empty() {
            format!("only {canonical} is known for {column}")
        } else {
            format!("known units of {column}: {}", v.join(", "))
        }
    };
    let unit = t.get("unit");
    let factor = t
        .get("factor")
        .map(|f| f.number().map(|x| (x, f)))
        .transpose()?;
    if let Some((x, f)) = &factor {
        if *x <= 0.0 {
            return Err(f.err(format!("must be > 0, got {x}")));
        }
    }
    let units = t.get("units");
    let per_row_col = match layout {
        Layout::Long { unit } => unit.clone(),
        _ => t.str("unit_column")?,
    };
    let not_convertible = t.strings("not_convertible")?.unwrap_or_default();
    match (unit, units) {
        (Some(_), Some(u)) => {
            Err(u.err("give `unit` (one unit) or `units` (per-row units), not both"))
        }
        (None, None) => {
            if let Some((_, f)) = factor {
                return Err(f.err("`factor` needs the `unit` it converts from"));
            }
            if t.has("unit_column") {
                return Err(t.err("`unit_column` needs `units`"));
            }
            Ok(UnitRule::Canonical)
        }
        (Some(u), None) => {
            let name = u.str()?;
            if factor.is_none() && conversion(column, &name) == Some(Affine::IDENTITY) {
                return Ok(UnitRule::Canonical);
            }
            let def = find_unit(column, &name);
            let conversion = match (def.and_then(|d| d.conversion), &factor) {
                (Some(a), Some((x, f))) => {
                    if ((a.factor - x) / a.factor).abs() > 1e-9 || a.offset != 0.0 {
                        return Err(f.err(format!(
                            "{name} converts to {canonical} by x {}; remove `factor` or name \
                             another unit",
                            a.factor
                        )));
                    }
                    a
                }
                (Some(a), None) => a,
                (None, Some((x, _))) => Affine::scale(*x),
                (None, None) if def.is_some() => {
                    return Err(u.err(format!(
                        "{column} in {name} cannot be converted to {canonical} without a number \
                         only the laboratory knows: give `factor` (canonical = value x factor) \
                         or map another column"
                    )))
                }
                (None, None) => {
                    return Err(u.err(format!(
                        "unknown unit `{name}` for {column}: give `factor` (canonical = value x \
                         factor); {}",
                        known()
                    )))
                }
            };
            if conversion.is_identity() {
                return Ok(UnitRule::Canonical);
            }
            Ok(UnitRule::Fixed {
                unit: def.map_or(name, |d| d.name.to_string()),
                conversion,
            })
        }
        (None, Some(u)) => {
            let Some(unit_column) = per_row_col else {
                return Err(u.err(match layout {
                    Layout::Long { .. } => "per-row units need the layout's `unit` column",
                    _ => "`units` needs the `unit_column` that holds each row's unit",
                }));
            };
            if let Some((_, f)) = factor {
                return Err(f.err("`factor` goes with `unit`; give per-row factors in `units`"));
            }
            let mut list = Vec::new();
            if u.is_table() {
                for (n, f) in u.table()?.entries() {
                    let x = f.number()?;
                    if x <= 0.0 {
                        return Err(f.err(format!("must be > 0, got {x}")));
                    }
                    list.push((n, Affine::scale(x)));
                }
            } else {
                for n in u.array()? {
                    let name = n.str()?;
                    let a = conversion(column, &name).ok_or_else(|| {
                        n.err(format!(
                            "`{name}` has no known conversion for {column}: give units as a \
                                 table {{ \"{name}\" = factor }}; {}",
                            known()
                        ))
                    })?;
                    list.push((name, a));
                }
            }
            Ok(UnitRule::PerRow {
                unit_column,
                units: list,
                not_convertible,
            })
        }
    }
}
