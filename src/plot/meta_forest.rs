//! The meta-analysis forest plot of a [`TrialAnalysis`], as metafor's `forest()` lays it out
//! (and RevMan): per study the events/total of each arm, the ratio with its interval and its
//! weight; per subgroup the pooled diamond, the prediction interval (random effects) and the
//! heterogeneity; the overall diamond, its prediction interval and heterogeneity, and the test
//! for subgroup differences. Drawn by [`super::forest::forest_figure`], the same renderer as the
//! report's subgroup forest.
//!
//! Weights are percentages of the pool the study is in (its subgroup, or the single pool), as
//! metafor's `weights()`: `1 / (v_i + tau^2)` for the inverse-variance and random-effects
//! models, the Mantel-Haenszel weights for `rma.mh` (OR `b c / N`, RR `c n1 / N`, RD
//! `n1 n2 / N`) and the hypergeometric variances for `rma.peto`.

use crate::meta::{
    arm_counts, is_double_zero, z_critical, Measure, Method, NotPooled, Pool, Pooled, Test, Trial,
    TrialAnalysis, TwoByTwo,
};

use super::forest::{ForestPlot, ForestRow, RowKind};
use super::theme::{self, fixed};
use super::PlotError;

/// Title and arm names of a meta-analysis forest.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MetaForestLabels {
    pub title: String,
    /// e.g. "Anticoagulant".
    pub treated: String,
    /// e.g. "Control".
    pub control: String,
}

fn is_random(method: Method) -> bool {
    method.tau2_estimator().is_some()
}

fn heterogeneity_text(p: &Pooled) -> String {
    let tau2 = if is_random(p.method) {
        format!(", \u{3c4}\u{b2} = {}", fixed(p.tau2, 3))
    } else {
        String::new()
    };
    format!(
        "Heterogeneity: I\u{b2} = {}%{tau2}, Q = {} (df = {}), p {}",
        fixed(p.i2, 0),
        fixed(p.q, 2),
        p.q_df,
        theme::p_value(p.q_p)
    )
}

/// Weight of each table in its pool, as metafor's `weights()` (unnormalised).
fn raw_weight(method: Method, measure: Measure, t: &TwoByTwo, vi: f64, tau2: f64) -> f64 {
    let (_, n1, _, n2) = arm_counts(t);
    let n = n1 + n2;
    match (method, measure) {
        (Method::MH, Measure::OR) => t.b * t.c / n,
        (Method::MH, Measure::RR) => t.c * n1 / n,
        (Method::MH, Measure::RD) => n1 * n2 / n,
        (Method::Peto, _) => {
            let (xt, yt) = (t.a + t.c, t.b + t.d);
            xt * yt * (n1 / n) * (n2 / n) / (n - 1.0)
        }
        _ => 1.0 / (vi + tau2),
    }
}

/// A study's label (with the derived-counts mark) and its two arms' events/total.
fn count_row(trial: &Trial, derived_mark: &str) -> ForestRow {
    let (e1, n1, e2, n2) = arm_counts(&trial.table);
    ForestRow {
        label: format!(
            "{}{}",
            trial.label(),
            if trial.derived { derived_mark } else { "" }
        ),
        indent: 1,
        left: vec![
            format!("{}/{}", integer_or_fixed1(e1), integer_or_fixed1(n1)),
            format!("{}/{}", integer_or_fixed1(e2), integer_or_fixed1(n2)),
        ],
        right: vec![String::new()],
        ..Default::default()
    }
}

/// Study rows of one pool: every pooled trial (and the double-zero ones it dropped, as "not
/// estimable"), in file order, with weights in percent of the pool.
fn study_rows(a: &TrialAnalysis, pool: &Pool, derived_mark: &str) -> Vec<ForestRow> {
    let m = &pool.analysis;
    let z = z_critical(m.pooled.level);
    let tau2 = if m.pooled.tau2.is_finite() {
        m.pooled.tau2
    } else {
        0.0
    };
    let mh_or_peto = matches!(m.pooled.method, Method::MH | Method::Peto);
    // MH / Peto weights cover every table; inverse-variance weights the effects kept.
    let weight_of = |pos: usize| -> Option<f64> {
        let i = pool.trials[pos];
        let t = &a.trials[i].table;
        if mh_or_peto {
            return Some(raw_weight(m.pooled.method, a.measure, t, f64::NAN, 0.0));
        }
        let j = m.effects.study.iter().position(|&s| s == pos)?;
        Some(raw_weight(
            m.pooled.method,
            a.measure,
            t,
            m.effects.vi[j],
            tau2,
        ))
    };
    let total: f64 = (0..pool.trials.len()).filter_map(weight_of).sum();
    (0..pool.trials.len())
        .map(|pos| {
            let mut row = count_row(&a.trials[pool.trials[pos]], derived_mark);
            match m.effects.study.iter().position(|&s| s == pos) {
                Some(j) => {
                    let (yi, se) = (m.effects.yi[j], m.effects.vi[j].sqrt());
                    row.estimate = Some(yi.exp());
                    row.lower = Some((yi - z * se).exp());
                    row.upper = Some((yi + z * se).exp());
                    // Box area by the study's precision 1 / v_i, comparable across pools (the
                    // printed weight is relative to the study's own pool).
                    row.weight = Some(1.0 / m.effects.vi[j]);
                }
                None => row.right = vec!["not estimable".into()],
            }
            if let Some(w) = weight_of(pos).filter(|_| total > 0.0) {
                if row.estimate.is_some() {
                    row.right = vec![format!("{}%", fixed(100.0 * w / total, 1))];
                }
            }
            row
        })
        .collect()
}

/// The diamond, the prediction interval (random effects, k >= 2) and the heterogeneity line.
fn summary_rows(label: String, p: &Pooled, indent: u8, weight: &str) -> Vec<ForestRow> {
    let mut rows = vec![ForestRow {
        kind: RowKind::Pooled,
        label,
        indent,
        estimate: Some(p.estimate.exp()),
        lower: Some(p.ci_lower.exp()),
        upper: Some(p.ci_upper.exp()),
        right: vec![weight.to_string()],
        ..Default::default()
    }];
    if is_random(p.method) && p.k >= 2 {
        rows.push(ForestRow {
            kind: RowKind::Interval,
            label: "Prediction interval".into(),
            indent,
            lower: Some(p.pi_lower.exp()),
            upper: Some(p.pi_upper.exp()),
            right: vec![String::new()],
            ..Default::default()
        });
    }
    if p.k >= 2 {
        rows.push(ForestRow {
            kind: RowKind::Note,
            label: heterogeneity_text(p),
            indent,
            ..Default::default()
        });
    }
    rows
}

fn method_text(p: &Pooled) -> String {
    let m = match p.method {
        Method::IV => "Inverse-variance fixed effect",
        Method::MH => "Mantel-Haenszel fixed effect",
        Method::Peto => "Peto fixed effect",
        Method::DL => "Random effects (DerSimonian-Laird \u{3c4}\u{b2})",
        Method::REML => "Random effects (REML \u{3c4}\u{b2})",
        Method::PM => "Random effects (Paule-Mandel \u{3c4}\u{b2})",
        Method::HS => "Random effects (Hunter-Schmidt \u{3c4}\u{b2})",
    };
    let test = match p.test {
        Test::Knha => ", Hartung-Knapp-Sidik-Jonkman intervals",
        Test::Z => "",
    };
    format!(
        "{m}{test}; {}% confidence intervals; weights in percent of each pool; box area by \
         precision (1/variance).",
        fixed(100.0 * p.level, 0)
    )
}

/// Footnotes: the method, derived counts, corrections, and everything left out and why.
fn footnotes(a: &TrialAnalysis, derived_mark: &str) -> Vec<String> {
    let t = &a.trials;
    let mut out = vec![method_text(&a.overall.analysis.pooled)];
    if t.iter().any(|t| t.derived) {
        out.push(format!(
            "{derived_mark} Counts derived from published percentages and arm sizes (see the data \
             file's sources)."
        ));
    }
    let pools = std::iter::once(&a.overall).chain(&a.subgroups);
    if pools
        .clone()
        .any(|p| p.analysis.effects.corrected.iter().any(|&c| c))
    {
        out.push(
            "1/2 added to every cell of a study with a zero cell (metafor to = \"only0\").".into(),
        );
    }
    let dropped: Vec<String> = {
        let not_pooled = a
            .not_pooled
            .iter()
            .flat_map(|g| g.trials.iter().copied())
            .filter(|&i| is_double_zero(&t[i].table));
        let mut v: Vec<String> = pools
            .clone()
            .flat_map(|p| p.dropped_double_zero())
            .chain(not_pooled)
            .map(|i| t[i].study.clone())
            .collect();
        v.sort();
        v.dedup();
        v
    };
    if !dropped.is_empty() {
        out.push(format!(
            "Not estimable (no events, or only events, in both arms): {}.",
            dropped.join(", ")
        ));
        out.push(format!(
            "Double-zero rule: {}, {}.",
            a.options.double_zero.name(),
            a.options.double_zero.source(a.options.method)
        ));
    }
    let mut nested: Vec<String> = Vec::new();
    for p in pools {
        for n in &p.nested_out {
            let scope = p
                .label
                .as_deref()
                .map_or("the overall pool".to_string(), |l| {
                    format!("\u{201c}{l}\u{201d}")
                });
            nested.push(format!(
                "{} from {scope} (part of {})",
                t[n.trial].study, n.within
            ));
        }
    }
    if !nested.is_empty() {
        out.push("Left out as nested in a study of the same pool (nested_in column):".into());
        out.extend(nested.into_iter().map(|n| format!("\u{2022} {n}")));
    }
    for o in &a.omitted {
        out.push(format!(
            "Omitted: {} (row {}), {}.",
            o.study,
            o.row,
            o.reason.replace('`', "")
        ));
    }
    for w in &a.warnings {
        if w.starts_with("subgroups") {
            out.push(format!("Note: {}.", w.replace('`', "")));
        }
    }
    out
}

/// The forest plot of a meta-analysis of trials (ratio measures, on a log axis).
///
/// # Errors
/// [`PlotError::InvalidInput`] for the risk difference (not a ratio).
pub fn meta_forest(labels: &MetaForestLabels, a: &TrialAnalysis) -> Result<ForestPlot, PlotError> {
    if !a.measure.is_ratio() {
        return Err(PlotError::InvalidInput(
            "the forest plot draws ratio measures (RR, OR) on a log axis".into(),
        ));
    }
    const DERIVED: &str = " \u{2020}";
    let mut rows = Vec::new();
    let overall = &a.overall.analysis.pooled;
    match &a.selection.subgroup {
        Some(column) => {
            let mut groups: Vec<(&str, Option<&Pool>, Option<&NotPooled>)> = a
                .subgroups
                .iter()
                .map(|p| (p.label.as_deref().unwrap_or(""), Some(p), None))
                .chain(
                    a.not_pooled
                        .iter()
                        .map(|g| (g.label.as_str(), None, Some(g))),
                )
                .collect();
            groups.sort_by(|x, y| x.0.cmp(y.0));
            for (label, pool, why) in groups {
                rows.push(ForestRow {
                    kind: RowKind::Header,
                    label: format!("{column}: {label}"),
                    ..Default::default()
                });
                if let Some(p) = pool {
                    rows.extend(study_rows(a, p, DERIVED));
                    rows.extend(summary_rows(
                        format!("Subtotal (k = {})", p.analysis.pooled.k),
                        &p.analysis.pooled,
                        1,
                        "100%",
                    ));
                } else if let Some(g) = why {
                    for &i in &g.trials {
                        let mut row = count_row(&a.trials[i], DERIVED);
                        row.right = vec!["not estimable".into()];
                        rows.push(row);
                    }
                    rows.push(ForestRow {
                        kind: RowKind::Note,
                        label: format!("Not pooled: {}", g.reason),
                        indent: 1,
                        ..Default::default()
                    });
                }
            }
            rows.extend(summary_rows(
                format!("Overall, all subgroups (k = {})", overall.k),
                overall,
                0,
                "",
            ));
            if let Some(b) = a.between.as_ref().filter(|b| b.df > 0) {
                rows.push(ForestRow {
                    kind: RowKind::Note,
                    label: format!(
                        "Test for subgroup differences: Q = {}, df = {}, p {}",
                        fixed(b.q, 2),
                        b.df,
                        theme::p_value(b.p)
                    ),
                    ..Default::default()
                });
            }
        }
        None => {
            rows.extend(study_rows(a, &a.overall, DERIVED));
            rows.extend(summary_rows(
                format!("Overall (k = {})", overall.k),
                overall,
                0,
                "100%",
            ));
        }
    }
    let (name, short) = match a.measure {
        Measure::OR => ("Odds ratio", "OR"),
        _ => ("Risk ratio", "RR"),
    };
    Ok(ForestPlot {
        title: labels.title.clone(),
        label_header: "Study".into(),
        left_columns: vec![
            format!("{} events/total", labels.treated),
            format!("{} events/total", labels.control),
        ],
        estimate_header: format!("{short} ({}% CI)", fixed(100.0 * overall.level, 0)),
        right_columns: vec!["Weight".into()],
        rows,
        x_label: format!("{name} (log scale)"),
        favours: Some((
            format!("Favours {}", labels.treated.to_lowercase()),
            format!("Favours {}", labels.control.to_lowercase()),
        )),
        x_range: None,
        footnotes: footnotes(a, DERIVED),
    })
}

/// A count, or a weighted count with one decimal.
fn integer_or_fixed1(x: f64) -> String {
    crate::format::integer_or_fixed(x, 1)
}
