//! `history-limit`: how far back the autopilot may read. litd:
//! `rules/history_limit.go`, Go struct `HistoryLimit{StartDate time.Time,
//! Duration time.Duration}`; either a fixed start date or a duration back
//! from now.

use super::{HistoryLimit, RuleValue};
use crate::gocompat::json::{each_field, At, Dec, Json};
use crate::gocompat::time::{duration_string, GoNow, GoTime};

const NANOS: i64 = 1_000_000_000;

/// The checked value, as litd holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct HistoryLimitRule {
    /// The zero time means "use the duration".
    pub(crate) start_date: GoTime,
    /// Nanoseconds (Go's `time.Duration`).
    pub(crate) duration: i64,
}

/// litd converts the proto form like this: a start time becomes
/// `time.Unix(int64(start), 0)` (huge values wrap negative), a duration
/// becomes `time.Second * time.Duration(d)` (which wraps in int64 for
/// values over about 292 years). Both zero is allowed and means "now".
pub(super) fn from_value(v: Option<&RuleValue>) -> Result<HistoryLimitRule, String> {
    let Some(RuleValue::HistoryLimit(h)) = v else {
        return Err("incorrect RuleValue type".to_string());
    };
    if h.start_time != 0 && h.duration != 0 {
        return Err("cant set both start time and duration".to_string());
    }
    if h.start_time != 0 {
        return Ok(HistoryLimitRule {
            start_date: GoTime::from_unix(h.start_time as i64),
            duration: 0,
        });
    }
    Ok(HistoryLimitRule {
        start_date: GoTime::ZERO,
        duration: (h.duration as i64).wrapping_mul(NANOS),
    })
}

/// The server's JSON. A bad `start_date` stops decoding at once with the
/// time package's error (Go's `UnmarshalJSON` errors are not saved for
/// later like type mismatches).
pub(super) fn decode(dec: &mut Dec, v: &Json) -> Result<HistoryLimitRule, String> {
    let mut out = HistoryLimitRule::default();
    let root = At::default();
    let mut fatal = None;
    if let Some(members) = dec.object(v, "rules.HistoryLimit", &root) {
        each_field(members, &["start_date", "duration"], |i, fv| {
            if fatal.is_some() {
                return;
            }
            if i == 0 {
                match fv {
                    Json::Null => {}
                    Json::String { raw, .. } => match GoTime::parse_rfc3339(raw) {
                        Ok(t) => out.start_date = t,
                        Err(e) => fatal = Some(e),
                    },
                    _ => fatal = Some("Time.UnmarshalJSON: input is not a JSON string".into()),
                }
            } else {
                let at = root.field("HistoryLimit", "duration");
                if let Some(n) = dec.int(fv, "time.Duration", &at) {
                    out.duration = n;
                }
            }
        });
    }
    fatal.map_or(Ok(out), Err)
}

/// `{"start_date":"<RFC 3339 nano>","duration":<ns>}`, duration left out
/// when 0 (`omitempty`; on the time field `omitempty` has no effect). A
/// start date outside years 0..=9999 fails as Go's marshaller does.
pub(super) fn try_to_json(v: &HistoryLimitRule) -> Result<String, String> {
    v.start_date.marshal_json()?;
    Ok(to_json_unchecked(v))
}

/// The same text without Go's year check (the year is written as is).
pub(super) fn to_json_unchecked(v: &HistoryLimitRule) -> String {
    let start = v.start_date.rfc3339_quoted();
    if v.duration == 0 {
        format!("{{\"start_date\":{start}}}")
    } else {
        format!("{{\"start_date\":{start},\"duration\":{}}}", v.duration)
    }
}

/// `uint64(d.Seconds())` as Go compiles it for amd64: the float is
/// truncated through a signed conversion, so a negative duration wraps.
/// (On arm64 Go would give 0 instead.)
fn whole_seconds(d: i64) -> u64 {
    let secs = (d / NANOS) as f64 + (d % NANOS) as f64 / 1e9;
    secs.trunc() as i64 as u64
}

/// The proto form: `start_time` is `StartDate.Unix()` as a uint64, so the
/// zero time gives 2^64 - 62135596800.
pub(super) fn to_value(v: &HistoryLimitRule) -> RuleValue {
    RuleValue::HistoryLimit(HistoryLimit {
        start_time: v.start_date.unix() as u64,
        duration: whole_seconds(v.duration),
    })
}

fn effective_start(v: &HistoryLimitRule, now: GoTime) -> GoTime {
    if v.start_date.is_zero() {
        now.add(v.duration.wrapping_neg())
    } else {
        v.start_date
    }
}

/// The value's start must be strictly before the minimum's; max is ignored.
/// litd reads the clock once per side, the minimum's a moment after the
/// value's, which is why an equal duration passes there; the mock models
/// that moment as one nanosecond. The message shows the minimum's start as
/// Go's `Time.String()` and `time.Since` of it; a start computed from
/// `time.Now()` prints its monotonic reading (` m=-86399.999999569`),
/// a fixed start date from JSON does not (reference, Correction 5).
pub(super) fn check(
    v: &HistoryLimitRule,
    min: &HistoryLimitRule,
    now: GoNow,
) -> Result<(), String> {
    let now = GoTime::now(now);
    if effective_start(v, now).before(&effective_start(min, now.add(1))) {
        return Ok(());
    }
    let shown = effective_start(min, now);
    Err(format!(
        "history-limit start date not valid for given the minimum required start date. \
         Start date should at least be {} or the duration should at least be {}",
        shown.go_string(),
        duration_string(now.sub(&shown))
    ))
}

/// Go's `%s` of `*HistoryLimit`: both fields have `String()` methods.
pub(super) fn go_dump(v: &HistoryLimitRule) -> String {
    format!(
        "&{{{} {}}}",
        v.start_date.go_string(),
        duration_string(v.duration)
    )
}
