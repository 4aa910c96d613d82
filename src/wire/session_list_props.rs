//! Cached List == uncached List, over random operation sequences: Adds
//! (some privacy-mapped, some linked to an earlier group, which grows its
//! map), Revokes, clock moves (expiries), with more sessions than the cache
//! holds (its eviction branch).

use std::sync::Arc;
use std::time::Duration;

use proptest::prelude::*;

use super::session_list::SessionListCache;
use crate::domain::clock::{Clock, ManualClock};
use crate::domain::{AddSessionRequest, AutopilotCore, CoreConfig, FeatureRequest};
use crate::proto::litrpc as p;
use crate::remote::{Catalogue, InProcessRemote};
use crate::rpc::spec::Reply;

const T0: u64 = 1_893_456_000;

fn catalogue() -> Catalogue {
    Catalogue::parse(
        r#"{"features":{"Restricted":{
            "description":"channel restrictions",
            "rules":{"channel-restriction":{"default":{"channel_deny_list":[1]},"min_value":{"channel_deny_list":[]},"max_value":{"channel_deny_list":[]}}},
            "permissions_list":[{"method":"/lnrpc.Lightning/ListChannels","operations":[{"entity":"offchain","action":"read"}]}]}}}"#,
        "test catalogue",
    )
    .unwrap_or_else(|e| panic!("catalogue: {e}"))
}

#[derive(Debug, Clone)]
enum Op {
    /// Channel IDs to restrict, the privacy mapper on or off, and the
    /// index of an earlier session whose group to link to.
    Add {
        channels: Vec<u64>,
        mapper: bool,
        link: Option<usize>,
        expiry_secs: u64,
    },
    Revoke(usize),
    Advance(u64),
    List,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (
            prop::collection::vec(1u64..6, 1..3),
            any::<bool>(),
            prop::option::of(0usize..16),
            60u64..600,
        )
            .prop_map(|(channels, mapper, link, expiry_secs)| Op::Add {
                channels,
                mapper,
                link,
                expiry_secs,
            }),
        2 => (0usize..16).prop_map(Op::Revoke),
        1 => (1u64..400).prop_map(Op::Advance),
        3 => Just(Op::List),
    ]
}

fn add_request(channels: &[u64], mapper: bool, group: Vec<u8>, expiry: u64) -> AddSessionRequest {
    let rule = p::RuleValue {
        value: Some(p::rule_value::Value::ChannelRestrict(p::ChannelRestrict {
            channel_ids: channels.to_vec(),
        })),
    };
    let rules = [(
        "channel-restriction".to_string(),
        super::rule_value_in(rule),
    )]
    .into();
    AddSessionRequest {
        label: "prop".into(),
        expiry_timestamp_seconds: expiry,
        mailbox_server_addr: "mailbox.example:443".into(),
        dev_server: false,
        features: [(
            "Restricted".to_string(),
            FeatureRequest {
                rules,
                config: Vec::new(),
            },
        )]
        .into(),
        no_privacy_mapper: !mapper,
        linked_group_id: group,
        privacy_flags: 0,
        privacy_flags_set: false,
    }
}

/// The listing without any cache, as the wire would carry it.
async fn uncached(core: &AutopilotCore) -> (Vec<u8>, String) {
    let sessions = core.list_sessions().await.unwrap_or_default();
    let response = p::ListAutopilotSessionsResponse {
        sessions: sessions.into_iter().map(super::session_out).collect(),
    };
    let json = super::litd_json::to_litd_json("litrpc.ListAutopilotSessionsResponse", &response);
    (
        crate::rpc::Reply::go_wire_bytes(&response),
        json.to_string(),
    )
}

/// Runs `ops`, comparing at each List; returns (Lists, sessions added, linked).
async fn run(ops: Vec<Op>) -> Result<(usize, usize, usize), TestCaseError> {
    let clock = Arc::new(ManualClock::at_unix(T0));
    let remote = Arc::new(InProcessRemote::new(catalogue()));
    let core = AutopilotCore::with_config(remote, clock.clone(), CoreConfig::default(), Some(7));
    // Fewer sessions than a run adds: the eviction branch runs.
    let cache = SessionListCache::with_capacity(3);
    let mut added: Vec<p::Session> = Vec::new();
    let mut lists = 0;
    let mut linked = 0;
    for op in ops.into_iter().chain([Op::List]) {
        match op {
            Op::Add {
                channels,
                mapper,
                link,
                expiry_secs,
            } => {
                let group = link
                    .and_then(|i| added.get(i % added.len().max(1)))
                    .map(|s| s.group_id.clone())
                    .unwrap_or_default();
                let now = crate::domain::clock::unix_nanos(clock.now()) / 1_000_000_000;
                let expiry = now as u64 + expiry_secs;
                if let Ok(view) = core
                    .add_session(add_request(&channels, mapper, group, expiry))
                    .await
                {
                    let view = super::session_out(view);
                    linked += usize::from(view.group_id != view.id);
                    added.push(view);
                }
            }
            Op::Revoke(i) => {
                if let Some(s) = added.get(i % added.len().max(1)) {
                    let _ = core.revoke_session(&s.local_public_key).await;
                }
            }
            Op::Advance(secs) => clock.advance(Duration::from_secs(secs)),
            Op::List => {
                lists += 1;
                let cached = cache
                    .list(&core)
                    .await
                    .map_err(|e| TestCaseError::fail(e.message))?;
                let (bytes, json) = uncached(&core).await;
                prop_assert_eq!(crate::rpc::Reply::go_wire_bytes(&cached), bytes);
                prop_assert_eq!(cached.litd_json_text(), json);
            }
        }
    }
    Ok((lists, added.len(), linked))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn cached_list_is_the_uncached_list(ops in prop::collection::vec(op(), 1..24)) {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        runtime.block_on(run(ops))?;
    }
}

/// The sequence the property is about, spelled out: it does add, link
/// (growing a privacy map) and evict.
#[test]
fn a_fixed_sequence_adds_links_and_evicts() {
    let add = |channels: Vec<u64>, link| Op::Add {
        channels,
        mapper: true,
        link,
        expiry_secs: 300,
    };
    let ops = vec![
        add(vec![1], None),
        add(vec![2], None),
        Op::List,
        Op::Revoke(0),
        add(vec![3, 4], Some(0)),
        Op::List,
        add(vec![5], None),
        add(vec![1], None),
        Op::List,
        Op::Advance(301),
        Op::List,
    ];
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap_or_else(|e| panic!("runtime: {e}"));
    let outcome = runtime.block_on(run(ops)).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(outcome, (5, 5, 1));
}
