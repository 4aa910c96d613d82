//! The wire forms every entry point shares: translation between the prost
//! messages and the domain's types (here and `rules`), litd's JSON
//! (`litd_json`), Go's binary form of map entries (`go_map_entries`), and List's kept per-session forms (`session_list`, over
//! `session_cache`). Only entry points and the registry use this module.

pub(crate) mod go_map_entries;
pub mod litd_json;
pub mod protobuf_in;
pub(crate) mod protojson_in;
pub(crate) mod rules;
pub(crate) mod schema;
pub(crate) mod services;
pub(crate) mod session_cache;
pub(crate) mod session_list;
#[cfg(test)]
mod session_list_props;
pub(crate) mod status;

use std::collections::BTreeMap;

use crate::domain::features::FeatureInfo;
use crate::domain::session::{MacaroonRecipe, Permission};
use crate::domain::{AddSessionRequest, FeatureRequest, SessionState, SessionView};
use crate::proto::litrpc as p;

pub use rules::{rule_value_in, rule_value_out};

/// An `AddAutopilotSessionRequest` in the domain's form. `session_rules` is
/// dropped here: litd never reads it.
pub fn add_request_in(req: p::AddAutopilotSessionRequest) -> AddSessionRequest {
    AddSessionRequest {
        label: req.label,
        expiry_timestamp_seconds: req.expiry_timestamp_seconds,
        mailbox_server_addr: req.mailbox_server_addr,
        dev_server: req.dev_server,
        features: req
            .features
            .into_iter()
            .map(|(name, f)| {
                let rules = f
                    .rules
                    .map(|m| {
                        m.rules
                            .into_iter()
                            .map(|(k, v)| (k, rule_value_in(v)))
                            .collect()
                    })
                    .unwrap_or_default();
                (
                    name,
                    FeatureRequest {
                        rules,
                        config: f.config,
                    },
                )
            })
            .collect(),
        no_privacy_mapper: req.no_privacy_mapper,
        linked_group_id: req.linked_group_id,
        privacy_flags: req.privacy_flags,
        privacy_flags_set: req.privacy_flags_set,
    }
}

fn state_out(s: SessionState) -> p::SessionState {
    match s {
        SessionState::Created => p::SessionState::StateCreated,
        SessionState::InUse => p::SessionState::StateInUse,
        SessionState::Revoked => p::SessionState::StateRevoked,
        SessionState::Expired => p::SessionState::StateExpired,
        SessionState::Reserved => p::SessionState::StateReserved,
    }
}

fn permission_out(p: Permission) -> p::MacaroonPermission {
    p::MacaroonPermission {
        entity: p.entity,
        action: p.action,
    }
}

fn recipe_out(r: MacaroonRecipe) -> p::MacaroonRecipe {
    p::MacaroonRecipe {
        permissions: r.permissions.into_iter().map(permission_out).collect(),
        caveats: r.caveats,
    }
}

/// A session as litrpc's `Session` message (`account_id` always empty: the
/// mock holds no accounts).
pub fn session_out(s: SessionView) -> p::Session {
    p::Session {
        id: s.id.to_vec(),
        label: s.label,
        session_state: state_out(s.state) as i32,
        session_type: i32::from(s.session_type.number()),
        expiry_timestamp_seconds: s.expiry_timestamp_seconds,
        mailbox_server_addr: s.mailbox_server_addr,
        dev_server: s.dev_server,
        pairing_secret: s.pairing_secret,
        pairing_secret_mnemonic: s.pairing_secret_mnemonic,
        local_public_key: s.local_public_key,
        remote_public_key: s.remote_public_key,
        created_at: s.created_at,
        macaroon_recipe: s.macaroon_recipe.map(recipe_out),
        account_id: String::new(),
        autopilot_feature_info: s
            .autopilot_feature_info
            .into_iter()
            .map(|(feature, rules)| {
                let rules = rules
                    .into_iter()
                    .map(|(k, v)| (k, rule_value_out(v)))
                    .collect();
                (feature, p::RulesMap { rules })
            })
            .collect(),
        revoked_at: s.revoked_at,
        group_id: s.group_id.to_vec(),
        feature_configs: s.feature_configs,
        privacy_flags: s.privacy_flags,
    }
}

pub(crate) fn features_out(
    features: BTreeMap<String, FeatureInfo>,
) -> p::ListAutopilotFeaturesResponse {
    p::ListAutopilotFeaturesResponse {
        features: features
            .into_iter()
            .map(|(key, f)| (key, feature_out(f)))
            .collect(),
    }
}

fn feature_out(f: FeatureInfo) -> p::Feature {
    p::Feature {
        name: f.name,
        description: f.description,
        rules: f
            .rules
            .into_iter()
            .map(|(name, r)| {
                let values = p::RuleValues {
                    known: r.known,
                    defaults: r.defaults.map(rule_value_out),
                    min_value: r.min_value.map(rule_value_out),
                    max_value: r.max_value.map(rule_value_out),
                };
                (name, values)
            })
            .collect(),
        permissions_list: f
            .permissions_list
            .into_iter()
            .map(|m| p::Permissions {
                method: m.method,
                operations: m
                    .operations
                    .into_iter()
                    .map(|o| p::MacaroonPermission {
                        entity: o.entity,
                        action: o.action,
                    })
                    .collect(),
            })
            .collect(),
        requires_upgrade: f.requires_upgrade,
        default_config: f.default_config,
        privacy_flags: f.privacy_flags,
    }
}
