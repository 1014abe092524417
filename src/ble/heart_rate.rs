//! Decoder for the Bluetooth Heart Rate Measurement characteristic (0x2A37) and Body Sensor
//! Location (0x2A38).
//!
//! Pure functions, no Bluetooth stack: they run on any platform and are property-tested on
//! random bytes.
//!
//! # Byte layout of 0x2A37 (little-endian)
//!
//! | Bytes | Field |
//! |---|---|
//! | 0 | flags. bit0: HR format (0 = uint8, 1 = uint16, bpm). bits1–2: sensor contact (0/1 = not supported, 2 = supported but not detected, 3 = supported and detected). bit3: Energy Expended present (uint16, kJ). bit4: RR-Interval(s) present. bits5–7: reserved, ignored |
//! | 1 or 1–2 | heart rate (uint8 or uint16), bpm |
//! | next 2, if bit3 | Energy Expended, kJ |
//! | rest, if bit4 | RR intervals, uint16 each, unit **1/1024 s**, oldest first, count = remaining bytes / 2 |
//!
//! RR in ms = raw × 1000 / 1024. A notification carries 0..n RR values (0 at low heart rate,
//! several when the server batches them). Two identical consecutive notifications are
//! legitimate (BlueZ emits `PropertiesChanged` for every notification, `src/gatt-client.c`
//! `notify_cb()`): this decoder never de-duplicates.
//!
//! An odd trailing byte after the RR list is ignored and reported in
//! [`HeartRateMeasurement::odd_trailing_byte`] (OpenStrap/protocol PR #34 also stops there).
//!
//! Sources: Bluetooth SIG characteristic viewer
//! `org.bluetooth.characteristic.heart_rate_measurement`; BlueZ `doc/heartrate-api.txt`
//! (RR ordering oldest first, Body Sensor Location values); test vectors in
//! `firmware-notes/heart-rate-service.md`.

use serde::{Deserialize, Serialize};

/// Sensor-contact status from flag bits 1–2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SensorContact {
    /// The sensor does not report contact (bit2 = 0; bit1 is then meaningless).
    NotSupported,
    /// Contact supported but not detected (bits = 0b10): beats are flagged `CONTACT_LOST`.
    NotDetected,
    /// Contact supported and detected (bits = 0b11).
    Detected,
}

/// One decoded Heart Rate Measurement notification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeartRateMeasurement {
    /// Heart rate as the device computed it, bpm.
    pub hr_bpm: u16,
    /// True when the value was sent as uint16 (flag bit0).
    pub hr_uint16: bool,
    /// Sensor-contact status.
    pub contact: SensorContact,
    /// Energy expended since the last reset, kJ (flag bit3).
    pub energy_kj: Option<u16>,
    /// True when the RR flag (bit4) was set, even if the list is empty.
    pub rr_present: bool,
    /// RR intervals in the raw unit 1/1024 s, oldest first.
    pub rr_1024: Vec<u16>,
    /// True when one byte was left over after the RR list (ignored).
    pub odd_trailing_byte: bool,
}

impl HeartRateMeasurement {
    /// RR intervals in ms (raw × 1000 / 1024), oldest first.
    pub fn rr_ms(&self) -> impl Iterator<Item = f64> + '_ {
        self.rr_1024.iter().map(|&r| rr_1024_to_ms(r))
    }

    /// Encode back to the wire format (used by the fake BlueZ, benches and tests). The odd
    /// trailing byte, when flagged, is written as `0x00`.
    pub fn encode(&self) -> Vec<u8> {
        let mut flags = 0u8;
        if self.hr_uint16 || self.hr_bpm > 255 {
            flags |= 0x01;
        }
        flags |= match self.contact {
            SensorContact::NotSupported => 0,
            SensorContact::NotDetected => 0b100,
            SensorContact::Detected => 0b110,
        };
        if self.energy_kj.is_some() {
            flags |= 0x08;
        }
        if self.rr_present || !self.rr_1024.is_empty() {
            flags |= 0x10;
        }
        let mut out = vec![flags];
        if flags & 1 == 1 {
            out.extend_from_slice(&self.hr_bpm.to_le_bytes());
        } else {
            out.push(self.hr_bpm as u8);
        }
        if let Some(e) = self.energy_kj {
            out.extend_from_slice(&e.to_le_bytes());
        }
        for r in &self.rr_1024 {
            out.extend_from_slice(&r.to_le_bytes());
        }
        if self.odd_trailing_byte {
            out.push(0);
        }
        out
    }
}

/// Convert a raw RR value (1/1024 s) to ms.
pub fn rr_1024_to_ms(raw: u16) -> f64 {
    raw as f64 * 1000.0 / 1024.0
}

/// Convert an RR interval in ms to the raw unit 1/1024 s (rounded; saturates at 65535).
pub fn rr_ms_to_1024(ms: f64) -> u16 {
    (ms * 1024.0 / 1000.0).round().clamp(0.0, 65535.0) as u16
}

/// Why a payload could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HrError {
    /// Zero bytes: not even the flags.
    #[error("empty Heart Rate Measurement payload (expected at least flags + HR, 2 bytes)")]
    Empty,
    /// The flags announce a field that the payload is too short to hold.
    #[error("truncated Heart Rate Measurement: {field} needs {needed} bytes, payload has {got}")]
    Truncated {
        /// Field that did not fit (`heart rate (uint8)`, `heart rate (uint16)`, `energy expended`).
        field: &'static str,
        /// Bytes needed up to the end of that field.
        needed: usize,
        /// Bytes in the payload.
        got: usize,
    },
}

/// Decode one 0x2A37 payload. Never panics.
pub fn decode(p: &[u8]) -> Result<HeartRateMeasurement, HrError> {
    let Some(&flags) = p.first() else {
        return Err(HrError::Empty);
    };
    let hr_uint16 = flags & 0x01 != 0;
    let contact = match (flags >> 1) & 0b11 {
        0b10 => SensorContact::NotDetected,
        0b11 => SensorContact::Detected,
        _ => SensorContact::NotSupported,
    };
    let mut i = 1usize;
    let hr_bpm = if hr_uint16 {
        if p.len() < 3 {
            return Err(HrError::Truncated {
                field: "heart rate (uint16)",
                needed: 3,
                got: p.len(),
            });
        }
        i = 3;
        u16::from_le_bytes([p[1], p[2]])
    } else {
        if p.len() < 2 {
            return Err(HrError::Truncated {
                field: "heart rate (uint8)",
                needed: 2,
                got: p.len(),
            });
        }
        i += 1;
        p[1] as u16
    };
    let energy_kj = if flags & 0x08 != 0 {
        if p.len() < i + 2 {
            return Err(HrError::Truncated {
                field: "energy expended",
                needed: i + 2,
                got: p.len(),
            });
        }
        let e = u16::from_le_bytes([p[i], p[i + 1]]);
        i += 2;
        Some(e)
    } else {
        None
    };
    let rr_present = flags & 0x10 != 0;
    let mut rr_1024 = Vec::new();
    let mut odd_trailing_byte = false;
    if rr_present {
        let rest = &p[i..];
        rr_1024.reserve(rest.len() / 2);
        for c in rest.chunks_exact(2) {
            rr_1024.push(u16::from_le_bytes([c[0], c[1]]));
        }
        odd_trailing_byte = rest.len() % 2 == 1;
    }
    Ok(HeartRateMeasurement {
        hr_bpm,
        hr_uint16,
        contact,
        energy_kj,
        rr_present,
        rr_1024,
        odd_trailing_byte,
    })
}

/// Body Sensor Location (0x2A38) as text: 0 other, 1 chest, 2 wrist, 3 finger, 4 hand,
/// 5 ear lobe, 6 foot; 7–255 are reserved (BlueZ `doc/heartrate-api.txt`).
pub fn body_sensor_location(v: &[u8]) -> Option<&'static str> {
    Some(match *v.first()? {
        0 => "other",
        1 => "chest",
        2 => "wrist",
        3 => "finger",
        4 => "hand",
        5 => "ear_lobe",
        6 => "foot",
        _ => "reserved",
    })
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

    fn rr_ms(m: &HeartRateMeasurement) -> Vec<f64> {
        m.rr_ms().collect()
    }

    #[test]
    fn vector_1_uint8_one_rr() {
        let m = decode(&hex("10 48 00 04")).unwrap();
        assert_eq!(m.hr_bpm, 72);
        assert_eq!(m.contact, SensorContact::NotSupported);
        assert_eq!(m.rr_1024, vec![1024]);
        assert_eq!(rr_ms(&m), vec![1000.0]);
        assert_eq!(m.energy_kj, None);
        assert!(!m.odd_trailing_byte);
    }

    #[test]
    fn vector_2_contact_detected_two_rr() {
        let m = decode(&hex("16 4B 2A 03 4F 03")).unwrap();
        assert_eq!(m.hr_bpm, 75);
        assert_eq!(m.contact, SensorContact::Detected);
        assert_eq!(m.rr_1024, vec![810, 847]);
        let ms = rr_ms(&m);
        assert!((ms[0] - 791.0).abs() < 0.05, "{ms:?}");
        assert!((ms[1] - 827.1).abs() < 0.05, "{ms:?}");
    }

    #[test]
    fn vector_3_contact_not_detected_no_rr() {
        let m = decode(&hex("04 4C")).unwrap();
        assert_eq!(m.hr_bpm, 76);
        assert_eq!(m.contact, SensorContact::NotDetected);
        assert!(!m.rr_present);
        assert!(m.rr_1024.is_empty());
    }

    #[test]
    fn contact_bit1_alone_means_nothing() {
        let m = decode(&hex("02 4C")).unwrap();
        assert_eq!(m.contact, SensorContact::NotSupported);
    }

    #[test]
    fn vector_4_uint16_energy_rr() {
        let m = decode(&hex("19 2C 01 10 00 9A 01")).unwrap();
        assert_eq!(m.hr_bpm, 300);
        assert!(m.hr_uint16);
        assert_eq!(m.energy_kj, Some(16));
        assert_eq!(m.rr_1024, vec![410]);
        assert!((rr_ms(&m)[0] - 400.4).abs() < 0.05);
    }

    #[test]
    fn vector_5_odd_trailing_byte_flagged() {
        let m = decode(&hex("10 50 20 03 20")).unwrap();
        assert_eq!(m.hr_bpm, 80);
        assert_eq!(rr_ms(&m), vec![781.25]);
        assert!(m.odd_trailing_byte);
    }

    #[test]
    fn vector_6_empty_is_an_error() {
        assert_eq!(decode(&[]), Err(HrError::Empty));
        assert!(HrError::Empty.to_string().contains("empty"));
    }

    #[test]
    fn vector_7_truncated() {
        assert!(matches!(
            decode(&hex("00")),
            Err(HrError::Truncated {
                needed: 2,
                got: 1,
                ..
            })
        ));
        assert!(matches!(
            decode(&hex("01 48")),
            Err(HrError::Truncated {
                field: "heart rate (uint16)",
                needed: 3,
                got: 2
            })
        ));
        let e = decode(&hex("08 48 01")).unwrap_err();
        assert_eq!(
            e,
            HrError::Truncated {
                field: "energy expended",
                needed: 4,
                got: 3
            }
        );
        assert!(e.to_string().contains("energy expended"), "{e}");
    }

    #[test]
    fn vector_8_rr_flag_without_rr() {
        let m = decode(&hex("10 48")).unwrap();
        assert!(m.rr_present);
        assert!(m.rr_1024.is_empty());
        assert!(!m.odd_trailing_byte);
    }

    #[test]
    fn vector_9_reserved_bits_ignored() {
        let m = decode(&hex("F0 3C 00 04 00 04 00 04 00 04")).unwrap();
        assert_eq!(m.hr_bpm, 60);
        assert_eq!(m.rr_1024, vec![1024; 4]);
        assert_eq!(m.contact, SensorContact::NotSupported);
    }

    #[test]
    fn vectors_10_to_12_real_captures() {
        let m = decode(&hex("10 48 2C 03")).unwrap();
        assert_eq!((m.hr_bpm, m.rr_1024.clone()), (72, vec![812]));
        assert!((rr_ms(&m)[0] - 793.0).abs() < 0.05);
        let m = decode(&hex("10 49 5E 03 96 03")).unwrap();
        assert_eq!((m.hr_bpm, m.rr_1024.clone()), (73, vec![862, 918]));
        let ms = rr_ms(&m);
        assert!((ms[0] - 841.8).abs() < 0.05 && (ms[1] - 896.5).abs() < 0.05);
        let m = decode(&hex("16 42 18 04 70 01")).unwrap();
        assert_eq!(m.hr_bpm, 66);
        assert_eq!(m.contact, SensorContact::Detected);
        let ms = rr_ms(&m);
        assert!((ms[0] - 1023.4).abs() < 0.05 && (ms[1] - 359.4).abs() < 0.05);
    }

    #[test]
    fn every_flag_combination_decodes_and_round_trips() {
        for flags in 0u8..=0x1F {
            let hr16 = flags & 1 == 1;
            let mut p = vec![flags];
            if hr16 {
                p.extend_from_slice(&301u16.to_le_bytes());
            } else {
                p.push(61);
            }
            if flags & 0x08 != 0 {
                p.extend_from_slice(&513u16.to_le_bytes());
            }
            if flags & 0x10 != 0 {
                p.extend_from_slice(&[0x00, 0x03, 0x10, 0x03]);
            }
            let m = decode(&p).unwrap();
            assert_eq!(m.hr_bpm, if hr16 { 301 } else { 61 }, "flags {flags:#x}");
            assert_eq!(m.energy_kj.is_some(), flags & 0x08 != 0);
            assert_eq!(
                m.rr_1024,
                if flags & 0x10 != 0 {
                    vec![768, 784]
                } else {
                    vec![]
                }
            );
            // bit1 without bit2 re-encodes as "not supported"; everything else is identical.
            let mut canonical = p.clone();
            if canonical[0] & 0b110 == 0b010 {
                canonical[0] &= !0b010;
            }
            assert_eq!(m.encode(), canonical, "flags {flags:#x}");
        }
    }

    #[test]
    fn body_sensor_location_values() {
        assert_eq!(body_sensor_location(&[1]), Some("chest"));
        assert_eq!(body_sensor_location(&[2]), Some("wrist"));
        assert_eq!(body_sensor_location(&[9]), Some("reserved"));
        assert_eq!(body_sensor_location(&[]), None);
    }

    #[test]
    fn unit_conversion_round_trips() {
        for raw in [1u16, 410, 810, 1024, 2047, 65535] {
            assert_eq!(rr_ms_to_1024(rr_1024_to_ms(raw)), raw);
        }
    }

    proptest! {
        #[test]
        fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            if let Ok(m) = decode(&bytes) {
                // Whatever decodes re-encodes to at most the bytes it was decoded from.
                prop_assert!(m.encode().len() <= bytes.len());
            }
        }
    }
}
