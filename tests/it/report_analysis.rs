//! The full report of an analysis run (default plan, small synthetic registry so that small
//! cells occur): builds, renders byte-identically, passes the disclosure check, and every
//! published count in tables and number-at-risk tables is 0 or >= the threshold. Set
//! `DICOHORT_REPORT_DIR=/some/dir` to also write the report there for inspection.

use dicohort::cohort::analysis::{run_plan, AnalysisResult};
use dicohort::cohort::plan::Plan;
use dicohort::report::analysis::analysis_report;
use dicohort::report::disclosure::DisclosureRule;
use dicohort::report::html::render_html;
use dicohort::report::markdown::render_markdown;
use dicohort::simulate::{simulate_cohort, SimParams};

fn cohort(n: u64, seed: u64) -> dicohort::schema::Cohort {
    simulate_cohort(&SimParams::new(n, seed)).unwrap().0
}

#[test]
fn full_report_is_deterministic_and_discloses_no_small_count() {
    let cohort = cohort(500, 5);
    let plan = Plan::default_plan();
    let patient_ids = cohort.patients.patient_id.clone();
    let r: AnalysisResult = run_plan(&plan.check().unwrap(), cohort, &mut |_| {}).unwrap();
    assert_eq!(r.descriptive.trajectories.len(), 2);
    let rule = DisclosureRule::default();
    let doc = analysis_report(&r, &rule).unwrap();
    let html = render_html(&doc).unwrap();
    assert_eq!(
        html,
        render_html(&analysis_report(&r, &rule).unwrap()).unwrap()
    );
    let (md, figs) = render_markdown(&doc).unwrap();
    assert!(figs.len() >= 8, "{} figures", figs.len());
    assert!(figs.iter().any(|f| f.0.contains("trajectories")));
    for bad in ["http://", "https://", "<script", "src="] {
        assert!(!html.contains(bad));
    }
    // No patient identifier appears anywhere (ids look like P00000123).
    assert!(patient_ids.iter().all(|id| id.len() >= 6));
    for id in &patient_ids {
        assert!(
            !html.contains(id.as_str()) && !md.contains(id.as_str()),
            "{id} in the report"
        );
    }
    // Every numeric table cell: "*", "n", "n (p)" or "d/k (p)" with counts 0 or >= 10.
    let mut n_checked = 0;
    for cell in html.split("<td class=\"n\">").skip(1) {
        let c = cell.split("</td>").next().unwrap();
        let first = c.split(' ').next().unwrap();
        for part in first.split('/') {
            if let Ok(v) = part.parse::<u64>() {
                assert!(v == 0 || v >= 10, "count {v} in `{c}`");
                n_checked += 1;
            }
        }
    }
    for cell in html.split("<td>").skip(1) {
        let c = cell.split("</td>").next().unwrap();
        if let Some((d, rest)) = c.split_once('/') {
            let k = rest.split(' ').next().unwrap();
            for v in [d, k] {
                if let Ok(v) = v.parse::<u64>() {
                    assert!(v == 0 || v >= 10, "count {v} in `{c}`");
                    n_checked += 1;
                }
            }
        }
    }
    assert!(n_checked > 20, "{n_checked}");
    // Number-at-risk entries in every risk table of every figure.
    for part in html.split("risk-table\">").skip(1) {
        for line in part.split("</g>").next().unwrap().lines() {
            if let Ok(v) = line.trim().parse::<u64>() {
                assert!(v == 0 || v >= 10, "risk table shows {v}");
            }
        }
    }
    // Cross-table consistency: a known count withheld in the subgroup table is withheld at
    // time 0 of that level's number-at-risk table too (the risk set at 0 is the same patients).
    check_subgroup_risk_tables(&r, &doc);
    // With a threshold that suppresses nearly everything the report still renders.
    render_html(&analysis_report(&r, &DisclosureRule::new(400)).unwrap()).unwrap();
    if let Ok(dir) = std::env::var("DICOHORT_REPORT_DIR") {
        dicohort::report::write_report(&doc, std::path::Path::new(&dir)).unwrap();
        let _ = md;
    }
}

/// Texts of an SVG layer group (`<g class="...">` containing `class`), in order.
fn layer_texts(svg: &str, class: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut inside = false;
    let mut in_text = false;
    for line in svg.lines() {
        if let Some(rest) = line.strip_prefix("<g class=\"") {
            inside = rest
                .split('"')
                .next()
                .unwrap()
                .split(' ')
                .any(|c| c == class);
        } else if line == "</g>" {
            inside = false;
        } else if inside && line.starts_with("<text") {
            in_text = true;
        } else if inside && in_text && !line.starts_with('<') {
            out.push(line.trim().to_string());
            in_text = false;
        }
    }
    out
}

fn check_subgroup_risk_tables(r: &AnalysisResult, doc: &dicohort::report::ReportDocument) {
    use dicohort::report::{Block, Cell};
    let primary = r.designs.iter().find(|d| d.primary).unwrap();
    let mut table_rows = Vec::new();
    let mut figures = Vec::new();
    for s in &doc.sections {
        for b in &s.blocks {
            match b {
                Block::Table(t) if t.id == "table-subgroups" => table_rows = t.rows.clone(),
                Block::Figure(f) if f.id.starts_with("figure-km-subgroup-") => {
                    figures.push(f.svg.clone())
                }
                _ => {}
            }
        }
    }
    let mut checked = 0;
    for (si, sg) in primary.subgroups.iter().enumerate() {
        let Some(svg) = figures.get(si) else { continue };
        for (li, level) in sg.levels.iter().enumerate() {
            let Some(b) = &level.binary else { continue };
            if b.n_unknown != 0 {
                continue;
            }
            let title = format!("{}: {}", sg.name, level.population);
            // Find the panel with this title.
            let Some(p) = (0..sg.levels.len())
                .find(|&p| layer_texts(svg, &format!("panel-{p}")).first() == Some(&title))
            else {
                continue;
            };
            // The panel's risk table alone.
            let risk_only: Vec<String> = {
                let mut v = Vec::new();
                let mut inside = false;
                let mut in_text = false;
                for line in svg.lines() {
                    if let Some(rest) = line.strip_prefix("<g class=\"") {
                        let cls: Vec<&str> = rest.split('"').next().unwrap().split(' ').collect();
                        inside = cls.contains(&format!("panel-{p}").as_str())
                            && cls.contains(&"risk-table");
                    } else if line == "</g>" {
                        inside = false;
                    } else if inside && line.starts_with("<text") {
                        in_text = true;
                    } else if inside && in_text && !line.starts_with('<') {
                        v.push(line.trim().to_string());
                        in_text = false;
                    }
                }
                v
            };
            // risk_only: title, then per row label + counts.
            let n_times = (risk_only.len() - 1) / level.km.len() - 1;
            for (ci, curve) in level.km.iter().enumerate() {
                let first = &risk_only[1 + ci * (n_times + 1) + 1];
                // The table cell for this arm: exposed = column 1, unexposed = column 2.
                let col = if curve.group == "exposed" { 1 } else { 2 };
                let level_rows: Vec<&dicohort::report::Row> = table_rows
                    .iter()
                    .skip_while(|r| {
                        !(r.group
                            && matches!(&r.cells[0], Cell::Text(t) if t.starts_with(&sg.name)))
                    })
                    .skip(1)
                    .take_while(|r| !r.group)
                    .collect();
                let Some(row) = level_rows.get(li) else {
                    continue;
                };
                let Cell::Fraction { d: known, .. } = &row.cells[col] else {
                    panic!("subgroup table cell is not a fraction");
                };
                let known_withheld = known.is_none();
                if known_withheld {
                    assert_eq!(
                        first, "*",
                        "{title}: known withheld in the table but at risk at 0 shows {first}"
                    );
                }
                checked += 1;
            }
        }
    }
    assert!(checked > 10, "{checked}");
}
