//! `autopilot-mock check` with the shipped scenarios against our own
//! `serve`, both binaries for real, over every transport.

mod common;

use std::process::Command;

use common::{binary, check_with, run_litd_sample, succeeded, MockProcess};

fn scenarios_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios")
}

/// `autopilot-mock check` aimed at a running `serve`.
fn check(server: &MockProcess) -> Command {
    check_with(
        &server.localhost_target(),
        &server.tls_cert(),
        &server.macaroon(),
    )
}

#[test]
fn shipped_scenarios_pass_against_serve_over_every_transport() {
    let mut server = MockProcess::serve_temp(Vec::<String>::new());
    let out_dir = tempfile::tempdir().expect("temp dir");
    let junit = out_dir.path().join("report.xml");
    let json = out_dir.path().join("report.json");
    let root_key = server.lit_dir().join("regtest").join("macaroons.key");
    let output = check(&server)
        .arg("--root-key")
        .arg(&root_key)
        .args(["--transport", "all"])
        .arg("--junit")
        .arg(&junit)
        .arg("--json")
        .arg(&json)
        .arg(scenarios_dir())
        .output()
        .expect("check runs");
    let stdout = succeeded("check", &output);
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&json).expect("JSON report written")).expect("JSON");
    let totals = &report["totals"];
    assert_eq!(totals["failed"], 0, "{stdout}");
    // Only the one gRPC-only step is skipped (in the REST and grpc-web
    // passes): with the admin API and the root key, nothing else may be.
    assert_eq!(totals["skipped"], 2, "{stdout}");
    assert!(totals["passed"].as_u64().unwrap_or(0) > 400, "{stdout}");
    // Every shipped scenario ran over gRPC, REST and grpc-web (REST-only
    // ones once).
    let names: std::collections::BTreeSet<(String, String)> = report["scenarios"]
        .as_array()
        .expect("scenarios")
        .iter()
        .map(|s| {
            (
                s["scenario"].as_str().unwrap_or("").to_string(),
                s["transport"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    assert!(names.contains(&("add-validation".into(), "grpc".into())));
    assert!(names.contains(&("add-validation".into(), "rest".into())));
    for web in [
        "litd-itest-matrix",
        "lit-sessions",
        "firewall",
        "proxy",
        "status",
    ] {
        assert!(names.contains(&(web.into(), "grpc-web".into())), "{web}");
    }
    assert!(names.contains(&("rest-conventions".into(), "rest".into())));
    assert!(!names.contains(&("rest-conventions".into(), "grpc".into())));
    let xml = std::fs::read_to_string(&junit).expect("JUnit written");
    assert!(xml.starts_with("<?xml") && xml.contains("<testsuite name=\"add-list-revoke [grpc]\""));

    // check leaves no trace: a second run on the same server (the built-in
    // copies this time, no path) passes as the first did...
    let again = check(&server)
        .arg("--root-key")
        .arg(&root_key)
        .args(["--transport", "all"])
        .output()
        .expect("check runs");
    let again_stdout = succeeded("second check", &again);
    assert!(again_stdout.contains("(built in)") || again_stdout.contains("steps: "));
    let summary = |text: &str| text.lines().last().unwrap_or_default().to_string();
    assert_eq!(summary(&stdout), summary(&again_stdout));
    // ...and litd's documented Node sample, run after both, still works.
    let out = run_litd_sample(&server);
    assert_eq!(
        out["added"]["session"]["session_state"], "STATE_CREATED",
        "{out}"
    );
    assert!(server.terminate().success());
}

/// `check`'s exit status and the message on stderr.
fn check_fails(command: &mut Command) -> (Option<i32>, String) {
    let output = command.output().expect("check runs");
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn runs_that_cannot_be_judged_exit_2_with_the_cause() {
    let server = MockProcess::serve_temp(Vec::<String>::new());
    let other = MockProcess::serve_temp(Vec::<String>::new());
    let dir = tempfile::tempdir().expect("temp dir");
    let one = scenarios_dir().join("features.json");

    // A directory without scenarios.
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).expect("mkdir");
    let (code, stderr) = check_fails(check(&server).arg(&empty));
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("no scenario files in"), "{stderr}");

    // Nothing listening there.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = closed.local_addr().expect("addr").port();
    drop(closed);
    let (code, stderr) = check_fails(
        check_with(
            &format!("127.0.0.1:{port}"),
            &server.tls_cert(),
            &server.macaroon(),
        )
        .arg(&one),
    );
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains(&format!("cannot connect to --target 127.0.0.1:{port}"))
            && stderr.contains("refused"),
        "{stderr}"
    );

    // Another server's certificate.
    let target = server.localhost_target();
    let (code, stderr) =
        check_fails(check_with(&target, &other.tls_cert(), &server.macaroon()).arg(&one));
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("TLS handshake with --target"), "{stderr}");

    // Another server's macaroon, over REST only: the cause is shown.
    for transport in ["grpc", "rest"] {
        let (code, stderr) = check_fails(
            check_with(&target, &server.tls_cert(), &other.macaroon())
                .args(["--transport", transport])
                .arg(&one),
        );
        assert_eq!(code, Some(2), "{stderr}");
        assert!(
            stderr.contains(&format!("the target refused --macaroon over {transport}: "))
                && stderr.contains("verification failed"),
            "{stderr}"
        );
    }

    // A certificate file that is not PEM names the flag and the file.
    let not_pem = dir.path().join("tls.cert");
    std::fs::write(&not_pem, "hello").expect("write");
    let (code, stderr) = check_fails(check_with(&target, &not_pem, &server.macaroon()).arg(&one));
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "--tls-cert {} is not a PEM certificate",
            not_pem.display()
        )),
        "{stderr}"
    );
}

#[test]
fn scenario_content_is_checked_when_loaded() {
    let server = MockProcess::serve_temp(Vec::<String>::new());
    let dir = tempfile::tempdir().expect("temp dir");
    for (name, text, problem) in [
        (
            "matcher.json",
            r#"{"name":"m","steps":[{"call":"ListAutopilotSessions","expect":{"response":{"sessions":{"$shap":"u64"}}}}]}"#,
            "step 1: expect.response.sessions: unknown matcher $shap",
        ),
        (
            "field.json",
            r#"{"name":"f","steps":[{"call":"AddAutopilotSession","request":{"expiry":"1"}}]}"#,
            "step 1: request: unknown field \"expiry\" in litrpc.AddAutopilotSessionRequest",
        ),
    ] {
        let path = dir.path().join(name);
        std::fs::write(&path, text).expect("write");
        let (code, stderr) = check_fails(check(&server).arg(&path));
        assert_eq!(code, Some(2), "{stderr}");
        assert!(
            stderr.contains(&format!("invalid scenario {}: {problem}", path.display())),
            "{stderr}"
        );
        // The same file judges a client: refused the same way, exit 2.
        let serve = Command::new(binary())
            .args(["serve", "--listen", "127.0.0.1:0", "--lit-dir"])
            .arg(dir.path().join("lit"))
            .arg("--scenario")
            .arg(&path)
            .output()
            .expect("serve runs");
        assert_eq!(serve.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&serve.stderr).contains(problem));
    }
}

#[test]
fn a_hex_macaroon_file_is_named_and_used() {
    let server = MockProcess::serve_temp(Vec::<String>::new());
    let dir = tempfile::tempdir().expect("temp dir");
    let hex_file = dir.path().join("lit.macaroon.hex");
    let bytes = std::fs::read(server.macaroon()).expect("macaroon");
    std::fs::write(&hex_file, hex::encode(bytes)).expect("write");
    let output = check_with(&server.localhost_target(), &server.tls_cert(), &hex_file)
        .args(["--transport", "grpc"])
        .arg(scenarios_dir().join("features.json"))
        .output()
        .expect("check runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(
        stderr.contains("holds a macaroon as hex text, not the binary file"),
        "{stderr}"
    );
}

#[test]
fn a_failing_step_fails_the_run_and_is_named() {
    let server = MockProcess::serve_temp(Vec::<String>::new());
    let dir = tempfile::tempdir().expect("temp dir");
    let scenario = dir.path().join("wrong.json");
    std::fs::write(
        &scenario,
        r#"{"name":"wrong-on-purpose","steps":[
            {"name":"fine","call":"ListAutopilotSessions"},
            {"name":"expects the wrong text","call":"AddAutopilotSession","request":{},
             "expect":{"code":"Unknown","message":"must include at least two features"}}]}"#,
    )
    .expect("write scenario");
    let output = check(&server)
        .args(["--transport", "grpc"])
        .arg(&scenario)
        .output()
        .expect("check runs");
    assert_eq!(output.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("FAIL wrong-on-purpose [grpc]"), "{stdout}");
    assert!(
        stdout.contains(
            "FAIL #2 expects the wrong text (AddAutopilotSession): message: expected exactly \"must include at least two features\", got \"must include at least one feature\""
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains("steps: 1 passed, 1 failed, 0 skipped"),
        "{stdout}"
    );
}

#[test]
fn a_bad_scenario_file_is_a_clear_error() {
    let server = MockProcess::serve_temp(Vec::<String>::new());
    let dir = tempfile::tempdir().expect("temp dir");
    let scenario = dir.path().join("typo.json");
    std::fs::write(
        &scenario,
        r#"{"name":"t","steps":[{"cal":"ListAutopilotSessions"}]}"#,
    )
    .expect("write");
    let output = check(&server).arg(&scenario).output().expect("check runs");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("typo.json") && stderr.contains("unknown field `cal`"),
        "{stderr}"
    );
}

/// The all-rule-types scenario scripts exactly the catalogue of
/// `fixtures/all-rules-features.json`, which `serve --features` loads, and
/// between them its features use all seven rule types litd knows.
#[test]
fn the_all_rules_fixture_and_its_scenario_agree() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let read = |p: &str| -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(root.join(p)).expect("read")).expect("JSON")
    };
    let fixture = read("fixtures/all-rules-features.json");
    let scenario = read("scenarios/all-rule-types.json");
    assert_eq!(scenario["setup"]["stub"]["features"], fixture["features"]);
    let catalogue =
        autopilot_mock::remote::Catalogue::load(&root.join("fixtures/all-rules-features.json"))
            .expect("the fixture loads as serve --features loads it");
    let rules: std::collections::BTreeSet<&str> = catalogue
        .features
        .values()
        .flat_map(|f| f.rules.keys().map(String::as_str))
        .collect();
    assert_eq!(
        rules.into_iter().collect::<Vec<_>>(),
        [
            "channel-constraint",
            "channel-policy-bounds",
            "channel-restriction",
            "history-limit",
            "on-chain-budget",
            "peer-restriction",
            "rate-limit"
        ]
    );
}
