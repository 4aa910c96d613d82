//! Binary requests read as litd reads them: grpc-go hands the bytes to
//! protobuf-go's `proto.Unmarshal` (its fast path over the generated
//! message info), and answers a failure with code Internal and
//! `grpc: error unmarshalling request: <error>`.
//!
//! protobuf-go and prost agree on well-formed input but not on the rest:
//! - a known field sent with another wire type (a string as a varint, a
//!   message as a fixed64) is an *unknown* field to protobuf-go, skipped
//!   like any other, where prost refuses the message;
//! - unknown groups may nest 10 000 deep in protobuf-go, 100 in prost;
//! - the texts: `proto: cannot parse invalid wire-format data` for every
//!   malformed input, `string field contains invalid UTF-8` (no prefix) for
//!   a proto3 string that is not UTF-8, where `proto:` is followed by the
//!   process's one space or no-break space (`gocompat::protowire`).
//!
//! So the bytes are first walked as protobuf-go walks them, against the
//! message descriptors, and what protobuf-go would skip is dropped; prost
//! then decodes what is left, which it always accepts. Input protobuf-go
//! keeps whole is not copied. Read from protobuf-go's `internal/impl`
//! (`unmarshalPointer`, `consumeMap`, the per-kind `consume*` functions) and
//! `encoding/protowire` (`ConsumeFieldValue`), and grpc-go's
//! `processUnaryRPC`, in the sources Debian ships on the build machines
//! (protobuf-go 1.28.1, grpc-go 1.33.3). litd 0.17.2 builds with newer
//! releases of both; the reference is silent on these paths, so they are
//! not checked against litd's exact versions.

use std::borrow::Cow;

use prost_types::field_descriptor_proto::Type;

use super::schema::{schema, Field};
use crate::gocompat::protowire::{
    error_prefix, length_delimited, skip, tag, varint, wire_format_error, FIXED32, FIXED64,
    INVALID_UTF8, LEN, MAX_FIELD_NUMBER, RECURSION_LIMIT, VARINT,
};

/// The prefix grpc-go puts before the decoder's error.
const GRPC_UNMARSHAL_PREFIX: &str = "grpc: error unmarshalling request: ";

/// Why protobuf-go refuses the bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Refusal {
    /// `errDecode`.
    WireFormat,
    /// `errInvalidUTF8`.
    InvalidUtf8,
    /// `errRecursionDepth`.
    RecursionDepth,
}

impl Refusal {
    fn text(self) -> String {
        match self {
            Refusal::WireFormat => wire_format_error(),
            Refusal::InvalidUtf8 => INVALID_UTF8.to_string(),
            Refusal::RecursionDepth => {
                format!("{}exceeded maximum recursion depth", error_prefix())
            }
        }
    }
}

/// A request message off gRPC or grpc-web, as litd reads it; the error is
/// what grpc-go answers (with code Internal): `grpc: error unmarshalling
/// request: ` and protobuf-go's text.
pub(crate) fn decode_request<M>(bytes: &[u8]) -> Result<M, String>
where
    M: prost::Message + Default + prost::Name,
{
    decode(bytes).map_err(|text| format!("{GRPC_UNMARSHAL_PREFIX}{text}"))
}

/// Decodes `bytes` as the message `M` the way litd's protobuf-go does; the
/// error is protobuf-go's text.
pub fn decode<M>(bytes: &[u8]) -> Result<M, String>
where
    M: prost::Message + Default + prost::Name,
{
    let kept = as_go_keeps(&M::full_name(), bytes).map_err(Refusal::text)?;
    // What is kept is well formed for M; prost refusing it would be a gap
    // in the walk, answered as protobuf-go answers malformed input.
    M::decode(kept.as_ref()).map_err(|_| Refusal::WireFormat.text())
}

/// The bytes of message `name` as protobuf-go keeps them: the input itself
/// when every field is one it reads, else a copy without the fields it
/// skips.
fn as_go_keeps<'a>(name: &str, bytes: &'a [u8]) -> Result<Cow<'a, [u8]>, Refusal> {
    Ok(match message(name, bytes, RECURSION_LIMIT)? {
        None => Cow::Borrowed(bytes),
        Some(rewritten) => Cow::Owned(rewritten),
    })
}

/// The output of a walk over one message (or map entry): `None` until a
/// field has to go or change, then the rewritten bytes so far.
struct Rewrite<'a> {
    input: &'a [u8],
    out: Option<Vec<u8>>,
}

impl<'a> Rewrite<'a> {
    fn new(input: &'a [u8]) -> Self {
        Self { input, out: None }
    }

    fn copied_up_to(&mut self, at: usize) -> &mut Vec<u8> {
        let input = self.input;
        self.out.get_or_insert_with(|| input[..at].to_vec())
    }

    fn keep(&mut self, field: std::ops::Range<usize>) {
        if let Some(out) = &mut self.out {
            out.extend_from_slice(&self.input[field]);
        }
    }

    fn skip(&mut self, at: usize) {
        self.copied_up_to(at);
    }

    /// The field at `at`, with `tag_len` bytes of tag, written with a new
    /// length-delimited value.
    fn replace(&mut self, at: usize, tag_len: usize, value: &[u8]) {
        let tag = &self.input[at..at + tag_len];
        let out = self.copied_up_to(at);
        out.extend_from_slice(tag);
        prost::encoding::encode_varint(value.len() as u64, out);
        out.extend_from_slice(value);
    }
}

/// What a known field's value is to protobuf-go.
enum Read {
    /// Read as it is; its length.
    Kept(usize),
    /// Read, but a nested message or map entry loses fields: the value's
    /// length in the input, and its new bytes.
    Rewritten(usize, Vec<u8>),
    /// `errUnknown`: the wire type is not the field's, so it is skipped.
    Unknown,
}

impl Read {
    /// A nested message or map entry of `len` bytes, as its walk left it.
    fn nested(len: usize, rewritten: Option<Vec<u8>>) -> Read {
        match rewritten {
            None => Read::Kept(len),
            Some(value) => Read::Rewritten(len, value),
        }
    }
}

/// `unmarshalPointer` over the message `name`.
fn message(name: &str, b: &[u8], depth: i32) -> Result<Option<Vec<u8>>, Refusal> {
    let depth = depth - 1;
    if depth < 0 {
        return Err(Refusal::RecursionDepth);
    }
    let fields = schema()
        .messages
        .get(name)
        .map(Vec::as_slice)
        .unwrap_or_default();
    walk(b, depth, |number| {
        fields
            .iter()
            .find(|f| u64::try_from(f.number) == Ok(number))
    })
}

/// `consumeMap`'s walk over one map entry: field 1 is the key, 2 the value,
/// anything else (or either with another wire type) is skipped.
fn map_entry(key: &Field, value: &Field, b: &[u8], depth: i32) -> Result<Option<Vec<u8>>, Refusal> {
    walk(b, depth, |number| match number {
        1 => Some(key),
        2 => Some(value),
        _ => None,
    })
}

/// The loop both walks share: each field read (`field` names the known
/// ones) or skipped. A field number outside 1..=2^29-1 is refused (by
/// `unmarshalPointer` before any lookup, by `consumeMap` after its
/// `ConsumeTag`), and so is an end group with none open (at once, or as a
/// value protowire cannot skip): either way the same error, at the same
/// field.
fn walk<'f>(
    b: &[u8],
    depth: i32,
    field: impl Fn(u64) -> Option<&'f Field>,
) -> Result<Option<Vec<u8>>, Refusal> {
    let mut rewrite = Rewrite::new(b);
    let mut pos = 0;
    while pos < b.len() {
        let start = pos;
        let (number, wire, tag_len) = tag(&b[pos..])
            .filter(|&(number, _, _)| number <= MAX_FIELD_NUMBER)
            .ok_or(Refusal::WireFormat)?;
        pos += tag_len;
        let value = &b[pos..];
        let read = match field(number) {
            Some(f) => known(f, wire, value, depth)?,
            None => Read::Unknown,
        };
        pos += match read {
            Read::Kept(len) => {
                rewrite.keep(start..start + tag_len + len);
                len
            }
            Read::Rewritten(len, new_value) => {
                rewrite.replace(start, tag_len, &new_value);
                len
            }
            Read::Unknown => {
                let len = skip(number, wire, value).ok_or(Refusal::WireFormat)?;
                rewrite.skip(start);
                len
            }
        };
    }
    Ok(rewrite.out)
}

/// A known field's value, as the field's `consume*` function reads it.
fn known(f: &Field, wire: u8, b: &[u8], depth: i32) -> Result<Read, Refusal> {
    if let Some(entry) = &f.map {
        if wire != LEN {
            return Ok(Read::Unknown);
        }
        let (body, len) = length_delimited(b).ok_or(Refusal::WireFormat)?;
        return Ok(Read::nested(
            len,
            map_entry(&entry.0, &entry.1, body, depth)?,
        ));
    }
    let Some(expected) = wire_type(f.kind) else {
        return Ok(Read::Unknown);
    };
    if f.repeated && expected != LEN && wire == LEN {
        // The packed form of a repeated scalar.
        let (body, len) = length_delimited(b).ok_or(Refusal::WireFormat)?;
        packed(expected, body)?;
        return Ok(Read::Kept(len));
    }
    if wire != expected {
        return Ok(Read::Unknown);
    }
    match f.kind {
        Type::String => {
            let (body, len) = length_delimited(b).ok_or(Refusal::WireFormat)?;
            match std::str::from_utf8(body) {
                Ok(_) => Ok(Read::Kept(len)),
                Err(_) => Err(Refusal::InvalidUtf8),
            }
        }
        Type::Message => {
            let (body, len) = length_delimited(b).ok_or(Refusal::WireFormat)?;
            Ok(Read::nested(len, message(&f.type_name, body, depth)?))
        }
        // Bytes and numbers: whole values of their wire type (never a
        // group, so the field number plays no part).
        _ => skip(0, wire, b).map(Read::Kept).ok_or(Refusal::WireFormat),
    }
}

/// The wire type a field of this kind is written with (groups: none here,
/// proto3 has none, so they are read as unknown).
fn wire_type(kind: Type) -> Option<u8> {
    Some(match kind {
        Type::Int32
        | Type::Int64
        | Type::Uint32
        | Type::Uint64
        | Type::Sint32
        | Type::Sint64
        | Type::Bool
        | Type::Enum => VARINT,
        Type::Fixed64 | Type::Sfixed64 | Type::Double => FIXED64,
        Type::Fixed32 | Type::Sfixed32 | Type::Float => FIXED32,
        Type::String | Type::Bytes | Type::Message => LEN,
        Type::Group => return None,
    })
}

/// A packed list's elements must each be whole.
fn packed(element: u8, mut body: &[u8]) -> Result<(), Refusal> {
    let whole = match element {
        FIXED32 => body.len() % 4 == 0,
        FIXED64 => body.len() % 8 == 0,
        _ => loop {
            if body.is_empty() {
                break true;
            }
            match varint(body) {
                Some((_, n)) => body = &body[n..],
                None => break false,
            }
        },
    };
    whole.then_some(()).ok_or(Refusal::WireFormat)
}

#[cfg(test)]
#[path = "protobuf_in_tests.rs"]
mod tests;
