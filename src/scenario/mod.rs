//! Scenario files and the conformance harness.
//!
//! - [`model`]: the file format (and `scenarios/schema.json` for editors),
//! - [`matcher`]: matcher trees, captures, `${...}` substitution,
//! - [`target`]: a server under test over gRPC or REST, answers in one form,
//! - [`admin`]: the mock's admin API (reset, stub script, clock, journal),
//! - [`runner`]: runs a scenario against a server and judges each step,
//! - [`client_mode`]: judges a client against a scenario (`serve --scenario`),
//! - [`report`]: text, JUnit XML and JSON reports.

pub mod admin;
mod calls;
pub mod client_mode;
pub mod matcher;
pub mod model;
pub mod report;
pub mod runner;
pub mod target;

pub use model::{Scenario, Transport};
pub use runner::{ScenarioReport, Verdict};
