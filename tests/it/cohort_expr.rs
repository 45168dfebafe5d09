//! Subgroup expressions are bounded (64 KiB, 4,096 tokens, 64 levels of nesting) with an error at
//! the position where a bound is passed. Regression tests of issue 14: an expression nested
//! 10,000 deep aborted `dicohort analyze` with a stack overflow (exit 134), and a 100,000-term
//! `and` chain took 22 s.

use std::process::Command;

use dicohort::cohort::expr::{parse, Expr, MAX_EXPR_BYTES, MAX_EXPR_DEPTH, MAX_EXPR_TOKENS};
use dicohort::cohort::frame::{Column, PatientFrame};
use dicohort::cohort::valid_plan::ValidPlan;
use dicohort::cohort::CohortError;

use crate::common::bin;

fn expression_plan(expr: &str) -> String {
    format!("[[subgroups]]\nkind = \"expression\"\nexpr = \"{expr}\"\n")
}

/// Message and 1-based position of a rejected expression.
fn parse_error(src: &str) -> (String, usize) {
    match parse(src) {
        Err(CohortError::Expression {
            message, position, ..
        }) => (message, position),
        other => panic!("{other:?}"),
    }
}

#[test]
fn expression_nested_10000_deep_is_an_error_not_a_stack_overflow() {
    let deep = format!("{}age > 1{}", "(".repeat(10_000), ")".repeat(10_000));
    let (message, position) = parse_error(&deep);
    assert!(
        message.contains(&format!("deeper than {MAX_EXPR_DEPTH}")),
        "{message}"
    );
    assert_eq!(position, MAX_EXPR_DEPTH + 1);
    let nots = format!("{}liver_failure", "not ".repeat(10_000));
    let (message, position) = parse_error(&nots);
    assert!(message.contains("deeper"), "{message}");
    assert_eq!(position, 4 * MAX_EXPR_DEPTH + 1);
    // Through the plan: the key and the position are named.
    match ValidPlan::from_toml(&expression_plan(&deep)) {
        Err(CohortError::PlanValue { key, message }) => {
            assert_eq!(key, "subgroups[0].expr");
            assert!(message.contains("at character 65"), "{message}");
            assert!(
                message.len() < 400,
                "the error echoes an excerpt: {message}"
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn expression_nested_10000_deep_fails_the_cli_cleanly() {
    let dir = std::env::temp_dir().join(format!("dicohort-cohort-expr-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let plan = dir.join("plan.toml");
    let deep = format!("{}age > 1{}", "(".repeat(10_000), ")".repeat(10_000));
    std::fs::write(&plan, expression_plan(&deep)).unwrap();
    let o = Command::new(bin())
        .arg("analyze")
        .arg(&plan)
        .args(["--simulate-patients", "100", "--out"])
        .arg(dir.join("out"))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains("subgroups[0].expr") && err.contains("deeper than 64"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn and_chain_of_100000_terms_is_rejected_at_the_limit() {
    let chain = vec!["age > 1"; 100_000].join(" and ");
    let (message, position) = parse_error(&chain);
    assert!(
        message.contains(&format!("at most {MAX_EXPR_BYTES} bytes")),
        "{message}"
    );
    assert_eq!(position, MAX_EXPR_BYTES + 1);
    // Under the byte limit but over the token limit: stopped at the first token too many.
    let short = vec!["a"; 3000].join(" and ");
    assert!(short.len() < MAX_EXPR_BYTES);
    let (message, position) = parse_error(&short);
    assert!(
        message.contains(&format!("more than {MAX_EXPR_TOKENS} tokens")),
        "{message}"
    );
    assert_eq!(position, MAX_EXPR_TOKENS / 2 * 6 + 1);
}

#[test]
fn longest_accepted_chain_is_one_node_and_evaluates() {
    // 1,024 comparisons joined by `and`: 4,095 tokens.
    let terms = (MAX_EXPR_TOKENS + 1) / 4;
    let chain = vec!["age > 1"; terms].join(" and ");
    let e = parse(&chain).unwrap();
    assert!(matches!(&e, Expr::And(t) if t.len() == terms));
    assert_eq!(e.columns(), ["age"]);
    let n = 3000;
    let mut f = PatientFrame::new(n);
    let age: Vec<f64> = (0..n)
        .map(|i| {
            if i % 10 == 0 {
                f64::NAN
            } else {
                (i % 3) as f64
            }
        })
        .collect();
    f.insert("age", Column::Num(age.clone())).unwrap();
    let got = e.evaluate(&f).unwrap();
    for (g, a) in got.iter().zip(&age) {
        let want = if a.is_nan() { None } else { Some(*a > 1.0) };
        assert_eq!(*g, want);
    }
    // Kleene: one false term decides a chain with unknown terms.
    let e = parse("age > 1 and false and age > 1").unwrap();
    assert!(e.evaluate(&f).unwrap().iter().all(|v| *v == Some(false)));
}
