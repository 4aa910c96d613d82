//! `ListAutopilotSessions` over gRPC without rebuilding what has not changed.
//!
//! A `ListAutopilotSessionsResponse` on the wire is just its sessions, each
//! as field 1 (`0x0a`, a length, the encoded `Session`), one after another.
//! So each session's record is encoded once, kept with the session's
//! revision (in a [`SessionCache`]), and a listing is those records
//! concatenated. Only sessions that changed since the last
//! listing are turned into views and encoded again. The bytes are exactly
//! prost's encoding of the same response (tested below and end to end).
//!
//! This path serves calls when no observer watches (the scenario harness's
//! client mode needs the response as a message and goes the generic way).

use std::convert::Infallible;
use std::sync::Arc;

use bytes::{Buf, BufMut, Bytes, BytesMut};
use prost::encoding::{DecodeContext, WireType};
use prost::Message;
use tonic::{Request, Response, Status};

use super::{methods, status, AutopilotService};
use crate::domain::AutopilotError;
use crate::proto::litrpc as p;
use crate::wire;
use crate::wire::session_cache::SessionCache;

/// The `sessions` field's number in `ListAutopilotSessionsResponse`.
const SESSIONS_FIELD: u32 = 1;

/// A `ListAutopilotSessionsResponse` held as its encoded `sessions`
/// records, written out one after another (no copy into one buffer first).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EncodedSessionList(Vec<Bytes>);

impl Message for EncodedSessionList {
    fn encode_raw(&self, buf: &mut impl BufMut) {
        for record in &self.0 {
            buf.put_slice(record);
        }
    }

    /// Keeps each `sessions` record as it came; drops unknown fields, as
    /// prost does.
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
        let mut record = BytesMut::with_capacity(session.len() + 4);
        prost::encoding::bytes::encode(SESSIONS_FIELD, &session, &mut record);
        self.0.push(record.freeze());
        Ok(())
    }

    fn encoded_len(&self) -> usize {
        self.0.iter().map(Bytes::len).sum()
    }

    fn clear(&mut self) {
        self.0.clear();
    }
}

/// One session's encoded record (field key, length, `Session`).
fn session_record(session: p::Session) -> Bytes {
    let mut buf = BytesMut::with_capacity(session.encoded_len() + 4);
    prost::encoding::message::encode(SESSIONS_FIELD, &session, &mut buf);
    buf.freeze()
}

impl AutopilotService {
    /// `ListAutopilotSessions`, answered from the session records: the same
    /// macaroon check and domain call as the generic handler.
    async fn list_sessions_encoded(
        &self,
        request: Request<p::ListAutopilotSessionsRequest>,
    ) -> Result<Response<EncodedSessionList>, Status> {
        self.authorize(request.metadata(), methods::LIST_SESSIONS)
            .map_err(|e| status(AutopilotError::unknown(e)))?;
        let cache = &self.encoded;
        let listed = self
            .core
            .list_sessions_with(|id, revision| cache.current(&id, revision))
            .await
            .map_err(status)?;
        let records = cache.assemble(listed, |view| session_record(wire::session_out(view)));
        Ok(Response::new(EncodedSessionList(records)))
    }
}

/// The unary service tonic's server machinery drives for this one method.
struct ListSessionsEncoded(AutopilotService);

impl tonic::server::UnaryService<p::ListAutopilotSessionsRequest> for ListSessionsEncoded {
    type Response = EncodedSessionList;
    type Future = tonic::codegen::BoxFuture<Response<EncodedSessionList>, Status>;

    fn call(&mut self, request: Request<p::ListAutopilotSessionsRequest>) -> Self::Future {
        let service = self.0.clone();
        Box::pin(async move { service.list_sessions_encoded(request).await })
    }
}

/// Adds the encoded `ListAutopilotSessions` route to the gRPC router, in
/// front of the generated service's route for the same path (an exact path
/// wins over tonic's `/litrpc.Autopilot/*` route). Without effect when the
/// service has an observer.
pub fn route(
    router: axum::Router,
    service: AutopilotService,
    max_message_bytes: usize,
) -> axum::Router {
    if service.observer.is_some() {
        return router;
    }
    let handler = tower::service_fn(move |req: http::Request<axum::body::Body>| {
        let service = service.clone();
        async move {
            let codec = tonic_prost::ProstCodec::<EncodedSessionList, _>::default();
            let mut grpc = tonic::server::Grpc::new(codec)
                .apply_max_message_size_config(Some(max_message_bytes), Some(usize::MAX));
            Ok::<_, Infallible>(grpc.unary(ListSessionsEncoded(service), req).await)
        }
    });
    router.route_service(methods::LIST_SESSIONS, handler)
}

/// Each listed session's encoded record.
pub type EncodedSessions = SessionCache<Bytes>;

/// A cache shared by the service's clones.
pub fn new_cache() -> Arc<EncodedSessions> {
    Arc::new(EncodedSessions::default())
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

    #[test]
    fn records_concatenate_to_prosts_encoding() {
        let sessions = vec![
            session("one", p::SessionState::StateCreated),
            session(&"long".repeat(100), p::SessionState::StateRevoked),
        ];
        let expected = p::ListAutopilotSessionsResponse {
            sessions: sessions.clone(),
        }
        .encode_to_vec();
        let records = sessions.into_iter().map(session_record).collect();
        assert_eq!(EncodedSessionList(records).encode_to_vec(), expected);
    }

    #[test]
    fn decoding_keeps_the_records() {
        let response = p::ListAutopilotSessionsResponse {
            sessions: vec![session("x", p::SessionState::StateCreated)],
        };
        let bytes = response.encode_to_vec();
        let decoded = EncodedSessionList::decode(bytes.as_slice()).map_err(|e| e.to_string());
        assert_eq!(decoded.map(|d| d.encode_to_vec()), Ok(bytes));
    }
}
