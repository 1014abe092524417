//! # stress-harness
//!
//! Makes wearable "stress scores" transparent: it reads beat-to-beat (RR) intervals and motion
//! from CSV recordings or live Bluetooth LE wearables, recomputes HRV stress indicators with
//! documented formulas, scores them with three documented vendor-like profiles, and shows how
//! physical motion confounds the scores.
//!
//! The data flow, one module per stage:
//!
//! ```text
//! sources (CSV importers, BLE) → recording → cleaning → windows → indicators
//!        → motion → profiles → report
//! ```
//!
//! Live BLE and file replay feed the same [`engine`]: replay is live at infinite speed.
//! Every indicator documents its formula, units, conventions and source in its module and in
//! `docs/FORMULAS.md`.
#![warn(missing_docs)]

pub mod analyze;
pub mod cleaning;
pub mod engine;
pub mod error;
pub mod indicators;
pub mod live;
pub mod motion;
pub mod practice;
pub mod profiles;
pub mod recording;
pub mod report;
pub mod sources;
pub mod synth;
pub mod windows;

#[cfg(feature = "ble")]
pub mod ble;

pub use error::{Error, Result};
pub use recording::Recording;
