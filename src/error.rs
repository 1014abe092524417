//! Library errors.
//!
//! Input problems are errors that say *where* (file, line, column) and *what was expected*;
//! they are never panics. Data-quality oddities that can be recovered from are not errors:
//! they travel as [`crate::recording::ImportWarning`]s next to the data.

use std::path::PathBuf;

/// Result alias for the library.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in the library.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// Malformed input at a known place.
    #[error("{}", fmt_parse(path, *line, *column, expected, found))]
    Parse {
        /// The file.
        path: PathBuf,
        /// 1-based line, if known.
        line: Option<u64>,
        /// 1-based column (field index for CSV), if known.
        column: Option<u64>,
        /// What the reader expected there.
        expected: String,
        /// What it found instead (truncated, printable).
        found: String,
    },
    /// The input's format could not be recognised, or a folder lacks a required file.
    #[error("{path}: {message}")]
    Format {
        /// The file or folder.
        path: PathBuf,
        /// What is wrong and what would be accepted.
        message: String,
    },
    /// A configuration value is out of its valid range.
    #[error("invalid setting {name} = {value}: {expected}")]
    Config {
        /// Setting name as the user knows it (flag or field).
        name: String,
        /// The value given.
        value: String,
        /// What would be valid.
        expected: String,
    },
    /// Bluetooth failure (only with the `ble` feature).
    #[error("bluetooth: {0}")]
    Ble(String),
    /// Chart rendering failed.
    #[error("chart {path}: {message}")]
    Chart {
        /// Output file.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
}

fn fmt_parse(
    path: &std::path::Path,
    line: Option<u64>,
    column: Option<u64>,
    expected: &str,
    found: &str,
) -> String {
    let mut s = path.display().to_string();
    if let Some(l) = line {
        s.push_str(&format!(":{l}"));
        if let Some(c) = column {
            s.push_str(&format!(":{c}"));
        }
    }
    s.push_str(&format!(": expected {expected}"));
    if !found.is_empty() {
        s.push_str(&format!(", found {found:?}"));
    }
    if let Some(l) = line {
        s.push_str(&format!(" (line {l}"));
        if let Some(c) = column {
            s.push_str(&format!(", column {c}"));
        }
        s.push(')');
    }
    s
}

impl Error {
    /// Build an [`Error::Io`].
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    /// Build an [`Error::Parse`]; `found` is truncated to 40 printable characters.
    pub fn parse(
        path: impl Into<PathBuf>,
        line: Option<u64>,
        column: Option<u64>,
        expected: impl Into<String>,
        found: impl AsRef<str>,
    ) -> Self {
        let f: String = found
            .as_ref()
            .chars()
            .map(|c| if c.is_control() { '\u{fffd}' } else { c })
            .take(40)
            .collect();
        Error::Parse {
            path: path.into(),
            line,
            column,
            expected: expected.into(),
            found: f,
        }
    }

    /// Build an [`Error::Format`].
    pub fn format(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Error::Format {
            path: path.into(),
            message: message.into(),
        }
    }
}
