//! Motion-confound statistics: how much of each score is motion, and whether the score tells
//! mental stress from exercise (issue 3 §5; stress-profiles.md §5.2, §6.6).
//!
//! Per recording:
//! - **Indicators vs motion**: on non-overlapping, clock-aligned 300-s windows that are valid
//!   (§6.0), Spearman ρ between the window's mean motion intensity and HR, RMSSD and Baevsky SI.
//!   Physiology predicts ρ(motion, HR) > 0, ρ(motion, RMSSD) < 0, ρ(motion, SI) > 0.
//!
//! Per profile and motion policy (scored windows only):
//! - Spearman ρ between motion intensity and the score;
//! - median score in **still** windows (every epoch still) vs **active** windows (≥ 1 active
//!   epoch) \[A\], with a percentile bootstrap 95 % CI of each median and of their difference
//!   (seeded; [`super::stats::bootstrap_median_diff`]);
//! - share of the headline's stress time, and of top-band time, that is motion (windows where
//!   the profile's motion criterion held);
//! - share of the recorded time without a score.
//!
//! With labels (`Label` events): a window takes the label covering ≥ 50 % of it \[A\]; labels map
//! to categories by [`LabelMap`] (first matching rule, case-insensitive substring; configurable).
//! Per label and category: n, median, mean score. Separation as Mann–Whitney AUC =
//! P(score_mental > score_other) + ½·P(tie): mental stress vs rest, and mental stress vs
//! exercise. AUC 0.5 = no separation; AUC < 0.5 vs exercise = exercise scores *higher* than mental
//! stress.

use super::stats::{auc, bootstrap_median, bootstrap_median_diff, median, spearman, Estimate};
use super::{Context, MotionPolicy, ProfileKind, ProfileResult, ProfileWindow};
use crate::motion::{MotionLevel, MotionSource};
use serde::{Deserialize, Serialize};

/// Category of a label.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// Seated mental stressor (Stroop, interview, arithmetic…).
    MentalStress,
    /// Seated or lying rest (baseline, relax, desk work…).
    Rest,
    /// Physical exercise (walk, run, cycling…).
    Exercise,
    /// Anything else (recovery, hyperventilation, sleep, eating, unknown…).
    Other,
}

/// One mapping rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LabelRule {
    /// Case-insensitive substring of the label text.
    pub contains: String,
    /// Category if it matches.
    pub category: Category,
}

/// Label → category mapping: first matching rule wins, no match → [`Category::Other`].
///
/// Default rules \[A\], in order: `hyperventilation`, `recovery`, `questionnaire`, `consent`,
/// `sleep`, `light movement` → other; `stroop`, `interview`, `arithmetic`, `mental`, `tsst`,
/// `n-back`, `nback`, `stress` → mental stress; `walk`, `run`, `jog`, `cycl`, `bike`,
/// `exercise`, `gym`, `sport`, `heavy`, `medium`, `movement` → exercise; `baseline`, `relax`,
/// `rest`, `desk`, `sitting`, `seated`, `laying`, `lying`, `screen`, `reading` → rest.
/// Hyperventilation (Stress-Predict) is a breathing manoeuvre, not a mental stressor, and
/// post-exercise recovery is neither rest nor exercise: both are *other* \[A\].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LabelMap {
    /// Rules in order.
    pub rules: Vec<LabelRule>,
}

impl Default for LabelMap {
    fn default() -> Self {
        let mut rules = Vec::new();
        let mut add = |words: &[&str], c: Category| {
            for w in words {
                rules.push(LabelRule {
                    contains: (*w).into(),
                    category: c,
                });
            }
        };
        add(
            &[
                "hyperventilation",
                "recovery",
                "questionnaire",
                "consent",
                "sleep",
                "light movement",
            ],
            Category::Other,
        );
        add(
            &[
                "stroop",
                "interview",
                "arithmetic",
                "mental",
                "tsst",
                "n-back",
                "nback",
                "stress",
            ],
            Category::MentalStress,
        );
        add(
            &[
                "walk", "run", "jog", "cycl", "bike", "exercise", "gym", "sport", "heavy",
                "medium", "movement",
            ],
            Category::Exercise,
        );
        add(
            &[
                "baseline", "relax", "rest", "desk", "sitting", "seated", "laying", "lying",
                "screen", "reading",
            ],
            Category::Rest,
        );
        LabelMap { rules }
    }
}

impl LabelMap {
    /// Category of a label text.
    pub fn category(&self, label: &str) -> Category {
        let l = label.to_ascii_lowercase();
        self.rules
            .iter()
            .find(|r| !r.contains.is_empty() && l.contains(&r.contains.to_ascii_lowercase()))
            .map(|r| r.category)
            .unwrap_or(Category::Other)
    }
}

/// Confound settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ConfoundConfig {
    /// Bootstrap resamples (1000) \[A\].
    pub bootstrap_n: usize,
    /// Interval level (0.95).
    pub level: f64,
    /// Seed of the bootstrap generator (20250701).
    pub seed: u64,
    /// Window for indicator-vs-motion ρ, s (300, non-overlapping, clock-aligned) \[A\].
    pub indicator_window_s: f64,
    /// Label → category mapping.
    pub labels: LabelMap,
}

impl Default for ConfoundConfig {
    fn default() -> Self {
        ConfoundConfig {
            bootstrap_n: 1000,
            level: 0.95,
            seed: 20250701,
            indicator_window_s: 300.0,
            labels: LabelMap::default(),
        }
    }
}

/// ρ between motion and the key indicators.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndicatorConfound {
    /// Window length, s.
    pub window_s: f64,
    /// Valid windows with motion data.
    pub n: usize,
    /// ρ(motion, HR).
    pub rho_motion_hr: Option<f64>,
    /// ρ(motion, RMSSD).
    pub rho_motion_rmssd: Option<f64>,
    /// ρ(motion, Baevsky SI).
    pub rho_motion_si: Option<f64>,
    /// Median HR in still / active windows, bpm.
    pub median_hr_still_active: (Option<f64>, Option<f64>),
    /// Median RMSSD in still / active windows, ms.
    pub median_rmssd_still_active: (Option<f64>, Option<f64>),
}

/// Score statistics of one label or category.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LabelScore {
    /// Label text (or category name for category rows).
    pub label: String,
    /// Category.
    pub category: Category,
    /// Windows with the label.
    pub n_windows: usize,
    /// Of which scored.
    pub n_scored: usize,
    /// Median score.
    pub median: Option<f64>,
    /// Mean score.
    pub mean: Option<f64>,
}

/// Confound statistics of one profile under one policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProfileConfound {
    /// Profile.
    pub profile: ProfileKind,
    /// Policy.
    pub policy: MotionPolicy,
    /// Scored windows with motion data.
    pub n: usize,
    /// ρ(motion intensity, score).
    pub rho_motion_score: Option<f64>,
    /// Scored still windows.
    pub n_still: usize,
    /// Scored active windows.
    pub n_active: usize,
    /// Median score of still windows with bootstrap CI.
    pub median_still: Option<Estimate>,
    /// Median score of active windows with bootstrap CI.
    pub median_active: Option<Estimate>,
    /// median_active − median_still with bootstrap CI.
    pub median_diff_active_minus_still: Option<Estimate>,
    /// Share of stress time (headline rule) in windows where the motion criterion held.
    pub share_stress_time_in_motion: Option<f64>,
    /// Share of top-band time (watch high, ring stressed, tracker high) in motion windows.
    pub share_high_time_in_motion: Option<f64>,
    /// Share of the recorded time without a score.
    pub share_without_score: Option<f64>,
    /// Score per label.
    pub by_label: Vec<LabelScore>,
    /// Score per category.
    pub by_category: Vec<LabelScore>,
    /// AUC mental stress vs rest.
    pub auc_mental_vs_rest: Option<f64>,
    /// AUC mental stress vs exercise.
    pub auc_mental_vs_exercise: Option<f64>,
    /// "Does the score tell mental stress from exercise?" in words.
    pub answer: String,
}

/// All confound statistics of a recording.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConfoundReport {
    /// Motion source.
    pub motion_source: MotionSource,
    /// True when motion is the HR proxy (ρ with HR is then partly circular).
    pub motion_is_proxy: bool,
    /// Indicators vs motion.
    pub indicators: IndicatorConfound,
    /// Per profile (watch, ring, tracker) × policy (none, flag, suppress).
    pub profiles: Vec<ProfileConfound>,
}

impl ConfoundReport {
    /// Statistics of one profile under one policy.
    pub fn get(&self, k: ProfileKind, p: MotionPolicy) -> Option<&ProfileConfound> {
        self.profiles
            .iter()
            .find(|c| c.profile == k && c.policy == p)
    }
}

fn is_still(w: &ProfileWindow) -> bool {
    w.motion.known_share > 0.0 && w.motion.still_share >= 1.0 - 1e-9
}
fn is_active(w: &ProfileWindow) -> bool {
    w.motion.max_level == MotionLevel::Active
}

fn top_band(k: ProfileKind) -> &'static str {
    match k {
        ProfileKind::Watch | ProfileKind::Tracker => "high",
        ProfileKind::Ring => "stressed",
    }
}

fn is_stress(k: ProfileKind, cfg: &super::PracticeConfig, w: &ProfileWindow) -> bool {
    let Some(s) = w.score else { return false };
    match k {
        ProfileKind::Watch => s > cfg.watch.band_edges[0],
        ProfileKind::Ring => w.band.as_deref() == Some("stressed"),
        ProfileKind::Tracker => s >= cfg.tracker.stress_from,
    }
}

fn share(num: usize, den: usize) -> Option<f64> {
    (den > 0).then(|| num as f64 / den as f64)
}

fn label_rows(ws: &[ProfileWindow], by_category: bool) -> Vec<LabelScore> {
    let mut keys: Vec<(String, super::Category)> = ws
        .iter()
        .filter_map(|w| {
            let c = w.category?;
            Some(if by_category {
                (format!("{c:?}"), c)
            } else {
                (w.label.clone()?, c)
            })
        })
        .collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .map(|(label, category)| {
            let sel: Vec<&ProfileWindow> = ws
                .iter()
                .filter(|w| {
                    if by_category {
                        w.category == Some(category)
                    } else {
                        w.label.as_deref() == Some(label.as_str())
                    }
                })
                .collect();
            let sc: Vec<f64> = sel.iter().filter_map(|w| w.score).collect();
            LabelScore {
                label: if by_category {
                    match category {
                        Category::MentalStress => "mental_stress".into(),
                        Category::Rest => "rest".into(),
                        Category::Exercise => "exercise".into(),
                        Category::Other => "other".into(),
                    }
                } else {
                    label
                },
                category,
                n_windows: sel.len(),
                n_scored: sc.len(),
                median: median(sc.iter().copied()),
                mean: (!sc.is_empty()).then(|| sc.iter().sum::<f64>() / sc.len() as f64),
            }
        })
        .collect()
}

/// The sentence answering "does the score tell mental stress from exercise?".
pub fn separation_answer(
    name: &str,
    policy: MotionPolicy,
    n_mental: usize,
    n_exercise: usize,
    auc_ex: Option<f64>,
) -> String {
    match auc_ex {
        _ if n_mental == 0 => format!(
            "{name} ({policy}): no scored mental-stress window, so the question cannot be answered from this recording."
        ),
        _ if n_exercise == 0 => format!(
            "{name} ({policy}): no exercise window has a score (shown as no score instead), so the app never has to tell them apart; see policy none for what the underlying number does."
        ),
        Some(a) if a >= 0.7 => format!(
            "{name} ({policy}): yes on this recording — mental-stress windows score higher than exercise windows (AUC {a:.2})."
        ),
        Some(a) if a <= 0.3 => format!(
            "{name} ({policy}): no — exercise scores HIGHER than mental stress (AUC {a:.2}); a high score here mostly means motion."
        ),
        Some(a) => format!(
            "{name} ({policy}): no — scores of mental stress and exercise overlap (AUC {a:.2}, 0.5 = chance)."
        ),
        None => format!("{name} ({policy}): not computable."),
    }
}

pub(crate) fn compute(ctx: &Context, profiles: &[ProfileResult]) -> ConfoundReport {
    let cc = &ctx.cfg.confound;
    // Indicators vs motion on 300-s windows.
    let len = cc.indicator_window_s.max(60.0);
    let (mut mo, mut hr, mut rm, mut si) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let (mut hs, mut ha, mut rs, mut ra) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for s in ctx.grid(len) {
        let d = ctx.window(s, s + len);
        let Some(m) = d.motion.mean_intensity else {
            continue;
        };
        if !d.valid {
            continue;
        }
        mo.push(m);
        hr.push(d.hr.unwrap_or(f64::NAN));
        rm.push(d.rmssd.unwrap_or(f64::NAN));
        si.push(d.si.unwrap_or(f64::NAN));
        if d.motion.still_share >= 1.0 - 1e-9 {
            hs.extend(d.hr);
            rs.extend(d.rmssd);
        } else if d.motion.max_level == MotionLevel::Active {
            ha.extend(d.hr);
            ra.extend(d.rmssd);
        }
    }
    let indicators = IndicatorConfound {
        window_s: len,
        n: mo.len(),
        rho_motion_hr: spearman(&mo, &hr),
        rho_motion_rmssd: spearman(&mo, &rm),
        rho_motion_si: spearman(&mo, &si),
        median_hr_still_active: (median(hs), median(ha)),
        median_rmssd_still_active: (median(rs), median(ra)),
    };

    let mut out = Vec::new();
    let recorded = (ctx.span.1 - ctx.span.0).max(0.0);
    for (pi, p) in profiles.iter().enumerate() {
        let slot = match p.profile {
            ProfileKind::Watch => ctx.cfg.watch.window_s,
            ProfileKind::Ring => ctx.cfg.ring.window_s,
            ProfileKind::Tracker => ctx.cfg.tracker.period_s,
        };
        for (qi, run) in p.by_policy.iter().enumerate() {
            let ws = &run.windows;
            let scored: Vec<&ProfileWindow> = ws.iter().filter(|w| w.score.is_some()).collect();
            let (x, y): (Vec<f64>, Vec<f64>) = scored
                .iter()
                .filter_map(|w| Some((w.motion.mean_intensity?, w.score?)))
                .unzip();
            let still: Vec<f64> = scored
                .iter()
                .filter(|w| is_still(w))
                .filter_map(|w| w.score)
                .collect();
            let active: Vec<f64> = scored
                .iter()
                .filter(|w| is_active(w))
                .filter_map(|w| w.score)
                .collect();
            let seed = cc.seed.wrapping_add((pi * 10 + qi) as u64);
            let med_still = bootstrap_median(&still, cc.bootstrap_n, cc.level, seed);
            let med_active = bootstrap_median(&active, cc.bootstrap_n, cc.level, seed ^ 1);
            let diff =
                bootstrap_median_diff(&active, &still, cc.bootstrap_n, cc.level, seed).map(|t| t.2);
            let stress: Vec<&&ProfileWindow> = scored
                .iter()
                .filter(|w| is_stress(p.profile, ctx.cfg, w))
                .collect();
            let high: Vec<&&ProfileWindow> = scored
                .iter()
                .filter(|w| w.band.as_deref() == Some(top_band(p.profile)))
                .collect();
            let by_category = label_rows(ws, true);
            let cat_scores = |c: Category| -> Vec<f64> {
                ws.iter()
                    .filter(|w| w.category == Some(c))
                    .filter_map(|w| w.score)
                    .collect()
            };
            let mental = cat_scores(Category::MentalStress);
            let rest = cat_scores(Category::Rest);
            let exercise = cat_scores(Category::Exercise);
            let auc_ex = auc(&mental, &exercise);
            let has_labels = ws.iter().any(|w| w.category.is_some());
            let answer = if has_labels {
                separation_answer(&p.name, run.policy, mental.len(), exercise.len(), auc_ex)
            } else {
                format!("{} ({}): no labels in this recording.", p.name, run.policy)
            };
            out.push(ProfileConfound {
                profile: p.profile,
                policy: run.policy,
                n: x.len(),
                rho_motion_score: spearman(&x, &y),
                n_still: still.len(),
                n_active: active.len(),
                median_still: med_still,
                median_active: med_active,
                median_diff_active_minus_still: diff,
                share_stress_time_in_motion: share(
                    stress.iter().filter(|w| w.in_motion).count(),
                    stress.len(),
                ),
                share_high_time_in_motion: share(
                    high.iter().filter(|w| w.in_motion).count(),
                    high.len(),
                ),
                share_without_score: (recorded > 0.0)
                    .then(|| (1.0 - slot * scored.len() as f64 / recorded).clamp(0.0, 1.0)),
                by_label: label_rows(ws, false),
                by_category,
                auc_mental_vs_rest: auc(&mental, &rest),
                auc_mental_vs_exercise: auc_ex,
                answer,
            });
        }
    }
    ConfoundReport {
        motion_source: ctx.motion.source,
        motion_is_proxy: ctx.motion.source.is_proxy(),
        indicators,
        profiles: out,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_label_map() {
        let m = LabelMap::default();
        assert_eq!(m.category("Stroop Test"), Category::MentalStress);
        assert_eq!(m.category("mental_arithmetic"), Category::MentalStress);
        assert_eq!(m.category("Relax_2"), Category::Rest);
        assert_eq!(m.category("desk"), Category::Rest);
        assert_eq!(m.category("brisk walk"), Category::Exercise);
        assert_eq!(m.category("seated recovery"), Category::Other);
        assert_eq!(m.category("Hyperventilation"), Category::Other);
        assert_eq!(m.category("sleeping"), Category::Other);
        assert_eq!(m.category("something"), Category::Other);
    }

    #[test]
    fn answer_wording() {
        let a = separation_answer("t", MotionPolicy::Flag, 5, 5, Some(0.1));
        assert!(a.contains("HIGHER"), "{a}");
        let a = separation_answer("w", MotionPolicy::Suppress, 5, 0, None);
        assert!(a.contains("no exercise window has a score"), "{a}");
    }
}
