//! The scriptable in-process remote autopilot server, observed end to end
//! through litrpc.Autopilot over real TLS sockets: every scripted behaviour
//! surfaces exactly as litd shows it, and the journal records what litd's
//! client sends.

mod support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use autopilot_mock::domain::clock::ManualClock;
use autopilot_mock::domain::keys::verify_group_link;
use autopilot_mock::proto::litrpc as p;
use autopilot_mock::proto::litrpc::autopilot_client::AutopilotClient;
use autopilot_mock::server::{self, RunningServer, ServerConfig};
use autopilot_mock::stub::{Answer, Rpc, Script, Stub, StubRequest};
use support::*;

struct Scripted {
    running: RunningServer,
    stub: Stub,
    client: Client,
    _dir: tempfile::TempDir,
}

fn config(script: &str, dir: &tempfile::TempDir) -> ServerConfig {
    let script = Script::parse(script, "test script").expect("test script parses");
    let listen = "127.0.0.1:0".parse().expect("addr");
    let mut config = ServerConfig::new(
        dir.path().join("lit"),
        "regtest",
        listen,
        script.catalogue.clone(),
    );
    config.clock = Arc::new(ManualClock::at_unix(T0));
    config.remote = autopilot_mock::server::RemoteConfig::InProcess(script);
    config.seed = Some(11);
    config
}

async fn scripted(script: &str) -> Scripted {
    let dir = tempfile::tempdir().expect("temp dir");
    let running = server::start(config(script, &dir))
        .await
        .expect("server starts");
    let stub = running.stub.clone().expect("in-process stub");
    let macaroon = std::fs::read(&running.paths.macaroon).expect("lit.macaroon");
    let channel = tls_channel(&running).await;
    let client =
        AutopilotClient::with_interceptor(channel, MacaroonHeader(vec![hex::encode(macaroon)]));
    Scripted {
        running,
        stub,
        client,
        _dir: dir,
    }
}

fn registrations(stub: &Stub) -> Vec<autopilot_mock::domain::remote::Registration> {
    stub.calls(Rpc::RegisterSession)
        .into_iter()
        .filter_map(|e| match e.request {
            StubRequest::RegisterSession(r) => Some(r),
            _ => None,
        })
        .collect()
}

async fn sessions(client: &mut Client) -> Vec<p::Session> {
    client
        .list_autopilot_sessions(p::ListAutopilotSessionsRequest {})
        .await
        .expect("list sessions")
        .into_inner()
        .sessions
}

#[tokio::test]
async fn registration_error_leaves_a_reserved_session_with_litd_text() {
    let mut s = scripted(
        r#"{"responses":{"RegisterSession":[{"reply":{"error":{"code":"UNAVAILABLE","message":"autopilot is down"}}}]}}"#,
    )
    .await;
    assert_unknown(
        s.client.add_autopilot_session(health_check()).await,
        "error registering session with autopilot server: autopilot is down",
    );
    let listed = sessions(&mut s.client).await;
    assert_eq!(listed.len(), 1);
    assert_eq!(
        listed[0].session_state,
        p::SessionState::StateReserved as i32
    );
    assert!(listed[0].remote_public_key.is_empty());
    // The step is used up: the next registration gets the default answer.
    s.client
        .add_autopilot_session(health_check())
        .await
        .expect("default registration");
    let journal = s.stub.journal();
    assert_eq!(journal[0].rpc(), Rpc::Terms, "litd asks Terms at start-up");
    let regs = s.stub.calls(Rpc::RegisterSession);
    assert_eq!(regs.len(), 2);
    assert_eq!(regs[0].step, Some(0));
    assert_eq!(regs[1].step, None);
}

#[tokio::test]
async fn malformed_and_given_initiator_keys() {
    let given = secp256k1::SecretKey::from_secret_bytes([0x11; 32])
        .expect("scalar")
        .public_key()
        .serialize()
        .to_vec();
    let mut s = scripted(&format!(
        r#"{{"responses":{{"RegisterSession":[
            {{"reply":{{"ok":{{"initiator_pub_key":""}}}}}},
            {{"reply":{{"ok":{{"initiator_pub_key":"{}"}}}}}}]}}}}"#,
        hex::encode(&given)
    ))
    .await;
    assert_unknown(
        s.client.add_autopilot_session(health_check()).await,
        "error registering session with autopilot server: malformed public key: invalid length: 0",
    );
    let session = s
        .client
        .add_autopilot_session(health_check())
        .await
        .expect("given key accepted")
        .into_inner()
        .session
        .expect("session");
    assert_eq!(session.remote_public_key, given);
}

#[tokio::test]
async fn list_features_errors_keep_their_code() {
    let mut s = scripted(
        r#"{"responses":{"ListFeatures":[{"times":2,"reply":{"error":{"code":"Unavailable","message":"connection error: desc = \"transport: Error while dialing\""}}}]}}"#,
    )
    .await;
    let status = s
        .client
        .list_autopilot_features(p::ListAutopilotFeaturesRequest {})
        .await
        .expect_err("scripted failure");
    assert_eq!(status.code(), tonic::Code::Unavailable);
    assert_eq!(
        status.message(),
        "connection error: desc = \"transport: Error while dialing\""
    );
    let status = s
        .client
        .add_autopilot_session(health_check())
        .await
        .expect_err("step 4 fails");
    assert_eq!(status.code(), tonic::Code::Unavailable);
    assert!(s.stub.calls(Rpc::RegisterSession).is_empty());
}

#[tokio::test]
async fn scripted_catalogue_needing_an_upgrade() {
    let mut s = scripted(
        r#"{"responses":{"ListFeatures":[{"times":"always","reply":{"ok":{"features":{
            "Future":{"description":"needs a newer litd","privacy_flags":256,
              "rules":{"teleport-limit":{"default":{"x":1},"min_value":{"x":0},"max_value":{"x":2}}}}}}}}]}}"#,
    )
    .await;
    let features = s
        .client
        .list_autopilot_features(p::ListAutopilotFeaturesRequest {})
        .await
        .expect("features")
        .into_inner()
        .features;
    insta::assert_json_snapshot!("scripted_requires_upgrade", features);
    assert_unknown(
        s.client
            .add_autopilot_session(add_request(vec![("Future", feature(vec![]))]))
            .await,
        "error deserializing privacy flags (256) from autopilot: unknown privacy flag: Unknown: 8",
    );
}

#[tokio::test]
async fn revoke_errors_are_swallowed_as_litd_does() {
    let mut s = scripted(
        r#"{"responses":{"RevokeSession":[{"times":"always","reply":{"error":{"code":"Internal","message":"revoke failed"}}}]}}"#,
    )
    .await;
    let session = s
        .client
        .add_autopilot_session(health_check())
        .await
        .expect("added")
        .into_inner()
        .session
        .expect("session");
    for _ in 0..2 {
        s.client
            .revoke_autopilot_session(p::RevokeAutopilotSessionRequest {
                local_public_key: session.local_public_key.clone(),
            })
            .await
            .expect("revoke succeeds anyway");
    }
    let revokes = s.stub.calls(Rpc::RevokeSession);
    assert_eq!(revokes.len(), 2, "told every time");
    assert!(matches!(revokes[0].answer, Answer::Error(_)));
    assert_eq!(
        revokes[0].request,
        StubRequest::RevokeSession {
            responder_pub_key: session.local_public_key.clone()
        }
    );
}

#[tokio::test]
async fn hang_runs_into_the_callers_deadline_and_delay_holds_the_call() {
    let mut s = scripted(
        r#"{"responses":{"RegisterSession":[{"reply":"hang"},{"delay_ms":300,"reply":"default"}]}}"#,
    )
    .await;
    let mut req = tonic::Request::new(health_check());
    req.set_timeout(Duration::from_millis(300));
    let status = s
        .client
        .add_autopilot_session(req)
        .await
        .expect_err("no answer");
    // tonic's client enforces its own deadline and reports it as Cancelled
    // "Timeout expired"; grpc-go clients say DeadlineExceeded. Either way the
    // stub never answered.
    assert!(
        matches!(
            status.code(),
            tonic::Code::DeadlineExceeded | tonic::Code::Cancelled
        ),
        "{status:?}"
    );
    assert_eq!(
        s.stub.calls(Rpc::RegisterSession)[0].answer,
        Answer::NoAnswer
    );

    let started = Instant::now();
    s.client
        .add_autopilot_session(health_check())
        .await
        .expect("delayed success");
    assert!(started.elapsed() >= Duration::from_millis(300));
}

#[tokio::test]
async fn steps_match_on_requested_features() {
    let mut s = scripted(
        r#"{"responses":{"RegisterSession":[{"when":{"features":["AutoFees"]},"times":"always",
            "reply":{"error":{"code":"PermissionDenied","message":"not for you"}}}]}}"#,
    )
    .await;
    s.client
        .add_autopilot_session(health_check())
        .await
        .expect("HealthCheck is not matched");
    assert_unknown(
        s.client
            .add_autopilot_session(add_request(vec![("AutoFees", feature(vec![]))]))
            .await,
        "error registering session with autopilot server: not for you",
    );
}

#[tokio::test]
async fn journal_records_linked_registrations_and_flags_with_the_mapper_off() {
    let mut s =
        scripted(r#"{"features":{"HealthCheck":{"description":"d","privacy_flags":3}}}"#).await;
    let mut first_req = health_check();
    first_req.no_privacy_mapper = true;
    let first = s
        .client
        .add_autopilot_session(first_req)
        .await
        .expect("first")
        .into_inner()
        .session
        .expect("session");
    assert_eq!(first.privacy_flags, 0, "not stored with the mapper off");
    s.client
        .revoke_autopilot_session(p::RevokeAutopilotSessionRequest {
            local_public_key: first.local_public_key.clone(),
        })
        .await
        .expect("revoked");
    let mut linked_req = health_check();
    linked_req.no_privacy_mapper = true;
    linked_req.linked_group_id = first.group_id.clone();
    let linked = s
        .client
        .add_autopilot_session(linked_req)
        .await
        .expect("linked")
        .into_inner()
        .session
        .expect("session");

    let regs = registrations(&s.stub);
    assert_eq!(regs.len(), 2);
    assert_eq!(regs[0].privacy_flags, 3, "sent even with the mapper off");
    assert!(regs[0].group_responder_key.is_empty());
    assert_eq!(regs[0].lit_version.minor, 17);
    assert_eq!(regs[1].responder_pub_key, linked.local_public_key);
    assert_eq!(regs[1].group_responder_key, first.local_public_key);
    verify_group_link(
        &regs[1].group_responder_key,
        &regs[1].responder_pub_key,
        &regs[1].group_responder_sig,
    )
    .expect("the group signature verifies");
    assert!(
        s.stub.calls(Rpc::RegisterSession)[1].to_json()["request"]["group_responder_sig"]
            .as_str()
            .is_some_and(|sig| sig.starts_with("30"))
    );
}

#[tokio::test]
async fn terms_above_litd_version_leaves_lit_up_but_not_ready() {
    let script = r#"{"terms":{"min_required_version":{"major":0,"minor":18,"patch":1}}}"#;
    let mut s = scripted(script).await;
    assert_eq!(
        s.running.client.failed.as_deref(),
        Some(
            "could not start Lit: could not start litd sub-servers: could not start the \
             autopilot client: lit must be on at least version v0.18.1 to be compatile with \
             the autopilot server"
        )
    );
    assert_eq!(s.running.core.lit_error(), s.running.client.failed);
    let status = s
        .client
        .list_autopilot_sessions(p::ListAutopilotSessionsRequest {})
        .await
        .expect_err("not ready");
    assert_eq!(status.code(), tonic::Code::Unknown);
    assert_eq!(
        status.message(),
        "lit is not ready for: /litrpc.Autopilot/ListAutopilotSessions"
    );
    // Readiness comes before the macaroon check: no macaroon, same answer.
    let mut bare = AutopilotClient::new(tls_channel(&s.running).await);
    let status = bare
        .add_autopilot_session(p::AddAutopilotSessionRequest::default())
        .await
        .expect_err("not ready");
    assert_eq!(
        status.message(),
        "lit is not ready for: /litrpc.Autopilot/AddAutopilotSession"
    );
    // Only the Terms call reached the server: nothing was registered.
    assert_eq!(s.stub.journal().len(), 1);

    let ok = r#"{"terms":{"min_required_version":{"major":0,"minor":17,"patch":2}}}"#;
    let dir = tempfile::tempdir().expect("temp dir");
    let running = server::start(config(ok, &dir))
        .await
        .expect("equal version starts");
    assert_eq!(running.client.failed, None);
    assert_eq!(running.core.lit_error(), None);
}

/// Front door §8.2: at start-up with a state file every unexpired stored
/// session is activated; a `the client has been rejected` answer revokes
/// it (revoked_at now) without a remote RevokeSession.
#[tokio::test]
async fn start_up_activates_stored_sessions_and_a_rejection_revokes() {
    let dir = tempfile::tempdir().expect("temp dir");
    let state = dir.path().join("state.json");
    let mut first = config("{}", &dir);
    first.state_file = Some(state.clone());
    let running = server::start(first).await.expect("first start");
    let macaroon = std::fs::read(&running.paths.macaroon).expect("lit.macaroon");
    let mut client = AutopilotClient::with_interceptor(
        tls_channel(&running).await,
        MacaroonHeader(vec![hex::encode(macaroon)]),
    );
    let mut req = health_check();
    req.expiry_timestamp_seconds = T0 + 86_400;
    let session = client
        .add_autopilot_session(req)
        .await
        .expect("add")
        .into_inner()
        .session
        .expect("session");
    drop(client);
    running.shutdown().await;

    let script = r#"{"responses":{"ActivateSession":[{"reply":{"error":{"code":"PermissionDenied","message":"the client has been rejected"}}}]}}"#;
    let mut second = config(script, &dir);
    second.state_file = Some(state);
    let running = server::start(second).await.expect("second start");
    assert_eq!(running.client.activated, 1);
    assert_eq!(running.client.rejected, 1);
    let stub = running.stub.clone().expect("stub");
    let activations = stub.calls(Rpc::ActivateSession);
    assert_eq!(activations.len(), 1);
    assert_eq!(
        activations[0].request.responder_pub_key(),
        &session.local_public_key[..]
    );
    assert!(stub.calls(Rpc::RevokeSession).is_empty());
    let listed = running.core.list_sessions().await.expect("list");
    assert_eq!(
        listed[0].state,
        autopilot_mock::domain::SessionState::Revoked
    );
    assert_eq!(listed[0].revoked_at, T0);
}
