//! Numbers at risk printed under the Kaplan-Meier and cumulative-incidence figures: the main
//! figures' table (one row per group, protected as [`suppress_risk_row_fixed`]) and the joint
//! audit of every subgroup panel's table.

use std::collections::btree_map::Entry;
use std::collections::BTreeMap;

use crate::cohort::analysis::{AnalysisResult, Curve, DesignResult, PopulationResult};
use crate::cohort::landmark::Design;
use crate::plot::axis::day_ticks;

use super::joint::JointLevel;
use crate::report::disclosure::{
    suppress_linked, suppress_risk_row_fixed, DisclosureRule, LinkedCounts,
};

/// Number of the curve's patients at risk at time `t` (all times, event or censoring, are
/// listed, so after the last one nobody is at risk).
pub(super) fn at_risk(c: &Curve, t: f64) -> u64 {
    c.time
        .iter()
        .position(|&x| x >= t)
        .map_or(0, |i| c.n_risk[i].round().max(0.0) as u64)
}

/// The times of a figure's number-at-risk table (also its x-axis ticks): day ticks up to the
/// follow-up of the design or the last time of `curves`, whichever is later.
pub fn horizon_ticks(r: &AnalysisResult, design: Design, curves: &[Curve]) -> Vec<f64> {
    let follow_up = match design {
        Design::Landmark => (r.plan.outcome.horizon - r.exposure.window[1]) as f64,
        _ => r.plan.outcome.horizon as f64,
    };
    let last = curves
        .iter()
        .flat_map(|c| c.time.last())
        .fold(0.0f64, |m, &t| m.max(t));
    day_ticks(follow_up.max(last))
}

/// 0 for the exposed curve, 1 for the unexposed one.
pub(super) fn arm_index(group: &str) -> Option<usize> {
    match group {
        "exposed" => Some(0),
        "unexposed" => Some(1),
        _ => None,
    }
}

/// Group sizes of a population's curves as decided for the flow and the summary (`arms`:
/// exposed, unexposed): (size, shown) per curve.
pub(super) fn arm_sizes(p: &PopulationResult, arms: [(u64, bool); 2]) -> Vec<Option<(u64, bool)>> {
    p.km.iter()
        .map(|c| arm_index(&c.group).map(|a| arms[a]))
        .collect()
}

/// The number-at-risk rows of `curves` at `ticks`. `first` gives, per curve, the group size
/// already printed elsewhere (value, shown): the entry at time 0 takes the same decision when it
/// is the same number, so a count withheld in a table is not printed under a figure.
pub(super) fn risk_rows(
    curves: &[Curve],
    ticks: &[f64],
    first: &[Option<(u64, bool)>],
    rule: &DisclosureRule,
) -> Vec<Vec<Option<u64>>> {
    curves
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let raw: Vec<u64> = ticks.iter().map(|&t| at_risk(c, t)).collect();
            let mut fixed = vec![None; raw.len()];
            if let (Some(Some((n, shown))), Some(&r0)) = (first.get(i), raw.first()) {
                if ticks.first().is_some_and(|&t| t <= 0.0) && r0 == *n {
                    fixed[0] = Some(*shown);
                }
            }
            suppress_risk_row_fixed(&raw, &fixed, rule)
        })
        .collect()
}

/// The audited rows of the subgroup panels, keyed by (arm, fingerprint, number of times).
pub(super) type SubgroupRisk = BTreeMap<(usize, u64, usize), Vec<Option<u64>>>;

/// One arm's system of the subgroup risk audit.
struct RiskAudit<'a> {
    lc: LinkedCounts,
    /// Every time any panel prints, sorted.
    times: &'a [f64],
}

impl RiskAudit<'_> {
    /// One row: cells at every time (printed at `own` times; `fixed(k)`: the decision already
    /// made for its `k`-th printed entry), hidden numbers leaving between its printed times.
    fn add_row(
        &mut self,
        c: &Curve,
        own: &[f64],
        fixed: &dyn Fn(usize) -> Option<bool>,
    ) -> Vec<usize> {
        let lc = &mut self.lc;
        let ids: Vec<usize> = self
            .times
            .iter()
            .map(|&t| {
                let v = at_risk(c, t);
                match own.iter().position(|&x| x == t) {
                    Some(k) => match fixed(k) {
                        Some(shown) => lc.add_fixed(v, shown),
                        None => lc.add(v, true),
                    },
                    None => lc.add(v, false),
                }
            })
            .collect();
        let printed: Vec<usize> = (0..self.times.len())
            .filter(|&k| own.contains(&self.times[k]))
            .collect();
        for (x, &a) in printed.iter().enumerate() {
            for &b in &printed[x + 1..] {
                let left = lc.add(lc.values[ids[a]].saturating_sub(lc.values[ids[b]]), false);
                lc.sum_relation(&[ids[b], left], ids[a]);
            }
        }
        ids
    }

    /// Per time, a subgroup variable's rows (`parts`) plus the hidden remainder add up to all
    /// patients' row (`all`); the numbers leaving the remainder between two times are hidden
    /// cells too. Nothing is added when the rows exceed all patients at some time.
    fn add_remainder(&mut self, parts: &[Vec<usize>], all: &[usize]) {
        let lc = &mut self.lc;
        let n = self.times.len();
        let Some(vals) = (0..n)
            .map(|k| {
                let total = lc.values[all[k]];
                let sum: u64 = parts.iter().map(|p| lc.values[p[k]]).sum();
                (sum <= total).then_some(total - sum)
            })
            .collect::<Option<Vec<u64>>>()
        else {
            return;
        };
        let rem: Vec<usize> = vals.into_iter().map(|v| lc.add(v, false)).collect();
        for k in 0..n {
            let mut p: Vec<usize> = parts.iter().map(|p| p[k]).collect();
            p.push(rem[k]);
            lc.sum_relation(&p, all[k]);
        }
        for a in 0..n {
            for b in a + 1..n {
                let v = lc.values[rem[a]].saturating_sub(lc.values[rem[b]]);
                let left = lc.add(v, false);
                lc.sum_relation(&[rem[b], left], rem[a]);
            }
        }
    }
}

/// Numbers at risk of every subgroup panel of design `d`, audited jointly per arm: each printed
/// row with the hidden numbers leaving between any two of its times (as
/// [`suppress_risk_row_fixed`]); per subgroup variable and time, the levels' numbers plus the
/// hidden remainder (patients in no level: indeterminate level, or a level without a curve) add
/// up to the number at risk of all patients, printed under the main Kaplan-Meier figure
/// (`main_ticks`, `main_rows`: its decisions are kept), and the remainder and the numbers
/// leaving it between two times are protected when small; rows of the same patients (equal
/// fingerprint) are one row. The entry at time 0 keeps the decision of the arm size in the
/// subgroup table (`levels`, from the joint audit).
pub(super) fn subgroup_risk(
    r: &AnalysisResult,
    d: &DesignResult,
    levels: &[Vec<JointLevel>],
    main_ticks: &[f64],
    main_rows: &[Vec<Option<u64>>],
    rule: &DisclosureRule,
) -> SubgroupRisk {
    let mut out = BTreeMap::new();
    let mut times: Vec<f64> = main_ticks.to_vec();
    for sg in &d.subgroups {
        for l in &sg.levels {
            times.extend(horizon_ticks(r, d.design, &l.km));
        }
    }
    times.sort_by(f64::total_cmp);
    times.dedup();
    for arm in 0..2 {
        let Some((oi, overall)) = d
            .overall
            .km
            .iter()
            .enumerate()
            .find(|(_, c)| arm_index(&c.group) == Some(arm))
        else {
            continue;
        };
        let mut audit = RiskAudit {
            lc: LinkedCounts::default(),
            times: &times,
        };
        let main_row = &main_rows[oi];
        let all_ids = audit.add_row(overall, main_ticks, &|k| {
            Some(main_row.get(k).is_some_and(Option::is_some))
        });
        // (fingerprint) -> (row ids, own times).
        let mut rows: BTreeMap<u64, (Vec<usize>, Vec<f64>)> = BTreeMap::new();
        for (sg, counts) in d.subgroups.iter().zip(levels) {
            let mut parts: Vec<Vec<usize>> = Vec::new();
            for (l, lcounts) in sg.levels.iter().zip(counts) {
                let Some(c) = l.km.iter().find(|c| arm_index(&c.group) == Some(arm)) else {
                    continue;
                };
                let fp = l.fingerprint[arm];
                if let Entry::Vacant(e) = rows.entry(fp) {
                    let own = horizon_ticks(r, d.design, &l.km);
                    let n0 = lcounts.n[arm];
                    let at0 = own.first().map(|&t| at_risk(c, t));
                    let zero = own.first().is_some_and(|&t| t <= 0.0);
                    let ids = audit.add_row(c, &own, &|k| match n0 {
                        Some((n, shown)) if k == 0 && zero && at0 == Some(n) => Some(shown),
                        _ => None,
                    });
                    e.insert((ids, own));
                }
                parts.push(rows[&fp].0.clone());
            }
            audit.add_remainder(&parts, &all_ids);
        }
        let shown = suppress_linked(&audit.lc, rule);
        for (fp, (ids, own)) in rows {
            let counts: Vec<Option<u64>> = times
                .iter()
                .zip(&ids)
                .filter(|(t, _)| own.contains(t))
                .map(|(_, &i)| shown[i].then(|| rule.publish(audit.lc.values[i])))
                .collect();
            out.insert((arm, fp, own.len()), counts);
        }
    }
    out
}

/// The number-at-risk rows of one subgroup level's panel: those of the joint audit (`audited`),
/// else (a curve the audit did not see) its own rows with the time-0 decision of the subgroup
/// table.
pub(super) fn level_risk_rows(
    r: &AnalysisResult,
    design: Design,
    l: &PopulationResult,
    joint: &JointLevel,
    audited: &SubgroupRisk,
    rule: &DisclosureRule,
) -> Vec<Vec<Option<u64>>> {
    let ticks = horizon_ticks(r, design, &l.km);
    let first: Vec<Option<(u64, bool)>> =
        l.km.iter()
            .map(|cv| arm_index(&cv.group).and_then(|a| joint.n[a]))
            .collect();
    let own = risk_rows(&l.km, &ticks, &first, rule);
    own.into_iter()
        .zip(&l.km)
        .map(|(row, cv)| {
            let key = (
                arm_index(&cv.group).unwrap_or(usize::MAX),
                l.fingerprint[arm_index(&cv.group).unwrap_or(0)],
                row.len(),
            );
            audited.get(&key).cloned().unwrap_or(row)
        })
        .collect()
}
