//! `rate-limit`: how many read and how many write calls the autopilot may
//! make per number of hours. litd: `rules/rate_limit.go`, Go struct
//! `RateLimit{WriteLimit, ReadLimit *Rate}` (JSON in that field order).

use super::{Rate, RateLimit, RuleValue};
use crate::gocompat::json::{each_field, At, Dec, Json};

/// litd dereferences both limits of a request without a nil check, so a
/// request that leaves one out crashes the litd process (there is no
/// recovery interceptor). The mock refuses it instead, with this text of
/// its own.
pub(super) const MISSING: &str = "rate-limit needs both read_limit and write_limit";

const FIELDS: [&str; 2] = ["write_limit", "read_limit"];

pub(super) fn from_value(v: Option<&RuleValue>) -> Result<RateLimit, String> {
    match v {
        Some(RuleValue::RateLimit(rl)) if rl.read_limit.is_some() && rl.write_limit.is_some() => {
            Ok(*rl)
        }
        Some(RuleValue::RateLimit(_)) => Err(MISSING.to_string()),
        _ => Err("incorrect RuleValue type".to_string()),
    }
}

/// The server's JSON, decoded as Go fills a zero `RateLimit`. A missing or
/// null limit stays nil (`None`), as in Go.
pub(super) fn decode(dec: &mut Dec, v: &Json) -> RateLimit {
    let mut out = RateLimit::default();
    let root = At::default();
    if let Some(members) = dec.object(v, "rules.RateLimit", &root) {
        each_field(members, &FIELDS, |i, fv| {
            let at = root.field("RateLimit", FIELDS[i]);
            let slot = if i == 0 {
                &mut out.write_limit
            } else {
                &mut out.read_limit
            };
            decode_rate(dec, fv, &at, slot);
        });
    }
    out
}

/// A `*Rate` field: null makes it nil, an object fills the existing value
/// (Go reuses a pointer that is already set).
fn decode_rate(dec: &mut Dec, v: &Json, at: &At, slot: &mut Option<Rate>) {
    if matches!(v, Json::Null) {
        *slot = None;
        return;
    }
    let mut rate = slot.unwrap_or_default();
    if let Some(members) = dec.object(v, "rules.Rate", at) {
        each_field(members, &["iterations", "num_hours"], |i, fv| {
            let name = if i == 0 { "iterations" } else { "num_hours" };
            if let Some(n) = dec.uint(fv, 32, "uint32", &at.field("Rate", name)) {
                if i == 0 {
                    rate.iterations = n as u32;
                } else {
                    rate.num_hours = n as u32;
                }
            }
        });
    }
    *slot = Some(rate);
}

fn rate_json(r: Option<Rate>) -> String {
    match r {
        Some(r) => format!(
            "{{\"iterations\":{},\"num_hours\":{}}}",
            r.iterations, r.num_hours
        ),
        None => "null".to_string(),
    }
}

pub(super) fn to_json(v: &RateLimit) -> String {
    format!(
        "{{\"write_limit\":{},\"read_limit\":{}}}",
        rate_json(v.write_limit),
        rate_json(v.read_limit)
    )
}

/// `rate < other` with Go's float64 division (x/0 is Inf, 0/0 is NaN and
/// compares false, so a NaN rate passes).
fn less(a: Rate, b: Rate) -> bool {
    f64::from(a.iterations) / f64::from(a.num_hours)
        < f64::from(b.iterations) / f64::from(b.num_hours)
}

/// litd's `VerifySane`: read first, then write; each must lie between the
/// min's and the max's rate. Where litd would dereference a nil limit (only
/// possible with limits missing from the server's JSON) the mock answers
/// with an error of its own instead of crashing.
pub(super) fn check(v: &RateLimit, min: &RateLimit, max: &RateLimit) -> Result<(), String> {
    let pairs = [
        ("read", v.read_limit, min.read_limit, max.read_limit),
        ("write", v.write_limit, min.write_limit, max.write_limit),
    ];
    for (which, val, lo, hi) in pairs {
        let missing = || format!("cannot check rate-limit: a {which} limit is missing");
        let (val, lo) = (val.ok_or_else(missing)?, lo.ok_or_else(missing)?);
        // Go's `||` stops at the first true side, so max is only read
        // when the min side passed.
        if less(val, lo) || less(hi.ok_or_else(missing)?, val) {
            return Err(format!("{which} limit is not between the min and max"));
        }
    }
    Ok(())
}

fn rate_dump(r: Option<Rate>) -> String {
    match r {
        Some(r) => format!("%!s(*rules.Rate=&{{{} {}}})", r.iterations, r.num_hours),
        None => "%!s(*rules.Rate=<nil>)".to_string(),
    }
}

/// Go's `%s` of `*RateLimit`. The pointer fields go through fmt's bad-verb
/// path, which prints the value behind them, not an address.
pub(super) fn go_dump(v: &RateLimit) -> String {
    format!(
        "&{{{} {}}}",
        rate_dump(v.write_limit),
        rate_dump(v.read_limit)
    )
}
