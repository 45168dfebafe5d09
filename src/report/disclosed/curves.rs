//! Curves as they may be drawn. A step of a Kaplan-Meier or cumulative-incidence curve is a
//! count: its height with the number at risk gives the number of events at that time. So a
//! curve is drawn from disclosure-safe steps only, decided here once:
//!
//! - under cell suppression ([`RuleKind::Suppress`]), the events of fewer than `threshold`
//!   patients are pooled into the next step drawn: a step is drawn at the first event time at
//!   which the events since the last drawn step reach the threshold, at the estimate's value
//!   there (the estimate itself is unchanged: only its intermediate steps are not drawn);
//!   events after the last full pool are not drawn (the curve stays flat to its end);
//! - under rounding ([`RuleKind::Round`]), the curve is computed again from rounded counts, as
//!   the OpenSAFELY Kaplan-Meier action does (`opensafely-actions/kaplan-meier-function`,
//!   `analysis/km.R`, `round_km`): the running totals of censorings and the group size are
//!   rounded at the midpoint (`roundmid_any`: `ceiling(x / m) * m - floor(m / 2)` for `x > 0`,
//!   `m` the threshold), the number at risk being the rounded size minus the rounded running
//!   total of those who left; the running totals of events (and of competing events) are
//!   rounded *down* to a multiple of `m` (differences from that action, on purpose: its
//!   midpoint would draw a first step of `m - floor(m / 2)` events, a count below the
//!   threshold), so each step stands for a multiple of `m` events; no band.
//!
//! Under both rules a curve ends at the last time at which at least `threshold` patients of the
//! group are at risk ([`DisclosedCounts::curve_end`]), and censoring marks are not drawn (each
//! would show a censoring time of one patient).
//!
//! Cost: linear in the curve's length.

use crate::cohort::analysis::{CumulativeIncidence, Curve};

use super::DisclosedCounts;
use crate::report::disclosure::RuleKind;

/// A curve as drawn: step knots (`value[i]` holds from `time[i]`) with the band (empty: none).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SafeCurve {
    pub time: Vec<f64>,
    pub value: Vec<f64>,
    pub lower: Vec<f64>,
    pub upper: Vec<f64>,
}

/// OpenSAFELY's midpoint rounding of a running total: `ceil(x / m) * m - floor(m / 2)`, 0 for 0.
fn roundmid(x: f64, m: f64) -> f64 {
    if x <= 0.0 {
        0.0
    } else {
        (x / m).ceil() * m - (m / 2.0).floor()
    }
}

/// A running total of events rounded down to a multiple of `m`.
fn rounddown(x: f64, m: f64) -> f64 {
    (x / m + 1e-9).floor() * m
}

/// Index of the last time of `t` at or before `tau`.
fn at_or_before(t: &[f64], tau: f64) -> Option<usize> {
    t.iter().rposition(|&x| x <= tau)
}

/// Per time of `c`: those leaving the risk set other than by the event (censored, or a
/// competing event), `n_risk[i] - n_event[i] - n_risk[i + 1]`.
fn leaving(c: &Curve) -> Vec<f64> {
    (0..c.time.len())
        .map(|i| {
            let next = c.n_risk.get(i + 1).copied().unwrap_or(0.0);
            (c.n_risk[i] - c.n_event[i] - next).max(0.0)
        })
        .collect()
}

impl DisclosedCounts {
    /// The last time of `reference` (the unweighted curve of the group) that may be drawn, or
    /// `None` when no time has enough patients at risk.
    fn last_time(&self, reference: &Curve) -> Option<f64> {
        let k = self.curve_end(reference);
        (k > 0).then(|| reference.time[k - 1])
    }

    /// The event times at which a pooled step is drawn: the events of `events` (one count per
    /// time of `times`) accumulated up to `last` until they reach the threshold.
    fn pooled_times(&self, times: &[f64], events: &[f64], last: f64) -> Vec<f64> {
        let t = self.rule.threshold as f64;
        let mut acc = 0.0;
        let mut out = Vec::new();
        for (&x, &e) in times.iter().zip(events) {
            if x > last {
                break;
            }
            acc += e;
            if acc >= t - 0.5 && acc > 0.0 {
                out.push(x);
                acc = 0.0;
            }
        }
        out
    }

    /// Knots of `time`/`value` (`lower`/`upper` may be empty) at the times `at`, with a flat
    /// knot at `last` when it is later.
    fn knots_at(
        time: &[f64],
        value: &[f64],
        band: Option<(&[f64], &[f64])>,
        at: &[f64],
        last: f64,
        start: f64,
    ) -> SafeCurve {
        let mut s = SafeCurve::default();
        for &tau in at {
            let Some(j) = at_or_before(time, tau) else {
                continue;
            };
            s.time.push(tau);
            s.value.push(value[j]);
            if let Some((lo, hi)) = band {
                s.lower.push(lo[j]);
                s.upper.push(hi[j]);
            }
        }
        if s.time.last().is_none_or(|&x| x < last) {
            s.time.push(last);
            s.value.push(s.value.last().copied().unwrap_or(start));
            if band.is_some() {
                s.lower.push(s.lower.last().copied().unwrap_or(f64::NAN));
                s.upper.push(s.upper.last().copied().unwrap_or(f64::NAN));
            }
        }
        s
    }

    /// The rounded (OpenSAFELY) risk sets of `reference`: per time, (number at risk, events,
    /// competing events, other leavers), from running totals: of events and competing events
    /// rounded down to multiples of the threshold ([`rounddown`]), of other leavers and the
    /// group size at the midpoint ([`roundmid`]);
    /// `competing` gives the competing events per time (empty: none).
    fn rounded_counts(&self, reference: &Curve, competing: &[f64]) -> Vec<[f64; 4]> {
        let m = self.rule.threshold as f64;
        let n0 = reference.n_risk.first().copied().unwrap_or(0.0);
        let left = leaving(reference);
        let (mut ce, mut cc, mut co) = (0.0, 0.0, 0.0);
        let (mut re, mut rc, mut ro) = (0.0, 0.0, 0.0);
        let mut out = Vec::new();
        for (i, (&events, &gone)) in reference.n_event.iter().zip(&left).enumerate() {
            let comp = competing.get(i).copied().unwrap_or(0.0);
            ce += events;
            cc += comp;
            co += (gone - comp).max(0.0);
            let n = roundmid(n0, m) - (re + rc + ro);
            let (ne, nc, no) = (rounddown(ce, m), rounddown(cc, m), roundmid(co, m));
            out.push([n, ne - re, nc - rc, no - ro]);
            (re, rc, ro) = (ne, nc, no);
        }
        out
    }

    /// Kaplan-Meier curve `c` as it may be drawn; `reference` is the unweighted curve of the
    /// same group (whose risk set counts patients; `c` itself when unweighted). `band`: keep
    /// the confidence band (cell suppression only).
    pub fn km_curve(&self, c: &Curve, reference: &Curve, band: bool) -> SafeCurve {
        let bands = band.then_some((c.lower.as_slice(), c.upper.as_slice()));
        if !self.rule.active() {
            return SafeCurve {
                time: c.time.clone(),
                value: c.surv.clone(),
                lower: bands.map_or(Vec::new(), |b| b.0.to_vec()),
                upper: bands.map_or(Vec::new(), |b| b.1.to_vec()),
            };
        }
        let Some(last) = self.last_time(reference) else {
            return SafeCurve::default();
        };
        match self.rule.kind {
            RuleKind::Suppress => {
                let at = self.pooled_times(&reference.time, &reference.n_event, last);
                Self::knots_at(&c.time, &c.surv, bands, &at, last, 1.0)
            }
            RuleKind::Round => {
                let counts = self.rounded_counts(reference, &[]);
                let mut s = 1.0;
                let mut rounded = Vec::new();
                let mut at = Vec::new();
                for (&x, [n, e, _, _]) in reference.time.iter().zip(&counts) {
                    if x > last || *n <= 0.0 {
                        break;
                    }
                    if *e > 0.0 {
                        s *= 1.0 - e / n;
                        at.push(x);
                        rounded.push(s);
                    }
                }
                if std::ptr::eq(c, reference)
                    || c.time == reference.time && c.surv == reference.surv
                {
                    Self::knots_at(&at, &rounded, None, &at, last, 1.0)
                } else {
                    // A weighted curve: its values at the rounded curve's steps.
                    Self::knots_at(&c.time, &c.surv, None, &at, last, 1.0)
                }
            }
        }
    }

    /// Discharges per time of `km` implied by the Aalen-Johansen estimate `ci` of the same
    /// group: the increment of the discharge curve times the number at risk over the
    /// probability of having had neither event just before.
    fn discharges(ci: &CumulativeIncidence, km: &Curve) -> Vec<f64> {
        km.time
            .iter()
            .zip(&km.n_risk)
            .map(|(&t, &n)| {
                let Some(j) = ci.time.iter().position(|&x| x == t) else {
                    return 0.0;
                };
                let (prev_d, prev_c) = if j == 0 {
                    (0.0, 0.0)
                } else {
                    (ci.cif_death[j - 1], ci.cif_discharge[j - 1])
                };
                let free = 1.0 - prev_d - prev_c;
                let inc = ci.cif_discharge[j] - prev_c;
                if free <= 0.0 || inc <= 0.0 {
                    0.0
                } else {
                    (inc * n / free).round()
                }
            })
            .collect()
    }

    /// The cumulative incidence of death and of discharge alive of one group as they may be
    /// drawn (`km`: the group's unweighted Kaplan-Meier curve, whose risk set it shares).
    pub fn cif_curves(&self, ci: &CumulativeIncidence, km: &Curve) -> [SafeCurve; 2] {
        if !self.rule.active() {
            return [
                SafeCurve {
                    time: ci.time.clone(),
                    value: ci.cif_death.clone(),
                    lower: ci.lower.clone(),
                    upper: ci.upper.clone(),
                },
                SafeCurve {
                    time: ci.time.clone(),
                    value: ci.cif_discharge.clone(),
                    ..Default::default()
                },
            ];
        }
        let Some(last) = self.last_time(km) else {
            return Default::default();
        };
        let dis = Self::discharges(ci, km);
        match self.rule.kind {
            RuleKind::Suppress => {
                let at_d = self.pooled_times(&km.time, &km.n_event, last);
                let at_c = self.pooled_times(&km.time, &dis, last);
                let band = Some((ci.lower.as_slice(), ci.upper.as_slice()));
                [
                    Self::knots_at(&ci.time, &ci.cif_death, band, &at_d, last, 0.0),
                    Self::knots_at(&ci.time, &ci.cif_discharge, None, &at_c, last, 0.0),
                ]
            }
            RuleKind::Round => {
                let counts = self.rounded_counts(km, &dis);
                let (mut s, mut fd, mut fc) = (1.0, 0.0, 0.0);
                let (mut td, mut vd, mut tc, mut vc) = (vec![], vec![], vec![], vec![]);
                for (&x, [n, d, c, _]) in km.time.iter().zip(&counts) {
                    if x > last || *n <= 0.0 {
                        break;
                    }
                    if *d > 0.0 {
                        fd += s * d / n;
                        td.push(x);
                        vd.push(fd);
                    }
                    if *c > 0.0 {
                        fc += s * c / n;
                        tc.push(x);
                        vc.push(fc);
                    }
                    s *= (1.0 - (d + c) / n).max(0.0);
                }
                [
                    Self::knots_at(&td, &vd, None, &td, last, 0.0),
                    Self::knots_at(&tc, &vc, None, &tc, last, 0.0),
                ]
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::disclosure::DisclosureRule;

    fn curve(n0: f64, events: &[f64]) -> Curve {
        let mut n = n0;
        let mut c = Curve {
            group: "exposed".into(),
            time: Vec::new(),
            n_risk: Vec::new(),
            n_event: Vec::new(),
            surv: Vec::new(),
            lower: Vec::new(),
            upper: Vec::new(),
        };
        let mut s = 1.0;
        for (i, &e) in events.iter().enumerate() {
            c.time.push(i as f64 + 1.0);
            c.n_risk.push(n);
            c.n_event.push(e);
            s *= 1.0 - e / n;
            c.surv.push(s);
            c.lower.push(s * 0.9);
            c.upper.push((s * 1.1).min(1.0));
            n -= e;
        }
        c
    }

    #[test]
    fn pooled_steps_stand_for_at_least_the_threshold() {
        let c = curve(100.0, &[3.0, 4.0, 5.0, 1.0, 12.0, 2.0]);
        let dc = DisclosedCounts {
            rule: DisclosureRule::default(),
            ..test_counts()
        };
        let s = dc.km_curve(&c, &c, true);
        // Pools: 3+4+5 = 12 at day 3, 1+12 = 13 at day 5; the 2 deaths of day 6 are not drawn.
        assert_eq!(s.time, vec![3.0, 5.0, 6.0]);
        assert_eq!(s.value[0], c.surv[2]);
        assert_eq!(s.value[1], c.surv[4]);
        assert_eq!(s.value[2], c.surv[4]);
    }

    #[test]
    fn rounded_steps_follow_opensafely() {
        assert_eq!(roundmid(0.0, 10.0), 0.0);
        assert_eq!(roundmid(1.0, 10.0), 5.0);
        assert_eq!(roundmid(10.0, 10.0), 5.0);
        assert_eq!(roundmid(11.0, 10.0), 15.0);
        let c = curve(100.0, &[3.0, 4.0, 5.0, 1.0, 12.0, 2.0]);
        let dc = DisclosedCounts {
            rule: DisclosureRule::rounding(10, 5),
            ..test_counts()
        };
        let s = dc.km_curve(&c, &c, true);
        // Running deaths 3, 7, 12, 13, 25, 27 round down to 0, 0, 10, 10, 20, 20: steps at days
        // 3 and 5 of 10 deaths each; the risk set starts at 95 (100 rounded at the midpoint).
        assert_eq!(s.time, vec![3.0, 5.0, 6.0]);
        assert!((s.value[0] - (1.0 - 10.0 / 95.0)).abs() < 1e-12);
        assert!((s.value[1] - (1.0 - 10.0 / 95.0) * (1.0 - 10.0 / 85.0)).abs() < 1e-12);
        assert!(s.lower.is_empty());
    }

    fn test_counts() -> DisclosedCounts {
        DisclosedCounts {
            rule: DisclosureRule::default(),
            mortality: Vec::new(),
            hazard: Vec::new(),
            flow: Default::default(),
            table1: super::super::Table1Counts {
                arms: [None; 3],
                blocks: Vec::new(),
            },
            main: None,
            descriptive: Default::default(),
            ps_histogram: None,
            sample: None,
            sample_arms: [None; 2],
            propensity: [None; 3],
            estimates: Default::default(),
        }
    }
}
