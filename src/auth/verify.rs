//! lnd's `CheckMacAuth` as litd runs it for its own RPCs.
//!
//! The steps and the error each one yields, in lnd's order:
//! 1. go-macaroon `UnmarshalBinary` (parse texts, see `wire`);
//! 2. version must be 2: `unknown macaroon version: v1`;
//! 3. identifier must start with byte 3: `invalid ID`;
//! 4. bakery `AuthChecker` init: decode the identifier, fetch the root key
//!    (`cannot retrieve macaroon: ...` ends the check at once), verify the
//!    signature chain (a failure is kept as `verification failed: ...`);
//! 5. `Allow(required entity:action)`; if that fails, a second, fresh
//!    `Allow(uri:<full method>)` whose error is the one returned. An `Allow`
//!    error is the first of [init errors, caveat errors of this call], or
//!    `permission denied` when there are none.
//!
//! bakery v2.3.0's `Allow` checks the first-party caveats of every verified
//! macaroon whatever op was asked (reference, Correction 1), so a failing
//! caveat wins over `permission denied` on both attempts: lit.macaroon with
//! an expired `time-before` reads `... macaroon has expired`, and a missing
//! op together with a failing caveat reads the caveat's text too.

use std::collections::BTreeMap;

use super::macaroon_id::{MacaroonId, ID_VERSION};
use super::wire::{self, WireMacaroon};
use crate::gocompat::fmt::{lossy, quote};
use crate::gocompat::parse_rfc3339_nano;

/// The bakery's `LoginOp`, which gets special treatment during init.
const LOGIN: (&str, &str) = ("login", "login");

/// The result of the bakery's per-macaroon init.
pub(crate) enum Init {
    /// Signature valid: the ops from the identifier and the first-party
    /// conditions, plus init errors the login handling may have added.
    Valid {
        ops: Vec<(String, String)>,
        conditions: Vec<Vec<u8>>,
        init_errors: Vec<String>,
    },
    /// A verification error (signature mismatch, third-party caveat).
    Invalid(String),
}

/// Steps 1–3: parse and check the version and identifier prefix.
pub(crate) fn parse_v2_id3(raw: &[u8]) -> Result<(WireMacaroon, MacaroonId), String> {
    let m = wire::parse(raw)?;
    if m.version != 2 {
        return Err(format!("unknown macaroon version: v{}", m.version));
    }
    if m.id.first() != Some(&ID_VERSION) {
        return Err("invalid ID".into());
    }
    let id = MacaroonId::decode(&m.id[1..])
        .map_err(|e| format!("cannot retrieve macaroon: cannot unmarshal macaroon id: {e}"))?;
    Ok((m, id))
}

/// Step 4. `Err` is a fatal init error (`cannot retrieve macaroon: ...`).
pub(crate) fn init(
    root_keys: &BTreeMap<Vec<u8>, [u8; 32]>,
    m: &WireMacaroon,
    id: &MacaroonId,
    now: i128,
) -> Result<Init, String> {
    if id.ops.first().is_none_or(|op| op.actions.is_empty()) {
        return Err("cannot retrieve macaroon: no operations found in macaroon".into());
    }
    let Some(root_key) = root_keys.get(&id.storage_id) else {
        return Err(format!(
            "cannot retrieve macaroon: cannot get macaroon: root key with id {} doesn't exist",
            lossy(&id.storage_id)
        ));
    };
    if let Err(reason) = verify_signature(root_key, m) {
        return Ok(Init::Invalid(format!("verification failed: {reason}")));
    }
    let ops = id.op_pairs();
    let conditions: Vec<Vec<u8>> = m.caveats.iter().map(|c| c.id.clone()).collect();
    let mut init_errors = Vec::new();
    if ops.iter().any(|(e, a)| (e.as_str(), a.as_str()) == LOGIN) {
        // A login macaroon: its caveats are checked now, and with no
        // identity service the bakery can never accept the declared identity.
        init_errors.push(match check_conditions(&conditions, now) {
            Err(e) => format!("cannot authorize login macaroon: {e}"),
            Ok(()) => "cannot decode declared identity: no identity declared or possible: \
                       no identity declared or possible"
                .to_string(),
        });
    }
    Ok(Init::Valid {
        ops,
        conditions,
        init_errors,
    })
}

/// go-macaroon `VerifySignature` with no discharge macaroons (lnd never
/// passes any), so the first third-party caveat always fails.
pub(crate) fn verify_signature(root_key: &[u8; 32], m: &WireMacaroon) -> Result<(), String> {
    let key = wire::derive_key(root_key);
    if let Some(i) = m.caveats.iter().position(|c| c.is_third_party()) {
        return Err(third_party_failure(&key, m, i));
    }
    if wire::chain(&key, m, m.caveats.len()) != m.sig {
        return Err("signature mismatch after caveat verification".into());
    }
    Ok(())
}

/// What go-macaroon reports at third-party caveat `i`: it decrypts the
/// caveat key (XSalsa20-Poly1305, done here by libmacaroon) and then looks
/// for a discharge macaroon that is never there.
fn third_party_failure(key: &[u8; 32], m: &WireMacaroon, i: usize) -> String {
    let cav = &m.caveats[i];
    if cav.vid.len() < 24 + 16 {
        return format!("failed to decrypt caveat {i} signature: message too short");
    }
    // Hand libmacaroon the prefix up to this caveat; it derives the same
    // chain key and stops at the same place.
    let prefix = WireMacaroon {
        version: 2,
        location: Vec::new(),
        id: m.id.clone(),
        caveats: m.caveats[..=i]
            .iter()
            .map(|c| wire::WireCaveat {
                // Unsigned hint; libmacaroon wants one on third-party caveats.
                location: if c.is_third_party() {
                    b"tp".to_vec()
                } else {
                    Vec::new()
                },
                ..c.clone()
            })
            .collect(),
        sig: m.sig,
    };
    let decrypt_failure = format!("failed to decrypt caveat {i} signature: decryption failure");
    let Ok(lm) = libmacaroon::Macaroon::deserialize_binary(&wire::encode_v2(&prefix)) else {
        // Beyond libmacaroon's size limits; Go would almost surely fail here.
        return decrypt_failure;
    };
    let mut verifier = libmacaroon::Verifier::default();
    verifier.satisfy_general(|_| true);
    match verifier.verify(&lm, &libmacaroon::MacaroonKey::from(*key), &[]) {
        Err(libmacaroon::MacaroonError::CryptoError(msg)) if msg.contains("length") => {
            format!("failed to decrypt caveat {i} signature: decrypted text is wrong length")
        }
        Err(libmacaroon::MacaroonError::CaveatNotSatisfied(_)) => format!(
            "cannot find discharge macaroon for caveat {}",
            hex::encode(&cav.id)
        ),
        _ => decrypt_failure,
    }
}

/// Step 5, one `Allow` call for one op: the macaroon's caveats are checked
/// whether or not it holds the op; the first error (init errors, then the
/// caveat error) is returned as is, `permission denied` when there is none.
pub(crate) fn allow(init: &Init, op: (&str, &str), now: i128) -> Result<(), String> {
    match init {
        Init::Invalid(e) => Err(e.clone()),
        Init::Valid {
            ops,
            conditions,
            init_errors,
        } => {
            let caveats = check_conditions(conditions, now);
            let holds_op = op != LOGIN && ops.iter().any(|(e, a)| (e.as_str(), a.as_str()) == op);
            if holds_op && caveats.is_ok() {
                return Ok(());
            }
            Err(init_errors
                .first()
                .cloned()
                .or(caveats.err())
                .unwrap_or_else(|| "permission denied".to_string()))
        }
    }
}

/// The bakery's `checkConditions`: every first-party caveat must hold. Only
/// the standard checkers `time-before`, `declared` and `error` are
/// registered for litd's service (bakery `allCheckers`; lndclient adds
/// none), so no caveat depends on the op being checked.
pub(crate) fn check_conditions(conditions: &[Vec<u8>], now: i128) -> Result<(), String> {
    let declared = infer_declared(conditions);
    conditions
        .iter()
        .try_for_each(|c| check_first_party(c, &declared, now))
}

/// `checkers.ParseCaveat`.
fn parse_caveat(cav: &[u8]) -> Result<(&[u8], &[u8]), &'static str> {
    match cav.iter().position(|&b| b == b' ') {
        _ if cav.is_empty() => Err("empty caveat"),
        None => Ok((cav, b"")),
        Some(0) => Err("caveat starts with space character"),
        Some(i) => Ok((&cav[..i], &cav[i + 1..])),
    }
}

/// `checkers.InferDeclaredFromConditions`: `declared key value` caveats;
/// a key declared twice with different values is dropped.
fn infer_declared(conditions: &[Vec<u8>]) -> BTreeMap<Vec<u8>, Vec<u8>> {
    let mut info: BTreeMap<Vec<u8>, Vec<u8>> = BTreeMap::new();
    let mut conflicts = Vec::new();
    for c in conditions {
        let Ok((b"declared", rest)) = parse_caveat(c) else {
            continue;
        };
        let Some((key, val)) = split_once_space(rest) else {
            continue;
        };
        match info.get(key) {
            Some(old) if old.as_slice() != val => conflicts.push(key.to_vec()),
            _ => {
                info.insert(key.to_vec(), val.to_vec());
            }
        }
    }
    for k in conflicts {
        info.remove(&k);
    }
    info
}

fn split_once_space(b: &[u8]) -> Option<(&[u8], &[u8])> {
    b.iter()
        .position(|&c| c == b' ')
        .map(|i| (&b[..i], &b[i + 1..]))
}

/// `checkers.Checker.CheckFirstPartyCaveat` with only the standard checkers
/// registered (what litd's own service has): `allow` and `deny` are not
/// among them (lnd's comment naming them is stale), so they are
/// `caveat not recognized` like any other unknown condition.
fn check_first_party(
    cav: &[u8],
    declared: &BTreeMap<Vec<u8>, Vec<u8>>,
    now: i128,
) -> Result<(), String> {
    let (cond, arg) =
        parse_caveat(cav).map_err(|e| format!("cannot parse caveat {}: {e}", quote(cav)))?;
    let result = match cond {
        b"time-before" => match parse_rfc3339_nano(arg) {
            Err(e) => Err(e),
            Ok(t) if now < t => Ok(()),
            Ok(_) => Err("macaroon has expired".to_string()),
        },
        b"declared" => check_declared(arg, declared),
        b"error" => Err("bad caveat".to_string()),
        _ => Err("caveat not recognized".to_string()),
    };
    result.map_err(|e| format!("caveat {} not satisfied: {e}", quote(cav)))
}

fn check_declared(arg: &[u8], declared: &BTreeMap<Vec<u8>, Vec<u8>>) -> Result<(), String> {
    let Some((key, want)) = split_once_space(arg) else {
        return Err("declared caveat has no value".into());
    };
    match declared.get(key) {
        None => Err(format!("got {}=null, expected {}", lossy(key), quote(want))),
        Some(got) if got.as_slice() != want => Err(format!(
            "got {}={}, expected {}",
            lossy(key),
            quote(got),
            quote(want)
        )),
        Some(_) => Ok(()),
    }
}
