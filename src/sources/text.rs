//! Shared text-file helpers for the importers: reading with binary/empty checks, line
//! iteration with 1-based numbers, number and clock parsing with located errors.

use crate::error::{Error, Result};
use std::io::Read;
use std::path::Path;

/// Read a whole text file. Empty (or whitespace-only) files, NUL bytes and invalid UTF-8 are
/// errors that name the line; a UTF-8 byte-order mark is dropped. `what` says what the file
/// should hold (used in the messages).
pub(crate) fn read(path: &Path, what: &str) -> Result<String> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    decode(path, bytes, what, false)
}

/// Read at most `n` bytes from the start of a file, for format detection. The same checks
/// as [`read`], except that a multi-byte character cut at the limit is tolerated.
pub(crate) fn read_head(path: &Path, n: usize) -> Result<String> {
    let f = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut bytes = Vec::with_capacity(n);
    f.take(n as u64)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io(path, e))?;
    decode(path, bytes, "a recording (RR, ACC or HR data)", true)
}

fn decode(path: &Path, mut bytes: Vec<u8>, what: &str, truncated_ok: bool) -> Result<String> {
    if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
        bytes.drain(..3);
    }
    if let Some(pos) = bytes.iter().position(|&b| b == 0) {
        let line = line_of(&bytes, pos);
        return Err(Error::parse(
            path,
            Some(line),
            None,
            format!("text ({what})"),
            format!("binary data (NUL byte at offset {pos})"),
        ));
    }
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            let b = e.into_bytes();
            if truncated_ok && b.len() - valid < 4 && e_is_incomplete(&b[valid..]) {
                String::from_utf8_lossy(&b[..valid]).into_owned()
            } else {
                return Err(Error::parse(
                    path,
                    Some(line_of(&b, valid)),
                    None,
                    format!("UTF-8 text ({what})"),
                    format!(
                        "binary data (invalid byte 0x{:02x} at offset {valid})",
                        b[valid]
                    ),
                ));
            }
        }
    };
    if text.trim().is_empty() {
        return Err(Error::parse(
            path,
            Some(1),
            None,
            what.to_string(),
            "nothing (the file is empty)",
        ));
    }
    Ok(text)
}

fn e_is_incomplete(tail: &[u8]) -> bool {
    // A UTF-8 lead byte followed by fewer continuation bytes than it announces.
    match tail.first() {
        Some(&b) if b >= 0xC0 => tail[1..].iter().all(|&c| (0x80..0xC0).contains(&c)),
        _ => false,
    }
}

fn line_of(bytes: &[u8], pos: usize) -> u64 {
    bytes[..pos.min(bytes.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count() as u64
        + 1
}

/// One line of a text file.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Line<'a> {
    /// 1-based line number.
    pub no: u64,
    /// The line without its terminator (`\n` or `\r\n`), not otherwise trimmed.
    pub text: &'a str,
    /// True for the last line when the file does not end with a newline (a possibly
    /// truncated write).
    pub unterminated: bool,
}

/// Iterate over the lines of `text` with 1-based numbers; the empty piece after a final
/// newline is not returned.
pub(crate) fn lines(text: &str) -> impl Iterator<Item = Line<'_>> {
    let ends_nl = text.ends_with('\n');
    let mut it = text.split('\n').enumerate().peekable();
    std::iter::from_fn(move || {
        let (i, l) = it.next()?;
        let is_last = it.peek().is_none();
        if is_last && ends_nl {
            return None;
        }
        Some(Line {
            no: i as u64 + 1,
            text: l.strip_suffix('\r').unwrap_or(l),
            unterminated: is_last && !ends_nl,
        })
    })
}

/// Parse a finite number; on failure an error naming path, line, 1-based column and `what`.
pub(crate) fn num(path: &Path, line: u64, col: usize, s: &str, what: &str) -> Result<f64> {
    let t = s.trim();
    match t.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        _ => Err(Error::parse(
            path,
            Some(line),
            Some(col as u64),
            format!("a number ({what})"),
            if t.is_empty() { "an empty field" } else { s },
        )),
    }
}

/// True if `s` parses as a finite number.
pub(crate) fn is_num(s: &str) -> bool {
    s.trim().parse::<f64>().is_ok_and(f64::is_finite)
}

/// Parse a clock time `HH:MM:SS` or `HH:MM` (hours 0–24, `24:00` allowed) into seconds
/// after midnight.
pub(crate) fn clock_s(s: &str) -> Option<u32> {
    let mut parts = s.trim().split(':');
    let h: u32 = parts.next()?.parse().ok()?;
    let m: u32 = parts.next()?.parse().ok()?;
    let sec: u32 = match parts.next() {
        Some(p) => p.parse().ok()?,
        None => 0,
    };
    if parts.next().is_some() || m > 59 || sec > 59 || h > 24 || (h == 24 && (m > 0 || sec > 0)) {
        return None;
    }
    Some(h * 3600 + m * 60 + sec)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_handle_crlf_and_unterminated_last_line() {
        let v: Vec<_> = lines("a\r\nb\nc").collect();
        assert_eq!(v.len(), 3);
        assert_eq!(v[0].text, "a");
        assert_eq!(v[2].no, 3);
        assert!(v[2].unterminated);
        assert!(!v[1].unterminated);
        let w: Vec<_> = lines("a\n").collect();
        assert_eq!(w.len(), 1);
        assert!(!w[0].unterminated);
    }

    #[test]
    fn clock_parses_and_rejects() {
        assert_eq!(clock_s("10:10:17"), Some(36617));
        assert_eq!(clock_s("24:00"), Some(86400));
        assert_eq!(clock_s("24:01"), None);
        assert_eq!(clock_s("10:61"), None);
        assert_eq!(clock_s("x"), None);
    }

    #[test]
    fn binary_and_empty_files_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("b.txt");
        std::fs::write(&p, b"0.8\n\x00\x01\x02").unwrap();
        let e = read(&p, "RR").unwrap_err().to_string();
        assert!(e.contains(":2") && e.contains("binary"), "{e}");
        std::fs::write(&p, b"  \n").unwrap();
        let e = read(&p, "RR").unwrap_err().to_string();
        assert!(e.contains("empty"), "{e}");
    }
}
