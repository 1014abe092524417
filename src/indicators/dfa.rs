//! Detrended fluctuation analysis (Peng et al. 1995, Chaos 5:82), short- and long-term
//! exponents α1, α2.
//!
//! Profile y_k = Σ_{j≤k}(RR_j − MeanNN). For a scale s (beats), the profile is cut into
//! segments of s beats: non-overlapping from the start with the remainder dropped (default,
//! nolds/Kubios style), or NeuroKit2's overlapping segments (start 0, step ⌊s/2⌋, start < N − s).
//! Each segment gets a least-squares line; F(s) = √(mean over segments of the mean squared
//! residual) (ms·beats). NeuroKit2 also drops segments with residual variance ≤ 1e-8·max.
//! α = least-squares slope of ln F(s) on ln s over the integer scales of the range
//! (α1: 4–16 default, 4–11 NeuroKit2; α2: 16–64 default, 12–⌊(N+1)/10⌋ NeuroKit2). The fit is
//! ordinary least squares, never RANSAC (nolds' default, non-deterministic).
//!
//! **Fast path**: prefix sums of y, y² and k·y give each segment's residual sum of squares in
//! O(1) (RSS = S_yy − S_xy²/S_xx on centred sums), so a window costs O(N + Σ_s N/s) with no
//! per-scale allocation. [`super::reference::dfa_alpha_naive`] fits each segment explicitly.
//!
//! Minimum: a scale is used when it has at least `min_segments` segments (2 by default, 1 in
//! NeuroKit2) and F > 0; α needs at least 2 used scales, otherwise `None`. NeuroKit2 returns NaN
//! for both exponents when N < 12; so do we (as `None`).

use super::conventions::DfaParams;

/// Scratch buffers for DFA.
#[derive(Debug, Default, Clone)]
pub struct DfaWorkspace {
    s1: Vec<f64>,
    s2: Vec<f64>,
    s3: Vec<f64>,
    vars: Vec<f64>,
    lx: Vec<f64>,
    ly: Vec<f64>,
}

impl DfaWorkspace {
    fn prepare(&mut self, rr: &[f64]) {
        let n = rr.len();
        let mean = rr.iter().sum::<f64>() / n as f64;
        for v in [&mut self.s1, &mut self.s2, &mut self.s3] {
            v.clear();
            v.reserve(n + 1);
            v.push(0.0);
        }
        let mut y = 0.0;
        for (k, &x) in rr.iter().enumerate() {
            y += x - mean;
            let (a, b, c) = (self.s1[k], self.s2[k], self.s3[k]);
            self.s1.push(a + y);
            self.s2.push(b + y * y);
            self.s3.push(c + k as f64 * y);
        }
    }

    /// Residual variance of the profile segment [a, a+s).
    fn seg_var(&self, a: usize, s: usize) -> f64 {
        let sf = s as f64;
        let sy = self.s1[a + s] - self.s1[a];
        let syy = self.s2[a + s] - self.s2[a];
        let sjy = (self.s3[a + s] - self.s3[a]) - a as f64 * sy;
        let sx = sf * (sf - 1.0) / 2.0;
        let sxx = sf * (sf * sf - 1.0) / 12.0;
        let sxy = sjy - sx * sy / sf;
        let syy_c = syy - sy * sy / sf;
        ((syy_c - sxy * sxy / sxx) / sf).max(0.0)
    }

    /// F(s), or `None` if the scale is unusable.
    fn fluctuation(&mut self, n: usize, s: usize, p: &DfaParams) -> Option<f64> {
        if s < 2 || s > n {
            return None;
        }
        self.vars.clear();
        if p.overlap {
            let step = (s / 2).max(1);
            let mut a = 0;
            while a + s < n {
                let v = self.seg_var(a, s);
                self.vars.push(v);
                a += step;
            }
        } else {
            for k in 0..n / s {
                let v = self.seg_var(k * s, s);
                self.vars.push(v);
            }
        }
        if self.vars.len() < p.min_segments.max(1) {
            return None;
        }
        let (sum, cnt) = if p.drop_flat_segments {
            let mx = self.vars.iter().copied().fold(0.0, f64::max);
            self.vars
                .iter()
                .filter(|&&v| v > 1e-8 * mx)
                .fold((0.0, 0usize), |(s, c), &v| (s + v, c + 1))
        } else {
            (self.vars.iter().sum(), self.vars.len())
        };
        let f = (sum / cnt as f64).sqrt();
        (cnt > 0 && f > 0.0 && f.is_finite()).then_some(f)
    }

    fn alpha(&mut self, n: usize, lo: usize, hi: usize, p: &DfaParams) -> Option<f64> {
        self.lx.clear();
        self.ly.clear();
        for s in lo..=hi {
            if let Some(f) = self.fluctuation(n, s, p) {
                self.lx.push((s as f64).ln());
                self.ly.push(f.ln());
            }
        }
        slope(&self.lx, &self.ly)
    }
}

/// Least-squares slope of y on x; `None` with fewer than 2 points.
pub fn slope(x: &[f64], y: &[f64]) -> Option<f64> {
    let n = x.len();
    if n < 2 {
        return None;
    }
    let mx = x.iter().sum::<f64>() / n as f64;
    let my = y.iter().sum::<f64>() / n as f64;
    let sxy: f64 = x.iter().zip(y).map(|(a, b)| (a - mx) * (b - my)).sum();
    let sxx: f64 = x.iter().map(|a| (a - mx) * (a - mx)).sum();
    (sxx > 0.0).then(|| sxy / sxx)
}

/// Scale range of α2 for a window of `n` beats.
pub fn alpha2_range(n: usize, p: &DfaParams) -> (usize, usize) {
    match p.alpha2 {
        (lo, Some(hi)) => (lo, hi),
        // NeuroKit2: max_beats = (N+1)/10, scales linspace(12, int(max_beats), …).astype(int).
        (lo, None) => (lo, ((n as f64 + 1.0) / 10.0) as usize),
    }
}

/// (α1, α2).
pub fn alphas(rr: &[f64], p: &DfaParams, ws: &mut DfaWorkspace) -> (Option<f64>, Option<f64>) {
    let n = rr.len();
    if n < 12 {
        return (None, None);
    }
    ws.prepare(rr);
    let a1 = ws.alpha(n, p.alpha1.0, p.alpha1.1, p);
    let (lo, hi) = alpha2_range(n, p);
    // NeuroKit2 skips α2 when max_beats < lo + 1.
    let a2 = if p.alpha2.1.is_none() && ((n as f64 + 1.0) / 10.0) < (lo + 1) as f64 {
        None
    } else {
        ws.alpha(n, lo, hi, p)
    };
    (a1, a2)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::indicators::conventions::{Convention, Conventions};

    #[test]
    fn white_noise_alpha_near_half() {
        // xorshift noise: α ≈ 0.5 for uncorrelated increments (DFA-1 overestimates slightly at
        // the smallest scales, ≈ 0.6 on 4–16).
        let mut s = 0x9E3779B97F4A7C15u64;
        let rr: Vec<f64> = (0..4000)
            .map(|_| {
                s ^= s << 13;
                s ^= s >> 7;
                s ^= s << 17;
                800.0 + (s % 1000) as f64 / 10.0
            })
            .collect();
        let p = Conventions::of(Convention::Default).dfa;
        let (a1, a2) = alphas(&rr, &p, &mut DfaWorkspace::default());
        assert!((a1.unwrap() - 0.55).abs() < 0.1, "{a1:?}");
        assert!((a2.unwrap() - 0.5).abs() < 0.1, "{a2:?}");
    }

    #[test]
    fn short_window_is_none() {
        let p = Conventions::of(Convention::Default).dfa;
        assert_eq!(
            alphas(&[800.0; 11], &p, &mut DfaWorkspace::default()),
            (None, None)
        );
    }
}
