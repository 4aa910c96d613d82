//! Mutations of valid encodings: what a broken or hostile client sends.
//! Protobuf (wrong wire types, unknown fields, truncation, huge lengths,
//! invalid UTF-8, deep group nesting, overlong varints), gRPC framing
//! (compressed flag without an encoding, lying length prefixes, split and
//! trailing frames) and JSON (truncation, invalid UTF-8, deep nesting, wrong
//! types, unknown fields, huge numbers). Each returns a short name for the
//! reproducer file.

use rand::Rng;

/// Appends `v` as a protobuf varint.
pub fn varint(out: &mut Vec<u8>, v: u64) {
    prost::encoding::encode_varint(v, out);
}

/// A field key: field number and wire type.
pub fn key(out: &mut Vec<u8>, field: u32, wire_type: u8) {
    varint(out, (u64::from(field) << 3) | u64::from(wire_type & 7));
}

/// One protobuf-level mutation of `msg` (an encoded request).
pub fn proto(rng: &mut impl Rng, msg: &[u8]) -> (Vec<u8>, &'static str) {
    let mut out = msg.to_vec();
    let name = match rng.random_range(0..11u8) {
        0 => {
            out.truncate(rng.random_range(0..=msg.len()));
            "truncated"
        }
        1 => {
            if !out.is_empty() {
                let i = rng.random_range(0..out.len());
                out[i] ^= 1 << rng.random_range(0..8u8);
            }
            "bit-flip"
        }
        2 => {
            // A field no schema here declares, of every wire type.
            let field = rng.random_range(11..(1u32 << 29));
            match rng.random_range(0..4u8) {
                0 => {
                    key(&mut out, field, 0);
                    varint(&mut out, rng.random());
                }
                1 => {
                    key(&mut out, field, 1);
                    out.extend(rng.random::<u64>().to_le_bytes());
                }
                2 => {
                    key(&mut out, field, 2);
                    varint(&mut out, 3);
                    out.extend(b"abc");
                }
                _ => {
                    key(&mut out, field, 5);
                    out.extend(rng.random::<u32>().to_le_bytes());
                }
            }
            "unknown-field"
        }
        3 => {
            // A declared field (1..=10) with a wire type it does not have.
            let mut pre = Vec::new();
            key(&mut pre, rng.random_range(1..=10), rng.random_range(0..6));
            varint(&mut pre, 1);
            pre.extend(out);
            out = pre;
            "wrong-wire-type"
        }
        4 => {
            key(&mut out, rng.random_range(1..=10), 2);
            varint(
                &mut out,
                *pick(rng, &[1 << 31, u32::MAX as u64, 1 << 62, u64::MAX]),
            );
            out.extend(b"short");
            "huge-length"
        }
        5 => {
            // Strings (label, mailbox address) and map keys must be UTF-8.
            let mut field = Vec::new();
            key(&mut field, *pick(rng, &[1u32, 3]), 2);
            const BAD: [&[u8]; 3] = [&[0xff, 0xfe], &[0xc0, 0x80], &[0xed, 0xa0, 0x80]];
            let bad = *pick(rng, &BAD);
            varint(&mut field, bad.len() as u64);
            field.extend(bad);
            out.extend(field);
            "invalid-utf8"
        }
        6 => {
            let depth = rng.random_range(50..3_000usize);
            for _ in 0..depth {
                key(&mut out, 99, 3);
            }
            for _ in 0..depth {
                key(&mut out, 99, 4);
            }
            "deep-group-nesting"
        }
        7 => {
            key(&mut out, rng.random_range(1..=10), 0);
            out.extend([0xff; 11]);
            "overlong-varint"
        }
        8 => {
            key(&mut out, 0, 0);
            varint(&mut out, 1);
            "field-number-zero"
        }
        9 => {
            // An end-group with no start, and a start-group never ended.
            key(&mut out, 7, *pick(rng, &[3u8, 4]));
            "unbalanced-group"
        }
        _ => {
            let extra = out.clone();
            out.extend(extra);
            "duplicated-fields"
        }
    };
    (out, name)
}

/// gRPC's length-prefixed message: flag byte, big-endian u32 length, bytes.
pub fn frame(msg: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(msg.len() + 5);
    out.push(0);
    out.extend((msg.len() as u32).to_be_bytes());
    out.extend(msg);
    out
}

/// One framing mutation around `msg`.
pub(crate) fn framing(
    rng: &mut impl Rng,
    msg: &[u8],
    max_message: usize,
) -> (Vec<u8>, &'static str) {
    let mut out = frame(msg);
    let name = match rng.random_range(0..9u8) {
        0 => {
            out[0] = 1;
            "compressed-flag-no-encoding"
        }
        1 => {
            out[0] = rng.random_range(2..=255);
            "bad-flag-byte"
        }
        2 => {
            let claimed = msg.len() as u32 + rng.random_range(1..1_000u32);
            out[1..5].copy_from_slice(&claimed.to_be_bytes());
            "length-prefix-too-long"
        }
        3 => {
            let claimed = (max_message as u64 + 1).min(u32::MAX as u64) as u32;
            out[1..5].copy_from_slice(&claimed.to_be_bytes());
            "length-over-limit"
        }
        4 => {
            out[1..5].copy_from_slice(&u32::MAX.to_be_bytes());
            "length-u32-max"
        }
        5 => {
            out.truncate(rng.random_range(0..5));
            "truncated-prefix"
        }
        6 => {
            let again = out.clone();
            out.extend(again);
            "two-messages"
        }
        7 => {
            out.extend([0, 0, 0]);
            "trailing-partial-frame"
        }
        _ => {
            out.clear();
            "no-message"
        }
    };
    (out, name)
}

/// One JSON-level mutation of `json` (a valid request body).
pub fn json(rng: &mut impl Rng, json: &[u8]) -> (Vec<u8>, &'static str) {
    let mut out = json.to_vec();
    let name = match rng.random_range(0..9u8) {
        0 => {
            out.truncate(rng.random_range(0..=json.len()));
            "truncated"
        }
        1 => {
            let at = rng.random_range(0..=out.len());
            out.splice(at..at, [0xff, 0xc0]);
            "invalid-utf8"
        }
        2 => {
            let depth = rng.random_range(100..20_000usize);
            let mut v = b"{\"label\":".to_vec();
            v.extend(std::iter::repeat_n(b'[', depth));
            v.extend(std::iter::repeat_n(b']', depth));
            v.push(b'}');
            out = v;
            "deep-nesting"
        }
        3 => {
            let field = pick(
                rng,
                &[
                    "label",
                    "expiry_timestamp_seconds",
                    "features",
                    "dev_server",
                    "linked_group_id",
                    "privacy_flags",
                ],
            );
            let value = pick(rng, &["[]", "{}", "true", "\"x\"", "-1", "1.5", "null"]);
            out = format!("{{\"{field}\":{value}}}").into_bytes();
            "wrong-type"
        }
        4 => {
            out = replace_open(&out, b"{\"no_such_field\":1,");
            "unknown-field"
        }
        5 => {
            let n = pick(
                rng,
                &[
                    "18446744073709551616",
                    "1e400",
                    "-0",
                    "\"18446744073709551615\"",
                    "0x10",
                ],
            );
            out = format!("{{\"expiry_timestamp_seconds\":{n}}}").into_bytes();
            "huge-number"
        }
        6 => {
            out = replace_open(&out, b"{\"label\":\"a\",\"label\":\"b\",");
            "duplicate-key"
        }
        7 => {
            let mut v = vec![0xef, 0xbb, 0xbf];
            v.extend(out);
            out = v;
            "byte-order-mark"
        }
        _ => {
            out = b"{\"linked_group_id\":\"!!not base64!!\"}".to_vec();
            "bad-base64"
        }
    };
    (out, name)
}

/// `json` with its opening brace replaced by `with` (which ends in a comma),
/// or `with` closed if `json` is `{}`.
fn replace_open(json: &[u8], with: &[u8]) -> Vec<u8> {
    let rest = json.strip_prefix(b"{").unwrap_or(json);
    let mut out = with.to_vec();
    if rest.starts_with(b"}") || rest.is_empty() {
        out.pop();
        out.push(b'}');
    } else {
        out.extend(rest);
    }
    out
}

/// A random element of a non-empty slice.
pub(crate) fn pick<'a, T>(rng: &mut impl Rng, items: &'a [T]) -> &'a T {
    &items[rng.random_range(0..items.len())]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varint_matches_protobuf() {
        let mut v = Vec::new();
        varint(&mut v, 300);
        assert_eq!(v, [0xac, 0x02]);
        let mut k = Vec::new();
        key(&mut k, 5, 2);
        assert_eq!(k, [0x2a]);
    }

    #[test]
    fn replace_open_keeps_json_valid() {
        let out = replace_open(b"{}", b"{\"x\":1,");
        assert_eq!(out, b"{\"x\":1}");
        let out = replace_open(b"{\"a\":2}", b"{\"x\":1,");
        assert_eq!(out, b"{\"x\":1,\"a\":2}");
    }
}
