//! `autopilot-mock stub`: the scriptable remote autopilot server on its own
//! port, and the `serve` flags that choose which remote server the mock
//! registers sessions with.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use clap::Args;

use autopilot_mock::domain::clock::OffsetClock;
use autopilot_mock::remote::GrpcRemote;
use autopilot_mock::server::{RemoteConfig, ServerConfig};
use autopilot_mock::stub::grpc::{self, StubTls};
use autopilot_mock::stub::{Script, Stub};

/// litd's default autopilot server port.
const DEFAULT_LISTEN: &str = "127.0.0.1:12010";

#[derive(Args)]
#[command(after_help = "Examples:
  autopilot-mock stub --listen 127.0.0.1:0 --insecure
  autopilot-mock stub --listen 127.0.0.1:12010 --script fixtures/stub-script.json --lit-dir ./stub
  litd --autopilot.address=127.0.0.1:12010 --autopilot.tlspath=./stub/tls.cert ...
  autopilot-mock serve --autopilot-addr 127.0.0.1:12010 --autopilot-tls-cert ./stub/tls.cert

Once listening it prints one JSON line on stdout:
  {\"listen\":\"127.0.0.1:12010\",\"tls_cert\":\"./stub/tls.cert\",\"pid\":4242}
(no tls_cert with --insecure).")]
pub struct StubArgs {
    /// Address to serve autopilotserverrpc.Autopilot on; port 0 picks a free port.
    #[arg(long, env = "AUTOPILOT_MOCK_STUB_LISTEN", default_value = DEFAULT_LISTEN, value_parser = super::parse_listen)]
    pub listen: SocketAddr,
    /// Plaintext gRPC, like litd's Go test server (litd: --autopilot.insecure).
    #[arg(long, env = "AUTOPILOT_MOCK_STUB_INSECURE")]
    pub insecure: bool,
    /// The script: catalogue, Terms version, scripted answers [default: fixtures/stub-script.json, embedded].
    #[arg(long, env = "AUTOPILOT_MOCK_SCRIPT")]
    pub script: Option<PathBuf>,
    /// Directory for the stub's tls.cert and tls.key [default: ~/.autopilot-mock/stub].
    #[arg(long, env = "AUTOPILOT_MOCK_STUB_LIT_DIR")]
    pub lit_dir: Option<PathBuf>,
}

pub async fn run(args: StubArgs) -> anyhow::Result<()> {
    let script = load_script(args.script.as_ref())?;
    let tls = if args.insecure {
        None
    } else {
        let dir = match args.lit_dir {
            Some(dir) => dir,
            None => super::serve::default_lit_dir()?.join("stub"),
        };
        Some(StubTls {
            cert_path: dir.join("tls.cert"),
            key_path: dir.join("tls.key"),
        })
    };
    let mut signals = super::Signals::install()?;
    let stub = Stub::new(script, Arc::new(OffsetClock::new()));
    let running = grpc::start(stub, args.listen, tls).await?;
    println!("{}", running.ready_line());
    tracing::info!(listen = %running.local_addr, "serving autopilotserverrpc.Autopilot (stub)");
    signals.recv().await;
    tracing::info!("shutting down: finishing in-flight calls");
    running.shutdown().await;
    Ok(())
}

fn load_script(path: Option<&PathBuf>) -> anyhow::Result<Script> {
    Ok(match path {
        Some(path) => Script::load(path).with_context(|| format!("--script {}", path.display()))?,
        None => Script::default_script()?,
    })
}

/// `serve`'s choice of remote autopilot server: the in-process stub
/// (optionally scripted) or an external server reached as litd would.
#[derive(Args)]
pub struct RemoteArgs {
    /// Register sessions with the autopilot server at HOST:PORT instead of the in-process stub (litd: --autopilot.address).
    #[arg(long, env = "AUTOPILOT_MOCK_AUTOPILOT_ADDR", conflicts_with_all = ["script", "features"])]
    pub autopilot_addr: Option<String>,
    /// Plaintext to --autopilot-addr (litd: --autopilot.insecure).
    #[arg(
        long,
        env = "AUTOPILOT_MOCK_AUTOPILOT_INSECURE",
        requires = "autopilot_addr",
        conflicts_with = "autopilot_tls_cert"
    )]
    pub autopilot_insecure: bool,
    /// Trust exactly this certificate at --autopilot-addr (litd: --autopilot.tlspath).
    #[arg(
        long,
        env = "AUTOPILOT_MOCK_AUTOPILOT_TLS_CERT",
        requires = "autopilot_addr"
    )]
    pub autopilot_tls_cert: Option<PathBuf>,
    /// Script for the in-process stub (JSON, like fixtures/stub-script.json); replaces --features.
    #[arg(long, env = "AUTOPILOT_MOCK_SCRIPT", conflicts_with = "features")]
    pub script: Option<PathBuf>,
}

impl RemoteArgs {
    /// Sets `config.remote` as the flags say: the in-process stub with
    /// `--script`, or the server at `--autopilot-addr`.
    pub fn apply(self, config: &mut ServerConfig) -> anyhow::Result<()> {
        if let Some(path) = &self.script {
            config.remote = RemoteConfig::InProcess(
                Script::load(path).with_context(|| format!("--script {}", path.display()))?,
            );
        }
        let Some(addr) = self.autopilot_addr else {
            return Ok(());
        };
        let remote = match (self.autopilot_insecure, &self.autopilot_tls_cert) {
            (true, _) => GrpcRemote::insecure(addr),
            (false, Some(path)) => {
                let pem = super::read_pem_file("--autopilot-tls-cert", path)?;
                GrpcRemote::tls(addr, &pem)
                    .with_context(|| format!("--autopilot-tls-cert {}", path.display()))?
            }
            (false, None) => anyhow::bail!(
                "--autopilot-addr needs --autopilot-insecure or --autopilot-tls-cert \
                 (the mock has no system root certificates)"
            ),
        };
        config.remote = RemoteConfig::External(Arc::new(remote));
        Ok(())
    }
}
