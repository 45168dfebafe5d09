//! The meta-analysis forest plot (`dicohort meta ... --forest FILE.svg`, drawn by
//! `plot::meta_forest` through the report's forest renderer): what it shows, checked against
//! metafor's weights and prediction intervals (fixture meta_reproduction.json).

use dicohort::load::Input;
use dicohort::meta::{analyse_input, Measure, MetaOptions, Method, Selection};
use dicohort::plot::forest::{
    forest_figure, interval_text, meta_forest, MetaForestLabels, RowKind,
};
use dicohort::plot::theme::fixed;

use super::meta_cli::dicohort;
use crate::common::{fixture, nums, root, strs};

fn by_population(method: Method) -> dicohort::meta::TrialAnalysis {
    let selection = Selection {
        subgroup: Some("population".into()),
        ..Default::default()
    };
    analyse_input(
        &Input::Path(root().join("data/anticoagulant-trials.csv")),
        &selection,
        Measure::RR,
        MetaOptions::new(method),
        false,
    )
    .unwrap()
}

fn labels() -> MetaForestLabels {
    MetaForestLabels {
        title: "Anticoagulants and 28-day mortality in randomised trials".into(),
        treated: "Anticoagulant".into(),
        control: "Control".into(),
    }
}

/// Per population: every pooled trial with its counts and metafor's weight, the subtotal
/// diamond, the prediction interval (k >= 2), the heterogeneity line; then the overall diamond
/// and the test for subgroup differences; nested rows named in a footnote.
#[test]
fn meta_forest_by_population_shows_metafors_weights_and_prediction_intervals() {
    let fx = fixture("meta_reproduction");
    for (method, tag) in [(Method::REML, "REML"), (Method::MH, "MH")] {
        let a = by_population(method);
        let plot = meta_forest(&labels(), &a).unwrap();
        for pop in ["coagulopathy", "dic", "non-dic", "sepsis"] {
            let case = fx["cases"]
                .as_array()
                .unwrap()
                .iter()
                .find(|c| c["name"] == format!("population {pop} {tag}"))
                .unwrap();
            let r = &case["result"];
            let start = plot
                .rows
                .iter()
                .position(|row| {
                    row.kind == RowKind::Header && row.label == format!("population: {pop}")
                })
                .unwrap();
            let studies = strs(&r["studies"]);
            for (j, (study, w)) in studies.iter().zip(nums(&r["weights"])).enumerate() {
                let row = &plot.rows[start + 1 + j];
                assert!(
                    row.label.starts_with(study.as_str()),
                    "{} vs {study}",
                    row.label
                );
                assert_eq!(row.right[0], format!("{}%", fixed(w, 1)), "{tag} {study}");
            }
            let pooled = &plot.rows[start + 1 + studies.len()];
            assert_eq!(pooled.kind, RowKind::Pooled);
            assert_eq!(pooled.label, format!("Subtotal (k = {})", studies.len()));
            let next = &plot.rows[start + 2 + studies.len()];
            let k = r["k"].as_u64().unwrap();
            if method == Method::REML && k >= 2 {
                assert_eq!(next.kind, RowKind::Interval, "{pop}");
                let (lo, hi) = (next.lower.unwrap(), next.upper.unwrap());
                assert!((lo.ln() - r["pi_lower"].as_f64().unwrap()).abs() < 1e-9);
                assert!((hi.ln() - r["pi_upper"].as_f64().unwrap()).abs() < 1e-9);
            } else {
                assert_ne!(next.kind, RowKind::Interval, "{tag} {pop}");
            }
        }
        assert_eq!(
            plot.rows
                .iter()
                .filter(|r| r.kind == RowKind::Pooled)
                .count(),
            a.subgroups.len() + 1
        );
        let svg = forest_figure(&plot).unwrap();
        let p = &a.overall.analysis.pooled;
        assert!(svg.contains("Test for subgroup differences"));
        assert!(svg.contains("Left out as nested"));
        assert!(svg.contains("KyberSept no-heparin (Hoffmann) from \u{201c}sepsis\u{201d}"));
        assert!(svg.contains("share patients"));
        assert!(svg.contains("29/114"));
        if method == Method::REML {
            assert!(svg.contains(&interval_text(p.pi_lower.exp(), p.pi_upper.exp())));
            // metafor: overall REML I2 = 46.0%, tau2 = 0.006, Q = 11.70 (df 7), p = 0.111.
            assert!(
                svg.contains("I\u{b2} = 46%, \u{3c4}\u{b2} = 0.006, Q = 11.70 (df = 7), p = 0.111"),
                "heterogeneity line"
            );
        } else {
            assert!(!svg.contains("Prediction interval"));
        }
        assert_eq!(
            svg,
            forest_figure(&meta_forest(&labels(), &a).unwrap()).unwrap()
        );
    }
}

/// The command line writes the library's figure, byte for byte, and nothing on failure.
#[test]
fn meta_forest_from_the_command_line_is_the_library_figure() {
    let dir = std::env::temp_dir().join(format!("dicohort-meta-forest-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("forest.svg");
    let out = dicohort(&[
        "meta",
        "--bundled",
        "--subgroup",
        "population",
        "--forest",
        path.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let written = std::fs::read_to_string(&path).unwrap();
    let want =
        forest_figure(&meta_forest(&labels(), &by_population(Method::REML)).unwrap()).unwrap();
    assert_eq!(written, want);
    if let Ok(d) = std::env::var("DICOHORT_FIGURE_DIR") {
        std::fs::create_dir_all(&d).unwrap();
        std::fs::write(
            std::path::Path::new(&d).join("forest_meta_by_population.svg"),
            &written,
        )
        .unwrap();
    }
    // A single pool: weights add up to 100%, and the overall row says so.
    let single = dir.join("single.svg");
    let out = dicohort(&[
        "meta",
        "--bundled",
        "--filter",
        "drug_class=thrombomodulin",
        "--forest",
        single.to_str().unwrap(),
        "--title",
        "Thrombomodulin",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let svg = std::fs::read_to_string(&single).unwrap();
    assert!(svg.contains("Thrombomodulin") && svg.contains("Overall (k = 3)"));
    assert!(!svg.contains("share patients"));
    std::fs::remove_dir_all(&dir).unwrap();
}
