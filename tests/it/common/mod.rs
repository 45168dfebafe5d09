//! Helpers shared by every test module: the one reader of the oracle fixtures written by the
//! scripts in `tests/reference/` (R through jsonlite, Python through json), and the one comparison
//! with the oracle (1e-6 relative unless a test says otherwise).
//!
//! How a fixture spells a number, and what it means here:
//! - a JSON number: itself;
//! - `null`, `"NA"`, `"NaN"`: missing, `f64::NAN`;
//! - `"Inf"`, `"-Inf"` (jsonlite's `na = "string"`), `"Infinity"`, `"-Infinity"`: infinities;
//! - `true` / `false`: 1 / 0.
//!
//! Any other string is a broken fixture and panics with its text.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use serde_json::Value;

/// Relative agreement demanded of every number compared with an oracle.
pub const REL: f64 = 1e-6;

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `tests/reference/fixtures/<name>` parsed as JSON (`.json` is added when the name has none).
pub fn fixture(name: &str) -> Value {
    let file = if name.ends_with(".json") {
        name.to_string()
    } else {
        format!("{name}.json")
    };
    read_json(&root().join("tests/reference/fixtures").join(file))
}

/// Any JSON file, with its path in the panic message.
pub fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// One number of a fixture (see the module docs for the spellings).
pub fn num(v: &Value) -> f64 {
    match v {
        Value::Number(n) => n.as_f64().expect("a JSON number is an f64"),
        Value::Null => f64::NAN,
        Value::Bool(b) => f64::from(u8::from(*b)),
        Value::String(s) => match s.as_str() {
            "NA" | "NaN" => f64::NAN,
            "Inf" | "Infinity" => f64::INFINITY,
            "-Inf" | "-Infinity" => f64::NEG_INFINITY,
            other => panic!("fixture: `{other}` is not a number"),
        },
        other => panic!("fixture: not a number: {other}"),
    }
}

/// A vector of numbers (jsonlite unboxes length-1 vectors to scalars; `null` is empty).
pub fn nums(v: &Value) -> Vec<f64> {
    match v {
        Value::Array(a) => a.iter().map(num).collect(),
        Value::Null => Vec::new(),
        other => vec![num(other)],
    }
}

/// A vector of strings (a scalar string is a vector of one).
pub fn strs(v: &Value) -> Vec<String> {
    match v {
        Value::Array(a) => a
            .iter()
            .map(|x| x.as_str().expect("a string").to_string())
            .collect(),
        Value::String(s) => vec![s.clone()],
        Value::Null => Vec::new(),
        other => panic!("fixture: not strings: {other}"),
    }
}

/// Whether `got` agrees with the oracle's `want` to `rel` relative (absolute floor `rel * 1e-8`,
/// below which numbers are zero for every estimate we compare). Missing agrees only with missing;
/// an infinity only with the same infinity (a finite value never agrees with an infinite
/// reference, however large).
pub fn close_rel(got: f64, want: f64, rel: f64) -> bool {
    if want.is_nan() || got.is_nan() {
        return want.is_nan() && got.is_nan();
    }
    if want.is_infinite() || got.is_infinite() {
        return got == want;
    }
    (got - want).abs() <= rel * want.abs().max(1e-8)
}

/// Panics unless `got` agrees with the oracle's `want` to [`REL`].
pub fn assert_close(what: &str, got: f64, want: f64) {
    assert_close_rel(what, got, want, REL);
}

/// Panics unless `got` agrees with the oracle's `want` to `rel` (see [`close_rel`]).
pub fn assert_close_rel(what: &str, got: f64, want: f64, rel: f64) {
    assert!(
        close_rel(got, want, rel),
        "{what}: got {got:.15e}, oracle {want:.15e} (diff {:.3e}, tolerance {rel:e} relative)",
        (got - want).abs()
    );
}

/// Element-wise [`assert_close`], lengths first.
pub fn assert_all_close(what: &str, got: &[f64], want: &[f64]) {
    assert_eq!(
        got.len(),
        want.len(),
        "{what}: length {} vs oracle {}",
        got.len(),
        want.len()
    );
    for (i, (a, b)) in got.iter().zip(want).enumerate() {
        assert_close(&format!("{what}[{i}]"), *a, *b);
    }
}

/// The `dicohort` binary built for these tests.
pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_dicohort"))
}

#[test]
fn a_finite_value_never_matches_an_infinite_reference() {
    assert!(!close_rel(1e300, f64::INFINITY, REL));
    assert!(!close_rel(f64::MAX, f64::INFINITY, 1.0));
    assert!(!close_rel(-1e300, f64::NEG_INFINITY, REL));
    assert!(close_rel(f64::INFINITY, f64::INFINITY, REL));
    assert!(!close_rel(f64::INFINITY, f64::NEG_INFINITY, REL));
    assert!(!close_rel(f64::NAN, 0.0, REL));
    assert!(!close_rel(0.0, f64::NAN, REL));
    assert!(close_rel(f64::NAN, f64::NAN, REL));
    assert!(close_rel(1.0 + 1e-7, 1.0, REL));
    assert!(!close_rel(1.0 + 1e-5, 1.0, REL));
}

#[test]
fn every_spelling_of_a_number_reads_the_same() {
    let v: Value =
        serde_json::from_str(r#"[1.5, null, "NA", "NaN", "Inf", "-Inf", true]"#).unwrap();
    let x = nums(&v);
    assert_eq!(x[0], 1.5);
    assert!(x[1].is_nan() && x[2].is_nan() && x[3].is_nan());
    assert_eq!(x[4], f64::INFINITY);
    assert_eq!(x[5], f64::NEG_INFINITY);
    assert_eq!(x[6], 1.0);
    assert_eq!(nums(&Value::from(2.0)), vec![2.0]);
}
