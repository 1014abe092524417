//! Three documented, re-computable stress-scoring profiles and the motion-confound report.
//!
//! This reproduces the Dutch AP's 2025 practice test of a watch, a ring and a fitness tracker
//! (stress-profiles.md §6) in the open. One entry point, [`run`], takes a [`Recording`] and a
//! [`PracticeConfig`] and returns a [`PracticeResult`] with everything a report needs.
//!
//! | module | what |
//! |---|---|
//! | [`watch`] | watch-like (Garmin/Firstbeat-inspired): 180-s scores 0–100 vs a personal baseline, codes −1/−2/−4 (§6.1) |
//! | [`ring`] | ring-like (Oura-inspired): 900-s windows while awake and still, quartile zones (§6.2) |
//! | [`tracker`] | tracker-like (Huawei/RingConn-style): Baevsky-SI spot every 30 min, population scale (§6.3) |
//! | [`baseline`] | personal baseline: learned (median, 1.4826·MAD) or from JSON |
//! | [`policy`] | motion policies none / flag / suppress |
//! | [`daily`] | daily summaries in each vendor family's terms, headline sentence and its breakdown |
//! | [`confound`] | Spearman ρ, still-vs-active medians with bootstrap CI, label AUCs |
//! | [`explain`] | documented / assumed tables |
//! | [`online`] | the same rules window by window on a rolling buffer, for the live view |
//! | [`stats`] | quantiles, MAD, ranks, Spearman, AUC, bootstrap |
//!
//! ## Shared pipeline (§6.0)
//!
//! - RR cleaning: [`crate::cleaning::clean`] with [`PracticeConfig::cleaning`].
//! - **Window validity** \[A\]: clean NN intervals cover ≥ 80 % of the window **and** there are
//!   ≥ 30 valid successive differences ([`WindowRules`]).
//! - Indicators per window: [`crate::indicators::compute`] (HR = mean of 60000/NN, RMSSD,
//!   lnRMSSD, Baevsky SI with Mo = modal-bin centre).
//! - Motion per 60-s epoch: [`crate::motion`].
//! - **Awake** \[A\]: 06:00–22:00 local when the recording's start time is known (as in noop
//!   `[W2]`), else the whole recording; minus every `Label` event whose text contains `sleep`.
//! - Days: calendar days in local time when the start is known, else 24-h blocks from `t = 0`.
//!   A window belongs to the day in which it starts (clock-aligned windows never cross midnight).

pub mod baseline;
pub mod confound;
pub mod daily;
pub mod explain;
pub mod online;
pub mod policy;
pub mod ring;
pub mod stats;
pub mod tracker;
pub mod watch;

use crate::cleaning::{clean, Cleaned, CleaningConfig};
use crate::indicators::{compute_light_with, Convention, Conventions, Workspace};
use crate::motion::{Clock, MotionConfig, MotionEpoch, MotionSeries, MotionSource, WindowMotion};
use crate::recording::Recording;
use serde::{Deserialize, Serialize};

pub use baseline::{Baseline, BaselineSource};
pub use confound::{Category, ConfoundConfig, ConfoundReport, LabelMap};
pub use daily::{DailyReport, DaySummary};
pub use explain::Explained;
pub use policy::MotionPolicy;
pub use ring::RingParams;
pub use tracker::TrackerParams;
pub use watch::WatchParams;

/// Which profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProfileKind {
    /// Watch-like (§6.1).
    Watch,
    /// Ring-like (§6.2).
    Ring,
    /// Tracker-like (§6.3).
    Tracker,
}

impl ProfileKind {
    /// The three profiles, in report order.
    pub const ALL: [ProfileKind; 3] = [ProfileKind::Watch, ProfileKind::Ring, ProfileKind::Tracker];

    /// Display name (`watch-like`, …).
    pub fn name(self) -> &'static str {
        match self {
            ProfileKind::Watch => "watch-like",
            ProfileKind::Ring => "ring-like",
            ProfileKind::Tracker => "tracker-like",
        }
    }
}

/// Why a window has (or has no) score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WindowStatus {
    /// A score was produced.
    Scored,
    /// Too few clean beats (watch code −1).
    NotEnoughData,
    /// Suppressed because of motion (watch code −2; ring gate; tracker under `suppress`).
    ExcessMotion,
    /// Suppressed while recovering from exercise (watch code −4).
    Recovering,
    /// Outside awake time (ring-like scores only while awake).
    NotAwake,
    /// Too few windows to form the relative (quartile) scale (ring-like).
    NoBaseline,
}

impl WindowStatus {
    /// True when the window was hidden because of motion (−2, −4, ring gate).
    pub fn is_motion_mask(self) -> bool {
        matches!(self, WindowStatus::ExcessMotion | WindowStatus::Recovering)
    }
}

/// The raw inputs behind a window's score, printed next to it (stress-profiles.md §6.6).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct ProfileInputs {
    /// Heart rate, bpm (watch/tracker: mean of 60000/NN; ring: median of 1-min HRs).
    pub hr_bpm: Option<f64>,
    /// RMSSD, ms (ring: exp of the median sub-window lnRMSSD).
    pub rmssd_ms: Option<f64>,
    /// lnRMSSD (ring: median of the valid 5-min sub-windows).
    pub ln_rmssd: Option<f64>,
    /// Baevsky SI, Mo = modal-bin centre (tracker; also reported for watch windows).
    pub si: Option<f64>,
    /// Activation before the score mapping: watch x, ring A; tracker: log10(SI/30)/log10(1000/30).
    pub activation: Option<f64>,
    /// Share of the window covered by clean NN intervals.
    pub coverage: f64,
    /// Number of valid successive differences.
    pub n_diffs: usize,
    /// Window (or enough sub-windows) valid under [`WindowRules`].
    pub valid: bool,
}

/// One scored (or unscored) window of one profile under one motion policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProfileWindow {
    /// Window start, s since the recording start.
    pub start_s: f64,
    /// Window end, s.
    pub end_s: f64,
    /// Score (watch 0–100; ring P_R percentile 0–100; tracker 1–100), `None` if unscored.
    pub score: Option<f64>,
    /// Status code as the vendor family shows it (watch: −1, −2, −4; others `None`).
    pub code: Option<i32>,
    /// Band / zone name (watch rest/low/medium/high; ring stressed/engaged/relaxed/restored;
    /// tracker relaxed/normal/medium/high).
    pub band: Option<String>,
    /// Why the window has or lacks a score.
    pub status: WindowStatus,
    /// The motion flag this policy attaches (only `flag` sets it).
    pub motion_flag: bool,
    /// The profile's own motion criterion held, whatever the policy (watch/tracker: any active
    /// epoch or mean intensity ≥ the flag threshold; ring: < 80 % still minutes).
    pub in_motion: bool,
    /// Within the post-exercise period (watch rule: ≤ 30 min after an active bout ≥ 5 min and
    /// HR > hr_ref + 2·sd_hr).
    pub recovering: bool,
    /// Window starts within `followed_motion_s` after the end of an active bout (breakdown).
    pub after_motion: bool,
    /// Motion over the window.
    pub motion: WindowMotion,
    /// Inputs behind the score.
    pub inputs: ProfileInputs,
    /// Label covering ≥ 50 % of the window, if any.
    pub label: Option<String>,
    /// Category of that label.
    pub category: Option<Category>,
}

impl ProfileWindow {
    /// The window `[s, e)` with its inputs and motion, before a policy decides its score
    /// (status `not_enough_data` until then); label and "followed motion" come from `ctx`.
    pub(crate) fn pending(
        ctx: &Context,
        (s, e): (f64, f64),
        motion: WindowMotion,
        (in_motion, recovering): (bool, bool),
        inputs: ProfileInputs,
    ) -> ProfileWindow {
        let (label, category) = ctx.label(s, e);
        ProfileWindow {
            start_s: s,
            end_s: e,
            score: None,
            code: None,
            band: None,
            status: WindowStatus::NotEnoughData,
            motion_flag: false,
            in_motion,
            recovering,
            after_motion: ctx.after_motion(s),
            motion,
            inputs,
            label,
            category,
        }
    }
}

impl ProfileInputs {
    /// The inputs of one window's facts, with the profile's activation (`None` when the
    /// window cannot be scored).
    pub(crate) fn of(d: &WindowData, activation: Option<f64>) -> ProfileInputs {
        ProfileInputs {
            hr_bpm: d.hr,
            rmssd_ms: d.rmssd,
            ln_rmssd: d.ln_rmssd,
            si: d.si,
            activation,
            coverage: d.coverage,
            n_diffs: d.n_diffs,
            valid: activation.is_some(),
        }
    }
}

/// Calibration state of a profile's output.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Calibration {
    /// True when the profile had the personal data it needs (a user baseline, or the design's
    /// required days); false for same-day self-baselines and cold starts.
    pub calibrated: bool,
    /// Where the baseline came from.
    pub baseline_source: BaselineSource,
    /// Days covered by the recording.
    pub days_available: f64,
    /// Days the design requires (watch 3, ring 5; tracker none).
    pub days_required: Option<f64>,
    /// Plain-language statement for reports.
    pub note: String,
}

/// Window validity (§6.0) \[A\].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct WindowRules {
    /// Minimum share of the window covered by clean NN intervals (0.8) \[A\].
    pub min_coverage: f64,
    /// Minimum number of valid successive differences (30) \[A\].
    pub min_diffs: usize,
}

impl Default for WindowRules {
    fn default() -> Self {
        WindowRules {
            min_coverage: 0.8,
            min_diffs: 30,
        }
    }
}

/// Awake time (§6.0) \[A\].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AwakeConfig {
    /// Local hour at which awake time starts (6.0) \[A\], used when the start time is known.
    pub from_h: f64,
    /// Local hour at which awake time ends (22.0) \[A\].
    pub to_h: f64,
    /// Label texts (case-insensitive substrings) that mark sleep (["sleep"]).
    pub sleep_labels: Vec<String>,
}

impl Default for AwakeConfig {
    fn default() -> Self {
        AwakeConfig {
            from_h: 6.0,
            to_h: 22.0,
            sleep_labels: vec!["sleep".into()],
        }
    }
}

/// Everything `practice-test` can be told. Serialisable so that the report can print it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PracticeConfig {
    /// RR cleaning.
    pub cleaning: CleaningConfig,
    /// Indicator conventions (Baevsky SI with Mo = modal-bin centre in every convention).
    pub convention: Convention,
    /// Motion epochs and thresholds.
    pub motion: MotionConfig,
    /// Window validity.
    pub rules: WindowRules,
    /// Awake time.
    pub awake: AwakeConfig,
    /// A user-supplied baseline (`--baseline FILE`); `None` → learned from the recording.
    pub baseline: Option<Baseline>,
    /// Minimum valid, still, awake 180-s windows to learn a self-baseline (10 = 30 min) \[A\].
    pub baseline_min_windows: usize,
    /// Watch-like parameters.
    pub watch: WatchParams,
    /// Ring-like parameters.
    pub ring: RingParams,
    /// Tracker-like parameters.
    pub tracker: TrackerParams,
    /// Breakdown: a window "followed motion" if it starts within this many seconds after the
    /// end of an active bout (1800 s) \[A\].
    pub followed_motion_s: f64,
    /// Breakdown: minimum active bout length that counts (120 s) \[A\].
    pub followed_motion_min_bout_s: f64,
    /// Confound statistics and label categories.
    pub confound: ConfoundConfig,
}

impl Default for PracticeConfig {
    fn default() -> Self {
        PracticeConfig {
            cleaning: CleaningConfig::default(),
            convention: Convention::Default,
            motion: MotionConfig::default(),
            rules: WindowRules::default(),
            awake: AwakeConfig::default(),
            baseline: None,
            baseline_min_windows: 10,
            watch: WatchParams::default(),
            ring: RingParams::default(),
            tracker: TrackerParams::default(),
            followed_motion_s: 1800.0,
            followed_motion_min_bout_s: 120.0,
            confound: ConfoundConfig::default(),
        }
    }
}

/// One profile recomputed under one motion policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PolicyRun {
    /// The policy.
    pub policy: MotionPolicy,
    /// Every window.
    pub windows: Vec<ProfileWindow>,
    /// One summary per day.
    pub daily: Vec<DaySummary>,
}

/// One profile's complete output.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProfileResult {
    /// Which profile.
    pub profile: ProfileKind,
    /// Display name.
    pub name: String,
    /// The design's default policy (watch suppress, ring suppress = gate, tracker flag).
    pub default_policy: MotionPolicy,
    /// Window length, s (watch 180, ring 900, tracker 300 every 1800).
    pub window_s: f64,
    /// `calibrated` shortcut (= `calibration.calibrated`).
    pub calibrated: bool,
    /// Calibration details.
    pub calibration: Calibration,
    /// Windows under the default policy (same as the matching entry of `by_policy`).
    pub windows: Vec<ProfileWindow>,
    /// The profile recomputed under none, flag and suppress (in that order).
    pub by_policy: Vec<PolicyRun>,
    /// Per day: headline under the default policy, breakdown, headline under each policy.
    pub daily: Vec<DailyReport>,
    /// `--explain` table.
    pub explain: Explained,
}

impl ProfileResult {
    /// The run under `p`.
    pub fn run(&self, p: MotionPolicy) -> Option<&PolicyRun> {
        self.by_policy.iter().find(|r| r.policy == p)
    }
}

/// Summary of the recording itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordingInfo {
    /// Pseudonymous subject id.
    pub subject_id: Option<String>,
    /// Importer name.
    pub source_format: Option<String>,
    /// Absolute start (RFC 3339 with offset), when known.
    pub start: Option<String>,
    /// First and last time with data, s.
    pub span_s: (f64, f64),
    /// Beats read; clean NN intervals kept.
    pub n_beats: usize,
    /// Clean NN intervals.
    pub n_clean: usize,
    /// Whether days are calendar days (true) or 24-h blocks from t = 0 (false).
    pub calendar_days: bool,
}

/// Motion part of the result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MotionResult {
    /// Source of intensities (the HR proxy is labelled `hr_proxy`).
    pub source: MotionSource,
    /// True when motion is the HR-based proxy (say so wherever it is shown).
    pub is_proxy: bool,
    /// Intensity unit.
    pub unit: String,
    /// The motion series (epochs, cut-points, proxy parameters).
    pub series: MotionSeries,
    /// Explain table.
    pub explain: String,
}

/// Everything `practice-test` produces for one recording.
///
/// Consumers (charts, `windows.csv`, `summary.json`, `summary.md`):
/// - `motion.series.epochs`: timeline of motion (t_s, dur_s, intensity, level);
/// - `profiles[i].windows` / `.by_policy[j].windows`: the score timeline per profile/policy,
///   each window with its inputs (HR, lnRMSSD, SI), motion, status/code, band, label;
/// - `profiles[i].daily[d]`: headline sentence, breakdown and headline under each policy;
///   `.by_policy[j].daily[d]`: the vendor-style daily fields;
/// - `confound`: ρ per profile and indicator, still-vs-active medians with CIs, label AUCs;
/// - `baseline`, `profiles[i].calibration`: calibration state; `profiles[i].explain` and
///   `motion.explain`: documented/assumed tables (Markdown and rows).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PracticeResult {
    /// The recording.
    pub recording: RecordingInfo,
    /// Settings used.
    pub config: PracticeConfig,
    /// Motion.
    pub motion: MotionResult,
    /// The personal baseline actually used by watch-like and ring-like.
    pub baseline: Baseline,
    /// Watch-like, ring-like, tracker-like (in that order).
    pub profiles: Vec<ProfileResult>,
    /// Confound statistics.
    pub confound: ConfoundReport,
    /// Plain-language notes (adaptations, proxies, warnings) for the report.
    pub notes: Vec<String>,
}

impl PracticeResult {
    /// The result of one profile.
    pub fn profile(&self, k: ProfileKind) -> Option<&ProfileResult> {
        self.profiles.iter().find(|p| p.profile == k)
    }
}

/// Per-window HRV and motion facts shared by the profiles.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct WindowData {
    pub hr: Option<f64>,
    pub rmssd: Option<f64>,
    pub ln_rmssd: Option<f64>,
    pub si: Option<f64>,
    pub coverage: f64,
    pub n_diffs: usize,
    pub valid: bool,
    pub motion: WindowMotion,
}

/// Everything computed once per recording and shared by the profiles.
pub(crate) struct Context<'a> {
    pub cfg: &'a PracticeConfig,
    pub cleaned: Cleaned,
    pub clock: Clock,
    pub conventions: Conventions,
    pub motion: MotionSeries,
    pub span: (f64, f64),
    /// Sleep label intervals.
    pub sleep: Vec<(f64, f64)>,
    /// Active bouts of at least `followed_motion_min_bout_s`.
    pub bouts: Vec<(f64, f64)>,
    /// Labels (start, end, text, category).
    pub labels: Vec<(f64, f64, String, Category)>,
}

impl<'a> Context<'a> {
    /// Clean the beats, compute motion, sleep intervals, active bouts and labels of `rec` once
    /// for every profile. The live scorer ([`online`]) calls this on its rolling buffer.
    pub fn new(rec: &Recording, cfg: &'a PracticeConfig) -> Context<'a> {
        Self::with_cleaned(rec, cfg, clean(&rec.beats, &cfg.cleaning))
    }

    /// [`Context::new`] with the beats already cleaned (with `cfg.cleaning`).
    pub fn with_cleaned(rec: &Recording, cfg: &'a PracticeConfig, cleaned: Cleaned) -> Context<'a> {
        let clock = Clock::of(rec);
        let span = rec.span_s().unwrap_or((0.0, 0.0));
        let user_rest = cfg.baseline.as_ref().and_then(|b| b.hr_rest);
        let mut mcfg = cfg.motion.clone();
        if let Some(m) = cfg.baseline.as_ref().and_then(|b| b.hr_max) {
            mcfg.hr_max_bpm.get_or_insert(m);
        }
        let motion = crate::motion::compute(rec, &cleaned, &clock, &mcfg, user_rest);
        let min_bout = cfg.followed_motion_min_bout_s;
        let bouts: Vec<(f64, f64)> = motion
            .active_bouts()
            .into_iter()
            .filter(|(s, e)| e - s >= min_bout - 1e-9)
            .collect();
        let sleep: Vec<(f64, f64)> = rec
            .labels()
            .filter(|e| {
                let l = e.label.to_ascii_lowercase();
                cfg.awake
                    .sleep_labels
                    .iter()
                    .any(|k| !k.is_empty() && l.contains(&k.to_ascii_lowercase()))
            })
            .map(|e| (e.start_s, e.end_s))
            .collect();
        let labels = rec
            .labels()
            .filter(|e| e.end_s > e.start_s)
            .map(|e| {
                (
                    e.start_s,
                    e.end_s,
                    e.label.clone(),
                    cfg.confound.labels.category(&e.label),
                )
            })
            .collect();
        Context {
            cfg,
            cleaned,
            clock,
            conventions: Conventions::of(cfg.convention),
            motion,
            span,
            sleep,
            bouts,
            labels,
        }
    }
}

impl Context<'_> {
    /// HRV facts of the NN intervals ending in `(start, end]` plus the motion of `[start, end)`.
    pub fn window(&self, start: f64, end: f64) -> WindowData {
        let w = crate::windows::slice(&self.cleaned, start, end);
        let dur = (end - start).max(1e-9);
        let covered: f64 = w.rr_ms.iter().sum::<f64>() / 1000.0;
        let n_diffs = w.diff_ok.iter().skip(1).filter(|&&d| d).count();
        let coverage = (covered / dur).min(1.0);
        let valid = coverage >= self.cfg.rules.min_coverage && n_diffs >= self.cfg.rules.min_diffs;
        let ind = if w.rr_ms.len() >= 2 {
            // HR, RMSSD, lnRMSSD and SI are all the profiles read.
            compute_light_with(&mut Workspace::new(), &w, &self.conventions)
        } else {
            Default::default()
        };
        let fin = |x: Option<f64>| x.filter(|v| v.is_finite());
        WindowData {
            hr: fin(ind.mean_hr_bpm),
            rmssd: fin(ind.rmssd_ms),
            ln_rmssd: fin(ind.ln_rmssd),
            si: fin(ind.baevsky_si),
            coverage,
            n_diffs,
            valid,
            motion: self.motion.window(start, end),
        }
    }

    /// Whether `[start, end)` is awake time (by its midpoint) \[A\].
    pub fn awake(&self, start: f64, end: f64) -> bool {
        let mid = 0.5 * (start + end);
        if self.sleep.iter().any(|&(s, e)| mid >= s && mid < e) {
            return false;
        }
        if !self.clock.known {
            return true;
        }
        let h = self.clock.hour_of_day(mid);
        let (a, b) = (self.cfg.awake.from_h, self.cfg.awake.to_h);
        if a <= b {
            h >= a && h < b
        } else {
            h >= a || h < b
        }
    }

    /// Whether a window starting at `start` begins within `followed_motion_s` after the end of
    /// an active bout.
    pub fn after_motion(&self, start: f64) -> bool {
        let lim = self.cfg.followed_motion_s;
        self.bouts
            .iter()
            .any(|&(_, e)| e <= start + 1e-9 && start - e < lim)
    }

    /// The label covering ≥ 50 % of `[start, end)` (largest overlap wins).
    pub fn label(&self, start: f64, end: f64) -> (Option<String>, Option<Category>) {
        let dur = end - start;
        let mut best: Option<(f64, usize)> = None;
        for (i, (s, e, _, _)) in self.labels.iter().enumerate() {
            let ov = e.min(end) - s.max(start);
            if ov >= 0.5 * dur && best.is_none_or(|(b, _)| ov > b) {
                best = Some((ov, i));
            }
        }
        match best {
            Some((_, i)) => (Some(self.labels[i].2.clone()), Some(self.labels[i].3)),
            None => (None, None),
        }
    }

    /// Aligned window starts of length `len` (first at or after the span start, last ending at
    /// or before the span end).
    pub fn grid(&self, len: f64) -> Vec<f64> {
        let (lo, hi) = self.span;
        let mut out = Vec::new();
        let mut s = self.clock.align_up(lo, len);
        while s + len <= hi + 1e-6 {
            out.push(s);
            s += len;
        }
        out
    }

    /// Median of the 1-min HRs (from the NN intervals) of the minutes in `[start, end)`.
    pub fn median_minute_hr(&self, start: f64, end: f64) -> Option<f64> {
        let n = ((end - start) / 60.0).round().max(1.0) as usize;
        let mut hrs = Vec::with_capacity(n);
        for k in 0..n {
            let s = start + k as f64 * 60.0;
            let w = crate::windows::slice(&self.cleaned, s, s + 60.0);
            if w.rr_ms.len() >= 10 {
                hrs.push(60000.0 / (w.rr_ms.iter().sum::<f64>() / w.rr_ms.len() as f64));
            }
        }
        stats::median(hrs)
    }

    /// Days present in the recording: (index, start in recording time).
    pub fn days(&self) -> Vec<i64> {
        let (lo, hi) = self.span;
        let a = self.clock.day_index(lo);
        let b = self.clock.day_index((hi - 1e-6).max(lo));
        (a..=b).collect()
    }
}

/// Learn (or take) the baseline shared by watch-like and ring-like.
fn baseline_for(ctx: &Context, days: f64) -> Baseline {
    if let Some(b) = &ctx.cfg.baseline {
        return b.clone();
    }
    let len = ctx.cfg.watch.window_s;
    let mut hr = Vec::new();
    let mut ln = Vec::new();
    for s in ctx.grid(len) {
        let e = s + len;
        if !ctx.awake(s, e) {
            continue;
        }
        let d = ctx.window(s, e);
        let still = d.motion.known_share > 0.0 && d.motion.still_share >= 1.0 - 1e-9;
        if let (true, true, Some(h), Some(l)) = (d.valid, still, d.hr, d.ln_rmssd) {
            hr.push(h);
            ln.push(l);
        }
    }
    Baseline::learn(&hr, &ln, ctx.cfg.baseline_min_windows, days)
}

fn calibration(b: &Baseline, days_available: f64, days_required: f64, who: &str) -> Calibration {
    let (calibrated, note) = match b.source {
        BaselineSource::File => (
            true,
            format!("{who}: personal baseline given by the user (file)."),
        ),
        BaselineSource::SelfSameDay if days_available >= days_required => (
            true,
            format!(
                "{who}: self-baseline learned from this recording ({days_available:.1} days ≥ the {days_required:.0} days the design requires) [A]."
            ),
        ),
        BaselineSource::SelfSameDay => (
            false,
            format!(
                "{who}: UNCALIBRATED — the design needs {days_required:.0} days of data; this recording has {days_available:.1}. \
                 Self-baseline, same day [A]: median and 1.4826·MAD over {} valid, still, awake windows of this same recording, \
                 which include the stress the score should detect.",
                b.n_windows
            ),
        ),
        BaselineSource::ColdStart | BaselineSource::Population => (
            false,
            format!(
                "{who}: UNCALIBRATED — too few valid still awake windows to learn a baseline; cold-start defaults HR 70 ± 8 bpm, lnRMSSD 3.56 ± 0.35 [A]."
            ),
        ),
    };
    Calibration {
        calibrated,
        baseline_source: b.source,
        days_available,
        days_required: Some(days_required),
        note,
    }
}

/// Run the whole practice test on one recording.
///
/// Never panics on data: empty or degenerate recordings give empty window lists and `None`
/// statistics.
pub fn run(rec: &Recording, cfg: &PracticeConfig) -> PracticeResult {
    run_cleaned(rec, cfg, clean(&rec.beats, &cfg.cleaning)).0
}

/// [`run`] on beats already cleaned with `cfg.cleaning` (one cleaning pass for the profiles
/// and the report); gives the cleaned series back.
pub fn run_cleaned(
    rec: &Recording,
    cfg: &PracticeConfig,
    cleaned: Cleaned,
) -> (PracticeResult, Cleaned) {
    let span = rec.span_s().unwrap_or((0.0, 0.0));
    let days_available = ((span.1 - span.0) / 86400.0).max(0.0);
    let ctx = Context::with_cleaned(rec, cfg, cleaned);

    let base = baseline_for(&ctx, days_available);
    let mut notes = Vec::new();
    if ctx.motion.source.is_proxy() {
        notes.push(format!(
            "No motion sensor: motion is the HR-based activity PROXY (active if HR > hr_rest + {:.2}·(hr_max − hr_rest) for ≥ {} min; hr_rest {:.0} bpm, hr_max {:.0} bpm) [A]. It cannot tell exercise from a stress-related HR rise.",
            cfg.motion.proxy_hrr_fraction,
            cfg.motion.proxy_min_epochs,
            ctx.motion.proxy_hr_rest_bpm.unwrap_or(f64::NAN),
            ctx.motion.proxy_hr_max_bpm.unwrap_or(f64::NAN)
        ));
    }
    if !ctx.clock.known {
        notes.push("Absolute start time unknown: days are 24-h blocks from t = 0, windows are aligned from t = 0, and all time counts as awake (minus sleep labels) [A].".into());
    }

    // Coverage check: say so when the source has systematic holes (e.g. MMASH).
    {
        let len = cfg.watch.window_s;
        let (mut with_beats, mut low_cov, mut cov) = (0usize, 0usize, Vec::new());
        for s in ctx.grid(len) {
            let d = ctx.window(s, s + len);
            if d.coverage > 0.0 {
                with_beats += 1;
                cov.push(d.coverage);
                if d.coverage < cfg.rules.min_coverage {
                    low_cov += 1;
                }
            }
        }
        if with_beats > 0 && low_cov * 4 >= with_beats {
            notes.push(format!(
                "{low_cov} of {with_beats} {len:.0}-s windows with beats fail the {:.0} % coverage rule (median coverage {:.0} %): \
                 the RR source has holes; those windows get no score (\"not enough data\"). The rule is configurable (rules.min_coverage) [A].",
                cfg.rules.min_coverage * 100.0,
                stats::median(cov).unwrap_or(0.0) * 100.0
            ));
        }
    }
    let watch_cal = calibration(
        &base,
        days_available,
        cfg.watch.baseline_days_required,
        "watch-like",
    );
    let ring_cal = calibration(
        &base,
        days_available,
        cfg.ring.baseline_days_required,
        "ring-like",
    );
    let tracker_cal = Calibration {
        calibrated: true,
        baseline_source: BaselineSource::Population,
        days_available,
        days_required: None,
        note: "tracker-like: population scale (SI 30 ↦ 0, SI 1000 ↦ 100) [A]; no personal baseline needed, none used.".into(),
    };

    let watch_cands = watch::candidates(&ctx, &cfg.watch, &base);
    let ring_cands = ring::candidates(&ctx, &cfg.ring, &base);
    let tracker_cands = tracker::candidates(&ctx, &cfg.tracker);

    let mut profiles = Vec::with_capacity(3);
    for kind in ProfileKind::ALL {
        let (default_policy, window_s, cal, explain) = match kind {
            ProfileKind::Watch => (
                cfg.watch.default_policy,
                cfg.watch.window_s,
                watch_cal.clone(),
                watch::explain(&cfg.watch),
            ),
            ProfileKind::Ring => (
                cfg.ring.default_policy,
                cfg.ring.window_s,
                ring_cal.clone(),
                ring::explain(&cfg.ring),
            ),
            ProfileKind::Tracker => (
                cfg.tracker.default_policy,
                cfg.tracker.window_s,
                tracker_cal.clone(),
                tracker::explain(&cfg.tracker),
            ),
        };
        let by_policy: Vec<PolicyRun> = MotionPolicy::ALL
            .iter()
            .map(|&p| {
                let windows = match kind {
                    ProfileKind::Watch => watch::apply(&watch_cands, &cfg.watch, p),
                    ProfileKind::Ring => ring::apply(&ring_cands, &cfg.ring, &base, p),
                    ProfileKind::Tracker => tracker::apply(&tracker_cands, &cfg.tracker, p),
                };
                let daily = daily::summarise(&ctx, kind, cfg, p, &windows);
                PolicyRun {
                    policy: p,
                    windows,
                    daily,
                }
            })
            .collect();
        let windows = by_policy
            .iter()
            .find(|r| r.policy == default_policy)
            .map(|r| r.windows.clone())
            .unwrap_or_default();
        let daily = daily::reports(&ctx, kind, default_policy, &by_policy);
        profiles.push(ProfileResult {
            profile: kind,
            name: kind.name().into(),
            default_policy,
            window_s,
            calibrated: cal.calibrated,
            calibration: cal,
            windows,
            by_policy,
            daily,
            explain,
        });
    }
    for p in &profiles {
        if !p.calibrated {
            notes.push(p.calibration.note.clone());
        }
    }
    let confound = confound::compute(&ctx, &profiles);
    let result = PracticeResult {
        recording: RecordingInfo {
            subject_id: rec.meta.subject_id.clone(),
            source_format: rec.meta.source_format.clone(),
            start: rec.meta.start.map(|s| s.to_rfc3339()),
            span_s: span,
            n_beats: rec.beats.len(),
            n_clean: ctx.cleaned.rr_ms.len(),
            calendar_days: ctx.clock.known,
        },
        config: cfg.clone(),
        motion: MotionResult {
            source: ctx.motion.source,
            is_proxy: ctx.motion.source.is_proxy(),
            unit: ctx.motion.unit.clone(),
            explain: crate::motion::explain(&cfg.motion),
            series: ctx.motion.clone(),
        },
        baseline: base,
        profiles,
        confound,
        notes,
    };
    (result, ctx.cleaned)
}

/// Markdown for `--explain`: motion plus the three profiles' rules and tables.
pub fn explain_all(cfg: &PracticeConfig) -> String {
    let mut s = String::from("## Stress profiles: documented vs assumed\n\nSource keys resolve in `stress-profiles.md` §8; [A] = assumption of this design.\n\n");
    s.push_str(&crate::motion::explain(&cfg.motion));
    for e in [
        watch::explain(&cfg.watch),
        ring::explain(&cfg.ring),
        tracker::explain(&cfg.tracker),
    ] {
        s.push('\n');
        s.push_str(&e.markdown);
    }
    s
}

/// Epochs of a motion series in `[start, end)` (re-export for chart code).
pub fn motion_between(m: &MotionSeries, start: f64, end: f64) -> &[MotionEpoch] {
    m.between(start, end)
}
