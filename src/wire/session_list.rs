//! `ListAutopilotSessions`' reply, in every wire form at once, without
//! rebuilding what has not changed.
//!
//! A `ListAutopilotSessionsResponse` on the wire is just its sessions, each
//! as field 1 (`0x0a`, a length, the encoded `Session`), one after another;
//! in litd's JSON it is `{"sessions":[...]}` with each session's object in
//! the array. So each session is kept (in a `SessionCache`, with the
//! session's revision) as its encoded record and, once a REST call or the
//! journal asked for it, its JSON text; a listing is those concatenated.
//! Only sessions that changed since the last listing are turned into views
//! again. The bytes are exactly prost's encoding and the generic JSON
//! writer's text of the same response (tested below and end to end).
//!
//! One cache for every transport, behind the dispatcher.

use std::sync::{Arc, OnceLock};

use bytes::{Buf, BufMut, Bytes, BytesMut};
use prost::encoding::{DecodeContext, WireType};
use prost::{Message, Name};
use serde_json::Value;

use super::litd_json::to_litd_json;
use super::session_cache::SessionCache;
use crate::domain::{AutopilotCore, AutopilotError};
use crate::proto::litrpc as p;
use crate::rpc::spec::Reply;

/// The `sessions` field's number in `ListAutopilotSessionsResponse`.
const SESSIONS_FIELD: u32 = 1;

/// One session's wire forms.
#[derive(Debug, Default)]
pub(crate) struct KeptSession {
    /// Field key, length and the encoded `Session`.
    record: Bytes,
    /// litd's JSON of the `Session`, made the first time it is asked for.
    json: OnceLock<Arc<str>>,
}

impl KeptSession {
    /// The session's record in Go's binary form (map entries written whole).
    fn new(session: &p::Session) -> Self {
        Self::from_encoded(&super::go_map_entries::go_encode(session))
    }

    /// A record of an encoded `Session`, put in Go's form.
    fn from_encoded(session: &[u8]) -> Self {
        let go = super::go_map_entries::go_encoding(&p::Session::full_name(), session);
        let session = go.as_deref().unwrap_or(session);
        let mut record = BytesMut::with_capacity(session.len() + 4);
        prost::encoding::encode_key(SESSIONS_FIELD, WireType::LengthDelimited, &mut record);
        prost::encoding::encode_varint(session.len() as u64, &mut record);
        record.put_slice(session);
        Self {
            record: record.freeze(),
            json: OnceLock::new(),
        }
    }

    /// The JSON text, from the record (which always decodes: it is ours).
    fn json(&self) -> &str {
        self.json.get_or_init(|| {
            let mut buf = self.record.clone();
            let session = prost::encoding::decode_key(&mut buf)
                .and_then(|_| p::Session::decode_length_delimited(buf))
                .unwrap_or_default();
            to_litd_json(&p::Session::full_name(), &session)
                .to_string()
                .into()
        })
    }
}

/// A `ListAutopilotSessionsResponse` held as its sessions' kept forms.
#[derive(Debug, Clone, Default)]
pub(crate) struct SessionList(Vec<Arc<KeptSession>>);

impl SessionList {
    pub(crate) fn from_sessions(sessions: &[p::Session]) -> Self {
        Self(
            sessions
                .iter()
                .map(|s| Arc::new(KeptSession::new(s)))
                .collect(),
        )
    }
}

impl PartialEq for SessionList {
    fn eq(&self, other: &Self) -> bool {
        self.0.len() == other.0.len()
            && self
                .0
                .iter()
                .zip(&other.0)
                .all(|(a, b)| a.record == b.record)
    }
}

impl Message for SessionList {
    fn encode_raw(&self, buf: &mut impl BufMut) {
        for kept in &self.0 {
            buf.put_slice(&kept.record);
        }
    }

    /// Keeps each `sessions` record as it came (after checking it decodes
    /// as a `Session`, so a client sees a broken answer as prost would);
    /// drops unknown fields, as prost does.
    fn merge_field(
        &mut self,
        tag: u32,
        wire_type: WireType,
        buf: &mut impl Buf,
        ctx: DecodeContext,
    ) -> Result<(), prost::DecodeError> {
        if tag != SESSIONS_FIELD {
            return prost::encoding::skip_field(wire_type, tag, buf, ctx);
        }
        let mut session = Bytes::new();
        prost::encoding::bytes::merge(wire_type, &mut session, buf, ctx)?;
        p::Session::decode(session.clone())?;
        self.0.push(Arc::new(KeptSession::from_encoded(&session)));
        Ok(())
    }

    fn encoded_len(&self) -> usize {
        self.0.iter().map(|k| k.record.len()).sum()
    }

    fn clear(&mut self) {
        self.0.clear();
    }
}

impl Reply for SessionList {
    fn message_name() -> String {
        p::ListAutopilotSessionsResponse::full_name()
    }

    /// The kept records are in Go's form already.
    fn go_wire_bytes(&self) -> Vec<u8> {
        self.encode_to_vec()
    }

    fn to_litd_json(&self) -> Value {
        // Our own text always parses.
        serde_json::from_str(&self.litd_json_text()).unwrap_or(Value::Null)
    }

    fn litd_json_text(&self) -> String {
        let mut out = String::from("{\"sessions\":[");
        for (i, kept) in self.0.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str(kept.json());
        }
        out.push_str("]}");
        out
    }

    fn journal_weight(&self) -> usize {
        self.0.len().max(1)
    }

    fn from_proto_json(value: Value) -> Result<Self, String> {
        let response: p::ListAutopilotSessionsResponse =
            serde_json::from_value(value).map_err(|e| e.to_string())?;
        Ok(Self::from_sessions(&response.sessions))
    }
}

/// Each listed session's kept forms, shared by every transport.
#[derive(Default)]
pub(crate) struct SessionListCache(SessionCache<Arc<KeptSession>>);

impl SessionListCache {
    /// A cache of at most `capacity` sessions (the default keeps
    /// [`super::session_cache::CACHED_SESSIONS`]).
    #[cfg(test)]
    pub(crate) fn with_capacity(capacity: usize) -> Self {
        Self(SessionCache::with_capacity(capacity))
    }

    /// `ListAutopilotSessions`: the domain's listing, each session from its
    /// kept forms while its revision stands.
    pub(crate) async fn list(&self, core: &AutopilotCore) -> Result<SessionList, AutopilotError> {
        let cache = &self.0;
        let listed = core
            .list_sessions_with(|id, revision| cache.current(&id, revision))
            .await?;
        let kept = cache.assemble(listed, |view| {
            Arc::new(KeptSession::new(&super::session_out(view)))
        });
        Ok(SessionList(kept))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session(label: &str, state: p::SessionState) -> p::Session {
        p::Session {
            id: vec![1, 2, 3, 4],
            label: label.into(),
            session_state: state as i32,
            local_public_key: vec![2; 33],
            pairing_secret_mnemonic: "a b c".into(),
            ..Default::default()
        }
    }

    fn sessions() -> Vec<p::Session> {
        vec![
            session("one", p::SessionState::StateCreated),
            session(&"long".repeat(100), p::SessionState::StateRevoked),
        ]
    }

    #[test]
    fn records_concatenate_to_the_go_encoding() {
        let expected = Reply::go_wire_bytes(&p::ListAutopilotSessionsResponse {
            sessions: sessions(),
        });
        assert_eq!(
            SessionList::from_sessions(&sessions()).encode_to_vec(),
            expected
        );
    }

    #[test]
    fn json_is_the_generic_writers_text() {
        let response = p::ListAutopilotSessionsResponse {
            sessions: sessions(),
        };
        let generic = to_litd_json("litrpc.ListAutopilotSessionsResponse", &response);
        let list = SessionList::from_sessions(&sessions());
        assert_eq!(list.litd_json_text(), generic.to_string());
        assert_eq!(list.to_litd_json(), generic);
        assert_eq!(
            SessionList::default().litd_json_text(),
            r#"{"sessions":[]}"#
        );
    }

    #[test]
    fn decoding_keeps_the_records_and_scripted_json_round_trips() {
        let response = p::ListAutopilotSessionsResponse {
            sessions: sessions(),
        };
        let bytes = response.encode_to_vec();
        let decoded = SessionList::decode(bytes.as_slice()).map_err(|e| e.to_string());
        assert_eq!(decoded.map(|d| d.encode_to_vec()), Ok(bytes.clone()));
        let json = serde_json::to_value(&response).expect("pbjson");
        let scripted = SessionList::from_proto_json(json).map(|l| l.encode_to_vec());
        assert_eq!(scripted, Ok(bytes));
    }
}
