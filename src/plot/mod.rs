//! Publication figures drawn with plotters' SVG backend and an embedded font (Liberation Sans),
//! from plain input structs so any layer above can fill them. Every figure is a pure function
//! from its input to an SVG string: the same input gives the same bytes (integer pixel
//! coordinates, fixed number formatting, no timestamps or random ids).
//!
//! Counts printed in a figure (numbers at risk, events/totals, flow counts) arrive as
//! `Option<u64>`: `None` is a count withheld by disclosure control and is drawn as the mark the
//! caller passes with the figure (`withheld`; the report's is `report::counts::WITHHELD`).
//! Suppression itself is decided in `report::disclosure`.

pub mod axis;
pub mod canvas;
pub mod cif;
pub mod distribution;
pub mod flow;
pub mod font;
pub mod forest;
pub mod km;
pub mod love;
pub mod meta_forest;
pub mod overlap;
pub mod theme;

/// Errors while drawing a figure.
#[derive(Debug, thiserror::Error)]
pub enum PlotError {
    #[error("font error: {0}")]
    Font(String),
    #[error("drawing error: {0}")]
    Draw(String),
    #[error("invalid figure input: {0}")]
    InvalidInput(String),
}
