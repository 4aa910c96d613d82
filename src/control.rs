//! What "reset" and "restart" mean for a running mock, in one place for
//! every control surface: the admin API's `POST reset` and `POST restart`
//! (and so `check`, scenarios, the console and the language packages) and
//! [`crate::MockServer`]'s `reset_sessions` and `restart`.

use serde_json::{json, Value};

use crate::domain::AutopilotCore;
use crate::stub::Stub;

/// Back to a fresh mock, clock and received-calls journal aside: no
/// sessions, privacy maps or firewall actions, no pings; the in-process
/// stub's clients and journal forgotten and the script the mock started
/// with restored (not one set since); litd's start-up state as the mock's
/// start left it (undoing a restart's failed Terms check). The clock keeps its time (sessions are
/// gone, so nothing depends on it) and the journal of received calls keeps
/// what clients sent (`DELETE requests` empties it).
pub(crate) fn reset_mock(core: &AutopilotCore, stub: Option<&Stub>) {
    core.reset();
    if let Some(stub) = stub {
        stub.reset();
    }
    core.back_to_start_up();
}

/// litd stopped and started again over the same store, with the remote
/// server as it is now (the stub's current script): sessions read back as
/// litd reads its database (RESERVED rows dropped, live autopilot sessions
/// resumed, so they are revoked at their expiry and the remote is told),
/// the action log kept, then the autopilot client's start: the Terms check
/// (a failure leaves lit not ready, front door §8.1), the start-up
/// ActivateSession of each resumed session and the ping loop. What it did,
/// as JSON.
pub(crate) async fn restart_mock(core: &AutopilotCore) -> Value {
    let restored = core.restart_store();
    let client = crate::remote::lifecycle::start_client(core).await;
    json!({
        "restored": restored.restored,
        "reserved_dropped": restored.reserved_dropped,
        "expired_while_down": restored.expired_while_down,
        "activated": client.activated,
        "rejected": client.rejected,
        "lit_error": client.failed,
    })
}
