//! Epidemiology and survival statistics on plain columns (`&[f64]`, small structs), with parity
//! to R `survival` (and `epitools`/`metafor` for 2x2 measures). Nothing here imports a layer above
//! `schema`.

pub mod bootstrap;
pub mod competing;
pub mod cox;
pub mod dist;
pub mod finegray;
pub mod frame;
pub mod horizon;
pub mod km;
pub mod linalg;
pub mod logistic;
pub mod logrank;
pub mod mice;
pub mod modifier;
pub mod multiplicity;
pub mod rcs;
pub mod rubin;
pub mod standardise;
mod survtime;
pub mod twobytwo;
pub mod zph;

/// Errors of the statistics layer.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum StatsError {
    #[error("invalid input: {0}")]
    InvalidInput(String),
    #[error("did not converge after {iterations} iterations: {detail}")]
    NonConvergence { iterations: usize, detail: String },
    #[error("separation: {0}")]
    Separation(String),
    #[error("singular information matrix: {0}")]
    Singular(String),
}
