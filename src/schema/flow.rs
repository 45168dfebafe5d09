//! The cohort flow: a CONSORT-style record of how many rows/patients entered each step and how
//! many were excluded, by reason. Loaders, validation and the analysis layer append to it; the
//! report draws it. Nothing is dropped without a line here.

use serde::{Deserialize, Serialize};

/// One step of the flow: `n_in` units entered, `excluded` lists (reason, count), `n_out` remain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlowStep {
    /// What the step does, e.g. "read and checked: days.csv" or "landmark at day 3".
    pub label: String,
    /// The unit counted: "patients", "patient-days" or "treatments".
    pub unit: String,
    pub n_in: u64,
    pub excluded: Vec<(String, u64)>,
    pub n_out: u64,
    /// Which part of the pipeline made the step, for readers that pick steps out (the report's
    /// flow diagram): [`VALIDATION`], a design's short name (`landmark`, `time-varying`, `naive
    /// ever-treated`), or empty.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub stage: String,
}

/// The [`FlowStep::stage`] of the validation of the three canonical tables.
pub const VALIDATION: &str = "validation";

/// The ordered list of steps from the raw files to the analysed cohort.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CohortFlow {
    pub steps: Vec<FlowStep>,
}

impl CohortFlow {
    /// Appends a step; `n_out` is derived as `n_in` minus the exclusions (saturating).
    pub fn push(&mut self, label: &str, unit: &str, n_in: u64, excluded: Vec<(String, u64)>) {
        self.push_staged("", label, unit, n_in, excluded);
    }

    /// [`CohortFlow::push`] with the step's [`FlowStep::stage`].
    pub fn push_staged(
        &mut self,
        stage: &str,
        label: &str,
        unit: &str,
        n_in: u64,
        excluded: Vec<(String, u64)>,
    ) {
        let removed: u64 = excluded.iter().map(|(_, n)| n).sum();
        self.steps.push(FlowStep {
            label: label.to_string(),
            unit: unit.to_string(),
            n_in,
            excluded,
            n_out: n_in.saturating_sub(removed),
            stage: stage.to_string(),
        });
    }
}
