//! Differential conformance: compare two `litrpc` servers call by call
//! (`diff`), and record a real server's exchanges as scenarios (`record`).
//!
//! - [`normalise`]: which values differ on every run (keys, secrets, IDs,
//!   timestamps), one normalisation for both commands;
//! - [`compare`]: two answers to the same call, their differences by kind;
//! - [`decode`]: any registry method's protobuf bytes as JSON;
//! - [`generated`]: `diff --generate`: the fuzzer's inputs sent to both;
//! - [`scenarios`]: `diff` over scenario files (the scenario runner on both);
//! - [`report`]: differences grouped by kind with the smallest request; text,
//!   JSON and JUnit.

pub mod compare;
pub mod decode;
pub mod generated;
pub mod normalise;
pub mod report;
pub mod scenarios;
