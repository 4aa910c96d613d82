//! ListAutopilotFeatures, macaroon auth (reference §5) and TLS, over a real
//! socket; snapshots of the wire output.

mod support;

use autopilot_mock::proto::litrpc as p;
use support::*;

#[tokio::test]
async fn features_are_litd_test_server_defaults() {
    let s = TestServer::start().await;
    let features = s
        .client()
        .list_autopilot_features(p::ListAutopilotFeaturesRequest {})
        .await
        .expect("list features")
        .into_inner()
        .features;
    let names: Vec<&String> = features.keys().collect();
    assert_eq!(names, ["AutoFees", "HealthCheck"]);
    let hc = &features["HealthCheck"];
    assert_eq!(hc.name, "HealthCheck");
    assert_eq!(hc.description, "check that your node is up");
    assert!(!hc.requires_upgrade);
    assert_eq!(hc.default_config, "");
    let rule = &hc.rules["rate-limit"];
    assert!(rule.known);
    assert_eq!(rule.defaults, Some(rate_limit((10, 1), (1, 1))));
    assert_eq!(rule.min_value, Some(rate_limit((1, 1), (0, 1))));
    assert_eq!(rule.max_value, Some(rate_limit((1000, 1), (10, 1))));
    assert_eq!(
        hc.permissions_list,
        vec![p::Permissions {
            method: "/lnrpc.Lightning/GetInfo".into(),
            operations: vec![p::MacaroonPermission {
                entity: "info".into(),
                action: "read".into()
            }],
        }]
    );
    assert_eq!(features["AutoFees"].permissions_list.len(), 3);
    insta::assert_json_snapshot!("list_features", features_json(&features));
}

fn features_json(features: &std::collections::BTreeMap<String, p::Feature>) -> serde_json::Value {
    serde_json::to_value(features).expect("features serialize")
}

#[tokio::test]
async fn added_session_snapshot() {
    let s = TestServer::start().await;
    let session = s
        .client()
        .add_autopilot_session(health_check())
        .await
        .expect("add")
        .into_inner();
    insta::assert_json_snapshot!("add_session", session, {
        ".session.id" => "[4 bytes]",
        ".session.group_id" => "[4 bytes]",
        ".session.local_public_key" => "[33-byte key]",
        ".session.remote_public_key" => "[33-byte key]",
        ".session.pairing_secret" => "[14 bytes]",
        ".session.pairing_secret_mnemonic" => "[10 words]",
    });
}

#[tokio::test]
async fn macaroon_count_and_encoding_errors() {
    let s = TestServer::start().await;
    let req = p::ListAutopilotSessionsRequest {};
    assert_unknown(
        s.client_with(vec![]).list_autopilot_sessions(req).await,
        "expected 1 macaroon, got 0",
    );
    assert_unknown(
        s.client_with(vec![s.macaroon_hex.clone(), s.macaroon_hex.clone()])
            .list_autopilot_sessions(req)
            .await,
        "expected 1 macaroon, got 2",
    );
    let err = s
        .client_with(vec!["zz".into()])
        .list_autopilot_sessions(req)
        .await
        .expect_err("bad hex");
    assert_eq!(err.code(), tonic::Code::Unknown);
    assert!(
        err.message()
            .starts_with("proxy error with context lit: invalid macaroon: "),
        "{}",
        err.message()
    );
}

#[tokio::test]
async fn permissions_and_caveats_are_enforced() {
    let s = TestServer::start().await;
    let auth = &s.running.auth;
    let read_only = hex::encode(auth.bake(&[("autopilot", &["read"])], &[]));
    let mut c = s.client_with(vec![read_only]);
    assert!(c
        .list_autopilot_sessions(p::ListAutopilotSessionsRequest {})
        .await
        .is_ok());
    assert_unknown(
        c.add_autopilot_session(health_check()).await,
        "proxy error with context lit: invalid macaroon: permission denied",
    );

    // The uri: op of a single method is enough for that method only.
    let uri = hex::encode(auth.bake(&[("uri", &["/litrpc.Autopilot/AddAutopilotSession"])], &[]));
    let mut c = s.client_with(vec![uri]);
    assert!(c.add_autopilot_session(health_check()).await.is_ok());
    assert!(c
        .list_autopilot_sessions(p::ListAutopilotSessionsRequest {})
        .await
        .is_err());

    // time-before is honoured against the server's clock. lnd checks the
    // entity:action ops first, then retries with the `uri:` op and reports
    // that second failure; the bakery checks the caveats on both, so the
    // caveat's text shows for either kind of macaroon.
    let lit_ops: &[(&str, &[&str])] = &[("autopilot", &["read", "write"])];
    let list_uri: &[(&str, &[&str])] = &[("uri", &["/litrpc.Autopilot/ListAutopilotSessions"])];
    let deadline = "time-before 2030-01-01T00:01:00Z";
    let fresh_ops = hex::encode(auth.bake(lit_ops, &[deadline]));
    let fresh_uri = hex::encode(auth.bake(list_uri, &[deadline]));
    for mac in [&fresh_ops, &fresh_uri] {
        assert!(s
            .client_with(vec![mac.clone()])
            .list_autopilot_sessions(p::ListAutopilotSessionsRequest {})
            .await
            .is_ok());
    }
    s.advance(120);
    assert_unknown(
        s.client_with(vec![fresh_ops])
            .list_autopilot_sessions(p::ListAutopilotSessionsRequest {})
            .await,
        "proxy error with context lit: invalid macaroon: caveat \"time-before 2030-01-01T00:01:00Z\" not satisfied: macaroon has expired",
    );
    assert_unknown(
        s.client_with(vec![fresh_uri])
            .list_autopilot_sessions(p::ListAutopilotSessionsRequest {})
            .await,
        "proxy error with context lit: invalid macaroon: caveat \"time-before 2030-01-01T00:01:00Z\" not satisfied: macaroon has expired",
    );

    // Any caveat lnd's checker does not know is rejected.
    let ipaddr = hex::encode(auth.bake(list_uri, &["ipaddr 127.0.0.1"]));
    assert_unknown(
        s.client_with(vec![ipaddr])
            .list_autopilot_sessions(p::ListAutopilotSessionsRequest {})
            .await,
        "proxy error with context lit: invalid macaroon: caveat \"ipaddr 127.0.0.1\" not satisfied: caveat not recognized",
    );

    // A macaroon from another root key fails its signature.
    let other = autopilot_mock::auth::Authenticator::new([42u8; 32]);
    assert_unknown(
        s.client_with(vec![hex::encode(other.bake_lit_macaroon())])
            .list_autopilot_sessions(p::ListAutopilotSessionsRequest {})
            .await,
        "proxy error with context lit: invalid macaroon: verification failed: signature mismatch after caveat verification",
    );
}

#[tokio::test]
async fn plaintext_http2_is_refused() {
    let s = TestServer::start().await;
    let channel =
        tonic::transport::Endpoint::from_shared(format!("http://{}", s.running.local_addr))
            .expect("endpoint")
            .connect()
            .await;
    let result = match channel {
        Err(_) => Err(()),
        Ok(ch) => {
            let mut c = autopilot_mock::proto::litrpc::autopilot_client::AutopilotClient::new(ch);
            c.list_autopilot_features(p::ListAutopilotFeaturesRequest {})
                .await
                .map(|_| ())
                .map_err(|_| ())
        }
    };
    assert!(result.is_err(), "a plaintext call must not be answered");
}

#[tokio::test]
async fn credentials_are_laid_out_like_a_lit_dir_and_reused() {
    let s = TestServer::start().await;
    let paths = s.running.paths.clone();
    assert_eq!(paths.tls_cert, paths.lit_dir.join("tls.cert"));
    assert_eq!(paths.tls_key, paths.lit_dir.join("tls.key"));
    assert_eq!(
        paths.macaroon,
        paths.lit_dir.join("regtest").join("lit.macaroon")
    );
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &std::path::Path| {
        std::fs::metadata(p)
            .expect("file exists")
            .permissions()
            .mode()
            & 0o777
    };
    assert_eq!(mode(&paths.tls_cert), 0o644);
    assert_eq!(mode(&paths.tls_key), 0o600);
    let cert = std::fs::read(&paths.tls_cert).expect("cert");
    let mac = std::fs::read(&paths.macaroon).expect("macaroon");
    assert_eq!(mac[0], 2, "V2 binary macaroon");

    // A restart on the same lit dir keeps the client's files valid.
    s.running.shutdown().await;
    let listen = "127.0.0.1:0".parse().expect("addr");
    let config = autopilot_mock::server::ServerConfig::new(
        paths.lit_dir.clone(),
        "regtest",
        listen,
        autopilot_mock::remote::Catalogue::default_catalogue().expect("catalogue"),
    );
    let again = autopilot_mock::server::start(config)
        .await
        .expect("restart");
    assert_eq!(std::fs::read(&paths.tls_cert).expect("cert"), cert);
    assert_eq!(std::fs::read(&paths.macaroon).expect("macaroon"), mac);
    let channel = tls_channel(&again).await;
    let mut c = autopilot_mock::proto::litrpc::autopilot_client::AutopilotClient::with_interceptor(
        channel,
        MacaroonHeader(vec![hex::encode(&mac)]),
    );
    assert!(c
        .list_autopilot_sessions(p::ListAutopilotSessionsRequest {})
        .await
        .is_ok());
    again.shutdown().await;
}
