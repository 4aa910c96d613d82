//! `autopilot-mock check`: run scenarios against any litrpc.Autopilot server.

use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, ValueEnum};

use autopilot_mock::scenario::admin::Admin;
use autopilot_mock::scenario::model::collect_paths;
use autopilot_mock::scenario::runner::{self, Powers};
use autopilot_mock::scenario::target::Target;
use autopilot_mock::scenario::{report, Scenario, Transport};

#[derive(Clone, Copy, ValueEnum)]
pub enum TransportArg {
    Grpc,
    Rest,
    /// gRPC and REST.
    Both,
    /// grpc-web (binary), on the same port.
    GrpcWeb,
    /// gRPC, REST and grpc-web.
    All,
}

#[derive(Args)]
#[command(after_help = "Examples:
  autopilot-mock check --target 127.0.0.1:8443 --tls-cert ~/.lit/tls.cert \\
      --macaroon ~/.lit/mainnet/lit.macaroon scenarios/
  autopilot-mock check --target localhost:8443 --tls-cert lit/tls.cert \\
      --macaroon lit/regtest/lit.macaroon --transport both --junit report.xml scenarios/add-session.json

Exit status: 0 if every step held, 1 if any failed, 2 for bad arguments or files.
Steps that need powers the target does not give (the mock's admin API for clock
moves and stub checks, --root-key for read-only macaroons) are skipped and listed.")]
pub struct CheckArgs {
    /// The server under test (litd or autopilot-mock), HOST:PORT.
    #[arg(long, env = "AUTOPILOT_MOCK_TARGET")]
    pub target: String,
    /// Its TLS certificate (tls.cert).
    #[arg(
        long,
        env = "AUTOPILOT_MOCK_TLS_CERT",
        required_unless_present = "plaintext"
    )]
    pub tls_cert: Option<PathBuf>,
    /// Its macaroon (lit.macaroon, binary).
    #[arg(long, env = "AUTOPILOT_MOCK_MACAROON")]
    pub macaroon: PathBuf,
    /// Which transports to check.
    #[arg(
        long,
        value_enum,
        default_value = "both",
        env = "AUTOPILOT_MOCK_TRANSPORT"
    )]
    pub transport: TransportArg,
    /// Write a JUnit XML report here.
    #[arg(long, env = "AUTOPILOT_MOCK_JUNIT")]
    pub junit: Option<PathBuf>,
    /// Write a JSON report here.
    #[arg(long, env = "AUTOPILOT_MOCK_JSON")]
    pub json: Option<PathBuf>,
    /// The target's 32-byte macaroon root key (the mock's <lit-dir>/<network>/macaroons.key),
    /// for steps with read-only or uri: credentials.
    #[arg(long, env = "AUTOPILOT_MOCK_ROOT_KEY")]
    pub root_key: Option<PathBuf>,
    /// Speak plaintext (h2c and http) instead of TLS: for test doubles or a
    /// server behind a TLS terminator. --tls-cert is then not read.
    #[arg(long, env = "AUTOPILOT_MOCK_PLAINTEXT")]
    pub plaintext: bool,
    /// Do not use the mock's admin API even if the target has one.
    #[arg(long, env = "AUTOPILOT_MOCK_NO_ADMIN")]
    pub no_admin: bool,
    /// Scenario files or directories of them.
    #[arg(required = true)]
    pub scenarios: Vec<PathBuf>,
}

/// Runs the check; `Ok(true)` if every step held.
pub async fn run(args: CheckArgs) -> anyhow::Result<bool> {
    let macaroon = super::read_flag_file("--macaroon", &args.macaroon)?;
    let root_key = match &args.root_key {
        None => None,
        Some(path) => {
            let bytes = super::read_flag_file("--root-key", path)?;
            Some(<[u8; 32]>::try_from(bytes.as_slice()).map_err(|_| {
                anyhow::anyhow!(
                    "--root-key {} must hold 32 bytes, it holds {}",
                    path.display(),
                    bytes.len()
                )
            })?)
        }
    };
    let addr = super::resolve_target(&args.target).await?;

    let paths = collect_paths(&args.scenarios)?;
    let scenarios = paths
        .iter()
        .map(|p| Scenario::load(p).map(|s| (p.display().to_string(), s)))
        .collect::<Result<Vec<_>, _>>()?;

    let target = match (&args.tls_cert, args.plaintext) {
        (_, true) => Target::plaintext(addr, macaroon),
        (Some(path), false) => {
            let cert =
                String::from_utf8_lossy(&super::read_flag_file("--tls-cert", path)?).into_owned();
            Target::connect(addr, &cert, macaroon).await
        }
        (None, false) => Err("--tls-cert is required without --plaintext".to_string()),
    }
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    let admin = Admin::new(&target);
    let has_admin = !args.no_admin && admin.available().await;
    let powers = Powers {
        admin: has_admin.then_some(&admin),
        root_key,
    };
    let transports: &[Transport] = match args.transport {
        TransportArg::Grpc => &[Transport::Grpc],
        TransportArg::Rest => &[Transport::Rest],
        TransportArg::Both => &[Transport::Grpc, Transport::Rest],
        TransportArg::GrpcWeb => &[Transport::GrpcWeb],
        TransportArg::All => &[Transport::Grpc, Transport::Rest, Transport::GrpcWeb],
    };
    let mut reports = Vec::new();
    for (file, scenario) in &scenarios {
        for &t in transports {
            if scenario.runs_over(t) {
                reports.push(runner::run(scenario, file, t, &target, &powers).await);
            }
        }
    }
    print!("{}", report::text(&reports));
    if let Some(path) = &args.junit {
        std::fs::write(path, report::junit(&reports))
            .with_context(|| format!("cannot write --junit {}", path.display()))?;
    }
    if let Some(path) = &args.json {
        let text = serde_json::to_string_pretty(&report::json(&reports))?;
        std::fs::write(path, text)
            .with_context(|| format!("cannot write --json {}", path.display()))?;
    }
    Ok(report::totals(&reports).failed == 0)
}
