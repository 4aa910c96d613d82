//! [`MockServerBuilder`]: what a [`MockServer`] starts with.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use super::{MockServer, MockServerError};
use crate::domain::clock::{Clock, OffsetClock};
use crate::domain::remote::RemoteAutopilot;
use crate::remote::Catalogue;
use crate::server::{self, defaults, ServerConfig};
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
    catalogue: Option<Catalogue>,
    clock: Option<Arc<dyn Clock>>,
    lit_dir: Option<PathBuf>,
    network: String,
    listen: SocketAddr,
    seed: Option<u64>,
    remote: Option<Arc<dyn RemoteAutopilot>>,
    script: Option<Script>,
    state_file: Option<PathBuf>,
    configure: Vec<Configure>,
    /// A complete configuration (the CLI's); the fields above are then unused.
    base: Option<ServerConfig>,
}

impl Default for MockServerBuilder {
    fn default() -> Self {
        Self {
            catalogue: None,
            clock: None,
            lit_dir: None,
            network: defaults::NETWORK.to_string(),
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            seed: None,
            remote: None,
            script: None,
            state_file: None,
            configure: Vec::new(),
            base: None,
        }
    }
}

impl MockServerBuilder {
    /// The in-process remote server's feature catalogue (default: the
    /// embedded `fixtures/default-features.json`).
    pub fn features(mut self, catalogue: Catalogue) -> Self {
        self.catalogue = Some(catalogue);
        self
    }

    /// The server's clock (default: an [`OffsetClock`], real time that
    /// [`MockServer::advance`] can move).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = Some(clock);
        self
    }

    /// Use (and keep) this lit dir instead of a temporary one.
    pub fn lit_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.lit_dir = Some(dir.into());
        self
    }

    /// The network sub-directory of the macaroon (default `regtest`).
    pub fn network(mut self, network: impl Into<String>) -> Self {
        self.network = network.into();
        self
    }

    /// Listen here instead of `127.0.0.1:0`.
    pub fn listen(mut self, addr: SocketAddr) -> Self {
        self.listen = addr;
        self
    }

    /// Make keys, pairing secrets and pseudo values reproducible.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = Some(seed);
        self
    }

    /// Register sessions with this remote server instead of the in-process one.
    pub fn remote(mut self, remote: Arc<dyn RemoteAutopilot>) -> Self {
        self.remote = Some(remote);
        self
    }

    /// Script the in-process remote server (the stub, [`crate::stub`]):
    /// catalogue, Terms, scripted answers. Its catalogue replaces
    /// [`MockServerBuilder::features`].
    pub fn script(mut self, script: Script) -> Self {
        self.script = Some(script);
        self
    }

    /// Keep sessions in this file across restarts (see [`crate::persist`]).
    pub fn state_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.state_file = Some(path.into());
        self
    }

    /// Adjust anything else in the [`ServerConfig`] (limits, CORS, ...).
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
            base: Some(config),
            ..Self::default()
        }
    }

    /// Starts the server, or says why it could not.
    pub async fn try_start(self) -> Result<MockServer, MockServerError> {
        if let Some(mut config) = self.base {
            for f in self.configure {
                f(&mut config);
            }
            let clock = config.clock.clone();
            return MockServer::from_running(server::start(config).await?, clock, None).await;
        }
        let (lit_dir, temp_dir) = match self.lit_dir {
            Some(dir) => (dir, None),
            None => {
                let temp = tempfile::Builder::new()
                    .prefix("autopilot-mock-")
                    .tempdir()
                    .map_err(MockServerError::TempDir)?;
                (temp.path().to_path_buf(), Some(temp))
            }
        };
        let catalogue = match self.catalogue {
            Some(c) => c,
            None => Catalogue::default_catalogue()?,
        };
        let clock: Arc<dyn Clock> = self.clock.unwrap_or_else(|| Arc::new(OffsetClock::new()));
        let mut config = ServerConfig::new(lit_dir, self.network, self.listen, catalogue);
        config.clock = clock.clone();
        config.seed = self.seed;
        config.remote = self.remote;
        config.script = self.script;
        config.state_file = self.state_file;
        for f in self.configure {
            f(&mut config);
        }
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
