//! Record a heart-rate wearable to the canonical recording format, live.
//!
//! # Timing
//! t = 0 is the moment [`record`] is called (`meta.json` `start` holds that wall-clock time
//! with its UTC offset). Every notification is stamped on receipt with a monotonic clock
//! ([`std::time::Instant`]).
//!
//! **Beat times** (Heart Rate Measurement): RR values reach the client late and in batches
//! (median latency 0.4–2.6 s depending on the strap; KTH study, Physiol. Meas. 2025), so the
//! arrival time is only an upper bound for when the last beat of a notification ended. As in
//! `fsmeraldi/bleakheart` (`core.py`), beats are chained from the cumulative RR and anchored at
//! arrival:
//! - first notification (or first after a gap): last beat ends at the arrival time t_a,
//!   earlier beats at t_a − (sum of the RRs after them);
//! - otherwise each beat ends at previous beat end + RR (the chain), also when the chain runs
//!   ahead of arrival (the first anchor carried less latency than later notifications, or the
//!   sensor clock is slower than ours: a drift of ~50 ppm, about 4 s per day), because times
//!   consistent with the RR values matter more downstream than an error bounded by the latency;
//! - if the chain falls behind arrival by more than [`RecordOptions::rr_resync_tolerance`]
//!   (default 4 s, *assumed*: above typical latency jitter), beats were lost: a `lost` event
//!   is recorded, the notification is re-anchored at t_a and its first beat flagged
//!   `GAP_BEFORE`.
//!
//! Every beat ends at least one RR after the previous one (t_i ≥ t_{i−1} + RR_i) and at t ≥ 0,
//! so times are strictly increasing. RR values are never altered.
//!
//! **Acceleration** (Polar PMD): sample times come from the sensor clock
//! ([`super::pmd::sample_times_ns`]) mapped to the recording clock by one offset fixed at the
//! first frame (arrival − sensor time of its last sample; `meta.json` notes it), so the
//! sensor's spacing is kept. The offset is reset if the sensor clock goes backwards.
//!
//! # Robustness
//! One notification stream, created once before the first subscribe and kept across
//! reconnects; `tokio::select!` with `biased;` and notifications first; a watchdog (no Heart
//! Rate Measurement for [`RecordOptions::watchdog`] → link treated as lost, the recorder
//! disconnects and reconnects); reconnect with exponential backoff; "InProgress" /
//! "Already notifying" on re-subscribe = subscribed.
//!
//! Every btleplug call is bounded, because BlueZ (or the D-Bus daemon) sometimes never answers
//! a call and bluez-async then waits for its own 30-s D-Bus timeout, or forever where it has
//! none: a connection attempt (connect, discovery, reads, subscribes, the PMD start) by
//! [`RecordOptions::connect_timeout`], after which it is retried with backoff; any other call
//! by [`RecordOptions::call_timeout`]. While recording, an unanswered call counts as a link
//! loss (disconnect, reconnect); before the first connection it is an error.
//!
//! # Events written to `events.csv`
//! `gap` (link lost → data again, label says why), `reconnect` (instant), `duplicate` (a
//! notification identical to the previous one within [`RecordOptions::duplicate_window`], or a
//! PMD frame repeating the previous timestamp and bytes; dropped), `lost` (RR chain fell behind,
//! or PMD sensor clock jumped over missing frames), `note` (undecodable payloads, refused PMD
//! start…).
//!
//! # Durability
//! Rows are flushed after every notification and fsynced every
//! [`RecordOptions::sync_every`] (default 1 s), so a crash loses about a second; `meta.json` says
//! `complete: false` until the recording is closed by Ctrl-C, `duration`, or [`StopHandle`].

use super::heart_rate::{self, SensorContact};
use super::pmd::{self, AccSettings, CpMessage, CpStatus, DataFrame, Features, MeasurementType};
use super::scan::first_adapter;
use super::{
    ble_err, is_already_subscribed, BODY_SENSOR_LOCATION, HEART_RATE_MEASUREMENT,
    HEART_RATE_SERVICE, PMD_CONTROL_POINT, PMD_DATA, PMD_SERVICE,
};
use crate::engine::WindowResult;
use crate::error::{Error, Result};
use crate::indicators::IndicatorSet;
use crate::live::{LiveConfig, LiveState, Update, View};
use crate::recording::canonical::{Writer, FORMAT_VERSION};
use crate::recording::{Beat, BeatFlags, Event, EventKind, HrSample, Metadata};
use btleplug::api::{
    Central, CentralEvent, Characteristic, Peripheral as _, ScanFilter, ValueNotification,
    WriteType,
};
use btleplug::platform::{Adapter, Peripheral};
use futures::StreamExt;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::watch;

/// Stops a running [`record`] from another task (tests, GUIs). Cloneable.
#[derive(Debug, Clone)]
pub struct StopHandle(Arc<watch::Sender<bool>>);

impl Default for StopHandle {
    fn default() -> Self {
        StopHandle::new()
    }
}

impl StopHandle {
    /// A new, un-triggered handle.
    pub fn new() -> Self {
        StopHandle(Arc::new(watch::channel(false).0))
    }
    /// Ask the recorder to close cleanly.
    pub fn stop(&self) {
        self.0.send_replace(true);
    }
    /// True once [`StopHandle::stop`] was called.
    pub fn is_stopped(&self) -> bool {
        *self.0.borrow()
    }
    async fn wait(&self) {
        let mut rx = self.0.subscribe();
        while !*rx.borrow_and_update() {
            if rx.changed().await.is_err() {
                std::future::pending::<()>().await;
            }
        }
    }
}

/// Recording settings. `Default` gives the documented defaults; `device` and `out_dir` must be
/// set.
#[derive(Debug, Clone)]
pub struct RecordOptions {
    /// Device name (case-insensitive, exact) or platform id as printed by `scan`.
    pub device: String,
    /// Output folder (canonical recording; created).
    pub out_dir: PathBuf,
    /// Stop after this long (None = until Ctrl-C / stop handle).
    pub duration: Option<Duration>,
    /// Pseudonymous subject id for `meta.json`.
    pub subject_id: Option<String>,
    /// How long to look for the device before giving up (default 20 s).
    pub scan_timeout: Duration,
    /// Timeout of one connection attempt (default 35 s: btleplug waits up to 30 s for
    /// service resolution).
    pub connect_timeout: Duration,
    /// Longest wait for one BlueZ call outside a connection attempt (default 10 s): finding
    /// the adapter and device, opening the event streams, checking the link after a
    /// disconnect event. See the module docs ("Robustness").
    pub call_timeout: Duration,
    /// Attempts for the FIRST connection before giving up (default 5). Reconnections after a
    /// link loss retry until stopped.
    pub first_connect_attempts: u32,
    /// First reconnect delay (default 0.5 s), doubled per failure…
    pub backoff_initial: Duration,
    /// …up to this (default 30 s).
    pub backoff_max: Duration,
    /// No Heart Rate Measurement for this long → link treated as lost (default 5 s).
    pub watchdog: Duration,
    /// fsync period (default 1 s).
    pub sync_every: Duration,
    /// Start the Polar PMD accelerometer with these settings when the device offers it
    /// (default `Some(AccSettings::default())`: 50 Hz, 16 bit, ±8 G); None = never.
    pub acc: Option<AccSettings>,
    /// Two identical Heart Rate payloads closer than this are one notification delivered twice
    /// (default 20 ms, *assumed*; identical payloads further apart are kept, since BlueZ
    /// legitimately repeats equal values).
    pub duplicate_window: Duration,
    /// RR chain behind arrival by more than this → beats lost (default 4 s, *assumed*).
    pub rr_resync_tolerance: Duration,
    /// Listen for Ctrl-C (default true).
    pub ctrl_c: bool,
    /// External stop.
    pub stop: Option<StopHandle>,
    /// Live-state settings (windows, convention).
    pub live: LiveConfig,
}

impl Default for RecordOptions {
    fn default() -> Self {
        RecordOptions {
            device: String::new(),
            out_dir: PathBuf::from("recording"),
            duration: None,
            subject_id: None,
            scan_timeout: Duration::from_secs(20),
            connect_timeout: Duration::from_secs(35),
            call_timeout: Duration::from_secs(10),
            first_connect_attempts: 5,
            backoff_initial: Duration::from_millis(500),
            backoff_max: Duration::from_secs(30),
            watchdog: Duration::from_secs(5),
            sync_every: Duration::from_secs(1),
            acc: Some(AccSettings::default()),
            duplicate_window: Duration::from_millis(20),
            rr_resync_tolerance: Duration::from_secs(4),
            ctrl_c: true,
            stop: None,
            live: LiveConfig::default(),
        }
    }
}

/// What a recording session produced.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordSummary {
    /// Output folder.
    pub out_dir: PathBuf,
    /// Device name (no address).
    pub device_name: Option<String>,
    /// Body Sensor Location, when the device has it.
    pub body_location: Option<String>,
    /// Notifications received (all characteristics).
    pub notifications: u64,
    /// Beats written.
    pub beats: u64,
    /// Device heart-rate samples written.
    pub hr_samples: u64,
    /// Acceleration samples written.
    pub acc_samples: u64,
    /// Successful reconnections.
    pub reconnects: u32,
    /// Gaps (link losses, incl. watchdog).
    pub gaps: u32,
    /// Watchdog firings.
    pub watchdog_fired: u32,
    /// Duplicates dropped.
    pub duplicates: u32,
    /// Lost-data events.
    pub lost: u32,
    /// Undecodable payloads skipped.
    pub undecodable: u32,
    /// Recording length, s.
    pub duration_s: f64,
    /// Why it stopped: `ctrl-c`, `duration`, `stop`.
    pub stop_reason: String,
    /// Rolling indicators over the last window length at the end (the numbers the live view
    /// showed last; [`crate::live::LiveState::indicators`]).
    pub indicators: IndicatorSet,
    /// The last analysis window the engine closed (5 min every 30 s by default).
    pub last_window: Option<WindowResult>,
    /// Analysis windows closed during the session.
    pub windows: u64,
    /// The last score of each profile as the view showed it (profile, text); empty with
    /// `--no-scores`.
    pub scores: Vec<(String, String)>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum StopReason {
    CtrlC,
    Duration,
    Handle,
}

impl StopReason {
    fn as_str(self) -> &'static str {
        match self {
            StopReason::CtrlC => "ctrl-c",
            StopReason::Duration => "duration",
            StopReason::Handle => "stop",
        }
    }
}

/// Combined stop signal (Ctrl-C, duration, handle).
struct Stopper {
    rx: watch::Receiver<Option<StopReason>>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Stopper {
    fn new(opts: &RecordOptions) -> Stopper {
        let (tx, rx) = watch::channel(None);
        let tx = Arc::new(tx);
        let mut tasks = Vec::new();
        if opts.ctrl_c {
            let tx = tx.clone();
            tasks.push(tokio::spawn(async move {
                if tokio::signal::ctrl_c().await.is_ok() {
                    tx.send_replace(Some(StopReason::CtrlC));
                }
            }));
        }
        if let Some(d) = opts.duration {
            let tx = tx.clone();
            tasks.push(tokio::spawn(async move {
                tokio::time::sleep(d).await;
                tx.send_replace(Some(StopReason::Duration));
            }));
        }
        if let Some(h) = opts.stop.clone() {
            let tx = tx.clone();
            tasks.push(tokio::spawn(async move {
                h.wait().await;
                tx.send_replace(Some(StopReason::Handle));
            }));
        }
        Stopper { rx, tasks }
    }
    fn reason(&self) -> Option<StopReason> {
        *self.rx.borrow()
    }
    async fn wait(&mut self) -> StopReason {
        loop {
            if let Some(r) = *self.rx.borrow_and_update() {
                return r;
            }
            if self.rx.changed().await.is_err() {
                std::future::pending::<()>().await;
            }
        }
    }
}

impl Drop for Stopper {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

/// Why the inner loop left.
enum Exit {
    Stop(StopReason),
    Lost(&'static str),
}

struct Session<'v> {
    opts: RecordOptions,
    t0: Instant,
    meta: Metadata,
    writer: Option<Writer>,
    pending_events: Vec<Event>,
    state: LiveState,
    view: &'v mut (dyn View + Send),
    summary: RecordSummary,
    // heart rate
    cursor: Option<f64>,
    gap_pending: bool,
    last_hr_payload: Vec<u8>,
    last_hr_rx: f64,
    beat_buf: Vec<Beat>,
    // link
    gap_start: Option<(f64, &'static str)>,
    last_data_t: f64,
    // pmd
    acc_rate: Option<f64>,
    pmd_prev_ts: Option<u64>,
    pmd_last_payload: Vec<u8>,
    factor: f32,
    dev_offset_s: Option<f64>,
    last_acc_t: f64,
    acc_t: Vec<f64>,
    acc_xyz: Vec<[f32; 3]>,
    last_sync: Instant,
}

/// Record `opts.device` into `opts.out_dir` until Ctrl-C, `opts.duration` or
/// `opts.stop`, driving `view` with every update. See the module docs for timing and events.
///
/// Errors: no adapter / no BlueZ, device not found, first connection failed after
/// `first_connect_attempts`, device without a Heart Rate Measurement characteristic, and I/O
/// errors writing the folder. Link losses after the first connection are not errors.
pub async fn record(opts: RecordOptions, view: &mut (dyn View + Send)) -> Result<RecordSummary> {
    if opts.device.trim().is_empty() {
        return Err(Error::Config {
            name: "device".into(),
            value: String::new(),
            expected: "a device name or id as printed by `scan`".into(),
        });
    }
    let t0 = Instant::now();
    let mut stopper = Stopper::new(&opts);
    let meta = Metadata {
        format_version: FORMAT_VERSION,
        subject_id: opts.subject_id.clone(),
        start: Some(chrono::Local::now().fixed_offset()),
        source_format: Some("ble-live".into()),
        ..Default::default()
    };
    // The scores' motion rule needs the accelerometer's nominal rate (epoch coverage); the
    // requested PMD rate is the one written to meta.json, so a replay sees the same.
    let state = LiveState::for_source(
        opts.live.clone(),
        meta.start.as_ref(),
        meta.source_format.clone(),
        opts.acc.map(|a| a.sample_rate_hz as f64),
    )?;
    let mut s = Session {
        state,
        summary: RecordSummary {
            out_dir: opts.out_dir.clone(),
            device_name: None,
            body_location: None,
            notifications: 0,
            beats: 0,
            hr_samples: 0,
            acc_samples: 0,
            reconnects: 0,
            gaps: 0,
            watchdog_fired: 0,
            duplicates: 0,
            lost: 0,
            undecodable: 0,
            duration_s: 0.0,
            stop_reason: String::new(),
            indicators: IndicatorSet::default(),
            last_window: None,
            windows: 0,
            scores: Vec::new(),
        },
        opts,
        t0,
        meta,
        writer: None,
        pending_events: Vec::new(),
        view,
        cursor: None,
        gap_pending: false,
        last_hr_payload: Vec::new(),
        last_hr_rx: f64::NEG_INFINITY,
        beat_buf: Vec::new(),
        gap_start: None,
        last_data_t: 0.0,
        acc_rate: None,
        pmd_prev_ts: None,
        pmd_last_payload: Vec::new(),
        factor: 1.0,
        dev_offset_s: None,
        last_acc_t: f64::NEG_INFINITY,
        acc_t: Vec::new(),
        acc_xyz: Vec::new(),
        last_sync: Instant::now(),
    };
    s.status("looking for the Bluetooth adapter");
    let limit = s.opts.call_timeout;
    let adapter = tokio::time::timeout(limit, first_adapter())
        .await
        .map_err(|_| Error::Ble(format!("no answer from BlueZ within {limit:?}")))??;
    let mut events = bounded(limit, "cannot listen to adapter events", adapter.events()).await?;
    s.status(&format!("scanning for {:?}", s.opts.device));
    let Some((periph, name)) = find_device(&adapter, &mut events, &s.opts, &mut stopper).await?
    else {
        let r = stopper.reason().unwrap_or(StopReason::Handle);
        return s.finish(None, r, &mut stopper).await;
    };
    s.summary.device_name = name.clone();
    s.meta.device = name;
    // ONE notification stream for the whole session, created before any subscribe: it
    // survives reconnects, so values queued at a disconnect are not dropped.
    let mut notifs = bounded(
        limit,
        "cannot open the notification stream",
        periph.notifications(),
    )
    .await?;
    let mut first = true;
    let mut sync_tick = tokio::time::interval(s.opts.sync_every);
    sync_tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let reason = 'session: loop {
        // Connect (first time: bounded attempts; later: until stopped).
        let mut delay = s.opts.backoff_initial;
        let mut attempts = 0u32;
        let t_lost = s.now();
        loop {
            attempts += 1;
            s.status(&format!(
                "{} (attempt {attempts})",
                if first { "connecting" } else { "reconnecting" }
            ));
            let r = tokio::select! {
                biased;
                r = stopper.wait() => break 'session r,
                r = tokio::time::timeout(s.opts.connect_timeout, connect_and_setup(&mut s, &periph, first)) => r,
            };
            match r {
                Ok(Ok(())) => break,
                Ok(Err(e)) if first && attempts >= s.opts.first_connect_attempts => return Err(e),
                Err(_) if first && attempts >= s.opts.first_connect_attempts => {
                    return Err(Error::Ble(format!(
                        "connecting timed out {attempts} times (each {:?})",
                        s.opts.connect_timeout
                    )))
                }
                Ok(Err(e)) if matches!(e, Error::Io { .. } | Error::Config { .. }) => {
                    return Err(e)
                }
                Ok(Err(e)) => s.status(&format!("connection failed: {e}")),
                Err(_) => s.status("connection attempt timed out"),
            }
            tokio::select! {
                biased;
                r = stopper.wait() => break 'session r,
                _ = tokio::time::sleep(delay) => {}
            }
            delay = (delay * 2).min(s.opts.backoff_max);
        }
        if !first {
            s.summary.reconnects += 1;
            let t = s.now();
            s.event(Event {
                start_s: t,
                end_s: t,
                kind: EventKind::Reconnect,
                label: format!(
                    "reconnected after {attempts} attempt(s), {:.1} s",
                    t - t_lost
                ),
            })?;
        }
        first = false;
        s.status("recording");
        let mut watchdog = tokio::time::Instant::now() + s.opts.watchdog;
        let exit = loop {
            tokio::select! {
                biased;
                n = notifs.next() => match n {
                    Some(v) => {
                        if s.on_notification(v)? {
                            watchdog = tokio::time::Instant::now() + s.opts.watchdog;
                        }
                    }
                    None => break Exit::Lost("notification stream ended"),
                },
                ev = events.next() => match ev {
                    Some(CentralEvent::DeviceDisconnected(id)) if id == periph.id() => {
                        // A late event from an earlier link can arrive after a reconnect.
                        // No answer counts as "down" (reconnecting is the safe side).
                        let up = bounded(limit, "link check", periph.is_connected()).await;
                        if !up.unwrap_or(false) {
                            break Exit::Lost("link lost (device disconnected)");
                        }
                    }
                    Some(_) => {}
                    None => break Exit::Lost("adapter event stream ended"),
                },
                _ = tokio::time::sleep_until(watchdog) => {
                    s.summary.watchdog_fired += 1;
                    break Exit::Lost("link lost (watchdog: no heart-rate data)");
                }
                _ = sync_tick.tick() => s.sync()?,
                r = stopper.wait() => break Exit::Stop(r),
            }
        };
        match exit {
            Exit::Stop(r) => break 'session r,
            Exit::Lost(why) => {
                s.link_lost(why);
                // Make sure the link is really down before reconnecting (silent stream case).
                let _ = tokio::time::timeout(Duration::from_secs(3), periph.disconnect()).await;
            }
        }
    };
    s.finish(Some(&periph), reason, &mut stopper).await
}

async fn find_device(
    adapter: &Adapter,
    events: &mut (impl futures::Stream<Item = CentralEvent> + Unpin),
    opts: &RecordOptions,
    stopper: &mut Stopper,
) -> Result<Option<(Peripheral, Option<String>)>> {
    let limit = opts.call_timeout;
    let filter = ScanFilter {
        services: vec![HEART_RATE_SERVICE, PMD_SERVICE],
    };
    match tokio::time::timeout(limit, adapter.start_scan(filter)).await {
        Ok(r) => r.map_err(|e| super::scan_start_err("cannot start scanning", &e))?,
        Err(_) => {
            return Err(Error::Ble(format!(
                "cannot start scanning: no answer from BlueZ within {limit:?}"
            )))
        }
    }
    let want = opts.device.trim().to_string();
    let mut rejected = HashSet::new();
    let mut cached: Option<(Peripheral, Option<String>)> = None;
    let deadline = tokio::time::sleep(opts.scan_timeout);
    tokio::pin!(deadline);
    let found = loop {
        let id = tokio::select! {
            biased;
            _ = stopper.wait() => break None,
            _ = &mut deadline => break cached.take(),
            ev = events.next() => match ev {
                Some(CentralEvent::DeviceDiscovered(id))
                | Some(CentralEvent::DeviceUpdated(id))
                | Some(CentralEvent::RssiUpdate { id, .. })
                | Some(CentralEvent::ServicesAdvertisement { id, .. }) => id,
                Some(_) => continue,
                None => break cached.take(),
            },
        };
        if rejected.contains(&id) {
            continue;
        }
        let Ok(p) = bounded(limit, "peripheral", adapter.peripheral(&id)).await else {
            continue;
        };
        let Ok(Some(props)) = bounded(limit, "properties", p.properties()).await else {
            continue;
        };
        let name = props
            .local_name
            .clone()
            .or(props.advertisement_name.clone());
        let matches = id.to_string() == want
            || name
                .as_deref()
                .is_some_and(|n| n.trim().eq_ignore_ascii_case(&want));
        if !matches {
            rejected.insert(id);
            continue;
        }
        if props.rssi.is_some() {
            break Some((p, name));
        }
        // Known only from BlueZ's cache (maybe out of range): keep as a fallback and wait for
        // an advertisement with RSSI.
        cached = Some((p, name));
    };
    let _ = bounded(limit, "stop scanning", adapter.stop_scan()).await;
    if stopper.reason().is_some() {
        return Ok(None);
    }
    found.map(Some).ok_or_else(|| {
        Error::Ble(format!(
            "device {want:?} not found within {:?}; run `stress-harness scan` to list devices",
            opts.scan_timeout
        ))
    })
}

/// Await one btleplug call for at most `limit` (BlueZ sometimes never answers; module docs,
/// "Robustness"); a timeout is an [`Error::Ble`] like a failed call.
async fn bounded<T>(
    limit: Duration,
    what: &str,
    call: impl std::future::Future<Output = btleplug::Result<T>>,
) -> Result<T> {
    match tokio::time::timeout(limit, call).await {
        Ok(r) => r.map_err(|e| ble_err(what, e)),
        Err(_) => Err(Error::Ble(format!(
            "{what}: no answer from BlueZ within {limit:?}"
        ))),
    }
}

fn find_char(p: &Peripheral, uuid: uuid::Uuid) -> Option<Characteristic> {
    p.characteristics().into_iter().find(|c| c.uuid == uuid)
}

async fn subscribe(p: &Peripheral, c: &Characteristic) -> Result<()> {
    match p.subscribe(c).await {
        Ok(()) => Ok(()),
        Err(e) if is_already_subscribed(&e) => Ok(()),
        Err(e) => Err(ble_err(&format!("cannot subscribe to {}", c.uuid), e)),
    }
}

/// Connect, discover, (first time) read Body Sensor Location and create the writer, subscribe,
/// start the accelerometer.
async fn connect_and_setup(s: &mut Session<'_>, p: &Peripheral, first: bool) -> Result<()> {
    if let Err(e) = p.connect().await {
        if !p.is_connected().await.unwrap_or(false) {
            return Err(ble_err("connect failed", e));
        }
    }
    p.discover_services()
        .await
        .map_err(|e| ble_err("service discovery failed", e))?;
    let hrm = find_char(p, HEART_RATE_MEASUREMENT).ok_or_else(|| {
        Error::Ble("the device has no Heart Rate Measurement characteristic (0x2A37)".into())
    })?;
    let cp = find_char(p, PMD_CONTROL_POINT);
    let data = find_char(p, PMD_DATA);
    let mut acc_ok = false;
    if let (Some(cp), Some(_), Some(_)) = (&cp, &data, &s.opts.acc) {
        if first {
            match p.read(cp).await.map(|v| Features::parse(&v)) {
                Ok(Ok(f)) => acc_ok = f.acc,
                Ok(Err(e)) => s.note(&format!("PMD features unreadable: {e}")),
                Err(e) => s.note(&format!("PMD control point unreadable: {e}")),
            }
        } else {
            acc_ok = s.acc_rate.is_some();
        }
    }
    if first {
        if let Some(c) = find_char(p, BODY_SENSOR_LOCATION) {
            if let Ok(v) = p.read(&c).await {
                let loc = heart_rate::body_sensor_location(&v).map(str::to_string);
                s.summary.body_location = loc.clone();
                s.meta.body_location = loc;
            }
        }
        s.acc_rate = if acc_ok {
            s.opts.acc.map(|a| a.sample_rate_hz as f64)
        } else {
            None
        };
        s.meta.notes.push(
            "beats: t_s chained from cumulative RR, anchored at notification arrival \
             (see stress_harness::ble record docs); rr_ms = raw/1024 s exactly"
                .into(),
        );
        let mut w = Writer::create(&s.opts.out_dir, &s.meta, s.acc_rate)?;
        for e in s.pending_events.drain(..) {
            w.event(&e)?;
        }
        w.flush()?;
        s.writer = Some(w);
    }
    subscribe(p, &hrm).await?;
    if acc_ok {
        let (Some(cp), Some(data), Some(acc)) = (cp, data, s.opts.acc) else {
            return Ok(());
        };
        // The SDK refuses commands unless CP indications AND data notifications are on.
        subscribe(p, &cp).await?;
        subscribe(p, &data).await?;
        p.write(&cp, &acc.start_request(), WriteType::WithResponse)
            .await
            .map_err(|e| ble_err("cannot start the PMD accelerometer", e))?;
    }
    Ok(())
}

impl Session<'_> {
    fn now(&self) -> f64 {
        self.t0.elapsed().as_secs_f64()
    }

    fn status(&mut self, text: &str) {
        let u = Update::Status(text);
        self.state.update(&u);
        self.view.update(&self.state, &u);
    }

    fn event(&mut self, e: Event) -> Result<()> {
        let u = Update::Event(&e);
        self.state.update(&u);
        self.view.update(&self.state, &u);
        match &mut self.writer {
            Some(w) => w.event(&e),
            None => {
                self.pending_events.push(e);
                Ok(())
            }
        }
    }

    fn note(&mut self, text: &str) {
        let t = self.now();
        let _ = self.event(Event {
            start_s: t,
            end_s: t,
            kind: EventKind::Note,
            label: text.to_string(),
        });
    }

    fn sync(&mut self) -> Result<()> {
        self.last_sync = Instant::now();
        match &mut self.writer {
            Some(w) => w.sync(),
            None => Ok(()),
        }
    }

    fn link_lost(&mut self, why: &'static str) {
        if self.gap_start.is_none() {
            self.gap_start = Some((self.last_data_t.max(0.0), why));
        }
        self.gap_pending = true;
        self.pmd_prev_ts = None;
        self.status(why);
    }

    /// Close an open gap at `t` (first data after a link loss).
    fn data_resumed(&mut self, t: f64) -> Result<()> {
        if let Some((start, why)) = self.gap_start.take() {
            self.summary.gaps += 1;
            self.event(Event {
                start_s: start,
                end_s: t,
                kind: EventKind::Gap,
                label: why.to_string(),
            })?;
        }
        Ok(())
    }

    /// Handle one notification; true if it was Heart Rate data (feeds the watchdog).
    fn on_notification(&mut self, v: ValueNotification) -> Result<bool> {
        let t = self.now();
        self.summary.notifications += 1;
        let is_hr = v.uuid == HEART_RATE_MEASUREMENT;
        if is_hr {
            self.on_hr(t, &v.value)?;
        } else if v.uuid == PMD_DATA {
            self.on_pmd_data(t, &v.value)?;
        } else if v.uuid == PMD_CONTROL_POINT {
            self.on_pmd_cp(&v.value);
        }
        if let Some(w) = &mut self.writer {
            w.flush()?;
        }
        if self.last_sync.elapsed() >= self.opts.sync_every {
            self.sync()?;
        }
        Ok(is_hr)
    }

    fn on_hr(&mut self, t: f64, payload: &[u8]) -> Result<()> {
        let m = match heart_rate::decode(payload) {
            Ok(m) => m,
            Err(e) => {
                self.summary.undecodable += 1;
                self.note(&format!("skipped undecodable heart-rate notification: {e}"));
                return Ok(());
            }
        };
        if payload == self.last_hr_payload.as_slice()
            && t - self.last_hr_rx < self.opts.duplicate_window.as_secs_f64()
            && !m.rr_1024.is_empty()
        {
            self.summary.duplicates += 1;
            self.last_hr_rx = t;
            return self.event(Event {
                start_s: t,
                end_s: t,
                kind: EventKind::Duplicate,
                label: format!(
                    "heart-rate notification repeated within {:?}; dropped",
                    self.opts.duplicate_window
                ),
            });
        }
        self.last_hr_payload.clear();
        self.last_hr_payload.extend_from_slice(payload);
        self.last_hr_rx = t;
        self.data_resumed(t)?;
        self.last_data_t = t;
        if m.odd_trailing_byte {
            self.note("heart-rate notification had an odd trailing byte (ignored)");
        }
        if m.hr_bpm > 0 {
            let h = HrSample {
                t_s: t,
                bpm: m.hr_bpm as f64,
            };
            if let Some(w) = &mut self.writer {
                w.hr(&h)?;
            }
            self.summary.hr_samples += 1;
            let u = Update::Hr { t_s: t, bpm: h.bpm };
            self.state.update(&u);
            self.view.update(&self.state, &u);
        }
        if m.rr_1024.is_empty() {
            return Ok(());
        }
        let rr: Vec<f64> = m.rr_ms().collect();
        let total: f64 = rr.iter().sum::<f64>() / 1000.0;
        let mut flags0 = BeatFlags::NONE;
        if m.contact == SensorContact::NotDetected {
            flags0.insert(BeatFlags::CONTACT_LOST);
        }
        let mut first_flags = flags0;
        // End time of the last beat of this notification.
        let last_end = match self.cursor {
            Some(c) if !self.gap_pending => {
                let chained = c + total;
                if t - chained > self.opts.rr_resync_tolerance.as_secs_f64() {
                    let behind = t - chained;
                    self.summary.lost += 1;
                    self.event(Event {
                        start_s: c,
                        end_s: t - total,
                        kind: EventKind::Lost,
                        label: format!(
                            "RR chain {behind:.1} s behind arrival: about {:.0} beat(s) missing",
                            behind / (total / rr.len() as f64)
                        ),
                    })?;
                    first_flags.insert(BeatFlags::GAP_BEFORE);
                    t
                } else {
                    chained
                }
            }
            Some(_) => {
                first_flags.insert(BeatFlags::GAP_BEFORE);
                t
            }
            None => t,
        };
        self.gap_pending = false;
        self.beat_buf.clear();
        let mut after = total;
        let mut prev = self.cursor;
        for (i, &r) in rr.iter().enumerate() {
            after -= r / 1000.0;
            let floor = prev.map_or(0.0, |p| p + r / 1000.0);
            let te = (last_end - after.max(0.0)).max(floor);
            prev = Some(te);
            self.beat_buf.push(Beat {
                t_s: te,
                rr_ms: r,
                flags: if i == 0 { first_flags } else { flags0 },
            });
        }
        let prev = prev.unwrap_or(t);
        self.cursor = Some(prev);
        if let Some(w) = &mut self.writer {
            for b in &self.beat_buf {
                w.beat(b)?;
            }
        }
        self.summary.beats += self.beat_buf.len() as u64;
        let u = Update::Beats(&self.beat_buf);
        self.state.update(&u);
        self.view.update(&self.state, &u);
        Ok(())
    }

    fn on_pmd_cp(&mut self, payload: &[u8]) {
        match CpMessage::parse(payload) {
            Ok(CpMessage::Response(r))
                if r.op == pmd::op::START && r.measurement_type == MeasurementType::Acc =>
            {
                match r.status {
                    CpStatus::Success | CpStatus::AlreadyInState => {
                        if let Ok(st) = pmd::Settings::parse(&r.params) {
                            if let Some(f) = st.factor() {
                                self.factor = f;
                            }
                        }
                    }
                    other => self.note(&format!("PMD accelerometer start refused: {other:?}")),
                }
            }
            Ok(CpMessage::MeasurementStopped(types)) => {
                self.note(&format!("sensor stopped PMD measurement(s) {types:?}"))
            }
            Ok(_) => {}
            Err(e) => self.note(&format!("undecodable PMD control-point message: {e}")),
        }
    }

    fn on_pmd_data(&mut self, t: f64, payload: &[u8]) -> Result<()> {
        let f = match DataFrame::parse(payload) {
            Ok(f) => f,
            Err(e) => {
                self.summary.undecodable += 1;
                self.note(&format!("skipped undecodable PMD frame: {e}"));
                return Ok(());
            }
        };
        if f.measurement_type != MeasurementType::Acc {
            return Ok(());
        }
        let Some(rate) = self.acc_rate else {
            return Ok(());
        };
        if self.pmd_prev_ts == Some(f.timestamp_ns) && payload == self.pmd_last_payload.as_slice() {
            self.summary.duplicates += 1;
            return self.event(Event {
                start_s: t,
                end_s: t,
                kind: EventKind::Duplicate,
                label: "PMD frame repeated (same sensor timestamp and bytes); dropped".into(),
            });
        }
        if self.pmd_prev_ts.is_some_and(|p| f.timestamp_ns <= p) {
            self.note("PMD sensor clock went backwards; acceleration re-anchored");
            self.pmd_prev_ts = None;
            self.dev_offset_s = None;
        }
        let acc = match pmd::decode_acc(&f, self.factor) {
            Ok(a) => a,
            Err(e) => {
                self.summary.undecodable += 1;
                self.note(&format!("skipped undecodable PMD ACC frame: {e}"));
                return Ok(());
            }
        };
        self.pmd_last_payload.clear();
        self.pmd_last_payload.extend_from_slice(payload);
        let n = acc.mg.len();
        if n == 0 {
            self.pmd_prev_ts = Some(f.timestamp_ns);
            return Ok(());
        }
        let mut prev = self.pmd_prev_ts;
        if let Some(p) = prev {
            let expected = n as f64 * 1e9 / rate;
            let actual = (f.timestamp_ns - p) as f64;
            if actual > 1.5 * expected + 2e9 / rate {
                let missing = (actual * rate / 1e9).round() - n as f64;
                let off = self.dev_offset_s.unwrap_or(0.0);
                self.summary.lost += 1;
                self.event(Event {
                    start_s: p as f64 / 1e9 + off,
                    end_s: (f.timestamp_ns as f64 - (n - 1) as f64 * 1e9 / rate) / 1e9 + off,
                    kind: EventKind::Lost,
                    label: format!(
                        "PMD accelerometer: about {missing:.0} sample(s) missing (sensor clock jumped {:.2} s)",
                        actual / 1e9
                    ),
                })?;
                prev = None;
            }
        }
        let times = match pmd::sample_times_ns(f.timestamp_ns, prev, n, Some(rate)) {
            Ok(t) => t,
            Err(e) => {
                self.note(&format!("PMD frame not timed: {e}"));
                return Ok(());
            }
        };
        self.pmd_prev_ts = Some(f.timestamp_ns);
        let off = *self
            .dev_offset_s
            .get_or_insert(t - f.timestamp_ns as f64 / 1e9);
        self.data_resumed(t)?;
        self.acc_t.clear();
        self.acc_xyz.clear();
        for (ts, v) in times.iter().zip(&acc.mg) {
            let tr = (ts / 1e9 + off).max(self.last_acc_t).max(0.0);
            self.last_acc_t = tr;
            let g = [
                (v[0] / 1000.0) as f32,
                (v[1] / 1000.0) as f32,
                (v[2] / 1000.0) as f32,
            ];
            if let Some(w) = &mut self.writer {
                w.acc(tr, g[0], g[1], g[2])?;
            }
            self.acc_t.push(tr);
            self.acc_xyz.push(g);
        }
        self.summary.acc_samples += n as u64;
        let u = Update::Acc {
            t_s: &self.acc_t,
            xyz_g: &self.acc_xyz,
        };
        self.state.update(&u);
        self.view.update(&self.state, &u);
        Ok(())
    }

    async fn finish(
        mut self,
        periph: Option<&Peripheral>,
        reason: StopReason,
        _stopper: &mut Stopper,
    ) -> Result<RecordSummary> {
        self.status(&format!("stopping ({})", reason.as_str()));
        if let Some(p) = periph {
            if self.acc_rate.is_some() {
                if let Some(cp) = find_char(p, PMD_CONTROL_POINT) {
                    let stop = [pmd::op::STOP, MeasurementType::Acc.id()];
                    let _ = tokio::time::timeout(
                        Duration::from_secs(1),
                        p.write(&cp, &stop, WriteType::WithResponse),
                    )
                    .await;
                }
            }
            if let Some(c) = find_char(p, HEART_RATE_MEASUREMENT) {
                let _ = tokio::time::timeout(Duration::from_secs(1), p.unsubscribe(&c)).await;
            }
            let _ = tokio::time::timeout(Duration::from_secs(2), p.disconnect()).await;
        }
        let t = self.now();
        if let Some((start, why)) = self.gap_start.take() {
            self.summary.gaps += 1;
            self.event(Event {
                start_s: start,
                end_s: t,
                kind: EventKind::Gap,
                label: format!("{why}; no data until the end"),
            })?;
        }
        if let Some(off) = self.dev_offset_s {
            self.meta.notes.push(format!(
                "acc: t_s = Polar sensor time (s since 2000-01-01T00:00:00Z) + {off:.6} s \
                 (offset fixed at the first frame: arrival - sensor time of its last sample)"
            ));
        }
        self.meta.notes.push(format!(
            "stopped by {} after {t:.1} s; {} reconnect(s)",
            reason.as_str(),
            self.summary.reconnects
        ));
        self.state.finish();
        self.summary.indicators = self.state.indicators().clone();
        self.summary.last_window = self.state.last_window().0.cloned();
        self.summary.windows = self.state.last_window().1;
        self.summary.scores = self.state.scores.clone();
        self.view.finish(&self.state);
        if let Some(w) = self.writer.take() {
            w.finish(&self.meta)?;
        }
        self.summary.duration_s = t;
        self.summary.stop_reason = reason.as_str().to_string();
        Ok(self.summary)
    }
}
