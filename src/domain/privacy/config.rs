//! §2.2.5: the feature config litd sends to the autopilot server when
//! privacy is on (litd's `ObfuscateConfig` in `firewall/privacy_mapper.go`).

use rand::RngCore;

use super::{hide, pseudo_str, PrivacyFlags, PrivacyMap};
use crate::gocompat::json::{self as go_json, check_floats, write_string, write_value, Json};

/// Go's type for the decoded config, as `json: cannot unmarshal` names it.
const CONFIG_TYPE: &str = "map[string]interface {}";

/// What a trimmed list item is taken to be, tried in this order.
enum Item {
    /// `<64 chars>:<int64>`; litd does not check that the txid is hex.
    ChanPoint,
    /// 66 hex characters.
    Pubkey,
    /// An int64 in decimal (sign allowed) of 13 to 20 characters.
    ChanId,
    Other,
}

fn classify(s: &str) -> Item {
    let mut parts = s.split(':');
    if let (Some(txid), Some(index), None) = (parts.next(), parts.next(), parts.next()) {
        if index.parse::<i64>().is_ok() && txid.len() == 64 {
            return Item::ChanPoint;
        }
    }
    if s.len() == 66 && s.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Item::Pubkey;
    }
    if (13..=20).contains(&s.len()) && s.parse::<i64>().is_ok() {
        return Item::ChanId;
    }
    Item::Other
}

/// With privacy on and a non-empty config: the config must be a JSON
/// object (or `null`, which litd turns into `{}`). In every value that is a
/// list holding strings, each item is trimmed and then: a channel point
/// becomes a pseudo channel point (unless ClearChanIDs), a 66-hex pubkey a
/// pseudo string of the same length (unless ClearPubkeys), a 13-20
/// character decimal channel id a pseudo string of the same length (unless
/// ClearChanIDs); anything else stays (trimmed). A list mixing strings with
/// other values is refused. Other values are kept. The result is
/// re-encoded as Go does: keys sorted, numbers through float64, Go's
/// string escaping. Existing pairs in `map` are reused and new ones added.
///
/// litd walks the keys in Go map order (random); the mock walks them
/// sorted, so with several bad keys the first in sorted order is reported.
/// An empty config stays empty.
pub fn obfuscate_config(
    config: &[u8],
    flags: PrivacyFlags,
    map: &mut PrivacyMap,
    rng: &mut dyn RngCore,
) -> Result<Vec<u8>, String> {
    if config.is_empty() {
        return Ok(Vec::new());
    }
    let doc = go_json::parse(config)?;
    let members: &[(String, Json)] = match &doc {
        Json::Null => &[],
        Json::Object(members) => members,
        other => {
            return Err(format!(
                "json: cannot unmarshal {} into Go value of type {CONFIG_TYPE}",
                other.kind()
            ))
        }
    };
    check_floats(&doc)?;
    // Go decodes into a map, so a repeated key keeps its last value.
    let sorted: std::collections::BTreeMap<&str, &Json> =
        members.iter().map(|(k, v)| (k.as_str(), v)).collect();

    let mut out = String::from("{");
    for (n, (key, value)) in sorted.into_iter().enumerate() {
        if n > 0 {
            out.push(',');
        }
        write_string(&mut out, key);
        out.push(':');
        let Json::Array(items) = value else {
            write_value(&mut out, value);
            continue;
        };
        let strings: Vec<&str> = items
            .iter()
            .filter_map(|v| match v {
                Json::String { text, .. } => Some(text.as_str()),
                _ => None,
            })
            .collect();
        if strings.is_empty() {
            write_value(&mut out, value);
            continue;
        }
        if strings.len() != items.len() {
            return Err(format!(
                "invalid config, expected list of only strings for key {key}"
            ));
        }
        out.push('[');
        for (i, item) in strings.into_iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            let item = item.trim();
            let replaced = obfuscate_item(item, flags, map, rng)?;
            write_string(&mut out, &replaced);
        }
        out.push(']');
    }
    out.push('}');
    Ok(out.into_bytes())
}

fn obfuscate_item(
    item: &str,
    flags: PrivacyFlags,
    map: &mut PrivacyMap,
    rng: &mut dyn RngCore,
) -> Result<String, String> {
    // (flag that keeps it clear, pseudo length, whether it is a channel point)
    let (clear, len, chan_point) = match classify(item) {
        Item::ChanPoint => (PrivacyFlags::CLEAR_CHAN_IDS, 64, true),
        Item::Pubkey => (PrivacyFlags::CLEAR_PUBKEYS, 66, false),
        Item::ChanId => (PrivacyFlags::CLEAR_CHAN_IDS, item.len(), false),
        Item::Other => return Ok(item.to_string()),
    };
    if flags.contains(clear) {
        return Ok(item.to_string());
    }
    hide(map, item, || {
        let pseudo = pseudo_str(len, rng);
        if chan_point {
            // litd's NewPseudoChanPoint: a pseudo txid and a random uint32.
            format!("{pseudo}:{}", rng.next_u32())
        } else {
            pseudo
        }
    })
}

#[cfg(test)]
#[path = "config_tests.rs"]
mod tests;
