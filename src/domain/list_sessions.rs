//! `ListAutopilotSessions` (§2.3) in the core: one consistent snapshot of
//! the autopilot sessions, expired ones revoked first, and the memo hook
//! that lets every transport share one cache of encoded sessions.

use super::error::AutopilotError;
use super::service::AutopilotCore;
use super::session::{SessionId, SessionType, SessionView};

impl AutopilotCore {
    /// `ListAutopilotSessions` (§2.3): every autopilot session in every
    /// state, oldest first.
    pub async fn list_sessions(&self) -> Result<Vec<SessionView>, AutopilotError> {
        let listed = self.list_sessions_with(|_, _| None::<()>).await?;
        Ok(listed
            .into_iter()
            .filter_map(|l| match l {
                Listed::Fresh { view, .. } => Some(*view),
                Listed::Known(()) => None,
            })
            .collect())
    }

    /// `ListAutopilotSessions` for a caller that keeps what it made of each
    /// session (its encoded wire forms): `known(id, revision)` returns that
    /// for a session whose view revision it has seen, and only the
    /// other sessions are turned into views. `known` runs under the store
    /// lock, so the listing is one consistent snapshot.
    pub(crate) async fn list_sessions_with<T>(
        &self,
        mut known: impl FnMut(SessionId, ViewRevision) -> Option<T>,
    ) -> Result<Vec<Listed<T>>, AutopilotError> {
        // Expire and snapshot under one lock: an Add that completes in
        // between (CREATED with an expiry the clock has already passed)
        // must not be listed as live.
        let (listed, expired) = {
            let mut store = self.lock_store();
            let expired = self.revoke_due(&mut store);
            let listed: Result<Vec<Listed<T>>, AutopilotError> = store
                .iter()
                .filter(|s| s.session_type == SessionType::Autopilot)
                .map(|s| {
                    let revision = ViewRevision {
                        session: s.revision,
                        privacy_map: store.privacy_map_revision(&s.group_id),
                    };
                    if let Some(memo) = known(s.id, revision) {
                        return Ok(Listed::Known(memo));
                    }
                    let view =
                        SessionView::build(s, store.privacy_map(&s.group_id)).map_err(|e| {
                            AutopilotError::unknown(format!("error marshaling session: {e}"))
                        })?;
                    Ok(Listed::Fresh {
                        id: s.id,
                        revision,
                        view: Box::new(view),
                    })
                })
                .collect();
            (listed, expired)
        };
        self.tell_remote_expired(expired).await;
        listed
    }
}

/// Everything a session's view depends on: the session's revision and its
/// group's privacy map's (see `Store::privacy_map_revision`). A view made
/// at one `ViewRevision` is the view for as long as it stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ViewRevision {
    pub(crate) session: u64,
    pub(crate) privacy_map: u64,
}

/// One session of `AutopilotCore::list_sessions_with`.
#[derive(Debug)]
pub enum Listed<T> {
    /// The caller's own memo of this session, unchanged since it was made.
    Known(T),
    /// A session the caller has not seen at this revision.
    Fresh {
        /// The session's 4-byte ID.
        id: SessionId,
        /// What the view was made at: a memo of it stays good for as long
        /// as this revision stands.
        revision: ViewRevision,
        /// The session as `ListAutopilotSessions` shows it.
        view: Box<SessionView>,
    },
}
