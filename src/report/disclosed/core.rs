//! The core system of the report: every sample size and outcome count printed outside the
//! subgroup and Table 1 blocks, as one linked-count system, so that one count printed in two
//! places (the flow, Table 3, the summary and methods text, Table 1's header, the propensity
//! diagnostics) gets one decision and no table gives back a count another withholds.
//!
//! The system, built in this order (the order fixes the cells' indices, hence the tie-breaks of
//! [`suppress_linked`], so it is part of the output):
//! 1. the cohort flow ([`add_flow`]);
//! 2. per design: its sample (the kept number of the design's last flow step when it is the
//!    design's sample size, else a cell of its own), its arms (printed under the flow diagram
//!    and in the summary for the primary design, hidden otherwise) adding up to the sample;
//!    Table 2 per arm: deaths + survivors (hidden) = known, known + unknown status (hidden) =
//!    arm size (the same cell when every status is known); Table 3 per model: patients (the
//!    sample cell when equal to it, else one cell per value) and deaths (one cell per value,
//!    equal to Table 2's deaths of the two arms when it is their sum);
//! 3. the main design's propensity diagnostics: matched pairs (twice the pairs = the matched
//!    model's patients), exposed patients left unmatched (exposed = pairs + unmatched), patients
//!    trimmed;
//! 4. Table 1's header (the primary sample before the complete-case restriction): the arms add
//!    up to the overall size, which is the kept number of the flow step with that size; each
//!    arm = the analysed arm + its complete-case exclusions (hidden).

use std::collections::BTreeMap;

use crate::cohort::analysis::{AnalysisResult, DesignResult};

use super::FlowCounts;
use crate::report::disclosure::{
    add_flow, flow_boxes, suppress_linked, DisclosureRule, FlowStepIds, LinkedCounts,
};

/// A count's cell and whether it is published.
pub(super) type Decided = (u64, bool);

/// The decisions of the core system.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Core {
    pub flow: FlowCounts,
    /// Per design: Table 2 `[d_e, k_e, d_u, k_u]`.
    pub mortality: Vec<Option<[Option<u64>; 4]>>,
    /// Per design and hazard ratio: Table 3's patients and deaths.
    pub hazard: Vec<Vec<[Option<u64>; 2]>>,
    /// Per design: the arm sizes (value, published), exposed then unexposed.
    pub arms: Vec<[Decided; 2]>,
    /// Table 1's header: exposed, unexposed, overall (value, published).
    pub table1: [Decided; 3],
    /// The main design's sample size (the summary and methods text).
    pub sample: Option<u64>,
    /// The main design's propensity diagnostics: trimmed, pairs, exposed unmatched.
    pub propensity: [Option<u64>; 3],
}

/// The primary design's patient chain: validated patients, then the design's own steps, each
/// entering with what the previous kept.
fn chain(r: &AnalysisResult) -> Vec<usize> {
    let primary = r.designs.iter().find(|d| d.primary);
    let stage = primary.map_or("", |d| crate::cohort::sample::design_short(d.design));
    let mut chain: Vec<usize> = Vec::new();
    for (i, s) in r.flow.steps.iter().enumerate() {
        if s.unit != "patients" {
            continue;
        }
        let follows = chain
            .last()
            .is_none_or(|&j| r.flow.steps[j].n_out == s.n_in);
        let ours =
            s.stage == crate::schema::flow::VALIDATION || (!stage.is_empty() && s.stage == stage);
        if follows && ours {
            chain.push(i);
        }
    }
    chain
}

/// One design's cells.
struct DesignIds {
    sample: usize,
    arms: [usize; 2],
    /// Table 2: `[d_e, k_e, d_u, k_u]`.
    t2: Option<[usize; 4]>,
    /// Table 3: (patients, deaths) per model.
    t3: Vec<[usize; 2]>,
}

/// Adds design `d` (its last flow step: `step`) to the system.
fn add_design(
    lc: &mut LinkedCounts,
    d: &DesignResult,
    step: Option<usize>,
    printed_arms: bool,
) -> DesignIds {
    let p = &d.overall;
    let n = p.n as u64;
    let sample = match step {
        Some(s) if lc.values[s] == n => s,
        _ => lc.add(n, true),
    };
    let arm_v = [p.n_exposed as u64, p.n_unexposed as u64];
    let arms = arm_v.map(|v| lc.add(v, printed_arms));
    if arm_v[0] + arm_v[1] == n {
        lc.sum_relation(&arms, sample);
    }
    let t2 = p.binary.as_ref().map(|b| {
        let dk = [
            (b.deaths_exposed as u64, b.known_exposed as u64),
            (b.deaths_unexposed as u64, b.known_unexposed as u64),
        ];
        let mut ids = [0usize; 4];
        for a in 0..2 {
            let (dv, kv) = dk[a];
            let d_id = lc.add(dv, true);
            let k_id = if kv == arm_v[a] {
                // Every status known: Table 2's known count is the arm size, printed there.
                lc.printed[arms[a]] = true;
                arms[a]
            } else {
                let k_id = lc.add(kv, true);
                let u = lc.add(arm_v[a].saturating_sub(kv), false);
                lc.sum_relation(&[k_id, u], arms[a]);
                k_id
            };
            let s = lc.add(kv.saturating_sub(dv), false);
            lc.sum_relation(&[d_id, s], k_id);
            ids[2 * a] = d_id;
            ids[2 * a + 1] = k_id;
        }
        ids
    });
    let deaths_total = p
        .binary
        .as_ref()
        .map(|b| (b.deaths_exposed + b.deaths_unexposed) as u64);
    let mut n_cells: BTreeMap<u64, usize> = BTreeMap::new();
    let mut e_cells: BTreeMap<u64, usize> = BTreeMap::new();
    let t3 = p
        .hazard_ratios
        .iter()
        .map(|h| {
            let (hn, he) = (h.n as u64, h.n_event as u64);
            let n_id = if hn == n {
                sample
            } else {
                *n_cells.entry(hn).or_insert_with(|| lc.add(hn, true))
            };
            let e_id = match e_cells.get(&he) {
                Some(&id) => id,
                None => {
                    let id = lc.add(he, true);
                    if let (Some(t), Some(ids)) = (deaths_total, t2) {
                        if t == he {
                            lc.sum_relation(&[ids[0], ids[2]], id);
                        }
                    }
                    e_cells.insert(he, id);
                    id
                }
            };
            [n_id, e_id]
        })
        .collect();
    DesignIds {
        sample,
        arms,
        t2,
        t3,
    }
}

/// Takes the decisions of the core system of `r`.
pub(super) fn core_counts(r: &AnalysisResult, main: Option<usize>, rule: &DisclosureRule) -> Core {
    let mut lc = LinkedCounts::default();
    let flow_ids: Vec<FlowStepIds> = add_flow(&mut lc, &r.flow);
    let chain = chain(r);
    let designs: Vec<DesignIds> = r
        .designs
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let step = if d.primary {
                chain.last().copied()
            } else {
                r.flow.steps.iter().rposition(|s| {
                    s.unit == "patients" && s.stage == crate::cohort::sample::design_short(d.design)
                })
            };
            // The main design's arms are printed (flow diagram, summary, Table 4).
            add_design(&mut lc, d, step.map(|s| flow_ids[s].n_out), main == Some(i))
        })
        .collect();
    // The main design's propensity diagnostics.
    let mut ps_ids = [None; 3];
    if let Some(m) = main {
        let d = &r.designs[m];
        if let Some(ps) = &d.overall.propensity {
            let trimmed = lc.add(ps.n_trimmed as u64, true);
            let pairs = lc.add(ps.n_pairs as u64, true);
            let unmatched = lc.add(ps.n_treated_unmatched as u64, true);
            let ids = &designs[m];
            if ps.n_pairs + ps.n_treated_unmatched == d.overall.n_exposed {
                lc.sum_relation(&[pairs, unmatched], ids.arms[0]);
            }
            for (h, t3) in d.overall.hazard_ratios.iter().zip(&ids.t3) {
                if h.n == 2 * ps.n_pairs && t3[0] != ids.sample {
                    lc.relations.push(vec![(t3[0], 1), (pairs, -2)]);
                }
            }
            ps_ids = [Some(trimmed), Some(pairs), Some(unmatched)];
        }
    }
    // Table 1's header.
    let t1 = &r.table1;
    let t1_v = [t1.n_exposed as u64, t1.n_unexposed as u64];
    let t1_ids = t1_v.map(|v| lc.add(v, true));
    let t1_all = lc.add(t1_v[0] + t1_v[1], true);
    lc.sum_relation(&t1_ids, t1_all);
    if let Some(&s) = chain
        .iter()
        .find(|&&s| r.flow.steps[s].n_out == t1_v[0] + t1_v[1])
    {
        lc.equal_relation(flow_ids[s].n_out, t1_all);
    }
    if let Some(pi) = r.designs.iter().position(|d| d.primary) {
        let arms = designs[pi].arms;
        for a in 0..2 {
            let analysed = lc.values[arms[a]];
            if t1_v[a] >= analysed {
                let x = lc.add(t1_v[a] - analysed, false);
                lc.sum_relation(&[arms[a], x], t1_ids[a]);
            }
        }
    }
    let shown = suppress_linked(&lc, rule);
    let get = |i: usize| shown[i].then(|| rule.publish(lc.values[i]));
    let decided = |i: usize| (lc.values[i], shown[i]);
    let boxes = flow_boxes(&r.flow, &flow_ids, &lc, &shown, rule);
    let primary = r.designs.iter().position(|d| d.primary);
    let flow = FlowCounts {
        boxes,
        chain,
        arms: primary.map_or(Vec::new(), |p| {
            designs[p].arms.iter().map(|&i| get(i)).collect()
        }),
    };
    Core {
        flow,
        mortality: designs
            .iter()
            .map(|d| d.t2.map(|ids| ids.map(get)))
            .collect(),
        hazard: designs
            .iter()
            .map(|d| d.t3.iter().map(|c| c.map(get)).collect())
            .collect(),
        arms: designs.iter().map(|d| d.arms.map(decided)).collect(),
        table1: [decided(t1_ids[0]), decided(t1_ids[1]), decided(t1_all)],
        sample: main.and_then(|m| get(designs[m].sample)),
        propensity: ps_ids.map(|i| i.and_then(get)),
    }
}
