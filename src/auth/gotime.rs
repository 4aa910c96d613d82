//! Go's `time.Parse(time.RFC3339Nano, s)` and `Format(time.RFC3339Nano)`.
//!
//! The bakery's `time-before` checker parses its argument with Go's general
//! layout parser and returns that parser's error verbatim, so a malformed
//! caveat shows texts such as
//! `parsing time "x" as "2006-01-02T15:04:05.999999999Z07:00": cannot parse "x" as "2006"`.
//! This module walks the one layout the checker uses, element by element, in
//! the order and with the leniency of Go's `time.parse` (one-digit hours,
//! `,` as a decimal mark, fractions of any length, offsets up to 24:60).

use std::time::{SystemTime, UNIX_EPOCH};

use super::gofmt::time_quote;

/// `time.RFC3339Nano`.
pub(crate) const LAYOUT: &str = "2006-01-02T15:04:05.999999999Z07:00";

/// Nanoseconds since the Unix epoch (negative before it).
pub(crate) type UnixNanos = i128;

/// Converts a `SystemTime` to nanoseconds since the Unix epoch.
pub(crate) fn system_time_nanos(t: SystemTime) -> UnixNanos {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => d.as_nanos() as i128,
        Err(e) => -(e.duration().as_nanos() as i128),
    }
}

/// Formats `t` (in UTC) the way Go's `t.UTC().Format(time.RFC3339Nano)` does:
/// trailing zeros of the fraction are dropped, and the dot with them.
pub(crate) fn format_rfc3339_nano(t: SystemTime) -> String {
    let odt = time::OffsetDateTime::from(t);
    let mut s = format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
        odt.year(),
        u8::from(odt.month()),
        odt.day(),
        odt.hour(),
        odt.minute(),
        odt.second()
    );
    let nanos = odt.nanosecond();
    if nanos != 0 {
        let frac = format!("{nanos:09}");
        s.push('.');
        s.push_str(frac.trim_end_matches('0'));
    }
    s.push('Z');
    s
}

fn is_digit(s: &[u8], i: usize) -> bool {
    s.get(i).is_some_and(u8::is_ascii_digit)
}

/// Go's `getnum`: one or two leading digits; `fixed` demands two.
fn getnum(s: &[u8], fixed: bool) -> Option<(u32, &[u8])> {
    if !is_digit(s, 0) {
        return None;
    }
    let d0 = u32::from(s[0] - b'0');
    if !is_digit(s, 1) {
        return if fixed { None } else { Some((d0, &s[1..])) };
    }
    Some((d0 * 10 + u32::from(s[1] - b'0'), &s[2..]))
}

struct Parse<'a> {
    whole: &'a [u8],
}

impl Parse<'_> {
    /// `cannot parse "<value>" as "<element>"`.
    fn bad(&self, elem: &str, value: &[u8]) -> String {
        format!(
            "parsing time {} as {}: cannot parse {} as {}",
            time_quote(self.whole),
            time_quote(LAYOUT.as_bytes()),
            time_quote(value),
            time_quote(elem.as_bytes())
        )
    }

    /// `parsing time "<whole>"<message>` (range and extra-text errors).
    fn msg(&self, message: &str) -> String {
        format!("parsing time {}{}", time_quote(self.whole), message)
    }

    fn out_of_range(&self, what: &str) -> String {
        self.msg(&format!(": {what} out of range"))
    }

    fn skip<'v>(&self, value: &'v [u8], prefix: u8) -> Result<&'v [u8], String> {
        match value.split_first() {
            Some((&b, rest)) if b == prefix => Ok(rest),
            _ => Err(self.bad(&char::from(prefix).to_string(), value)),
        }
    }

    /// A two-digit field with an upper bound (exclusive) for the range error.
    fn number<'v>(
        &self,
        value: &'v [u8],
        elem: &str,
        fixed: bool,
        limit: Option<(u32, &str)>,
    ) -> Result<(u32, &'v [u8]), String> {
        let (n, rest) = getnum(value, fixed).ok_or_else(|| self.bad(elem, value))?;
        if let Some((max, what)) = limit {
            if n >= max {
                return Err(self.out_of_range(what));
            }
        }
        Ok((n, rest))
    }
}

/// Parses like Go's `time.Parse(time.RFC3339Nano, value)` and returns the
/// instant in Unix nanoseconds, or Go's error text.
pub(crate) fn parse_rfc3339_nano(value: &[u8]) -> Result<UnixNanos, String> {
    let p = Parse { whole: value };
    let v = value;

    // "2006": exactly four digits.
    if v.len() < 4 || !v[..4].iter().all(u8::is_ascii_digit) {
        return Err(p.bad("2006", v));
    }
    let year: i32 = v[..4]
        .iter()
        .fold(0, |acc, d| acc * 10 + i32::from(d - b'0'));
    let v = p.skip(&v[4..], b'-')?;
    let (month, v) = p.number(v, "01", true, None)?;
    if month == 0 || month > 12 {
        return Err(p.out_of_range("month"));
    }
    let v = p.skip(v, b'-')?;
    let (day, v) = p.number(v, "02", true, None)?;
    let v = p.skip(v, b'T')?;
    let (hour, v) = p.number(v, "15", false, Some((24, "hour")))?;
    let v = p.skip(v, b':')?;
    let (minute, v) = p.number(v, "04", true, Some((60, "minute")))?;
    let v = p.skip(v, b':')?;
    let (second, mut v) = p.number(v, "05", true, Some((60, "second")))?;

    // ".999999999": optional; any number of digits, only the first nine count.
    let mut nanos: u32 = 0;
    if v.len() >= 2 && (v[0] == b'.' || v[0] == b',') && v[1].is_ascii_digit() {
        let digits = v[1..].iter().take_while(|b| b.is_ascii_digit()).count();
        let used = digits.min(9);
        nanos = v[1..=used]
            .iter()
            .fold(0, |acc, d| acc * 10 + u32::from(d - b'0'));
        nanos *= 10u32.pow((9 - used) as u32);
        v = &v[1 + digits..];
    }

    // "Z07:00".
    let offset_secs: i64;
    if let Some(rest) = v.strip_prefix(b"Z") {
        offset_secs = 0;
        v = rest;
    } else {
        let hold = v;
        if v.len() < 6 || v[3] != b':' {
            return Err(p.bad("Z07:00", hold));
        }
        let hr = getnum(&v[1..3], true);
        let mm = hr.and_then(|_| getnum(&v[4..6], true));
        let (h, m) = (hr.map_or(0, |x| x.0), mm.map_or(0, |x| x.0));
        let mut range = None;
        if h > 24 {
            range = Some("time zone offset hour");
        }
        if m > 60 {
            range = Some("time zone offset minute");
        }
        let sign = match v[0] {
            b'+' => Some(1),
            b'-' => Some(-1),
            _ => None,
        };
        if let Some(what) = range {
            return Err(p.out_of_range(what));
        }
        let (Some(sign), Some(_)) = (sign, mm) else {
            return Err(p.bad("Z07:00", hold));
        };
        offset_secs = sign * (i64::from(h) * 3600 + i64::from(m) * 60);
        v = &v[6..];
    }

    if !v.is_empty() {
        return Err(p.msg(&format!(": extra text: {}", time_quote(v))));
    }
    let month = time::Month::try_from(month as u8).map_err(|_| p.out_of_range("month"))?;
    let date = u8::try_from(day)
        .ok()
        .and_then(|d| time::Date::from_calendar_date(year, month, d).ok())
        .ok_or_else(|| p.out_of_range("day"))?;
    let clock = time::Time::from_hms_nano(hour as u8, minute as u8, second as u8, nanos)
        .map_err(|_| p.out_of_range("second"))?;
    let utc = time::PrimitiveDateTime::new(date, clock).assume_utc();
    Ok(utc.unix_timestamp_nanos() - i128::from(offset_secs) * 1_000_000_000)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn err(s: &str) -> String {
        parse_rfc3339_nano(s.as_bytes()).unwrap_err()
    }

    #[test]
    fn parses_what_go_accepts() {
        let base = parse_rfc3339_nano(b"2024-01-02T03:04:05Z").unwrap();
        assert_eq!(base, 1_704_164_645 * 1_000_000_000);
        assert_eq!(
            parse_rfc3339_nano(b"2024-01-02T03:04:05.5Z").unwrap(),
            base + 500_000_000
        );
        assert_eq!(
            parse_rfc3339_nano(b"2024-01-02T03:04:05,1234567891234Z").unwrap(),
            base + 123_456_789
        );
        assert_eq!(
            parse_rfc3339_nano(b"2024-01-02T05:04:05+02:00").unwrap(),
            base
        );
        // Go's general parser takes a one-digit hour.
        assert_eq!(parse_rfc3339_nano(b"2024-01-02T3:04:05Z").unwrap(), base);
    }

    #[test]
    fn errors_match_go() {
        assert_eq!(
            err("x"),
            "parsing time \"x\" as \"2006-01-02T15:04:05.999999999Z07:00\": cannot parse \"x\" as \"2006\""
        );
        assert_eq!(
            err("2024/01"),
            "parsing time \"2024/01\" as \"2006-01-02T15:04:05.999999999Z07:00\": cannot parse \"/01\" as \"-\""
        );
        assert_eq!(
            err("2024-13-01T00:00:00Z"),
            "parsing time \"2024-13-01T00:00:00Z\": month out of range"
        );
        assert_eq!(
            err("2023-02-29T00:00:00Z"),
            "parsing time \"2023-02-29T00:00:00Z\": day out of range"
        );
        assert_eq!(
            err("2024-01-01T24:00:00Z"),
            "parsing time \"2024-01-01T24:00:00Z\": hour out of range"
        );
        assert_eq!(
            err("2024-01-01T00:00:00"),
            "parsing time \"2024-01-01T00:00:00\" as \"2006-01-02T15:04:05.999999999Z07:00\": cannot parse \"\" as \"Z07:00\""
        );
        assert_eq!(
            err("2024-01-01T00:00:00Zjunk"),
            "parsing time \"2024-01-01T00:00:00Zjunk\": extra text: \"junk\""
        );
        assert_eq!(
            err("2024-01-01T00:00:00+25:00"),
            "parsing time \"2024-01-01T00:00:00+25:00\": time zone offset hour out of range"
        );
    }

    #[test]
    fn formats_like_go() {
        let t = UNIX_EPOCH + Duration::new(1_704_164_645, 120_000_000);
        assert_eq!(format_rfc3339_nano(t), "2024-01-02T03:04:05.12Z");
        let t = UNIX_EPOCH + Duration::from_secs(1_704_164_645);
        assert_eq!(format_rfc3339_nano(t), "2024-01-02T03:04:05Z");
        assert_eq!(
            parse_rfc3339_nano(format_rfc3339_nano(t).as_bytes()).unwrap(),
            system_time_nanos(t)
        );
    }
}
