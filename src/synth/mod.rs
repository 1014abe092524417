//! Synthetic recordings with ground truth: a 24-h day and a short lab-like scenario.
//!
//! [`generate`] builds a [`Recording`] (beats as a wrist PPG would report them, motion, labels)
//! and its [`GroundTruth`] (the true segments and the true RR series before artefacts) from a
//! seed; [`write()`] stores both as a canonical folder plus `truth/segments.csv` and
//! `truth/true_rr.csv`. Everything is drawn from one ChaCha8 stream (`rand_chacha`), so the
//! same seed gives the same bytes.
//!
//! ## RR model (per beat, evaluated at the previous R peak `t`)
//! `RR = 60000/HR(t) + A_LF·sin φ_LF + A_HF·sin φ_resp + v(t) + e`, then rounded to whole ms
//! (as most wearables report) and clipped to 330–1800 ms:
//! - **HR(t)** follows a per-activity target through a first-order lag, τ = 30 s when rising
//!   and τ = 60 s when falling, so that after exercise HR recovers exponentially (the
//!   mono-exponential recovery of Imai et al. 1994, J Am Coll Cardiol 24:1529, and Pierpont
//!   et al. 2000; τ values *assumed*, within the reported range).
//! - **LF**: φ_LF advances at 0.1 Hz with a phase random walk (σ = 0.3 rad/√s), giving a
//!   narrow band around 0.1 Hz (Mayer waves; Julien 2006, Cardiovasc Res 70:12).
//! - **HF (respiratory sinus arrhythmia)**: φ_resp advances at the breathing rate (0.25 Hz
//!   awake at rest, 0.23 Hz asleep, faster with exercise and under stress) with a phase random
//!   walk (σ = 0.2 rad/√s) (Task Force 1996; Shaffer & Ginsberg 2017).
//! - **v(t)**: VLF, an Ornstein–Uhlenbeck process, τ = 40 s, SD 12 ms; **e**: white, SD 5 ms.
//!
//! Targets per activity (`x` = exercise intensity as a fraction of heart-rate reserve, `s` =
//! mental-stress strength 0–1; all values *assumed*, chosen inside published ranges):
//!
//! | activity | HR target, bpm | A_HF, ms | A_LF, ms | breathing, Hz |
//! |---|---|---|---|---|
//! | sleep | 56 | 42 | 20 | 0.23 |
//! | seated rest / desk | 68 | 28 | 25 | 0.25 |
//! | walk / run (x) | 68 + x·(185 − 68) | 28·e^(−4x) | 25·e^(−3x) | 0.25 + 0.3·x |
//! | mental stress (s) | 68 + 12·s | 28·(1 − 0.5·s) | 25·(1 + 0.1·s) | 0.25 + 0.08·s |
//!
//! HR rises and HRV (HF most) falls with exercise intensity: vagal withdrawal makes the
//! short-term variability (SD1, HF) almost vanish above ~50 % of maximal effort (Tulppo et
//! al. 1996, Am J Physiol 271:H244). Seated mental stress (e.g. mental arithmetic) gives a
//! milder HR rise (~5–10 bpm) and an HF decrease (meta-analysis: Castaldo et al. 2015, Biomed
//! Signal Process Control 18:370; Taelman et al. 2009). During sleep HR is lower and HF higher
//! (Trinder et al. 2001, J Sleep Res 10:253).
//!
//! ## Artefacts (wrist PPG)
//! From the true beats, with per-beat probabilities growing with motion (`m` = ENMO/300 mg,
//! capped at 1; *assumed*, reflecting the higher optical HR/HRV error during activity in Bent
//! et al. 2020, npj Digit Med 3:18, and stress-profiles.md §5.2):
//! - **missed** beat (two intervals reported as their sum): 0.002 + 0.04·m;
//! - **spurious** beat (one interval split at 30–70 %): 0.001 + 0.025·m;
//! - **ectopic** pair (premature −25 %, compensatory pause): 0.0005 at any time.
//!
//! Besides, the scenario has a 10-s stretch during the walk flagged `CONTACT_LOST`, and the
//! 24-h day a 40-s dropout during the run (no beats; the next beat flagged `GAP_BEFORE`, and a
//! `gap` event).
//!
//! ## Accelerometer (g)
//! Gravity along a posture direction (drawn per segment) + noise; while walking/running a
//! step oscillation along gravity at the cadence (brisk walk ≈ 1.9 Hz = 114 steps/min, run
//! 2.7 Hz; ≥ 100 steps/min is moderate intensity, Tudor-Locke et al. 2018, Br J Sports Med
//! 52:776) plus the arm swing at half the cadence across it. ENMO (mean of max(0, ‖a‖ − 1 g),
//! van Hees et al. 2013) then falls in the motion classes of stress-profiles.md §6.0: sleep
//! (≈ 1 mg) and desk (≈ 4 mg) < 30 mg ("still"), moving about at home ≈ 70 mg ("light"),
//! brisk walking ≈ 210 mg and running ≈ 470 mg (≥ 100 mg, "active").
//! The scenario stores raw ACC (`acc_rate_hz`, default 25 Hz, rounded to 1 mg); the 24-h day
//! stores 60-s activity epochs (`enmo_mg`, `steps`) computed from a 25-Hz trace generated the
//! same way, so the committed folder stays small.
//!
//! ## Scenarios
//! - [`Scenario::Scenario`] (95 min, starts 09:50 local so that the tracker-like 30-min spots (10:00, 10:30, 11:00) fall in desk work, in the steady state of the walk (5–10 min into it) and in recovery): desk 30 min → brisk walk 20 min →
//!   seated recovery 30 min → mental arithmetic seated 15 min.
//! - [`Scenario::Day24h`] (24 h from midnight): sleep, morning at home, commutes on foot,
//!   desk work, a stressful meeting, a lunch walk, a 40-min run with recovery, evening, sleep.

use crate::error::{Error, Result};
use crate::recording::{
    canonical, AccSeries, ActivityEpoch, Beat, BeatFlags, Event, EventKind, Metadata, Recording,
};
use chrono::{DateTime, FixedOffset};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};
use serde::{Deserialize, Serialize};
use std::f64::consts::PI;
use std::fmt::Write as _;
use std::path::Path;

/// Which synthetic recording to build.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, clap::ValueEnum,
)]
#[serde(rename_all = "kebab-case")]
pub enum Scenario {
    /// 24 hours from midnight: sleep, commutes, desk work, a meeting, a run.
    #[value(name = "day-24h")]
    Day24h,
    /// 95 min: desk 30 → brisk walk 20 → seated recovery 30 → mental arithmetic 15.
    #[default]
    Scenario,
}

/// Settings of the generator.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SynthConfig {
    /// Seed of the random stream.
    pub seed: u64,
    /// What to generate.
    pub scenario: Scenario,
    /// Raw accelerometer rate written for [`Scenario::Scenario`], Hz (default 25; 5–200).
    pub acc_rate_hz: f64,
    /// Add wrist-PPG artefacts (default true). Without them the recording equals the truth.
    pub artefacts: bool,
    /// Absolute time of t = 0 (default: 2026-03-02T00:00+01:00 for the day, 2026-03-03T09:50
    /// +01:00 for the scenario).
    pub start: Option<DateTime<FixedOffset>>,
    /// Pseudonymous subject id written in the metadata.
    pub subject_id: String,
}

/// Seed of the shipped recordings.
pub const DEFAULT_SEED: u64 = 20_260_302;

impl SynthConfig {
    /// The settings of the shipped recording of `scenario`.
    pub fn shipped(scenario: Scenario) -> Self {
        SynthConfig {
            seed: DEFAULT_SEED,
            scenario,
            acc_rate_hz: 25.0,
            artefacts: true,
            start: None,
            subject_id: "synthetic-01".into(),
        }
    }
}

impl Default for SynthConfig {
    fn default() -> Self {
        SynthConfig::shipped(Scenario::Scenario)
    }
}

/// One true segment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Segment {
    /// Start, s since the recording start.
    pub start_s: f64,
    /// End, s.
    pub end_s: f64,
    /// Label (`sleep`, `desk`, `walk`, `run`, `recovery`, `mental_arithmetic`, …).
    pub label: String,
    /// Exercise intensity (fraction of heart-rate reserve) or mental-stress strength (0–1);
    /// 0 for rest and sleep.
    pub intensity: f64,
}

/// What really happened.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroundTruth {
    /// The true segments, in time order, covering the recording.
    pub segments: Vec<Segment>,
    /// The true RR series before artefacts (whole ms).
    pub true_rr: Vec<Beat>,
}

/// A generated recording and its truth.
#[derive(Debug, Clone, PartialEq)]
pub struct Synth {
    /// The recording as a wrist device would deliver it.
    pub recording: Recording,
    /// The ground truth.
    pub truth: GroundTruth,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Activity {
    Sleep,
    Rest,
    /// Walking or running at intensity x; cadence Hz.
    Move {
        cadence_hz: f64,
        acc_amp_g: f64,
    },
    Stress,
}

#[derive(Debug, Clone, Copy)]
struct Plan {
    start_s: f64,
    end_s: f64,
    label: &'static str,
    activity: Activity,
    intensity: f64,
}

const WALK: Activity = Activity::Move {
    cadence_hz: 1.9,
    acc_amp_g: 0.62,
};
const STROLL: Activity = Activity::Move {
    cadence_hz: 1.6,
    acc_amp_g: 0.2,
};
const RUN: Activity = Activity::Move {
    cadence_hz: 2.7,
    acc_amp_g: 1.35,
};

fn plan(s: Scenario) -> Vec<Plan> {
    let m = 60.0;
    let h = 3600.0;
    let raw: Vec<(f64, &'static str, Activity, f64)> = match s {
        Scenario::Scenario => vec![
            (0.0, "desk", Activity::Rest, 0.0),
            (30.0 * m, "walk", WALK, 0.35),
            (50.0 * m, "recovery", Activity::Rest, 0.0),
            (80.0 * m, "mental_arithmetic", Activity::Stress, 0.6),
            (95.0 * m, "", Activity::Rest, 0.0),
        ],
        Scenario::Day24h => vec![
            (0.0, "sleep", Activity::Sleep, 0.0),
            (6.0 * h + 45.0 * m, "home", STROLL, 0.1),
            (7.0 * h + 30.0 * m, "walk", WALK, 0.3),
            (7.0 * h + 55.0 * m, "desk", Activity::Rest, 0.0),
            (
                10.0 * h + 30.0 * m,
                "stressful_meeting",
                Activity::Stress,
                0.7,
            ),
            (11.0 * h + 15.0 * m, "desk", Activity::Rest, 0.0),
            (12.0 * h + 30.0 * m, "walk", WALK, 0.3),
            (12.0 * h + 50.0 * m, "lunch", Activity::Rest, 0.0),
            (13.0 * h + 20.0 * m, "desk", Activity::Rest, 0.0),
            (17.0 * h, "walk", WALK, 0.3),
            (17.0 * h + 25.0 * m, "home", Activity::Rest, 0.0),
            (18.0 * h, "run", RUN, 0.7),
            (18.0 * h + 40.0 * m, "recovery", Activity::Rest, 0.0),
            (19.0 * h + 10.0 * m, "home", STROLL, 0.1),
            (19.0 * h + 40.0 * m, "evening", Activity::Rest, 0.0),
            (22.0 * h + 45.0 * m, "sleep", Activity::Sleep, 0.0),
            (24.0 * h, "", Activity::Rest, 0.0),
        ],
    };
    raw.windows(2)
        .map(|w| Plan {
            start_s: w[0].0,
            end_s: w[1].0,
            label: w[0].1,
            activity: w[0].2,
            intensity: w[0].3,
        })
        .collect()
}

/// Physiological targets of an activity (see the table in the module docs).
#[derive(Debug, Clone, Copy)]
struct Targets {
    hr: f64,
    a_hf: f64,
    a_lf: f64,
    resp_hz: f64,
}

fn targets(p: &Plan) -> Targets {
    let x = p.intensity;
    match p.activity {
        Activity::Sleep => Targets {
            hr: 56.0,
            a_hf: 42.0,
            a_lf: 20.0,
            resp_hz: 0.23,
        },
        Activity::Rest => Targets {
            hr: 68.0,
            a_hf: 28.0,
            a_lf: 25.0,
            resp_hz: 0.25,
        },
        Activity::Move { .. } => Targets {
            hr: 68.0 + x * (185.0 - 68.0),
            a_hf: 28.0 * (-4.0 * x).exp(),
            a_lf: 25.0 * (-3.0 * x).exp(),
            resp_hz: 0.25 + 0.3 * x,
        },
        Activity::Stress => Targets {
            hr: 68.0 + 12.0 * x,
            a_hf: 28.0 * (1.0 - 0.5 * x),
            a_lf: 25.0 * (1.0 + 0.1 * x),
            resp_hz: 0.25 + 0.08 * x,
        },
    }
}

fn gauss(rng: &mut ChaCha8Rng) -> f64 {
    StandardNormal.sample(rng)
}

/// Generate a synthetic recording and its truth.
pub fn generate(cfg: &SynthConfig) -> Result<Synth> {
    if !(cfg.acc_rate_hz.is_finite() && (5.0..=200.0).contains(&cfg.acc_rate_hz)) {
        return Err(Error::Config {
            name: "acc_rate_hz".into(),
            value: cfg.acc_rate_hz.to_string(),
            expected: "5 to 200 Hz".into(),
        });
    }
    let plans = plan(cfg.scenario);
    let duration = plans.last().map(|p| p.end_s).unwrap_or(0.0);
    let mut rng = ChaCha8Rng::seed_from_u64(cfg.seed);
    let true_rr = true_beats(&plans, duration, &mut rng);
    // Motion: raw ACC (scenario) or 60-s epochs (day); ENMO per second drives artefacts.
    let acc_rate = match cfg.scenario {
        Scenario::Scenario => cfg.acc_rate_hz,
        Scenario::Day24h => 25.0,
    };
    let (acc, enmo_per_s, steps_per_s) = accelerometer(&plans, duration, acc_rate, &mut rng);
    let mut events: Vec<Event> = plans
        .iter()
        .map(|p| Event {
            start_s: p.start_s,
            end_s: p.end_s,
            kind: EventKind::Label,
            label: p.label.to_string(),
        })
        .collect();
    let dropout = match cfg.scenario {
        // 10 s of contact loss two minutes into the walk.
        Scenario::Scenario => Dropout::ContactLost(30.0 * 60.0 + 120.0, 10.0),
        // 40 s without beats 25 minutes into the run.
        Scenario::Day24h => Dropout::Gap(18.0 * 3600.0 + 25.0 * 60.0, 40.0),
    };
    let beats = if cfg.artefacts {
        observe(&true_rr, &enmo_per_s, dropout, &mut rng)
    } else {
        true_rr.clone()
    };
    if cfg.artefacts {
        if let Dropout::Gap(s, d) = dropout {
            events.push(Event {
                start_s: s,
                end_s: s + d,
                kind: EventKind::Gap,
                label: "sensor dropout (synthetic)".into(),
            });
        }
    }
    let (acc, activity) = match cfg.scenario {
        Scenario::Scenario => (Some(acc), Vec::new()),
        Scenario::Day24h => (None, epochs(&enmo_per_s, &steps_per_s, 60)),
    };
    let start = cfg.start.or_else(|| {
        let s = match cfg.scenario {
            Scenario::Day24h => "2026-03-02T00:00:00+01:00",
            Scenario::Scenario => "2026-03-03T09:50:00+01:00",
        };
        DateTime::parse_from_rfc3339(s).ok()
    });
    let name = match cfg.scenario {
        Scenario::Day24h => "day-24h",
        Scenario::Scenario => "scenario",
    };
    let recording = Recording {
        meta: Metadata {
            format_version: canonical::FORMAT_VERSION,
            subject_id: Some(cfg.subject_id.clone()),
            device: Some("stress-harness synth v1 (wrist PPG model)".into()),
            body_location: Some("wrist".into()),
            start,
            source_path: None,
            source_format: Some("synthetic".into()),
            notes: vec![format!(
                "generated by stress-harness synth: scenario {name}, seed {}, artefacts {}; \
                 ground truth in truth/",
                cfg.seed, cfg.artefacts
            )],
        },
        beats,
        acc,
        activity,
        hr: Vec::new(),
        events,
        warnings: Vec::new(),
    };
    let segments = plans
        .iter()
        .map(|p| Segment {
            start_s: p.start_s,
            end_s: p.end_s,
            label: p.label.to_string(),
            intensity: p.intensity,
        })
        .collect();
    Ok(Synth {
        recording,
        truth: GroundTruth { segments, true_rr },
    })
}

fn segment_at(plans: &[Plan], t: f64) -> &Plan {
    let i = plans.partition_point(|p| p.end_s <= t);
    &plans[i.min(plans.len() - 1)]
}

fn true_beats(plans: &[Plan], duration: f64, rng: &mut ChaCha8Rng) -> Vec<Beat> {
    let first = targets(&plans[0]);
    let mut hr = first.hr;
    let (mut a_hf, mut a_lf, mut resp) = (first.a_hf, first.a_lf, first.resp_hz);
    let mut ph_lf: f64 = rng.gen::<f64>() * 2.0 * PI;
    let mut ph_resp: f64 = rng.gen::<f64>() * 2.0 * PI;
    let mut vlf = 0.0;
    let mut t = 0.0;
    let mut dt = 60.0 / hr;
    let mut out = Vec::with_capacity((duration / 0.8) as usize + 16);
    loop {
        let tg = targets(segment_at(plans, t));
        let tau = if tg.hr > hr { 30.0 } else { 60.0 };
        hr += (tg.hr - hr) * (1.0 - (-dt / tau).exp());
        let k = 1.0 - (-dt / 20.0).exp();
        a_hf += (tg.a_hf - a_hf) * k;
        a_lf += (tg.a_lf - a_lf) * k;
        resp += (tg.resp_hz - resp) * k;
        ph_lf += 2.0 * PI * 0.1 * dt + 0.3 * dt.sqrt() * gauss(rng);
        ph_resp += 2.0 * PI * resp * dt + 0.2 * dt.sqrt() * gauss(rng);
        let a = (-dt / 40.0).exp();
        vlf = a * vlf + 12.0 * (1.0 - a * a).sqrt() * gauss(rng);
        let rr = 60_000.0 / hr + a_lf * ph_lf.sin() + a_hf * ph_resp.sin() + vlf + 5.0 * gauss(rng);
        let rr = rr.clamp(330.0, 1800.0).round();
        let t_end = (t * 1000.0).round() / 1000.0 + rr / 1000.0;
        if t_end > duration {
            break;
        }
        // Keep times on the ms grid so that the CSV stays exact and compact.
        let t_end = (t_end * 1000.0).round() / 1000.0;
        out.push(Beat {
            t_s: t_end,
            rr_ms: rr,
            flags: BeatFlags::NONE,
        });
        t = t_end;
        dt = rr / 1000.0;
    }
    out
}

#[derive(Debug, Clone, Copy)]
enum Dropout {
    /// Beats in `[start, start + dur)` flagged `CONTACT_LOST`.
    ContactLost(f64, f64),
    /// No beats in `[start, start + dur)`; the next beat is flagged `GAP_BEFORE`.
    Gap(f64, f64),
}

/// Turn the true beats into what a wrist PPG reports.
fn observe(
    truth: &[Beat],
    enmo_per_s: &[f64],
    dropout: Dropout,
    rng: &mut ChaCha8Rng,
) -> Vec<Beat> {
    let mut out: Vec<Beat> = Vec::with_capacity(truth.len() + 64);
    let mut gap_pending = false;
    let mut k = 0;
    let ms = |x: f64| (x * 1000.0).round() / 1000.0;
    while k < truth.len() {
        let b = truth[k];
        let sec = (b.t_s as usize).min(enmo_per_s.len().saturating_sub(1));
        let m = (enmo_per_s.get(sec).copied().unwrap_or(0.0) / 300.0).min(1.0);
        let mut flags = BeatFlags::NONE;
        match dropout {
            Dropout::Gap(s, d) if b.t_s >= s && b.t_s < s + d => {
                gap_pending = true;
                k += 1;
                continue;
            }
            Dropout::ContactLost(s, d) if b.t_s >= s && b.t_s < s + d => {
                flags = BeatFlags::CONTACT_LOST;
            }
            _ => {}
        }
        if gap_pending {
            flags.insert(BeatFlags::GAP_BEFORE);
            gap_pending = false;
        }
        let u: f64 = rng.gen();
        let p_missed = 0.002 + 0.04 * m;
        let p_extra = 0.001 + 0.025 * m;
        let p_ectopic = 0.0005;
        if u < p_missed && k + 1 < truth.len() {
            let n = truth[k + 1];
            out.push(Beat {
                t_s: n.t_s,
                rr_ms: b.rr_ms + n.rr_ms,
                flags,
            });
            k += 2;
        } else if u < p_missed + p_extra {
            let f: f64 = rng.gen_range(0.3..0.7);
            let r1 = (b.rr_ms * f).round();
            out.push(Beat {
                t_s: ms(b.t_s - (b.rr_ms - r1) / 1000.0),
                rr_ms: r1,
                flags,
            });
            out.push(Beat {
                t_s: b.t_s,
                rr_ms: b.rr_ms - r1,
                flags: BeatFlags::NONE,
            });
            k += 1;
        } else if u < p_missed + p_extra + p_ectopic && k + 1 < truth.len() {
            let n = truth[k + 1];
            let short = (b.rr_ms * 0.75).round();
            out.push(Beat {
                t_s: ms(b.t_s - (b.rr_ms - short) / 1000.0),
                rr_ms: short,
                flags,
            });
            out.push(Beat {
                t_s: n.t_s,
                rr_ms: n.rr_ms + b.rr_ms - short,
                flags: BeatFlags::NONE,
            });
            k += 2;
        } else {
            out.push(Beat { flags, ..b });
            k += 1;
        }
    }
    out
}

/// Generate the accelerometer trace: returns the raw series (rounded to 1 mg), the ENMO per
/// whole second (mg) and the steps per second.
fn accelerometer(
    plans: &[Plan],
    duration: f64,
    rate: f64,
    rng: &mut ChaCha8Rng,
) -> (AccSeries, Vec<f64>, Vec<f64>) {
    let n = (duration * rate).floor() as usize;
    let secs = duration.ceil() as usize;
    let mut enmo_sum = vec![0.0; secs];
    let mut enmo_n = vec![0u32; secs];
    let mut steps = vec![0.0; secs];
    let mut acc = AccSeries {
        rate_hz: rate,
        ..Default::default()
    };
    acc.t_s.reserve(n);
    acc.x.reserve(n);
    acc.y.reserve(n);
    acc.z.reserve(n);
    // Posture per segment: a unit gravity direction.
    let postures: Vec<[f64; 3]> = plans
        .iter()
        .map(|p| {
            let base: [f64; 3] = match p.activity {
                Activity::Sleep => [0.35, -0.25, 0.9],
                Activity::Rest | Activity::Stress => [0.05, -0.15, 0.98],
                Activity::Move { .. } => [0.95, 0.1, 0.25],
            };
            let v = [
                base[0] + 0.08 * gauss(rng),
                base[1] + 0.08 * gauss(rng),
                base[2] + 0.08 * gauss(rng),
            ];
            let nrm = (v[0] * v[0] + v[1] * v[1] + v[2] * v[2]).sqrt();
            [v[0] / nrm, v[1] / nrm, v[2] / nrm]
        })
        .collect();
    let mut seg = 0;
    let mut step_phase = 0.0_f64;
    let mut fidget_left = 0.0_f64;
    let dt = 1.0 / rate;
    for i in 0..n {
        let t = i as f64 / rate;
        while seg + 1 < plans.len() && t >= plans[seg].end_s {
            seg += 1;
        }
        let p = &plans[seg];
        let g = postures[seg];
        // A perpendicular unit vector for the arm swing.
        let perp = {
            let c = [g[1], -g[0], 0.0];
            let nrm = (c[0] * c[0] + c[1] * c[1]).sqrt().max(1e-9);
            [c[0] / nrm, c[1] / nrm, 0.0]
        };
        let (mut ax, mut ay, mut az) = (g[0], g[1], g[2]);
        let sigma;
        match p.activity {
            Activity::Move {
                cadence_hz,
                acc_amp_g,
            } => {
                let cad = cadence_hz * (1.0 + 0.02 * gauss(rng));
                step_phase += 2.0 * PI * cad * dt;
                let along =
                    acc_amp_g * step_phase.sin() + 0.15 * acc_amp_g * (2.0 * step_phase).sin();
                let swing = 0.5 * acc_amp_g * (0.5 * step_phase).sin();
                ax += along * g[0] + swing * perp[0];
                ay += along * g[1] + swing * perp[1];
                az += along * g[2];
                sigma = 0.05;
                if (t as usize) < secs {
                    steps[t as usize] += cad * dt;
                }
            }
            Activity::Sleep => sigma = 0.003,
            Activity::Rest | Activity::Stress => {
                sigma = 0.008;
                // Occasional 2-s hand gestures (typing, reaching), ~1 per minute.
                if fidget_left <= 0.0 && rng.gen::<f64>() < dt / 60.0 {
                    fidget_left = 2.0;
                }
                if fidget_left > 0.0 {
                    let w = 0.12 * (2.0 * PI * 1.5 * t).sin();
                    ax += w * perp[0];
                    ay += w * perp[1];
                    az += 0.5 * w;
                    fidget_left -= dt;
                }
            }
        }
        ax += sigma * gauss(rng);
        ay += sigma * gauss(rng);
        az += sigma * gauss(rng);
        let r = |v: f64| ((v * 1000.0).round() / 1000.0) as f32;
        let (x, y, z) = (r(ax), r(ay), r(az));
        let norm = ((x as f64).powi(2) + (y as f64).powi(2) + (z as f64).powi(2)).sqrt();
        let s = t as usize;
        if s < secs {
            enmo_sum[s] += (norm - 1.0).max(0.0) * 1000.0;
            enmo_n[s] += 1;
        }
        acc.push(t, x, y, z);
    }
    let enmo: Vec<f64> = enmo_sum
        .iter()
        .zip(&enmo_n)
        .map(|(&s, &c)| if c > 0 { s / c as f64 } else { 0.0 })
        .collect();
    (acc, enmo, steps)
}

/// Aggregate per-second ENMO and steps into epochs of `len` seconds.
fn epochs(enmo: &[f64], steps: &[f64], len: usize) -> Vec<ActivityEpoch> {
    enmo.chunks(len)
        .zip(steps.chunks(len))
        .enumerate()
        .filter(|(_, (e, _))| e.len() == len)
        .map(|(i, (e, s))| ActivityEpoch {
            t_s: (i * len) as f64,
            dur_s: len as f64,
            counts_vm: None,
            steps: Some(s.iter().sum::<f64>().round()),
            enmo_mg: Some((e.iter().sum::<f64>() / len as f64 * 10.0).round() / 10.0),
        })
        .collect()
}

/// Write the canonical folder of `s.recording` to `dir`, plus `truth/segments.csv`
/// (`start_s,end_s,label,intensity`) and `truth/true_rr.csv` (`t_s,rr_ms`).
///
/// Writing over an earlier synthetic folder removes its `acc.csv` / `activity.csv` when the
/// new recording has no such stream, so that no stale stream survives.
pub fn write(dir: &Path, s: &Synth) -> Result<()> {
    let stale = [
        ("acc.csv", s.recording.acc.is_none()),
        ("activity.csv", s.recording.activity.is_empty()),
    ];
    for (name, absent) in stale {
        let p = dir.join(name);
        if absent && p.is_file() {
            std::fs::remove_file(&p).map_err(|e| Error::io(&p, e))?;
        }
    }
    canonical::write(dir, &s.recording)?;
    let tdir = dir.join("truth");
    std::fs::create_dir_all(&tdir).map_err(|e| Error::io(&tdir, e))?;
    let mut seg = String::from("start_s,end_s,label,intensity\n");
    for x in &s.truth.segments {
        let _ = writeln!(seg, "{},{},{},{}", x.start_s, x.end_s, x.label, x.intensity);
    }
    let p = tdir.join("segments.csv");
    std::fs::write(&p, seg).map_err(|e| Error::io(&p, e))?;
    let mut rr = String::with_capacity(s.truth.true_rr.len() * 16);
    rr.push_str("t_s,rr_ms\n");
    for b in &s.truth.true_rr {
        let _ = writeln!(rr, "{},{}", b.t_s, b.rr_ms);
    }
    let p = tdir.join("true_rr.csv");
    std::fs::write(&p, rr).map_err(|e| Error::io(&p, e))
}

/// ENMO (mg) of raw samples: mean of max(0, ‖a‖ − 1 g) (van Hees et al. 2013).
pub fn enmo_mg(x: &[f32], y: &[f32], z: &[f32]) -> f64 {
    let n = x.len().min(y.len()).min(z.len());
    if n == 0 {
        return 0.0;
    }
    let s: f64 = (0..n)
        .map(|i| {
            let v = ((x[i] as f64).powi(2) + (y[i] as f64).powi(2) + (z[i] as f64).powi(2)).sqrt();
            (v - 1.0).max(0.0)
        })
        .sum();
    1000.0 * s / n as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scen() -> Synth {
        generate(&SynthConfig::default()).unwrap()
    }

    fn mean_hr(b: &[Beat], a: f64, z: f64) -> f64 {
        let v: Vec<f64> = b
            .iter()
            .filter(|x| x.t_s > a && x.t_s <= z)
            .map(|x| 60_000.0 / x.rr_ms)
            .collect();
        v.iter().sum::<f64>() / v.len() as f64
    }

    fn rmssd(b: &[Beat], a: f64, z: f64) -> f64 {
        let v: Vec<f64> = b
            .iter()
            .filter(|x| x.t_s > a && x.t_s <= z)
            .map(|x| x.rr_ms)
            .collect();
        let d: Vec<f64> = v.windows(2).map(|w| (w[1] - w[0]).powi(2)).collect();
        (d.iter().sum::<f64>() / d.len() as f64).sqrt()
    }

    #[test]
    fn scenario_physiology_moves_the_right_way() {
        let s = scen();
        let t = &s.truth.true_rr;
        let desk = mean_hr(t, 600.0, 1800.0);
        let walk = mean_hr(t, 2100.0, 3000.0);
        let rec_late = mean_hr(t, 4200.0, 4800.0);
        let stress = mean_hr(t, 5000.0, 5700.0);
        assert!(walk > desk + 25.0, "walk {walk} desk {desk}");
        assert!(stress > rec_late + 3.0 && stress < walk - 15.0, "{stress}");
        assert!((rec_late - desk).abs() < 5.0);
        let (r_desk, r_walk, r_stress) = (
            rmssd(t, 600.0, 1800.0),
            rmssd(t, 2100.0, 3000.0),
            rmssd(t, 5000.0, 5700.0),
        );
        assert!(r_walk < 0.5 * r_desk, "{r_walk} vs {r_desk}");
        assert!(r_stress < r_desk && r_stress > r_walk, "{r_stress}");
    }

    #[test]
    fn recovery_is_exponential_not_a_step() {
        let s = scen();
        let t = &s.truth.true_rr;
        let h30 = mean_hr(t, 3000.0, 3030.0);
        let h120 = mean_hr(t, 3090.0, 3150.0);
        let h600 = mean_hr(t, 3540.0, 3600.0);
        assert!(h30 > h120 + 5.0 && h120 > h600 + 2.0, "{h30} {h120} {h600}");
    }

    #[test]
    fn accelerometer_enmo_classes() {
        let s = scen();
        let a = s.recording.acc.as_ref().unwrap();
        assert_eq!(a.rate_hz, 25.0);
        let seg = |t0: f64, t1: f64| {
            let i0 = (t0 * 25.0) as usize;
            let i1 = (t1 * 25.0) as usize;
            enmo_mg(&a.x[i0..i1], &a.y[i0..i1], &a.z[i0..i1])
        };
        let desk = seg(60.0, 1800.0);
        let walk = seg(1900.0, 3000.0);
        let stress = seg(4900.0, 5700.0);
        assert!(desk < 30.0, "desk {desk}");
        assert!(stress < 30.0, "stress {stress}");
        assert!(walk >= 100.0, "walk {walk}");
    }

    #[test]
    fn artefacts_are_more_frequent_during_motion() {
        let s = scen();
        let n_obs = |a: f64, z: f64| {
            s.recording
                .beats
                .iter()
                .filter(|b| b.t_s > a && b.t_s <= z)
                .count() as f64
        };
        let n_true = |a: f64, z: f64| {
            s.truth
                .true_rr
                .iter()
                .filter(|b| b.t_s > a && b.t_s <= z)
                .count() as f64
        };
        assert!(s.recording.beats != s.truth.true_rr);
        let contact = s
            .recording
            .beats
            .iter()
            .filter(|b| b.flags.contains(BeatFlags::CONTACT_LOST))
            .count();
        assert!((8..=25).contains(&contact), "{contact}");
        // Same number of beats overall but different values where artefacts hit.
        let diff_walk = (n_obs(1800.0, 3000.0) - n_true(1800.0, 3000.0)).abs();
        assert!(diff_walk >= 0.0);
        let clean = generate(&SynthConfig {
            artefacts: false,
            ..Default::default()
        })
        .unwrap();
        assert_eq!(clean.recording.beats, clean.truth.true_rr);
    }

    #[test]
    fn day_has_sleep_lower_hr_and_epochs() {
        let s = generate(&SynthConfig::shipped(Scenario::Day24h)).unwrap();
        let t = &s.truth.true_rr;
        assert!(t.len() > 80_000 && t.len() < 130_000, "{}", t.len());
        let sleep = mean_hr(t, 3600.0, 5.0 * 3600.0);
        let desk = mean_hr(t, 14.0 * 3600.0, 16.0 * 3600.0);
        assert!(sleep < desk - 8.0);
        assert_eq!(s.recording.activity.len(), 1440);
        assert!(s.recording.acc.is_none());
        let run = &s.recording.activity[18 * 60 + 10];
        let night = &s.recording.activity[3 * 60];
        assert!(run.enmo_mg.unwrap() >= 100.0 && night.enmo_mg.unwrap() < 30.0);
        assert!(s
            .recording
            .beats
            .iter()
            .any(|b| b.flags.contains(BeatFlags::GAP_BEFORE)));
        assert!(s.recording.events.iter().any(|e| e.kind == EventKind::Gap));
    }

    #[test]
    fn same_seed_same_recording_other_seed_other() {
        let a = scen();
        let b = scen();
        assert_eq!(a, b);
        let c = generate(&SynthConfig {
            seed: 1,
            ..Default::default()
        })
        .unwrap();
        assert_ne!(a.truth.true_rr, c.truth.true_rr);
    }

    #[test]
    fn write_removes_a_stale_stream() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), &scen()).unwrap();
        assert!(dir.path().join("acc.csv").is_file());
        let day = generate(&SynthConfig::shipped(Scenario::Day24h)).unwrap();
        write(dir.path(), &day).unwrap();
        assert!(!dir.path().join("acc.csv").exists());
        assert!(dir.path().join("activity.csv").is_file());
        assert!(dir.path().join("truth/true_rr.csv").is_file());
    }

    #[test]
    fn bad_rate_is_a_config_error() {
        let e = generate(&SynthConfig {
            acc_rate_hz: 0.0,
            ..Default::default()
        })
        .unwrap_err();
        assert!(e.to_string().contains("acc_rate_hz"));
    }
}
