//! `autopilot-mock serve`.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context;
use clap::Args;

use autopilot_mock::remote::Catalogue;
use autopilot_mock::server::{self, defaults, ServerConfig};

#[derive(Args)]
#[command(after_help = "Examples:
  autopilot-mock serve
  autopilot-mock serve --listen 127.0.0.1:0 --lit-dir ./lit --network regtest
  autopilot-mock serve --features my-features.json --seed 42

Once listening it prints one JSON line on stdout:
  {\"listen\":\"127.0.0.1:8443\",\"lit_dir\":...,\"tls_cert\":...,\"tls_key\":...,\"macaroon\":...}")]
pub struct ServeArgs {
    /// Lit dir holding tls.cert, tls.key and <network>/lit.macaroon [default: ~/.autopilot-mock]
    #[arg(long, env = "AUTOPILOT_MOCK_LIT_DIR")]
    pub lit_dir: Option<PathBuf>,
    /// Network sub-directory for the macaroon.
    #[arg(long, env = "AUTOPILOT_MOCK_NETWORK", default_value = defaults::NETWORK)]
    pub network: String,
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, env = "AUTOPILOT_MOCK_LISTEN", default_value = defaults::LISTEN)]
    pub listen: SocketAddr,
    /// Feature catalogue of the in-process remote server (JSON, like fixtures/default-features.json).
    #[arg(long, env = "AUTOPILOT_MOCK_FEATURES")]
    pub features: Option<PathBuf>,
    /// Seed every random draw (keys, pairing secrets, pseudo values) for reproducible runs.
    #[arg(long, env = "AUTOPILOT_MOCK_SEED")]
    pub seed: Option<u64>,
    /// Largest request message accepted, in bytes.
    #[arg(long, env = "AUTOPILOT_MOCK_MAX_MESSAGE_BYTES", default_value_t = defaults::MAX_MESSAGE_BYTES)]
    pub max_message_bytes: usize,
    /// Allow REST calls from this origin (repeatable or comma-separated; `*` for any), like litd's --restcors.
    #[arg(
        long = "rest-cors",
        env = "AUTOPILOT_MOCK_REST_CORS",
        value_delimiter = ','
    )]
    pub rest_cors: Vec<String>,
    /// Most sessions kept in memory.
    #[arg(long, env = "AUTOPILOT_MOCK_MAX_SESSIONS", default_value_t = 1_000_000)]
    pub max_sessions: usize,
}

pub fn default_lit_dir() -> anyhow::Result<PathBuf> {
    let home = std::env::var_os("HOME").context("HOME is not set; pass --lit-dir")?;
    Ok(PathBuf::from(home).join(".autopilot-mock"))
}

impl ServeArgs {
    /// The server configuration these flags describe.
    pub fn config(self) -> anyhow::Result<ServerConfig> {
        let lit_dir = match self.lit_dir {
            Some(dir) => dir,
            None => default_lit_dir()?,
        };
        let catalogue = match &self.features {
            Some(path) => Catalogue::load(path)?,
            None => Catalogue::default_catalogue()?,
        };
        let mut config = ServerConfig::new(lit_dir, self.network, self.listen, catalogue);
        config.seed = self.seed;
        config.max_message_bytes = self.max_message_bytes;
        config.core.max_sessions = self.max_sessions;
        config.rest_cors = self.rest_cors;
        Ok(config)
    }
}

pub async fn run(args: ServeArgs) -> anyhow::Result<()> {
    let mut signals = super::Signals::install()?;
    let running = server::start(args.config()?).await?;
    println!("{}", running.ready_line());
    tracing::info!(listen = %running.local_addr, "serving litrpc.Autopilot");
    signals.recv().await;
    tracing::info!("shutting down: finishing in-flight calls");
    running.shutdown().await;
    Ok(())
}
