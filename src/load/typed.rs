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
}

/// A typed column read from a file.
pub enum TypedColumn {
    /// Numbers; `NaN` where the cell was empty or a missing-value token. `non_finite`: some
    /// cell was written as a number that is not finite (`inf`, or a `nan` spelling that is not
    /// a missing-value token, both parsed by Rust's `str::parse` too).
    Number { values: Vec<f64>, non_finite: bool },
    /// Text cells (nulls for the missing-value tokens as written, untrimmed otherwise).
    Text(StringChunked),
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
                })
                .collect(),
        );
    }
    let name = |i: usize| PlSmallStr::from(format!("c{i}"));
    let mut dtypes = vec![DataType::String; width];
    for &(i, w) in cols {
        if w == Want::Number {
            dtypes[i] = DataType::Float64;
        }
    }
    let schema: Schema = (0..width)
        .map(|i| Field::new(name(i), dtypes[i].clone()))
        .collect();
    let mut projection: Vec<usize> = cols.iter().map(|c| c.0).collect();
    projection.sort_unstable();
    projection.dedup();
    let nulls: Vec<PlSmallStr> = null_tokens
        .iter()
        .filter(|t| !t.is_empty())
        .map(|t| PlSmallStr::from(t.as_str()))
        .collect();
    let data = &bytes[shape.data_start..shape.data_end];
    let delimiter = shape.delimiter;
    let result = CsvReadOptions::default()
        .with_has_header(false)
        .with_schema(Some(Arc::new(schema)))
        .with_projection(Some(Arc::new(projection)))
        .with_raise_if_empty(false)
        .with_ignore_errors(false)
        .map_parse_options(|o| {
            o.with_separator(delimiter)
                .with_null_values(Some(NullValues::AllColumns(nulls.clone())))
                .with_truncate_ragged_lines(false)
        })
        .into_reader_with_file_handle(Cursor::new(data))
        .finish();
    // An error is a cell that is not a number (or input polars reads otherwise than the scan):
    // the caller reads the file as text.
    let df = result.ok().filter(|df| df.height() == shape.n_rows)?;
    let mut out = Vec::with_capacity(cols.len());
    for &(i, w) in cols {
        let col = df.column(&name(i)).ok()?;
        out.push(match w {
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
