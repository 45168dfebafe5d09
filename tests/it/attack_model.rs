//! The attacker's model of a published report: every count it prints (tables, the summary and
//! methods text, the flow diagram, numbers at risk under every figure) as an unknown of one
//! [`Sys`], with the relations a reader knows from the report's structure (a flow step's
//! entrants are those kept plus those excluded; arms add up to the analysed; Table 1's rows add
//! up to the arm sizes and its percentages bound the numbers with a value; Table 2's
//! percentages bound the patients with known status; Table 3's deaths are Table 2's deaths;
//! subgroup levels add up to at most all patients; numbers at risk never rise and start at the
//! arm sizes), then the attacks on what the counts are computed into: brute-force inversion of
//! every risk ratio, risk difference and odds ratio with their intervals given the bounds, and
//! inversion of every drawn step of a survival curve given the numbers at risk, and of every
//! step of a cumulative incidence curve given the group's size.

use std::collections::BTreeMap;
use std::path::Path;

use dicohort::stats::twobytwo::{odds_ratio, risk_difference, risk_ratio, TwoByTwo};

use super::attack_curves::{cif_steps, curve_steps, RiskKey, RiskRow};
use super::attack_parse::{
    count_cell, estimate_cell, fraction_cell, parse_md, parse_svg, tokens, Dec, Md, Printed, Svg,
    Tok,
};
use super::attack_solve::{Sys, BIG};

/// Whether a flow-table step is the validation of a canonical table: "read and checked:
/// patients.csv" (reports before 2026-12 said "validate patients.csv": the old fixtures).
fn is_validation(label: &str) -> bool {
    label.starts_with("read and checked:") || label.starts_with("validate ")
}

/// A report as published: `report.md` and `figures/*.svg` (by file stem).
pub struct Published {
    pub md: Md,
    pub figures: BTreeMap<String, Svg>,
}

/// Reads a report folder.
pub fn read_report(dir: &Path) -> Published {
    let md = parse_md(&std::fs::read_to_string(dir.join("report.md")).unwrap());
    let mut figures = BTreeMap::new();
    for e in std::fs::read_dir(dir.join("figures")).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "svg") {
            let stem = p.file_stem().unwrap().to_string_lossy().to_string();
            figures.insert(stem, parse_svg(&std::fs::read_to_string(&p).unwrap()));
        }
    }
    Published { md, figures }
}

/// What the attacker found.
#[derive(Debug, Default)]
pub struct Findings {
    pub threshold: u64,
    /// Withheld or never-printed counts recovered exactly, in 1..threshold-1: (name, value).
    pub recovered: Vec<(String, i64)>,
    /// Printed counts in 1..threshold-1.
    pub small_published: Vec<(String, u64)>,
    /// Curve steps that show fewer than `threshold` events.
    pub small_steps: Vec<String>,
    /// Withheld counts attacked.
    pub withheld: usize,
    /// Ratio rows attacked by brute force / skipped as too large to enumerate.
    pub ratios_attacked: usize,
    pub ratios_skipped: usize,
    /// The rows too large to enumerate.
    pub skipped_rows: Vec<String>,
    /// Curve steps examined.
    pub steps: usize,
}

impl Findings {
    pub fn leaks(&self) -> usize {
        self.recovered.len() + self.small_published.len() + self.small_steps.len()
    }
}

/// A 2x2 row with its published estimates: deaths and known per arm, then RR, RD (%), OR.
struct RatioRow {
    name: String,
    cells: [usize; 4],
    rr: Option<[Dec; 3]>,
    rd: Option<[Dec; 3]>,
    or: Option<[Dec; 3]>,
}

/// The report as the attacker models it.
pub(super) struct Model {
    pub(super) sys: Sys,
    ratios: Vec<RatioRow>,
    /// Risk rows by (figure/panel key, label): vars per tick and the tick times.
    pub(super) risk: BTreeMap<RiskKey, RiskRow>,
    /// Analysed arms (exposed, unexposed) and the analysed total.
    pub(super) arms: Option<[usize; 2]>,
    /// The rounding base when the rule rounds published counts.
    pub(super) base: Option<u64>,
    /// An upper bound of every count of patients (the validated patients, else BIG).
    pub(super) patients: i64,
    pub(super) threshold: u64,
}

/// The threshold stated by the disclosure paragraph ("counts from 1 to N are withheld").
fn threshold(md: &Md) -> u64 {
    for p in &md.paragraphs {
        if let Some(i) = p.find("counts from 1 to ") {
            let rest = &p[i + "counts from 1 to ".len()..];
            let n: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
            if let Ok(n) = n.parse::<u64>() {
                return n + 1;
            }
        }
    }
    0
}

fn printed(p: Printed) -> Option<u64> {
    match p {
        Printed::Known(v) => Some(v),
        Printed::Withheld => None,
    }
}

/// `lo <= n * 100 / d <= hi` for a published `n` and percentage: bounds on `d`.
fn pct_bounds(n: u64, p: Dec) -> Option<(i64, i64)> {
    let (plo, phi) = p.interval();
    if n == 0 || phi <= 0.0 {
        return None;
    }
    let lo = (n as f64 * 100.0 / phi).ceil() as i64;
    let hi = if plo <= 0.0 {
        BIG
    } else {
        (n as f64 * 100.0 / plo).floor() as i64
    };
    Some((lo, hi))
}

/// The rounding base stated by the disclosure paragraph, if the rule rounds.
fn rounding_base(md: &Md) -> Option<u64> {
    for p in &md.paragraphs {
        if let Some(i) = p.find("rounded to the nearest multiple of ") {
            let rest = &p[i + "rounded to the nearest multiple of ".len()..];
            let n: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
            return n.parse().ok();
        }
    }
    None
}

impl Model {
    pub(super) fn cell(&mut self, p: Printed, name: String) -> usize {
        match (p, self.base) {
            (Printed::Known(v), Some(b)) if v > 0 => {
                let h = (b / 2) as i64;
                let lo = (v as i64 - h).max(self.threshold as i64);
                self.sys.rounded(v, lo, v as i64 + h, name)
            }
            _ => self.sys.cell(printed(p), name),
        }
    }

    /// `d = total - missing` bounded by the percentage of published count `n`.
    pub(super) fn pct_of(
        &mut self,
        n: Printed,
        p: Option<Dec>,
        total: usize,
        missing: Option<usize>,
    ) {
        // Percentages of rounded counts are of the rounded counts: not modelled.
        let (Printed::Known(n), Some(p), None) = (n, p, self.base) else {
            return;
        };
        if let Some((lo, hi)) = pct_bounds(n, p) {
            let mut terms = vec![(total, 1)];
            if let Some(m) = missing {
                terms.push((m, -1));
            }
            self.sys.le(&terms, hi);
            let neg: Vec<(usize, i64)> = terms.iter().map(|&(i, c)| (i, -c)).collect();
            self.sys.le(&neg, -lo);
        }
    }

    /// The flow table; returns (analysed, the primary sample before complete cases, per-design
    /// sample by first word of the label).
    fn flow(&mut self, md: &Md) -> (Option<usize>, Option<usize>, BTreeMap<String, usize>) {
        let mut samples = BTreeMap::new();
        let Some(t) = md.table("Every step of the cohort flow") else {
            return (None, None, samples);
        };
        // (label, unit, in, kept)
        let mut rows: Vec<(String, String, usize, usize)> = Vec::new();
        for r in &t.rows {
            let (label, unit) = (r[0].clone(), r[1].clone());
            let n_in = self.cell(count_cell(&r[2]).unwrap().0, format!("flow|{label}|in"));
            let kept = self.cell(count_cell(&r[4]).unwrap().0, format!("flow|{label}|kept"));
            let mut excl = Vec::new();
            if r[3] != "none" {
                for part in r[3].split("; ") {
                    let (reason, n) = part.rsplit_once(": ").unwrap();
                    let c = count_cell(n).unwrap().0;
                    excl.push(self.cell(c, format!("flow|{label}|{reason}")));
                }
            }
            let mut parts = excl;
            parts.push(kept);
            self.sys.sum(&parts, n_in);
            rows.push((label, unit, n_in, kept));
        }
        let validated = rows
            .iter()
            .find(|r| r.1 == "patients" && is_validation(&r.0))
            .map(|r| r.3);
        if let Some(v) = validated {
            self.patients = self.sys.hi[v];
        }
        // A design's steps: "alive and in hospital at the end of day 3 (landmark)", then
        // "landmark: every propensity covariate recorded"; other designs' start with their name.
        let first_word = |l: &str| {
            if l.ends_with("(landmark)") {
                return "landmark".to_string();
            }
            l.split([' ', ':']).next().unwrap_or("").to_string()
        };
        let mut primary: Option<String> = None;
        for k in 0..rows.len() {
            let (label, unit, n_in, _) = rows[k].clone();
            if unit != "patients" || is_validation(&label) {
                continue;
            }
            let w = first_word(&label);
            primary.get_or_insert(w.clone());
            let prev = (0..k)
                .rev()
                .find(|&j| rows[j].1 == "patients" && first_word(&rows[j].0) == w)
                .map(|j| rows[j].3)
                .or(validated);
            if let Some(p) = prev {
                self.sys.same(p, n_in);
            }
            samples.insert(w, rows[k].3);
        }
        let p = primary.unwrap_or_default();
        let of_primary: Vec<usize> = rows
            .iter()
            .filter(|r| r.1 == "patients" && first_word(&r.0) == p)
            .map(|r| r.3)
            .collect();
        (
            of_primary.last().copied(),
            of_primary.first().copied(),
            samples,
        )
    }

    /// The flow diagram's analysed arms and the summary sentence.
    fn arms(&mut self, pubd: &Published, analysed: Option<usize>) {
        let mut arms: Vec<usize> = Vec::new();
        if let Some(svg) = pubd.figures.get("figure-flow") {
            let texts: Vec<&str> = svg.texts.iter().map(|t| t.text.as_str()).collect();
            if let Some(i) = texts.iter().position(|t| *t == "Analysed") {
                let n_of = |m: &mut Model, s: &str, name: &str| {
                    let c = tokens(s).first().and_then(Tok::count);
                    c.map(|c| m.cell(c, name.to_string()))
                };
                // After "Analysed": the box's own lines, then each arm's label and "n = ...".
                let ns: Vec<&str> = texts[i + 1..]
                    .iter()
                    .copied()
                    .filter(|t| t.starts_with("n = "))
                    .collect();
                if let (Some(a), Some(x)) = (
                    analysed,
                    ns.first()
                        .and_then(|s| n_of(self, s, "flow figure|analysed")),
                ) {
                    self.sys.same(a, x);
                }
                for k in 0..2 {
                    if let Some(v) = ns
                        .get(1 + k)
                        .and_then(|s| n_of(self, s, &format!("flow figure|arm {k}")))
                    {
                        arms.push(v);
                    }
                }
            }
        }
        if arms.len() == 2 {
            if let Some(a) = analysed {
                self.sys.sum(&arms, a);
            }
            self.arms = Some([arms[0], arms[1]]);
        }
        for p in &pubd.md.paragraphs {
            if let Some(i) = p.find("Analysed: ") {
                let t = tokens(&p[i..]);
                let c: Vec<Printed> = t.iter().take(3).filter_map(Tok::count).collect();
                if c.len() == 3 {
                    let v: Vec<usize> = c
                        .iter()
                        .enumerate()
                        .map(|(k, &x)| self.cell(x, format!("summary|{k}")))
                        .collect();
                    if let Some(a) = analysed {
                        self.sys.same(a, v[0]);
                    }
                    if let Some(arms) = self.arms {
                        self.sys.same(arms[0], v[1]);
                        self.sys.same(arms[1], v[2]);
                    }
                    self.sys.sum(&v[1..], v[0]);
                }
            }
            if let Some(i) = p.find(" of them analysed") {
                let before = &p[..i];
                let word = before.rsplit(' ').next().unwrap_or("");
                if let (Some(c), Some(a)) = (tokens(word).first().and_then(Tok::count), analysed) {
                    let v = self.cell(c, "methods|analysed".into());
                    self.sys.same(a, v);
                }
            }
        }
    }

    /// Deaths/known of one row (Table 2 style "d (p)" or Table 4 style "d/k (p)").
    fn dk_row(&mut self, name: &str, e: &str, u: &str) -> [usize; 4] {
        let mut ids = [0usize; 4];
        for (a, s) in [e, u].iter().enumerate() {
            let arm = if a == 0 { "e" } else { "u" };
            if *s == "NA" {
                // A level with an arm of nobody: no count printed, nothing promised (>= 0).
                ids[2 * a] = self.sys.hidden(format!("{name}|d_{arm}"));
                ids[2 * a + 1] = self.sys.hidden(format!("{name}|k_{arm}"));
            } else if let Some((d, k)) = fraction_cell(s) {
                ids[2 * a] = self.cell(d, format!("{name}|d_{arm}"));
                ids[2 * a + 1] = self.cell(k, format!("{name}|k_{arm}"));
            } else {
                let (d, p) = count_cell(s).unwrap_or((Printed::Withheld, None));
                ids[2 * a] = self.cell(d, format!("{name}|d_{arm}"));
                ids[2 * a + 1] = self.sys.hidden(format!("{name}|k_{arm}"));
                self.pct_of(d, p, ids[2 * a + 1], None);
            }
            self.sys.at_most(ids[2 * a], ids[2 * a + 1]);
            let s_id = self.sys.hidden(format!("{name}|survivors_{arm}"));
            self.sys.sum(&[ids[2 * a], s_id], ids[2 * a + 1]);
        }
        ids
    }

    /// Tables 2, 3 and 4 and the propensity diagnostics.
    fn outcomes(&mut self, md: &Md, analysed: Option<usize>, samples: &BTreeMap<String, usize>) {
        let mut t2: BTreeMap<String, [usize; 4]> = BTreeMap::new();
        if let Some(t) = md.table("Table 2.") {
            for r in &t.rows {
                let name = format!("T2|{}", r[0]);
                let ids = self.dk_row(&name, &r[1], &r[2]);
                if r[0].contains("[primary]") {
                    if let Some(arms) = self.arms {
                        self.sys.at_most(ids[1], arms[0]);
                        self.sys.at_most(ids[3], arms[1]);
                    }
                }
                self.ratios.push(RatioRow {
                    name: name.clone(),
                    cells: ids,
                    rr: estimate_cell(&r[3]),
                    rd: estimate_cell(&r[4]),
                    or: estimate_cell(&r[5]),
                });
                t2.insert(r[0].clone(), ids);
            }
        }
        let mut pairs = None;
        if let Some(t) = md.table("Propensity model diagnostics") {
            for r in &t.rows {
                let c = count_cell(&r[1]).map(|x| x.0);
                match (r[0].as_str(), c) {
                    ("Matched pairs", Some(c)) => pairs = Some(self.cell(c, "PS|pairs".into())),
                    ("Exposed patients left unmatched", Some(c)) => {
                        let u = self.cell(c, "PS|unmatched".into());
                        if let (Some(p), Some(arms)) = (pairs, self.arms) {
                            self.sys.sum(&[p, u], arms[0]);
                        }
                    }
                    _ => {}
                }
            }
        }
        if let Some(t) = md.table("Table 3.") {
            let mut design = String::new();
            let mut deaths: Option<usize> = None;
            for r in &t.rows {
                if r[0].starts_with("**") {
                    design = r[0].trim_matches('*').to_string();
                    deaths = None;
                    continue;
                }
                if r[0].starts_with("note:") || r.len() < 5 {
                    continue;
                }
                let name = format!("T3|{design}|{}", r[0]);
                let (Some((n, _)), Some((d, _))) = (count_cell(&r[3]), count_cell(&r[4])) else {
                    continue;
                };
                let n = self.cell(n, format!("{name}|patients"));
                let d = self.cell(d, format!("{name}|deaths"));
                if r[0].contains("matched") {
                    if let Some(p) = pairs {
                        self.sys.eq(&[(n, 1), (p, -2)], 0);
                    }
                    continue;
                }
                // Propensity strata without both arms drop out of the MMWS model: its patients
                // and deaths are a subset, tied to nothing else.
                if r[0].contains("marginal mean weights") {
                    continue;
                }
                match deaths {
                    Some(x) => self.sys.same(x, d),
                    // Not tied to Table 2's deaths: the Cox model's events need not be the
                    // deaths by the horizon of the binary outcome (they differ on some
                    // registries), so the attacker may not assume it.
                    None => deaths = Some(d),
                }
                if r[0].contains("time-varying exposure") {
                    continue;
                }
                if design.contains("[primary]") {
                    if let Some(a) = analysed {
                        self.sys.same(a, n);
                    }
                } else if let Some(&s) = design
                    .split([' ', ':'])
                    .next()
                    .and_then(|w| samples.get(&w.to_lowercase()))
                {
                    self.sys.same(s, n);
                }
            }
        }
        if let Some(t) = md.table("Table 4.") {
            let primary = t2
                .iter()
                .find(|(k, _)| k.contains("[primary]"))
                .map(|x| *x.1);
            let mut all: Option<[usize; 4]> = None;
            let mut group: Vec<[usize; 4]> = Vec::new();
            let mut gname = String::new();
            let flush = |m: &mut Model, group: &mut Vec<[usize; 4]>, all: Option<[usize; 4]>| {
                if let Some(all) = all {
                    for q in 0..4 {
                        let parts: Vec<(usize, i64)> = group
                            .iter()
                            .map(|g| (g[q], 1))
                            .chain([(all[q], -1)])
                            .collect();
                        if group.len() > 1 {
                            m.sys.le(&parts, 0);
                        }
                    }
                }
                group.clear();
            };
            for r in &t.rows {
                if r[0].starts_with("**") {
                    flush(self, &mut group, all);
                    gname = r[0].trim_matches('*').to_string();
                    continue;
                }
                if r[0].starts_with("note:") || r.len() < 5 {
                    continue;
                }
                let name = format!("T4|{gname}|{}", r[0]);
                if r[0].starts_with("not classified") {
                    // The patients of unknown level, per arm: their known-status patients,
                    // all patients' known count minus the levels', are at most this many.
                    if let Some(all) = all {
                        for (a, col) in [(0usize, &r[1]), (1, &r[2])] {
                            let Some((c, _)) = count_cell(col) else {
                                continue;
                            };
                            let u = self.cell(c, format!("{name}|patients_{a}"));
                            let k = 2 * a + 1;
                            let parts: Vec<(usize, i64)> = group
                                .iter()
                                .map(|g| (g[k], -1))
                                .chain([(all[k], 1), (u, -1)])
                                .collect();
                            self.sys.le(&parts, 0);
                        }
                    }
                    continue;
                }
                let ids = self.dk_row(&name, &r[1], &r[2]);
                self.ratios.push(RatioRow {
                    name: name.clone(),
                    cells: ids,
                    rr: estimate_cell(&r[3]),
                    rd: None,
                    or: None,
                });
                if r[0] == "All patients" {
                    all = Some(ids);
                    if let Some(p) = primary {
                        for q in 0..4 {
                            self.sys.same(p[q], ids[q]);
                        }
                    }
                } else {
                    group.push(ids);
                }
            }
            flush(self, &mut group, all);
        }
    }
}

/// A crude estimator of a 2x2 table (risk ratio, odds ratio, risk difference).
type Estimator = fn(
    &TwoByTwo,
    f64,
) -> Result<
    (
        dicohort::stats::twobytwo::Estimate,
        dicohort::stats::twobytwo::ZeroCellCorrection,
    ),
    dicohort::stats::StatsError,
>;

/// Brute force over the bounds of a 2x2 row: the values of each cell consistent with the
/// published estimates; `None` when the search is too large.
fn invert(sys: &Sys, row: &RatioRow) -> Option<[Vec<i64>; 4]> {
    if row.rr.is_none() && row.rd.is_none() && row.or.is_none() {
        return None;
    }
    let r = |i: usize| (sys.lo[row.cells[i]], sys.hi[row.cells[i]]);
    let ranges = [r(0), r(1), r(2), r(3)];
    let size: f64 = ranges
        .iter()
        .map(|(a, b)| (b - a + 1).max(1) as f64)
        .product();
    if size > 4e6 || ranges.iter().any(|(_, b)| *b >= BIG) {
        return None;
    }
    let mut seen: [Vec<i64>; 4] = Default::default();
    let ok = |e: Option<[Dec; 3]>, got: Option<(f64, f64, f64)>, scale: f64| match (e, got) {
        (None, _) => true,
        (Some(e), Some((a, b, c))) => {
            e[0].contains(a * scale) && e[1].contains(b * scale) && e[2].contains(c * scale)
        }
        (Some(_), None) => false,
    };
    for ke in ranges[1].0..=ranges[1].1 {
        for de in ranges[0].0..=ranges[0].1.min(ke) {
            for ku in ranges[3].0..=ranges[3].1 {
                for du in ranges[2].0..=ranges[2].1.min(ku) {
                    if ke <= 0 || ku <= 0 {
                        continue;
                    }
                    let t = TwoByTwo {
                        a: de as f64,
                        b: (ke - de) as f64,
                        c: du as f64,
                        d: (ku - du) as f64,
                    };
                    let est = |f: Estimator| {
                        f(&t, 0.95)
                            .ok()
                            .map(|(e, _)| (e.estimate, e.lower, e.upper))
                    };
                    if ok(row.rr, est(risk_ratio), 1.0)
                        && ok(row.or, est(odds_ratio), 1.0)
                        && ok(row.rd, est(risk_difference), 100.0)
                    {
                        for (k, v) in [de, ke, du, ku].into_iter().enumerate() {
                            if !seen[k].contains(&v) {
                                seen[k].push(v);
                            }
                        }
                    }
                }
            }
        }
    }
    Some(seen)
}

/// Runs every attack on a published report. `zero_withheld`: whether the rule may withhold a
/// zero (then a withheld count is only known to be at least 0; the report of issue 11 never
/// withholds a zero, so a withheld count is at least 1).
pub fn attack(pubd: &Published, zero_withheld: bool) -> Findings {
    let t = threshold(&pubd.md);
    let mut m = Model {
        sys: Sys {
            withheld_lo: if zero_withheld { 0 } else { 1 },
            ..Default::default()
        },
        ratios: Vec::new(),
        risk: BTreeMap::new(),
        arms: None,
        base: rounding_base(&pubd.md),
        threshold: t,
        patients: BIG,
    };
    let (analysed, sample, samples) = m.flow(&pubd.md);
    m.arms(pubd, analysed);
    m.table1(&pubd.md, sample);
    m.outcomes(&pubd.md, analysed, &samples);
    m.risk_tables(pubd);
    let snapshot = m.sys.clone();
    m.sys.solve();
    if let Some(i) = (0..m.sys.lo.len()).find(|&i| m.sys.lo[i] > m.sys.hi[i]) {
        // Find the first relation that cannot hold with the published counts alone.
        let mut s = snapshot.clone();
        for k in 0..snapshot.rels.len() {
            s.rels = snapshot.rels[..=k].to_vec();
            s.lo = snapshot.lo.clone();
            s.hi = snapshot.hi.clone();
            s.solve();
            if (0..s.lo.len()).any(|i| s.lo[i] > s.hi[i]) {
                let r = &snapshot.rels[k];
                let terms: Vec<String> = r
                    .terms
                    .iter()
                    .map(|&(i, c)| {
                        format!(
                            "{c}*{}[{},{}]",
                            snapshot.name[i], snapshot.lo[i], snapshot.hi[i]
                        )
                    })
                    .collect();
                panic!(
                    "inconsistent model at {} (first: {}): {} {} {}",
                    m.sys.name[i],
                    k,
                    terms.join(" + "),
                    if r.eq { "=" } else { "<=" },
                    r.rhs
                );
            }
        }
    }
    let mut f = Findings {
        threshold: t,
        ..Default::default()
    };
    // Brute force of the ratios (of exact counts: under rounding the estimates are of the
    // rounded counts, which are published), then the linear system again.
    for _ in 0..(if m.base.is_some() { 0 } else { 2 }) {
        let mut narrowed = false;
        for row in &m.ratios {
            match invert(&m.sys, row) {
                Some(seen) => {
                    f.ratios_attacked += 1;
                    for (k, vals) in seen.iter().enumerate() {
                        if let (Some(&lo), Some(&hi)) = (vals.iter().min(), vals.iter().max()) {
                            let i = row.cells[k];
                            if lo > m.sys.lo[i] || hi < m.sys.hi[i] {
                                m.sys.bound(i, lo, hi);
                                narrowed = true;
                            }
                        }
                    }
                }
                None if row.rr.is_some() => {
                    f.ratios_skipped += 1;
                    f.skipped_rows.push(row.name.clone());
                }
                None => {}
            }
        }
        if !narrowed {
            break;
        }
        m.sys.solve();
    }
    curve_steps(&m, pubd, t, &mut f);
    cif_steps(&m, pubd, t, &mut f);
    let s = &m.sys;
    let small = |v: i64| v >= 1 && v < t as i64;
    for i in 0..s.lo.len() {
        if s.withheld[i] {
            f.withheld += 1;
        }
        match s.fixed(i) {
            Some(v) if small(v) && (s.withheld[i] || s.hidden[i]) => {
                f.recovered.push((s.name[i].clone(), v));
            }
            _ => {}
        }
        if let Some(v) = s.printed[i].filter(|&v| small(v as i64)) {
            f.small_published.push((s.name[i].clone(), v));
        }
    }
    f
}
