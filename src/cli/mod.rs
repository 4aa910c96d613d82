//! The command line: one module per subcommand, each a thin layer over the
//! library.

pub mod serve;

use anyhow::Context;
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "autopilot-mock",
    version,
    about = "A faithful test double of litd's litrpc.Autopilot service",
    after_help = "Examples:\n  autopilot-mock serve\n  autopilot-mock serve --listen 127.0.0.1:0 --lit-dir /tmp/lit"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Serve litrpc.Autopilot over TLS with macaroon auth, like litd on 8443.
    Serve(serve::ServeArgs),
}

impl Command {
    pub async fn run(self) -> anyhow::Result<()> {
        match self {
            Command::Serve(args) => serve::run(args).await,
        }
    }
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
