//! Daily summaries in each vendor family's own terms, the headline an app would print, and the
//! transparent breakdown beside it (stress-profiles.md §6.1–§6.4).
//!
//! **Days**: calendar days in local time when the recording's start is known, else 24-h blocks
//! from `t = 0`. A window counts for the day in which it starts. `recorded_s` is the part of
//! the day inside the recording's span.
//!
//! **Time per window** \[A\]: watch-like 180 s, ring-like 900 s, tracker-like one spot stands for
//! its 30-min period (0.5 h, §6.3).
//!
//! **Vendor fields**
//! - watch-like (`[V][G6]`): seconds per band (rest 0–25, low, medium, high);
//!   `stress_s = low + medium + high` (26–100, "stressDuration"); `activity_s` = time coded −2/−4
//!   ("activityStressDuration"); `uncategorized_s = 86400 − scored − activity`; `average`, `max`
//!   of scores ≥ 0; `qualifier` = band of the average (calm ≤ 25, balanced ≤ 50, stressful ≤ 75,
//!   else very_stressful) \[A\]. Strict variant: medium + high \[A\].
//! - ring-like (`[V][O3]`): `stress_high_s` = time stressed, `recovery_high_s` = time restored;
//!   `day_summary` = stressful if stress_high ≥ 2·recovery_high and ≥ 1 h, restored in the
//!   mirror case, else normal \[A\]; `expected_stress_high_s` = 0.25·scored awake time (the value
//!   the quartile scale gives with no change at all).
//! - tracker-like (`[OSS][GB2]`, rule \[A\]): share of scored spots per band; `stress_h` = 0.5 h ×
//!   n(S_T ≥ 60), with and without motion-flagged spots. Strict: S_T ≥ 80.
//!
//! **Breakdown** of the headline's stress time: the part in windows where the profile's motion
//! criterion held ("coincided with motion"), the part starting ≤ 30 min after an active bout
//! ("followed motion", \[A\]), and the rest; plus the share of the recorded day without a score and
//! the headline under each motion policy.

use super::{Context, MotionPolicy, PolicyRun, ProfileKind, ProfileWindow, WindowStatus};
use crate::profiles::PracticeConfig;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Vendor-specific daily fields.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "family", rename_all = "snake_case")]
pub enum VendorDaily {
    /// Garmin Health API daily-summary semantics.
    Watch {
        /// Seconds in rest (0–25).
        rest_s: f64,
        /// Seconds in low (26–50).
        low_s: f64,
        /// Seconds in medium (51–75).
        medium_s: f64,
        /// Seconds in high (76–100).
        high_s: f64,
        /// low + medium + high ("stressDuration", 26–100).
        stress_s: f64,
        /// Time coded −2 or −4 ("activityStressDuration").
        activity_s: f64,
        /// 86400 − scored − activity ("uncategorized").
        uncategorized_s: f64,
        /// Mean of the day's scores.
        average: Option<f64>,
        /// Max of the day's scores.
        max: Option<f64>,
        /// calm / balanced / stressful / very_stressful / unknown.
        qualifier: String,
    },
    /// Oura API `daily_stress` semantics.
    Ring {
        /// Time in the stressed zone, s.
        stress_high_s: f64,
        /// Time engaged, s.
        engaged_s: f64,
        /// Time relaxed, s.
        relaxed_s: f64,
        /// Time restored ("recovery_high"), s.
        recovery_high_s: f64,
        /// Scored awake time, s.
        scored_awake_s: f64,
        /// 0.25 × scored awake time: what a quartile scale gives by construction.
        expected_stress_high_s: f64,
        /// restored / normal / stressful (`None` with no scored window).
        day_summary: Option<String>,
    },
    /// Spot-index tracker semantics.
    Tracker {
        /// Spots in the day.
        n_spots: usize,
        /// Spots with a score.
        n_scored: usize,
        /// Scored spots flagged for motion.
        n_flagged: usize,
        /// Share of scored spots per band (relaxed, normal, medium, high).
        share_per_band: BTreeMap<String, f64>,
        /// 0.5 h × n(S_T ≥ 60).
        stress_h: f64,
        /// The same without motion-flagged spots.
        stress_h_without_flagged: f64,
        /// Mean score.
        average: Option<f64>,
    },
}

/// One day of one profile under one policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DaySummary {
    /// Day index (0 = the first day).
    pub day: i64,
    /// Local date or `day N (24-h block from t = 0)`.
    pub label: String,
    /// Motion policy.
    pub policy: MotionPolicy,
    /// Part of the day inside the recording, s.
    pub recorded_s: f64,
    /// Time with a score, s.
    pub scored_s: f64,
    /// Time hidden because of motion (−2/−4, ring gate, suppressed spots), s.
    pub masked_motion_s: f64,
    /// Recorded time without a score for other reasons (too few beats, asleep for ring-like,
    /// no baseline, edges), s.
    pub no_data_s: f64,
    /// Stress time under the profile's headline rule, s.
    pub stress_s: f64,
    /// Stress time under the strict rule, s.
    pub stress_strict_s: f64,
    /// Stress time that coincided with motion (profile's motion criterion), s.
    pub stress_in_motion_s: f64,
    /// Stress time that followed motion (≤ 30 min after an active bout, not in motion), s.
    pub stress_after_motion_s: f64,
    /// The rule text for `stress_s`.
    pub stress_rule: String,
    /// The sentence an app would print.
    pub headline: String,
    /// Vendor-specific fields.
    pub vendor: VendorDaily,
}

/// Headline under one policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PolicyHeadline {
    /// Policy.
    pub policy: MotionPolicy,
    /// Stress hours (headline rule).
    pub stress_h: f64,
    /// Stress hours (strict rule).
    pub stress_h_strict: f64,
    /// Scored hours.
    pub scored_h: f64,
    /// The sentence.
    pub headline: String,
}

/// What lies behind the headline (default policy).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Breakdown {
    /// Recorded hours of the day.
    pub recorded_h: f64,
    /// Scored hours.
    pub scored_h: f64,
    /// Hours without a score (any reason).
    pub no_score_h: f64,
    /// no_score_h / recorded_h.
    pub no_score_share: Option<f64>,
    /// Hours hidden because of motion.
    pub masked_motion_h: f64,
    /// Stress hours that coincided with motion.
    pub stress_in_motion_h: f64,
    /// Stress hours that followed motion.
    pub stress_after_motion_h: f64,
    /// The remaining stress hours.
    pub stress_other_h: f64,
    /// Where motion came from (says "PROXY" for the HR proxy).
    pub motion_source: String,
}

/// The daily report of one profile: the app's headline and the transparent breakdown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DailyReport {
    /// Day index.
    pub day: i64,
    /// Day label.
    pub label: String,
    /// The profile's default policy.
    pub policy: MotionPolicy,
    /// The sentence an app would print (default policy).
    pub headline: String,
    /// Stress hours under the default policy (headline rule).
    pub stress_h: f64,
    /// Stress hours under the strict rule.
    pub stress_h_strict: f64,
    /// The rule text.
    pub stress_rule: String,
    /// Breakdown.
    pub breakdown: Breakdown,
    /// Headline under none, flag, suppress.
    pub by_policy: Vec<PolicyHeadline>,
    /// One line: "motion policy none: X h; flag: Y h; suppress: Z h".
    pub sensitivity: String,
}

fn slot_s(kind: ProfileKind, cfg: &PracticeConfig) -> f64 {
    match kind {
        ProfileKind::Watch => cfg.watch.window_s,
        ProfileKind::Ring => cfg.ring.window_s,
        ProfileKind::Tracker => cfg.tracker.period_s,
    }
}

fn is_stress(kind: ProfileKind, cfg: &PracticeConfig, w: &ProfileWindow, strict: bool) -> bool {
    let Some(s) = w.score else { return false };
    match kind {
        ProfileKind::Watch => s > cfg.watch.band_edges[if strict { 1 } else { 0 }],
        ProfileKind::Ring => w.band.as_deref() == Some("stressed"),
        ProfileKind::Tracker => {
            s >= if strict {
                cfg.tracker.band_edges[2]
            } else {
                cfg.tracker.stress_from
            }
        }
    }
}

fn rule_text(kind: ProfileKind, cfg: &PracticeConfig) -> String {
    match kind {
        ProfileKind::Watch => format!(
            "stress = time with score {}–100 (low + medium + high, Garmin's stressDuration); strict = medium + high ({}–100)",
            cfg.watch.band_edges[0] + 1.0,
            cfg.watch.band_edges[1] + 1.0
        ),
        ProfileKind::Ring => "stress = time in the stressed zone (top quartile of own activation, Oura's stress_high); strict = the same".into(),
        ProfileKind::Tracker => format!(
            "stress = {} h per spot with S_T ≥ {} (medium or high); strict = S_T ≥ {} (high)",
            cfg.tracker.spot_h, cfg.tracker.stress_from, cfg.tracker.band_edges[2]
        ),
    }
}

fn qualifier(avg: Option<f64>, edges: [f64; 3]) -> &'static str {
    match avg {
        None => "unknown",
        Some(a) if a <= edges[0] => "calm",
        Some(a) if a <= edges[1] => "balanced",
        Some(a) if a <= edges[2] => "stressful",
        Some(_) => "very_stressful",
    }
}

/// Daily summaries of one profile under one policy.
pub(crate) fn summarise(
    ctx: &Context,
    kind: ProfileKind,
    cfg: &PracticeConfig,
    policy: MotionPolicy,
    windows: &[ProfileWindow],
) -> Vec<DaySummary> {
    let slot = slot_s(kind, cfg);
    let (lo, hi) = ctx.span;
    ctx.days()
        .into_iter()
        .map(|d| {
            let ds = ctx.clock.day_start(d);
            let de = ds + 86400.0;
            let recorded_s = (hi.min(de) - lo.max(ds)).max(0.0);
            let ws: Vec<&ProfileWindow> = windows
                .iter()
                .filter(|w| ctx.clock.day_index(w.start_s) == d)
                .collect();
            let scored: Vec<&&ProfileWindow> = ws.iter().filter(|w| w.score.is_some()).collect();
            let scored_s = slot * scored.len() as f64;
            let masked_motion_s =
                slot * ws.iter().filter(|w| w.status.is_motion_mask()).count() as f64;
            let no_data_s = (recorded_s - scored_s - masked_motion_s).max(0.0);
            let stress: Vec<&&ProfileWindow> = scored
                .iter()
                .copied()
                .filter(|w| is_stress(kind, cfg, w, false))
                .collect();
            let stress_s = slot * stress.len() as f64;
            let stress_strict_s =
                slot * scored.iter().filter(|w| is_stress(kind, cfg, w, true)).count() as f64;
            let stress_in_motion_s = slot * stress.iter().filter(|w| w.in_motion).count() as f64;
            let stress_after_motion_s = slot
                * stress
                    .iter()
                    .filter(|w| !w.in_motion && (w.after_motion || w.recovering))
                    .count() as f64;
            let scores: Vec<f64> = scored.iter().filter_map(|w| w.score).collect();
            let average = (!scores.is_empty()).then(|| scores.iter().sum::<f64>() / scores.len() as f64);
            let time_in = |b: &str| slot * scored.iter().filter(|w| w.band.as_deref() == Some(b)).count() as f64;
            let (vendor, headline) = match kind {
                ProfileKind::Watch => {
                    let q = qualifier(average, cfg.watch.band_edges);
                    let h = stress_s / 3600.0;
                    let headline = if scores.is_empty() {
                        "Not enough data to determine your stress level today.".to_string()
                    } else {
                        format!(
                            "You had {h:.1} hours of stress, so it was a {} day.",
                            q.replace('_', " ")
                        )
                    };
                    (
                        VendorDaily::Watch {
                            rest_s: time_in("rest"),
                            low_s: time_in("low"),
                            medium_s: time_in("medium"),
                            high_s: time_in("high"),
                            stress_s,
                            activity_s: masked_motion_s,
                            uncategorized_s: (86400.0 - scored_s - masked_motion_s).max(0.0),
                            average,
                            max: scores.iter().copied().reduce(f64::max),
                            qualifier: q.into(),
                        },
                        headline,
                    )
                }
                ProfileKind::Ring => {
                    let sh = time_in("stressed");
                    let rh = time_in("restored");
                    let p = &cfg.ring;
                    let summary = if scores.is_empty() {
                        None
                    } else if sh >= p.day_summary_ratio * rh && sh >= p.day_summary_min_s {
                        Some("stressful")
                    } else if rh >= p.day_summary_ratio * sh && rh >= p.day_summary_min_s {
                        Some("restored")
                    } else {
                        Some("normal")
                    };
                    let headline = match summary {
                        None => "Not enough data for a daytime stress summary today.".to_string(),
                        Some(s) => format!(
                            "You spent {:.1} hours in high stress today; your day was {s}.",
                            sh / 3600.0
                        ),
                    };
                    (
                        VendorDaily::Ring {
                            stress_high_s: sh,
                            engaged_s: time_in("engaged"),
                            relaxed_s: time_in("relaxed"),
                            recovery_high_s: rh,
                            scored_awake_s: scored_s,
                            expected_stress_high_s: 0.25 * scored_s,
                            day_summary: summary.map(String::from),
                        },
                        headline,
                    )
                }
                ProfileKind::Tracker => {
                    let p = &cfg.tracker;
                    let n = scored.len();
                    let mut share = BTreeMap::new();
                    for b in ["relaxed", "normal", "medium", "high"] {
                        let k = scored.iter().filter(|w| w.band.as_deref() == Some(b)).count();
                        share.insert(b.to_string(), if n > 0 { k as f64 / n as f64 } else { 0.0 });
                    }
                    let nst = stress.len();
                    let stress_h = p.spot_h * nst as f64;
                    let without = p.spot_h * stress.iter().filter(|w| !w.in_motion).count() as f64;
                    let headline = if n == 0 {
                        "No stress readings today.".to_string()
                    } else {
                        format!(
                            "You had {stress_h:.1} hours of stress ({nst} of {n} readings medium or high)."
                        )
                    };
                    (
                        VendorDaily::Tracker {
                            n_spots: ws.len(),
                            n_scored: n,
                            n_flagged: scored.iter().filter(|w| w.motion_flag).count(),
                            share_per_band: share,
                            stress_h,
                            stress_h_without_flagged: without,
                            average,
                        },
                        headline,
                    )
                }
            };
            DaySummary {
                day: d,
                label: ctx.clock.day_label(d),
                policy,
                recorded_s,
                scored_s,
                masked_motion_s,
                no_data_s,
                stress_s,
                stress_strict_s,
                stress_in_motion_s,
                stress_after_motion_s,
                stress_rule: rule_text(kind, cfg),
                headline,
                vendor,
            }
        })
        .collect()
}

/// Daily reports of one profile: headline under the default policy, breakdown, the other
/// policies' headlines.
pub(crate) fn reports(
    ctx: &Context,
    _kind: ProfileKind,
    default_policy: MotionPolicy,
    runs: &[PolicyRun],
) -> Vec<DailyReport> {
    let Some(def) = runs.iter().find(|r| r.policy == default_policy) else {
        return Vec::new();
    };
    let source = if ctx.motion.source.is_proxy() {
        format!(
            "{} — a PROXY, not a motion sensor",
            ctx.motion.source.describe()
        )
    } else {
        ctx.motion.source.describe().to_string()
    };
    def.daily
        .iter()
        .map(|s| {
            let by_policy: Vec<PolicyHeadline> = runs
                .iter()
                .filter_map(|r| {
                    r.daily
                        .iter()
                        .find(|x| x.day == s.day)
                        .map(|x| (r.policy, x))
                })
                .map(|(p, x)| PolicyHeadline {
                    policy: p,
                    stress_h: x.stress_s / 3600.0,
                    stress_h_strict: x.stress_strict_s / 3600.0,
                    scored_h: x.scored_s / 3600.0,
                    headline: x.headline.clone(),
                })
                .collect();
            let sensitivity = by_policy
                .iter()
                .map(|h| format!("motion policy {}: stress_h = {:.1}", h.policy, h.stress_h))
                .collect::<Vec<_>>()
                .join("; ");
            let no_score_s = (s.recorded_s - s.scored_s).max(0.0);
            DailyReport {
                day: s.day,
                label: s.label.clone(),
                policy: default_policy,
                headline: s.headline.clone(),
                stress_h: s.stress_s / 3600.0,
                stress_h_strict: s.stress_strict_s / 3600.0,
                stress_rule: s.stress_rule.clone(),
                breakdown: Breakdown {
                    recorded_h: s.recorded_s / 3600.0,
                    scored_h: s.scored_s / 3600.0,
                    no_score_h: no_score_s / 3600.0,
                    no_score_share: (s.recorded_s > 0.0).then(|| no_score_s / s.recorded_s),
                    masked_motion_h: s.masked_motion_s / 3600.0,
                    stress_in_motion_h: s.stress_in_motion_s / 3600.0,
                    stress_after_motion_h: s.stress_after_motion_s / 3600.0,
                    stress_other_h: (s.stress_s - s.stress_in_motion_s - s.stress_after_motion_s)
                        .max(0.0)
                        / 3600.0,
                    motion_source: source.clone(),
                },
                by_policy,
                sensitivity,
            }
        })
        .collect()
}

/// True if the window counts as "not scored because of motion" (helper for reports).
pub fn masked_by_motion(w: &ProfileWindow) -> bool {
    matches!(
        w.status,
        WindowStatus::ExcessMotion | WindowStatus::Recovering
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn qualifier_is_band_of_average() {
        let e = [25.0, 50.0, 75.0];
        assert_eq!(qualifier(Some(54.0), e), "stressful"); // the [G8] payload: 54 → STRESSFUL
        assert_eq!(qualifier(Some(25.0), e), "calm");
        assert_eq!(qualifier(Some(80.0), e), "very_stressful");
        assert_eq!(qualifier(None, e), "unknown");
    }
}
