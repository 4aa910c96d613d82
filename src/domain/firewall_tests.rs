use std::collections::BTreeMap;
use std::sync::Arc;

use super::*;
use crate::domain::clock::ManualClock;
use crate::domain::rules::{ChannelRestrict, PeerRestrict, RuleValue};
use crate::domain::{AddLitSessionRequest, AddSessionRequest, CoreConfig, FeatureRequest};
use crate::remote::{Catalogue, InProcessRemote};

const T0: u64 = 1_893_456_000;
const PEER: &str = "0202020202020202020202020202020202020202020202020202020202020202aa";

/// A feature with both privacy-mapped rules.
fn core() -> AutopilotCore {
    let restrict = serde_json::json!({"channel_deny_list": [111]});
    let peers = serde_json::json!({"peer_deny_list": [PEER]});
    let rule =
        |v: &serde_json::Value| serde_json::json!({"default": v, "min_value": v, "max_value": v});
    let value = serde_json::json!({
        "features": {"Guard": {
            "description": "d",
            "rules": {"channel-restriction": rule(&restrict), "peer-restriction": rule(&peers)},
            "permissions_list": [{"method": "/lnrpc.Lightning/GetInfo", "operations": [{"entity": "info", "action": "read"}]}],
            "default_config": "",
            "privacy_flags": 0
        }}
    });
    let catalogue = Catalogue::from_value(value, "test").expect("test catalogue");
    let remote = Arc::new(InProcessRemote::new(catalogue));
    let clock = Arc::new(ManualClock::at_unix(T0));
    AutopilotCore::with_config(remote, clock, CoreConfig::default(), Some(5))
}

fn guard(channels: Vec<u64>, peers: Vec<String>) -> AddSessionRequest {
    let mut rules = BTreeMap::new();
    rules.insert(
        "channel-restriction".to_string(),
        Some(RuleValue::ChannelRestrict(ChannelRestrict {
            channel_ids: channels,
        })),
    );
    rules.insert(
        "peer-restriction".to_string(),
        Some(RuleValue::PeerRestrict(PeerRestrict { peer_ids: peers })),
    );
    let mut features = BTreeMap::new();
    let config = Vec::new();
    features.insert("Guard".to_string(), FeatureRequest { rules, config });
    AddSessionRequest {
        label: "g".into(),
        expiry_timestamp_seconds: T0 + 3600,
        mailbox_server_addr: "m:443".into(),
        features,
        ..Default::default()
    }
}

fn by_group(group: &[u8], real_to_pseudo: bool, input: &str) -> ConversionRequest {
    ConversionRequest {
        real_to_pseudo,
        input: input.into(),
        group_id: group.to_vec(),
        ..Default::default()
    }
}

async fn convert(core: &AutopilotCore, req: ConversionRequest) -> Result<String, String> {
    core.privacy_map_conversion(req)
        .await
        .map_err(|e| e.message)
}

#[tokio::test]
async fn conversions_go_both_ways_by_group_or_session() {
    let core = core();
    let s = core
        .add_session(guard(vec![111, 1], vec![PEER.into()]))
        .await
        .expect("added");
    let pseudo = convert(&core, by_group(&s.group_id, true, PEER))
        .await
        .expect("peer mapped");
    assert_eq!(pseudo.len(), PEER.len());
    assert!(pseudo.bytes().all(|b| b"abcdef0123456789".contains(&b)));
    assert_eq!(
        convert(&core, by_group(&s.group_id, false, &pseudo)).await,
        Ok(PEER.to_string())
    );
    // Channel IDs are 16 hex digits, not decimal.
    let chan = convert(&core, by_group(&s.group_id, true, "0000000000000001"))
        .await
        .expect("channel 1 mapped");
    assert_eq!(chan.len(), 16);
    assert!(u64::from_str_radix(&chan, 16).is_ok());
    assert_eq!(
        convert(&core, by_group(&s.group_id, true, "1")).await,
        Err("no such key found".into())
    );
    // The deprecated session_id names the same group; group_id wins.
    let by_session = ConversionRequest {
        session_id: s.id.to_vec(),
        group_id: Vec::new(),
        ..by_group(&[], true, PEER)
    };
    assert_eq!(convert(&core, by_session).await, Ok(pseudo.clone()));
    let both = ConversionRequest {
        session_id: vec![1, 2, 3],
        ..by_group(&s.group_id, true, PEER)
    };
    assert_eq!(convert(&core, both).await, Ok(pseudo));
}

#[tokio::test]
async fn conversion_errors_come_in_litds_order() {
    let core = core();
    let lit = core
        .add_lit_session(AddLitSessionRequest {
            session_type: 1,
            expiry_timestamp_seconds: T0 + 60,
            ..Default::default()
        })
        .await
        .expect("admin session");
    let cases = [
        (
            by_group(&[1, 2, 3], true, "x"),
            "session ID must be 4 bytes long",
        ),
        (by_group(&[], true, "x"), "session ID must be 4 bytes long"),
        (by_group(&[9; 4], true, "x"), "unknown group"),
        (
            ConversionRequest {
                session_id: vec![9; 4],
                ..by_group(&[], true, "x")
            },
            "session not found",
        ),
        // A macaroon session has its own group and no pairs.
        (
            ConversionRequest {
                session_id: lit.id.to_vec(),
                ..by_group(&[], true, "x")
            },
            "no such key found",
        ),
    ];
    for (req, text) in cases {
        assert_eq!(
            convert(&core, req.clone()).await,
            Err(text.into()),
            "{req:?}"
        );
    }
}

fn query() -> ActionsQuery {
    ActionsQuery {
        count_total: true,
        ..Default::default()
    }
}

#[tokio::test]
async fn list_actions_is_empty_until_seeded_and_validates_first() {
    let core = core();
    let s = core
        .add_session(guard(vec![111], vec![PEER.into()]))
        .await
        .expect("added");
    let empty = core.list_actions(query()).await.expect("empty list");
    assert_eq!(empty, ActionsPage::default());
    let errors = [
        (
            ActionsQuery {
                state: 4,
                ..query()
            },
            "unknown state 4",
        ),
        (
            ActionsQuery {
                session_id: vec![1],
                ..query()
            },
            "session ID must be 4 bytes long",
        ),
        (
            ActionsQuery {
                group_id: vec![1; 5],
                ..query()
            },
            "session ID must be 4 bytes long",
        ),
        (
            ActionsQuery {
                session_id: vec![7; 4],
                ..query()
            },
            "session not found",
        ),
        (
            ActionsQuery {
                group_id: vec![7; 4],
                ..query()
            },
            "unknown group",
        ),
    ];
    for (q, text) in errors {
        assert_eq!(
            core.list_actions(q.clone()).await.map_err(|e| e.message),
            Err(text.to_string()),
            "{q:?}"
        );
    }
    core.add_actions(vec![
        Action {
            session_id: s.id,
            timestamp: T0,
            state: ActionState::Done,
            ..Default::default()
        },
        Action {
            timestamp: T0 + 1,
            state: ActionState::Error,
            ..Default::default()
        },
    ]);
    let mine = ActionsQuery {
        group_id: s.group_id.to_vec(),
        ..query()
    };
    let page = core.list_actions(mine).await.expect("listed");
    assert_eq!(
        (page.actions.len(), page.total_count, page.last_index_offset),
        (1, 1, 1)
    );
    core.clear_actions();
    assert_eq!(core.action_count(), 0);
}
