//! The report writer: byte-identical HTML and Markdown, a self-contained HTML file (no URL, no
//! script, figures inline), Markdown figure links that resolve, and refusal to publish a count
//! the disclosure rule withholds.

use dicohort::plot::km::{km_figure, KmCurve, KmPlot, RiskRow, RiskTable};
use dicohort::report::disclosure::{suppress_risk_table, suppress_table, DisclosureRule, Margins};
use dicohort::report::html::render_html;
use dicohort::report::markdown::render_markdown;
use dicohort::report::{
    versions_section, write_report, Block, Cell, Figure, ReportDocument, Row, Section, Table,
};

fn sample_document(threshold: u64) -> ReportDocument {
    let rule = DisclosureRule::new(threshold);
    // Table: deaths by exposure with margins, a small cell included.
    let counts = vec![vec![4, 120], vec![36, 300]];
    let t = suppress_table(&counts, Margins::Both, &rule);
    let mut rows = Vec::new();
    for (i, label) in ["Died by day 28", "Alive at day 28"].iter().enumerate() {
        rows.push(Row::new(vec![
            Cell::text(*label),
            Cell::CountPercent {
                n: t.cells[i][0],
                total: t.col_totals[0],
            },
            Cell::CountPercent {
                n: t.cells[i][1],
                total: t.col_totals[1],
            },
            Cell::Count(t.row_totals[i]),
        ]));
    }
    rows.push(Row::new(vec![
        Cell::text("Total"),
        Cell::Count(t.col_totals[0]),
        Cell::Count(t.col_totals[1]),
        Cell::Count(t.grand_total.flatten()),
    ]));
    let table = Table {
        id: "table-outcome".into(),
        caption: "Table 2. 28-day mortality by exposure".into(),
        header: vec![
            "".into(),
            "Anticoagulant".into(),
            "No anticoagulant".into(),
            "Overall".into(),
        ],
        rows,
        notes: vec![rule.statement()],
    };
    let risk = suppress_risk_table(
        &[vec![40, 35, 30, 12, 3], vec![420, 380, 350, 331, 320]],
        &rule,
    );
    let km = KmPlot {
        title: "Survival".into(),
        curves: vec![
            KmCurve {
                label: "Anticoagulant".into(),
                time: vec![2.0, 9.0, 20.0],
                surv: vec![0.9, 0.8, 0.7],
                ..Default::default()
            },
            KmCurve {
                label: "No anticoagulant".into(),
                time: vec![3.0, 12.0, 25.0],
                surv: vec![0.95, 0.85, 0.8],
                ..Default::default()
            },
        ],
        risk_table: Some(RiskTable {
            title: String::new(),
            times: vec![0.0, 7.0, 14.0, 21.0, 28.0],
            rows: vec![
                RiskRow {
                    label: "Anticoagulant".into(),
                    counts: risk[0].clone(),
                },
                RiskRow {
                    label: "No anticoagulant".into(),
                    counts: risk[1].clone(),
                },
            ],
            withheld: dicohort::report::counts::WITHHELD.into(),
        }),
        ..Default::default()
    };
    let mut doc = ReportDocument::new("Anticoagulants in sepsis-associated DIC", rule);
    doc.subtitle = "Synthetic example".into();
    let mut s =
        Section::new("results", "Results").paragraph("Results <b>&</b> \"quotes\" are escaped.");
    s.push(Block::Table(table));
    s.push(Block::Figure(Figure {
        id: "km".into(),
        caption: "Figure 1. Kaplan-Meier curves".into(),
        svg: km_figure(&km).unwrap(),
    }));
    doc.sections.push(s);
    doc.sections.push(
        versions_section(&serde_json::json!({"threshold": threshold, "horizon": 28})).unwrap(),
    );
    doc
}

/// Texts of `<td class="n">` cells.
fn numeric_cells(html: &str) -> Vec<String> {
    html.split("<td class=\"n\">")
        .skip(1)
        .map(|s| s.split("</td>").next().unwrap().to_string())
        .collect()
}

#[test]
fn html_is_byte_identical_and_self_contained() {
    let a = render_html(&sample_document(10)).unwrap();
    let b = render_html(&sample_document(10)).unwrap();
    assert_eq!(a, b);
    for bad in [
        "http://", "https://", "<script", "src=", "@import", "url(", "<link", "<img",
    ] {
        assert!(!a.contains(bad), "HTML contains `{bad}`");
    }
    assert!(a.contains("<svg width="), "figure inlined");
    assert!(a.contains("Results &lt;b&gt;&amp;&lt;/b&gt; &quot;quotes&quot; are escaped."));
    assert!(a.contains(env!("CARGO_PKG_VERSION")));
}

#[test]
fn no_small_count_appears_in_html_tables_or_risk_table() {
    let html = render_html(&sample_document(10)).unwrap();
    let cells = numeric_cells(&html);
    assert!(!cells.is_empty());
    for c in &cells {
        // "n" or "n (p)" or "*".
        let n = c.split(' ').next().unwrap();
        if n != "*" {
            let v: u64 = n.parse().unwrap_or_else(|_| panic!("cell `{c}`"));
            assert!(v == 0 || v >= 10, "count {v} published");
        }
    }
    assert!(cells.iter().any(|c| c == "*"));
    // The risk-table texts in the inlined figure.
    let risk: Vec<&str> = html
        .split("<g class=\"risk-table\">")
        .nth(1)
        .unwrap()
        .split("</g>")
        .next()
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('<'))
        .collect();
    for t in risk {
        if let Ok(v) = t.trim().parse::<u64>() {
            assert!(v == 0 || v >= 10, "risk table shows {v}");
        }
    }
    // With control disabled, the small cell is printed.
    let open = render_html(&sample_document(0)).unwrap();
    assert!(numeric_cells(&open).iter().any(|c| c.starts_with("4 (")));
}

#[test]
fn a_document_publishing_a_small_count_is_refused() {
    let mut doc = sample_document(10);
    let Block::Table(t) = &mut doc.sections[0].blocks[1] else {
        panic!()
    };
    t.rows[0].cells[1] = Cell::Count(Some(4));
    assert!(render_html(&doc).is_err());
    assert!(render_markdown(&doc).is_err());
}

#[test]
fn markdown_references_figure_files_that_exist() {
    let dir = std::env::temp_dir().join(format!("dicohort-report-test-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let files = write_report(&sample_document(10), &dir).unwrap();
    let md = std::fs::read_to_string(&files.markdown).unwrap();
    let links: Vec<&str> = md
        .split("](")
        .skip(1)
        .map(|s| s.split(')').next().unwrap())
        .collect();
    assert_eq!(links, vec!["figures/km.svg"]);
    for l in links {
        let svg = std::fs::read_to_string(dir.join(l)).unwrap();
        assert!(svg.starts_with("<svg xmlns="));
    }
    assert!(md.contains("| --- | ---: | ---: | ---: |"));
    // Regenerating gives the same bytes.
    let html1 = std::fs::read(&files.html).unwrap();
    write_report(&sample_document(10), &dir).unwrap();
    assert_eq!(html1, std::fs::read(&files.html).unwrap());
    assert_eq!(md, std::fs::read_to_string(&files.markdown).unwrap());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn site_id_text_is_escaped_in_report_md() {
    // Regression (issue 14): a site id holding `|`, `\` or a newline broke the Markdown table.
    let mut doc = ReportDocument::new("Escaping", DisclosureRule::new(10));
    let mut s = Section::new("sites", "Sites");
    s.push(Block::Table(Table {
        id: "site-table".into(),
        caption: "Sites | all".into(),
        header: vec!["site".into()],
        rows: vec![Row::new(vec![Cell::text("J|02\\x\nnext")])],
        notes: Vec::new(),
    }));
    doc.sections.push(s);
    let (md, _) = render_markdown(&doc).unwrap();
    assert!(md.contains("| J\\|02\\\\x next |"), "{md}");
    assert!(md.contains("**Sites \\| all**"), "{md}");
    let table: Vec<&str> = md.lines().filter(|l| l.starts_with('|')).collect();
    assert_eq!(table.len(), 3, "header, rule and one row: {table:?}");
}
