//! Polar Measurement Data (PMD): control-point messages and accelerometer data frames.
//!
//! Pure functions, no Bluetooth stack. Sources: `Polar_Measurement_Data_Specification.pdf`
//! and the polar-ble-sdk Android sources (`BlePMDClient.kt`, `PmdControlPointCommand.kt`,
//! `PmdControlPointResponse.kt`, `PmdSetting.kt`, `PmdDataFrame.kt`, `PmdMeasurementType.kt`,
//! `model/AccData.kt`, `model/PmdTimeStampUtils.kt`); test vectors from the SDK's
//! `AccDataTest.kt` and the specification (see `firmware-notes/polar-pmd.md`).
//!
//! # Control point (`FB005C81-…`, read / write / indicate)
//! - Read → `0F b1 b2`: feature bit fields ([`Features`]).
//! - Write `[op type settings…]`: `01` GET_MEASUREMENT_SETTINGS, `02` REQUEST_MEASUREMENT_START,
//!   `03` STOP. Settings are TLVs `[setting_type u8][count u8][count × value LE]`
//!   ([`SettingType`] gives the value sizes); a start request carries each setting once
//!   and never FACTOR ([`start_request`]).
//! - Indication `F0 op type status [more] params…` ([`ControlPointResponse`]). A
//!   server-initiated `01 types…` means "online measurement stopped".
//!
//! # Data frames (`FB005C82-…`, notify)
//! `[type & 0x3F][u64 LE timestamp, ns since 2000-01-01T00:00:00Z of the LAST sample]`
//! `[frame type: bit7 = delta-compressed, bits0–6 = type][payload]` ([`DataFrame`]).
//!
//! ACC ([`decode_acc`]), unit mG:
//! - raw type 0/1/2: signed int8/int16/int24 x,y,z per sample (the H10 sends type 1);
//! - compressed (`0x80`, `0x81`; Verity Sense): a reference sample of 3 × 16-bit signed
//!   values, then blocks `[delta_bits][count][ceil(delta_bits·count·3/8) bytes]` of
//!   signed two's-complement deltas packed LSB-first, channels interleaved, each added to the
//!   previous sample. Scaling as `AccData.kt`: `0x80` → value × FACTOR × 1000 mG; `0x81` →
//!   value × FACTOR when FACTOR ≠ 1, else value. Unlike the SDK we keep the scaled value as a
//!   float instead of truncating it to an integer.
//!
//! Sample times ([`sample_times_ns`], `PmdTimeStampUtils.kt`): with the previous frame's
//! timestamp, Δ = (ts − prev)/n and sample i (0-based) is at prev + Δ·(i+1); without it,
//! Δ = 10⁹/rate and sample i is at ts − Δ·(n−1−i). Add [`PMD_EPOCH_UNIX_S`] for Unix time.

use serde::{Deserialize, Serialize};

/// Seconds between the Unix epoch and the PMD epoch 2000-01-01T00:00:00Z.
pub const PMD_EPOCH_UNIX_S: u64 = 946_684_800;

/// Measurement type ids (`PmdMeasurementType.kt`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MeasurementType {
    /// 0: ECG, µV.
    Ecg,
    /// 1: PPG.
    Ppg,
    /// 2: accelerometer, mG.
    Acc,
    /// 3: pulse-to-pulse intervals.
    Ppi,
    /// 5: gyroscope.
    Gyro,
    /// 6: magnetometer.
    Mag,
    /// 7: skin temperature.
    SkinTemp,
    /// 9: SDK mode.
    SdkMode,
    /// 10: location.
    Location,
    /// 11: pressure.
    Pressure,
    /// 12: temperature.
    Temperature,
    /// 13: offline recording.
    OfflineRecording,
    /// 14: offline HR.
    OfflineHr,
    /// Any other id.
    Unknown(u8),
}

impl MeasurementType {
    /// From the id (`byte & 0x3F` in data frames).
    pub fn from_id(id: u8) -> Self {
        use MeasurementType::*;
        match id {
            0 => Ecg,
            1 => Ppg,
            2 => Acc,
            3 => Ppi,
            5 => Gyro,
            6 => Mag,
            7 => SkinTemp,
            9 => SdkMode,
            10 => Location,
            11 => Pressure,
            12 => Temperature,
            13 => OfflineRecording,
            14 => OfflineHr,
            x => Unknown(x),
        }
    }
    /// The numeric id.
    pub fn id(self) -> u8 {
        use MeasurementType::*;
        match self {
            Ecg => 0,
            Ppg => 1,
            Acc => 2,
            Ppi => 3,
            Gyro => 5,
            Mag => 6,
            SkinTemp => 7,
            SdkMode => 9,
            Location => 10,
            Pressure => 11,
            Temperature => 12,
            OfflineRecording => 13,
            OfflineHr => 14,
            Unknown(x) => x,
        }
    }
}

/// Why a PMD message could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PmdError {
    /// Zero bytes.
    #[error("empty PMD message")]
    Empty,
    /// Too short for the announced content.
    #[error("truncated PMD {what}: needs {needed} bytes, has {got}")]
    Truncated {
        /// What was being read.
        what: &'static str,
        /// Bytes needed.
        needed: usize,
        /// Bytes available.
        got: usize,
    },
    /// A byte that must have a fixed value had another.
    #[error("unexpected PMD {what}: expected {expected:#04x}, found {found:#04x}")]
    Unexpected {
        /// Which byte.
        what: &'static str,
        /// Expected value.
        expected: u8,
        /// Found value.
        found: u8,
    },
    /// A setting type whose value size is unknown (TLV cannot be skipped).
    #[error("unknown PMD setting type {0}")]
    UnknownSetting(u8),
    /// A frame type this decoder does not handle.
    #[error("unsupported PMD {what} frame type {frame_type:#04x}")]
    Unsupported {
        /// Measurement.
        what: &'static str,
        /// Raw frame-type byte.
        frame_type: u8,
    },
    /// A delta block announces an impossible bit width (> 32).
    #[error("invalid delta width {0} bits in a compressed PMD frame")]
    BadDeltaWidth(u8),
    /// Not enough information to place samples in time.
    #[error("cannot time PMD samples: no previous frame timestamp and no sample rate")]
    NoTimeBase,
}

/// Features reported by reading the control point: `0F b1 b2`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Features {
    /// ECG available (b1 bit0).
    pub ecg: bool,
    /// PPG (b1 bit1).
    pub ppg: bool,
    /// Accelerometer (b1 bit2).
    pub acc: bool,
    /// PPI (b1 bit3).
    pub ppi: bool,
    /// Gyroscope (b1 bit5).
    pub gyro: bool,
    /// Magnetometer (b1 bit6).
    pub mag: bool,
    /// Skin temperature (b1 bit7).
    pub skin_temp: bool,
    /// SDK mode (b2 bit1).
    pub sdk_mode: bool,
    /// Offline recording (b2 bit5).
    pub offline_recording: bool,
}

impl Features {
    /// Parse a control-point read.
    pub fn parse(v: &[u8]) -> Result<Features, PmdError> {
        let Some(&b0) = v.first() else {
            return Err(PmdError::Empty);
        };
        if b0 != 0x0F {
            return Err(PmdError::Unexpected {
                what: "feature read header",
                expected: 0x0F,
                found: b0,
            });
        }
        if v.len() < 2 {
            return Err(PmdError::Truncated {
                what: "feature read",
                needed: 2,
                got: v.len(),
            });
        }
        let b1 = v[1];
        let b2 = v.get(2).copied().unwrap_or(0);
        Ok(Features {
            ecg: b1 & 0x01 != 0,
            ppg: b1 & 0x02 != 0,
            acc: b1 & 0x04 != 0,
            ppi: b1 & 0x08 != 0,
            gyro: b1 & 0x20 != 0,
            mag: b1 & 0x40 != 0,
            skin_temp: b1 & 0x80 != 0,
            sdk_mode: b2 & 0x02 != 0,
            offline_recording: b2 & 0x20 != 0,
        })
    }
    /// Encode (for the fake device and tests).
    pub fn encode(&self) -> [u8; 3] {
        let b1 = (self.ecg as u8)
            | (self.ppg as u8) << 1
            | (self.acc as u8) << 2
            | (self.ppi as u8) << 3
            | (self.gyro as u8) << 5
            | (self.mag as u8) << 6
            | (self.skin_temp as u8) << 7;
        let b2 = (self.sdk_mode as u8) << 1 | (self.offline_recording as u8) << 5;
        [0x0F, b1, b2]
    }
}

/// Control-point op codes (client → server).
pub mod op {
    /// GET_MEASUREMENT_SETTINGS `[01 type]`.
    pub const GET_SETTINGS: u8 = 0x01;
    /// REQUEST_MEASUREMENT_START `[02 type settings…]`.
    pub const START: u8 = 0x02;
    /// STOP_MEASUREMENT `[03 type]`.
    pub const STOP: u8 = 0x03;
}

/// Status byte of a control-point response (`PmdControlPointResponse.kt`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CpStatus {
    /// 0.
    Success,
    /// 1.
    InvalidOpCode,
    /// 2.
    InvalidMeasurementType,
    /// 3.
    NotSupported,
    /// 4.
    InvalidLength,
    /// 5.
    InvalidParameter,
    /// 6.
    AlreadyInState,
    /// 7.
    InvalidResolution,
    /// 8.
    InvalidSampleRate,
    /// 9.
    InvalidRange,
    /// 10.
    InvalidMtu,
    /// 11.
    InvalidNumberOfChannels,
    /// 12.
    InvalidState,
    /// 13.
    DeviceInCharger,
    /// 14 (SDK only).
    DiskFull,
    /// Anything else.
    Other(u8),
}

impl CpStatus {
    /// From the status byte.
    pub fn from_byte(b: u8) -> Self {
        use CpStatus::*;
        match b {
            0 => Success,
            1 => InvalidOpCode,
            2 => InvalidMeasurementType,
            3 => NotSupported,
            4 => InvalidLength,
            5 => InvalidParameter,
            6 => AlreadyInState,
            7 => InvalidResolution,
            8 => InvalidSampleRate,
            9 => InvalidRange,
            10 => InvalidMtu,
            11 => InvalidNumberOfChannels,
            12 => InvalidState,
            13 => DeviceInCharger,
            14 => DiskFull,
            x => Other(x),
        }
    }
}

/// A control-point indication.
#[derive(Debug, Clone, PartialEq)]
pub enum CpMessage {
    /// `F0 op type status [more] params…`: the answer to a command.
    Response(ControlPointResponse),
    /// `01 types…`: the sensor stopped these online measurements on its own.
    MeasurementStopped(Vec<MeasurementType>),
}

/// The answer to a control-point command.
#[derive(Debug, Clone, PartialEq)]
pub struct ControlPointResponse {
    /// Op code answered.
    pub op: u8,
    /// Measurement type answered (with the offline bit 0x80 stripped).
    pub measurement_type: MeasurementType,
    /// Status.
    pub status: CpStatus,
    /// True when more indications follow for the same op.
    pub more: bool,
    /// Parameters from byte 5 on (settings TLVs for GET_SETTINGS / START).
    pub params: Vec<u8>,
}

impl CpMessage {
    /// Parse one control-point indication.
    pub fn parse(v: &[u8]) -> Result<CpMessage, PmdError> {
        match v.first() {
            None => Err(PmdError::Empty),
            Some(0x01) => Ok(CpMessage::MeasurementStopped(
                v[1..]
                    .iter()
                    .map(|&b| MeasurementType::from_id(b & 0x3F))
                    .collect(),
            )),
            Some(0xF0) => {
                if v.len() < 4 {
                    return Err(PmdError::Truncated {
                        what: "control-point response",
                        needed: 4,
                        got: v.len(),
                    });
                }
                let status = CpStatus::from_byte(v[3]);
                let (more, params) = if status == CpStatus::Success && v.len() > 4 {
                    (v[4] != 0, v.get(5..).unwrap_or(&[]).to_vec())
                } else {
                    (false, Vec::new())
                };
                Ok(CpMessage::Response(ControlPointResponse {
                    op: v[1],
                    measurement_type: MeasurementType::from_id(v[2] & 0x3F),
                    status,
                    more,
                    params,
                }))
            }
            Some(&b) => Err(PmdError::Unexpected {
                what: "control-point message header",
                expected: 0xF0,
                found: b,
            }),
        }
    }
}

/// Setting types in TLVs (`PmdSetting.kt`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SettingType {
    /// 0: sample rate, Hz (2 B).
    SampleRate,
    /// 1: resolution, bits (2 B).
    Resolution,
    /// 2: range, G (2 B).
    Range,
    /// 3: range in milli-units (4 B).
    RangeMilliunit,
    /// 4: channels (1 B).
    Channels,
    /// 5: conversion factor, IEEE-754 f32 bits (4 B).
    Factor,
}

impl SettingType {
    /// From the type byte.
    pub fn from_byte(b: u8) -> Option<Self> {
        use SettingType::*;
        Some(match b {
            0 => SampleRate,
            1 => Resolution,
            2 => Range,
            3 => RangeMilliunit,
            4 => Channels,
            5 => Factor,
            _ => return None,
        })
    }
    /// The type byte.
    pub fn byte(self) -> u8 {
        self as u8
    }
    /// Size of one value, bytes.
    pub fn value_size(self) -> usize {
        use SettingType::*;
        match self {
            SampleRate | Resolution | Range => 2,
            RangeMilliunit | Factor => 4,
            Channels => 1,
        }
    }
}

/// Parsed settings TLVs: each type with its list of values (raw u32; FACTOR as f32 bits).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Settings(pub std::collections::BTreeMap<SettingType, Vec<u32>>);

impl Settings {
    /// Parse a TLV sequence.
    pub fn parse(mut v: &[u8]) -> Result<Settings, PmdError> {
        let mut s = Settings::default();
        while !v.is_empty() {
            let t = SettingType::from_byte(v[0]).ok_or(PmdError::UnknownSetting(v[0]))?;
            let count = *v.get(1).ok_or(PmdError::Truncated {
                what: "setting count",
                needed: 2,
                got: v.len(),
            })? as usize;
            let sz = t.value_size();
            let need = 2 + count * sz;
            if v.len() < need {
                return Err(PmdError::Truncated {
                    what: "setting values",
                    needed: need,
                    got: v.len(),
                });
            }
            let vals = s.0.entry(t).or_default();
            for c in v[2..need].chunks_exact(sz) {
                let mut b = [0u8; 4];
                b[..sz].copy_from_slice(c);
                vals.push(u32::from_le_bytes(b));
            }
            v = &v[need..];
        }
        Ok(s)
    }
    /// First value of a setting.
    pub fn first(&self, t: SettingType) -> Option<u32> {
        self.0.get(&t).and_then(|v| v.first().copied())
    }
    /// FACTOR as a float, when present.
    pub fn factor(&self) -> Option<f32> {
        self.first(SettingType::Factor).map(f32::from_bits)
    }
    /// Encode as TLVs (FACTOR included when present; used by the fake device).
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        for (t, vals) in &self.0 {
            out.push(t.byte());
            out.push(vals.len() as u8);
            for v in vals {
                out.extend_from_slice(&v.to_le_bytes()[..t.value_size()]);
            }
        }
        out
    }
}

/// Encode a REQUEST_MEASUREMENT_START: `[02 type (setting 01 value)…]`, each setting with
/// count 1, in the order given; FACTOR is never sent (it is skipped if given).
pub fn start_request(t: MeasurementType, settings: &[(SettingType, u32)]) -> Vec<u8> {
    let mut out = vec![op::START, t.id()];
    for &(st, v) in settings {
        if st == SettingType::Factor {
            continue;
        }
        out.push(st.byte());
        out.push(1);
        out.extend_from_slice(&v.to_le_bytes()[..st.value_size()]);
    }
    out
}

/// Accelerometer stream settings for a start request.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct AccSettings {
    /// Sample rate, Hz (H10: 25/50/100/200; Verity Sense: 52).
    pub sample_rate_hz: u16,
    /// Resolution, bits (16).
    pub resolution_bits: u16,
    /// Range, ±G (2/4/8).
    pub range_g: u16,
    /// Channels (3), sent only when `Some` (Verity Sense wants it, the H10 does not).
    pub channels: Option<u8>,
}

impl Default for AccSettings {
    /// H10 defaults used by bleakheart: 200 Hz, 16 bit, ±2 G… reduced to 50 Hz here
    /// (*assumed*: enough for motion level, a quarter of the traffic).
    fn default() -> Self {
        AccSettings {
            sample_rate_hz: 50,
            resolution_bits: 16,
            range_g: 8,
            channels: None,
        }
    }
}

impl AccSettings {
    /// The start request for these settings.
    pub fn start_request(&self) -> Vec<u8> {
        let mut s = vec![
            (SettingType::SampleRate, self.sample_rate_hz as u32),
            (SettingType::Resolution, self.resolution_bits as u32),
            (SettingType::Range, self.range_g as u32),
        ];
        if let Some(c) = self.channels {
            s.push((SettingType::Channels, c as u32));
        }
        start_request(MeasurementType::Acc, &s)
    }
}

/// A PMD data frame header plus its payload.
#[derive(Debug, Clone, PartialEq)]
pub struct DataFrame<'a> {
    /// Measurement type (`byte0 & 0x3F`).
    pub measurement_type: MeasurementType,
    /// Sensor time of the LAST sample, ns since 2000-01-01T00:00:00Z.
    pub timestamp_ns: u64,
    /// Frame type (bits 0–6 of byte 9).
    pub frame_type: u8,
    /// Delta-compressed (bit 7 of byte 9).
    pub compressed: bool,
    /// Payload (bytes 10…).
    pub payload: &'a [u8],
}

impl<'a> DataFrame<'a> {
    /// Parse the 10-byte header.
    pub fn parse(v: &'a [u8]) -> Result<DataFrame<'a>, PmdError> {
        if v.is_empty() {
            return Err(PmdError::Empty);
        }
        if v.len() < 10 {
            return Err(PmdError::Truncated {
                what: "data frame header",
                needed: 10,
                got: v.len(),
            });
        }
        let mut ts = [0u8; 8];
        ts.copy_from_slice(&v[1..9]);
        Ok(DataFrame {
            measurement_type: MeasurementType::from_id(v[0] & 0x3F),
            timestamp_ns: u64::from_le_bytes(ts),
            frame_type: v[9] & 0x7F,
            compressed: v[9] & 0x80 != 0,
            payload: &v[10..],
        })
    }
    /// Raw frame-type byte as sent.
    pub fn frame_type_byte(&self) -> u8 {
        self.frame_type | if self.compressed { 0x80 } else { 0 }
    }
}

/// Decoded accelerometer samples of one frame, in mG, oldest first.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AccSamples {
    /// x, y, z in mG.
    pub mg: Vec<[f64; 3]>,
    /// Bytes left over that did not form a whole sample (raw frames only).
    pub trailing_bytes: usize,
}

fn read_signed(b: &[u8]) -> i32 {
    match b.len() {
        1 => b[0] as i8 as i32,
        2 => i16::from_le_bytes([b[0], b[1]]) as i32,
        3 => ((b[0] as i32) | (b[1] as i32) << 8 | (b[2] as i32) << 16) << 8 >> 8,
        _ => {
            let mut x = [0u8; 4];
            x[..b.len().min(4)].copy_from_slice(&b[..b.len().min(4)]);
            i32::from_le_bytes(x)
        }
    }
}

/// Parse delta-compressed content (`BlePMDClient.parseDeltaFramesAll`): a reference sample
/// of `channels × ceil(resolution/8)` signed LE bytes, then delta blocks. Returns every
/// sample (reference first) as integers.
pub fn parse_delta_frames(
    v: &[u8],
    channels: usize,
    resolution_bits: usize,
) -> Result<Vec<Vec<i32>>, PmdError> {
    let bytes = resolution_bits.div_ceil(8).max(1);
    let ref_len = channels * bytes;
    if v.len() < ref_len {
        return Err(PmdError::Truncated {
            what: "compressed frame reference sample",
            needed: ref_len,
            got: v.len(),
        });
    }
    let reference: Vec<i32> = v[..ref_len].chunks_exact(bytes).map(read_signed).collect();
    let mut out = vec![reference];
    let mut off = ref_len;
    while off < v.len() {
        if off + 2 > v.len() {
            return Err(PmdError::Truncated {
                what: "delta block header",
                needed: off + 2,
                got: v.len(),
            });
        }
        let width = v[off] as usize;
        let count = v[off + 1] as usize;
        off += 2;
        if width > 32 {
            return Err(PmdError::BadDeltaWidth(width as u8));
        }
        let len = (width * count * channels).div_ceil(8);
        if off + len > v.len() {
            return Err(PmdError::Truncated {
                what: "delta block",
                needed: off + len,
                got: v.len(),
            });
        }
        let block = &v[off..off + len];
        let mut bit = 0usize;
        for _ in 0..count {
            let mut next = out[out.len() - 1].clone();
            for ch in next.iter_mut() {
                let mut raw: u64 = 0;
                for k in 0..width {
                    let b = bit + k;
                    if block[b / 8] >> (b % 8) & 1 == 1 {
                        raw |= 1 << k;
                    }
                }
                bit += width;
                let delta = if width == 0 {
                    0i64
                } else if raw >> (width - 1) & 1 == 1 {
                    raw as i64 - (1i64 << width)
                } else {
                    raw as i64
                };
                *ch = (*ch as i64 + delta).clamp(i32::MIN as i64, i32::MAX as i64) as i32;
            }
            out.push(next);
        }
        off += len;
    }
    Ok(out)
}

/// Decode an ACC frame to mG. `factor` is the FACTOR from the start response (1.0 when the
/// sensor sent none). Never panics.
pub fn decode_acc(f: &DataFrame, factor: f32) -> Result<AccSamples, PmdError> {
    if f.compressed {
        let s = parse_delta_frames(f.payload, 3, 16)?;
        let scale = match f.frame_type {
            0 => factor as f64 * 1000.0,
            1 if factor != 1.0 => factor as f64,
            1 => 1.0,
            _ => {
                return Err(PmdError::Unsupported {
                    what: "ACC",
                    frame_type: f.frame_type_byte(),
                })
            }
        };
        Ok(AccSamples {
            mg: s
                .iter()
                .map(|v| {
                    [
                        v[0] as f64 * scale,
                        v[1] as f64 * scale,
                        v[2] as f64 * scale,
                    ]
                })
                .collect(),
            trailing_bytes: 0,
        })
    } else {
        let w = match f.frame_type {
            0 => 1,
            1 => 2,
            2 => 3,
            _ => {
                return Err(PmdError::Unsupported {
                    what: "ACC",
                    frame_type: f.frame_type_byte(),
                })
            }
        };
        let chunks = f.payload.chunks_exact(3 * w);
        let trailing_bytes = chunks.remainder().len();
        Ok(AccSamples {
            mg: chunks
                .map(|c| {
                    [
                        read_signed(&c[..w]) as f64,
                        read_signed(&c[w..2 * w]) as f64,
                        read_signed(&c[2 * w..]) as f64,
                    ]
                })
                .collect(),
            trailing_bytes,
        })
    }
}

/// Encode a raw (uncompressed) ACC frame of type 0/1/2 (used by the fake device and the
/// benchmark). Values are clamped to the type's range.
pub fn encode_acc_raw(timestamp_ns: u64, frame_type: u8, samples_mg: &[[i32; 3]]) -> Vec<u8> {
    let w = (frame_type as usize + 1).min(3);
    let mut out = Vec::with_capacity(10 + samples_mg.len() * 3 * w);
    out.push(MeasurementType::Acc.id());
    out.extend_from_slice(&timestamp_ns.to_le_bytes());
    out.push(frame_type);
    let lim = (1i32 << (8 * w - 1)) - 1;
    for s in samples_mg {
        for &v in s {
            out.extend_from_slice(&v.clamp(-lim - 1, lim).to_le_bytes()[..w]);
        }
    }
    out
}

/// Sample times (ns since 2000-01-01) of a frame of `n` samples whose last sample is at
/// `ts`, per `PmdTimeStampUtils.kt` (see the module docs). `prev` is the previous frame's
/// timestamp (used only when it is before `ts`).
pub fn sample_times_ns(
    ts: u64,
    prev: Option<u64>,
    n: usize,
    sample_rate_hz: Option<f64>,
) -> Result<Vec<f64>, PmdError> {
    if n == 0 {
        return Ok(Vec::new());
    }
    let ts_f = ts as f64;
    match prev {
        Some(p) if p < ts => {
            let d = (ts - p) as f64 / n as f64;
            Ok((0..n)
                .map(|i| {
                    if i + 1 == n {
                        ts_f
                    } else {
                        p as f64 + d * (i + 1) as f64
                    }
                })
                .collect())
        }
        _ => {
            let rate = sample_rate_hz
                .filter(|r| *r > 0.0 && r.is_finite())
                .ok_or(PmdError::NoTimeBase)?;
            let d = 1e9 / rate;
            Ok((0..n).map(|i| ts_f - d * (n - 1 - i) as f64).collect())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn hex(s: &str) -> Vec<u8> {
        s.split_whitespace()
            .map(|b| u8::from_str_radix(b, 16).unwrap())
            .collect()
    }

    #[test]
    fn start_requests_match_published_examples() {
        let h10 = AccSettings {
            sample_rate_hz: 200,
            resolution_bits: 16,
            range_g: 2,
            channels: None,
        };
        assert_eq!(
            h10.start_request(),
            hex("02 02 00 01 C8 00 01 01 10 00 02 01 02 00")
        );
        assert_eq!(
            start_request(
                MeasurementType::Ecg,
                &[
                    (SettingType::SampleRate, 130),
                    (SettingType::Resolution, 14)
                ]
            ),
            hex("02 00 00 01 82 00 01 01 0E 00")
        );
        let vs = AccSettings {
            sample_rate_hz: 52,
            resolution_bits: 16,
            range_g: 8,
            channels: Some(3),
        };
        assert_eq!(
            vs.start_request(),
            hex("02 02 00 01 34 00 01 01 10 00 02 01 08 00 04 01 03")
        );
        assert_eq!(
            AccSettings {
                channels: None,
                ..vs
            }
            .start_request(),
            hex("02 02 00 01 34 00 01 01 10 00 02 01 08 00")
        );
        assert_eq!(start_request(MeasurementType::Ppi, &[]), hex("02 03"));
        // FACTOR is never sent.
        assert_eq!(
            start_request(MeasurementType::Acc, &[(SettingType::Factor, 1)]),
            hex("02 02")
        );
    }

    #[test]
    fn get_settings_response_parses() {
        let m = CpMessage::parse(&hex(
            "F0 01 02 00 00 00 01 34 00 01 01 10 00 02 03 02 00 04 00 08 00",
        ))
        .unwrap();
        let CpMessage::Response(r) = m else {
            panic!("not a response")
        };
        assert_eq!(r.op, op::GET_SETTINGS);
        assert_eq!(r.measurement_type, MeasurementType::Acc);
        assert_eq!(r.status, CpStatus::Success);
        assert!(!r.more);
        let s = Settings::parse(&r.params).unwrap();
        assert_eq!(s.0[&SettingType::SampleRate], vec![52]);
        assert_eq!(s.0[&SettingType::Resolution], vec![16]);
        assert_eq!(s.0[&SettingType::Range], vec![2, 4, 8]);
        assert_eq!(Settings::parse(&s.encode()).unwrap(), s);
    }

    #[test]
    fn error_response_and_stop_message() {
        let CpMessage::Response(r) = CpMessage::parse(&hex("F0 02 02 08")).unwrap() else {
            panic!()
        };
        assert_eq!(r.status, CpStatus::InvalidSampleRate);
        assert!(r.params.is_empty());
        assert_eq!(
            CpMessage::parse(&hex("01 02")).unwrap(),
            CpMessage::MeasurementStopped(vec![MeasurementType::Acc])
        );
        assert!(matches!(
            CpMessage::parse(&hex("F0 02")),
            Err(PmdError::Truncated { .. })
        ));
        assert!(matches!(
            CpMessage::parse(&hex("77")),
            Err(PmdError::Unexpected { .. })
        ));
    }

    #[test]
    fn factor_in_start_response() {
        let mut s = Settings::default();
        s.0.insert(SettingType::Factor, vec![2.44e-4f32.to_bits()]);
        let enc = s.encode();
        assert_eq!(enc[0], 5);
        assert_eq!(Settings::parse(&enc).unwrap().factor(), Some(2.44e-4));
    }

    #[test]
    fn features_h10_ecg_acc() {
        let f = Features::parse(&[0x0F, 0x05, 0x00]).unwrap();
        assert!(f.ecg && f.acc && !f.ppi && !f.ppg);
        assert_eq!(Features::parse(&f.encode()).unwrap(), f);
        assert!(Features::parse(&[0x0E, 0x05]).is_err());
    }

    #[test]
    fn spec_verity_sense_delta_example() {
        // Reference D0 FF 65 01 E4 0F, 8-bit deltas, 2 samples shown in the spec.
        let v = hex("D0 FF 65 01 E4 0F 08 02 FC 07 FF 0C 13 F2");
        let s = parse_delta_frames(&v, 3, 16).unwrap();
        assert_eq!(s[0], vec![-48, 357, 4068]);
        assert_eq!(s[1], vec![-52, 364, 4067]);
        assert_eq!(s[2], vec![-40, 383, 4053]);
    }

    #[test]
    fn sdk_compressed_type_1() {
        let v = hex("02 65 00 00 00 00 00 00 00 81 F1 FF 14 00 F0 03 06 01 7B 0F 08");
        let f = DataFrame::parse(&v).unwrap();
        assert_eq!(f.measurement_type, MeasurementType::Acc);
        assert_eq!(f.timestamp_ns, 0x65);
        assert!(f.compressed);
        assert_eq!(f.frame_type, 1);
        let a = decode_acc(&f, 1.0).unwrap();
        assert_eq!(a.mg, vec![[-15.0, 20.0, 1008.0], [-20.0, 17.0, 1008.0]]);
        let t = sample_times_ns(f.timestamp_ns, Some(100), 2, None).unwrap();
        assert_eq!(t, vec![100.5, 101.0]);
    }

    const SDK_TYPE0: &str = "02 00 94 35 77 00 00 00 00 80 71 07 F0 6A 9E 8D 0A 38 BE 5C BE BA 2F 96 B3 EE 4B E5 AD FB 42 B9 EB BE 4C FE BA 2F 92 BF EE 4B E4 B1 FB 12 B9 EC BD 3C 3E BB 2F 8F D3 DE 4B E3 B5 F7 D2 B8 ED BD 30 7E 7B 2F 8B E3 CE 8B E2 BA F7 A2 B8 EE BC 20 BE 7B 2F 88 F3 CE CB E1 BD EF 52 F8 EF BC 18 FE 3B 2F 84 03 BF CB E0 C2 EF 32 B8 F0 BB 04 4E BC 2E 81 13 AF 0B E0 C6 EF F2 F7 F1 B9 FC 7D BC 2E 7D 27 9F 4B DF CA EB C2 F7 F2 B8 EC CD 7C 2E 7B 37 8F 4B DE CE E3 92 F7 F3 B8 E0 0D FD 2D 77 4B 7F CB DD D2 DF 62 37 F5 B7 D4 4D BD 2D 74 5B 6F CB DC D7 D7 32 37 F6 B5 C8 8D 7D 2D 71 6B 4F 4B DC DC D3 F2 36 F7 B4 BC DD FD 2C 6F 7B 3F 4B DB E0 CF D2 36 F8 B2 B0 2D BE 2C 6C 8F 1F CB DA E3 C7 A2 76 F9";

    #[test]
    fn sdk_compressed_type_0() {
        let v = hex(SDK_TYPE0);
        assert_eq!(v.len(), 228);
        let f = DataFrame::parse(&v).unwrap();
        assert_eq!(f.timestamp_ns, 2_000_000_000);
        let raw = parse_delta_frames(f.payload, 3, 16).unwrap();
        assert_eq!(raw.len(), 57);
        assert_eq!(raw[0], vec![1905, 27376, -29282]);
        assert_eq!(raw[1], vec![2095, 27271, -29367]);
        let factor = 2.44e-4f32;
        let a = decode_acc(&f, factor).unwrap();
        assert_eq!(a.mg.len(), 57);
        // The SDK truncates (f32 factor × value × 1000) to an integer.
        let sdk = |x: i32| (factor * x as f32 * 1000f32) as i32;
        for (i, r) in raw.iter().enumerate().take(2) {
            for (c, &v) in r.iter().enumerate() {
                assert_eq!(a.mg[i][c].trunc() as i32, sdk(v), "sample {i} ch {c}");
            }
        }
        assert_eq!(sdk(1905), 464);
        // Every sample within ±8 G (the range of that test).
        assert!(a.mg.iter().flatten().all(|v| v.abs() <= 8000.0));
        let t = sample_times_ns(f.timestamp_ns, Some(100), 57, None).unwrap();
        let d = (2_000_000_000f64 - 100.0) / 57.0;
        assert!((t[0] - (100.0 + d)).abs() < 1e-6);
        assert_eq!(*t.last().unwrap(), 2_000_000_000.0);
    }

    #[test]
    fn raw_frames_round_trip_all_widths() {
        let s = [[-1000, 20, 990], [5, -6, 7]];
        for ft in 0..=2u8 {
            let s8: Vec<[i32; 3]> = if ft == 0 {
                vec![[-100, 20, 99], [5, -6, 7]]
            } else {
                s.to_vec()
            };
            let enc = encode_acc_raw(123, ft, &s8);
            let f = DataFrame::parse(&enc).unwrap();
            let a = decode_acc(&f, 1.0).unwrap();
            let want: Vec<[f64; 3]> = s8
                .iter()
                .map(|v| [v[0] as f64, v[1] as f64, v[2] as f64])
                .collect();
            assert_eq!(a.mg, want, "type {ft}");
            assert_eq!(a.trailing_bytes, 0);
        }
        let mut enc = encode_acc_raw(1, 1, &[[1, 2, 3]]);
        enc.push(9);
        let f = DataFrame::parse(&enc).unwrap();
        assert_eq!(decode_acc(&f, 1.0).unwrap().trailing_bytes, 1);
        let bad = hex("02 00 00 00 00 00 00 00 00 05");
        let f = DataFrame::parse(&bad).unwrap();
        assert!(matches!(
            decode_acc(&f, 1.0),
            Err(PmdError::Unsupported { .. })
        ));
    }

    #[test]
    fn timestamps_without_previous_use_rate() {
        let t = sample_times_ns(1_000_000_000, None, 3, Some(50.0)).unwrap();
        assert_eq!(t, vec![960_000_000.0, 980_000_000.0, 1_000_000_000.0]);
        assert_eq!(sample_times_ns(5, None, 2, None), Err(PmdError::NoTimeBase));
    }

    #[test]
    fn short_inputs_are_errors() {
        assert_eq!(DataFrame::parse(&[]), Err(PmdError::Empty));
        assert!(matches!(
            DataFrame::parse(&[2, 0, 0]),
            Err(PmdError::Truncated { needed: 10, .. })
        ));
        assert!(parse_delta_frames(&hex("01 02 03"), 3, 16).is_err());
        assert!(parse_delta_frames(&hex("00 00 00 00 00 00 08"), 3, 16).is_err());
        assert!(parse_delta_frames(&hex("00 00 00 00 00 00 08 02 01"), 3, 16).is_err());
        assert_eq!(
            parse_delta_frames(&hex("00 00 00 00 00 00 40 01"), 3, 16),
            Err(PmdError::BadDeltaWidth(64))
        );
    }

    proptest! {
        #[test]
        fn random_frames_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300),
                                     factor in -1.0f32..1.0) {
            if let Ok(f) = DataFrame::parse(&bytes) {
                let _ = decode_acc(&f, factor);
                let _ = parse_delta_frames(f.payload, 3, 16);
            }
            let _ = CpMessage::parse(&bytes);
            let _ = Settings::parse(&bytes);
            let _ = Features::parse(&bytes);
        }

        #[test]
        fn random_timestamps_never_panic(ts in any::<u64>(), prev in proptest::option::of(any::<u64>()),
                                         n in 0usize..100, rate in proptest::option::of(-10.0f64..500.0)) {
            if let Ok(t) = sample_times_ns(ts, prev, n, rate) {
                prop_assert_eq!(t.len(), n);
            }
        }
    }
}
