//! Admin routes that ask without changing anything (added for the browser
//! console, usable by any script):
//!
//! - `GET /info`: what this server is: its version, whether it has the
//!   in-process stub, whether it judges a client (`serve --scenario`), and
//!   every litrpc method it serves with its REST routes.
//! - `POST /script/validate`: reads a stub script as `PUT /script` would,
//!   without applying it: `{"valid":true,"script":...}` or
//!   `{"valid":false,"message":<the text PUT would answer>}` (HTTP 200 both:
//!   the check worked, the script is what failed).
//!
//! Both need `autopilot:read`, as every admin read does.

use axum::body::Body;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use serde_json::{json, Value};

use super::{ok, read_body, AdminState, READ};
use crate::rpc::Rpc;
use crate::stub::Script;

/// The routes, relative to the admin prefix (merged into its router).
pub(super) fn routes() -> Router<AdminState> {
    Router::new()
        .route("/info", get(info))
        .route("/script/validate", post(validate_script))
}

fn methods_json() -> Vec<Value> {
    Rpc::ALL
        .iter()
        .map(|rpc| {
            let spec = rpc.spec();
            let rest: Vec<Value> = spec
                .rest
                .iter()
                .map(|r| json!({"method": r.method.as_str(), "path": r.path}))
                .collect();
            json!({"method": spec.full_method, "service": spec.service, "rest": rest})
        })
        .collect()
}

async fn info(State(s): State<AdminState>, headers: HeaderMap) -> Response {
    if let Some(r) = s.authorize(&headers, READ, "/info") {
        return r;
    }
    let client_mode = s.dispatcher.observer().and_then(|o| o.report()).is_some();
    ok(json!({
        "version": env!("CARGO_PKG_VERSION"),
        "stub": s.stub.is_some(),
        "client_mode": client_mode,
        "methods": methods_json(),
    }))
}

async fn validate_script(State(s): State<AdminState>, headers: HeaderMap, body: Body) -> Response {
    if let Some(r) = s.authorize(&headers, READ, "/script/validate") {
        return r;
    }
    let body = match read_body(body, s.max_body_bytes).await {
        Ok(b) => b,
        Err(r) => return r,
    };
    // The same reading (and origin in the texts) as PUT /script.
    match Script::parse(&String::from_utf8_lossy(&body), "from the admin API") {
        Ok(script) => ok(json!({"valid": true, "script": script.source})),
        Err(e) => ok(json!({"valid": false, "message": e.to_string()})),
    }
}

#[cfg(test)]
#[path = "introspect_tests.rs"]
mod tests;
