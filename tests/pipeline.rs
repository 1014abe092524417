//! Pipeline: cleaning → windows → engine, synthetic recordings and the shipped datasets.

use proptest::prelude::*;
use std::path::{Path, PathBuf};
use stress_harness::cleaning::{clean, CleaningConfig, CleaningMethod, EditAction};
use stress_harness::engine::{analyze, AnalysisConfig, Engine, WindowResult};
use stress_harness::indicators;
use stress_harness::recording::{canonical, Beat, BeatFlags, Recording};
use stress_harness::synth::{self, Scenario, SynthConfig};
use stress_harness::windows;

const METHODS: [CleaningMethod; 4] = [
    CleaningMethod::None,
    CleaningMethod::Range,
    CleaningMethod::MedianRelative,
    CleaningMethod::LipponenTarvainen,
];

/// Batch path: clean the whole series, then window it, then compute indicators.
fn batch_windows(rec: &Recording, cfg: &AnalysisConfig) -> Vec<WindowResult> {
    let c = clean(&rec.beats, &cfg.cleaning);
    windows::batch(&c, &cfg.window, rec.meta.start.as_ref())
        .into_iter()
        .map(|(q, w)| WindowResult {
            quality: q,
            indicators: indicators::compute(&w, &cfg.conventions),
        })
        .collect()
}

/// Streaming path: one beat at a time through the engine.
fn stream_windows(rec: &Recording, cfg: &AnalysisConfig) -> Vec<WindowResult> {
    let mut eng = Engine::new(cfg, rec.meta.start.as_ref()).unwrap();
    let mut out = Vec::new();
    for b in &rec.beats {
        eng.push_beat(*b);
        out.extend(eng.drain_windows());
    }
    eng.finish();
    out.extend(eng.drain_windows());
    out
}

fn same(a: &[WindowResult], b: &[WindowResult]) -> bool {
    // Debug strings compare NaN equal to NaN and every bit of every float otherwise.
    a.len() == b.len() && format!("{a:?}") == format!("{b:?}")
}

fn scenario() -> synth::Synth {
    synth::generate(&SynthConfig::shipped(Scenario::Scenario)).unwrap()
}

#[test]
fn streaming_equals_batch_for_every_method_on_the_scenario() {
    let s = scenario();
    for m in METHODS {
        let cfg = AnalysisConfig {
            cleaning: CleaningConfig::with_method(m),
            ..Default::default()
        };
        let b = batch_windows(&s.recording, &cfg);
        let st = stream_windows(&s.recording, &cfg);
        // 95 min, clock-aligned at 10:00:00: windows start at 0, 30, …, 5370 s (the last
        // beat ends just before 5,700 s).
        assert_eq!(b.len(), 180, "{m:?}");
        assert!(same(&b, &st), "{m:?}: batch and streaming windows differ");
        let a = analyze(&s.recording, &cfg).unwrap();
        assert!(same(&a.windows, &b), "{m:?}: analyze differs");
    }
}

#[test]
fn streaming_equals_batch_with_unaligned_grid_and_odd_windows() {
    let mut s = scenario();
    s.recording.meta.start =
        Some(chrono::DateTime::parse_from_rfc3339("2026-03-03T10:00:07.25+01:00").unwrap());
    for m in METHODS {
        let mut cfg = AnalysisConfig {
            cleaning: CleaningConfig::with_method(m),
            ..Default::default()
        };
        cfg.window.len_s = 120.0;
        cfg.window.step_s = 45.0;
        let b = batch_windows(&s.recording, &cfg);
        assert!(b[0].quality.start_s > 0.0 && (b[0].quality.start_s - 37.75).abs() < 1e-9);
        assert!(same(&b, &stream_windows(&s.recording, &cfg)), "{m:?}");
    }
}

#[test]
fn scenario_windows_show_the_walk_and_the_stress_task() {
    let s = scenario();
    let a = analyze(&s.recording, &AnalysisConfig::default()).unwrap();
    let hr_in = |t0: f64, t1: f64| {
        let v: Vec<f64> = a
            .windows
            .iter()
            .filter(|w| w.quality.start_s >= t0 && w.quality.end_s <= t1 && w.quality.valid)
            .filter_map(|w| w.indicators.mean_hr_bpm)
            .collect();
        assert!(!v.is_empty(), "no valid window in {t0}–{t1}");
        v.iter().sum::<f64>() / v.len() as f64
    };
    let desk = hr_in(0.0, 1800.0);
    let walk = hr_in(2100.0, 3000.0);
    let stress = hr_in(4800.0, 5700.0);
    assert!(walk > desk + 25.0, "walk {walk} desk {desk}");
    assert!(stress > desk + 3.0, "stress {stress} desk {desk}");
    // Every desk window is valid; the cleaner removed the flagged contact-loss beats.
    assert!(a
        .windows
        .iter()
        .filter(|w| w.quality.end_s <= 1800.0)
        .all(|w| w.quality.valid));
    assert!(a.edits.iter().any(|e| e.action == EditAction::Removed));
    assert_eq!(a.cleaning.n_input, s.recording.beats.len());
}

#[test]
fn lipponen_tarvainen_recovers_the_true_series_better_than_removal() {
    let s = scenario();
    let truth = &s.truth.true_rr;
    let true_t: Vec<f64> = truth.iter().map(|b| b.t_s).collect();
    // Share of true beats whose end time is matched (±2 ms) by a cleaned interval end.
    let matched = |c: &stress_harness::cleaning::Cleaned| {
        let mut hit = 0;
        for &t in &true_t {
            let i = c.t_s.partition_point(|&x| x < t - 0.002);
            if i < c.t_s.len() && (c.t_s[i] - t).abs() <= 0.002 {
                hit += 1;
            }
        }
        hit as f64 / true_t.len() as f64
    };
    let lt = clean(
        &s.recording.beats,
        &CleaningConfig::with_method(CleaningMethod::LipponenTarvainen),
    );
    let med = clean(&s.recording.beats, &CleaningConfig::default());
    let raw_artefacts = s.recording.beats.len() as i64 - truth.len() as i64;
    let (m_lt, m_med) = (matched(&lt), matched(&med));
    assert!(m_lt > 0.995, "LT matched {m_lt}");
    assert!(m_med > 0.98, "median matched {m_med}");
    assert!(lt.len() > med.len(), "LT keeps more beats ({raw_artefacts})");
    // LT output has (almost) as many intervals as the truth (contact-loss beats removed).
    let d = (lt.len() as i64 - truth.len() as i64).abs();
    assert!(d < 40, "{} vs {}", lt.len(), truth.len());
}

fn shipped(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("datasets/synthetic")
        .join(name)
}

/// With `STRESS_HARNESS_REGENERATE=1` the shipped folder is rewritten first (then compared).
fn assert_same_tree(a: &Path, b: &Path, s: &synth::Synth) {
    if std::env::var_os("STRESS_HARNESS_REGENERATE").is_some() {
        let _ = std::fs::remove_dir_all(b);
        synth::write(b, s).unwrap();
    }
    let mut files = Vec::new();
    for sub in ["", "truth"] {
        for e in std::fs::read_dir(a.join(sub)).unwrap() {
            let e = e.unwrap();
            if e.file_type().unwrap().is_file() {
                files.push(Path::new(sub).join(e.file_name()));
            }
        }
    }
    files.sort();
    assert!(files.len() >= 6, "{files:?}");
    for f in &files {
        let x = std::fs::read(a.join(f)).unwrap();
        let y = std::fs::read(b.join(f))
            .unwrap_or_else(|e| panic!("{}: {e}", b.join(f).display()));
        assert!(
            x == y,
            "{} differs from the generator output; regenerate with `stress-harness synth`",
            b.join(f).display()
        );
    }
}

#[test]
fn shipped_scenario_is_exactly_what_the_generator_writes() {
    let dir = tempfile::tempdir().unwrap();
    let s = scenario();
    synth::write(dir.path(), &s).unwrap();
    assert_same_tree(dir.path(), &shipped("scenario"), &s);
}

#[test]
fn shipped_day_is_exactly_what_the_generator_writes() {
    let dir = tempfile::tempdir().unwrap();
    let s = synth::generate(&SynthConfig::shipped(Scenario::Day24h)).unwrap();
    synth::write(dir.path(), &s).unwrap();
    assert_same_tree(dir.path(), &shipped("day-24h"), &s);
}

#[test]
fn shipped_scenario_reads_back_as_generated() {
    let s = scenario();
    let r = canonical::read(&shipped("scenario")).unwrap();
    assert_eq!(r.beats, s.recording.beats);
    assert_eq!(r.acc, s.recording.acc);
    assert_eq!(r.events, s.recording.events);
    assert_eq!(r.meta.start, s.recording.meta.start);
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
}

#[test]
fn day_analysis_has_every_window_and_sleep_differs_from_desk() {
    let r = canonical::read(&shipped("day-24h")).unwrap();
    let a = analyze(&r, &AnalysisConfig::default()).unwrap();
    // 24 h from midnight: windows start every 30 s and must end by the last beat.
    assert!(a.windows.len() >= 2865 && a.windows.len() <= 2871, "{}", a.windows.len());
    let valid = a.windows.iter().filter(|w| w.quality.valid).count();
    assert!(valid as f64 > 0.9 * a.windows.len() as f64, "{valid}");
    let mean = |t0: f64, t1: f64| {
        let v: Vec<f64> = a
            .windows
            .iter()
            .filter(|w| w.quality.start_s >= t0 && w.quality.end_s <= t1)
            .filter_map(|w| w.indicators.rmssd_ms)
            .collect();
        v.iter().sum::<f64>() / v.len() as f64
    };
    let sleep = mean(3600.0, 5.0 * 3600.0);
    let desk = mean(14.0 * 3600.0, 16.0 * 3600.0);
    let run = mean(18.0 * 3600.0 + 300.0, 18.0 * 3600.0 + 2400.0);
    assert!(sleep > desk && desk > run, "{sleep} {desk} {run}");
}

fn arb_beats() -> impl Strategy<Value = Vec<Beat>> {
    prop::collection::vec(
        (
            prop_oneof![
                8 => 550.0..1100.0f64,
                1 => 100.0..3000.0f64,
                1 => Just(f64::NAN),
                1 => -5.0..5.0f64,
            ],
            prop_oneof![9 => Just(0.0f64), 1 => -2.0..30.0f64],
            0u8..16,
        ),
        0..400,
    )
    .prop_map(|v| {
        let mut t = 0.0;
        v.into_iter()
            .map(|(rr, jump, fl)| {
                let step = if rr.is_finite() && rr > 0.0 {
                    rr / 1000.0
                } else {
                    0.8
                };
                t += step + jump;
                Beat {
                    t_s: t,
                    rr_ms: rr,
                    flags: BeatFlags(if fl < 12 { 0 } else { fl & 0x0f }),
                }
            })
            .collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn clean_never_panics_output_sorted_lengths_consistent(beats in arb_beats()) {
        for m in METHODS {
            let c = clean(&beats, &CleaningConfig::with_method(m));
            prop_assert_eq!(c.t_s.len(), c.rr_ms.len());
            prop_assert_eq!(c.t_s.len(), c.diff_ok.len());
            prop_assert_eq!(c.t_s.len(), c.corrected.len());
            prop_assert!(c.t_s.windows(2).all(|w| w[0] < w[1]), "{:?} unsorted", m);
            prop_assert!(c.rr_ms.iter().all(|r| r.is_finite() && *r > 0.0));
            prop_assert!(c.edits.iter().all(|e| e.index < beats.len()));
            if m != CleaningMethod::None {
                prop_assert!(c.rr_ms.iter().all(|&r| (300.0..=2000.0).contains(&r)
                    || c.corrected.iter().any(|&x| x)));
            }
            let removed = c.edits.iter().filter(|e| e.action == EditAction::Removed).count();
            let inserted = c.edits.iter().filter(|e| e.action == EditAction::Inserted).count();
            let merged = c.edits.iter().filter(|e| e.action == EditAction::Merged).count();
            prop_assert_eq!(c.len() + removed + merged, beats.len() + inserted);
        }
    }

    #[test]
    fn engine_equals_batch_on_random_input(beats in arb_beats()) {
        let rec = Recording { beats, ..Default::default() };
        for m in METHODS {
            let mut cfg = AnalysisConfig {
                cleaning: CleaningConfig::with_method(m),
                ..Default::default()
            };
            cfg.window.len_s = 60.0;
            cfg.window.step_s = 15.0;
            let b = batch_windows(&rec, &cfg);
            let s = stream_windows(&rec, &cfg);
            prop_assert!(same(&b, &s), "{:?}", m);
        }
    }
}
