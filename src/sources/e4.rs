//! Empatica E4 session folders (the E4 Connect "session export", as in Stress-Predict
//! `Raw_data/SXX/`).
//!
//! | File | Layout (Empatica `info.txt`) | Imported as |
//! |---|---|---|
//! | `IBI.csv` (**required**) | row 1 `t0, IBI` (t0 = session start, unix UTC s); rows `t,ibi`: beat detected `t` s after t0, interval `ibi` s | beats at `t` (plus the offset of t0 from the recording start), RR = `ibi` × 1000 |
//! | `ACC.csv` | row 1 start ×3, row 2 rate ×3 (32 Hz); rows `x,y,z` in 1/64 g | [`AccSeries`] in g, sample i at start + i / rate |
//! | `HR.csv` | row 1 start, row 2 rate (1 Hz); rows bpm (E4's own average) | [`HrSample`]s |
//! | `tags*.csv` | one unix UTC time per line (button presses) | [`EventKind::Marker`] events `tag 1`, `tag 2`, … |
//!
//! **Time axis**: t = 0 is the `IBI.csv` start (the session start, equal to the ACC start);
//! `meta.start` is that instant with UTC offset 0 (E4 headers are unix UTC). The other files
//! are placed by their own header times.
//!
//! **Dropped beats**: the E4 simply leaves out beats it rejects (mostly during movement).
//! A beat whose time does not chain with the previous one (|(t_k − t_{k−1}) − ibi_k| >
//! 10 ms, *assumed*; the file's times sit on a 1/64-s grid, so intact chains differ by 0) gets
//! [`BeatFlags::GAP_BEFORE`]; holes of [`GAP_EVENT_MIN_S`] or more also become
//! [`EventKind::Gap`] events.
//!
//! **Labels**: `ImportOptions::labels`, or else a `Time_logs_long.csv` found in the folder, its
//! parent or `../../Processed_data/` (the Stress-Predict layout), adds the protocol phases
//! as labels (see [`super::stress_predict`]).

use super::text::{self, Line};
use super::{stress_predict, subject_from_folder, warn, ImportOptions};
use crate::error::{Error, Result};
use crate::recording::{
    AccSeries, Beat, BeatFlags, Event, EventKind, HrSample, ImportWarning, Metadata, Recording,
};
use chrono::{DateTime, FixedOffset, TimeZone, Utc};
use std::path::{Path, PathBuf};

/// Largest chain mismatch (s) still read as consecutive beats (*assumed*).
pub const CHAIN_TOL_S: f64 = 0.010;
/// Holes in the beat series at least this long (s) are also written as Gap events
/// (*assumed*).
pub const GAP_EVENT_MIN_S: f64 = 30.0;
/// Tags further than this (s) outside the data are reported (*assumed*).
pub const TAG_MARGIN_S: f64 = 600.0;
/// ACC unit: 1/64 g (Empatica `info.txt`).
pub const ACC_LSB_G: f64 = 1.0 / 64.0;

const FILES: [&str; 6] = [
    "IBI.csv", "ACC.csv", "HR.csv", "BVP.csv", "EDA.csv", "TEMP.csv",
];

/// True if a file's first line and name look like an E4 session file.
pub fn is_e4_header(first: &str, file_name: &str) -> bool {
    let f: Vec<&str> = first.split(',').map(str::trim).collect();
    let unix = f
        .first()
        .and_then(|s| s.parse::<f64>().ok())
        .is_some_and(|v| v > 1.0e9);
    unix && (f.get(1) == Some(&"IBI") || FILES.contains(&file_name))
}

fn unix_to_dt(path: &Path, line: u64, v: f64) -> Result<DateTime<FixedOffset>> {
    let secs = v.floor();
    let nanos = ((v - secs) * 1e9).round() as u32;
    Utc.timestamp_opt(secs as i64, nanos.min(999_999_999))
        .single()
        .map(|d| d.fixed_offset())
        .ok_or_else(|| {
            Error::parse(
                path,
                Some(line),
                Some(1),
                "a unix time in seconds (UTC)",
                v.to_string(),
            )
        })
}

/// Import an E4 session folder.
pub fn import(dir: &Path, opts: &ImportOptions) -> Result<Recording> {
    let ibi_p = dir.join("IBI.csv");
    if !ibi_p.is_file() {
        return Err(Error::format(
            dir,
            "Empatica E4 session folder lacks IBI.csv (expected IBI.csv, and optionally ACC.csv, \
             HR.csv, tags*.csv)",
        ));
    }
    let mut warnings: Vec<ImportWarning> = Vec::new();
    let mut events: Vec<Event> = Vec::new();

    // IBI
    let body = text::read(&ibi_p, "E4 IBI.csv: header `t0, IBI`, then `t,ibi` rows")?;
    let (head, lines) = text::header_and_rows(&ibi_p, &body, "header `t0, IBI`")?;
    let hf: Vec<&str> = head.text.split(',').map(str::trim).collect();
    let t0 = text::num(&ibi_p, head.no, 1, hf[0], "session start, unix UTC s")?;
    if hf.get(1) != Some(&"IBI") {
        return Err(Error::parse(
            &ibi_p,
            Some(head.no),
            Some(2),
            "header `t0, IBI` (E4 IBI.csv)",
            head.text,
        ));
    }
    let start = unix_to_dt(&ibi_p, head.no, t0)?;
    let mut beats: Vec<Beat> = Vec::new();
    let mut prev: Option<(f64, f64)> = None;
    let mut breaks = 0usize;
    for l in lines {
        let Some((t, ibi)) =
            two_numbers(&ibi_p, &l, &mut warnings, "time since t0 in s", "IBI in s")?
        else {
            continue;
        };
        if ibi <= 0.0 {
            return Err(Error::parse(
                &ibi_p,
                Some(l.no),
                Some(2),
                "a positive interval in s",
                l.text,
            ));
        }
        let mut flags = BeatFlags::NONE;
        if let Some((pt, pi)) = prev {
            if t < pt || (t == pt && ibi != pi) {
                return Err(Error::parse(
                    &ibi_p,
                    Some(l.no),
                    Some(1),
                    format!(
                        "a beat time after the previous one ({pt} s): time must not go backwards"
                    ),
                    l.text,
                ));
            }
            if t == pt {
                warn(
                    &mut warnings,
                    &ibi_p,
                    Some(l.no),
                    format!("skipped a duplicated beat (t = {t} s, ibi = {ibi} s repeats the previous row)"),
                );
                continue;
            }
            if ((t - pt) - ibi).abs() > CHAIN_TOL_S {
                flags.insert(BeatFlags::GAP_BEFORE);
                breaks += 1;
                let hole_start = pt;
                let hole_end = t - ibi;
                if hole_end - hole_start >= GAP_EVENT_MIN_S {
                    events.push(Event {
                        start_s: hole_start,
                        end_s: hole_end,
                        kind: EventKind::Gap,
                        label: "beats dropped by the E4".into(),
                    });
                }
            }
        }
        beats.push(Beat {
            t_s: t,
            rr_ms: ibi * 1000.0,
            flags,
        });
        prev = Some((t, ibi));
    }
    if beats.is_empty() {
        warn(
            &mut warnings,
            &ibi_p,
            None,
            "IBI.csv holds no beat (header only)",
        );
    }

    // ACC
    let acc_p = dir.join("ACC.csv");
    let acc = if acc_p.is_file() {
        Some(read_acc(&acc_p, t0, &mut warnings)?)
    } else {
        warn(
            &mut warnings,
            dir,
            None,
            "no ACC.csv in the E4 folder: the recording has no motion data",
        );
        None
    };

    // HR
    let hr_p = dir.join("HR.csv");
    let hr = if hr_p.is_file() {
        read_hr(&hr_p, t0, &mut warnings)?
    } else {
        warn(
            &mut warnings,
            dir,
            None,
            "no HR.csv in the E4 folder: no device heart rate",
        );
        Vec::new()
    };

    // tags
    let mut tag_files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| Error::io(dir, e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name().is_some_and(|n| {
                let n = n.to_string_lossy();
                n.starts_with("tags") && n.ends_with(".csv")
            })
        })
        .collect();
    tag_files.sort();
    let mut ntag = 0;
    let hi = beats
        .last()
        .map(|b| b.t_s)
        .into_iter()
        .chain(acc.as_ref().and_then(|a| a.t_s.last().copied()))
        .chain(hr.last().map(|h| h.t_s))
        .fold(0.0f64, f64::max);
    for tp in &tag_files {
        let body = match std::fs::read(tp) {
            Ok(b) if b.iter().all(|c| c.is_ascii_whitespace()) => continue, // empty: no presses
            Ok(_) => text::read(tp, "E4 tags: one unix UTC time per line")?,
            Err(e) => return Err(Error::io(tp, e)),
        };
        for l in text::lines(&body) {
            let s = l.text.trim();
            if s.is_empty() {
                continue;
            }
            let v = text::num(
                tp,
                l.no,
                1,
                s.split(',').next().unwrap_or(s),
                "button-press time, unix UTC s",
            )?;
            ntag += 1;
            let t = v - t0;
            if t < -TAG_MARGIN_S || t > hi + TAG_MARGIN_S {
                warn(
                    &mut warnings,
                    tp,
                    Some(l.no),
                    format!(
                        "tag {ntag} lies outside the recorded data (at {:.2} h from the session start, \
                         data 0-{:.2} h); kept as given",
                        t / 3600.0,
                        hi / 3600.0
                    ),
                );
            }
            events.push(Event {
                start_s: v - t0,
                end_s: v - t0,
                kind: EventKind::Marker,
                label: format!("tag {ntag}"),
            });
        }
    }

    let subject = opts.subject_id.clone().or_else(|| subject_from_folder(dir));
    let mut rec = Recording {
        meta: Metadata {
            format_version: crate::recording::canonical::FORMAT_VERSION,
            subject_id: subject,
            device: Some("Empatica E4".into()),
            body_location: Some("wrist".into()),
            start: Some(start),
            source_path: Some(dir.to_path_buf()),
            source_format: Some(super::Format::EmpaticaE4.name().into()),
            notes: vec![
                "t = 0 is the IBI.csv session start (unix UTC, offset +00:00)".into(),
                format!(
                    "{breaks} beats follow a hole (the E4 drops rejected beats); flagged GAP_BEFORE"
                ),
                "RR from PPG (wrist), not ECG".into(),
            ],
        },
        beats,
        acc,
        hr,
        activity: Vec::new(),
        events,
        warnings,
    };

    // Labels
    let labels = match &opts.labels {
        Some(p) => Some(p.clone()),
        None if !opts.no_auto_labels => find_time_logs(dir),
        None => None,
    };
    if let Some(lp) = labels {
        if opts.labels.is_none() {
            rec.meta.notes.push(format!(
                "labels from {} (found next to the E4 folder)",
                lp.display()
            ));
        }
        stress_predict::attach_time_logs(&mut rec, &lp)?;
    }
    rec.events.sort_by(|a, b| a.start_s.total_cmp(&b.start_s));
    Ok(rec)
}

fn find_time_logs(dir: &Path) -> Option<PathBuf> {
    let name = stress_predict::TIME_LOGS_FILE;
    let mut cands = vec![dir.join(name)];
    if let Some(p) = dir.parent() {
        cands.push(p.join(name));
        if let Some(pp) = p.parent() {
            cands.push(pp.join("Processed_data").join(name));
        }
    }
    cands.into_iter().find(|p| p.is_file())
}

/// Parse a `a,b` row; a bad last unterminated line is skipped with a warning (`Ok(None)`).
fn two_numbers(
    path: &Path,
    l: &Line,
    warnings: &mut Vec<ImportWarning>,
    what1: &str,
    what2: &str,
) -> Result<Option<(f64, f64)>> {
    let f: Vec<&str> = l.text.split(',').collect();
    // The message is only built for a bad row (this runs once per beat).
    let count = if f.len() == 2 {
        Ok(())
    } else {
        text::expect_fields(
            path,
            l,
            f.len(),
            2,
            format!("2 comma-separated fields ({what1}, {what2})"),
        )
    };
    let r = count
        .and_then(|()| text::num(path, l.no, 1, f[0], what1))
        .and_then(|a| text::num(path, l.no, 2, f[1], what2).map(|b| (a, b)));
    text::skip_truncated(r, path, l, warnings)
}

/// Read the two E4 header rows (start, rate) with `ncols` columns each.
fn header2(path: &Path, body: &str, ncols: usize) -> Result<(f64, f64, usize)> {
    let mut it = text::lines(body);
    let mut get = |what: &str| -> Result<(Line, Vec<f64>)> {
        let l = it
            .next()
            .ok_or_else(|| Error::parse(path, None, None, what.to_string(), "end of file"))?;
        let f: Vec<&str> = l.text.split(',').collect();
        if f.len() != ncols {
            return Err(Error::parse(
                path,
                Some(l.no),
                None,
                format!("{what} ({ncols} field(s))"),
                l.text,
            ));
        }
        let v = f
            .iter()
            .enumerate()
            .map(|(i, s)| text::num(path, l.no, i + 1, s, what))
            .collect::<Result<Vec<f64>>>()?;
        Ok((l, v))
    };
    let (_, s) = get("the session start, unix UTC s")?;
    let (l2, r) = get("the sample rate in Hz")?;
    if r[0] <= 0.0 {
        return Err(Error::parse(
            path,
            Some(l2.no),
            Some(1),
            "a positive sample rate in Hz",
            l2.text,
        ));
    }
    Ok((s[0], r[0], 2))
}

fn read_acc(path: &Path, t0: f64, warnings: &mut Vec<ImportWarning>) -> Result<AccSeries> {
    let body = text::read(path, "E4 ACC.csv: start, rate, then x,y,z rows in 1/64 g")?;
    let (start, rate, skip) = header2(path, &body, 3)?;
    let n_est = body.len() / 10;
    let mut acc = AccSeries {
        rate_hz: rate,
        t_s: Vec::with_capacity(n_est),
        x: Vec::with_capacity(n_est),
        y: Vec::with_capacity(n_est),
        z: Vec::with_capacity(n_est),
    };
    let off = start - t0;
    let mut i = 0usize;
    for l in text::lines(&body).skip(skip) {
        if l.text.trim().is_empty() {
            continue;
        }
        let mut f = l.text.split(',');
        let parsed = (|| -> Result<[f64; 3]> {
            let mut v = [0.0; 3];
            for (c, slot) in v.iter_mut().enumerate() {
                let s = f.next().ok_or_else(|| {
                    Error::parse(
                        path,
                        Some(l.no),
                        Some(c as u64 + 1),
                        "3 comma-separated fields (x, y, z in 1/64 g)",
                        l.text,
                    )
                })?;
                *slot = text::num(path, l.no, c + 1, s, "acceleration in 1/64 g")?;
            }
            if f.next().is_some() {
                return Err(Error::parse(
                    path,
                    Some(l.no),
                    Some(4),
                    "3 comma-separated fields (x, y, z in 1/64 g)",
                    l.text,
                ));
            }
            Ok(v)
        })();
        if let Some(v) = text::skip_truncated(parsed, path, &l, warnings)? {
            acc.push(
                off + i as f64 / rate,
                (v[0] * ACC_LSB_G) as f32,
                (v[1] * ACC_LSB_G) as f32,
                (v[2] * ACC_LSB_G) as f32,
            );
            i += 1;
        }
    }
    Ok(acc)
}

fn read_hr(path: &Path, t0: f64, warnings: &mut Vec<ImportWarning>) -> Result<Vec<HrSample>> {
    let body = text::read(path, "E4 HR.csv: start, rate, then one bpm per row")?;
    let (start, rate, skip) = header2(path, &body, 1)?;
    let off = start - t0;
    let mut out = Vec::with_capacity(body.len() / 6);
    let mut i = 0usize;
    for l in text::lines(&body).skip(skip) {
        if l.text.trim().is_empty() {
            continue;
        }
        let parsed = text::num(path, l.no, 1, l.text, "heart rate in bpm");
        if let Some(v) = text::skip_truncated(parsed, path, &l, warnings)? {
            out.push(HrSample {
                t_s: off + i as f64 / rate,
                bpm: v,
            });
            i += 1;
        }
    }
    Ok(out)
}
