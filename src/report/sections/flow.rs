//! "Cohort flow": the primary design's flow diagram (validated patients, the design's
//! exclusions, the analysed arms) and the table of every step of every design.

use crate::plot::flow::{flow_figure, FlowBox, FlowDiagram};
use crate::report::counts::{count, WITHHELD};
use crate::report::document::{Block, Cell, Figure, Row, Section, Table};

use super::{Ctx, SectionResult};

/// "Cohort flow".
///
/// # Errors
/// [`ReportError::Plot`](crate::report::ReportError::Plot) when a figure cannot be drawn.
pub fn section(ctx: &Ctx) -> SectionResult {
    let flow = &ctx.dc.flow;
    let mut s = Section::new("flow", "Cohort flow");
    if !flow.chain.is_empty() {
        let (el, ul) = ctx.arm_labels();
        let d = FlowDiagram {
            title: "Cohort flow (primary design)".into(),
            steps: diagram_steps(flow.chain.iter().map(|&i| &flow.boxes[i])),
            first_label: "Patients in the cohort".into(),
            final_label: "Analysed".into(),
            arms: if flow.arms.len() == 2 {
                vec![(el, flow.arms[0]), (ul, flow.arms[1])]
            } else {
                Vec::new()
            },
            footnotes: vec![format!("{WITHHELD} withheld (disclosure control).")],
            withheld: WITHHELD.to_string(),
        };
        s.push(Block::Figure(Figure {
            id: "figure-flow".into(),
            caption: "Cohort flow of the primary design: the patients of the cohort, those kept by each step with the exclusions and their reasons, and the analysed groups.".into(),
            svg: flow_figure(&d)?,
        }));
    }
    let rows = flow
        .boxes
        .iter()
        .map(|b| {
            Row::new(vec![
                Cell::text(b.label.clone()),
                Cell::text(b.unit.clone()),
                Cell::Count(b.n_in),
                Cell::text({
                    let b = without_zero_reasons(b);
                    if b.excluded.is_empty() {
                        "none".to_string()
                    } else {
                        b.excluded
                            .iter()
                            .map(|(reason, n)| format!("{reason}: {}", count(*n)))
                            .collect::<Vec<_>>()
                            .join("; ")
                    }
                }),
                Cell::Count(b.n_out),
            ])
        })
        .collect();
    s.push(Block::Table(Table {
        id: "table-flow".into(),
        caption: "Every step of the cohort flow (all designs).".into(),
        header: vec![
            "Step".into(),
            "Unit".into(),
            "In".into(),
            "Excluded".into(),
            "Kept".into(),
        ],
        rows,
        notes: Vec::new(),
    }));
    Ok(Some(s))
}

/// A step without its exclusion reasons of count 0 (STROBE: a flow lists what happened;
/// `results/flow.csv` keeps every reason). A withheld count is kept: it is not known to be 0.
fn without_zero_reasons(b: &FlowBox) -> FlowBox {
    let mut b = b.clone();
    b.excluded.retain(|(_, n)| *n != Some(0));
    b
}

/// The steps the diagram draws: those that exclude someone (STROBE: a box per exclusion), each
/// without its reasons of count 0; when none excludes anybody, the last step alone.
fn diagram_steps<'a>(chain: impl Iterator<Item = &'a FlowBox>) -> Vec<FlowBox> {
    let all: Vec<FlowBox> = chain.map(without_zero_reasons).collect();
    let mut steps: Vec<FlowBox> = all
        .iter()
        .filter(|b| !b.excluded.is_empty())
        .cloned()
        .collect();
    if steps.is_empty() {
        steps.extend(all.last().cloned());
    }
    steps
}
