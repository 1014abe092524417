//! The binary end to end (assert_cmd): help, analyze, practice-test on one recording and on a
//! cohort, convert, and clear errors with a non-zero exit on bad input.

use assert_cmd::Command;
use predicates::prelude::*;
use std::path::{Path, PathBuf};

fn bin() -> Command {
    Command::cargo_bin("stress-harness").unwrap()
}

fn scenario() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets/synthetic/scenario")
}

#[test]
fn help_teaches_every_subcommand() {
    let out = bin().arg("--help").assert().success();
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    for sub in [
        "analyze",
        "practice-test",
        "synth",
        "convert",
        "explain",
        "replay",
        "scan",
        "record",
    ] {
        assert!(text.contains(sub), "--help lacks {sub}");
    }
    assert!(text.contains("Examples"));
}

#[test]
fn analyze_writes_one_row_per_window_with_documented_columns() {
    let out = bin()
        .args(["-q", "analyze"])
        .arg(scenario())
        .assert()
        .success();
    let csv = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    for col in [
        "start_s",
        "valid",
        "invalid_reason",
        "rmssd_ms",
        "lf_ms2",
        "sampen",
        "dfa_alpha1",
        "baevsky_si",
    ] {
        assert!(header.contains(&col), "missing {col} in {header:?}");
    }
    let rows: Vec<&str> = lines.collect();
    // 95 min, 5-min windows every 30 s.
    assert!(
        rows.len() >= 170 && rows.len() <= 185,
        "{} rows",
        rows.len()
    );
    assert!(rows.iter().all(|r| r.split(',').count() == header.len()));
}

#[test]
fn analyze_json_has_schema_and_config_echo() {
    let out = bin()
        .args([
            "-q",
            "analyze",
            "--json",
            "--convention",
            "neurokit2",
            "--cleaning",
            "lipponen-tarvainen",
        ])
        .arg(scenario())
        .assert()
        .success();
    let v: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(v["schema_version"], "1");
    assert!(v["config"]["conventions"].is_object());
    assert!(v["windows"].as_array().unwrap().len() > 100);
}

#[test]
fn bad_input_fails_with_file_line_and_expectation() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("rr.txt");
    std::fs::write(&f, "800\n810\nabc\n805\n").unwrap();
    bin()
        .arg("analyze")
        .arg(&f)
        .args(["--rr-unit", "milliseconds"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("rr.txt:3").and(predicate::str::contains("expected")));
    bin()
        .args(["analyze", "/nonexistent/recording"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("/nonexistent/recording"));
}

#[test]
fn practice_test_on_one_recording_and_on_a_cohort() {
    let dir = tempfile::tempdir().unwrap();
    let one = dir.path().join("one");
    bin()
        .args(["-q", "practice-test"])
        .arg(scenario())
        .arg("-o")
        .arg(&one)
        .assert()
        .success();
    for f in [
        "summary.md",
        "summary.json",
        "windows.csv",
        "charts/timeline.png",
        "charts/policies.svg",
    ] {
        assert!(one.join(f).exists(), "{f} missing");
    }
    // A cohort: the scenario and a converted copy of it, in a folder.
    let cohort_in = dir.path().join("in");
    std::fs::create_dir_all(&cohort_in).unwrap();
    bin()
        .args(["-q", "convert"])
        .arg(scenario())
        .arg("-o")
        .arg(cohort_in.join("a"))
        .assert()
        .success();
    bin()
        .args(["-q", "synth", "--seed", "7", "-o"])
        .arg(cohort_in.join("b"))
        .assert()
        .success();
    let out = dir.path().join("cohort");
    bin()
        .args(["-q", "practice-test"])
        .arg(&cohort_in)
        .arg("-o")
        .arg(&out)
        .assert()
        .success();
    let table = std::fs::read_to_string(out.join("cohort.csv")).unwrap();
    assert_eq!(table.lines().count(), 3, "{table}");
    assert!(out.join("a/summary.md").exists() && out.join("b/summary.md").exists());
    assert!(out.join("charts/cohort.png").exists());
}

#[test]
fn replay_runs_the_live_engine_at_full_speed() {
    bin()
        .args(["replay", "--plain"])
        .arg(scenario())
        .assert()
        .success()
        .stdout(predicate::str::contains("RMSSD"));
}

/// `replay --jsonl`: one JSON object per line, a snapshot every `--every` seconds of data,
/// the events of the recording, and a final snapshot with the scores.
#[test]
fn replay_jsonl_is_machine_readable() {
    let out = bin()
        .args(["replay", "--jsonl", "--every", "60"])
        .arg(scenario())
        .assert()
        .success();
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    let objs: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    let snaps = objs.iter().filter(|o| o["kind"] == "snapshot").count();
    // 95 min of data, one snapshot per minute (+ the final one).
    assert!((90..=100).contains(&snaps), "{snaps} snapshots");
    assert!(objs
        .iter()
        .any(|o| o["kind"] == "event" && o["event"] == "label"));
    // Every scored profile window, with its inputs, as practice-test's summary.json has it.
    let scores: Vec<&serde_json::Value> = objs.iter().filter(|o| o["kind"] == "score").collect();
    let of = |p: &str| scores.iter().filter(|o| o["profile"] == p).count();
    // 95 min: 31 whole 3-min windows, 3 tracker spots (:00/:30), ring-like 15-min windows.
    assert!(
        (30..=32).contains(&of("watch")),
        "{} watch-like",
        of("watch")
    );
    assert!(
        (2..=4).contains(&of("tracker")),
        "{} tracker-like",
        of("tracker")
    );
    assert!(of("ring") >= 5, "{} ring-like", of("ring"));
    assert!(scores
        .iter()
        .all(|o| o["window"]["inputs"]["coverage"].is_number()));
    assert!(scores
        .iter()
        .any(|o| o["window"]["status"] == "excess_motion" && o["without_motion_rule"].is_number()));
    let last = objs.last().unwrap();
    assert_eq!(last["final"], true);
    assert!(last["hr_bpm"].as_f64().unwrap() > 40.0);
    assert_eq!(last["scores"].as_array().unwrap().len(), 3);
    bin()
        .args(["replay", "--jsonl", "--every", "0"])
        .arg(scenario())
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "--every must be a positive number",
        ));
}

/// The live view shows the three profile scores: during the scenario's walk the watch-like
/// score is hidden (−2) and the view says what it would have been; the tracker-like spot is
/// flagged; the calibration is stated; `--baseline` and `--no-scores` do what they say.
#[test]
fn replay_shows_profile_scores_and_what_motion_rules_hide() {
    let out = bin()
        .args(["replay", "--plain"])
        .arg(scenario())
        .assert()
        .success();
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(
        text.contains("# scores: watch-/ring-like UNCALIBRATED"),
        "{text}"
    );
    assert!(
        text.contains("watch-like=-2 excess motion (") && text.contains("without the motion rule)"),
        "no hidden watch-like score shown"
    );
    assert!(text.contains("⚑motion"), "no flagged tracker-like spot");
    assert!(
        text.contains("ring-like=no score: collecting baseline ("),
        "ring-like state"
    );

    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().join("baseline.json");
    std::fs::write(
        &base,
        r#"{"hr_ref": 66, "sd_hr": 6, "ln_rmssd_ref": 3.7, "sd_ln_rmssd": 0.3,
            "ring_activation_ref": [-1.2, -0.6, -0.2, 0.1, 0.5, 1.0, 1.6]}"#,
    )
    .unwrap();
    let out = bin()
        .args(["replay", "--plain", "--baseline"])
        .arg(&base)
        .arg(scenario())
        .assert()
        .success();
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(
        text.contains("personal baseline from the user's file"),
        "{text}"
    );
    assert!(
        !text.contains("collecting baseline"),
        "ring-like has a reference"
    );

    bin()
        .args(["replay", "--plain", "--no-scores"])
        .arg(scenario())
        .assert()
        .success()
        .stdout(predicate::str::contains("watch-like").not());

    std::fs::write(
        &base,
        r#"{"hr_ref": 66, "sd_hr": -1, "ln_rmssd_ref": 3.7, "sd_ln_rmssd": 0.3}"#,
    )
    .unwrap();
    bin()
        .args(["replay", "--plain", "--baseline"])
        .arg(&base)
        .arg(scenario())
        .assert()
        .failure()
        .stderr(predicate::str::contains("sd_hr").and(predicate::str::contains("baseline.json")));
}
