//! `litrpc.Sessions`, `Firewall` and `Proxy` against the real binary, over
//! real sockets: curl for REST, tonic for gRPC. `--autopilot-disabled`
//! (litd's `autopilot.disable`, litd-front-door.md §8.6) and StopDaemon's
//! graceful exit need a process of their own, so they live here rather
//! than in the shipped scenarios (which cover the rest).

mod common;

use std::time::Duration;

use autopilot_mock::client::{self, MacaroonInterceptor};
use autopilot_mock::proto::litrpc as p;
use autopilot_mock::proto::litrpc::autopilot_client::AutopilotClient;
use autopilot_mock::proto::litrpc::sessions_client::SessionsClient;
use common::{wait_timeout, MockProcess};

/// `curl METHOD https://localhost:<port><path>` with the lit macaroon;
/// returns (HTTP status, body).
fn curl(mock: &MockProcess, method: &str, path: &str, body: Option<&str>) -> (u16, String) {
    let mut request = common::curl::Request::new(method, path).macaroon(mock);
    if let Some(body) = body {
        request = request.body(body.as_bytes());
    }
    let answer = common::curl::send(mock, request);
    (answer.status, answer.text())
}

async fn channel(mock: &MockProcess) -> tonic::transport::Channel {
    let cert = std::fs::read_to_string(mock.tls_cert()).expect("tls.cert");
    let addr = mock.listen().parse().expect("listen address");
    client::connect(addr, &cert).await.expect("connect")
}

fn interceptor(mock: &MockProcess) -> MacaroonInterceptor {
    MacaroonInterceptor::new(&std::fs::read(mock.macaroon()).expect("lit.macaroon"))
}

fn in_ten_minutes() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() + 600)
        .unwrap_or(0)
}

#[tokio::test]
async fn with_autopilot_disabled_autopilot_is_unregistered_after_auth_and_the_rest_works() {
    let mock = MockProcess::serve_temp(["--autopilot-disabled"]);
    let channel = channel(&mock).await;

    // Authenticated: grpc-go's answer for a service that is not there.
    let mut autopilot = AutopilotClient::with_interceptor(channel.clone(), interceptor(&mock));
    let status = autopilot
        .list_autopilot_features(p::ListAutopilotFeaturesRequest {})
        .await
        .expect_err("Autopilot is not registered");
    assert_eq!(status.code(), tonic::Code::Unimplemented);
    assert_eq!(status.message(), "unknown service litrpc.Autopilot");
    // Without a macaroon, litd's interceptors answer first.
    let status = AutopilotClient::new(channel.clone())
        .list_autopilot_sessions(p::ListAutopilotSessionsRequest {})
        .await
        .expect_err("no macaroon");
    assert_eq!(
        (status.code(), status.message()),
        (tonic::Code::Unknown, "expected 1 macaroon, got 0")
    );
    // REST: the routes exist; HTTP 501 with grpc-gateway's body.
    let (code, body) = curl(&mock, "GET", "/v1/autopilot/features", None);
    assert_eq!(code, 501, "{body}");
    assert_eq!(
        body,
        r#"{"code":12,"message":"unknown service litrpc.Autopilot","details":[]}"#
    );

    // Sessions are unaffected; a revoke changes local state only.
    let mut sessions = SessionsClient::with_interceptor(channel, interceptor(&mock));
    let added = sessions
        .add_session(p::AddSessionRequest {
            session_type: p::SessionType::TypeMacaroonReadonly as i32,
            expiry_timestamp_seconds: in_ten_minutes(),
            ..Default::default()
        })
        .await
        .expect("AddSession")
        .into_inner()
        .session
        .expect("session");
    sessions
        .revoke_session(p::RevokeSessionRequest {
            local_public_key: added.local_public_key.clone(),
        })
        .await
        .expect("RevokeSession");
    let listed = sessions
        .list_sessions(p::ListSessionsRequest {})
        .await
        .expect("ListSessions")
        .into_inner()
        .sessions;
    assert_eq!(listed.len(), 1);
    assert_eq!(
        listed[0].session_state,
        p::SessionState::StateRevoked as i32
    );
    let (code, journal) = curl(&mock, "GET", "/_autopilot-mock/v1/journal", None);
    assert_eq!(code, 200, "{journal}");
    let journal: serde_json::Value = serde_json::from_str(&journal).expect("JSON journal");
    assert_eq!(
        journal["entries"].as_array().map(Vec::len),
        Some(0),
        "no remote call at all (not even Terms): {journal}"
    );
}

#[test]
fn rest_sessions_firewall_and_proxy_answer_in_litds_json() {
    let mut mock = MockProcess::serve_temp(std::iter::empty::<&str>());
    let (code, body) = curl(&mock, "GET", "/v1/sessions", None);
    assert_eq!((code, body.as_str()), (200, r#"{"sessions":[]}"#));
    let add = format!(
        r#"{{"session_type":"TYPE_MACAROON_ADMIN","expiry_timestamp_seconds":"{}"}}"#,
        in_ten_minutes()
    );
    let (code, body) = curl(&mock, "POST", "/v1/sessions", Some(&add));
    assert_eq!(code, 200, "{body}");
    assert!(body.contains(r#""macaroon_recipe":null"#), "{body}");
    let added: serde_json::Value = serde_json::from_str(&body).expect("JSON");
    let key = added["session"]["local_public_key"].as_str().expect("key");
    // The path key is base64url, as grpc-gateway reads bytes.
    let url_key = key.replace('+', "-").replace('/', "_");
    let (code, body) = curl(&mock, "DELETE", &format!("/v1/sessions/{url_key}"), None);
    assert_eq!((code, body.as_str()), (200, "{}"));

    let (code, body) = curl(
        &mock,
        "POST",
        "/v1/firewall/actions",
        Some(r#"{"count_total":true}"#),
    );
    assert_eq!(
        (code, body.as_str()),
        (
            200,
            r#"{"actions":[],"last_index_offset":"0","total_count":"0"}"#
        )
    );
    let seed = r#"{"actions":[{"actor_name":"a","timestamp":"5","state":"STATE_PENDING"}]}"#;
    let (code, body) = curl(&mock, "POST", "/_autopilot-mock/v1/actions", Some(seed));
    assert_eq!((code, body.as_str()), (200, r#"{"added":1,"total":1}"#));
    let (code, body) = curl(&mock, "POST", "/v1/firewall/actions", Some("{}"));
    assert_eq!(code, 200);
    assert!(body.contains(r#""state":"STATE_PENDING""#), "{body}");
    let (code, body) = curl(&mock, "DELETE", "/_autopilot-mock/v1/actions", None);
    assert_eq!((code, body.as_str()), (200, "{}"));
    let (code, body) = curl(
        &mock,
        "POST",
        "/v1/firewall/privacy_map/convert",
        Some(r#"{"input":"x"}"#),
    );
    assert_eq!(code, 500);
    assert!(body.contains("session ID must be 4 bytes long"), "{body}");

    let (code, body) = curl(&mock, "GET", "/v1/proxy/info", None);
    assert_eq!(
        (code, body.as_str()),
        (200, r#"{"version":"0.17.2-alpha","commit_hash":""}"#)
    );
    // StopDaemon answers, then the process exits 0 by itself.
    let (code, body) = curl(&mock, "POST", "/v1/proxy/stop", Some("{}"));
    assert_eq!((code, body.as_str()), (200, "{}"));
    let status =
        wait_timeout(&mut mock.child, Duration::from_secs(10)).unwrap_or_else(|| mock.terminate());
    assert!(status.success(), "{status:?}: {}", mock.stderr());
}
