//! `litrpc.Proxy` as far as it is litd's behaviour rather than transport
//! (litd-front-door.md §7): the version GetInfo reports, StopDaemon's
//! request to shut down, and what BakeSuperMacaroon bakes. The macaroon
//! itself is baked by `crate::auth`, which also checks it on later calls.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use super::permissions;
use super::service::AutopilotCore;

/// litd's version string at the reference commit (`version.go`: 0.17.2 with
/// the pre-release tag `alpha`).
pub(crate) const LIT_VERSION: &str = "0.17.2-alpha";

/// `GetInfoResponse`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ProxyInfo {
    pub(crate) version: String,
    /// Set by litd's release builds through ldflags; empty in a plain
    /// `go build`, as here.
    pub(crate) commit_hash: String,
}

/// What `BakeSuperMacaroon` asks lnd to bake (§7.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SuperMacaroonRecipe {
    pub(crate) root_key_id_suffix: u32,
    /// entity -> actions, sorted.
    pub(crate) ops: Vec<(&'static str, Vec<&'static str>)>,
}

/// A function told once that a stop was requested.
pub(crate) type StopListener = Arc<dyn Fn() + Send + Sync>;

/// StopDaemon's request: a flag and one listener (the server, which then
/// shuts down gracefully after the reply). Plain std, as the change feed.
#[derive(Default)]
pub(crate) struct StopRequest {
    requested: AtomicBool,
    listener: Mutex<Option<StopListener>>,
}

impl StopRequest {
    pub(crate) fn is_requested(&self) -> bool {
        self.requested.load(Ordering::SeqCst)
    }

    /// Sets the listener; told at once if a stop was already requested.
    pub(crate) fn set_listener(&self, listener: Option<StopListener>) {
        let mut slot = self.listener.lock().unwrap_or_else(|e| e.into_inner());
        *slot = listener.clone();
        drop(slot);
        if let (true, Some(listener)) = (self.is_requested(), listener) {
            listener();
        }
    }

    fn request(&self) {
        self.requested.store(true, Ordering::SeqCst);
        let listener = self
            .listener
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        if let Some(listener) = listener {
            listener();
        }
    }
}

impl std::fmt::Debug for StopRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StopRequest")
            .field("requested", &self.is_requested())
            .finish_non_exhaustive()
    }
}

impl AutopilotCore {
    /// `Proxy.GetInfo`.
    pub(crate) async fn proxy_info(&self) -> ProxyInfo {
        ProxyInfo {
            version: LIT_VERSION.to_string(),
            commit_hash: String::new(),
        }
    }

    /// `Proxy.StopDaemon`: litd requests a graceful shutdown and replies;
    /// the listener (the server) does the shutting down.
    pub(crate) async fn stop_daemon(&self) {
        self.stop.request();
    }

    /// StopDaemon's flag and listener.
    pub(crate) fn stop_request(&self) -> &StopRequest {
        &self.stop
    }

    /// `Proxy.BakeSuperMacaroon`: root-key ID `FFEEDDCC || suffix`, every
    /// permission of the active set (or its `read` ones), no caveats.
    pub(crate) async fn super_macaroon_recipe(
        &self,
        root_key_id_suffix: u32,
        read_only: bool,
    ) -> SuperMacaroonRecipe {
        SuperMacaroonRecipe {
            root_key_id_suffix,
            ops: permissions::super_macaroon_ops(read_only),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stop_reaches_a_listener_set_before_or_after() {
        let stop = StopRequest::default();
        let told = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&told);
        stop.set_listener(Some(Arc::new(move || flag.store(true, Ordering::SeqCst))));
        assert!(!told.load(Ordering::SeqCst));
        stop.request();
        assert!(stop.is_requested() && told.load(Ordering::SeqCst));

        let late = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&late);
        stop.set_listener(Some(Arc::new(move || flag.store(true, Ordering::SeqCst))));
        assert!(late.load(Ordering::SeqCst), "told at once");
    }
}
