//! The store as plain data, for persistence outside the domain, and the
//! change feed that tells a persister when to take one.
//!
//! The domain stays free of files and formats: [`AutopilotCore::snapshot`]
//! hands out plain structs (each session with its secret key, the groups'
//! privacy maps) and [`AutopilotCore::restore`] takes them back applying
//! litd's start-up rules (reference §2.3). Serialising and writing them is
//! `crate::persist`'s job.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use super::clock::unix_nanos;
use super::privacy::PrivacyMap;
use super::service::AutopilotCore;
use super::session::{Session, SessionId, SessionState, SessionType};
use super::store::expiry_nanos;

/// Everything the store holds that outlives a restart.
#[derive(Debug, Clone, Default)]
pub struct StoreSnapshot {
    /// Every session in list order (oldest first), RESERVED ones included.
    pub(crate) sessions: Vec<Session>,
    /// Each group's privacy map, by group ID.
    pub(crate) privacy_maps: BTreeMap<SessionId, PrivacyMap>,
    /// The firewall's action log with its ids, oldest first.
    pub(crate) actions: Vec<(u64, super::actions::Action)>,
}

/// What [`AutopilotCore::restore`] did, for the start-up log.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RestoreReport {
    /// Sessions kept.
    pub restored: usize,
    /// RESERVED rows deleted, as litd deletes them at start.
    pub reserved_dropped: usize,
    /// Live sessions whose expiry passed while the mock was down: they stay
    /// CREATED and are never revoked by the running-expiry logic.
    pub expired_while_down: usize,
}

/// A function told the new change number after every change.
pub(crate) type ChangeListener = Arc<dyn Fn(u64) + Send + Sync>;

/// A counter bumped after every change to the store, plus one optional
/// listener. Plain std, so the domain needs no async runtime: a persister
/// registers a listener that wakes its task, and compares counters to know
/// whether what it wrote is current.
#[derive(Default)]
pub(crate) struct ChangeFeed {
    count: AtomicU64,
    listener: Mutex<Option<ChangeListener>>,
}

impl ChangeFeed {
    /// The number of changes so far.
    pub(crate) fn count(&self) -> u64 {
        self.count.load(Ordering::SeqCst)
    }

    /// Records a change and tells the listener. Cheap: the listener only
    /// wakes someone; it must not touch the store.
    pub(crate) fn bump(&self) {
        let n = self.count.fetch_add(1, Ordering::SeqCst) + 1;
        let listener = self
            .listener
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        if let Some(listener) = listener {
            listener(n);
        }
    }

    /// Sets (or, with `None`, removes) the listener.
    pub(crate) fn set_listener(&self, listener: Option<ChangeListener>) {
        *self.listener.lock().unwrap_or_else(|e| e.into_inner()) = listener;
    }
}

impl std::fmt::Debug for ChangeFeed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChangeFeed")
            .field("count", &self.count())
            .finish_non_exhaustive()
    }
}

impl AutopilotCore {
    /// The change feed: bumped after every add, revoke, expiry, reset and
    /// restore.
    pub(crate) fn changes(&self) -> &ChangeFeed {
        &self.changes
    }

    /// A consistent copy of the store (taken under its lock) and the change
    /// number it reflects.
    pub fn snapshot(&self) -> (StoreSnapshot, u64) {
        let store = self.lock_store();
        // Read under the lock: every bump happens after a mutation, so the
        // copy holds at least the changes counted here.
        let count = self.changes.count();
        let snapshot = StoreSnapshot {
            sessions: store.iter().cloned().collect(),
            privacy_maps: store
                .privacy_maps()
                .map(|(id, map)| (*id, map.clone()))
                .collect(),
            actions: store.actions().rows().to_vec(),
        };
        (snapshot, count)
    }

    /// Replaces the store with `snapshot` as litd treats its database at
    /// start (reference §2.3): every RESERVED row is deleted; a live session
    /// whose expiry is at or before `now` stays as it is (CREATED) with no
    /// expiry armed, so it is never revoked later; other live sessions get
    /// their expiry armed again.
    pub fn restore(&self, snapshot: StoreSnapshot, now: SystemTime) -> RestoreReport {
        let now = unix_nanos(now);
        let mut report = RestoreReport::default();
        {
            let mut store = self.lock_store();
            store.clear();
            for session in snapshot.sessions {
                if session.state == SessionState::Reserved {
                    report.reserved_dropped += 1;
                    continue;
                }
                if store.contains_id(&session.id) {
                    // A snapshot made by `snapshot` never repeats an ID; a
                    // hand-edited one is read first-wins, like a unique key.
                    continue;
                }
                let mut session = session;
                let live = matches!(session.state, SessionState::Created | SessionState::InUse);
                let at = expiry_nanos(session.expiry_timestamp_seconds);
                let id = session.id;
                if live && session.session_type != SessionType::Autopilot {
                    resume_macaroon_session(&mut session, now);
                    store.insert(session);
                    report.restored += 1;
                    continue;
                }
                store.insert(session);
                report.restored += 1;
                // With autopilot disabled litd skips its sessions at start:
                // not resumed, no expiry (litd-front-door.md §8.6).
                if live && self.config.autopilot_enabled {
                    if at > now {
                        store.schedule_expiry(id, at);
                    } else {
                        report.expired_while_down += 1;
                    }
                }
            }
            for (group, map) in snapshot.privacy_maps {
                store.set_privacy_map(group, map);
            }
            for (id, action) in snapshot.actions {
                store.actions_mut().restore_row(id, action);
            }
        }
        self.changes.bump();
        report
    }
}

/// litd's first-connection deadline (`firstlncconndeadline`, 10 minutes).
pub(crate) const FIRST_CONNECTION_DEADLINE_NANOS: i128 = 10 * 60 * 1_000_000_000;

/// litd's start-up rules for a live non-autopilot session (§5.4): expired
/// becomes EXPIRED; never connected past its first-connection deadline
/// becomes REVOKED (no remote call). Either sets `revoked_at` to now.
/// (A session that is resumed would then be revoked at its deadline or
/// expiry while running; the mock, which has no mailbox, leaves it.)
fn resume_macaroon_session(session: &mut Session, now: i128) {
    let now_secs = now.div_euclid(1_000_000_000).max(0) as u64;
    if expiry_nanos(session.expiry_timestamp_seconds) < now {
        session.state = SessionState::Expired;
        session.revoked_at = now_secs;
    } else if session.remote_public_key.is_none()
        && session.created_at_nanos + FIRST_CONNECTION_DEADLINE_NANOS <= now
    {
        session.state = SessionState::Revoked;
        session.revoked_at = now_secs;
    }
}

#[cfg(test)]
#[path = "snapshot_tests.rs"]
mod tests;
