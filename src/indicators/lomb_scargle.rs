//! Lomb–Scargle periodogram of the uneven RR series (Lomb 1976; Scargle 1982; floating-mean
//! form of Zechmeister & Kürster 2009), as astropy `LombScargle(t, rr,
//! normalization="psd")` computes it (used by NeuroKit2 `psd_method="lomb"` and hrv-analysis
//! `method="lomb"`).
//!
//! With weights w = 1/N, ȳ = Σw·y, y ← y − ȳ, and for each ω = 2πf the time offset τ from
//! tan 2ωτ = (S2 − 2·C·S)/(C2 − (C² − S²)) (S = Σw sin ωt, C = Σw cos ωt, S2 = Σw sin 2ωt,
//! C2 = Σw cos 2ωt):
//! P(f) = ½·N·(YC²/CC + YS²/SS), where YC = Σw·y·cos ω(t−τ) − ȳ_c…, i.e. the centred weighted
//! sums of astropy's `lombscargle_slow` (fit_mean = true). Units: ms² per frequency unit as the
//! libraries integrate it; **not** comparable with Welch ms²/Hz (≈ 0.63× on LF,
//! hrv-conventions §2.2).
//!
//! Frequency grid (astropy `autofrequency`): Δf = 1/(s·T) with T = t_max − t_min and s samples
//! per peak (5), f_k = f_min + k·Δf, k = 0 … round((f_max − f_min)/Δf). f_min = lower edge of the
//! lowest band, f_max = upper edge of the highest band (hrv-analysis: 0.003–0.4 Hz). We compute
//! the exact sums (astropy's "auto" picks its approximate "fast" method on grids > 200 points,
//! a difference well below 0.1 %). cos/sin(ωt) advance from one frequency to the next by
//! rotation, so the cost is O(N·N_f) multiply-adds without trigonometric calls.

/// Reusable buffers.
#[derive(Debug, Default, Clone)]
pub struct LombWorkspace {
    c: Vec<f64>,
    s: Vec<f64>,
    dc: Vec<f64>,
    ds: Vec<f64>,
    y: Vec<f64>,
}

/// Periodogram of (t, y) on the grid f_min + k·df, k = 0..nf, into `psd`.
pub fn lomb(t: &[f64], y: &[f64], f_min: f64, df: f64, nf: usize, ws: &mut LombWorkspace, psd: &mut Vec<f64>) {
    let n = t.len().min(y.len());
    psd.clear();
    if n < 3 {
        return;
    }
    let w = 1.0 / n as f64;
    let t0 = t[0];
    let ybar = y[..n].iter().sum::<f64>() * w;
    ws.y.clear();
    ws.y.extend(y[..n].iter().map(|v| v - ybar));
    let two_pi = 2.0 * std::f64::consts::PI;
    ws.c.clear();
    ws.s.clear();
    ws.dc.clear();
    ws.ds.clear();
    for &tj in &t[..n] {
        // Shift time to t0 for precision; the periodogram is shift-invariant.
        let tr = tj - t0;
        let a = two_pi * f_min * tr;
        ws.c.push(a.cos());
        ws.s.push(a.sin());
        let d = two_pi * df * tr;
        ws.dc.push(d.cos());
        ws.ds.push(d.sin());
    }
    let yv = &ws.y;
    let ybar_c = yv.iter().sum::<f64>() * w; // ≈ 0 after centring
    for k in 0..nf {
        if k > 0 {
            for j in 0..n {
                let (c, s) = (ws.c[j], ws.s[j]);
                ws.c[j] = c * ws.dc[j] - s * ws.ds[j];
                ws.s[j] = s * ws.dc[j] + c * ws.ds[j];
            }
        }
        let (mut sc, mut ss, mut s2, mut c2) = (0.0, 0.0, 0.0, 0.0);
        for j in 0..n {
            let (c, s) = (ws.c[j], ws.s[j]);
            sc += c;
            ss += s;
            s2 += 2.0 * s * c;
            c2 += c * c - s * s;
        }
        let (cm, sm) = (sc * w, ss * w);
        let s2 = s2 * w - 2.0 * sm * cm;
        let c2 = c2 * w - (cm * cm - sm * sm);
        let wtau = 0.5 * s2.atan2(c2);
        let (ct, st) = (wtau.cos(), wtau.sin());
        let (mut yc, mut ys, mut cc, mut sst, mut ctau, mut stau) = (0.0, 0.0, 0.0, 0.0, 0.0, 0.0);
        for j in 0..n {
            // cos(ωt − ωτ), sin(ωt − ωτ)
            let cj = ws.c[j] * ct + ws.s[j] * st;
            let sj = ws.s[j] * ct - ws.c[j] * st;
            yc += yv[j] * cj;
            ys += yv[j] * sj;
            cc += cj * cj;
            sst += sj * sj;
            ctau += cj;
            stau += sj;
        }
        let (yc, ys, cc, sst, ctau, stau) = (yc * w, ys * w, cc * w, sst * w, ctau * w, stau * w);
        let yc = yc - ybar_c * ctau;
        let ys = ys - ybar_c * stau;
        let cc = cc - ctau * ctau;
        let sst = sst - stau * stau;
        let mut p = 0.0;
        if cc > 0.0 {
            p += yc * yc / cc;
        }
        if sst > 0.0 {
            p += ys * ys / sst;
        }
        psd.push(0.5 * n as f64 * p);
    }
}

/// astropy's grid: (Δf, number of points) for `[f_min, f_max]` on baseline `span`.
pub fn grid(span: f64, samples_per_peak: f64, f_min: f64, f_max: f64) -> (f64, usize) {
    let df = 1.0 / (samples_per_peak * span);
    let nf = 1 + ((f_max - f_min) / df).round().max(0.0) as usize;
    (df, nf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sinusoid_peaks_at_its_frequency() {
        let mut t = Vec::new();
        let mut acc = 0.0;
        for k in 0..400 {
            acc += 0.7 + 0.2 * ((k * 31 % 17) as f64 / 17.0);
            t.push(acc);
        }
        let y: Vec<f64> = t.iter().map(|&x| 800.0 + 30.0 * (2.0 * std::f64::consts::PI * 0.1 * x).sin()).collect();
        let span = t[t.len() - 1] - t[0];
        let (df, nf) = grid(span, 5.0, 0.003, 0.4);
        let mut psd = Vec::new();
        lomb(&t, &y, 0.003, df, nf, &mut LombWorkspace::default(), &mut psd);
        let (kmax, _) = psd.iter().enumerate().fold((0, 0.0), |a, (k, &p)| if p > a.1 { (k, p) } else { a });
        let fpeak = 0.003 + kmax as f64 * df;
        assert!((fpeak - 0.1).abs() < 2.0 * df, "{fpeak}");
        // Amplitude A → psd-normalised peak ≈ N·A²/4.
        let expect = 400.0 * 30.0 * 30.0 / 4.0;
        assert!((psd[kmax] / expect - 1.0).abs() < 0.1, "{} vs {expect}", psd[kmax]);
    }
}
