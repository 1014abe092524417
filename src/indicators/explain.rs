//! `--explain`: the formulas and the parameters actually used, as Markdown.

use super::conventions::*;
use std::fmt::Write;

fn bins(b: HistogramBins) -> String {
    match b {
        HistogramBins::FromZero { width_ms } => format!("{width_ms} ms bins from 0 ms"),
        HistogramBins::Range { lo_ms, hi_ms, width_ms } => {
            format!("{width_ms} ms bins over {lo_ms}–{hi_ms} ms (values outside dropped)")
        }
    }
}

fn band(b: Band) -> String {
    format!("[{}, {}) Hz", b.lo_hz, b.hi_hz)
}

/// Markdown description of every indicator under `c`: formula, unit, parameters used, and
/// whether each choice is documented (with its source) or assumed.
pub fn explain(c: &Conventions) -> String {
    let name = match c.convention {
        Convention::Default => "default (stress-harness)",
        Convention::Neurokit2 => "neurokit2 (NeuroKit2 0.3.0, normalize=False)",
        Convention::HrvAnalysis => "hrv-analysis (hrv-analysis 1.0.6)",
    };
    let lib = match c.convention {
        Convention::Default => "stress-harness default, see docs/FORMULAS.md",
        Convention::Neurokit2 => "documented: NeuroKit2 0.3.0 source",
        Convention::HrvAnalysis => "documented: hrv-analysis 1.0.6 source",
    };
    let pnn = match c.pnn_divisor {
        PnnDivisor::Differences => "M (valid differences, N−1 without gaps)",
        PnnDivisor::DifferencesPlusOne => "M + 1 (N without gaps, NeuroKit2)",
    };
    let tinn = match c.tinn {
        TinnMethod::LeastSquares => "exhaustive least-squares triangle (NeuroKit2 error, loop bug fixed)",
        TinnMethod::Neurokit2Bug => "NeuroKit2 0.3.0 search as released (first N candidate only)",
        TinnMethod::NotComputed => "not computed (hrv-analysis returns None)",
    };
    let interp = match c.interpolation {
        Interpolation::Linear => "linear",
        Interpolation::Quadratic => "quadratic B-spline (scipy interp1d 'quadratic')",
        Interpolation::Cubic => "not-a-knot cubic spline",
    };
    let grid = match c.resample_grid {
        ResampleGrid::FirstToLastInclusive => "t0, t0+1/fs, … ≤ t_last+1/fs (beyond t_last: last RR)",
        ResampleGrid::FirstToLastExclusive => "0, 1/fs, … < t_last − t0",
    };
    let nperseg = match c.nperseg {
        Nperseg::Samples(k) => format!("{k} samples ({:.0} s)", k as f64 / c.resample_hz),
        Nperseg::Neurokit2HalfRecord => "half the resampled record (NeuroKit2)".into(),
    };
    let nfft = match c.nfft {
        Nfft::Fixed(k) => format!("{k}"),
        Nfft::TwiceNperseg => "2 × segment length".into(),
    };
    let psd = match c.psd_method {
        PsdMethod::Welch => format!(
            "Welch: RR at beat end times, {interp} resampling at {} Hz on grid {grid}; mean {}; {:?} taper, segment {nperseg}, 50 % overlap, nfft {nfft}, per-segment mean removal {}; one-sided density (ms²/Hz){}",
            c.resample_hz,
            if c.remove_mean { "removed" } else { "kept" },
            c.taper,
            if c.segment_detrend { "on" } else { "off" },
            if c.neurokit2_min_frequency { "; bins below 4·fs/n dropped (NeuroKit2)" } else { "" }
        ),
        PsdMethod::Lomb => format!(
            "Lomb–Scargle (floating mean, astropy 'psd' normalisation) on the uneven series, {} samples per peak",
            c.lomb_samples_per_peak
        ),
    };
    let integ = match c.integration {
        Integration::Trapezoid => "trapezoid over bins with lo ≤ f < hi",
        Integration::Rectangle => "Σ PSD·Δf over bins with lo ≤ f < hi",
    };
    let nu = match c.nu_base {
        NuBase::LfPlusHf => "100·LF/(LF+HF)",
        NuBase::TotalPower => "100·LF/TP (NeuroKit2 LFn ×100)",
    };
    let tp = {
        let mut s = String::from("VLF+LF+HF");
        if c.ulf.is_some() {
            s = format!("ULF {}+{s}", band(c.ulf.unwrap_or(c.vlf)));
        }
        if let Some(v) = c.vhf {
            s = format!("{s}+VHF {}", band(v));
        }
        s
    };
    let poin = match c.poincare {
        PoincareMethod::Projection => format!(
            "SD1 = std((RR_n − RR_n+1)/√2), SD2 = std((RR_n + RR_n+1)/√2), ddof {}",
            c.poincare_ddof
        ),
        PoincareMethod::Identity => "SD1 = √(½·SDSD²), SD2 = √(2·SDNN² − ½·SDSD²), ddof 1".into(),
    };
    let d = &c.dfa;
    let a2 = match d.alpha2 {
        (lo, Some(hi)) => format!("{lo}–{hi}"),
        (lo, None) => format!("{lo}–⌊(N+1)/10⌋"),
    };
    let mut s = String::new();
    let _ = writeln!(s, "# Indicators and parameters — convention `{name}`\n");
    let _ = writeln!(s, "N = NN intervals in the window, M = valid successive differences (ΔRR_k = RR_k − RR_k−1 with both beats clean and contiguous). `None` when an indicator is not computable (rules in docs/FORMULAS.md).\n");
    let _ = writeln!(s, "| Column | Formula | Unit | Parameters used | Status |");
    let _ = writeln!(s, "|---|---|---|---|---|");
    let mut row = |col: &str, f: &str, u: &str, p: String, st: &str| {
        let _ = writeln!(s, "| `{col}` | {f} | {u} | {p} | {st} |");
    };
    row("mean_nn_ms", "ΣRR/N", "ms", "–".into(), "documented: Task Force 1996");
    row("median_nn_ms", "median(RR)", "ms", "–".into(), "documented");
    row("sdnn_ms", "√(Σ(RR−mean)²/(N−ddof))", "ms", format!("ddof {}", c.sdnn_ddof), lib);
    row("rmssd_ms", "√(ΣΔRR²/M)", "ms", "valid differences only".into(), "documented: Task Force 1996");
    row("ln_rmssd", "ln(RMSSD)", "ln(ms)", "–".into(), "documented");
    row("sdsd_ms", "std(ΔRR) on signed differences", "ms", format!("ddof {}", c.sdsd_ddof), lib);
    row("pnn50_pct / pnn20_pct", "100·#{|ΔRR| > x}/D (strict >)", "%", format!("D = {pnn}"), lib);
    row("mean/min/max_hr_bpm", "mean, min, max of 60000/RR", "bpm", "beat-to-beat, no moving average".into(), "documented: hrv-analysis; Kubios' 5-beat average not used (assumed)");
    row("hti", "N / max bin count", "1", bins(c.hti_bins), lib);
    row("tinn_ms", "M − N of the best triangle", "ms", format!("{tinn}; {} ms bins from 0", c.tinn_bin_ms), lib);
    row("vlf/lf/hf_ms2", "∫PSD over the band", "ms²", format!("{psd}; VLF {}, LF {}, HF {}; {integ}", band(c.vlf), band(c.lf), band(c.hf)), lib);
    row("tp_ms2", "sum of band powers", "ms²", tp, lib);
    row("lf_hf", "LF/HF", "1", "–".into(), "documented");
    row("lf_nu_pct / hf_nu_pct", nu, "%", format!("{nu} (HF likewise)"), lib);
    row("lf/hf_peak_hz", "argmax PSD in band", "Hz", "largest bin".into(), "documented: pyHRV/Kubios; bin choice assumed");
    row("sd1_ms / sd2_ms / sd1_sd2", "Poincaré", "ms, ms, 1", poin, lib);
    row(
        "sampen",
        "−ln(A/B), Chebyshev, N−m templates, no self-matches",
        "1",
        format!(
            "m = {}, r = {:.4}·SD(ddof 1), match if distance {} r; templates across invalid differences skipped",
            c.sampen.m,
            c.sampen.r_factor,
            if c.sampen.closed { "≤" } else { "<" }
        ),
        lib,
    );
    row(
        "dfa_alpha1 / dfa_alpha2",
        "slope of ln F(s) on ln s, linear detrending, least squares",
        "1",
        format!(
            "α1 scales {}–{}, α2 scales {a2}; {} segments{}; a scale needs ≥ {} segment(s)",
            d.alpha1.0,
            d.alpha1.1,
            if d.overlap { "50 % overlapping" } else { "non-overlapping" },
            if d.drop_flat_segments { ", flat segments dropped" } else { "" },
            d.min_segments
        ),
        lib,
    );
    row(
        "baevsky_*",
        "SI = AMo/(2·Mo·MxDMn); AMo in %, Mo and MxDMn in s",
        "%, s, 1",
        format!("{} ms bins at floor(RR/w), lowest bin wins ties; Mo = modal-bin centre (`baevsky_si`) or median (`baevsky_si_median`); √SI", c.baevsky_bin_ms),
        "documented: Baevsky 2008 (formula); bins/ties assumed; median Mo and √SI from the Kubios guide (unverified)",
    );
    let _ = writeln!(s, "\nMinimum rules: spectral indicators need ≥ 4 intervals and a span ≥ {} s; see docs/FORMULAS.md for every rule.", c.min_spectral_span_s);
    let _ = writeln!(s, "\nResolved parameters (JSON):\n\n```json\n{}\n```", serde_json::to_string_pretty(c).unwrap_or_default());
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explain_names_the_parameters_used() {
        let d = explain(&Conventions::of(Convention::Default));
        assert!(d.contains("not-a-knot cubic spline"));
        assert!(d.contains("ddof 1"));
        let nk = explain(&Conventions::of(Convention::Neurokit2));
        assert!(nk.contains("first N candidate"));
        assert!(nk.contains("4–11"));
        let ha = explain(&Conventions::of(Convention::HrvAnalysis));
        assert!(ha.contains("300–2000"));
        assert!(ha.contains("distance < r"));
    }
}
