//! The recording: one in-memory representation for every source.
//!
//! A [`Recording`] is what every importer produces, what the live BLE recorder writes as it
//! goes, and what the analysis engine consumes. It holds:
//!
//! - **beats**: one [`Beat`] per RR interval, stamped with the time (seconds since the
//!   recording start) at which the interval *ends*, its length in ms and quality flags;
//! - **acceleration**: raw 3-axis samples in g ([`AccSeries`]), when a sensor gives them;
//! - **activity epochs**: pre-aggregated motion (activity counts, steps, ENMO) per epoch;
//! - **heart rate** as the device reported it (not derived from RR);
//! - **events**: labelled intervals (task, sleep, exercise, gap, reconnect, …);
//! - **metadata**: device, pseudonymous subject id, absolute start with its UTC offset,
//!   source path and format.
//!
//! Times are `f64` seconds relative to [`Metadata::start`]; the absolute clock is only needed
//! for clock-aligned windows and for reports. The model deliberately stores no derived
//! quantity (no cleaned RR, no HRV): those belong to later stages and are logged there.

pub mod canonical;

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// Quality flags attached to one beat. Stored as a bit set so that a beat can carry several.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct BeatFlags(pub u8);

impl BeatFlags {
    /// No flag set.
    pub const NONE: BeatFlags = BeatFlags(0);
    /// The device reported "sensor contact supported but not detected" (HRS flag bits 1–2).
    pub const CONTACT_LOST: BeatFlags = BeatFlags(1);
    /// The interval was not preceded by its neighbour in the source: the time before this beat
    /// has a hole (dropout, missing rows). Successive differences must not be formed across it.
    pub const GAP_BEFORE: BeatFlags = BeatFlags(2);
    /// The source itself marked the beat as unreliable (e.g. Polar PPI blocker bit).
    pub const SOURCE_ARTIFACT: BeatFlags = BeatFlags(4);
    /// The beat's time was reconstructed (e.g. cumulative RR anchored on a coarse clock).
    pub const TIME_ESTIMATED: BeatFlags = BeatFlags(8);

    /// True if every bit of `other` is set in `self`.
    pub fn contains(self, other: BeatFlags) -> bool {
        self.0 & other.0 == other.0 && other.0 != 0
    }
    /// Set the bits of `other`.
    pub fn insert(&mut self, other: BeatFlags) {
        self.0 |= other.0;
    }
}

impl std::ops::BitOr for BeatFlags {
    type Output = BeatFlags;
    fn bitor(self, rhs: BeatFlags) -> BeatFlags {
        BeatFlags(self.0 | rhs.0)
    }
}

/// One RR interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Beat {
    /// Time at which the interval ends (the later R peak), s since the recording start.
    pub t_s: f64,
    /// Interval length, ms.
    pub rr_ms: f64,
    /// Quality flags.
    pub flags: BeatFlags,
}

/// Raw 3-axis acceleration, in g, one timestamp per sample.
///
/// Timestamps are kept per sample (not only a rate) because live BLE frames arrive with
/// jitter and file exports have holes. `rate_hz` is the nominal rate.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AccSeries {
    /// Nominal sampling rate, Hz.
    pub rate_hz: f64,
    /// Sample times, s since the recording start, non-decreasing.
    pub t_s: Vec<f64>,
    /// X axis, g.
    pub x: Vec<f32>,
    /// Y axis, g.
    pub y: Vec<f32>,
    /// Z axis, g.
    pub z: Vec<f32>,
}

impl AccSeries {
    /// Number of samples.
    pub fn len(&self) -> usize {
        self.t_s.len()
    }
    /// True when there is no sample.
    pub fn is_empty(&self) -> bool {
        self.t_s.is_empty()
    }
    /// Append one sample (g).
    pub fn push(&mut self, t_s: f64, x: f32, y: f32, z: f32) {
        self.t_s.push(t_s);
        self.x.push(x);
        self.y.push(y);
        self.z.push(z);
    }
}

/// Pre-aggregated motion over one epoch, as activity monitors export it.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct ActivityEpoch {
    /// Epoch start, s since the recording start.
    pub t_s: f64,
    /// Epoch length, s.
    pub dur_s: f64,
    /// Activity counts, vector magnitude √(Axis1²+Axis2²+Axis3²) over the epoch (ActiGraph
    /// counts; device-specific units).
    pub counts_vm: Option<f64>,
    /// Steps in the epoch.
    pub steps: Option<f64>,
    /// Euclidean norm minus one, mean over the epoch, mg (van Hees et al. 2013).
    pub enmo_mg: Option<f64>,
}

/// Heart rate as reported by the device (its own averaging), not derived from RR.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct HrSample {
    /// Time, s since the recording start.
    pub t_s: f64,
    /// Heart rate, beats per minute.
    pub bpm: f64,
}

/// What kind of interval an [`Event`] marks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// A labelled segment from a protocol, diary or ground truth (rest, stroop, walk…).
    Label,
    /// No data for a while (dropout, link loss, missing rows).
    Gap,
    /// The live recorder reconnected to the device.
    Reconnect,
    /// A notification or row that repeated the previous one exactly and was dropped.
    Duplicate,
    /// Data known to be lost (e.g. a notification counter jumped).
    Lost,
    /// A button press or other instantaneous marker.
    Marker,
    /// Free-form note from the recorder or importer.
    Note,
}

/// A labelled interval (or an instant when `end_s == start_s`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// Start, s since the recording start.
    pub start_s: f64,
    /// End, s since the recording start (≥ start).
    pub end_s: f64,
    /// Kind of event.
    pub kind: EventKind,
    /// Label text, e.g. `stroop`, `walk`, `sleep`, `gap`.
    pub label: String,
}

/// Descriptive metadata. Only pseudonymous identifiers belong here.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Metadata {
    /// Version of the canonical recording format this was written with.
    pub format_version: u32,
    /// Pseudonymous subject id (never a name).
    pub subject_id: Option<String>,
    /// Device description (model, firmware), no hardware address unless the user asked.
    pub device: Option<String>,
    /// Body location of the RR sensor, e.g. `chest`, `wrist`.
    pub body_location: Option<String>,
    /// Absolute time of `t = 0`, with its UTC offset, when known.
    pub start: Option<DateTime<FixedOffset>>,
    /// Path the recording was imported from.
    pub source_path: Option<PathBuf>,
    /// Importer that read it (e.g. `empatica-e4`, `mmash`, `canonical`).
    pub source_format: Option<String>,
    /// Free-form notes (what was assumed on import, etc.).
    pub notes: Vec<String>,
}

/// A recoverable oddity found while reading or recording: what was skipped or assumed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportWarning {
    /// File the oddity is in.
    pub path: Option<PathBuf>,
    /// 1-based line, when it applies.
    pub line: Option<u64>,
    /// What was skipped or assumed, in words.
    pub message: String,
}

impl std::fmt::Display for ImportWarning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (&self.path, self.line) {
            (Some(p), Some(l)) => write!(f, "{}:{}: {}", p.display(), l, self.message),
            (Some(p), None) => write!(f, "{}: {}", p.display(), self.message),
            _ => write!(f, "{}", self.message),
        }
    }
}

/// One recording, from any source.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Recording {
    /// Metadata.
    pub meta: Metadata,
    /// RR intervals, ordered by time.
    pub beats: Vec<Beat>,
    /// Raw acceleration, if any.
    pub acc: Option<AccSeries>,
    /// Pre-aggregated activity epochs, ordered by time.
    pub activity: Vec<ActivityEpoch>,
    /// Device-reported heart rate.
    pub hr: Vec<HrSample>,
    /// Labels, gaps and recorder events.
    pub events: Vec<Event>,
    /// Recoverable oddities met while reading.
    pub warnings: Vec<ImportWarning>,
}

impl Recording {
    /// Time span covered by any data stream, s: (first, last).
    pub fn span_s(&self) -> Option<(f64, f64)> {
        let mut lo = f64::INFINITY;
        let mut hi = f64::NEG_INFINITY;
        let mut see = |t: f64| {
            lo = lo.min(t);
            hi = hi.max(t);
        };
        if let (Some(f), Some(l)) = (self.beats.first(), self.beats.last()) {
            see(f.t_s - f.rr_ms / 1000.0);
            see(l.t_s);
        }
        if let Some(acc) = &self.acc {
            if let (Some(f), Some(l)) = (acc.t_s.first(), acc.t_s.last()) {
                see(*f);
                see(*l);
            }
        }
        if let (Some(f), Some(l)) = (self.activity.first(), self.activity.last()) {
            see(f.t_s);
            see(l.t_s + l.dur_s);
        }
        if let (Some(f), Some(l)) = (self.hr.first(), self.hr.last()) {
            see(f.t_s);
            see(l.t_s);
        }
        (lo <= hi).then_some((lo, hi))
    }

    /// Events of kind [`EventKind::Label`].
    pub fn labels(&self) -> impl Iterator<Item = &Event> {
        self.events.iter().filter(|e| e.kind == EventKind::Label)
    }
}
