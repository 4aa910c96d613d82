//! `channel-constraint`: the channel sizes and kinds the autopilot may
//! open. litd: `rules/channel_constraints.go`, Go struct
//! `ChannelConstraint`. Its JSON keys say `msat` but hold the sat fields.

use super::{ChannelConstraint, RuleValue};
use crate::gocompat::json::{flat_struct, Dec, Field, Json};

const FIELDS: [Field; 5] = [
    Field::U64("min_capacity_msat"),
    Field::U64("max_capacity_msat"),
    Field::U64("max_push_sat"),
    Field::Bool("private_allowed"),
    Field::Bool("public_allowed"),
];

/// Like on-chain-budget, this manager names the member it got.
pub(super) fn from_value(v: Option<&RuleValue>) -> Result<ChannelConstraint, String> {
    match v {
        Some(RuleValue::ChannelConstraint(c)) => Ok(*c),
        Some(other) => Err(format!("incorrect RuleValue type {}", other.go_type_name())),
        None => Err("incorrect RuleValue type <nil>".to_string()),
    }
}

pub(super) fn decode(dec: &mut Dec, v: &Json) -> ChannelConstraint {
    let f = flat_struct(
        dec,
        v,
        "rules.ChannelConstraint",
        "ChannelConstraint",
        &FIELDS,
    );
    let at = |i: usize| f.get(i).copied().unwrap_or(0);
    ChannelConstraint {
        min_capacity_sat: at(0),
        max_capacity_sat: at(1),
        max_push_sat: at(2),
        private_allowed: at(3) != 0,
        public_allowed: at(4) != 0,
    }
}

pub(super) fn to_json(v: &ChannelConstraint) -> String {
    format!(
        "{{\"min_capacity_msat\":{},\"max_capacity_msat\":{},\"max_push_sat\":{},\
         \"private_allowed\":{},\"public_allowed\":{}}}",
        v.min_capacity_sat, v.max_capacity_sat, v.max_push_sat, v.private_allowed, v.public_allowed
    )
}

/// litd's checks, in its order.
pub(super) fn check(
    v: &ChannelConstraint,
    min: &ChannelConstraint,
    max: &ChannelConstraint,
) -> Result<(), String> {
    let err = |s: &str| Err(s.to_string());
    if v.min_capacity_sat < min.min_capacity_sat || v.min_capacity_sat > max.min_capacity_sat {
        return err("invalid min capacity");
    }
    if v.max_capacity_sat < min.max_capacity_sat || v.max_capacity_sat > max.max_capacity_sat {
        return err("invalid max capacity");
    }
    if v.max_push_sat < min.max_push_sat || v.max_push_sat > max.max_push_sat {
        return err("invalid max push amount");
    }
    if v.private_allowed && !max.private_allowed {
        return err("private channels not allowed");
    }
    if v.public_allowed && !max.public_allowed {
        return err("public channels not allowed");
    }
    if !v.private_allowed && min.private_allowed {
        return err("private channels must be allowed");
    }
    if !v.public_allowed && min.public_allowed {
        return err("public channels must be allowed");
    }
    if !v.private_allowed && !v.public_allowed {
        return err("at least one channel type must be allowed");
    }
    Ok(())
}

pub(super) fn go_dump(v: &ChannelConstraint) -> String {
    format!(
        "&{{%!s(uint64={}) %!s(uint64={}) %!s(uint64={}) %!s(bool={}) %!s(bool={})}}",
        v.min_capacity_sat, v.max_capacity_sat, v.max_push_sat, v.private_allowed, v.public_allowed
    )
}
