//! The joint audit of the subgroup table (Table 4, its forest plot and the time-0 entries of the
//! subgroup Kaplan-Meier grids) with Table 1 of the same sample: one linked-count system in
//! which a count printed in two places (equal patient fingerprints) is one cell, so it gets one
//! decision wherever it is printed.
//!
//! The system, built in this order (the order fixes the cells' indices, hence the tie-breaks of
//! [`suppress_linked`], so it is part of the output):
//! 1. all patients, per arm: deaths + survivors (hidden) = known, and known + unknown status
//!    (hidden) = patients; the decisions of Table 2 (deaths, known) and of Table 1 / the main
//!    number-at-risk table (arm sizes: primary suppression only) are kept;
//! 2. per subgroup variable, per level and arm the same cells (an arm of the same patients as
//!    one already in the system, equal [`PopulationResult::fingerprint`], shares its cells);
//!    then per arm the levels plus the unpublished remainder (patients whose level is
//!    indeterminate or whose level has a single arm, hidden cells protected when 1..threshold-1)
//!    add up to all patients;
//! 3. with Table 1, per variable and arm, the rows (levels, a binary variable's unprinted "no" or
//!    a continuous variable's unprinted non-missing count, missing) add up to the arm size in
//!    Table 1's header, and each row's overall column adds up the two arms; a cell of the same
//!    patients as a subgroup arm, a subgroup variable's remainder of patients of unknown level
//!    ([`SubgroupResult::remainder_fingerprint`], e.g. Table 1's missing JAAM DIC status) or
//!    another Table 1 cell ([`crate::cohort::table1::ArmSummary::fingerprints`]) is that cell.

use std::collections::BTreeMap;

use crate::cohort::analysis::{PopulationResult, SubgroupResult};
use crate::cohort::table1::{Table1, Table1Variable, VarKind};

use crate::report::disclosure::{suppress_linked, DisclosureRule, LinkedCounts, SuppressedTable};

/// The cells of one arm of one population: patients, patients with known status and deaths
/// (indices into the [`LinkedCounts`]; `n == k` when every patient's status is known, the two
/// then being the same set of patients).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct ArmCells {
    n: usize,
    k: usize,
    d: usize,
}

/// Counts of one subgroup level after the joint audit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct JointLevel {
    /// (deaths, known) exposed then unexposed, as in Table 2; `None` withheld.
    pub dk: [Option<u64>; 4],
    /// Per arm (size, shown): the entry at time 0 of the level's number-at-risk table; `None`
    /// for a level without both arms.
    pub n: [Option<(u64, bool)>; 2],
}

/// The joint audit's decisions.
#[derive(Debug, Clone, PartialEq, Default)]
pub(super) struct JointCounts {
    /// Per subgroup variable and level.
    pub levels: Vec<Vec<JointLevel>>,
    /// Per subgroup variable, the patients of unknown level per arm (`None`: no such patients,
    /// or some level unpublished, so the remainder is not exactly them).
    pub unclassified: Vec<Option<[Option<u64>; 2]>>,
    /// All patients' (deaths, known) exposed then unexposed.
    pub all: [Option<u64>; 4],
    /// Per Table 1 variable, its block (rows as [`super::table1_block_counts`]); empty without
    /// Table 1.
    pub table1: Vec<SuppressedTable>,
}

/// The per-arm (patients, known, deaths) of a population, exposed then unexposed.
fn arm_values(p: &PopulationResult) -> Option<[[u64; 3]; 2]> {
    p.binary.as_ref().map(|b| {
        [
            [
                p.n_exposed as u64,
                b.known_exposed as u64,
                b.deaths_exposed as u64,
            ],
            [
                p.n_unexposed as u64,
                b.known_unexposed as u64,
                b.deaths_unexposed as u64,
            ],
        ]
    })
}

/// One Table 1 block in the system: cells `[row][arm]` and the row totals (overall column).
struct Table1Ids {
    cells: Vec<[usize; 2]>,
    totals: Vec<usize>,
}

/// The system under construction.
struct JointAudit {
    lc: LinkedCounts,
    /// (arm, fingerprint) -> a population arm's cells and values.
    by_fp: BTreeMap<(usize, u64), (ArmCells, [u64; 3])>,
    /// (arm, fingerprint) -> a remainder's patients cell and value, when the remainder is
    /// exactly the patients of unknown level (every level published).
    rem_fp: BTreeMap<(usize, u64), (usize, u64)>,
    /// (arm, fingerprint) -> a Table 1 cell and its value.
    t1_fp: BTreeMap<(usize, u64), (usize, u64)>,
}

/// All patients in the system: their arms' cells and values.
type AllPatients = ([ArmCells; 2], [[u64; 3]; 2]);

impl JointAudit {
    /// The cells of one arm (`v` = patients, known, deaths), shared with an arm of the same
    /// patients already in the system.
    fn arm_cells(&mut self, arm: usize, fp: u64, v: [u64; 3]) -> ArmCells {
        if let Some((c, w)) = self.by_fp.get(&(arm, fp)) {
            // Same patients, hence the same counts (a differing count would be a hash
            // collision: then the arm gets cells of its own).
            if *w == v {
                return *c;
            }
        }
        let lc = &mut self.lc;
        let [n, k, d] = v;
        let d_id = lc.add(d, true);
        let k_id = lc.add(k, true);
        let s_id = lc.add(k.saturating_sub(d), false);
        lc.sum_relation(&[d_id, s_id], k_id);
        let n_id = if n == k {
            k_id
        } else {
            let n_id = lc.add(n, true);
            let u_id = lc.add(n.saturating_sub(k), false);
            lc.sum_relation(&[k_id, u_id], n_id);
            n_id
        };
        let c = ArmCells {
            n: n_id,
            k: k_id,
            d: d_id,
        };
        self.by_fp.entry((arm, fp)).or_insert((c, v));
        c
    }

    /// Step 1: all patients, keeping Table 2's decisions `decided` (and the arm sizes' primary
    /// suppression).
    fn add_all_patients(
        &mut self,
        overall: &PopulationResult,
        decided: Option<[Option<u64>; 4]>,
        arms: [(u64, bool); 2],
    ) -> Option<AllPatients> {
        let v = arm_values(overall)?;
        let cells = [0, 1].map(|a| self.arm_cells(a, overall.fingerprint[a], v[a]));
        for a in 0..2 {
            let c = cells[a];
            if c.n != c.k {
                self.lc.fixed[c.n] = Some(arms[a].1);
            }
            if let Some(dec) = decided {
                self.lc.fixed[c.d] = Some(dec[2 * a].is_some());
                self.lc.fixed[c.k] = Some(dec[2 * a + 1].is_some());
            } else if c.n == c.k {
                self.lc.fixed[c.k] = Some(arms[a].1);
            }
        }
        Some((cells, v))
    }

    /// Step 2 for one subgroup variable: its levels' cells (`None`: a level with a single arm,
    /// which prints no count) and the remainder relations.
    fn add_subgroup(
        &mut self,
        sg: &SubgroupResult,
        all: Option<&AllPatients>,
        print_remainder: bool,
    ) -> (Vec<Option<[ArmCells; 2]>>, Option<[usize; 2]>) {
        let mut cells_of_levels = Vec::new();
        let mut sums = [[0u64; 3]; 2];
        let mut parts: Vec<[ArmCells; 2]> = Vec::new();
        for l in &sg.levels {
            match arm_values(l) {
                Some(v) => {
                    let cells = [0, 1].map(|a| self.arm_cells(a, l.fingerprint[a], v[a]));
                    for a in 0..2 {
                        for q in 0..3 {
                            sums[a][q] += v[a][q];
                        }
                    }
                    parts.push(cells);
                    cells_of_levels.push(Some(cells));
                }
                // A level with a single arm prints no count: its patients are in the remainder.
                None => cells_of_levels.push(None),
            }
        }
        let Some((all, av)) = all else {
            return (cells_of_levels, None);
        };
        if (0..2).any(|a| (0..3).any(|q| sums[a][q] > av[a][q])) {
            return (cells_of_levels, None);
        }
        let every_level = parts.len() == sg.levels.len();
        let mut remainder = [None; 2];
        for a in 0..2 {
            // The remainder (patients of the arm in no published level): its deaths and known
            // status hidden; its patients printed (Table 4's "not classified" row) when every
            // level is published, since it is then exactly the patients of unknown level.
            let rv = [0, 1, 2].map(|q| av[a][q] - sums[a][q]);
            remainder[a] =
                self.add_remainder(sg, a, rv, &parts, all[a], (every_level, print_remainder));
        }
        let printed = print_remainder && sg.n_missing > 0 && remainder.iter().all(Option::is_some);
        (
            cells_of_levels,
            printed.then(|| remainder.map(|r| r.expect("checked"))),
        )
    }

    /// The remainder of arm `a` of a subgroup variable (values `rv` = patients, known, deaths):
    /// levels plus remainder add up to all patients (`all`). Returns its patients cell when
    /// `every_level` (printed when `print` too).
    fn add_remainder(
        &mut self,
        sg: &SubgroupResult,
        a: usize,
        rv: [u64; 3],
        parts: &[[ArmCells; 2]],
        all: ArmCells,
        (every_level, print): (bool, bool),
    ) -> Option<usize> {
        let patients_printed = print && every_level && sg.n_missing > 0;
        let lc = &mut self.lc;
        let r_d = lc.add(rv[2], false);
        let n_is_k = all.n == all.k && parts.iter().all(|c| c[a].n == c[a].k);
        let r_k = lc.add(rv[1], n_is_k && patients_printed);
        let r_s = lc.add(rv[1].saturating_sub(rv[2]), false);
        lc.sum_relation(&[r_d, r_s], r_k);
        let d_parts: Vec<usize> = parts.iter().map(|c| c[a].d).chain([r_d]).collect();
        lc.sum_relation(&d_parts, all.d);
        let k_parts: Vec<usize> = parts.iter().map(|c| c[a].k).chain([r_k]).collect();
        lc.sum_relation(&k_parts, all.k);
        // Patients (only when some arm size differs from its known count).
        if !n_is_k {
            let r_n = lc.add(rv[0], patients_printed);
            let r_u = lc.add(rv[0].saturating_sub(rv[1]), false);
            lc.sum_relation(&[r_k, r_u], r_n);
            let n_parts: Vec<usize> = parts.iter().map(|c| c[a].n).chain([r_n]).collect();
            lc.sum_relation(&n_parts, all.n);
            if every_level {
                self.rem_fp
                    .insert((a, sg.remainder_fingerprint[a]), (r_n, rv[0]));
            }
            every_level.then_some(r_n)
        } else if every_level {
            // Patients = known in every arm: the known count is the patients count.
            self.rem_fp
                .insert((a, sg.remainder_fingerprint[a]), (r_k, rv[0]));
            Some(r_k)
        } else {
            None
        }
    }

    /// A Table 1 cell of arm `a`: the cell of the same patients already in the system (tied by
    /// an equality when one is printed and the other not), else a new one.
    fn t1_cell(&mut self, a: usize, fp: Option<u64>, v: u64, printed: bool) -> usize {
        let Some(fp) = fp else {
            return self.lc.add(v, printed);
        };
        let same = self
            .by_fp
            .get(&(a, fp))
            .filter(|(_, w)| w[0] == v)
            .map(|(c, _)| c.n)
            .or_else(|| self.t1_fp.get(&(a, fp)).filter(|x| x.1 == v).map(|x| x.0))
            .or_else(|| self.rem_fp.get(&(a, fp)).filter(|x| x.1 == v).map(|x| x.0));
        match same {
            Some(id) if self.lc.printed[id] == printed => id,
            Some(other) => {
                let id = self.lc.add(v, printed);
                self.lc.equal_relation(id, other);
                id
            }
            None => {
                let id = self.lc.add(v, printed);
                self.t1_fp.insert((a, fp), (id, v));
                id
            }
        }
    }

    /// Step 3: Table 1's arm sizes (the header's decision, primary suppression only), grand
    /// total and blocks. Returns the blocks and the margins (arm sizes, grand total).
    fn add_table1(
        &mut self,
        t1: &Table1,
        header: [(u64, bool); 3],
    ) -> (Vec<Table1Ids>, [usize; 2], usize) {
        let n_arm = [t1.n_exposed as u64, t1.n_unexposed as u64];
        let tot = [0, 1].map(|a| {
            let id = self.t1_cell(a, Some(t1.fingerprint[a]), n_arm[a], true);
            if self.lc.fixed[id].is_none() {
                self.lc.fixed[id] = Some(header[a].1);
            }
            id
        });
        let n_all = n_arm[0] + n_arm[1];
        let grand = self.lc.add_fixed(n_all, header[2].1);
        self.lc.sum_relation(&tot, grand);
        let blocks = t1
            .variables
            .iter()
            .map(|v| self.add_table1_variable(v, tot))
            .collect();
        (blocks, tot, grand)
    }

    /// One Table 1 variable: its rows per arm and overall, adding up to the arm sizes `tot`.
    fn add_table1_variable(&mut self, v: &Table1Variable, tot: [usize; 2]) -> Table1Ids {
        let mut cells: Vec<[usize; 2]> = Vec::new();
        let mut totals: Vec<usize> = Vec::new();
        for (vals, printed, fps) in table1_rows(v) {
            let c = [0, 1].map(|a| self.t1_cell(a, fps.map(|f| f[a]), vals[a], printed));
            let t = self.lc.add(vals[0] + vals[1], printed);
            self.lc.sum_relation(&c, t);
            cells.push(c);
            totals.push(t);
        }
        for a in 0..2 {
            let parts: Vec<usize> = cells.iter().map(|c| c[a]).collect();
            self.lc.sum_relation(&parts, tot[a]);
        }
        Table1Ids { cells, totals }
    }
}

/// A Table 1 variable's rows in the system: (value per arm, printed, fingerprint per arm). A
/// continuous variable: the non-missing count (not printed, only implied), then missing; binary:
/// "yes", "no" (not printed), missing; categorical: each level, then missing.
pub(super) fn table1_rows(v: &Table1Variable) -> Vec<([u64; 2], bool, Option<[u64; 2]>)> {
    let arms = [&v.exposed, &v.unexposed];
    let mut rows = Vec::new();
    let n_levels = match v.kind {
        VarKind::Binary => 2,
        VarKind::Categorical => v.levels.len(),
        VarKind::Continuous => 0,
    };
    if v.kind == VarKind::Continuous {
        rows.push((arms.map(|x| (x.n - x.n_missing) as u64), false, None));
    }
    for k in 0..n_levels {
        let vals = arms.map(|x| match v.kind {
            VarKind::Binary => {
                let yes = x.counts.first().copied().unwrap_or(0) as u64;
                if k == 0 {
                    yes
                } else {
                    (x.n - x.n_missing) as u64 - yes
                }
            }
            _ => x.counts.get(k).copied().unwrap_or(0) as u64,
        });
        let fps = (arms.iter().all(|x| x.fingerprints.len() > k))
            .then(|| arms.map(|x| x.fingerprints[k]));
        rows.push((vals, !(v.kind == VarKind::Binary && k == 1), fps));
    }
    rows.push((
        arms.map(|x| x.n_missing as u64),
        true,
        Some(arms.map(|x| x.fingerprint_missing)),
    ));
    rows
}

/// Runs the joint audit of one design's subgroup table (`overall`, `subgroups`; `decided`: the
/// design's Table 2 decisions) with Table 1 of the same sample when given.
///
/// A subgroup variable's patients of unknown level (Table 4's "not classified" row) are printed
/// only where that withholds nothing else: starting from none printed, each variable's row is
/// added in turn and kept when every other decision of the audit stays as it was (printing it
/// can otherwise make a small level solvable, which then costs another level's counts).
pub(super) fn joint_counts(
    overall: &PopulationResult,
    subgroups: &[SubgroupResult],
    t1: Option<(&Table1, [(u64, bool); 3])>,
    decided: Option<[Option<u64>; 4]>,
    arms: [(u64, bool); 2],
    rule: &DisclosureRule,
) -> JointCounts {
    let once = |print: &[bool]| audit_once(overall, subgroups, t1, decided, arms, rule, print);
    let mut print = vec![false; subgroups.len()];
    let mut best = once(&print);
    for i in 0..subgroups.len() {
        if subgroups[i].n_missing == 0 {
            continue;
        }
        print[i] = true;
        let trial = once(&print);
        let same_elsewhere = trial.levels == best.levels
            && trial.all == best.all
            && trial.table1 == best.table1
            && (0..subgroups.len())
                .all(|j| j == i || trial.unclassified[j] == best.unclassified[j]);
        if same_elsewhere && trial.unclassified[i].is_some() {
            best = trial;
        } else {
            print[i] = false;
        }
    }
    best
}

/// One pass of the joint audit, with the "not classified" rows of the variables `print` marks.
#[allow(clippy::too_many_arguments)]
fn audit_once(
    overall: &PopulationResult,
    subgroups: &[SubgroupResult],
    t1: Option<(&Table1, [(u64, bool); 3])>,
    decided: Option<[Option<u64>; 4]>,
    arms: [(u64, bool); 2],
    rule: &DisclosureRule,
    print: &[bool],
) -> JointCounts {
    let mut audit = JointAudit {
        lc: LinkedCounts::default(),
        by_fp: BTreeMap::new(),
        rem_fp: BTreeMap::new(),
        t1_fp: BTreeMap::new(),
    };
    let all = audit.add_all_patients(overall, decided, arms);
    let (level_cells, remainder_cells): (Vec<Vec<Option<[ArmCells; 2]>>>, Vec<_>) = subgroups
        .iter()
        .zip(print)
        .map(|(sg, &p)| audit.add_subgroup(sg, all.as_ref(), p))
        .unzip();
    let t1_ids = t1.map(|(t1, header)| audit.add_table1(t1, header));
    let lc = &audit.lc;
    let shown = suppress_linked(lc, rule);
    let get = |i: usize| shown[i].then(|| rule.publish(lc.values[i]));
    let quad = |c: [ArmCells; 2]| [get(c[0].d), get(c[0].k), get(c[1].d), get(c[1].k)];
    let levels = level_cells
        .into_iter()
        .map(|ls| {
            ls.into_iter()
                .map(|c| match c {
                    Some(c) => JointLevel {
                        dk: quad(c),
                        n: c.map(|a| Some((lc.values[a.n], shown[a.n]))),
                    },
                    None => JointLevel {
                        dk: [None; 4],
                        n: [None; 2],
                    },
                })
                .collect()
        })
        .collect();
    let table1 = t1_ids.map_or_else(Vec::new, |(blocks, tot, grand)| {
        blocks
            .iter()
            .map(|b| SuppressedTable {
                cells: b.cells.iter().map(|c| c.map(get).to_vec()).collect(),
                row_totals: b.totals.iter().map(|&t| get(t)).collect(),
                col_totals: tot.map(get).to_vec(),
                grand_total: Some(get(grand)),
            })
            .collect()
    });
    let unclassified = remainder_cells
        .into_iter()
        .map(|r| r.map(|ids| ids.map(get)))
        .collect();
    JointCounts {
        levels,
        unclassified,
        all: all.map_or([None; 4], |(cells, _)| quad(cells)),
        table1,
    }
}
