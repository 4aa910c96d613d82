//! A hook on every `litrpc.Autopilot` call, shared by both transports: the
//! scenario harness's client mode watches what a client sends and may answer
//! in the domain's place. Without an observer, a call is just: auth, then
//! the domain.

use std::future::Future;

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

use crate::domain::{AutopilotError, Code};
use crate::rest::json::to_litd_json;

/// The transport a call came over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Transport {
    Grpc,
    Rest,
}

impl Transport {
    pub fn as_str(self) -> &'static str {
        match self {
            Transport::Grpc => "grpc",
            Transport::Rest => "rest",
        }
    }
}

impl std::fmt::Display for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The four RPCs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Deserialize, serde::Serialize)]
pub enum Rpc {
    ListAutopilotFeatures,
    AddAutopilotSession,
    ListAutopilotSessions,
    RevokeAutopilotSession,
}

impl Rpc {
    pub fn full_method(self) -> &'static str {
        match self {
            Rpc::ListAutopilotFeatures => "/litrpc.Autopilot/ListAutopilotFeatures",
            Rpc::AddAutopilotSession => "/litrpc.Autopilot/AddAutopilotSession",
            Rpc::ListAutopilotSessions => "/litrpc.Autopilot/ListAutopilotSessions",
            Rpc::RevokeAutopilotSession => "/litrpc.Autopilot/RevokeAutopilotSession",
        }
    }

    pub fn name(self) -> &'static str {
        self.full_method().trim_start_matches("/litrpc.Autopilot/")
    }

    fn request_type(self) -> String {
        format!("litrpc.{}Request", self.name())
    }

    fn response_type(self) -> String {
        format!("litrpc.{}Response", self.name())
    }
}

/// A call as an observer sees it.
#[derive(Debug, Clone)]
pub struct ObservedCall {
    pub transport: Transport,
    pub rpc: Rpc,
    /// The request in litd's REST JSON form (every field present).
    pub request: Value,
    /// The macaroon check's result.
    pub auth: Result<(), String>,
}

/// An answer an observer gives instead of the domain.
#[derive(Debug, Clone, PartialEq)]
pub enum Scripted {
    Error {
        code: Code,
        message: String,
    },
    /// A response as proto3 JSON.
    Response(Value),
}

/// Watches every call; may answer in the domain's place.
pub trait CallObserver: Send + Sync + 'static {
    /// Before the call runs. `Some` answers the call instead of the domain.
    fn before(&self, call: &ObservedCall) -> Option<Scripted>;

    /// After the call, with the response (litd JSON) or the error.
    fn after(&self, call: &ObservedCall, result: &Result<Value, AutopilotError>);

    /// A request that could not be decoded (REST body or path parameter).
    fn malformed(&self, transport: Transport, rpc: Rpc, error: &str);

    /// What the observer has concluded so far, for the admin API.
    fn report(&self) -> Option<Value> {
        None
    }
}

/// Runs one call: the macaroon check, then `run` (the domain), with the
/// observer (if any) watching and possibly answering instead.
pub async fn handle<Req, Resp, Fut>(
    observer: Option<&dyn CallObserver>,
    transport: Transport,
    rpc: Rpc,
    request: Req,
    auth: Result<(), String>,
    run: impl FnOnce(Req) -> Fut,
) -> Result<Resp, AutopilotError>
where
    Req: Serialize,
    Resp: Serialize + DeserializeOwned,
    Fut: Future<Output = Result<Resp, AutopilotError>>,
{
    let Some(observer) = observer else {
        auth.map_err(AutopilotError::unknown)?;
        return run(request).await;
    };
    let call = ObservedCall {
        transport,
        rpc,
        request: to_litd_json(&rpc.request_type(), &request),
        auth: auth.clone(),
    };
    let result = match observer.before(&call) {
        Some(Scripted::Error { code, message }) => Err(AutopilotError::with_code(code, message)),
        Some(Scripted::Response(v)) => serde_json::from_value::<Resp>(v).map_err(|e| {
            AutopilotError::with_code(
                Code::Internal,
                format!(
                    "the scenario's scripted {} response does not decode: {e}",
                    rpc.name()
                ),
            )
        }),
        None => match auth {
            Err(message) => Err(AutopilotError::unknown(message)),
            Ok(()) => run(request).await,
        },
    };
    let seen = result
        .as_ref()
        .map(|r| to_litd_json(&rpc.response_type(), r))
        .map_err(Clone::clone);
    observer.after(&call, &seen);
    result
}
