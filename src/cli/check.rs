//! `autopilot-mock check`: run scenarios against any litrpc.Autopilot server.

use std::path::{Path, PathBuf};

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
    /// built into the binary; `autopilot-mock scenarios export DIR` writes them out;
    /// a `scenarios/...` path that is not there is the built-in copy].
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
    if args.plaintext && speaks_tls(addr).await {
        anyhow::bail!(
            "--target {} ({addr}) speaks TLS, but --plaintext was given: give --tls-cert (the server's tls.cert) instead",
            args.target
        );
    }
    let target = match &cert {
        None => Target::plaintext(addr, macaroon),
        Some(cert) => Target::connect(addr, cert, macaroon).await,
    }
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    let transports = args.transport.transports();
    for &t in transports {
        probe::credentials(&target, t).await.map_err(|e| match args.plaintext {
            true => anyhow::anyhow!(
                "{e} (with --plaintext: does the target speak TLS? litd always does; give --tls-cert instead)"
            ),
            false => e.into(),
        })?;
    }
    warn_without_autopilot(&target).await;

    let admin = Admin::new(&target);
    let home = MockHome::read(&admin, args.no_admin).await;
    // Each scenario's reset gives the mock back the script it started with
    // (`POST reset`), so a script put since (the README's admin example)
    // does not leak into the scenarios; `home.restore` puts it back when
    // the run is done.
    let powers = Powers {
        admin: home.has_admin.then_some(&admin),
        root_key,
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

/// A target that answers `litrpc.Autopilot` with Unimplemented fails every
/// Autopilot step: litd with `autopilot.disable`, or not litd's port at all
/// (lnd's, the autopilot server's). Said once, before the run.
async fn warn_without_autopilot(target: &Target) {
    let macaroon = [hex::encode(&target.macaroon)];
    let request = serde_json::json!({});
    let call = target.call(
        Transport::Grpc,
        autopilot_mock::scenario::model::Rpc::ListAutopilotSessions,
        &request,
        &macaroon,
    );
    if let Ok(Ok(outcome)) = tokio::time::timeout(std::time::Duration::from_secs(10), call).await {
        if outcome.code == 12 {
            tracing::warn!(
                "the target does not serve litrpc.Autopilot (ListAutopilotSessions: Unimplemented {:?}): \
                 litd with autopilot.disable, or is --target not litd's port?",
                outcome.message
            );
        }
    }
}

/// Whether the server at `addr` answers a plaintext HTTP request as a TLS
/// server does: with a TLS record (rustls: an alert) or Go's
/// `Client sent an HTTP request to an HTTPS server` (litd). Unsure is `false`.
async fn speaks_tls(addr: std::net::SocketAddr) -> bool {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let probe = async {
        let mut tcp = tokio::net::TcpStream::connect(addr).await.ok()?;
        tcp.write_all(b"GET / HTTP/1.1\r\nHost: autopilot-mock\r\n\r\n")
            .await
            .ok()?;
        let mut answer = vec![0u8; 512];
        let n = tcp.read(&mut answer).await.ok()?;
        let answer = &answer[..n];
        // 0x15 alert, 0x16 handshake, then the record version 3.x.
        let tls_record = matches!(answer, [0x15 | 0x16, 3, ..]);
        let go = String::from_utf8_lossy(answer).contains("HTTP request to an HTTPS server");
        Some(tls_record || go)
    };
    tokio::time::timeout(std::time::Duration::from_secs(5), probe)
        .await
        .ok()
        .flatten()
        .unwrap_or(false)
}

fn unix_now() -> i64 {
    autopilot_mock::domain::clock::unix_secs(std::time::SystemTime::now())
}

/// The scenarios the paths name, or the shipped ones for no path; each
/// checked when loaded. None at all is an error: nothing would be judged.
/// A shipped path that is not there (`scenarios/...` outside a checkout, as
/// the README's examples write it) is the built-in copy.
pub fn load_scenarios(inputs: &[PathBuf]) -> anyhow::Result<Vec<(String, Scenario)>> {
    if inputs.is_empty() {
        return shipped::server_scenarios().map(parse_built_in).collect();
    }
    let mut scenarios = Vec::new();
    for input in inputs {
        if let Some(files) = built_in(input) {
            scenarios.extend(
                files
                    .into_iter()
                    .map(parse_built_in)
                    .collect::<Result<Vec<_>, _>>()?,
            );
            continue;
        }
        for path in collect_paths(std::slice::from_ref(input))? {
            scenarios.push((path.display().to_string(), Scenario::load(&path)?));
        }
    }
    if scenarios.is_empty() {
        let shown: Vec<String> = inputs.iter().map(|p| p.display().to_string()).collect();
        anyhow::bail!(
            "no scenario files in {} (a directory's *.json files are read, not its sub-directories)",
            shown.join(", ")
        );
    }
    Ok(scenarios)
}

fn parse_built_in((path, text): (&str, &str)) -> anyhow::Result<(String, Scenario)> {
    let origin = format!("scenarios/{path} (built in)");
    Ok((origin.clone(), Scenario::parse(text, &origin)?))
}

/// The shipped files a path names when it is not there: `scenarios/X.json`
/// (or `./scenarios/X.json`) is that file, `scenarios/` the ones `check`
/// runs by default, `scenarios/DIR/` the files directly in that shipped
/// directory. `None` for a path that exists or names no shipped file.
pub fn built_in(path: &Path) -> Option<Vec<(&'static str, &'static str)>> {
    if path.exists() {
        return None;
    }
    let text = path.to_str()?;
    let text = text
        .strip_prefix("./")
        .unwrap_or(text)
        .trim_end_matches('/');
    if text == "scenarios" {
        tracing::info!("{} is not here: the built-in scenarios", path.display());
        return Some(shipped::server_scenarios().collect());
    }
    let rel = text.strip_prefix("scenarios/")?;
    if let Some(file) = shipped::files()
        .iter()
        .copied()
        .find(|(p, _)| *p == rel && *p != "schema.json")
    {
        tracing::info!("{} is not here: its built-in copy", path.display());
        return Some(vec![file]);
    }
    // A shipped sub-directory (`scenarios/ui-password/`): its files.
    let dir: Vec<_> = shipped::files()
        .iter()
        .copied()
        .filter(|(p, _)| {
            p.strip_prefix(rel)
                .and_then(|rest| rest.strip_prefix('/'))
                .is_some_and(|name| !name.contains('/'))
        })
        .collect();
    if dir.is_empty() {
        return None;
    }
    tracing::info!("{} is not here: the built-in copies", path.display());
    Some(dir)
}
