//! The bakery's version-3 macaroon identifier: byte `0x03` followed by a
//! protobuf `MacaroonId { bytes nonce = 1; bytes storageId = 2; repeated Op ops = 3; }`
//! with `Op { string entity = 1; repeated string actions = 2; }` (proto3).
//!
//! Written by hand rather than with prost: lnd decodes this with
//! protobuf-go, which skips a known field sent with the wrong wire type as an
//! unknown field, while prost rejects it. Matching protobuf-go keeps tampered
//! identifiers failing (or passing) exactly where lnd's would.

use crate::gocompat::protowire::{self, wire_format_error, INVALID_UTF8, LEN};

/// Identifier version byte that lnd requires (bakery `Version3`).
pub(crate) const ID_VERSION: u8 = 3;

/// One entity and its actions, as grouped in the identifier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct MacaroonOp {
    /// Entity, e.g. `autopilot` or `uri`.
    pub(crate) entity: String,
    /// Actions on that entity, e.g. `read`, or a full gRPC method for `uri`.
    pub(crate) actions: Vec<String>,
}

/// Decoded identifier (without the version byte).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct MacaroonId {
    /// 16 random bytes that make every macaroon unique.
    pub(crate) nonce: Vec<u8>,
    /// Root-key ID (`"0"` for lit.macaroon).
    pub(crate) storage_id: Vec<u8>,
    /// Operations, sorted and grouped by entity.
    pub(crate) ops: Vec<MacaroonOp>,
}

/// The bakery's `CanonicalOps` + `macaroonIdOps`: sort by entity then
/// action, drop duplicates, group consecutive actions of one entity.
pub(crate) fn canonical_ops(ops: &[(&str, &[&str])]) -> Vec<MacaroonOp> {
    let mut pairs: Vec<(&str, &str)> = ops
        .iter()
        .flat_map(|(e, actions)| actions.iter().map(move |a| (*e, *a)))
        .collect();
    pairs.sort_unstable();
    pairs.dedup();
    let mut out: Vec<MacaroonOp> = Vec::new();
    for (entity, action) in pairs {
        match out.last_mut() {
            Some(last) if last.entity == entity => last.actions.push(action.to_owned()),
            _ => out.push(MacaroonOp {
                entity: entity.to_owned(),
                actions: vec![action.to_owned()],
            }),
        }
    }
    out
}

impl MacaroonId {
    /// Flattens the ops into (entity, action) pairs, in identifier order.
    pub(crate) fn op_pairs(&self) -> Vec<(String, String)> {
        self.ops
            .iter()
            .flat_map(|op| {
                op.actions
                    .iter()
                    .map(move |a| (op.entity.clone(), a.clone()))
            })
            .collect()
    }

    /// Encodes the message as Go's `proto.Marshal` does: fields in number
    /// order, empty proto3 scalars omitted.
    pub(crate) fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        put_bytes_field(&mut out, 1, &self.nonce);
        put_bytes_field(&mut out, 2, &self.storage_id);
        for op in &self.ops {
            let mut inner = Vec::new();
            put_bytes_field(&mut inner, 1, op.entity.as_bytes());
            for a in &op.actions {
                put_len_field(&mut inner, 2, a.as_bytes());
            }
            put_len_field(&mut out, 3, &inner);
        }
        out
    }

    /// Decodes with protobuf-go's rules and error texts.
    pub(crate) fn decode(mut b: &[u8]) -> Result<Self, String> {
        let mut id = MacaroonId::default();
        while !b.is_empty() {
            let (num, wire, rest) = read_tag(b)?;
            b = rest;
            match (num, wire) {
                (1, LEN) => (id.nonce, b) = read_len(b).map(|(v, r)| (v.to_vec(), r))?,
                (2, LEN) => (id.storage_id, b) = read_len(b).map(|(v, r)| (v.to_vec(), r))?,
                (3, LEN) => {
                    let (v, r) = read_len(b)?;
                    id.ops.push(decode_op(v)?);
                    b = r;
                }
                _ => b = skip_value(num, wire, b)?,
            }
        }
        Ok(id)
    }
}

fn decode_op(mut b: &[u8]) -> Result<MacaroonOp, String> {
    let mut op = MacaroonOp {
        entity: String::new(),
        actions: Vec::new(),
    };
    while !b.is_empty() {
        let (num, wire, rest) = read_tag(b)?;
        b = rest;
        match (num, wire) {
            (1 | 2, LEN) => {
                let (v, r) = read_len(b)?;
                let s = std::str::from_utf8(v).map_err(|_| INVALID_UTF8.to_string())?;
                if num == 1 {
                    op.entity = s.to_owned();
                } else {
                    op.actions.push(s.to_owned());
                }
                b = r;
            }
            _ => b = skip_value(num, wire, b)?,
        }
    }
    Ok(op)
}

fn put_len_field(out: &mut Vec<u8>, num: u64, data: &[u8]) {
    prost::encoding::encode_varint((num << 3) | u64::from(LEN), out);
    prost::encoding::encode_varint(data.len() as u64, out);
    out.extend_from_slice(data);
}

fn put_bytes_field(out: &mut Vec<u8>, num: u64, data: &[u8]) {
    if !data.is_empty() {
        put_len_field(out, num, data);
    }
}

fn read_tag(b: &[u8]) -> Result<(u64, u8, &[u8]), String> {
    let (number, wire, n) = protowire::tag(b).ok_or_else(wire_format_error)?;
    Ok((number, wire, &b[n..]))
}

fn read_len(b: &[u8]) -> Result<(&[u8], &[u8]), String> {
    let (value, n) = protowire::length_delimited(b).ok_or_else(wire_format_error)?;
    Ok((value, &b[n..]))
}

/// `protowire.ConsumeFieldValue` for an unknown field, groups included.
fn skip_value(number: u64, wire: u8, b: &[u8]) -> Result<&[u8], String> {
    let n = protowire::skip(number, wire, b).ok_or_else(wire_format_error)?;
    Ok(&b[n..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_ops_sort_dedup_group() {
        let ops = canonical_ops(&[("b", &["write", "read"]), ("a", &["x"]), ("b", &["read"])]);
        assert_eq!(
            ops,
            vec![
                MacaroonOp {
                    entity: "a".into(),
                    actions: vec!["x".into()]
                },
                MacaroonOp {
                    entity: "b".into(),
                    actions: vec!["read".into(), "write".into()]
                },
            ]
        );
    }

    #[test]
    fn round_trip_and_known_bytes() {
        let id = MacaroonId {
            nonce: vec![7; 16],
            storage_id: b"0".to_vec(),
            ops: canonical_ops(&[("autopilot", &["read"])]),
        };
        let enc = id.encode();
        // nonce, storageId "0", ops{entity "autopilot", actions ["read"]}
        let mut want = vec![0x0a, 16];
        want.extend([7; 16]);
        want.extend([0x12, 1, b'0', 0x1a, 17, 0x0a, 9]);
        want.extend(b"autopilot");
        want.extend([0x12, 4]);
        want.extend(b"read");
        assert_eq!(enc, want);
        assert_eq!(MacaroonId::decode(&enc).unwrap(), id);
    }

    #[test]
    fn decode_is_protobuf_go_lenient_and_strict() {
        // Unknown fields, a wrong wire type for a known field and a group are skipped.
        let data = [
            0x08, 0x01, 0x20, 0x05, 0x0b, 0x08, 0x01, 0x0c, 0x12, 0x01, b'9',
        ];
        let id = MacaroonId::decode(&data).unwrap();
        assert_eq!(id.storage_id, b"9");
        assert_eq!(
            MacaroonId::decode(&[0x0a, 5, 1]).unwrap_err(),
            wire_format_error()
        );
        assert_eq!(
            MacaroonId::decode(&[0x00]).unwrap_err(),
            wire_format_error()
        );
        assert_eq!(
            MacaroonId::decode(&[0x0f]).unwrap_err(),
            wire_format_error()
        );
        assert_eq!(
            MacaroonId::decode(&[0x1a, 3, 0x0a, 1, 0xff]).unwrap_err(),
            INVALID_UTF8
        );
        // Deep group nesting is refused, not recursed into.
        let mut deep = vec![0x0b; 200_000];
        deep.extend(vec![0x0c; 200_000]);
        assert_eq!(MacaroonId::decode(&deep).unwrap_err(), wire_format_error());
        let mut ok = vec![0x0b; 100];
        ok.extend(vec![0x0c; 100]);
        assert!(MacaroonId::decode(&ok).is_ok());
    }
}
