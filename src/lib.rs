//! dicohort: retrospective cohort studies of sepsis-associated DIC and anticoagulant therapy.
//!
//! Layers follow the flow of data; a lower layer never imports a higher one
//! (see `ARCHITECTURE.md`):
//!
//! `schema` -> `load` / `simulate` -> `score` -> `cohort` -> `stats` / `meta` -> `plot` -> `report`
//!
//! `stats` and `meta` work on plain columns (`&[f64]`, small structs): `stats` imports nothing above
//! `schema`, `meta` only `stats` (2x2 tables) and `load` (trial files); `cohort` turns scored
//! canonical tables into those columns.

pub mod cohort;
pub mod format;
pub mod load;
pub mod meta;
pub mod output;
pub mod plot;
pub mod report;
pub mod schema;
pub mod score;
pub mod simulate;
pub mod stats;
