//! Live view: the numbers a tester watches while recording, and the same view driven by a
//! file (`replay --realtime`).
//!
//! Data flow: a source (the BLE recorder in `crate::ble`, or [`replay`] reading a
//! [`Recording`]) turns everything it receives into [`Update`]s, feeds them to one
//! [`LiveState`], and hands the state to a [`View`] after each update. The state is the only
//! place where numbers are computed, and it computes them with the same streaming
//! [`crate::engine::Engine`] that `analyze` and `practice-test` use: a live run and a replay of
//! its recording show the same values (the BLE integration tests check this).
//!
//! # What the state computes
//! - **HR**: the last device-reported heart rate (bpm), else 60000 / mean NN.
//! - **Last RR**: the most recent raw RR interval, ms.
//! - **Analysis windows**: beats go through [`Engine::push_beat`] (cleaning with its bounded
//!   look-ahead, windows of [`crate::windows::WindowSpec`], default 5 min every 30 s, all
//!   indicators); the last closed window is shown with its validity.
//! - **Rolling indicators**: the beats of the last window length (5 min) and of the last
//!   [`LiveConfig::short_window_s`] (60 s), cleaned with the engine's cleaning configuration
//!   ([`crate::cleaning::clean`]) and passed to [`crate::indicators::compute_light_with`]
//!   (time domain and Baevsky SI; the closed analysis windows, and the main rolling value
//!   after [`LiveState::finish`], carry the full set) with the engine's conventions; recomputed at most once per [`LiveConfig::recompute_every_s`] of data
//!   time (default 1 s, *assumed*) and on demand, so the cost per notification stays small.
//!   (The engine itself only holds the NN intervals of its open windows, which start on the
//!   window grid, so a rolling value straight after the start needs the raw beats.)
//! - **Motion**: ENMO = mean over the last [`LiveConfig::motion_window_s`] (60 s) of
//!   max(0, √(x²+y²+z²) − 1 g), in mg (van Hees et al. 2013), kept as a running sum (O(1) per
//!   sample), classified with the cut-points of [`crate::motion::MotionConfig`] (`enmo_mg`).
//! - **Profile scores**: watch-like, ring-like and tracker-like under their default motion
//!   policies, by [`crate::profiles::online::OnlineScorer`] — the same per-window rules as
//!   `practice-test`, applied as soon as a window's cleaned beats are final (the engine's
//!   cleaning watermark) and its motion is complete (acceleration up to the window end, or
//!   [`LiveConfig::acc_grace_s`] later when the accelerometer stream lags or stops). Where a
//!   motion rule hides or flags a window, the view also shows the score the window would have
//!   had without it. Baseline: `--baseline FILE`, else the cold-start defaults (uncalibrated,
//!   said in the view).
//!
//! Memory is bounded by the windows (the engine's open windows, 60 s of acceleration, the
//! scorer's 1-h buffer), not by the feed length (see `benches/live.rs`).

use crate::cleaning::clean;
use crate::engine::{AnalysisConfig, Engine, WindowResult};
use crate::error::Result;
use crate::indicators::{compute_light_with, compute_with, IndicatorSet, NnWindow, Workspace};
pub use crate::motion::MotionLevel;
use crate::motion::{Cutpoints, MotionConfig};
use crate::profiles::online::{OnlineScorer, Scored};
use crate::profiles::{PracticeConfig, ProfileKind};
use crate::recording::{ActivityEpoch, Beat, Event, HrSample, Recording};
use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;
use std::io::Write;
use std::time::{Duration, Instant};

/// One thing that happened in the stream, in recording time (s since the start).
#[derive(Debug, Clone, Copy)]
pub enum Update<'a> {
    /// New beats (oldest first).
    Beats(&'a [Beat]),
    /// Device-reported heart rate.
    Hr {
        /// Time, s.
        t_s: f64,
        /// Heart rate, bpm.
        bpm: f64,
    },
    /// Acceleration samples in g (times in s, oldest first).
    Acc {
        /// Sample times, s.
        t_s: &'a [f64],
        /// x, y, z in g.
        xyz_g: &'a [[f32; 3]],
    },
    /// A motion epoch computed by the device or an exporter (ActiGraph counts, ENMO), sent
    /// when the epoch has ended.
    Activity(&'a ActivityEpoch),
    /// A recorder event (gap, reconnect, duplicate, lost, note).
    Event(&'a Event),
    /// Connection status text (connecting, connected, reconnecting…).
    Status(&'a str),
}

/// Settings of the live state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LiveConfig {
    /// Engine settings (windows, cleaning, conventions); the same defaults as `analyze`.
    pub analysis: AnalysisConfig,
    /// Short rolling window, s (default 60).
    pub short_window_s: f64,
    /// Motion window, s (default 60).
    pub motion_window_s: f64,
    /// ENMO cut-points, mg (default: [`MotionConfig::default`]`.enmo_mg`).
    pub enmo_mg: Cutpoints,
    /// Activity-count cut-points, counts/min, for motion epochs (default:
    /// [`MotionConfig::default`]`.counts_cpm`).
    #[serde(default = "default_counts_cpm")]
    pub counts_cpm: Cutpoints,
    /// Recompute the rolling indicators at most this often, s of data time (default 1).
    pub recompute_every_s: f64,
    /// Profile settings for the live scores (`None`: no scores). Its cleaning is replaced by
    /// `analysis.cleaning` so that scores and indicators see the same NN intervals.
    #[serde(default)]
    pub profiles: Option<PracticeConfig>,
    /// How long a window waits for late acceleration before it is scored with the motion it
    /// has, s of beat time (default 60) \[A\].
    #[serde(default = "default_acc_grace")]
    pub acc_grace_s: f64,
    /// Keep every scored window for [`LiveState::take_scored`] (tests, replay exports);
    /// off by default so that a week-long session holds only the latest per profile.
    #[serde(default)]
    pub keep_scored: bool,
}

fn default_counts_cpm() -> Cutpoints {
    MotionConfig::default().counts_cpm
}

fn default_acc_grace() -> f64 {
    60.0
}

impl Default for LiveConfig {
    fn default() -> Self {
        LiveConfig {
            analysis: AnalysisConfig::default(),
            short_window_s: 60.0,
            motion_window_s: 60.0,
            enmo_mg: MotionConfig::default().enmo_mg,
            counts_cpm: default_counts_cpm(),
            recompute_every_s: 1.0,
            profiles: Some(PracticeConfig::default()),
            acc_grace_s: default_acc_grace(),
            keep_scored: false,
        }
    }
}

/// The live numbers. See the module docs for every definition.
#[derive(Debug)]
pub struct LiveState {
    cfg: LiveConfig,
    engine: Engine,
    beats: VecDeque<Beat>,
    ws: Workspace,
    acc: VecDeque<(f64, f64)>,
    enmo_sum: f64,
    now_s: f64,
    hr_bpm: Option<f64>,
    last_rr_ms: Option<f64>,
    total_beats: u64,
    total_acc: u64,
    events: u64,
    last_event: Option<String>,
    status: String,
    rolling: IndicatorSet,
    rolling_short: IndicatorSet,
    last_window: Option<WindowResult>,
    windows: u64,
    computed_at: f64,
    dirty: bool,
    scorer: Option<OnlineScorer>,
    scored: Vec<Scored>,
    /// Windows scored by the last update (read by views).
    just_scored: Vec<Scored>,
    last_activity: Option<(f64, &'static str, MotionLevel)>,
    /// Profile scores shown by the views (profile name, display text).
    pub scores: Vec<(String, String)>,
}

impl LiveState {
    /// Empty state; `start` (absolute time of t = 0) aligns the engine's window grid.
    pub fn new(cfg: LiveConfig, start: Option<&DateTime<FixedOffset>>) -> Result<LiveState> {
        Self::for_source(cfg, start, None, None)
    }

    /// Empty state for a source whose format name (`source_format`, e.g. an Empatica E4) and
    /// nominal accelerometer rate are known (both feed the motion rules of the scores).
    pub fn for_source(
        cfg: LiveConfig,
        start: Option<&DateTime<FixedOffset>>,
        source_format: Option<String>,
        acc_rate_hz: Option<f64>,
    ) -> Result<LiveState> {
        let scorer = cfg.profiles.as_ref().map(|p| {
            let mut p = p.clone();
            p.cleaning = cfg.analysis.cleaning.clone();
            OnlineScorer::new(p, start.copied(), source_format, acc_rate_hz)
        });
        let scores = match &scorer {
            Some(_) => ProfileKind::ALL
                .iter()
                .map(|k| {
                    (
                        k.name().to_string(),
                        "waiting for the first window".to_string(),
                    )
                })
                .collect(),
            None => Vec::new(),
        };
        Ok(LiveState {
            scorer,
            scored: Vec::new(),
            just_scored: Vec::new(),
            last_activity: None,
            engine: {
                let mut e = Engine::new(&cfg.analysis, start)?;
                // A live session never collects the edit log: keep memory bounded.
                e.keep_edits(false);
                e
            },
            cfg,
            beats: VecDeque::new(),
            ws: Workspace::new(),
            acc: VecDeque::new(),
            enmo_sum: 0.0,
            now_s: 0.0,
            hr_bpm: None,
            last_rr_ms: None,
            total_beats: 0,
            total_acc: 0,
            events: 0,
            last_event: None,
            status: String::new(),
            rolling: IndicatorSet::default(),
            rolling_short: IndicatorSet::default(),
            last_window: None,
            windows: 0,
            computed_at: f64::NEG_INFINITY,
            dirty: false,
            scores,
        })
    }

    /// Apply one update.
    pub fn update(&mut self, u: &Update) {
        self.just_scored.clear();
        match *u {
            Update::Beats(bs) => {
                for b in bs {
                    self.engine.push_beat(*b);
                    if let Some(sc) = self.scorer.as_mut() {
                        sc.push_beat(b);
                    }
                    self.beats.push_back(*b);
                    self.last_rr_ms = Some(b.rr_ms);
                    self.now_s = self.now_s.max(b.t_s);
                    self.total_beats += 1;
                }
                let lo = self.now_s - self.cfg.analysis.window.len_s;
                while self.beats.front().is_some_and(|b| b.t_s <= lo) {
                    self.beats.pop_front();
                }
                self.take_windows();
                self.advance_scores();
                self.dirty = true;
                if self.now_s - self.computed_at >= self.cfg.recompute_every_s {
                    self.recompute();
                }
            }
            Update::Hr { t_s, bpm } => {
                self.hr_bpm = Some(bpm);
                self.now_s = self.now_s.max(t_s);
                if let Some(sc) = self.scorer.as_mut() {
                    sc.push_hr(HrSample { t_s, bpm });
                }
            }
            Update::Acc { t_s, xyz_g } => {
                for (t, v) in t_s.iter().zip(xyz_g) {
                    let (x, y, z) = (v[0] as f64, v[1] as f64, v[2] as f64);
                    let enmo = ((x * x + y * y + z * z).sqrt() - 1.0).max(0.0) * 1000.0;
                    self.acc.push_back((*t, enmo));
                    if let Some(sc) = self.scorer.as_mut() {
                        sc.push_acc(*t, *v);
                    }
                    self.enmo_sum += enmo;
                    self.total_acc += 1;
                    self.now_s = self.now_s.max(*t);
                }
                let lo = self.now_s - self.cfg.motion_window_s;
                while let Some(&(t, e)) = self.acc.front() {
                    if t > lo {
                        break;
                    }
                    self.enmo_sum -= e;
                    self.acc.pop_front();
                }
                if self.acc.is_empty() {
                    self.enmo_sum = 0.0;
                }
                self.advance_scores();
            }
            Update::Activity(a) => {
                self.now_s = self.now_s.max(a.t_s + a.dur_s);
                self.last_activity = match (a.enmo_mg, a.counts_vm) {
                    (Some(e), _) if e.is_finite() => Some((e, "mg", self.cfg.enmo_mg.level(e))),
                    (_, Some(c)) if c.is_finite() && a.dur_s > 0.0 => {
                        let cpm = c / a.dur_s * 60.0;
                        Some((cpm, "counts/min", self.cfg.counts_cpm.level(cpm)))
                    }
                    _ => self.last_activity,
                };
                if let Some(sc) = self.scorer.as_mut() {
                    sc.push_activity(a);
                }
                self.advance_scores();
            }
            Update::Event(e) => {
                self.events += 1;
                if let Some(sc) = self.scorer.as_mut() {
                    sc.push_event(e);
                }
                self.last_event = Some(format!("{:?} {}", e.kind, e.label).to_lowercase());
            }
            Update::Status(s) => {
                self.status.clear();
                self.status.push_str(s);
            }
        }
    }

    /// Score the profile windows whose data are final: cleaned NN up to the engine's
    /// watermark, acceleration up to the window end (or `acc_grace_s` of beat time later).
    fn advance_scores(&mut self) {
        let Some(sc) = self.scorer.as_mut() else {
            return;
        };
        let Some(nn) = self.engine.watermark_s() else {
            return;
        };
        let safe = match sc.last_motion_s() {
            Some(a) => nn.min(a.max(nn - self.cfg.acc_grace_s)),
            None => nn,
        };
        if sc.advance(safe) > 0 {
            self.collect_scores();
        }
    }

    fn collect_scores(&mut self) {
        let Some(sc) = self.scorer.as_mut() else {
            return;
        };
        let new = sc.drain();
        if self.cfg.keep_scored {
            self.scored.extend(new.iter().cloned());
        }
        self.just_scored.extend(new);
        for (name, text) in &mut self.scores {
            let kind = ProfileKind::ALL
                .into_iter()
                .find(|k| k.name() == name.as_str());
            if let Some(s) = kind.and_then(|k| sc.latest(k)) {
                *text = s.text();
            }
        }
    }

    /// Windows scored by the last [`LiveState::update`] (or by [`LiveState::finish`]), for
    /// views that show or log every window.
    pub fn just_scored(&self) -> &[Scored] {
        &self.just_scored
    }

    /// Windows scored since the last call (only with [`LiveConfig::keep_scored`]).
    pub fn take_scored(&mut self) -> Vec<Scored> {
        std::mem::take(&mut self.scored)
    }

    /// The calibration statement of the scores (`None` without scores).
    pub fn score_note(&self) -> Option<String> {
        self.scorer.as_ref().map(OnlineScorer::calibration_note)
    }

    fn take_windows(&mut self) {
        while let Some(w) = self.engine.pop_window() {
            self.windows += 1;
            self.last_window = Some(w);
        }
    }

    /// Indicators of the beats of the last `span_s`: the light set (time domain + SI), or the
    /// full set when `full` (end of stream).
    fn rolling_over(&mut self, span_s: f64, full: bool) -> IndicatorSet {
        let lo = self.now_s - span_s;
        let beats = self.beats.make_contiguous();
        let i0 = beats.partition_point(|b| b.t_s <= lo);
        let c = clean(&beats[i0..], &self.cfg.analysis.cleaning);
        let w = NnWindow {
            rr_ms: &c.rr_ms,
            t_s: &c.t_s,
            diff_ok: &c.diff_ok,
        };
        if full {
            compute_with(&mut self.ws, &w, &self.cfg.analysis.conventions)
        } else {
            compute_light_with(&mut self.ws, &w, &self.cfg.analysis.conventions)
        }
    }

    fn recompute(&mut self) {
        self.rolling = self.rolling_over(self.cfg.analysis.window.len_s, false);
        self.rolling_short = self.rolling_over(self.cfg.short_window_s, false);
        self.computed_at = self.now_s;
        self.dirty = false;
    }

    /// Rolling indicators of the last window length, recomputed now if beats arrived since.
    pub fn indicators_now(&mut self) -> &IndicatorSet {
        if self.dirty {
            self.recompute();
        }
        &self.rolling
    }

    /// Rolling indicators as of the last recompute.
    pub fn indicators(&self) -> &IndicatorSet {
        &self.rolling
    }

    /// The last analysis window the engine closed, and how many it closed so far.
    pub fn last_window(&self) -> (Option<&WindowResult>, u64) {
        (self.last_window.as_ref(), self.windows)
    }

    /// End of stream: flush the engine (last windows, cleaner look-ahead), score the last
    /// profile windows and recompute the rolling values, the main one with the full set.
    pub fn finish(&mut self) {
        self.just_scored.clear();
        self.engine.finish();
        self.take_windows();
        if let Some(sc) = self.scorer.as_mut() {
            sc.finish();
        }
        self.collect_scores();
        self.recompute();
        // The final values (a recording's summary) carry the full indicator set.
        self.rolling = self.rolling_over(self.cfg.analysis.window.len_s, true);
    }

    /// A display snapshot.
    pub fn snapshot(&self) -> Snapshot {
        let enmo = (!self.acc.is_empty()).then(|| self.enmo_sum.max(0.0) / self.acc.len() as f64);
        let (win_rmssd, win_valid) = match &self.last_window {
            Some(w) => (w.indicators.rmssd_ms, Some(w.quality.valid)),
            None => (None, None),
        };
        Snapshot {
            t_s: self.now_s,
            hr_bpm: self.hr_bpm.or(self.rolling.mean_hr_bpm),
            last_rr_ms: self.last_rr_ms,
            rmssd_short_ms: self.rolling_short.rmssd_ms,
            rmssd_ms: self.rolling.rmssd_ms,
            sdnn_ms: self.rolling.sdnn_ms,
            baevsky_si: self.rolling.baevsky_si,
            window_rmssd_ms: win_rmssd,
            window_valid: win_valid,
            windows: self.windows,
            enmo_mg: enmo,
            motion: enmo
                .map(|e| self.cfg.enmo_mg.level(e))
                .or(self.last_activity.map(|a| a.2)),
            motion_epoch: match (enmo, self.last_activity) {
                (None, Some((v, unit, lvl))) => Some(format!("{} ({v:.0} {unit})", lvl.name())),
                _ => None,
            },
            beats: self.total_beats,
            acc_samples: self.total_acc,
            events: self.events,
            last_event: self.last_event.clone(),
            status: self.status.clone(),
            scores: self.scores.clone(),
            score_note: self.score_note(),
        }
    }

    /// Beats held (rolling window + the engine's open windows + the scorer's buffer) and
    /// acceleration samples held; bounded by the windows.
    pub fn held(&self) -> (usize, usize) {
        let (sb, sa) = self
            .scorer
            .as_ref()
            .map(OnlineScorer::held)
            .unwrap_or((0, 0));
        (
            self.beats.len() + self.engine.held() + sb,
            self.acc.len() + sa,
        )
    }
}

/// What a view shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    /// Data time, s since the start.
    pub t_s: f64,
    /// Heart rate, bpm.
    pub hr_bpm: Option<f64>,
    /// Last RR, ms.
    pub last_rr_ms: Option<f64>,
    /// RMSSD over the short window (60 s), ms.
    pub rmssd_short_ms: Option<f64>,
    /// RMSSD over the main window (5 min), ms.
    pub rmssd_ms: Option<f64>,
    /// SDNN over the main window, ms.
    pub sdnn_ms: Option<f64>,
    /// Baevsky SI over the main window.
    pub baevsky_si: Option<f64>,
    /// RMSSD of the last closed analysis window, ms.
    pub window_rmssd_ms: Option<f64>,
    /// Validity of the last closed analysis window.
    pub window_valid: Option<bool>,
    /// Analysis windows closed so far.
    pub windows: u64,
    /// ENMO over the motion window, mg.
    pub enmo_mg: Option<f64>,
    /// Motion level (from ENMO, else from the last motion epoch).
    pub motion: Option<MotionLevel>,
    /// The last motion epoch as text, when motion comes from epochs rather than raw
    /// acceleration, e.g. `light (2310 counts/min)`.
    pub motion_epoch: Option<String>,
    /// Beats so far.
    pub beats: u64,
    /// Acceleration samples so far.
    pub acc_samples: u64,
    /// Events so far.
    pub events: u64,
    /// Last event text.
    pub last_event: Option<String>,
    /// Connection status.
    pub status: String,
    /// Profile scores (profile, text).
    pub scores: Vec<(String, String)>,
    /// How the scores are calibrated (baseline file or cold start); `None` without scores.
    pub score_note: Option<String>,
}

fn f(v: Option<f64>, digits: usize) -> String {
    v.map(|x| format!("{x:.digits$}"))
        .unwrap_or_else(|| "–".into())
}

impl Snapshot {
    /// One plain line.
    pub fn line(&self) -> String {
        let mut s = format!(
            "t={:>8.1}s HR={} RR={}ms RMSSD60={}ms RMSSD5m={}ms SI={} motion={}",
            self.t_s,
            f(self.hr_bpm, 0),
            f(self.last_rr_ms, 0),
            f(self.rmssd_short_ms, 1),
            f(self.rmssd_ms, 1),
            f(self.baevsky_si, 0),
            match (self.motion, self.enmo_mg, &self.motion_epoch) {
                (Some(m), Some(e), _) => format!("{}({e:.0}mg)", m.name()),
                (_, _, Some(t)) => t.replace(' ', ""),
                _ => "–".into(),
            }
        );
        if let Some(v) = self.window_valid {
            s.push_str(&format!(
                " win{}={}ms({})",
                self.windows,
                f(self.window_rmssd_ms, 1),
                if v { "valid" } else { "invalid" }
            ));
        }
        for (p, v) in &self.scores {
            s.push_str(&format!(" {p}={v}"));
        }
        s
    }
}

/// A live display. `update` is called after every update (views throttle themselves);
/// `finish` once at the end.
pub trait View {
    /// The state changed because of `what`.
    fn update(&mut self, state: &LiveState, what: &Update);
    /// The stream ended.
    fn finish(&mut self, state: &LiveState);
}

/// A view that shows nothing (tests, `--quiet`).
#[derive(Debug, Default)]
pub struct NullView;

impl View for NullView {
    fn update(&mut self, _: &LiveState, _: &Update) {}
    fn finish(&mut self, _: &LiveState) {}
}

/// Plain line mode: one line per `every_s` seconds of data time, plus one line per event.
pub struct LineView<W: Write> {
    out: W,
    every_s: f64,
    last_t: f64,
    noted: bool,
}

impl<W: Write> LineView<W> {
    /// A line view writing to `out` every `every_s` seconds of data time.
    pub fn new(out: W, every_s: f64) -> Self {
        LineView {
            out,
            every_s,
            last_t: f64::NEG_INFINITY,
            noted: false,
        }
    }
}

impl<W: Write> View for LineView<W> {
    fn update(&mut self, state: &LiveState, what: &Update) {
        if !self.noted {
            self.noted = true;
            if let Some(n) = state.score_note() {
                let _ = writeln!(self.out, "# scores: {n}");
            }
        }
        match what {
            Update::Event(e) => {
                let _ = writeln!(
                    self.out,
                    "# event {:?} {:.1}-{:.1}s {}",
                    e.kind, e.start_s, e.end_s, e.label
                );
            }
            Update::Status(s) => {
                let _ = writeln!(self.out, "# {s}");
            }
            _ => {
                if state.now_s - self.last_t >= self.every_s {
                    self.last_t = state.now_s;
                    let _ = writeln!(self.out, "{}", state.snapshot().line());
                }
            }
        }
    }
    fn finish(&mut self, state: &LiveState) {
        let _ = writeln!(self.out, "{}", state.snapshot().line());
        let _ = self.out.flush();
    }
}

/// Machine-readable view: one JSON object per line. Every `every_s` seconds of data time and
/// at the end, a snapshot `{"kind":"snapshot", …every field of [`Snapshot`]…}` (the final one
/// has `"final": true`); each event or status change as `{"kind":"event", "event":…,
/// "start_s", "end_s", "label"}` or `{"kind":"status", "status":…}`; and every profile window
/// as it is scored, `{"kind":"score", "profile", "window": {…inputs, motion, status, score…},
/// "without_motion_rule", "note"}` — the same window record as practice-test's
/// `summary.json`, so a live session can be checked window by window.
pub struct JsonLinesView<W: Write> {
    out: W,
    every_s: f64,
    last_t: f64,
}

impl<W: Write> JsonLinesView<W> {
    /// A JSON-lines view writing to `out` every `every_s` seconds of data time.
    pub fn new(out: W, every_s: f64) -> Self {
        JsonLinesView {
            out,
            every_s,
            last_t: f64::NEG_INFINITY,
        }
    }

    fn snapshot(&mut self, state: &LiveState, last: bool) {
        let mut v = serde_json::to_value(state.snapshot()).unwrap_or_default();
        if let Some(o) = v.as_object_mut() {
            o.insert("kind".into(), "snapshot".into());
            o.insert("final".into(), last.into());
        }
        let _ = writeln!(self.out, "{v}");
    }
}

impl<W: Write> JsonLinesView<W> {
    fn scores(&mut self, state: &LiveState) {
        for s in state.just_scored() {
            let mut v = serde_json::to_value(s).unwrap_or_default();
            if let Some(o) = v.as_object_mut() {
                o.insert("kind".into(), "score".into());
            }
            let _ = writeln!(self.out, "{v}");
        }
    }
}

impl<W: Write> View for JsonLinesView<W> {
    fn update(&mut self, state: &LiveState, what: &Update) {
        self.scores(state);
        match what {
            Update::Event(e) => {
                let v = serde_json::json!({
                    "kind": "event",
                    "event": e.kind,
                    "start_s": e.start_s,
                    "end_s": e.end_s,
                    "label": e.label,
                });
                let _ = writeln!(self.out, "{v}");
            }
            Update::Status(s) => {
                let _ = writeln!(
                    self.out,
                    "{}",
                    serde_json::json!({"kind": "status", "status": s})
                );
            }
            _ => {
                if state.now_s - self.last_t >= self.every_s {
                    self.last_t = state.now_s;
                    self.snapshot(state, false);
                }
            }
        }
    }
    fn finish(&mut self, state: &LiveState) {
        self.scores(state);
        self.snapshot(state, true);
        let _ = self.out.flush();
    }
}

/// Compact refreshing view: a few lines redrawn in place with ANSI escapes, at most
/// `max_fps` times per second of wall time.
pub struct CompactView<W: Write> {
    out: W,
    min_gap: Duration,
    last: Option<Instant>,
    drawn_lines: usize,
}

impl<W: Write> CompactView<W> {
    /// A compact view on `out` (a terminal).
    pub fn new(out: W, max_fps: f64) -> Self {
        CompactView {
            out,
            min_gap: Duration::from_secs_f64(1.0 / max_fps.max(0.1)),
            last: None,
            drawn_lines: 0,
        }
    }

    fn draw(&mut self, s: &Snapshot) {
        let mut text = String::new();
        if self.drawn_lines > 0 {
            // Move up and clear what we drew last time.
            text.push_str(&format!("\x1b[{}F\x1b[J", self.drawn_lines));
        }
        let lines = [
            format!(
                "stress-harness live  t={:.0}s  {}",
                s.t_s,
                if s.status.is_empty() { "" } else { &s.status }
            ),
            format!(
                "HR {:>4} bpm   last RR {:>5} ms   beats {}",
                f(s.hr_bpm, 0),
                f(s.last_rr_ms, 0),
                s.beats
            ),
            format!(
                "RMSSD 60 s {:>6} ms   5 min {:>6} ms   SDNN {:>6} ms   SI {:>5}",
                f(s.rmssd_short_ms, 1),
                f(s.rmssd_ms, 1),
                f(s.sdnn_ms, 1),
                f(s.baevsky_si, 0)
            ),
            format!(
                "last 5-min window {} ms ({})   windows {}",
                f(s.window_rmssd_ms, 1),
                match s.window_valid {
                    Some(true) => "valid",
                    Some(false) => "invalid",
                    None => "none yet",
                },
                s.windows
            ),
            format!(
                "motion {}   acc samples {}",
                match (s.motion, s.enmo_mg, &s.motion_epoch) {
                    (Some(m), Some(e), _) => format!("{} ({e:.0} mg)", m.name()),
                    (_, _, Some(t)) => t.clone(),
                    _ => "– (no accelerometer)".into(),
                },
                s.acc_samples
            ),
            format!(
                "scores {}",
                if s.scores.is_empty() {
                    "– (profiles not available)".to_string()
                } else {
                    s.scores
                        .iter()
                        .map(|(p, v)| format!("{p}: {v}"))
                        .collect::<Vec<_>>()
                        .join("   ")
                }
            ),
            format!("  {}", s.score_note.as_deref().unwrap_or("")),
            format!(
                "events {}   {}",
                s.events,
                s.last_event.as_deref().unwrap_or("")
            ),
        ];
        for l in &lines {
            text.push_str(l);
            text.push('\n');
        }
        self.drawn_lines = lines.len();
        let _ = self.out.write_all(text.as_bytes());
        let _ = self.out.flush();
    }
}

impl<W: Write> View for CompactView<W> {
    fn update(&mut self, state: &LiveState, _: &Update) {
        let now = Instant::now();
        if self.last.is_some_and(|l| now - l < self.min_gap) {
            return;
        }
        self.last = Some(now);
        self.draw(&state.snapshot());
    }
    fn finish(&mut self, state: &LiveState) {
        self.draw(&state.snapshot());
    }
}

/// The view for a terminal: the compact refreshing view when `compact` and stdout is a
/// terminal, else plain lines (one per second of data).
pub fn terminal_view(compact: bool) -> Box<dyn View + Send> {
    use std::io::IsTerminal;
    if compact && std::io::stdout().is_terminal() {
        Box::new(CompactView::new(std::io::stdout(), 4.0))
    } else {
        Box::new(LineView::new(std::io::stdout(), 1.0))
    }
}

/// Replay pace.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Speed {
    /// As recorded (1 s of data per second).
    Realtime,
    /// `k` seconds of data per second of wall time.
    Factor(f64),
    /// As fast as possible.
    Max,
}

/// Drive `view` from a recording, merging beats, heart rate, acceleration and events in time
/// order, at `speed`. Returns the final state (its indicators recomputed).
pub fn replay(
    rec: &Recording,
    speed: Speed,
    cfg: &LiveConfig,
    view: &mut dyn View,
) -> Result<LiveState> {
    if let Speed::Factor(k) = speed {
        if !(k > 0.0 && k.is_finite()) {
            return Err(crate::Error::Config {
                name: "speed".into(),
                value: k.to_string(),
                expected: "a positive finite factor".into(),
            });
        }
    }
    let mut st = LiveState::for_source(
        cfg.clone(),
        rec.meta.start.as_ref(),
        rec.meta.source_format.clone(),
        rec.acc.as_ref().map(|a| a.rate_hz).filter(|r| *r > 0.0),
    )?;
    let empty = crate::recording::AccSeries::default();
    let acc = rec.acc.as_ref().unwrap_or(&empty);
    let (mut ib, mut ih, mut ia, mut ie, mut ix) = (0usize, 0usize, 0usize, 0usize, 0usize);
    let t0 = rec.span_s().map(|s| s.0).unwrap_or(0.0);
    let wall0 = Instant::now();
    let mut xyz = [[0f32; 3]; 1];
    loop {
        let tb = rec.beats.get(ib).map(|b| b.t_s);
        let th = rec.hr.get(ih).map(|h| h.t_s);
        let ta = acc.t_s.get(ia).copied();
        let te = rec.events.get(ie).map(|e| e.start_s);
        // A motion epoch is known when it has ended.
        let tx = rec.activity.get(ix).map(|a| a.t_s + a.dur_s);
        let next = [tb, th, ta, te, tx]
            .into_iter()
            .flatten()
            .fold(f64::INFINITY, f64::min);
        if !next.is_finite() {
            break;
        }
        let pace = match speed {
            Speed::Realtime => Some(1.0),
            Speed::Factor(k) => Some(k),
            Speed::Max => None,
        };
        if let Some(k) = pace {
            let due = Duration::from_secs_f64(((next - t0) / k).max(0.0));
            let el = wall0.elapsed();
            if due > el {
                std::thread::sleep(due - el);
            }
        }
        if te == Some(next) {
            let e = &rec.events[ie];
            ie += 1;
            let u = Update::Event(e);
            st.update(&u);
            view.update(&st, &u);
        } else if tb == Some(next) {
            let u = Update::Beats(std::slice::from_ref(&rec.beats[ib]));
            ib += 1;
            st.update(&u);
            view.update(&st, &u);
        } else if tx == Some(next) {
            let u = Update::Activity(&rec.activity[ix]);
            ix += 1;
            st.update(&u);
            view.update(&st, &u);
        } else if th == Some(next) {
            let h = rec.hr[ih];
            ih += 1;
            let u = Update::Hr {
                t_s: h.t_s,
                bpm: h.bpm,
            };
            st.update(&u);
            view.update(&st, &u);
        } else {
            xyz[0] = [acc.x[ia], acc.y[ia], acc.z[ia]];
            let u = Update::Acc {
                t_s: &acc.t_s[ia..ia + 1],
                xyz_g: &xyz,
            };
            ia += 1;
            st.update(&u);
            view.update(&st, &u);
        }
    }
    st.finish();
    view.finish(&st);
    Ok(st)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::recording::{AccSeries, BeatFlags};

    fn rec() -> Recording {
        let mut beats = Vec::new();
        let mut t = 0.0;
        for i in 0..400 {
            let rr = 800.0 + if i % 2 == 0 { 20.0 } else { -20.0 };
            t += rr / 1000.0;
            beats.push(Beat {
                t_s: t,
                rr_ms: rr,
                flags: BeatFlags::NONE,
            });
        }
        let mut acc = AccSeries {
            rate_hz: 10.0,
            ..Default::default()
        };
        for i in 0..3000 {
            acc.push(i as f64 * 0.1, 0.0, 0.0, 1.2);
        }
        Recording {
            beats,
            acc: Some(acc),
            ..Default::default()
        }
    }

    #[test]
    fn replay_max_matches_direct_computation() {
        let r = rec();
        let mut st = replay(&r, Speed::Max, &LiveConfig::default(), &mut NullView).unwrap();
        // Alternating ±20 ms → every successive difference is 40 ms → RMSSD = 40.
        let ind = st.indicators_now().clone();
        assert!((ind.rmssd_ms.unwrap() - 40.0).abs() < 1e-9);
        let s = st.snapshot();
        assert_eq!(s.beats, 400);
        // |a| = 1.2 g → ENMO 200 mg → active.
        assert!((s.enmo_mg.unwrap() - 200.0).abs() < 1e-3);
        assert_eq!(s.motion, Some(MotionLevel::Active));
        // The 320-s session moved all the time: watch-like shows −2 with the score it hides.
        assert!(
            s.scores[0].1.starts_with("-2 excess motion ("),
            "{:?}",
            s.scores
        );
        // Without scores the held state is the windows: 5 min of ~0.8 s beats, 60 s of 10 Hz
        // samples (the scorer's 1-h buffer is bounded in profiles::online's tests).
        let cfg = LiveConfig {
            profiles: None,
            ..Default::default()
        };
        let st = replay(&r, Speed::Max, &cfg, &mut NullView).unwrap();
        let (b, a) = st.held();
        assert!(b <= 2 * 380 && a <= 601, "{b} {a}");
        assert!(st.snapshot().scores.is_empty());
    }

    #[test]
    fn line_and_compact_views_render() {
        let r = rec();
        let mut buf = Vec::new();
        replay(
            &r,
            Speed::Max,
            &LiveConfig::default(),
            &mut LineView::new(&mut buf, 60.0),
        )
        .unwrap();
        let text = String::from_utf8(buf).unwrap();
        assert!(text.lines().count() >= 5, "{text}");
        assert!(text.contains("RMSSD5m=40.0ms"), "{text}");
        let mut buf = Vec::new();
        replay(
            &r,
            Speed::Max,
            &LiveConfig::default(),
            &mut CompactView::new(&mut buf, 5.0),
        )
        .unwrap();
        let text = String::from_utf8(buf).unwrap();
        assert!(text.contains("RMSSD 60 s"), "{text}");
        assert!(text.contains("active"), "{text}");
    }

    #[test]
    fn json_lines_view_writes_one_parsable_object_per_line() {
        let mut buf = Vec::new();
        replay(
            &rec(),
            Speed::Max,
            &LiveConfig::default(),
            &mut JsonLinesView::new(&mut buf, 60.0),
        )
        .unwrap();
        let text = String::from_utf8(buf).unwrap();
        let lines: Vec<serde_json::Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
            .collect();
        assert!(lines.len() >= 5, "{text}");
        let last = lines.last().unwrap();
        assert_eq!(last["kind"], "snapshot");
        assert_eq!(last["final"], true);
        assert_eq!(last["beats"], 400);
        assert!((last["rmssd_ms"].as_f64().unwrap() - 40.0).abs() < 1e-9);
        assert_eq!(last["scores"].as_array().unwrap().len(), 3);
    }

    #[test]
    fn bad_speed_is_a_config_error() {
        let e = replay(
            &rec(),
            Speed::Factor(0.0),
            &LiveConfig::default(),
            &mut NullView,
        )
        .unwrap_err();
        assert!(e.to_string().contains("speed"), "{e}");
    }
}
