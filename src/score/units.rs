//! Unit conversions into the canonical units of the scores (`scoring-rules.md`, Units).

/// Platelets reported in x10^4/uL (Japanese papers and registries) to the canonical x10^3/uL
/// (= x10^9/L): multiply by 10. A missing value (NaN) stays missing.
#[inline]
pub fn platelets_from_x10e4_per_ul(v: f64) -> f64 {
    v * 10.0
}

/// Fibrinogen g/L to mg/dL (x 100).
#[inline]
pub fn fibrinogen_from_g_per_l(v: f64) -> f64 {
    v * 100.0
}

/// Bilirubin umol/L to mg/dL (/ 17.1).
#[inline]
pub fn bilirubin_from_umol_per_l(v: f64) -> f64 {
    v / 17.1
}

/// Creatinine umol/L to mg/dL (/ 88.4).
#[inline]
pub fn creatinine_from_umol_per_l(v: f64) -> f64 {
    v / 88.4
}
