//! Reading the two big tables (`hosp/labevents`, `icu/chartevents`) in flat memory.
//!
//! The file is decompressed here and cut into batches of whole CSV records (`batch` bytes of
//! text, 32 MiB by default, see [`super::MimicOptions::batch_bytes`]); each batch is parsed by
//! polars with the columns' types, run through a shared prefix (itemid and stay joins, the time
//! window) and then through each query (grouping to patient-days or specimens), and the partial
//! results are merged: minimum of minima, maximum of maxima, sum of integer sums, rows
//! concatenated. Each merge is exact whatever the cut, so the output does not depend on the
//! batch size (`tests/it/mimic_roundtrip.rs` imports with 256 KiB batches and compares the
//! bytes; a unit test below cuts a table into batches of 1 to 333 bytes).
//!
//! Why not polars' own streaming scan: in polars 0.55 `LazyCsvReader` on a `.csv.gz` reads the
//! whole compressed file into memory before decompressing (1.9 GB for a 100-million-row
//! `labevents`), and on a plain `.csv` it memory-maps the file, which counts in the resident
//! set as it is read. At 100 million lab rows the import's peak resident set was 4.3 GB with the
//! streaming scan, 2.7 GB with this reader in 128 MiB batches and the figure in
//! `data-schema/README.md` in the default 32 MiB batches.
//!
//! Cost: one pass over the file; memory is one batch of text, its parsed columns and the
//! merged aggregates (one row per patient-day or specimen), independent of the table's length.
//! A record is cut only at a newline outside double quotes (quoted fields may hold newlines).

use std::io::{BufRead, BufReader};

use polars::prelude::*;

use super::frames::{self, Kind, Table};
use super::MimicError;

/// How an aggregated column of a grouped query merges across batches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Agg {
    Min,
    Max,
    /// Of integers (exact in any order).
    Sum,
}

/// How a query's outputs of successive batches combine.
pub(crate) enum Merge {
    /// Rows kept as they are (concatenated).
    Rows,
    /// Group keys, and each aggregated column with its merge.
    Groups(Vec<&'static str>, Vec<(String, Agg)>),
}

/// A query over the prefix's result, and how its batches merge.
pub(crate) type Query<'a> = (Box<dyn Fn(LazyFrame) -> LazyFrame + 'a>, Merge);

/// Default bytes of CSV text per batch.
pub const DEFAULT_BATCH_BYTES: usize = 32 << 20;

/// The reader of a table's bytes (decompressing `.gz`).
fn open_text(t: &Table) -> Result<Box<dyn BufRead>, MimicError> {
    let f = std::fs::File::open(&t.path).map_err(|e| frames::polars_io(t, e))?;
    Ok(if t.path.extension().is_some_and(|e| e == "gz") {
        Box::new(BufReader::with_capacity(
            1 << 20,
            flate2::read::MultiGzDecoder::new(f),
        ))
    } else {
        Box::new(BufReader::with_capacity(1 << 20, f))
    })
}

/// The end of the last whole record in `buf` (just after a newline outside double quotes;
/// `buf` starts at a record boundary, so outside quotes), 0 if there is none.
fn record_end(buf: &[u8]) -> usize {
    let mut quoted = false;
    let mut end = 0;
    for (i, &b) in buf.iter().enumerate() {
        if b == b'"' {
            quoted = !quoted;
        } else if b == b'\n' && !quoted {
            end = i + 1;
        }
    }
    end
}

/// Fills `buf` from `reader` up to its length; returns the bytes read and whether the reader
/// is exhausted.
fn fill(reader: &mut dyn BufRead, buf: &mut [u8]) -> std::io::Result<(usize, bool)> {
    let mut filled = 0;
    while filled < buf.len() {
        let n = reader.read(&mut buf[filled..])?;
        if n == 0 {
            return Ok((filled, true));
        }
        filled += n;
    }
    Ok((filled, false))
}

/// Streams table `t` (see the module docs): `cols` are read with their types, `prefix` is
/// applied to each batch, then every query of `queries` to the prefix's result; returns one
/// merged output per query.
///
/// # Errors
/// A missing column, an unreadable or malformed file.
pub(crate) fn stream(
    t: &Table,
    cols: &[(&str, Kind)],
    batch: usize,
    prefix: &dyn Fn(LazyFrame) -> LazyFrame,
    queries: &[Query],
) -> Result<Vec<DataFrame>, MimicError> {
    let schema = Arc::new(frames::typed_schema(t, cols)?);
    let names: Arc<[PlSmallStr]> = cols.iter().map(|(c, _)| (*c).into()).collect();
    let select = frames::typed_columns(cols);
    let mut reader = open_text(t)?;
    let mut header = Vec::new();
    reader
        .read_until(b'\n', &mut header)
        .map_err(|e| frames::polars_io(t, e))?;
    let mut acc: Vec<Option<DataFrame>> = (0..queries.len()).map(|_| None).collect();
    // Each batch's text is the header, the incomplete record carried from the last batch, then
    // fresh bytes.
    let mut carry: Vec<u8> = Vec::new();
    let mut done = false;
    while !done {
        let mut text = Vec::with_capacity(header.len() + carry.len() + batch);
        text.extend_from_slice(&header);
        text.append(&mut carry);
        let start = text.len();
        text.resize(start + batch, 0);
        let (n, eof) =
            fill(&mut *reader, &mut text[start..]).map_err(|e| frames::polars_io(t, e))?;
        text.truncate(start + n);
        done = eof;
        let end = if done {
            text.len()
        } else {
            header.len() + record_end(&text[header.len()..])
        };
        if end == header.len() && !done {
            // No whole record yet (one longer than a batch): read on.
            carry = text.split_off(header.len());
            continue;
        }
        carry = text.split_off(end);
        let outs = run_batch(t, text, &schema, &names, &select, prefix, queries)?;
        for ((a, out), (_, merge)) in acc.iter_mut().zip(outs).zip(queries) {
            *a = Some(match a.take() {
                None => out,
                Some(prev) => {
                    merge_batches(prev, out, merge).map_err(|e| frames::polars_error(t, e))?
                }
            });
        }
    }
    Ok(acc
        .into_iter()
        .map(|a| a.expect("the last batch always runs"))
        .collect())
}

/// Parses one batch of text (header included) and runs the queries on it.
fn run_batch(
    t: &Table,
    text: Vec<u8>,
    schema: &SchemaRef,
    names: &Arc<[PlSmallStr]>,
    select: &[Expr],
    prefix: &dyn Fn(LazyFrame) -> LazyFrame,
    queries: &[Query],
) -> Result<Vec<DataFrame>, MimicError> {
    let df = CsvReadOptions::default()
        .with_has_header(true)
        .with_infer_schema_length(Some(0))
        .with_schema_overwrite(Some(schema.clone()))
        .with_columns(Some(names.clone()))
        .with_raise_if_empty(false)
        .into_reader_with_file_handle(std::io::Cursor::new(text))
        .finish()
        .map_err(|e| frames::polars_error(t, e))?;
    let base = prefix(df.lazy().select(select)).cache();
    let plans: Vec<DslPlan> = queries
        .iter()
        .map(|(q, _)| q(base.clone()).logical_plan)
        .collect();
    LazyFrame::collect_all_with_engine(plans, Engine::InMemory, OptFlags::default())
        .map_err(|e| frames::polars_error(t, e))
}

/// The merge of two batches' outputs of one query, with the column types of `out`.
fn merge_batches(prev: DataFrame, out: DataFrame, merge: &Merge) -> PolarsResult<DataFrame> {
    let all = prev.vstack(&out)?;
    match merge {
        Merge::Rows => Ok(all),
        Merge::Groups(keys, aggs) => {
            let keys: Vec<Expr> = keys.iter().map(|k| col(*k)).collect();
            let aggs: Vec<Expr> = aggs
                .iter()
                .map(|(c, a)| match a {
                    Agg::Min => col(c.as_str()).min(),
                    Agg::Max => col(c.as_str()).max(),
                    Agg::Sum => col(c.as_str()).sum(),
                })
                .collect();
            let merged = all.lazy().group_by(keys).agg(aggs).collect()?;
            // Same column order and types as a single batch's output, so the next vstack
            // matches.
            let cast: Vec<Expr> = out
                .schema()
                .iter()
                .map(|(n, dt)| col(n.clone()).cast(dt.clone()))
                .collect();
            merged.lazy().select(cast).collect()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_are_cut_outside_quotes_only() {
        assert_eq!(record_end(b"a,b\nc,d"), 4);
        assert_eq!(record_end(b"a,\"x\ny\"\nc"), 8);
        assert_eq!(record_end(b"a,\"x\ny"), 0);
        assert_eq!(record_end(b"a,\"\"\"q\"\"\"\nb"), 10);
    }

    fn table(dir: &std::path::Path, text: &str) -> Table {
        let path = dir.join("t.csv");
        std::fs::write(&path, text).unwrap();
        Table {
            name: "hosp/labevents",
            path,
        }
    }

    fn run(t: &Table, batch: usize) -> Vec<DataFrame> {
        let cols = [("k", Kind::Int), ("v", Kind::Float), ("note", Kind::Text)];
        let queries: Vec<Query> = vec![
            (
                Box::new(|lf: LazyFrame| {
                    lf.group_by([col("k")]).agg([
                        col("v").min().alias("lo"),
                        col("v").max().alias("hi"),
                        col("v").count().alias("n"),
                    ])
                }),
                Merge::Groups(
                    vec!["k"],
                    vec![
                        ("lo".into(), Agg::Min),
                        ("hi".into(), Agg::Max),
                        ("n".into(), Agg::Sum),
                    ],
                ),
            ),
            (
                Box::new(|lf: LazyFrame| lf.select([col("note")])),
                Merge::Rows,
            ),
        ];
        let keep = |lf: LazyFrame| lf.filter(col("k").neq(lit(3i64)));
        let mut out = stream(t, &cols, batch, &keep, &queries).unwrap();
        out[0] = out[0].sort(["k"], Default::default()).unwrap();
        out
    }

    #[test]
    fn any_batch_size_gives_the_same_merged_result() {
        let dir = std::env::temp_dir().join(format!("dicohort-stream-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let mut text = String::from("k,v,note,unused\n");
        for i in 0..200 {
            let note = if i % 7 == 0 {
                "\"two\nlines, quoted\""
            } else {
                "plain"
            };
            text.push_str(&format!(
                "{},{},{note},x\n",
                i % 9,
                (i * 37 % 101) as f64 / 4.0
            ));
        }
        let t = table(&dir, &text);
        let whole = run(&t, 1 << 20);
        // Keys 0-8 less the filtered 3 (22 rows: i = 3, 12, ..., 192).
        assert_eq!(whole[0].height(), 8);
        assert_eq!(whole[1].height(), 200 - 22);
        assert_eq!(
            whole[1].column("note").unwrap().str().unwrap().get(0),
            Some("two\nlines, quoted")
        );
        for batch in [1, 7, 40, 333] {
            let part = run(&t, batch);
            assert!(part[0].equals_missing(&whole[0]), "batch {batch}");
            assert!(part[1].equals_missing(&whole[1]), "batch {batch}");
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
