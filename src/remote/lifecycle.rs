//! litd's autopilot client start and its background loop, around the
//! domain's lifecycle state (`domain::lifecycle`; front door §8): the Terms
//! check (a failure leaves litd up but not ready), the start-up activation
//! of stored sessions with litd's 15 s timeout, and a driver that runs the
//! clock's due work (expiry of resumed sessions, ping-loop ticks) as real
//! time passes or as soon as the clock is moved.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::domain::lifecycle::is_rejection;
use crate::domain::AutopilotCore;

/// litd's `defaultConnectTimeout` for a start-up ActivateSession.
pub(crate) const ACTIVATE_TIMEOUT: Duration = Duration::from_secs(15);

/// How often the driver looks at the clock when nobody moves it.
const POLL: Duration = Duration::from_secs(1);

/// What starting litd's autopilot client did, for the start-up log.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClientStart {
    /// The Status `lit` error when the Terms check failed (litd stays up).
    pub failed: Option<String>,
    /// Stored sessions activated at start-up (successfully or not).
    pub activated: usize,
    /// Of those, rejected permanently and so revoked.
    pub rejected: usize,
}

/// Starts litd's autopilot client over `core`'s remote: the Terms check,
/// then (when it passed) the ping loop and the start-up activation of every
/// unexpired stored session, one after the other as litd does.
pub(crate) async fn start_client(core: &AutopilotCore) -> ClientStart {
    let mut report = ClientStart::default();
    // With autopilot disabled litd creates no client: no Terms, nothing
    // resumed, no pings (front door §8.6).
    if !core.config().autopilot_enabled {
        return report;
    }
    if let Err(client_error) =
        super::check_terms(core.remote().as_ref(), core.config().lit_version).await
    {
        core.record_start_failure(&client_error);
        report.failed = core.lit_error();
        tracing::error!(
            error = report.failed.as_deref().unwrap_or_default(),
            "lit did not start; serving, its services answer \"lit is not ready\""
        );
        return report;
    }
    core.start_ping_loop(core.config().ping_cadence);
    for key in core.sessions_to_activate() {
        report.activated += 1;
        let call = core.remote().activate_session(key.to_vec());
        match tokio::time::timeout(ACTIVATE_TIMEOUT, call).await {
            Ok(Ok(_)) => {}
            Ok(Err(e)) if is_rejection(&e.message) => {
                tracing::info!(error = %e, "stored session rejected by the autopilot server: revoked");
                core.revoke_rejected(&key);
                report.rejected += 1;
            }
            Ok(Err(e)) => {
                tracing::warn!(error = %e, "start-up ActivateSession failed; session resumed anyway")
            }
            Err(_) => tracing::warn!(
                "start-up ActivateSession timed out after 15 s; session resumed anyway"
            ),
        }
    }
    report
}

/// Runs `core`'s due work every second (`POLL`) and whenever the clock is moved,
/// until `shutdown` turns true. A pass blocked on a remote that hangs is
/// dropped at shutdown.
pub(crate) fn spawn_driver(
    core: Arc<AutopilotCore>,
    mut shutdown: watch::Receiver<bool>,
) -> JoinHandle<()> {
    let moved = Arc::new(tokio::sync::Notify::new());
    let wake = moved.clone();
    core.set_clock_listener(Some(Arc::new(move || wake.notify_one())));
    tokio::spawn(async move {
        loop {
            tokio::select! {
                _ = shutdown.changed() => break,
                _ = moved.notified() => {}
                _ = tokio::time::sleep(POLL) => {}
            }
            tokio::select! {
                _ = shutdown.changed() => break,
                _ = core.run_due() => {}
            }
        }
        core.set_clock_listener(None);
    })
}
