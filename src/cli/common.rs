//! Helpers shared by the statistics subcommands: the data-file flags, reading a model frame
//! (the library's `stats::frame::ModelFrame` over `load::read_cells`), and plain-text tables.

use std::path::PathBuf;

use anyhow::Context;
use dicohort::load::{read_cells_with, MissingValues};
use dicohort::stats::frame::{FrameSpec, ModelFrame};

/// The data file of a statistics command and its missing-value tokens.
#[derive(clap::Args, Debug)]
pub struct DataArgs {
    /// Data file (CSV or Parquet).
    #[arg(long)]
    pub data: PathBuf,
    /// Another cell text meaning "missing" (repeatable, or comma-separated), e.g. `--na N/A`.
    /// Always missing: the empty cell, `NA`, `.`, `NaN`, `nan`, `null`, `NULL`.
    #[arg(long = "na", value_name = "TOKEN", value_delimiter = ',')]
    pub na: Vec<String>,
    /// The CSV delimiter: `,`, `;`, `tab` or `|` (default: detected from the header).
    #[arg(long, value_parser = parse_delimiter)]
    pub delimiter: Option<u8>,
}

/// `--delimiter`: `,`, `;`, `tab` (or a tab character), `|`.
pub(crate) fn parse_delimiter(s: &str) -> Result<u8, String> {
    match s {
        "," | "comma" => Ok(b','),
        ";" | "semicolon" => Ok(b';'),
        "tab" | "\\t" | "\t" => Ok(b'\t'),
        "|" | "pipe" => Ok(b'|'),
        other => Err(format!(
            "`{other}` is not a delimiter: use `,`, `;`, `tab` or `|`"
        )),
    }
}

/// Reads the columns of `spec` from the data file and keeps the complete rows; every error
/// names the file (and the row and column where one is at fault).
pub(crate) fn model_frame(data: &DataArgs, spec: &FrameSpec<'_>) -> anyhow::Result<ModelFrame> {
    let missing = MissingValues::with_extra(&data.na);
    let table = read_cells_with(&data.data, &spec.columns(), &missing, data.delimiter)?;
    ModelFrame::build(&table, spec).with_context(|| table.source.clone())
}

/// Checks a confidence level is strictly between 0 and 1.
pub(crate) fn check_conf_level(level: f64) -> anyhow::Result<()> {
    if !(level > 0.0 && level < 1.0) {
        anyhow::bail!("--conf-level must be between 0 and 1 (got {level})");
    }
    Ok(())
}

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

/// A number for tables: 6 significant digits, `NA` for NaN, `Inf` for infinity.
pub(crate) fn fmt(v: f64) -> String {
    dicohort::format::significant(v, 6)
}
