//! The shape of a delimited text file, found in one pass over its bytes before any cell is
//! parsed: the delimiter (`,`, `;` or tab, detected from the header unless given), the header's
//! fields, the number of data rows and the rows whose field count differs from the header's.
//!
//! This is what lets the typed reader ([`super::typed`]) hand a whole file to polars' parallel
//! parser and still number rows exactly as the streaming record reader (`load::csv`) does: rows
//! are 1-based with the header excluded, and a file the fast pass cannot number that way (a
//! blank line between records, a quoted field spanning lines, invalid UTF-8) is marked
//! `irregular`, for the callers to read with the record reader instead.
//!
//! Cost: one `memchr` pass per line plus a byte count of the delimiter; lines holding a quote
//! are split quote-aware. About 1-2 GB/s on one core.

use super::csv::CsvRecords;
use super::table::RaggedRow;

/// The delimiters detected (in order of preference on a tie).
pub const DELIMITERS: [u8; 4] = [b',', b';', b'\t', b'|'];

/// How a delimiter is named in messages.
pub fn delimiter_name(d: u8) -> String {
    match d {
        b',' => "`,`".into(),
        b';' => "`;`".into(),
        b'\t' => "tab".into(),
        b'|' => "`|`".into(),
        other => format!("`{}`", other as char),
    }
}

/// The bytes after a UTF-8 byte-order mark, if any.
pub fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes)
}

/// The first non-blank line (without its line end).
fn first_line(bytes: &[u8]) -> &[u8] {
    let mut rest = strip_bom(bytes);
    loop {
        let end = memchr::memchr(b'\n', rest).unwrap_or(rest.len());
        let line = trim_cr(&rest[..end]);
        if !line.is_empty() || end >= rest.len() {
            return line;
        }
        rest = &rest[end + 1..];
    }
}

fn trim_cr(line: &[u8]) -> &[u8] {
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// Counts `d` outside double quotes.
fn count_unquoted(line: &[u8], d: u8) -> usize {
    let mut in_quotes = false;
    let mut n = 0;
    for &b in line {
        if b == b'"' {
            in_quotes = !in_quotes;
        } else if b == d && !in_quotes {
            n += 1;
        }
    }
    n
}

/// The delimiter of a file from its header line: whichever of `,`, `;`, tab and `|` occurs most
/// often outside quotes (`,` on a tie, and for a header of one column).
pub fn detect_delimiter(bytes: &[u8]) -> u8 {
    let line = first_line(bytes);
    let mut best = (b',', 0);
    for d in DELIMITERS {
        let n = count_unquoted(line, d);
        if n > best.1 {
            best = (d, n);
        }
    }
    best.0
}

/// A hint for a file whose header reads as one column although it holds another usual
/// delimiter or spaces: `None` when the header has several columns or looks like a genuine
/// single column.
pub fn one_column_hint(header: &[String], delimiter: u8) -> Option<String> {
    let [only] = header else {
        return None;
    };
    let others: Vec<String> = DELIMITERS
        .iter()
        .filter(|&&d| d != delimiter && only.as_bytes().contains(&d))
        .map(|&d| delimiter_name(d))
        .collect();
    let what = if !others.is_empty() {
        format!("it holds {}", others.join(" and "))
    } else if only.trim().contains(' ') {
        "it holds spaces".to_string()
    } else {
        return None;
    };
    Some(format!(
        "the header reads as one column (`{only}`) with the delimiter {} but {what}: give the \
         delimiter with --delimiter (`,`, `;`, `tab` or `|`)",
        delimiter_name(delimiter)
    ))
}

/// What one pass over a file found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shape {
    pub delimiter: u8,
    /// The header's fields, as the record reader reads them (unquoted, trimmed).
    pub header: Vec<String>,
    /// Byte offset of the first data row (after the header's line end).
    pub data_start: usize,
    /// Byte offset just past the last data row (trailing blank lines excluded).
    pub data_end: usize,
    /// Data rows (records after the header).
    pub n_rows: usize,
    /// Rows (1-based, header excluded) with a field count other than the header's.
    pub ragged: Vec<RaggedRow>,
    /// Some line holds a double quote.
    pub quoted: bool,
    /// The pass cannot number rows as the record reader does (a blank line between records, a
    /// quoted field spanning lines, a header that is not UTF-8): read with `load::csv`.
    pub irregular: bool,
}

/// Scans `bytes` (a whole file, or a prefix of whole lines) with the given delimiter, or the
/// detected one.
pub fn scan(bytes: &[u8], delimiter: Option<u8>) -> Shape {
    let delimiter = delimiter.unwrap_or_else(|| detect_delimiter(bytes));
    let body = strip_bom(bytes);
    let offset = bytes.len() - body.len();
    let mut shape = Shape {
        delimiter,
        header: Vec::new(),
        data_start: bytes.len(),
        data_end: bytes.len(),
        n_rows: 0,
        ragged: Vec::new(),
        quoted: false,
        irregular: false,
    };
    // Header: skip leading blank lines as the record reader does.
    let mut pos = 0;
    let header_line = loop {
        if pos >= body.len() {
            return shape;
        }
        let end = memchr::memchr(b'\n', &body[pos..]).map_or(body.len(), |e| pos + e);
        let line = trim_cr(&body[pos..end]);
        let next = (end + 1).min(body.len());
        pos = next;
        if !line.is_empty() {
            break line;
        }
    };
    if memchr::memchr(b'"', header_line).is_some() {
        shape.quoted = true;
        if count_quotes(header_line) % 2 == 1 {
            shape.irregular = true;
            return shape;
        }
    }
    let mut rec = CsvRecords::with_delimiter(header_line, delimiter);
    let mut header = Vec::new();
    if rec.next_record(&mut header).is_err() {
        shape.irregular = true;
        return shape;
    }
    shape.header = header;
    shape.data_start = offset + pos;
    let rows = scan_rows(&body[pos..], delimiter, shape.header.len(), 0);
    shape.n_rows = rows.n_rows;
    shape.ragged = rows.ragged;
    shape.quoted |= rows.quoted;
    shape.irregular |= rows.irregular || rows.blank_inside;
    shape.data_end = shape.data_start + rows.data_end;
    shape
}

/// What a pass over data rows (no header) found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rows {
    pub n_rows: usize,
    /// Row numbers continue from the `first_row` given.
    pub ragged: Vec<RaggedRow>,
    pub quoted: bool,
    /// A quoted field spans lines (the pass stopped there).
    pub irregular: bool,
    /// A blank line followed by a row.
    pub blank_inside: bool,
    /// The input ended with blank lines.
    pub blank_at_end: bool,
    /// Offset just past the last row (trailing blank lines excluded).
    pub data_end: usize,
}

/// Scans data rows of `expected` fields; rows are numbered from `first_row + 1`.
pub fn scan_rows(body: &[u8], delimiter: u8, expected: usize, first_row: usize) -> Rows {
    let mut out = Rows::default();
    let mut pos = 0;
    let mut blank_pending = false;
    while pos < body.len() {
        let end = memchr::memchr(b'\n', &body[pos..]).map_or(body.len(), |e| pos + e);
        let line = trim_cr(&body[pos..end]);
        let next = (end + 1).min(body.len());
        if line.is_empty() {
            blank_pending = true;
            pos = next;
            continue;
        }
        if blank_pending {
            // A blank line between records: polars would read it as a row.
            out.blank_inside = true;
            blank_pending = false;
        }
        out.n_rows += 1;
        let fields = if memchr::memchr(b'"', line).is_some() {
            out.quoted = true;
            if count_quotes(line) % 2 == 1 {
                out.irregular = true;
                return out;
            }
            count_unquoted(line, delimiter) + 1
        } else {
            memchr::memchr_iter(delimiter, line).count() + 1
        };
        if fields != expected {
            out.ragged.push(RaggedRow {
                row: first_row + out.n_rows,
                fields,
                expected,
            });
        }
        out.data_end = next;
        pos = next;
    }
    out.blank_at_end = blank_pending;
    out
}

fn count_quotes(line: &[u8]) -> usize {
    memchr::memchr_iter(b'"', line).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delimiters_are_detected_from_the_header() {
        assert_eq!(detect_delimiter(b"a,b,c\n1,2,3\n"), b',');
        assert_eq!(detect_delimiter(b"a;b;c\n1,5;2;3\n"), b';');
        assert_eq!(detect_delimiter(b"\xEF\xBB\xBFa\tb\n1\t2\n"), b'\t');
        assert_eq!(detect_delimiter(b"\"x;y\",b\n"), b',');
        assert_eq!(detect_delimiter(b"only\n1\n"), b',');
    }

    #[test]
    fn shape_counts_rows_and_finds_ragged_ones() {
        let s = scan(b"a,b,c\r\n1,2,3\r\n1,2\r\n\"x,y\",2,3\n1,2,3,4\n\n", None);
        assert_eq!(s.header, ["a", "b", "c"]);
        assert_eq!(s.n_rows, 4);
        assert!(s.quoted && !s.irregular);
        assert_eq!(
            s.ragged,
            vec![
                RaggedRow {
                    row: 2,
                    fields: 2,
                    expected: 3
                },
                RaggedRow {
                    row: 4,
                    fields: 4,
                    expected: 3
                }
            ]
        );
        let s = scan(b"a;b\n1;2\n\n3;4\n", None);
        assert_eq!((s.delimiter, s.n_rows, s.irregular), (b';', 2, true));
        let s = scan(b"a,b\n1,\"multi\nline\"\n", None);
        assert!(s.irregular);
    }

    #[test]
    fn one_column_headers_get_a_hint() {
        let h = one_column_hint(&["time;status".into()], b',').unwrap();
        assert!(h.contains("`;`") && h.contains("--delimiter"), "{h}");
        assert!(one_column_hint(&["time status".into()], b',').is_some());
        assert!(one_column_hint(&["time".into()], b',').is_none());
        assert!(one_column_hint(&["a".into(), "b".into()], b',').is_none());
    }
}
