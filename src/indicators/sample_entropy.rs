//! Sample entropy (Richman & Moorman 2000, Am J Physiol 278:H2039).
//!
//! SampEn(m, r) = −ln(A/B) where, over the template start indices i = 0 … N−m−1 (the same
//! N − m templates for both lengths, as NeuroKit2 and nolds do), B counts pairs i < j whose
//! length-m templates match and A pairs whose length-(m+1) templates match; "match" =
//! Chebyshev distance ≤ r (default, NeuroKit2's KD-tree `query_radius`) or < r (nolds, hence
//! hrv-analysis). r = factor·SD(RR, ddof 1): 0.2 (default, NeuroKit2) or nolds' 0.2006.
//! Self-matches are excluded. A template that spans an invalid successive difference
//! (a gap or removed beat) is not used (*assumed*; libraries have no gap notion).
//!
//! **Fast path**: templates are sorted by their first coordinate; for each template only the
//! following ones within r in that coordinate are compared (a sorted sliding window), so the
//! cost is O(N log N + N·k) with k the number of neighbours within r in one coordinate, instead
//! of the naive N²/2 comparisons ([`super::reference::sampen_naive`] is the oracle).
//!
//! Returns `None` (never ±∞/NaN) when A or B is 0, when SD is 0, or when fewer than m + 2
//! templates exist.

use super::conventions::SampEnParams;
use super::time_domain::std_ddof;

/// SampEn of `rr`. `idx` is scratch.
pub fn sampen(rr: &[f64], diff_ok: &[bool], p: SampEnParams, idx: &mut Vec<u32>) -> Option<f64> {
    let (a, b) = counts(rr, diff_ok, p, idx)?;
    (a > 0 && b > 0).then(|| -((a as f64) / (b as f64)).ln())
}

/// Tolerance r for `rr`.
pub fn tolerance(rr: &[f64], p: SampEnParams) -> Option<f64> {
    let sd = std_ddof(rr.iter().copied(), 1)?;
    (sd > 0.0).then_some(p.r_factor * sd)
}

/// Whether template `i` (length m+1) avoids invalid differences.
pub fn template_ok(diff_ok: &[bool], i: usize, m: usize) -> bool {
    (i + 1..=i + m).all(|k| diff_ok.get(k).copied().unwrap_or(false))
}

/// (A, B) = (matches of length m+1, matches of length m).
pub fn counts(rr: &[f64], diff_ok: &[bool], p: SampEnParams, idx: &mut Vec<u32>) -> Option<(u64, u64)> {
    let m = p.m.max(1);
    let n = rr.len();
    if n < m + 2 {
        return None;
    }
    let r = tolerance(rr, p)?;
    idx.clear();
    idx.extend((0..n - m).filter(|&i| template_ok(diff_ok, i, m)).map(|i| i as u32));
    idx.sort_unstable_by(|&a, &b| rr[a as usize].total_cmp(&rr[b as usize]));
    let within = |d: f64| if p.closed { d <= r } else { d < r };
    let (mut a, mut b) = (0u64, 0u64);
    for s in 0..idx.len() {
        let i = idx[s] as usize;
        let xi = rr[i];
        for &jj in &idx[s + 1..] {
            let j = jj as usize;
            if !within(rr[j] - xi) {
                break;
            }
            if (1..m).all(|k| within((rr[i + k] - rr[j + k]).abs())) {
                b += 1;
                if within((rr[i + m] - rr[j + m]).abs()) {
                    a += 1;
                }
            }
        }
    }
    Some((a, b))
}

#[cfg(test)]
mod tests {
    use super::*;

    const P: SampEnParams = SampEnParams {
        m: 2,
        r_factor: 0.2,
        closed: true,
    };

    #[test]
    fn periodic_series_has_near_zero_entropy() {
        let rr: Vec<f64> = (0..200).map(|k| [800.0, 850.0, 900.0][k % 3]).collect();
        let ok = vec![true; rr.len()];
        let s = sampen(&rr, &ok, P, &mut Vec::new()).unwrap();
        assert!(s.abs() < 0.02, "{s}");
    }

    #[test]
    fn constant_series_is_none() {
        let rr = vec![800.0; 50];
        assert_eq!(sampen(&rr, &vec![true; 50], P, &mut Vec::new()), None);
    }
}
