//! The report as a document tree: title, sections of paragraphs, tables and figures. Renderers
//! (`html`, `markdown`) turn it into files; nothing in it depends on time or the machine, so the
//! same document renders to the same bytes.

use serde::Serialize;

use super::counts::{count, count_percent, fraction};
use super::disclosure::DisclosureRule;
use super::ReportError;
use crate::plot::theme::fixed;

/// A table cell.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Cell {
    Text(String),
    /// An estimate with its interval or a p value ("0.85 (0.70–1.03)", "NNTB 20 (10 to 50)"),
    /// printed as given and never wrapped in HTML (class `e`, `white-space: nowrap`).
    Estimate(String),
    /// A count after disclosure control (`None` = withheld).
    Count(Option<u64>),
    /// "n (p%)": a count and the total its percentage refers to.
    CountPercent {
        n: Option<u64>,
        total: Option<u64>,
    },
    /// "n/d (p%)": e.g. deaths among patients with known status.
    Fraction {
        n: Option<u64>,
        d: Option<u64>,
    },
    /// A number with a fixed number of decimals (NaN prints "NA").
    Number {
        value: f64,
        decimals: usize,
    },
    Empty,
}

impl Cell {
    pub fn text(s: impl Into<String>) -> Self {
        Cell::Text(s.into())
    }
    /// An estimate cell (see [`Cell::Estimate`]).
    pub fn estimate(s: impl Into<String>) -> Self {
        Cell::Estimate(s.into())
    }
    pub fn number(value: f64, decimals: usize) -> Self {
        Cell::Number { value, decimals }
    }
    /// The cell as printed.
    pub fn render(&self) -> String {
        match self {
            Cell::Text(s) | Cell::Estimate(s) => s.clone(),
            Cell::Count(n) => count(*n),
            Cell::CountPercent { n, total } => count_percent(*n, *total),
            Cell::Fraction { n, d } => fraction(*n, *d),
            Cell::Number { value, decimals } => fixed(*value, *decimals),
            Cell::Empty => String::new(),
        }
    }
    /// Whether the cell is a count (rendered right-aligned, class `n`).
    pub fn is_numeric(&self) -> bool {
        !matches!(self, Cell::Text(_) | Cell::Estimate(_) | Cell::Empty)
    }
    /// Whether the cell is an estimate (never wrapped).
    pub fn is_estimate(&self) -> bool {
        matches!(self, Cell::Estimate(_))
    }
    /// The counts this cell publishes.
    pub fn counts(&self) -> Vec<u64> {
        match self {
            Cell::Count(Some(n)) => vec![*n],
            Cell::CountPercent { n, total } => n.iter().chain(total.iter()).copied().collect(),
            Cell::Fraction { n, d } => n.iter().chain(d.iter()).copied().collect(),
            _ => Vec::new(),
        }
    }
}

/// A table row; a `group` row is a sub-heading spanning the table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Row {
    pub cells: Vec<Cell>,
    pub group: bool,
}

impl Row {
    pub fn new(cells: Vec<Cell>) -> Self {
        Row {
            cells,
            group: false,
        }
    }
    pub fn group(label: impl Into<String>) -> Self {
        Row {
            cells: vec![Cell::Text(label.into())],
            group: true,
        }
    }
}

/// A table with a caption and notes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Table {
    /// Anchor and file-name stem (letters, digits, `-`).
    pub id: String,
    pub caption: String,
    pub header: Vec<String>,
    pub rows: Vec<Row>,
    pub notes: Vec<String>,
}

/// A figure: an SVG document and its caption.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Figure {
    /// Anchor and file-name stem (letters, digits, `-`).
    pub id: String,
    pub caption: String,
    pub svg: String,
}

/// A block of a section.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Block {
    Paragraph(String),
    List(Vec<String>),
    Table(Table),
    Figure(Figure),
    /// Preformatted text (e.g. the options as JSON).
    Code(String),
}

/// A section with a heading.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Section {
    pub id: String,
    pub heading: String,
    pub blocks: Vec<Block>,
}

impl Section {
    pub fn new(id: &str, heading: &str) -> Self {
        Section {
            id: id.to_string(),
            heading: heading.to_string(),
            blocks: Vec::new(),
        }
    }
    pub fn paragraph(mut self, p: impl Into<String>) -> Self {
        self.blocks.push(Block::Paragraph(p.into()));
        self
    }
    pub fn push(&mut self, b: Block) {
        self.blocks.push(b);
    }
}

/// The whole report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportDocument {
    pub title: String,
    pub subtitle: String,
    pub sections: Vec<Section>,
    /// The rule applied to every count; rendering refuses a document that breaks it.
    pub disclosure: DisclosureRule,
}

fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

impl ReportDocument {
    pub fn new(title: &str, disclosure: DisclosureRule) -> Self {
        ReportDocument {
            title: title.to_string(),
            subtitle: String::new(),
            sections: Vec::new(),
            disclosure,
        }
    }

    /// All figures, in order.
    pub fn figures(&self) -> Vec<&Figure> {
        self.sections
            .iter()
            .flat_map(|s| &s.blocks)
            .filter_map(|b| match b {
                Block::Figure(f) => Some(f),
                _ => None,
            })
            .collect()
    }

    /// Checks the document before rendering: ids are unique and file-safe, table rows have the
    /// header's width, and no table publishes a count the disclosure rule withholds.
    ///
    /// # Errors
    /// [`ReportError::Invalid`] naming the table and row (width) or the id (not file-safe, used
    /// twice); [`ReportError::Disclosure`] naming the table, row and count published below the
    /// threshold.
    pub fn check(&self) -> Result<(), ReportError> {
        let mut ids: Vec<&str> = Vec::new();
        for s in &self.sections {
            let mut own = vec![s.id.as_str()];
            for b in &s.blocks {
                match b {
                    Block::Table(t) => {
                        own.push(&t.id);
                        for (i, r) in t.rows.iter().enumerate() {
                            if !r.group && r.cells.len() != t.header.len() {
                                return Err(ReportError::Invalid(format!(
                                    "table `{}` row {}: {} cells for {} columns",
                                    t.id,
                                    i + 1,
                                    r.cells.len(),
                                    t.header.len()
                                )));
                            }
                            for c in &r.cells {
                                if let Some(n) = c
                                    .counts()
                                    .into_iter()
                                    .find(|n| self.disclosure.is_sensitive(*n))
                                {
                                    return Err(ReportError::Disclosure(format!(
                                        "table `{}` row {} publishes the count {n}, below the threshold {}",
                                        t.id,
                                        i + 1,
                                        self.disclosure.threshold
                                    )));
                                }
                            }
                        }
                    }
                    Block::Figure(f) => own.push(&f.id),
                    _ => {}
                }
            }
            for id in own {
                if !valid_id(id) {
                    return Err(ReportError::Invalid(format!(
                        "`{id}` is not a valid id (letters, digits, - and _)"
                    )));
                }
                if ids.contains(&id) {
                    return Err(ReportError::Invalid(format!("id `{id}` is used twice")));
                }
                ids.push(id);
            }
        }
        Ok(())
    }
}
