//! What litd's status manager knows about its own start-up, shared by
//! `litrpc.Status` (which reports it) and the call path (which refuses calls
//! to a sub-system that is not running, front-door reference §3.1 steps 2-3
//! and §8.1).
//!
//! The mock starts everything it serves at once, so the only thing that can
//! go wrong is litd's own start sequence (`lit`): the autopilot client's
//! Terms/version check (§4.4). Whoever runs that check records its failure
//! here (`AutopilotCore::record_start_failure`); the process
//! stays up, as litd does.

use std::sync::RwLock;

/// Which status entry a litrpc service belongs to (litd's readiness check).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SubSystem {
    /// `litrpc.Status` and `litrpc.Proxy`: never gated.
    Ungated,
    /// `litrpc.Sessions`, `litrpc.Firewall`, `litrpc.Autopilot`.
    Lit,
    /// `litrpc.Accounts`: the mock has no accounts service, so it reports
    /// it disabled, as litd with `accounts.disable`.
    Accounts,
}

impl SubSystem {
    /// The sub-system of a full method name (`/litrpc.Sessions/AddSession`).
    pub(crate) fn of(full_method: &str) -> SubSystem {
        let service = full_method
            .strip_prefix('/')
            .and_then(|m| m.split('/').next())
            .unwrap_or("");
        match service {
            "litrpc.Accounts" => SubSystem::Accounts,
            "litrpc.Sessions" | "litrpc.Firewall" | "litrpc.Autopilot" => SubSystem::Lit,
            _ => SubSystem::Ungated,
        }
    }
}

/// litd's start-up state as the mock has it.
#[derive(Debug, Default)]
pub(crate) struct Readiness {
    /// `Some(text)`: litd's start sequence failed with this error (the whole
    /// text of the `lit` entry's `error`).
    lit_error: RwLock<Option<String>>,
    /// The state the mock's own start left, which a reset returns to.
    at_start: RwLock<Option<String>>,
}

impl Readiness {
    /// Everything started.
    #[cfg(test)]
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// litd's start sequence failed with this whole text (e.g. `could not
    /// start Lit: no autopilot server address specified`).
    pub(crate) fn record_lit_failure(&self, text: impl Into<String>) {
        if let Ok(mut e) = self.lit_error.write() {
            *e = Some(text.into());
        }
    }

    /// Keeps the current state as the start-up one (`serve`'s start).
    pub(crate) fn keep_as_start_up(&self) {
        let now = self.lit_error();
        if let Ok(mut at_start) = self.at_start.write() {
            *at_start = now;
        }
    }

    /// Back to the start-up state (a reset).
    pub(crate) fn back_to_start_up(&self) {
        let at_start = self.at_start.read().ok().and_then(|e| e.clone());
        if let Ok(mut e) = self.lit_error.write() {
            *e = at_start;
        }
    }

    /// Nothing failed (yet): a restart begins so.
    pub(crate) fn clear(&self) {
        if let Ok(mut e) = self.lit_error.write() {
            *e = None;
        }
    }

    /// Why `lit` is not running, if it is not.
    pub(crate) fn lit_error(&self) -> Option<String> {
        self.lit_error.read().ok().and_then(|e| e.clone())
    }

    pub(crate) fn lit_running(&self) -> bool {
        self.lit_error().is_none()
    }

    /// litd's readiness step for a call (§3.1 step 3), which runs after the
    /// permission-table lookup and before any credential is looked at:
    /// `Err` with litd's text when the owning sub-system cannot serve it.
    pub(crate) fn gate(&self, full_method: &str) -> Result<(), String> {
        match SubSystem::of(full_method) {
            SubSystem::Ungated => Ok(()),
            SubSystem::Accounts => Err("accounts has been disabled".to_string()),
            SubSystem::Lit if self.lit_running() => Ok(()),
            SubSystem::Lit => Err(format!("lit is not ready for: {full_method}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fresh_mock_is_ready_for_lit_and_never_for_accounts() {
        let r = Readiness::new();
        assert!(r.lit_running());
        assert_eq!(r.gate("/litrpc.Sessions/ListSessions"), Ok(()));
        assert_eq!(r.gate("/litrpc.Status/SubServerStatus"), Ok(()));
        assert_eq!(
            r.gate("/litrpc.Accounts/ListAccounts"),
            Err("accounts has been disabled".to_string())
        );
    }

    #[test]
    fn a_failed_autopilot_client_stops_lit_but_not_status_or_proxy() {
        let r = Readiness::new();
        r.record_lit_failure(crate::domain::lifecycle::lit_start_error(
            "could not start the autopilot client: lit must be on at least version v9.0.0 to be \
             compatile with the autopilot server",
        ));
        assert_eq!(
            r.lit_error().unwrap(),
            "could not start Lit: could not start litd sub-servers: could not start the autopilot \
             client: lit must be on at least version v9.0.0 to be compatile with the autopilot server"
        );
        for m in [
            "/litrpc.Autopilot/ListAutopilotFeatures",
            "/litrpc.Sessions/AddSession",
            "/litrpc.Firewall/ListActions",
        ] {
            assert_eq!(r.gate(m), Err(format!("lit is not ready for: {m}")));
        }
        assert_eq!(r.gate("/litrpc.Status/SubServerStatus"), Ok(()));
        assert_eq!(r.gate("/litrpc.Proxy/GetInfo"), Ok(()));
    }
}
