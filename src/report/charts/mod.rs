//! Chart implementations (one file per chart) and the drawing helpers they share.
//!
//! All charts use `f64 × f64` coordinates; categorical axes (motion levels, profiles,
//! recordings) are drawn at integer positions with their labels written explicitly, so labels
//! never depend on plotters' "nice number" tick selection.
//!
//! Shared helpers: text, legends, markers and axis ranges here; the canvas layout (profile
//! panels, legend column, note text) in `layout`; drawing in chart coordinates (axis style,
//! in-plot text and notes, dashed lines, outlined boxes) in `plot`.

pub mod cohort;
pub mod daily;
pub mod distribution;
pub(crate) mod layout;
pub(crate) mod plot;
pub mod policy;
pub mod scatter;
pub mod timeline;

use super::font::FAMILY;
use super::palette;
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{FontDesc, FontFamily, FontStyle};

/// The chart context every chart uses.
pub(crate) type Ctx<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// Plotters error → message.
pub(crate) fn de<T: std::fmt::Display>(e: T) -> String {
    e.to_string()
}

/// Font sizes (pixels) used throughout.
pub(crate) mod size {
    pub const TITLE: f64 = 26.0;
    pub const SUBTITLE: f64 = 16.0;
    pub const PANEL: f64 = 18.0;
    pub const AXIS: f64 = 16.0;
    pub const TICK: f64 = 14.0;
    pub const LEGEND: f64 = 14.0;
}

pub(crate) fn font(size: f64) -> FontDesc<'static> {
    FontDesc::new(FontFamily::Name(FAMILY), size, FontStyle::Normal)
}

pub(crate) fn text_style(size: f64, colour: &RGBColor) -> TextStyle<'static> {
    font(size).color(colour)
}

/// Width of `s` in pixels at `size` (falls back to an estimate if the font is unavailable).
pub(crate) fn text_width(s: &str, size: f64) -> i32 {
    font(size)
        .box_size(s)
        .map(|(w, _)| w as i32)
        .unwrap_or((s.chars().count() as f64 * size * 0.6) as i32)
}

/// Greedy word wrap to `max_w` pixels; a single word wider than `max_w` stays on its own line.
pub(crate) fn wrap_text(s: &str, size: f64, max_w: i32) -> Vec<String> {
    let mut lines = Vec::new();
    for para in s.split('\n') {
        let mut line = String::new();
        for word in para.split_whitespace() {
            let candidate = if line.is_empty() {
                word.to_string()
            } else {
                format!("{line} {word}")
            };
            if !line.is_empty() && text_width(&candidate, size) > max_w {
                lines.push(std::mem::take(&mut line));
                line = word.to_string();
            } else {
                line = candidate;
            }
        }
        lines.push(line);
    }
    lines
}

/// Draw `s` at pixel `pos` (relative to `area`) with the given anchor.
pub(crate) fn put_text<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    s: &str,
    pos: (i32, i32),
    size: f64,
    colour: &RGBColor,
    h: HPos,
    v: VPos,
) -> Result<(), String> {
    if s.is_empty() {
        return Ok(());
    }
    let style = text_style(size, colour).pos(Pos::new(h, v));
    area.draw(&Text::new(s.to_string(), pos, style)).map_err(de)
}

/// Draw the chart title (shrunk to fit the width) and an optional subtitle; returns the area
/// below them.
pub(crate) fn titled<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    subtitle: Option<&str>,
) -> Result<DrawingArea<DB, Shift>, String> {
    let (w, _) = root.dim_in_pixel();
    let w = w as i32;
    let mut ts = size::TITLE;
    while ts > 13.0 && text_width(title, ts) > w - 20 {
        ts -= 1.0;
    }
    let mut y = 10;
    put_text(
        root,
        title,
        (w / 2, y),
        ts,
        &palette::BLACK,
        HPos::Center,
        VPos::Top,
    )?;
    y += ts as i32 + 8;
    if let Some(sub) = subtitle.filter(|s| !s.is_empty()) {
        for line in wrap_text(sub, size::SUBTITLE, w - 40).into_iter().take(2) {
            put_text(
                root,
                &line,
                (w / 2, y),
                size::SUBTITLE,
                &palette::DARK_GREY,
                HPos::Center,
                VPos::Top,
            )?;
            y += size::SUBTITLE as i32 + 5;
        }
    }
    let (_, below) = root.split_vertically(y + 6);
    Ok(below)
}

/// Extra height the subtitle takes (at most 2 wrapped lines) on a canvas `width` wide.
pub(crate) fn subtitle_h(subtitle: Option<&str>, width: u32) -> u32 {
    match subtitle.filter(|s| !s.is_empty()) {
        None => 0,
        Some(s) => 2 + 21 * wrap_text(s, size::SUBTITLE, width as i32 - 40).len().min(2) as u32,
    }
}

/// A centred grey message, used for explicit "no data" panels.
pub(crate) fn no_data<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    msg: &str,
) -> Result<(), String> {
    let (w, h) = area.dim_in_pixel();
    put_text(
        area,
        msg,
        (w as i32 / 2, h as i32 / 2),
        size::PANEL,
        &palette::GREY,
        HPos::Center,
        VPos::Center,
    )
}

/// A legend symbol.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Mark {
    /// A solid line.
    Line(RGBColor),
    /// A dashed line.
    Dashed(RGBColor),
    /// A filled box (with alpha).
    Fill(RGBAColor),
    /// A filled box with a thick black outline.
    Outlined(RGBColor),
    /// A point marker.
    Marker(Shape, RGBColor),
    /// A hollow marker (flagged points).
    Hollow(Shape, RGBColor),
}

/// Point marker shapes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Shape {
    Circle,
    Triangle,
    Square,
    Diamond,
}

impl Shape {
    pub(crate) fn nth(i: usize) -> Shape {
        [
            Shape::Circle,
            Shape::Triangle,
            Shape::Square,
            Shape::Diamond,
        ][i % 4]
    }
}

fn shape_points(shape: Shape, r: i32) -> Vec<(i32, i32)> {
    match shape {
        Shape::Circle => (0..16)
            .map(|k| {
                let a = k as f64 / 16.0 * std::f64::consts::TAU;
                (
                    (r as f64 * a.cos()).round() as i32,
                    (r as f64 * a.sin()).round() as i32,
                )
            })
            .collect(),
        Shape::Triangle => vec![(0, -r - 1), (r + 1, r), (-r - 1, r)],
        Shape::Square => vec![(-r, -r), (r, -r), (r, r), (-r, r)],
        Shape::Diamond => vec![(0, -r - 1), (r + 1, 0), (0, r + 1), (-r - 1, 0)],
    }
}

/// Draw markers in chart coordinates.
pub(crate) fn draw_markers<DB: DrawingBackend>(
    chart: &mut Ctx<'_, DB>,
    pts: &[(f64, f64)],
    shape: Shape,
    r: i32,
    style: ShapeStyle,
) -> Result<(), String> {
    if pts.is_empty() {
        return Ok(());
    }
    match shape {
        Shape::Circle => chart
            .draw_series(pts.iter().map(|&p| Circle::new(p, r, style)))
            .map(|_| ())
            .map_err(de),
        _ => {
            let poly = shape_points(shape, r);
            if style.filled {
                chart
                    .draw_series(
                        pts.iter()
                            .map(|&p| EmptyElement::at(p) + Polygon::new(poly.clone(), style)),
                    )
                    .map(|_| ())
                    .map_err(de)
            } else {
                let mut closed = poly.clone();
                closed.push(poly[0]);
                chart
                    .draw_series(
                        pts.iter().map(|&p| {
                            EmptyElement::at(p) + PathElement::new(closed.clone(), style)
                        }),
                    )
                    .map(|_| ())
                    .map_err(de)
            }
        }
    }
}

fn draw_mark_px<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    mark: Mark,
    x: i32,
    y: i32,
) -> Result<(), String> {
    match mark {
        Mark::Line(c) => area
            .draw(&PathElement::new(
                vec![(x, y), (x + 24, y)],
                c.stroke_width(3),
            ))
            .map_err(de),
        Mark::Dashed(c) => {
            for k in 0..3 {
                area.draw(&PathElement::new(
                    vec![(x + k * 9, y), (x + k * 9 + 5, y)],
                    c.stroke_width(2),
                ))
                .map_err(de)?;
            }
            Ok(())
        }
        Mark::Fill(c) => mark_box(area, x, y, c.filled(), palette::GREY.stroke_width(1)),
        Mark::Outlined(c) => mark_box(area, x, y, c.filled(), palette::BLACK.stroke_width(3)),
        Mark::Marker(shape, c) => draw_shape_px(area, shape, (x + 12, y), 5, c.filled()),
        Mark::Hollow(shape, c) => draw_shape_px(area, shape, (x + 12, y), 6, c.stroke_width(2)),
    }
}

/// The legend's box symbol (24 × 14 px, left edge at `x`, centred on `y`): filled, then outlined.
fn mark_box<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    x: i32,
    y: i32,
    fill: ShapeStyle,
    outline: ShapeStyle,
) -> Result<(), String> {
    let corners = [(x, y - 7), (x + 24, y + 7)];
    area.draw(&Rectangle::new(corners, fill)).map_err(de)?;
    area.draw(&Rectangle::new(corners, outline)).map_err(de)
}

pub(crate) fn draw_shape_px<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    shape: Shape,
    at: (i32, i32),
    r: i32,
    style: ShapeStyle,
) -> Result<(), String> {
    if shape == Shape::Circle {
        return area.draw(&Circle::new(at, r, style)).map_err(de);
    }
    let pts: Vec<(i32, i32)> = shape_points(shape, r)
        .into_iter()
        .map(|(dx, dy)| (at.0 + dx, at.1 + dy))
        .collect();
    if style.filled {
        area.draw(&Polygon::new(pts, style)).map_err(de)
    } else {
        let mut closed = pts.clone();
        closed.push(pts[0]);
        area.draw(&PathElement::new(closed, style)).map_err(de)
    }
}

/// Draw a vertical legend starting at pixel (x, y) of `area`; labels wrap to the area's width.
/// Returns the y below the last entry.
pub(crate) fn draw_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    x: i32,
    mut y: i32,
    entries: &[(Mark, String)],
) -> Result<i32, String> {
    let (w, _) = area.dim_in_pixel();
    let max_w = (w as i32 - x - 34).max(40);
    let line_h = (size::LEGEND * 1.35) as i32;
    for (mark, label) in entries {
        let lines = wrap_text(label, size::LEGEND, max_w);
        draw_mark_px(area, *mark, x, y + line_h / 2)?;
        for (k, line) in lines.iter().enumerate() {
            put_text(
                area,
                line,
                (x + 32, y + line_h / 2 + k as i32 * line_h),
                size::LEGEND,
                &palette::BLACK,
                HPos::Left,
                VPos::Center,
            )?;
        }
        y += line_h * lines.len().max(1) as i32 + 4;
    }
    Ok(y)
}

/// Draw a horizontal legend (entries side by side, wrapping to new rows) inside `area` starting
/// at (x, y). Returns the y below the last row.
pub(crate) fn draw_legend_row<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    x0: i32,
    y0: i32,
    entries: &[(Mark, String)],
) -> Result<i32, String> {
    let (w, _) = area.dim_in_pixel();
    let line_h = (size::LEGEND * 1.35) as i32;
    let (mut x, mut y) = (x0, y0);
    for (mark, label) in entries {
        let item_w = 32 + text_width(label, size::LEGEND) + 18;
        if x > x0 && x + item_w > w as i32 - 5 {
            x = x0;
            y += line_h + 4;
        }
        draw_mark_px(area, *mark, x, y + line_h / 2)?;
        put_text(
            area,
            label,
            (x + 32, y + line_h / 2),
            size::LEGEND,
            &palette::BLACK,
            HPos::Left,
            VPos::Center,
        )?;
        x += item_w;
    }
    Ok(y + line_h + 4)
}

/// A finite, non-degenerate axis range covering `lo..hi`, padded by `pad` of its width.
pub(crate) fn nice_range(lo: f64, hi: f64, pad: f64) -> (f64, f64) {
    let (lo, hi) = if lo.is_finite() && hi.is_finite() && lo <= hi {
        (lo, hi)
    } else {
        (0.0, 1.0)
    };
    let width = hi - lo;
    if width < 1e-9 {
        let d = if lo.abs() > 1e-9 { lo.abs() * 0.1 } else { 1.0 };
        return (lo - d, hi + d);
    }
    (lo - width * pad, hi + width * pad)
}

/// Min and max of finite values (None if there is none).
pub(crate) fn finite_extent(values: impl IntoIterator<Item = f64>) -> Option<(f64, f64)> {
    values
        .into_iter()
        .filter(|v| v.is_finite())
        .fold(None, |acc, v| match acc {
            None => Some((v, v)),
            Some((lo, hi)) => Some((lo.min(v), hi.max(v))),
        })
}

/// Finite points sorted by x (copy only when needed).
pub(crate) fn clean_points(points: &[(f64, f64)]) -> Vec<(f64, f64)> {
    let mut v: Vec<(f64, f64)> = points
        .iter()
        .copied()
        .filter(|(x, y)| x.is_finite() && y.is_finite())
        .collect();
    if !v.windows(2).all(|w| w[0].0 <= w[1].0) {
        v.sort_by(|a, b| a.0.total_cmp(&b.0));
    }
    v
}

/// Split sorted points into runs wherever the time step exceeds `max_gap`.
pub(crate) fn split_runs(points: &[(f64, f64)], max_gap: f64) -> Vec<&[(f64, f64)]> {
    let mut runs = Vec::new();
    let mut start = 0;
    for i in 1..points.len() {
        if points[i].0 - points[i - 1].0 > max_gap {
            runs.push(&points[start..i]);
            start = i;
        }
    }
    if start < points.len() {
        runs.push(&points[start..]);
    }
    runs
}

/// Median of the positive time steps of sorted points (None if fewer than 2 points).
pub(crate) fn median_step(points: &[(f64, f64)]) -> Option<f64> {
    let mut d: Vec<f64> = points
        .windows(2)
        .map(|w| w[1].0 - w[0].0)
        .filter(|d| *d > 0.0)
        .collect();
    if d.is_empty() {
        return None;
    }
    let mid = d.len() / 2;
    let (_, m, _) = d.select_nth_unstable_by(mid, |a, b| a.total_cmp(b));
    Some(*m)
}

/// Reduce a sorted run to at most ~4 points per bin (first, min, max, last in time order) over
/// `bins` equal-width x bins. Spikes survive; the line looks the same at the drawn resolution.
pub(crate) fn decimate(run: &[(f64, f64)], bins: usize) -> Vec<(f64, f64)> {
    if run.len() <= bins * 4 || bins == 0 {
        return run.to_vec();
    }
    let (x0, x1) = (run[0].0, run[run.len() - 1].0);
    let width = (x1 - x0).max(f64::MIN_POSITIVE);
    let mut out = Vec::with_capacity(bins * 4);
    let mut i = 0;
    while i < run.len() {
        let b = (((run[i].0 - x0) / width) * bins as f64)
            .floor()
            .min(bins as f64 - 1.0);
        let mut j = i;
        let (mut imin, mut imax) = (i, i);
        while j < run.len()
            && (((run[j].0 - x0) / width) * bins as f64)
                .floor()
                .min(bins as f64 - 1.0)
                == b
        {
            if run[j].1 < run[imin].1 {
                imin = j;
            }
            if run[j].1 > run[imax].1 {
                imax = j;
            }
            j += 1;
        }
        let mut idx = [i, imin, imax, j - 1];
        idx.sort_unstable();
        let mut last = usize::MAX;
        for k in idx {
            if k != last {
                out.push(run[k]);
                last = k;
            }
        }
        i = j;
    }
    out
}

/// Quartiles by linear interpolation between order statistics (Hyndman & Fan type 7, the
/// default of R and NumPy). `sorted` must be sorted and non-empty.
pub(crate) fn quantile_sorted(sorted: &[f64], q: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * q.clamp(0.0, 1.0);
    let lo = h.floor() as usize;
    let hi = h.ceil() as usize;
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

/// Axis tick label: at most 3 decimals, trailing zeros dropped (`100`, `2.5`, `0.125`).
pub(crate) fn fmt_tick(v: f64) -> String {
    if !v.is_finite() {
        return String::new();
    }
    let s = format!("{:.3}", v);
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".into()
    } else {
        s.to_string()
    }
}

/// "3.2 h" / "45 min" style duration label.
pub(crate) fn fmt_hours(h: f64) -> String {
    if !h.is_finite() {
        "n/a".into()
    } else if h.abs() < 1.0 && h != 0.0 {
        format!("{:.0} min", h * 60.0)
    } else {
        format!("{h:.1} h")
    }
}

/// Deterministic jitter in [-1, 1] for index `i` (no RNG, same picture every run).
pub(crate) fn jitter(i: usize) -> f64 {
    let x = (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 11;
    (x as f64 / (1u64 << 53) as f64) * 2.0 - 1.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_are_never_degenerate() {
        assert_eq!(nice_range(f64::NAN, 1.0, 0.0), (0.0, 1.0));
        let (a, b) = nice_range(5.0, 5.0, 0.1);
        assert!(a < 5.0 && b > 5.0);
        let (a, b) = nice_range(0.0, 0.0, 0.1);
        assert!(a < 0.0 && b > 0.0);
        assert_eq!(nice_range(0.0, 10.0, 0.1), (-1.0, 11.0));
    }

    #[test]
    fn runs_split_at_gaps() {
        let p = [(0.0, 1.0), (1.0, 1.0), (2.0, 1.0), (10.0, 1.0), (11.0, 1.0)];
        let r = split_runs(&p, 3.0);
        assert_eq!(r.len(), 2);
        assert_eq!(r[0].len(), 3);
        assert_eq!(median_step(&p), Some(1.0));
        assert!(split_runs(&[], 1.0).is_empty());
    }

    #[test]
    fn decimation_keeps_extremes_and_ends() {
        let run: Vec<(f64, f64)> = (0..10_000)
            .map(|i| (i as f64, if i == 5_003 { 99.0 } else { (i % 7) as f64 }))
            .collect();
        let d = decimate(&run, 100);
        assert!(d.len() <= 400);
        assert_eq!(d[0], run[0]);
        assert_eq!(*d.last().unwrap(), run[9_999]);
        assert!(d.iter().any(|p| p.1 == 99.0));
        assert!(d.windows(2).all(|w| w[0].0 < w[1].0));
    }

    #[test]
    fn type7_quantiles() {
        let s = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(quantile_sorted(&s, 0.5), 2.5);
        assert_eq!(quantile_sorted(&s, 0.25), 1.75);
        assert_eq!(quantile_sorted(&[7.0], 0.75), 7.0);
    }

    #[test]
    fn tick_labels_are_short() {
        assert_eq!(fmt_tick(100.0), "100");
        assert_eq!(fmt_tick(2.5), "2.5");
        assert_eq!(fmt_tick(-0.0001), "0");
        assert_eq!(fmt_tick(0.125), "0.125");
        assert_eq!(fmt_tick(f64::NAN), "");
    }

    #[test]
    fn jitter_in_range() {
        assert!((0..1000).map(jitter).all(|j| (-1.0..=1.0).contains(&j)));
    }
}
