//! The browser console: a single page at `PREFIX``/` on the mock's own
//! port, its files embedded in the binary (no CDN, nothing fetched at run
//! time). It is a pure client of the admin API (`/_autopilot-mock/v1/...`)
//! and of litd's own REST routes: every request it makes carries the
//! credentials the person logged in with (litd's UI password as
//! `authorization: Basic ...`, or a macaroon's hex as
//! `Grpc-Metadata-Macaroon`), so it can do nothing a script cannot.
//!
//! The files themselves are public (litd serves its UI files without
//! credentials too); `GET`/`HEAD` only.

use axum::body::Body;
use axum::response::Response;
use http::{header, HeaderValue, Method, StatusCode};

/// Where the console lives: a path under the mock's own prefix, which
/// litd never serves.
pub(crate) const PREFIX: &str = "/_autopilot-mock/console";

/// One embedded file.
struct Asset {
    name: &'static str,
    content_type: &'static str,
    body: &'static str,
}

const HTML: &str = "text/html; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";
const JS: &str = "text/javascript; charset=utf-8";

/// Every file of the console, by name under [`PREFIX`]`/`.
const ASSETS: &[Asset] = &[
    Asset {
        name: "index.html",
        content_type: HTML,
        body: include_str!("assets/index.html"),
    },
    Asset {
        name: "console.css",
        content_type: CSS,
        body: include_str!("assets/console.css"),
    },
    Asset {
        name: "api.js",
        content_type: JS,
        body: include_str!("assets/api.js"),
    },
    Asset {
        name: "app.js",
        content_type: JS,
        body: include_str!("assets/app.js"),
    },
    Asset {
        name: "dom.js",
        content_type: JS,
        body: include_str!("assets/dom.js"),
    },
    Asset {
        name: "features.js",
        content_type: JS,
        body: include_str!("assets/features.js"),
    },
    Asset {
        name: "sessions.js",
        content_type: JS,
        body: include_str!("assets/sessions.js"),
    },
    Asset {
        name: "add_session.js",
        content_type: JS,
        body: include_str!("assets/add_session.js"),
    },
    Asset {
        name: "calls.js",
        content_type: JS,
        body: include_str!("assets/calls.js"),
    },
    Asset {
        name: "stub.js",
        content_type: JS,
        body: include_str!("assets/stub.js"),
    },
    Asset {
        name: "clock.js",
        content_type: JS,
        body: include_str!("assets/clock.js"),
    },
    Asset {
        name: "scenario.js",
        content_type: JS,
        body: include_str!("assets/scenario.js"),
    },
];

/// Whether the front door sends this path to the console.
pub(crate) fn is_console_path(path: &str) -> bool {
    path.strip_prefix(PREFIX)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// The console's answer for a path [`is_console_path`] accepted.
pub(crate) fn answer(method: &Method, path: &str) -> Response {
    if method != Method::GET && method != Method::HEAD {
        let mut r = plain(StatusCode::METHOD_NOT_ALLOWED, "405 method not allowed\n");
        r.headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return r;
    }
    let rest = path.strip_prefix(PREFIX).unwrap_or(path);
    let name = match rest {
        // The page's relative asset paths need the trailing slash.
        "" => return redirect_to_root(),
        "/" => "index.html",
        other => other.trim_start_matches('/'),
    };
    let Some(asset) = ASSETS.iter().find(|a| a.name == name) else {
        return plain(StatusCode::NOT_FOUND, "404 page not found\n");
    };
    let body = if method == Method::HEAD {
        Body::empty()
    } else {
        Body::from(asset.body)
    };
    let mut r = Response::new(body);
    let headers = r.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(asset.content_type),
    );
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(asset.body.len()));
    secure(headers);
    r
}

/// What every console answer carries: nothing cached (the files change with
/// the binary), nothing from elsewhere, no framing by other pages.
fn secure(headers: &mut http::HeaderMap) {
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
        ),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
}

fn redirect_to_root() -> Response {
    let mut r = Response::new(Body::empty());
    *r.status_mut() = StatusCode::PERMANENT_REDIRECT;
    r.headers_mut().insert(
        header::LOCATION,
        HeaderValue::from_static("/_autopilot-mock/console/"),
    );
    secure(r.headers_mut());
    r
}

fn plain(status: StatusCode, text: &'static str) -> Response {
    let mut r = Response::new(Body::from(text));
    *r.status_mut() = status;
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    secure(r.headers_mut());
    r
}

#[cfg(test)]
#[path = "tests.rs"]
mod tests;
