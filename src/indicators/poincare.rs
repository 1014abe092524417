//! Poincaré plot descriptors SD1, SD2 (Brennan, Palaniswami & Kamen 2001, IEEE TBME 48:1342).
//!
//! Over the valid successive pairs (RR_n, RR_{n+1}) (both beats clean and contiguous):
//! - [`PoincareMethod::Projection`] (default, NeuroKit2 `hrv_nonlinear.py`):
//!   SD1 = std((RR_n − RR_{n+1})/√2), SD2 = std((RR_n + RR_{n+1})/√2), ddof 1 (ms).
//! - [`PoincareMethod::Identity`] (hrv-analysis `get_poincare_plot_features`):
//!   SD1 = √(½·SDSD²), SD2 = √(2·SDNN² − ½·SDSD²), both SDs with ddof 1.
//!
//! The two agree to ≈0.1 % on SD2 (they differ in which beats enter the mean). SD1/SD2 is
//! dimensionless. Minimum: 2 valid pairs (SD2 < 0 in the identity form → `None`).

use super::conventions::PoincareMethod;
use super::time_domain::{std_ddof, valid_diffs};
use std::f64::consts::SQRT_2;

/// (SD1, SD2) in ms.
pub fn sd1_sd2(rr: &[f64], diff_ok: &[bool], method: PoincareMethod, ddof: u32) -> Option<(f64, f64)> {
    let pairs = (1..rr.len())
        .filter(|&k| diff_ok.get(k).copied().unwrap_or(false))
        .map(|k| (rr[k - 1], rr[k]));
    if pairs.clone().count() < 2 {
        return None;
    }
    match method {
        PoincareMethod::Projection => {
            let sd1 = std_ddof(pairs.clone().map(|(a, b)| (a - b) / SQRT_2), ddof)?;
            let sd2 = std_ddof(pairs.map(|(a, b)| (a + b) / SQRT_2), ddof)?;
            Some((sd1, sd2))
        }
        PoincareMethod::Identity => {
            let sdsd = std_ddof(valid_diffs(rr, diff_ok), 1)?;
            let sdnn = std_ddof(rr.iter().copied(), 1)?;
            let v2 = 2.0 * sdnn * sdnn - 0.5 * sdsd * sdsd;
            (v2 >= 0.0).then(|| ((0.5 * sdsd * sdsd).sqrt(), v2.sqrt()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alternating_series_has_sd2_near_zero_and_sd1_from_the_jump() {
        // Pairs alternate (800,900),(900,800): points lie on the line x + y = 1700 → SD2 = 0.
        let rr: Vec<f64> = (0..20).map(|k| if k % 2 == 0 { 800.0 } else { 900.0 }).collect();
        let ok = vec![true; rr.len()];
        let (sd1, sd2) = sd1_sd2(&rr, &ok, PoincareMethod::Projection, 1).unwrap();
        assert!(sd2.abs() < 1e-9);
        let expect = std_ddof(valid_diffs(&rr, &ok), 1).unwrap() / SQRT_2;
        assert!((sd1 - expect).abs() < 1e-9);
    }

    #[test]
    fn too_few_pairs() {
        assert_eq!(sd1_sd2(&[800.0, 810.0], &[true, true], PoincareMethod::Projection, 1), None);
    }
}
