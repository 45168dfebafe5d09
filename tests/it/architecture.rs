//! The layering of ARCHITECTURE.md, enforced: a library layer imports only the layers listed as
//! allowed for it (read from its `crate::<layer>` paths), and `anyhow` stays in the binary.
//! `crate::format` (number and p-value formatting, `src/format.rs`) is a leaf every layer may use:
//! it imports nothing from the crate.

use std::path::Path;

const LAYERS: [&str; 10] = [
    "output", "schema", "load", "simulate", "score", "cohort", "stats", "meta", "plot", "report",
];

fn allowed(layer: &str) -> &'static [&'static str] {
    match layer {
        "output" => &[],
        "schema" => &[],
        "load" => &["schema", "output"],
        "simulate" => &["schema", "load", "output"],
        "score" => &["schema"],
        "stats" => &["schema"],
        // Trials are `stats::twobytwo::TwoByTwo` (one MH estimator), read through `load::Input`.
        "meta" => &["schema", "load", "stats"],
        "cohort" => &["schema", "score", "stats"],
        "plot" => &["schema", "meta"],
        "report" => &["schema", "cohort", "plot", "output"],
        other => panic!("unknown layer {other}"),
    }
}

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

#[test]
fn lower_layers_never_import_higher_ones() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut violations = Vec::new();
    for layer in LAYERS {
        let mut files = Vec::new();
        rust_files(&src.join(layer), &mut files);
        assert!(!files.is_empty(), "layer {layer} has no files");
        for f in files {
            let text = std::fs::read_to_string(&f).unwrap();
            for other in LAYERS {
                if other == layer || allowed(layer).contains(&other) {
                    continue;
                }
                let needle = format!("crate::{other}");
                if text.contains(&needle) {
                    violations.push(format!("{} uses {needle}", f.display()));
                }
            }
            if text.contains("anyhow") {
                violations.push(format!("{} uses anyhow (binary only)", f.display()));
            }
        }
    }
    assert!(violations.is_empty(), "{violations:#?}");
}

#[test]
fn format_is_a_leaf() {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/format.rs"))
        .unwrap();
    assert!(
        !text.contains("crate::"),
        "src/format.rs imports from the crate"
    );
    assert!(
        !text.contains("anyhow"),
        "src/format.rs uses anyhow (binary only)"
    );
}

#[test]
fn the_check_itself_sees_imports() {
    // A guard against a check that cannot fail: the report layer does import cohort and plot.
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("src/report/sections/survival.rs"),
    )
    .unwrap();
    assert!(text.contains("crate::cohort") && text.contains("crate::plot"));
}
