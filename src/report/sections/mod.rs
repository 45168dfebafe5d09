//! One file per section of the analysis report. A section is a function from [`Ctx`] (the
//! result and the report's [`DisclosedCounts`]) to an optional [`Section`]: it reads counts
//! already decided, lays out tables and figures and writes captions; it takes no disclosure
//! decision of its own.
//!
//! Adding a section: a new file here with `pub fn section(ctx: &Ctx) -> SectionResult`, and
//! one line in [`SECTIONS`] (the report's order). Its counts: read them from
//! [`DisclosedCounts`]; a count not there yet is added to `super::disclosed` (with the relations
//! linking it to the counts already printed).

use crate::cohort::analysis::{
    AnalysisResult, DesignResult, HrEstimate, HrMethod, PopulationResult,
};
use crate::cohort::landmark::Design;
use crate::plot::forest::ratio_text;
use crate::plot::theme::p_value;

use super::counts::WITHHELD;
use super::disclosed::{DisclosedCounts, MainCounts, Shown};
use super::disclosure::DisclosureRule;
use super::document::{Cell, Section};
use super::ReportError;

pub mod absolute;
pub mod balance;
pub mod descriptive;
pub mod diagnostics;
pub mod disclosure;
pub mod flow;
pub mod hazard_ratios;
pub mod methods;
pub mod mortality;
pub mod outcomes;
pub mod subgroups;
pub mod summary;
pub mod survival;
pub mod table1;
pub mod versions;

/// What a section builder returns: the section, or `None` when it has nothing to show.
pub type SectionResult = Result<Option<Section>, ReportError>;

/// The sections of the analysis report, in order.
pub const SECTIONS: &[fn(&Ctx) -> SectionResult] = &[
    summary::section,
    methods::section,
    flow::section,
    table1::section,
    outcomes::section,
    subgroups::section,
    absolute::section,
    balance::section,
    diagnostics::section,
    descriptive::section,
    disclosure::section,
    versions::section,
];

/// What every section reads.
pub struct Ctx<'a> {
    pub r: &'a AnalysisResult,
    pub dc: &'a DisclosedCounts,
}

impl Ctx<'_> {
    /// How the report names column `name` (the plan's `[labels]`, else the default).
    pub fn label(&self, name: &str) -> String {
        crate::cohort::labels::label(&self.r.plan.labels, name)
    }

    pub fn rule(&self) -> &DisclosureRule {
        &self.dc.rule
    }

    /// The primary design, if any.
    pub fn primary(&self) -> Option<&DesignResult> {
        self.r.designs.iter().find(|d| d.primary)
    }

    /// The design the figures describe (the primary one, else the first) and its counts.
    pub fn main(&self) -> Option<(&DesignResult, &MainCounts)> {
        self.dc
            .main
            .as_ref()
            .map(|m| (&self.r.designs[m.design], m))
    }

    /// Labels of the exposed and unexposed groups, e.g. "Anticoagulant", "No anticoagulant".
    pub fn arm_labels(&self) -> (String, String) {
        (
            capitalise(&self.r.exposure.name),
            format!("No {}", self.r.exposure.name),
        )
    }

    /// The label of a curve's group (`exposed`, `unexposed`).
    pub fn group_label(&self, group: &str) -> String {
        let (e, u) = self.arm_labels();
        match group {
            "exposed" => e,
            "unexposed" => u,
            other => other.to_string(),
        }
    }

    /// The time axis of a design's figures.
    pub fn time_label(&self, design: Design) -> String {
        match design {
            Design::Landmark => format!(
                "Days since the landmark (end of day {})",
                self.r.exposure.window[1]
            ),
            _ => "Days since ICU admission".to_string(),
        }
    }

    /// The main design's populations in the report's order, with what of each may be shown:
    /// all patients, then every level of every subgroup ("name: level").
    pub fn main_populations(&self) -> Vec<(String, &PopulationResult, Shown)> {
        let Some((d, m)) = self.main() else {
            return Vec::new();
        };
        let mut out = vec![("All patients".to_string(), &d.overall, m.estimates)];
        for (sg, levels) in d.subgroups.iter().zip(&m.subgroups.levels) {
            for (l, lc) in sg.levels.iter().zip(levels) {
                out.push((format!("{}: {}", sg.name, l.population), l, lc.estimates));
            }
        }
        out
    }

    /// The disclosure threshold as printed in notes ("fewer than N").
    pub fn threshold(&self) -> u64 {
        self.rule().threshold.max(1)
    }
}

pub fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

/// The note under a table that may withhold counts and the estimates computed from them.
pub fn withheld_note(ctx: &Ctx) -> String {
    format!(
        "{WITHHELD} withheld (disclosure control): a count from 1 to {}, a count withheld so that \
         such a count cannot be recovered from the others, or an estimate computed from a \
         withheld count (which would give it back).",
        ctx.threshold().saturating_sub(1).max(1)
    )
}

/// "HR (lower-upper)", "NA", or [`WITHHELD`] when `shown` is false.
pub fn hr_cell_shown(h: Option<&HrEstimate>, shown: bool) -> Cell {
    match h {
        Some(h) if h.hr.is_finite() && !shown => Cell::estimate(WITHHELD),
        _ => hr_cell(h),
    }
}

/// "HR (lower-upper)" or "NA".
pub fn hr_cell(h: Option<&HrEstimate>) -> Cell {
    match h {
        Some(h) if h.hr.is_finite() => Cell::estimate(ratio_text(h.hr, h.lower, h.upper)),
        _ => Cell::estimate("NA"),
    }
}

/// A p-value cell ("0.012", "< 0.001", "NA").
pub fn p_cell(p: f64) -> Cell {
    Cell::estimate(p_text(p))
}

/// A p-value as printed in a table ("0.012", "< 0.001", "NA").
pub fn p_text(p: f64) -> String {
    p_value(p).trim_start_matches("= ").to_string()
}

/// The preferred adjusted hazard ratio of a population: IPTW, else covariate-adjusted, else
/// unadjusted.
pub fn preferred_hr(p: &PopulationResult) -> Option<&HrEstimate> {
    [
        HrMethod::Iptw,
        HrMethod::CovariateAdjusted,
        HrMethod::Unadjusted,
    ]
    .iter()
    .find_map(|m| {
        p.hazard_ratios
            .iter()
            .find(|h| h.method == *m && h.hr.is_finite())
    })
}

/// A design's name in the tables, with its role.
pub fn design_name(d: &DesignResult) -> String {
    let mut s = capitalise(&d.label);
    if d.primary {
        s.push_str(" [primary]");
    }
    if d.biased && !d.label.contains("BIASED") {
        s.push_str(" [BIASED: immortal time, for comparison only]");
    }
    s
}
