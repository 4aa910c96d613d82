use std::collections::BTreeMap;
use std::sync::Arc;

use super::*;
use crate::domain::clock::ManualClock;
use crate::domain::{AddSessionRequest, CoreConfig, FeatureRequest};
use crate::remote::{Catalogue, InProcessRemote};

const T0: u64 = 1_893_456_000;

async fn core_with_sessions() -> AutopilotCore {
    let catalogue = Catalogue::default_catalogue().unwrap();
    let remote = Arc::new(InProcessRemote::new(catalogue));
    let clock = Arc::new(ManualClock::at_unix(T0));
    let core = AutopilotCore::with_config(remote, clock, CoreConfig::default(), Some(1));
    let mut features = BTreeMap::new();
    features.insert(
        "HealthCheck".to_string(),
        FeatureRequest {
            config: br#"{"a":1}"#.to_vec(),
            ..Default::default()
        },
    );
    for i in 0..3 {
        let req = AddSessionRequest {
            label: format!("s{i}"),
            expiry_timestamp_seconds: T0 + 100,
            mailbox_server_addr: "m:443".into(),
            features: features.clone(),
            ..Default::default()
        };
        core.add_session(req).await.unwrap();
    }
    core
}

#[tokio::test]
async fn encode_decode_round_trips() {
    let core = core_with_sessions().await;
    let (snap, _) = core.snapshot();
    let back = decode(&encode(&snap).unwrap()).unwrap();
    assert_eq!(back.sessions.len(), 3);
    assert_eq!(back.privacy_maps, snap.privacy_maps);
    for (a, b) in snap.sessions.iter().zip(&back.sessions) {
        assert_eq!(
            a.local_secret_key.to_secret_bytes(),
            b.local_secret_key.to_secret_bytes()
        );
        assert_eq!(a.feature_rules, b.feature_rules);
        assert_eq!(a.created_at_nanos, b.created_at_nanos);
        assert_eq!(a.macaroon_recipe, b.macaroon_recipe);
        assert_eq!(a.feature_configs, b.feature_configs);
        assert_eq!(a.pairing_secret, b.pairing_secret);
    }
    // And the encoding is stable.
    assert_eq!(encode(&back).unwrap(), encode(&snap).unwrap());
}

#[test]
fn bad_files_are_errors_that_say_why() {
    let cases: [(&[u8], &str); 5] = [
        (b"", "not JSON"),
        (b"{\"format\":1,\"sessions\":[", "not JSON"),
        (b"{\"sessions\":[]}", "no numeric \"format\""),
        (
            b"{\"format\":0,\"sessions\":[],\"privacy_maps\":[]}",
            "unknown format 0",
        ),
        (b"{\"format\":1,\"sessions\":{}}", "format 1"),
    ];
    for (bytes, want) in cases {
        match decode(bytes) {
            Err(DecodeError::Corrupt(reason)) => assert!(reason.contains(want), "{reason}"),
            other => panic!("{:?}: {other:?}", String::from_utf8_lossy(bytes)),
        }
    }
    match decode(b"{\"format\":2,\"whatever\":true}") {
        Err(DecodeError::Newer(2)) => {}
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_tampered_key_is_refused() {
    let core = core_with_sessions().await;
    let (snap, _) = core.snapshot();
    let text = String::from_utf8(encode(&snap).unwrap()).unwrap();
    let key = hex::encode(snap.sessions[1].local_public_key);
    let other = hex::encode(snap.sessions[2].local_public_key);
    let tampered = text.replacen(&key, &other, 1);
    match decode(tampered.as_bytes()) {
        Err(DecodeError::Corrupt(reason)) => {
            assert!(reason.contains("session 1"), "{reason}");
            assert!(reason.contains("does not belong"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn write_atomic_replaces_and_leaves_no_temp_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    write_atomic(&path, b"one").unwrap();
    write_atomic(&path, b"two").unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), b"two");
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, vec![std::ffi::OsString::from("state.json")]);
    assert!(matches!(load(&dir.path().join("missing.json")), Ok(None)));
    match load(&path) {
        Err(e @ PersistError::Corrupt { .. }) => {
            assert!(e.to_string().contains("left untouched"), "{e}")
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        std::fs::read(&path).unwrap(),
        b"two",
        "a bad file is never rewritten"
    );
}

#[tokio::test]
async fn persister_writes_changes_and_the_final_state() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    let core = Arc::new(core_with_sessions().await);
    open(&core, &path).unwrap();
    let persister = Persister::spawn(core.clone(), path.clone());
    core.reset();
    persister.finish().await;
    let loaded = load(&path).unwrap().unwrap();
    assert!(loaded.sessions.is_empty());
}

#[tokio::test]
async fn the_action_log_is_kept_with_its_ids() {
    use crate::domain::actions::{Action, ActionState};
    let core = core_with_sessions().await;
    let action = |method: &str, state| Action {
        rpc_method: method.into(),
        state,
        session_id: [1, 2, 3, 4],
        timestamp: 1_700_000_001,
        ..Default::default()
    };
    core.add_actions(vec![action("/lnrpc.Lightning/GetInfo", ActionState::Done)]);
    core.clear_actions();
    core.add_actions(vec![
        action("/lnrpc.Lightning/GetInfo", ActionState::Done),
        action("/lnrpc.Lightning/ListChannels", ActionState::Error),
    ]);
    let (snap, _) = core.snapshot();
    let text = encode(&snap).unwrap();
    assert!(String::from_utf8_lossy(&text).contains("\"state\": \"STATE_ERROR\""));
    let back = decode(&text).unwrap();
    // Ids go on after a delete, as a database's do, and survive the file.
    let ids: Vec<u64> = back.actions.iter().map(|(id, _)| *id).collect();
    assert_eq!(ids, [2, 3]);
    assert_eq!(back.actions, snap.actions);
    core.restore(
        back,
        std::time::UNIX_EPOCH + std::time::Duration::from_secs(T0),
    );
    assert_eq!(core.action_count(), 2);

    // A file from before actions were kept loads with none; a bad one says which.
    let mut value: serde_json::Value = serde_json::from_slice(&text).unwrap();
    value.as_object_mut().unwrap().remove("actions");
    let old = decode(value.to_string().as_bytes()).unwrap();
    assert!(old.actions.is_empty());
    let mut value: serde_json::Value = serde_json::from_slice(&text).unwrap();
    value["actions"][1]["state"] = "STATE_NOPE".into();
    match decode(value.to_string().as_bytes()) {
        Err(DecodeError::Corrupt(reason)) => {
            assert!(
                reason.contains("action 1 (id 3): unknown state \"STATE_NOPE\""),
                "{reason}"
            )
        }
        other => panic!("{other:?}"),
    }
}
