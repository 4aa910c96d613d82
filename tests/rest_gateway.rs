//! litd's REST gateway on the gRPC port (reference §6): routes, JSON
//! conventions, error shapes and status mapping, auth, over a real TLS
//! socket with an HTTP client and with the real `curl`.

mod support;

use autopilot_mock::proto::litrpc as p;
use base64::Engine;
use serde_json::{json, Value};
use support::*;

/// The reference's example request (expiry made relative to the test clock).
fn example_body() -> Value {
    json!({
        "label": "x",
        "expiry_timestamp_seconds": (T0 + 86_400).to_string(),
        "mailbox_server_addr": "mailbox.terminal.lightning.today:443",
        "features": {"HealthCheck": {"rules": {"rules": {"rate-limit": {"rate_limit": {
            "read_limit": {"iterations": 10, "num_hours": 1},
            "write_limit": {"iterations": 1, "num_hours": 1}}}}}, "config": "e30="}}
    })
}

struct Rest {
    http: reqwest::Client,
    base: String,
    macaroon: String,
}

impl Rest {
    fn new(s: &TestServer) -> Rest {
        let http = https_client(&s.running.tls_cert_pem);
        Rest {
            http,
            base: format!("https://localhost:{}", s.running.local_addr.port()),
            macaroon: s.macaroon_hex.clone(),
        }
    }

    async fn call(&self, method: reqwest::Method, path: &str, body: Option<&str>) -> (u16, Value) {
        let mut req = self
            .http
            .request(method, format!("{}{path}", self.base))
            .header("Grpc-Metadata-Macaroon", &self.macaroon);
        if let Some(body) = body {
            req = req.body(body.to_string());
        }
        let resp = req.send().await.expect("request sent");
        let status = resp.status().as_u16();
        let text = resp.text().await.expect("body");
        let value = serde_json::from_str(&text).unwrap_or_else(|_| panic!("JSON body: {text}"));
        (status, value)
    }
}

/// An HTTPS client pinned to the mock's certificate (rustls, like tonic,
/// refuses litd's CA-as-leaf certificate through the usual root store).
fn https_client(cert_pem: &str) -> reqwest::Client {
    let tls = autopilot_mock::tls::client_config(cert_pem).expect("client TLS config");
    let mut tls = (*tls).clone();
    tls.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    reqwest::Client::builder()
        .use_preconfigured_tls(tls)
        .build()
        .expect("client")
}

fn error(code: i32, message: &str) -> Value {
    json!({"code": code, "message": message, "details": []})
}

#[tokio::test]
async fn features_as_litd_json() {
    let s = TestServer::start().await;
    let rest = Rest::new(&s);
    let resp = rest
        .http
        .get(format!("{}/v1/autopilot/features", rest.base))
        .header("grpc-metadata-macaroon", &rest.macaroon)
        .send()
        .await
        .expect("sent");
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], "application/json");
    assert_eq!(
        resp.headers()["grpc-metadata-content-type"],
        "application/grpc"
    );
    let body: Value = resp.json().await.expect("json");
    let hc = &body["features"]["HealthCheck"];
    assert_eq!(hc["privacy_flags"], "0");
    assert_eq!(hc["requires_upgrade"], false);
    assert_eq!(hc["default_config"], "");
    let rule = &hc["rules"]["rate-limit"];
    assert_eq!(rule["known"], true);
    assert_eq!(
        rule["defaults"]["rate_limit"]["read_limit"]["iterations"],
        10
    );
    insta::assert_json_snapshot!("rest_features", body);
}

#[tokio::test]
async fn add_list_revoke_round_trip() {
    let s = TestServer::start().await;
    let rest = Rest::new(&s);
    let (status, added) = rest
        .call(
            reqwest::Method::POST,
            "/v1/autopilot/sessions",
            Some(&example_body().to_string()),
        )
        .await;
    assert_eq!(status, 200, "{added}");
    let session = &added["session"];
    let id = session["id"].as_str().expect("id is a string");
    assert_eq!(id.len(), 8);
    assert!(id.ends_with("=="));
    let key_b64 = session["local_public_key"].as_str().expect("key");
    assert_eq!(key_b64.len(), 44);
    assert_eq!(
        session["expiry_timestamp_seconds"],
        (T0 + 86_400).to_string()
    );
    assert_eq!(session["created_at"], T0.to_string());
    assert_eq!(session["session_state"], "STATE_CREATED");
    assert_eq!(session["session_type"], "TYPE_AUTOPILOT");
    assert_eq!(session["feature_configs"], json!({"HealthCheck": "{}"}));
    assert_eq!(session["privacy_flags"], "0");
    assert_eq!(session["revoked_at"], "0");
    assert_eq!(session["account_id"], "");
    insta::assert_json_snapshot!("rest_add_session", added, {
        ".session.id" => "[4 bytes]",
        ".session.group_id" => "[4 bytes]",
        ".session.local_public_key" => "[33-byte key]",
        ".session.remote_public_key" => "[33-byte key]",
        ".session.pairing_secret" => "[14 bytes]",
        ".session.pairing_secret_mnemonic" => "[10 words]",
    });

    // The same session through gRPC is the same data.
    let grpc = s
        .client()
        .list_autopilot_sessions(p::ListAutopilotSessionsRequest {})
        .await
        .expect("grpc list")
        .into_inner();
    let (status, listed) = rest
        .call(reqwest::Method::GET, "/v1/autopilot/sessions", None)
        .await;
    assert_eq!(status, 200);
    let from_grpc = autopilot_mock::wire::litd_json::to_litd_json(
        "litrpc.ListAutopilotSessionsResponse",
        &grpc,
    );
    assert_eq!(listed, from_grpc);
    assert_eq!(listed["sessions"][0], added["session"]);

    // DELETE takes the key as base64url.
    let raw = base64::engine::general_purpose::STANDARD
        .decode(key_b64)
        .expect("std base64");
    let url_key = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&raw);
    let (status, body) = rest
        .call(
            reqwest::Method::DELETE,
            &format!("/v1/autopilot/sessions/{url_key}"),
            None,
        )
        .await;
    assert_eq!((status, body), (200, json!({})));
    let (_, listed) = rest
        .call(reqwest::Method::GET, "/v1/autopilot/sessions", None)
        .await;
    assert_eq!(listed["sessions"][0]["session_state"], "STATE_REVOKED");
}

#[tokio::test]
async fn errors_have_litd_shapes_and_statuses() {
    let s = TestServer::start().await;
    let rest = Rest::new(&s);
    use reqwest::Method;

    let (status, body) = rest.call(Method::GET, "/v1/autopilot/sessions", None).await;
    assert_eq!((status, body), (200, json!({"sessions": []})));

    // An empty POST body is an empty request.
    let (status, body) = rest
        .call(Method::POST, "/v1/autopilot/sessions", Some(""))
        .await;
    assert_eq!(
        (status, body),
        (500, error(2, "must include at least one feature"))
    );

    // Body decode errors are InvalidArgument -> 400, before auth.
    for bad in [
        r#"{"nope":1}"#,
        "{",
        r#"{"expiry_timestamp_seconds":"x"}"#,
        "[]",
    ] {
        let (status, body) = rest
            .call(Method::POST, "/v1/autopilot/sessions", Some(bad))
            .await;
        assert_eq!(status, 400, "{bad}: {body}");
        assert_eq!(body["code"], 3);
        assert!(
            body["message"]
                .as_str()
                .is_some_and(|m| m.starts_with("proto:")),
            "{body}"
        );
        assert_eq!(body["details"], json!([]));
    }

    let (status, body) = rest
        .call(Method::PUT, "/v1/autopilot/sessions", Some("{}"))
        .await;
    assert_eq!((status, body), (501, error(12, "Method Not Allowed")));
    let (status, body) = rest.call(Method::GET, "/v1/autopilot/nothing", None).await;
    assert_eq!((status, body), (404, error(5, "Not Found")));

    let (status, body) = rest
        .call(Method::DELETE, "/v1/autopilot/sessions/!!!", None)
        .await;
    assert_eq!(status, 400);
    assert!(body["message"]
        .as_str()
        .is_some_and(|m| m.starts_with("type mismatch, parameter: local_public_key, error: ")));
    let (status, body) = rest
        .call(Method::DELETE, "/v1/autopilot/sessions/AQID", None)
        .await;
    assert_eq!(
        (status, body),
        (
            500,
            error(
                2,
                "error parsing public key: malformed public key: invalid length: 3"
            )
        )
    );

    // Auth failures: the gRPC texts, as HTTP 500.
    let resp = rest
        .http
        .get(format!("{}/v1/autopilot/sessions", rest.base))
        .send()
        .await
        .expect("sent");
    assert_eq!(resp.status(), 500);
    let body: Value = resp.json().await.expect("json");
    assert_eq!(body, error(2, "expected 1 macaroon, got 0"));
    let resp = rest
        .http
        .get(format!("{}/v1/autopilot/sessions", rest.base))
        .header("Grpc-Metadata-Macaroon", "abc")
        .send()
        .await
        .expect("sent");
    let body: Value = resp.json().await.expect("json");
    assert!(body["message"]
        .as_str()
        .is_some_and(|m| m.starts_with("proxy error with context lit: invalid macaroon: ")));
}

#[tokio::test]
async fn real_curl_adds_a_session() {
    let s = TestServer::start().await;
    let url = format!(
        "https://localhost:{}/v1/autopilot/sessions",
        s.running.local_addr.port()
    );
    let out = tokio::process::Command::new("curl")
        .args(["-sS", "--cacert"])
        .arg(&s.running.paths.tls_cert)
        .args(["-H", &format!("Grpc-Metadata-Macaroon: {}", s.macaroon_hex)])
        .args(["-X", "POST", "-d", &example_body().to_string(), &url])
        .output()
        .await
        .expect("curl runs (Debian package curl)");
    assert!(
        out.status.success(),
        "curl failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let body: Value = serde_json::from_slice(&out.stdout).expect("curl printed JSON");
    assert_eq!(body["session"]["session_state"], "STATE_CREATED");
    assert_eq!(
        body["session"]["autopilot_feature_info"]["HealthCheck"]["rules"]["rate-limit"]
            ["rate_limit"]["read_limit"]["iterations"],
        10
    );
}

#[tokio::test]
async fn cors_like_litd_restcors() {
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
    let http = https_client(&running.tls_cert_pem);
    let url = format!(
        "https://localhost:{}/v1/autopilot/sessions",
        running.local_addr.port()
    );

    let pre = http
        .request(reqwest::Method::OPTIONS, &url)
        .header("Origin", "https://app.example")
        .send()
        .await
        .expect("preflight");
    assert_eq!(pre.status(), 200);
    assert_eq!(
        pre.headers()["access-control-allow-origin"],
        "https://app.example"
    );
    assert_eq!(
        pre.headers()["access-control-allow-methods"],
        "GET, POST, DELETE"
    );
    assert_eq!(
        pre.headers()["access-control-allow-headers"],
        "Content-Type, Accept, Grpc-Metadata-Macaroon"
    );
    let other = http
        .get(&url)
        .header("Origin", "https://evil.example")
        .send()
        .await
        .expect("sent");
    assert!(other.headers().get("access-control-allow-origin").is_none());
    running.shutdown().await;
}

/// REST's List joins each session's kept JSON; through adds, a revoke, an
/// expiry and a reset its body must be byte for byte the JSON of what the
/// domain lists, built from scratch.
#[tokio::test]
async fn cached_list_json_follows_every_change() {
    use autopilot_mock::wire::litd_json::to_litd_json;
    let s = TestServer::start().await;
    let rest = Rest::new(&s);
    let mut grpc = s.client();
    let body = || async {
        let resp = rest
            .http
            .get(format!("{}/v1/autopilot/sessions", rest.base))
            .header("Grpc-Metadata-Macaroon", &rest.macaroon)
            .send()
            .await
            .expect("request sent");
        assert_eq!(resp.status().as_u16(), 200);
        resp.text().await.expect("body")
    };
    let from_scratch = || async {
        let views = s.running.core.list_sessions().await.expect("domain lists");
        let sessions = views.into_iter().map(autopilot_mock::wire::session_out);
        let response = p::ListAutopilotSessionsResponse {
            sessions: sessions.collect(),
        };
        to_litd_json("litrpc.ListAutopilotSessionsResponse", &response).to_string()
    };
    assert_eq!(body().await, r#"{"sessions":[]}"#);
    let mut short = health_check();
    short.expiry_timestamp_seconds = T0 + 60;
    grpc.add_autopilot_session(short).await.expect("add");
    let second = grpc
        .add_autopilot_session(health_check())
        .await
        .expect("add")
        .into_inner()
        .session
        .expect("session");
    assert_eq!(body().await, from_scratch().await);
    grpc.revoke_autopilot_session(p::RevokeAutopilotSessionRequest {
        local_public_key: second.local_public_key,
    })
    .await
    .expect("revoke");
    assert_eq!(body().await, from_scratch().await);
    s.advance(61);
    let listed = body().await;
    assert_eq!(listed, from_scratch().await);
    assert_eq!(listed.matches("STATE_REVOKED").count(), 2, "{listed}");
    s.running.core.reset();
    assert_eq!(body().await, r#"{"sessions":[]}"#);
}
