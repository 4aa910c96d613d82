//! Logs on stderr through tracing: the level from `RUST_LOG` (default
//! `info`), the format from `--log-format` / `AUTOPILOT_MOCK_LOG_FORMAT`.
//! stdout stays reserved for the ready line and reports.

use clap::ValueEnum;

/// How log lines look.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line (for log collectors).
    Json,
}

/// Installs the global subscriber. Called once, before anything logs.
pub fn init(format: LogFormat) {
    let mut filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    // rustls warns about every client that sends an IP address as its TLS
    // server name (grpc-js and others do, for `127.0.0.1:8443`); that is the
    // client's business, not a problem of the mock. RUST_LOG naming rustls
    // still shows it.
    let names_rustls = std::env::var("RUST_LOG").is_ok_and(|v| v.contains("rustls"));
    if !names_rustls {
        if let Ok(quiet) = "rustls::msgs::handshake=error".parse() {
            filter = filter.add_directive(quiet);
        }
    }
    // Colours only for a person at a terminal, never into a CI log file.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(ansi)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().flatten_event(true).init(),
    }
}
