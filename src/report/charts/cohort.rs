//! Cohort chart: one row per recording, one marker per series (dot plot).
//!
//! Typical uses: hours of stress per profile and policy, or Spearman ρ(motion, score) per
//! recording and profile. A series' colour follows the profile named in it
//! ([`palette::profile_colour`]); series sharing a colour get different marker shapes, and are
//! offset slightly in y so that equal values stay visible. Missing values are not drawn; the
//! legend counts them per series.

use super::layout::{side_legend, with_side_legend};
use super::plot::{axis_mesh, dashed_line};
use super::{
    de, draw_markers, finite_extent, fmt_tick, nice_range, put_text, size, text_width, titled,
    Mark, Shape,
};
use crate::report::{palette, Chart, MAX_SIDE_PX};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};
use serde::{Deserialize, Serialize};

/// One recording's values.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CohortRow {
    /// Pseudonymous recording id (shown as the row label).
    pub recording: String,
    /// One value per series (parallel to [`CohortChart::series`]; `None` = missing).
    pub values: Vec<Option<f64>>,
}

/// Input of the cohort chart.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CohortChart {
    /// Chart title.
    pub title: String,
    /// Optional subtitle.
    pub subtitle: Option<String>,
    /// x axis label with unit, e.g. `"hours of stress (h)"` or `"Spearman ρ (motion, score)"`.
    pub x_label: String,
    /// Series names, e.g. `["watch-like / none", "watch-like / suppress", …]`.
    pub series: Vec<String>,
    /// One row per recording, drawn top to bottom in the given order.
    pub rows: Vec<CohortRow>,
    /// Fixed x range (e.g. `(-1, 1)` for ρ); default: the data's extent.
    pub x_range: Option<(f64, f64)>,
    /// A dashed reference line, e.g. `(0.0, "ρ = 0")`.
    pub reference: Option<(f64, String)>,
}

const LEGEND_W: u32 = 300;
const ROW_H: u32 = 28;

impl CohortChart {
    fn row_h(&self) -> u32 {
        let max_rows = (MAX_SIDE_PX - 250) / ROW_H;
        if self.rows.len() as u32 > max_rows {
            ((MAX_SIDE_PX - 250) / self.rows.len().max(1) as u32).max(1)
        } else {
            ROW_H
        }
    }

    fn label_w(&self) -> u32 {
        let w = self
            .rows
            .iter()
            .map(|r| text_width(&r.recording, size::TICK))
            .max()
            .unwrap_or(40);
        (w + 24).clamp(60, 320) as u32
    }

    fn shapes(&self) -> Vec<(RGBColor, Shape)> {
        let mut seen: Vec<RGBColor> = Vec::new();
        self.series
            .iter()
            .map(|s| {
                let c = palette::profile_colour(s);
                let k = seen.iter().filter(|x| **x == c).count();
                seen.push(c);
                (c, Shape::nth(k))
            })
            .collect()
    }
}

impl Chart for CohortChart {
    fn title(&self) -> &str {
        &self.title
    }

    fn size(&self) -> (u32, u32) {
        let rows = self.rows.len().max(1) as u32;
        let legend_h = 90 + 26 * self.series.len() as u32;
        let h = (150 + rows * self.row_h()).max(legend_h).max(320);
        (
            1400,
            (h + super::subtitle_h(self.subtitle.as_deref(), 1400)).min(MAX_SIDE_PX),
        )
    }

    fn draw_on<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let body = titled(root, &self.title, self.subtitle.as_deref())?;
        if self.rows.is_empty() || self.series.is_empty() {
            return super::no_data(&body, "No data: no recordings or no series were given");
        }
        let (plot, legend_area) = with_side_legend(&body, LEGEND_W);
        let nr = self.rows.len();
        let values = self
            .rows
            .iter()
            .flat_map(|r| r.values.iter().flatten().copied());
        let (x0, x1) = match self
            .x_range
            .filter(|r| r.0.is_finite() && r.1.is_finite() && r.1 > r.0)
        {
            Some(r) => r,
            None => {
                let refv = self
                    .reference
                    .as_ref()
                    .map(|r| r.0)
                    .filter(|v| v.is_finite());
                let e = finite_extent(values.chain(refv));
                match e {
                    Some((lo, hi)) => {
                        let (a, b) = nice_range(lo, hi, 0.06);
                        // Non-negative quantities (hours) start at 0 so that bar-free dots are not misread.
                        (if lo >= 0.0 { 0.0 } else { a }, b)
                    }
                    None => (0.0, 1.0),
                }
            }
        };
        let mut chart = ChartBuilder::on(&plot)
            .margin_left(10)
            .margin_right(20)
            .margin_top(10)
            .x_label_area_size(55)
            .y_label_area_size(self.label_w())
            .build_cartesian_2d(x0..x1, -0.5..(nr as f64 - 0.5))
            .map_err(de)?;
        axis_mesh(&mut chart)
            .disable_y_mesh()
            .y_labels(0)
            .x_labels(10)
            .x_label_formatter(&|v| fmt_tick(*v))
            .x_desc(self.x_label.as_str())
            .draw()
            .map_err(de)?;
        let y_of = |i: usize| (nr - 1 - i) as f64;
        chart
            .draw_series((0..nr).map(|i| {
                PathElement::new(
                    vec![(x0, y_of(i)), (x1, y_of(i))],
                    palette::LIGHT_GREY.stroke_width(1),
                )
            }))
            .map_err(de)?;
        if let Some((v, _)) = self
            .reference
            .as_ref()
            .filter(|r| r.0.is_finite() && r.0 >= x0 && r.0 <= x1)
        {
            dashed_line(
                &mut chart,
                (*v, -0.5),
                (*v, nr as f64 - 0.5),
                palette::DARK_GREY,
            )?;
        }
        let shapes = self.shapes();
        let ns = self.series.len();
        let spread = if ns > 1 {
            (0.5 / ns as f64).min(0.12)
        } else {
            0.0
        };
        let r = if self.row_h() >= 20 { 5 } else { 3 };
        let mut missing = vec![0usize; ns];
        for (s, (colour, shape)) in shapes.iter().enumerate() {
            let dy = (s as f64 - (ns as f64 - 1.0) / 2.0) * spread;
            let pts: Vec<(f64, f64)> = self
                .rows
                .iter()
                .enumerate()
                .filter_map(|(i, row)| {
                    match row
                        .values
                        .get(s)
                        .copied()
                        .flatten()
                        .filter(|v| v.is_finite())
                    {
                        Some(v) => Some((v.clamp(x0, x1), y_of(i) - dy)),
                        None => {
                            missing[s] += 1;
                            None
                        }
                    }
                })
                .collect();
            draw_markers(&mut chart, &pts, *shape, r, colour.filled())?;
        }
        if self.row_h() >= 12 {
            for (i, row) in self.rows.iter().enumerate() {
                let (px, py) = chart.backend_coord(&(x0, y_of(i)));
                put_text(
                    root,
                    &row.recording,
                    (px - 10, py),
                    size::TICK,
                    &palette::BLACK,
                    HPos::Right,
                    VPos::Center,
                )?;
            }
        }
        let mut legend: Vec<(Mark, String)> = self
            .series
            .iter()
            .zip(&shapes)
            .zip(&missing)
            .map(|((name, (c, sh)), m)| {
                let label = if *m > 0 {
                    format!("{name} ({m} missing)")
                } else {
                    name.clone()
                };
                (Mark::Marker(*sh, *c), label)
            })
            .collect();
        if let Some((_, name)) = &self.reference {
            legend.push((Mark::Dashed(palette::DARK_GREY), name.clone()));
        }
        side_legend(&legend_area, &format!("{nr} recordings"), &legend)
    }
}
