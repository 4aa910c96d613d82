use super::*;
use bytes::Bytes;

fn outcome(message: &str) -> Outcome {
    Outcome {
        code: if message.is_empty() { 0 } else { 2 },
        message: message.into(),
        response: None,
        http_status: None,
    }
}

#[test]
fn credentials_say_what_the_macaroon_was_never_what_it_is() {
    let auth = crate::auth::Authenticator::new([7; 32]);
    let lit = hex::encode(auth.bake_lit_macaroon());
    assert_eq!(credentials(std::slice::from_ref(&lit), &outcome("")), None);
    assert_eq!(credentials(&[], &outcome("")), Some(json!("none")));
    assert_eq!(
        credentials(&[lit.clone(), lit.clone()], &outcome("")),
        Some(json!("twice"))
    );
    assert_eq!(
        credentials(&[hex::encode(auth.bake_read_only())], &outcome("")),
        Some(json!("read-only"))
    );
    let attenuated = crate::auth::add_first_party_caveat(
        &auth.bake_lit_macaroon(),
        "time-before 2030-01-01T00:00:00Z",
    )
    .expect("caveat");
    assert_eq!(
        credentials(&[hex::encode(attenuated)], &outcome("")),
        Some(json!({"caveats": ["time-before 2030-01-01T00:00:00Z"]}))
    );
    let bad = "verification failed: signature mismatch after caveat verification";
    assert_eq!(credentials(&[lit], &outcome(bad)), Some(json!("tampered")));
    assert_eq!(
        credentials(&["zz".into()], &outcome("x")),
        Some(json!({"hex": "zz"}))
    );
}

fn exchange(method: http::Method, path: &str, body: &str, response: &str) -> Exchange {
    Exchange {
        method,
        path: path.into(),
        request_headers: http::HeaderMap::new(),
        request_body: Bytes::from(body.to_string()),
        status: 200,
        response_headers: http::HeaderMap::new(),
        response_body: Bytes::from(response.to_string()),
        trailers: None,
    }
}

#[test]
fn resets_split_files_and_only_a_changed_script_is_setup() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut r = Recorder::new(dir.path(), "up:1").expect("recorder");
    let home = r#"{"responses":{}}"#;
    let script = r#"{"responses":{"RegisterSession":[{"reply":"hang"}]}}"#;
    let list = || {
        exchange(
            http::Method::GET,
            "/v1/autopilot/sessions",
            "",
            r#"{"sessions":[]}"#,
        )
    };
    for e in [
        exchange(http::Method::GET, "/_autopilot-mock/v1/script", "", home),
        exchange(http::Method::POST, "/_autopilot-mock/v1/reset", "{}", "{}"),
        exchange(http::Method::PUT, "/_autopilot-mock/v1/script", home, home),
        list(),
        exchange(http::Method::POST, "/_autopilot-mock/v1/reset", "{}", "{}"),
        exchange(
            http::Method::PUT,
            "/_autopilot-mock/v1/script",
            script,
            script,
        ),
        list(),
        exchange(
            http::Method::POST,
            "/_autopilot-mock/v1/clock",
            r#"{"advance_seconds":61}"#,
            "{}",
        ),
        list(),
        // A reset and nothing after it writes no file.
        exchange(http::Method::POST, "/_autopilot-mock/v1/reset", "{}", "{}"),
    ] {
        r.record(&e).expect("recorded");
    }
    let files = r.written().to_vec();
    assert_eq!(files.len(), 2, "{files:?}");
    let first = Scenario::load(&files[0]).expect("valid scenario");
    assert!(first.setup.stub.is_none());
    assert_eq!(first.steps.len(), 1);
    let second = Scenario::load(&files[1]).expect("valid scenario");
    assert_eq!(
        second.setup.stub,
        Some(serde_json::from_str(script).expect("json"))
    );
    assert_eq!(second.steps.len(), 3);
    assert_eq!(
        second.steps[1].clock.as_ref().and_then(|c| c.advance_secs),
        Some(61)
    );
    assert_eq!(
        second.steps[2]
            .expect
            .as_ref()
            .and_then(|e| e.response.clone()),
        Some(json!({"sessions": []}))
    );
}

#[test]
fn a_restart_before_the_first_call_is_setup_and_later_one_a_step() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut r = Recorder::new(dir.path(), "up:1").expect("recorder");
    let list = || {
        exchange(
            http::Method::GET,
            "/v1/autopilot/sessions",
            "",
            r#"{"sessions":[]}"#,
        )
    };
    let restart = || {
        exchange(
            http::Method::POST,
            "/_autopilot-mock/v1/restart",
            "{}",
            "{}",
        )
    };
    for e in [
        exchange(http::Method::POST, "/_autopilot-mock/v1/reset", "{}", "{}"),
        restart(),
        list(),
        restart(),
        list(),
    ] {
        r.record(&e).expect("recorded");
    }
    let files = r.written().to_vec();
    assert_eq!(files.len(), 1, "{files:?}");
    let scenario = Scenario::load(&files[0]).expect("valid scenario");
    assert!(scenario.setup.restart);
    assert_eq!(scenario.steps.len(), 3);
    assert!(scenario.steps[1].restart);
    assert!(!scenario.steps[0].restart && !scenario.steps[2].restart);
}
