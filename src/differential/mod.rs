//! Differential conformance: compare two `litrpc` servers call by call
//! (`diff`), and record a real server's exchanges as scenarios (`record`).
//!
//! - `normalise`: which values differ on every run (keys, secrets, IDs,
//!   timestamps), one normalisation for both commands;
//! - `compare`: two answers to the same call, their differences by kind;
//! - `decode`: any registry method's protobuf bytes as JSON;
//! - [`generated`]: `diff --generate`: the fuzzer's inputs sent to both;
//! - [`scenarios`]: `diff` over scenario files (the scenario runner on both);
//! - [`report`]: differences grouped by kind with the smallest request; text,
//!   JSON and JUnit;
//! - [`proxy`]: `record`'s TLS proxy (gRPC, grpc-web, REST), forwarding
//!   unchanged; `exchange`: what an exchange was (by the registry);
//!   `steps`: a call as a step (matchers, shapes, captures, `${now+N}`);
//!   `recorder`: the scenario files, one per reset of the mock.

pub(crate) mod compare;
pub(crate) mod decode;
pub(crate) mod exchange;
pub mod generated;
pub(crate) mod normalise;
pub mod proxy;
pub(crate) mod recorder;
pub mod report;
pub mod scenarios;
pub(crate) mod steps;
