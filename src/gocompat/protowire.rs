//! protobuf-go's wire reading (`encoding/protowire`'s `Consume*`
//! functions) and its error texts, shared by every reader of protobuf that
//! litd's Go code reads: requests (`wire::protobuf_in`), REST bodies'
//! protojson errors (`wire::protojson_in`) and the macaroon identifier
//! (`auth::macaroon_id`).
//!
//! Every protobuf-go error begins with `proto:` and a space or a no-break
//! space, chosen per binary (Go) and here per process, so all three agree.

use std::sync::atomic::{AtomicU8, Ordering};

/// `protowire.MaxValidNumber`.
pub(crate) const MAX_FIELD_NUMBER: u64 = (1 << 29) - 1;
/// `protowire.DefaultRecursionLimit`.
pub(crate) const RECURSION_LIMIT: i32 = 10_000;

/// Wire type: varint.
pub(crate) const VARINT: u8 = 0;
/// Wire type: 8 bytes.
pub(crate) const FIXED64: u8 = 1;
/// Wire type: length-delimited.
pub(crate) const LEN: u8 = 2;
/// Wire type: start of a group.
pub(crate) const START_GROUP: u8 = 3;
/// Wire type: end of a group.
pub(crate) const END_GROUP: u8 = 4;
/// Wire type: 4 bytes.
pub(crate) const FIXED32: u8 = 5;

/// protobuf-go's `errDecode`, for every malformed input.
pub(crate) fn wire_format_error() -> String {
    format!("{}cannot parse invalid wire-format data", error_prefix())
}

/// protobuf-go's `errInvalidUTF8` (its fast path's, with no prefix), for a
/// proto3 string that is not UTF-8.
pub(crate) const INVALID_UTF8: &str = "string field contains invalid UTF-8";

/// `protowire.ConsumeVarint`: at most 10 bytes, the 10th at most 1.
pub(crate) fn varint(b: &[u8]) -> Option<(u64, usize)> {
    let mut v = 0u64;
    for (i, &byte) in b.iter().take(10).enumerate() {
        if i == 9 && byte > 1 {
            return None;
        }
        v |= u64::from(byte & 0x7f) << (7 * i);
        if byte < 0x80 {
            return Some((v, i + 1));
        }
    }
    None
}

/// `protowire.ConsumeTag`: a field number of at least 1 that fits an
/// int32, its wire type, and the tag's length.
pub(crate) fn tag(b: &[u8]) -> Option<(u64, u8, usize)> {
    let (v, n) = varint(b)?;
    let number = v >> 3;
    if number < 1 || number > i32::MAX as u64 {
        return None;
    }
    Some((number, (v & 7) as u8, n))
}

/// `protowire.ConsumeBytes`: the value and the whole length with its
/// prefix.
pub(crate) fn length_delimited(b: &[u8]) -> Option<(&[u8], usize)> {
    let (len, n) = varint(b)?;
    let len = usize::try_from(len).ok()?;
    let body = b.get(n..)?.get(..len)?;
    Some((body, n + len))
}

/// `protowire.ConsumeFieldValue`: the length of a value of wire type
/// `wire` at the start of `b` (a group up to and including its end tag),
/// `None` where protowire reports an error.
pub(crate) fn skip(number: u64, wire: u8, b: &[u8]) -> Option<usize> {
    match wire {
        VARINT => varint(b).map(|(_, n)| n),
        FIXED64 => (b.len() >= 8).then_some(8),
        LEN => length_delimited(b).map(|(_, n)| n),
        FIXED32 => (b.len() >= 4).then_some(4),
        START_GROUP => group(number, b),
        // An end group with no group open, and the reserved types 6 and 7.
        _ => None,
    }
}

/// protowire's recursion over nested groups, without recursing (Go allows
/// 10 001 open groups, which would need deep stacks here). `open` holds
/// the groups not yet ended.
fn group(number: u64, b: &[u8]) -> Option<usize> {
    let mut open = vec![number];
    let mut pos = 0;
    while let Some(&current) = open.last() {
        let (inner, wire, n) = tag(b.get(pos..)?)?;
        pos += n;
        match wire {
            END_GROUP if inner == current => {
                open.pop();
            }
            END_GROUP => return None,
            START_GROUP => {
                // The new group is read at depth RECURSION_LIMIT - open.len().
                if open.len() > RECURSION_LIMIT as usize {
                    return None;
                }
                open.push(inner);
            }
            _ => pos += skip(inner, wire, &b[pos..])?,
        }
    }
    Some(pos)
}

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
