//! Named conventions and every parameter they fix.
//!
//! A [`Convention`] is a name (`default`, `neurokit2`, `hrv-analysis`); [`Conventions::of`]
//! resolves it into a [`Conventions`] struct that holds every parameter the indicator code
//! reads. Reports echo the struct (it is `Serialize`), and [`super::explain`] prints it.
//!
//! Sources for the library conventions (read from the released code, not from the docs):
//! - NeuroKit2 0.3.0: `hrv/hrv_time.py`, `hrv/hrv_frequency.py`, `hrv/intervals_process.py`,
//!   `signal/signal_interpolate.py`, `signal/signal_power.py`, `signal/signal_psd.py`,
//!   `hrv/hrv_nonlinear.py`, `complexity/entropy_sample.py`, `complexity/utils_entropy.py`,
//!   `complexity/fractal_dfa.py`.
//! - hrv-analysis 1.0.6: `hrvanalysis/extract_features.py`; its SampEn is nolds 0.6.3
//!   `measures.py::sampen`.
//!
//! The rationale for each default is in `docs/FORMULAS.md` ("Default convention").

use serde::{Deserialize, Serialize};

/// Which library's conventions to follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum Convention {
    /// stress-harness's documented defaults (see docs/FORMULAS.md).
    #[default]
    Default,
    /// Reproduce NeuroKit2 0.3.0 (with `normalize=False` for spectral powers).
    Neurokit2,
    /// Reproduce hrv-analysis 1.0.6.
    HrvAnalysis,
}

/// Divisor of pNNx.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PnnDivisor {
    /// Number of valid successive differences (N−1 for a gap-free window). hrv-analysis,
    /// pyHRV, RHRV, Kubios guide.
    Differences,
    /// Number of valid differences + 1 (= N for a gap-free window). NeuroKit2
    /// (`nn50 / (len(diff_rri) + 1)`).
    DifferencesPlusOne,
}

/// Histogram used by HTI and TINN.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum HistogramBins {
    /// Bins `[k·w, (k+1)·w)` from 0 up to the first edge above max(RR) (numpy
    /// `arange(0, max+w, w)`, last bin closed). NeuroKit2 and pyHRV, w = 7.8125 ms.
    FromZero {
        /// Bin width, ms.
        width_ms: f64,
    },
    /// Fixed bins `range(lo, hi, w)` (last bin closed); intervals outside are dropped from the
    /// histogram but still counted in N. hrv-analysis: 300, 2000, 8 ms.
    Range {
        /// First edge, ms.
        lo_ms: f64,
        /// Edges stop before this value, ms.
        hi_ms: f64,
        /// Bin width, ms.
        width_ms: f64,
    },
}

/// How TINN is computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TinnMethod {
    /// Least-squares triangle over every (N, M) pair: N an edge strictly above min(RR) and below
    /// the modal edge X, M an edge from X + w while M < max(RR). NeuroKit2's error function with
    /// its loop bug fixed.
    LeastSquares,
    /// NeuroKit2 0.3.0 as released: the inner-loop `m` is never reset, so only the first N
    /// candidate is searched.
    Neurokit2Bug,
    /// Not computed (hrv-analysis returns `tinn = None`).
    NotComputed,
}

/// Interpolant used to resample the RR series on an even grid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Interpolation {
    /// Piecewise linear (scipy `interp1d(kind="linear")`).
    Linear,
    /// Interpolating quadratic B-spline with scipy's knots (`interp1d(kind="quadratic")`,
    /// i.e. `make_interp_spline(k=2)`).
    Quadratic,
    /// Not-a-knot interpolating cubic spline (`interp1d(kind="cubic")`, `CubicSpline`).
    Cubic,
}

/// Where the resampling grid starts and ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ResampleGrid {
    /// `arange(t0, t_last + 1/fs, 1/fs)`; points past t_last take the last RR value
    /// (NeuroKit2 `intervals_process`).
    FirstToLastInclusive,
    /// `arange(0, t_last − t0, 1/fs)` on the time base shifted to t0 = 0 (hrv-analysis).
    FirstToLastExclusive,
}

/// Welch segment length.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Nperseg {
    /// A fixed number of samples (clamped to the record length, as scipy does).
    Samples(usize),
    /// NeuroKit2: `int((2/min_f)·fs)` with `min_f = 2·fs/(n/2)`, clamped to `int(n/2)`: half
    /// the record.
    Neurokit2HalfRecord,
}

/// Welch FFT length.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Nfft {
    /// A fixed FFT length (at least the segment length).
    Fixed(usize),
    /// Twice the segment length (NeuroKit2).
    TwiceNperseg,
}

/// Taper of each Welch segment (periodic form, as scipy `get_window`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Taper {
    /// Hann, w_k = 0.5 − 0.5·cos(2πk/L).
    Hann,
    /// Hamming, w_k = 0.54 − 0.46·cos(2πk/L).
    Hamming,
}

/// Spectral estimator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PsdMethod {
    /// Resample, then Welch.
    Welch,
    /// Lomb–Scargle on the uneven RR series (floating mean, astropy `normalization="psd"`).
    Lomb,
}

/// Rule to integrate a PSD over a band.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Integration {
    /// Trapezoid over the bins inside the band (`np.trapezoid(psd[in], f[in])`).
    Trapezoid,
    /// Σ psd·Δf over the bins inside the band.
    Rectangle,
}

/// Denominator of LFnu/HFnu.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum NuBase {
    /// 100·LF/(LF+HF) (Task Force 1996, hrv-analysis, pyHRV, HeartPy).
    LfPlusHf,
    /// 100·LF/TP with TP over every configured band (NeuroKit2 `LFn`, which it reports as a
    /// fraction; we report ×100).
    TotalPower,
}

/// A frequency band `[lo, hi)` in Hz.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Band {
    /// Lower edge, Hz (included).
    pub lo_hz: f64,
    /// Upper edge, Hz (excluded).
    pub hi_hz: f64,
}

const fn band(lo_hz: f64, hi_hz: f64) -> Band {
    Band { lo_hz, hi_hz }
}

/// How SD1/SD2 are computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PoincareMethod {
    /// SD1 = std((RR_n − RR_{n+1})/√2), SD2 = std((RR_n + RR_{n+1})/√2) over valid pairs
    /// (NeuroKit2), with `poincare_ddof`.
    Projection,
    /// SD1 = √(½·SDSD²), SD2 = √(2·SDNN² − ½·SDSD²) with ddof 1 (hrv-analysis).
    Identity,
}

/// Sample-entropy parameters.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SampEnParams {
    /// Embedding dimension m.
    pub m: usize,
    /// r = `r_factor` · SD(RR, ddof 1).
    pub r_factor: f64,
    /// Match if distance ≤ r (`true`: Richman & Moorman, NeuroKit2's KD-tree) or < r (`false`:
    /// nolds, hence hrv-analysis).
    pub closed: bool,
}

/// DFA parameters (scales in beats, both ends included).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct DfaParams {
    /// α1 scales.
    pub alpha1: (usize, usize),
    /// α2 scales; `None` as the upper end = NeuroKit2's `int((N+1)/10)`.
    pub alpha2: (usize, Option<usize>),
    /// NeuroKit2 overlapping segments (start 0, step s/2, start < N − s); otherwise
    /// non-overlapping segments from the start, remainder dropped.
    pub overlap: bool,
    /// Drop segments whose residual variance ≤ 1e-8 · max (NeuroKit2).
    pub drop_flat_segments: bool,
    /// A scale is used only if it has at least this many segments.
    pub min_segments: usize,
}

/// Resolved parameters of a [`Convention`]. Every field is read by the indicator code.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Conventions {
    /// The named convention these parameters come from.
    pub convention: Convention,
    /// ddof of SDNN.
    pub sdnn_ddof: u32,
    /// ddof of SDSD (computed on signed differences).
    pub sdsd_ddof: u32,
    /// pNNx divisor.
    pub pnn_divisor: PnnDivisor,
    /// HTI histogram.
    pub hti_bins: HistogramBins,
    /// TINN histogram (bins from 0 only).
    pub tinn_bin_ms: f64,
    /// TINN method.
    pub tinn: TinnMethod,
    /// Spectral estimator.
    pub psd_method: PsdMethod,
    /// Resampling interpolant (Welch only).
    pub interpolation: Interpolation,
    /// Resampling rate, Hz.
    pub resample_hz: f64,
    /// Resampling grid.
    pub resample_grid: ResampleGrid,
    /// Subtract the mean of the resampled series before Welch.
    pub remove_mean: bool,
    /// Subtract each Welch segment's mean (scipy `detrend="constant"`).
    pub segment_detrend: bool,
    /// Welch taper.
    pub taper: Taper,
    /// Welch segment length.
    pub nperseg: Nperseg,
    /// Welch FFT length.
    pub nfft: Nfft,
    /// NeuroKit2 drops PSD bins below 4·fs/n (its `min_frequency` default).
    pub neurokit2_min_frequency: bool,
    /// Lomb–Scargle oversampling (frequency step = 1/(this·T)).
    pub lomb_samples_per_peak: f64,
    /// ULF band (only used in the total power), if any.
    pub ulf: Option<Band>,
    /// VLF band.
    pub vlf: Band,
    /// LF band.
    pub lf: Band,
    /// HF band.
    pub hf: Band,
    /// VHF band (only used in the total power), if any.
    pub vhf: Option<Band>,
    /// Band integration.
    pub integration: Integration,
    /// LFnu/HFnu denominator.
    pub nu_base: NuBase,
    /// Minimum span t_last − t_0 of the window for spectral indicators, s.
    pub min_spectral_span_s: f64,
    /// SD1/SD2 method.
    pub poincare: PoincareMethod,
    /// ddof of the projection SD1/SD2.
    pub poincare_ddof: u32,
    /// Sample entropy.
    pub sampen: SampEnParams,
    /// DFA.
    pub dfa: DfaParams,
    /// Baevsky histogram bin width, ms (bins floor(RR/w), lowest bin wins ties).
    pub baevsky_bin_ms: f64,
}

/// nolds' default tolerance factor: 0.1164·(0.5627·ln m + 1.3334) for m = 2.
pub fn nolds_r_factor(m: usize) -> f64 {
    0.1164 * (0.5627 * (m as f64).ln() + 1.3334)
}

impl Conventions {
    /// Parameters of `c`.
    pub fn of(c: Convention) -> Self {
        let default = Conventions {
            convention: Convention::Default,
            sdnn_ddof: 1,
            sdsd_ddof: 1,
            pnn_divisor: PnnDivisor::Differences,
            hti_bins: HistogramBins::FromZero { width_ms: 7.8125 },
            tinn_bin_ms: 7.8125,
            tinn: TinnMethod::LeastSquares,
            psd_method: PsdMethod::Welch,
            interpolation: Interpolation::Cubic,
            resample_hz: 4.0,
            resample_grid: ResampleGrid::FirstToLastInclusive,
            remove_mean: true,
            segment_detrend: true,
            taper: Taper::Hann,
            nperseg: Nperseg::Samples(512),
            nfft: Nfft::Fixed(2048),
            neurokit2_min_frequency: false,
            lomb_samples_per_peak: 5.0,
            ulf: None,
            vlf: band(0.0033, 0.04),
            lf: band(0.04, 0.15),
            hf: band(0.15, 0.4),
            vhf: None,
            integration: Integration::Trapezoid,
            nu_base: NuBase::LfPlusHf,
            min_spectral_span_s: 120.0,
            poincare: PoincareMethod::Projection,
            poincare_ddof: 1,
            sampen: SampEnParams {
                m: 2,
                r_factor: 0.2,
                closed: true,
            },
            dfa: DfaParams {
                alpha1: (4, 16),
                alpha2: (16, Some(64)),
                overlap: false,
                drop_flat_segments: false,
                min_segments: 2,
            },
            baevsky_bin_ms: 50.0,
        };
        match c {
            Convention::Default => default,
            Convention::Neurokit2 => Conventions {
                convention: c,
                sdsd_ddof: 1,
                pnn_divisor: PnnDivisor::DifferencesPlusOne,
                tinn: TinnMethod::Neurokit2Bug,
                interpolation: Interpolation::Quadratic,
                resample_hz: 100.0,
                resample_grid: ResampleGrid::FirstToLastInclusive,
                remove_mean: true,
                segment_detrend: false,
                nperseg: Nperseg::Neurokit2HalfRecord,
                nfft: Nfft::TwiceNperseg,
                neurokit2_min_frequency: true,
                ulf: Some(band(0.0, 0.0033)),
                vhf: Some(band(0.4, 0.5)),
                nu_base: NuBase::TotalPower,
                min_spectral_span_s: 0.0,
                sampen: SampEnParams {
                    m: 2,
                    r_factor: 0.2,
                    closed: true,
                },
                dfa: DfaParams {
                    alpha1: (4, 11),
                    alpha2: (12, None),
                    overlap: true,
                    drop_flat_segments: true,
                    min_segments: 1,
                },
                ..default
            },
            Convention::HrvAnalysis => Conventions {
                convention: c,
                sdsd_ddof: 0,
                pnn_divisor: PnnDivisor::Differences,
                hti_bins: HistogramBins::Range {
                    lo_ms: 300.0,
                    hi_ms: 2000.0,
                    width_ms: 8.0,
                },
                tinn: TinnMethod::NotComputed,
                interpolation: Interpolation::Linear,
                resample_hz: 4.0,
                resample_grid: ResampleGrid::FirstToLastExclusive,
                remove_mean: true,
                segment_detrend: true,
                nperseg: Nperseg::Samples(256),
                nfft: Nfft::Fixed(4096),
                vlf: band(0.003, 0.04),
                min_spectral_span_s: 0.0,
                poincare: PoincareMethod::Identity,
                sampen: SampEnParams {
                    m: 2,
                    r_factor: nolds_r_factor(2),
                    closed: false,
                },
                ..default
            },
        }
    }
}

impl Default for Conventions {
    fn default() -> Self {
        Conventions::of(Convention::Default)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nolds_factor_is_0_2006() {
        assert!((nolds_r_factor(2) - 0.2006).abs() < 1e-4);
    }

    #[test]
    fn conventions_differ_where_documented() {
        let d = Conventions::of(Convention::Default);
        let nk = Conventions::of(Convention::Neurokit2);
        let ha = Conventions::of(Convention::HrvAnalysis);
        assert_eq!(d.convention, Convention::Default);
        assert_eq!(nk.pnn_divisor, PnnDivisor::DifferencesPlusOne);
        assert_eq!(ha.sdsd_ddof, 0);
        assert_eq!(nk.dfa.alpha1, (4, 11));
        assert_eq!(d.dfa.alpha2, (16, Some(64)));
        assert_eq!(ha.interpolation, Interpolation::Linear);
        let j = serde_json::to_string(&nk).unwrap();
        assert!(j.contains("\"neurokit2\""), "{j}");
    }
}
