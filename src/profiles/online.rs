//! Online scoring: the three profiles window by window while data arrives (live BLE, or
//! `replay --realtime`), with the very same rules as `practice-test`.
//!
//! # How
//! The scorer keeps a rolling buffer of the last [`OnlineScorer::keep_s`] seconds of beats,
//! acceleration, device HR and events (a small [`Recording`]). When the data are final up to
//! the end of a profile's next window — the caller passes a *safe time*, see
//! [`OnlineScorer::advance`] — it builds the shared `Context` on the buffer (cleaning,
//! motion epochs, active bouts, labels) and calls the same per-window functions as the batch
//! run (`watch::candidate`, `ring::candidate`, `tracker::candidate` and their policy
//! rules). Cleaning and motion are local (a beat's cleaning looks at its neighbours, an epoch
//! at its own samples, the −4 rule at the last 35 min), so on a buffer that reaches far enough
//! back the window gets exactly the inputs it gets in the batch run; the live-vs-replay test in
//! `tests/pipeline.rs` checks this window for window.
//!
//! # Where live differs from `practice-test` (by necessity, stated in the view)
//! - **Baseline.** A live session cannot learn a baseline from the whole day it has not seen
//!   yet: it uses the user's baseline file (`--baseline`) or the cold-start defaults
//!   (HR 70 ± 8 bpm, lnRMSSD 3.56 ± 0.35, *assumed*), and says it is uncalibrated.
//! - **Ring-like scale.** Without `ring_activation_ref` in the baseline file, the quartiles
//!   come from the eligible windows of this session *so far* (the batch run uses the whole
//!   recording), over at most the trailing 14 days; before `min_baseline_windows` of them the
//!   ring-like view shows "collecting baseline".
//! - **HR proxy** (no accelerometer): `hr_rest`, when neither given nor in the baseline, is the
//!   5th percentile of the 1-min HRs in the buffer instead of the whole recording.
//!
//! Memory is bounded by the buffer (default 1 h) and the 14-day ring reference, never by the
//! length of the session.

use super::{
    ring, tracker, watch, Baseline, Context, MotionPolicy, PracticeConfig, ProfileKind,
    ProfileWindow, WindowStatus,
};
use crate::motion::Clock;
use crate::recording::{AccSeries, ActivityEpoch, Beat, Event, HrSample, Metadata, Recording};
use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;

/// One window scored online, under the profile's default policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scored {
    /// Which profile.
    pub profile: ProfileKind,
    /// The window, exactly as `practice-test` reports it under the default policy.
    pub window: ProfileWindow,
    /// The score the same window gets under policy `none` (what a motion rule hides or
    /// flags); `None` when it has none either.
    pub without_motion_rule: Option<f64>,
    /// Extra context for the view (ring-like: how many reference windows the scale has).
    pub note: Option<String>,
}

impl Scored {
    /// Short display text: `62 medium`, `−2 excess motion (78 without the motion rule)`,
    /// `81 high ⚑motion`, `no score: not awake`.
    pub fn text(&self) -> String {
        let w = &self.window;
        let without = match self.without_motion_rule {
            Some(s) if w.score.is_none() && w.status.is_motion_mask() => {
                format!(" ({s:.0} without the motion rule)")
            }
            _ => String::new(),
        };
        match (w.score, w.code) {
            (Some(s), _) => format!(
                "{s:.0} {}{}",
                w.band.as_deref().unwrap_or(""),
                if w.motion_flag { " ⚑motion" } else { "" }
            ),
            (None, Some(c)) => format!("{c} {}{without}", status_text(w.status)),
            (None, None) => format!(
                "no score: {}{without}{}",
                status_text(w.status),
                self.note
                    .as_deref()
                    .map(|n| format!(" ({n})"))
                    .unwrap_or_default()
            ),
        }
    }
}

fn status_text(s: WindowStatus) -> &'static str {
    match s {
        WindowStatus::Scored => "scored",
        WindowStatus::NotEnoughData => "not enough data",
        WindowStatus::ExcessMotion => "excess motion",
        WindowStatus::Recovering => "recovering",
        WindowStatus::NotAwake => "not awake",
        WindowStatus::NoBaseline => "collecting baseline",
    }
}

const PROFILES: [ProfileKind; 3] = ProfileKind::ALL;

/// Streaming scorer for the three profiles (see the module docs).
#[derive(Debug)]
pub struct OnlineScorer {
    cfg: PracticeConfig,
    base: Baseline,
    clock: Clock,
    buf: Recording,
    keep_s: f64,
    /// First time with data (span start), s.
    lo: Option<f64>,
    /// Last time with data, s.
    hi: f64,
    /// Next window start (watch, ring) or spot time (tracker), per profile.
    next: [Option<f64>; 3],
    /// Session activations of eligible ring-like windows (time, A), trailing 14 days.
    ring_session: VecDeque<(f64, f64)>,
    ready: Vec<Scored>,
    latest: [Option<Scored>; 3],
    trimmed_at: f64,
    finished: bool,
}

impl OnlineScorer {
    /// A scorer with the practice-test settings `cfg`; `start` is the absolute time of
    /// `t = 0` (aligns windows to the wall clock and defines awake time), `source_format` the
    /// recording's format name (an Empatica E4 labels its motion source differently), and
    /// `acc_rate_hz` the accelerometer's nominal rate when known (epoch coverage rule).
    pub fn new(
        cfg: PracticeConfig,
        start: Option<DateTime<FixedOffset>>,
        source_format: Option<String>,
        acc_rate_hz: Option<f64>,
    ) -> OnlineScorer {
        let base = cfg.baseline.clone().unwrap_or_else(Baseline::cold_start);
        let buf = Recording {
            meta: Metadata {
                start,
                source_format,
                ..Default::default()
            },
            acc: Some(AccSeries {
                rate_hz: acc_rate_hz.unwrap_or(0.0),
                ..Default::default()
            }),
            ..Default::default()
        };
        let clock = Clock::of(&buf);
        // −4 looks back recovery_s + a bout; the breakdown followed_motion_s + a bout; the
        // longest window is ring-like's; plus room for the cleaner's context.
        let look_back = (cfg.watch.recovery_s + cfg.watch.recovery_min_bout_s)
            .max(cfg.followed_motion_s + cfg.followed_motion_min_bout_s);
        let longest = cfg
            .watch
            .window_s
            .max(cfg.ring.window_s)
            .max(cfg.tracker.window_s);
        let keep_s = look_back + longest + 300.0;
        OnlineScorer {
            cfg,
            base,
            clock,
            buf,
            keep_s,
            lo: None,
            hi: f64::NEG_INFINITY,
            next: [None; 3],
            ring_session: VecDeque::new(),
            ready: Vec::new(),
            latest: [None, None, None],
            trimmed_at: f64::NEG_INFINITY,
            finished: false,
        }
    }

    /// Seconds of data the buffer keeps behind the newest sample.
    pub fn keep_s(&self) -> f64 {
        self.keep_s
    }

    /// The baseline in use (the user's file, or the cold-start defaults).
    pub fn baseline(&self) -> &Baseline {
        &self.base
    }

    /// Plain-language calibration statement for the view.
    pub fn calibration_note(&self) -> String {
        if self.cfg.baseline.is_some() {
            "watch-/ring-like: personal baseline from the user's file".into()
        } else {
            "watch-/ring-like UNCALIBRATED: cold-start baseline HR 70 ± 8 bpm, lnRMSSD 3.56 ± 0.35 [A] (give --baseline FILE)".into()
        }
    }

    fn see(&mut self, t: f64) {
        if !t.is_finite() {
            return;
        }
        if self.lo.is_none() {
            self.lo = Some(t);
            let c = &self.clock;
            let (w, r, tr) = (&self.cfg.watch, &self.cfg.ring, &self.cfg.tracker);
            self.next = [
                Some(c.align_up(t, w.window_s)),
                Some(c.align_up(t, r.window_s)),
                Some(c.align_up(t + tr.window_s, tr.period_s)),
            ];
        }
        self.hi = self.hi.max(t);
        // Trim as data arrive, not only when windows close: a stream without RR intervals (a
        // strap that sends HR only) closes no window but must not grow the buffer.
        self.trim();
    }

    /// One beat (in time order).
    pub fn push_beat(&mut self, b: &Beat) {
        self.see(b.t_s - b.rr_ms / 1000.0);
        self.see(b.t_s);
        self.buf.beats.push(*b);
    }

    /// One device heart-rate value.
    pub fn push_hr(&mut self, h: HrSample) {
        self.see(h.t_s);
        self.buf.hr.push(h);
    }

    /// One acceleration sample, g.
    pub fn push_acc(&mut self, t_s: f64, xyz_g: [f32; 3]) {
        self.see(t_s);
        if let Some(a) = self.buf.acc.as_mut() {
            a.push(t_s, xyz_g[0], xyz_g[1], xyz_g[2]);
        }
    }

    /// One motion epoch (ActiGraph counts or ENMO), when it has ended.
    pub fn push_activity(&mut self, a: &ActivityEpoch) {
        self.see(a.t_s);
        self.see(a.t_s + a.dur_s);
        self.buf.activity.push(*a);
    }

    /// A recorder event or label (labels feed the awake rule and the window labels).
    pub fn push_event(&mut self, e: &Event) {
        self.buf.events.push(e.clone());
    }

    /// Time up to which motion data have arrived (newest acceleration sample or end of the
    /// newest motion epoch), if any.
    pub fn last_motion_s(&self) -> Option<f64> {
        let acc = self.buf.acc.as_ref().and_then(|a| a.t_s.last().copied());
        let act = self.buf.activity.last().map(|a| a.t_s + a.dur_s);
        match (acc, act) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        }
    }

    /// Extra look-ahead a window needs beyond its end: with the HR proxy (no accelerometer), an
    /// epoch's level depends on the following epochs (runs of ≥ `proxy_min_epochs`).
    fn look_ahead_s(&self) -> f64 {
        if self.last_motion_s().is_some() {
            0.0
        } else {
            self.cfg.motion.proxy_min_epochs.saturating_sub(1) as f64 * self.cfg.motion.epoch_s
        }
    }

    /// End of the next window of profile `i`.
    fn next_end(&self, i: usize) -> Option<f64> {
        let s = self.next[i]?;
        Some(match PROFILES[i] {
            ProfileKind::Watch => s + self.cfg.watch.window_s,
            ProfileKind::Ring => s + self.cfg.ring.window_s,
            ProfileKind::Tracker => s,
        })
    }

    /// Score every window whose data are final: windows ending at or before `safe_s` (the
    /// time up to which cleaned NN intervals and motion are complete). Returns how many
    /// windows were scored; take them with [`OnlineScorer::drain`].
    pub fn advance(&mut self, safe_s: f64) -> usize {
        if self.finished {
            return 0;
        }
        let limit = safe_s - self.look_ahead_s();
        self.close_until(limit)
    }

    /// End of stream: score every remaining window that fits in the data span.
    pub fn finish(&mut self) -> usize {
        if self.finished {
            return 0;
        }
        let n = self.close_until(self.hi + 1e-6);
        self.finished = true;
        n
    }

    fn close_until(&mut self, limit: f64) -> usize {
        let due = |s: &Self| (0..3).any(|i| s.next_end(i).is_some_and(|e| e <= limit));
        if !due(self) {
            return 0;
        }
        let ctx = Context::new(&self.buf, &self.cfg);
        let mut out = Vec::new();
        for (i, kind) in PROFILES.iter().enumerate() {
            while self.next_end(i).is_some_and(|e| e <= limit) {
                let Some(s) = self.next[i] else { break };
                out.push(score_one(
                    &ctx,
                    &self.base,
                    &mut self.ring_session,
                    *kind,
                    s,
                ));
                self.next[i] = Some(match kind {
                    ProfileKind::Watch => s + self.cfg.watch.window_s,
                    ProfileKind::Ring => s + self.cfg.ring.window_s,
                    ProfileKind::Tracker => s + self.cfg.tracker.period_s,
                });
            }
        }
        drop(ctx);
        out.sort_by(|a, b| a.window.end_s.total_cmp(&b.window.end_s));
        let n = out.len();
        for sc in out {
            let i = PROFILES.iter().position(|k| *k == sc.profile).unwrap_or(0);
            self.latest[i] = Some(sc.clone());
            self.ready.push(sc);
        }
        n
    }

    /// Drop buffered data older than `keep_s` behind the newest time (amortised: at most once
    /// per 5 min of data).
    fn trim(&mut self) {
        if self.hi - self.trimmed_at < 300.0 {
            return;
        }
        self.trimmed_at = self.hi;
        let lo = self.hi - self.keep_s;
        let b = self.buf.beats.partition_point(|b| b.t_s < lo);
        self.buf.beats.drain(..b);
        let h = self.buf.hr.partition_point(|h| h.t_s < lo);
        self.buf.hr.drain(..h);
        let k = self.buf.activity.partition_point(|a| a.t_s + a.dur_s < lo);
        self.buf.activity.drain(..k);
        if let Some(a) = self.buf.acc.as_mut() {
            let k = a.t_s.partition_point(|&t| t < lo);
            a.t_s.drain(..k);
            a.x.drain(..k);
            a.y.drain(..k);
            a.z.drain(..k);
        }
        self.buf.events.retain(|e| e.end_s >= lo);
    }

    /// Windows scored since the last call, in order of their end time.
    pub fn drain(&mut self) -> Vec<Scored> {
        std::mem::take(&mut self.ready)
    }

    /// The newest scored window of `kind`.
    pub fn latest(&self, kind: ProfileKind) -> Option<&Scored> {
        let i = PROFILES.iter().position(|k| *k == kind)?;
        self.latest[i].as_ref()
    }

    /// Items held in the buffer (beats, acceleration samples), for memory checks.
    pub fn held(&self) -> (usize, usize) {
        (
            self.buf.beats.len(),
            self.buf.acc.as_ref().map(AccSeries::len).unwrap_or(0),
        )
    }
}

/// Score the window of `kind` starting at `s` (tracker: the spot at `s`) on `ctx`.
fn score_one(
    ctx: &Context,
    base: &Baseline,
    ring_session: &mut VecDeque<(f64, f64)>,
    kind: ProfileKind,
    s: f64,
) -> Scored {
    let cfg = ctx.cfg;
    match kind {
        ProfileKind::Watch => {
            let p = &cfg.watch;
            let bouts = watch::recovery_bouts(ctx, p);
            let c = [watch::candidate(ctx, p, base, &bouts, s)];
            let w = watch::apply(&c, p, p.default_policy).remove(0);
            let free = watch::apply(&c, p, MotionPolicy::None).remove(0).score;
            Scored {
                profile: kind,
                window: w,
                without_motion_rule: free,
                note: None,
            }
        }
        ProfileKind::Tracker => {
            let p = &cfg.tracker;
            let c = [tracker::candidate(ctx, p, s)];
            let w = tracker::apply(&c, p, p.default_policy).remove(0);
            let free = tracker::apply(&c, p, MotionPolicy::None).remove(0).score;
            Scored {
                profile: kind,
                window: w,
                without_motion_rule: free,
                note: None,
            }
        }
        ProfileKind::Ring => {
            let p = cfg.ring.clone();
            let c = ring::candidate(ctx, &p, base, s);
            let reference = ring_reference(base, ring_session, &c, &p);
            let q = ring::quartiles(&reference, &p);
            let place = |policy: MotionPolicy| {
                let mut w = c.w.clone();
                w.status = ring::gate(&c, policy);
                if w.status == WindowStatus::Scored {
                    ring::place(&mut w, c.a, &reference, q, policy);
                }
                w
            };
            let w = place(p.default_policy);
            let free = place(MotionPolicy::None).score;
            let note = (w.status == WindowStatus::NoBaseline).then(|| {
                format!(
                    "{} of {} still awake windows",
                    reference.len(),
                    p.min_baseline_windows
                )
            });
            Scored {
                profile: kind,
                window: w,
                without_motion_rule: free,
                note,
            }
        }
    }
}

/// The ring-like reference: the baseline file's activations, else this session's eligible
/// windows so far (this one included), trailing 14 days.
fn ring_reference(
    base: &Baseline,
    ring_session: &mut VecDeque<(f64, f64)>,
    c: &ring::Cand,
    p: &ring::RingParams,
) -> Vec<f64> {
    if let Some(r) = &base.ring_activation_ref {
        return super::stats::sorted_finite(r.iter().copied());
    }
    if ring::gate(c, p.default_policy) == WindowStatus::Scored {
        if let Some(a) = c.a {
            ring_session.push_back((c.w.start_s, a));
        }
    }
    let horizon = c.w.start_s - 14.0 * 86400.0;
    while ring_session.front().is_some_and(|&(t, _)| t < horizon) {
        ring_session.pop_front();
    }
    super::stats::sorted_finite(ring_session.iter().map(|&(_, a)| a))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::recording::BeatFlags;

    fn beats(n: usize, rr: impl Fn(usize) -> f64) -> Vec<Beat> {
        let mut t = 0.0;
        (0..n)
            .map(|i| {
                let r = rr(i);
                t += r / 1000.0;
                Beat {
                    t_s: t,
                    rr_ms: r,
                    flags: BeatFlags::NONE,
                }
            })
            .collect()
    }

    #[test]
    fn scores_match_the_batch_run_on_a_still_session() {
        // 40 min of alternating RR, no accelerometer (HR proxy), no clock.
        let bs = beats(3000, |i| 800.0 + if i % 2 == 0 { 25.0 } else { -25.0 });
        // The same baseline for both (a live session cannot learn one from the whole day),
        // with hr_rest fixed so that the HR proxy does not depend on the buffer.
        let mut base = Baseline::cold_start();
        base.hr_rest = Some(62.0);
        let cfg = PracticeConfig {
            baseline: Some(base),
            ..Default::default()
        };
        let mut sc = OnlineScorer::new(cfg.clone(), None, None, None);
        for b in &bs {
            sc.push_beat(b);
            sc.advance(b.t_s - 30.0);
        }
        sc.finish();
        let got = sc.drain();
        let rec = Recording {
            beats: bs,
            ..Default::default()
        };
        let batch = super::super::run(&rec, &cfg);
        for kind in [ProfileKind::Watch, ProfileKind::Tracker] {
            let want = &batch.profile(kind).unwrap().windows;
            let mine: Vec<&ProfileWindow> = got
                .iter()
                .filter(|s| s.profile == kind)
                .map(|s| &s.window)
                .collect();
            assert_eq!(mine.len(), want.len(), "{kind:?}");
            for (a, b) in mine.iter().zip(want) {
                assert_eq!(*a, b, "{kind:?}");
            }
        }
        let watch = got
            .iter()
            .find(|s| s.profile == ProfileKind::Watch)
            .unwrap();
        assert_eq!(watch.window.status, WindowStatus::Scored, "{watch:?}");
        assert!(watch.text().contains(watch.window.band.as_deref().unwrap()));
    }

    #[test]
    fn buffer_is_bounded_without_beats() {
        // Six hours of 50-Hz acceleration and no RR at all: no window closes, memory stays.
        let mut sc = OnlineScorer::new(PracticeConfig::default(), None, None, Some(50.0));
        for i in 0..(6 * 3600 * 50) {
            sc.push_acc(i as f64 / 50.0, [0.0, 0.0, 1.0]);
        }
        let (_, na) = sc.held();
        assert!(na as f64 <= (sc.keep_s() + 300.0) * 50.0 + 1.0, "{na}");
        assert!(sc.latest(ProfileKind::Watch).is_none());
    }

    #[test]
    fn buffer_is_bounded() {
        let bs = beats(20_000, |_| 700.0); // ~3.9 h
        let mut sc = OnlineScorer::new(PracticeConfig::default(), None, None, None);
        for b in &bs {
            sc.push_beat(b);
            sc.advance(b.t_s - 10.0);
        }
        let (nb, _) = sc.held();
        let max = ((sc.keep_s() + 300.0) / 0.7) as usize + 2;
        assert!(nb <= max, "{nb} > {max}");
        assert!(sc.latest(ProfileKind::Watch).is_some());
    }
}
