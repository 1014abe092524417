//! Chart (a): the day timeline.
//!
//! Stacked panels sharing one x axis: labelled segments (if any), heart rate, motion, and one
//! panel per score series. Motion levels `light` and `active` are shaded behind every panel.
//!
//! * Time: every `t` is seconds since the recording start. With [`Timeline::start`] the x axis
//!   shows local clock time (`HH:MM` in the start's UTC offset; `+1d` after midnight), otherwise
//!   minutes (recordings up to 3 h) or hours since start.
//! * HR and motion lines break where the time step exceeds max(10 × the median step, 10 s)
//!   (*assumed* display rule) and are decimated for drawing to first/min/max/last per pixel
//!   column, so spikes survive on 24-h recordings.
//! * Scores: a point is drawn at the centre of its window (`t + window_s / 2`); consecutive
//!   scored windows (step ≤ 1.5 windows) are joined by a line; a `None` value is a gap, drawn as
//!   a grey block under the zero line and never interpolated; flagged values get a hollow
//!   black triangle.

use super::layout::with_side_legend;
use super::plot::{
    axis_mesh, chart_text, dashed_line, empty_note, finite_thresholds, outlined_box,
};
use super::{
    clean_points, de, decimate, draw_legend, draw_markers, finite_extent, font, median_step,
    nice_range, no_data, size, split_runs, text_width, titled, Ctx, Mark, Shape,
};
use crate::report::{palette, Chart};
use chrono::{DateTime, FixedOffset, Timelike};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};
use serde::{Deserialize, Serialize};

/// Motion level of an epoch (thresholds are the motion module's; see `stress-profiles.md` §6.0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MotionLevel {
    /// Still (not shaded).
    Still,
    /// Light motion (light yellow shading).
    Light,
    /// Active (orange shading).
    Active,
}

/// A shaded motion interval, seconds since start.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MotionShade {
    /// Start, s since recording start.
    pub start_s: f64,
    /// End, s since recording start.
    pub end_s: f64,
    /// Level.
    pub level: MotionLevel,
}

/// A labelled segment (event, ground-truth phase, diary entry).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Segment {
    /// Start, s since recording start.
    pub start_s: f64,
    /// End, s since recording start.
    pub end_s: f64,
    /// Label shown in the block and in the legend.
    pub label: String,
}

/// One score series (one profile) on the timeline.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ScoreSeries {
    /// Series name, e.g. `"watch-like (suppress)"`; the colour follows the profile name
    /// ([`palette::profile_colour`]).
    pub name: String,
    /// Axis label, e.g. `"score (0–100)"` or `"percentile (0–100)"`.
    pub y_label: String,
    /// Window length in s; `t` in `points` is the window start.
    pub window_s: f64,
    /// (window start in s since recording start, score or `None` = no score / gap).
    pub points: Vec<(f64, Option<f64>)>,
    /// Motion flag per point (parallel to `points`; missing entries count as `false`).
    pub flagged: Vec<bool>,
    /// Band edges drawn as dashed lines (e.g. `[25, 50, 75]`).
    pub band_edges: Vec<f64>,
}

/// Input of chart (a). Build it with [`Timeline::new`] and fill the public fields.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Timeline {
    /// Chart title.
    pub title: String,
    /// Optional subtitle (recording id, profile settings…).
    pub subtitle: Option<String>,
    /// Absolute start with UTC offset; when given, the x axis shows local clock time.
    pub start: Option<DateTime<FixedOffset>>,
    /// (t in s since start, heart rate in bpm).
    pub hr: Vec<(f64, f64)>,
    /// (t in s since start, motion intensity in the unit of `motion_label`).
    pub motion: Vec<(f64, f64)>,
    /// Motion axis label with unit, e.g. `"ENMO (mg)"`.
    pub motion_label: String,
    /// True when `motion` is the HR-based activity proxy (labelled as such on the chart).
    pub motion_is_proxy: bool,
    /// Thresholds drawn on the motion panel, e.g. `[(30.0, "light"), (100.0, "active")]`.
    pub motion_thresholds: Vec<(f64, String)>,
    /// Motion level intervals shaded behind every panel.
    pub motion_shading: Vec<MotionShade>,
    /// Score series, one panel each.
    pub scores: Vec<ScoreSeries>,
    /// Labelled segments (a strip at the top).
    pub segments: Vec<Segment>,
}

impl Timeline {
    /// An empty timeline with a title and the default motion label `"ENMO (mg)"`.
    pub fn new(title: impl Into<String>) -> Self {
        Timeline {
            title: title.into(),
            motion_label: "ENMO (mg)".into(),
            ..Default::default()
        }
    }

    fn time_extent(&self) -> Option<(f64, f64)> {
        let ts = self
            .hr
            .iter()
            .map(|p| p.0)
            .chain(self.motion.iter().map(|p| p.0))
            .chain(
                self.motion_shading
                    .iter()
                    .flat_map(|s| [s.start_s, s.end_s]),
            )
            .chain(self.segments.iter().flat_map(|s| [s.start_s, s.end_s]))
            .chain(self.scores.iter().flat_map(|s| {
                let w = if s.window_s.is_finite() {
                    s.window_s.max(0.0)
                } else {
                    0.0
                };
                s.points.iter().flat_map(move |p| [p.0, p.0 + w])
            }));
        finite_extent(ts)
    }

    fn segment_lanes(&self) -> (Vec<usize>, usize) {
        // Greedy interval colouring: segments sorted by start, first lane whose end is free.
        let mut order: Vec<usize> = (0..self.segments.len()).collect();
        order.sort_by(|&a, &b| {
            self.segments[a]
                .start_s
                .total_cmp(&self.segments[b].start_s)
        });
        let mut lane_end: Vec<f64> = Vec::new();
        let mut lanes = vec![0; self.segments.len()];
        for i in order {
            let s = &self.segments[i];
            match lane_end.iter().position(|&e| e <= s.start_s) {
                Some(k) => {
                    lanes[i] = k;
                    lane_end[k] = s.end_s;
                }
                None => {
                    lanes[i] = lane_end.len();
                    lane_end.push(s.end_s);
                }
            }
        }
        let n = lane_end.len().max(1);
        (lanes, n)
    }

    fn unique_segment_labels(&self) -> Vec<&str> {
        let mut v: Vec<&str> = Vec::new();
        for s in &self.segments {
            if !v.contains(&s.label.as_str()) {
                v.push(&s.label);
            }
        }
        v
    }

    fn row_heights(&self) -> Vec<(Row, u32)> {
        let mut rows = Vec::new();
        if !self.segments.is_empty() {
            let (_, lanes) = self.segment_lanes();
            let legend_h = 22 * self.unique_segment_labels().len() as u32 + 30;
            rows.push((
                Row::Segments,
                (40 + 26 * lanes as u32).max(legend_h).min(260),
            ));
        }
        rows.push((Row::Hr, 200));
        rows.push((Row::Motion, 200));
        for i in 0..self.scores.len() {
            rows.push((Row::Score(i), 185));
        }
        if let Some(last) = rows.last_mut() {
            last.1 += BOTTOM_AXIS_H;
        }
        rows
    }
}

const WIDTH: u32 = 1600;
const LEGEND_W: u32 = 260;
const Y_LABEL_W: u32 = 80;
const BOTTOM_AXIS_H: u32 = 55;

#[derive(Clone, Copy, Debug, PartialEq)]
enum Row {
    Segments,
    Hr,
    Motion,
    Score(usize),
}

/// Maps seconds since start to the x coordinate and formats tick labels.
struct XAxis {
    offset: f64,
    scale: f64,
    clock: bool,
    with_seconds: bool,
    lo: f64,
    hi: f64,
    desc: String,
}

impl XAxis {
    fn new(start: Option<&DateTime<FixedOffset>>, t0: f64, t1: f64) -> Self {
        let span = t1 - t0;
        match start {
            Some(st) => {
                let sec = st.num_seconds_from_midnight() as f64 + st.nanosecond() as f64 / 1e9;
                let offset = sec / 3600.0;
                let scale = 1.0 / 3600.0;
                XAxis {
                    offset,
                    scale,
                    clock: true,
                    with_seconds: span < 1800.0,
                    lo: offset + t0 * scale,
                    hi: offset + t1 * scale,
                    desc: format!(
                        "local time, UTC{} (recording start {})",
                        st.offset(),
                        st.format("%Y-%m-%d %H:%M")
                    ),
                }
            }
            None => {
                let (scale, unit) = if span <= 3.0 * 3600.0 {
                    (1.0 / 60.0, "min")
                } else {
                    (1.0 / 3600.0, "h")
                };
                XAxis {
                    offset: 0.0,
                    scale,
                    clock: false,
                    with_seconds: false,
                    lo: t0 * scale,
                    hi: t1 * scale,
                    desc: format!("time since recording start ({unit})"),
                }
            }
        }
    }

    fn x(&self, t: f64) -> f64 {
        self.offset + t * self.scale
    }

    fn fmt(&self, x: f64) -> String {
        if !self.clock {
            return format!("{}", (x * 1000.0).round() / 1000.0);
        }
        let total_s = (x * 3600.0).round() as i64;
        let day = total_s.div_euclid(86_400);
        let s = total_s.rem_euclid(86_400);
        let (hh, mm, ss) = (s / 3600, (s % 3600) / 60, s % 60);
        let base = if self.with_seconds {
            format!("{hh:02}:{mm:02}:{ss:02}")
        } else {
            format!("{hh:02}:{mm:02}")
        };
        if day != 0 {
            format!("{base} {day:+}d")
        } else {
            base
        }
    }
}

/// The chart of one row, under its caption. Every row has the same margins and y-label width,
/// so that the rows' x axes line up; only the bottom row has room for the x tick labels.
fn row_chart<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    caption: &str,
    xa: &XAxis,
    y: (f64, f64),
    bottom: bool,
) -> Result<Ctx<'a, DB>, String> {
    ChartBuilder::on(area)
        .caption(caption, font(size::PANEL))
        .margin_left(8)
        .margin_right(18)
        .margin_top(4)
        .x_label_area_size(if bottom { BOTTOM_AXIS_H } else { 6 })
        .y_label_area_size(Y_LABEL_W)
        .build_cartesian_2d(xa.lo..xa.hi, y.0..y.1)
        .map_err(de)
}

/// A row chart with its y axis and grid (HR, motion and score rows).
fn build_panel<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    caption: &str,
    xa: &XAxis,
    y: (f64, f64),
    bottom: bool,
    y_desc: &str,
    hide_negative_y: bool,
) -> Result<Ctx<'a, DB>, String> {
    let mut chart = row_chart(area, caption, xa, y, bottom)?;
    let xfmt = |v: &f64| if bottom { xa.fmt(*v) } else { String::new() };
    let yfmt = |v: &f64| {
        if hide_negative_y && *v < 0.0 {
            String::new()
        } else {
            format!("{}", (*v * 100.0).round() / 100.0)
        }
    };
    axis_mesh(&mut chart)
        .x_labels(12)
        .y_labels(6)
        .x_label_formatter(&xfmt)
        .y_label_formatter(&yfmt)
        .x_desc(if bottom { xa.desc.as_str() } else { "" })
        .y_desc(y_desc)
        .draw()
        .map_err(de)?;
    Ok(chart)
}

fn shade_colour(level: MotionLevel) -> Option<RGBAColor> {
    match level {
        MotionLevel::Still => None,
        MotionLevel::Light => Some(palette::YELLOW.mix(0.28)),
        MotionLevel::Active => Some(palette::ORANGE.mix(0.32)),
    }
}

/// Adjacent or overlapping shades of the same level merged (fewer SVG elements).
fn merged_shades(shades: &[MotionShade]) -> Vec<MotionShade> {
    let mut v: Vec<MotionShade> = shades
        .iter()
        .filter(|s| {
            s.start_s.is_finite()
                && s.end_s.is_finite()
                && s.end_s > s.start_s
                && s.level != MotionLevel::Still
        })
        .cloned()
        .collect();
    v.sort_by(|a, b| a.start_s.total_cmp(&b.start_s));
    let mut out: Vec<MotionShade> = Vec::with_capacity(v.len());
    for s in v {
        match out.last_mut() {
            Some(last) if last.level == s.level && s.start_s <= last.end_s + 1e-6 => {
                last.end_s = last.end_s.max(s.end_s);
            }
            _ => out.push(s),
        }
    }
    out
}

fn draw_shading<DB: DrawingBackend>(
    chart: &mut Ctx<'_, DB>,
    shades: &[MotionShade],
    xa: &XAxis,
    y: (f64, f64),
) -> Result<(), String> {
    chart
        .draw_series(shades.iter().filter_map(|s| {
            shade_colour(s.level)
                .map(|c| Rectangle::new([(xa.x(s.start_s), y.0), (xa.x(s.end_s), y.1)], c.filled()))
        }))
        .map(|_| ())
        .map_err(de)
}

/// Draw a gap-aware, decimated line for (t, value) points; without any point, say `missing`
/// in the middle of the panel (`y` is the panel's y range).
fn draw_line<DB: DrawingBackend>(
    chart: &mut Ctx<'_, DB>,
    pts: &[(f64, f64)],
    xa: &XAxis,
    y: (f64, f64),
    colour: RGBColor,
    missing: &str,
) -> Result<(), String> {
    if pts.is_empty() {
        return empty_note(chart, missing, ((xa.lo + xa.hi) / 2.0, (y.0 + y.1) / 2.0));
    }
    let max_gap = median_step(pts)
        .map(|m| (10.0 * m).max(10.0))
        .unwrap_or(f64::INFINITY);
    let bins = (WIDTH - LEGEND_W - Y_LABEL_W) as usize;
    let mut singles = Vec::new();
    for run in split_runs(pts, max_gap) {
        if run.len() == 1 {
            singles.push((xa.x(run[0].0), run[0].1));
            continue;
        }
        let span = run[run.len() - 1].0 - run[0].0;
        let total = (xa.hi - xa.lo) / xa.scale;
        let run_bins = ((span / total.max(1e-9)) * bins as f64).ceil().max(1.0) as usize;
        let d = decimate(run, run_bins);
        chart
            .draw_series(LineSeries::new(
                d.into_iter().map(|(t, v)| (xa.x(t), v)),
                colour.stroke_width(1),
            ))
            .map_err(de)?;
    }
    draw_markers(chart, &singles, Shape::Circle, 2, colour.filled())
}

impl Chart for Timeline {
    fn title(&self) -> &str {
        &self.title
    }

    fn size(&self) -> (u32, u32) {
        let sub = super::subtitle_h(self.subtitle.as_deref(), WIDTH);
        if self.time_extent().is_none() {
            return (WIDTH, 160 + sub);
        }
        let rows: u32 = self.row_heights().iter().map(|r| r.1).sum();
        (WIDTH, 60 + sub + rows)
    }

    fn draw_on<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let body = titled(root, &self.title, self.subtitle.as_deref())?;
        let Some((t0, t1)) = self.time_extent() else {
            return no_data(
                &body,
                "No data: this timeline has no heart rate, motion, score or segment samples",
            );
        };
        let (t0, t1) = if t1 - t0 < 1.0 {
            (t0 - 30.0, t1 + 30.0)
        } else {
            (t0, t1)
        };
        let xa = XAxis::new(self.start.as_ref(), t0, t1);
        let shades = merged_shades(&self.motion_shading);
        let shade_legend = [
            (
                Mark::Fill(palette::YELLOW.mix(0.28)),
                "light motion (shaded)".to_string(),
            ),
            (
                Mark::Fill(palette::ORANGE.mix(0.32)),
                "active motion (shaded)".to_string(),
            ),
        ];
        let rows = self.row_heights();
        let n_rows = rows.len();
        let mut rest = body;
        for (k, (row, h)) in rows.into_iter().enumerate() {
            let bottom = k + 1 == n_rows;
            let (row_area, below) = if bottom {
                (rest.clone(), rest.clone())
            } else {
                rest.split_vertically(h)
            };
            rest = below;
            let (plot_area, legend_area) = with_side_legend(&row_area, LEGEND_W);
            let mut legend: Vec<(Mark, String)> = Vec::new();
            match row {
                Row::Segments => {
                    let (lanes, n_lanes) = self.segment_lanes();
                    let labels = self.unique_segment_labels();
                    let mut chart = row_chart(
                        &plot_area,
                        "labelled segments",
                        &xa,
                        (0.0, n_lanes as f64),
                        bottom,
                    )?;
                    chart
                        .configure_mesh()
                        .disable_mesh()
                        .x_labels(if bottom { 12 } else { 0 })
                        .x_label_formatter(&|v| xa.fmt(*v))
                        .y_labels(0)
                        .label_style(font(size::TICK))
                        .draw()
                        .map_err(de)?;
                    draw_shading(&mut chart, &shades, &xa, (0.0, n_lanes as f64))?;
                    for (i, s) in self.segments.iter().enumerate() {
                        if !(s.start_s.is_finite() && s.end_s.is_finite()) {
                            continue;
                        }
                        let ci = labels.iter().position(|l| *l == s.label).unwrap_or(0);
                        let colour = palette::segment_colour(ci);
                        let lane = (n_lanes - 1 - lanes[i]) as f64;
                        let (x0, x1) = (xa.x(s.start_s), xa.x(s.end_s.max(s.start_s)));
                        let r = [(x0, lane + 0.08), (x1, lane + 0.92)];
                        outlined_box(
                            &mut chart,
                            r,
                            colour.mix(0.55).filled(),
                            palette::DARK_GREY.stroke_width(1),
                        )?;
                        let px0 = chart.backend_coord(&(x0, 0.0)).0;
                        let px1 = chart.backend_coord(&(x1, 0.0)).0;
                        let avail = px1 - px0 - 6;
                        let mut label = s.label.clone();
                        while !label.is_empty() && text_width(&label, size::TICK) > avail {
                            label.pop();
                            while label.ends_with(' ') {
                                label.pop();
                            }
                            if label.chars().count() < 3 {
                                label.clear();
                            } else if !label.ends_with('…') {
                                label.pop();
                                label.push('…');
                            }
                        }
                        if !label.is_empty() {
                            chart_text(
                                &mut chart,
                                label,
                                ((x0 + x1) / 2.0, lane + 0.5),
                                size::TICK,
                                &palette::BLACK,
                                HPos::Center,
                                VPos::Center,
                            )?;
                        }
                    }
                    for (ci, l) in labels.iter().enumerate() {
                        legend.push((
                            Mark::Fill(palette::segment_colour(ci).mix(0.55)),
                            l.to_string(),
                        ));
                    }
                }
                Row::Hr => {
                    let pts = clean_points(&self.hr);
                    let y = finite_extent(pts.iter().map(|p| p.1))
                        .map(|(a, b)| nice_range(a, b, 0.06))
                        .unwrap_or((40.0, 120.0));
                    let mut chart =
                        build_panel(&plot_area, "heart rate", &xa, y, bottom, "HR (bpm)", false)?;
                    draw_shading(&mut chart, &shades, &xa, y)?;
                    draw_line(&mut chart, &pts, &xa, y, palette::HR, "no heart-rate data")?;
                    legend.push((Mark::Line(palette::HR), "heart rate".into()));
                    legend.extend(shade_legend.iter().cloned());
                }
                Row::Motion => {
                    let pts = clean_points(&self.motion);
                    let thr = finite_thresholds(&self.motion_thresholds);
                    let hi = finite_extent(pts.iter().map(|p| p.1).chain(thr.iter().map(|t| t.0)));
                    let y = match hi {
                        Some((lo, hi)) => nice_range(lo.min(0.0), hi, 0.05),
                        None => (0.0, 1.0),
                    };
                    let y = (
                        y.0.max(if hi.is_some_and(|h| h.0 >= 0.0) {
                            0.0
                        } else {
                            f64::MIN
                        }),
                        y.1,
                    );
                    let caption = if self.motion_is_proxy {
                        format!(
                            "motion: {} (HR-based PROXY, not measured motion)",
                            self.motion_label
                        )
                    } else {
                        format!("motion: {}", self.motion_label)
                    };
                    let mut chart = build_panel(
                        &plot_area,
                        &caption,
                        &xa,
                        y,
                        bottom,
                        &self.motion_label,
                        false,
                    )?;
                    draw_shading(&mut chart, &shades, &xa, y)?;
                    for (v, name) in &thr {
                        dashed_line(&mut chart, (xa.lo, *v), (xa.hi, *v), palette::DARK_GREY)?;
                        chart_text(
                            &mut chart,
                            format!("{name} ≥ {v}"),
                            (xa.hi, *v),
                            size::TICK,
                            &palette::DARK_GREY,
                            HPos::Right,
                            VPos::Bottom,
                        )?;
                    }
                    draw_line(&mut chart, &pts, &xa, y, palette::MOTION, "no motion data")?;
                    let name = if self.motion_is_proxy {
                        "motion proxy (HR-based)"
                    } else {
                        "motion"
                    };
                    legend.push((Mark::Line(palette::MOTION), name.into()));
                    if !thr.is_empty() {
                        legend.push((Mark::Dashed(palette::DARK_GREY), "level thresholds".into()));
                    }
                    legend.extend(shade_legend.iter().cloned());
                }
                Row::Score(i) => {
                    let s = &self.scores[i];
                    let colour = palette::profile_colour(&s.name);
                    let w = if s.window_s.is_finite() && s.window_s > 0.0 {
                        s.window_s
                    } else {
                        0.0
                    };
                    let valid: Vec<(usize, f64, Option<f64>)> = s
                        .points
                        .iter()
                        .enumerate()
                        .filter(|(_, p)| p.0.is_finite())
                        .map(|(k, p)| (k, p.0, p.1.filter(|v| v.is_finite())))
                        .collect();
                    let n_scored = valid.iter().filter(|p| p.2.is_some()).count();
                    let n_gap = valid.len() - n_scored;
                    let caption = if valid.is_empty() {
                        format!("{}: no windows", s.name)
                    } else {
                        format!(
                            "{}: {} scored, {} without score ({:.0} % of windows)",
                            s.name,
                            n_scored,
                            n_gap,
                            100.0 * n_gap as f64 / valid.len() as f64
                        )
                    };
                    let ymax = finite_extent(valid.iter().filter_map(|p| p.2))
                        .map(|e| e.1.max(100.0))
                        .unwrap_or(100.0);
                    let y = (-0.14 * ymax, ymax * 1.05);
                    let y_label = if s.y_label.is_empty() {
                        "score"
                    } else {
                        s.y_label.as_str()
                    };
                    let mut chart =
                        build_panel(&plot_area, &caption, &xa, y, bottom, y_label, true)?;
                    draw_shading(&mut chart, &shades, &xa, y)?;
                    for e in s.band_edges.iter().filter(|e| e.is_finite()) {
                        dashed_line(&mut chart, (xa.lo, *e), (xa.hi, *e), palette::GREY)?;
                    }
                    // Gap blocks below zero.
                    let gap_w = if w > 0.0 {
                        w
                    } else {
                        median_step(&valid.iter().map(|p| (p.1, 0.0)).collect::<Vec<_>>())
                            .unwrap_or(60.0)
                    };
                    let (g0, g1) = (-0.12 * ymax, -0.03 * ymax);
                    let mut blocks: Vec<(f64, f64)> = Vec::new();
                    for p in valid.iter().filter(|p| p.2.is_none()) {
                        let (a, b) = (p.1, p.1 + gap_w);
                        match blocks.last_mut() {
                            Some(last) if a <= last.1 + 1e-6 => last.1 = last.1.max(b),
                            _ => blocks.push((a, b)),
                        }
                    }
                    chart
                        .draw_series(blocks.iter().map(|&(a, b)| {
                            Rectangle::new([(xa.x(a), g0), (xa.x(b), g1)], palette::GREY.filled())
                        }))
                        .map_err(de)?;
                    // Lines between consecutive scored windows, then points.
                    let scored: Vec<(f64, f64, bool)> = valid
                        .iter()
                        .filter_map(|p| {
                            p.2.map(|v| (p.1, v, s.flagged.get(p.0).copied().unwrap_or(false)))
                        })
                        .collect();
                    let join = if w > 0.0 { 1.5 * w } else { 1.5 * gap_w };
                    let mut run: Vec<(f64, f64)> = Vec::new();
                    let flush = |run: &mut Vec<(f64, f64)>,
                                 chart: &mut Ctx<'_, DB>|
                     -> Result<(), String> {
                        if run.len() > 1 {
                            chart
                                .draw_series(LineSeries::new(
                                    run.iter().copied(),
                                    colour.mix(0.6).stroke_width(1),
                                ))
                                .map_err(de)?;
                        }
                        run.clear();
                        Ok(())
                    };
                    let mut prev_t: Option<f64> = None;
                    let mut prev_gap = false;
                    for p in &valid {
                        match p.2 {
                            None => {
                                prev_gap = true;
                            }
                            Some(v) => {
                                if prev_gap || prev_t.is_some_and(|pt| p.1 - pt > join) {
                                    flush(&mut run, &mut chart)?;
                                }
                                run.push((xa.x(p.1 + w / 2.0), v));
                                prev_t = Some(p.1);
                                prev_gap = false;
                            }
                        }
                    }
                    flush(&mut run, &mut chart)?;
                    let pts: Vec<(f64, f64)> =
                        scored.iter().map(|p| (xa.x(p.0 + w / 2.0), p.1)).collect();
                    draw_markers(&mut chart, &pts, Shape::Circle, 3, colour.filled())?;
                    let flagged: Vec<(f64, f64)> = scored
                        .iter()
                        .filter(|p| p.2)
                        .map(|p| (xa.x(p.0 + w / 2.0), p.1))
                        .collect();
                    draw_markers(
                        &mut chart,
                        &flagged,
                        Shape::Triangle,
                        7,
                        palette::BLACK.stroke_width(2),
                    )?;
                    if n_scored == 0 {
                        let msg = if valid.is_empty() {
                            "no windows"
                        } else {
                            "no score in this recording (every window is a gap)"
                        };
                        empty_note(&mut chart, msg, ((xa.lo + xa.hi) / 2.0, ymax / 2.0))?;
                    }
                    legend.push((
                        Mark::Marker(Shape::Circle, colour),
                        format!("{} score", s.name),
                    ));
                    if !flagged.is_empty() {
                        legend.push((
                            Mark::Hollow(Shape::Triangle, palette::BLACK),
                            "motion-flagged score".into(),
                        ));
                    }
                    legend.push((
                        Mark::Fill(palette::GREY.to_rgba()),
                        "no score (gap, not interpolated)".into(),
                    ));
                    if !s.band_edges.is_empty() {
                        legend.push((Mark::Dashed(palette::GREY), "band edges".into()));
                    }
                }
            }
            draw_legend(&legend_area, 6, 34, &legend)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_axis_formats_local_time() {
        let st = DateTime::parse_from_rfc3339("2026-03-01T23:30:00+01:00").unwrap();
        let xa = XAxis::new(Some(&st), 0.0, 7200.0);
        assert_eq!(xa.fmt(xa.x(0.0)), "23:30");
        assert_eq!(xa.fmt(xa.x(3600.0)), "00:30 +1d");
        assert!(xa.desc.contains("UTC+01:00"));
        let rel = XAxis::new(None, 0.0, 5400.0);
        assert_eq!(rel.x(600.0), 10.0);
        assert!(rel.desc.contains("(min)"));
        let long = XAxis::new(None, 0.0, 86400.0);
        assert_eq!(long.x(7200.0), 2.0);
    }

    #[test]
    fn shades_merge_and_lanes_separate_overlaps() {
        let sh = vec![
            MotionShade {
                start_s: 0.0,
                end_s: 60.0,
                level: MotionLevel::Active,
            },
            MotionShade {
                start_s: 60.0,
                end_s: 120.0,
                level: MotionLevel::Active,
            },
            MotionShade {
                start_s: 120.0,
                end_s: 180.0,
                level: MotionLevel::Still,
            },
            MotionShade {
                start_s: 180.0,
                end_s: 240.0,
                level: MotionLevel::Light,
            },
        ];
        let m = merged_shades(&sh);
        assert_eq!(m.len(), 2);
        assert_eq!(m[0].end_s, 120.0);
        let mut t = Timeline::new("x");
        t.segments = vec![
            Segment {
                start_s: 0.0,
                end_s: 100.0,
                label: "a".into(),
            },
            Segment {
                start_s: 50.0,
                end_s: 150.0,
                label: "b".into(),
            },
            Segment {
                start_s: 100.0,
                end_s: 200.0,
                label: "a".into(),
            },
        ];
        let (lanes, n) = t.segment_lanes();
        assert_eq!(n, 2);
        assert_eq!(lanes, vec![0, 1, 0]);
    }
}
