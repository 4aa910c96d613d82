//! A session as the store keeps it (autopilot sessions and the macaroon
//! sessions `litrpc.Sessions` adds), and the view of it that the RPCs return
//! (reference §2.2.8).

use std::collections::BTreeMap;
use std::sync::Arc;

use secp256k1::SecretKey;

use super::compact_map::CompactMap;
use super::keys::COMPRESSED_LEN;
use super::rules::{Rule, RuleValue};

/// A 4-byte session or group ID.
pub(crate) type SessionId = [u8; 4];

/// Session states with litd's numbers (they appear in error texts).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SessionState {
    /// `STATE_CREATED`: a live session (an autopilot one is registered with
    /// the remote).
    Created = 0,
    /// Never set by current litd; only old database rows carry it.
    InUse = 1,
    /// `STATE_REVOKED`: revoked by a call, by expiry or at a restart;
    /// `revoked_at` is set.
    Revoked = 2,
    /// `STATE_EXPIRED`: terminal; the expiry had passed when Add finished
    /// (Correction 4), or, for a macaroon session, at a restart (§5.4).
    Expired = 3,
    /// `STATE_RESERVED`: the row Add writes before `RegisterSession`; it
    /// stays when registration fails (§2.2) and cannot be revoked.
    Reserved = 4,
}

impl SessionState {
    pub(crate) fn number(self) -> u8 {
        self as u8
    }

    /// REVOKED and EXPIRED sessions no longer block a group from linking.
    pub(crate) fn is_terminal(self) -> bool {
        matches!(self, SessionState::Revoked | SessionState::Expired)
    }
}

/// Session types with litd's numbers (`litrpc.SessionType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SessionType {
    /// `TYPE_MACAROON_READONLY`: a read-only macaroon session.
    MacaroonReadonly = 0,
    /// `TYPE_MACAROON_ADMIN`: an admin macaroon session.
    MacaroonAdmin = 1,
    /// `TYPE_MACAROON_CUSTOM`: a macaroon session with the permissions the
    /// request lists.
    MacaroonCustom = 2,
    /// `TYPE_UI_PASSWORD`: litd's UI-password session type
    /// (`Sessions.AddSession` refuses it).
    UiPassword = 3,
    /// `TYPE_AUTOPILOT`: a session added by `AddAutopilotSession`.
    Autopilot = 4,
    /// `TYPE_MACAROON_ACCOUNT`: a macaroon bound to an account (the mock has
    /// no accounts, so `Sessions.AddSession` refuses it).
    MacaroonAccount = 5,
}

impl SessionType {
    pub(crate) const ALL: [SessionType; 6] = [
        SessionType::MacaroonReadonly,
        SessionType::MacaroonAdmin,
        SessionType::MacaroonCustom,
        SessionType::UiPassword,
        SessionType::Autopilot,
        SessionType::MacaroonAccount,
    ];

    /// The type with litd's number `n`, if there is one.
    pub(crate) fn from_number(n: i32) -> Option<SessionType> {
        Self::ALL.into_iter().find(|t| *t as i32 == n)
    }

    pub(crate) fn number(self) -> u8 {
        self as u8
    }
}

/// A macaroon permission (`entity:action`); autopilot recipes use `uri:<method>`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Permission {
    pub(crate) entity: String,
    pub(crate) action: String,
}

/// The macaroon a session's LNC connection will be baked with.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct MacaroonRecipe {
    pub(crate) permissions: Vec<Permission>,
    pub(crate) caveats: Vec<String>,
}

/// Every rule of every feature of a session, by feature then rule name.
pub(crate) type FeatureRules = CompactMap<CompactMap<Rule>>;

/// Each feature's config (UTF-8, lossily), by feature name.
pub(crate) type FeatureConfigs = CompactMap<Box<str>>;

/// A stored session.
#[derive(Debug, Clone)]
pub(crate) struct Session {
    pub(crate) id: SessionId,
    pub(crate) label: Box<str>,
    pub(crate) state: SessionState,
    pub(crate) session_type: SessionType,
    /// The requested expiry, echoed back as given.
    pub(crate) expiry_timestamp_seconds: u64,
    pub(crate) mailbox_server_addr: Box<str>,
    pub(crate) dev_server: bool,
    pub(crate) pairing_secret: [u8; super::pairing::SECRET_LEN],
    pub(crate) pairing_secret_mnemonic: Box<str>,
    /// Kept so a later session linking to this group can be signed for.
    pub(crate) local_secret_key: SecretKey,
    pub(crate) local_public_key: [u8; COMPRESSED_LEN],
    /// Empty until registration succeeds (a RESERVED session has none).
    pub(crate) remote_public_key: Option<[u8; COMPRESSED_LEN]>,
    /// Creation time in unix nanoseconds; `created_at` shows whole seconds.
    pub(crate) created_at_nanos: i128,
    pub(crate) revoked_at: u64,
    pub(crate) group_id: SessionId,
    /// Shared by sessions whose recipes are equal. `None` is litd's `null`
    /// (admin and read-only sessions: nothing stored).
    pub(crate) macaroon_recipe: Option<Arc<MacaroonRecipe>>,
    /// Every rule of every requested feature, as stored in the caveat:
    /// pseudo values when the privacy mapper is on.
    pub(crate) feature_rules: FeatureRules,
    pub(crate) feature_configs: FeatureConfigs,
    /// 0 when the privacy mapper is off, whatever went to the server.
    pub(crate) privacy_flags: u64,
    pub(crate) privacy_mapper: bool,
    /// Stamped by the store on every insert and mutable borrow, from one
    /// process-wide counter: a session whose revision is unchanged is
    /// unchanged, so transports may keep what they made of it (its encoded
    /// wire form) until the revision moves.
    pub(crate) revision: u64,
}

impl Session {
    pub(crate) fn created_at_secs(&self) -> u64 {
        self.created_at_nanos.div_euclid(1_000_000_000) as u64
    }

    /// The session's feature rules turned back into real values for display.
    /// With the mapper on, pseudo values are revealed through the group's map.
    pub(crate) fn feature_info(
        &self,
        map: Option<&super::privacy::PrivacyMap>,
    ) -> Result<BTreeMap<String, BTreeMap<String, RuleValue>>, String> {
        let mut out = BTreeMap::new();
        for (feature, rules) in &self.feature_rules {
            let mut values = BTreeMap::new();
            for (name, rule) in rules {
                // Revealed with the session's flags: values a Clear* flag
                // kept real were never put in the map.
                let flags = super::privacy::PrivacyFlags(self.privacy_flags);
                let real = match (self.privacy_mapper, map) {
                    (true, Some(map)) => super::privacy::reveal_rule_with_flags(rule, flags, map)?,
                    (true, None) => super::privacy::reveal_rule_with_flags(
                        rule,
                        flags,
                        &super::privacy::PrivacyMap::default(),
                    )?,
                    _ => rule.clone(),
                };
                values.insert(name.to_string(), real.to_value());
            }
            out.insert(feature.to_string(), values);
        }
        Ok(out)
    }
}

/// What the RPCs return for a session: the stored data with real rule values.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionView {
    /// The session's 4-byte ID (litd's `ID`): bytes 1..5 of its local
    /// public key.
    pub id: SessionId,
    pub(crate) label: String,
    /// The session's state (litd's `session_state`).
    pub state: SessionState,
    /// What kind of session it is (litd's `session_type`).
    pub session_type: SessionType,
    /// The requested expiry in unix seconds, echoed as given.
    pub expiry_timestamp_seconds: u64,
    pub(crate) mailbox_server_addr: String,
    pub(crate) dev_server: bool,
    pub(crate) pairing_secret: Vec<u8>,
    pub(crate) pairing_secret_mnemonic: String,
    /// The session's 33-byte compressed secp256k1 key (litd's
    /// `local_public_key`): the key the revoke calls take.
    pub local_public_key: Vec<u8>,
    pub(crate) remote_public_key: Vec<u8>,
    /// Creation time in whole unix seconds (litd's `created_at`).
    pub created_at: u64,
    pub(crate) macaroon_recipe: Option<MacaroonRecipe>,
    pub(crate) autopilot_feature_info: BTreeMap<String, BTreeMap<String, RuleValue>>,
    /// When the session was revoked or expired, in unix seconds; 0 while it
    /// is neither.
    pub revoked_at: u64,
    pub(crate) group_id: SessionId,
    pub(crate) feature_configs: BTreeMap<String, String>,
    pub(crate) privacy_flags: u64,
}

impl SessionView {
    pub(crate) fn build(
        session: &Session,
        map: Option<&super::privacy::PrivacyMap>,
    ) -> Result<SessionView, String> {
        Ok(SessionView {
            id: session.id,
            label: session.label.to_string(),
            state: session.state,
            session_type: session.session_type,
            expiry_timestamp_seconds: session.expiry_timestamp_seconds,
            mailbox_server_addr: session.mailbox_server_addr.to_string(),
            dev_server: session.dev_server,
            pairing_secret: session.pairing_secret.to_vec(),
            pairing_secret_mnemonic: session.pairing_secret_mnemonic.to_string(),
            local_public_key: session.local_public_key.to_vec(),
            remote_public_key: session
                .remote_public_key
                .map(|k| k.to_vec())
                .unwrap_or_default(),
            created_at: session.created_at_secs(),
            macaroon_recipe: session.macaroon_recipe.as_deref().cloned(),
            autopilot_feature_info: session.feature_info(map)?,
            revoked_at: session.revoked_at,
            group_id: session.group_id,
            feature_configs: session
                .feature_configs
                .iter()
                .map(|(name, config)| (name.to_string(), config.to_string()))
                .collect(),
            privacy_flags: session.privacy_flags,
        })
    }
}
