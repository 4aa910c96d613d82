use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use super::*;
use crate::domain::clock::ManualClock;
use crate::domain::remote::{
    BoxFuture, Registration, RemoteAutopilot, RemoteError, RemoteFeature, RemoteKey, Version,
};
use crate::domain::{AddSessionRequest, CoreConfig, FeatureRequest};
use crate::remote::{Catalogue, InProcessRemote};

const T0: u64 = 1_893_456_000;

/// The in-process server, with every RevokeSession call recorded.
struct Recording {
    inner: InProcessRemote,
    revoked: Mutex<Vec<Vec<u8>>>,
}

impl RemoteAutopilot for Recording {
    fn terms(&self) -> BoxFuture<'_, Result<Version, RemoteError>> {
        self.inner.terms()
    }
    fn list_features(&self) -> BoxFuture<'_, Result<BTreeMap<String, RemoteFeature>, RemoteError>> {
        self.inner.list_features()
    }
    fn register_session(&self, r: Registration) -> BoxFuture<'_, Result<RemoteKey, RemoteError>> {
        self.inner.register_session(r)
    }
    fn activate_session(&self, key: Vec<u8>) -> BoxFuture<'_, Result<Vec<u8>, RemoteError>> {
        self.inner.activate_session(key)
    }
    fn revoke_session(&self, key: Vec<u8>) -> BoxFuture<'_, Result<(), RemoteError>> {
        self.revoked
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(key.clone());
        self.inner.revoke_session(key)
    }
}

fn setup(autopilot_enabled: bool) -> (AutopilotCore, Arc<Recording>) {
    let catalogue = Catalogue::default_catalogue().expect("embedded catalogue");
    let remote = Arc::new(Recording {
        inner: InProcessRemote::new(catalogue),
        revoked: Mutex::default(),
    });
    let config = CoreConfig {
        autopilot_enabled,
        ..CoreConfig::default()
    };
    let clock = Arc::new(ManualClock::at_unix(T0));
    let core = AutopilotCore::with_config(remote.clone(), clock, config, Some(7));
    (core, remote)
}

fn revoked(remote: &Recording) -> Vec<Vec<u8>> {
    remote
        .revoked
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clone()
}

fn add(kind: SessionType) -> AddLitSessionRequest {
    AddLitSessionRequest {
        label: "integration-test".into(),
        session_type: kind as i32,
        expiry_timestamp_seconds: T0 + 300,
        mailbox_server_addr: "mailbox.testnet.lightningcluster.com:443".into(),
        ..Default::default()
    }
}

fn perm(entity: &str, action: &str) -> Permission {
    Permission {
        entity: entity.into(),
        action: action.into(),
    }
}

fn autopilot_request() -> AddSessionRequest {
    let mut features = BTreeMap::new();
    features.insert(
        "HealthCheck".to_string(),
        FeatureRequest {
            rules: BTreeMap::new(),
            config: Vec::new(),
        },
    );
    AddSessionRequest {
        label: "ap".into(),
        expiry_timestamp_seconds: T0 + 3600,
        mailbox_server_addr: "m:443".into(),
        features,
        ..Default::default()
    }
}

async fn failure(core: &AutopilotCore, req: AddLitSessionRequest) -> String {
    match core.add_lit_session(req).await {
        Ok(s) => panic!("expected an error, got {s:?}"),
        Err(e) => e.message,
    }
}

#[tokio::test]
async fn add_validates_in_litds_order_with_its_texts() {
    let (core, _) = setup(true);
    let past = AddLitSessionRequest {
        expiry_timestamp_seconds: T0 - 1,
        session_type: 9,
        ..add(SessionType::MacaroonAdmin)
    };
    assert_eq!(failure(&core, past).await, "expiry must be in the future");
    let unknown = AddLitSessionRequest {
        session_type: 9,
        ..add(SessionType::MacaroonAdmin)
    };
    assert_eq!(failure(&core, unknown).await, "unknown type <9>");
    let cases = [
        (String::new(), "invalid account ID: invalid account ID length"),
        (
            "00000000000000g0".to_string(),
            "invalid account ID: error decoding account ID: encoding/hex: invalid byte: U+0067 'g'",
        ),
        (
            "0123456789abcdef".to_string(),
            "error creating new session: unable to add session: unable to convert account ID: account not found",
        ),
    ];
    for (account_id, text) in cases {
        let req = AddLitSessionRequest {
            account_id,
            ..add(SessionType::MacaroonAccount)
        };
        assert_eq!(failure(&core, req).await, text);
    }
    assert_eq!(
        failure(&core, add(SessionType::MacaroonCustom)).await,
        "custom macaroon permissions must be specified for the custom macaroon session type"
    );
    let bad_uri = AddLitSessionRequest {
        macaroon_custom_permissions: vec![perm("info", "read"), perm("uri", "(")],
        ..add(SessionType::MacaroonCustom)
    };
    assert_eq!(failure(&core, bad_uri).await, "URI ( is unknown to LiT");
    for kind in [SessionType::UiPassword, SessionType::Autopilot] {
        assert_eq!(
            failure(&core, add(kind)).await,
            "invalid session type, only admin, readonly, custom and account macaroon types \
             supported in LiT. Autopilot sessions must be added using AddAutoPilotSession method"
        );
    }
    assert_eq!(core.session_count(), 0, "no failure leaves a row");
}

#[tokio::test]
async fn each_type_gets_litds_recipe_and_a_fresh_identity() {
    let (core, _) = setup(true);
    for kind in [SessionType::MacaroonAdmin, SessionType::MacaroonReadonly] {
        let s = core.add_lit_session(add(kind)).await.expect("added");
        assert_eq!((s.session_type, s.state), (kind, SessionState::Created));
        assert_eq!(s.macaroon_recipe, None, "litd's null");
        assert_eq!(s.id, s.group_id);
        assert_eq!(s.id[..], s.local_public_key[1..5]);
        assert_eq!(s.pairing_secret_mnemonic.split(' ').count(), 10);
        assert_eq!(s.pairing_secret.len(), 14);
        assert_eq!(s.pairing_secret[13] & 0b11, 0);
        assert!(s.remote_public_key.is_empty());
        assert_eq!((s.created_at, s.revoked_at, s.privacy_flags), (T0, 0, 0));
        assert!(s.autopilot_feature_info.is_empty() && s.feature_configs.is_empty());
    }
    let custom = AddLitSessionRequest {
        macaroon_custom_permissions: vec![
            perm("uri", "/lnrpc.Lightning/GetInfo"),
            perm("uri", "/frdrpc.FaradayServer/RevenueReport"),
            perm("info", "read"),
            perm("info", "read"),
        ],
        ..add(SessionType::MacaroonCustom)
    };
    let s = core.add_lit_session(custom).await.expect("custom added");
    let recipe = s.macaroon_recipe.expect("custom recipe");
    assert_eq!(
        recipe.permissions,
        [
            perm("info", "read"),
            perm("uri", "/frdrpc.FaradayServer/RevenueReport"),
            perm("uri", "/lnrpc.Lightning/GetInfo"),
        ]
    );
    assert!(recipe.caveats.is_empty());
    // A plain unknown URI compiles as a regex, matches nothing: null.
    let nothing = AddLitSessionRequest {
        macaroon_custom_permissions: vec![perm("uri", "/lnrpc.Lightning/GetInfoX")],
        ..add(SessionType::MacaroonCustom)
    };
    let s = core.add_lit_session(nothing).await.expect("added");
    assert_eq!(s.macaroon_recipe, None);
    let readonly = AddLitSessionRequest {
        macaroon_custom_permissions: vec![perm("uri", "***readonly***")],
        ..add(SessionType::MacaroonCustom)
    };
    let s = core.add_lit_session(readonly).await.expect("added");
    let perms = s.macaroon_recipe.expect("recipe").permissions;
    assert!(perms.contains(&perm("sessions", "read")) && perms.iter().all(|p| p.action == "read"));
}

#[tokio::test]
async fn both_lists_share_one_store_and_revoking_works_through_either() {
    let (core, remote) = setup(true);
    let admin = core
        .add_lit_session(add(SessionType::MacaroonAdmin))
        .await
        .expect("admin");
    let ap = core
        .add_session(autopilot_request())
        .await
        .expect("autopilot");
    let all = core.list_all_sessions().await.expect("list");
    assert_eq!(
        all.iter().map(|s| s.id).collect::<Vec<_>>(),
        [admin.id, ap.id]
    );
    let autopilot_only = core.list_sessions().await.expect("list");
    assert_eq!(autopilot_only, [all[1].clone()], "identical entries");

    // RevokeAutopilotSession does not see the admin session.
    let e = core.revoke_session(&admin.local_public_key).await;
    assert_eq!(e.map_err(|e| e.message), Err("session not found".into()));
    // Sessions.RevokeSession revokes both types and tells the remote each time.
    core.revoke_lit_session(&admin.local_public_key)
        .await
        .expect("revoke admin");
    core.revoke_lit_session(&ap.local_public_key)
        .await
        .expect("revoke autopilot");
    core.revoke_lit_session(&ap.local_public_key)
        .await
        .expect("idempotent");
    assert_eq!(
        revoked(&remote),
        [
            admin.local_public_key.clone(),
            ap.local_public_key.clone(),
            ap.local_public_key.clone()
        ]
    );
    let all = core.list_all_sessions().await.expect("list");
    assert!(all.iter().all(|s| s.state == SessionState::Revoked));
    assert!(all.iter().all(|s| s.revoked_at == T0));

    let secret = secp256k1::SecretKey::from_secret_bytes([3; 32]).expect("valid key");
    let stranger = crate::domain::keys::public_key_of(&secret);
    let unknown = core.revoke_lit_session(&stranger).await;
    assert_eq!(
        unknown.map_err(|e| e.message),
        Err("error fetching session: session not found: sql: no rows in result set".into())
    );
    let empty = core.revoke_lit_session(&[]).await.map_err(|e| e.message);
    assert_eq!(
        empty,
        Err("error parsing public key: malformed public key: invalid length: 0".into())
    );
}

#[tokio::test]
async fn with_autopilot_disabled_revocations_stay_local() {
    let (core, remote) = setup(false);
    let s = core
        .add_lit_session(add(SessionType::MacaroonReadonly))
        .await
        .expect("added");
    core.revoke_lit_session(&s.local_public_key)
        .await
        .expect("revoked");
    assert!(revoked(&remote).is_empty());
}
