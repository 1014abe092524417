//! JSON with a schema version, and the output folder.
//!
//! [`OutputFolder`] lays out one practice-test result:
//!
//! ```text
//! <out>/
//!   charts/<stem>.png, charts/<stem>.svg   (every chart in both formats)
//!   windows.csv, summary.json, summary.md  (written by the caller through this type)
//! ```
//!
//! JSON files are pretty-printed UTF-8 with a trailing newline; the top level is an object whose
//! key [`SCHEMA_VERSION_KEY`] holds the schema version. `serde_json` writes non-finite floats
//! as `null`. Files are written to a temporary name in the same folder and renamed, so a
//! crash never leaves a half-written `summary.json`.

use super::table::{Column, CsvTable};
use super::{check_stem, render, Chart, RenderedChart};
use crate::error::{Error, Result};
use serde::Serialize;
use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

/// The key that carries the schema version in every JSON file we write.
pub const SCHEMA_VERSION_KEY: &str = "schema_version";

/// Serialize `value` (which must serialize to a JSON object) and add `schema_version`.
///
/// A value that is not an object, or that already has a *different* `schema_version`, is an
/// [`Error::Format`].
pub fn json_with_schema<T: Serialize + ?Sized>(value: &T, schema_version: &str) -> Result<serde_json::Value> {
    let label = Path::new("<json>");
    let v = serde_json::to_value(value).map_err(|e| Error::Format {
        path: label.to_path_buf(),
        message: format!("cannot serialize to JSON: {e}"),
    })?;
    let serde_json::Value::Object(mut map) = v else {
        return Err(Error::Format {
            path: label.to_path_buf(),
            message: "the top level of a versioned JSON file must be an object".into(),
        });
    };
    match map.get(SCHEMA_VERSION_KEY) {
        Some(serde_json::Value::String(s)) if s == schema_version => {}
        Some(other) => {
            return Err(Error::Format {
                path: label.to_path_buf(),
                message: format!("value already has {SCHEMA_VERSION_KEY} = {other}, expected {schema_version:?}"),
            })
        }
        None => {
            map.insert(SCHEMA_VERSION_KEY.into(), serde_json::Value::String(schema_version.into()));
        }
    }
    Ok(serde_json::Value::Object(map))
}

/// Write `value` with its schema version to `path` (pretty, trailing newline, atomic rename).
pub fn write_json<T: Serialize + ?Sized>(path: &Path, value: &T, schema_version: &str) -> Result<()> {
    let v = json_with_schema(value, schema_version).map_err(|e| match e {
        Error::Format { message, .. } => Error::Format { path: path.to_path_buf(), message },
        other => other,
    })?;
    let mut text = serde_json::to_string_pretty(&v).map_err(|e| Error::Format {
        path: path.to_path_buf(),
        message: format!("cannot serialize to JSON: {e}"),
    })?;
    text.push('\n');
    write_atomic(path, text.as_bytes())
}

/// Write bytes to `path` through a temporary file in the same folder and a rename.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let file_name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "out".into());
    let tmp = path.with_file_name(format!(".{file_name}.tmp"));
    std::fs::write(&tmp, bytes).map_err(|e| Error::io(&tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| Error::io(path, e))
}

/// One output folder: charts, CSV tables, JSON and Markdown side by side.
#[derive(Debug, Clone)]
pub struct OutputFolder {
    root: PathBuf,
    charts: Vec<RenderedChart>,
}

impl OutputFolder {
    /// Name of the chart sub-folder.
    pub const CHARTS_DIR: &'static str = "charts";

    /// Create the folder (and `charts/`) if needed.
    pub fn create(root: impl Into<PathBuf>) -> Result<Self> {
        let root = root.into();
        let charts = root.join(Self::CHARTS_DIR);
        std::fs::create_dir_all(&charts).map_err(|e| Error::io(&charts, e))?;
        Ok(OutputFolder { root, charts: Vec::new() })
    }

    /// The folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// `<root>/<name>` after checking that `name` is a plain file name.
    pub fn path(&self, name: &str) -> Result<PathBuf> {
        check_stem(name)?;
        Ok(self.root.join(name))
    }

    /// Render `chart` to `charts/<stem>.png` and `.svg`; remembered for [`Self::charts`].
    pub fn chart<C: Chart>(&mut self, chart: &C, stem: &str) -> Result<RenderedChart> {
        let r = render(chart, &self.root.join(Self::CHARTS_DIR), stem)?;
        self.charts.push(r.clone());
        Ok(r)
    }

    /// Every chart rendered so far, in order.
    pub fn charts(&self) -> &[RenderedChart] {
        &self.charts
    }

    /// Start a CSV table `<root>/<name>`.
    pub fn csv(&self, name: &str, columns: Vec<Column>) -> Result<CsvTable<BufWriter<File>>> {
        CsvTable::create(&self.path(name)?, columns)
    }

    /// Write versioned JSON `<root>/<name>`.
    pub fn json<T: Serialize + ?Sized>(&self, name: &str, value: &T, schema_version: &str) -> Result<PathBuf> {
        let p = self.path(name)?;
        write_json(&p, value, schema_version)?;
        Ok(p)
    }

    /// Write a text file (e.g. Markdown) `<root>/<name>`.
    pub fn text(&self, name: &str, contents: &str) -> Result<PathBuf> {
        let p = self.path(name)?;
        write_atomic(&p, contents.as_bytes())?;
        Ok(p)
    }

    /// Path of `p` relative to the folder root (for links in Markdown), `/`-separated.
    pub fn relative(&self, p: &Path) -> String {
        let rel = p.strip_prefix(&self.root).unwrap_or(p);
        rel.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn schema_version_is_added_and_checked() {
        let v = json_with_schema(&json!({"a": 1}), "1.0").unwrap();
        assert_eq!(v[SCHEMA_VERSION_KEY], "1.0");
        assert_eq!(v["a"], 1);
        assert!(json_with_schema(&json!([1, 2]), "1.0").is_err());
        assert!(json_with_schema(&json!({"schema_version": "0.9"}), "1.0").is_err());
        assert!(json_with_schema(&json!({"schema_version": "1.0"}), "1.0").is_ok());
    }
}
