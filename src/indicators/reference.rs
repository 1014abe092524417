//! Naive textbook implementations used as oracles by the property tests.
//!
//! Each function computes the same quantity as a fast path elsewhere in this module, in the
//! most direct way (O(N²) pair loops, an explicit least-squares fit per segment, a direct DFT,
//! a full nested TINN search). They are public so that integration tests can use them; they
//! are not meant for production use.

use super::conventions::{DfaParams, SampEnParams, Taper};
use super::sample_entropy::{template_ok, tolerance};
use super::welch::taper_value;

/// SampEn by comparing every pair of templates (Richman & Moorman 2000).
pub fn sampen_naive(rr: &[f64], diff_ok: &[bool], p: SampEnParams) -> Option<f64> {
    let m = p.m.max(1);
    let n = rr.len();
    if n < m + 2 {
        return None;
    }
    let r = tolerance(rr, p)?;
    let within = |d: f64| if p.closed { d <= r } else { d < r };
    let t: Vec<usize> = (0..n - m).filter(|&i| template_ok(diff_ok, i, m)).collect();
    let (mut a, mut b) = (0u64, 0u64);
    for x in 0..t.len() {
        for y in x + 1..t.len() {
            let (i, j) = (t[x], t[y]);
            let dm = (0..m)
                .map(|k| (rr[i + k] - rr[j + k]).abs())
                .fold(0.0, f64::max);
            if within(dm) {
                b += 1;
                if within(dm.max((rr[i + m] - rr[j + m]).abs())) {
                    a += 1;
                }
            }
        }
    }
    (a > 0 && b > 0).then(|| -((a as f64) / (b as f64)).ln())
}

/// F(s) by explicit per-segment least squares on the profile.
pub fn dfa_fluctuation_naive(rr: &[f64], s: usize, p: &DfaParams) -> Option<f64> {
    let n = rr.len();
    let mean = rr.iter().sum::<f64>() / n as f64;
    let mut y = Vec::with_capacity(n);
    let mut acc = 0.0;
    for &x in rr {
        acc += x - mean;
        y.push(acc);
    }
    let starts: Vec<usize> = if p.overlap {
        (0..)
            .map(|k| k * (s / 2).max(1))
            .take_while(|&a| a + s < n)
            .collect()
    } else {
        (0..n / s).map(|k| k * s).collect()
    };
    if starts.len() < p.min_segments.max(1) || s < 2 {
        return None;
    }
    let mut vars = Vec::new();
    for a in starts {
        let seg = &y[a..a + s];
        let xs: Vec<f64> = (0..s).map(|k| k as f64).collect();
        let mx = xs.iter().sum::<f64>() / s as f64;
        let my = seg.iter().sum::<f64>() / s as f64;
        let sxy: f64 = xs.iter().zip(seg).map(|(x, y)| (x - mx) * (y - my)).sum();
        let sxx: f64 = xs.iter().map(|x| (x - mx) * (x - mx)).sum();
        let b = sxy / sxx;
        let a0 = my - b * mx;
        let v = xs
            .iter()
            .zip(seg)
            .map(|(x, y)| (y - a0 - b * x).powi(2))
            .sum::<f64>()
            / s as f64;
        vars.push(v);
    }
    let mx = vars.iter().copied().fold(0.0, f64::max);
    let kept: Vec<f64> = if p.drop_flat_segments {
        vars.into_iter().filter(|&v| v > 1e-8 * mx).collect()
    } else {
        vars
    };
    let f = (kept.iter().sum::<f64>() / kept.len() as f64).sqrt();
    (!kept.is_empty() && f > 0.0).then_some(f)
}

/// α over `lo..=hi` from [`dfa_fluctuation_naive`].
pub fn dfa_alpha_naive(rr: &[f64], lo: usize, hi: usize, p: &DfaParams) -> Option<f64> {
    let (mut xs, mut ys) = (Vec::new(), Vec::new());
    for s in lo..=hi.min(rr.len()) {
        if let Some(f) = dfa_fluctuation_naive(rr, s, p) {
            xs.push((s as f64).ln());
            ys.push(f.ln());
        }
    }
    super::dfa::slope(&xs, &ys)
}

/// Welch PSD by a direct O(L·nfft) DFT of each segment (same scaling as [`super::welch`]).
pub fn welch_naive(
    x: &[f64],
    fs: f64,
    nperseg: usize,
    nfft: usize,
    taper: Taper,
    detrend: bool,
) -> Vec<f64> {
    let n = x.len();
    let l = nperseg.min(n);
    let nfft = nfft.max(l);
    let step = l - l / 2;
    let nseg = (n - l) / step + 1;
    let w: Vec<f64> = (0..l).map(|k| taper_value(taper, k, l)).collect();
    let mut psd = vec![0.0; nfft / 2 + 1];
    for s in 0..nseg {
        let seg = &x[s * step..s * step + l];
        let m = if detrend {
            seg.iter().sum::<f64>() / l as f64
        } else {
            0.0
        };
        for (k, p) in psd.iter_mut().enumerate() {
            let (mut re, mut im) = (0.0, 0.0);
            for (j, (&v, &wj)) in seg.iter().zip(&w).enumerate() {
                let a = -2.0 * std::f64::consts::PI * (k * j % nfft) as f64 / nfft as f64;
                re += (v - m) * wj * a.cos();
                im += (v - m) * wj * a.sin();
            }
            *p += re * re + im * im;
        }
    }
    let s2: f64 = w.iter().map(|v| v * v).sum();
    let last = psd.len() - 1;
    for (k, p) in psd.iter_mut().enumerate() {
        let dbl = k != 0 && !(nfft % 2 == 0 && k == last);
        *p *= if dbl { 2.0 } else { 1.0 } / (fs * s2 * nseg as f64);
    }
    psd
}

/// TINN by the full nested (N, M) search with the whole-triangle error of NeuroKit2
/// (`_hrv_TINN`, inner loop reset for each N).
pub fn tinn_naive(rr: &[f64], w: f64) -> Option<f64> {
    let max = rr.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let min = rr.iter().copied().fold(f64::INFINITY, f64::min);
    let nedges = ((max + w) / w).ceil() as usize;
    let nb = nedges - 1;
    let mut d = vec![0.0; nb];
    for &x in rr {
        d[((x / w).floor() as usize).min(nb - 1)] += 1.0;
    }
    let e = |i: usize| i as f64 * w;
    let mut xi = 0;
    for i in 0..nb {
        if d[i] > d[xi] {
            xi = i;
        }
    }
    let y = d[xi];
    let n0 = (0..nedges).find(|&i| e(i) > min)?;
    let mut best: Option<(f64, usize, usize)> = None;
    for n in n0..xi {
        let mut m = xi + 1;
        while e(m) < max {
            let mut q = vec![0.0; nedges];
            for (i, qi) in q.iter_mut().enumerate().take(xi + 1).skip(n) {
                *qi = y * (e(i) - e(n)) / (e(xi) - e(n));
            }
            for (i, qi) in q.iter_mut().enumerate().take(m + 1).skip(xi) {
                *qi = y * (e(m) - e(i)) / (e(m) - e(xi));
            }
            let err: f64 = (n..=m)
                .map(|i| (d.get(i).copied().unwrap_or(0.0) - q[i]).powi(2))
                .sum();
            if best.is_none_or(|b| err < b.0) {
                best = Some((err, n, m));
            }
            m += 1;
        }
    }
    best.map(|(_, n, m)| e(m) - e(n))
}

/// Baevsky SI (modal-bin-centre form) with a sorted map histogram.
pub fn baevsky_si_naive(rr: &[f64], bin_ms: f64) -> Option<f64> {
    let mut h = std::collections::BTreeMap::<i64, usize>::new();
    for &x in rr {
        *h.entry((x / bin_ms).floor() as i64).or_default() += 1;
    }
    let (mut bk, mut bc) = (0i64, 0usize);
    for (&k, &c) in &h {
        if c > bc {
            bk = k;
            bc = c;
        }
    }
    let lo = rr.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = rr.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let mx = (hi - lo) / 1000.0;
    let mo = (bk as f64 * bin_ms + bin_ms / 2.0) / 1000.0;
    (mx > 0.0).then(|| 100.0 * bc as f64 / rr.len() as f64 / (2.0 * mo * mx))
}
