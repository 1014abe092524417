//! The canonical recording format: a folder of CSV files plus `meta.json`.
//!
//! ```text
//! <recording>/
//!   meta.json       format name + version, subject id, device, start (RFC 3339 with offset), …
//!   beats.csv       t_s,rr_ms,flags           one row per RR interval
//!   acc.csv         t_s,x_g,y_g,z_g           raw acceleration (optional)
//!   activity.csv    t_s,dur_s,counts_vm,steps,enmo_mg   per-epoch activity (optional, empty = absent)
//!   hr.csv          t_s,bpm                   device-reported heart rate (optional)
//!   events.csv      start_s,end_s,kind,label  labels, gaps, reconnects (optional)
//! ```
//!
//! Every column and unit is documented in `datasets/README.md`. Files are plain CSV with a
//! header row so that a spreadsheet or pandas reads them unchanged. The [`Writer`] appends
//! row by row and flushes on demand, so the live recorder can crash and still leave a readable
//! recording: `meta.json` is written at creation (with `complete: false`) and rewritten
//! atomically by [`Writer::finish`].

use super::{
    AccSeries, ActivityEpoch, Beat, BeatFlags, Event, EventKind, HrSample, Metadata, Recording,
};
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// Name written in `meta.json` so that the folder is recognised.
pub const FORMAT_NAME: &str = "stress-harness-recording";
/// Current version of the canonical format.
pub const FORMAT_VERSION: u32 = 1;

/// Contents of `meta.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MetaFile {
    /// Always [`FORMAT_NAME`].
    pub format: String,
    /// False while a live recording is still being written (or was interrupted).
    #[serde(default = "yes")]
    pub complete: bool,
    /// Nominal accelerometer rate, Hz, when `acc.csv` exists.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acc_rate_hz: Option<f64>,
    /// Descriptive metadata, including `format_version` (readers refuse versions newer
    /// than [`FORMAT_VERSION`]).
    #[serde(flatten)]
    pub meta: Metadata,
}

fn yes() -> bool {
    true
}

/// True if `dir` looks like a canonical recording (has a `meta.json` naming the format).
pub fn is_canonical(dir: &Path) -> bool {
    let p = dir.join("meta.json");
    std::fs::read_to_string(p)
        .ok()
        .and_then(|s| serde_json::from_str::<serde_json::Value>(&s).ok())
        .and_then(|v| {
            v.get("format")
                .and_then(|f| f.as_str())
                .map(|f| f == FORMAT_NAME)
        })
        .unwrap_or(false)
}

/// Write a whole recording as a canonical folder (created if missing).
pub fn write(dir: &Path, rec: &Recording) -> Result<()> {
    let mut w = Writer::create(dir, &rec.meta, rec.acc.as_ref().map(|a| a.rate_hz))?;
    for b in &rec.beats {
        w.beat(b)?;
    }
    if let Some(acc) = &rec.acc {
        for i in 0..acc.len() {
            w.acc(acc.t_s[i], acc.x[i], acc.y[i], acc.z[i])?;
        }
    }
    for a in &rec.activity {
        w.activity(a)?;
    }
    for h in &rec.hr {
        w.hr(h)?;
    }
    for e in &rec.events {
        w.event(e)?;
    }
    w.finish(&rec.meta)
}

/// Streaming writer for a canonical folder. Rows are buffered; call [`Writer::flush`] after
/// each batch and [`Writer::sync`] periodically to bound what a crash can lose.
pub struct Writer {
    dir: PathBuf,
    acc_rate_hz: Option<f64>,
    beats: Sink,
    acc: Option<Sink>,
    activity: Option<Sink>,
    hr: Sink,
    events: Sink,
}

struct Sink {
    path: PathBuf,
    out: BufWriter<File>,
}

impl Sink {
    fn create(path: PathBuf, header: &str) -> Result<Sink> {
        let f = File::create(&path).map_err(|e| Error::io(&path, e))?;
        let mut out = BufWriter::new(f);
        writeln!(out, "{header}").map_err(|e| Error::io(&path, e))?;
        Ok(Sink { path, out })
    }
    fn line(&mut self, args: std::fmt::Arguments) -> Result<()> {
        self.out
            .write_fmt(args)
            .and_then(|_| self.out.write_all(b"\n"))
            .map_err(|e| Error::io(&self.path, e))
    }
    fn flush(&mut self) -> Result<()> {
        self.out.flush().map_err(|e| Error::io(&self.path, e))
    }
    fn sync(&mut self) -> Result<()> {
        self.flush()?;
        self.out
            .get_ref()
            .sync_data()
            .map_err(|e| Error::io(&self.path, e))
    }
}

fn opt(v: Option<f64>) -> String {
    v.map(|x| x.to_string()).unwrap_or_default()
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

impl Writer {
    /// Create the folder and its files, and write `meta.json` with `complete: false`.
    pub fn create(dir: &Path, meta: &Metadata, acc_rate_hz: Option<f64>) -> Result<Writer> {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        let w = Writer {
            dir: dir.to_path_buf(),
            acc_rate_hz,
            beats: Sink::create(dir.join("beats.csv"), "t_s,rr_ms,flags")?,
            acc: match acc_rate_hz {
                Some(_) => Some(Sink::create(dir.join("acc.csv"), "t_s,x_g,y_g,z_g")?),
                None => None,
            },
            activity: None,
            hr: Sink::create(dir.join("hr.csv"), "t_s,bpm")?,
            events: Sink::create(dir.join("events.csv"), "start_s,end_s,kind,label")?,
        };
        w.write_meta(meta, false)?;
        Ok(w)
    }

    fn write_meta(&self, meta: &Metadata, complete: bool) -> Result<()> {
        let mut meta = meta.clone();
        meta.format_version = FORMAT_VERSION;
        let mf = MetaFile {
            format: FORMAT_NAME.into(),
            complete,
            acc_rate_hz: self.acc_rate_hz,
            meta,
        };
        let path = self.dir.join("meta.json");
        let tmp = self.dir.join("meta.json.tmp");
        let text = serde_json::to_string_pretty(&mf).expect("metadata serialises");
        std::fs::write(&tmp, text + "\n").map_err(|e| Error::io(&tmp, e))?;
        std::fs::rename(&tmp, &path).map_err(|e| Error::io(&path, e))
    }

    /// Append one beat.
    pub fn beat(&mut self, b: &Beat) -> Result<()> {
        self.beats
            .line(format_args!("{},{},{}", b.t_s, b.rr_ms, b.flags.0))
    }
    /// Append one acceleration sample (g). Creates `acc.csv` on first use.
    pub fn acc(&mut self, t_s: f64, x: f32, y: f32, z: f32) -> Result<()> {
        if self.acc.is_none() {
            self.acc = Some(Sink::create(self.dir.join("acc.csv"), "t_s,x_g,y_g,z_g")?);
        }
        let s = self.acc.as_mut().expect("just created");
        s.line(format_args!("{t_s},{x},{y},{z}"))
    }
    /// Append one activity epoch. Creates `activity.csv` on first use.
    pub fn activity(&mut self, a: &ActivityEpoch) -> Result<()> {
        if self.activity.is_none() {
            self.activity = Some(Sink::create(
                self.dir.join("activity.csv"),
                "t_s,dur_s,counts_vm,steps,enmo_mg",
            )?);
        }
        let s = self.activity.as_mut().expect("just created");
        s.line(format_args!(
            "{},{},{},{},{}",
            a.t_s,
            a.dur_s,
            opt(a.counts_vm),
            opt(a.steps),
            opt(a.enmo_mg)
        ))
    }
    /// Append one device heart-rate sample.
    pub fn hr(&mut self, h: &HrSample) -> Result<()> {
        self.hr.line(format_args!("{},{}", h.t_s, h.bpm))
    }
    /// Append one event.
    pub fn event(&mut self, e: &Event) -> Result<()> {
        let kind = serde_json::to_value(e.kind).expect("kind serialises");
        self.events.line(format_args!(
            "{},{},{},{}",
            e.start_s,
            e.end_s,
            kind.as_str().unwrap_or("note"),
            csv_field(&e.label)
        ))
    }
    /// Flush buffered rows to the OS.
    pub fn flush(&mut self) -> Result<()> {
        self.beats.flush()?;
        if let Some(a) = &mut self.acc {
            a.flush()?;
        }
        if let Some(a) = &mut self.activity {
            a.flush()?;
        }
        self.hr.flush()?;
        self.events.flush()
    }
    /// Flush and ask the OS to write the data to disk (fsync).
    pub fn sync(&mut self) -> Result<()> {
        self.beats.sync()?;
        if let Some(a) = &mut self.acc {
            a.sync()?;
        }
        if let Some(a) = &mut self.activity {
            a.sync()?;
        }
        self.hr.sync()?;
        self.events.sync()
    }
    /// Flush, sync and rewrite `meta.json` with `complete: true`.
    pub fn finish(mut self, meta: &Metadata) -> Result<()> {
        self.sync()?;
        self.write_meta(meta, true)
    }
}

/// Read a canonical folder.
pub fn read(dir: &Path) -> Result<Recording> {
    let meta_path = dir.join("meta.json");
    let text = std::fs::read_to_string(&meta_path).map_err(|e| Error::io(&meta_path, e))?;
    let mf: MetaFile = serde_json::from_str(&text).map_err(|e| {
        Error::parse(
            &meta_path,
            Some(e.line() as u64),
            Some(e.column() as u64),
            "a stress-harness meta.json object",
            e.to_string(),
        )
    })?;
    if mf.format != FORMAT_NAME {
        return Err(Error::format(
            &meta_path,
            format!("format is {:?}, expected {FORMAT_NAME:?}", mf.format),
        ));
    }
    if mf.meta.format_version > FORMAT_VERSION {
        return Err(Error::format(
            &meta_path,
            format!(
                "format_version {} is newer than this tool reads ({FORMAT_VERSION})",
                mf.meta.format_version
            ),
        ));
    }
    let mut rec = Recording {
        meta: mf.meta,
        ..Default::default()
    };
    if !mf.complete {
        rec.warnings.push(crate::recording::ImportWarning {
            path: Some(meta_path.clone()),
            line: None,
            message: "recording is marked incomplete (interrupted live session?); reading what was written".into(),
        });
    }
    let beats = dir.join("beats.csv");
    if !beats.exists() {
        return Err(Error::format(dir, "canonical recording lacks beats.csv"));
    }
    let mut last_t = f64::NEG_INFINITY;
    read_rows(
        &beats,
        &["t_s", "rr_ms", "flags"],
        &mut rec.warnings,
        |line, f| {
            let t = num(&beats, line, 1, f[0], "time in s")?;
            let rr = num(&beats, line, 2, f[1], "RR interval in ms")?;
            if rr <= 0.0 {
                return Err(Error::parse(
                    &beats,
                    Some(line),
                    Some(2),
                    "a positive RR interval in ms",
                    f[1],
                ));
            }
            if t < last_t {
                return Err(Error::parse(
                    &beats,
                    Some(line),
                    Some(1),
                    format!("time not before the previous beat ({last_t} s)"),
                    f[0],
                ));
            }
            last_t = t;
            let flags = if f[2].trim().is_empty() {
                0
            } else {
                f[2].trim().parse::<u8>().map_err(|_| {
                    Error::parse(
                        &beats,
                        Some(line),
                        Some(3),
                        "flags as an integer 0-255",
                        f[2],
                    )
                })?
            };
            rec.beats.push(Beat {
                t_s: t,
                rr_ms: rr,
                flags: BeatFlags(flags),
            });
            Ok(())
        },
    )?;
    let acc_p = dir.join("acc.csv");
    if acc_p.exists() {
        let mut acc = AccSeries {
            rate_hz: mf.acc_rate_hz.unwrap_or(f64::NAN),
            ..Default::default()
        };
        read_rows(
            &acc_p,
            &["t_s", "x_g", "y_g", "z_g"],
            &mut rec.warnings,
            |line, f| {
                let t = num(&acc_p, line, 1, f[0], "time in s")?;
                let x = num(&acc_p, line, 2, f[1], "acceleration in g")? as f32;
                let y = num(&acc_p, line, 3, f[2], "acceleration in g")? as f32;
                let z = num(&acc_p, line, 4, f[3], "acceleration in g")? as f32;
                acc.push(t, x, y, z);
                Ok(())
            },
        )?;
        if !acc.is_empty() {
            if acc.rate_hz.is_nan() && acc.len() > 1 {
                let span = acc.t_s[acc.len() - 1] - acc.t_s[0];
                acc.rate_hz = (acc.len() - 1) as f64 / span;
            }
            rec.acc = Some(acc);
        }
    }
    let act_p = dir.join("activity.csv");
    if act_p.exists() {
        read_rows(
            &act_p,
            &["t_s", "dur_s", "counts_vm", "steps", "enmo_mg"],
            &mut rec.warnings,
            |line, f| {
                rec.activity.push(ActivityEpoch {
                    t_s: num(&act_p, line, 1, f[0], "time in s")?,
                    dur_s: num(&act_p, line, 2, f[1], "epoch length in s")?,
                    counts_vm: opt_num(&act_p, line, 3, f[2], "activity counts")?,
                    steps: opt_num(&act_p, line, 4, f[3], "steps")?,
                    enmo_mg: opt_num(&act_p, line, 5, f[4], "ENMO in mg")?,
                });
                Ok(())
            },
        )?;
    }
    let hr_p = dir.join("hr.csv");
    if hr_p.exists() {
        read_rows(&hr_p, &["t_s", "bpm"], &mut rec.warnings, |line, f| {
            rec.hr.push(HrSample {
                t_s: num(&hr_p, line, 1, f[0], "time in s")?,
                bpm: num(&hr_p, line, 2, f[1], "heart rate in bpm")?,
            });
            Ok(())
        })?;
    }
    let ev_p = dir.join("events.csv");
    if ev_p.exists() {
        read_rows(
            &ev_p,
            &["start_s", "end_s", "kind", "label"],
            &mut rec.warnings,
            |line, f| {
                let kind: EventKind =
                    serde_json::from_value(serde_json::Value::String(f[2].trim().to_string()))
                        .map_err(|_| {
                            Error::parse(
                        &ev_p,
                        Some(line),
                        Some(3),
                        "an event kind (label, gap, reconnect, duplicate, lost, marker, note)",
                        f[2],
                    )
                        })?;
                rec.events.push(Event {
                    start_s: num(&ev_p, line, 1, f[0], "start in s")?,
                    end_s: num(&ev_p, line, 2, f[1], "end in s")?,
                    kind,
                    label: f[3].to_string(),
                });
                Ok(())
            },
        )?;
    }
    Ok(rec)
}

fn num(path: &Path, line: u64, col: u64, s: &str, what: &str) -> Result<f64> {
    let v: f64 = s
        .trim()
        .parse()
        .map_err(|_| Error::parse(path, Some(line), Some(col), format!("a number ({what})"), s))?;
    if !v.is_finite() {
        return Err(Error::parse(
            path,
            Some(line),
            Some(col),
            format!("a finite number ({what})"),
            s,
        ));
    }
    Ok(v)
}

fn opt_num(path: &Path, line: u64, col: u64, s: &str, what: &str) -> Result<Option<f64>> {
    if s.trim().is_empty() {
        Ok(None)
    } else {
        num(path, line, col, s, what).map(Some)
    }
}

/// Read a headed CSV whose header must equal `header`; call `row` with the 1-based line
/// number and the fields. A last line cut short (no newline, too few fields) is skipped with a
/// warning, as a crash during a live recording can leave one.
fn read_rows(
    path: &Path,
    header: &[&str],
    warnings: &mut Vec<crate::recording::ImportWarning>,
    mut row: impl FnMut(u64, &[&str]) -> Result<()>,
) -> Result<()> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    let text = std::str::from_utf8(&bytes).map_err(|e| {
        let line = bytes[..e.valid_up_to()]
            .iter()
            .filter(|&&b| b == b'\n')
            .count() as u64
            + 1;
        Error::parse(path, Some(line), None, "UTF-8 text", "binary data")
    })?;
    let ends_with_newline = text.ends_with('\n');
    let lines: Vec<&str> = text.lines().collect();
    let Some(first) = lines.first() else {
        return Err(Error::parse(
            path,
            Some(1),
            None,
            format!("header {}", header.join(",")),
            "",
        ));
    };
    let got: Vec<&str> = first
        .trim_end_matches('\r')
        .split(',')
        .map(str::trim)
        .collect();
    if got != header {
        return Err(Error::parse(
            path,
            Some(1),
            None,
            format!("header {}", header.join(",")),
            first,
        ));
    }
    let n = lines.len();
    for (i, raw) in lines.iter().enumerate().skip(1) {
        let line_no = i as u64 + 1;
        let l = raw.trim_end_matches('\r');
        if l.trim().is_empty() {
            continue;
        }
        let fields = split_csv(l);
        let refs: Vec<&str> = fields.iter().map(String::as_str).collect();
        if refs.len() != header.len() {
            if i == n - 1 && !ends_with_newline {
                warnings.push(crate::recording::ImportWarning {
                    path: Some(path.to_path_buf()),
                    line: Some(line_no),
                    message: format!("skipped truncated last line {l:?}"),
                });
                continue;
            }
            return Err(Error::parse(
                path,
                Some(line_no),
                Some(refs.len().min(header.len()) as u64 + 1),
                format!(
                    "{} comma-separated fields ({})",
                    header.len(),
                    header.join(",")
                ),
                l,
            ));
        }
        row(line_no, &refs)?;
    }
    Ok(())
}

/// Split one CSV line, honouring double quotes.
fn split_csv(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => out.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    out.push(cur);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_keeps_every_stream() {
        let dir = tempfile::tempdir().unwrap();
        let rec = Recording {
            meta: Metadata {
                subject_id: Some("S1".into()),
                ..Default::default()
            },
            beats: vec![
                Beat {
                    t_s: 0.8,
                    rr_ms: 800.0,
                    flags: BeatFlags::NONE,
                },
                Beat {
                    t_s: 1.61,
                    rr_ms: 810.0,
                    flags: BeatFlags::GAP_BEFORE,
                },
            ],
            acc: Some(AccSeries {
                rate_hz: 2.0,
                t_s: vec![0.0, 0.5],
                x: vec![0.0, 0.1],
                y: vec![0.0, 0.0],
                z: vec![1.0, 0.9],
            }),
            activity: vec![ActivityEpoch {
                t_s: 0.0,
                dur_s: 60.0,
                counts_vm: Some(12.0),
                steps: None,
                enmo_mg: None,
            }],
            hr: vec![HrSample {
                t_s: 1.0,
                bpm: 74.0,
            }],
            events: vec![Event {
                start_s: 0.0,
                end_s: 1.0,
                kind: EventKind::Label,
                label: "rest, seated".into(),
            }],
            warnings: vec![],
        };
        write(dir.path(), &rec).unwrap();
        assert!(is_canonical(dir.path()));
        let back = read(dir.path()).unwrap();
        assert_eq!(back.beats, rec.beats);
        assert_eq!(back.acc, rec.acc);
        assert_eq!(back.activity, rec.activity);
        assert_eq!(back.hr, rec.hr);
        assert_eq!(back.events, rec.events);
        assert_eq!(back.meta.subject_id.as_deref(), Some("S1"));
        assert!(back.warnings.is_empty());
    }

    #[test]
    fn bad_number_names_line_and_column() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), &Recording::default()).unwrap();
        std::fs::write(
            dir.path().join("beats.csv"),
            "t_s,rr_ms,flags\n0.8,800,0\n1.6,abc,0\n",
        )
        .unwrap();
        let e = read(dir.path()).unwrap_err().to_string();
        assert!(e.contains("beats.csv:3:2"), "{e}");
        assert!(e.contains("RR interval"), "{e}");
    }
}
