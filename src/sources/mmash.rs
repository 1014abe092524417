//! MMASH user folders (`DataPaper/user_N/`, Rossi et al. 2020, PhysioNet).
//!
//! | File | Columns | Imported as |
//! |---|---|---|
//! | `RR.csv` (**required**) | `,ibi_s,day,time` (pandas index, interval in s, day 1/2, clock `HH:MM:SS`) | beats rebuilt from the intervals anchored on the clock ([`super::anchor`]) |
//! | `Actigraph.csv` | `,Axis1,Axis2,Axis3,Steps,HR,Inclinometer …,Vector Magnitude,day,time` (1-s epochs) | [`ActivityEpoch`] (`counts_vm` = Vector Magnitude, `steps`), [`HrSample`] from `HR` |
//! | `Activity.csv` | `,Activity,Start,End,Day` (diary, `HH:MM`) | [`EventKind::Label`] events named after the activity code, marked unverified |
//!
//! **Time axis**: the files have clock times and a day number but no date, so t = 0 is local
//! midnight at the start of day 1, and t = (day − 1) · 86 400 + seconds after midnight.
//! `meta.start` stays empty (date and UTC offset unknown); clock-aligned windows still fall
//! on local clock boundaries because t = 0 is a midnight.
//!
//! **Beat times** (`datasets.md` §2): `RR.csv` is not a contiguous series. Its clock jumps by
//! 7–10 s about every 30 s with the intervals of the hole missing, so a cumulative sum alone
//! drifts by hours. Beats are chained by their intervals and anchored on the clock; a jump of
//! the clock by more than [`GAP_TOL_S`] relative to the chain starts a new segment whose first
//! beat carries `GAP_BEFORE`. All beats carry `TIME_ESTIMATED`. Holes of
//! [`super::e4::GAP_EVENT_MIN_S`] or more are also [`EventKind::Gap`] events.
//!
//! **Day values**: a day that does not fit the clock (e.g. the time of day wraps past midnight
//! but the day stays the same, or the day jumps while the clock runs on) is replaced by the
//! day that keeps the clock running forward by less than 12 h, with a warning. A clock that
//! goes backwards on the same day is an error.
//!
//! **Activity codes**: the documented list is 1 sleeping, 2 laying down, 3 sitting, 4 light
//! movement, 5 medium (fast walk, bike), 6 heavy (gym, running), 7 eating, 8 small-screen use,
//! 9 large-screen use, 10 caffeinated drink, 11 smoking, 12 alcohol. The files also hold 0
//! (the overnight sleep bout) and code 6 often falls at meal times, so the mapping may be
//! shifted by one: every label says "unverified" and the recording carries a warning.
//! Diary intervals whose end is earlier than their start cross midnight (end on the next day);
//! `24:00` is midnight at the end of the day; an empty end is skipped with a warning.

use super::anchor::{self, AnchorParams, ClockKind, ClockedRr};
use super::text::{self, Line};
use super::{subject_from_folder, warn, ImportOptions};
use crate::error::{Error, Result};
use crate::recording::{
    ActivityEpoch, BeatFlags, Event, EventKind, HrSample, ImportWarning, Metadata, Recording,
};
use std::path::Path;

/// Clock/chain disagreement (s) above which a new segment starts (*assumed*, after
/// `datasets.md`: "treat jumps > ~2 s as gaps").
pub const GAP_TOL_S: f64 = 2.0;
/// A day value is replaced only by one that moves the clock forward by less than this (s).
const MAX_FORWARD_S: i64 = 12 * 3600;

/// Documented activity code names (index = code), plus code 0 as observed.
pub const ACTIVITY_CODES: [&str; 13] = [
    "overnight sleep (code 0, undocumented)",
    "sleeping",
    "laying down",
    "sitting",
    "light movement",
    "medium movement (fast walk, bike)",
    "heavy movement (gym, running)",
    "eating",
    "small screen usage",
    "large screen usage",
    "caffeinated drink",
    "smoking",
    "alcohol",
];

const RR_HEADER: &str = ",ibi_s,day,time";

/// True for the first line of an MMASH `RR.csv`, `Actigraph.csv` or `Activity.csv`.
pub fn is_mmash_header(first: &str) -> bool {
    let f = first.trim();
    f == RR_HEADER || f.starts_with(",Axis1,Axis2,Axis3") || f == ",Activity,Start,End,Day"
}

/// Places `(day, time of day)` rows on a running clock, repairing implausible day values.
struct DayClock {
    prev: Option<(i64, i64)>, // (absolute s, day used)
    warned: usize,
    suppressed: usize,
}

impl DayClock {
    fn new() -> Self {
        DayClock {
            prev: None,
            warned: 0,
            suppressed: 0,
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn place(
        &mut self,
        path: &Path,
        line: u64,
        day_col: usize,
        time_col: usize,
        day: i64,
        tod: u32,
        warnings: &mut Vec<ImportWarning>,
    ) -> Result<i64> {
        let tod = tod as i64;
        let given = (day - 1) * 86_400 + tod;
        let Some((prev, pday)) = self.prev else {
            let d = if day < 1 {
                self.note(
                    warnings,
                    path,
                    line,
                    format!("implausible day value {day} on the first row; assumed day 1"),
                );
                1
            } else {
                day
            };
            let abs = (d - 1) * 86_400 + tod;
            self.prev = Some((abs, d));
            return Ok(abs);
        };
        let fits = |a: i64| a >= prev && a - prev < MAX_FORWARD_S;
        if day >= 1 && fits(given) {
            self.prev = Some((given, day));
            return Ok(given);
        }
        for d in [pday, pday + 1] {
            let a = (d - 1) * 86_400 + tod;
            if fits(a) && d != day {
                self.note(
                    warnings,
                    path,
                    line,
                    format!(
                        "implausible day value {day} (column {day_col}) for clock {}: assumed day {d}, \
                         which keeps the clock running forward from the previous row (day {pday})",
                        hms(tod)
                    ),
                );
                self.prev = Some((a, d));
                return Ok(a);
            }
        }
        Err(Error::parse(
            path,
            Some(line),
            Some(time_col as u64),
            format!(
                "a clock time not before the previous row's (day {pday}, {}): time must not go backwards",
                hms(prev - (pday - 1) * 86_400)
            ),
            format!("day {day}, {}", hms(tod)),
        ))
    }

    fn note(&mut self, warnings: &mut Vec<ImportWarning>, path: &Path, line: u64, msg: String) {
        if self.warned < 10 {
            warn(warnings, path, Some(line), msg);
            self.warned += 1;
        } else {
            self.suppressed += 1;
        }
    }

    fn finish(&self, warnings: &mut Vec<ImportWarning>, path: &Path) {
        if self.suppressed > 0 {
            warn(
                warnings,
                path,
                None,
                format!(
                    "{} further implausible day values were repaired the same way",
                    self.suppressed
                ),
            );
        }
    }
}

fn hms(s: i64) -> String {
    format!("{:02}:{:02}:{:02}", s / 3600, (s / 60) % 60, s % 60)
}

fn check_header(path: &Path, l: Option<Line>, want: &str) -> Result<()> {
    match l {
        Some(l) if l.text.trim() == want => Ok(()),
        Some(l) => Err(Error::parse(
            path,
            Some(l.no),
            None,
            format!("the MMASH header {want:?}"),
            l.text,
        )),
        None => Err(Error::parse(
            path,
            Some(1),
            None,
            format!("the MMASH header {want:?}"),
            "nothing",
        )),
    }
}

fn day_of(path: &Path, line: u64, col: usize, s: &str) -> Result<i64> {
    s.trim().parse::<i64>().map_err(|_| {
        Error::parse(
            path,
            Some(line),
            Some(col as u64),
            "a day number (integer, 1 = first day)",
            s,
        )
    })
}

fn tod_of(path: &Path, line: u64, col: usize, s: &str, fmt: &str) -> Result<u32> {
    text::clock_s(s).ok_or_else(|| {
        Error::parse(
            path,
            Some(line),
            Some(col as u64),
            format!("a clock time {fmt}"),
            s,
        )
    })
}

/// Import an MMASH user folder.
pub fn import(dir: &Path, opts: &ImportOptions) -> Result<Recording> {
    let rr_p = dir.join("RR.csv");
    if !rr_p.is_file() {
        return Err(Error::format(
            dir,
            "MMASH user folder lacks RR.csv (expected RR.csv, and optionally Actigraph.csv and Activity.csv)",
        ));
    }
    let mut warnings: Vec<ImportWarning> = Vec::new();
    let mut events: Vec<Event> = Vec::new();
    let mut notes: Vec<String> = vec![
        "t = 0 is local midnight at the start of day 1; MMASH gives clock times without a date, \
         so the absolute start and UTC offset are unknown"
            .into(),
    ];

    // RR.csv
    let body = text::read(&rr_p, "MMASH RR.csv (,ibi_s,day,time)")?;
    let mut it = text::lines(&body);
    check_header(&rr_p, it.next(), RR_HEADER)?;
    let mut rows: Vec<ClockedRr> = Vec::with_capacity(body.len() / 22);
    let mut clock = DayClock::new();
    let mut prev_line: Option<&str> = None;
    let mut dups = 0usize;
    for l in it {
        if l.text.trim().is_empty() {
            continue;
        }
        if prev_line == Some(l.text) {
            dups += 1;
            warn(
                &mut warnings,
                &rr_p,
                Some(l.no),
                format!(
                    "skipped a duplicated beat: the row {:?} repeats the previous row",
                    l.text
                ),
            );
            continue;
        }
        let parsed = (|| -> Result<(f64, i64, u32)> {
            let f: Vec<&str> = l.text.split(',').collect();
            text::expect_fields(
                &rr_p,
                &l,
                f.len(),
                4,
                "4 comma-separated fields (index, ibi_s, day, time)",
            )?;
            let ibi = text::positive_num(
                &rr_p,
                l.no,
                2,
                f[1],
                "inter-beat interval in s",
                "a positive interval in s",
            )?;
            let day = day_of(&rr_p, l.no, 3, f[2])?;
            let tod = tod_of(&rr_p, l.no, 4, f[3], "HH:MM:SS")?;
            Ok((ibi, day, tod))
        })();
        let Some((ibi, day, tod)) = text::skip_truncated(parsed, &rr_p, &l, &mut warnings)? else {
            continue;
        };
        let abs = clock.place(&rr_p, l.no, 3, 4, day, tod, &mut warnings)?;
        rows.push(ClockedRr {
            rr_s: ibi,
            clock_s: abs as f64,
        });
        prev_line = Some(l.text);
    }
    clock.finish(&mut warnings, &rr_p);
    let rebuilt = anchor::rebuild(
        &rows,
        &AnchorParams {
            kind: ClockKind::Truncated { resolution_s: 1.0 },
            gap_tol_s: GAP_TOL_S,
        },
    );
    for &b in &rebuilt.breaks {
        let prev = rebuilt.beats[b - 1].t_s;
        let start = rebuilt.beats[b].t_s - rebuilt.beats[b].rr_ms / 1000.0;
        if start - prev >= super::e4::GAP_EVENT_MIN_S {
            events.push(Event {
                start_s: prev,
                end_s: start,
                kind: EventKind::Gap,
                label: "no RR rows".into(),
            });
        }
    }
    notes.push(format!(
        "beat times rebuilt from the intervals anchored on the clock column: {} segments, {} \
         holes (clock ahead of the chain by > {GAP_TOL_S} s), {} overruns; all beats TIME_ESTIMATED",
        rebuilt.breaks.len() + 1,
        rebuilt.breaks.len() - rebuilt.overruns,
        rebuilt.overruns
    ));
    if rebuilt.overruns > 0 {
        warn(
            &mut warnings,
            &rr_p,
            None,
            format!(
                "{} times the intervals added up to more than the clock elapsed (by > {GAP_TOL_S} s); \
                 re-anchored on the clock there and flagged GAP_BEFORE ({} segments moved later to keep time increasing)",
                rebuilt.overruns, rebuilt.clamped
            ),
        );
    }
    if dups > 0 {
        notes.push(format!("{dups} duplicated RR rows skipped"));
    }
    debug_assert!(rebuilt
        .beats
        .iter()
        .all(|b| b.flags.contains(BeatFlags::TIME_ESTIMATED)));

    // Actigraph.csv
    let act_p = dir.join("Actigraph.csv");
    let (activity, hr) = if act_p.is_file() {
        read_actigraph(&act_p, &mut warnings)?
    } else {
        warn(
            &mut warnings,
            dir,
            None,
            "no Actigraph.csv in the MMASH folder: no motion data and no device HR",
        );
        (Vec::new(), Vec::new())
    };

    // Activity.csv
    let diary_p = dir.join("Activity.csv");
    if diary_p.is_file() {
        read_diary(&diary_p, &mut events, &mut warnings)?;
    } else {
        warn(
            &mut warnings,
            dir,
            None,
            "no Activity.csv in the MMASH folder: no diary labels",
        );
    }
    events.sort_by(|a, b| a.start_s.total_cmp(&b.start_s));

    Ok(Recording {
        meta: Metadata {
            format_version: crate::recording::canonical::FORMAT_VERSION,
            subject_id: opts.subject_id.clone().or_else(|| subject_from_folder(dir)),
            device: Some("chest heart-rate belt (Polar H7 per MMASH) + ActiGraph wGT3X-BT".into()),
            body_location: Some("chest".into()),
            start: None,
            source_path: Some(dir.to_path_buf()),
            source_format: Some(super::Format::Mmash.name().into()),
            notes,
        },
        beats: rebuilt.beats,
        acc: None,
        activity,
        hr,
        events,
        warnings,
    })
}

fn read_actigraph(
    path: &Path,
    warnings: &mut Vec<ImportWarning>,
) -> Result<(Vec<ActivityEpoch>, Vec<HrSample>)> {
    let body = text::read(path, "MMASH Actigraph.csv")?;
    let (head, it) = text::header_and_rows(path, &body, "the Actigraph.csv header")?;
    let names: Vec<&str> = head.text.split(',').map(str::trim).collect();
    let col = |n: &str| -> Result<usize> {
        names.iter().position(|c| *c == n).ok_or_else(|| {
            Error::parse(
                path,
                Some(head.no),
                None,
                format!("an Actigraph.csv header with the column {n:?}"),
                head.text,
            )
        })
    };
    let (c_steps, c_hr, c_vm, c_day, c_time) = (
        col("Steps")?,
        col("HR")?,
        col("Vector Magnitude")?,
        col("day")?,
        col("time")?,
    );
    let n = names.len();
    let mut epochs = Vec::with_capacity(body.len() / 50);
    let mut hr = Vec::with_capacity(body.len() / 50);
    let mut clock = DayClock::new();
    let mut prev_line: Option<&str> = None;
    let mut prev_abs: Option<i64> = None;
    let mut hr_missing = 0usize;
    for l in it {
        if text::skip_repeated_row(prev_line, path, &l, warnings) {
            continue;
        }
        let parsed = (|| -> Result<(f64, f64, f64, i64, u32)> {
            let f: Vec<&str> = l.text.split(',').collect();
            text::expect_fields(
                path,
                &l,
                f.len(),
                n,
                format!("{n} comma-separated fields like the header"),
            )?;
            Ok((
                text::num(path, l.no, c_steps + 1, f[c_steps], "steps")?,
                text::num(path, l.no, c_hr + 1, f[c_hr], "heart rate in bpm")?,
                text::num(path, l.no, c_vm + 1, f[c_vm], "vector magnitude in counts")?,
                day_of(path, l.no, c_day + 1, f[c_day])?,
                tod_of(path, l.no, c_time + 1, f[c_time], "HH:MM:SS")?,
            ))
        })();
        let Some((steps, bpm, vm, day, tod)) = text::skip_truncated(parsed, path, &l, warnings)?
        else {
            continue;
        };
        let abs = clock.place(path, l.no, c_day + 1, c_time + 1, day, tod, warnings)?;
        if prev_abs == Some(abs) {
            warn(
                warnings,
                path,
                Some(l.no),
                format!(
                    "skipped a second epoch for the same second ({})",
                    hms(abs % 86_400)
                ),
            );
            continue;
        }
        prev_abs = Some(abs);
        prev_line = Some(l.text);
        let t = abs as f64;
        epochs.push(ActivityEpoch {
            t_s: t,
            dur_s: 1.0,
            counts_vm: Some(vm),
            steps: Some(steps),
            enmo_mg: None,
        });
        if bpm > 0.0 {
            hr.push(HrSample { t_s: t, bpm });
        } else {
            hr_missing += 1;
        }
    }
    clock.finish(warnings, path);
    if hr_missing > 0 {
        warn(
            warnings,
            path,
            None,
            format!("{hr_missing} epochs with HR 0 read as missing heart rate"),
        );
    }
    Ok((epochs, hr))
}

fn read_diary(
    path: &Path,
    events: &mut Vec<Event>,
    warnings: &mut Vec<ImportWarning>,
) -> Result<()> {
    let body = text::read(path, "MMASH Activity.csv (,Activity,Start,End,Day)")?;
    let mut it = text::lines(&body).filter(|l| !l.text.trim().is_empty());
    check_header(path, it.next(), ",Activity,Start,End,Day")?;
    let mut n = 0;
    for l in it {
        let f: Vec<&str> = l.text.split(',').map(str::trim).collect();
        let expected = "5 comma-separated fields (index, Activity, Start, End, Day)";
        if !text::expect_fields_or_skip(path, &l, f.len(), 5, expected, warnings)? {
            continue;
        }
        let code: usize = f[1]
            .parse()
            .map_err(|_| Error::parse(path, Some(l.no), Some(2), "an activity code 0-12", f[1]))?;
        let day = day_of(path, l.no, 5, f[4])?;
        if !(1..=2).contains(&day) {
            warn(
                warnings,
                path,
                Some(l.no),
                format!(
                    "skipped the diary row: implausible day value {day} (MMASH days are 1 and 2)"
                ),
            );
            continue;
        }
        let start = tod_of(path, l.no, 3, f[2], "HH:MM")? as i64;
        if f[3].is_empty() {
            warn(
                warnings,
                path,
                Some(l.no),
                format!("skipped the diary row for code {code}: End is empty"),
            );
            continue;
        }
        let mut end = tod_of(path, l.no, 4, f[3], "HH:MM")? as i64;
        if end < start {
            end += 86_400; // crosses midnight with a single Day value
        }
        let name = match ACTIVITY_CODES.get(code) {
            Some(n) => n.to_string(),
            None => {
                warn(
                    warnings,
                    path,
                    Some(l.no),
                    format!("activity code {code} is outside 0-12; labelled as unknown"),
                );
                format!("unknown activity code {code}")
            }
        };
        let base = (day - 1) * 86_400;
        events.push(Event {
            start_s: (base + start) as f64,
            end_s: (base + end) as f64,
            kind: EventKind::Label,
            label: format!("{name} (MMASH code {code}, unverified)"),
        });
        n += 1;
    }
    if n > 0 {
        warn(
            warnings,
            path,
            None,
            "the MMASH activity-code mapping is unverified (code 0 is undocumented and code 6 often \
             falls at meal times, datasets.md §2): check each label against HR and ActiGraph counts",
        );
    }
    Ok(())
}
