//! `stats::frame::design_matrix` is the cohort layer's covariate matrix: on the patient columns of
//! the simulated registry (numbers, flags, text levels, missing cells) it gives exactly what
//! `cohort::analysis::covariate_matrix` gives today, so the cohort can switch to it with no
//! change in output.

use dicohort::cohort::analysis::covariate_matrix;
use dicohort::cohort::frame::{Column, PatientFrame};
use dicohort::simulate::default_registry;
use dicohort::stats::frame::{design_matrix, DummyNames, Term, Values};

fn same_bits(a: &[f64], b: &[f64]) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|(x, y)| x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan()))
}

#[test]
fn design_matrix_is_the_cohort_covariate_matrix() {
    let cohort = default_registry();
    let frame = PatientFrame::from_patients(&cohort.patients);
    let covs: Vec<String> = frame.names().to_vec();
    let (names, x) = covariate_matrix(&frame, &covs).unwrap();
    let terms: Vec<Term> = covs
        .iter()
        .map(|c| match frame.column(c).unwrap() {
            Column::Num(v) => Term::auto(c, Values::Numbers(v)),
            Column::Cat(v) => Term::factor(c, Values::Text(v)),
        })
        .collect();
    let d = design_matrix(&terms, DummyNames::Equals).unwrap();
    assert_eq!(d.names, names);
    assert!(
        names.iter().any(|n| n.contains('=')),
        "a text column is coded: {names:?}"
    );
    for (j, (a, b)) in d.columns.iter().zip(&x).enumerate() {
        assert!(same_bits(a, b), "column {}", names[j]);
    }
}
