//! Integration tests of the practice test (motion, three profiles, daily summaries, confound).
//!
//! The synthetic scenario is generated here (seeded): 50 min desk → 20 min brisk walk (ENMO
//! ≈ 150 mg, HR 120, low RMSSD) → 30 min seated recovery (HR decaying 100 → 80) → 25 min seated
//! mental arithmetic (HR 84, lower RMSSD) → 25 min desk. Segments start on 5-min marks so that
//! every profile's windows line up with them.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::path::PathBuf;
use stress_harness::motion::{MotionLevel, MotionSource};
use stress_harness::profiles::{
    self, Baseline, Category, MotionPolicy, PracticeConfig, ProfileKind, WindowStatus,
};
use stress_harness::recording::{
    AccSeries, Beat, BeatFlags, Event, EventKind, Metadata, Recording,
};
use stress_harness::sources::{import, ImportOptions};

/// (start s, end s, label, HR at start, HR at end, HF amplitude ms, ENMO mg, LF amplitude ms)
type Segment = (f64, f64, &'static str, f64, f64, f64, f64, f64);
const SEGMENTS: [Segment; 5] = [
    (0.0, 3000.0, "desk", 70.0, 70.0, 40.0, 5.0, 40.0),
    (3000.0, 4200.0, "brisk walk", 120.0, 120.0, 4.0, 150.0, 4.0),
    (
        4200.0,
        6000.0,
        "seated recovery",
        100.0,
        80.0,
        14.0,
        5.0,
        20.0,
    ),
    (
        6000.0,
        7500.0,
        "mental arithmetic",
        84.0,
        84.0,
        16.0,
        8.0,
        35.0,
    ),
    (7500.0, 9000.0, "desk", 70.0, 70.0, 40.0, 5.0, 40.0),
];
const WALK: (f64, f64) = (3000.0, 4200.0);

fn segment(t: f64) -> &'static Segment {
    SEGMENTS
        .iter()
        .find(|s| t >= s.0 && t < s.1)
        .unwrap_or(&SEGMENTS[SEGMENTS.len() - 1])
}

fn scenario(with_acc: bool) -> Recording {
    let mut rng = ChaCha8Rng::seed_from_u64(42);
    let mut beats = Vec::new();
    let mut t = 0.0f64;
    let end = SEGMENTS[SEGMENTS.len() - 1].1;
    while t < end {
        let s = segment(t);
        let frac = (t - s.0) / (s.1 - s.0);
        let hr = s.3 + (s.4 - s.3) * frac;
        let hf = s.5 * (2.0 * std::f64::consts::PI * 0.25 * t).sin();
        let lf = s.7 * (2.0 * std::f64::consts::PI * 0.1 * t).sin();
        let noise: f64 = rng.gen_range(-1.0..1.0) * (2.0 + 0.1 * s.5);
        let rr = 60000.0 / hr + hf + lf + noise;
        t += rr / 1000.0;
        beats.push(Beat {
            t_s: t,
            rr_ms: rr,
            flags: BeatFlags::NONE,
        });
    }
    let acc = with_acc.then(|| {
        let mut a = AccSeries {
            rate_hz: 20.0,
            ..Default::default()
        };
        let n = (end * 20.0) as usize;
        for i in 0..n {
            let t = i as f64 / 20.0;
            let s = segment(t);
            // ENMO target s.6 mg: norm = 1 g + target ± a symmetric ripple.
            let ripple = 0.3 * s.6 / 1000.0 * (2.0 * std::f64::consts::PI * 2.0 * t).sin();
            a.push(t, 0.0, 0.0, (1.0 + s.6 / 1000.0 + ripple) as f32);
        }
        a
    });
    let events = SEGMENTS
        .iter()
        .map(|s| Event {
            start_s: s.0,
            end_s: s.1,
            kind: EventKind::Label,
            label: s.2.into(),
        })
        .collect();
    Recording {
        meta: Metadata {
            subject_id: Some("synthetic-01".into()),
            start: chrono::DateTime::parse_from_rfc3339("2026-02-07T09:00:00+01:00").ok(),
            source_format: Some("test-generator".into()),
            ..Default::default()
        },
        beats,
        acc,
        events,
        ..Default::default()
    }
}

fn overlaps(a: (f64, f64), b: (f64, f64)) -> bool {
    a.0 < b.1 && b.0 < a.1
}

fn result() -> profiles::PracticeResult {
    profiles::run(&scenario(true), &PracticeConfig::default())
}

#[test]
fn motion_epochs_follow_the_scenario() {
    let r = result();
    assert_eq!(r.motion.source, MotionSource::Enmo);
    assert!(!r.motion.is_proxy);
    for e in r.motion.series.epochs.iter().filter(|e| e.t_s < 9000.0) {
        let mid = e.t_s + 30.0;
        let expect = if mid >= WALK.0 && mid < WALK.1 {
            MotionLevel::Active
        } else {
            MotionLevel::Still
        };
        assert_eq!(e.level, expect, "epoch at {}", e.t_s);
    }
}

#[test]
fn watch_like_shows_no_score_during_exercise() {
    let r = result();
    let w = r.profile(ProfileKind::Watch).unwrap();
    assert_eq!(w.default_policy, MotionPolicy::Suppress);
    let mut n_ex = 0;
    for win in w
        .windows
        .iter()
        .filter(|x| overlaps((x.start_s, x.end_s), WALK))
    {
        n_ex += 1;
        assert!(win.score.is_none(), "{win:?}");
        assert!(matches!(win.code, Some(-2) | Some(-4)), "{win:?}");
    }
    assert!(n_ex >= 7, "{n_ex} exercise windows");
    // Post-exercise: −4 right after the walk, while HR is still high.
    let first_after = w.windows.iter().find(|x| x.start_s >= WALK.1).unwrap();
    assert_eq!(first_after.code, Some(-4), "{first_after:?}");
    assert!(w.windows.iter().filter(|x| x.code == Some(-4)).count() <= 10);
    // Under policy none the same exercise windows get (high) scores: the mask is the policy.
    let none = w.run(MotionPolicy::None).unwrap();
    for win in none
        .windows
        .iter()
        .filter(|x| x.start_s >= WALK.0 && x.end_s <= WALK.1)
    {
        assert!(win.score.unwrap() >= 76.0, "{win:?}");
        assert!(!win.motion_flag);
    }
    // Flag: scored and flagged.
    let flag = w.run(MotionPolicy::Flag).unwrap();
    assert!(flag
        .windows
        .iter()
        .filter(|x| x.start_s >= WALK.0 && x.end_s <= WALK.1)
        .all(|x| x.score.is_some() && x.motion_flag));
    // Mental stress scores above calm desk work.
    let med = |label: &str| {
        profiles::stats::median(
            w.windows
                .iter()
                .filter(|x| x.label.as_deref() == Some(label))
                .filter_map(|x| x.score),
        )
        .unwrap()
    };
    assert!(med("mental arithmetic") > med("desk") + 20.0);
    assert!(
        !w.calibrated,
        "same-day self-baseline must be marked uncalibrated"
    );
    assert_eq!(
        w.calibration.baseline_source,
        profiles::BaselineSource::SelfSameDay
    );
}

#[test]
fn tracker_like_is_high_and_flagged_during_exercise() {
    let r = result();
    let t = r.profile(ProfileKind::Tracker).unwrap();
    assert_eq!(t.default_policy, MotionPolicy::Flag);
    let ex: Vec<_> = t
        .windows
        .iter()
        .filter(|x| overlaps((x.start_s, x.end_s), WALK))
        .collect();
    assert!(!ex.is_empty(), "a spot must fall in the walk");
    for s in ex {
        assert!(s.score.unwrap() >= 80.0, "{s:?}");
        assert!(s.motion_flag, "{s:?}");
        assert_eq!(s.band.as_deref(), Some("high"));
    }
    // Still spots are not flagged.
    assert!(t
        .windows
        .iter()
        .filter(|x| !overlaps((x.start_s, x.end_s), WALK))
        .all(|x| !x.motion_flag));
    assert!(t.calibrated);
}

#[test]
fn ring_like_is_unscored_in_active_windows() {
    let r = result();
    let g = r.profile(ProfileKind::Ring).unwrap();
    let mut n = 0;
    for w in g.windows.iter() {
        if w.motion.max_level == MotionLevel::Active || overlaps((w.start_s, w.end_s), WALK) {
            n += 1;
            assert!(w.score.is_none(), "{w:?}");
            assert_eq!(w.status, WindowStatus::ExcessMotion);
        }
    }
    assert!(n >= 2);
    let scored = g.windows.iter().filter(|w| w.score.is_some()).count();
    assert!(scored >= 6, "{scored}");
    // Quartile scale: about a quarter stressed by construction.
    let stressed = g
        .windows
        .iter()
        .filter(|w| w.band.as_deref() == Some("stressed"))
        .count();
    assert!(
        stressed >= 1 && stressed * 2 <= scored,
        "{stressed}/{scored}"
    );
    assert!(!g.calibrated);
}

#[test]
fn headline_hours_move_with_the_motion_policy() {
    let r = result();
    let h = |k: ProfileKind, p: MotionPolicy| {
        let d = &r.profile(k).unwrap().daily[0];
        d.by_policy.iter().find(|x| x.policy == p).unwrap().stress_h
    };
    // Watch: suppressing motion removes the exercise windows from "stress".
    assert!(
        h(ProfileKind::Watch, MotionPolicy::None) > h(ProfileKind::Watch, MotionPolicy::Suppress)
    );
    assert_eq!(
        h(ProfileKind::Watch, MotionPolicy::None),
        h(ProfileKind::Watch, MotionPolicy::Flag)
    );
    // Tracker: every motion spot adds 0.5 h unless suppressed.
    assert!(
        h(ProfileKind::Tracker, MotionPolicy::Flag)
            >= h(ProfileKind::Tracker, MotionPolicy::Suppress) + 0.5
    );
    // Ring: relative scale, more scored windows → at least as many stressed hours.
    assert!(
        h(ProfileKind::Ring, MotionPolicy::None) >= h(ProfileKind::Ring, MotionPolicy::Suppress)
    );
    let t = &r.profile(ProfileKind::Tracker).unwrap().daily[0];
    assert!(t.headline.starts_with("You had "), "{}", t.headline);
    assert!(t.breakdown.stress_in_motion_h >= 0.5);
    assert!(t.sensitivity.contains("suppress"));
    let w = &r.profile(ProfileKind::Watch).unwrap().daily[0];
    assert!(w.headline.contains("hours of stress"), "{}", w.headline);
    assert!(w.breakdown.masked_motion_h >= 0.5, "{:?}", w.breakdown);
    assert!(w.breakdown.no_score_share.unwrap() > 0.2);
    // The day is a calendar day (start known).
    assert_eq!(w.label, "2026-02-07");
}

#[test]
fn confound_signs_match_physiology() {
    let r = result();
    let i = &r.confound.indicators;
    assert!(i.rho_motion_hr.unwrap() > 0.0, "{i:?}");
    assert!(i.rho_motion_rmssd.unwrap() < 0.0, "{i:?}");
    assert!(i.rho_motion_si.unwrap() > 0.0, "{i:?}");
    // Tracker under flag: exercise scores higher than mental stress → AUC < 0.5.
    let c = r
        .confound
        .get(ProfileKind::Tracker, MotionPolicy::Flag)
        .unwrap();
    assert!(c.rho_motion_score.unwrap() > 0.0);
    assert!(c.auc_mental_vs_exercise.unwrap() < 0.5, "{c:?}");
    assert!(c.share_high_time_in_motion.unwrap() >= 0.5, "{c:?}");
    // Watch under suppress: no exercise window scored → no AUC, said in words.
    let c = r
        .confound
        .get(ProfileKind::Watch, MotionPolicy::Suppress)
        .unwrap();
    assert_eq!(c.auc_mental_vs_exercise, None);
    assert!(
        c.answer.contains("no exercise window has a score"),
        "{}",
        c.answer
    );
    assert!(c.auc_mental_vs_rest.unwrap() > 0.9, "{c:?}");
    // Watch under none: the active windows score far above the still ones.
    let c = r
        .confound
        .get(ProfileKind::Watch, MotionPolicy::None)
        .unwrap();
    let d = c.median_diff_active_minus_still.unwrap();
    assert!(
        d.value > 40.0 && d.lo <= d.value && d.value <= d.hi,
        "{d:?}"
    );
    let cats: Vec<Category> = c.by_category.iter().map(|x| x.category).collect();
    assert!(cats.contains(&Category::Exercise) && cats.contains(&Category::MentalStress));
}

#[test]
fn result_serialises_and_explains() {
    let r = result();
    let js = serde_json::to_value(&r).unwrap();
    for k in [
        "recording",
        "motion",
        "baseline",
        "profiles",
        "confound",
        "notes",
        "config",
    ] {
        assert!(js.get(k).is_some(), "{k}");
    }
    let md = profiles::explain_all(&PracticeConfig::default());
    for s in [
        "watch-like",
        "ring-like",
        "tracker-like",
        "**assumed**",
        "[V][G5]",
        "[V][O3]",
        "[HRV3]",
    ] {
        assert!(md.contains(s), "{s}");
    }
    for p in &r.profiles {
        assert!(!p.explain.rows.is_empty());
        assert_eq!(p.by_policy.len(), 3);
    }
    // Seeded: two runs give the same result.
    assert_eq!(
        serde_json::to_string(&r).unwrap(),
        serde_json::to_string(&result()).unwrap()
    );
}

#[test]
fn hr_proxy_is_labelled_everywhere() {
    let r = profiles::run(&scenario(false), &PracticeConfig::default());
    assert_eq!(r.motion.source, MotionSource::HrProxy);
    assert!(r.motion.is_proxy && r.confound.motion_is_proxy);
    assert!(r.notes.iter().any(|n| n.contains("PROXY")));
    for p in &r.profiles {
        assert!(p.daily[0].breakdown.motion_source.contains("PROXY"));
    }
    // The walk (HR 120) is detected as activity by the proxy, and watch-like masks it.
    let w = r.profile(ProfileKind::Watch).unwrap();
    assert!(w
        .windows
        .iter()
        .filter(|x| x.start_s >= WALK.0 + 180.0 && x.end_s <= WALK.1)
        .all(|x| x.code == Some(-2)));
}

#[test]
fn user_baseline_calibrates() {
    let cfg = PracticeConfig {
        baseline: Some(
            Baseline::from_json_str(
                r#"{"hr_ref": 70, "sd_hr": 4, "ln_rmssd_ref": 3.5, "sd_ln_rmssd": 0.3}"#,
                std::path::Path::new("b.json"),
            )
            .unwrap(),
        ),
        ..Default::default()
    };
    let r = profiles::run(&scenario(true), &cfg);
    assert!(r.profiles.iter().all(|p| p.calibrated));
    assert_eq!(r.baseline.hr_ref, 70.0);
}

#[test]
fn empty_recording_does_not_panic() {
    let r = profiles::run(&Recording::default(), &PracticeConfig::default());
    assert!(r.profiles.iter().all(|p| p.windows.is_empty()));
    assert_eq!(r.confound.indicators.rho_motion_hr, None);
    serde_json::to_string(&r).unwrap();
}

// ---------------------------------------------------------------------------------------------
// Real data (MMASH). Needs /work/shared; run with `cargo test --release -- --ignored`.

fn shared_dir() -> PathBuf {
    crate::util::shared("datasets")
}

#[test]
#[ignore = "needs the shared MMASH data"]
fn mmash_every_user_gives_finite_statistics() {
    let root = shared_dir().join("datasets/mmash/DataPaper");
    let mut users: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("{}: {e}", root.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("RR.csv").is_file())
        .collect();
    users.sort();
    assert!(
        users.len() >= 12,
        "expected 12 MMASH users in {}",
        root.display()
    );
    let (mut hr_pos, mut rm_neg) = (0, 0);
    let (mut rhos_hr, mut rhos_rm) = (Vec::new(), Vec::new());
    for u in &users {
        let rec = import(u, &ImportOptions::default()).unwrap_or_else(|e| panic!("{e}"));
        assert!(
            rec.beats.len() > 10_000,
            "{}: {} beats",
            u.display(),
            rec.beats.len()
        );
        // MMASH's RR.csv misses 7–10 s every 30–35 s (datasets.md), so clean coverage is ~75 %
        // and the design's 80 % rule rejects most windows: this cohort run uses 60 % and says so.
        let def = profiles::run(&rec, &PracticeConfig::default());
        let valid_def = def.confound.indicators.n;
        assert!(def.notes.iter().any(|n| n.contains("coverage")) || valid_def > 50);
        let mut cfg = PracticeConfig::default();
        cfg.rules.min_coverage = 0.6;
        let r = profiles::run(&rec, &cfg);
        assert_eq!(r.motion.source, MotionSource::Counts);
        let i = &r.confound.indicators;
        let (a, b) = (i.rho_motion_hr.unwrap(), i.rho_motion_rmssd.unwrap());
        assert!(a.is_finite() && b.is_finite() && i.n > 50);
        hr_pos += usize::from(a > 0.0);
        rm_neg += usize::from(b < 0.0);
        rhos_hr.push(a);
        rhos_rm.push(b);
        for c in &r.confound.profiles {
            for v in [c.rho_motion_score, c.share_without_score]
                .into_iter()
                .flatten()
            {
                assert!(v.is_finite(), "{c:?}");
            }
        }
        for p in &r.profiles {
            if p.profile != ProfileKind::Ring {
                assert!(
                    p.windows.iter().any(|w| w.score.is_some()),
                    "{} {}",
                    u.display(),
                    p.name
                );
            }
            for d in &p.daily {
                assert!(d.stress_h.is_finite());
            }
        }
        let ring = r.profile(ProfileKind::Ring).unwrap();
        let ring_scored = ring.windows.iter().filter(|w| w.score.is_some()).count();
        let mut ring_status = std::collections::BTreeMap::new();
        for w in &ring.windows {
            *ring_status.entry(format!("{:?}", w.status)).or_insert(0) += 1;
        }
        let w = &r.profile(ProfileKind::Watch).unwrap().daily;
        let t = &r.profile(ProfileKind::Tracker).unwrap().daily;
        println!(
            "{}: rho(motion,HR) = {a:+.3}, rho(motion,RMSSD) = {b:+.3}, rho(motion,SI) = {:+.3}, n = {} (valid 5-min windows at 80 % coverage: {valid_def}); ring scored windows {ring_scored} {ring_status:?}; watch day1 \"{}\"; tracker day1 \"{}\" ({})",
            u.file_name().unwrap().to_string_lossy(),
            i.rho_motion_si.unwrap_or(f64::NAN),
            i.n,
            w[0].headline,
            t[0].headline,
            t[0].sensitivity,
        );
    }
    let med = |v: &[f64]| profiles::stats::median(v.iter().copied()).unwrap();
    println!(
        "MMASH: rho(motion,HR) > 0 in {hr_pos}/{n} users (median {:+.3}); rho(motion,RMSSD) < 0 in {rm_neg}/{n} users (median {:+.3})",
        med(&rhos_hr),
        med(&rhos_rm),
        n = users.len()
    );
}

#[test]
#[ignore = "needs the shared Stress-Predict data"]
fn stress_predict_every_participant_gives_finite_statistics() {
    let root = shared_dir().join("datasets/stress-predict/Raw_data");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("{}: {e}", root.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("IBI.csv").is_file())
        .collect();
    dirs.sort();
    assert!(
        dirs.len() >= 20,
        "expected 20 participants in {}",
        root.display()
    );
    let mut aucs = Vec::new();
    for d in &dirs {
        let rec = import(d, &ImportOptions::default()).unwrap_or_else(|e| panic!("{e}"));
        let r = profiles::run(&rec, &PracticeConfig::default());
        assert_eq!(r.motion.source, MotionSource::E4Acc, "{}", d.display());
        for c in &r.confound.profiles {
            for v in [
                c.rho_motion_score,
                c.share_without_score,
                c.auc_mental_vs_rest,
            ]
            .into_iter()
            .flatten()
            {
                assert!(v.is_finite(), "{c:?}");
            }
        }
        for v in [
            r.confound.indicators.rho_motion_hr,
            r.confound.indicators.rho_motion_rmssd,
        ]
        .into_iter()
        .flatten()
        {
            assert!(v.is_finite());
        }
        let t = r
            .confound
            .get(ProfileKind::Tracker, MotionPolicy::Flag)
            .unwrap();
        aucs.extend(t.auc_mental_vs_rest);
        println!(
            "{}: labels {}, tracker AUC mental vs rest {:?}, watch scored {}",
            d.file_name().unwrap().to_string_lossy(),
            rec.labels().count(),
            t.auc_mental_vs_rest,
            r.profile(ProfileKind::Watch)
                .unwrap()
                .windows
                .iter()
                .filter(|w| w.score.is_some())
                .count()
        );
        serde_json::to_string(&r).unwrap();
    }
    println!(
        "Stress-Predict: tracker-like AUC mental vs rest in {} participants, median {:?}",
        aucs.len(),
        profiles::stats::median(aucs.iter().copied())
    );
}
