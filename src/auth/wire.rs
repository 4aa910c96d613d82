//! Macaroon binary formats and the HMAC-SHA256 signature chain.
//!
//! The parser follows go-macaroon (`UnmarshalBinary`): it accepts exactly what
//! lnd accepts and fails with the same texts, because those texts reach the
//! client inside `invalid macaroon: ...`. V1 (the older text-packet format)
//! is parsed only so that V1 input produces lnd's
//! `unknown macaroon version: v1` instead of a parse error.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// A caveat as carried on the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct WireCaveat {
    /// First-party condition, or third-party caveat ID.
    pub(crate) id: Vec<u8>,
    /// Verification ID; a non-empty one makes the caveat third-party.
    pub(crate) vid: Vec<u8>,
    /// Location hint (third-party only).
    pub(crate) location: Vec<u8>,
}

impl WireCaveat {
    pub(crate) fn is_third_party(&self) -> bool {
        !self.vid.is_empty()
    }
}

/// A parsed macaroon.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct WireMacaroon {
    /// 1 or 2.
    pub(crate) version: u8,
    pub(crate) location: Vec<u8>,
    pub(crate) id: Vec<u8>,
    pub(crate) caveats: Vec<WireCaveat>,
    pub(crate) sig: [u8; 32],
}

const EOS: u64 = 0;
const LOCATION: u64 = 1;
const IDENTIFIER: u64 = 2;
const VID: u64 = 4;
const SIGNATURE: u64 = 6;

/// go-macaroon's `UnmarshalBinary` (trailing bytes after the signature are
/// ignored, as there).
pub(crate) fn parse(data: &[u8]) -> Result<WireMacaroon, String> {
    match data.first() {
        None => Err("empty macaroon data".into()),
        Some(2) => parse_v2(&data[1..]).map_err(|e| format!("unmarshal v2: {e}")),
        Some(b) if b.is_ascii_digit() || (b'a'..=b'f').contains(b) => {
            parse_v1(data).map_err(|e| format!("unmarshal v1: {e}"))
        }
        Some(_) => Err("cannot determine data format of binary-encoded macaroon".into()),
    }
}

/// Go's `binary.Uvarint` with go-macaroon's range limit.
fn varint(data: &[u8]) -> Result<(usize, &[u8]), String> {
    let mut x: u64 = 0;
    for (i, &b) in data.iter().enumerate() {
        if i == 10 || (i == 9 && b > 1 && b < 0x80) {
            return Err("varint value out of range".into());
        }
        x |= u64::from(b & 0x7F) << (7 * i);
        if b < 0x80 {
            return usize::try_from(x)
                .ok()
                .filter(|v| *v <= 0x7fff_ffff)
                .map(|v| (v, &data[i + 1..]))
                .ok_or_else(|| "varint value out of range".into());
        }
    }
    Err("varint value extends past end of buffer".into())
}

struct Packet<'a> {
    field: u64,
    data: &'a [u8],
}

fn packet(data: &[u8]) -> Result<(Packet<'_>, &[u8]), String> {
    let (field, data) = varint(data)?;
    let field = field as u64;
    if field == EOS {
        return Ok((Packet { field, data: &[] }, data));
    }
    let (len, data) = varint(data)?;
    if len > data.len() {
        return Err("field data extends past end of buffer".into());
    }
    let (payload, rest) = data.split_at(len);
    Ok((
        Packet {
            field,
            data: payload,
        },
        rest,
    ))
}

fn section(mut data: &[u8]) -> Result<(Vec<Packet<'_>>, &[u8]), String> {
    let mut out: Vec<Packet<'_>> = Vec::new();
    loop {
        if data.is_empty() {
            return Err("section extends past end of buffer".into());
        }
        let (p, rest) = packet(data)?;
        if p.field == EOS {
            return Ok((out, rest));
        }
        if out.last().is_some_and(|prev| p.field <= prev.field) {
            return Err("fields out of order".into());
        }
        out.push(p);
        data = rest;
    }
}

fn parse_v2(data: &[u8]) -> Result<WireMacaroon, String> {
    let (header, mut data) = section(data)?;
    let mut header = &header[..];
    let mut location = Vec::new();
    if let Some(first) = header.first().filter(|p| p.field == LOCATION) {
        location = first.data.to_vec();
        header = &header[1..];
    }
    let id = match header {
        [p] if p.field == IDENTIFIER => p.data.to_vec(),
        _ => return Err("invalid macaroon header".into()),
    };
    let mut caveats = Vec::new();
    loop {
        let (sec, rest) = section(data)?;
        data = rest;
        let mut sec = &sec[..];
        if sec.is_empty() {
            break;
        }
        let mut cav = WireCaveat {
            id: Vec::new(),
            vid: Vec::new(),
            location: Vec::new(),
        };
        if let Some(first) = sec.first().filter(|p| p.field == LOCATION) {
            cav.location = first.data.to_vec();
            sec = &sec[1..];
        }
        match sec.split_first() {
            Some((p, rest)) if p.field == IDENTIFIER => {
                cav.id = p.data.to_vec();
                sec = rest;
            }
            _ => return Err("no identifier in caveat".into()),
        }
        match sec {
            [] if !cav.location.is_empty() => {
                return Err("location not allowed in first party caveat".into())
            }
            [] => {}
            [p] if p.field == VID => cav.vid = p.data.to_vec(),
            [_] => return Err("invalid field found in caveat".into()),
            _ => return Err("extra fields found in caveat".into()),
        }
        caveats.push(cav);
    }
    let (sig, _trailing) = packet(data)?;
    if sig.field != SIGNATURE {
        return Err("unexpected field found instead of signature".into());
    }
    let sig: [u8; 32] = sig
        .data
        .try_into()
        .map_err(|_| "signature has unexpected length".to_string())?;
    Ok(WireMacaroon {
        version: 2,
        location,
        id,
        caveats,
        sig,
    })
}

/// One V1 packet: 4 lowercase hex digits of total length, `name value\n`.
fn packet_v1(data: &[u8]) -> Result<(&[u8], &[u8], usize), String> {
    if data.len() < 6 {
        return Err("packet too short".into());
    }
    let mut plen = 0usize;
    for &b in &data[..4] {
        let d = match b {
            b'0'..=b'9' => b - b'0',
            b'a'..=b'f' => b - b'a' + 10,
            _ => return Err("cannot parse size".into()),
        };
        plen = plen * 16 + usize::from(d);
    }
    if plen > data.len() {
        return Err("packet size too big".into());
    }
    // go-macaroon slices data[4:plen] and panics below 4; we report it.
    let body = data.get(4..plen).ok_or("packet size too small")?;
    let name_end = match body.iter().position(|&b| b == b' ') {
        Some(i) if i > 0 => i,
        _ => return Err("cannot parse field name".into()),
    };
    if body.last() != Some(&b'\n') {
        return Err("no terminating newline found".into());
    }
    Ok((&body[..name_end], &body[name_end + 1..body.len() - 1], plen))
}

fn parse_v1(mut data: &[u8]) -> Result<WireMacaroon, String> {
    let expect = |want: &str, data: &mut &[u8]| -> Result<Vec<u8>, String> {
        let (name, value, total) = packet_v1(data)?;
        if name != want.as_bytes() {
            return Err(format!(
                "unexpected field {}; expected {want}",
                crate::gocompat::fmt::quote(name)
            ));
        }
        *data = &data[total..];
        Ok(value.to_vec())
    };
    let location = expect("location", &mut data)?;
    let id = expect("identifier", &mut data)?;
    let (mut has_id, mut has_vid, mut has_loc) = (false, false, false);
    loop {
        let (name, value, total) = packet_v1(data)?;
        data = &data[total..];
        match name {
            b"signature" => {
                let sig: [u8; 32] = value
                    .try_into()
                    .map_err(|_| format!("signature has unexpected length {}", value.len()))?;
                // Caveats are irrelevant: lnd rejects every V1 macaroon.
                return Ok(WireMacaroon {
                    version: 1,
                    location,
                    id,
                    caveats: Vec::new(),
                    sig,
                });
            }
            b"cid" => {
                // A new caveat starts only once the previous one has an ID.
                if has_id {
                    (has_vid, has_loc) = (false, false);
                }
                has_id = true;
            }
            b"vid" if has_vid => return Err("repeated field \"vid\" in caveat".into()),
            b"vid" => has_vid = true,
            b"cl" if has_loc => return Err("repeated field \"location\" in caveat".into()),
            b"cl" => has_loc = !value.is_empty(),
            other => {
                return Err(format!(
                    "unexpected field {}",
                    crate::gocompat::fmt::quote(other)
                ))
            }
        }
    }
}

fn put_packet(out: &mut Vec<u8>, field: u8, data: &[u8]) {
    out.push(field);
    prost::encoding::encode_varint(data.len() as u64, out);
    out.extend_from_slice(data);
}

/// go-macaroon's `appendBinaryV2`.
pub(crate) fn encode_v2(m: &WireMacaroon) -> Vec<u8> {
    let mut out = vec![2u8];
    if !m.location.is_empty() {
        put_packet(&mut out, LOCATION as u8, &m.location);
    }
    put_packet(&mut out, IDENTIFIER as u8, &m.id);
    out.push(EOS as u8);
    for c in &m.caveats {
        if !c.location.is_empty() {
            put_packet(&mut out, LOCATION as u8, &c.location);
        }
        put_packet(&mut out, IDENTIFIER as u8, &c.id);
        if !c.vid.is_empty() {
            put_packet(&mut out, VID as u8, &c.vid);
        }
        out.push(EOS as u8);
    }
    out.push(EOS as u8);
    put_packet(&mut out, SIGNATURE as u8, &m.sig);
    out
}

/// HMAC-SHA256.
pub(crate) fn hmac(key: &[u8], data: &[u8]) -> [u8; 32] {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = match <Hmac<Sha256> as Mac>::new_from_slice(key) {
        Ok(m) => m,
        Err(_) => unreachable!("HMAC takes keys of any length"),
    };
    mac.update(data);
    mac.finalize().into_bytes().into()
}

/// go-macaroon's `keyedHash2`, used to chain third-party caveats.
pub(crate) fn hmac2(key: &[u8], d1: &[u8], d2: &[u8]) -> [u8; 32] {
    let mut both = [0u8; 64];
    both[..32].copy_from_slice(&hmac(key, d1));
    both[32..].copy_from_slice(&hmac(key, d2));
    hmac(key, &both)
}

/// `makeKey`: the signing key derived from a root key.
pub(crate) fn derive_key(root_key: &[u8]) -> [u8; 32] {
    hmac(b"macaroons-key-generator\0\0\0\0\0\0\0\0\0", root_key)
}

/// Signature after `id` and the first `upto` caveats, starting from `key`.
pub(crate) fn chain(key: &[u8; 32], m: &WireMacaroon, upto: usize) -> [u8; 32] {
    let mut sig = hmac(key, &m.id);
    for c in m.caveats.iter().take(upto) {
        sig = if c.is_third_party() {
            hmac2(&sig, &c.vid, &c.id)
        } else {
            hmac(&sig, &c.id)
        };
    }
    sig
}

#[cfg(test)]
#[path = "wire_tests.rs"]
mod tests;
