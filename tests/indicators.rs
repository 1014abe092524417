//! Integration tests of `stress_harness::indicators`: closed-form cases, fast paths against the
//! naive oracles (property tests), and the library reference values on
//! `../shared/reference/rr_5min.csv` (`#[ignore]`, need the shared folder).

use proptest::prelude::*;
use std::path::PathBuf;
use stress_harness::indicators::conventions::*;
use stress_harness::indicators::{
    compute, compute_with, reference, IndicatorSet, NnWindow, Workspace,
};

fn times(rr: &[f64]) -> Vec<f64> {
    let mut t = 0.0;
    rr.iter()
        .map(|x| {
            t += x / 1000.0;
            t
        })
        .collect()
}

fn run(rr: &[f64], c: &Conventions) -> IndicatorSet {
    let t = times(rr);
    let ok = vec![true; rr.len()];
    compute(
        &NnWindow {
            rr_ms: rr,
            t_s: &t,
            diff_ok: &ok,
        },
        c,
    )
}

/// 5 min of beats whose RR follows 800 + a·sin(2πft) evaluated at each beat's start.
fn modulated(f_hz: f64, amp: f64) -> Vec<f64> {
    let mut t = 0.0;
    let mut rr = Vec::new();
    while t < 300.0 {
        let x = 800.0 + amp * (2.0 * std::f64::consts::PI * f_hz * t).sin();
        rr.push(x);
        t += x / 1000.0;
    }
    rr
}

#[test]
fn pure_lf_and_hf_modulations_land_in_their_band() {
    for conv in [
        Convention::Default,
        Convention::Neurokit2,
        Convention::HrvAnalysis,
    ] {
        let c = Conventions::of(conv);
        let lf = run(&modulated(0.1, 40.0), &c);
        let (l, h) = (lf.lf_ms2.unwrap(), lf.hf_ms2.unwrap_or(0.0));
        assert!(l / (l + h) >= 0.9, "{conv:?}: LF share {}", l / (l + h));
        assert!((lf.lf_peak_hz.unwrap() - 0.1).abs() < 0.01, "{conv:?}");
        let hf = run(&modulated(0.25, 30.0), &c);
        let (l, h) = (hf.lf_ms2.unwrap_or(0.0), hf.hf_ms2.unwrap());
        assert!(h / (l + h) >= 0.9, "{conv:?}: HF share {}", h / (l + h));
        assert!((hf.hf_peak_hz.unwrap() - 0.25).abs() < 0.01, "{conv:?}");
    }
    // Lomb–Scargle too.
    let c = Conventions {
        psd_method: PsdMethod::Lomb,
        ..Conventions::default()
    };
    let lf = run(&modulated(0.1, 40.0), &c);
    assert!(lf.lf_ms2.unwrap() / (lf.lf_ms2.unwrap() + lf.hf_ms2.unwrap_or(0.0)) >= 0.9);
}

#[test]
fn sinusoid_power_matches_its_variance() {
    // A 0.1 Hz sinusoid of amplitude a has variance a²/2; Welch LF must hold most of it.
    let s = run(&modulated(0.1, 40.0), &Conventions::default());
    let lf = s.lf_ms2.unwrap();
    assert!(lf > 0.8 * 800.0 && lf < 1.1 * 800.0, "{lf}");
}

#[test]
fn alternating_rr_closed_form() {
    let rr: Vec<f64> = (0..300)
        .map(|k| if k % 2 == 0 { 750.0 } else { 850.0 })
        .collect();
    let s = run(&rr, &Conventions::default());
    assert!((s.rmssd_ms.unwrap() - 100.0).abs() < 1e-9);
    assert!((s.mean_nn_ms.unwrap() - 800.0).abs() < 1e-9);
    assert!((s.sdnn_ms.unwrap() - 50.0 * (300.0f64 / 299.0).sqrt()).abs() < 1e-9);
    assert_eq!(s.pnn50_pct, Some(100.0));
    assert!(s.sd2_ms.unwrap() < 1e-9);
    // Two 50-ms bins with 150 each; the lower wins: Mo = 0.775 s, AMo 50 %, MxDMn 0.1 s.
    assert!((s.baevsky_si.unwrap() - 50.0 / (2.0 * 0.775 * 0.1)).abs() < 1e-9);
    assert!((s.baevsky_si_median.unwrap() - 50.0 / (2.0 * 0.8 * 0.1)).abs() < 1e-9);
    // Alternation is a 0.625 Hz oscillation, above HF: little LF/HF power.
    assert!(s.sampen.unwrap() < 0.05);
}

#[test]
fn workspace_reuse_gives_identical_results() {
    let a = modulated(0.1, 40.0);
    let b = modulated(0.25, 20.0);
    let c = Conventions::default();
    let mut ws = Workspace::new();
    for rr in [&a, &b, &a] {
        let t = times(rr);
        let ok = vec![true; rr.len()];
        let w = NnWindow {
            rr_ms: rr,
            t_s: &t,
            diff_ok: &ok,
        };
        assert_eq!(compute_with(&mut ws, &w, &c), compute(&w, &c));
    }
}

fn rr_strategy() -> impl Strategy<Value = Vec<f64>> {
    (20usize..260, any::<bool>()).prop_flat_map(|(n, integer)| {
        prop::collection::vec(600.0f64..1000.0, n).prop_map(move |v| {
            if integer {
                v.into_iter().map(f64::round).collect()
            } else {
                v
            }
        })
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn sampen_fast_equals_naive(rr in rr_strategy(), holes in prop::collection::vec(any::<u8>(), 260), closed in any::<bool>()) {
        let ok: Vec<bool> = (0..rr.len()).map(|k| holes[k] > 12).collect();
        let p = SampEnParams { m: 2, r_factor: 0.2, closed };
        let fast = stress_harness::indicators::sample_entropy::sampen(&rr, &ok, p, &mut Vec::new());
        let naive = reference::sampen_naive(&rr, &ok, p);
        prop_assert_eq!(fast, naive);
    }

    #[test]
    fn dfa_fast_equals_naive(rr in rr_strategy(), overlap in any::<bool>()) {
        let p = DfaParams { alpha1: (4, 16), alpha2: (16, Some(64)), overlap, drop_flat_segments: overlap, min_segments: 2 };
        let (a1, a2) = stress_harness::indicators::dfa::alphas(&rr, &p, &mut Default::default());
        let n1 = if rr.len() < 12 { None } else { reference::dfa_alpha_naive(&rr, 4, 16, &p) };
        let n2 = if rr.len() < 12 { None } else { reference::dfa_alpha_naive(&rr, 16, 64, &p) };
        for (f, n) in [(a1, n1), (a2, n2)] {
            match (f, n) {
                (Some(f), Some(n)) => prop_assert!((f - n).abs() < 1e-6, "{} vs {}", f, n),
                (f, n) => prop_assert_eq!(f, n),
            }
        }
    }

    #[test]
    fn welch_fft_equals_direct_dft(x in prop::collection::vec(-50.0f64..50.0, 40..300), seg in 8usize..64, pad in 0usize..3, detrend in any::<bool>()) {
        let nfft = seg * (1 + pad) + pad;
        let mut psd = Vec::new();
        let mut ws = stress_harness::indicators::welch::WelchWorkspace::default();
        stress_harness::indicators::welch::welch(&x, 4.0, seg, nfft, Taper::Hann, detrend, &mut ws, &mut psd).unwrap();
        let naive = reference::welch_naive(&x, 4.0, seg, nfft, Taper::Hann, detrend);
        prop_assert_eq!(psd.len(), naive.len());
        let scale = naive.iter().cloned().fold(1e-12, f64::max);
        for (a, b) in psd.iter().zip(&naive) {
            prop_assert!((a - b).abs() <= 1e-9 * scale, "{} vs {}", a, b);
        }
    }

    #[test]
    fn tinn_separable_search_equals_nested_search(rr in rr_strategy()) {
        let fast = stress_harness::indicators::geometric::tinn(&rr, 7.8125, TinnMethod::LeastSquares, &mut Vec::new());
        let naive = reference::tinn_naive(&rr, 7.8125);
        prop_assert_eq!(fast, naive);
    }

    #[test]
    fn baevsky_equals_naive(rr in rr_strategy()) {
        let s = run(&rr, &Conventions::default());
        let naive = reference::baevsky_si_naive(&rr, 50.0);
        match (s.baevsky_si, naive) {
            (Some(a), Some(b)) => prop_assert!((a - b).abs() < 1e-9 * b.abs().max(1.0)),
            (a, b) => prop_assert_eq!(a, b),
        }
    }

    #[test]
    fn never_nan_never_panic(rr in prop::collection::vec(1.0f64..3000.0, 0..400), holes in prop::collection::vec(any::<bool>(), 0..400)) {
        for conv in [Convention::Default, Convention::Neurokit2, Convention::HrvAnalysis] {
            let t = times(&rr);
            let s = compute(&NnWindow { rr_ms: &rr, t_s: &t, diff_ok: &holes }, &Conventions::of(conv));
            for (c, v) in IndicatorSet::columns().iter().zip(s.values()) {
                if let Some(v) = v {
                    prop_assert!(v.is_finite(), "{} = {}", c.name, v);
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Shared reference data (`cargo test -- --ignored`).

fn shared_dir() -> PathBuf {
    crate::util::shared("reference")
}

fn rr_5min() -> Vec<f64> {
    let p = shared_dir().join("reference/rr_5min.csv");
    let s = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    let rr: Vec<f64> = s
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            l.trim()
                .parse()
                .unwrap_or_else(|e| panic!("{}: bad line {l:?}: {e}", p.display()))
        })
        .collect();
    assert_eq!(rr.len(), 374, "{}", p.display());
    rr
}

fn json(name: &str) -> serde_json::Value {
    let p = shared_dir().join("reference").join(name);
    let s = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    serde_json::from_str(&s).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn close(what: &str, ours: Option<f64>, theirs: &serde_json::Value, rel: f64) {
    let t = theirs
        .as_f64()
        .unwrap_or_else(|| panic!("{what}: reference is not a number: {theirs}"));
    let o = ours.unwrap_or_else(|| panic!("{what}: we return None, reference {t}"));
    let err = (o - t).abs() / t.abs().max(1e-12);
    eprintln!("{what}: ours {o:.6}, reference {t:.6}, relative error {err:.1e}");
    assert!(
        err <= rel,
        "{what}: ours {o}, reference {t}, relative error {err:.2e} > {rel:.0e}"
    );
}

#[test]
#[ignore = "needs ../shared/reference"]
fn neurokit2_convention_reproduces_neurokit2() {
    let rr = rr_5min();
    let s = run(&rr, &Conventions::of(Convention::Neurokit2));
    let r = json("ref_values_neurokit2.json");
    let (t, f, n) = (
        &r["hrv_time"],
        &r["hrv_frequency_normalize_False"],
        &r["hrv_nonlinear"],
    );
    for (ours, key) in [
        (s.mean_nn_ms, "HRV_MeanNN"),
        (s.sdnn_ms, "HRV_SDNN"),
        (s.rmssd_ms, "HRV_RMSSD"),
        (s.sdsd_ms, "HRV_SDSD"),
        (s.median_nn_ms, "HRV_MedianNN"),
        (s.pnn50_pct, "HRV_pNN50"),
        (s.pnn20_pct, "HRV_pNN20"),
        (s.hti, "HRV_HTI"),
        (s.tinn_ms, "HRV_TINN"),
    ] {
        close(key, ours, &t[key], 1e-6);
    }
    for (ours, key) in [
        (s.sd1_ms, "HRV_SD1"),
        (s.sd2_ms, "HRV_SD2"),
        (s.sd1_sd2, "HRV_SD1SD2"),
    ] {
        close(key, ours, &n[key], 1e-6);
    }
    for (ours, key) in [
        (s.sampen, "HRV_SampEn"),
        (s.dfa_alpha1, "HRV_DFA_alpha1"),
        (s.dfa_alpha2, "HRV_DFA_alpha2"),
    ] {
        close(key, ours, &n[key], 1e-6);
    }
    for (ours, key) in [
        (s.vlf_ms2, "HRV_VLF"),
        (s.lf_ms2, "HRV_LF"),
        (s.hf_ms2, "HRV_HF"),
        (s.tp_ms2, "HRV_TP"),
        (s.lf_hf, "HRV_LFHF"),
        (s.lf_nu_pct.map(|v| v / 100.0), "HRV_LFn"),
        (s.hf_nu_pct.map(|v| v / 100.0), "HRV_HFn"),
    ] {
        close(key, ours, &f[key], 1e-6);
    }
}

#[test]
#[ignore = "needs ../shared/reference"]
fn neurokit2_at_4_hz_reproduces_neurokit2() {
    let rr = rr_5min();
    let c = Conventions {
        resample_hz: 4.0,
        ..Conventions::of(Convention::Neurokit2)
    };
    let s = run(&rr, &c);
    let f = &json("ref_values_neurokit2.json")["hrv_frequency_4Hz_normalize_False"];
    for (ours, key) in [
        (s.vlf_ms2, "HRV_VLF"),
        (s.lf_ms2, "HRV_LF"),
        (s.hf_ms2, "HRV_HF"),
        (s.lf_hf, "HRV_LFHF"),
    ] {
        close(key, ours, &f[key], 1e-6);
    }
}

#[test]
#[ignore = "needs ../shared/reference"]
fn hrv_analysis_convention_reproduces_hrv_analysis() {
    let rr = rr_5min();
    let s = run(&rr, &Conventions::of(Convention::HrvAnalysis));
    let r = json("ref_values_hrvanalysis.json");
    let t = &r["get_time_domain_features"];
    for (ours, key) in [
        (s.mean_nn_ms, "mean_nni"),
        (s.sdnn_ms, "sdnn"),
        (s.sdsd_ms, "sdsd"),
        (s.rmssd_ms, "rmssd"),
        (s.pnn50_pct, "pnni_50"),
        (s.pnn20_pct, "pnni_20"),
        (s.median_nn_ms, "median_nni"),
        (s.mean_hr_bpm, "mean_hr"),
        (s.min_hr_bpm, "min_hr"),
        (s.max_hr_bpm, "max_hr"),
    ] {
        close(key, ours, &t[key], 1e-6);
    }
    close(
        "triangular_index",
        s.hti,
        &r["get_geometrical_features"]["triangular_index"],
        1e-6,
    );
    assert_eq!(s.tinn_ms, None, "hrv-analysis does not implement TINN");
    let p = &r["get_poincare_plot_features"];
    close("sd1", s.sd1_ms, &p["sd1"], 1e-6);
    close("sd2", s.sd2_ms, &p["sd2"], 1e-6);
    close("sampen", s.sampen, &r["get_sampen"]["sampen"], 1e-6);
    let f = &r["get_frequency_domain_features_welch_default"];
    for (ours, key) in [
        (s.vlf_ms2, "vlf"),
        (s.lf_ms2, "lf"),
        (s.hf_ms2, "hf"),
        (s.tp_ms2, "total_power"),
        (s.lf_hf, "lf_hf_ratio"),
        (s.lf_nu_pct, "lfnu"),
        (s.hf_nu_pct, "hfnu"),
    ] {
        close(key, ours, &f[key], 1e-6);
    }
}

#[test]
#[ignore = "needs ../shared/reference"]
fn lomb_scargle_reproduces_hrv_analysis_lomb() {
    let rr = rr_5min();
    let c = Conventions {
        psd_method: PsdMethod::Lomb,
        ..Conventions::of(Convention::HrvAnalysis)
    };
    let s = run(&rr, &c);
    let f = &json("ref_values_hrvanalysis.json")["get_frequency_domain_features_lomb"];
    for (ours, key) in [
        (s.vlf_ms2, "vlf"),
        (s.lf_ms2, "lf"),
        (s.hf_ms2, "hf"),
        (s.lf_hf, "lf_hf_ratio"),
    ] {
        close(key, ours, &f[key], 1e-6);
    }
}

#[test]
#[ignore = "needs ../shared/reference"]
fn baevsky_on_rr_5min_equals_formula_reference() {
    let rr = rr_5min();
    let b = &json("ref_values_formulas.json")["baevsky"];
    for conv in [
        Convention::Default,
        Convention::Neurokit2,
        Convention::HrvAnalysis,
    ] {
        let s = run(&rr, &Conventions::of(conv));
        close("AMo_pct", s.baevsky_amo_pct, &b["AMo_pct"], 1e-9);
        close(
            "Mo_bin_centre_s",
            s.baevsky_mo_s,
            &b["Mo_bin_centre_s"],
            1e-9,
        );
        close(
            "Mo_median_s",
            s.median_nn_ms.map(|m| m / 1000.0),
            &b["Mo_median_s"],
            1e-9,
        );
        close("MxDMn_s", s.baevsky_mxdmn_s, &b["MxDMn_s"], 1e-9);
        close("SI_mode_bin", s.baevsky_si, &b["SI_mode_bin"], 1e-9);
        close("SI_median", s.baevsky_si_median, &b["SI_median"], 1e-9);
        close(
            "sqrt_SI_mode_bin",
            s.sqrt_si_mode,
            &b["sqrt_SI_mode_bin"],
            1e-9,
        );
        close("sqrt_SI_median", s.sqrt_si, &b["sqrt_SI_median"], 1e-9);
    }
}

#[test]
#[ignore = "needs ../shared/reference"]
fn default_convention_on_rr_5min_is_close_to_the_libraries_where_they_agree() {
    // The default shares ddof 1, signed SDSD and /(N−1) pNN with hrv-analysis; SampEn r = 0.2 SD
    // with NeuroKit2 (identical on this series).
    let rr = rr_5min();
    let s = run(&rr, &Conventions::default());
    let ha = json("ref_values_hrvanalysis.json");
    let nk = json("ref_values_neurokit2.json");
    close(
        "sdnn",
        s.sdnn_ms,
        &ha["get_time_domain_features"]["sdnn"],
        1e-9,
    );
    close(
        "pnni_50",
        s.pnn50_pct,
        &ha["get_time_domain_features"]["pnni_50"],
        1e-9,
    );
    close("SDSD", s.sdsd_ms, &nk["hrv_time"]["HRV_SDSD"], 1e-9);
    close("SampEn", s.sampen, &nk["hrv_nonlinear"]["HRV_SampEn"], 1e-9);
    close("SD1", s.sd1_ms, &nk["hrv_nonlinear"]["HRV_SD1"], 1e-9);
    // DFA 4–16 non-overlapping least squares = pyHRV's nolds with fit_exp="poly" (α2 17–64 there).
    close(
        "alpha1",
        s.dfa_alpha1,
        &json("ref_values_pyhrv.json")["nolds_dfa_poly_fit"]["alpha1_4_16"],
        1e-6,
    );
}
