//! Plain RR text and Kubios-style RR text.
//!
//! **Accepted layout** (one parser for both formats; they differ only in the name stored in
//! `source_format`):
//!
//! - optional header lines (any non-numeric lines before the first numeric row; lines
//!   starting with `#` are comments anywhere). The last header line with as many fields as
//!   the data rows names the columns;
//! - data rows separated by `;`, tab, `,` or spaces (the first data row decides);
//! - **one column** = RR intervals; **two columns without names** = time, RR (the Kubios
//!   "custom ASCII" convention); with names, the RR column is the one whose name contains
//!   `rr`, `ibi`, `nn` or `interval`, the time column the one containing `time` or `since
//!   start`; other columns (e.g. a pandas index) are ignored.
//!
//! **Units**: `--rr-unit` (`ImportOptions::rr_unit`) wins; else a unit in the column name
//! (`(ms)`, `[ms]`, `_ms`, `(s)`, `[s]`, `_s`); else the magnitude: the median RR lies in
//! 0.2–3 (s) or 200–3000 (ms) (*assumed* plausible adult range). Anything else is an error:
//! the unit cannot be told.
//!
//! **Times**: with a time column (s, or ms if named so or if its steps match the RR values in
//! ms), each beat is at its time value; consecutive times that do not chain
//! (|Δt − RR| > 50 ms + 5 % of RR, *assumed*) mark [`BeatFlags::GAP_BEFORE`]. Without a time
//! column beats are the cumulative sum of the intervals from t = 0.
//!
//! **First-value offset**: PhysioNet `*_rr_secs.txt` files (nsr2db) start with the time from
//! record start to the first beat (225.8 s in nsr001). In general, when the first value of a
//! file without time column exceeds 3 s and 5 × the median (*assumed*), it is taken as that
//! offset, with a warning: the first beat is at t = that value and the next values chain from
//! it.
//!
//! **Warnings**: a truncated unterminated last line is skipped; a row repeating the previous
//! time and RR exactly (time column only) is skipped as a duplicate.

use super::text::{self, Line};
use super::{warn, Format, ImportOptions, RrUnit};
use crate::error::{Error, Result};
use crate::recording::{Beat, BeatFlags, ImportWarning, Metadata, Recording};
use std::path::Path;

/// Plausible median RR range in seconds used to tell the unit (*assumed*).
pub const PLAUSIBLE_MEDIAN_S: (f64, f64) = (0.2, 3.0);
/// A first value above this (s) and above [`OFFSET_MEDIAN_FACTOR`] × median is a start offset.
pub const OFFSET_MIN_S: f64 = 3.0;
/// See [`OFFSET_MIN_S`].
pub const OFFSET_MEDIAN_FACTOR: f64 = 5.0;

/// Guess between [`Format::RrText`] and [`Format::Kubios`] from the start of a file: two or
/// more header lines, or the word "Kubios", mean Kubios-style.
pub fn sniff(head: &str) -> Format {
    if head.to_ascii_lowercase().contains("kubios") {
        return Format::Kubios;
    }
    let mut header_lines = 0;
    for l in head.lines().map(str::trim) {
        if l.is_empty() || l.starts_with('#') {
            continue;
        }
        let delim = delimiter_of(l);
        if split(l, delim)
            .iter()
            .all(|f| text::is_num(f) || f.trim().is_empty())
            && split(l, delim).iter().any(|f| text::is_num(f))
        {
            break;
        }
        header_lines += 1;
    }
    if header_lines >= 2 {
        Format::Kubios
    } else {
        Format::RrText
    }
}

#[derive(Clone, Copy, PartialEq, Debug)]
enum Delim {
    Char(char),
    Space,
}

fn delimiter_of(l: &str) -> Delim {
    if l.contains(';') {
        Delim::Char(';')
    } else if l.contains('\t') {
        Delim::Char('\t')
    } else if l.contains(',') {
        Delim::Char(',')
    } else {
        Delim::Space
    }
}

fn split(l: &str, d: Delim) -> Vec<&str> {
    match d {
        Delim::Char(c) => l.split(c).map(str::trim).collect(),
        Delim::Space => l.split_whitespace().collect(),
    }
}

fn is_data(fields: &[&str]) -> bool {
    fields.iter().any(|f| text::is_num(f)) && fields.iter().all(|f| f.is_empty() || text::is_num(f))
}

fn unit_from_name(name: &str) -> Option<RrUnit> {
    let n = name.to_ascii_lowercase().replace(' ', "");
    if n.contains("(ms)") || n.contains("[ms]") || n.ends_with("_ms") || n.contains("msec") {
        Some(RrUnit::Milliseconds)
    } else if n.contains("(s)") || n.contains("[s]") || n.ends_with("_s") || n.contains("(sec") {
        Some(RrUnit::Seconds)
    } else {
        None
    }
}

/// Import a plain or Kubios-style RR text file.
pub fn import(path: &Path, format: Format, opts: &ImportOptions) -> Result<Recording> {
    if is_npy(path) {
        let rr = read_npy(path)?;
        let lines_no = (1..=rr.len() as u64).collect();
        let mut rec = finish(
            path,
            format,
            opts,
            Parsed {
                rr,
                tcol: Vec::new(),
                lines_no,
                rr_col: 0,
                time_col: None,
                name_unit: None,
                time_name_unit: None,
            },
            Vec::new(),
        )?;
        rec.meta
            .notes
            .push("NumPy .npy array; \"line\" numbers are element numbers (1-based)".into());
        return Ok(rec);
    }
    let body = text::read(path, "RR intervals, one per line (s or ms)")?;
    let mut warnings: Vec<ImportWarning> = Vec::new();
    let all: Vec<Line> = text::lines(&body).collect();

    // 1. Header lines and the first data row.
    let mut header: Vec<&Line> = Vec::new();
    let mut first_data = None;
    for (i, l) in all.iter().enumerate() {
        let t = l.text.trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        let f = split(t, delimiter_of(t));
        if is_data(&f) {
            first_data = Some(i);
            break;
        }
        header.push(l);
    }
    let Some(first_data) = first_data else {
        let l = header.first().map(|l| l.no).unwrap_or(1);
        return Err(Error::parse(
            path,
            Some(l),
            Some(1),
            "numeric RR intervals after the header lines",
            header.first().map(|l| l.text).unwrap_or(""),
        ));
    };
    let first_text = all[first_data].text.trim();
    let delim = delimiter_of(first_text);
    let ncols = split(first_text, delim).len();
    let names: Option<Vec<String>> = header
        .iter()
        .rev()
        .map(|l| split(l.text.trim(), delim))
        .find(|f| f.len() == ncols)
        .map(|f| f.iter().map(|s| s.trim_matches('"').to_string()).collect());

    // 2. Which column is RR, which is time.
    let (rr_col, time_col) = pick_columns(path, &all[first_data], ncols, names.as_deref())?;
    let name_unit = names.as_ref().and_then(|n| unit_from_name(&n[rr_col]));
    let time_name_unit = match (&names, time_col) {
        (Some(n), Some(c)) => unit_from_name(&n[c]),
        _ => None,
    };

    // 3. Parse rows.
    let mut rr: Vec<f64> = Vec::new();
    let mut tcol: Vec<f64> = Vec::new();
    let mut lines_no: Vec<u64> = Vec::new();
    for l in &all[first_data..] {
        let t = l.text.trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        let f = split(t, delim);
        let parsed = (|| -> Result<(f64, Option<f64>)> {
            if f.len() != ncols {
                return Err(Error::parse(
                    path,
                    Some(l.no),
                    Some(f.len().min(ncols) as u64 + 1),
                    format!(
                        "{ncols} field(s) per row like the first data row (line {})",
                        all[first_data].no
                    ),
                    t,
                ));
            }
            let v = text::positive_num(
                path,
                l.no,
                rr_col + 1,
                f[rr_col],
                "RR interval",
                "a positive RR interval",
            )?;
            let tv = match time_col {
                Some(c) => Some(text::num(path, l.no, c + 1, f[c], "time")?),
                None => None,
            };
            Ok((v, tv))
        })();
        match parsed {
            Ok((v, tv)) => {
                rr.push(v);
                if let Some(tv) = tv {
                    tcol.push(tv);
                }
                lines_no.push(l.no);
            }
            Err(e) if l.unterminated && !rr.is_empty() => {
                warn(
                    &mut warnings,
                    path,
                    Some(l.no),
                    format!(
                        "skipped the truncated last line {t:?} (no newline at end of file; {e})"
                    ),
                );
            }
            Err(e) => return Err(e),
        }
    }

    finish(
        path,
        format,
        opts,
        Parsed {
            rr,
            tcol,
            lines_no,
            rr_col,
            time_col,
            name_unit,
            time_name_unit,
        },
        warnings,
    )
}

/// Values read from a file, before units and times are settled.
struct Parsed {
    rr: Vec<f64>,
    tcol: Vec<f64>,
    lines_no: Vec<u64>,
    rr_col: usize,
    time_col: Option<usize>,
    name_unit: Option<RrUnit>,
    time_name_unit: Option<RrUnit>,
}

fn finish(
    path: &Path,
    format: Format,
    opts: &ImportOptions,
    p: Parsed,
    mut warnings: Vec<ImportWarning>,
) -> Result<Recording> {
    let Parsed {
        rr,
        tcol,
        lines_no,
        rr_col,
        time_col,
        name_unit,
        time_name_unit,
    } = p;
    if rr.is_empty() {
        return Err(Error::parse(
            path,
            Some(1),
            None,
            "at least one RR interval",
            "none",
        ));
    }
    // 4. Unit.
    let med = median(&rr);
    let unit = match opts.rr_unit.or(name_unit) {
        Some(u) => u,
        None => {
            if (PLAUSIBLE_MEDIAN_S.0..=PLAUSIBLE_MEDIAN_S.1).contains(&med) {
                RrUnit::Seconds
            } else if (PLAUSIBLE_MEDIAN_S.0 * 1000.0..=PLAUSIBLE_MEDIAN_S.1 * 1000.0).contains(&med)
            {
                RrUnit::Milliseconds
            } else {
                return Err(Error::parse(
                    path,
                    Some(lines_no[0]),
                    Some(rr_col as u64 + 1),
                    format!(
                        "RR intervals whose median lies in {}-{} (seconds) or {}-{} \
                         (milliseconds), so that the unit can be told; pass --rr-unit to set it",
                        PLAUSIBLE_MEDIAN_S.0,
                        PLAUSIBLE_MEDIAN_S.1,
                        PLAUSIBLE_MEDIAN_S.0 * 1000.0,
                        PLAUSIBLE_MEDIAN_S.1 * 1000.0
                    ),
                    format!(
                        "median {med} over lines {}-{}",
                        lines_no[0],
                        lines_no[lines_no.len() - 1]
                    ),
                ));
            }
        }
    };
    let k = unit.to_ms();

    // 5. Times.
    let mut beats: Vec<Beat> = Vec::with_capacity(rr.len());
    let mut notes = vec![format!(
        "RR unit: {} ({})",
        unit.symbol(),
        if opts.rr_unit.is_some() {
            "given with --rr-unit"
        } else if name_unit.is_some() {
            "from the column name"
        } else {
            "detected from the median value"
        }
    )];
    if time_col.is_some() {
        let tk = match time_name_unit {
            Some(u) => u.to_ms() / 1000.0,
            None => {
                // Steps of the time column compared with the RR values in ms.
                let steps: Vec<f64> = tcol.windows(2).map(|w| w[1] - w[0]).collect();
                let ratio = median(&steps) / (med * k);
                if ratio > 0.1 {
                    0.001
                } else {
                    1.0
                }
            }
        };
        notes.push(format!(
            "beat times from the time column (unit {})",
            if tk == 1.0 { "s" } else { "ms" }
        ));
        let mut prev: Option<(f64, f64)> = None;
        for i in 0..rr.len() {
            let t = tcol[i] * tk;
            let r = rr[i] * k;
            let mut flags = BeatFlags::NONE;
            if let Some((pt, pr)) = prev {
                if t < pt || (t == pt && r != pr) {
                    return Err(Error::parse(
                        path,
                        Some(lines_no[i]),
                        Some(time_col.unwrap_or(0) as u64 + 1),
                        format!(
                            "a time after the previous row's ({pt} s): time must not go backwards"
                        ),
                        format!("{}", tcol[i]),
                    ));
                }
                if t == pt {
                    warn(
                        &mut warnings,
                        path,
                        Some(lines_no[i]),
                        format!("skipped a duplicated beat (same time {t} s and RR {r} ms as the previous row)"),
                    );
                    continue;
                }
                if ((t - pt) * 1000.0 - r).abs() > 50.0 + 0.05 * r {
                    flags.insert(BeatFlags::GAP_BEFORE);
                }
            }
            beats.push(Beat {
                t_s: t,
                rr_ms: r,
                flags,
            });
            prev = Some((t, r));
        }
    } else {
        let mut start = 0usize;
        let mut t = 0.0;
        let first_s = rr[0] * k / 1000.0;
        if rr.len() > 1 && first_s > OFFSET_MIN_S && rr[0] > OFFSET_MEDIAN_FACTOR * med {
            warn(
                &mut warnings,
                path,
                Some(lines_no[0]),
                format!(
                    "first value {} {} is not a plausible RR interval (> {OFFSET_MIN_S} s and > \
                     {OFFSET_MEDIAN_FACTOR} x the median {med}); assumed it is the offset from the \
                     record start to the first beat (PhysioNet rr_secs convention): the first \
                     beat is at t = {first_s} s and has no interval of its own",
                    rr[0],
                    unit.symbol()
                ),
            );
            t = first_s;
            start = 1;
        }
        for &v in &rr[start..] {
            let r = v * k;
            t += r / 1000.0;
            beats.push(Beat {
                t_s: t,
                rr_ms: r,
                flags: BeatFlags::NONE,
            });
        }
        notes.push("beat times = cumulative sum of the intervals (no clock in the file)".into());
    }
    notes.push("absolute start unknown: the file has no clock".into());
    Ok(Recording {
        meta: Metadata {
            format_version: crate::recording::canonical::FORMAT_VERSION,
            subject_id: opts.subject_id.clone(),
            source_format: Some(format.name().into()),
            source_path: Some(path.to_path_buf()),
            notes,
            ..Default::default()
        },
        beats,
        warnings,
        ..Default::default()
    })
}

fn pick_columns(
    path: &Path,
    first: &Line,
    ncols: usize,
    names: Option<&[String]>,
) -> Result<(usize, Option<usize>)> {
    if let Some(n) = names {
        let lower: Vec<String> = n.iter().map(|s| s.to_ascii_lowercase()).collect();
        let is_time = |s: &str| s.contains("time") || s.contains("since start") || s == "t";
        let rr = lower.iter().position(|s| {
            !is_time(s)
                && (s.contains("rr")
                    || s.contains("ibi")
                    || s.contains("nn")
                    || s.contains("interval"))
        });
        let time = lower.iter().position(|s| is_time(s));
        match (rr, ncols) {
            (Some(r), _) => return Ok((r, time.filter(|&t| t != r))),
            (None, 1) => return Ok((0, None)),
            (None, 2) if time.is_some() => return Ok((1 - time.unwrap_or(0), time)),
            _ => {}
        }
    }
    match ncols {
        1 => Ok((0, None)),
        2 => Ok((1, Some(0))),
        _ => Err(Error::parse(
            path,
            Some(first.no),
            Some(3),
            "1 column (RR) or 2 columns (time, RR), or a header naming the RR column \
             (rr, ibi, nn or interval)",
            first.text.trim(),
        )),
    }
}

/// Magic bytes of a NumPy `.npy` file.
const NPY_MAGIC: &[u8] = b"\x93NUMPY";

/// True if the file starts with the NumPy `.npy` magic.
pub fn is_npy(path: &Path) -> bool {
    use std::io::Read;
    let mut buf = [0u8; 6];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut buf))
        .is_ok()
        && buf == NPY_MAGIC
}

/// Read a 1-D NumPy array (`<i8`, `<i4`, `<i2`, `<f8`, `<f4`, C order), as pyhrv ships its
/// NN samples. Format: magic, version (1.0: u16 header length; 2.0/3.0: u32), an ASCII
/// dict header, then the raw little-endian values (NumPy format spec, `numpy.lib.format`).
fn read_npy(path: &Path) -> Result<Vec<f64>> {
    let b = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    let bad =
        |what: &str, found: String| Error::parse(path, Some(1), None, what.to_string(), found);
    if b.len() < 10 || &b[..6] != NPY_MAGIC {
        return Err(bad("a NumPy .npy header", "too short".into()));
    }
    let (hlen, hstart) = match b[6] {
        1 => (u16::from_le_bytes([b[8], b[9]]) as usize, 10),
        2 | 3 if b.len() >= 12 => (u32::from_le_bytes([b[8], b[9], b[10], b[11]]) as usize, 12),
        v => return Err(bad("NumPy .npy version 1, 2 or 3", format!("version {v}"))),
    };
    let header = b
        .get(hstart..hstart + hlen)
        .and_then(|h| std::str::from_utf8(h).ok())
        .ok_or_else(|| {
            bad(
                "a NumPy .npy header dict",
                "truncated or binary header".into(),
            )
        })?;
    let field = |key: &str| -> Option<&str> {
        let i = header.find(key)? + key.len();
        let rest = header[i..].trim_start_matches(['\'', ':', ' ']);
        Some(rest)
    };
    let descr = field("'descr'")
        .and_then(|r| r.split('\'').next())
        .unwrap_or("");
    let size = match descr {
        "<i8" | "<f8" => 8,
        "<i4" | "<f4" => 4,
        "<i2" => 2,
        _ => {
            return Err(bad(
                "a little-endian integer or float array (<i8, <i4, <i2, <f8, <f4)",
                format!("dtype {descr:?}"),
            ))
        }
    };
    if field("'fortran_order'").is_some_and(|r| r.starts_with("True")) {
        return Err(bad("a C-ordered array", "fortran_order True".into()));
    }
    let shape = field("'shape'").unwrap_or("");
    let dims: Vec<&str> = shape
        .trim_start_matches('(')
        .split(')')
        .next()
        .unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    let n: usize = match dims.as_slice() {
        [d] => d
            .parse()
            .map_err(|_| bad("a 1-D shape (n,)", shape.to_string()))?,
        _ => {
            return Err(bad(
                "a 1-D array of RR intervals, shape (n,)",
                format!("shape {}", shape.split(')').next().unwrap_or("")),
            ))
        }
    };
    let data = &b[hstart + hlen..];
    if data.len() != n * size {
        return Err(bad(
            &format!("{} bytes of data for shape ({n},)", n * size),
            format!("{} bytes", data.len()),
        ));
    }
    let v = data
        .chunks_exact(size)
        .map(|c| match (descr, size) {
            ("<i8", _) => i64::from_le_bytes(c.try_into().unwrap_or([0; 8])) as f64,
            ("<f8", _) => f64::from_le_bytes(c.try_into().unwrap_or([0; 8])),
            ("<i4", _) => i32::from_le_bytes(c.try_into().unwrap_or([0; 4])) as f64,
            ("<f4", _) => f32::from_le_bytes(c.try_into().unwrap_or([0; 4])) as f64,
            _ => i16::from_le_bytes(c.try_into().unwrap_or([0; 2])) as f64,
        })
        .collect::<Vec<f64>>();
    if let Some(i) = v.iter().position(|x| !(x.is_finite() && *x > 0.0)) {
        return Err(Error::parse(
            path,
            Some(i as u64 + 1),
            None,
            "positive finite RR intervals (element number given as line)",
            v[i].to_string(),
        ));
    }
    Ok(v)
}

fn median(v: &[f64]) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    let mut s = v.to_vec();
    let m = s.len() / 2;
    let (_, x, _) = s.select_nth_unstable_by(m, |a, b| a.total_cmp(b));
    *x
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(s: &str) -> (tempfile::TempDir, std::path::PathBuf) {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("rr.txt");
        std::fs::write(&p, s).unwrap();
        (d, p)
    }

    #[test]
    fn seconds_and_ms_are_told_apart() {
        let (_d, p) = write("0.8\n0.9\n1.0\n");
        let r = import(&p, Format::RrText, &ImportOptions::default()).unwrap();
        assert_eq!(r.beats.len(), 3);
        assert_eq!(r.beats[0].rr_ms, 800.0);
        assert!((r.beats[2].t_s - 2.7).abs() < 1e-9);
        let (_d, p) = write("800\n900\n1000\n");
        let r = import(&p, Format::RrText, &ImportOptions::default()).unwrap();
        assert_eq!(r.beats[1].rr_ms, 900.0);
    }

    #[test]
    fn offset_first_value_is_a_warning_not_a_beat() {
        let (_d, p) = write("225.8\n0.8\n0.8\n0.8\n");
        let r = import(&p, Format::RrText, &ImportOptions::default()).unwrap();
        assert_eq!(r.beats.len(), 3);
        assert!((r.beats[0].t_s - 226.6).abs() < 1e-9);
        assert!(r.warnings[0].message.contains("offset"));
    }

    #[test]
    fn header_names_pick_the_column() {
        let (_d, p) = write(",rr\n0,992.0\n1,1016.0\n2,1000\n");
        let r = import(&p, Format::RrText, &ImportOptions::default()).unwrap();
        assert_eq!(r.beats.len(), 3);
        assert_eq!(r.beats[1].rr_ms, 1016.0);
    }

    fn npy(descr: &str, shape: &str, data: &[u8]) -> Vec<u8> {
        let mut h = format!("{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape}, }}");
        while (10 + h.len() + 1) % 64 != 0 {
            h.push(' ');
        }
        h.push('\n');
        let mut b = b"\x93NUMPY\x01\x00".to_vec();
        b.extend_from_slice(&(h.len() as u16).to_le_bytes());
        b.extend_from_slice(h.as_bytes());
        b.extend_from_slice(data);
        b
    }

    #[test]
    fn numpy_int64_array_is_read_as_rr() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("nn.npy");
        let data: Vec<u8> = [800i64, 810, 790]
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect();
        std::fs::write(&p, npy("<i8", "(3,)", &data)).unwrap();
        assert_eq!(crate::sources::detect(&p).unwrap(), Format::RrText);
        let r = import(&p, Format::RrText, &ImportOptions::default()).unwrap();
        assert_eq!(r.beats.len(), 3);
        assert_eq!(r.beats[1].rr_ms, 810.0);
        assert!((r.beats[2].t_s - 2.4).abs() < 1e-9);
        // 2-D and truncated arrays are errors, not panics
        std::fs::write(&p, npy("<i8", "(1, 3)", &data)).unwrap();
        let e = import(&p, Format::RrText, &ImportOptions::default())
            .unwrap_err()
            .to_string();
        assert!(e.contains("1-D"), "{e}");
        std::fs::write(&p, npy("<i8", "(4,)", &data)).unwrap();
        let e = import(&p, Format::RrText, &ImportOptions::default())
            .unwrap_err()
            .to_string();
        assert!(e.contains("32 bytes"), "{e}");
    }

    #[test]
    fn sniff_tells_kubios_from_plain() {
        assert_eq!(sniff("0.8\n0.9\n"), Format::RrText);
        assert_eq!(sniff("rr\n800\n"), Format::RrText);
        assert_eq!(
            sniff("Some export\nTime (s)\tRR (s)\n0.8\t0.8\n"),
            Format::Kubios
        );
    }
}
