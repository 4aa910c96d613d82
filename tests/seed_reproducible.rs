//! `serve --seed N` makes every answer reproducible: two processes of the
//! real binary, in fresh lit dirs, given the same calls over gRPC and REST,
//! answer byte for byte alike.
//!
//! What differs between the two processes, and why none of it is an answer:
//! the lit dirs' credentials (TLS key and certificate, macaroon root key and
//! so the macaroon) are made fresh in each dir, outside the seed (they are
//! secrets, and a second run in the same dir reuses them); the ports.
//!
//! Timestamps: `Session.created_at` and `revoked_at` are the server's clock
//! in seconds at the call. Before its n-th call, each process's clock is set
//! (admin API) to T0 + n seconds: the same instant in both, and still moving
//! forward, so sessions keep their order (List is oldest first, by the
//! clock's nanoseconds). They match unless a call takes a second or more;
//! if they do differ, they are the only bytes allowed to.

mod common;

use std::net::SocketAddr;

use autopilot_mock::admin::PREFIX;
use autopilot_mock::proto::litrpc as p;
use autopilot_mock::scenario::target::Target;
use base64::Engine;
use common::MockProcess;
use http_body_util::BodyExt;
use prost::Message;
use serde_json::{json, Value};
use tower::ServiceExt;

/// The instant both clocks are set to before every call: 2030-01-01.
const T0: u64 = 1_893_456_000;
const SEED: &str = "31337";

struct Mock {
    _process: MockProcess,
    target: Target,
    macaroon: String,
    /// Calls made so far (the clock is set to T0 + this before each).
    calls: std::sync::atomic::AtomicU64,
}

async fn start() -> Mock {
    let process = MockProcess::serve_temp(["--seed", SEED]);
    let addr: SocketAddr = process.listen().parse().expect("listen address");
    let cert = std::fs::read_to_string(process.tls_cert()).expect("tls.cert");
    let macaroon = std::fs::read(process.macaroon()).expect("lit.macaroon");
    let target = Target::connect(addr, &cert, macaroon.clone())
        .await
        .expect("target");
    Mock {
        _process: process,
        target,
        macaroon: hex::encode(macaroon),
        calls: Default::default(),
    }
}

/// A gRPC answer as it came off the wire.
#[derive(Debug, PartialEq)]
struct GrpcAnswer {
    status: String,
    message: String,
    /// The response message's bytes (without the 5-byte frame header).
    body: Vec<u8>,
}

/// A REST answer as it came off the wire.
#[derive(Debug, PartialEq)]
struct RestAnswer {
    status: u16,
    content_type: String,
    body: Vec<u8>,
}

impl Mock {
    async fn pin_clock(&self) {
        let n = self
            .calls
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let resp = self
            .target
            .http
            .post(format!("{}{PREFIX}/clock", self.target.base_url))
            .header("Grpc-Metadata-Macaroon", &self.macaroon)
            .body(json!({ "set_unix_seconds": T0 + n }).to_string())
            .send()
            .await
            .expect("clock request");
        assert_eq!(resp.status(), 200, "{:?}", resp.text().await);
    }

    /// One unary gRPC call with `request` as the message, answered raw.
    async fn grpc(&self, method: &str, request: Vec<u8>) -> GrpcAnswer {
        self.pin_clock().await;
        let mut frame = vec![0u8];
        frame.extend_from_slice(&u32::try_from(request.len()).expect("small").to_be_bytes());
        frame.extend_from_slice(&request);
        let req = http::Request::builder()
            .method("POST")
            .uri(format!("/litrpc.Autopilot/{method}"))
            .header("content-type", "application/grpc")
            .header("te", "trailers")
            .header("macaroon", &self.macaroon)
            .body(tonic::body::Body::new(http_body_util::Full::new(
                bytes::Bytes::from(frame),
            )))
            .expect("request");
        let resp = self
            .target
            .channel
            .clone()
            .oneshot(req)
            .await
            .expect("gRPC call");
        let (parts, body) = resp.into_parts();
        let collected = body.collect().await.expect("gRPC body");
        let trailers = collected.trailers().cloned().unwrap_or_default();
        let data = collected.to_bytes();
        // grpc-status is in the trailers, or in the headers of a
        // trailers-only answer.
        let field = |name: &str| {
            trailers
                .get(name)
                .or_else(|| parts.headers.get(name))
                .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
                .unwrap_or_default()
        };
        GrpcAnswer {
            status: field("grpc-status"),
            message: field("grpc-message"),
            body: data.get(5..).map(<[u8]>::to_vec).unwrap_or_default(),
        }
    }

    async fn rest(&self, method: reqwest::Method, path: &str, body: Option<&Value>) -> RestAnswer {
        self.pin_clock().await;
        let mut req = self
            .target
            .http
            .request(method, format!("{}{path}", self.target.base_url))
            .header("Grpc-Metadata-Macaroon", &self.macaroon);
        if let Some(body) = body {
            req = req.body(body.to_string());
        }
        let resp = req.send().await.expect("REST call");
        let status = resp.status().as_u16();
        let content_type = resp
            .headers()
            .get("content-type")
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
            .unwrap_or_default();
        let body = resp.bytes().await.expect("REST body").to_vec();
        RestAnswer {
            status,
            content_type,
            body,
        }
    }
}

/// Every session of an Add or List response (prost).
fn sessions_of(body: &[u8], list: bool) -> Vec<p::Session> {
    if list {
        p::ListAutopilotSessionsResponse::decode(body)
            .expect("List response decodes")
            .sessions
    } else {
        p::AddAutopilotSessionResponse::decode(body)
            .expect("Add response decodes")
            .session
            .into_iter()
            .collect()
    }
}

/// gRPC answers equal byte for byte, or, if the two clocks read different
/// seconds, equal once created_at and revoked_at are blanked.
fn assert_grpc_alike(step: &str, a: &GrpcAnswer, b: &GrpcAnswer, sessions: Option<bool>) {
    if a == b {
        return;
    }
    let Some(list) = sessions else {
        panic!("{step}: the answers differ:\n{a:?}\n{b:?}");
    };
    assert_eq!((&a.status, &a.message), (&b.status, &b.message), "{step}");
    let blank = |body: &[u8]| {
        let mut sessions = sessions_of(body, list);
        let stamps: Vec<(u64, u64)> = sessions
            .iter()
            .map(|s| (s.created_at, s.revoked_at))
            .collect();
        for s in &mut sessions {
            (s.created_at, s.revoked_at) = (0, 0);
        }
        (
            stamps,
            sessions
                .iter()
                .map(Message::encode_to_vec)
                .collect::<Vec<_>>(),
        )
    };
    let ((stamps_a, rest_a), (stamps_b, rest_b)) = (blank(&a.body), blank(&b.body));
    assert_ne!(
        stamps_a, stamps_b,
        "{step}: the same timestamps, yet the bytes differ"
    );
    assert_eq!(rest_a, rest_b, "{step}: more than the timestamps differ");
    eprintln!("{step}: only the timestamps differ ({stamps_a:?} vs {stamps_b:?})");
}

/// The same for REST answers (JSON text).
fn assert_rest_alike(step: &str, a: &RestAnswer, b: &RestAnswer) {
    if a == b {
        return;
    }
    assert_eq!(
        (a.status, &a.content_type),
        (b.status, &b.content_type),
        "{step}"
    );
    let blank = |body: &[u8]| {
        let mut v: Value = serde_json::from_slice(body).expect("JSON body");
        let mut stamps = Vec::new();
        let sessions: Vec<&mut Value> = match v.as_object_mut() {
            Some(o) if o.contains_key("session") => o.get_mut("session").into_iter().collect(),
            Some(o) => match o.get_mut("sessions") {
                Some(Value::Array(all)) => all.iter_mut().collect(),
                _ => Vec::new(),
            },
            None => Vec::new(),
        };
        for s in sessions {
            for field in ["created_at", "revoked_at"] {
                stamps.push(s[field].take());
            }
        }
        (stamps, v)
    };
    let ((stamps_a, rest_a), (stamps_b, rest_b)) = (blank(&a.body), blank(&b.body));
    assert_ne!(
        stamps_a, stamps_b,
        "{step}: the same timestamps, yet the bytes differ"
    );
    assert_eq!(rest_a, rest_b, "{step}: more than the timestamps differ");
    eprintln!("{step}: only the timestamps differ");
}

fn add_request(label: &str, linked_group_id: Vec<u8>) -> p::AddAutopilotSessionRequest {
    let mut features = std::collections::BTreeMap::new();
    features.insert("HealthCheck".to_string(), p::FeatureConfig::default());
    // With the privacy mapper on, the peer in the config is replaced by a
    // pseudo key drawn from the seeded RNG.
    features.insert(
        "AutoFees".to_string(),
        p::FeatureConfig {
            rules: None,
            config: br#"{"peers":["0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"]}"#
                .to_vec(),
        },
    );
    p::AddAutopilotSessionRequest {
        label: label.into(),
        expiry_timestamp_seconds: T0 + 365 * 86_400,
        mailbox_server_addr: "mailbox.terminal.lightning.today:443".into(),
        features,
        linked_group_id,
        ..Default::default()
    }
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_seeded_servers_answer_alike() {
    let (a, b) = (start().await, start().await);
    let grpc = |method: &'static str, request: Vec<u8>, sessions: Option<bool>| {
        let (a, b) = (&a, &b);
        async move {
            let (ra, rb) = (
                a.grpc(method, request.clone()).await,
                b.grpc(method, request).await,
            );
            assert_grpc_alike(method, &ra, &rb, sessions);
            ra
        }
    };
    let rest = |step: &'static str, method: reqwest::Method, path: String, body: Option<Value>| {
        let (a, b) = (&a, &b);
        async move {
            let ra = a.rest(method.clone(), &path, body.as_ref()).await;
            let rb = b.rest(method, &path, body.as_ref()).await;
            assert_rest_alike(step, &ra, &rb);
            ra
        }
    };

    grpc("ListAutopilotFeatures", Vec::new(), None).await;
    // A first session over gRPC: keys, pairing secret, mnemonic, the
    // remote's key and a pseudo peer all come from the seed.
    let first = grpc(
        "AddAutopilotSession",
        add_request("first", Vec::new()).encode_to_vec(),
        Some(false),
    )
    .await;
    assert_eq!(first.status, "0", "{first:?}");
    let first = sessions_of(&first.body, false).remove(0);
    assert_eq!(first.remote_public_key.len(), 33);
    // A second over REST.
    let second = rest(
        "POST sessions",
        reqwest::Method::POST,
        "/v1/autopilot/sessions".into(),
        Some(json!({
            "label": "second",
            "expiry_timestamp_seconds": (T0 + 86_400).to_string(),
            "mailbox_server_addr": "mailbox.terminal.lightning.today:443",
            "features": {"HealthCheck": {"config": b64(b"{}")}},
        })),
    )
    .await;
    assert_eq!(
        second.status,
        200,
        "{}",
        String::from_utf8_lossy(&second.body)
    );
    // Revoke the first over REST, then link a third to its group over gRPC
    // (the registration carries a signature by the first session's key).
    let url_key = base64::engine::general_purpose::URL_SAFE.encode(&first.local_public_key);
    rest(
        "DELETE session",
        reqwest::Method::DELETE,
        format!("/v1/autopilot/sessions/{url_key}"),
        None,
    )
    .await;
    let linked = grpc(
        "AddAutopilotSession",
        add_request("linked", first.group_id.clone()).encode_to_vec(),
        Some(false),
    )
    .await;
    assert_eq!(linked.status, "0", "{linked:?}");
    let linked = sessions_of(&linked.body, false).remove(0);
    assert_eq!(linked.group_id, first.group_id);
    assert_ne!(linked.remote_public_key, first.remote_public_key);
    // An error answer.
    let refused = grpc(
        "AddAutopilotSession",
        p::AddAutopilotSessionRequest::default().encode_to_vec(),
        None,
    )
    .await;
    // grpc-message as sent: percent-encoded.
    assert_eq!(
        refused.message,
        "must%20include%20at%20least%20one%20feature"
    );
    // Everything, both ways.
    let listed = grpc("ListAutopilotSessions", Vec::new(), Some(true)).await;
    assert_eq!(sessions_of(&listed.body, true).len(), 3);
    rest(
        "GET sessions",
        reqwest::Method::GET,
        "/v1/autopilot/sessions".into(),
        None,
    )
    .await;
    rest(
        "GET features",
        reqwest::Method::GET,
        "/v1/autopilot/features".into(),
        None,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_seed_answers_other_keys() {
    let a = start().await;
    let other = MockProcess::serve_temp(["--seed", "31338"]);
    let addr: SocketAddr = other.listen().parse().expect("listen address");
    let cert = std::fs::read_to_string(other.tls_cert()).expect("tls.cert");
    let macaroon = std::fs::read(other.macaroon()).expect("lit.macaroon");
    let b = Mock {
        target: Target::connect(addr, &cert, macaroon.clone())
            .await
            .expect("target"),
        macaroon: hex::encode(macaroon),
        calls: Default::default(),
        _process: other,
    };
    let request = add_request("x", Vec::new()).encode_to_vec();
    let (ra, rb) = (
        a.grpc("AddAutopilotSession", request.clone()).await,
        b.grpc("AddAutopilotSession", request).await,
    );
    let (sa, sb) = (
        sessions_of(&ra.body, false).remove(0),
        sessions_of(&rb.body, false).remove(0),
    );
    assert_ne!(sa.local_public_key, sb.local_public_key);
    assert_ne!(sa.remote_public_key, sb.remote_public_key);
    assert_ne!(sa.pairing_secret, sb.pairing_secret);
}
