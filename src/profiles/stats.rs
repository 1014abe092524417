//! Small robust statistics used by the profiles and the confound report.
//!
//! - **Quantile**: linear interpolation between order statistics (Hyndman & Fan type 7, the
//!   default of NumPy `percentile` and R `quantile`): `q(p) = x[h] + (h − ⌊h⌋)·(x[⌊h⌋+1] − x[⌊h⌋])`
//!   with `h = (n − 1)·p` on the sorted sample.
//! - **Median**, **MAD**: `MAD = median(|x − median(x)|)`; the robust SD is `1.4826·MAD`
//!   (consistent for the normal distribution).
//! - **Spearman ρ**: Pearson correlation of the ranks, ties given the average of the ranks they
//!   span (as `scipy.stats.spearmanr`). `None` when n < 3 or a variable is constant.
//! - **AUC** (Mann–Whitney): `AUC = P(X > Y) + ½·P(X = Y)` over all pairs, computed from ranks
//!   in O((n+m) log(n+m)): `AUC = (R_X − n_X(n_X+1)/2)/(n_X·n_Y)` with average ranks for ties.
//! - **Bootstrap CI**: percentile bootstrap, resampling each group with replacement, seeded
//!   ChaCha8 generator, so the same seed gives the same interval on every machine.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

/// Type-7 quantile of an already sorted, finite sample; `None` if empty.
pub fn quantile_sorted(v: &[f64], p: f64) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    let h = (v.len() - 1) as f64 * p.clamp(0.0, 1.0);
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(v.len() - 1);
    Some(v[lo] + (h - lo as f64) * (v[hi] - v[lo]))
}

/// Sorted copy of the finite values.
pub fn sorted_finite(v: impl IntoIterator<Item = f64>) -> Vec<f64> {
    let mut s: Vec<f64> = v.into_iter().filter(|x| x.is_finite()).collect();
    s.sort_by(f64::total_cmp);
    s
}

/// Median of the finite values.
pub fn median(v: impl IntoIterator<Item = f64>) -> Option<f64> {
    quantile_sorted(&sorted_finite(v), 0.5)
}

/// (median, 1.4826·MAD) of the finite values.
pub fn median_robust_sd(v: &[f64]) -> Option<(f64, f64)> {
    let m = median(v.iter().copied())?;
    let mad = median(v.iter().map(|x| (x - m).abs()))?;
    Some((m, 1.4826 * mad))
}

/// Average ranks (1-based), ties sharing the mean of the ranks they span.
pub fn average_ranks(v: &[f64]) -> Vec<f64> {
    let mut idx: Vec<usize> = (0..v.len()).collect();
    idx.sort_by(|&a, &b| v[a].total_cmp(&v[b]));
    let mut r = vec![0.0; v.len()];
    let mut i = 0;
    while i < idx.len() {
        let mut j = i;
        while j + 1 < idx.len() && v[idx[j + 1]] == v[idx[i]] {
            j += 1;
        }
        let avg = (i + j) as f64 / 2.0 + 1.0;
        for &k in &idx[i..=j] {
            r[k] = avg;
        }
        i = j + 1;
    }
    r
}

/// Pearson correlation; `None` if n < 3 or a variable is constant.
pub fn pearson(x: &[f64], y: &[f64]) -> Option<f64> {
    let n = x.len().min(y.len());
    if n < 3 {
        return None;
    }
    let mx = x[..n].iter().sum::<f64>() / n as f64;
    let my = y[..n].iter().sum::<f64>() / n as f64;
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for i in 0..n {
        let (a, b) = (x[i] - mx, y[i] - my);
        sxy += a * b;
        sxx += a * a;
        syy += b * b;
    }
    (sxx > 0.0 && syy > 0.0).then(|| sxy / (sxx * syy).sqrt())
}

/// Spearman rank correlation of the pairs where both values are finite.
pub fn spearman(x: &[f64], y: &[f64]) -> Option<f64> {
    let (a, b): (Vec<f64>, Vec<f64>) = x
        .iter()
        .zip(y)
        .filter(|(a, b)| a.is_finite() && b.is_finite())
        .map(|(a, b)| (*a, *b))
        .unzip();
    pearson(&average_ranks(&a), &average_ranks(&b))
}

/// Mann–Whitney AUC = P(X > Y) + ½·P(X = Y); `None` if a group is empty.
pub fn auc(x: &[f64], y: &[f64]) -> Option<f64> {
    let x: Vec<f64> = x.iter().copied().filter(|v| v.is_finite()).collect();
    let y: Vec<f64> = y.iter().copied().filter(|v| v.is_finite()).collect();
    if x.is_empty() || y.is_empty() {
        return None;
    }
    let mut all = x.clone();
    all.extend_from_slice(&y);
    let r = average_ranks(&all);
    let rx: f64 = r[..x.len()].iter().sum();
    let nx = x.len() as f64;
    Some((rx - nx * (nx + 1.0) / 2.0) / (nx * y.len() as f64))
}

/// A point estimate with a percentile bootstrap interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
    /// Estimate on the full sample.
    pub value: f64,
    /// Lower bound of the interval.
    pub lo: f64,
    /// Upper bound of the interval.
    pub hi: f64,
}

/// Bootstrap of `median(a) − median(b)` (and of both medians): resample each group with
/// replacement `n_boot` times with a ChaCha8 generator seeded by `seed`; percentile interval
/// at `level` (e.g. 0.95). Returns (median a, median b, difference) or `None` if a group is
/// empty.
pub fn bootstrap_median_diff(
    a: &[f64],
    b: &[f64],
    n_boot: usize,
    level: f64,
    seed: u64,
) -> Option<(Estimate, Estimate, Estimate)> {
    let a = sorted_finite(a.iter().copied());
    let b = sorted_finite(b.iter().copied());
    if a.is_empty() || b.is_empty() {
        return None;
    }
    let ma = quantile_sorted(&a, 0.5)?;
    let mb = quantile_sorted(&b, 0.5)?;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut ra = Vec::with_capacity(n_boot);
    let mut rb = Vec::with_capacity(n_boot);
    let mut rd = Vec::with_capacity(n_boot);
    let mut buf_a = vec![0.0; a.len()];
    let mut buf_b = vec![0.0; b.len()];
    for _ in 0..n_boot.max(1) {
        for s in buf_a.iter_mut() {
            *s = a[rng.gen_range(0..a.len())];
        }
        for s in buf_b.iter_mut() {
            *s = b[rng.gen_range(0..b.len())];
        }
        buf_a.sort_by(f64::total_cmp);
        buf_b.sort_by(f64::total_cmp);
        let x = quantile_sorted(&buf_a, 0.5)?;
        let y = quantile_sorted(&buf_b, 0.5)?;
        ra.push(x);
        rb.push(y);
        rd.push(x - y);
    }
    let alpha = (1.0 - level.clamp(0.0, 1.0)) / 2.0;
    let ci = |v: &mut Vec<f64>, value: f64| {
        v.sort_by(f64::total_cmp);
        Estimate {
            value,
            lo: quantile_sorted(v, alpha).unwrap_or(value),
            hi: quantile_sorted(v, 1.0 - alpha).unwrap_or(value),
        }
    };
    Some((ci(&mut ra, ma), ci(&mut rb, mb), ci(&mut rd, ma - mb)))
}

/// Percentile bootstrap of the median of `a` (seeded as [`bootstrap_median_diff`]).
pub fn bootstrap_median(a: &[f64], n_boot: usize, level: f64, seed: u64) -> Option<Estimate> {
    let a = sorted_finite(a.iter().copied());
    let m = quantile_sorted(&a, 0.5)?;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut buf = vec![0.0; a.len()];
    let mut meds = Vec::with_capacity(n_boot.max(1));
    for _ in 0..n_boot.max(1) {
        for s in buf.iter_mut() {
            *s = a[rng.gen_range(0..a.len())];
        }
        buf.sort_by(f64::total_cmp);
        meds.push(quantile_sorted(&buf, 0.5)?);
    }
    meds.sort_by(f64::total_cmp);
    let alpha = (1.0 - level.clamp(0.0, 1.0)) / 2.0;
    Some(Estimate {
        value: m,
        lo: quantile_sorted(&meds, alpha).unwrap_or(m),
        hi: quantile_sorted(&meds, 1.0 - alpha).unwrap_or(m),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_and_mad() {
        let v = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(quantile_sorted(&v, 0.5), Some(2.5));
        assert_eq!(quantile_sorted(&v, 0.25), Some(1.75));
        let (m, s) = median_robust_sd(&[1.0, 2.0, 3.0, 4.0, 100.0]).unwrap();
        assert_eq!(m, 3.0);
        assert!((s - 1.4826).abs() < 1e-12); // |dev| = 2,1,0,1,97 → MAD 1
    }

    #[test]
    fn ranks_with_ties() {
        assert_eq!(average_ranks(&[10.0, 20.0, 10.0, 30.0]), vec![1.5, 3.0, 1.5, 4.0]);
    }

    #[test]
    fn spearman_hand_computed() {
        // x ranks 1..5, y = [2,1,4,3,5] → d² = 1+1+1+1+0 = 4; ρ = 1 − 6·4/(5·24) = 0.8.
        let r = spearman(&[1.0, 2.0, 3.0, 4.0, 5.0], &[2.0, 1.0, 4.0, 3.0, 5.0]).unwrap();
        assert!((r - 0.8).abs() < 1e-12);
        // Monotone non-linear → 1; reversed → −1.
        let x = [1.0, 2.0, 3.0, 4.0];
        assert!((spearman(&x, &[1.0, 8.0, 27.0, 64.0]).unwrap() - 1.0).abs() < 1e-12);
        assert!((spearman(&x, &[9.0, 7.0, 3.0, 0.0]).unwrap() + 1.0).abs() < 1e-12);
        // Ties: x = [1,2,2,3] ranks [1,2.5,2.5,4]; y = [1,2,3,4].
        // Pearson of ranks: mean 2.5; dx = [-1.5,0,0,1.5], dy = [-1.5,-.5,.5,1.5];
        // sxy = 2.25+2.25 = 4.5; sxx = 4.5; syy = 5 → ρ = 4.5/√22.5 = 0.948683.
        let r = spearman(&[1.0, 2.0, 2.0, 3.0], &[1.0, 2.0, 3.0, 4.0]).unwrap();
        assert!((r - 4.5 / 22.5f64.sqrt()).abs() < 1e-12);
        assert_eq!(spearman(&[1.0, 1.0, 1.0], &[1.0, 2.0, 3.0]), None);
        // NaN pairs are dropped.
        let r = spearman(&[1.0, f64::NAN, 2.0, 3.0], &[1.0, 5.0, 2.0, 3.0]).unwrap();
        assert!((r - 1.0).abs() < 1e-12);
    }

    #[test]
    fn auc_hand_computed() {
        // x = [3,4], y = [1,3]: pairs (3>1),(3=3 → ½),(4>1),(4>3) → 3.5/4 = 0.875.
        assert!((auc(&[3.0, 4.0], &[1.0, 3.0]).unwrap() - 0.875).abs() < 1e-12);
        assert_eq!(auc(&[1.0], &[2.0]), Some(0.0));
        assert_eq!(auc(&[2.0], &[2.0]), Some(0.5));
        assert_eq!(auc(&[], &[2.0]), None);
    }

    #[test]
    fn bootstrap_is_seeded_and_brackets_the_estimate() {
        let a: Vec<f64> = (0..50).map(|i| 60.0 + (i % 7) as f64).collect();
        let b: Vec<f64> = (0..40).map(|i| 20.0 + (i % 5) as f64).collect();
        let (ma, mb, d) = bootstrap_median_diff(&a, &b, 500, 0.95, 7).unwrap();
        assert_eq!(ma.value, 63.0);
        assert_eq!(mb.value, 22.0);
        assert_eq!(d.value, 41.0);
        assert!(d.lo <= d.value && d.value <= d.hi);
        assert!(d.lo >= 41.0 - 3.0 - 2.0 && d.hi <= 41.0 + 3.0 + 2.0);
        let again = bootstrap_median_diff(&a, &b, 500, 0.95, 7).unwrap();
        assert_eq!(again.2, d);
        // Constant groups: the interval collapses onto the value.
        let (_, _, d) = bootstrap_median_diff(&[5.0; 9], &[2.0; 4], 100, 0.95, 1).unwrap();
        assert_eq!((d.lo, d.value, d.hi), (3.0, 3.0, 3.0));
    }
}
