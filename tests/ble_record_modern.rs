//! `ble::record` against the real btleplug stack and a fake BlueZ behaving like current
//! bluetoothd: notify sessions survive link loss and are re-armed by the daemon, StartNotify
//! answers `org.bluez.Error.InProgress` meanwhile. Also: delta-compressed PMD frames scaled by
//! the FACTOR of the start response, and a stream that goes silent without any disconnect
//! (the watchdog must catch it).

#[path = "fake_bluez/mod.rs"]
mod fake_bluez;

use fake_bluez::*;
use std::time::Duration;
use stress_harness::ble::pmd::{decode_acc, DataFrame};
use stress_harness::ble::RecordOptions;
use stress_harness::recording::EventKind;

const DEV: &str = "Polar Sense MODERN";

/// polar-ble-sdk `AccDataTest` "compressed type 0": ts 2 000 000 000 ns, 57 samples.
const SDK_TYPE0: &str = "02 00 94 35 77 00 00 00 00 80 71 07 F0 6A 9E 8D 0A 38 BE 5C BE BA 2F 96 B3 EE 4B E5 AD FB 42 B9 EB BE 4C FE BA 2F 92 BF EE 4B E4 B1 FB 12 B9 EC BD 3C 3E BB 2F 8F D3 DE 4B E3 B5 F7 D2 B8 ED BD 30 7E 7B 2F 8B E3 CE 8B E2 BA F7 A2 B8 EE BC 20 BE 7B 2F 88 F3 CE CB E1 BD EF 52 F8 EF BC 18 FE 3B 2F 84 03 BF CB E0 C2 EF 32 B8 F0 BB 04 4E BC 2E 81 13 AF 0B E0 C6 EF F2 F7 F1 B9 FC 7D BC 2E 7D 27 9F 4B DF CA EB C2 F7 F2 B8 EC CD 7C 2E 7B 37 8F 4B DE CE E3 92 F7 F3 B8 E0 0D FD 2D 77 4B 7F CB DD D2 DF 62 37 F5 B7 D4 4D BD 2D 74 5B 6F CB DC D7 D7 32 37 F6 B5 C8 8D 7D 2D 71 6B 4F 4B DC DC D3 F2 36 F7 B4 BC DD FD 2C 6F 7B 3F 4B DB E0 CF D2 36 F8 B2 B0 2D BE 2C 6C 8F 1F CB DA E3 C7 A2 76 F9";

#[test]
fn record_handles_in_progress_resubscribe_and_silent_streams() {
    isolated(
        "record_handles_in_progress_resubscribe_and_silent_streams",
        std::time::Duration::from_secs(45),
        scenario,
    );
}

#[test]
fn record_reconnects_when_bluez_never_answers_the_link_check() {
    isolated(
        "record_reconnects_when_bluez_never_answers_the_link_check",
        std::time::Duration::from_secs(45),
        unanswered_link_check,
    );
}

/// After a disconnect event the recorder asks BlueZ whether the link is really down
/// (`Device1.Connected`). Here BlueZ never answers that read: the recorder must give up after
/// `call_timeout`, treat the link as lost and reconnect, well before bluez-async's own 30-s
/// D-Bus timeout (which the test's 10-s waits would not survive).
fn unanswered_link_check() {
    let devices = vec![DeviceSpec::new(DEV, 0x22, Some(-61), true, true)];
    with_fake_bluez(devices, |fake| async move {
        fake.with(DEV, |c| c.mode = Resubscribe::AlreadyNotifying);
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("rec");
        let recorder = Recorder::start(RecordOptions {
            call_timeout: Duration::from_millis(800),
            // Longer than the test: only the unanswered link check can end the first link.
            watchdog: Duration::from_secs(60),
            ..record_options(DEV, &out)
        });
        let wait = Duration::from_secs(10);
        fake.wait_for(DEV, "first subscription", Duration::from_secs(20), |c| {
            c.subscribed(1)
        })
        .await;
        let mut s = Script::default();
        send_burst(&fake, DEV, &mut s, 6, true).await;

        fake.with(DEV, |c| c.hold_link_checks = true);
        fake.drop_link(DEV).await;
        s.mark_gap();
        fake.wait_for(
            DEV,
            "reconnect despite the unanswered link check",
            wait,
            |c| c.held_link_checks >= 1 && c.connects == 2,
        )
        .await;
        fake.wait_for(DEV, "resubscribe", wait, |c| c.subscribed(2))
            .await;
        fake.with(DEV, |c| c.hold_link_checks = false);
        send_burst(&fake, DEV, &mut s, 6, true).await;
        let summary = recorder.stop(Duration::from_secs(20)).await;

        let rec = assert_recording_matches(&out, &s);
        let gaps = events_of(&rec, EventKind::Gap);
        assert_eq!(gaps.len(), 1, "{:#?}", rec.events);
        assert!(gaps[0].label.contains("disconnected"), "{:?}", gaps[0]);
        assert_eq!(summary.reconnects, 1);
        assert_eq!(summary.watchdog_fired, 0);
        assert_eq!(summary.stop_reason, "stop");
    });
}

fn scenario() {
    let devices = vec![DeviceSpec::new(DEV, 0x21, Some(-66), true, true)];
    with_fake_bluez(devices, |fake| async move {
        let factor = 2.44e-4f32;
        fake.with(DEV, |c| {
            c.mode = Resubscribe::InProgress;
            c.factor = Some(factor);
        });
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("rec");
        let recorder = Recorder::start(RecordOptions {
            watchdog: Duration::from_millis(1500),
            ..record_options(DEV, &out)
        });
        let long = Duration::from_secs(20);
        fake.wait_for(DEV, "first subscription", long, |c| c.subscribed(1))
            .await;

        let mut s = Script::default();
        // A compressed frame first: the recorder must apply FACTOR from the start response.
        let sdk: Vec<u8> = SDK_TYPE0
            .split_whitespace()
            .map(|b| u8::from_str_radix(b, 16).unwrap())
            .collect();
        let dec = decode_acc(&DataFrame::parse(&sdk).unwrap(), factor).unwrap();
        assert_eq!(dec.mg.len(), 57);
        s.acc_g.extend(dec.mg.iter().map(|v| {
            [
                (v[0] / 1000.0) as f32,
                (v[1] / 1000.0) as f32,
                (v[2] / 1000.0) as f32,
            ]
        }));
        fake.notify(DEV, Char::Data, &sdk).await;
        s.next_ts = 2_000_000_000 + 200_000_000;
        send_burst(&fake, DEV, &mut s, 10, true).await;

        // Link loss; bluetoothd keeps the sessions and re-arms them 200 ms after reconnecting.
        fake.drop_link(DEV).await;
        s.mark_gap();
        fake.wait_for(DEV, "reconnect", long, |c| c.connects == 2)
            .await;
        fake.wait_for(DEV, "re-armed session", long, |c| c.subscribed(2))
            .await;
        send_burst(&fake, DEV, &mut s, 10, true).await;

        // Silence without a disconnect: the watchdog must notice, disconnect and reconnect.
        fake.wait_for(DEV, "watchdog reconnect", long, |c| {
            c.client_disconnects >= 1 && c.connects == 3
        })
        .await;
        s.mark_gap();
        fake.wait_for(DEV, "re-armed after watchdog", long, |c| c.subscribed(3))
            .await;
        send_burst(&fake, DEV, &mut s, 10, true).await;
        let summary = recorder.stop(long).await;

        let calls = fake.with(DEV, |c| c.calls.clone());
        assert!(
            calls
                .iter()
                .any(|c| c.starts_with("StartNotify Hrm -> InProgress")),
            "the re-subscribe hit InProgress: {calls:#?}"
        );
        let rec = assert_recording_matches(&out, &s);
        // Reference sample of the SDK frame: (1905, 27376, −29282) × FACTOR → g.
        let acc = rec.acc.as_ref().unwrap();
        assert!((acc.x[0] - 0.4648).abs() < 1e-3, "{}", acc.x[0]);
        assert!((acc.y[0] - 6.6797).abs() < 1e-3, "{}", acc.y[0]);
        assert!((acc.z[0] + 7.1448).abs() < 1e-3, "{}", acc.z[0]);
        let gaps = events_of(&rec, EventKind::Gap);
        assert_eq!(gaps.len(), 2, "{:#?}", rec.events);
        assert!(gaps[0].label.contains("disconnected"), "{:?}", gaps[0]);
        assert!(gaps[1].label.contains("watchdog"), "{:?}", gaps[1]);
        assert!(gaps.iter().all(|g| g.end_s > g.start_s));
        assert_eq!(events_of(&rec, EventKind::Reconnect).len(), 2);
        assert_eq!(summary.watchdog_fired, 1);
        assert_eq!(summary.reconnects, 2);
        assert_eq!(summary.duplicates, 0);
        assert_eq!(summary.lost, 0);

        let st = assert_replay_matches_live(&rec, &s, &summary);
        assert!(st.snapshot().motion.is_some());
    });
}
