//! `ListAutopilotSessions` over REST with each session's JSON kept while the
//! session is unchanged (see [`crate::wire::session_cache`]): the response is litd's JSON
//! object with those texts joined into its `sessions` array, byte for byte
//! what the generic path writes (tested end to end in `tests/rest_gateway.rs`).

use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use super::{domain_error, json, RestState};
use crate::domain::AutopilotError;
use crate::observe::Rpc;
use crate::wire;

/// `ListAutopilotSessions` with each session's JSON kept while it is
/// unchanged (as gRPC keeps its records): the same macaroon check, domain
/// call and bytes as the generic path, which a watched call takes.
pub(super) async fn list_sessions(s: &RestState, headers: &HeaderMap) -> Response {
    if let Err(message) = s.authorize(headers, Rpc::ListAutopilotSessions) {
        return domain_error(AutopilotError::unknown(message));
    }
    let cache = &s.session_json;
    let listed = match s
        .core
        .list_sessions_with(|id, revision| cache.current(&id, revision))
        .await
    {
        Ok(listed) => listed,
        Err(e) => return domain_error(e),
    };
    let sessions = cache.assemble(listed, |view| {
        json::to_litd_json("litrpc.Session", &wire::session_out(view))
            .to_string()
            .into()
    });
    let mut body = String::with_capacity(16 + sessions.iter().map(|j| j.len() + 1).sum::<usize>());
    body.push_str("{\"sessions\":[");
    for (i, session) in sessions.iter().enumerate() {
        if i > 0 {
            body.push(',');
        }
        body.push_str(session);
    }
    body.push_str("]}");
    let mut response = (StatusCode::OK, body).into_response();
    let response_headers = response.headers_mut();
    response_headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response_headers.insert(
        "grpc-metadata-content-type",
        HeaderValue::from_static("application/grpc"),
    );
    response
}
