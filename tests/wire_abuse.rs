//! Raw wire abuse over a real TLS socket: broken gRPC framing, garbage
//! protobuf, HTTP/2 and HTTP/1 misuse, oversized metadata, and every limit
//! (message size, concurrent streams, header size, sessions). Each must get
//! a clear status, and the server must still answer a normal call afterwards
//! with its sessions intact.

#[path = "wire/raw.rs"]
mod raw;
mod support;

use std::sync::Arc;
use std::time::Duration;

use autopilot_mock::domain::clock::ManualClock;
use autopilot_mock::fuzz::mutate::{frame, key, varint};
use autopilot_mock::fuzz::{Case, MacaroonUse, Outcome, Target, Transport};
use autopilot_mock::remote::Catalogue;
use autopilot_mock::rpc::Rpc;
use autopilot_mock::server::{self, RunningServer, ServerConfig};
use prost::Message;
use support::{health_check, T0};

const MAX_MESSAGE: usize = 64 * 1024;
const MAX_STREAMS: u32 = 4;
const MAX_HEADERS: u32 = 8 * 1024;
const MAX_SESSIONS: usize = 3;

struct Abused {
    running: RunningServer,
    target: Target,
    macaroon_hex: String,
    _dir: tempfile::TempDir,
}

async fn start() -> Abused {
    let dir = tempfile::tempdir().expect("temp dir");
    let catalogue = Catalogue::default_catalogue().expect("catalogue");
    let listen = "127.0.0.1:0".parse().expect("addr");
    let mut config = ServerConfig::new(dir.path().join("lit"), "regtest", listen, catalogue);
    config.clock = Arc::new(ManualClock::at_unix(T0));
    config.seed = Some(3);
    config.max_message_bytes = MAX_MESSAGE;
    config.max_concurrent_streams = MAX_STREAMS;
    config.max_header_list_bytes = MAX_HEADERS;
    config.core.max_sessions = MAX_SESSIONS;
    let running = server::start(config).await.expect("server starts");
    let macaroon_hex = hex::encode(std::fs::read(&running.paths.macaroon).expect("macaroon"));
    let target = Target::new(
        running.local_addr,
        &running.tls_cert_pem,
        macaroon_hex.clone(),
        Duration::from_secs(10),
    )
    .expect("target");
    Abused {
        running,
        target,
        macaroon_hex,
        _dir: dir,
    }
}

fn grpc(path: &str, body: Vec<u8>) -> Case {
    Case {
        transport: Transport::Grpc,
        method: "POST".into(),
        path: path.into(),
        headers: vec![
            ("content-type".into(), "application/grpc".into()),
            ("te".into(), "trailers".into()),
        ],
        macaroon: MacaroonUse::Valid,
        body_hex: hex::encode(body),
        what: "test".into(),
    }
}

fn add_body() -> Vec<u8> {
    frame(&health_check().encode_to_vec())
}

impl Abused {
    async fn send(&self, case: &Case) -> Outcome {
        self.target.send(&mut None, case).await
    }

    /// Asserts `case` gets gRPC status `code`, with `message_part` in it.
    async fn expect_code(&self, case: &Case, code: tonic::Code, message_part: &str) {
        match self.send(case).await {
            Outcome::Error {
                code: got, message, ..
            } => {
                assert_eq!(got, code as i32, "{message}");
                assert!(
                    message.contains(message_part),
                    "{message:?} lacks {message_part:?}"
                );
            }
            other => panic!("expected {code:?}, got {other:?}"),
        }
    }

    /// Asserts `case` gets gRPC status `code` with exactly `message`.
    async fn expect_exact(&self, case: &Case, code: tonic::Code, message: &str) {
        match self.send(case).await {
            Outcome::Error {
                code: got,
                message: text,
                ..
            } => assert_eq!((got, text.as_str()), (code as i32, message)),
            other => panic!("expected {code:?}, got {other:?}"),
        }
    }

    /// A normal call still works and every session added so far is listed.
    async fn still_serves(&self, sessions: usize) {
        let list = grpc(Rpc::ListAutopilotSessions.full_method(), frame(&[]));
        assert_eq!(self.send(&list).await, Outcome::Ok);
        assert_eq!(self.running.core.session_count(), sessions);
        let listed = self.running.core.list_sessions().await.expect("list");
        assert_eq!(listed.len(), sessions);
    }
}

#[tokio::test]
async fn malformed_grpc_framing_gets_clear_statuses() {
    let s = start().await;
    assert_eq!(
        s.send(&grpc(Rpc::AddAutopilotSession.full_method(), add_body()))
            .await,
        Outcome::Ok
    );

    // grpc-go's texts for the compressed flag with no grpc-encoding, and
    // for a flag that is neither 0 nor 1.
    let mut compressed = add_body();
    compressed[0] = 1;
    s.expect_exact(
        &grpc(Rpc::AddAutopilotSession.full_method(), compressed),
        tonic::Code::Internal,
        "grpc: compressed flag set with identity or empty encoding",
    )
    .await;
    let mut flag_7 = add_body();
    flag_7[0] = 7;
    s.expect_exact(
        &grpc(Rpc::AddAutopilotSession.full_method(), flag_7),
        tonic::Code::Internal,
        "grpc: received unexpected payload format 7",
    )
    .await;

    let mut long_prefix = add_body();
    long_prefix[1..5].copy_from_slice(&1_000u32.to_be_bytes());
    s.expect_code(
        &grpc(Rpc::AddAutopilotSession.full_method(), long_prefix),
        tonic::Code::Internal,
        "",
    )
    .await;

    s.expect_code(
        &grpc(Rpc::AddAutopilotSession.full_method(), vec![0, 0, 0]),
        tonic::Code::Internal,
        "",
    )
    .await;
    s.expect_code(
        &grpc(Rpc::AddAutopilotSession.full_method(), Vec::new()),
        tonic::Code::Internal,
        "",
    )
    .await;

    let mut over = vec![0];
    over.extend((MAX_MESSAGE as u32 + 1).to_be_bytes());
    s.expect_code(
        &grpc(Rpc::AddAutopilotSession.full_method(), over),
        tonic::Code::ResourceExhausted,
        "grpc: received message larger than max (",
    )
    .await;

    let mut u32_max = vec![0];
    u32_max.extend(u32::MAX.to_be_bytes());
    s.expect_code(
        &grpc(Rpc::RevokeAutopilotSession.full_method(), u32_max),
        tonic::Code::ResourceExhausted,
        "grpc: received message larger than max (",
    )
    .await;

    // A real message over the limit, sent in full.
    let mut huge = health_check();
    huge.label = "x".repeat(MAX_MESSAGE + 10);
    s.expect_code(
        &grpc(
            Rpc::AddAutopilotSession.full_method(),
            frame(&huge.encode_to_vec()),
        ),
        tonic::Code::ResourceExhausted,
        "grpc: received message larger than max (",
    )
    .await;

    s.still_serves(1).await;
    s.running.shutdown().await;
}

#[tokio::test]
async fn garbage_protobuf_gets_grpc_gos_texts_and_skipped_fields_are_ignored() {
    let s = start().await;
    let unmarshal = "grpc: error unmarshalling request: ";
    let wire_format = "cannot parse invalid wire-format data";
    s.expect_code(
        &grpc(Rpc::AddAutopilotSession.full_method(), frame(&[0xff; 40])),
        tonic::Code::Internal,
        wire_format,
    )
    .await;
    // Field 1 (label, a string) sent as a varint: protobuf-go reads it as
    // an unknown field and skips it, so the handler runs.
    let mut wrong = health_check().encode_to_vec();
    key(&mut wrong, 1, 0);
    varint(&mut wrong, 5);
    assert_eq!(
        s.send(&grpc(Rpc::AddAutopilotSession.full_method(), frame(&wrong)))
            .await,
        Outcome::Ok
    );
    // Label with invalid UTF-8.
    let mut utf8 = Vec::new();
    key(&mut utf8, 1, 2);
    utf8.extend([2, 0xff, 0xfe]);
    s.expect_code(
        &grpc(Rpc::AddAutopilotSession.full_method(), frame(&utf8)),
        tonic::Code::Internal,
        &format!("{unmarshal}string field contains invalid UTF-8"),
    )
    .await;
    // 10 000 nested groups never closed: a wire-format error, not a stack
    // overflow.
    let mut groups = Vec::new();
    for _ in 0..10_000 {
        key(&mut groups, 99, 3);
    }
    s.expect_code(
        &grpc(Rpc::RevokeAutopilotSession.full_method(), frame(&groups)),
        tonic::Code::Internal,
        wire_format,
    )
    .await;
    // Unknown fields are skipped, as protobuf requires: the handler runs.
    let mut unknown = health_check().encode_to_vec();
    key(&mut unknown, 4_242, 2);
    unknown.extend([3, b'a', b'b', b'c']);
    assert_eq!(
        s.send(&grpc(
            Rpc::AddAutopilotSession.full_method(),
            frame(&unknown)
        ))
        .await,
        Outcome::Ok
    );
    // An empty request reaches the handler: litd's own error.
    s.expect_code(
        &grpc(Rpc::AddAutopilotSession.full_method(), frame(&[])),
        tonic::Code::Unknown,
        "must include at least one feature",
    )
    .await;
    s.expect_code(
        &grpc("/litrpc.Autopilot/Nope", frame(&[])),
        tonic::Code::Unknown,
        "unknown request",
    )
    .await;
    s.expect_code(
        &grpc("/foo.Bar/Baz", frame(&[])),
        tonic::Code::Unknown,
        "unknown request",
    )
    .await;
    s.still_serves(2).await;
    s.running.shutdown().await;
}

#[tokio::test]
async fn oversized_metadata_is_refused_clearly() {
    let s = start().await;
    let mut case = grpc(Rpc::ListAutopilotSessions.full_method(), frame(&[]));
    case.macaroon = MacaroonUse::Value("ab".repeat(MAX_HEADERS as usize));
    match s.send(&case).await {
        Outcome::Error { http_status, .. } => assert_eq!(http_status, 431),
        Outcome::Reset { detail } => assert!(detail.contains("refused"), "{detail}"),
        other => panic!("expected 431 or REFUSED_STREAM, got {other:?}"),
    }
    // Just under the limit: the macaroon is checked and rejected by auth.
    case.macaroon = MacaroonUse::Value("ab".repeat(1_000));
    s.expect_code(&case, tonic::Code::Unknown, "").await;
    s.still_serves(0).await;
    s.running.shutdown().await;
}

#[tokio::test]
async fn streams_over_the_limit_are_refused() {
    let s = start().await;
    let mut h2 = raw::H2::connect(s.running.local_addr, &s.running.tls_cert_pem).await;
    let headers = raw::grpc_headers(Rpc::ListAutopilotSessions.full_method(), &s.macaroon_hex);
    // Open streams and leave them open (no END_STREAM, no body yet).
    let total = MAX_STREAMS + 3;
    for i in 0..total {
        h2.headers(1 + 2 * i, &headers, false).await;
    }
    let mut refused = Vec::new();
    while let Some(f) = h2.read().await {
        if f.kind == raw::RST_STREAM {
            let code = u32::from_be_bytes([f.payload[0], f.payload[1], f.payload[2], f.payload[3]]);
            assert_eq!(code, raw::REFUSED_STREAM, "stream {}", f.stream);
            refused.push(f.stream);
        }
        assert_ne!(f.kind, raw::GOAWAY, "the connection must survive");
        if refused.len() == (total - MAX_STREAMS) as usize {
            break;
        }
    }
    let expected: Vec<u32> = (MAX_STREAMS..total).map(|i| 1 + 2 * i).collect();
    assert_eq!(refused, expected);
    // The allowed streams still complete on the same connection.
    h2.frame(raw::DATA, raw::END_STREAM, 1, &frame(&[])).await;
    let mut answered = false;
    while let Some(f) = h2.read().await {
        if f.stream == 1 && f.kind == raw::HEADERS && f.flags & raw::END_STREAM != 0 {
            answered = true;
            break;
        }
    }
    assert!(answered, "stream 1 got its trailers");
    s.still_serves(0).await;
    s.running.shutdown().await;
}

#[tokio::test]
async fn http1_abuse_gets_http_errors() {
    let s = start().await;
    let (addr, pem) = (s.running.local_addr, s.running.tls_cert_pem.clone());
    let big = format!(
        "GET /v1/autopilot/sessions HTTP/1.1\r\nHost: localhost\r\nX-Big: {}\r\n\r\n",
        "a".repeat(MAX_HEADERS as usize + 64 * 1024)
    );
    let answer = raw::http1(addr, &pem, big.as_bytes()).await;
    assert!(answer.starts_with("HTTP/1.1 431"), "{answer}");

    let answer = raw::http1(addr, &pem, b"GARBAGE\r\n\r\n").await;
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");

    let bad_chunk = b"POST /v1/autopilot/sessions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n";
    let answer = raw::http1(addr, &pem, bad_chunk).await;
    assert!(
        answer.is_empty() || answer.starts_with("HTTP/1.1 4"),
        "{answer}"
    );

    // A body over the message limit: grpc-gateway's ResourceExhausted (429).
    let body = format!("{{\"label\":\"{}\"}}", "x".repeat(MAX_MESSAGE));
    let req = format!(
        "POST /v1/autopilot/sessions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let answer = raw::http1(addr, &pem, req.as_bytes()).await;
    assert!(answer.starts_with("HTTP/1.1 429"), "{answer}");
    assert!(
        answer.contains("received message larger than max"),
        "{answer}"
    );

    // Invalid UTF-8 in the path parameter: litd's type mismatch, as JSON.
    let req = format!(
        "DELETE /v1/autopilot/sessions/%FF%FE HTTP/1.1\r\nHost: localhost\r\nGrpc-Metadata-Macaroon: {}\r\nConnection: close\r\n\r\n",
        s.macaroon_hex
    );
    let answer = raw::http1(addr, &pem, req.as_bytes()).await;
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    assert!(
        answer.contains("illegal base64 data at input byte 0"),
        "{answer}"
    );
    s.still_serves(0).await;
    s.running.shutdown().await;
}

#[tokio::test]
async fn the_session_limit_is_a_clear_error() {
    let s = start().await;
    for _ in 0..MAX_SESSIONS {
        assert_eq!(
            s.send(&grpc(Rpc::AddAutopilotSession.full_method(), add_body()))
                .await,
            Outcome::Ok
        );
    }
    s.expect_code(
        &grpc(Rpc::AddAutopilotSession.full_method(), add_body()),
        tonic::Code::Unknown,
        &format!("the mock holds its limit of {MAX_SESSIONS} sessions (see --max-sessions)"),
    )
    .await;
    s.still_serves(MAX_SESSIONS).await;
    s.running.shutdown().await;
}
