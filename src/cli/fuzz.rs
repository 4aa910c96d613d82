//! `autopilot-mock fuzz`: a thin layer over [`autopilot_mock::fuzz`].
//! Exit status: 0 no anomaly, 1 anomalies found (or a replay still fails),
//! 2 the run could not be made (bad flags, unreadable files, server gone).

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, ValueEnum};

use autopilot_mock::fuzz::{self, Budget, FuzzConfig, Target, Transport};
use autopilot_mock::server::defaults;

#[derive(Clone, Copy, ValueEnum)]
pub enum TransportArg {
    Grpc,
    Rest,
    /// gRPC and REST.
    Both,
    /// grpc-web (binary and text).
    GrpcWeb,
    /// gRPC, REST and grpc-web.
    All,
}

#[derive(Args)]
#[command(after_help = "Examples:
  autopilot-mock fuzz --target 127.0.0.1:8443 --tls-cert ~/.lit/tls.cert \\
      --macaroon ~/.lit/regtest/lit.macaroon --duration 60 --out fuzz-out
  autopilot-mock fuzz --target localhost:8443 --tls-cert tls.cert --macaroon lit.macaroon \\
      --transport grpc --iterations 5000 --seed 7
  autopilot-mock fuzz --target 127.0.0.1:8443 --tls-cert tls.cert --macaroon lit.macaroon \\
      --replay fuzz-out/anomaly-seed7-iter123.json

Prints a progress line on stderr each second and a JSON summary on stdout.
Each anomaly (reset, timeout, answer without a status) is written to --out
as a reproducer that --replay sends again. Exit: 0 clean, 1 anomalies, 2 error.
The run adds and revokes sessions on the target: point it at a test server.")]
pub struct FuzzArgs {
    /// Server to fuzz, HOST:PORT.
    #[arg(long, env = "AUTOPILOT_MOCK_FUZZ_TARGET")]
    pub target: String,
    /// The server's TLS certificate (pinned, as litd's self-signed one must be).
    #[arg(long, env = "AUTOPILOT_MOCK_FUZZ_TLS_CERT")]
    pub tls_cert: PathBuf,
    /// Binary macaroon file sent with well-formed calls (e.g. lit.macaroon).
    #[arg(long, env = "AUTOPILOT_MOCK_FUZZ_MACAROON")]
    pub macaroon: PathBuf,
    /// Which request decoding to fuzz: grpc, rest (litd's REST gateway), or both.
    #[arg(
        long,
        value_enum,
        env = "AUTOPILOT_MOCK_FUZZ_TRANSPORT",
        default_value = "both"
    )]
    pub transport: TransportArg,
    /// Run for this many seconds [default: 30 when --iterations is not given].
    #[arg(
        long,
        env = "AUTOPILOT_MOCK_FUZZ_DURATION",
        conflicts_with = "iterations"
    )]
    pub duration: Option<u64>,
    /// Run exactly this many inputs.
    #[arg(long, env = "AUTOPILOT_MOCK_FUZZ_ITERATIONS")]
    pub iterations: Option<u64>,
    /// Seed of the run; the same seed sends the same inputs [default: random, printed].
    #[arg(long, env = "AUTOPILOT_MOCK_FUZZ_SEED")]
    pub seed: Option<u64>,
    /// Directory for reproducer files.
    #[arg(long, env = "AUTOPILOT_MOCK_FUZZ_OUT")]
    pub out: Option<PathBuf>,
    /// Seconds to wait for each answer before counting a timeout.
    #[arg(long, env = "AUTOPILOT_MOCK_FUZZ_TIMEOUT", default_value_t = 10)]
    pub timeout: u64,
    /// The target's message size limit (for frames just over it).
    #[arg(long, env = "AUTOPILOT_MOCK_FUZZ_MAX_MESSAGE_BYTES", default_value_t = defaults::MAX_MESSAGE_BYTES)]
    pub max_message_bytes: usize,
    /// Send this reproducer file again and report its outcome, instead of fuzzing.
    #[arg(long, env = "AUTOPILOT_MOCK_FUZZ_REPLAY", conflicts_with_all = ["duration", "iterations", "seed", "out"])]
    pub replay: Option<PathBuf>,
}

/// Runs the fuzzer (or a replay); `Ok(true)` when no anomaly was seen.
pub async fn run(args: FuzzArgs) -> anyhow::Result<bool> {
    let addr = super::resolve_target(&args.target).await?;
    let cert = super::read_pem_file("--tls-cert", &args.tls_cert)?;
    let macaroon = super::read_macaroon_file("--macaroon", &args.macaroon)?;
    let target = Target::new(
        addr,
        &cert,
        hex::encode(macaroon),
        Duration::from_secs(args.timeout.max(1)),
    )?;

    if let Some(path) = &args.replay {
        let repro = fuzz::read_reproducer(path)?;
        let outcome = fuzz::replay(&target, &repro).await;
        let report = serde_json::json!({
            "replay": path,
            "what": repro.case.what,
            "recorded": repro.outcome,
            "outcome": outcome,
            "anomaly": outcome.is_anomaly(),
        });
        println!("{report}");
        return Ok(!outcome.is_anomaly());
    }

    let seed = args.seed.unwrap_or_else(rand::random);
    let budget = match (args.iterations, args.duration) {
        (Some(n), _) => Budget::Iterations(n),
        (None, Some(secs)) => Budget::Duration(Duration::from_secs(secs)),
        (None, None) => Budget::Duration(Duration::from_secs(30)),
    };
    let transports = match args.transport {
        TransportArg::Grpc => vec![Transport::Grpc],
        TransportArg::Rest => vec![Transport::Rest],
        TransportArg::Both => vec![Transport::Grpc, Transport::Rest],
        TransportArg::GrpcWeb => vec![Transport::GrpcWeb],
        TransportArg::All => vec![Transport::Grpc, Transport::Rest, Transport::GrpcWeb],
    };
    eprintln!("fuzz: target {addr}, seed {seed}, {budget:?}");
    let config = FuzzConfig {
        target,
        transports,
        budget,
        seed,
        out: args.out,
        max_message_bytes: args.max_message_bytes,
        max_connect_failures: 3,
    };
    let summary = fuzz::run(&config, |s| eprintln!("{}", fuzz::progress_line(s))).await?;
    eprintln!("{}", fuzz::progress_line(&summary));
    println!("{}", serde_json::to_string(&summary)?);
    if let Some(reason) = &summary.aborted {
        anyhow::bail!("fuzzing stopped early: {reason}");
    }
    Ok(summary.anomalies == 0)
}
