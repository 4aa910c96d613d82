//! A REST request into its typed message, as grpc-gateway builds it: the
//! body (for `body: "*"` routes), then the path parameters, each decoded
//! for its field's type. Every failure is litd's error for the call.

use axum::body::{Body, Bytes};
use base64::Engine;
use prost_types::field_descriptor_proto::Type;
use serde_json::{Map, Value};

use super::raw::{is_length_limit, percent_decode};
use crate::domain::Code;
use crate::rpc::spec::{RequestMessage, RestBody, RestRoute};
use crate::wire::litd_json::Shapes;

/// Why a REST request has no message.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Undecodable {
    /// litd unescapes the whole path before routing: an escaped `/` in a
    /// parameter splits the path, and no route matches.
    NotRouted,
    /// A bad body or parameter: the call's error (journaled, observed).
    Bad(Code, String),
}

/// Decodes a request body as litd's gateway does (first JSON value, then
/// protojson, see `crate::wire::protojson_in`): an empty body is an empty
/// request; anything malformed is InvalidArgument (HTTP 400) with
/// encoding/json's or protojson's text.
pub fn decode_body<T>(body: &[u8]) -> Result<T, String>
where
    T: serde::de::DeserializeOwned + Default + prost::Name,
{
    crate::wire::protojson_in::decode(body)
}

/// grpc-gateway's bytes path parameter: padded standard base64, then padded
/// URL-safe base64.
pub fn decode_bytes_param(name: &str, raw: impl AsRef<[u8]>) -> Result<Vec<u8>, String> {
    use base64::engine::general_purpose::{STANDARD, URL_SAFE};
    let raw = raw.as_ref();
    STANDARD.decode(raw).or_else(|_| {
        URL_SAFE.decode(raw).map_err(|e| {
            let at = match e {
                base64::DecodeError::InvalidByte(at, _)
                | base64::DecodeError::InvalidLastSymbol(at, _) => at,
                _ => raw.len(),
            };
            format!(
                "type mismatch, parameter: {name}, error: illegal base64 data at input byte {at}"
            )
        })
    })
}

/// [`decode_bytes_param`] for `local_public_key` (the Revoke routes).
pub fn decode_key_param(raw: impl AsRef<[u8]>) -> Result<Vec<u8>, String> {
    decode_bytes_param("local_public_key", raw)
}

/// The request of a call routed to `route`.
pub(super) async fn request<T: RequestMessage>(
    route: &RestRoute,
    uri: &http::Uri,
    body: Body,
    max_body_bytes: usize,
) -> Result<T, Undecodable> {
    let mut request = match route.body {
        RestBody::None => T::default(),
        RestBody::All => {
            let body = read_body(body, max_body_bytes).await?;
            decode_body(&body).map_err(|e| Undecodable::Bad(Code::InvalidArgument, e))?
        }
    };
    let params = path_params(route, uri)?;
    if !params.is_empty() {
        let from_path: T = params_message(&params)?;
        // Path parameters override the body's fields, as in grpc-gateway.
        request
            .merge(from_path.encode_to_vec().as_slice())
            .map_err(|e| Undecodable::Bad(Code::InvalidArgument, e.to_string()))?;
    }
    Ok(request)
}

async fn read_body(body: Body, limit: usize) -> Result<Bytes, Undecodable> {
    axum::body::to_bytes(body, limit).await.map_err(|e| {
        // A body that breaks off or is badly chunked is the client's fault,
        // as grpc-gateway reports a failed body read; only the limit is
        // ResourceExhausted.
        if is_length_limit(&e) {
            Undecodable::Bad(
                Code::ResourceExhausted,
                format!("grpc: received message larger than max (more than {limit} bytes)"),
            )
        } else {
            Undecodable::Bad(Code::InvalidArgument, e.to_string())
        }
    })
}

/// Each parameter's raw segment, percent-decoded (not axum's `Path`: it
/// rejects escapes that are not UTF-8 with a plain-text 400, where litd
/// answers JSON). A parameter is one segment, except the route's last,
/// which takes the rest of the path.
fn path_params(
    route: &RestRoute,
    uri: &http::Uri,
) -> Result<Vec<(&'static str, Vec<u8>)>, Undecodable> {
    let segments: Vec<&str> = uri.path().split('/').collect();
    let last = route.path.split('/').count() - 1;
    route
        .params()
        .map(|(at, name)| {
            let raw = if at == last {
                segments.get(at..).map(|rest| rest.join("/"))
            } else {
                segments.get(at).map(|s| s.to_string())
            };
            let value = percent_decode(&raw.unwrap_or_default());
            if value.contains(&b'/') {
                return Err(Undecodable::NotRouted);
            }
            Ok((name, value))
        })
        .collect()
}

/// A message holding just the path parameters, each decoded as its field's
/// type wants (bytes: grpc-gateway's base64).
fn params_message<T: RequestMessage>(params: &[(&str, Vec<u8>)]) -> Result<T, Undecodable> {
    let message = T::full_name();
    let mut fields = Map::new();
    for (name, raw) in params {
        let value = match Shapes::get().field_type(&message, name) {
            Some(Type::Bytes) => {
                let bytes = decode_bytes_param(name, raw)
                    .map_err(|e| Undecodable::Bad(Code::InvalidArgument, e))?;
                base64::engine::general_purpose::STANDARD.encode(bytes)
            }
            _ => String::from_utf8_lossy(raw).into_owned(),
        };
        fields.insert(name.to_string(), Value::String(value));
    }
    serde_json::from_value(Value::Object(fields)).map_err(|e| {
        let names: Vec<&str> = params.iter().map(|(n, _)| *n).collect();
        Undecodable::Bad(
            Code::InvalidArgument,
            format!("type mismatch, parameter: {}, error: {e}", names.join(",")),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::litrpc as p;

    #[test]
    fn key_param_accepts_url_safe_and_std() {
        let key = [0xfbu8; 33];
        let url = base64::engine::general_purpose::URL_SAFE.encode(key);
        assert!(url.contains('-') || url.contains('_'));
        assert_eq!(decode_key_param(&url), Ok(key.to_vec()));
        let std = base64::engine::general_purpose::STANDARD.encode([1u8, 2, 3]);
        assert_eq!(decode_key_param(&std), Ok(vec![1, 2, 3]));
        let err = decode_key_param("!!").expect_err("not base64");
        assert!(err.starts_with("type mismatch, parameter: local_public_key, error: "));
    }

    #[test]
    fn empty_body_is_an_empty_request_and_unknown_fields_are_rejected() {
        let r: p::AddAutopilotSessionRequest = decode_body(b"").expect("empty is fine");
        assert!(r.features.is_empty());
        let err = decode_body::<p::AddAutopilotSessionRequest>(br#"{"nope":1}"#)
            .expect_err("unknown field");
        assert_eq!(
            err.replace('\u{a0}', " "),
            r#"proto: (line 1:2): unknown field "nope""#
        );
        let r: p::AddAutopilotSessionRequest =
            decode_body(br#"{"expiryTimestampSeconds":5,"linked_group_id":"AQID"}"#)
                .expect("camelCase, numbers for u64");
        assert_eq!(r.expiry_timestamp_seconds, 5);
        assert_eq!(r.linked_group_id, vec![1, 2, 3]);
    }

    #[tokio::test]
    async fn path_parameters_are_decoded_for_their_field() {
        let route = RestRoute::delete("/v1/autopilot/sessions/{local_public_key}");
        let uri: http::Uri = "/v1/autopilot/sessions/AQID".parse().expect("uri");
        let r: Result<p::RevokeAutopilotSessionRequest, _> =
            request(&route, &uri, Body::empty(), 10).await;
        assert_eq!(r.map(|r| r.local_public_key), Ok(vec![1, 2, 3]));
        let slash: http::Uri = "/v1/autopilot/sessions/a%2Fb".parse().expect("uri");
        let r: Result<p::RevokeAutopilotSessionRequest, _> =
            request(&route, &slash, Body::empty(), 10).await;
        assert_eq!(r, Err(Undecodable::NotRouted));
        let bad: http::Uri = "/v1/autopilot/sessions/%FF".parse().expect("uri");
        let r: Result<p::RevokeAutopilotSessionRequest, _> =
            request(&route, &bad, Body::empty(), 10).await;
        assert_eq!(
            r,
            Err(Undecodable::Bad(
                Code::InvalidArgument,
                "type mismatch, parameter: local_public_key, error: illegal base64 data at input byte 0".into()
            ))
        );
    }
}
