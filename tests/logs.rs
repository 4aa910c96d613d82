//! The binary's logs: one line per call (method, transport, code, latency)
//! in text or JSON, and no secret ever, even under `RUST_LOG=debug`.

mod common;

use std::process::Command;
use std::time::Duration;

use autopilot_mock::client::{self, MacaroonInterceptor};
use autopilot_mock::proto::litrpc as p;
use autopilot_mock::proto::litrpc::autopilot_client::AutopilotClient;
use base64::Engine;
use common::{binary, MockProcess};

fn serve(dir: &std::path::Path, env: &[(&str, &str)], extra: &[&str]) -> MockProcess {
    let mut command = Command::new(binary());
    command
        .env_remove("RUST_LOG")
        .env_remove("AUTOPILOT_MOCK_LOG_FORMAT")
        .envs(env.iter().copied())
        .args(extra)
        .args(["serve", "--listen", "127.0.0.1:0", "--lit-dir"])
        .arg(dir);
    MockProcess::start_command(command)
}

/// Adds a session over gRPC and lists sessions over REST (curl); returns
/// the macaroon hex and the session.
async fn exercise(mock: &MockProcess) -> (String, p::Session) {
    let macaroon = std::fs::read(mock.macaroon()).expect("lit.macaroon");
    let cert = std::fs::read_to_string(mock.tls_cert()).expect("tls.cert");
    let addr = mock.listen().parse().expect("listen address");
    let channel = client::connect(addr, &cert).await.expect("connect");
    let mut c = AutopilotClient::with_interceptor(channel, MacaroonInterceptor::new(&macaroon));
    let expiry = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after 1970")
        .as_secs()
        + 86_400;
    let session = c
        .add_autopilot_session(p::AddAutopilotSessionRequest {
            label: "logged".into(),
            expiry_timestamp_seconds: expiry,
            mailbox_server_addr: "mailbox.example:443".into(),
            features: [("HealthCheck".to_string(), p::FeatureConfig::default())]
                .into_iter()
                .collect(),
            ..Default::default()
        })
        .await
        .expect("add")
        .into_inner()
        .session
        .expect("session");
    // A failing call too: revoking an unknown key.
    let _ = c
        .revoke_autopilot_session(p::RevokeAutopilotSessionRequest {
            local_public_key: vec![2; 33],
        })
        .await;
    let hex = hex::encode(&macaroon);
    let out = Command::new("curl")
        .args(["-sS", "--fail", "--cacert"])
        .arg(mock.tls_cert())
        .args(["-H", &format!("Grpc-Metadata-macaroon: {hex}")])
        .arg(format!(
            "https://localhost:{}/v1/autopilot/sessions",
            mock.port()
        ))
        .output()
        .expect("run curl");
    assert!(
        out.status.success(),
        "curl: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (hex, session)
}

fn secrets(macaroon_hex: &str, session: &p::Session, root_key: &[u8]) -> Vec<String> {
    let b64 = base64::engine::general_purpose::STANDARD;
    vec![
        macaroon_hex.to_string(),
        hex::encode(&session.pairing_secret),
        b64.encode(&session.pairing_secret),
        session.pairing_secret_mnemonic.clone(),
        hex::encode(root_key),
    ]
}

#[tokio::test(flavor = "multi_thread")]
async fn json_logs_one_line_per_call_and_no_secrets_under_debug() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut mock = serve(
        dir.path(),
        &[("RUST_LOG", "debug")],
        &["--log-format", "json"],
    );
    let (macaroon_hex, session) = exercise(&mock).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(mock.terminate().success());
    let logs = mock.stderr();
    let root_key = std::fs::read(dir.path().join("regtest/macaroons.key")).expect("root key");

    for secret in secrets(&macaroon_hex, &session, &root_key) {
        assert!(
            !logs.contains(&secret),
            "a secret ({}...) appears in the logs",
            &secret[..8.min(secret.len())]
        );
    }

    let calls: Vec<serde_json::Value> = logs
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|v| v["target"] == "autopilot_mock::access")
        .collect();
    let find = |method: &str, transport: &str| {
        calls
            .iter()
            .find(|v| v["method"] == method && v["transport"] == transport)
            .unwrap_or_else(|| panic!("no {transport} line for {method} in:\n{logs}"))
    };
    let add = find("/litrpc.Autopilot/AddAutopilotSession", "grpc");
    assert_eq!(add["code"], "Ok");
    assert!(
        add["latency_ms"].as_f64().is_some_and(|ms| ms >= 0.0),
        "{add}"
    );
    let revoke = find("/litrpc.Autopilot/RevokeAutopilotSession", "grpc");
    assert_eq!(revoke["code"], "Unknown");
    let rest = find("/litrpc.Autopilot/ListAutopilotSessions", "rest");
    assert_eq!(rest["code"], "200");
    assert_eq!(calls.len(), 3, "exactly one line per call: {calls:#?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn text_logs_from_the_env_var() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut mock = serve(dir.path(), &[("AUTOPILOT_MOCK_LOG_FORMAT", "text")], &[]);
    let (macaroon_hex, _) = exercise(&mock).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(mock.terminate().success());
    let logs = mock.stderr();
    assert!(!logs.contains(&macaroon_hex));
    let line = logs
        .lines()
        .find(|l| l.contains("AddAutopilotSession"))
        .unwrap_or_else(|| panic!("no call line in:\n{logs}"));
    assert!(
        serde_json::from_str::<serde_json::Value>(line).is_err(),
        "{line}"
    );
    for want in ["transport", "grpc", "code", "latency_ms"] {
        assert!(line.contains(want), "{want} missing: {line}");
    }
}

#[test]
fn a_bad_log_format_is_a_clear_error() {
    let out = Command::new(binary())
        .env("AUTOPILOT_MOCK_LOG_FORMAT", "xml")
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--lit-dir",
            "/nonexistent",
        ])
        .output()
        .expect("run");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("xml") && err.contains("json"), "{err}");
}

/// A client that sends an IP address as its TLS server name (grpc-js does,
/// for `127.0.0.1:PORT`; here `openssl s_client -servername 127.0.0.1`)
/// is served without a rustls `Illegal SNI extension` warning per connection.
#[test]
fn an_ip_address_as_server_name_logs_no_warning() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut mock = serve(dir.path(), &[], &[]);
    let out = Command::new("openssl")
        .args([
            "s_client",
            "-connect",
            mock.listen(),
            "-servername",
            "127.0.0.1",
        ])
        .stdin(std::process::Stdio::null())
        .output()
        .expect("openssl runs (scripts/test.sh installs it)");
    let handshake = String::from_utf8_lossy(&out.stdout);
    assert!(handshake.contains("BEGIN CERTIFICATE"), "{handshake}");
    std::thread::sleep(Duration::from_millis(300));
    assert!(mock.terminate().success());
    let logs = mock.stderr();
    assert!(!logs.contains("Illegal SNI"), "{logs}");
    assert!(!logs.contains("WARN"), "{logs}");
}
