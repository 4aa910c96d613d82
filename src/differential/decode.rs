//! Raw protobuf request and reply bytes of any registry method, as the JSON
//! scenarios and reports use (a request: proto3 JSON; a reply: litd's REST
//! JSON). The registry's types say how, so no method is named here.

use prost::Message;
use serde_json::Value;

use crate::grpc_web::codec;
use crate::rpc::{self, Call, Reply, Rpc, VisitCalls};

/// Which half of the exchange to decode.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Half {
    Request,
    Reply,
}

struct Decode<'a> {
    rpc: Rpc,
    half: Half,
    bytes: &'a [u8],
    out: Option<Result<Value, String>>,
}

impl VisitCalls for Decode<'_> {
    fn visit<C: Call>(&mut self) {
        if C::RPC != self.rpc {
            return;
        }
        self.out = Some(match self.half {
            // What litd reads of the request, as protobuf-go reads it.
            Half::Request => crate::wire::protobuf_in::decode::<C::Request>(self.bytes)
                .and_then(|r| serde_json::to_value(r).map_err(|e| e.to_string())),
            Half::Reply => C::Reply::decode(self.bytes)
                .map(|r| r.to_litd_json())
                .map_err(|e| e.to_string()),
        });
    }
}

fn decode(rpc: Rpc, half: Half, bytes: &[u8]) -> Result<Value, String> {
    let mut d = Decode {
        rpc,
        half,
        bytes,
        out: None,
    };
    rpc::visit_all(&mut d);
    d.out
        .unwrap_or_else(|| Err(format!("{rpc} is not in the registry")))
}

/// A request message as proto3 JSON (every field, snake_case, bytes as base64).
pub(crate) fn request_json(rpc: Rpc, bytes: &[u8]) -> Result<Value, String> {
    decode(rpc, Half::Request, bytes)
}

/// A reply message as litd's REST JSON.
pub(crate) fn reply_json(rpc: Rpc, bytes: &[u8]) -> Result<Value, String> {
    decode(rpc, Half::Reply, bytes)
}

/// Whether a proto3 JSON request is a valid request of `rpc` (the form a
/// scenario's `call` step needs).
pub(crate) fn is_valid_request(rpc: Rpc, request: &Value) -> bool {
    struct Check<'a> {
        rpc: Rpc,
        request: &'a Value,
        ok: bool,
    }
    impl VisitCalls for Check<'_> {
        fn visit<C: Call>(&mut self) {
            if C::RPC == self.rpc {
                self.ok = serde_json::from_value::<C::Request>(self.request.clone()).is_ok();
            }
        }
    }
    let mut c = Check {
        rpc,
        request,
        ok: false,
    };
    rpc::visit_all(&mut c);
    c.ok
}

/// A REST body as the request of `rpc`, if the REST gateway reads it (as
/// the mock's gateway does) and the body is already in the form a
/// scenario's request is written in (so a replay over gRPC sends the same):
/// every field it has, with the value proto3 JSON writes. Other bodies are
/// kept as raw HTTP steps.
pub(crate) fn canonical_rest_body(rpc: Rpc, body: &[u8]) -> Option<Value> {
    struct Canon<'a> {
        rpc: Rpc,
        body: &'a [u8],
        out: Option<Value>,
    }
    impl VisitCalls for Canon<'_> {
        fn visit<C: Call>(&mut self) {
            if C::RPC == self.rpc {
                self.out = crate::wire::protojson_in::decode::<C::Request>(self.body)
                    .ok()
                    .and_then(|r| serde_json::to_value(r).ok());
            }
        }
    }
    let mut c = Canon {
        rpc,
        body,
        out: None,
    };
    rpc::visit_all(&mut c);
    let canonical = c.out?;
    if body.iter().all(u8::is_ascii_whitespace) {
        return Some(Value::Object(Default::default()));
    }
    let original: Value = serde_json::from_slice(body).ok()?;
    let as_written = original.is_object()
        && crate::scenario::matcher::check(&original, Some(&canonical), "").is_ok();
    as_written.then_some(original)
}

/// The messages of a gRPC (or binary grpc-web) body: each length-prefixed
/// frame's flag and payload; `None` if the framing is broken.
pub(crate) fn frames(mut body: &[u8]) -> Option<Vec<(u8, &[u8])>> {
    let mut out = Vec::new();
    while !body.is_empty() {
        if body.len() < codec::FRAME_HEADER_LEN {
            return None;
        }
        let len = u32::from_be_bytes([body[1], body[2], body[3], body[4]]) as usize;
        let payload =
            body.get(codec::FRAME_HEADER_LEN..codec::FRAME_HEADER_LEN.checked_add(len)?)?;
        out.push((body[0], payload));
        body = &body[codec::FRAME_HEADER_LEN + len..];
    }
    Some(out)
}

/// The one message of a unary gRPC body (no frame: the empty message).
pub(crate) fn unary_message(body: &[u8]) -> Option<Vec<u8>> {
    let frames = frames(body)?;
    match frames
        .iter()
        .find(|(flag, _)| flag & codec::FLAG_TRAILER == 0)
    {
        Some((0, payload)) => Some(payload.to_vec()),
        Some(_) => None, // compressed: not decoded here
        None => Some(Vec::new()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::litrpc as p;
    use serde_json::json;

    #[test]
    fn requests_and_replies_decode_by_registry_entry() {
        let req = p::RevokeAutopilotSessionRequest {
            local_public_key: vec![1, 2, 3],
        };
        assert_eq!(
            request_json(Rpc::RevokeAutopilotSession, &req.encode_to_vec()),
            Ok(json!({"local_public_key": "AQID"}))
        );
        let reply = p::AddAutopilotSessionResponse { session: None };
        assert_eq!(
            reply_json(Rpc::AddAutopilotSession, &reply.encode_to_vec()),
            Ok(json!({"session": null}))
        );
        assert!(request_json(Rpc::RevokeAutopilotSession, &[0xff]).is_err());
        assert!(is_valid_request(
            Rpc::RevokeAutopilotSession,
            &json!({"local_public_key": "AQID"})
        ));
        assert!(!is_valid_request(
            Rpc::RevokeAutopilotSession,
            &json!({"nope": 1})
        ));
    }

    #[test]
    fn frames_split_and_broken_framing_is_none() {
        let mut body = codec::message_frame(b"abc");
        body.extend(codec::trailer_frame(0, ""));
        assert_eq!(unary_message(&body), Some(b"abc".to_vec()));
        assert_eq!(unary_message(&[]), Some(Vec::new()));
        assert_eq!(frames(&body[..7]), None);
    }
}
