//! Scenario files and the conformance harness.
//!
//! - [`model`]: the file format (and `scenarios/schema.json` for editors),
//! - `matcher`: matcher trees, captures, `${...}` substitution,
//! - [`target`]: a server under test over gRPC or REST, answers in one form,
//! - [`admin`]: the mock's admin API (reset, stub script, clock, journal),
//! - `validate`: what is checked when a file is loaded (matchers, request fields),
//! - [`runner`]: runs a scenario against a server and judges each step,
//! - [`client_mode`]: judges a client against a scenario (`serve --scenario`),
//! - [`probe`]: whether a run can be judged at all (connection, TLS, macaroon),
//! - [`shipped`]: the scenarios built into the binary,
//! - [`report`]: text, JUnit XML and JSON reports.

pub mod admin;
mod calls;
pub mod client_mode;
pub(crate) mod matcher;
pub mod model;
pub mod probe;
pub mod report;
pub mod runner;
pub mod shipped;
pub mod target;
pub(crate) mod validate;

pub use model::{Scenario, Transport};
