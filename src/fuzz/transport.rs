//! Sends a [`Case`] to a server over TLS (HTTP/2, the certificate pinned as
//! litd's must be) and classifies what comes back. Raw hyper, not tonic: the
//! body is sent byte for byte, so broken framing reaches the server as is.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http2::SendRequest;
use hyper_util::rt::{TokioExecutor, TokioIo};
use serde::{Deserialize, Serialize};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

use super::case::{Case, Transport};
use crate::rest::MACAROON_HEADER;
use crate::tls::{self, TlsError};

/// Prefix of a [`Outcome::Reset`] detail when no connection could be made.
pub(crate) const CONNECT_FAILED: &str = "connect: ";

/// What a server did with one input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Outcome {
    /// gRPC status OK, or HTTP 2xx.
    Ok,
    /// A status a client can act on: gRPC `grpc-status`, REST's JSON error
    /// `code`, or (for a bare HTTP-level refusal) the HTTP status.
    Error {
        /// The gRPC code (or the HTTP status for a bare refusal).
        code: i32,
        /// The HTTP status of the answer.
        http_status: u16,
        /// The error's text.
        message: String,
    },
    /// The stream or connection was reset: typically a panic in the server.
    Reset {
        /// What the client saw (`connect: ...` when no connection was made).
        detail: String,
    },
    /// No answer within the time limit.
    Timeout,
    /// An answer without a status: gRPC without `grpc-status`, REST 5xx
    /// without a JSON error, or 2xx with a body that is not JSON.
    NoStatus {
        /// The HTTP status of the answer.
        http_status: u16,
        /// What was missing or unreadable.
        detail: String,
    },
    /// Not sent: the HTTP client refused the request locally (invalid URI
    /// or header). Neither an execution nor an anomaly.
    Skipped {
        /// The client's reason.
        detail: String,
    },
}

impl Outcome {
    /// A server fault worth a reproducer: a reset, a timeout or an answer
    /// without a status. Errors, however unusual, are answers.
    pub fn is_anomaly(&self) -> bool {
        matches!(
            self,
            Outcome::Reset { .. } | Outcome::Timeout | Outcome::NoStatus { .. }
        )
    }

    /// The key this outcome is counted under in the summary.
    pub(crate) fn bucket(&self) -> String {
        match self {
            Outcome::Ok => "ok".into(),
            Outcome::Error { code, .. } => format!("error:{}", code_name(*code)),
            Outcome::Reset { .. } => "reset".into(),
            Outcome::Timeout => "timeout".into(),
            Outcome::NoStatus { .. } => "no_status".into(),
            Outcome::Skipped { .. } => "skipped".into(),
        }
    }
}

/// gRPC code names; HTTP-only refusals keep `http-<status>`.
pub(crate) fn code_name(code: i32) -> String {
    match crate::domain::Code::known(code) {
        Some(c) => c.snake_name(),
        None if code >= 100 => format!("http-{code}"),
        None => format!("code-{code}"),
    }
}

/// Where and how to reach the server under test.
#[derive(Clone)]
pub struct Target {
    pub(crate) addr: SocketAddr,
    pub(crate) tls: Arc<rustls::ClientConfig>,
    pub(crate) macaroon_hex: String,
    pub(crate) timeout: Duration,
}

/// A whole answer: status, headers and body (trailers are in the outcome).
#[derive(Debug, Clone)]
pub(crate) struct RawAnswer {
    pub(crate) status: u16,
    pub(crate) headers: http::HeaderMap,
    pub(crate) body: Bytes,
}

/// An open HTTP/2 connection.
pub struct Conn {
    send: SendRequest<Full<Bytes>>,
}

impl Target {
    /// The server at `addr`, trusting `cert_pem`; `macaroon_hex` is what
    /// [`MacaroonUse::Valid`](super::MacaroonUse::Valid) sends; each input
    /// waits at most `timeout` for its answer.
    pub fn new(
        addr: SocketAddr,
        cert_pem: &str,
        macaroon_hex: String,
        timeout: Duration,
    ) -> Result<Target, TlsError> {
        Ok(Target {
            addr,
            tls: tls::client_config(cert_pem)?,
            macaroon_hex,
            timeout,
        })
    }

    pub(crate) async fn connect(&self) -> std::io::Result<Conn> {
        let work = async {
            let tcp = TcpStream::connect(self.addr).await?;
            tcp.set_nodelay(true)?;
            let name = rustls::pki_types::ServerName::try_from("localhost")
                .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
            let stream = TlsConnector::from(self.tls.clone())
                .connect(name, tcp)
                .await?;
            let (send, conn) = hyper::client::conn::http2::Builder::new(TokioExecutor::new())
                .max_header_list_size(1 << 20)
                .handshake(TokioIo::new(stream))
                .await
                .map_err(std::io::Error::other)?;
            tokio::spawn(async move {
                let _ = conn.await;
            });
            Ok(Conn { send })
        };
        tokio::time::timeout(self.timeout, work)
            .await
            .map_err(|_| std::io::Error::new(std::io::ErrorKind::TimedOut, "connect timed out"))?
    }

    fn request(&self, case: &Case) -> Result<http::Request<Full<Bytes>>, String> {
        let uri = format!("https://localhost:{}{}", self.addr.port(), case.path);
        let mut builder = http::Request::builder()
            .method(case.method.as_str())
            .uri(uri);
        for (name, value) in &case.headers {
            builder = builder.header(name.as_str(), value.as_str());
        }
        let header = match case.transport {
            Transport::Grpc | Transport::GrpcWeb => "macaroon",
            Transport::Rest => MACAROON_HEADER,
        };
        for value in case.macaroon_values(&self.macaroon_hex) {
            builder = builder.header(header, value);
        }
        builder
            .body(Full::new(Bytes::from(case.body())))
            .map_err(|e| e.to_string())
    }

    /// Sends `case` on `conn` (opened first if `None`; dropped after a reset
    /// so the next case gets a fresh connection).
    pub async fn send(&self, conn: &mut Option<Conn>, case: &Case) -> Outcome {
        self.send_answer(conn, case).await.0
    }

    /// [`Self::send`], also returning the answer itself when there was one
    /// (`diff` compares the bodies of two servers' answers).
    pub(crate) async fn send_answer(
        &self,
        conn: &mut Option<Conn>,
        case: &Case,
    ) -> (Outcome, Option<RawAnswer>) {
        let request = match self.request(case) {
            Ok(r) => r,
            Err(detail) => return (Outcome::Skipped { detail }, None),
        };
        // A connection the server closed after an earlier call (GOAWAY, idle)
        // is replaced once, so that close is not blamed on this input.
        for _ in 0..2 {
            if conn.is_none() {
                match self.connect().await {
                    Ok(c) => *conn = Some(c),
                    Err(e) => {
                        let detail = format!("{CONNECT_FAILED}{e}");
                        return (Outcome::Reset { detail }, None);
                    }
                }
            }
            let ready = match conn.as_mut() {
                Some(c) => tokio::time::timeout(self.timeout, c.send.ready()).await,
                None => continue,
            };
            if matches!(ready, Ok(Ok(()))) {
                break;
            }
            *conn = None;
        }
        let Some(c) = conn.as_mut() else {
            let detail = format!("{CONNECT_FAILED}connection not ready");
            return (Outcome::Reset { detail }, None);
        };
        let exchange = async {
            let response = c.send.send_request(request).await?;
            let (parts, body) = response.into_parts();
            let collected = body.collect().await?;
            let trailers = collected.trailers().cloned();
            Ok::<_, hyper::Error>((parts, trailers, collected.to_bytes()))
        };
        let (outcome, answer) = match tokio::time::timeout(self.timeout, exchange).await {
            Err(_) => (Outcome::Timeout, None),
            Ok(Err(e)) if is_local_refusal(&e) => (
                Outcome::Skipped {
                    detail: e.to_string(),
                },
                None,
            ),
            Ok(Err(e)) => (
                Outcome::Reset {
                    detail: error_chain(&e),
                },
                None,
            ),
            Ok(Ok((parts, trailers, body))) => {
                let outcome = match case.transport {
                    Transport::Grpc => classify_grpc(&parts, trailers.as_ref()),
                    Transport::Rest => classify_rest(&case.method, parts.status.as_u16(), &body),
                    Transport::GrpcWeb => classify_grpc_web(&parts, &body),
                };
                let answer = RawAnswer {
                    status: parts.status.as_u16(),
                    headers: parts.headers,
                    body,
                };
                (outcome, Some(answer))
            }
        };
        if matches!(outcome, Outcome::Reset { .. } | Outcome::Timeout) {
            *conn = None;
        }
        (outcome, answer)
    }
}

/// hyper refuses some requests before anything is sent (e.g. a header list
/// over the server's advertised limit); those say nothing about the server.
fn is_local_refusal(e: &hyper::Error) -> bool {
    error_chain(e).contains("user error")
}

fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

/// `grpc-status` from trailers, or from the headers of a trailers-only answer.
pub(crate) fn classify_grpc(
    parts: &http::response::Parts,
    trailers: Option<&http::HeaderMap>,
) -> Outcome {
    let status_code = parts.status.as_u16();
    let from = |h: &http::HeaderMap| {
        h.get("grpc-status")
            .map(|s| (s.clone(), h.get("grpc-message").cloned()))
    };
    let found = trailers.and_then(from).or_else(|| from(&parts.headers));
    match found {
        Some((status, message)) => match status.to_str().ok().and_then(|s| s.parse::<i32>().ok()) {
            Some(0) => Outcome::Ok,
            Some(code) => Outcome::Error {
                code,
                http_status: status_code,
                // grpc-message is percent-encoded on the wire.
                message: message
                    .map(|m| {
                        let raw = String::from_utf8_lossy(m.as_bytes()).into_owned();
                        String::from_utf8_lossy(&crate::rest::percent_decode(&raw)).into_owned()
                    })
                    .unwrap_or_default(),
            },
            None => Outcome::NoStatus {
                http_status: status_code,
                detail: format!("unparsable grpc-status {status:?}"),
            },
        },
        // An HTTP-level refusal of a malformed request (431, 400) is clear.
        None if (400..500).contains(&status_code) => Outcome::Error {
            code: i32::from(status_code),
            http_status: status_code,
            message: String::new(),
        },
        None => Outcome::NoStatus {
            http_status: status_code,
            detail: "no grpc-status".into(),
        },
    }
}

/// grpc-web: the status of a trailers-only answer is in the headers, else
/// in the trailer frame at the end of the body (base64 in text mode).
pub(crate) fn classify_grpc_web(parts: &http::response::Parts, body: &[u8]) -> Outcome {
    if parts.headers.contains_key("grpc-status") || parts.status != http::StatusCode::OK {
        return classify_grpc(parts, None);
    }
    let text_mode = parts
        .headers
        .get(http::header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/grpc-web-text"));
    let decoded;
    let bytes = if text_mode {
        decoded = crate::grpc_web::codec::decode_text_response(body);
        decoded.as_slice()
    } else {
        body
    };
    let mut trailers = http::HeaderMap::new();
    if let Some(at) = find(bytes, b"grpc-status: ") {
        let code: String = bytes[at + 13..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .map(|&b| b as char)
            .collect();
        if let Ok(v) = http::HeaderValue::from_str(&code) {
            trailers.insert("grpc-status", v);
        }
    }
    if trailers.is_empty() {
        return Outcome::NoStatus {
            http_status: 200,
            detail: "a grpc-web body without a trailer frame".into(),
        };
    }
    classify_grpc(parts, Some(&trailers))
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// grpc-gateway answers JSON: `{"code":N,"message":...}` for errors.
pub(crate) fn classify_rest(method: &str, status: u16, body: &[u8]) -> Outcome {
    // A HEAD answer never has a body: its status is all there is.
    if method.eq_ignore_ascii_case("HEAD") {
        return match status {
            200..=299 => Outcome::Ok,
            _ => Outcome::Error {
                code: i32::from(status),
                http_status: status,
                message: String::new(),
            },
        };
    }
    let json: Option<serde_json::Value> = serde_json::from_slice(body).ok();
    if (200..300).contains(&status) {
        // HEAD and OPTIONS answers may have no body.
        return if body.is_empty() || json.is_some() {
            Outcome::Ok
        } else {
            Outcome::NoStatus {
                http_status: status,
                detail: "2xx body is not JSON".into(),
            }
        };
    }
    let code = json
        .as_ref()
        .and_then(|j| j.get("code"))
        .and_then(serde_json::Value::as_i64);
    let message = json
        .as_ref()
        .and_then(|j| j.get("message"))
        .and_then(serde_json::Value::as_str)
        .unwrap_or_default()
        .to_string();
    match code {
        Some(code) => Outcome::Error {
            code: i32::try_from(code).unwrap_or(i32::MAX),
            http_status: status,
            message,
        },
        None if (400..500).contains(&status) => Outcome::Error {
            code: i32::from(status),
            http_status: status,
            message: String::from_utf8_lossy(&body[..body.len().min(200)]).into_owned(),
        },
        None => Outcome::NoStatus {
            http_status: status,
            detail: String::from_utf8_lossy(&body[..body.len().min(200)]).into_owned(),
        },
    }
}

#[cfg(test)]
#[path = "transport_tests.rs"]
mod tests;
