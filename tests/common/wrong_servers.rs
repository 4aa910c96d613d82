//! Deliberately wrong servers the harness tests point `check` and `diff`
//! at, and a way to serve one over TLS as litd does.

#![allow(dead_code)]

use std::net::SocketAddr;

use autopilot_mock::proto::litrpc as p;
use autopilot_mock::proto::litrpc::autopilot_server::Autopilot;
use tonic::{Request, Response, Status};

/// A tonic server that gets things wrong the way a naive mock would.
pub struct Naive;

#[tonic::async_trait]
impl Autopilot for Naive {
    async fn list_autopilot_features(
        &self,
        _: Request<p::ListAutopilotFeaturesRequest>,
    ) -> Result<Response<p::ListAutopilotFeaturesResponse>, Status> {
        let feature = p::Feature {
            name: "HealthCheck".into(),
            privacy_flags: 0,
            rules: [("rate-limit".to_string(), p::RuleValues::default())].into(),
            ..Default::default()
        };
        Ok(Response::new(p::ListAutopilotFeaturesResponse {
            features: [("HealthCheck".to_string(), feature)].into(),
        }))
    }

    async fn add_autopilot_session(
        &self,
        _: Request<p::AddAutopilotSessionRequest>,
    ) -> Result<Response<p::AddAutopilotSessionResponse>, Status> {
        Err(Status::invalid_argument("features must not be empty"))
    }

    async fn list_autopilot_sessions(
        &self,
        _: Request<p::ListAutopilotSessionsRequest>,
    ) -> Result<Response<p::ListAutopilotSessionsResponse>, Status> {
        Ok(Response::new(p::ListAutopilotSessionsResponse {
            sessions: vec![p::Session {
                id: vec![1, 2, 3, 4, 5, 6, 7, 8],
                session_state: p::SessionState::StateReserved as i32,
                ..Default::default()
            }],
        }))
    }

    async fn revoke_autopilot_session(
        &self,
        _: Request<p::RevokeAutopilotSessionRequest>,
    ) -> Result<Response<p::RevokeAutopilotSessionResponse>, Status> {
        Err(Status::not_found("no such session"))
    }
}

/// Serves `router` over TLS with a fresh litd-like certificate on a free
/// port; returns the address and the certificate's PEM. The server lives
/// until `shutdown` is dropped or sent.
pub async fn serve_tls(
    router: axum::Router,
) -> (SocketAddr, String, tokio::sync::watch::Sender<bool>) {
    let now = time::OffsetDateTime::now_utc();
    let (cert_pem, key_pem) = autopilot_mock::tls::generate("localhost", now).expect("certificate");
    let files = autopilot_mock::tls::TlsFiles {
        cert_path: "wrong-server.cert".into(),
        key_path: "wrong-server.key".into(),
        cert_pem: cert_pem.clone(),
        key_pem,
    };
    let config = autopilot_mock::tls::server_config(&files).expect("TLS config");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let (tx, rx) = tokio::sync::watch::channel(false);
    autopilot_mock::server::spawn_serving(listener, config, router, 100, 1 << 16, rx);
    (addr, cert_pem, tx)
}
