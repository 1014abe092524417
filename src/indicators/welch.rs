//! Welch power spectral density (Welch 1967, IEEE Trans. Audio Electroacoust. 15:70), as
//! scipy.signal.welch computes it.
//!
//! The evenly resampled series x (ms) is cut into segments of L samples with 50 % overlap
//! (step L − ⌊L/2⌋, trailing partial segment dropped); each segment optionally has its mean
//! removed (scipy `detrend="constant"`), is multiplied by a periodic taper w (Hann or Hamming),
//! zero-padded to `nfft` and transformed; the one-sided density is
//! P_k = c_k·|X_k|² / (fs·Σw²) with c_k = 2 except at DC and (even nfft) Nyquist, averaged over
//! segments: ms²/Hz at f_k = k·fs/nfft. L larger than the record is clamped to it (scipy).
//!
//! FFTs use `realfft`; plans are cached by the planner inside [`WelchWorkspace`], and every
//! buffer is reused across windows.

use super::conventions::Taper;
use realfft::num_complex::Complex;
use realfft::RealFftPlanner;
use std::f64::consts::PI;

/// Reusable FFT plans and buffers.
pub struct WelchWorkspace {
    planner: RealFftPlanner<f64>,
    input: Vec<f64>,
    output: Vec<Complex<f64>>,
    scratch: Vec<Complex<f64>>,
    window: Vec<f64>,
    window_key: Option<(Taper, usize)>,
}

impl Default for WelchWorkspace {
    fn default() -> Self {
        WelchWorkspace {
            planner: RealFftPlanner::new(),
            input: Vec::new(),
            output: Vec::new(),
            scratch: Vec::new(),
            window: Vec::new(),
            window_key: None,
        }
    }
}

impl std::fmt::Debug for WelchWorkspace {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WelchWorkspace").field("window_key", &self.window_key).finish()
    }
}

/// Periodic taper value w_k of length `len`.
pub fn taper_value(t: Taper, k: usize, len: usize) -> f64 {
    let c = (2.0 * PI * k as f64 / len as f64).cos();
    match t {
        Taper::Hann => 0.5 - 0.5 * c,
        Taper::Hamming => 0.54 - 0.46 * c,
    }
}

/// Welch settings after clamping.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WelchPlan {
    /// Segment length.
    pub nperseg: usize,
    /// Overlap.
    pub noverlap: usize,
    /// FFT length.
    pub nfft: usize,
}

/// PSD of `x` sampled at `fs` into `psd` (length nfft/2 + 1). Returns the effective plan, or
/// `None` if `x` is shorter than 2 samples.
#[allow(clippy::too_many_arguments)]
pub fn welch(
    x: &[f64],
    fs: f64,
    nperseg: usize,
    nfft: usize,
    taper: Taper,
    detrend_constant: bool,
    ws: &mut WelchWorkspace,
    psd: &mut Vec<f64>,
) -> Option<WelchPlan> {
    let n = x.len();
    if n < 2 || nperseg < 2 {
        return None;
    }
    let l = nperseg.min(n);
    let nfft = nfft.max(l);
    let noverlap = l / 2;
    let step = l - noverlap;
    let nseg = (n - l) / step + 1;
    if ws.window_key != Some((taper, l)) {
        ws.window.clear();
        ws.window.extend((0..l).map(|k| taper_value(taper, k, l)));
        ws.window_key = Some((taper, l));
    }
    let fft = ws.planner.plan_fft_forward(nfft);
    ws.input.resize(nfft, 0.0);
    ws.output.resize(nfft / 2 + 1, Complex::new(0.0, 0.0));
    ws.scratch.resize(fft.get_scratch_len(), Complex::new(0.0, 0.0));
    psd.clear();
    psd.resize(nfft / 2 + 1, 0.0);
    for s in 0..nseg {
        let seg = &x[s * step..s * step + l];
        let mean = if detrend_constant {
            seg.iter().sum::<f64>() / l as f64
        } else {
            0.0
        };
        for (k, (&v, &w)) in seg.iter().zip(&ws.window).enumerate() {
            ws.input[k] = (v - mean) * w;
        }
        ws.input[l..].iter_mut().for_each(|v| *v = 0.0);
        fft.process_with_scratch(&mut ws.input, &mut ws.output, &mut ws.scratch)
            .ok()?;
        for (p, c) in psd.iter_mut().zip(&ws.output) {
            *p += c.norm_sqr();
        }
    }
    let s2: f64 = ws.window.iter().map(|w| w * w).sum();
    let scale = 1.0 / (fs * s2 * nseg as f64);
    let last = psd.len() - 1;
    for (k, p) in psd.iter_mut().enumerate() {
        let double = k != 0 && !(nfft % 2 == 0 && k == last);
        *p *= scale * if double { 2.0 } else { 1.0 };
    }
    Some(WelchPlan {
        nperseg: l,
        noverlap,
        nfft,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parseval_for_white_like_signal() {
        // For a zero-mean signal, ∫PSD df ≈ variance (Hann, averaged).
        let fs = 4.0;
        let x: Vec<f64> = (0..4096).map(|k| ((k * 7919 % 101) as f64 - 50.0)).collect();
        let mean = x.iter().sum::<f64>() / x.len() as f64;
        let var = x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / x.len() as f64;
        let mut ws = WelchWorkspace::default();
        let mut psd = Vec::new();
        let p = welch(&x, fs, 256, 256, Taper::Hann, true, &mut ws, &mut psd).unwrap();
        let df = fs / p.nfft as f64;
        let total: f64 = psd.iter().sum::<f64>() * df;
        assert!((total / var - 1.0).abs() < 0.1, "{total} vs {var}");
    }
}
