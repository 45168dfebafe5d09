//! Colours and sizes shared by every figure. Number and p-value formatting
//! live in `crate::format` (re-exported here for the figures and the report).

use plotters::style::RGBColor;

pub use crate::format::{fixed, p_value};

/// Okabe-Ito palette (colour-blind safe), in the order groups are coloured.
pub const PALETTE: [RGBColor; 7] = [
    RGBColor(0x00, 0x72, 0xB2), // blue
    RGBColor(0xD5, 0x5E, 0x00), // vermillion
    RGBColor(0x00, 0x9E, 0x73), // bluish green
    RGBColor(0xCC, 0x79, 0xA7), // reddish purple
    RGBColor(0xE6, 0x9F, 0x00), // orange
    RGBColor(0x56, 0xB4, 0xE9), // sky blue
    RGBColor(0x00, 0x00, 0x00), // black
];

pub const BLACK: RGBColor = RGBColor(0, 0, 0);
pub const DARK: RGBColor = RGBColor(0x33, 0x33, 0x33);
pub const GREY: RGBColor = RGBColor(0x80, 0x80, 0x80);
pub const LIGHT: RGBColor = RGBColor(0xD9, 0xD9, 0xD9);
pub const WHITE: RGBColor = RGBColor(0xFF, 0xFF, 0xFF);

/// Colour of group `i` (cycles through [`PALETTE`]).
pub fn group_color(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

/// Font sizes (CSS pixels).
pub const TITLE: f64 = 16.0;
pub const LABEL: f64 = 14.0;
pub const TICK: f64 = 13.0;
pub const SMALL: f64 = 12.0;

/// The percentage `n` is of `total` as a figure draws it; `None` when either count is withheld
/// or the total is 0 (a withheld count draws no bar).
pub fn percent_of(n: Option<u64>, total: Option<u64>) -> Option<f64> {
    match (n, total) {
        (Some(n), Some(t)) if t > 0 => Some(100.0 * n as f64 / t as f64),
        _ => None,
    }
}
