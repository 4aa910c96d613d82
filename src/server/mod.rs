//! The listener: one TLS port serving gRPC (and, through the same router,
//! anything else mounted on it), as litd serves everything on 8443.
//!
//! `start` takes its listen address and returns a handle with the real
//! address, the credential paths and a graceful shutdown, so tests and the
//! library API bind `127.0.0.1:0` and drive it.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::auth::Authenticator;
use crate::domain::clock::{Clock, OffsetClock};
use crate::domain::remote::RemoteAutopilot;
use crate::domain::{AutopilotCore, CoreConfig};
use crate::litdir::LitDir;
use crate::remote::{Catalogue, InProcessRemote};
use crate::rest::{self, RestState};
use crate::rpc::Dispatcher;
use crate::tls;

mod serving;

pub(crate) use serving::{bind, own_certificate};
pub use serving::{spawn_serving, ListenError};

/// Defaults a user can rely on (documented in the README).
pub mod defaults {
    /// The network when none is given: litd's `regtest` (the lit dir's `<network>/` directory).
    pub const NETWORK: &str = "regtest";
    /// Where `serve` listens when `--listen` is not given (litd's default port, 8443).
    pub const LISTEN: &str = "127.0.0.1:8443";
    /// gRPC's usual 4 MiB receive limit.
    pub const MAX_MESSAGE_BYTES: usize = 4 * 1024 * 1024;
    /// Concurrent HTTP/2 streams one connection may open.
    pub const MAX_CONCURRENT_STREAMS: u32 = 256;
    /// The largest header block (macaroon included) a request may send, in bytes.
    pub const MAX_HEADER_LIST_BYTES: u32 = 64 * 1024;
    pub(crate) const TLS_HANDSHAKE_TIMEOUT_SECS: u64 = 10;
    pub(crate) const SHUTDOWN_GRACE_SECS: u64 = 10;
}

/// Where litd's autopilot client sends its calls.
pub enum RemoteConfig {
    /// The in-process stub: litd's Go test server behind this script (its
    /// catalogue included; `Script::from_catalogue` for nothing scripted).
    /// See [`crate::stub`].
    InProcess(crate::stub::Script),
    /// Any other server: `serve --autopilot-addr`'s gRPC client, or a test's
    /// own implementation.
    External(Arc<dyn RemoteAutopilot>),
}

impl RemoteConfig {
    /// The in-process stub's script, if that is the remote.
    pub fn script_mut(&mut self) -> Option<&mut crate::stub::Script> {
        match self {
            RemoteConfig::InProcess(script) => Some(script),
            RemoteConfig::External(_) => None,
        }
    }
}

/// Everything `start` needs. Build with [`ServerConfig::new`] and adjust.
pub struct ServerConfig {
    pub(crate) lit_dir: PathBuf,
    pub(crate) network: String,
    pub(crate) listen: SocketAddr,
    /// The remote autopilot server litd's client talks to.
    pub remote: RemoteConfig,
    /// The server's clock: session expiries, macaroon timeouts and Status times read it.
    pub clock: Arc<dyn Clock>,
    /// The domain's settings (session limit, ping cadence, litd version).
    pub core: CoreConfig,
    /// Seed for every random draw (keys, secrets, pseudo values).
    pub seed: Option<u64>,
    /// The largest request message accepted, in bytes.
    pub max_message_bytes: usize,
    /// Concurrent HTTP/2 streams per connection.
    pub max_concurrent_streams: u32,
    /// The largest request header block accepted, in bytes.
    pub max_header_list_bytes: u32,
    /// Origins allowed to call REST cross-origin (litd's `restcors`).
    pub rest_cors: Vec<String>,
    /// Watches every call (the scenario harness's client mode).
    pub observer: Option<Arc<dyn crate::rpc::CallObserver>>,
    /// Remote calls the stub's journal keeps (the oldest are dropped).
    pub journal_limit: usize,
    /// Received litd calls the request journal keeps (the oldest are
    /// dropped); see [`crate::rpc::journal`].
    pub requests_limit: usize,
    /// Keep sessions in this file across restarts (`serve --state`); see
    /// [`crate::persist`].
    pub state_file: Option<PathBuf>,
    /// litd's UI password (Basic auth); `None`: off, as with `disableui`.
    pub ui_password: Option<crate::auth::ui_password::UiPassword>,
}

impl ServerConfig {
    /// A config with the defaults (see [`defaults`]) and the in-process stub
    /// serving `catalogue`: the lit dir `lit_dir`, its `network` directory, and
    /// the address to bind (`127.0.0.1:0` for a free port).
    pub fn new(
        lit_dir: PathBuf,
        network: impl Into<String>,
        listen: SocketAddr,
        catalogue: Catalogue,
    ) -> Self {
        Self {
            lit_dir,
            network: network.into(),
            listen,
            remote: RemoteConfig::InProcess(crate::stub::Script::from_catalogue(catalogue)),
            clock: Arc::new(OffsetClock::new()),
            core: CoreConfig::default(),
            seed: None,
            max_message_bytes: defaults::MAX_MESSAGE_BYTES,
            max_concurrent_streams: defaults::MAX_CONCURRENT_STREAMS,
            max_header_list_bytes: defaults::MAX_HEADER_LIST_BYTES,
            rest_cors: Vec::new(),
            observer: None,
            journal_limit: crate::stub::DEFAULT_JOURNAL_LIMIT,
            requests_limit: crate::rpc::journal::DEFAULT_REQUESTS_LIMIT,
            state_file: None,
            ui_password: None,
        }
    }
}

/// Where the credentials a client needs were written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialPaths {
    /// The lit dir (litd's `--lit-dir`).
    pub lit_dir: PathBuf,
    /// `tls.cert`, the self-signed certificate clients pin.
    pub tls_cert: PathBuf,
    /// `tls.key`, its private key.
    pub tls_key: PathBuf,
    /// `<network>/lit.macaroon`, the super macaroon clients send.
    pub macaroon: PathBuf,
}

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The lit dir could not be created or read.
    #[error("lit dir: {0}")]
    LitDir(#[from] crate::litdir::LitDirError),
    /// The TLS certificate or key could not be made or loaded.
    #[error("TLS: {0}")]
    Tls(#[from] tls::TlsError),
    /// The listen address could not be bound.
    #[error(transparent)]
    Bind(#[from] ListenError),
    /// The state file could not be read.
    #[error("{0}")]
    State(#[from] crate::persist::PersistError),
    /// The embedded descriptor set did not build the reflection service.
    #[error("reflection descriptors: {0}")]
    Reflection(#[from] crate::grpc::standard::ReflectionError),
}

/// A running server.
pub struct RunningServer {
    /// The address actually bound (the port chosen for `:0`).
    pub local_addr: SocketAddr,
    /// Where the lit dir's credentials are.
    pub paths: CredentialPaths,
    pub(crate) network: String,
    /// The domain core: sessions, features, the clock and the store.
    pub core: Arc<AutopilotCore>,
    /// The macaroon checker every call goes through.
    pub auth: Arc<Authenticator>,
    pub(crate) in_process_remote: Option<InProcessRemote>,
    /// The scriptable in-process remote (its journal, script, clients);
    /// `None` when `ServerConfig::remote` was given.
    pub stub: Option<crate::stub::Stub>,
    /// The certificate clients pin, as PEM.
    pub tls_cert_pem: String,
    /// What loading the state file did (`None` without `state_file`).
    pub(crate) restored: Option<crate::domain::RestoreReport>,
    /// Every litd call received (the journal of received calls).
    pub(crate) requests: Arc<crate::rpc::RequestJournal>,
    /// What starting litd's autopilot client did (Terms, start-up activation).
    pub client: crate::remote::lifecycle::ClientStart,
    shutdown: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl RunningServer {
    /// The JSON ready line `serve` prints (a contract users script against).
    pub(crate) fn ready_line(&self) -> serde_json::Value {
        serde_json::json!({
            "listen": self.local_addr.to_string(),
            "lit_dir": self.paths.lit_dir,
            "tls_cert": self.paths.tls_cert,
            "tls_key": self.paths.tls_key,
            "macaroon": self.paths.macaroon,
            "network": self.network,
            "pid": std::process::id(),
        })
    }

    /// Stops accepting, lets in-flight calls finish (up to a grace period),
    /// then returns.
    pub async fn shutdown(self) {
        let _ = self.shutdown.send(true);
        let _ = self.task.await;
    }

    /// Resolves once a shutdown was asked for (`Proxy.StopDaemon`, or
    /// [`Self::signal_shutdown`]).
    pub(crate) fn stop_requested(&self) -> impl std::future::Future<Output = ()> + Send + 'static {
        let mut rx = self.shutdown.subscribe();
        async move {
            let _ = rx.wait_for(|stop| *stop).await;
        }
    }

    /// Asks the server to stop without waiting for it.
    pub(crate) fn signal_shutdown(&self) {
        let _ = self.shutdown.send(true);
    }
}

/// Prepares the lit dir and credentials, binds, and serves in the background.
pub async fn start(config: ServerConfig) -> Result<RunningServer, StartError> {
    let lit_dir = LitDir::open(&config.lit_dir, &config.network)?;
    let tls_files = tls::load_or_create(&lit_dir.tls_cert(), &lit_dir.tls_key())?;
    let tls_config = tls::server_config(&tls_files)?;
    let auth = Arc::new(Authenticator::new(lit_dir.load_or_create_root_key()?));
    let macaroon = lit_dir.ensure_lit_macaroon(&auth)?;

    let (remote, stub): (Arc<dyn RemoteAutopilot>, _) = match config.remote {
        RemoteConfig::External(remote) => (remote, None),
        RemoteConfig::InProcess(script) => {
            // `--seed` covers the in-process server's keys too (its own stream).
            let seed = config.seed.map(crate::remote::in_process::remote_seed);
            let stub = crate::stub::Stub::with_seed(script, config.clock.clone(), seed);
            stub.set_journal_limit(config.journal_limit);
            (Arc::new(stub.clone()), Some(stub))
        }
    };
    let in_process_remote = stub.as_ref().map(|s| s.in_process().clone());
    if let Some(seed) = config.seed {
        // protojson's `proto:` + space or no-break space, reproducible too.
        crate::gocompat::protowire::seed_error_prefix(seed);
    }
    // litd's 15 s on the RevokeSession it makes when a session expires.
    let expiry_remote = Arc::new(crate::remote::deadline::RevokeDeadline::new(
        remote.clone(),
        crate::remote::deadline::EXPIRY_REVOKE_TIMEOUT,
    ));
    let core = Arc::new(
        AutopilotCore::with_config(remote, config.clock, config.core, config.seed)
            .with_expiry_remote(expiry_remote),
    );
    let restored = match &config.state_file {
        Some(path) => Some(crate::persist::open(&core, path)?),
        None => None,
    };
    if let (Some(_), Some(remote)) = (&restored, &in_process_remote) {
        remote.know_restored(&core.snapshot().0);
    }
    // litd's autopilot client: Terms once (a failure leaves the process up,
    // its lit services not ready: front door §8.1), then the start-up
    // activation of stored sessions and the ping loop (§8.2, §8.3).
    let client = crate::remote::lifecycle::start_client(&core).await;
    // What a reset returns to (`control::reset_mock`).
    core.readiness().keep_as_start_up();

    let requests = Arc::new(crate::rpc::RequestJournal::new(config.requests_limit));
    let ui = config.ui_password.is_some();
    // What a correct UI password stands for: a macaroon with lit.macaroon's
    // ops and root key (litd reads the file; the check cannot tell them apart).
    let lit_macaroon = auth.bake_lit_macaroon();
    let dispatcher = Arc::new(
        Dispatcher::new(
            core.clone(),
            auth.clone(),
            config.observer.clone(),
            requests.clone(),
        )
        .with_basic_auth(crate::auth::ui_password::BasicAuth::new(
            config.ui_password,
            &lit_macaroon,
        )),
    );
    let grpc_web = crate::grpc_web::router(dispatcher.clone(), config.max_message_bytes);
    let (grpc, health) = crate::grpc::standard::add_to(crate::grpc::routes(
        dispatcher.clone(),
        config.max_message_bytes,
    ))
    .await?;
    let grpc = grpc.into_axum_router();
    let rest = rest::router(RestState {
        dispatcher: dispatcher.clone(),
        max_body_bytes: config.max_message_bytes,
        cors_origins: Arc::new(config.rest_cors),
    })
    .nest(
        crate::admin::PREFIX,
        crate::admin::router(crate::admin::AdminState {
            dispatcher,
            stub: stub.clone(),
            max_body_bytes: config.max_message_bytes,
        }),
    );
    let router = crate::front_door::router(crate::front_door::Routers {
        grpc,
        grpc_web,
        rest,
        ui,
    });

    let (listener, local_addr) = bind(config.listen).await?;

    let (shutdown, shutdown_rx) = watch::channel(false);
    // The driver runs nothing while lit is not running (a failed start),
    // and picks up again after a restart that succeeds.
    crate::remote::lifecycle::spawn_driver(core.clone(), shutdown_rx.clone());
    // Proxy.StopDaemon: litd replies, then shuts down gracefully. The short
    // wait lets the reply leave before the connections are told to close.
    let stopper = shutdown.clone();
    core.stop_request().set_listener(Some(Arc::new(move || {
        let stopper = stopper.clone();
        tokio::spawn(async move {
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            let _ = stopper.send(true);
        });
    })));
    // Health answers NOT_SERVING from the moment shutdown begins, so a
    // watcher (or a call during the grace period) sees the server going.
    let mut stopping = shutdown_rx.clone();
    tokio::spawn(async move {
        if stopping.wait_for(|stop| *stop).await.is_ok() {
            crate::grpc::standard::set_not_serving(&health).await;
        }
    });
    let task = spawn_serving(
        listener,
        tls_config,
        router,
        config.max_concurrent_streams,
        config.max_header_list_bytes,
        shutdown_rx,
    );
    // With a state file, the final state is written once the last call has
    // finished, however shutdown was asked for (shutdown, signal, drop).
    let task = match &config.state_file {
        Some(path) => {
            let persister = crate::persist::Persister::spawn(core.clone(), path.clone());
            tokio::spawn(async move {
                let _ = task.await;
                persister.finish().await;
            })
        }
        None => task,
    };

    Ok(RunningServer {
        local_addr,
        paths: CredentialPaths {
            lit_dir: lit_dir.root().to_path_buf(),
            tls_cert: tls_files.cert_path.clone(),
            tls_key: tls_files.key_path.clone(),
            macaroon,
        },
        network: config.network,
        core,
        auth,
        in_process_remote,
        stub,
        tls_cert_pem: tls_files.cert_pem.clone(),
        restored,
        requests,
        client,
        shutdown,
        task,
    })
}
