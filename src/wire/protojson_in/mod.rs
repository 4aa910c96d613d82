//! REST request bodies read as litd's gateway reads them (reference §6 and
//! Correction 6): grpc-gateway's `decodeJSONPb` takes the first JSON value
//! of the body with `encoding/json` (so trailing data is ignored and a
//! malformed prefix gets encoding/json's text), then protojson (the
//! hex-display fork of protobuf-go v1.36.11) unmarshals that value, walking
//! the message descriptors: names in proto or JSON form, unknown and
//! duplicate fields refused, `null` skipped, integers as JSON numbers in any
//! integral form (`1.0`, `1e1`) or as such strings, bytes in either base64
//! alphabet. Its errors read `proto: (line L:C): ...` or
//! `proto: syntax error (line L:C): ...`, where the character after
//! `proto:` is a space or a no-break space, chosen once per process.
//!
//! The result is a normalised JSON tree that the generated pbjson
//! deserialisers always accept, so they never produce a text of their own.

mod decoder;
mod schema;
mod values;

use std::sync::atomic::{AtomicU8, Ordering};

use crate::gocompat::json as go_json;
use decoder::Decoder;

/// 0: not chosen yet; 1: space; 2: no-break space.
static PREFIX_SPACE: AtomicU8 = AtomicU8::new(0);

/// protobuf-go's error prefix, `proto:` and a space or a no-break space
/// (U+00A0), the same for the whole process (Go picks it per binary; the
/// reference says per process, which is what a client can observe).
pub(crate) fn error_prefix() -> &'static str {
    let mut v = PREFIX_SPACE.load(Ordering::Relaxed);
    if v == 0 {
        let pick = if rand::random::<bool>() { 2 } else { 1 };
        v = match PREFIX_SPACE.compare_exchange(0, pick, Ordering::Relaxed, Ordering::Relaxed) {
            Ok(_) => pick,
            Err(current) => current,
        };
    }
    if v == 2 {
        "proto:\u{a0}"
    } else {
        "proto: "
    }
}

/// Makes the prefix choice follow `seed` (`serve --seed`), when no error was
/// written yet in this process.
pub(crate) fn seed_error_prefix(seed: u64) {
    let pick = if seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 63 == 1 {
        2
    } else {
        1
    };
    let _ = PREFIX_SPACE.compare_exchange(0, pick, Ordering::Relaxed, Ordering::Relaxed);
}

/// Decodes `body` into the request message `T` as litd's gateway does; an
/// empty (or all white space) body is the empty request.
pub(crate) fn decode<T>(body: &[u8]) -> Result<T, String>
where
    T: serde::de::DeserializeOwned + Default + prost::Name,
{
    let Some(range) = go_json::first_value(body)? else {
        return Ok(T::default());
    };
    let value = Decoder::new(&body[range]).message(&T::full_name())?;
    serde_json::from_value(value).map_err(|e| format!("{}{e}", error_prefix()))
}

#[cfg(test)]
mod tests;
