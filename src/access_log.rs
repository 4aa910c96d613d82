//! One log line per call: method, transport (`grpc` or `rest`), result
//! code and latency, at INFO under the target `autopilot_mock::access`
//! (silence it with `RUST_LOG=info,autopilot_mock::access=warn`).
//!
//! Done as a wrapper around every response rather than in the handlers, so
//! calls that never reach a handler (bad macaroon, unknown method, a body
//! too large) are logged too. A gRPC call's code usually arrives in the
//! trailers after the body, so the line is written when the response body
//! ends (or is dropped: a client that hung up), and the latency covers the
//! whole exchange.
//!
//! Only the method name is logged: never metadata, headers, bodies or query
//! strings, which is where macaroons, pairing secrets and keys travel.

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Instant;

use axum::body::{Body, Bytes, HttpBody};
use axum::extract::Request;
use axum::response::Response;
use http_body::Frame;

/// The tracing target of the per-call lines.
pub(crate) const TARGET: &str = "autopilot_mock::access";

/// Longest method or path logged; longer ones are cut (they come from the
/// client).
const MAX_NAME: usize = 128;

pub use crate::rpc::Transport;

/// The name a call is logged under: the gRPC path, or for REST the method
/// the registry routes it to, else `METHOD /path`.
pub(crate) fn method_name(transport: Transport, req: &Request) -> String {
    let path = req.uri().path();
    let name = match transport {
        Transport::Grpc | Transport::GrpcWeb => path.to_string(),
        Transport::Rest => crate::rpc::Rpc::from_rest(req.method(), path)
            .map(|rpc| rpc.full_method().to_string())
            .unwrap_or_else(|| format!("{} {path}", req.method())),
    };
    cut(name)
}

fn cut(mut name: String) -> String {
    if name.len() > MAX_NAME {
        let mut end = MAX_NAME;
        while !name.is_char_boundary(end) {
            end -= 1;
        }
        name.truncate(end);
        name.push('…');
    }
    name
}

/// Wraps `response` so its call is logged when the body ends.
pub(crate) fn observe(
    transport: Transport,
    method: String,
    started: Instant,
    response: Response,
) -> Response {
    let http_status = response.status().as_u16();
    let code = match transport {
        // A trailers-only gRPC response (most errors) has its code here.
        Transport::Grpc => grpc_code(response.headers()),
        Transport::Rest => Some(http_status.to_string()),
        // grpc-web errors are trailers-only; a success carries status 0 in
        // its trailer frame (always, when the answer is 200 without one).
        Transport::GrpcWeb => grpc_code(response.headers())
            .or_else(|| (http_status == 200).then(|| "Ok".to_string()))
            .or_else(|| Some(http_status.to_string())),
    };
    let call = Call {
        transport,
        method,
        started,
        http_status,
        code,
        logged: false,
    };
    response.map(|inner| Body::new(Observed { inner, call }))
}

fn grpc_code(headers: &http::HeaderMap) -> Option<String> {
    let raw = headers
        .get("grpc-status")?
        .to_str()
        .ok()?
        .parse::<i32>()
        .ok()?;
    Some(format!("{:?}", tonic::Code::from_i32(raw)))
}

struct Call {
    transport: Transport,
    method: String,
    started: Instant,
    http_status: u16,
    code: Option<String>,
    logged: bool,
}

impl Call {
    fn log(&mut self, ended: &'static str) {
        if self.logged {
            return;
        }
        self.logged = true;
        let latency_ms = self.started.elapsed().as_secs_f64() * 1_000.0;
        tracing::info!(
            target: TARGET,
            method = %self.method,
            transport = self.transport.as_str(),
            code = self.code.as_deref().unwrap_or("none"),
            http_status = self.http_status,
            latency_ms = (latency_ms * 1_000.0).round() / 1_000.0,
            ended,
            "call"
        );
    }
}

/// A response body that logs its call when it ends.
struct Observed {
    inner: Body,
    call: Call,
}

impl HttpBody for Observed {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.inner).poll_frame(cx);
        match &polled {
            Poll::Ready(Some(Ok(frame))) => {
                if let Some(code) = frame.trailers_ref().and_then(grpc_code) {
                    this.call.code = Some(code);
                }
            }
            Poll::Ready(Some(Err(_))) => this.call.log("error"),
            Poll::Ready(None) => this.call.log("complete"),
            Poll::Pending => {}
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.inner.size_hint()
    }
}

impl Drop for Observed {
    fn drop(&mut self) {
        // Ended without a final poll: fully sent (hyper stops at
        // is_end_stream) or the client went away.
        let how = if self.inner.is_end_stream() {
            "complete"
        } else {
            "dropped"
        };
        self.call.log(how);
    }
}
