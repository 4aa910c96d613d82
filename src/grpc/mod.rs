//! The gRPC transport: `litrpc.Autopilot` over tonic. Each handler checks the
//! macaroon, translates the request, calls the domain and translates back.
//! No behaviour lives here.

use std::sync::Arc;

use tonic::metadata::MetadataMap;
use tonic::{Request, Response, Status};

use crate::auth::Authenticator;
use crate::domain::{AutopilotCore, AutopilotError};
use crate::observe::{self, CallObserver, Rpc, Transport};
use crate::proto::litrpc as p;
use crate::proto::litrpc::autopilot_server::{Autopilot, AutopilotServer};
use crate::wire;

pub mod encoded_list;
pub mod standard;

/// Full method names, as litd's permission table keys them.
pub mod methods {
    pub const LIST_FEATURES: &str = "/litrpc.Autopilot/ListAutopilotFeatures";
    pub const ADD_SESSION: &str = "/litrpc.Autopilot/AddAutopilotSession";
    pub const LIST_SESSIONS: &str = "/litrpc.Autopilot/ListAutopilotSessions";
    pub const REVOKE_SESSION: &str = "/litrpc.Autopilot/RevokeAutopilotSession";
}

/// The tonic service.
#[derive(Clone)]
pub struct AutopilotService {
    core: Arc<AutopilotCore>,
    auth: Arc<Authenticator>,
    /// Watches every call (the scenario harness's client mode), if set.
    observer: Option<Arc<dyn CallObserver>>,
    /// Each listed session's encoded record (see `encoded_list`).
    encoded: Arc<encoded_list::EncodedSessions>,
}

impl AutopilotService {
    pub fn new(core: Arc<AutopilotCore>, auth: Arc<Authenticator>) -> Self {
        Self {
            core,
            auth,
            observer: None,
            encoded: encoded_list::new_cache(),
        }
    }

    pub fn with_observer(mut self, observer: Option<Arc<dyn CallObserver>>) -> Self {
        self.observer = observer;
        self
    }

    async fn call<Req, Resp, Fut>(
        &self,
        rpc: Rpc,
        request: Request<Req>,
        run: impl FnOnce(Req) -> Fut,
    ) -> Result<Response<Resp>, Status>
    where
        Req: serde::Serialize,
        Resp: serde::Serialize + serde::de::DeserializeOwned,
        Fut: std::future::Future<Output = Result<Resp, AutopilotError>>,
    {
        let auth = self.authorize(request.metadata(), rpc.full_method());
        let observer = self.observer.as_deref();
        observe::handle(
            observer,
            Transport::Grpc,
            rpc,
            request.into_inner(),
            auth,
            run,
        )
        .await
        .map(Response::new)
        .map_err(status)
    }

    /// The service wrapped for a tonic router, with the message size limit.
    pub fn into_server(self, max_message_bytes: usize) -> AutopilotServer<Self> {
        AutopilotServer::new(self)
            .max_decoding_message_size(max_message_bytes)
            .max_encoding_message_size(usize::MAX)
    }

    fn authorize(&self, metadata: &MetadataMap, method: &str) -> Result<(), String> {
        let values =
            crate::auth::header_texts(metadata.get_all("macaroon").iter().map(|v| v.as_bytes()));
        // litd's readiness check runs before the macaroon's (front door §3.1).
        self.core.readiness(method)?;
        self.auth
            .check(&values, method, self.core.clock().now())
            .map_err(|e| e.message)
    }
}

/// litd runs on grpc-go, which answers a request over the receive limit with
/// `ResourceExhausted` "grpc: received message larger than max (N vs. M)";
/// tonic says `OutOfRange` "Error, decoded message length too large: found N
/// bytes, the limit is: M bytes". tonic answers it before any handler, in a
/// trailers-only response, so its status headers are rewritten here.
pub fn status_as_grpc_go(headers: &mut http::HeaderMap) {
    let Some(status) = Status::from_header_map(headers) else {
        return;
    };
    const TONIC: &str = "Error, decoded message length too large: found ";
    if status.code() != tonic::Code::OutOfRange || !status.message().starts_with(TONIC) {
        return;
    }
    let numbers: Vec<&str> = status.message()[TONIC.len()..]
        .split(|c: char| !c.is_ascii_digit())
        .filter(|n| !n.is_empty())
        .collect();
    let [found, limit] = numbers[..] else {
        return;
    };
    let litd = Status::resource_exhausted(format!(
        "grpc: received message larger than max ({found} vs. {limit})"
    ));
    for name in ["grpc-status", "grpc-message", "grpc-status-details-bin"] {
        headers.remove(name);
    }
    // Only fails for a message that cannot be a header value; this one can.
    let _ = litd.add_header(headers);
}

/// Domain errors keep their code: Unknown for litd's plain errors, the
/// remote code for ListFeatures failures.
pub fn status(e: AutopilotError) -> Status {
    Status::new(tonic::Code::from_i32(e.code as i32), e.message)
}

#[tonic::async_trait]
impl Autopilot for AutopilotService {
    async fn list_autopilot_features(
        &self,
        request: Request<p::ListAutopilotFeaturesRequest>,
    ) -> Result<Response<p::ListAutopilotFeaturesResponse>, Status> {
        self.call(Rpc::ListAutopilotFeatures, request, |_| async {
            Ok(wire::features_out(self.core.list_features().await?))
        })
        .await
    }

    async fn add_autopilot_session(
        &self,
        request: Request<p::AddAutopilotSessionRequest>,
    ) -> Result<Response<p::AddAutopilotSessionResponse>, Status> {
        self.call(Rpc::AddAutopilotSession, request, |req| async {
            let session = self.core.add_session(wire::add_request_in(req)).await?;
            Ok(p::AddAutopilotSessionResponse {
                session: Some(wire::session_out(session)),
            })
        })
        .await
    }

    async fn list_autopilot_sessions(
        &self,
        request: Request<p::ListAutopilotSessionsRequest>,
    ) -> Result<Response<p::ListAutopilotSessionsResponse>, Status> {
        self.call(Rpc::ListAutopilotSessions, request, |_| async {
            let sessions = self.core.list_sessions().await?;
            Ok(p::ListAutopilotSessionsResponse {
                sessions: sessions.into_iter().map(wire::session_out).collect(),
            })
        })
        .await
    }

    async fn revoke_autopilot_session(
        &self,
        request: Request<p::RevokeAutopilotSessionRequest>,
    ) -> Result<Response<p::RevokeAutopilotSessionResponse>, Status> {
        self.call(Rpc::RevokeAutopilotSession, request, |req| async move {
            self.core.revoke_session(&req.local_public_key).await?;
            Ok(p::RevokeAutopilotSessionResponse {})
        })
        .await
    }
}
