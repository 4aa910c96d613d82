//! Serving on a TLS port, shared by the mock, the standalone stub, the
//! recording proxy and the benchmark's ceiling: binding, a certificate of
//! one's own, and the accept loop (hyper auto h1/h2, graceful shutdown).

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio_rustls::TlsAcceptor;

use super::defaults;
use crate::tls;

/// Why a listener with a certificate of its own could not start (the
/// standalone stub, the recording proxy).
#[derive(Debug, thiserror::Error)]
pub enum ListenError {
    /// The certificate or key could not be loaded or generated (e.g. only
    /// one of the two files exists).
    #[error("TLS: {0}")]
    Tls(#[from] tls::TlsError),
    /// A directory (for the certificate, or the output) could not be
    /// created.
    #[error("cannot create {path}: {source}")]
    Dir {
        /// The directory.
        path: std::path::PathBuf,
        /// The operating system's reason.
        source: std::io::Error,
    },
    /// The listen address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// The operating system's reason.
        source: std::io::Error,
    },
}

/// Binds `addr`; the address actually bound comes back with the listener
/// (the real port for `:0`).
pub(crate) async fn bind(addr: SocketAddr) -> Result<(TcpListener, SocketAddr), ListenError> {
    let bind_error = |source| ListenError::Bind { addr, source };
    let listener = TcpListener::bind(addr).await.map_err(bind_error)?;
    let local = listener.local_addr().map_err(bind_error)?;
    Ok((listener, local))
}

/// Creates `dir` (and its parents) if missing.
fn create_dir(dir: &Path) -> Result<(), ListenError> {
    std::fs::create_dir_all(dir).map_err(|source| ListenError::Dir {
        path: dir.to_path_buf(),
        source,
    })
}

/// The certificate at `cert_path` and `key_path`, made (with their
/// directory) when neither exists, as litd makes its own.
pub(crate) fn own_certificate(
    cert_path: &Path,
    key_path: &Path,
) -> Result<tls::TlsFiles, ListenError> {
    if let Some(dir) = cert_path.parent().filter(|d| !d.as_os_str().is_empty()) {
        create_dir(dir)?;
    }
    Ok(tls::load_or_create(cert_path, key_path)?)
}

/// Serves `router` on `listener` over TLS with the mock's connection
/// settings until `shutdown` turns true. Public so the benchmark's ceiling
/// (a bare echo service) runs on exactly the stack the mock runs on.
pub fn spawn_serving(
    listener: TcpListener,
    tls_config: Arc<rustls::ServerConfig>,
    router: axum::Router,
    max_concurrent_streams: u32,
    max_header_list_bytes: u32,
    shutdown: watch::Receiver<bool>,
) -> JoinHandle<()> {
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http2()
        .max_concurrent_streams(max_concurrent_streams)
        .max_header_list_size(max_header_list_bytes);
    builder
        .http1()
        .max_buf_size(max_header_list_bytes as usize + 16 * 1024);
    tokio::spawn(accept_loop(
        listener,
        TlsAcceptor::from(tls_config),
        router,
        builder,
        shutdown,
    ))
}

async fn accept_loop(
    listener: TcpListener,
    acceptor: TlsAcceptor,
    router: axum::Router,
    builder: auto::Builder<TokioExecutor>,
    mut shutdown: watch::Receiver<bool>,
) {
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    loop {
        let (tcp, peer) = tokio::select! {
            _ = shutdown.changed() => break,
            accepted = listener.accept() => match accepted {
                Ok(conn) => conn,
                Err(e) => {
                    // Out of file descriptors and the like: back off, keep serving.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let _ = tcp.set_nodelay(true);
        let acceptor = acceptor.clone();
        let service = TowerToHyperService::new(router.clone());
        let builder = builder.clone();
        let watcher = graceful.watcher();
        let mut stop = shutdown.clone();
        tokio::spawn(async move {
            let handshake = tokio::time::timeout(
                Duration::from_secs(defaults::TLS_HANDSHAKE_TIMEOUT_SECS),
                acceptor.accept(tcp),
            );
            // A connection still shaking hands at shutdown is dropped rather
            // than waited for: it has no call in flight.
            let handshake = tokio::select! {
                r = handshake => r,
                _ = stop.changed() => return,
            };
            let stream = match handshake {
                Ok(Ok(stream)) => stream,
                Ok(Err(e)) => {
                    // Plaintext clients end here: TLS is required, as in litd.
                    tracing::debug!(%peer, error = %e, "TLS handshake failed");
                    return;
                }
                Err(_) => {
                    tracing::debug!(%peer, "TLS handshake timed out");
                    return;
                }
            };
            let conn = builder.serve_connection_with_upgrades(TokioIo::new(stream), service);
            if let Err(e) = watcher.watch(conn.into_owned()).await {
                tracing::debug!(%peer, error = %e, "connection ended with an error");
            }
        });
    }
    drop(listener);
    let grace = Duration::from_secs(defaults::SHUTDOWN_GRACE_SECS);
    if tokio::time::timeout(grace, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("connections still open after the grace period; closing them");
    }
}
