//! Go's `time.Time` and `time.Duration`, as far as litd's texts need them.
//! litd keeps the history-limit rule as `{StartDate time.Time, Duration
//! time.Duration}`, and its JSON, its proto form and its error texts all go
//! through Go's time package, so the mock copies that package's arithmetic
//! (wrapping and saturating where Go does) and its text forms; the
//! `time-before` caveat is written in `RFC3339Nano`.
//!
//! Assumption: litd runs with its local zone set to UTC (the usual container
//! setup), so `time.Unix(..)` and `time.Now()` print as `+0000 UTC`.

use std::time::{SystemTime, UNIX_EPOCH};

use super::time_parse;

/// Nanoseconds since the unix epoch (negative before it).
pub(crate) fn unix_nanos(t: SystemTime) -> i128 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => d.as_nanos() as i128,
        Err(e) => -(e.duration().as_nanos() as i128),
    }
}

/// `t.UTC().Format(time.RFC3339Nano)`: trailing zeros of the fraction are
/// dropped, and the dot with them.
#[cfg(test)]
pub(crate) fn format_rfc3339_nano(t: SystemTime) -> String {
    GoTime::from_system(t)
        .rfc3339_quoted()
        .trim_matches('"')
        .to_string()
}

/// Seconds from Go's internal epoch (0001-01-01T00:00:00Z) to the unix epoch.
const UNIX_TO_INTERNAL: i64 = 62_135_596_800;
const NANOS: i64 = 1_000_000_000;

/// A Go `time.Time`: seconds since 0001-01-01 UTC (Go's internal count), a
/// nanosecond part and the zone offset it prints with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct GoTime {
    sec: i64,
    nsec: u32,
    /// Seconds east of UTC; 0 prints as `UTC`/`Z`, anything else as a
    /// nameless fixed zone (what Go's RFC 3339 parser makes of `+02:00`).
    offset: i32,
    /// The monotonic clock reading (nanoseconds since the process started)
    /// that `time.Now()` carries and `String()` prints as ` m=±s.n`.
    mono: Option<i64>,
}

/// "Now" as Go's `time.Now()` gives it: the wall clock and the monotonic
/// reading. For the mock the monotonic reading is the time on the mock's
/// clock since the core was created (litd's process start), so it is
/// deterministic under a manual clock and moves with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct GoNow {
    pub(crate) wall: SystemTime,
    pub(crate) monotonic_nanos: i64,
}

impl From<SystemTime> for GoNow {
    /// A process that started at `wall`.
    fn from(wall: SystemTime) -> GoNow {
        GoNow {
            wall,
            monotonic_nanos: 0,
        }
    }
}

impl GoTime {
    /// Go's zero time, `0001-01-01 00:00:00 +0000 UTC`.
    pub(crate) const ZERO: GoTime = GoTime {
        sec: 0,
        nsec: 0,
        offset: 0,
        mono: None,
    };

    /// A parsed civil time: unix seconds (in range), nanoseconds and the
    /// zone offset it was written with.
    pub(crate) fn from_parts(unix: i64, nsec: u32, offset: i32) -> GoTime {
        GoTime {
            sec: unix + UNIX_TO_INTERNAL,
            nsec,
            offset,
            mono: None,
        }
    }

    /// `time.Unix(secs, 0)`; the internal addition wraps like Go's int64.
    pub(crate) fn from_unix(secs: i64) -> GoTime {
        GoTime {
            sec: secs.wrapping_add(UNIX_TO_INTERNAL),
            nsec: 0,
            offset: 0,
            mono: None,
        }
    }

    /// The instant `t` (as `time.Now()` would give it, without the monotonic part).
    pub(crate) fn from_system(t: SystemTime) -> GoTime {
        let n = unix_nanos(t);
        let secs = n.div_euclid(NANOS as i128);
        let secs = secs.clamp(i64::MIN as i128, i64::MAX as i128) as i64;
        GoTime {
            sec: secs.saturating_add(UNIX_TO_INTERNAL),
            nsec: n.rem_euclid(NANOS as i128) as u32,
            offset: 0,
            mono: None,
        }
    }

    /// `time.Now()`: the instant with its monotonic reading.
    pub(crate) fn now(now: GoNow) -> GoTime {
        GoTime {
            mono: Some(now.monotonic_nanos),
            ..GoTime::from_system(now.wall)
        }
    }

    /// `t.Unix()`, wrapping like Go (the zero time gives -62135596800).
    pub(crate) fn unix(&self) -> i64 {
        self.sec.wrapping_sub(UNIX_TO_INTERNAL)
    }

    pub(crate) fn is_zero(&self) -> bool {
        self.sec == 0 && self.nsec == 0
    }

    /// `t.Before(u)`.
    pub(crate) fn before(&self, u: &GoTime) -> bool {
        self.sec < u.sec || (self.sec == u.sec && self.nsec < u.nsec)
    }

    /// `t.Add(d)`: seconds saturate at the ends of int64 as in Go.
    pub(crate) fn add(&self, d: i64) -> GoTime {
        let mut dsec = d / NANOS;
        let mut nsec = self.nsec as i64 + d % NANOS;
        if nsec >= NANOS {
            dsec += 1;
            nsec -= NANOS;
        } else if nsec < 0 {
            dsec -= 1;
            nsec += NANOS;
        }
        let sum = self.sec.wrapping_add(dsec);
        let sec = if (sum > self.sec) == (dsec > 0) {
            sum
        } else if dsec > 0 {
            i64::MAX
        } else {
            -i64::MAX
        };
        // Go keeps the monotonic reading unless adding overflows it.
        let mono = self.mono.and_then(|m| m.checked_add(d));
        GoTime {
            sec,
            nsec: nsec as u32,
            offset: self.offset,
            mono,
        }
    }

    /// `t.Sub(u)` in nanoseconds, saturating like Go.
    pub(crate) fn sub(&self, u: &GoTime) -> i64 {
        let d =
            (self.sec as i128 - u.sec as i128) * NANOS as i128 + self.nsec as i128 - u.nsec as i128;
        d.clamp(i64::MIN as i128, i64::MAX as i128) as i64
    }

    /// The civil fields in the time's own zone:
    /// (year, month, day, hour, minute, second).
    fn civil(&self) -> (i128, u32, u32, u32, u32, u32) {
        let local = self.sec as i128 - UNIX_TO_INTERNAL as i128 + self.offset as i128;
        let days = local.div_euclid(86_400);
        let secs = local.rem_euclid(86_400) as u32;
        let (y, m, d) = civil_from_days(days);
        (y, m, d, secs / 3600, secs / 60 % 60, secs % 60)
    }

    /// `t.String()`: `2006-01-02 15:04:05.999999999 -0700 MST`, then
    /// ` m=±<seconds>.<9 digits>` when the time carries a monotonic reading.
    pub(crate) fn go_string(&self) -> String {
        let (y, mo, d, h, mi, s) = self.civil();
        let zone = offset_text(self.offset, false);
        let name = if self.offset == 0 {
            "UTC".to_string()
        } else {
            zone.clone()
        };
        let mut text = format!(
            "{}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}{} {zone} {name}",
            year_text(y),
            nanos_text(self.nsec)
        );
        if let Some(m) = self.mono {
            let sign = if m < 0 { '-' } else { '+' };
            let m = m.unsigned_abs();
            text.push_str(&format!(
                " m={sign}{}.{:09}",
                m / NANOS as u64,
                m % NANOS as u64
            ));
        }
        text
    }

    /// `t.MarshalJSON()` as `encoding/json` reports it: RFC 3339 with
    /// nanoseconds, quoted; years outside 0..=9999 fail as in Go.
    pub(crate) fn marshal_json(&self) -> Result<String, String> {
        if !(0..=9999).contains(&self.civil().0) {
            return Err("json: error calling MarshalJSON for type time.Time: \
                 Time.MarshalJSON: year outside of range [0,9999]"
                .to_string());
        }
        Ok(self.rfc3339_quoted())
    }

    /// What Go formats before its year check: RFC 3339 with nanoseconds,
    /// quoted, whatever the year.
    pub(crate) fn rfc3339_quoted(&self) -> String {
        let (y, mo, d, h, mi, s) = self.civil();
        let zone = if self.offset == 0 {
            "Z".to_string()
        } else {
            offset_text(self.offset, true)
        };
        format!(
            "\"{}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}{}{zone}\"",
            year_text(y),
            nanos_text(self.nsec)
        )
    }

    /// Go's `Time.UnmarshalJSON` on the bytes between the quotes of a JSON
    /// string (Go does not unescape them first): strict RFC 3339.
    pub(crate) fn parse_rfc3339(b: &[u8]) -> Result<GoTime, String> {
        time_parse::parse_fast(b).ok_or_else(|| time_parse::parse_error(b))
    }
}

/// Go's `appendInt(year, 4)`: a sign, then at least four digits.
fn year_text(y: i128) -> String {
    if y < 0 {
        format!("-{:04}", -y)
    } else {
        format!("{y:04}")
    }
}

/// `.999999999`: the fraction without trailing zeros, or nothing.
fn nanos_text(nsec: u32) -> String {
    if nsec == 0 {
        return String::new();
    }
    let digits = format!("{nsec:09}");
    format!(".{}", digits.trim_end_matches('0'))
}

/// `-0700` (or `-07:00` with `colon`).
fn offset_text(offset: i32, colon: bool) -> String {
    let zone = offset / 60;
    let sign = if zone < 0 { '-' } else { '+' };
    let zone = zone.unsigned_abs();
    let sep = if colon { ":" } else { "" };
    format!("{sign}{:02}{sep}{:02}", zone / 60, zone % 60)
}

/// The inverse of [`civil_from_days`].
pub(super) fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Days since 1970-01-01 to a proleptic Gregorian date (H. Hinnant's method).
fn civil_from_days(days: i128) -> (i128, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i128::from(m <= 2);
    (y, m, d)
}

/// `Duration.String()`: `1h2m3.5s`, `1.5ms`, `0s`.
pub(crate) fn duration_string(d: i64) -> String {
    let neg = d < 0;
    let mut u = d.unsigned_abs();
    // Built back to front, as Go does.
    let mut out: Vec<u8> = Vec::new();
    let frac = |out: &mut Vec<u8>, v: u64, prec: u32| -> u64 {
        let mut v = v;
        let mut print = false;
        for _ in 0..prec {
            let digit = (v % 10) as u8;
            print = print || digit != 0;
            if print {
                out.push(b'0' + digit);
            }
            v /= 10;
        }
        if print {
            out.push(b'.');
        }
        v
    };
    let int = |out: &mut Vec<u8>, v: u64| {
        out.extend(v.to_string().bytes().rev());
    };
    if u < NANOS as u64 {
        let (prec, unit) = match u {
            0 => return "0s".to_string(),
            1..=999 => (0, "ns"),
            1_000..=999_999 => (3, "µs"),
            _ => (6, "ms"),
        };
        out.extend(unit.bytes().rev());
        u = frac(&mut out, u, prec);
        int(&mut out, u);
    } else {
        out.push(b's');
        u = frac(&mut out, u, 9);
        int(&mut out, u % 60);
        u /= 60;
        if u > 0 {
            out.push(b'm');
            int(&mut out, u % 60);
            u /= 60;
            if u > 0 {
                out.push(b'h');
                int(&mut out, u);
            }
        }
    }
    if neg {
        out.push(b'-');
    }
    out.reverse();
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
#[path = "time_tests.rs"]
mod tests;
