//! `autopilot-mock`: a thin CLI over the library.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};

use autopilot_mock::remote::Catalogue;
use autopilot_mock::server::{self, defaults, ServerConfig};

#[derive(Parser)]
#[command(
    name = "autopilot-mock",
    version,
    about = "A faithful test double of litd's litrpc.Autopilot service",
    after_help = "Examples:\n  autopilot-mock serve\n  autopilot-mock serve --listen 127.0.0.1:0 --lit-dir /tmp/lit"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve litrpc.Autopilot over TLS with macaroon auth, like litd on 8443.
    #[command(
        after_help = "Examples:\n  autopilot-mock serve\n  autopilot-mock serve --listen 127.0.0.1:0 --lit-dir ./lit --network regtest\n\nOnce listening it prints one JSON line on stdout: {\"listen\",\"lit_dir\",\"tls_cert\",\"tls_key\",\"macaroon\",...}."
    )]
    Serve(ServeArgs),
}

#[derive(Args)]
struct ServeArgs {
    /// Lit dir holding tls.cert, tls.key and <network>/lit.macaroon [default: ~/.autopilot-mock]
    #[arg(long, env = "AUTOPILOT_MOCK_LIT_DIR")]
    lit_dir: Option<PathBuf>,
    /// Network sub-directory for the macaroon.
    #[arg(long, env = "AUTOPILOT_MOCK_NETWORK", default_value = defaults::NETWORK)]
    network: String,
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, env = "AUTOPILOT_MOCK_LISTEN", default_value = defaults::LISTEN)]
    listen: SocketAddr,
    /// Feature catalogue of the in-process remote server (JSON, like fixtures/default-features.json).
    #[arg(long, env = "AUTOPILOT_MOCK_FEATURES")]
    features: Option<PathBuf>,
    /// Seed every random draw (keys, pairing secrets, pseudo values) for reproducible runs.
    #[arg(long, env = "AUTOPILOT_MOCK_SEED")]
    seed: Option<u64>,
    /// Largest request message accepted, in bytes.
    #[arg(long, env = "AUTOPILOT_MOCK_MAX_MESSAGE_BYTES", default_value_t = defaults::MAX_MESSAGE_BYTES)]
    max_message_bytes: usize,
    /// Allow REST calls from this origin (repeatable; `*` for any), like litd's --restcors.
    #[arg(
        long = "rest-cors",
        env = "AUTOPILOT_MOCK_REST_CORS",
        value_delimiter = ','
    )]
    rest_cors: Vec<String>,
    /// Most sessions kept in memory.
    #[arg(long, env = "AUTOPILOT_MOCK_MAX_SESSIONS", default_value_t = 1_000_000)]
    max_sessions: usize,
}

fn default_lit_dir() -> anyhow::Result<PathBuf> {
    let home = std::env::var_os("HOME").context("HOME is not set; pass --lit-dir")?;
    Ok(PathBuf::from(home).join(".autopilot-mock"))
}

async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let lit_dir = match args.lit_dir {
        Some(dir) => dir,
        None => default_lit_dir()?,
    };
    let catalogue = match &args.features {
        Some(path) => Catalogue::load(path)?,
        None => Catalogue::default_catalogue()?,
    };
    let mut config = ServerConfig::new(lit_dir, args.network, args.listen, catalogue);
    config.seed = args.seed;
    config.max_message_bytes = args.max_message_bytes;
    config.core.max_sessions = args.max_sessions;
    config.rest_cors = args.rest_cors;

    let running = server::start(config).await?;
    println!("{}", running.ready_line());
    tracing::info!(listen = %running.local_addr, "serving litrpc.Autopilot");

    wait_for_signal().await?;
    tracing::info!("shutting down: finishing in-flight calls");
    running.shutdown().await;
    Ok(())
}

async fn wait_for_signal() -> anyhow::Result<()> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut term = signal(SignalKind::terminate()).context("cannot listen for SIGTERM")?;
    tokio::select! {
        r = tokio::signal::ctrl_c() => r.context("cannot listen for SIGINT")?,
        _ = term.recv() => {}
    }
    Ok(())
}

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("autopilot-mock: error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            Command::Serve(args) => serve(args).await,
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("autopilot-mock: error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
