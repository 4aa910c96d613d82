//! `peer-restriction`: peers the autopilot must not act on. litd:
//! `rules/peer_restrictions.go`, Go struct `PeerRestrict{DenyList
//! []string}`. With privacy on, the ids are pseudo ids (see
//! `domain::privacy`).

use super::{PeerRestrict, RuleValue};
use crate::gocompat::json::{each_field, write_string, At, Dec, Json};

/// The checked value. `None` is Go's nil slice (`null` in JSON).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PeerRestrictRule {
    pub(crate) deny_list: Option<Vec<String>>,
}

pub(super) fn from_value(v: Option<&RuleValue>) -> Result<PeerRestrictRule, String> {
    match v {
        // litd's text says "channel" here too.
        Some(RuleValue::PeerRestrict(p)) if p.peer_ids.is_empty() => Err(
            "peer restrict list cannot be empty. If no channel restrictions should be \
             applied then there is no need to add the rule"
                .to_string(),
        ),
        Some(RuleValue::PeerRestrict(p)) => Ok(PeerRestrictRule {
            deny_list: Some(p.peer_ids.clone()),
        }),
        _ => Err("incorrect RuleValue type".to_string()),
    }
}

pub(super) fn decode(dec: &mut Dec, v: &Json) -> PeerRestrictRule {
    let mut out = PeerRestrictRule::default();
    let root = At::default();
    if let Some(members) = dec.object(v, "rules.PeerRestrict", &root) {
        each_field(members, &["peer_deny_list"], |_, fv| {
            let at = root.field("PeerRestrict", "peer_deny_list");
            let old = out.deny_list.take();
            out.deny_list = dec.slice(fv, "[]string", &at, old, |dec, item, x| {
                if let Some(s) = dec.string(item, &at) {
                    *x = s;
                }
            });
        });
    }
    out
}

pub(super) fn to_json(v: &PeerRestrictRule) -> String {
    let mut out = String::from("{\"peer_deny_list\":");
    match &v.deny_list {
        None => out.push_str("null"),
        Some(ids) => {
            out.push('[');
            for (i, id) in ids.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(&mut out, id);
            }
            out.push(']');
        }
    }
    out.push('}');
    out
}

pub(super) fn to_value(v: &PeerRestrictRule) -> RuleValue {
    RuleValue::PeerRestrict(PeerRestrict {
        peer_ids: v.deny_list.clone().unwrap_or_default(),
    })
}

/// Go's `%s` prints strings in a slice bare, space separated.
pub(super) fn go_dump(v: &PeerRestrictRule) -> String {
    let ids: Vec<&str> = v.deny_list.iter().flatten().map(String::as_str).collect();
    format!("&{{[{}]}}", ids.join(" "))
}
