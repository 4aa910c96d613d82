//! `autopilot-mock check` with the shipped scenarios against our own
//! `serve`, both binaries for real, over both transports.

mod common;

use std::process::Command;

use common::{binary, MockProcess};

fn scenarios_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios")
}

/// `autopilot-mock check` aimed at a running `serve`.
fn check(server: &MockProcess) -> Command {
    let mut command = Command::new(binary());
    command
        .arg("check")
        .args(["--target", &server.localhost_target()])
        .arg("--tls-cert")
        .arg(server.tls_cert())
        .arg("--macaroon")
        .arg(server.macaroon());
    command
}

#[test]
fn shipped_scenarios_pass_against_serve_over_both_transports() {
    let mut server = MockProcess::serve_temp(Vec::<String>::new());
    let out_dir = tempfile::tempdir().expect("temp dir");
    let junit = out_dir.path().join("report.xml");
    let json = out_dir.path().join("report.json");
    let root_key = server.lit_dir().join("regtest").join("macaroons.key");
    let output = check(&server)
        .arg("--root-key")
        .arg(&root_key)
        .args(["--transport", "both"])
        .arg("--junit")
        .arg(&junit)
        .arg("--json")
        .arg(&json)
        .arg(scenarios_dir())
        .output()
        .expect("check runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "check failed ({:?}):\n{stdout}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&json).expect("JSON report written")).expect("JSON");
    let totals = &report["totals"];
    assert_eq!(totals["failed"], 0, "{stdout}");
    // Only the one gRPC-only step is skipped (in the REST pass): with the
    // admin API and the root key, nothing else may be.
    assert_eq!(totals["skipped"], 1, "{stdout}");
    assert!(totals["passed"].as_u64().unwrap_or(0) > 140, "{stdout}");
    // Every shipped scenario ran over gRPC and REST (REST-only ones once).
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
    assert!(names.contains(&("rest-conventions".into(), "rest".into())));
    assert!(!names.contains(&("rest-conventions".into(), "grpc".into())));
    let xml = std::fs::read_to_string(&junit).expect("JUnit written");
    assert!(xml.starts_with("<?xml") && xml.contains("<testsuite name=\"add-list-revoke [grpc]\""));
    assert!(server.terminate().success());
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
