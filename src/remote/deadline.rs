//! litd's timeout on the remote RevokeSession it makes when a session
//! expires: the call gets 15 s (a context derived from the resume context
//! with `defaultConnectTimeout`, front door §8.5), then litd goes on. The
//! core calls the remote through this wrapper on its expiry path only
//! (`AutopilotCore::with_expiry_remote`); a client's own revoke has no such
//! timeout in litd, nor here.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use crate::domain::remote::{
    BoxFuture, Registration, RemoteAutopilot, RemoteError, RemoteFeature, RemoteKey, Version,
};
use crate::domain::Code;

/// litd's `defaultConnectTimeout`.
pub(crate) const EXPIRY_REVOKE_TIMEOUT: Duration = Duration::from_secs(15);

/// `inner` with a deadline on RevokeSession.
pub(crate) struct RevokeDeadline {
    inner: Arc<dyn RemoteAutopilot>,
    timeout: Duration,
}

impl RevokeDeadline {
    pub(crate) fn new(inner: Arc<dyn RemoteAutopilot>, timeout: Duration) -> Self {
        Self { inner, timeout }
    }
}

impl RemoteAutopilot for RevokeDeadline {
    fn terms(&self) -> BoxFuture<'_, Result<Version, RemoteError>> {
        self.inner.terms()
    }

    fn list_features(&self) -> BoxFuture<'_, Result<BTreeMap<String, RemoteFeature>, RemoteError>> {
        self.inner.list_features()
    }

    fn register_session(
        &self,
        registration: Registration,
    ) -> BoxFuture<'_, Result<RemoteKey, RemoteError>> {
        self.inner.register_session(registration)
    }

    fn activate_session(
        &self,
        responder_pub_key: Vec<u8>,
    ) -> BoxFuture<'_, Result<Vec<u8>, RemoteError>> {
        self.inner.activate_session(responder_pub_key)
    }

    fn revoke_session(&self, responder_pub_key: Vec<u8>) -> BoxFuture<'_, Result<(), RemoteError>> {
        Box::pin(async move {
            let call = self.inner.revoke_session(responder_pub_key);
            match tokio::time::timeout(self.timeout, call).await {
                Ok(result) => result,
                // grpc-go's text for a context past its deadline.
                Err(_) => Err(RemoteError::new(
                    Code::DeadlineExceeded,
                    "context deadline exceeded",
                )),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::clock::{Clock, ManualClock};
    use crate::domain::{AddSessionRequest, AutopilotCore, FeatureRequest, SessionState};
    use crate::stub::{Rpc, Script, Stub};

    const T0: u64 = 1_893_456_000;

    /// A stub script whose RevokeSession never answers.
    fn hanging_revoke() -> Script {
        Script::parse(
            r#"{"responses":{"RevokeSession":[{"reply":"hang"}]}}"#,
            "test",
        )
        .expect("script")
    }

    /// A session resumed at start-up expires while the remote hangs on
    /// RevokeSession: the expiry pass gives up after litd's 15 s (virtual
    /// time here) and the session is revoked all the same.
    #[tokio::test(start_paused = true)]
    async fn an_expiry_revoke_that_hangs_is_given_up_after_15_s() {
        let script = hanging_revoke();
        let clock = Arc::new(ManualClock::at_unix(T0));
        let stub = Stub::new(script, clock.clone());
        let remote: Arc<dyn RemoteAutopilot> = Arc::new(stub.clone());
        let core = AutopilotCore::new(remote.clone(), clock.clone())
            .with_expiry_remote(Arc::new(RevokeDeadline::new(remote, EXPIRY_REVOKE_TIMEOUT)));
        let mut features = BTreeMap::new();
        features.insert("HealthCheck".to_string(), FeatureRequest::default());
        let request = AddSessionRequest {
            expiry_timestamp_seconds: T0 + 60,
            mailbox_server_addr: "mailbox.example:443".into(),
            features,
            ..Default::default()
        };
        core.add_session(request).await.expect("add");
        let (snapshot, _) = core.snapshot();
        core.restore(snapshot, clock.now());
        clock.advance(Duration::from_secs(61));

        let started = tokio::time::Instant::now();
        core.run_due().await;
        assert_eq!(started.elapsed(), EXPIRY_REVOKE_TIMEOUT);
        let listed = core.list_sessions().await.expect("list");
        assert_eq!(listed[0].state, SessionState::Revoked);
        assert_eq!(stub.calls(Rpc::RevokeSession).len(), 1);
    }

    #[tokio::test(start_paused = true)]
    async fn the_deadline_reads_as_grpc_gos_and_other_calls_pass_through() {
        let script = hanging_revoke();
        let stub = Stub::new(script, Arc::new(ManualClock::at_unix(T0)));
        let deadline = RevokeDeadline::new(Arc::new(stub.clone()), EXPIRY_REVOKE_TIMEOUT);
        let err = deadline
            .revoke_session(vec![2; 33])
            .await
            .expect_err("given up");
        assert_eq!(err.code, Code::DeadlineExceeded);
        assert_eq!(err.message, "context deadline exceeded");
        let features = deadline.list_features().await.expect("features");
        assert!(features.contains_key("HealthCheck"));
    }
}
