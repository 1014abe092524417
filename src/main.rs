//! Command-line entry point: parses arguments, calls the library, maps errors to exit codes
//! (0 = ok, 1 = error). All the work is in the `stress_harness` library.
use anyhow::{bail, Context, Result};
use clap::{Args, Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use stress_harness as sh;

/// Transparent wearable stress scores.
///
/// stress-harness reads beat-to-beat (RR) intervals and motion from CSV recordings or live
/// Bluetooth LE wearables, recomputes HRV stress indicators with documented formulas, scores
/// them with three documented vendor-like profiles (watch-like, ring-like, tracker-like) and
/// shows how physical motion confounds the scores.
///
/// Everything runs locally; nothing is sent over a network.
#[derive(Parser, Debug)]
#[command(name = "stress-harness", version, about, long_about, after_help = EXAMPLES)]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
    /// No progress bars or summaries on stderr.
    #[arg(long, short, global = true)]
    quiet: bool,
}

const EXAMPLES: &str = "\
Examples:
  stress-harness practice-test                         # the built-in scenario → out/practice-test/
  stress-harness practice-test data/user_*/ -o out/cohort   # a cohort, in parallel
  stress-harness analyze datasets/synthetic/day-24h -o windows.csv
  stress-harness analyze rr.txt --rr-unit ms --convention neurokit2 --explain
  stress-harness synth --scenario day-24h -o my-day
  stress-harness scan --timeout 10
  stress-harness record --device \"Polar H10\" -o session-01 --baseline me.json
  stress-harness replay session-01 --realtime
  stress-harness replay session-01 --jsonl > session-01.jsonl   # every scored window, as JSON";

#[derive(Subcommand, Debug)]
enum Cmd {
    /// Recompute every HRV indicator per window (default 5 min every 30 s) → CSV or JSON.
    ///
    /// One row per window: placement, coverage by clean beats, beat count, share of
    /// corrected beats, validity with its reason, then every indicator (time, frequency,
    /// non-linear, Baevsky) with its unit in the column name. Formulas: docs/FORMULAS.md or
    /// --explain.
    Analyze(AnalyzeArgs),
    /// Replay the wearable practice test: three profiles, motion confound, charts, report.
    ///
    /// Writes charts (PNG + SVG), windows.csv, summary.json and summary.md to the output
    /// folder. With several recordings (or a folder of them) it runs them in parallel and
    /// adds a cohort table and chart. Without a recording it uses the built-in scenario
    /// datasets/synthetic/scenario.
    PracticeTest(PracticeArgs),
    /// Generate a seeded synthetic recording with ground truth.
    Synth(SynthArgs),
    /// Convert any supported recording into the canonical folder format.
    Convert(ConvertArgs),
    /// Print the formulas and parameters of the indicators and of the three profiles.
    Explain(ExplainArgs),
    /// Replay a recording through the live engine and view (as a live session would).
    ///
    /// Shows HR, last RR, rolling RMSSD (60 s, 5 min), SDNN, Baevsky SI, motion and the
    /// watch-, ring- and tracker-like scores as each window closes — the same windows
    /// practice-test computes (give the same --baseline to both). Where a motion rule hides a
    /// score the view says what it would have been.
    Replay(ReplayArgs),
    /// Scan for Bluetooth LE heart-rate devices (Heart Rate Service 0x180D, Polar PMD).
    #[cfg(feature = "ble")]
    Scan(ScanArgs),
    /// Record a live BLE session to a canonical folder while showing live indicators.
    ///
    /// Writes beats, device HR, acceleration (Polar PMD) and events as they arrive (a crash
    /// loses at most about a second), reconnects after link loss, and stops cleanly on Ctrl-C
    /// or --duration. The live view is the one `replay` shows, profile scores included.
    #[cfg(feature = "ble")]
    Record(RecordArgs),
}

/// How to read a recording.
#[derive(Args, Debug, Clone)]
struct ImportArgs {
    /// Input format; detected from the files when omitted.
    #[arg(long, value_enum)]
    format: Option<sh::sources::Format>,
    /// Unit of RR values in plain text files; detected from their magnitude when omitted.
    #[arg(long, value_enum)]
    rr_unit: Option<sh::sources::RrUnit>,
    /// Pseudonymous subject id to store (default: derived from the folder name).
    #[arg(long)]
    subject: Option<String>,
    /// Labels file to attach (e.g. Stress-Predict Time_logs_long.csv).
    #[arg(long)]
    labels: Option<PathBuf>,
    /// Do not look for a labels file next to the recording.
    #[arg(long)]
    no_auto_labels: bool,
}

impl ImportArgs {
    fn options(&self) -> sh::sources::ImportOptions {
        sh::sources::ImportOptions {
            format: self.format,
            rr_unit: self.rr_unit,
            subject_id: self.subject.clone(),
            labels: self.labels.clone(),
            no_auto_labels: self.no_auto_labels,
        }
    }
}

#[derive(Args, Debug)]
struct AnalyzeArgs {
    /// Recording: a file or folder in any supported format.
    recording: PathBuf,
    #[command(flatten)]
    import: ImportArgs,
    /// Window length, s.
    #[arg(long, default_value_t = 300.0)]
    window: f64,
    /// Step between window starts, s.
    #[arg(long, default_value_t = 30.0)]
    step: f64,
    /// Align windows to t = 0 instead of the wall clock.
    #[arg(long)]
    no_clock_align: bool,
    /// RR cleaning method.
    #[arg(long, value_enum, default_value_t = sh::cleaning::CleaningMethod::default())]
    cleaning: sh::cleaning::CleaningMethod,
    /// Whose conventions to follow (ddof, pNNx divisor, resampling, Welch, bands, DFA…).
    #[arg(long, value_enum, default_value_t = sh::indicators::Convention::Default)]
    convention: sh::indicators::Convention,
    /// Output file (default: standard output).
    #[arg(long, short)]
    out: Option<PathBuf>,
    /// Write JSON (config, cleaning log, windows) instead of CSV.
    #[arg(long)]
    json: bool,
    /// Print the formulas and parameters used (to stderr) before analysing.
    #[arg(long)]
    explain: bool,
}

#[derive(Args, Debug)]
struct PracticeArgs {
    /// Recordings (files or folders). A folder that is not itself a recording is searched
    /// for recordings one level down. Default: datasets/synthetic/scenario.
    recordings: Vec<PathBuf>,
    #[command(flatten)]
    import: ImportArgs,
    /// Output folder.
    #[arg(long, short, default_value = "out/practice-test")]
    out: PathBuf,
    /// Personal baseline JSON (hr_ref, sd_hr, ln_rmssd_ref, sd_ln_rmssd…); learned from the
    /// recording when omitted, and the outputs then say the profiles are uncalibrated.
    #[arg(long)]
    baseline: Option<PathBuf>,
    /// Indicator conventions.
    #[arg(long, value_enum, default_value_t = sh::indicators::Convention::Default)]
    convention: sh::indicators::Convention,
    /// Use the HR-based activity proxy even when a motion sensor is present.
    #[arg(long)]
    hr_proxy: bool,
    /// Minimum share of a window covered by clean NN intervals for it to be valid (default
    /// 0.8). Sources with systematic holes (MMASH drops ~8 s every ~30 s) need ~0.6.
    #[arg(long)]
    min_coverage: Option<f64>,
    /// Print each profile's rule and documented/assumed table, then continue.
    #[arg(long)]
    explain: bool,
    /// Worker threads for cohorts (default: all cores).
    #[arg(long, short)]
    jobs: Option<usize>,
}

#[derive(Args, Debug)]
struct SynthArgs {
    /// Which recording to generate.
    #[arg(long, value_enum, default_value_t = sh::synth::Scenario::Scenario)]
    scenario: sh::synth::Scenario,
    /// Random seed (the shipped recordings use the default).
    #[arg(long, default_value_t = sh::synth::DEFAULT_SEED)]
    seed: u64,
    /// Raw accelerometer rate, Hz.
    #[arg(long, default_value_t = 25.0)]
    acc_rate: f64,
    /// Generate clean beats, without wrist-PPG artefacts.
    #[arg(long)]
    no_artefacts: bool,
    /// Output folder (canonical recording + truth/).
    #[arg(long, short)]
    out: PathBuf,
}

#[derive(Args, Debug)]
struct ConvertArgs {
    /// Input recording.
    recording: PathBuf,
    #[command(flatten)]
    import: ImportArgs,
    /// Output canonical folder.
    #[arg(long, short)]
    out: PathBuf,
}

#[derive(Args, Debug)]
struct ExplainArgs {
    /// Conventions to explain.
    #[arg(long, value_enum, default_value_t = sh::indicators::Convention::Default)]
    convention: sh::indicators::Convention,
}

#[derive(Args, Debug)]
struct ReplayArgs {
    /// Recording to replay.
    recording: PathBuf,
    #[command(flatten)]
    import: ImportArgs,
    /// Replay at the recorded pace (default: as fast as possible).
    #[arg(long)]
    realtime: bool,
    /// Replay at this many times the recorded pace.
    #[arg(long, conflicts_with = "realtime")]
    speed: Option<f64>,
    #[command(flatten)]
    view: ViewArgs,
    #[command(flatten)]
    scores: LiveScoreArgs,
}

/// How the live numbers are shown (`replay`, `record`).
#[derive(Args, Debug)]
struct ViewArgs {
    /// Plain lines instead of the refreshing compact view (the default when stdout is not a
    /// terminal).
    #[arg(long)]
    plain: bool,
    /// One JSON object per line on stdout: snapshots (every field of the view), events,
    /// status changes and every profile window as it is scored (inputs, motion, status,
    /// score); for logging a session or feeding another program.
    #[arg(long, conflicts_with = "plain")]
    jsonl: bool,
    /// Seconds of data between two lines in `--plain` and `--jsonl` output.
    #[arg(long, default_value_t = 10.0, value_name = "SECONDS")]
    every: f64,
}

/// Live profile scores (`replay`, `record`).
#[derive(Args, Debug)]
struct LiveScoreArgs {
    /// Personal baseline JSON for the watch-like and ring-like live scores (as in
    /// `practice-test --baseline`). Without it they use the cold-start defaults and the view
    /// says they are uncalibrated: a live session cannot learn a baseline from a day it has
    /// not seen yet.
    #[arg(long, value_name = "FILE")]
    baseline: Option<PathBuf>,
    /// Show the indicators only, no profile scores.
    #[arg(long, conflicts_with = "baseline")]
    no_scores: bool,
}

impl LiveScoreArgs {
    /// The live configuration these flags ask for.
    fn live_config(&self) -> Result<sh::live::LiveConfig> {
        let mut cfg = sh::live::LiveConfig::default();
        if self.no_scores {
            cfg.profiles = None;
        } else if let Some(b) = &self.baseline {
            cfg.profiles = Some(sh::profiles::PracticeConfig {
                baseline: Some(sh::profiles::Baseline::load_json(b)?),
                ..Default::default()
            });
        }
        Ok(cfg)
    }
}

#[cfg(feature = "ble")]
#[derive(Args, Debug)]
struct ScanArgs {
    /// Scan duration, s.
    #[arg(long, default_value_t = 10.0)]
    timeout: f64,
    /// JSON output.
    #[arg(long)]
    json: bool,
    /// Also list devices that advertise neither Heart Rate nor Polar PMD.
    #[arg(long)]
    all: bool,
}

#[cfg(feature = "ble")]
#[derive(Args, Debug)]
struct RecordArgs {
    /// Device name (substring, case-insensitive) or id as printed by `scan`.
    #[arg(long, short)]
    device: String,
    /// Output canonical folder (default: recordings/<timestamp>).
    #[arg(long, short)]
    out: Option<PathBuf>,
    /// Stop after this many seconds (default: until Ctrl-C).
    #[arg(long)]
    duration: Option<f64>,
    /// Pseudonymous subject id written to the metadata.
    #[arg(long)]
    subject: Option<String>,
    #[command(flatten)]
    view: ViewArgs,
    /// Seconds without a Heart Rate notification before the link is treated as lost.
    #[arg(long, default_value_t = 5.0)]
    watchdog: f64,
    /// Do not start the Polar PMD accelerometer even when the device offers it.
    #[arg(long)]
    no_acc: bool,
    #[command(flatten)]
    scores: LiveScoreArgs,
}

fn main() {
    let cli = Cli::parse();
    if let Err(e) = run(cli) {
        eprintln!("error: {e:#}");
        std::process::exit(1);
    }
}

fn run(cli: Cli) -> Result<()> {
    let quiet = cli.quiet;
    match cli.cmd {
        Cmd::Analyze(a) => analyze(a, quiet),
        Cmd::PracticeTest(a) => practice_test(a, quiet),
        Cmd::Synth(a) => synth(a, quiet),
        Cmd::Convert(a) => convert(a, quiet),
        Cmd::Explain(a) => {
            println!(
                "{}",
                sh::indicators::explain(&sh::indicators::Conventions::of(a.convention))
            );
            println!(
                "{}",
                sh::profiles::explain_all(&sh::profiles::PracticeConfig::default())
            );
            Ok(())
        }
        Cmd::Replay(a) => replay(a, quiet),
        #[cfg(feature = "ble")]
        Cmd::Scan(a) => scan(a),
        #[cfg(feature = "ble")]
        Cmd::Record(a) => record(a, quiet),
    }
}

fn load(path: &Path, import: &ImportArgs, quiet: bool) -> Result<sh::Recording> {
    let rec = sh::sources::import(path, &import.options())
        .with_context(|| format!("reading {}", path.display()))?;
    if !quiet {
        for w in &rec.warnings {
            eprintln!("warning: {w}");
        }
    }
    Ok(rec)
}

fn bar(len: u64, quiet: bool, what: &str) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let b = ProgressBar::new(len);
    b.set_style(
        ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} ({eta})")
            .expect("valid template")
            .progress_chars("=> "),
    );
    b.set_message(what.to_string());
    b
}

fn analyze(a: AnalyzeArgs, quiet: bool) -> Result<()> {
    let rec = load(&a.recording, &a.import, quiet)?;
    let mut cfg = sh::engine::AnalysisConfig::default();
    cfg.window.len_s = a.window;
    cfg.window.step_s = a.step;
    cfg.window.clock_aligned = !a.no_clock_align;
    cfg.cleaning.method = a.cleaning;
    cfg.conventions = sh::indicators::Conventions::of(a.convention);
    cfg.validate()?;
    if a.explain {
        eprintln!("{}", sh::indicators::explain(&cfg.conventions));
    }
    let pb = bar(rec.beats.len() as u64, quiet, "analysing");
    let analysis =
        sh::engine::analyze_with_progress(&rec, &cfg, &mut |done, _| pb.set_position(done as u64))?;
    pb.finish_and_clear();
    let label = a.out.clone().unwrap_or_else(|| PathBuf::from("<stdout>"));
    let mut out: Box<dyn std::io::Write> = match &a.out {
        Some(p) => {
            if let Some(dir) = p.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir)
                    .with_context(|| format!("creating {}", dir.display()))?;
            }
            Box::new(std::io::BufWriter::new(
                std::fs::File::create(p).with_context(|| format!("creating {}", p.display()))?,
            ))
        }
        None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
    };
    if a.json {
        sh::analyze::write_json(&analysis, &mut out, &label)?;
    } else {
        sh::analyze::write_csv(&analysis, &mut out, &label)?;
    }
    if !quiet {
        eprint!("{}", sh::analyze::summary(&analysis));
        if let Some(p) = &a.out {
            eprintln!("wrote {}", p.display());
        }
    }
    Ok(())
}

/// Expand the practice-test inputs: a folder that is not a recording itself is searched one
/// level down for recordings.
fn expand_inputs(inputs: &[PathBuf], import: &ImportArgs) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for p in inputs {
        if p.is_dir() && import.format.is_none() && sh::sources::detect(p).is_err() {
            let mut kids: Vec<PathBuf> = std::fs::read_dir(p)
                .into_iter()
                .flatten()
                .flatten()
                .map(|e| e.path())
                .filter(|k| sh::sources::detect(k).is_ok())
                .collect();
            kids.sort();
            if kids.is_empty() {
                out.push(p.clone());
            } else {
                out.extend(kids);
            }
        } else {
            out.push(p.clone());
        }
    }
    out
}

fn default_scenario() -> Result<PathBuf> {
    let candidates = [
        PathBuf::from("datasets/synthetic/scenario"),
        Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets/synthetic/scenario"),
    ];
    candidates
        .into_iter()
        .find(|p| p.join("meta.json").exists())
        .context("the built-in scenario datasets/synthetic/scenario was not found; pass a recording or generate one with `stress-harness synth -o DIR`")
}

fn practice_test(a: PracticeArgs, quiet: bool) -> Result<()> {
    let mut cfg = sh::profiles::PracticeConfig {
        convention: a.convention,
        ..Default::default()
    };
    cfg.motion.force_hr_proxy = a.hr_proxy;
    if let Some(c) = a.min_coverage {
        if !(0.0..=1.0).contains(&c) {
            bail!("--min-coverage must be between 0 and 1, got {c}");
        }
        cfg.rules.min_coverage = c;
    }
    if let Some(b) = &a.baseline {
        // Validated, and marked as the user's file whatever `source` it carries.
        cfg.baseline = Some(sh::profiles::Baseline::load_json(b)?);
    }
    if a.explain {
        eprintln!("{}", sh::profiles::explain_all(&cfg));
    }
    let inputs = if a.recordings.is_empty() {
        vec![default_scenario()?]
    } else {
        expand_inputs(&a.recordings, &a.import)
    };
    if let Some(j) = a.jobs {
        rayon::ThreadPoolBuilder::new()
            .num_threads(j.max(1))
            .build_global()
            .context("setting up worker threads")?;
    }
    if inputs.len() == 1 {
        let rec = load(&inputs[0], &a.import, quiet)?;
        let (res, out) = sh::practice::run(&rec, &cfg, &a.out)?;
        if !quiet {
            for p in &res.profiles {
                for d in &p.daily {
                    eprintln!("{:<13} {}: \"{}\"", p.name, d.label, d.headline);
                    eprintln!("{:<13} {}", "", d.sensitivity);
                }
            }
            eprintln!("wrote {} files to {}", out.files.len(), out.dir.display());
        }
        return Ok(());
    }
    let pb = bar(inputs.len() as u64, quiet, "recordings");
    let import = a.import.clone();
    let entries = sh::practice::run_cohort(
        &inputs,
        &|p| sh::sources::import(p, &import.options()),
        &cfg,
        &a.out,
        &|_| pb.inc(1),
    )?;
    pb.finish_and_clear();
    let failed: Vec<_> = entries.iter().filter(|e| e.error.is_some()).collect();
    if !quiet {
        eprintln!(
            "{} recordings, {} failed; cohort table {}",
            entries.len(),
            failed.len(),
            a.out.join("cohort.csv").display()
        );
        for e in &failed {
            eprintln!(
                "failed: {}: {}",
                e.path.display(),
                e.error.as_deref().unwrap_or("")
            );
        }
    }
    if failed.len() == entries.len() {
        bail!("every recording failed");
    }
    Ok(())
}

fn synth(a: SynthArgs, quiet: bool) -> Result<()> {
    let mut cfg = sh::synth::SynthConfig::shipped(a.scenario);
    cfg.seed = a.seed;
    cfg.acc_rate_hz = a.acc_rate;
    cfg.artefacts = !a.no_artefacts;
    let s = sh::synth::generate(&cfg)?;
    sh::synth::write(&a.out, &s)?;
    if !quiet {
        eprintln!(
            "wrote {} beats, {} labelled segments to {}",
            s.recording.beats.len(),
            s.truth.segments.len(),
            a.out.display()
        );
    }
    Ok(())
}

fn convert(a: ConvertArgs, quiet: bool) -> Result<()> {
    let rec = load(&a.recording, &a.import, quiet)?;
    sh::recording::canonical::write(&a.out, &rec)?;
    if !quiet {
        eprintln!("wrote {} beats to {}", rec.beats.len(), a.out.display());
    }
    Ok(())
}

fn view(a: &ViewArgs, quiet: bool) -> Result<Box<dyn sh::live::View + Send>> {
    if !(a.every.is_finite() && a.every > 0.0) {
        bail!(
            "--every must be a positive number of seconds, got {}",
            a.every
        );
    }
    Ok(if a.jsonl {
        // Machine-readable output is not silenced by --quiet (that only hides progress).
        Box::new(sh::live::JsonLinesView::new(std::io::stdout(), a.every))
    } else if quiet {
        Box::new(sh::live::NullView)
    } else if a.plain || !std::io::stdout().is_terminal() {
        Box::new(sh::live::LineView::new(std::io::stdout(), a.every))
    } else {
        Box::new(sh::live::CompactView::new(std::io::stdout(), 4.0))
    })
}

fn replay(a: ReplayArgs, quiet: bool) -> Result<()> {
    let rec = load(&a.recording, &a.import, quiet)?;
    let speed = match (a.realtime, a.speed) {
        (true, _) => sh::live::Speed::Realtime,
        (false, Some(k)) => sh::live::Speed::Factor(k),
        (false, None) => sh::live::Speed::Max,
    };
    let mut v = view(&a.view, quiet)?;
    let cfg = a.scores.live_config()?;
    if !quiet && cfg.profiles.is_some() && a.scores.baseline.is_none() {
        eprintln!("note: watch-/ring-like scores use the cold-start baseline (uncalibrated); give --baseline FILE for a personal one");
    }
    sh::live::replay(&rec, speed, &cfg, v.as_mut())?;
    Ok(())
}

#[cfg(feature = "ble")]
fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")
}

/// `--flag` seconds as a `Duration` of at least `min` s; a clear error instead of a panic for
/// NaN, infinite, negative or absurdly large values.
#[cfg(feature = "ble")]
fn seconds(flag: &str, v: f64, min: f64) -> Result<std::time::Duration> {
    if !v.is_finite() || v < 0.0 {
        bail!("--{flag} must be a finite number of seconds ≥ 0, got {v}");
    }
    std::time::Duration::try_from_secs_f64(v.max(min))
        .map_err(|_| anyhow::anyhow!("--{flag} {v:e} s is too long"))
}

#[cfg(feature = "ble")]
fn scan(a: ScanArgs) -> Result<()> {
    let opts = sh::ble::ScanOptions {
        timeout: seconds("timeout", a.timeout, 0.1)?,
        all_devices: a.all,
    };
    let devices = runtime()?.block_on(sh::ble::scan(opts))?;
    if a.json {
        println!("{}", serde_json::to_string_pretty(&devices)?);
        return Ok(());
    }
    if devices.is_empty() {
        eprintln!("no heart-rate device found (is Bluetooth on, and is the device awake and not connected elsewhere?)");
    }
    for d in &devices {
        println!(
            "{:<24} {:>5}  {:<28} streams: {}{}{}",
            d.name.as_deref().unwrap_or("(no name)"),
            d.rssi
                .map(|r| format!("{r}dBm"))
                .unwrap_or_else(|| "cached".into()),
            d.id,
            if d.streams.heart_rate { "HR " } else { "" },
            if d.streams.rr { "RR " } else { "" },
            if d.streams.acceleration { "ACC" } else { "" },
        );
    }
    Ok(())
}

#[cfg(feature = "ble")]
fn record(a: RecordArgs, quiet: bool) -> Result<()> {
    if a.device.trim().is_empty() {
        bail!("--device is empty: give a device name or id as printed by `stress-harness scan`");
    }
    let out = a.out.unwrap_or_else(|| {
        PathBuf::from("recordings").join(chrono::Local::now().format("%Y%m%d-%H%M%S").to_string())
    });
    let opts = sh::ble::RecordOptions {
        device: a.device,
        out_dir: out,
        duration: a
            .duration
            .map(|d| seconds("duration", d, 0.0))
            .transpose()?,
        subject_id: a.subject,
        watchdog: seconds("watchdog", a.watchdog, 0.5)?,
        acc: if a.no_acc {
            None
        } else {
            Some(sh::ble::pmd::AccSettings::default())
        },
        live: a.scores.live_config()?,
        ..Default::default()
    };
    let mut v = view(&a.view, quiet)?;
    let summary = runtime()?.block_on(sh::ble::record(opts, v.as_mut()))?;
    if !quiet {
        eprintln!("{}", serde_json::to_string_pretty(&summary)?);
    }
    Ok(())
}
