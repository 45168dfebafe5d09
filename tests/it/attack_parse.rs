//! The attacker's reader: the published report as text only (`report.md` and the SVG figures),
//! parsed into tables, paragraphs, SVG texts and polylines. Nothing here (or in the other
//! `attack_*` modules) uses the code that decides the suppression: the attacker sees what a
//! reader of the shared report sees.

/// A Markdown table: its caption (the bold line above it), header and rows of cell texts.
#[derive(Debug, Clone, Default)]
pub struct MdTable {
    pub caption: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// The Markdown report: its tables and its paragraphs.
#[derive(Debug, Clone, Default)]
pub struct Md {
    pub tables: Vec<MdTable>,
    pub paragraphs: Vec<String>,
}

impl Md {
    /// The first table whose caption starts with `prefix`.
    pub fn table(&self, prefix: &str) -> Option<&MdTable> {
        self.tables.iter().find(|t| t.caption.starts_with(prefix))
    }
}

fn split_row(line: &str) -> Vec<String> {
    let inner = line.trim().trim_start_matches('|').trim_end_matches('|');
    inner.split(" | ").map(|c| c.trim().to_string()).collect()
}

/// Parses `report.md`.
pub fn parse_md(text: &str) -> Md {
    let mut md = Md::default();
    let lines: Vec<&str> = text.lines().collect();
    let mut i = 0;
    let mut caption = String::new();
    while i < lines.len() {
        let l = lines[i];
        if l.starts_with('|') {
            let mut t = MdTable {
                caption: std::mem::take(&mut caption),
                header: split_row(l),
                rows: Vec::new(),
            };
            i += 2; // header and separator
            while i < lines.len() && lines[i].starts_with('|') {
                t.rows.push(split_row(lines[i]));
                i += 1;
            }
            md.tables.push(t);
            continue;
        }
        if l.starts_with("**") && l.ends_with("**") {
            caption = l.trim_matches('*').to_string();
        } else if !l.is_empty() && !l.starts_with('#') && !l.starts_with('!') && !l.starts_with('*')
        {
            md.paragraphs.push(l.to_string());
        }
        i += 1;
    }
    md
}

/// A published count as printed: a number or the withheld mark.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Printed {
    Known(u64),
    Withheld,
}

/// A printed decimal number and its number of decimals.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Dec {
    pub value: f64,
    pub decimals: u32,
}

impl Dec {
    /// The interval of true values that print as this number.
    pub fn interval(&self) -> (f64, f64) {
        let h = 0.5 * 10f64.powi(-(self.decimals as i32)) + 1e-9;
        (self.value - h, self.value + h)
    }
    pub fn contains(&self, x: f64) -> bool {
        let (lo, hi) = self.interval();
        x >= lo && x <= hi
    }
}

/// Every number and withheld mark of a cell, in order (e.g. "148/566 (26.1)", "*/314",
/// "1.61 (0.35–7.39)", "8.4 (-21.5 to 38.3)").
pub fn tokens(s: &str) -> Vec<Tok> {
    let mut out = Vec::new();
    let cs: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < cs.len() {
        let c = cs[i];
        if c == '*' {
            out.push(Tok::Withheld);
            i += 1;
        } else if c.is_ascii_digit() || (c == '-' && i + 1 < cs.len() && cs[i + 1].is_ascii_digit())
        {
            let start = i;
            i += 1;
            while i < cs.len() && (cs[i].is_ascii_digit() || cs[i] == '.') {
                i += 1;
            }
            let t: String = cs[start..i].iter().collect();
            let decimals = t.split('.').nth(1).map_or(0, |d| d.len() as u32);
            if let Ok(v) = t.parse::<f64>() {
                out.push(Tok::Num(Dec { value: v, decimals }));
            }
        } else {
            i += 1;
        }
    }
    out
}

/// A token of a cell.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Tok {
    Num(Dec),
    Withheld,
}

impl Tok {
    /// As a count (an integer without decimals), or withheld.
    pub fn count(&self) -> Option<Printed> {
        match self {
            Tok::Withheld => Some(Printed::Withheld),
            Tok::Num(d) if d.decimals == 0 && d.value >= 0.0 => {
                Some(Printed::Known(d.value as u64))
            }
            _ => None,
        }
    }
}

/// A count cell "n", "n (p)" or "*": the count and its percentage.
pub fn count_cell(s: &str) -> Option<(Printed, Option<Dec>)> {
    let t = tokens(s);
    let first = t.first()?.count()?;
    let pct = match t.get(1) {
        Some(Tok::Num(d)) if t.len() == 2 => Some(*d),
        _ => None,
    };
    if t.len() > 2 {
        return None;
    }
    Some((first, pct))
}

/// A fraction cell "n/d (p)", "*/d", "n/*": numerator and denominator.
pub fn fraction_cell(s: &str) -> Option<(Printed, Printed)> {
    if !s.contains('/') {
        return None;
    }
    let t = tokens(s);
    Some((t.first()?.count()?, t.get(1)?.count()?))
}

/// An estimate cell "1.61 (0.35–7.39)" or "8.4 (-21.5 to 38.3)": estimate, lower, upper.
pub fn estimate_cell(s: &str) -> Option<[Dec; 3]> {
    let t = tokens(s);
    match t.as_slice() {
        [Tok::Num(a), Tok::Num(b), Tok::Num(c)] if s.contains('(') => Some([*a, *b, *c]),
        _ => None,
    }
}

/// A text element of an SVG figure.
#[derive(Debug, Clone)]
pub struct SvgText {
    /// The `class` of the enclosing group (e.g. "risk-table", "panel-2 curves").
    pub group: String,
    pub x: f64,
    pub y: f64,
    pub fill: String,
    pub text: String,
}

/// A polyline of an SVG figure.
#[derive(Debug, Clone)]
pub struct SvgLine {
    pub group: String,
    pub stroke: String,
    pub width: f64,
    pub points: Vec<(f64, f64)>,
}

/// The texts and polylines of one figure.
#[derive(Debug, Clone, Default)]
pub struct Svg {
    pub texts: Vec<SvgText>,
    pub lines: Vec<SvgLine>,
}

fn attr(tag: &str, name: &str) -> Option<String> {
    let key = format!(" {name}=\"");
    let i = tag.find(&key)? + key.len();
    let j = tag[i..].find('"')? + i;
    Some(tag[i..j].to_string())
}

/// Parses an SVG written by dicohort's plot layer.
pub fn parse_svg(s: &str) -> Svg {
    let mut svg = Svg::default();
    let mut group = String::new();
    let mut rest = s;
    while let Some(i) = rest.find('<') {
        rest = &rest[i..];
        let Some(j) = rest.find('>') else { break };
        let tag = &rest[..=j];
        if tag.starts_with("<g ") {
            group = attr(tag, "class").unwrap_or_default();
        } else if tag.starts_with("</g") {
            group.clear();
        } else if tag.starts_with("<text") {
            let body_end = rest[j + 1..]
                .find("</text>")
                .map_or(rest.len(), |k| k + j + 1);
            let text = rest[j + 1..body_end].trim().to_string();
            svg.texts.push(SvgText {
                group: group.clone(),
                x: attr(tag, "x")
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(f64::NAN),
                y: attr(tag, "y")
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(f64::NAN),
                fill: attr(tag, "fill").unwrap_or_default(),
                text: text
                    .replace("&amp;", "&")
                    .replace("&lt;", "<")
                    .replace("&gt;", ">"),
            });
        } else if tag.starts_with("<polyline") {
            let points = attr(tag, "points")
                .unwrap_or_default()
                .split_whitespace()
                .filter_map(|p| {
                    let (x, y) = p.split_once(',')?;
                    Some((x.parse().ok()?, y.parse().ok()?))
                })
                .collect();
            svg.lines.push(SvgLine {
                group: group.clone(),
                stroke: attr(tag, "stroke").unwrap_or_default(),
                width: attr(tag, "stroke-width")
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(0.0),
                points,
            });
        }
        rest = &rest[j + 1..];
    }
    svg
}

#[test]
fn parses_cells() {
    assert_eq!(
        fraction_cell("148/566 (26.1)"),
        Some((Printed::Known(148), Printed::Known(566)))
    );
    assert_eq!(
        fraction_cell("*/314"),
        Some((Printed::Withheld, Printed::Known(314)))
    );
    let (n, p) = count_cell("12 (25.0)").unwrap();
    assert_eq!(n, Printed::Known(12));
    assert!(p.unwrap().contains(25.04) && !p.unwrap().contains(25.06));
    let e = estimate_cell("8.4 (-21.5 to 38.3)").unwrap();
    assert_eq!(e[1].value, -21.5);
    let e = estimate_cell("1.61 (0.35–7.39)").unwrap();
    assert_eq!((e[0].value, e[2].decimals), (1.61, 2));
    assert_eq!(count_cell("*"), Some((Printed::Withheld, None)));
}
