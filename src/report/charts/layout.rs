//! Canvas layout shared by the charts, in pixels: how a chart's body (what [`titled`] leaves
//! below the title) is split into plot areas and legend areas, and the small grey note text.
//!
//! Two layouts recur:
//! * **Profile panels** (charts (b) and (c)): one equal-width panel per profile side by side,
//!   each headed by the profile name in its colour, and one legend row along the bottom. The
//!   helpers here keep the two charts' panels the same size and at the same place, so that they
//!   read alike next to each other in the report.
//! * **Side legend** (charts (a), (e) and cohort): the plot on the left, a fixed-width legend
//!   column on the right.
//!
//! [`titled`]: super::titled

use super::{draw_legend, draw_legend_row, put_text, size, subtitle_h, Mark};
use crate::report::palette;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

/// Canvas size of a profile-panel chart: `n` panels of `panel_w` pixels (at least one, so that
/// the "no data" message has room), plus the subtitle's height.
pub(crate) fn panels_size(
    n: usize,
    panel_w: u32,
    height: u32,
    subtitle: Option<&str>,
) -> (u32, u32) {
    let w = n.max(1) as u32 * panel_w + 20;
    (w, height + subtitle_h(subtitle, w))
}

/// Height of the legend strip under the panels of a profile-panel chart.
const BOTTOM_LEGEND_H: u32 = 40;

/// Split a profile-panel chart's body into `n` equal panels side by side (10 px margin left
/// and right) and the legend strip along the bottom.
pub(crate) fn profile_panels<DB: DrawingBackend>(
    body: &DrawingArea<DB, Shift>,
    n: usize,
) -> (Vec<DrawingArea<DB, Shift>>, DrawingArea<DB, Shift>) {
    let (_, h) = body.dim_in_pixel();
    let (panels, legend) = body.split_vertically(h - BOTTOM_LEGEND_H);
    let panels = panels.margin(0, 0, 10, 10);
    (panels.split_evenly((1, n)), legend)
}

/// Write the profile name, centred in its colour, at the top of a panel; returns the area
/// below the first `header_h` pixels (the header may hold more lines, drawn by the caller).
pub(crate) fn panel_header<DB: DrawingBackend>(
    panel: &DrawingArea<DB, Shift>,
    profile: &str,
    colour: &RGBColor,
    header_h: i32,
) -> Result<DrawingArea<DB, Shift>, String> {
    let (w, _) = panel.dim_in_pixel();
    put_text(
        panel,
        profile,
        (w as i32 / 2, 4),
        size::PANEL + 2.0,
        colour,
        HPos::Center,
        VPos::Top,
    )?;
    let (_, plot) = panel.split_vertically(header_h);
    Ok(plot)
}

/// The chart in a profile panel: the same margins and y label width in every panel chart;
/// `x_label_h` is the room under the x axis (tick labels, axis description, category labels).
pub(crate) fn panel_chart<'a, DB: DrawingBackend>(
    plot: &'a DrawingArea<DB, Shift>,
    x_label_h: u32,
    x: (f64, f64),
    y: (f64, f64),
) -> Result<super::Ctx<'a, DB>, String> {
    ChartBuilder::on(plot)
        .margin_right(12)
        .margin_top(6)
        .x_label_area_size(x_label_h)
        .y_label_area_size(62)
        .build_cartesian_2d(x.0..x.1, y.0..y.1)
        .map_err(super::de)
}

/// Draw the legend row in the strip under the panels (entries wrap to more rows if needed).
pub(crate) fn bottom_legend<DB: DrawingBackend>(
    strip: &DrawingArea<DB, Shift>,
    entries: &[(Mark, String)],
) -> Result<(), String> {
    draw_legend_row(strip, 80, 6, entries).map(|_| ())
}

/// Split `body` into the plot (left) and a legend column `legend_w` pixels wide (right).
pub(crate) fn with_side_legend<DB: DrawingBackend>(
    body: &DrawingArea<DB, Shift>,
    legend_w: u32,
) -> (DrawingArea<DB, Shift>, DrawingArea<DB, Shift>) {
    let (w, _) = body.dim_in_pixel();
    body.split_horizontally(w - legend_w)
}

/// Draw a legend column: a heading (e.g. "Legend", "12 recordings") and the entries below it.
pub(crate) fn side_legend<DB: DrawingBackend>(
    column: &DrawingArea<DB, Shift>,
    heading: &str,
    entries: &[(Mark, String)],
) -> Result<(), String> {
    put_text(
        column,
        heading,
        (6, 14),
        size::AXIS,
        &palette::BLACK,
        HPos::Left,
        VPos::Top,
    )?;
    draw_legend(column, 6, 40, entries).map(|_| ())
}
/// Secondary text (small, dark grey, hanging from `pos`): counts under a category, a card's
/// caption, the ends of a bar's scale.
pub(crate) fn note<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    s: &str,
    pos: (i32, i32),
    h: HPos,
) -> Result<(), String> {
    put_text(area, s, pos, size::TICK, &palette::DARK_GREY, h, VPos::Top)
}
