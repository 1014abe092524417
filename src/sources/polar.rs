//! Polar Sensor Logger exports (Android app by Jukka Happonen, built on the Polar BLE SDK).
//!
//! The app writes one `;`-separated text file per stream, named
//! `<Model words>_<device id>_<YYYYMMDD>_<HHMMSS>_<STREAM>.txt`, each with a header row:
//!
//! | Stream | Header | Imported as |
//! |---|---|---|
//! | `RR` | `Phone timestamp;RR-interval [ms]` | beats |
//! | `ACC` | `Phone timestamp;sensor timestamp [ns];X [mg];Y [mg];Z [mg]` | [`AccSeries`] in g (mg / 1000) |
//! | `HR` | `Phone timestamp;HR [bpm];HRV [ms];Breathing interval [rpm];` | [`HrSample`]s (HR column only) |
//! | `PPI` | `Phone timestamp;PP-interval [ms];error estimate [ms];blocker;…` | beats; `blocker` = 1 → `SOURCE_ARTIFACT` |
//!
//! `Phone timestamp` is the phone's clock, ISO 8601 local time without zone
//! (`2024-03-01T10:15:02.123`); a timestamp with an offset (`…+01:00`, `Z`) is also accepted
//! and then gives `meta.start`. Without an offset the absolute start stays empty and the local
//! clock time of t = 0 goes into the notes. Given one file, its sibling streams with the same
//! name prefix are imported too; given a folder, all streams of its single session.
//! The device id in the file name is never stored (only the model, e.g. `Polar H10`).
//!
//! **Beat times** (in this order of preference, decided per file):
//! 1. timestamps that chain as `ts_k − ts_{k−1} = RR_{k−1}` (≥ 80 % of rows within 3 ms) are
//!    interval starts: beat k ends at `ts_k + RR_k`;
//! 2. timestamps that chain as `ts_k − ts_{k−1} = RR_k` are beat times;
//! 3. otherwise timestamps are receipt times of the notification that carried the interval
//!    (several intervals share one): beats are chained by their intervals and anchored on the
//!    least-delayed receipt ([`super::anchor`], receipt clock, break tolerance
//!    [`RECEIPT_GAP_TOL_S`], *assumed*).
//!
//! In cases 1–2 a row that does not chain marks `GAP_BEFORE`.
//!
//! **ACC times**: the sensor clock (ns) gives the spacing; it is placed on the phone clock by
//! the least-delayed sample (min of phone − sensor). Times that go backwards are errors.
//!
//! t = 0 is the earliest data time of the session, truncated to the whole second.

use super::anchor::{self, AnchorParams, ClockKind, ClockedRr};
use super::text::{self, Line};
use super::{warn, ImportOptions};
use crate::error::{Error, Result};
use crate::recording::{AccSeries, Beat, BeatFlags, HrSample, ImportWarning, Metadata, Recording};
use chrono::{DateTime, FixedOffset, NaiveDateTime, Timelike};
use std::path::{Path, PathBuf};

/// Break tolerance for receipt-anchored RR (s), *assumed*: HR notifications arrive about
/// once per second, so receipt delays vary by up to about one beat.
pub const RECEIPT_GAP_TOL_S: f64 = 1.5;
/// Chain tolerance for timestamped RR, s (*assumed*; the app writes ms).
pub const CHAIN_TOL_S: f64 = 0.003;

const STREAMS: [&str; 4] = ["_RR.txt", "_ACC.txt", "_HR.txt", "_PPI.txt"];

/// Polar Sensor Logger files directly inside `dir` (by name).
pub fn files_in_dir(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| Error::io(dir, e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.is_file()
                && p.file_name()
                    .is_some_and(|n| STREAMS.iter().any(|s| n.to_string_lossy().ends_with(s)))
        })
        .collect();
    v.sort();
    Ok(v)
}

fn prefix_of(p: &Path) -> Option<String> {
    let n = p.file_name()?.to_string_lossy().to_string();
    STREAMS
        .iter()
        .find_map(|s| n.strip_suffix(s).map(str::to_string))
}

/// A phone timestamp, either local (no zone) or with an offset.
#[derive(Clone, Copy)]
enum Stamp {
    Local(NaiveDateTime),
    Zoned(DateTime<FixedOffset>),
}

impl Stamp {
    fn naive(self) -> NaiveDateTime {
        match self {
            Stamp::Local(n) => n,
            Stamp::Zoned(z) => z.naive_utc(),
        }
    }
}

fn parse_stamp(path: &Path, l: &Line, s: &str) -> Result<Stamp> {
    let s = s.trim();
    if let Ok(z) = DateTime::parse_from_rfc3339(s) {
        return Ok(Stamp::Zoned(z));
    }
    for f in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f"] {
        if let Ok(n) = NaiveDateTime::parse_from_str(s, f) {
            return Ok(Stamp::Local(n));
        }
    }
    Err(Error::parse(
        path,
        Some(l.no),
        Some(1),
        "a phone timestamp YYYY-MM-DDTHH:MM:SS.sss",
        s,
    ))
}

struct Session {
    base: Option<NaiveDateTime>,
    zone: Option<FixedOffset>,
    local_seen: bool,
}

impl Session {
    /// Seconds since the session's first stamp.
    fn secs(&mut self, st: Stamp) -> f64 {
        match st {
            Stamp::Zoned(z) => self.zone = Some(*z.offset()),
            Stamp::Local(_) => self.local_seen = true,
        }
        let n = st.naive();
        // The base is a whole second so that truncating relative times to whole seconds
        // truncates wall-clock times too.
        let b = *self
            .base
            .get_or_insert_with(|| n.with_nanosecond(0).unwrap_or(n));
        (n - b).num_microseconds().unwrap_or(0) as f64 / 1e6
    }
}

/// Import a Polar Sensor Logger file (with its sibling streams) or a folder of one session.
pub fn import(path: &Path, opts: &ImportOptions) -> Result<Recording> {
    let files: Vec<PathBuf> = if path.is_dir() {
        let all = files_in_dir(path)?;
        let mut prefixes: Vec<String> = all.iter().filter_map(|p| prefix_of(p)).collect();
        prefixes.dedup();
        if prefixes.len() > 1 {
            return Err(Error::format(
                path,
                format!(
                    "{} Polar Sensor Logger sessions in one folder; pass one of their files instead",
                    prefixes.len()
                ),
            ));
        }
        if all.is_empty() {
            return Err(Error::format(
                path,
                "no Polar Sensor Logger file (*_RR.txt, *_ACC.txt, *_HR.txt, *_PPI.txt) in the folder",
            ));
        }
        all
    } else {
        let mut v = vec![path.to_path_buf()];
        if let (Some(pre), Some(dir)) = (prefix_of(path), path.parent()) {
            for s in STREAMS {
                let sib = dir.join(format!("{pre}{s}"));
                if sib != path && sib.is_file() {
                    v.push(sib);
                }
            }
        }
        v
    };

    let mut warnings = Vec::new();
    let mut sess = Session {
        base: None,
        zone: None,
        local_seen: false,
    };
    let mut beats: Vec<Beat> = Vec::new();
    let mut acc: Option<AccSeries> = None;
    let mut hr: Vec<HrSample> = Vec::new();
    let mut notes = Vec::new();
    for f in &files {
        let body = text::read(
            f,
            "a Polar Sensor Logger export (`Phone timestamp;…` header)",
        )?;
        let (head, it) = text::header_and_rows(f, &body, "a header row")?;
        let names: Vec<String> = head.text.split(';').map(|s| s.trim().to_string()).collect();
        let rows: Vec<Line> = it.collect();
        let has = |k: &str| names.iter().position(|n| n.starts_with(k));
        if let Some(c) = has("RR-interval").or_else(|| has("PP-interval")) {
            if !beats.is_empty() {
                warn(
                    &mut warnings,
                    f,
                    None,
                    "a second beat stream in the session was ignored (RR and PPI both present)",
                );
                continue;
            }
            let blocker = has("blocker");
            let (b, note) = read_beats(f, &names, &rows, c, blocker, &mut sess, &mut warnings)?;
            beats = b;
            notes.push(note);
        } else if let (Some(cx), Some(cs)) = (has("X [mg]"), has("sensor timestamp")) {
            acc = Some(read_acc(
                f,
                &names,
                &rows,
                cs,
                cx,
                &mut sess,
                &mut warnings,
            )?);
        } else if let Some(c) = has("HR [bpm]") {
            hr = read_hr(f, &names, &rows, c, &mut sess, &mut warnings)?;
        } else if names.first().is_some_and(|n| n.starts_with("Phone")) {
            warn(
                &mut warnings,
                f,
                Some(head.no),
                format!(
                    "Polar Sensor Logger stream not used by stress-harness (header {:?})",
                    head.text
                ),
            );
        } else {
            return Err(Error::parse(
                f,
                Some(head.no),
                Some(1),
                "a Polar Sensor Logger header starting with `Phone timestamp;` (RR, ACC, HR or PPI stream)",
                head.text,
            ));
        }
    }

    // Shift so that t = 0 is the earliest data time, truncated to the whole second.
    let mut lo = f64::INFINITY;
    if let Some(b) = beats.first() {
        lo = lo.min(b.t_s - b.rr_ms / 1000.0);
    }
    if let Some(a) = acc.as_ref().and_then(|a| a.t_s.first()) {
        lo = lo.min(*a);
    }
    if let Some(h) = hr.first() {
        lo = lo.min(h.t_s);
    }
    let shift = if lo.is_finite() { lo.floor() } else { 0.0 };
    for b in &mut beats {
        b.t_s -= shift;
    }
    if let Some(a) = &mut acc {
        for t in &mut a.t_s {
            *t -= shift;
        }
    }
    for h in &mut hr {
        h.t_s -= shift;
    }
    let t0_naive = sess
        .base
        .map(|b| b + chrono::Duration::milliseconds((shift * 1000.0).round() as i64));
    let start = match (sess.zone, sess.local_seen, t0_naive) {
        (Some(z), false, Some(n)) => Some(DateTime::<FixedOffset>::from_naive_utc_and_offset(n, z)),
        _ => None,
    };
    if start.is_none() {
        if let Some(n) = t0_naive {
            notes.push(format!(
                "t = 0 is phone local time {n} (UTC offset unknown: the export has no zone)"
            ));
        }
    }
    let device = files.first().and_then(|p| {
        let n = p.file_name()?.to_string_lossy().to_string();
        let mut parts = n.split('_');
        match (parts.next(), parts.next()) {
            (Some("Polar"), Some(m)) if m.chars().all(|c| c.is_ascii_alphanumeric()) => {
                Some(format!("Polar {m}"))
            }
            _ => None,
        }
    });
    Ok(Recording {
        meta: Metadata {
            format_version: crate::recording::canonical::FORMAT_VERSION,
            subject_id: opts.subject_id.clone(),
            device,
            start,
            source_path: Some(path.to_path_buf()),
            source_format: Some(super::Format::PolarSensorLogger.name().into()),
            notes,
            ..Default::default()
        },
        beats,
        acc,
        hr,
        warnings,
        ..Default::default()
    })
}

/// Split a row into exactly `n` fields (a trailing empty field from a final `;` is dropped).
fn fields<'a>(path: &Path, l: &Line<'a>, n: usize) -> Result<Vec<&'a str>> {
    let mut f: Vec<&str> = l.text.split(';').collect();
    while f.len() > n && f.last().is_some_and(|s| s.trim().is_empty()) {
        f.pop();
    }
    if f.len() < n {
        // Optional trailing columns (e.g. HRV, breathing) may be missing entirely.
        f.resize(n, "");
    }
    if f.len() != n {
        return Err(Error::parse(
            path,
            Some(l.no),
            Some(n as u64 + 1),
            format!("{n} semicolon-separated fields like the header"),
            l.text,
        ));
    }
    Ok(f)
}

#[allow(clippy::too_many_arguments)]
fn read_beats(
    path: &Path,
    names: &[String],
    rows: &[Line],
    c: usize,
    blocker: Option<usize>,
    sess: &mut Session,
    warnings: &mut Vec<ImportWarning>,
) -> Result<(Vec<Beat>, String)> {
    let n = names.len();
    let mut ts: Vec<f64> = Vec::with_capacity(rows.len());
    let mut rr: Vec<f64> = Vec::with_capacity(rows.len());
    let mut blocked: Vec<bool> = Vec::with_capacity(rows.len());
    let mut lines: Vec<u64> = Vec::with_capacity(rows.len());
    for l in rows {
        let r = (|| -> Result<(Stamp, f64, bool)> {
            let f = fields(path, l, n)?;
            let st = parse_stamp(path, l, f[0])?;
            let v = text::positive_num(
                path,
                l.no,
                c + 1,
                f[c],
                "interval in ms",
                "a positive interval in ms",
            )?;
            let b = match blocker {
                Some(bc) => text::num(path, l.no, bc + 1, f[bc], "blocker flag 0/1")? != 0.0,
                None => false,
            };
            Ok((st, v, b))
        })();
        let Some((st, v, b)) = text::skip_truncated(r, path, l, warnings)? else {
            continue;
        };
        let t = sess.secs(st);
        if let Some(&pt) = ts.last() {
            if t < pt {
                return Err(Error::parse(
                    path,
                    Some(l.no),
                    Some(1),
                    "a phone timestamp not before the previous row's: time must not go backwards",
                    l.text,
                ));
            }
        }
        ts.push(t);
        rr.push(v / 1000.0);
        blocked.push(b);
        lines.push(l.no);
    }
    let n = rr.len();
    let chain_start = (1..n)
        .filter(|&k| ((ts[k] - ts[k - 1]) - rr[k - 1]).abs() <= CHAIN_TOL_S)
        .count();
    let chain_end = (1..n)
        .filter(|&k| ((ts[k] - ts[k - 1]) - rr[k]).abs() <= CHAIN_TOL_S)
        .count();
    let need = (0.8 * (n.saturating_sub(1)) as f64).ceil() as usize;
    let mut beats: Vec<Beat> = Vec::with_capacity(n);
    let note;
    if n > 1 && (chain_start >= need || chain_end >= need) {
        let starts = chain_start >= chain_end;
        note = format!(
            "RR phone timestamps chain exactly: read as interval {} times",
            if starts { "start" } else { "end (beat)" }
        );
        for k in 0..n {
            let mut flags = BeatFlags::NONE;
            if k > 0 {
                let expect = if starts { rr[k - 1] } else { rr[k] };
                if ((ts[k] - ts[k - 1]) - expect).abs() > CHAIN_TOL_S {
                    flags.insert(BeatFlags::GAP_BEFORE);
                }
            }
            let t = if starts { ts[k] + rr[k] } else { ts[k] };
            if let Some(p) = beats.last() {
                if t <= p.t_s {
                    return Err(Error::parse(
                        path,
                        Some(lines[k]),
                        Some(1),
                        "a beat after the previous one: time must not go backwards",
                        format!("{t} s"),
                    ));
                }
            }
            beats.push(Beat {
                t_s: t,
                rr_ms: rr[k] * 1000.0,
                flags,
            });
        }
    } else {
        let rows: Vec<ClockedRr> = (0..n)
            .map(|k| ClockedRr {
                rr_s: rr[k],
                clock_s: ts[k],
            })
            .collect();
        let out = anchor::rebuild(
            &rows,
            &AnchorParams {
                kind: ClockKind::Receipt,
                gap_tol_s: RECEIPT_GAP_TOL_S,
            },
        );
        note = format!(
            "RR phone timestamps are receipt times: beats chained by their intervals and anchored on \
             the least-delayed notification ({} holes, {} overruns, tolerance {RECEIPT_GAP_TOL_S} s)",
            out.breaks.len() - out.overruns,
            out.overruns
        );
        if out.overruns > 0 {
            warn(warnings, path, None, format!("{} times the intervals added up to more than the phone clock elapsed; re-anchored there and flagged GAP_BEFORE", out.overruns));
        }
        beats = out.beats;
    }
    let mut nb = 0;
    for (b, &bl) in beats.iter_mut().zip(&blocked) {
        if bl {
            b.flags.insert(BeatFlags::SOURCE_ARTIFACT);
            nb += 1;
        }
    }
    if nb > 0 {
        warn(
            warnings,
            path,
            None,
            format!("{nb} intervals carry the PPI blocker bit: kept, flagged SOURCE_ARTIFACT"),
        );
    }
    Ok((beats, note))
}

#[allow(clippy::too_many_arguments)]
fn read_acc(
    path: &Path,
    names: &[String],
    rows: &[Line],
    cs: usize,
    cx: usize,
    sess: &mut Session,
    warnings: &mut Vec<ImportWarning>,
) -> Result<AccSeries> {
    let n = names.len();
    let mut phone = Vec::with_capacity(rows.len());
    let mut sensor = Vec::with_capacity(rows.len());
    let mut acc = AccSeries::default();
    let mut prev_text: Option<&str> = None;
    let mut first_ns: Option<i64> = None;
    for l in rows {
        if text::skip_repeated_row(prev_text, path, l, warnings) {
            continue;
        }
        let r = (|| -> Result<(Stamp, i64, [f64; 3])> {
            let f = fields(path, l, n)?;
            let st = parse_stamp(path, l, f[0])?;
            // Integer ns since 2000 are ~6e17: parse as i64 to keep sub-µs precision.
            let s = match f[cs].trim().parse::<i64>() {
                Ok(v) => v,
                Err(_) => text::num(path, l.no, cs + 1, f[cs], "sensor timestamp in ns")? as i64,
            };
            let mut v = [0.0; 3];
            for (i, slot) in v.iter_mut().enumerate() {
                *slot = text::num(
                    path,
                    l.no,
                    cx + i + 1,
                    f.get(cx + i).copied().unwrap_or(""),
                    "acceleration in mg",
                )?;
            }
            Ok((st, s, v))
        })();
        let Some((st, s, v)) = text::skip_truncated(r, path, l, warnings)? else {
            continue;
        };
        let first = *first_ns.get_or_insert(s);
        let s = (s - first) as f64 / 1e9;
        if let Some(&ps) = sensor.last() {
            if s <= ps {
                return Err(Error::parse(
                    path,
                    Some(l.no),
                    Some(cs as u64 + 1),
                    format!("a sensor timestamp after the previous row's (+{ps} s from the first): time must not go backwards"),
                    l.text,
                ));
            }
        }
        phone.push(sess.secs(st));
        sensor.push(s);
        acc.x.push((v[0] / 1000.0) as f32);
        acc.y.push((v[1] / 1000.0) as f32);
        acc.z.push((v[2] / 1000.0) as f32);
        prev_text = Some(l.text);
    }
    let off = phone
        .iter()
        .zip(&sensor)
        .map(|(p, s)| p - s)
        .fold(f64::INFINITY, f64::min);
    acc.t_s = sensor.iter().map(|s| s + off).collect();
    if acc.len() > 1 {
        let mut d: Vec<f64> = acc.t_s.windows(2).map(|w| w[1] - w[0]).collect();
        let m = d.len() / 2;
        let (_, med, _) = d.select_nth_unstable_by(m, |a, b| a.total_cmp(b));
        acc.rate_hz = 1.0 / *med;
    }
    Ok(acc)
}

fn read_hr(
    path: &Path,
    names: &[String],
    rows: &[Line],
    c: usize,
    sess: &mut Session,
    warnings: &mut Vec<ImportWarning>,
) -> Result<Vec<HrSample>> {
    let n = names.len();
    let mut out: Vec<HrSample> = Vec::with_capacity(rows.len());
    for l in rows {
        let r = (|| -> Result<(Stamp, f64)> {
            let f = fields(path, l, n)?;
            Ok((
                parse_stamp(path, l, f[0])?,
                text::num(path, l.no, c + 1, f[c], "heart rate in bpm")?,
            ))
        })();
        let Some((st, bpm)) = text::skip_truncated(r, path, l, warnings)? else {
            continue;
        };
        let t = sess.secs(st);
        if out.last().is_some_and(|h| t < h.t_s) {
            return Err(Error::parse(
                path,
                Some(l.no),
                Some(1),
                "a phone timestamp not before the previous row's: time must not go backwards",
                l.text,
            ));
        }
        out.push(HrSample { t_s: t, bpm });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Write the `stream` file (`RR`, `ACC`, …) of one H10 session into `dir`.
    fn write(dir: &Path, stream: &str, body: &str) -> PathBuf {
        let p = dir.join(format!("Polar_H10_ABCDEF12_20240301_101500_{stream}.txt"));
        std::fs::write(&p, body).unwrap();
        p
    }

    #[test]
    fn chained_interval_start_timestamps_give_exact_beats_and_zone_gives_start() {
        let d = tempfile::tempdir().unwrap();
        // ts_k = ts_{k-1} + RR_{k-1}; one hole before the 4th row
        let p = write(
            d.path(),
            "RR",
            "Phone timestamp;RR-interval [ms]\n\
             2024-03-01T10:15:00.500+01:00;800\n\
             2024-03-01T10:15:01.300+01:00;900\n\
             2024-03-01T10:15:02.200+01:00;850\n\
             2024-03-01T10:15:09.000+01:00;820\n\
             2024-03-01T10:15:09.820+01:00;810\n\
             2024-03-01T10:15:10.630+01:00;800\n",
        );
        let r = import(&p, &ImportOptions::default()).unwrap();
        assert_eq!(r.beats.len(), 6);
        // t = 0 at 10:15:00 local (+01:00); first beat ends at 0.5 + 0.8 s
        assert!((r.beats[0].t_s - 1.3).abs() < 1e-9, "{}", r.beats[0].t_s);
        assert!(r.beats[3].flags.contains(BeatFlags::GAP_BEFORE));
        assert_eq!(
            r.beats
                .iter()
                .filter(|b| b.flags.contains(BeatFlags::GAP_BEFORE))
                .count(),
            1
        );
        assert!(!r.beats[0].flags.contains(BeatFlags::TIME_ESTIMATED));
        assert_eq!(
            r.meta.start.unwrap().to_rfc3339(),
            "2024-03-01T10:15:00+01:00"
        );
        assert_eq!(r.meta.device.as_deref(), Some("Polar H10"));
    }

    #[test]
    fn acc_sensor_clock_going_backwards_is_an_error() {
        let d = tempfile::tempdir().unwrap();
        let p = write(
            d.path(),
            "ACC",
            "Phone timestamp;sensor timestamp [ns];X [mg];Y [mg];Z [mg]\n\
             2024-03-01T10:15:00.500;1000000000;0;0;1000\n\
             2024-03-01T10:15:00.500;1040000000;0;0;1000\n\
             2024-03-01T10:15:00.600;1020000000;0;0;1000\n",
        );
        let e = import(&p, &ImportOptions::default())
            .unwrap_err()
            .to_string();
        assert!(
            e.contains(":4:2") && e.contains("must not go backwards"),
            "{e}"
        );
    }
}
