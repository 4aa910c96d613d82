//! # autopilot-mock
//!
//! A faithful in-memory test double of Lightning Terminal's (`litd`)
//! `litrpc.Autopilot` service, with the remote autopilot server it registers
//! sessions with, for testing litd clients without lnd, litd or Lightning
//! Labs' servers.
//!
//! ## Layout
//! Data flows one way: transport -> auth -> domain -> remote.
//! - [`domain`]: litd's semantics (sessions, rules, privacy, validation
//!   order, error texts) with no transport and no I/O.
//! - [`remote`]: implementations of the domain's remote-server seam.
//! - [`auth`]: macaroons, checked on every call by every transport.
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

pub mod access_log;
pub mod admin;
pub mod auth;
pub mod bench;
pub mod client;
pub mod domain;
pub mod fuzz;
pub mod grpc;
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
