//! The gRPC entry point: one route per registry method, each decoding with
//! prost (tonic's server machinery, litd's size limit), then handing the
//! call to the dispatcher. No behaviour and no method names live here.

use std::convert::Infallible;
use std::marker::PhantomData;
use std::sync::Arc;

use tonic::{Request, Response, Status};

use crate::domain::{AutopilotError, Code};
use crate::rpc::{self, Call, CallError, Credentials, Dispatcher, Transport, VisitCalls};

mod codec;
pub(crate) mod standard;

/// The metadata key that carries the macaroon.
pub(crate) const MACAROON_METADATA: &str = "macaroon";

/// The gRPC routes: every registry method; any other method (in a served
/// service or not) gets litd's `unknown request` (code Unknown: its
/// interceptor refuses methods missing from its permission table before
/// routing, front-door §1.4). Reflection and health are added by
/// [`standard::add_to`].
pub(crate) fn routes(
    dispatcher: Arc<Dispatcher>,
    max_message_bytes: usize,
) -> tonic::service::Routes {
    let mut routes = tonic::service::Routes::default();
    let router = std::mem::replace(routes.axum_router_mut(), axum::Router::new());
    let mut mount = Mount {
        router,
        dispatcher,
        max_message_bytes,
    };
    rpc::visit_all(&mut mount);
    *routes.axum_router_mut() = mount.router.fallback(unknown_method);
    routes
}

/// Adds one typed route per registry method.
struct Mount {
    router: axum::Router,
    dispatcher: Arc<Dispatcher>,
    max_message_bytes: usize,
}

impl VisitCalls for Mount {
    fn visit<C: Call>(&mut self) {
        let dispatcher = self.dispatcher.clone();
        let max_message_bytes = self.max_message_bytes;
        let handler = tower::service_fn(move |req: http::Request<axum::body::Body>| {
            let method = Method::<C>(dispatcher.clone(), PhantomData);
            async move {
                let codec = codec::GoCodec::<C::Reply, C::Request>::default();
                let mut grpc = tonic::server::Grpc::new(codec)
                    .apply_max_message_size_config(Some(max_message_bytes), Some(usize::MAX));
                Ok::<_, Infallible>(grpc.unary(method, req).await)
            }
        });
        let router = std::mem::take(&mut self.router);
        self.router = router.route_service(C::RPC.full_method(), handler);
    }
}

/// A method not in the registry: litd's `unknown request`, trailers-only.
async fn unknown_method() -> http::Response<axum::body::Body> {
    let mut response = http::Response::new(axum::body::Body::empty());
    let headers = response.headers_mut();
    headers.insert(Status::GRPC_STATUS, (tonic::Code::Unknown as i32).into());
    headers.insert(
        "grpc-message",
        http::HeaderValue::from_static("unknown request"),
    );
    headers.insert(
        http::header::CONTENT_TYPE,
        tonic::metadata::GRPC_CONTENT_TYPE,
    );
    response
}

/// One method as tonic's unary machinery drives it.
struct Method<C>(Arc<Dispatcher>, PhantomData<C>);

impl<C: Call> tonic::server::UnaryService<codec::Decoded<C::Request>> for Method<C> {
    type Response = C::Reply;
    type Future = tonic::codegen::BoxFuture<Response<C::Reply>, Status>;

    fn call(&mut self, request: Request<codec::Decoded<C::Request>>) -> Self::Future {
        let dispatcher = self.0.clone();
        Box::pin(async move {
            let (metadata, _, decoded) = request.into_parts();
            let headers = metadata.into_headers();
            let credentials = Credentials::from_headers(&headers, MACAROON_METADATA);
            let message = match decoded {
                Ok(message) => message,
                // grpc-go's answer, before any auth.
                Err(text) => {
                    return Err(Status::from(dispatcher.undecodable(
                        Transport::Grpc,
                        C::RPC,
                        &credentials,
                        Code::Internal,
                        text,
                    )))
                }
            };
            dispatcher
                .dispatch::<C>(Transport::Grpc, &credentials, message)
                .await
                .map(Response::new)
                .map_err(Status::from)
        })
    }
}

/// tonic answers broken framing before any handler, in a trailers-only
/// response, with texts of its own; litd runs on grpc-go, so its status
/// headers are rewritten to grpc-go's (`rpc_util.go`: `recvMsg`,
/// `checkRecvPayload`):
/// - a request over the receive limit: tonic's `OutOfRange` "Error, decoded
///   message length too large: found N bytes, the limit is: M bytes" is
///   grpc-go's `ResourceExhausted` "grpc: received message larger than max
///   (N vs. M)";
/// - the compressed flag with no `grpc-encoding`: "grpc: compressed flag
///   set with identity or empty encoding" (Internal, as tonic);
/// - a flag other than 0 and 1: "grpc: received unexpected payload format
///   F" (Internal).
pub(crate) fn status_as_grpc_go(headers: &mut http::HeaderMap) {
    let Some(status) = Status::from_header_map(headers) else {
        return;
    };
    let Some(litd) = grpc_go_status(&status) else {
        return;
    };
    for name in ["grpc-status", "grpc-message", "grpc-status-details-bin"] {
        headers.remove(name);
    }
    // Only fails for a message that cannot be a header value; these can.
    let _ = litd.add_header(headers);
}

/// grpc-go's status for one of tonic's framing statuses, if it differs.
fn grpc_go_status(status: &Status) -> Option<Status> {
    const TOO_LARGE: &str = "Error, decoded message length too large: found ";
    const NO_ENCODING: &str =
        "protocol error: received message with compressed-flag but no grpc-encoding was specified";
    const BAD_FLAG: &str = "protocol error: received message with invalid compression flag: ";
    let message = status.message();
    let numbers = |text: &str| -> Vec<String> {
        text.split(|c: char| !c.is_ascii_digit())
            .filter(|n| !n.is_empty())
            .map(str::to_string)
            .collect()
    };
    match status.code() {
        tonic::Code::OutOfRange if message.starts_with(TOO_LARGE) => {
            let [found, limit] = &numbers(&message[TOO_LARGE.len()..])[..] else {
                return None;
            };
            Some(Status::resource_exhausted(format!(
                "grpc: received message larger than max ({found} vs. {limit})"
            )))
        }
        tonic::Code::Internal if message == NO_ENCODING => Some(Status::internal(
            "grpc: compressed flag set with identity or empty encoding",
        )),
        tonic::Code::Internal if message.starts_with(BAD_FLAG) => {
            let flag = numbers(&message[BAD_FLAG.len()..]).into_iter().next()?;
            Some(Status::internal(format!(
                "grpc: received unexpected payload format {flag}"
            )))
        }
        _ => None,
    }
}

/// Domain errors keep their code: Unknown for litd's plain errors, the
/// remote code for ListFeatures failures.
impl From<AutopilotError> for Status {
    fn from(e: AutopilotError) -> Self {
        Status::new(tonic::Code::from_i32(e.code as i32), e.message)
    }
}

/// A rejected credential is litd's Unknown with lnd's text.
impl From<CallError> for Status {
    fn from(e: CallError) -> Self {
        Status::from(AutopilotError::from(e))
    }
}
