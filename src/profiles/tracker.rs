//! Profile T, "tracker-like" (Huawei/Xiaomi/RingConn-style spot index), stress-profiles.md §6.3.
//!
//! **Rule.** A spot every 30 min, at clock-aligned times t, from the NN intervals ending in
//! (t − 300 s, t]. Index: Baevsky SI = AMo / (2·Mo·MxDMn), 50-ms bins, Mo = modal-bin centre
//! (`[HRV3][HRV4]`), as computed by [`crate::indicators::compute`] (`baevsky_si`).
//!
//! ```text
//! S_T = clamp(round(100 · log10(SI/30) / log10(1000/30)), 1, 100)
//! ```
//! so SI 50 ↦ 15, 100 ↦ 34, 150 ↦ 46, 200 ↦ 54, 300 ↦ 66, 500 ↦ 80, ≥ 1000 ↦ 100.
//! Bands 1–29 relaxed, 30–59 normal, 60–79 medium, 80–100 high (`[OSS][GB2][RC1]`).
//!
//! **Motion** (policy `flag`, the default) \[A\]: computed regardless of motion; `motion_flag`
//! when the spot window's mean motion intensity ≥ the flag threshold (ENMO 50 mg) or, with the
//! HR proxy, any epoch is active. `suppress` drops flagged spots; `none` attaches no flag.
//! A spot is valid under the §6.0 rules (≥ 80 % coverage, ≥ 30 successive differences).

use super::explain::{assumed, doc, explained, Explained};
use super::{Context, MotionPolicy, ProfileInputs, ProfileWindow, WindowStatus};
use serde::{Deserialize, Serialize};

/// Tracker-like parameters. Defaults follow stress-profiles.md §6.3.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TrackerParams {
    /// Spot cadence, s (1800: 30-min stress data `[OSS][GB2][RC1]`).
    pub period_s: f64,
    /// RR window before each spot, s (300: 5-min short-term window `[HRV1]`; combination \[A\]).
    pub window_s: f64,
    /// SI mapped to 0 (30) \[A\].
    pub si_low: f64,
    /// SI mapped to 100 (1000) \[A\].
    pub si_high: f64,
    /// Lower edges of normal, medium, high (30, 60, 80) `[OSS][GB2][RC1]`.
    pub band_edges: [f64; 3],
    /// Spots at or above this count as stress in the daily summary (60) \[A\].
    pub stress_from: f64,
    /// Hours each spot stands for in the daily summary (0.5) \[A\].
    pub spot_h: f64,
    /// Default motion policy (flag) \[A\], reproducing "a very high score instead".
    pub default_policy: MotionPolicy,
}

impl Default for TrackerParams {
    fn default() -> Self {
        TrackerParams {
            period_s: 1800.0,
            window_s: 300.0,
            si_low: 30.0,
            si_high: 1000.0,
            band_edges: [30.0, 60.0, 80.0],
            stress_from: 60.0,
            spot_h: 0.5,
            default_policy: MotionPolicy::Flag,
        }
    }
}

/// log10(SI/si_low)/log10(si_high/si_low), the activation before rounding and clamping.
pub fn activation(p: &TrackerParams, si: f64) -> f64 {
    (si / p.si_low).log10() / (p.si_high / p.si_low).log10()
}

/// S_T from SI.
pub fn score(p: &TrackerParams, si: f64) -> f64 {
    (100.0 * activation(p, si)).round().clamp(1.0, 100.0)
}

/// Band of S_T.
pub fn band(p: &TrackerParams, s: f64) -> &'static str {
    let [a, b, c] = p.band_edges;
    if s >= c {
        "high"
    } else if s >= b {
        "medium"
    } else if s >= a {
        "normal"
    } else {
        "relaxed"
    }
}

/// A spot before the policy is applied.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Cand {
    pub w: ProfileWindow,
    pub si: Option<f64>,
}

/// Spot times of the recording: clock-aligned multiples of `period_s` from the first time
/// with a full window before it to the span end.
pub(crate) fn spot_times(ctx: &Context, p: &TrackerParams) -> Vec<f64> {
    let (lo, hi) = ctx.span;
    let mut t = ctx.clock.align_up(lo + p.window_s, p.period_s);
    let mut out = Vec::new();
    while t <= hi + 1e-6 {
        out.push(t);
        t += p.period_s;
    }
    out
}

pub(crate) fn candidates(ctx: &Context, p: &TrackerParams) -> Vec<Cand> {
    spot_times(ctx, p)
        .into_iter()
        .map(|t| candidate(ctx, p, t))
        .collect()
}

/// The spot at `t` (window `(t − window_s, t]`) before the policy is applied.
pub(crate) fn candidate(ctx: &Context, p: &TrackerParams, t: f64) -> Cand {
    let proxy = ctx.motion.source.is_proxy();
    let s = t - p.window_s;
    let d = ctx.window(s, t);
    let in_motion = d
        .motion
        .mean_intensity
        .is_some_and(|m| m >= ctx.motion.cutpoints.flag_mean_from)
        || (proxy && d.motion.max_level == crate::motion::MotionLevel::Active);
    let si = if d.valid { d.si } else { None };
    Cand {
        si,
        w: ProfileWindow::pending(
            ctx,
            (s, t),
            d.motion,
            (in_motion, false),
            ProfileInputs::of(&d, si.map(|x| activation(p, x))),
        ),
    }
}

pub(crate) fn apply(cands: &[Cand], p: &TrackerParams, policy: MotionPolicy) -> Vec<ProfileWindow> {
    cands
        .iter()
        .map(|c| {
            let mut w = c.w.clone();
            if policy == MotionPolicy::Suppress && w.in_motion {
                w.status = WindowStatus::ExcessMotion;
            } else if let Some(si) = c.si {
                let s = score(p, si);
                w.score = Some(s);
                w.band = Some(band(p, s).into());
                w.status = WindowStatus::Scored;
                w.motion_flag = policy == MotionPolicy::Flag && w.in_motion;
            }
            w
        })
        .collect()
}

/// The tracker-like rule and its documented/assumed table.
pub fn explain(p: &TrackerParams) -> Explained {
    let rule = format!(
        "Every {per:.0} min (clock-aligned) from the last {w:.0} s of RR: Baevsky SI = AMo/(2·Mo·MxDMn) with 50-ms bins and \
Mo = modal-bin centre; S_T = clamp(round(100·log10(SI/{lo})/log10({hi}/{lo})), 1, 100). Bands relaxed < {b0}, normal < {b1}, \
medium < {b2}, high ≥ {b2}. Under the default policy `{pol}` the score is computed during motion and flagged when the \
window's mean motion reaches the flag threshold. Daily: share of spots per band; stress_h = {sh} h × n(S_T ≥ {sf}), with and \
without motion-flagged spots.",
        per = p.period_s / 60.0,
        w = p.window_s,
        lo = p.si_low,
        hi = p.si_high,
        b0 = p.band_edges[0],
        b1 = p.band_edges[1],
        b2 = p.band_edges[2],
        pol = p.default_policy,
        sh = p.spot_h,
        sf = p.stress_from,
    );
    let rows = vec![
        doc(
            "Cadence",
            format!("one value every {:.0} min", p.period_s / 60.0),
            "[OSS][GB2][RC1]",
        ),
        doc(
            "Window",
            format!("{:.0} s (short-term)", p.window_s),
            "[HRV1]",
        ),
        assumed(
            "Cadence + window combination",
            "spot from the last 300 s at each 30-min mark",
            "§6.3",
        ),
        doc(
            "Index",
            "Baevsky SI, 50-ms bins, Mo = modal-bin centre",
            "[HRV3][HRV4]",
        ),
        doc("SI normal range", "50–150", "[OSS][HRV3]"),
        doc(
            "Population normalisation (no personal baseline)",
            "\"normalized against population data\"",
            "[V][M2]",
        ),
        assumed(
            "Population anchors",
            format!("SI {} ↦ 0, SI {} ↦ 100, log scale", p.si_low, p.si_high),
            "§6.3",
        ),
        doc(
            "Bands",
            format!(
                "1–{:.0} relaxed, –{:.0} normal, –{:.0} medium, {:.0}–100 high",
                p.band_edges[0] - 1.0,
                p.band_edges[1] - 1.0,
                p.band_edges[2] - 1.0,
                p.band_edges[2]
            ),
            "[OSS][GB2][RC1]",
        ),
        assumed(
            "Motion policy flag",
            "computed during motion, flagged if window mean ENMO ≥ 50 mg or HR proxy active",
            "§6.3",
        ),
        assumed(
            "Window validity",
            "≥ 80 % clean coverage and ≥ 30 successive differences",
            "§6.0",
        ),
        doc(
            "Daily share per band",
            "stress shown in percent",
            "[OSS][GB2]",
        ),
        assumed(
            "stress_h",
            format!("{} h × n(S_T ≥ {})", p.spot_h, p.stress_from),
            "§6.3",
        ),
    ];
    explained("tracker-like", &rule, rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn si_anchor_table() {
        let p = TrackerParams::default();
        let got: Vec<f64> = [
            50.0, 100.0, 150.0, 200.0, 300.0, 500.0, 1000.0, 5000.0, 10.0,
        ]
        .iter()
        .map(|&s| score(&p, s))
        .collect();
        assert_eq!(
            got,
            vec![15.0, 34.0, 46.0, 54.0, 66.0, 80.0, 100.0, 100.0, 1.0]
        );
        assert_eq!(band(&p, 29.0), "relaxed");
        assert_eq!(band(&p, 30.0), "normal");
        assert_eq!(band(&p, 60.0), "medium");
        assert_eq!(band(&p, 80.0), "high");
    }
}
