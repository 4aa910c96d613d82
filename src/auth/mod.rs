//! Macaroon authentication exactly as litd applies it to `litrpc.Autopilot`.
//!
//! litd checks its own RPCs with lnd's macaroon service and the Go macaroon
//! bakery. A client sees only the outcome and the error text, so this module
//! reproduces both: real V2 macaroons (location `litd`, bakery version-3
//! identifiers, HMAC-SHA256 chain from `HMAC("macaroons-key-generator", root
//! key)`), lnd's check order, and the Go libraries' error wording (see
//! `verify` for the order, `wire` and [`crate::gocompat`] for the texts).
//!
//! The codec is hand-written rather than delegated to `libmacaroon`, although
//! that crate does read and write V2 with binary identifiers: the check must
//! accept exactly what go-macaroon accepts and fail with its texts (e.g.
//! `unmarshal v2: section extends past end of buffer`), which libmacaroon's
//! own errors and size limits do not give. libmacaroon is used for the one
//! piece of real cryptography beyond HMAC (decrypting third-party caveat
//! keys), and the tests use it as an independent implementation.

mod macaroon_id;
mod memo;
mod super_mac;
pub mod ui_password;
mod verify;
mod wire;

#[cfg(test)]
mod proptests;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::time::SystemTime;

use crate::gocompat::fmt as gofmt;
#[cfg(test)]
use crate::gocompat::time::format_rfc3339_nano;
use crate::gocompat::time::unix_nanos;

pub(crate) use macaroon_id::{canonical_ops, MacaroonId};

/// Location written into every macaroon litd bakes.
pub(crate) const MACAROON_LOCATION: &str = "litd";

/// Root-key ID of lit.macaroon (lnd's `DefaultRootKeyID`).
pub(crate) const DEFAULT_ROOT_KEY_ID: &[u8] = b"0";

/// The ops of lit.macaroon: every entity:action in litd's permission table.
pub(crate) const LIT_MACAROON_OPS: &[(&str, &[&str])] = &[
    ("account", &["read", "write"]),
    ("actions", &["read"]),
    ("autopilot", &["read", "write"]),
    ("privacymap", &["read"]),
    ("proxy", &["read", "write"]),
    ("sessions", &["read", "write"]),
    ("supermacaroon", &["write"]),
];

/// lnd's entity for per-method permissions (`uri:<full method>`).
pub(crate) const URI_ENTITY: &str = "uri";

/// Prefix of every check failure after the macaroon count (litd wraps lnd's
/// error in a `proxyErr` with context `lit`).
pub(crate) const INVALID_MACAROON_PREFIX: &str = "proxy error with context lit: invalid macaroon: ";

/// A rejected call. The message is what litd returns, as gRPC code Unknown
/// (HTTP 500 over REST); the transport does that mapping.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct AuthError {
    /// The exact text litd would send.
    pub(crate) message: String,
}

impl AuthError {
    fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
        }
    }

    fn invalid(reason: impl std::fmt::Display) -> Self {
        Self::new(format!("{INVALID_MACAROON_PREFIX}{reason}"))
    }
}

/// Every entity:action a method needs (`perms/permissions.go`), from the
/// RPC registry, or `None` when the method is not one litd serves.
pub(crate) fn required_permissions(
    full_method: &str,
) -> Option<&'static [(&'static str, &'static str)]> {
    crate::rpc::Rpc::from_full_method(full_method).map(|rpc| rpc.spec().permissions)
}

/// A decoded macaroon, for tests and tools.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct MacaroonInfo {
    /// Location (`litd`).
    pub(crate) location: String,
    /// The whole identifier, version byte included.
    pub(crate) identifier: Vec<u8>,
    /// The decoded identifier.
    pub(crate) id: MacaroonId,
    /// First-party caveat conditions, in order.
    pub(crate) first_party_caveats: Vec<String>,
    /// Number of third-party caveats.
    pub(crate) third_party_caveats: usize,
    /// The 32-byte signature.
    pub(crate) signature: [u8; 32],
}

/// Decodes a binary macaroon. Fails with lnd's texts (without litd's
/// prefix) for anything lnd would reject before looking at the root key.
pub(crate) fn inspect(raw: &[u8]) -> Result<MacaroonInfo, AuthError> {
    let (m, id) = verify::parse_v2_id3(raw).map_err(AuthError::new)?;
    Ok(describe(&m, id))
}

fn describe(m: &wire::WireMacaroon, id: MacaroonId) -> MacaroonInfo {
    MacaroonInfo {
        location: gofmt::lossy(&m.location),
        identifier: m.id.clone(),
        id,
        first_party_caveats: m
            .caveats
            .iter()
            .filter(|c| !c.is_third_party())
            .map(|c| gofmt::lossy(&c.id))
            .collect(),
        third_party_caveats: m.caveats.iter().filter(|c| c.is_third_party()).count(),
        signature: m.sig,
    }
}

/// Holds litd's macaroon root keys and bakes and checks macaroons with them.
pub struct Authenticator {
    root_keys: BTreeMap<Vec<u8>, [u8; 32]>,
    /// Macaroons that passed init, by header text (see `memo.rs`).
    verified: memo::VerifiedMemo,
    /// The same for super macaroons (checked as lnd would, `super_mac.rs`).
    verified_super: memo::VerifiedMemo,
}

impl Clone for Authenticator {
    /// A clone starts with an empty memo: its root keys may change apart.
    fn clone(&self) -> Self {
        Self {
            root_keys: self.root_keys.clone(),
            verified: Default::default(),
            verified_super: Default::default(),
        }
    }
}

impl std::fmt::Debug for Authenticator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print key material.
        f.debug_struct("Authenticator")
            .field(
                "root_key_ids",
                &self
                    .root_keys
                    .keys()
                    .map(|k| gofmt::lossy(k))
                    .collect::<Vec<_>>(),
            )
            .finish()
    }
}

impl Authenticator {
    /// An authenticator whose root key `"0"` is `root_key`.
    pub fn new(root_key: [u8; 32]) -> Self {
        let mut root_keys = BTreeMap::new();
        root_keys.insert(DEFAULT_ROOT_KEY_ID.to_vec(), root_key);
        Self {
            root_keys,
            verified: Default::default(),
            verified_super: Default::default(),
        }
    }

    /// Adds (or replaces) a root key under another ID, as lnd's store holds
    /// one key per ID.
    #[cfg(test)]
    pub(crate) fn insert_root_key(&mut self, root_key_id: &[u8], root_key: [u8; 32]) {
        self.root_keys.insert(root_key_id.to_vec(), root_key);
        self.verified.clear();
        self.verified_super.clear();
    }

    /// Bakes a macaroon with root key `"0"`, these ops (sorted, deduplicated
    /// and grouped as the bakery does) and these first-party caveats. An
    /// empty op list is allowed here (lnd refuses to bake one) so tests can
    /// produce `no operations found in macaroon`.
    pub fn bake(&self, ops: &[(&str, &[&str])], caveats: &[&str]) -> Vec<u8> {
        let key = self
            .root_keys
            .get(DEFAULT_ROOT_KEY_ID)
            .copied()
            .unwrap_or([0; 32]);
        bake_raw(&key, DEFAULT_ROOT_KEY_ID, ops, caveats)
    }

    /// lit.macaroon: all of `LIT_MACAROON_OPS`, no caveats.
    pub fn bake_lit_macaroon(&self) -> Vec<u8> {
        self.bake(LIT_MACAROON_OPS, &[])
    }

    /// A read-only macaroon: `autopilot:read` only.
    pub fn bake_read_only(&self) -> Vec<u8> {
        self.bake(&[("autopilot", &["read"])], &[])
    }

    /// A macaroon holding `uri:<method>` for each given full method.
    pub(crate) fn bake_uri(&self, full_methods: &[&str]) -> Vec<u8> {
        self.bake(&[(URI_ENTITY, full_methods)], &[])
    }

    /// Checks one call to a litd method, as litd does before running the
    /// handler: `Self::check_ops` with the method's ops from the registry
    /// (`unknown request` for a method litd does not serve; nothing to
    /// check for one that needs no macaroon).
    ///
    /// `values` are all values of the `macaroon` gRPC metadata key (or of the
    /// REST `Grpc-Metadata-Macaroon` header) as received: the raw header
    /// bytes, which need not be UTF-8 (see `decode_header_hex`);
    /// `full_method` is e.g. `/litrpc.Autopilot/AddAutopilotSession`.
    pub fn check(
        &self,
        values: &[impl AsRef<[u8]>],
        full_method: &str,
        now: SystemTime,
    ) -> Result<(), AuthError> {
        let Some(required) = required_permissions(full_method) else {
            return Err(AuthError::new("unknown request"));
        };
        if required.is_empty() {
            return Ok(());
        }
        self.check_ops(values, required, full_method, now)
    }

    /// The check: one value, hex, then steps 1-5, with steps 1-4
    /// remembered per macaroon (`memo.rs`). `required` are the ops the
    /// macaroon must allow, `uri` the `uri:<uri>` op tried instead (the
    /// full method for an RPC, the path for the mock's admin API).
    ///
    /// Like lnd, a failed entity:action check is retried with the
    /// `uri:<uri>` op and the retry's error is returned; the bakery checks
    /// the caveats on both attempts, so a failing caveat (e.g. an expired
    /// `time-before`) reads its own text on any macaroon, and `permission
    /// denied` only comes when every caveat holds. Never panics, whatever
    /// the input.
    pub(crate) fn check_ops(
        &self,
        values: &[impl AsRef<[u8]>],
        required: &[(&str, &str)],
        uri: &str,
        now: SystemTime,
    ) -> Result<(), AuthError> {
        let [value] = values else {
            return Err(AuthError::new(format!(
                "expected 1 macaroon, got {}",
                values.len()
            )));
        };
        let value = value.as_ref();
        let (init, lnd_checks) = match (self.verified.get(value), self.verified_super.get(value)) {
            (Some(init), _) => (init, false),
            (None, Some(init)) => (init, true),
            (None, None) => {
                let raw = decode_header_hex(value).map_err(AuthError::invalid)?;
                match self.super_root_keys(&raw) {
                    // A super macaroon goes to lnd, with lnd's wrapping.
                    Some(keys) => {
                        let init = self
                            .init(&raw, &keys, now)
                            .map_err(|e| AuthError::new(super_mac::lnd_rejection(&e)))?;
                        (self.verified_super.keep(value, init), true)
                    }
                    None => {
                        let init = self
                            .init(&raw, &self.root_keys, now)
                            .map_err(AuthError::invalid)?;
                        (self.verified.keep(value, init), false)
                    }
                }
            }
        };
        allow_ops_or_uri(&init, required, uri, now).map_err(|e| {
            if lnd_checks {
                AuthError::new(super_mac::lnd_rejection(&e))
            } else {
                AuthError::invalid(e)
            }
        })
    }

    /// Steps 1-4 of the check (see `verify.rs`) against these root keys.
    fn init(
        &self,
        raw: &[u8],
        root_keys: &BTreeMap<Vec<u8>, [u8; 32]>,
        now: SystemTime,
    ) -> Result<verify::Init, String> {
        let (m, id) = verify::parse_v2_id3(raw)?;
        verify::init(root_keys, &m, &id, unix_nanos(now))
    }

    /// Whether `raw` is a V2 macaroon signed with one of our root keys
    /// (signature chain only; caveats are not evaluated). Returns its
    /// decoded form when it is.
    pub(crate) fn verify_signature(&self, raw: &[u8]) -> Result<MacaroonInfo, AuthError> {
        let (m, id) = verify::parse_v2_id3(raw).map_err(AuthError::new)?;
        let super_keys = self.super_root_keys(raw);
        let keys = super_keys.as_ref().unwrap_or(&self.root_keys);
        let key = keys.get(&id.storage_id).ok_or_else(|| {
            AuthError::new(format!(
                "root key with id {} doesn't exist",
                gofmt::lossy(&id.storage_id)
            ))
        })?;
        verify::verify_signature(key, &m)
            .map_err(|e| AuthError::new(format!("verification failed: {e}")))?;
        Ok(describe(&m, id))
    }
}

/// A `macaroon` header value decoded as lnd does it: Go's
/// `hex.DecodeString` on the raw bytes. A byte that is not a hex digit is
/// reported as that byte (`encoding/hex: invalid byte: U+00FF 'ÿ'` for a raw
/// 0xFF), never as a character decoded from UTF-8: net/http and grpc-go
/// hand obs-text bytes on unchanged (reference, Correction 8).
pub(crate) fn decode_header_hex(value: &[u8]) -> Result<Vec<u8>, String> {
    gofmt::hex_decode(value)
}

/// Step 5: every required op, else `uri:<uri>`, whose error counts.
fn allow_ops_or_uri(
    init: &verify::Init,
    required: &[(&str, &str)],
    uri: &str,
    now: SystemTime,
) -> Result<(), String> {
    let now = unix_nanos(now);
    if required
        .iter()
        .all(|op| verify::allow(init, *op, now).is_ok())
    {
        return Ok(());
    }
    verify::allow(init, (URI_ENTITY, uri), now)
}

/// Bakes with an explicit root key and root-key ID (e.g. to produce a
/// macaroon whose ID our store does not know).
pub(crate) fn bake_raw(
    root_key: &[u8; 32],
    root_key_id: &[u8],
    ops: &[(&str, &[&str])],
    caveats: &[&str],
) -> Vec<u8> {
    let mut nonce = [0u8; 16];
    rand::fill(&mut nonce);
    let id = MacaroonId {
        nonce: nonce.to_vec(),
        storage_id: root_key_id.to_vec(),
        ops: macaroon_id::canonical_ops(ops),
    };
    let mut identifier = vec![macaroon_id::ID_VERSION];
    identifier.extend(id.encode());
    let mut m = wire::WireMacaroon {
        version: 2,
        location: MACAROON_LOCATION.as_bytes().to_vec(),
        id: identifier,
        caveats: Vec::new(),
        sig: [0; 32],
    };
    m.sig = wire::hmac(&wire::derive_key(root_key), &m.id);
    let mut raw = wire::encode_v2(&m);
    for c in caveats {
        // Our own encoding always parses, so this only appends.
        if let Ok(more) = add_first_party_caveat(&raw, c) {
            raw = more;
        }
    }
    raw
}

/// Appends a first-party caveat to any V2 macaroon (no key needed: the new
/// signature is `HMAC(old signature, caveat)`), as litcli does with
/// `time-before`.
pub(crate) fn add_first_party_caveat(raw: &[u8], caveat: &str) -> Result<Vec<u8>, AuthError> {
    let mut m = wire::parse(raw).map_err(AuthError::new)?;
    if m.version != 2 {
        return Err(AuthError::new(format!(
            "unknown macaroon version: v{}",
            m.version
        )));
    }
    m.sig = wire::hmac(&m.sig, caveat.as_bytes());
    m.caveats.push(wire::WireCaveat {
        id: caveat.as_bytes().to_vec(),
        vid: Vec::new(),
        location: Vec::new(),
    });
    Ok(wire::encode_v2(&m))
}

/// `time-before <RFC3339Nano UTC>`, formatted as Go formats it.
#[cfg(test)]
pub(crate) fn time_before_caveat(t: SystemTime) -> String {
    format!("time-before {}", format_rfc3339_nano(t))
}

/// Flips one bit of the signature (the last byte of the encoding) so the
/// macaroon parses but fails `signature mismatch after caveat verification`.
pub(crate) fn tamper_signature(raw: &[u8]) -> Vec<u8> {
    let mut out = raw.to_vec();
    if let Some(last) = out.last_mut() {
        *last ^= 0x01;
    }
    out
}

/// Hex text as clients send it in the `macaroon` metadata value.
#[cfg(test)]
pub(crate) fn to_hex(raw: &[u8]) -> String {
    hex::encode(raw)
}
