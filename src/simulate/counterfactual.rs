//! The counterfactual truth of the landmark design: each landmark patient's two potential
//! outcomes (never treated, treated from the landmark), aggregated by group, tilt (target
//! population) and day, and the marginal hazard ratios and risks computed from them.

use super::*;

/// Groups of the counterfactual aggregates: DIC and non-DIC by the simulated day-1 values, and
/// as decidable from the written data (the analysis's subgroup levels).
pub const CF_GROUPS: [&str; 4] = [
    "dic",
    "non_dic",
    "dic_as_decided_in_data",
    "non_dic_as_decided_in_data",
];
pub(super) const CF_TIMES: usize = (model::FOLLOW_UP_DAYS - model::LANDMARK_DAY) as usize;

/// Target populations of the counterfactual truth, as tilts `h(e)` of the landmark population by
/// each patient's true treatment probability `e` (`model::treatment_probability`): the whole
/// population (`h = 1`, the target of IPTW ATE, MMWS and the g-formula), the overlap population
/// (`h = e (1 - e)`, overlap weights; Li F et al., JASA 2018;113:390-400) and the matching
/// population (`h = min(e, 1 - e)`, matching weights and 1:1 matching; Li L & Greene T, Int J
/// Biostat 2013;9:215-234).
pub const CF_TILTS: [&str; 3] = ["whole", "overlap", "matching"];

/// Per tilt, group and arm (0 never treated, 1 treated from the landmark), the tilted sums of
/// deaths and exits (death or censoring at discharge alive / day 28) by follow-up day since the
/// landmark (1..=25), and the unweighted number of deaths (Efron's tied-death count).
#[derive(Debug, Clone, PartialEq)]
pub struct Counterfactual {
    pub deaths: [[[[f64; CF_TIMES]; 2]; 4]; 3],
    pub exits: [[[[f64; CF_TIMES]; 2]; 4]; 3],
    pub n_deaths: [[[u64; CF_TIMES]; 2]; 4],
    /// Landmark-population patients per group.
    pub n: [u64; 4],
}

impl Default for Counterfactual {
    fn default() -> Self {
        Counterfactual {
            deaths: [[[[0.0; CF_TIMES]; 2]; 4]; 3],
            exits: [[[[0.0; CF_TIMES]; 2]; 4]; 3],
            n_deaths: [[[0; CF_TIMES]; 2]; 4],
            n: [0; 4],
        }
    }
}

/// How discharge alive enters the counterfactual follow-up (as the plan's `outcome.discharge`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CfOutcome {
    /// Patients discharged alive are known alive at day 28: followed to the horizon.
    AliveToHorizon,
    /// Follow-up censored at discharge alive (a cause-specific hazard).
    DischargeCensored,
}

impl Counterfactual {
    pub(super) fn add(&mut self, g: usize, arms: &[model::CounterfactualOutcome; 2], e: f64) {
        let tilt = [1.0, e * (1.0 - e), e.min(1.0 - e)];
        self.n[g] += 1;
        for (arm, &(t, dead)) in arms.iter().enumerate() {
            let k = t as usize - 1;
            for (h, w) in tilt.iter().enumerate() {
                self.exits[h][g][arm][k] += w;
                if dead {
                    self.deaths[h][g][arm][k] += w;
                }
            }
            self.n_deaths[g][arm][k] += u64::from(dead);
        }
    }

    pub(super) fn merge(&mut self, o: &Counterfactual) {
        for h in 0..3 {
            for g in 0..4 {
                for a in 0..2 {
                    for k in 0..CF_TIMES {
                        self.deaths[h][g][a][k] += o.deaths[h][g][a][k];
                        self.exits[h][g][a][k] += o.exits[h][g][a][k];
                    }
                }
            }
        }
        for g in 0..4 {
            for a in 0..2 {
                for k in 0..CF_TIMES {
                    self.n_deaths[g][a][k] += o.n_deaths[g][a][k];
                }
            }
            self.n[g] += o.n[g];
        }
    }

    /// Patients of group `g` in the landmark population.
    pub fn n(&self, g: usize) -> u64 {
        self.n[g]
    }

    /// Exits by day under `outcome`: alive-to-horizon moves every exit that is not a death to
    /// the last day.
    pub(super) fn exits_for(
        &self,
        h: usize,
        g: usize,
        arm: usize,
        outcome: CfOutcome,
    ) -> [f64; CF_TIMES] {
        let (d, x) = (&self.deaths[h][g][arm], &self.exits[h][g][arm]);
        match outcome {
            CfOutcome::DischargeCensored => *x,
            CfOutcome::AliveToHorizon => {
                let mut out = *d;
                let alive: f64 = x.iter().zip(d).map(|(x, d)| x - d).sum();
                out[CF_TIMES - 1] += alive;
                out
            }
        }
    }

    /// Cox hazard ratio of arm 1 vs arm 0 in group `g` of tilt `h` (`CF_TILTS`) under `outcome`:
    /// `stats::cox::coxph` (Efron ties, as `survival::coxph`) with case weights `h(e)` on the
    /// group's pooled potential outcomes, expanded from the daily sums: per arm and day, one row
    /// per death carrying the day's mean death weight (Efron's tied-death count and weight sum
    /// are kept) and one censored row carrying the other exits' weight. `None` without deaths in
    /// an arm (or if the fit fails); exactly 1 when both arms' outcomes coincide (no effect in
    /// the group: the score vanishes at beta = 0, where the fit would stop one rounding error
    /// away).
    ///
    /// Memory: at most one row per death plus two per day and arm, for the duration of the fit.
    pub fn cox_hr(&self, h: usize, g: usize, outcome: CfOutcome) -> Option<f64> {
        let d = &self.deaths[h][g];
        let nd = &self.n_deaths[g];
        let x = [
            self.exits_for(h, g, 0, outcome),
            self.exits_for(h, g, 1, outcome),
        ];
        if d[0].iter().sum::<f64>() <= 0.0 || d[1].iter().sum::<f64>() <= 0.0 {
            return None;
        }
        if d[0] == d[1] && x[0] == x[1] {
            return Some(1.0);
        }
        let (mut stop, mut event, mut arm, mut weight) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for a in 0..2 {
            for k in 0..CF_TIMES {
                let t = (k + 1) as f64;
                let m = nd[a][k];
                for _ in 0..m {
                    stop.push(t);
                    event.push(true);
                    arm.push(a as f64);
                    weight.push(d[a][k] / m as f64);
                }
                let censored = x[a][k] - d[a][k];
                if censored > 0.0 {
                    stop.push(t);
                    event.push(false);
                    arm.push(a as f64);
                    weight.push(censored);
                }
            }
        }
        let x = [arm];
        let data = CoxData {
            start: None,
            stop: &stop,
            event: &event,
            x: &x,
            strata: None,
            weights: Some(&weight),
            cluster: None,
        };
        let fit = coxph(&data, &CoxOptions::default()).ok()?;
        Some(fit.coef[0].exp())
    }

    /// Risk of death by day 28 in arm `arm` of group `g` (tilt `h`): the tilted share of deaths.
    pub fn risk(&self, h: usize, g: usize, arm: usize) -> f64 {
        self.deaths[h][g][arm].iter().sum::<f64>() / self.exits[h][g][arm].iter().sum::<f64>()
    }
}
