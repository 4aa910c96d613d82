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
mod values;

use crate::gocompat::json as go_json;
pub(crate) use crate::gocompat::protowire::error_prefix;
#[cfg(test)]
use crate::gocompat::protowire::seed_error_prefix;
use decoder::Decoder;

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
