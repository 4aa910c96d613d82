//! grpc-web on the mock's one TLS port, as litd serves it (front-door
//! reference §2): unary calls, binary (`application/grpc-web`, `+proto`) and
//! text (`application/grpc-web-text`), over HTTP/2 and HTTP/1.1.
//!
//! - [`codec`]: recognition, request frames (binary and base64 text) and
//!   response frames, pure and fuzzable;
//! - `response`: litd's response shapes and headers (trailer frame,
//!   trailers-only errors, `Vary: Origin`, `Access-Control-Expose-Headers`);
//! - `entry`: the routes, one per registry method, calling the dispatcher
//!   (the same one gRPC and REST call: same state, auth and observer).
//!
//! The websocket transport (`Sec-Websocket-Protocol: grpc-websockets`) is
//! not served: litd's UI uses it only for lnd's streaming subscriptions.

pub mod codec;
pub(crate) mod entry;
pub(crate) mod response;

pub(crate) use entry::router;
