//! The whole mock inside a Rust test, the way the wiremock crate works: start
//! it on an ephemeral port, point a client at it, inspect and steer it, and
//! let it stop when it goes out of scope.
//!
//! ```
//! use autopilot_mock::proto::litrpc::ListAutopilotFeaturesRequest;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let server = autopilot_mock::MockServer::start().await;
//! let mut client = server.client().await.unwrap();
//! let features = client
//!     .list_autopilot_features(ListAutopilotFeaturesRequest {})
//!     .await
//!     .unwrap()
//!     .into_inner()
//!     .features;
//! assert!(features.contains_key("HealthCheck"));
//! # }
//! ```
//!
//! Everything a non-Rust client needs is there too: [`MockServer::addr`],
//! [`MockServer::tls_cert_pem`] (or the file, [`MockServer::tls_cert_path`])
//! and [`MockServer::macaroon_hex`].

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use tonic::transport::Channel;

mod builder;
pub use builder::MockServerBuilder;

use crate::client::{self, AuthedAutopilotClient, ConnectError, MacaroonInterceptor};
use crate::domain::clock::{unix_nanos, Clock};
use crate::domain::AutopilotCore;
use crate::proto::litrpc::autopilot_client::AutopilotClient;
use crate::remote::catalogue::CatalogueError;
use crate::remote::InProcessRemote;
use crate::server::{RunningServer, StartError};
use crate::stub::{JournalEntry, Stub};

/// Why a [`MockServer`] could not start or connect.
#[derive(Debug, thiserror::Error)]
pub enum MockServerError {
    /// No temporary directory could be made for the lit dir.
    #[error("cannot create a temporary lit dir: {0}")]
    TempDir(std::io::Error),
    /// The feature catalogue given to the builder is not valid.
    #[error("feature catalogue: {0}")]
    Catalogue(#[from] CatalogueError),
    /// The server did not start (lit dir, TLS, bind, state file).
    #[error("{0}")]
    Start(#[from] StartError),
    /// `lit.macaroon` could not be read back after start.
    #[error("cannot read the macaroon {path}: {source}")]
    Macaroon {
        /// The macaroon file.
        path: PathBuf,
        /// The operating system's reason.
        source: std::io::Error,
    },
    /// A client could not connect to the started server.
    #[error("{0}")]
    Connect(#[from] ConnectError),
}

/// A running mock. Dropping it stops the server (in the background) and
/// removes its temporary lit dir; [`MockServer::shutdown`] waits instead.
pub struct MockServer {
    addr: SocketAddr,
    lit_dir: PathBuf,
    tls_cert_path: PathBuf,
    macaroon_path: PathBuf,
    tls_cert_pem: String,
    macaroon: Vec<u8>,
    core: Arc<AutopilotCore>,
    in_process_remote: Option<InProcessRemote>,
    stub: Option<Stub>,
    requests: Arc<crate::rpc::RequestJournal>,
    clock: Arc<dyn Clock>,
    /// `None` only after `shutdown` took it.
    running: Option<RunningServer>,
    /// Declared last: removed after the server was told to stop.
    _temp_dir: Option<tempfile::TempDir>,
}

impl MockServer {
    /// Starts a mock with every default on `127.0.0.1:<free port>`.
    ///
    /// # Panics
    /// If it cannot start; see [`MockServerBuilder::try_start`].
    pub async fn start() -> MockServer {
        Self::builder().start().await
    }

    /// A builder for a complete [`crate::server::ServerConfig`] (the CLI's).
    pub fn from_config(config: crate::server::ServerConfig) -> MockServerBuilder {
        MockServerBuilder::from_config(config)
    }

    /// The JSON ready line `autopilot-mock serve` prints.
    pub fn ready_line(&self) -> serde_json::Value {
        self.running
            .as_ref()
            .map(|r| r.ready_line())
            .unwrap_or(serde_json::Value::Null)
    }

    /// Resolves once `Proxy.StopDaemon` (or a shutdown) was asked for; the
    /// caller then calls [`Self::shutdown`].
    pub fn stop_requested(&self) -> impl std::future::Future<Output = ()> + Send + 'static {
        let stop = self.running.as_ref().map(|r| r.stop_requested());
        async move {
            match stop {
                Some(stop) => stop.await,
                None => std::future::pending().await,
            }
        }
    }

    /// What `--state` loaded at start, if a state file was set.
    pub fn restored(&self) -> Option<crate::domain::snapshot::RestoreReport> {
        self.running.as_ref().and_then(|r| r.restored)
    }

    /// A builder to set the catalogue, stub script, clock, lit dir, seed and
    /// the rest before starting.
    pub fn builder() -> MockServerBuilder {
        MockServerBuilder::default()
    }

    /// The address it listens on (`127.0.0.1:<port>`).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `https://127.0.0.1:<port>`: the base of REST URLs (the certificate
    /// names 127.0.0.1, `localhost` and `::1`).
    pub fn uri(&self) -> String {
        format!("https://{}", self.addr)
    }

    /// The TLS certificate (PEM), litd's self-signed CA-as-leaf kind.
    pub fn tls_cert_pem(&self) -> &str {
        &self.tls_cert_pem
    }

    /// Where `tls.cert` was written (in the lit dir).
    pub fn tls_cert_path(&self) -> &Path {
        &self.tls_cert_path
    }

    /// `lit.macaroon`'s bytes (V2 binary), full access.
    pub fn macaroon(&self) -> &[u8] {
        &self.macaroon
    }

    /// The macaroon as hex, as the `macaroon` metadata key carries it.
    pub fn macaroon_hex(&self) -> String {
        hex::encode(&self.macaroon)
    }

    /// Where `lit.macaroon` was written (`<lit dir>/<network>/lit.macaroon`).
    pub fn macaroon_path(&self) -> &Path {
        &self.macaroon_path
    }

    /// The lit dir (a temporary one, removed on drop, unless the builder
    /// named one).
    pub fn lit_dir(&self) -> &Path {
        &self.lit_dir
    }

    /// A connected tonic channel that trusts exactly this server's
    /// certificate (rustls alone would refuse litd's CA-as-leaf cert).
    pub async fn channel(&self) -> Result<Channel, MockServerError> {
        Ok(client::connect(self.addr, &self.tls_cert_pem).await?)
    }

    /// A `litrpc.Autopilot` client over [`MockServer::channel`] that sends
    /// the macaroon on every call.
    pub async fn client(&self) -> Result<AuthedAutopilotClient, MockServerError> {
        let channel = self.channel().await?;
        Ok(AutopilotClient::with_interceptor(
            channel,
            MacaroonInterceptor::new(&self.macaroon),
        ))
    }

    /// The server's clock.
    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    /// Moves the server's time forward (expiries due by then take effect
    /// on the next call, as in litd).
    ///
    /// # Panics
    /// If the builder was given a clock that cannot move (`SystemClock`).
    pub fn advance(&self, by: Duration) {
        let nanos = i128::try_from(by.as_nanos()).unwrap_or(i128::MAX);
        if !self.clock.advance_nanos(nanos) {
            panic!("MockServer::advance: this server's clock cannot be moved");
        }
        self.core().clock_was_moved();
    }

    /// Moves the server's clock forward by `by` and runs what that made due
    /// before returning: resumed sessions' expiry and litd's ping-loop
    /// ticks (so the stub journal shows the pings at once).
    ///
    /// # Panics
    /// If the builder was given a clock that cannot move (`SystemClock`).
    pub async fn advance_and_run(&self, by: Duration) {
        let nanos = i128::try_from(by.as_nanos()).unwrap_or(i128::MAX);
        if !self.clock.advance_nanos(nanos) {
            panic!("MockServer::advance_and_run: this server's clock cannot be moved");
        }
        self.core().run_due().await;
    }

    /// Sets the server's time.
    ///
    /// # Panics
    /// If the builder was given a clock that cannot move (`SystemClock`).
    pub fn set_time(&self, to: SystemTime) {
        if !self.clock.set(to) {
            panic!("MockServer::set_time: this server's clock cannot be moved");
        }
        self.core().clock_was_moved();
    }

    /// The server's time as unix seconds.
    pub fn now_unix(&self) -> i64 {
        unix_nanos(self.clock.now()).div_euclid(1_000_000_000) as i64
    }

    /// Sessions stored, in every state.
    pub fn session_count(&self) -> usize {
        self.core.session_count()
    }

    /// litd stopped and started again over the same store, as the admin
    /// API's `POST restart`: sessions resumed as litd resumes them from its
    /// database, then the autopilot client's start against the stub's
    /// current script (Terms, start-up activation, ping loop). Returns what
    /// it did (`restored`, `activated`, `lit_error`, ...).
    pub async fn restart(&self) -> serde_json::Value {
        crate::control::restart_mock(&self.core).await
    }

    /// Replaces the firewall's action log (what `Firewall.ListActions`
    /// answers) with these actions, each a `litrpc.Action` in litd's REST
    /// JSON, as the admin API's `POST actions` and a scenario's
    /// `setup.actions` do. Returns how many were stored; on a bad action
    /// nothing changes.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let server = autopilot_mock::MockServer::start().await;
    /// let done = serde_json::json!({
    ///     "actor_name": "tester",
    ///     "rpc_method": "/lnrpc.Lightning/GetInfo",
    ///     "state": "STATE_DONE",
    /// });
    /// assert_eq!(server.seed_actions(&[done]), Ok(1));
    /// let bad = serde_json::json!({"state": "STATE_NOPE"});
    /// assert!(server.seed_actions(&[bad]).is_err());
    /// # }
    /// ```
    pub fn seed_actions(&self, actions: &[serde_json::Value]) -> Result<usize, String> {
        let actions = crate::admin::parse_action_list(actions)?;
        let count = actions.len();
        self.core.clear_actions();
        self.core.add_actions(actions);
        Ok(count)
    }

    /// Back to a fresh mock, as the admin API's `POST reset`: no sessions,
    /// privacy maps or firewall actions; the in-process stub's clients and
    /// journal forgotten and its start-up script restored. The clock and
    /// the journal of received calls are kept.
    pub fn reset_sessions(&self) {
        crate::control::reset_mock(&self.core, self.stub.as_ref());
    }

    /// The domain core, for anything the accessors above do not cover.
    pub fn core(&self) -> &Arc<AutopilotCore> {
        &self.core
    }

    /// The in-process remote server (`None` when the builder set a remote).
    pub fn in_process_remote(&self) -> Option<&InProcessRemote> {
        self.in_process_remote.as_ref()
    }

    /// The in-process remote server (`None` when the builder set a remote):
    /// replace its script while running, read its journal.
    pub fn stub(&self) -> Option<&Stub> {
        self.stub.as_ref()
    }

    /// Every call the mock made to the in-process remote server, oldest
    /// first (empty when the builder set a remote).
    ///
    /// ```
    /// use autopilot_mock::proto::litrpc::ListAutopilotFeaturesRequest;
    /// use autopilot_mock::stub::Rpc;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let server = autopilot_mock::MockServer::start().await;
    /// let mut client = server.client().await.unwrap();
    /// client
    ///     .list_autopilot_features(ListAutopilotFeaturesRequest {})
    ///     .await
    ///     .unwrap();
    /// let listed = server
    ///     .journal()
    ///     .iter()
    ///     .filter(|call| call.rpc() == Rpc::ListFeatures)
    ///     .count();
    /// assert_eq!(listed, 1);
    /// # }
    /// ```
    pub fn journal(&self) -> Vec<JournalEntry> {
        self.stub.as_ref().map(Stub::journal).unwrap_or_default()
    }

    /// Every litd call the mock received (newest kept, oldest first), on
    /// every transport: method, transport, credential kind, auth result,
    /// request and response in litd's JSON (or the error), latency.
    ///
    /// ```
    /// use autopilot_mock::proto::litrpc::ListAutopilotFeaturesRequest;
    /// use autopilot_mock::rpc::Rpc;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let server = autopilot_mock::MockServer::start().await;
    /// let mut client = server.client().await.unwrap();
    /// client
    ///     .list_autopilot_features(ListAutopilotFeaturesRequest {})
    ///     .await
    ///     .unwrap();
    /// let calls = server.requests();
    /// assert_eq!(calls.len(), 1);
    /// assert_eq!(calls[0].rpc, Rpc::ListAutopilotFeatures);
    /// assert!(calls[0].response.is_ok());
    /// # }
    /// ```
    pub fn requests(&self) -> Vec<crate::rpc::ReceivedCall> {
        self.requests.entries(&crate::rpc::RequestFilter::default())
    }

    /// The journal of received calls (filters, clearing, its limit).
    pub fn request_journal(&self) -> &Arc<crate::rpc::RequestJournal> {
        &self.requests
    }

    /// Stops accepting, waits for in-flight calls (and, with a state file,
    /// the final write), then returns.
    pub async fn shutdown(mut self) {
        if let Some(running) = self.running.take() {
            running.shutdown().await;
        }
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        if let Some(running) = &self.running {
            running.signal_shutdown();
        }
    }
}

impl std::fmt::Debug for MockServer {
    // No macaroon here: it is a credential.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MockServer")
            .field("addr", &self.addr)
            .field("lit_dir", &self.lit_dir)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests;
