//! Scales, tick choice and axis drawing. Tick marks, tick labels and anything aligned to the axis
//! (the number-at-risk table) take their x from the same [`Scale::map`], so they cannot drift apart.

use plotters::style::RGBColor;

use super::canvas::{Anchor, Baseline, Pen, TextSpec};
use super::theme;
use super::PlotError;

/// A linear or logarithmic map from data values to pixels.
#[derive(Debug, Clone, Copy)]
pub struct Scale {
    pub d0: f64,
    pub d1: f64,
    pub r0: f64,
    pub r1: f64,
    pub log: bool,
}

impl Scale {
    pub fn linear(d0: f64, d1: f64, r0: f64, r1: f64) -> Self {
        Scale {
            d0,
            d1,
            r0,
            r1,
            log: false,
        }
    }
    pub fn log(d0: f64, d1: f64, r0: f64, r1: f64) -> Self {
        Scale {
            d0,
            d1,
            r0,
            r1,
            log: true,
        }
    }
    /// Pixel position of data value `v` (not clamped).
    pub fn map(&self, v: f64) -> f64 {
        let (a, b, x) = if self.log {
            (self.d0.ln(), self.d1.ln(), v.ln())
        } else {
            (self.d0, self.d1, v)
        };
        if b == a {
            return self.r0;
        }
        self.r0 + (x - a) / (b - a) * (self.r1 - self.r0)
    }
    /// Pixel position clamped to the range.
    pub fn map_clamped(&self, v: f64) -> f64 {
        let (lo, hi) = if self.r0 <= self.r1 {
            (self.r0, self.r1)
        } else {
            (self.r1, self.r0)
        };
        self.map(v).clamp(lo, hi)
    }
    pub fn contains(&self, v: f64) -> bool {
        let (lo, hi) = if self.d0 <= self.d1 {
            (self.d0, self.d1)
        } else {
            (self.d1, self.d0)
        };
        v >= lo - 1e-12 * (hi - lo).abs().max(1.0) && v <= hi + 1e-12 * (hi - lo).abs().max(1.0)
    }
}

/// "Nice" linear ticks covering [lo, hi] with about `target` intervals (steps 1, 2, 2.5, 5 x 10^k).
/// Returns (ticks, step); the first tick is <= lo and the last >= hi.
pub fn nice_ticks(lo: f64, hi: f64, target: usize) -> (Vec<f64>, f64) {
    let (lo, hi) = if hi > lo { (lo, hi) } else { (lo, lo + 1.0) };
    let raw = (hi - lo) / target.max(1) as f64;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw * (1.0 - 1e-9))
        .unwrap_or(10.0 * mag);
    let start = (lo / step + 1e-9).floor();
    let end = (hi / step - 1e-9).ceil();
    let ticks = (start as i64..=end as i64)
        .map(|k| k as f64 * step)
        .collect();
    (ticks, step)
}

/// Ticks for follow-up time in days: multiples of 7 when the range suits weeks, else nice ticks.
pub fn day_ticks(max: f64) -> Vec<f64> {
    let max = if max > 0.0 { max } else { 1.0 };
    let mut best: Option<(f64, f64)> = None; // (overshoot, step)
    for step in [
        1.0, 2.0, 5.0, 7.0, 10.0, 14.0, 28.0, 30.0, 60.0, 90.0, 180.0, 365.0,
    ] {
        let n = (max / step - 1e-9).ceil();
        if !(3.0..=8.0).contains(&n) {
            continue;
        }
        let over = n * step - max;
        if best.is_none_or(|(o, _)| over < o - 1e-9) {
            best = Some((over, step));
        }
    }
    match best {
        Some((_, step)) => {
            let n = (max / step - 1e-9).ceil() as i64;
            (0..=n).map(|k| k as f64 * step).collect()
        }
        None => nice_ticks(0.0, max, 5).0,
    }
}

/// Ticks for a ratio axis on the log scale, within [lo, hi].
pub fn log_ticks(lo: f64, hi: f64) -> Vec<f64> {
    let cands = [
        0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0,
    ];
    let inside: Vec<f64> = cands
        .iter()
        .copied()
        .filter(|&t| t >= lo * 0.999 && t <= hi * 1.001)
        .collect();
    if inside.len() <= 9 {
        return inside;
    }
    inside
        .into_iter()
        .filter(|t| [0.01, 0.1, 0.5, 1.0, 2.0, 10.0, 100.0].contains(t))
        .collect()
}

/// Drops ticks whose labels would collide (closer than their half-widths plus 8 px), keeping
/// `keep` (e.g. the line of no effect) and otherwise the earlier tick.
pub fn thin_ticks(
    scale: &Scale,
    ticks: &[f64],
    labels: &[String],
    spec: &TextSpec,
    keep: Option<f64>,
) -> Result<(Vec<f64>, Vec<String>), PlotError> {
    let mut order: Vec<usize> = (0..ticks.len()).collect();
    if let Some(k) = keep {
        order.sort_by_key(|&i| if (ticks[i] - k).abs() < 1e-12 { 0 } else { 1 });
    }
    let mut kept: Vec<(f64, f64, usize)> = Vec::new(); // (x, half width, index)
    for i in order {
        let x = scale.map(ticks[i]);
        let hw = spec.width(&labels[i])? / 2.0;
        if kept
            .iter()
            .all(|&(kx, khw, _)| (kx - x).abs() >= khw + hw + 8.0)
        {
            kept.push((x, hw, i));
        }
    }
    kept.sort_by_key(|k| k.2);
    Ok((
        kept.iter().map(|k| ticks[k.2]).collect(),
        kept.iter().map(|k| labels[k.2].clone()).collect(),
    ))
}

/// Number of decimals needed to print ticks spaced `step` apart.
pub fn decimals_for(step: f64) -> usize {
    let mut d = 0;
    while d < 6
        && ((step * 10f64.powi(d as i32)).round() - step * 10f64.powi(d as i32)).abs() > 1e-9
    {
        d += 1;
    }
    d
}

/// Label for a log-axis tick: shortest exact representation.
pub fn log_tick_label(t: f64) -> String {
    let d = decimals_for(t);
    theme::fixed(t, d)
}

/// Draws a horizontal axis line at `y` from the scale's range with ticks pointing down and labels
/// centred under each tick.
pub fn draw_x_axis(
    pen: &Pen,
    scale: &Scale,
    y: f64,
    ticks: &[f64],
    labels: &[String],
    color: RGBColor,
) -> Result<(), PlotError> {
    pen.line((scale.r0, y), (scale.r1, y), color, 1)?;
    let spec = TextSpec::new(theme::TICK)
        .anchor(Anchor::Middle)
        .baseline(Baseline::Top)
        .color(color);
    for (t, l) in ticks.iter().zip(labels) {
        let x = scale.map(*t);
        pen.line((x, y), (x, y + 5.0), color, 1)?;
        pen.text(l, (x, y + 8.0), &spec)?;
    }
    Ok(())
}

/// Draws a vertical axis line at `x` with ticks pointing left and right-aligned labels.
pub fn draw_y_axis(
    pen: &Pen,
    scale: &Scale,
    x: f64,
    ticks: &[f64],
    labels: &[String],
    color: RGBColor,
) -> Result<(), PlotError> {
    pen.line((x, scale.r0), (x, scale.r1), color, 1)?;
    let spec = TextSpec::new(theme::TICK)
        .anchor(Anchor::End)
        .baseline(Baseline::Center)
        .color(color);
    for (t, l) in ticks.iter().zip(labels) {
        let y = scale.map(*t);
        pen.line((x - 5.0, y), (x, y), color, 1)?;
        pen.text(l, (x - 8.0, y), &spec)?;
    }
    Ok(())
}

/// Width of the widest label.
pub fn max_width(labels: &[String], spec: &TextSpec) -> Result<f64, PlotError> {
    labels
        .iter()
        .try_fold(0.0f64, |m, l| Ok(m.max(spec.width(l)?)))
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn ticks() {
        assert_eq!(
            nice_ticks(0.0, 1.0, 5).0,
            vec![0.0, 0.2, 0.4, 0.6000000000000001, 0.8, 1.0]
        );
        assert_eq!(day_ticks(28.0), vec![0.0, 7.0, 14.0, 21.0, 28.0]);
        assert_eq!(day_ticks(90.0), vec![0.0, 30.0, 60.0, 90.0]);
        assert_eq!(log_ticks(0.3, 3.0), vec![0.5, 1.0, 2.0]);
        assert_eq!(log_ticks(0.2, 5.0), vec![0.2, 0.5, 1.0, 2.0, 5.0]);
        assert_eq!(decimals_for(0.25), 2);
        let s = Scale::log(0.1, 10.0, 0.0, 200.0);
        assert!((s.map(1.0) - 100.0).abs() < 1e-9);
    }
}
