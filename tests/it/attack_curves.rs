//! The attacker's inversion of the drawn curves (issue 11): every step of every Kaplan-Meier
//! curve, given the numbers at risk around it, and every step of every cumulative incidence
//! curve, given the group's size, bounded from the pixels of `figures/*.svg` (integer
//! coordinates: half a pixel either way) and the published counts as the linear attack of
//! [`super::attack_model`] left them. A step that stands for fewer than threshold events
//! discloses a count.

use std::collections::BTreeMap;

use super::attack_model::{Findings, Model, Published};
use super::attack_parse::{tokens, Printed, Svg, Tok};
use super::attack_solve::BIG;

/// A number-at-risk row's key: (figure|panel|title, group label).
pub(super) type RiskKey = (String, String);
/// A number-at-risk row: the tick times and the unknown of each entry.
pub(super) type RiskRow = (Vec<f64>, Vec<usize>);

/// The x-axis ticks of a panel: (pixel x, time).
fn x_ticks(svg: &Svg, prefix: &str) -> Vec<(f64, f64)> {
    svg.texts
        .iter()
        .filter(|t| t.group == format!("{prefix}x-axis"))
        .filter_map(|t| t.text.parse::<f64>().ok().map(|v| (t.x, v)))
        .collect()
}

/// The y-axis ticks of a panel: (pixel y, value).
fn y_ticks(svg: &Svg, prefix: &str) -> Vec<(f64, f64)> {
    svg.texts
        .iter()
        .filter(|t| t.group == format!("{prefix}y-axis"))
        .filter_map(|t| t.text.parse::<f64>().ok().map(|v| (t.y, v)))
        .collect()
}

/// The time of pixel `x` (linear through the ticks).
fn tick_at(ticks: &[(f64, f64)], x: f64) -> f64 {
    linear(ticks, x)
}

fn linear(ticks: &[(f64, f64)], p: f64) -> f64 {
    if ticks.len() < 2 {
        return f64::NAN;
    }
    let (a, b) = (ticks[0], ticks[ticks.len() - 1]);
    a.1 + (p - a.0) * (b.1 - a.1) / (b.0 - a.0)
}

/// Every drawn step of the survival curves: the number of events it stands for, bounded by the
/// numbers at risk around it; a step that stands for fewer than `t` events discloses a count.
pub(super) fn curve_steps(m: &Model, pubd: &Published, t: u64, f: &mut Findings) {
    for (stem, svg) in &pubd.figures {
        // The IPTW-weighted curves are left out: a weighted step is weighted deaths over a
        // weighted risk set, which pins no count (they are drawn at the times of the unweighted
        // curve's steps, attacked in `figure-km`).
        if !stem.starts_with("figure-km") || stem.contains("weighted") {
            continue;
        }
        let panels: Vec<String> = {
            let mut p: Vec<String> = svg
                .texts
                .iter()
                .filter(|x| x.group.ends_with("risk-table"))
                .map(|x| x.group.trim_end_matches("risk-table").to_string())
                .collect();
            p.dedup();
            p
        };
        for prefix in panels {
            let (xt, yt) = (x_ticks(svg, &prefix), y_ticks(svg, &prefix));
            let px = if yt.len() >= 2 {
                ((yt[1].1 - yt[0].1) / (yt[1].0 - yt[0].0)).abs()
            } else {
                continue;
            };
            let title = svg
                .texts
                .iter()
                .find(|x| x.group == format!("{prefix}title"))
                .map_or(String::new(), |x| x.text.clone());
            // Colour of each risk row's label.
            let rows: Vec<(String, String)> = svg
                .texts
                .iter()
                .filter(|x| x.group == format!("{prefix}risk-table") && x.fill != "#000000")
                .map(|x| (x.fill.clone(), x.text.clone()))
                .collect();
            for line in svg
                .lines
                .iter()
                .filter(|l| l.group == format!("{prefix}curves") && l.width >= 2.0)
            {
                let Some((_, label)) = rows.iter().find(|r| r.0 == line.stroke) else {
                    continue;
                };
                let key = (format!("{stem}|{prefix}|{title}"), label.clone());
                let Some((times, vars)) = m.risk.get(&key) else {
                    continue;
                };
                // The events of a drawn step happened after the previous drawn step (a curve may
                // pool several event times into one step): their risk sets are at most the
                // number at risk at the previous step.
                let mut prev_tau = f64::NEG_INFINITY;
                for w in line.points.windows(2) {
                    let ((x0, y0), (x1, y1)) = (w[0], w[1]);
                    if (x0 - x1).abs() > 1e-9 || y1 <= y0 {
                        continue;
                    }
                    let since = prev_tau;
                    prev_tau = tick_at(&xt, x0);
                    f.steps += 1;
                    let v0 = linear(&yt, y0);
                    let v1 = linear(&yt, y1);
                    let e = 0.5 * px + 1e-9;
                    let tau = tick_at(&xt, x0);
                    // Number at risk at tau: at most the entry at the last time <= tau, at least
                    // one more than the entry at the first later time.
                    let before = times.iter().rposition(|&x| x <= since.max(times[0]) + 1e-6);
                    let after = times.iter().position(|&x| x > tau + 1e-6);
                    let n_hi = before.map_or(BIG, |k| m.sys.hi[vars[k]]).min(m.patients);
                    let n_lo = after.map_or(1, |k| m.sys.lo[vars[k]] + 1).max(1);
                    if n_hi >= BIG || v0 - e <= 0.0 {
                        continue;
                    }
                    let frac_hi = 1.0 - (v1 - e).max(0.0) / (v0 + e);
                    let frac_lo = (1.0 - (v1 + e) / (v0 - e)).max(0.0);
                    let d_hi = n_hi as f64 * frac_hi;
                    let d_lo = n_lo as f64 * frac_lo;
                    if d_hi < t as f64 - 1e-9 {
                        f.small_steps.push(format!(
                            "{}|{}: step at day {tau:.1} stands for {:.1} to {:.1} events",
                            key.0, key.1, d_lo, d_hi
                        ));
                    }
                }
            }
        }
    }
}

/// Every drawn step of the cumulative incidence of death (the solid curve of each group; the
/// competing event is dashed): a step of height `dF` at time `t` stands for `d = dF * n(t) /
/// S(t-)` deaths, where `S` is the probability of being event-free and `n(t)` the number at
/// risk. Since censoring only removes patients from the risk set, `S(t-) >= n(t) / N` with `N`
/// the group's size at time 0, hence `d <= dF * N`: a step whose height times the group's size
/// (both at their largest given the pixels and the published counts) is below `t` discloses a
/// count.
pub(super) fn cif_steps(m: &Model, pubd: &Published, t: u64, f: &mut Findings) {
    for (stem, svg) in &pubd.figures {
        if !stem.starts_with("figure-cif") {
            continue;
        }
        let prefix = String::new();
        let (xt, yt) = (x_ticks(svg, &prefix), y_ticks(svg, &prefix));
        if yt.len() < 2 || xt.len() < 2 {
            continue;
        }
        let px = ((yt[1].1 - yt[0].1) / (yt[1].0 - yt[0].0)).abs();
        let title = svg
            .texts
            .iter()
            .find(|x| x.group == "title")
            .map_or(String::new(), |x| x.text.clone());
        let rows: Vec<(String, String)> = svg
            .texts
            .iter()
            .filter(|x| x.group == "risk-table" && x.fill != "#000000")
            .map(|x| (x.fill.clone(), x.text.clone()))
            .collect();
        // The solid curve of each group: its longest polyline (the competing event is drawn
        // dashed, as polylines of a few pixels each).
        let length = |l: &&super::attack_parse::SvgLine| -> f64 {
            l.points
                .windows(2)
                .map(|w| (w[1].0 - w[0].0).abs() + (w[1].1 - w[0].1).abs())
                .sum()
        };
        let mut solid: Vec<&super::attack_parse::SvgLine> = Vec::new();
        for (colour, _) in &rows {
            let longest = svg
                .lines
                .iter()
                .filter(|l| l.group == "curves" && l.width >= 2.0 && l.stroke == *colour)
                .max_by(|a, b| length(a).total_cmp(&length(b)));
            solid.extend(longest);
        }
        for line in solid {
            let Some((_, label)) = rows.iter().find(|r| r.0 == line.stroke) else {
                continue;
            };
            let key = (format!("{stem}|{prefix}|{title}"), label.clone());
            let Some((times, vars)) = m.risk.get(&key) else {
                continue;
            };
            let n0 = if times.first() == Some(&0.0) {
                m.sys.hi[vars[0]].min(m.patients)
            } else {
                m.patients
            };
            if n0 >= BIG {
                continue;
            }
            for w in line.points.windows(2) {
                let ((x0, y0), (x1, y1)) = (w[0], w[1]);
                // Incidence rises upwards: a step is vertical with a smaller pixel y.
                if (x0 - x1).abs() > 1e-9 || y1 >= y0 {
                    continue;
                }
                f.steps += 1;
                let df_hi = (linear(&yt, y1) - linear(&yt, y0)).abs() + px + 1e-9;
                let d_hi = df_hi * n0 as f64;
                if d_hi < t as f64 - 1e-9 {
                    f.small_steps.push(format!(
                        "{}|{}: incidence step at day {:.1} stands for at most {d_hi:.1} deaths",
                        key.0,
                        key.1,
                        tick_at(&xt, x0)
                    ));
                }
            }
        }
    }
}

impl Model {
    /// The number-at-risk tables of every Kaplan-Meier and cumulative-incidence figure.
    pub(super) fn risk_tables(&mut self, pubd: &Published) {
        for (stem, svg) in &pubd.figures {
            if !(stem.starts_with("figure-km") || stem.starts_with("figure-cif")) {
                continue;
            }
            let panels: Vec<String> = {
                let mut p: Vec<String> = svg
                    .texts
                    .iter()
                    .filter(|t| t.group.ends_with("risk-table"))
                    .map(|t| t.group.trim_end_matches("risk-table").to_string())
                    .collect();
                p.dedup();
                p
            };
            for prefix in panels {
                let ticks = x_ticks(svg, &prefix);
                let texts: Vec<_> = svg
                    .texts
                    .iter()
                    .filter(|t| t.group == format!("{prefix}risk-table"))
                    .collect();
                let title = svg
                    .texts
                    .iter()
                    .find(|t| t.group == format!("{prefix}title"))
                    .map_or(String::new(), |t| t.text.clone());
                for lab in texts.iter().filter(|t| {
                    t.x < 40.0 + texts.iter().map(|x| x.x).fold(f64::INFINITY, f64::min)
                        && t.text != "Number at risk"
                }) {
                    let mut cells: Vec<(f64, Printed)> = texts
                        .iter()
                        .filter(|t| (t.y - lab.y).abs() < 0.5 && t.x > lab.x + 1.0)
                        .filter_map(|t| {
                            tokens(&t.text)
                                .first()
                                .and_then(Tok::count)
                                .map(|c| (t.x, c))
                        })
                        .collect();
                    cells.sort_by(|a, b| a.0.total_cmp(&b.0));
                    if cells.is_empty() {
                        continue;
                    }
                    let times: Vec<f64> = cells.iter().map(|(x, _)| tick_at(&ticks, *x)).collect();
                    let key = (format!("{stem}|{prefix}|{title}"), lab.text.clone());
                    let vars: Vec<usize> = cells
                        .iter()
                        .zip(&times)
                        .map(|((_, c), t)| {
                            self.cell(*c, format!("risk|{}|{}|day {t}", key.0, key.1))
                        })
                        .collect();
                    for k in 1..vars.len() {
                        // Those leaving between two times: never negative.
                        let left = self.sys.hidden(format!(
                            "risk|{}|{}|left {}-{}",
                            key.0,
                            key.1,
                            times[k - 1],
                            times[k]
                        ));
                        self.sys.sum(&[vars[k], left], vars[k - 1]);
                    }
                    for a in 0..vars.len() {
                        for b in a + 2..vars.len() {
                            let left = self.sys.hidden(format!(
                                "risk|{}|{}|left {}-{}",
                                key.0, key.1, times[a], times[b]
                            ));
                            self.sys.sum(&[vars[b], left], vars[a]);
                        }
                    }
                    self.risk.insert(key, (times, vars));
                }
            }
        }
        // The main figures print the same numbers; their first entries are the analysed arms.
        let main: Vec<(RiskKey, RiskRow)> = self
            .risk
            .iter()
            .filter(|(k, _)| !k.0.contains("subgroup"))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let (el, ul) = arm_labels(&main);
        for (k, (times, vars)) in &main {
            if let (Some(arms), Some(0.0)) = (self.arms, times.first().copied()) {
                let a = if k.1 == el {
                    Some(arms[0])
                } else if k.1 == ul {
                    Some(arms[1])
                } else {
                    None
                };
                if let Some(a) = a {
                    self.sys.same(a, vars[0]);
                }
            }
        }
        for w in main.windows(2) {
            if w[0].0 .1 == w[1].0 .1 && w[0].1 .0 == w[1].1 .0 {
                for (a, b) in w[0].1 .1.iter().zip(&w[1].1 .1) {
                    self.sys.same(*a, *b);
                }
            }
        }
        // Subgroup panels of one figure: per arm and time at most the main figure's number.
        let km_main: BTreeMap<String, (Vec<f64>, Vec<usize>)> = main
            .iter()
            .filter(|(k, _)| k.0.starts_with("figure-km|"))
            .map(|(k, v)| (k.1.clone(), v.clone()))
            .collect();
        let mut by_fig: BTreeMap<RiskKey, Vec<RiskRow>> = BTreeMap::new();
        for (k, v) in &self.risk {
            if k.0.contains("subgroup") {
                let fig = k.0.split('|').next().unwrap().to_string();
                by_fig
                    .entry((fig, k.1.clone()))
                    .or_default()
                    .push(v.clone());
            }
        }
        for ((_, label), rows) in by_fig {
            let Some((mt, mv)) = km_main.get(&label) else {
                continue;
            };
            for (ti, t) in mt.iter().enumerate() {
                let parts: Vec<(usize, i64)> = rows
                    .iter()
                    .filter_map(|(times, vars)| {
                        times.iter().position(|x| x == t).map(|p| (vars[p], 1))
                    })
                    .chain([(mv[ti], -1)])
                    .collect();
                if parts.len() > 2 {
                    self.sys.le(&parts, 0);
                }
            }
        }
    }
}

/// The labels of the exposed and unexposed rows (the main figure's first two rows in order of
/// appearance: the exposed group is drawn first).
fn arm_labels(main: &[(RiskKey, RiskRow)]) -> (String, String) {
    let mut labels: Vec<String> = main.iter().map(|(k, _)| k.1.clone()).collect();
    labels.dedup();
    let el = labels
        .iter()
        .find(|l| !l.starts_with("No "))
        .cloned()
        .unwrap_or_default();
    let ul = labels
        .iter()
        .find(|l| l.starts_with("No "))
        .cloned()
        .unwrap_or_default();
    (el, ul)
}
