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

/// Why the first contact with BlueZ failed, judged from the D-Bus error name (btleplug wraps
/// the `dbus::Error`, whose `Debug` form ends with the name, e.g.
/// `(org.freedesktop.DBus.Error.ServiceUnknown)`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BluezProblem {
    /// No D-Bus system bus at the address libdbus uses (no socket, nobody listening, bad
    /// address).
    NoBus,
    /// The bus is there but nobody owns `org.bluez` (bluetoothd not running, not installed,
    /// or its activation failed).
    NoBluez,
    /// The bus refused us (policy).
    AccessDenied,
    /// Anything else.
    Other,
}

pub(crate) fn classify_bluez_error(debug: &str) -> BluezProblem {
    const NO_BUS: [&str; 4] = [
        "org.freedesktop.DBus.Error.FileNotFound",
        "org.freedesktop.DBus.Error.NoServer",
        "org.freedesktop.DBus.Error.BadAddress",
        "org.freedesktop.DBus.Error.Disconnected",
    ];
    const NO_BLUEZ: [&str; 4] = [
        "org.freedesktop.DBus.Error.ServiceUnknown",
        "org.freedesktop.DBus.Error.NameHasNoOwner",
        "org.freedesktop.DBus.Error.Spawn.",
        "org.freedesktop.systemd1.",
    ];
    if NO_BUS.iter().any(|n| debug.contains(n)) {
        BluezProblem::NoBus
    } else if NO_BLUEZ.iter().any(|n| debug.contains(n)) {
        BluezProblem::NoBluez
    } else if debug.contains("org.freedesktop.DBus.Error.AccessDenied") {
        BluezProblem::AccessDenied
    } else {
        BluezProblem::Other
    }
}

/// The system bus address libdbus connects to, and whether it came from
/// `DBUS_SYSTEM_BUS_ADDRESS` (else the vendored libdbus default, `libdbus-sys`
/// `build_vendored.rs`).
fn system_bus_address() -> (String, bool) {
    match std::env::var("DBUS_SYSTEM_BUS_ADDRESS") {
        Ok(a) if !a.is_empty() => (a, true),
        _ => ("unix:path=/run/dbus/system_bus_socket".into(), false),
    }
}

/// Error for a failure to reach BlueZ (`Manager::new`, listing adapters): one paragraph that
/// says what is wrong and what to do, with the underlying D-Bus message in parentheses.
pub(crate) fn bluez_unreachable(context: &str, e: &btleplug::Error) -> crate::Error {
    let detail = e.to_string();
    let (addr, from_env) = system_bus_address();
    let at = if from_env {
        format!("{addr} (set by DBUS_SYSTEM_BUS_ADDRESS)")
    } else {
        addr
    };
    let msg = match classify_bluez_error(&format!("{e:?}")) {
        BluezProblem::NoBus => format!(
            "no D-Bus system bus at {at}: {detail}. Bluetooth LE goes through BlueZ \
             (bluetoothd) on the D-Bus system bus: is dbus running (`systemctl status dbus`)?{}",
            if from_env {
                " Check that DBUS_SYSTEM_BUS_ADDRESS points at a running bus, or unset it."
            } else {
                ""
            }
        ),
        BluezProblem::NoBluez => format!(
            "BlueZ (org.bluez) is not running on the D-Bus system bus at {at}: {detail}. \
             Start the Bluetooth daemon (`sudo systemctl start bluetooth`, or run \
             `bluetoothd`), check that `bluetoothctl list` shows an adapter, then try again."
        ),
        BluezProblem::AccessDenied => format!(
            "the D-Bus system bus at {at} does not let this user talk to BlueZ: {detail}. \
             Check the D-Bus policy for org.bluez (on some systems the user must be in the \
             `bluetooth` group), then try again."
        ),
        BluezProblem::Other => format!("{context}: {detail}"),
    };
    crate::Error::Ble(msg)
}

/// Error when BlueZ answers but lists no adapter.
pub(crate) fn no_adapter_err() -> crate::Error {
    crate::Error::Ble(
        "BlueZ is running but reports no Bluetooth adapter. Plug in or enable one (check \
         `bluetoothctl list` and `rfkill list`; `rfkill unblock bluetooth` if it is blocked), \
         then try again."
            .into(),
    )
}

/// Error for a failed `StartDiscovery`. BlueZ answers `org.bluez.Error.NotReady` ("Resource
/// Not Ready") when the adapter is powered off or soft-blocked: say how to power it on instead
/// of passing the D-Bus text through.
pub(crate) fn scan_start_err(context: &str, e: &btleplug::Error) -> crate::Error {
    if adapter_not_ready(&format!("{e:?} {e}")) {
        crate::Error::Ble(format!(
            "{context}: the Bluetooth adapter is not ready ({e}): it is powered off or blocked. \
             Power it on (`bluetoothctl power on`; `rfkill unblock bluetooth` if `rfkill list` \
             shows it blocked), then try again."
        ))
    } else {
        ble_err(context, e)
    }
}

/// Whether a BlueZ error text means the adapter is off or blocked.
fn adapter_not_ready(text: &str) -> bool {
    text.contains("org.bluez.Error.NotReady") || text.contains("Resource Not Ready")
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
    fn powered_off_adapter_is_recognised() {
        assert!(adapter_not_ready(
            "Other(DbusError(D-Bus error: Resource Not Ready (org.bluez.Error.NotReady)))"
        ));
        assert!(!adapter_not_ready(
            "Other(DbusError(D-Bus error: Operation already in progress (org.bluez.Error.InProgress)))"
        ));
    }

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

    #[test]
    fn bluez_reachability_errors_are_classified_by_dbus_name() {
        let c = |s: &str| classify_bluez_error(s);
        assert_eq!(
            c(
                "Other(DbusError(D-Bus error: Failed to connect to socket /x: No such file or \
               directory (org.freedesktop.DBus.Error.FileNotFound)))"
            ),
            BluezProblem::NoBus
        );
        assert_eq!(
            c("D-Bus error: Connection refused (org.freedesktop.DBus.Error.NoServer)"),
            BluezProblem::NoBus
        );
        assert_eq!(
            c(
                "D-Bus error: The name org.bluez was not provided by any .service files \
               (org.freedesktop.DBus.Error.ServiceUnknown)"
            ),
            BluezProblem::NoBluez
        );
        assert_eq!(
            c("D-Bus error: x (org.freedesktop.DBus.Error.Spawn.ChildExited)"),
            BluezProblem::NoBluez
        );
        assert_eq!(
            c("D-Bus error: x (org.freedesktop.DBus.Error.AccessDenied)"),
            BluezProblem::AccessDenied
        );
        assert_eq!(
            c("D-Bus error: In Progress (org.bluez.Error.InProgress)"),
            BluezProblem::Other
        );
    }
}
