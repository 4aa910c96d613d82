//! `scenarios/schema.json` describes the format the harness reads: every
//! shipped scenario validates against it (Python `jsonschema`, as an editor
//! would check), parses with the harness, and a broken one is refused by
//! both.

mod common;

use std::path::{Path, PathBuf};

use autopilot_mock::scenario::Scenario;
use common::{python_client, run_json_client};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

fn shipped() -> Vec<PathBuf> {
    let mut files = Vec::new();
    for dir in ["scenarios", "scenarios/client"] {
        let entries = std::fs::read_dir(root().join(dir)).expect("scenario dir");
        for e in entries.flatten() {
            let p = e.path();
            if p.extension().is_some_and(|x| x == "json") && !p.ends_with("schema.json") {
                files.push(p);
            }
        }
    }
    files.sort();
    files
}

fn validate(files: &[PathBuf]) -> serde_json::Value {
    let mut command = python_client("validate_scenarios.py");
    command
        .arg(root().join("scenarios/schema.json"))
        .args(files);
    run_json_client(command)
}

#[test]
fn every_shipped_scenario_validates_and_parses() {
    let files = shipped();
    assert!(files.len() >= 12, "{files:?}");
    let results = validate(&files);
    for f in &files {
        let errors = &results[f.display().to_string()];
        assert_eq!(errors, &serde_json::json!([]), "{}", f.display());
        Scenario::load(f).unwrap_or_else(|e| panic!("{e}"));
    }
}

#[test]
fn a_broken_scenario_is_refused_by_schema_and_parser() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bad = dir.path().join("bad.json");
    std::fs::write(
        &bad,
        r#"{"name":"b","steps":[{"call":"ListAutopilotSessions","credentials":"admin","expect":{"cod":"OK"}}]}"#,
    )
    .expect("write");
    let results = validate(std::slice::from_ref(&bad));
    let errors = results[bad.display().to_string()]
        .as_array()
        .expect("errors")
        .clone();
    assert!(!errors.is_empty());
    assert!(
        errors
            .iter()
            .any(|e| e.as_str().is_some_and(|s| s.contains("cod"))),
        "{errors:?}"
    );
    assert!(Scenario::load(&bad).is_err());
}

/// What the loader refuses in a request, the schema refuses too, for every
/// RPC a step can call (SubServerStatus's request has no fields to check),
/// and a matcher operator it does not know.
#[test]
fn an_unknown_request_field_is_refused_by_schema_and_loader_for_every_rpc() {
    let dir = tempfile::tempdir().expect("temp dir");
    let rpcs = [
        "ListAutopilotFeatures",
        "AddAutopilotSession",
        "ListAutopilotSessions",
        "RevokeAutopilotSession",
        "AddSession",
        "ListSessions",
        "RevokeSession",
        "ListActions",
        "PrivacyMapConversion",
        "GetInfo",
        "StopDaemon",
        "BakeSuperMacaroon",
    ];
    let files: Vec<PathBuf> = rpcs
        .iter()
        .map(|rpc| {
            let path = dir.path().join(format!("{rpc}.json"));
            let text = format!(
                r#"{{"name":"n","steps":[{{"call":"{rpc}","request":{{"no_such_field":1}}}}]}}"#
            );
            std::fs::write(&path, text).expect("write");
            path
        })
        .collect();
    // And a misspelt matcher operator, which the loader names.
    let typo = dir.path().join("shap.json");
    std::fs::write(
        &typo,
        r#"{"name":"m","steps":[{"call":"ListAutopilotSessions","expect":{"response":{"sessions":{"$shap":"u64"}}}}]}"#,
    )
    .expect("write");
    let mut all = files.clone();
    all.push(typo.clone());
    let results = validate(&all);
    let errors = &results[typo.display().to_string()];
    assert!(
        errors.as_array().is_some_and(|e| !e.is_empty()),
        "the schema accepts $shap: {errors}"
    );
    let err = Scenario::load(&typo).expect_err("$shap").to_string();
    assert!(err.contains("unknown matcher $shap"), "{err}");
    for (rpc, file) in rpcs.iter().zip(&files) {
        let errors = results[file.display().to_string()]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert!(
            errors
                .iter()
                .any(|e| e.as_str().is_some_and(|s| s.contains("no_such_field"))),
            "{rpc}: the schema accepts an unknown request field: {errors:?}"
        );
        let err = Scenario::load(file).expect_err(rpc).to_string();
        assert!(
            err.contains("step 1: request: unknown field \"no_such_field\" in litrpc."),
            "{rpc}: {err}"
        );
    }
}
