//! Colour-blind-safe colours, consistent across all charts.
//!
//! Qualitative colours come from the Okabe–Ito palette (Okabe & Ito 2008, "Color Universal
//! Design"), distinguishable under the common colour-vision deficiencies. Ordinal bands use the
//! 4-class ColorBrewer RdYlBu scheme (Brewer, colorbrewer2.org, marked colour-blind safe),
//! blue = calm → red = high.
//!
//! Profiles are recognised by name (case-insensitive substring): `watch` → blue, `ring` →
//! reddish purple, `tracker` → vermillion; any other name gets a stable colour from the rest of
//! the palette (hash of the name), so the same name is the same colour in every chart.

use plotters::style::RGBColor;

/// White (text on dark fills).
pub const WHITE: RGBColor = RGBColor(0xFF, 0xFF, 0xFF);
/// Okabe–Ito black.
pub const BLACK: RGBColor = RGBColor(0x00, 0x00, 0x00);
/// Okabe–Ito orange.
pub const ORANGE: RGBColor = RGBColor(0xE6, 0x9F, 0x00);
/// Okabe–Ito sky blue.
pub const SKY_BLUE: RGBColor = RGBColor(0x56, 0xB4, 0xE9);
/// Okabe–Ito bluish green.
pub const BLUISH_GREEN: RGBColor = RGBColor(0x00, 0x9E, 0x73);
/// Okabe–Ito yellow.
pub const YELLOW: RGBColor = RGBColor(0xF0, 0xE4, 0x42);
/// Okabe–Ito blue.
pub const BLUE: RGBColor = RGBColor(0x00, 0x72, 0xB2);
/// Okabe–Ito vermillion.
pub const VERMILLION: RGBColor = RGBColor(0xD5, 0x5E, 0x00);
/// Okabe–Ito reddish purple.
pub const REDDISH_PURPLE: RGBColor = RGBColor(0xCC, 0x79, 0xA7);
/// Neutral grey for "no score" / "no data".
pub const GREY: RGBColor = RGBColor(0x99, 0x99, 0x99);
/// Light grey for backgrounds and the unfilled part of bars.
pub const LIGHT_GREY: RGBColor = RGBColor(0xDD, 0xDD, 0xDD);
/// Dark grey for secondary text.
pub const DARK_GREY: RGBColor = RGBColor(0x44, 0x44, 0x44);

/// Colour of the watch-like profile.
pub const WATCH: RGBColor = BLUE;
/// Colour of the ring-like profile.
pub const RING: RGBColor = REDDISH_PURPLE;
/// Colour of the tracker-like profile.
pub const TRACKER: RGBColor = VERMILLION;
/// Colour of heart rate lines.
pub const HR: RGBColor = BLACK;
/// Colour of motion lines.
pub const MOTION: RGBColor = BLUISH_GREEN;

/// ColorBrewer RdYlBu, 4 classes, reversed (calm → high).
pub const BANDS4: [RGBColor; 4] = [
    RGBColor(0x2C, 0x7B, 0xB6),
    RGBColor(0xAB, 0xD9, 0xE9),
    RGBColor(0xFD, 0xAE, 0x61),
    RGBColor(0xD7, 0x19, 0x1C),
];

const OTHERS: [RGBColor; 4] = [BLUISH_GREEN, ORANGE, SKY_BLUE, DARK_GREY];

/// The colour of a profile, recognised by name (see the module docs).
pub fn profile_colour(name: &str) -> RGBColor {
    let n = name.to_ascii_lowercase();
    if n.contains("watch") {
        WATCH
    } else if n.contains("ring") {
        RING
    } else if n.contains("tracker") {
        TRACKER
    } else {
        // FNV-1a: stable across runs and platforms.
        let h = n
            .bytes()
            .fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ b as u64).wrapping_mul(0x100_0000_01b3));
        OTHERS[(h % OTHERS.len() as u64) as usize]
    }
}

/// The colour of a motion policy, recognised by name: `none` sky blue, `flag` orange,
/// `suppress` bluish green, anything else dark grey.
pub fn policy_colour(name: &str) -> RGBColor {
    let n = name.to_ascii_lowercase();
    if n.contains("suppress") {
        BLUISH_GREEN
    } else if n.contains("flag") {
        ORANGE
    } else if n.contains("none") {
        SKY_BLUE
    } else {
        DARK_GREY
    }
}

/// Colour of ordinal band `rank` (0 = calmest) out of `of` bands: the RdYlBu ramp, linearly
/// interpolated when `of != 4`. Out-of-range ranks are clamped.
pub fn band_colour(rank: u32, of: u32) -> RGBColor {
    if of <= 1 {
        return BANDS4[3];
    }
    let pos = (rank.min(of - 1) as f64) / ((of - 1) as f64) * 3.0;
    let i = (pos.floor() as usize).min(2);
    let f = pos - i as f64;
    let (a, b) = (BANDS4[i], BANDS4[i + 1]);
    let mix = |x: u8, y: u8| (x as f64 + (y as f64 - x as f64) * f).round() as u8;
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// Light qualitative fill colours for labelled segments (cycled by index).
pub fn segment_colour(i: usize) -> RGBColor {
    const SEG: [RGBColor; 7] = [SKY_BLUE, ORANGE, BLUISH_GREEN, YELLOW, REDDISH_PURPLE, BLUE, VERMILLION];
    SEG[i % SEG.len()]
}

/// `#rrggbb` for Markdown/HTML.
pub fn hex(c: RGBColor) -> String {
    format!("#{:02x}{:02x}{:02x}", c.0, c.1, c.2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profiles_are_stable_and_distinct() {
        assert_eq!(profile_colour("Watch-like"), WATCH);
        assert_eq!(profile_colour("ring-like (suppress)"), RING);
        assert_eq!(profile_colour("TRACKER"), TRACKER);
        assert_eq!(profile_colour("other"), profile_colour("other"));
        assert_ne!(WATCH, RING);
        assert_ne!(RING, TRACKER);
    }

    #[test]
    fn band_ramp_endpoints() {
        assert_eq!(band_colour(0, 4), BANDS4[0]);
        assert_eq!(band_colour(3, 4), BANDS4[3]);
        assert_eq!(band_colour(9, 4), BANDS4[3]);
        assert_eq!(band_colour(0, 3), BANDS4[0]);
        assert_eq!(band_colour(2, 3), BANDS4[3]);
        assert_eq!(hex(BANDS4[3]), "#d7191c");
    }
}
