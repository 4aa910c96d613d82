//! The stub's part of the admin API (`script`, `journal`, `reset`), shared
//! by the mock's admin API (behind the lit macaroon) and the standalone
//! `autopilot-mock stub`, which serves it on its own port under the same
//! [`PREFIX`](super::PREFIX) so a `serve --autopilot-addr` or real-litd
//! set-up can be scripted while it runs. litd's protocol with the autopilot
//! server carries no credentials, and neither does the standalone stub's
//! admin API: it is for test set-ups, so bind the stub to localhost.

use axum::body::Body;
use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use serde_json::{json, Value};

use super::{ok, read_body};
use crate::domain::Code;
use crate::rest::error_response;
use crate::stub::journal::journal_json;
use crate::stub::{Script, Stub};

/// `GET script`: the script's JSON as it was given.
pub(super) fn script_json(stub: &Stub) -> Value {
    stub.script().source
}

/// `PUT script`: replaces the script (checked first) and re-arms it.
pub(super) fn replace_script(stub: &Stub, body: &[u8]) -> Response {
    let text = String::from_utf8_lossy(body);
    match Script::parse(&text, "from the admin API") {
        Ok(script) => {
            let source = script.source.clone();
            stub.set_script(script);
            ok(source)
        }
        Err(e) => error_response(Code::InvalidArgument, &e.to_string()),
    }
}

/// `GET journal`: every call the stub received, oldest first.
pub(super) fn journal(stub: &Stub) -> Value {
    journal_json(&stub.journal())
}

#[derive(Clone)]
struct Standalone {
    stub: Stub,
    max_body_bytes: usize,
}

/// The standalone stub's admin routes, to nest under [`super::PREFIX`]:
/// `GET`/`PUT script`, `GET`/`DELETE journal`, `POST reset` (the stub's
/// start-up script back, clients and journal forgotten), as on the mock.
pub(crate) fn standalone_router(stub: Stub, max_body_bytes: usize) -> Router {
    Router::new()
        .route(
            "/script",
            get(|State(s): State<Standalone>| async move { ok(script_json(&s.stub)) }).put(
                |State(s): State<Standalone>, body: Body| async move {
                    match read_body(body, s.max_body_bytes).await {
                        Ok(body) => replace_script(&s.stub, &body),
                        Err(r) => r,
                    }
                },
            ),
        )
        .route(
            "/journal",
            get(|State(s): State<Standalone>| async move { ok(journal(&s.stub)) }).delete(
                |State(s): State<Standalone>| async move {
                    s.stub.clear_journal();
                    ok(json!({}))
                },
            ),
        )
        .route(
            "/reset",
            post(|State(s): State<Standalone>| async move {
                s.stub.reset();
                ok(json!({}))
            }),
        )
        .fallback(|| async { standalone_not_found() })
        .with_state(Standalone {
            stub,
            max_body_bytes,
        })
}

fn standalone_not_found() -> Response {
    error_response(
        Code::NotFound,
        "Not Found: the standalone stub's admin API has script, journal and reset",
    )
}
