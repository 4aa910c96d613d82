//! `channel-policy-bounds`: the range of fee and HTLC policy values the
//! autopilot may set. litd: `rules/chan_policy_bounds.go`, Go struct
//! `ChanPolicyBounds`.

use super::{ChannelPolicyBounds, RuleValue};
use crate::gocompat::json::{flat_struct, Dec, Field, Json};

const FIELDS: [Field; 8] = [
    Field::U64("min_base_msat"),
    Field::U64("max_base_msat"),
    Field::U32("min_rate_ppm"),
    Field::U32("max_rate_ppm"),
    Field::U32("min_cltv_delta"),
    Field::U32("max_cltv_delta"),
    Field::U64("min_htlc_msat"),
    Field::U64("max_htlc_msat"),
];

/// The fields in Go's declaration order.
fn values(v: &ChannelPolicyBounds) -> [u64; 8] {
    [
        v.min_base_msat,
        v.max_base_msat,
        u64::from(v.min_rate_ppm),
        u64::from(v.max_rate_ppm),
        u64::from(v.min_cltv_delta),
        u64::from(v.max_cltv_delta),
        v.min_htlc_msat,
        v.max_htlc_msat,
    ]
}

pub(super) fn from_value(v: Option<&RuleValue>) -> Result<ChannelPolicyBounds, String> {
    match v {
        Some(RuleValue::ChanPolicyBounds(b)) => Ok(*b),
        _ => Err("incorrect RuleValue type".to_string()),
    }
}

pub(super) fn decode(dec: &mut Dec, v: &Json) -> ChannelPolicyBounds {
    let f = flat_struct(
        dec,
        v,
        "rules.ChanPolicyBounds",
        "ChanPolicyBounds",
        &FIELDS,
    );
    let at = |i: usize| f.get(i).copied().unwrap_or(0);
    ChannelPolicyBounds {
        min_base_msat: at(0),
        max_base_msat: at(1),
        min_rate_ppm: at(2) as u32,
        max_rate_ppm: at(3) as u32,
        min_cltv_delta: at(4) as u32,
        max_cltv_delta: at(5) as u32,
        min_htlc_msat: at(6),
        max_htlc_msat: at(7),
    }
}

pub(super) fn to_json(v: &ChannelPolicyBounds) -> String {
    let parts: Vec<String> = FIELDS
        .iter()
        .zip(values(v))
        .map(|(f, n)| format!("\"{}\":{n}", f.name()))
        .collect();
    format!("{{{}}}", parts.join(","))
}

/// Each field must lie within the same field of min and max, checked in
/// declaration order.
pub(super) fn check(
    v: &ChannelPolicyBounds,
    min: &ChannelPolicyBounds,
    max: &ChannelPolicyBounds,
) -> Result<(), String> {
    const ERRORS: [&str; 8] = [
        "invalid min base fee",
        "invalid max base fee",
        "invalid min proportional fee",
        "invalid max proportional fee",
        "invalid min cltv delta",
        "invalid max cltv delta",
        "invalid min htlc msat amt",
        "invalid max htlc msat amt",
    ];
    let (v, lo, hi) = (values(v), values(min), values(max));
    for i in 0..8 {
        if !(v[i] >= lo[i] && v[i] <= hi[i]) {
            return Err(ERRORS[i].to_string());
        }
    }
    Ok(())
}

/// Go's `%s` of `*ChanPolicyBounds`: every integer as a bad verb.
pub(super) fn go_dump(v: &ChannelPolicyBounds) -> String {
    let parts: Vec<String> = FIELDS
        .iter()
        .zip(values(v))
        .map(|(f, n)| match f {
            Field::U32(_) => format!("%!s(uint32={n})"),
            _ => format!("%!s(uint64={n})"),
        })
        .collect();
    format!("&{{{}}}", parts.join(" "))
}
