//! `autopilot-mock bench`: the load generator and the benchmark suite. Three
//! modes: `--serve-echo` serves the ceiling; `--target ADDR` drives one RPC
//! against a running server; neither runs the whole suite (spawning its own
//! servers) and prints the report.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{bail, Context};
use clap::{Args, ValueEnum};

use autopilot_mock::bench::{self, procs, suite, Rpc, Shape, Transport};
use autopilot_mock::server::defaults;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Markdown,
    Json,
}

#[derive(Args)]
#[command(after_help = "Examples:
  autopilot-mock bench --grpc-js benches/peers/grpc-js/server.js --h2load /usr/bin/h2load
  autopilot-mock bench --target 127.0.0.1:8443 --lit-dir ~/.autopilot-mock --rpc list-sessions -c 4 -m 32
  autopilot-mock bench --serve-echo --lit-dir ~/.autopilot-mock --listen 127.0.0.1:0

benches/run.sh runs the suite and writes BENCHMARKS.md.")]
pub struct BenchArgs {
    /// Serve the ceiling (a bare tonic echo service on the mock's TLS stack) instead of measuring.
    #[arg(long, env = "AUTOPILOT_MOCK_BENCH_SERVE_ECHO")]
    pub serve_echo: bool,
    /// Drive one RPC against the server at this address instead of running the suite.
    #[arg(long, env = "AUTOPILOT_MOCK_BENCH_TARGET")]
    pub target: Option<SocketAddr>,
    /// Lit dir with tls.cert and <network>/lit.macaroon (--target, --serve-echo).
    #[arg(long, env = "AUTOPILOT_MOCK_LIT_DIR")]
    pub lit_dir: Option<PathBuf>,
    #[arg(long, env = "AUTOPILOT_MOCK_NETWORK", default_value = defaults::NETWORK)]
    pub network: String,
    /// Where --serve-echo listens.
    #[arg(long, env = "AUTOPILOT_MOCK_LISTEN", default_value = "127.0.0.1:0")]
    pub listen: SocketAddr,
    /// The RPC --target drives.
    #[arg(
        long,
        env = "AUTOPILOT_MOCK_BENCH_RPC",
        value_enum,
        default_value = "list-sessions"
    )]
    pub rpc: Rpc,
    #[arg(
        long,
        env = "AUTOPILOT_MOCK_BENCH_TRANSPORT",
        value_enum,
        default_value = "grpc"
    )]
    pub transport: Transport,
    /// Sessions --target adds before measuring.
    #[arg(long, env = "AUTOPILOT_MOCK_BENCH_SESSIONS", default_value_t = 0)]
    pub sessions: usize,
    /// Connections (TCP + TLS + HTTP/2) per measured row.
    #[arg(
        short = 'c',
        long,
        env = "AUTOPILOT_MOCK_BENCH_CONNECTIONS",
        default_value_t = 4
    )]
    pub connections: usize,
    /// Requests in flight at once, spread over the connections.
    #[arg(
        short = 'm',
        long,
        env = "AUTOPILOT_MOCK_BENCH_IN_FLIGHT",
        default_value_t = 32
    )]
    pub in_flight: usize,
    /// Seconds measured per row.
    #[arg(long, env = "AUTOPILOT_MOCK_BENCH_DURATION", default_value_t = 5.0)]
    pub duration: f64,
    /// Seconds of uncounted warm-up per row.
    #[arg(long, env = "AUTOPILOT_MOCK_BENCH_WARMUP", default_value_t = 1.0)]
    pub warmup: f64,
    /// Stop a row after this many measured calls.
    #[arg(long, env = "AUTOPILOT_MOCK_BENCH_CALLS")]
    pub calls: Option<u64>,
    /// Suite: rounds of every row; each row reports its median round.
    #[arg(long, env = "AUTOPILOT_MOCK_BENCH_ROUNDS", default_value_t = 3)]
    pub rounds: usize,
    /// Suite: sessions stored while List is measured.
    #[arg(long, env = "AUTOPILOT_MOCK_BENCH_LIST_SESSIONS", default_value_t = 10)]
    pub list_sessions: usize,
    /// Suite: the grpc-js peer's server.js (benches/peers/grpc-js); needs NODE_PATH with @grpc/grpc-js.
    #[arg(long, env = "AUTOPILOT_MOCK_BENCH_GRPC_JS")]
    pub grpc_js: Option<PathBuf>,
    #[arg(long, env = "AUTOPILOT_MOCK_BENCH_NODE", default_value = "node")]
    pub node: PathBuf,
    /// Suite: h2load for the cross-check (Debian nghttp2-client).
    #[arg(long, env = "AUTOPILOT_MOCK_BENCH_H2LOAD")]
    pub h2load: Option<PathBuf>,
    /// Suite: requests in flight per connection under h2load (its -m; -c is --connections).
    #[arg(
        long,
        env = "AUTOPILOT_MOCK_BENCH_H2LOAD_STREAMS",
        default_value_t = 16
    )]
    pub h2load_streams: usize,
    /// Suite: session counts for memory and scaling.
    #[arg(
        long,
        env = "AUTOPILOT_MOCK_BENCH_SCALE",
        value_delimiter = ',',
        default_value = "1000,10000,100000"
    )]
    pub scale: Vec<usize>,
    /// Suite: startups measured, cold and warm each.
    #[arg(long, env = "AUTOPILOT_MOCK_BENCH_STARTUP_RUNS", default_value_t = 10)]
    pub startup_runs: usize,
    #[arg(
        long,
        env = "AUTOPILOT_MOCK_BENCH_FORMAT",
        value_enum,
        default_value = "markdown"
    )]
    pub format: Format,
}

fn seconds(s: f64) -> anyhow::Result<Duration> {
    Duration::try_from_secs_f64(s).with_context(|| format!("{s} is not a duration in seconds"))
}

pub async fn run(args: BenchArgs) -> anyhow::Result<()> {
    let shape = Shape {
        in_flight: args.in_flight.max(1),
        warmup: seconds(args.warmup)?,
        duration: seconds(args.duration)?,
        max_calls: args.calls,
    };
    if args.serve_echo {
        return serve_echo(&args).await;
    }
    if let Some(addr) = args.target {
        let lit_dir = lit_dir(&args)?;
        let target = procs::target(addr, &lit_dir, &args.network).map_err(anyhow::Error::msg)?;
        bench::populate(&target, args.sessions)
            .await
            .map_err(anyhow::Error::msg)?;
        let stats = bench::run_load(&target, args.rpc, args.transport, args.connections, shape)
            .await
            .map_err(anyhow::Error::msg)?;
        println!("{}", serde_json::to_string(&stats)?);
        return Ok(());
    }
    let config = suite::SuiteConfig {
        exe: std::env::current_exe().context("cannot find the autopilot-mock binary")?,
        connections: args.connections.max(1),
        shape,
        rounds: args.rounds.max(1),
        list_sessions: args.list_sessions,
        grpc_js: args.grpc_js.map(|script| (args.node, script)),
        h2load: args.h2load,
        h2load_streams: args.h2load_streams.max(1),
        scale_points: args.scale,
        startup_runs: args.startup_runs.max(1),
    };
    let report = suite::run(&config).await.map_err(anyhow::Error::msg)?;
    match args.format {
        Format::Markdown => print!("{}", report.markdown()),
        Format::Json => println!("{}", serde_json::to_string_pretty(&report)?),
    }
    Ok(())
}

fn lit_dir(args: &BenchArgs) -> anyhow::Result<PathBuf> {
    match &args.lit_dir {
        Some(dir) => Ok(dir.clone()),
        None => super::serve::default_lit_dir(),
    }
}

async fn serve_echo(args: &BenchArgs) -> anyhow::Result<()> {
    if args.target.is_some() {
        bail!("--serve-echo and --target are exclusive");
    }
    let mut signals = super::Signals::install()?;
    let running = bench::echo::start(&lit_dir(args)?, &args.network, args.listen).await?;
    println!(
        "{}",
        serde_json::json!({"listen": running.local_addr.to_string(), "pid": std::process::id()})
    );
    signals.recv().await;
    running.shutdown().await;
    Ok(())
}
