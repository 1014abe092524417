//! `analyze`: one row per window, every indicator, as CSV or JSON, plus a human summary.
//!
//! The CSV columns are stable and carry their unit in the name (`sdnn_ms`, `lf_ms2`, …):
//! window placement and quality first (`start_s`, `end_s`, `start_local`, `n_beats`,
//! `n_valid_diffs`, `coverage`, `corrected_share`, `valid`, `invalid_reason`), then every
//! indicator of [`crate::indicators::IndicatorSet::columns`] in that order. Missing values
//! (indicator not computable on the window) are empty cells. `docs/FORMULAS.md` documents every
//! indicator; `--explain` prints the formulas and parameters actually used.

use crate::engine::Analysis;
use crate::error::{Error, Result};
use crate::indicators::IndicatorSet;
use serde::Serialize;
use std::io::Write;

/// Version of the `analyze` CSV/JSON layout.
pub const SCHEMA_VERSION: &str = "1";

const QUALITY_COLUMNS: [&str; 9] = [
    "start_s",
    "end_s",
    "start_local",
    "n_beats",
    "n_valid_diffs",
    "coverage",
    "corrected_share",
    "valid",
    "invalid_reason",
];

fn fmt_num(v: Option<f64>) -> String {
    match v {
        Some(x) if x.is_finite() => {
            let s = format!("{x:.6}");
            let s = s.trim_end_matches('0').trim_end_matches('.');
            s.to_string()
        }
        _ => String::new(),
    }
}

/// Write the per-window table as CSV.
pub fn write_csv(a: &Analysis, out: &mut dyn Write, label: &std::path::Path) -> Result<()> {
    let io = |e| Error::io(label, e);
    let mut header: Vec<String> = QUALITY_COLUMNS.iter().map(|s| s.to_string()).collect();
    header.extend(IndicatorSet::columns().iter().map(|c| c.name.to_string()));
    writeln!(out, "{}", header.join(",")).map_err(io)?;
    let mut line = String::with_capacity(1024);
    for w in &a.windows {
        line.clear();
        let q = &w.quality;
        let local = a
            .start
            .map(|s| (s + chrono::Duration::milliseconds((q.start_s * 1000.0).round() as i64)).to_rfc3339())
            .unwrap_or_default();
        let cells = [
            fmt_num(Some(q.start_s)),
            fmt_num(Some(q.end_s)),
            local,
            q.n_beats.to_string(),
            q.n_valid_diffs.to_string(),
            fmt_num(Some(q.coverage)),
            fmt_num(Some(q.corrected_share)),
            q.valid.to_string(),
            q.invalid_reason.map(|r| r.as_str().to_string()).unwrap_or_default(),
        ];
        line.push_str(&cells.join(","));
        for v in w.indicators.values() {
            line.push(',');
            line.push_str(&fmt_num(v));
        }
        writeln!(out, "{line}").map_err(io)?;
    }
    out.flush().map_err(io)
}

#[derive(Serialize)]
struct JsonOut<'a> {
    schema_version: &'static str,
    columns: Vec<ColumnDoc>,
    #[serde(flatten)]
    analysis: &'a Analysis,
}

#[derive(Serialize)]
struct ColumnDoc {
    name: &'static str,
    unit: &'static str,
    description: &'static str,
}

/// Write the whole analysis (config echo, cleaning log, windows) as JSON.
pub fn write_json(a: &Analysis, out: &mut dyn Write, label: &std::path::Path) -> Result<()> {
    let doc = JsonOut {
        schema_version: SCHEMA_VERSION,
        columns: IndicatorSet::columns()
            .iter()
            .map(|c| ColumnDoc {
                name: c.name,
                unit: c.unit,
                description: c.description,
            })
            .collect(),
        analysis: a,
    };
    serde_json::to_writer_pretty(&mut *out, &doc).map_err(|e| Error::io(label, e.into()))?;
    writeln!(out).map_err(|e| Error::io(label, e))
}

fn median(mut v: Vec<f64>) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let h = v.len() / 2;
    Some(if v.len() % 2 == 1 { v[h] } else { (v[h - 1] + v[h]) / 2.0 })
}

/// A short human summary: span, windows valid/invalid and why, cleaning edits, medians of
/// key indicators over valid windows.
pub fn summary(a: &Analysis) -> String {
    let n = a.windows.len();
    let valid: Vec<_> = a.windows.iter().filter(|w| w.quality.valid).collect();
    let mut reasons = std::collections::BTreeMap::<&str, usize>::new();
    for w in &a.windows {
        if let Some(r) = w.quality.invalid_reason {
            *reasons.entry(r.as_str()).or_default() += 1;
        }
    }
    let mut s = String::new();
    if let Some((t0, t1)) = a.span_s {
        s.push_str(&format!("span {:.2} h", (t1 - t0) / 3600.0));
        if let Some(st) = a.start {
            s.push_str(&format!(" from {}", st.to_rfc3339()));
        }
        s.push('\n');
    }
    let c = &a.cleaning;
    s.push_str(&format!(
        "beats {} → NN {} ({} corrected) with cleaning `{:?}`\n",
        c.n_input, c.n_output, c.n_corrected, c.method
    ));
    s.push_str(&format!(
        "windows {} ({} s every {} s): {} valid",
        n,
        a.config.window.len_s,
        a.config.window.step_s,
        valid.len()
    ));
    if !reasons.is_empty() {
        let r: Vec<String> = reasons.iter().map(|(k, v)| format!("{k} {v}")).collect();
        s.push_str(&format!(", invalid: {}", r.join(", ")));
    }
    s.push('\n');
    let med = |f: fn(&IndicatorSet) -> Option<f64>| median(valid.iter().filter_map(|w| f(&w.indicators)).collect());
    let show = |v: Option<f64>, d: usize| v.map(|x| format!("{x:.d$}")).unwrap_or_else(|| "–".into());
    s.push_str(&format!(
        "median over valid windows: HR {} bpm, RMSSD {} ms, SDNN {} ms, Baevsky SI {}\n",
        show(med(|i| i.mean_hr_bpm), 1),
        show(med(|i| i.rmssd_ms), 1),
        show(med(|i| i.sdnn_ms), 1),
        show(med(|i| i.baevsky_si), 0),
    ));
    s
}
