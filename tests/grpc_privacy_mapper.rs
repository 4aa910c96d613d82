//! The privacy mapper end to end (reference §2.2.5, §2.2.6, §7 items 5 and
//! 8): with it on, channel IDs and peer keys go into the rules caveat and the
//! server-bound config as pseudo values, while the session shows the real
//! ones; Clear* flags keep them real; off, nothing is swapped.

mod support;

use autopilot_mock::proto::litrpc as p;
use autopilot_mock::remote::Catalogue;
use support::*;

const PEER: &str = "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798";
const CHAN: u64 = 123_456_789_012_345;

fn catalogue() -> Catalogue {
    Catalogue::parse(
        r#"{"features":{"Restricted":{
            "description":"needs channel and peer restrictions",
            "rules":{
              "channel-restriction":{"default":{"channel_deny_list":[1]},"min_value":{"channel_deny_list":[]},"max_value":{"channel_deny_list":[]}},
              "peer-restriction":{"default":{"peer_deny_list":["aa"]},"min_value":{"peer_deny_list":[]},"max_value":{"peer_deny_list":[]}}},
            "permissions_list":[{"method":"/lnrpc.Lightning/ListChannels","operations":[{"entity":"offchain","action":"read"}]}]}}}"#,
        "test catalogue",
    )
    .expect("catalogue parses")
}

fn restricted(flags: Option<u64>, mapper: bool) -> p::AddAutopilotSessionRequest {
    let rules = vec![
        (
            "channel-restriction",
            p::RuleValue {
                value: Some(p::rule_value::Value::ChannelRestrict(p::ChannelRestrict {
                    channel_ids: vec![CHAN],
                })),
            },
        ),
        (
            "peer-restriction",
            p::RuleValue {
                value: Some(p::rule_value::Value::PeerRestrict(p::PeerRestrict {
                    peer_ids: vec![PEER.to_string()],
                })),
            },
        ),
    ];
    let mut f = feature(rules);
    f.config = format!(r#"{{"peers":["{PEER}"],"note":"x"}}"#).into_bytes();
    let mut req = add_request(vec![("Restricted", f)]);
    req.no_privacy_mapper = !mapper;
    if let Some(flags) = flags {
        req.privacy_flags_set = true;
        req.privacy_flags = flags;
    }
    req
}

fn real_rules(session: &p::Session) -> (Vec<u64>, Vec<String>) {
    let rules = &session.autopilot_feature_info["Restricted"].rules;
    let chans = match &rules["channel-restriction"].value {
        Some(p::rule_value::Value::ChannelRestrict(c)) => c.channel_ids.clone(),
        other => panic!("channel restriction: {other:?}"),
    };
    let peers = match &rules["peer-restriction"].value {
        Some(p::rule_value::Value::PeerRestrict(c)) => c.peer_ids.clone(),
        other => panic!("peer restriction: {other:?}"),
    };
    (chans, peers)
}

async fn add(s: &TestServer, req: p::AddAutopilotSessionRequest) -> p::Session {
    s.client()
        .add_autopilot_session(req)
        .await
        .expect("add succeeds")
        .into_inner()
        .session
        .expect("session")
}

#[tokio::test]
async fn pseudo_values_go_out_real_values_come_back() {
    let s = TestServer::with_catalogue(catalogue()).await;
    let session = add(&s, restricted(None, true)).await;

    // The session shows the real values and the raw config.
    assert_eq!(real_rules(&session), (vec![CHAN], vec![PEER.to_string()]));
    assert_eq!(
        session.feature_configs["Restricted"],
        format!(r#"{{"peers":["{PEER}"],"note":"x"}}"#)
    );
    // The caveat carries pseudo values of the same shapes instead.
    let caveat = &session.macaroon_recipe.as_ref().expect("recipe").caveats[0];
    assert!(!caveat.contains(&CHAN.to_string()), "{caveat}");
    assert!(!caveat.contains(PEER), "{caveat}");
    assert!(
        caveat.contains("channel_deny_list") && caveat.contains("peer_deny_list"),
        "{caveat}"
    );
    // The server got an obfuscated config: same keys, sorted, pseudo key of the same length.
    let sent = &s.remote.registrations()[0].feature_configs["Restricted"];
    let sent: serde_json::Value = serde_json::from_slice(sent).expect("config sent as JSON");
    let pseudo = sent["peers"][0].as_str().expect("a peer");
    assert_eq!(pseudo.len(), PEER.len());
    assert_ne!(pseudo, PEER);
    assert_eq!(sent["note"], "x");

    // Listing reveals them again, through the group's privacy map.
    let listed = s
        .client()
        .list_autopilot_sessions(p::ListAutopilotSessionsRequest {})
        .await
        .expect("list")
        .into_inner()
        .sessions;
    assert_eq!(real_rules(&listed[0]), (vec![CHAN], vec![PEER.to_string()]));
}

#[tokio::test]
async fn clear_flags_keep_values_real_and_no_mapper_swaps_nothing() {
    let s = TestServer::with_catalogue(catalogue()).await;
    // ClearPubkeys | ClearChanIDs.
    let cleared = add(&s, restricted(Some(1 | 4), true)).await;
    let caveat = &cleared.macaroon_recipe.as_ref().expect("recipe").caveats[0];
    assert!(
        caveat.contains(&CHAN.to_string()) && caveat.contains(PEER),
        "{caveat}"
    );
    assert_eq!(cleared.privacy_flags, 5);
    assert_eq!(real_rules(&cleared), (vec![CHAN], vec![PEER.to_string()]));

    let off = add(&s, restricted(None, false)).await;
    let caveats = &off.macaroon_recipe.as_ref().expect("recipe").caveats;
    assert_eq!(caveats.len(), 1, "no privacy caveat without the mapper");
    assert!(caveats[0].contains(&CHAN.to_string()) && caveats[0].contains(PEER));
    let sent = &s.remote.registrations()[1].feature_configs["Restricted"];
    assert_eq!(
        sent,
        &format!(r#"{{"peers":["{PEER}"],"note":"x"}}"#).into_bytes(),
        "raw config sent"
    );
}
