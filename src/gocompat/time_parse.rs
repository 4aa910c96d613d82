//! Go's `time.Parse` for the two layouts litd's texts go through, and the
//! strict RFC 3339 reader of `Time.UnmarshalJSON`:
//! * `time.RFC3339Nano`: the bakery's `time-before` checker parses its
//!   argument with it and returns the error verbatim;
//! * `time.RFC3339`: what `UnmarshalJSON` falls back to for input its fast
//!   parser refuses, so a bad history-limit `start_date` reads as Go's.
//!
//! The general parser walks the layout element by element, in the order and
//! with the leniency of Go's `time.parse` (one-digit hours, `,` as a decimal
//! mark, fractions of any length, offsets up to 24:60).

use super::fmt::time_quote as quote;
use super::time::{days_from_civil, GoTime};

/// `time.RFC3339`.
pub(crate) const RFC3339: &str = "2006-01-02T15:04:05Z07:00";
/// `time.RFC3339Nano`.
pub(crate) const RFC3339_NANO: &str = "2006-01-02T15:04:05.999999999Z07:00";

fn days_in(month: i64, year: i64) -> i64 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

fn digit(b: &[u8], i: usize) -> bool {
    b.get(i).is_some_and(u8::is_ascii_digit)
}

/// A fixed-width unsigned decimal field within `[min, max]`.
fn field(b: &[u8], min: i64, max: i64) -> Option<i64> {
    if b.is_empty() || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let v = b.iter().fold(0i64, |x, c| x * 10 + i64::from(c - b'0'));
    (min..=max).contains(&v).then_some(v)
}

/// Go's `getnum`: one or two leading digits (two required when `fixed`),
/// and how many were used.
fn getnum(s: &[u8], fixed: bool) -> Option<(i64, usize)> {
    match (digit(s, 0), digit(s, 1)) {
        (false, _) => None,
        (true, false) if fixed => None,
        (true, false) => Some((i64::from(s[0] - b'0'), 1)),
        (true, true) => Some((i64::from(s[0] - b'0') * 10 + i64::from(s[1] - b'0'), 2)),
    }
}

/// What the general parser read: unix seconds, nanoseconds, the offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Parsed {
    pub(crate) unix: i64,
    pub(crate) nsec: u32,
    pub(crate) offset: i32,
}

/// Go's `time.Parse(layout, v)` for [`RFC3339`] or [`RFC3339_NANO`] (they
/// read the same; only the layout named in the errors differs).
pub(crate) fn parse(v: &[u8], layout: &str) -> Result<Parsed, String> {
    let cannot = |value: &[u8], elem: &str| {
        format!(
            "parsing time {} as {}: cannot parse {} as {}",
            quote(v),
            quote(layout.as_bytes()),
            quote(value),
            quote(elem.as_bytes())
        )
    };
    let range = |what: &str| format!("parsing time {}: {what} out of range", quote(v));
    let mut r = v;
    if r.len() < 4 || !r[..4].iter().all(u8::is_ascii_digit) {
        return Err(cannot(r, "2006"));
    }
    let year = field(&r[..4], 0, 9999).unwrap_or(0);
    r = &r[4..];
    // month, day, hour, minute, second
    let mut nums = [0i64; 5];
    for (i, (sep, elem, fixed)) in [
        ("-", "01", true),
        ("-", "02", true),
        ("T", "15", false),
        (":", "04", true),
        (":", "05", true),
    ]
    .into_iter()
    .enumerate()
    {
        if r.first() != sep.as_bytes().first() {
            return Err(cannot(r, sep));
        }
        r = &r[1..];
        let Some((n, used)) = getnum(r, fixed) else {
            return Err(cannot(r, elem));
        };
        r = &r[used..];
        nums[i] = n;
        let bad = match elem {
            "01" => (!(1..=12).contains(&n)).then_some("month"),
            "15" => (n >= 24).then_some("hour"),
            "04" => (n >= 60).then_some("minute"),
            "05" => (n >= 60).then_some("second"),
            _ => None,
        };
        if let Some(what) = bad {
            return Err(range(what));
        }
    }
    // A fraction, with or without one in the layout; only 9 digits count.
    let mut nsec = 0u32;
    if r.len() >= 2 && (r[0] == b'.' || r[0] == b',') && digit(r, 1) {
        let n = 1 + r[1..].iter().take_while(|c| c.is_ascii_digit()).count();
        let used = (n - 1).min(9);
        nsec = r[1..=used]
            .iter()
            .fold(0u32, |x, c| x * 10 + u32::from(c - b'0'));
        nsec *= 10u32.pow((9 - used) as u32);
        r = &r[n..];
    }
    let mut offset = 0i64;
    if r.first() == Some(&b'Z') {
        r = &r[1..];
    } else {
        let hold = r;
        if r.len() < 6 || r[3] != b':' {
            return Err(cannot(hold, "Z07:00"));
        }
        // Go fills in the range message first (minute over hour), then
        // the parse failure.
        let hr = getnum(&r[1..3], true);
        let mm = hr.and_then(|_| getnum(&r[4..6], true));
        let (h, m) = (hr.map_or(0, |x| x.0), mm.map_or(0, |x| x.0));
        if m > 60 {
            return Err(range("time zone offset minute"));
        }
        if h > 24 {
            return Err(range("time zone offset hour"));
        }
        let sign = match r[0] {
            b'+' => 1,
            b'-' => -1,
            _ => return Err(cannot(hold, "Z07:00")),
        };
        if mm.is_none() {
            return Err(cannot(hold, "Z07:00"));
        }
        offset = sign * (h * 3600 + m * 60);
        r = &r[6..];
    }
    if !r.is_empty() {
        return Err(format!(
            "parsing time {}: extra text: {}",
            quote(v),
            quote(r)
        ));
    }
    let [month, day, hour, minute, second] = nums;
    if day < 1 || day > days_in(month, year) {
        return Err(range("day"));
    }
    let unix =
        days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second - offset;
    Ok(Parsed {
        unix,
        nsec,
        offset: offset as i32,
    })
}

/// Go's `time.Parse(time.RFC3339Nano, value)` as unix nanoseconds, or its
/// error text (the bakery's `time-before` checker).
pub(crate) fn parse_rfc3339_nano(value: &[u8]) -> Result<i128, String> {
    let p = parse(value, RFC3339_NANO)?;
    Ok(i128::from(p.unix) * 1_000_000_000 + i128::from(p.nsec))
}

/// Go's fast RFC 3339 parser (the only form `UnmarshalJSON` accepts).
pub(super) fn parse_fast(s: &[u8]) -> Option<GoTime> {
    if s.len() < 19 {
        return None;
    }
    let year = field(&s[0..4], 0, 9999)?;
    let month = field(&s[5..7], 1, 12)?;
    let day = field(&s[8..10], 1, days_in(month, year))?;
    let hour = field(&s[11..13], 0, 23)?;
    let min = field(&s[14..16], 0, 59)?;
    let sec = field(&s[17..19], 0, 59)?;
    if !(s[4] == b'-' && s[7] == b'-' && s[10] == b'T' && s[13] == b':' && s[16] == b':') {
        return None;
    }
    let mut rest = &s[19..];
    let mut nsec = 0u32;
    if rest.len() >= 2 && rest[0] == b'.' && digit(rest, 1) {
        let n = 1 + rest[1..].iter().take_while(|c| c.is_ascii_digit()).count();
        let mut frac = rest[1..n.min(10)].to_vec();
        frac.resize(9, b'0');
        nsec = frac.iter().fold(0u32, |x, c| x * 10 + u32::from(c - b'0'));
        rest = &rest[n..];
    }
    let mut offset = 0i64;
    if rest != b"Z" {
        if rest.len() != 6 {
            return None;
        }
        let hr = field(&rest[1..3], 0, 23)?;
        let mm = field(&rest[4..6], 0, 59)?;
        if !((rest[0] == b'-' || rest[0] == b'+') && rest[3] == b':') {
            return None;
        }
        offset = (hr * 60 + mm) * 60;
        if rest[0] == b'-' {
            offset = -offset;
        }
    }
    let unix = days_from_civil(year, month, day) * 86_400 + hour * 3600 + min * 60 + sec - offset;
    Some(GoTime::from_parts(unix, nsec, offset as i32))
}

/// The error Go reports for input its fast parser refused: the general
/// `time.Parse(RFC3339, ..)` runs first, then the strict checks it skips.
pub(super) fn parse_error(v: &[u8]) -> String {
    if let Err(e) = parse(v, RFC3339) {
        return e;
    }
    let cannot = |value: &[u8], elem: &str| {
        format!(
            "parsing time {} as {}: cannot parse {} as {}",
            quote(v),
            quote(RFC3339.as_bytes()),
            quote(value),
            quote(elem.as_bytes())
        )
    };
    // The general parser accepted it; these are the strict checks.
    let num2 =
        |b: &[u8]| i64::from(b[0].wrapping_sub(b'0')) * 10 + i64::from(b[1].wrapping_sub(b'0'));
    let n = v.len();
    if v.get(12) == Some(&b':') {
        cannot(&v[11..12], "15")
    } else if v.get(19) == Some(&b',') {
        cannot(b",", ".")
    } else if v[n - 1] != b'Z' && num2(&v[n - 5..n - 3]) >= 24 {
        format!("parsing time {}: timezone hour out of range", quote(v))
    } else if v[n - 1] != b'Z' && num2(&v[n - 2..]) >= 60 {
        format!("parsing time {}: timezone minute out of range", quote(v))
    } else {
        cannot(v, RFC3339)
    }
}
