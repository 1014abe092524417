//! Rebuilding beat times from RR intervals anchored on a coarse or late clock.
//!
//! Several sources give each RR interval together with a clock reading that is *not* the
//! exact time of the beat: MMASH stamps each beat with a whole clock second (`HH:MM:SS`, with
//! jitter: three beats spanning 1.7 s can share one second), Polar Sensor Logger stamps each
//! interval with the phone's receipt time of the notification that carried it. The intervals
//! themselves are precise (ms). The rebuild:
//!
//! 1. **Chain**: within a segment, beat *k* ends at `t_k = o + S_k`, with `S_k` the sum of the
//!    intervals after the segment's first beat (so successive beat times differ by exactly the
//!    interval: `t_k − t_{k−1} = rr_k`).
//! 2. **Residual**: each row gives an estimate of the segment offset `o`:
//!    `r_k = c_k + resolution/2 − S_k` for a truncated clock ([`ClockKind::Truncated`], the beat
//!    lies somewhere in its clock second), `r_k = c_k − S_k` for a receipt clock
//!    ([`ClockKind::Receipt`], the beat happened at or before its receipt).
//! 3. **Break**: a row whose residual differs from the segment's reference (mean of the
//!    residuals so far for a truncated clock, their minimum for a receipt clock) by more than
//!    `gap_tol_s` starts a new segment. A positive jump means the clock ran ahead of the chain:
//!    intervals are missing (a hole); a negative one means the intervals add up to more than
//!    the clock elapsed (an overrun). Either way the first beat of the new segment gets
//!    [`BeatFlags::GAP_BEFORE`], so that no successive difference is formed across it.
//! 4. **Anchor**: the segment offset `o` is the reference (mean residual for a truncated
//!    clock, which is unbiased if the clock is the floor of the beat time plus symmetric
//!    jitter; minimum residual for a receipt clock, i.e. the least-delayed notification).
//!    If that would make the segment's first interval start before the previous segment's
//!    last beat, `o` is moved later just enough (counted in [`Rebuilt::clamped`]).
//!
//! Every rebuilt beat carries [`BeatFlags::TIME_ESTIMATED`]. The method is ours (*assumed*);
//! the MMASH release only says to reconstruct the timeline "by cumulative sum of `ibi_s`
//! anchored on `time`" (PROVENANCE.md), and `datasets.md` §2 adds the gap rule (jumps > ~2 s).
//! Cost: O(n), two passes over each segment.

use crate::recording::{Beat, BeatFlags};

/// How a source's clock relates to the beat it stamps.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ClockKind {
    /// The clock is the beat time truncated to `resolution_s` (plus jitter).
    Truncated {
        /// Clock resolution, s (1 for `HH:MM:SS`).
        resolution_s: f64,
    },
    /// The clock is the time the interval was received, at or after the beat.
    Receipt,
}

/// Parameters of the rebuild.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AnchorParams {
    /// Relation of the clock to the beat.
    pub kind: ClockKind,
    /// Largest disagreement between chain and clock, s, that is still the same segment.
    pub gap_tol_s: f64,
}

/// One interval with its clock reading.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClockedRr {
    /// Interval, s.
    pub rr_s: f64,
    /// Clock reading, s on the recording's time axis.
    pub clock_s: f64,
}

/// Result of [`rebuild`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Rebuilt {
    /// One beat per input row, in order.
    pub beats: Vec<Beat>,
    /// Index of every row that starts a new segment (except row 0).
    pub breaks: Vec<usize>,
    /// How many of the breaks were overruns (chain ahead of the clock).
    pub overruns: usize,
    /// How many segments had to be moved later to keep time increasing.
    pub clamped: usize,
}

/// Rebuild beat times; see the module docs.
pub fn rebuild(rows: &[ClockedRr], p: &AnchorParams) -> Rebuilt {
    let mut out = Rebuilt {
        beats: Vec::with_capacity(rows.len()),
        ..Default::default()
    };
    let half = match p.kind {
        ClockKind::Truncated { resolution_s } => resolution_s / 2.0,
        ClockKind::Receipt => 0.0,
    };
    let mut seg_start = 0usize;
    let mut chain = 0.0f64;
    let mut sum = 0.0f64;
    let mut count = 0usize;
    let mut min = f64::INFINITY;
    for (i, row) in rows.iter().enumerate() {
        if i > seg_start {
            chain += row.rr_s;
        }
        let r = row.clock_s + half - chain;
        if count > 0 {
            let reference = reference(p.kind, sum, count, min);
            let d = r - reference;
            if d.abs() > p.gap_tol_s {
                finish(&mut out, &rows[seg_start..i], seg_start, reference);
                if d < 0.0 {
                    out.overruns += 1;
                }
                out.breaks.push(i);
                seg_start = i;
                chain = 0.0;
                sum = 0.0;
                count = 0;
                min = f64::INFINITY;
                let r0 = row.clock_s + half;
                sum += r0;
                min = min.min(r0);
                count += 1;
                continue;
            }
        }
        sum += r;
        min = min.min(r);
        count += 1;
    }
    if count > 0 {
        let reference = reference(p.kind, sum, count, min);
        finish(&mut out, &rows[seg_start..], seg_start, reference);
    }
    out
}

fn reference(kind: ClockKind, sum: f64, count: usize, min: f64) -> f64 {
    match kind {
        ClockKind::Truncated { .. } => sum / count as f64,
        ClockKind::Receipt => min,
    }
}

fn finish(out: &mut Rebuilt, seg: &[ClockedRr], seg_start: usize, mut offset: f64) {
    let Some(first) = seg.first() else { return };
    if let Some(prev) = out.beats.last() {
        let earliest = prev.t_s + first.rr_s;
        if offset < earliest {
            offset = earliest;
            out.clamped += 1;
        }
    }
    let mut t = offset;
    for (j, row) in seg.iter().enumerate() {
        if j > 0 {
            t += row.rr_s;
        }
        let mut flags = BeatFlags::TIME_ESTIMATED;
        if j == 0 && seg_start > 0 {
            flags.insert(BeatFlags::GAP_BEFORE);
        }
        out.beats.push(Beat {
            t_s: t,
            rr_ms: row.rr_s * 1000.0,
            flags,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TRUNC: AnchorParams = AnchorParams {
        kind: ClockKind::Truncated { resolution_s: 1.0 },
        gap_tol_s: 2.0,
    };

    fn rows_from(times: &[f64], rr: &[f64]) -> Vec<ClockedRr> {
        times
            .iter()
            .zip(rr)
            .map(|(&t, &r)| ClockedRr {
                rr_s: r,
                clock_s: t.floor(),
            })
            .collect()
    }

    #[test]
    fn contiguous_series_chains_exactly_and_lands_near_the_truth() {
        let rr: Vec<f64> = (0..40).map(|i| 0.8 + 0.05 * ((i % 5) as f64)).collect();
        let mut t = 100.3;
        let mut times = vec![];
        for (i, r) in rr.iter().enumerate() {
            if i > 0 {
                t += r;
            }
            times.push(t);
        }
        let out = rebuild(&rows_from(&times, &rr), &TRUNC);
        assert!(out.breaks.is_empty());
        for k in 1..out.beats.len() {
            let d = out.beats[k].t_s - out.beats[k - 1].t_s;
            assert!((d * 1000.0 - out.beats[k].rr_ms).abs() < 1e-6);
        }
        // floor + 0.5 averages to within ~0.3 s of the true times
        assert!(
            (out.beats[0].t_s - times[0]).abs() < 0.35,
            "{}",
            out.beats[0].t_s
        );
        assert!(out
            .beats
            .iter()
            .all(|b| b.flags.contains(BeatFlags::TIME_ESTIMATED)));
    }

    #[test]
    fn clock_jump_starts_a_new_segment_with_gap_flag() {
        let rr = vec![0.8; 10];
        let mut times: Vec<f64> = (0..10).map(|i| 50.2 + 0.8 * i as f64).collect();
        for t in times.iter_mut().skip(5) {
            *t += 8.0; // 8-s hole, intervals not in the file
        }
        let out = rebuild(&rows_from(&times, &rr), &TRUNC);
        assert_eq!(out.breaks, vec![5]);
        assert!(out.beats[5].flags.contains(BeatFlags::GAP_BEFORE));
        assert!(!out.beats[4].flags.contains(BeatFlags::GAP_BEFORE));
        let hole = out.beats[5].t_s - out.beats[4].t_s;
        assert!(hole > 7.5 && hole < 10.0, "{hole}");
        assert_eq!(out.overruns, 0);
    }

    #[test]
    fn receipt_clock_anchors_on_least_delayed_row_and_stays_increasing() {
        // beats every 1 s; receipts 0.1..0.9 s late
        let rows: Vec<ClockedRr> = (0..10)
            .map(|i| ClockedRr {
                rr_s: 1.0,
                clock_s: 10.0 + i as f64 + 0.1 + 0.08 * ((i * 7) % 10) as f64,
            })
            .collect();
        let p = AnchorParams {
            kind: ClockKind::Receipt,
            gap_tol_s: 1.5,
        };
        let out = rebuild(&rows, &p);
        assert!(out.breaks.is_empty());
        assert!(
            (out.beats[0].t_s - 10.1).abs() < 1e-9,
            "{}",
            out.beats[0].t_s
        );
        for (b, r) in out.beats.iter().zip(&rows) {
            assert!(b.t_s <= r.clock_s + 1e-9);
        }
    }

    #[test]
    fn overrun_breaks_and_never_goes_back_in_time() {
        let mut rows: Vec<ClockedRr> = (0..6)
            .map(|i| ClockedRr {
                rr_s: 1.0,
                clock_s: i as f64,
            })
            .collect();
        rows[3].rr_s = 9.0; // artefact: chain runs 8 s ahead of the clock
        let out = rebuild(&rows, &TRUNC);
        assert_eq!(out.overruns, 1);
        for k in 1..out.beats.len() {
            assert!(out.beats[k].t_s > out.beats[k - 1].t_s);
        }
    }
}
