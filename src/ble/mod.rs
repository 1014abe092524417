//! Live Bluetooth LE: scan for heart-rate wearables and record them to the canonical format.
//!
//! Built on btleplug 0.13 + tokio. On Linux btleplug talks to BlueZ over D-Bus (libdbus is
//! vendored, so no system development package is needed). The protocol decoders are pure
//! functions ([`heart_rate`], [`pmd`]); [`scan`] and [`record`] drive the real stack.
//!
//! Design rules that follow from btleplug/BlueZ behaviour (see
//! `firmware-notes/timing.md` and the notes they cite):
//! - one notification stream per device, created once before the first `subscribe()` and
//!   kept across reconnects, so values queued at a disconnect are not lost;
//! - `tokio::select!` with `biased;` and the notification branch first;
//! - a data watchdog, because when bluetoothd or D-Bus dies the streams go silent instead of
//!   ending;
//! - `org.bluez.Error.InProgress` (current BlueZ) and `Failed: Already notifying` (older
//!   BlueZ) on re-subscribe after a reconnect mean "already subscribed";
//! - BlueZ merges discovery filters of all clients, so scan results are post-filtered.

pub mod heart_rate;
pub mod pmd;
mod record;
mod scan;

pub use record::{record, RecordOptions, RecordSummary, StopHandle};
pub use scan::{scan, DeviceInfo, ScanOptions, Streams};

use uuid::Uuid;

/// Bluetooth SIG base UUID expansion of a 16-bit UUID.
pub const fn uuid16(short: u16) -> Uuid {
    Uuid::from_u128(((short as u128) << 96) | 0x0000_0000_0000_1000_8000_0080_5f9b_34fb)
}

/// Heart Rate service 0x180D.
pub const HEART_RATE_SERVICE: Uuid = uuid16(0x180D);
/// Heart Rate Measurement 0x2A37 (notify).
pub const HEART_RATE_MEASUREMENT: Uuid = uuid16(0x2A37);
/// Body Sensor Location 0x2A38 (read).
pub const BODY_SENSOR_LOCATION: Uuid = uuid16(0x2A38);
/// Client Characteristic Configuration Descriptor 0x2902.
pub const CCCD: Uuid = uuid16(0x2902);
/// Polar PMD service.
pub const PMD_SERVICE: Uuid = Uuid::from_u128(0xFB005C80_02E7_F387_1CAD_8ACD2D8DF0C8);
/// Polar PMD control point (read / write / indicate).
pub const PMD_CONTROL_POINT: Uuid = Uuid::from_u128(0xFB005C81_02E7_F387_1CAD_8ACD2D8DF0C8);
/// Polar PMD data (notify).
pub const PMD_DATA: Uuid = Uuid::from_u128(0xFB005C82_02E7_F387_1CAD_8ACD2D8DF0C8);

/// Human name of a service UUID we know, e.g. `heart_rate (0x180D)`, else the UUID.
pub fn service_name(u: &Uuid) -> String {
    if *u == HEART_RATE_SERVICE {
        "heart_rate (0x180D)".into()
    } else if *u == PMD_SERVICE {
        "polar_pmd".into()
    } else if *u == uuid16(0x180F) {
        "battery (0x180F)".into()
    } else if *u == uuid16(0x180A) {
        "device_information (0x180A)".into()
    } else if *u == uuid16(0x1814) {
        "running_speed_cadence (0x1814)".into()
    } else {
        u.to_string()
    }
}

pub(crate) fn ble_err(context: &str, e: impl std::fmt::Display) -> crate::Error {
    crate::Error::Ble(format!("{context}: {e}"))
}

/// True when a `subscribe()` error means "already subscribed": current BlueZ answers
/// `org.bluez.Error.InProgress` while it re-registers the notify session it kept across the
/// link loss; older BlueZ answers `org.bluez.Error.Failed: Already notifying`
/// (bluez `src/gatt-client.c` `characteristic_start_notify`).
pub fn is_already_subscribed(e: &btleplug::Error) -> bool {
    let s = format!("{e} {e:?}");
    s.contains("InProgress") || s.contains("In Progress") || s.contains("Already notifying")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuids_expand_from_the_base() {
        assert_eq!(
            HEART_RATE_MEASUREMENT.to_string(),
            "00002a37-0000-1000-8000-00805f9b34fb"
        );
        assert_eq!(PMD_DATA.to_string(), "fb005c82-02e7-f387-1cad-8acd2d8df0c8");
        assert_eq!(service_name(&HEART_RATE_SERVICE), "heart_rate (0x180D)");
    }

    #[test]
    fn resubscribe_errors_are_recognised() {
        let e = btleplug::Error::Other("DbusError(org.bluez.Error.InProgress: In Progress)".into());
        assert!(is_already_subscribed(&e));
        let e = btleplug::Error::Other("org.bluez.Error.Failed: Already notifying".into());
        assert!(is_already_subscribed(&e));
        let e = btleplug::Error::Other("org.bluez.Error.NotConnected".into());
        assert!(!is_already_subscribed(&e));
    }
}
