//! REST details of litd's front door, over real sockets: error responses
//! carry `Grpc-Metadata-Content-Type`, `OPTIONS` is answered as litd's CORS
//! wrapper does, a body the gateway ignores never cuts the answer short
//! (HTTP/1.1 and HTTP/2, small and large bodies, a ~200 KB List), macaroon
//! header bytes that are not UTF-8 (REST and gRPC), and a Python client that
//! sends its expiry as a float.

mod support;

use autopilot_mock::proto::litrpc as p;
use serde_json::{json, Value};
use support::*;
use tonic::metadata::MetadataValue;

fn client(cert_pem: &str, http1_only: bool) -> reqwest::Client {
    let tls = autopilot_mock::tls::client_config(cert_pem).expect("client TLS config");
    let mut tls = (*tls).clone();
    tls.alpn_protocols = if http1_only {
        vec![b"http/1.1".to_vec()]
    } else {
        vec![b"h2".to_vec()]
    };
    let builder = reqwest::Client::builder().use_preconfigured_tls(tls);
    let builder = if http1_only {
        builder.http1_only()
    } else {
        builder
    };
    builder.build().expect("client")
}

fn base(s: &TestServer) -> String {
    format!("https://localhost:{}", s.running.local_addr.port())
}

/// The message with protobuf-go's `proto:` + space/no-break space prefix
/// normalised to a plain space (after checking it is one of the two).
fn normalised(message: &str) -> String {
    match message.strip_prefix("proto:") {
        Some(rest) => {
            let mut chars = rest.chars();
            let space = chars.next();
            assert!(matches!(space, Some(' ' | '\u{a0}')), "{message:?}");
            format!("proto: {}", chars.as_str())
        }
        None => message.to_string(),
    }
}

#[tokio::test]
async fn rpc_errors_carry_grpc_metadata_content_type_and_gateway_errors_do_not() {
    let s = TestServer::start().await;
    let http = client(&s.running.tls_cert_pem, false);
    let url = format!("{}/v1/autopilot/features", base(&s));
    // litd's itest R1: the no-macaroon error.
    let resp = http.get(&url).send().await.expect("sent");
    assert_eq!(resp.status(), 500);
    assert_eq!(resp.headers()["content-type"], "application/json");
    assert_eq!(
        resp.headers()["grpc-metadata-content-type"],
        "application/grpc"
    );
    let body: Value = resp.json().await.expect("json");
    assert_eq!(
        body,
        json!({"code": 2, "message": "expected 1 macaroon, got 0", "details": []})
    );
    // A handler error too.
    let resp = http
        .post(format!("{}/v1/autopilot/sessions", base(&s)))
        .header("Grpc-Metadata-Macaroon", &s.macaroon_hex)
        .body("{}")
        .send()
        .await
        .expect("sent");
    assert_eq!(resp.status(), 500);
    assert_eq!(
        resp.headers()["grpc-metadata-content-type"],
        "application/grpc"
    );
    // The gateway's own errors (routing, body decoding) never reached gRPC.
    let resp = http
        .get(format!("{}/v1/autopilot/nothing", base(&s)))
        .send()
        .await
        .expect("sent");
    assert_eq!(resp.status(), 404);
    assert!(resp.headers().get("grpc-metadata-content-type").is_none());
    let resp = http
        .post(format!("{}/v1/autopilot/sessions", base(&s)))
        .header("Grpc-Metadata-Macaroon", &s.macaroon_hex)
        .body(r#"{"label":"a","label":"b"}"#)
        .send()
        .await
        .expect("sent");
    assert_eq!(resp.status(), 400);
    assert!(resp.headers().get("grpc-metadata-content-type").is_none());
    let body: Value = resp.json().await.expect("json");
    assert_eq!(
        normalised(body["message"].as_str().expect("message")),
        r#"proto: (line 1:14): duplicate field "label""#
    );
}

#[tokio::test]
async fn options_is_answered_as_litds_cors_wrapper_does() {
    let catalogue = autopilot_mock::remote::Catalogue::default_catalogue().expect("catalogue");
    let dir = tempfile::tempdir().expect("dir");
    let mut config = autopilot_mock::server::ServerConfig::new(
        dir.path().to_path_buf(),
        "regtest",
        "127.0.0.1:0".parse().expect("addr"),
        catalogue,
    );
    config.rest_cors = vec!["https://app.example".into()];
    let running = autopilot_mock::server::start(config).await.expect("starts");
    let http = client(&running.tls_cert_pem, true);
    let url = format!(
        "https://localhost:{}/v1/autopilot/sessions",
        running.local_addr.port()
    );
    // An origin that is not listed still gets the static headers and an
    // empty 200 for OPTIONS; only Allow-Origin is left out.
    for (origin, echoed) in [
        ("https://app.example", true),
        ("https://evil.example", false),
    ] {
        let pre = http
            .request(reqwest::Method::OPTIONS, &url)
            .header("Origin", origin)
            .send()
            .await
            .expect("preflight");
        assert_eq!(pre.status(), 200, "{origin}");
        assert_eq!(
            pre.headers()["access-control-allow-methods"],
            "GET, POST, DELETE"
        );
        assert_eq!(
            pre.headers()["access-control-allow-headers"],
            "Content-Type, Accept, Grpc-Metadata-Macaroon"
        );
        assert_eq!(
            pre.headers()
                .get("access-control-allow-origin")
                .map(|v| v.to_str().unwrap_or_default()),
            echoed.then_some(origin),
        );
        assert_eq!(pre.text().await.expect("body"), "");
    }
    // Without an Origin, OPTIONS reaches the gateway: a known path with
    // another method is grpc-gateway's 501.
    let resp = http
        .request(reqwest::Method::OPTIONS, &url)
        .send()
        .await
        .expect("sent");
    assert_eq!(resp.status(), 501);
    let body: Value = resp.json().await.expect("json");
    assert_eq!(
        body,
        json!({"code": 12, "message": "Method Not Allowed", "details": []})
    );
    running.shutdown().await;
}

/// 40 sessions with long labels: a List of about 200 KB.
async fn forty_sessions(s: &TestServer) {
    let mut c = s.client();
    for i in 0..40 {
        let mut req = health_check();
        req.label = format!("{i:02}-{}", "x".repeat(4000));
        c.add_autopilot_session(req).await.expect("added");
    }
}

#[tokio::test]
async fn an_ignored_request_body_never_cuts_the_answer_short() {
    let s = TestServer::start().await;
    forty_sessions(&s).await;
    let url = format!("{}/v1/autopilot/sessions", base(&s));
    for http1 in [true, false] {
        let http = client(&s.running.tls_cert_pem, http1);
        for size in [187usize, 200 * 1024] {
            for method in [reqwest::Method::GET, reqwest::Method::DELETE] {
                let resp = http
                    .request(method.clone(), &url)
                    .header("Grpc-Metadata-Macaroon", &s.macaroon_hex)
                    .body(vec![b'{'; size])
                    .send()
                    .await
                    .unwrap_or_else(|e| panic!("{method} http1={http1} {size}: {e}"));
                let status = resp.status().as_u16();
                let text = resp
                    .text()
                    .await
                    .unwrap_or_else(|e| panic!("{method} http1={http1} {size}: body: {e}"));
                let body: Value = serde_json::from_str(&text)
                    .unwrap_or_else(|e| panic!("{method} {size}: {e}: {} bytes", text.len()));
                if method == reqwest::Method::GET {
                    assert_eq!(status, 200);
                    assert!(text.len() > 180_000, "{}", text.len());
                    assert_eq!(body["sessions"].as_array().map(Vec::len), Some(40));
                } else {
                    // DELETE on the collection: grpc-gateway's 501.
                    assert_eq!(status, 501, "{body}");
                }
            }
        }
    }
    // The real curl over HTTP/1.1, as the issue reports it.
    let file = s.dir.path().join("200KB");
    std::fs::write(&file, vec![b'a'; 200 * 1024]).expect("body file");
    let out = tokio::process::Command::new("curl")
        .args(["-sS", "--http1.1", "-k", "-X", "GET", "--data-binary"])
        .arg(format!("@{}", file.display()))
        .args(["-H", &format!("Grpc-Metadata-Macaroon: {}", s.macaroon_hex)])
        .args(["-w", "\ncode=%{http_code} size=%{size_download}", &url])
        .output()
        .await
        .expect("curl runs (Debian package curl)");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "curl: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (json_text, tail) = stdout.rsplit_once('\n').expect("curl's -w line");
    assert!(tail.starts_with("code=200 size="), "{tail}");
    let body: Value = serde_json::from_str(json_text).expect("the whole List");
    assert_eq!(body["sessions"].as_array().map(Vec::len), Some(40));
}

#[tokio::test]
async fn macaroon_header_bytes_that_are_not_utf8_are_reported_as_go_does() {
    let s = TestServer::start().await;
    let want = "proxy error with context lit: invalid macaroon: encoding/hex: invalid byte: U+00FF '\u{ff}'";
    // gRPC: h2 carries obs-text bytes in a metadata value.
    let value = MetadataValue::try_from(b"\xff0".as_slice()).expect("obs-text is allowed");
    let mut c = s.client_with(vec![]);
    let mut req = tonic::Request::new(p::ListAutopilotSessionsRequest {});
    req.metadata_mut().insert("macaroon", value);
    let status = c.list_autopilot_sessions(req).await.expect_err("rejected");
    assert_eq!(status.code(), tonic::Code::Unknown);
    assert_eq!(status.message(), want);
    // REST over both protocols.
    for http1 in [true, false] {
        let http = client(&s.running.tls_cert_pem, http1);
        let header = reqwest::header::HeaderValue::from_bytes(b"\xff0").expect("obs-text");
        let resp = http
            .get(format!("{}/v1/autopilot/sessions", base(&s)))
            .header("Grpc-Metadata-Macaroon", header)
            .send()
            .await
            .expect("sent");
        assert_eq!(resp.status(), 500);
        let body: Value = resp.json().await.expect("json");
        assert_eq!(body, json!({"code": 2, "message": want, "details": []}));
    }
}

#[tokio::test]
async fn a_python_client_sending_time_time_plus_3600() {
    let Ok(python) = std::env::var("AUTOPILOT_MOCK_PYTHON") else {
        panic!(
            "AUTOPILOT_MOCK_PYTHON is set by scripts/test.sh (or source /work/coord/testenv.sh)"
        );
    };
    let s = TestServer::start().await;
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/clients/python/rest_float_expiry.py");
    let out = tokio::process::Command::new(python)
        .arg(script)
        .arg(s.running.local_addr.port().to_string())
        .arg(&s.macaroon_hex)
        .arg(T0.to_string())
        .output()
        .await
        .expect("python runs");
    assert!(
        out.status.success(),
        "python: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let result: Value = serde_json::from_slice(&out.stdout).expect("one JSON line");
    // time.time() + 3600 has a fraction: litd refuses it, with protojson's
    // text naming the number as Python wrote it.
    let fractional = &result["fractional"];
    let sent = fractional["sent"].as_str().expect("sent");
    let number_at = sent.find(": ").expect("json.dumps separator") + 2;
    let number: String = sent[number_at..]
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    assert!(number.contains('.'), "{number}");
    assert_eq!(fractional["status"], 400);
    assert_eq!(fractional["body"]["code"], 3);
    assert_eq!(
        normalised(fractional["body"]["message"].as_str().expect("message")),
        format!(
            "proto: (line 1:{}): invalid value for uint64 field expiryTimestampSeconds: {number}",
            number_at + 1
        )
    );
    // An integral float (`float(int(...))`, json writes `1893542400.0`) is
    // accepted as the integer it is.
    let integral = &result["integral"];
    assert!(
        integral["sent"]
            .as_str()
            .is_some_and(|t| t.contains(&format!("{}.0", T0 + 86_400))),
        "{integral}"
    );
    assert_eq!(integral["status"], 200, "{integral}");
    assert_eq!(
        integral["body"]["session"]["expiry_timestamp_seconds"],
        (T0 + 86_400).to_string()
    );
}
