//! Motion per epoch: intensity, its source, and a still / light / active level.
//!
//! Every stress profile needs to know whether the wearer was moving, because HRV falls and HR
//! rises with physical activity whatever the mental state (stress-profiles.md §5.2). This
//! module turns whatever motion data a [`Recording`] holds into one [`MotionEpoch`] per
//! clock-aligned epoch (default 60 s) and documents every threshold.
//!
//! ## Sources, in order of preference
//!
//! 1. **Raw acceleration** ([`Recording::acc`], in g). Intensity = ENMO, the Euclidean norm
//!    minus one, truncated at zero and averaged over the epoch, in milli-g:
//!    `ENMO = mean_i max(0, √(x_i² + y_i² + z_i²) − 1 g) · 1000` (van Hees et al. 2013,
//!    PLoS ONE 8:e61691; thresholds discussed by Bakrania et al. 2016, PLoS ONE 11:e0164045,
//!    key `[HRV5]` in stress-profiles.md). When the recording comes from an Empatica E4
//!    (`meta.source_format` contains `e4` or `empatica`) the same ENMO is reported with
//!    source [`MotionSource::E4Acc`]: the importer has already converted the E4's 1/64 g units.
//! 2. **Pre-computed ENMO** in [`ActivityEpoch::enmo_mg`](crate::recording::ActivityEpoch::enmo_mg): duration-weighted mean of the
//!    sub-epochs that fall in the epoch ([`MotionSource::Enmo`]).
//! 3. **Activity counts** in [`ActivityEpoch::counts_vm`](crate::recording::ActivityEpoch::counts_vm) (ActiGraph vector magnitude per
//!    sub-epoch, e.g. MMASH's 1-s epochs): intensity = counts per minute,
//!    `cpm = Σ counts / Σ present seconds · 60` ([`MotionSource::Counts`]). Seconds missing
//!    from the export (MMASH has ~6-s holes every ~28 s) are *assumed* to move like the
//!    present ones.
//! 4. **No motion sensor:** the HR-based activity proxy of stress-profiles.md §6.0
//!    ([`MotionSource::HrProxy`]): an epoch is *active* if its mean HR (from the RR
//!    intervals, else the device HR) exceeds `hr_rest + 0.20·(hr_max − hr_rest)` for at least
//!    2 consecutive epochs (minutes). Intensity is then the fraction of heart-rate reserve,
//!    `(HR − hr_rest)/(hr_max − hr_rest)`. *Assumed* \[A\]: it mirrors Firstbeat's "> 20 % of
//!    VO2max" `[F2]` with %HR reserve as a stand-in. It is **a proxy**: every output that uses
//!    it says so ([`MotionSource::is_proxy`]), and it cannot tell exercise from a stress HR rise.
//!
//! ## Levels (all thresholds *assumed* \[A\], configurable in [`MotionConfig`])
//!
//! | source | still | light | active | "motion" flag (window mean) |
//! |---|---|---|---|---|
//! | ENMO (raw or E4), mg | < 30 | 30–100 | ≥ 100 | ≥ 50 |
//! | counts, VM counts/min | < 1500 | 1500–4000 | ≥ 4000 | ≥ 2500 |
//! | HR proxy, fraction of HRR | not active | – | ≥ 0.20 for ≥ 2 epochs | any epoch active |
//!
//! The ENMO cut-points are those of stress-profiles.md §6.0 ("within the range of published
//! wrist cut-points; not vendor values"). The count cut-points are ours: MMASH's ActiGraph
//! counts are at least 10× higher than hip counts at the same behaviour (desk minutes reach
//! 1000–2000 cpm), so Freedson-style hip thresholds (sedentary < 100 cpm, Freedson et al.
//! 1998; VM moderate ≥ 2690 cpm, Sasaki et al. 2011) would label most of a desk day as
//! activity; we scaled them up so that seated minutes stay *still* or *light* and the diary's
//! walking/gym bouts are *active*. They are *assumed* and should be checked per device
//! placement.
//!
//! An epoch with less than `min_coverage` of its duration covered by motion data has level
//! [`MotionLevel::Unknown`] and no intensity.
//!
//! ## Clock alignment
//!
//! Epochs (and the profiles' windows) are aligned to the local wall clock when the recording's
//! absolute start is known ([`Clock`]), else to multiples of the epoch length from `t = 0`.

use crate::cleaning::Cleaned;
use crate::recording::Recording;
use chrono::{NaiveDate, Timelike};
use serde::{Deserialize, Serialize};

/// Where an epoch's motion intensity comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MotionSource {
    /// ENMO (mg) from raw 3-axis acceleration or a pre-computed ENMO column.
    Enmo,
    /// ActiGraph activity counts, vector magnitude per minute.
    Counts,
    /// ENMO (mg) from Empatica E4 acceleration.
    E4Acc,
    /// HR-based activity proxy (fraction of heart-rate reserve): **not a motion sensor**.
    HrProxy,
}

impl MotionSource {
    /// True for the HR-based proxy, which must be labelled as such wherever it is used.
    pub fn is_proxy(self) -> bool {
        self == MotionSource::HrProxy
    }
    /// Unit of [`MotionEpoch::intensity`] for this source.
    pub fn unit(self) -> &'static str {
        match self {
            MotionSource::Enmo | MotionSource::E4Acc => "mg (ENMO)",
            MotionSource::Counts => "counts/min (VM)",
            MotionSource::HrProxy => "fraction of HR reserve (proxy)",
        }
    }
    /// Short human description.
    pub fn describe(self) -> &'static str {
        match self {
            MotionSource::Enmo => "ENMO from acceleration",
            MotionSource::Counts => "ActiGraph activity counts",
            MotionSource::E4Acc => "ENMO from Empatica E4 acceleration",
            MotionSource::HrProxy => "HR-based activity PROXY (no motion sensor)",
        }
    }
}

/// Motion level of one epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MotionLevel {
    /// Not enough motion data in the epoch.
    Unknown,
    /// Below the still threshold.
    Still,
    /// Between the still and active thresholds.
    Light,
    /// At or above the active threshold.
    Active,
}

impl MotionLevel {
    /// Lower-case name (`still`, `light`, `active`, `unknown`).
    pub fn name(self) -> &'static str {
        match self {
            MotionLevel::Unknown => "unknown",
            MotionLevel::Still => "still",
            MotionLevel::Light => "light",
            MotionLevel::Active => "active",
        }
    }
}

/// Motion over one epoch.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MotionEpoch {
    /// Epoch start, s since the recording start.
    pub t_s: f64,
    /// Epoch length, s.
    pub dur_s: f64,
    /// Intensity in the source's unit ([`MotionSource::unit`]); `None` when the epoch has too
    /// little data.
    pub intensity: Option<f64>,
    /// Where the intensity comes from.
    pub source: MotionSource,
    /// Level from the documented thresholds.
    pub level: MotionLevel,
}

/// Thresholds for one intensity scale.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Cutpoints {
    /// Intensity below this is *still*.
    pub still_below: f64,
    /// Intensity at or above this is *active* (between: *light*).
    pub active_from: f64,
    /// A window whose mean intensity is at or above this counts as "in motion" for the
    /// profiles' motion flags (stress-profiles.md §6.1/§6.3: 5-min / window mean ENMO ≥ 50 mg).
    pub flag_mean_from: f64,
}

impl Cutpoints {
    /// Level of an intensity value.
    pub fn level(&self, v: f64) -> MotionLevel {
        if v >= self.active_from {
            MotionLevel::Active
        } else if v >= self.still_below {
            MotionLevel::Light
        } else {
            MotionLevel::Still
        }
    }
}

/// Motion settings. Every default is *assumed* \[A\] unless stated.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct MotionConfig {
    /// Epoch length, s (default 60, stress-profiles.md §6.0 "per 60-s epoch").
    pub epoch_s: f64,
    /// ENMO cut-points in mg: still < 30, active ≥ 100, window flag ≥ 50 (§6.0, §6.1, §6.3) \[A\].
    pub enmo_mg: Cutpoints,
    /// Count cut-points in VM counts/min: still < 1500, active ≥ 4000, window flag ≥ 2500 \[A\]
    /// (Freedson-style thresholds scaled for wrist-level counts; see the module header).
    pub counts_cpm: Cutpoints,
    /// HR proxy: fraction of heart-rate reserve above which an epoch may be active (0.20, §6.0) \[A\].
    pub proxy_hrr_fraction: f64,
    /// HR proxy: minimum consecutive epochs above the threshold (2, i.e. 2 min, §6.0) \[A\].
    pub proxy_min_epochs: usize,
    /// Age in years for hr_max = 208 − 0.7·age (Tanaka et al. 2001; §6.0). `None` → 35 y \[A\].
    pub age_years: Option<f64>,
    /// Resting HR for the proxy, bpm. `None` → the 5th percentile of the recording's 1-min HRs
    /// \[A\] (overridden by a user baseline's `hr_rest`).
    pub hr_rest_bpm: Option<f64>,
    /// Maximal HR for the proxy, bpm. `None` → 208 − 0.7·age \[A\].
    pub hr_max_bpm: Option<f64>,
    /// Minimum share of an epoch covered by motion data for it to have a level (0.5) \[A\].
    pub min_coverage: f64,
    /// Ignore acceleration/activity data and use the HR proxy (for comparison runs).
    pub force_hr_proxy: bool,
}

impl Default for MotionConfig {
    fn default() -> Self {
        MotionConfig {
            epoch_s: 60.0,
            enmo_mg: Cutpoints {
                still_below: 30.0,
                active_from: 100.0,
                flag_mean_from: 50.0,
            },
            counts_cpm: Cutpoints {
                still_below: 1500.0,
                active_from: 4000.0,
                flag_mean_from: 2500.0,
            },
            proxy_hrr_fraction: 0.20,
            proxy_min_epochs: 2,
            age_years: None,
            hr_rest_bpm: None,
            hr_max_bpm: None,
            min_coverage: 0.5,
            force_hr_proxy: false,
        }
    }
}

impl MotionConfig {
    /// hr_max used by the proxy, bpm.
    pub fn hr_max(&self) -> f64 {
        self.hr_max_bpm
            .unwrap_or_else(|| 208.0 - 0.7 * self.age_years.unwrap_or(35.0))
    }
    /// Cut-points for an intensity source. For the HR proxy, `still_below = active_from =
    /// proxy_hrr_fraction`, `flag_mean_from = proxy_hrr_fraction`.
    pub fn cutpoints(&self, s: MotionSource) -> Cutpoints {
        match s {
            MotionSource::Enmo | MotionSource::E4Acc => self.enmo_mg,
            MotionSource::Counts => self.counts_cpm,
            MotionSource::HrProxy => Cutpoints {
                still_below: self.proxy_hrr_fraction,
                active_from: self.proxy_hrr_fraction,
                flag_mean_from: self.proxy_hrr_fraction,
            },
        }
    }
}

/// Mapping between recording time and the local wall clock.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Clock {
    /// Local seconds since local midnight of the start day at `t = 0` (0 when unknown).
    pub offset_s: f64,
    /// True when the absolute start (with UTC offset) is known.
    pub known: bool,
    /// Local calendar date of `t = 0`, when known.
    pub start_date: Option<NaiveDate>,
}

impl Clock {
    /// The clock of a recording.
    pub fn of(rec: &Recording) -> Clock {
        match rec.meta.start {
            Some(st) => {
                let nt = st.naive_local();
                let secs = nt.time().num_seconds_from_midnight() as f64
                    + nt.time().nanosecond() as f64 * 1e-9;
                Clock {
                    offset_s: secs,
                    known: true,
                    start_date: Some(nt.date()),
                }
            }
            None => Clock {
                offset_s: 0.0,
                known: false,
                start_date: None,
            },
        }
    }
    /// Local seconds since midnight of the start day (can exceed 86400 on later days).
    pub fn local_s(&self, t_s: f64) -> f64 {
        t_s + self.offset_s
    }
    /// First aligned boundary (a multiple of `len_s` on the local clock) at or after `t_s`.
    pub fn align_up(&self, t_s: f64, len_s: f64) -> f64 {
        (self.local_s(t_s) / len_s - 1e-9).ceil() * len_s - self.offset_s
    }
    /// Last aligned boundary at or before `t_s`.
    pub fn align_down(&self, t_s: f64, len_s: f64) -> f64 {
        (self.local_s(t_s) / len_s + 1e-9).floor() * len_s - self.offset_s
    }
    /// Day index (0 = the start day, or the first 24-h block when the clock is unknown).
    pub fn day_index(&self, t_s: f64) -> i64 {
        (self.local_s(t_s) / 86400.0).floor() as i64
    }
    /// Start of day `d` in recording time, s.
    pub fn day_start(&self, d: i64) -> f64 {
        d as f64 * 86400.0 - self.offset_s
    }
    /// A label for day `d`: the local date (`2026-02-07`) or `day 1`, `day 2`… from `t = 0`.
    pub fn day_label(&self, d: i64) -> String {
        match self.start_date {
            Some(date) => date
                .checked_add_signed(chrono::Duration::days(d))
                .map(|x| x.to_string())
                .unwrap_or_else(|| format!("day {}", d + 1)),
            None => format!("day {} (24-h block from t = 0)", d + 1),
        }
    }
    /// Local hour of day in [0, 24).
    pub fn hour_of_day(&self, t_s: f64) -> f64 {
        self.local_s(t_s).rem_euclid(86400.0) / 3600.0
    }
}

/// The motion of a whole recording.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MotionSeries {
    /// Source of every epoch's intensity.
    pub source: MotionSource,
    /// Unit of the intensity.
    pub unit: String,
    /// Cut-points used.
    pub cutpoints: Cutpoints,
    /// Epoch length, s.
    pub epoch_s: f64,
    /// Resting HR used by the proxy (bpm), when the proxy was used.
    pub proxy_hr_rest_bpm: Option<f64>,
    /// Maximal HR used by the proxy (bpm), when the proxy was used.
    pub proxy_hr_max_bpm: Option<f64>,
    /// Epochs, contiguous and clock-aligned.
    pub epochs: Vec<MotionEpoch>,
}

impl MotionSeries {
    /// Index of the epoch containing `t_s` (may be out of range).
    fn index(&self, t_s: f64) -> Option<usize> {
        let first = self.epochs.first()?;
        let k = ((t_s - first.t_s) / self.epoch_s).floor();
        (k >= 0.0 && (k as usize) < self.epochs.len()).then_some(k as usize)
    }

    /// Epochs overlapping `[start_s, end_s)`.
    pub fn between(&self, start_s: f64, end_s: f64) -> &[MotionEpoch] {
        let Some(first) = self.epochs.first() else {
            return &[];
        };
        let lo = ((start_s - first.t_s) / self.epoch_s).floor().max(0.0) as usize;
        let hi = ((end_s - first.t_s) / self.epoch_s).ceil().max(0.0) as usize;
        let hi = hi.min(self.epochs.len());
        let lo = lo.min(hi);
        &self.epochs[lo..hi]
    }

    /// Motion summary of the window `[start_s, end_s)`.
    pub fn window(&self, start_s: f64, end_s: f64) -> WindowMotion {
        let eps = self.between(start_s, end_s);
        let mut sum = 0.0;
        let mut n = 0usize;
        let mut still = 0usize;
        let mut active = 0usize;
        let mut max_level = MotionLevel::Unknown;
        for e in eps {
            if let Some(v) = e.intensity {
                sum += v;
                n += 1;
            }
            match e.level {
                MotionLevel::Still => still += 1,
                MotionLevel::Active => active += 1,
                _ => {}
            }
            max_level = max_level.max(e.level);
        }
        let mean = (n > 0).then(|| sum / n as f64);
        let total = eps.len().max(1) as f64;
        let in_motion = active > 0 || mean.is_some_and(|m| m >= self.cutpoints.flag_mean_from);
        WindowMotion {
            mean_intensity: mean,
            max_level,
            still_share: still as f64 / total,
            active_share: active as f64 / total,
            known_share: n as f64 / total,
            in_motion,
        }
    }

    /// Level of the epoch containing `t_s`.
    pub fn level_at(&self, t_s: f64) -> MotionLevel {
        self.index(t_s)
            .map(|k| self.epochs[k].level)
            .unwrap_or(MotionLevel::Unknown)
    }

    /// Active bouts: maximal runs of consecutive active epochs, as `(start_s, end_s)`.
    pub fn active_bouts(&self) -> Vec<(f64, f64)> {
        let mut out = Vec::new();
        let mut cur: Option<(f64, f64)> = None;
        for e in &self.epochs {
            if e.level == MotionLevel::Active {
                cur = Some(match cur {
                    Some((s, _)) => (s, e.t_s + e.dur_s),
                    None => (e.t_s, e.t_s + e.dur_s),
                });
            } else if let Some(b) = cur.take() {
                out.push(b);
            }
        }
        out.extend(cur);
        out
    }
}

/// Motion over one analysis window.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct WindowMotion {
    /// Mean epoch intensity (source unit), `None` without data.
    pub mean_intensity: Option<f64>,
    /// Highest epoch level in the window.
    pub max_level: MotionLevel,
    /// Share of epochs that are still.
    pub still_share: f64,
    /// Share of epochs that are active.
    pub active_share: f64,
    /// Share of epochs with motion data.
    pub known_share: f64,
    /// Any active epoch, or mean intensity ≥ the flag threshold (§6.1/§6.3) \[A\].
    pub in_motion: bool,
}

/// Mean HR per epoch from cleaned NN intervals (60000 / mean NN of the intervals ending in the
/// epoch), falling back to the device HR; `None` when neither has data.
pub fn epoch_hr(
    rec: &Recording,
    cleaned: &Cleaned,
    t0: f64,
    n: usize,
    epoch_s: f64,
) -> Vec<Option<f64>> {
    let mut sum = vec![0.0; n];
    let mut cnt = vec![0usize; n];
    for (&t, &rr) in cleaned.t_s.iter().zip(&cleaned.rr_ms) {
        let k = ((t - t0) / epoch_s).floor();
        if k >= 0.0 && (k as usize) < n {
            sum[k as usize] += rr;
            cnt[k as usize] += 1;
        }
    }
    let mut out: Vec<Option<f64>> = (0..n)
        .map(|k| (cnt[k] >= 10).then(|| 60000.0 / (sum[k] / cnt[k] as f64)))
        .collect();
    if out.iter().any(Option::is_none) && !rec.hr.is_empty() {
        let mut hs = vec![0.0; n];
        let mut hc = vec![0usize; n];
        for h in &rec.hr {
            let k = ((h.t_s - t0) / epoch_s).floor();
            if k >= 0.0 && (k as usize) < n && h.bpm.is_finite() && h.bpm > 0.0 {
                hs[k as usize] += h.bpm;
                hc[k as usize] += 1;
            }
        }
        for k in 0..n {
            if out[k].is_none() && hc[k] > 0 {
                out[k] = Some(hs[k] / hc[k] as f64);
            }
        }
    }
    out
}

/// Compute the motion series of a recording. `hr_rest_override` (e.g. from a user baseline)
/// takes precedence over `cfg.hr_rest_bpm` for the HR proxy.
pub fn compute(
    rec: &Recording,
    cleaned: &Cleaned,
    clock: &Clock,
    cfg: &MotionConfig,
    hr_rest_override: Option<f64>,
) -> MotionSeries {
    let ep = if cfg.epoch_s > 0.0 { cfg.epoch_s } else { 60.0 };
    let (lo, hi) = rec.span_s().unwrap_or((0.0, 0.0));
    let t0 = clock.align_down(lo, ep);
    let n = if hi > t0 {
        ((hi - t0) / ep).ceil() as usize
    } else {
        0
    };
    let is_e4 = rec
        .meta
        .source_format
        .as_deref()
        .map(|s| {
            let s = s.to_ascii_lowercase();
            s.contains("e4") || s.contains("empatica")
        })
        .unwrap_or(false);
    let has_acc = rec.acc.as_ref().is_some_and(|a| !a.is_empty());
    let has_enmo = rec.activity.iter().any(|a| a.enmo_mg.is_some());
    let has_counts = rec.activity.iter().any(|a| a.counts_vm.is_some());

    let source = if cfg.force_hr_proxy {
        MotionSource::HrProxy
    } else if has_acc {
        if is_e4 {
            MotionSource::E4Acc
        } else {
            MotionSource::Enmo
        }
    } else if has_enmo {
        MotionSource::Enmo
    } else if has_counts {
        MotionSource::Counts
    } else {
        MotionSource::HrProxy
    };
    let cut = cfg.cutpoints(source);
    let mut intensity: Vec<Option<f64>> = vec![None; n];
    let mut proxy_rest = None;
    let mut proxy_max = None;

    match source {
        MotionSource::Enmo | MotionSource::E4Acc if has_acc && !cfg.force_hr_proxy => {
            let acc = rec.acc.as_ref().expect("checked has_acc");
            let mut sum = vec![0.0f64; n];
            let mut cnt = vec![0usize; n];
            for i in 0..acc.len() {
                let k = ((acc.t_s[i] - t0) / ep).floor();
                if !(k >= 0.0 && (k as usize) < n) {
                    continue;
                }
                let (x, y, z) = (acc.x[i] as f64, acc.y[i] as f64, acc.z[i] as f64);
                let norm = (x * x + y * y + z * z).sqrt();
                if norm.is_finite() {
                    sum[k as usize] += (norm - 1.0).max(0.0) * 1000.0;
                    cnt[k as usize] += 1;
                }
            }
            let expected = if acc.rate_hz > 0.0 {
                acc.rate_hz * ep
            } else {
                // Unknown nominal rate: estimate from the samples.
                let span = acc.t_s.last().unwrap_or(&0.0) - acc.t_s.first().unwrap_or(&0.0);
                if span > 0.0 {
                    acc.len() as f64 / span * ep
                } else {
                    1.0
                }
            };
            for k in 0..n {
                if cnt[k] > 0 && cnt[k] as f64 >= cfg.min_coverage * expected {
                    intensity[k] = Some(sum[k] / cnt[k] as f64);
                }
            }
        }
        MotionSource::Enmo | MotionSource::Counts => {
            let use_counts = source == MotionSource::Counts;
            let mut sum = vec![0.0f64; n];
            let mut dur = vec![0.0f64; n];
            for a in &rec.activity {
                let v = if use_counts { a.counts_vm } else { a.enmo_mg };
                let Some(v) = v.filter(|v| v.is_finite()) else {
                    continue;
                };
                let d = if a.dur_s > 0.0 { a.dur_s } else { 1.0 };
                // Distribute the sub-epoch over the epochs it overlaps.
                let mut s = a.t_s;
                let e = a.t_s + d;
                while s < e - 1e-9 {
                    let k = ((s - t0) / ep + 1e-9).floor();
                    let kend = t0 + (k + 1.0) * ep;
                    let part = (e.min(kend) - s).max(0.0);
                    if k >= 0.0 && (k as usize) < n {
                        let k = k as usize;
                        if use_counts {
                            sum[k] += v * part / d;
                        } else {
                            sum[k] += v * part;
                        }
                        dur[k] += part;
                    }
                    s = kend;
                }
            }
            for k in 0..n {
                if dur[k] > 0.0 && dur[k] >= cfg.min_coverage * ep {
                    intensity[k] = Some(if use_counts {
                        sum[k] / dur[k] * 60.0
                    } else {
                        sum[k] / dur[k]
                    });
                }
            }
        }
        _ => {
            let hrs = epoch_hr(rec, cleaned, t0, n, ep);
            let rest = hr_rest_override.or(cfg.hr_rest_bpm).unwrap_or_else(|| {
                let mut v: Vec<f64> = hrs.iter().flatten().copied().collect();
                v.sort_by(f64::total_cmp);
                crate::profiles::stats::quantile_sorted(&v, 0.05).unwrap_or(60.0)
            });
            let max = cfg.hr_max().max(rest + 1.0);
            proxy_rest = Some(rest);
            proxy_max = Some(max);
            for k in 0..n {
                intensity[k] = hrs[k].map(|h| (h - rest) / (max - rest));
            }
        }
    }

    let mut epochs: Vec<MotionEpoch> = (0..n)
        .map(|k| MotionEpoch {
            t_s: t0 + k as f64 * ep,
            dur_s: ep,
            intensity: intensity[k],
            source,
            level: intensity[k]
                .map(|v| cut.level(v))
                .unwrap_or(MotionLevel::Unknown),
        })
        .collect();
    if source == MotionSource::HrProxy {
        // Active only in runs of ≥ proxy_min_epochs consecutive above-threshold epochs; the
        // rest with data are "still" (the proxy has no light level).
        let above: Vec<bool> = epochs
            .iter()
            .map(|e| e.intensity.is_some_and(|v| v > cfg.proxy_hrr_fraction))
            .collect();
        let mut k = 0;
        while k < n {
            if above[k] {
                let mut j = k;
                while j < n && above[j] {
                    j += 1;
                }
                let lvl = if j - k >= cfg.proxy_min_epochs.max(1) {
                    MotionLevel::Active
                } else {
                    MotionLevel::Still
                };
                for e in &mut epochs[k..j] {
                    e.level = lvl;
                }
                k = j;
            } else {
                if epochs[k].intensity.is_some() {
                    epochs[k].level = MotionLevel::Still;
                }
                k += 1;
            }
        }
    }
    MotionSeries {
        source,
        unit: source.unit().to_string(),
        cutpoints: cut,
        epoch_s: ep,
        proxy_hr_rest_bpm: proxy_rest,
        proxy_hr_max_bpm: proxy_max,
        epochs,
    }
}

/// Markdown: the motion rule and its documented/assumed table.
pub fn explain(cfg: &MotionConfig) -> String {
    let e = cfg.enmo_mg;
    let c = cfg.counts_cpm;
    format!(
        "### Motion\n\n\
Per {ep:.0}-s epoch, clock-aligned. ENMO = mean(max(0, ‖a‖ − 1 g)) in mg from raw acceleration \
(Empatica E4 included); ActiGraph counts → VM counts/min; without a motion sensor an HR-based \
**proxy** (fraction of heart-rate reserve), labelled as a proxy wherever used.\n\n\
| Element | Value | Status | Source |\n|---|---|---|---|\n\
| ENMO definition | mean(max(0, ‖a‖ − 1 g)), mg | documented | [HRV5] (van Hees 2013, Bakrania 2016) |\n\
| Epoch length | {ep:.0} s | documented | §6.0 of stress-profiles.md (per 60-s epoch) |\n\
| ENMO still / active | < {es} mg / ≥ {ea} mg | **assumed** | [A] §6.0 |\n\
| ENMO window motion flag | mean ≥ {ef} mg | **assumed** | [A] §6.1, §6.3 |\n\
| Counts still / active | < {cs} / ≥ {ca} VM counts/min | **assumed** | [A] (Freedson-style cut-points scaled for wrist-level counts) |\n\
| Counts window motion flag | mean ≥ {cf} counts/min | **assumed** | [A] |\n\
| Missing count seconds | assumed to move like the present ones | **assumed** | [A] |\n\
| HR proxy | active if HR > hr_rest + {pf:.2}·(hr_max − hr_rest) for ≥ {pm} consecutive epochs | **assumed** | [A] §6.0, mirrors [F2] (> 20 % VO2max) |\n\
| hr_max | 208 − 0.7·age (age {age}) | **assumed** | [A] §6.0 |\n\
| hr_rest (proxy) | {rest} | **assumed** | [A] |\n\
| Epoch coverage for a level | ≥ {cov:.0} % of the epoch | **assumed** | [A] |\n",
        ep = cfg.epoch_s,
        es = e.still_below,
        ea = e.active_from,
        ef = e.flag_mean_from,
        cs = c.still_below,
        ca = c.active_from,
        cf = c.flag_mean_from,
        pf = cfg.proxy_hrr_fraction,
        pm = cfg.proxy_min_epochs,
        age = cfg
            .age_years
            .map(|a| format!("{a} y"))
            .unwrap_or_else(|| "35 y, assumed".into()),
        rest = cfg
            .hr_rest_bpm
            .map(|r| format!("{r} bpm (given)"))
            .unwrap_or_else(|| "5th percentile of the recording's 1-min HRs, or the baseline's hr_rest".into()),
        cov = cfg.min_coverage * 100.0,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::recording::{AccSeries, ActivityEpoch, Beat, BeatFlags};

    fn rec_with_acc(enmo_mg: &[f64]) -> Recording {
        // 10 Hz, one value per minute, acceleration along z only.
        let mut acc = AccSeries {
            rate_hz: 10.0,
            ..Default::default()
        };
        for (m, &e) in enmo_mg.iter().enumerate() {
            for i in 0..600 {
                acc.push(
                    m as f64 * 60.0 + i as f64 * 0.1,
                    0.0,
                    0.0,
                    (1.0 + e / 1000.0) as f32,
                );
            }
        }
        Recording {
            acc: Some(acc),
            ..Default::default()
        }
    }

    #[test]
    fn enmo_levels_from_raw_acc() {
        let rec = rec_with_acc(&[0.0, 10.0, 50.0, 150.0]);
        let m = compute(
            &rec,
            &Cleaned::default(),
            &Clock::of(&rec),
            &MotionConfig::default(),
            None,
        );
        assert_eq!(m.source, MotionSource::Enmo);
        assert_eq!(m.epochs.len(), 4);
        let lv: Vec<_> = m.epochs.iter().map(|e| e.level).collect();
        assert_eq!(
            lv,
            [
                MotionLevel::Still,
                MotionLevel::Still,
                MotionLevel::Light,
                MotionLevel::Active
            ]
        );
        assert!((m.epochs[3].intensity.unwrap() - 150.0).abs() < 0.01);
        // Below 1 g the norm minus one is truncated at zero.
        let rec = rec_with_acc(&[-200.0]);
        let m = compute(
            &rec,
            &Cleaned::default(),
            &Clock::of(&rec),
            &MotionConfig::default(),
            None,
        );
        assert_eq!(m.epochs[0].intensity, Some(0.0));
        let b = rec_with_acc(&[0.0, 150.0, 150.0, 0.0]);
        let m = compute(
            &b,
            &Cleaned::default(),
            &Clock::of(&b),
            &MotionConfig::default(),
            None,
        );
        assert_eq!(m.active_bouts(), vec![(60.0, 180.0)]);
        let w = m.window(0.0, 180.0);
        assert!(w.in_motion);
        assert!((w.active_share - 2.0 / 3.0).abs() < 1e-12);
    }

    #[test]
    fn counts_per_minute_from_one_second_epochs_with_holes() {
        // 40 of 60 seconds present, 50 counts each → 50 counts/s → 3000 counts/min.
        let activity: Vec<ActivityEpoch> = (0..60)
            .filter(|s| s % 3 != 0)
            .map(|s| ActivityEpoch {
                t_s: s as f64,
                dur_s: 1.0,
                counts_vm: Some(50.0),
                ..Default::default()
            })
            .collect();
        let rec = Recording {
            activity,
            ..Default::default()
        };
        let m = compute(
            &rec,
            &Cleaned::default(),
            &Clock::of(&rec),
            &MotionConfig::default(),
            None,
        );
        assert_eq!(m.source, MotionSource::Counts);
        assert!((m.epochs[0].intensity.unwrap() - 3000.0).abs() < 1e-9);
        assert_eq!(m.epochs[0].level, MotionLevel::Light);
    }

    #[test]
    fn hr_proxy_needs_two_consecutive_minutes() {
        // HR per minute: 60, 120, 60, 120, 120, 60 (rest 60, max 183.5 → threshold 84.7).
        let hrs = [60.0, 120.0, 60.0, 120.0, 120.0, 60.0];
        let mut beats = Vec::new();
        let mut t = 0.0;
        for (m, &h) in hrs.iter().enumerate() {
            let rr = 60000.0 / h;
            while t + rr / 1000.0 <= (m + 1) as f64 * 60.0 + 1e-9 {
                t += rr / 1000.0;
                beats.push(Beat {
                    t_s: t,
                    rr_ms: rr,
                    flags: BeatFlags::NONE,
                });
            }
        }
        let rec = Recording {
            beats,
            ..Default::default()
        };
        let cl = crate::cleaning::clean(&rec.beats, &Default::default());
        let cfg = MotionConfig {
            hr_rest_bpm: Some(60.0),
            ..Default::default()
        };
        let m = compute(&rec, &cl, &Clock::of(&rec), &cfg, None);
        assert_eq!(m.source, MotionSource::HrProxy);
        assert!(m.source.is_proxy());
        let lv: Vec<_> = m.epochs.iter().map(|e| e.level).collect();
        assert_eq!(lv[1], MotionLevel::Still, "a single minute is not enough");
        assert_eq!(lv[3], MotionLevel::Active);
        assert_eq!(lv[4], MotionLevel::Active);
        assert_eq!(lv[5], MotionLevel::Still);
    }

    #[test]
    fn clock_alignment_and_days() {
        let c = Clock {
            offset_s: 10.0 * 3600.0 + 100.0,
            known: true,
            start_date: NaiveDate::from_ymd_opt(2026, 2, 7),
        };
        assert!((c.align_up(0.0, 180.0) - 80.0).abs() < 1e-9);
        assert!((c.align_down(0.0, 180.0) + 100.0).abs() < 1e-9);
        assert_eq!(c.day_index(14.0 * 3600.0 - 100.0), 1);
        assert_eq!(c.day_label(1), "2026-02-08");
        assert!((c.hour_of_day(0.0) - (10.0 + 100.0 / 3600.0)).abs() < 1e-9);
    }
}
