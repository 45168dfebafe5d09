//! Table 3: hazard ratios of death, exposed vs unexposed, by design and method, with the
//! patients and deaths of each model and its E-value.

use crate::cohort::landmark::Design;
use crate::plot::theme::fixed;
use crate::report::counts::WITHHELD;
use crate::report::document::{Cell, Row, Table};

use super::{design_name, hr_cell_shown, p_text, withheld_note, Ctx};

/// The table (read by [`super::outcomes`]).
pub fn table(ctx: &Ctx) -> Table {
    let r = ctx.r;
    let variances = variances(ctx);
    let one_variance = variances.len() == 1;
    let mut rows = Vec::new();
    for ((d, counts), shown) in r
        .designs
        .iter()
        .zip(&ctx.dc.hazard)
        .zip(&ctx.dc.estimates.hazard)
    {
        rows.push(Row::group(if d.design == Design::TimeVarying {
            format!(
                "{} (N: (start, stop] intervals, not patients)",
                design_name(d)
            )
        } else {
            design_name(d)
        }));
        for ((h, [n, deaths]), &ok) in d.overall.hazard_ratios.iter().zip(counts).zip(shown) {
            let text = |s: String| Cell::estimate(if ok { s } else { WITHHELD.to_string() });
            rows.push(Row::new(vec![
                Cell::text(format!(
                    "    {}",
                    if one_variance { &h.estimator } else { &h.label }
                )),
                hr_cell_shown(Some(h), ok),
                text(p_text(h.p)),
                Cell::Count(*n),
                Cell::Count(*deaths),
                text(format!(
                    "{} ({})",
                    fixed(h.e_value.point, 2),
                    fixed(h.e_value.ci, 2)
                )),
            ]));
        }
        for n in &d.overall.notes {
            let mut cells = vec![Cell::text(format!("    note: {n}"))];
            cells.extend(std::iter::repeat_n(Cell::Empty, 5));
            rows.push(Row::new(cells));
        }
    }
    Table {
        id: "table-hazard-ratios".into(),
        caption: format!(
            "Table 3. Hazard ratios of death within {} days, exposed vs unexposed, by design and method.",
            r.plan.outcome.horizon
        ),
        header: vec![
            "Design and method".into(),
            "HR (95% CI)".into(),
            "p".into(),
            "N".into(),
            "Deaths".into(),
            "E-value (CI limit)".into(),
        ],
        rows,
        notes: [
            withheld_note(ctx),
            if one_variance {
                format!("Variance, in every row: {}.", variances[0])
            } else {
                "Each row names its variance.".to_string()
            },
        ]
        .into_iter()
        .chain(["N: patients in the model; for the time-varying design, (start, stop] intervals of the counting process (a patient who starts the exposure contributes one before and one after).".into(), "E-value: the minimum strength of association (risk-ratio scale) an unmeasured confounder would need with both exposure and outcome to explain away the estimate (VanderWeele and Ding 2017); in brackets, for the confidence limit closer to 1.".into()])
        .collect(),
    }
}

/// The distinct variances of the hazard ratios of Table 3, in order of first appearance.
pub fn variances(ctx: &Ctx) -> Vec<String> {
    let mut v: Vec<String> = Vec::new();
    for d in &ctx.r.designs {
        for h in &d.overall.hazard_ratios {
            if !v.contains(&h.variance) {
                v.push(h.variance.clone());
            }
        }
    }
    v
}
