//! The analysis engine: one streaming engine for replay and live.
//!
//! An [`Engine`] is fed beats one at a time ([`Engine::push_beat`]). It cleans them with the
//! configured method's bounded look-ahead ([`crate::cleaning::StreamCleaner`]), keeps only the
//! NN intervals of the windows still open (memory bounded by the window length plus the
//! cleaner's look-ahead, not by the recording), and emits a [`WindowResult`] (quality +
//! indicators) as soon as a window can no longer change. [`Engine::finish`] flushes the
//! cleaner and emits the remaining full windows.
//!
//! **When a window closes.** The cleaner reports a watermark: every NN interval still to come
//! ends after it. A window `(start, end]` is emitted once `end ≤ watermark`; then no interval,
//! correction or removal can still fall in it. At the end of the stream the last windows are
//! those that end before the last accepted beat (the batch rule of [`crate::windows`]).
//!
//! **Replay = live at infinite speed.** [`analyze`] drives the same engine over a whole
//! [`Recording`]; a test proves the windows equal those of batch cleaning
//! ([`crate::cleaning::clean`]) followed by batch windowing ([`crate::windows::batch`]).

use crate::cleaning::{
    CleaningConfig, CleaningMethod, Edit, EditAction, EditCause, NnBeat, StreamCleaner,
};
use crate::error::Result;
use crate::indicators::{self, Conventions, IndicatorSet, NnWindow};
use crate::recording::{Beat, Recording};
use crate::windows::{self, WindowQuality, WindowSpec};
use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, VecDeque};

/// Everything that determines an analysis; serialisable so outputs can echo it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnalysisConfig {
    /// Window placement and validity rules.
    pub window: WindowSpec,
    /// Cleaning method and parameters.
    pub cleaning: CleaningConfig,
    /// Indicator conventions.
    pub conventions: Conventions,
}

impl Default for AnalysisConfig {
    fn default() -> Self {
        AnalysisConfig {
            window: WindowSpec::default(),
            cleaning: CleaningConfig::default(),
            conventions: Conventions::of(indicators::Convention::Default),
        }
    }
}

impl AnalysisConfig {
    /// Check every setting.
    pub fn validate(&self) -> Result<()> {
        self.window.validate()?;
        self.cleaning.validate()
    }
}

/// One analysed window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WindowResult {
    /// Placement, beat counts, coverage, validity.
    pub quality: WindowQuality,
    /// Indicators computed on the window's NN intervals (computed for invalid windows too;
    /// consumers decide whether to use them).
    pub indicators: IndicatorSet,
}

/// Counts of the cleaner's edits.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CleaningSummary {
    /// Method used.
    pub method: CleaningMethod,
    /// Beats fed in.
    pub n_input: usize,
    /// NN intervals out.
    pub n_output: usize,
    /// Of which corrected (interpolated, inserted, merged).
    pub n_corrected: usize,
    /// Edits per action (`removed`, `interpolated`, `inserted`, `merged`).
    pub by_action: BTreeMap<EditAction, usize>,
    /// Edits per cause.
    pub by_cause: BTreeMap<EditCause, usize>,
}

impl CleaningSummary {
    fn count(&mut self, e: &Edit) {
        *self.by_action.entry(e.action).or_default() += 1;
        *self.by_cause.entry(e.cause).or_default() += 1;
    }
}

/// The result of [`analyze`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Analysis {
    /// The configuration used.
    pub config: AnalysisConfig,
    /// Absolute time of t = 0, when known (for reports).
    pub start: Option<DateTime<FixedOffset>>,
    /// Offset of the window grid, s (see [`WindowSpec::phase_s`]).
    pub grid_phase_s: f64,
    /// Accepted span of beats, s.
    pub span_s: Option<(f64, f64)>,
    /// Every full window, in time order.
    pub windows: Vec<WindowResult>,
    /// Edit counts.
    pub cleaning: CleaningSummary,
    /// Every edit of the cleaner, in decision order.
    pub edits: Vec<Edit>,
}

/// Streaming engine (see the module documentation).
#[derive(Debug)]
pub struct Engine {
    cfg: AnalysisConfig,
    cleaner: StreamCleaner,
    phase: f64,
    /// Index of the next window to emit (set by the first accepted beat).
    next_k: Option<i64>,
    // NN intervals of the open windows (structure of arrays, `head` = first live element).
    head: usize,
    t_s: Vec<f64>,
    rr_ms: Vec<f64>,
    diff_ok: Vec<bool>,
    corrected: Vec<bool>,
    /// End times of removed beats not yet behind every open window, sorted.
    removed: Vec<f64>,
    ready: VecDeque<WindowResult>,
    edits: Vec<Edit>,
    keep_edits: bool,
    summary: CleaningSummary,
    last_nn: Option<NnBeat>,
    finished: bool,
    ws: indicators::Workspace,
}

impl Engine {
    /// An engine for `cfg`; `start` (absolute time of t = 0) aligns the window grid to the
    /// wall clock when `cfg.window.clock_aligned`.
    pub fn new(cfg: &AnalysisConfig, start: Option<&DateTime<FixedOffset>>) -> Result<Engine> {
        cfg.validate()?;
        Ok(Engine {
            cleaner: StreamCleaner::new(&cfg.cleaning),
            phase: cfg.window.phase_s(start),
            cfg: cfg.clone(),
            next_k: None,
            head: 0,
            t_s: Vec::new(),
            rr_ms: Vec::new(),
            diff_ok: Vec::new(),
            corrected: Vec::new(),
            removed: Vec::new(),
            ready: VecDeque::new(),
            edits: Vec::new(),
            keep_edits: true,
            summary: CleaningSummary {
                method: cfg.cleaning.method,
                ..Default::default()
            },
            last_nn: None,
            finished: false,
            ws: indicators::Workspace::new(),
        })
    }

    /// Keep every edit for [`Engine::take_edits`] (default true). A long live session that
    /// never takes them can switch this off; counts stay in [`Engine::summary`].
    pub fn keep_edits(&mut self, keep: bool) {
        self.keep_edits = keep;
    }

    /// The configuration.
    pub fn config(&self) -> &AnalysisConfig {
        &self.cfg
    }

    /// Offset of the window grid, s.
    pub fn grid_phase_s(&self) -> f64 {
        self.phase
    }

    /// Feed one beat; returns how many windows are ready ([`Engine::pop_window`]).
    pub fn push_beat(&mut self, b: Beat) -> usize {
        if self.finished {
            return self.ready.len();
        }
        self.cleaner.push(b);
        self.pump();
        self.close_windows(false);
        self.ready.len()
    }

    /// End of stream: flush the cleaner and emit the remaining full windows.
    pub fn finish(&mut self) {
        if self.finished {
            return;
        }
        self.cleaner.finish();
        self.pump();
        self.close_windows(true);
        self.finished = true;
    }

    /// Next finished window, oldest first.
    pub fn pop_window(&mut self) -> Option<WindowResult> {
        self.ready.pop_front()
    }

    /// All finished windows, oldest first.
    pub fn drain_windows(&mut self) -> impl Iterator<Item = WindowResult> + '_ {
        self.ready.drain(..)
    }

    /// Edits made since the last call (decision order).
    pub fn take_edits(&mut self) -> Vec<Edit> {
        std::mem::take(&mut self.edits)
    }

    /// Edit counts so far.
    pub fn summary(&self) -> &CleaningSummary {
        &self.summary
    }

    /// The most recent final NN interval (for a live display).
    pub fn last_nn(&self) -> Option<NnBeat> {
        self.last_nn
    }

    /// The final NN intervals of the last `secs` seconds that the engine still holds (at most
    /// the open windows' span), for a live rolling display.
    pub fn recent(&self, secs: f64) -> NnWindow<'_> {
        let t = &self.t_s[self.head..];
        let from = match t.last() {
            Some(&last) => t.partition_point(|&x| x <= last - secs),
            None => 0,
        };
        let h = self.head + from;
        NnWindow {
            rr_ms: &self.rr_ms[h..],
            t_s: &self.t_s[h..],
            diff_ok: &self.diff_ok[h..],
        }
    }

    /// Time up to which the cleaned NN intervals are final: every interval emitted later ends
    /// strictly after it (the cleaner's look-ahead). `None` before the first accepted beat.
    pub fn watermark_s(&self) -> Option<f64> {
        if self.finished {
            return self.cleaner.span_s().map(|s| s.1);
        }
        self.cleaner.watermark_s()
    }

    /// NN intervals currently held (for memory checks).
    pub fn held(&self) -> usize {
        self.t_s.len() - self.head
    }

    /// Move final intervals and edits from the cleaner into the window buffer.
    fn pump(&mut self) {
        if self.next_k.is_none() {
            if let Some((s, _)) = self.cleaner.span_s() {
                self.next_k = Some(self.cfg.window.first_index(self.phase, s));
            }
        }
        for nn in self.cleaner.drain_ready() {
            self.t_s.push(nn.t_s);
            self.rr_ms.push(nn.rr_ms);
            self.diff_ok.push(nn.diff_ok);
            self.corrected.push(nn.corrected);
            self.summary.n_output += 1;
            self.summary.n_corrected += nn.corrected as usize;
            self.last_nn = Some(nn);
        }
        for e in self.cleaner.drain_edits() {
            self.summary.count(&e);
            if e.counts_as_removed_in_window() {
                let pos = self.removed.partition_point(|&t| t <= e.t_s);
                self.removed.insert(pos, e.t_s);
            }
            if self.keep_edits {
                self.edits.push(e);
            }
        }
        self.summary.n_input = self.cleaner.n_input();
    }

    fn close_windows(&mut self, at_end: bool) {
        let Some(mut k) = self.next_k else {
            return;
        };
        let spec = &self.cfg.window;
        let limit = if at_end {
            self.cleaner.span_s().map(|s| s.1)
        } else {
            self.cleaner.watermark_s()
        };
        let Some(limit) = limit else {
            return;
        };
        let phase = self.phase;
        let closable = |k: i64| {
            if at_end {
                spec.fits(phase, k, limit)
            } else {
                spec.ends_by(phase, k, limit)
            }
        };
        while closable(k) {
            let s = spec.start_of(self.phase, k);
            let e = s + spec.len_s;
            let (i0, i1) = windows::bounds(&self.t_s[self.head..], s, e);
            let (i0, i1) = (i0 + self.head, i1 + self.head);
            let w = NnWindow {
                rr_ms: &self.rr_ms[i0..i1],
                t_s: &self.t_s[i0..i1],
                diff_ok: &self.diff_ok[i0..i1],
            };
            let (r0, r1) = windows::bounds(&self.removed, s, e);
            let quality = windows::quality(&w, &self.corrected[i0..i1], r1 - r0, s, e, spec);
            let ind = indicators::compute_with(&mut self.ws, &w, &self.cfg.conventions);
            self.ready.push_back(WindowResult {
                quality,
                indicators: ind,
            });
            k += 1;
        }
        self.next_k = Some(k);
        // Forget what no later window can contain.
        let next_start = spec.start_of(self.phase, k);
        let tail = &self.t_s[self.head..];
        self.head += tail.partition_point(|&t| t <= next_start);
        let drop_r = self.removed.partition_point(|&t| t <= next_start);
        if drop_r > 0 {
            self.removed.drain(..drop_r);
        }
        if self.head > 4096 && self.head * 2 > self.t_s.len() {
            self.t_s.drain(..self.head);
            self.rr_ms.drain(..self.head);
            self.diff_ok.drain(..self.head);
            self.corrected.drain(..self.head);
            self.head = 0;
        }
    }
}

/// Analyse a whole recording: [`analyze_with_progress`] without progress reports.
pub fn analyze(rec: &Recording, cfg: &AnalysisConfig) -> Result<Analysis> {
    analyze_with_progress(rec, cfg, &mut |_, _| {})
}

/// Analyse a whole recording by feeding its beats to an [`Engine`] (replay = live at
/// infinite speed). `progress(done, total)` is called every 8,192 beats and at the end.
pub fn analyze_with_progress(
    rec: &Recording,
    cfg: &AnalysisConfig,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Analysis> {
    let mut eng = Engine::new(cfg, rec.meta.start.as_ref())?;
    let total = rec.beats.len();
    let mut windows = Vec::with_capacity(
        rec.span_s()
            .map(|(a, b)| ((b - a) / cfg.window.step_s).max(0.0) as usize + 1)
            .unwrap_or(0)
            .min(10_000_000),
    );
    for (i, b) in rec.beats.iter().enumerate() {
        if eng.push_beat(*b) > 0 {
            windows.extend(eng.drain_windows());
        }
        if (i + 1) % 8192 == 0 {
            progress(i + 1, total);
        }
    }
    eng.finish();
    windows.extend(eng.drain_windows());
    progress(total, total);
    Ok(Analysis {
        config: cfg.clone(),
        start: rec.meta.start,
        grid_phase_s: eng.grid_phase_s(),
        span_s: eng.cleaner.span_s(),
        windows,
        cleaning: eng.summary.clone(),
        edits: eng.take_edits(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::recording::BeatFlags;

    fn beats(n: usize) -> Vec<Beat> {
        let mut t = 0.0;
        (0..n)
            .map(|k| {
                let rr = 800.0 + 30.0 * (k as f64 * 0.7).sin();
                t += rr / 1000.0;
                Beat {
                    t_s: t,
                    rr_ms: rr,
                    flags: BeatFlags::NONE,
                }
            })
            .collect()
    }

    #[test]
    fn memory_is_bounded_by_the_window() {
        for (method, bound) in [
            (CleaningMethod::MedianRelative, 450),
            (CleaningMethod::LipponenTarvainen, 450),
        ] {
            let cfg = AnalysisConfig {
                cleaning: CleaningConfig::with_method(method),
                ..Default::default()
            };
            let mut eng = Engine::new(&cfg, None).unwrap();
            let mut max_held = 0;
            let mut n_win = 0;
            for b in beats(20_000) {
                n_win += eng.push_beat(b);
                eng.drain_windows().count();
                max_held = max_held.max(eng.held());
            }
            assert!(n_win > 500);
            // 300 s of beats at ~0.8 s plus one step; the look-ahead lives in the cleaner.
            assert!(max_held < bound, "{method:?}: {max_held}");
        }
    }

    #[test]
    fn windows_appear_while_streaming_not_only_at_finish() {
        let mut eng = Engine::new(&AnalysisConfig::default(), None).unwrap();
        let mut seen_at = None;
        for (i, b) in beats(1000).into_iter().enumerate() {
            if eng.push_beat(b) > 0 && seen_at.is_none() {
                seen_at = Some(i);
            }
        }
        // First window (0, 300] closes a few beats after t = 300 s (≈ beat 375).
        let i = seen_at.unwrap();
        assert!((370..=390).contains(&i), "{i}");
    }

    #[test]
    fn invalid_config_is_an_error() {
        let mut cfg = AnalysisConfig::default();
        cfg.window.step_s = 0.0;
        assert!(Engine::new(&cfg, None).is_err());
    }
}
