//! The embedded chart font.
//!
//! DejaVu Sans 2.37 (`assets/fonts/DejaVuSans.ttf`, Bitstream Vera licence with DejaVu changes in
//! the public domain; redistribution with software is permitted, see
//! `assets/fonts/DejaVuSans-LICENSE.txt`) is compiled into the binary and registered with
//! plotters' `ab_glyph` text backend under the generic family name [`FAMILY`]. Bitmap (PNG)
//! output therefore needs no system font, and SVG output names the generic CSS family
//! `sans-serif`, which every SVG viewer can render.

use plotters::style::FontStyle;
use std::sync::OnceLock;

/// The family name every chart uses; also what SVG files carry as `font-family`.
pub const FAMILY: &str = "sans-serif";

/// The embedded TrueType font (DejaVu Sans, regular).
pub static DEJAVU_SANS: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");

static REGISTERED: OnceLock<Result<(), String>> = OnceLock::new();

/// Register the embedded font with plotters (idempotent, thread-safe). Every render function
/// calls this first. The regular face also serves bold/italic requests (plotters' fallback).
pub fn ensure_registered() -> Result<(), String> {
    REGISTERED
        .get_or_init(|| {
            plotters::style::register_font(FAMILY, FontStyle::Normal, DEJAVU_SANS)
                .map_err(|_| "the embedded DejaVu Sans font could not be parsed".to_string())
        })
        .clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registers_and_measures_text() {
        ensure_registered().unwrap();
        ensure_registered().unwrap();
        let font = plotters::style::FontDesc::new(
            plotters::style::FontFamily::Name(FAMILY),
            20.0,
            FontStyle::Normal,
        );
        let (w, _h) = font.box_size("Spearman ρ").unwrap();
        assert!(w > 50, "width {w}");
    }
}
