//! Chart (b): score against motion intensity, one panel per profile, with Spearman ρ.
//!
//! ρ is computed by the caller (the confound statistics) and only displayed here, with the
//! number of scored windows and of windows without a score (which cannot appear in a scatter:
//! that absence is itself the watch-like profile's motion policy). All panels share the x range
//! so that profiles can be compared by eye.

use super::layout::{bottom_legend, panel_chart, panel_header, panels_size, profile_panels};
use super::plot::{axis_mesh, chart_text, dashed_line, empty_note, finite_thresholds};
use super::{
    clean_points, de, draw_markers, finite_extent, fmt_tick, nice_range, put_text, size, titled,
    Mark, Shape,
};
use crate::report::{palette, Chart};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};
use serde::{Deserialize, Serialize};

/// One profile's scatter panel.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ScatterPanel {
    /// Profile name (colour follows [`palette::profile_colour`]).
    pub profile: String,
    /// (motion intensity, score) of every scored window.
    pub points: Vec<(f64, f64)>,
    /// Motion flag per point (parallel; missing = false).
    pub flagged: Vec<bool>,
    /// Spearman ρ between motion and score, computed elsewhere (`None`: not computable).
    pub rho: Option<f64>,
    /// Number of windows without a score (not plotted, reported in the header).
    pub unscored: usize,
}

/// Input of chart (b).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ScoreMotionScatter {
    /// Chart title.
    pub title: String,
    /// Optional subtitle.
    pub subtitle: Option<String>,
    /// x axis label with unit, e.g. `"motion intensity, ENMO (mg)"`.
    pub x_label: String,
    /// y axis label with unit, e.g. `"score (0–100)"`.
    pub y_label: String,
    /// Vertical dashed lines, e.g. `[(30.0, "light"), (100.0, "active")]`.
    pub x_thresholds: Vec<(f64, String)>,
    /// One panel per profile.
    pub panels: Vec<ScatterPanel>,
}

const PANEL_W: u32 = 520;
const HEIGHT: u32 = 600;

impl Chart for ScoreMotionScatter {
    fn title(&self) -> &str {
        &self.title
    }

    fn size(&self) -> (u32, u32) {
        panels_size(self.panels.len(), PANEL_W, HEIGHT, self.subtitle.as_deref())
    }

    fn draw_on<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let body = titled(root, &self.title, self.subtitle.as_deref())?;
        if self.panels.is_empty() {
            return super::no_data(&body, "No data: no profile panels were given");
        }
        let cleaned: Vec<Vec<(f64, f64)>> = self
            .panels
            .iter()
            .map(|p| clean_points(&p.points))
            .collect();
        let thr = finite_thresholds(&self.x_thresholds);
        let (x0, x1) = finite_extent(
            cleaned
                .iter()
                .flatten()
                .map(|p| p.0)
                .chain(thr.iter().map(|t| t.0)),
        )
        .map(|(lo, hi)| nice_range(lo.min(0.0), hi, 0.04))
        .unwrap_or((0.0, 1.0));
        let x0 = if matches!(finite_extent(cleaned.iter().flatten().map(|p| p.0)), Some(e) if e.0 < 0.0)
        {
            x0
        } else {
            x0.max(0.0)
        };
        let ymax = finite_extent(cleaned.iter().flatten().map(|p| p.1))
            .map(|e| e.1.max(100.0))
            .unwrap_or(100.0);
        let (y0, y1) = (
            finite_extent(cleaned.iter().flatten().map(|p| p.1))
                .map(|e| e.0.min(0.0))
                .unwrap_or(0.0),
            ymax * 1.04,
        );
        let (areas, legend_area) = profile_panels(&body, self.panels.len());
        let mut any_flagged = false;
        for ((panel, pts), area) in self.panels.iter().zip(&cleaned).zip(&areas) {
            let colour = palette::profile_colour(&panel.profile);
            let plot = panel_header(area, &panel.profile, &colour, 54)?;
            let (aw, _) = area.dim_in_pixel();
            let rho = match panel.rho.filter(|r| r.is_finite()) {
                Some(r) => format!("Spearman ρ = {r:+.2}"),
                None => "Spearman ρ: not computable".to_string(),
            };
            let line2 = format!(
                "{rho}, n = {} scored, {} without score",
                pts.len(),
                panel.unscored
            );
            put_text(
                area,
                &line2,
                (aw as i32 / 2, 30),
                size::TICK + 1.0,
                &palette::BLACK,
                HPos::Center,
                VPos::Top,
            )?;
            let mut chart = panel_chart(&plot, 50, (x0, x1), (y0, y1))?;
            axis_mesh(&mut chart)
                .x_labels(7)
                .y_labels(6)
                .x_label_formatter(&|v| fmt_tick(*v))
                .y_label_formatter(&|v| fmt_tick(*v))
                .x_desc(self.x_label.as_str())
                .y_desc(self.y_label.as_str())
                .draw()
                .map_err(de)?;
            for (v, name) in &thr {
                dashed_line(&mut chart, (*v, y0), (*v, y1), palette::DARK_GREY)?;
                chart_text(
                    &mut chart,
                    format!(" {name}"),
                    (*v, y1),
                    size::TICK,
                    &palette::DARK_GREY,
                    HPos::Left,
                    VPos::Top,
                )?;
            }
            draw_markers(&mut chart, pts, Shape::Circle, 3, colour.mix(0.55).filled())?;
            // Flags are matched on the original indices (points with non-finite values dropped).
            let flagged: Vec<(f64, f64)> = panel
                .points
                .iter()
                .enumerate()
                .filter(|(i, p)| {
                    panel.flagged.get(*i).copied().unwrap_or(false)
                        && p.0.is_finite()
                        && p.1.is_finite()
                })
                .map(|(_, p)| *p)
                .collect();
            any_flagged |= !flagged.is_empty();
            draw_markers(
                &mut chart,
                &flagged,
                Shape::Triangle,
                6,
                palette::BLACK.stroke_width(1),
            )?;
            if pts.is_empty() {
                empty_note(
                    &mut chart,
                    "no scored windows",
                    ((x0 + x1) / 2.0, (y0 + y1) / 2.0),
                )?;
            }
        }
        let mut legend: Vec<(Mark, String)> = self
            .panels
            .iter()
            .map(|p| {
                (
                    Mark::Marker(Shape::Circle, palette::profile_colour(&p.profile)),
                    format!("{} window", p.profile),
                )
            })
            .collect();
        if any_flagged {
            legend.push((
                Mark::Hollow(Shape::Triangle, palette::BLACK),
                "motion-flagged".into(),
            ));
        }
        if !thr.is_empty() {
            legend.push((
                Mark::Dashed(palette::DARK_GREY),
                "motion level thresholds".into(),
            ));
        }
        bottom_legend(&legend_area, &legend)
    }
}
