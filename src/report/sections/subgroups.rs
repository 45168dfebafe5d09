//! "Subgroups" of the main design: Table 4 (deaths by exposure, risk ratio and hazard ratio per
//! level, the test of interaction), the forest plot, and per subgroup variable a grid of
//! Kaplan-Meier panels; counts from the joint audit
//! ([`crate::report::disclosed::SubgroupCounts`]).

use crate::cohort::analysis::{DesignResult, PopulationResult, SubgroupResult};
use crate::plot::forest::{forest_figure, ratio_text, ForestPlot, ForestRow, RowKind};
use crate::plot::km::{km_grid, KmPlot};
use crate::report::counts::{fraction_plain, WITHHELD};
use crate::report::disclosed::{LevelCounts, Shown, SubgroupCounts};
use crate::report::document::{Block, Cell, Figure, Row, Section, Table};

use super::survival::km_plot;
use super::{hr_cell_shown, p_text, preferred_hr, withheld_note, Ctx, SectionResult};

/// Table 4's rows, the forest plot's rows and the Kaplan-Meier grids (subgroup name, panels).
#[derive(Default)]
struct Parts {
    rows: Vec<Row>,
    forest: Vec<ForestRow>,
    grids: Vec<(String, Vec<KmPlot>)>,
}

/// "Subgroups" of the main design (`None` without subgroups).
///
/// # Errors
/// [`ReportError::Plot`](crate::report::ReportError::Plot) when a figure cannot be drawn.
pub fn section(ctx: &Ctx) -> SectionResult {
    let Some((d, m)) = ctx.main() else {
        return Ok(None);
    };
    if d.subgroups.is_empty() {
        return Ok(None);
    }
    let sc = &m.subgroups;
    let overall_hr = preferred_hr(&d.overall);
    let method_label = overall_hr.map_or("Hazard ratio".to_string(), |h| h.label.clone());
    let mut parts = Parts::default();
    parts.forest.push(forest_row(
        "All patients",
        0,
        &d.overall,
        &sc.all,
        sc.all_estimates,
    ));
    for (i, (sg, levels)) in d.subgroups.iter().zip(&sc.levels).enumerate() {
        let unclassified = sc.unclassified.get(i).copied().flatten();
        add_subgroup(ctx, d, sg, (levels, unclassified), &mut parts);
    }
    let mut s = Section::new("subgroups", "Subgroups");
    s.push(Block::Paragraph(format!(
        "Subgroup analyses of the primary design ({}). Hazard ratios: {}, refitted within each level where the plan says so; levels where it could not be estimated fall back to the covariate-adjusted or the unadjusted Cox model (see the notes).",
        d.label, method_label
    )));
    s.push(Block::Table(table(ctx, d, sc, parts.rows)));
    s.push(Block::Figure(Figure {
        id: "figure-forest-subgroups".into(),
        caption: "Forest plot of the hazard ratio of death in each subgroup level, with the p-value of the test of interaction.".into(),
        svg: forest_figure(&forest_plot(ctx, parts.forest, &method_label))?,
    }));
    for (i, (name, panels)) in parts.grids.iter().enumerate() {
        let ncol = panels.len().min(3);
        s.push(Block::Figure(Figure {
            id: format!("figure-km-subgroup-{}", i + 1),
            caption: format!(
                "Kaplan-Meier curves by exposure within each level of {name}, with numbers at risk; {WITHHELD} withheld (disclosure control). {}",
                super::survival::curve_note(ctx),
            ),
            svg: km_grid(&format!("Survival by exposure: {name}"), panels, ncol)?,
        }));
    }
    Ok(Some(s))
}

/// A forest-plot row of population `p` with its deaths/known columns `c`; its estimate is drawn
/// only when `shown`.
fn forest_row(
    label: &str,
    indent: u8,
    p: &PopulationResult,
    c: &[Option<u64>; 4],
    shown: Shown,
) -> ForestRow {
    let hr = preferred_hr(p).filter(|h| shown.hr(h.method));
    let left = if p.binary.is_some() {
        vec![fraction_plain(c[0], c[1]), fraction_plain(c[2], c[3])]
    } else {
        vec!["NA".to_string(), "NA".to_string()]
    };
    ForestRow {
        // the whole population is the overall estimate: a diamond, as in a meta-analysis forest
        kind: if indent == 0 {
            RowKind::Pooled
        } else {
            RowKind::Estimate
        },
        label: label.into(),
        indent,
        estimate: hr.map(|h| h.hr),
        lower: hr.map(|h| h.lower),
        upper: hr.map(|h| h.upper),
        // box area proportional to the inverse variance of the log hazard ratio
        weight: hr
            .filter(|h| h.se.is_finite() && h.se > 0.0)
            .map(|h| 1.0 / (h.se * h.se)),
        left,
        right: vec![String::new()],
    }
}

/// One table row: deaths/known per arm, risk ratio, hazard ratio (estimates only when
/// `shown`). A level without a binary result (one of its arms has nobody, or nobody of known
/// status) prints `NA`, not the withheld mark: its counts are not withheld (a zero is shown),
/// they are in the remainder of the joint audit.
fn table_row(label: String, p: &PopulationResult, c: &[Option<u64>; 4], shown: Shown) -> Row {
    let rr = p.binary.as_ref().map(|b| &b.measures.risk_ratio);
    let dk = |n: Option<u64>, d: Option<u64>| {
        if p.binary.is_some() {
            Cell::Fraction { n, d }
        } else {
            Cell::text("NA")
        }
    };
    Row::new(vec![
        Cell::text(label),
        dk(c[0], c[1]),
        dk(c[2], c[3]),
        Cell::estimate(match rr {
            None => "NA".to_string(),
            Some(e) if !e.estimate.is_finite() => "NA".to_string(),
            Some(_) if !shown.crude => WITHHELD.to_string(),
            Some(e) => ratio_text(e.estimate, e.lower, e.upper),
        }),
        hr_cell_shown(
            preferred_hr(p),
            preferred_hr(p).is_some_and(|h| shown.hr(h.method)),
        ),
    ])
}

/// One subgroup variable: its heading, one row per level (table and forest plot), its notes and
/// its Kaplan-Meier grid.
fn add_subgroup(
    ctx: &Ctx,
    d: &DesignResult,
    sg: &SubgroupResult,
    (levels, unclassified): (&[LevelCounts], Option<[Option<u64>; 2]>),
    parts: &mut Parts,
) {
    let (p_int, holm) = match &sg.interaction {
        None => ("NA".to_string(), String::new()),
        Some(i) if i.n_tests > 1 && i.p_holm.is_finite() => {
            (p_text(i.p), format!("; Holm-adjusted {}", p_text(i.p_holm)))
        }
        Some(i) => (p_text(i.p), String::new()),
    };
    parts.rows.push(Row::group(format!(
        "{} (p for interaction {p_int}{holm})",
        sg.name
    )));
    parts.forest.push(ForestRow {
        kind: RowKind::Header,
        label: sg.name.clone(),
        right: vec![p_int],
        ..Default::default()
    });
    let mut panels = Vec::new();
    for (l, lc) in sg.levels.iter().zip(levels) {
        parts.rows.push(table_row(
            format!("    {}", l.population),
            l,
            &lc.dk,
            lc.estimates,
        ));
        parts
            .forest
            .push(forest_row(&l.population, 1, l, &lc.dk, lc.estimates));
        let title = format!("{}: {}", sg.name, l.population);
        if let Some(p) = km_plot(ctx, d.design, l, &title, &lc.risk, lc.estimates.crude) {
            panels.push(p);
        }
    }
    if let Some([e, u]) = unclassified {
        // patients whose level is unknown (e.g. a day-1 lab missing): counted, not analysed
        parts.rows.push(Row::new(vec![
            Cell::text("    not classified (level unknown): patients"),
            Cell::Count(e),
            Cell::Count(u),
            Cell::Empty,
            Cell::Empty,
        ]));
    }
    for n in &sg.notes {
        let mut cells = vec![Cell::text(format!("    note: {n}"))];
        cells.extend(std::iter::repeat_n(Cell::Empty, 4));
        parts.rows.push(Row::new(cells));
    }
    if !panels.is_empty() {
        parts.grids.push((sg.name.clone(), panels));
    }
}

/// Table 4: all patients, then the subgroup rows.
fn table(ctx: &Ctx, d: &DesignResult, sc: &SubgroupCounts, rows: Vec<Row>) -> Table {
    let (el, ul) = ctx.arm_labels();
    let mut table_rows = vec![table_row(
        "All patients".into(),
        &d.overall,
        &sc.all,
        sc.all_estimates,
    )];
    table_rows.extend(rows);
    Table {
        id: "table-subgroups".into(),
        caption: "Table 4. Deaths by exposure, risk ratio and hazard ratio in each subgroup level."
            .into(),
        header: vec![
            "Subgroup".into(),
            format!("{el}: deaths/known (%)"),
            format!("{ul}: deaths/known (%)"),
            "Crude risk ratio (95% CI)".into(),
            "Adjusted hazard ratio (95% CI)".into(),
        ],
        rows: table_rows,
        notes: vec![
            format!(
                "Interaction: {}",
                d.subgroups
                    .iter()
                    .find_map(|s| s.interaction.as_ref())
                    .map_or("not tested".to_string(), |i| i.method.clone())
            ),
            multiplicity_note(d),
            "Crude: the risk ratio is deaths over patients of known status, unadjusted. Adjusted: the hazard ratio is the model named above the table; a level where it could not be estimated says which model it fell back to in its notes.".into(),
            "Not classified: patients of the analysed sample whose level is unknown (e.g. the day-1 lab the subgroup needs was not measured); counted, not analysed in the levels. The row is left out where printing it would force other counts to be withheld.".into(),
            withheld_note(ctx),
        ],
    }
}

/// The multiplicity note: how many interaction tests the design makes and the Holm adjustment.
fn multiplicity_note(d: &DesignResult) -> String {
    let k = d
        .subgroups
        .iter()
        .find_map(|s| s.interaction.as_ref())
        .map_or(0, |i| i.n_tests);
    if k > 1 {
        format!(
            "Multiplicity: {k} tests of interaction; each row gives its p and the p adjusted for all {k} by Holm's method (R p.adjust(method = \"holm\")). With {k} tests, about {:.1} would fall below 0.05 by chance alone were there no effect modification at all; the subgroups are exploratory.",
            k as f64 * 0.05
        )
    } else {
        "Multiplicity: one test of interaction, no adjustment.".into()
    }
}

/// The forest plot of the hazard ratio by subgroup.
fn forest_plot(ctx: &Ctx, rows: Vec<ForestRow>, method_label: &str) -> ForestPlot {
    let (el, ul) = ctx.arm_labels();
    let name = &ctx.r.exposure.name;
    ForestPlot {
        title: "Hazard ratio of death by subgroup".into(),
        label_header: "Subgroup".into(),
        left_columns: vec![format!("{el} deaths/known"), format!("{ul} deaths/known")],
        estimate_header: "HR (95% CI)".into(),
        right_columns: vec!["P interaction".into()],
        rows,
        x_label: "Hazard ratio (log scale)".into(),
        favours: Some((format!("Favours {name}"), format!("Favours no {name}"))),
        x_range: None,
        footnotes: vec![
            format!("{method_label}."),
            "Box area proportional to the inverse variance of the log hazard ratio; the diamond is all patients.".into(),
            format!("{WITHHELD} withheld (disclosure control); a level with a withheld count has no estimate drawn."),
        ],
    }
}
