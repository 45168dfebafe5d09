//! Cumulative incidence curves for competing risks (Aalen-Johansen estimates, as R
//! `survival::survfit` with a multi-state event or `cmprsk::cuminc`): one curve per
//! (group, cause), coloured by group, solid for the event of interest and dashed for competing
//! events, with an optional number-at-risk table aligned like the Kaplan-Meier figure's.

use super::km::{km_figure, CurveKind, KmCurve, KmPlot, RiskTable};
use super::PlotError;

/// One cumulative incidence curve: `cif[i]` holds from `time[i]` on.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CifCurve {
    /// Group label, e.g. "Anticoagulant".
    pub group: String,
    /// Cause label, e.g. "Death" or "Discharge alive".
    pub cause: String,
    pub time: Vec<f64>,
    pub cif: Vec<f64>,
    pub lower: Vec<f64>,
    pub upper: Vec<f64>,
    /// `true` for a competing event (drawn dashed).
    pub competing: bool,
}

/// A cumulative incidence figure.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CifPlot {
    pub title: String,
    pub curves: Vec<CifCurve>,
    pub risk_table: Option<RiskTable>,
    pub x_label: String,
    pub x_max: Option<f64>,
    /// Upper end of the y axis (cumulative incidence), e.g. 0.5; default 1.
    pub y_max: Option<f64>,
    pub show_ci: bool,
    pub annotations: Vec<String>,
    pub footnotes: Vec<String>,
}

/// Draws a cumulative incidence figure as SVG.
pub fn cif_figure(plot: &CifPlot) -> Result<String, PlotError> {
    let mut groups: Vec<&str> = Vec::new();
    for c in &plot.curves {
        if !groups.contains(&c.group.as_str()) {
            groups.push(&c.group);
        }
    }
    let curves = plot
        .curves
        .iter()
        .map(|c| KmCurve {
            label: format!("{}: {}", c.group, c.cause),
            time: c.time.clone(),
            surv: c.cif.clone(),
            lower: c.lower.clone(),
            upper: c.upper.clone(),
            censor_times: Vec::new(),
            dashed: c.competing,
            color: groups.iter().position(|g| *g == c.group),
        })
        .collect();
    let km = KmPlot {
        title: plot.title.clone(),
        kind: CurveKind::Incidence,
        curves,
        risk_table: plot.risk_table.clone(),
        x_label: if plot.x_label.is_empty() {
            "Days".to_string()
        } else {
            plot.x_label.clone()
        },
        y_label: "Cumulative incidence".to_string(),
        x_max: plot.x_max,
        y_range: (0.0, plot.y_max.unwrap_or(1.0)),
        show_ci: plot.show_ci,
        annotations: plot.annotations.clone(),
        footnotes: plot.footnotes.clone(),
    };
    km_figure(&km)
}
