//! The whole benchmark run behind `BENCHMARKS.md`: throughput of every RPC
//! against the ceiling and the grpc-js peer, the h2load cross-check,
//! startup, memory and how Add and List scale with the sessions stored.
//!
//! Rows run in rounds (every row once per round) and each row reports its
//! median round, so a burst of load from elsewhere on the machine hits the
//! mock and its baselines alike instead of one row.

use std::path::{Path, PathBuf};

use serde::Serialize;

use super::calls::{Rpc, Target, Transport};
use super::h2load::{self, H2loadStats};
use super::load::{Shape, Stats};
use super::procs::{self, Proc, ScratchDir};

/// What to run.
#[derive(Debug, Clone)]
pub struct SuiteConfig {
    /// The `autopilot-mock` binary to measure (normally the running one).
    pub exe: PathBuf,
    /// Client connections the load driver opens.
    pub connections: usize,
    /// How long each measurement runs and how many calls each connection
    /// keeps in flight.
    pub shape: Shape,
    /// Times each measurement is repeated (the report shows the median).
    pub rounds: usize,
    /// Sessions stored while List is measured (the target is for 10).
    pub list_sessions: usize,
    /// `node` and the grpc-js peer's `server.js`; `None` skips that baseline.
    pub grpc_js: Option<(PathBuf, PathBuf)>,
    /// `h2load`; `None` skips the cross-check.
    pub h2load: Option<PathBuf>,
    /// Requests in flight per connection under h2load (`-m`; issue #12's
    /// targets are for `-c 4 -m 16`).
    pub h2load_streams: usize,
    /// Session counts at which memory, Add and List are measured.
    pub scale_points: Vec<usize>,
    /// Times the start-up (to the ready line) is measured.
    pub startup_runs: usize,
}

/// Which server a row measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub(crate) enum Server {
    Mock,
    /// The mock with its per-call access log turned off (`RUST_LOG`), to
    /// show what the default log line costs.
    MockQuiet,
    Ceiling,
    /// The ceiling answering with as many bytes as the mock's List does.
    CeilingSized,
    GrpcJs,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct Row {
    pub(crate) server: Server,
    pub(crate) transport: Transport,
    pub(crate) rpc: Rpc,
    pub(crate) stats: Stats,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct H2Row {
    pub(crate) server: Server,
    pub(crate) rpc: Rpc,
    pub(crate) stats: H2loadStats,
}

/// Milliseconds from spawning `serve` to its ready line and to the first
/// answered call (medians and minimum of the runs).
#[derive(Debug, Clone, Default, Serialize)]
pub(crate) struct Startup {
    pub(crate) runs: usize,
    pub(crate) ready_ms: f64,
    pub(crate) answered_ms: f64,
    pub(crate) answered_min_ms: f64,
}

#[derive(Debug, Clone, Default, Serialize)]
pub(crate) struct ScalePoint {
    pub(crate) sessions: usize,
    /// RSS with this many sessions, before any List (whose large response
    /// buffers the allocator may keep).
    pub(crate) rss_kb: u64,
    /// 1000 Adds starting at this many sessions.
    pub(crate) add: Stats,
    /// One ListAutopilotSessions of all of them (median of a few), in a
    /// separate process filled the same way.
    pub(crate) list_ms: f64,
}

/// Every figure of a suite run (`bench --suite`), written as JSON and
/// rendered into BENCHMARKS.md.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SuiteReport {
    pub(crate) connections: usize,
    pub(crate) in_flight: usize,
    pub(crate) seconds: f64,
    pub(crate) rounds: usize,
    pub(crate) list_sessions: usize,
    /// Size of the List response measured (protobuf bytes).
    pub(crate) list_response_bytes: usize,
    pub(crate) rows: Vec<Row>,
    pub(crate) h2load: Vec<H2Row>,
    /// h2load's `-m` (its `-c` is `connections`).
    pub(crate) h2load_streams: usize,
    pub(crate) cold: Startup,
    pub(crate) warm: Startup,
    pub(crate) rss_idle_kb: u64,
    pub(crate) scale: Vec<ScalePoint>,
    /// Load averages (1 min) before and after, to judge the noise.
    pub(crate) load_before: f64,
    pub(crate) load_after: f64,
}

/// One server under test and the credentials to call it.
pub(super) struct Peer {
    pub(super) proc: Proc,
    pub(super) target: Target,
}

pub(super) async fn start(cmd: tokio::process::Command, lit_dir: &Path) -> Result<Peer, String> {
    let proc = Proc::spawn(cmd).await?;
    let target = procs::target(proc.addr()?, lit_dir, "regtest")?;
    Ok(Peer { proc, target })
}

/// The rows of one round: (server, instance, transport, rpc).
#[rustfmt::skip]
const PLAN: &[(Server, Instance, Transport, Rpc)] = &[
    (Server::Ceiling, Instance::Read, Transport::Grpc, Rpc::Echo),
    (Server::CeilingSized, Instance::Read, Transport::Grpc, Rpc::Echo),
    (Server::Mock, Instance::Read, Transport::Grpc, Rpc::ListSessions),
    (Server::MockQuiet, Instance::Read, Transport::Grpc, Rpc::ListSessions),
    (Server::GrpcJs, Instance::Read, Transport::Grpc, Rpc::ListSessions),
    (Server::Mock, Instance::Add, Transport::Grpc, Rpc::AddSession),
    (Server::GrpcJs, Instance::Add, Transport::Grpc, Rpc::AddSession),
    (Server::Mock, Instance::Read, Transport::Grpc, Rpc::ListFeatures),
    (Server::Mock, Instance::Add, Transport::Grpc, Rpc::RevokeSession),
    (Server::Mock, Instance::Read, Transport::Rest, Rpc::ListSessions),
    (Server::Mock, Instance::Add, Transport::Rest, Rpc::AddSession),
    (Server::Mock, Instance::Read, Transport::Rest, Rpc::ListFeatures),
    (Server::Mock, Instance::Add, Transport::Rest, Rpc::RevokeSession),
];

/// Adds pile up (and Revoke adds the session it revokes), so they get their
/// own server: the "read" one keeps exactly `list_sessions` sessions for List.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Instance {
    Read,
    Add,
}

/// Runs everything. Servers are killed when this returns.
pub async fn run(config: &SuiteConfig) -> Result<SuiteReport, String> {
    let mut report = SuiteReport {
        connections: config.connections,
        in_flight: config.shape.in_flight,
        seconds: config.shape.duration.as_secs_f64(),
        rounds: config.rounds,
        list_sessions: config.list_sessions,
        h2load_streams: config.h2load_streams,
        load_before: load_average(),
        ..Default::default()
    };
    let scratch = ScratchDir::new("suite")?;
    let lit = scratch.child("lit");
    // The read instance creates the credentials everyone else reuses.
    let mock_read = start(procs::serve_command(&config.exe, &lit), &lit).await?;
    let mock_add = start(procs::serve_command(&config.exe, &lit), &lit).await?;
    let mut quiet = procs::serve_command(&config.exe, &lit);
    quiet.env(
        "RUST_LOG",
        format!("info,{}=warn", crate::access_log::TARGET),
    );
    let mock_quiet = start(quiet, &lit).await?;
    let echo = start(procs::echo_command(&config.exe, &lit), &lit).await?;
    let (js_read, js_add) = match &config.grpc_js {
        Some((node, script)) => (
            Some(start(procs::grpc_js_command(node, script, &lit), &lit).await?),
            Some(start(procs::grpc_js_command(node, script, &lit), &lit).await?),
        ),
        None => (None, None),
    };
    super::populate(&mock_read.target, config.list_sessions).await?;
    super::populate(&mock_quiet.target, config.list_sessions).await?;
    if let Some(js) = &js_read {
        super::populate(&js.target, config.list_sessions).await?;
    }

    let mut echo_sized = echo.target.clone();
    let list_len = super::calls::list_response_len(&mock_read.target).await?;
    echo_sized.echo_reply_len = u32::try_from(list_len).map_err(|e| e.to_string())?;
    report.list_response_bytes = list_len;
    let pick = |server: Server, instance: Instance| -> Option<&Target> {
        match (server, instance) {
            (Server::Mock, Instance::Read) => Some(&mock_read.target),
            (Server::Mock, Instance::Add) => Some(&mock_add.target),
            (Server::MockQuiet, _) => Some(&mock_quiet.target),
            (Server::Ceiling, _) => Some(&echo.target),
            (Server::CeilingSized, _) => Some(&echo_sized),
            (Server::GrpcJs, Instance::Read) => js_read.as_ref().map(|p| &p.target),
            (Server::GrpcJs, Instance::Add) => js_add.as_ref().map(|p| &p.target),
        }
    };
    let mut rounds: Vec<Vec<Stats>> = vec![Vec::new(); PLAN.len()];
    for _ in 0..config.rounds.max(1) {
        for (i, &(server, instance, transport, rpc)) in PLAN.iter().enumerate() {
            let Some(target) = pick(server, instance) else {
                continue;
            };
            let stats =
                super::run_load(target, rpc, transport, config.connections, config.shape).await?;
            rounds[i].push(stats);
        }
    }
    for (i, &(server, _, transport, rpc)) in PLAN.iter().enumerate() {
        if let Some(stats) = median_by_rps(std::mem::take(&mut rounds[i])) {
            report.rows.push(Row {
                server,
                transport,
                rpc,
                stats,
            });
        }
    }

    if let Some(h2load) = &config.h2load {
        let cross = [
            (Server::Ceiling, Some(&echo), Rpc::Echo),
            (Server::CeilingSized, Some(&echo), Rpc::Echo),
            (Server::Mock, Some(&mock_read), Rpc::ListSessions),
            (Server::GrpcJs, js_read.as_ref(), Rpc::ListSessions),
            (Server::Mock, Some(&mock_add), Rpc::AddSession),
            (Server::GrpcJs, js_add.as_ref(), Rpc::AddSession),
        ];
        for (server, peer, rpc) in cross {
            let Some(peer) = peer else { continue };
            let reply_len = match server {
                Server::CeilingSized => echo_sized.echo_reply_len,
                _ => 0,
            };
            let stats = h2load_row(h2load, &scratch, peer, rpc, reply_len, config).await?;
            report.h2load.push(H2Row { server, rpc, stats });
        }
    }
    for peer in [
        Some(mock_read),
        Some(mock_add),
        Some(mock_quiet),
        Some(echo),
        js_read,
        js_add,
    ]
    .into_iter()
    .flatten()
    {
        peer.proc.stop().await;
    }

    report.cold =
        super::startup_scale::startup(&config.exe, &scratch, config.startup_runs, false).await?;
    report.warm =
        super::startup_scale::startup(&config.exe, &scratch, config.startup_runs, true).await?;
    let (idle, scale) = super::startup_scale::scale(config, &scratch).await?;
    report.rss_idle_kb = idle;
    report.scale = scale;
    report.load_after = load_average();
    Ok(report)
}

fn median_by_rps(mut runs: Vec<Stats>) -> Option<Stats> {
    runs.sort_by(|a, b| a.rps.total_cmp(&b.rps));
    let mid = runs.len() / 2;
    runs.into_iter().nth(mid)
}

/// One h2load run: the gRPC frame of the request as the body.
async fn h2load_row(
    h2load: &Path,
    scratch: &ScratchDir,
    peer: &Peer,
    rpc: Rpc,
    echo_reply_len: u32,
    config: &SuiteConfig,
) -> Result<H2loadStats, String> {
    let (path, message) = match rpc {
        Rpc::Echo => (
            super::echo::ECHO_PATH.to_string(),
            prost::Message::encode_to_vec(&super::echo::EchoMessage {
                payload: Vec::new(),
                reply_len: echo_reply_len,
            }),
        ),
        Rpc::AddSession => (
            full_method(rpc),
            prost::Message::encode_to_vec(&super::calls::add_request(
                super::calls::unix_now_secs() + 365 * 86_400,
            )),
        ),
        _ => (full_method(rpc), Vec::new()),
    };
    let mut frame = vec![0u8];
    frame.extend_from_slice(&(message.len() as u32).to_be_bytes());
    frame.extend_from_slice(&message);
    let body = scratch.child(&format!("{}-{echo_reply_len}.grpc", rpc.name()));
    std::fs::write(&body, frame).map_err(|e| format!("writing {}: {e}", body.display()))?;
    let url = format!("https://127.0.0.1:{}{path}", peer.target.addr.port());
    h2load::run(
        h2load,
        &body,
        &url,
        &peer.target.macaroon_hex,
        (config.connections, config.h2load_streams),
        config.shape,
    )
    .await
}

fn load_average() -> f64 {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .unwrap_or(0.0)
}

/// The gRPC path of a registry method the bench calls.
fn full_method(rpc: Rpc) -> String {
    rpc.method()
        .map_or(super::echo::ECHO_PATH, |m| m.full_method())
        .to_string()
}
