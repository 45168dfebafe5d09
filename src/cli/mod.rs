//! One file per subcommand: clap `Args` plus `run(Args) -> anyhow::Result<()>`.
//! Shared helpers for reading data files live in `common`.

pub mod analyze;
pub mod common;
pub mod cox;
pub mod finegray;
pub mod import;
pub mod isolate;
pub mod km;
pub mod logrank;
pub mod mapping;
pub mod meta;
pub mod progress;
pub mod report;
pub mod rr;
pub mod score;
pub mod simulate;
pub mod validate;
