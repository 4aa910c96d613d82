//! `autopilot-mock serve`.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context;
use clap::Args;

use autopilot_mock::auth::ui_password::UiPassword;
use autopilot_mock::remote::Catalogue;
use autopilot_mock::server::{defaults, ServerConfig};
use autopilot_mock::MockServer;

#[derive(Args)]
#[command(after_help = "Examples:
  autopilot-mock serve
  autopilot-mock serve --listen 127.0.0.1:0 --lit-dir ./lit --network regtest
  autopilot-mock serve --features my-features.json --seed 42
  autopilot-mock serve --state ./sessions.json          # keep sessions across restarts
  RUST_LOG=debug autopilot-mock --log-format json serve  # JSON logs, one line per call
  autopilot-mock serve --script fixtures/stub-script.json
  autopilot-mock serve --autopilot-addr 127.0.0.1:12010 --autopilot-insecure
  autopilot-mock serve --ui-password 'at-least-8-chars'  # litd's UI password (Basic auth)
  autopilot-mock serve --autopilot-disabled              # litd with autopilot.disable
  autopilot-mock serve --listen 127.0.0.1:0 --scenario scenarios/client/add-list-revoke.json --junit client.xml

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
    #[arg(long, env = "AUTOPILOT_MOCK_LISTEN", default_value = defaults::LISTEN, value_parser = super::parse_listen)]
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
    /// Most concurrent HTTP/2 streams per connection; streams beyond it are refused (REFUSED_STREAM).
    #[arg(long, env = "AUTOPILOT_MOCK_MAX_CONCURRENT_STREAMS", default_value_t = defaults::MAX_CONCURRENT_STREAMS)]
    pub max_concurrent_streams: u32,
    /// Largest request header list (HTTP/2) or header block (HTTP/1), in bytes; larger gets HTTP 431.
    #[arg(long, env = "AUTOPILOT_MOCK_MAX_HEADER_BYTES", default_value_t = defaults::MAX_HEADER_LIST_BYTES)]
    pub max_header_bytes: u32,
    /// Allow REST calls from this origin (repeatable or comma-separated; `*` for any), like litd's --restcors.
    #[arg(
        long = "rest-cors",
        env = "AUTOPILOT_MOCK_REST_CORS",
        value_delimiter = ','
    )]
    pub rest_cors: Vec<String>,
    /// Remote calls the stub's journal keeps; the oldest are dropped first.
    #[arg(long, env = "AUTOPILOT_MOCK_JOURNAL_LIMIT", default_value_t = autopilot_mock::stub::DEFAULT_JOURNAL_LIMIT)]
    pub journal_limit: usize,
    /// Received litd calls the request journal keeps (admin `GET requests`); the oldest are dropped first.
    #[arg(long, env = "AUTOPILOT_MOCK_REQUESTS_LIMIT", default_value_t = autopilot_mock::rpc::journal::DEFAULT_REQUESTS_LIMIT)]
    pub requests_limit: usize,
    /// Most sessions kept in memory.
    #[arg(long, env = "AUTOPILOT_MOCK_MAX_SESSIONS", default_value_t = autopilot_mock::domain::service::DEFAULT_MAX_SESSIONS)]
    pub max_sessions: usize,
    /// Period of litd's ActivateSession ping loop, on the mock's clock (litd: --autopilot.pingcadence): 3600, 90s, 30m, 1h.
    #[arg(long, env = "AUTOPILOT_MOCK_AUTOPILOT_PING_CADENCE", default_value = "1h", value_parser = parse_cadence)]
    pub autopilot_ping_cadence: std::time::Duration,
    /// Keep sessions in this JSON file across restarts (written atomically after each change; loaded at start).
    #[arg(long, env = "AUTOPILOT_MOCK_STATE", value_name = "FILE")]
    pub state: Option<PathBuf>,
    /// litd's UI password: `authorization: Basic base64(PW:PW)` then stands for lit.macaroon on gRPC, grpc-web and REST (at least 8 characters, trimmed). Without it Basic auth is off, as with litd's --disableui.
    #[arg(
        long,
        env = "AUTOPILOT_MOCK_UI_PASSWORD",
        value_name = "PW",
        hide_env_values = true
    )]
    pub ui_password: Option<String>,
    /// Read the UI password from this file (trimmed) when --ui-password is not given or empty.
    #[arg(long, env = "AUTOPILOT_MOCK_UI_PASSWORD_FILE", value_name = "FILE")]
    pub ui_password_file: Option<PathBuf>,
    /// Serve without litrpc.Autopilot, as litd with autopilot.disable (Polar starts litd so): its calls answer Unimplemented after auth; no remote server is called.
    #[arg(long, env = "AUTOPILOT_MOCK_AUTOPILOT_DISABLED")]
    pub autopilot_disabled: bool,
    #[command(flatten)]
    pub remote: super::stub::RemoteArgs,
    #[command(flatten)]
    pub scenario: super::client_check::ScenarioArgs,
}

/// A positive duration: whole seconds, or a number with `s`, `m` or `h`.
fn parse_cadence(text: &str) -> Result<std::time::Duration, String> {
    let (number, unit) = match text.char_indices().last() {
        Some((i, c @ ('s' | 'm' | 'h'))) => (&text[..i], c),
        _ => (text, 's'),
    };
    let n: u64 = number
        .parse()
        .map_err(|_| format!("`{text}` is not a duration such as 3600, 90s, 30m or 1h"))?;
    let secs = match unit {
        'h' => n.checked_mul(3_600),
        'm' => n.checked_mul(60),
        _ => Some(n),
    }
    .filter(|s| *s > 0)
    .ok_or_else(|| format!("`{text}`: the cadence must be at least one second"))?;
    Ok(std::time::Duration::from_secs(secs))
}

pub fn default_lit_dir() -> anyhow::Result<PathBuf> {
    let home = std::env::var_os("HOME").context("HOME is not set; pass --lit-dir")?;
    Ok(PathBuf::from(home).join(".autopilot-mock"))
}

impl ServeArgs {
    /// The server configuration these flags describe, and the client check
    /// when `--scenario` is given.
    pub fn config_and_judge(
        mut self,
    ) -> anyhow::Result<(ServerConfig, Option<super::client_check::Judge>)> {
        let scenario = std::mem::take(&mut self.scenario);
        let mut config = self.config()?;
        let judge = scenario.prepare(&mut config)?;
        Ok((config, judge))
    }

    /// The server configuration these flags describe.
    pub fn config(self) -> anyhow::Result<ServerConfig> {
        let lit_dir = match self.lit_dir {
            Some(dir) => dir,
            None => default_lit_dir()?,
        };
        let catalogue = match &self.features {
            Some(path) => {
                Catalogue::load(path).with_context(|| format!("--features {}", path.display()))?
            }
            None => Catalogue::default_catalogue()?,
        };
        let mut config = ServerConfig::new(lit_dir, self.network, self.listen, catalogue);
        config.seed = self.seed;
        config.max_message_bytes = self.max_message_bytes;
        config.max_concurrent_streams = self.max_concurrent_streams;
        config.max_header_list_bytes = self.max_header_bytes;
        config.core.max_sessions = self.max_sessions;
        config.core.ping_cadence = self.autopilot_ping_cadence;
        config.core.autopilot_enabled = !self.autopilot_disabled;
        config.journal_limit = self.journal_limit;
        config.requests_limit = self.requests_limit;
        config.rest_cors = self.rest_cors;
        config.state_file = self.state;
        config.ui_password = UiPassword::configure(
            self.ui_password.as_deref(),
            self.ui_password_file.as_deref(),
        )
        .map_err(|e| match &self.ui_password_file {
            // litd's text, after the flag and file it is about.
            Some(path) if e.0.contains("could not read file") => {
                anyhow::anyhow!("--ui-password-file {}: {}", path.display(), e.0)
            }
            _ => anyhow::anyhow!(e.0),
        })?;
        self.remote.apply(&mut config)?;
        Ok(config)
    }
}

pub async fn run(args: ServeArgs) -> anyhow::Result<()> {
    let mut signals = super::Signals::install()?;
    let (config, judge) = args.config_and_judge()?;
    let mock = MockServer::from_config(config).try_start().await?;
    if let Some(judge) = &judge {
        judge.attach(&mock);
    }
    println!("{}", mock.ready_line());
    tracing::info!(listen = %mock.addr(), "serving litrpc.Autopilot");
    if let Some(r) = mock.restored() {
        tracing::info!(
            restored = r.restored,
            reserved_dropped = r.reserved_dropped,
            expired_while_down = r.expired_while_down,
            "sessions loaded from the state file"
        );
    }
    let Some(judge) = judge else {
        tokio::select! {
            _ = signals.recv() => {}
            _ = mock.stop_requested() => tracing::info!("Proxy.StopDaemon called"),
        }
        tracing::info!("shutting down: finishing in-flight calls");
        mock.shutdown().await;
        return Ok(());
    };
    judge.wait(&mut signals).await;
    tracing::info!("client check over: finishing in-flight calls");
    mock.shutdown().await;
    match judge.conclude() {
        Ok(true) => Ok(()),
        Ok(false) => Err(super::Exit::silent(1).into()),
        Err(e) => Err(super::Exit::with(2, &e).into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ping_cadence_flag_defaults_to_the_cores_default() {
        let command = <ServeArgs as clap::Args>::augment_args(clap::Command::new("serve"));
        let flag = command
            .get_arguments()
            .find(|a| a.get_id() == "autopilot_ping_cadence")
            .expect("the flag");
        let default = flag.get_default_values()[0].to_string_lossy().into_owned();
        assert_eq!(
            parse_cadence(&default),
            Ok(autopilot_mock::domain::service::DEFAULT_PING_CADENCE)
        );
        assert_eq!(parse_cadence("90s"), Ok(std::time::Duration::from_secs(90)));
        assert!(parse_cadence("0").is_err());
    }
}
