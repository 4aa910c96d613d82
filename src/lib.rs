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

pub mod auth;
pub mod client;
pub mod domain;
pub mod grpc;
pub mod litdir;
pub mod proto;
pub mod remote;
pub mod rest;
pub mod server;
pub mod tls;
pub mod wire;
