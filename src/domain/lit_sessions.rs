//! `litrpc.Sessions`: AddSession, ListSessions and RevokeSession over the
//! same store as the Autopilot service (litd-front-door.md §5). Steps are
//! numbered as in the reference; the first failure wins.

use super::clock::SystemTimeExt;
use super::error::AutopilotError;
use super::new_session::NewSession;
use super::permissions::{self, UriRule};
use super::service::AutopilotCore;
use super::session::{MacaroonRecipe, Permission, SessionState, SessionType, SessionView};
use super::store::expiry_nanos;

/// A `litrpc.Sessions` `AddSessionRequest` as the domain sees it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AddLitSessionRequest {
    /// The session's label, stored as given.
    pub label: String,
    /// The wire number: values outside litd's enum are refused in step 2.
    pub session_type: i32,
    /// When the session expires, in unix seconds; it must be after now
    /// (step 1). The session stays CREATED past it while the mock runs, as
    /// in litd 0.17.2 (§5.4).
    pub expiry_timestamp_seconds: u64,
    /// The LNC mailbox address, stored as given (the mock never dials it).
    pub mailbox_server_addr: String,
    /// litd's `dev_server` flag, stored and echoed.
    pub dev_server: bool,
    /// (entity, action) pairs; only read for `TYPE_MACAROON_CUSTOM`.
    pub macaroon_custom_permissions: Vec<Permission>,
    /// Only read for `TYPE_MACAROON_ACCOUNT`.
    pub account_id: String,
}

fn err(message: impl Into<String>) -> AutopilotError {
    AutopilotError::unknown(message)
}

impl AutopilotCore {
    /// `Sessions.AddSession` (§5.3, §5.4).
    pub async fn add_lit_session(
        &self,
        req: AddLitSessionRequest,
    ) -> Result<SessionView, AutopilotError> {
        self.expire_due().await;
        let now = self.clock.now();
        // 1. Expiry strictly after now, as for autopilot sessions.
        if now.unix_nanos() > expiry_nanos(req.expiry_timestamp_seconds) {
            return Err(err("expiry must be in the future"));
        }
        // 2. A type litd knows.
        let session_type = SessionType::from_number(req.session_type)
            .ok_or_else(|| err(format!("unknown type <{}>", req.session_type)))?;
        // 3. Per type.
        let recipe = match session_type {
            SessionType::MacaroonAccount => {
                check_account_id(&req.account_id)?;
                // 4. The mock has no accounts (it runs no lnd and no
                // accounts service), so every account ID is unknown.
                return Err(err(
                    "error creating new session: unable to add session: unable to convert \
                     account ID: account not found",
                ));
            }
            SessionType::MacaroonCustom => custom_recipe(&req.macaroon_custom_permissions)?,
            SessionType::UiPassword | SessionType::Autopilot => {
                return Err(err(
                    "invalid session type, only admin, readonly, custom and account macaroon \
                     types supported in LiT. Autopilot sessions must be added using \
                     AddAutoPilotSession method",
                ));
            }
            // Nothing stored: litd's SQL store answers `null`.
            SessionType::MacaroonAdmin | SessionType::MacaroonReadonly => None,
        };
        // 4, 5. The row, straight to CREATED (no remote server involved).
        // 6. No LNC mailbox: the session is never connected. litd 0.17.2
        // leaves a session added in this run CREATED past its expiry and its
        // first-connection deadline (§5.4), so no expiry is armed.
        let max_sessions = self.config.max_sessions;
        let (id, _) = self.insert_new_session(
            |store| {
                if store.len() >= max_sessions {
                    return Err(err(format!(
                        "error creating new session: the mock holds its limit of \
                         {max_sessions} sessions (see --max-sessions)"
                    )));
                }
                Ok(())
            },
            |fresh| {
                let group_id = fresh.id;
                fresh.session(NewSession {
                    label: &req.label,
                    state: SessionState::Created,
                    session_type,
                    expiry_timestamp_seconds: req.expiry_timestamp_seconds,
                    mailbox_server_addr: &req.mailbox_server_addr,
                    dev_server: req.dev_server,
                    created_at: now,
                    group_id,
                    macaroon_recipe: recipe,
                })
            },
        )?;
        // 7. Read back.
        let store = self.lock_store();
        let session = store
            .get(&id)
            .ok_or_else(|| err("error fetching session: session not found"))?;
        SessionView::build(session, None).map_err(|e| err(format!("error marshaling session: {e}")))
    }

    /// `Sessions.ListSessions` (§5.5): every session of every type and
    /// state, oldest first, each as `ListAutopilotSessions` shows it.
    pub async fn list_all_sessions(&self) -> Result<Vec<SessionView>, AutopilotError> {
        self.expire_due().await;
        let store = self.lock_store();
        store
            .iter()
            .map(|s| {
                SessionView::build(s, store.privacy_map(&s.group_id))
                    .map_err(|e| err(format!("error marshaling session: {e}")))
            })
            .collect()
    }

    /// `Sessions.RevokeSession` (§5.6): any type; what
    /// `RevokeAutopilotSession` does, with `error fetching session: ` before
    /// a lookup failure.
    pub async fn revoke_lit_session(&self, local_public_key: &[u8]) -> Result<(), AutopilotError> {
        self.revoke_by_key(local_public_key, None).await
    }
}

/// Step 3a, 3b: 16 characters (bytes, as Go counts), then Go's hex error
/// for the first bad byte.
fn check_account_id(id: &str) -> Result<(), AutopilotError> {
    if id.len() != 16 {
        return Err(err("invalid account ID: invalid account ID length"));
    }
    if let Some(bad) = id.bytes().find(|b| !b.is_ascii_hexdigit()) {
        return Err(err(format!(
            "invalid account ID: error decoding account ID: encoding/hex: invalid byte: {}",
            permissions::go_sharp_u(bad)
        )));
    }
    Ok(())
}

/// Step 3c, 3d and the custom recipe of §5.4: pairs in request order, `uri`
/// ones resolved against the URIs litd knows; duplicates dropped (litd's
/// order is a Go map's, the mock's is sorted). No pair left: `null`.
fn custom_recipe(requested: &[Permission]) -> Result<Option<MacaroonRecipe>, AutopilotError> {
    if requested.is_empty() {
        return Err(err(
            "custom macaroon permissions must be specified for the custom macaroon session type",
        ));
    }
    let mut pairs = std::collections::BTreeSet::new();
    for p in requested {
        if p.entity != permissions::URI_ENTITY {
            pairs.insert(p.clone());
            continue;
        }
        match permissions::resolve_uri(&p.action) {
            UriRule::ReadOnly => {
                pairs.extend(permissions::active_read_permissions());
            }
            UriRule::Uris(uris) => pairs.extend(uris.into_iter().map(|u| Permission {
                entity: permissions::URI_ENTITY.to_string(),
                action: u.to_string(),
            })),
            UriRule::Unknown => {
                return Err(err(format!("URI {} is unknown to LiT", p.action)));
            }
        }
    }
    if pairs.is_empty() {
        return Ok(None);
    }
    Ok(Some(MacaroonRecipe {
        permissions: pairs.into_iter().collect(),
        caveats: Vec::new(),
    }))
}

#[cfg(test)]
#[path = "lit_sessions_tests.rs"]
mod tests;
