//! THE registry of litd RPCs the mock serves: the only place a method's
//! full name, permissions, REST routes, request and reply types and domain
//! call are stated. Everything else derives from it: gRPC and REST routing
//! (`grpc::routes`, `rest::router`), the macaroon check (`auth`), the
//! access log, reflection's service list, the scenario harness, fuzz and
//! bench.
//!
//! ## Adding an RPC
//! Write its proto, add one entry below (in its service's block, or a new
//! `service "litrpc.X" { ... }` block), write its domain function, and its
//! tests. An entry is:
//!
//! ```text
//! MethodName {
//!     permissions: &[("entity", "action")],   // &[]: no macaroon needed
//!     rest: &[RestRoute::post("/v1/path/{field}")],  // &[]: gRPC only
//!     request: p::MethodNameRequest,
//!     reply: p::MethodNameResponse,
//!     run: |backend, request| async move { /* wire -> domain -> wire */ },
//! }
//! ```
//!
//! The method's full name is `/<service>/<MethodName>`; the name is also
//! the [`Rpc`] variant scenario files and the journal use.

use futures_util::future::BoxFuture;

#[cfg(test)]
use super::spec::Reply;
use super::spec::{Call, MethodSpec, RestRoute, VisitCalls};
use super::Backend;
use crate::domain::AutopilotError;
use crate::proto::litrpc as p;
use crate::wire;

/// `registry! { service "pkg.Service" { Method { ... } ... } ... }`: see
/// the module documentation.
macro_rules! registry {
    ($(service $service:literal {
        $( $(#[$doc:meta])* $name:ident {
            permissions: $perms:expr,
            rest: $rest:expr,
            request: $req:ty,
            reply: $reply:ty,
            run: |$backend:ident, $request:pat_param| $body:expr $(,)?
        } )*
    })*) => {
        /// A method of the registry, by its name in its service.
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
            serde::Serialize, serde::Deserialize,
        )]
        pub enum Rpc {
            $($( $(#[$doc])* $name, )*)*
        }

        impl Rpc {
            /// Every method, in registry order.
            pub(crate) const ALL: &'static [Rpc] = &[$($(Rpc::$name,)*)*];

            /// The method's registry entry.
            pub(crate) fn spec(self) -> &'static MethodSpec {
                match self {
                    $($(Rpc::$name => {
                        static SPEC: MethodSpec = MethodSpec {
                            service: $service,
                            name: stringify!($name),
                            full_method: concat!("/", $service, "/", stringify!($name)),
                            permissions: $perms,
                            rest: $rest,
                            request_message: <$req as prost::Name>::full_name,
                        };
                        &SPEC
                    })*)*
                }
            }
        }

        /// The typed side of each entry (one [`Call`] per method).
        pub(crate) mod calls {
            use super::*;
            $($(
                $(#[$doc])*
                pub(crate) enum $name {}

                impl Call for $name {
                    type Request = $req;
                    type Reply = $reply;
                    const RPC: Rpc = Rpc::$name;

                    fn run(
                        backend: &Backend,
                        request: $req,
                    ) -> BoxFuture<'_, Result<$reply, AutopilotError>> {
                        let $backend = backend;
                        let $request = request;
                        Box::pin($body)
                    }
                }
            )*)*
        }

        /// Calls `visitor.visit::<C>()` for every method.
        pub(crate) fn visit_all(visitor: &mut impl VisitCalls) {
            $($( visitor.visit::<calls::$name>(); )*)*
        }
    };
}

const AUTOPILOT_READ: (&str, &str) = ("autopilot", "read");
/// litd's whitelist: no macaroon is looked at.
const NO_MACAROON: &[(&str, &str)] = &[];
const AUTOPILOT_WRITE: (&str, &str) = ("autopilot", "write");
const SESSIONS_READ: (&str, &str) = ("sessions", "read");
const SESSIONS_WRITE: (&str, &str) = ("sessions", "write");

registry! {
    service "litrpc.Autopilot" {
        /// The remote server's features, with their rules and permissions.
        ListAutopilotFeatures {
            permissions: &[AUTOPILOT_READ],
            rest: &[RestRoute::get("/v1/autopilot/features")],
            request: p::ListAutopilotFeaturesRequest,
            reply: p::ListAutopilotFeaturesResponse,
            run: |backend, _request| async move {
                Ok(wire::features_out(backend.core.list_features().await?))
            },
        }
        /// Registers a session with the remote server and stores it.
        AddAutopilotSession {
            permissions: &[AUTOPILOT_WRITE],
            rest: &[RestRoute::post("/v1/autopilot/sessions")],
            request: p::AddAutopilotSessionRequest,
            reply: p::AddAutopilotSessionResponse,
            run: |backend, request| async move {
                let session = backend.core.add_session(wire::add_request_in(request)).await?;
                Ok(p::AddAutopilotSessionResponse {
                    session: Some(wire::session_out(session)),
                })
            },
        }
        /// Every autopilot session, oldest first (each kept in its wire forms
        /// while it is unchanged: see `wire::session_list`).
        ListAutopilotSessions {
            permissions: &[AUTOPILOT_READ],
            rest: &[RestRoute::get("/v1/autopilot/sessions")],
            request: p::ListAutopilotSessionsRequest,
            reply: wire::session_list::SessionList,
            run: |backend, _request| async move {
                backend.session_list.list(&backend.core).await
            },
        }
        /// Revokes a session (idempotent).
        RevokeAutopilotSession {
            permissions: &[AUTOPILOT_WRITE],
            rest: &[RestRoute::delete("/v1/autopilot/sessions/{local_public_key}")],
            request: p::RevokeAutopilotSessionRequest,
            reply: p::RevokeAutopilotSessionResponse,
            run: |backend, request| async move {
                backend.core.revoke_session(&request.local_public_key).await?;
                Ok(p::RevokeAutopilotSessionResponse {})
            },
        }
    }
    service "litrpc.Status" {
        /// litd's seven sub-server entries (no macaroon needed; never gated).
        SubServerStatus {
            permissions: NO_MACAROON,
            rest: &[RestRoute::get("/v1/status")],
            request: p::SubServerStatusReq,
            reply: p::SubServerStatusResp,
            run: |backend, _request| async move {
                Ok(wire::status::status_out(
                    crate::domain::status::sub_server_status(backend.core.readiness()),
                ))
            },
        }
    }
    service "litrpc.Sessions" {
        /// Adds a macaroon session (admin, read-only, custom, account).
        AddSession {
            permissions: &[SESSIONS_WRITE],
            rest: &[RestRoute::post("/v1/sessions")],
            request: p::AddSessionRequest,
            reply: p::AddSessionResponse,
            run: |backend, request| async move {
                let request = wire::services::add_lit_session_in(request);
                let session = backend.core.add_lit_session(request).await?;
                Ok(p::AddSessionResponse {
                    session: Some(wire::session_out(session)),
                })
            },
        }
        /// Every session of every type, oldest first.
        ListSessions {
            permissions: &[SESSIONS_READ],
            rest: &[RestRoute::get("/v1/sessions")],
            request: p::ListSessionsRequest,
            reply: p::ListSessionsResponse,
            run: |backend, _request| async move {
                let sessions = backend.core.list_all_sessions().await?;
                Ok(p::ListSessionsResponse {
                    sessions: sessions.into_iter().map(wire::session_out).collect(),
                })
            },
        }
        /// Revokes a session of any type (its key is field 8).
        RevokeSession {
            permissions: &[SESSIONS_WRITE],
            rest: &[RestRoute::delete("/v1/sessions/{local_public_key}")],
            request: p::RevokeSessionRequest,
            reply: p::RevokeSessionResponse,
            run: |backend, request| async move {
                backend.core.revoke_lit_session(&request.local_public_key).await?;
                Ok(p::RevokeSessionResponse {})
            },
        }
    }
    service "litrpc.Firewall" {
        /// The firewall's action log, filtered and paged.
        ListActions {
            permissions: &[("actions", "read")],
            rest: &[RestRoute::post("/v1/firewall/actions")],
            request: p::ListActionsRequest,
            reply: p::ListActionsResponse,
            run: |backend, request| async move {
                let query = wire::services::actions_query_in(request);
                Ok(wire::services::actions_page_out(backend.core.list_actions(query).await?))
            },
        }
        /// A real value's pseudo value in a group's privacy map, or back.
        PrivacyMapConversion {
            permissions: &[("privacymap", "read")],
            rest: &[RestRoute::post("/v1/firewall/privacy_map/convert")],
            request: p::PrivacyMapConversionRequest,
            reply: p::PrivacyMapConversionResponse,
            run: |backend, request| async move {
                let request = wire::services::conversion_in(request);
                let output = backend.core.privacy_map_conversion(request).await?;
                Ok(p::PrivacyMapConversionResponse { output })
            },
        }
    }
    service "litrpc.Proxy" {
        /// litd's version.
        GetInfo {
            permissions: &[("proxy", "read")],
            rest: &[RestRoute::get("/v1/proxy/info")],
            request: p::GetInfoRequest,
            reply: p::GetInfoResponse,
            run: |backend, _request| async move {
                let info = backend.core.proxy_info().await;
                Ok(p::GetInfoResponse {
                    version: info.version,
                    commit_hash: info.commit_hash,
                })
            },
        }
        /// Replies, then the server shuts down gracefully.
        StopDaemon {
            permissions: &[("proxy", "write")],
            rest: &[RestRoute::post("/v1/proxy/stop")],
            request: p::StopDaemonRequest,
            reply: p::StopDaemonResponse,
            run: |backend, _request| async move {
                backend.core.stop_daemon().await;
                Ok(p::StopDaemonResponse {})
            },
        }
        /// A macaroon with root-key ID `FFEEDDCC || suffix`, accepted from then on.
        BakeSuperMacaroon {
            permissions: &[("supermacaroon", "write")],
            rest: &[RestRoute::post("/v1/proxy/supermacaroon")],
            request: p::BakeSuperMacaroonRequest,
            reply: p::BakeSuperMacaroonResponse,
            run: |backend, request| async move {
                let recipe = backend
                    .core
                    .super_macaroon_recipe(request.root_key_id_suffix, request.read_only)
                    .await;
                let ops: Vec<(&str, &[&str])> =
                    recipe.ops.iter().map(|(e, a)| (*e, a.as_slice())).collect();
                let raw = backend.auth.bake_super_macaroon(recipe.root_key_id_suffix, &ops);
                Ok(p::BakeSuperMacaroonResponse {
                    macaroon: hex::encode(raw),
                })
            },
        }
    }
}

impl Rpc {
    /// `/litrpc.Autopilot/AddAutopilotSession`.
    pub fn full_method(self) -> &'static str {
        self.spec().full_method
    }

    /// `AddAutopilotSession`.
    pub(crate) fn name(self) -> &'static str {
        self.spec().name
    }

    /// The method a gRPC path names, if the registry has it.
    pub(crate) fn from_full_method(full_method: &str) -> Option<Rpc> {
        Rpc::ALL
            .iter()
            .copied()
            .find(|r| r.full_method() == full_method)
    }

    /// The method a REST request is routed to: its route, else (a POST to a
    /// path only a GET serves) the GET it falls back to, as grpc-gateway's
    /// path-length fallback does.
    pub(crate) fn from_rest(method: &http::Method, path: &str) -> Option<Rpc> {
        let routed = |want: &http::Method| {
            Rpc::ALL.iter().copied().find(|r| {
                r.spec()
                    .rest
                    .iter()
                    .any(|route| route.method.as_http() == want && route.matches_path(path))
            })
        };
        routed(method)
            .or_else(|| (method == http::Method::POST).then(|| routed(&http::Method::GET))?)
    }

    /// Every service the registry has methods in, in registry order.
    pub(crate) fn services() -> Vec<&'static str> {
        let mut services: Vec<&'static str> = Vec::new();
        for rpc in Rpc::ALL {
            if !services.contains(&rpc.spec().service) {
                services.push(rpc.spec().service);
            }
        }
        services
    }
}

impl std::fmt::Display for Rpc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
#[path = "registry_tests.rs"]
mod tests;
