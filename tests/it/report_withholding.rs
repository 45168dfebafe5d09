//! Disclosure control must not withhold more than it has to. The other disclosure tests check
//! that nothing small is published and nothing withheld can be recovered; an implementation that
//! withholds every count passes all of them. These checks, on the default report (the committed
//! `reports/demo/results/analysis.json`, threshold 10), fail for such an implementation:
//!
//! 1. *Nothing to protect, nothing withheld.* A linked system of counts in which no count, printed
//!    or hidden (survivors, exclusion totals, numbers leaving a risk set between two printed
//!    times), is in 1..threshold-1 needs no suppression: every count in it is published. This is
//!    checked on every system that the report audits on its own: the cohort flow (with the arm
//!    sizes), Table 2 of each design, Table 3's patients and deaths (whose only links are Table 2
//!    and Table 1's total), each number-at-risk row under the main figures, each score
//!    distribution, and the trajectory counts (primary suppression only). The default report has
//!    such systems (asserted), so the check is not vacuous.
//! 2. *Large counts published.* A count of at least 2x the threshold is withheld only as a
//!    complement, in a system that has something to protect (1); whatever the system, at most
//!    [`MAX_LARGE_WITHHELD`] of the report's large counts may be withheld.
//! 3. *A bounded share.* At most [`MAX_SHARE_WITHHELD`] of all the counts the report prints may be
//!    withheld.
//!
//! Bounds, measured on the default report with `cargo test --test it report_withholding --
//! --nocapture` (the test prints the figures): of the 494 counts the report prints (tables and
//! numbers at risk), 71 are withheld (14.4%); of the 443 of at least 20, 36 (8.1%). Every
//! withheld count lies in the jointly audited systems (the subgroup table with Table 1, the
//! subgroup number-at-risk tables), none in the 30 systems with nothing to protect; the largest
//! withheld count is 1,500 (the patients with known status of one subgroup level's arm, and the
//! number at risk at time 0 of the same arm, withheld together). The bounds, 25% and 15%, are
//! the measured shares plus about 10 and 7 points: room for a legitimate change to the rule or
//! the audit (issue 11), while withholding everything (100%) or every count of the joint systems
//! (over 70%) fails. A self-test shows every check failing on the same report with every count
//! withheld.

use dicohort::cohort::analysis::{AnalysisResult, Curve};
use dicohort::report::disclosed::DisclosedCounts;
use dicohort::report::disclosure::DisclosureRule;

use crate::common::root;

/// Largest share of the report's printed counts that may be withheld (measured 14.4% with
/// follow-up censored at discharge; 22.0% since the default outcome follows patients discharged
/// alive to the horizon, see below).
const MAX_SHARE_WITHHELD: f64 = 0.25;
/// Largest share of the counts of at least 2x the threshold that may be withheld (measured 8.1%
/// with follow-up censored at discharge, 18.6% with the alive-to-horizon default: the subgroup
/// panels' numbers at risk then fall by deaths only, so a 5-day difference is a small death
/// count more often and its complements are large numbers at risk). Raised from 0.15 when the
/// outcome changed (issue 12); bringing it back down is open work of issue 11.
const MAX_LARGE_WITHHELD: f64 = 0.20;

/// One printed count: its value, whether it is published, its system (for the messages).
struct Printed {
    value: u64,
    shown: bool,
    system: String,
}

/// What the checks found.
#[derive(Default)]
struct Findings {
    printed: Vec<Printed>,
    /// Systems with nothing to protect, checked by rule 1.
    clean_systems: usize,
    /// Rule-1 violations: a count withheld in a system with nothing to protect.
    violations: Vec<String>,
}

impl Findings {
    /// Records a system's counts (`(value, published)`); `hidden`: its unprinted counts.
    fn system(&mut self, name: &str, counts: &[(u64, Option<u64>)], hidden: &[u64], t: u64) {
        let small = |v: u64| v >= 1 && v < t;
        let clean = !counts.iter().any(|c| small(c.0)) && !hidden.iter().any(|&v| small(v));
        if clean {
            self.clean_systems += 1;
        }
        for &(value, shown) in counts {
            if let Some(s) = shown {
                assert_eq!(s, value, "{name}: published {s} for {value}");
            }
            if clean && shown.is_none() {
                self.violations.push(format!(
                    "{name}: {value} withheld although nothing in the system is small"
                ));
            }
            self.printed.push(Printed {
                value,
                shown: shown.is_some(),
                system: name.to_string(),
            });
        }
    }

    /// Records the counts of a system audited jointly with others (the subgroup table with
    /// Table 1, the subgroup risk tables): they count towards the shares only.
    fn linked(&mut self, name: &str, counts: &[(u64, Option<u64>)]) {
        for &(value, shown) in counts {
            if let Some(s) = shown {
                assert_eq!(s, value, "{name}: published {s} for {value}");
            }
            self.printed.push(Printed {
                value,
                shown: shown.is_some(),
                system: name.to_string(),
            });
        }
    }

    fn share_withheld(&self, at_least: u64) -> (usize, usize) {
        let of: Vec<&Printed> = self
            .printed
            .iter()
            .filter(|p| p.value >= at_least)
            .collect();
        (of.iter().filter(|p| !p.shown).count(), of.len())
    }
}

fn at_risk(c: &Curve, t: f64) -> u64 {
    c.time
        .iter()
        .position(|&x| x >= t)
        .map_or(0, |i| c.n_risk[i].round().max(0.0) as u64)
}

/// Differences between every pair of entries of a number-at-risk row (hidden counts).
fn differences(row: &[u64]) -> Vec<u64> {
    let mut out = Vec::new();
    for a in 0..row.len() {
        for b in a + 1..row.len() {
            out.push(row[a].saturating_sub(row[b]));
        }
    }
    out
}

/// Reads every count the report prints, with its decision, system by system.
fn findings(r: &AnalysisResult, dc: &DisclosedCounts) -> Findings {
    let t = dc.rule.threshold;
    let mut f = Findings::default();

    // The cohort flow and the primary design's arm sizes: one system.
    let mut counts = Vec::new();
    let mut hidden = Vec::new();
    for (s, b) in r.flow.steps.iter().zip(&dc.flow.boxes) {
        counts.push((s.n_in, b.n_in));
        counts.push((s.n_out, b.n_out));
        for ((_, n), (_, shown)) in s.excluded.iter().zip(&b.excluded) {
            counts.push((*n, *shown));
        }
        let total: u64 = s.excluded.iter().map(|e| e.1).sum();
        if s.excluded.is_empty() {
            hidden.push(total);
        } else {
            counts.push((total, b.excluded_total));
        }
    }
    if let Some(d) = r.designs.iter().find(|d| d.primary) {
        let arms = [d.overall.n_exposed as u64, d.overall.n_unexposed as u64];
        for (a, shown) in arms.iter().zip(&dc.flow.arms) {
            counts.push((*a, *shown));
        }
        // Table 1's arm sizes minus these: the per-arm complete-case exclusions.
        hidden.push((r.table1.n_exposed as i64 - arms[0] as i64).unsigned_abs());
        hidden.push((r.table1.n_unexposed as i64 - arms[1] as i64).unsigned_abs());
    }
    f.system("cohort flow", &counts, &hidden, t);

    // Table 2, and Table 3 (linked to it and to Table 1's total only).
    let t1_total = (r.table1.n_exposed + r.table1.n_unexposed) as u64;
    for (i, d) in r.designs.iter().enumerate() {
        if let (Some(b), Some(c)) = (&d.overall.binary, dc.mortality[i]) {
            let raw = [
                b.deaths_exposed,
                b.known_exposed,
                b.deaths_unexposed,
                b.known_unexposed,
            ]
            .map(|x| x as u64);
            let counts: Vec<(u64, Option<u64>)> = raw.iter().copied().zip(c).collect();
            let survivors = [raw[1] - raw[0], raw[3] - raw[2]];
            f.system(&format!("Table 2, {}", d.label), &counts, &survivors, t);
        }
        let t2_all_shown = dc.mortality[i].is_none_or(|c| c.iter().all(Option::is_some));
        for (h, [n, deaths]) in d.overall.hazard_ratios.iter().zip(&dc.hazard[i]) {
            let counts = [(h.n as u64, *n), (h.n_event as u64, *deaths)];
            let name = format!("Table 3, {}: {}", d.label, h.label);
            if !t2_all_shown {
                // Linked to a withheld Table 2 count: something to protect.
                f.linked(&name, &counts);
                continue;
            }
            // In the primary design the model's sample differs from Table 1's by a hidden count.
            let hidden: Vec<u64> = d
                .primary
                .then(|| (t1_total as i64 - h.n as i64).unsigned_abs())
                .into_iter()
                .collect();
            f.system(&name, &counts, &hidden, t);
        }
    }

    // Number-at-risk rows under the main figures: one system per row.
    if let Some(m) = &dc.main {
        let d = &r.designs[m.design];
        for (c, row) in d.overall.km.iter().zip(&m.risk) {
            let raw: Vec<u64> = m.ticks.iter().map(|&x| at_risk(c, x)).collect();
            let counts: Vec<(u64, Option<u64>)> = raw.iter().copied().zip(row.clone()).collect();
            f.system(
                &format!("number at risk, {}", c.group),
                &counts,
                &differences(&raw),
                t,
            );
        }
        // The joint systems (subgroup table with Table 1; subgroup risk tables): counted only.
        let levels = d.subgroups.iter().flat_map(|s| &s.levels);
        for (l, lc) in levels.zip(m.subgroups.levels.iter().flatten()) {
            if let Some(b) = &l.binary {
                let raw = [
                    b.deaths_exposed,
                    b.known_exposed,
                    b.deaths_unexposed,
                    b.known_unexposed,
                ]
                .map(|x| x as u64);
                let counts: Vec<(u64, Option<u64>)> = raw.iter().copied().zip(lc.dk).collect();
                f.linked("subgroup table (joint)", &counts);
            }
            for (c, row) in l.km.iter().zip(&lc.risk) {
                let ticks = dicohort::report::disclosed::horizon_ticks(r, d.design, &l.km);
                let raw: Vec<u64> = ticks.iter().map(|&x| at_risk(c, x)).collect();
                let counts: Vec<(u64, Option<u64>)> =
                    raw.iter().copied().zip(row.clone()).collect();
                f.linked("subgroup number at risk (joint)", &counts);
            }
        }
    }
    for (v, b) in r.table1.variables.iter().zip(&dc.table1.blocks) {
        let arms = [&v.exposed, &v.unexposed];
        let mut counts = Vec::new();
        for (row, cells) in b.cells.cells.iter().enumerate() {
            let last = row + 1 == b.cells.cells.len();
            let continuous = v.kind == dicohort::cohort::table1::VarKind::Continuous;
            let binary = v.kind == dicohort::cohort::table1::VarKind::Binary;
            // Printed rows only: levels (a binary variable's "yes") and missing when any.
            if !last && (continuous || (binary && row == 1)) || last && v.overall.n_missing == 0 {
                continue;
            }
            let raw = arms.map(|x| {
                (if last {
                    x.n_missing
                } else if binary {
                    x.counts[0]
                } else {
                    x.counts[row]
                }) as u64
            });
            counts.push((raw[0], cells[0]));
            counts.push((raw[1], cells[1]));
            // The overall column.
            counts.push((raw[0] + raw[1], b.cells.row_totals[row]));
        }
        f.linked(&format!("Table 1, {} (joint)", v.name), &counts);
    }

    // Descriptive figures: one system per distribution; trajectory counts on their own.
    for (dist, tab) in r
        .descriptive
        .distributions
        .iter()
        .zip(&dc.descriptive.distributions)
    {
        let mut counts = Vec::new();
        for (g, group) in dist.groups.iter().enumerate() {
            for (c, &n) in group.counts.iter().enumerate() {
                counts.push((n, tab.cells[c][g]));
            }
            counts.push((group.counts.iter().sum(), tab.col_totals[g]));
        }
        f.system(&dist.title, &counts, &[], t);
    }
    for (p, ns) in r
        .descriptive
        .trajectories
        .iter()
        .zip(&dc.descriptive.trajectories)
    {
        for (g, n) in p.groups.iter().zip(ns) {
            for (&raw, &shown) in g.n.iter().zip(n) {
                let name = format!("trajectory counts, {}", p.title);
                f.system(&name, &[(raw, shown)], &[], t);
            }
        }
    }
    f
}

/// The three checks; the messages of those that fail.
fn check(f: &Findings, threshold: u64) -> Vec<String> {
    let mut fails = f.violations.clone();
    let (w, n) = f.share_withheld(0);
    if n == 0 || w as f64 > MAX_SHARE_WITHHELD * n as f64 {
        fails.push(format!(
            "{w} of {n} printed counts withheld (bound {MAX_SHARE_WITHHELD})"
        ));
    }
    let (wl, nl) = f.share_withheld(2 * threshold);
    if nl == 0 || wl as f64 > MAX_LARGE_WITHHELD * nl as f64 {
        fails.push(format!(
            "{wl} of {nl} counts >= {} withheld (bound {MAX_LARGE_WITHHELD})",
            2 * threshold
        ));
    }
    fails
}

fn default_result() -> AnalysisResult {
    let path = root().join("reports/demo/results/analysis.json");
    AnalysisResult::from_json(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

#[test]
fn default_report_withholds_only_what_it_must() {
    let r = default_result();
    let rule = DisclosureRule::default();
    let dc = DisclosedCounts::new(&r, &rule);
    let f = findings(&r, &dc);
    let (w, n) = f.share_withheld(0);
    let (wl, nl) = f.share_withheld(2 * rule.threshold);
    let max_withheld = f.printed.iter().filter(|p| !p.shown).map(|p| p.value).max();
    println!(
        "{n} printed counts, {w} withheld ({:.1}%); {nl} of at least {}, {wl} withheld ({:.1}%); \
         largest withheld {max_withheld:?}; {} systems with nothing to protect",
        100.0 * w as f64 / n as f64,
        2 * rule.threshold,
        100.0 * wl as f64 / nl as f64,
        f.clean_systems
    );
    let mut by_system: std::collections::BTreeMap<&str, (usize, usize)> = Default::default();
    for p in &f.printed {
        let e = by_system.entry(p.system.as_str()).or_default();
        e.1 += 1;
        if !p.shown {
            e.0 += 1;
        }
    }
    for (s, (w, n)) in by_system.iter().filter(|x| x.1 .0 > 0) {
        println!("  {s}: {w} of {n} withheld");
    }
    for p in f.printed.iter().filter(|p| !p.shown && p.value >= 100) {
        println!("  withheld {} in {}", p.value, p.system);
    }
    // Rule 1 is exercised on many systems, and some counts are withheld at all (the threshold
    // does bite on this report).
    assert!(f.clean_systems >= 10, "{} clean systems", f.clean_systems);
    assert!(
        w > 0,
        "nothing withheld: the threshold does not bite on this report"
    );
    let fails = check(&f, rule.threshold);
    assert!(fails.is_empty(), "{fails:#?}");
}

/// Every count of `dc` withheld: what an implementation that hides everything would decide.
fn withhold_all(dc: &DisclosedCounts) -> DisclosedCounts {
    let mut dc = dc.clone();
    let none4 = |c: &mut [Option<u64>]| c.iter_mut().for_each(|x| *x = None);
    dc.mortality
        .iter_mut()
        .flatten()
        .for_each(|c| none4(&mut c[..]));
    dc.hazard
        .iter_mut()
        .flatten()
        .for_each(|c| none4(&mut c[..]));
    for b in &mut dc.flow.boxes {
        b.n_in = None;
        b.n_out = None;
        b.excluded_total = None;
        b.excluded.iter_mut().for_each(|e| e.1 = None);
    }
    none4(&mut dc.flow.arms);
    for b in &mut dc.table1.blocks {
        b.cells.cells.iter_mut().for_each(|r| none4(r));
        none4(&mut b.cells.row_totals);
        none4(&mut b.cells.col_totals);
    }
    if let Some(m) = &mut dc.main {
        m.risk.iter_mut().for_each(|r| none4(r));
        for l in m.subgroups.levels.iter_mut().flatten() {
            none4(&mut l.dk);
            l.risk.iter_mut().for_each(|r| none4(r));
        }
    }
    for t in &mut dc.descriptive.distributions {
        t.cells.iter_mut().for_each(|r| none4(r));
        none4(&mut t.col_totals);
    }
    dc.descriptive
        .trajectories
        .iter_mut()
        .flatten()
        .flatten()
        .for_each(|n| *n = None);
    dc
}

#[test]
fn the_checks_fail_when_everything_is_withheld() {
    let r = default_result();
    let rule = DisclosureRule::default();
    let all = withhold_all(&DisclosedCounts::new(&r, &rule));
    let f = findings(&r, &all);
    assert_eq!(f.share_withheld(0).0, f.printed.len());
    let fails = check(&f, rule.threshold);
    // Each of the three checks fails on its own.
    assert!(fails
        .iter()
        .any(|m| m.contains("nothing in the system is small")));
    assert!(fails.iter().any(|m| m.contains("printed counts withheld")));
    assert!(fails
        .iter()
        .any(|m| m.contains(&format!("counts >= {}", 2 * rule.threshold))));
    // And the report of these decisions would render with nothing but marks: rule 1 alone
    // flags at least one count in every clean system.
    assert!(
        f.violations.len() >= f.clean_systems,
        "{}",
        f.violations.len()
    );
}
