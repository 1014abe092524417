//! Profile W, "watch-like" (Firstbeat/Garmin-inspired), stress-profiles.md §6.1.
//!
//! **Rule.** Non-overlapping 180-s windows aligned to multiples of 180 s on the local clock.
//! For each valid window (§6.0: ≥ 80 % clean coverage, ≥ 30 successive differences):
//!
//! ```text
//! x   = w_hr·(HR − hr_ref)/sd_hr + w_ln·(ln_rmssd_ref − lnRMSSD)/sd_ln_rmssd     (w = 0.5, 0.5)
//! S_W = clamp(round(100 / (1 + exp(−ln 3 · (x − 1)))), 0, 100)
//! ```
//! so x = −1 ↦ 10, 0 ↦ 25, 1 ↦ 50, 2 ↦ 75, 3 ↦ 90. Bands: rest 0–25, low 26–50, medium 51–75,
//! high 76–100 (`[V][G1][G5]`).
//!
//! **Codes** (`[V][G5][FIT1]`; triggers \[A\]): −1 not enough data (invalid window); −2 excess
//! motion: window-mean motion intensity ≥ the flag threshold (ENMO 50 mg), or any epoch
//! *active*, or the HR proxy active; −4 recovering: the window starts ≤ 30 min after the end of
//! an active bout lasting ≥ 5 min, while the window HR > hr_ref + 2·sd_hr.
//!
//! **Policies.** `suppress` (default): −2, then −4, then −1 take precedence over a score.
//! `flag`: every valid window is scored; `motion_flag` marks the −2/−4 windows. `none`: every
//! valid window is scored, no flag. Invalid windows are −1 under every policy.

use super::explain::{assumed, doc, explained, Explained};
use super::{Baseline, Context, MotionPolicy, ProfileInputs, ProfileWindow, WindowStatus};
use serde::{Deserialize, Serialize};

/// Watch-like parameters. Defaults follow stress-profiles.md §6.1.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct WatchParams {
    /// Window length and cadence, s (180: "3-minute averages" `[V][G5]`; alignment \[A\]).
    pub window_s: f64,
    /// Weight of the HR z-score in x (0.5) \[A\].
    pub w_hr: f64,
    /// Weight of the lnRMSSD drop z-score in x (0.5) \[A\].
    pub w_ln_rmssd: f64,
    /// Logistic slope (ln 3 ≈ 1.0986) \[A\].
    pub slope: f64,
    /// Logistic centre: x at which S_W = 50 (1.0) \[A\].
    pub centre: f64,
    /// Upper edges of rest, low and medium (25, 50, 75) `[V][G1][G5]`.
    pub band_edges: [f64; 3],
    /// Post-exercise (−4) period after an active bout, s (1800) \[A\].
    pub recovery_s: f64,
    /// Minimum active bout length for −4, s (300) \[A\].
    pub recovery_min_bout_s: f64,
    /// −4 applies while HR > hr_ref + this · sd_hr (2.0) \[A\].
    pub recovery_hr_sd: f64,
    /// Default motion policy (suppress) — Garmin shows grey bars / a message `[V][G1]`.
    pub default_policy: MotionPolicy,
    /// Days of data the design wants before the baseline counts as calibrated (3) \[A\].
    pub baseline_days_required: f64,
}

impl Default for WatchParams {
    fn default() -> Self {
        WatchParams {
            window_s: 180.0,
            w_hr: 0.5,
            w_ln_rmssd: 0.5,
            slope: 3f64.ln(),
            centre: 1.0,
            band_edges: [25.0, 50.0, 75.0],
            recovery_s: 1800.0,
            recovery_min_bout_s: 300.0,
            recovery_hr_sd: 2.0,
            default_policy: MotionPolicy::Suppress,
            baseline_days_required: 3.0,
        }
    }
}

/// x, the activation (weighted z-sum).
pub fn activation(p: &WatchParams, b: &Baseline, hr: f64, ln_rmssd: f64) -> f64 {
    p.w_hr * (hr - b.hr_ref) / b.sd_hr + p.w_ln_rmssd * (b.ln_rmssd_ref - ln_rmssd) / b.sd_ln_rmssd
}

/// S_W from x.
pub fn score(p: &WatchParams, x: f64) -> f64 {
    (100.0 / (1.0 + (-p.slope * (x - p.centre)).exp()))
        .round()
        .clamp(0.0, 100.0)
}

/// Band of a score: rest, low, medium, high.
pub fn band(p: &WatchParams, s: f64) -> &'static str {
    let [a, b, c] = p.band_edges;
    if s <= a {
        "rest"
    } else if s <= b {
        "low"
    } else if s <= c {
        "medium"
    } else {
        "high"
    }
}

/// A window before the policy is applied.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Cand {
    pub w: ProfileWindow,
    pub x: Option<f64>,
}

/// Active bouts long enough to trigger −4 (≥ `recovery_min_bout_s`).
pub(crate) fn recovery_bouts(ctx: &Context, p: &WatchParams) -> Vec<(f64, f64)> {
    ctx.motion
        .active_bouts()
        .into_iter()
        .filter(|(s, e)| e - s >= p.recovery_min_bout_s - 1e-9)
        .collect()
}

pub(crate) fn candidates(ctx: &Context, p: &WatchParams, b: &Baseline) -> Vec<Cand> {
    let bouts = recovery_bouts(ctx, p);
    ctx.grid(p.window_s)
        .into_iter()
        .map(|s| candidate(ctx, p, b, &bouts, s))
        .collect()
}

/// The window `[s, s + window_s)` before the policy is applied.
pub(crate) fn candidate(
    ctx: &Context,
    p: &WatchParams,
    b: &Baseline,
    bouts: &[(f64, f64)],
    s: f64,
) -> Cand {
    let proxy = ctx.motion.source.is_proxy();
    let e = s + p.window_s;
    let d = ctx.window(s, e);
    let in_motion =
        d.motion.in_motion || (proxy && d.motion.max_level == crate::motion::MotionLevel::Active);
    let after_bout = bouts
        .iter()
        .any(|&(_, be)| be <= s + 1e-9 && s - be < p.recovery_s);
    let recovering = !in_motion
        && after_bout
        && d.hr
            .is_some_and(|h| h > b.hr_ref + p.recovery_hr_sd * b.sd_hr);
    let x = match (d.valid, d.hr, d.ln_rmssd) {
        (true, Some(h), Some(l)) => Some(activation(p, b, h, l)),
        _ => None,
    };
    Cand {
        x,
        w: ProfileWindow::pending(
            ctx,
            (s, e),
            d.motion,
            (in_motion, recovering),
            ProfileInputs::of(&d, x),
        ),
    }
}

pub(crate) fn apply(cands: &[Cand], p: &WatchParams, policy: MotionPolicy) -> Vec<ProfileWindow> {
    cands
        .iter()
        .map(|c| {
            let mut w = c.w.clone();
            let masked = match policy {
                MotionPolicy::Suppress if w.in_motion => Some((WindowStatus::ExcessMotion, -2)),
                MotionPolicy::Suppress if w.recovering => Some((WindowStatus::Recovering, -4)),
                _ => None,
            };
            if let Some((st, code)) = masked {
                w.status = st;
                w.code = Some(code);
            } else if let Some(x) = c.x {
                let s = score(p, x);
                w.score = Some(s);
                w.band = Some(band(p, s).to_string());
                w.status = WindowStatus::Scored;
                w.motion_flag = policy == MotionPolicy::Flag && (w.in_motion || w.recovering);
            } else {
                w.status = WindowStatus::NotEnoughData;
                w.code = Some(-1);
            }
            w
        })
        .collect()
}

/// The watch-like rule and its documented/assumed table (Markdown inside).
pub fn explain(p: &WatchParams) -> Explained {
    let rule = format!(
        "Every {w:.0} s (aligned to the clock), from the RR intervals of that window: \
x = {a}·(HR − hr_ref)/sd_hr + {b}·(ln_rmssd_ref − lnRMSSD)/sd_ln_rmssd; \
S_W = clamp(round(100/(1 + exp(−{k:.4}·(x − {c})))), 0, 100). Bands rest ≤ {e0}, low ≤ {e1}, medium ≤ {e2}, high above. \
Under the default policy `{pol}` a window shows −2 (excess motion) if its mean motion reaches the flag threshold or any \
epoch is active, −4 (recovering) for up to {r:.0} min after an active bout of ≥ {mb:.0} min while HR > hr_ref + {hs}·sd_hr, \
−1 when too few clean beats. Daily: stress = low + medium + high (26–100) as Garmin counts it; strict = medium + high.",
        w = p.window_s,
        a = p.w_hr,
        b = p.w_ln_rmssd,
        k = p.slope,
        c = p.centre,
        e0 = p.band_edges[0],
        e1 = p.band_edges[1],
        e2 = p.band_edges[2],
        pol = p.default_policy,
        r = p.recovery_s / 60.0,
        mb = p.recovery_min_bout_s / 60.0,
        hs = p.recovery_hr_sd,
    );
    let rows = vec![
        doc("Scale", "0–100", "[V][G1][G5]"),
        doc("Cadence", format!("{:.0}-s values (\"3-minute averages\")", p.window_s), "[V][G5]"),
        assumed("Window alignment", "multiples of the window length on the local clock", "§6.1"),
        doc("Inputs: HR level and HRV", "HR and lnRMSSD", "[V][F2] (Firstbeat uses HR, HRV, breathing, VO2)"),
        assumed("Reduction to two inputs", "HR and lnRMSSD only", "§6.1"),
        assumed("Activation x", format!("{}·z_HR + {}·z_lnRMSSD-drop", p.w_hr, p.w_ln_rmssd), "§6.1"),
        assumed("Score mapping", format!("logistic, slope {:.4} (ln 3), centre {}", p.slope, p.centre), "§6.1; anchors 25 = rest/stress boundary [N][F8]"),
        doc("Bands", format!("rest 0–{:.0}, low –{:.0}, medium –{:.0}, high –100", p.band_edges[0], p.band_edges[1], p.band_edges[2]), "[V][G1][G5]"),
        doc("Codes −1 / −2 / −4", "not enough data / excess motion / recovering", "[V][G5][FIT1]"),
        assumed("−2 trigger", "window mean motion ≥ flag threshold (ENMO 50 mg), any active epoch, or HR proxy active", "§6.1"),
        assumed("−4 trigger", format!("≤ {:.0} min after an active bout ≥ {:.0} min while HR > hr_ref + {}·sd_hr", p.recovery_s / 60.0, p.recovery_min_bout_s / 60.0, p.recovery_hr_sd), "§6.1"),
        doc("Activity excluded from stress", "motion windows get no score (policy suppress)", "[V][F2][F3][G1]"),
        assumed("Personal baseline", "median and 1.4826·MAD over valid, still, awake windows; floors sd_hr ≥ 3, sd_ln ≥ 0.15", "§6.0"),
        assumed("Baseline period", format!("trailing 7 days, ≥ {:.0} days to be calibrated; 1-day recordings: self-baseline, same day", p.baseline_days_required), "§6.0/§6.1"),
        doc("Baseline learned from the user", "\"learn the user's natural biometric norms\"", "[V][G5]"),
        assumed("Cold start", "HR 70 ± 8 bpm, lnRMSSD 3.56 ± 0.35", "§6.0"),
        assumed("Window validity", "≥ 80 % clean coverage and ≥ 30 successive differences", "§6.0"),
        doc("Daily fields", "time per band, stressDuration = 26–100, activityStressDuration, uncategorized", "[V][G6]"),
        assumed("Daily qualifier", "band of the day's average score (calm/balanced/stressful/very_stressful)", "§6.1; consistent with [OSS][G8]"),
        assumed("Strict stress hours", "medium + high only", "§6.1"),
    ];
    explained("watch-like", &rule, rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logistic_anchors() {
        let p = WatchParams::default();
        let got: Vec<f64> = [-1.0, 0.0, 1.0, 2.0, 3.0]
            .iter()
            .map(|&x| score(&p, x))
            .collect();
        assert_eq!(got, vec![10.0, 25.0, 50.0, 75.0, 90.0]);
        assert_eq!(band(&p, 25.0), "rest");
        assert_eq!(band(&p, 26.0), "low");
        assert_eq!(band(&p, 75.0), "medium");
        assert_eq!(band(&p, 76.0), "high");
    }

    #[test]
    fn activation_is_weighted_z_sum() {
        let p = WatchParams::default();
        let b = Baseline::cold_start(); // 70 ± 8, 3.56 ± 0.35
        let x = activation(&p, &b, 86.0, 3.56 - 0.35);
        assert!((x - (0.5 * 2.0 + 0.5 * 1.0)).abs() < 1e-12);
    }

    #[test]
    fn explain_marks_every_row() {
        let e = explain(&WatchParams::default());
        assert!(e.rows.iter().all(|r| !r.source.is_empty()));
        assert!(e.markdown.contains("**assumed**") && e.markdown.contains("[V][G5]"));
    }
}
