//! litd's "super macaroons" (`macaroons/super_mac.go`): macaroons whose
//! root-key ID, read as the decimal `storageId` of the identifier, has the
//! top 4 bytes `FF EE DD CC`. litd does not check them itself: it asks lnd
//! (`CheckMacaroonPermissions`), whose macaroon service has its own root-key
//! store. `Proxy.BakeSuperMacaroon` bakes them through lnd's `BakeMacaroon`
//! (litd-front-door.md §3.6, §7.2).
//!
//! The mock has no lnd. Its stand-in for lnd's root-key store derives the
//! key of each super root-key ID from the lit dir's root key (HMAC-SHA256),
//! so a super macaroon baked before a restart with the same lit dir is still
//! accepted, as lnd's stored keys are, and nothing needs to be kept.

use std::collections::BTreeMap;

use super::macaroon_id::{self, MacaroonId, ID_VERSION};
use super::{verify, wire, Authenticator};

/// The top 32 bits of every super macaroon's root-key ID.
pub(crate) const SUPER_MACAROON_PREFIX: u32 = 0xFFEE_DDCC;

/// Location of the macaroons lnd bakes.
pub(crate) const LND_LOCATION: &str = "lnd";

/// `FFEEDDCC || suffix` as lnd's numeric root-key ID.
pub(crate) fn super_root_key_id(suffix: u32) -> u64 {
    (u64::from(SUPER_MACAROON_PREFIX) << 32) | u64::from(suffix)
}

/// litd's `IsSuperMacaroon` test on a decoded identifier's storage ID:
/// Go's `strconv.ParseUint(storageId, 10, 64)` must succeed and the top 4
/// bytes must be the prefix.
pub(crate) fn is_super_storage_id(storage_id: &[u8]) -> bool {
    parse_go_uint64(storage_id).is_some_and(|id| (id >> 32) as u32 == SUPER_MACAROON_PREFIX)
}

/// `strconv.ParseUint(s, 10, 64)`: ASCII digits only (an optional `_`
/// grouping is only allowed with base 0), no sign, no overflow.
fn parse_go_uint64(s: &[u8]) -> Option<u64> {
    if s.is_empty() {
        return None;
    }
    s.iter().try_fold(0u64, |acc, &b| {
        let digit = char::from(b).to_digit(10)?;
        acc.checked_mul(10)?.checked_add(u64::from(digit))
    })
}

/// The root key the mock's lnd stand-in holds for a super root-key ID.
pub(crate) fn derived_root_key(lit_root_key: &[u8; 32], storage_id: &[u8]) -> [u8; 32] {
    wire::hmac2(
        lit_root_key,
        b"autopilot-mock super macaroon root key ",
        storage_id,
    )
}

/// A V2 macaroon as lnd's `BakeMacaroon` makes it: location `lnd`, a
/// version-3 identifier with a random nonce, the storage ID (the decimal
/// root-key ID) and the ops (sorted and grouped), no caveats.
pub(crate) fn bake(lit_root_key: &[u8; 32], root_key_id: u64, ops: &[(&str, &[&str])]) -> Vec<u8> {
    let storage_id = root_key_id.to_string().into_bytes();
    let root_key = derived_root_key(lit_root_key, &storage_id);
    let mut nonce = [0u8; 16];
    rand::fill(&mut nonce);
    let id = MacaroonId {
        nonce: nonce.to_vec(),
        storage_id,
        ops: macaroon_id::canonical_ops(ops),
    };
    let mut identifier = vec![ID_VERSION];
    identifier.extend(id.encode());
    let mut m = wire::WireMacaroon {
        version: 2,
        location: LND_LOCATION.as_bytes().to_vec(),
        id: identifier,
        caveats: Vec::new(),
        sig: [0; 32],
    };
    m.sig = wire::hmac(&wire::derive_key(&root_key), &m.id);
    wire::encode_v2(&m)
}

/// lnd's `CheckMacaroonPermissions` answers a failed check with
/// `InvalidArgument` and the macaroon service's text; litd wraps the gRPC
/// error it gets back (`terminal.go validateSuperMacaroon`).
pub(crate) fn lnd_rejection(reason: &str) -> String {
    format!("lnd macaroon validation failed: rpc error: code = InvalidArgument desc = {reason}")
}

impl Authenticator {
    /// For a super macaroon (litd's `IsSuperMacaroon`: it parses, its ID is
    /// version 3 and its storage ID a decimal with the `FFEEDDCC` prefix),
    /// the root key lnd's store holds for its ID; `None` for anything else,
    /// which litd checks itself.
    pub(super) fn super_root_keys(&self, raw: &[u8]) -> Option<BTreeMap<Vec<u8>, [u8; 32]>> {
        let (_, id) = verify::parse_v2_id3(raw).ok()?;
        if !is_super_storage_id(&id.storage_id) {
            return None;
        }
        let lit_key = self.root_keys.get(super::DEFAULT_ROOT_KEY_ID)?;
        let key = derived_root_key(lit_key, &id.storage_id);
        Some(BTreeMap::from([(id.storage_id, key)]))
    }

    /// `Proxy.BakeSuperMacaroon`'s macaroon (§7.2): root-key ID
    /// `FFEEDDCC || suffix`, these ops, no caveats, location `lnd`; accepted
    /// by [`Self::check`] from then on.
    pub(crate) fn bake_super_macaroon(
        &self,
        root_key_id_suffix: u32,
        ops: &[(&str, &[&str])],
    ) -> Vec<u8> {
        let lit_key = self
            .root_keys
            .get(super::DEFAULT_ROOT_KEY_ID)
            .copied()
            .unwrap_or([0; 32]);
        bake(&lit_key, super_root_key_id(root_key_id_suffix), ops)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_key_ids_are_the_prefix_and_the_suffix() {
        assert_eq!(super_root_key_id(0), 18_441_921_392_371_826_688);
        assert_eq!(super_root_key_id(0).to_string(), "18441921392371826688");
        assert!(is_super_storage_id(b"18441921392371826688"));
        assert!(is_super_storage_id(
            super_root_key_id(u32::MAX).to_string().as_bytes()
        ));
        for not_super in [
            &b"0"[..],
            b"",
            b"+18441921392371826688",
            b"18441921392371826688 ",
            b"18441921392371826687",
            b"99999999999999999999999",
        ] {
            assert!(!is_super_storage_id(not_super), "{not_super:?}");
        }
    }

    #[test]
    fn each_root_key_id_has_its_own_key() {
        let a = derived_root_key(&[1; 32], b"18441921392371826688");
        assert_eq!(a, derived_root_key(&[1; 32], b"18441921392371826688"));
        assert_ne!(a, derived_root_key(&[1; 32], b"18441921392371826689"));
        assert_ne!(a, derived_root_key(&[2; 32], b"18441921392371826688"));
    }
}

#[cfg(test)]
mod check_tests {
    use std::time::{Duration, UNIX_EPOCH};

    use super::super::{to_hex, Authenticator, LIT_MACAROON_OPS};

    const LIST: &str = "/litrpc.Sessions/ListSessions";
    const ADD: &str = "/litrpc.Sessions/AddSession";

    fn check(a: &Authenticator, raw: &[u8], method: &str) -> Result<(), String> {
        let now = UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        a.check(&[to_hex(raw)], method, now).map_err(|e| e.message)
    }

    fn read_only() -> Vec<(&'static str, &'static [&'static str])> {
        LIT_MACAROON_OPS
            .iter()
            .filter(|(_, actions)| actions.contains(&"read"))
            .map(|(entity, _)| (*entity, &["read"][..]))
            .collect()
    }

    #[test]
    fn a_baked_super_macaroon_is_accepted_for_its_ops_only() {
        let a = Authenticator::new([7; 32]);
        let raw = a.bake_super_macaroon(0, &read_only());
        let info = super::super::inspect(&raw).expect("parses");
        assert_eq!(info.location, "lnd");
        assert_eq!(info.id.storage_id, b"18441921392371826688");
        for _ in 0..2 {
            assert_eq!(check(&a, &raw, LIST), Ok(()));
            assert_eq!(
                check(&a, &raw, ADD),
                Err(
                    "lnd macaroon validation failed: rpc error: code = InvalidArgument \
                     desc = permission denied"
                        .to_string()
                ),
                "lnd's wrapping, remembered or not"
            );
        }
        // The same lit dir key accepts it after a restart.
        assert_eq!(check(&Authenticator::new([7; 32]), &raw, LIST), Ok(()));
    }

    #[test]
    fn a_foreign_or_tampered_super_macaroon_is_refused_in_lnds_words() {
        let a = Authenticator::new([7; 32]);
        let foreign = Authenticator::new([8; 32]).bake_super_macaroon(5, &read_only());
        let tampered = super::super::tamper_signature(&a.bake_super_macaroon(5, &read_only()));
        for raw in [foreign, tampered] {
            assert_eq!(
                check(&a, &raw, LIST),
                Err(
                    "lnd macaroon validation failed: rpc error: code = InvalidArgument \
                     desc = verification failed: signature mismatch after caveat verification"
                        .to_string()
                )
            );
        }
    }

    #[test]
    fn a_litd_macaroon_with_a_super_looking_id_is_still_litds_to_check() {
        // A root-key ID that is not decimal is not super: litd's own check
        // runs and knows no such root key.
        let a = Authenticator::new([7; 32]);
        let raw = super::super::bake_raw(&[7; 32], b"ffeeddcc", &[("sessions", &["read"])], &[]);
        let got = check(&a, &raw, LIST);
        assert!(
            got.as_ref().is_err_and(|e| e.starts_with(
                "proxy error with context lit: invalid macaroon: cannot retrieve macaroon"
            )),
            "{got:?}"
        );
    }
}
