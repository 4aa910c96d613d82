//! `AddAutopilotSession`, step by step in litd's order (§2.2). Each step's
//! number in the reference is noted where it happens; the first failure wins.

use std::collections::{BTreeMap, HashMap};

use rand::RngCore;
use secp256k1::SecretKey;

use super::clock::unix_nanos;
use super::error::AutopilotError;
use super::keys::{sign_group_link, COMPRESSED_LEN};
use super::new_session::NewSession;
use super::privacy::{obfuscate_config, obfuscate_rule, PrivacyFlags, PrivacyMap};
use super::recipe;
use super::remote::{Registration, RemoteFeature};
use super::rules::{bounds_error, Rule, RuleValue};
use super::service::{remote_error, AutopilotCore};
use super::session::{FeatureRules, Session, SessionId, SessionState, SessionView};
use super::store::expiry_nanos;
use crate::gocompat::time::GoNow;

/// A request as the domain sees it (wire-free `AddAutopilotSessionRequest`).
/// `session_rules` is absent: litd never reads it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AddSessionRequest {
    /// The session's label, stored as given (may be empty, no length limit).
    pub label: String,
    /// When the session expires, in unix seconds; it must be after now
    /// (step 2), and values of 2^63 or more wrap negative and fail, as in litd.
    pub expiry_timestamp_seconds: u64,
    /// The LNC mailbox address, stored and sent to the remote as given (no
    /// default, as in litd; the mock never dials it).
    pub mailbox_server_addr: String,
    /// litd's `dev_server` flag, stored and passed on to `RegisterSession`.
    pub dev_server: bool,
    /// The features to subscribe to, by the remote's `Feature.name`; at least
    /// one is required (step 1).
    pub features: BTreeMap<String, FeatureRequest>,
    /// Turns litd's privacy mapper off: rule values stay real in the rules
    /// caveat, configs go to the remote raw, and the session stores privacy
    /// flags 0.
    pub no_privacy_mapper: bool,
    /// The group to link to: the ID of its first session, zero-padded or cut
    /// to 4 bytes; empty starts a new group.
    pub linked_group_id: Vec<u8>,
    /// litd's privacy flag bits (bits 0-7 known); read only when
    /// `privacy_flags_set` is true.
    pub privacy_flags: u64,
    /// Use `privacy_flags` instead of the OR of the requested features'
    /// flags; refused with `no_privacy_mapper` (step 5a).
    pub privacy_flags_set: bool,
}

/// One requested feature: rule overrides (`None` = a RuleValue with no
/// member set) and the raw config bytes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FeatureRequest {
    /// Rule overrides by litd rule name (e.g. `rate-limit`); a rule the
    /// remote lists but the request leaves out gets the remote's default.
    pub rules: BTreeMap<String, Option<RuleValue>>,
    /// The feature's config bytes, stored as a (lossy UTF-8) string; with
    /// the privacy mapper on, a non-empty config must be a JSON object
    /// (step 10). Empty means no config.
    pub config: Vec<u8>,
}

/// The group a linked request joins.
struct Link {
    group_id: SessionId,
    first_key: [u8; COMPRESSED_LEN],
    first_secret: SecretKey,
}

fn err(message: impl Into<String>) -> AutopilotError {
    AutopilotError::unknown(message)
}

fn not_provided(feature: &str) -> AutopilotError {
    err(format!(
        "{feature} is not a features provided by the Autopilot server"
    ))
}

impl AutopilotCore {
    /// `AddAutopilotSession` (§2.2): validates `req` in litd's order,
    /// registers the new session with the remote server and returns it,
    /// normally as STATE_CREATED. Every failure is an [`AutopilotError`] with
    /// litd's text (code Unknown, except remote `ListFeatures` errors, which
    /// keep their code).
    pub async fn add_session(&self, req: AddSessionRequest) -> Result<SessionView, AutopilotError> {
        self.expire_due().await;
        let now = self.clock.now();

        // 1. At least one feature.
        if req.features.is_empty() {
            return Err(err("must include at least one feature"));
        }
        // 2. Expiry strictly after now (as a signed unix time).
        if unix_nanos(now) > expiry_nanos(req.expiry_timestamp_seconds) {
            return Err(err("expiry must be in the future"));
        }
        // 3. Linking: the group's first session, its privacy map.
        let (link, mut map) = self.resolve_link(&req.linked_group_id)?;

        // 4. The remote catalogue; its errors keep their code.
        let catalogue = self.remote.list_features().await.map_err(remote_error)?;
        // litd matches requested features by `Feature.name`, not map key.
        let by_name: HashMap<&str, &RemoteFeature> =
            catalogue.values().map(|f| (f.name.as_str(), f)).collect();

        // 5. Privacy flags.
        let privacy = !req.no_privacy_mapper;
        let flags = privacy_flags(&req, &by_name)?;

        // 6. Rules of every requested feature, then 7. the recipe.
        let feature_rules = {
            let mut rng = self.lock_rng();
            let go_now = GoNow {
                wall: now,
                monotonic_nanos: self.monotonic_nanos(now),
            };
            session_rules(&req, &by_name, privacy, flags, &mut map, &mut *rng, go_now)?
        };
        let requested: Vec<&RemoteFeature> = req
            .features
            .keys()
            .filter_map(|name| by_name.get(name.as_str()).copied())
            .collect();
        let macaroon_recipe = recipe::build(&requested, &feature_rules, privacy).map_err(err)?;

        // 8. The RESERVED row.
        let (id, group_id, local_key) = self.reserve(
            &req,
            link.as_ref(),
            feature_rules,
            macaroon_recipe,
            flags,
            now,
        )?;

        // 9. Linked: sign the new key with the group's first key.
        let (group_responder_key, group_responder_sig) = match &link {
            Some(l) => (
                l.first_key.to_vec(),
                sign_group_link(&l.first_secret, &local_key),
            ),
            None => (Vec::new(), Vec::new()),
        };

        // 10. Feature configs for the server (obfuscated with privacy on);
        // a failure here leaves the RESERVED row, as in litd.
        let mut feature_configs = BTreeMap::new();
        for (name, feature) in &req.features {
            let config = if privacy && !feature.config.is_empty() {
                let mut rng = self.lock_rng();
                obfuscate_config(&feature.config, flags, &mut map, &mut *rng).map_err(err)?
            } else {
                feature.config.clone()
            };
            feature_configs.insert(name.clone(), config);
        }

        // 11. Keep the group's privacy pairs (even if registration fails).
        if privacy {
            self.lock_store().set_privacy_map(group_id, map);
            self.changes.bump();
        }

        // 12. Register with the remote server.
        let registration = Registration {
            responder_pub_key: local_key.to_vec(),
            mailbox_addr: req.mailbox_server_addr.clone(),
            dev_server: req.dev_server,
            feature_configs,
            lit_version: self.config.lit_version,
            lnd_version: self.config.lnd_version,
            group_responder_key,
            group_responder_sig,
            privacy_flags: flags.bits(),
        };
        let registered = match self.remote.register_session(registration).await {
            Ok(key) => key.parse(),
            Err(e) => Err(e.message),
        };
        let remote_key = match registered {
            Ok(key) => key,
            Err(e) => {
                // Linked: the reserved row is deleted; otherwise it stays.
                if link.is_some() {
                    self.lock_store().remove(&id);
                    self.changes.bump();
                }
                return Err(err(format!(
                    "error registering session with autopilot server: {e}"
                )));
            }
        };

        // litd's client puts every key it registered on the ping list.
        self.track_ping(local_key);

        // 13, 14. Remote key, state CREATED; 15. resume; 16. read back.
        let now = unix_nanos(self.clock.now());
        let mut store = self.lock_store();
        let session = store
            .get_mut(&id)
            .ok_or_else(|| err("error setting remote pubkey: session not found"))?;
        session.remote_public_key = Some(remote_key);
        session.state = SessionState::Created;
        // litd's resumeSession first checks whether the expiry is before
        // now (it can pass while RegisterSession runs): then the row goes
        // CREATED -> EXPIRED, terminal, and Add returns it so (Correction 4).
        // Otherwise its expiry timer runs on the Add call's context, which is
        // cancelled once Add returns, so it never fires (Correction 3): no
        // expiry is armed here. Only a start-up resume arms one.
        let expired = expiry_nanos(session.expiry_timestamp_seconds) < now;
        if expired {
            session.state = SessionState::Expired;
            session.revoked_at = now.div_euclid(1_000_000_000).max(0) as u64;
        }
        let session = store
            .get(&id)
            .ok_or_else(|| err("error fetching session: session not found"))?;
        let view = SessionView::build(session, store.privacy_map(&group_id))
            .map_err(|e| err(format!("error marshaling session: {e}")));
        drop(store);
        self.changes.bump();
        view
    }

    /// Step 3: a non-empty `linked_group_id` is padded or cut to 4 bytes
    /// (no length error), must name a stored session, and that session must
    /// be the first of its group.
    fn resolve_link(&self, linked: &[u8]) -> Result<(Option<Link>, PrivacyMap), AutopilotError> {
        if linked.is_empty() {
            return Ok((None, PrivacyMap::default()));
        }
        let mut id: SessionId = [0; 4];
        let n = linked.len().min(4);
        id[..n].copy_from_slice(&linked[..n]);
        let store = self.lock_store();
        let first = store.get(&id).ok_or_else(|| err("session not found"))?;
        if first.id != first.group_id {
            return Err(err(format!(
                "can not link to session {} since it is not the first in the session group {}",
                hex::encode(first.id),
                hex::encode(first.group_id)
            )));
        }
        let map = store
            .privacy_map(&first.group_id)
            .cloned()
            .unwrap_or_default();
        let link = Link {
            group_id: first.group_id,
            first_key: first.local_public_key,
            first_secret: first.local_secret_key,
        };
        Ok((Some(link), map))
    }

    /// Step 8: checks the group has no live session, draws a key whose ID is
    /// free and a pairing secret, and stores the RESERVED row.
    fn reserve(
        &self,
        req: &AddSessionRequest,
        link: Option<&Link>,
        feature_rules: FeatureRules,
        macaroon_recipe: super::session::MacaroonRecipe,
        flags: PrivacyFlags,
        now: std::time::SystemTime,
    ) -> Result<(SessionId, SessionId, [u8; COMPRESSED_LEN]), AutopilotError> {
        let privacy = !req.no_privacy_mapper;
        let (id, local_key) = self.insert_new_session(
            |store| check_reservable(store, link, self.config.max_sessions),
            |fresh| {
                let group_id = link.map_or(fresh.id, |l| l.group_id);
                Session {
                    feature_rules,
                    feature_configs: req
                        .features
                        .iter()
                        .map(|(k, f)| (k.as_str(), Box::from(String::from_utf8_lossy(&f.config))))
                        .collect(),
                    privacy_flags: if privacy { flags.bits() } else { 0 },
                    privacy_mapper: privacy,
                    ..fresh.session(NewSession {
                        label: &req.label,
                        state: SessionState::Reserved,
                        session_type: super::session::SessionType::Autopilot,
                        expiry_timestamp_seconds: req.expiry_timestamp_seconds,
                        mailbox_server_addr: &req.mailbox_server_addr,
                        dev_server: req.dev_server,
                        created_at: now,
                        group_id,
                        macaroon_recipe: Some(macaroon_recipe),
                    })
                }
            },
        )?;
        Ok((id, link.map_or(id, |l| l.group_id), local_key))
    }
}

/// Step 8's checks: a linked group must have no live session, and the
/// store must have room.
fn check_reservable(
    store: &super::store::Store,
    link: Option<&Link>,
    max_sessions: usize,
) -> Result<(), AutopilotError> {
    if let Some(link) = link {
        if let Some(active) = store.active_in_group(&link.group_id) {
            return Err(err(format!(
                "error creating new session: unable to add session: linked session({}) is still active: group has active sessions",
                hex::encode(active.id)
            )));
        }
    }
    if store.len() >= max_sessions {
        return Err(err(format!(
            "error creating new session: the mock holds its limit of {max_sessions} sessions (see --max-sessions)"
        )));
    }
    Ok(())
}

/// Step 5: the request's flags when set (only with the mapper on), else the
/// OR of the requested features' flags, each checked for unknown bits.
fn privacy_flags(
    req: &AddSessionRequest,
    by_name: &HashMap<&str, &RemoteFeature>,
) -> Result<PrivacyFlags, AutopilotError> {
    if req.privacy_flags_set {
        if req.no_privacy_mapper {
            return Err(err(
                "privacy flags can only be set when the privacy mapper is enabled",
            ));
        }
        return PrivacyFlags::parse(req.privacy_flags).map_err(|e| {
            err(format!(
                "error deserializing privacy flags ({}) from request: {e}",
                req.privacy_flags
            ))
        });
    }
    let mut bits = 0;
    for name in req.features.keys() {
        let feature = by_name
            .get(name.as_str())
            .ok_or_else(|| not_provided(name))?;
        let flags = PrivacyFlags::parse(feature.privacy_flags).map_err(|e| {
            err(format!(
                "error deserializing privacy flags ({}) from autopilot: {e}",
                feature.privacy_flags
            ))
        })?;
        bits |= flags.bits();
    }
    Ok(PrivacyFlags(bits))
}

/// Step 6: parse, obfuscate and bound-check every override, then fill in the
/// server's defaults for the rest. litd walks Go maps here (random order);
/// the mock walks features and rules sorted by name.
fn session_rules(
    req: &AddSessionRequest,
    by_name: &HashMap<&str, &RemoteFeature>,
    privacy: bool,
    flags: PrivacyFlags,
    map: &mut PrivacyMap,
    rng: &mut dyn RngCore,
    now: GoNow,
) -> Result<FeatureRules, AutopilotError> {
    let mut all = BTreeMap::new();
    for (name, feature) in &req.features {
        // 6a.
        let server = by_name
            .get(name.as_str())
            .ok_or_else(|| not_provided(name))?;
        let mut rules = BTreeMap::new();
        for (rule_name, value) in &feature.rules {
            // 6b.
            let mut rule = Rule::from_request(rule_name, value.as_ref()).map_err(err)?;
            // 6c.
            if privacy {
                rule = obfuscate_rule(&rule, flags, map, rng).map_err(err)?;
            }
            // 6e.
            let offered = server.rules.get(rule_name).ok_or_else(|| {
                err(format!(
                    "autopilot did not specify {rule_name} as a rule for feature {}",
                    server.name
                ))
            })?;
            // 6f, 6g.
            let min = Rule::from_json(rule_name, &offered.min_value).map_err(err)?;
            let max = Rule::from_json(rule_name, &offered.max_value).map_err(err)?;
            rule.check_bounds(&min, &max, now)
                .map_err(|e| err(bounds_error(rule_name, name, &min, &max, &rule, &e)))?;
            rules.insert(rule_name.clone(), rule);
        }
        // 6h. Every rule the server lists; a rule litd does not know fails.
        for (rule_name, offered) in &server.rules {
            if !rules.contains_key(rule_name) {
                let rule = Rule::from_json(rule_name, &offered.default).map_err(err)?;
                rules.insert(rule_name.clone(), rule);
            }
        }
        all.insert(name.as_str(), rules.into_iter().collect());
    }
    Ok(all.into_iter().collect())
}
