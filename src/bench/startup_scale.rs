//! The suite's measurements off the hot path: time from spawn to the first
//! answered call (cold and warm), and memory, Add and List as sessions pile up.

use std::path::Path;
use std::time::Duration;

use super::calls::{Rpc, Transport};
use super::load::Shape;
use super::procs::{self, ScratchDir};
use super::suite::{start, ScalePoint, Startup, SuiteConfig};

/// Median startup over `runs`; cold = a lit dir that does not exist yet.
pub(super) async fn startup(
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
pub(crate) const SCALE_ADDS: u64 = 5000;

/// Memory and Add at each scale point in one process (no List, so no large
/// freed buffers linger in the RSS), then List at each point in another.
pub(super) async fn scale(
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
