//! Disclosure control, checked by brute force: no published count is in 1..threshold-1, no
//! withheld count follows from its row or column by one subtraction, and (for small tables) every
//! withheld sensitive count has at least two values consistent with everything published
//! (exhaustive search over non-negative integer completions).

use std::collections::BTreeSet;

use dicohort::report::disclosure::{
    suppress_flow, suppress_risk_row, suppress_table, DisclosureRule, Margins, SuppressedTable,
};
use dicohort::schema::CohortFlow;

struct Lcg(u64);
impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
    /// A count that is small (1..9) often, zero sometimes, otherwise up to `max`.
    fn count(&mut self, max: u64) -> u64 {
        match self.below(4) {
            0 => 1 + self.below(9),
            1 => self.below(2) * (1 + self.below(3)),
            _ => self.below(max + 1),
        }
    }
}

fn table(rng: &mut Lcg, nr: usize, nc: usize, max: u64) -> Vec<Vec<u64>> {
    (0..nr)
        .map(|_| (0..nc).map(|_| rng.count(max)).collect())
        .collect()
}

fn published(t: &SuppressedTable) -> Vec<u64> {
    t.cells
        .iter()
        .flatten()
        .chain(&t.row_totals)
        .chain(&t.col_totals)
        .chain(t.grand_total.iter())
        .flatten()
        .copied()
        .collect()
}

/// Lines of the table with margins: (cells, total) where total is None when not printed.
fn check_one_subtraction(t: &SuppressedTable) {
    let nr = t.cells.len();
    let nc = t.cells[0].len();
    for r in 0..nr {
        if let Some(total) = t.row_totals.get(r) {
            let unknown =
                t.cells[r].iter().filter(|c| c.is_none()).count() + usize::from(total.is_none());
            assert_ne!(unknown, 1, "row {r} has exactly one withheld entry: {t:?}");
        }
    }
    for c in 0..nc {
        if let Some(total) = t.col_totals.get(c) {
            let unknown =
                (0..nr).filter(|&r| t.cells[r][c].is_none()).count() + usize::from(total.is_none());
            assert_ne!(
                unknown, 1,
                "column {c} has exactly one withheld entry: {t:?}"
            );
        }
    }
    if let Some(g) = t.grand_total {
        let u = t.row_totals.iter().filter(|x| x.is_none()).count() + usize::from(g.is_none());
        assert_ne!(u, 1, "row totals: {t:?}");
        let u = t.col_totals.iter().filter(|x| x.is_none()).count() + usize::from(g.is_none());
        assert_ne!(u, 1, "column totals: {t:?}");
    }
}

/// Every value each withheld cell can take in a non-negative integer completion (cells <= cap)
/// consistent with all published cells and margins. Index: cells row-major, then row totals,
/// column totals, grand total.
fn feasible(t: &SuppressedTable, cap: u64) -> Vec<BTreeSet<u64>> {
    let nr = t.cells.len();
    let nc = t.cells[0].len();
    let n_all =
        nr * nc + t.row_totals.len() + t.col_totals.len() + usize::from(t.grand_total.is_some());
    let mut seen = vec![BTreeSet::new(); n_all];
    let unknown: Vec<usize> = (0..nr * nc)
        .filter(|&i| t.cells[i / nc][i % nc].is_none())
        .collect();
    let mut x: Vec<u64> = (0..nr * nc)
        .map(|i| t.cells[i / nc][i % nc].unwrap_or(0))
        .collect();
    #[allow(clippy::too_many_arguments)]
    fn dfs(
        k: usize,
        unknown: &[usize],
        x: &mut Vec<u64>,
        t: &SuppressedTable,
        nr: usize,
        nc: usize,
        cap: u64,
        seen: &mut Vec<BTreeSet<u64>>,
    ) {
        // Prune: a published row/column total already exceeded.
        for r in 0..nr {
            if let Some(Some(tot)) = t.row_totals.get(r) {
                if (0..nc).map(|c| x[r * nc + c]).sum::<u64>() > *tot {
                    return;
                }
            }
        }
        for c in 0..nc {
            if let Some(Some(tot)) = t.col_totals.get(c) {
                if (0..nr).map(|r| x[r * nc + c]).sum::<u64>() > *tot {
                    return;
                }
            }
        }
        if k == unknown.len() {
            let rows: Vec<u64> = (0..nr)
                .map(|r| (0..nc).map(|c| x[r * nc + c]).sum())
                .collect();
            let cols: Vec<u64> = (0..nc)
                .map(|c| (0..nr).map(|r| x[r * nc + c]).sum())
                .collect();
            let grand: u64 = rows.iter().sum();
            let ok = t
                .row_totals
                .iter()
                .zip(&rows)
                .all(|(p, v)| p.is_none_or(|p| p == *v))
                && t.col_totals
                    .iter()
                    .zip(&cols)
                    .all(|(p, v)| p.is_none_or(|p| p == *v))
                && t.grand_total.is_none_or(|g| g.is_none_or(|g| g == grand));
            if ok {
                for i in 0..nr * nc {
                    seen[i].insert(x[i]);
                }
                let mut j = nr * nc;
                for v in rows.iter().take(t.row_totals.len()) {
                    seen[j].insert(*v);
                    j += 1;
                }
                for v in cols.iter().take(t.col_totals.len()) {
                    seen[j].insert(*v);
                    j += 1;
                }
                if t.grand_total.is_some() {
                    seen[j].insert(grand);
                }
            }
            return;
        }
        // When this is the last withheld cell of a row or column with a printed total, its value
        // is forced; otherwise try every value up to the cap.
        let (r, c) = (unknown[k] / nc, unknown[k] % nc);
        let last_in_row = !unknown[k + 1..].iter().any(|&u| u / nc == r);
        let last_in_col = !unknown[k + 1..].iter().any(|&u| u % nc == c);
        let forced = if let (true, Some(Some(tot))) = (last_in_row, t.row_totals.get(r)) {
            let others: u64 = (0..nc).filter(|&j| j != c).map(|j| x[r * nc + j]).sum();
            Some(tot.checked_sub(others))
        } else if let (true, Some(Some(tot))) = (last_in_col, t.col_totals.get(c)) {
            let others: u64 = (0..nr).filter(|&i| i != r).map(|i| x[i * nc + c]).sum();
            Some(tot.checked_sub(others))
        } else if let (true, Some(Some(g))) = (k + 1 == unknown.len(), t.grand_total) {
            let others: u64 = (0..nr * nc)
                .filter(|&i| i != unknown[k])
                .map(|i| x[i])
                .sum();
            Some(g.checked_sub(others))
        } else {
            None
        };
        match forced {
            Some(Some(v)) => {
                x[unknown[k]] = v;
                dfs(k + 1, unknown, x, t, nr, nc, cap, seen);
            }
            Some(None) => {}
            None => {
                let mut hi = cap;
                if let Some(Some(tot)) = t.row_totals.get(r) {
                    hi = hi.min(*tot);
                }
                if let Some(Some(tot)) = t.col_totals.get(c) {
                    hi = hi.min(*tot);
                }
                if let Some(Some(g)) = t.grand_total {
                    hi = hi.min(g);
                }
                for v in 0..=hi {
                    x[unknown[k]] = v;
                    dfs(k + 1, unknown, x, t, nr, nc, cap, seen);
                }
            }
        }
        x[unknown[k]] = 0;
    }
    dfs(0, &unknown, &mut x, t, nr, nc, cap, &mut seen);
    seen
}

fn all_values(counts: &[Vec<u64>], t: &SuppressedTable) -> Vec<u64> {
    let nr = counts.len();
    let nc = counts[0].len();
    let rows: Vec<u64> = counts.iter().map(|r| r.iter().sum()).collect();
    let cols: Vec<u64> = (0..nc).map(|c| counts.iter().map(|r| r[c]).sum()).collect();
    let mut v: Vec<u64> = counts.iter().flatten().copied().collect();
    v.extend(rows.iter().take(t.row_totals.len()));
    v.extend(cols.iter().take(t.col_totals.len()));
    if t.grand_total.is_some() {
        v.push(rows.iter().sum());
    }
    assert_eq!(
        v.len(),
        nr * nc + t.row_totals.len() + t.col_totals.len() + usize::from(t.grand_total.is_some())
    );
    v
}

fn shown_flags(t: &SuppressedTable) -> Vec<bool> {
    t.cells
        .iter()
        .flatten()
        .chain(&t.row_totals)
        .chain(&t.col_totals)
        .chain(t.grand_total.iter())
        .map(Option::is_some)
        .collect()
}

#[test]
fn no_small_count_is_published_and_none_follows_by_subtraction() {
    let rule = DisclosureRule::default();
    let mut rng = Lcg(7);
    for case in 0..600 {
        let nr = 2 + (case % 3);
        let nc = 2 + (case / 3 % 3);
        let margins = [Margins::Both, Margins::Cols, Margins::Rows, Margins::None][case % 4];
        let counts = table(&mut rng, nr, nc, 80);
        let t = suppress_table(&counts, margins, &rule);
        for n in published(&t) {
            assert!(!rule.is_sensitive(n), "published {n} in {t:?}");
        }
        check_one_subtraction(&t);
        // Published values are the true ones.
        let truth = all_values(&counts, &t);
        for (v, (s, shown)) in truth
            .iter()
            .zip(published_or_none(&t).iter().zip(shown_flags(&t)))
        {
            if shown {
                assert_eq!(Some(*v), *s);
            }
        }
    }
}

fn published_or_none(t: &SuppressedTable) -> Vec<Option<u64>> {
    t.cells
        .iter()
        .flatten()
        .chain(&t.row_totals)
        .chain(&t.col_totals)
        .chain(t.grand_total.iter())
        .copied()
        .collect()
}

/// Exhaustive check on small 2x2 and 2x3 tables with margins: every withheld sensitive count
/// admits at least two values given everything published.
#[test]
fn withheld_small_counts_cannot_be_recovered_exactly() {
    let rule = DisclosureRule::default();
    let mut rng = Lcg(99);
    let mut checked = 0;
    for case in 0..120 {
        let nc = if case % 3 == 0 { 3 } else { 2 };
        let counts = table(&mut rng, 2, nc, 14);
        let t = suppress_table(&counts, Margins::Both, &rule);
        let truth = all_values(&counts, &t);
        let cap = truth.iter().copied().max().unwrap_or(0) + 2;
        let unknown_inner = t.cells.iter().flatten().filter(|c| c.is_none()).count();
        if unknown_inner > 4 || unknown_inner == 0 {
            continue;
        }
        let seen = feasible(&t, cap);
        for (i, shown) in shown_flags(&t).iter().enumerate() {
            if !shown && rule.is_sensitive(truth[i]) {
                assert!(seen[i].contains(&truth[i]), "search must contain the truth");
                assert!(
                    seen[i].len() >= 2,
                    "cell {i} = {} recoverable: {t:?} from {counts:?}",
                    truth[i]
                );
                checked += 1;
            }
        }
    }
    assert!(checked > 40, "too few sensitive cells exercised: {checked}");
}

#[test]
fn risk_rows_publish_no_small_count_or_small_difference() {
    let rule = DisclosureRule::default();
    let mut rng = Lcg(3);
    for _ in 0..300 {
        let mut n = 5 + rng.below(120);
        let mut row = vec![n];
        for _ in 0..5 {
            n = n.saturating_sub(if rng.below(2) == 0 {
                rng.below(10)
            } else {
                rng.below(40)
            });
            row.push(n);
        }
        let out = suppress_risk_row(&row, &rule);
        let shown: Vec<(usize, u64)> = out
            .iter()
            .enumerate()
            .filter_map(|(i, v)| v.map(|v| (i, v)))
            .collect();
        for &(i, v) in &shown {
            assert_eq!(v, row[i]);
            assert!(!rule.is_sensitive(v));
        }
        for a in 0..shown.len() {
            for b in a + 1..shown.len() {
                assert!(
                    !rule.is_sensitive(shown[a].1 - shown[b].1),
                    "{row:?} -> {out:?}"
                );
            }
        }
    }
}

#[test]
fn flow_counts_are_protected_across_steps() {
    let rule = DisclosureRule::default();
    let mut flow = CohortFlow::default();
    flow.push(
        "Sepsis admissions",
        "patients",
        1000,
        vec![("age < 18".into(), 4), ("transferred in".into(), 120)],
    );
    flow.push(
        "Adults with day-1 labs",
        "patients",
        876,
        vec![("no day-1 platelets".into(), 6)],
    );
    flow.push(
        "Landmark day 3",
        "patients",
        870,
        vec![("died before day 3".into(), 55)],
    );
    let boxes = suppress_flow(&flow, &rule);
    for b in &boxes {
        for v in [b.n_in, b.n_out, b.excluded_total]
            .into_iter()
            .flatten()
            .chain(b.excluded.iter().filter_map(|e| e.1))
        {
            assert!(!rule.is_sensitive(v), "{boxes:?}");
        }
        // One subtraction within the step: entrants = kept + each exclusion.
        let unknown = usize::from(b.n_in.is_none())
            + usize::from(b.n_out.is_none())
            + b.excluded.iter().filter(|e| e.1.is_none()).count();
        let small_hidden = b.excluded.iter().any(|e| e.1.is_none());
        if small_hidden {
            assert!(unknown >= 2, "{b:?}");
        }
    }
    assert_eq!(boxes[0].excluded[0].1, None);
    assert_eq!(boxes[1].excluded[0].1, None);
    // Step 2 has one exclusion (6): hiding it alone would leave 876 - kept = 6.
    assert!(boxes[1].n_out.is_none() || boxes[1].n_in.is_none());
    // ... and the link to step 3's entrants (870) must not give it back.
    assert!(boxes[2].n_in.is_none() || (boxes[1].n_in.is_none() && boxes[0].n_out.is_none()));
}
