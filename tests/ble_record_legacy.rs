//! `ble::record` against the real btleplug stack and a fake BlueZ with the OLDER re-subscribe
//! behaviours: (1) GATT objects and notify sessions removed on link loss, (2) sessions kept and
//! `StartNotify` answering "Already notifying". Scripted heart-rate + PMD acceleration traffic,
//! duplicates and a lost PMD frame; the recording on disk must hold exactly what was injected,
//! and replaying it must give the live run's indicator values.

#[path = "fake_bluez/mod.rs"]
mod fake_bluez;

use fake_bluez::*;
use std::time::Duration;
use stress_harness::ble::RecordOptions;
use stress_harness::recording::EventKind;

const DEV: &str = "Polar H10 LEGACY01";

#[test]
fn record_survives_legacy_link_losses_and_writes_exactly_what_was_sent() {
    isolated(
        "record_survives_legacy_link_losses_and_writes_exactly_what_was_sent",
        std::time::Duration::from_secs(45),
        scenario,
    );
}

fn scenario() {
    let devices = vec![
        DeviceSpec::new(DEV, 0x11, Some(-60), true, true),
        DeviceSpec::new("Other strap", 0x12, Some(-50), true, false),
    ];
    with_fake_bluez(devices, |fake| async move {
        fake.with(DEV, |c| {
            c.mode = Resubscribe::Fresh;
            c.fail_connects = 1; // first connection attempt fails: retried
        });
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("rec");
        let recorder = Recorder::start(RecordOptions {
            subject_id: Some("P01".into()),
            watchdog: Duration::from_secs(5),
            // Generous, so that a loaded test machine does not split the D-Bus double delivery.
            duplicate_window: Duration::from_millis(250),
            ..record_options(&DEV.to_lowercase(), &out)
        });
        let long = Duration::from_secs(20);
        let ready = |n: u32| move |c: &Ctl| c.subscribed(n) && c.can_notify(Char::Cp);
        fake.wait_for(DEV, "first subscription", long, ready(1))
            .await;
        let start = fake.with(DEV, |c| c.last_start.clone());
        assert_eq!(
            start,
            [0x02, 0x02, 0x00, 0x01, 0x32, 0x00, 0x01, 0x01, 0x10, 0x00, 0x02, 0x01, 0x08, 0x00]
        );

        let mut s = Script::default();
        send_burst(&fake, DEV, &mut s, 8, true).await;
        // A notification delivered twice by D-Bus: the second copy is dropped.
        let p = s.next_hr();
        fake.notify(DEV, Char::Hrm, &p).await;
        fake.notify(DEV, Char::Hrm, &p).await;
        // A PMD frame repeated, then one lost on the air.
        let f = s.next_acc();
        fake.notify(DEV, Char::Data, &f).await;
        fake.notify(DEV, Char::Data, &f).await;
        s.skip_acc();
        send_burst(&fake, DEV, &mut s, 6, true).await;
        // Link loss right after the last notifications: nothing queued may be lost.
        fake.drop_link(DEV).await;
        s.mark_gap();
        fake.wait_for(DEV, "reconnect 1", long, |c| c.connects == 2)
            .await;
        fake.wait_for(DEV, "resubscribe 1", long, ready(2)).await;
        send_burst(&fake, DEV, &mut s, 10, true).await;

        // Older BlueZ that keeps the session: StartNotify → "Already notifying".
        fake.with(DEV, |c| c.mode = Resubscribe::AlreadyNotifying);
        fake.drop_link(DEV).await;
        s.mark_gap();
        fake.wait_for(DEV, "resubscribe 2", long, ready(3)).await;
        send_burst(&fake, DEV, &mut s, 10, true).await;
        // Let the recorder drain, then stop cleanly.
        let summary = recorder.stop(long).await;

        let calls = fake.with(DEV, |c| c.calls.clone());
        assert!(
            calls.iter().any(|c| c.contains("StartNotify Hrm -> Failed") && c.contains("Already notifying")),
            "{calls:#?}"
        );
        assert_eq!(
            calls.iter().filter(|c| *c == "Connect").count(),
            4,
            "{calls:#?}"
        );
        assert!(calls.iter().any(|c| c == "ReadValue Bsl"));
        assert!(
            calls
                .iter()
                .any(|c| c.starts_with("WriteValue Cp [03, 02]")),
            "ACC stopped at the end: {calls:#?}"
        );

        let rec = assert_recording_matches(&out, &s);
        assert_eq!(rec.meta.subject_id.as_deref(), Some("P01"));
        assert_eq!(rec.meta.device.as_deref(), Some(DEV));
        assert_eq!(rec.meta.body_location.as_deref(), Some("chest"));
        let meta_text = std::fs::read_to_string(out.join("meta.json")).unwrap();
        assert!(
            !meta_text.contains("A0:9E:1A"),
            "no hardware address in the recording"
        );
        assert!(
            !meta_text.contains("A0_9E_1A"),
            "no hardware address in the recording"
        );
        let count = |k: EventKind| events_of(&rec, k).len();
        assert_eq!(count(EventKind::Gap), 2, "{:#?}", rec.events);
        assert_eq!(count(EventKind::Reconnect), 2, "{:#?}", rec.events);
        assert_eq!(count(EventKind::Duplicate), 2, "{:#?}", rec.events);
        assert_eq!(count(EventKind::Lost), 1, "{:#?}", rec.events);
        assert_eq!(
            rec.hr.len(),
            s.hr_count(),
            "one device HR sample per notification"
        );
        assert_eq!(summary.reconnects, 2);
        assert_eq!(summary.gaps, 2);
        assert_eq!(summary.duplicates, 2);
        assert_eq!(summary.beats as usize, s.rr.len());
        assert_eq!(summary.acc_samples as usize, s.acc_g.len());
        assert_eq!(summary.stop_reason, "stop");

        // Replaying the file gives the live run's numbers.
        assert_replay_matches_live(&rec, &s, &summary);
    });
}
