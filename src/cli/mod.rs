//! The command line: one module per subcommand, each a thin layer over the
//! library.

pub mod bench;
pub mod check;
pub mod client_check;
pub mod diff;
pub mod entropy;
pub mod fuzz;
pub mod logging;
pub mod record;
pub mod scenarios;
pub mod serve;
pub mod stub;

use anyhow::Context;
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "autopilot-mock",
    version,
    about = "A faithful test double of litd's litrpc.Autopilot service",
    after_help = "Examples:
  autopilot-mock serve                                   # like litd on 127.0.0.1:8443, ~/.autopilot-mock
  autopilot-mock serve --listen 127.0.0.1:0 --lit-dir /tmp/lit
  autopilot-mock serve --scenario scenarios/client/add-list-revoke.json   # judge a client
  autopilot-mock check --target localhost:8443 --tls-cert ~/.autopilot-mock/tls.cert \\
      --macaroon ~/.autopilot-mock/regtest/lit.macaroon scenarios/      # judge a server
  autopilot-mock check --target localhost:8443 --tls-cert ... --macaroon ...   # the built-in scenarios
  autopilot-mock scenarios export ./my-scenarios         # write them out to edit
  autopilot-mock stub --insecure                         # the remote autopilot server alone
  autopilot-mock fuzz --target localhost:8443 --tls-cert ... --macaroon ... --duration 60"
)]
pub struct Cli {
    /// Log format on stderr (level from RUST_LOG, default info).
    #[arg(
        long,
        global = true,
        env = "AUTOPILOT_MOCK_LOG_FORMAT",
        value_enum,
        default_value_t = logging::LogFormat::Text
    )]
    pub log_format: logging::LogFormat,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Serve litrpc.Autopilot over TLS with macaroon auth, like litd on 8443.
    Serve(serve::ServeArgs),
    /// Serve the scriptable remote autopilot server (autopilotserverrpc.Autopilot) on its own port.
    Stub(stub::StubArgs),
    /// Run scenario files against a litrpc.Autopilot server (litd or the mock).
    Check(check::CheckArgs),
    /// Fuzz any litrpc.Autopilot server's request decoding (gRPC and REST).
    Fuzz(fuzz::FuzzArgs),
    /// A proxy in front of litd (or the mock) that writes every exchange as a scenario step.
    Record(record::RecordArgs),
    /// Send the same calls to two servers (e.g. litd and the mock) and report every difference.
    Diff(diff::DiffArgs),
    /// The scenarios built into the binary (`scenarios export DIR` writes them out).
    #[command(subcommand)]
    Scenarios(scenarios::ScenariosCommand),
    /// Load-test the mock against its ceiling and a grpc-js server (the BENCHMARKS.md figures).
    Bench(bench::BenchArgs),
}

impl Command {
    pub async fn run(self) -> anyhow::Result<()> {
        match self {
            Command::Serve(args) => serve::run(args).await,
            Command::Stub(args) => stub::run(args).await,
            Command::Bench(args) => bench::run(args).await,
            Command::Scenarios(command) => command.run(),
            Command::Check(args) => match check::run(args).await {
                Ok(true) => Ok(()),
                Ok(false) => Err(Exit::silent(1).into()),
                Err(e) => Err(Exit::with(2, &e).into()),
            },
            Command::Record(args) => record::run(args).await,
            Command::Diff(args) => match diff::run(args).await {
                Ok(true) => Ok(()),
                Ok(false) => Err(Exit::silent(1).into()),
                Err(e) => Err(Exit::with(2, &e).into()),
            },
            Command::Fuzz(args) => match fuzz::run(args).await {
                Ok(true) => Ok(()),
                Ok(false) => Err(Exit::silent(1).into()),
                Err(e) => Err(Exit::with(2, &e).into()),
            },
        }
    }
}

/// The first address `HOST:PORT` resolves to (for `--target`).
pub async fn resolve_target(target: &str) -> anyhow::Result<std::net::SocketAddr> {
    tokio::net::lookup_host(target)
        .await
        .with_context(|| format!("cannot resolve --target {target}"))?
        .next()
        .with_context(|| format!("--target {target} resolves to no address"))
}

/// A file a flag names, with the flag in the error.
pub fn read_flag_file(flag: &str, path: &std::path::Path) -> anyhow::Result<Vec<u8>> {
    std::fs::read(path).with_context(|| format!("cannot read {flag} {}", path.display()))
}

/// A binary macaroon file a flag names. A file holding the macaroon as hex
/// text (as `xxd -p` or litd's `--macaroon-hex` users keep it) is recognised,
/// said so, and decoded, rather than sent as bytes the server cannot parse.
pub fn read_macaroon_file(flag: &str, path: &std::path::Path) -> anyhow::Result<Vec<u8>> {
    let bytes = read_flag_file(flag, path)?;
    match hex_macaroon(&bytes) {
        Some(decoded) => {
            tracing::warn!(
                "{flag} {} holds a macaroon as hex text, not the binary file; decoding it",
                path.display()
            );
            Ok(decoded)
        }
        None if bytes.is_empty() => anyhow::bail!("{flag} {} is empty", path.display()),
        None if bytes.starts_with(b"-----BEGIN") => anyhow::bail!(
            "{flag} {} is a PEM file (a certificate or key), not a macaroon; give the server's <lit-dir>/<network>/lit.macaroon",
            path.display()
        ),
        None => Ok(bytes),
    }
}

/// The macaroon in `bytes` if they are its hex text (a V2 binary macaroon
/// starts with the byte 0x02, so its hex starts with "02").
fn hex_macaroon(bytes: &[u8]) -> Option<Vec<u8>> {
    let text = std::str::from_utf8(bytes).ok()?.trim();
    if text.len() < 4 || !text.starts_with("02") {
        return None;
    }
    hex::decode(text).ok()
}

/// A PEM file a flag names (a certificate), checked to hold a PEM block.
pub fn read_pem_file(flag: &str, path: &std::path::Path) -> anyhow::Result<String> {
    let bytes = read_flag_file(flag, path)?;
    let text = String::from_utf8_lossy(&bytes).into_owned();
    if !text.contains("-----BEGIN CERTIFICATE-----") {
        anyhow::bail!(
            "{flag} {} is not a PEM certificate (no \"-----BEGIN CERTIFICATE-----\" line); give the server's tls.cert",
            path.display()
        );
    }
    Ok(text)
}

/// `--listen` values: `IP:PORT` or `localhost:PORT` (as 127.0.0.1).
pub fn parse_listen(value: &str) -> Result<std::net::SocketAddr, String> {
    if let Ok(addr) = value.parse() {
        return Ok(addr);
    }
    if let Some(port) = value.strip_prefix("localhost:") {
        if let Ok(port) = port.parse::<u16>() {
            return Ok(std::net::SocketAddr::from(([127, 0, 0, 1], port)));
        }
    }
    let hint = if value.parse::<u16>().is_ok() {
        format!(" (for port {value} on this machine only: 127.0.0.1:{value})")
    } else {
        String::new()
    };
    Err(format!(
        "expected IP:PORT or localhost:PORT, e.g. 127.0.0.1:8443, 0.0.0.0:8443, [::1]:8443 or 127.0.0.1:0 for a free port{hint}"
    ))
}

/// Ends the process with this status; the message (if any) goes to stderr.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct Exit {
    pub code: u8,
    pub message: String,
}

impl Exit {
    /// A verdict, already reported on stdout.
    pub fn silent(code: u8) -> Exit {
        Exit {
            code,
            message: String::new(),
        }
    }

    pub fn with(code: u8, e: &anyhow::Error) -> Exit {
        Exit {
            code,
            message: describe(e),
        }
    }
}

/// The error and its causes, each cause only if the text so far does not
/// already say it (our error types include their source in their message).
pub fn describe(e: &anyhow::Error) -> String {
    let mut text = e.to_string();
    for cause in e.chain().skip(1) {
        let cause = cause.to_string();
        if !text.contains(&cause) {
            text.push_str(": ");
            text.push_str(&cause);
        }
    }
    if text.starts_with("cannot listen on ") && text.contains("(os error 98)") {
        // EADDRINUSE: what a newcomer meets when a mock (or litd) already runs.
        text.push_str(" (another server holds the port: stop it, or pick a free one with --listen 127.0.0.1:0)");
    }
    text
}

/// SIGINT and SIGTERM listeners. Install them before announcing readiness:
/// a signal that arrives before its handler exists kills the process.
pub struct Signals {
    term: tokio::signal::unix::Signal,
    int: tokio::signal::unix::Signal,
}

impl Signals {
    pub fn install() -> anyhow::Result<Signals> {
        use tokio::signal::unix::{signal, SignalKind};
        Ok(Signals {
            term: signal(SignalKind::terminate()).context("cannot listen for SIGTERM")?,
            int: signal(SignalKind::interrupt()).context("cannot listen for SIGINT")?,
        })
    }

    /// Resolves on the first SIGINT or SIGTERM.
    pub async fn recv(&mut self) {
        tokio::select! {
            _ = self.term.recv() => {}
            _ = self.int.recv() => {}
        }
    }
}

#[cfg(test)]
#[path = "help_tests.rs"]
mod help_tests;
