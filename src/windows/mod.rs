//! Analysis windows: placement on a (clock-aligned) grid, slicing, and quality/validity.
//!
//! ## Placement
//! Windows are `len_s` long and start every `step_s` (default 300 s every 30 s). Window
//! starts lie on the grid `phase + k·step_s`:
//! - `clock_aligned` and the recording's absolute start is known: the grid is aligned to the
//!   *local* wall clock of the recording (its UTC offset), i.e. `phase` is chosen so that a
//!   window starts whenever the local time of day is a multiple of `step_s` (at :00 and :30
//!   for a 30-s step);
//! - otherwise the grid is aligned to t = 0 (`phase = 0`).
//!
//! Only *full* windows inside the accepted span of beats are produced: start ≥ start of the
//! first accepted interval and end ≤ end of the last accepted beat (1 µs tolerance). On
//! `../shared/reference/rr_24h.csv` (86,700.5 s from t = 0) that gives 2,881 windows; the
//! reference's windows i = 0…2879 (`../shared/reference/README.md`) are the first 2,880.
//!
//! ## Membership
//! An NN interval belongs to a window if its **end time** is in `(start, end]` ([`slice()`];
//! the convention of `../shared/reference/README.md`).
//!
//! ## Quality ([`WindowQuality`])
//! - `n_beats`: NN intervals in the window (corrected ones included);
//! - `n_valid_diffs`: successive differences inside the window between two clean, contiguous
//!   NN intervals (`diff_ok`, the first interval of the window not counted);
//! - `coverage`: share of the window's duration covered by its NN intervals, each interval
//!   `[t − NN, t]` clipped to the window (so an interval straddling the start only counts
//!   for its part inside); corrected intervals count as covered;
//! - `corrected_share`: corrected intervals / `n_beats`;
//! - `n_removed`: beats the cleaner removed whose end time falls in the window (artefacts,
//!   flags, range; not invalid values or beats whose time went backwards, whose time cannot
//!   be trusted).
//!
//! ## Validity (defaults from stress-profiles.md §6.0 unless marked)
//! A window is valid when, checked in this order:
//! 1. it has at least 2 NN intervals (`no_beats` / else),
//! 2. `coverage ≥ min_coverage` (0.80) — reason `low_coverage`,
//! 3. `n_valid_diffs ≥ min_valid_diffs` (30) — reason `too_few_diffs`,
//! 4. `corrected_share ≤ max_corrected_share` (0.20, *assumed*: beyond one interval in five
//!    the indicators describe the correction more than the heart) — reason `too_many_corrected`.

use crate::cleaning::Cleaned;
use crate::error::{Error, Result};
use crate::indicators::NnWindow;
use chrono::{DateTime, FixedOffset, Timelike};
use serde::{Deserialize, Serialize};

/// Tolerance on window edges against the data span, s.
const EDGE_EPS_S: f64 = 1e-6;

/// Window length, step, alignment and validity rules.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WindowSpec {
    /// Window length, s (default 300).
    pub len_s: f64,
    /// Step between window starts, s (default 30).
    pub step_s: f64,
    /// Align window starts to the local wall clock when the start time is known (default true).
    pub clock_aligned: bool,
    /// Minimum coverage by NN intervals, fraction (default 0.80, stress-profiles.md §6.0).
    pub min_coverage: f64,
    /// Minimum number of valid successive differences (default 30, stress-profiles.md §6.0).
    pub min_valid_diffs: usize,
    /// Maximum share of corrected intervals (default 0.20, *assumed*).
    pub max_corrected_share: f64,
}

impl Default for WindowSpec {
    fn default() -> Self {
        WindowSpec {
            len_s: 300.0,
            step_s: 30.0,
            clock_aligned: true,
            min_coverage: 0.8,
            min_valid_diffs: 30,
            max_corrected_share: 0.2,
        }
    }
}

impl WindowSpec {
    /// Check every field; the error names the setting.
    pub fn validate(&self) -> Result<()> {
        let bad = |name: &str, value: String, expected: &str| {
            Err(Error::Config {
                name: name.into(),
                value,
                expected: expected.into(),
            })
        };
        if !(self.len_s.is_finite() && self.len_s >= 1.0 && self.len_s <= 86_400.0) {
            return bad("window.len_s", self.len_s.to_string(), "1 to 86400 s");
        }
        if !(self.step_s.is_finite() && self.step_s >= 0.5 && self.step_s <= 86_400.0) {
            return bad("window.step_s", self.step_s.to_string(), "0.5 to 86400 s");
        }
        if !(0.0..=1.0).contains(&self.min_coverage) {
            return bad(
                "window.min_coverage",
                self.min_coverage.to_string(),
                "a fraction 0 to 1",
            );
        }
        if !(0.0..=1.0).contains(&self.max_corrected_share) {
            return bad(
                "window.max_corrected_share",
                self.max_corrected_share.to_string(),
                "a fraction 0 to 1",
            );
        }
        Ok(())
    }

    /// Offset of the window grid, s in `[0, step_s)`: window starts are `phase + k·step_s`.
    pub fn phase_s(&self, start: Option<&DateTime<FixedOffset>>) -> f64 {
        match (self.clock_aligned, start) {
            (true, Some(st)) => {
                let tod = st.num_seconds_from_midnight() as f64
                    + st.nanosecond().min(999_999_999) as f64 * 1e-9;
                (-tod).rem_euclid(self.step_s)
            }
            _ => 0.0,
        }
    }

    /// Index `k` of the first window whose start is ≥ `span_start`.
    pub fn first_index(&self, phase: f64, span_start: f64) -> i64 {
        ((span_start - phase - EDGE_EPS_S) / self.step_s).ceil() as i64
    }

    /// Start of window `k`, s.
    pub fn start_of(&self, phase: f64, k: i64) -> f64 {
        phase + k as f64 * self.step_s
    }

    /// True if window `k` ends inside a span ending at `span_end`.
    pub fn fits(&self, phase: f64, k: i64, span_end: f64) -> bool {
        self.start_of(phase, k) + self.len_s <= span_end + EDGE_EPS_S
    }

    /// True if window `k` ends at or before `t` (no tolerance: used by the streaming engine
    /// to close a window before the end of the stream).
    pub fn ends_by(&self, phase: f64, k: i64, t: f64) -> bool {
        self.start_of(phase, k) + self.len_s <= t
    }

    /// Every `(start_s, end_s)` of the full windows inside `span`.
    pub fn grid(&self, phase: f64, span: (f64, f64)) -> Vec<(f64, f64)> {
        let mut out = Vec::new();
        if !(span.0.is_finite() && span.1.is_finite()) {
            return out;
        }
        let mut k = self.first_index(phase, span.0);
        while self.fits(phase, k, span.1) {
            let s = self.start_of(phase, k);
            out.push((s, s + self.len_s));
            k += 1;
        }
        out
    }
}

/// Why a window is not valid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InvalidReason {
    /// Fewer than 2 NN intervals.
    NoBeats,
    /// Coverage below `min_coverage`.
    LowCoverage,
    /// Fewer than `min_valid_diffs` valid successive differences.
    TooFewDiffs,
    /// More than `max_corrected_share` of the intervals were corrected.
    TooManyCorrected,
}

impl InvalidReason {
    /// Stable short name (`no_beats`, `low_coverage`, `too_few_diffs`, `too_many_corrected`).
    pub fn as_str(self) -> &'static str {
        match self {
            InvalidReason::NoBeats => "no_beats",
            InvalidReason::LowCoverage => "low_coverage",
            InvalidReason::TooFewDiffs => "too_few_diffs",
            InvalidReason::TooManyCorrected => "too_many_corrected",
        }
    }
}

impl std::fmt::Display for InvalidReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Quality of one window (see the module documentation for each field's rule).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WindowQuality {
    /// Window start, s since the recording start (exclusive).
    pub start_s: f64,
    /// Window end, s (inclusive).
    pub end_s: f64,
    /// NN intervals in the window.
    pub n_beats: usize,
    /// Valid successive differences in the window.
    pub n_valid_diffs: usize,
    /// Share of the window covered by NN intervals, 0–1.
    pub coverage: f64,
    /// Corrected intervals in the window.
    pub n_corrected: usize,
    /// Share of corrected intervals, 0–1 (0 when empty).
    pub corrected_share: f64,
    /// Beats removed by the cleaner whose end time falls in the window.
    pub n_removed: usize,
    /// Window passes every validity rule.
    pub valid: bool,
    /// First rule it fails, when not valid.
    pub invalid_reason: Option<InvalidReason>,
}

/// The NN intervals of `c` whose end time falls in `(start_s, end_s]`.
pub fn slice(c: &Cleaned, start_s: f64, end_s: f64) -> NnWindow<'_> {
    let (i0, i1) = bounds(&c.t_s, start_s, end_s);
    NnWindow {
        rr_ms: &c.rr_ms[i0..i1],
        t_s: &c.t_s[i0..i1],
        diff_ok: &c.diff_ok[i0..i1],
    }
}

/// Index range of the times in `(start_s, end_s]` of a sorted slice.
pub fn bounds(t_s: &[f64], start_s: f64, end_s: f64) -> (usize, usize) {
    let i0 = t_s.partition_point(|&t| t <= start_s);
    let i1 = t_s.partition_point(|&t| t <= end_s).max(i0);
    (i0, i1)
}

/// Quality of the window `(start_s, end_s]` holding `w` (with its `corrected` flags) and
/// `n_removed` removed beats.
pub fn quality(
    w: &NnWindow,
    corrected: &[bool],
    n_removed: usize,
    start_s: f64,
    end_s: f64,
    spec: &WindowSpec,
) -> WindowQuality {
    let n = w.rr_ms.len();
    let mut covered = 0.0;
    for (&t, &rr) in w.t_s.iter().zip(w.rr_ms) {
        let a = (t - rr / 1000.0).max(start_s);
        let b = t.min(end_s);
        if b > a {
            covered += b - a;
        }
    }
    let len = end_s - start_s;
    let coverage = if len > 0.0 {
        (covered / len).min(1.0)
    } else {
        0.0
    };
    let n_valid_diffs = w.diff_ok.iter().skip(1).filter(|&&d| d).count();
    let n_corrected = corrected.iter().filter(|&&c| c).count();
    let corrected_share = if n > 0 {
        n_corrected as f64 / n as f64
    } else {
        0.0
    };
    let invalid_reason = if n < 2 {
        Some(InvalidReason::NoBeats)
    } else if coverage < spec.min_coverage {
        Some(InvalidReason::LowCoverage)
    } else if n_valid_diffs < spec.min_valid_diffs {
        Some(InvalidReason::TooFewDiffs)
    } else if corrected_share > spec.max_corrected_share {
        Some(InvalidReason::TooManyCorrected)
    } else {
        None
    };
    WindowQuality {
        start_s,
        end_s,
        n_beats: n,
        n_valid_diffs,
        coverage,
        n_corrected,
        corrected_share,
        n_removed,
        valid: invalid_reason.is_none(),
        invalid_reason,
    }
}

/// Batch windowing of a whole cleaned series: every full window of the grid with its slice
/// and quality. (The streaming [`crate::engine::Engine`] produces the same windows.)
pub fn batch<'a>(
    c: &'a Cleaned,
    spec: &WindowSpec,
    start: Option<&DateTime<FixedOffset>>,
) -> Vec<(WindowQuality, NnWindow<'a>)> {
    let Some(span) = c.span_s else {
        return Vec::new();
    };
    let phase = spec.phase_s(start);
    let mut removed: Vec<f64> = c
        .edits
        .iter()
        .filter(|e| e.counts_as_removed_in_window())
        .map(|e| e.t_s)
        .collect();
    removed.sort_unstable_by(f64::total_cmp);
    spec.grid(phase, span)
        .into_iter()
        .map(|(s, e)| {
            let (i0, i1) = bounds(&c.t_s, s, e);
            let w = slice(c, s, e);
            let (r0, r1) = bounds(&removed, s, e);
            let q = quality(&w, &c.corrected[i0..i1], r1 - r0, s, e, spec);
            (q, w)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cleaning::{clean, CleaningConfig};
    use crate::recording::{Beat, BeatFlags};

    fn series(n: usize, rr: f64) -> Vec<Beat> {
        (1..=n)
            .map(|k| Beat {
                t_s: k as f64 * rr / 1000.0,
                rr_ms: rr,
                flags: BeatFlags::NONE,
            })
            .collect()
    }

    #[test]
    fn grid_matches_reference_window_count() {
        let spec = WindowSpec::default();
        // rr_24h.csv spans 86,700.549 s from t = 0: the reference's windows i = 0…2879
        // (shared/reference/README.md) are the first 2,880 of our 2,881 full windows.
        let g = spec.grid(0.0, (0.0, 86_700.549));
        assert_eq!(g.len(), 2881);
        assert_eq!(spec.grid(0.0, (0.0, 86_699.9)).len(), 2880);
        assert_eq!(g[0], (0.0, 300.0));
        assert_eq!(g[2879], (86_370.0, 86_670.0));
    }

    #[test]
    fn clock_alignment_uses_local_time_of_day() {
        let spec = WindowSpec::default();
        let st = DateTime::parse_from_rfc3339("2026-03-02T10:00:12.5+01:00").unwrap();
        let phase = spec.phase_s(Some(&st));
        assert!((phase - 17.5).abs() < 1e-9, "{phase}");
        let st0 = DateTime::parse_from_rfc3339("2026-03-02T10:00:00+01:00").unwrap();
        assert_eq!(spec.phase_s(Some(&st0)), 0.0);
        let unaligned = WindowSpec {
            clock_aligned: false,
            ..spec
        };
        assert_eq!(unaligned.phase_s(Some(&st)), 0.0);
    }

    #[test]
    fn membership_is_end_time_in_half_open_interval() {
        let c = clean(&series(10, 1000.0), &CleaningConfig::default());
        let w = slice(&c, 2.0, 5.0);
        assert_eq!(w.t_s, &[3.0, 4.0, 5.0]);
    }

    #[test]
    fn quality_of_a_full_clean_window() {
        let c = clean(&series(700, 1000.0), &CleaningConfig::default());
        let wins = batch(&c, &WindowSpec::default(), None);
        assert_eq!(wins.len(), (700 - 300) / 30 + 1);
        let q = &wins[1].0;
        assert_eq!(q.n_beats, 300);
        assert_eq!(q.n_valid_diffs, 299);
        assert!((q.coverage - 1.0).abs() < 1e-12);
        assert!(q.valid);
    }

    #[test]
    fn coverage_drops_with_removed_beats_and_reason_is_reported() {
        let mut b = series(400, 1000.0);
        for x in b.iter_mut().take(200).skip(100) {
            x.flags = BeatFlags::CONTACT_LOST;
        }
        let c = clean(&b, &CleaningConfig::default());
        let wins = batch(&c, &WindowSpec::default(), None);
        let q = &wins[0].0; // (0, 300]: 200 of 300 s covered
        assert!((q.coverage - 200.0 / 300.0).abs() < 1e-9, "{}", q.coverage);
        assert_eq!(q.n_removed, 100);
        assert_eq!(q.invalid_reason, Some(InvalidReason::LowCoverage));
        assert!(!q.valid);
    }

    #[test]
    fn too_few_diffs_and_no_beats() {
        let spec = WindowSpec {
            len_s: 20.0,
            step_s: 20.0,
            ..Default::default()
        };
        let c = clean(&series(40, 1000.0), &CleaningConfig::default());
        let wins = batch(&c, &spec, None);
        assert_eq!(wins[0].0.invalid_reason, Some(InvalidReason::TooFewDiffs));
        let empty = Cleaned::default();
        let w = slice(&empty, 0.0, 10.0);
        let q = quality(&w, &[], 0, 0.0, 10.0, &spec);
        assert_eq!(q.invalid_reason, Some(InvalidReason::NoBeats));
    }
}
