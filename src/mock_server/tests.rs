use std::time::Duration;

use super::*;
use crate::domain::clock::ManualClock;
use crate::proto::litrpc as p;

const T0: u64 = 1_893_456_000;

fn add_request(expiry: u64, linked: Vec<u8>) -> p::AddAutopilotSessionRequest {
    p::AddAutopilotSessionRequest {
        label: "lib".into(),
        expiry_timestamp_seconds: expiry,
        mailbox_server_addr: "mailbox.example:443".into(),
        features: [(
            "HealthCheck".to_string(),
            p::FeatureConfig {
                rules: None,
                config: br#"{"x":1}"#.to_vec(),
            },
        )]
        .into_iter()
        .collect(),
        linked_group_id: linked,
        ..Default::default()
    }
}

#[tokio::test]
async fn serves_on_an_ephemeral_port_with_the_macaroon() {
    let server = MockServer::start().await;
    assert_eq!(server.addr().ip().to_string(), "127.0.0.1");
    assert_ne!(server.addr().port(), 0);
    assert!(server.uri().starts_with("https://127.0.0.1:"));
    assert!(server.tls_cert_pem().contains("BEGIN CERTIFICATE"));
    assert_eq!(
        std::fs::read(server.macaroon_path()).unwrap(),
        server.macaroon()
    );
    assert_eq!(server.macaroon_hex(), hex::encode(server.macaroon()));
    assert!(!format!("{server:?}").contains(&server.macaroon_hex()));

    let mut client = server.client().await.unwrap();
    let features = client
        .list_autopilot_features(p::ListAutopilotFeaturesRequest {})
        .await
        .unwrap()
        .into_inner();
    assert!(features.features.contains_key("AutoFees"));

    // Without the macaroon, litd's error.
    let mut bare = AutopilotClient::new(server.channel().await.unwrap());
    let err = bare
        .list_autopilot_sessions(p::ListAutopilotSessionsRequest {})
        .await
        .unwrap_err();
    assert_eq!(err.code(), tonic::Code::Unknown);
}

#[tokio::test]
async fn clock_control_sessions_and_reset() {
    let clock = Arc::new(ManualClock::at_unix(T0));
    let server = MockServer::builder().clock(clock).seed(5).start().await;
    assert_eq!(server.now_unix(), T0 as i64);
    let mut client = server.client().await.unwrap();
    client
        .add_autopilot_session(add_request(T0 + 60, vec![]))
        .await
        .unwrap();
    assert_eq!(server.session_count(), 1);
    server.advance(Duration::from_secs(61));
    let listed = client
        .list_autopilot_sessions(p::ListAutopilotSessionsRequest {})
        .await
        .unwrap()
        .into_inner()
        .sessions;
    // Added in this run: litd 0.17.2 leaves it CREATED past its expiry.
    assert_eq!(listed[0].session_state(), p::SessionState::StateCreated);
    assert_eq!(listed[0].revoked_at, 0);
    server.set_time(SystemTime::UNIX_EPOCH + Duration::from_secs(T0));
    assert_eq!(server.now_unix(), T0 as i64);
    let action =
        serde_json::json!({"rpc_method": "/lnrpc.Lightning/GetInfo", "state": "STATE_DONE"});
    assert_eq!(server.seed_actions(&[action]), Ok(1));
    let stub = server.stub().expect("in-process stub");
    let startup = stub.script();
    stub.set_script(crate::stub::Script::parse(r#"{"responses":{}}"#, "later").unwrap());
    server.reset_sessions();
    // One reset, as the admin API's: sessions, actions, the stub's script.
    assert_eq!(server.session_count(), 0);
    assert_eq!(server.core().action_count(), 0);
    assert!(stub.journal().is_empty());
    assert_eq!(stub.script().source, startup.source);
}

#[tokio::test]
async fn default_clock_is_movable_real_time() {
    let server = MockServer::start().await;
    let before = server.now_unix();
    server.advance(Duration::from_secs(3_600));
    assert!(server.now_unix() >= before + 3_600);
}

#[tokio::test]
async fn drop_stops_the_server_and_removes_the_temp_dir() {
    let server = MockServer::start().await;
    let dir = server.lit_dir().to_path_buf();
    let addr = server.addr();
    assert!(dir.join("tls.cert").is_file());
    drop(server);
    assert!(!dir.exists(), "temporary lit dir removed");
    let mut refused = false;
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(addr).await.is_err() {
            refused = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(refused, "listener closed after drop");
}

#[tokio::test]
async fn a_given_lit_dir_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    let server = MockServer::builder()
        .lit_dir(dir.path().join("lit"))
        .network("mainnet")
        .start()
        .await;
    assert!(server.macaroon_path().ends_with("mainnet/lit.macaroon"));
    server.shutdown().await;
    assert!(dir.path().join("lit/tls.cert").is_file());
}

#[tokio::test]
async fn health_turns_not_serving_when_shutdown_begins() {
    use tonic_health::pb::health_check_response::ServingStatus;
    use tonic_health::pb::{health_client::HealthClient, HealthCheckRequest};
    let server = MockServer::start().await;
    let mut health = HealthClient::new(server.channel().await.unwrap());
    let mut watch = health
        .watch(HealthCheckRequest {
            service: "litrpc.Autopilot".into(),
        })
        .await
        .unwrap()
        .into_inner();
    let first = watch.message().await.unwrap().unwrap();
    assert_eq!(first.status(), ServingStatus::Serving);
    let stopping = tokio::spawn(server.shutdown());
    let next = tokio::time::timeout(std::time::Duration::from_secs(5), watch.message())
        .await
        .expect("a health update within 5 s of shutdown")
        .unwrap()
        .unwrap();
    assert_eq!(next.status(), ServingStatus::NotServing);
    drop(watch);
    stopping.await.unwrap();
}

#[tokio::test]
async fn health_and_reflection_need_no_macaroon() {
    use tonic_health::pb::health_check_response::ServingStatus;
    use tonic_health::pb::{health_client::HealthClient, HealthCheckRequest};
    let server = MockServer::start().await;
    let mut health = HealthClient::new(server.channel().await.unwrap());
    for service in ["", "litrpc.Autopilot"] {
        let status = health
            .check(HealthCheckRequest {
                service: service.into(),
            })
            .await
            .unwrap()
            .into_inner()
            .status();
        assert_eq!(status, ServingStatus::Serving, "{service:?}");
    }

    use tonic_reflection::pb::v1::server_reflection_client::ServerReflectionClient;
    use tonic_reflection::pb::v1::server_reflection_request::MessageRequest;
    use tonic_reflection::pb::v1::server_reflection_response::MessageResponse;
    use tonic_reflection::pb::v1::ServerReflectionRequest;
    let mut reflection = ServerReflectionClient::new(server.channel().await.unwrap());
    let request = ServerReflectionRequest {
        host: String::new(),
        message_request: Some(MessageRequest::ListServices(String::new())),
    };
    let mut stream = reflection
        .server_reflection_info(tokio_stream_once(request))
        .await
        .unwrap()
        .into_inner();
    let Some(Ok(answer)) = futures_util::StreamExt::next(&mut stream).await else {
        panic!("no reflection answer");
    };
    let Some(MessageResponse::ListServicesResponse(list)) = answer.message_response else {
        panic!("unexpected answer {answer:?}");
    };
    let mut names: Vec<String> = list.service.into_iter().map(|s| s.name).collect();
    names.sort();
    assert_eq!(
        names,
        [
            "grpc.health.v1.Health",
            "grpc.reflection.v1.ServerReflection",
            "grpc.reflection.v1alpha.ServerReflection",
            "litrpc.Autopilot",
            "litrpc.Firewall",
            "litrpc.Proxy",
            "litrpc.Sessions",
            "litrpc.Status"
        ]
    );
}

fn tokio_stream_once<T: Send + 'static>(item: T) -> impl futures_util::Stream<Item = T> + Send {
    futures_util::stream::iter([item])
}

#[tokio::test]
async fn state_file_keeps_sessions_across_restarts() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state.json");
    let lit = dir.path().join("lit");
    let server = MockServer::builder()
        .lit_dir(&lit)
        .state_file(&state)
        .start()
        .await;
    let mut client = server.client().await.unwrap();
    let far = server.now_unix() as u64 + 86_400;
    let first = client
        .add_autopilot_session(add_request(far, vec![]))
        .await
        .unwrap()
        .into_inner()
        .session
        .unwrap();
    client
        .revoke_autopilot_session(p::RevokeAutopilotSessionRequest {
            local_public_key: first.local_public_key.clone(),
        })
        .await
        .unwrap();
    client
        .add_autopilot_session(add_request(far, first.group_id.clone()))
        .await
        .unwrap();
    let before = client
        .list_autopilot_sessions(p::ListAutopilotSessionsRequest {})
        .await
        .unwrap()
        .into_inner();
    let (snapshot_before, _) = server.core().snapshot();
    server.shutdown().await;

    let again = MockServer::builder()
        .lit_dir(&lit)
        .state_file(&state)
        .start()
        .await;
    let after = again
        .client()
        .await
        .unwrap()
        .list_autopilot_sessions(p::ListAutopilotSessionsRequest {})
        .await
        .unwrap()
        .into_inner();
    assert_eq!(before, after);
    let (snapshot_after, _) = again.core().snapshot();
    assert_eq!(snapshot_before.privacy_maps, snapshot_after.privacy_maps);
    let keys = |s: &crate::domain::StoreSnapshot| -> Vec<[u8; 32]> {
        s.sessions
            .iter()
            .map(|x| x.local_secret_key.to_secret_bytes())
            .collect()
    };
    assert_eq!(keys(&snapshot_before), keys(&snapshot_after));
}

#[tokio::test]
async fn a_scripted_stub_and_its_journal() {
    use crate::stub::{Rpc, Script};
    let script = Script::default_script().unwrap();
    let server = MockServer::builder().script(script).start().await;
    let mut client = server.client().await.unwrap();
    client
        .add_autopilot_session(add_request(server.now_unix() as u64 + 600, vec![]))
        .await
        .unwrap();
    let registered = server
        .journal()
        .into_iter()
        .filter(|e| e.rpc() == Rpc::RegisterSession)
        .count();
    assert_eq!(registered, 1);
    assert!(server.stub().is_some());
}

#[tokio::test]
async fn restart_runs_litds_start_again_and_reset_undoes_a_failed_one() {
    let clock = Arc::new(ManualClock::at_unix(T0));
    let server = MockServer::builder().clock(clock).seed(9).start().await;
    let mut client = server.client().await.unwrap();
    let key = client
        .add_autopilot_session(add_request(T0 + 60, vec![]))
        .await
        .unwrap()
        .into_inner()
        .session
        .unwrap()
        .local_public_key;
    let report = server.restart().await;
    assert_eq!(report["restored"], 1, "{report}");
    assert_eq!(report["activated"], 1, "{report}");
    assert_eq!(report["lit_error"], serde_json::Value::Null, "{report}");

    // Against a server that is down, lit does not start.
    let stub = server.stub().expect("stub");
    let down =
        r#"{"responses":{"Terms":[{"reply":{"error":{"code":"Unavailable","message":"down"}}}]}}"#;
    stub.set_script(crate::stub::Script::parse(down, "down").unwrap());
    let report = server.restart().await;
    assert_eq!(
        report["lit_error"],
        "could not start Lit: could not start litd sub-servers: could not start the autopilot client: rpc error: code = Unavailable desc = down",
        "{report}"
    );
    let err = client
        .list_autopilot_sessions(p::ListAutopilotSessionsRequest {})
        .await
        .expect_err("not ready");
    assert_eq!(
        err.message(),
        "lit is not ready for: /litrpc.Autopilot/ListAutopilotSessions"
    );
    // A reset is the mock as it started: ready, the start-up script back.
    server.reset_sessions();
    assert!(server.core().readiness().lit_running());
    let listed = client
        .list_autopilot_sessions(p::ListAutopilotSessionsRequest {})
        .await
        .unwrap()
        .into_inner()
        .sessions;
    assert!(listed.is_empty());
    assert!(!key.is_empty());
}
