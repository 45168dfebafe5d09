//! The rule applied to the report's shapes: two-way tables with their margins, numbers at risk
//! (a row of one group over time), and the cohort flow (entrants = kept + excluded per step,
//! the analysed arms). Each builds its [`LinkedCounts`] and calls [`suppress_linked`].

use super::*;

/// Which totals a two-way table prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Margins {
    None,
    /// A total per row (e.g. an "Overall" column).
    Rows,
    /// A total per column (e.g. group sizes in the header).
    Cols,
    /// Both, plus the grand total.
    Both,
}

/// A two-way table after suppression (`None` = withheld).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SuppressedTable {
    pub cells: Vec<Vec<Option<u64>>>,
    /// One per row when row totals are printed, else empty.
    pub row_totals: Vec<Option<u64>>,
    /// One per column when column totals are printed, else empty.
    pub col_totals: Vec<Option<u64>>,
    pub grand_total: Option<Option<u64>>,
}

/// Suppresses a two-way table of counts with the margins it prints (margins are computed here
/// from the cells, so they are consistent).
pub fn suppress_table(
    counts: &[Vec<u64>],
    margins: Margins,
    rule: &DisclosureRule,
) -> SuppressedTable {
    suppress_table_masked(counts, None, margins, rule)
}

/// As [`suppress_table`], where `printed[r][c] == false` marks a cell the table does not print
/// (e.g. the non-missing count behind a mean); such a cell is returned as `None` and is still
/// protected when it is sensitive.
pub fn suppress_table_masked(
    counts: &[Vec<u64>],
    printed: Option<&[Vec<bool>]>,
    margins: Margins,
    rule: &DisclosureRule,
) -> SuppressedTable {
    let nr = counts.len();
    let nc = counts.first().map_or(0, Vec::len);
    let mut lc = LinkedCounts::default();
    let is_printed = |r: usize, c: usize| {
        printed.is_none_or(|m| m.get(r).and_then(|x| x.get(c)).copied().unwrap_or(true))
    };
    let cell: Vec<Vec<usize>> = counts
        .iter()
        .enumerate()
        .map(|(r, row)| {
            row.iter()
                .enumerate()
                .map(|(c, &v)| lc.add(v, is_printed(r, c)))
                .collect()
        })
        .collect();
    let rows = matches!(margins, Margins::Rows | Margins::Both);
    let cols = matches!(margins, Margins::Cols | Margins::Both);
    let row_t: Vec<usize> = if rows {
        (0..nr)
            .map(|r| lc.add(counts[r].iter().sum(), true))
            .collect()
    } else {
        Vec::new()
    };
    let col_t: Vec<usize> = if cols {
        (0..nc)
            .map(|c| lc.add(counts.iter().map(|row| row[c]).sum(), true))
            .collect()
    } else {
        Vec::new()
    };
    let grand = if rows && cols {
        Some(lc.add(counts.iter().flatten().sum(), true))
    } else {
        None
    };
    for r in 0..nr {
        if rows {
            lc.sum_relation(&cell[r], row_t[r]);
        }
    }
    for c in 0..nc {
        if cols {
            let parts: Vec<usize> = (0..nr).map(|r| cell[r][c]).collect();
            lc.sum_relation(&parts, col_t[c]);
        }
    }
    if let Some(g) = grand {
        lc.sum_relation(&row_t, g);
        lc.sum_relation(&col_t, g);
    }
    let shown = suppress_linked(&lc, rule);
    let get = |i: usize| shown[i].then(|| rule.publish(lc.values[i]));
    SuppressedTable {
        cells: cell
            .iter()
            .map(|row| row.iter().map(|&i| get(i)).collect())
            .collect(),
        row_totals: row_t.iter().map(|&i| get(i)).collect(),
        col_totals: col_t.iter().map(|&i| get(i)).collect(),
        grand_total: grand.map(get),
    }
}

/// Suppresses one group's numbers at risk (non-increasing over the table times): withholds small
/// numbers and any number whose difference from another published number of the row is small.
pub fn suppress_risk_row(n_risk: &[u64], rule: &DisclosureRule) -> Vec<Option<u64>> {
    suppress_risk_row_fixed(n_risk, &[], rule)
}

/// As [`suppress_risk_row`], where `fixed[k]` (when given and `Some`) is the decision already
/// made for entry `k` elsewhere in the report (e.g. the group size at time 0 printed in a table).
pub fn suppress_risk_row_fixed(
    n_risk: &[u64],
    fixed: &[Option<bool>],
    rule: &DisclosureRule,
) -> Vec<Option<u64>> {
    let mut lc = LinkedCounts::default();
    let idx: Vec<usize> = n_risk
        .iter()
        .enumerate()
        .map(|(k, &v)| match fixed.get(k).copied().flatten() {
            Some(shown) => lc.add_fixed(v, shown),
            None => lc.add(v, true),
        })
        .collect();
    // Hidden "left the risk set between a and b" counts for every pair (a < b).
    for a in 0..idx.len() {
        for b in a + 1..idx.len() {
            let left = lc.add(n_risk[a].saturating_sub(n_risk[b]), false);
            lc.sum_relation(&[idx[b], left], idx[a]);
        }
    }
    let shown = suppress_linked(&lc, rule);
    idx.iter()
        .map(|&i| shown[i].then(|| rule.publish(lc.values[i])))
        .collect()
}

/// Suppresses a number-at-risk table row by row.
pub fn suppress_risk_table(rows: &[Vec<u64>], rule: &DisclosureRule) -> Vec<Vec<Option<u64>>> {
    rows.iter().map(|r| suppress_risk_row(r, rule)).collect()
}

/// The cohort flow with disclosure control applied, ready for [`crate::plot::flow`]: each step
/// relates entrants, those kept, each exclusion and the exclusion total; a step's entrants are
/// linked to the latest earlier step of the same unit that kept as many.
pub fn suppress_flow(flow: &CohortFlow, rule: &DisclosureRule) -> Vec<FlowBox> {
    suppress_flow_with_arms(flow, None, rule).0
}

/// The cells of one flow step in a [`LinkedCounts`] (see [`add_flow`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlowStepIds {
    pub n_in: usize,
    pub n_out: usize,
    pub excluded: Vec<usize>,
    /// The exclusion total (printed only when the step has exclusions).
    pub total: usize,
}

/// Adds the cohort flow to `lc`: per step, entrants = kept + exclusion total and the total =
/// the sum of the exclusions; a step's entrants equal the kept number of the latest earlier
/// step of the same unit that kept as many. Returns the cells of each step.
pub fn add_flow(lc: &mut LinkedCounts, flow: &CohortFlow) -> Vec<FlowStepIds> {
    let mut ids: Vec<FlowStepIds> = Vec::new();
    for s in &flow.steps {
        let n_in = lc.add(s.n_in, true);
        let n_out = lc.add(s.n_out, true);
        let excluded: Vec<usize> = s.excluded.iter().map(|(_, n)| lc.add(*n, true)).collect();
        let total = lc.add(
            s.excluded.iter().map(|(_, n)| n).sum(),
            !s.excluded.is_empty(),
        );
        lc.sum_relation(&excluded, total);
        lc.sum_relation(&[n_out, total], n_in);
        ids.push(FlowStepIds {
            n_in,
            n_out,
            excluded,
            total,
        });
    }
    for k in 1..flow.steps.len() {
        let cur = &flow.steps[k];
        if let Some(j) = (0..k)
            .rev()
            .find(|&j| flow.steps[j].unit == cur.unit && flow.steps[j].n_out == cur.n_in)
        {
            lc.equal_relation(ids[j].n_out, ids[k].n_in);
        }
    }
    ids
}

/// The flow boxes of `flow` from the decisions `shown` on the cells `ids` of [`add_flow`]
/// (published values through [`DisclosureRule::publish`]).
pub fn flow_boxes(
    flow: &CohortFlow,
    ids: &[FlowStepIds],
    lc: &LinkedCounts,
    shown: &[bool],
    rule: &DisclosureRule,
) -> Vec<FlowBox> {
    let get = |i: usize| shown[i].then(|| rule.publish(lc.values[i]));
    flow.steps
        .iter()
        .zip(ids)
        .map(|(s, id)| FlowBox {
            label: s.label.clone(),
            unit: s.unit.clone(),
            n_in: get(id.n_in),
            excluded: s
                .excluded
                .iter()
                .zip(&id.excluded)
                .map(|((r, _), &i)| (r.clone(), get(i)))
                .collect(),
            excluded_total: get(id.total),
            n_out: get(id.n_out),
        })
        .collect()
}

/// As [`suppress_flow`], with the patients kept by step `arms.0` split into groups `arms.1`
/// (e.g. exposed / unexposed), which add up to that step's kept number. Returns the boxes and
/// the group counts.
pub fn suppress_flow_with_arms(
    flow: &CohortFlow,
    arms: Option<(usize, &[u64])>,
    rule: &DisclosureRule,
) -> (Vec<FlowBox>, Vec<Option<u64>>) {
    let mut lc = LinkedCounts::default();
    let ids = add_flow(&mut lc, flow);
    let mut arm_ids = Vec::new();
    if let Some((step, counts)) = arms {
        if step < flow.steps.len() {
            arm_ids = counts.iter().map(|&n| lc.add(n, true)).collect();
            if counts.iter().sum::<u64>() == flow.steps[step].n_out {
                lc.sum_relation(&arm_ids, ids[step].n_out);
            }
        }
    }
    let shown = suppress_linked(&lc, rule);
    let boxes = flow_boxes(flow, &ids, &lc, &shown, rule);
    let arms = arm_ids
        .iter()
        .map(|&i| shown[i].then(|| rule.publish(lc.values[i])))
        .collect();
    (boxes, arms)
}
