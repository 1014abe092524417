//! Chart (c): score distribution per motion level, one panel per profile.
//!
//! Each level gets a box plot (box = quartiles Q1–Q3 by linear interpolation, Hyndman & Fan
//! type 7 as in R/NumPy; thick line = median; whiskers = the most extreme values within
//! 1.5 × IQR of the box, Tukey 1977) over the individual scores drawn as deterministic jittered
//! points. A level without any score says "no score" explicitly: for the watch-like profile that
//! empty `active` column *is* the finding.

use super::layout::{bottom_legend, note, panel_chart, panel_header, panels_size, profile_panels};
use super::plot::{axis_mesh, empty_note, outlined_box};
use super::{
    de, draw_markers, finite_extent, fmt_tick, jitter, put_text, quantile_sorted, size, titled,
    Mark, Shape,
};
use crate::report::{palette, Chart};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};
use serde::{Deserialize, Serialize};

/// One profile's panel: scores grouped by motion level.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DistributionPanel {
    /// Profile name (colour follows [`palette::profile_colour`]).
    pub profile: String,
    /// Scores per level, parallel to [`ScoreDistribution::levels`] (missing groups = empty).
    pub groups: Vec<Vec<f64>>,
    /// Windows without a score per level (parallel; optional, shown under the axis).
    pub unscored: Vec<usize>,
}

/// Input of chart (c).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ScoreDistribution {
    /// Chart title.
    pub title: String,
    /// Optional subtitle.
    pub subtitle: Option<String>,
    /// y axis label with unit, e.g. `"score (0–100)"`.
    pub y_label: String,
    /// Category names on the x axis, e.g. `["still", "light", "active"]`.
    pub levels: Vec<String>,
    /// One panel per profile.
    pub panels: Vec<DistributionPanel>,
}

impl ScoreDistribution {
    /// A chart with the standard levels still / light / active.
    pub fn new(title: impl Into<String>) -> Self {
        ScoreDistribution {
            title: title.into(),
            y_label: "score (0–100)".into(),
            levels: vec!["still".into(), "light".into(), "active".into()],
            ..Default::default()
        }
    }
}

const PANEL_W: u32 = 480;
const HEIGHT: u32 = 620;

/// Box-plot statistics of one group.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct BoxStats {
    pub q1: f64,
    pub median: f64,
    pub q3: f64,
    pub lo_whisker: f64,
    pub hi_whisker: f64,
}

pub(crate) fn box_stats(values: &[f64]) -> Option<BoxStats> {
    let mut s: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    if s.is_empty() {
        return None;
    }
    s.sort_by(|a, b| a.total_cmp(b));
    let q1 = quantile_sorted(&s, 0.25);
    let median = quantile_sorted(&s, 0.5);
    let q3 = quantile_sorted(&s, 0.75);
    let iqr = q3 - q1;
    let lo_whisker = s
        .iter()
        .copied()
        .find(|v| *v >= q1 - 1.5 * iqr)
        .unwrap_or(q1);
    let hi_whisker = s
        .iter()
        .rev()
        .copied()
        .find(|v| *v <= q3 + 1.5 * iqr)
        .unwrap_or(q3);
    Some(BoxStats {
        q1,
        median,
        q3,
        lo_whisker,
        hi_whisker,
    })
}

impl Chart for ScoreDistribution {
    fn title(&self) -> &str {
        &self.title
    }

    fn size(&self) -> (u32, u32) {
        panels_size(self.panels.len(), PANEL_W, HEIGHT, self.subtitle.as_deref())
    }

    fn draw_on<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let body = titled(root, &self.title, self.subtitle.as_deref())?;
        if self.panels.is_empty() || self.levels.is_empty() {
            return super::no_data(
                &body,
                "No data: no profile panels or no motion levels were given",
            );
        }
        let n = self.levels.len();
        let all = self
            .panels
            .iter()
            .flat_map(|p| p.groups.iter().flatten().copied());
        let (lo, hi) = finite_extent(all).unwrap_or((0.0, 100.0));
        let (y0, y1) = (lo.min(0.0), hi.max(100.0) * 1.04);
        let (areas, legend_area) = profile_panels(&body, self.panels.len());
        for (panel, area) in self.panels.iter().zip(&areas) {
            let colour = palette::profile_colour(&panel.profile);
            let plot = panel_header(area, &panel.profile, &colour, 32)?;
            let mut chart = panel_chart(&plot, 78, (-0.5, n as f64 - 0.5), (y0, y1))?;
            axis_mesh(&mut chart)
                .disable_x_mesh()
                .x_labels(0)
                .y_labels(6)
                .y_label_formatter(&|v| fmt_tick(*v))
                .y_desc(self.y_label.as_str())
                .draw()
                .map_err(de)?;
            for (i, level) in self.levels.iter().enumerate() {
                let x = i as f64;
                let values: Vec<f64> = panel
                    .groups
                    .get(i)
                    .map(|g| g.iter().copied().filter(|v| v.is_finite()).collect())
                    .unwrap_or_default();
                let pts: Vec<(f64, f64)> = values
                    .iter()
                    .enumerate()
                    .map(|(k, v)| (x + 0.3 * jitter(k + 7919 * i), *v))
                    .collect();
                match box_stats(&values) {
                    None => empty_note(&mut chart, "no score", (x, (y0 + y1) / 2.0))?,
                    Some(b) => {
                        draw_markers(
                            &mut chart,
                            &pts,
                            Shape::Circle,
                            2,
                            colour.mix(0.35).filled(),
                        )?;
                        let (l, r) = (x - 0.3, x + 0.3);
                        outlined_box(
                            &mut chart,
                            [(l, b.q1), (r, b.q3)],
                            colour.mix(0.18).filled(),
                            colour.stroke_width(2),
                        )?;
                        chart
                            .draw_series(std::iter::once(PathElement::new(
                                vec![(l, b.median), (r, b.median)],
                                palette::BLACK.stroke_width(3),
                            )))
                            .map_err(de)?;
                        for (from, to) in [(b.q1, b.lo_whisker), (b.q3, b.hi_whisker)] {
                            chart
                                .draw_series(std::iter::once(PathElement::new(
                                    vec![(x, from), (x, to)],
                                    colour.stroke_width(2),
                                )))
                                .map_err(de)?;
                            chart
                                .draw_series(std::iter::once(PathElement::new(
                                    vec![(x - 0.12, to), (x + 0.12, to)],
                                    colour.stroke_width(2),
                                )))
                                .map_err(de)?;
                        }
                    }
                }
                // Category labels under the axis, in absolute pixels on the root.
                let (px, py) = chart.backend_coord(&(x, y0));
                put_text(
                    root,
                    level,
                    (px, py + 8),
                    size::AXIS,
                    &palette::BLACK,
                    HPos::Center,
                    VPos::Top,
                )?;
                note(
                    root,
                    &format!("n = {}", values.len()),
                    (px, py + 30),
                    HPos::Center,
                )?;
                if let Some(u) = panel.unscored.get(i) {
                    note(
                        root,
                        &format!("{u} without score"),
                        (px, py + 50),
                        HPos::Center,
                    )?;
                }
            }
        }
        let legend = [
            (
                Mark::Fill(palette::DARK_GREY.mix(0.18)),
                "box: quartiles Q1–Q3".to_string(),
            ),
            (Mark::Line(palette::BLACK), "median".to_string()),
            (
                Mark::Line(palette::DARK_GREY),
                "whiskers: most extreme value within 1.5 IQR".to_string(),
            ),
            (
                Mark::Marker(Shape::Circle, palette::GREY),
                "one window (jittered)".to_string(),
            ),
        ];
        bottom_legend(&legend_area, &legend)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tukey_box() {
        let b = box_stats(&[1.0, 2.0, 3.0, 4.0, 100.0]).unwrap();
        assert_eq!(b.median, 3.0);
        assert_eq!(b.q1, 2.0);
        assert_eq!(b.q3, 4.0);
        assert_eq!(b.lo_whisker, 1.0);
        assert_eq!(b.hi_whisker, 4.0, "100 is beyond Q3 + 1.5 IQR = 7");
        assert!(box_stats(&[]).is_none());
        assert!(box_stats(&[f64::NAN]).is_none());
    }
}
