//! A tonic channel to the mock (or to litd) over TLS, trusting exactly the
//! server's `tls.cert`.
//!
//! litd's certificate is self-signed and marked as a CA; Go, OpenSSL and
//! grpc-js accept it as a server certificate, rustls' WebPKI verifier does
//! not. So the channel pins the certificate instead ([`crate::tls::client_config`]).

use std::net::SocketAddr;
use std::sync::Arc;

use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tonic::transport::{Channel, Endpoint};

use crate::tls::{self, TlsError};

/// Why a channel could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    /// `cert_pem` is not a usable PEM certificate.
    #[error("TLS: {0}")]
    Tls(#[from] TlsError),
    /// The TCP connection or the TLS and HTTP/2 handshakes failed (server
    /// down, or a certificate other than the pinned one).
    #[error("connecting to {addr}: {source}")]
    Transport {
        /// The address dialled.
        addr: SocketAddr,
        /// tonic's error.
        source: tonic::transport::Error,
    },
}

/// Connects to `addr`, trusting only `cert_pem`. The TLS server name is
/// `localhost`, which litd's certificate always carries.
pub async fn connect(addr: SocketAddr, cert_pem: &str) -> Result<Channel, ConnectError> {
    let (endpoint, connector) = endpoint(addr, cert_pem)?;
    endpoint
        .connect_with_connector(connector)
        .await
        .map_err(|source| ConnectError::Transport { addr, source })
}

/// A channel that connects on first use.
pub(crate) fn connect_lazy(addr: SocketAddr, cert_pem: &str) -> Result<Channel, ConnectError> {
    let (endpoint, connector) = endpoint(addr, cert_pem)?;
    Ok(endpoint.connect_with_connector_lazy(connector))
}

type Connector = tower::util::BoxCloneSyncService<
    http::Uri,
    TokioIo<tokio_rustls::client::TlsStream<TcpStream>>,
    std::io::Error,
>;

fn endpoint(addr: SocketAddr, cert_pem: &str) -> Result<(Endpoint, Connector), ConnectError> {
    let config = tls::client_config(cert_pem)?;
    let connector = TlsConnector::from(Arc::clone(&config));
    let service = tower::service_fn(move |_uri: http::Uri| {
        let connector = connector.clone();
        async move {
            let tcp = TcpStream::connect(addr).await?;
            tcp.set_nodelay(true)?;
            let name = rustls::pki_types::ServerName::try_from("localhost")
                .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
            let tls = connector.connect(name, tcp).await?;
            Ok::<_, std::io::Error>(TokioIo::new(tls))
        }
    });
    // The scheme is http because TLS happens in the connector above.
    let endpoint = Endpoint::from_shared(format!("http://{addr}"))
        .map_err(|source| ConnectError::Transport { addr, source })?;
    Ok((endpoint, tower::util::BoxCloneSyncService::new(service)))
}

/// Sends the macaroon (hex) in the `macaroon` metadata key of every call,
/// as litd expects. Use with `AutopilotClient::with_interceptor`.
#[derive(Clone)]
pub struct MacaroonInterceptor {
    value: tonic::metadata::AsciiMetadataValue,
}

impl MacaroonInterceptor {
    /// From the raw macaroon bytes (as in `lit.macaroon`).
    pub fn new(macaroon: &[u8]) -> Self {
        Self::from_hex(&hex::encode(macaroon))
    }

    /// From the macaroon's hex. Hex is always a valid metadata value.
    fn from_hex(hex: &str) -> Self {
        let value = hex
            .parse()
            .unwrap_or_else(|_| tonic::metadata::AsciiMetadataValue::from_static(""));
        Self { value }
    }
}

impl std::fmt::Debug for MacaroonInterceptor {
    // The macaroon is a credential: never printed.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MacaroonInterceptor(..)")
    }
}

impl tonic::service::Interceptor for MacaroonInterceptor {
    fn call(&mut self, mut req: tonic::Request<()>) -> Result<tonic::Request<()>, tonic::Status> {
        req.metadata_mut().insert("macaroon", self.value.clone());
        Ok(req)
    }
}

/// A `litrpc.Autopilot` client sending the macaroon on every call.
pub type AuthedAutopilotClient = crate::proto::litrpc::autopilot_client::AutopilotClient<
    tonic::service::interceptor::InterceptedService<Channel, MacaroonInterceptor>,
>;
