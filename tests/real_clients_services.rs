//! Polar's calls beyond Autopilot through the real `@lightningpolar/litd-api`
//! library (`tests/clients/node/litd-api-sessions.js`) against the binary:
//! Sessions add/list/revoke, Proxy GetInfo, and a read-only super macaroon
//! from BakeSuperMacaroon used by a second LitClient.

mod common;

use common::{node_client, run_json_client, MockProcess};

#[test]
fn litd_api_sessions_and_proxy_as_polar_calls_them() {
    let mut server = MockProcess::serve_temp(Vec::<String>::new());
    let mut command = node_client("litd-api-sessions.js");
    command
        .arg(server.localhost_target())
        .arg(server.tls_cert())
        .arg(server.macaroon());
    let out = run_json_client(command);

    let session = &out["added"]["session"];
    assert_eq!(session["label"], "Polar", "{out}");
    assert_eq!(session["sessionType"], "TYPE_MACAROON_ADMIN", "{out}");
    assert_eq!(session["sessionState"], "STATE_CREATED", "{out}");
    assert_eq!(
        session["pairingSecretMnemonic"]
            .as_str()
            .map(|m| m.split(' ').count()),
        Some(10),
        "{out}"
    );
    let key = session["localPublicKey"].as_str().expect("key");
    let listed = out["listed"]["sessions"].as_array().expect("sessions");
    assert!(listed.iter().any(|s| s["localPublicKey"] == key), "{out}");
    let after = out["listed_after_revoke"]["sessions"]
        .as_array()
        .expect("sessions");
    let revoked = after
        .iter()
        .find(|s| s["localPublicKey"] == key)
        .expect("still listed");
    assert_eq!(revoked["sessionState"], "STATE_REVOKED", "{out}");
    assert_eq!(out["info"]["version"], "0.17.2-alpha", "{out}");
    assert!(
        out["super_listed"]["sessions"].is_array(),
        "the super macaroon is accepted: {out}"
    );
    let status = server.terminate();
    assert!(status.success(), "{}", server.stderr());
}
