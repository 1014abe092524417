//! Resampling the RR series on an even time grid before Welch.
//!
//! The RR value RR_k is placed at the end time of its interval, t_k (the time base every tool
//! uses, hrv-conventions §7.6), and an interpolant through (t_k, RR_k) is sampled at `fs` Hz:
//! - [`Interpolation::Cubic`] (default, 4 Hz): the not-a-knot interpolating cubic spline (scipy
//!   `interp1d(kind="cubic")` = `make_interp_spline(k=3)`; Kubios guide and pyHRV);
//! - [`Interpolation::Quadratic`]: scipy `interp1d(kind="quadratic")` = `make_interp_spline(k=2)`
//!   with knots at the data ends (triple) and at the midpoints between data points, dropping the
//!   first and last midpoints (NeuroKit2's `signal_interpolate` default, used at 100 Hz);
//! - [`Interpolation::Linear`]: piecewise linear (hrv-analysis).
//!
//! The spline coefficients come from the collocation system Σ_j c_j B_j(t_i) = RR_i, a banded
//! totally positive matrix solved by band Gaussian elimination without pivoting (de Boor,
//! *A Practical Guide to Splines*, ch. XIII), O(N); values are evaluated with de Boor's
//! algorithm. Grid: [`ResampleGrid`]. Grid points after the last beat take the last RR
//! (scipy `fill_value=(y[0], y[-1])`, NeuroKit2). Fewer points than the spline needs (4 for
//! cubic, 3 for quadratic) → linear (*assumed*; scipy raises).
//!
//! Gaps inside a window (invalid differences) are bridged by the interpolant (*assumed*); the
//! window's coverage tells how much was bridged.

use super::conventions::{Interpolation, ResampleGrid};

/// Reusable buffers for resampling.
#[derive(Debug, Default, Clone)]
pub struct ResampleWorkspace {
    knots: Vec<f64>,
    coef: Vec<f64>,
    band: Vec<f64>,
    tt: Vec<f64>,
}

/// Nonzero B-spline basis values of degree `k` at `x` in knot span `l` (NURBS book A2.2):
/// `out[r]` = B_{l−k+r}(x).
fn basis(k: usize, t: &[f64], l: usize, x: f64, out: &mut [f64; 4]) {
    let mut left = [0.0; 4];
    let mut right = [0.0; 4];
    out[0] = 1.0;
    for j in 1..=k {
        left[j] = x - t[l + 1 - j];
        right[j] = t[l + j] - x;
        let mut saved = 0.0;
        for r in 0..j {
            let tmp = out[r] / (right[r + 1] + left[j - r]);
            out[r] = saved + right[r + 1] * tmp;
            saved = left[j - r] * tmp;
        }
        out[j] = saved;
    }
}

/// de Boor evaluation of the spline at `x` in span `l`.
fn deboor(k: usize, t: &[f64], c: &[f64], l: usize, x: f64) -> f64 {
    let mut d = [0.0; 4];
    d[..=k].copy_from_slice(&c[l - k..=l]);
    for r in 1..=k {
        for j in (r..=k).rev() {
            let i = j + l - k;
            let den = t[i + k + 1 - r] - t[i];
            let a = if den > 0.0 { (x - t[i]) / den } else { 0.0 };
            d[j] = (1.0 - a) * d[j - 1] + a * d[j];
        }
    }
    d[k]
}

impl ResampleWorkspace {
    /// Fit the interpolating spline of degree `k` through (x, y). Returns false if the system is
    /// singular.
    fn fit(&mut self, k: usize, x: &[f64], y: &[f64]) -> bool {
        let n = x.len();
        let t = &mut self.knots;
        t.clear();
        t.extend(std::iter::repeat_n(x[0], k + 1));
        if k == 3 {
            t.extend_from_slice(&x[2..n - 2]);
        } else {
            t.extend((1..n - 2).map(|j| (x[j] + x[j + 1]) / 2.0));
        }
        t.extend(std::iter::repeat_n(x[n - 1], k + 1));
        let w = 2 * k + 1;
        self.band.clear();
        self.band.resize(n * w, 0.0);
        self.coef.clear();
        self.coef.extend_from_slice(y);
        let mut l = k;
        let mut b = [0.0; 4];
        for (i, &xi) in x.iter().enumerate() {
            while l < n - 1 && xi >= t[l + 1] {
                l += 1;
            }
            basis(k, t, l, xi, &mut b);
            for (r, &bv) in b.iter().enumerate().take(k + 1) {
                let c = l - k + r;
                if c + k < i || c > i + k {
                    return false;
                }
                self.band[i * w + (c + k - i)] = bv;
            }
        }
        // Band elimination without pivoting.
        let at = |r: usize, c: usize| r * w + (c + k - r);
        for p in 0..n {
            let piv = self.band[at(p, p)];
            if piv == 0.0 || !piv.is_finite() {
                return false;
            }
            for r in p + 1..=(p + k).min(n - 1) {
                let f = self.band[at(r, p)] / piv;
                if f == 0.0 {
                    continue;
                }
                for c in p..=(p + k).min(n - 1) {
                    let v = self.band[at(p, c)];
                    self.band[at(r, c)] -= f * v;
                }
                self.coef[r] -= f * self.coef[p];
            }
        }
        for p in (0..n).rev() {
            let mut s = self.coef[p];
            for c in p + 1..=(p + k).min(n - 1) {
                s -= self.band[at(p, c)] * self.coef[c];
            }
            self.coef[p] = s / self.band[at(p, p)];
        }
        true
    }
}

/// Number of points of numpy `arange(start, stop, step)`.
pub fn arange_len(start: f64, stop: f64, step: f64) -> usize {
    let n = ((stop - start) / step).ceil();
    if n.is_finite() && n > 0.0 {
        n as usize
    } else {
        0
    }
}

/// Resample (t_s, rr) at `fs` Hz into `out`. Returns false if the input cannot be resampled
/// (fewer than 2 points or non-increasing times).
pub fn resample(
    t_s: &[f64],
    rr: &[f64],
    kind: Interpolation,
    fs: f64,
    grid: ResampleGrid,
    ws: &mut ResampleWorkspace,
    out: &mut Vec<f64>,
) -> bool {
    out.clear();
    let n = rr.len().min(t_s.len());
    let increasing = t_s[..n]
        .windows(2)
        .all(|p| p[1].partial_cmp(&p[0]) == Some(std::cmp::Ordering::Greater));
    if n < 2 || fs.is_nan() || fs <= 0.0 || !increasing {
        return false;
    }
    let step = 1.0 / fs;
    // Time base, grid start and length.
    let mut tt = std::mem::take(&mut ws.tt);
    tt.clear();
    let (g0, len) = match grid {
        ResampleGrid::FirstToLastInclusive => {
            tt.extend_from_slice(&t_s[..n]);
            (t_s[0], arange_len(t_s[0], t_s[n - 1] + step, step))
        }
        ResampleGrid::FirstToLastExclusive => {
            tt.extend(t_s[..n].iter().map(|&t| t - t_s[0]));
            (0.0, arange_len(0.0, tt[n - 1], step))
        }
    };
    let y = &rr[..n];
    let k = match kind {
        Interpolation::Cubic if n >= 4 => 3,
        Interpolation::Quadratic if n >= 3 => 2,
        _ => 1,
    };
    let ok = k == 1 || ws.fit(k, &tt, y);
    let k = if ok { k } else { 1 };
    out.reserve(len);
    let last = tt[n - 1];
    let mut l = if k == 1 { 0 } else { k };
    for i in 0..len {
        let x = g0 + i as f64 * step;
        let v = if x > last {
            y[n - 1]
        } else if x <= tt[0] {
            y[0]
        } else if k == 1 {
            while l + 2 < n && x >= tt[l + 1] {
                l += 1;
            }
            let a = (x - tt[l]) / (tt[l + 1] - tt[l]);
            y[l] + a * (y[l + 1] - y[l])
        } else {
            while l < n - 1 && x >= ws.knots[l + 1] {
                l += 1;
            }
            deboor(k, &ws.knots, &ws.coef, l, x)
        };
        out.push(v);
    }
    ws.tt = tt;
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uneven(n: usize) -> Vec<f64> {
        let mut t = 0.0;
        (0..n)
            .map(|k| {
                t += 0.7 + 0.3 * ((k * 7919) % 13) as f64 / 13.0;
                t
            })
            .collect()
    }

    #[test]
    fn cubic_reproduces_a_cubic_polynomial() {
        let t = uneven(30);
        let f = |x: f64| 800.0 + 3.0 * x - 0.5 * x * x + 0.02 * x * x * x;
        let y: Vec<f64> = t.iter().map(|&x| f(x)).collect();
        let mut out = Vec::new();
        let mut ws = ResampleWorkspace::default();
        assert!(resample(
            &t,
            &y,
            Interpolation::Cubic,
            4.0,
            ResampleGrid::FirstToLastInclusive,
            &mut ws,
            &mut out
        ));
        for (i, v) in out.iter().enumerate() {
            let x = t[0] + i as f64 * 0.25;
            if x <= *t.last().unwrap() {
                assert!((v - f(x)).abs() < 1e-6, "{x}: {v} vs {}", f(x));
            }
        }
    }

    #[test]
    fn quadratic_reproduces_a_parabola_and_interpolates() {
        let t = uneven(25);
        let f = |x: f64| 700.0 + 2.0 * x - 0.3 * x * x;
        let y: Vec<f64> = t.iter().map(|&x| f(x)).collect();
        let mut out = Vec::new();
        let mut ws = ResampleWorkspace::default();
        assert!(resample(
            &t,
            &y,
            Interpolation::Quadratic,
            10.0,
            ResampleGrid::FirstToLastInclusive,
            &mut ws,
            &mut out
        ));
        for (i, v) in out.iter().enumerate() {
            let x = t[0] + i as f64 * 0.1;
            if x <= *t.last().unwrap() {
                assert!((v - f(x)).abs() < 1e-6);
            }
        }
    }

    #[test]
    fn linear_grid_exclusive_matches_hrv_analysis_layout() {
        let t = [0.8, 1.6, 2.4];
        let y = [800.0, 800.0, 900.0];
        let mut out = Vec::new();
        let mut ws = ResampleWorkspace::default();
        assert!(resample(
            &t,
            &y,
            Interpolation::Linear,
            4.0,
            ResampleGrid::FirstToLastExclusive,
            &mut ws,
            &mut out
        ));
        // arange(0, 1.6, 0.25) has 7 points; the last, 1.5 s after t0, is 7/8 of the way up.
        assert_eq!(out.len(), 7);
        assert!((out[6] - 887.5).abs() < 1e-9);
        assert!(!resample(
            &[1.0, 1.0],
            &[800.0, 800.0],
            Interpolation::Linear,
            4.0,
            ResampleGrid::FirstToLastExclusive,
            &mut ws,
            &mut out
        ));
    }
}
