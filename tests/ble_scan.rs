//! `ble::scan` against the real btleplug stack and a fake BlueZ on a private D-Bus daemon.
//! One test per binary: libdbus reads the bus address once per process.

#[path = "fake_bluez/mod.rs"]
mod fake_bluez;

use fake_bluez::{isolated, with_fake_bluez, DeviceSpec};
use std::time::Duration;
use stress_harness::ble::{scan, ScanOptions};

#[test]
fn scan_lists_heart_rate_and_pmd_devices_with_their_streams() {
    isolated(
        "scan_lists_heart_rate_and_pmd_devices_with_their_streams",
        std::time::Duration::from_secs(45),
        scenario,
    );
}

fn scenario() {
    let devices = vec![
        DeviceSpec::new("Polar H10 1A2B3C4D", 1, Some(-58), true, true),
        DeviceSpec::new("HRM-Dual", 2, Some(-71), true, false),
        DeviceSpec::new("BT Mouse", 3, Some(-40), false, false),
        DeviceSpec::new("Old strap", 4, None, true, false),
    ];
    with_fake_bluez(devices, |fake| async move {
        let found = scan(ScanOptions {
            timeout: Duration::from_millis(600),
            ..Default::default()
        })
        .await
        .expect("scan");
        let names: Vec<_> = found.iter().map(|d| d.name.clone().unwrap()).collect();
        // Post-filtered (no mouse), strongest first, cached device (no RSSI) last.
        assert_eq!(names, ["Polar H10 1A2B3C4D", "HRM-Dual", "Old strap"]);
        let h10 = &found[0];
        assert_eq!(h10.rssi, Some(-58));
        assert!(h10.streams.heart_rate && h10.streams.rr && h10.streams.acceleration);
        assert!(h10.services.iter().any(|s| s == "polar_pmd"), "{h10:?}");
        assert!(h10.id.ends_with("dev_A0_9E_1A_00_00_01"), "{}", h10.id);
        assert!(!found[1].streams.acceleration && found[1].streams.rr);
        assert_eq!(found[2].rssi, None);
        // The filter sent to BlueZ, then discovery started and stopped.
        let calls = fake.adapter_calls();
        let filter = calls
            .iter()
            .find(|c| c.starts_with("SetDiscoveryFilter"))
            .unwrap_or_else(|| panic!("no SetDiscoveryFilter in {calls:?}"));
        assert!(
            filter.contains("0000180d-0000-1000-8000-00805f9b34fb"),
            "{filter}"
        );
        assert!(
            filter.contains("fb005c80-02e7-f387-1cad-8acd2d8df0c8"),
            "{filter}"
        );
        assert!(filter.contains("DuplicateData"), "{filter}");
        assert!(calls.iter().any(|c| c == "StartDiscovery"), "{calls:?}");
        assert!(calls.iter().any(|c| c == "StopDiscovery"), "{calls:?}");
        // JSON for `scan --json`.
        let json = serde_json::to_string(&found).unwrap();
        assert!(json.contains("\"acceleration\":true"), "{json}");
    });
}
