//! The state file's format 1: versioned JSON mirroring the domain's
//! [`StoreSnapshot`]. Bytes are hex; rule values are kept as the Go JSON
//! text litd stores in its rules caveat (so they round-trip exactly through
//! the domain's own codec); `created_at_nanos` is a decimal string because
//! JSON numbers above 2^64 do not survive most parsers.
//!
//! Decoding checks everything a hand edit or a stray file could break and
//! says which session is wrong: a bad file is an error, never a silently
//! smaller store.

use std::collections::BTreeMap;
use std::sync::Arc;

use secp256k1::SecretKey;
use serde::{Deserialize, Serialize};

use crate::domain::actions::{Action, ActionState};
use crate::domain::keys::COMPRESSED_LEN;
use crate::domain::pairing::SECRET_LEN;
use crate::domain::privacy::PrivacyMap;
use crate::domain::rules::Rule;
use crate::domain::session::{
    MacaroonRecipe, Permission, Session, SessionId, SessionState, SessionType,
};
use crate::domain::StoreSnapshot;

/// The format this build writes and the newest it reads.
pub(crate) const FORMAT: u64 = 1;

#[derive(Serialize, Deserialize)]
pub(super) struct StateFile {
    pub(crate) format: u64,
    /// Informational: which build wrote the file.
    #[serde(default)]
    pub(crate) written_by: String,
    pub(crate) sessions: Vec<SessionFile>,
    pub(crate) privacy_maps: Vec<PrivacyMapFile>,
    /// The firewall's action log (files written before it was kept have
    /// none).
    #[serde(default)]
    pub(crate) actions: Vec<ActionFile>,
}

/// One firewall action, in litd's REST JSON names; bytes as hex.
#[derive(Serialize, Deserialize)]
pub(super) struct ActionFile {
    id: u64,
    actor_name: String,
    feature_name: String,
    trigger: String,
    intent: String,
    structured_json_data: String,
    rpc_method: String,
    rpc_params_json: String,
    timestamp: u64,
    /// litd's name, e.g. `STATE_DONE`.
    state: String,
    error_reason: String,
    session_id: String,
    macaroon_identifier: String,
}

const ACTION_STATES: &[(ActionState, &str)] = &[
    (ActionState::Unknown, "STATE_UNKNOWN"),
    (ActionState::Pending, "STATE_PENDING"),
    (ActionState::Done, "STATE_DONE"),
    (ActionState::Error, "STATE_ERROR"),
];

fn action_out((id, a): &(u64, Action)) -> ActionFile {
    let state = ACTION_STATES
        .iter()
        .find(|(s, _)| *s == a.state)
        .map_or("STATE_UNKNOWN", |(_, name)| name);
    ActionFile {
        id: *id,
        actor_name: a.actor_name.clone(),
        feature_name: a.feature_name.clone(),
        trigger: a.trigger.clone(),
        intent: a.intent.clone(),
        structured_json_data: a.structured_json_data.clone(),
        rpc_method: a.rpc_method.clone(),
        rpc_params_json: a.rpc_params_json.clone(),
        timestamp: a.timestamp,
        state: state.to_string(),
        error_reason: a.error_reason.clone(),
        session_id: hex::encode(a.session_id),
        macaroon_identifier: hex::encode(a.macaroon_identifier),
    }
}

fn action_in(a: ActionFile) -> Result<(u64, Action), String> {
    let state = ACTION_STATES
        .iter()
        .find(|(_, name)| *name == a.state)
        .map(|(s, _)| *s)
        .ok_or_else(|| format!("unknown state {:?}", a.state))?;
    Ok((
        a.id,
        Action {
            actor_name: a.actor_name,
            feature_name: a.feature_name,
            trigger: a.trigger,
            intent: a.intent,
            structured_json_data: a.structured_json_data,
            rpc_method: a.rpc_method,
            rpc_params_json: a.rpc_params_json,
            timestamp: a.timestamp,
            state,
            error_reason: a.error_reason,
            session_id: fixed(&a.session_id, "session_id")?,
            macaroon_identifier: fixed(&a.macaroon_identifier, "macaroon_identifier")?,
        },
    ))
}

#[derive(Serialize, Deserialize)]
pub(super) struct SessionFile {
    id: String,
    label: String,
    state: String,
    /// litd's type name; files written before `litrpc.Sessions` existed
    /// hold autopilot sessions only.
    #[serde(default = "autopilot_type")]
    session_type: String,
    expiry_timestamp_seconds: u64,
    mailbox_server_addr: String,
    dev_server: bool,
    pairing_secret: String,
    pairing_secret_mnemonic: String,
    local_secret_key: String,
    local_public_key: String,
    remote_public_key: Option<String>,
    created_at_nanos: String,
    revoked_at: u64,
    group_id: String,
    /// `null` for sessions without a recipe (admin, read-only).
    macaroon_recipe: Option<RecipeFile>,
    /// feature -> rule name -> the rule's Go JSON.
    feature_rules: BTreeMap<String, BTreeMap<String, String>>,
    feature_configs: BTreeMap<String, String>,
    privacy_flags: u64,
    privacy_mapper: bool,
}

#[derive(Serialize, Deserialize)]
struct RecipeFile {
    permissions: Vec<PermissionFile>,
    caveats: Vec<String>,
}

#[derive(Serialize, Deserialize)]
struct PermissionFile {
    entity: String,
    action: String,
}

#[derive(Serialize, Deserialize)]
pub(super) struct PrivacyMapFile {
    group_id: String,
    /// (real, pseudo) pairs.
    pairs: Vec<(String, String)>,
}

const STATES: [(SessionState, &str); 5] = [
    (SessionState::Created, "STATE_CREATED"),
    (SessionState::InUse, "STATE_IN_USE"),
    (SessionState::Revoked, "STATE_REVOKED"),
    (SessionState::Expired, "STATE_EXPIRED"),
    (SessionState::Reserved, "STATE_RESERVED"),
];

const TYPES: [(SessionType, &str); 6] = [
    (SessionType::MacaroonReadonly, "TYPE_MACAROON_READONLY"),
    (SessionType::MacaroonAdmin, "TYPE_MACAROON_ADMIN"),
    (SessionType::MacaroonCustom, "TYPE_MACAROON_CUSTOM"),
    (SessionType::UiPassword, "TYPE_UI_PASSWORD"),
    (SessionType::Autopilot, "TYPE_AUTOPILOT"),
    (SessionType::MacaroonAccount, "TYPE_MACAROON_ACCOUNT"),
];

fn autopilot_type() -> String {
    "TYPE_AUTOPILOT".to_string()
}

pub(super) fn encode(snapshot: &StoreSnapshot) -> StateFile {
    StateFile {
        format: FORMAT,
        written_by: concat!("autopilot-mock ", env!("CARGO_PKG_VERSION")).to_string(),
        sessions: snapshot.sessions.iter().map(session_out).collect(),
        privacy_maps: snapshot
            .privacy_maps
            .iter()
            .map(|(group, map)| PrivacyMapFile {
                group_id: hex::encode(group),
                pairs: map
                    .pairs()
                    .map(|(r, p)| (r.to_string(), p.to_string()))
                    .collect(),
            })
            .collect(),
        actions: snapshot.actions.iter().map(action_out).collect(),
    }
}

fn session_out(s: &Session) -> SessionFile {
    SessionFile {
        id: hex::encode(s.id),
        label: s.label.to_string(),
        state: STATES
            .iter()
            .find(|(st, _)| *st == s.state)
            .map_or("STATE_CREATED", |(_, name)| name)
            .to_string(),
        session_type: TYPES
            .iter()
            .find(|(t, _)| *t == s.session_type)
            .map_or("TYPE_AUTOPILOT", |(_, name)| name)
            .to_string(),
        expiry_timestamp_seconds: s.expiry_timestamp_seconds,
        mailbox_server_addr: s.mailbox_server_addr.to_string(),
        dev_server: s.dev_server,
        pairing_secret: hex::encode(s.pairing_secret),
        pairing_secret_mnemonic: s.pairing_secret_mnemonic.to_string(),
        local_secret_key: hex::encode(s.local_secret_key.to_secret_bytes()),
        local_public_key: hex::encode(s.local_public_key),
        remote_public_key: s.remote_public_key.map(hex::encode),
        created_at_nanos: s.created_at_nanos.to_string(),
        revoked_at: s.revoked_at,
        group_id: hex::encode(s.group_id),
        macaroon_recipe: s.macaroon_recipe.as_deref().map(|r| RecipeFile {
            permissions: r
                .permissions
                .iter()
                .map(|p| PermissionFile {
                    entity: p.entity.clone(),
                    action: p.action.clone(),
                })
                .collect(),
            caveats: r.caveats.clone(),
        }),
        feature_rules: s
            .feature_rules
            .iter()
            .map(|(f, rules)| {
                let rules = rules
                    .iter()
                    .map(|(n, r)| (n.to_string(), r.to_json()))
                    .collect();
                (f.to_string(), rules)
            })
            .collect(),
        feature_configs: s
            .feature_configs
            .iter()
            .map(|(f, config)| (f.to_string(), config.to_string()))
            .collect(),
        privacy_flags: s.privacy_flags,
        privacy_mapper: s.privacy_mapper,
    }
}

pub(super) fn decode(file: StateFile) -> Result<StoreSnapshot, String> {
    let mut sessions = Vec::with_capacity(file.sessions.len());
    for (i, s) in file.sessions.into_iter().enumerate() {
        let id = s.id.clone();
        sessions.push(session_in(s).map_err(|e| format!("session {i} ({id}): {e}"))?);
    }
    let mut privacy_maps = BTreeMap::new();
    for m in file.privacy_maps {
        let group: SessionId = fixed(&m.group_id, "privacy map group_id")?;
        let mut map = PrivacyMap::default();
        for (real, pseudo) in &m.pairs {
            map.add_pair(real, pseudo)
                .map_err(|e| format!("privacy map of group {}: {e}", m.group_id))?;
        }
        if privacy_maps.insert(group, map).is_some() {
            return Err(format!("privacy map of group {} appears twice", m.group_id));
        }
    }
    let mut actions = Vec::with_capacity(file.actions.len());
    let mut ids = std::collections::HashSet::new();
    for (i, a) in file.actions.into_iter().enumerate() {
        let id = a.id;
        if !ids.insert(id) {
            return Err(format!("action {i}: id {id} appears twice"));
        }
        actions.push(action_in(a).map_err(|e| format!("action {i} (id {id}): {e}"))?);
    }
    Ok(StoreSnapshot {
        sessions,
        privacy_maps,
        actions,
    })
}

fn session_in(s: SessionFile) -> Result<Session, String> {
    let state = STATES
        .iter()
        .find(|(_, name)| *name == s.state)
        .map(|(st, _)| *st)
        .ok_or_else(|| format!("unknown state {:?}", s.state))?;
    let session_type = TYPES
        .iter()
        .find(|(_, name)| *name == s.session_type)
        .map(|(t, _)| *t)
        .ok_or_else(|| format!("unknown session type {:?}", s.session_type))?;
    let secret: [u8; 32] = fixed(&s.local_secret_key, "local_secret_key")?;
    let local_secret_key = SecretKey::from_secret_bytes(secret)
        .map_err(|e| format!("local_secret_key is not a valid key: {e}"))?;
    let local_public_key: [u8; COMPRESSED_LEN] = fixed(&s.local_public_key, "local_public_key")?;
    if local_secret_key.public_key().serialize() != local_public_key {
        return Err("local_public_key does not belong to local_secret_key".into());
    }
    let remote_public_key = match &s.remote_public_key {
        Some(k) => Some(fixed::<COMPRESSED_LEN>(k, "remote_public_key")?),
        None => None,
    };
    let pairing_secret: [u8; SECRET_LEN] = fixed(&s.pairing_secret, "pairing_secret")?;
    let created_at_nanos: i128 = s
        .created_at_nanos
        .parse()
        .map_err(|e| format!("created_at_nanos {:?}: {e}", s.created_at_nanos))?;
    let mut feature_rules = Vec::with_capacity(s.feature_rules.len());
    for (feature, rules) in s.feature_rules {
        let mut parsed = Vec::with_capacity(rules.len());
        for (name, json) in rules {
            let rule = Rule::from_json(&name, json.as_bytes())
                .map_err(|e| format!("rule {name} of feature {feature}: {e}"))?;
            parsed.push((name, rule));
        }
        feature_rules.push((feature, parsed.into_iter().collect()));
    }
    Ok(Session {
        id: fixed(&s.id, "id")?,
        label: s.label.into_boxed_str(),
        state,
        session_type,
        expiry_timestamp_seconds: s.expiry_timestamp_seconds,
        mailbox_server_addr: s.mailbox_server_addr.into_boxed_str(),
        dev_server: s.dev_server,
        pairing_secret,
        pairing_secret_mnemonic: s.pairing_secret_mnemonic.into_boxed_str(),
        local_secret_key,
        local_public_key,
        remote_public_key,
        created_at_nanos,
        revoked_at: s.revoked_at,
        group_id: fixed(&s.group_id, "group_id")?,
        macaroon_recipe: s.macaroon_recipe.map(|r| {
            Arc::new(MacaroonRecipe {
                permissions: r
                    .permissions
                    .into_iter()
                    .map(|p| Permission {
                        entity: p.entity,
                        action: p.action,
                    })
                    .collect(),
                caveats: r.caveats,
            })
        }),
        feature_rules: feature_rules.into_iter().collect(),
        feature_configs: s
            .feature_configs
            .into_iter()
            .map(|(f, config)| (f, config.into_boxed_str()))
            .collect(),
        privacy_flags: s.privacy_flags,
        privacy_mapper: s.privacy_mapper,
        revision: 0,
    })
}

/// Hex of exactly `N` bytes.
fn fixed<const N: usize>(text: &str, what: &str) -> Result<[u8; N], String> {
    let bytes = hex::decode(text).map_err(|e| format!("{what} is not hex: {e}"))?;
    <[u8; N]>::try_from(bytes.as_slice())
        .map_err(|_| format!("{what} has {} bytes, want {N}", bytes.len()))
}
