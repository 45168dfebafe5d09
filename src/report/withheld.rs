//! The ledger of what the report withholds: every count the report prints (tables, the summary
//! and methods text, the flow diagram, numbers at risk, the descriptive figures) and every
//! estimate computed from counts, with its place, its raw value and its fate, read from the
//! decisions of [`DisclosedCounts`]. The report's "Disclosure control" section states how many
//! were withheld; `results/disclosure.csv` ([`disclosure_csv`]) lists each withheld one with its
//! raw value and the reason, for the analyst who reviews the pattern (it holds raw values, so
//! it is written under `results/`, never beside the report).

use crate::cohort::analysis::{AnalysisResult, Curve, HrEstimate, PopulationResult};
use crate::cohort::table1::VarKind;
use crate::plot::forest::ratio_text;

use super::disclosed::{horizon_ticks, DisclosedCounts};
use super::disclosure::DisclosureRule;

/// Why an entry is withheld.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// A count from 1 to threshold - 1.
    Primary,
    /// A count withheld so that a primary one cannot be recovered (complementary suppression),
    /// or printed again with the decision taken for it elsewhere.
    Complementary,
    /// An estimate computed from a withheld count.
    Estimate,
}

impl Reason {
    fn text(self, rule: &DisclosureRule) -> String {
        match self {
            Reason::Primary => format!("count from 1 to {}", rule.threshold.saturating_sub(1)),
            Reason::Complementary => {
                "complementary: protects a withheld count from recovery by the published ones"
                    .to_string()
            }
            Reason::Estimate => "estimate computed from a withheld count".to_string(),
        }
    }
}

/// One printed count or estimate.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// Table or figure, e.g. "Table 2", "figure-km: number at risk".
    pub place: String,
    /// Row and column, e.g. "landmark ...: deaths, exposed".
    pub what: String,
    /// The raw value as text (a count, or an estimate with its interval).
    pub raw: String,
    /// The raw count (`None` for an estimate).
    pub count: Option<u64>,
    pub shown: bool,
    pub reason: Option<Reason>,
}

/// The entries of one report, in the report's order.
#[derive(Debug, Default)]
struct Ledger {
    rule: DisclosureRule,
    entries: Vec<Entry>,
}

impl Ledger {
    fn count(&mut self, place: &str, what: String, raw: u64, published: Option<u64>) {
        let reason = published.is_none().then(|| {
            if self.rule.is_sensitive(raw) {
                Reason::Primary
            } else {
                Reason::Complementary
            }
        });
        self.entries.push(Entry {
            place: place.to_string(),
            what,
            raw: raw.to_string(),
            count: Some(raw),
            shown: published.is_some(),
            reason,
        });
    }

    fn estimate(&mut self, place: &str, what: String, raw: String, shown: bool) {
        self.entries.push(Entry {
            place: place.to_string(),
            what,
            raw,
            count: None,
            shown,
            reason: (!shown).then_some(Reason::Estimate),
        });
    }

    fn hr(&mut self, place: &str, what: String, h: Option<&HrEstimate>, shown: bool) {
        if let Some(h) = h.filter(|h| h.hr.is_finite()) {
            self.estimate(place, what, ratio_text(h.hr, h.lower, h.upper), shown);
        }
    }

    /// Deaths and known per arm of a population (`c`: published `[d_e, k_e, d_u, k_u]`).
    fn dk(&mut self, place: &str, row: &str, p: &PopulationResult, c: &[Option<u64>; 4]) {
        if let Some(b) = &p.binary {
            let raw = [
                b.deaths_exposed,
                b.known_exposed,
                b.deaths_unexposed,
                b.known_unexposed,
            ];
            let what = [
                "deaths, exposed",
                "known, exposed",
                "deaths, unexposed",
                "known, unexposed",
            ];
            for k in 0..4 {
                self.count(place, format!("{row}: {}", what[k]), raw[k] as u64, c[k]);
            }
        }
    }

    fn risk(&mut self, place: &str, curves: &[Curve], ticks: &[f64], rows: &[Vec<Option<u64>>]) {
        for (c, row) in curves.iter().zip(rows) {
            for (&t, &shown) in ticks.iter().zip(row) {
                let raw = c
                    .time
                    .iter()
                    .position(|&x| x >= t)
                    .map_or(0, |i| c.n_risk[i].round().max(0.0) as u64);
                self.count(place, format!("{} at day {t}", c.group), raw, shown);
            }
        }
    }
}

/// Every count and estimate the report of `r` prints, with its decision under `dc`.
pub fn entries(r: &AnalysisResult, dc: &DisclosedCounts) -> Vec<Entry> {
    let mut l = Ledger {
        rule: dc.rule,
        entries: Vec::new(),
    };
    l.flow(r, dc);
    l.analysed(r, dc);
    l.table1(r, dc);
    l.tables_2_3(r, dc);
    l.main_design(r, dc);
    l.absolute_and_ph(r, dc);
    l.descriptive(r, dc);
    l.entries
}

impl Ledger {
    /// The flow (table and diagram).
    fn flow(&mut self, r: &AnalysisResult, dc: &DisclosedCounts) {
        for (s, b) in r.flow.steps.iter().zip(&dc.flow.boxes) {
            self.count("cohort flow", format!("{}: in", s.label), s.n_in, b.n_in);
            for ((reason, n), (_, shown)) in s.excluded.iter().zip(&b.excluded) {
                self.count("cohort flow", format!("{}: {reason}", s.label), *n, *shown);
            }
            self.count(
                "cohort flow",
                format!("{}: kept", s.label),
                s.n_out,
                b.n_out,
            );
        }
    }

    /// The analysed sample by arm (flow diagram, summary, methods).
    fn analysed(&mut self, r: &AnalysisResult, dc: &DisclosedCounts) {
        if let Some(d) = dc.main.as_ref().map(|m| &r.designs[m.design]) {
            let raw = [d.overall.n_exposed as u64, d.overall.n_unexposed as u64];
            for (a, name) in ["exposed", "unexposed"].iter().enumerate() {
                if let Some(&shown) = dc.flow.arms.get(a) {
                    self.count(
                        "cohort flow diagram",
                        format!("analysed, {name}"),
                        raw[a],
                        shown,
                    );
                }
                self.count(
                    "summary",
                    format!("analysed, {name}"),
                    raw[a],
                    dc.sample_arms[a],
                );
            }
            self.count(
                "summary and methods",
                "analysed".into(),
                d.overall.n as u64,
                dc.sample,
            );
        }
    }

    /// Table 1.
    fn table1(&mut self, r: &AnalysisResult, dc: &DisclosedCounts) {
        let t1 = &r.table1;
        let header = [t1.n_exposed as u64, t1.n_unexposed as u64];
        for (a, name) in ["exposed", "unexposed", "overall"].iter().enumerate() {
            let raw = if a == 2 {
                header[0] + header[1]
            } else {
                header[a]
            };
            self.count("Table 1", format!("n, {name}"), raw, dc.table1.arms[a]);
        }
        for (v, b) in t1.variables.iter().zip(&dc.table1.blocks) {
            let arms = [&v.exposed, &v.unexposed];
            let last = b.cells.cells.len() - 1;
            for (row, cells) in b.cells.cells.iter().enumerate() {
                let printed_level = match v.kind {
                    VarKind::Continuous => false,
                    VarKind::Binary => row == 0,
                    VarKind::Categorical => row < last,
                };
                let missing = row == last && v.overall.n_missing > 0;
                if !(printed_level || missing) {
                    continue;
                }
                let raw = arms.map(|x| {
                    (if row == last {
                        x.n_missing
                    } else if v.kind == VarKind::Binary {
                        x.counts[0]
                    } else {
                        x.counts[row]
                    }) as u64
                });
                let label = if row == last {
                    "missing".to_string()
                } else if v.kind == VarKind::Binary {
                    "yes".to_string()
                } else {
                    v.levels[row].clone()
                };
                self.count(
                    "Table 1",
                    format!("{} {label}, exposed", v.name),
                    raw[0],
                    cells[0],
                );
                self.count(
                    "Table 1",
                    format!("{} {label}, unexposed", v.name),
                    raw[1],
                    cells[1],
                );
                self.count(
                    "Table 1",
                    format!("{} {label}, overall", v.name),
                    raw[0] + raw[1],
                    b.cells.row_totals[row],
                );
            }
        }
    }

    /// Tables 2 and 3, every design.
    fn tables_2_3(&mut self, r: &AnalysisResult, dc: &DisclosedCounts) {
        for (i, d) in r.designs.iter().enumerate() {
            if let (Some(b), Some(c)) = (&d.overall.binary, &dc.mortality[i]) {
                self.dk("Table 2", &d.label, &d.overall, c);
                let m = &b.measures;
                let shown = dc.estimates.mortality[i];
                for (name, e) in [
                    ("risk ratio", &m.risk_ratio),
                    ("risk difference", &m.risk_difference),
                    ("odds ratio", &m.odds_ratio),
                ] {
                    self.estimate(
                        "Table 2",
                        format!("{}: {name}", d.label),
                        ratio_text(e.estimate, e.lower, e.upper),
                        shown,
                    );
                }
            }
            for (j, (h, c)) in d
                .overall
                .hazard_ratios
                .iter()
                .zip(&dc.hazard[i])
                .enumerate()
            {
                let row = format!("{}: {}", d.label, h.label);
                self.count("Table 3", format!("{row}: patients"), h.n as u64, c[0]);
                self.count("Table 3", format!("{row}: deaths"), h.n_event as u64, c[1]);
                self.hr("Table 3", row, Some(h), dc.estimates.hazard[i][j]);
            }
        }
    }

    /// The main design's figures, Table 4 and the propensity diagnostics.
    fn main_design(&mut self, r: &AnalysisResult, dc: &DisclosedCounts) {
        if let Some((d, m)) = dc.main.as_ref().map(|m| (&r.designs[m.design], m)) {
            let place = "figure-km: number at risk";
            self.risk(place, &d.overall.km, &m.ticks, &m.risk);
            let sc = &m.subgroups;
            self.dk("Table 4", "all patients", &d.overall, &sc.all);
            for (i, (sg, levels)) in d.subgroups.iter().zip(&sc.levels).enumerate() {
                for (lv, lc) in sg.levels.iter().zip(levels) {
                    let row = format!("{}: {}", sg.name, lv.population);
                    self.dk("Table 4", &row, lv, &lc.dk);
                    if let Some(b) = &lv.binary {
                        let e = &b.measures.risk_ratio;
                        if e.estimate.is_finite() {
                            self.estimate(
                                "Table 4",
                                format!("{row}: risk ratio"),
                                ratio_text(e.estimate, e.lower, e.upper),
                                lc.estimates.crude,
                            );
                        }
                    }
                    let hr = super::sections::preferred_hr(lv);
                    let shown = hr.is_some_and(|h| lc.estimates.hr(h.method));
                    self.hr("Table 4", format!("{row}: hazard ratio"), hr, shown);
                    let ticks = horizon_ticks(r, d.design, &lv.km);
                    self.risk(&format!("{row}: number at risk"), &lv.km, &ticks, &lc.risk);
                }
                if let Some(Some(shown)) = sc.unclassified.get(i) {
                    let raw = [
                        d.overall.n_exposed - sg.levels.iter().map(|l| l.n_exposed).sum::<usize>(),
                        d.overall.n_unexposed
                            - sg.levels.iter().map(|l| l.n_unexposed).sum::<usize>(),
                    ];
                    for (a, name) in ["exposed", "unexposed"].iter().enumerate() {
                        self.count(
                            "Table 4",
                            format!("{}: not classified, {name}", sg.name),
                            raw[a] as u64,
                            shown[a],
                        );
                    }
                }
            }
            if let Some(ps) = &d.overall.propensity {
                let raw = [ps.n_trimmed, ps.n_pairs, ps.n_treated_unmatched];
                let what = [
                    "patients trimmed",
                    "matched pairs",
                    "exposed left unmatched",
                ];
                for k in 0..3 {
                    self.count(
                        "propensity diagnostics",
                        what[k].into(),
                        raw[k] as u64,
                        dc.propensity[k],
                    );
                }
            }
        }
    }

    /// Table 5 (risks, risk difference, NNT per method) and Table 6 (proportional-hazards
    /// tests), for all patients and every subgroup level of the main design; the bins of the
    /// propensity-overlap figure.
    fn absolute_and_ph(&mut self, r: &AnalysisResult, dc: &DisclosedCounts) {
        use super::sections::absolute::{method_name, nnt_text, percent_interval};
        let ctx = super::sections::Ctx { r, dc };
        for (label, p, shown) in ctx.main_populations() {
            for e in &p.risks {
                let ok = shown.adjustment(e.adjustment);
                let row = format!("{label}: {}", method_name(e));
                for (what, text) in [
                    ("risk, exposed", percent_interval(&e.risk_exposed)),
                    ("risk, unexposed", percent_interval(&e.risk_unexposed)),
                    ("risk difference", percent_interval(&e.risk_difference)),
                    ("NNT", nnt_text(&e.nnt)),
                ] {
                    self.estimate("Table 5", format!("{row}: {what}"), text, ok);
                }
            }
            for t in &p.ph_tests {
                let g = &t.test.global;
                self.estimate(
                    "Table 6",
                    format!("{label}: {}: global test", t.model),
                    format!("chi-square {:.2} ({} df), p {:.4}", g.chisq, g.df, g.p),
                    shown.adjusted,
                );
            }
        }
        if let (Some(h), Some(d)) = (&dc.ps_histogram, dc.main.as_ref()) {
            if let Some(ps) = &r.designs[d.design].overall.propensity {
                let raw = [&ps.histogram.exposed, &ps.histogram.unexposed];
                for (b, row) in h.cells.iter().enumerate() {
                    let (lo, hi) = (ps.histogram.edges[b], ps.histogram.edges[b + 1]);
                    for (a, name) in ["exposed", "unexposed"].iter().enumerate() {
                        self.count(
                            "figure-ps-overlap",
                            format!("{name}, score {lo}-{hi}"),
                            raw[a][b],
                            row[a],
                        );
                    }
                }
                for (a, name) in ["exposed", "unexposed"].iter().enumerate() {
                    let total = raw[a].iter().sum();
                    let shown = h.col_totals.get(a).copied().flatten();
                    self.count("figure-ps-overlap", format!("{name}, total"), total, shown);
                }
            }
        }
    }

    /// The descriptive figures.
    fn descriptive(&mut self, r: &AnalysisResult, dc: &DisclosedCounts) {
        for (dist, t) in r
            .descriptive
            .distributions
            .iter()
            .zip(&dc.descriptive.distributions)
        {
            for (g, group) in dist.groups.iter().enumerate() {
                for (c, &n) in group.counts.iter().enumerate() {
                    let what = format!("{}, {}", group.label, dist.categories[c]);
                    self.count(&dist.title, what, n, t.cells[c][g]);
                }
                let total = group.counts.iter().sum();
                self.count(
                    &dist.title,
                    format!("{}, total", group.label),
                    total,
                    t.col_totals[g],
                );
            }
        }
        for (p, ns) in r
            .descriptive
            .trajectories
            .iter()
            .zip(&dc.descriptive.trajectories)
        {
            for (g, n) in p.groups.iter().zip(ns) {
                for ((&raw, &shown), day) in g.n.iter().zip(n).zip(&p.days) {
                    self.count(&p.title, format!("{}, day {day}", g.label), raw, shown);
                }
            }
        }
    }
}

/// How much the report withholds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Totals {
    /// Counts printed (withheld ones included).
    pub counts: usize,
    pub counts_withheld: usize,
    /// Of the withheld counts, those withheld as complements (at least the threshold).
    pub complements: usize,
    /// The largest withheld count.
    pub largest_withheld: Option<u64>,
    pub estimates: usize,
    pub estimates_withheld: usize,
}

/// The totals of `entries`.
pub fn totals(entries: &[Entry]) -> Totals {
    let mut t = Totals::default();
    for e in entries {
        match e.count {
            Some(v) => {
                t.counts += 1;
                if !e.shown {
                    t.counts_withheld += 1;
                    if e.reason == Some(Reason::Complementary) {
                        t.complements += 1;
                    }
                    t.largest_withheld = Some(t.largest_withheld.map_or(v, |m| m.max(v)));
                }
            }
            None => {
                t.estimates += 1;
                if !e.shown {
                    t.estimates_withheld += 1;
                }
            }
        }
    }
    t
}

/// `results/disclosure.csv` of the report of `r` under `rule`: one row per withheld count or
/// estimate (`place`, `what`, `kind`, `raw`, `reason`), in the report's order.
pub fn disclosure_csv(r: &AnalysisResult, rule: &DisclosureRule) -> String {
    let dc = DisclosedCounts::new(r, rule);
    csv_of(&entries(r, &dc), rule)
}

/// The CSV text of the withheld `entries`.
pub fn csv_of(entries: &[Entry], rule: &DisclosureRule) -> String {
    let quote = |s: &str| {
        if s.contains([',', '"', '\n']) {
            format!("\"{}\"", s.replace('"', "\"\""))
        } else {
            s.to_string()
        }
    };
    let mut s = String::from("place,what,kind,raw,reason\n");
    for e in entries.iter().filter(|e| !e.shown) {
        let kind = if e.count.is_some() {
            "count"
        } else {
            "estimate"
        };
        let reason = e.reason.map_or(String::new(), |r| r.text(rule));
        s.push_str(&format!(
            "{},{},{kind},{},{}\n",
            quote(&e.place),
            quote(&e.what),
            quote(&e.raw),
            quote(&reason)
        ));
    }
    s
}
