//! CSV tables driven by column specs.
//!
//! * The header of a column is `name_unit` (e.g. `rmssd_ms`, `hr_bpm`, `enmo_mg`), or just
//!   `name` for unitless columns or when the name already ends in `_unit`. Units are written in
//!   ASCII: `²` → `2`, `%` → `pct`, `/` → `per`, other non-alphanumerics → `_`.
//! * Missing values (`None`, NaN, ±∞) are written as an **empty cell**.
//! * Numbers use Rust's shortest round-trip formatting (reading the cell back with `f64::from_str`
//!   gives the same bits), or a fixed number of decimals when the column asks for it.
//! * Rows are streamed: one reusable buffer, no allocation per cell.

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::fmt::Write as _;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// A column: name, unit, description (for the Markdown column table) and number format.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Column {
    /// Name without unit, snake_case, e.g. `rmssd`.
    pub name: String,
    /// Unit, e.g. `ms`, `bpm`, `ms²`, `%`; `None` for unitless columns.
    pub unit: Option<String>,
    /// One-line description (formula, convention, source).
    pub description: String,
    /// Fixed decimals for numbers; `None` = shortest round-trip representation.
    pub decimals: Option<usize>,
}

impl Column {
    /// A column with a unit.
    pub fn new(name: impl Into<String>, unit: impl Into<String>, description: impl Into<String>) -> Self {
        Column {
            name: name.into(),
            unit: Some(unit.into()).filter(|u: &String| !u.is_empty()),
            description: description.into(),
            decimals: None,
        }
    }

    /// A unitless column.
    pub fn unitless(name: impl Into<String>, description: impl Into<String>) -> Self {
        Column {
            name: name.into(),
            unit: None,
            description: description.into(),
            decimals: None,
        }
    }

    /// Same column with a fixed number of decimals.
    pub fn with_decimals(mut self, decimals: usize) -> Self {
        self.decimals = Some(decimals);
        self
    }

    /// The CSV header: `name_unit` (see the module docs).
    pub fn header(&self) -> String {
        match &self.unit {
            None => self.name.clone(),
            Some(u) => {
                let u = ascii_unit(u);
                if u.is_empty() || self.name.ends_with(&format!("_{u}")) {
                    self.name.clone()
                } else {
                    format!("{}_{u}", self.name)
                }
            }
        }
    }
}

/// ASCII form of a unit for headers: `ms²` → `ms2`, `%` → `pct`, `1/min` → `1permin`.
pub fn ascii_unit(unit: &str) -> String {
    let mut out = String::with_capacity(unit.len());
    for c in unit.chars() {
        match c {
            '²' => out.push('2'),
            '³' => out.push('3'),
            '%' => out.push_str("pct"),
            '/' => out.push_str("per"),
            'µ' | 'μ' => out.push('u'),
            c if c.is_ascii_alphanumeric() => out.push(c),
            _ => {
                if !out.ends_with('_') && !out.is_empty() {
                    out.push('_');
                }
            }
        }
    }
    out.trim_end_matches('_').to_string()
}

/// One cell value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Cell {
    /// A number (`None`, NaN, ±∞ → empty cell).
    Num(Option<f64>),
    /// An integer (`None` → empty cell).
    Int(Option<i64>),
    /// A boolean, written `true`/`false` (`None` → empty cell).
    Bool(Option<bool>),
    /// Text (CSV-quoted as needed).
    Text(String),
}

impl From<f64> for Cell {
    fn from(v: f64) -> Self {
        Cell::Num(Some(v))
    }
}
impl From<Option<f64>> for Cell {
    fn from(v: Option<f64>) -> Self {
        Cell::Num(v)
    }
}
impl From<i64> for Cell {
    fn from(v: i64) -> Self {
        Cell::Int(Some(v))
    }
}
impl From<usize> for Cell {
    fn from(v: usize) -> Self {
        Cell::Int(i64::try_from(v).ok())
    }
}
impl From<bool> for Cell {
    fn from(v: bool) -> Self {
        Cell::Bool(Some(v))
    }
}
impl From<&str> for Cell {
    fn from(v: &str) -> Self {
        Cell::Text(v.to_string())
    }
}
impl From<String> for Cell {
    fn from(v: String) -> Self {
        Cell::Text(v)
    }
}

/// Format a number the way [`CsvTable`] does (empty for missing/non-finite).
pub fn format_num(out: &mut String, v: Option<f64>, decimals: Option<usize>) {
    if let Some(v) = v.filter(|v| v.is_finite()) {
        let v = if v == 0.0 { 0.0 } else { v }; // no "-0"
        let _ = match decimals {
            Some(d) => write!(out, "{v:.d$}"),
            None => write!(out, "{v}"),
        };
    }
}

/// A streaming CSV table writer.
pub struct CsvTable<W: Write> {
    writer: csv::Writer<W>,
    columns: Vec<Column>,
    path: PathBuf,
    rows: u64,
    buf: String,
}

impl CsvTable<BufWriter<File>> {
    /// Create `path` and write the header.
    pub fn create(path: &Path, columns: Vec<Column>) -> Result<Self> {
        let file = File::create(path).map_err(|e| Error::io(path, e))?;
        CsvTable::from_writer(BufWriter::new(file), columns, path)
    }
}

impl<W: Write> CsvTable<W> {
    /// Wrap any writer; `label` names the destination in errors. Writes the header.
    /// Duplicate or empty headers are an [`Error::Config`].
    pub fn from_writer(writer: W, columns: Vec<Column>, label: impl Into<PathBuf>) -> Result<Self> {
        let path = label.into();
        let headers: Vec<String> = columns.iter().map(Column::header).collect();
        for (i, h) in headers.iter().enumerate() {
            if h.is_empty() || headers[..i].contains(h) {
                return Err(Error::Config {
                    name: "CSV column".into(),
                    value: h.clone(),
                    expected: "a non-empty header that is unique in the table".into(),
                });
            }
        }
        let mut writer = csv::WriterBuilder::new().flexible(false).from_writer(writer);
        writer
            .write_record(&headers)
            .map_err(|e| csv_err(&path, e))?;
        Ok(CsvTable { writer, columns, path, rows: 0, buf: String::with_capacity(32) })
    }

    /// The column specs.
    pub fn columns(&self) -> &[Column] {
        &self.columns
    }

    /// Number of data rows written so far.
    pub fn rows_written(&self) -> u64 {
        self.rows
    }

    /// Write one row; it must have exactly one cell per column ([`Error::Format`] otherwise).
    pub fn write_row(&mut self, cells: &[Cell]) -> Result<()> {
        if cells.len() != self.columns.len() {
            return Err(Error::Format {
                path: self.path.clone(),
                message: format!(
                    "row {} has {} cells, the table has {} columns",
                    self.rows + 1,
                    cells.len(),
                    self.columns.len()
                ),
            });
        }
        for (cell, col) in cells.iter().zip(&self.columns) {
            self.buf.clear();
            match cell {
                Cell::Num(v) => format_num(&mut self.buf, *v, col.decimals),
                Cell::Int(Some(v)) => {
                    let _ = write!(self.buf, "{v}");
                }
                Cell::Bool(Some(b)) => self.buf.push_str(if *b { "true" } else { "false" }),
                Cell::Int(None) | Cell::Bool(None) => {}
                Cell::Text(s) => {
                    self.writer.write_field(s).map_err(|e| csv_err(&self.path, e))?;
                    continue;
                }
            }
            self.writer.write_field(&self.buf).map_err(|e| csv_err(&self.path, e))?;
        }
        self.writer
            .write_record(std::iter::empty::<&[u8]>())
            .map_err(|e| csv_err(&self.path, e))?;
        self.rows += 1;
        Ok(())
    }

    /// Flush and return the inner writer.
    pub fn finish(self) -> Result<W> {
        let path = self.path;
        self.writer.into_inner().map_err(|e| Error::io(&path, e.into_error()))
    }
}

fn csv_err(path: &Path, e: csv::Error) -> Error {
    match e.into_kind() {
        csv::ErrorKind::Io(io) => Error::io(path, io),
        other => Error::Format { path: path.to_path_buf(), message: format!("CSV write failed: {other:?}") },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_carry_ascii_units() {
        assert_eq!(Column::new("rmssd", "ms", "").header(), "rmssd_ms");
        assert_eq!(Column::new("lf", "ms²", "").header(), "lf_ms2");
        assert_eq!(Column::new("coverage", "%", "").header(), "coverage_pct");
        assert_eq!(Column::new("hr_bpm", "bpm", "").header(), "hr_bpm");
        assert_eq!(Column::new("rate", "1/min", "").header(), "rate_1permin");
        assert_eq!(Column::unitless("label", "").header(), "label");
        assert_eq!(Column::new("x", "", "").header(), "x");
    }

    #[test]
    fn writes_empty_cells_for_missing() {
        let cols = vec![Column::new("a", "ms", ""), Column::unitless("b", ""), Column::new("c", "s", "").with_decimals(2)];
        let mut t = CsvTable::from_writer(Vec::new(), cols, "mem").unwrap();
        t.write_row(&[Cell::Num(None), "x,y".into(), Cell::Num(Some(1.0 / 3.0))]).unwrap();
        t.write_row(&[f64::NAN.into(), Cell::Int(None), (-0.0).into()]).unwrap();
        assert_eq!(t.rows_written(), 2);
        let out = String::from_utf8(t.finish().unwrap()).unwrap();
        assert_eq!(out, "a_ms,b,c_s\n,\"x,y\",0.33\n,,0.00\n");
    }

    #[test]
    fn wrong_row_length_and_duplicate_headers_are_errors() {
        let cols = vec![Column::unitless("a", "")];
        let mut t = CsvTable::from_writer(Vec::new(), cols, "mem.csv").unwrap();
        let e = t.write_row(&[1.0.into(), 2.0.into()]).unwrap_err().to_string();
        assert!(e.contains("mem.csv") && e.contains("2 cells"), "{e}");
        let dup = vec![Column::new("a", "ms", ""), Column::unitless("a_ms", "")];
        assert!(CsvTable::from_writer(Vec::new(), dup, "mem").is_err());
    }
}
