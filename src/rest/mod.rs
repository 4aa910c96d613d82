//! litd's REST gateway (grpc-gateway v2 conventions, reference §6) on the
//! same port as gRPC: one route per registry route, each decoding its JSON
//! body and path parameters into the method's message and handing the call
//! to the dispatcher. Translation only; no method is named here.

mod decode;
mod errors;
mod raw;

pub use decode::{decode_body, decode_bytes_param, decode_key_param};
pub(crate) use errors::ok_json_text;
pub(crate) use errors::{error_response, RestError};
pub use raw::percent_decode;

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodFilter, MethodRouter};
use axum::Router;

use crate::rpc::spec::{HttpMethod, RestRoute};
use crate::rpc::{self, Call, Credentials, Dispatcher, Reply, Transport, VisitCalls};
use decode::Undecodable;

/// The REST header that carries the macaroon (grpc-gateway strips the
/// `Grpc-Metadata-` prefix to make it the `macaroon` metadata key).
pub(crate) const MACAROON_HEADER: &str = "grpc-metadata-macaroon";

#[derive(Clone)]
pub(crate) struct RestState {
    pub(crate) dispatcher: Arc<Dispatcher>,
    pub(crate) max_body_bytes: usize,
    /// litd's `restcors`: origins allowed cross-origin (`*` for any); empty = no CORS.
    pub(crate) cors_origins: Arc<Vec<String>>,
}

/// The REST routes, with litd's 404 and 501 answers.
pub(crate) fn router(state: RestState) -> Router {
    let mut mount = Mount::default();
    rpc::visit_all(&mut mount);
    let mut router = Router::new();
    for (path, routes) in mount.paths {
        let methods = match routes.form_post_as_get {
            Some(fallback) if !routes.has_post => routes.methods.merge(fallback),
            _ => routes.methods,
        };
        router = router.route(path, methods);
    }
    router
        .method_not_allowed_fallback(|| async { RestError::method_not_allowed() })
        .fallback(|| async { RestError::not_found() })
        .layer(axum::middleware::from_fn(raw::drain_ignored_body))
        .layer(axum::middleware::from_fn_with_state(state.clone(), cors))
        .with_state(state)
}

/// Every registry route, grouped by path.
#[derive(Default)]
struct Mount {
    paths: BTreeMap<&'static str, PathRoutes>,
}

#[derive(Default)]
struct PathRoutes {
    methods: MethodRouter<RestState>,
    has_post: bool,
    /// grpc-gateway's path-length fallback for a GET route: a form-encoded
    /// POST to a path no POST route has is served as the GET.
    form_post_as_get: Option<MethodRouter<RestState>>,
}

impl VisitCalls for Mount {
    fn visit<C: Call>(&mut self) {
        for route in C::RPC.spec().rest {
            let at = self.paths.entry(route.path).or_default();
            let handler = move |State(s): State<RestState>, uri, headers, body| async move {
                call::<C>(&s, route, &uri, &headers, body).await
            };
            let filter = match route.method {
                HttpMethod::Get => MethodFilter::GET,
                HttpMethod::Post => MethodFilter::POST,
                HttpMethod::Delete => MethodFilter::DELETE,
            };
            at.methods = std::mem::take(&mut at.methods).on(filter, handler);
            at.has_post |= route.method == HttpMethod::Post;
            if route.method == HttpMethod::Get {
                let fallback = move |State(s): State<RestState>, uri, headers: HeaderMap, body| async move {
                    if !is_form(&headers) {
                        return RestError::method_not_allowed().into_response();
                    }
                    call::<C>(&s, route, &uri, &headers, body).await
                };
                at.form_post_as_get = Some(MethodRouter::new().post(fallback));
            }
        }
    }
}

fn is_form(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"))
}

/// One REST call: decode (litd decodes before it authenticates), dispatch,
/// answer in litd's JSON.
async fn call<C: Call>(
    s: &RestState,
    route: &RestRoute,
    uri: &http::Uri,
    headers: &HeaderMap,
    body: Body,
) -> Response {
    let credentials = Credentials::from_headers(headers, MACAROON_HEADER);
    let request = match decode::request::<C::Request>(route, uri, body, s.max_body_bytes).await {
        Ok(request) => request,
        Err(Undecodable::NotRouted) => return RestError::not_found().into_response(),
        Err(Undecodable::Bad(code, message)) => {
            let error =
                s.dispatcher
                    .undecodable(Transport::Rest, C::RPC, &credentials, code, message);
            return RestError::from(error).into_response();
        }
    };
    match s
        .dispatcher
        .dispatch::<C>(Transport::Rest, &credentials, request)
        .await
    {
        Ok(reply) => ok_json_text(reply.litd_json_text()),
        Err(e) => RestError::from(e).into_response(),
    }
}

/// litd's `allowCORS` (front door §2.6), active when `restcors` lists
/// origins and the request has a non-empty `Origin`: the allowed headers and
/// methods are always set, the origin is echoed only when listed (or `*`),
/// and any `OPTIONS` request is answered with just those headers and an
/// empty 200, without reaching the gateway.
async fn cors(
    State(s): State<RestState>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let origin = req
        .headers()
        .get(header::ORIGIN)
        .filter(|o| !o.is_empty())
        .cloned();
    let Some(origin) = origin.filter(|_| !s.cors_origins.is_empty()) else {
        return next.run(req).await;
    };
    let allowed = s
        .cors_origins
        .iter()
        .any(|a| a == "*" || a.as_bytes() == origin.as_bytes());
    let mut response = if req.method() == Method::OPTIONS {
        StatusCode::OK.into_response()
    } else {
        next.run(req).await
    };
    let headers = response.headers_mut();
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static("Content-Type, Accept, Grpc-Metadata-Macaroon"),
    );
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static("GET, POST, DELETE"),
    );
    if allowed {
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
    }
    response
}
