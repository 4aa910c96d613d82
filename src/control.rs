//! What "reset" means for a running mock, in one place for every control
//! surface: the admin API's `POST reset` (and so `check`'s known state, the
//! console and the language packages) and [`crate::MockServer::reset_sessions`].

use crate::domain::AutopilotCore;
use crate::stub::Stub;

/// Back to a fresh mock, clock and received-calls journal aside: no
/// sessions, privacy maps or firewall actions, no pings; the in-process
/// stub's clients and journal forgotten and the script the mock started
/// with restored (not one set since). The clock keeps its time (sessions are
/// gone, so nothing depends on it) and the journal of received calls keeps
/// what clients sent (`DELETE requests` empties it).
pub(crate) fn reset_mock(core: &AutopilotCore, stub: Option<&Stub>) {
    core.reset();
    if let Some(stub) = stub {
        stub.reset();
    }
}
