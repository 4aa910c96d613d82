//! Go's protobuf wire form of map entries.
//!
//! A map field is a repeated entry message `{key = 1, value = 2}`. Go's
//! protobuf (`internal/impl/codec_map.go`) always writes both fields of an
//! entry, even a zero key or value; prost leaves out whichever equals its
//! default. Decoders read the missing field as its default, except some
//! that do not: protobufjs (grpc-js with proto-loader) gives `null` for a
//! missing message value, so a feature with no rules arrives as
//! `rules: null` and a client reading `.rules` throws. [`go_encoding`]
//! rewrites prost's bytes into Go's form, driven by the descriptor set the
//! crate is built with, so every reply on every binary transport carries
//! litd's bytes.

use std::collections::HashMap;
use std::sync::OnceLock;

use prost::encoding::encode_varint;
use prost::Message;
use prost_types::field_descriptor_proto::Type;
use prost_types::DescriptorProto;

/// How a field of a message is rewritten.
#[derive(Debug, Clone)]
enum Field {
    /// A map: its entries get the key and value they lack.
    Map {
        key_default: &'static [u8],
        value_default: &'static [u8],
        /// The value's message type, when it is one (rewritten too).
        value_message: Option<String>,
    },
    /// A message field (rewritten when its type holds maps).
    Message(String),
}

/// Per message type, the fields that need a look; only types that hold a
/// map, directly or through their fields, are present.
#[derive(Debug, Default)]
struct Schema {
    messages: HashMap<String, HashMap<u32, Field>>,
}

/// The encoded default of an entry field with this number and type, as Go
/// writes it: the tag, then a zero value (empty for length-delimited).
fn default_bytes(number: u32, kind: Type) -> &'static [u8] {
    // Tags for field 1 and 2 by wire type: (number << 3) | wire_type.
    match (number, kind) {
        (1, Type::Fixed64 | Type::Sfixed64 | Type::Double) => &[0x09, 0, 0, 0, 0, 0, 0, 0, 0],
        (1, Type::Fixed32 | Type::Sfixed32 | Type::Float) => &[0x0d, 0, 0, 0, 0],
        (1, Type::String | Type::Bytes | Type::Message) => &[0x0a, 0x00],
        (1, _) => &[0x08, 0x00],
        (_, Type::Fixed64 | Type::Sfixed64 | Type::Double) => &[0x11, 0, 0, 0, 0, 0, 0, 0, 0],
        (_, Type::Fixed32 | Type::Sfixed32 | Type::Float) => &[0x15, 0, 0, 0, 0],
        (_, Type::String | Type::Bytes | Type::Message) => &[0x12, 0x00],
        (_, _) => &[0x10, 0x00],
    }
}

impl Schema {
    /// From every message by full name (no leading dot).
    fn from_descriptors(all: &HashMap<String, DescriptorProto>) -> Self {
        let is_map_entry = |name: &str| {
            all.get(name)
                .and_then(|m| m.options.as_ref())
                .is_some_and(|o| o.map_entry())
        };
        // Candidate fields of every message, then keep the types that reach
        // a map (a fixed point: message fields count once their type does).
        let mut candidates: HashMap<String, HashMap<u32, Field>> = HashMap::new();
        for (name, m) in all {
            let mut fields = HashMap::new();
            for f in &m.field {
                if f.r#type() != Type::Message {
                    continue;
                }
                let type_name = f.type_name().trim_start_matches('.').to_string();
                let number = f.number() as u32;
                if is_map_entry(&type_name) {
                    let Some(entry) = all.get(&type_name) else {
                        continue;
                    };
                    let field_of = |n: i32| entry.field.iter().find(|e| e.number() == n);
                    let (Some(key), Some(value)) = (field_of(1), field_of(2)) else {
                        continue;
                    };
                    fields.insert(
                        number,
                        Field::Map {
                            key_default: default_bytes(1, key.r#type()),
                            value_default: default_bytes(2, value.r#type()),
                            value_message: (value.r#type() == Type::Message)
                                .then(|| value.type_name().trim_start_matches('.').to_string()),
                        },
                    );
                } else {
                    fields.insert(number, Field::Message(type_name));
                }
            }
            candidates.insert(name.clone(), fields);
        }
        let mut holds: HashMap<String, bool> = candidates
            .iter()
            .map(|(n, f)| {
                (
                    n.clone(),
                    f.values().any(|f| matches!(f, Field::Map { .. })),
                )
            })
            .collect();
        loop {
            let mut changed = false;
            for (name, fields) in &candidates {
                if holds.get(name) == Some(&true) {
                    continue;
                }
                let reaches = fields.values().any(|f| match f {
                    Field::Message(t) => holds.get(t) == Some(&true),
                    Field::Map { .. } => true,
                });
                if reaches {
                    holds.insert(name.clone(), true);
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
        let messages = candidates
            .into_iter()
            .filter(|(n, _)| holds.get(n) == Some(&true))
            .map(|(n, mut fields)| {
                fields.retain(|_, f| match f {
                    Field::Message(t) => holds.get(t) == Some(&true),
                    Field::Map { .. } => true,
                });
                (n, fields)
            })
            .collect();
        Schema { messages }
    }

    /// The crate's own protos.
    fn ours() -> &'static Schema {
        static SCHEMA: OnceLock<Schema> = OnceLock::new();
        SCHEMA.get_or_init(|| Schema::from_descriptors(&crate::proto::Descriptors::get().messages))
    }

    /// Rewrites `bytes`, a message of type `name` (full name), into `out`.
    /// `None` when the bytes do not parse as that message (left as they are).
    fn rewrite(&self, name: &str, bytes: &[u8], out: &mut Vec<u8>) -> Option<()> {
        let Some(fields) = self.messages.get(name) else {
            out.extend_from_slice(bytes);
            return Some(());
        };
        let mut rest = bytes;
        while !rest.is_empty() {
            let start = rest;
            let tag = read_varint(&mut rest)?;
            let (number, wire_type) = ((tag >> 3) as u32, (tag & 7) as u8);
            let field = (wire_type == 2).then(|| fields.get(&number)).flatten();
            let Some(field) = field else {
                skip_value(wire_type, &mut rest)?;
                out.extend_from_slice(&start[..start.len() - rest.len()]);
                continue;
            };
            let len = usize::try_from(read_varint(&mut rest)?).ok()?;
            let value = rest.get(..len)?;
            rest = &rest[len..];
            let mut inner = Vec::with_capacity(len + 4);
            match field {
                Field::Message(t) => self.rewrite(t, value, &mut inner)?,
                Field::Map {
                    key_default,
                    value_default,
                    value_message,
                } => self.rewrite_entry(
                    value,
                    key_default,
                    value_default,
                    value_message.as_deref(),
                    &mut inner,
                )?,
            }
            encode_varint(tag, out);
            encode_varint(inner.len() as u64, out);
            out.extend_from_slice(&inner);
        }
        Some(())
    }

    /// One map entry: key, then value, each present.
    fn rewrite_entry(
        &self,
        entry: &[u8],
        key_default: &[u8],
        value_default: &[u8],
        value_message: Option<&str>,
        out: &mut Vec<u8>,
    ) -> Option<()> {
        let (mut key, mut value, mut other) = (None, None, Vec::new());
        let mut rest = entry;
        while !rest.is_empty() {
            let start = rest;
            let tag = read_varint(&mut rest)?;
            skip_value((tag & 7) as u8, &mut rest)?;
            let raw = &start[..start.len() - rest.len()];
            match tag >> 3 {
                1 => key = Some(raw),
                2 => value = Some(raw),
                _ => other.extend_from_slice(raw),
            }
        }
        out.extend_from_slice(key.unwrap_or(key_default));
        match (value, value_message) {
            (Some(raw), Some(t)) => {
                // The value's tag and length, then its rewritten body.
                let mut body = raw;
                let tag = read_varint(&mut body)?;
                if tag & 7 != 2 {
                    out.extend_from_slice(raw);
                } else {
                    let _len = read_varint(&mut body)?;
                    let mut inner = Vec::with_capacity(body.len() + 4);
                    self.rewrite(t, body, &mut inner)?;
                    encode_varint(tag, out);
                    encode_varint(inner.len() as u64, out);
                    out.extend_from_slice(&inner);
                }
            }
            (Some(raw), None) => out.extend_from_slice(raw),
            (None, _) => out.extend_from_slice(value_default),
        }
        out.extend_from_slice(&other);
        Some(())
    }
}

/// A varint (prost's decoder; `None` when malformed or cut short).
fn read_varint(buf: &mut &[u8]) -> Option<u64> {
    prost::encoding::decode_varint(buf).ok()
}

/// Moves past one field's value of this wire type.
fn skip_value(wire_type: u8, buf: &mut &[u8]) -> Option<()> {
    let n = match wire_type {
        0 => {
            read_varint(buf)?;
            0
        }
        1 => 8,
        2 => usize::try_from(read_varint(buf)?).ok()?,
        5 => 4,
        _ => return None,
    };
    *buf = buf.get(n..)?;
    Some(())
}

/// `bytes` (a message of type `full_name`, e.g. `litrpc.Session`) in Go's
/// form, or `None` when it already is (the type holds no maps) or does not
/// parse as that type.
pub(crate) fn go_encoding(full_name: &str, bytes: &[u8]) -> Option<Vec<u8>> {
    let schema = Schema::ours();
    schema.messages.get(full_name)?;
    let mut out = Vec::with_capacity(bytes.len() + bytes.len() / 8 + 8);
    schema.rewrite(full_name, bytes, &mut out)?;
    Some(out)
}

/// A message's bytes as Go's protobuf writes them.
pub(crate) fn go_encode<M: Message + prost::Name>(message: &M) -> Vec<u8> {
    let bytes = message.encode_to_vec();
    go_encoding(&M::full_name(), &bytes).unwrap_or(bytes)
}

#[cfg(test)]
#[path = "go_map_entries_tests.rs"]
mod tests;
