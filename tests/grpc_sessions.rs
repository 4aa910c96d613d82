//! Listing, revoking, expiry and linked groups over a real TLS socket
//! (reference §2.2 steps 3 and 8, §2.3, §2.4, §7 items 9-13).

mod support;

use autopilot_mock::domain::clock::Clock;
use autopilot_mock::domain::keys::verify_group_link;
use autopilot_mock::domain::remote::RemoteError;
use autopilot_mock::domain::Code;
use autopilot_mock::proto::litrpc as p;
use support::*;

async fn add(c: &mut Client, req: p::AddAutopilotSessionRequest) -> p::Session {
    c.add_autopilot_session(req)
        .await
        .expect("add succeeds")
        .into_inner()
        .session
        .expect("session")
}

async fn list(c: &mut Client) -> Vec<p::Session> {
    c.list_autopilot_sessions(p::ListAutopilotSessionsRequest {})
        .await
        .expect("list succeeds")
        .into_inner()
        .sessions
}

async fn revoke(c: &mut Client, key: &[u8]) -> Result<(), tonic::Status> {
    c.revoke_autopilot_session(p::RevokeAutopilotSessionRequest {
        local_public_key: key.to_vec(),
    })
    .await
    .map(|_| ())
}

fn state(s: &p::Session) -> p::SessionState {
    p::SessionState::try_from(s.session_state).expect("known state")
}

#[tokio::test]
async fn empty_list_then_oldest_first_by_created_at() {
    let s = TestServer::start().await;
    let mut c = s.client();
    assert!(list(&mut c).await.is_empty());
    s.advance(100);
    let late = add(&mut c, health_check()).await;
    // Move the clock back: the next session is older, so it lists first.
    s.clock
        .set(std::time::UNIX_EPOCH + std::time::Duration::from_secs(T0 + 10));
    let early = add(&mut c, health_check()).await;
    let ids: Vec<Vec<u8>> = list(&mut c).await.into_iter().map(|s| s.id).collect();
    assert_eq!(ids, vec![early.id, late.id]);
}

#[tokio::test]
async fn revoke_is_idempotent_and_tells_the_server_every_time() {
    let s = TestServer::start().await;
    let mut c = s.client();
    let session = add(&mut c, health_check()).await;
    s.advance(30);
    revoke(&mut c, &session.local_public_key)
        .await
        .expect("revoke");
    s.advance(30);
    revoke(&mut c, &session.local_public_key)
        .await
        .expect("revoke again");
    let listed = list(&mut c).await;
    assert_eq!(state(&listed[0]), p::SessionState::StateRevoked);
    assert_eq!(
        listed[0].revoked_at,
        T0 + 30,
        "a repeat revoke keeps revoked_at"
    );
    assert_eq!(
        listed[0].remote_public_key, session.remote_public_key,
        "remote key kept"
    );
    assert_eq!(
        s.remote.revocations(),
        vec![session.local_public_key.clone(); 2]
    );
}

#[tokio::test]
async fn revoke_errors() {
    let s = TestServer::start().await;
    let mut c = s.client();
    for n in [0usize, 5, 32, 34] {
        let err = revoke(&mut c, &vec![2u8; n]).await;
        assert_unknown(
            err,
            &format!("error parsing public key: malformed public key: invalid length: {n}"),
        );
    }
    let stranger = secp256k1::SecretKey::from_secret_bytes([3u8; 32])
        .expect("scalar")
        .public_key();
    assert_unknown(
        revoke(&mut c, &stranger.serialize()).await,
        "session not found: sql: no rows in result set",
    );
    // The uncompressed form of a stored key finds the session.
    let session = add(&mut c, health_check()).await;
    let pk = secp256k1::PublicKey::from_slice(&session.local_public_key).expect("valid key");
    revoke(&mut c, &pk.serialize_uncompressed())
        .await
        .expect("uncompressed works");
    assert_eq!(state(&list(&mut c).await[0]), p::SessionState::StateRevoked);
}

/// Correction 3: a session added in this run stays CREATED after its
/// expiry (litd 0.17.2's expiry shift runs on the finished Add's cancelled
/// context), and the remote is not told.
#[tokio::test]
async fn expiry_of_a_session_added_in_this_run_changes_nothing() {
    let s = TestServer::start().await;
    let mut c = s.client();
    let mut req = health_check();
    req.expiry_timestamp_seconds = T0 + 60;
    add(&mut c, req).await;
    s.advance(3_600);
    s.running.core.run_due().await;
    let listed = list(&mut c).await;
    assert_eq!(state(&listed[0]), p::SessionState::StateCreated);
    assert_eq!(listed[0].revoked_at, 0);
    assert!(s.remote.revocations().is_empty());
}

/// Correction 3: a session resumed at start-up becomes REVOKED (not
/// EXPIRED) at its expiry, revoked_at set, and the remote is told.
#[tokio::test]
async fn expiry_of_a_session_resumed_at_start_up_revokes() {
    let s = TestServer::start().await;
    let mut c = s.client();
    let mut req = health_check();
    req.expiry_timestamp_seconds = T0 + 60;
    let session = add(&mut c, req).await;
    let core = &s.running.core;
    let (snapshot, _) = core.snapshot();
    core.restore(snapshot, core.clock().now());
    s.advance(59);
    assert_eq!(state(&list(&mut c).await[0]), p::SessionState::StateCreated);
    s.advance(2);
    let listed = list(&mut c).await;
    assert_eq!(
        state(&listed[0]),
        p::SessionState::StateRevoked,
        "REVOKED, not EXPIRED"
    );
    assert_eq!(listed[0].revoked_at, T0 + 60);
    assert_eq!(s.remote.revocations(), vec![session.local_public_key]);
}

#[tokio::test]
async fn linked_groups() {
    let s = TestServer::start().await;
    let mut c = s.client();
    let first = add(&mut c, health_check()).await;

    // The group still has a live session.
    let mut linked = health_check();
    linked.linked_group_id = first.id.clone();
    assert_unknown(
        c.add_autopilot_session(linked.clone()).await,
        &format!(
            "error creating new session: unable to add session: linked session({}) is still active: group has active sessions",
            hex::encode(&first.id)
        ),
    );

    revoke(&mut c, &first.local_public_key)
        .await
        .expect("revoke first");
    // A longer ID is cut to 4 bytes, not rejected.
    let mut long_id = linked.clone();
    long_id.linked_group_id.extend_from_slice(&[9, 9, 9]);
    let second = add(&mut c, long_id).await;
    assert_eq!(second.group_id, first.id);
    assert_ne!(second.id, first.id);

    // What went to the server: the first key and its signature over the new key.
    let reg = s.remote.registrations().pop().expect("registered");
    assert_eq!(reg.group_responder_key, first.local_public_key);
    verify_group_link(
        &first.local_public_key,
        &second.local_public_key,
        &reg.group_responder_sig,
    )
    .expect("signature verifies");

    // Only the group's first session can be linked to.
    let mut to_second = health_check();
    to_second.linked_group_id = second.id.clone();
    assert_unknown(
        c.add_autopilot_session(to_second).await,
        &format!(
            "can not link to session {} since it is not the first in the session group {}",
            hex::encode(&second.id),
            hex::encode(&first.id)
        ),
    );
}

#[tokio::test]
async fn failed_linked_registration_deletes_the_reserved_row() {
    let s = TestServer::start().await;
    let mut c = s.client();
    let first = add(&mut c, health_check()).await;
    revoke(&mut c, &first.local_public_key)
        .await
        .expect("revoke");
    *s.remote.fail_register.lock().expect("lock") = Some(RemoteError::new(Code::Unknown, "nope"));
    let mut linked = health_check();
    linked.linked_group_id = first.id.clone();
    assert_unknown(
        c.add_autopilot_session(linked).await,
        "error registering session with autopilot server: nope",
    );
    assert_eq!(
        list(&mut c).await.len(),
        1,
        "only the first session remains"
    );
}

#[tokio::test]
async fn privacy_flags_reported_only_with_the_mapper_but_always_sent() {
    let mut catalogue = autopilot_mock::remote::Catalogue::default_catalogue().expect("catalogue");
    if let Some(f) = catalogue.features.get_mut("AutoFees") {
        f.privacy_flags = 0b101;
    }
    let s = TestServer::with_catalogue(catalogue).await;
    let mut c = s.client();

    let on = add(&mut c, add_request(vec![("AutoFees", feature(vec![]))])).await;
    assert_eq!(on.privacy_flags, 0b101);

    let mut off_req = add_request(vec![("AutoFees", feature(vec![]))]);
    off_req.no_privacy_mapper = true;
    let off = add(&mut c, off_req).await;
    assert_eq!(off.privacy_flags, 0);
    let regs = s.remote.registrations();
    assert_eq!(
        regs[1].privacy_flags, 0b101,
        "sent even with the mapper off"
    );

    let mut explicit = health_check();
    explicit.privacy_flags_set = true;
    explicit.privacy_flags = 0b11;
    assert_eq!(add(&mut c, explicit).await.privacy_flags, 0b11);
}

#[tokio::test]
async fn unknown_privacy_bits_from_the_server_fail_add() {
    let mut catalogue = autopilot_mock::remote::Catalogue::default_catalogue().expect("catalogue");
    if let Some(f) = catalogue.features.get_mut("HealthCheck") {
        f.privacy_flags = 1 << 8;
    }
    let s = TestServer::with_catalogue(catalogue).await;
    assert_unknown(
        s.client().add_autopilot_session(health_check()).await,
        "error deserializing privacy flags (256) from autopilot: unknown privacy flag: Unknown: 8",
    );
    let features = s
        .client()
        .list_autopilot_features(p::ListAutopilotFeaturesRequest {})
        .await
        .expect("listing still works")
        .into_inner()
        .features;
    assert!(features["HealthCheck"].requires_upgrade);
}

/// gRPC's List answers from each session's cached encoding; through adds,
/// a revoke, an expiry and a reset it must answer exactly what the domain
/// lists, encoded from scratch.
#[tokio::test]
async fn cached_list_encoding_follows_every_change() {
    use autopilot_mock::wire::session_out;
    let s = TestServer::start().await;
    let mut c = s.client();
    let from_scratch = || async {
        let views = s.running.core.list_sessions().await.expect("domain lists");
        views.into_iter().map(session_out).collect::<Vec<_>>()
    };
    let mut short = health_check();
    short.expiry_timestamp_seconds = T0 + 60;
    let first = add(&mut c, short).await;
    let second = add(&mut c, health_check()).await;
    assert_eq!(list(&mut c).await, from_scratch().await);
    let third = add(&mut c, health_check()).await;
    assert_eq!(list(&mut c).await.len(), 3);
    revoke(&mut c, &second.local_public_key)
        .await
        .expect("revoke");
    let listed = list(&mut c).await;
    assert_eq!(listed, from_scratch().await);
    assert_eq!(state(&listed[1]), p::SessionState::StateRevoked);
    // Resumed as at a start-up, so the expiry revokes (Correction 3).
    let (snapshot, _) = s.running.core.snapshot();
    s.running
        .core
        .restore(snapshot, s.running.core.clock().now());
    s.advance(61);
    let listed = list(&mut c).await;
    assert_eq!(listed, from_scratch().await);
    assert_eq!(listed[0].local_public_key, first.local_public_key);
    assert_eq!(state(&listed[0]), p::SessionState::StateRevoked);
    assert_eq!(listed[2].local_public_key, third.local_public_key);
    s.running.core.reset();
    assert!(list(&mut c).await.is_empty());
}
