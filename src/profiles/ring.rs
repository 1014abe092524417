//! Profile R, "ring-like" (Oura-inspired, relative to self), stress-profiles.md §6.2.
//!
//! **Rule.** 900-s windows aligned to :00/:15/:30/:45, only during awake time. Inputs: HR =
//! median of the window's 1-min HRs; lnRMSSD = median of the valid values of its three 5-min
//! sub-windows; the window is valid if ≥ 2 of 3 sub-windows are valid (§6.0 rules) \[A\].
//!
//! ```text
//! A   = (HR − hr_ref)/sd_hr + (ln_rmssd_ref − lnRMSSD)/sd_ln_rmssd       (no temperature: w_T = 0)
//! Q1, Q2, Q3 = quartiles of A over the baseline windows
//! zone: A ≥ Q3 stressed; Q2 ≤ A < Q3 engaged; Q1 ≤ A < Q2 relaxed; A < Q1 restored
//! P_R = 100 · ECDF_baseline(A)                                          (plotted score)
//! ```
//!
//! **Motion gate** (policy `suppress`, the default): a window is scored only if ≥ 80 % of its
//! minutes are *still* (ENMO < 30 mg) \[A\]; otherwise it is a gap. Under `flag` every valid
//! awake window is scored and the non-still ones flagged; under `none` no flag.
//!
//! **Baseline windows** \[A\]: the design wants 14 trailing days (≥ 5 days, `[V][O1]`). With a
//! user baseline carrying `ring_activation_ref`, those values define the quartiles. Otherwise
//! the quartiles come from the windows scored in the same recording under the same policy
//! ("self-baseline, same day"); with fewer than `min_baseline_windows` of them no window gets a
//! score (status `no_baseline`). A quartile scale puts ≈ 25 % of scored time in "stressed" *by
//! construction*.

use super::explain::{assumed, doc, explained, Explained};
use super::stats::{quantile_sorted, sorted_finite};
use super::{Baseline, Context, MotionPolicy, ProfileInputs, ProfileWindow, WindowStatus};
use serde::{Deserialize, Serialize};

/// Ring-like parameters. Defaults follow stress-profiles.md §6.2.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RingParams {
    /// Window length and cadence, s (900: "updates every 15 minutes" `[V][O1]`).
    pub window_s: f64,
    /// Sub-window length for lnRMSSD, s (300) \[A\].
    pub sub_window_s: f64,
    /// Minimum valid sub-windows (2 of 3) \[A\].
    pub min_valid_sub: usize,
    /// Minimum share of still minutes to be scored under the gate (0.8) \[A\].
    pub min_still_share: f64,
    /// Minimum baseline windows to form quartiles (6) \[A\].
    pub min_baseline_windows: usize,
    /// Days of data the design requires (5, `[V][O1]`).
    pub baseline_days_required: f64,
    /// day_summary: stressful if stress_high ≥ ratio·recovery_high and ≥ min time (2.0) \[A\].
    pub day_summary_ratio: f64,
    /// day_summary: minimum high time, s (3600) \[A\].
    pub day_summary_min_s: f64,
    /// Default motion policy (suppress = the 15-min gate, "relatively inactive" `[V][O1]`).
    pub default_policy: MotionPolicy,
}

impl Default for RingParams {
    fn default() -> Self {
        RingParams {
            window_s: 900.0,
            sub_window_s: 300.0,
            min_valid_sub: 2,
            min_still_share: 0.8,
            min_baseline_windows: 6,
            baseline_days_required: 5.0,
            day_summary_ratio: 2.0,
            day_summary_min_s: 3600.0,
            default_policy: MotionPolicy::Suppress,
        }
    }
}

/// Zone of an activation given quartiles.
pub fn zone(a: f64, q: [f64; 3]) -> &'static str {
    if a >= q[2] {
        "stressed"
    } else if a >= q[1] {
        "engaged"
    } else if a >= q[0] {
        "relaxed"
    } else {
        "restored"
    }
}

/// 100 · share of `sorted_ref` ≤ a.
pub fn percentile(a: f64, sorted_ref: &[f64]) -> f64 {
    if sorted_ref.is_empty() {
        return f64::NAN;
    }
    let k = sorted_ref.partition_point(|&v| v <= a);
    100.0 * k as f64 / sorted_ref.len() as f64
}

/// A window before the policy is applied.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Cand {
    pub w: ProfileWindow,
    pub a: Option<f64>,
    pub awake: bool,
}

pub(crate) fn candidates(ctx: &Context, p: &RingParams, b: &Baseline) -> Vec<Cand> {
    ctx.grid(p.window_s)
        .into_iter()
        .map(|s| candidate(ctx, p, b, s))
        .collect()
}

/// The window `[s, s + window_s)` before the policy and the quartile scale are applied.
pub(crate) fn candidate(ctx: &Context, p: &RingParams, b: &Baseline, s: f64) -> Cand {
    let len = p.window_s;
    let nsub = ((len / p.sub_window_s).round() as usize).max(1);
    let e = s + len;
    let awake = ctx.awake(s, e);
    let motion = ctx.motion.window(s, e);
    let mut lns = Vec::with_capacity(nsub);
    let mut si = Vec::with_capacity(nsub);
    let mut cov = 0.0;
    let mut diffs = 0;
    for k in 0..nsub {
        let ss = s + k as f64 * p.sub_window_s;
        let d = ctx.window(ss, ss + p.sub_window_s);
        cov += d.coverage / nsub as f64;
        diffs += d.n_diffs;
        if d.valid {
            if let Some(l) = d.ln_rmssd {
                lns.push(l);
            }
            if let Some(x) = d.si {
                si.push(x);
            }
        }
    }
    let hr = ctx.median_minute_hr(s, e);
    let ln = super::stats::median(lns.iter().copied());
    let valid = lns.len() >= p.min_valid_sub && hr.is_some();
    let a = match (valid, hr, ln) {
        (true, Some(h), Some(l)) => {
            Some((h - b.hr_ref) / b.sd_hr + (b.ln_rmssd_ref - l) / b.sd_ln_rmssd)
        }
        _ => None,
    };
    let in_motion = motion.still_share < p.min_still_share - 1e-9;
    Cand {
        a,
        awake,
        w: ProfileWindow::pending(
            ctx,
            (s, e),
            motion,
            (in_motion, false),
            ProfileInputs {
                hr_bpm: hr,
                rmssd_ms: ln.map(f64::exp),
                ln_rmssd: ln,
                si: super::stats::median(si),
                activation: a,
                coverage: cov,
                n_diffs: diffs,
                valid,
            },
        ),
    }
}

/// Q1, Q2, Q3 of the sorted reference activations, when there are at least
/// `min_baseline_windows` of them.
pub fn quartiles(sorted_ref: &[f64], p: &RingParams) -> Option<[f64; 3]> {
    if sorted_ref.len() < p.min_baseline_windows.max(1) {
        return None;
    }
    match (
        quantile_sorted(sorted_ref, 0.25),
        quantile_sorted(sorted_ref, 0.5),
        quantile_sorted(sorted_ref, 0.75),
    ) {
        (Some(a), Some(b), Some(c)) => Some([a, b, c]),
        _ => None,
    }
}

/// Status of a window under `policy` before the scale: not awake, excess motion (gate), not
/// enough data, or eligible for a score ([`WindowStatus::Scored`]).
pub(crate) fn gate(c: &Cand, policy: MotionPolicy) -> WindowStatus {
    if !c.awake {
        WindowStatus::NotAwake
    } else if policy == MotionPolicy::Suppress && c.w.in_motion {
        WindowStatus::ExcessMotion
    } else if c.a.is_none() {
        WindowStatus::NotEnoughData
    } else {
        WindowStatus::Scored
    }
}

/// Put an eligible window on the scale (or mark it `no_baseline`).
pub(crate) fn place(
    w: &mut ProfileWindow,
    a: Option<f64>,
    reference: &[f64],
    q: Option<[f64; 3]>,
    policy: MotionPolicy,
) {
    match (q, a) {
        (Some(q), Some(a)) => {
            w.score = Some(percentile(a, reference));
            w.band = Some(zone(a, q).to_string());
            w.motion_flag = policy == MotionPolicy::Flag && w.in_motion;
        }
        _ => w.status = WindowStatus::NoBaseline,
    }
}

pub(crate) fn apply(
    cands: &[Cand],
    p: &RingParams,
    b: &Baseline,
    policy: MotionPolicy,
) -> Vec<ProfileWindow> {
    let mut out: Vec<ProfileWindow> = Vec::with_capacity(cands.len());
    let mut eligible = Vec::new();
    for c in cands {
        let mut w = c.w.clone();
        w.status = gate(c, policy);
        if w.status == WindowStatus::Scored {
            eligible.push(out.len());
        }
        out.push(w);
    }
    let reference = match &b.ring_activation_ref {
        Some(r) => sorted_finite(r.iter().copied()),
        None => sorted_finite(eligible.iter().filter_map(|&i| cands[i].a)),
    };
    let q = quartiles(&reference, p);
    for i in eligible {
        place(&mut out[i], cands[i].a, &reference, q, policy);
    }
    out
}

/// The ring-like rule and its documented/assumed table.
pub fn explain(p: &RingParams) -> Explained {
    let rule = format!(
        "Every {w:.0} s (aligned to :00/:15/:30/:45) while awake: HR = median of 1-min HRs, lnRMSSD = median of the valid \
{sw:.0}-s sub-windows (≥ {mv} valid). A = (HR − hr_ref)/sd_hr + (ln_rmssd_ref − lnRMSSD)/sd_ln_rmssd. Zones from the \
quartiles Q1..Q3 of A over the baseline windows: A ≥ Q3 stressed, ≥ Q2 engaged, ≥ Q1 relaxed, else restored; plotted \
value P_R = 100·ECDF(A). Under the default policy `{pol}` a window is scored only if ≥ {st:.0} % of its minutes are still. \
Daily: stress_high = time stressed, recovery_high = time restored; day_summary stressful if stress_high ≥ {r}×recovery_high \
and ≥ {mh:.0} h, restored in the mirror case, else normal.",
        w = p.window_s,
        sw = p.sub_window_s,
        mv = p.min_valid_sub,
        pol = p.default_policy,
        st = p.min_still_share * 100.0,
        r = p.day_summary_ratio,
        mh = p.day_summary_min_s / 3600.0,
    );
    let rows = vec![
        doc(
            "Cadence",
            format!(
                "{:.0} s while awake, wearing, relatively inactive",
                p.window_s
            ),
            "[V][O1]",
        ),
        assumed(
            "Awake time",
            "06:00–22:00 local, minus sleep labels; whole recording if the clock is unknown",
            "§6.0, as in noop [OSS][W2]",
        ),
        doc(
            "Signals",
            "HR, HRV, motion (temperature not available here)",
            "[V][O1][O2]",
        ),
        assumed(
            "Aggregation",
            format!(
                "HR median of 1-min HRs; lnRMSSD median of {:.0}-s sub-windows",
                p.sub_window_s
            ),
            "§6.2",
        ),
        assumed(
            "Validity",
            format!("≥ {} valid sub-windows", p.min_valid_sub),
            "§6.2",
        ),
        doc(
            "Motion gate",
            "scored only while relatively inactive",
            "[V][O1]",
        ),
        assumed(
            "Gate threshold",
            format!(
                "≥ {:.0} % of minutes still (ENMO < 30 mg)",
                p.min_still_share * 100.0
            ),
            "§6.2 (cf. noop [OSS][W2])",
        ),
        assumed(
            "Activation A",
            "z_HR + z_lnRMSSD-drop (w_T = 0 without temperature)",
            "§6.2; additive z-sum as in [OSS][W2]",
        ),
        doc(
            "Zone names and order",
            "stressed, engaged, relaxed, restored",
            "[V][O1]",
        ),
        doc(
            "Relative scale",
            "stress_high = top quartile, recovery_high = bottom quartile of own data",
            "[V][O3]",
        ),
        assumed(
            "Zones ↔ quartiles",
            "A ≥ Q3 stressed, ≥ Q2 engaged, ≥ Q1 relaxed, else restored",
            "§6.2",
        ),
        assumed("P_R percentile", "100·ECDF_baseline(A)", "§6.2"),
        doc(
            "Baseline needs 5 days",
            format!("{:.0} days", p.baseline_days_required),
            "[V][O1]",
        ),
        assumed(
            "Baseline period",
            "trailing 14 days; 1-day recordings: same-day windows under the same policy",
            "§6.2",
        ),
        assumed(
            "Minimum baseline windows",
            format!("{}", p.min_baseline_windows),
            "ours",
        ),
        doc(
            "Daily fields",
            "stress_high, recovery_high (s), day_summary ∈ restored/normal/stressful",
            "[V][O3]",
        ),
        assumed(
            "day_summary rule",
            format!(
                "ratio {} and ≥ {:.0} h",
                p.day_summary_ratio,
                p.day_summary_min_s / 3600.0
            ),
            "§6.2",
        ),
    ];
    explained("ring-like", &rule, rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zones_and_percentile() {
        let q = [1.0, 2.0, 3.0];
        assert_eq!(zone(3.0, q), "stressed");
        assert_eq!(zone(2.5, q), "engaged");
        assert_eq!(zone(1.0, q), "relaxed");
        assert_eq!(zone(0.9, q), "restored");
        let r = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(percentile(2.0, &r), 50.0);
        assert_eq!(percentile(0.0, &r), 0.0);
        assert_eq!(percentile(9.0, &r), 100.0);
    }
}
