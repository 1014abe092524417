//! Motion policies: what a profile does with a window recorded while the wearer moved.
//!
//! stress-profiles.md §6.6: "A `--motion=none|flag|suppress` switch recomputes the day under each
//! policy \[A\]". The three behaviours the Dutch AP saw in 2025 map onto them: *no score during
//! motion* (suppress, the watch-like default), *a very high score instead* (flag, the
//! tracker-like default), and the ring-like 15-min gate (suppress at window level).

use serde::{Deserialize, Serialize};

/// What a profile does with windows in which its motion criterion holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum MotionPolicy {
    /// Ignore motion: score every valid window, attach no flag.
    None,
    /// Score every valid window and attach `motion_flag = true` where the motion criterion
    /// holds (the score is shown, with a flag).
    Flag,
    /// Show no score where the motion criterion holds (watch-like: code −2/−4; ring-like: a gap).
    #[default]
    Suppress,
}

impl MotionPolicy {
    /// The three policies, in the order reports list them.
    pub const ALL: [MotionPolicy; 3] = [
        MotionPolicy::None,
        MotionPolicy::Flag,
        MotionPolicy::Suppress,
    ];

    /// Lower-case name (`none`, `flag`, `suppress`), as on the command line.
    pub fn name(self) -> &'static str {
        match self {
            MotionPolicy::None => "none",
            MotionPolicy::Flag => "flag",
            MotionPolicy::Suppress => "suppress",
        }
    }
}

impl std::fmt::Display for MotionPolicy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for MotionPolicy {
    type Err = crate::Error;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "none" => Ok(MotionPolicy::None),
            "flag" => Ok(MotionPolicy::Flag),
            "suppress" | "gate" => Ok(MotionPolicy::Suppress),
            _ => Err(crate::Error::Config {
                name: "motion policy".into(),
                value: s.into(),
                expected: "one of none, flag, suppress".into(),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_name() {
        for p in MotionPolicy::ALL {
            assert_eq!(p.name().parse::<MotionPolicy>().unwrap(), p);
        }
        assert_eq!(
            "Gate".parse::<MotionPolicy>().unwrap(),
            MotionPolicy::Suppress
        );
        let e = "sometimes".parse::<MotionPolicy>().unwrap_err().to_string();
        assert!(e.contains("none, flag, suppress"), "{e}");
    }
}
