//! Report output: charts (PNG and SVG), the CSV table writer, the JSON writer and Markdown
//! helpers used to assemble a practice-test output folder.
//!
//! This module deliberately knows nothing about the profile or indicator types: every chart
//! takes its own plain input struct (public fields, `Serialize`/`Deserialize`), which the
//! caller fills from the profile results. That keeps the report layer testable on synthetic
//! inputs and stable while the scoring code changes.
//!
//! # Charts
//!
//! | chart | input | what it shows |
//! |---|---|---|
//! | (a) day timeline | [`Timeline`] | stacked panels sharing the x axis: labelled segments, HR, motion, one panel per score series with its gaps (grey strip) and motion-flagged points; motion level shaded behind every panel |
//! | (b) score vs motion | [`ScoreMotionScatter`] | one scatter panel per profile, Spearman ρ (computed by the caller) in the panel header |
//! | (c) score per motion level | [`ScoreDistribution`] | one panel per profile, a box plot + jittered points per motion level; an empty level says "no score" |
//! | (d) app-style daily bar | [`DailyBars`] | per profile: the headline sentence and the app's bar, next to the transparent 24-h breakdown (bands / motion-masked / no data) |
//! | (e) hours under each motion policy | [`PolicyHours`] | grouped bars: profile groups, one bar per policy |
//! | cohort | [`CohortChart`] | dot plot, one row per recording, one marker per series |
//!
//! Every chart implements [`Chart`] and is written with [`render`] (both formats),
//! [`render_png`] or [`render_svg`]. Empty or all-missing inputs never panic: the affected panel
//! says "no data" explicitly (tested in `tests/report.rs`).
//!
//! ## Fonts
//! Text is drawn with DejaVu Sans (Bitstream Vera licence, `assets/fonts/DejaVuSans-LICENSE.txt`),
//! embedded in the binary with `include_bytes!` and registered with plotters' `ab_glyph`
//! backend under the family name `sans-serif` (see [`font`]). PNGs therefore render on a machine
//! without any system font. SVG text is written as `<text font-family="sans-serif">`: the
//! generic CSS family, which every SVG viewer resolves to an installed sans-serif font.
//!
//! ## Colours
//! Okabe–Ito colour-blind-safe palette; each profile keeps its colour in every chart
//! (watch-like blue, ring-like reddish purple, tracker-like vermillion; see [`palette`]).
//! Ordinal bands use a 4-step ColorBrewer RdYlBu ramp (blue = calm … red = high), which is
//! colour-blind safe.
//!
//! # Exporters
//! * [`table`]: CSV driven by column specs ([`Column`], [`Cell`]): header `name_unit`, empty
//!   cell for missing values, round-trips through the `csv` crate.
//! * [`export`]: JSON with a `schema_version` field, and [`OutputFolder`], which puts charts,
//!   tables, JSON and Markdown into one folder.
//! * [`markdown`]: tables, image links, a column-documentation table and the
//!   documented/assumed provenance table.

pub mod charts;
pub mod export;
pub mod font;
pub mod markdown;
pub mod palette;
pub mod table;

pub use charts::cohort::{CohortChart, CohortRow};
pub use charts::daily::{BreakdownPart, DailyBar, DailyBars, PartKind};
pub use charts::distribution::{DistributionPanel, ScoreDistribution};
pub use charts::policy::{PolicyGroup, PolicyHours};
pub use charts::scatter::{ScatterPanel, ScoreMotionScatter};
pub use charts::timeline::{MotionLevel, MotionShade, ScoreSeries, Segment, Timeline};
pub use export::{json_with_schema, write_json, OutputFolder, SCHEMA_VERSION_KEY};
pub use table::{Cell, Column, CsvTable};

use crate::error::{Error, Result};
use plotters::coord::Shift;
use plotters::prelude::*;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Largest canvas side we accept (pixels); larger requests are a [`Error::Config`].
pub const MAX_SIDE_PX: u32 = 12_000;

/// A chart that can be drawn on any plotters backend (PNG and SVG).
pub trait Chart {
    /// Title drawn at the top of the chart (also checked by the tests in the SVG text).
    fn title(&self) -> &str;
    /// Canvas size in pixels (width, height), derived from the content (e.g. number of panels).
    fn size(&self) -> (u32, u32);
    /// Draw the whole chart on `root` (the full canvas, already filled white).
    /// Errors are plotters' messages; [`render_png`]/[`render_svg`] attach the path.
    fn draw_on<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String>;
}

/// Paths and size of one chart written in both formats.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RenderedChart {
    /// The chart's title.
    pub title: String,
    /// The PNG file.
    pub png: PathBuf,
    /// The SVG file.
    pub svg: PathBuf,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
}

fn check_size(path: &Path, (w, h): (u32, u32)) -> Result<()> {
    if w == 0 || h == 0 || w > MAX_SIDE_PX || h > MAX_SIDE_PX {
        return Err(Error::Chart {
            path: path.to_path_buf(),
            message: format!("canvas {w}x{h} px is outside 1..={MAX_SIDE_PX} px per side"),
        });
    }
    Ok(())
}

fn chart_err(path: &Path, message: impl Into<String>) -> Error {
    Error::Chart {
        path: path.to_path_buf(),
        message: message.into(),
    }
}

/// Render `chart` as a PNG file at `path`; returns the pixel size written.
pub fn render_png<C: Chart>(chart: &C, path: &Path) -> Result<(u32, u32)> {
    font::ensure_registered().map_err(|m| chart_err(path, m))?;
    let size = chart.size();
    check_size(path, size)?;
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
    }
    let root = BitMapBackend::new(path, size).into_drawing_area();
    root.fill(&WHITE).map_err(|e| chart_err(path, e.to_string()))?;
    chart.draw_on(&root).map_err(|m| chart_err(path, m))?;
    root.present().map_err(|e| chart_err(path, e.to_string()))?;
    Ok(size)
}

/// Render `chart` as SVG text (no file).
pub fn render_svg_string<C: Chart>(chart: &C) -> Result<String> {
    let label = Path::new("<svg string>");
    font::ensure_registered().map_err(|m| chart_err(label, m))?;
    let size = chart.size();
    check_size(label, size)?;
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, size).into_drawing_area();
        root.fill(&WHITE).map_err(|e| chart_err(label, e.to_string()))?;
        chart.draw_on(&root).map_err(|m| chart_err(label, m))?;
        root.present().map_err(|e| chart_err(label, e.to_string()))?;
    }
    Ok(out)
}

/// Render `chart` as an SVG file at `path`; returns the pixel size written.
pub fn render_svg<C: Chart>(chart: &C, path: &Path) -> Result<(u32, u32)> {
    let svg = render_svg_string(chart).map_err(|e| match e {
        Error::Chart { message, .. } => chart_err(path, message),
        other => other,
    })?;
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
    }
    std::fs::write(path, svg).map_err(|e| Error::io(path, e))?;
    Ok(chart.size())
}

/// Render `chart` to `<dir>/<stem>.png` and `<dir>/<stem>.svg`.
///
/// `stem` must be a plain file stem (letters, digits, `-`, `_`, `.`), else [`Error::Config`].
pub fn render<C: Chart>(chart: &C, dir: &Path, stem: &str) -> Result<RenderedChart> {
    check_stem(stem)?;
    let png = dir.join(format!("{stem}.png"));
    let svg = dir.join(format!("{stem}.svg"));
    let (width, height) = render_png(chart, &png)?;
    render_svg(chart, &svg)?;
    Ok(RenderedChart {
        title: chart.title().to_string(),
        png,
        svg,
        width,
        height,
    })
}

pub(crate) fn check_stem(stem: &str) -> Result<()> {
    let ok = !stem.is_empty()
        && !stem.starts_with('.')
        && stem
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if ok {
        Ok(())
    } else {
        Err(Error::Config {
            name: "file stem".into(),
            value: stem.into(),
            expected: "a plain file name of ASCII letters, digits, '-', '_' or '.'".into(),
        })
    }
}
