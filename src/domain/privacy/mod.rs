//! litd's privacy mapper as far as the Autopilot service uses it: the
//! privacy flags (`session/privacy_flags.go`), a session group's map of real
//! to pseudo values (`firewalldb/privacy_mapper*.go`), and the obfuscation
//! of rule values (§2.2.6) and feature configs (§2.2.5, in `config.rs`).
//!
//! Where litd walks a Go map (random order), the mock walks sorted keys, so
//! which error wins and which pseudo value is drawn first are deterministic.

use std::collections::BTreeMap;

use rand::RngCore;

use crate::domain::rules::{ChannelRestrictRule, PeerRestrictRule, Rule};

mod config;
pub use config::obfuscate_config;

/// The alphabet of litd's pseudo strings.
const PSEUDO_ALPHABET: &[u8; 16] = b"abcdef0123456789";

/// A set of privacy flags. A set flag turns one kind of obfuscation off;
/// 0 means full privacy. Flag n is bit `1 << n`, in litd's order:
/// ClearPubkeys, ClearAmounts, ClearChanIDs, ClearTimeStamps,
/// ClearChanInitiator, ClearHTLCs, ClearClosingTxIds, ClearNetworkAddresses.
/// The mock obfuscates only what autopilot rules and feature configs carry
/// (pubkeys and channel ids), so only those two have constants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PrivacyFlags(pub(crate) u64);

impl PrivacyFlags {
    pub(crate) const CLEAR_PUBKEYS: u64 = 1;
    pub(crate) const CLEAR_CHAN_IDS: u64 = 1 << 2;
    /// Every flag litd knows.
    pub(crate) const KNOWN: u64 = 0xff;

    /// litd's `Deserialize`: any bit above 7 is refused, naming the lowest.
    pub fn parse(raw: u64) -> Result<PrivacyFlags, String> {
        let unknown = raw & !Self::KNOWN;
        if unknown != 0 {
            return Err(format!(
                "unknown privacy flag: Unknown: {}",
                unknown.trailing_zeros()
            ));
        }
        Ok(PrivacyFlags(raw))
    }

    /// True if every bit of `flag` (one of the constants) is set.
    pub(crate) fn contains(self, flag: u64) -> bool {
        flag != 0 && self.0 & flag == flag
    }

    pub(crate) fn bits(self) -> u64 {
        self.0
    }
}

/// Real <-> pseudo value pairs of one session group (litd's privacy map;
/// strings both sides). Both directions are unique, as litd's database
/// enforces.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PrivacyMap {
    real_to_pseudo: BTreeMap<String, String>,
    pseudo_to_real: BTreeMap<String, String>,
}

impl PrivacyMap {
    /// An empty map (a group that has obfuscated nothing yet).
    pub const fn new() -> Self {
        PrivacyMap {
            real_to_pseudo: BTreeMap::new(),
            pseudo_to_real: BTreeMap::new(),
        }
    }

    pub(crate) fn real_to_pseudo(&self, real: &str) -> Option<&str> {
        self.real_to_pseudo.get(real).map(String::as_str)
    }

    pub(crate) fn pseudo_to_real(&self, pseudo: &str) -> Option<&str> {
        self.pseudo_to_real.get(pseudo).map(String::as_str)
    }

    /// Adds a pair. Adding a pair that is already there is a no-op. A real
    /// value that already has another pseudo value gets litd's in-memory
    /// text; a pseudo value already used for another real value gets the
    /// database's text.
    pub(crate) fn add_pair(&mut self, real: &str, pseudo: &str) -> Result<(), String> {
        if let Some(existing) = self.real_to_pseudo.get(real) {
            if existing == pseudo {
                return Ok(());
            }
            return Err(format!(
                "cannot replace existing pseudo entry for real value: {real}"
            ));
        }
        if self.pseudo_to_real.contains_key(pseudo) {
            return Err("an entry with the given pseudo value already exists".to_string());
        }
        self.real_to_pseudo
            .insert(real.to_string(), pseudo.to_string());
        self.pseudo_to_real
            .insert(pseudo.to_string(), real.to_string());
        Ok(())
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.real_to_pseudo.len()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.real_to_pseudo.is_empty()
    }

    /// (real, pseudo), sorted by real.
    pub(crate) fn pairs(&self) -> impl Iterator<Item = (&str, &str)> {
        self.real_to_pseudo
            .iter()
            .map(|(r, p)| (r.as_str(), p.as_str()))
    }
}

/// litd's `NewPseudoStr`: `len` characters from the pseudo alphabet.
pub(crate) fn pseudo_str(len: usize, rng: &mut dyn RngCore) -> String {
    (0..len)
        .map(|_| char::from(PSEUDO_ALPHABET[(rng.next_u32() % 16) as usize]))
        .collect()
}

/// The pseudo value for `real`: the one already in `map`, else a new one
/// from `make`, recorded in `map`.
pub(crate) fn hide(
    map: &mut PrivacyMap,
    real: &str,
    make: impl FnOnce() -> String,
) -> Result<String, String> {
    if let Some(p) = map.real_to_pseudo(real) {
        return Ok(p.to_string());
    }
    let pseudo = make();
    map.add_pair(real, &pseudo)?;
    Ok(pseudo)
}

/// litd's `StrToUint64`: hex, read as a big-endian uint64 from the first
/// 8 bytes. (litd would crash on fewer than 8 bytes; the mock refuses.)
fn str_to_u64(s: &str) -> Result<u64, String> {
    let bytes = hex::decode(s).map_err(|e| go_hex_error(s, e))?;
    let first: [u8; 8] = bytes
        .get(..8)
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| format!("pseudo channel id {s} is shorter than 8 bytes"))?;
    Ok(u64::from_be_bytes(first))
}

/// Go's `encoding/hex` error texts.
fn go_hex_error(s: &str, e: hex::FromHexError) -> String {
    match e {
        hex::FromHexError::InvalidHexCharacter { c, .. } => {
            format!("encoding/hex: invalid byte: U+{:04X} {c:?}", c as u32)
        }
        hex::FromHexError::OddLength => "encoding/hex: odd length hex string".to_string(),
        hex::FromHexError::InvalidStringLength => format!("encoding/hex: bad length {}", s.len()),
    }
}

/// One direction of the privacy mapper, applied to each id of a rule.
trait IdMapper {
    fn channel(&mut self, id: u64) -> Result<u64, String>;
    fn peer(&mut self, id: String) -> Result<String, String>;
}

/// Applies `mapper` to every channel id of a channel-restriction (unless
/// ClearChanIDs) and every peer id of a peer-restriction (unless
/// ClearPubkeys); other rules pass through. Both directions of the mapper
/// are this walk.
fn map_rule_ids(
    rule: &Rule,
    flags: PrivacyFlags,
    mapper: &mut dyn IdMapper,
) -> Result<Rule, String> {
    match rule {
        Rule::ChannelRestrict(c) => {
            let ids = c.deny_list.clone().unwrap_or_default();
            let ids = if flags.contains(PrivacyFlags::CLEAR_CHAN_IDS) {
                ids
            } else {
                ids.into_iter()
                    .map(|id| mapper.channel(id))
                    .collect::<Result<_, _>>()?
            };
            Ok(Rule::ChannelRestrict(ChannelRestrictRule {
                deny_list: Some(ids),
            }))
        }
        Rule::PeerRestrict(p) => {
            let ids = p.deny_list.clone().unwrap_or_default();
            let ids = if flags.contains(PrivacyFlags::CLEAR_PUBKEYS) {
                ids
            } else {
                ids.into_iter()
                    .map(|id| mapper.peer(id))
                    .collect::<Result<_, _>>()?
            };
            Ok(Rule::PeerRestrict(PeerRestrictRule {
                deny_list: Some(ids),
            }))
        }
        other => Ok(other.clone()),
    }
}

/// Real -> pseudo, recording new pairs.
struct Hide<'a> {
    map: &'a mut PrivacyMap,
    rng: &'a mut dyn RngCore,
}

impl IdMapper for Hide<'_> {
    fn channel(&mut self, id: u64) -> Result<u64, String> {
        // The map holds both sides as 16 hex digits.
        let rng = &mut *self.rng;
        let pseudo = hide(self.map, &format!("{id:016x}"), || {
            format!("{:016x}", rng.next_u64())
        })?;
        str_to_u64(&pseudo)
    }

    fn peer(&mut self, id: String) -> Result<String, String> {
        let rng = &mut *self.rng;
        hide(self.map, &id, || pseudo_str(id.len(), rng))
    }
}

/// Pseudo -> real through the map.
struct Reveal<'a> {
    map: &'a PrivacyMap,
}

const NOT_FOUND: &str = "no such key found";

impl IdMapper for Reveal<'_> {
    fn channel(&mut self, id: u64) -> Result<u64, String> {
        if id == 0 {
            return Ok(0);
        }
        let real = self
            .map
            .pseudo_to_real(&format!("{id:016x}"))
            .ok_or(NOT_FOUND)?;
        str_to_u64(real)
    }

    fn peer(&mut self, id: String) -> Result<String, String> {
        if id.is_empty() {
            return Ok(id);
        }
        Ok(self.map.pseudo_to_real(&id).ok_or(NOT_FOUND)?.to_string())
    }
}

/// §2.2.6: the value litd stores and puts in the caveat when privacy is on.
/// channel-restriction ids become random uint64s (unless ClearChanIDs),
/// peer-restriction ids random pseudo strings of the same byte length
/// (unless ClearPubkeys); other rules are unchanged. Pairs already in `map`
/// are reused (a repeated id gets the same pseudo id); new pairs are added
/// to `map`, for the caller to persist.
pub(crate) fn obfuscate_rule(
    rule: &Rule,
    flags: PrivacyFlags,
    map: &mut PrivacyMap,
    rng: &mut dyn RngCore,
) -> Result<Rule, String> {
    map_rule_ids(rule, flags, &mut Hide { map, rng })
}

/// Pseudo -> real, assuming no Clear flag (see [`reveal_rule_with_flags`]).
#[cfg(test)]
pub(crate) fn reveal_rule(rule: &Rule, map: &PrivacyMap) -> Result<Rule, String> {
    reveal_rule_with_flags(rule, PrivacyFlags::default(), map)
}

/// The inverse, for `autopilot_feature_info` (litd's `PseudoToReal` with
/// the session's flags): channel ids are looked up unless ClearChanIDs
/// (0 stays 0), peer ids unless ClearPubkeys ("" stays ""). An id not in
/// the map fails with litd's `no such key found`; that includes a server
/// default that was never obfuscated, which fails in litd the same way.
pub(crate) fn reveal_rule_with_flags(
    rule: &Rule,
    flags: PrivacyFlags,
    map: &PrivacyMap,
) -> Result<Rule, String> {
    map_rule_ids(rule, flags, &mut Reveal { map })
}

#[cfg(test)]
mod tests;
