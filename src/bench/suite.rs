//! The whole benchmark run behind `BENCHMARKS.md`: throughput of every RPC
//! against the ceiling and the grpc-js peer, the h2load cross-check,
//! startup, memory and how Add and List scale with the sessions stored.
//!
//! Rows run in rounds (every row once per round) and each row reports its
//! median round, so a burst of load from elsewhere on the machine hits the
//! mock and its baselines alike instead of one row.

use std::path::{Path, PathBuf};
use std::time::Duration;

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
    pub connections: usize,
    pub shape: Shape,
    pub rounds: usize,
    /// Sessions stored while List is measured (the target is for 10).
    pub list_sessions: usize,
    /// `node` and the grpc-js peer's `server.js`; `None` skips that baseline.
    pub grpc_js: Option<(PathBuf, PathBuf)>,
    /// `h2load`; `None` skips the cross-check.
    pub h2load: Option<PathBuf>,
    /// Session counts at which memory, Add and List are measured.
    pub scale_points: Vec<usize>,
    pub startup_runs: usize,
}

/// Which server a row measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Server {
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
pub struct Row {
    pub server: Server,
    pub transport: Transport,
    pub rpc: Rpc,
    pub stats: Stats,
}

#[derive(Debug, Clone, Serialize)]
pub struct H2Row {
    pub server: Server,
    pub rpc: Rpc,
    pub stats: H2loadStats,
}

/// Milliseconds from spawning `serve` to its ready line and to the first
/// answered call (medians and minimum of the runs).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Startup {
    pub runs: usize,
    pub ready_ms: f64,
    pub answered_ms: f64,
    pub answered_min_ms: f64,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct ScalePoint {
    pub sessions: usize,
    /// RSS with this many sessions, before any List (whose large response
    /// buffers the allocator may keep).
    pub rss_kb: u64,
    /// 1000 Adds starting at this many sessions.
    pub add: Stats,
    /// One ListAutopilotSessions of all of them (median of a few), in a
    /// separate process filled the same way.
    pub list_ms: f64,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct SuiteReport {
    pub connections: usize,
    pub in_flight: usize,
    pub seconds: f64,
    pub rounds: usize,
    pub list_sessions: usize,
    /// Size of the List response measured (protobuf bytes).
    pub list_response_bytes: usize,
    pub rows: Vec<Row>,
    pub h2load: Vec<H2Row>,
    pub cold: Startup,
    pub warm: Startup,
    pub rss_idle_kb: u64,
    pub scale: Vec<ScalePoint>,
    /// Load averages (1 min) before and after, to judge the noise.
    pub load_before: f64,
    pub load_after: f64,
}

/// One server under test and the credentials to call it.
struct Peer {
    proc: Proc,
    target: Target,
}

async fn start(cmd: tokio::process::Command, lit_dir: &Path) -> Result<Peer, String> {
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

    report.cold = startup(&config.exe, &scratch, config.startup_runs, false).await?;
    report.warm = startup(&config.exe, &scratch, config.startup_runs, true).await?;
    let (idle, scale) = scale(config, &scratch).await?;
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
            format!("/litrpc.Autopilot/{}", rpc.name()),
            prost::Message::encode_to_vec(&super::calls::add_request(
                super::calls::unix_now_secs() + 365 * 86_400,
            )),
        ),
        _ => (format!("/litrpc.Autopilot/{}", rpc.name()), Vec::new()),
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
        config.connections,
        config.shape,
    )
    .await
}

/// Median startup over `runs`; cold = a lit dir that does not exist yet.
async fn startup(
    exe: &Path,
    scratch: &ScratchDir,
    runs: usize,
    warm: bool,
) -> Result<Startup, String> {
    let warm_dir = scratch.child("warm");
    if warm {
        procs::startup_once(exe, &warm_dir).await?;
    }
    let mut ready = Vec::new();
    let mut answered = Vec::new();
    for i in 0..runs.max(1) {
        let dir = if warm {
            warm_dir.clone()
        } else {
            scratch.child(&format!("cold-{i}"))
        };
        let (r, a) = procs::startup_once(exe, &dir).await?;
        ready.push(r);
        answered.push(a);
    }
    ready.sort_by(f64::total_cmp);
    answered.sort_by(f64::total_cmp);
    Ok(Startup {
        runs: answered.len(),
        ready_ms: ready[ready.len() / 2],
        answered_ms: answered[answered.len() / 2],
        answered_min_ms: answered[0],
    })
}

/// Adds measured at each scale point (or fewer, if a row's duration runs
/// out first): enough, about half a second, that one scheduling hiccup does
/// not decide the figure.
pub const SCALE_ADDS: u64 = 5000;

/// Memory and Add at each scale point in one process (no List, so no large
/// freed buffers linger in the RSS), then List at each point in another.
async fn scale(
    config: &SuiteConfig,
    scratch: &ScratchDir,
) -> Result<(u64, Vec<ScalePoint>), String> {
    let lit = scratch.child("scale");
    let mem = start(procs::serve_command(&config.exe, &lit), &lit).await?;
    super::run_load(
        &mem.target,
        Rpc::ListSessions,
        Transport::Grpc,
        1,
        one_call(),
    )
    .await?;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let idle = mem.proc.rss_kb().unwrap_or(0);
    let mut points = Vec::new();
    let mut stored = 0;
    for &n in &config.scale_points {
        super::populate(&mem.target, n.saturating_sub(stored)).await?;
        stored = stored.max(n);
        tokio::time::sleep(Duration::from_millis(200)).await;
        let rss_kb = mem.proc.rss_kb().unwrap_or(0);
        let shape = Shape {
            in_flight: config.shape.in_flight,
            warmup: Duration::ZERO,
            duration: config.shape.duration,
            max_calls: Some(SCALE_ADDS),
        };
        let add = super::run_load(
            &mem.target,
            Rpc::AddSession,
            Transport::Grpc,
            config.connections,
            shape,
        )
        .await?;
        stored += (add.calls - add.errors) as usize;
        points.push(ScalePoint {
            sessions: n,
            rss_kb,
            add,
            list_ms: 0.0,
        });
    }
    mem.proc.stop().await;

    let lit = scratch.child("scale-list");
    let list = start(procs::serve_command(&config.exe, &lit), &lit).await?;
    let mut stored = 0;
    for point in &mut points {
        super::populate(&list.target, point.sessions.saturating_sub(stored)).await?;
        stored = stored.max(point.sessions);
        let calls = if point.sessions >= 50_000 { 3 } else { 7 };
        let mut shape = one_call();
        shape.max_calls = Some(calls);
        let stats =
            super::run_load(&list.target, Rpc::ListSessions, Transport::Grpc, 1, shape).await?;
        if stats.errors > 0 {
            return Err(format!("List failed: {:?}", stats.first_error));
        }
        point.list_ms = stats.p50_us / 1000.0;
    }
    list.proc.stop().await;
    Ok((idle, points))
}

/// Sequential calls, no warm-up, bounded by a call count.
fn one_call() -> Shape {
    Shape {
        in_flight: 1,
        warmup: Duration::ZERO,
        duration: Duration::from_secs(600),
        max_calls: Some(1),
    }
}

fn load_average() -> f64 {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .unwrap_or(0.0)
}
