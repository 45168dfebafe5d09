//! Typed reading: the data rows of a delimited file (already scanned by [`super::scan`]) parsed
//! by polars' multithreaded CSV reader straight into typed columns, only the columns asked for.
//! Numbers come out as `f64` (correctly rounded, as Rust's own `str::parse`), text as polars
//! string views read without a per-cell allocation; the missing-value tokens are nulls.
//!
//! Polars parses a number after skipping leading blanks and fails on anything else; a failure
//! is not an error here but `None`, and the caller reads the file with the exact text path,
//! which reports the offending cell by file, row and column. So a clean file is read at the
//! speed of the parser and a file with a problem gives the same messages as before.

use std::io::Cursor;
use std::sync::Arc;

use polars::prelude::*;

use super::scan::Shape;

/// How a column is parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Want {
    Number,
    Text,
    /// `true` / `false` (any case) as polars reads booleans; any other spelling makes the
    /// column text.
    Flag,
}

/// A typed column read from a file.
pub enum TypedColumn {
    /// Numbers; `NaN` where the cell was empty or a missing-value token. `non_finite`: some
    /// cell was written as a number that is not finite (`inf`, or a `nan` spelling that is not
    /// a missing-value token, both parsed by Rust's `str::parse` too).
    Number { values: Vec<f64>, non_finite: bool },
    /// Text cells (nulls for the missing-value tokens as written, untrimmed otherwise).
    Text(StringChunked),
    /// Flags: 1, 0, or `NaN` where the cell was empty.
    Flag(Vec<f64>),
}

/// Whether a missing-value token other than the empty cell is written as a whole field in the
/// first rows: then polars checks every field against the tokens (which costs), else it only
/// meets empty cells and a later token sends it to the next attempt.
fn tokens_in_sample(data: &[u8], delimiter: u8, tokens: &[PlSmallStr]) -> bool {
    let sample = &data[..data.len().min(1 << 16)];
    sample
        .split(|&b| b == b'\n')
        .flat_map(|line| line.split(|&b| b == delimiter))
        .any(|f| {
            let f = f.strip_suffix(b"\r").unwrap_or(f);
            tokens.iter().any(|t| t.as_bytes() == f)
        })
}

/// One attempt of polars at the columns `wants` (every header position; `None` = not read).
fn try_read(
    data: &[u8],
    delimiter: u8,
    wants: &[Option<Want>],
    nulls: Option<&[PlSmallStr]>,
) -> Option<DataFrame> {
    let schema: Schema = wants
        .iter()
        .enumerate()
        .map(|(i, w)| {
            let dt = match w {
                Some(Want::Number) => DataType::Float64,
                Some(Want::Flag) => DataType::Boolean,
                _ => DataType::String,
            };
            Field::new(name(i), dt)
        })
        .collect();
    let projection: Vec<usize> = (0..wants.len()).filter(|&i| wants[i].is_some()).collect();
    let nulls = nulls.map(|n| NullValues::AllColumns(n.to_vec()));
    CsvReadOptions::default()
        .with_has_header(false)
        .with_schema(Some(Arc::new(schema)))
        .with_projection(Some(Arc::new(projection)))
        .with_raise_if_empty(false)
        .with_ignore_errors(false)
        // the columns are copied out chunk by chunk: no need to join polars' chunks first
        .with_rechunk(false)
        .map_parse_options(|o| {
            o.with_separator(delimiter)
                .with_null_values(nulls.clone())
                .with_truncate_ragged_lines(false)
        })
        .into_reader_with_file_handle(Cursor::new(data))
        .finish()
        .ok()
}

fn name(i: usize) -> PlSmallStr {
    PlSmallStr::from(format!("c{i}"))
}

/// Reads header positions `cols` of the data rows of `bytes` (as scanned into `shape`), each
/// parsed as asked, with `null_tokens` read as missing, in the order of `cols`. `None` when
/// polars does not read the rows as the scan counted them, e.g. a number column holds a cell
/// that is not a number: the caller then reads the file with the text path, which names the
/// cell.
pub fn read_columns(
    bytes: &[u8],
    shape: &Shape,
    cols: &[(usize, Want)],
    null_tokens: &[String],
) -> Option<Vec<TypedColumn>> {
    let width = shape.header.len();
    if shape.n_rows == 0 || cols.is_empty() {
        return Some(
            cols.iter()
                .map(|(_, w)| match w {
                    Want::Number => TypedColumn::Number {
                        values: Vec::new(),
                        non_finite: false,
                    },
                    Want::Text => TypedColumn::Text(StringChunked::from_slice(
                        PlSmallStr::EMPTY,
                        &[] as &[&str],
                    )),
                    Want::Flag => TypedColumn::Flag(Vec::new()),
                })
                .collect(),
        );
    }
    let mut wants: Vec<Option<Want>> = vec![None; width];
    for &(i, w) in cols {
        wants[i] = Some(w);
    }
    let nulls: Vec<PlSmallStr> = null_tokens
        .iter()
        .filter(|t| !t.is_empty())
        .map(|t| PlSmallStr::from(t.as_str()))
        .collect();
    let data = &bytes[shape.data_start..shape.data_end];
    let d = shape.delimiter;
    // Attempts, cheapest first: without the tokens (empty cells are nulls anyway), with them,
    // and with flag columns read as text (another spelling of true/false).
    let as_text: Vec<Option<Want>> = wants
        .iter()
        .map(|w| w.map(|w| if w == Want::Flag { Want::Text } else { w }))
        .collect();
    let df = if tokens_in_sample(data, d, &nulls) {
        None
    } else {
        try_read(data, d, &wants, None)
    };
    let (df, wants) = match df {
        Some(df) => (df, wants),
        None => match try_read(data, d, &wants, Some(&nulls)) {
            Some(df) => (df, wants),
            None if as_text != wants => (try_read(data, d, &as_text, Some(&nulls))?, as_text),
            None => return None,
        },
    };
    // An error is a cell that is not a number (or input polars reads otherwise than the scan):
    // the caller reads the file as text.
    if df.height() != shape.n_rows {
        return None;
    }
    let mut out = Vec::with_capacity(cols.len());
    for &(i, _) in cols {
        let col = df.column(&name(i)).ok()?;
        out.push(match wants[i].expect("a requested column") {
            Want::Number => {
                let ca = col.f64().ok()?;
                let mut v = Vec::with_capacity(ca.len());
                let mut non_finite = false;
                for chunk in ca.downcast_iter() {
                    let values = chunk.values();
                    match chunk.validity() {
                        None => {
                            non_finite |= values.iter().any(|x| !x.is_finite());
                            v.extend_from_slice(values);
                        }
                        Some(valid) => v.extend(values.iter().zip(valid.iter()).map(|(&x, ok)| {
                            if ok {
                                non_finite |= !x.is_finite();
                                x
                            } else {
                                f64::NAN
                            }
                        })),
                    }
                }
                TypedColumn::Number {
                    values: v,
                    non_finite,
                }
            }
            Want::Text => TypedColumn::Text(col.str().ok()?.clone()),
            Want::Flag => TypedColumn::Flag(
                col.bool()
                    .ok()?
                    .iter()
                    .map(|b| b.map_or(f64::NAN, |b| if b { 1.0 } else { 0.0 }))
                    .collect(),
            ),
        });
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::super::scan::scan;
    use super::*;

    fn tokens() -> Vec<String> {
        ["", "NA", "NaN", "nan", "null", "NULL"]
            .iter()
            .map(|s| s.to_string())
            .collect()
    }

    #[test]
    fn numbers_and_text_come_out_typed() {
        let bytes = b"id;x;y\nA;1.5;NA\n\"B\"; 2;\nC;1e3;0.1\n";
        let shape = scan(bytes, None);
        let cols = read_columns(
            bytes,
            &shape,
            &[(1, Want::Number), (0, Want::Text), (2, Want::Number)],
            &tokens(),
        )
        .unwrap();
        let TypedColumn::Number { values: x, .. } = &cols[0] else {
            panic!()
        };
        assert_eq!(x, &[1.5, 2.0, 1000.0]);
        let TypedColumn::Text(id) = &cols[1] else {
            panic!()
        };
        assert_eq!(
            id.iter().collect::<Vec<_>>(),
            [Some("A"), Some("B"), Some("C")]
        );
        let TypedColumn::Number {
            values: y,
            non_finite,
        } = &cols[2]
        else {
            panic!()
        };
        assert!(y[0].is_nan() && y[1].is_nan() && !non_finite);
        assert_eq!(y[2], "0.1".parse::<f64>().unwrap());
        let bytes = b"x\nInf\nnAn\n";
        let cols = read_columns(bytes, &scan(bytes, None), &[(0, Want::Number)], &tokens());
        assert!(matches!(
            cols.as_deref(),
            Some([TypedColumn::Number {
                non_finite: true,
                ..
            }])
        ));
    }

    #[test]
    fn a_cell_that_is_not_a_number_falls_back() {
        let bytes = b"t,e\n1,0\nabc,1\n";
        let shape = scan(bytes, None);
        let r = read_columns(bytes, &shape, &[(0, Want::Number)], &tokens());
        assert!(r.is_none());
        // trailing blanks are not a number for polars: the text path decides
        let bytes = b"t,e\n1 ,0\n";
        let shape = scan(bytes, None);
        assert!(read_columns(bytes, &shape, &[(0, Want::Number)], &tokens()).is_none());
    }
}
