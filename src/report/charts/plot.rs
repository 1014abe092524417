//! Drawing inside a chart, in chart (data) coordinates: the axis and grid style every chart
//! shares, text, the grey "nothing here" note, dashed reference lines and outlined boxes.
//!
//! These keep the look consistent across charts: one tick and axis-description font, one grid
//! colour, one dash pattern for every threshold or reference line, one style for in-plot notes.

use super::{de, font, size, text_style, Ctx};
use crate::report::palette;
use plotters::chart::MeshStyle;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// The mesh configuration with the shared axis style (tick font, axis-description font, light
/// grey grid); the caller adds the labels, descriptions and which grid lines to show, then
/// calls `draw()`.
pub(crate) fn axis_mesh<'a, 'b, DB: DrawingBackend>(
    chart: &'b mut Ctx<'a, DB>,
) -> MeshStyle<'a, 'b, RangedCoordf64, RangedCoordf64, DB> {
    let mut mesh = chart.configure_mesh();
    mesh.label_style(font(size::TICK))
        .axis_desc_style(font(size::AXIS))
        .light_line_style(palette::LIGHT_GREY.mix(0.25))
        .bold_line_style(palette::LIGHT_GREY.mix(0.7));
    mesh
}

/// Draw `s` at `at` (chart coordinates) with the given anchor.
pub(crate) fn chart_text<DB: DrawingBackend>(
    chart: &mut Ctx<'_, DB>,
    s: impl Into<String>,
    at: (f64, f64),
    size: f64,
    colour: &RGBColor,
    h: HPos,
    v: VPos,
) -> Result<(), String> {
    let style = text_style(size, colour).pos(Pos::new(h, v));
    chart
        .draw_series(std::iter::once(Text::new(s.into(), at, style)))
        .map(|_| ())
        .map_err(de)
}

/// A grey message centred at `at` inside a plot that has nothing to show there ("no score",
/// "no heart-rate data"): the absence is stated, never left as an empty plot.
pub(crate) fn empty_note<DB: DrawingBackend>(
    chart: &mut Ctx<'_, DB>,
    msg: &str,
    at: (f64, f64),
) -> Result<(), String> {
    chart_text(
        chart,
        msg,
        at,
        size::PANEL,
        &palette::GREY,
        HPos::Center,
        VPos::Center,
    )
}

/// The thresholds with a finite value, as (value, name): what [`dashed_line`] marks.
pub(crate) fn finite_thresholds(thresholds: &[(f64, String)]) -> Vec<(f64, &str)> {
    thresholds
        .iter()
        .filter(|t| t.0.is_finite())
        .map(|t| (t.0, t.1.as_str()))
        .collect()
}

/// A thin dashed line from `a` to `b` (thresholds, band edges, reference values).
pub(crate) fn dashed_line<DB: DrawingBackend>(
    chart: &mut Ctx<'_, DB>,
    a: (f64, f64),
    b: (f64, f64),
    colour: RGBColor,
) -> Result<(), String> {
    chart
        .draw_series(DashedLineSeries::new([a, b], 6, 4, colour.stroke_width(1)))
        .map(|_| ())
        .map_err(de)
}

/// A box between two corners, filled then outlined (box plots, bars, segments).
pub(crate) fn outlined_box<DB: DrawingBackend>(
    chart: &mut Ctx<'_, DB>,
    corners: [(f64, f64); 2],
    fill: ShapeStyle,
    outline: ShapeStyle,
) -> Result<(), String> {
    chart
        .draw_series(std::iter::once(Rectangle::new(corners, fill)))
        .map_err(de)?;
    chart
        .draw_series(std::iter::once(Rectangle::new(corners, outline)))
        .map(|_| ())
        .map_err(de)
}

/// The outline of a bar that is counted or the default (thick black, as the legend's
/// [`Mark::Outlined`](super::Mark::Outlined)) or not (thin, in `plain`).
pub(crate) fn emphasis_outline(emphasised: bool, plain: RGBColor) -> ShapeStyle {
    if emphasised {
        palette::BLACK.stroke_width(3)
    } else {
        plain.stroke_width(1)
    }
}
