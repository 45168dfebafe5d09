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

mod core;
mod curves;
mod joint;
mod risk;

pub use curves::SafeCurve;

pub use risk::horizon_ticks;

use crate::cohort::analysis::{Adjustment, AnalysisResult, Curve, HrMethod, PopulationResult};
use crate::cohort::descriptive::Descriptive;
use crate::cohort::result::PsHistogram;
use crate::cohort::table1::{Table1, Table1Variable};
use crate::plot::flow::FlowBox;

use super::disclosure::{
    suppress_table, suppress_table_masked, DisclosureRule, Margins, SuppressedTable,
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
    /// The main design's propensity-score histogram (the overlap figure): cells `[bin][arm]`
    /// (exposed, unexposed) with the arm totals; `None` without a propensity model.
    pub ps_histogram: Option<SuppressedTable>,
    /// The main design's sample size as printed in the summary and the methods text.
    pub sample: Option<u64>,
    /// The main design's arm sizes as printed in the summary (exposed, unexposed).
    pub sample_arms: [Option<u64>; 2],
    /// The main design's propensity diagnostics: patients trimmed, matched pairs, exposed
    /// patients left unmatched.
    pub propensity: [Option<u64>; 3],
    /// Which estimates computed from counts may be shown.
    pub estimates: Estimates,
}

/// Which estimates of one population may be shown.
///
/// - *Crude* estimates (risk ratio, risk difference, odds ratio, the Cox model of exposure
///   only, the log-rank test) are functions of the population's counts: with their confidence
///   intervals they have one integer solution for a withheld cell (brute force over the cells
///   recovers it), so they are shown only when every count of the population is published.
/// - *Adjusted* hazard ratios (covariate-adjusted, weighted, matched, stratified Cox models)
///   depend on the covariates too and give a count back only approximately, and only for a
///   population with few patients or events: they are shown when the crude ones are, or when
///   none of the population's counts (patients, patients with known status, deaths, survivors,
///   per arm) is itself sensitive (a count withheld only as a complement is at least the
///   threshold, and an approximate value of it discloses nothing).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Shown {
    pub crude: bool,
    pub adjusted: bool,
}

impl Shown {
    /// The decisions for a population whose counts are all published (`published`) and whose
    /// raw counts are those of `p`.
    pub(crate) fn of(p: &PopulationResult, published: bool, rule: &DisclosureRule) -> Shown {
        let mut raw = vec![p.n_exposed as u64, p.n_unexposed as u64];
        if let Some(b) = &p.binary {
            for (d, k) in [
                (b.deaths_exposed, b.known_exposed),
                (b.deaths_unexposed, b.known_unexposed),
            ] {
                raw.extend([d as u64, k as u64, k.saturating_sub(d) as u64]);
            }
        }
        Shown {
            crude: published,
            adjusted: published || !raw.iter().any(|&n| rule.is_sensitive(n)),
        }
    }

    /// Whether a hazard ratio estimated by `method` may be shown.
    pub fn hr(&self, method: HrMethod) -> bool {
        if method == HrMethod::Unadjusted {
            self.crude
        } else {
            self.adjusted
        }
    }

    /// Whether an estimate with adjustment `a` may be shown (crude ones follow the crude
    /// estimates, adjusted ones the adjusted hazard ratios).
    pub fn adjustment(&self, a: Adjustment) -> bool {
        match a {
            Adjustment::Crude => self.crude,
            Adjustment::Adjusted => self.adjusted,
        }
    }
}

/// Which estimates computed from counts may be shown (see [`Shown`]).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Estimates {
    /// Table 2, per design: risk ratio, risk difference and odds ratio.
    pub mortality: Vec<bool>,
    /// Table 3, per design and model: hazard ratio, p-value and E-value.
    pub hazard: Vec<Vec<bool>>,
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
    /// Which estimates of the whole sample may be shown (the log-rank test under the figure).
    pub estimates: Shown,
}

/// The subgroup table's counts after the joint audit.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SubgroupCounts {
    /// All patients: `[d_e, k_e, d_u, k_u]`.
    pub all: [Option<u64>; 4],
    /// Which of the all-patients row's estimates may be shown.
    pub all_estimates: Shown,
    /// Per subgroup variable and level.
    pub levels: Vec<Vec<LevelCounts>>,
    /// Per subgroup variable, the patients of unknown level per arm (Table 4's "not classified"
    /// row; `None`: no such patients, or not exactly those, see the joint audit).
    pub unclassified: Vec<Option<[Option<u64>; 2]>>,
}

/// One subgroup level.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LevelCounts {
    /// Deaths and patients with known status: `[d_e, k_e, d_u, k_u]`.
    pub dk: [Option<u64>; 4],
    /// Which of the level's estimates (risk ratio, hazard ratio, log-rank test) may be shown.
    pub estimates: Shown,
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
        let main_i = main_design(r);
        let core = core::core_counts(r, main_i, rule);
        let (main, joint_t1) = match main_i {
            Some(i) => {
                let (m, t1) = main_counts(r, i, &core, rule);
                (Some(m), t1)
            }
            None => (None, Vec::new()),
        };
        let all_shown = |c: &[Option<u64>]| c.iter().all(Option::is_some);
        let mortality_est: Vec<bool> = core
            .mortality
            .iter()
            .map(|c| c.as_ref().is_some_and(|c| all_shown(c)))
            .collect();
        let hazard_est = r
            .designs
            .iter()
            .zip(core.hazard.iter().zip(&core.mortality))
            .map(|(d, (hs, t2))| {
                let t2_ok = t2.as_ref().is_none_or(|c| all_shown(c));
                d.overall
                    .hazard_ratios
                    .iter()
                    .zip(hs)
                    .map(|(h, c)| {
                        let counts_ok = all_shown(c);
                        counts_ok && Shown::of(&d.overall, t2_ok, rule).hr(h.method)
                    })
                    .collect()
            })
            .collect();
        let pub_arm = |d: core::Decided| d.1.then(|| rule.publish(d.0));
        let sample_arms = main_i.map_or([None; 2], |i| core.arms[i].map(pub_arm));
        DisclosedCounts {
            rule: *rule,
            table1: table1_counts(&r.table1, &joint_t1, core.table1, rule),
            main,
            descriptive: descriptive_counts(&r.descriptive, rule),
            ps_histogram: main_i
                .and_then(|i| r.designs[i].overall.propensity.as_ref())
                .map(|ps| histogram_counts(&ps.histogram, rule)),
            sample: core.sample,
            sample_arms,
            propensity: core.propensity,
            estimates: Estimates {
                mortality: mortality_est,
                hazard: hazard_est,
            },
            mortality: core.mortality,
            hazard: core.hazard,
            flow: core.flow,
        }
    }

    /// A count printed where no published relation links it to other counts: primary
    /// suppression only.
    pub fn alone(&self, n: u64) -> Option<u64> {
        self.rule.alone(n)
    }

    /// How much of a curve may be drawn: the index one past the last time at which at least
    /// `threshold` patients are at risk (of `c` itself, or of the unweighted curve of the same
    /// group whose risk set counts patients).
    pub fn curve_end(&self, c: &Curve) -> usize {
        if !self.rule.active() {
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

/// The main design's risk tables and subgroup table, with the joint audit's Table 1 blocks
/// (empty unless the design is primary).
fn main_counts(
    r: &AnalysisResult,
    i: usize,
    core: &core::Core,
    rule: &DisclosureRule,
) -> (MainCounts, Vec<SuppressedTable>) {
    let d = &r.designs[i];
    let t2 = core.mortality[i];
    let arms = core.arms[i];
    let ticks = horizon_ticks(r, d.design, &d.overall.km);
    let risk = risk::risk_rows(
        &d.overall.km,
        &ticks,
        &risk::arm_sizes(&d.overall, arms),
        rule,
    );
    // The primary design's subgroup table is audited jointly with Table 1 (same sample).
    let t1 = d.primary.then_some((&r.table1, core.table1));
    let joint = joint::joint_counts(&d.overall, &d.subgroups, t1, t2, arms, rule);
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
                    estimates: Shown::of(
                        l,
                        jl.dk.iter().all(Option::is_some)
                            && jl.n.iter().all(|n| n.is_some_and(|x| x.1)),
                        rule,
                    ),
                    risk: risk::level_risk_rows(r, d.design, l, jl, &audited, rule),
                })
                .collect()
        })
        .collect();
    let main = MainCounts {
        design: i,
        ticks,
        risk,
        estimates: Shown::of(
            &d.overall,
            t2.is_some_and(|c| c.iter().all(Option::is_some)),
            rule,
        ),
        subgroups: SubgroupCounts {
            all: joint.all,
            all_estimates: Shown::of(&d.overall, joint.all.iter().all(Option::is_some), rule),
            levels,
            unclassified: joint.unclassified,
        },
    };
    (main, joint.table1)
}

/// Table 1's header and blocks: a block from the joint audit when there is one (`joint`, per
/// variable), else the block audited on its own.
fn table1_counts(
    t1: &Table1,
    joint: &[SuppressedTable],
    header: [core::Decided; 3],
    rule: &DisclosureRule,
) -> Table1Counts {
    Table1Counts {
        arms: header.map(|(n, shown)| shown.then(|| rule.publish(n))),
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

/// The propensity-score histogram as a table of bins by arm with the arm totals (cell
/// suppression with complementary suppression within each arm, as the score distributions).
fn histogram_counts(h: &PsHistogram, rule: &DisclosureRule) -> SuppressedTable {
    let counts: Vec<Vec<u64>> = h
        .exposed
        .iter()
        .zip(&h.unexposed)
        .map(|(&e, &u)| vec![e, u])
        .collect();
    suppress_table(&counts, Margins::Cols, rule)
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
                    .map(|g| g.n.iter().map(|&n| rule.alone(n)).collect())
                    .collect()
            })
            .collect(),
    }
}
