//! `autopilot-mock record`: a proxy in front of litd (or the mock) that
//! writes every exchange as a scenario step.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Args;

use autopilot_mock::differential::proxy::{self, RecordConfig};

#[derive(Args)]
#[command(after_help = "Examples:
  autopilot-mock record --listen 127.0.0.1:9443 --upstream localhost:8443 \\
      --upstream-tls-cert ~/.lit/tls.cert --out recorded/
  # then point the client at 127.0.0.1:9443 with the proxy's certificate (the
  # ready line's tls_cert) and litd's own macaroon; stop with Ctrl-C.
  autopilot-mock check --target localhost:8443 --tls-cert mock/tls.cert \\
      --macaroon mock/regtest/lit.macaroon recorded/    # replay against the mock

Once listening it prints one JSON line on stdout:
  {\"listen\":\"127.0.0.1:9443\",\"tls_cert\":...,\"tls_key\":...,\"upstream\":...,\"out\":...,\"pid\":N}
Every exchange (native gRPC, grpc-web, REST) is forwarded unchanged, the
client's macaroon included, and written to OUT/recorded-NNN.json as a step: the
request, and the answer as matchers (exact values; shapes for per-run keys,
secrets, IDs and times; captures where later requests reuse them). Macaroons
are never written, only what they are (none, lit, caveats, read-only, ...).
A reset of the mock's admin API (as `check` does per scenario) starts the
next file.")]
pub struct RecordArgs {
    /// Address the proxy listens on (clients connect here); port 0 picks a free port.
    #[arg(long, env = "AUTOPILOT_MOCK_RECORD_LISTEN", default_value = "127.0.0.1:0", value_parser = super::parse_listen)]
    pub listen: SocketAddr,
    /// The server to record (litd or the mock), HOST:PORT.
    #[arg(long, env = "AUTOPILOT_MOCK_RECORD_UPSTREAM")]
    pub upstream: String,
    /// The upstream's TLS certificate (its tls.cert).
    #[arg(long, env = "AUTOPILOT_MOCK_RECORD_UPSTREAM_TLS_CERT")]
    pub upstream_tls_cert: PathBuf,
    /// Directory the scenarios are written to (created if missing).
    #[arg(long, env = "AUTOPILOT_MOCK_RECORD_OUT")]
    pub out: PathBuf,
    /// Directory of the proxy's own tls.cert and tls.key (made if missing) [default: OUT/proxy-tls].
    #[arg(long, env = "AUTOPILOT_MOCK_RECORD_TLS_DIR")]
    pub tls_dir: Option<PathBuf>,
}

pub async fn run(args: RecordArgs) -> anyhow::Result<()> {
    let cert = super::read_pem_file("--upstream-tls-cert", &args.upstream_tls_cert)?;
    let upstream_addr = tokio::net::lookup_host(&args.upstream)
        .await
        .map_err(|e| anyhow::anyhow!("cannot resolve --upstream {}: {e}", args.upstream))?
        .next()
        .ok_or_else(|| anyhow::anyhow!("--upstream {} resolves to no address", args.upstream))?;
    let tls_dir = args
        .tls_dir
        .clone()
        .unwrap_or_else(|| args.out.join("proxy-tls"));
    let mut signals = super::Signals::install()?;
    let running = proxy::start(RecordConfig {
        listen: args.listen,
        upstream: args.upstream.clone(),
        upstream_addr,
        upstream_cert_pem: cert,
        out: args.out.clone(),
        tls_dir,
    })
    .await?;
    println!("{}", running.ready_line(&args.out, &args.upstream));
    tracing::info!(listen = %running.local_addr, upstream = %args.upstream, "recording");
    signals.recv().await;
    let written: Vec<String> = match running.recorder.lock() {
        Ok(r) => r
            .written()
            .iter()
            .map(|p| p.display().to_string())
            .collect(),
        Err(_) => Vec::new(),
    };
    tracing::info!(
        files = written.len(),
        "stopping: finishing in-flight exchanges"
    );
    running.shutdown().await;
    eprintln!(
        "record: {} scenario file(s) written: {}",
        written.len(),
        written.join(" ")
    );
    Ok(())
}
