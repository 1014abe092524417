//! HRV indicators per analysis window (interface; the full set is being implemented).
//!
//! Input: one window of cleaned NN intervals ([`NnWindow`]). Output: an [`IndicatorSet`] with
//! every indicator as `Option<f64>` (`None` = not computable on this window, e.g. too few
//! beats). The conventions (ddof, pNNx divisor, resampling, Welch settings, bands, DFA scales,
//! Baevsky Mo) come from [`Conventions`], chosen by [`Convention`].

use serde::{Deserialize, Serialize};

/// One window of NN intervals, as slices into a cleaned series.
#[derive(Debug, Clone, Copy)]
pub struct NnWindow<'a> {
    /// NN interval lengths, ms.
    pub rr_ms: &'a [f64],
    /// End time of each interval, s since the recording start.
    pub t_s: &'a [f64],
    /// `diff_ok[k]` is true when `rr_ms[k] - rr_ms[k-1]` is a valid successive difference
    /// (both beats clean and contiguous, no gap between them). `diff_ok[0]` is ignored.
    pub diff_ok: &'a [bool],
}

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

/// Resolved parameters of a [`Convention`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Conventions {
    /// The named convention these parameters come from.
    pub convention: Convention,
}

impl Conventions {
    /// Parameters of `c`.
    pub fn of(c: Convention) -> Self {
        Conventions { convention: c }
    }
}

/// Every indicator for one window. `None` = not computable.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct IndicatorSet {
    /// Mean NN interval, ms.
    pub mean_nn_ms: Option<f64>,
    /// Standard deviation of NN intervals, ms.
    pub sdnn_ms: Option<f64>,
    /// Root mean square of successive differences, ms.
    pub rmssd_ms: Option<f64>,
    /// Natural log of RMSSD (RMSSD in ms).
    pub ln_rmssd: Option<f64>,
    /// Mean heart rate, mean(60000/NN), bpm.
    pub mean_hr_bpm: Option<f64>,
    /// Baevsky stress index, Mo = centre of the modal 50-ms bin (see docs/FORMULAS.md).
    pub baevsky_si: Option<f64>,
    /// Baevsky stress index, Mo = median NN (Kubios guide convention).
    pub baevsky_si_median: Option<f64>,
    /// √SI with Mo = median NN (the form Kubios reports).
    pub sqrt_si: Option<f64>,
}

/// Compute the indicators of one window.
pub fn compute(w: &NnWindow, _c: &Conventions) -> IndicatorSet {
    let n = w.rr_ms.len();
    if n < 2 {
        return IndicatorSet::default();
    }
    let mean = w.rr_ms.iter().sum::<f64>() / n as f64;
    let var = w.rr_ms.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
    let mut ss = 0.0;
    let mut m = 0usize;
    for k in 1..n {
        if w.diff_ok[k] {
            ss += (w.rr_ms[k] - w.rr_ms[k - 1]).powi(2);
            m += 1;
        }
    }
    let rmssd = (m > 0).then(|| (ss / m as f64).sqrt());
    IndicatorSet {
        mean_nn_ms: Some(mean),
        sdnn_ms: Some(var.sqrt()),
        rmssd_ms: rmssd,
        ln_rmssd: rmssd.map(f64::ln),
        mean_hr_bpm: Some(w.rr_ms.iter().map(|x| 60000.0 / x).sum::<f64>() / n as f64),
        ..baevsky(w.rr_ms)
    }
}

/// Placeholder Baevsky SI = AMo/(2·Mo·MxDMn), 50-ms bins floor(RR/50), lowest bin wins ties.
fn baevsky(rr: &[f64]) -> IndicatorSet {
    let (lo, hi) = rr
        .iter()
        .fold((f64::MAX, f64::MIN), |(a, b), &x| (a.min(x), b.max(x)));
    let mut counts = std::collections::BTreeMap::<i64, usize>::new();
    for &x in rr {
        *counts.entry((x / 50.0).floor() as i64).or_default() += 1;
    }
    let (bin, cnt) = counts.iter().fold(
        (0i64, 0usize),
        |(b, c), (&k, &v)| if v > c { (k, v) } else { (b, c) },
    );
    let amo = 100.0 * cnt as f64 / rr.len() as f64;
    let mxdmn = (hi - lo) / 1000.0;
    if mxdmn <= 0.0 {
        return IndicatorSet::default();
    }
    let mo = (bin as f64 * 50.0 + 25.0) / 1000.0;
    let mut v = rr.to_vec();
    v.sort_by(f64::total_cmp);
    let h = v.len() / 2;
    let med_ms = if v.len() % 2 == 1 {
        v[h]
    } else {
        (v[h - 1] + v[h]) / 2.0
    };
    let med = med_ms / 1000.0;
    let si_med = amo / (2.0 * med * mxdmn);
    IndicatorSet {
        baevsky_si: Some(amo / (2.0 * mo * mxdmn)),
        baevsky_si_median: Some(si_med),
        sqrt_si: Some(si_med.sqrt()),
        ..Default::default()
    }
}
