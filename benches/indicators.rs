//! Benchmark: the full indicator set on 2,880 five-minute windows (one every 30 s) of a 24-h
//! RR series, on one core.
//!
//! Input: `$STRESS_HARNESS_SHARED/reference/rr_24h.csv` (fallbacks `../shared`, `/work/shared`)
//! when present, else a deterministic synthetic 24-h series generated here (same window
//! definition: intervals whose end time falls in (30·i, 30·i + 300] s).
//!
//! Run: `cargo bench --bench indicators`. Figures go in BENCHMARKS.md.

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use std::path::PathBuf;
use std::time::Duration;
use stress_harness::indicators::{compute_with, Convention, Conventions, NnWindow, Workspace};

fn load_rr() -> (Vec<f64>, &'static str) {
    let candidates = [
        std::env::var_os("STRESS_HARNESS_SHARED").map(PathBuf::from),
        Some(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared")),
        Some(PathBuf::from("/work/shared")),
    ];
    for c in candidates.into_iter().flatten() {
        let p = c.join("reference/rr_24h.csv");
        if let Ok(s) = std::fs::read_to_string(&p) {
            let rr: Vec<f64> = s.lines().filter_map(|l| l.trim().parse().ok()).collect();
            if rr.len() > 100_000 {
                return (rr, "shared reference/rr_24h.csv");
            }
        }
    }
    // Deterministic synthetic series: 800 ms ± circadian, LF 0.1 Hz, HF 0.25 Hz, noise.
    let mut s = 0x2545F4914F6CDD1Du64;
    let mut noise = move || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        (s >> 11) as f64 / (1u64 << 53) as f64 - 0.5
    };
    let (mut t, mut rr) = (0.0f64, Vec::new());
    let tau = std::f64::consts::TAU;
    while t < 86_700.0 {
        let x = 800.0
            + 110.0 * (tau * (t / 86_400.0 - 0.125)).cos()
            + 22.0 * (tau * 0.1 * t).sin()
            + 30.0 * (tau * 0.25 * t).sin()
            + 40.0 * noise();
        let x = x.round().clamp(400.0, 1600.0);
        rr.push(x);
        t += x / 1000.0;
    }
    (rr, "synthetic (generated in the bench)")
}

fn windows(t: &[f64]) -> Vec<(usize, usize)> {
    (0..2880)
        .map(|i| {
            let (a, b) = (30.0 * i as f64, 30.0 * i as f64 + 300.0);
            (t.partition_point(|&x| x <= a), t.partition_point(|&x| x <= b))
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let (rr, source) = load_rr();
    let mut acc = 0.0;
    let t: Vec<f64> = rr
        .iter()
        .map(|x| {
            acc += x / 1000.0;
            acc
        })
        .collect();
    let ok = vec![true; rr.len()];
    let wins = windows(&t);
    eprintln!("input: {source}, {} intervals, {} windows", rr.len(), wins.len());
    let mut g = c.benchmark_group("indicators_24h_2880_windows");
    for conv in [Convention::Default, Convention::HrvAnalysis] {
        let conv_p = Conventions::of(conv);
        let mut ws = Workspace::new();
        g.bench_function(format!("full_set_{conv:?}"), |b| {
            b.iter(|| {
                let mut sum = 0.0;
                for &(i0, i1) in &wins {
                    let w = NnWindow { rr_ms: &rr[i0..i1], t_s: &t[i0..i1], diff_ok: &ok[i0..i1] };
                    let s = compute_with(&mut ws, &w, &conv_p);
                    sum += s.sampen.unwrap_or(0.0) + s.lf_ms2.unwrap_or(0.0) + s.dfa_alpha1.unwrap_or(0.0);
                }
                black_box(sum)
            })
        });
    }
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10).measurement_time(Duration::from_secs(15)).warm_up_time(Duration::from_secs(2));
    targets = bench
}
criterion_main!(benches);
