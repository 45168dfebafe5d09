//! Figures: byte-identical regeneration, the number-at-risk table's alignment with the x ticks
//! (read back from the SVG), and input validation. Set `DICOHORT_FIGURE_DIR=/some/dir` to also
//! write every figure there for visual inspection.

use dicohort::plot::km::{km_figure, km_grid, CurveKind, KmCurve, KmPlot, RiskRow, RiskTable};

/// Deterministic pseudo-random numbers (64-bit LCG, Knuth's constants).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Kaplan-Meier curve (Greenwood, log interval) of exponential event times censored at
/// uniform times and at 28 days; returns the curve and the number at risk at `ticks`.
fn sample_curve(label: &str, n: usize, rate: f64, seed: u64, ticks: &[f64]) -> (KmCurve, Vec<u64>) {
    let mut rng = Lcg(seed);
    let mut obs: Vec<(f64, bool)> = (0..n)
        .map(|_| {
            let t = (-(1.0 - rng.next()).ln() / rate).ceil();
            let c = (rng.next() * 60.0).ceil();
            let end = 28.0f64.min(c);
            if t <= end {
                (t, true)
            } else {
                (end, false)
            }
        })
        .collect();
    obs.sort_by(|a, b| a.0.partial_cmp(&b.0).unwrap());
    let mut curve = KmCurve {
        label: label.to_string(),
        ..Default::default()
    };
    let (mut s, mut var) = (1.0f64, 0.0f64);
    let mut i = 0;
    while i < obs.len() {
        let t = obs[i].0;
        let at_risk = (obs.len() - i) as f64;
        let mut d = 0.0;
        let mut c = 0;
        while i < obs.len() && obs[i].0 == t {
            if obs[i].1 {
                d += 1.0
            } else {
                c += 1
            }
            i += 1;
        }
        if d > 0.0 {
            s *= 1.0 - d / at_risk;
            if at_risk > d {
                var += d / (at_risk * (at_risk - d));
            }
        }
        if c > 0 {
            curve.censor_times.push(t);
        }
        curve.time.push(t);
        curve.surv.push(s);
        let se = var.sqrt();
        curve.lower.push(if s > 0.0 {
            s * (-1.96 * se).exp()
        } else {
            f64::NAN
        });
        curve.upper.push(if s > 0.0 {
            (s * (1.96 * se).exp()).min(1.0)
        } else {
            f64::NAN
        });
    }
    let risk = ticks
        .iter()
        .map(|&tk| obs.iter().filter(|o| o.0 >= tk).count() as u64)
        .collect();
    (curve, risk)
}

fn sample_plot(title: &str, labels: &[&str], suppress_last: bool) -> KmPlot {
    let ticks = vec![0.0, 7.0, 14.0, 21.0, 28.0];
    let mut curves = Vec::new();
    let mut rows = Vec::new();
    for (g, label) in labels.iter().enumerate() {
        let (c, r) = sample_curve(
            label,
            180 + 40 * g,
            0.012 + 0.006 * g as f64,
            11 + g as u64,
            &ticks,
        );
        curves.push(c);
        let mut counts: Vec<Option<u64>> = r.into_iter().map(Some).collect();
        if suppress_last {
            *counts.last_mut().unwrap() = None;
        }
        rows.push(RiskRow {
            label: label.to_string(),
            counts,
        });
    }
    KmPlot {
        title: title.to_string(),
        curves,
        risk_table: Some(RiskTable {
            title: String::new(),
            times: ticks,
            rows,
            withheld: "*".into(),
        }),
        x_label: "Days since DIC diagnosis".to_string(),
        annotations: vec!["Log-rank p = 0.012".to_string()],
        footnotes: vec!["* count withheld (disclosure control: counts below 10).".to_string()],
        ..Default::default()
    }
}

fn save(name: &str, svg: &str) {
    if let Ok(dir) = std::env::var("DICOHORT_FIGURE_DIR") {
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(std::path::Path::new(&dir).join(name), svg).unwrap();
    }
}

/// `(x, y, text)` of every `<text>` inside `<g class="...">` groups whose class list contains
/// `class`, in document order.
fn texts_in(svg: &str, class: &str) -> Vec<(f64, f64, String)> {
    let mut out = Vec::new();
    let mut inside = false;
    for line in svg.lines() {
        if let Some(rest) = line.strip_prefix("<g class=\"") {
            let classes = rest.split('"').next().unwrap();
            inside = classes.split(' ').any(|c| c == class);
            continue;
        }
        if line == "</g>" {
            inside = false;
            continue;
        }
        if inside && line.starts_with("<text ") {
            let attr = |name: &str| -> f64 {
                let key = format!(" {name}=\"");
                let at = line.find(&key).unwrap() + key.len();
                line[at..].split('"').next().unwrap().parse().unwrap()
            };
            // plotters writes the content on the next line; read it from the original text.
            out.push((attr("x"), attr("y"), String::new()));
        } else if inside
            && !line.starts_with('<')
            && !out.is_empty()
            && out.last().unwrap().2.is_empty()
        {
            out.last_mut().unwrap().2 = line.trim().to_string();
        }
    }
    out
}

#[test]
fn km_figure_is_byte_identical_when_regenerated() {
    let plot = sample_plot(
        "28-day survival by anticoagulant exposure",
        &["Anticoagulant", "No anticoagulant"],
        true,
    );
    let a = km_figure(&plot).unwrap();
    let b = km_figure(&plot.clone()).unwrap();
    assert_eq!(a, b);
    assert!(a.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    save("km.svg", &a);
}

/// The x of every number-at-risk entry equals the x of the tick label of its time (0.5 px).
#[test]
fn risk_table_counts_align_with_x_tick_labels() {
    let plot = sample_plot(
        "",
        &["Anticoagulant", "No anticoagulant", "Unknown exposure"],
        true,
    );
    let svg = km_figure(&plot).unwrap();
    let ticks = texts_in(&svg, "x-axis");
    let risk = texts_in(&svg, "risk-table");
    let rt = plot.risk_table.as_ref().unwrap();
    assert_eq!(ticks.len(), rt.times.len());
    for (tick, t) in ticks.iter().zip(&rt.times) {
        assert_eq!(tick.2, format!("{t:.0}"));
    }
    // Title, then per row: its label followed by one entry per time.
    let per_row = 1 + rt.times.len();
    assert_eq!(risk.len(), 1 + rt.rows.len() * per_row);
    for (r, row) in rt.rows.iter().enumerate() {
        let cells = &risk[1 + r * per_row..1 + (r + 1) * per_row];
        assert_eq!(cells[0].2, row.label);
        for (k, cell) in cells[1..].iter().enumerate() {
            let expect = row.counts[k]
                .map(|n| n.to_string())
                .unwrap_or("*".to_string());
            assert_eq!(cell.2, expect);
            assert!(
                (cell.0 - ticks[k].0).abs() <= 0.5,
                "row {r} time {k}: {} vs {}",
                cell.0,
                ticks[k].0
            );
            assert!(cell.1 > ticks[k].1, "risk table must be under the axis");
        }
        // The row label ends left of the first count.
        assert!(cells[0].0 < cells[1].0);
    }
}

#[test]
fn km_grid_panels_each_align_their_risk_table() {
    let panels: Vec<KmPlot> = ["Age < 65", "Age >= 65", "ISTH overt DIC", "JAAM DIC only"]
        .iter()
        .map(|t| sample_plot(t, &["Anticoagulant", "No anticoagulant"], false))
        .collect();
    let svg = km_grid("Survival by subgroup", &panels, 2).unwrap();
    assert_eq!(svg, km_grid("Survival by subgroup", &panels, 2).unwrap());
    for p in 0..panels.len() {
        let ticks = texts_in(&svg, &format!("panel-{p}"));
        assert!(!ticks.is_empty());
    }
    let ticks = texts_in(&svg, "x-axis");
    let risk = texts_in(&svg, "risk-table");
    assert_eq!(ticks.len(), 4 * 5);
    // 4 panels x (title + 2 rows x (label + 5 counts)).
    assert_eq!(risk.len(), 4 * 13);
    for p in 0..4 {
        for r in 0..2 {
            for k in 0..5 {
                let cell = &risk[p * 13 + 1 + r * 6 + 1 + k];
                assert!((cell.0 - ticks[p * 5 + k].0).abs() <= 0.5);
            }
        }
    }
    save("km_grid.svg", &svg);
}

#[test]
fn cumulative_incidence_rises_from_zero() {
    use dicohort::plot::cif::{cif_figure, CifCurve, CifPlot};
    let mk = |group: &str, cause: &str, competing: bool, rate: f64| {
        let time: Vec<f64> = (1..=28).map(|d| d as f64).collect();
        let cif: Vec<f64> = time
            .iter()
            .map(|t| 0.6 * (1.0 - (-rate * t).exp()))
            .collect();
        let lower = cif.iter().map(|c| (c - 0.04f64).max(0.0)).collect();
        let upper = cif.iter().map(|c| c + 0.04).collect();
        CifCurve {
            group: group.into(),
            cause: cause.into(),
            time,
            cif,
            lower,
            upper,
            competing,
        }
    };
    let plot = CifPlot {
        title: "Cumulative incidence of death and of discharge alive".into(),
        curves: vec![
            mk("Anticoagulant", "Death", false, 0.05),
            mk("Anticoagulant", "Discharge alive", true, 0.03),
            mk("No anticoagulant", "Death", false, 0.07),
            mk("No anticoagulant", "Discharge alive", true, 0.02),
        ],
        risk_table: Some(RiskTable {
            title: String::new(),
            times: vec![0.0, 7.0, 14.0, 21.0, 28.0],
            rows: vec![
                RiskRow {
                    label: "Anticoagulant".into(),
                    counts: vec![Some(412), Some(350), Some(301), Some(270), Some(251)],
                },
                RiskRow {
                    label: "No anticoagulant".into(),
                    counts: vec![Some(530), Some(433), Some(380), Some(333), None],
                },
            ],
            withheld: "*".into(),
        }),
        x_label: "Days since ICU admission".into(),
        show_ci: true,
        ..Default::default()
    };
    let svg = cif_figure(&plot).unwrap();
    assert_eq!(svg, cif_figure(&plot).unwrap());
    save("cif.svg", &svg);
}

#[test]
fn inconsistent_input_is_rejected() {
    let mut plot = sample_plot("", &["A"], false);
    plot.curves[0].surv.pop();
    assert!(km_figure(&plot).is_err());
    let mut plot = sample_plot("", &["A"], false);
    plot.risk_table.as_mut().unwrap().rows[0].counts.pop();
    assert!(km_figure(&plot).is_err());
    let mut plot = sample_plot("", &["A"], false);
    plot.kind = CurveKind::Incidence;
    plot.y_range = (1.0, 0.0);
    assert!(km_figure(&plot).is_err());
}

fn meta_forest() -> dicohort::plot::forest::ForestPlot {
    use dicohort::plot::forest::{ForestPlot, ForestRow, RowKind};
    let study = |label: &str, et: u64, nt: u64, ec: u64, nc: u64, w: f64| {
        let rr = (et as f64 / nt as f64) / (ec as f64 / nc as f64);
        let se = (1.0 / et as f64 - 1.0 / nt as f64 + 1.0 / ec as f64 - 1.0 / nc as f64).sqrt();
        ForestRow {
            label: label.into(),
            indent: 1,
            estimate: Some(rr),
            lower: Some(rr * (-1.96 * se).exp()),
            upper: Some(rr * (1.96 * se).exp()),
            weight: Some(w),
            left: vec![format!("{et}/{nt}"), format!("{ec}/{nc}")],
            right: vec![format!("{w:.1}%")],
            ..Default::default()
        }
    };
    ForestPlot {
        title: "Anticoagulants and 28-day mortality in sepsis-induced DIC".into(),
        label_header: "Study".into(),
        left_columns: vec!["Treated".into(), "Control".into()],
        estimate_header: "RR (95% CI)".into(),
        right_columns: vec!["Weight".into()],
        rows: vec![
            ForestRow {
                kind: RowKind::Header,
                label: "Antithrombin".into(),
                ..Default::default()
            },
            study("KyberSept 2001 (DIC subgroup)", 40, 115, 55, 114, 12.3),
            study("Gando 2013", 8, 30, 12, 30, 4.1),
            ForestRow {
                kind: RowKind::Pooled,
                label: "Subtotal".into(),
                indent: 1,
                estimate: Some(0.72),
                lower: Some(0.55),
                upper: Some(0.95),
                right: vec!["16.4%".into()],
                ..Default::default()
            },
            ForestRow {
                kind: RowKind::Note,
                label: "Heterogeneity: I\u{b2} = 0%, \u{3c4}\u{b2} = 0.000, Q p = 0.871".into(),
                indent: 1,
                ..Default::default()
            },
            ForestRow {
                kind: RowKind::Header,
                label: "Thrombomodulin".into(),
                ..Default::default()
            },
            study("ART-123 phase 2b", 25, 100, 30, 95, 9.0),
            study("SCARLET 2019 (post hoc)", 3, 14, 9, 12, 1.5),
            ForestRow {
                kind: RowKind::Pooled,
                label: "Subtotal".into(),
                indent: 1,
                estimate: Some(0.70),
                lower: Some(0.48),
                upper: Some(1.03),
                right: vec!["10.5%".into()],
                ..Default::default()
            },
            ForestRow {
                kind: RowKind::Note,
                label: "Heterogeneity: I\u{b2} = 41%, \u{3c4}\u{b2} = 0.052, Q p = 0.193".into(),
                indent: 1,
                ..Default::default()
            },
            ForestRow {
                kind: RowKind::Pooled,
                label: "Overall (random effects)".into(),
                estimate: Some(0.71),
                lower: Some(0.58),
                upper: Some(0.87),
                right: vec!["100%".into()],
                ..Default::default()
            },
            ForestRow {
                kind: RowKind::Note,
                label: "Test for subgroup differences: Q = 0.02, df = 1, p = 0.891".into(),
                ..Default::default()
            },
        ],
        x_label: "Risk ratio (log scale)".into(),
        favours: Some(("Favours anticoagulant".into(), "Favours control".into())),
        ..Default::default()
    }
}

#[test]
fn forest_plots_render_deterministically() {
    use dicohort::plot::forest::{forest_figure, ForestPlot, ForestRow, RowKind};
    let meta = meta_forest();
    let svg = forest_figure(&meta).unwrap();
    assert_eq!(svg, forest_figure(&meta).unwrap());
    assert!(svg.contains("0.71 (0.58\u{2013}0.87)"));
    save("forest_meta.svg", &svg);
    let row = |label: &str, hr: f64, lo: f64, hi: f64, a: &str, b: &str| ForestRow {
        label: label.into(),
        indent: 1,
        estimate: Some(hr),
        lower: Some(lo),
        upper: Some(hi),
        left: vec![a.into(), b.into()],
        ..Default::default()
    };
    let sub = ForestPlot {
        title: "Hazard ratio of 28-day death by subgroup".into(),
        label_header: "Subgroup".into(),
        left_columns: vec!["Anticoagulant".into(), "No anticoagulant".into()],
        estimate_header: "HR (95% CI)".into(),
        right_columns: vec!["P interaction".into()],
        rows: vec![
            ForestRow {
                kind: RowKind::Header,
                label: "Age".into(),
                right: vec!["0.214".into()],
                ..Default::default()
            },
            row("< 65 years", 0.81, 0.62, 1.06, "61/233", "88/251"),
            row("\u{2265} 65 years", 0.95, 0.78, 1.16, "120/402", "140/420"),
            ForestRow {
                kind: RowKind::Header,
                label: "ISTH overt DIC".into(),
                right: vec!["0.047".into()],
                ..Default::default()
            },
            row("Yes", 0.68, 0.52, 0.89, "70/240", "95/228"),
            row("No", 1.02, 0.83, 1.25, "*/395", "133/443"),
            ForestRow {
                kind: RowKind::Header,
                label: "Very small subgroup".into(),
                right: vec!["0.600".into()],
                ..Default::default()
            },
            row("Yes", 0.4, 0.05, 12.0, "*/12", "*/15"),
        ],
        x_label: "Hazard ratio (log scale)".into(),
        favours: Some((
            "Favours anticoagulant".into(),
            "Favours no anticoagulant".into(),
        )),
        x_range: Some((0.2, 5.0)),
        footnotes: vec!["* count withheld (disclosure control).".into()],
    };
    let svg = forest_figure(&sub).unwrap();
    save("forest_subgroup.svg", &svg);
}

#[test]
fn flow_love_distribution_and_trajectories_render() {
    use dicohort::plot::distribution::{
        distribution_figure, trajectory_figure, BarGroup, ScoreDistribution, Trajectory,
        TrajectoryGroup,
    };
    use dicohort::plot::flow::{flow_figure, FlowDiagram};
    use dicohort::plot::love::{love_figure, LovePlot, LoveRow};
    use dicohort::schema::CohortFlow;
    let mut flow = CohortFlow::default();
    flow.push(
        "Adults admitted to ICU with sepsis",
        "patients",
        5210,
        vec![
            ("age < 18 years".into(), 12),
            ("missing day-1 coagulation tests".into(), 431),
        ],
    );
    flow.push(
        "Sepsis-associated coagulopathy (SIC >= 4)",
        "patients",
        4767,
        vec![("SIC < 4".into(), 2988)],
    );
    flow.push(
        "Landmark: alive and in ICU on day 3",
        "patients",
        1779,
        vec![
            ("died before day 3".into(), 163),
            ("discharged before day 3".into(), 58),
        ],
    );
    let mut d = FlowDiagram::from_flow("Cohort flow", &flow);
    d.steps[0].excluded[0].1 = None;
    d.withheld = "*".into();
    d.footnotes
        .push("* count withheld (disclosure control).".into());
    let svg = flow_figure(&d).unwrap();
    assert_eq!(svg, flow_figure(&d).unwrap());
    assert!(svg.contains("n = 5210 patients"));
    save("flow.svg", &svg);

    let love = LovePlot {
        title: "Covariate balance before and after weighting".into(),
        rows: [
            "Age",
            "Male sex",
            "SOFA score",
            "Platelet count",
            "PT-INR",
            "Fibrinogen",
            "Lactate",
            "Vasopressor on day 1",
            "Mechanical ventilation",
        ]
        .iter()
        .enumerate()
        .map(|(i, l)| LoveRow {
            label: l.to_string(),
            before: 0.03 + 0.045 * i as f64 * if i % 2 == 0 { 1.0 } else { -1.0 },
            after: 0.01 + 0.008 * i as f64,
        })
        .collect(),
        ..Default::default()
    };
    let svg = love_figure(&love).unwrap();
    save("love.svg", &svg);

    let cats: Vec<String> = (0..=8).map(|s| s.to_string()).collect();
    let dist = ScoreDistribution {
        title: "JAAM DIC score on day 1".into(),
        x_label: "JAAM DIC score".into(),
        categories: cats,
        groups: vec![
            BarGroup {
                label: "Anticoagulant".into(),
                counts: vec![
                    None,
                    Some(14),
                    Some(40),
                    Some(77),
                    Some(102),
                    Some(88),
                    Some(51),
                    Some(28),
                    Some(12),
                ],
                total: Some(415),
            },
            BarGroup {
                label: "No anticoagulant".into(),
                counts: vec![
                    Some(35),
                    Some(81),
                    Some(140),
                    Some(160),
                    Some(120),
                    Some(70),
                    Some(31),
                    Some(12),
                    None,
                ],
                total: Some(652),
            },
        ],
        footnotes: vec!["* count withheld (disclosure control).".into()],
        withheld: "*".into(),
    };
    let svg = distribution_figure(&dist).unwrap();
    save("distribution.svg", &svg);

    let tg = |label: &str, m: [f64; 3], n: [u64; 3]| TrajectoryGroup {
        label: label.into(),
        median: m.to_vec(),
        q1: m.iter().map(|v| v * 0.6).collect(),
        q3: m.iter().map(|v| v * 1.45).collect(),
        n: n.iter().map(|&x| Some(x)).collect(),
    };
    let panels = vec![
        Trajectory {
            title: "Platelets".into(),
            y_label: "Platelets (\u{d7}10\u{2079}/L)".into(),
            days: vec![1.0, 3.0, 7.0],
            groups: vec![
                tg("Anticoagulant", [92.0, 78.0, 110.0], [415, 380, 301]),
                tg("No anticoagulant", [105.0, 99.0, 131.0], [652, 590, 470]),
            ],
        },
        Trajectory {
            title: "JAAM DIC score".into(),
            y_label: "Score".into(),
            days: vec![1.0, 3.0, 7.0],
            groups: vec![
                tg("Anticoagulant", [5.0, 4.0, 3.0], [415, 380, 301]),
                tg("No anticoagulant", [4.0, 3.0, 2.0], [652, 590, 470]),
            ],
        },
    ];
    let svg = trajectory_figure(
        "Day 1, 3 and 7 trajectories (median and IQR)",
        &panels,
        &[],
        "*",
    )
    .unwrap();
    assert_eq!(
        svg,
        trajectory_figure(
            "Day 1, 3 and 7 trajectories (median and IQR)",
            &panels,
            &[],
            "*"
        )
        .unwrap()
    );
    // The patient counts sit under their day ticks.
    let ticks = texts_in(&svg, "x-axis");
    let counts = texts_in(&svg, "risk-table");
    assert_eq!(ticks.len(), 6);
    assert_eq!(counts.len(), 12);
    for (i, c) in counts.iter().enumerate() {
        let panel = i / 6;
        let day = i % 3;
        assert!((c.0 - ticks[panel * 3 + day].0).abs() <= 0.5);
    }
    save("trajectories.svg", &svg);
}
