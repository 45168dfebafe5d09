//! Statistical disclosure control for every count the report publishes.
//!
//! **Rule** (see [`DisclosureRule::statement`], which the report prints):
//! 1. *Primary suppression*: a count `n` with `1 <= n < threshold` is withheld (default threshold
//!    10; 0 disables control). Zero is published.
//! 2. *Complementary suppression*: a table's counts are linked by published linear relations (a
//!    row or column adds up to its total; a flow step's entrants equal those kept plus those
//!    excluded; numbers at risk fall by those leaving). Further counts are withheld until
//!    (a) no withheld sensitive count can be solved for exactly from the published counts and
//!    relations (checked by rank: a withheld cell is determined iff removing its column from the
//!    relations restricted to withheld cells lowers their rank), and (b) no single relation
//!    reveals a sum of withheld counts of one sign (e.g. "the two withheld cells of this row add
//!    up to 4") that is itself between 1 and threshold - 1. The complement chosen is the smallest
//!    published count in a violated relation, preferring a count of the same sign (same side of
//!    the relation) and non-zero counts; ties go to the first cell, so the result is
//!    deterministic.
//! 3. Numbers at risk: consecutive published numbers of one group differ by the number who left
//!    the risk set in between; those differences are treated as hidden counts and protected by
//!    rule 2, which withholds the later number when a difference is 1..threshold-1.
//!
//! This follows the cell-suppression practice of national statistical offices (primary plus
//! complementary suppression, e.g. Hundepool et al., *Statistical Disclosure Control*, 2012,
//! ch. 4) with an exact linear audit instead of a heuristic one. The audit is per table;
//! between tables, a count printed again elsewhere keeps the decision made for it first
//! ([`LinkedCounts::fixed`]: group sizes, the Table 2 counts in the subgroup table, arm sizes
//! at time 0 of the risk tables), and `report::disclosed` withholds totals that would give a
//! withheld count back by one subtraction. The subgroup table is audited as one system across
//! all its subgroup variables: each variable's levels plus its unpublished remainder (patients
//! in no level) add up to all patients, the remainder is a hidden cell protected like any other,
//! and cells of the same patients (equal `PopulationResult::fingerprint`) are one cell, so a
//! count printed in two blocks gets one decision (see also [`LinkedCounts::equal_relation`]).
//! The numbers at risk of the subgroup Kaplan-Meier grids are audited the same way, per arm, at
//! every time, against the main figure's numbers at risk. Table 1 (same sample as the
//! primary design) joins the subgroup table's system: per variable and arm, its rows (levels,
//! unprinted "no" or non-missing counts, missing) add up to the arm size, the overall column
//! adds up the arms, and a Table 1 cell of the same patients as a subgroup arm or another
//! Table 1 cell (equal fingerprints) is that cell. Other tables (Table 2, the flow, the
//! sensitivity designs' subgroup tables) keep decisions made first and are not audited jointly.

use serde::Serialize;

use super::counts::WITHHELD;
use crate::plot::flow::FlowBox;
use crate::schema::CohortFlow;

mod tables;

pub use tables::*;

/// Which disclosure rule the report applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum RuleKind {
    /// Primary and complementary cell suppression (module header).
    #[default]
    Suppress,
    /// OpenSAFELY-style: counts from 1 to `threshold - 1` withheld, every other count rounded
    /// to a multiple of `base`; survival curves computed from rounded counts.
    Round,
}

/// The disclosure rule: counts in `1..threshold` are withheld; `threshold = 0` disables control.
/// Under [`RuleKind::Round`] every published count is rounded to a multiple of `base`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct DisclosureRule {
    pub threshold: u64,
    pub kind: RuleKind,
    /// Rounding base of [`RuleKind::Round`] (ignored by [`RuleKind::Suppress`]).
    pub base: u64,
}

impl Default for DisclosureRule {
    fn default() -> Self {
        DisclosureRule {
            threshold: 10,
            kind: RuleKind::Suppress,
            base: 5,
        }
    }
}

impl DisclosureRule {
    /// Cell suppression with `threshold`.
    pub fn new(threshold: u64) -> Self {
        DisclosureRule {
            threshold,
            ..Default::default()
        }
    }

    /// Rounding (OpenSAFELY-style) with `threshold` and `base` (a base of 0 or 1 rounds
    /// nothing).
    pub fn rounding(threshold: u64, base: u64) -> Self {
        DisclosureRule {
            threshold,
            kind: RuleKind::Round,
            base,
        }
    }

    /// Whether any control is applied.
    pub fn active(&self) -> bool {
        self.threshold > 1
    }

    /// Whether counts are rounded (the rule is [`RuleKind::Round`] with a base above 1).
    pub fn rounds(&self) -> bool {
        self.active() && self.kind == RuleKind::Round && self.base > 1
    }

    /// Whether `n` may not be published (1 <= n < threshold).
    pub fn is_sensitive(&self, n: u64) -> bool {
        self.threshold > 0 && n >= 1 && n < self.threshold
    }

    /// The value printed for a count that is not withheld: `n` itself, or under
    /// [`RuleKind::Round`] the nearest multiple of `base` (halves up), never below the
    /// threshold (the next multiple up is taken instead), so that no printed count lies in
    /// 1..threshold-1. Zero stays zero.
    ///
    /// # Formula
    /// `round(n) = base * floor((n + floor(base / 2)) / base)`, raised by `base` while it is
    /// below `threshold`.
    pub fn publish(&self, n: u64) -> u64 {
        if !self.rounds() || n == 0 {
            return n;
        }
        let b = self.base;
        let mut r = (n + b / 2) / b * b;
        while r < self.threshold {
            r += b;
        }
        r
    }

    /// The published form of a count on its own: `None` when sensitive, else [`Self::publish`].
    pub fn alone(&self, n: u64) -> Option<u64> {
        (!self.is_sensitive(n)).then(|| self.publish(n))
    }

    /// The rule in words, for the report.
    pub fn statement(&self) -> String {
        if !self.active() {
            return "Disclosure control was disabled (threshold 0): every count is shown as computed."
                .to_string();
        }
        let t = self.threshold;
        let m = t - 1;
        let estimates = format!(
            "Every estimate computed from counts of which one is withheld (risk ratio, risk \
             difference and odds ratio with their confidence intervals, hazard ratios with their \
             p-values and E-values, log-rank p-values) is withheld with it and shown as \"{WITHHELD}\"."
        );
        if self.rounds() {
            return format!(
                "Disclosure control (rounding, as practised by OpenSAFELY): counts from 1 to {m} \
                 are withheld and shown as \"{WITHHELD}\" (zero is shown); every other count is \
                 rounded to the nearest multiple of {b} (never below {t}), and percentages, risk \
                 ratios, risk differences and odds ratios are computed from the rounded counts. \
                 {estimates} Survival and cumulative incidence curves are computed from rounded \
                 counts, as the OpenSAFELY Kaplan-Meier action does: running totals of censorings \
                 and the group sizes rounded to multiples of {t} at the midpoint, running totals \
                 of events rounded down to multiples of {t}, so that each step of a curve stands \
                 for a multiple of {t} events; they are drawn while at least {t} patients remain \
                 at risk, without censoring marks or confidence bands. Patient identifiers never \
                 appear in this report.",
                b = self.base,
            );
        }
        format!(
            "Disclosure control: counts from 1 to {m} are withheld and shown as \"{WITHHELD}\" (zero is shown); \
             percentages of withheld counts are withheld too. Every count printed anywhere in the \
             report (tables, the summary and methods text, the flow diagram, numbers at risk) is \
             one cell of a system of linear relations (row and column totals, the numbers entering \
             and leaving a flow step, the same patients counted in two tables, differences \
             between numbers at risk); further counts are withheld until no withheld count of 1 \
             to {m} can be solved for exactly from the published counts and no published relation \
             reveals a total of withheld counts between 1 and {m}, choosing the smallest counts \
             that protect them and publishing again every count whose suppression turns out not \
             to be needed. {estimates} Survival and cumulative incidence curves are drawn while at \
             least {t} patients remain at risk, with the events of fewer than {t} patients pooled \
             into the next step drawn, so that each step stands for at least {t} events, and \
             without censoring marks. Patient identifiers never appear in this report."
        )
    }
}

/// A set of counts linked by linear relations `sum(coef * value) = 0`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LinkedCounts {
    pub values: Vec<u64>,
    /// `false`: never printed (a hidden count such as the number leaving a risk set between two
    /// times); still protected when sensitive.
    pub printed: Vec<bool>,
    pub relations: Vec<Vec<(usize, i8)>>,
    /// A decision already made elsewhere in the report (the same count printed in another
    /// table): `Some(true)` shown, `Some(false)` withheld; never changed here, never used as a
    /// complement. Missing entries mean `None`.
    pub fixed: Vec<Option<bool>>,
}

impl LinkedCounts {
    /// Adds a count; returns its index.
    pub fn add(&mut self, value: u64, printed: bool) -> usize {
        self.values.push(value);
        self.printed.push(printed);
        self.fixed.resize(self.values.len() - 1, None);
        self.fixed.push(None);
        self.values.len() - 1
    }
    /// Adds a printed count whose fate was decided elsewhere (`shown`); returns its index.
    pub fn add_fixed(&mut self, value: u64, shown: bool) -> usize {
        let i = self.add(value, true);
        self.fixed[i] = Some(shown);
        i
    }
    fn fixed_state(&self, i: usize) -> Option<bool> {
        self.fixed.get(i).copied().flatten()
    }
    /// Adds the relation `a = b` (two cells counting the same patients).
    pub fn equal_relation(&mut self, a: usize, b: usize) {
        if a != b {
            self.relations.push(vec![(a, 1), (b, -1)]);
        }
    }
    /// Adds the relation `sum(parts) = total`.
    pub fn sum_relation(&mut self, parts: &[usize], total: usize) {
        let mut r: Vec<(usize, i8)> = parts.iter().map(|&p| (p, 1)).collect();
        r.push((total, -1));
        self.relations.push(r);
    }
}

/// Which cells the relations determine exactly, given the shown cells: a withheld or hidden cell
/// `j` is determined iff the unit vector `e_j` lies in the row space of the relations restricted
/// to the cells not shown (equivalently, removing its column lowers the rank). Computed for all
/// cells at once from the reduced row echelon form (Gaussian elimination with partial pivoting):
/// `e_j` is in the row space iff `j` is a pivot column whose row has no other non-zero entry.
/// Shown cells are reported as not determined.
pub fn determined_cells(lc: &LinkedCounts, shown: &[bool]) -> Vec<bool> {
    let n = lc.values.len();
    // A cell not shown that occurs in a single relation (e.g. a hidden "left the risk set"
    // count) is taken out with its relation: it is determined iff the rest of that relation is
    // in the row space of the other relations, and the other cells' status does not change.
    let mut occurs = vec![0usize; n];
    for rel in &lc.relations {
        for &(i, s) in rel {
            if s != 0 {
                occurs[i] += 1;
            }
        }
    }
    let pendant = |i: usize| !shown[i] && occurs[i] == 1;
    let mut kept: Vec<&Vec<(usize, i8)>> = Vec::new();
    // (pendant cell, the rest of its relation).
    let mut rests: Vec<(usize, Vec<(usize, i8)>)> = Vec::new();
    for rel in &lc.relations {
        let ps: Vec<usize> = rel
            .iter()
            .filter(|(i, s)| *s != 0 && pendant(*i))
            .map(|x| x.0)
            .collect();
        match ps.len() {
            0 => kept.push(rel),
            // One pendant: determined iff the rest is; two or more: none is, and the relation
            // constrains nothing else.
            1 => rests.push((
                ps[0],
                rel.iter().copied().filter(|(i, _)| *i != ps[0]).collect(),
            )),
            _ => {}
        }
    }
    let unknown: Vec<usize> = (0..n).filter(|&i| !shown[i] && !pendant(i)).collect();
    let mut col = vec![usize::MAX; n];
    for (k, &i) in unknown.iter().enumerate() {
        col[i] = k;
    }
    let nc = unknown.len();
    let dense = |rel: &[(usize, i8)]| -> Vec<f64> {
        let mut row = vec![0.0; nc];
        for &(i, s) in rel {
            if col[i] != usize::MAX {
                row[col[i]] += s as f64;
            }
        }
        row
    };
    let mut m: Vec<Vec<f64>> = kept
        .iter()
        .map(|rel| dense(rel))
        .filter(|row| row.iter().any(|x| x.abs() > 1e-9))
        .collect();
    let mut pivots: Vec<(usize, usize)> = Vec::new();
    let mut r = 0;
    for c in 0..nc {
        if r == m.len() {
            break;
        }
        let p = (r..m.len())
            .max_by(|&a, &b| m[a][c].abs().total_cmp(&m[b][c].abs()).then(b.cmp(&a)))
            .unwrap_or(r);
        if m[p][c].abs() < 1e-9 {
            continue;
        }
        m.swap(r, p);
        let inv = 1.0 / m[r][c];
        for x in m[r][c..].iter_mut() {
            *x *= inv;
        }
        let pivot = m[r].clone();
        for (i, row) in m.iter_mut().enumerate() {
            if i != r {
                let f = row[c];
                if f.abs() > 1e-12 {
                    for (x, p) in row[c..].iter_mut().zip(&pivot[c..]) {
                        *x -= f * p;
                    }
                    row[c] = 0.0;
                }
            }
        }
        pivots.push((r, c));
        r += 1;
    }
    let mut out = vec![false; n];
    for &(r, c) in &pivots {
        if m[r]
            .iter()
            .enumerate()
            .all(|(k, x)| k == c || x.abs() < 1e-9)
        {
            out[unknown[c]] = true;
        }
    }
    for (p, rest) in rests {
        let mut g = dense(&rest);
        for &(r, c) in &pivots {
            let f = g[c];
            if f.abs() > 1e-12 {
                for (x, y) in g.iter_mut().zip(&m[r]) {
                    *x -= f * y;
                }
            }
        }
        out[p] = g.iter().all(|x| x.abs() < 1e-9);
    }
    out
}

/// Whether unknown cell `j` is determined by the relations given the shown cells.
fn determined(lc: &LinkedCounts, shown: &[bool], j: usize) -> bool {
    determined_cells(lc, shown)[j]
}

/// What makes a suppression pattern unsafe.
enum Violation {
    /// Relation `rel` reveals the sum of its withheld counts of sign `sign`, between 1 and
    /// threshold - 1.
    SmallSum(usize, i8),
    /// A sensitive count (or one withheld elsewhere) that the published counts determine
    /// exactly.
    Determined(usize),
}

/// Whether relation `rel` reveals a small sum: its withheld counts that the published ones do
/// not determine (`det`) are all of one sign and add up to 1..threshold-1.
fn small_sum(
    lc: &LinkedCounts,
    shown: &[bool],
    det: &[bool],
    rel: &[(usize, i8)],
    rule: &DisclosureRule,
) -> Option<i8> {
    let unknown: Vec<(usize, i8)> = rel
        .iter()
        .copied()
        .filter(|(i, _)| !shown[*i] && !det[*i])
        .collect();
    let &(_, sign) = unknown.first()?;
    let sum: u64 = unknown.iter().map(|(i, _)| lc.values[*i]).sum();
    (unknown.iter().all(|(_, s)| *s == sign) && rule.is_sensitive(sum)).then_some(sign)
}

/// The first violation of the pattern `shown`, if any (relations in order, then cells). A
/// withheld count that the published ones determine is as good as published: it does not hide
/// the others of its relations, so the small-sum check counts only the undetermined ones.
fn violation(lc: &LinkedCounts, shown: &[bool], rule: &DisclosureRule) -> Option<Violation> {
    let n = lc.values.len();
    if shown.iter().all(|&s| s) {
        return None;
    }
    let det = determined_cells(lc, shown);
    for (r, rel) in lc.relations.iter().enumerate() {
        if let Some(sign) = small_sum(lc, shown, &det, rel, rule) {
            return Some(Violation::SmallSum(r, sign));
        }
    }
    // A count withheld elsewhere in the report (a complement there) is protected here too:
    // this system must not give back what another withheld to protect a sensitive count.
    (0..n)
        .find(|&j| {
            !shown[j]
                && (rule.is_sensitive(lc.values[j]) || lc.fixed_state(j) == Some(false))
                && det[j]
        })
        .map(Violation::Determined)
}

/// The complement that repairs violation `v`: among the published counts of the violating
/// relation (or of the relations through the determined count), the same side first and the
/// smallest first, then those of the relations sharing a withheld count with it, then every
/// other published count (smallest first), the first whose suppression repairs it, else the
/// first candidate.
fn complement(
    lc: &LinkedCounts,
    shown: &[bool],
    rule: &DisclosureRule,
    v: &Violation,
) -> Option<usize> {
    // A zero is never withheld (the statement says zero is shown; a reader may take every
    // withheld count to be at least 1).
    let free = |i: usize| shown[i] && lc.fixed_state(i).is_none() && lc.values[i] > 0;
    // (relations to draw candidates from, in order; the sign of the side to prefer).
    let mut rels: Vec<(&Vec<(usize, i8)>, i8)> = Vec::new();
    match *v {
        Violation::SmallSum(r, sign) => {
            let rel = &lc.relations[r];
            rels.push((rel, sign));
            let withheld: Vec<usize> = rel
                .iter()
                .filter(|(i, _)| !shown[*i])
                .map(|x| x.0)
                .collect();
            for (k, other) in lc.relations.iter().enumerate() {
                if k != r && other.iter().any(|(i, _)| withheld.contains(i)) {
                    rels.push((other, 0));
                }
            }
        }
        Violation::Determined(j) => {
            let mut through: Vec<&Vec<(usize, i8)>> = lc
                .relations
                .iter()
                .filter(|r| r.iter().any(|(i, _)| *i == j))
                .collect();
            through.sort_by_key(|r| r.iter().filter(|(i, _)| !shown[*i]).count());
            for r in through {
                let sign = r.iter().find(|(i, _)| *i == j).map_or(0, |x| x.1);
                rels.push((r, sign));
            }
        }
    }
    let mut cands: Vec<usize> = Vec::new();
    for (r, sign) in rels {
        let mut c: Vec<(usize, i8)> = r.iter().copied().filter(|(i, _)| free(*i)).collect();
        c.sort_by_key(|&(i, s)| (lc.values[i] == 0, sign != 0 && s != sign, lc.values[i], i));
        for (i, _) in c {
            if !cands.contains(&i) {
                cands.push(i);
            }
        }
    }
    let mut rest: Vec<usize> = (0..lc.values.len())
        .filter(|&i| free(i) && !cands.contains(&i))
        .collect();
    rest.sort_by_key(|&i| (lc.values[i] == 0, lc.values[i], i));
    cands.extend(rest);
    let repairs = |c: usize| {
        let mut trial = shown.to_vec();
        trial[c] = false;
        match *v {
            Violation::SmallSum(r, _) => {
                let det = determined_cells(lc, &trial);
                small_sum(lc, &trial, &det, &lc.relations[r], rule).is_none()
            }
            Violation::Determined(j) => !determined(lc, &trial, j),
        }
    };
    cands
        .iter()
        .copied()
        .find(|&c| repairs(c))
        .or_else(|| cands.first().copied())
}

/// Decides which counts may be shown: `true` = shown. Pure and deterministic.
///
/// 1. Primary suppression: sensitive counts (1..threshold-1) are withheld; counts decided
///    elsewhere keep their decision.
/// 2. Complementary suppression (greedy): while a relation reveals a small sum of withheld
///    counts, or a sensitive count (printed or hidden) can be solved for exactly, the
///    complement of [`complement`] is withheld.
/// 3. Clean-up (the pattern is made irredundant): every complement, largest first, is
///    published again when the pattern stays safe without it. The greedy pass may take a
///    large count that a later, smaller complement made unnecessary; this pass gives it back,
///    so no count is withheld whose publication would be safe on its own.
///
/// Only sensitive counts, and counts withheld by an earlier system of the report (fixed
/// withheld), are protected: a complement of this system (at least the threshold) that the
/// published counts determine is not a disclosure. Under [`RuleKind::Round`] only step 1
/// applies: rounding every published count protects the withheld ones from subtraction (the
/// OpenSAFELY practice).
pub fn suppress_linked(lc: &LinkedCounts, rule: &DisclosureRule) -> Vec<bool> {
    let n = lc.values.len();
    let mut shown: Vec<bool> = (0..n)
        .map(|i| {
            lc.fixed_state(i)
                .unwrap_or(lc.printed[i] && !rule.is_sensitive(lc.values[i]))
        })
        .collect();
    if !rule.active() || rule.rounds() {
        return shown;
    }
    while let Some(v) = violation(lc, &shown, rule) {
        match complement(lc, &shown, rule, &v) {
            Some(c) => shown[c] = false,
            None => break,
        }
    }
    let mut comps: Vec<usize> = (0..n)
        .filter(|&i| {
            !shown[i]
                && lc.printed[i]
                && lc.fixed_state(i).is_none()
                && !rule.is_sensitive(lc.values[i])
        })
        .collect();
    comps.sort_by_key(|&i| (std::cmp::Reverse(lc.values[i]), i));
    for c in comps {
        shown[c] = true;
        if violation(lc, &shown, rule).is_some() {
            shown[c] = false;
        }
    }
    shown
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rank of a dense matrix (the definition the fast check must agree with).
    fn rank(mut m: Vec<Vec<f64>>, ncol: usize) -> usize {
        let mut r = 0;
        for c in 0..ncol {
            if r == m.len() {
                break;
            }
            let p = (r..m.len())
                .max_by(|&a, &b| m[a][c].abs().total_cmp(&m[b][c].abs()))
                .unwrap();
            if m[p][c].abs() < 1e-9 {
                continue;
            }
            m.swap(r, p);
            let piv = m[r].clone();
            for (i, row) in m.iter_mut().enumerate() {
                if i != r {
                    let f = row[c] / piv[c];
                    for (x, y) in row.iter_mut().zip(&piv) {
                        *x -= f * y;
                    }
                }
            }
            r += 1;
        }
        r
    }

    #[test]
    fn determined_cells_agree_with_the_rank_definition() {
        // Random systems: sums, equalities and single-use hidden cells; a cell is determined iff
        // removing its column lowers the rank of the relations restricted to unknown cells.
        let mut state: u64 = 12345;
        let mut next = |m: u64| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 33) % m
        };
        for _ in 0..300 {
            let n = 3 + next(8) as usize;
            let mut lc = LinkedCounts::default();
            for _ in 0..n {
                let v = next(30);
                let printed = next(4) != 0;
                lc.add(v, printed);
            }
            for _ in 0..next(6) {
                let k = 1 + next(3) as usize;
                let parts: Vec<usize> = (0..k).map(|_| next(n as u64) as usize).collect();
                let t = next(n as u64) as usize;
                if next(3) == 0 {
                    lc.equal_relation(parts[0], t);
                } else {
                    lc.sum_relation(&parts, t);
                }
            }
            let shown: Vec<bool> = (0..n).map(|_| next(2) == 0).collect();
            let fast = determined_cells(&lc, &shown);
            let unknown: Vec<usize> = (0..n).filter(|&i| !shown[i]).collect();
            let build = |cols: &[usize]| -> Vec<Vec<f64>> {
                lc.relations
                    .iter()
                    .map(|rel| {
                        cols.iter()
                            .map(|&c| {
                                rel.iter()
                                    .filter(|(i, _)| *i == c)
                                    .map(|(_, s)| *s as f64)
                                    .sum()
                            })
                            .collect()
                    })
                    .collect()
            };
            for &j in &unknown {
                let without: Vec<usize> = unknown.iter().copied().filter(|&i| i != j).collect();
                let slow =
                    rank(build(&unknown), unknown.len()) > rank(build(&without), without.len());
                assert_eq!(fast[j], slow, "cell {j} of {lc:?} shown {shown:?}");
            }
        }
    }

    #[test]
    fn determined_cells_from_the_row_space() {
        // a + b = t and a = c (an equality): with t and c shown, a and b are determined.
        let mut lc = LinkedCounts::default();
        let a = lc.add(3, true);
        let b = lc.add(40, true);
        let t = lc.add(43, true);
        let c = lc.add(3, true);
        lc.sum_relation(&[a, b], t);
        lc.equal_relation(a, c);
        let d = determined_cells(&lc, &[false, false, true, true]);
        assert_eq!(d, vec![true, true, false, false]);
        // With c withheld too, a, b and c are each free.
        let d = determined_cells(&lc, &[false, false, true, false]);
        assert_eq!(d, vec![false, false, false, false]);
        // No relation: nothing is determined.
        let lc = LinkedCounts {
            values: vec![1, 2],
            printed: vec![true, true],
            ..Default::default()
        };
        assert_eq!(determined_cells(&lc, &[false, false]), vec![false, false]);
    }

    #[test]
    fn two_by_two_with_margins_protects_the_small_cell() {
        let t = suppress_table(
            &[vec![3, 40], vec![25, 60]],
            Margins::Both,
            &DisclosureRule::default(),
        );
        assert_eq!(t.cells[0][0], None);
        // The row and the column of the small cell each lose a second cell.
        assert!(t.cells[0][1].is_none() || t.row_totals[0].is_none());
        assert!(t.cells[1][0].is_none() || t.col_totals[0].is_none());
        let hidden = t.cells.iter().flatten().filter(|c| c.is_none()).count();
        assert!(hidden >= 2);
    }

    #[test]
    fn threshold_zero_disables() {
        let t = suppress_table(
            &[vec![1, 2], vec![3, 4]],
            Margins::Both,
            &DisclosureRule::new(0),
        );
        assert_eq!(
            t.cells,
            vec![vec![Some(1), Some(2)], vec![Some(3), Some(4)]]
        );
        assert!(DisclosureRule::new(0).statement().contains("disabled"));
    }

    #[test]
    fn fixed_decisions_are_kept_and_never_used_as_complements() {
        // deaths (3, sensitive) + survivors (hidden) = known (40, printed elsewhere: fixed).
        let mut lc = LinkedCounts::default();
        let d = lc.add(3, true);
        let k = lc.add_fixed(40, true);
        let s = lc.add(37, false);
        lc.sum_relation(&[d, s], k);
        let shown = suppress_linked(&lc, &DisclosureRule::default());
        assert!(!shown[d] && shown[k] && !shown[s]);
        // A count withheld elsewhere stays withheld and is protected: here its row would give
        // it back, so the other cell of the row is withheld too.
        let mut lc = LinkedCounts::default();
        let a = lc.add_fixed(25, false);
        let b = lc.add(30, true);
        let t = lc.add(55, true);
        lc.sum_relation(&[a, b], t);
        let shown = suppress_linked(&lc, &DisclosureRule::default());
        assert!(!shown[a] && (!shown[b] || !shown[t]));
    }

    #[test]
    fn risk_row_withholds_small_differences() {
        let r = suppress_risk_row(&[200, 195, 180, 150, 7], &DisclosureRule::default());
        assert_eq!(r, vec![Some(200), None, Some(180), Some(150), None]);
        let r = suppress_risk_row(&[200, 200, 150], &DisclosureRule::default());
        assert_eq!(r, vec![Some(200), Some(200), Some(150)]);
    }
}
