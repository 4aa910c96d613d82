//! The RPC layer every entry point shares: the registry of litd methods
//! (`registry`: names, permissions, REST routes, types, domain call) and
//! the one dispatcher (`dispatch.rs`) each entry point calls after decoding.
//!
//! An entry point (gRPC, REST, later grpc-web) does only its wire work:
//!
//! ```text
//! decode the request (C::Request)          -> on failure: dispatcher.undecodable(..)
//! credentials = Credentials::from_headers(headers, "macaroon")
//! dispatcher.dispatch::<C>(transport, &credentials, request).await
//!     -> Ok(C::Reply): encode it (prost, or reply.litd_json_text())
//!     -> Err(CallError): its code and text in the transport's error form
//! ```
//!
//! Routing visits the registry (`registry::visit_all`) and mounts one
//! typed handler per method, so no entry point names a method.

pub(crate) mod dispatch;
pub mod journal;
pub(crate) mod observer;
pub(crate) mod registry;
pub(crate) mod spec;

pub(crate) use dispatch::{Backend, CallError, Credentials, Dispatcher};
pub use journal::{AuthOutcome, CredentialKind, ReceivedCall, RequestFilter, RequestJournal};
pub(crate) use observer::{CallObserver, ObservedCall, Scripted};
pub(crate) use registry::visit_all;
pub use registry::Rpc;
pub use spec::{Call, Reply, VisitCalls};
pub(crate) use spec::{Op, RestBody};

/// The transport a call came over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Transport {
    /// gRPC over HTTP/2 (`grpc` in the journal).
    Grpc,
    /// litd's REST gateway, JSON over HTTP (`rest`).
    Rest,
    /// grpc-web (binary or text) on the same port (`grpc-web`).
    #[serde(rename = "grpc-web")]
    GrpcWeb,
}

impl Transport {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Transport::Grpc => "grpc",
            Transport::Rest => "rest",
            Transport::GrpcWeb => "grpc-web",
        }
    }
}

impl std::fmt::Display for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
