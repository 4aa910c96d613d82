//! litd's client of a real remote autopilot server (reference §4.2): a new
//! gRPC connection for every call, closed afterwards, and no timeout of its
//! own. The caller's deadline still applies: the call runs inside the
//! litrpc handler's future, which is dropped when the caller goes away, and
//! dropping it resets the outgoing stream.

use std::collections::BTreeMap;
use std::sync::Arc;

use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tonic::transport::{Channel, Endpoint};

use super::server_wire as w;
use crate::domain::remote::{
    BoxFuture, Registration, RemoteAutopilot, RemoteError, RemoteFeature, RemoteKey, Version,
};
use crate::domain::Code;
use crate::proto::autopilotserverrpc as ap;
use crate::proto::autopilotserverrpc::autopilot_client::AutopilotClient;
use crate::tls;

/// How to reach the server: litd's `autopilot.insecure` or
/// `autopilot.tlspath` (the certificate is pinned: rustls refuses litd-style
/// CA-as-leaf certificates as a chain).
#[derive(Clone)]
pub enum Transport {
    /// Plaintext h2c (`autopilot.insecure`).
    Insecure,
    /// TLS with this client configuration (the pinned certificate).
    Tls(Arc<rustls::ClientConfig>),
}

/// A remote autopilot server at `host:port`.
#[derive(Clone)]
pub struct GrpcRemote {
    addr: String,
    transport: Transport,
}

impl GrpcRemote {
    /// `addr` is `host:port` as litd's `autopilot.address`.
    pub fn insecure(addr: impl Into<String>) -> GrpcRemote {
        GrpcRemote {
            addr: addr.into(),
            transport: Transport::Insecure,
        }
    }

    /// TLS trusting exactly the certificate in `cert_pem`.
    pub fn tls(addr: impl Into<String>, cert_pem: &str) -> Result<GrpcRemote, tls::TlsError> {
        Ok(GrpcRemote {
            addr: addr.into(),
            transport: Transport::Tls(tls::client_config(cert_pem)?),
        })
    }

    /// A fresh connection, as litd dials for every call. Dial failures are
    /// `Unavailable`, as grpc-go reports them.
    async fn connect(&self) -> Result<AutopilotClient<Channel>, RemoteError> {
        let endpoint = Endpoint::from_shared(format!("http://{}", self.addr))
            .map_err(|e| unavailable(&self.addr, &e))?;
        let channel = match &self.transport {
            Transport::Insecure => endpoint.connect().await,
            Transport::Tls(config) => {
                let connector = TlsConnector::from(Arc::clone(config));
                let addr = self.addr.clone();
                let host = host_of(&addr).to_string();
                endpoint
                    .connect_with_connector(tower::service_fn(move |_: http::Uri| {
                        let (connector, addr, host) =
                            (connector.clone(), addr.clone(), host.clone());
                        async move {
                            let tcp = TcpStream::connect(addr.as_str()).await?;
                            tcp.set_nodelay(true)?;
                            let name =
                                rustls::pki_types::ServerName::try_from(host).map_err(|e| {
                                    std::io::Error::new(std::io::ErrorKind::InvalidInput, e)
                                })?;
                            let stream = connector.connect(name, tcp).await?;
                            Ok::<_, std::io::Error>(TokioIo::new(stream))
                        }
                    }))
                    .await
            }
        };
        channel
            .map(AutopilotClient::new)
            .map_err(|e| unavailable(&self.addr, &e))
    }
}

/// The host part of `host:port` (`[::1]:10` -> `::1`).
fn host_of(addr: &str) -> &str {
    let host = addr.rsplit_once(':').map_or(addr, |(h, _)| h);
    host.trim_start_matches('[').trim_end_matches(']')
}

/// grpc-go's text for a failed dial, with the deepest cause.
fn unavailable(addr: &str, e: &(dyn std::error::Error + 'static)) -> RemoteError {
    let mut cause: &dyn std::error::Error = e;
    while let Some(next) = cause.source() {
        cause = next;
    }
    RemoteError::new(
        Code::Unavailable,
        format!(
            "connection error: desc = \"transport: Error while dialing: dial tcp {addr}: {cause}\""
        ),
    )
}

fn call<T>(r: Result<tonic::Response<T>, tonic::Status>) -> Result<T, RemoteError> {
    r.map(tonic::Response::into_inner).map_err(w::status_in)
}

impl RemoteAutopilot for GrpcRemote {
    fn terms(&self) -> BoxFuture<'_, Result<Version, RemoteError>> {
        Box::pin(async move {
            let mut client = self.connect().await?;
            let resp = call(client.terms(ap::TermsRequest {}).await)?;
            Ok(w::version_in(resp.min_required_version))
        })
    }

    fn list_features(&self) -> BoxFuture<'_, Result<BTreeMap<String, RemoteFeature>, RemoteError>> {
        Box::pin(async move {
            let mut client = self.connect().await?;
            let resp = call(client.list_features(ap::ListFeaturesRequest {}).await)?;
            Ok(w::features_in(resp))
        })
    }

    fn register_session(&self, r: Registration) -> BoxFuture<'_, Result<RemoteKey, RemoteError>> {
        Box::pin(async move {
            let mut client = self.connect().await?;
            let resp = call(client.register_session(w::registration_out(r)).await)?;
            Ok(RemoteKey::Sent(resp.initiator_pub_key))
        })
    }

    fn activate_session(&self, key: Vec<u8>) -> BoxFuture<'_, Result<Vec<u8>, RemoteError>> {
        Box::pin(async move {
            let mut client = self.connect().await?;
            let req = ap::ActivateSessionRequest {
                responder_pub_key: key,
            };
            Ok(call(client.activate_session(req).await)?.initiator_pub_key)
        })
    }

    fn revoke_session(&self, key: Vec<u8>) -> BoxFuture<'_, Result<(), RemoteError>> {
        Box::pin(async move {
            let mut client = self.connect().await?;
            let req = ap::RevokeSessionRequest {
                responder_pub_key: key,
            };
            call(client.revoke_session(req).await).map(|_| ())
        })
    }
}

impl std::fmt::Debug for GrpcRemote {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GrpcRemote")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_of_strips_port_and_brackets() {
        assert_eq!(host_of("localhost:10"), "localhost");
        assert_eq!(host_of("[::1]:10"), "::1");
        assert_eq!(host_of("127.0.0.1:1"), "127.0.0.1");
    }

    #[tokio::test]
    async fn unreachable_server_is_unavailable() {
        // Bind then drop: the port is free and refuses connections.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        let remote = GrpcRemote::insecure(format!("127.0.0.1:{port}"));
        let err = remote.list_features().await.expect_err("nobody listens");
        assert_eq!(err.code, Code::Unavailable);
        assert!(
            err.message.starts_with(
                "connection error: desc = \"transport: Error while dialing: dial tcp 127.0.0.1:"
            ),
            "{}",
            err.message
        );
    }
}
