//! litd's remote lifecycle around the sessions (front door §8): whether the
//! autopilot client started (readiness), which sessions are resumed at
//! start-up, and the ping loop's list with its "last success" rule, all on
//! the core's [`Clock`](super::clock::Clock). No timers here: a driver
//! outside the domain (`crate::remote::lifecycle`) calls
//! [`AutopilotCore::run_due`] when real time passes or the clock is moved.

use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use super::clock::unix_nanos;
use super::keys::COMPRESSED_LEN;
use super::service::AutopilotCore;
use super::session::SessionState;
use super::store::expiry_nanos;

/// The substring that makes an ActivateSession error permanent (§8.4).
pub(crate) const REJECTED: &str = "the client has been rejected";

/// Most ping-loop ticks replayed in one go; a bigger clock jump skips to
/// the last tick before now (a Go ticker drops ticks its reader missed).
const MAX_TICKS_PER_RUN: i128 = 10_000;

/// Per-process lifecycle state: the ping list (readiness is the core's
/// [`Readiness`](super::readiness::Readiness)).
#[derive(Debug, Default)]
pub(super) struct Lifecycle {
    /// The ping loop, once the autopilot client started.
    pings: Option<Pings>,
}

#[derive(Debug)]
struct Pings {
    cadence: i128,
    /// The next ticker tick, in unix nanoseconds of the core's clock.
    next_tick: i128,
    /// Tracked responder keys and their last successful activation.
    last_success: BTreeMap<[u8; COMPRESSED_LEN], i128>,
}

/// Whether an ActivateSession error is permanent (§8.4).
pub(crate) fn is_rejection(message: &str) -> bool {
    message.contains(REJECTED)
}

/// litd's Status `lit` error for a failed autopilot client start (§4.4):
/// `client_error` is `could not start the autopilot client: <err>`.
pub(crate) fn lit_start_error(client_error: &str) -> String {
    format!("could not start Lit: could not start litd sub-servers: {client_error}")
}

impl AutopilotCore {
    pub(super) fn lock_lifecycle(&self) -> MutexGuard<'_, Lifecycle> {
        lock(&self.lifecycle)
    }

    /// Records that litd's start sequence failed (the Terms check, §8.1).
    /// The process stays up; gated calls fail from now on.
    pub(crate) fn record_start_failure(&self, client_error: &str) {
        self.readiness
            .record_lit_failure(lit_start_error(client_error));
    }

    /// The `lit` Status error, if litd's start sequence failed.
    pub fn lit_error(&self) -> Option<String> {
        self.readiness.lit_error()
    }

    /// litd's start-up state: Status reports it, the dispatcher gates calls
    /// on it ([`Readiness::gate`](super::readiness::Readiness::gate)).
    pub(crate) fn readiness(&self) -> &super::readiness::Readiness {
        &self.readiness
    }

    /// The autopilot client started: the ping loop ticks every `cadence`
    /// from now (its first pass, on an empty list, does nothing).
    pub(crate) fn start_ping_loop(&self, cadence: Duration) {
        let cadence = (cadence.as_nanos() as i128).max(1);
        let now = unix_nanos(self.clock.now());
        self.lock_lifecycle().pings = Some(Pings {
            cadence,
            next_tick: now.saturating_add(cadence),
            last_success: BTreeMap::new(),
        });
    }

    /// litd stopped and started again over the same database, up to its
    /// autopilot client's start (which the caller runs next, as at start):
    /// readiness cleared, the ping loop stopped, the store read back from
    /// its own snapshot (RESERVED rows dropped, live autopilot sessions
    /// resumed with their expiry timers), the action log kept.
    pub(crate) fn restart_store(&self) -> super::RestoreReport {
        let (snapshot, _) = self.snapshot();
        self.lock_lifecycle().pings = None;
        self.readiness.clear();
        self.restore(snapshot, self.clock.now())
    }

    /// litd's start-up state again (a reset): readiness as the mock's own
    /// start left it, and the ping loop running if the client started.
    pub(crate) fn back_to_start_up(&self) {
        self.readiness.back_to_start_up();
        if self.readiness.lit_running() && !self.client_started() {
            self.start_ping_loop(self.config.ping_cadence);
        }
    }

    /// Whether the autopilot client started (expiry timers and pings run).
    pub(crate) fn client_started(&self) -> bool {
        self.lock_lifecycle().pings.is_some()
    }

    /// Adds a key to the ping list with "last success = now".
    pub(super) fn track_ping(&self, key: [u8; COMPRESSED_LEN]) {
        let now = unix_nanos(self.clock.now());
        if let Some(p) = &mut self.lock_lifecycle().pings {
            p.last_success.insert(key, now);
        }
    }

    /// Takes a key off the ping list (revocation, permanent rejection).
    pub(super) fn untrack_ping(&self, key: &[u8]) {
        if let (Some(p), Ok(key)) = (&mut self.lock_lifecycle().pings, key.try_into()) {
            p.last_success.remove::<[u8; COMPRESSED_LEN]>(&key);
        }
    }

    /// Empties the ping list (the sessions were dropped).
    pub(super) fn clear_pings(&self) {
        if let Some(p) = &mut self.lock_lifecycle().pings {
            p.last_success.clear();
        }
    }

    /// The keys on the ping list, for tests and the admin API.
    #[cfg(test)]
    pub(crate) fn pinged_keys(&self) -> Vec<Vec<u8>> {
        self.lock_lifecycle()
            .pings
            .as_ref()
            .map(|p| p.last_success.keys().map(|k| k.to_vec()).collect())
            .unwrap_or_default()
    }

    /// Start-up (§8.2 step 3): every live session whose expiry is still
    /// ahead is put on the ping list; their responder keys are returned for
    /// the caller to activate (with litd's 15 s timeout). Sessions whose
    /// expiry passed stay CREATED untouched (`restore` armed no timer).
    pub(crate) fn sessions_to_activate(&self) -> Vec<[u8; COMPRESSED_LEN]> {
        let now = unix_nanos(self.clock.now());
        let keys: Vec<_> = self
            .lock_store()
            .iter()
            .filter(|s| matches!(s.state, SessionState::Created | SessionState::InUse))
            .filter(|s| s.remote_public_key.is_some())
            .filter(|s| expiry_nanos(s.expiry_timestamp_seconds) > now)
            .map(|s| s.local_public_key)
            .collect();
        for key in &keys {
            self.track_ping(*key);
        }
        keys
    }

    /// A start-up activation the server rejected permanently: the session
    /// becomes REVOKED (revoked_at now) and is not resumed; the remote
    /// RevokeSession is not called, and the key stays on the ping list
    /// until a ping to it fails (§8.4).
    pub(crate) fn revoke_rejected(&self, key: &[u8; COMPRESSED_LEN]) {
        let now = self.clock.now();
        let mut store = self.lock_store();
        let Some(id) = store.id_by_key(key) else {
            return;
        };
        let Some(session) = store.get_mut(&id) else {
            return;
        };
        if !matches!(session.state, SessionState::Created | SessionState::InUse) {
            return;
        }
        session.state = SessionState::Revoked;
        session.revoked_at = super::clock::unix_secs(now).max(0) as u64;
        let at = expiry_nanos(session.expiry_timestamp_seconds);
        store.unschedule_expiry(id, at);
        drop(store);
        self.changes.bump();
    }

    /// Everything that came due on the clock: resumed sessions' expiry,
    /// then every ping-loop tick up to now, each tick with litd's rules.
    /// Passes never overlap; the clock may be moved by anyone meanwhile.
    pub async fn run_due(&self) {
        // lit did not start: no session server, no expiry timers, no pings.
        if !self.readiness.lit_running() {
            return;
        }
        let _pass = self.lifecycle_pass.lock().await;
        self.expire_due().await;
        let mut ticks = 0;
        while let Some((tick, due)) = self.next_tick() {
            ticks += 1;
            for key in due {
                self.ping(key, tick).await;
            }
            if ticks >= MAX_TICKS_PER_RUN {
                break;
            }
        }
    }

    /// The next tick at or before now and the keys due then; `None` when
    /// the next tick is still ahead. A clock moved back by more than one
    /// period starts the ticker afresh.
    fn next_tick(&self) -> Option<(i128, Vec<[u8; COMPRESSED_LEN]>)> {
        let now = unix_nanos(self.clock.now());
        let mut lifecycle = self.lock_lifecycle();
        let p = lifecycle.pings.as_mut()?;
        if p.next_tick > now.saturating_add(p.cadence) {
            p.next_tick = now.saturating_add(p.cadence);
        }
        if p.next_tick > now {
            return None;
        }
        let behind = (now - p.next_tick) / p.cadence;
        if behind >= MAX_TICKS_PER_RUN {
            p.next_tick += behind * p.cadence;
        }
        let tick = p.next_tick;
        p.next_tick = tick.saturating_add(p.cadence);
        // litd: ping when the last success is at least a period old.
        let due = p
            .last_success
            .iter()
            .filter(|(_, last)| tick - **last >= p.cadence)
            .map(|(key, _)| *key)
            .collect();
        Some((tick, due))
    }

    /// One ping (ActivateSession, no timeout) at tick time `tick`.
    async fn ping(&self, key: [u8; COMPRESSED_LEN], tick: i128) {
        let result = self.remote.activate_session(key.to_vec()).await;
        let mut lifecycle = self.lock_lifecycle();
        let Some(p) = lifecycle.pings.as_mut() else {
            return;
        };
        match result {
            Ok(_) => {
                // litd reads the time after the call returns, a moment after
                // the tick: so the next tick finds it just under a period
                // old and a healthy session is pinged every second tick.
                if let Some(last) = p.last_success.get_mut(&key) {
                    *last = tick + 1;
                }
            }
            Err(e) if is_rejection(&e.message) => {
                tracing::info!(error = %e, "autopilot rejected the client; no longer pinged");
                p.last_success.remove(&key);
            }
            Err(e) => tracing::debug!(error = %e, "ping failed; retried at the next tick"),
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // Every critical section leaves the state consistent.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

#[cfg(test)]
#[path = "lifecycle_tests.rs"]
mod tests;
