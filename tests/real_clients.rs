//! litd's real clients against the real `autopilot-mock` binary.
//!
//! Each test starts `autopilot-mock serve --listen 127.0.0.1:0 --lit-dir <tmp>`,
//! runs one client script from `tests/clients/` against it, asserts on what
//! the client got back, then stops the server with SIGTERM and requires exit
//! status 0. The clients:
//!
//! * `node/litd-sample.js`: litd's documented Node.js sample (grpc-js +
//!   proto-loader, keepCase) on litd's official `lit-autopilot.proto`;
//! * `node/litd-api.js`: the `@lightningpolar/litd-api` client library
//!   (camelCase field names);
//! * `python/client.py`: grpcio with modules generated from the official protos.
//!
//! All three print one JSON line; bytes are standard base64, uint64 values are
//! strings, enums are names. Run through `./scripts/test.sh`, which installs
//! the clients and exports the variables that locate them.

mod common;

use std::collections::BTreeSet;
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use common::{node_client, python_client, run_json_client, MockProcess};
use serde_json::Value;

/// Field-name style of a client's output.
#[derive(Clone, Copy, Debug)]
enum Naming {
    /// Proto field names (`local_public_key`).
    Snake,
    /// lowerCamelCase (`localPublicKey`), as protobufjs without keepCase.
    Camel,
}

impl Naming {
    /// The client's name for the proto field `name`.
    fn field(self, name: &str) -> String {
        match self {
            Naming::Snake => name.to_string(),
            Naming::Camel => {
                let mut out = String::with_capacity(name.len());
                let mut upper = false;
                for c in name.chars() {
                    if c == '_' {
                        upper = true;
                    } else if upper {
                        out.extend(c.to_uppercase());
                        upper = false;
                    } else {
                        out.push(c);
                    }
                }
                out
            }
        }
    }
}

/// Walks `value` through proto field names (converted with `naming`); a
/// segment starting with `=` is a literal map key (`"=HealthCheck"`).
fn at<'a>(value: &'a Value, naming: Naming, path: &[&str]) -> &'a Value {
    let mut current = value;
    for (i, segment) in path.iter().enumerate() {
        let key = match segment.strip_prefix('=') {
            Some(literal) => literal.to_string(),
            None => naming.field(segment),
        };
        current = current.get(&key).unwrap_or_else(|| {
            panic!(
                "no `{key}` at {:?} in {}",
                &path[..=i],
                serde_json::to_string(value).unwrap_or_default()
            )
        });
    }
    current
}

fn str_at<'a>(value: &'a Value, naming: Naming, path: &[&str]) -> &'a str {
    at(value, naming, path)
        .as_str()
        .unwrap_or_else(|| panic!("{path:?} is not a string: {}", at(value, naming, path)))
}

/// A uint64 (string) or uint32 (number) field.
fn u64_at(value: &Value, naming: Naming, path: &[&str]) -> u64 {
    match at(value, naming, path) {
        Value::String(s) => s
            .parse()
            .unwrap_or_else(|e| panic!("{path:?} = {s:?} is not a u64: {e}")),
        Value::Number(n) => n
            .as_u64()
            .unwrap_or_else(|| panic!("{path:?} = {n} is not a u64")),
        other => panic!("{path:?} is not a number or numeric string: {other}"),
    }
}

/// A bytes field (standard base64).
fn bytes_at(value: &Value, naming: Naming, path: &[&str]) -> Vec<u8> {
    let text = str_at(value, naming, path);
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .unwrap_or_else(|e| panic!("{path:?} = {text:?} is not standard base64: {e}"))
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock after 1970")
        .as_secs()
}

/// `(iterations, num_hours)` of a `Rate` inside a `RateLimit`.
fn rate(rate_limit: &Value, naming: Naming, which: &str) -> (u64, u64) {
    (
        u64_at(rate_limit, naming, &[which, "iterations"]),
        u64_at(rate_limit, naming, &[which, "num_hours"]),
    )
}

/// ListAutopilotFeatures: the in-process defaults (reference §4.1).
fn check_features(out: &Value, naming: Naming) {
    let features = at(out, naming, &["=features", "features"])
        .as_object()
        .unwrap_or_else(|| panic!("features.features is not a map: {out}"));
    let names: BTreeSet<&str> = features.keys().map(String::as_str).collect();
    for expected in ["AutoFees", "HealthCheck"] {
        assert!(
            names.contains(expected),
            "feature {expected} missing: {names:?}"
        );
    }

    let expected = [
        (
            "HealthCheck",
            "check that your node is up",
            vec![("/lnrpc.Lightning/GetInfo", vec![("info", "read")])],
        ),
        (
            "AutoFees",
            "manages your channel fees",
            vec![
                ("/lnrpc.Lightning/FeeReport", vec![("offchain", "read")]),
                ("/lnrpc.Lightning/ListChannels", vec![("offchain", "read")]),
                (
                    "/lnrpc.Lightning/UpdateChannelPolicy",
                    vec![("offchain", "write")],
                ),
            ],
        ),
    ];
    for (name, description, permissions) in expected {
        let feature = &features[name];
        assert_eq!(str_at(feature, naming, &["name"]), name);
        assert_eq!(str_at(feature, naming, &["description"]), description);
        assert_eq!(
            at(feature, naming, &["requires_upgrade"]),
            &Value::Bool(false)
        );
        assert_eq!(u64_at(feature, naming, &["privacy_flags"]), 0);
        assert_eq!(str_at(feature, naming, &["default_config"]), "");

        let rules = at(feature, naming, &["rules"])
            .as_object()
            .unwrap_or_else(|| panic!("{name}.rules is not a map: {feature}"));
        assert_eq!(
            rules.keys().map(String::as_str).collect::<Vec<_>>(),
            ["rate-limit"],
            "{name} rules"
        );
        let rule = &rules["rate-limit"];
        assert_eq!(at(rule, naming, &["known"]), &Value::Bool(true), "{name}");
        let defaults = at(rule, naming, &["defaults", "rate_limit"]);
        let min = at(rule, naming, &["min_value", "rate_limit"]);
        let max = at(rule, naming, &["max_value", "rate_limit"]);
        assert_eq!(
            rate(defaults, naming, "read_limit"),
            (10, 1),
            "{name} default read"
        );
        assert_eq!(
            rate(defaults, naming, "write_limit"),
            (1, 1),
            "{name} default write"
        );
        assert_eq!(rate(min, naming, "read_limit"), (1, 1), "{name} min read");
        assert_eq!(rate(min, naming, "write_limit"), (0, 1), "{name} min write");
        assert_eq!(
            rate(max, naming, "read_limit"),
            (1000, 1),
            "{name} max read"
        );
        assert_eq!(
            rate(max, naming, "write_limit"),
            (10, 1),
            "{name} max write"
        );

        // Methods and their entity:action operations; the order is random in
        // litd (a Go map), so compare sorted.
        let mut got: Vec<(String, Vec<(String, String)>)> =
            at(feature, naming, &["permissions_list"])
                .as_array()
                .unwrap_or_else(|| panic!("{name}.permissions_list is not a list"))
                .iter()
                .map(|p| {
                    let ops = at(p, naming, &["operations"])
                        .as_array()
                        .unwrap_or_else(|| panic!("operations is not a list: {p}"))
                        .iter()
                        .map(|op| {
                            (
                                str_at(op, naming, &["entity"]).to_string(),
                                str_at(op, naming, &["action"]).to_string(),
                            )
                        })
                        .collect();
                    (str_at(p, naming, &["method"]).to_string(), ops)
                })
                .collect();
        got.sort();
        let want: Vec<(String, Vec<(String, String)>)> = permissions
            .iter()
            .map(|(method, ops)| {
                (
                    method.to_string(),
                    ops.iter()
                        .map(|(e, a)| (e.to_string(), a.to_string()))
                        .collect(),
                )
            })
            .collect();
        assert_eq!(got, want, "{name} permissions_list");
    }
}

/// The pairing phrase: 10 BIP-39 English words, 11 bits each, read big-endian
/// from the 14-byte secret (reference §2.2.2).
fn mnemonic_of(secret: &[u8]) -> String {
    let words = bip39::Language::English.word_list();
    (0..10)
        .map(|i| {
            let index = (0..11).fold(0usize, |acc, bit| {
                let pos = i * 11 + bit;
                let set = secret[pos / 8] >> (7 - pos % 8) & 1;
                acc << 1 | usize::from(set)
            });
            words[index]
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// A new autopilot session for HealthCheck with read 20/h, write 2/h.
fn check_new_session(session: &Value, naming: Naming, label: &str, expiry: u64) {
    let s = |path: &[&str]| str_at(session, naming, path).to_string();
    assert_eq!(s(&["session_state"]), "STATE_CREATED");
    assert_eq!(s(&["session_type"]), "TYPE_AUTOPILOT");
    assert_eq!(s(&["label"]), label);
    assert_eq!(
        u64_at(session, naming, &["expiry_timestamp_seconds"]),
        expiry
    );
    assert_eq!(
        s(&["mailbox_server_addr"]),
        "mailbox.terminal.lightning.today:443"
    );
    assert_eq!(at(session, naming, &["dev_server"]), &Value::Bool(false));
    assert_eq!(s(&["account_id"]), "");
    assert_eq!(u64_at(session, naming, &["revoked_at"]), 0);
    assert_eq!(u64_at(session, naming, &["privacy_flags"]), 0);
    let created = u64_at(session, naming, &["created_at"]);
    let t = now();
    assert!(
        created + 600 >= t && created <= t + 60,
        "created_at {created} is not about now ({t})"
    );

    let local = bytes_at(session, naming, &["local_public_key"]);
    assert_eq!(local.len(), 33, "local_public_key length");
    assert!(
        matches!(local[0], 2 | 3),
        "local_public_key is not compressed: {local:02x?}"
    );
    assert!(
        secp256k1::PublicKey::from_slice(&local).is_ok(),
        "local_public_key is not a secp256k1 point"
    );
    let id = bytes_at(session, naming, &["id"]);
    assert_eq!(id, local[1..5], "id must be local_public_key[1..5]");
    assert_eq!(
        bytes_at(session, naming, &["group_id"]),
        id,
        "group_id of an unlinked session"
    );
    let remote = bytes_at(session, naming, &["remote_public_key"]);
    assert_eq!(
        remote.len(),
        33,
        "remote_public_key from the autopilot server"
    );
    assert!(
        secp256k1::PublicKey::from_slice(&remote).is_ok(),
        "remote key not a point"
    );

    let secret = bytes_at(session, naming, &["pairing_secret"]);
    assert_eq!(secret.len(), 14, "pairing_secret length");
    assert_eq!(secret[13] & 0b11, 0, "the secret's last 2 bits are unused");
    let mnemonic = s(&["pairing_secret_mnemonic"]);
    assert_eq!(mnemonic.split(' ').count(), 10, "mnemonic {mnemonic:?}");
    assert_eq!(
        mnemonic,
        mnemonic_of(&secret),
        "mnemonic must encode pairing_secret"
    );

    // Every rule of the feature, with the override applied.
    let info = at(session, naming, &["autopilot_feature_info"])
        .as_object()
        .unwrap_or_else(|| panic!("autopilot_feature_info is not a map: {session}"));
    assert_eq!(
        info.keys().map(String::as_str).collect::<Vec<_>>(),
        ["HealthCheck"]
    );
    let rules = at(&info["HealthCheck"], naming, &["rules"])
        .as_object()
        .unwrap_or_else(|| panic!("HealthCheck.rules is not a map: {session}"));
    assert_eq!(
        rules.keys().map(String::as_str).collect::<Vec<_>>(),
        ["rate-limit"]
    );
    let rate_limit = at(&rules["rate-limit"], naming, &["rate_limit"]);
    assert_eq!(rate(rate_limit, naming, "read_limit"), (20, 1));
    assert_eq!(rate(rate_limit, naming, "write_limit"), (2, 1));

    let configs = at(session, naming, &["feature_configs"]);
    assert_eq!(
        configs,
        &serde_json::json!({"HealthCheck": "{}"}),
        "feature_configs"
    );

    // The recipe: one uri permission per feature method; the rules caveat and
    // the privacy caveat (privacy is on by default).
    let permissions: Vec<(String, String)> =
        at(session, naming, &["macaroon_recipe", "permissions"])
            .as_array()
            .unwrap_or_else(|| panic!("macaroon_recipe.permissions is not a list"))
            .iter()
            .map(|p| {
                (
                    str_at(p, naming, &["entity"]).to_string(),
                    str_at(p, naming, &["action"]).to_string(),
                )
            })
            .collect();
    assert_eq!(
        permissions,
        [("uri".to_string(), "/lnrpc.Lightning/GetInfo".to_string())]
    );
    let caveats: Vec<&str> = at(session, naming, &["macaroon_recipe", "caveats"])
        .as_array()
        .unwrap_or_else(|| panic!("macaroon_recipe.caveats is not a list"))
        .iter()
        .map(|c| {
            c.as_str()
                .unwrap_or_else(|| panic!("caveat {c} is not a string"))
        })
        .collect();
    assert_eq!(caveats.len(), 2, "caveats: {caveats:?}");
    let rules_json = caveats[0]
        .strip_prefix("lnd-custom lit-mac-fw rules:")
        .unwrap_or_else(|| panic!("first caveat is not the rules caveat: {:?}", caveats[0]));
    let rules_caveat: Value = serde_json::from_str(rules_json)
        .unwrap_or_else(|e| panic!("rules caveat is not JSON ({e}): {rules_json}"));
    assert_eq!(rules_caveat["session_rules"], Value::Null);
    let rule_text = rules_caveat["feature_rules"]["HealthCheck"]["rate-limit"]
        .as_str()
        .unwrap_or_else(|| panic!("no HealthCheck rate-limit in the rules caveat: {rules_json}"));
    let rule: Value = serde_json::from_str(rule_text)
        .unwrap_or_else(|e| panic!("rate-limit caveat value is not JSON ({e}): {rule_text}"));
    assert_eq!(
        rule,
        serde_json::json!({
            "write_limit": {"iterations": 2, "num_hours": 1},
            "read_limit": {"iterations": 20, "num_hours": 1},
        })
    );
    assert_eq!(caveats[1], "lnd-custom privacy");
}

/// The whole flow a client printed: features, add, list, revoke, list.
fn check_flow(out: &Value, naming: Naming, label: &str) {
    check_features(out, naming);

    let expiry: u64 = out["request_expiry"]
        .as_str()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("client printed no request_expiry: {out}"));
    let added = at(out, naming, &["=added", "session"]);
    check_new_session(added, naming, label, expiry);
    let key = str_at(added, naming, &["local_public_key"]);

    let listed = at(out, naming, &["=listed", "sessions"])
        .as_array()
        .unwrap_or_else(|| panic!("listed.sessions is not a list: {out}"));
    assert_eq!(listed.len(), 1, "one session in a fresh server: {listed:?}");
    assert_eq!(
        &listed[0], added,
        "the listed session equals the one AddAutopilotSession returned"
    );

    assert_eq!(
        out["revoked"],
        serde_json::json!({}),
        "RevokeAutopilotSessionResponse is empty"
    );

    let after = at(out, naming, &["=listed_after_revoke", "sessions"])
        .as_array()
        .unwrap_or_else(|| panic!("listed_after_revoke.sessions is not a list: {out}"));
    assert_eq!(
        after.len(),
        1,
        "the revoked session is still listed: {after:?}"
    );
    let revoked = &after[0];
    assert_eq!(str_at(revoked, naming, &["local_public_key"]), key);
    assert_eq!(str_at(revoked, naming, &["session_state"]), "STATE_REVOKED");
    let created = u64_at(revoked, naming, &["created_at"]);
    let revoked_at = u64_at(revoked, naming, &["revoked_at"]);
    assert!(
        revoked_at >= created && revoked_at <= now() + 60,
        "revoked_at {revoked_at} (created_at {created})"
    );
}

/// Stops the server with SIGTERM and requires a clean exit and a quiet stdout.
fn stop(mut server: MockProcess) {
    let status = server.terminate();
    assert!(
        status.success(),
        "server exited with {status} after SIGTERM; stderr:\n{}",
        server.stderr()
    );
    assert_eq!(
        server.extra_stdout(),
        Vec::<String>::new(),
        "the server must print only its ready line on stdout"
    );
}

fn client_args(server: &MockProcess, target: &str) -> [String; 3] {
    [
        target.to_string(),
        server.tls_cert().display().to_string(),
        server.macaroon().display().to_string(),
    ]
}

#[test]
fn ready_line_describes_a_litd_style_lit_dir() {
    let server = MockProcess::serve_temp(["--network", "regtest"]);
    let temp = server
        .temp_dir()
        .expect("serve_temp owns a dir")
        .to_path_buf();
    let listen = server.listen().to_string();
    assert!(listen.starts_with("127.0.0.1:"), "listen {listen}");
    assert_ne!(server.port(), 0, "listen must be the real port, not :0");
    // Something accepts there. (Closed at once: an idle connection that never
    // starts TLS holds up a graceful shutdown.)
    let probe = std::net::TcpStream::connect(&listen);
    assert!(probe.is_ok(), "nothing accepts on {listen}: {probe:?}");
    drop(probe);

    let canon = |p: &std::path::Path| {
        std::fs::canonicalize(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
    };
    assert_eq!(canon(&server.lit_dir()), canon(&temp), "lit_dir");
    for path in [server.tls_cert(), server.tls_key(), server.macaroon()] {
        assert!(path.is_absolute(), "{} is not absolute", path.display());
        assert!(path.is_file(), "{} does not exist", path.display());
    }
    assert_eq!(canon(&server.tls_cert()), canon(&temp.join("tls.cert")));
    assert_eq!(canon(&server.tls_key()), canon(&temp.join("tls.key")));
    assert_eq!(
        canon(&server.macaroon()),
        canon(&temp.join("regtest/lit.macaroon"))
    );

    let cert = std::fs::read_to_string(server.tls_cert()).expect("read tls.cert");
    assert!(
        cert.starts_with("-----BEGIN CERTIFICATE-----"),
        "tls.cert is not PEM"
    );
    let key = std::fs::read_to_string(server.tls_key()).expect("read tls.key");
    assert!(
        key.starts_with("-----BEGIN EC PRIVATE KEY-----"),
        "tls.key is not a SEC1 EC key"
    );
    let macaroon = std::fs::read(server.macaroon()).expect("read lit.macaroon");
    assert_eq!(
        macaroon.first(),
        Some(&2),
        "lit.macaroon is not a V2 binary macaroon"
    );
    stop(server);
}

#[test]
fn sigterm_right_after_the_ready_line_exits_cleanly() {
    // A supervisor may stop the server as soon as it has read the ready line:
    // the SIGTERM handler must already be in place by then.
    let server = MockProcess::serve_temp(Vec::<String>::new());
    stop(server);
}

#[test]
fn litd_documented_node_sample_full_flow() {
    let server = MockProcess::serve_temp(Vec::<String>::new());
    let mut command = node_client("litd-sample.js");
    // grpc-js reads this when it loads, so set it in the environment too:
    // that is how the sample's cipher restriction really takes effect.
    command
        .args(client_args(&server, &server.localhost_target()))
        .env("GRPC_SSL_CIPHER_SUITES", "HIGH+ECDSA");
    let out = run_json_client(command);
    check_flow(&out, Naming::Snake, "litd-sample.js");
    // keepCase + oneofs: the virtual oneof field names the set member.
    assert_eq!(
        out["added"]["session"]["autopilot_feature_info"]["HealthCheck"]["rules"]["rate-limit"]
            ["value"],
        "rate_limit"
    );
    stop(server);
}

#[test]
fn litd_api_node_library_full_flow() {
    let server = MockProcess::serve_temp(Vec::<String>::new());
    let mut command = node_client("litd-api.js");
    command.args(client_args(&server, &server.localhost_target()));
    let out = run_json_client(command);
    check_flow(&out, Naming::Camel, "litd-api.js");
    stop(server);
}

#[test]
fn python_grpcio_full_flow() {
    let server = MockProcess::serve_temp(Vec::<String>::new());
    let mut command = python_client("client.py");
    // 127.0.0.1 here (the node tests use localhost): both SANs get exercised.
    command.args(client_args(&server, server.listen()));
    let out = run_json_client(command);
    check_flow(&out, Naming::Snake, "client.py");
    stop(server);
}

#[test]
fn calls_without_a_macaroon_fail_like_litd() {
    let server = MockProcess::serve_temp(Vec::<String>::new());

    let mut node = node_client("litd-sample.js");
    node.args(client_args(&server, &server.localhost_target()))
        .arg("no-macaroon");
    let mut python = python_client("client.py");
    python
        .args(client_args(&server, server.listen()))
        .arg("no-macaroon");

    for (client, command) in [("litd-sample.js", node), ("client.py", python)] {
        let out = run_json_client(command);
        assert_eq!(out["client"], client);
        assert_eq!(
            out["error"],
            serde_json::json!({"code": 2, "details": "expected 1 macaroon, got 0"}),
            "{client}: a call without a macaroon is Unknown with litd's message"
        );
    }
    stop(server);
}

#[test]
fn mnemonic_mapping_matches_the_reference_vectors() {
    // Reference §2.2.2 vectors, so the check used above is itself right.
    let secret = [
        0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0c,
    ];
    assert_eq!(
        mnemonic_of(&secret),
        "abandon amount liar amount expire adjust cage candy arch gather"
    );
    assert_eq!(mnemonic_of(&[0xff; 14]), ["zoo"; 10].join(" "));
}
