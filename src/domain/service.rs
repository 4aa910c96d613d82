//! The Autopilot service core: litd's four handlers with no transport in
//! them. Transports translate wire messages into these calls and map
//! [`AutopilotError`] codes back onto the wire.
//!
//! Concurrency: the store sits behind one `std::sync::Mutex` that is never
//! held across an `.await`; remote calls happen between short critical
//! sections, as litd's handlers call the remote server between DB
//! transactions.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};

use rand::rngs::StdRng;
use rand::SeedableRng;

use super::clock::{unix_nanos, unix_secs, Clock};
use super::error::AutopilotError;
use super::features::{self, FeatureInfo};
use super::keys::{parse_public_key, KeySequence};
use super::remote::{RemoteAutopilot, RemoteError, Version};
use super::session::{SessionState, SessionType};
use super::store::{expiry_nanos, Store};

/// [`CoreConfig::max_sessions`]'s default (`serve --max-sessions`).
pub const DEFAULT_MAX_SESSIONS: usize = 1_000_000;

/// litd's default `autopilot.pingcadence`, one hour (`serve
/// --autopilot-ping-cadence`'s default `1h` is checked against it).
pub const DEFAULT_PING_CADENCE: std::time::Duration = std::time::Duration::from_secs(3_600);

/// Settings of the core that are not per request.
#[derive(Debug, Clone)]
pub struct CoreConfig {
    /// Sent as `lit_version` in registrations: litd 0.17.2 at the reference commit.
    pub(crate) lit_version: Version,
    /// Sent as `lnd_version`: the lnd litd 0.17.2 pins.
    pub(crate) lnd_version: Version,
    /// Sessions kept in memory at most; adding beyond it fails clearly.
    pub max_sessions: usize,
    /// litd's `autopilot.pingcadence` (default 1 h): the ping loop's period.
    pub ping_cadence: std::time::Duration,
    /// `false` is litd's `autopilot.disable`: the remote server is never
    /// called (revocations are local only) and stored autopilot sessions
    /// are not resumed at start (litd-front-door.md §8.6).
    pub autopilot_enabled: bool,
}

impl Default for CoreConfig {
    fn default() -> Self {
        Self {
            lit_version: Version {
                major: 0,
                minor: 17,
                patch: 2,
            },
            lnd_version: Version {
                major: 0,
                minor: 21,
                patch: 2,
            },
            max_sessions: DEFAULT_MAX_SESSIONS,
            ping_cadence: DEFAULT_PING_CADENCE,
            autopilot_enabled: true,
        }
    }
}

/// litd's `litrpc.Autopilot` behaviour over an in-memory store.
pub struct AutopilotCore {
    pub(super) store: Mutex<Store>,
    pub(super) remote: Arc<dyn RemoteAutopilot>,
    /// The remote as the expiry path calls it: litd gives RevokeSession at
    /// expiry a 15 s timeout, which the server wraps around `remote` here
    /// (`remote::deadline`); the same remote without one otherwise.
    pub(super) expiry_remote: Arc<dyn RemoteAutopilot>,
    pub(super) clock: Arc<dyn Clock>,
    /// Keys, pairing secrets and pseudo values all come from here, so a
    /// seeded core is reproducible.
    pub(super) rng: Mutex<StdRng>,
    /// Session key pairs, a point addition each (see [`KeySequence`]);
    /// started from `rng`, so seeded with it.
    pub(super) keys: Mutex<KeySequence>,
    pub(super) config: CoreConfig,
    /// Bumped after every change, for persistence (see `snapshot.rs`).
    pub(super) changes: super::snapshot::ChangeFeed,
    /// The clock's reading when the core was made: the mock's "process
    /// start", from which Go's monotonic readings are counted.
    pub(super) started_at: std::time::SystemTime,
    /// The ping list (see `lifecycle.rs`).
    pub(super) lifecycle: Mutex<super::lifecycle::Lifecycle>,
    /// litd's start-up state (a failed Terms check leaves `lit` not running).
    pub(super) readiness: super::readiness::Readiness,
    /// Serializes [`AutopilotCore::run_due`] passes.
    pub(super) lifecycle_pass: futures_util::lock::Mutex<()>,
    /// Told when the clock is moved, so a lifecycle driver runs at once.
    pub(super) clock_listener: Mutex<Option<ClockListener>>,
    /// Set by `Proxy.StopDaemon` (see `proxy.rs`).
    pub(super) stop: super::proxy::StopRequest,
}

/// A function told that the clock was moved (it only wakes someone).
pub(crate) type ClockListener = Arc<dyn Fn() + Send + Sync>;

impl AutopilotCore {
    /// A core with no sessions that registers with `remote` and reads time
    /// from `clock`, with [`CoreConfig::default`] and unseeded randomness.
    pub fn new(remote: Arc<dyn RemoteAutopilot>, clock: Arc<dyn Clock>) -> Self {
        Self::with_config(remote, clock, CoreConfig::default(), None)
    }

    /// `seed`: make every random draw reproducible (tests, scenarios).
    pub fn with_config(
        remote: Arc<dyn RemoteAutopilot>,
        clock: Arc<dyn Clock>,
        config: CoreConfig,
        seed: Option<u64>,
    ) -> Self {
        let mut rng = match seed {
            Some(seed) => StdRng::seed_from_u64(seed),
            None => StdRng::from_os_rng(),
        };
        let keys = Mutex::new(KeySequence::new(&mut rng));
        let started_at = clock.now();
        Self {
            store: Mutex::new(Store::default()),
            expiry_remote: remote.clone(),
            remote,
            clock,
            rng: Mutex::new(rng),
            keys,
            config,
            changes: Default::default(),
            started_at,
            lifecycle: Default::default(),
            readiness: Default::default(),
            lifecycle_pass: Default::default(),
            clock_listener: Default::default(),
            stop: Default::default(),
        }
    }

    /// Calls the remote's RevokeSession at expiry through `remote` (the
    /// core's remote with litd's timeout around it).
    pub(crate) fn with_expiry_remote(mut self, remote: Arc<dyn RemoteAutopilot>) -> Self {
        self.expiry_remote = remote;
        self
    }

    /// Go's monotonic reading at `now` (as `time.Now()` carries it in litd):
    /// the time on the mock's clock since the core was made.
    pub(super) fn monotonic_nanos(&self, now: std::time::SystemTime) -> i64 {
        let since = unix_nanos(now) - unix_nanos(self.started_at);
        since.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64
    }

    pub(crate) fn config(&self) -> &CoreConfig {
        &self.config
    }

    /// Tells a lifecycle driver that the clock moved (expiry, pings).
    pub(crate) fn clock_was_moved(&self) {
        let listener = self
            .clock_listener
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        if let Some(listener) = listener {
            listener();
        }
    }

    /// Sets (or, with `None`, removes) who is told of clock moves.
    pub(crate) fn set_clock_listener(&self, listener: Option<ClockListener>) {
        *self
            .clock_listener
            .lock()
            .unwrap_or_else(|e| e.into_inner()) = listener;
    }

    /// The clock the core reads "now" from (expiry, `created_at`,
    /// `revoked_at`).
    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    /// `false` under `--autopilot-disabled` (litd's `autopilot.disable`).
    pub(crate) fn autopilot_enabled(&self) -> bool {
        self.config.autopilot_enabled
    }

    pub(crate) fn remote(&self) -> &Arc<dyn RemoteAutopilot> {
        &self.remote
    }

    pub(super) fn lock_store(&self) -> MutexGuard<'_, Store> {
        // Every critical section leaves the store consistent before it can
        // panic, so a poisoned lock still guards valid data.
        self.store.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(super) fn lock_rng(&self) -> MutexGuard<'_, StdRng> {
        self.rng.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(super) fn next_key_pair(&self) -> (secp256k1::SecretKey, secp256k1::PublicKey) {
        self.keys
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .next_pair()
    }

    /// Number of sessions stored, in every state.
    pub fn session_count(&self) -> usize {
        self.lock_store().len()
    }

    /// Drops every session, privacy map and firewall action (and so every
    /// ping). A whole mock resets through `control::reset_mock`.
    pub fn reset(&self) {
        self.lock_store().clear();
        self.clear_pings();
        self.changes.bump();
    }

    /// `ListAutopilotFeatures` (§2.5). Remote errors keep their code.
    pub(crate) async fn list_features(
        &self,
    ) -> Result<BTreeMap<String, FeatureInfo>, AutopilotError> {
        let catalogue = self.remote.list_features().await.map_err(remote_error)?;
        features::describe(&catalogue).map_err(AutopilotError::unknown)
    }

    /// `RevokeAutopilotSession` (§2.4): idempotent; the remote server is told
    /// every time, best effort.
    pub async fn revoke_session(&self, local_public_key: &[u8]) -> Result<(), AutopilotError> {
        self.revoke_by_key(local_public_key, Some(SessionType::Autopilot))
            .await
    }

    /// Both revocations: `only` is the type RevokeAutopilotSession insists
    /// on (another type is `session not found`); without it any type is
    /// revoked and a failed lookup reads `error fetching session: ...`
    /// (Sessions.RevokeSession, litd-front-door.md §5.6).
    pub(super) async fn revoke_by_key(
        &self,
        local_public_key: &[u8],
        only: Option<SessionType>,
    ) -> Result<(), AutopilotError> {
        self.expire_due().await;
        let key = parse_public_key(local_public_key)
            .map_err(|e| AutopilotError::unknown(format!("error parsing public key: {e}")))?;
        {
            let now = self.clock.now();
            let mut store = self.lock_store();
            let not_found = || {
                let missing = "session not found: sql: no rows in result set";
                AutopilotError::unknown(match only {
                    Some(_) => missing.to_string(),
                    None => format!("error fetching session: {missing}"),
                })
            };
            let id = store.id_by_key(&key).ok_or_else(not_found)?;
            let session = store.get_mut(&id).ok_or_else(not_found)?;
            if only.is_some_and(|t| t != session.session_type) {
                return Err(AutopilotError::unknown("session not found"));
            }
            match session.state {
                SessionState::Revoked => {}
                SessionState::Expired | SessionState::Reserved => {
                    return Err(AutopilotError::unknown(format!(
                        "error revoking session: illegal session state transition from {} to {}",
                        session.state.number(),
                        SessionState::Revoked.number()
                    )));
                }
                SessionState::Created | SessionState::InUse => {
                    session.state = SessionState::Revoked;
                    session.revoked_at = unix_secs(now).max(0) as u64;
                    let at = expiry_nanos(session.expiry_timestamp_seconds);
                    store.unschedule_expiry(id, at);
                    drop(store);
                    self.changes.bump();
                }
            }
        }
        self.untrack_ping(&key);
        // Best effort, as litd: errors are only logged there. With
        // autopilot disabled litd has no client to tell.
        if !self.config.autopilot_enabled {
            return Ok(());
        }
        if let Err(e) = self.remote.revoke_session(key.to_vec()).await {
            tracing::debug!(error = %e, "remote RevokeSession failed (ignored, as litd does)");
        }
        Ok(())
    }

    /// Sessions resumed at start-up whose expiry passed while running become
    /// REVOKED (not EXPIRED), with `revoked_at` at the expiry time, and the
    /// remote server is told (Correction 3). Sessions added in this run have
    /// no expiry timer: in litd 0.17.2 with sqlite their expiry shift runs on
    /// the finished Add call's cancelled context and fails, so they stay
    /// CREATED. Runs before each call, so a moved clock takes effect at once.
    pub(crate) async fn expire_due(&self) {
        let expired = {
            let mut store = self.lock_store();
            self.revoke_due(&mut store)
        };
        self.tell_remote_expired(expired).await;
    }

    /// Marks every live session whose expiry has passed REVOKED, with the
    /// store locked by the caller; returns their keys for the remote server.
    pub(super) fn revoke_due(&self, store: &mut Store) -> Vec<Vec<u8>> {
        if self.lit_error().is_some() {
            // litd's session server never started: no session was resumed.
            return Vec::new();
        }
        let now = unix_nanos(self.clock.now());
        let due = store.take_due(now);
        due.iter()
            .filter_map(|id| {
                let s = store.get_mut(id)?;
                if !matches!(s.state, SessionState::Created | SessionState::InUse) {
                    return None;
                }
                s.state = SessionState::Revoked;
                s.revoked_at = (s.expiry_timestamp_seconds as i64).max(0) as u64;
                Some(s.local_public_key.to_vec())
            })
            .collect()
    }

    /// Tells the remote server about expired sessions (best effort, outside
    /// the store lock, as litd calls it between transactions).
    pub(super) async fn tell_remote_expired(&self, keys: Vec<Vec<u8>>) {
        if !keys.is_empty() {
            self.changes.bump();
        }
        if !self.config.autopilot_enabled {
            return;
        }
        for key in keys {
            self.untrack_ping(&key);
            if let Err(e) = self.expiry_remote.revoke_session(key).await {
                tracing::debug!(error = %e, "remote RevokeSession at expiry failed (ignored)");
            }
        }
    }
}

/// ListFeatures errors go back to the caller unwrapped, code kept.
pub(super) fn remote_error(e: RemoteError) -> AutopilotError {
    AutopilotError::with_code(e.code, e.message)
}
