//! secp256k1 key parsing with the error texts litd's Go library
//! (decred secp256k1, through btcec) gives, and the signature a linked
//! session's registration carries.

use rand::rngs::StdRng;
use rand::{RngCore, SeedableRng};
use secp256k1::{ecdsa::Signature, Message, PublicKey, Scalar, SecretKey};
use sha2::{Digest, Sha256};

/// Compressed public key length.
pub(crate) const COMPRESSED_LEN: usize = 33;
const UNCOMPRESSED_LEN: usize = 65;

/// The secp256k1 field prime, big-endian.
const FIELD_PRIME: [u8; 32] = [
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe, 0xff, 0xff, 0xfc, 0x2f,
];

/// The compressed public key of `sk`, without re-randomizing secp256k1's
/// context afterwards. `SecretKey::public_key` in secp256k1 0.33 re-blinds
/// the thread's context after every key generation (a second point
/// multiplication plus system randomness): a side-channel defence for
/// long-lived secrets that doubles the cost of the throwaway keys a test
/// double makes, and was a third of Add's CPU time. The result is the same
/// key (`keys_match_the_library` below).
#[cfg(test)]
pub(crate) fn public_key_of(sk: &SecretKey) -> [u8; COMPRESSED_LEN] {
    public_point_of(sk).serialize()
}

/// [`public_key_of`] as a point.
pub(crate) fn public_point_of(sk: &SecretKey) -> PublicKey {
    use secp256k1::ffi::{self, CPtr};
    let created = secp256k1::with_raw_global_context(
        |ctx| {
            // SAFETY: `ctx` is the thread's valid signing context for the
            // duration of the closure; `raw` is a properly sized out
            // parameter, only read once the call reports success; `sk`
            // points at a valid 32-byte secret key.
            unsafe {
                let mut raw = ffi::PublicKey::new();
                let ok = ffi::secp256k1_ec_pubkey_create(ctx.as_ptr(), &mut raw, sk.as_c_ptr());
                (ok == 1).then_some(raw)
            }
        },
        None,
    );
    match created {
        Some(raw) => PublicKey::from(raw),
        // Never for a valid SecretKey; the library's own path as a fallback.
        None => sk.public_key(),
    }
}

/// Key pairs at the cost of a point addition each: `(s, s*G)`, then
/// `(s + d, s*G + d*G)`, and so on, for a random start `s` and step `d`.
/// A full key generation (a constant-time scalar multiplication) was a
/// third of an Add's CPU time, and the in-process server's random point
/// (two field square roots on average) another quarter.
///
/// Every pair is a real one (the secret's public key is the point, see the
/// tests), so a session's secret still signs its group's links. What a
/// client of litd can observe: valid compressed keys that never repeat
/// within a sequence (`n*d` is not 0 below the group order) and look like
/// independent random keys; only point arithmetic on two of them, which
/// nothing in litd or its clients does, shows the constant step. Without a
/// seed, `s` and `d` come from the OS; with one, the same draws follow.
pub(crate) struct KeySequence {
    secret: SecretKey,
    public: PublicKey,
    step: Scalar,
    step_public: PublicKey,
    /// For a fresh start, should a sum ever be zero (a chance of 2^-256).
    rng: StdRng,
}

impl KeySequence {
    /// A sequence whose start and step are drawn from `rng` (through an RNG
    /// of its own, seeded from it).
    pub(crate) fn new<R: RngCore>(rng: &mut R) -> Self {
        let mut own = StdRng::from_rng(rng);
        let (secret, public) = fresh_pair(&mut own);
        let (step, step_public) = fresh_pair(&mut own);
        Self {
            secret,
            public,
            step: Scalar::from(step),
            step_public,
            rng: own,
        }
    }

    /// The next key pair.
    pub(crate) fn next_pair(&mut self) -> (SecretKey, PublicKey) {
        let pair = (self.secret, self.public);
        match (
            self.secret.add_tweak(&self.step),
            self.public.combine(&self.step_public),
        ) {
            (Ok(secret), Ok(public)) => (self.secret, self.public) = (secret, public),
            _ => (self.secret, self.public) = fresh_pair(&mut self.rng),
        }
        pair
    }
}

impl std::fmt::Debug for KeySequence {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeySequence").finish_non_exhaustive()
    }
}

fn fresh_pair(rng: &mut StdRng) -> (SecretKey, PublicKey) {
    let secret = SecretKey::new(rng);
    (secret, public_point_of(&secret))
}

/// Parses a 33-byte compressed or 65-byte uncompressed/hybrid key and returns
/// its compressed form. Errors read as decred's `ParsePubKey` words them.
pub(crate) fn parse_public_key(bytes: &[u8]) -> Result<[u8; COMPRESSED_LEN], String> {
    let format = match bytes.len() {
        COMPRESSED_LEN | UNCOMPRESSED_LEN => bytes[0],
        n => return Err(format!("malformed public key: invalid length: {n}")),
    };
    let format_ok = match bytes.len() {
        COMPRESSED_LEN => matches!(format, 0x02 | 0x03),
        _ => matches!(format, 0x04 | 0x06 | 0x07),
    };
    if !format_ok {
        return Err(format!(
            "invalid public key: unsupported format: {format:x}"
        ));
    }
    let x = &bytes[1..33];
    if *x >= FIELD_PRIME[..] {
        return Err("invalid public key: x >= field prime".to_string());
    }
    if bytes.len() == UNCOMPRESSED_LEN && bytes[33..] >= FIELD_PRIME[..] {
        return Err("invalid public key: y >= field prime".to_string());
    }
    match PublicKey::from_slice(bytes) {
        Ok(key) => Ok(key.serialize()),
        Err(_) if bytes.len() == COMPRESSED_LEN => Err(format!(
            "invalid public key: x coordinate {} is not on the secp256k1 curve",
            hex::encode(x)
        )),
        Err(_) => Err(format!(
            "invalid public key: [{},{}] not on secp256k1 curve",
            hex::encode(x),
            hex::encode(&bytes[33..])
        )),
    }
}

/// The key a remote server answered a registration with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RemoteKey {
    /// Bytes as a server sent them (over gRPC, or from a stub script):
    /// parsed as litd parses them.
    Sent(Vec<u8>),
    /// A point the in-process server made itself: a valid key by
    /// construction, handed over parsed so it is not decompressed again (a
    /// field square root per Add).
    Made(PublicKey),
}

impl RemoteKey {
    /// The key's bytes on the wire (compressed for a made key).
    pub(crate) fn to_bytes(&self) -> Vec<u8> {
        match self {
            RemoteKey::Sent(bytes) => bytes.clone(),
            RemoteKey::Made(key) => key.serialize().to_vec(),
        }
    }

    /// The compressed key, or the error [`parse_public_key`] gives.
    pub(crate) fn parse(&self) -> Result<[u8; COMPRESSED_LEN], String> {
        match self {
            RemoteKey::Sent(bytes) => parse_public_key(bytes),
            RemoteKey::Made(key) => Ok(key.serialize()),
        }
    }
}

impl From<Vec<u8>> for RemoteKey {
    fn from(bytes: Vec<u8>) -> Self {
        RemoteKey::Sent(bytes)
    }
}

/// The DER ECDSA signature (RFC 6979) by `signer` over single SHA-256 of
/// `new_key`: what litd sends as `group_responder_sig` for a linked session.
pub(crate) fn sign_group_link(signer: &SecretKey, new_key: &[u8; COMPRESSED_LEN]) -> Vec<u8> {
    let digest: [u8; 32] = Sha256::digest(new_key).into();
    signer
        .sign_ecdsa(Message::from_digest(digest))
        .serialize_der()
        .to_vec()
}

/// Checks a `group_responder_sig` the way litd's test server does. Errors are
/// that server's words: a DER parse failure, or `invalid signature`.
pub fn verify_group_link(group_key: &[u8], new_key: &[u8], der_sig: &[u8]) -> Result<(), String> {
    let sig = Signature::from_der(der_sig).map_err(|e| format!("malformed signature: {e}"))?;
    let key = PublicKey::from_slice(group_key).map_err(|_| "unknown group key".to_string())?;
    let digest: [u8; 32] = Sha256::digest(new_key).into();
    sig.verify(Message::from_digest(digest), &key)
        .map_err(|_| "invalid signature".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_match_the_library() {
        for b in 1..=20u8 {
            let sk = SecretKey::from_secret_bytes([b; 32]).expect("valid scalar");
            assert_eq!(public_key_of(&sk), sk.public_key().serialize());
        }
    }

    fn a_key() -> (SecretKey, [u8; 33]) {
        let sk = SecretKey::from_secret_bytes([7u8; 32]).expect("valid scalar");
        (sk, sk.public_key().serialize())
    }

    #[test]
    fn lengths_other_than_33_and_65_are_malformed() {
        for n in [0usize, 1, 32, 34, 64, 66] {
            assert_eq!(
                parse_public_key(&vec![2u8; n]),
                Err(format!("malformed public key: invalid length: {n}"))
            );
        }
    }

    #[test]
    fn compressed_and_uncompressed_parse_to_compressed() {
        let (sk, compressed) = a_key();
        assert_eq!(parse_public_key(&compressed), Ok(compressed));
        let uncompressed = sk.public_key().serialize_uncompressed();
        assert_eq!(parse_public_key(&uncompressed), Ok(compressed));
    }

    #[test]
    fn bad_format_byte_and_off_curve_x() {
        let (_, mut k) = a_key();
        k[0] = 0x05;
        assert_eq!(
            parse_public_key(&k),
            Err("invalid public key: unsupported format: 5".into())
        );
        let mut off = [0u8; 33];
        off[0] = 0x02;
        off[32] = 5; // x = 5 has no curve point
        let err = parse_public_key(&off).expect_err("x=5 is not on the curve");
        assert!(err.ends_with("is not on the secp256k1 curve"), "{err}");
        let mut big = [0xffu8; 33];
        big[0] = 0x02;
        assert_eq!(
            parse_public_key(&big),
            Err("invalid public key: x >= field prime".into())
        );
    }

    #[test]
    fn a_sequence_gives_distinct_real_pairs_reproducibly() {
        let seeded = |seed| KeySequence::new(&mut StdRng::seed_from_u64(seed));
        let (mut a, mut b, mut c) = (seeded(1), seeded(1), seeded(2));
        let pairs: Vec<(SecretKey, PublicKey)> = (0..100).map(|_| a.next_pair()).collect();
        assert_eq!(pairs, (0..100).map(|_| b.next_pair()).collect::<Vec<_>>());
        assert_ne!(pairs[0], c.next_pair());
        let mut seen = std::collections::HashSet::new();
        for (secret, public) in &pairs {
            // A real pair: the library's own key generation agrees ...
            assert_eq!(secret.public_key(), *public);
            // ... and the key parses from its bytes (it is on the curve).
            assert_eq!(
                parse_public_key(&public.serialize()),
                Ok(public.serialize())
            );
            assert!(seen.insert(public.serialize()), "a key repeated");
        }
        let (mut x, mut y) = (
            KeySequence::new(&mut StdRng::from_os_rng()),
            KeySequence::new(&mut StdRng::from_os_rng()),
        );
        assert_ne!(x.next_pair(), y.next_pair());
    }

    #[test]
    fn a_made_key_parses_as_its_bytes_would() {
        let (sk, compressed) = a_key();
        let made = RemoteKey::Made(sk.public_key());
        assert_eq!(made.to_bytes(), compressed.to_vec());
        assert_eq!(made.parse(), parse_public_key(&compressed));
        let sent = RemoteKey::from(vec![2u8; 3]);
        assert_eq!(sent.to_bytes(), vec![2u8; 3]);
        assert_eq!(
            sent.parse(),
            Err("malformed public key: invalid length: 3".into())
        );
    }

    #[test]
    fn group_signature_round_trips() {
        let (sk, group_key) = a_key();
        let (_, new_key) = {
            let sk2 = SecretKey::from_secret_bytes([9u8; 32]).expect("valid scalar");
            (sk2, sk2.public_key().serialize())
        };
        let sig = sign_group_link(&sk, &new_key);
        assert_eq!(verify_group_link(&group_key, &new_key, &sig), Ok(()));
        assert_eq!(
            verify_group_link(&group_key, &group_key, &sig),
            Err("invalid signature".into())
        );
        assert!(verify_group_link(&group_key, &new_key, b"junk").is_err());
    }
}
