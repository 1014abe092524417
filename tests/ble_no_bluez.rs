//! `stress-harness scan` and `record` on machines where Bluetooth LE cannot work, through the
//! real CLI binary:
//!
//! - no D-Bus system bus at all (`DBUS_SYSTEM_BUS_ADDRESS` names a socket that does not exist:
//!   a container, a minimal server);
//! - a system bus on which nobody owns `org.bluez` (bluetoothd not installed or not running);
//! - a BlueZ that answers but has no adapter (no dongle, driver not loaded);
//! - nonsense time settings (`--timeout inf`, `--duration=-5`, …), which used to panic in
//!   `Duration::from_secs_f64`.
//!
//! Each must end within a bound (a hang fails the test), exit 1, never panic, create no
//! recording folder, and print one error paragraph on stderr that says what is wrong and
//! what to do (the "bad input gets a clear error, never a panic").
//!
//! btleplug only runs in the CLI child processes, each with its own `DBUS_SYSTEM_BUS_ADDRESS`,
//! so the per-process libdbus address cache does not force one binary per case here.

#[path = "fake_bluez/mod.rs"]
mod fake_bluez;

use fake_bluez::Bus;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// No case may take longer than this (they take milliseconds today).
const LIMIT: Duration = Duration::from_secs(30);
const NO_BUS: &str = "unix:path=/nonexistent/bus";

/// What the CLI did.
struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
    took: Duration,
}

/// Run the CLI with `DBUS_SYSTEM_BUS_ADDRESS=bus`; kill it and fail after [`LIMIT`].
fn run(bus: &str, args: &[&str], dir: &Path) -> Run {
    let out_path = dir.join("stdout.txt");
    let err_path = dir.join("stderr.txt");
    let t = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_stress-harness"))
        .args(args)
        .env("DBUS_SYSTEM_BUS_ADDRESS", bus)
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out_path).unwrap())
        .stderr(std::fs::File::create(&err_path).unwrap())
        .spawn()
        .expect("spawn stress-harness");
    let status = loop {
        if let Some(s) = child.try_wait().expect("try_wait") {
            break s;
        }
        if t.elapsed() > LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "`stress-harness {}` still running after {LIMIT:?} (hang); stderr so far:\n{}",
                args.join(" "),
                std::fs::read_to_string(&err_path).unwrap_or_default()
            );
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    Run {
        code: status.code(),
        stdout: std::fs::read_to_string(&out_path).unwrap(),
        stderr: std::fs::read_to_string(&err_path).unwrap(),
        took: t.elapsed(),
    }
}

/// Exit 1, no panic, one `error: …` paragraph containing every one of `want`; returns it.
fn assert_clear_error(r: &Run, what: &str, want: &[&str]) -> String {
    let all = format!("--- stdout:\n{}\n--- stderr:\n{}", r.stdout, r.stderr);
    assert_eq!(r.code, Some(1), "{what}: exit code\n{all}");
    assert!(!all.contains("panicked"), "{what}: panic\n{all}");
    let err = r.stderr.trim_end();
    assert!(err.starts_with("error: "), "{what}: stderr\n{all}");
    assert!(!err.contains('\n'), "{what}: not one paragraph\n{all}");
    for w in want {
        assert!(err.contains(w), "{what}: {w:?} missing from\n{err}");
    }
    eprintln!("{what} ({:?}): {err}", r.took);
    err.to_string()
}

/// `scan` and `record` both fail with the same clear message; `record` creates no folder.
fn scan_and_record_fail_clearly(bus: &str, what: &str, want: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let r = run(bus, &["scan", "--timeout", "2"], dir.path());
    let scan_err = assert_clear_error(&r, &format!("{what}: scan"), want);
    let rec = dir.path().join("rec");
    let r = run(
        bus,
        &[
            "record",
            "--device",
            "Polar H10",
            "--plain",
            "--out",
            rec.to_str().unwrap(),
        ],
        dir.path(),
    );
    let record_err = assert_clear_error(&r, &format!("{what}: record"), want);
    assert_eq!(scan_err, record_err, "{what}: scan and record differ");
    assert!(!rec.exists(), "{what}: record created {}", rec.display());
}

#[test]
fn no_system_bus_is_a_clear_error() {
    scan_and_record_fail_clearly(
        NO_BUS,
        "no bus",
        &[
            "error: bluetooth: no D-Bus system bus at unix:path=/nonexistent/bus",
            "DBUS_SYSTEM_BUS_ADDRESS",
            "is dbus running",
            "BlueZ",
        ],
    );
}

#[test]
fn bus_without_bluez_is_a_clear_error() {
    let bus = Bus::start();
    scan_and_record_fail_clearly(
        &bus.address,
        "bus without BlueZ",
        &[
            "error: bluetooth: BlueZ (org.bluez) is not running on the D-Bus system bus at",
            bus.address.as_str(),
            "bluetoothd",
            "systemctl start bluetooth",
        ],
    );
}

#[test]
fn bluez_without_adapter_is_a_clear_error() {
    let bus = Bus::start();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    // A BlueZ that owns its name and answers GetManagedObjects with nothing: the workers of
    // `rt` serve it while the CLI runs.
    let _bluez = rt.block_on(async {
        let conn = zbus::connection::Builder::address(bus.address.as_str())
            .unwrap()
            .build()
            .await
            .expect("connect to the private bus");
        conn.object_server()
            .at("/", zbus::fdo::ObjectManager)
            .await
            .unwrap();
        conn.request_name("org.bluez").await.unwrap();
        conn
    });
    scan_and_record_fail_clearly(
        &bus.address,
        "BlueZ without adapter",
        &[
            "error: bluetooth: BlueZ is running but reports no Bluetooth adapter",
            "bluetoothctl list",
        ],
    );
}

#[test]
fn nonsense_times_are_errors_not_panics() {
    let dir = tempfile::tempdir().unwrap();
    let rec = dir.path().join("rec");
    let rec = rec.to_str().unwrap();
    let cases: [(&[&str], &str); 6] = [
        (&["scan", "--timeout", "inf"], "--timeout must be a finite"),
        (
            &["scan", "--timeout", "1e30"],
            "--timeout 1e30 s is too long",
        ),
        (
            &["record", "--device", "x", "--out", rec, "--duration=-5"],
            "--duration must be a finite number of seconds ≥ 0, got -5",
        ),
        (
            &["record", "--device", "x", "--out", rec, "--duration", "NaN"],
            "--duration must be a finite",
        ),
        (
            &[
                "record",
                "--device",
                "x",
                "--out",
                rec,
                "--watchdog",
                "1e300",
            ],
            "--watchdog 1e300 s is too long",
        ),
        (
            &["record", "--device", " ", "--out", rec],
            "--device is empty: give a device name or id as printed by `stress-harness scan`",
        ),
    ];
    for (args, want) in cases {
        let r = run(NO_BUS, args, dir.path());
        let err = assert_clear_error(&r, &args.join(" "), &[want]);
        // Rejected before any Bluetooth work.
        assert!(!err.contains("D-Bus"), "{err}");
        assert!(!Path::new(rec).exists());
    }
}
