//! Go's standard-library behaviour that litd's texts and inputs go through,
//! reproduced byte for byte, in one place for every layer: `fmt`'s `%q`,
//! `%#U` and `%s` of bytes plus `encoding/hex` (`fmt`); `time`'s
//! arithmetic, `String()`, RFC 3339 formatting and `time.Parse` errors
//! (`time`); `encoding/json`'s scanner, decoding rules, number and
//! escaping forms (`json`); and protobuf-go's wire reading and error texts
//! (`protowire`), which every protobuf reader of litd's goes through.
//!
//! Pure functions of their input: no I/O, no clock, no wire types, so the
//! domain may use it as freely as auth and the transports do (checked by
//! `tests/architecture.rs`). The golden tests of each part sit beside it.

pub(crate) mod fmt;
pub(crate) mod json;
mod json_codec;
mod json_unquote;
pub(crate) mod protowire;
pub(crate) mod time;
mod time_parse;

pub(crate) use time_parse::parse_rfc3339_nano;
