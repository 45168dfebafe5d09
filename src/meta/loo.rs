//! Leave-one-out sensitivity analysis, as metafor `leave1out()`.

use serde::Serialize;

use super::effect::Measure;
use super::TwoByTwo;
use super::{meta_analysis, MetaError, MetaOptions, Method, Pooled};

/// The pooled result without one study.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LeaveOneOut {
    /// 0-based index of the omitted study in the input tables.
    pub omitted: usize,
    /// `None` when nothing is left to pool (metafor reports NA).
    pub pooled: Option<Pooled>,
}

/// Refits the model once without each study. For the inverse-variance and random-effects
/// methods the studies are those kept by the zero-cell rule (`leave1out.rma.uni`); for MH and
/// Peto every table (`leave1out.rma.mh`, `leave1out.rma.peto`).
///
/// # Errors
/// Errors of the model fit for bad tables (a leave-one-out fit that cannot pool is `None`).
pub fn leave_one_out(
    tables: &[TwoByTwo],
    measure: Measure,
    options: MetaOptions,
) -> Result<Vec<LeaveOneOut>, MetaError> {
    let full = meta_analysis(tables, measure, options)?;
    let omit: Vec<usize> = match options.method {
        Method::MH | Method::Peto => (0..tables.len()).collect(),
        _ => full.effects.study.clone(),
    };
    Ok(omit
        .into_iter()
        .map(|i| {
            let rest: Vec<TwoByTwo> = tables
                .iter()
                .enumerate()
                .filter(|&(j, _)| j != i)
                .map(|(_, t)| *t)
                .collect();
            LeaveOneOut {
                omitted: i,
                pooled: meta_analysis(&rest, measure, options)
                    .ok()
                    .map(|m| m.pooled),
            }
        })
        .collect())
}
