//! Time-domain indicators (Task Force 1996, Circulation 93:1043).
//!
//! With RR_k the NN intervals of the window (ms), N their number, and ΔRR_k = RR_k − RR_{k−1}
//! over the M *valid* successive differences (`diff_ok[k]`; a difference across a gap or a
//! removed beat is not used):
//! - MeanNN = ΣRR/N (ms); SDNN = √(Σ(RR − MeanNN)²/(N − ddof)) (ms), ddof 1 by default.
//! - RMSSD = √(ΣΔRR²/M) (ms); lnRMSSD = ln(RMSSD in ms).
//! - SDSD = std of the *signed* ΔRR with `sdsd_ddof` (ms). pyHRV and HeartPy use |ΔRR|, which
//!   is a different quantity (−42 % on `rr_5min.csv`); we never do.
//! - NNx = #{|ΔRR| > x ms} (strict); pNNx = 100·NNx/D (%), D = M (default, hrv-analysis) or
//!   M + 1 (NeuroKit2).
//! - HR_k = 60000/RR_k (bpm); mean HR = mean(HR_k) (not 60000/MeanNN, HeartPy's "bpm");
//!   min/max HR are beat-to-beat (no moving average, unlike the Kubios guide, *unverified*).
//!
//! Minimum beats: MeanNN and HR need N ≥ 1, SDNN N ≥ 2 (ddof 1); RMSSD and pNNx need M ≥ 1;
//! SDSD needs M ≥ 2. Otherwise `None`.

use super::conventions::{Conventions, PnnDivisor};

/// Time-domain results.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct TimeDomain {
    /// MeanNN, ms.
    pub mean_nn: Option<f64>,
    /// Median NN, ms.
    pub median_nn: Option<f64>,
    /// SDNN, ms.
    pub sdnn: Option<f64>,
    /// RMSSD, ms.
    pub rmssd: Option<f64>,
    /// SDSD, ms.
    pub sdsd: Option<f64>,
    /// pNN50, %.
    pub pnn50: Option<f64>,
    /// pNN20, %.
    pub pnn20: Option<f64>,
    /// Mean HR, bpm.
    pub mean_hr: Option<f64>,
    /// Min HR, bpm.
    pub min_hr: Option<f64>,
    /// Max HR, bpm.
    pub max_hr: Option<f64>,
    /// Number of valid successive differences M.
    pub n_diffs: usize,
}

/// Standard deviation with `ddof` by the two-pass formula; `None` if `n <= ddof`.
pub fn std_ddof(x: impl Iterator<Item = f64> + Clone, ddof: u32) -> Option<f64> {
    let (n, s) = x.clone().fold((0usize, 0.0), |(n, s), v| (n + 1, s + v));
    if n <= ddof as usize {
        return None;
    }
    let m = s / n as f64;
    let ss: f64 = x.map(|v| (v - m) * (v - m)).sum();
    Some((ss / (n - ddof as usize) as f64).sqrt())
}

/// Valid successive differences of the window, in order.
pub fn valid_diffs<'a>(rr: &'a [f64], diff_ok: &'a [bool]) -> impl Iterator<Item = f64> + Clone + 'a {
    (1..rr.len())
        .filter(move |&k| diff_ok.get(k).copied().unwrap_or(false))
        .map(move |k| rr[k] - rr[k - 1])
}

/// Median of `rr` using `buf` as scratch (O(N) selection).
pub fn median(rr: &[f64], buf: &mut Vec<f64>) -> Option<f64> {
    if rr.is_empty() {
        return None;
    }
    buf.clear();
    buf.extend_from_slice(rr);
    let n = buf.len();
    let h = n / 2;
    let (_, &mut hi, _) = buf.select_nth_unstable_by(h, f64::total_cmp);
    if n % 2 == 1 {
        Some(hi)
    } else {
        let lo = buf[..h].iter().copied().fold(f64::NEG_INFINITY, f64::max);
        Some((lo + hi) / 2.0)
    }
}

/// Compute the time-domain set.
pub fn compute(rr: &[f64], diff_ok: &[bool], c: &Conventions, buf: &mut Vec<f64>) -> TimeDomain {
    let n = rr.len();
    if n == 0 {
        return TimeDomain::default();
    }
    let mean = rr.iter().sum::<f64>() / n as f64;
    let sdnn = std_ddof(rr.iter().copied(), c.sdnn_ddof);
    let (mut m, mut ss, mut nn50, mut nn20) = (0usize, 0.0, 0usize, 0usize);
    for d in valid_diffs(rr, diff_ok) {
        m += 1;
        ss += d * d;
        nn50 += (d.abs() > 50.0) as usize;
        nn20 += (d.abs() > 20.0) as usize;
    }
    let sdsd = if m >= 2 {
        std_ddof(valid_diffs(rr, diff_ok), c.sdsd_ddof)
    } else {
        None
    };
    let div = match c.pnn_divisor {
        PnnDivisor::Differences => m,
        PnnDivisor::DifferencesPlusOne => m + 1,
    } as f64;
    let (mut hs, mut hmin, mut hmax) = (0.0, f64::INFINITY, f64::NEG_INFINITY);
    for &x in rr {
        let h = 60000.0 / x;
        hs += h;
        hmin = hmin.min(h);
        hmax = hmax.max(h);
    }
    TimeDomain {
        mean_nn: Some(mean),
        median_nn: median(rr, buf),
        sdnn,
        rmssd: (m > 0).then(|| (ss / m as f64).sqrt()),
        sdsd,
        pnn50: (m > 0).then(|| 100.0 * nn50 as f64 / div),
        pnn20: (m > 0).then(|| 100.0 * nn20 as f64 / div),
        mean_hr: Some(hs / n as f64),
        min_hr: Some(hmin),
        max_hr: Some(hmax),
        n_diffs: m,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::indicators::conventions::Convention;

    #[test]
    fn alternating_series_closed_form() {
        // 800, 900, 800, 900 … : ΔRR = ±100, RMSSD = 100, SDSD(ddof 1) = 100·√(M/(M−1)).
        let rr: Vec<f64> = (0..11).map(|k| if k % 2 == 0 { 800.0 } else { 900.0 }).collect();
        let ok = vec![true; rr.len()];
        let c = Conventions::of(Convention::Default);
        let t = compute(&rr, &ok, &c, &mut Vec::new());
        assert!((t.rmssd.unwrap() - 100.0).abs() < 1e-12);
        let m = 10.0f64;
        // mean of ΔRR is 0 for an even count (5 up, 5 down)
        assert!((t.sdsd.unwrap() - 100.0 * (m / (m - 1.0)).sqrt()).abs() < 1e-9);
        assert_eq!(t.pnn50, Some(100.0));
        assert_eq!(t.pnn20, Some(100.0));
        assert_eq!(t.median_nn, Some(800.0));
        assert!((t.min_hr.unwrap() - 60000.0 / 900.0).abs() < 1e-12);
    }

    #[test]
    fn invalid_differences_are_skipped_and_short_windows_give_none() {
        let rr = [800.0, 1000.0, 800.0];
        let ok = [true, false, true];
        let c = Conventions::of(Convention::Default);
        let t = compute(&rr, &ok, &c, &mut Vec::new());
        assert_eq!(t.n_diffs, 1);
        assert_eq!(t.rmssd, Some(200.0));
        assert_eq!(t.sdsd, None);
        let t1 = compute(&[800.0], &[true], &c, &mut Vec::new());
        assert_eq!(t1.sdnn, None);
        assert_eq!(t1.rmssd, None);
        assert_eq!(t1.mean_nn, Some(800.0));
    }

    #[test]
    fn pnn_divisor_neurokit2() {
        let rr = [800.0, 900.0, 800.0];
        let ok = [true; 3];
        let nk = Conventions::of(Convention::Neurokit2);
        let t = compute(&rr, &ok, &nk, &mut Vec::new());
        assert!((t.pnn50.unwrap() - 200.0 / 3.0).abs() < 1e-12);
    }
}
