//! `ListAutopilotSessions` over REST with each session's JSON kept while the
//! session is unchanged (see [`crate::wire::session_cache`]): the response is litd's JSON
//! object with those texts joined into its `sessions` array, byte for byte
//! what the generic path writes (tested end to end in `tests/rest_gateway.rs`).

use axum::http::HeaderMap;
use axum::response::Response;

use super::{domain_error, json, ok_json_text, RestState};
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
    ok_json_text(format!("{{\"sessions\":[{}]}}", sessions.join(",")))
}
