//! `autopilot-mock record`'s proxy: serves its own TLS certificate (made as
//! litd's, like `serve`'s), forwards every request unchanged (the client's
//! credentials included) to the upstream server over TLS and HTTP/2, sends
//! the answer back unchanged (trailers included), and hands each exchange
//! to the `Recorder`.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use http_body_util::{BodyExt, Full, StreamBody};
use hyper::body::Frame;
use hyper::client::conn::http2::SendRequest;
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::exchange::Exchange;
use super::recorder::Recorder;
use crate::tls;

/// Largest request body forwarded (gRPC's usual limit, with room).
const MAX_BODY_BYTES: usize = 64 << 20;

/// Headers that belong to one connection, never forwarded.
const HOP_BY_HOP: &[&str] = &[
    "connection",
    "keep-alive",
    "proxy-connection",
    "transfer-encoding",
    "upgrade",
    "host",
];

/// A recording proxy (`autopilot-mock record`): clients call `listen`, the
/// proxy forwards to the upstream litd (or mock) and writes each exchange
/// into scenario files under `out`.
pub struct RecordConfig {
    /// Where the proxy listens (TLS, its own certificate).
    pub listen: SocketAddr,
    /// `HOST:PORT` as given (shown in the scenarios).
    pub upstream: String,
    /// The upstream's resolved address.
    pub upstream_addr: SocketAddr,
    /// The upstream's certificate, pinned, as PEM.
    pub upstream_cert_pem: String,
    /// The directory the recorded scenario files go to.
    pub out: PathBuf,
    /// Where the proxy's own `tls.cert` and `tls.key` live (made if missing).
    pub tls_dir: PathBuf,
}

/// Why the recording proxy could not start: its certificate, a directory
/// (`out`, `tls_dir`), the upstream's certificate, or the listen address.
pub type RecordError = crate::server::ListenError;

/// A running recording proxy.
pub struct RunningRecorder {
    /// The address actually bound.
    pub local_addr: SocketAddr,
    pub(crate) tls_cert: PathBuf,
    pub(crate) tls_key: PathBuf,
    /// What has been recorded so far (the files written, open scenario).
    pub recorder: Arc<Mutex<Recorder>>,
    shutdown: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl RunningRecorder {
    /// The JSON ready line, in `serve`'s shape (`listen`, `tls_cert`, ...).
    pub fn ready_line(&self, out: &std::path::Path, upstream: &str) -> serde_json::Value {
        serde_json::json!({
            "listen": self.local_addr.to_string(),
            "tls_cert": self.tls_cert,
            "tls_key": self.tls_key,
            "upstream": upstream,
            "out": out,
            "pid": std::process::id(),
        })
    }

    /// Stops accepting, lets in-flight exchanges finish, then returns.
    pub async fn shutdown(self) {
        let _ = self.shutdown.send(true);
        let _ = self.task.await;
    }
}

/// Binds and serves in the background.
pub async fn start(config: RecordConfig) -> Result<RunningRecorder, RecordError> {
    let files = crate::server::own_certificate(
        &config.tls_dir.join("tls.cert"),
        &config.tls_dir.join("tls.key"),
    )?;
    let server_tls = tls::server_config(&files)?;
    let mut client_tls = (*tls::client_config(&config.upstream_cert_pem)?).clone();
    client_tls.alpn_protocols = vec![b"h2".to_vec()];
    let recorder =
        Recorder::new(&config.out, &config.upstream).map_err(|source| RecordError::Dir {
            path: config.out.clone(),
            source,
        })?;
    let recorder = Arc::new(Mutex::new(recorder));
    let proxy = Arc::new(Proxy {
        upstream: config.upstream_addr,
        tls: Arc::new(client_tls),
        conn: tokio::sync::Mutex::new(None),
        recorder: Arc::clone(&recorder),
    });
    let router = axum::Router::new().fallback(forward).with_state(proxy);
    let (listener, local_addr) = crate::server::bind(config.listen).await?;
    let (shutdown, rx) = watch::channel(false);
    let task = crate::server::spawn_serving(listener, server_tls, router, 256, 1 << 16, rx);
    Ok(RunningRecorder {
        local_addr,
        tls_cert: files.cert_path,
        tls_key: files.key_path,
        recorder,
        shutdown,
        task,
    })
}

struct Proxy {
    upstream: SocketAddr,
    tls: Arc<rustls::ClientConfig>,
    /// One HTTP/2 connection to the upstream, shared by every exchange.
    conn: tokio::sync::Mutex<Option<SendRequest<Full<Bytes>>>>,
    recorder: Arc<Mutex<Recorder>>,
}

impl Proxy {
    async fn connect(&self) -> Result<SendRequest<Full<Bytes>>, String> {
        let tcp = tokio::net::TcpStream::connect(self.upstream)
            .await
            .map_err(|e| format!("cannot connect to the upstream {}: {e}", self.upstream))?;
        let _ = tcp.set_nodelay(true);
        let name =
            rustls::pki_types::ServerName::try_from("localhost").map_err(|e| e.to_string())?;
        let stream = tokio_rustls::TlsConnector::from(Arc::clone(&self.tls))
            .connect(name, tcp)
            .await
            .map_err(|e| format!("TLS with the upstream {}: {e}", self.upstream))?;
        let (send, conn) = hyper::client::conn::http2::Builder::new(TokioExecutor::new())
            .max_header_list_size(1 << 20)
            .handshake(TokioIo::new(stream))
            .await
            .map_err(|e| format!("HTTP/2 with the upstream {}: {e}", self.upstream))?;
        tokio::spawn(async move {
            let _ = conn.await;
        });
        Ok(send)
    }

    /// A ready sender on the shared connection (made, or made again).
    async fn sender(&self, fresh: bool) -> Result<SendRequest<Full<Bytes>>, String> {
        let mut conn = self.conn.lock().await;
        if fresh || conn.as_ref().is_none_or(SendRequest::is_closed) {
            *conn = Some(self.connect().await?);
        }
        conn.clone()
            .ok_or_else(|| "no upstream connection".to_string())
    }

    async fn send(
        &self,
        request: &http::Request<Full<Bytes>>,
    ) -> Result<http::Response<hyper::body::Incoming>, String> {
        let mut last = String::new();
        // A connection the upstream closed meanwhile is made again once.
        for fresh in [false, true] {
            let mut sender = self.sender(fresh).await?;
            if sender.ready().await.is_err() {
                continue;
            }
            match sender.send_request(clone_request(request)).await {
                Ok(r) => return Ok(r),
                Err(e) if e.is_canceled() || e.is_closed() => last = e.to_string(),
                Err(e) => return Err(format!("the upstream: {e}")),
            }
        }
        Err(format!("the upstream closed the connection: {last}"))
    }
}

fn clone_request(r: &http::Request<Full<Bytes>>) -> http::Request<Full<Bytes>> {
    let mut out = http::Request::new(r.body().clone());
    *out.method_mut() = r.method().clone();
    *out.uri_mut() = r.uri().clone();
    *out.headers_mut() = r.headers().clone();
    out
}

fn forwardable(headers: &http::HeaderMap) -> http::HeaderMap {
    let mut out = headers.clone();
    for name in HOP_BY_HOP {
        out.remove(*name);
    }
    // HTTP/2 allows `te` only as `trailers` (gRPC's); an HTTP/1 client's
    // other values stay behind.
    if out.get("te").is_some_and(|v| v.as_bytes() != b"trailers") {
        out.remove("te");
    }
    out
}

/// A plain-text answer from the proxy itself (the upstream is unreachable).
fn proxy_error(status: http::StatusCode, message: String) -> Response {
    tracing::warn!("{message}");
    (status, message).into_response()
}

async fn forward(State(proxy): State<Arc<Proxy>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let body = match axum::body::to_bytes(body, MAX_BODY_BYTES).await {
        Ok(b) => b,
        Err(e) => return proxy_error(http::StatusCode::PAYLOAD_TOO_LARGE, e.to_string()),
    };
    let path = parts
        .uri
        .path_and_query()
        .map_or_else(|| parts.uri.path().to_string(), |p| p.as_str().to_string());
    let uri = format!("https://localhost:{}{path}", proxy.upstream.port());
    let mut upstream_request = http::Request::new(Full::new(body.clone()));
    *upstream_request.method_mut() = parts.method.clone();
    *upstream_request.headers_mut() = forwardable(&parts.headers);
    match uri.parse() {
        Ok(u) => *upstream_request.uri_mut() = u,
        Err(e) => {
            return proxy_error(
                http::StatusCode::BAD_REQUEST,
                format!("bad path {path:?}: {e}"),
            )
        }
    }
    let response = match proxy.send(&upstream_request).await {
        Ok(r) => r,
        Err(e) => return proxy_error(http::StatusCode::BAD_GATEWAY, e),
    };
    let (resp_parts, resp_body) = response.into_parts();
    let collected = match resp_body.collect().await {
        Ok(c) => c,
        Err(e) => {
            return proxy_error(
                http::StatusCode::BAD_GATEWAY,
                format!("the upstream's answer: {e}"),
            )
        }
    };
    let trailers = collected.trailers().cloned();
    let data = collected.to_bytes();
    let exchange = Exchange {
        method: parts.method,
        path,
        request_headers: parts.headers,
        request_body: body,
        status: resp_parts.status.as_u16(),
        response_headers: resp_parts.headers.clone(),
        response_body: data.clone(),
        trailers: trailers.clone(),
    };
    match proxy.recorder.lock() {
        Ok(mut recorder) => {
            if let Err(e) = recorder.record(&exchange) {
                tracing::warn!("{e}");
            }
        }
        Err(_) => tracing::warn!("the recorder failed earlier; this exchange is not recorded"),
    }
    let mut frames: Vec<Result<Frame<Bytes>, Infallible>> = vec![Ok(Frame::data(data))];
    if let Some(t) = trailers {
        frames.push(Ok(Frame::trailers(t)));
    }
    let mut out = Response::new(Body::new(StreamBody::new(futures_util::stream::iter(
        frames,
    ))));
    *out.status_mut() = resp_parts.status;
    *out.headers_mut() = forwardable(&resp_parts.headers);
    out
}
