//! `serve --scenario`: real clients judged against a client scenario. A
//! conforming run of each real client passes; broken runs (no macaroon,
//! expiry 0, a skipped step) fail with the step they broke named.

mod common;

use std::process::{Command, Stdio};
use std::time::Duration;

use common::{node_client, python_client, wait_timeout, MockProcess};

const SCENARIO: &str = "scenarios/client/add-list-revoke.json";

fn judge() -> MockProcess {
    let scenario = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(SCENARIO);
    MockProcess::serve_temp(["--scenario".to_string(), scenario.display().to_string()])
}

/// Runs a client to its end, whatever its exit status.
fn run_client(mut command: Command) {
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("client starts");
    if wait_timeout(&mut child, common::CLIENT_TIMEOUT).is_none() {
        let _ = child.kill();
        panic!("client timed out");
    }
}

fn with_target(mut command: Command, server: &MockProcess, extra: &[&str]) -> Command {
    command
        .arg(server.localhost_target())
        .arg(server.tls_cert())
        .arg(server.macaroon())
        .args(extra);
    command
}

/// The verdict after the client: the server ends by itself once every step
/// is met; otherwise it is told to stop (SIGTERM), as CI would.
fn verdict(mut server: MockProcess) -> (i32, serde_json::Value) {
    let status = match wait_timeout(&mut server.child, Duration::from_secs(5)) {
        Some(status) => status,
        None => server.terminate(),
    };
    // Give the stdout reader a moment to collect the last line.
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    let line = loop {
        if let Some(line) = server.extra_stdout().into_iter().last() {
            break line;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no verdict line; stderr:\n{}",
            server.stderr()
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    let verdict: serde_json::Value = serde_json::from_str(&line).expect("verdict line is JSON");
    (status.code().unwrap_or(-1), verdict)
}

fn assert_pass(server: MockProcess) {
    let (code, v) = verdict(server);
    assert_eq!(v["verdict"], "pass", "{v}");
    assert_eq!(v["met"], 5, "{v}");
    assert_eq!(code, 0);
}

#[test]
fn litd_node_sample_conforms() {
    let server = judge();
    run_client(with_target(node_client("litd-sample.js"), &server, &[]));
    assert_pass(server);
}

#[test]
fn litd_api_package_conforms() {
    let server = judge();
    run_client(with_target(node_client("litd-api.js"), &server, &[]));
    assert_pass(server);
}

#[test]
fn python_grpcio_conforms() {
    let server = judge();
    run_client(with_target(python_client("client.py"), &server, &[]));
    assert_pass(server);
}

/// The same flow with curl over REST: `method path` with the macaroon.
fn curl(server: &MockProcess, method: &str, path: &str, body: Option<&str>) -> serde_json::Value {
    let mut request = common::curl::Request::new(method, path).macaroon(server);
    if let Some(body) = body {
        request = request.body(body.as_bytes());
    }
    common::curl::send(server, request).json()
}

fn add_body(expiry: u64) -> String {
    serde_json::json!({"expiry_timestamp_seconds": expiry.to_string(),
        "mailbox_server_addr": "mailbox.terminal.lightning.today:443",
        "features": {"HealthCheck": {}}})
    .to_string()
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

fn url_key(added: &serde_json::Value) -> String {
    use base64::Engine;
    let std_key = added["session"]["local_public_key"].as_str().expect("key");
    let raw = base64::engine::general_purpose::STANDARD
        .decode(std_key)
        .expect("base64");
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw)
}

/// The client flow over REST with curl; `skip_first_list` plays a client
/// that revokes without listing first.
fn curl_flow(server: &MockProcess, skip_first_list: bool) {
    let sessions = "/v1/autopilot/sessions";
    curl(server, "GET", "/v1/autopilot/features", None);
    let added = curl(server, "POST", sessions, Some(&add_body(now() + 86_400)));
    if !skip_first_list {
        curl(server, "GET", sessions, None);
    }
    let key = url_key(&added);
    curl(server, "DELETE", &format!("{sessions}/{key}"), None);
    if !skip_first_list {
        curl(server, "GET", sessions, None);
    }
}

#[test]
fn curl_over_rest_conforms() {
    let server = judge();
    curl_flow(&server, false);
    assert_pass(server);
}

#[test]
fn a_client_without_a_macaroon_fails_step_one() {
    let server = judge();
    run_client(with_target(
        node_client("litd-sample.js"),
        &server,
        &["no-macaroon"],
    ));
    let (code, v) = verdict(server);
    assert_eq!(code, 1);
    assert_eq!(v["verdict"], "fail");
    assert_eq!(
        v["failures"][0]["step"],
        "#1 discover the features (ListAutopilotFeatures)"
    );
    assert_eq!(
        v["failures"][0]["reason"],
        "the client's macaroon was refused: expected 1 macaroon, got 0"
    );
}

#[test]
fn a_client_sending_expiry_zero_fails_step_two() {
    let server = judge();
    let mut client = with_target(python_client("client.py"), &server, &[]);
    client.env("LIT_EXPIRY", "0");
    run_client(client);
    let (code, v) = verdict(server);
    assert_eq!(code, 1);
    let first = &v["failures"][0];
    assert_eq!(
        first["step"],
        "#2 add a HealthCheck session that expires in the future (AddAutopilotSession)"
    );
    let reason = first["reason"].as_str().unwrap_or_default();
    assert!(
        reason.starts_with("request.expiry_timestamp_seconds: expected $gt "),
        "{reason}"
    );
}

#[test]
fn a_client_skipping_a_step_fails_that_step() {
    let server = judge();
    curl_flow(&server, true);
    let (code, v) = verdict(server);
    assert_eq!(code, 1);
    assert_eq!(
        v["failures"][0]["step"],
        "#3 list the sessions (ListAutopilotSessions)"
    );
    assert_eq!(
        v["failures"][0]["reason"],
        "unexpected rest RevokeAutopilotSession: expected ListAutopilotSessions"
    );
}

#[test]
fn the_verdict_so_far_is_readable_at_the_admin_endpoint() {
    let server = judge();
    curl(&server, "GET", "/v1/autopilot/features", None);
    let so_far = curl(&server, "GET", "/_autopilot-mock/v1/verdict", None);
    assert_eq!(so_far["finished"], false, "{so_far}");
    assert_eq!(so_far["met"], 1, "{so_far}");
    assert_eq!(so_far["report"]["scenarios"][0]["transport"], "rest");
    assert_eq!(
        so_far["failures"][0]["reason"],
        "missing: the client never sent AddAutopilotSession"
    );
}

/// A dashboard client (Status, features, sessions, the action log) over
/// REST against `scenarios/client/terminal-dashboard.json`, whose
/// `setup.actions` the mock serves before it prints its ready line.
#[test]
fn a_dashboard_client_sees_the_scenarios_seeded_actions() {
    let scenario = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios/client/terminal-dashboard.json");
    let server =
        MockProcess::serve_temp(["--scenario".to_string(), scenario.display().to_string()]);
    let status = curl(&server, "GET", "/v1/status", None);
    assert_eq!(status["sub_servers"]["lit"]["running"], true, "{status}");
    curl(&server, "GET", "/v1/autopilot/features", None);
    curl(&server, "GET", "/v1/sessions", None);
    let actions = curl(&server, "POST", "/v1/firewall/actions", Some("{}"));
    assert_eq!(
        actions["actions"][1]["error_reason"], "node unreachable",
        "{actions}"
    );
    let (code, v) = verdict(server);
    assert_eq!(v["verdict"], "pass", "{v}");
    assert_eq!(v["met"], 4, "{v}");
    assert_eq!(code, 0);
}

/// A scenario whose `setup.actions` are not litrpc.Actions cannot judge
/// anyone: exit 2 with the bad action named, before serving.
#[test]
fn bad_setup_actions_are_exit_2() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("bad-actions.json");
    let scenario = serde_json::json!({
        "name": "bad-actions",
        "setup": {"actions": [{"state": "STATE_DONE"}, {"state": "STATE_NOPE"}]},
        "steps": [{"name": "list", "call": "ListActions"}]
    });
    std::fs::write(&path, scenario.to_string()).expect("write");
    let out = Command::new(common::binary())
        .args(["serve", "--listen", "127.0.0.1:0", "--lit-dir"])
        .arg(dir.path().join("lit"))
        .arg("--scenario")
        .arg(&path)
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("setup.actions[1] is not a litrpc.Action"),
        "{stderr}"
    );
}
