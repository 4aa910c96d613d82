//! [`MockServerBuilder`]: what a [`MockServer`] starts with.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use super::{MockServer, MockServerError};
use crate::domain::clock::{Clock, OffsetClock};
use crate::domain::remote::RemoteAutopilot;
use crate::remote::catalogue::CatalogueError;
use crate::remote::Catalogue;
use crate::server::{self, defaults, RemoteConfig, ServerConfig};
use crate::stub::Script;

type Configure = Box<dyn FnOnce(&mut ServerConfig) + Send>;

/// Settings for a [`MockServer`]; from [`MockServer::builder`].
///
/// ```
/// use std::sync::Arc;
/// use autopilot_mock::domain::clock::ManualClock;
/// use autopilot_mock::remote::Catalogue;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let clock = Arc::new(ManualClock::at_unix(1_893_456_000));
/// let server = autopilot_mock::MockServer::builder()
///     .features(Catalogue::default_catalogue().unwrap())
///     .clock(clock.clone())
///     .seed(42)
///     .start()
///     .await;
/// assert_eq!(server.session_count(), 0);
/// # }
/// ```
#[must_use]
pub struct MockServerBuilder {
    /// What the server starts with: every setter writes here, and
    /// [`MockServerBuilder::from_config`] gives all of it.
    config: ServerConfig,
    /// The lit dir was chosen (`lit_dir`, `from_config`); otherwise a
    /// temporary one is made at start and removed with the server.
    lit_dir_chosen: bool,
    configure: Vec<Configure>,
    /// The embedded catalogue did not parse (never in a tested build; kept
    /// to be returned by `try_start` until a remote is set).
    catalogue_error: Option<CatalogueError>,
}

impl Default for MockServerBuilder {
    fn default() -> Self {
        let (catalogue, catalogue_error) = match Catalogue::default_catalogue() {
            Ok(c) => (Some(c), None),
            Err(e) => (None, Some(e)),
        };
        let listen = SocketAddr::from(([127, 0, 0, 1], 0));
        let mut config = ServerConfig::new(
            PathBuf::new(),
            defaults::NETWORK,
            listen,
            catalogue.unwrap_or_else(Catalogue::empty),
        );
        config.clock = Arc::new(OffsetClock::new());
        Self {
            config,
            lit_dir_chosen: false,
            configure: Vec::new(),
            catalogue_error,
        }
    }
}

impl MockServerBuilder {
    /// The in-process remote server's feature catalogue (default: the
    /// embedded `fixtures/default-features.json`), with nothing scripted.
    /// [`MockServerBuilder::features`], [`MockServerBuilder::script`] and
    /// [`MockServerBuilder::remote`] each choose the remote: the last wins.
    pub fn features(mut self, catalogue: Catalogue) -> Self {
        self.config.remote = RemoteConfig::InProcess(Script::from_catalogue(catalogue));
        self.catalogue_error = None;
        self
    }

    /// The server's clock (default: an [`OffsetClock`], real time that
    /// [`MockServer::advance`] can move).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.config.clock = clock;
        self
    }

    /// Use (and keep) this lit dir instead of a temporary one.
    pub fn lit_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.config.lit_dir = dir.into();
        self.lit_dir_chosen = true;
        self
    }

    /// The network sub-directory of the macaroon (default `regtest`).
    pub fn network(mut self, network: impl Into<String>) -> Self {
        self.config.network = network.into();
        self
    }

    /// Listen here instead of `127.0.0.1:0`.
    pub fn listen(mut self, addr: SocketAddr) -> Self {
        self.config.listen = addr;
        self
    }

    /// Make keys, pairing secrets and pseudo values reproducible.
    pub fn seed(mut self, seed: u64) -> Self {
        self.config.seed = Some(seed);
        self
    }

    /// Register sessions with this remote server instead of the in-process
    /// one (the last of `features`, `script` and `remote` wins).
    pub fn remote(mut self, remote: Arc<dyn RemoteAutopilot>) -> Self {
        self.config.remote = RemoteConfig::External(remote);
        self.catalogue_error = None;
        self
    }

    /// Script the in-process remote server (the stub, [`crate::stub`]):
    /// catalogue, Terms, scripted answers (the last of `features`, `script`
    /// and `remote` wins).
    pub fn script(mut self, script: Script) -> Self {
        self.config.remote = RemoteConfig::InProcess(script);
        self.catalogue_error = None;
        self
    }

    /// Keep sessions in this file across restarts (see [`crate::persist`]).
    pub fn state_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.config.state_file = Some(path.into());
        self
    }

    /// Adjust anything else in the [`ServerConfig`] (limits, CORS, ...),
    /// after the other settings.
    pub fn configure(mut self, f: impl FnOnce(&mut ServerConfig) + Send + 'static) -> Self {
        self.configure.push(Box::new(f));
        self
    }

    /// Starts the server.
    ///
    /// # Panics
    /// If it cannot start (as wiremock does: a test cannot go on without
    /// it); [`MockServerBuilder::try_start`] returns the error instead.
    pub async fn start(self) -> MockServer {
        match self.try_start().await {
            Ok(server) => server,
            Err(e) => panic!("autopilot-mock: MockServer did not start: {e}"),
        }
    }

    /// A builder for exactly this configuration (what `autopilot-mock serve`
    /// assembles from its flags): its lit dir is used and kept.
    pub fn from_config(config: ServerConfig) -> Self {
        Self {
            config,
            lit_dir_chosen: true,
            configure: Vec::new(),
            catalogue_error: None,
        }
    }

    /// Starts the server, or says why it could not.
    pub async fn try_start(self) -> Result<MockServer, MockServerError> {
        if let Some(e) = self.catalogue_error {
            return Err(e.into());
        }
        let mut config = self.config;
        let temp_dir = if self.lit_dir_chosen {
            None
        } else {
            let temp = tempfile::Builder::new()
                .prefix("autopilot-mock-")
                .tempdir()
                .map_err(MockServerError::TempDir)?;
            config.lit_dir = temp.path().to_path_buf();
            Some(temp)
        };
        for f in self.configure {
            f(&mut config);
        }
        let clock = config.clock.clone();
        MockServer::from_running(server::start(config).await?, clock, temp_dir).await
    }
}

impl MockServer {
    /// Wraps a started server (reading its macaroon for the accessors).
    async fn from_running(
        running: server::RunningServer,
        clock: Arc<dyn Clock>,
        temp_dir: Option<tempfile::TempDir>,
    ) -> Result<MockServer, MockServerError> {
        let macaroon = match std::fs::read(&running.paths.macaroon) {
            Ok(bytes) => bytes,
            Err(source) => {
                let path = running.paths.macaroon.clone();
                running.shutdown().await;
                return Err(MockServerError::Macaroon { path, source });
            }
        };
        Ok(MockServer {
            addr: running.local_addr,
            lit_dir: running.paths.lit_dir.clone(),
            tls_cert_path: running.paths.tls_cert.clone(),
            macaroon_path: running.paths.macaroon.clone(),
            tls_cert_pem: running.tls_cert_pem.clone(),
            core: running.core.clone(),
            in_process_remote: running.in_process_remote.clone(),
            stub: running.stub.clone(),
            requests: running.requests.clone(),
            macaroon,
            clock,
            running: Some(running),
            _temp_dir: temp_dir,
        })
    }
}
