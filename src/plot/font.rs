//! The embedded font: Liberation Sans 2.1.5 (SIL Open Font License 1.1, see
//! `assets/fonts/README.md`), registered once with plotters' `ab_glyph` text support.
//!
//! Text is measured with the embedded font's own metrics, so layout does not depend on the fonts
//! installed on the machine. The SVG names the family with metric-compatible fallbacks
//! (Arial, Helvetica), so a viewer without Liberation Sans draws text of the same width.

use std::sync::OnceLock;

use plotters::style::{register_font, FontDesc, FontFamily, FontStyle};

use super::PlotError;

/// The `font-family` written into every SVG `<text>` (also the key the font is registered under).
pub const FONT_FAMILY: &str = "Liberation Sans, Arial, Helvetica, sans-serif";

static REGULAR: &[u8] = include_bytes!("../../assets/fonts/LiberationSans-Regular.ttf");
static BOLD: &[u8] = include_bytes!("../../assets/fonts/LiberationSans-Bold.ttf");

/// plotters' `ab_glyph` backend scales glyph advances to `size / (ascender - descender)` while the
/// SVG backend writes `font-size = size / 1.24`; see [`plotters_size`] and [`text_width`].
const PLOTTERS_EM_RATIO: f64 = 1.24;

/// Vertical metrics read from the embedded font (`head.unitsPerEm`, `hhea` ascender/descender).
#[derive(Debug, Clone, Copy)]
struct Metrics {
    units_per_em: f64,
    height_units: f64,
}

static STATE: OnceLock<Result<Metrics, String>> = OnceLock::new();

fn read_u16(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes([*b.get(at)?, *b.get(at + 1)?]))
}

fn table(b: &[u8], tag: &[u8; 4]) -> Option<usize> {
    let n = read_u16(b, 4)? as usize;
    (0..n).find_map(|i| {
        let rec = 12 + 16 * i;
        if b.get(rec..rec + 4)? == tag {
            let off = u32::from_be_bytes(b.get(rec + 8..rec + 12)?.try_into().ok()?);
            Some(off as usize)
        } else {
            None
        }
    })
}

/// Reads the metrics that `ttf-parser`'s `ascender()`/`descender()` return for this font
/// (`hhea`, since the font does not set OS/2 USE_TYPO_METRICS).
fn metrics(b: &[u8]) -> Option<Metrics> {
    let head = table(b, b"head")?;
    let hhea = table(b, b"hhea")?;
    let os2 = table(b, b"OS/2")?;
    let units_per_em = read_u16(b, head + 18)? as f64;
    let fs_selection = read_u16(b, os2 + 62)?;
    let (asc, desc) = if fs_selection & (1 << 7) != 0 {
        (read_u16(b, os2 + 68)? as i16, read_u16(b, os2 + 70)? as i16)
    } else {
        (read_u16(b, hhea + 4)? as i16, read_u16(b, hhea + 6)? as i16)
    };
    Some(Metrics {
        units_per_em,
        height_units: asc as f64 - desc as f64,
    })
}

fn state() -> Result<Metrics, PlotError> {
    STATE
        .get_or_init(|| {
            register_font(FONT_FAMILY, FontStyle::Normal, REGULAR).map_err(|_| {
                "embedded LiberationSans-Regular.ttf is not a valid font".to_string()
            })?;
            register_font(FONT_FAMILY, FontStyle::Bold, BOLD)
                .map_err(|_| "embedded LiberationSans-Bold.ttf is not a valid font".to_string())?;
            let regular = metrics(REGULAR).ok_or("cannot read LiberationSans-Regular metrics")?;
            let bold = metrics(BOLD).ok_or("cannot read LiberationSans-Bold metrics")?;
            if regular.units_per_em != bold.units_per_em
                || regular.height_units != bold.height_units
            {
                return Err("regular and bold faces have different vertical metrics".to_string());
            }
            Ok(regular)
        })
        .clone()
        .map_err(PlotError::Font)
}

/// Registers the embedded fonts with plotters (idempotent). Every figure calls this first.
pub fn ensure_registered() -> Result<(), PlotError> {
    state().map(|_| ())
}

/// The plotters text size that makes the SVG `font-size` equal `css_px`.
pub fn plotters_size(css_px: f64) -> f64 {
    css_px * PLOTTERS_EM_RATIO
}

/// The plotters font description for a text of `css_px` pixels.
pub fn font_desc(css_px: f64, bold: bool) -> FontDesc<'static> {
    let style = if bold {
        FontStyle::Bold
    } else {
        FontStyle::Normal
    };
    FontDesc::new(FontFamily::Name(FONT_FAMILY), plotters_size(css_px), style)
}

/// Advance width, in CSS pixels, of `text` set at `css_px` in the embedded face (with kerning),
/// measured through plotters' `ab_glyph` layout at a large size to avoid its integer rounding.
pub fn text_width(text: &str, css_px: f64, bold: bool) -> Result<f64, PlotError> {
    let m = state()?;
    if text.is_empty() {
        return Ok(0.0);
    }
    const PROBE: f64 = 4096.0;
    let probe = FontDesc::new(
        FontFamily::Name(FONT_FAMILY),
        PROBE,
        if bold {
            FontStyle::Bold
        } else {
            FontStyle::Normal
        },
    );
    let (w, _) = probe
        .box_size(text)
        .map_err(|e| PlotError::Font(format!("{e:?}")))?;
    // plotters: w = advance_units * PROBE / height_units; SVG: advance_units * css_px / upem.
    Ok(w as f64 * m.height_units / m.units_per_em * css_px / PROBE)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Advance widths from fontTools (`hmtx` sums, no kerning pairs in these strings):
    /// "Number at risk" = 13315 units (regular), 14341 (bold); unitsPerEm = 2048.
    #[test]
    fn width_matches_font_tools_advances() {
        let w = text_width("Number at risk", 10.0, false).unwrap();
        assert!((w - 13315.0 * 10.0 / 2048.0).abs() < 0.05, "{w}");
        let b = text_width("Number at risk", 10.0, true).unwrap();
        assert!((b - 14341.0 * 10.0 / 2048.0).abs() < 0.05, "{b}");
    }
}
