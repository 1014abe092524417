//! Frequency-domain indicators: band powers, ratio, normalised units and peak frequencies.
//!
//! Chain (every step is a [`Conventions`] field): RR at its end times → resampling
//! ([`super::resample`], 4 Hz cubic spline by default) → mean removal → Welch
//! ([`super::welch`], Hann, 512 samples = 128 s, 50 % overlap, nfft 2048, per-segment mean
//! removal by default), or Lomb–Scargle on the raw series ([`super::lomb_scargle`]) → band
//! power by the trapezoid rule over the PSD bins whose frequency f satisfies lo ≤ f < hi
//! (half-open bands; VLF 0.0033–0.04, LF 0.04–0.15, HF 0.15–0.4 Hz by default).
//!
//! - VLF, LF, HF in ms² (Welch). TP = sum of the configured bands (VLF+LF+HF by default;
//!   NeuroKit2 adds ULF and VHF 0.4–0.5 Hz).
//! - LF/HF (dimensionless); LFnu = 100·LF/(LF+HF), HFnu = 100·HF/(LF+HF) in % (NeuroKit2:
//!   100·LF/TP, which it reports as a fraction).
//! - LF and HF peak frequency: the frequency of the largest PSD bin inside the band (Hz).
//!
//! Minimum rules: at least 4 intervals, a span t_last − t_0 ≥ `min_spectral_span_s` (120 s by
//! default, two cycles of the lowest LF frequency plus margin; 0 in the library conventions),
//! a non-constant series, and a band power needs ≥ 2 PSD bins inside the band (a power of exactly 0 is `None`, as
//! NeuroKit2 turns it into NaN). The PSD is never peak-normalised (NeuroKit2's default
//! `normalize=True` is not reproduced; its `normalize=False` is).

use super::conventions::{Band, Conventions, Integration, Nfft, Nperseg, NuBase, PsdMethod};
use super::lomb_scargle::{self, LombWorkspace};
use super::resample::{resample, ResampleWorkspace};
use super::welch::{welch, WelchWorkspace};

/// Frequency-domain results.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Spectral {
    /// VLF power.
    pub vlf: Option<f64>,
    /// LF power.
    pub lf: Option<f64>,
    /// HF power.
    pub hf: Option<f64>,
    /// Total power of the configured bands.
    pub tp: Option<f64>,
    /// LF/HF.
    pub lf_hf: Option<f64>,
    /// LFnu, %.
    pub lf_nu: Option<f64>,
    /// HFnu, %.
    pub hf_nu: Option<f64>,
    /// LF peak frequency, Hz.
    pub lf_peak: Option<f64>,
    /// HF peak frequency, Hz.
    pub hf_peak: Option<f64>,
}

/// Reusable buffers.
#[derive(Debug, Default)]
pub struct FrequencyWorkspace {
    resample: ResampleWorkspace,
    welch: WelchWorkspace,
    lomb: LombWorkspace,
    sig: Vec<f64>,
    /// PSD of the last window (ms²/Hz for Welch).
    pub psd: Vec<f64>,
    /// Frequencies of `psd`, Hz.
    pub freqs: Vec<f64>,
}

/// Integrate `psd` over `band`, keeping only bins with `keep(f)`.
pub fn band_power(
    freqs: &[f64],
    psd: &[f64],
    band: Band,
    rule: Integration,
    fmin: f64,
    fmax: f64,
) -> Option<f64> {
    let mut prev: Option<(f64, f64)> = None;
    let mut total = 0.0;
    let mut count = 0usize;
    let df = if freqs.len() > 1 {
        freqs[1] - freqs[0]
    } else {
        0.0
    };
    for (&f, &p) in freqs.iter().zip(psd) {
        if f < fmin || f > fmax || f < band.lo_hz || f >= band.hi_hz {
            continue;
        }
        count += 1;
        match rule {
            Integration::Trapezoid => {
                if let Some((f0, p0)) = prev {
                    total += 0.5 * (p0 + p) * (f - f0);
                }
            }
            Integration::Rectangle => total += p * df,
        }
        prev = Some((f, p));
    }
    (count >= 2 && total != 0.0 && total.is_finite()).then_some(total)
}

/// Frequency of the largest PSD bin in `band`.
pub fn peak_frequency(freqs: &[f64], psd: &[f64], band: Band, fmin: f64) -> Option<f64> {
    let mut best: Option<(f64, f64)> = None;
    for (&f, &p) in freqs.iter().zip(psd) {
        if f < fmin || f < band.lo_hz || f >= band.hi_hz {
            continue;
        }
        if best.is_none_or(|(_, bp)| p > bp) {
            best = Some((f, p));
        }
    }
    best.map(|b| b.0)
}

/// Compute the spectral set of one window.
pub fn compute(t_s: &[f64], rr: &[f64], c: &Conventions, ws: &mut FrequencyWorkspace) -> Spectral {
    let n = rr.len().min(t_s.len());
    if n < 4 || t_s[n - 1] - t_s[0] < c.min_spectral_span_s {
        return Spectral::default();
    }
    // A constant series has no spectrum (the interpolant would leave ~1e-13 ms of round-off).
    if rr[..n].iter().all(|&x| x == rr[0]) {
        return Spectral::default();
    }
    let fmax_band = [Some(c.vlf), Some(c.lf), Some(c.hf), c.ulf, c.vhf]
        .iter()
        .flatten()
        .map(|b| b.hi_hz)
        .fold(0.0, f64::max);
    let fmin_band = [Some(c.vlf), Some(c.lf), Some(c.hf), c.ulf, c.vhf]
        .iter()
        .flatten()
        .map(|b| b.lo_hz)
        .fold(f64::INFINITY, f64::min);
    let (mut fmin, mut fmax) = (f64::NEG_INFINITY, f64::INFINITY);
    ws.freqs.clear();
    match c.psd_method {
        PsdMethod::Welch => {
            let fs = c.resample_hz;
            if !resample(
                &t_s[..n],
                &rr[..n],
                c.interpolation,
                fs,
                c.resample_grid,
                &mut ws.resample,
                &mut ws.sig,
            ) {
                return Spectral::default();
            }
            let ns = ws.sig.len();
            if ns < 4 {
                return Spectral::default();
            }
            if c.remove_mean {
                let m = ws.sig.iter().sum::<f64>() / ns as f64;
                ws.sig.iter_mut().for_each(|v| *v -= m);
            }
            let half = ns as f64 / 2.0;
            let nperseg = match c.nperseg {
                Nperseg::Samples(k) => k,
                Nperseg::Neurokit2HalfRecord => {
                    let min_f = 2.0 * fs / half;
                    let k = ((2.0 / min_f) * fs) as usize;
                    if k as f64 > half {
                        half as usize
                    } else {
                        k
                    }
                }
            };
            let nfft = match c.nfft {
                Nfft::Fixed(k) => k,
                Nfft::TwiceNperseg => 2 * nperseg,
            };
            let Some(plan) = welch(
                &ws.sig,
                fs,
                nperseg,
                nfft,
                c.taper,
                c.segment_detrend,
                &mut ws.welch,
                &mut ws.psd,
            ) else {
                return Spectral::default();
            };
            let df = fs / plan.nfft as f64;
            ws.freqs.extend((0..ws.psd.len()).map(|k| k as f64 * df));
            if c.neurokit2_min_frequency {
                fmin = 2.0 * fs / half;
                fmax = fmax_band;
            }
        }
        PsdMethod::Lomb => {
            let span = t_s[n - 1] - t_s[0];
            let (df, nf) = lomb_scargle::grid(span, c.lomb_samples_per_peak, fmin_band, fmax_band);
            lomb_scargle::lomb(
                &t_s[..n],
                &rr[..n],
                fmin_band,
                df,
                nf,
                &mut ws.lomb,
                &mut ws.psd,
            );
            ws.freqs.extend((0..nf).map(|k| fmin_band + k as f64 * df));
        }
    }
    let (f, p) = (&ws.freqs, &ws.psd);
    let bp = |b: Band| band_power(f, p, b, c.integration, fmin, fmax);
    let vlf = bp(c.vlf);
    let lf = bp(c.lf);
    let hf = bp(c.hf);
    let parts = [c.ulf.and_then(bp), vlf, lf, hf, c.vhf.and_then(bp)];
    let tp = parts
        .iter()
        .any(Option::is_some)
        .then(|| parts.iter().flatten().sum::<f64>());
    let (lf_nu, hf_nu) = match (lf, hf, c.nu_base) {
        (Some(l), Some(h), NuBase::LfPlusHf) => {
            (Some(100.0 * l / (l + h)), Some(100.0 * h / (l + h)))
        }
        (l, h, NuBase::TotalPower) => match tp {
            Some(t) if t > 0.0 => (l.map(|l| 100.0 * l / t), h.map(|h| 100.0 * h / t)),
            _ => (None, None),
        },
        _ => (None, None),
    };
    Spectral {
        vlf,
        lf,
        hf,
        tp,
        lf_hf: lf.zip(hf).map(|(l, h)| l / h),
        lf_nu,
        hf_nu,
        lf_peak: peak_frequency(f, p, c.lf, fmin),
        hf_peak: peak_frequency(f, p, c.hf, fmin),
    }
}
