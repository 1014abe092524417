//! Live pipeline benchmark (not a test): synthetic BLE notifications → decode → live state
//! (rolling indicators, 5-min analysis windows and the three profile scores).
//!
//! Feed: heart rate + one RR per notification at ~1.2 Hz (RR ≈ 750–950 ms) and Polar PMD
//! accelerometer frames (type 1, 36 samples = a 232-byte MTU frame) at 50 Hz on the same
//! clock, for 1 day and for 7 days of data time, at full speed. Reports notifications/s, the cost per notification (target
//! ≤ 50 µs for updating every live indicator) and peak memory (VmHWM from /proc/self/status)
//! plus the samples held by the state, after 1 day and after 7 days: neither may grow with
//! the feed length. Then criterion times one hour of feed.
//!
//! Run: `cargo bench --bench live`.

use criterion::Criterion;
use std::hint::black_box;
use std::time::Instant;
use stress_harness::ble::heart_rate::{self, HeartRateMeasurement, SensorContact};
use stress_harness::ble::pmd::{self, DataFrame};
use stress_harness::live::{LiveConfig, LiveState, Update};
use stress_harness::recording::{Beat, BeatFlags};

const ACC_RATE: f64 = 50.0;
const FRAME: usize = 36;

/// One hour of pre-encoded payloads (HR notifications, ACC frames), replayed with advancing
/// time so that generating data does not count in the measurement.
struct Feed {
    hr: Vec<Vec<u8>>,
    acc: Vec<Vec<u8>>,
}

fn feed() -> Feed {
    let mut hr = Vec::new();
    for i in 0..3600u32 {
        // Respiratory sinus arrhythmia (±40 ms, 4-beat period), a slow wave (±60 ms) and a
        // little deterministic jitter: plausible beat-to-beat changes that the default
        // cleaning keeps (an earlier ±100 ms zigzag was rejected as artefacts and left the
        // 5-min RMSSD empty).
        let x = i as f64;
        let rr_ms = 850.0
            + 40.0 * (x * std::f64::consts::PI / 2.0).sin()
            + 60.0 * (x * 2.0 * std::f64::consts::PI / 300.0).sin()
            + 8.0 * ((i * 7919 % 13) as f64 / 13.0 - 0.5);
        hr.push(
            HeartRateMeasurement {
                hr_bpm: (60000.0 / rr_ms) as u16,
                hr_uint16: false,
                contact: SensorContact::Detected,
                energy_kj: None,
                rr_present: true,
                rr_1024: vec![heart_rate::rr_ms_to_1024(rr_ms)],
                odd_trailing_byte: false,
            }
            .encode(),
        );
    }
    let frames = (3600.0 * ACC_RATE / FRAME as f64) as usize;
    let mut acc = Vec::new();
    for f in 0..frames {
        let s: Vec<[i32; 3]> = (0..FRAME)
            .map(|i| {
                let k = (f * FRAME + i) as f64;
                [
                    (200.0 * (k * 0.05).sin()) as i32,
                    (150.0 * (k * 0.03).cos()) as i32,
                    1000 + (80.0 * (k * 0.11).sin()) as i32,
                ]
            })
            .collect();
        acc.push(pmd::encode_acc_raw(0, 1, &s));
    }
    Feed { hr, acc }
}

struct Pipeline {
    state: LiveState,
    cursor: f64,
    prev_ts: Option<u64>,
    beats: Vec<Beat>,
    t: Vec<f64>,
    g: Vec<[f32; 3]>,
}

impl Pipeline {
    /// A pipeline with the default live configuration, with or without the profile scores.
    fn new(scores: bool) -> Pipeline {
        let mut cfg = LiveConfig::default();
        if !scores {
            cfg.profiles = None;
        }
        Pipeline {
            state: LiveState::new(cfg, None).expect("valid config"),
            cursor: 0.0,
            prev_ts: None,
            beats: Vec::new(),
            t: Vec::new(),
            g: Vec::new(),
        }
    }
    fn hr(&mut self, payload: &[u8]) {
        let m = heart_rate::decode(payload).expect("valid");
        self.state.update(&Update::Hr {
            t_s: self.cursor,
            bpm: m.hr_bpm as f64,
        });
        self.beats.clear();
        for rr in m.rr_ms() {
            self.cursor += rr / 1000.0;
            self.beats.push(Beat {
                t_s: self.cursor,
                rr_ms: rr,
                flags: BeatFlags::NONE,
            });
        }
        self.state.update(&Update::Beats(&self.beats));
    }
    fn acc(&mut self, payload: &[u8], ts: u64) {
        let f = DataFrame::parse(payload).expect("valid");
        let a = pmd::decode_acc(&f, 1.0).expect("valid");
        let times = pmd::sample_times_ns(ts, self.prev_ts, a.mg.len(), Some(ACC_RATE)).unwrap();
        self.prev_ts = Some(ts);
        self.t.clear();
        self.g.clear();
        for (t, v) in times.iter().zip(&a.mg) {
            self.t.push(t / 1e9);
            self.g.push([
                (v[0] / 1000.0) as f32,
                (v[1] / 1000.0) as f32,
                (v[2] / 1000.0) as f32,
            ]);
        }
        self.state.update(&Update::Acc {
            t_s: &self.t,
            xyz_g: &self.g,
        });
    }
}

/// Feed HR notifications (one beat each, ~0.85 s) with the accelerometer frames that fall in
/// the same time (both streams on one clock, as the recorder stamps them) until `hours` more
/// hours of data time have passed; returns notifications processed.
fn run(p: &mut Pipeline, f: &Feed, hours: usize, acc_ts: &mut u64, i: &mut usize) -> u64 {
    let mut n = 0u64;
    let frame_ns = (FRAME as f64 * 1e9 / ACC_RATE) as u64;
    let until = p.cursor + hours as f64 * 3600.0;
    while p.cursor < until {
        p.hr(&f.hr[*i % f.hr.len()]);
        n += 1;
        while (*acc_ts + frame_ns) as f64 / 1e9 <= p.cursor {
            *acc_ts += frame_ns;
            p.acc(&f.acc[(*acc_ts / frame_ns) as usize % f.acc.len()], *acc_ts);
            n += 1;
        }
        *i += 1;
    }
    n
}

fn vm_hwm_kib() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    s.lines()
        .find(|l| l.starts_with("VmHWM:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

fn feed_report(f: &Feed) {
    let mut p = Pipeline::new(true);
    let mut ts = 0u64;
    let t = Instant::now();
    let mut i = 0;
    let n1 = run(&mut p, f, 24, &mut ts, &mut i);
    let d1 = t.elapsed();
    let (b1, a1) = p.state.held();
    let hwm1 = vm_hwm_kib();
    let n7 = n1 + run(&mut p, f, 24 * 6, &mut ts, &mut i);
    let d7 = t.elapsed();
    let (b7, a7) = p.state.held();
    let hwm7 = vm_hwm_kib();
    let snap = p.state.snapshot();
    println!("live feed, full speed (HR+RR 1 Hz, ACC 50 Hz in {FRAME}-sample frames):");
    println!(
        "  1 day : {n1} notifications in {:.2} s = {:.0} notif/s, {:.2} µs/notification; held {b1} beats, {a1} acc samples; VmHWM {:?} KiB",
        d1.as_secs_f64(),
        n1 as f64 / d1.as_secs_f64(),
        d1.as_secs_f64() * 1e6 / n1 as f64,
        hwm1
    );
    println!(
        "  7 days: {n7} notifications in {:.2} s = {:.0} notif/s, {:.2} µs/notification; held {b7} beats, {a7} acc samples; VmHWM {:?} KiB",
        d7.as_secs_f64(),
        n7 as f64 / d7.as_secs_f64(),
        d7.as_secs_f64() * 1e6 / n7 as f64,
        hwm7
    );
    println!(
        "  final: RMSSD(5 min) {:?} ms, RMSSD(60 s) {:?} ms, motion {:?}, beats {}, windows {}",
        snap.rmssd_ms, snap.rmssd_short_ms, snap.motion, snap.beats, snap.windows
    );
    for (p, t) in &snap.scores {
        println!("  final {p}: {t}");
    }
}

fn main() {
    let f = feed();
    feed_report(&f);
    let mut c = Criterion::default().configure_from_args().sample_size(10);
    for (name, scores) in [
        ("live pipeline, 1 h of notifications", true),
        (
            "live pipeline without profile scores, 1 h of notifications",
            false,
        ),
    ] {
        c.bench_function(name, |b| {
            b.iter(|| {
                let mut p = Pipeline::new(scores);
                let (mut ts, mut i) = (0, 0);
                black_box(run(&mut p, &f, 1, &mut ts, &mut i))
            })
        });
    }
    c.final_summary();
}
