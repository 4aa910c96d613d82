//! The gRPC transport: `litrpc.Autopilot` over tonic. Each handler checks the
//! macaroon, translates the request, calls the domain and translates back.
//! No behaviour lives here.

use std::sync::Arc;

use tonic::metadata::MetadataMap;
use tonic::{Request, Response, Status};

use crate::auth::Authenticator;
use crate::domain::{AutopilotCore, AutopilotError};
use crate::proto::litrpc as p;
use crate::proto::litrpc::autopilot_server::{Autopilot, AutopilotServer};
use crate::wire;

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
}

impl AutopilotService {
    pub fn new(core: Arc<AutopilotCore>, auth: Arc<Authenticator>) -> Self {
        Self { core, auth }
    }

    /// The service wrapped for a tonic router, with the message size limit.
    pub fn into_server(self, max_message_bytes: usize) -> AutopilotServer<Self> {
        AutopilotServer::new(self)
            .max_decoding_message_size(max_message_bytes)
            .max_encoding_message_size(usize::MAX)
    }

    fn authorize(&self, metadata: &MetadataMap, method: &str) -> Result<(), Status> {
        let values: Vec<String> = metadata
            .get_all("macaroon")
            .iter()
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
            .collect();
        let values: Vec<&str> = values.iter().map(String::as_str).collect();
        self.auth
            .check(&values, method, self.core.clock().now())
            .map_err(|e| Status::unknown(e.message))
    }
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
        self.authorize(request.metadata(), methods::LIST_FEATURES)?;
        let features = self.core.list_features().await.map_err(status)?;
        Ok(Response::new(wire::features_out(features)))
    }

    async fn add_autopilot_session(
        &self,
        request: Request<p::AddAutopilotSessionRequest>,
    ) -> Result<Response<p::AddAutopilotSessionResponse>, Status> {
        self.authorize(request.metadata(), methods::ADD_SESSION)?;
        let req = wire::add_request_in(request.into_inner());
        let session = self.core.add_session(req).await.map_err(status)?;
        Ok(Response::new(p::AddAutopilotSessionResponse {
            session: Some(wire::session_out(session)),
        }))
    }

    async fn list_autopilot_sessions(
        &self,
        request: Request<p::ListAutopilotSessionsRequest>,
    ) -> Result<Response<p::ListAutopilotSessionsResponse>, Status> {
        self.authorize(request.metadata(), methods::LIST_SESSIONS)?;
        let sessions = self.core.list_sessions().await.map_err(status)?;
        Ok(Response::new(p::ListAutopilotSessionsResponse {
            sessions: sessions.into_iter().map(wire::session_out).collect(),
        }))
    }

    async fn revoke_autopilot_session(
        &self,
        request: Request<p::RevokeAutopilotSessionRequest>,
    ) -> Result<Response<p::RevokeAutopilotSessionResponse>, Status> {
        self.authorize(request.metadata(), methods::REVOKE_SESSION)?;
        let key = request.into_inner().local_public_key;
        self.core.revoke_session(&key).await.map_err(status)?;
        Ok(Response::new(p::RevokeAutopilotSessionResponse {}))
    }
}
