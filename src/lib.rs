//! # autopilot-mock
//!
//! A faithful in-memory test double of Lightning Terminal's (`litd`)
//! `litrpc.Autopilot` service, with the remote autopilot server it registers
//! sessions with, for testing litd clients without lnd, litd or Lightning
//! Labs' servers.
//!
//! ## Getting started: [`MockServer`] in a test
//!
//! Add the crate and tokio as dev-dependencies
//! (`autopilot-mock = { path = "..." }`, `tokio = { version = "1", features = ["macros", "rt-multi-thread"] }`),
//! start a [`MockServer`], and point your client at it: it listens on
//! `127.0.0.1:<free port>` with TLS and a real macaroon in a temporary lit
//! dir, and stops (removing the dir) when dropped.
//!
//! ```
//! use autopilot_mock::proto::litrpc::ListAutopilotFeaturesRequest;
//!
//! # #[tokio::main(flavor = "multi_thread")]
//! # async fn main() {
//! let server = autopilot_mock::MockServer::start().await;
//! // A tonic client with the certificate pinned and the macaroon attached...
//! let mut client = server.client().await.expect("client");
//! let features = client
//!     .list_autopilot_features(ListAutopilotFeaturesRequest {})
//!     .await
//!     .expect("ListAutopilotFeatures")
//!     .into_inner()
//!     .features;
//! assert!(features.contains_key("HealthCheck"));
//! // ...or hand your own client these:
//! let (_addr, _pem, _macaroon_hex) = (server.addr(), server.tls_cert_pem(), server.macaroon_hex());
//! // The clock is the server's: move it and expiries apply.
//! server.advance(std::time::Duration::from_secs(3600));
//! assert_eq!(server.session_count(), 0);
//! server.shutdown().await;
//! # }
//! ```
//!
//! [`MockServer::builder`] sets the feature catalogue, the stub script, the
//! clock, the lit dir, the seed and the rest of [`server::ServerConfig`].
//! The `autopilot-mock` binary serves the same mock as a process (`serve`),
//! checks any server against scenario files (`check`), and judges a client
//! (`serve --scenario`); see the README.
//!
//! ## Layout
//! Data flows one way: transport -> auth -> domain -> remote.
//! - [`domain`]: litd's semantics (sessions, rules, privacy, validation
//!   order, error texts) with no transport and no I/O.
//! - [`remote`]: implementations of the domain's remote-server seam.
//! - [`auth`]: macaroons, checked on every call by every transport.
//! - [`gocompat`]: Go's standard-library texts and rules (fmt, hex, time,
//!   encoding/json), shared by every layer.
//! - [`tls`], [`litdir`]: credentials, laid out on disk like a lit dir.
//! - [`wire`]: prost messages <-> domain types; [`grpc`]: the tonic service;
//!   [`rest`]: litd's REST gateway (grpc-gateway JSON) on the same port.
//! - [`server`]: the TLS listener that serves it all on one port;
//!   [`client`]: a tonic channel that trusts the mock's certificate.
//! - [`proto`]: generated code.
//! - [`stub`]: the scriptable remote autopilot server (in process and
//!   standalone), its journal and the admin HTTP API.
//! - [`MockServer`]: the whole mock inside a test, like the wiremock crate;
//!   [`persist`]: the optional state file; [`access_log`]: one line per call.

#![warn(missing_docs)]

pub mod access_log;
pub mod admin;
pub mod auth;
pub mod bench;
pub mod client;
pub mod console;
pub(crate) mod control;
pub mod differential;
pub mod domain;
pub mod front_door;
pub mod fuzz;
pub mod gocompat;
pub mod grpc;
pub mod grpc_web;
pub mod litdir;
pub mod mock_server;
pub mod persist;
pub mod proto;
pub mod remote;
pub mod rest;
pub mod rpc;
pub mod scenario;
pub mod server;
pub mod stub;
pub mod tls;
pub mod wire;

pub use mock_server::{MockServer, MockServerBuilder, MockServerError};
