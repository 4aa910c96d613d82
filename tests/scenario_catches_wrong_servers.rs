//! The harness must fail wrong servers, naming the step: a REST double
//! (wiremock) with wrong shapes and codes, a tonic server with wrong error
//! codes and data, and a raw gRPC server that uses wrong field numbers.

use std::net::SocketAddr;

#[path = "common/wrong_servers.rs"]
mod wrong_servers;

use autopilot_mock::proto::litrpc::autopilot_server::AutopilotServer;
use autopilot_mock::scenario::runner::{self, Powers, ScenarioReport, Verdict};
use autopilot_mock::scenario::target::Target;
use autopilot_mock::scenario::{Scenario, Transport};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

const SCENARIO: &str = r#"{
  "name": "catches",
  "steps": [
    {"name": "features", "call": "ListAutopilotFeatures",
     "expect": {"response": {"features": {"HealthCheck": {"privacy_flags": "0", "rules": {"rate-limit": {"known": true}}}}}}},
    {"name": "no features", "call": "AddAutopilotSession", "request": {},
     "expect": {"code": "Unknown", "message": "must include at least one feature"}},
    {"name": "list", "call": "ListAutopilotSessions",
     "expect": {"response": {"sessions": [{"session_state": "STATE_CREATED", "id": {"$shape": "bytes4"}}]}}}
  ]
}"#;

fn failures(report: &ScenarioReport) -> Vec<(String, String)> {
    report
        .steps
        .iter()
        .filter_map(|s| match &s.verdict {
            Verdict::Fail(why) => Some((s.step.clone(), why.clone())),
            _ => None,
        })
        .collect()
}

async fn run(target: &Target, transport: Transport) -> ScenarioReport {
    let scenario = Scenario::parse(SCENARIO, "inline").expect("scenario parses");
    let powers = Powers {
        admin: None,
        root_key: None,
    };
    runner::run(&scenario, "inline", transport, target, &powers).await
}

#[tokio::test]
async fn wrong_rest_shapes_and_codes_fail_the_right_steps() {
    let server = wiremock::MockServer::start().await;
    // privacy_flags as a number (litd writes uint64 as a string), rule unknown.
    Mock::given(method("GET"))
        .and(path("/v1/autopilot/features"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"features": {"HealthCheck": {
            "privacy_flags": 0, "rules": {"rate-limit": {"known": false}}}}})),
        )
        .mount(&server)
        .await;
    // InvalidArgument/400 where litd answers Unknown/500.
    Mock::given(method("POST"))
        .and(path("/v1/autopilot/sessions"))
        .respond_with(ResponseTemplate::new(400).set_body_json(
            json!({"code": 3, "message": "must include at least one feature", "details": []}),
        ))
        .mount(&server)
        .await;
    // A state by number, an id that is not base64 of 4 bytes.
    Mock::given(method("GET"))
        .and(path("/v1/autopilot/sessions"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"sessions": [{"session_state": 0, "id": "00112233"}]})),
        )
        .mount(&server)
        .await;
    let target = Target::plaintext(*server.address(), vec![1, 2, 3]).expect("target");
    let report = run(&target, Transport::Rest).await;
    let f = failures(&report);
    assert_eq!(f.len(), 3, "{f:?}");
    assert_eq!(f[0].0, "#1 features (ListAutopilotFeatures)");
    assert_eq!(
        f[0].1,
        "features.HealthCheck.privacy_flags: expected \"0\", got 0"
    );
    assert_eq!(f[1].0, "#2 no features (AddAutopilotSession)");
    assert!(
        f[1].1
            .starts_with("expected Unknown, got InvalidArgument (HTTP 400)"),
        "{}",
        f[1].1
    );
    assert_eq!(f[2].0, "#3 list (ListAutopilotSessions)");
    assert_eq!(
        f[2].1,
        "sessions.0.session_state: expected \"STATE_CREATED\", got 0"
    );
}

async fn serve_plaintext(router: axum::Router) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    addr
}

#[tokio::test]
async fn wrong_grpc_codes_and_values_fail_the_right_steps() {
    let router =
        tonic::service::Routes::new(AutopilotServer::new(wrong_servers::Naive)).into_axum_router();
    let addr = serve_plaintext(router).await;
    let target = Target::plaintext(addr, vec![1]).expect("target");
    let report = run(&target, Transport::Grpc).await;
    let f = failures(&report);
    assert_eq!(f.len(), 3, "{f:?}");
    assert_eq!(
        f[0].1,
        "features.HealthCheck.rules.rate-limit.known: expected true, got false"
    );
    assert_eq!(
        f[1].1,
        "expected Unknown, got InvalidArgument: \"features must not be empty\""
    );
    assert_eq!(
        f[2].1,
        "sessions.0.session_state: expected \"STATE_CREATED\", got \"STATE_RESERVED\""
    );
}

/// Encodes a protobuf length-delimited field.
fn field_bytes(number: u32, bytes: &[u8]) -> Vec<u8> {
    let mut out = vec![((number << 3) | 2) as u8, bytes.len() as u8];
    out.extend_from_slice(bytes);
    out
}

#[tokio::test]
async fn wrong_field_numbers_are_caught() {
    // A ListAutopilotSessionsResponse whose Session puts the 4-byte id in
    // field 1 (label) and the state in field 3 (session_type) instead of 14
    // and 2: a server built from a mistyped .proto.
    let mut session = field_bytes(1, &[1, 2, 3, 4]);
    session.extend_from_slice(&[3 << 3, 0]); // field 3 varint 0 (state CREATED, wrong slot)
    session.extend_from_slice(&[2 << 3, 4]); // field 2 varint 4 (RESERVED in the state slot)
    let message = field_bytes(1, &session);
    let mut frame = vec![0u8];
    frame.extend_from_slice(&(message.len() as u32).to_be_bytes());
    frame.extend_from_slice(&message);
    let router = axum::Router::new().route(
        "/litrpc.Autopilot/ListAutopilotSessions",
        axum::routing::post(move || {
            let frame = frame.clone();
            async move {
                (
                    [("content-type", "application/grpc"), ("grpc-status", "0")],
                    frame,
                )
            }
        }),
    );
    let addr = serve_plaintext(router).await;
    let target = Target::plaintext(addr, vec![1]).expect("target");
    let scenario = Scenario::parse(
        r#"{"name":"fields","steps":[{"name":"list","call":"ListAutopilotSessions",
            "expect":{"response":{"sessions":[{"session_state":"STATE_CREATED","id":{"$shape":"bytes4"}}]}}}]}"#,
        "inline",
    )
    .expect("parses");
    let powers = Powers {
        admin: None,
        root_key: None,
    };
    let report = runner::run(&scenario, "inline", Transport::Grpc, &target, &powers).await;
    let f = failures(&report);
    assert_eq!(f.len(), 1, "{:?}", report.steps);
    assert_eq!(f[0].0, "#1 list (ListAutopilotSessions)");
    assert_eq!(
        f[0].1,
        "sessions.0.session_state: expected \"STATE_CREATED\", got \"STATE_RESERVED\""
    );
}
