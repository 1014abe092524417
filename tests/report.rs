//! Integration tests of `stress_harness::report`: every chart renders to PNG and SVG from
//! synthetic inputs (a scenario day, empty inputs, all-gap series, garbage values), PNGs decode
//! to the promised size and are not blank, SVGs carry the title and the generic font family,
//! the CSV writer round-trips through the `csv` crate, JSON carries `schema_version`.
//!
//! Set `STRESS_HARNESS_CHART_SAMPLES=/some/dir` to keep the scenario charts for viewing.

use chrono::DateTime;
use std::path::{Path, PathBuf};
use stress_harness::report::markdown::{self, Provenance, ProvenanceItem};
use stress_harness::report::*;
use stress_harness::report::{render, render_svg_string, Chart};

/// The scenario of stress-profiles.md §6.4: 30 min desk → 20 min brisk walk → 30 min seated
/// recovery → 15 min seated mental arithmetic (95 min), start 09:00 UTC+01:00.
fn scenario_timeline() -> Timeline {
    let mut t = Timeline::new("Day timeline: desk, brisk walk, recovery, mental arithmetic");
    t.subtitle = Some("synthetic scenario, subject S01 (pseudonymous)".into());
    t.start = Some(DateTime::parse_from_rfc3339("2026-03-02T09:00:00+01:00").unwrap());
    let phase = |s: f64| -> usize {
        if s < 1800.0 {
            0
        } else if s < 3000.0 {
            1
        } else if s < 4800.0 {
            2
        } else {
            3
        }
    };
    for i in 0..5700 {
        let s = i as f64;
        let base = match phase(s) {
            0 => 68.0,
            1 => 112.0,
            2 => 72.0 + 30.0 * (-(s - 3000.0) / 600.0).exp(),
            _ => 80.0,
        };
        t.hr.push((s, base + 3.0 * (s / 10.0).sin()));
    }
    // A 3-minute HR drop-out: the line must break there.
    t.hr.retain(|p| !(4000.0..4180.0).contains(&p.0));
    for e in 0..95 {
        let s = e as f64 * 60.0;
        let mg = match phase(s) {
            1 => 160.0 + 20.0 * ((e % 3) as f64),
            0 | 2 => 8.0 + (e % 4) as f64 * 3.0,
            _ => 12.0,
        };
        t.motion.push((s, mg));
        let level = if mg >= 100.0 {
            MotionLevel::Active
        } else if mg >= 30.0 {
            MotionLevel::Light
        } else {
            MotionLevel::Still
        };
        t.motion_shading.push(MotionShade {
            start_s: s,
            end_s: s + 60.0,
            level,
        });
    }
    t.motion_thresholds = vec![(30.0, "light".into()), (100.0, "active".into())];
    // watch-like: 3-min windows, no score (None) during the walk and 30 min after.
    let mut w = ScoreSeries {
        name: "watch-like (suppress)".into(),
        y_label: "score (0–100)".into(),
        window_s: 180.0,
        band_edges: vec![25.0, 50.0, 75.0],
        ..Default::default()
    };
    for k in 0..31 {
        let s = k as f64 * 180.0;
        let v = match phase(s) {
            0 => Some(18.0 + (k % 3) as f64 * 4.0),
            1 => None,
            2 if s < 4600.0 => None,
            2 => Some(55.0),
            _ => Some(68.0 + (k % 2) as f64 * 6.0),
        };
        w.points.push((s, v));
    }
    // ring-like: 15-min windows, no score when active.
    let mut r = ScoreSeries {
        name: "ring-like (gate)".into(),
        y_label: "percentile (0–100)".into(),
        window_s: 900.0,
        ..Default::default()
    };
    for k in 0..6 {
        let s = k as f64 * 900.0;
        let v = match phase(s + 450.0) {
            1 => None,
            0 => Some(35.0 + k as f64 * 5.0),
            _ => Some(80.0),
        };
        r.points.push((s, v));
    }
    // tracker-like: spots every 10 min here (denser than the 30-min design, to show flags).
    let mut tr = ScoreSeries {
        name: "tracker-like (flag)".into(),
        y_label: "score (1–100)".into(),
        window_s: 300.0,
        band_edges: vec![30.0, 60.0, 80.0],
        ..Default::default()
    };
    for k in 0..10 {
        let s = k as f64 * 600.0;
        let (v, f) = match phase(s) {
            0 => (22.0, false),
            1 => (93.0, true),
            2 => (64.0, false),
            _ => (70.0, false),
        };
        tr.points.push((s, Some(v)));
        tr.flagged.push(f);
    }
    t.scores = vec![w, r, tr];
    t.segments = vec![
        Segment {
            start_s: 0.0,
            end_s: 1800.0,
            label: "desk work".into(),
        },
        Segment {
            start_s: 1800.0,
            end_s: 3000.0,
            label: "brisk walk".into(),
        },
        Segment {
            start_s: 3000.0,
            end_s: 4800.0,
            label: "seated recovery".into(),
        },
        Segment {
            start_s: 4800.0,
            end_s: 5700.0,
            label: "mental arithmetic".into(),
        },
        Segment {
            start_s: 2900.0,
            end_s: 3300.0,
            label: "diary: coffee".into(),
        },
    ];
    t
}

fn scenario_scatter() -> ScoreMotionScatter {
    let mk = |profile: &str, f: &dyn Fn(f64) -> Option<f64>, rho: Option<f64>| {
        let mut p = ScatterPanel {
            profile: profile.into(),
            rho,
            ..Default::default()
        };
        for i in 0..200 {
            let m = (i as f64 * 37.0) % 220.0;
            match f(m) {
                Some(s) => {
                    p.points.push((m, s + ((i * 13) % 11) as f64));
                    p.flagged.push(m >= 100.0);
                }
                None => p.unscored += 1,
            }
        }
        p
    };
    ScoreMotionScatter {
        title: "Score vs motion, per profile".into(),
        subtitle: None,
        x_label: "motion intensity, ENMO (mg)".into(),
        y_label: "score (0–100)".into(),
        x_thresholds: vec![(30.0, "light".into()), (100.0, "active".into())],
        panels: vec![
            mk(
                "watch-like",
                &|m| if m < 50.0 { Some(20.0 + m) } else { None },
                Some(0.41),
            ),
            mk(
                "ring-like",
                &|m| if m < 30.0 { Some(40.0 + m) } else { None },
                Some(0.12),
            ),
            mk(
                "tracker-like",
                &|m| Some((20.0 + m * 0.4).min(95.0)),
                Some(0.87),
            ),
        ],
    }
}

fn scenario_distribution() -> ScoreDistribution {
    let mut d = ScoreDistribution::new("Score by motion level, per profile");
    let g = |base: f64, n: usize| {
        (0..n)
            .map(|i| base + ((i * 7) % 23) as f64)
            .collect::<Vec<f64>>()
    };
    d.panels = vec![
        DistributionPanel {
            profile: "watch-like".into(),
            groups: vec![g(20.0, 40), g(35.0, 6), vec![]],
            unscored: vec![2, 5, 14],
        },
        DistributionPanel {
            profile: "ring-like".into(),
            groups: vec![g(30.0, 5), vec![], vec![]],
            unscored: vec![0, 1, 2],
        },
        DistributionPanel {
            profile: "tracker-like".into(),
            groups: vec![g(25.0, 4), g(45.0, 2), g(75.0, 3)],
            unscored: vec![0, 0, 0],
        },
    ];
    d
}

fn watch_parts() -> Vec<BreakdownPart> {
    let band = |label: &str, hours: f64, rank: u32, counted: bool| BreakdownPart {
        label: label.into(),
        hours,
        kind: PartKind::Band { rank, of: 4 },
        counted,
    };
    vec![
        band("rest (0–25)", 6.1, 0, false),
        band("low (26–50)", 2.0, 1, true),
        band("medium (51–75)", 0.9, 2, true),
        band("high (76–100)", 0.3, 3, true),
        BreakdownPart {
            label: "motion-masked (−2/−4)".into(),
            hours: 1.6,
            kind: PartKind::MotionMasked,
            counted: false,
        },
        BreakdownPart {
            label: "no data".into(),
            hours: 13.1,
            kind: PartKind::NoData,
            counted: false,
        },
    ]
}

fn scenario_daily() -> DailyBars {
    DailyBars {
        title: "What the app says, and what is behind it".into(),
        subtitle: Some("2026-03-02, synthetic scenario".into()),
        rows: vec![
            DailyBar {
                profile: "watch-like".into(),
                headline: "You had 3.2 hours of stress, so it was a stressful day".into(),
                headline_hours: Some(3.2),
                headline_rule: "stress = low + medium + high (score 26–100), as Garmin counts it".into(),
                day_h: 24.0,
                parts: watch_parts(),
                notes: vec![
                    "0.4 h of the stress time followed motion within 30 min; strict (medium + high) = 1.2 h".into(),
                    "Under motion policy none: 4.1 h · flag: 4.1 h · suppress: 3.2 h".into(),
                    "A deliberately long note that must wrap instead of running off the canvas: the 26–100 rule counts the low band (2.0 h) as stress, which is where most of this headline comes from, while 1.6 h of the day had no score because of motion.".into(),
                ],
            },
            DailyBar {
                profile: "ring-like".into(),
                headline: "You had 3.0 hours of stress".into(),
                headline_hours: Some(3.0),
                headline_rule: "stress_high = time in the top quartile of your own activation".into(),
                day_h: 24.0,
                parts: vec![
                    BreakdownPart { label: "restored".into(), hours: 3.0, kind: PartKind::Band { rank: 0, of: 4 }, counted: false },
                    BreakdownPart { label: "relaxed".into(), hours: 3.0, kind: PartKind::Band { rank: 1, of: 4 }, counted: false },
                    BreakdownPart { label: "engaged".into(), hours: 3.0, kind: PartKind::Band { rank: 2, of: 4 }, counted: false },
                    BreakdownPart { label: "stressed".into(), hours: 3.0, kind: PartKind::Band { rank: 3, of: 4 }, counted: true },
                    BreakdownPart { label: "not still (gated)".into(), hours: 4.0, kind: PartKind::MotionMasked, counted: false },
                    BreakdownPart { label: "asleep / no data".into(), hours: 8.0, kind: PartKind::NoData, counted: false },
                ],
                notes: vec!["Expected under no change: 0.25 × 12 scored h = 3.0 h".into()],
            },
            DailyBar {
                profile: "tracker-like".into(),
                headline: "You had 6.5 hours of stress".into(),
                headline_hours: Some(6.5),
                headline_rule: "0.5 h per spot with score ≥ 60".into(),
                day_h: 24.0,
                parts: vec![],
                notes: vec![],
            },
        ],
    }
}

fn scenario_policy() -> PolicyHours {
    let mut p = PolicyHours::new("Hours of stress under each motion policy");
    p.subtitle = Some("Each bar recomputes the whole day under one motion policy: none scores every window, flag scores and marks windows with motion, suppress gives no score during or shortly after motion. A long subtitle wraps to two lines at most.".into());
    p.groups = vec![
        PolicyGroup {
            profile: "watch-like".into(),
            hours: vec![Some(4.1), Some(4.1), Some(3.2)],
            default_policy: Some(2),
        },
        PolicyGroup {
            profile: "ring-like".into(),
            hours: vec![Some(3.5), None, Some(3.0)],
            default_policy: Some(2),
        },
        PolicyGroup {
            profile: "tracker-like".into(),
            hours: vec![Some(6.5), Some(6.5), Some(2.0)],
            default_policy: Some(1),
        },
    ];
    p
}

fn scenario_cohort() -> CohortChart {
    let series: Vec<String> = [
        "watch-like / none",
        "watch-like / suppress",
        "ring-like / suppress",
        "tracker-like / flag",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let rows = (1..=22)
        .map(|u| CohortRow {
            recording: format!("MMASH user_{u}"),
            values: vec![
                Some(2.0 + (u % 5) as f64),
                Some(1.5 + (u % 4) as f64),
                if u == 7 {
                    None
                } else {
                    Some(3.0 + (u % 3) as f64 * 0.2)
                },
                Some(4.0 + (u % 6) as f64),
            ],
        })
        .collect();
    CohortChart {
        title: "Cohort: hours of stress per recording".into(),
        subtitle: None,
        x_label: "hours of stress per day (h)".into(),
        series,
        rows,
        x_range: None,
        reference: Some((3.0, "3 h (the AP's example)".into())),
    }
}

fn out_dir(name: &str) -> (Option<tempfile::TempDir>, PathBuf) {
    match std::env::var_os("STRESS_HARNESS_CHART_SAMPLES") {
        Some(d) => {
            let p = PathBuf::from(d).join(name);
            std::fs::create_dir_all(&p).unwrap();
            (None, p)
        }
        None => {
            let t = tempfile::tempdir().unwrap();
            let p = t.path().to_path_buf();
            (Some(t), p)
        }
    }
}

/// Decode the PNG, check its size and that it is not blank.
fn check_png(path: &Path, size: (u32, u32)) {
    let img = image::open(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .to_rgb8();
    assert_eq!(img.dimensions(), size, "{}", path.display());
    let total = (size.0 * size.1) as usize;
    let non_white = img.pixels().filter(|p| p.0 != [255, 255, 255]).count();
    assert!(
        non_white * 200 > total,
        "{}: only {non_white} of {total} pixels drawn",
        path.display()
    );
    let mut colours: Vec<[u8; 3]> = img.pixels().map(|p| p.0).collect();
    colours.sort_unstable();
    colours.dedup();
    assert!(
        colours.len() > 8,
        "{}: only {} colours",
        path.display(),
        colours.len()
    );
}

/// The text contents of an SVG's `<text>` elements (plotters writes each on its own line).
fn svg_texts(svg: &str) -> Vec<String> {
    svg.split("<text")
        .skip(1)
        .filter_map(|chunk| {
            let start = chunk.find('>')? + 1;
            let end = chunk.find("</text>")?;
            Some(chunk[start..end].trim().to_string())
        })
        .collect()
}

fn has_text(svg: &str, s: &str) -> bool {
    svg_texts(svg).iter().any(|t| t == s)
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn check_svg(path: &Path, title: &str) {
    let svg = std::fs::read_to_string(path).unwrap();
    assert!(svg.starts_with("<svg"), "{}", path.display());
    assert!(
        svg.contains(&xml_escape(title)),
        "{}: title {title:?} missing",
        path.display()
    );
    assert!(
        svg.contains("font-family=\"sans-serif\""),
        "{}: generic font family missing",
        path.display()
    );
    assert!(svg.trim_end().ends_with("</svg>"));
}

fn render_and_check<C: Chart>(chart: &C, dir: &Path, stem: &str) -> RenderedChart {
    let r = render(chart, dir, stem).unwrap_or_else(|e| panic!("{stem}: {e}"));
    assert_eq!((r.width, r.height), chart.size());
    check_png(&r.png, chart.size());
    check_svg(&r.svg, chart.title());
    r
}

#[test]
fn scenario_charts_render_to_png_and_svg() {
    let (_keep, dir) = out_dir("scenario");
    render_and_check(&scenario_timeline(), &dir, "a_timeline");
    render_and_check(&scenario_scatter(), &dir, "b_scatter");
    render_and_check(&scenario_distribution(), &dir, "c_distribution");
    render_and_check(&scenario_daily(), &dir, "d_daily");
    render_and_check(&scenario_policy(), &dir, "e_policy");
    render_and_check(&scenario_cohort(), &dir, "cohort");
}

#[test]
fn charts_carry_their_numbers_in_the_svg() {
    let s = render_svg_string(&scenario_scatter()).unwrap();
    assert!(s.contains("Spearman ρ = +0.41"), "ρ of the watch panel");
    assert!(s.contains("Spearman ρ = +0.87"));
    let d = render_svg_string(&scenario_daily()).unwrap();
    assert!(d.contains("You had 3.2 hours of stress"));
    assert!(d.contains("motion-masked (−2/−4): 1.6 h"));
    assert!(d.contains("no breakdown given"), "tracker row has no parts");
    let p = render_svg_string(&scenario_policy()).unwrap();
    assert!(has_text(&p, "6.5 h") && has_text(&p, "n/a"));
    let c = render_svg_string(&scenario_distribution()).unwrap();
    assert!(
        has_text(&c, "no score"),
        "empty active group of the watch-like panel"
    );
    let t = render_svg_string(&scenario_timeline()).unwrap();
    assert!(t.contains("local time, UTC+01:00"));
    assert!(
        has_text(&t, "09:00") && has_text(&t, "10:00"),
        "clock tick labels"
    );
    assert!(t.contains("watch-like (suppress): 15 scored, 16 without score (52 % of windows)"));
    let co = render_svg_string(&scenario_cohort()).unwrap();
    assert!(co.contains("MMASH user_22") && co.contains("ring-like / suppress (1 missing)"));
}

#[test]
fn empty_inputs_render_an_explicit_no_data_chart() {
    let (_keep, dir) = out_dir("empty");
    let t = Timeline::new("Empty timeline");
    let r = render(&t, &dir, "timeline").unwrap();
    check_svg(&r.svg, "Empty timeline");
    assert!(std::fs::read_to_string(&r.svg).unwrap().contains("No data"));
    let charts_svg = [
        render_svg_string(&ScoreMotionScatter {
            title: "Empty scatter".into(),
            ..Default::default()
        })
        .unwrap(),
        render_svg_string(&ScoreDistribution::new("Empty distribution")).unwrap(),
        render_svg_string(&DailyBars {
            title: "Empty daily".into(),
            ..Default::default()
        })
        .unwrap(),
        render_svg_string(&PolicyHours::new("Empty policy")).unwrap(),
        render_svg_string(&CohortChart {
            title: "Empty cohort".into(),
            ..Default::default()
        })
        .unwrap(),
    ];
    for s in &charts_svg {
        assert!(s.contains("No data"), "{}", &s[..200.min(s.len())]);
    }
    // PNGs of the empty charts are still valid images of the promised size.
    let png = dir.join("empty_policy.png");
    let c = PolicyHours::new("Empty policy");
    assert_eq!(render_png(&c, &png).unwrap(), c.size());
    let img = image::open(&png).unwrap();
    assert_eq!((img.width(), img.height()), c.size());
}

#[test]
fn panels_with_nothing_inside_say_so() {
    let (_keep, dir) = out_dir("gaps");
    let mut t = Timeline::new("All-gap scores, no HR, no motion");
    t.scores.push(ScoreSeries {
        name: "watch-like".into(),
        window_s: 180.0,
        points: (0..20).map(|k| (k as f64 * 180.0, None)).collect(),
        ..Default::default()
    });
    t.scores.push(ScoreSeries {
        name: "ring-like".into(),
        window_s: 900.0,
        ..Default::default()
    });
    let r = render_and_check(&t, &dir, "all_gap");
    let svg = std::fs::read_to_string(&r.svg).unwrap();
    assert!(svg.contains("every window is a gap"));
    assert!(svg.contains("no heart-rate data") && svg.contains("no motion data"));
    assert!(svg.contains("0 scored, 20 without score (100 % of windows)"));

    let mut s = scenario_scatter();
    s.panels[0].points.clear();
    s.panels[0].rho = None;
    let svg = render_svg_string(&s).unwrap();
    assert!(svg.contains("no scored windows") && svg.contains("not computable"));

    let mut d = scenario_distribution();
    d.panels[1].groups = vec![];
    let svg = render_svg_string(&d).unwrap();
    assert_eq!(
        svg_texts(&svg).iter().filter(|t| *t == "no score").count(),
        1 + 3,
        "watch-like active + all three levels of the emptied ring-like panel"
    );
}

#[test]
fn garbage_values_never_panic() {
    let (_keep, dir) = out_dir("garbage");
    let mut t = scenario_timeline();
    t.hr.push((f64::NAN, 70.0));
    t.hr.push((100.0, f64::INFINITY));
    t.hr.reverse(); // unsorted input
    t.motion = vec![(0.0, 5.0); 3]; // constant, degenerate time
    t.motion_shading.push(MotionShade {
        start_s: 500.0,
        end_s: 100.0,
        level: MotionLevel::Active,
    });
    t.scores[0].points.push((f64::NAN, Some(50.0)));
    t.scores[0].points.push((6000.0, Some(f64::NAN)));
    t.scores[0].window_s = -3.0;
    t.segments.push(Segment {
        start_s: f64::NEG_INFINITY,
        end_s: 5.0,
        label: "bad".into(),
    });
    render_and_check(&t, &dir, "garbage_timeline");

    let mut one = Timeline::new("A single HR sample");
    one.hr.push((42.0, 70.0));
    render_and_check(&one, &dir, "single_point");

    let mut s = scenario_scatter();
    s.panels[1].points = vec![(f64::NAN, 1.0), (5.0, 5.0), (5.0, 5.0)];
    s.panels[1].rho = Some(f64::NAN);
    s.x_thresholds.push((f64::INFINITY, "inf".into()));
    render_and_check(&s, &dir, "garbage_scatter");

    let mut p = scenario_policy();
    p.groups[0].hours = vec![Some(f64::NAN), Some(-1.0)]; // short and negative
    p.groups[1].default_policy = Some(99);
    render_svg_string(&p).unwrap();

    let mut c = scenario_cohort();
    c.x_range = Some((1.0, 1.0)); // degenerate → ignored
    c.rows[0].values = vec![Some(1e9)];
    render_svg_string(&c).unwrap();

    let mut d = scenario_daily();
    d.rows[0].day_h = f64::NAN;
    d.rows[0].headline_hours = Some(f64::INFINITY);
    d.rows[0].parts[0].hours = -5.0;
    render_svg_string(&d).unwrap();
}

#[test]
fn a_full_day_renders_with_bounded_svg() {
    // 24 h of 1-Hz HR: the line is decimated per pixel column, so the SVG stays small.
    let mut t = Timeline::new("24-hour timeline");
    t.start = Some(DateTime::parse_from_rfc3339("2026-03-02T06:30:00+02:00").unwrap());
    t.hr = (0..86_400)
        .map(|i| (i as f64, 60.0 + 20.0 * ((i as f64) / 5000.0).sin()))
        .collect();
    t.motion = (0..1440)
        .map(|i| (i as f64 * 60.0, ((i * 37) % 200) as f64))
        .collect();
    t.scores.push(ScoreSeries {
        name: "watch-like".into(),
        window_s: 180.0,
        points: (0..480)
            .map(|k| {
                (
                    k as f64 * 180.0,
                    if k % 5 == 0 {
                        None
                    } else {
                        Some((k % 100) as f64)
                    },
                )
            })
            .collect(),
        ..Default::default()
    });
    let svg = render_svg_string(&t).unwrap();
    assert!(svg.len() < 3_000_000, "SVG is {} bytes", svg.len());
    assert!(
        svg.contains("+1d"),
        "ticks after midnight carry the day marker"
    );
}

#[test]
fn bad_stems_are_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let e = render(&scenario_policy(), dir.path(), "../escape").unwrap_err();
    assert!(e.to_string().contains("file stem"), "{e}");
    assert!(render(&scenario_policy(), dir.path(), "").is_err());
}

#[test]
fn csv_table_round_trips_through_the_csv_crate() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("windows.csv");
    let cols = vec![
        Column::new("t_start", "s", "window start since recording start"),
        Column::new("rmssd", "ms", "root mean square of successive differences"),
        Column::new("lf", "ms²", "LF power"),
        Column::unitless("label", "segment label"),
        Column::unitless("n_beats", "beats in the window"),
        Column::unitless("flagged", "motion flag"),
    ];
    let values = [
        0.1 + 0.2,
        1.0 / 3.0,
        1e-300,
        -2.5e10,
        123456.789,
        f64::MIN_POSITIVE,
    ];
    let labels = [
        "plain",
        "comma, inside",
        "quote \" inside",
        "line\nbreak",
        "",
        "ünïcödé ρ",
    ];
    {
        let mut t = CsvTable::create(&path, cols.clone()).unwrap();
        for (i, (v, l)) in values.iter().zip(labels).enumerate() {
            let missing = i % 2 == 1;
            t.write_row(&[
                Cell::Num(Some(i as f64 * 30.0)),
                Cell::Num(if missing { None } else { Some(*v) }),
                Cell::Num(Some(*v)),
                l.into(),
                if missing {
                    Cell::Int(None)
                } else {
                    Cell::Int(Some(i as i64))
                },
                Cell::Bool(if i == 4 { None } else { Some(i % 3 == 0) }),
            ])
            .unwrap();
        }
        assert_eq!(t.rows_written(), 6);
        t.finish().unwrap();
    }
    let mut rd = csv::Reader::from_path(&path).unwrap();
    let headers: Vec<String> = rd.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(
        headers,
        [
            "t_start_s",
            "rmssd_ms",
            "lf_ms2",
            "label",
            "n_beats",
            "flagged"
        ]
    );
    let records: Vec<csv::StringRecord> = rd.records().map(|r| r.unwrap()).collect();
    assert_eq!(records.len(), 6);
    for (i, rec) in records.iter().enumerate() {
        let missing = i % 2 == 1;
        let rmssd = &rec[1];
        if missing {
            assert_eq!(rmssd, "", "missing value → empty cell");
            assert_eq!(&rec[4], "");
        } else {
            assert_eq!(
                rmssd.parse::<f64>().unwrap().to_bits(),
                values[i].to_bits(),
                "exact round trip"
            );
            assert_eq!(rec[4].parse::<i64>().unwrap(), i as i64);
        }
        assert_eq!(
            rec[2].parse::<f64>().unwrap().to_bits(),
            values[i].to_bits()
        );
        assert_eq!(&rec[3], labels[i]);
        let flag = if i == 4 {
            ""
        } else if i % 3 == 0 {
            "true"
        } else {
            "false"
        };
        assert_eq!(&rec[5], flag);
    }
}

#[test]
fn output_folder_holds_charts_tables_json_and_markdown() {
    let dir = tempfile::tempdir().unwrap();
    let mut out = OutputFolder::create(dir.path().join("report")).unwrap();
    let r = out.chart(&scenario_policy(), "e_policy").unwrap();
    assert!(r.png.ends_with("charts/e_policy.png") && r.svg.exists());
    assert_eq!(out.charts().len(), 1);
    let mut t = out
        .csv("windows.csv", vec![Column::new("hr", "bpm", "mean HR")])
        .unwrap();
    t.write_row(&[Cell::Num(Some(72.5))]).unwrap();
    t.finish().unwrap();
    assert_eq!(
        std::fs::read_to_string(out.root().join("windows.csv")).unwrap(),
        "hr_bpm\n72.5\n"
    );

    #[derive(serde::Serialize)]
    struct Summary {
        recording: String,
        stress_h: Option<f64>,
        nan: f64,
    }
    let p = out
        .json(
            "summary.json",
            &Summary {
                recording: "S01".into(),
                stress_h: Some(3.2),
                nan: f64::NAN,
            },
            "1",
        )
        .unwrap();
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
    assert_eq!(v[SCHEMA_VERSION_KEY], "1");
    assert_eq!(v["stress_h"], 3.2);
    assert!(v["nan"].is_null(), "non-finite floats become null");
    assert!(
        out.json("list.json", &vec![1, 2], "1").is_err(),
        "top level must be an object"
    );

    let png_rel = out.relative(&r.png);
    let svg_rel = out.relative(&r.svg);
    assert_eq!(png_rel, "charts/e_policy.png");
    let md = format!(
        "# Summary\n\n{}\n{}\n{}",
        markdown::chart_section(&r, &png_rel, &svg_rel),
        markdown::columns_table(&[Column::new("hr", "bpm", "mean HR")]),
        markdown::provenance_table(&[ProvenanceItem {
            scope: "motion".into(),
            element: "active".into(),
            rule: "ENMO ≥ 100 mg".into(),
            provenance: Provenance::Assumed {
                reason: "within published wrist cut-points".into()
            },
        }])
    );
    let mdp = out.text("summary.md", &md).unwrap();
    let text = std::fs::read_to_string(mdp).unwrap();
    assert!(text.contains("![Hours of stress under each motion policy](charts/e_policy.png)"));
    assert!(text.contains("| `hr_bpm` | bpm | mean HR |"));
    assert!(text.contains("**assumed**"));
    assert!(out.text("../x.md", "no").is_err());
}
