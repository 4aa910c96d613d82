//! litd's REST gateway (grpc-gateway v2 conventions, reference §6) on the
//! same port as gRPC: JSON in, the same prost messages and domain calls as
//! the gRPC transport, JSON out. Translation only.

mod cached_list;
pub mod json;
mod raw;

use raw::is_length_limit;
pub use raw::percent_decode;

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use base64::Engine;
use serde_json::{json, Value};

use crate::auth::Authenticator;
use crate::domain::{AutopilotCore, AutopilotError, Code};
use crate::observe::{self, CallObserver, Rpc, Transport};
use crate::proto::litrpc as p;
use crate::wire;
use crate::wire::session_cache::SessionCache;

/// The REST header that carries the macaroon (grpc-gateway strips the
/// `Grpc-Metadata-` prefix to make it the `macaroon` metadata key).
pub const MACAROON_HEADER: &str = "grpc-metadata-macaroon";

#[derive(Clone)]
pub struct RestState {
    pub core: Arc<AutopilotCore>,
    pub auth: Arc<Authenticator>,
    pub max_body_bytes: usize,
    /// litd's `restcors`: origins allowed cross-origin (`*` for any); empty = no CORS.
    pub cors_origins: Arc<Vec<String>>,
    /// Watches every call (the scenario harness's client mode), if set.
    pub observer: Option<Arc<dyn CallObserver>>,
    /// Each listed session's JSON, kept while the session is unchanged.
    pub session_json: Arc<SessionCache<Arc<str>>>,
}

/// The REST routes, with litd's 404 and 501 answers.
pub fn router(state: RestState) -> Router {
    Router::new()
        .route(
            "/v1/autopilot/features",
            get(list_features).post(form_post_as_get_features),
        )
        .route(
            "/v1/autopilot/sessions",
            get(list_sessions).post(add_session),
        )
        .route(
            "/v1/autopilot/sessions/{local_public_key}",
            axum::routing::delete(revoke_session),
        )
        .method_not_allowed_fallback(|| async {
            error_response(Code::Unimplemented, "Method Not Allowed")
        })
        .fallback(|| async { error_response(Code::NotFound, "Not Found") })
        .layer(axum::middleware::from_fn_with_state(state.clone(), cors))
        .with_state(state)
}

/// litd's `allowCORS`: for an allowed `Origin`, echo it and list the allowed
/// methods and headers; a preflight `OPTIONS` gets just those headers.
async fn cors(
    State(s): State<RestState>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let origin = req
        .headers()
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let allowed = origin.filter(|o| s.cors_origins.iter().any(|a| a == "*" || a == o));
    let Some(origin) = allowed else {
        return next.run(req).await;
    };
    let preflight = req.method() == Method::OPTIONS;
    let mut response = if preflight {
        StatusCode::OK.into_response()
    } else {
        next.run(req).await
    };
    let headers = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&origin) {
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, v);
    }
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static("GET, POST, DELETE"),
    );
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static("Content-Type, Accept, Grpc-Metadata-Macaroon"),
    );
    response
}

/// HTTP status for a gRPC code, as grpc-gateway maps them.
pub fn http_status(code: Code) -> StatusCode {
    match code {
        Code::Ok => StatusCode::OK,
        Code::Canceled => StatusCode::from_u16(499).unwrap_or(StatusCode::BAD_REQUEST),
        Code::Unknown | Code::Internal | Code::DataLoss => StatusCode::INTERNAL_SERVER_ERROR,
        Code::InvalidArgument | Code::FailedPrecondition | Code::OutOfRange => {
            StatusCode::BAD_REQUEST
        }
        Code::DeadlineExceeded => StatusCode::GATEWAY_TIMEOUT,
        Code::NotFound => StatusCode::NOT_FOUND,
        Code::AlreadyExists | Code::Aborted => StatusCode::CONFLICT,
        Code::PermissionDenied => StatusCode::FORBIDDEN,
        Code::Unauthenticated => StatusCode::UNAUTHORIZED,
        Code::ResourceExhausted => StatusCode::TOO_MANY_REQUESTS,
        Code::Unimplemented => StatusCode::NOT_IMPLEMENTED,
        Code::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
    }
}

/// `{"code":N,"message":"...","details":[]}` with the mapped HTTP status.
pub fn error_response(code: Code, message: &str) -> Response {
    let body = json!({"code": code as i32, "message": message, "details": []});
    let mut response = json_response(http_status(code), &body);
    if code == Code::Unauthenticated {
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    }
    response
}

fn json_response(status: StatusCode, body: &Value) -> Response {
    json_text_response(status, body.to_string())
}

fn json_text_response(status: StatusCode, body: String) -> Response {
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

fn ok_response(type_name: &str, message: &impl serde::Serialize) -> Response {
    ok_json_text(json::to_litd_json(type_name, message).to_string())
}

/// A successful call's response from its JSON text.
fn ok_json_text(body: String) -> Response {
    let mut response = json_text_response(StatusCode::OK, body);
    // Carried over from the gRPC response headers, as grpc-gateway does.
    response.headers_mut().insert(
        "grpc-metadata-content-type",
        HeaderValue::from_static("application/grpc"),
    );
    response
}

fn domain_error(e: AutopilotError) -> Response {
    error_response(e.code, &e.message)
}

impl RestState {
    /// The macaroon check for a call (the REST header carries the values).
    fn authorize(&self, headers: &HeaderMap, rpc: Rpc) -> Result<(), String> {
        let values = crate::auth::header_texts(
            headers
                .get_all(MACAROON_HEADER)
                .iter()
                .map(|v| v.as_bytes()),
        );
        // litd's readiness check runs before the macaroon's (front door §3.1).
        self.core.readiness(rpc.full_method())?;
        self.auth
            .check(&values, rpc.full_method(), self.core.clock().now())
            .map_err(|e| e.message)
    }

    /// Runs a decoded call (auth, observer, domain) and writes litd's JSON.
    async fn call<Req, Resp, Fut>(
        &self,
        rpc: Rpc,
        headers: &HeaderMap,
        request: Req,
        run: impl FnOnce(Req) -> Fut,
    ) -> Response
    where
        Req: serde::Serialize,
        Resp: serde::Serialize + serde::de::DeserializeOwned,
        Fut: std::future::Future<Output = Result<Resp, AutopilotError>>,
    {
        let auth = self.authorize(headers, rpc);
        let observer = self.observer.as_deref();
        match observe::handle(observer, Transport::Rest, rpc, request, auth, run).await {
            Ok(resp) => ok_response(&format!("litrpc.{}Response", rpc.name()), &resp),
            Err(e) => domain_error(e),
        }
    }

    /// A request that does not decode: litd's error, and the observer told.
    fn malformed(&self, rpc: Rpc, code: Code, message: &str) -> Response {
        if let Some(observer) = &self.observer {
            observer.malformed(Transport::Rest, rpc, message);
        }
        error_response(code, message)
    }
}

async fn list_features(State(s): State<RestState>, headers: HeaderMap) -> Response {
    let request = p::ListAutopilotFeaturesRequest {};
    s.call(Rpc::ListAutopilotFeatures, &headers, request, |_| async {
        Ok(wire::features_out(s.core.list_features().await?))
    })
    .await
}

/// grpc-gateway's path-length fallback: a form-encoded POST to a GET-only
/// path is served as the GET.
async fn form_post_as_get_features(State(s): State<RestState>, headers: HeaderMap) -> Response {
    let is_form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return error_response(Code::Unimplemented, "Method Not Allowed");
    }
    list_features(State(s), headers).await
}

async fn list_sessions(State(s): State<RestState>, headers: HeaderMap) -> Response {
    if s.observer.is_none() {
        return cached_list::list_sessions(&s, &headers).await;
    }
    let request = p::ListAutopilotSessionsRequest {};
    s.call(Rpc::ListAutopilotSessions, &headers, request, |_| async {
        let sessions = s.core.list_sessions().await?;
        Ok(p::ListAutopilotSessionsResponse {
            sessions: sessions.into_iter().map(wire::session_out).collect(),
        })
    })
    .await
}

/// Decodes a request body as protojson would: an empty body is an empty
/// request; anything malformed is InvalidArgument (HTTP 400).
pub fn decode_body<T: serde::de::DeserializeOwned + Default>(body: &[u8]) -> Result<T, String> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    serde_json::from_slice(body).map_err(|e| format!("proto: {e}"))
}

async fn add_session(State(s): State<RestState>, headers: HeaderMap, body: Body) -> Response {
    let body: Bytes = match axum::body::to_bytes(body, s.max_body_bytes).await {
        Ok(b) => b,
        // A body that breaks off or is badly chunked is the client's fault,
        // as grpc-gateway reports a failed body read; only the limit is
        // ResourceExhausted.
        Err(e) if !is_length_limit(&e) => {
            return s.malformed(
                Rpc::AddAutopilotSession,
                Code::InvalidArgument,
                &e.to_string(),
            )
        }
        Err(_) => {
            return s.malformed(
                Rpc::AddAutopilotSession,
                Code::ResourceExhausted,
                &format!(
                    "grpc: received message larger than max (more than {} bytes)",
                    s.max_body_bytes
                ),
            )
        }
    };
    let req: p::AddAutopilotSessionRequest = match decode_body(&body) {
        Ok(r) => r,
        Err(e) => return s.malformed(Rpc::AddAutopilotSession, Code::InvalidArgument, &e),
    };
    s.call(Rpc::AddAutopilotSession, &headers, req, |req| async {
        let session = s.core.add_session(wire::add_request_in(req)).await?;
        Ok(p::AddAutopilotSessionResponse {
            session: Some(wire::session_out(session)),
        })
    })
    .await
}

/// grpc-gateway's bytes path parameter: padded standard base64, then padded
/// URL-safe base64.
pub fn decode_key_param(raw: impl AsRef<[u8]>) -> Result<Vec<u8>, String> {
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
                "type mismatch, parameter: local_public_key, error: illegal base64 data at input byte {at}"
            )
        })
    })
}

async fn revoke_session(
    State(s): State<RestState>,
    uri: axum::http::Uri,
    headers: HeaderMap,
    method: Method,
) -> Response {
    debug_assert_eq!(method, Method::DELETE);
    // The raw segment, not axum's `Path<String>`: that rejects escapes that
    // are not UTF-8 with a plain-text 400, where litd answers JSON.
    let segment = uri.path().rsplit('/').next().unwrap_or_default();
    let key = percent_decode(segment);
    // litd unescapes the whole path before routing, so an escaped `/` splits
    // the path and no route matches.
    if key.contains(&b'/') {
        return error_response(Code::NotFound, "Not Found");
    }
    let key = match decode_key_param(&key) {
        Ok(k) => k,
        Err(e) => return s.malformed(Rpc::RevokeAutopilotSession, Code::InvalidArgument, &e),
    };
    let request = p::RevokeAutopilotSessionRequest {
        local_public_key: key,
    };
    let core = &s.core;
    s.call(
        Rpc::RevokeAutopilotSession,
        &headers,
        request,
        |req| async move {
            core.revoke_session(&req.local_public_key).await?;
            Ok(p::RevokeAutopilotSessionResponse {})
        },
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert!(err.starts_with("proto: "), "{err}");
        let r: p::AddAutopilotSessionRequest =
            decode_body(br#"{"expiryTimestampSeconds":5,"linked_group_id":"AQID"}"#)
                .expect("camelCase, numbers for u64");
        assert_eq!(r.expiry_timestamp_seconds, 5);
        assert_eq!(r.linked_group_id, vec![1, 2, 3]);
    }

    #[test]
    fn status_mapping_matches_grpc_gateway() {
        assert_eq!(
            http_status(Code::Unknown),
            StatusCode::INTERNAL_SERVER_ERROR
        );
        assert_eq!(http_status(Code::InvalidArgument), StatusCode::BAD_REQUEST);
        assert_eq!(
            http_status(Code::Unimplemented),
            StatusCode::NOT_IMPLEMENTED
        );
        assert_eq!(
            http_status(Code::Unavailable),
            StatusCode::SERVICE_UNAVAILABLE
        );
        assert_eq!(http_status(Code::Canceled).as_u16(), 499);
    }
}
