//! The optional hook inside the dispatcher: the scenario harness's client
//! mode watches what a client sends and may answer in the domain's place.
//! Without an observer, a call is just: auth, then the domain.

use serde_json::Value;

use super::{Rpc, Transport};
use crate::auth::AuthError;
use crate::domain::{AutopilotError, Code};

/// A call as an observer sees it.
#[derive(Debug, Clone)]
pub struct ObservedCall {
    pub(crate) transport: Transport,
    pub(crate) rpc: Rpc,
    /// The request in litd's REST JSON form (every field present).
    pub(crate) request: Value,
    /// The credential check's result.
    pub(crate) auth: Result<(), AuthError>,
}

/// An answer an observer gives instead of the domain.
#[derive(Debug, Clone, PartialEq)]
pub enum Scripted {
    /// Fail the call with this code and text.
    Error {
        /// The status code.
        code: Code,
        /// The error text, sent as given.
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
