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
