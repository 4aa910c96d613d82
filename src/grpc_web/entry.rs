//! The grpc-web entry point: one route per registry method, each reading
//! the body as far as its one frame (binary or text), decoding it with
//! prost, and handing the call to the dispatcher; the reply or the error
//! goes back in litd's grpc-web shapes ([`super::response`]). Any other
//! path is litd's `unknown request` (front-door §1.4).

use std::marker::PhantomData;
use std::sync::Arc;

use axum::body::Body;
use bytes::Bytes;
use http_body_util::BodyExt;

use super::codec::{self, Decoded, Mode, WebContentType};
use super::response;
use crate::domain::Code;
use crate::rpc::{self, Call, Credentials, Dispatcher, Reply, Transport, VisitCalls};

/// The grpc-web routes. Requests reach them only when litd's dispatcher
/// would send them to its grpc-web wrapper (`POST`, content type starting
/// `application/grpc-web`).
pub(crate) fn router(dispatcher: Arc<Dispatcher>, max_message_bytes: usize) -> axum::Router {
    let mut mount = Mount {
        router: axum::Router::new(),
        dispatcher,
        max_message_bytes,
    };
    rpc::visit_all(&mut mount);
    mount.router.fallback(unknown_request)
}

struct Mount {
    router: axum::Router,
    dispatcher: Arc<Dispatcher>,
    max_message_bytes: usize,
}

impl VisitCalls for Mount {
    fn visit<C: Call>(&mut self) {
        let dispatcher = self.dispatcher.clone();
        let max = self.max_message_bytes;
        let handler = move |req: http::Request<Body>| {
            let dispatcher = dispatcher.clone();
            async move { serve::<C>(&dispatcher, req, max).await }
        };
        let router = std::mem::take(&mut self.router);
        self.router = router.route(C::RPC.full_method(), axum::routing::post(handler));
        let _ = PhantomData::<C>;
    }
}

/// A path that is no registry method: litd's interceptor refuses any
/// method missing from its permission table before routing; a path with
/// no `/` after the first is grpc-go's malformed method name.
async fn unknown_request(req: http::Request<Body>) -> http::Response<Body> {
    let Some(content_type) = content_type(&req) else {
        return response::unsupported_media_type(String::new()).map(Body::from);
    };
    let path = req.uri().path().to_string();
    drain(req.into_body()).await;
    let answer = if path.trim_start_matches('/').contains('/') {
        response::trailers_only(&content_type, Code::Unknown as u8, "unknown request")
    } else {
        response::trailers_only(
            &content_type,
            Code::Unimplemented as u8,
            &format!("malformed method name: {path:?}"),
        )
    };
    answer.map(Body::from)
}

fn content_type(req: &http::Request<Body>) -> Option<WebContentType> {
    req.headers()
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| WebContentType::parse(v.as_bytes()))
}

async fn serve<C: Call>(
    dispatcher: &Dispatcher,
    req: http::Request<Body>,
    max: usize,
) -> http::Response<Body> {
    let Some(content_type) = content_type(&req) else {
        return response::unsupported_media_type(String::new()).map(Body::from);
    };
    if let Err(text) = content_type.subtype() {
        drain(req.into_body()).await;
        return response::unsupported_media_type(text).map(Body::from);
    }
    let (parts, body) = req.into_parts();
    let credentials = Credentials::from_headers(&parts.headers, crate::grpc::MACAROON_METADATA);
    let fail = |code: u8, message: &str| {
        response::trailers_only(&content_type, code, message).map(Body::from)
    };
    let payload = match read_frame(body, content_type.mode, max).await {
        Ok(payload) => payload,
        Err(e) => {
            let code = Code::from_i32(i32::from(e.code));
            let e =
                dispatcher.undecodable(Transport::GrpcWeb, C::RPC, &credentials, code, e.message);
            return fail(e.code as u8, &e.message);
        }
    };
    let request = match crate::wire::protobuf_in::decode_request::<C::Request>(&payload) {
        Ok(request) => request,
        Err(text) => {
            // grpc-go's answer (litd's grpc-web wraps its grpc-go server).
            let e = dispatcher.undecodable(
                Transport::GrpcWeb,
                C::RPC,
                &credentials,
                Code::Internal,
                text,
            );
            return fail(e.code as u8, &e.message);
        }
    };
    match dispatcher
        .dispatch::<C>(Transport::GrpcWeb, &credentials, request)
        .await
    {
        Ok(reply) => response::success(&content_type, &reply.go_wire_bytes()).map(Body::from),
        Err(e) => {
            let e = crate::domain::AutopilotError::from(e);
            fail(e.code as u8, &e.message)
        }
    }
}

/// Reads the body until its first frame is complete (or it fails, or the
/// body ends), never holding more than one maximal frame. Decoding is
/// retried as the buffer doubles, so a large body costs linear time.
async fn read_frame(mut body: Body, mode: Mode, max: usize) -> Result<Vec<u8>, codec::FrameError> {
    let cap = codec::body_bytes_needed(mode, max);
    let mut buffer: Vec<u8> = Vec::new();
    let mut next_try = 8usize;
    loop {
        let frame = match body.frame().await {
            None => None,
            Some(Ok(frame)) => Some(frame),
            // The client went away or broke the stream: what grpc-go's
            // reader reports for a body that stops (nobody reads the answer).
            Some(Err(_)) => None,
        };
        let ended = match frame {
            None => true,
            Some(frame) => {
                if let Ok(data) = frame.into_data() {
                    append(&mut buffer, &data, mode, cap);
                }
                false
            }
        };
        if ended || buffer.len() >= next_try || buffer.len() >= cap {
            next_try = buffer.len().saturating_mul(2).max(8);
            // At the cap the body is treated as ended: it holds more than
            // any acceptable first frame needs.
            let at_cap = buffer.len() >= cap;
            let decoded = match codec::decode_request(mode, &buffer, ended || at_cap, max) {
                Decoded::Message(payload) => Ok(payload),
                Decoded::Failed(e) => Err(e),
                Decoded::NeedMore => continue,
            };
            if !ended {
                drain(body).await;
            }
            return decoded;
        }
    }
}

/// Reads what the client still sends after the frame (a unary request's
/// END_STREAM, usually already on its way), so HTTP/2 does not cancel the
/// stream under a client that is still writing; a client that keeps the
/// body open is given up on after a moment.
async fn drain(mut body: Body) {
    const DRAIN_BYTES: usize = 64 * 1024;
    let drained = async {
        let mut seen = 0usize;
        while let Some(Ok(frame)) = body.frame().await {
            seen += frame.data_ref().map_or(0, |d| d.len());
            if seen > DRAIN_BYTES {
                break;
            }
        }
    };
    let _ = tokio::time::timeout(std::time::Duration::from_millis(500), drained).await;
}

/// Appends body bytes up to `cap`; in text mode without the line breaks
/// Go's base64 decoder skips, so the cap counts base64 characters only.
fn append(buffer: &mut Vec<u8>, data: &Bytes, mode: Mode, cap: usize) {
    let room = cap.saturating_sub(buffer.len());
    match mode {
        Mode::Binary => buffer.extend_from_slice(&data[..data.len().min(room)]),
        Mode::Text => buffer.extend(
            data.iter()
                .copied()
                .filter(|&c| c != b'\r' && c != b'\n')
                .take(room),
        ),
    }
}
