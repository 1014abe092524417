//! Shared text-file helpers for the importers: reading with binary/empty checks, line
//! iteration with 1-based numbers, number and clock parsing with located errors, and the
//! row-level rules every CSV importer applies the same way (field count, truncated last line,
//! repeated row).

use super::warn;
use crate::error::{Error, Result};
use crate::recording::ImportWarning;
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

/// Split `text` into its header row (the first non-blank line) and the non-blank lines after
/// it, as the header-led tables (E4 IBI, Polar Sensor Logger, MMASH Actigraph, Stress-Predict
/// time logs) are read. A file without a non-blank line is an error at line 1 that says
/// `expected` and finds "nothing".
pub(crate) fn header_and_rows<'a>(
    path: &Path,
    text: &'a str,
    expected: &str,
) -> Result<(Line<'a>, impl Iterator<Item = Line<'a>>)> {
    let mut rows = lines(text).filter(|l| !l.text.trim().is_empty());
    let head = rows
        .next()
        .ok_or_else(|| Error::parse(path, Some(1), None, expected, "nothing"))?;
    Ok((head, rows))
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

/// Parse a number that must be positive: [`num`]'s errors, and for a value `<= 0` an error at
/// the same place that says `expected` (e.g. "a positive interval in s") and quotes `s`.
/// Shared by the RR importers, which all reject a zero or negative interval this way.
pub(crate) fn positive_num(
    path: &Path,
    line: u64,
    col: usize,
    s: &str,
    what: &str,
    expected: &str,
) -> Result<f64> {
    let v = num(path, line, col, s, what)?;
    if v <= 0.0 {
        return Err(Error::parse(
            path,
            Some(line),
            Some(col as u64),
            expected,
            s,
        ));
    }
    Ok(v)
}

/// Check that row `l` split into `n_found` fields has exactly `n` of them. The error names the
/// first missing or first extra field (column `min(n_found, n) + 1`), says `expected` (e.g.
/// "4 comma-separated fields (index, ibi_s, day, time)") and quotes the row: the one way the
/// CSV importers report a wrong field count.
pub(crate) fn expect_fields(
    path: &Path,
    l: &Line,
    n_found: usize,
    n: usize,
    expected: impl Into<String>,
) -> Result<()> {
    if n_found == n {
        return Ok(());
    }
    Err(Error::parse(
        path,
        Some(l.no),
        Some(n_found.min(n) as u64 + 1),
        expected,
        l.text,
    ))
}

/// [`expect_fields`] for tables whose rows are otherwise checked one field at a time: a wrong
/// field count on the unterminated last line skips it with a warning quoting it (`Ok(false)`),
/// elsewhere it is the error of [`expect_fields`]; `Ok(true)` means the count is right.
pub(crate) fn expect_fields_or_skip(
    path: &Path,
    l: &Line,
    n_found: usize,
    n: usize,
    expected: impl Into<String>,
    warnings: &mut Vec<ImportWarning>,
) -> Result<bool> {
    match expect_fields(path, l, n_found, n, expected) {
        Err(_) if l.unterminated => {
            warn(
                warnings,
                path,
                Some(l.no),
                format!("skipped the truncated last line {:?}", l.text),
            );
            Ok(false)
        }
        r => r.map(|()| true),
    }
}

/// The truncated-last-line rule: a row that failed to parse (`r` is an error) is skipped with a
/// warning quoting it and the error (`Ok(None)`) when it is the unterminated last line of the
/// file (an interrupted write), and is an error anywhere else. A parsed row is `Ok(Some(_))`.
pub(crate) fn skip_truncated<T>(
    r: Result<T>,
    path: &Path,
    l: &Line,
    warnings: &mut Vec<ImportWarning>,
) -> Result<Option<T>> {
    match r {
        Ok(v) => Ok(Some(v)),
        Err(e) if l.unterminated => {
            warn(
                warnings,
                path,
                Some(l.no),
                format!("skipped the truncated last line {:?} ({e})", l.text),
            );
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

/// True, after a warning, when row `l` repeats the previous accepted row `prev` to the letter:
/// loggers sometimes write a row twice, and such a copy is skipped rather than read as a second
/// sample at the same time.
pub(crate) fn skip_repeated_row(
    prev: Option<&str>,
    path: &Path,
    l: &Line,
    warnings: &mut Vec<ImportWarning>,
) -> bool {
    if prev != Some(l.text) {
        return false;
    }
    warn(
        warnings,
        path,
        Some(l.no),
        format!("skipped a duplicated row {:?}", l.text),
    );
    true
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
    fn row_rules_locate_the_field_and_skip_only_a_truncated_last_line() {
        let p = Path::new("x.csv");
        let rows: Vec<_> = lines("1,2,3\n1,2").collect();
        let e = expect_fields(p, &rows[0], 3, 2, "2 fields").unwrap_err();
        assert!(e.to_string().contains("x.csv:1:3"), "{e}");
        let e = expect_fields(p, &rows[1], 1, 2, "2 fields").unwrap_err();
        assert!(e.to_string().contains("x.csv:2:2"), "{e}");
        let mut w = Vec::new();
        let bad = || num(p, 1, 1, "x", "n");
        assert!(skip_truncated(bad(), p, &rows[0], &mut w).is_err());
        assert_eq!(skip_truncated(bad(), p, &rows[1], &mut w).unwrap(), None);
        assert!(w[0].message.contains("truncated last line"), "{w:?}");
        assert!(!expect_fields_or_skip(p, &rows[1], 2, 3, "3 fields", &mut w).unwrap());
        assert!(expect_fields_or_skip(p, &rows[0], 3, 2, "2 fields", &mut w).is_err());
        assert!(skip_repeated_row(Some("1,2"), p, &rows[1], &mut w));
        assert!(!skip_repeated_row(Some("1,2"), p, &rows[0], &mut w));
        assert_eq!(w.len(), 3);
        let e = positive_num(p, 4, 2, "0", "interval", "a positive interval").unwrap_err();
        assert!(e.to_string().contains("x.csv:4:2"), "{e}");
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
