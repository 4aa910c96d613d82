use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use super::*;
use crate::domain::clock::{Clock, ManualClock};
use crate::domain::{AddSessionRequest, CoreConfig, FeatureRequest, SessionState};
use crate::stub::{Rpc, Script, Stub};

const T0: u64 = 1_893_456_000;
const HOUR: u64 = 3_600;

fn script(responses: serde_json::Value) -> Script {
    let mut source: serde_json::Value =
        match serde_json::from_str(crate::stub::script::DEFAULT_SCRIPT_JSON) {
            Ok(v) => v,
            Err(e) => panic!("default script: {e}"),
        };
    source["responses"] = responses;
    match Script::from_value(source, "test") {
        Ok(s) => s,
        Err(e) => panic!("test script: {e}"),
    }
}

fn setup(responses: serde_json::Value) -> (Arc<ManualClock>, Stub, AutopilotCore) {
    let clock = Arc::new(ManualClock::at_unix(T0));
    let stub = Stub::new(script(responses), clock.clone());
    let core = AutopilotCore::with_config(
        Arc::new(stub.clone()),
        clock.clone(),
        CoreConfig::default(),
        Some(7),
    );
    (clock, stub, core)
}

fn request(expiry: u64) -> AddSessionRequest {
    let mut features = BTreeMap::new();
    features.insert("HealthCheck".to_string(), FeatureRequest::default());
    AddSessionRequest {
        expiry_timestamp_seconds: expiry,
        mailbox_server_addr: "mailbox.example:443".into(),
        features,
        ..Default::default()
    }
}

#[tokio::test]
async fn a_session_added_in_this_run_stays_created_after_its_expiry() {
    let (clock, stub, core) = setup(serde_json::json!({}));
    let view = core.add_session(request(T0 + 60)).await.expect("add");
    clock.advance(Duration::from_secs(3_600));
    core.run_due().await;
    let listed = core.list_sessions().await.expect("list");
    assert_eq!(listed[0].state, SessionState::Created);
    assert_eq!(listed[0].revoked_at, 0);
    assert!(stub.calls(Rpc::RevokeSession).is_empty());
    // A revoke still works, and then tells the remote.
    core.revoke_session(&view.local_public_key)
        .await
        .expect("revoke");
    assert_eq!(stub.calls(Rpc::RevokeSession).len(), 1);
}

#[tokio::test]
async fn a_session_resumed_at_start_up_is_revoked_at_its_expiry() {
    let (clock, stub, core) = setup(serde_json::json!({}));
    let view = core.add_session(request(T0 + 60)).await.expect("add");
    let (snapshot, _) = core.snapshot();
    core.restore(snapshot, clock.now());
    clock.advance(Duration::from_secs(61));
    core.run_due().await;
    let listed = core.list_sessions().await.expect("list");
    assert_eq!(listed[0].state, SessionState::Revoked);
    assert_eq!(listed[0].revoked_at, T0 + 60);
    let revokes = stub.calls(Rpc::RevokeSession);
    assert_eq!(revokes.len(), 1);
    assert_eq!(
        revokes[0].request.responder_pub_key(),
        &view.local_public_key[..]
    );
}

#[tokio::test]
async fn add_returns_expired_when_the_expiry_passes_during_registration() {
    let (_clock, stub, core) = setup(serde_json::json!({
        "RegisterSession": [{"advance_clock_secs": 120, "reply": "default"}]
    }));
    let view = core.add_session(request(T0 + 60)).await.expect("add");
    assert_eq!(view.state, SessionState::Expired);
    assert_eq!(view.revoked_at, T0 + 120);
    let err = core
        .revoke_session(&view.local_public_key)
        .await
        .expect_err("EXPIRED is terminal");
    assert_eq!(
        err.message,
        "error revoking session: illegal session state transition from 3 to 2"
    );
    assert!(stub.calls(Rpc::RevokeSession).is_empty());
}

#[tokio::test]
async fn an_expiry_reached_exactly_during_registration_is_not_before_now() {
    let (_clock, _stub, core) = setup(serde_json::json!({
        "RegisterSession": [{"advance_clock_secs": 60, "reply": "default"}]
    }));
    let view = core.add_session(request(T0 + 60)).await.expect("add");
    assert_eq!(view.state, SessionState::Created, "Go's Before is strict");
}

#[tokio::test]
async fn a_healthy_session_is_pinged_every_second_tick() {
    let (clock, stub, core) = setup(serde_json::json!({}));
    core.start_ping_loop(Duration::from_secs(HOUR));
    clock.advance(Duration::from_secs(60));
    let view = core
        .add_session(request(T0 + 100 * HOUR))
        .await
        .expect("add");
    let mut pinged_at = Vec::new();
    for _ in 0..6 {
        clock.advance(Duration::from_secs(HOUR));
        core.run_due().await;
    }
    for e in stub.calls(Rpc::ActivateSession) {
        assert_eq!(e.request.responder_pub_key(), &view.local_public_key[..]);
        pinged_at.push((crate::domain::clock::unix_secs(e.at) - T0 as i64) / HOUR as i64);
    }
    // Ticks at 1..6 h; registered at 1 min: tick 1 is too early, tick 2
    // pings, tick 3 finds the success just under an hour old, and so on.
    assert_eq!(pinged_at, vec![2, 4, 6]);
}

#[tokio::test]
async fn one_clock_jump_replays_every_tick() {
    let (clock, stub, core) = setup(serde_json::json!({}));
    core.start_ping_loop(Duration::from_secs(HOUR));
    core.add_session(request(T0 + 100 * HOUR))
        .await
        .expect("add");
    clock.advance(Duration::from_secs(6 * HOUR));
    core.run_due().await;
    // Ticks 1..6 h, registered at 0: ticks 1, 3, 5 ping.
    assert_eq!(stub.calls(Rpc::ActivateSession).len(), 3);
}

#[tokio::test]
async fn a_failed_ping_is_retried_at_the_next_tick_and_a_rejection_drops_the_key() {
    let (clock, stub, core) = setup(serde_json::json!({
        "ActivateSession": [
            {"reply": {"error": {"code": "Unavailable", "message": "down"}}},
            {"reply": {"error": {"code": "PermissionDenied", "message": "the client has been rejected"}}}
        ]
    }));
    core.start_ping_loop(Duration::from_secs(HOUR));
    core.add_session(request(T0 + 100 * HOUR))
        .await
        .expect("add");
    for _ in 0..4 {
        clock.advance(Duration::from_secs(HOUR));
        core.run_due().await;
    }
    // Tick 1: fails (kept); tick 2: rejected (dropped); none after.
    assert_eq!(stub.calls(Rpc::ActivateSession).len(), 2);
    assert!(core.pinged_keys().is_empty());
    let listed = core.list_sessions().await.expect("list");
    assert_eq!(listed[0].state, SessionState::Created, "state unchanged");
    assert!(stub.calls(Rpc::RevokeSession).is_empty());
}

#[tokio::test]
async fn a_revoked_session_is_no_longer_pinged() {
    let (clock, stub, core) = setup(serde_json::json!({}));
    core.start_ping_loop(Duration::from_secs(HOUR));
    let view = core
        .add_session(request(T0 + 100 * HOUR))
        .await
        .expect("add");
    core.revoke_session(&view.local_public_key)
        .await
        .expect("revoke");
    clock.advance(Duration::from_secs(4 * HOUR));
    core.run_due().await;
    assert!(stub.calls(Rpc::ActivateSession).is_empty());
}

#[tokio::test]
async fn start_up_activates_unexpired_sessions_and_a_rejection_revokes_without_telling_the_remote()
{
    let (clock, stub, core) = setup(serde_json::json!({
        "ActivateSession": [
            {"reply": {"error": {"code": "Unknown", "message": "rpc: the client has been rejected"}}}
        ]
    }));
    let first = core
        .add_session(request(T0 + 10 * HOUR))
        .await
        .expect("add");
    let second = core
        .add_session(request(T0 + 10 * HOUR))
        .await
        .expect("add");
    let gone = core.add_session(request(T0 + 60)).await.expect("add");
    clock.advance(Duration::from_secs(120));
    let (snapshot, _) = core.snapshot();
    core.restore(snapshot, clock.now());
    core.start_ping_loop(Duration::from_secs(HOUR));
    let keys = core.sessions_to_activate();
    assert_eq!(keys.len(), 2, "the expired one is skipped");
    assert!(!keys.contains(&gone.local_public_key.clone().try_into().expect("33")));
    let rejected: [u8; 33] = first.local_public_key.clone().try_into().expect("33");
    core.revoke_rejected(&rejected);
    let listed = core.list_sessions().await.expect("list");
    let state = |key: &[u8]| {
        listed
            .iter()
            .find(|s| s.local_public_key == key)
            .map(|s| (s.state, s.revoked_at))
    };
    assert_eq!(
        state(&first.local_public_key),
        Some((SessionState::Revoked, T0 + 120))
    );
    assert_eq!(
        state(&second.local_public_key),
        Some((SessionState::Created, 0))
    );
    assert_eq!(
        state(&gone.local_public_key),
        Some((SessionState::Created, 0))
    );
    assert!(stub.calls(Rpc::RevokeSession).is_empty());
}

#[test]
fn readiness_gates_lit_services_only() {
    let (_clock, _stub, core) = setup(serde_json::json!({}));
    assert_eq!(
        core.readiness()
            .gate("/litrpc.Autopilot/ListAutopilotSessions"),
        Ok(())
    );
    core.record_start_failure("could not start the autopilot client: boom");
    for method in [
        "/litrpc.Autopilot/ListAutopilotSessions",
        "/litrpc.Sessions/ListSessions",
        "/litrpc.Firewall/ListActions",
    ] {
        assert_eq!(
            core.readiness().gate(method),
            Err(format!("lit is not ready for: {method}"))
        );
    }
    assert_eq!(
        core.readiness().gate("/litrpc.Status/SubServerStatus"),
        Ok(())
    );
    assert_eq!(core.readiness().gate("/litrpc.Proxy/GetInfo"), Ok(()));
    assert_eq!(
        core.lit_error().as_deref(),
        Some("could not start Lit: could not start litd sub-servers: could not start the autopilot client: boom")
    );
}

#[test]
fn rejection_is_a_substring_whatever_the_code() {
    assert!(is_rejection(
        "rpc error: code = Unknown desc = the client has been rejected"
    ));
    assert!(!is_rejection("the client has been"));
}
