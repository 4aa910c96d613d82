//! The stub's journal: every call it received, the full request, the answer
//! it gave and when. Typed for Rust callers (tests, the scenario harness);
//! [`JournalEntry::to_json`] is the admin API's shape.

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

use serde_json::{json, Value};

use super::script::Rpc;
use crate::domain::clock::unix_nanos;
use crate::domain::remote::{Registration, RemoteError, Version};

/// A request as the stub received it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StubRequest {
    /// `Terms` (no fields).
    Terms,
    /// `ListFeatures` (no fields).
    ListFeatures,
    /// `RegisterSession`, with everything litd sent.
    RegisterSession(Registration),
    /// `ActivateSession`: litd's activation ping of a registered session.
    ActivateSession {
        /// The session's 33-byte compressed local key, as sent.
        responder_pub_key: Vec<u8>,
    },
    /// `RevokeSession`.
    RevokeSession {
        /// The revoked session's 33-byte compressed local key, as sent.
        responder_pub_key: Vec<u8>,
    },
}

impl StubRequest {
    pub(crate) fn rpc(&self) -> Rpc {
        match self {
            StubRequest::Terms => Rpc::Terms,
            StubRequest::ListFeatures => Rpc::ListFeatures,
            StubRequest::RegisterSession(_) => Rpc::RegisterSession,
            StubRequest::ActivateSession { .. } => Rpc::ActivateSession,
            StubRequest::RevokeSession { .. } => Rpc::RevokeSession,
        }
    }

    /// The responder key the request names (empty for Terms, ListFeatures).
    pub fn responder_pub_key(&self) -> &[u8] {
        match self {
            StubRequest::RegisterSession(r) => &r.responder_pub_key,
            StubRequest::ActivateSession { responder_pub_key }
            | StubRequest::RevokeSession { responder_pub_key } => responder_pub_key,
            StubRequest::Terms | StubRequest::ListFeatures => &[],
        }
    }

    pub(crate) fn registration(&self) -> Option<&Registration> {
        match self {
            StubRequest::RegisterSession(r) => Some(r),
            _ => None,
        }
    }

    pub(crate) fn to_json(&self) -> Value {
        match self {
            StubRequest::Terms | StubRequest::ListFeatures => json!({}),
            StubRequest::RegisterSession(r) => json!({
                "responder_pub_key": hex::encode(&r.responder_pub_key),
                "mailbox_addr": r.mailbox_addr,
                "dev_server": r.dev_server,
                "feature_configs": r.feature_configs.iter()
                    .map(|(k, v)| (k.clone(), bytes_json(v)))
                    .collect::<serde_json::Map<_, _>>(),
                "lit_version": version_json(r.lit_version),
                "lnd_version": version_json(r.lnd_version),
                "group_responder_key": hex::encode(&r.group_responder_key),
                "group_responder_sig": hex::encode(&r.group_responder_sig),
                "privacy_flags": r.privacy_flags,
            }),
            StubRequest::ActivateSession { responder_pub_key }
            | StubRequest::RevokeSession { responder_pub_key } => {
                json!({"responder_pub_key": hex::encode(responder_pub_key)})
            }
        }
    }
}

/// What the stub answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// Nothing (yet): a `hang` step, a call still delayed, or a caller that
    /// gave up during the delay.
    NoAnswer,
    /// Terms: the `min_required_version` sent.
    Terms(Version),
    /// ListFeatures: the feature map keys sent.
    Features(Vec<String>),
    /// RegisterSession / ActivateSession: the `initiator_pub_key` sent.
    Key(Vec<u8>),
    /// RevokeSession's empty response.
    Empty,
    /// The call failed with this gRPC code and message.
    Error(RemoteError),
}

impl Answer {
    pub(crate) fn to_json(&self) -> Value {
        match self {
            Answer::NoAnswer => json!("no_answer"),
            Answer::Terms(v) => json!({"ok": {"min_required_version": version_json(*v)}}),
            Answer::Features(names) => json!({"ok": {"features": names}}),
            Answer::Key(k) => json!({"ok": {"initiator_pub_key": hex::encode(k)}}),
            Answer::Empty => json!({"ok": {}}),
            Answer::Error(e) => json!({"error": {
                "code": e.code.go_name(),
                "code_number": e.code as i32,
                "message": e.message,
            }}),
        }
    }
}

/// One received call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JournalEntry {
    /// 1, 2, 3, ... in arrival order; reset clears the journal, not the count.
    pub(crate) seq: u64,
    /// Arrival time on the server's clock (moved clocks show here).
    pub(crate) at: SystemTime,
    /// The request, with every field as received.
    pub request: StubRequest,
    /// Index of the scripted step that answered in `responses.<Rpc>`;
    /// `None`: the default behaviour.
    pub step: Option<usize>,
    pub(crate) delay: Duration,
    /// What the stub answered (`NoAnswer` while it has not).
    pub answer: Answer,
}

impl JournalEntry {
    /// The RPC that was called.
    pub fn rpc(&self) -> Rpc {
        self.request.rpc()
    }

    /// The entry as the admin API's `GET journal` lists it: `seq`, `time`
    /// (RFC 3339), `unix_nanos`, `rpc`, `request` (keys in hex), `step` (null
    /// for the default answer), `delay_ms` and `answer`.
    pub fn to_json(&self) -> Value {
        let nanos = unix_nanos(self.at);
        let time = time::OffsetDateTime::from_unix_timestamp_nanos(nanos)
            .ok()
            .and_then(|t| {
                t.format(&time::format_description::well_known::Rfc3339)
                    .ok()
            });
        json!({
            "seq": self.seq,
            "time": time,
            "unix_nanos": nanos.to_string(),
            "rpc": self.rpc().name(),
            "request": self.request.to_json(),
            "step": self.step,
            "delay_ms": self.delay.as_millis() as u64,
            "answer": self.answer.to_json(),
        })
    }
}

fn version_json(v: Version) -> Value {
    json!({"major": v.major, "minor": v.minor, "patch": v.patch})
}

/// Text when the bytes are UTF-8 (feature configs are JSON), else `{"hex": ...}`.
fn bytes_json(b: &[u8]) -> Value {
    match std::str::from_utf8(b) {
        Ok(s) => Value::String(s.to_string()),
        Err(_) => json!({"hex": hex::encode(b)}),
    }
}

/// Entries as the admin API returns them.
pub(crate) fn journal_json(entries: &[JournalEntry]) -> Value {
    let list: Vec<Value> = entries.iter().map(JournalEntry::to_json).collect();
    let mut out = BTreeMap::new();
    out.insert("entries", Value::Array(list));
    json!(out)
}
