//! Helpers shared by subcommands: reading typed columns from a data file with errors naming file,
//! row and column (R's conventions for event and group columns), and plain-text tables.

use anyhow::bail;
use dicohort::load::table::DataTable;

/// Right-aligned columns under a header.
pub(crate) fn aligned<const N: usize>(header: &[&str; N], rows: &[[String; N]]) -> String {
    let mut width = header.map(str::len);
    for r in rows {
        for (w, c) in width.iter_mut().zip(r) {
            *w = (*w).max(c.len());
        }
    }
    let mut s = String::new();
    let line = |cells: Vec<&str>, s: &mut String| {
        // first column (labels) left-aligned, numbers right-aligned
        let parts: Vec<String> = cells
            .iter()
            .zip(&width)
            .enumerate()
            .map(|(j, (c, w))| {
                if j == 0 {
                    format!("{c:<w$}")
                } else {
                    format!("{c:>w$}")
                }
            })
            .collect();
        s.push_str(parts.join("  ").trim_end());
        s.push('\n');
    };
    line(header.to_vec(), &mut s);
    for r in rows {
        line(r.iter().map(String::as_str).collect(), &mut s);
    }
    s
}

/// A number for tables: up to 6 significant digits, `NA` for NaN, `Inf` for infinity.
pub(crate) fn fmt(v: f64) -> String {
    if v.is_nan() {
        return "NA".into();
    }
    if v.is_infinite() {
        return if v > 0.0 { "Inf".into() } else { "-Inf".into() };
    }
    if v == v.trunc() && v.abs() < 1e15 {
        return format!("{v:.0}");
    }
    let digits = 6 - 1 - (v.abs().log10().floor() as i32);
    if (0..=12).contains(&digits) {
        let s = format!("{v:.*}", digits as usize);
        let s = s.trim_end_matches('0').trim_end_matches('.');
        s.to_string()
    } else {
        format!("{v:.5e}")
    }
}

/// Checks kept times are finite and >= 0, naming file, row and column.
pub(crate) fn check_times(
    file: &str,
    col: &str,
    time: &[f64],
    keep: &[usize],
) -> anyhow::Result<()> {
    if let Some(&i) = keep
        .iter()
        .find(|&&i| !(time[i].is_finite() && time[i] >= 0.0))
    {
        bail!(
            "{file}: row {}, column `{col}`: time must be finite and >= 0 (got {})",
            i + 1,
            time[i]
        );
    }
    Ok(())
}

/// An event or flag column: 0/1, true/false, yes/no, T/F, or R's 1/2 coding (2 = event) when
/// every value is 1 or 2 and some is 2. `None` for a missing cell; anything else is an error
/// naming file, row and column.
pub(crate) fn read_event(table: &DataTable, col: &str) -> anyhow::Result<Vec<Option<bool>>> {
    read_flag(table, col, true)
}

/// A 0/1 or true/false flag column (no 1/2 coding).
pub(crate) fn read_flag(
    table: &DataTable,
    col: &str,
    allow_12: bool,
) -> anyhow::Result<Vec<Option<bool>>> {
    let file = table.file_name();
    let text = table.str_column(col)?;
    let parse = |s: &str| -> Option<f64> {
        match s.to_ascii_lowercase().as_str() {
            "true" | "t" | "yes" | "y" => Some(1.0),
            "false" | "f" | "no" | "n" => Some(0.0),
            "na" | "nan" | "null" => Some(f64::NAN),
            other => other.parse::<f64>().ok(),
        }
    };
    let mut values = Vec::with_capacity(text.len());
    for (i, cell) in text.iter().enumerate() {
        let v = match cell.as_deref() {
            None => f64::NAN,
            Some(s) => match parse(s) {
                Some(v) => v,
                None => bail!(
                    "{file}: row {}, column `{col}`: expected 0/1 or true/false, got `{s}`",
                    i + 1
                ),
            },
        };
        values.push(v);
    }
    let present = values.iter().filter(|v| !v.is_nan());
    let two_coded =
        allow_12 && values.contains(&2.0) && present.clone().all(|&v| v == 1.0 || v == 2.0);
    let mut out = Vec::with_capacity(values.len());
    for (i, &v) in values.iter().enumerate() {
        out.push(if v.is_nan() {
            None
        } else if two_coded {
            Some(v == 2.0)
        } else if v == 0.0 || v == 1.0 {
            Some(v == 1.0)
        } else {
            let what = if allow_12 {
                "0/1, true/false or 1/2"
            } else {
                "0/1 or true/false"
            };
            bail!(
                "{file}: row {}, column `{col}`: expected {what}, got {v}",
                i + 1
            );
        });
    }
    Ok(out)
}

/// Drops labels that no kept row uses and renumbers the ids, keeping the order of the rest.
pub(crate) fn compact_labels(ids: &[u32], levels: &[String]) -> (Vec<u32>, Vec<String>) {
    let mut used = vec![false; levels.len()];
    for &i in ids {
        used[i as usize] = true;
    }
    let mut new_id = vec![0u32; levels.len()];
    let mut kept = Vec::new();
    for (j, l) in levels.iter().enumerate() {
        if used[j] {
            new_id[j] = kept.len() as u32;
            kept.push(l.clone());
        }
    }
    (ids.iter().map(|&i| new_id[i as usize]).collect(), kept)
}

/// Group labels as ids `0..k` with their names: numbers in numeric order when every value is a
/// number, else text in alphabetical order. `None` for a missing cell.
pub(crate) fn read_labels(
    table: &DataTable,
    col: &str,
) -> anyhow::Result<(Vec<Option<u32>>, Vec<String>)> {
    let text = table.str_column(col)?;
    let mut levels: Vec<String> = text.iter().flatten().cloned().collect();
    levels.sort();
    levels.dedup();
    let numeric: Option<Vec<f64>> = levels.iter().map(|s| s.parse::<f64>().ok()).collect();
    if let Some(nums) = numeric {
        let mut idx: Vec<usize> = (0..levels.len()).collect();
        idx.sort_by(|&a, &b| nums[a].total_cmp(&nums[b]).then(levels[a].cmp(&levels[b])));
        levels = idx.into_iter().map(|i| levels[i].clone()).collect();
    }
    let pos: std::collections::HashMap<&str, u32> = levels
        .iter()
        .enumerate()
        .map(|(i, l)| (l.as_str(), i as u32))
        .collect();
    let ids = text.iter().map(|v| v.as_deref().map(|s| pos[s])).collect();
    Ok((ids, levels))
}
