//! The stub as a standalone `autopilotserverrpc.Autopilot` gRPC server, for
//! `autopilot-mock serve --autopilot-addr` and for a real litd
//! (`--autopilot.address`). Plaintext like litd's Go test server, or TLS
//! with its own certificate. The same port serves the stub's admin API
//! (`script`, `journal`, `reset`; `admin::stub_routes`).

use std::net::SocketAddr;
use std::path::PathBuf;

use tokio::sync::watch;
use tokio::task::JoinHandle;
use tonic::transport::server::TcpIncoming;
use tonic::transport::{Identity, Server, ServerTlsConfig};
use tonic::{Request, Response, Status};

use super::Stub;
use crate::domain::remote::RemoteAutopilot;
use crate::proto::autopilotserverrpc as ap;
use crate::proto::autopilotserverrpc::autopilot_server::{Autopilot, AutopilotServer};
use crate::remote::server_wire as w;

/// The tonic service over a [`Stub`].
#[derive(Clone, Debug)]
pub(crate) struct StubService {
    stub: Stub,
}

impl StubService {
    pub(crate) fn new(stub: Stub) -> Self {
        Self { stub }
    }
}

#[tonic::async_trait]
impl Autopilot for StubService {
    async fn terms(
        &self,
        _: Request<ap::TermsRequest>,
    ) -> Result<Response<ap::TermsResponse>, Status> {
        let v = self.stub.terms().await.map_err(w::status_out)?;
        Ok(Response::new(ap::TermsResponse {
            min_required_version: Some(w::version_out(v)),
        }))
    }

    async fn list_features(
        &self,
        _: Request<ap::ListFeaturesRequest>,
    ) -> Result<Response<ap::ListFeaturesResponse>, Status> {
        let f = self.stub.list_features().await.map_err(w::status_out)?;
        Ok(Response::new(w::features_out(f)))
    }

    async fn register_session(
        &self,
        req: Request<ap::RegisterSessionRequest>,
    ) -> Result<Response<ap::RegisterSessionResponse>, Status> {
        let r = w::registration_in(req.into_inner());
        let key = self.stub.register_session(r).await.map_err(w::status_out)?;
        Ok(Response::new(ap::RegisterSessionResponse {
            initiator_pub_key: key.to_bytes(),
        }))
    }

    async fn activate_session(
        &self,
        req: Request<ap::ActivateSessionRequest>,
    ) -> Result<Response<ap::ActivateSessionResponse>, Status> {
        let key = req.into_inner().responder_pub_key;
        let key = self
            .stub
            .activate_session(key)
            .await
            .map_err(w::status_out)?;
        Ok(Response::new(ap::ActivateSessionResponse {
            initiator_pub_key: key,
        }))
    }

    async fn revoke_session(
        &self,
        req: Request<ap::RevokeSessionRequest>,
    ) -> Result<Response<ap::RevokeSessionResponse>, Status> {
        let key = req.into_inner().responder_pub_key;
        self.stub.revoke_session(key).await.map_err(w::status_out)?;
        Ok(Response::new(ap::RevokeSessionResponse {}))
    }
}

/// The largest admin API body (a script) the standalone stub reads.
const ADMIN_MAX_BODY_BYTES: usize = 4 * 1024 * 1024;

/// Where the standalone stub's certificate lives (`None`: plaintext).
#[derive(Debug, Clone)]
pub struct StubTls {
    /// The PEM certificate; generated (with the key) when neither file
    /// exists.
    pub cert_path: PathBuf,
    /// The PEM private key that goes with `cert_path`.
    pub key_path: PathBuf,
}

/// Why the standalone stub could not start.
#[derive(Debug, thiserror::Error)]
pub enum StubStartError {
    /// Its certificate, directory or listen address.
    #[error(transparent)]
    Listen(#[from] crate::server::ListenError),
    /// tonic refused the TLS identity.
    #[error("TLS configuration: {0}")]
    Transport(#[from] tonic::transport::Error),
}

/// A running standalone stub.
pub struct RunningStub {
    /// The address it listens on (the real port when bound to port 0).
    pub local_addr: SocketAddr,
    /// The certificate (path, PEM) when serving TLS.
    pub(crate) tls_cert: Option<(PathBuf, String)>,
    shutdown: watch::Sender<bool>,
    task: JoinHandle<Result<(), tonic::transport::Error>>,
}

impl RunningStub {
    /// The JSON ready line `stub` prints.
    pub fn ready_line(&self) -> serde_json::Value {
        let mut line = serde_json::json!({
            "listen": self.local_addr.to_string(),
            "pid": std::process::id(),
        });
        if let Some((path, _)) = &self.tls_cert {
            line["tls_cert"] = serde_json::json!(path);
        }
        line
    }

    /// Stops accepting and waits for in-flight calls to finish.
    pub async fn shutdown(self) {
        let _ = self.shutdown.send(true);
        if let Ok(Err(e)) = self.task.await {
            tracing::warn!(error = %e, "stub server ended with an error");
        }
    }
}

/// Binds `listen` and serves the stub in the background: gRPC and, on the
/// same port, the stub's admin API under [`crate::admin::PREFIX`]. TLS when
/// `tls_files` is given, else plaintext.
pub async fn start(
    stub: Stub,
    listen: SocketAddr,
    tls_files: Option<StubTls>,
) -> Result<RunningStub, StubStartError> {
    let mut builder = Server::builder();
    let mut tls_cert = None;
    if let Some(files) = tls_files {
        let pems = crate::server::own_certificate(&files.cert_path, &files.key_path)?;
        let identity = Identity::from_pem(&pems.cert_pem, &pems.key_pem);
        builder = builder.tls_config(ServerTlsConfig::new().identity(identity))?;
        tls_cert = Some((pems.cert_path, pems.cert_pem));
    }
    let (listener, local_addr) = crate::server::bind(listen).await?;
    let incoming = TcpIncoming::from(listener).with_nodelay(Some(true));
    let (shutdown, mut rx) = watch::channel(false);
    // One port: gRPC for litd's client, the admin API (HTTP/1.1 or HTTP/2
    // JSON under the mock's prefix) for the test set-up.
    let routes = tonic::service::Routes::new(AutopilotServer::new(StubService::new(stub.clone())))
        .into_axum_router()
        .nest(
            crate::admin::PREFIX,
            crate::admin::standalone_router(stub.clone(), ADMIN_MAX_BODY_BYTES),
        );
    let router = builder
        .accept_http1(true)
        .add_routes(tonic::service::Routes::from(routes));
    let task = tokio::spawn(router.serve_with_incoming_shutdown(incoming, async move {
        let _ = rx.changed().await;
    }));
    Ok(RunningStub {
        local_addr,
        tls_cert,
        shutdown,
        task,
    })
}
