//! The two normal ends of a live recording, end to end through the real CLI binary:
//!
//! - **Ctrl-C**: `stress-harness record` runs as a child process against a fake BlueZ (one
//!   Heart Rate + Polar PMD strap on a private dbus-daemon), receives a known script of
//!   heart-rate notifications with RR values and PMD accelerometer frames, and is sent SIGINT
//!   once every beat is on disk;
//! - **`--duration`**: the same, but the child must end by itself when the duration is over;
//! - **Ctrl-C while scanning** for a device that never shows up: a clean exit, no folder.
//!
//! Both must exit 0, stop the accelerometer, unsubscribe and disconnect, finalise `meta.json`
//! (`complete: true`, the stop reason in `notes`), and leave a folder that holds exactly the
//! injected beats and samples in order, has a well-formed `events.csv`, imports through
//! `stress_harness::sources::import` and replays to the indicators the session printed. This
//! is the "Ctrl-C or --duration closes cleanly and finalises the metadata", which the
//! library-level record tests (stopped through a `StopHandle`) do not cover: they never
//! deliver a signal and never run `main`.
//!
//! Why both scenarios share one binary although libdbus caches the bus address per process:
//! btleplug (and so libdbus) only runs in the CLI child processes, each started with its own
//! `DBUS_SYSTEM_BUS_ADDRESS`; this test process only runs the fake BlueZ, which is zbus (pure
//! Rust, no libdbus), one private bus per test.

#[path = "fake_bluez/mod.rs"]
mod fake_bluez;

use fake_bluez::*;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};
use stress_harness::ble::RecordSummary;
use stress_harness::live::{replay, LiveConfig, NullView, Speed};
use stress_harness::recording::{EventKind, Recording};
use stress_harness::sources::{import, ImportOptions};

/// Generous bounds: the machine running the tests may be shared with other builds.
const SETUP_LIMIT: Duration = Duration::from_secs(40);
const DISK_LIMIT: Duration = Duration::from_secs(20);
const EXIT_LIMIT: Duration = Duration::from_secs(20);

#[test]
fn ctrl_c_closes_the_recording_cleanly_and_finalises_the_metadata() {
    const DEV: &str = "Polar H10 CTRLC";
    let bus = Bus::start();
    let rt = runtime();
    rt.block_on(async {
        let fake = FakeBluez::start(
            &bus.address,
            vec![DeviceSpec::new(DEV, 0x51, Some(-60), true, true)],
        )
        .await;
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("rec");
        // A long watchdog: a slow machine must not turn a pause between two steps of the test
        // into a link loss.
        let mut cli = Cli::record(&bus.address, dir.path(), DEV, &out, &["--watchdog", "120"]);
        cli.wait_until("first subscription", SETUP_LIMIT, || subscribed(&fake, DEV))
            .await;

        let mut s = Script::default();
        send_burst(&fake, DEV, &mut s, 15, true).await;
        cli.wait_until("every beat and sample on disk", DISK_LIMIT, || {
            on_disk(&out, &s)
        })
        .await;
        // Still recording: the folder says so.
        assert_eq!(meta_json(&out)["complete"], false, "before Ctrl-C");

        cli.interrupt();
        let (status, took) = cli.wait_exit(EXIT_LIMIT);
        eprintln!("ctrl-c: the recorder exited {took:?} after SIGINT");
        let summary = cli.assert_success(status);
        assert_eq!(summary.stop_reason, "ctrl-c");
        assert_closed_at_the_device(&fake, DEV);
        assert_finalised(&out, &s, &summary, "ctrl-c");
    });
}

#[test]
fn duration_ends_the_recording_by_itself_and_finalises_the_metadata() {
    const DEV: &str = "Polar H10 DURATION";
    const DURATION_S: f64 = 8.0;
    let bus = Bus::start();
    let rt = runtime();
    rt.block_on(async {
        let fake = FakeBluez::start(
            &bus.address,
            vec![DeviceSpec::new(DEV, 0x52, Some(-60), true, true)],
        )
        .await;
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("rec");
        let duration = DURATION_S.to_string();
        let mut cli = Cli::record(
            &bus.address,
            dir.path(),
            DEV,
            &out,
            &["--watchdog", "120", "--duration", &duration],
        );
        cli.wait_until("first subscription", SETUP_LIMIT, || subscribed(&fake, DEV))
            .await;
        let ready = cli.started.elapsed();
        assert!(
            ready.as_secs_f64() < DURATION_S - 3.0,
            "the recorder needed {ready:?} to subscribe, too close to --duration {DURATION_S} \
             for this test to inject its script in time (machine overloaded?)"
        );

        let mut s = Script::default();
        send_burst(&fake, DEV, &mut s, 15, true).await;
        cli.wait_until("every beat and sample on disk", DISK_LIMIT, || {
            on_disk(&out, &s)
        })
        .await;

        // No signal: the child must stop by itself.
        let (status, _) = cli.wait_exit(Duration::from_secs_f64(DURATION_S) + EXIT_LIMIT);
        let ran = cli.started.elapsed();
        eprintln!("duration: the recorder exited {ran:?} after it was started");
        let summary = cli.assert_success(status);
        assert_eq!(summary.stop_reason, "duration");
        assert!(
            summary.duration_s >= DURATION_S && ran.as_secs_f64() >= DURATION_S,
            "stopped before --duration: {} s (process ran {ran:?})",
            summary.duration_s
        );
        assert!(
            summary.duration_s < DURATION_S + 10.0,
            "stopped {} s after --duration",
            summary.duration_s - DURATION_S
        );
        assert_closed_at_the_device(&fake, DEV);
        assert_finalised(&out, &s, &summary, "duration");
    });
}

/// Ctrl-C before any device is found (the strap is off or out of range): the recorder stops
/// scanning, exits 0 at once with stop reason `ctrl-c`, and leaves no recording folder behind
/// (it had nothing to write).
#[test]
fn ctrl_c_while_scanning_stops_cleanly_without_a_folder() {
    let bus = Bus::start();
    let rt = runtime();
    rt.block_on(async {
        // Only a strap that does not match what we ask for.
        let fake = FakeBluez::start(
            &bus.address,
            vec![DeviceSpec::new("Other strap", 0x53, Some(-60), true, false)],
        )
        .await;
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("rec");
        let mut cli = Cli::record(&bus.address, dir.path(), "Polar H10 ABSENT", &out, &[]);
        cli.wait_until("scanning", SETUP_LIMIT, || {
            fake.adapter_calls().iter().any(|c| c == "StartDiscovery")
        })
        .await;
        cli.interrupt();
        let (status, took) = cli.wait_exit(EXIT_LIMIT);
        eprintln!("ctrl-c while scanning: exited {took:?} after SIGINT");
        let summary = cli.assert_success(status);
        assert_eq!(summary.stop_reason, "ctrl-c");
        assert_eq!(summary.beats, 0);
        assert!(summary.device_name.is_none(), "{summary:?}");
        assert!(
            fake.adapter_calls().iter().any(|c| c == "StopDiscovery"),
            "scan not stopped: {:?}",
            fake.adapter_calls()
        );
        assert!(!out.exists(), "a folder without data was left behind");
        assert!(
            took < Duration::from_secs(5),
            "Ctrl-C while scanning took {took:?}"
        );
    });
}

/// The fake BlueZ runs on this runtime (no `DBUS_SYSTEM_BUS_ADDRESS` in this process: the
/// children get it).
fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime")
}

/// The recorder has subscribed to heart rate and PMD data and started the accelerometer.
fn subscribed(fake: &FakeBluez, dev: &str) -> bool {
    fake.with(dev, |c| c.subscribed(1))
}

/// Complete (newline-terminated) lines of a file; 0 when it does not exist yet.
fn lines(path: &Path) -> usize {
    std::fs::read(path)
        .map(|b| b.iter().filter(|&&c| c == b'\n').count())
        .unwrap_or(0)
}

/// Header + one row per scripted beat / acceleration sample are on disk.
fn on_disk(out: &Path, s: &Script) -> bool {
    lines(&out.join("beats.csv")) == 1 + s.rr.len()
        && lines(&out.join("acc.csv")) == 1 + s.acc_g.len()
}

fn meta_json(out: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(out.join("meta.json")).expect("meta.json");
    serde_json::from_str(&text).expect("meta.json is JSON")
}

/// `stress-harness record` as a child process, killed on drop (a failing test never leaves a
/// recorder behind). Its stdout and stderr go to files, so a full pipe can never block it.
struct Cli {
    child: Child,
    started: Instant,
    stdout: PathBuf,
    stderr: PathBuf,
}

impl Cli {
    fn record(bus: &str, dir: &Path, dev: &str, out: &Path, extra: &[&str]) -> Cli {
        let stdout = dir.join("stdout.txt");
        let stderr = dir.join("stderr.txt");
        let child = Command::new(env!("CARGO_BIN_EXE_stress-harness"))
            .args(["record", "--device", dev, "--plain", "--subject", "s01"])
            .arg("--out")
            .arg(out)
            .args(extra)
            .env("DBUS_SYSTEM_BUS_ADDRESS", bus)
            .stdin(Stdio::null())
            .stdout(std::fs::File::create(&stdout).unwrap())
            .stderr(std::fs::File::create(&stderr).unwrap())
            .spawn()
            .expect("spawn stress-harness");
        Cli {
            child,
            started: Instant::now(),
            stdout,
            stderr,
        }
    }

    fn output(&self) -> String {
        format!(
            "--- stdout:\n{}\n--- stderr:\n{}",
            std::fs::read_to_string(&self.stdout).unwrap_or_default(),
            std::fs::read_to_string(&self.stderr).unwrap_or_default()
        )
    }

    /// Poll `cond` every 10 ms until it holds; panic when `limit` passes or the recorder exits
    /// first.
    async fn wait_until(&mut self, what: &str, limit: Duration, mut cond: impl FnMut() -> bool) {
        let t = Instant::now();
        loop {
            if cond() {
                return;
            }
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                panic!(
                    "the recorder exited ({status}) while waiting for {what}\n{}",
                    self.output()
                );
            }
            if t.elapsed() > limit {
                panic!(
                    "timed out after {limit:?} waiting for {what}\n{}",
                    self.output()
                );
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// SIGINT, as Ctrl-C in a terminal delivers it.
    fn interrupt(&self) {
        let pid = libc::pid_t::try_from(self.child.id()).expect("pid fits pid_t");
        // SAFETY: kill(2) on our own child's pid; it has not been waited for, so the pid cannot
        // have been reused.
        let r = unsafe { libc::kill(pid, libc::SIGINT) };
        assert_eq!(r, 0, "kill -INT: {}", std::io::Error::last_os_error());
    }

    /// Wait for the exit; panic (after killing it) when it takes longer than `limit`.
    fn wait_exit(&mut self, limit: Duration) -> (ExitStatus, Duration) {
        let t = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                return (status, t.elapsed());
            }
            if t.elapsed() > limit {
                let _ = self.child.kill();
                let _ = self.child.wait();
                panic!(
                    "the recorder did not exit within {limit:?}\n{}",
                    self.output()
                );
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Exit 0, no panic, and the session summary the CLI prints on stderr.
    fn assert_success(&self, status: ExitStatus) -> RecordSummary {
        let out = self.output();
        assert!(status.success(), "recorder exit status {status}\n{out}");
        assert!(!out.contains("panicked"), "{out}");
        let stderr = std::fs::read_to_string(&self.stderr).unwrap();
        let json = &stderr[stderr
            .find('{')
            .unwrap_or_else(|| panic!("no summary\n{out}"))..];
        serde_json::from_str(json).unwrap_or_else(|e| panic!("summary JSON: {e}\n{out}"))
    }
}

impl Drop for Cli {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The recorder stopped the accelerometer, unsubscribed and disconnected before it exited.
fn assert_closed_at_the_device(fake: &FakeBluez, dev: &str) {
    let (calls, disconnects, connected) = fake.with(dev, |c| {
        (c.calls.clone(), c.client_disconnects, c.connected)
    });
    assert!(
        calls
            .iter()
            .any(|c| c.starts_with("WriteValue Cp [03, 02]")),
        "no PMD stop request: {calls:#?}"
    );
    assert!(
        calls.iter().any(|c| c == "StopNotify Hrm"),
        "heart rate not unsubscribed: {calls:#?}"
    );
    assert_eq!(disconnects, 1, "{calls:#?}");
    assert!(!connected, "still connected: {calls:#?}");
}

/// The folder is finalised and holds exactly the script: meta.json complete with the stop
/// reason, beats/acc/hr as injected, a clean events.csv, and it imports and replays to the
/// indicators the session printed.
fn assert_finalised(out: &Path, s: &Script, summary: &RecordSummary, reason: &str) {
    // meta.json
    let meta = meta_json(out);
    assert_eq!(meta["format"], "stress-harness-recording", "{meta:#}");
    assert_eq!(meta["complete"], true, "{meta:#}");
    assert_eq!(meta["source_format"], "ble-live", "{meta:#}");
    assert_eq!(
        meta["device"],
        summary.device_name.as_deref().unwrap(),
        "{meta:#}"
    );
    assert_eq!(meta["subject_id"], "s01", "{meta:#}");
    assert_eq!(meta["body_location"], "chest", "{meta:#}");
    assert_eq!(meta["acc_rate_hz"], 50.0, "{meta:#}");
    let start = chrono::DateTime::parse_from_rfc3339(meta["start"].as_str().unwrap()).unwrap();
    assert!(start <= chrono::Local::now().fixed_offset());
    let notes: Vec<&str> = meta["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap())
        .collect();
    let stopped = format!("stopped by {reason} after {:.1} s", summary.duration_s);
    assert!(
        notes.iter().any(|n| n.starts_with(&stopped)),
        "{stopped:?} not in {notes:#?}"
    );
    assert!(!out.join("meta.json.tmp").exists());

    // Summary = what was injected, and nothing went wrong on the link.
    assert_eq!(summary.beats, s.rr.len() as u64);
    assert_eq!(summary.acc_samples, s.acc_g.len() as u64);
    assert_eq!(summary.hr_samples, s.hr_count() as u64);
    assert_eq!(
        (summary.gaps, summary.reconnects, summary.watchdog_fired),
        (0, 0, 0)
    );
    assert_eq!(
        (summary.duplicates, summary.lost, summary.undecodable),
        (0, 0, 0)
    );

    // beats.csv / acc.csv exactly the script, in order (and no warnings: complete, no cut line).
    let rec = assert_recording_matches(out, s);
    assert_eq!(rec.hr.len(), s.hr_count());
    assert!(rec
        .hr
        .iter()
        .enumerate()
        .all(|(k, h)| h.bpm == (72 + k % 5) as f64));

    // events.csv: exact header, every row parsed by the strict reader, inside the session, and
    // no link trouble recorded.
    let events = std::fs::read_to_string(out.join("events.csv")).unwrap();
    assert_eq!(events.lines().next(), Some("start_s,end_s,kind,label"));
    assert!(events.ends_with('\n'), "{events:?}");
    assert_eq!(events.lines().count(), 1 + rec.events.len(), "{events}");
    for e in &rec.events {
        assert!(
            0.0 <= e.start_s && e.start_s <= e.end_s && e.end_s <= summary.duration_s,
            "{e:?}"
        );
        assert!(
            !matches!(
                e.kind,
                EventKind::Gap | EventKind::Lost | EventKind::Duplicate | EventKind::Reconnect
            ),
            "{e:?}"
        );
    }

    // The folder imports through the generic entry point and replays to the same numbers.
    let imported = import(out, &ImportOptions::default()).expect("import the recording");
    assert!(imported.warnings.is_empty(), "{:?}", imported.warnings);
    assert_eq!(imported.beats, rec.beats);
    assert_eq!(imported.acc, rec.acc);
    assert_eq!(imported.events, rec.events);
    assert_replays_to(&imported, summary, s);
}

fn assert_replays_to(rec: &Recording, summary: &RecordSummary, s: &Script) {
    let rmssd = summary.indicators.rmssd_ms.expect("RMSSD in the summary");
    assert!(
        (rmssd - naive_rmssd(s)).abs() < 1e-6,
        "{rmssd} vs {}",
        naive_rmssd(s)
    );
    let mut st = replay(rec, Speed::Max, &LiveConfig::default(), &mut NullView).expect("replay");
    // The summary went through JSON: equal up to float printing.
    let replayed = st.indicators_now().values();
    let printed = summary.indicators.values();
    assert_eq!(replayed.len(), printed.len());
    for (i, (a, b)) in replayed.iter().zip(&printed).enumerate() {
        match (a, b) {
            (Some(a), Some(b)) => assert!(
                (a - b).abs() <= 1e-9 * a.abs().max(1.0),
                "indicator #{i}: replay {a} vs session {b}"
            ),
            (a, b) => assert_eq!(a.is_some(), b.is_some(), "indicator #{i}: {a:?} vs {b:?}"),
        }
    }
    assert!(replayed.iter().filter(|v| v.is_some()).count() >= 5);
    assert!(st.snapshot().motion.is_some());
    // The session showed the three profile scores, as the replay does (a session of a few
    // seconds closes no 3-min window: both still wait for the first one).
    assert_eq!(summary.scores, st.snapshot().scores);
    let names: Vec<&str> = summary.scores.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(names, ["watch-like", "ring-like", "tracker-like"]);
}
