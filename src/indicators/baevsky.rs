//! Baevsky stress index (Baevsky & Berseneva 2008, "Use of Kardivar system for determination
//! of the stress level and estimation of the body adaptability", methodical recommendations).
//!
//! SI = AMo / (2 · Mo · MxDMn), with
//! - bins of width w = 50 ms aligned at floor(RR/w) (*assumed*; no source fixes the alignment);
//!   the modal bin is the fullest, the **lowest** bin wins ties (*assumed*);
//! - AMo = 100 · (count of the modal bin) / N, in %;
//! - Mo in s: either the modal bin's centre ((k + ½)·w) → [`Baevsky::si_mode`], or the median
//!   RR (Kubios guide, *unverified*) → [`Baevsky::si_median`];
//! - MxDMn = max(RR) − min(RR) in s.
//!
//! √SI (of the median form) is what the Kubios guide reports as "Stress index" (*unverified*).
//! The Kubios guide computes AMo and MxDMn on the detrended series; we use the raw NN series
//! (*assumed*, documented deviation). Minimum: N ≥ 2 and MxDMn > 0 (constant RR makes SI
//! infinite), otherwise every Baevsky field is `None`.

/// Baevsky outputs.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Baevsky {
    /// AMo, %.
    pub amo_pct: f64,
    /// Mo as modal-bin centre, s.
    pub mo_s: f64,
    /// Median NN, s.
    pub median_s: f64,
    /// MxDMn, s.
    pub mxdmn_s: f64,
    /// SI with Mo = modal-bin centre.
    pub si_mode: f64,
    /// SI with Mo = median.
    pub si_median: f64,
}

/// Compute from `rr` (ms) and its median (ms). `counts` is scratch.
pub fn compute(rr: &[f64], median_ms: f64, bin_ms: f64, counts: &mut Vec<u32>) -> Option<Baevsky> {
    if rr.len() < 2 {
        return None;
    }
    let (lo, hi) = rr
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| (a.min(x), b.max(x)));
    let mxdmn = (hi - lo) / 1000.0;
    if mxdmn <= 0.0 || !mxdmn.is_finite() {
        return None;
    }
    let b0 = (lo / bin_ms).floor();
    let nb = ((hi / bin_ms).floor() - b0) as usize + 1;
    counts.clear();
    counts.resize(nb, 0);
    for &x in rr {
        let b = ((x / bin_ms).floor() - b0) as usize;
        counts[b.min(nb - 1)] += 1;
    }
    let (kb, cnt) = counts
        .iter()
        .enumerate()
        .fold((0usize, 0u32), |(bk, bc), (k, &c)| if c > bc { (k, c) } else { (bk, bc) });
    let amo = 100.0 * cnt as f64 / rr.len() as f64;
    let mo = ((b0 + kb as f64) * bin_ms + bin_ms / 2.0) / 1000.0;
    let med = median_ms / 1000.0;
    Some(Baevsky {
        amo_pct: amo,
        mo_s: mo,
        median_s: med,
        mxdmn_s: mxdmn,
        si_mode: amo / (2.0 * mo * mxdmn),
        si_median: amo / (2.0 * med * mxdmn),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_built_histogram() {
        // Bins: [800,850): 3 values, [850,900): 1 value, [900,950): 1 value.
        let rr = [800.0, 810.0, 820.0, 860.0, 900.0];
        let b = compute(&rr, 820.0, 50.0, &mut Vec::new()).unwrap();
        assert!((b.amo_pct - 60.0).abs() < 1e-12);
        assert!((b.mo_s - 0.825).abs() < 1e-12);
        assert!((b.mxdmn_s - 0.1).abs() < 1e-12);
        assert!((b.si_mode - 60.0 / (2.0 * 0.825 * 0.1)).abs() < 1e-9);
        assert!((b.si_median - 60.0 / (2.0 * 0.82 * 0.1)).abs() < 1e-9);
    }

    #[test]
    fn ties_go_to_the_lowest_bin_and_constant_rr_is_none() {
        let rr = [800.0, 801.0, 900.0, 901.0];
        let b = compute(&rr, 850.5, 50.0, &mut Vec::new()).unwrap();
        assert!((b.mo_s - 0.825).abs() < 1e-12);
        assert_eq!(compute(&[800.0; 10], 800.0, 50.0, &mut Vec::new()), None);
    }
}
