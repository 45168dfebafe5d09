//! The canonical cohort: the typed in-memory tables every other layer works on, the
//! machine-readable column specifications read from `data-schema/*.schema.json`, and the cohort
//! flow record (every exclusion counted by reason).

pub mod cells;
pub mod compact;
pub mod flow;
pub mod names;
pub mod tables;

pub use cells::{CellTable, Cells};
pub use compact::{CompactDays, Encoded};
pub use flow::{CohortFlow, FlowStep};
pub use tables::{Cohort, DayTable, PatientTable, Sex, TreatmentTable, UnitConversion};
