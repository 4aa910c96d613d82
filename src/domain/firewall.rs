//! `litrpc.Firewall`: ListActions over the action log and
//! PrivacyMapConversion over the privacy maps AddAutopilotSession stored
//! (litd-front-door.md §6). All errors are code Unknown.

use super::actions::{Action, ActionState, ActionsPage, ActionsQuery, Owner};
use super::error::AutopilotError;
use super::service::AutopilotCore;
use super::session::SessionId;
use super::store::Store;

/// litd's text for a session or group ID that is not 4 bytes.
const NOT_4_BYTES: &str = "session ID must be 4 bytes long";

fn err(message: impl Into<String>) -> AutopilotError {
    AutopilotError::unknown(message)
}

fn four_bytes(id: &[u8]) -> Result<SessionId, AutopilotError> {
    id.try_into().map_err(|_| err(NOT_4_BYTES))
}

/// A `PrivacyMapConversionRequest` as the domain sees it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct ConversionRequest {
    pub(crate) real_to_pseudo: bool,
    /// Deprecated in litd; only read when `group_id` is empty.
    pub(crate) session_id: Vec<u8>,
    pub(crate) input: String,
    pub(crate) group_id: Vec<u8>,
}

impl AutopilotCore {
    /// `Firewall.ListActions` (§6.3).
    pub(crate) async fn list_actions(
        &self,
        query: ActionsQuery,
    ) -> Result<ActionsPage, AutopilotError> {
        // 1 is the page default, applied by the log.
        // 2. A known state; 0 is "any".
        let state = match query.state {
            0 => None,
            n => {
                Some(ActionState::from_number(n).ok_or_else(|| err(format!("unknown state {n}")))?)
            }
        };
        // 3. 4-byte IDs; the session wins over the group.
        let owner = if !query.session_id.is_empty() {
            Owner::Session(four_bytes(&query.session_id)?)
        } else if !query.group_id.is_empty() {
            Owner::Group(four_bytes(&query.group_id)?)
        } else {
            Owner::Any
        };
        let store = self.lock_store();
        // 4. They must exist.
        match owner {
            Owner::Session(id) if store.get(&id).is_none() => return Err(err("session not found")),
            Owner::Group(group) if !store.group_exists(&group) => return Err(err("unknown group")),
            _ => {}
        }
        let in_group = |id: &SessionId| match owner {
            Owner::Group(group) => store.get(id).is_some_and(|s| s.group_id == group),
            _ => true,
        };
        Ok(store.actions().page(&query, state, owner, in_group))
    }

    /// Adds actions to the log (the admin API and scenario setups: litd
    /// itself logs only calls through lnd, which the mock never sees).
    pub(crate) fn add_actions(&self, actions: Vec<Action>) {
        let mut store = self.lock_store();
        for action in actions {
            store.actions_mut().append(action);
        }
        drop(store);
        // Kept in the state file too (`serve --state`), as litd's database.
        self.changes.bump();
    }

    /// Empties the action log.
    pub(crate) fn clear_actions(&self) {
        self.lock_store().actions_mut().clear();
        self.changes.bump();
    }

    /// Actions in the log.
    pub(crate) fn action_count(&self) -> usize {
        self.lock_store().actions().len()
    }

    /// `Firewall.PrivacyMapConversion` (§6.4).
    pub(crate) async fn privacy_map_conversion(
        &self,
        req: ConversionRequest,
    ) -> Result<String, AutopilotError> {
        let store = self.lock_store();
        let group = conversion_group(&store, &req)?;
        // 4. The group must exist.
        if !store.group_exists(&group) {
            return Err(err("unknown group"));
        }
        // 5. The pair.
        let map = store.privacy_map(&group);
        let found = map.and_then(|m| {
            if req.real_to_pseudo {
                m.real_to_pseudo(&req.input)
            } else {
                m.pseudo_to_real(&req.input)
            }
        });
        found
            .map(str::to_string)
            .ok_or_else(|| err("no such key found"))
    }
}

/// Steps 1-3: the group ID when given, else the group of the session.
fn conversion_group(store: &Store, req: &ConversionRequest) -> Result<SessionId, AutopilotError> {
    if !req.group_id.is_empty() {
        return four_bytes(&req.group_id);
    }
    let id = four_bytes(&req.session_id)?;
    store
        .get(&id)
        .map(|s| s.group_id)
        .ok_or_else(|| err("session not found"))
}

#[cfg(test)]
#[path = "firewall_tests.rs"]
mod tests;
