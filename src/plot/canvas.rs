//! A thin drawing layer over plotters' SVG backend: floating-point coordinates rounded once, in one
//! place, and named layers (`<g class="...">`) so a figure's parts can be found in the SVG (the
//! risk-table alignment test reads them) and edited by hand in a vector editor.

use plotters::element::{Circle, PathElement, Polygon, Rectangle, Text};
use plotters::prelude::{DrawingArea, IntoDrawingArea, SVGBackend};
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{Color, FontTransform, RGBAColor, RGBColor, ShapeStyle};

use super::font::{ensure_registered, font_desc, text_width, FONT_FAMILY};
use super::PlotError;

/// Rounds a coordinate to the backend's integer pixel grid (half away from zero).
pub fn px(v: f64) -> i32 {
    v.round() as i32
}

/// Horizontal text anchor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Anchor {
    Start,
    Middle,
    End,
}

/// Vertical text anchor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Baseline {
    Top,
    Center,
    Bottom,
}

/// How to set a piece of text.
#[derive(Debug, Clone, Copy)]
pub struct TextSpec {
    pub size: f64,
    pub bold: bool,
    pub anchor: Anchor,
    pub baseline: Baseline,
    pub color: RGBColor,
    /// Rotated 270 degrees (reads bottom to top), for y-axis titles.
    pub vertical: bool,
}

impl TextSpec {
    pub fn new(size: f64) -> Self {
        TextSpec {
            size,
            bold: false,
            anchor: Anchor::Start,
            baseline: Baseline::Center,
            color: RGBColor(0, 0, 0),
            vertical: false,
        }
    }
    pub fn bold(mut self) -> Self {
        self.bold = true;
        self
    }
    pub fn anchor(mut self, a: Anchor) -> Self {
        self.anchor = a;
        self
    }
    pub fn baseline(mut self, b: Baseline) -> Self {
        self.baseline = b;
        self
    }
    pub fn color(mut self, c: RGBColor) -> Self {
        self.color = c;
        self
    }
    pub fn vertical(mut self) -> Self {
        self.vertical = true;
        self
    }
    /// Width of `text` in this style, in pixels.
    pub fn width(&self, text: &str) -> Result<f64, PlotError> {
        text_width(text, self.size, self.bold)
    }
}

/// Drawing operations of one layer.
pub struct Pen<'a> {
    area: DrawingArea<SVGBackend<'a>, plotters::coord::Shift>,
}

fn draw_err<E: std::fmt::Debug>(e: E) -> PlotError {
    PlotError::Draw(format!("{e:?}"))
}

impl Pen<'_> {
    /// A straight line.
    pub fn line(
        &self,
        a: (f64, f64),
        b: (f64, f64),
        color: RGBColor,
        width: u32,
    ) -> Result<(), PlotError> {
        self.polyline(&[a, b], color, width)
    }

    /// A polyline (not closed).
    pub fn polyline(
        &self,
        pts: &[(f64, f64)],
        color: RGBColor,
        width: u32,
    ) -> Result<(), PlotError> {
        if pts.len() < 2 {
            return Ok(());
        }
        let v: Vec<(i32, i32)> = pts.iter().map(|&(x, y)| (px(x), px(y))).collect();
        self.area
            .draw(&PathElement::new(v, color.stroke_width(width)))
            .map_err(draw_err)
    }

    /// A dashed polyline: `dash` pixels on, `gap` pixels off, measured along the path.
    pub fn dashed(
        &self,
        pts: &[(f64, f64)],
        color: RGBColor,
        width: u32,
        dash: f64,
        gap: f64,
    ) -> Result<(), PlotError> {
        let mut on = true;
        let mut left = dash;
        let mut current: Vec<(f64, f64)> = Vec::new();
        for w in pts.windows(2) {
            let (mut x0, mut y0) = w[0];
            let (x1, y1) = w[1];
            let mut seg = ((x1 - x0).powi(2) + (y1 - y0).powi(2)).sqrt();
            if on && current.is_empty() {
                current.push((x0, y0));
            }
            while seg > left {
                let f = left / seg;
                let (xm, ym) = (x0 + (x1 - x0) * f, y0 + (y1 - y0) * f);
                if on {
                    current.push((xm, ym));
                    self.polyline(&current, color, width)?;
                    current.clear();
                } else {
                    current.push((xm, ym));
                }
                seg -= left;
                x0 = xm;
                y0 = ym;
                on = !on;
                left = if on { dash } else { gap };
            }
            left -= seg;
            if on {
                current.push((x1, y1));
            } else {
                current.clear();
            }
        }
        if on {
            self.polyline(&current, color, width)?;
        }
        Ok(())
    }

    /// A filled polygon; `opacity` in [0, 1].
    pub fn polygon(
        &self,
        pts: &[(f64, f64)],
        color: RGBColor,
        opacity: f64,
    ) -> Result<(), PlotError> {
        if pts.len() < 3 {
            return Ok(());
        }
        let v: Vec<(i32, i32)> = pts.iter().map(|&(x, y)| (px(x), px(y))).collect();
        let c: RGBAColor = color.mix(opacity);
        self.area
            .draw(&Polygon::new(v, c.filled()))
            .map_err(draw_err)
    }

    /// A rectangle outline (1 px) or a filled rectangle.
    pub fn rect(
        &self,
        a: (f64, f64),
        b: (f64, f64),
        color: RGBColor,
        filled: bool,
    ) -> Result<(), PlotError> {
        let style: ShapeStyle = if filled {
            color.filled()
        } else {
            color.stroke_width(1)
        };
        self.area
            .draw(&Rectangle::new(
                [(px(a.0), px(a.1)), (px(b.0), px(b.1))],
                style,
            ))
            .map_err(draw_err)
    }

    /// A rectangle outline of any stroke width, drawn as a closed polyline.
    pub fn frame(
        &self,
        a: (f64, f64),
        b: (f64, f64),
        color: RGBColor,
        width: u32,
    ) -> Result<(), PlotError> {
        self.polyline(&[a, (b.0, a.1), b, (a.0, b.1), a], color, width)
    }

    /// A circle.
    pub fn circle(
        &self,
        c: (f64, f64),
        r: f64,
        color: RGBColor,
        filled: bool,
    ) -> Result<(), PlotError> {
        let style: ShapeStyle = if filled {
            color.filled()
        } else {
            color.stroke_width(1)
        };
        let r = r.round().max(1.0) as u32;
        self.area
            .draw(&Circle::new((px(c.0), px(c.1)), r, style))
            .map_err(draw_err)
    }

    /// A figure's title, bold in the title size, its top left at `at`; nothing when empty.
    pub fn title(&self, title: &str, at: (f64, f64)) -> Result<(), PlotError> {
        if title.is_empty() {
            return Ok(());
        }
        let spec = TextSpec::new(super::theme::TITLE)
            .bold()
            .baseline(Baseline::Top);
        self.text(title, at, &spec)
    }

    /// Footnotes, small and dark grey, one per line 17 px apart, the first with its top at
    /// `(x, y)`.
    pub fn footnotes(&self, notes: &[String], (x, y): (f64, f64)) -> Result<(), PlotError> {
        let spec = TextSpec::new(super::theme::SMALL)
            .color(super::theme::DARK)
            .baseline(Baseline::Top);
        for (i, f) in notes.iter().enumerate() {
            self.text(f, (x, y + i as f64 * 17.0), &spec)?;
        }
        Ok(())
    }

    /// A piece of text.
    pub fn text(&self, s: &str, at: (f64, f64), spec: &TextSpec) -> Result<(), PlotError> {
        if s.is_empty() {
            return Ok(());
        }
        let h = match spec.anchor {
            Anchor::Start => HPos::Left,
            Anchor::Middle => HPos::Center,
            Anchor::End => HPos::Right,
        };
        let v = match spec.baseline {
            Baseline::Top => VPos::Top,
            Baseline::Center => VPos::Center,
            Baseline::Bottom => VPos::Bottom,
        };
        let mut font = font_desc(spec.size, spec.bold);
        if spec.vertical {
            font = font.transform(FontTransform::Rotate270);
        }
        let style = font.color(&spec.color).pos(Pos::new(h, v));
        self.area
            .draw(&Text::new(s.to_string(), (px(at.0), px(at.1)), style))
            .map_err(draw_err)
    }
}

/// A figure being drawn: a fixed-size canvas and its layers, in drawing order.
pub struct Canvas {
    width: u32,
    height: u32,
    title: String,
    layers: Vec<(String, String)>,
}

impl Canvas {
    /// A white canvas of `width` x `height` pixels; `title` becomes the SVG `<title>`.
    pub fn new(width: f64, height: f64, title: &str) -> Result<Self, PlotError> {
        ensure_registered()?;
        Ok(Canvas {
            width: width.ceil().max(1.0) as u32,
            height: height.ceil().max(1.0) as u32,
            title: title.to_string(),
            layers: Vec::new(),
        })
    }

    pub fn width(&self) -> f64 {
        self.width as f64
    }

    pub fn height(&self) -> f64 {
        self.height as f64
    }

    /// Draws one layer; it becomes `<g class="{class}">` in the SVG.
    pub fn layer<F>(&mut self, class: &str, draw: F) -> Result<(), PlotError>
    where
        F: FnOnce(&Pen) -> Result<(), PlotError>,
    {
        let mut buf = String::new();
        {
            let area =
                SVGBackend::with_string(&mut buf, (self.width, self.height)).into_drawing_area();
            let pen = Pen { area };
            draw(&pen)?;
            pen.area.present().map_err(draw_err)?;
        }
        // plotters writes `<svg ...>\n` first and `</svg>\n` last; keep what is between.
        let body = buf
            .split_once('\n')
            .map(|(_, rest)| rest)
            .unwrap_or("")
            .trim_end()
            .strip_suffix("</svg>")
            .unwrap_or("")
            .to_string();
        self.layers.push((class.to_string(), body));
        Ok(())
    }

    /// The finished SVG document.
    pub fn finish(self) -> String {
        let mut s = String::new();
        s.push_str(&format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" font-family=\"{f}\" role=\"img\">\n",
            w = self.width,
            h = self.height,
            f = FONT_FAMILY
        ));
        s.push_str("<title>");
        s.push_str(&escape_xml(&self.title));
        s.push_str("</title>\n");
        s.push_str(&format!(
            "<rect x=\"0\" y=\"0\" width=\"{}\" height=\"{}\" fill=\"#FFFFFF\"/>\n",
            self.width, self.height
        ));
        for (class, body) in &self.layers {
            s.push_str(&format!("<g class=\"{}\">\n", escape_xml(class)));
            s.push_str(body);
            if !body.is_empty() && !body.ends_with('\n') {
                s.push('\n');
            }
            s.push_str("</g>\n");
        }
        s.push_str("</svg>\n");
        s
    }
}

/// Escapes text for XML/HTML content and attribute values.
pub fn escape_xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            other => out.push(other),
        }
    }
    out
}
