//! `--explain` tables: every element of a profile marked *documented* (with its source key from
//! stress-profiles.md §8) or *assumed* (ours, tag `[A]`).

use serde::{Deserialize, Serialize};

/// Whether an element comes from a source or from this design.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// From a vendor document \[V\], open-source code \[OSS\] or a paper \[P\]; `source` names the key.
    Documented,
    /// Chosen by this design (\[A\]); no public source gives it.
    Assumed,
}

/// One row of an explain table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExplainRow {
    /// What the element is (e.g. "Band edges").
    pub element: String,
    /// The value or rule actually used.
    pub value: String,
    /// Documented or assumed.
    pub status: Status,
    /// Source keys and tags, e.g. `[V][G5]`, or `[A]`.
    pub source: String,
}

/// A profile's rule text plus its table, structured and as Markdown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Explained {
    /// Profile name (`watch-like`, `ring-like`, `tracker-like`, `motion`).
    pub name: String,
    /// The rule in one paragraph.
    pub rule: String,
    /// Every element.
    pub rows: Vec<ExplainRow>,
    /// Markdown rendering: heading, rule, table.
    pub markdown: String,
}

/// Build a row marked documented.
pub fn doc(element: &str, value: impl Into<String>, source: &str) -> ExplainRow {
    ExplainRow {
        element: element.into(),
        value: value.into(),
        status: Status::Documented,
        source: source.into(),
    }
}

/// Build a row marked assumed.
pub fn assumed(element: &str, value: impl Into<String>, note: &str) -> ExplainRow {
    ExplainRow {
        element: element.into(),
        value: value.into(),
        status: Status::Assumed,
        source: if note.is_empty() {
            "[A]".into()
        } else {
            format!("[A] {note}")
        },
    }
}

/// Assemble an [`Explained`] with its Markdown.
pub fn explained(name: &str, rule: &str, rows: Vec<ExplainRow>) -> Explained {
    let mut md = format!("### Profile {name}\n\n{rule}\n\n| Element | Value | Status | Source |\n|---|---|---|---|\n");
    for r in &rows {
        let st = match r.status {
            Status::Documented => "documented",
            Status::Assumed => "**assumed**",
        };
        md.push_str(&format!(
            "| {} | {} | {} | {} |\n",
            cell(&r.element),
            cell(&r.value),
            st,
            cell(&r.source)
        ));
    }
    Explained {
        name: name.into(),
        rule: rule.into(),
        rows,
        markdown: md,
    }
}

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}
