//! Flat tables of an [`AnalysisResult`], one per file (`flow.csv`, `table1.csv`,
//! `estimates.csv`, `risks.csv`, `mortality.csv`, `interaction.csv`, `ph_tests.csv`,
//! `balance.csv`, `propensity.csv`, `ess.csv`, `ps_histogram.csv`, `km.csv`, `competing.csv`). Numbers are written in Rust's shortest round-trip form; missing
//! values (NaN) as empty cells. Every row names its design and population, and every effect its
//! outcome form; rows of the naive design carry `biased = true`.

use super::result::{AnalysisResult, DesignResult, PopulationResult};

/// One CSV table.
#[derive(Debug, Clone, PartialEq)]
pub struct CsvTable {
    /// File name, e.g. `estimates.csv`.
    pub name: String,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl CsvTable {
    fn new(name: &str, columns: &[&str]) -> Self {
        CsvTable {
            name: name.to_string(),
            columns: columns.iter().map(|s| s.to_string()).collect(),
            rows: Vec::new(),
        }
    }

    /// The table as CSV text (RFC 4180 quoting where needed, `\n` line ends).
    pub fn to_csv(&self) -> String {
        let mut s = String::new();
        let line = |cells: &[String], s: &mut String| {
            for (i, c) in cells.iter().enumerate() {
                if i > 0 {
                    s.push(',');
                }
                if c.contains([',', '"', '\n']) {
                    s.push('"');
                    s.push_str(&c.replace('"', "\"\""));
                    s.push('"');
                } else {
                    s.push_str(c);
                }
            }
            s.push('\n');
        };
        line(&self.columns, &mut s);
        for r in &self.rows {
            line(r, &mut s);
        }
        s
    }
}

/// A number in a results CSV (see [`crate::format::csv_number`]).
pub use crate::format::csv_number as num;

/// Every population of a design: `("", "all", overall)` then `(subgroup, level, result)`.
fn populations(d: &DesignResult) -> Vec<(&str, &PopulationResult)> {
    let mut v = vec![("", &d.overall)];
    for s in &d.subgroups {
        for l in &s.levels {
            v.push((s.name.as_str(), l));
        }
    }
    v
}

/// A unit enum's serde name (e.g. `covariate_adjusted`).
fn enum_name<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|x| x.as_str().map(str::to_string))
        .unwrap_or_default()
}

fn design_name(d: &DesignResult) -> String {
    serde_json::to_value(d.design)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// All tables of a result, in a fixed order.
pub fn result_tables(r: &AnalysisResult) -> Vec<CsvTable> {
    vec![
        flow_table(r),
        table1_table(r),
        estimates_table(r),
        risks_table(r),
        mortality_table(r),
        interaction_table(r),
        ph_table(r),
        balance_table(r),
        propensity_table(r),
        ess_table(r),
        histogram_table(r),
        km_table(r),
        competing_table(r),
    ]
}

/// `flow.csv`: one row per exclusion reason of each flow step (one row for a step without).
fn flow_table(r: &AnalysisResult) -> CsvTable {
    let mut flow = CsvTable::new(
        "flow.csv",
        &[
            "step", "label", "unit", "n_in", "reason", "excluded", "n_out",
        ],
    );
    for (k, s) in r.flow.steps.iter().enumerate() {
        if s.excluded.is_empty() {
            flow.rows.push(vec![
                (k + 1).to_string(),
                s.label.clone(),
                s.unit.clone(),
                s.n_in.to_string(),
                String::new(),
                "0".into(),
                s.n_out.to_string(),
            ]);
        }
        for (reason, n) in &s.excluded {
            flow.rows.push(vec![
                (k + 1).to_string(),
                s.label.clone(),
                s.unit.clone(),
                s.n_in.to_string(),
                reason.clone(),
                n.to_string(),
                s.n_out.to_string(),
            ]);
        }
    }
    flow
}

/// `table1.csv`: one row per Table 1 variable (per level when categorical).
fn table1_table(r: &AnalysisResult) -> CsvTable {
    let mut t1 = CsvTable::new(
        "table1.csv",
        &[
            "variable",
            "kind",
            "level",
            "exposed_n",
            "exposed_missing",
            "exposed_mean",
            "exposed_sd",
            "exposed_median",
            "exposed_q1",
            "exposed_q3",
            "exposed_count",
            "exposed_pct",
            "unexposed_n",
            "unexposed_missing",
            "unexposed_mean",
            "unexposed_sd",
            "unexposed_median",
            "unexposed_q1",
            "unexposed_q3",
            "unexposed_count",
            "unexposed_pct",
            "smd",
        ],
    );
    for v in &r.table1.variables {
        let kind = serde_json::to_value(v.kind)
            .ok()
            .and_then(|x| x.as_str().map(str::to_string))
            .unwrap_or_default();
        let arm = |a: &super::table1::ArmSummary, k: Option<usize>| -> Vec<String> {
            let nonmissing = (a.n - a.n_missing) as f64;
            let (count, pct) = match k {
                Some(k) if k < a.counts.len() => (
                    a.counts[k].to_string(),
                    num(100.0 * a.counts[k] as f64 / nonmissing),
                ),
                _ => (String::new(), String::new()),
            };
            vec![
                a.n.to_string(),
                a.n_missing.to_string(),
                num(a.mean),
                num(a.sd),
                num(a.median),
                num(a.q1),
                num(a.q3),
                count,
                pct,
            ]
        };
        let levels: Vec<(String, Option<usize>)> = match v.kind {
            super::table1::VarKind::Categorical => v
                .levels
                .iter()
                .enumerate()
                .map(|(k, l)| (l.clone(), Some(k)))
                .collect(),
            super::table1::VarKind::Binary => vec![("1".into(), Some(0))],
            super::table1::VarKind::Continuous => vec![(String::new(), None)],
        };
        for (l, k) in levels {
            let mut row = vec![v.name.clone(), kind.clone(), l];
            row.extend(arm(&v.exposed, k));
            row.extend(arm(&v.unexposed, k));
            row.push(num(v.smd));
            t1.rows.push(row);
        }
    }
    t1
}

/// `interaction.csv`: one row per subgroup of each design.
fn interaction_table(r: &AnalysisResult) -> CsvTable {
    let mut inter = CsvTable::new(
        "interaction.csv",
        &[
            "design",
            "biased",
            "subgroup",
            "n_missing",
            "statistic",
            "df",
            "df_denominator",
            "p",
            "p_holm",
            "n_tests",
            "method",
            "notes",
        ],
    );
    for d in &r.designs {
        let dn = design_name(d);
        let biased = d.biased.to_string();
        for s in &d.subgroups {
            let cells: [String; 7] = match &s.interaction {
                Some(t) => [
                    num(t.statistic),
                    t.df.to_string(),
                    t.df_denominator.map_or(String::new(), |d| d.to_string()),
                    num(t.p),
                    num(t.p_holm),
                    t.n_tests.to_string(),
                    t.method.clone(),
                ],
                None => Default::default(),
            };
            let mut row = vec![
                dn.clone(),
                biased.clone(),
                s.name.clone(),
                s.n_missing.to_string(),
            ];
            row.extend(cells);
            row.push(s.notes.join("; "));
            inter.rows.push(row);
        }
    }
    inter
}

/// `estimates.csv`: one row per hazard ratio of each population.
fn estimates_table(r: &AnalysisResult) -> CsvTable {
    let mut est = CsvTable::new(
        "estimates.csv",
        &[
            "design",
            "biased",
            "subgroup",
            "level",
            "outcome",
            "method",
            "adjustment",
            "contrast",
            "variance",
            "label",
            "hr",
            "lower",
            "upper",
            "coef",
            "se",
            "robust",
            "p",
            "n",
            "n_event",
            "e_value",
            "e_value_ci",
        ],
    );
    for d in &r.designs {
        let dn = design_name(d);
        let biased = d.biased.to_string();
        for (sg, p) in populations(d) {
            let key = |v: &mut Vec<String>| {
                v.push(dn.clone());
                v.push(biased.clone());
                v.push(sg.to_string());
                v.push(p.population.clone());
            };
            for h in &p.hazard_ratios {
                let mut row = Vec::new();
                key(&mut row);
                row.extend([
                    "time_to_death".to_string(),
                    enum_name(&h.method),
                    enum_name(&h.adjustment),
                    h.contrast.clone(),
                    h.variance.clone(),
                    h.label.clone(),
                    num(h.hr),
                    num(h.lower),
                    num(h.upper),
                    num(h.coef),
                    num(h.se),
                    h.robust.to_string(),
                    num(h.p),
                    h.n.to_string(),
                    h.n_event.to_string(),
                    num(h.e_value.point),
                    num(h.e_value.ci),
                ]);
                est.rows.push(row);
            }
        }
    }
    est
}

/// `mortality.csv`: the binary outcome and the log-rank test of each population.
fn mortality_table(r: &AnalysisResult) -> CsvTable {
    let mut mort = CsvTable::new(
        "mortality.csv",
        &[
            "design",
            "biased",
            "subgroup",
            "level",
            "outcome",
            "n",
            "n_exposed",
            "n_unexposed",
            "deaths_exposed",
            "known_exposed",
            "risk_exposed",
            "deaths_unexposed",
            "known_unexposed",
            "risk_unexposed",
            "n_unknown",
            "rr",
            "rr_lower",
            "rr_upper",
            "rd",
            "rd_lower",
            "rd_upper",
            "or",
            "or_lower",
            "or_upper",
            "correction",
            "e_value",
            "e_value_ci",
            "logrank_chisq",
            "logrank_p",
        ],
    );
    for d in &r.designs {
        let dn = design_name(d);
        let biased = d.biased.to_string();
        for (sg, p) in populations(d) {
            let key = |v: &mut Vec<String>| {
                v.push(dn.clone());
                v.push(biased.clone());
                v.push(sg.to_string());
                v.push(p.population.clone());
            };
            let mut row = Vec::new();
            key(&mut row);
            row.push("binary".into());
            row.extend([
                p.n.to_string(),
                p.n_exposed.to_string(),
                p.n_unexposed.to_string(),
            ]);
            match &p.binary {
                Some(b) => {
                    let m = &b.measures;
                    row.extend([
                        b.deaths_exposed.to_string(),
                        b.known_exposed.to_string(),
                        num(m.risk_exposed),
                        b.deaths_unexposed.to_string(),
                        b.known_unexposed.to_string(),
                        num(m.risk_unexposed),
                        b.n_unknown.to_string(),
                        num(m.risk_ratio.estimate),
                        num(m.risk_ratio.lower),
                        num(m.risk_ratio.upper),
                        num(m.risk_difference.estimate),
                        num(m.risk_difference.lower),
                        num(m.risk_difference.upper),
                        num(m.odds_ratio.estimate),
                        num(m.odds_ratio.lower),
                        num(m.odds_ratio.upper),
                        format!("{:?}", m.correction).to_lowercase(),
                        num(b.e_value_rr.point),
                        num(b.e_value_rr.ci),
                    ]);
                }
                None => row.extend(std::iter::repeat_n(String::new(), 19)),
            }
            match &p.logrank {
                Some(l) => row.extend([num(l.chisq), num(l.p)]),
                None => row.extend([String::new(), String::new()]),
            }
            mort.rows.push(row);
        }
    }
    mort
}

/// `balance.csv`: one row per covariate of each population with a balance table.
fn balance_table(r: &AnalysisResult) -> CsvTable {
    let mut bal = CsvTable::new(
        "balance.csv",
        &[
            "design",
            "subgroup",
            "level",
            "variable",
            "smd_before",
            "smd_iptw",
            "smd_matched",
            "smd_overlap",
            "smd_matching_weights",
        ],
    );
    for d in &r.designs {
        let dn = design_name(d);
        for (sg, p) in populations(d) {
            for b in &p.balance {
                bal.rows.push(vec![
                    dn.clone(),
                    sg.to_string(),
                    p.population.clone(),
                    b.variable.clone(),
                    num(b.smd_before),
                    num(b.smd_iptw),
                    num(b.smd_matched),
                    num(b.smd_overlap),
                    num(b.smd_matching_weights),
                ]);
            }
        }
    }
    bal
}

/// `propensity.csv`: the propensity model summary of each population that has one.
fn propensity_table(r: &AnalysisResult) -> CsvTable {
    let mut ps = CsvTable::new(
        "propensity.csv",
        &[
            "design",
            "subgroup",
            "level",
            "c_statistic",
            "n_trimmed",
            "weight_max",
            "ess_exposed",
            "ess_unexposed",
            "n_pairs",
            "n_treated_unmatched",
            "caliper_logit",
            "match_order",
            "n_mmws_dropped",
            "notes",
        ],
    );
    for d in &r.designs {
        let dn = design_name(d);
        for (sg, p) in populations(d) {
            if let Some(s) = &p.propensity {
                ps.rows.push(vec![
                    dn.clone(),
                    sg.to_string(),
                    p.population.clone(),
                    num(s.c_statistic),
                    s.n_trimmed.to_string(),
                    num(s.weight_max),
                    num(s.ess_exposed),
                    num(s.ess_unexposed),
                    s.n_pairs.to_string(),
                    s.n_treated_unmatched.to_string(),
                    num(s.caliper_logit),
                    s.match_order.clone(),
                    s.n_mmws_dropped.to_string(),
                    p.notes.join("; "),
                ]);
            }
        }
    }
    ps
}

/// `risks.csv`: the risks at the horizon per arm, their difference and the NNT, per method.
fn risks_table(r: &AnalysisResult) -> CsvTable {
    let mut t = CsvTable::new(
        "risks.csv",
        &[
            "design",
            "subgroup",
            "level",
            "outcome",
            "method",
            "adjustment",
            "horizon",
            "risk_exposed",
            "risk_exposed_lower",
            "risk_exposed_upper",
            "risk_unexposed",
            "risk_unexposed_lower",
            "risk_unexposed_upper",
            "risk_difference",
            "rd_lower",
            "rd_upper",
            "nnt",
            "interval",
            "bootstrap_failed",
            "analytic",
            "rd_lower_analytic",
            "rd_upper_analytic",
            "label",
        ],
    );
    for d in &r.designs {
        let dn = design_name(d);
        for (sg, p) in populations(d) {
            for k in &p.risks {
                let mut row = vec![
                    dn.clone(),
                    sg.to_string(),
                    p.population.clone(),
                    enum_name(&k.outcome),
                    enum_name(&k.method),
                    enum_name(&k.adjustment),
                    num(k.horizon),
                ];
                for i in [&k.risk_exposed, &k.risk_unexposed, &k.risk_difference] {
                    row.extend([num(i.estimate), num(i.lower), num(i.upper)]);
                }
                row.extend([
                    k.nnt.text.clone(),
                    k.interval.clone(),
                    k.bootstrap_failed.to_string(),
                ]);
                match &k.analytic {
                    Some(a) => row.extend([
                        a.method.clone(),
                        num(a.risk_difference.lower),
                        num(a.risk_difference.upper),
                    ]),
                    None => row.extend([String::new(), String::new(), String::new()]),
                }
                row.push(k.label.clone());
                t.rows.push(row);
            }
        }
    }
    t
}

/// `ph_tests.csv`: the proportional-hazards tests (R `cox.zph`), one row per term and global.
fn ph_table(r: &AnalysisResult) -> CsvTable {
    let mut t = CsvTable::new(
        "ph_tests.csv",
        &[
            "design", "subgroup", "level", "model", "term", "chisq", "df", "p",
        ],
    );
    for d in &r.designs {
        let dn = design_name(d);
        for (sg, p) in populations(d) {
            for ph in &p.ph_tests {
                for row in ph.test.terms.iter().chain(std::iter::once(&ph.test.global)) {
                    t.rows.push(vec![
                        dn.clone(),
                        sg.to_string(),
                        p.population.clone(),
                        ph.model.clone(),
                        row.term.clone(),
                        num(row.chisq),
                        row.df.to_string(),
                        num(row.p),
                    ]);
                }
            }
        }
    }
    t
}

/// `ess.csv`: Kish effective sample sizes per arm under each set of weights.
fn ess_table(r: &AnalysisResult) -> CsvTable {
    let mut t = CsvTable::new(
        "ess.csv",
        &[
            "design",
            "subgroup",
            "level",
            "weights",
            "ess_exposed",
            "ess_unexposed",
            "n_exposed",
            "n_unexposed",
        ],
    );
    for d in &r.designs {
        let dn = design_name(d);
        for (sg, p) in populations(d) {
            for e in p.propensity.iter().flat_map(|s| &s.ess) {
                t.rows.push(vec![
                    dn.clone(),
                    sg.to_string(),
                    p.population.clone(),
                    e.weights.clone(),
                    num(e.exposed),
                    num(e.unexposed),
                    e.n_exposed.to_string(),
                    e.n_unexposed.to_string(),
                ]);
            }
        }
    }
    t
}

/// `ps_histogram.csv`: the propensity score by arm in bins (for mirrored histograms).
fn histogram_table(r: &AnalysisResult) -> CsvTable {
    let mut t = CsvTable::new(
        "ps_histogram.csv",
        &[
            "design",
            "subgroup",
            "level",
            "bin_lower",
            "bin_upper",
            "exposed",
            "unexposed",
        ],
    );
    for d in &r.designs {
        let dn = design_name(d);
        for (sg, p) in populations(d) {
            if let Some(s) = &p.propensity {
                let h = &s.histogram;
                for b in 0..h.exposed.len() {
                    t.rows.push(vec![
                        dn.clone(),
                        sg.to_string(),
                        p.population.clone(),
                        num(h.edges[b]),
                        num(h.edges[b + 1]),
                        h.exposed[b].to_string(),
                        h.unexposed[b].to_string(),
                    ]);
                }
            }
        }
    }
    t
}

/// `km.csv`: every step of every Kaplan-Meier curve (unweighted and IPTW-weighted).
fn km_table(r: &AnalysisResult) -> CsvTable {
    let mut km = CsvTable::new(
        "km.csv",
        &[
            "design",
            "subgroup",
            "level",
            "weighting",
            "group",
            "time",
            "n_risk",
            "n_event",
            "surv",
            "lower",
            "upper",
        ],
    );
    for d in &r.designs {
        let dn = design_name(d);
        for (sg, p) in populations(d) {
            for (weighting, curves) in [("none", &p.km), ("iptw", &p.km_weighted)] {
                for c in curves {
                    for i in 0..c.time.len() {
                        km.rows.push(vec![
                            dn.clone(),
                            sg.to_string(),
                            p.population.clone(),
                            weighting.into(),
                            c.group.clone(),
                            num(c.time[i]),
                            num(c.n_risk[i]),
                            num(c.n_event[i]),
                            num(c.surv[i]),
                            num(c.lower[i]),
                            num(c.upper[i]),
                        ]);
                    }
                }
            }
        }
    }
    km
}

/// `competing.csv`: every step of every cumulative incidence curve.
fn competing_table(r: &AnalysisResult) -> CsvTable {
    let mut cr = CsvTable::new(
        "competing.csv",
        &[
            "design",
            "subgroup",
            "level",
            "group",
            "outcome",
            "time",
            "cif_death",
            "lower",
            "upper",
            "cif_discharge",
        ],
    );
    for d in &r.designs {
        let dn = design_name(d);
        for (sg, p) in populations(d) {
            for c in &p.competing {
                for i in 0..c.time.len() {
                    cr.rows.push(vec![
                        dn.clone(),
                        sg.to_string(),
                        p.population.clone(),
                        c.group.clone(),
                        "competing".into(),
                        num(c.time[i]),
                        num(c.cif_death[i]),
                        num(c.lower[i]),
                        num(c.upper[i]),
                        num(c.cif_discharge[i]),
                    ]);
                }
            }
        }
    }
    cr
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quoting_and_numbers() {
        let mut t = CsvTable::new("x.csv", &["a", "b"]);
        t.rows.push(vec!["1,5".into(), "say \"hi\"".into()]);
        assert_eq!(t.to_csv(), "a,b\n\"1,5\",\"say \"\"hi\"\"\"\n");
        assert_eq!(num(f64::NAN), "");
        assert_eq!(num(0.1), "0.1");
        assert_eq!(num(f64::INFINITY), "Inf");
        assert_eq!(num(1.5e-20), "1.5e-20");
        assert_eq!(num(0.0), "0");
    }
}
