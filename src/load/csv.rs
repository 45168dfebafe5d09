//! A streaming RFC 4180 CSV record reader used by validation, so that a file of any size is
//! checked row by row in flat memory and a ragged (truncated or over-long) row is reported with
//! its number instead of failing the whole file. Row numbering matches `table::read_table`:
//! 1-based, header excluded, blank lines skipped.

use std::io::{BufRead, ErrorKind};

/// Reads CSV records one at a time into a reusable field buffer.
pub struct CsvRecords<R: BufRead> {
    reader: R,
    line: Vec<u8>,
    field: Vec<u8>,
    delimiter: u8,
    /// Records returned so far (the header is record 0).
    pub records: u64,
}

impl<R: BufRead> CsvRecords<R> {
    pub fn new(reader: R) -> Self {
        Self::with_delimiter(reader, b',')
    }

    /// A reader of fields separated by `delimiter` (`;`, tab, ...) instead of `,`.
    pub fn with_delimiter(reader: R, delimiter: u8) -> Self {
        CsvRecords {
            reader,
            line: Vec::new(),
            field: Vec::new(),
            delimiter,
            records: 0,
        }
    }

    /// Reads the next non-blank record into `fields` (resized to the record; the strings'
    /// buffers are reused from record to record). Returns `Ok(false)` at
    /// the end of the input. Quoted fields may hold commas, doubled quotes and newlines;
    /// surrounding spaces of unquoted fields are trimmed. A UTF-8 byte-order mark is skipped.
    pub fn next_record(&mut self, fields: &mut Vec<String>) -> std::io::Result<bool> {
        loop {
            self.line.clear();
            let n = self.reader.read_until(b'\n', &mut self.line)?;
            if n == 0 {
                fields.clear();
                return Ok(false);
            }
            if self.records == 0 && self.line.starts_with(&[0xEF, 0xBB, 0xBF]) {
                self.line.drain(..3);
            }
            if is_blank(&self.line) {
                continue;
            }
            // Parse, reading continuation lines while inside quotes.
            let mut n = 0;
            let mut field = std::mem::take(&mut self.field);
            field.clear();
            let mut in_quotes = false;
            let mut quoted = false;
            let mut i = 0;
            loop {
                if i >= self.line.len() {
                    if in_quotes {
                        let before = self.line.len();
                        let m = self.reader.read_until(b'\n', &mut self.line)?;
                        if m == 0 {
                            // A quote opened in field `n` is never closed: the rest of the
                            // file would be read into that one field.
                            return Err(std::io::Error::new(
                                ErrorKind::InvalidData,
                                BadField {
                                    field: n,
                                    problem: "a quoted field opened here is never closed \
                                              (a missing `\"`): the rest of the file would be \
                                              read as this one cell"
                                        .into(),
                                },
                            ));
                        }
                        i = before;
                        continue;
                    }
                    break;
                }
                let b = self.line[i];
                if in_quotes {
                    if b == b'"' {
                        if self.line.get(i + 1) == Some(&b'"') {
                            field.push(b'"');
                            i += 1;
                        } else {
                            in_quotes = false;
                        }
                    } else {
                        field.push(b);
                    }
                } else {
                    match b {
                        b'"' => {
                            in_quotes = true;
                            quoted = true;
                        }
                        d if d == self.delimiter => {
                            put(fields, n, &field, quoted)?;
                            n += 1;
                            field.clear();
                            quoted = false;
                        }
                        b'\n' | b'\r' => {}
                        _ => field.push(b),
                    }
                }
                i += 1;
            }
            put(fields, n, &field, quoted)?;
            fields.truncate(n + 1);
            self.field = field;
            self.records += 1;
            return Ok(true);
        }
    }
}

fn is_blank(line: &[u8]) -> bool {
    line.iter().all(|b| matches!(b, b'\n' | b'\r'))
}

/// A field that cannot be read (not valid UTF-8, an unclosed quote): which field (0-based) of
/// the record, and what is wrong, so the reader can name the row and the column.
#[derive(Debug)]
pub struct BadField {
    pub field: usize,
    pub problem: String,
}

impl std::fmt::Display for BadField {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.problem)
    }
}

impl std::error::Error for BadField {}

impl BadField {
    /// The field of an I/O error from [`CsvRecords::next_record`], if it is about one field.
    pub fn of(e: &std::io::Error) -> Option<&BadField> {
        e.get_ref().and_then(|x| x.downcast_ref::<BadField>())
    }

    fn not_utf8(field: usize, bytes: &[u8], e: std::str::Utf8Error) -> BadField {
        let ok = e.valid_up_to();
        let before = String::from_utf8_lossy(&bytes[..ok]);
        let tail: Vec<char> = before.chars().rev().take(20).collect();
        let before: String = tail.into_iter().rev().collect();
        let byte = bytes[ok];
        let hint = if field == 0 && ok == 0 && matches!(byte, 0xFE | 0xFF) {
            " (the file looks UTF-16)"
        } else {
            ""
        };
        BadField {
            field,
            problem: format!(
                "not valid UTF-8 (byte 0x{byte:02X} after `{before}`){hint}; save the file as UTF-8"
            ),
        }
    }
}

/// Stores field `n` (trimmed unless quoted) into `fields`, reusing an existing string.
fn put(fields: &mut Vec<String>, n: usize, field: &[u8], quoted: bool) -> std::io::Result<()> {
    let s = std::str::from_utf8(field).map_err(|e| {
        std::io::Error::new(ErrorKind::InvalidData, BadField::not_utf8(n, field, e))
    })?;
    let s = if quoted { s } else { s.trim() };
    if n < fields.len() {
        fields[n].clear();
        fields[n].push_str(s);
    } else {
        fields.push(s.to_string());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(text: &str) -> Vec<Vec<String>> {
        let mut r = CsvRecords::new(text.as_bytes());
        let mut out = Vec::new();
        let mut f = Vec::new();
        while r.next_record(&mut f).unwrap() {
            out.push(f.clone());
        }
        out
    }

    #[test]
    fn quotes_crlf_blank_lines_and_ragged_rows() {
        let rows = all(
            "a,b,c\r\n1,2,3\r\n1,2\r\n\"x,y\",2,3\n1,2,3,4\n\n1,\"multi\nline\",\"q\"\"\"\n,,\n",
        );
        assert_eq!(rows.len(), 7);
        assert_eq!(rows[0], ["a", "b", "c"]);
        assert_eq!(rows[2], ["1", "2"]);
        assert_eq!(rows[3], ["x,y", "2", "3"]);
        assert_eq!(rows[4].len(), 4);
        assert_eq!(rows[5], ["1", "multi\nline", "q\""]);
        assert_eq!(rows[6], ["", "", ""]);
    }

    #[test]
    fn last_line_without_newline_and_bom() {
        let rows = all("\u{feff}id,x\n1, 2 ");
        assert_eq!(rows, vec![vec!["id", "x"], vec!["1", "2"]]);
    }
}
