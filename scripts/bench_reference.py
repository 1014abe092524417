#!/usr/bin/env python3
"""Time NeuroKit2 and hrv-analysis on the same windows as `cargo bench --bench indicators`.

Input: reference/rr_24h.csv from the shared folder ($STRESS_HARNESS_SHARED, else ../shared,
else /work/shared). Windows: 2,880 five-minute windows, one every 30 s; window i holds the
intervals whose end time cumsum(RR)/1000 falls in (30*i, 30*i + 300] s (the definition used by
the Rust bench and by ../shared/reference/README.md).

Install (Python >= 3.12 recommended; on 3.11 `import hrvanalysis` fails inside nolds 0.6.3):

    python3 -m venv /tmp/hrvvenv
    /tmp/hrvvenv/bin/pip install neurokit2==0.3.0 hrv-analysis==1.0.6 nolds astropy scikit-learn
    /tmp/hrvvenv/bin/python scripts/bench_reference.py [--budget 60] [--json out.json]

Each call is timed over all windows unless its estimated total exceeds --budget seconds; then it
is timed on the first windows until the budget is spent and extrapolated (marked "extrapolated").
A library that cannot be imported is reported as skipped, never as a failure.
"""
import argparse
import json
import os
import sys
import time
import warnings
from pathlib import Path


def shared_dir():
    cands = [os.environ.get("STRESS_HARNESS_SHARED"),
             str(Path(__file__).resolve().parent.parent / ".." / "shared"), "/work/shared"]
    for c in cands:
        if c and (Path(c) / "reference" / "rr_24h.csv").is_file():
            return Path(c)
    sys.exit("rr_24h.csv not found: set STRESS_HARNESS_SHARED to the folder holding reference/")


def _patch_importlib_resources():
    """Python 3.11: nolds 0.6.3 calls importlib.resources.files() on a module, which only
    Python >= 3.12 accepts. Resolve a module to its containing folder, as 3.12 does."""
    import importlib
    import importlib.resources as res
    orig = res.files

    def files(anchor):
        try:
            return orig(anchor)
        except TypeError:
            mod = importlib.import_module(anchor) if isinstance(anchor, str) else anchor
            return Path(mod.__file__).parent

    res.files = files


def windows(rr):
    import numpy as np
    t = np.cumsum(rr) / 1000.0
    out = []
    for i in range(2880):
        a, b = 30.0 * i, 30.0 * i + 300.0
        i0 = int(np.searchsorted(t, a, side="right"))
        i1 = int(np.searchsorted(t, b, side="right"))
        out.append(rr[i0:i1])
    return out


def time_call(name, fn, wins, budget):
    t0 = time.perf_counter()
    done = 0
    for w in wins:
        fn(w)
        done += 1
        el = time.perf_counter() - t0
        if el > budget and done < len(wins):
            per = el / done
            return {"call": name, "windows_timed": done, "per_window_ms": per * 1e3,
                    "total_s": per * len(wins), "extrapolated": True}
    el = time.perf_counter() - t0
    return {"call": name, "windows_timed": done, "per_window_ms": el / done * 1e3,
            "total_s": el, "extrapolated": False}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--budget", type=float, default=60.0, help="max seconds per call before extrapolating")
    ap.add_argument("--json", help="write the results here")
    ap.add_argument("--only", choices=["neurokit2", "hrv-analysis"], help="time one library only")
    args = ap.parse_args()
    warnings.filterwarnings("ignore")
    try:
        import numpy as np
    except ImportError:
        sys.exit("numpy is required (see the install lines at the top of this script)")
    rr = np.loadtxt(shared_dir() / "reference" / "rr_24h.csv")
    wins = windows(rr)
    print(f"input rr_24h.csv: {len(rr)} intervals, {len(wins)} windows, "
          f"{min(map(len, wins))}-{max(map(len, wins))} beats per window", file=sys.stderr)
    results, skipped = [], {}

    try:
        if args.only == "hrv-analysis":
            raise ImportError("not requested (--only)")
        import neurokit2 as nk

        def peaks(w):
            return np.concatenate([[0], np.cumsum(w)]).astype(int)

        calls = [
            ("nk.hrv_time", lambda w: nk.hrv_time(peaks(w), sampling_rate=1000)),
            ("nk.hrv_frequency(normalize=False)", lambda w: nk.hrv_frequency(peaks(w), sampling_rate=1000, normalize=False)),
            ("nk.hrv_frequency(normalize=False, interpolation_rate=4)",
             lambda w: nk.hrv_frequency(peaks(w), sampling_rate=1000, normalize=False, interpolation_rate=4)),
            ("nk.entropy_sample", lambda w: nk.entropy_sample(w, dimension=2, tolerance=0.2 * np.std(w, ddof=1))),
            ("nk.fractal_dfa(4-11)", lambda w: nk.fractal_dfa(w, scale=np.arange(4, 12))),
            ("nk.hrv_nonlinear", lambda w: nk.hrv_nonlinear(peaks(w), sampling_rate=1000)),
        ]
        for name, fn in calls:
            r = time_call(name, fn, wins, args.budget)
            results.append(r)
            print(f"{name}: {r['total_s']:.2f} s ({r['per_window_ms']:.3f} ms/window"
                  f"{', extrapolated' if r['extrapolated'] else ''})", file=sys.stderr)
    except Exception as e:  # ImportError or a library failure: report, continue
        skipped["neurokit2"] = f"{type(e).__name__}: {e}"

    try:
        if args.only == "neurokit2":
            raise ImportError("not requested (--only)")
        if sys.version_info < (3, 12):
            _patch_importlib_resources()
        import hrvanalysis as ha
        calls = [
            ("ha.get_time_domain_features", lambda w: ha.get_time_domain_features(list(w))),
            ("ha.get_frequency_domain_features", lambda w: ha.get_frequency_domain_features(list(w))),
            ("ha.get_sampen", lambda w: ha.get_sampen(list(w))),
        ]
        for name, fn in calls:
            r = time_call(name, fn, wins, args.budget)
            results.append(r)
            print(f"{name}: {r['total_s']:.2f} s ({r['per_window_ms']:.3f} ms/window"
                  f"{', extrapolated' if r['extrapolated'] else ''})", file=sys.stderr)
    except Exception as e:
        skipped["hrv-analysis"] = f"{type(e).__name__}: {e}"

    import platform
    out = {"python": platform.python_version(), "cpus": os.cpu_count(), "n_rr": len(rr),
           "n_windows": len(wins), "budget_s": args.budget, "results": results, "skipped": skipped}
    for k, v in skipped.items():
        print(f"skipped {k}: {v}", file=sys.stderr)
    text = json.dumps(out, indent=1)
    if args.json:
        Path(args.json).write_text(text)
    print(text)


if __name__ == "__main__":
    main()
