//! The full report of one analysis run: builds a [`ReportDocument`] from an [`AnalysisResult`]
//! (the cohort layer's typed output) with disclosure control applied to every count: Table 1,
//! the cohort flow, mortality and hazard-ratio tables for every design, Kaplan-Meier and
//! cumulative-incidence figures with aligned number-at-risk tables, the subgroup table, forest
//! plot and Kaplan-Meier grids, covariate balance (Love plot) and the propensity model, optional
//! score distributions and trajectories, the methods paragraph and the options used.

use crate::cohort::analysis::{
    AnalysisResult, Curve, DesignResult, HrEstimate, HrMethod, PopulationResult, SubgroupResult,
};
use crate::cohort::descriptive::Descriptive;
use crate::cohort::landmark::Design;
use crate::cohort::propensity::Estimand;
use crate::cohort::table1::{ArmSummary, Table1, Table1Variable, VarKind};
use crate::plot::axis::day_ticks;
use crate::plot::cif::{cif_figure, CifCurve, CifPlot};
use crate::plot::distribution::{
    distribution_figure, trajectory_figure, BarGroup, ScoreDistribution, Trajectory,
    TrajectoryGroup,
};
use crate::plot::flow::{flow_figure, FlowDiagram};
use crate::plot::forest::{forest_figure, ratio_text, ForestPlot, ForestRow, RowKind};
use crate::plot::km::{km_figure, km_grid, KmCurve, KmPlot, RiskRow, RiskTable};
use crate::plot::love::{love_figure, LovePlot, LoveRow};
use crate::plot::theme::{self, fixed, p_value};
use crate::schema::CohortFlow;

use super::disclosure::{
    suppress_flow_with_arms, suppress_linked, suppress_risk_row_fixed, suppress_table,
    suppress_table_masked, DisclosureRule, LinkedCounts, Margins, SuppressedTable,
};
use super::document::{Block, Cell, Figure, ReportDocument, Row, Section, Table};
use super::methods::{methods_paragraphs, MethodsInput, ScoreUse};
use super::{versions_section, ReportError};

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

/// Labels of the exposed and unexposed groups, e.g. "Anticoagulant", "No anticoagulant".
fn arm_labels(r: &AnalysisResult) -> (String, String) {
    (
        capitalise(&r.exposure.name),
        format!("No {}", r.exposure.name),
    )
}

fn group_label(r: &AnalysisResult, group: &str) -> String {
    let (e, u) = arm_labels(r);
    match group {
        "exposed" => e,
        "unexposed" => u,
        other => other.to_string(),
    }
}

fn time_label(r: &AnalysisResult, design: Design) -> String {
    match design {
        Design::Landmark => format!(
            "Days since the landmark (end of day {})",
            r.exposure.window[1]
        ),
        _ => "Days since ICU admission".to_string(),
    }
}

fn small(rule: &DisclosureRule, n: u64) -> Option<u64> {
    (!rule.is_sensitive(n)).then_some(n)
}

fn hr_cell(h: Option<&HrEstimate>) -> Cell {
    match h {
        Some(h) if h.hr.is_finite() => Cell::text(ratio_text(h.hr, h.lower, h.upper)),
        _ => Cell::text("NA"),
    }
}

fn p_cell(p: f64) -> Cell {
    Cell::text(p_value(p).trim_start_matches("= ").to_string())
}

/// The preferred adjusted hazard ratio of a population: IPTW, else covariate-adjusted, else
/// unadjusted.
fn preferred_hr(p: &PopulationResult) -> Option<&HrEstimate> {
    [
        HrMethod::Iptw,
        HrMethod::CovariateAdjusted,
        HrMethod::Unadjusted,
    ]
    .iter()
    .find_map(|m| {
        p.hazard_ratios
            .iter()
            .find(|h| h.method == *m && h.hr.is_finite())
    })
}

// ---------------------------------------------------------------------------------------------
// Curves

/// Number of the curve's patients at risk at time `t` (all times, event or censoring, are
/// listed, so after the last one nobody is at risk).
fn at_risk(c: &Curve, t: f64) -> u64 {
    c.time
        .iter()
        .position(|&x| x >= t)
        .map_or(0, |i| c.n_risk[i].round().max(0.0) as u64)
}

/// Index one past the last time at which at least `threshold` patients are at risk.
fn shown_prefix(c: &Curve, rule: &DisclosureRule) -> usize {
    if rule.threshold <= 1 {
        return c.time.len();
    }
    c.n_risk
        .iter()
        .position(|&n| n.round() < rule.threshold as f64)
        .unwrap_or(c.time.len())
}

fn km_curve(r: &AnalysisResult, c: &Curve, rule: &DisclosureRule, band: bool) -> KmCurve {
    km_curve_ref(r, c, c, rule, band)
}

/// A curve drawn up to the last time `reference` (the unweighted curve of the same group, whose
/// risk set counts patients) keeps at least `threshold` at risk, with its censoring marks.
fn km_curve_ref(
    r: &AnalysisResult,
    c: &Curve,
    reference: &Curve,
    rule: &DisclosureRule,
    band: bool,
) -> KmCurve {
    let kr = shown_prefix(reference, rule);
    let last = if kr == 0 {
        f64::NEG_INFINITY
    } else {
        reference.time[kr - 1]
    };
    let k = c.time.iter().take_while(|&&t| t <= last).count();
    let mut censor = Vec::new();
    for i in 0..kr {
        let next = if i + 1 < reference.n_risk.len() {
            reference.n_risk[i + 1]
        } else {
            0.0
        };
        if reference.n_risk[i] - reference.n_event[i] - next > 0.5 {
            censor.push(reference.time[i]);
        }
    }
    KmCurve {
        label: group_label(r, &c.group),
        time: c.time[..k].to_vec(),
        surv: c.surv[..k].to_vec(),
        lower: if band {
            c.lower[..k].to_vec()
        } else {
            Vec::new()
        },
        upper: if band {
            c.upper[..k].to_vec()
        } else {
            Vec::new()
        },
        censor_times: censor,
        dashed: false,
        color: Some(if c.group == "unexposed" { 1 } else { 0 }),
    }
}

/// The number-at-risk table of `curves` at `ticks`. `first` gives, per curve, the group size
/// already printed elsewhere (value, shown): the entry at time 0 takes the same decision when it
/// is the same number, so a count withheld in a table is not printed under a figure.
fn risk_table(
    r: &AnalysisResult,
    curves: &[Curve],
    ticks: &[f64],
    first: &[Option<(u64, bool)>],
    rule: &DisclosureRule,
) -> RiskTable {
    let counts: Vec<Vec<Option<u64>>> = curves
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let raw: Vec<u64> = ticks.iter().map(|&t| at_risk(c, t)).collect();
            let mut fixed = vec![None; raw.len()];
            if let (Some(Some((n, shown))), Some(&r0)) = (first.get(i), raw.first()) {
                if ticks.first().is_some_and(|&t| t <= 0.0) && r0 == *n {
                    fixed[0] = Some(*shown);
                }
            }
            suppress_risk_row_fixed(&raw, &fixed, rule)
        })
        .collect();
    RiskTable {
        title: "Number at risk".to_string(),
        times: ticks.to_vec(),
        rows: curves
            .iter()
            .zip(counts)
            .map(|(c, counts)| RiskRow {
                label: group_label(r, &c.group),
                counts,
            })
            .collect(),
    }
}

fn horizon_ticks(r: &AnalysisResult, design: Design, curves: &[Curve]) -> Vec<f64> {
    let follow_up = match design {
        Design::Landmark => (r.plan.outcome.horizon - r.exposure.window[1]) as f64,
        _ => r.plan.outcome.horizon as f64,
    };
    let last = curves
        .iter()
        .flat_map(|c| c.time.last())
        .fold(0.0f64, |m, &t| m.max(t));
    day_ticks(follow_up.max(last))
}

fn km_plot(
    r: &AnalysisResult,
    design: Design,
    p: &PopulationResult,
    title: &str,
    first: &[Option<(u64, bool)>],
    rule: &DisclosureRule,
) -> Option<KmPlot> {
    if p.km.is_empty() {
        return None;
    }
    let ticks = horizon_ticks(r, design, &p.km);
    let mut annotations = Vec::new();
    if let Some(lr) = &p.logrank {
        annotations.push(format!("Log-rank p {}", p_value(lr.p)));
    }
    Some(KmPlot {
        title: title.to_string(),
        curves: p.km.iter().map(|c| km_curve(r, c, rule, true)).collect(),
        risk_table: Some(risk_table(r, &p.km, &ticks, first, rule)),
        x_label: time_label(r, design),
        x_max: ticks.last().copied(),
        annotations,
        ..Default::default()
    })
}

fn cif_plot(
    r: &AnalysisResult,
    design: Design,
    p: &PopulationResult,
    first: &[Option<(u64, bool)>],
    rule: &DisclosureRule,
) -> Option<CifPlot> {
    if p.competing.is_empty() {
        return None;
    }
    let ticks = horizon_ticks(r, design, &p.km);
    let mut curves = Vec::new();
    let mut y_max: f64 = 0.0;
    for ci in &p.competing {
        // Drawn while the group's risk set (the same as the Kaplan-Meier one) is large enough.
        let last_t =
            p.km.iter()
                .find(|c| c.group == ci.group)
                .map(|c| {
                    let k = shown_prefix(c, rule);
                    if k == 0 {
                        f64::NEG_INFINITY
                    } else {
                        c.time[k - 1]
                    }
                })
                .unwrap_or(f64::INFINITY);
        let k = ci.time.iter().take_while(|&&t| t <= last_t).count();
        let label = group_label(r, &ci.group);
        for v in ci.cif_death[..k]
            .iter()
            .chain(&ci.upper[..k])
            .chain(&ci.cif_discharge[..k])
        {
            if v.is_finite() {
                y_max = y_max.max(*v);
            }
        }
        curves.push(CifCurve {
            group: label.clone(),
            cause: "death".into(),
            time: ci.time[..k].to_vec(),
            cif: ci.cif_death[..k].to_vec(),
            lower: ci.lower[..k].to_vec(),
            upper: ci.upper[..k].to_vec(),
            competing: false,
        });
        curves.push(CifCurve {
            group: label,
            cause: "discharge alive".into(),
            time: ci.time[..k].to_vec(),
            cif: ci.cif_discharge[..k].to_vec(),
            lower: Vec::new(),
            upper: Vec::new(),
            competing: true,
        });
    }
    // The axis ends on a tick: multiples of 0.1 up to 0.4, of 0.2 above.
    let step = if y_max <= 0.35 { 0.1 } else { 0.2 };
    let y_max = (((y_max + 0.02) / step).ceil() * step).min(1.0);
    Some(CifPlot {
        title: "Cumulative incidence of death and of discharge alive".into(),
        curves,
        risk_table: Some(risk_table(r, &p.km, &ticks, first, rule)),
        x_label: time_label(r, design),
        x_max: ticks.last().copied(),
        y_max: Some(y_max.max(0.1)),
        show_ci: true,
        annotations: Vec::new(),
        footnotes: Vec::new(),
    })
}

/// Group sizes of a population's curves as printed in Table 1 and the flow (primary
/// suppression only).
fn arm_sizes(p: &PopulationResult, rule: &DisclosureRule) -> Vec<Option<(u64, bool)>> {
    p.km.iter()
        .map(|c| {
            let n = match c.group.as_str() {
                "exposed" => p.n_exposed,
                "unexposed" => p.n_unexposed,
                _ => return None,
            } as u64;
            Some((n, !rule.is_sensitive(n)))
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Tables

/// Decimals for a variable's summaries, from the magnitude of its typical value.
fn decimals_for_magnitude(v: f64) -> usize {
    let a = v.abs();
    if !a.is_finite() || a >= 100.0 {
        0
    } else if a >= 1.0 {
        1
    } else {
        2
    }
}

/// Table 1 with disclosure control per variable block (categories and missing by arm, with the
/// arm sizes and the overall column as margins). The blocks take their decisions from the joint
/// audit with the primary design's subgroup table ([`subgroup_table_counts`]), so a count of
/// patients printed in two places (Table 1 and the subgroup table, or two Table 1 blocks) gets
/// one decision.
fn table_one(r: &AnalysisResult, t1: &Table1, rule: &DisclosureRule) -> Table {
    let joint: Vec<Option<SuppressedTable>> = r
        .designs
        .iter()
        .find(|d| d.primary)
        .map(|d| subgroup_table_counts(&d.overall, &d.subgroups, Some(t1), rule).2)
        .unwrap_or_default();
    let (el, ul) = arm_labels(r);
    let n_e = t1.n_exposed as u64;
    let n_u = t1.n_unexposed as u64;
    let header = vec![
        "Characteristic".to_string(),
        format!("{el} (n = {})", theme::count(small(rule, n_e))),
        format!("{ul} (n = {})", theme::count(small(rule, n_u))),
        format!("Overall (n = {})", theme::count(small(rule, n_e + n_u))),
        "SMD".to_string(),
    ];
    let mut rows = Vec::new();
    for (i, v) in t1.variables.iter().enumerate() {
        rows.extend(table_one_rows(
            v,
            joint.get(i).and_then(Option::as_ref),
            rule,
        ));
    }
    Table {
        id: "table-1".into(),
        caption: format!(
            "Table 1. Baseline characteristics by exposure ({}).",
            r.designs.iter().find(|d| d.primary).map_or("primary sample", |d| d.label.as_str())
        ),
        header,
        rows,
        notes: vec![
            "Continuous: mean (SD) and median [Q1, Q3] of non-missing values; binary and categorical: n (% of non-missing). SMD: standardised mean difference (categorical: multivariate distance), as R tableone.".into(),
            format!("{} Summary statistics of an arm with fewer than {} non-missing values are withheld.", theme::SUPPRESSED, rule.threshold.max(1)),
        ],
    }
}

fn arms(v: &Table1Variable) -> [&ArmSummary; 2] {
    [&v.exposed, &v.unexposed]
}

/// One variable's rows; `joint`: the block's decisions from the joint audit (rows: levels or
/// the non-missing count, then missing; arms as columns), else the block is audited on its own.
fn table_one_rows(
    v: &Table1Variable,
    joint: Option<&SuppressedTable>,
    rule: &DisclosureRule,
) -> Vec<Row> {
    let smd = Cell::number(v.smd, 2);
    let mut rows = Vec::new();
    match v.kind {
        VarKind::Continuous => {
            let counts: Vec<Vec<u64>> = vec![
                arms(v).iter().map(|a| (a.n - a.n_missing) as u64).collect(),
                arms(v).iter().map(|a| a.n_missing as u64).collect(),
            ];
            // The non-missing counts are not printed (only implied by the arm size minus the
            // missing count, which disclosure control protects).
            let printed = vec![vec![false, false], vec![true, true]];
            let t = match joint {
                Some(t) => t.clone(),
                None => suppress_table_masked(&counts, Some(&printed), Margins::Both, rule),
            };
            let centre = if v.overall.median.is_finite() {
                v.overall.median
            } else {
                v.overall.mean
            };
            let dec = decimals_for_magnitude(centre).max(decimals_for_magnitude(v.overall.sd));
            let num = |x: f64| fixed(x, dec);
            // Statistics of fewer than `threshold` values are withheld.
            let stat = |a: &ArmSummary, f: &dyn Fn(&ArmSummary) -> String| -> Cell {
                let n = (a.n - a.n_missing) as u64;
                if n == 0 {
                    Cell::text("NA")
                } else if rule.is_sensitive(n) {
                    Cell::text(theme::SUPPRESSED)
                } else {
                    Cell::text(f(a))
                }
            };
            let mean = |a: &ArmSummary| format!("{} ({})", num(a.mean), num(a.sd));
            let median =
                |a: &ArmSummary| format!("{} [{}, {}]", num(a.median), num(a.q1), num(a.q3));
            rows.push(Row::new(vec![
                Cell::text(format!("{}, mean (SD)", v.name)),
                stat(&v.exposed, &mean),
                stat(&v.unexposed, &mean),
                stat(&v.overall, &mean),
                smd,
            ]));
            rows.push(Row::new(vec![
                Cell::text("    median [Q1, Q3]"),
                stat(&v.exposed, &median),
                stat(&v.unexposed, &median),
                stat(&v.overall, &median),
                Cell::Empty,
            ]));
            if v.overall.n_missing > 0 {
                rows.push(Row::new(vec![
                    Cell::text("    missing, n (%)"),
                    Cell::CountPercent {
                        n: t.cells[1][0],
                        total: t.col_totals[0],
                    },
                    Cell::CountPercent {
                        n: t.cells[1][1],
                        total: t.col_totals[1],
                    },
                    Cell::CountPercent {
                        n: t.row_totals[1],
                        total: t.grand_total.flatten(),
                    },
                    Cell::Empty,
                ]));
            }
        }
        VarKind::Binary | VarKind::Categorical => {
            let levels: Vec<String> = if v.kind == VarKind::Binary {
                vec!["yes".into(), "no".into()]
            } else {
                v.levels.clone()
            };
            let level_counts = |a: &ArmSummary| -> Vec<u64> {
                if v.kind == VarKind::Binary {
                    let yes = a.counts.first().copied().unwrap_or(0) as u64;
                    vec![yes, (a.n - a.n_missing) as u64 - yes]
                } else {
                    a.counts.iter().map(|&c| c as u64).collect()
                }
            };
            let ce = level_counts(&v.exposed);
            let cu = level_counts(&v.unexposed);
            let mut counts: Vec<Vec<u64>> = (0..levels.len()).map(|i| vec![ce[i], cu[i]]).collect();
            counts.push(vec![
                v.exposed.n_missing as u64,
                v.unexposed.n_missing as u64,
            ]);
            // A binary variable prints only its "yes" row (and missing).
            let printed: Vec<Vec<bool>> = (0..=levels.len())
                .map(|i| vec![!(v.kind == VarKind::Binary && i == 1); 2])
                .collect();
            let t = match joint {
                Some(t) => t.clone(),
                None => suppress_table_masked(&counts, Some(&printed), Margins::Both, rule),
            };
            let m = levels.len();
            // Percent of non-missing: known when the arm's missing count and size are shown.
            let nonmiss = |total: Option<u64>, missing: Option<u64>| match (total, missing) {
                (Some(n), Some(mi)) => Some(n - mi),
                _ => None,
            };
            let denom = [
                nonmiss(t.col_totals[0], t.cells[m][0]),
                nonmiss(t.col_totals[1], t.cells[m][1]),
                nonmiss(t.grand_total.flatten(), t.row_totals[m]),
            ];
            // A percentage publishes its denominator: only when it is not itself sensitive.
            let denom: Vec<Option<u64>> = denom
                .iter()
                .map(|d| d.filter(|&d| !rule.is_sensitive(d)))
                .collect();
            let shown_levels: Vec<usize> = if v.kind == VarKind::Binary {
                vec![0]
            } else {
                (0..m).collect()
            };
            if v.kind == VarKind::Categorical {
                rows.push(Row::new(vec![
                    Cell::text(format!("{}, n (%)", v.name)),
                    Cell::Empty,
                    Cell::Empty,
                    Cell::Empty,
                    smd.clone(),
                ]));
            }
            for &i in &shown_levels {
                let label = if v.kind == VarKind::Binary {
                    format!("{}, n (%)", v.name)
                } else {
                    format!("    {}", levels[i])
                };
                rows.push(Row::new(vec![
                    Cell::text(label),
                    Cell::CountPercent {
                        n: t.cells[i][0],
                        total: denom[0],
                    },
                    Cell::CountPercent {
                        n: t.cells[i][1],
                        total: denom[1],
                    },
                    Cell::CountPercent {
                        n: t.row_totals[i],
                        total: denom[2],
                    },
                    if v.kind == VarKind::Binary {
                        smd.clone()
                    } else {
                        Cell::Empty
                    },
                ]));
            }
            if v.overall.n_missing > 0 {
                rows.push(Row::new(vec![
                    Cell::text("    missing, n (%)"),
                    Cell::CountPercent {
                        n: t.cells[m][0],
                        total: t.col_totals[0],
                    },
                    Cell::CountPercent {
                        n: t.cells[m][1],
                        total: t.col_totals[1],
                    },
                    Cell::CountPercent {
                        n: t.row_totals[m],
                        total: t.grand_total.flatten(),
                    },
                    Cell::Empty,
                ]));
            }
        }
    }
    rows
}

fn flow_section(r: &AnalysisResult, rule: &DisclosureRule) -> Result<Section, ReportError> {
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
    let (boxes, mut arm_counts) = suppress_flow_with_arms(
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
            arm_counts.iter_mut().for_each(|c| *c = None);
        }
    }
    let mut s = Section::new("flow", "Cohort flow");
    if !chain.is_empty() {
        let (el, ul) = arm_labels(r);
        let d = FlowDiagram {
            title: "Cohort flow (primary design)".into(),
            steps: chain.iter().map(|&i| boxes[i].clone()).collect(),
            final_label: "Analysed".into(),
            arms: if arm_counts.len() == 2 {
                vec![(el, arm_counts[0]), (ul, arm_counts[1])]
            } else {
                Vec::new()
            },
            footnotes: vec![format!(
                "{} withheld (disclosure control).",
                theme::SUPPRESSED
            )],
        };
        s.push(Block::Figure(Figure {
            id: "figure-flow".into(),
            caption: "Cohort flow of the primary design: patients entering each step, exclusions with their reasons, and the analysed groups.".into(),
            svg: flow_figure(&d)?,
        }));
    }
    let mut rows = Vec::new();
    for b in &boxes {
        rows.push(Row::new(vec![
            Cell::text(b.label.clone()),
            Cell::text(b.unit.clone()),
            Cell::Count(b.n_in),
            Cell::text(if b.excluded.is_empty() {
                "none".to_string()
            } else {
                b.excluded
                    .iter()
                    .map(|(reason, n)| format!("{reason}: {}", theme::count(*n)))
                    .collect::<Vec<_>>()
                    .join("; ")
            }),
            Cell::Count(b.n_out),
        ]));
    }
    s.push(Block::Table(Table {
        id: "table-flow".into(),
        caption: "Every step of the cohort flow (all designs).".into(),
        header: vec![
            "Step".into(),
            "Unit".into(),
            "In".into(),
            "Excluded".into(),
            "Kept".into(),
        ],
        rows,
        notes: Vec::new(),
    }));
    Ok(s)
}

/// Mortality by exposure for each design: deaths / known status per arm with the margins.
/// Deaths and patients with known status per arm (d_e, k_e, d_u, k_u) after disclosure
/// control. A known count equal to the arm's size (printed in Table 1 and the flow) is taken as
/// published.
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

fn mortality_table(r: &AnalysisResult, rule: &DisclosureRule) -> Table {
    let (el, ul) = arm_labels(r);
    let mut rows = Vec::new();
    for d in &r.designs {
        let (Some(b), Some(c)) = (&d.overall.binary, mortality_counts(&d.overall, rule)) else {
            continue;
        };
        let m = &b.measures;
        rows.push(Row::new(vec![
            Cell::text(design_name(d)),
            Cell::CountPercent {
                n: c[0],
                total: c[1],
            },
            Cell::CountPercent {
                n: c[2],
                total: c[3],
            },
            Cell::text(ratio_text(
                m.risk_ratio.estimate,
                m.risk_ratio.lower,
                m.risk_ratio.upper,
            )),
            Cell::text(format!(
                "{} ({} to {})",
                fixed(100.0 * m.risk_difference.estimate, 1),
                fixed(100.0 * m.risk_difference.lower, 1),
                fixed(100.0 * m.risk_difference.upper, 1)
            )),
            Cell::text(ratio_text(
                m.odds_ratio.estimate,
                m.odds_ratio.lower,
                m.odds_ratio.upper,
            )),
        ]));
    }
    Table {
        id: "table-mortality".into(),
        caption: format!(
            "Table 2. {} by exposure, unadjusted.",
            r.outcomes
                .first()
                .map_or("Mortality".to_string(), |o| capitalise(&o.label))
        ),
        header: vec![
            "Design".into(),
            format!("{el}: deaths (%)"),
            format!("{ul}: deaths (%)"),
            "Risk ratio (95% CI)".into(),
            "Risk difference, % (95% CI)".into(),
            "Odds ratio (95% CI)".into(),
        ],
        rows,
        notes: vec!["Percentages of patients with known status at the horizon.".into()],
    }
}

fn design_name(d: &DesignResult) -> String {
    let mut s = capitalise(&d.label);
    if d.primary {
        s.push_str(" [primary]");
    }
    if d.biased && !d.label.contains("BIASED") {
        s.push_str(" [BIASED: immortal time, for comparison only]");
    }
    s
}

fn hr_table(r: &AnalysisResult, rule: &DisclosureRule) -> Table {
    let mut rows = Vec::new();
    for d in &r.designs {
        rows.push(Row::group(design_name(d)));
        // Totals here would give back a per-arm count withheld in Table 2 (total minus the
        // other arm): withheld together with it.
        let t2 = mortality_counts(&d.overall, rule);
        let deaths_ok = t2.is_none_or(|c| c[0].is_some() && c[2].is_some());
        let known_ok = t2.is_none_or(|c| c[1].is_some() && c[3].is_some());
        // A model's sample that differs from Table 1's by a small count would reveal it.
        let t1_total = (r.table1.n_exposed + r.table1.n_unexposed) as i64;
        let n_ok =
            |n: usize| !d.primary || !rule.is_sensitive((t1_total - n as i64).unsigned_abs());
        for h in &d.overall.hazard_ratios {
            rows.push(Row::new(vec![
                Cell::text(format!("    {}", h.label)),
                hr_cell(Some(h)),
                p_cell(h.p),
                Cell::Count(small(rule, h.n as u64).filter(|_| known_ok && n_ok(h.n))),
                Cell::Count(small(rule, h.n_event as u64).filter(|_| deaths_ok)),
                Cell::text(format!(
                    "{} ({})",
                    fixed(h.e_value.point, 2),
                    fixed(h.e_value.ci, 2)
                )),
            ]));
        }
        for n in &d.overall.notes {
            rows.push(Row::new(vec![
                Cell::text(format!("    note: {n}")),
                Cell::Empty,
                Cell::Empty,
                Cell::Empty,
                Cell::Empty,
                Cell::Empty,
            ]));
        }
    }
    Table {
        id: "table-hazard-ratios".into(),
        caption: format!(
            "Table 3. Hazard ratios of death within {} days, exposed vs unexposed, by design and method.",
            r.plan.outcome.horizon
        ),
        header: vec![
            "Design and method".into(),
            "HR (95% CI)".into(),
            "p".into(),
            "Patients".into(),
            "Deaths".into(),
            "E-value (CI limit)".into(),
        ],
        rows,
        notes: vec!["E-value: the minimum strength of association (risk-ratio scale) an unmeasured confounder would need with both exposure and outcome to explain away the estimate (VanderWeele and Ding 2017); in brackets, for the confidence limit closer to 1.".into()],
    }
}

/// The cells of one arm of one population in the subgroup audit: patients, patients with known
/// status and deaths (indices into the [`LinkedCounts`]; `n == k` when every patient's status is
/// known, the two then being the same set of patients).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct ArmCells {
    n: usize,
    k: usize,
    d: usize,
}

/// Counts of one subgroup level after the joint audit: `dk` = (deaths, known) exposed then
/// unexposed as in Table 2; `n` = (arm size, shown) per arm, the entry at time 0 of its
/// number-at-risk table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct LevelCounts {
    dk: [Option<u64>; 4],
    n: [Option<(u64, bool)>; 2],
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

/// The joint audit's decisions: per subgroup variable and level, the level's counts; the
/// all-patients deaths / known (exposed, unexposed); per Table 1 variable, its block.
type JointCounts = (
    Vec<Vec<LevelCounts>>,
    [Option<u64>; 4],
    Vec<Option<SuppressedTable>>,
);

/// Deaths / known per arm for every level of every subgroup variable and for all patients,
/// audited jointly as one linked-count system (the whole subgroup table, its forest plot and the
/// time-0 entries of the subgroup Kaplan-Meier grids):
/// - per arm of each population, deaths + survivors (hidden) = known, and known + unknown status
///   (hidden) = patients;
/// - per subgroup variable, arm and kind, the levels plus the unpublished remainder (patients
///   whose level is indeterminate or whose level has a single arm) add up to all patients; the
///   remainder is a hidden cell, protected when it is 1..threshold-1;
/// - an arm counting the same patients as an arm already in the system (equal
///   [`PopulationResult::fingerprint`], e.g. "DIC" of the DIC-definition subgroup and "dic" of a
///   coagulation grouping) shares its cells, so it gets one decision wherever it is printed.
///
/// The all-patients counts keep the decisions of Table 2 (deaths, known) and of Table 1 / the
/// main number-at-risk table (arm sizes: primary suppression only).
///
/// With `t1` (Table 1 of the same sample), its blocks join the system: per variable and arm,
/// the levels (a binary variable's "no" and a continuous variable's non-missing count
/// unprinted) plus the missing count add up to the arm size in Table 1's header; each row's
/// overall column adds up the two arms; a level or missing cell of the same patients as a
/// subgroup arm or another Table 1 cell (equal fingerprints,
/// [`crate::cohort::table1::ArmSummary::fingerprints`]), or as a subgroup variable's remainder
/// of patients of unknown level ([`SubgroupResult::remainder_fingerprint`], e.g. Table 1's
/// missing JAAM DIC status), is that cell. Returns then, per Table 1
/// variable, the block's decisions.
fn subgroup_table_counts(
    overall: &PopulationResult,
    subgroups: &[SubgroupResult],
    t1: Option<&Table1>,
    rule: &DisclosureRule,
) -> JointCounts {
    let overall_decided = mortality_counts(overall, rule);
    let mut lc = LinkedCounts::default();
    // (arm, fingerprint) -> the arm's cells and values.
    let mut by_fp: std::collections::BTreeMap<(usize, u64), (ArmCells, [u64; 3])> =
        std::collections::BTreeMap::new();
    let mut arm_cells = |lc: &mut LinkedCounts, arm: usize, fp: u64, v: [u64; 3]| -> ArmCells {
        if let Some((c, w)) = by_fp.get(&(arm, fp)) {
            // Same patients, hence the same counts (a differing count would be a hash
            // collision: then the arm gets cells of its own).
            if *w == v {
                return *c;
            }
        }
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
        by_fp.entry((arm, fp)).or_insert((c, v));
        c
    };
    let all_v = arm_values(overall);
    let all_cells: Option<[ArmCells; 2]> = all_v.map(|v| {
        let cells = [0, 1].map(|a| arm_cells(&mut lc, a, overall.fingerprint[a], v[a]));
        for a in 0..2 {
            let c = cells[a];
            if c.n != c.k {
                lc.fixed[c.n] = Some(!rule.is_sensitive(v[a][0]));
            }
            if let Some(dec) = overall_decided {
                lc.fixed[c.d] = Some(dec[2 * a].is_some());
                lc.fixed[c.k] = Some(dec[2 * a + 1].is_some());
            } else if c.n == c.k {
                lc.fixed[c.k] = Some(!rule.is_sensitive(v[a][0]));
            }
        }
        cells
    });
    let mut level_cells: Vec<Vec<Option<[ArmCells; 2]>>> = Vec::new();
    // (arm, fingerprint) -> a remainder's patients cell and value, when the remainder is exactly
    // the patients of unknown level ([`SubgroupResult::remainder_fingerprint`]: every level
    // published).
    let mut rem_fp: std::collections::BTreeMap<(usize, u64), (usize, u64)> =
        std::collections::BTreeMap::new();
    for sg in subgroups {
        let mut cells_of_levels = Vec::new();
        let mut sums = [[0u64; 3]; 2];
        let mut parts: Vec<[ArmCells; 2]> = Vec::new();
        for l in &sg.levels {
            match arm_values(l) {
                Some(v) => {
                    let cells = [0, 1].map(|a| arm_cells(&mut lc, a, l.fingerprint[a], v[a]));
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
        level_cells.push(cells_of_levels);
        let (Some(all), Some(av)) = (all_cells, all_v) else {
            continue;
        };
        if (0..2).any(|a| (0..3).any(|q| sums[a][q] > av[a][q])) {
            continue;
        }
        for a in 0..2 {
            // The remainder (patients of the arm in no published level) as hidden cells.
            let rv = [0, 1, 2].map(|q| av[a][q] - sums[a][q]);
            let r_d = lc.add(rv[2], false);
            let r_k = lc.add(rv[1], false);
            let r_s = lc.add(rv[1].saturating_sub(rv[2]), false);
            lc.sum_relation(&[r_d, r_s], r_k);
            let d_parts: Vec<usize> = parts.iter().map(|c| c[a].d).chain([r_d]).collect();
            lc.sum_relation(&d_parts, all[a].d);
            let k_parts: Vec<usize> = parts.iter().map(|c| c[a].k).chain([r_k]).collect();
            lc.sum_relation(&k_parts, all[a].k);
            // Patients (only when some arm size differs from its known count).
            if all[a].n != all[a].k || parts.iter().any(|c| c[a].n != c[a].k) {
                let r_n = lc.add(rv[0], false);
                let r_u = lc.add(rv[0].saturating_sub(rv[1]), false);
                lc.sum_relation(&[r_k, r_u], r_n);
                let n_parts: Vec<usize> = parts.iter().map(|c| c[a].n).chain([r_n]).collect();
                lc.sum_relation(&n_parts, all[a].n);
                if parts.len() == sg.levels.len() {
                    rem_fp.insert((a, sg.remainder_fingerprint[a]), (r_n, rv[0]));
                }
            } else if parts.len() == sg.levels.len() {
                // Patients = known in every arm: the known count is the patients count.
                rem_fp.insert((a, sg.remainder_fingerprint[a]), (r_k, rv[0]));
            }
        }
    }
    // Table 1: per variable, cells [row][arm] and row totals, with the arm sizes and grand total.
    type T1Block = (Vec<[usize; 2]>, Vec<usize>);
    let mut t1_blocks: Vec<Option<T1Block>> = Vec::new();
    let mut t1_margins: Option<([usize; 2], usize)> = None;
    if let Some(t1) = t1 {
        // (arm, fingerprint) -> a Table 1 cell and its value.
        let mut t1_fp: std::collections::BTreeMap<(usize, u64), (usize, u64)> =
            std::collections::BTreeMap::new();
        // A cell of the same patients as one already in the system is that cell (an unprinted
        // one, such as a binary variable's "no", is tied to it by an equality).
        let mut cell = |lc: &mut LinkedCounts, a: usize, fp: Option<u64>, v: u64, printed: bool| {
            let Some(fp) = fp else {
                return lc.add(v, printed);
            };
            let same = by_fp
                .get(&(a, fp))
                .filter(|(_, w)| w[0] == v)
                .map(|(c, _)| c.n)
                .or_else(|| t1_fp.get(&(a, fp)).filter(|x| x.1 == v).map(|x| x.0))
                .or_else(|| rem_fp.get(&(a, fp)).filter(|x| x.1 == v).map(|x| x.0));
            match same {
                Some(id) if lc.printed[id] == printed => id,
                Some(other) => {
                    let id = lc.add(v, printed);
                    lc.equal_relation(id, other);
                    id
                }
                None => {
                    let id = lc.add(v, printed);
                    t1_fp.insert((a, fp), (id, v));
                    id
                }
            }
        };
        let n_arm = [t1.n_exposed as u64, t1.n_unexposed as u64];
        // Arm sizes: the header's decision (primary suppression only).
        let tot = [0, 1].map(|a| {
            let id = cell(&mut lc, a, Some(t1.fingerprint[a]), n_arm[a], true);
            if lc.fixed[id].is_none() {
                lc.fixed[id] = Some(!rule.is_sensitive(n_arm[a]));
            }
            id
        });
        let n_all = n_arm[0] + n_arm[1];
        let grand = lc.add_fixed(n_all, !rule.is_sensitive(n_all));
        lc.sum_relation(&tot, grand);
        t1_margins = Some((tot, grand));
        for v in &t1.variables {
            let arms = [&v.exposed, &v.unexposed];
            // (values per arm, printed, fingerprints per arm)
            let mut rows: Vec<([u64; 2], bool, Option<[u64; 2]>)> = Vec::new();
            let n_levels = match v.kind {
                VarKind::Binary => 2,
                VarKind::Categorical => v.levels.len(),
                VarKind::Continuous => 0,
            };
            if v.kind == VarKind::Continuous {
                // The non-missing count is not printed (only implied).
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
            let mut cells: Vec<[usize; 2]> = Vec::new();
            let mut totals: Vec<usize> = Vec::new();
            for (vals, printed, fps) in rows {
                let c = [0, 1].map(|a| cell(&mut lc, a, fps.map(|f| f[a]), vals[a], printed));
                let t = lc.add(vals[0] + vals[1], printed);
                lc.sum_relation(&c, t);
                cells.push(c);
                totals.push(t);
            }
            for a in 0..2 {
                let parts: Vec<usize> = cells.iter().map(|c| c[a]).collect();
                lc.sum_relation(&parts, tot[a]);
            }
            t1_blocks.push(Some((cells, totals)));
        }
    }
    let shown = suppress_linked(&lc, rule);
    let get = |i: usize| shown[i].then_some(lc.values[i]);
    let t1_out: Vec<Option<SuppressedTable>> = t1_blocks
        .iter()
        .map(|b| {
            let ((cells, totals), (tot, grand)) = (b.as_ref()?, t1_margins?);
            Some(SuppressedTable {
                cells: cells.iter().map(|c| c.map(get).to_vec()).collect(),
                row_totals: totals.iter().map(|&t| get(t)).collect(),
                col_totals: tot.map(get).to_vec(),
                grand_total: Some(get(grand)),
            })
        })
        .collect();
    let quad = |c: [ArmCells; 2]| [get(c[0].d), get(c[0].k), get(c[1].d), get(c[1].k)];
    let levels = level_cells
        .into_iter()
        .map(|ls| {
            ls.into_iter()
                .map(|c| match c {
                    Some(c) => LevelCounts {
                        dk: quad(c),
                        n: c.map(|a| Some((lc.values[a.n], shown[a.n]))),
                    },
                    None => LevelCounts {
                        dk: [None; 4],
                        n: [None; 2],
                    },
                })
                .collect()
        })
        .collect();
    (levels, all_cells.map_or([None; 4], quad), t1_out)
}

/// 0 for the exposed curve, 1 for the unexposed one.
fn arm_index(group: &str) -> Option<usize> {
    match group {
        "exposed" => Some(0),
        "unexposed" => Some(1),
        _ => None,
    }
}

/// Numbers at risk of every subgroup panel, audited jointly per arm: each printed row with the
/// hidden numbers leaving between any two of its times (as [`suppress_risk_row_fixed`]); per
/// subgroup variable and time, the levels' numbers plus the hidden remainder (patients in no
/// level: indeterminate level, or a level without a curve) add up to the number at risk of all
/// patients, printed under the main Kaplan-Meier figure (whose decisions are kept), and the
/// remainder and the numbers leaving it between two times are protected when small; rows of the
/// same patients (equal fingerprint) are one row. The entry at time 0 keeps the decision of the
/// arm size in the subgroup table. Keyed by (arm, fingerprint, number of times).
fn subgroup_risk_counts(
    r: &AnalysisResult,
    d: &DesignResult,
    table_counts: &[Vec<LevelCounts>],
    rule: &DisclosureRule,
) -> std::collections::BTreeMap<(usize, u64, usize), Vec<Option<u64>>> {
    use std::collections::BTreeMap;
    let mut out = BTreeMap::new();
    let main_ticks = horizon_ticks(r, d.design, &d.overall.km);
    let main = risk_table(
        r,
        &d.overall.km,
        &main_ticks,
        &arm_sizes(&d.overall, rule),
        rule,
    );
    for arm in 0..2 {
        let Some((oi, overall)) = d
            .overall
            .km
            .iter()
            .enumerate()
            .find(|(_, c)| arm_index(&c.group) == Some(arm))
        else {
            continue;
        };
        let mut lc = LinkedCounts::default();
        // Every time any panel prints, sorted.
        let mut times: Vec<f64> = main_ticks.clone();
        for sg in &d.subgroups {
            for l in &sg.levels {
                times.extend(horizon_ticks(r, d.design, &l.km));
            }
        }
        times.sort_by(f64::total_cmp);
        times.dedup();
        // One row: cells at every time (printed at `own` times), hidden differences between
        // its printed times.
        let add_row = |lc: &mut LinkedCounts,
                       c: &Curve,
                       own: &[f64],
                       fixed: &dyn Fn(usize) -> Option<bool>|
         -> Vec<usize> {
            let ids: Vec<usize> = times
                .iter()
                .map(|&t| {
                    let v = at_risk(c, t);
                    match own.iter().position(|&x| x == t) {
                        Some(k) => match fixed(k) {
                            Some(shown) => lc.add_fixed(v, shown),
                            None => lc.add(v, true),
                        },
                        None => lc.add(v, false),
                    }
                })
                .collect();
            let printed: Vec<usize> = (0..times.len())
                .filter(|&k| own.contains(&times[k]))
                .collect();
            for (x, &a) in printed.iter().enumerate() {
                for &b in &printed[x + 1..] {
                    let left = lc.add(lc.values[ids[a]].saturating_sub(lc.values[ids[b]]), false);
                    lc.sum_relation(&[ids[b], left], ids[a]);
                }
            }
            ids
        };
        let main_row = &main.rows[oi].counts;
        let all_ids = add_row(&mut lc, overall, &main_ticks, &|k| {
            Some(main_row.get(k).is_some_and(Option::is_some))
        });
        // (fingerprint) -> (row ids, own times).
        let mut rows: BTreeMap<u64, (Vec<usize>, Vec<f64>)> = BTreeMap::new();
        for (sg, counts) in d.subgroups.iter().zip(table_counts) {
            let mut parts: Vec<&Vec<usize>> = Vec::new();
            let mut ids_of_sg: Vec<Vec<usize>> = Vec::new();
            for (l, lcounts) in sg.levels.iter().zip(counts) {
                let Some(c) = l.km.iter().find(|c| arm_index(&c.group) == Some(arm)) else {
                    continue;
                };
                let fp = l.fingerprint[arm];
                if let std::collections::btree_map::Entry::Vacant(e) = rows.entry(fp) {
                    let own = horizon_ticks(r, d.design, &l.km);
                    let n0 = lcounts.n[arm];
                    let at0 = own.first().map(|&t| at_risk(c, t));
                    let zero = own.first().is_some_and(|&t| t <= 0.0);
                    let ids = add_row(&mut lc, c, &own, &|k| match n0 {
                        Some((n, shown)) if k == 0 && zero && at0 == Some(n) => Some(shown),
                        _ => None,
                    });
                    e.insert((ids, own));
                }
                ids_of_sg.push(rows[&fp].0.clone());
            }
            parts.extend(ids_of_sg.iter());
            // Remainder at each time, and the numbers leaving it between two times.
            let rem: Option<Vec<usize>> = (0..times.len())
                .map(|k| {
                    let total = lc.values[all_ids[k]];
                    let sum: u64 = parts.iter().map(|p| lc.values[p[k]]).sum();
                    (sum <= total).then_some(total - sum)
                })
                .collect::<Option<Vec<u64>>>()
                .map(|vals| vals.into_iter().map(|v| lc.add(v, false)).collect());
            let Some(rem) = rem else { continue };
            for k in 0..times.len() {
                let mut p: Vec<usize> = parts.iter().map(|p| p[k]).collect();
                p.push(rem[k]);
                lc.sum_relation(&p, all_ids[k]);
            }
            for a in 0..times.len() {
                for b in a + 1..times.len() {
                    let v = lc.values[rem[a]].saturating_sub(lc.values[rem[b]]);
                    let left = lc.add(v, false);
                    lc.sum_relation(&[rem[b], left], rem[a]);
                }
            }
        }
        let shown = suppress_linked(&lc, rule);
        for (fp, (ids, own)) in rows {
            let counts: Vec<Option<u64>> = times
                .iter()
                .zip(&ids)
                .filter(|(t, _)| own.contains(t))
                .map(|(_, &i)| shown[i].then_some(lc.values[i]))
                .collect();
            out.insert((arm, fp, own.len()), counts);
        }
    }
    out
}

fn deaths_text(d: Option<u64>, k: Option<u64>) -> String {
    format!("{}/{}", theme::count(d), theme::count(k))
}

fn subgroup_section(
    r: &AnalysisResult,
    d: &DesignResult,
    rule: &DisclosureRule,
) -> Result<Option<Section>, ReportError> {
    if d.subgroups.is_empty() {
        return Ok(None);
    }
    let (el, ul) = arm_labels(r);
    let mut s = Section::new("subgroups", "Subgroups");
    let mut rows = Vec::new();
    let mut forest = Vec::new();
    let method_label =
        preferred_hr(&d.overall).map_or("Hazard ratio".to_string(), |h| h.label.clone());
    let overall_hr = preferred_hr(&d.overall);
    let mut overall_counts: Option<[Option<u64>; 4]> = None;
    let mut grids = Vec::new();
    // The primary design's subgroup table is audited jointly with Table 1 (same sample).
    let t1 = d.primary.then_some(&r.table1);
    let (table_counts, all, _) = subgroup_table_counts(&d.overall, &d.subgroups, t1, rule);
    let risk_counts = subgroup_risk_counts(r, d, &table_counts, rule);
    for (sg, levels) in d.subgroups.iter().zip(&table_counts) {
        if overall_counts.is_none() {
            overall_counts = Some(all);
            forest.push(ForestRow {
                kind: RowKind::Estimate,
                label: "All patients".into(),
                estimate: overall_hr.map(|h| h.hr),
                lower: overall_hr.map(|h| h.lower),
                upper: overall_hr.map(|h| h.upper),
                left: vec![deaths_text(all[0], all[1]), deaths_text(all[2], all[3])],
                right: vec![String::new()],
                ..Default::default()
            });
        }
        let p_int = sg
            .interaction
            .as_ref()
            .map(|i| p_value(i.p).trim_start_matches("= ").to_string())
            .unwrap_or_else(|| "NA".into());
        rows.push(Row::group(format!(
            "{} (p for interaction {})",
            sg.name, p_int
        )));
        forest.push(ForestRow {
            kind: RowKind::Header,
            label: sg.name.clone(),
            right: vec![p_int.clone()],
            ..Default::default()
        });
        let mut panels = Vec::new();
        for (l, lcounts) in sg.levels.iter().zip(levels) {
            let c = &lcounts.dk;
            let hr = preferred_hr(l);
            let rr = l.binary.as_ref().map(|b| &b.measures.risk_ratio);
            rows.push(Row::new(vec![
                Cell::text(format!("    {}", l.population)),
                Cell::Fraction { n: c[0], d: c[1] },
                Cell::Fraction { n: c[2], d: c[3] },
                Cell::text(rr.map_or("NA".to_string(), |e| {
                    ratio_text(e.estimate, e.lower, e.upper)
                })),
                hr_cell(hr),
            ]));
            forest.push(ForestRow {
                kind: RowKind::Estimate,
                label: l.population.clone(),
                indent: 1,
                estimate: hr.map(|h| h.hr),
                lower: hr.map(|h| h.lower),
                upper: hr.map(|h| h.upper),
                left: vec![deaths_text(c[0], c[1]), deaths_text(c[2], c[3])],
                right: vec![String::new()],
                ..Default::default()
            });
            // At time 0 the risk set is the level's arm: its size takes the joint decision.
            let first: Vec<Option<(u64, bool)>> =
                l.km.iter()
                    .map(|cv| match cv.group.as_str() {
                        "exposed" => lcounts.n[0],
                        "unexposed" => lcounts.n[1],
                        _ => None,
                    })
                    .collect();
            if let Some(mut p) = km_plot(
                r,
                d.design,
                l,
                &format!("{}: {}", sg.name, l.population),
                &first,
                rule,
            ) {
                // The numbers at risk after the joint audit of all subgroup panels.
                if let Some(rt) = p.risk_table.as_mut() {
                    for (row, cv) in rt.rows.iter_mut().zip(&l.km) {
                        if let Some(counts) = risk_counts.get(&(
                            arm_index(&cv.group).unwrap_or(usize::MAX),
                            l.fingerprint[arm_index(&cv.group).unwrap_or(0)],
                            row.counts.len(),
                        )) {
                            row.counts = counts.clone();
                        }
                    }
                }
                panels.push(p);
            }
        }
        for n in &sg.notes {
            rows.push(Row::new(vec![
                Cell::text(format!("    note: {n}")),
                Cell::Empty,
                Cell::Empty,
                Cell::Empty,
                Cell::Empty,
            ]));
        }
        if !panels.is_empty() {
            grids.push((sg.name.clone(), panels));
        }
    }
    let all = overall_counts.unwrap_or([None; 4]);
    let mut table_rows = vec![Row::new(vec![
        Cell::text("All patients"),
        Cell::Fraction {
            n: all[0],
            d: all[1],
        },
        Cell::Fraction {
            n: all[2],
            d: all[3],
        },
        Cell::text(d.overall.binary.as_ref().map_or("NA".to_string(), |b| {
            ratio_text(
                b.measures.risk_ratio.estimate,
                b.measures.risk_ratio.lower,
                b.measures.risk_ratio.upper,
            )
        })),
        hr_cell(overall_hr),
    ])];
    table_rows.extend(rows);
    s.push(Block::Paragraph(format!(
        "Subgroup analyses of the primary design ({}). Hazard ratios: {}, refitted within each level where the plan says so; levels where it could not be estimated fall back to the covariate-adjusted or the unadjusted Cox model (see the notes).",
        d.label, method_label
    )));
    s.push(Block::Table(Table {
        id: "table-subgroups".into(),
        caption: "Table 4. Deaths by exposure, risk ratio and hazard ratio in each subgroup level."
            .into(),
        header: vec![
            "Subgroup".into(),
            format!("{el}: deaths/known (%)"),
            format!("{ul}: deaths/known (%)"),
            "Risk ratio (95% CI)".into(),
            "Hazard ratio (95% CI)".into(),
        ],
        rows: table_rows,
        notes: vec![format!(
            "Interaction: {}",
            d.subgroups
                .iter()
                .find_map(|s| s.interaction.as_ref())
                .map_or("not tested".to_string(), |i| i.method.clone())
        )],
    }));
    let plot = ForestPlot {
        title: "Hazard ratio of death by subgroup".into(),
        label_header: "Subgroup".into(),
        left_columns: vec![format!("{el} deaths/known"), format!("{ul} deaths/known")],
        estimate_header: "HR (95% CI)".into(),
        right_columns: vec!["P interaction".into()],
        rows: forest,
        x_label: "Hazard ratio (log scale)".into(),
        favours: Some((
            format!("Favours {}", r.exposure.name),
            format!("Favours no {}", r.exposure.name),
        )),
        x_range: None,
        footnotes: vec![format!(
            "{method_label}. {} withheld (disclosure control).",
            theme::SUPPRESSED
        )],
    };
    s.push(Block::Figure(Figure {
        id: "figure-forest-subgroups".into(),
        caption: "Forest plot of the hazard ratio of death in each subgroup level, with the p-value of the test of interaction.".into(),
        svg: forest_figure(&plot)?,
    }));
    for (i, (name, panels)) in grids.iter().enumerate() {
        let ncol = panels.len().min(3);
        s.push(Block::Figure(Figure {
            id: format!("figure-km-subgroup-{}", i + 1),
            caption: format!(
                "Kaplan-Meier curves by exposure within each level of {name}, with numbers at risk. Curves end when fewer than {} patients remain at risk; {} withheld (disclosure control).",
                rule.threshold.max(1),
                theme::SUPPRESSED
            ),
            svg: km_grid(&format!("Survival by exposure: {name}"), panels, ncol)?,
        }));
    }
    Ok(Some(s))
}

fn balance_section(
    r: &AnalysisResult,
    d: &DesignResult,
    rule: &DisclosureRule,
) -> Result<Option<Section>, ReportError> {
    let p = &d.overall;
    if p.balance.is_empty() && p.propensity.is_none() {
        return Ok(None);
    }
    let mut s = Section::new("balance", "Propensity score and covariate balance");
    if !p.balance.is_empty() {
        let love = LovePlot {
            title: "Covariate balance before and after weighting".into(),
            rows: p
                .balance
                .iter()
                .map(|b| LoveRow {
                    label: b.variable.clone(),
                    before: b.smd_before,
                    after: b.smd_iptw,
                })
                .collect(),
            before_label: "Unadjusted".into(),
            after_label: "IPTW".into(),
            threshold: 0.1,
            footnotes: vec![
                "Dashed line: 0.1, the usual bound of acceptable imbalance (Austin 2009).".into(),
            ],
        };
        s.push(Block::Figure(Figure {
            id: "figure-love".into(),
            caption: "Absolute standardised mean differences of the propensity covariates before and after inverse probability of treatment weighting.".into(),
            svg: love_figure(&love)?,
        }));
        s.push(Block::Table(Table {
            id: "table-balance".into(),
            caption: "Standardised mean differences (exposed minus unexposed).".into(),
            header: vec![
                "Covariate".into(),
                "Unadjusted".into(),
                "IPTW".into(),
                "Matched".into(),
            ],
            rows: p
                .balance
                .iter()
                .map(|b| {
                    Row::new(vec![
                        Cell::text(b.variable.clone()),
                        Cell::number(b.smd_before, 3),
                        Cell::number(b.smd_iptw, 3),
                        Cell::number(b.smd_matched, 3),
                    ])
                })
                .collect(),
            notes: Vec::new(),
        }));
    }
    if let Some(ps) = &p.propensity {
        let est = match r.plan.propensity.estimand {
            Estimand::Ate => "ATE",
            Estimand::Att => "ATT",
        };
        let rows = vec![
            Row::new(vec![
                Cell::text("C-statistic (area under the ROC curve)"),
                Cell::number(ps.c_statistic, 3),
            ]),
            Row::new(vec![
                Cell::text("Patients trimmed"),
                Cell::Count(small(rule, ps.n_trimmed as u64)),
            ]),
            Row::new(vec![
                Cell::text(format!(
                    "Largest weight ({est}{})",
                    if r.plan.propensity.stabilised {
                        ", stabilised"
                    } else {
                        ""
                    }
                )),
                Cell::number(ps.weight_max, 2),
            ]),
            Row::new(vec![
                Cell::text("Effective sample size, exposed"),
                Cell::number(ps.ess_exposed, 1),
            ]),
            Row::new(vec![
                Cell::text("Effective sample size, unexposed"),
                Cell::number(ps.ess_unexposed, 1),
            ]),
            Row::new(vec![
                Cell::text("Matched pairs"),
                Cell::Count(small(rule, ps.n_pairs as u64)),
            ]),
            Row::new(vec![
                Cell::text("Exposed patients left unmatched"),
                Cell::Count(small(rule, ps.n_treated_unmatched as u64)),
            ]),
            Row::new(vec![
                Cell::text("Caliper (logit of the score)"),
                Cell::number(ps.caliper_logit, 3),
            ]),
        ];
        s.push(Block::Table(Table {
            id: "table-propensity".into(),
            caption: "Propensity model diagnostics (whole analysed sample).".into(),
            header: vec!["Quantity".into(), "Value".into()],
            rows,
            notes: vec![format!(
                "Covariates: {}.",
                ps.covariates
                    .iter()
                    .filter(|c| *c != "(Intercept)")
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
            )],
        }));
    }
    Ok(Some(s))
}

fn descriptive_section(
    d: &Descriptive,
    rule: &DisclosureRule,
) -> Result<Option<Section>, ReportError> {
    if d.distributions.is_empty() && d.trajectories.is_empty() {
        return Ok(None);
    }
    let mut s = Section::new("descriptive", "Scores and trajectories");
    for (i, dist) in d.distributions.iter().enumerate() {
        let counts: Vec<Vec<u64>> = (0..dist.categories.len())
            .map(|c| {
                dist.groups
                    .iter()
                    .map(|g| g.counts.get(c).copied().unwrap_or(0))
                    .collect()
            })
            .collect();
        let t = suppress_table(&counts, Margins::Cols, rule);
        let groups = dist
            .groups
            .iter()
            .enumerate()
            .map(|(g, group)| BarGroup {
                label: group.label.clone(),
                counts: (0..dist.categories.len()).map(|c| t.cells[c][g]).collect(),
                total: t.col_totals[g],
            })
            .collect();
        let sd = ScoreDistribution {
            title: dist.title.clone(),
            x_label: dist.x_label.clone(),
            categories: dist.categories.clone(),
            groups,
            footnotes: vec![format!(
                "{} withheld (disclosure control).",
                theme::SUPPRESSED
            )],
        };
        s.push(Block::Figure(Figure {
            id: format!("figure-distribution-{}", i + 1),
            caption: format!("{}: percentage of each group at each value.", dist.title),
            svg: distribution_figure(&sd)?,
        }));
    }
    if !d.trajectories.is_empty() {
        let panels: Vec<Trajectory> = d
            .trajectories
            .iter()
            .map(|p| Trajectory {
                groups: p
                    .groups
                    .iter()
                    .map(|g| {
                        let keep: Vec<bool> =
                            g.n.iter()
                                .map(|&n| n == 0 || !rule.is_sensitive(n))
                                .collect();
                        let mask = |v: &[f64]| -> Vec<f64> {
                            v.iter()
                                .zip(&keep)
                                .map(|(x, k)| if *k { *x } else { f64::NAN })
                                .collect()
                        };
                        TrajectoryGroup {
                            label: g.label.clone(),
                            median: mask(&g.median),
                            q1: mask(&g.q1),
                            q3: mask(&g.q3),
                            n: g.n.iter().map(|&n| small(rule, n)).collect(),
                        }
                    })
                    .collect(),
                title: p.title.clone(),
                y_label: p.y_label.clone(),
                days: p.days.clone(),
            })
            .collect();
        s.push(Block::Figure(Figure {
            id: "figure-trajectories".into(),
            caption: "Median and interquartile range by day and group, with the number of patients with a value under each day.".into(),
            svg: trajectory_figure(
                "Trajectories by exposure (median and IQR)",
                &panels,
                &[format!("{} withheld (disclosure control); no median is drawn for fewer than {} values.", theme::SUPPRESSED, rule.threshold.max(1))],
            )?,
        }));
    }
    Ok(Some(s))
}

/// The scores a plan uses and what for, in a fixed order.
fn scores_used(plan: &crate::cohort::plan::Plan) -> Vec<ScoreUse> {
    const SCORES: [&str; 9] = [
        "sirs", "sofa", "sofa4", "jaam", "jaam2", "isth", "sic", "jmhw", "jsth",
    ];
    let uses = |col: &str, s: &str| {
        col.starts_with(&format!("{s}_")) || col.starts_with(&format!("dic_{s}_"))
    };
    let t1: Vec<String> = plan.table1.variables.clone().unwrap_or_default();
    let subgroups = serde_json::to_string(&plan.subgroups).unwrap_or_default();
    let mut out = Vec::new();
    for s in SCORES {
        let mut roles = Vec::new();
        if plan.dic.score.as_str() == s {
            roles.push(if plan.dic.days[0] == plan.dic.days[1] {
                format!("DIC definition: positive on day {}", plan.dic.days[0])
            } else {
                format!(
                    "DIC definition: positive on any recorded day {}-{}",
                    plan.dic.days[0], plan.dic.days[1]
                )
            });
        }
        if plan.propensity.covariates.iter().any(|c| uses(c, s)) {
            roles.push("propensity model".to_string());
        }
        if t1.iter().any(|c| uses(c, s)) {
            roles.push("baseline characteristics".to_string());
        }
        if subgroups.contains(&format!("\"{s}\"")) || subgroups.contains(&format!("\"{s}_")) {
            roles.push("subgroups".to_string());
        }
        if !roles.is_empty() {
            out.push(ScoreUse {
                name: s.to_uppercase(),
                role: roles.join(", "),
                options: Vec::new(),
            });
        }
    }
    out
}

/// The methods paragraph inputs implied by the plan and the result.
pub fn methods_input(r: &AnalysisResult, rule: &DisclosureRule) -> MethodsInput {
    let plan = &r.plan;
    let score_opts: Vec<(String, String)> = serde_json::to_value(plan.scores)
        .ok()
        .and_then(|v| v.as_object().cloned())
        .map(|m| {
            m.into_iter()
                .map(|(k, v)| {
                    (
                        k,
                        match v {
                            serde_json::Value::String(s) => s,
                            serde_json::Value::Object(o) => o
                                .into_iter()
                                .map(|(k, v)| match v {
                                    serde_json::Value::String(s) => format!("{k} {s}"),
                                    other => format!("{k} {other}"),
                                })
                                .collect::<Vec<_>>()
                                .join(", "),
                            other => other.to_string(),
                        },
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let primary = r.designs.iter().find(|d| d.primary);
    let mut estimators = vec![
        "Kaplan-Meier curves by exposure compared with the log-rank test".to_string(),
        "Aalen-Johansen cumulative incidence of death with discharge alive as a competing event"
            .to_string(),
        "risk ratio, risk difference and odds ratio of death by the horizon".to_string(),
    ];
    if let Some(d) = primary {
        let labels: Vec<String> = d
            .overall
            .hazard_ratios
            .iter()
            .map(|h| h.label.clone())
            .collect();
        if !labels.is_empty() {
            estimators.push(format!(
                "hazard ratios of death from Cox proportional hazards models ({})",
                labels.join("; ")
            ));
        }
    }
    let ps = &plan.propensity;
    let propensity = Some(format!(
        "logistic regression of exposure on {} (main effects){}; {} weights{}, 1:1 nearest-neighbour matching within a caliper of {} SD of the logit of the score, and stratification into {} quantile groups{}",
        ps.covariates.join(", "),
        if ps.within_subgroups { ", refitted within each subgroup level" } else { "" },
        match ps.estimand {
            Estimand::Ate => "ATE",
            Estimand::Att => "ATT",
        },
        if ps.stabilised { " (stabilised)" } else { "" },
        fixed(ps.caliper_sd, 2),
        ps.strata,
        ps.trim.map_or(String::new(), |[lo, hi]| format!(", after trimming scores outside [{}, {}]", fixed(lo, 2), fixed(hi, 2))),
    ));
    MethodsInput {
        data_source: match &plan.cohort.path {
            Some(p) => format!("the cohort folder `{p}`"),
            None => "the embedded synthetic registry of dicohort (simulated patients; no real patient data)".to_string(),
        },
        scores: scores_used(plan),
        score_options: score_opts,
        cohort_definition: format!(
            "sepsis in the source data, {} of them analysed in the primary design",
            primary.map_or("all".to_string(), |d| theme::count(small(rule, d.overall.n as u64)))
        ),
        exposure: r.exposure.name.clone(),
        exposure_drugs: r.exposure.drugs.clone(),
        exposure_window: r.exposure.window,
        outcome: "death from any cause".to_string(),
        horizon_days: plan.outcome.horizon,
        competing_event: Some("discharge alive".to_string()),
        design: primary.map_or(String::new(), |d| d.label.clone()),
        estimators,
        propensity,
        subgroups: primary.map(|d| d.subgroups.iter().map(|s| s.name.clone()).collect()).unwrap_or_default(),
        conf_level: plan.conf_level,
        missing_data: "patients missing any propensity covariate were excluded from the adjusted analyses (complete case), and are counted in the cohort flow; missing values are never read as zero".to_string(),
        disclosure: *rule,
    }
}

/// Builds the whole report of one analysis run. Call [`super::write_report`] on the result to
/// write `report.html`, `report.md` and `figures/`.
pub fn analysis_report(
    r: &AnalysisResult,
    rule: &DisclosureRule,
) -> Result<ReportDocument, ReportError> {
    let mut doc = ReportDocument::new(&r.title, *rule);
    doc.subtitle = format!(
        "Report generated by dicohort {} from the analysis plan listed at the end.",
        env!("CARGO_PKG_VERSION")
    );
    let primary = r.designs.iter().find(|d| d.primary).or(r.designs.first());

    // Summary.
    let mut summary = Section::new("summary", "Summary");
    if let Some(d) = primary {
        let (el, ul) = arm_labels(r);
        let mut text = format!(
            "Primary design: {}. Analysed: {} patients ({} {}, {} {}).",
            d.label,
            theme::count(small(rule, d.overall.n as u64)),
            theme::count(small(rule, d.overall.n_exposed as u64)),
            el.to_lowercase(),
            theme::count(small(rule, d.overall.n_unexposed as u64)),
            ul.to_lowercase()
        );
        if let Some(h) = preferred_hr(&d.overall) {
            text.push_str(&format!(
                " Hazard ratio of death within {} days ({}): {}.",
                r.plan.outcome.horizon,
                h.label,
                ratio_text(h.hr, h.lower, h.upper)
            ));
        }
        summary.push(Block::Paragraph(text));
    }
    for d in r.designs.iter().filter(|d| d.biased) {
        summary.push(Block::Paragraph(format!(
            "Also shown, for comparison only and never as an answer: {}.",
            d.label
        )));
    }
    doc.sections.push(summary);

    let mut methods = Section::new("methods", "Methods");
    for p in methods_paragraphs(&methods_input(r, rule)) {
        methods.push(Block::Paragraph(p));
    }
    doc.sections.push(methods);
    doc.sections.push(flow_section(r, rule)?);

    let mut t1 = Section::new("table-one", "Baseline characteristics");
    t1.push(Block::Table(table_one(r, &r.table1, rule)));
    doc.sections.push(t1);

    let mut outcomes = Section::new("outcomes", "Outcomes");
    outcomes.push(Block::Table(mortality_table(r, rule)));
    outcomes.push(Block::Table(hr_table(r, rule)));
    if let Some(d) = primary {
        let first = arm_sizes(&d.overall, rule);
        if let Some(p) = km_plot(
            r,
            d.design,
            &d.overall,
            "Survival by exposure",
            &first,
            rule,
        ) {
            outcomes.push(Block::Figure(Figure {
                id: "figure-km".into(),
                caption: format!("Kaplan-Meier estimates of survival by exposure ({}), with 95% pointwise confidence bands (log transformation), censoring marks and the number at risk.", d.label),
                svg: km_figure(&KmPlot {
                    footnotes: vec![format!("Curves end when fewer than {} patients remain at risk; {} withheld (disclosure control).", rule.threshold.max(1), theme::SUPPRESSED)],
                    ..p
                })?,
            }));
        }
        if !d.overall.km_weighted.is_empty() {
            let ticks = horizon_ticks(r, d.design, &d.overall.km);
            let wp = KmPlot {
                title: "Survival by exposure, IPTW-weighted".into(),
                curves: d
                    .overall
                    .km_weighted
                    .iter()
                    .map(|c| match d.overall.km.iter().find(|u| u.group == c.group) {
                        Some(u) => km_curve_ref(r, c, u, rule, false),
                        None => KmCurve {
                            label: group_label(r, &c.group),
                            ..Default::default()
                        },
                    })
                    .collect(),
                risk_table: Some(risk_table(r, &d.overall.km, &ticks, &first, rule)),
                x_label: time_label(r, d.design),
                x_max: ticks.last().copied(),
                show_ci: false,
                footnotes: vec!["Numbers at risk are unweighted.".into()],
                ..Default::default()
            };
            outcomes.push(Block::Figure(Figure {
                id: "figure-km-weighted".into(),
                caption: "Kaplan-Meier estimates weighted by the inverse probability of treatment (adjusted survival curves).".into(),
                svg: km_figure(&wp)?,
            }));
        }
        if let Some(c) = cif_plot(r, d.design, &d.overall, &first, rule) {
            outcomes.push(Block::Figure(Figure {
                id: "figure-cif".into(),
                caption: "Cumulative incidence of death (solid, with 95% confidence band) and of discharge alive (dashed) by exposure (Aalen-Johansen).".into(),
                svg: cif_figure(&c)?,
            }));
        }
    }
    doc.sections.push(outcomes);
    if let Some(d) = primary {
        if let Some(s) = subgroup_section(r, d, rule)? {
            doc.sections.push(s);
        }
        if let Some(s) = balance_section(r, d, rule)? {
            doc.sections.push(s);
        }
    }
    if let Some(s) = descriptive_section(&r.descriptive, rule)? {
        doc.sections.push(s);
    }
    let mut dc = Section::new("disclosure", "Disclosure control");
    dc.push(Block::Paragraph(rule.statement()));
    doc.sections.push(dc);
    doc.sections.push(versions_section(&serde_json::json!({
        "plan": r.plan,
        "disclosure_threshold": rule.threshold,
    }))?);
    Ok(doc)
}

/// The flow record of a result restricted to one unit (helper for callers drawing their own).
pub fn flow_of_unit(flow: &CohortFlow, unit: &str) -> CohortFlow {
    CohortFlow {
        steps: flow
            .steps
            .iter()
            .filter(|s| s.unit == unit)
            .cloned()
            .collect(),
    }
}

/// Builds the report of `result` and writes `report.html`, `report.md` and `figures/*.svg` into
/// `dir`: the one call the CLI needs after `run_plan`, or after reading `results/analysis.json`.
pub fn write_analysis_report(
    result: &AnalysisResult,
    disclosure: &DisclosureRule,
    dir: &std::path::Path,
) -> Result<super::ReportFiles, ReportError> {
    let doc = analysis_report(result, disclosure)?;
    super::write_report(&doc, dir)
}
