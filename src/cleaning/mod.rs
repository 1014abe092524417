//! RR cleaning (interface; the documented methods are being implemented).
//!
//! Input: raw beats. Output: [`Cleaned`], a structure-of-arrays NN series plus the log of
//! every edit. Successive differences are only valid between two clean, contiguous beats
//! (`diff_ok`).

use crate::recording::{Beat, BeatFlags};
use serde::{Deserialize, Serialize};

/// A cleaned NN series with its edit log.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Cleaned {
    /// End time of each NN interval, s since the recording start.
    pub t_s: Vec<f64>,
    /// NN interval, ms.
    pub rr_ms: Vec<f64>,
    /// `diff_ok[k]`: the difference `rr_ms[k] - rr_ms[k-1]` is valid.
    pub diff_ok: Vec<bool>,
    /// `corrected[k]`: this interval was edited (interpolated, merged, inserted).
    pub corrected: Vec<bool>,
}

/// Cleaning settings (placeholder until the full module lands).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CleaningConfig {}

/// Keep 300 ≤ RR ≤ 2000 ms (placeholder until the full module lands).
pub fn clean(beats: &[Beat], _cfg: &CleaningConfig) -> Cleaned {
    let mut c = Cleaned::default();
    let mut prev_kept = false;
    for b in beats {
        let ok = (300.0..=2000.0).contains(&b.rr_ms);
        if ok {
            c.t_s.push(b.t_s);
            c.rr_ms.push(b.rr_ms);
            c.diff_ok
                .push(prev_kept && !b.flags.contains(BeatFlags::GAP_BEFORE));
            c.corrected.push(false);
        }
        prev_kept = ok;
    }
    c
}
