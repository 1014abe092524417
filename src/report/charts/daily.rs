//! Chart (d): the app-style daily bar and, next to it, the transparent breakdown.
//!
//! One row per profile. Left, "what the app shows": the headline sentence (e.g. "You had
//! 3.2 hours of stress") and a single bar with the headline hours in the profile's colour.
//! Right, "what is behind it": the same day as one stacked bar of every category (bands,
//! motion-masked time, time without data), the parts that the headline counts outlined in
//! black, each part's hours in the legend, then the headline's rule and the caller's notes
//! (e.g. how much of it coincided with motion, what it becomes under each motion policy).

use super::layout::note;
use super::plot::{axis_mesh, chart_text, emphasis_outline, empty_note, outlined_box};
use super::{
    de, draw_legend_row, fmt_hours, fmt_tick, put_text, size, text_width, titled, wrap_text, Mark,
};
use crate::report::{palette, Chart};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};
use serde::{Deserialize, Serialize};

/// What a breakdown part is; decides its colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PartKind {
    /// An ordinal band or zone: `rank` 0 = calmest of `of` (RdYlBu ramp, blue → red).
    Band {
        /// 0-based rank, calm first.
        rank: u32,
        /// Number of bands.
        of: u32,
    },
    /// Time without a score because of motion (−2/−4 codes, gated windows, suppressed spots).
    MotionMasked,
    /// Time without data or without a valid window.
    NoData,
    /// Anything else (dark grey).
    Other,
}

impl PartKind {
    fn colour(self) -> RGBColor {
        match self {
            PartKind::Band { rank, of } => palette::band_colour(rank, of),
            PartKind::MotionMasked => palette::MOTION,
            PartKind::NoData => palette::LIGHT_GREY,
            PartKind::Other => palette::GREY,
        }
    }
}

/// One category of the day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BreakdownPart {
    /// Label, e.g. `"low (26–50)"`, `"motion-masked"`, `"no data"`.
    pub label: String,
    /// Hours in this category.
    pub hours: f64,
    /// Kind (colour).
    pub kind: PartKind,
    /// True if the headline counts this part (outlined in black).
    pub counted: bool,
}

/// One profile's row.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DailyBar {
    /// Profile name (colour follows [`palette::profile_colour`]).
    pub profile: String,
    /// The sentence an app would print, e.g. `"You had 3.2 hours of stress"`.
    pub headline: String,
    /// The hours the headline states (`None`: the profile gives no headline, e.g. uncalibrated).
    pub headline_hours: Option<f64>,
    /// The rule behind the headline, e.g. `"stress = low + medium + high (score 26–100), as Garmin"`.
    pub headline_rule: String,
    /// Length of the day in hours (24 for a full day; the recorded span otherwise).
    pub day_h: f64,
    /// The day's categories, in drawing order.
    pub parts: Vec<BreakdownPart>,
    /// Extra lines under the breakdown.
    pub notes: Vec<String>,
}

/// Input of chart (d).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DailyBars {
    /// Chart title.
    pub title: String,
    /// Optional subtitle (date, recording).
    pub subtitle: Option<String>,
    /// One row per profile.
    pub rows: Vec<DailyBar>,
}

const WIDTH: u32 = 1600;
const CARD_W: u32 = 540;

/// Width available to the rule and the notes under the breakdown.
const TEXT_W: i32 = (WIDTH - CARD_W) as i32 - 40;

impl DailyBar {
    /// The day's length for the bars' scale: `day_h`, or 24 h when it is missing or not positive.
    fn day_hours(&self) -> f64 {
        if self.day_h.is_finite() && self.day_h > 0.0 {
            self.day_h
        } else {
            24.0
        }
    }
}

fn rule_text(row: &DailyBar) -> Option<String> {
    (!row.headline_rule.is_empty()).then(|| format!("Headline rule: {}", row.headline_rule))
}

fn text_lines(row: &DailyBar) -> u32 {
    rule_text(row)
        .iter()
        .chain(row.notes.iter())
        .map(|t| wrap_text(t, size::TICK + 1.0, TEXT_W).len() as u32)
        .sum()
}

fn row_height(row: &DailyBar) -> u32 {
    let legend_w: i32 = row
        .parts
        .iter()
        .map(|p| {
            50 + text_width(
                &format!("{}: {}", p.label, fmt_hours(p.hours)),
                size::LEGEND,
            )
        })
        .sum();
    let legend_rows = (legend_w / TEXT_W.max(1)) as u32 + 1;
    (200 + 23 * legend_rows + 22 * text_lines(row)).max(250)
}

impl Chart for DailyBars {
    fn title(&self) -> &str {
        &self.title
    }

    fn size(&self) -> (u32, u32) {
        let rows: u32 = self.rows.iter().map(row_height).sum::<u32>().max(200);
        (
            WIDTH,
            70 + rows + super::subtitle_h(self.subtitle.as_deref(), WIDTH),
        )
    }

    fn draw_on<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let body = titled(root, &self.title, self.subtitle.as_deref())?;
        if self.rows.is_empty() {
            return super::no_data(&body, "No data: no profile rows were given");
        }
        let mut rest = body;
        let n = self.rows.len();
        for (k, row) in self.rows.iter().enumerate() {
            let (area, below) = if k + 1 == n {
                (rest.clone(), rest.clone())
            } else {
                rest.split_vertically(row_height(row))
            };
            rest = below;
            let (aw, ah) = area.dim_in_pixel();
            area.draw(&PathElement::new(
                vec![(10, 0), (aw as i32 - 10, 0)],
                palette::LIGHT_GREY.stroke_width(2),
            ))
            .map_err(de)?;
            let (card, right) = area.split_horizontally(CARD_W);
            draw_card(&card, row)?;
            draw_breakdown(&right, row, ah)?;
        }
        Ok(())
    }
}

fn draw_card<DB: DrawingBackend>(
    card: &DrawingArea<DB, Shift>,
    row: &DailyBar,
) -> Result<(), String> {
    let colour = palette::profile_colour(&row.profile);
    let (w, _) = card.dim_in_pixel();
    let w = w as i32;
    note(card, "What the app shows", (24, 12), HPos::Left)?;
    put_text(
        card,
        &row.profile,
        (24, 34),
        size::PANEL + 4.0,
        &colour,
        HPos::Left,
        VPos::Top,
    )?;
    let mut y = 70;
    let headline = if row.headline.is_empty() {
        "(no headline)"
    } else {
        row.headline.as_str()
    };
    for line in wrap_text(headline, 26.0, w - 48).into_iter().take(3) {
        put_text(
            card,
            &line,
            (24, y),
            26.0,
            &palette::BLACK,
            HPos::Left,
            VPos::Top,
        )?;
        y += 34;
    }
    y += 10;
    let (x0, x1) = (24, w - 30);
    card.draw(&Rectangle::new(
        [(x0, y), (x1, y + 30)],
        palette::LIGHT_GREY.filled(),
    ))
    .map_err(de)?;
    let day = row.day_hours();
    match row.headline_hours.filter(|h| h.is_finite()) {
        Some(h) => {
            let frac = (h / day).clamp(0.0, 1.0);
            let xf = x0 + ((x1 - x0) as f64 * frac).round() as i32;
            if xf > x0 {
                card.draw(&Rectangle::new([(x0, y), (xf, y + 30)], colour.filled()))
                    .map_err(de)?;
            }
            let label = fmt_hours(h);
            let inside = text_width(&label, size::AXIS) + 10 < xf - x0;
            let (lx, c, hp) = if inside {
                (xf - 6, palette::WHITE, HPos::Right)
            } else {
                (xf + 6, palette::BLACK, HPos::Left)
            };
            put_text(card, &label, (lx, y + 15), size::AXIS, &c, hp, VPos::Center)?;
        }
        None => {
            put_text(
                card,
                "no headline",
                ((x0 + x1) / 2, y + 15),
                size::AXIS,
                &palette::DARK_GREY,
                HPos::Center,
                VPos::Center,
            )?;
        }
    }
    note(card, "0 h", (x0, y + 36), HPos::Left)?;
    note(card, &fmt_hours(day), (x1, y + 36), HPos::Right)
}

fn draw_breakdown<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    row: &DailyBar,
    _h: u32,
) -> Result<(), String> {
    note(
        area,
        "What is behind it: the same day's hours by category (outlined = counted in the headline)",
        (10, 12),
        HPos::Left,
    )?;
    let parts: Vec<&BreakdownPart> = row
        .parts
        .iter()
        .filter(|p| p.hours.is_finite() && p.hours >= 0.0)
        .collect();
    let total: f64 = parts.iter().map(|p| p.hours).sum();
    let xmax = row.day_hours().max(total);
    let (_, rest) = area.split_vertically(30);
    let (bar_area, text_area) = rest.split_vertically(105);
    let mut chart = ChartBuilder::on(&bar_area)
        .margin_left(10)
        .margin_right(30)
        .x_label_area_size(48)
        .y_label_area_size(0)
        .build_cartesian_2d(0.0..xmax, 0.0..1.0)
        .map_err(de)?;
    // Its own grid on top of the shared axis style: light lines invisible, bold ones lighter.
    axis_mesh(&mut chart)
        .disable_y_mesh()
        .y_labels(0)
        .x_labels(13)
        .x_label_formatter(&|v| fmt_tick(*v))
        .x_desc("hours (h); categories stacked, not in clock order")
        .light_line_style(palette::LIGHT_GREY.mix(0.0))
        .bold_line_style(palette::LIGHT_GREY.mix(0.6))
        .draw()
        .map_err(de)?;
    if parts.is_empty() {
        empty_note(&mut chart, "no breakdown given", (xmax / 2.0, 0.5))?;
    }
    let mut x = 0.0;
    for p in &parts {
        let (a, b) = (x, x + p.hours);
        x = b;
        if p.hours <= 0.0 {
            continue;
        }
        let c = p.kind.colour();
        outlined_box(
            &mut chart,
            [(a, 0.12), (b, 0.88)],
            c.filled(),
            emphasis_outline(p.counted, palette::GREY),
        )?;
        let px = chart.backend_coord(&(b, 0.0)).0 - chart.backend_coord(&(a, 0.0)).0;
        let label = fmt_hours(p.hours);
        if text_width(&label, size::TICK) + 8 < px {
            let dark = matches!(p.kind, PartKind::Band { rank, of } if of > 1 && (rank == 0 || rank + 1 >= of))
                || p.kind == PartKind::MotionMasked;
            let tc = if dark { palette::WHITE } else { palette::BLACK };
            chart_text(
                &mut chart,
                label,
                ((a + b) / 2.0, 0.5),
                size::TICK,
                &tc,
                HPos::Center,
                VPos::Center,
            )?;
        }
    }
    let legend: Vec<(Mark, String)> = row
        .parts
        .iter()
        .map(|p| {
            let mark = if p.counted {
                Mark::Outlined(p.kind.colour())
            } else {
                Mark::Fill(p.kind.colour().to_rgba())
            };
            (mark, format!("{}: {}", p.label, fmt_hours(p.hours)))
        })
        .collect();
    let mut y = draw_legend_row(&text_area, 12, 4, &legend)?;
    y += 4;
    let texts = rule_text(row)
        .into_iter()
        .map(|t| (t, palette::BLACK))
        .chain(row.notes.iter().map(|n| (n.clone(), palette::DARK_GREY)));
    for (text, colour) in texts {
        for line in wrap_text(&text, size::TICK + 1.0, TEXT_W) {
            put_text(
                &text_area,
                &line,
                (12, y),
                size::TICK + 1.0,
                &colour,
                HPos::Left,
                VPos::Top,
            )?;
            y += 22;
        }
    }
    Ok(())
}
