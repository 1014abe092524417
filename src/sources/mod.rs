//! Importers: turn every supported recording format into one [`Recording`].
//!
//! | [`Format`] | Input | Beats | Motion | HR | Events |
//! |---|---|---|---|---|---|
//! | `canonical` | folder with `meta.json` | `beats.csv` | `acc.csv`, `activity.csv` | `hr.csv` | `events.csv` |
//! | `rr-text` | one RR per line (s or ms), optional column header; or a 1-D NumPy `.npy` array | cumulative sum | – | – | – |
//! | `kubios` | RR text with header lines, 1 column (RR) or 2 (time, RR) | time column or cumulative sum | – | – | – |
//! | `polar-sensor-logger` | `*_RR.txt` / `*_ACC.txt` / `*_HR.txt` (`;`-separated) | RR anchored on phone time | ACC in mg → g | HR file | – |
//! | `empatica-e4` | session folder (`IBI.csv`, `ACC.csv`, `HR.csv`, `tags*.csv`) | `IBI.csv`, chain breaks → `GAP_BEFORE` | ACC 1/64 g → g | `HR.csv` | tags → markers, time logs → labels |
//! | `mmash` | user folder (`RR.csv`, `Actigraph.csv`, `Activity.csv`) | RR anchored on the clock column | activity epochs | Actigraph HR | diary → labels |
//!
//! [`detect`] recognises the format from the folder layout or the first lines of a file;
//! [`ImportOptions::format`] (`--format`) overrides it. Every importer reports malformed
//! input as an [`Error`] naming the path, line, column and what was expected, and
//! recoverable oddities as [`ImportWarning`]s that say exactly what was skipped or assumed.
//! `docs/FORMATS.md` documents each format, its units and how its times are anchored.
//!
//! Parameters chosen here (tolerances, plausible ranges) are constants in the importer that
//! uses them and are marked *assumed* in their docs.

pub mod anchor;
pub mod e4;
pub mod mmash;
pub mod polar;
pub mod rr_text;
pub mod stress_predict;
pub(crate) mod text;

use crate::error::{Error, Result};
use crate::recording::{canonical, ImportWarning, Recording};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// A supported input format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
#[clap(rename_all = "kebab-case")]
pub enum Format {
    /// The canonical recording folder written by stress-harness.
    Canonical,
    /// Plain RR text: one interval per line, s or ms, optional header row.
    RrText,
    /// Kubios-style RR text export: header lines, then 1 column (RR) or 2 (time, RR).
    Kubios,
    /// Polar Sensor Logger exports (`*_RR.txt`, `*_ACC.txt`, `*_HR.txt`).
    PolarSensorLogger,
    /// Empatica E4 session folder (`IBI.csv`, `ACC.csv`, `HR.csv`, `tags*.csv`).
    EmpaticaE4,
    /// MMASH user folder (`RR.csv`, `Actigraph.csv`, `Activity.csv`).
    Mmash,
}

impl Format {
    /// The name used in `--format`, in `meta.json` (`source_format`) and in messages.
    pub fn name(self) -> &'static str {
        match self {
            Format::Canonical => "canonical",
            Format::RrText => "rr-text",
            Format::Kubios => "kubios",
            Format::PolarSensorLogger => "polar-sensor-logger",
            Format::EmpaticaE4 => "empatica-e4",
            Format::Mmash => "mmash",
        }
    }
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Unit of RR values in text files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
#[clap(rename_all = "kebab-case")]
pub enum RrUnit {
    /// Seconds.
    Seconds,
    /// Milliseconds.
    Milliseconds,
}

impl RrUnit {
    /// Factor that converts a value in this unit to ms.
    pub fn to_ms(self) -> f64 {
        match self {
            RrUnit::Seconds => 1000.0,
            RrUnit::Milliseconds => 1.0,
        }
    }
    /// Short unit symbol.
    pub fn symbol(self) -> &'static str {
        match self {
            RrUnit::Seconds => "s",
            RrUnit::Milliseconds => "ms",
        }
    }
}

/// Options for [`import`]. `Default` means: detect everything.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ImportOptions {
    /// Force a format instead of detecting it (`--format`).
    pub format: Option<Format>,
    /// Force the RR unit of text files instead of detecting it from the magnitude (`--rr-unit`).
    pub rr_unit: Option<RrUnit>,
    /// Pseudonymous subject id to store (and, for Stress-Predict time logs, to match).
    /// Without it the id is derived from the folder name (`user_1`, `S01`) where the format
    /// has one, else left empty.
    pub subject_id: Option<String>,
    /// Labels file to attach, e.g. Stress-Predict `Time_logs_long.csv`. Without it, an E4
    /// folder looks for `Time_logs_long.csv` in the folder, its parent and
    /// `../../Processed_data/` (the Stress-Predict layout) and says which file it used.
    pub labels: Option<PathBuf>,
    /// Do not look for a labels file automatically.
    pub no_auto_labels: bool,
}

/// Recognise the format of `path` (a file or a folder) without importing it.
///
/// Folders: `meta.json` naming the canonical format → canonical; `IBI.csv` or an E4-style
/// `ACC.csv` → E4; `RR.csv` with the MMASH header or `Actigraph.csv` → MMASH; files ending in
/// `_RR.txt`/`_ACC.txt`/`_HR.txt` with a `Phone timestamp` header → Polar Sensor Logger.
/// Files: the first non-empty lines decide (see `docs/FORMATS.md`).
pub fn detect(path: &Path) -> Result<Format> {
    let md = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
    if md.is_dir() {
        return detect_dir(path);
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    if name == "meta.json" && path.parent().is_some_and(canonical::is_canonical) {
        return Ok(Format::Canonical);
    }
    if rr_text::is_npy(path) {
        return Ok(Format::RrText);
    }
    let head = text::read_head(path, 8192)?;
    let mut lines = head.lines().map(str::trim).filter(|l| !l.is_empty());
    let first = lines.next().unwrap_or("");
    if first.starts_with("Phone timestamp") || first.starts_with("Phone Data RX timestamp") {
        return Ok(Format::PolarSensorLogger);
    }
    if mmash::is_mmash_header(first) {
        return Ok(Format::Mmash);
    }
    if e4::is_e4_header(first, &name) {
        return Ok(Format::EmpaticaE4);
    }
    Ok(rr_text::sniff(&head))
}

fn detect_dir(dir: &Path) -> Result<Format> {
    if canonical::is_canonical(dir) {
        return Ok(Format::Canonical);
    }
    if dir.join("IBI.csv").is_file() {
        return Ok(Format::EmpaticaE4);
    }
    if dir.join("RR.csv").is_file() || dir.join("Actigraph.csv").is_file() {
        return Ok(Format::Mmash);
    }
    if dir.join("ACC.csv").is_file() || dir.join("HR.csv").is_file() {
        return Ok(Format::EmpaticaE4);
    }
    if !polar::files_in_dir(dir)?.is_empty() {
        return Ok(Format::PolarSensorLogger);
    }
    if dir.join("meta.json").is_file() {
        // Has a meta.json but not ours: let the canonical reader say what is wrong with it.
        return Ok(Format::Canonical);
    }
    Err(Error::format(
        dir,
        "cannot tell the recording format of this folder: expected a canonical recording \
         (meta.json), an Empatica E4 session (IBI.csv, ACC.csv, HR.csv), an MMASH user folder \
         (RR.csv, Actigraph.csv, Activity.csv) or Polar Sensor Logger exports (*_RR.txt, \
         *_ACC.txt); pass --format to force one",
    ))
}

/// Import a recording from `path` (file or folder) with `opts`.
///
/// The result carries `meta.source_path`, `meta.source_format`, a pseudonymous
/// `meta.subject_id` where one can be had, `meta.start` (with its UTC offset) when the source
/// gives an absolute clock, and every recoverable oddity in `warnings`.
pub fn import(path: &Path, opts: &ImportOptions) -> Result<Recording> {
    let format = match opts.format {
        Some(f) => f,
        None => detect(path)?,
    };
    let mut rec = match format {
        Format::Canonical => {
            let dir = if path.is_file() {
                path.parent().unwrap_or(Path::new("."))
            } else {
                path
            };
            let mut r = canonical::read(dir)?;
            if r.meta.source_format.is_none() {
                r.meta.source_format = Some(Format::Canonical.name().into());
            }
            r
        }
        Format::RrText | Format::Kubios => rr_text::import(path, format, opts)?,
        Format::PolarSensorLogger => polar::import(path, opts)?,
        Format::EmpaticaE4 => e4::import(folder_of(path), opts)?,
        Format::Mmash => mmash::import(folder_of(path), opts)?,
    };
    if format != Format::Canonical {
        rec.meta.source_format = Some(format.name().into());
        rec.meta.source_path = Some(path.to_path_buf());
    }
    if let Some(id) = &opts.subject_id {
        rec.meta.subject_id = Some(id.clone());
    }
    if format != Format::EmpaticaE4 {
        if let Some(labels) = &opts.labels {
            stress_predict::attach_time_logs(&mut rec, labels)?;
        }
    }
    Ok(rec)
}

/// For folder formats a file inside the folder stands for the folder.
fn folder_of(path: &Path) -> &Path {
    if path.is_file() {
        path.parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
    } else {
        path
    }
}

/// Pseudonymous id from a folder name such as `user_1`, `S01`: only names made of letters,
/// digits, `_` and `-` with at most 16 characters are used, so that nothing personal or
/// device-specific (addresses, long serials) slips in.
pub(crate) fn subject_from_folder(dir: &Path) -> Option<String> {
    let name = dir
        .canonicalize()
        .ok()?
        .file_name()?
        .to_string_lossy()
        .to_string();
    let ok = !name.is_empty()
        && name.len() <= 16
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        && name.chars().any(|c| c.is_ascii_digit());
    ok.then_some(name)
}

pub(crate) fn warn(
    warnings: &mut Vec<ImportWarning>,
    path: &Path,
    line: Option<u64>,
    message: impl Into<String>,
) {
    warnings.push(ImportWarning {
        path: Some(path.to_path_buf()),
        line,
        message: message.into(),
    });
}
