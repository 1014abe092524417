//! HRV indicators per analysis window, with every convention explicit.
//!
//! Input: one window of cleaned NN intervals ([`NnWindow`]). Output: an [`IndicatorSet`] with
//! every indicator as `Option<f64>`: `None` = not computable on this window (too few beats, a
//! zero variance, an empty band…), never NaN and never a panic. The parameters come from
//! [`Conventions`], resolved from a named [`Convention`] (`default`, `neurokit2`,
//! `hrv-analysis`); [`explain`] prints them with the formulas.
//!
//! One module per published method:
//! - [`time_domain`]: MeanNN, SDNN, RMSSD, lnRMSSD, SDSD, pNN50/20, mean/min/max HR;
//! - [`geometric`]: HTI, TINN;
//! - [`resample`], [`welch`], [`lomb_scargle`], [`frequency`]: VLF/LF/HF, LF/HF, nu, peaks;
//! - [`poincare`]: SD1, SD2; [`sample_entropy`]: SampEn; [`dfa`]: α1, α2;
//! - [`baevsky`]: Baevsky stress index (both Mo conventions), √SI;
//! - [`conventions`]: every parameter; [`reference`](mod@reference): naive textbook oracles for tests.
//!
//! Formulas, units, sources and the library comparison are in `docs/FORMULAS.md`.
//!
//! Speed: [`compute_with`] reuses a [`Workspace`] (FFT plans, spline and histogram buffers),
//! so analysing thousands of windows allocates nothing per window once the buffers are warm.

pub mod baevsky;
pub mod conventions;
pub mod dfa;
pub mod frequency;
pub mod geometric;
pub mod lomb_scargle;
pub mod poincare;
pub mod reference;
pub mod resample;
pub mod sample_entropy;
pub mod time_domain;
pub mod welch;

pub use conventions::{Convention, Conventions};

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

/// One output column: stable name (unit-suffixed snake case), unit, description.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Column {
    /// Column name as written to CSV/JSON.
    pub name: &'static str,
    /// Unit ("1" = dimensionless).
    pub unit: &'static str,
    /// One-line description (formula in docs/FORMULAS.md).
    pub description: &'static str,
}

macro_rules! indicator_set {
    ($( $name:ident, $unit:literal, $desc:literal; )*) => {
        /// Every indicator for one window. `None` = not computable. Field order = [`IndicatorSet::columns`].
        #[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
        pub struct IndicatorSet {
            $( #[doc = $desc] pub $name: Option<f64>, )*
        }

        impl IndicatorSet {
            /// The column registry: name, unit and description of every field, in order.
            pub fn columns() -> &'static [Column] {
                const COLUMNS: &[Column] = &[ $( Column { name: stringify!($name), unit: $unit, description: $desc }, )* ];
                COLUMNS
            }

            /// Values in the order of [`IndicatorSet::columns`].
            pub fn values(&self) -> Vec<Option<f64>> {
                vec![ $( self.$name, )* ]
            }
        }
    };
}

indicator_set! {
    mean_nn_ms, "ms", "Mean NN interval.";
    median_nn_ms, "ms", "Median NN interval.";
    sdnn_ms, "ms", "Standard deviation of NN intervals (ddof per convention, 1 by default).";
    rmssd_ms, "ms", "Root mean square of the valid successive differences.";
    ln_rmssd, "ln(ms)", "Natural log of RMSSD in ms.";
    sdsd_ms, "ms", "Standard deviation of the signed successive differences.";
    pnn50_pct, "%", "Share of valid successive differences with |ΔRR| > 50 ms.";
    pnn20_pct, "%", "Share of valid successive differences with |ΔRR| > 20 ms.";
    mean_hr_bpm, "bpm", "Mean heart rate, mean(60000/NN).";
    min_hr_bpm, "bpm", "Minimum beat-to-beat heart rate, 60000/max(NN).";
    max_hr_bpm, "bpm", "Maximum beat-to-beat heart rate, 60000/min(NN).";
    hti, "1", "HRV triangular index: N / count of the modal histogram bin.";
    tinn_ms, "ms", "Base width M − N of the least-squares triangle fitted to the NN histogram.";
    vlf_ms2, "ms²", "Very-low-frequency power (ms² for Welch).";
    lf_ms2, "ms²", "Low-frequency power (ms² for Welch).";
    hf_ms2, "ms²", "High-frequency power (ms² for Welch).";
    tp_ms2, "ms²", "Total power of the configured bands.";
    lf_hf, "1", "LF/HF power ratio.";
    lf_nu_pct, "%", "LF in normalised units, 100·LF/(LF+HF) (NeuroKit2 convention: 100·LF/TP).";
    hf_nu_pct, "%", "HF in normalised units, 100·HF/(LF+HF) (NeuroKit2 convention: 100·HF/TP).";
    lf_peak_hz, "Hz", "Frequency of the largest PSD bin in the LF band.";
    hf_peak_hz, "Hz", "Frequency of the largest PSD bin in the HF band.";
    sd1_ms, "ms", "Poincaré SD1 (short-term variability).";
    sd2_ms, "ms", "Poincaré SD2 (long-term variability).";
    sd1_sd2, "1", "SD1/SD2.";
    sampen, "1", "Sample entropy, m = 2, r = 0.2·SD (per convention).";
    dfa_alpha1, "1", "DFA short-term exponent α1 (4–16 beats by default).";
    dfa_alpha2, "1", "DFA long-term exponent α2 (16–64 beats by default).";
    baevsky_amo_pct, "%", "Baevsky AMo: share of NN in the modal 50-ms bin.";
    baevsky_mo_s, "s", "Baevsky Mo as the centre of the modal 50-ms bin.";
    baevsky_mxdmn_s, "s", "Baevsky MxDMn: max(NN) − min(NN).";
    baevsky_si, "1", "Baevsky stress index AMo/(2·Mo·MxDMn), Mo = modal-bin centre.";
    baevsky_si_median, "1", "Baevsky stress index with Mo = median NN (Kubios guide).";
    sqrt_si, "1", "√ of the median-Mo stress index (the form Kubios reports).";
    sqrt_si_mode, "1", "√ of the modal-bin-centre stress index.";
}

/// Reusable buffers for [`compute_with`]. Create one per thread and reuse it for every window.
#[derive(Debug, Default)]
pub struct Workspace {
    sort_buf: Vec<f64>,
    counts: Vec<u32>,
    idx: Vec<u32>,
    dfa: dfa::DfaWorkspace,
    /// Spectral buffers (the last window's PSD is readable in `freq.psd`/`freq.freqs`).
    pub freq: frequency::FrequencyWorkspace,
}

impl Workspace {
    /// Empty workspace; buffers grow on first use.
    pub fn new() -> Self {
        Self::default()
    }
}

/// Compute the indicators of one window (allocates a fresh [`Workspace`]; prefer
/// [`compute_with`] in loops).
pub fn compute(w: &NnWindow, c: &Conventions) -> IndicatorSet {
    compute_with(&mut Workspace::new(), w, c)
}

/// The cheap part of the set — time domain and Baevsky's stress index — with every other
/// indicator `None`. Same functions, so the same values as [`compute_with`] for the fields it
/// fills; O(n log n) per window instead of O(n²) (sample entropy) plus interpolation and FFT.
/// Used where only these are read: the live view's once-a-second rolling values and the
/// stress profiles' inputs (HR, RMSSD, lnRMSSD, SI).
pub fn compute_light_with(ws: &mut Workspace, w: &NnWindow, c: &Conventions) -> IndicatorSet {
    let n = w.rr_ms.len().min(w.t_s.len());
    let rr = &w.rr_ms[..n];
    if n == 0 || rr.iter().any(|x| !(x.is_finite() && *x > 0.0)) {
        return IndicatorSet::default();
    }
    let td = time_domain::compute(rr, w.diff_ok, c, &mut ws.sort_buf);
    let bv = td
        .median_nn
        .and_then(|m| baevsky::compute(rr, m, c.baevsky_bin_ms, &mut ws.counts));
    IndicatorSet {
        mean_nn_ms: td.mean_nn,
        median_nn_ms: td.median_nn,
        sdnn_ms: td.sdnn,
        rmssd_ms: td.rmssd,
        ln_rmssd: td.rmssd.filter(|&r| r > 0.0).map(f64::ln),
        sdsd_ms: td.sdsd,
        pnn50_pct: td.pnn50,
        pnn20_pct: td.pnn20,
        mean_hr_bpm: td.mean_hr,
        min_hr_bpm: td.min_hr,
        max_hr_bpm: td.max_hr,
        baevsky_amo_pct: bv.map(|b| b.amo_pct),
        baevsky_mo_s: bv.map(|b| b.mo_s),
        baevsky_mxdmn_s: bv.map(|b| b.mxdmn_s),
        baevsky_si: bv.map(|b| b.si_mode),
        baevsky_si_median: bv.map(|b| b.si_median),
        sqrt_si: bv.map(|b| b.si_median.sqrt()),
        sqrt_si_mode: bv.map(|b| b.si_mode.sqrt()),
        ..Default::default()
    }
}

/// Compute the indicators of one window reusing `ws`.
///
/// Rules: slices of unequal length are truncated to the shortest (`diff_ok` may be shorter:
/// missing entries count as invalid); a window containing a non-finite or non-positive
/// interval gives an all-`None` set.
pub fn compute_with(ws: &mut Workspace, w: &NnWindow, c: &Conventions) -> IndicatorSet {
    let mut set = compute_light_with(ws, w, c);
    if set.mean_nn_ms.is_none() {
        // Empty window or a non-finite / non-positive interval: all `None`.
        return set;
    }
    let n = w.rr_ms.len().min(w.t_s.len());
    let rr = &w.rr_ms[..n];
    let t = &w.t_s[..n];
    let ok = w.diff_ok;
    set.hti = geometric::hti(rr, c.hti_bins, &mut ws.counts);
    set.tinn_ms = geometric::tinn(rr, c.tinn_bin_ms, c.tinn, &mut ws.counts);
    let sp = if t.iter().all(|x| x.is_finite()) {
        frequency::compute(t, rr, c, &mut ws.freq)
    } else {
        frequency::Spectral::default()
    };
    let pc = poincare::sd1_sd2(rr, ok, c.poincare, c.poincare_ddof);
    let (a1, a2) = dfa::alphas(rr, &c.dfa, &mut ws.dfa);
    IndicatorSet {
        vlf_ms2: sp.vlf,
        lf_ms2: sp.lf,
        hf_ms2: sp.hf,
        tp_ms2: sp.tp,
        lf_hf: sp.lf_hf,
        lf_nu_pct: sp.lf_nu,
        hf_nu_pct: sp.hf_nu,
        lf_peak_hz: sp.lf_peak,
        hf_peak_hz: sp.hf_peak,
        sd1_ms: pc.map(|p| p.0),
        sd2_ms: pc.map(|p| p.1),
        sd1_sd2: pc.filter(|p| p.1 > 1e-9).map(|p| p.0 / p.1),
        sampen: sample_entropy::sampen(rr, ok, c.sampen, &mut ws.idx),
        dfa_alpha1: a1,
        dfa_alpha2: a2,
        ..set
    }
}

mod explain;
pub use explain::explain;

#[cfg(test)]
mod tests {
    use super::*;

    fn window(rr: &[f64]) -> (Vec<f64>, Vec<bool>) {
        let mut t = 0.0;
        let ts = rr
            .iter()
            .map(|x| {
                t += x / 1000.0;
                t
            })
            .collect();
        (ts, vec![true; rr.len()])
    }

    #[test]
    fn light_set_equals_the_full_set_where_it_is_filled() {
        let rr: Vec<f64> = (0..300)
            .map(|i| 800.0 + 40.0 * (i as f64 * 1.3).sin() + (i % 7) as f64)
            .collect();
        let (t, mut ok) = window(&rr);
        ok[17] = false;
        let w = NnWindow {
            rr_ms: &rr,
            t_s: &t,
            diff_ok: &ok,
        };
        let c = Conventions::default();
        let full = compute(&w, &c);
        let light = compute_light_with(&mut Workspace::new(), &w, &c);
        let mut filled = 0;
        for ((col, l), f) in IndicatorSet::columns()
            .iter()
            .zip(light.values())
            .zip(full.values())
        {
            if let Some(l) = l {
                assert_eq!(Some(l), f, "{}", col.name);
                filled += 1;
            }
        }
        assert!(filled >= 15 && light.sampen.is_none() && light.hf_ms2.is_none());
    }

    #[test]
    fn registry_matches_values_and_serialisation() {
        let cols = IndicatorSet::columns();
        let set = IndicatorSet {
            sampen: Some(1.5),
            ..Default::default()
        };
        assert_eq!(cols.len(), set.values().len());
        let json = serde_json::to_value(&set).unwrap();
        let obj = json.as_object().unwrap();
        assert_eq!(obj.len(), cols.len());
        for (c, v) in cols.iter().zip(set.values()) {
            assert_eq!(obj[c.name].as_f64(), v, "{}", c.name);
        }
        // Names are unique.
        let mut names: Vec<_> = cols.iter().map(|c| c.name).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), cols.len());
    }

    #[test]
    fn constant_rr_gives_zero_variability_and_none_where_undefined() {
        let rr = vec![800.0; 400];
        let (t, ok) = window(&rr);
        let s = compute(
            &NnWindow {
                rr_ms: &rr,
                t_s: &t,
                diff_ok: &ok,
            },
            &Conventions::default(),
        );
        assert_eq!(s.mean_nn_ms, Some(800.0));
        assert_eq!(s.sdnn_ms, Some(0.0));
        assert_eq!(s.rmssd_ms, Some(0.0));
        assert_eq!(s.ln_rmssd, None);
        assert_eq!(s.pnn50_pct, Some(0.0));
        assert!((s.mean_hr_bpm.unwrap() - 75.0).abs() < 1e-12);
        assert_eq!(s.hti, Some(1.0));
        assert_eq!(s.sampen, None);
        assert_eq!(s.baevsky_si, None);
        assert_eq!(s.lf_ms2, None);
        assert_eq!(s.sd1_sd2, None);
    }

    #[test]
    fn garbage_input_gives_all_none_without_panic() {
        for rr in [
            vec![],
            vec![f64::NAN, 800.0],
            vec![-5.0, 800.0],
            vec![800.0],
        ] {
            let (t, ok) = window(&rr);
            let s = compute(
                &NnWindow {
                    rr_ms: &rr,
                    t_s: &t,
                    diff_ok: &ok,
                },
                &Conventions::default(),
            );
            for v in s.values().into_iter().flatten() {
                assert!(v.is_finite());
            }
        }
        // Mismatched lengths.
        let rr = vec![800.0; 10];
        let s = compute(
            &NnWindow {
                rr_ms: &rr,
                t_s: &[0.8, 1.6],
                diff_ok: &[],
            },
            &Conventions::default(),
        );
        assert_eq!(s.rmssd_ms, None);
        assert_eq!(s.mean_nn_ms, Some(800.0));
    }
}
