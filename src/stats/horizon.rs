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
        for i in 0..self.slot.len() {
            let w = weights[i];
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
