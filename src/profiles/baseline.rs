//! The personal baseline: the wearer's calm reference HR and lnRMSSD and their spreads.
//!
//! stress-profiles.md §6.0 \[A\]: reference = median, spread = 1.4826·MAD over *valid, still,
//! awake* windows of the trailing 7 days (watch) / 14 days (ring); floors `sd_hr ≥ 3 bpm`,
//! `sd_ln_rmssd ≥ 0.15`; until ≥ 3 days exist use a user-supplied baseline or the cold-start
//! defaults HR 70 ± 8 bpm, lnRMSSD 3.56 ± 0.35 (RMSSD 35 ms), and mark outputs `uncalibrated`.
//!
//! **Adaptation for short recordings** \[A\]: the test recordings span one day or less, so there
//! are no trailing days. The baseline is then learned from the *same* recording ("self-baseline,
//! same day"): median and 1.4826·MAD over its valid, still, awake 180-s windows (the watch grid),
//! provided there are at least `min_windows` of them (default 10 = 30 min); otherwise the
//! cold-start defaults are used. Either way the profiles say `calibrated = false` unless the
//! baseline was given by the user (`--baseline FILE`) or the recording covers the design's
//! required days. A same-day baseline includes the very stress it should detect, which pulls
//! scores towards the middle: the report says so.
//!
//! JSON file format (all fields in the units shown; unknown fields rejected):
//!
//! ```json
//! { "hr_ref": 68.0, "sd_hr": 5.0, "ln_rmssd_ref": 3.7, "sd_ln_rmssd": 0.3,
//!   "hr_rest": 55.0, "hr_max": 185.0, "ring_activation_ref": [-1.2, -0.3, 0.1, 0.8],
//!   "days": 14.0 }
//! ```
//! `hr_rest`, `hr_max`, `ring_activation_ref` (activation values A of the ring-like baseline
//! windows, whose quartiles define the zones) and `days` are optional.

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// Where a baseline came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum BaselineSource {
    /// Given by the user (`--baseline FILE`).
    #[default]
    File,
    /// Learned from the recording being scored ("self-baseline, same day") \[A\].
    SelfSameDay,
    /// Too few still windows: cold-start defaults HR 70 ± 8, lnRMSSD 3.56 ± 0.35 \[A\].
    ColdStart,
    /// No personal baseline: population scale (tracker-like).
    Population,
}

/// A personal baseline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    /// Reference (calm) heart rate, bpm.
    pub hr_ref: f64,
    /// Spread of HR, bpm (≥ 3, §6.0).
    pub sd_hr: f64,
    /// Reference lnRMSSD (RMSSD in ms).
    pub ln_rmssd_ref: f64,
    /// Spread of lnRMSSD (≥ 0.15, §6.0).
    pub sd_ln_rmssd: f64,
    /// Resting HR, bpm, for the HR activity proxy (optional).
    #[serde(default)]
    pub hr_rest: Option<f64>,
    /// Maximal HR, bpm, for the HR activity proxy (optional).
    #[serde(default)]
    pub hr_max: Option<f64>,
    /// Ring-like activation values of the baseline windows (optional; quartiles → zones).
    #[serde(default)]
    pub ring_activation_ref: Option<Vec<f64>>,
    /// Days of data the baseline summarises (optional).
    #[serde(default)]
    pub days: Option<f64>,
    /// Where it came from. Written by `to_json` so that a saved baseline says how it was
    /// made; the loader accepts it but always sets `file`.
    #[serde(default)]
    pub source: BaselineSource,
    /// Number of windows it was learned from (0 for files and cold start); informational.
    #[serde(default)]
    pub n_windows: usize,
}

/// Floors on the spreads (§6.0) \[A\].
pub const SD_HR_FLOOR: f64 = 3.0;
/// Floor on the lnRMSSD spread (§6.0) \[A\].
pub const SD_LN_FLOOR: f64 = 0.15;

impl Baseline {
    /// Cold-start defaults: HR 70 ± 8 bpm, lnRMSSD 3.56 ± 0.35 (§6.0) \[A\].
    pub fn cold_start() -> Baseline {
        Baseline {
            hr_ref: 70.0,
            sd_hr: 8.0,
            ln_rmssd_ref: 3.56,
            sd_ln_rmssd: 0.35,
            hr_rest: None,
            hr_max: None,
            ring_activation_ref: None,
            days: None,
            source: BaselineSource::ColdStart,
            n_windows: 0,
        }
    }

    /// Learn from (HR, lnRMSSD) pairs of valid, still, awake windows: median and 1.4826·MAD
    /// with the floors. Falls back to [`Baseline::cold_start`] with fewer than `min_windows`.
    pub fn learn(hr: &[f64], ln_rmssd: &[f64], min_windows: usize, days: f64) -> Baseline {
        let n = hr.len().min(ln_rmssd.len());
        if n < min_windows.max(1) {
            return Baseline::cold_start();
        }
        let (Some((h, sh)), Some((l, sl))) = (
            super::stats::median_robust_sd(&hr[..n]),
            super::stats::median_robust_sd(&ln_rmssd[..n]),
        ) else {
            return Baseline::cold_start();
        };
        Baseline {
            hr_ref: h,
            sd_hr: sh.max(SD_HR_FLOOR),
            ln_rmssd_ref: l,
            sd_ln_rmssd: sl.max(SD_LN_FLOOR),
            hr_rest: None,
            hr_max: None,
            ring_activation_ref: None,
            days: Some(days),
            source: BaselineSource::SelfSameDay,
            n_windows: n,
        }
    }

    /// Check ranges; `path` names the file in the error.
    pub fn validate(&self, path: &Path) -> Result<()> {
        let bad = |name: &str, v: f64, exp: &str| {
            Err(Error::Config {
                name: format!("{}: {name}", path.display()),
                value: v.to_string(),
                expected: exp.into(),
            })
        };
        if !(self.hr_ref.is_finite() && (25.0..=250.0).contains(&self.hr_ref)) {
            return bad(
                "hr_ref",
                self.hr_ref,
                "a heart rate in bpm between 25 and 250",
            );
        }
        if !(self.sd_hr.is_finite() && self.sd_hr > 0.0) {
            return bad("sd_hr", self.sd_hr, "a positive spread in bpm");
        }
        if !(self.ln_rmssd_ref.is_finite() && (0.0..=7.0).contains(&self.ln_rmssd_ref)) {
            return bad(
                "ln_rmssd_ref",
                self.ln_rmssd_ref,
                "ln of RMSSD in ms, between 0 and 7 (RMSSD 1–1100 ms)",
            );
        }
        if !(self.sd_ln_rmssd.is_finite() && self.sd_ln_rmssd > 0.0) {
            return bad("sd_ln_rmssd", self.sd_ln_rmssd, "a positive spread");
        }
        for (name, v) in [("hr_rest", self.hr_rest), ("hr_max", self.hr_max)] {
            if let Some(v) = v {
                if !(v.is_finite() && (25.0..=250.0).contains(&v)) {
                    return bad(name, v, "a heart rate in bpm between 25 and 250");
                }
            }
        }
        if let (Some(r), Some(m)) = (self.hr_rest, self.hr_max) {
            if m <= r {
                return bad("hr_max", m, "greater than hr_rest");
            }
        }
        if let Some(a) = &self.ring_activation_ref {
            if let Some(x) = a.iter().find(|x| !x.is_finite()) {
                return bad("ring_activation_ref", *x, "finite numbers");
            }
        }
        Ok(())
    }

    /// Parse a baseline from JSON text (`path` is only used in messages).
    pub fn from_json_str(text: &str, path: &Path) -> Result<Baseline> {
        let mut b: Baseline = serde_json::from_str(text).map_err(|e| {
            Error::parse(
                path,
                Some(e.line() as u64),
                Some(e.column() as u64),
                "a baseline JSON object {hr_ref, sd_hr, ln_rmssd_ref, sd_ln_rmssd[, hr_rest, hr_max, ring_activation_ref, days]}",
                e.to_string(),
            )
        })?;
        b.source = BaselineSource::File;
        b.validate(path)?;
        Ok(b)
    }

    /// Load a baseline from a JSON file (`--baseline FILE`).
    pub fn load_json(path: &Path) -> Result<Baseline> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        Baseline::from_json_str(&text, path)
    }

    /// Serialise to pretty JSON (the format `load_json` reads).
    pub fn to_json(&self) -> String {
        // Serialising plain numbers and options cannot fail.
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn learn_uses_median_mad_and_floors() {
        let hr = [
            60.0, 61.0, 62.0, 63.0, 64.0, 65.0, 66.0, 67.0, 68.0, 69.0, 200.0,
        ];
        let ln = [3.5; 11];
        let b = Baseline::learn(&hr, &ln, 10, 1.0);
        assert_eq!(b.source, BaselineSource::SelfSameDay);
        assert_eq!(b.hr_ref, 65.0);
        // |dev| = 5,4,3,2,1,0,1,2,3,4,135 → MAD 3 → 4.4478 (above the floor).
        assert!((b.sd_hr - 3.0 * 1.4826).abs() < 1e-9);
        assert_eq!(b.sd_ln_rmssd, SD_LN_FLOOR);
        let b = Baseline::learn(&hr[..5], &ln[..5], 10, 1.0);
        assert_eq!(b.source, BaselineSource::ColdStart);
        assert_eq!(
            (b.hr_ref, b.sd_hr, b.ln_rmssd_ref, b.sd_ln_rmssd),
            (70.0, 8.0, 3.56, 0.35)
        );
    }

    #[test]
    fn json_round_trip_and_errors() {
        let p = Path::new("base.json");
        let b = Baseline::from_json_str(
            r#"{"hr_ref": 66, "sd_hr": 4, "ln_rmssd_ref": 3.8, "sd_ln_rmssd": 0.3, "hr_rest": 52}"#,
            p,
        )
        .unwrap();
        assert_eq!(b.source, BaselineSource::File);
        assert_eq!(b.hr_rest, Some(52.0));
        let again = Baseline::from_json_str(&b.to_json(), p).unwrap();
        assert_eq!(again.hr_ref, 66.0);
        let e = Baseline::from_json_str("{\"hr_ref\": 66,\n \"sd_hr\": \"x\"}", p)
            .unwrap_err()
            .to_string();
        assert!(e.contains("base.json:2"), "{e}");
        let e = Baseline::from_json_str(
            r#"{"hr_ref": 66, "sd_hr": -1, "ln_rmssd_ref": 3.8, "sd_ln_rmssd": 0.3}"#,
            p,
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("sd_hr") && e.contains("positive"), "{e}");
        let e = Baseline::from_json_str(
            r#"{"hr_ref": 66, "sd_hr": 4, "ln_rmssd_ref": 3.8, "sd_ln_rmssd": 0.3, "typo": 1}"#,
            p,
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("typo"), "{e}");
    }
}
