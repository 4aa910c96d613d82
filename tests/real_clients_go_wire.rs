//! Replies carry Go's binary form, as litd's grpc-go writes it, for the
//! clients that depend on it: protobufjs (grpc-js with proto-loader) reads a
//! map entry without its value field as `null`, so a session's feature with
//! no rules must arrive with `rules: {}` (the entry's value written even
//! when empty). Run through `./scripts/test.sh`, which installs the client.

mod common;

use common::{node_client, run_json_client, MockProcess};
use serde_json::json;

/// The default catalogue plus a feature the remote server gives no rules.
fn catalogue_with_a_rule_less_feature(dir: &std::path::Path) -> std::path::PathBuf {
    let path = dir.join("no-rules-features.json");
    let catalogue = json!({
        "features": {
            "NoRules": {
                "name": "NoRules",
                "description": "a feature without rules",
                "rules": {},
                "permissions_list": [{
                    "method": "/lnrpc.Lightning/GetInfo",
                    "operations": [{"entity": "info", "action": "read"}]
                }],
                "default_config": "",
                "privacy_flags": 0
            }
        }
    });
    std::fs::write(&path, catalogue.to_string()).expect("write the catalogue");
    path
}

#[test]
fn grpc_js_sees_an_empty_rules_map_for_a_feature_without_rules() {
    let dir = tempfile::tempdir().expect("temp dir");
    let catalogue = catalogue_with_a_rule_less_feature(dir.path());
    let features = catalogue.display().to_string();
    let mut server = MockProcess::serve_temp(["--features", features.as_str()]);
    let mut command = node_client("feature-without-rules.js");
    command
        .arg(server.localhost_target())
        .arg(server.tls_cert())
        .arg(server.macaroon())
        .arg("NoRules");
    let out = run_json_client(command);
    assert_eq!(out["listed"], json!({"rules": {}}), "{out}");
    assert_eq!(out["added"], json!({"rules": {}}), "{out}");
    assert_eq!(out["rule_count"], 0, "{out}");
    let status = server.terminate();
    assert!(status.success(), "{}", server.stderr());
}
