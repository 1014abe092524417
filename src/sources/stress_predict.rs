//! Stress-Predict time logs (`Processed_data/Time_logs_long.csv`) as labelled events.
//!
//! The file is a tidy table *derived* from the release's `Time_logs.xlsx` (see
//! `datasets.md` §3): columns `subject,date,day,session_id,phase,start_local,end_local`, one
//! row per protocol phase (Consent, Baseline/Questionnaire, Stroop Test, Relax_1, Interview,
//! Relax_2, Hyperventilation, Relax_3, Questionnaire, Relax/Baseline). Times are `HH:MM`
//! Irish local time.
//!
//! Each row of the recording's subject becomes an [`EventKind::Label`] whose label is the
//! phase name exactly as written, placed on the recording's time axis through its absolute
//! start (`meta.start`). Irish local time is converted to UTC with the Europe/Dublin rule:
//! UTC+0, or UTC+1 (Irish Summer Time) from 01:00 UTC on the last Sunday of March to 01:00
//! UTC on the last Sunday of October. The Stress-Predict sessions (February 2022) are all
//! UTC+0, so they line up with the E4 tags. Minute resolution: a phase boundary is known to
//! ±1 min.
//!
//! Warnings: phases of the same subject that overlap (S01's Baseline row overlaps Relax_1 in
//! the source), rows with an empty end (skipped), a subject with no rows, phases lying
//! entirely outside the recorded data.

use super::text;
use super::warn;
use crate::error::{Error, Result};
use crate::recording::{Event, EventKind, Recording};
use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime, Weekday};
use std::path::Path;

/// File name looked for next to an E4 folder.
pub const TIME_LOGS_FILE: &str = "Time_logs_long.csv";

const COLS: [&str; 5] = ["subject", "date", "phase", "start_local", "end_local"];

fn last_sunday(year: i32, month: u32) -> Option<NaiveDate> {
    let first_next = if month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)?
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)?
    };
    let mut d = first_next.pred_opt()?;
    while d.weekday() != Weekday::Sun {
        d = d.pred_opt()?;
    }
    Some(d)
}

/// UTC offset in hours of Irish local time at local date-time `t` (Europe/Dublin rule).
pub fn irish_utc_offset_h(t: NaiveDateTime) -> i64 {
    let y = t.date().year();
    let (Some(mar), Some(oct)) = (last_sunday(y, 3), last_sunday(y, 10)) else {
        return 0;
    };
    // Local switch times: 01:00 GMT → 02:00 IST in March; 02:00 IST → 01:00 GMT in October.
    let on = mar.and_hms_opt(1, 0, 0);
    let off = oct.and_hms_opt(2, 0, 0);
    match (on, off) {
        (Some(on), Some(off)) if t >= on && t < off => 1,
        _ => 0,
    }
}

/// Add the time-log phases of the recording's subject to `rec.events`.
pub fn attach_time_logs(rec: &mut Recording, path: &Path) -> Result<()> {
    let Some(start) = rec.meta.start else {
        return Err(Error::format(
            path,
            "cannot place Stress-Predict time-log labels: the recording has no absolute start time",
        ));
    };
    let Some(subject) = rec.meta.subject_id.clone() else {
        return Err(Error::format(
            path,
            "cannot pick Stress-Predict time-log rows: the recording has no subject id (pass one, e.g. S05)",
        ));
    };
    let body = text::read(
        path,
        "Stress-Predict time logs (subject,date,day,session_id,phase,start_local,end_local)",
    )?;
    let (head, lines) = text::header_and_rows(path, &body, "a header row")?;
    let names: Vec<&str> = head.text.split(',').map(str::trim).collect();
    let mut idx = [0usize; 5];
    for (k, c) in COLS.iter().enumerate() {
        idx[k] = names.iter().position(|n| n == c).ok_or_else(|| {
            Error::parse(
                path,
                Some(head.no),
                None,
                format!("a header with the column {c:?} (subject,date,day,session_id,phase,start_local,end_local)"),
                head.text,
            )
        })?;
    }
    let mut found: Vec<(Event, u64)> = Vec::new();
    let mut n_rows = 0;
    let mut n_pm = 0usize;
    let span = rec.span_s();
    let expected = format!("{} comma-separated fields like the header", names.len());
    for l in lines {
        let f: Vec<&str> = l.text.split(',').map(str::trim).collect();
        if !text::expect_fields_or_skip(
            path,
            &l,
            f.len(),
            names.len(),
            &expected,
            &mut rec.warnings,
        )? {
            continue;
        }
        if !f[idx[0]].eq_ignore_ascii_case(&subject) {
            continue;
        }
        n_rows += 1;
        let date = NaiveDate::parse_from_str(f[idx[1]], "%Y-%m-%d").map_err(|_| {
            Error::parse(
                path,
                Some(l.no),
                Some(idx[1] as u64 + 1),
                "a date YYYY-MM-DD",
                f[idx[1]],
            )
        })?;
        let phase = f[idx[2]].to_string();
        if f[idx[4]].is_empty() || f[idx[3]].is_empty() {
            warn(
                &mut rec.warnings,
                path,
                Some(l.no),
                format!("skipped phase {phase:?}: start or end time is empty"),
            );
            continue;
        }
        let clock = |col: usize| -> Result<u32> {
            text::clock_s(f[idx[col]]).ok_or_else(|| {
                Error::parse(
                    path,
                    Some(l.no),
                    Some(idx[col] as u64 + 1),
                    "a local time HH:MM",
                    f[idx[col]],
                )
            })
        };
        let to_rel = |secs: u32| -> f64 {
            let local = date.and_time(NaiveTime::MIN) + chrono::Duration::seconds(secs as i64);
            let off_h = irish_utc_offset_h(local);
            let utc = local - chrono::Duration::hours(off_h);
            (utc - start.naive_utc()).num_milliseconds() as f64 / 1000.0
        };
        // The source mixes 24-hour and 12-hour times without am/pm (afternoon sessions read
        // `12:55, 01:00, …`): an hour 1-11 that lies far from the recording is read as pm
        // when that places it nearer (*assumed*).
        let mut pm = |secs: u32| -> u32 {
            let Some((lo, hi)) = span else { return secs };
            let dist = |t: f64| {
                if t < lo {
                    lo - t
                } else if t > hi {
                    t - hi
                } else {
                    0.0
                }
            };
            let h = secs / 3600;
            if (1..12).contains(&h) && dist(to_rel(secs + 43_200)) < dist(to_rel(secs)) {
                n_pm += 1;
                secs + 43_200
            } else {
                secs
            }
        };
        let (s, mut e) = (pm(clock(3)?), pm(clock(4)?));
        if e < s {
            e += 86_400;
            warn(
                &mut rec.warnings,
                path,
                Some(l.no),
                format!("phase {phase:?} ends before it starts; assumed it ends on the next day"),
            );
        }
        found.push((
            Event {
                start_s: to_rel(s),
                end_s: to_rel(e),
                kind: EventKind::Label,
                label: phase,
            },
            l.no,
        ));
    }
    if n_rows == 0 {
        warn(
            &mut rec.warnings,
            path,
            None,
            format!("no time-log rows for subject {subject:?}: no phase labels added"),
        );
        return Ok(());
    }
    if n_pm > 0 {
        warn(
            &mut rec.warnings,
            path,
            None,
            format!(
                "{n_pm} time(s) of subject {subject} read as 12-hour clock times in the afternoon \
                 (hour + 12), because that places them at the recording"
            ),
        );
    }
    found.sort_by(|a, b| a.0.start_s.total_cmp(&b.0.start_s));
    for w in found.windows(2) {
        if w[1].0.start_s < w[0].0.end_s {
            warn(
                &mut rec.warnings,
                path,
                Some(w[1].1),
                format!(
                    "phase {:?} (line {}) overlaps phase {:?} (line {}); both kept as given",
                    w[1].0.label, w[1].1, w[0].0.label, w[0].1
                ),
            );
        }
    }
    for (ev, line) in &found {
        if let Some((lo, hi)) = span {
            if ev.end_s <= lo || ev.start_s >= hi {
                warn(
                    &mut rec.warnings,
                    path,
                    Some(*line),
                    format!(
                        "phase {:?} lies outside the recorded data ({lo:.0}-{hi:.0} s)",
                        ev.label
                    ),
                );
            }
        }
    }
    rec.meta.notes.push(format!(
        "{} phase labels from {} (Irish local time converted to UTC; ±1 min)",
        found.len(),
        path.display()
    ));
    rec.events.extend(found.into_iter().map(|(e, _)| e));
    rec.events.sort_by(|a, b| a.start_s.total_cmp(&b.start_s));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn irish_offset_follows_the_eu_rule() {
        let t = |s: &str| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
        assert_eq!(irish_utc_offset_h(t("2022-02-14 10:00")), 0);
        assert_eq!(irish_utc_offset_h(t("2022-03-27 00:30")), 0);
        assert_eq!(irish_utc_offset_h(t("2022-03-27 02:30")), 1);
        assert_eq!(irish_utc_offset_h(t("2022-07-01 12:00")), 1);
        assert_eq!(irish_utc_offset_h(t("2022-10-30 02:30")), 0);
    }
}
