//! Structure-aware request generation with `arbitrary`: every field of every
//! `litrpc.Autopilot` request, drawn from an [`Unstructured`] byte source, with
//! a strong bias towards edge values (zero, maxima, signed/unsigned
//! boundaries, empty and huge strings, keys and channel points that look
//! real). The same functions drive the CLI fuzzer (bytes from a seeded RNG)
//! and the cargo-fuzz targets (bytes from libFuzzer), so a crash found by one
//! is reachable by the other.

use std::collections::BTreeMap;

use arbitrary::{Result, Unstructured};

use crate::domain::rules::KNOWN_RULE_NAMES;
use crate::proto::litrpc as p;

/// Feature names a server is likely to know (litd's test server's), plus
/// names it will not.
pub(crate) const FEATURE_NAMES: &[&str] = &["HealthCheck", "AutoFees", "", "healthcheck", "Nope"];

/// u64 values where signed/unsigned, JSON-number and time arithmetic break.
pub(crate) const EDGE_U64: &[u64] = &[
    0,
    1,
    u32::MAX as u64,
    (1 << 53) + 1,
    i64::MAX as u64,
    i64::MAX as u64 + 1,
    u64::MAX,
    1_893_456_000,
    1_893_542_400,
    253_402_300_800,
];

pub(crate) const EDGE_U32: &[u32] = &[0, 1, 24, 1_000_000, i32::MAX as u32, u32::MAX];

/// Any u64, an edge value half the time.
pub(crate) fn u64_edge(u: &mut Unstructured) -> Result<u64> {
    if u.arbitrary()? {
        Ok(*u.choose(EDGE_U64)?)
    } else {
        u.arbitrary()
    }
}

pub(crate) fn u32_edge(u: &mut Unstructured) -> Result<u32> {
    if u.arbitrary()? {
        Ok(*u.choose(EDGE_U32)?)
    } else {
        u.arbitrary()
    }
}

/// A string: arbitrary, empty, huge, or one that looks like a pubkey,
/// channel point or channel id (the privacy mapper's inputs).
pub(crate) fn text(u: &mut Unstructured) -> Result<String> {
    Ok(match u.int_in_range(0..=7u8)? {
        0 => String::new(),
        1 => "x".repeat(u.int_in_range(1_000..=20_000usize)?),
        2 => format!("02{}", "ab".repeat(32)),
        3 => format!("{}:{}", "cd".repeat(32), u.arbitrary::<u32>()?),
        4 => u.arbitrary::<u64>()?.to_string(),
        5 => " \u{0}\u{feff}\u{10ffff}é ".to_string(),
        _ => u.arbitrary()?,
    })
}

/// Bytes: arbitrary, empty, a compressed-pubkey-shaped 33 bytes, or long.
pub(crate) fn bytes(u: &mut Unstructured) -> Result<Vec<u8>> {
    Ok(match u.int_in_range(0..=4u8)? {
        0 => Vec::new(),
        1 => {
            let mut k = vec![*u.choose(&[2u8, 3, 4, 0])?];
            k.extend(u.bytes(32).unwrap_or(&[7; 32]));
            k.resize(33, 0);
            k
        }
        2 => vec![0xff; u.int_in_range(34..=4_096usize)?],
        _ => u.arbitrary()?,
    })
}

fn rate(u: &mut Unstructured) -> Result<Option<p::Rate>> {
    Ok(if u.ratio(1, 5)? {
        None
    } else {
        Some(p::Rate {
            iterations: u32_edge(u)?,
            num_hours: u32_edge(u)?,
        })
    })
}

/// A `RuleValue` with any (or no) member set, fields at edge values.
pub fn rule_value(u: &mut Unstructured) -> Result<p::RuleValue> {
    use p::rule_value::Value as V;
    let value = match u.int_in_range(0..=9u8)? {
        0 => None,
        1 => Some(V::RateLimit(p::RateLimit {
            read_limit: rate(u)?,
            write_limit: rate(u)?,
        })),
        2 => Some(V::ChanPolicyBounds(p::ChannelPolicyBounds {
            min_base_msat: u64_edge(u)?,
            max_base_msat: u64_edge(u)?,
            min_rate_ppm: u32_edge(u)?,
            max_rate_ppm: u32_edge(u)?,
            min_cltv_delta: u32_edge(u)?,
            max_cltv_delta: u32_edge(u)?,
            min_htlc_msat: u64_edge(u)?,
            max_htlc_msat: u64_edge(u)?,
        })),
        3 => Some(V::HistoryLimit(p::HistoryLimit {
            start_time: u64_edge(u)?,
            duration: u64_edge(u)?,
        })),
        4 => Some(V::OffChainBudget(p::OffChainBudget {
            max_amt_msat: u64_edge(u)?,
            max_fees_msat: u64_edge(u)?,
        })),
        5 => Some(V::OnChainBudget(p::OnChainBudget {
            absolute_amt_sats: u64_edge(u)?,
            max_sat_per_v_byte: u64_edge(u)?,
        })),
        6 => Some(V::SendToSelf(p::SendToSelf {})),
        7 => Some(V::ChannelRestrict(p::ChannelRestrict {
            channel_ids: small_vec(u, u64_edge)?,
        })),
        8 => Some(V::PeerRestrict(p::PeerRestrict {
            peer_ids: small_vec(u, text)?,
        })),
        _ => Some(V::ChannelConstraint(p::ChannelConstraint {
            min_capacity_sat: u64_edge(u)?,
            max_capacity_sat: u64_edge(u)?,
            max_push_sat: u64_edge(u)?,
            private_allowed: u.arbitrary()?,
            public_allowed: u.arbitrary()?,
        })),
    };
    Ok(p::RuleValue { value })
}

fn small_vec<T>(u: &mut Unstructured, f: fn(&mut Unstructured) -> Result<T>) -> Result<Vec<T>> {
    let n = u.int_in_range(0..=4usize)?;
    (0..n).map(|_| f(u)).collect()
}

/// A rule name: a known one most of the time.
pub(crate) fn rule_name(u: &mut Unstructured) -> Result<String> {
    Ok(if u.ratio(4, 5)? {
        u.choose(&KNOWN_RULE_NAMES)?.to_string()
    } else {
        text(u)?
    })
}

pub(crate) fn rules_map(u: &mut Unstructured) -> Result<p::RulesMap> {
    let n = u.int_in_range(0..=3usize)?;
    let mut rules = BTreeMap::new();
    for _ in 0..n {
        rules.insert(rule_name(u)?, rule_value(u)?);
    }
    Ok(p::RulesMap { rules })
}

/// A feature config document: JSON the privacy mapper walks (lists of
/// keys, channel points, ids), other JSON, or raw bytes.
pub fn config_bytes(u: &mut Unstructured) -> Result<Vec<u8>> {
    Ok(match u.int_in_range(0..=6u8)? {
        0 => Vec::new(),
        1 => b"null".to_vec(),
        2 => {
            let items: Vec<String> = small_vec(u, text)?;
            serde_json::json!({ "peers": items, "n": u.arbitrary::<f64>()? })
                .to_string()
                .into_bytes()
        }
        3 => format!("{{\"a\":{}}}", "[".repeat(u.int_in_range(1..=3_000usize)?)).into_bytes(),
        4 => b"{\"x\": 1e400, \"y\": [\"02ab\", 5]}".to_vec(),
        _ => u.arbitrary()?,
    })
}

pub(crate) fn feature_config(u: &mut Unstructured) -> Result<p::FeatureConfig> {
    Ok(p::FeatureConfig {
        rules: if u.ratio(1, 4)? {
            None
        } else {
            Some(rules_map(u)?)
        },
        config: config_bytes(u)?,
    })
}

/// An `AddAutopilotSessionRequest` with every field drawn.
pub fn add_request(u: &mut Unstructured) -> Result<p::AddAutopilotSessionRequest> {
    let n = u.int_in_range(0..=3usize)?;
    let mut features = BTreeMap::new();
    for _ in 0..n {
        let name = if u.ratio(4, 5)? {
            u.choose(FEATURE_NAMES)?.to_string()
        } else {
            text(u)?
        };
        features.insert(name, feature_config(u)?);
    }
    Ok(p::AddAutopilotSessionRequest {
        label: text(u)?,
        expiry_timestamp_seconds: u64_edge(u)?,
        mailbox_server_addr: text(u)?,
        dev_server: u.arbitrary()?,
        features,
        session_rules: if u.arbitrary()? {
            Some(rules_map(u)?)
        } else {
            None
        },
        no_privacy_mapper: u.arbitrary()?,
        linked_group_id: bytes(u)?,
        privacy_flags: u64_edge(u)?,
        privacy_flags_set: u.arbitrary()?,
    })
}

pub(crate) fn revoke_request(u: &mut Unstructured) -> Result<p::RevokeAutopilotSessionRequest> {
    Ok(p::RevokeAutopilotSessionRequest {
        local_public_key: bytes(u)?,
    })
}
