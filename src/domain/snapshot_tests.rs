use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use super::*;
use crate::domain::clock::{Clock, ManualClock};
use crate::domain::{AddSessionRequest, CoreConfig, FeatureRequest};
use crate::remote::{Catalogue, InProcessRemote};

const T0: u64 = 1_893_456_000;

/// A catalogue whose feature has privacy-mapped rules, so adds fill a map.
fn catalogue() -> Catalogue {
    let restrict = serde_json::json!({"channel_deny_list": [111, 222]});
    let peers = serde_json::json!({"peer_deny_list": ["0202020202020202020202020202020202020202020202020202020202020202aa"]});
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
    match Catalogue::from_value(value, "test") {
        Ok(c) => c,
        Err(e) => panic!("test catalogue: {e}"),
    }
}

fn core(clock: Arc<ManualClock>) -> AutopilotCore {
    let remote = Arc::new(InProcessRemote::new(catalogue()));
    AutopilotCore::with_config(remote, clock, CoreConfig::default(), Some(3))
}

fn request(expiry: u64, linked: Vec<u8>) -> AddSessionRequest {
    use crate::domain::rules::{ChannelRestrict, PeerRestrict, RuleValue};
    // Values given in the request go through the privacy mapper (litd
    // cannot reveal defaults it never mapped).
    let mut rules = BTreeMap::new();
    rules.insert(
        "channel-restriction".to_string(),
        Some(RuleValue::ChannelRestrict(ChannelRestrict {
            channel_ids: vec![111],
        })),
    );
    rules.insert(
        "peer-restriction".to_string(),
        Some(RuleValue::PeerRestrict(PeerRestrict {
            peer_ids: vec![format!("03{}", "11".repeat(32))],
        })),
    );
    let mut features = BTreeMap::new();
    features.insert(
        "Guard".to_string(),
        FeatureRequest {
            rules,
            config: Vec::new(),
        },
    );
    AddSessionRequest {
        label: "l".into(),
        expiry_timestamp_seconds: expiry,
        mailbox_server_addr: "mailbox.example:443".into(),
        features,
        linked_group_id: linked,
        ..Default::default()
    }
}

#[tokio::test]
async fn restore_round_trips_sessions_groups_and_maps() {
    let clock = Arc::new(ManualClock::at_unix(T0));
    let a = core(clock.clone());
    let first = a.add_session(request(T0 + 100, vec![])).await.unwrap();
    a.revoke_session(&first.local_public_key).await.unwrap();
    let linked = a
        .add_session(request(T0 + 200, first.group_id.to_vec()))
        .await
        .unwrap();
    let (snap, count) = a.snapshot();
    assert!(count >= 4, "every change is counted: {count}");
    assert_eq!(snap.sessions.len(), 2);
    assert!(!snap.privacy_maps[&first.group_id].is_empty());

    let b = core(clock.clone());
    let report = b.restore(snap.clone(), clock.now());
    assert_eq!(report.restored, 2);
    assert_eq!(
        a.list_sessions().await.unwrap(),
        b.list_sessions().await.unwrap()
    );
    let (again, _) = b.snapshot();
    assert_eq!(again.privacy_maps, snap.privacy_maps);
    assert_eq!(
        again.sessions[1].local_secret_key.to_secret_bytes(),
        snap.sessions[1].local_secret_key.to_secret_bytes()
    );
    assert_eq!(again.sessions[1].group_id, linked.group_id);

    // The restored live session expires while running, as before.
    clock.advance(std::time::Duration::from_secs(300));
    let listed = b.list_sessions().await.unwrap();
    assert_eq!(listed[1].state, SessionState::Revoked);
}

#[tokio::test]
async fn restore_drops_reserved_and_keeps_expired_created() {
    let clock = Arc::new(ManualClock::at_unix(T0));
    let a = core(clock.clone());
    let live = a.add_session(request(T0 + 100, vec![])).await.unwrap();
    let due = a.add_session(request(T0 + 10, vec![])).await.unwrap();
    let (mut snap, _) = a.snapshot();
    let mut reserved = snap.sessions[0].clone();
    reserved.state = SessionState::Reserved;
    reserved.id = [9, 9, 9, 9];
    snap.sessions.push(reserved);

    // Down for a minute: `due` expired meanwhile, `live` did not.
    clock.advance(std::time::Duration::from_secs(60));
    let b = core(clock.clone());
    let report = b.restore(snap, clock.now());
    assert_eq!(
        report,
        RestoreReport {
            restored: 2,
            reserved_dropped: 1,
            expired_while_down: 1
        }
    );
    clock.advance(std::time::Duration::from_secs(3_600));
    let listed = b.list_sessions().await.unwrap();
    let state = |key: &[u8]| {
        listed
            .iter()
            .find(|s| s.local_public_key == key)
            .map(|s| s.state)
    };
    assert_eq!(state(&due.local_public_key), Some(SessionState::Created));
    assert_eq!(state(&live.local_public_key), Some(SessionState::Revoked));
}

#[tokio::test]
async fn listener_hears_every_change() {
    let clock = Arc::new(ManualClock::at_unix(T0));
    let a = core(clock);
    let heard = Arc::new(AtomicU64::new(0));
    let h = heard.clone();
    a.changes()
        .set_listener(Some(Arc::new(move |n| h.store(n, Ordering::SeqCst))));
    let s = a.add_session(request(T0 + 100, vec![])).await.unwrap();
    let after_add = heard.load(Ordering::SeqCst);
    assert!(after_add >= 2, "reserve and create: {after_add}");
    a.list_sessions().await.unwrap();
    assert_eq!(
        heard.load(Ordering::SeqCst),
        after_add,
        "reads change nothing"
    );
    a.revoke_session(&s.local_public_key).await.unwrap();
    assert_eq!(heard.load(Ordering::SeqCst), after_add + 1);
    a.reset();
    assert_eq!(a.changes().count(), after_add + 2);
}
