//! The one call path: every entry point decodes its request, then calls
//! [`Dispatcher::dispatch`], which checks the credentials, lets the
//! observer (if any) watch or answer, and runs the method's domain call.
//! The admin API checks its credentials through [`Dispatcher::admit`], the
//! same check.

use std::sync::Arc;

use super::journal::{Arrival, AuthOutcome, CredentialKind, RequestJournal};
use super::observer::{CallObserver, ObservedCall, Scripted};
use super::spec::{Call, Op, Reply};
use super::{Rpc, Transport};
use crate::auth::ui_password::BasicAuth;
use crate::auth::{AuthError, Authenticator};
use crate::domain::{AutopilotCore, AutopilotError, Code};
use crate::wire::session_list::SessionListCache;

/// The service `--autopilot-disabled` unregisters.
const AUTOPILOT_SERVICE: &str = "litrpc.Autopilot";

/// What the registry's domain calls run against.
pub struct Backend {
    pub(crate) core: Arc<AutopilotCore>,
    /// `ListAutopilotSessions`' kept wire forms, one cache for all transports.
    pub(crate) session_list: SessionListCache,
    /// Bakes `Proxy.BakeSuperMacaroon`'s macaroons (and checks every call).
    pub(crate) auth: Arc<Authenticator>,
}

/// The credential headers of one call, as received: every `macaroon`
/// value's bytes (never re-encoded: litd reports a bad byte as it came),
/// and the first `authorization` value (litd's UI password, checked by the
/// grpc-web entry point's caller once it exists).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Credentials<'a> {
    pub(crate) macaroons: Vec<&'a [u8]>,
    pub(crate) authorization: Option<&'a [u8]>,
}

impl<'a> Credentials<'a> {
    /// From HTTP headers; `macaroon_header` is `macaroon` (gRPC metadata)
    /// or `grpc-metadata-macaroon` (REST, where grpc-gateway strips the
    /// prefix to make it the same metadata key).
    pub(crate) fn from_headers(headers: &'a http::HeaderMap, macaroon_header: &str) -> Self {
        Self {
            macaroons: headers
                .get_all(macaroon_header)
                .iter()
                .map(|v| v.as_bytes())
                .collect(),
            authorization: headers
                .get(http::header::AUTHORIZATION)
                .map(|v| v.as_bytes()),
        }
    }

    /// What the call presented: a macaroon if any `macaroon` value came,
    /// else the UI password if an `authorization` value came, else none.
    pub(crate) fn kind(&self) -> CredentialKind {
        if !self.macaroons.is_empty() {
            CredentialKind::Macaroon
        } else if self.authorization.is_some() {
            CredentialKind::UiPassword
        } else {
            CredentialKind::None
        }
    }
}

/// Why a dispatched call failed: the credential check (litd answers it as
/// code Unknown with lnd's text) or the domain (its code and text).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum CallError {
    #[error("{0}")]
    Auth(AuthError),
    #[error("{0}")]
    Domain(AutopilotError),
}

impl CallError {
    pub(crate) fn code(&self) -> Code {
        match self {
            CallError::Auth(_) => Code::Unknown,
            CallError::Domain(e) => e.code,
        }
    }

    pub(crate) fn message(&self) -> &str {
        match self {
            CallError::Auth(e) => &e.message,
            CallError::Domain(e) => &e.message,
        }
    }
}

impl From<CallError> for AutopilotError {
    fn from(e: CallError) -> Self {
        match e {
            CallError::Auth(e) => AutopilotError::unknown(e.message),
            CallError::Domain(e) => e,
        }
    }
}

/// The dispatcher every entry point shares (one per server).
pub(crate) struct Dispatcher {
    backend: Backend,
    auth: Arc<Authenticator>,
    observer: Option<Arc<dyn CallObserver>>,
    journal: Arc<RequestJournal>,
    /// litd's UI password (off unless configured).
    basic: BasicAuth,
}

impl Dispatcher {
    pub(crate) fn new(
        core: Arc<AutopilotCore>,
        auth: Arc<Authenticator>,
        observer: Option<Arc<dyn CallObserver>>,
        journal: Arc<RequestJournal>,
    ) -> Self {
        Self {
            backend: Backend {
                core,
                session_list: SessionListCache::default(),
                auth: auth.clone(),
            },
            auth,
            observer,
            journal,
            basic: BasicAuth::off(),
        }
    }

    /// The journal of received calls.
    pub(crate) fn journal(&self) -> &Arc<RequestJournal> {
        &self.journal
    }

    fn arrival(&self, rpc: Rpc, transport: Transport, credentials: &Credentials<'_>) -> Arrival {
        Arrival {
            at: self.backend.core.clock().now(),
            started: std::time::Instant::now(),
            rpc,
            transport,
            credential: credentials.kind(),
        }
    }

    /// With litd's UI password (`authorization: Basic ...`, §3.3).
    pub(crate) fn with_basic_auth(mut self, basic: BasicAuth) -> Self {
        self.basic = basic;
        self
    }

    pub(crate) fn core(&self) -> &Arc<AutopilotCore> {
        &self.backend.core
    }

    pub(crate) fn observer(&self) -> Option<&Arc<dyn CallObserver>> {
        self.observer.as_ref()
    }

    /// The credential check, at the mock clock's now, in litd's order
    /// (front-door §3.1 steps 4-9): the UI password first (a matching
    /// `authorization` stands for lit.macaroon, whatever macaroons were
    /// sent), then nothing when `required` is empty (a method litd serves
    /// without a macaroon), else exactly one macaroon allowing every op of
    /// `required` (or `uri:<uri>`). The admin API calls it with its own ops
    /// and paths.
    pub(crate) fn admit(
        &self,
        credentials: &Credentials<'_>,
        required: &[Op],
        uri: &str,
    ) -> Result<(), AuthError> {
        // The conversion cannot fail in the mock (lit.macaroon is kept in
        // memory), so for a whitelisted method it changes nothing.
        let substituted = self.basic.substitute(credentials.authorization);
        if required.is_empty() {
            return Ok(());
        }
        let now = self.backend.core.clock().now();
        match substituted {
            Some(lit) => self.auth.check_ops(&[lit], required, uri, now),
            None => self
                .auth
                .check_ops(&credentials.macaroons, required, uri, now),
        }
    }

    /// litd's readiness step (§3.1 step 3), before any credential: a
    /// sub-system that is not running refuses its calls.
    fn ready(&self, full_method: &str) -> Result<(), AuthError> {
        self.backend
            .core
            .readiness()
            .gate(full_method)
            .map_err(|message| AuthError { message })
    }

    /// Runs one decoded call (litd decodes before it authenticates): the
    /// credential check, the observer's look (it may answer instead), then
    /// the method's domain call; the call is journaled.
    pub(crate) async fn dispatch<C: Call>(
        &self,
        transport: Transport,
        credentials: &Credentials<'_>,
        request: C::Request,
    ) -> Result<C::Reply, CallError> {
        let arrival = self.arrival(C::RPC, transport, credentials);
        let spec = C::RPC.spec();
        let auth = self
            .ready(spec.full_method)
            .and_then(|()| self.admit(credentials, spec.permissions, spec.full_method));
        let kept_request = Arc::new(request.clone());
        let auth_outcome = match &auth {
            Ok(()) => AuthOutcome::Ok,
            Err(e) => AuthOutcome::Refused(e.message.clone()),
        };
        let result = match self.observer.as_deref() {
            None => match auth {
                Err(e) => Err(CallError::Auth(e)),
                Ok(()) => self.run::<C>(request).await,
            },
            Some(observer) => self.observed::<C>(observer, transport, auth, request).await,
        };
        let outcome = match &result {
            Ok(reply) => Ok(Arc::new(reply.clone())),
            Err(e) => Err((e.code(), e.message().to_string())),
        };
        self.journal
            .record(arrival, auth_outcome, kept_request, outcome);
        result
    }

    /// A call with an observer: it sees the call first and may answer.
    async fn observed<C: Call>(
        &self,
        observer: &dyn CallObserver,
        transport: Transport,
        auth: Result<(), AuthError>,
        request: C::Request,
    ) -> Result<C::Reply, CallError> {
        let spec = C::RPC.spec();
        let call = ObservedCall {
            transport,
            rpc: C::RPC,
            request: crate::wire::litd_json::to_litd_json(&(spec.request_message)(), &request),
            auth: auth.clone(),
        };
        let result = match observer.before(&call) {
            Some(Scripted::Error { code, message }) => {
                Err(CallError::Domain(AutopilotError::with_code(code, message)))
            }
            Some(Scripted::Response(v)) => C::Reply::from_proto_json(v).map_err(|e| {
                CallError::Domain(AutopilotError::with_code(
                    Code::Internal,
                    format!(
                        "the scenario's scripted {} response does not decode: {e}",
                        spec.name
                    ),
                ))
            }),
            None => match auth {
                Err(e) => Err(CallError::Auth(e)),
                Ok(()) => self.run::<C>(request).await,
            },
        };
        let seen = result
            .as_ref()
            .map(Reply::to_litd_json)
            .map_err(|e| AutopilotError::from(e.clone()));
        observer.after(&call, &seen);
        result
    }

    /// The method's domain call, once authorised. With autopilot disabled
    /// (litd's `autopilot.disable`) litrpc.Autopilot is not registered:
    /// litd's interceptors still run (they know the methods), then lnd, which
    /// has no such service, answers grpc-go's Unimplemented (§8.6).
    async fn run<C: Call>(&self, request: C::Request) -> Result<C::Reply, CallError> {
        let service = C::RPC.spec().service;
        if service == AUTOPILOT_SERVICE && !self.backend.core.autopilot_enabled() {
            return Err(CallError::Domain(AutopilotError::with_code(
                Code::Unimplemented,
                format!("unknown service {service}"),
            )));
        }
        C::run(&self.backend, request)
            .await
            .map_err(CallError::Domain)
    }

    /// A request the entry point could not decode (a REST body or path
    /// parameter): journaled and shown to the observer with its error,
    /// which comes back for the entry point to answer with.
    pub(crate) fn undecodable(
        &self,
        transport: Transport,
        rpc: Rpc,
        credentials: &Credentials<'_>,
        code: Code,
        message: impl Into<String>,
    ) -> AutopilotError {
        let error = AutopilotError::with_code(code, message);
        let arrival = self.arrival(rpc, transport, credentials);
        self.journal
            .record_undecodable(arrival, code, error.message.clone());
        if let Some(observer) = &self.observer {
            observer.malformed(transport, rpc, &error.message);
        }
        error
    }
}
