//! Colours, sizes and number formatting shared by every figure.

use plotters::style::RGBColor;

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

/// Formats a number with `decimals` places; negative zero prints as zero; NaN as "NA".
pub fn fixed(v: f64, decimals: usize) -> String {
    if !v.is_finite() {
        return "NA".to_string();
    }
    let s = format!("{:.*}", decimals, v);
    if s.starts_with('-') && s[1..].chars().all(|c| c == '0' || c == '.') {
        s[1..].to_string()
    } else {
        s
    }
}

/// Formats a p-value as journals do: "< 0.001" below 0.001, otherwise three decimals
/// (two when p >= 0.1... kept at three for uniformity).
pub fn p_value(p: f64) -> String {
    if !p.is_finite() {
        "NA".to_string()
    } else if p < 0.001 {
        "< 0.001".to_string()
    } else {
        format!("= {}", fixed(p, 3))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn formats() {
        assert_eq!(fixed(-0.0001, 2), "0.00");
        assert_eq!(fixed(1.005, 1), "1.0");
        assert_eq!(p_value(0.0004), "< 0.001");
        assert_eq!(p_value(0.04321), "= 0.043");
    }
}
