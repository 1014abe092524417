//! `practice-test`: the Dutch DPA's 2025 wearable practice test, replayed in the open.
//!
//! For one recording, [`run`] scores it with the three profiles ([`crate::profiles::run`]) and
//! writes one output folder:
//!
//! | file | content |
//! |---|---|
//! | `timeline.png/.svg` | (a) HR, motion, the three scores with their gaps, motion shaded, labelled segments |
//! | `scatter.png/.svg` | (b) score vs motion intensity per profile, with Spearman ρ (policy `none`: the raw number before any motion rule) |
//! | `distribution.png/.svg` | (c) score per motion level per profile (policy `none`) |
//! | `daily.png/.svg` | (d) the app-style daily headline per profile next to the transparent breakdown |
//! | `policies.png/.svg` | (e) hours of stress under each motion policy, per profile |
//! | `windows.csv` | every profile window (default policy): score, code, band, motion, inputs and every HRV indicator on that window |
//! | `summary.json` | the whole [`PracticeResult`] with `schema_version` |
//! | `summary.md` | the readable report: headlines, breakdowns, confound statistics, charts, formulas and the documented/assumed tables |
//!
//! [`run_cohort`] does the same for many recordings in parallel and adds a cohort table and
//! chart. Nothing here computes a score: this module only lays out what the profile, motion
//! and indicator modules computed, so every number in the folder traces back to their
//! documented formulas.

use crate::cleaning;
use crate::error::{Error, Result};
use crate::indicators::{self, Conventions, Workspace};
use crate::motion::MotionLevel as MLevel;
use crate::profiles::{
    self, MotionPolicy, PracticeConfig, PracticeResult, ProfileKind, ProfileResult,
};
use crate::recording::Recording;
use crate::report::{
    self, markdown, BreakdownPart, Cell, CohortChart, CohortRow, Column, DailyBar, DailyBars,
    DistributionPanel, MotionLevel, MotionShade, OutputFolder, PartKind, PolicyGroup, PolicyHours,
    ScatterPanel, ScoreDistribution, ScoreMotionScatter, ScoreSeries, Segment, Timeline,
};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// Version of the `summary.json` / `windows.csv` layout. Bump on any breaking change.
pub const SCHEMA_VERSION: &str = "1";

/// What [`run`] wrote.
#[derive(Debug, Clone, Serialize)]
pub struct PracticeOutput {
    /// The output folder.
    pub dir: PathBuf,
    /// Every file written, relative to `dir`.
    pub files: Vec<String>,
}

fn band_edges(k: ProfileKind) -> Vec<f64> {
    match k {
        ProfileKind::Watch => vec![25.0, 50.0, 75.0],
        ProfileKind::Ring => vec![25.0, 50.0, 75.0],
        ProfileKind::Tracker => vec![30.0, 60.0, 80.0],
    }
}

fn y_label(k: ProfileKind) -> &'static str {
    match k {
        ProfileKind::Watch => "score (0–100)",
        ProfileKind::Ring => "percentile (0–100)",
        ProfileKind::Tracker => "spot score (1–100)",
    }
}

fn chart_level(l: MLevel) -> Option<MotionLevel> {
    match l {
        MLevel::Light => Some(MotionLevel::Light),
        MLevel::Active => Some(MotionLevel::Active),
        _ => None,
    }
}

fn subject(rec: &Recording) -> String {
    rec.meta
        .subject_id
        .clone()
        .unwrap_or_else(|| "recording".to_string())
}

/// Score a recording with the three profiles and write the practice-test folder to `out`.
pub fn run(
    rec: &Recording,
    cfg: &PracticeConfig,
    out: &Path,
) -> Result<(PracticeResult, PracticeOutput)> {
    // One cleaning pass, shared by the profiles, the timeline and windows.csv.
    let cleaned = cleaning::clean(&rec.beats, &cfg.cleaning);
    let (res, cleaned) = profiles::run_cleaned(rec, cfg, cleaned);
    let output = write_cleaned(rec, &res, &cleaned, out)?;
    Ok((res, output))
}

/// Write the practice-test folder for an already computed result.
pub fn write(rec: &Recording, res: &PracticeResult, out: &Path) -> Result<PracticeOutput> {
    let cleaned = cleaning::clean(&rec.beats, &res.config.cleaning);
    write_cleaned(rec, res, &cleaned, out)
}

/// [`write`] with the beats already cleaned with `res.config.cleaning`.
fn write_cleaned(
    rec: &Recording,
    res: &PracticeResult,
    cleaned: &cleaning::Cleaned,
    out: &Path,
) -> Result<PracticeOutput> {
    let mut folder = OutputFolder::create(out)?;
    let name = subject(rec);
    let mut files = Vec::new();
    let timeline = folder.chart(&timeline(rec, res, &name, cleaned), "timeline")?;
    let scatter = folder.chart(&scatter(res, &name), "scatter")?;
    let dist = folder.chart(&distribution(res, &name), "distribution")?;
    let daily = folder.chart(&daily_bars(res, &name), "daily")?;
    let policies = folder.chart(&policy_hours(res, &name), "policies")?;
    for c in [&timeline, &scatter, &dist, &daily, &policies] {
        files.push(folder.relative(&c.png));
        files.push(folder.relative(&c.svg));
    }

    let columns = write_windows_csv(&folder, res, cleaned)?;
    files.push("windows.csv".into());
    folder.json("summary.json", res, SCHEMA_VERSION)?;
    files.push("summary.json".into());
    let md = summary_markdown(
        res,
        &name,
        &folder,
        &[timeline, scatter, dist, daily, policies],
        &columns,
    );
    folder.text("summary.md", &md)?;
    files.push("summary.md".into());
    Ok(PracticeOutput {
        dir: out.to_path_buf(),
        files,
    })
}

fn timeline(
    rec: &Recording,
    res: &PracticeResult,
    name: &str,
    cleaned: &cleaning::Cleaned,
) -> Timeline {
    let mut tl = Timeline::new(format!("Stress scores and motion — {name}"));
    tl.subtitle = Some(format!(
        "scores under each profile's default motion policy; motion: {}{}",
        res.motion.unit,
        if res.motion.is_proxy {
            " (HR-based proxy, no motion sensor)"
        } else {
            ""
        }
    ));
    tl.start = rec.meta.start;
    tl.hr = cleaned
        .t_s
        .iter()
        .zip(&cleaned.rr_ms)
        .map(|(&t, &rr)| (t, 60_000.0 / rr))
        .collect();
    let series = &res.motion.series;
    tl.motion_label = format!("motion ({})", series.unit);
    tl.motion_is_proxy = res.motion.is_proxy;
    tl.motion = series
        .epochs
        .iter()
        .filter_map(|e| e.intensity.map(|v| (e.t_s + e.dur_s / 2.0, v)))
        .collect();
    if !res.motion.is_proxy {
        tl.motion_thresholds = vec![
            (series.cutpoints.still_below, "light".into()),
            (series.cutpoints.active_from, "active".into()),
        ];
    }
    for e in &series.epochs {
        let Some(level) = chart_level(e.level) else {
            continue;
        };
        match tl.motion_shading.last_mut() {
            Some(last) if last.level == level && (e.t_s - last.end_s).abs() < 1e-6 => {
                last.end_s = e.t_s + e.dur_s
            }
            _ => tl.motion_shading.push(MotionShade {
                start_s: e.t_s,
                end_s: e.t_s + e.dur_s,
                level,
            }),
        }
    }
    for p in &res.profiles {
        tl.scores.push(ScoreSeries {
            name: format!("{} ({})", p.name, p.default_policy),
            y_label: y_label(p.profile).into(),
            window_s: p.window_s,
            points: p.windows.iter().map(|w| (w.start_s, w.score)).collect(),
            flagged: p.windows.iter().map(|w| w.motion_flag).collect(),
            band_edges: band_edges(p.profile),
        });
    }
    tl.segments = rec
        .labels()
        .map(|e| Segment {
            start_s: e.start_s,
            end_s: e.end_s,
            label: e.label.clone(),
        })
        .collect();
    tl
}

/// The run used for the confound charts: policy `none` (the raw number before any motion
/// rule), falling back to the default policy.
fn raw_run(p: &ProfileResult) -> &[profiles::ProfileWindow] {
    p.run(MotionPolicy::None)
        .map(|r| &r.windows[..])
        .unwrap_or(&p.windows)
}

fn scatter(res: &PracticeResult, name: &str) -> ScoreMotionScatter {
    let panels = res
        .profiles
        .iter()
        .map(|p| {
            let ws = raw_run(p);
            let mut points = Vec::new();
            let mut flagged = Vec::new();
            let mut unscored = 0;
            for w in ws {
                match (w.motion.mean_intensity, w.score) {
                    (Some(x), Some(y)) => {
                        points.push((x, y));
                        flagged.push(w.in_motion);
                    }
                    _ => unscored += 1,
                }
            }
            ScatterPanel {
                profile: p.name.clone(),
                points,
                flagged,
                rho: res
                    .confound
                    .profiles
                    .iter()
                    .find(|c| c.profile == p.profile && c.policy == MotionPolicy::None)
                    .and_then(|c| c.rho_motion_score),
                unscored,
            }
        })
        .collect();
    ScoreMotionScatter {
        title: format!("Score vs motion — {name}"),
        subtitle: Some(
            "policy none: every window scored, before any motion rule; ρ = Spearman".into(),
        ),
        x_label: format!(
            "mean motion intensity over the window ({})",
            res.motion.unit
        ),
        y_label: "score".into(),
        x_thresholds: if res.motion.is_proxy {
            vec![]
        } else {
            vec![
                (res.motion.series.cutpoints.still_below, "light".into()),
                (res.motion.series.cutpoints.active_from, "active".into()),
            ]
        },
        panels,
    }
}

fn distribution(res: &PracticeResult, name: &str) -> ScoreDistribution {
    let levels = [MLevel::Still, MLevel::Light, MLevel::Active];
    let panels = res
        .profiles
        .iter()
        .map(|p| {
            let mut groups = vec![Vec::new(); levels.len()];
            let mut unscored = vec![0usize; levels.len()];
            for w in raw_run(p) {
                if let Some(i) = levels.iter().position(|&l| l == w.motion.max_level) {
                    match w.score {
                        Some(s) => groups[i].push(s),
                        None => unscored[i] += 1,
                    }
                }
            }
            DistributionPanel {
                profile: p.name.clone(),
                groups,
                unscored,
            }
        })
        .collect();
    ScoreDistribution {
        title: format!("Score per motion level — {name}"),
        subtitle: Some("policy none; level = the most intense motion epoch in the window".into()),
        y_label: "score".into(),
        levels: levels.iter().map(|l| l.name().to_string()).collect(),
        panels,
    }
}

fn parts_of(p: &ProfileResult, day: i64, cfg: &PracticeConfig) -> Vec<BreakdownPart> {
    let Some(run) = p.run(p.default_policy) else {
        return vec![];
    };
    let Some(d) = run.daily.iter().find(|d| d.day == day) else {
        return vec![];
    };
    let h = |s: f64| s / 3600.0;
    // (label, hours) per band from calm to stressed, and the first band the headline counts.
    let (bands, first_counted): (Vec<(String, f64)>, usize) = match &d.vendor {
        profiles::daily::VendorDaily::Watch {
            rest_s,
            low_s,
            medium_s,
            high_s,
            ..
        } => {
            // Labels from the configured band edges, so that they follow `watch.band_edges`.
            let [a, b, c] = cfg.watch.band_edges;
            (
                vec![
                    (format!("rest (0–{a:.0})"), h(*rest_s)),
                    (format!("low ({:.0}–{b:.0})", a + 1.0), h(*low_s)),
                    (format!("medium ({:.0}–{c:.0})", b + 1.0), h(*medium_s)),
                    (format!("high ({:.0}–100)", c + 1.0), h(*high_s)),
                ],
                1,
            )
        }
        profiles::daily::VendorDaily::Ring {
            stress_high_s,
            engaged_s,
            relaxed_s,
            recovery_high_s,
            ..
        } => (
            vec![
                ("restored".into(), h(*recovery_high_s)),
                ("relaxed".into(), h(*relaxed_s)),
                ("engaged".into(), h(*engaged_s)),
                ("stressed".into(), h(*stress_high_s)),
            ],
            3,
        ),
        profiles::daily::VendorDaily::Tracker {
            n_scored,
            share_per_band,
            ..
        } => {
            // A spot stands for its whole cadence interval (the headline counts spot_h per spot).
            let spot_h = cfg.tracker.spot_h;
            let bands = ["relaxed", "normal", "medium", "high"]
                .iter()
                .map(|n| {
                    let share = share_per_band.get(*n).copied().unwrap_or(0.0);
                    (
                        format!("{n} ({spot_h} h per spot)"),
                        share * *n_scored as f64 * spot_h,
                    )
                })
                .collect();
            (bands, 2)
        }
    };
    let of = bands.len() as u32;
    let mut parts: Vec<BreakdownPart> = bands
        .into_iter()
        .enumerate()
        .map(|(i, (label, hours))| BreakdownPart {
            label,
            hours,
            kind: PartKind::Band { rank: i as u32, of },
            counted: i >= first_counted,
        })
        .collect();
    parts.push(BreakdownPart {
        label: "no score: motion".into(),
        hours: h(d.masked_motion_s),
        kind: PartKind::MotionMasked,
        counted: false,
    });
    parts.push(BreakdownPart {
        label: "no score: no data / invalid".into(),
        hours: h(d.no_data_s),
        kind: PartKind::NoData,
        counted: false,
    });
    parts
}

fn daily_bars(res: &PracticeResult, name: &str) -> DailyBars {
    let mut rows = Vec::new();
    for p in &res.profiles {
        for d in &p.daily {
            let mut notes = vec![format!(
                "of which during motion {:.1} h, in the 30 min after motion {:.1} h; no score for {:.1} h",
                d.breakdown.stress_in_motion_h, d.breakdown.stress_after_motion_h, d.breakdown.no_score_h
            )];
            notes.push(d.sensitivity.clone());
            rows.push(DailyBar {
                profile: if p.daily.len() > 1 {
                    format!("{} · {}", p.name, d.label)
                } else {
                    p.name.clone()
                },
                headline: d.headline.clone(),
                headline_hours: Some(d.stress_h),
                headline_rule: d.stress_rule.clone(),
                day_h: d.breakdown.recorded_h.max(1e-9),
                parts: parts_of(p, d.day, &res.config),
                notes,
            });
        }
    }
    DailyBars {
        title: format!("What the app says vs what is behind it — {name}"),
        subtitle: Some(
            "left: the headline an app would print; right: the whole recorded day".into(),
        ),
        rows,
    }
}

fn policy_hours(res: &PracticeResult, name: &str) -> PolicyHours {
    let groups = res
        .profiles
        .iter()
        .map(|p| {
            let hours = MotionPolicy::ALL
                .iter()
                .map(|&pol| {
                    let v: f64 = p
                        .daily
                        .iter()
                        .filter_map(|d| d.by_policy.iter().find(|h| h.policy == pol))
                        .map(|h| h.stress_h)
                        .sum();
                    (!p.daily.is_empty()).then_some(v)
                })
                .collect();
            PolicyGroup {
                profile: p.name.clone(),
                hours,
                default_policy: MotionPolicy::ALL
                    .iter()
                    .position(|&x| x == p.default_policy),
            }
        })
        .collect();
    PolicyHours {
        title: format!("Hours of stress under each motion policy — {name}"),
        subtitle: Some(
            "same data, same formulas; only the rule for windows with motion changes".into(),
        ),
        y_label: "hours of stress (profile's own rule)".into(),
        policies: MotionPolicy::ALL
            .iter()
            .map(|p| p.name().to_string())
            .collect(),
        groups,
    }
}

fn window_columns() -> Vec<Column> {
    let mut c = vec![
        Column::unitless("profile", "watch-like, ring-like or tracker-like"),
        Column::unitless(
            "policy",
            "motion policy the row was scored under (the profile's default)",
        ),
        Column::new(
            "start",
            "s",
            "window start, seconds since the recording start",
        ),
        Column::new("end", "s", "window end, seconds since the recording start"),
        Column::unitless(
            "score",
            "profile score (watch 0–100, ring percentile 0–100, tracker 1–100); empty = no score",
        ),
        Column::unitless(
            "code",
            "watch-like status code (−1 not enough data, −2 excess motion, −4 recovering)",
        ),
        Column::unitless("band", "band or zone of the score"),
        Column::unitless("status", "why the window has or lacks a score"),
        Column::unitless("motion_flag", "the policy attached a motion flag"),
        Column::unitless("in_motion", "the profile's own motion criterion held"),
        Column::unitless("recovering", "within the post-exercise period"),
        Column::unitless(
            "after_motion",
            "starts within followed_motion_s (default 1800 s, assumed) after an active bout",
        ),
        Column::unitless(
            "motion_level",
            "most intense motion level of the window's epochs",
        ),
        Column::new(
            "motion_intensity",
            "mg or proxy",
            "mean motion intensity (unit in summary.json motion.unit)",
        ),
        Column::unitless("still_share", "share of the window's epochs that are still"),
        Column::unitless("label", "label covering ≥ 50 % of the window"),
        Column::unitless(
            "category",
            "label category (mental stress / rest / exercise / other)",
        ),
        Column::new("input_hr", "bpm", "HR the profile used"),
        Column::unitless(
            "input_ln_rmssd",
            "lnRMSSD the profile used (natural log of RMSSD in ms)",
        ),
        Column::unitless("input_si", "Baevsky SI the profile used"),
        Column::unitless("activation", "activation before the score mapping"),
        Column::unitless(
            "coverage",
            "share of the window covered by clean NN intervals",
        ),
        Column::unitless("valid", "window valid under the validity rules"),
    ];
    for ic in indicators::IndicatorSet::columns() {
        // Indicator names already carry their unit (`rmssd_ms`, `lf_ms2`); the unit goes in
        // the description so that the header stays the documented name.
        c.push(Column::unitless(
            ic.name,
            format!("{} [{}]", ic.description, ic.unit),
        ));
    }
    c
}

fn write_windows_csv(
    folder: &OutputFolder,
    res: &PracticeResult,
    cleaned: &cleaning::Cleaned,
) -> Result<Vec<Column>> {
    let columns = window_columns();
    let mut table = folder.csv("windows.csv", columns.clone())?;
    let conv = Conventions::of(res.config.convention);
    let mut ws = Workspace::new();
    let opt_i = |v: Option<i32>| Cell::Int(v.map(i64::from));
    for p in &res.profiles {
        for w in &p.windows {
            let ind = indicators::compute_with(
                &mut ws,
                &crate::windows::slice(cleaned, w.start_s, w.end_s),
                &conv,
            );
            let mut cells = vec![
                Cell::Text(p.name.clone()),
                Cell::Text(p.default_policy.to_string()),
                Cell::Num(Some(w.start_s)),
                Cell::Num(Some(w.end_s)),
                Cell::Num(w.score),
                opt_i(w.code),
                Cell::Text(w.band.clone().unwrap_or_default()),
                Cell::Text(
                    serde_json::to_value(w.status)
                        .ok()
                        .and_then(|v| v.as_str().map(String::from))
                        .unwrap_or_default(),
                ),
                Cell::Bool(Some(w.motion_flag)),
                Cell::Bool(Some(w.in_motion)),
                Cell::Bool(Some(w.recovering)),
                Cell::Bool(Some(w.after_motion)),
                Cell::Text(w.motion.max_level.name().into()),
                Cell::Num(w.motion.mean_intensity),
                Cell::Num(Some(w.motion.still_share)),
                Cell::Text(w.label.clone().unwrap_or_default()),
                Cell::Text(
                    w.category
                        .and_then(|c| serde_json::to_value(c).ok())
                        .and_then(|v| v.as_str().map(String::from))
                        .unwrap_or_default(),
                ),
                Cell::Num(w.inputs.hr_bpm),
                Cell::Num(w.inputs.ln_rmssd),
                Cell::Num(w.inputs.si),
                Cell::Num(w.inputs.activation),
                Cell::Num(Some(w.inputs.coverage)),
                Cell::Bool(Some(w.inputs.valid)),
            ];
            cells.extend(ind.values().into_iter().map(Cell::Num));
            table.write_row(&cells)?;
        }
    }
    table.finish()?;
    Ok(columns)
}

fn summary_markdown(
    res: &PracticeResult,
    name: &str,
    folder: &OutputFolder,
    charts: &[report::RenderedChart],
    columns: &[Column],
) -> String {
    let mut md = String::new();
    md.push_str(&format!("# Wearable stress practice test — {name}\n\n"));
    md.push_str(
        "This report replays the Dutch Data Protection Authority's 2025 practice test of three stress-measuring \
         wearables (a watch, a ring, an activity tracker) on this recording, with three documented *vendor-like* \
         profiles. They are not the vendors' algorithms (those are unpublished); every rule below is either \
         **documented** (with its source) or **assumed** by us, and marked so.\n\n",
    );
    let r = &res.recording;
    md.push_str(&format!(
        "- Recording: subject `{}`, format `{}`, start {}, {:.1} h of data, {} beats ({} clean NN intervals)\n",
        r.subject_id.as_deref().unwrap_or("?"),
        r.source_format.as_deref().unwrap_or("?"),
        r.start.as_deref().unwrap_or("unknown (times are relative)"),
        (r.span_s.1 - r.span_s.0) / 3600.0,
        r.n_beats,
        r.n_clean
    ));
    md.push_str(&format!(
        "- Motion: {} ({}){}\n",
        serde_json::to_value(res.motion.source)
            .ok()
            .and_then(|v| v.as_str().map(String::from))
            .unwrap_or_default(),
        res.motion.unit,
        if res.motion.is_proxy {
            " — **an HR-based proxy: this recording has no motion sensor**"
        } else {
            ""
        }
    ));
    for n in &res.notes {
        md.push_str(&format!("- {n}\n"));
    }
    md.push_str("\n## What the apps would say\n\n");
    let mut rows = Vec::new();
    for p in &res.profiles {
        for d in &p.daily {
            let pol = |x: MotionPolicy| {
                d.by_policy
                    .iter()
                    .find(|h| h.policy == x)
                    .map(|h| format!("{:.1}", h.stress_h))
                    .unwrap_or_default()
            };
            rows.push(vec![
                p.name.clone(),
                d.label.clone(),
                format!("\"{}\"", d.headline),
                format!(
                    "{:.1}",
                    d.breakdown.stress_in_motion_h + d.breakdown.stress_after_motion_h
                ),
                format!("{:.1}", d.breakdown.no_score_h),
                pol(MotionPolicy::None),
                pol(MotionPolicy::Flag),
                pol(MotionPolicy::Suppress),
                if p.calibrated {
                    "yes".into()
                } else {
                    "no".into()
                },
            ]);
        }
    }
    md.push_str(&markdown::table(
        &[
            "profile",
            "day",
            "headline (default policy)",
            "of which during/after motion (h)",
            "no score (h)",
            "h if policy none",
            "h if flag",
            "h if suppress",
            "calibrated",
        ],
        &rows,
    ));
    md.push('\n');
    for p in &res.profiles {
        for d in &p.daily {
            md.push_str(&format!(
                "- **{}**, {}: rule: {}. {}\n",
                p.name, d.label, d.stress_rule, d.sensitivity
            ));
        }
        md.push_str(&format!(
            "- **{}** calibration: {}\n",
            p.name, p.calibration.note
        ));
    }
    md.push_str("\n## Does motion drive the score?\n\n");
    let ic = &res.confound.indicators;
    md.push_str(&format!(
        "Spearman ρ between motion intensity and the raw indicators over {}-s windows (n = {}): HR {}, RMSSD {}, Baevsky SI {}.\n\n",
        ic.window_s,
        ic.n,
        markdown::fmt_opt(ic.rho_motion_hr, 2),
        markdown::fmt_opt(ic.rho_motion_rmssd, 2),
        markdown::fmt_opt(ic.rho_motion_si, 2)
    ));
    let est = |e: &Option<profiles::stats::Estimate>| {
        e.as_ref()
            .map(|e| {
                format!(
                    "{} [{}, {}]",
                    markdown::fmt_opt(Some(e.value), 1),
                    markdown::fmt_opt(Some(e.lo), 1),
                    markdown::fmt_opt(Some(e.hi), 1)
                )
            })
            .unwrap_or_else(|| "–".into())
    };
    let rows: Vec<Vec<String>> = res
        .confound
        .profiles
        .iter()
        .map(|c| {
            vec![
                c.profile.name().to_string(),
                c.policy.to_string(),
                c.n.to_string(),
                markdown::fmt_opt(c.rho_motion_score, 2),
                est(&c.median_still),
                est(&c.median_active),
                markdown::fmt_opt(c.share_high_time_in_motion.map(|x| 100.0 * x), 0),
                markdown::fmt_opt(c.share_without_score.map(|x| 100.0 * x), 0),
                markdown::fmt_opt(c.auc_mental_vs_rest, 2),
                markdown::fmt_opt(c.auc_mental_vs_exercise, 2),
            ]
        })
        .collect();
    md.push_str(&markdown::table(
        &[
            "profile",
            "policy",
            "scored windows",
            "ρ(motion, score)",
            "median still [95 % CI]",
            "median active [95 % CI]",
            "high-stress time in motion (%)",
            "time without score (%)",
            "AUC mental vs rest",
            "AUC mental vs exercise",
        ],
        &rows,
    ));
    md.push('\n');
    for c in res
        .confound
        .profiles
        .iter()
        .filter(|c| !c.answer.is_empty())
    {
        md.push_str(&format!("- {}\n", c.answer));
    }
    md.push_str("\n## Charts\n\n");
    for c in charts {
        md.push_str(&markdown::chart_section(
            c,
            &folder.relative(&c.png),
            &folder.relative(&c.svg),
        ));
        md.push('\n');
    }
    md.push_str("\n## How each profile scores (documented vs assumed)\n\n");
    for p in &res.profiles {
        md.push_str(&p.explain.markdown);
        md.push_str("\n\n");
    }
    md.push_str("### Motion\n\n");
    md.push_str(&res.motion.explain);
    md.push_str("\n\n## Indicator formulas\n\n");
    md.push_str(&indicators::explain(&Conventions::of(
        res.config.convention,
    )));
    md.push_str("\n\n## Columns of windows.csv\n\n");
    md.push_str(&markdown::columns_table(columns));
    md.push_str("\n\n`summary.json` holds every number above (schema version ");
    md.push_str(SCHEMA_VERSION);
    md.push_str("), including each window of each profile under every motion policy.\n");
    md
}

/// One row of the cohort table.
#[derive(Debug, Clone, Serialize)]
pub struct CohortEntry {
    /// Input path.
    pub path: PathBuf,
    /// Output folder of this recording.
    pub out: PathBuf,
    /// Pseudonymous subject id.
    pub subject: String,
    /// Hours of stress per profile under its default policy (summed over days), and per policy.
    pub hours: Vec<(String, String, f64)>,
    /// ρ(motion, HR) and ρ(motion, RMSSD).
    pub rho_motion_hr: Option<f64>,
    /// ρ(motion, RMSSD).
    pub rho_motion_rmssd: Option<f64>,
    /// Error, when the recording failed (the cohort goes on).
    pub error: Option<String>,
}

/// Run the practice test on many recordings in parallel (rayon), one subfolder each, then
/// write `cohort.csv`, `cohort.json`, `cohort.md` and a cohort chart. A failing recording is
/// reported in its row and does not stop the others. `progress` is called after each one.
pub fn run_cohort(
    inputs: &[PathBuf],
    load: &(dyn Fn(&Path) -> Result<Recording> + Sync),
    cfg: &PracticeConfig,
    out: &Path,
    progress: &(dyn Fn(&Path) + Sync),
) -> Result<Vec<CohortEntry>> {
    use rayon::prelude::*;
    std::fs::create_dir_all(out).map_err(|e| Error::io(out, e))?;
    let mut used = std::collections::HashSet::new();
    let dirs: Vec<PathBuf> = inputs
        .iter()
        .map(|p| {
            let stem = p
                .file_name()
                .map(|s| s.to_string_lossy().replace(['.', ' '], "_"))
                .unwrap_or_else(|| "recording".into());
            let mut name = stem.clone();
            let mut k = 2;
            while !used.insert(name.clone()) {
                name = format!("{stem}_{k}");
                k += 1;
            }
            out.join(name)
        })
        .collect();
    let entries: Vec<CohortEntry> = inputs
        .par_iter()
        .zip(dirs.par_iter())
        .map(|(path, dir)| {
            let r = load(path).and_then(|rec| run(&rec, cfg, dir).map(|(res, _)| (rec, res)));
            progress(path);
            match r {
                Ok((rec, res)) => {
                    let mut hours = Vec::new();
                    for p in &res.profiles {
                        for pol in MotionPolicy::ALL {
                            let v: f64 = p
                                .daily
                                .iter()
                                .filter_map(|d| d.by_policy.iter().find(|h| h.policy == pol))
                                .map(|h| h.stress_h)
                                .sum();
                            hours.push((p.name.clone(), pol.to_string(), v));
                        }
                    }
                    CohortEntry {
                        path: path.clone(),
                        out: dir.clone(),
                        subject: subject(&rec),
                        hours,
                        rho_motion_hr: res.confound.indicators.rho_motion_hr,
                        rho_motion_rmssd: res.confound.indicators.rho_motion_rmssd,
                        error: None,
                    }
                }
                Err(e) => CohortEntry {
                    path: path.clone(),
                    out: dir.clone(),
                    subject: path.display().to_string(),
                    hours: vec![],
                    rho_motion_hr: None,
                    rho_motion_rmssd: None,
                    error: Some(e.to_string()),
                },
            }
        })
        .collect();
    write_cohort(&entries, out)?;
    Ok(entries)
}

fn write_cohort(entries: &[CohortEntry], out: &Path) -> Result<()> {
    let mut folder = OutputFolder::create(out)?;
    let series: Vec<(String, String)> = entries
        .iter()
        .find(|e| e.error.is_none())
        .map(|e| {
            e.hours
                .iter()
                .map(|(p, pol, _)| (p.clone(), pol.clone()))
                .collect()
        })
        .unwrap_or_default();
    let mut cols = vec![
        Column::unitless("recording", "input path"),
        Column::unitless("subject", "pseudonymous subject id"),
        Column::unitless("rho_motion_hr", "Spearman ρ(motion, HR)"),
        Column::unitless("rho_motion_rmssd", "Spearman ρ(motion, RMSSD)"),
        Column::unitless("error", "why the recording failed, if it did"),
    ];
    for (p, pol) in &series {
        cols.push(Column::new(
            format!("stress_{}_{}", p.replace('-', "_"), pol),
            "h",
            format!("hours of stress, {p}, policy {pol}"),
        ));
    }
    let mut t = folder.csv("cohort.csv", cols)?;
    for e in entries {
        let mut cells = vec![
            Cell::Text(e.path.display().to_string()),
            Cell::Text(e.subject.clone()),
            Cell::Num(e.rho_motion_hr),
            Cell::Num(e.rho_motion_rmssd),
            Cell::Text(e.error.clone().unwrap_or_default()),
        ];
        for (p, pol) in &series {
            cells.push(Cell::Num(
                e.hours
                    .iter()
                    .find(|(a, b, _)| a == p && b == pol)
                    .map(|x| x.2),
            ));
        }
        t.write_row(&cells)?;
    }
    t.finish()?;
    folder.json(
        "cohort.json",
        &serde_json::json!({ "recordings": entries }),
        SCHEMA_VERSION,
    )?;
    let chart = CohortChart {
        title: "Hours of stress per recording, profile and motion policy".into(),
        subtitle: Some("one row per recording; each profile's own headline rule".into()),
        x_label: "hours of stress".into(),
        series: series
            .iter()
            .map(|(p, pol)| format!("{p} ({pol})"))
            .collect(),
        rows: entries
            .iter()
            .map(|e| CohortRow {
                recording: e.subject.clone(),
                values: series
                    .iter()
                    .map(|(p, pol)| {
                        e.hours
                            .iter()
                            .find(|(a, b, _)| a == p && b == pol)
                            .map(|x| x.2)
                    })
                    .collect(),
            })
            .collect(),
        x_range: None,
        reference: None,
    };
    let c = folder.chart(&chart, "cohort")?;
    let mut md = String::from("# Cohort practice test\n\n");
    md.push_str(&markdown::chart_section(
        &c,
        &folder.relative(&c.png),
        &folder.relative(&c.svg),
    ));
    md.push_str(
        "\n\n| recording | ρ(motion, HR) | ρ(motion, RMSSD) | report |\n|---|---|---|---|\n",
    );
    for e in entries {
        md.push_str(&format!(
            "| {} | {} | {} | {} |\n",
            markdown::escape_cell(&e.subject),
            markdown::fmt_opt(e.rho_motion_hr, 2),
            markdown::fmt_opt(e.rho_motion_rmssd, 2),
            match &e.error {
                Some(err) => format!("failed: {}", markdown::escape_cell(err)),
                None => markdown::link(
                    "summary.md",
                    &format!("{}/summary.md", folder.relative(&e.out))
                ),
            }
        ));
    }
    folder.text("cohort.md", &md)?;
    Ok(())
}
