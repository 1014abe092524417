//! Geometric indicators: HRV triangular index (HTI) and TINN (Task Force 1996).
//!
//! - **HTI** = N / (count of the modal histogram bin), dimensionless. Bins depend on the
//!   convention ([`HistogramBins`]): 7.8125 ms (1/128 s) from 0 (default, NeuroKit2, pyHRV) or
//!   8-ms bins over 300–2000 ms (hrv-analysis).
//! - **TINN** (ms) = M − N of the triangle q that best fits the histogram D in least squares:
//!   q = 0 at edge N, rises linearly to the modal count Y at the modal bin's left edge X, and
//!   falls to 0 at edge M. The error is Σ_{bins from N to M} (D − q)² (NeuroKit2
//!   `hrv_time.py::_hrv_TINN`). Candidates: edges N with min(RR) < N < X, edges M with
//!   X < M < max(RR). The error splits into a part that depends only on N (bins N … X−1) and a
//!   part that depends only on M (bins X … M), so the exhaustive search is two independent
//!   1-D minimisations, O(bins²) instead of O(bins³). NeuroKit2 0.3.0 never resets its inner
//!   loop, so only the first N candidate is searched ([`TinnMethod::Neurokit2Bug`]); the
//!   default searches all of them (the bug fix, *assumed* to be NeuroKit2's intent). When
//!   NeuroKit2 finds no candidate it returns 0 ms; we reproduce that in its convention and
//!   return `None` otherwise.
//!
//! Minimum beats: N ≥ 2 and a non-empty histogram (HTI); TINN also needs a candidate pair.

use super::conventions::{HistogramBins, TinnMethod};

/// Histogram of `rr` with `bins` into `counts` (cleared). Returns the number of bins.
pub fn histogram(rr: &[f64], bins: HistogramBins, counts: &mut Vec<u32>) -> usize {
    counts.clear();
    let max = rr.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let (lo, w, nbins) = match bins {
        HistogramBins::FromZero { width_ms } => {
            // numpy arange(0, max + w, w) has ceil((max + w)/w) edges.
            let nedges = ((max + width_ms) / width_ms).ceil() as usize;
            (0.0, width_ms, nedges.saturating_sub(1))
        }
        HistogramBins::Range {
            lo_ms,
            hi_ms,
            width_ms,
        } => {
            let nedges = ((hi_ms - lo_ms) / width_ms).ceil().max(0.0) as usize;
            (lo_ms, width_ms, nedges.saturating_sub(1))
        }
    };
    if nbins == 0 || !max.is_finite() {
        return 0;
    }
    counts.resize(nbins, 0);
    let last_edge = lo + nbins as f64 * w;
    for &x in rr {
        if x < lo || x > last_edge {
            continue;
        }
        let b = (((x - lo) / w).floor() as usize).min(nbins - 1);
        counts[b] += 1;
    }
    nbins
}

/// HTI = N / max bin count.
pub fn hti(rr: &[f64], bins: HistogramBins, counts: &mut Vec<u32>) -> Option<f64> {
    if rr.len() < 2 {
        return None;
    }
    histogram(rr, bins, counts);
    let ymax = counts.iter().copied().max().unwrap_or(0);
    (ymax > 0).then(|| rr.len() as f64 / ymax as f64)
}

/// TINN in ms.
pub fn tinn(rr: &[f64], bin_ms: f64, method: TinnMethod, counts: &mut Vec<u32>) -> Option<f64> {
    if method == TinnMethod::NotComputed || rr.len() < 2 {
        return None;
    }
    let nbins = histogram(rr, HistogramBins::FromZero { width_ms: bin_ms }, counts);
    if nbins == 0 {
        return None;
    }
    let min = rr.iter().copied().fold(f64::INFINITY, f64::min);
    let max = rr.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let edge = |i: usize| i as f64 * bin_ms;
    // Modal bin: first maximum (np.argmax).
    let (xi, y) =
        counts.iter().enumerate().fold(
            (0usize, 0u32),
            |(bi, by), (i, &c)| if c > by { (i, c) } else { (bi, by) },
        );
    let y = y as f64;
    let d = |i: usize| counts.get(i).copied().unwrap_or(0) as f64;
    // First edge strictly above min(RR).
    let n0 = (0..=nbins).find(|&i| edge(i) - min > 0.0)?;
    let left_err = |n: usize| -> f64 {
        let (en, ex) = (edge(n), edge(xi));
        (n..xi)
            .map(|i| {
                let q = y * (edge(i) - en) / (ex - en);
                (d(i) - q).powi(2)
            })
            .sum()
    };
    let right_err = |m: usize| -> f64 {
        let (em, ex) = (edge(m), edge(xi));
        (xi..=m)
            .map(|i| {
                let q = y * (em - edge(i)) / (em - ex);
                (d(i) - q).powi(2)
            })
            .sum()
    };
    let argmin = |it: &mut dyn Iterator<Item = (usize, f64)>| -> Option<usize> {
        let mut best: Option<(usize, f64)> = None;
        for (i, e) in it {
            if best.is_none_or(|(_, b)| e < b) {
                best = Some((i, e));
            }
        }
        best.map(|b| b.0)
    };
    let m_best = argmin(
        &mut (xi + 1..)
            .take_while(|&m| edge(m) < max)
            .map(|m| (m, right_err(m))),
    );
    let n_best = match method {
        TinnMethod::Neurokit2Bug => (n0 < xi).then_some(n0),
        _ => argmin(&mut (n0..xi).map(|n| (n, left_err(n)))),
    };
    match (n_best, m_best) {
        (Some(n), Some(m)) => Some(edge(m) - edge(n)),
        // NeuroKit2 leaves N = M = 0 when a loop never runs.
        _ if method == TinnMethod::Neurokit2Bug => Some(0.0),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hti_of_hand_built_histogram() {
        // 4 values in one 7.8125-ms bin, 2 in another: HTI = 6/4.
        let rr = [800.0, 801.0, 802.0, 803.0, 900.0, 901.0];
        let mut c = Vec::new();
        let h = hti(&rr, HistogramBins::FromZero { width_ms: 7.8125 }, &mut c).unwrap();
        assert!((h - 1.5).abs() < 1e-12);
    }

    #[test]
    fn last_edge_value_goes_to_last_bin() {
        let mut c = Vec::new();
        let n = histogram(
            &[7.8125, 15.625],
            HistogramBins::FromZero { width_ms: 7.8125 },
            &mut c,
        );
        assert_eq!(n, 2);
        assert_eq!(c, vec![0, 2]);
    }

    #[test]
    fn tinn_of_a_triangle() {
        // A symmetric triangular histogram on 8-ms bins from 720 to 880 ms.
        let mut rr = Vec::new();
        for (k, cnt) in [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1]
            .iter()
            .enumerate()
        {
            for _ in 0..*cnt {
                rr.push(720.0 + 8.0 * k as f64 + 1.0);
            }
        }
        let mut c = Vec::new();
        let t = tinn(&rr, 8.0, TinnMethod::LeastSquares, &mut c).unwrap();
        assert!(t > 120.0 && t < 180.0, "{t}");
        assert_eq!(tinn(&rr, 8.0, TinnMethod::NotComputed, &mut c), None);
    }
}
