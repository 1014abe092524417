//! Chart (e): hours of stress under each motion policy, per profile (grouped bars).
//!
//! One group per profile (group label in the profile's colour), one bar per policy (colour per
//! policy: none sky blue, flag orange, suppress bluish green, see [`palette::policy_colour`]),
//! the value written above each bar, "n/a" where a profile gives no value under a policy, and
//! the profile's default policy outlined in black.

use super::layout::{side_legend, with_side_legend};
use super::plot::{axis_mesh, chart_text, emphasis_outline, outlined_box};
use super::{de, finite_extent, fmt_hours, fmt_tick, put_text, size, titled, Mark};
use crate::report::{palette, Chart};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};
use serde::{Deserialize, Serialize};

/// One profile's bars.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PolicyGroup {
    /// Profile name.
    pub profile: String,
    /// Hours per policy, parallel to [`PolicyHours::policies`] (`None` = not available).
    pub hours: Vec<Option<f64>>,
    /// Index into `policies` of the profile's default policy (outlined).
    pub default_policy: Option<usize>,
}

/// Input of chart (e).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PolicyHours {
    /// Chart title.
    pub title: String,
    /// Optional subtitle.
    pub subtitle: Option<String>,
    /// y axis label with unit, e.g. `"hours of stress (h)"`.
    pub y_label: String,
    /// Policy names, e.g. `["none", "flag", "suppress"]`.
    pub policies: Vec<String>,
    /// One group per profile.
    pub groups: Vec<PolicyGroup>,
}

impl PolicyHours {
    /// A chart with the standard policies none / flag / suppress.
    pub fn new(title: impl Into<String>) -> Self {
        PolicyHours {
            title: title.into(),
            y_label: "hours of stress (h)".into(),
            policies: vec!["none".into(), "flag".into(), "suppress".into()],
            ..Default::default()
        }
    }
}

const LEGEND_W: u32 = 280;

impl Chart for PolicyHours {
    fn title(&self) -> &str {
        &self.title
    }

    fn size(&self) -> (u32, u32) {
        let g = self.groups.len().max(1) as u32;
        let p = self.policies.len().max(1) as u32;
        let w = (160 + LEGEND_W + g * (p * 90 + 70)).max(1000);
        (w, 640 + super::subtitle_h(self.subtitle.as_deref(), w))
    }

    fn draw_on<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let body = titled(root, &self.title, self.subtitle.as_deref())?;
        if self.groups.is_empty() || self.policies.is_empty() {
            return super::no_data(&body, "No data: no profiles or no policies were given");
        }
        let (plot, legend_area) = with_side_legend(&body, LEGEND_W);
        let ng = self.groups.len();
        let np = self.policies.len();
        let ymax = finite_extent(
            self.groups
                .iter()
                .flat_map(|g| g.hours.iter().flatten().copied()),
        )
        .map(|e| e.1)
        .filter(|m| *m > 0.0)
        .unwrap_or(1.0);
        let y1 = ymax * 1.15;
        let mut chart = ChartBuilder::on(&plot)
            .margin_left(10)
            .margin_right(10)
            .margin_top(10)
            .x_label_area_size(60)
            .y_label_area_size(70)
            .build_cartesian_2d(-0.5..(ng as f64 - 0.5), 0.0..y1)
            .map_err(de)?;
        axis_mesh(&mut chart)
            .disable_x_mesh()
            .x_labels(0)
            .y_labels(8)
            .y_label_formatter(&|v| fmt_tick(*v))
            .y_desc(self.y_label.as_str())
            .draw()
            .map_err(de)?;
        let slot = 0.8 / np as f64;
        for (i, g) in self.groups.iter().enumerate() {
            for (j, policy) in self.policies.iter().enumerate() {
                let cx = i as f64 - 0.4 + (j as f64 + 0.5) * slot;
                let (l, r) = (cx - slot * 0.42, cx + slot * 0.42);
                let colour = palette::policy_colour(policy);
                match g.hours.get(j).copied().flatten().filter(|v| v.is_finite()) {
                    Some(v) => {
                        let v = v.max(0.0);
                        outlined_box(
                            &mut chart,
                            [(l, 0.0), (r, v)],
                            colour.filled(),
                            emphasis_outline(g.default_policy == Some(j), palette::DARK_GREY),
                        )?;
                        chart_text(
                            &mut chart,
                            fmt_hours(v),
                            (cx, v + y1 * 0.01),
                            size::TICK,
                            &palette::BLACK,
                            HPos::Center,
                            VPos::Bottom,
                        )?;
                    }
                    None => chart_text(
                        &mut chart,
                        "n/a",
                        (cx, y1 * 0.01),
                        size::TICK,
                        &palette::GREY,
                        HPos::Center,
                        VPos::Bottom,
                    )?,
                }
            }
            let (px, py) = chart.backend_coord(&(i as f64, 0.0));
            let colour = palette::profile_colour(&g.profile);
            put_text(
                root,
                &g.profile,
                (px, py + 12),
                size::PANEL,
                &colour,
                HPos::Center,
                VPos::Top,
            )?;
        }
        let mut legend: Vec<(Mark, String)> = self
            .policies
            .iter()
            .map(|p| {
                (
                    Mark::Fill(palette::policy_colour(p).to_rgba()),
                    format!("motion policy: {p}"),
                )
            })
            .collect();
        legend.push((
            Mark::Outlined(palette::LIGHT_GREY),
            "outlined: the profile's default policy".into(),
        ));
        side_legend(&legend_area, "Legend", &legend)
    }
}
