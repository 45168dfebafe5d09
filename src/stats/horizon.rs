//! The weighted Kaplan-Meier risk `1 - S(h)` and the Aalen-Johansen cumulative incidence
//! `CIF_1(h)` at one time `h`, per group, for many sets of weights over the same rows (bootstrap
//! replicates): the rows' distinct times are indexed once, then each set of weights costs one
//! pass, O(n + m) for m distinct times. The same estimators as `stats::km` and
//! `stats::competing` (R `survfit`) at that time, without their curves and variances (the tests
//! check the equality); times are compared exactly (no `timefix`).

use super::StatsError;

/// Rows indexed by distinct time, for risks at `horizon`.
#[derive(Debug, Clone)]
pub struct RiskAtTime {
    /// Index of each row's time among the distinct times at or before the horizon (`None`: after
    /// it).
    slot: Vec<Option<u32>>,
    /// Cause ending each row: 0 censored, 1 the event of interest, 2 a competing event.
    cause: Vec<u8>,
    group: Vec<u32>,
    n_groups: usize,
    n_times: usize,
}

impl RiskAtTime {
    /// `cause[i]`: 0 censored, 1 the event, 2 a competing event (Kaplan-Meier treats 2 as
    /// censored); `group[i] < n_groups`.
    ///
    /// # Errors
    /// [`StatsError::InvalidInput`] when the lengths differ, a time is not finite, a cause is
    /// above 2 or a group out of range.
    pub fn new(
        time: &[f64],
        cause: &[u8],
        group: &[u32],
        n_groups: usize,
        horizon: f64,
    ) -> Result<RiskAtTime, StatsError> {
        let n = time.len();
        if cause.len() != n || group.len() != n {
            return Err(StatsError::InvalidInput(
                "time, cause and group lengths differ".into(),
            ));
        }
        if let Some(i) = time.iter().position(|t| !t.is_finite()) {
            return Err(StatsError::InvalidInput(format!(
                "time is missing or not finite at row {}",
                i + 1
            )));
        }
        if cause.iter().any(|c| *c > 2) || group.iter().any(|g| *g as usize >= n_groups) {
            return Err(StatsError::InvalidInput(
                "a cause above 2 or a group out of range".into(),
            ));
        }
        let mut times: Vec<f64> = time.iter().copied().filter(|t| *t <= horizon).collect();
        times.sort_by(f64::total_cmp);
        times.dedup();
        let slot = time
            .iter()
            .map(|&t| (t <= horizon).then(|| times.partition_point(|&x| x < t) as u32))
            .collect();
        Ok(RiskAtTime {
            slot,
            cause: cause.to_vec(),
            group: group.to_vec(),
            n_groups,
            n_times: times.len(),
        })
    }

    /// Per group, the Kaplan-Meier risk `1 - S(h)` (`competing = false`, competing events
    /// censored) or the Aalen-Johansen incidence `CIF_1(h)` (`competing = true`) with case
    /// `weights` (a row of weight 0 is left out).
    ///
    /// # Formula
    /// With weighted numbers at risk `n_t`, events `d_t` and competing events `c_t`:
    /// `1 - prod_{t <= h} (1 - d_t / n_t)`, or `sum_{t <= h} S(t-) d_t / n_t` with the all-cause
    /// `S(t) = prod (1 - (d_t + c_t) / n_t)`.
    pub fn risks(&self, weights: &[f64], competing: bool) -> Vec<f64> {
        let (m, g) = (self.n_times, self.n_groups);
        // per group and time: exits (any cause, at the time), events, competing events; rows
        // beyond the horizon are at risk throughout
        let mut exits = vec![0.0; g * m];
        let mut events = vec![0.0; g * m];
        let mut comp = vec![0.0; g * m];
        let mut beyond = vec![0.0; g];
        for (i, &w) in weights.iter().enumerate().take(self.slot.len()) {
            if w == 0.0 {
                continue;
            }
            let gi = self.group[i] as usize;
            match self.slot[i] {
                None => beyond[gi] += w,
                Some(k) => {
                    let at = gi * m + k as usize;
                    exits[at] += w;
                    match self.cause[i] {
                        1 => events[at] += w,
                        2 => comp[at] += w,
                        _ => {}
                    }
                }
            }
        }
        (0..g)
            .map(|gi| {
                let row = gi * m..(gi + 1) * m;
                let mut at_risk = beyond[gi] + exits[row.clone()].iter().sum::<f64>();
                let (mut s, mut cif) = (1.0, 0.0);
                for k in row {
                    if at_risk > 0.0 {
                        let d = events[k];
                        if competing {
                            cif += s * d / at_risk;
                            s *= 1.0 - (d + comp[k]) / at_risk;
                        } else {
                            s *= 1.0 - d / at_risk;
                        }
                    }
                    at_risk -= exits[k];
                }
                if competing {
                    cif
                } else {
                    1.0 - s
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::competing::aalen_johansen;
    use crate::stats::km::{kaplan_meier_by_group, KmOptions};

    #[test]
    fn equals_the_curves_at_the_horizon() {
        // whole-day times with ties, events, competing events and censoring, two groups
        let n = 300;
        let time: Vec<f64> = (0..n).map(|i| f64::from((i * 7 % 29 + 1) as u32)).collect();
        let cause: Vec<u8> = (0..n).map(|i| (i * 5 % 3) as u8).collect();
        let group: Vec<u32> = (0..n).map(|i| (i % 2) as u32).collect();
        let w: Vec<f64> = (0..n).map(|i| 0.5 + (i * 13 % 7) as f64 / 3.0).collect();
        let h = 20.0;
        let r = RiskAtTime::new(&time, &cause, &group, 2, h).unwrap();
        let ev: Vec<bool> = cause.iter().map(|c| *c == 1).collect();
        let opts = KmOptions {
            robust: Some(false),
            ..KmOptions::default()
        };
        let km = kaplan_meier_by_group(&time, &ev, Some(&w), &group, 2, &opts).unwrap();
        let got = r.risks(&w, false);
        for g in 0..2 {
            let want = 1.0 - km[g].summary_at(&[h])[0].surv;
            assert!(
                (got[g] - want).abs() < 1e-12,
                "KM group {g}: {} vs {want}",
                got[g]
            );
            let idx: Vec<usize> = (0..n).filter(|&i| group[i] == g as u32).collect();
            let t: Vec<f64> = idx.iter().map(|&i| time[i]).collect();
            let c: Vec<u32> = idx.iter().map(|&i| u32::from(cause[i])).collect();
            let wg: Vec<f64> = idx.iter().map(|&i| w[i]).collect();
            let aj = aalen_johansen(&t, &c, 2, Some(&wg), &opts).unwrap();
            let k = aj.time.partition_point(|&x| x <= h);
            let cif = r.risks(&w, true)[g];
            assert!((cif - aj.cif[0][k - 1]).abs() < 1e-12, "AJ group {g}");
        }
        // a weight of 0 leaves the row out
        let mut w0 = w.clone();
        w0[3] = 0.0;
        let keep: Vec<usize> = (0..n).filter(|&i| i != 3).collect();
        let sub = |v: &[f64]| keep.iter().map(|&i| v[i]).collect::<Vec<f64>>();
        let r2 = RiskAtTime::new(
            &sub(&time),
            &keep.iter().map(|&i| cause[i]).collect::<Vec<u8>>(),
            &keep.iter().map(|&i| group[i]).collect::<Vec<u32>>(),
            2,
            h,
        )
        .unwrap();
        assert_eq!(r.risks(&w0, false), r2.risks(&sub(&w), false));
    }
}
