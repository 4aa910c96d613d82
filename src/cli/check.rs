//! `autopilot-mock check`: run scenarios against any litrpc.Autopilot server.

use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, ValueEnum};

use autopilot_mock::scenario::admin::Admin;
use autopilot_mock::scenario::model::collect_paths;
use autopilot_mock::scenario::runner::{self, Powers};
use autopilot_mock::scenario::target::Target;
use autopilot_mock::scenario::{probe, report, shipped, Scenario, Transport};

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

  autopilot-mock check --target localhost:8443 --tls-cert lit/tls.cert \\
      --macaroon lit/regtest/lit.macaroon            # the shipped scenarios, built in

Exit status: 0 if every step held, 1 if any failed, 2 if the run could not be
judged (bad arguments or scenario files, no scenarios, the target unreachable,
or refusing the TLS certificate or the macaroon; the cause is printed).
On a mock, each scenario starts from no sessions and the stub script the mock
started with, as `POST reset` restores it (unless its setup says otherwise);
when done, check resets the mock and puts its script and clock back.
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
    /// Scenario files or directories of them [default: the shipped scenarios,
    /// built into the binary; `autopilot-mock scenarios export DIR` writes them out].
    pub scenarios: Vec<PathBuf>,
}

/// Runs the check; `Ok(true)` if every step held. An error means the run
/// could not be judged (exit 2): bad flags or files, no scenarios, a target
/// that cannot be reached or refuses the TLS certificate or the macaroon.
pub async fn run(args: CheckArgs) -> anyhow::Result<bool> {
    let macaroon = super::read_macaroon_file("--macaroon", &args.macaroon)?;
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
    let scenarios = load_scenarios(&args.scenarios)?;
    let addr = super::resolve_target(&args.target).await?;

    let cert = match (&args.tls_cert, args.plaintext) {
        (_, true) => None,
        (Some(path), false) => Some(super::read_pem_file("--tls-cert", path)?),
        (None, false) => anyhow::bail!("--tls-cert is required without --plaintext"),
    };
    probe::reachable(addr, &args.target, cert.as_deref()).await?;
    let target = match &cert {
        None => Target::plaintext(addr, macaroon),
        Some(cert) => Target::connect(addr, cert, macaroon).await,
    }
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    let transports = args.transport.transports();
    for &t in transports {
        probe::credentials(&target, t).await?;
    }

    let admin = Admin::new(&target);
    let home = MockHome::read(&admin, args.no_admin).await;
    let powers = Powers {
        admin: home.has_admin.then_some(&admin),
        root_key,
        // Each scenario's reset gives the mock back the script it started
        // with (`POST reset`), so a script put since (the README's admin
        // example) does not leak into the scenarios; `home.restore` puts it
        // back when the run is done.
        script: None,
    };
    let mut reports = Vec::new();
    for (file, scenario) in &scenarios {
        for &t in transports {
            if scenario.runs_over(t) {
                reports.push(runner::run(scenario, file, t, &target, &powers).await);
            }
        }
    }
    home.restore(&admin).await;
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

impl TransportArg {
    /// The transports this choice names, in the order they run.
    pub fn transports(self) -> &'static [Transport] {
        match self {
            TransportArg::Grpc => &[Transport::Grpc],
            TransportArg::Rest => &[Transport::Rest],
            TransportArg::Both => &[Transport::Grpc, Transport::Rest],
            TransportArg::GrpcWeb => &[Transport::GrpcWeb],
            TransportArg::All => &[Transport::Grpc, Transport::Rest, Transport::GrpcWeb],
        }
    }
}

/// What a run changes on a mock and puts back afterwards: its stub script
/// and its clock (`None`s when the target has no admin API).
pub struct MockHome {
    pub has_admin: bool,
    pub script: Option<serde_json::Value>,
    clock_offset: Option<i64>,
}

impl MockHome {
    /// Reads the target's script and clock, if it has the admin API (and
    /// `no_admin` is off).
    pub async fn read(admin: &Admin<'_>, no_admin: bool) -> MockHome {
        let has_admin = !no_admin && admin.available().await;
        if !has_admin {
            return MockHome {
                has_admin,
                script: None,
                clock_offset: None,
            };
        }
        MockHome {
            has_admin,
            script: admin.script().await.ok(),
            clock_offset: admin.clock_now().await.ok().map(|now| now - unix_now()),
        }
    }

    /// Scenarios reset the mock before they run; the last one's sessions go
    /// too, so the target is left as a fresh mock with its own script and clock.
    pub async fn restore(&self, admin: &Admin<'_>) {
        if self.has_admin {
            if let Err(e) = admin.reset().await {
                tracing::warn!("could not reset the target after the run: {e}");
            }
        }
        if let Some(script) = &self.script {
            if let Err(e) = admin.set_script(script).await {
                tracing::warn!("could not put the target's stub script back: {e}");
            }
        }
        if let Some(offset) = self.clock_offset {
            if let Err(e) = admin.set_clock_unix(unix_now() + offset).await {
                tracing::warn!("could not put the target's clock back: {e}");
            }
        }
    }
}

fn unix_now() -> i64 {
    autopilot_mock::domain::clock::unix_secs(std::time::SystemTime::now())
}

/// The scenarios the paths name, or the shipped ones for no path; each
/// checked when loaded. None at all is an error: nothing would be judged.
pub fn load_scenarios(inputs: &[PathBuf]) -> anyhow::Result<Vec<(String, Scenario)>> {
    if inputs.is_empty() {
        return shipped::server_scenarios()
            .map(|(path, text)| {
                let origin = format!("scenarios/{path} (built in)");
                Ok((origin.clone(), Scenario::parse(text, &origin)?))
            })
            .collect();
    }
    let paths = collect_paths(inputs)?;
    if paths.is_empty() {
        let shown: Vec<String> = inputs.iter().map(|p| p.display().to_string()).collect();
        anyhow::bail!(
            "no scenario files in {} (a directory's *.json files are read, not its sub-directories)",
            shown.join(", ")
        );
    }
    paths
        .iter()
        .map(|p| Ok((p.display().to_string(), Scenario::load(p)?)))
        .collect()
}
