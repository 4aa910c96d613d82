//! One exchange the recording proxy forwarded, as raw HTTP, and what it was:
//! a registry call (recognised by its gRPC path, grpc-web path or REST route,
//! so every service is covered with no per-method code), a raw REST request
//! the registry does not route, or a call to the mock's admin API.

use base64::Engine;
use bytes::Bytes;
use serde_json::{json, Value};

use super::decode;
use crate::grpc_web::codec;
use crate::rpc::{RestBody, Rpc, Transport};
use crate::scenario::target::{decode_any_base64, rest_outcome, Outcome};

/// The mock's admin API prefix (litd serves nothing there).
pub(crate) const ADMIN_PREFIX: &str = "/_autopilot-mock/";

/// A forwarded request and the answer, as they went over the wire.
#[derive(Debug, Clone)]
pub(crate) struct Exchange {
    pub(crate) method: http::Method,
    /// Path and query.
    pub(crate) path: String,
    pub(crate) request_headers: http::HeaderMap,
    pub(crate) request_body: Bytes,
    pub(crate) status: u16,
    pub(crate) response_headers: http::HeaderMap,
    pub(crate) response_body: Bytes,
    pub(crate) trailers: Option<http::HeaderMap>,
}

/// What an exchange was.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Recognised {
    /// A registry method with a request that decodes.
    Call {
        rpc: Rpc,
        transport: Transport,
        /// proto3 JSON.
        request: Value,
        /// The macaroon header values, as sent.
        macaroons: Vec<String>,
        authorization: Option<String>,
        outcome: Outcome,
    },
    /// A REST request that is no call (an unknown route, a body that does
    /// not decode): kept as a raw request and its status and body.
    Http {
        method: String,
        path: String,
        body: Option<String>,
        content_type: Option<String>,
        status: u16,
        response: Value,
    },
    /// The mock's admin API: `path` below the prefix.
    Admin {
        method: String,
        path: String,
        request: Value,
        status: u16,
        response: Value,
    },
    /// Not recordable (the reason, for the log).
    Skipped(String),
}

fn header(headers: &http::HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
}

fn all_values(headers: &http::HeaderMap, name: &str) -> Vec<String> {
    headers
        .get_all(name)
        .iter()
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        .collect()
}

/// Says what `e` was.
pub(crate) fn recognise(e: &Exchange) -> Recognised {
    let content_type = header(&e.request_headers, "content-type").unwrap_or_default();
    let path_only = e.path.split('?').next().unwrap_or_default().to_string();
    if let Some(admin_path) = path_only.strip_prefix(ADMIN_PREFIX) {
        return Recognised::Admin {
            method: e.method.to_string(),
            path: admin_path.to_string(),
            request: serde_json::from_slice(&e.request_body).unwrap_or(Value::Null),
            status: e.status,
            response: serde_json::from_slice(&e.response_body).unwrap_or(Value::Null),
        };
    }
    if content_type.starts_with("application/grpc-web") {
        return grpc_call(e, &path_only, Transport::GrpcWeb, &content_type);
    }
    if content_type.starts_with("application/grpc") {
        return grpc_call(e, &path_only, Transport::Grpc, &content_type);
    }
    rest_call(e, &path_only, &content_type)
}

fn grpc_call(e: &Exchange, path: &str, transport: Transport, content_type: &str) -> Recognised {
    let Some(rpc) = Rpc::from_full_method(path) else {
        return Recognised::Skipped(format!("{path}: not a method of the registry"));
    };
    let text_mode = content_type.starts_with("application/grpc-web-text");
    let body = if text_mode {
        codec::decode_text_response(&e.request_body)
    } else {
        e.request_body.to_vec()
    };
    let request = match decode::unary_message(&body).map(|m| decode::request_json(rpc, &m)) {
        Some(Ok(r)) => r,
        Some(Err(why)) => {
            return Recognised::Skipped(format!("{rpc}: the request does not decode: {why}"))
        }
        None => return Recognised::Skipped(format!("{rpc}: broken gRPC framing")),
    };
    let outcome = grpc_outcome(e, rpc, transport);
    Recognised::Call {
        rpc,
        transport,
        request,
        macaroons: all_values(&e.request_headers, "macaroon"),
        authorization: header(&e.request_headers, "authorization"),
        outcome,
    }
}

/// The status of a gRPC or grpc-web answer, and its reply as litd's JSON.
fn grpc_outcome(e: &Exchange, rpc: Rpc, transport: Transport) -> Outcome {
    let mut frames_body = e.response_body.to_vec();
    let response_type = header(&e.response_headers, "content-type").unwrap_or_default();
    if response_type.starts_with("application/grpc-web-text") {
        frames_body = codec::decode_text_response(&frames_body);
    }
    // Status: trailers, headers (trailers-only), or grpc-web's trailer frame.
    let mut status = e
        .trailers
        .as_ref()
        .and_then(|t| header(t, "grpc-status").map(|s| (s, header(t, "grpc-message"))))
        .or_else(|| {
            header(&e.response_headers, "grpc-status")
                .map(|s| (s, header(&e.response_headers, "grpc-message")))
        });
    if status.is_none() && transport == Transport::GrpcWeb {
        if let Some(frames) = decode::frames(&frames_body) {
            if let Some((_, trailer)) = frames.iter().find(|(f, _)| f & codec::FLAG_TRAILER != 0) {
                let text = String::from_utf8_lossy(trailer).into_owned();
                let field = |name: &str| {
                    text.lines().find_map(|l| {
                        l.split_once(':')
                            .filter(|(k, _)| k.trim().eq_ignore_ascii_case(name))
                            .map(|(_, v)| v.trim().to_string())
                    })
                };
                status = field("grpc-status").map(|s| (s, field("grpc-message")));
            }
        }
    }
    let Some((code, message)) = status else {
        return Outcome {
            code: -1,
            message: format!("HTTP {} without grpc-status", e.status),
            response: None,
            http_status: None,
        };
    };
    let code = code.trim().parse().unwrap_or(-1);
    let message = message
        .map(|m| String::from_utf8_lossy(&crate::rest::percent_decode(&m)).into_owned())
        .unwrap_or_default();
    let response = (code == 0).then(|| {
        decode::unary_message(&frames_body)
            .and_then(|m| decode::reply_json(rpc, &m).ok())
            .unwrap_or(Value::Null)
    });
    Outcome {
        code,
        message,
        response,
        http_status: None,
    }
}

fn rest_call(e: &Exchange, path: &str, content_type: &str) -> Recognised {
    let body_text =
        (!e.request_body.is_empty()).then(|| String::from_utf8_lossy(&e.request_body).into_owned());
    let response: Value = serde_json::from_slice(&e.response_body)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&e.response_body).into_owned()));
    let raw = || Recognised::Http {
        method: e.method.to_string(),
        path: e.path.clone(),
        body: body_text.clone(),
        content_type: (!content_type.is_empty()).then(|| content_type.to_string()),
        status: e.status,
        response: response.clone(),
    };
    let Some(rpc) = Rpc::from_rest(&e.method, path) else {
        return raw();
    };
    if e.path.contains('?') {
        return raw();
    }
    let Some(request) = rest_request(rpc, &e.method, path, &e.request_body) else {
        return raw();
    };
    let macaroons = all_values(&e.request_headers, crate::rest::MACAROON_HEADER);
    Recognised::Call {
        rpc,
        transport: Transport::Rest,
        request,
        macaroons,
        authorization: header(&e.request_headers, "authorization"),
        outcome: rest_outcome(e.status, response),
    }
}

/// The request a REST call stands for: its JSON body (for `body: "*"`
/// routes) and its path parameters (bytes as base64url in the path, as
/// standard base64 in the request). `None` if it is no valid request.
fn rest_request(rpc: Rpc, method: &http::Method, path: &str, body: &[u8]) -> Option<Value> {
    let route = rpc
        .spec()
        .rest
        .iter()
        .find(|r| r.method.as_http() == method && r.matches_path(path))
        .or_else(|| rpc.spec().rest.first())?;
    let mut request = if route.body == RestBody::All && !body.is_empty() {
        decode::canonical_rest_body(rpc, body)?
    } else {
        json!({})
    };
    if route.body != RestBody::All && !body.is_empty() && method != http::Method::POST {
        return None;
    }
    let segments: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    for (i, name) in route.params() {
        let raw = segments.get(i)?;
        let text = String::from_utf8_lossy(&crate::rest::percent_decode(raw)).into_owned();
        let as_bytes = decode_any_base64(&text)
            .map(|b| Value::String(base64::engine::general_purpose::STANDARD.encode(b)));
        let obj = request.as_object_mut()?;
        // A bytes field takes the decoded bytes; any other field its text.
        obj.insert(
            name.to_string(),
            as_bytes.clone().unwrap_or(Value::String(text.clone())),
        );
        if !decode::is_valid_request(rpc, &request) {
            request
                .as_object_mut()?
                .insert(name.to_string(), Value::String(text));
        }
    }
    decode::is_valid_request(rpc, &request).then_some(request)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exchange(method: http::Method, path: &str, content_type: &str, body: &[u8]) -> Exchange {
        let mut request_headers = http::HeaderMap::new();
        request_headers.insert("content-type", content_type.parse().expect("header"));
        Exchange {
            method,
            path: path.into(),
            request_headers,
            request_body: Bytes::copy_from_slice(body),
            status: 200,
            response_headers: http::HeaderMap::new(),
            response_body: Bytes::from_static(b"{}"),
            trailers: None,
        }
    }

    #[test]
    fn rest_routes_and_path_parameters_become_calls() {
        let e = exchange(
            http::Method::DELETE,
            "/v1/autopilot/sessions/AQID_w",
            "",
            b"",
        );
        match recognise(&e) {
            Recognised::Call {
                rpc,
                transport,
                request,
                ..
            } => {
                assert_eq!(
                    (rpc, transport),
                    (Rpc::RevokeAutopilotSession, Transport::Rest)
                );
                assert_eq!(request, json!({"local_public_key": "AQID/w=="}));
            }
            other => panic!("{other:?}"),
        }
        let e = exchange(
            http::Method::POST,
            "/v1/autopilot/sessions",
            "application/json",
            b"{\"label\":[]}",
        );
        assert!(matches!(
            recognise(&e),
            Recognised::Http { status: 200, .. }
        ));
        let e = exchange(http::Method::PUT, "/v1/nope", "", b"");
        assert!(matches!(recognise(&e), Recognised::Http { .. }));
        let e = exchange(
            http::Method::POST,
            "/_autopilot-mock/v1/reset",
            "application/json",
            b"{}",
        );
        assert!(matches!(recognise(&e), Recognised::Admin { ref path, .. } if path == "v1/reset"));
    }

    #[test]
    fn grpc_calls_decode_by_their_path() {
        let mut e = exchange(
            http::Method::POST,
            "/litrpc.Autopilot/ListAutopilotFeatures",
            "application/grpc",
            &codec::message_frame(&[]),
        );
        let mut trailers = http::HeaderMap::new();
        trailers.insert("grpc-status", "2".parse().expect("header"));
        trailers.insert("grpc-message", "boom%20x".parse().expect("header"));
        e.trailers = Some(trailers);
        e.request_headers
            .append("macaroon", "0201".parse().expect("header"));
        match recognise(&e) {
            Recognised::Call {
                rpc,
                outcome,
                macaroons,
                ..
            } => {
                assert_eq!(rpc, Rpc::ListAutopilotFeatures);
                assert_eq!((outcome.code, outcome.message.as_str()), (2, "boom x"));
                assert_eq!(macaroons, ["0201"]);
            }
            other => panic!("{other:?}"),
        }
        e.path = "/litrpc.Autopilot/Nope".into();
        assert!(matches!(recognise(&e), Recognised::Skipped(_)));
    }
}
