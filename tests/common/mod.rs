//! Helpers shared by the R-parity tests: reading a JSON fixture written by a script in
//! `tests/reference/` and comparing a number with R's to 1e-6 relative (NA = NaN).

#![allow(dead_code)]

use serde_json::Value;

pub const REL: f64 = 1e-6;

pub fn fixture(name: &str) -> Value {
    let path = format!(
        "{}/tests/reference/fixtures/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap()
}

pub fn nums(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap_or(f64::NAN))
        .collect()
}

pub fn assert_close(what: &str, got: f64, want: f64) {
    if want.is_nan() {
        assert!(got.is_nan(), "{what}: got {got}, R gives NA");
        return;
    }
    let tol = REL * want.abs().max(1e-8);
    assert!(
        (got - want).abs() <= tol,
        "{what}: got {got:.15e}, R {want:.15e} (diff {:.3e})",
        (got - want).abs()
    );
}
