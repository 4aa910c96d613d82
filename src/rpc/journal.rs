//! The journal of received calls: every litd call the dispatcher saw, on
//! every transport, newest kept. Read through the admin API
//! (`GET/DELETE /_autopilot-mock/v1/requests`) and `MockServer::requests()`.
//!
//! An entry keeps the typed request and reply (an `Arc`, no JSON made at
//! call time); litd's JSON is written when the journal is read. So a kept
//! `ListAutopilotSessions` reply holds its sessions' shared wire forms, and
//! the journal also bounds the number of listed sessions it keeps alive
//! (`LISTED_SESSIONS_BUDGET`). Credentials appear only as their kind:
//! never a macaroon or a password.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime};

use serde_json::{json, Value};

use super::spec::Reply;
use super::{Rpc, Transport};
use crate::domain::clock::unix_nanos;
use crate::domain::Code;

/// Entries kept by default (`serve --requests-limit`).
pub const DEFAULT_REQUESTS_LIMIT: usize = 10_000;

/// At most this many listed sessions are kept across the entries' List
/// replies; past it the oldest entries go even below the count limit, so a
/// journal of Lists over a million sessions stays a few MB.
pub(crate) const LISTED_SESSIONS_BUDGET: usize = 10_000_000;

/// What a call presented (the journal shows this, never the secret).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CredentialKind {
    /// A macaroon came (`macaroon` metadata, or REST's
    /// `grpc-metadata-macaroon` header), whatever else did.
    Macaroon,
    /// No macaroon, but an `authorization` header (litd's UI password).
    UiPassword,
    /// Neither.
    None,
}

/// How the credential check went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthOutcome {
    /// The credential was accepted for this method.
    Ok,
    /// Refused, with litd's text.
    Refused(String),
    /// The request did not decode, so (as in litd) it was never checked.
    NotChecked,
}

/// A message kept in an entry, written as litd's JSON when read.
trait Kept: Send + Sync {
    fn litd_json(&self) -> Value;
    /// Listed sessions held (see [`LISTED_SESSIONS_BUDGET`]).
    fn weight(&self) -> usize;
}

impl<T: Reply + Sync> Kept for T {
    fn litd_json(&self) -> Value {
        self.to_litd_json()
    }

    fn weight(&self) -> usize {
        self.journal_weight()
    }
}

/// One received call, as kept.
struct Entry {
    seq: u64,
    at: SystemTime,
    rpc: Rpc,
    transport: Transport,
    credential: CredentialKind,
    auth: AuthOutcome,
    request: Option<Arc<dyn Kept>>,
    outcome: Result<Arc<dyn Kept>, (Code, String)>,
    latency: Duration,
}

/// One received call, as read: litd's JSON for request and response.
#[derive(Debug, Clone, PartialEq)]
pub struct ReceivedCall {
    /// 1, 2, 3, ... in arrival order; clearing keeps counting.
    pub(crate) seq: u64,
    /// Arrival on the mock's clock (a moved clock shows here).
    pub(crate) at: SystemTime,
    /// The litd method called.
    pub rpc: Rpc,
    /// The transport it came over.
    pub transport: Transport,
    /// What credential it presented (never the secret itself).
    pub credential: CredentialKind,
    /// How the credential check went.
    pub auth: AuthOutcome,
    /// `None`: the request did not decode (see `error`).
    pub(crate) request: Option<Value>,
    /// The response, or the error's code and litd's text.
    pub response: Result<Value, (Code, String)>,
    pub(crate) latency: Duration,
}

impl ReceivedCall {
    /// The admin API's form of an entry.
    pub fn to_json(&self) -> Value {
        let nanos = unix_nanos(self.at);
        let time = time::OffsetDateTime::from_unix_timestamp_nanos(nanos)
            .ok()
            .and_then(|t| {
                t.format(&time::format_description::well_known::Rfc3339)
                    .ok()
            });
        let auth = match &self.auth {
            AuthOutcome::Ok => json!({"result": "ok"}),
            AuthOutcome::Refused(message) => json!({"result": "refused", "message": message}),
            AuthOutcome::NotChecked => json!({"result": "not_checked"}),
        };
        let (response, error) = match &self.response {
            Ok(v) => (v.clone(), Value::Null),
            Err((code, message)) => (
                Value::Null,
                json!({
                    "code": code.go_name(),
                    "code_number": *code as i32,
                    "message": message,
                }),
            ),
        };
        json!({
            "seq": self.seq,
            "time": time,
            "unix_nanos": nanos.to_string(),
            "method": self.rpc.full_method(),
            "transport": self.transport,
            "credential": self.credential,
            "auth": auth,
            "request": self.request.clone().unwrap_or(Value::Null),
            "response": response,
            "error": error,
            "latency_ms": (self.latency.as_secs_f64() * 1e6).round() / 1e3,
        })
    }
}

/// Which entries to read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestFilter {
    /// Only this method.
    pub(crate) rpc: Option<Rpc>,
    /// Only entries with a larger `seq`.
    pub(crate) since_seq: Option<u64>,
}

struct State {
    entries: VecDeque<Entry>,
    next_seq: u64,
    limit: usize,
    weight: usize,
    /// [`LISTED_SESSIONS_BUDGET`] (smaller in tests).
    budget: usize,
}

/// The journal (one per server, inside the dispatcher).
pub struct RequestJournal {
    state: Mutex<State>,
}

impl Default for RequestJournal {
    fn default() -> Self {
        Self::new(DEFAULT_REQUESTS_LIMIT)
    }
}

/// A call being journaled: what is known before the outcome.
pub(crate) struct Arrival {
    pub(crate) at: SystemTime,
    pub(crate) started: std::time::Instant,
    pub(crate) rpc: Rpc,
    pub(crate) transport: Transport,
    pub(crate) credential: CredentialKind,
}

impl RequestJournal {
    /// Keeps the newest `limit` entries (at least 1).
    pub(crate) fn new(limit: usize) -> Self {
        Self::with_budget(limit, LISTED_SESSIONS_BUDGET)
    }

    fn with_budget(limit: usize, budget: usize) -> Self {
        Self {
            state: Mutex::new(State {
                entries: VecDeque::new(),
                next_seq: 1,
                limit: limit.max(1),
                weight: 0,
                budget,
            }),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // Each critical section leaves the queue valid.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Journals a decoded call.
    pub(crate) fn record<Req: Reply + Sync, Resp: Reply + Sync>(
        &self,
        arrival: Arrival,
        auth: AuthOutcome,
        request: Arc<Req>,
        outcome: Result<Arc<Resp>, (Code, String)>,
    ) {
        let request: Arc<dyn Kept> = request;
        let outcome = outcome.map(|r| r as Arc<dyn Kept>);
        self.push(arrival, auth, Some(request), outcome);
    }

    /// Journals a request that did not decode, with its error.
    pub(crate) fn record_undecodable(&self, arrival: Arrival, code: Code, message: String) {
        self.push(arrival, AuthOutcome::NotChecked, None, Err((code, message)));
    }

    fn push(
        &self,
        arrival: Arrival,
        auth: AuthOutcome,
        request: Option<Arc<dyn Kept>>,
        outcome: Result<Arc<dyn Kept>, (Code, String)>,
    ) {
        let latency = arrival.started.elapsed();
        let weight = outcome.as_ref().map_or(1, |r| r.weight());
        let mut state = self.lock();
        let seq = state.next_seq;
        state.next_seq += 1;
        state.weight += weight;
        state.entries.push_back(Entry {
            seq,
            at: arrival.at,
            rpc: arrival.rpc,
            transport: arrival.transport,
            credential: arrival.credential,
            auth,
            request,
            outcome,
            latency,
        });
        state.trim();
    }

    /// The kept entries (oldest first) that pass `filter`.
    pub(crate) fn entries(&self, filter: &RequestFilter) -> Vec<ReceivedCall> {
        let kept: Vec<(
            u64,
            SystemTime,
            Rpc,
            Transport,
            CredentialKind,
            AuthOutcome,
            _,
            _,
            _,
        )> = {
            let state = self.lock();
            state
                .entries
                .iter()
                .filter(|e| filter.rpc.is_none_or(|r| r == e.rpc))
                .filter(|e| filter.since_seq.is_none_or(|s| e.seq > s))
                .map(|e| {
                    (
                        e.seq,
                        e.at,
                        e.rpc,
                        e.transport,
                        e.credential,
                        e.auth.clone(),
                        e.request.clone(),
                        e.outcome.clone(),
                        e.latency,
                    )
                })
                .collect()
        };
        // The JSON is written outside the lock.
        kept.into_iter()
            .map(
                |(seq, at, rpc, transport, credential, auth, request, outcome, latency)| {
                    ReceivedCall {
                        seq,
                        at,
                        rpc,
                        transport,
                        credential,
                        auth,
                        request: request.map(|r| r.litd_json()),
                        response: outcome.map(|r| r.litd_json()),
                        latency,
                    }
                },
            )
            .collect()
    }

    /// Forgets every entry (the count goes on).
    pub(crate) fn clear(&self) {
        let mut state = self.lock();
        state.entries.clear();
        state.weight = 0;
    }
}

impl State {
    fn trim(&mut self) {
        while self.entries.len() > self.limit
            || (self.weight > self.budget && self.entries.len() > 1)
        {
            if let Some(old) = self.entries.pop_front() {
                self.weight -= old.outcome.as_ref().map_or(1, |r| r.weight());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::litrpc as p;

    fn arrival(rpc: Rpc) -> Arrival {
        Arrival {
            at: SystemTime::UNIX_EPOCH + Duration::from_secs(5),
            started: std::time::Instant::now(),
            rpc,
            transport: Transport::Rest,
            credential: CredentialKind::Macaroon,
        }
    }

    fn record_revoke(j: &RequestJournal, key: u8) {
        let request = Arc::new(p::RevokeAutopilotSessionRequest {
            local_public_key: vec![key],
        });
        let reply = Arc::new(p::RevokeAutopilotSessionResponse {});
        j.record(
            arrival(Rpc::RevokeAutopilotSession),
            AuthOutcome::Ok,
            request,
            Ok(reply),
        );
    }

    #[test]
    fn entries_are_numbered_filtered_and_limited() {
        let j = RequestJournal::new(2);
        for key in 1..=3 {
            record_revoke(&j, key);
        }
        j.record_undecodable(
            arrival(Rpc::AddAutopilotSession),
            Code::InvalidArgument,
            "proto: bad".into(),
        );
        let all = j.entries(&RequestFilter::default());
        assert_eq!(all.iter().map(|e| e.seq).collect::<Vec<_>>(), [3, 4]);
        assert_eq!(all[0].request, Some(json!({"local_public_key": "Aw=="})));
        assert_eq!(all[1].auth, AuthOutcome::NotChecked);
        let revokes = RequestFilter {
            rpc: Some(Rpc::RevokeAutopilotSession),
            since_seq: Some(2),
        };
        assert_eq!(j.entries(&revokes).len(), 1);
        j.clear();
        assert!(j.entries(&RequestFilter::default()).is_empty());
        record_revoke(&j, 9);
        assert_eq!(j.entries(&RequestFilter::default())[0].seq, 5);
    }

    #[test]
    fn an_entry_reads_as_the_admin_apis_json() {
        let j = RequestJournal::new(10);
        j.record_undecodable(
            arrival(Rpc::AddAutopilotSession),
            Code::InvalidArgument,
            "proto: bad".into(),
        );
        let mut v = j.entries(&RequestFilter::default())[0].to_json();
        assert!(v["latency_ms"].is_number());
        v["latency_ms"] = json!(0);
        assert_eq!(
            v,
            json!({
                "seq": 1,
                "time": "1970-01-01T00:00:05Z",
                "unix_nanos": "5000000000",
                "method": "/litrpc.Autopilot/AddAutopilotSession",
                "transport": "rest",
                "credential": "macaroon",
                "auth": {"result": "not_checked"},
                "request": null,
                "response": null,
                "error": {"code": "InvalidArgument", "code_number": 3, "message": "proto: bad"},
                "latency_ms": 0,
            })
        );
    }

    #[test]
    fn big_lists_are_bounded_by_the_sessions_they_hold() {
        let j = RequestJournal::with_budget(100, 10);
        let sessions = vec![p::Session::default(); 5];
        let list = Arc::new(crate::wire::session_list::SessionList::from_sessions(
            &sessions,
        ));
        for _ in 0..3 {
            j.record(
                arrival(Rpc::ListAutopilotSessions),
                AuthOutcome::Ok,
                Arc::new(p::ListAutopilotSessionsRequest {}),
                Ok(list.clone()),
            );
        }
        let seqs: Vec<u64> = j.lock().entries.iter().map(|e| e.seq).collect();
        assert_eq!(seqs, [2, 3]);
    }
}
