//! `autopilot-mock diff`: send the same calls to two servers (a reference,
//! e.g. litd, and a candidate, e.g. the mock) and report every difference.

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;

use super::check::{load_scenarios, MockHome, TransportArg};
use autopilot_mock::differential::generated::diff_generated;
use autopilot_mock::differential::report::{self, Compared};
use autopilot_mock::differential::scenarios::{diff_scenario, Side};
use autopilot_mock::fuzz::Target as FuzzTarget;
use autopilot_mock::scenario::admin::Admin;
use autopilot_mock::scenario::probe;
use autopilot_mock::scenario::runner::Powers;
use autopilot_mock::scenario::target::Target;
use autopilot_mock::server::defaults;

#[derive(Args)]
#[command(after_help = "Examples:
  autopilot-mock diff --reference localhost:8443 --reference-tls-cert ~/.lit/tls.cert \\
      --reference-macaroon ~/.lit/regtest/lit.macaroon \\
      --candidate localhost:9443 --candidate-tls-cert mock/tls.cert \\
      --candidate-macaroon mock/regtest/lit.macaroon            # the shipped scenarios
  autopilot-mock diff --reference ... --candidate ... recorded/ --junit diff.xml
  autopilot-mock diff --reference ... --candidate ... --generate 1000 --seed 7 --json diff.json

Each call goes to the reference, then the same call to the candidate; both
answers are normalised alike (per-run keys, secrets, IDs and timestamps become
their shapes) and compared: code, message, response. Differences are grouped
by kind (the call and what differs) with the smallest request showing each.
Exit status: 0 no difference, 1 any difference, 2 the run could not be made
(bad arguments or scenario files, a server unreachable, or refusing its TLS
certificate or macaroon).")]
pub struct DiffArgs {
    /// The reference server (e.g. litd), HOST:PORT.
    #[arg(long, env = "AUTOPILOT_MOCK_DIFF_REFERENCE")]
    pub reference: String,
    /// The reference's TLS certificate (tls.cert).
    #[arg(long, env = "AUTOPILOT_MOCK_DIFF_REFERENCE_TLS_CERT")]
    pub reference_tls_cert: PathBuf,
    /// The reference's macaroon (lit.macaroon).
    #[arg(long, env = "AUTOPILOT_MOCK_DIFF_REFERENCE_MACAROON")]
    pub reference_macaroon: PathBuf,
    /// The reference's macaroon root key, for read-only and uri: credentials.
    #[arg(long, env = "AUTOPILOT_MOCK_DIFF_REFERENCE_ROOT_KEY")]
    pub reference_root_key: Option<PathBuf>,
    /// The candidate server (e.g. autopilot-mock), HOST:PORT.
    #[arg(long, env = "AUTOPILOT_MOCK_DIFF_CANDIDATE")]
    pub candidate: String,
    /// The candidate's TLS certificate.
    #[arg(long, env = "AUTOPILOT_MOCK_DIFF_CANDIDATE_TLS_CERT")]
    pub candidate_tls_cert: PathBuf,
    /// The candidate's macaroon.
    #[arg(long, env = "AUTOPILOT_MOCK_DIFF_CANDIDATE_MACAROON")]
    pub candidate_macaroon: PathBuf,
    /// The candidate's macaroon root key, for read-only and uri: credentials.
    #[arg(long, env = "AUTOPILOT_MOCK_DIFF_CANDIDATE_ROOT_KEY")]
    pub candidate_root_key: Option<PathBuf>,
    /// Which transports to compare over.
    #[arg(
        long,
        value_enum,
        default_value = "both",
        env = "AUTOPILOT_MOCK_DIFF_TRANSPORT"
    )]
    pub transport: TransportArg,
    /// Instead of scenarios, send this many requests from the fuzzer's generator (valid and invalid).
    #[arg(
        long,
        env = "AUTOPILOT_MOCK_DIFF_GENERATE",
        conflicts_with = "scenarios"
    )]
    pub generate: Option<u64>,
    /// The generator's seed; the same seed sends the same requests [default: random, printed].
    #[arg(long, env = "AUTOPILOT_MOCK_DIFF_SEED", requires = "generate")]
    pub seed: Option<u64>,
    /// Seconds to wait for each generated request's answer.
    #[arg(long, env = "AUTOPILOT_MOCK_DIFF_TIMEOUT", default_value_t = 10)]
    pub timeout: u64,
    /// Write a JUnit XML report here.
    #[arg(long, env = "AUTOPILOT_MOCK_DIFF_JUNIT")]
    pub junit: Option<PathBuf>,
    /// Write a JSON report here.
    #[arg(long, env = "AUTOPILOT_MOCK_DIFF_JSON")]
    pub json: Option<PathBuf>,
    /// Do not use the servers' admin API (reset, stub script, clock) even if they have one.
    #[arg(long, env = "AUTOPILOT_MOCK_DIFF_NO_ADMIN")]
    pub no_admin: bool,
    /// Scenario files or directories [default: the shipped scenarios].
    pub scenarios: Vec<PathBuf>,
}

/// One server as the flags name it.
pub(crate) struct Server {
    pub shown: String,
    pub addr: std::net::SocketAddr,
    pub cert: String,
    pub macaroon: Vec<u8>,
    pub root_key: Option<[u8; 32]>,
}

impl Server {
    async fn from_flags(
        role: &str,
        target: &str,
        cert: &std::path::Path,
        macaroon: &std::path::Path,
        root_key: Option<&std::path::Path>,
    ) -> anyhow::Result<Server> {
        let macaroon = super::read_macaroon_file(&format!("--{role}-macaroon"), macaroon)?;
        let cert = super::read_pem_file(&format!("--{role}-tls-cert"), cert)?;
        let root_key = match root_key {
            None => None,
            Some(path) => {
                let bytes = super::read_flag_file(&format!("--{role}-root-key"), path)?;
                Some(<[u8; 32]>::try_from(bytes.as_slice()).map_err(|_| {
                    anyhow::anyhow!(
                        "--{role}-root-key {} must hold 32 bytes, it holds {}",
                        path.display(),
                        bytes.len()
                    )
                })?)
            }
        };
        let addr = tokio::net::lookup_host(target)
            .await
            .with_context(|| format!("cannot resolve --{role} {target}"))?
            .next()
            .with_context(|| format!("--{role} {target} resolves to no address"))?;
        probe::reachable(addr, target, Some(&cert))
            .await
            .map_err(|e| anyhow::anyhow!("{role}: {e}"))?;
        Ok(Server {
            shown: target.to_string(),
            addr,
            cert,
            macaroon,
            root_key,
        })
    }
}

/// Runs the comparison; `Ok(true)` when the servers never differed. An
/// error means it could not be made (exit 2).
pub async fn run(args: DiffArgs) -> anyhow::Result<bool> {
    let reference = Server::from_flags(
        "reference",
        &args.reference,
        &args.reference_tls_cert,
        &args.reference_macaroon,
        args.reference_root_key.as_deref(),
    )
    .await?;
    let candidate = Server::from_flags(
        "candidate",
        &args.candidate,
        &args.candidate_tls_cert,
        &args.candidate_macaroon,
        args.candidate_root_key.as_deref(),
    )
    .await?;
    let transports = args.transport.transports();
    let compared = match args.generate {
        Some(n) => {
            let seed = args.seed.unwrap_or_else(rand::random);
            eprintln!("diff: {n} generated requests, seed {seed}");
            let timeout = std::time::Duration::from_secs(args.timeout.max(1));
            let fuzz_target =
                |s: &Server| FuzzTarget::new(s.addr, &s.cert, hex::encode(&s.macaroon), timeout);
            let (r, c) = (fuzz_target(&reference)?, fuzz_target(&candidate)?);
            diff_generated(&r, &c, transports, n, seed, defaults::MAX_MESSAGE_BYTES).await
        }
        None => {
            let scenarios = load_scenarios(&args.scenarios)?;
            diff_scenarios(
                &reference,
                &candidate,
                &scenarios,
                transports,
                args.no_admin,
            )
            .await?
        }
    };
    print!("{}", report::text(&compared));
    if let Some(path) = &args.junit {
        std::fs::write(path, report::junit(&compared))
            .with_context(|| format!("cannot write --junit {}", path.display()))?;
    }
    if let Some(path) = &args.json {
        let text = serde_json::to_string_pretty(&report::json(&compared))?;
        std::fs::write(path, text)
            .with_context(|| format!("cannot write --json {}", path.display()))?;
    }
    Ok(report::totals(&compared).kinds == 0)
}

async fn connect(server: &Server, role: &str) -> anyhow::Result<Target> {
    Target::connect(server.addr, &server.cert, server.macaroon.clone())
        .await
        .map_err(|e| anyhow::anyhow!("{role} {}: {e}", server.shown))
}

async fn diff_scenarios(
    reference: &Server,
    candidate: &Server,
    scenarios: &[(String, autopilot_mock::scenario::Scenario)],
    transports: &[autopilot_mock::scenario::Transport],
    no_admin: bool,
) -> anyhow::Result<Vec<Compared>> {
    let r_target = connect(reference, "reference").await?;
    let c_target = connect(candidate, "candidate").await?;
    for &t in transports {
        probe::credentials(&r_target, t)
            .await
            .map_err(|e| anyhow::anyhow!("reference: {e}"))?;
        probe::credentials(&c_target, t)
            .await
            .map_err(|e| anyhow::anyhow!("candidate: {e}"))?;
    }
    let (r_admin, c_admin) = (Admin::new(&r_target), Admin::new(&c_target));
    let r_home = MockHome::read(&r_admin, no_admin).await;
    let c_home = MockHome::read(&c_admin, no_admin).await;
    // As in `check`: each scenario's reset restores the start-up script;
    // the one the server runs now is put back afterwards.
    let side = |target, admin, home: &MockHome, root_key| Side {
        target,
        powers: Powers {
            admin: home.has_admin.then_some(admin),
            root_key,
        },
    };
    let r_side = side(&r_target, &r_admin, &r_home, reference.root_key);
    let c_side = side(&c_target, &c_admin, &c_home, candidate.root_key);
    let mut compared = Vec::new();
    for (file, scenario) in scenarios {
        for &t in transports {
            if scenario.runs_over(t) {
                compared.extend(diff_scenario(scenario, file, t, &r_side, &c_side).await);
            }
        }
    }
    r_home.restore(&r_admin).await;
    c_home.restore(&c_admin).await;
    Ok(compared)
}
