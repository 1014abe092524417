//! Scan for heart-rate wearables.

use super::{
    ble_err, bluez_unreachable, no_adapter_err, service_name, HEART_RATE_SERVICE, PMD_SERVICE,
};
use crate::error::Result;
use btleplug::api::{Central, CentralEvent, Manager as _, Peripheral as _, ScanFilter};
use btleplug::platform::{Adapter, Manager};
use futures::StreamExt;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::time::Duration;
use uuid::Uuid;

/// Scan settings.
#[derive(Debug, Clone, PartialEq)]
pub struct ScanOptions {
    /// How long to listen for advertisements (default 5 s).
    pub timeout: Duration,
    /// Also list devices that advertise neither the Heart Rate service nor Polar PMD
    /// (default false).
    pub all_devices: bool,
}

impl Default for ScanOptions {
    fn default() -> Self {
        ScanOptions {
            timeout: Duration::from_secs(5),
            all_devices: false,
        }
    }
}

/// What a device can stream, judged from its advertised services.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Streams {
    /// Heart rate over the standard Heart Rate service.
    pub heart_rate: bool,
    /// RR intervals: possible over the Heart Rate service (the RR field is optional; whether a
    /// model sends it is in `firmware-notes/devices.md`).
    pub rr: bool,
    /// Raw acceleration over Polar PMD.
    pub acceleration: bool,
}

/// One device found by [`scan`]. The id contains the hardware address: show it locally,
/// never put it in shared reports.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeviceInfo {
    /// Advertised or cached name.
    pub name: Option<String>,
    /// Platform id to pass to `record --device` (BlueZ: `hci0/dev_XX_XX_…`).
    pub id: String,
    /// Signal strength, dBm. `None` = BlueZ only knows the device from its cache (it may be out
    /// of range).
    pub rssi: Option<i16>,
    /// Advertised services, by name where known.
    pub services: Vec<String>,
    /// What it can stream.
    pub streams: Streams,
}

pub(crate) async fn first_adapter() -> Result<Adapter> {
    // Both steps are the first contact with D-Bus / BlueZ: their failures (no system bus, no
    // bluetoothd) are mapped to a message that says what to do.
    let manager = Manager::new().await.map_err(|e| {
        bluez_unreachable("cannot reach the Bluetooth service (BlueZ over D-Bus)", &e)
    })?;
    manager
        .adapters()
        .await
        .map_err(|e| bluez_unreachable("cannot list Bluetooth adapters", &e))?
        .into_iter()
        .next()
        .ok_or_else(no_adapter_err)
}

pub(crate) fn streams_of(services: &[Uuid]) -> Streams {
    let hr = services.contains(&HEART_RATE_SERVICE);
    Streams {
        heart_rate: hr,
        rr: hr,
        acceleration: services.contains(&PMD_SERVICE),
    }
}

/// Listen for `opts.timeout` and list the devices that advertise the Heart Rate service or
/// Polar PMD (all devices with `all_devices`), strongest signal first.
pub async fn scan(opts: ScanOptions) -> Result<Vec<DeviceInfo>> {
    let adapter = first_adapter().await?;
    // Subscribe before scanning so that no discovery is missed.
    let mut events = adapter
        .events()
        .await
        .map_err(|e| ble_err("cannot listen to adapter events", e))?;
    let filter = if opts.all_devices {
        ScanFilter::default()
    } else {
        ScanFilter {
            services: vec![HEART_RATE_SERVICE, PMD_SERVICE],
        }
    };
    adapter
        .start_scan(filter)
        .await
        .map_err(|e| super::scan_start_err("cannot start scanning", &e))?;
    let mut seen = BTreeSet::new();
    let deadline = tokio::time::sleep(opts.timeout);
    tokio::pin!(deadline);
    loop {
        tokio::select! {
            biased;
            _ = &mut deadline => break,
            ev = events.next() => match ev {
                Some(CentralEvent::DeviceDiscovered(id))
                | Some(CentralEvent::DeviceUpdated(id))
                | Some(CentralEvent::RssiUpdate { id, .. })
                | Some(CentralEvent::ServicesAdvertisement { id, .. }) => {
                    seen.insert(id);
                }
                Some(_) => {}
                None => break,
            },
        }
    }
    let _ = adapter.stop_scan().await;
    let mut out = Vec::new();
    for id in seen {
        let Ok(p) = adapter.peripheral(&id).await else {
            continue;
        };
        let Ok(Some(props)) = p.properties().await else {
            continue;
        };
        // BlueZ merges discovery filters of every client: filter again here.
        let streams = streams_of(&props.services);
        if !opts.all_devices && !streams.heart_rate && !streams.acceleration {
            continue;
        }
        out.push(DeviceInfo {
            name: props.local_name.or(props.advertisement_name),
            id: id.to_string(),
            rssi: props.rssi,
            services: props.services.iter().map(service_name).collect(),
            streams,
        });
    }
    out.sort_by(|a, b| {
        b.rssi
            .unwrap_or(i16::MIN)
            .cmp(&a.rssi.unwrap_or(i16::MIN))
            .then_with(|| a.name.cmp(&b.name))
    });
    Ok(out)
}
