//! `check` runs every scenario from a known state and leaves the target as it
//! found it, even when the target's stub script was changed after start-up
//! (as the README's admin API example does just before "Check a server").

mod common;

use common::{check_command, curl, run_litd_sample, succeeded, MockProcess};

/// The admin API with curl, as the README calls it: status and body.
fn admin(server: &MockProcess, method: &str, route: &str, body: Option<&str>) -> (u16, String) {
    let path = format!("/_autopilot-mock/v1/{route}");
    let mut request = curl::Request::new(method, &path).macaroon(server);
    if let Some(body) = body {
        request = request.body(body.as_bytes());
    }
    let answer = curl::send(server, request);
    (answer.status, answer.text())
}

fn script(server: &MockProcess) -> serde_json::Value {
    let (status, body) = admin(server, "GET", "script", None);
    assert_eq!(status, 200, "{body}");
    serde_json::from_str(&body).expect("script JSON")
}

#[test]
fn a_script_put_after_start_up_does_not_leak_into_check_and_is_put_back() {
    let mut server = MockProcess::serve_temp(Vec::<String>::new());
    let start_up = script(&server);
    let down = r#"{"responses": {"RegisterSession": [{"reply": {"error": {"code": "UNAVAILABLE", "message": "down"}}}]}}"#;
    let (status, body) = admin(&server, "PUT", "script", Some(down));
    assert_eq!(status, 200, "{body}");
    let put: serde_json::Value = serde_json::from_str(&body).expect("JSON");

    // The shipped scenarios (built in) all hold: each starts from the
    // script the mock started with, not from the one put since.
    let output = check_command(&server)
        .args(["--transport", "grpc"])
        .output()
        .expect("check runs");
    let stdout = succeeded("check", &output);
    let last = stdout.lines().last().unwrap_or_default();
    assert!(
        last.starts_with("steps: ") && last.contains(" passed, 0 failed, "),
        "{last}"
    );
    assert!(
        !stdout.contains("error registering session with autopilot server: down"),
        "{stdout}"
    );

    // Put back: the target runs the script it had before the run...
    assert_eq!(script(&server), put);
    // ...and `POST reset` still restores the start-up one, after which
    // litd's documented Node sample adds, lists and revokes as on a fresh mock.
    let (status, body) = admin(&server, "POST", "reset", Some("{}"));
    assert_eq!((status, body.as_str()), (200, "{}"));
    assert_eq!(script(&server), start_up);
    let out = run_litd_sample(&server);
    assert_eq!(
        out["added"]["session"]["session_state"], "STATE_CREATED",
        "{out}"
    );
    assert!(server.terminate().success());
}
