//! The admin HTTP JSON API, on the mock's port under [`PREFIX`] (a path
//! litd never serves, so it cannot shadow a REST route; gRPC requests never
//! reach it). Every call needs the lit macaroon in `Grpc-Metadata-Macaroon`
//! (hex), as REST calls do: reads need `autopilot:read`, changes
//! `autopilot:write`. Errors use the REST gateway's `{code, message}` shape.

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::domain::clock::{from_unix_nanos, unix_nanos};
use crate::domain::{AutopilotCore, Code};
use crate::rest::{error_response, percent_decode, MACAROON_HEADER};
use crate::rpc::{Credentials, Dispatcher, Op, ReceivedCall, RequestFilter, Rpc};
use crate::stub::Stub;

mod actions;
mod introspect;
pub(crate) mod stub_routes;

pub use actions::parse_action_list;
pub(crate) use stub_routes::standalone_router;

/// Where the admin API is mounted.
pub const PREFIX: &str = "/_autopilot-mock/v1";

#[derive(Clone)]
pub(crate) struct AdminState {
    /// The credential check (the one every RPC takes), the core and the
    /// call observer (`serve --scenario`'s client check, for `verdict`).
    pub(crate) dispatcher: Arc<Dispatcher>,
    /// `None` when the mock registers with an external server.
    pub(crate) stub: Option<Stub>,
    pub(crate) max_body_bytes: usize,
}

/// The admin routes, relative to [`PREFIX`] (nest them there).
pub(crate) fn router(state: AdminState) -> Router {
    Router::new()
        .route("/script", get(get_script).put(put_script))
        .route("/journal", get(get_journal).delete(clear_journal))
        .route("/requests", get(get_requests).delete(clear_requests))
        .route("/reset", post(reset))
        .route("/restart", post(restart))
        .route("/clock", get(get_clock).post(move_clock))
        .route("/verdict", get(get_verdict))
        .route(
            "/actions",
            post(actions::add_actions).delete(actions::clear_actions),
        )
        .merge(introspect::routes())
        .fallback(|| async { error_response(Code::NotFound, "Not Found") })
        .with_state(state)
}

const READ: &[Op] = &[("autopilot", "read")];
const WRITE: &[Op] = &[("autopilot", "write")];

impl AdminState {
    fn core(&self) -> &Arc<AutopilotCore> {
        self.dispatcher.core()
    }

    /// The RPCs' credential check, with `uri:<prefix><path>` as the
    /// fallback op; a rejection is answered as a REST call's.
    fn authorize(&self, headers: &HeaderMap, required: &[Op], path: &str) -> Option<Response> {
        let credentials = Credentials::from_headers(headers, MACAROON_HEADER);
        self.dispatcher
            .admit(&credentials, required, &format!("{PREFIX}{path}"))
            .err()
            .map(|e| error_response(Code::Unknown, &e.message))
    }
}

fn no_stub() -> Response {
    error_response(
        Code::FailedPrecondition,
        "no in-process stub: the mock registers with an external autopilot server (--autopilot-addr)",
    )
}

pub(crate) fn ok(body: Value) -> Response {
    let mut r = (StatusCode::OK, body.to_string()).into_response();
    r.headers_mut().insert(
        axum::http::header::CONTENT_TYPE,
        axum::http::HeaderValue::from_static("application/json"),
    );
    r
}

pub(crate) async fn read_body(body: Body, limit: usize) -> Result<Bytes, Response> {
    axum::body::to_bytes(body, limit).await.map_err(|_| {
        error_response(
            Code::ResourceExhausted,
            &format!("request body larger than {limit} bytes"),
        )
    })
}

async fn get_script(State(s): State<AdminState>, headers: HeaderMap) -> Response {
    if let Some(r) = s.authorize(&headers, READ, "/script") {
        return r;
    }
    match &s.stub {
        Some(stub) => ok(stub_routes::script_json(stub)),
        None => no_stub(),
    }
}

async fn put_script(State(s): State<AdminState>, headers: HeaderMap, body: Body) -> Response {
    if let Some(r) = s.authorize(&headers, WRITE, "/script") {
        return r;
    }
    let Some(stub) = &s.stub else {
        return no_stub();
    };
    let body = match read_body(body, s.max_body_bytes).await {
        Ok(b) => b,
        Err(r) => return r,
    };
    stub_routes::replace_script(stub, &body)
}

async fn get_journal(State(s): State<AdminState>, headers: HeaderMap) -> Response {
    if let Some(r) = s.authorize(&headers, READ, "/journal") {
        return r;
    }
    match &s.stub {
        Some(stub) => ok(stub_routes::journal(stub)),
        None => no_stub(),
    }
}

/// The journal of received calls: `?method=` (a full method name, or just
/// the method's name) and `?since_seq=N` (entries after N) filter it.
async fn get_requests(
    State(s): State<AdminState>,
    uri: axum::http::Uri,
    headers: HeaderMap,
) -> Response {
    if let Some(r) = s.authorize(&headers, READ, "/requests") {
        return r;
    }
    let filter = match requests_filter(uri.query().unwrap_or_default()) {
        Ok(filter) => filter,
        Err(message) => return error_response(Code::InvalidArgument, &message),
    };
    let entries: Vec<Value> = s
        .dispatcher
        .journal()
        .entries(&filter)
        .iter()
        .map(ReceivedCall::to_json)
        .collect();
    ok(json!({ "entries": entries }))
}

fn requests_filter(query: &str) -> Result<RequestFilter, String> {
    let mut filter = RequestFilter::default();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let value = String::from_utf8_lossy(&percent_decode(value)).into_owned();
        match key {
            "method" => {
                let rpc = Rpc::from_full_method(&value)
                    .or_else(|| Rpc::ALL.iter().copied().find(|r| r.name() == value))
                    .ok_or_else(|| format!("requests: no method {value:?}"))?;
                filter.rpc = Some(rpc);
            }
            "since_seq" => {
                let seq = value
                    .parse()
                    .map_err(|_| format!("requests: since_seq {value:?} is not a number"))?;
                filter.since_seq = Some(seq);
            }
            other => return Err(format!("requests: unknown parameter {other:?}")),
        }
    }
    Ok(filter)
}

async fn clear_requests(State(s): State<AdminState>, headers: HeaderMap) -> Response {
    if let Some(r) = s.authorize(&headers, WRITE, "/requests") {
        return r;
    }
    s.dispatcher.journal().clear();
    ok(json!({}))
}

/// The client check's report so far (`serve --scenario`).
async fn get_verdict(State(s): State<AdminState>, headers: HeaderMap) -> Response {
    if let Some(r) = s.authorize(&headers, READ, "/verdict") {
        return r;
    }
    match s.dispatcher.observer().and_then(|o| o.report()) {
        Some(report) => ok(report),
        None => error_response(
            Code::FailedPrecondition,
            "no client check: start serve with --scenario FILE",
        ),
    }
}

async fn clear_journal(State(s): State<AdminState>, headers: HeaderMap) -> Response {
    if let Some(r) = s.authorize(&headers, WRITE, "/journal") {
        return r;
    }
    match &s.stub {
        Some(stub) => {
            stub.clear_journal();
            ok(json!({}))
        }
        None => no_stub(),
    }
}

/// `control::reset_mock`: a fresh mock with the start-up stub script.
async fn reset(State(s): State<AdminState>, headers: HeaderMap) -> Response {
    if let Some(r) = s.authorize(&headers, WRITE, "/reset") {
        return r;
    }
    crate::control::reset_mock(s.core(), s.stub.as_ref());
    ok(json!({}))
}

/// `control::restart_mock`: litd restarted over the same store.
async fn restart(State(s): State<AdminState>, headers: HeaderMap) -> Response {
    if let Some(r) = s.authorize(&headers, WRITE, "/restart") {
        return r;
    }
    ok(crate::control::restart_mock(s.core()).await)
}

fn clock_json(s: &AdminState) -> Value {
    let nanos = unix_nanos(s.core().clock().now());
    let rfc3339 = time::OffsetDateTime::from_unix_timestamp_nanos(nanos)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        });
    json!({"now": rfc3339, "unix_nanos": nanos.to_string()})
}

async fn get_clock(State(s): State<AdminState>, headers: HeaderMap) -> Response {
    if let Some(r) = s.authorize(&headers, READ, "/clock") {
        return r;
    }
    ok(clock_json(&s))
}

/// Exactly one of the fields.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ClockMove {
    advance_seconds: Option<i64>,
    advance_nanos: Option<i64>,
    set_unix_seconds: Option<i64>,
}

async fn move_clock(State(s): State<AdminState>, headers: HeaderMap, body: Body) -> Response {
    if let Some(r) = s.authorize(&headers, WRITE, "/clock") {
        return r;
    }
    let body = match read_body(body, 4096).await {
        Ok(b) => b,
        Err(r) => return r,
    };
    let m: ClockMove = match serde_json::from_slice(&body) {
        Ok(m) => m,
        Err(e) => return error_response(Code::InvalidArgument, &format!("clock: {e}")),
    };
    let clock = s.core().clock();
    let moved = match (m.advance_seconds, m.advance_nanos, m.set_unix_seconds) {
        (Some(secs), None, None) => clock.advance_nanos(i128::from(secs) * 1_000_000_000),
        (None, Some(nanos), None) => clock.advance_nanos(i128::from(nanos)),
        (None, None, Some(secs)) => clock.set(from_unix_nanos(i128::from(secs) * 1_000_000_000)),
        _ => {
            return error_response(
                Code::InvalidArgument,
                "clock: give exactly one of advance_seconds, advance_nanos, set_unix_seconds",
            )
        }
    };
    if !moved {
        return error_response(
            Code::FailedPrecondition,
            "clock: this server's clock cannot be moved",
        );
    }
    // What the move made due (expiry of resumed sessions, ping-loop ticks)
    // runs now, so the caller sees its effect at once; a remote that hangs
    // (a scripted `hang` ping) holds the answer for at most a few seconds.
    let due = tokio::time::timeout(std::time::Duration::from_secs(5), s.core().run_due());
    if due.await.is_err() {
        s.core().clock_was_moved();
    }
    ok(clock_json(&s))
}
