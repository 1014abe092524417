//! Analysis windows (interface; the full windower is being implemented).

use crate::cleaning::Cleaned;
use crate::indicators::NnWindow;

/// The NN intervals of `c` whose end time falls in `(start_s, end_s]`.
pub fn slice(c: &Cleaned, start_s: f64, end_s: f64) -> NnWindow<'_> {
    let i0 = c.t_s.partition_point(|&t| t <= start_s);
    let i1 = c.t_s.partition_point(|&t| t <= end_s);
    NnWindow {
        rr_ms: &c.rr_ms[i0..i1],
        t_s: &c.t_s[i0..i1],
        diff_ok: &c.diff_ok[i0..i1],
    }
}
