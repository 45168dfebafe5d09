//! Every disclosure decision of one report, taken once: [`DisclosedCounts::new`] turns an
//! [`AnalysisResult`] and a [`DisclosureRule`] into the published form of every count the
//! report prints (`None` = withheld). The report's sections only read these decisions and lay
//! out tables, figures and captions; none of them calls the rule.
//!
//! The linked systems (see [`super::disclosure`] for the rule and its audit):
//! - the cohort flow, with the primary design's arm sizes as the split of its last step;
//! - Table 2 (deaths / known per arm) per design, whose decisions Table 3 and the subgroup table
//!   keep;
//! - the joint system of the main design's subgroup table (Table 4, its forest plot, the time-0
//!   entries of its Kaplan-Meier grids) with Table 1 (`disclosed/joint.rs`);
//! - the numbers at risk under the main figures and, audited jointly against them, under every
//!   subgroup panel (`disclosed/risk.rs`);
//! - the descriptive figures' counts (one table per score distribution; trajectory counts on
//!   their own).
//!
//! A count printed in a sentence or a table of its own (the summary, the methods, the propensity
//! diagnostics) has primary suppression only ([`DisclosedCounts::alone`]).
//!
//! "Main design": the primary design, else the first; the report's figures describe it.

mod joint;
mod risk;

pub use risk::horizon_ticks;

use crate::cohort::analysis::{AnalysisResult, Curve, DesignResult, PopulationResult};
use crate::cohort::descriptive::Descriptive;
use crate::cohort::landmark::Design;
use crate::cohort::table1::{Table1, Table1Variable};
use crate::plot::flow::FlowBox;

use super::disclosure::{
    suppress_flow_with_arms, suppress_linked, suppress_table, suppress_table_masked,
    DisclosureRule, LinkedCounts, Margins, SuppressedTable,
};

/// The published counts of one report.
#[derive(Debug, Clone, PartialEq)]
pub struct DisclosedCounts {
    pub rule: DisclosureRule,
    /// Table 2, per design (in `AnalysisResult::designs` order): deaths and patients with known
    /// status, exposed then unexposed (`[d_e, k_e, d_u, k_u]`); `None` without a binary result.
    pub mortality: Vec<Option<[Option<u64>; 4]>>,
    /// Table 3, per design and hazard ratio (in `hazard_ratios` order): patients and deaths.
    pub hazard: Vec<Vec<[Option<u64>; 2]>>,
    pub flow: FlowCounts,
    pub table1: Table1Counts,
    /// The main design's figures and subgroup table (`None` without designs).
    pub main: Option<MainCounts>,
    pub descriptive: DescriptiveCounts,
}

/// The cohort flow after disclosure control.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FlowCounts {
    /// Every step (all designs), in flow order.
    pub boxes: Vec<FlowBox>,
    /// The primary design's patient chain: indices into `boxes` (validated patients, then the
    /// design's own steps, each entering with what the previous kept).
    pub chain: Vec<usize>,
    /// The primary design's arm sizes (exposed, unexposed) under the chain's last box; empty
    /// without a primary design.
    pub arms: Vec<Option<u64>>,
}

/// Table 1 after disclosure control.
#[derive(Debug, Clone, PartialEq)]
pub struct Table1Counts {
    /// Header: exposed, unexposed and overall sizes.
    pub arms: [Option<u64>; 3],
    /// One block per variable (in `Table1::variables` order).
    pub blocks: Vec<Table1Block>,
}

/// One Table 1 variable. `cells` rows: continuous, the non-missing count (not printed) then
/// missing; binary, "yes", "no" (not printed), missing; categorical, each level then missing.
/// Columns: exposed, unexposed; row totals are the overall column; margins the arm sizes.
#[derive(Debug, Clone, PartialEq)]
pub struct Table1Block {
    pub cells: SuppressedTable,
    /// Denominators of the level percentages (patients with a value: arm size minus missing),
    /// exposed, unexposed, overall; `None` when not published or itself sensitive.
    pub denominators: [Option<u64>; 3],
    /// Whether the summary statistics (mean, SD, quartiles) of each arm and overall may be shown.
    pub stats: [Stat; 3],
}

/// Fate of the summary statistics of one arm.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stat {
    /// No value: printed "NA".
    Empty,
    /// Fewer than the threshold values: withheld.
    Withheld,
    Shown,
}

/// The main design's published counts.
#[derive(Debug, Clone, PartialEq)]
pub struct MainCounts {
    /// Index into `AnalysisResult::designs`.
    pub design: usize,
    /// Times of the number-at-risk table under the main Kaplan-Meier and cumulative-incidence
    /// figures, and its rows (one per Kaplan-Meier curve of the whole sample).
    pub ticks: Vec<f64>,
    pub risk: Vec<Vec<Option<u64>>>,
    pub subgroups: SubgroupCounts,
}

/// The subgroup table's counts after the joint audit.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SubgroupCounts {
    /// All patients: `[d_e, k_e, d_u, k_u]`.
    pub all: [Option<u64>; 4],
    /// Per subgroup variable and level.
    pub levels: Vec<Vec<LevelCounts>>,
}

/// One subgroup level.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LevelCounts {
    /// Deaths and patients with known status: `[d_e, k_e, d_u, k_u]`.
    pub dk: [Option<u64>; 4],
    /// The number-at-risk rows of the level's Kaplan-Meier panel (one per curve; empty without
    /// subgroup panels).
    pub risk: Vec<Vec<Option<u64>>>,
}

/// The descriptive figures' counts.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DescriptiveCounts {
    /// Per score distribution: cells `[category][group]` with the group totals.
    pub distributions: Vec<SuppressedTable>,
    /// Per trajectory panel, group and day: the number of patients with a value; the median and
    /// IQR are drawn only when it is published.
    pub trajectories: Vec<Vec<Vec<Option<u64>>>>,
}

impl DisclosedCounts {
    /// Takes every decision of the report of `r` under `rule`. Pure and deterministic.
    pub fn new(r: &AnalysisResult, rule: &DisclosureRule) -> DisclosedCounts {
        let mortality: Vec<Option<[Option<u64>; 4]>> = r
            .designs
            .iter()
            .map(|d| mortality_counts(&d.overall, rule))
            .collect();
        let hazard = r
            .designs
            .iter()
            .zip(&mortality)
            .map(|(d, t2)| hazard_counts(r, d, *t2, rule))
            .collect();
        let (main, joint_t1) = match main_design(r) {
            Some(i) => {
                let (m, t1) = main_counts(r, i, mortality[i], rule);
                (Some(m), t1)
            }
            None => (None, Vec::new()),
        };
        DisclosedCounts {
            rule: *rule,
            hazard,
            flow: flow_counts(r, rule),
            table1: table1_counts(&r.table1, &joint_t1, rule),
            main,
            descriptive: descriptive_counts(&r.descriptive, rule),
            mortality,
        }
    }

    /// A count printed where no published relation links it to other counts: primary
    /// suppression only.
    pub fn alone(&self, n: u64) -> Option<u64> {
        (!self.rule.is_sensitive(n)).then_some(n)
    }

    /// How much of a curve may be drawn: the index one past the last time at which at least
    /// `threshold` patients are at risk (of `c` itself, or of the unweighted curve of the same
    /// group whose risk set counts patients).
    pub fn curve_end(&self, c: &Curve) -> usize {
        if self.rule.threshold <= 1 {
            return c.time.len();
        }
        c.n_risk
            .iter()
            .position(|&n| n.round() < self.rule.threshold as f64)
            .unwrap_or(c.time.len())
    }
}

/// The design the report's figures describe: the primary one, else the first.
pub fn main_design(r: &AnalysisResult) -> Option<usize> {
    r.designs
        .iter()
        .position(|d| d.primary)
        .or((!r.designs.is_empty()).then_some(0))
}

/// Deaths and patients with known status per arm `[d_e, k_e, d_u, k_u]` after disclosure
/// control (Table 2). A known count equal to the arm's size (printed in Table 1 and the flow) is
/// taken as published.
fn mortality_counts(p: &PopulationResult, rule: &DisclosureRule) -> Option<[Option<u64>; 4]> {
    let b = p.binary.as_ref()?;
    let mut lc = LinkedCounts::default();
    let arm = |lc: &mut LinkedCounts, d: usize, k: usize, n: usize| -> [usize; 2] {
        let d_id = lc.add(d as u64, true);
        let k_id = if k == n && !rule.is_sensitive(n as u64) {
            lc.add_fixed(k as u64, true)
        } else {
            lc.add(k as u64, true)
        };
        let s_id = lc.add((k - d) as u64, false);
        lc.sum_relation(&[d_id, s_id], k_id);
        [d_id, k_id]
    };
    let e = arm(&mut lc, b.deaths_exposed, b.known_exposed, p.n_exposed);
    let u = arm(
        &mut lc,
        b.deaths_unexposed,
        b.known_unexposed,
        p.n_unexposed,
    );
    let shown = suppress_linked(&lc, rule);
    let get = |i: usize| shown[i].then_some(lc.values[i]);
    Some([get(e[0]), get(e[1]), get(u[0]), get(u[1])])
}

/// Table 3's patients and deaths of each hazard ratio of design `d`. Totals here would give
/// back a per-arm count withheld in Table 2 (`t2`: total minus the other arm), so they are
/// withheld with it; in the primary design, a model's sample that differs from Table 1's by a
/// small count would reveal it, so it is withheld too.
fn hazard_counts(
    r: &AnalysisResult,
    d: &DesignResult,
    t2: Option<[Option<u64>; 4]>,
    rule: &DisclosureRule,
) -> Vec<[Option<u64>; 2]> {
    let deaths_ok = t2.is_none_or(|c| c[0].is_some() && c[2].is_some());
    let known_ok = t2.is_none_or(|c| c[1].is_some() && c[3].is_some());
    let t1_total = (r.table1.n_exposed + r.table1.n_unexposed) as i64;
    let n_ok = |n: usize| !d.primary || !rule.is_sensitive((t1_total - n as i64).unsigned_abs());
    let alone = |n: usize| (!rule.is_sensitive(n as u64)).then_some(n as u64);
    d.overall
        .hazard_ratios
        .iter()
        .map(|h| {
            [
                alone(h.n).filter(|_| known_ok && n_ok(h.n)),
                alone(h.n_event).filter(|_| deaths_ok),
            ]
        })
        .collect()
}

/// The flow boxes, the primary design's chain and its arm sizes.
fn flow_counts(r: &AnalysisResult, rule: &DisclosureRule) -> FlowCounts {
    let primary = r.designs.iter().find(|d| d.primary);
    // The patient chain of the primary design: validated patients, then the primary design's
    // own steps, each entering with what the previous kept.
    let prefix = match primary.map(|d| d.design) {
        Some(Design::Landmark) => "landmark",
        Some(Design::TimeVarying) => "time-varying",
        Some(Design::NaiveEverTreated) => "naive",
        None => "",
    };
    let mut chain: Vec<usize> = Vec::new();
    for (i, s) in r.flow.steps.iter().enumerate() {
        if s.unit != "patients" {
            continue;
        }
        let follows = chain
            .last()
            .is_none_or(|&j| r.flow.steps[j].n_out == s.n_in);
        let ours =
            s.label.starts_with("validate") || (!prefix.is_empty() && s.label.starts_with(prefix));
        if follows && ours {
            chain.push(i);
        }
    }
    let arms_raw = primary.map(|d| vec![d.overall.n_exposed as u64, d.overall.n_unexposed as u64]);
    let (boxes, mut arms) = suppress_flow_with_arms(
        &r.flow,
        match (&arms_raw, chain.last()) {
            (Some(a), Some(&last)) => Some((last, a.as_slice())),
            _ => None,
        },
        rule,
    );
    // Table 1 describes the sample before the complete-case restriction: an arm size that
    // differs from it by a small count would give back per-arm exclusions.
    if let Some(d) = primary {
        let diffs = [
            (r.table1.n_exposed as i64 - d.overall.n_exposed as i64).unsigned_abs(),
            (r.table1.n_unexposed as i64 - d.overall.n_unexposed as i64).unsigned_abs(),
        ];
        if diffs.iter().any(|&x| rule.is_sensitive(x)) {
            arms.iter_mut().for_each(|c| *c = None);
        }
    }
    FlowCounts { boxes, chain, arms }
}

/// The main design's risk tables and subgroup table, with the joint audit's Table 1 blocks
/// (empty unless the design is primary).
fn main_counts(
    r: &AnalysisResult,
    i: usize,
    t2: Option<[Option<u64>; 4]>,
    rule: &DisclosureRule,
) -> (MainCounts, Vec<SuppressedTable>) {
    let d = &r.designs[i];
    let ticks = horizon_ticks(r, d.design, &d.overall.km);
    let risk = risk::risk_rows(
        &d.overall.km,
        &ticks,
        &risk::arm_sizes(&d.overall, rule),
        rule,
    );
    // The primary design's subgroup table is audited jointly with Table 1 (same sample).
    let t1 = d.primary.then_some(&r.table1);
    let joint = joint::joint_counts(&d.overall, &d.subgroups, t1, t2, rule);
    let audited = if d.subgroups.is_empty() {
        Default::default()
    } else {
        risk::subgroup_risk(r, d, &joint.levels, &ticks, &risk, rule)
    };
    let levels = d
        .subgroups
        .iter()
        .zip(&joint.levels)
        .map(|(sg, ls)| {
            sg.levels
                .iter()
                .zip(ls)
                .map(|(l, jl)| LevelCounts {
                    dk: jl.dk,
                    risk: risk::level_risk_rows(r, d.design, l, jl, &audited, rule),
                })
                .collect()
        })
        .collect();
    let main = MainCounts {
        design: i,
        ticks,
        risk,
        subgroups: SubgroupCounts {
            all: joint.all,
            levels,
        },
    };
    (main, joint.table1)
}

/// Table 1's header and blocks: a block from the joint audit when there is one (`joint`, per
/// variable), else the block audited on its own.
fn table1_counts(t1: &Table1, joint: &[SuppressedTable], rule: &DisclosureRule) -> Table1Counts {
    let alone = |n: u64| (!rule.is_sensitive(n)).then_some(n);
    let (n_e, n_u) = (t1.n_exposed as u64, t1.n_unexposed as u64);
    Table1Counts {
        arms: [alone(n_e), alone(n_u), alone(n_e + n_u)],
        blocks: t1
            .variables
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let cells = joint.get(i).cloned().unwrap_or_else(|| {
                    let rows = joint::table1_rows(v);
                    let counts: Vec<Vec<u64>> = rows.iter().map(|r| r.0.to_vec()).collect();
                    let printed: Vec<Vec<bool>> = rows.iter().map(|r| vec![r.1; 2]).collect();
                    suppress_table_masked(&counts, Some(&printed), Margins::Both, rule)
                });
                table1_block(v, cells, rule)
            })
            .collect(),
    }
}

/// A Table 1 block's percentage denominators and statistics from its cells.
fn table1_block(v: &Table1Variable, cells: SuppressedTable, rule: &DisclosureRule) -> Table1Block {
    let m = cells.cells.len() - 1;
    // Percent of non-missing: known when the arm's missing count and size are shown.
    let nonmiss = |total: Option<u64>, missing: Option<u64>| match (total, missing) {
        (Some(n), Some(mi)) => Some(n - mi),
        _ => None,
    };
    let denominators = [
        nonmiss(cells.col_totals[0], cells.cells[m][0]),
        nonmiss(cells.col_totals[1], cells.cells[m][1]),
        nonmiss(cells.grand_total.flatten(), cells.row_totals[m]),
    ]
    // A percentage publishes its denominator: only when it is not itself sensitive.
    .map(|d| d.filter(|&d| !rule.is_sensitive(d)));
    // Statistics of fewer than `threshold` values are withheld.
    let stats = [&v.exposed, &v.unexposed, &v.overall].map(|a| {
        let n = (a.n - a.n_missing) as u64;
        if n == 0 {
            Stat::Empty
        } else if rule.is_sensitive(n) {
            Stat::Withheld
        } else {
            Stat::Shown
        }
    });
    Table1Block {
        cells,
        denominators,
        stats,
    }
}

/// The descriptive figures' counts: each distribution as a table of categories by group with
/// the group totals; trajectory counts with primary suppression.
fn descriptive_counts(d: &Descriptive, rule: &DisclosureRule) -> DescriptiveCounts {
    DescriptiveCounts {
        distributions: d
            .distributions
            .iter()
            .map(|dist| {
                let counts: Vec<Vec<u64>> = (0..dist.categories.len())
                    .map(|c| {
                        dist.groups
                            .iter()
                            .map(|g| g.counts.get(c).copied().unwrap_or(0))
                            .collect()
                    })
                    .collect();
                suppress_table(&counts, Margins::Cols, rule)
            })
            .collect(),
        trajectories: d
            .trajectories
            .iter()
            .map(|p| {
                p.groups
                    .iter()
                    .map(|g| {
                        g.n.iter()
                            .map(|&n| (!rule.is_sensitive(n)).then_some(n))
                            .collect()
                    })
                    .collect()
            })
            .collect(),
    }
}
