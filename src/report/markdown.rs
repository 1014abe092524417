//! Markdown helpers for `summary.md`: tables, image links, the column table of a CSV, and the
//! documented/assumed (provenance) table.
//!
//! Cell text is escaped so that it cannot break a table: `|` → `\|`, line breaks → `<br>`,
//! and a leading/trailing space is kept as written. Output uses GitHub-flavoured Markdown.

use super::table::Column;
use super::RenderedChart;
use serde::{Deserialize, Serialize};

/// Escape text for a table cell.
pub fn escape_cell(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '|' => out.push_str("\\|"),
            '\n' => out.push_str("<br>"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// Column alignment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Align {
    /// Left (text).
    Left,
    /// Right (numbers).
    Right,
    /// Centred.
    Center,
}

/// A table with left-aligned columns. Rows shorter than the header are padded with empty
/// cells; longer rows are truncated to the header.
pub fn table<S: AsRef<str>>(headers: &[&str], rows: &[Vec<S>]) -> String {
    table_aligned(headers, &vec![Align::Left; headers.len()], rows)
}

/// A table with per-column alignment (missing alignments default to left).
pub fn table_aligned<S: AsRef<str>>(headers: &[&str], align: &[Align], rows: &[Vec<S>]) -> String {
    let mut out = String::new();
    out.push('|');
    for h in headers {
        out.push(' ');
        out.push_str(&escape_cell(h));
        out.push_str(" |");
    }
    out.push_str("\n|");
    for i in 0..headers.len() {
        out.push_str(match align.get(i).copied().unwrap_or(Align::Left) {
            Align::Left => "---|",
            Align::Right => "---:|",
            Align::Center => ":---:|",
        });
    }
    out.push('\n');
    for row in rows {
        out.push('|');
        for i in 0..headers.len() {
            out.push(' ');
            if let Some(c) = row.get(i) {
                out.push_str(&escape_cell(c.as_ref()));
            }
            out.push_str(" |");
        }
        out.push('\n');
    }
    out
}

/// Percent-encode the characters that break a Markdown link target.
fn link_target(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for c in path.chars() {
        match c {
            ' ' => out.push_str("%20"),
            '(' => out.push_str("%28"),
            ')' => out.push_str("%29"),
            '<' => out.push_str("%3C"),
            '>' => out.push_str("%3E"),
            c => out.push(c),
        }
    }
    out
}

fn escape_inline(text: &str) -> String {
    text.replace('[', "\\[").replace(']', "\\]").replace('\n', " ")
}

/// `![alt](path)`.
pub fn image(alt: &str, path: &str) -> String {
    format!("![{}]({})", escape_inline(alt), link_target(path))
}

/// `[text](path)`.
pub fn link(text: &str, path: &str) -> String {
    format!("[{}]({})", escape_inline(text), link_target(path))
}

/// A chart section: `### title`, the PNG inline and a link to the SVG. `rel_png`/`rel_svg` are
/// paths relative to the Markdown file (see [`super::OutputFolder::relative`]).
pub fn chart_section(chart: &RenderedChart, rel_png: &str, rel_svg: &str) -> String {
    format!(
        "### {}\n\n{}\n\n{} · {}\n",
        chart.title.replace('\n', " "),
        image(&chart.title, rel_png),
        link("PNG", rel_png),
        link("SVG (vector)", rel_svg)
    )
}

/// Documentation table of CSV columns: header, unit, description.
pub fn columns_table(columns: &[Column]) -> String {
    let rows: Vec<Vec<String>> = columns
        .iter()
        .map(|c| vec![format!("`{}`", c.header()), c.unit.clone().unwrap_or_else(|| "–".into()), c.description.clone()])
        .collect();
    table(&["column", "unit", "description"], &rows)
}

/// Where a rule or parameter comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "lowercase")]
pub enum Provenance {
    /// Documented by a vendor, a paper or a library; `source` names it (e.g. `"[G5] Garmin stress FAQ"`).
    Documented {
        /// The source.
        source: String,
    },
    /// Chosen by us; `reason` says why (may be empty).
    Assumed {
        /// Why this choice.
        reason: String,
    },
}

/// One row of the documented/assumed table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProvenanceItem {
    /// Profile or stage, e.g. `"watch-like"`, `"motion"`.
    pub scope: String,
    /// The element, e.g. `"band edges"`.
    pub element: String,
    /// The rule or value actually used, e.g. `"rest 0–25, low 26–50, medium 51–75, high 76–100"`.
    pub rule: String,
    /// Documented (with source) or assumed (with reason).
    pub provenance: Provenance,
}

/// The documented/assumed table: scope, element, rule, status (*documented* / **assumed**), source or reason.
pub fn provenance_table(items: &[ProvenanceItem]) -> String {
    let rows: Vec<Vec<String>> = items
        .iter()
        .map(|i| {
            let (status, note) = match &i.provenance {
                Provenance::Documented { source } => ("*documented*".to_string(), source.clone()),
                Provenance::Assumed { reason } => ("**assumed**".to_string(), reason.clone()),
            };
            vec![i.scope.clone(), i.element.clone(), i.rule.clone(), status, note]
        })
        .collect();
    table(&["scope", "element", "rule used", "status", "source / reason"], &rows)
}

/// Format an optional number for a table (`–` when missing or non-finite).
pub fn fmt_opt(v: Option<f64>, decimals: usize) -> String {
    match v.filter(|v| v.is_finite()) {
        Some(v) => format!("{v:.decimals$}"),
        None => "–".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_escape_and_pad() {
        let t = table(&["a", "b|c"], &[vec!["1|2", "x\ny"], vec!["only"]]);
        assert_eq!(t, "| a | b\\|c |\n|---|---|\n| 1\\|2 | x<br>y |\n| only |  |\n");
        let t = table_aligned(&["n"], &[Align::Right], &[vec!["3"]]);
        assert!(t.contains("---:|"));
    }

    #[test]
    fn links_are_encoded() {
        assert_eq!(image("a [b]", "charts/x y.png"), "![a \\[b\\]](charts/x%20y.png)");
        assert_eq!(link("t", "a(b).svg"), "[t](a%28b%29.svg)");
        assert_eq!(fmt_opt(None, 1), "–");
        assert_eq!(fmt_opt(Some(f64::NAN), 1), "–");
        assert_eq!(fmt_opt(Some(2.345), 1), "2.3");
    }

    #[test]
    fn provenance_rows() {
        let items = vec![
            ProvenanceItem {
                scope: "watch-like".into(),
                element: "bands".into(),
                rule: "rest 0–25".into(),
                provenance: Provenance::Documented { source: "[G5]".into() },
            },
            ProvenanceItem {
                scope: "motion".into(),
                element: "still".into(),
                rule: "ENMO < 30 mg".into(),
                provenance: Provenance::Assumed { reason: "within published cut-points".into() },
            },
        ];
        let t = provenance_table(&items);
        assert!(t.contains("| watch-like | bands | rest 0–25 | *documented* | [G5] |"));
        assert!(t.contains("**assumed**"));
    }
}
