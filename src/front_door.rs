//! litd's one-port dispatch (front-door reference §1.1), in litd's order:
//!
//! 1. grpc-web: `POST` with a content type starting `application/grpc-web`
//!    (before gRPC: it starts with `application/grpc` too);
//! 2. native gRPC: HTTP/2 and a content type starting `application/grpc`;
//! 3. REST: a path matching `^/v\d/.*` (litd with `enablerest`, which the
//!    mock always is), and the mock's own admin API under its prefix;
//! 4. the mock's browser console under `/_autopilot-mock/console` (a path
//!    litd never serves: litd would answer it with its UI's `index.html`);
//! 5. anything else: litd's UI. With the UI password set (litd's UI on) a
//!    small page with litd's title for `/`, `/index.html` and extension-less
//!    paths (client-side routes), 404 for other files; without it (litd's
//!    `disableui`) HTTP 401 with an empty body.
//!
//! Every call gets one access-log line, by transport. Header checks are
//! case-sensitive byte prefixes, as in litd.

use axum::body::Body;
use axum::extract::Request;
use axum::response::Response;
use http::StatusCode;
use tower::ServiceExt;

use crate::access_log::{self, Transport};
use crate::grpc_web::codec;

/// What a request is, by litd's rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Door {
    GrpcWeb,
    Grpc,
    Rest,
    /// The mock's own browser console (`crate::console::PREFIX`).
    Console,
    Ui,
}

/// Where litd sends this request.
pub(crate) fn door(req: &Request) -> Door {
    let content_type = req
        .headers()
        .get(http::header::CONTENT_TYPE)
        .map(|v| v.as_bytes());
    if codec::is_grpc_web(req.method(), content_type) {
        return Door::GrpcWeb;
    }
    if req.version() == http::Version::HTTP_2
        && content_type.is_some_and(|ct| ct.starts_with(b"application/grpc"))
    {
        return Door::Grpc;
    }
    let path = req.uri().path();
    if is_rest_path(path) || path.starts_with(crate::admin::PREFIX) {
        return Door::Rest;
    }
    if crate::console::is_console_path(path) {
        return Door::Console;
    }
    Door::Ui
}

/// litd's REST regex `^/v\d/.*`.
fn is_rest_path(path: &str) -> bool {
    let b = path.as_bytes();
    b.len() >= 4 && b[0] == b'/' && b[1] == b'v' && b[2].is_ascii_digit() && b[3] == b'/'
}

/// The routers behind the doors.
pub(crate) struct Routers {
    pub(crate) grpc: axum::Router,
    pub(crate) grpc_web: axum::Router,
    pub(crate) rest: axum::Router,
    /// litd's UI is on (the UI password is set).
    pub(crate) ui: bool,
}

/// One router that sends each request through its door.
pub(crate) fn router(routers: Routers) -> axum::Router {
    let Routers {
        grpc,
        grpc_web,
        rest,
        ui,
    } = routers;
    axum::Router::new().fallback(move |req: Request| {
        let door = door(&req);
        let (target, transport) = match door {
            Door::GrpcWeb => (Some(grpc_web.clone()), Transport::GrpcWeb),
            Door::Grpc => (Some(grpc.clone()), Transport::Grpc),
            Door::Rest => (Some(rest.clone()), Transport::Rest),
            Door::Console | Door::Ui => (None, Transport::Rest),
        };
        let started = std::time::Instant::now();
        let method = access_log::method_name(transport, &req);
        async move {
            let Some(target) = target else {
                if door == Door::Console {
                    return crate::console::answer(req.method(), req.uri().path());
                }
                return ui_answer(ui, req.uri().path());
            };
            let mut response = match target.oneshot(req).await {
                Ok(response) => response,
                Err(never) => match never {},
            };
            if door == Door::Grpc {
                crate::grpc::status_as_grpc_go(response.headers_mut());
            }
            access_log::observe(transport, method, started, response)
        }
    })
}

/// litd's title, which its itests look for \[exact\].
pub(crate) const UI_TITLE: &str = "<title>Lightning Terminal</title>";

/// Rows 4 and 5 of litd's dispatch: 401 with `disableui`, else the UI.
fn ui_answer(ui: bool, path: &str) -> Response {
    let status_only = |status: StatusCode| {
        let mut r = Response::new(Body::empty());
        *r.status_mut() = status;
        r
    };
    if !ui {
        return status_only(StatusCode::UNAUTHORIZED);
    }
    let last = path.rsplit('/').next().unwrap_or("");
    if path == "/index.html" || !last.contains('.') {
        let page = format!(
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">{UI_TITLE}</head>\
             <body>autopilot-mock: litd's UI is not part of the mock; its RPCs are served on \
             this port over gRPC, grpc-web and REST.</body></html>\n"
        );
        let mut r = Response::new(Body::from(page));
        r.headers_mut().insert(
            http::header::CONTENT_TYPE,
            http::HeaderValue::from_static("text/html; charset=utf-8"),
        );
        return r;
    }
    // Go's file server for a missing file.
    let mut r = Response::new(Body::from("404 page not found\n"));
    *r.status_mut() = StatusCode::NOT_FOUND;
    r.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(method: &str, version: http::Version, ct: Option<&str>, path: &str) -> Request {
        let mut b = http::Request::builder()
            .method(method)
            .version(version)
            .uri(path);
        if let Some(ct) = ct {
            b = b.header("content-type", ct);
        }
        b.body(Body::empty()).unwrap()
    }

    #[test]
    fn litds_order() {
        use http::Version as V;
        let at = |m, v, ct, p| door(&req(m, v, ct, p));
        let web = Some("application/grpc-web+proto");
        assert_eq!(
            at("POST", V::HTTP_2, web, "/litrpc.Status/SubServerStatus"),
            Door::GrpcWeb
        );
        assert_eq!(at("POST", V::HTTP_11, web, "/v1/status"), Door::GrpcWeb);
        assert_eq!(
            at("POST", V::HTTP_11, Some("application/grpc-web-text"), "/x"),
            Door::GrpcWeb
        );
        // grpc-web needs POST; native gRPC needs HTTP/2.
        assert_eq!(at("GET", V::HTTP_2, web, "/a.B/C"), Door::Grpc);
        assert_eq!(at("OPTIONS", V::HTTP_11, web, "/a.B/C"), Door::Ui);
        let grpc = Some("application/grpc");
        assert_eq!(
            at("POST", V::HTTP_2, grpc, "/litrpc.Autopilot/X"),
            Door::Grpc
        );
        assert_eq!(
            at("POST", V::HTTP_11, grpc, "/litrpc.Autopilot/X"),
            Door::Ui
        );
        assert_eq!(
            at("POST", V::HTTP_2, Some("Application/grpc"), "/a.B/C"),
            Door::Ui
        );
        // REST by path only.
        assert_eq!(at("GET", V::HTTP_11, None, "/v1/status"), Door::Rest);
        assert_eq!(at("POST", V::HTTP_11, grpc, "/v2/x"), Door::Rest);
        assert_eq!(at("GET", V::HTTP_11, None, "/v1"), Door::Ui);
        assert_eq!(at("GET", V::HTTP_11, None, "/vx/"), Door::Ui);
        assert_eq!(
            at("GET", V::HTTP_11, None, "/_autopilot-mock/v1/journal"),
            Door::Rest
        );
        assert_eq!(at("GET", V::HTTP_11, None, "/index.html"), Door::Ui);
        // The mock's console, after litd's own doors.
        let console = "/_autopilot-mock/console/app.js";
        assert_eq!(at("GET", V::HTTP_11, None, console), Door::Console);
        assert_eq!(
            at("GET", V::HTTP_11, None, "/_autopilot-mock/console"),
            Door::Console
        );
        assert_eq!(at("POST", V::HTTP_2, web, console), Door::GrpcWeb);
        assert_eq!(
            at("GET", V::HTTP_11, None, "/_autopilot-mock/consoles"),
            Door::Ui
        );
    }

    #[test]
    fn the_ui_rows() {
        assert_eq!(ui_answer(false, "/").status(), StatusCode::UNAUTHORIZED);
        assert_eq!(
            ui_answer(false, "/index.html").status(),
            StatusCode::UNAUTHORIZED
        );
        for path in ["/", "/index.html", "/loop", "/a/b"] {
            assert_eq!(ui_answer(true, path).status(), StatusCode::OK, "{path}");
        }
        assert_eq!(
            ui_answer(true, "/favicon.ico").status(),
            StatusCode::NOT_FOUND
        );
    }
}
