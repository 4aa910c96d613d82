//! The scriptable remote autopilot server (`autopilotserverrpc.Autopilot`):
//! litd's Go test server ([`InProcessRemote`]) behind a script that can
//! override any answer, and a journal of every call. One [`Stub`] serves
//! in process (as the mock's remote) and standalone over gRPC ([`grpc`]);
//! [`crate::admin`] exposes it over HTTP on the mock's port.
//!
//! Outside `domain/` on purpose: scripts are files and JSON, journals carry
//! wall-clock times; the domain only sees a [`RemoteAutopilot`].

pub mod grpc;
pub(crate) mod journal;
pub(crate) mod script;
mod steps;

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

pub use journal::{Answer, JournalEntry, StubRequest};
pub use script::{Reply, Rpc, Script, ScriptError, Step, Success};

use crate::domain::clock::Clock;
use crate::domain::remote::{
    BoxFuture, Registration, RemoteAutopilot, RemoteError, RemoteFeature, RemoteKey, Version,
};
use crate::remote::InProcessRemote;
use script::KeyChoice;

/// The stub. Cheap to clone; clones share state.
#[derive(Clone)]
pub struct Stub {
    inner: Arc<Inner>,
}

struct Inner {
    default: InProcessRemote,
    clock: Arc<dyn Clock>,
    /// The script the stub was made with, which [`Stub::reset`] restores.
    startup_script: Script,
    state: Mutex<State>,
}

struct State {
    script: Script,
    /// Uses left per step (`None`: unlimited), parallel to `script.steps`.
    remaining: BTreeMap<Rpc, Vec<Option<u32>>>,
    /// The newest calls, oldest first; at most `journal_limit` of them, so a
    /// long-running mock does not grow with every call it ever received.
    journal: VecDeque<JournalEntry>,
    journal_limit: usize,
    next_seq: u64,
}

/// Calls the journal keeps by default (the oldest are dropped first).
pub const DEFAULT_JOURNAL_LIMIT: usize = 10_000;

impl State {
    fn arm(&mut self) {
        self.remaining = self
            .script
            .steps
            .iter()
            .map(|(rpc, steps)| (*rpc, steps.iter().map(|s| s.times).collect()))
            .collect();
    }

    /// The first step for this call that matches and has uses left, used up.
    fn take_step(&mut self, request: &StubRequest) -> Option<(usize, Step)> {
        let rpc = request.rpc();
        let steps = self.script.steps.get(&rpc)?;
        let remaining = self.remaining.get_mut(&rpc)?;
        let key = request.responder_pub_key();
        let (i, step) = steps.iter().enumerate().find(|(i, s)| {
            remaining.get(*i).is_some_and(|r| *r != Some(0))
                && s.when.matches(key, request.registration())
        })?;
        if let Some(Some(n)) = remaining.get_mut(i) {
            *n -= 1;
        }
        Some((i, step.clone()))
    }
}

impl Stub {
    /// A stub running `script`; journal times come from `clock`; keys are
    /// drawn from the OS's randomness.
    pub fn new(script: Script, clock: Arc<dyn Clock>) -> Stub {
        Self::with_seed(script, clock, None)
    }

    /// A stub whose default answers' keys (and a script's `random` keys)
    /// come from `seed` (see [`InProcessRemote::with_seed`]).
    pub(crate) fn with_seed(script: Script, clock: Arc<dyn Clock>, seed: Option<u64>) -> Stub {
        let default = InProcessRemote::with_seed(script.catalogue.clone(), seed);
        let mut state = State {
            script: script.clone(),
            remaining: BTreeMap::new(),
            journal: VecDeque::new(),
            journal_limit: DEFAULT_JOURNAL_LIMIT,
            next_seq: 1,
        };
        state.arm();
        Stub {
            inner: Arc::new(Inner {
                default,
                clock,
                startup_script: script,
                state: Mutex::new(state),
            }),
        }
    }

    /// Keeps at most `limit` journal entries (at least 1), dropping the oldest.
    pub fn set_journal_limit(&self, limit: usize) {
        let mut state = self.lock();
        state.journal_limit = limit.max(1);
        while state.journal.len() > state.journal_limit {
            state.journal.pop_front();
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // Every critical section leaves the state consistent.
        self.inner.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The test-server state underneath (registered clients, catalogue).
    pub fn in_process(&self) -> &InProcessRemote {
        &self.inner.default
    }

    pub(crate) fn script(&self) -> Script {
        self.lock().script.clone()
    }

    /// Replaces the script (and the catalogue) and re-arms every step.
    /// Registered clients and the journal stay.
    pub(crate) fn set_script(&self, script: Script) {
        self.inner.default.set_catalogue(script.catalogue.clone());
        let mut state = self.lock();
        state.script = script;
        state.arm();
    }

    /// Every call received so far, oldest first.
    pub fn journal(&self) -> Vec<JournalEntry> {
        self.lock().journal.iter().cloned().collect()
    }

    /// The calls of one RPC, oldest first.
    pub fn calls(&self, rpc: Rpc) -> Vec<JournalEntry> {
        self.lock()
            .journal
            .iter()
            .filter(|e| e.rpc() == rpc)
            .cloned()
            .collect()
    }

    /// Forgets every journalled call (sequence numbers keep counting).
    pub fn clear_journal(&self) {
        self.lock().journal.clear();
    }

    /// Back to how the stub started: registered clients and the journal
    /// forgotten, the script it was made with (not one set since) restored
    /// and armed.
    pub(crate) fn reset(&self) {
        self.inner.default.reset_clients();
        let startup = self.inner.startup_script.clone();
        self.inner.default.set_catalogue(startup.catalogue.clone());
        let mut state = self.lock();
        state.journal.clear();
        state.script = startup;
        state.arm();
    }

    /// Records the call, picks its answer and gives it (after any delay),
    /// with what the journal's form of it leaves out.
    async fn handle(&self, request: StubRequest) -> Result<(Answer, Detail), RemoteError> {
        let (seq, step) = {
            let mut state = self.lock();
            let step = state.take_step(&request);
            let seq = state.next_seq;
            state.next_seq += 1;
            if state.journal.len() >= state.journal_limit {
                state.journal.pop_front();
            }
            state.journal.push_back(JournalEntry {
                seq,
                at: self.inner.clock.now(),
                request: request.clone(),
                step: step.as_ref().map(|(i, _)| *i),
                delay: step.as_ref().map_or(Duration::ZERO, |(_, s)| s.delay),
                answer: Answer::NoAnswer,
            });
            (seq, step.map(|(_, s)| s))
        };
        let (delay, advance, reply) = step
            .map_or((Duration::ZERO, Duration::ZERO, Reply::Default), |s| {
                (s.delay, s.advance_clock, s.reply)
            });
        if !delay.is_zero() {
            tokio::time::sleep(delay).await;
        }
        if !advance.is_zero() {
            // A clock that cannot move (the system clock) stays as it is.
            let _ = self.inner.clock.advance_nanos(advance.as_nanos() as i128);
        }
        let (answer, detail) = match reply {
            Reply::Hang => std::future::pending().await,
            Reply::Error(e) => (Answer::Error(e), Detail::default()),
            Reply::Default => self.default_answer(&request).await,
            Reply::Ok(success) => self.scripted_success(&request, success),
        };
        // Entries are pushed with consecutive seqs and only dropped from
        // the front (or all at once), so this call's entry, if still kept,
        // sits at its seq's distance from the first: O(1), where a scan made
        // every remote call (two per Add) cost O(calls so far).
        let mut state = self.lock();
        let first = state.journal.front().map_or(seq, |e| e.seq);
        if let Some(entry) = seq
            .checked_sub(first)
            .and_then(|i| usize::try_from(i).ok())
            .and_then(|i| state.journal.get_mut(i))
            .filter(|e| e.seq == seq)
        {
            entry.answer = answer.clone();
        }
        drop(state);
        match answer {
            Answer::Error(e) => Err(e),
            other => Ok((other, detail)),
        }
    }

    async fn default_answer(&self, request: &StubRequest) -> (Answer, Detail) {
        let d = &self.inner.default;
        let mut detail = Detail::default();
        let result = match request {
            StubRequest::Terms => d.terms().await.map(Answer::Terms),
            StubRequest::ListFeatures => d.list_features().await.map(|f| {
                let names = f.keys().cloned().collect();
                detail.features = f;
                Answer::Features(names)
            }),
            StubRequest::RegisterSession(r) => d.register_session(r.clone()).await.map(|key| {
                let bytes = key.to_bytes();
                detail.key = Some(key);
                Answer::Key(bytes)
            }),
            StubRequest::ActivateSession { responder_pub_key } => d
                .activate_session(responder_pub_key.clone())
                .await
                .map(Answer::Key),
            StubRequest::RevokeSession { responder_pub_key } => d
                .revoke_session(responder_pub_key.clone())
                .await
                .map(|()| Answer::Empty),
        };
        (result.unwrap_or_else(Answer::Error), detail)
    }

    fn scripted_success(&self, request: &StubRequest, success: Success) -> (Answer, Detail) {
        let answer = match success {
            Success::Terms(v) => Answer::Terms(v),
            Success::Features(f) => {
                let names = f.keys().cloned().collect();
                let detail = Detail {
                    features: f,
                    key: None,
                };
                return (Answer::Features(names), detail);
            }
            Success::Empty => Answer::Empty,
            Success::Key(choice) => {
                let key = match choice {
                    KeyChoice::Given(k) => k,
                    // From the in-process server's (seeded) key sequence.
                    KeyChoice::Random => self.inner.default.draw_key().serialize().to_vec(),
                };
                if let Some(r) = request.registration() {
                    self.inner
                        .default
                        .force_register(&r.responder_pub_key, r.privacy_flags);
                }
                Answer::Key(key)
            }
        };
        (answer, Detail::default())
    }
}

type Features = BTreeMap<String, RemoteFeature>;

/// What an answer carries beyond its journal entry: ListFeatures' whole
/// catalogue (the journal keeps only the names), and RegisterSession's key
/// as the in-process server made it (so the domain need not parse it again).
#[derive(Default)]
struct Detail {
    features: Features,
    key: Option<RemoteKey>,
}

impl RemoteAutopilot for Stub {
    fn terms(&self) -> BoxFuture<'_, Result<Version, RemoteError>> {
        Box::pin(async move {
            match self.handle(StubRequest::Terms).await?.0 {
                Answer::Terms(v) => Ok(v),
                _ => Ok(Version::default()),
            }
        })
    }

    fn list_features(&self) -> BoxFuture<'_, Result<BTreeMap<String, RemoteFeature>, RemoteError>> {
        Box::pin(async move { Ok(self.handle(StubRequest::ListFeatures).await?.1.features) })
    }

    fn register_session(&self, r: Registration) -> BoxFuture<'_, Result<RemoteKey, RemoteError>> {
        Box::pin(async move {
            match self.handle(StubRequest::RegisterSession(r)).await? {
                (_, Detail { key: Some(key), .. }) => Ok(key),
                (Answer::Key(k), _) => Ok(RemoteKey::Sent(k)),
                _ => Ok(RemoteKey::Sent(Vec::new())),
            }
        })
    }

    fn activate_session(&self, key: Vec<u8>) -> BoxFuture<'_, Result<Vec<u8>, RemoteError>> {
        Box::pin(async move {
            let request = StubRequest::ActivateSession {
                responder_pub_key: key,
            };
            match self.handle(request).await?.0 {
                Answer::Key(k) => Ok(k),
                _ => Ok(Vec::new()),
            }
        })
    }

    fn revoke_session(&self, key: Vec<u8>) -> BoxFuture<'_, Result<(), RemoteError>> {
        Box::pin(async move {
            let request = StubRequest::RevokeSession {
                responder_pub_key: key,
            };
            self.handle(request).await.map(|_| ())
        })
    }
}

impl std::fmt::Debug for Stub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Stub").finish_non_exhaustive()
    }
}

#[cfg(test)]
#[path = "stub_tests.rs"]
mod tests;
