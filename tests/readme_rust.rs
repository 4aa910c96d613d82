//! README.md's Rust quick start, verbatim (tests/readme_facts.rs compares
//! the two, leaving out these `//!` lines and `#[rustfmt::skip]`, which keeps
//! its aligned comments): it compiles against the library and runs as a
//! reader's test would.

use autopilot_mock::proto::litrpc::ListAutopilotFeaturesRequest;

#[rustfmt::skip]
#[tokio::test]
async fn my_client_lists_features() {
    let server = autopilot_mock::MockServer::start().await;      // 127.0.0.1:<free port>, temp lit dir
    let mut client = server.client().await.unwrap();             // TLS pinned, macaroon attached
    let features = client.list_autopilot_features(ListAutopilotFeaturesRequest {}).await.unwrap();
    assert!(features.into_inner().features.contains_key("HealthCheck"));
    // Or hand your own client server.addr(), server.tls_cert_pem(), server.macaroon_hex().
    server.advance(std::time::Duration::from_secs(3600));        // move the clock (pings, expiries)
    assert_eq!(server.session_count(), 0);
    // server dropped here: stopped, temp dir removed
}
