//! `on-chain-budget`: the on-chain amount and fee rate the autopilot may
//! spend. litd: `rules/onchain_budget.go`, Go struct `OnChainBudget`.

use super::{OnChainBudget, RuleValue};
use crate::gocompat::json::{flat_struct, Dec, Field, Json};

const FIELDS: [Field; 2] = [
    Field::U64("absolute_amt_sats"),
    Field::U64("max_sat_per_v_byte"),
];

/// This manager names the member it got: `incorrect RuleValue type <Go
/// type>`, or `<nil>` when the oneof is empty.
pub(super) fn from_value(v: Option<&RuleValue>) -> Result<OnChainBudget, String> {
    match v {
        Some(RuleValue::OnChainBudget(b)) => Ok(*b),
        Some(other) => Err(format!("incorrect RuleValue type {}", other.go_type_name())),
        None => Err("incorrect RuleValue type <nil>".to_string()),
    }
}

pub(super) fn decode(dec: &mut Dec, v: &Json) -> OnChainBudget {
    let f = flat_struct(dec, v, "rules.OnChainBudget", "OnChainBudget", &FIELDS);
    OnChainBudget {
        absolute_amt_sats: f.first().copied().unwrap_or(0),
        max_sat_per_v_byte: f.get(1).copied().unwrap_or(0),
    }
}

pub(super) fn to_json(v: &OnChainBudget) -> String {
    format!(
        "{{\"absolute_amt_sats\":{},\"max_sat_per_v_byte\":{}}}",
        v.absolute_amt_sats, v.max_sat_per_v_byte
    )
}

/// Only the minimum counts; litd ignores the max.
pub(super) fn check(v: &OnChainBudget, min: &OnChainBudget) -> Result<(), String> {
    if v.absolute_amt_sats < min.absolute_amt_sats {
        return Err("on-chain budget is below the minimum required amount".to_string());
    }
    if v.max_sat_per_v_byte < min.max_sat_per_v_byte {
        return Err("on-chain fee rate limit is below the minimum required amount".to_string());
    }
    Ok(())
}

pub(super) fn go_dump(v: &OnChainBudget) -> String {
    format!(
        "&{{%!s(uint64={}) %!s(uint64={})}}",
        v.absolute_amt_sats, v.max_sat_per_v_byte
    )
}
