//! `channel-restriction`: channels the autopilot must not act on. litd:
//! `rules/channel_restrictions.go`, Go struct `ChannelRestrict{DenyList
//! []uint64}`. With privacy on, the ids are pseudo ids (see
//! `domain::privacy`).

use super::{ChannelRestrict, RuleValue};
use crate::gocompat::json::{each_field, At, Dec, Json};

/// The checked value. `None` is Go's nil slice, which litd writes as
/// `null`; an empty list is written `[]`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ChannelRestrictRule {
    pub(crate) deny_list: Option<Vec<u64>>,
}

pub(super) fn from_value(v: Option<&RuleValue>) -> Result<ChannelRestrictRule, String> {
    match v {
        Some(RuleValue::ChannelRestrict(c)) if c.channel_ids.is_empty() => Err(
            "channel restrict list cannot be empty. If no channel restrictions should be \
             applied then there is no need to add the rule"
                .to_string(),
        ),
        Some(RuleValue::ChannelRestrict(c)) => Ok(ChannelRestrictRule {
            deny_list: Some(c.channel_ids.clone()),
        }),
        _ => Err("incorrect RuleValue type".to_string()),
    }
}

pub(super) fn decode(dec: &mut Dec, v: &Json) -> ChannelRestrictRule {
    let mut out = ChannelRestrictRule::default();
    let root = At::default();
    if let Some(members) = dec.object(v, "rules.ChannelRestrict", &root) {
        each_field(members, &["channel_deny_list"], |_, fv| {
            let at = root.field("ChannelRestrict", "channel_deny_list");
            let old = out.deny_list.take();
            out.deny_list = dec.slice(fv, "[]uint64", &at, old, |dec, item, x| {
                if let Some(n) = dec.uint(item, 64, "uint64", &at) {
                    *x = n;
                }
            });
        });
    }
    out
}

pub(super) fn to_json(v: &ChannelRestrictRule) -> String {
    let list = match &v.deny_list {
        None => "null".to_string(),
        Some(ids) => {
            let ids: Vec<String> = ids.iter().map(u64::to_string).collect();
            format!("[{}]", ids.join(","))
        }
    };
    format!("{{\"channel_deny_list\":{list}}}")
}

pub(super) fn to_value(v: &ChannelRestrictRule) -> RuleValue {
    RuleValue::ChannelRestrict(ChannelRestrict {
        channel_ids: v.deny_list.clone().unwrap_or_default(),
    })
}

pub(super) fn go_dump(v: &ChannelRestrictRule) -> String {
    let ids: Vec<String> = v
        .deny_list
        .iter()
        .flatten()
        .map(|n| format!("%!s(uint64={n})"))
        .collect();
    format!("&{{[{}]}}", ids.join(" "))
}
